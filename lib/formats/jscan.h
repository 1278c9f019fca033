/* jscan.h - a pull cursor over JSON text, for reading only what we need.
 *
 * json-c builds a tree of heap objects for every value; reading 2,000
 * container configs that way costs more than all the file system work. This
 * cursor walks the text in place instead: the caller enters objects and
 * arrays, looks at member names, takes the few values it wants and skips the
 * rest. It validates as it goes (structure, strings, numbers, depth), so
 * truncated or malformed files are still caught, with a byte offset. The
 * first error sticks: every later call is a no-op returning false/NULL, and
 * cs_jscan_finish() reports it.
 */
#ifndef CS_JSCAN_H
#define CS_JSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/util.h"

typedef struct cs_jscan {
	const char *start, *p, *end;
	const char *err; /* first error, static text, or NULL */
	size_t err_off;
	int depth;
	char key[256]; /* the current member name (truncated if longer) */
	bool key_long;
	const char *key_at; /* where the current member name starts in the text */
} cs_jscan;

typedef enum cs_jtype {
	CS_JNONE = 0, CS_JOBJECT, CS_JARRAY, CS_JSTRING, CS_JNUMBER, CS_JTRUE, CS_JFALSE, CS_JNULL,
} cs_jtype;

void cs_jscan_init(cs_jscan *s, const char *text, size_t len);
/* The type of the next value (without consuming it). */
cs_jtype cs_jscan_peek(cs_jscan *s);
/* Enters an object; false (and the value skipped) if it is not one. */
bool cs_jscan_object(cs_jscan *s);
/* Moves to the next member of the current object; its name is in s->key.
 * False at the end of the object (consumed) or on error. The member's value
 * must then be consumed: by a getter, by entering it, or by cs_jscan_skip. */
bool cs_jscan_member(cs_jscan *s);
/* The current member's whole name, however long (key holds at most 255
 * bytes), escapes decoded; owned. */
char *cs_jscan_key_dup(const cs_jscan *s);
/* True if the current member is named name. */
bool cs_jscan_is(const cs_jscan *s, const char *name);
/* Enters an array; false (and the value skipped) if it is not one. */
bool cs_jscan_array(cs_jscan *s);
/* True if there is another element (then consume it); false at the end. */
bool cs_jscan_element(cs_jscan *s);
/* Skips one value of any type. */
void cs_jscan_skip(cs_jscan *s);
/* Value getters; each consumes the value. A value of another type is
 * skipped and yields NULL / def. */
char *cs_jscan_string(cs_jscan *s);            /* owned, escapes decoded */
int64_t cs_jscan_int(cs_jscan *s, int64_t def); /* integers only */
bool cs_jscan_bool(cs_jscan *s);               /* true only for `true` */
/* A labels object {"k": "v", ...}, consumed, as "k=v" strings sorted by
 * bytes, NULL-terminated, owned (free with cs_strv_free); members whose
 * value is not a string are left out, and so is any past the 4096th. NULL
 * if the value is not an object. */
char **cs_jscan_labels(cs_jscan *s);
/* An array of strings, consumed, as a NULL-terminated vector in order,
 * owned (free with cs_strv_free); elements that are not strings are left
 * out, and so is any past the max-th. Never NULL: a value that is not an
 * array gives an empty vector. */
char **cs_jscan_strv(cs_jscan *s, size_t max);
/* After the top-level value: checks only white space remains. Returns 0,
 * or -EBADMSG with a message in e naming the byte offset. */
int cs_jscan_finish(cs_jscan *s, cs_error *e);

#endif
