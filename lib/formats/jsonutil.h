/* jsonutil.h - bounded JSON loading and typed getters over json-c.
 *
 * Internal to the parsing modules: json-c objects never leave lib/. Getters
 * return borrowed pointers valid while the root object lives; readers copy
 * what they keep into the model and drop the tree.
 */
#ifndef CS_JSONUTIL_H
#define CS_JSONUTIL_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "evidence/source.h"
#include "base/timefmt.h"
#include "base/util.h"

#define CS_JSON_MAX_DEPTH 64

/* Parses text[0..len) as exactly one JSON value. Returns 0 and *ret (owned),
 * or -EBADMSG with a message giving the byte offset of the error. */
int cs_json_parse(const char *text, size_t len, json_object **ret, cs_error *e);
/* Reads a JSON file of at most max bytes from the source. If ret_text is
 * non-NULL it receives the raw bytes (owned). */
int cs_json_load(cs_source *src, const char *path, size_t max, json_object **ret,
		 char **ret_text, cs_error *e);

json_object *cs_json_get(json_object *o, const char *key); /* NULL if absent */
json_object *cs_json_get_obj(json_object *o, const char *key); /* objects only */
json_object *cs_json_get_arr(json_object *o, const char *key); /* arrays only */
/* String member or NULL (also NULL when the member is not a string). */
const char *cs_json_str(json_object *o, const char *key);
char *cs_json_strdup(json_object *o, const char *key);
bool cs_json_bool(json_object *o, const char *key);
/* Integer member; returns def when absent or not a number. */
int64_t cs_json_i64(json_object *o, const char *key, int64_t def);
/* Array of strings as a NULL-terminated owned vector (non-strings skipped);
 * an absent member yields an empty vector. */
char **cs_json_strv(json_object *o, const char *key);
/* An object of string members (labels) as "key=value" strings, sorted, in a
 * NULL-terminated owned vector (at most 4096; non-strings skipped). */
char **cs_json_labels(json_object *o);
/* Serialises o compactly with '/' unescaped, as Go does. Owned. */
char *cs_json_dump(json_object *o, bool pretty);

#endif
