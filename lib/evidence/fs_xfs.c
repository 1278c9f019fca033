/* fs_xfs.c - XFS (placeholder while the reader is written). */
#include "evidence/fsys.h"

int cs_fsys_open_xfs(cs_bdev *dev, const char *name, const cs_fsys_opts *o, cs_fsys **ret, cs_error *e)
{
	(void)dev, (void)o, (void)ret;
	return cs_err(e, -EMEDIUMTYPE, "%s: XFS is not read yet", name);
}
