/* image.h - the storage layer: a seized disk image as a read-only byte range.
 *
 * This is the bottom of the disk-image chain (in the manner of dfVFS's path
 * specifications):
 *
 *   image files -> storage format -> volume system -> file system -> cs_source
 *   (image.h)      (raw, split raw,  (volume.h: MBR,  (fsys.h: ext2/3/4,
 *                   EWF, VMDK, VHD,   GPT, LVM2)        XFS)
 *                   VHDX, QCOW2)
 *
 * Each layer only knows the one below it. A cs_bdev is a read-only byte
 * range: the media of a disk image, a partition of it (a window), or an LVM
 * logical volume (extents of one or more physical volumes). Reads are
 * exact-length, bounded by the device size, and every failure names the
 * device and the offset. Nothing here ever writes: image files are opened
 * O_RDONLY|O_NOATIME and the format libraries only in their read modes.
 *
 * Devices are reference counted: a window or a mapped device holds a
 * reference to the devices it reads from, so a file system can outlive the
 * volume list that found it.
 */
#ifndef CS_IMAGE_H
#define CS_IMAGE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/util.h"

typedef struct cs_bdev cs_bdev;

typedef struct cs_bdev_ops {
	/* Reads exactly n bytes at off (off + n <= size is checked by the
	 * caller). Returns 0 or -errno with e filled. May be called from
	 * several threads: backends lock what needs locking. */
	int (*read)(cs_bdev *d, void *buf, size_t n, uint64_t off, cs_error *e);
	void (*close)(cs_bdev *d);
} cs_bdev_ops;

struct cs_bdev {
	const cs_bdev_ops *ops;
	uint64_t size;        /* bytes */
	uint32_t sector_size; /* logical sector size (512 unless known otherwise) */
	char *name;           /* for messages: "disk.E01", "disk.E01 volume 2" */
	int refs;
};

/* Reads exactly n bytes at off. Returns 0; -EIO (with a message naming the
 * device, the offset and the size) when the range is past the end; or the
 * backend's error. */
int cs_bdev_read(cs_bdev *d, void *buf, size_t n, uint64_t off, cs_error *e);
/* Adds a reference; returns d. */
cs_bdev *cs_bdev_ref(cs_bdev *d);
/* Drops a reference; the last one closes the device. NULL is fine. */
void cs_bdev_unref(cs_bdev *d);

/* A window [off, off + size) of parent (a partition). Takes a reference to
 * parent. The window may reach past the parent's end (a partition table
 * that claims more than the image holds): reads there fail with a message.
 * Owned name copied. */
cs_bdev *cs_bdev_window(cs_bdev *parent, uint64_t off, uint64_t size, const char *name);

/* One run of a mapped device: [off, off + len) of the new device is
 * [dev_off, dev_off + len) of dev. */
typedef struct cs_bdev_run {
	uint64_t off, len;
	cs_bdev *dev; /* borrowed by the caller; the mapped device takes a reference */
	uint64_t dev_off;
} cs_bdev_run;

/* A device assembled from runs (an LVM logical volume). Runs need not be
 * sorted; bytes no run covers read as an error naming the offset. Returns
 * NULL (with e filled) when runs overlap. */
cs_bdev *cs_bdev_mapped(const cs_bdev_run *runs, size_t n, uint64_t size, const char *name,
			cs_error *e);

/* A device over n bytes in memory (borrowed: they must outlive it), for
 * tests and fuzzing. */
cs_bdev *cs_bdev_from_memory(const void *buf, size_t n, const char *name);

/* ---- disk images ---- */

/* One file the image is made of, as the examiner received it. */
typedef struct cs_media_file {
	char *path;
	uint64_t size; /* bytes, from fstat at open */
} cs_media_file;

/* What the storage format says about itself (for `partitions`, custody
 * and provenance). */
typedef struct cs_media_info {
	const char *format;   /* "raw", "split raw", "EWF", "VMDK", "VHD", "VHDX", "QCOW" */
	uint64_t media_size;  /* bytes of media the image holds */
	uint32_t sector_size; /* bytes per sector the format records (512 if none) */
	cs_media_file *files; /* every file read, in order (segments, extents) */
	size_t n_files;
	/* EWF only: the hashes the acquisition stored (lowercase hex), or NULL. */
	char *stored_md5;
	char *stored_sha1;
	/* EWF only: acquisition metadata as "key: value" lines (case number,
	 * examiner, acquiry date, ...), or NULL. Evidence text, unescaped. */
	char *metadata;
	/* What the format library found wrong at open (segments corrupted or
	 * truncated), or NULL: reads of the damaged parts fail on their own. */
	char *problem;
} cs_media_info;

typedef struct cs_media {
	cs_bdev *dev; /* the media; owned (one reference) */
	cs_media_info info;
	void *priv; /* backend state for verification */
} cs_media;

/* Opens a disk image read-only. paths holds one file (its format is
 * recognised from its content: EWF E01/Ex01 and its further segments found
 * from the first, VMDK (sparse, stream-optimised, split, flat, with its
 * descriptor), VHD, VHDX, QCOW1/2/3; anything else is raw; a raw name
 * ending in .001 takes .002, .003, ... after it) or several files, which
 * are the pieces of a split raw image in order. Returns 0 and *ret, or
 * -errno with a message naming the file. */
int cs_media_open(const char *const *paths, size_t n, cs_media **ret, cs_error *e);
void cs_media_close(cs_media *img);

/* Reads every byte of media in order, for hashing: calls fn with each piece
 * (at most 1 MiB). Damage (an EWF chunk whose checksum fails, a truncated
 * segment) is reported through bad() with the media offset and length and
 * reading goes on (the damaged bytes are handed to fn as the library
 * returned them, zeros for EWF). Returns 0, a negative errno that fn
 * returned, or -errno when reading stopped. Bounded memory. */
int cs_media_read_all(cs_media *img, int (*fn)(void *ud, const void *buf, size_t n),
		      void (*bad)(void *ud, uint64_t off, uint64_t len, const char *msg), void *ud,
		      cs_error *e);

/* Reads the i-th file the image is made of, as received (not through its
 * format), calling fn with each piece. For the files' own hashes. Returns
 * 0, fn's negative return, or -errno. */
int cs_media_read_file(const cs_media *img, size_t i, int (*fn)(void *ud, const void *buf, size_t n),
		       void *ud, cs_error *e);

/* A short description of which format libraries this build reads with
 * ("libewf 20140813, libvmdk 20200926, ..."). Static. */
const char *cs_media_backends(void);

#endif
