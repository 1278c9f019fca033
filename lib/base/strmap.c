/* strmap.c - see strmap.h. FNV-1a hashing, linear probing, load <= 1/2. */
#include "base/strmap.h"

#include <stdint.h>
#include <string.h>

#include "base/util.h"

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
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
