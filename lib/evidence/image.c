/* image.c - devices (windows, mapped runs), raw and split raw images, and
 * recognising an image's storage format from its first bytes.
 *
 * The format-library backends (EWF, VMDK, VHD/VHDX, QCOW) live in
 * image_yal.c; this file decides which one reads a file. Recognition looks
 * at content, never at the name (a seized E01 renamed .bin is still EWF),
 * except for the one convention raw images have: pieces named .001, .002.
 */
#include "evidence/image.h"
#include "evidence/image_internal.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int cs_bdev_read(cs_bdev *d, void *buf, size_t n, uint64_t off, cs_error *e)
{
	if (n == 0)
		return 0;
	if (off > d->size || n > d->size - off)
		return cs_err(e, -EIO, "%s: read of %zu bytes at offset %llu is past its end (%llu bytes)",
			      d->name, n, (unsigned long long)off, (unsigned long long)d->size);
	return d->ops->read(d, buf, n, off, e);
}

cs_bdev *cs_bdev_ref(cs_bdev *d)
{
	__atomic_add_fetch(&d->refs, 1, __ATOMIC_SEQ_CST);
	return d;
}

void cs_bdev_unref(cs_bdev *d)
{
	if (!d)
		return;
	if (__atomic_sub_fetch(&d->refs, 1, __ATOMIC_SEQ_CST) == 0)
		d->ops->close(d);
}

void cs_bdev_init(cs_bdev *d, const cs_bdev_ops *ops, uint64_t size, const char *name)
{
	d->ops = ops;
	d->size = size;
	d->sector_size = 512;
	d->name = cs_xstrdup(name);
	d->refs = 1;
}

/* ---- windows ---- */

typedef struct window {
	cs_bdev base;
	cs_bdev *parent;
	uint64_t off;
} window;

static int window_read(cs_bdev *d, void *buf, size_t n, uint64_t off, cs_error *e)
{
	window *w = (window *)d;
	uint64_t poff = w->off + off;
	if (poff < w->off || poff > w->parent->size || n > w->parent->size - poff)
		return cs_err(e, -EIO,
			      "%s: offset %llu (image offset %llu) is past the end of %s (%llu bytes): "
			      "the image is truncated or the volume reaches beyond it",
			      d->name, (unsigned long long)off, (unsigned long long)poff,
			      w->parent->name, (unsigned long long)w->parent->size);
	return cs_bdev_read(w->parent, buf, n, poff, e);
}

static void window_close(cs_bdev *d)
{
	window *w = (window *)d;
	cs_bdev_unref(w->parent);
	free(d->name);
	free(w);
}

static const cs_bdev_ops window_ops = {.read = window_read, .close = window_close};

cs_bdev *cs_bdev_window(cs_bdev *parent, uint64_t off, uint64_t size, const char *name)
{
	window *w = cs_xcalloc(1, sizeof(*w));
	cs_bdev_init(&w->base, &window_ops, size, name);
	w->base.sector_size = parent->sector_size;
	w->parent = cs_bdev_ref(parent);
	w->off = off;
	return &w->base;
}

/* ---- memory ---- */

typedef struct mem_dev {
	cs_bdev base;
	const uint8_t *buf;
} mem_dev;

static int mem_read(cs_bdev *d, void *buf, size_t n, uint64_t off, cs_error *e)
{
	(void)e;
	memcpy(buf, ((mem_dev *)d)->buf + off, n);
	return 0;
}

static void mem_close(cs_bdev *d)
{
	free(d->name);
	free(d);
}

static const cs_bdev_ops mem_ops = {.read = mem_read, .close = mem_close};

cs_bdev *cs_bdev_from_memory(const void *buf, size_t n, const char *name)
{
	mem_dev *m = cs_xcalloc(1, sizeof(*m));
	cs_bdev_init(&m->base, &mem_ops, n, name);
	m->buf = buf;
	return &m->base;
}

/* ---- mapped runs ---- */

typedef struct mapped {
	cs_bdev base;
	cs_bdev_run *runs; /* sorted by off, non-overlapping */
	size_t n;
} mapped;

static int mapped_read(cs_bdev *d, void *buf, size_t n, uint64_t off, cs_error *e)
{
	mapped *m = (mapped *)d;
	char *p = buf;
	while (n > 0) {
		/* the last run starting at or before off */
		size_t lo = 0, hi = m->n;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (m->runs[mid].off <= off)
				lo = mid + 1;
			else
				hi = mid;
		}
		const cs_bdev_run *r = lo ? &m->runs[lo - 1] : NULL;
		if (!r || off >= r->off + r->len)
			return cs_err(e, -EIO, "%s: offset %llu is mapped to no physical extent",
				      d->name, (unsigned long long)off);
		uint64_t k = r->off + r->len - off;
		if (k > n)
			k = n;
		int rc = cs_bdev_read(r->dev, p, (size_t)k, r->dev_off + (off - r->off), e);
		if (rc < 0) {
			cs_err_prefix(e, "%s, offset %llu", d->name, (unsigned long long)off);
			return rc;
		}
		p += k;
		off += k;
		n -= (size_t)k;
	}
	return 0;
}

static void mapped_close(cs_bdev *d)
{
	mapped *m = (mapped *)d;
	for (size_t i = 0; i < m->n; i++)
		cs_bdev_unref(m->runs[i].dev);
	free(m->runs);
	free(d->name);
	free(m);
}

static const cs_bdev_ops mapped_ops = {.read = mapped_read, .close = mapped_close};

static int cmp_run(const void *a, const void *b)
{
	const cs_bdev_run *x = a, *y = b;
	return x->off < y->off ? -1 : x->off > y->off;
}

cs_bdev *cs_bdev_mapped(const cs_bdev_run *runs, size_t n, uint64_t size, const char *name,
			cs_error *e)
{
	cs_bdev_run *v = cs_xreallocarray(NULL, n ? n : 1, sizeof(*v));
	if (n) {
		memcpy(v, runs, n * sizeof(*v));
		qsort(v, n, sizeof(*v), cmp_run);
	}
	for (size_t i = 0; i < n; i++) {
		if (v[i].len == 0 || v[i].off + v[i].len < v[i].off ||
		    (i > 0 && v[i - 1].off + v[i - 1].len > v[i].off)) {
			free(v);
			cs_err(e, -EINVAL, "%s: its extents overlap or wrap", name);
			return NULL;
		}
	}
	mapped *m = cs_xcalloc(1, sizeof(*m));
	cs_bdev_init(&m->base, &mapped_ops, size, name);
	for (size_t i = 0; i < n; i++)
		cs_bdev_ref(v[i].dev);
	m->runs = v;
	m->n = n;
	return &m->base;
}

/* ---- raw and split raw ---- */

typedef struct raw_piece {
	int fd;
	uint64_t off, size; /* where the piece sits in the media */
	const char *path;   /* borrowed from the image info */
} raw_piece;

typedef struct raw_dev {
	cs_bdev base;
	raw_piece *p;
	size_t n;
} raw_dev;

int cs_open_evidence_file(const char *path, uint64_t *ret_size, cs_error *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOATIME);
	if (fd < 0 && errno == EPERM)
		fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int r = -errno;
		return cs_err(e, r, "image `%s`: %s", path, strerror(-r));
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || !(S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))) {
		int r = errno ? -errno : -EINVAL;
		close(fd);
		return cs_err(e, r, "image `%s`: not a regular file or block device", path);
	}
	uint64_t size = (uint64_t)st.st_size;
	if (S_ISBLK(st.st_mode)) {
		off_t end = lseek(fd, 0, SEEK_END);
		size = end > 0 ? (uint64_t)end : 0;
	}
	*ret_size = size;
	return fd;
}

int cs_pread_full(int fd, void *buf, size_t n, uint64_t off)
{
	char *p = buf;
	while (n > 0) {
		ssize_t r = pread(fd, p, n, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -ENODATA; /* shorter than it was at open */
		p += r;
		off += (uint64_t)r;
		n -= (size_t)r;
	}
	return 0;
}

static int raw_read(cs_bdev *d, void *buf, size_t n, uint64_t off, cs_error *e)
{
	raw_dev *r = (raw_dev *)d;
	char *p = buf;
	size_t lo = 0, hi = r->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (r->p[mid].off <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t i = lo ? lo - 1 : 0;
	while (n > 0 && i < r->n) {
		raw_piece *pc = &r->p[i];
		if (off >= pc->off + pc->size) {
			i++;
			continue;
		}
		uint64_t k = pc->off + pc->size - off;
		if (k > n)
			k = n;
		int rc = cs_pread_full(pc->fd, p, (size_t)k, off - pc->off);
		if (rc < 0)
			return cs_err(e, rc == -ENODATA ? -EIO : rc,
				      "image `%s`: read of %llu bytes at offset %llu: %s", pc->path,
				      (unsigned long long)k, (unsigned long long)(off - pc->off),
				      rc == -ENODATA ? "the file is shorter than when it was opened"
						     : strerror(-rc));
		p += k;
		off += k;
		n -= (size_t)k;
		i++;
	}
	if (n > 0)
		return cs_err(e, -EIO, "%s: offset %llu is past the end", d->name,
			      (unsigned long long)off);
	return 0;
}

static void raw_close(cs_bdev *d)
{
	raw_dev *r = (raw_dev *)d;
	for (size_t i = 0; i < r->n; i++)
		close(r->p[i].fd);
	free(r->p);
	free(d->name);
	free(r);
}

static const cs_bdev_ops raw_ops = {.read = raw_read, .close = raw_close};

/* The name for messages: the first file's base name, "+N" for pieces. */
char *cs_media_display_name(const cs_media_info *info)
{
	const char *p = info->files[0].path;
	const char *slash = strrchr(p, '/');
	if (slash && slash[1])
		p = slash + 1;
	return cs_xstrdup(p);
}

static int open_raw(cs_media *img, cs_error *e)
{
	raw_dev *r = cs_xcalloc(1, sizeof(*r));
	r->p = cs_xcalloc(img->info.n_files, sizeof(*r->p));
	uint64_t off = 0;
	for (size_t i = 0; i < img->info.n_files; i++) {
		uint64_t size;
		int fd = cs_open_evidence_file(img->info.files[i].path, &size, e);
		if (fd < 0) {
			for (size_t k = 0; k < r->n; k++)
				close(r->p[k].fd);
			free(r->p);
			free(r);
			return fd;
		}
		img->info.files[i].size = size;
		r->p[i] = (raw_piece){.fd = fd, .off = off, .size = size, .path = img->info.files[i].path};
		r->n++;
		off += size;
	}
	_cleanup_free_ char *name = cs_media_display_name(&img->info);
	cs_bdev_init(&r->base, &raw_ops, off, name);
	img->dev = &r->base;
	img->info.format = img->info.n_files > 1 ? "split raw" : "raw";
	img->info.media_size = off;
	img->info.sector_size = 512;
	return 0;
}

/* ---- recognition ---- */

typedef enum { FMT_RAW, FMT_EWF, FMT_VMDK, FMT_VHD, FMT_VHDX, FMT_QCOW, FMT_L01 } fmt;

static fmt sniff(const char *path, cs_error *e, int *ret_err)
{
	uint64_t size;
	*ret_err = 0;
	int fd = cs_open_evidence_file(path, &size, e);
	if (fd < 0) {
		*ret_err = fd;
		return FMT_RAW;
	}
	unsigned char h[512] = {0}, t[512] = {0};
	size_t hn = size < sizeof(h) ? (size_t)size : sizeof(h);
	int r = cs_pread_full(fd, h, hn, 0);
	if (r == 0 && size >= 512)
		r = cs_pread_full(fd, t, 512, size - 512);
	close(fd);
	if (r < 0) {
		*ret_err = cs_err(e, r == -ENODATA ? -EIO : r, "image `%s`: %s", path, strerror(-r));
		return FMT_RAW;
	}
	if (memcmp(h, "EVF\x09\x0d\x0a\xff\x00", 8) == 0 || memcmp(h, "EVF2\x0d\x0a\x81\x00", 8) == 0)
		return FMT_EWF;
	if (memcmp(h, "LVF\x09\x0d\x0a\xff\x00", 8) == 0 || memcmp(h, "LEF2\x0d\x0a\x81\x00", 8) == 0)
		return FMT_L01;
	if (memcmp(h, "KDMV", 4) == 0 || memcmp(h, "COWD", 4) == 0 ||
	    memcmp(h, "# Disk DescriptorFile", 21) == 0)
		return FMT_VMDK;
	if (memcmp(h, "vhdxfile", 8) == 0)
		return FMT_VHDX;
	if (memcmp(h, "conectix", 8) == 0 || memcmp(t, "conectix", 8) == 0)
		return FMT_VHD;
	if (memcmp(h, "QFI\xfb", 4) == 0)
		return FMT_QCOW;
	return FMT_RAW;
}

static void add_file(cs_media_info *info, const char *path)
{
	info->files = cs_xreallocarray(info->files, info->n_files + 1, sizeof(*info->files));
	info->files[info->n_files++] = (cs_media_file){.path = cs_xstrdup(path)};
}

void cs_media_info_add_file(cs_media_info *info, const char *path, uint64_t size)
{
	add_file(info, path);
	info->files[info->n_files - 1].size = size;
}

int cs_media_open(const char *const *paths, size_t n, cs_media **ret, cs_error *e)
{
	if (n == 0)
		return cs_err(e, -EINVAL, "no image file given");
	cs_media *img = cs_xcalloc(1, sizeof(*img));
	int r = 0;
	int serr;
	fmt f = sniff(paths[0], e, &serr);
	if (serr < 0) {
		free(img);
		return serr;
	}
	if (n > 1 && f != FMT_RAW) {
		free(img);
		return cs_err(e, -EINVAL,
			      "image `%s` is not raw: only a split raw image is given as several files "
			      "(an E01's further segments are found from the first)", paths[0]);
	}
	switch (f) {
	case FMT_L01:
		r = cs_err(e, -EMEDIUMTYPE,
			   "image `%s` is a logical evidence file (L01/Lx01), not an image of a disk",
			   paths[0]);
		break;
	case FMT_EWF:
		r = cs_media_open_ewf(img, paths[0], e);
		break;
	case FMT_VMDK:
		r = cs_media_open_vmdk(img, paths[0], e);
		break;
	case FMT_VHD:
	case FMT_VHDX:
		r = cs_media_open_vhdi(img, paths[0], f == FMT_VHDX, e);
		break;
	case FMT_QCOW:
		r = cs_media_open_qcow(img, paths[0], e);
		break;
	case FMT_RAW:
		for (size_t i = 0; i < n; i++)
			add_file(&img->info, paths[i]);
		if (n == 1 && cs_str_endswith(paths[0], ".001")) {
			size_t len = strlen(paths[0]);
			for (unsigned k = 2; k <= 999; k++) {
				char *next = cs_xasprintf("%.*s.%03u", (int)(len - 4), paths[0], k);
				if (access(next, F_OK) != 0) {
					free(next);
					break;
				}
				add_file(&img->info, next);
				free(next);
			}
		}
		r = open_raw(img, e);
		break;
	}
	if (r < 0) {
		cs_media_close(img);
		return r;
	}
	*ret = img;
	return 0;
}

void cs_media_close(cs_media *img)
{
	if (!img)
		return;
	cs_bdev_unref(img->dev);
	for (size_t i = 0; i < img->info.n_files; i++)
		free(img->info.files[i].path);
	free(img->info.files);
	free(img->info.stored_md5);
	free(img->info.stored_sha1);
	free(img->info.metadata);
	free(img->info.problem);
	free(img);
}

int cs_media_read_all(cs_media *img, int (*fn)(void *ud, const void *buf, size_t n),
		      void (*bad)(void *ud, uint64_t off, uint64_t len, const char *msg), void *ud,
		      cs_error *e)
{
	const size_t chunk = (size_t)1 << 20;
	char *buf = cs_xmalloc(chunk);
	int r = 0;
	for (uint64_t off = 0; off < img->dev->size;) {
		size_t k = img->dev->size - off < chunk ? (size_t)(img->dev->size - off) : chunk;
		cs_error le = {0};
		if (img->dev->ops == cs_ewf_ops())
			r = cs_ewf_read_lenient(img->dev, buf, k, off, bad, ud, &le);
		else
			r = cs_bdev_read(img->dev, buf, k, off, &le);
		if (r < 0) {
			/* a piece that cannot be read at all: name it, hash zeros, go
			 * on in 32 KiB steps (an EWF chunk) so the damage is as small
			 * as it is without a read per sector of a missing segment */
			const size_t ss = 32768;
			for (size_t s = 0; s < k; s += ss) {
				size_t sk = k - s < ss ? k - s : ss;
				cs_error se = {0};
				if (cs_bdev_read(img->dev, buf + s, sk, off + s, &se) < 0) {
					memset(buf + s, 0, sk);
					if (bad)
						bad(ud, off + s, sk, se.msg);
				}
			}
			r = 0;
		}
		r = fn(ud, buf, k);
		if (r < 0)
			break;
		off += k;
	}
	free(buf);
	(void)e;
	return r;
}

int cs_media_read_file(const cs_media *img, size_t i, int (*fn)(void *ud, const void *buf, size_t n),
		       void *ud, cs_error *e)
{
	if (i >= img->info.n_files)
		return cs_err(e, -EINVAL, "no file %zu", i);
	const char *path = img->info.files[i].path;
	uint64_t size;
	int fd = cs_open_evidence_file(path, &size, e);
	if (fd < 0)
		return fd;
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	const size_t chunk = (size_t)1 << 20;
	char *buf = cs_xmalloc(chunk);
	int r = 0;
	for (;;) {
		ssize_t n = read(fd, buf, chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = cs_err(e, -errno, "image `%s`: %s", path, strerror(errno));
			break;
		}
		if (n == 0)
			break;
		if ((r = fn(ud, buf, (size_t)n)) < 0)
			break;
	}
	free(buf);
	close(fd);
	return r;
}
