/* image_internal.h - what the storage-format backends share (not public). */
#ifndef CS_IMAGE_INTERNAL_H
#define CS_IMAGE_INTERNAL_H

#include "evidence/image.h"

/* Sets up a device: one reference, sector size 512, name copied. */
void cs_bdev_init(cs_bdev *d, const cs_bdev_ops *ops, uint64_t size, const char *name);
/* Opens an evidence file read-only (O_NOATIME when permitted); regular
 * files and block devices only. Returns the fd and its size, or -errno. */
int cs_open_evidence_file(const char *path, uint64_t *ret_size, cs_error *e);
/* pread until n bytes; -ENODATA at an early end of file, or -errno. */
int cs_pread_full(int fd, void *buf, size_t n, uint64_t off);
/* The base name of the image's first file, for messages. Owned. */
char *cs_media_display_name(const cs_media_info *info);
void cs_media_info_add_file(cs_media_info *info, const char *path, uint64_t size);

/* Format-library backends (image_yal.c): each fills img->dev and img->info. */
int cs_media_open_ewf(cs_media *img, const char *first, cs_error *e);
int cs_media_open_vmdk(cs_media *img, const char *path, cs_error *e);
int cs_media_open_vhdi(cs_media *img, const char *path, bool vhdx, cs_error *e);
int cs_media_open_qcow(cs_media *img, const char *path, cs_error *e);

/* EWF: the device ops (to recognise an EWF device) and a read that hands
 * back what the library decoded even for chunks whose checksum fails,
 * reporting each such chunk through bad(). */
const cs_bdev_ops *cs_ewf_ops(void);
int cs_ewf_read_lenient(cs_bdev *d, void *buf, size_t n, uint64_t off,
			void (*bad)(void *ud, uint64_t off, uint64_t len, const char *msg), void *ud,
			cs_error *e);

#endif
