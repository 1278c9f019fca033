/* disk.h - a seized disk image as a host: its volumes, which of them holds
 * the root file system, where the host's fstab mounted the others, and
 * which hold container engine data.
 *
 * cs_disk_open() opens the image (image.h) and reads its volumes
 * (volume.h). cs_disk_source() then builds the evidence source commands
 * read: one volume's file system (--partition), or, without one, the host
 * as it booted: the volume whose file system has etc/os-release is the
 * root, and every other volume its etc/fstab mounts (by UUID=, LABEL=,
 * PARTUUID=, PARTLABEL=, /dev/disk/by-*, /dev/mapper/VG-LV, /dev/VG/LV or
 * a partition device name) is put at its mount point, so that a separate
 * /var or /var/lib/docker is where the engines' configuration says. The
 * result behaves exactly as --sysroot on the mounted host would.
 *
 * Nothing is mounted and nothing is written: every read goes through the
 * image's format, the volume map and the file system readers.
 */
#ifndef CS_DISK_H
#define CS_DISK_H

#include <stdbool.h>
#include <stddef.h>

#include "evidence/fsys.h"
#include "evidence/image.h"
#include "evidence/source.h"
#include "evidence/volume.h"

typedef struct cs_disk cs_disk;

typedef struct cs_disk_opts {
	cs_diag_fn diag; /* partition-table, LVM and file system problems; may be NULL */
	void *diag_userdata;
} cs_disk_opts;

/* Opens an image (see cs_media_open) and reads its volumes. Returns 0 and
 * *ret, or -errno when the image cannot be read at all. */
int cs_disk_open(const char *const *paths, size_t n, const cs_disk_opts *o, cs_disk **ret, cs_error *e);
void cs_disk_close(cs_disk *d);

cs_media *cs_disk_image(const cs_disk *d);
const cs_vols *cs_disk_volumes(const cs_disk *d);

/* One file system of the host tree a source was built from. */
typedef struct cs_disk_mount {
	char *path;   /* "/" or the mount point ("/var") */
	char *volume; /* the volume id ("1", "vg0/var") */
	char *spec;   /* the fstab spec that named it, or NULL for the root */
	const char *fs; /* "ext4", "xfs" */
} cs_disk_mount;

typedef struct cs_disk_host {
	char *os;        /* PRETTY_NAME from os-release, or NULL */
	cs_disk_mount *mounts; /* the root first */
	size_t n_mounts;
} cs_disk_host;

/* Builds the source. With partition (a volume id, see cs_vols_find):
 * that volume's file system alone. Without: the host as its fstab mounted
 * it (see above); *ret_host (if non-NULL) then describes what was used
 * (owned; free with cs_disk_host_free). root_path (NULL or "") makes the
 * source relative to a directory inside the tree (--root's or --sysroot's
 * path). Returns 0 and *ret, or -errno with a message that lists the
 * volumes when no root file system is found. */
int cs_disk_source(cs_disk *d, const char *partition, const char *root_path, cs_source **ret,
		   cs_disk_host *ret_host, cs_error *e);
void cs_disk_host_free(cs_disk_host *h);

/* What a volume holds, for `partitions`. */
typedef struct cs_disk_volinfo {
	const cs_vol *vol;
	bool readable;       /* holds a file system csleuth reads */
	char *problem;       /* why it cannot be read, or NULL */
	bool root;           /* holds a root file system (etc/os-release) */
	bool host_root;      /* the one discovery chose */
	char *os;            /* its PRETTY_NAME, when root */
	char *mounted_at;    /* where the host's fstab mounts it, or NULL */
	char *fstab_spec;    /* the fstab spec that named it, or NULL */
	char **engine_data;  /* "Docker data root /var/lib/docker", NULL-terminated, or NULL */
} cs_disk_volinfo;

/* Surveys every volume: opens each file system, looks for a root file
 * system, applies the chosen root's fstab, and asks every engine reader
 * where its data would be and whether it is there. Returns 0 and an owned
 * array (free with cs_disk_volinfo_free). */
int cs_disk_survey(cs_disk *d, cs_disk_volinfo **ret, size_t *ret_n, cs_error *e);
void cs_disk_volinfo_free(cs_disk_volinfo *v, size_t n);

/* The survey as a JSON object {"image": {...}, "scheme": ..., "volumes":
 * [...]} (see csleuth-partitions(1)). Owned, valid UTF-8. */
char *cs_disk_survey_json(const cs_disk *d, const cs_disk_volinfo *v, size_t n);

/* ---- triage archives ---- */

/* Opens a triage archive (tar, tar.gz/.zst/.xz/.bz2, zip) as a source: its
 * members are indexed once and then read at random (evidence/fs_archive.c).
 * root_path (NULL: found automatically) is the directory inside the archive
 * that the source is relative to. When it is NULL the top is found by
 * descending through a collector's wrapper directories (one directory and
 * nothing else that matters) until a directory holds etc/ or var/ (a host
 * tree: *ret_sysroot set) or an engine bids on it (a data root: cleared);
 * *ret_top receives the path chosen ("" for the archive's top), owned.
 * Returns 0 and *ret, or -errno. */
int cs_archive_source(const char *path, const char *root_path, const cs_disk_opts *o, cs_source **ret,
		      char **ret_top, bool *ret_sysroot, cs_error *e);

#endif
