/* export.c - see export.h.
 *
 * Streaming. libarchive writes the headers (the restricted pax format as
 * the engine writes it), unblocked, into our own output buffer; the bodies
 * never pass through libarchive. A body is copied from the evidence file
 * straight to the output: small ones with one pread into the buffer (so
 * the headers and bodies of many small files leave in one write), large
 * ones with copy_file_range(2) into a regular file or sendfile(2) into a
 * pipe or socket, in the kernel, falling back to pread/write where neither
 * applies. libarchive, never given the body, fills it with zeros when the
 * entry is finished; exactly that many bytes (the size and the padding to
 * 512) are dropped from its output, so the archive is byte for byte what
 * libarchive would have written with the data itself. A file that cannot
 * be opened is left to libarchive's zeros, as before; one that is shorter
 * than its stat said is padded with zeros, with a warning.
 *
 * When the caller asks for the archive's sha256 (opts->result), every byte
 * must pass through the hash: bodies are then read into the buffer, never
 * copied in the kernel. Custody wins over the last few per cent of speed.
 */
#include "fs/export.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "base/strmap.h"
#include "formats/sha256.h"

#define OUTBUF ((size_t)1 << 20)
#define SMALL_BODY ((uint64_t)256 << 10) /* read into the buffer up to this size */

typedef struct ex {
	const cs_tree *t;
	struct archive *a;
	const cs_export_opts *o;
	cs_strmap first; /* hardlink group leader -> archived name */
	int fd;
	bool out_regular;
	bool no_cfr, no_sendfile; /* the kernel refused them once */
	char *out;       /* output buffer */
	size_t nout;
	uint64_t discard; /* bytes of libarchive's output to drop (its zero bodies) */
	int werr;        /* -errno of a failed write */
	bool hash;       /* every byte through sha (no kernel copies) */
	cs_sha256 sha;
	uint64_t bytes, entries, total;
} ex;

#define warn(x, file, ...) \
	cs_diagf((x)->o ? (x)->o->diag : NULL, (x)->o ? (x)->o->diag_userdata : NULL, CS_WARN, file, __VA_ARGS__)

static void set_time(struct archive_entry *en, cs_time t, bool precise)
{
	if (!CS_TIME_IS_REAL(t))
		return;
	int64_t s = t / 1000000000, ns = t % 1000000000;
	if (ns < 0) {
		ns += 1000000000;
		s--;
	}
	archive_entry_set_mtime(en, (time_t)s, precise ? (long)ns : 0);
}

static int flush_out(ex *x)
{
	if (x->hash)
		cs_sha256_update(&x->sha, x->out, x->nout);
	x->bytes += x->nout;
	size_t off = 0;
	while (off < x->nout) {
		ssize_t w = write(x->fd, x->out + off, x->nout - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			x->werr = w < 0 ? -errno : -EIO;
			x->nout = 0;
			return -1;
		}
		off += (size_t)w;
	}
	x->nout = 0;
	return 0;
}

static int put_out(ex *x, const void *p, size_t n)
{
	const char *b = p;
	while (n > 0) {
		if (x->nout == OUTBUF && flush_out(x) < 0)
			return -1;
		size_t k = OUTBUF - x->nout < n ? OUTBUF - x->nout : n;
		memcpy(x->out + x->nout, b, k);
		x->nout += k;
		b += k;
		n -= k;
	}
	return 0;
}

static int put_zeros(ex *x, uint64_t n)
{
	while (n > 0) {
		if (x->nout == OUTBUF && flush_out(x) < 0)
			return -1;
		size_t k = OUTBUF - x->nout < n ? OUTBUF - x->nout : (size_t)n;
		memset(x->out + x->nout, 0, k);
		x->nout += k;
		n -= k;
	}
	return 0;
}

/* libarchive's output: headers pass, its zero-filled bodies are dropped */
static la_ssize_t on_write(struct archive *a, void *ud, const void *buf, size_t len)
{
	(void)a;
	ex *x = ud;
	size_t skip = x->discard < len ? (size_t)x->discard : len;
	x->discard -= skip;
	if (put_out(x, (const char *)buf + skip, len - skip) < 0) {
		archive_set_error(a, -x->werr, "write: %s", strerror(-x->werr));
		return -1;
	}
	return (la_ssize_t)len;
}

static int on_close(struct archive *a, void *ud)
{
	ex *x = ud;
	if (flush_out(x) < 0) {
		archive_set_error(a, -x->werr, "write: %s", strerror(-x->werr));
		return ARCHIVE_FATAL;
	}
	return ARCHIVE_OK;
}

/* Copies [off, want) of f with pread into the buffer; a short file is
 * padded with zeros (and reported). */
static int copy_read(ex *x, cs_file *f, uint64_t off, uint64_t want, const char *name)
{
	while (off < want) {
		if (x->nout == OUTBUF && flush_out(x) < 0)
			return -1;
		size_t room = OUTBUF - x->nout;
		size_t chunk = want - off < room ? (size_t)(want - off) : room;
		ssize_t n = cs_file_pread(f, x->out + x->nout, chunk, off);
		if (n <= 0) {
			if (n < 0)
				warn(x, name, "`%s`: read at %llu: %s: padded with zeros", name, (unsigned long long)off,
				     cs_file_strerror(f, (int)n));
			else
				warn(x, name, "`%s`: short read at %llu: padded with zeros", name,
				     (unsigned long long)off);
			memset(x->out + x->nout, 0, chunk);
			n = (ssize_t)chunk;
		}
		x->nout += (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

/* Copies a large body in the kernel; returns how far it got. */
static uint64_t copy_kernel(ex *x, cs_file *f, uint64_t want)
{
	int in = cs_file_fd(f);
	if (in < 0 || flush_out(x) < 0)
		return 0;
	uint64_t off = 0;
	while (off < want) {
		size_t len = want - off < ((size_t)1 << 30) ? (size_t)(want - off) : ((size_t)1 << 30);
		ssize_t n = -1;
		if (x->out_regular && !x->no_cfr) {
			loff_t o = (loff_t)off;
			n = copy_file_range(in, &o, x->fd, NULL, len, 0);
			if (n < 0 && errno != EINTR) {
				x->no_cfr = true;
				continue;
			}
		} else if (!x->no_sendfile) {
			off_t o = (off_t)off;
			n = sendfile(x->fd, in, &o, len);
			if (n < 0 && errno != EINTR) {
				x->no_sendfile = true;
				break;
			}
		} else {
			break;
		}
		if (n == 0)
			break; /* shorter than its stat: the rest by pread */
		if (n > 0)
			off += (uint64_t)n;
	}
	x->bytes += off;
	return off;
}

static int cmp_xattr(const void *a, const void *b)
{
	return strcmp(((const cs_xattr *)a)->name, ((const cs_xattr *)b)->name);
}

/* The extended attributes of an open evidence file, as cs_tree_xattrs()
 * gives them (names sorted, unreadable ones left out, overlayfs's own
 * and its layer driver's own hidden, CS_XATTR_MAX bytes at most), without
 * naming the file again. Returns -1 when the descriptor cannot say. */
static int fd_xattrs(int fd, cs_whiteout_format format, cs_xattr **ret, size_t *ret_n)
{
	*ret = NULL;
	*ret_n = 0;
	if (fd < 0)
		return -1; /* a file of a disk image or archive: no descriptor */
	char names[65536];
	ssize_t nl = flistxattr(fd, names, sizeof(names));
	if (nl < 0)
		return errno == ENOTSUP || errno == ENODATA ? 0 : -1;
	cs_xattr *v = NULL;
	size_t n = 0, cap = 0, total = 0;
	for (ssize_t off = 0; off < nl;) {
		const char *nm = names + off;
		size_t len = strnlen(nm, (size_t)(nl - off));
		off += (ssize_t)len + 1;
		char val[65536];
		ssize_t vl = fgetxattr(fd, nm, val, sizeof(val));
		if (vl < 0)
			continue;
		total += len + (size_t)vl;
		if (total > CS_XATTR_MAX)
			break;
		if (cs_xattr_is_internal(nm, format))
			continue;
		cs_xattr *xa = CS_PUSH(v, n, cap);
		xa->name = cs_xstrndup(nm, len);
		xa->value = cs_xmalloc((size_t)vl + 1);
		memcpy(xa->value, val, (size_t)vl);
		xa->value[vl] = '\0';
		xa->len = (size_t)vl;
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_xattr);
	*ret = v;
	*ret_n = n;
	return 0;
}

/* Writes a regular file's body (from f, already open) in libarchive's
 * place; -1 if the output failed. */
static int write_data(ex *x, const cs_tnode *nd, cs_file *f, const char *name)
{
	uint64_t want = nd->st.size, pad = (512 - want % 512) % 512;
	x->discard += want + pad;
	uint64_t off = want > SMALL_BODY && !x->hash ? copy_kernel(x, f, want) : 0;
	int r = x->werr ? -1 : copy_read(x, f, off, want, name);
	if (r < 0 || put_zeros(x, pad) < 0)
		return -1;
	return 0;
}

static int write_node(ex *x, uint32_t i, const char *name)
{
	const cs_tnode *nd = cs_tree_node(x->t, i);
	if (S_ISSOCK(nd->st.mode))
		return 0;
	struct archive_entry *en = archive_entry_new();
	archive_entry_set_pathname(en, name);
	archive_entry_set_mode(en, nd->st.mode);
	archive_entry_set_uid(en, nd->st.uid);
	archive_entry_set_gid(en, nd->st.gid);
	if (nd->st.uid == 0)
		archive_entry_set_uname(en, "root");
	if (nd->st.gid == 0)
		archive_entry_set_gname(en, "root");
	set_time(en, nd->st.mtime, x->o && x->o->precise);
	if (S_ISLNK(nd->st.mode))
		archive_entry_set_symlink(en, nd->link ? nd->link : "");
	if (S_ISCHR(nd->st.mode) || S_ISBLK(nd->st.mode))
		archive_entry_set_rdev(en, makedev(nd->st.rdev_major, nd->st.rdev_minor));
	bool data = S_ISREG(nd->st.mode);
	if (data && nd->st.nlink > 1) {
		char key[16];
		snprintf(key, sizeof(key), "%u", nd->hardlink);
		const char *leader = cs_strmap_get(&x->first, key);
		if (leader) {
			archive_entry_set_hardlink(en, leader);
			data = false;
		} else {
			cs_strmap_put(&x->first, key, cs_xstrdup(name));
		}
	}
	archive_entry_set_size(en, data ? (la_int64_t)nd->st.size : 0);
	/* a body's file is opened first: its xattrs then come from the open
	 * descriptor (one path walk per file, not two) */
	cs_file *f = NULL;
	if (data && nd->st.size > 0) {
		cs_error e = {0};
		if (cs_tree_open(x->t, i, &f, &e) < 0) {
			warn(x, name, "`%s`: %s: written empty", name, e.msg);
			f = NULL; /* libarchive writes zeros */
		}
	}
	cs_xattr *xa = NULL;
	size_t nx = 0;
	if ((f && fd_xattrs(cs_file_fd(f), cs_tree_format(x->t), &xa, &nx) == 0) || cs_tree_xattrs(x->t, i, &xa, &nx, NULL) == 0)
		for (size_t k = 0; k < nx; k++)
			archive_entry_xattr_add_entry(en, xa[k].name, xa[k].value, xa[k].len);
	cs_xattrs_free(xa, nx);
	int r = archive_write_header(x->a, en);
	archive_entry_free(en);
	if (r >= ARCHIVE_WARN && f)
		r = write_data(x, nd, f, name) < 0 ? ARCHIVE_FATAL : r;
	cs_file_close(f);
	if (r < ARCHIVE_WARN)
		return -1;
	x->entries++;
	if (x->o && x->o->progress && x->entries % 256 == 0)
		x->o->progress(x->o->progress_userdata, x->entries, x->total, x->bytes + x->nout);
	return 0;
}

static int walk(ex *x, uint32_t dir, const char *prefix, unsigned depth)
{
	const cs_tnode *d = cs_tree_node(x->t, dir);
	if (depth > CS_TREE_MAX_DEPTH)
		return 0;
	for (uint32_t c = d->child0; c < d->child0 + d->nchild; c++) {
		const cs_tnode *nd = cs_tree_node(x->t, c);
		char *name = *prefix ? cs_xasprintf("%s/%s", prefix, nd->name) : cs_xstrdup(nd->name);
		int r = write_node(x, c, name);
		if (r == 0 && S_ISDIR(nd->st.mode))
			r = walk(x, c, name, depth + 1);
		free(name);
		if (r < 0)
			return r;
	}
	return 0;
}

int cs_export_tar(const cs_tree *t, int fd, const cs_export_opts *opts, cs_error *e)
{
	ex x = {.t = t, .o = opts, .fd = fd, .total = cs_tree_count(t), .hash = opts && opts->result};
	cs_sha256_init(&x.sha);
	struct stat ost;
	x.out_regular = fstat(fd, &ost) == 0 && S_ISREG(ost.st_mode);
	x.out = cs_xmalloc(OUTBUF);
	x.a = archive_write_new();
	/* restricted pax (ustar unless a name or xattr needs more), as the
	 * engine writes; full pax when nanosecond times are asked for */
	if (opts && opts->precise)
		archive_write_set_format_pax(x.a);
	else
		archive_write_set_format_pax_restricted(x.a);
	/* unblocked: every byte goes to on_write as it is made, and the
	 * archive ends right after its end-of-archive blocks */
	archive_write_set_bytes_per_block(x.a, 0);
	int r = 0;
	uint32_t root = opts ? opts->root : 0;
	if (archive_write_open(x.a, &x, NULL, on_write, on_close) != ARCHIVE_OK) {
		r = -1;
	} else if (root == 0) {
		r = walk(&x, 0, "", 0);
	} else {
		const cs_tnode *nd = cs_tree_node(t, root);
		const char *name = opts->root_name ? opts->root_name : nd ? nd->name : "";
		r = nd ? write_node(&x, root, name) : -1;
		if (r == 0 && S_ISDIR(nd->st.mode))
			r = walk(&x, root, name, 0);
	}
	if (r < 0 || archive_write_close(x.a) != ARCHIVE_OK) {
		if (x.werr)
			r = cs_err(e, x.werr, "writing the archive: %s", strerror(-x.werr));
		else
			r = cs_err(e, -EIO, "writing the archive: %s", archive_error_string(x.a));
	}
	if (r == 0 && opts && opts->progress)
		opts->progress(opts->progress_userdata, x.entries, x.total, x.bytes);
	if (r == 0 && opts && opts->result) {
		unsigned char d[32];
		cs_sha256_final(&x.sha, d);
		cs_hex(d, 32, opts->result->sha256);
		opts->result->bytes = x.bytes;
		opts->result->entries = x.entries;
	}
	archive_write_free(x.a);
	cs_strmap_free(&x.first, free);
	free(x.out);
	return r < 0 ? r : 0;
}
