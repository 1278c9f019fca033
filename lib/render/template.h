/* template.h - the part of Go's text/template that `docker --format` users
 * type, over JSON values.
 *
 * A template is text with actions in {{ }}: a pipeline of commands
 * separated by '|' (the value of one is the last argument of the next). A
 * command is a field (`.`, `.State.Pid`), a string ("x" or `x`), a number,
 * or a function with arguments: json, join, index, upper, lower, title,
 * len, truncate, println. `if`/`else`/`end`, `range`/`else`/`end` and the
 * trim markers `{{-` and `-}}` work as in Go. Values print as Go prints them:
 * strings raw, numbers and booleans in JSON, null as <nil>, arrays as
 * [a b], objects as map[k:v] with sorted keys.
 *
 * Strings from the evidence can be escaped as they are printed (`escape`),
 * so a template cannot carry a raw control byte to a terminal; `json`
 * output is JSON, valid UTF-8 with controls escaped.
 */
#ifndef CS_TEMPLATE_H
#define CS_TEMPLATE_H

#include <stdbool.h>

#include "base/util.h"

typedef struct cs_template cs_template;

/* Compiles text. Returns 0 and *ret (free with cs_template_free), or
 * -EINVAL with a message naming the offending part. */
int cs_template_compile(const char *text, cs_template **ret, cs_error *e);
void cs_template_free(cs_template *t);

/* Runs the template over one JSON value (text), appending to out. A field
 * that the value does not have is an error that lists the fields it has.
 * Returns 0 or -errno. */
int cs_template_exec(const cs_template *t, const char *json, bool escape, cs_buf *out, cs_error *e);

#endif
