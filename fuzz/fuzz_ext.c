/* fuzz_ext - ext2/3/4 through libext2fs (lib/evidence/fs_ext.c: the
 * read-only io_manager over a csleuth block device, inline data, ACLs
 * turned into the VFS form, xattrs in the inode and in blocks, the
 * journal-needs-recovery check) over an image in memory, walked through
 * the path-resolving source (lib/evidence/source_fs.c) as the engine
 * readers walk evidence (fuzz_walk.h).
 *
 * Input: the bytes of an ext file system (seeds: fuzz/make-image-seeds.sh,
 * a small ext4 with extents, inline data, an htree directory, xattrs, an
 * overlayfs whiteout and opaque directory, fast and slow symlinks, a hard
 * link and a sparse file, and the same tree as ext2). Checks: those of
 * fuzz_walk.h; an open that fails says why; nothing is written (the
 * device has no write operation, and the input's bytes are compared after
 * the walk).
 */
#include <stdlib.h>
#include <string.h>

#include "evidence/fsys.h"
#include "fuzz.h"
#include "fuzz_walk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1);
	memcpy(copy, data, size);
	cs_bdev *dev = cs_bdev_from_memory(copy, size, "fuzz.img");
	static fz_diags dg; /* kept across inputs, cleared after each */
	cs_fsys_opts o = {.diag = fz_diag, .diag_userdata = &dg};
	cs_fsys *fs;
	cs_error e = {0};
	if (cs_fsys_open_ext(dev, "fuzz.img", &o, &fs, &e) == 0) {
		cs_source *src;
		if (cs_source_open_fsys(&fs, NULL, 1, NULL, "fuzz.img", &src, &e) == 0) {
			size_t budget = 2000;
			fz_walk(src, "", 0, &budget);
			cs_source_close(src);
		} else {
			FZ_CHECK(e.msg[0], "a failed source says why");
		}
	} else {
		FZ_CHECK(e.msg[0], "a failed open says why");
	}
	cs_bdev_unref(dev);
	FZ_CHECK(size == 0 || memcmp(copy, data, size) == 0, "the image's bytes were changed");
	free(copy);
	fz_diags_clear(&dg);
	return 0;
}
