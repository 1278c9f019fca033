/* source_dir.c - the directory backend of cs_source.
 *
 * Resolution. A path is resolved component by component from an O_PATH
 * descriptor of the root. Intermediate components are opened O_PATH with
 * O_NOFOLLOW; a symlink met on the way is read and its target spliced in
 * front of the remaining components (absolute targets restart at the root,
 * ".." never climbs above it), with at most CS_MAX_SYMLINKS expansions.
 * Where the kernel has openat2(2), the directory part is resolved in one
 * call with RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS, which has the same
 * semantics; the final component is always handled here so that we can stat
 * it without following and refuse special files before opening them.
 *
 * Both walks are exercised by the tests (CS_SOURCE_NO_OPENAT2 forces the
 * portable one). A small cache keeps the last few resolved directories open:
 * engine readers read several files from one directory in a row, and
 * alternate between a handful of directories.
 */
#include "evidence/source.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#define CS_MAX_SYMLINKS 40
#define CS_MAX_DEPTH 4096

#define CS_DIRCACHE 8

typedef struct dir_source {
	cs_source base;
	int rootfd;
	bool use_openat2;
	struct {
		char *path; /* directory part as asked, or NULL */
		int fd;
		uint64_t used;
	} cache[CS_DIRCACHE];
	uint64_t tick;
} dir_source;

static int open_noatime(int dirfd, const char *name, int flags)
{
	int fd = openat(dirfd, name, flags | O_NOATIME);
	if (fd < 0 && errno == EPERM)
		fd = openat(dirfd, name, flags);
	return fd;
}

static long sys_openat2(int dirfd, const char *path, struct open_how *how)
{
#ifdef SYS_openat2
	return syscall(SYS_openat2, dirfd, path, how, sizeof(*how));
#else
	(void)dirfd;
	(void)path;
	(void)how;
	errno = ENOSYS;
	return -1;
#endif
}

/* The portable walk: resolves a directory path inside the root.
 * Returns an O_PATH fd of the directory or -errno. */
static int walk_dir(dir_source *s, const char *path)
{
	int stack[256];
	int depth = 0; /* stack[0..depth) are fds of dirs below the root */
	int links = 0, r = 0;
	cs_buf rest = {0};
	if (cs_buf_puts(&rest, path) < 0)
		return -ENOMEM;
	size_t pos = 0;
	for (;;) {
		while (pos < rest.len && rest.data[pos] == '/')
			pos++;
		if (pos >= rest.len)
			break;
		size_t end = pos;
		while (end < rest.len && rest.data[end] != '/')
			end++;
		char comp[NAME_MAX + 1];
		if (end - pos > NAME_MAX) {
			r = -ENAMETOOLONG;
			goto out;
		}
		memcpy(comp, rest.data + pos, end - pos);
		comp[end - pos] = '\0';
		pos = end;
		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			if (depth > 0)
				close(stack[--depth]);
			continue;
		}
		int cur = depth ? stack[depth - 1] : s->rootfd;
		struct stat st;
		if (fstatat(cur, comp, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			r = -errno;
			goto out;
		}
		if (S_ISLNK(st.st_mode)) {
			if (++links > CS_MAX_SYMLINKS) {
				r = -ELOOP;
				goto out;
			}
			char target[PATH_MAX];
			ssize_t tl = readlinkat(cur, comp, target, sizeof(target) - 1);
			if (tl < 0) {
				r = -errno;
				goto out;
			}
			target[tl] = '\0';
			/* new rest = target + "/" + remaining */
			cs_buf nb = {0};
			if (cs_buf_puts(&nb, target) < 0 || cs_buf_puts(&nb, "/") < 0 ||
			    cs_buf_append(&nb, rest.data + pos, rest.len - pos) < 0) {
				cs_buf_free(&nb);
				r = -ENOMEM;
				goto out;
			}
			cs_buf_free(&rest);
			rest = nb;
			pos = 0;
			if (target[0] == '/')
				while (depth > 0)
					close(stack[--depth]);
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			r = -ENOTDIR;
			goto out;
		}
		if (depth >= (int)CS_ARRAY_SIZE(stack)) {
			r = -ENAMETOOLONG;
			goto out;
		}
		int fd = openat(cur, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			r = -errno;
			goto out;
		}
		stack[depth++] = fd;
	}
	if (depth == 0)
		r = openat(s->rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	else
		r = dup(stack[--depth]);
	if (r < 0)
		r = -errno;
out:
	while (depth > 0)
		close(stack[--depth]);
	cs_buf_free(&rest);
	return r;
}

static int resolve_dir(dir_source *s, const char *dir)
{
	size_t victim = 0;
	for (size_t i = 0; i < CS_DIRCACHE; i++) {
		if (s->cache[i].path && strcmp(s->cache[i].path, dir) == 0) {
			s->cache[i].used = ++s->tick;
			return s->cache[i].fd;
		}
		if (s->cache[i].used < s->cache[victim].used)
			victim = i;
	}
	int fd;
	if (s->use_openat2) {
		struct open_how how = {
			.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
			.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
		};
		fd = (int)sys_openat2(s->rootfd, *dir ? dir : ".", &how);
		if (fd < 0 && (errno == ENOSYS || errno == EPERM)) {
			s->use_openat2 = false; /* seccomp or old kernel */
			fd = walk_dir(s, dir);
		} else if (fd < 0) {
			fd = -errno;
		}
	} else {
		fd = walk_dir(s, dir);
	}
	if (fd < 0)
		return fd;
	if (s->cache[victim].path) {
		close(s->cache[victim].fd);
		free(s->cache[victim].path);
	}
	s->cache[victim].path = cs_xstrdup(dir);
	s->cache[victim].fd = fd;
	s->cache[victim].used = ++s->tick;
	return fd;
}

/* Resolves path to (directory fd, leaf name). With follow, a final symlink is
 * expanded inside the root, and *ret_st (if given) receives the leaf's lstat
 * with *ret_have_st set, saving callers a second stat. The fd is borrowed
 * from the cache. */
static int resolve_st(dir_source *s, const char *path, bool follow, int *ret_dirfd, char **ret_leaf,
		      struct statx *ret_st, bool *ret_have_st)
{
	if (ret_have_st)
		*ret_have_st = false;
	char *cur = cs_xstrdup(path);
	for (int links = 0;; links++) {
		char *dir, *leaf;
		cs_path_split(cur, false, &dir, &leaf);
		int dfd = resolve_dir(s, dir);
		if (dfd < 0) {
			free(dir);
			free(leaf);
			free(cur);
			return dfd;
		}
		if (follow && strcmp(leaf, ".") != 0) {
			struct statx st;
			int sr = statx(dfd, leaf, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT,
				       STATX_BASIC_STATS | STATX_BTIME, &st);
			if (sr == 0 && !S_ISLNK(st.stx_mode) && ret_st) {
				*ret_st = st;
				*ret_have_st = true;
			}
			if (sr == 0 && S_ISLNK(st.stx_mode)) {
				if (links >= CS_MAX_SYMLINKS) {
					free(dir);
					free(leaf);
					free(cur);
					return -ELOOP;
				}
				char target[PATH_MAX];
				ssize_t tl = readlinkat(dfd, leaf, target, sizeof(target) - 1);
				if (tl < 0) {
					int r = -errno;
					free(dir);
					free(leaf);
					free(cur);
					return r;
				}
				target[tl] = '\0';
				free(cur);
				cur = target[0] == '/' ? cs_xstrdup(target)
						       : cs_xasprintf("%s/%s", dir, target);
				free(dir);
				free(leaf);
				continue;
			}
		}
		free(dir);
		free(cur);
		*ret_dirfd = dfd;
		*ret_leaf = leaf;
		return 0;
	}
}

static int resolve(dir_source *s, const char *path, bool follow, int *ret_dirfd, char **ret_leaf)
{
	return resolve_st(s, path, follow, ret_dirfd, ret_leaf, NULL, NULL);
}

static cs_time ts_to_time(int64_t sec, int64_t nsec)
{
	return cs_time_from_parts(sec, nsec);
}

static int dir_stat(cs_source *src, const char *path, bool follow, cs_stat *st, cs_error *e)
{
	dir_source *s = (dir_source *)src;
	int dfd;
	_cleanup_free_ char *leaf = NULL;
	struct statx sx;
	bool have;
	int r = resolve_st(s, path, follow, &dfd, &leaf, &sx, &have);
	if (r < 0)
		return cs_err(e, r, "`%s`: %s", path, strerror(-r));
	const char *name = strcmp(leaf, ".") == 0 ? "" : leaf;
	int fl = AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | (*name ? 0 : AT_EMPTY_PATH);
	if (!have && statx(dfd, name, fl, STATX_BASIC_STATS | STATX_BTIME, &sx) < 0) {
		r = -errno;
		return cs_err(e, r, "`%s`: %s", path, strerror(-r));
	}
	memset(st, 0, sizeof(*st));
	st->mode = sx.stx_mode;
	st->uid = sx.stx_uid;
	st->gid = sx.stx_gid;
	st->nlink = sx.stx_nlink;
	st->size = sx.stx_size;
	st->ino = sx.stx_ino;
	st->dev = ((uint64_t)sx.stx_dev_major << 32) | sx.stx_dev_minor;
	st->rdev_major = sx.stx_rdev_major;
	st->rdev_minor = sx.stx_rdev_minor;
	st->blocks = sx.stx_blocks;
	st->atime = ts_to_time(sx.stx_atime.tv_sec, sx.stx_atime.tv_nsec);
	st->mtime = ts_to_time(sx.stx_mtime.tv_sec, sx.stx_mtime.tv_nsec);
	st->ctime = ts_to_time(sx.stx_ctime.tv_sec, sx.stx_ctime.tv_nsec);
	st->btime = (sx.stx_mask & STATX_BTIME)
			    ? ts_to_time(sx.stx_btime.tv_sec, sx.stx_btime.tv_nsec)
			    : CS_TIME_INVALID;
	return 0;
}

static ssize_t fd_pread(cs_file *f, void *buf, size_t n, uint64_t off)
{
	for (;;) {
		ssize_t r = pread(f->fd, buf, n, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		return r < 0 ? -errno : r;
	}
}

static void fd_close(cs_file *f)
{
	close(f->fd);
	free(f);
}

static const cs_file_ops fd_file_ops = {.pread = fd_pread, .close = fd_close};

/* Opens leaf in dfd after checking its type without following; pre (if
 * non-NULL) is a fresh lstat of the leaf that spares one system call. */
static int open_checked(int dfd, const char *leaf, bool want_dir, const struct statx *pre,
			struct stat *ret_st)
{
	struct stat st0, st;
	const char *name = strcmp(leaf, ".") == 0 ? "." : leaf;
	if (pre) {
		st0.st_mode = pre->stx_mode;
		st0.st_ino = pre->stx_ino;
		st0.st_dev = makedev(pre->stx_dev_major, pre->stx_dev_minor);
	} else if (fstatat(dfd, name, &st0, AT_SYMLINK_NOFOLLOW) < 0) {
		return -errno;
	}
	if (want_dir ? !S_ISDIR(st0.st_mode) : !S_ISREG(st0.st_mode))
		return want_dir ? -ENOTDIR : (S_ISDIR(st0.st_mode) ? -EISDIR : -EINVAL);
	int fl = O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | (want_dir ? O_DIRECTORY : 0);
	int fd = open_noatime(dfd, name, fl);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || st.st_ino != st0.st_ino || st.st_dev != st0.st_dev) {
		close(fd);
		return -ESTALE; /* replaced between the check and the open */
	}
	if (ret_st)
		*ret_st = st;
	return fd;
}

static const char *open_errstr(int r)
{
	return r == -EINVAL ? "not a regular file" : strerror(-r);
}

static int dir_open(cs_source *src, const char *path, cs_file **ret, cs_error *e)
{
	dir_source *s = (dir_source *)src;
	int dfd;
	_cleanup_free_ char *leaf = NULL;
	struct statx pre;
	struct stat st;
	bool have_pre;
	int r = resolve_st(s, path, true, &dfd, &leaf, &pre, &have_pre);
	if (r < 0)
		return cs_err(e, r, "`%s`: %s", path, strerror(-r));
	int fd = open_checked(dfd, leaf, false, have_pre ? &pre : NULL, &st);
	if (fd < 0)
		return cs_err(e, fd, "`%s`: %s", path, open_errstr(fd));
	cs_file *f = cs_xcalloc(1, sizeof(*f));
	f->ops = &fd_file_ops;
	f->fd = fd;
	f->size = (uint64_t)st.st_size;
	*ret = f;
	return 0;
}

static int dir_readlink(cs_source *src, const char *path, char **ret, cs_error *e)
{
	dir_source *s = (dir_source *)src;
	int dfd;
	_cleanup_free_ char *leaf = NULL;
	int r = resolve(s, path, false, &dfd, &leaf);
	if (r < 0)
		return cs_err(e, r, "`%s`: %s", path, strerror(-r));
	char target[PATH_MAX];
	ssize_t tl = readlinkat(dfd, leaf, target, sizeof(target) - 1);
	if (tl < 0) {
		r = -errno;
		return cs_err(e, r, "`%s`: %s", path,
			      r == -EINVAL ? "not a symbolic link" : strerror(-r));
	}
	target[tl] = '\0';
	*ret = cs_xstrndup(target, (size_t)tl);
	return 0;
}

static int cmp_dirent(const void *a, const void *b)
{
	return strcmp(((const cs_dirent *)a)->name, ((const cs_dirent *)b)->name);
}

static int dir_list(cs_source *src, const char *path, cs_dirent **ret, size_t *ret_n, cs_error *e)
{
	dir_source *s = (dir_source *)src;
	int dfd;
	_cleanup_free_ char *leaf = NULL;
	int r = resolve(s, path, true, &dfd, &leaf);
	if (r < 0)
		return cs_err(e, r, "`%s`: %s", path, strerror(-r));
	int fd = open_checked(dfd, leaf, true, NULL, NULL);
	if (fd < 0)
		return cs_err(e, fd, "`%s`: %s", path, strerror(-fd));
	DIR *d = fdopendir(fd);
	if (!d) {
		r = -errno;
		close(fd);
		return cs_err(e, r, "`%s`: %s", path, strerror(-r));
	}
	cs_dirent *v = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	errno = 0;
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (n >= CS_DIR_MAX_ENTRIES) {
			closedir(d);
			cs_dirents_free(v, n);
			return cs_err(e, -EFBIG, "`%s`: more than %d entries", path,
				      CS_DIR_MAX_ENTRIES);
		}
		cs_dirent *x = CS_PUSH(v, n, cap);
		x->name = cs_xstrdup(de->d_name);
		x->type = de->d_type;
		errno = 0;
	}
	r = errno ? -errno : 0;
	closedir(d);
	if (r < 0) {
		cs_dirents_free(v, n);
		return cs_err(e, r, "`%s`: %s", path, strerror(-r));
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_dirent);
	*ret = v;
	*ret_n = n;
	return 0;
}

static int cmp_xattr(const void *a, const void *b)
{
	return strcmp(((const cs_xattr *)a)->name, ((const cs_xattr *)b)->name);
}

/* Extended attributes of the leaf itself. The l*xattr calls take a path, so
 * the leaf is named through the already-resolved directory descriptor
 * (/proc/self/fd/N/leaf): one component, not followed, inside the root. */
static int dir_xattrs(cs_source *src, const char *path, cs_xattr **ret, size_t *ret_n, cs_error *e)
{
	dir_source *s = (dir_source *)src;
	int dfd;
	_cleanup_free_ char *leaf = NULL;
	int r = resolve(s, path, false, &dfd, &leaf);
	if (r < 0)
		return cs_err(e, r, "`%s`: %s", path, strerror(-r));
	char p[64 + NAME_MAX];
	snprintf(p, sizeof(p), "/proc/self/fd/%d/%s", dfd, strcmp(leaf, ".") == 0 ? "" : leaf);
	char names[65536];
	ssize_t nl = llistxattr(p, names, sizeof(names));
	if (nl < 0) {
		if (errno == ENOTSUP || errno == ENODATA)
			return 0;
		r = -errno;
		return cs_err(e, r, "`%s`: list xattrs: %s", path, strerror(-r));
	}
	cs_xattr *v = NULL;
	size_t n = 0, cap = 0, total = 0;
	for (ssize_t off = 0; off < nl;) {
		const char *name = names + off;
		size_t len = strnlen(name, (size_t)(nl - off));
		off += (ssize_t)len + 1;
		char val[65536];
		ssize_t vl = lgetxattr(p, name, val, sizeof(val));
		if (vl < 0)
			continue; /* not readable by us (trusted.* without privilege) */
		total += len + (size_t)vl;
		if (total > CS_XATTR_MAX)
			break;
		cs_xattr *x = CS_PUSH(v, n, cap);
		x->name = cs_xstrndup(name, len);
		x->value = cs_xmalloc((size_t)vl + 1);
		memcpy(x->value, val, (size_t)vl);
		x->value[vl] = '\0';
		x->len = (size_t)vl;
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_xattr);
	*ret = v;
	*ret_n = n;
	return 0;
}

/* statvfs of the mount holding the directory: link atimes change unless
 * it is read-only or noatime (relatime and lazytime still update them). */
static int dir_changes_atimes(cs_source *src, const char *path, cs_error *e)
{
	dir_source *s = (dir_source *)src;
	int fd = path && *path ? resolve_dir(s, path) : s->rootfd;
	if (fd < 0)
		return cs_err(e, fd, "`%s`: %s", path, strerror(-fd));
	struct statvfs v;
	if (fstatvfs(fd, &v) < 0) {
		int r = -errno;
		return cs_err(e, r, "`%s`: statvfs: %s", path && *path ? path : s->base.root,
			      strerror(-r));
	}
	return (v.f_flag & (ST_RDONLY | ST_NOATIME)) ? 0 : 1;
}

static void dir_close(cs_source *src)
{
	dir_source *s = (dir_source *)src;
	for (size_t i = 0; i < CS_DIRCACHE; i++)
		if (s->cache[i].path) {
			close(s->cache[i].fd);
			free(s->cache[i].path);
		}
	close(s->rootfd);
	free(s->base.root);
	free(s);
}

static const cs_source_ops dir_ops = {
	.name = "dir",
	.stat = dir_stat,
	.open = dir_open,
	.readlink = dir_readlink,
	.list = dir_list,
	.xattrs = dir_xattrs,
	.close = dir_close,
	.changes_atimes = dir_changes_atimes,
};

bool cs_source_is_dir(const cs_source *src)
{
	return src && src->ops == &dir_ops;
}

int cs_source_open_dir(const char *root, unsigned flags, cs_source **ret, cs_error *e)
{
	int fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		int r = -errno;
		return cs_err(e, r, "evidence root `%s`: %s", root, strerror(-r));
	}
	dir_source *s = cs_xcalloc(1, sizeof(*s));
	s->base.ops = &dir_ops;
	s->base.root = cs_xstrdup(root);
	s->rootfd = fd;
	s->use_openat2 = !(flags & CS_SOURCE_NO_OPENAT2);
	*ret = &s->base;
	return 0;
}
