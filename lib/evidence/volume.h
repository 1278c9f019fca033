/* volume.h - the volume layer: partitions (MBR, GPT) and LVM2 logical
 * volumes of a disk image, and what each volume holds.
 *
 * cs_vols_scan() reads the partition table of a device (GPT first, with
 * its backup when the primary fails its CRC; else MBR with its extended
 * partitions; else the whole device is one volume), then every LVM2
 * physical volume it finds, and assembles the logical volumes of each
 * volume group. Every volume is probed for a file system signature, label
 * and UUID (ext2/3/4, XFS; swap, LUKS, FAT, NTFS and btrfs are recognised
 * but not read).
 *
 * The parsers are hand-written (decoding little-endian byte arrays, every
 * count and offset bounded) because the volume layer must read through any
 * storage format (an E01, a QCOW2), which the system's partition libraries
 * (libfdisk, libblkid) cannot: they want a file descriptor of a disk.
 * Damage costs only what it touches: an entry past the end of the disk or
 * overlapping another is kept and reported; a GPT whose primary header or
 * entry array fails its CRC is read from its backup, and the diagnostics
 * say so; an LVM metadata area that fails its checksum is skipped for
 * another copy.
 */
#ifndef CS_VOLUME_H
#define CS_VOLUME_H

#include <stddef.h>
#include <stdint.h>

#include "base/util.h"
#include "evidence/image.h"

typedef struct cs_vol {
	char *id;         /* what --partition takes: "1", "5", "vg0/root"; "0" is a whole device */
	const char *scheme; /* "MBR", "GPT", "LVM2", or "none" (no partition table) */
	uint64_t offset;  /* bytes from the start of the image; 0 for a logical volume */
	uint64_t size;    /* bytes */
	char *type;       /* partition type ("0x83 Linux", "Linux filesystem"), "linear LV", ... */
	char *name;       /* GPT partition name, LV name; or NULL */
	char *parent;     /* for a logical volume: the volumes holding it ("2"); else NULL */
	/* What it holds (from its first bytes), or NULL when unknown. */
	const char *fs;   /* "ext2", "ext3", "ext4", "xfs", "swap", "LVM2_member", "crypto_LUKS", ... */
	char *label;
	char *uuid;       /* lowercase, with dashes, as /etc/fstab's UUID= writes it */
	char *partuuid;   /* what fstab's PARTUUID= names: the GPT entry's GUID, or
			   * the MBR disk signature and number ("1b2c3d4e-02"); or NULL */
	cs_bdev *dev;     /* owned reference; NULL for a volume that cannot be read (an
			   * unsupported LV segment type) */
	char *problem;    /* why it cannot be read or is damaged, or NULL */
} cs_vol;

typedef struct cs_vols {
	cs_vol *v;
	size_t n;
	const char *scheme; /* of the disk: "GPT", "MBR" or "none" */
} cs_vols;

/* Reads the volumes of disk. Problems (overlaps, out-of-range entries, CRC
 * failures, unreadable metadata) go to diag as warnings naming the image
 * and the offset; notes say which copy was used. Returns 0 (even when there
 * is no partition table: one volume "0" then stands for the whole disk),
 * or -errno when the disk cannot be read at all. */
int cs_vols_scan(cs_bdev *disk, cs_diag_fn diag, void *ud, cs_vols *ret, cs_error *e);
void cs_vols_clear(cs_vols *v);

/* Finds a volume by id ("2", "vg0/root", "vg0-root" or an LV's name when
 * unique). Returns NULL when none. */
const cs_vol *cs_vols_find(const cs_vols *v, const char *id);

/* Probes a device's first bytes for a file system or volume signature:
 * fills *fs (static string or NULL), *label and *uuid (owned or NULL). */
void cs_vol_probe(cs_bdev *dev, const char **fs, char **label, char **uuid);

/* ---- parsers exposed for unit tests and fuzzing ---- */

/* Parses a partition table from the first bytes of a disk held in memory
 * (buf, n bytes, the disk being disk_size bytes of sector_size sectors;
 * data past n reads as absent). Fills out (volumes without devices).
 * Returns 0 or -errno. */
int cs_parttable_parse_mem(const uint8_t *buf, size_t n, uint64_t disk_size, uint32_t sector_size,
			   cs_diag_fn diag, void *ud, cs_vols *out);

/* A parsed LVM2 metadata text (the volume group). */
typedef struct cs_lvm_stripe {
	char *pv;          /* "pv0" */
	uint64_t extent;   /* first physical extent on that PV */
} cs_lvm_stripe;
typedef struct cs_lvm_segment {
	uint64_t start_extent, extent_count;
	char *type;        /* "striped", "thin", "raid1", ... */
	uint64_t stripe_size; /* sectors, for stripe_count > 1 */
	cs_lvm_stripe *stripes;
	size_t n_stripes;
} cs_lvm_segment;
typedef struct cs_lvm_lv {
	char *name, *id;
	bool visible;
	cs_lvm_segment *segs;
	size_t n_segs;
} cs_lvm_lv;
typedef struct cs_lvm_pv {
	char *name;        /* "pv0" */
	char *id;          /* without dashes, as the label stores it */
	char *device;      /* as the host knew it ("/dev/sda2"), or NULL */
	uint64_t pe_start; /* sectors */
	uint64_t pe_count;
} cs_lvm_pv;
typedef struct cs_lvm_vg {
	char *name, *id;
	uint64_t seqno;
	uint64_t extent_size; /* sectors */
	cs_lvm_pv *pvs;
	size_t n_pvs;
	cs_lvm_lv *lvs;
	size_t n_lvs;
} cs_lvm_vg;

/* Parses LVM2 metadata text (n bytes, need not be NUL-terminated).
 * Returns 0 and *ret, or -EINVAL with a message naming the line. */
int cs_lvm_parse_metadata(const char *text, size_t n, cs_lvm_vg *ret, cs_error *e);
void cs_lvm_vg_clear(cs_lvm_vg *vg);

/* Reads LVM2 physical volumes among vols and appends their logical
 * volumes (lvm.c). */
void cs_lvm_scan(cs_vols *vols, cs_diag_fn diag, void *ud);

#endif
