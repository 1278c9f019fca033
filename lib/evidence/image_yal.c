/* image_yal.c - storage formats read with the libyal libraries: EWF
 * (libewf), VMDK (libvmdk), VHD and VHDX (libvhdi), QCOW (libqcow).
 *
 * Each library is opened in its read-only mode and never asked to write.
 * Their handles are not safe for concurrent use, so each device serialises
 * its reads with a mutex (the FUSE view reads from several threads).
 *
 * EWF damage. A chunk whose Adler-32 does not match is still decoded by
 * libewf, which records it in its list of checksum errors. A normal read
 * that touches such a chunk fails with a message naming the image and the
 * media offset (the file that needed the chunk is the only casualty);
 * cs_ewf_read_lenient() hands the bytes back and reports the range, which
 * is what verification needs.
 */
#include "evidence/image.h"
#include "evidence/image_internal.h"

#include <libewf.h>
#include <libqcow.h>
#include <libvhdi.h>
#include <libvmdk.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* ---- EWF ---- */

typedef struct ewf_dev {
	cs_bdev base;
	pthread_mutex_t lock;
	libewf_handle_t *h;
	uint32_t n_errors; /* checksum errors already known */
	uint32_t bytes_per_sector;
} ewf_dev;

static void ewf_msg(libewf_error_t **err, char *buf, size_t size)
{
	buf[0] = '\0';
	if (err && *err) {
		libewf_error_sprint(*err, buf, size);
		libewf_error_free(err);
	}
	/* the library's message may hold several lines: keep the last */
	char *nl;
	while ((nl = strrchr(buf, '\n')) && nl[1] == '\0')
		*nl = '\0';
	if ((nl = strrchr(buf, '\n')))
		memmove(buf, nl + 1, strlen(nl + 1) + 1);
}

/* The checksum errors libewf has recorded that overlap [off, off + n):
 * returns the first one's range in ret_off and ret_len. */
static bool ewf_new_errors(ewf_dev *d, uint64_t off, uint64_t n, uint64_t *ret_off, uint64_t *ret_len,
			   bool *ret_more)
{
	uint32_t count = 0;
	libewf_error_t *err = NULL;
	bool found = false;
	*ret_more = false;
	if (libewf_handle_get_number_of_checksum_errors(d->h, &count, &err) != 1) {
		libewf_error_free(&err);
		return false;
	}
	for (uint32_t i = d->n_errors; i < count; i++) {
		uint64_t start = 0, sectors = 0;
		if (libewf_handle_get_checksum_error(d->h, i, &start, &sectors, &err) != 1) {
			libewf_error_free(&err);
			continue;
		}
		uint64_t bo = start * d->bytes_per_sector, bl = sectors * d->bytes_per_sector;
		if (bo < off + n && off < bo + bl) {
			if (!found) {
				*ret_off = bo;
				*ret_len = bl;
				found = true;
			} else {
				*ret_more = true;
			}
		}
	}
	/* keep the list: a later read of the same chunk must fail again, and
	 * libewf records a chunk once; so remember nothing and re-scan */
	return found;
}

static int ewf_read_locked(ewf_dev *d, void *buf, size_t n, uint64_t off, cs_error *e)
{
	libewf_error_t *err = NULL;
	char *p = buf;
	while (n > 0) {
		ssize_t r = libewf_handle_read_random(d->h, p, n, (off64_t)off, &err);
		if (r <= 0) {
			char msg[512];
			ewf_msg(&err, msg, sizeof(msg));
			return cs_err(e, -EIO, "%s: EWF read of %zu bytes at media offset %llu failed%s%s",
				      d->base.name, n, (unsigned long long)off, *msg ? ": " : "", msg);
		}
		p += r;
		off += (uint64_t)r;
		n -= (size_t)r;
	}
	return 0;
}

static int ewf_read(cs_bdev *bd, void *buf, size_t n, uint64_t off, cs_error *e)
{
	ewf_dev *d = (ewf_dev *)bd;
	pthread_mutex_lock(&d->lock);
	int r = ewf_read_locked(d, buf, n, off, e);
	uint64_t bo, bl;
	bool more;
	if (r == 0 && ewf_new_errors(d, off, n, &bo, &bl, &more))
		r = cs_err(e, -EIO,
			   "%s: EWF chunk at media offset %llu (%llu bytes) fails its checksum%s",
			   bd->name, (unsigned long long)bo, (unsigned long long)bl,
			   more ? " (and more chunks in this range)" : "");
	pthread_mutex_unlock(&d->lock);
	return r;
}

static void ewf_close(cs_bdev *bd)
{
	ewf_dev *d = (ewf_dev *)bd;
	libewf_error_t *err = NULL;
	libewf_handle_close(d->h, &err);
	libewf_error_free(&err);
	libewf_handle_free(&d->h, &err);
	libewf_error_free(&err);
	pthread_mutex_destroy(&d->lock);
	free(bd->name);
	free(d);
}

static const cs_bdev_ops ewf_dev_ops = {.read = ewf_read, .close = ewf_close};

const cs_bdev_ops *cs_ewf_ops(void)
{
	return &ewf_dev_ops;
}

int cs_ewf_read_lenient(cs_bdev *bd, void *buf, size_t n, uint64_t off,
			void (*bad)(void *ud, uint64_t off, uint64_t len, const char *msg), void *ud,
			cs_error *e)
{
	ewf_dev *d = (ewf_dev *)bd;
	if (off > bd->size || n > bd->size - off)
		return cs_err(e, -EIO, "%s: read past the end", bd->name);
	pthread_mutex_lock(&d->lock);
	uint32_t before = 0, after = 0;
	libewf_error_t *err = NULL;
	if (libewf_handle_get_number_of_checksum_errors(d->h, &before, &err) != 1)
		libewf_error_free(&err);
	int r = ewf_read_locked(d, buf, n, off, e);
	if (libewf_handle_get_number_of_checksum_errors(d->h, &after, &err) != 1)
		libewf_error_free(&err);
	for (uint32_t i = before; r == 0 && i < after && bad; i++) {
		uint64_t start = 0, sectors = 0;
		if (libewf_handle_get_checksum_error(d->h, i, &start, &sectors, &err) != 1) {
			libewf_error_free(&err);
			continue;
		}
		char msg[256];
		snprintf(msg, sizeof(msg), "%s: EWF chunk at media offset %llu (%llu bytes) fails its checksum",
			 bd->name, (unsigned long long)(start * d->bytes_per_sector),
			 (unsigned long long)(sectors * d->bytes_per_sector));
		bad(ud, start * d->bytes_per_sector, sectors * d->bytes_per_sector, msg);
	}
	pthread_mutex_unlock(&d->lock);
	return r;
}

static char *hexdup(const uint8_t *b, size_t n)
{
	char *s = cs_xmalloc(2 * n + 1);
	for (size_t i = 0; i < n; i++)
		snprintf(s + 2 * i, 3, "%02x", b[i]);
	return s;
}

static void ewf_metadata(ewf_dev *d, cs_media_info *info)
{
	static const struct {
		const char *id, *label;
	} keys[] = {
		{"case_number", "Case number"},
		{"evidence_number", "Evidence number"},
		{"description", "Description"},
		{"examiner_name", "Examiner"},
		{"notes", "Notes"},
		{"acquiry_date", "Acquired"},
		{"system_date", "System date"},
		{"acquiry_operating_system", "Acquisition OS"},
		{"acquiry_software", "Acquisition software"},
		{"acquiry_software_version", "Acquisition software version"},
		{"model", "Model"},
		{"serial_number", "Serial number"},
	};
	cs_buf b = {.max = 64 << 10};
	for (size_t i = 0; i < CS_ARRAY_SIZE(keys); i++) {
		uint8_t v[1024];
		libewf_error_t *err = NULL;
		int r = libewf_handle_get_utf8_header_value(d->h, (const uint8_t *)keys[i].id,
							    strlen(keys[i].id), v, sizeof(v), &err);
		libewf_error_free(&err);
		if (r == 1 && v[0])
			cs_buf_printf(&b, "%s: %s\n", keys[i].label, (char *)v);
	}
	if (b.len)
		info->metadata = cs_buf_steal(&b);
	cs_buf_free(&b);
}

int cs_media_open_ewf(cs_media *img, const char *first, cs_error *e)
{
	libewf_error_t *err = NULL;
	char **names = NULL;
	int n = 0;
	char msg[512];
	if (libewf_glob(first, strlen(first), LIBEWF_FORMAT_UNKNOWN, &names, &n, &err) != 1) {
		ewf_msg(&err, msg, sizeof(msg));
		return cs_err(e, -EIO, "image `%s`: cannot find its EWF segment files: %s", first, msg);
	}
	ewf_dev *d = cs_xcalloc(1, sizeof(*d));
	pthread_mutex_init(&d->lock, NULL);
	if (libewf_handle_initialize(&d->h, &err) != 1 ||
	    libewf_handle_open(d->h, names, n, LIBEWF_OPEN_READ, &err) != 1) {
		ewf_msg(&err, msg, sizeof(msg));
		if (d->h)
			libewf_handle_free(&d->h, NULL);
		pthread_mutex_destroy(&d->lock);
		free(d);
		int r = cs_err(e, -EIO, "image `%s` (EWF, %d segment file%s): %s", first, n,
			       n == 1 ? "" : "s", *msg ? msg : "cannot be opened");
		libewf_glob_free(names, n, NULL);
		return r;
	}
	for (int i = 0; i < n; i++) {
		uint64_t size = 0;
		int fd = cs_open_evidence_file(names[i], &size, NULL);
		if (fd >= 0)
			close(fd);
		cs_media_info_add_file(&img->info, names[i], size);
	}
	libewf_glob_free(names, n, &err);
	libewf_error_free(&err);
	size64_t size = 0;
	uint32_t bps = 512;
	if (libewf_handle_get_media_size(d->h, &size, &err) != 1)
		libewf_error_free(&err);
	if (libewf_handle_get_bytes_per_sector(d->h, &bps, &err) != 1 || bps == 0) {
		libewf_error_free(&err);
		bps = 512;
	}
	d->bytes_per_sector = bps;
	_cleanup_free_ char *name = cs_media_display_name(&img->info);
	cs_bdev_init(&d->base, &ewf_dev_ops, size, name);
	d->base.sector_size = bps;
	img->dev = &d->base;
	img->info.format = "EWF";
	img->info.media_size = size;
	img->info.sector_size = bps;
	uint8_t md5[16], sha1[20];
	if (libewf_handle_get_md5_hash(d->h, md5, sizeof(md5), &err) == 1)
		img->info.stored_md5 = hexdup(md5, sizeof(md5));
	libewf_error_free(&err);
	if (libewf_handle_get_sha1_hash(d->h, sha1, sizeof(sha1), &err) == 1)
		img->info.stored_sha1 = hexdup(sha1, sizeof(sha1));
	libewf_error_free(&err);
	ewf_metadata(d, &img->info);
	if (libewf_handle_segment_files_corrupted(d->h, &err) == 1)
		img->info.problem = cs_xasprintf(
			"its segment files are corrupted or truncated (%d segment file%s): the damaged chunks "
			"read as errors%s", n, n == 1 ? "" : "s",
			img->info.stored_md5 || img->info.stored_sha1 ? "" : ", and the stored hashes are lost");
	libewf_error_free(&err);
	return 0;
}

/* ---- VMDK, VHD/VHDX, QCOW: one shape, three libraries ---- */

#define YAL_MSG(lib, err, buf)                                          \
	do {                                                            \
		(buf)[0] = '\0';                                        \
		if (err) {                                              \
			lib##_error_sprint(err, buf, sizeof(buf));      \
			lib##_error_free(&(err));                       \
		}                                                       \
		char *nl_;                                              \
		while ((nl_ = strrchr(buf, '\n')) && nl_[1] == '\0')    \
			*nl_ = '\0';                                    \
		if ((nl_ = strrchr(buf, '\n')))                         \
			memmove(buf, nl_ + 1, strlen(nl_ + 1) + 1);     \
	} while (0)

typedef struct yal_dev {
	cs_bdev base;
	pthread_mutex_t lock;
	int kind; /* 0 vmdk, 1 vhdi, 2 qcow */
	void *h;
} yal_dev;

static int yal_read(cs_bdev *bd, void *buf, size_t n, uint64_t off, cs_error *e)
{
	yal_dev *d = (yal_dev *)bd;
	char *p = buf;
	char msg[512] = "";
	int r = 0;
	pthread_mutex_lock(&d->lock);
	while (n > 0) {
		ssize_t k;
		if (d->kind == 0) {
			libvmdk_error_t *err = NULL;
			k = libvmdk_handle_read_buffer_at_offset(d->h, p, n, (off64_t)off, &err);
			if (k <= 0)
				YAL_MSG(libvmdk, err, msg);
		} else if (d->kind == 1) {
			libvhdi_error_t *err = NULL;
			k = libvhdi_file_read_buffer_at_offset(d->h, p, n, (off64_t)off, &err);
			if (k <= 0)
				YAL_MSG(libvhdi, err, msg);
		} else {
			libqcow_error_t *err = NULL;
			k = libqcow_file_read_buffer_at_offset(d->h, p, n, (off64_t)off, &err);
			if (k <= 0)
				YAL_MSG(libqcow, err, msg);
		}
		if (k <= 0) {
			r = cs_err(e, -EIO, "%s: read of %zu bytes at media offset %llu failed%s%s",
				   bd->name, n, (unsigned long long)off, *msg ? ": " : "", msg);
			break;
		}
		p += k;
		off += (uint64_t)k;
		n -= (size_t)k;
	}
	pthread_mutex_unlock(&d->lock);
	return r;
}

static void yal_close(cs_bdev *bd)
{
	yal_dev *d = (yal_dev *)bd;
	if (d->kind == 0) {
		libvmdk_handle_t *h = d->h;
		libvmdk_handle_close(h, NULL);
		libvmdk_handle_free(&h, NULL);
	} else if (d->kind == 1) {
		libvhdi_file_t *h = d->h;
		libvhdi_file_close(h, NULL);
		libvhdi_file_free(&h, NULL);
	} else {
		libqcow_file_t *h = d->h;
		libqcow_file_close(h, NULL);
		libqcow_file_free(&h, NULL);
	}
	pthread_mutex_destroy(&d->lock);
	free(bd->name);
	free(d);
}

static const cs_bdev_ops yal_ops = {.read = yal_read, .close = yal_close};

static void yal_finish(cs_media *img, yal_dev *d, const char *path, uint64_t media, const char *format)
{
	uint64_t fsize = 0;
	int fd = cs_open_evidence_file(path, &fsize, NULL);
	if (fd >= 0)
		close(fd);
	cs_media_info_add_file(&img->info, path, fsize);
	pthread_mutex_init(&d->lock, NULL);
	_cleanup_free_ char *name = cs_media_display_name(&img->info);
	cs_bdev_init(&d->base, &yal_ops, media, name);
	img->dev = &d->base;
	img->info.format = format;
	img->info.media_size = media;
	img->info.sector_size = 512;
}

int cs_media_open_vmdk(cs_media *img, const char *path, cs_error *e)
{
	libvmdk_error_t *err = NULL;
	libvmdk_handle_t *h = NULL;
	char msg[512];
	_cleanup_free_ char *dir = cs_xstrdup(path);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else {
		free(dir);
		dir = cs_xstrdup(".");
	}
	if (libvmdk_handle_initialize(&h, &err) != 1 ||
	    libvmdk_handle_open(h, path, LIBVMDK_OPEN_READ, &err) != 1 ||
	    libvmdk_handle_set_extent_data_files_path(h, dir, strlen(dir), &err) != 1 ||
	    libvmdk_handle_open_extent_data_files(h, &err) != 1) {
		YAL_MSG(libvmdk, err, msg);
		if (h) {
			libvmdk_handle_close(h, NULL);
			libvmdk_handle_free(&h, NULL);
		}
		return cs_err(e, -EIO, "image `%s` (VMDK): %s", path, *msg ? msg : "cannot be opened");
	}
	uint32_t parent = 0xffffffffU;
	if (libvmdk_handle_get_parent_content_identifier(h, &parent, &err) != 1)
		libvmdk_error_free(&err);
	if (parent != 0xffffffffU) {
		libvmdk_handle_close(h, NULL);
		libvmdk_handle_free(&h, NULL);
		return cs_err(e, -EMEDIUMTYPE,
			      "image `%s` (VMDK) is a delta (snapshot) disk: it holds only the changes "
			      "to a parent disk, which is not read", path);
	}
	size64_t media = 0;
	if (libvmdk_handle_get_media_size(h, &media, &err) != 1)
		libvmdk_error_free(&err);
	yal_dev *d = cs_xcalloc(1, sizeof(*d));
	d->kind = 0;
	d->h = h;
	yal_finish(img, d, path, media, "VMDK");
	return 0;
}

int cs_media_open_vhdi(cs_media *img, const char *path, bool vhdx, cs_error *e)
{
	libvhdi_error_t *err = NULL;
	libvhdi_file_t *h = NULL;
	char msg[512];
	const char *what = vhdx ? "VHDX" : "VHD";
	if (libvhdi_file_initialize(&h, &err) != 1 || libvhdi_file_open(h, path, LIBVHDI_OPEN_READ, &err) != 1) {
		YAL_MSG(libvhdi, err, msg);
		if (h)
			libvhdi_file_free(&h, NULL);
		return cs_err(e, -EIO, "image `%s` (%s): %s", path, what, *msg ? msg : "cannot be opened");
	}
	uint32_t type = 0;
	if (libvhdi_file_get_disk_type(h, &type, &err) != 1)
		libvhdi_error_free(&err);
	if (type == LIBVHDI_DISK_TYPE_DIFFERENTIAL) {
		libvhdi_file_close(h, NULL);
		libvhdi_file_free(&h, NULL);
		return cs_err(e, -EMEDIUMTYPE,
			      "image `%s` (%s) is a differencing disk: it holds only the changes to a "
			      "parent image, which is not read", path, what);
	}
	size64_t media = 0;
	if (libvhdi_file_get_media_size(h, &media, &err) != 1)
		libvhdi_error_free(&err);
	yal_dev *d = cs_xcalloc(1, sizeof(*d));
	d->kind = 1;
	d->h = h;
	yal_finish(img, d, path, media, what);
	return 0;
}

int cs_media_open_qcow(cs_media *img, const char *path, cs_error *e)
{
	libqcow_error_t *err = NULL;
	libqcow_file_t *h = NULL;
	char msg[512];
	if (libqcow_file_initialize(&h, &err) != 1 || libqcow_file_open(h, path, LIBQCOW_OPEN_READ, &err) != 1) {
		YAL_MSG(libqcow, err, msg);
		if (h)
			libqcow_file_free(&h, NULL);
		return cs_err(e, -EIO, "image `%s` (QCOW): %s", path, *msg ? msg : "cannot be opened");
	}
	/* a backing file holds what this image does not: refuse rather than
	 * show its clusters as zeros */
	uint64_t fsize = 0;
	unsigned char hdr[24] = {0};
	int fd = cs_open_evidence_file(path, &fsize, NULL);
	if (fd >= 0) {
		if (cs_pread_full(fd, hdr, sizeof(hdr), 0) < 0)
			memset(hdr, 0, sizeof(hdr));
		close(fd);
	}
	uint64_t backing = 0;
	for (int i = 8; i < 16; i++)
		backing = backing << 8 | hdr[i];
	/* QCOW2/3 with 512-byte clusters (cluster_bits 9, which QEMU allows but
	 * never makes by default): Debian 12's libqcow reads past its cluster
	 * buffer on them (found by fuzz_disk), so they are refused rather than
	 * risk a read out of bounds on hostile evidence */
	uint32_t version = (uint32_t)hdr[4] << 24 | (uint32_t)hdr[5] << 16 | (uint32_t)hdr[6] << 8 | hdr[7];
	uint32_t cbits = (uint32_t)hdr[20] << 24 | (uint32_t)hdr[21] << 16 | (uint32_t)hdr[22] << 8 | hdr[23];
	if (version >= 2 && cbits < 12) {
		libqcow_file_close(h, NULL);
		libqcow_file_free(&h, NULL);
		return cs_err(e, -EMEDIUMTYPE,
			      "image `%s` (QCOW%u) has %u-byte clusters, which the QCOW library on this system "
			      "reads past its buffers: not read (convert it with qemu-img convert -O raw)",
			      path, version, cbits < 32 ? 1u << cbits : 0u);
	}
	if (backing != 0) {
		libqcow_file_close(h, NULL);
		libqcow_file_free(&h, NULL);
		return cs_err(e, -EMEDIUMTYPE,
			      "image `%s` (QCOW) has a backing file: it holds only the changes to "
			      "another image, which is not read", path);
	}
	uint32_t enc = 0;
	if (libqcow_file_get_encryption_method(h, &enc, &err) != 1)
		libqcow_error_free(&err);
	if (enc != 0) {
		libqcow_file_close(h, NULL);
		libqcow_file_free(&h, NULL);
		return cs_err(e, -EMEDIUMTYPE, "image `%s` (QCOW) is encrypted", path);
	}
	size64_t media = 0;
	if (libqcow_file_get_media_size(h, &media, &err) != 1)
		libqcow_error_free(&err);
	yal_dev *d = cs_xcalloc(1, sizeof(*d));
	d->kind = 2;
	d->h = h;
	yal_finish(img, d, path, media, "QCOW");
	return 0;
}

const char *cs_media_backends(void)
{
	static char buf[256];
	if (!buf[0])
		snprintf(buf, sizeof(buf), "libewf %s, libvmdk %s, libvhdi %s, libqcow %s",
			 libewf_get_version(), libvmdk_get_version(), libvhdi_get_version(),
			 libqcow_get_version());
	return buf;
}
