/* fuzz_archive.c - a tar archive of the evidence read as a source (an LXD
 * image file): the input is written to a file, opened under "rootfs/" and
 * as a whole, and every directory is listed and every entry stat'ed, read
 * or readlink'ed. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "evidence/source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];

static void walk(cs_source *s, const char *path, int depth)
{
	cs_dirent *d;
	size_t n;
	if (depth > 64 || cs_source_list(s, path, &d, &n, NULL) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		char *p = cs_path_join(path, d[i].name);
		cs_stat st;
		if (cs_source_stat(s, p, false, &st, NULL) == 0) {
			cs_file *f;
			char buf[256], *t = NULL;
			if (cs_source_open(s, p, &f, NULL) == 0) {
				(void)cs_file_pread(f, buf, sizeof(buf), 0);
				cs_file_close(f);
			}
			if (cs_source_readlink(s, p, &t, NULL) == 0)
				free(t);
			cs_xattr *x;
			size_t nx;
			if (cs_source_xattrs(s, p, &x, &nx, NULL) == 0)
				cs_xattrs_free(x, nx);
			walk(s, p, depth + 1);
		}
		free(p);
	}
	cs_dirents_free(d, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "/tmp/fuzz-archive-XXXXXX");
		if (!mkdtemp(dir))
			abort();
	}
	char path[128];
	snprintf(path, sizeof(path), "%s/img", dir);
	FILE *f = fopen(path, "wb");
	if (!f)
		abort();
	fwrite(data, 1, size, f);
	fclose(f);
	cs_source *outer;
	if (cs_source_open_dir(dir, 0, &outer, NULL) < 0)
		return 0;
	static const char *const prefixes[] = {"rootfs/", ""};
	for (size_t k = 0; k < 2; k++) {
		cs_source *a;
		if (cs_source_open_archive(outer, "img", prefixes[k], NULL, NULL, &a, NULL) == 0) {
			walk(a, "", 0);
			cs_source_close(a);
		}
	}
	cs_source_close(outer);
	return 0;
}
