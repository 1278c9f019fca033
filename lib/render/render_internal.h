/* render_internal.h - json-c helpers shared by render.c and inspect.c. */
#ifndef CS_RENDER_INTERNAL_H
#define CS_RENDER_INTERNAL_H

#include <json-c/json.h>

#include "model/model.h"

json_object *cs_jtime(cs_time t);          /* NULL (JSON null) for never */
json_object *cs_jstr(const char *s);       /* NULL for NULL */
json_object *cs_jstrv(char *const *v);
json_object *cs_jproblems(const cs_problems *p);
/* Adds key: s (JSON null for NULL) to o, and, when s is not valid UTF-8
 * (it would read as U+FFFD), key_base64 with its exact bytes, so that
 * names differing only in such bytes stay distinct. */
void cs_jadd_str(json_object *o, const char *key, const char *s);
/* The sha256 of each evidence file of ev, as an object {path: hex} (null
 * for a file that cannot be read). */
json_object *cs_jevidence_hashes(cs_source *src, const cs_evfiles *ev);
/* Serialises, frees o, repairs UTF-8 and escapes C1 controls. Owned. */
char *cs_jfinish(json_object *o, bool pretty);

#endif
