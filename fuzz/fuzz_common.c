/* fuzz_common.c - see fuzz.h. */
#include "fuzz.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "evidence/source.h"

static char root[PATH_MAX];

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	if (ftw->level > 0)
		remove(p);
	return 0;
}

static void rm_root(void)
{
	if (!root[0])
		return;
	nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	rmdir(root);
}

const char *fz_root(void)
{
	if (!root[0]) {
		const char *t = getenv("TMPDIR");
		struct stat st;
		if (!t || !*t)
			t = stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) ? "/dev/shm" : "/tmp";
		snprintf(root, sizeof(root), "%s/csleuth-fuzz-XXXXXX", t);
		if (!mkdtemp(root)) {
			perror("fuzz: mkdtemp");
			abort();
		}
		atexit(rm_root);
	}
	return root;
}

void fz_reset(void)
{
	nftw(fz_root(), rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void mkparents(char *path)
{
	for (char *s = path + strlen(root) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		(void)mkdir(path, 0755);
		*s = '/';
	}
}

void fz_write(const char *rel, const void *p, size_t n)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", fz_root(), rel);
	mkparents(path);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0644);
	if (fd < 0) {
		/* a symlink or directory from an earlier section is in the way */
		remove(path);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0644);
	}
	if (fd < 0)
		return;
	const char *q = p;
	while (n > 0) {
		ssize_t w = write(fd, q, n);
		if (w <= 0)
			break;
		q += w;
		n -= (size_t)w;
	}
	close(fd);
}

void fz_mkdir(const char *rel)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s/", fz_root(), rel);
	mkparents(path);
}

void fz_symlink(const char *target, const char *rel)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", fz_root(), rel);
	mkparents(path);
	remove(path);
	(void)symlink(target, path);
}

size_t fz_split(const uint8_t *data, size_t size, fz_part *parts, size_t max)
{
	size_t n = 0;
	const uint8_t *p = data, *end = data + size;
	const char *name = "";
	size_t name_len = 0;
	for (;;) {
		/* the next "@@@ " at the start of a line */
		const uint8_t *h = p;
		for (;;) {
			h = memmem(h, (size_t)(end - h), "@@@ ", 4);
			if (!h || h == data || h[-1] == '\n')
				break;
			h++;
		}
		const uint8_t *stop = h ? h : end;
		const uint8_t *cend = h && h > p ? h - 1 : stop; /* drop the '\n' before it */
		if ((p > data || stop > p) && n < max) {
			fz_part *x = &parts[n++];
			size_t l = name_len < sizeof(x->name) - 1 ? name_len : sizeof(x->name) - 1;
			memcpy(x->name, name, l);
			x->name[l] = '\0';
			x->p = p;
			x->n = (size_t)(cend - p);
		}
		if (!h)
			break;
		const uint8_t *nl = memchr(h, '\n', (size_t)(end - h));
		name = (const char *)h + 4;
		name_len = (size_t)((nl ? nl : end) - (h + 4));
		p = nl ? nl + 1 : end;
	}
	return n;
}

const fz_part *fz_find(const fz_part *parts, size_t n, const char *name)
{
	for (size_t i = n; i-- > 0;)
		if (strcmp(parts[i].name, name) == 0)
			return &parts[i];
	return NULL;
}

char *fz_strndup(const uint8_t *p, size_t n)
{
	char *s = malloc(n + 1);
	if (!s)
		abort();
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

struct cs_source *fz_open_root(void)
{
	cs_source *src;
	cs_error e = {0};
	if (cs_source_open_dir(fz_root(), 0, &src, &e) < 0)
		abort();
	return src;
}

void fz_diag(void *ud, const cs_diag *d)
{
	fz_diags *x = ud;
	if (d->severity == CS_WARN)
		x->warnings++;
	else
		x->notes++;
	size_t l = strlen(d->msg);
	if (x->len + l + 2 > x->cap) {
		x->cap = (x->len + l + 2) * 2;
		x->text = realloc(x->text, x->cap);
		if (!x->text)
			abort();
	}
	memcpy(x->text + x->len, d->msg, l);
	x->len += l;
	x->text[x->len++] = '\n';
	x->text[x->len] = '\0';
}

void fz_diags_clear(fz_diags *d)
{
	d->len = d->warnings = d->notes = 0;
	if (d->text)
		d->text[0] = '\0';
}

bool fz_diags_has(const fz_diags *d, const char *needle)
{
	return d->text && strstr(d->text, needle);
}

/* ---- a strict JSON reference: RFC 8259 values as Go reads them */

typedef struct ref {
	const char *p, *end;
	int max_depth;
	bool go; /* strings as Go reads them: no raw control character */
	size_t members; /* of the outermost object, duplicates counted */
} ref;

static void rws(ref *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
		r->p++;
}

static bool rlit(ref *r, const char *lit)
{
	size_t n = strlen(lit);
	if ((size_t)(r->end - r->p) < n || memcmp(r->p, lit, n) != 0)
		return false;
	r->p += n;
	return true;
}

static bool rdigits(ref *r)
{
	const char *a = r->p;
	while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
		r->p++;
	return r->p > a;
}

static bool rnumber(ref *r)
{
	if (r->p < r->end && *r->p == '-')
		r->p++;
	if (r->p < r->end && *r->p == '0')
		r->p++;
	else if (!rdigits(r))
		return false;
	if (r->p < r->end && *r->p == '.') {
		r->p++;
		if (!rdigits(r))
			return false;
	}
	if (r->p < r->end && (*r->p == 'e' || *r->p == 'E')) {
		r->p++;
		if (r->p < r->end && (*r->p == '+' || *r->p == '-'))
			r->p++;
		if (!rdigits(r))
			return false;
	}
	return true;
}

static bool rstring(ref *r)
{
	r->p++; /* '"' */
	while (r->p < r->end) {
		unsigned char c = (unsigned char)*r->p++;
		if (c == '"')
			return true;
		if (c == 0 || (r->go && c < 0x20))
			return false;
		if (c != '\\')
			continue;
		if (r->p >= r->end)
			return false;
		c = (unsigned char)*r->p++;
		if (c == 'u') {
			for (int i = 0; i < 4; i++, r->p++)
				if (r->p >= r->end || !strchr("0123456789abcdefABCDEF", *r->p) || !*r->p)
					return false;
		} else if (!strchr("\"\\/bfnrt", c) || !c) {
			return false;
		}
	}
	return false;
}

static bool rvalue(ref *r, int depth)
{
	rws(r);
	if (r->p >= r->end)
		return false;
	char c = *r->p;
	if (c == '{' || c == '[') {
		if (depth >= r->max_depth)
			return false;
		char close = c == '{' ? '}' : ']';
		r->p++;
		rws(r);
		if (r->p < r->end && *r->p == close) {
			r->p++;
			return true;
		}
		for (;;) {
			if (c == '{') {
				rws(r);
				if (r->p >= r->end || *r->p != '"' || !rstring(r))
					return false;
				rws(r);
				if (r->p >= r->end || *r->p++ != ':')
					return false;
			}
			if (!rvalue(r, depth + 1))
				return false;
			r->members += c == '{' && depth == 0;
			rws(r);
			if (r->p >= r->end)
				return false;
			if (*r->p == close) {
				r->p++;
				return true;
			}
			if (*r->p++ != ',')
				return false;
		}
	}
	if (c == '"')
		return rstring(r);
	if (c == 't')
		return rlit(r, "true");
	if (c == 'f')
		return rlit(r, "false");
	if (c == 'n')
		return rlit(r, "null");
	return rnumber(r);
}

bool fz_json_strict_members(const char *p, size_t n, int max_depth, bool go, size_t *members)
{
	ref r = {p, p + n, max_depth, go, 0};
	if (!rvalue(&r, 0))
		return false;
	rws(&r);
	if (members)
		*members = r.members;
	return r.p == r.end;
}

bool fz_json_strict(const char *p, size_t n, int max_depth, bool go)
{
	return fz_json_strict_members(p, n, max_depth, go, NULL);
}
