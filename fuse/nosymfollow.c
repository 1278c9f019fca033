/* nosymfollow.c - see nosymfollow.h. */
#include "nosymfollow.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif
#ifndef MOUNT_ATTR_NOSYMFOLLOW
#define MOUNT_ATTR_NOSYMFOLLOW 0x00200000
#endif

/* The per-mount options of the topmost mount at path (its realpath), from
 * /proc/self/mountinfo: field 6, e.g. "ro,nosuid,nodev,relatime". */
static int mount_options(const char *path, char *out, size_t n)
{
	char want[PATH_MAX];
	if (!realpath(path, want))
		return -errno;
	FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return -errno;
	char *line = NULL;
	size_t cap = 0;
	int r = -ENOENT;
	while (getline(&line, &cap, f) > 0) {
		/* id parent major:minor root mountpoint options ... */
		char *save = NULL, *fld[6] = {0};
		char *tok = strtok_r(line, " ", &save);
		for (int i = 0; i < 6 && tok; i++, tok = strtok_r(NULL, " ", &save))
			fld[i] = tok;
		if (!fld[5])
			continue;
		/* the mount point is octal-escaped (\040 for a space) */
		char mp[PATH_MAX];
		size_t k = 0;
		for (const char *p = fld[4]; *p && k + 1 < sizeof(mp); p++) {
			if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' &&
			    p[3] >= '0' && p[3] <= '7') {
				mp[k++] = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
				p += 3;
			} else {
				mp[k++] = *p;
			}
		}
		mp[k] = '\0';
		if (strcmp(mp, want) == 0) {
			snprintf(out, n, "%s", fld[5]); /* the last one wins: the topmost */
			r = 0;
		}
	}
	free(line);
	fclose(f);
	return r;
}

static bool has_option(const char *opts, const char *name)
{
	size_t l = strlen(name);
	for (const char *p = opts; (p = strstr(p, name)); p += l)
		if ((p == opts || p[-1] == ',') && (p[l] == ',' || p[l] == '\0'))
			return true;
	return false;
}

int cs_fuse_nosymfollow(const char *mountpoint)
{
	char opts[1024];
	int r = -ENOSYS;
#ifdef SYS_mount_setattr
	struct {
		unsigned long long attr_set, attr_clr, propagation, userns_fd;
	} attr = {.attr_set = MOUNT_ATTR_NOSYMFOLLOW};
	if (syscall(SYS_mount_setattr, AT_FDCWD, mountpoint, 0, &attr, sizeof(attr)) == 0)
		r = 0;
	else
		r = -errno;
#endif
	if (r == -ENOSYS) {
		/* Linux 5.10 and 5.11: a bind remount sets every per-mount flag at
		 * once, so the present ones are kept */
		if ((r = mount_options(mountpoint, opts, sizeof(opts))) < 0)
			return r;
		static const struct {
			const char *name;
			unsigned long flag;
		} map[] = {
			{"ro", MS_RDONLY},	   {"nosuid", MS_NOSUID},	{"nodev", MS_NODEV},
			{"noexec", MS_NOEXEC},	   {"noatime", MS_NOATIME},	{"nodiratime", MS_NODIRATIME},
			{"relatime", MS_RELATIME}, {"strictatime", MS_STRICTATIME},
		};
		unsigned long fl = MS_REMOUNT | MS_BIND | MS_NOSYMFOLLOW;
		for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
			if (has_option(opts, map[i].name))
				fl |= map[i].flag;
		r = mount(NULL, mountpoint, NULL, fl, NULL) == 0 ? 0 : -errno;
	}
	if (r < 0)
		return r;
	/* an old kernel may take an unknown flag without a word: check */
	if (mount_options(mountpoint, opts, sizeof(opts)) == 0 && !has_option(opts, "nosymfollow"))
		return -EINVAL;
	return 0;
}
