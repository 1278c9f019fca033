/* Unit tests: the bbolt reader, Go time and protobuf decoders.
 *
 * Counts on the real containerd databases (../shared/realdata, skipped when
 * absent) are those the project's containerd guide verified with bbolt's own
 * tools; damaged files are made in memory from a real one or from scratch.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/bbolt.h"
#include "formats/gotime.h"
#include "formats/protowire.h"
#include "tap.h"

static char *realdata(const char *rel)
{
	const char *shared = getenv("CSLEUTH_SHARED"), *src = getenv("CSLEUTH_SRCDIR");
	char *p = shared ? cs_xasprintf("%s/realdata/container-explorer/%s", shared, rel)
			 : cs_xasprintf("%s/../shared/realdata/container-explorer/%s", src ? src : ".", rel);
	FILE *f = fopen(p, "rb");
	if (!f) {
		free(p);
		return NULL;
	}
	fclose(f);
	return p;
}

static uint8_t *slurp(const char *p, size_t *n)
{
	FILE *f = fopen(p, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long l = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *b = malloc((size_t)l);
	*n = fread(b, 1, (size_t)l, f);
	fclose(f);
	return b;
}

typedef struct counter {
	size_t keys, buckets;
} counter;

static int count_cb(void *ud, const uint8_t *k, size_t kl, const uint8_t *v, size_t vl, bool isb)
{
	(void)k, (void)kl, (void)v, (void)vl;
	counter *c = ud;
	c->keys++;
	c->buckets += isb;
	return 0;
}

static int open_path(const cs_bolt_bucket *root, cs_bolt_bucket *ret, const char *const *path, size_t n)
{
	cs_bolt_bucket b = *root;
	for (size_t i = 0; i < n; i++) {
		cs_bolt_bucket nb;
		if (cs_bolt_bucket_open(&b, path[i], &nb, NULL) != 1)
			return -1;
		b = nb;
	}
	*ret = b;
	return 0;
}

typedef struct snapstat {
	const cs_bolt_bucket *parent;
	size_t n, committed, active, views;
} snapstat;

static int snap_cb(void *ud, const uint8_t *k, size_t kl, const uint8_t *v, size_t vl, bool isb)
{
	(void)k, (void)kl;
	snapstat *s = ud;
	if (!isb)
		return 0;
	cs_bolt_bucket b;
	if (cs_bolt_bucket_from(s->parent, v, vl, &b, NULL) < 0)
		return 0;
	s->n++;
	const uint8_t *kind;
	size_t klen;
	if (cs_bolt_get_str(&b, "kind", &kind, &klen, NULL) == 1 && klen == 1) {
		s->committed += kind[0] == 3;
		s->active += kind[0] == 2;
		s->views += kind[0] == 1;
	}
	return 0;
}

static void test_snapshotter(const char *rel, uint64_t txid, unsigned meta_page, size_t n, size_t committed,
			     size_t active, size_t links, uint64_t seq)
{
	char *p = realdata(rel);
	if (!p) {
		tap_ok(1, "# SKIP %s: ../shared/realdata is absent", rel);
		return;
	}
	cs_source *src;
	cs_error e = {0};
	cs_bolt *db = NULL;
	tap_ok(cs_source_open_dir("/", 0, &src, &e) == 0 && cs_bolt_open(src, p + 1, &db, &e) == 0, "%s opens", rel);
	if (!db) {
		printf("# %s\n", e.msg);
		free(p);
		return;
	}
	cs_bolt_info in;
	cs_bolt_get_info(db, &in);
	tap_ok(in.txid == txid && in.meta_page == meta_page && in.page_size == 4096,
	       "%s: meta page %u with txid %llu", rel, in.meta_page, (unsigned long long)in.txid);
	cs_bolt_bucket root, snaps, parents;
	cs_bolt_root(db, &root);
	static const char *const ps[] = {"v1", "snapshots"}, *const pp[] = {"v1", "parents"};
	tap_ok(open_path(&root, &snaps, ps, 2) == 0 && open_path(&root, &parents, pp, 2) == 0, "%s: v1/snapshots, v1/parents",
	       rel);
	snapstat s = {.parent = &snaps};
	tap_ok(cs_bolt_foreach(&snaps, snap_cb, &s, &e) == 0, "%s: walk snapshots", rel);
	tap_ok(s.n == n && s.committed == committed && s.active == active,
	       "%s: %zu snapshots (%zu committed, %zu active), want %zu (%zu, %zu)", rel, s.n, s.committed,
	       s.active, n, committed, active);
	tap_ok(snaps.sequence == seq, "%s: snapshots sequence %llu, want %llu", rel,
	       (unsigned long long)snaps.sequence, (unsigned long long)seq);
	counter c = {0};
	tap_ok(cs_bolt_foreach(&parents, count_cb, &c, &e) == 0 && c.keys == links, "%s: %zu parent links, want %zu", rel,
	       c.keys, links);
	cs_bolt_close(db);
	cs_source_close(src);
	free(p);
}

typedef struct nsstat {
	const cs_bolt_bucket *parent;
	char names[8][32];
	size_t n;
	size_t containers[8], images[8], blobs[8], snaps[8];
} nsstat;

static size_t count_in(const cs_bolt_bucket *ns, const char *const *path, size_t n)
{
	cs_bolt_bucket b;
	if (open_path(ns, &b, path, n) < 0)
		return 0;
	counter c = {0};
	(void)cs_bolt_foreach(&b, count_cb, &c, NULL);
	return c.keys;
}

static int ns_cb(void *ud, const uint8_t *k, size_t kl, const uint8_t *v, size_t vl, bool isb)
{
	nsstat *s = ud;
	if (!isb || s->n >= 8)
		return 0;
	cs_bolt_bucket ns;
	if (cs_bolt_bucket_from(s->parent, v, vl, &ns, NULL) < 0)
		return 0;
	snprintf(s->names[s->n], 32, "%.*s", (int)kl, (const char *)k);
	static const char *const c[] = {"containers"}, *const i[] = {"images"}, *const b[] = {"content", "blob"},
			  *const sn[] = {"snapshots", "overlayfs"};
	s->containers[s->n] = count_in(&ns, c, 1);
	s->images[s->n] = count_in(&ns, i, 1);
	s->blobs[s->n] = count_in(&ns, b, 2);
	s->snaps[s->n] = count_in(&ns, sn, 2);
	s->n++;
	return 0;
}

/* The offset of the vsize field of the first leaf element keyed "spec" in
 * the file's own pages (bbolt: a 16-byte page header, flags 0x02 for a leaf,
 * then count elements of flags, pos, ksize, vsize; pos counts from the
 * element), or 0. */
static size_t spec_vsize(const uint8_t *d, size_t len, size_t psz)
{
	for (size_t pg = 0; (pg + 1) * psz <= len; pg++) {
		const uint8_t *p = d + pg * psz;
		unsigned flags = p[8] | p[9] << 8, count = p[10] | p[11] << 8;
		if (flags != 0x02 || 16 + 16 * (size_t)count > psz)
			continue;
		for (unsigned i = 0; i < count; i++) {
			const uint8_t *el = p + 16 + 16 * i;
			uint32_t pos, ks;
			memcpy(&pos, el + 4, 4);
			memcpy(&ks, el + 8, 4);
			size_t at = pg * psz + 16 + 16 * i + pos;
			if (ks == 4 && at + 4 <= len && memcmp(d + at, "spec", 4) == 0)
				return (size_t)(el + 12 - d);
		}
	}
	return 0;
}

static void test_meta_db(void)
{
	char *p = realdata("dfirlabs/meta.db");
	if (!p) {
		tap_ok(1, "# SKIP meta.db: ../shared/realdata is absent");
		return;
	}
	size_t len;
	uint8_t *d = slurp(p, &len);
	cs_bolt *db;
	cs_error e = {0};
	tap_ok(cs_bolt_open_mem(d, len, "meta.db", &db, &e) == 0, "dfirlabs meta.db opens");
	cs_bolt_info in;
	cs_bolt_get_info(db, &in);
	tap_ok(in.txid == 133 && in.meta_page == 1 && in.hwm == 65, "meta.db: txid 133 on page 1, hwm 65");
	cs_bolt_bucket root, v1;
	cs_bolt_root(db, &root);
	tap_ok(cs_bolt_bucket_open(&root, "v1", &v1, &e) == 1, "meta.db: v1");
	const uint8_t *ver;
	size_t vl;
	int64_t version = 0;
	tap_ok(cs_bolt_get_str(&v1, "version", &ver, &vl, &e) == 1 && cs_go_varint(ver, vl, &version) == 0 &&
		       version == 3,
	       "meta.db: schema version 3 (zigzag varint)");
	nsstat s = {.parent = &v1};
	tap_ok(cs_bolt_foreach(&v1, ns_cb, &s, &e) == 0, "meta.db: namespaces walk");
	tap_ok(s.n == 2 && strcmp(s.names[0], "default") == 0 && strcmp(s.names[1], "dfirlabs") == 0,
	       "meta.db: namespaces default and dfirlabs");
	for (size_t i = 0; i < s.n && i < 2; i++)
		tap_ok(s.containers[i] == 1 && s.images[i] == 1 && s.blobs[i] == 9 && s.snaps[i] == 7,
		       "meta.db: %s: 1 container, 1 image, 9 blobs, 7 snapshots (got %zu %zu %zu %zu)", s.names[i],
		       s.containers[i], s.images[i], s.blobs[i], s.snaps[i]);
	/* a container's times and spec */
	cs_bolt_bucket ct;
	static const char *const cp[] = {"default", "containers", "nginx-specimen"};
	tap_ok(open_path(&v1, &ct, cp, 3) == 0, "meta.db: default/containers/nginx-specimen");
	const uint8_t *tv, *spec;
	size_t tl, sl;
	cs_time t = 0;
	tap_ok(cs_bolt_get_str(&ct, "createdat", &tv, &tl, &e) == 1 && cs_gotime_decode(tv, tl, &t, NULL) == 0 &&
		       CS_TIME_IS_REAL(t),
	       "createdat decodes");
	const uint8_t *url, *val;
	size_t ul, vl2;
	const char *why = NULL;
	tap_ok(cs_bolt_get_str(&ct, "spec", &spec, &sl, &e) == 1 && sl == 3214 &&
		       cs_pb_any(spec, sl, &url, &ul, &val, &vl2, &why) == 0 &&
		       ul == strlen("types.containerd.io/opencontainers/runtime-spec/1/Spec") && vl2 > 0 && val[0] == '{',
	       "spec: a protobuf Any of 3214 bytes holding JSON");
	tap_ok(cs_bolt_check(&ct, &e) == 0, "check: the record's pages are sound");
	uint64_t *fl;
	size_t nf;
	tap_ok(cs_bolt_freelist(db, &fl, &nf, &e) == 0 && nf == 10, "meta.db: 10 free pages (got %zu)", nf);
	free(fl);
	cs_bolt_close(db);

	/* a torn newer meta page: the older one is the database */
	uint8_t *c = malloc(len);
	memcpy(c, d, len);
	c[4096 + 16 + 56] ^= 0xff; /* page 1's checksum */
	tap_ok(cs_bolt_open_mem(c, len, "torn.db", &db, &e) == 0, "torn page 1: opens");
	cs_bolt_get_info(db, &in);
	tap_ok(in.meta_page == 0 && in.txid == 132 && in.other_damaged, "torn page 1: page 0 (txid 132) used");
	cs_bolt_close(db);
	/* both torn */
	c[16 + 56] ^= 0xff;
	tap_ok(cs_bolt_open_mem(c, len, "both.db", &db, &e) == -EBADMSG && strstr(e.msg, "both.db"),
	       "both meta pages damaged: an error naming the file (%s)", e.msg);
	/* truncated: the tree's pages are past the end */
	tap_ok(cs_bolt_open_mem(d, 40 * 4096, "cut.db", &db, &e) == 0, "truncated file: opens");
	cs_bolt_root(db, &root);
	counter cc = {0};
	int r = cs_bolt_foreach(&root, count_cb, &cc, &e);
	tap_ok(r == -EBADMSG && strstr(e.msg, "cut.db") && strstr(e.msg, "page 60") && strstr(e.msg, "past the end"),
	       "truncated file: the root page past the end is reported with file and page (%s)", e.msg);
	cs_bolt_close(db);
	/* a page number past the high-water mark */
	memcpy(c, d, len);
	uint8_t *root_page = c + 60 * 4096;
	/* v1's bucket value: root pgid in the first element's value */
	uint32_t pos = root_page[16 + 4] | root_page[16 + 5] << 8;
	uint32_t ks = root_page[16 + 8] | root_page[16 + 9] << 8;
	uint8_t *bv = root_page + 16 + pos + ks;
	bv[0] = 200; /* page 200 >= hwm 65 */
	tap_ok(cs_bolt_open_mem(c, len, "hwm.db", &db, &e) == 0, "bad child page: opens");
	cs_bolt_root(db, &root);
	r = cs_bolt_bucket_open(&root, "v1", &v1, &e);
	cc.keys = 0;
	r = r == 1 ? cs_bolt_foreach(&v1, count_cb, &cc, &e) : r;
	tap_ok(r == -EBADMSG && strstr(e.msg, "page 200") && strstr(e.msg, "high-water"),
	       "a page number past the high-water mark is reported (%s)", e.msg);
	cs_bolt_close(db);
	/* the record's spec element says its value runs past its page: the
	 * record opens, and cs_bolt_check names the page and the element */
	memcpy(c, d, len);
	size_t hit = spec_vsize(c, len, 4096);
	tap_ok(hit != 0, "spec: its leaf element is found");
	if (hit)
		c[hit + 3] = 0x7f;
	tap_ok(cs_bolt_open_mem(c, len, "spec.db", &db, &e) == 0, "element damage: opens");
	cs_bolt_root(db, &root);
	r = cs_bolt_bucket_open(&root, "v1", &v1, &e) == 1 ? open_path(&v1, &ct, cp, 3) : -1;
	r = r == 0 ? cs_bolt_check(&ct, &e) : 1;
	tap_ok(r == -EBADMSG && strstr(e.msg, "spec.db") && strstr(e.msg, "outside the page"),
	       "check: an element past its page is named (%s)", e.msg);
	cs_bolt_close(db);
	/* an overflow count past the file */
	memcpy(c, d, len);
	c[59 * 4096 + 12] = 0xff, c[59 * 4096 + 13] = 0xff;
	tap_ok(cs_bolt_open_mem(c, len, "ovf.db", &db, &e) == 0, "overflow damage: opens");
	cs_bolt_root(db, &root);
	r = cs_bolt_bucket_open(&root, "v1", &v1, &e);
	r = r == 1 ? cs_bolt_foreach(&v1, count_cb, &cc, &e) : r;
	tap_ok(r == -EBADMSG && strstr(e.msg, "page 59") && strstr(e.msg, "overflow"),
	       "an overflow past the end is reported (%s)", e.msg);
	cs_bolt_close(db);
	free(c);
	free(d);
	free(p);
}

/* A branch page whose child is itself: the walk stops with "a cycle". */
static void test_cycle(void)
{
	char *p = realdata("gke/node/metadata.db");
	if (!p) {
		tap_ok(1, "# SKIP cycle: ../shared/realdata is absent");
		return;
	}
	size_t len;
	uint8_t *d = slurp(p, &len);
	size_t br = 0;
	for (size_t pg = 2; pg < len / 4096 && !br; pg++)
		if (d[pg * 4096 + 8] == 0x01 && d[pg * 4096] == (pg & 0xff))
			br = pg;
	tap_ok(br != 0, "a branch page exists in gke/node (page %zu)", br);
	/* point its second child back at a page already on the path */
	uint8_t *el = d + br * 4096 + 16 + 16;
	for (int i = 0; i < 8; i++)
		el[8 + i] = (uint8_t)(br >> (8 * i));
	cs_bolt *db;
	cs_error e = {0};
	tap_ok(cs_bolt_open_mem(d, len, "cycle.db", &db, &e) == 0, "cycle: opens");
	cs_bolt_bucket root, snaps;
	cs_bolt_root(db, &root);
	static const char *const ps[] = {"v1", "snapshots"};
	counter c = {0};
	int r = open_path(&root, &snaps, ps, 2);
	r = r == 0 ? cs_bolt_foreach(&snaps, count_cb, &c, &e) : -1;
	int r2 = cs_bolt_foreach(&root, count_cb, &c, NULL);
	(void)r2;
	/* the damaged branch belongs to one of the v1 buckets; walk both */
	cs_bolt_bucket parents;
	static const char *const pp[] = {"v1", "parents"};
	int r3 = open_path(&root, &parents, pp, 2) == 0 ? cs_bolt_foreach(&parents, count_cb, &c, &e) : -1;
	tap_ok((r == -EBADMSG || r3 == -EBADMSG) && strstr(e.msg, "cycle") && strstr(e.msg, "cycle.db"),
	       "a page cycle is reported, not followed (%s)", e.msg);
	cs_bolt_close(db);
	free(d);
	free(p);
}

/* Builds a database whose root bucket holds buckets nested depth deep
 * (inline, each holding the next under key "a"). */
static uint8_t *deep_db(size_t depth, size_t *ret_len)
{
	/* depth levels of [bucket header 16][leaf header 16][element 16]["a"]
	 * around an empty inline leaf (bucket header + leaf header): built in
	 * one buffer, outermost first, each element's value running to the end */
	size_t n = depth * 49 + 32;
	uint8_t *b = calloc(1, n);
	for (size_t i = 0; i < depth; i++) {
		uint8_t *pg = b + i * 49 + 16;
		pg[8] = 0x02, pg[10] = 1;
		uint8_t *el = pg + 16;
		uint32_t vs = (uint32_t)(n - (i * 49 + 49));
		el[0] = 1;  /* bucket */
		el[4] = 16; /* pos relative to the element */
		el[8] = 1;  /* ksize */
		memcpy(el + 12, &vs, 4);
		el[16] = 'a';
	}
	b[depth * 49 + 16 + 8] = 0x02; /* the innermost: an empty leaf */
	/* page 2 (leaf, with overflow) holds key "a" -> b minus its own bucket header? no: the root bucket's page */
	size_t psz = 4096, body = 16 + 16 + 1 + n;
	size_t pages = (body + psz - 1) / psz;
	size_t len = (2 + pages) * psz;
	uint8_t *d = calloc(1, len);
	uint8_t *pg = d + 2 * psz;
	pg[0] = 2, pg[8] = 0x02, pg[10] = 1;
	uint32_t ovf = (uint32_t)(pages - 1);
	memcpy(pg + 12, &ovf, 4);
	uint8_t *el = pg + 16;
	el[0] = 1, el[4] = 16, el[8] = 1;
	uint32_t vs = (uint32_t)n;
	memcpy(el + 12, &vs, 4);
	el[16] = 'a';
	memcpy(el + 17, b, n);
	free(b);
	for (int m = 0; m < 2; m++) {
		uint8_t *mp = d + m * psz;
		mp[0] = (uint8_t)m, mp[8] = 0x04;
		uint8_t *q = mp + 16;
		uint32_t magic = 0xED0CDAED, ver = 2, ps = (uint32_t)psz;
		uint64_t root = 2, fl = UINT64_MAX, hwm = 2 + pages, txid = (uint64_t)m + 1;
		memcpy(q, &magic, 4), memcpy(q + 4, &ver, 4), memcpy(q + 8, &ps, 4);
		memcpy(q + 16, &root, 8), memcpy(q + 32, &fl, 8), memcpy(q + 40, &hwm, 8), memcpy(q + 48, &txid, 8);
		uint64_t h = 0xcbf29ce484222325ull;
		for (int i = 0; i < 56; i++)
			h = (h ^ q[i]) * 0x100000001b3ull;
		memcpy(q + 56, &h, 8);
	}
	*ret_len = len;
	return d;
}

static void test_deep(void)
{
	size_t len;
	uint8_t *d = deep_db(10000, &len);
	cs_bolt *db;
	cs_error e = {0};
	tap_ok(cs_bolt_open_mem(d, len, "deep.db", &db, &e) == 0, "10,000 nested buckets: opens (%s)", e.msg);
	cs_bolt_bucket b;
	cs_bolt_root(db, &b);
	int r = 1;
	size_t k = 0;
	while (r == 1 && k < 20000) {
		cs_bolt_bucket nb;
		r = cs_bolt_bucket_open(&b, "a", &nb, &e);
		if (r == 1) {
			b = nb;
			k++;
		}
	}
	tap_ok(r == -EBADMSG && k == CS_BOLT_MAX_NEST && strstr(e.msg, "deep.db") && strstr(e.msg, "nested"),
	       "descent stops at %d levels with a message (%zu: %s)", CS_BOLT_MAX_NEST, k, e.msg);
	cs_bolt_close(db);
	free(d);
	d = deep_db(3, &len);
	tap_ok(cs_bolt_open_mem(d, len, "deep3.db", &db, &e) == 0, "3 nested inline buckets: opens");
	cs_bolt_root(db, &b);
	for (k = 0; k < 5 && cs_bolt_bucket_open(&b, "a", &b, &e) == 1; k++)
		;
	counter c = {0};
	tap_ok(k == 4 && b.inl && cs_bolt_foreach(&b, count_cb, &c, &e) == 0 && c.keys == 0,
	       "4 nested inline buckets: the innermost is empty");
	cs_bolt_close(db);
	free(d);
}

static void test_gotime(void)
{
	/* 2023-05-01T12:34:56.123456789Z: unix 1682944496 + 62135596800 */
	uint8_t v[15] = {1};
	uint64_t s = 1682944496ull + 62135596800ull;
	for (int i = 0; i < 8; i++)
		v[1 + i] = (uint8_t)(s >> (56 - 8 * i));
	uint32_t ns = 123456789;
	v[9] = (uint8_t)(ns >> 24), v[10] = (uint8_t)(ns >> 16), v[11] = (uint8_t)(ns >> 8), v[12] = (uint8_t)ns;
	v[13] = 0xff, v[14] = 0xff;
	cs_time t;
	int32_t off;
	char buf[CS_TIME_STRMAX];
	tap_ok(cs_gotime_decode(v, 15, &t, &off) == 0 && cs_time_format(t, buf) &&
		       strcmp(buf, "2023-05-01T12:34:56.123456789Z") == 0 && off == INT32_MIN,
	       "Go time v1, UTC: %s", buf);
	v[13] = 0x02, v[14] = 0x1c; /* +540 minutes: the same instant, written in +09:00 */
	tap_ok(cs_gotime_decode(v, 15, &t, &off) == 0 && cs_time_format(t, buf) &&
		       strcmp(buf, "2023-05-01T12:34:56.123456789Z") == 0 && off == 540 * 60,
	       "Go time v1, +09:00: the instant is unchanged");
	tap_ok(cs_gotime_decode(v, 14, &t, NULL) == -EBADMSG, "Go time: 14 bytes is malformed");
	v[0] = 3;
	tap_ok(cs_gotime_decode(v, 15, &t, NULL) == -EBADMSG, "Go time: version 3 is malformed");
	v[0] = 1, v[9] = 0xff;
	tap_ok(cs_gotime_decode(v, 15, &t, NULL) == -EBADMSG, "Go time: nanoseconds >= 1e9 are malformed");
	uint8_t z[15] = {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	tap_ok(cs_gotime_decode(z, 15, &t, NULL) == 0 && t == CS_TIME_NEVER, "Go's zero time is never");
	uint8_t big[15] = {1, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0xff, 0xff};
	tap_ok(cs_gotime_decode(big, 15, &t, NULL) == -ERANGE, "Go time past 2262: out of range");
}

static void test_pb(void)
{
	int64_t v;
	uint64_t u;
	static const uint8_t six[] = {0x06}, neg[] = {0x05}, big[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02};
	tap_ok(cs_go_varint(six, 1, &v) == 0 && v == 3, "zigzag 0x06 = 3");
	tap_ok(cs_go_varint(neg, 1, &v) == 0 && v == -3, "zigzag 0x05 = -3");
	tap_ok(cs_go_uvarint(big, sizeof(big), &u) == -EBADMSG, "a varint past 64 bits is malformed");
	static const uint8_t two[] = {0x96, 0x01, 0x00};
	tap_ok(cs_go_uvarint(two, 3, &u) == -EBADMSG, "trailing bytes after a varint are an error");
	tap_ok(cs_go_uvarint(two, 2, &u) == 0 && u == 150, "uvarint 150");
	static const uint8_t any[] = {0x0a, 0x03, 'a', '/', 'b', 0x12, 0x02, '{', '}'};
	const uint8_t *url, *val;
	size_t ul, vl;
	const char *why = NULL;
	tap_ok(cs_pb_any(any, sizeof(any), &url, &ul, &val, &vl, &why) == 0 && ul == 3 && vl == 2 && val[0] == '{',
	       "an Any: url and value");
	static const uint8_t cut[] = {0x0a, 0x09, 'a'};
	tap_ok(cs_pb_any(cut, sizeof(cut), &url, &ul, &val, &vl, &why) == -EBADMSG && why,
	       "an Any whose length runs past the end: %s", why ? why : "");
	static const uint8_t group[] = {0x0b};
	cs_pb r;
	cs_pb_field f;
	cs_pb_init(&r, group, 1);
	tap_ok(cs_pb_next(&r, &f) == -EBADMSG, "group wire types are refused");
}

/* Every nested bucket walked, as far as the reader lets it; the first
 * error of the work limit kept (else the first of any kind). */
typedef struct deepwalk {
	cs_error e;
	int r;
	uint64_t calls;
} deepwalk;

typedef struct deepframe {
	const cs_bolt_bucket *b;
	deepwalk *w;
} deepframe;

static int deep_cb(void *ud, const uint8_t *k, size_t kl, const uint8_t *v, size_t vl, bool isb);

static void deep_walk(const cs_bolt_bucket *b, deepwalk *w)
{
	cs_error e = {0};
	deepframe f = {b, w};
	int r = cs_bolt_foreach(b, deep_cb, &f, &e);
	if (r < 0 && (w->r == 0 || (r == -E2BIG && w->r != -E2BIG))) {
		w->r = r;
		w->e = e;
	}
}

static int deep_cb(void *ud, const uint8_t *k, size_t kl, const uint8_t *v, size_t vl, bool isb)
{
	deepframe *f = ud;
	(void)k, (void)kl;
	f->w->calls++;
	cs_bolt_bucket nb;
	if (isb && cs_bolt_bucket_from(f->b, v, vl, &nb, NULL) == 0)
		deep_walk(&nb, f->w);
	return 0;
}

/* A file whose buckets share pages, found by the fuzzer: walking every
 * nested bucket took minutes (each level multiplies the work); the reads
 * allowed per open database end it, with a message. */
static void test_shared_pages(void)
{
	const char *src = getenv("CSLEUTH_SRCDIR");
	char *p = cs_xasprintf("%s/fuzz/crashes/bbolt/shared-pages-nested-walk", src ? src : ".");
	size_t len = 0;
	uint8_t *d = slurp(p, &len);
	cs_bolt *db = NULL;
	cs_error e = {0};
	tap_ok(d && cs_bolt_open_mem(d, len, "shared.db", &db, &e) == 0, "shared pages: opens (%zu bytes)", len);
	if (db) {
		cs_bolt_bucket root;
		cs_bolt_root(db, &root);
		deepwalk w = {0};
		deep_walk(&root, &w);
		uint64_t max = CS_BOLT_READS_PER_ELEMENT * (uint64_t)(len / 16);
		if (max < CS_BOLT_MIN_READS)
			max = CS_BOLT_MIN_READS;
		tap_ok(w.r == -E2BIG && strstr(w.e.msg, "shared.db") && strstr(w.e.msg, "shared between buckets") &&
			       w.calls <= max,
		       "shared pages: the walk stops at the reads allowed, named (%llu callbacks; %s)",
		       (unsigned long long)w.calls, w.e.msg);
		const uint8_t *v;
		size_t vl;
		bool isb;
		tap_ok(cs_bolt_get(&root, "x", 1, &v, &vl, &isb, &e) == -E2BIG,
		       "shared pages: and every later read of that database fails too");
		cs_bolt_close(db);
	}
	free(d);
	free(p);
}

int main(void)
{
	test_shared_pages();
	test_gotime();
	test_pb();
	test_deep();
	test_meta_db();
	test_cycle();
	test_snapshotter("dfirlabs/metadata.db", 27, 1, 14, 12, 2, 12, 14);
	test_snapshotter("gke/node/metadata.db", 258, 0, 138, 119, 19, 124, 138);
	test_snapshotter("gke/node2/metadata.db", 257, 1, 137, 113, 24, 123, 140);
	test_snapshotter("gke/node3/metadata.db", 270, 0, 145, 124, 21, 131, 145);
	return tap_done();
}
