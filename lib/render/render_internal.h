/* render_internal.h - json-c helpers shared by render.c and inspect.c. */
#ifndef CS_RENDER_INTERNAL_H
#define CS_RENDER_INTERNAL_H

#include <json-c/json.h>

#include "model/model.h"

json_object *cs_jtime(cs_time t);          /* NULL (JSON null) for never */
json_object *cs_jstr(const char *s);       /* NULL for NULL */
json_object *cs_jstrv(char *const *v);
json_object *cs_jproblems(const cs_problems *p);
/* Serialises, frees o, and repairs UTF-8. Owned. */
char *cs_jfinish(json_object *o, bool pretty);

#endif
