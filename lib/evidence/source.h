/* source.h - the one read-only door into the evidence.
 *
 * Every byte csleuth reads from evidence comes through a cs_source. Paths
 * are relative to the source root and use '/'; they are resolved *inside*
 * the root as if it were chroot'ed: ".." stops at the root, absolute symlink
 * targets restart at the root, and nothing ever resolves onto the examiner's
 * own filesystem. Magic links (/proc/self/...) are never followed.
 *
 * The interface is a small vtable so that other backends (a tar archive, a
 * raw disk image) can be added without touching the engine readers. The
 * directory backend opens everything O_RDONLY|O_CLOEXEC|O_NOFOLLOW, with
 * O_NOATIME whenever the kernel permits, and refuses to open anything but
 * regular files and directories (opening a FIFO or device node found in
 * evidence could block or have side effects).
 */
#ifndef CS_SOURCE_H
#define CS_SOURCE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/timefmt.h"
#include "base/util.h"

typedef struct cs_source cs_source;
typedef struct cs_file cs_file;

/* File metadata as the evidence records it (never the examiner's). */
typedef struct cs_stat {
	uint32_t mode; /* type and permission bits, as st_mode */
	uint32_t uid, gid;
	uint64_t nlink;
	uint64_t size;
	uint64_t ino;
	uint64_t dev;
	uint32_t rdev_major, rdev_minor;
	uint64_t blocks; /* 512-byte blocks allocated (sparse detection) */
	cs_time atime, mtime, ctime;
	cs_time btime; /* CS_TIME_INVALID when the filesystem does not say */
} cs_stat;

typedef struct cs_dirent {
	char *name;
	unsigned char type; /* DT_* as readdir reports, DT_UNKNOWN allowed */
} cs_dirent;

/* Upper bound on entries returned for one directory. */
#define CS_DIR_MAX_ENTRIES 4000000

/* Options for cs_source_open_dir(). */
enum {
	CS_SOURCE_NO_OPENAT2 = 1 << 0, /* force the portable component walk */
};

/* Opens a directory as an evidence source. Returns 0 and *ret, or -errno. */
int cs_source_open_dir(const char *root, unsigned flags, cs_source **ret, cs_error *e);
/* Opens a tar archive (any compression libarchive reads; zip too) that is
 * a file of outer as a read-only source of its members under prefix
 * ("rootfs/"; "" for all): indexed once, contents spooled to an unlinked
 * temporary file, paths resolved inside it as under chroot (fs_archive.c,
 * the index --archive uses, with the archive complete rather than
 * partial). map_id (may be NULL) maps each member's uid ('u') and gid
 * ('g') as it is read. Returns 0 and *ret (close with cs_source_close), or
 * -EBADMSG for what is not an archive or a damaged one. */
int cs_source_open_archive(cs_source *outer, const char *path, const char *prefix,
			   uint32_t (*map_id)(void *ud, char kind, uint32_t id), void *map_ud, cs_source **ret,
			   cs_error *e);
/* Closes a source; NULL is fine. Open cs_files must be closed first. */
void cs_source_close(cs_source *src);
/* The root as given, for messages. */
const char *cs_source_root(const cs_source *src);

/* Metadata of path. follow=false describes a final symlink itself.
 * Returns 0, or -errno (-ENOENT, -ELOOP, -ENOTDIR, ...). */
int cs_source_stat(cs_source *src, const char *path, bool follow, cs_stat *st, cs_error *e);
/* Opens a regular file for reading (final symlinks followed inside the root).
 * Returns 0 and *ret, -EINVAL for a non-regular file, or -errno. */
int cs_source_open(cs_source *src, const char *path, cs_file **ret, cs_error *e);
/* Reads a symlink's target (bounded by PATH_MAX). Returns 0 and an owned
 * string, -EINVAL if path is not a symlink, or -errno. */
int cs_source_readlink(cs_source *src, const char *path, char **ret, cs_error *e);
/* Lists a directory (final symlinks followed inside the root) without "."
 * and "..", sorted by name (bytewise). Returns 0 and an owned array. */
int cs_source_list(cs_source *src, const char *path, cs_dirent **ret, size_t *ret_n, cs_error *e);
void cs_dirents_free(cs_dirent *d, size_t n);

/* One extended attribute. */
typedef struct cs_xattr {
	char *name;
	char *value;
	size_t len;
} cs_xattr;

/* Upper bound on the xattr names and values read for one entry. */
#define CS_XATTR_MAX ((size_t)256 << 10)

/* Lists the extended attributes of path itself (a final symlink is not
 * followed), names sorted, with values. Attributes the caller may not read
 * (trusted.* without privilege) are simply absent. Returns 0 and an owned
 * array (possibly empty), or -errno. */
int cs_source_xattrs(cs_source *src, const char *path, cs_xattr **ret, size_t *ret_n, cs_error *e);
void cs_xattrs_free(cs_xattr *x, size_t n);

/* Reads a whole regular file of at most max bytes into an owned,
 * NUL-terminated buffer. Returns 0, -EFBIG if larger, or -errno. */
int cs_source_read_file(cs_source *src, const char *path, size_t max, char **ret,
			size_t *ret_len, cs_error *e);
/* True if path exists (without following a final symlink). */
bool cs_source_exists(cs_source *src, const char *path);

/* True if the source is a partial collection (a triage archive): callers
 * report a path that is absent as "not collected" rather than as damage. */
bool cs_source_is_partial(const cs_source *src);
/* Whether reading path (a directory of the evidence) can change access
 * times. Files and directories open with O_NOATIME, but the kernel has no
 * way to read a symbolic link (readlink(2), or following one while
 * resolving a path) without updating the link's access time, unless the
 * mount holding it is read-only or mounted noatime. Returns 1 when path is
 * on a writable mount without noatime (link atimes will change), 0 when
 * nothing can change (or the backend reads no live file system), -errno
 * when it cannot tell. */
int cs_source_changes_atimes(cs_source *src, const char *path, cs_error *e);
/* True for a directory source (cs_source_open_dir): another thread opens
 * its own handle on cs_source_root(src). */
bool cs_source_is_dir(const cs_source *src);
/* True if src may be used from several threads at once (see
 * cs_source.concurrent). */
bool cs_source_is_concurrent(const cs_source *src);

/* File handles. */
ssize_t cs_file_pread(cs_file *f, void *buf, size_t n, uint64_t off);
uint64_t cs_file_size(const cs_file *f);
/* Why a read of f failed (err, negative, as pread returned it): a message
 * naming the evidence (an image, its volume, the inode, the offset) when the
 * backend knows one, else strerror(-err). Valid until the next read. */
const char *cs_file_strerror(cs_file *f, int err);
/* The underlying fd for zero-copy paths, or -1 for backends without one
 * (disk images and archives: read with cs_file_pread). */
int cs_file_fd(const cs_file *f);
void cs_file_close(cs_file *f);

/* Joins two relative paths with one '/'; either may be empty. Owned. */
char *cs_path_join(const char *a, const char *b);
/* Splits "a/b/c" into directory "a/b" and leaf "c" (both owned); leading,
 * trailing and repeated slashes are tolerated, and "" gives leaf ".", the
 * directory itself. A leaf ".." (and with dot_too a leaf "." as well) is
 * not looked up in its directory: the whole path becomes the directory
 * and the leaf ".", for backends whose directories hold no such entries. */
void cs_path_split(const char *path, bool dot_too, char **dir, char **leaf);

/* Backend vtable (for implementers of other backends). */
typedef struct cs_source_ops {
	const char *name;
	int (*stat)(cs_source *, const char *, bool, cs_stat *, cs_error *);
	int (*open)(cs_source *, const char *, cs_file **, cs_error *);
	int (*readlink)(cs_source *, const char *, char **, cs_error *);
	int (*list)(cs_source *, const char *, cs_dirent **, size_t *, cs_error *);
	int (*xattrs)(cs_source *, const char *, cs_xattr **, size_t *, cs_error *);
	void (*close)(cs_source *);
	/* optional (NULL: reading changes nothing); see cs_source_changes_atimes */
	int (*changes_atimes)(cs_source *, const char *, cs_error *);
} cs_source_ops;

struct cs_source {
	const cs_source_ops *ops;
	char *root;
	/* A partial collection (a triage archive): a path that is absent was
	 * not collected, which is not damage. False for directories and disk
	 * images. */
	bool partial;
	/* Its operations, and reads of the files opened from it, may be called
	 * from several threads at once: the backend serialises them itself
	 * (disk images and archives, source_fs.c). False for directories,
	 * whose callers open a handle per thread (cs_source_open_dir on the
	 * same root). */
	bool concurrent;
};

typedef struct cs_file_ops {
	ssize_t (*pread)(cs_file *, void *, size_t, uint64_t);
	void (*close)(cs_file *);
	/* Optional: the message of the last failed read, or NULL. */
	const char *(*error)(cs_file *);
} cs_file_ops;

struct cs_file {
	const cs_file_ops *ops;
	uint64_t size;
	int fd;
};

#endif
