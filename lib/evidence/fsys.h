/* fsys.h - the file system layer: a file system addressed by inode number,
 * and the cs_source that resolves paths over one or several of them.
 *
 * A file system driver (ext2/3/4 through libext2fs, XFS, a triage archive's
 * index) answers questions about inodes: their metadata, the entries of a
 * directory, a symlink's target, extended attributes, and the bytes of a
 * regular file. It knows nothing of paths. cs_source_open_fsys() puts one
 * or more of them under a path tree (a root file system with, say, /var
 * mounted from another volume, as the host's fstab said) and implements
 * the cs_source contract on top: paths resolve inside the root exactly as
 * the directory backend resolves them (".." stops at the root, absolute
 * symlinks restart there, 40 links at most), directory loops are detected
 * rather than followed, and every error names the image, the volume and the
 * inode.
 *
 * Drivers are read-only by construction: they are given a cs_bdev, which
 * has no write operation. Drivers need not be thread-safe: the source
 * serialises calls into them.
 */
#ifndef CS_FSYS_H
#define CS_FSYS_H

#include <stdbool.h>
#include <stdint.h>

#include "evidence/image.h"
#include "evidence/source.h"

typedef struct cs_fsys cs_fsys;

typedef struct cs_fsys_dirent {
	char *name;
	uint64_t ino;
	unsigned char type; /* DT_*, DT_UNKNOWN allowed */
} cs_fsys_dirent;

typedef struct cs_fsys_ops {
	/* Metadata of an inode (ino and dev filled in by the source). */
	int (*stat)(cs_fsys *fs, uint64_t ino, cs_stat *st, cs_error *e);
	/* Entries of a directory without "." and "..", in any order. */
	int (*list)(cs_fsys *fs, uint64_t dir, cs_fsys_dirent **ret, size_t *ret_n, cs_error *e);
	/* The target of a symlink (at most PATH_MAX bytes). */
	int (*readlink)(cs_fsys *fs, uint64_t ino, char **ret, cs_error *e);
	/* Extended attributes with full names ("trusted.overlay.opaque"), in any
	 * order; NULL when the file system has none. */
	int (*xattrs)(cs_fsys *fs, uint64_t ino, cs_xattr **ret, size_t *ret_n, cs_error *e);
	/* Opens a regular file: a cs_file whose pread is safe to call under
	 * the source's lock (the source wraps it). */
	int (*open)(cs_fsys *fs, uint64_t ino, cs_file **ret, cs_error *e);
	void (*close)(cs_fsys *fs);
} cs_fsys_ops;

struct cs_fsys {
	const cs_fsys_ops *ops;
	const char *type;   /* "ext4", "xfs", "archive" */
	uint64_t root_ino;
	char *name;         /* for messages: "disk.E01 volume 2 (ext4)" */
	char *label, *uuid; /* or NULL */
	/* A partial collection (a triage archive): see cs_source.partial. */
	bool partial;
};

/* Options for the file system drivers. */
typedef struct cs_fsys_opts {
	cs_diag_fn diag; /* notes and warnings at open (journal not replayed, ...) */
	void *diag_userdata;
} cs_fsys_opts;

/* Opens the file system on dev, recognised from its superblock (ext2/3/4,
 * XFS). The driver takes a reference to dev. name is used in messages.
 * Returns 0 and *ret, -EMEDIUMTYPE when no supported file system is there,
 * or -errno with a message naming the volume. */
int cs_fsys_open(cs_bdev *dev, const char *name, const cs_fsys_opts *o, cs_fsys **ret, cs_error *e);
int cs_fsys_open_ext(cs_bdev *dev, const char *name, const cs_fsys_opts *o, cs_fsys **ret, cs_error *e);
int cs_fsys_open_xfs(cs_bdev *dev, const char *name, const cs_fsys_opts *o, cs_fsys **ret, cs_error *e);
/* Indexes a triage archive (tar, compressed tar, zip) as a file system
 * (see fs_archive.c): read once, contents spooled to an unlinked temporary
 * file. The result is partial (absent paths were not collected). Damage
 * (a cut archive, a bad member) is reported through o->diag and costs the
 * members it touches. Returns 0 and *ret, or -errno. */
int cs_fsys_open_archive(const char *path, const cs_fsys_opts *o, cs_fsys **ret, cs_error *e);

/* How cs_fsys_open_archive_file() reads an archive. */
typedef struct cs_archive_opts {
	cs_diag_fn diag; /* members left out, damage (unless strict) */
	void *diag_userdata;
	/* only the members under this directory of the archive, relative to
	 * it ("rootfs/"); NULL or "" for all */
	const char *prefix;
	/* maps each member's uid ('u') and gid ('g') as it is read; may be NULL */
	uint32_t (*map_id)(void *ud, char kind, uint32_t id);
	void *map_ud;
	bool strict;  /* damage (a cut or corrupt archive) fails the open with -EBADMSG */
	bool partial; /* a collection: an absent path was not collected */
} cs_archive_opts;

/* The same index over an archive that is a file of the evidence (f, read
 * with cs_file_pread; the caller keeps it, and may close it once this
 * returns). name is used in messages. o may be NULL (everything, no
 * mapping, damage reported nowhere and costing what it touches). Returns
 * 0 and *ret, -EBADMSG for what is not an archive (or, strict, a damaged
 * one), or -errno. */
int cs_fsys_open_archive_file(cs_file *f, const char *name, const cs_archive_opts *o, cs_fsys **ret,
			      cs_error *e);
void cs_fsys_close(cs_fsys *fs);

/* A source over file systems: fs[0] is the root; fs[i] (i > 0) is mounted
 * at the directory at[i] (a path resolved in the tree built so far, in
 * order, so /var/lib may sit on /var). root_path (NULL or "" for the root)
 * names the directory the source's paths are relative to, as --root names
 * a data root: ".." and absolute symlinks stop there, as under chroot. The
 * source takes ownership of every fs (also on failure). root_name is what
 * cs_source_root() reports. Returns 0 and *ret, or -errno when a mount
 * point or the root path cannot be resolved. */
int cs_source_open_fsys(cs_fsys **fs, const char *const *at, size_t n, const char *root_path,
			const char *root_name, cs_source **ret, cs_error *e);

/* Makes the paths of a source made by cs_source_open_fsys() relative to
 * the directory path (resolved as the source resolves it), as root_path at
 * open does. Returns 0, or -errno (the source is then unchanged). */
int cs_source_fsys_chroot(cs_source *src, const char *path, cs_error *e);

/* True for a source made by cs_source_open_fsys(). */
bool cs_source_is_fsys(const cs_source *src);

/* A file over bytes in memory (inline data, small files). Takes ownership
 * of buf (malloc'd). */
cs_file *cs_file_from_memory(char *buf, uint64_t size);

#endif
