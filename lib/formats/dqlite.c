/* dqlite.c - see dqlite.h.
 *
 * The replay streams: segments are read one at a time, in index order
 * (closed segments by their first index, then open segments by their
 * counter), and each entry is applied as it is decoded, so memory holds one
 * segment, the page image and the frames of an unfinished transaction.
 * Which entries to apply is decided from the file names before reading:
 * from index 1 when the closed segments start there and follow one another,
 * else from the newest snapshot. Damage met while replaying from index 1 at
 * an index a snapshot covers makes the replay start over from the snapshot.
 */
#include "formats/dqlite.h"

#include <lz4frame.h>
#include <stdio.h>
#include <string.h>

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

uint32_t cs_xcrc32(const void *p, size_t n, uint32_t crc)
{
	static uint32_t table[256];
	static bool init;
	if (!init) {
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t c = i << 24;
			for (int k = 0; k < 8; k++)
				c = (c & 0x80000000u) ? (c << 1) ^ 0x04c11db7u : c << 1;
			table[i] = c;
		}
		init = true;
	}
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		crc = (crc << 8) ^ table[((crc >> 24) ^ b[i]) & 0xff];
	return crc;
}

int64_t cs_dqlite_segment(const uint8_t *data, size_t len, uint64_t first_index, cs_dqlite_entry_fn fn,
			  void *ud, const char **stop, size_t *stop_off)
{
	static const char *const none = "";
	const char *why = none;
	size_t off = 8;
	int64_t n_entries = 0;
	if (stop)
		*stop = none;
	if (stop_off)
		*stop_off = 0;
	if (len < 8)
		return -EBADMSG;
	uint64_t fmt = le64(data);
	if (fmt != 1)
		return -EBADMSG;
	while (off + 16 <= len) {
		uint32_t crc_h = le32(data + off), crc_d = le32(data + off + 4);
		uint64_t n = le64(data + off + 8);
		if (n == 0) {
			why = "end of the entries (a zero batch)";
			break;
		}
		if (n > (len - off - 16) / 16) {
			why = "a batch header runs past the end of the file (truncated batch)";
			break;
		}
		size_t hdr = 8 + 16 * (size_t)n;
		if (cs_xcrc32(data + off + 8, hdr, 0) != crc_h) {
			why = "a batch header's checksum does not match";
			break;
		}
		size_t dstart = off + 8 + hdr, dlen = 0;
		bool bad = false;
		for (uint64_t k = 0; k < n; k++) {
			uint32_t sz = le32(data + off + 16 + 16 * k + 12);
			if (sz % 8 || sz > len) {
				bad = true;
				break;
			}
			dlen += sz;
		}
		if (bad) {
			why = "an entry size is not a multiple of 8";
			break;
		}
		if (dlen > len - dstart) {
			why = "a batch's entries run past the end of the file (truncated batch)";
			break;
		}
		if (cs_xcrc32(data + dstart, dlen, 0) != crc_d) {
			why = "a batch's data checksum does not match";
			break;
		}
		size_t p = dstart;
		for (uint64_t k = 0; k < n; k++) {
			const uint8_t *h = data + off + 16 + 16 * k;
			uint32_t sz = le32(h + 12);
			if (fn && fn(ud, first_index + (uint64_t)n_entries, le64(h), h[8], data + p, sz)) {
				why = "stopped";
				if (stop)
					*stop = why;
				if (stop_off)
					*stop_off = off;
				return n_entries;
			}
			n_entries++;
			p += sz;
		}
		off = dstart + dlen;
	}
	if (off + 16 > len && why == none && off != len)
		why = "a batch header runs past the end of the file (truncated batch)";
	if (stop)
		*stop = why;
	if (stop_off)
		*stop_off = off;
	return n_entries;
}

int cs_lz4_frame_decode(const void *data, size_t len, size_t max, uint8_t **ret, size_t *ret_len, cs_error *e)
{
	static const uint8_t magic[4] = {0x04, 0x22, 0x4d, 0x18};
	if (len < 4 || memcmp(data, magic, 4) != 0) {
		if (len > max)
			return cs_err(e, -EFBIG, "%zu bytes exceed the limit", len);
		*ret = cs_xmalloc(len ? len : 1);
		memcpy(*ret, data, len);
		*ret_len = len;
		return 0;
	}
	LZ4F_dctx *dc = NULL;
	if (LZ4F_isError(LZ4F_createDecompressionContext(&dc, LZ4F_VERSION)))
		return cs_err(e, -ENOMEM, "LZ4: cannot create a decompression context");
	size_t cap = len * 4 < ((size_t)1 << 20) ? ((size_t)1 << 20) : len * 4, n = 0;
	if (cap > max)
		cap = max;
	uint8_t *out = cs_xmalloc(cap ? cap : 1);
	const uint8_t *in = data;
	size_t pos = 0;
	int r = 0;
	for (;;) {
		if (n == cap) {
			if (cap >= max) {
				r = cs_err(e, -EFBIG, "LZ4 frame decompresses past %zu MiB", max >> 20);
				break;
			}
			cap = cap * 2 > max ? max : cap * 2;
			out = cs_xrealloc(out, cap);
		}
		size_t dst = cap - n, src = len - pos;
		size_t k = LZ4F_decompress(dc, out + n, &dst, in + pos, &src, NULL);
		if (LZ4F_isError(k)) {
			r = cs_err(e, -EBADMSG, "LZ4 frame damaged at byte %zu: %s", pos, LZ4F_getErrorName(k));
			break;
		}
		n += dst;
		pos += src;
		if (k == 0) {
			/* frame done; another frame may follow (concatenated) */
			if (pos >= len)
				break;
			if (len - pos < 4 || memcmp(in + pos, magic, 4) != 0)
				break;
			continue;
		}
		if (pos >= len && dst == 0) {
			r = cs_err(e, -EBADMSG, "LZ4 frame ends early (truncated at byte %zu)", len);
			break;
		}
	}
	LZ4F_freeDecompressionContext(dc);
	if (r < 0) {
		free(out);
		return r;
	}
	*ret = out;
	*ret_len = n;
	return 0;
}

/* A NUL-terminated, zero-padded-to-8 text at off; returns the offset after
 * it, or 0 if it does not fit. */
static size_t text_at(const uint8_t *p, size_t len, size_t off, const char **s)
{
	if (off >= len)
		return 0;
	const uint8_t *z = memchr(p + off, 0, len - off);
	if (!z)
		return 0;
	*s = (const char *)p + off;
	size_t sz = (size_t)(z - (p + off)) + 1;
	sz = (sz + 7) & ~(size_t)7;
	if (sz > len - off)
		return 0;
	return off + sz;
}

int cs_dqlite_snapshot_db(const uint8_t *data, size_t len, const char *filename, cs_pageimg *img, cs_error *e)
{
	if (len < 16 || le64(data) != 1)
		return cs_err(e, -EBADMSG, "not a dqlite snapshot (format word %llu)",
			      len >= 8 ? (unsigned long long)le64(data) : 0ULL);
	uint64_t ndb = le64(data + 8);
	if (ndb > 4096)
		return cs_err(e, -EBADMSG, "snapshot claims %llu databases", (unsigned long long)ndb);
	size_t off = 16;
	for (uint64_t i = 0; i < ndb; i++) {
		const char *name;
		size_t o = text_at(data, len, off, &name);
		if (!o || len - o < 16)
			return cs_err(e, -EBADMSG, "snapshot truncated at byte %zu", off);
		uint64_t ms = le64(data + o), ws = le64(data + o + 8);
		o += 16;
		if (ms > len - o || ws > len - o - ms)
			return cs_err(e, -EBADMSG, "snapshot database `%s` runs past the end (%llu + %llu bytes at %zu)",
				      name, (unsigned long long)ms, (unsigned long long)ws, o);
		if (strcmp(name, filename) == 0) {
			int r = cs_pageimg_load(img, data + o, ms, e);
			if (r < 0)
				return r;
			cs_sqlite_info inf = {0};
			if (ws && (r = cs_pageimg_apply_wal(img, data + o + ms, ws, &inf, e)) < 0) {
				cs_err_prefix(e, "snapshot WAL of `%s`", name);
				return r;
			}
			return 0;
		}
		off = o + ms + ws;
	}
	return cs_err(e, -ENOENT, "the snapshot holds no database `%s`", filename);
}

/* --- the replay --- */

typedef struct seg {
	char *name;
	uint64_t first, last; /* closed; for open: counter in first */
	bool open;
} seg;

typedef struct pend {
	uint32_t pgno, ps;
	uint8_t *page;
} pend;

typedef struct rp {
	cs_source *src;
	const char *dir, *filename;
	cs_pageimg *img;
	cs_dqlite_info *info;
	cs_diag_fn diag;
	void *diag_ud;
	uint64_t start;     /* first index to apply */
	uint64_t expect;    /* next index expected */
	pend *pend;
	size_t n_pend, cap_pend, pend_bytes;
	const char *cur_file;
	uint64_t bad_index; /* the entry that could not be applied, 0 if none */
	char bad_msg[CS_ERRMSG_MAX];
} rp;

static void pend_clear(rp *r)
{
	for (size_t i = 0; i < r->n_pend; i++)
		free(r->pend[i].page);
	r->n_pend = 0;
	r->pend_bytes = 0;
}

static int bad_entry(rp *r, uint64_t index, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int bad_entry(rp *r, uint64_t index, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->bad_msg, sizeof(r->bad_msg), fmt, ap);
	va_end(ap);
	r->bad_index = index;
	return 1;
}

static int on_entry(void *ud, uint64_t index, uint64_t term, uint8_t type, const uint8_t *p, size_t len)
{
	(void)term;
	rp *r = ud;
	cs_dqlite_info *in = r->info;
	if (index < r->start) {
		r->expect = index + 1;
		return 0;
	}
	in->entries++;
	r->expect = index + 1;
	if (type == 2) {
		in->barriers++;
		in->last_applied = index;
		return 0;
	}
	if (type == 3) {
		in->changes++;
		in->last_applied = index;
		return 0;
	}
	if (type != 1)
		return bad_entry(r, index, "entry %llu has unknown type %u", (unsigned long long)index, type);
	in->commands++;
	if (len < 8 || p[0] != 1)
		return bad_entry(r, index, "entry %llu is not a dqlite command (format %u)", (unsigned long long)index,
				 len ? p[0] : 0);
	uint8_t ct = p[1];
	if (ct == 3) { /* UNDO */
		pend_clear(r);
		in->last_applied = index;
		return 0;
	}
	if (ct != 2) { /* OPEN, CHECKPOINT, others: nothing to apply */
		in->last_applied = index;
		return 0;
	}
	const char *fname;
	size_t off = text_at(p, len, 8, &fname);
	if (!off || len - off < 24)
		return bad_entry(r, index, "FRAMES entry %llu is truncated", (unsigned long long)index);
	uint8_t is_commit = p[off + 12];
	uint32_t n = le32(p + off + 16);
	uint32_t ps = le16(p + off + 20);
	if (ps == 0)
		ps = 65536;
	off += 24;
	if (!cs_sqlite_page_size_ok(ps))
		return bad_entry(r, index, "FRAMES entry %llu names page size %u", (unsigned long long)index, ps);
	if (n == 0 || n > (len - off) / (8 + (size_t)ps) || off + (size_t)n * (8 + ps) != len)
		return bad_entry(r, index, "FRAMES entry %llu: %u pages of %u bytes do not fill its %zu bytes",
				 (unsigned long long)index, n, ps, len);
	in->frames += n;
	if (strcmp(fname, r->filename) != 0) {
		in->last_applied = index;
		return 0;
	}
	const uint8_t *nums = p + off, *pages = p + off + (size_t)n * 8;
	for (uint32_t k = 0; k < n; k++) {
		uint64_t pg = le64(nums + 8 * (size_t)k);
		if (pg == 0 || pg > CS_SQLITE_MAX_IMAGE / ps)
			return bad_entry(r, index, "FRAMES entry %llu: page %llu is out of range",
					 (unsigned long long)index, (unsigned long long)pg);
	}
	if (!is_commit) {
		if (r->pend_bytes + (size_t)n * ps > CS_SQLITE_MAX_IMAGE)
			return bad_entry(r, index, "FRAMES entry %llu: uncommitted frames exceed the limit",
					 (unsigned long long)index);
		for (uint32_t k = 0; k < n; k++) {
			pend *x = CS_PUSH(r->pend, r->n_pend, r->cap_pend);
			x->pgno = (uint32_t)le64(nums + 8 * (size_t)k);
			x->ps = ps;
			x->page = cs_xmalloc(ps);
			memcpy(x->page, pages + (size_t)k * ps, ps);
		}
		r->pend_bytes += (size_t)n * ps;
		in->last_applied = index;
		return 0;
	}
	cs_error e = {0};
	for (size_t k = 0; k < r->n_pend; k++)
		if (cs_pageimg_write(r->img, r->pend[k].pgno, r->pend[k].page, r->pend[k].ps, &e) < 0)
			return bad_entry(r, index, "FRAMES entry %llu: %s", (unsigned long long)index, e.msg);
	pend_clear(r);
	for (uint32_t k = 0; k < n; k++)
		if (cs_pageimg_write(r->img, (uint32_t)le64(nums + 8 * (size_t)k), pages + (size_t)k * ps, ps, &e) < 0)
			return bad_entry(r, index, "FRAMES entry %llu: %s", (unsigned long long)index, e.msg);
	in->transactions++;
	in->last_applied = index;
	return 0;
}

static int cmp_seg(const void *a, const void *b)
{
	const seg *x = a, *y = b;
	if (x->open != y->open)
		return x->open ? 1 : -1;
	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	return 0;
}

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return n > 0;
}

static bool parse_u64(const char *s, size_t n, uint64_t *v)
{
	if (!all_digits(s, n) || n > 19)
		return false;
	uint64_t x = 0;
	for (size_t i = 0; i < n; i++)
		x = x * 10 + (uint64_t)(s[i] - '0');
	*v = x;
	return true;
}

/* snapshot-T-I-MS: term, index */
static bool parse_snapshot_name(const char *s, uint64_t *term, uint64_t *index)
{
	if (!cs_str_startswith(s, "snapshot-") || cs_str_endswith(s, ".meta"))
		return false;
	const char *a = s + 9, *b = strchr(a, '-');
	if (!b)
		return false;
	const char *c = strchr(b + 1, '-');
	if (!c || strchr(c + 1, '-'))
		return false;
	uint64_t ms;
	return parse_u64(a, (size_t)(b - a), term) && parse_u64(b + 1, (size_t)(c - b - 1), index) &&
	       parse_u64(c + 1, strlen(c + 1), &ms);
}

static void warn(rp *r, const char *file, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void warn(rp *r, const char *file, const char *fmt, ...)
{
	char msg[CS_ERRMSG_MAX + 256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->info->damaged = true;
	if (r->diag) {
		cs_diag d = {.severity = CS_WARN, .file = file, .msg = msg};
		r->diag(r->diag_ud, &d);
	}
}

static void read_metadata(rp *r)
{
	uint64_t best = 0;
	for (int k = 1; k <= 2; k++) {
		char name[16];
		snprintf(name, sizeof(name), "metadata%d", k);
		_cleanup_free_ char *p = cs_path_join(r->dir, name);
		char *b;
		size_t n;
		if (cs_source_read_file(r->src, p, 4096, &b, &n, NULL) < 0)
			continue;
		if (n >= 32 && le64((uint8_t *)b) == 1 && le64((uint8_t *)b + 8) >= best) {
			best = le64((uint8_t *)b + 8);
			r->info->term = le64((uint8_t *)b + 16);
			r->info->voted_for = le64((uint8_t *)b + 24);
		}
		free(b);
	}
}

static int load_snapshot(rp *r, const char *name, cs_error *e)
{
	_cleanup_free_ char *p = cs_path_join(r->dir, name);
	_cleanup_free_ char *mp = cs_xasprintf("%s.meta", p);
	char *raw, *meta;
	size_t n, mn;
	int k = cs_source_read_file(r->src, p, CS_DQLITE_MAX_SNAPSHOT, &raw, &n, e);
	if (k < 0) {
		cs_err_prefix(e, "`%s`", p);
		return k;
	}
	if (cs_source_read_file(r->src, mp, 1 << 20, &meta, &mn, NULL) == 0) {
		const uint8_t *m = (const uint8_t *)meta;
		if (mn < 32 || le64(m) != 1 || le64(m + 24) > mn - 32 ||
		    cs_xcrc32(m + 32, (size_t)le64(m + 24), cs_xcrc32(m + 16, 16, 0)) != (uint32_t)le64(m + 8))
			warn(r, mp, "`%s`: the snapshot's metadata checksum does not match", mp);
		free(meta);
	}
	uint8_t *data;
	size_t dlen;
	k = cs_lz4_frame_decode(raw, n, CS_DQLITE_MAX_SNAPSHOT, &data, &dlen, e);
	free(raw);
	if (k < 0) {
		cs_err_prefix(e, "`%s`", p);
		return k;
	}
	cs_pageimg_free(r->img);
	k = cs_dqlite_snapshot_db(data, dlen, r->filename, r->img, e);
	free(data);
	if (k < 0)
		cs_err_prefix(e, "`%s`", p);
	return k;
}

/* One pass over the segments from r->start. Returns 0 (complete or stopped
 * at damage: r->bad_index says where), or -errno. */
static int run_segments(rp *r, seg *segs, size_t ns)
{
	r->expect = 0;
	for (size_t i = 0; i < ns; i++) {
		seg *s = &segs[i];
		if (!s->open && s->last < r->start) {
			r->expect = s->last + 1;
			continue;
		}
		uint64_t first = s->open ? (r->expect ? r->expect : r->start) : s->first;
		if (!s->open && r->expect && s->first != r->expect) {
			r->bad_index = r->expect;
			snprintf(r->bad_msg, sizeof(r->bad_msg), "entries %llu to %llu are missing from the log",
				 (unsigned long long)r->expect, (unsigned long long)s->first - 1);
			r->cur_file = NULL;
			return 0;
		}
		_cleanup_free_ char *p = cs_path_join(r->dir, s->name);
		char *buf;
		size_t n;
		cs_error le = {0};
		if (cs_source_read_file(r->src, p, CS_DQLITE_MAX_SEGMENT, &buf, &n, &le) < 0) {
			r->bad_index = first;
			snprintf(r->bad_msg, sizeof(r->bad_msg), "%s", le.msg);
			r->cur_file = s->name;
			return 0;
		}
		r->info->n_segments++;
		r->cur_file = s->name;
		if (s->open && (n < 8 || le64((uint8_t *)buf) == 0)) {
			free(buf);
			continue; /* preallocated, never written */
		}
		const char *why;
		size_t woff;
		int64_t got = cs_dqlite_segment((uint8_t *)buf, n, first, on_entry, r, &why, &woff);
		if (got < 0) {
			free(buf);
			r->bad_index = first;
			snprintf(r->bad_msg, sizeof(r->bad_msg), "not a raft segment (bad format word)");
			return 0;
		}
		if (r->bad_index) {
			free(buf);
			return 0;
		}
		if (!r->info->first_index || first < r->info->first_index)
			r->info->first_index = first;
		if (got > 0 && first + (uint64_t)got - 1 > r->info->last_index)
			r->info->last_index = first + (uint64_t)got - 1;
		r->expect = first + (uint64_t)got;
		if (!s->open && (uint64_t)got != s->last - s->first + 1) {
			r->bad_index = r->expect;
			snprintf(r->bad_msg, sizeof(r->bad_msg),
				 "holds %lld of entries %llu to %llu: at byte %zu %s", (long long)got,
				 (unsigned long long)s->first, (unsigned long long)s->last, woff,
				 *why ? why : "the file ends");
			free(buf);
			return 0;
		}
		if (s->open && *why && strcmp(why, "end of the entries (a zero batch)") != 0) {
			/* an open segment ends at the first batch that does not
			 * decode; data after it is a torn write raft discards too */
			bool zeros = true;
			for (size_t k = woff; k < n && zeros; k++)
				zeros = buf[k] == 0;
			if (!zeros)
				warn(r, p, "`%s`: at byte %zu %s; %zu bytes after it are not applied (raft discards "
					 "a torn batch too)", p, woff, why, n - woff);
		}
		free(buf);
	}
	return 0;
}

int cs_dqlite_replay(cs_source *src, const char *dir, const char *filename, cs_dqlite_from from,
		     cs_pageimg *img, cs_dqlite_info *info, cs_diag_fn diag, void *diag_ud, cs_error *e)
{
	memset(info, 0, sizeof(*info));
	memset(img, 0, sizeof(*img));
	cs_dirent *d;
	size_t nd;
	int k = cs_source_list(src, dir, &d, &nd, e);
	if (k < 0)
		return k;
	seg *segs = NULL;
	size_t ns = 0, cap = 0;
	char *snap = NULL;
	uint64_t snap_term = 0, snap_index = 0;
	for (size_t i = 0; i < nd && ns < CS_DQLITE_MAX_SEGMENTS; i++) {
		const char *nm = d[i].name;
		size_t l = strlen(nm);
		uint64_t a, b;
		if (l == 33 && nm[16] == '-' && parse_u64(nm, 16, &a) && parse_u64(nm + 17, 16, &b) && a >= 1 &&
		    b >= a) {
			seg *s = CS_PUSH(segs, ns, cap);
			*s = (seg){.name = cs_xstrdup(nm), .first = a, .last = b};
		} else if (cs_str_startswith(nm, "open-") && parse_u64(nm + 5, l - 5, &a)) {
			seg *s = CS_PUSH(segs, ns, cap);
			*s = (seg){.name = cs_xstrdup(nm), .first = a, .open = true};
		} else if (parse_snapshot_name(nm, &a, &b) && (b > snap_index || (b == snap_index && a >= snap_term))) {
			free(snap);
			snap = cs_xstrdup(nm);
			snap_term = a;
			snap_index = b;
		}
	}
	cs_dirents_free(d, nd);
	if (ns == 0 && !snap) {
		free(segs);
		return cs_err(e, -ENOENT, "`%s` holds no raft log (no segment, no snapshot)", dir);
	}
	if (ns > 1)
		qsort(segs, ns, sizeof(*segs), cmp_seg);
	rp r = {.src = src, .dir = dir, .filename = filename, .img = img, .info = info, .diag = diag,
		.diag_ud = diag_ud};
	read_metadata(&r);
	/* from index 1 when the closed segments start there and follow one another */
	bool whole = ns > 0 && !segs[0].open && segs[0].first == 1;
	for (size_t i = 1; i < ns && whole; i++)
		if (!segs[i].open && segs[i].first != segs[i - 1].last + 1)
			whole = false;
	bool use_snap = from == CS_DQLITE_SNAPSHOT || (from == CS_DQLITE_AUTO && !whole && snap);
	if (from == CS_DQLITE_SNAPSHOT && !snap) {
		free(segs);
		return cs_err(e, -ENOENT, "`%s` holds no snapshot", dir);
	}
	int rc = 0;
	for (int pass = 0; pass < 2; pass++) {
		cs_pageimg_free(img);
		pend_clear(&r);
		uint64_t keep_term = info->term, keep_vote = info->voted_for;
		free(info->snapshot_file);
		memset(info, 0, sizeof(*info));
		info->term = keep_term;
		info->voted_for = keep_vote;
		r.bad_index = 0;
		r.start = 1;
		if (use_snap) {
			cs_error se = {0};
			if (load_snapshot(&r, snap, &se) < 0) {
				warn(&r, dir, "%s", se.msg);
				if (ns == 0) {
					rc = cs_err(e, -EBADMSG, "%s", se.msg);
					break;
				}
				use_snap = false;
				pass--;
				continue;
			}
			info->snapshot_index = snap_index;
			info->snapshot_file = cs_xstrdup(snap);
			info->last_applied = snap_index;
			r.start = snap_index + 1;
		} else if (!whole && ns > 0) {
			r.start = segs[0].open ? 1 : segs[0].first;
			if (r.start != 1)
				warn(&r, dir, "`%s`: the log starts at entry %llu and there is no usable snapshot: "
					      "the database is rebuilt from what remains and may be incomplete",
				     dir, (unsigned long long)r.start);
		}
		rc = run_segments(&r, segs, ns);
		if (rc < 0)
			break;
		if (r.bad_index && !use_snap && snap && r.bad_index <= snap_index && pass == 0) {
			_cleanup_free_ char *where = r.cur_file ? cs_path_join(dir, r.cur_file) : cs_xstrdup(dir);
			warn(&r, where, "`%s`: %s; starting over from the snapshot `%s` (entry %llu)", where,
			     r.bad_msg, snap, (unsigned long long)snap_index);
			use_snap = true;
			continue;
		}
		if (r.bad_index) {
			_cleanup_free_ char *where = r.cur_file ? cs_path_join(dir, r.cur_file) : cs_xstrdup(dir);
			warn(&r, where, "`%s`: %s; the database is as of entry %llu (later entries not applied)",
			     where, r.bad_msg, (unsigned long long)info->last_applied);
		}
		break;
	}
	info->pending_frames = r.n_pend;
	pend_clear(&r);
	free(r.pend);
	for (size_t i = 0; i < ns; i++)
		free(segs[i].name);
	free(segs);
	free(snap);
	if (rc == 0 && img->n_pages == 0)
		rc = cs_err(e, -EBADMSG, "`%s`: the raft log holds no page of `%s`", dir, filename);
	if (rc < 0) {
		cs_pageimg_free(img);
		cs_dqlite_info_clear(info);
	}
	return rc;
}

void cs_dqlite_info_clear(cs_dqlite_info *info)
{
	free(info->snapshot_file);
	info->snapshot_file = NULL;
}
