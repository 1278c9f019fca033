/* yamldoc.h - a YAML document as a json-c tree (libyaml's event parser).
 *
 * LXD and Incus write their per-instance `backup.yaml` (and `metadata.yaml`
 * of images) with Go's yaml.v2: mappings, sequences and scalars only. We
 * parse the first document with libyaml and build the same tree json-c
 * would hold for the equivalent JSON, so the readers share their getters
 * with the JSON ones. Plain scalars are typed as YAML 1.1 core scalars are
 * by yaml.v2 (null/~/empty -> null, true/false -> boolean, decimal integers
 * -> integers); quoted and block scalars stay strings; mapping keys are
 * always strings. Aliases are refused (an alias bomb would expand without
 * bound), as are a depth past CS_YAML_MAX_DEPTH and more than
 * CS_YAML_MAX_NODES nodes. Like the rest of formats/, json-c objects never
 * leave lib/.
 */
#ifndef CS_YAMLDOC_H
#define CS_YAMLDOC_H

#include <json-c/json.h>
#include <stddef.h>

#include "base/util.h"
#include "evidence/source.h"

#define CS_YAML_MAX_DEPTH 64
#define CS_YAML_MAX_NODES 1000000

/* Parses text[0..len). Returns 0 and *ret (owned; an empty document gives
 * JSON null, i.e. *ret == NULL), or -EBADMSG with the line and column of
 * the error. */
int cs_yaml_parse(const char *text, size_t len, json_object **ret, cs_error *e);
/* Reads a YAML file of at most max bytes and parses it. */
int cs_yaml_load(cs_source *src, const char *path, size_t max, json_object **ret, char **ret_text,
		 cs_error *e);

#endif
