/* bbolt.c - read-only bbolt reader (see bbolt.h for the format).
 *
 * Everything is decoded from byte arrays with explicit little-endian reads,
 * so neither alignment (inline buckets sit at odd offsets) nor host byte
 * order matters. A "page view" is a pointer and a length: a page run of
 * (overflow + 1) pages in the file, or an inline bucket's page image; every
 * element is checked to lie inside its view before it is read.
 */
#include "formats/bbolt.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define PAGE_HDR 16
#define ELEM_SZ 16
#define F_BRANCH 0x01
#define F_LEAF 0x02
#define F_META 0x04
#define F_FREELIST 0x10
#define BOLT_MAGIC 0xED0CDAEDu
#define BUCKET_LEAF_FLAG 0x01

struct cs_bolt {
	char *name;
	uint8_t *data;
	size_t len;
	uint32_t psz;
	uint64_t hwm;    /* pages >= hwm are not part of the tree */
	uint64_t npages; /* whole pages present in the file */
	cs_bolt_info info;
	uint64_t root_seq;
	/* element visits so far and allowed (see bbolt.h); a separate object,
	 * so that reads through the const handles buckets hold can count */
	struct reads {
		uint64_t used, max;
	} *reads;
};

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | ((uint64_t)le32(p + 4) << 32);
}

typedef struct meta {
	bool valid;
	uint32_t psz;
	uint64_t root, seq, freelist, hwm, txid;
} meta;

/* Decodes and validates the meta structure at off (16 bytes into a page). */
static meta read_meta(const uint8_t *d, size_t len, uint64_t off)
{
	meta m = {0};
	if (off > len || len - off < 64)
		return m;
	const uint8_t *p = d + off;
	uint64_t h = 0xcbf29ce484222325ull;
	for (int i = 0; i < 56; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	m.psz = le32(p + 8);
	m.root = le64(p + 16);
	m.seq = le64(p + 24);
	m.freelist = le64(p + 32);
	m.hwm = le64(p + 40);
	m.txid = le64(p + 48);
	m.valid = le32(p) == BOLT_MAGIC && le32(p + 4) == 2 && le64(p + 56) == h && m.psz >= 512 &&
		  m.psz <= (16u << 20) && (m.psz & (m.psz - 1)) == 0;
	return m;
}

/* Opens a database held in data (taking ownership of it, freed on failure). */
static int open_owned(uint8_t *data, size_t len, const char *name, cs_bolt **ret, cs_error *e)
{
	if ((uint64_t)len > CS_BOLT_MAX_FILE) {
		free(data);
		return cs_err(e, -EFBIG, "`%s`: larger than %" PRIu64 " bytes", name, CS_BOLT_MAX_FILE);
	}
	const uint8_t *d = data;
	meta m0 = read_meta(d, len, PAGE_HDR), m1 = {0};
	if (m0.valid) {
		m1 = read_meta(d, len, (uint64_t)m0.psz + PAGE_HDR);
		if (m1.valid && m1.psz != m0.psz)
			m1.valid = false;
	} else {
		/* page 0 torn: find page 1 at each possible page size, as bbolt does */
		for (uint64_t sz = 512; sz <= (16u << 20) && !m1.valid; sz <<= 1) {
			m1 = read_meta(d, len, sz + PAGE_HDR);
			if (m1.valid && m1.psz != sz)
				m1.valid = false;
		}
	}
	if (!m0.valid && !m1.valid) {
		free(data);
		if (len < 2 * 512)
			return cs_err(e, -EBADMSG, "`%s`: not a bbolt database (%zu bytes: too short)", name, len);
		return cs_err(e, -EBADMSG,
			      "`%s`: not a bbolt database, or both meta pages are damaged (magic, version "
			      "or checksum)",
			      name);
	}
	cs_bolt *db = cs_xcalloc(1, sizeof(*db));
	db->name = cs_xstrdup(name);
	db->data = data;
	db->len = len;
	const meta *m;
	bool newer0 = m0.txid >= m1.txid; /* bbolt: the higher txid wins */
	if (m0.valid && m1.valid) {
		m = newer0 ? &m0 : &m1;
		db->info.meta_page = newer0 ? 0 : 1;
	} else if (m0.valid) {
		m = &m0;
		db->info.meta_page = 0;
		db->info.other_damaged = true;
	} else {
		m = &m1;
		db->info.meta_page = 1;
		db->info.other_damaged = true;
	}
	db->psz = m->psz;
	db->hwm = m->hwm;
	db->npages = len / m->psz;
	db->root_seq = m->seq;
	db->info.page_size = m->psz;
	db->info.txid = m->txid;
	db->info.root_pgid = m->root;
	db->info.freelist_pgid = m->freelist;
	db->info.hwm = m->hwm;
	db->info.file_pages = db->npages;
	db->reads = cs_xcalloc(1, sizeof(*db->reads));
	db->reads->max = CS_BOLT_READS_PER_ELEMENT * (uint64_t)(len / 16); /* an element header is 16 bytes */
	if (db->reads->max < CS_BOLT_MIN_READS)
		db->reads->max = CS_BOLT_MIN_READS;
	*ret = db;
	return 0;
}

int cs_bolt_open_mem(const void *data, size_t len, const char *name, cs_bolt **ret, cs_error *e)
{
	if ((uint64_t)len > CS_BOLT_MAX_FILE)
		return cs_err(e, -EFBIG, "`%s`: larger than %" PRIu64 " bytes", name, CS_BOLT_MAX_FILE);
	uint8_t *copy = cs_xmalloc(len ? len : 1);
	memcpy(copy, data, len);
	return open_owned(copy, len, name, ret, e);
}

int cs_bolt_open(cs_source *src, const char *path, cs_bolt **ret, cs_error *e)
{
	char *buf;
	size_t n;
	int r = cs_source_read_file(src, path, (size_t)CS_BOLT_MAX_FILE, &buf, &n, e);
	if (r < 0) {
		if (r == -EFBIG)
			return cs_err(e, r, "`%s`: larger than %" PRIu64 " bytes", path, CS_BOLT_MAX_FILE);
		return r;
	}
	/* the buffer read becomes the database's: no second copy */
	return open_owned((uint8_t *)buf, n, path, ret, e);
}

void cs_bolt_close(cs_bolt *db)
{
	if (!db)
		return;
	free(db->name);
	free(db->data);
	free(db->reads);
	free(db);
}

const char *cs_bolt_name(const cs_bolt *db)
{
	return db->name;
}

void cs_bolt_get_info(const cs_bolt *db, cs_bolt_info *ret)
{
	*ret = db->info;
}

void cs_bolt_root(const cs_bolt *db, cs_bolt_bucket *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->db = db;
	ret->root = db->info.root_pgid;
	ret->sequence = db->root_seq;
}

/* --- pages --- */

typedef struct view {
	const uint8_t *p;
	size_t len;
	uint16_t flags, count;
	uint64_t pgid; /* for messages; 0 for inline pages */
	bool inl;
} view;

static int bad(const cs_bolt *db, cs_error *e, uint64_t pgid, bool inl, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int bad(const cs_bolt *db, cs_error *e, uint64_t pgid, bool inl, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (inl)
		return cs_err(e, -EBADMSG, "`%s`: inline bucket in page %" PRIu64 ": %s", db->name, pgid, msg);
	return cs_err(e, -EBADMSG, "`%s`: page %" PRIu64 ": %s", db->name, pgid, msg);
}

/* The page run starting at pgid, checked. */
static int page_view(const cs_bolt *db, uint64_t pgid, view *v, cs_error *e)
{
	if (pgid < 2)
		return bad(db, e, pgid, false, "a tree refers to a meta page");
	if (pgid >= db->hwm)
		return bad(db, e, pgid, false, "past the database's high-water mark (%" PRIu64 " pages)", db->hwm);
	if (pgid >= db->npages)
		return bad(db, e, pgid, false, "past the end of the file (%" PRIu64 " pages: truncated?)",
			   db->npages);
	const uint8_t *p = db->data + pgid * db->psz;
	uint64_t id = le64(p);
	uint32_t ovf = le32(p + 12);
	if (id != pgid)
		return bad(db, e, pgid, false, "its header says page %" PRIu64 " (damaged or not a tree page)", id);
	if ((uint64_t)ovf >= db->npages - pgid)
		return bad(db, e, pgid, false, "overflow of %" PRIu32 " pages runs past the end of the file", ovf);
	v->p = p;
	v->len = (size_t)((uint64_t)(ovf + 1) * db->psz);
	v->flags = le16(p + 8);
	v->count = le16(p + 10);
	v->pgid = pgid;
	v->inl = false;
	if (!(v->flags & (F_BRANCH | F_LEAF)) || (v->flags & F_BRANCH && v->flags & F_LEAF))
		return bad(db, e, pgid, false, "not a branch or leaf page (flags 0x%x)", v->flags);
	if (PAGE_HDR + (size_t)v->count * ELEM_SZ > v->len)
		return bad(db, e, pgid, false, "%u elements do not fit in the page", v->count);
	return 0;
}

static int inline_view(const cs_bolt_bucket *b, view *v, cs_error *e)
{
	v->p = b->inl;
	v->len = b->inl_len;
	v->pgid = 0;
	v->inl = true;
	if (b->inl_len < PAGE_HDR)
		return bad(b->db, e, 0, true, "shorter than a page header");
	v->flags = le16(b->inl + 8);
	v->count = le16(b->inl + 10);
	if (v->flags != F_LEAF)
		return bad(b->db, e, 0, true, "not a leaf page (flags 0x%x)", v->flags);
	if (PAGE_HDR + (size_t)v->count * ELEM_SZ > v->len)
		return bad(b->db, e, 0, true, "%u elements do not fit", v->count);
	return 0;
}

/* Element i of a checked view: key, value (leaf) or child (branch). */
static int elem(const cs_bolt *db, const view *v, size_t i, const uint8_t **k, size_t *kl, const uint8_t **val,
		size_t *vl, uint32_t *flags, uint64_t *child, cs_error *e)
{
	*k = NULL; /* set on every path: callers read them only on success, which compilers cannot always see */
	*kl = 0;
	if (++db->reads->used > db->reads->max)
		return cs_err(e, -E2BIG,
			      "`%s`: more than %" PRIu64 " elements read: pages shared between buckets repeat the "
			      "same records over and over; nothing more is read from this file",
			      db->name, db->reads->max);
	size_t off = PAGE_HDR + i * ELEM_SZ;
	const uint8_t *el = v->p + off;
	uint64_t pos, ks, vs = 0;
	if (v->flags & F_BRANCH) {
		pos = le32(el);
		ks = le32(el + 4);
		*child = le64(el + 8);
	} else {
		*flags = le32(el);
		pos = le32(el + 4);
		ks = le32(el + 8);
		vs = le32(el + 12);
	}
	if (off + pos + ks + vs > v->len)
		return bad(db, e, v->pgid, v->inl, "element %zu lies outside the page (offset %" PRIu64 ", %" PRIu64
			   " + %" PRIu64 " bytes)", i, off + pos, ks, vs);
	if (ks == 0)
		return bad(db, e, v->pgid, v->inl, "element %zu has an empty key", i);
	*k = el + pos;
	*kl = (size_t)ks;
	if (!(v->flags & F_BRANCH)) {
		*val = el + pos + ks;
		*vl = (size_t)vs;
	}
	return 0;
}

static int keycmp(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
	int c = memcmp(a, b, al < bl ? al : bl);
	if (c)
		return c;
	return al < bl ? -1 : al > bl ? 1 : 0;
}

static int root_view(const cs_bolt_bucket *b, view *v, cs_error *e)
{
	return b->inl ? inline_view(b, v, e) : page_view(b->db, b->root, v, e);
}

int cs_bolt_get(const cs_bolt_bucket *b, const void *key, size_t klen, const uint8_t **ret_val, size_t *ret_len,
		bool *is_bucket, cs_error *e)
{
	view v;
	int r = root_view(b, &v, e);
	if (r < 0)
		return r;
	for (unsigned depth = 0;; depth++) {
		if (v.flags & F_LEAF) {
			for (size_t i = 0; i < v.count; i++) {
				const uint8_t *k, *val = NULL;
				size_t kl, vl = 0;
				uint32_t fl = 0;
				uint64_t ch;
				if ((r = elem(b->db, &v, i, &k, &kl, &val, &vl, &fl, &ch, e)) < 0)
					return r;
				if (keycmp(k, kl, key, klen) == 0) {
					*ret_val = val;
					*ret_len = vl;
					if (is_bucket)
						*is_bucket = fl & BUCKET_LEAF_FLAG;
					return 1;
				}
			}
			return 0;
		}
		if (depth >= CS_BOLT_MAX_TREE)
			return bad(b->db, e, v.pgid, false, "branch pages nested deeper than %d (a cycle?)",
				   CS_BOLT_MAX_TREE);
		/* the last child whose first key is <= key */
		uint64_t next = 0;
		bool found = false;
		for (size_t i = 0; i < v.count; i++) {
			const uint8_t *k = NULL, *val = NULL;
			size_t kl = 0, vl = 0;
			uint32_t fl = 0;
			uint64_t ch = 0;
			if ((r = elem(b->db, &v, i, &k, &kl, &val, &vl, &fl, &ch, e)) < 0)
				return r;
			if (i == 0 || keycmp(k, kl, key, klen) <= 0) {
				next = ch;
				found = true;
			}
			if (keycmp(k, kl, key, klen) > 0)
				break;
		}
		if (!found)
			return 0;
		if ((r = page_view(b->db, next, &v, e)) < 0)
			return r;
	}
}

int cs_bolt_get_str(const cs_bolt_bucket *b, const char *key, const uint8_t **ret_val, size_t *ret_len,
		    cs_error *e)
{
	bool isb = false;
	const uint8_t *v;
	size_t l;
	int r = cs_bolt_get(b, key, strlen(key), &v, &l, &isb, e);
	if (r <= 0 || isb)
		return r < 0 ? r : 0;
	*ret_val = v;
	*ret_len = l;
	return 1;
}

int cs_bolt_bucket_from(const cs_bolt_bucket *parent, const uint8_t *val, size_t len, cs_bolt_bucket *ret,
			cs_error *e)
{
	const cs_bolt *db = parent->db;
	unsigned nest = parent->nest; /* ret may be parent */
	if (nest + 1 > CS_BOLT_MAX_NEST)
		return cs_err(e, -EBADMSG, "`%s`: buckets nested deeper than %d", db->name, CS_BOLT_MAX_NEST);
	if (len < 16)
		return cs_err(e, -EBADMSG, "`%s`: a bucket header of %zu bytes (16 expected)", db->name, len);
	memset(ret, 0, sizeof(*ret));
	ret->db = db;
	ret->root = le64(val);
	ret->sequence = le64(val + 8);
	ret->nest = nest + 1;
	if (ret->root == 0) {
		ret->inl = val + 16;
		ret->inl_len = len - 16;
		if (ret->inl_len < PAGE_HDR)
			return cs_err(e, -EBADMSG, "`%s`: an inline bucket of %zu bytes", db->name, ret->inl_len);
	}
	return 0;
}

int cs_bolt_bucket_open(const cs_bolt_bucket *b, const char *key, cs_bolt_bucket *ret, cs_error *e)
{
	const uint8_t *v;
	size_t l;
	bool isb = false;
	int r = cs_bolt_get(b, key, strlen(key), &v, &l, &isb, e);
	if (r <= 0)
		return r;
	if (!isb)
		return 0;
	r = cs_bolt_bucket_from(b, v, l, ret, e);
	if (r < 0)
		cs_err_prefix(e, "bucket `%s`", key);
	return r < 0 ? r : 1;
}

static int check_cb(void *ud, const uint8_t *k, size_t kl, const uint8_t *v, size_t vl, bool isb)
{
	(void)ud, (void)k, (void)kl, (void)v, (void)vl, (void)isb;
	return 0;
}

int cs_bolt_check(const cs_bolt_bucket *b, cs_error *e)
{
	return cs_bolt_foreach(b, check_cb, NULL, e);
}

int cs_bolt_foreach(const cs_bolt_bucket *b, cs_bolt_fn fn, void *ud, cs_error *e)
{
	typedef struct frame {
		view v;
		size_t i;
	} frame;
	frame st[CS_BOLT_MAX_TREE + 1];
	size_t depth = 0;
	uint8_t *seen = NULL; /* pages visited in this walk, allocated at the first branch */
	int r = root_view(b, &st[0].v, e);
	if (r < 0)
		return r;
	st[0].i = 0;
	depth = 1;
	while (depth > 0) {
		frame *f = &st[depth - 1];
		if (f->i >= f->v.count) {
			depth--;
			continue;
		}
		size_t i = f->i++;
		const uint8_t *k, *val = NULL;
		size_t kl, vl = 0;
		uint32_t fl = 0;
		uint64_t ch = 0;
		if ((r = elem(b->db, &f->v, i, &k, &kl, &val, &vl, &fl, &ch, e)) < 0)
			goto out;
		if (f->v.flags & F_LEAF) {
			r = fn(ud, k, kl, val, vl, fl & BUCKET_LEAF_FLAG);
			if (r)
				goto out;
			continue;
		}
		if (!seen) {
			seen = cs_xcalloc((size_t)(b->db->npages / 8 + 1), 1);
			if (!f->v.inl && f->v.pgid < b->db->npages)
				seen[f->v.pgid / 8] |= (uint8_t)(1u << (f->v.pgid % 8));
		}
		if (depth > CS_BOLT_MAX_TREE) {
			r = bad(b->db, e, f->v.pgid, false, "branch pages nested deeper than %d", CS_BOLT_MAX_TREE);
			goto out;
		}
		if (ch < b->db->npages && (seen[ch / 8] & (1u << (ch % 8)))) {
			r = bad(b->db, e, f->v.pgid, false, "element %zu points back to page %" PRIu64 " (a cycle)", i,
				ch);
			goto out;
		}
		view cv;
		if ((r = page_view(b->db, ch, &cv, e)) < 0) {
			cs_err_prefix(e, "child of page %" PRIu64, f->v.pgid);
			goto out;
		}
		seen[ch / 8] |= (uint8_t)(1u << (ch % 8));
		st[depth].v = cv;
		st[depth].i = 0;
		depth++;
	}
	r = 0;
out:
	free(seen);
	return r;
}

int cs_bolt_freelist(const cs_bolt *db, uint64_t **ret, size_t *ret_n, cs_error *e)
{
	*ret = NULL;
	*ret_n = 0;
	uint64_t pg = db->info.freelist_pgid;
	if (pg == UINT64_MAX)
		return 0; /* not stored (NoFreelistSync) */
	if (pg < 2 || pg >= db->npages)
		return bad(db, e, pg, false, "the freelist page is outside the file");
	const uint8_t *p = db->data + pg * db->psz;
	uint32_t ovf = le32(p + 12);
	if ((uint64_t)ovf >= db->npages - pg)
		return bad(db, e, pg, false, "freelist overflow runs past the end of the file");
	if (!(le16(p + 8) & F_FREELIST))
		return bad(db, e, pg, false, "not a freelist page");
	size_t avail = (size_t)((uint64_t)(ovf + 1) * db->psz) - PAGE_HDR;
	uint64_t n = le16(p + 10);
	const uint8_t *ids = p + PAGE_HDR;
	if (n == 0xFFFF) {
		if (avail < 8)
			return bad(db, e, pg, false, "freelist count missing");
		n = le64(ids);
		ids += 8;
		avail -= 8;
	}
	if (n > avail / 8)
		return bad(db, e, pg, false, "freelist of %" PRIu64 " ids does not fit", n);
	uint64_t *v = cs_xcalloc((size_t)n + 1, sizeof(*v));
	for (uint64_t i = 0; i < n; i++)
		v[i] = le64(ids + 8 * i);
	*ret = v;
	*ret_n = (size_t)n;
	return 0;
}
