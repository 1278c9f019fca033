/* sanitize.h - making evidence strings safe for terminals and JSON.
 *
 * Evidence holds whatever an attacker wrote: escape sequences in container
 * names, newlines in file names, bytes that are not UTF-8. Nothing from the
 * evidence reaches a terminal raw: cs_escape_text() turns C0/C1 controls,
 * DEL, backslash and invalid UTF-8 into visible escapes (\n, \x1b, \xff, \\).
 * JSON output is made valid UTF-8 by cs_utf8_repair(), which replaces each
 * invalid byte with U+FFFD as Docker's own JSON encoder does.
 */
#ifndef CS_SANITIZE_H
#define CS_SANITIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/util.h"

/* Appends s (length n) to out, escaped for display. Returns 0 or -errno. */
int cs_escape_text(cs_buf *out, const char *s, size_t n);
/* Returns a newly allocated escaped copy of a NUL-terminated string. */
char *cs_escape_dup(const char *s);
/* True if s[0..n) is valid UTF-8 with no control characters. */
bool cs_text_is_clean(const char *s, size_t n);
/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid. */
size_t cs_utf8_seqlen(const unsigned char *s, size_t n);
/* Appends code point cp (<= 0x10FFFF) encoded as UTF-8. */
void cs_utf8_put(cs_buf *b, uint32_t cp);
/* Parses four hex digits (a JSON \u escape). Returns 0, or -1 if any is not
 * a hex digit. */
int cs_hex4(const char *p, uint32_t *ret);
/* Returns a newly allocated copy where invalid UTF-8 bytes are U+FFFD. */
char *cs_utf8_repair(const char *s, size_t n, size_t *ret_len);
/* True if s[0..n) is valid UTF-8 (controls allowed). */
bool cs_utf8_valid(const char *s, size_t n);

/* Appends s[0..n) as a JSON string literal, the one way csleuth writes
 * them: valid UTF-8 as is; '"', '\\' and C0 controls escaped (\n, \t,
 * \u001b); DEL and the C1 controls U+0080..U+009F as \u007f..\u009f, so
 * no terminal control survives a `jq -r`; each byte that is not UTF-8 as
 * U+FFFD. Returns false when a byte had to be replaced (the caller may add
 * the exact bytes as base64 beside it). */
bool cs_json_quote(cs_buf *b, const char *s, size_t n);
/* Escapes the C1 controls (and DEL) inside the strings of a JSON text made
 * by another writer (json-c), in place into a new buffer. The text must be
 * valid UTF-8. Owned. */
char *cs_json_escape_c1(const char *json, size_t n, size_t *ret_len);
/* Appends the base64 (RFC 4648, padded) of p[0..n). */
void cs_base64(cs_buf *b, const void *p, size_t n);

#endif
