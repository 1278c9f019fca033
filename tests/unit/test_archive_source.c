/* test_archive_source.c - an archive that is a file of the evidence, read
 * as a source (cs_source_open_archive, the LXD image file's path through
 * the one archive index of lib/evidence/fs_archive.c): members under a
 * prefix only, owners mapped, nanosecond times, pax xattrs, device nodes,
 * hard links, symlinks resolved inside it, implied parents, ".." refused,
 * complete (not partial), and damage failing the open; and the source read
 * from two threads at once (cs_source_is_concurrent), as the timeline's
 * typing thread reads it.
 *
 * The archives are written here with libarchive's writer (pax, as GNU tar
 * --xattrs writes them), so what each member holds is known exactly. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "base/timefmt.h"
#include "evidence/source.h"
#include "tap.h"

static char base[] = "/tmp/csleuth-test-archive-XXXXXX";

#define MTIME_S 1795709392
#define MTIME_NS 361930054

static void add(struct archive *a, const char *path, mode_t mode, const char *data, const char *link,
		const char *hardlink, unsigned rmaj, unsigned rmin)
{
	struct archive_entry *en = archive_entry_new();
	archive_entry_set_pathname(en, path);
	archive_entry_set_mode(en, mode);
	archive_entry_set_uid(en, 1000);
	archive_entry_set_gid(en, 1001);
	archive_entry_set_mtime(en, MTIME_S, MTIME_NS);
	if (link)
		archive_entry_set_symlink(en, link);
	if (hardlink) {
		archive_entry_set_hardlink(en, hardlink);
		archive_entry_set_size(en, 0);
	}
	if (S_ISCHR(mode))
		archive_entry_set_rdev(en, makedev(rmaj, rmin));
	if (data && !hardlink) {
		archive_entry_set_size(en, (la_int64_t)strlen(data));
		archive_entry_xattr_add_entry(en, "user.origin", "lxd", 3);
	}
	archive_write_header(a, en);
	if (data && !hardlink)
		archive_write_data(a, data, strlen(data));
	archive_entry_free(en);
}

/* Writes the image file; gz: through gzip. */
static void write_image(const char *name, bool gz)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", base, name);
	struct archive *a = archive_write_new();
	archive_write_set_format_pax_restricted(a);
	if (gz)
		archive_write_add_filter_gzip(a);
	archive_write_open_filename(a, path);
	add(a, "metadata.yaml", S_IFREG | 0644, "architecture: x86_64\n", NULL, NULL, 0, 0);
	add(a, "rootfs", S_IFDIR | 0755, NULL, NULL, NULL, 0, 0);
	add(a, "rootfs/etc", S_IFDIR | 0755, NULL, NULL, NULL, 0, 0);
	add(a, "rootfs/etc/hostname", S_IFREG | 0644, "box\n", NULL, NULL, 0, 0);
	add(a, "rootfs/etc/hostname.bak", S_IFREG | 0644, "box\n", NULL, "rootfs/etc/hostname", 0, 0);
	add(a, "rootfs/dev", S_IFDIR | 0755, NULL, NULL, NULL, 0, 0);
	add(a, "rootfs/dev/null", S_IFCHR | 0666, NULL, NULL, NULL, 1, 3);
	add(a, "rootfs/bin", S_IFLNK | 0777, NULL, "usr/bin", NULL, 0, 0);
	add(a, "rootfs/usr/bin/tool", S_IFREG | 0755, "#!/bin/sh\necho tool\n", NULL, NULL, 0, 0);
	add(a, "rootfs/../escape", S_IFREG | 0644, "SECRET\n", NULL, NULL, 0, 0);
	archive_write_close(a);
	archive_write_free(a);
}

static uint32_t shift(void *ud, char kind, uint32_t id)
{
	(void)ud;
	return id + (kind == 'u' ? 100000u : 200000u);
}

static char *read_all(cs_source *s, const char *path)
{
	char *data = NULL;
	size_t n = 0;
	return cs_source_read_file(s, path, 1 << 20, &data, &n, NULL) == 0 ? data : NULL;
}

static void check_image(cs_source *outer, const char *name)
{
	cs_source *a;
	cs_error e = {0};
	int r = cs_source_open_archive(outer, name, "rootfs/", shift, NULL, &a, &e);
	if (!tap_ok(r == 0, "[%s] opens under rootfs/ (%s)", name, e.msg))
		return;
	tap_ok(!cs_source_is_partial(a), "[%s] an image file is complete, not a partial collection", name);
	char *t = read_all(a, "etc/hostname");
	TAP_STR_EQ(t, "box\n", "[%s] a member's content", name);
	free(t);
	cs_stat st, hl;
	r = cs_source_stat(a, "etc/hostname", false, &st, NULL);
	tap_ok(r == 0 && st.uid == 101000 && st.gid == 201001, "[%s] owners mapped as read (%u:%u)", name, st.uid,
	       st.gid);
	tap_ok(r == 0 && st.mtime == cs_time_from_parts(MTIME_S, MTIME_NS), "[%s] nanosecond mtime", name);
	tap_ok(cs_source_stat(a, "etc/hostname.bak", false, &hl, NULL) == 0 && hl.ino == st.ino && hl.nlink == 2 &&
		       st.nlink == 2,
	       "[%s] a hard link is the same inode, two links", name);
	cs_xattr *x = NULL;
	size_t nx = 0;
	r = cs_source_xattrs(a, "etc/hostname", &x, &nx, NULL);
	tap_ok(r == 0 && nx == 1 && strcmp(x[0].name, "user.origin") == 0 && x[0].len == 3 &&
		       memcmp(x[0].value, "lxd", 3) == 0,
	       "[%s] the pax xattr", name);
	cs_xattrs_free(x, nx);
	r = cs_source_stat(a, "dev/null", false, &st, NULL);
	tap_ok(r == 0 && S_ISCHR(st.mode) && st.rdev_major == 1 && st.rdev_minor == 3, "[%s] a device node, 1:3",
	       name);
	char *l = NULL;
	r = cs_source_readlink(a, "bin", &l, NULL);
	TAP_STR_EQ(r == 0 ? l : NULL, "usr/bin", "[%s] a symlink's target", name);
	free(l);
	t = read_all(a, "bin/tool");
	TAP_STR_EQ(t, "#!/bin/sh\necho tool\n", "[%s] a path through the symlink resolves inside the archive", name);
	free(t);
	r = cs_source_stat(a, "usr", false, &st, NULL);
	tap_ok(r == 0 && S_ISDIR(st.mode), "[%s] an implied parent directory", name);
	tap_ok(cs_source_stat(a, "metadata.yaml", false, &st, NULL) == -ENOENT, "[%s] members outside the prefix are "
	       "left out", name);
	cs_dirent *d = NULL;
	size_t n = 0;
	r = cs_source_list(a, "", &d, &n, NULL);
	tap_ok(r == 0 && n == 4 && strcmp(d[0].name, "bin") == 0 && strcmp(d[1].name, "dev") == 0 &&
		       strcmp(d[2].name, "etc") == 0 && strcmp(d[3].name, "usr") == 0,
	       "[%s] the root lists bin, dev, etc, usr (the `..` member refused)", name);
	cs_dirents_free(d, n);
	cs_source_close(a);
	/* the whole archive */
	r = cs_source_open_archive(outer, name, "", NULL, NULL, &a, &e);
	t = r == 0 ? read_all(a, "metadata.yaml") : NULL;
	TAP_STR_EQ(t, "architecture: x86_64\n", "[%s] without a prefix, every member", name);
	free(t);
	if (r == 0) {
		tap_ok(cs_source_stat(a, "rootfs/etc/hostname", false, &st, NULL) == 0 && st.uid == 1000,
		       "[%s] owners as stored without a map", name);
		cs_source_close(a);
	}
}

typedef struct hammer {
	cs_source *s;
	int bad;
} hammer;

static void *hammer_main(void *arg)
{
	hammer *h = arg;
	for (int i = 0; i < 2000; i++) {
		const char *p = i % 2 ? "etc/hostname" : "bin/tool";
		const char *want = i % 2 ? "box\n" : "#!/bin/sh\necho tool\n";
		cs_file *f;
		if (cs_source_open(h->s, p, &f, NULL) < 0) {
			h->bad++;
			continue;
		}
		char buf[64] = {0};
		ssize_t n = cs_file_pread(f, buf, sizeof(buf) - 1, 0);
		if (n != (ssize_t)strlen(want) || strcmp(buf, want) != 0)
			h->bad++;
		cs_file_close(f);
		cs_stat st;
		if (cs_source_stat(h->s, "dev/null", false, &st, NULL) < 0 || st.rdev_minor != 3)
			h->bad++;
	}
	return NULL;
}

static void check_threads(cs_source *outer)
{
	cs_source *a;
	if (cs_source_open_archive(outer, "img.tar", "rootfs/", NULL, NULL, &a, NULL) < 0) {
		tap_ok(0, "threads: open");
		return;
	}
	tap_ok(cs_source_is_concurrent(a) && !cs_source_is_dir(a),
	       "an archive's source says it may be read from several threads at once");
	hammer h[2] = {{.s = a}, {.s = a}};
	pthread_t th;
	int made = pthread_create(&th, NULL, hammer_main, &h[1]) == 0;
	hammer_main(&h[0]);
	if (made)
		pthread_join(th, NULL);
	tap_ok(made && h[0].bad == 0 && h[1].bad == 0,
	       "two threads opening, reading and stat'ing 2,000 times each read what the archive holds (%d, %d wrong)",
	       h[0].bad, h[1].bad);
	cs_source_close(a);
}

static void check_bad(cs_source *outer)
{
	char src[256], dst[256];
	snprintf(src, sizeof(src), "%s/img.tar", base);
	snprintf(dst, sizeof(dst), "%s/cut.tar", base);
	FILE *in = fopen(src, "rb"), *out = fopen(dst, "wb");
	char buf[1 << 16];
	size_t n = in ? fread(buf, 1, sizeof(buf), in) : 0;
	/* cut inside the last members' data */
	if (out)
		fwrite(buf, 1, n > 2048 ? n - 2048 - 700 : n / 2, out);
	if (in)
		fclose(in);
	if (out)
		fclose(out);
	cs_source *a = NULL;
	cs_error e = {0};
	int r = cs_source_open_archive(outer, "cut.tar", "rootfs/", NULL, NULL, &a, &e);
	tap_ok(r == -EBADMSG && strstr(e.msg, "cut.tar"),
	       "a cut image file fails the open, naming it (a partial base would make files look added): %s", e.msg);
	if (r == 0)
		cs_source_close(a);
	snprintf(dst, sizeof(dst), "%s/junk", base);
	out = fopen(dst, "wb");
	if (out) {
		for (int i = 0; i < 4096; i++)
			fputc((i * 7919) & 0xff, out);
		fclose(out);
	}
	r = cs_source_open_archive(outer, "junk", "", NULL, NULL, &a, &e);
	tap_ok(r == -EBADMSG && strstr(e.msg, "not an archive"), "bytes that are no archive are refused: %s", e.msg);
	if (r == 0)
		cs_source_close(a);
	r = cs_source_open_archive(outer, "nosuch.tar", "", NULL, NULL, &a, &e);
	tap_ok(r == -ENOENT, "an absent image file is -ENOENT");
}

int main(void)
{
	if (!mkdtemp(base))
		return 1;
	write_image("img.tar", false);
	write_image("img.tar.gz", true);
	cs_source *outer;
	cs_error e = {0};
	if (cs_source_open_dir(base, 0, &outer, &e) < 0) {
		tap_ok(0, "open the scratch directory: %s", e.msg);
		return tap_done();
	}
	check_image(outer, "img.tar");
	check_image(outer, "img.tar.gz");
	check_threads(outer);
	check_bad(outer);
	cs_source_close(outer);
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	if (system(cmd) != 0)
		return 1;
	return tap_done();
}
