/* fuzz_archive.c - the archive index (lib/evidence/fs_archive.c) both ways
 * it is used:
 *   - an archive that is a file of the evidence (an LXD image file),
 *     cs_source_open_archive(): read through the outer source, under
 *     "rootfs/" and as a whole, strict (damage fails the open);
 *   - a triage collection (--archive): cs_fsys_open_archive() from the
 *     file itself, partial, damage costing what it touches, and
 *     cs_archive_source() finding the top inside a collector's wrappers.
 * Every source is walked as the engine readers walk evidence
 * (fuzz_walk.h).
 *
 * Input: an archive (tar in any compression libarchive reads, zip, cpio).
 * Checks: those of fuzz_walk.h; an open that fails says why; an archive
 * the strict path accepts is accepted by the triage path too, and both
 * (one fed through a cs_file, one through the file's descriptor) list the
 * same names at the top.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "evidence/fsys.h"
#include "fuzz.h"
#include "fuzz_walk.h"
#include "host/disk.h"

static char *names_at_top(cs_source *s)
{
	cs_dirent *d;
	size_t n;
	if (cs_source_list(s, "", &d, &n, NULL) < 0)
		return cs_xstrdup("(unlistable)");
	cs_buf b = {0};
	for (size_t i = 0; i < n; i++)
		(void)cs_buf_printf(&b, "%s/", d[i].name);
	cs_dirents_free(d, n);
	return b.data ? cs_buf_steal(&b) : cs_xstrdup("");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_reset();
	fz_write("img", data, size);
	cs_source *outer;
	if (cs_source_open_dir(fz_root(), 0, &outer, NULL) < 0)
		return 0;
	size_t budget;
	cs_error e = {0};
	static const char *const prefixes[] = {"rootfs/", ""};
	char *strict_top = NULL;
	for (size_t k = 0; k < 2; k++) {
		cs_source *a;
		if (cs_source_open_archive(outer, "img", prefixes[k], NULL, NULL, &a, &e) == 0) {
			if (k == 1)
				strict_top = names_at_top(a);
			budget = 2000;
			fz_walk(a, "", 0, &budget);
			cs_source_close(a);
		} else {
			FZ_CHECK(e.msg[0], "a failed open says why");
		}
	}
	cs_source_close(outer);

	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/img", fz_root());
	static fz_diags dg; /* kept across inputs, cleared after each */
	cs_fsys_opts fo = {.diag = fz_diag, .diag_userdata = &dg};
	cs_fsys *fs;
	cs_source *t = NULL;
	if (cs_fsys_open_archive(path, &fo, &fs, &e) == 0 && cs_source_open_fsys(&fs, NULL, 1, NULL, "img", &t, &e) == 0) {
		FZ_CHECK(cs_source_is_partial(t), "a collection is partial");
		if (strict_top) {
			char *top = names_at_top(t);
			FZ_CHECK(strcmp(top, strict_top) == 0, "the two readers list `%s` and `%s` at the top", strict_top,
				 top);
			free(top);
		}
		budget = 2000;
		fz_walk(t, "", 0, &budget);
		cs_source_close(t);
	} else {
		FZ_CHECK(e.msg[0], "a failed open says why");
		FZ_CHECK(!strict_top, "an archive the strict path reads is a collection too: %s", e.msg);
	}
	free(strict_top);

	cs_disk_opts o = {.diag = fz_diag, .diag_userdata = &dg};
	char *found = NULL;
	bool sysroot = false;
	if (cs_archive_source(path, NULL, &o, &t, &found, &sysroot, &e) == 0) {
		budget = 500;
		fz_walk(t, "", 0, &budget);
		cs_source_close(t);
		free(found);
	} else {
		FZ_CHECK(e.msg[0], "a failed open says why");
	}
	fz_diags_clear(&dg);
	return 0;
}
