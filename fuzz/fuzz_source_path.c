/* fuzz_source_path - resolving evidence paths inside the evidence root
 * (lib/evidence/source_dir.c), with openat2(RESOLVE_IN_ROOT) and with the
 * portable component walk.
 *
 * Input: a bundle (fuzz.h). The section "" is the path to look up;
 * section "links" holds lines "NAME TARGET" that make symbolic links
 * ev/fz/NAME -> TARGET first (NAME is a plain name); the byte after the
 * path's first line chooses the operation.
 *
 * The scratch root holds ev/ (the evidence root: directories, files, and
 * links of every kind: absolute, relative, climbing with "..", looping,
 * dangling, to a FIFO) and, beside it, outside/ with a secret file.
 * Oracles: nothing read or listed is ever the secret or outside/'s
 * entries; the two resolvers give the same result (return code, type,
 * inode, content, names).
 */
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "evidence/source.h"
#include "fuzz.h"

#define SECRET "this is outside the evidence root"

static cs_source *by_openat2, *by_walk;
static char outside_name[] = "outside-only-name";
/* the input itself spells the secret or the outside name (in a link's
 * target or name): then a readlink or listing inside the evidence may show
 * those bytes without anything outside being read */
static bool input_has_secret, input_has_outside_name;

static void setup(void)
{
	static bool done;
	if (done)
		return;
	done = true;
	fz_reset();
	fz_write("outside/secret", SECRET, strlen(SECRET));
	fz_write("outside/outside-only-name", "x", 1);
	fz_write("ev/containers/c1/config.v2.json", "{}", 2);
	fz_write("ev/etc/passwd", "root:x:0:0:evidence\n", 20);
	fz_mkdir("ev/overlay2/abc/diff/etc");
	fz_mkdir("ev/fz");
	fz_mkdir("ev/deep/a/b/c/d/e/f");
	fz_symlink("../abc/diff", "ev/overlay2/l/SHORT");
	fz_symlink("/etc", "ev/abs");
	fz_symlink("../../../../outside", "ev/climb");
	fz_symlink("../outside/secret", "ev/up");
	fz_symlink("loop2", "ev/loop1");
	fz_symlink("loop1", "ev/loop2");
	fz_symlink("nowhere", "ev/dangling");
	fz_symlink("/proc/self/root/etc/passwd", "ev/magic");
	fz_symlink(".", "ev/dot");
	fz_symlink("deep/a/b/c/d/e/f/../../../../../../..", "ev/back");
	char p[4096];
	snprintf(p, sizeof(p), "%s/ev/fifo", fz_root());
	(void)mkfifo(p, 0644);
	snprintf(p, sizeof(p), "%s/ev", fz_root());
	cs_error e;
	if (cs_source_open_dir(p, 0, &by_openat2, &e) < 0 ||
	    cs_source_open_dir(p, CS_SOURCE_NO_OPENAT2, &by_walk, &e) < 0)
		abort();
}

typedef struct result {
	int r;
	uint32_t mode;
	uint64_t ino;
	char data[256];
	size_t len;
	char *names; /* listing, one per line */
} result;

static void run(cs_source *src, const char *path, unsigned op, result *out)
{
	memset(out, 0, sizeof(*out));
	cs_error e;
	cs_stat st;
	switch (op % 6) {
	case 0:
	case 1:
		out->r = cs_source_stat(src, path, op % 6 == 0, &st, &e);
		if (out->r == 0) {
			out->mode = st.mode;
			out->ino = st.ino;
		}
		break;
	case 2: {
		cs_file *f;
		out->r = cs_source_open(src, path, &f, &e);
		if (out->r == 0) {
			ssize_t k = cs_file_pread(f, out->data, sizeof(out->data), 0);
			out->len = k > 0 ? (size_t)k : 0;
			cs_file_close(f);
		}
		break;
	}
	case 3: {
		char *t = NULL;
		out->r = cs_source_readlink(src, path, &t, &e);
		if (t) {
			out->len = strlen(t) < sizeof(out->data) ? strlen(t) : sizeof(out->data);
			memcpy(out->data, t, out->len);
			free(t);
		}
		break;
	}
	case 4: {
		cs_dirent *d;
		size_t n;
		out->r = cs_source_list(src, path, &d, &n, &e);
		if (out->r == 0) {
			cs_buf b = {0};
			for (size_t i = 0; i < n; i++) {
				(void)cs_buf_puts(&b, d[i].name);
				(void)cs_buf_puts(&b, "\n");
			}
			out->names = cs_buf_steal(&b);
			cs_dirents_free(d, n);
		}
		break;
	}
	default: {
		char *t = NULL;
		size_t n = 0;
		out->r = cs_source_read_file(src, path, 4096, &t, &n, &e);
		if (t) {
			out->len = n < sizeof(out->data) ? n : sizeof(out->data);
			memcpy(out->data, t, out->len);
			free(t);
		}
	}
	}
	FZ_CHECK((op % 6 == 3 && input_has_secret) || !memmem(out->data, out->len, SECRET, strlen(SECRET)),
		 "read the outside secret via `%s`", path);
	FZ_CHECK(input_has_outside_name || !out->names || !strstr(out->names, outside_name),
		 "listed outside/ via `%s`", path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	setup();
	input_has_secret = memmem(data, size, SECRET, strlen(SECRET)) != NULL;
	input_has_outside_name = memmem(data, size, outside_name, strlen(outside_name)) != NULL;
	fz_part parts[8];
	size_t np = fz_split(data, size, parts, 8);
	const fz_part *pp = fz_find(parts, np, "");
	if (!pp)
		return 0;
	const uint8_t *nl = memchr(pp->p, '\n', pp->n);
	size_t plen = nl ? (size_t)(nl - pp->p) : pp->n;
	unsigned op = nl && (size_t)(nl - pp->p) + 1 < pp->n ? nl[1] : (unsigned)plen;
	if (plen > 3000 || memchr(pp->p, '\0', plen))
		return 0;
	char *path = fz_strndup(pp->p, plen);

	/* the input's own links, in ev/fz/ */
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s/ev/fz", fz_root());
	const fz_part *lp = fz_find(parts, np, "links");
	size_t made = 0;
	char made_names[8][64];
	for (const uint8_t *q = lp ? lp->p : NULL, *end = lp ? lp->p + lp->n : NULL; q && q < end && made < 8;) {
		const uint8_t *e = memchr(q, '\n', (size_t)(end - q));
		if (!e)
			e = end;
		const uint8_t *sp = memchr(q, ' ', (size_t)(e - q));
		if (sp && sp > q && sp - q < 60 && e - sp < 1000 && !memchr(q, '/', (size_t)(sp - q)) &&
		    !memchr(q, '\0', (size_t)(e - q)) && !(sp - q <= 2 && q[0] == '.')) {
			memcpy(made_names[made], q, (size_t)(sp - q));
			made_names[made][sp - q] = '\0';
			char *target = fz_strndup(sp + 1, (size_t)(e - sp - 1));
			char rel[128];
			snprintf(rel, sizeof(rel), "ev/fz/%s", made_names[made]);
			fz_symlink(target, rel);
			free(target);
			made++;
		}
		q = e + 1;
	}

	result a, b;
	run(by_openat2, path, op, &a);
	run(by_walk, path, op, &b);
	FZ_CHECK(a.r == b.r, "`%s` op %u: openat2 %d, walk %d", path, op % 6, a.r, b.r);
	FZ_CHECK(a.mode == b.mode && a.ino == b.ino && a.len == b.len && memcmp(a.data, b.data, a.len) == 0,
		 "`%s` op %u: the two resolvers found different things", path, op % 6);
	FZ_CHECK((!a.names && !b.names) || (a.names && b.names && strcmp(a.names, b.names) == 0),
		 "`%s`: listings differ", path);
	free(a.names);
	free(b.names);
	for (size_t i = 0; i < made; i++) {
		char p[4800];
		snprintf(p, sizeof(p), "%s/%s", dir, made_names[i]);
		remove(p);
	}
	free(path);
	return 0;
}
