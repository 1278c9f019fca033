/* fuzz_walk.h - the walk the file-system fuzz targets share: every
 * directory listed, every entry stat'ed, symlinks read, extended
 * attributes read, regular files read in full (4 MiB at most), the way the
 * engine readers walk evidence, through a source; bounded in entries and
 * depth. Checks: every failure carries a message, a file reads no more
 * bytes than its size, a listed name is not empty, ".", ".." or holding a
 * slash, and an xattr has a name. */
#ifndef CS_FUZZ_WALK_H
#define CS_FUZZ_WALK_H

#include <string.h>
#include <sys/stat.h>

#include "evidence/source.h"
#include "fuzz.h"

static inline void fz_walk(cs_source *src, const char *path, int depth, size_t *budget)
{
	if (depth > 16 || *budget == 0)
		return;
	--*budget;
	cs_stat st;
	cs_error e = {0};
	if (cs_source_stat(src, path, false, &st, &e) < 0) {
		FZ_CHECK(e.msg[0], "a failed stat of `%s` says why", path);
		return;
	}
	cs_xattr *x;
	size_t nx;
	if (cs_source_xattrs(src, path, &x, &nx, &e) == 0) {
		for (size_t i = 0; i < nx; i++)
			FZ_CHECK(x[i].name && x[i].name[0], "an xattr of `%s` has a name", path);
		cs_xattrs_free(x, nx);
	}
	if (S_ISLNK(st.mode)) {
		char *t;
		if (cs_source_readlink(src, path, &t, &e) == 0)
			free(t);
		else
			FZ_CHECK(e.msg[0], "a failed readlink of `%s` says why", path);
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
			FZ_CHECK(off <= cs_file_size(f), "`%s` read %llu bytes past its size %llu", path,
				 (unsigned long long)off, (unsigned long long)cs_file_size(f));
			cs_file_close(f);
		}
		return;
	}
	if (!S_ISDIR(st.mode))
		return;
	cs_dirent *d;
	size_t n;
	if (cs_source_list(src, path, &d, &n, &e) < 0) {
		FZ_CHECK(e.msg[0], "a failed list of `%s` says why", path);
		return;
	}
	for (size_t i = 0; i < n && i < 256; i++) {
		const char *nm = d[i].name;
		FZ_CHECK(nm[0] && strcmp(nm, ".") && strcmp(nm, "..") && !strchr(nm, '/'), "`%s` lists `%s`", path, nm);
		char *p = cs_path_join(path, nm);
		fz_walk(src, p, depth + 1, budget);
		free(p);
	}
	cs_dirents_free(d, n);
}

#endif
