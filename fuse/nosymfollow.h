/* nosymfollow.h - keeping the kernel from following a view's symbolic links.
 *
 * A layer may hold a link to /etc/shadow. The view shows it as a link, which
 * is right, but the kernel resolves a link's target itself: an examiner's
 * `cat` through the mount would read the workstation's file. A mount flagged
 * nosymfollow (Linux 5.10) refuses to follow links on it (ELOOP) while
 * readlink(2) and `ls -l` still show them.
 */
#ifndef CS_NOSYMFOLLOW_H
#define CS_NOSYMFOLLOW_H

/* Sets nosymfollow on the mount at mountpoint: mount_setattr(2) (Linux
 * 5.12), else a bind remount with MS_NOSYMFOLLOW keeping the mount's other
 * flags (5.10), then checks /proc/self/mountinfo. Never asks the mounted
 * filesystem anything (its server may not be serving yet). Returns 0, or
 * -errno: -EPERM without the privilege to change a mount (an unprivileged
 * user's FUSE mount), -ENOSYS or -EINVAL on kernels without the flag. */
int cs_fuse_nosymfollow(const char *mountpoint);

#endif
