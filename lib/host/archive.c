/* archive.c - triage archives as sources (placeholder). */
#include "host/disk.h"

int cs_archive_source(const char *path, const char *root_path, const cs_disk_opts *o, cs_source **ret,
		      char **ret_top, bool *ret_sysroot, cs_error *e)
{
	(void)root_path, (void)o, (void)ret, (void)ret_top, (void)ret_sysroot;
	return cs_err(e, -ENOSYS, "`%s`: archives are not read yet", path);
}
