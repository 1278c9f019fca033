/* fuzz_xfs - the XFS reader (lib/evidence/fs_xfs.c) over an image in
 * memory, walked the way the engine readers walk evidence: every directory
 * listed, every entry stat'ed, symlinks read, extended attributes read,
 * regular files read in full, through the path-resolving source
 * (lib/evidence/source_fs.c).
 *
 * Input: the first bytes of an XFS file system (seeds: the head of small
 * v5 file systems with directories of every form, symlinks, xattrs and
 * fragmented files). Checks: every failure carries a message; a file reads
 * no more bytes than its size; the walk stays within its bounds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "evidence/fsys.h"
#include "fuzz.h"

static size_t budget;

static void walk(cs_source *src, const char *path, int depth)
{
	if (depth > 16 || budget == 0)
		return;
	budget--;
	cs_stat st;
	cs_error e = {0};
	if (cs_source_stat(src, path, false, &st, &e) < 0) {
		FZ_CHECK(e.msg[0], "invariant broken");
		return;
	}
	cs_xattr *x;
	size_t nx;
	if (cs_source_xattrs(src, path, &x, &nx, &e) == 0)
		cs_xattrs_free(x, nx);
	if (S_ISLNK(st.mode)) {
		char *t;
		if (cs_source_readlink(src, path, &t, &e) == 0)
			free(t);
		return;
	}
	if (S_ISREG(st.mode)) {
		cs_file *f;
		if (cs_source_open(src, path, &f, &e) == 0) {
			char buf[8192];
			uint64_t off = 0;
			ssize_t n;
			while (off < (1u << 22) && (n = cs_file_pread(f, buf, sizeof(buf), off)) > 0)
				off += (uint64_t)n;
			FZ_CHECK(off <= cs_file_size(f), "invariant broken");
			cs_file_close(f);
		}
		return;
	}
	if (!S_ISDIR(st.mode))
		return;
	cs_dirent *d;
	size_t n;
	if (cs_source_list(src, path, &d, &n, &e) < 0) {
		FZ_CHECK(e.msg[0], "invariant broken");
		return;
	}
	for (size_t i = 0; i < n && i < 256; i++) {
		char *p = cs_path_join(path, d[i].name);
		walk(src, p, depth + 1);
		free(p);
	}
	cs_dirents_free(d, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1);
	memcpy(copy, data, size);
	cs_bdev *dev = cs_bdev_from_memory(copy, size, "fuzz.img");
	cs_fsys *fs;
	cs_error e = {0};
	if (cs_fsys_open_xfs(dev, "fuzz.img", NULL, &fs, &e) == 0) {
		cs_source *src;
		if (cs_source_open_fsys(&fs, NULL, 1, NULL, "fuzz.img", &src, &e) == 0) {
			budget = 2000;
			walk(src, "", 0);
			cs_source_close(src);
		}
	} else {
		FZ_CHECK(e.msg[0], "invariant broken");
	}
	cs_bdev_unref(dev);
	free(copy);
	return 0;
}
