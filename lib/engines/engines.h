/* engines.h - the registry of engine readers.
 *
 * One row per engine folder under lib/engines/. The host model asks each in
 * this order; a new engine adds its folder and its row here, nothing else.
 */
#ifndef CS_ENGINES_H
#define CS_ENGINES_H

#include <stddef.h>

#include "model/engine.h"

/* Every engine reader; *ret_n receives their count. */
const cs_engine *const *cs_engines(size_t *ret_n);
/* The engine named name (its own name or one of the names it labels items
 * with, see cs_engine.also), or NULL. */
const cs_engine *cs_engine_find(const char *name);
/* The engine name as the registry spells it (a static string) when name is
 * an engine's name or one of its `also` names, else NULL. */
const char *cs_engine_label(const char *name);

#endif
