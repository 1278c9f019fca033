/* content.c - see content.h. */
#include "fs/content.h"

#include <magic.h>
#include <string.h>

#include "base/strmap.h"
#include "formats/sha256.h"

#define CACHE_MAX ((size_t)1 << 16) /* entries per cache */

/* An exact cache: byte-string keys (copied) to interned type strings. */
typedef struct centry {
	uint64_t h;
	uint32_t klen;
	unsigned char *key;
	const char *val;
} centry;

typedef struct ctab {
	centry *v;
	size_t n, cap; /* cap: 0 or a power of two */
} ctab;

struct cs_typer {
	magic_t m;
	char *head;
	cs_strmap names; /* interned descriptions */
	ctab by_id, by_content;
	cs_typer_stats stats;
};

static uint64_t hash_bytes(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t h = UINT64_C(14695981039346656037);
	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= UINT64_C(1099511628211);
	}
	return h ^ (h >> 29);
}

static const char *ctab_get(const ctab *t, const void *key, size_t klen, uint64_t h)
{
	if (!t->cap)
		return NULL;
	for (size_t i = h & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
		const centry *e = &t->v[i];
		if (!e->key)
			return NULL;
		if (e->h == h && e->klen == klen && memcmp(e->key, key, klen) == 0)
			return e->val;
	}
}

static void ctab_put(ctab *t, const void *key, size_t klen, uint64_t h, const char *val)
{
	if (t->n >= CACHE_MAX)
		return;
	if ((t->n + 1) * 2 > t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 1024;
		centry *v = cs_xcalloc(cap, sizeof(centry));
		for (size_t i = 0; i < t->cap; i++) {
			if (!t->v[i].key)
				continue;
			size_t j = t->v[i].h & (cap - 1);
			while (v[j].key)
				j = (j + 1) & (cap - 1);
			v[j] = t->v[i];
		}
		free(t->v);
		t->v = v;
		t->cap = cap;
	}
	size_t i = h & (t->cap - 1);
	while (t->v[i].key)
		i = (i + 1) & (t->cap - 1);
	t->v[i].h = h;
	t->v[i].klen = (uint32_t)klen;
	t->v[i].key = cs_xmalloc(klen ? klen : 1);
	memcpy(t->v[i].key, key, klen);
	t->v[i].val = val;
	t->n++;
}

static void ctab_free(ctab *t)
{
	for (size_t i = 0; i < t->cap; i++)
		free(t->v[i].key);
	free(t->v);
}

cs_typer *cs_typer_open(void)
{
	magic_t m = magic_open(MAGIC_NONE | MAGIC_ERROR);
	if (!m)
		return NULL;
	if (magic_load(m, NULL) != 0) {
		magic_close(m);
		return NULL;
	}
	cs_typer *t = cs_xcalloc(1, sizeof(*t));
	t->m = m;
	return t;
}

void cs_typer_close(cs_typer *t)
{
	if (!t)
		return;
	magic_close(t->m);
	free(t->head);
	cs_strmap_free(&t->names, free);
	ctab_free(&t->by_id);
	ctab_free(&t->by_content);
	free(t);
}

static const char *intern(cs_typer *t, const char *s)
{
	const char *v = cs_strmap_get(&t->names, s);
	if (v)
		return v;
	char *c = cs_xstrdup(s);
	cs_strmap_put(&t->names, s, c);
	return c;
}

typedef struct idkey {
	uint64_t dev, ino, size;
	int64_t mtime, ctime;
} idkey;

static void make_id(idkey *k, const cs_stat *st)
{
	memset(k, 0, sizeof(*k));
	k->dev = st->dev;
	k->ino = st->ino;
	k->size = st->size;
	k->mtime = st->mtime;
	k->ctime = st->ctime;
}

const char *cs_typer_head(cs_typer *t, const void *head, size_t n, const cs_stat *st)
{
	t->stats.files++;
	uint64_t hc = 0;
	if (n <= CS_TYPER_SMALL) {
		hc = hash_bytes(head, n);
		const char *v = ctab_get(&t->by_content, head, n, hc);
		if (v) {
			t->stats.by_content++;
			if (st && st->nlink > 1) {
				idkey k;
				make_id(&k, st);
				ctab_put(&t->by_id, &k, sizeof(k), hash_bytes(&k, sizeof(k)), v);
			}
			return v;
		}
	}
	const char *d = magic_buffer(t->m, head, n);
	const char *v = intern(t, d ? d : "data");
	t->stats.libmagic++;
	if (n <= CS_TYPER_SMALL)
		ctab_put(&t->by_content, head, n, hc, v);
	if (st && st->nlink > 1) {
		idkey k;
		make_id(&k, st);
		ctab_put(&t->by_id, &k, sizeof(k), hash_bytes(&k, sizeof(k)), v);
	}
	return v;
}

const char *cs_typer_file(cs_typer *t, cs_file *f, const cs_stat *st, cs_error *e)
{
	if (st && st->nlink > 1) {
		idkey k;
		make_id(&k, st);
		const char *v = ctab_get(&t->by_id, &k, sizeof(k), hash_bytes(&k, sizeof(k)));
		if (v) {
			t->stats.files++;
			t->stats.by_identity++;
			return v;
		}
	}
	if (!t->head)
		t->head = cs_xmalloc(CS_MAGIC_BYTES);
	/* the head: up to CS_MAGIC_BYTES, or to the end, whatever the stat said */
	size_t n = 0;
	while (n < CS_MAGIC_BYTES) {
		ssize_t r = cs_file_pread(f, t->head + n, CS_MAGIC_BYTES - n, n);
		if (r < 0) {
			cs_err(e, (int)r, "read at %zu: %s", n, strerror((int)-r));
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	t->stats.bytes_read += n;
	return cs_typer_head(t, t->head, n, st);
}

int cs_content_sha256(cs_file *f, char *hex, void *head, size_t headcap, size_t *head_n, cs_error *e)
{
	cs_sha256 h;
	cs_sha256_init(&h);
	size_t bufsz = 1 << 20;
	char *buf = cs_xmalloc(bufsz);
	size_t nhead = 0;
	uint64_t off = 0;
	for (;;) {
		ssize_t n = cs_file_pread(f, buf, bufsz, off);
		if (n < 0) {
			free(buf);
			return cs_err(e, (int)n, "read at %llu: %s", (unsigned long long)off, strerror((int)-n));
		}
		if (n == 0)
			break;
		cs_sha256_update(&h, buf, (size_t)n);
		if (head && nhead < headcap) {
			size_t k = (size_t)n < headcap - nhead ? (size_t)n : headcap - nhead;
			memcpy((char *)head + nhead, buf, k);
			nhead += k;
		}
		off += (uint64_t)n;
	}
	unsigned char md[32];
	cs_sha256_final(&h, md);
	cs_hex(md, 32, hex);
	if (head_n)
		*head_n = nhead;
	free(buf);
	return 0;
}

void cs_typer_get_stats(const cs_typer *t, cs_typer_stats *ret)
{
	*ret = t->stats;
}
