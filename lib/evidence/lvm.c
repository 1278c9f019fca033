/* lvm.c - LVM2 physical volumes, their metadata, and logical volumes.
 *
 * A physical volume carries a label ("LABELONE", type "LVM2 001") in one of
 * its first four sectors; the label points to a PV header (the PV's UUID,
 * its data areas, its metadata areas). Each metadata area begins with a
 * header (magic " LVM2 x[5A%r0N*>", CRC) whose first location names the
 * current metadata text: a circular buffer after the 512-byte header, so
 * the text may wrap. The text (checked against its CRC) describes the whole
 * volume group in LVM's configuration syntax; a logical volume is a list of
 * segments, each a run of logical extents mapped onto extents of a PV.
 *
 * We read every PV found among the volumes, keep for each VG the metadata
 * with the highest sequence number, and assemble each LV whose segments are
 * linear ("striped" with one stripe) or striped into a mapped device.
 * Thin, RAID, mirror, cache and snapshot segments are listed but not read.
 * Nothing is activated and nothing is written: this is a reader of the
 * on-disk format, independent of device-mapper.
 *
 * The metadata parser is hand-written and bounded (nesting depth, number
 * of nodes, string lengths); it is fuzzed (fuzz/fuzz_lvm_metadata.c).
 */
#include "evidence/image_internal.h"
#include "evidence/volume.h"

#include <stdio.h>
#include <string.h>
#include <zlib.h>

#define LVM_MAX_TEXT ((size_t)16 << 20)
#define LVM_MAX_DEPTH 32
#define LVM_MAX_NODES 200000
#define LVM_MAX_PVS 256
#define LVM_INITIAL_CRC 0xf597a6cfU

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* LVM's calc_crc: CRC-32 (reflected, 0xedb88320) from 0xf597a6cf, no final
 * inversion. zlib's crc32() inverts on entry and exit. */
static uint32_t lvm_crc(const void *p, size_t n)
{
	uLong c = ~(uLong)LVM_INITIAL_CRC & 0xffffffffUL;
	const Bytef *b = p;
	while (n > 0) {
		uInt k = n > (1u << 30) ? (1u << 30) : (uInt)n;
		c = crc32(c, b, k);
		b += k;
		n -= k;
	}
	return (uint32_t)(~c & 0xffffffffUL);
}

/* ---- the configuration syntax ---- */

typedef enum { N_SECTION, N_STRING, N_INT, N_ARRAY } nkind;

typedef struct node {
	nkind kind;
	char *name; /* key or section name; NULL for array items */
	char *str;
	int64_t num;
	struct node *kids; /* section members, array items */
	size_t n_kids;
} node;

typedef struct parser {
	const char *p, *end;
	unsigned line;
	size_t nodes;
	cs_error *e;
} parser;

static void node_clear(node *n)
{
	for (size_t i = 0; i < n->n_kids; i++)
		node_clear(&n->kids[i]);
	free(n->kids);
	free(n->name);
	free(n->str);
}

static void skip_space(parser *ps)
{
	while (ps->p < ps->end) {
		char c = *ps->p;
		if (c == '\n') {
			ps->line++;
			ps->p++;
		} else if (c == ' ' || c == '\t' || c == '\r') {
			ps->p++;
		} else if (c == '#') {
			while (ps->p < ps->end && *ps->p != '\n')
				ps->p++;
		} else {
			break;
		}
	}
}

static bool ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
	       c == '.' || c == '-' || c == '+' || c == '/';
}

static int perr(parser *ps, const char *what)
{
	return cs_err(ps->e, -EINVAL, "LVM metadata line %u: %s", ps->line, what);
}

static node *push_kid(node *parent)
{
	parent->kids = cs_xreallocarray(parent->kids, parent->n_kids + 1, sizeof(node));
	node *k = &parent->kids[parent->n_kids++];
	memset(k, 0, sizeof(*k));
	return k;
}

static int parse_value(parser *ps, node *n, int depth);

static int parse_string(parser *ps, char **ret)
{
	ps->p++; /* opening quote */
	cs_buf b = {.max = 1 << 20};
	while (ps->p < ps->end && *ps->p != '"') {
		char c = *ps->p++;
		if (c == '\\' && ps->p < ps->end)
			c = *ps->p++;
		if (c == '\n')
			ps->line++;
		if (cs_buf_append(&b, &c, 1) < 0) {
			cs_buf_free(&b);
			return perr(ps, "string too long");
		}
	}
	if (ps->p >= ps->end) {
		cs_buf_free(&b);
		return perr(ps, "unterminated string");
	}
	ps->p++;
	cs_buf_append(&b, "", 0);
	*ret = cs_buf_steal(&b);
	return 0;
}

static int parse_value(parser *ps, node *n, int depth)
{
	if (++ps->nodes > LVM_MAX_NODES)
		return perr(ps, "too many values");
	skip_space(ps);
	if (ps->p >= ps->end)
		return perr(ps, "value expected");
	char c = *ps->p;
	if (c == '"') {
		n->kind = N_STRING;
		return parse_string(ps, &n->str);
	}
	if (c == '[') {
		if (depth >= LVM_MAX_DEPTH)
			return perr(ps, "nested too deeply");
		n->kind = N_ARRAY;
		ps->p++;
		for (;;) {
			skip_space(ps);
			if (ps->p >= ps->end)
				return perr(ps, "unterminated array");
			if (*ps->p == ']') {
				ps->p++;
				return 0;
			}
			int r = parse_value(ps, push_kid(n), depth + 1);
			if (r < 0)
				return r;
			skip_space(ps);
			if (ps->p < ps->end && *ps->p == ',')
				ps->p++;
			else if (ps->p < ps->end && *ps->p != ']')
				return perr(ps, "`,` or `]` expected");
		}
	}
	if (c == '-' || (c >= '0' && c <= '9')) {
		bool neg = c == '-';
		if (neg)
			ps->p++;
		uint64_t v = 0;
		bool any = false;
		while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') {
			unsigned d = (unsigned)(*ps->p++ - '0');
			if (v > (UINT64_MAX - d) / 10)
				return perr(ps, "number too large");
			v = v * 10 + d;
			any = true;
		}
		if (!any)
			return perr(ps, "digits expected");
		/* a float ("1.5"): keep the integer part */
		if (ps->p < ps->end && *ps->p == '.') {
			ps->p++;
			while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
				ps->p++;
		}
		if (v > (uint64_t)INT64_MAX)
			return perr(ps, "number too large");
		n->kind = N_INT;
		n->num = neg ? -(int64_t)v : (int64_t)v;
		return 0;
	}
	return perr(ps, "a string, number or array expected");
}

/* Parses members until '}' (depth > 0) or the end (depth 0). */
static int parse_members(parser *ps, node *sec, int depth)
{
	for (;;) {
		skip_space(ps);
		if (ps->p >= ps->end) {
			if (depth > 0)
				return perr(ps, "unterminated section");
			return 0;
		}
		if (*ps->p == '}') {
			if (depth == 0)
				return perr(ps, "unexpected `}`");
			ps->p++;
			return 0;
		}
		const char *s = ps->p;
		while (ps->p < ps->end && ident_char(*ps->p))
			ps->p++;
		if (ps->p == s)
			return perr(ps, "a name expected");
		if (ps->p - s > 1024)
			return perr(ps, "name too long");
		if (++ps->nodes > LVM_MAX_NODES)
			return perr(ps, "too many values");
		node *k = push_kid(sec);
		k->name = cs_xstrndup(s, (size_t)(ps->p - s));
		skip_space(ps);
		if (ps->p >= ps->end)
			return perr(ps, "`=` or `{` expected");
		if (*ps->p == '{') {
			if (depth >= LVM_MAX_DEPTH)
				return perr(ps, "nested too deeply");
			ps->p++;
			k->kind = N_SECTION;
			int r = parse_members(ps, k, depth + 1);
			if (r < 0)
				return r;
		} else if (*ps->p == '=') {
			ps->p++;
			int r = parse_value(ps, k, depth + 1);
			if (r < 0)
				return r;
		} else {
			return perr(ps, "`=` or `{` expected");
		}
	}
}

static const node *get(const node *sec, const char *name)
{
	if (!sec || sec->kind != N_SECTION)
		return NULL;
	for (size_t i = 0; i < sec->n_kids; i++)
		if (sec->kids[i].name && strcmp(sec->kids[i].name, name) == 0)
			return &sec->kids[i];
	return NULL;
}

static const char *get_str(const node *sec, const char *name)
{
	const node *n = get(sec, name);
	return n && n->kind == N_STRING ? n->str : NULL;
}

static bool get_u64(const node *sec, const char *name, uint64_t *ret)
{
	const node *n = get(sec, name);
	if (!n || n->kind != N_INT || n->num < 0)
		return false;
	*ret = (uint64_t)n->num;
	return true;
}

static bool has_flag(const node *sec, const char *name, const char *flag)
{
	const node *n = get(sec, name);
	if (!n || n->kind != N_ARRAY)
		return false;
	for (size_t i = 0; i < n->n_kids; i++)
		if (n->kids[i].kind == N_STRING && strcmp(n->kids[i].str, flag) == 0)
			return true;
	return false;
}

static char *undash(const char *s)
{
	if (!s)
		return NULL;
	char *o = cs_xmalloc(strlen(s) + 1), *q = o;
	for (; *s; s++)
		if (*s != '-')
			*q++ = *s;
	*q = '\0';
	return o;
}

void cs_lvm_vg_clear(cs_lvm_vg *vg)
{
	for (size_t i = 0; i < vg->n_pvs; i++) {
		free(vg->pvs[i].name);
		free(vg->pvs[i].id);
		free(vg->pvs[i].device);
	}
	free(vg->pvs);
	for (size_t i = 0; i < vg->n_lvs; i++) {
		cs_lvm_lv *lv = &vg->lvs[i];
		for (size_t s = 0; s < lv->n_segs; s++) {
			for (size_t k = 0; k < lv->segs[s].n_stripes; k++)
				free(lv->segs[s].stripes[k].pv);
			free(lv->segs[s].stripes);
			free(lv->segs[s].type);
		}
		free(lv->segs);
		free(lv->name);
		free(lv->id);
	}
	free(vg->lvs);
	free(vg->name);
	free(vg->id);
	memset(vg, 0, sizeof(*vg));
}

int cs_lvm_parse_metadata(const char *text, size_t n, cs_lvm_vg *ret, cs_error *e)
{
	memset(ret, 0, sizeof(*ret));
	if (n > LVM_MAX_TEXT)
		return cs_err(e, -EFBIG, "LVM metadata of %zu bytes is more than the %zu allowed", n,
			      LVM_MAX_TEXT);
	/* the text ends at its first NUL when there is one */
	size_t len = strnlen(text, n);
	parser ps = {.p = text, .end = text + len, .line = 1, .e = e};
	node root = {.kind = N_SECTION};
	int r = parse_members(&ps, &root, 0);
	if (r < 0) {
		node_clear(&root);
		return r;
	}
	const node *vgn = NULL;
	for (size_t i = 0; i < root.n_kids; i++)
		if (root.kids[i].kind == N_SECTION && get(&root.kids[i], "physical_volumes")) {
			vgn = &root.kids[i];
			break;
		}
	if (!vgn) {
		node_clear(&root);
		return cs_err(e, -EINVAL, "LVM metadata holds no volume group");
	}
	cs_lvm_vg *vg = ret;
	vg->name = cs_xstrdup(vgn->name);
	vg->id = undash(get_str(vgn, "id"));
	get_u64(vgn, "seqno", &vg->seqno);
	if (!get_u64(vgn, "extent_size", &vg->extent_size) || vg->extent_size == 0 ||
	    vg->extent_size > ((uint64_t)1 << 40)) {
		int r2 = cs_err(e, -EINVAL, "LVM volume group `%s`: no usable extent_size", vgn->name);
		node_clear(&root);
		cs_lvm_vg_clear(vg);
		return r2;
	}
	const node *pvs = get(vgn, "physical_volumes");
	for (size_t i = 0; pvs && i < pvs->n_kids && vg->n_pvs < LVM_MAX_PVS; i++) {
		const node *pn = &pvs->kids[i];
		if (pn->kind != N_SECTION)
			continue;
		vg->pvs = cs_xreallocarray(vg->pvs, vg->n_pvs + 1, sizeof(*vg->pvs));
		cs_lvm_pv *pv = &vg->pvs[vg->n_pvs++];
		memset(pv, 0, sizeof(*pv));
		pv->name = cs_xstrdup(pn->name);
		pv->id = undash(get_str(pn, "id"));
		pv->device = cs_xstrdup(get_str(pn, "device"));
		get_u64(pn, "pe_start", &pv->pe_start);
		get_u64(pn, "pe_count", &pv->pe_count);
	}
	const node *lvs = get(vgn, "logical_volumes");
	for (size_t i = 0; lvs && i < lvs->n_kids; i++) {
		const node *ln = &lvs->kids[i];
		if (ln->kind != N_SECTION)
			continue;
		vg->lvs = cs_xreallocarray(vg->lvs, vg->n_lvs + 1, sizeof(*vg->lvs));
		cs_lvm_lv *lv = &vg->lvs[vg->n_lvs++];
		memset(lv, 0, sizeof(*lv));
		lv->name = cs_xstrdup(ln->name);
		lv->id = cs_xstrdup(get_str(ln, "id"));
		lv->visible = has_flag(ln, "status", "VISIBLE");
		for (size_t s = 0; s < ln->n_kids; s++) {
			const node *sn = &ln->kids[s];
			if (sn->kind != N_SECTION || !cs_str_startswith(sn->name, "segment"))
				continue;
			lv->segs = cs_xreallocarray(lv->segs, lv->n_segs + 1, sizeof(*lv->segs));
			cs_lvm_segment *sg = &lv->segs[lv->n_segs++];
			memset(sg, 0, sizeof(*sg));
			get_u64(sn, "start_extent", &sg->start_extent);
			get_u64(sn, "extent_count", &sg->extent_count);
			get_u64(sn, "stripe_size", &sg->stripe_size);
			sg->type = cs_xstrdup(get_str(sn, "type") ? get_str(sn, "type") : "");
			const node *st = get(sn, "stripes");
			if (!st || st->kind != N_ARRAY)
				continue;
			for (size_t k = 0; k + 1 < st->n_kids; k += 2) {
				const node *a = &st->kids[k], *b = &st->kids[k + 1];
				if (a->kind != N_STRING || b->kind != N_INT || b->num < 0)
					continue;
				sg->stripes = cs_xreallocarray(sg->stripes, sg->n_stripes + 1,
							       sizeof(*sg->stripes));
				sg->stripes[sg->n_stripes++] =
					(cs_lvm_stripe){.pv = cs_xstrdup(a->str), .extent = (uint64_t)b->num};
			}
		}
	}
	node_clear(&root);
	return 0;
}

/* ---- physical volumes on disk ---- */

typedef struct found_pv {
	size_t vol;     /* index in the volume list */
	char *uuid;     /* from the label, no dashes */
	char *text;     /* metadata text, or NULL */
	size_t text_len;
	cs_lvm_vg vg;   /* parsed, when text */
	bool have_vg;
} found_pv;

static void diag_warn(cs_diag_fn diag, void *ud, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void diag_warn(cs_diag_fn diag, void *ud, const char *fmt, ...)
{
	if (!diag)
		return;
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cs_diagf(diag, ud, CS_WARN, NULL, "%s", msg);
}

/* Reads the metadata text of one metadata area at mda_off. Returns an owned
 * text or NULL (with a warning). */
static char *read_mda(cs_bdev *dev, uint64_t mda_off, uint64_t mda_size, size_t *ret_len,
		      cs_diag_fn diag, void *ud)
{
	uint8_t h[512];
	cs_error e = {0};
	if (cs_bdev_read(dev, h, sizeof(h), mda_off, &e) < 0) {
		diag_warn(diag, ud, "%s: LVM metadata area at offset %llu: %s", dev->name,
			  (unsigned long long)mda_off, e.msg);
		return NULL;
	}
	if (memcmp(h + 4, " LVM2 x[5A%r0N*>", 16) != 0) {
		diag_warn(diag, ud, "%s: LVM metadata area at offset %llu has no header signature", dev->name,
			  (unsigned long long)mda_off);
		return NULL;
	}
	if (lvm_crc(h + 4, sizeof(h) - 4) != le32(h)) {
		diag_warn(diag, ud, "%s: LVM metadata area header at offset %llu fails its checksum", dev->name,
			  (unsigned long long)mda_off);
		return NULL;
	}
	uint64_t size = le64(h + 32);
	if (size < 1024 || size > mda_size + 4096)
		size = mda_size;
	const uint8_t *loc = h + 40;
	uint64_t toff = le64(loc), tlen = le64(loc + 8);
	uint32_t tcrc = le32(loc + 16);
	if (tlen == 0) {
		diag_warn(diag, ud, "%s: LVM metadata area at offset %llu is empty", dev->name,
			  (unsigned long long)mda_off);
		return NULL;
	}
	if (tlen > LVM_MAX_TEXT || tlen > size - 512 || toff < 512 || toff >= size) {
		diag_warn(diag, ud, "%s: LVM metadata at offset %llu: text of %llu bytes at %llu does not fit "
				    "its area of %llu bytes", dev->name, (unsigned long long)mda_off,
			  (unsigned long long)tlen, (unsigned long long)toff, (unsigned long long)size);
		return NULL;
	}
	char *t = cs_xmalloc((size_t)tlen + 1);
	uint64_t first = size - toff < tlen ? size - toff : tlen;
	int r = cs_bdev_read(dev, t, (size_t)first, mda_off + toff, &e);
	if (r == 0 && first < tlen) /* wrapped round to just after the header */
		r = cs_bdev_read(dev, t + first, (size_t)(tlen - first), mda_off + 512, &e);
	if (r < 0) {
		diag_warn(diag, ud, "%s: LVM metadata text: %s", dev->name, e.msg);
		free(t);
		return NULL;
	}
	t[tlen] = '\0';
	if (lvm_crc(t, (size_t)tlen) != tcrc) {
		diag_warn(diag, ud, "%s: LVM metadata text at offset %llu fails its checksum", dev->name,
			  (unsigned long long)(mda_off + toff));
		free(t);
		return NULL;
	}
	*ret_len = (size_t)tlen;
	return t;
}

/* Reads the label and the newest readable metadata of a PV. */
static bool read_pv(cs_bdev *dev, found_pv *pv, cs_diag_fn diag, void *ud)
{
	uint8_t b[2048];
	cs_error e = {0};
	if (dev->size < sizeof(b) || cs_bdev_read(dev, b, sizeof(b), 0, &e) < 0)
		return false;
	int sec = -1;
	for (int s = 0; s < 4; s++)
		if (memcmp(b + 512 * s, "LABELONE", 8) == 0 && memcmp(b + 512 * s + 24, "LVM2 001", 8) == 0) {
			sec = s;
			break;
		}
	if (sec < 0)
		return false;
	const uint8_t *l = b + 512 * sec;
	if (lvm_crc(l + 20, 512 - 20) != le32(l + 16))
		diag_warn(diag, ud, "%s: LVM label in sector %d fails its checksum; read anyway", dev->name, sec);
	uint32_t hoff = le32(l + 20);
	if (hoff < 32 || hoff > 512 - 48) {
		diag_warn(diag, ud, "%s: LVM label in sector %d: PV header offset %u is absurd", dev->name, sec,
			  hoff);
		return false;
	}
	const uint8_t *ph = l + hoff;
	pv->uuid = cs_xstrndup((const char *)ph, 32);
	/* data areas, a zero entry, then metadata areas, a zero entry */
	const uint8_t *p = ph + 40;
	const uint8_t *end = l + 512;
	while (p + 16 <= end && (le64(p) != 0 || le64(p + 8) != 0))
		p += 16;
	p += 16;
	for (; p + 16 <= end && le64(p) != 0; p += 16) {
		size_t len = 0;
		char *t = read_mda(dev, le64(p), le64(p + 8), &len, diag, ud);
		if (!t)
			continue;
		cs_lvm_vg vg;
		cs_error pe = {0};
		if (cs_lvm_parse_metadata(t, len, &vg, &pe) < 0) {
			diag_warn(diag, ud, "%s: %s", dev->name, pe.msg);
			free(t);
			continue;
		}
		if (!pv->have_vg || vg.seqno > pv->vg.seqno) {
			if (pv->have_vg)
				cs_lvm_vg_clear(&pv->vg);
			free(pv->text);
			pv->vg = vg;
			pv->have_vg = true;
			pv->text = t;
			pv->text_len = len;
		} else {
			cs_lvm_vg_clear(&vg);
			free(t);
		}
	}
	return true;
}

static void add_lv(cs_vols *vols, const cs_lvm_vg *vg, const cs_lvm_lv *lv, found_pv *pvs, size_t n_pvs,
		   cs_diag_fn diag, void *ud)
{
	/* volume indices may move as the array grows: copy what we need */
	vols->v = cs_xreallocarray(vols->v, vols->n + 1, sizeof(*vols->v));
	cs_vol *v = &vols->v[vols->n++];
	memset(v, 0, sizeof(*v));
	v->id = cs_xasprintf("%s/%s", vg->name, lv->name);
	v->scheme = "LVM2";
	v->name = cs_xstrdup(lv->name);
	const uint64_t ext = vg->extent_size * 512;
	uint64_t extents = 0;
	cs_bdev_run *runs = NULL;
	size_t n_runs = 0;
	cs_buf parents = {0};
	const char *kind = "linear";
	char *problem = NULL;
	const cs_bdev *first_dev = NULL;
	for (size_t s = 0; s < lv->n_segs && !problem; s++) {
		const cs_lvm_segment *sg = &lv->segs[s];
		if (sg->start_extent + sg->extent_count > extents)
			extents = sg->start_extent + sg->extent_count;
		if (strcmp(sg->type, "striped") != 0) {
			problem = cs_xasprintf("segment %zu is of type `%s`, which is not read", s + 1, sg->type);
			kind = sg->type;
			break;
		}
		if (sg->n_stripes == 0 || sg->extent_count % sg->n_stripes != 0) {
			problem = cs_xasprintf("segment %zu has a bad stripe list", s + 1);
			break;
		}
		if (sg->n_stripes > 1) {
			kind = "striped";
			uint64_t chunk = sg->stripe_size * 512;
			uint64_t per = sg->extent_count / sg->n_stripes * ext; /* bytes per stripe */
			if (chunk == 0 || per % chunk != 0 || per / chunk * sg->n_stripes > (1u << 20)) {
				problem = cs_xasprintf("segment %zu: stripe size %llu sectors does not fit", s + 1,
						       (unsigned long long)sg->stripe_size);
				break;
			}
		}
		for (size_t k = 0; k < sg->n_stripes && !problem; k++) {
			const found_pv *fp = NULL;
			const cs_lvm_pv *mp = NULL;
			for (size_t i = 0; i < vg->n_pvs; i++)
				if (strcmp(vg->pvs[i].name, sg->stripes[k].pv) == 0)
					mp = &vg->pvs[i];
			for (size_t i = 0; mp && mp->id && i < n_pvs; i++)
				if (strcmp(pvs[i].uuid, mp->id) == 0)
					fp = &pvs[i];
			if (!mp || !fp) {
				problem = cs_xasprintf("physical volume `%s` (%s) is not in the image",
						       sg->stripes[k].pv, mp && mp->device ? mp->device : "?");
				break;
			}
			cs_bdev *pdev = vols->v[fp->vol].dev;
			if (!first_dev)
				first_dev = pdev;
			if (!strstr(parents.data ? parents.data : "", vols->v[fp->vol].id))
				cs_buf_printf(&parents, "%s%s", parents.len ? "," : "", vols->v[fp->vol].id);
			uint64_t base = mp->pe_start * 512 + sg->stripes[k].extent * ext;
			if (sg->n_stripes == 1) {
				runs = cs_xreallocarray(runs, n_runs + 1, sizeof(*runs));
				runs[n_runs++] = (cs_bdev_run){.off = sg->start_extent * ext,
							       .len = sg->extent_count * ext,
							       .dev = pdev, .dev_off = base};
				continue;
			}
			/* striped: chunk c of the segment lives on stripe c % n at
			 * chunk c / n of that stripe */
			uint64_t chunk = sg->stripe_size * 512;
			uint64_t per = sg->extent_count / sg->n_stripes * ext;
			for (uint64_t c = 0; c < per / chunk; c++) {
				runs = cs_xreallocarray(runs, n_runs + 1, sizeof(*runs));
				runs[n_runs++] = (cs_bdev_run){
					.off = sg->start_extent * ext + (c * sg->n_stripes + k) * chunk,
					.len = chunk, .dev = pdev, .dev_off = base + c * chunk};
			}
		}
	}
	v->size = extents * ext;
	v->type = cs_xasprintf("%s LV", kind);
	v->parent = parents.data ? cs_buf_steal(&parents) : NULL;
	cs_buf_free(&parents);
	if (!problem) {
		cs_error e = {0};
		/* "disk.E01 volume vg0/root", from "disk.E01 volume 2" */
		const char *img = first_dev ? first_dev->name : "(image)";
		const char *cut = strstr(img, " volume ");
		char *name = cut ? cs_xasprintf("%.*s volume %s", (int)(cut - img), img, v->id)
				 : cs_xasprintf("%s volume %s", img, v->id);
		v->dev = cs_bdev_mapped(runs, n_runs, v->size, name, &e);
		free(name);
		if (!v->dev)
			problem = cs_xstrdup(e.msg);
	}
	free(runs);
	if (problem) {
		diag_warn(diag, ud, "LVM logical volume %s: %s", v->id, problem);
		v->problem = problem;
		return;
	}
	const char *fs;
	char *label, *uuid;
	cs_vol_probe(v->dev, &fs, &label, &uuid);
	v->fs = fs;
	v->label = label;
	v->uuid = uuid;
}

void cs_lvm_scan(cs_vols *vols, cs_diag_fn diag, void *ud)
{
	found_pv *pvs = NULL;
	size_t n = 0;
	size_t n_vols = vols->n;
	for (size_t i = 0; i < n_vols; i++) {
		if (!vols->v[i].fs || strcmp(vols->v[i].fs, "LVM2_member") != 0 || !vols->v[i].dev)
			continue;
		found_pv pv = {.vol = i};
		if (!read_pv(vols->v[i].dev, &pv, diag, ud)) {
			free(pv.uuid);
			continue;
		}
		pvs = cs_xreallocarray(pvs, n + 1, sizeof(*pvs));
		pvs[n++] = pv;
	}
	/* each VG once, from its newest metadata among its PVs */
	for (size_t i = 0; i < n; i++) {
		if (!pvs[i].have_vg)
			continue;
		bool best = true;
		for (size_t k = 0; k < n; k++) {
			if (k == i || !pvs[k].have_vg || !pvs[k].vg.id || !pvs[i].vg.id ||
			    strcmp(pvs[k].vg.id, pvs[i].vg.id) != 0)
				continue;
			if (pvs[k].vg.seqno > pvs[i].vg.seqno || (pvs[k].vg.seqno == pvs[i].vg.seqno && k < i))
				best = false;
		}
		if (!best)
			continue;
		for (size_t l = 0; l < pvs[i].vg.n_lvs; l++)
			if (pvs[i].vg.lvs[l].visible)
				add_lv(vols, &pvs[i].vg, &pvs[i].vg.lvs[l], pvs, n, diag, ud);
	}
	for (size_t i = 0; i < n; i++) {
		free(pvs[i].uuid);
		free(pvs[i].text);
		if (pvs[i].have_vg)
			cs_lvm_vg_clear(&pvs[i].vg);
	}
	free(pvs);
}
