/* strmap.h - a small string-keyed hash map (open addressing, owned keys).
 * Used to memoise lookups that many items share (image layers, links). */
#ifndef CS_STRMAP_H
#define CS_STRMAP_H

#include <stddef.h>

typedef struct cs_strmap_entry {
	char *key;
	void *value;
} cs_strmap_entry;

typedef struct cs_strmap {
	cs_strmap_entry *v;
	size_t n, cap; /* cap is 0 or a power of two */
} cs_strmap;

/* Returns the value for key, or NULL. */
void *cs_strmap_get(const cs_strmap *m, const char *key);
/* True if key is present (its value may be NULL). */
int cs_strmap_has(const cs_strmap *m, const char *key);
/* Sets key to value; returns the previous value (or NULL). */
void *cs_strmap_put(cs_strmap *m, const char *key, void *value);
/* Frees keys and, if free_value is non-NULL, each value. */
void cs_strmap_free(cs_strmap *m, void (*free_value)(void *));

#endif
