/* strmap.c - see strmap.h. Linear probing, load <= 1/2.
 *
 * Keys are often evidence (tags, layer ids, paths), so the hash is keyed:
 * SipHash-1-3 with a key drawn once per process from the kernel. With an
 * unkeyed hash an attacker could write keys that all land in one probe run
 * and make every insert scan them all (quadratic time). */
#include "base/strmap.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/random.h>

#include "base/util.h"

static uint64_t sip_k0 = 0x736f6d6570736575ULL, sip_k1 = 0x646f72616e646f6dULL;
static pthread_once_t sip_once = PTHREAD_ONCE_INIT;

static void sip_init(void)
{
	uint64_t k[2];
	if (getrandom(k, sizeof(k), GRND_NONBLOCK) == (ssize_t)sizeof(k)) {
		sip_k0 ^= k[0];
		sip_k1 ^= k[1];
	}
}

#define ROTL(x, b) (((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                            \
	do {                                                                \
		v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);  \
		v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;                      \
		v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;                      \
		v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);  \
	} while (0)

static uint64_t hash(const char *s)
{
	pthread_once(&sip_once, sip_init);
	size_t len = strlen(s);
	uint64_t v0 = sip_k0 ^ 0x736f6d6570736575ULL, v1 = sip_k1 ^ 0x646f72616e646f6dULL,
		 v2 = sip_k0 ^ 0x6c7967656e657261ULL, v3 = sip_k1 ^ 0x7465646279746573ULL;
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	for (; i + 8 <= len; i += 8) {
		uint64_t m;
		memcpy(&m, p + i, 8); /* byte order changes only the values */
		v3 ^= m;
		SIPROUND;
		v0 ^= m;
	}
	uint64_t b = (uint64_t)len << 56;
	for (size_t k = 0; i + k < len; k++)
		b |= (uint64_t)p[i + k] << (8 * k);
	v3 ^= b;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

static cs_strmap_entry *slot(const cs_strmap *m, const char *key)
{
	size_t mask = m->cap - 1;
	for (size_t i = hash(key) & mask;; i = (i + 1) & mask)
		if (!m->v[i].key || strcmp(m->v[i].key, key) == 0)
			return &m->v[i];
}

void *cs_strmap_get(const cs_strmap *m, const char *key)
{
	if (!m->cap)
		return NULL;
	cs_strmap_entry *e = slot(m, key);
	return e->key ? e->value : NULL;
}

int cs_strmap_has(const cs_strmap *m, const char *key)
{
	return m->cap && slot(m, key)->key != NULL;
}

void *cs_strmap_put(cs_strmap *m, const char *key, void *value)
{
	if ((m->n + 1) * 2 > m->cap) {
		cs_strmap old = *m;
		m->cap = old.cap ? old.cap * 2 : 64;
		m->v = cs_xcalloc(m->cap, sizeof(cs_strmap_entry));
		m->n = 0;
		for (size_t i = 0; i < old.cap; i++)
			if (old.v[i].key) {
				*slot(m, old.v[i].key) = old.v[i];
				m->n++;
			}
		free(old.v);
	}
	cs_strmap_entry *e = slot(m, key);
	if (e->key) {
		void *prev = e->value;
		e->value = value;
		return prev;
	}
	e->key = cs_xstrdup(key);
	e->value = value;
	m->n++;
	return NULL;
}

void cs_strmap_free(cs_strmap *m, void (*free_value)(void *))
{
	for (size_t i = 0; i < m->cap; i++)
		if (m->v[i].key) {
			free(m->v[i].key);
			if (free_value)
				free_value(m->v[i].value);
		}
	free(m->v);
	m->v = NULL;
	m->n = m->cap = 0;
}
