/* logs_internal.h - what the log reader shares with the record decoders. */
#ifndef CS_LOGS_INTERNAL_H
#define CS_LOGS_INTERNAL_H

#include "logs/logs.h"

/* Matches one json-file record in the engine's exact shape at line (which
 * may run on past the record): returns the end of the record, just past its
 * '}', with rec filled as cs_log_decode_json() fills it, or NULL when the
 * record is shaped otherwise (then decode the line with
 * cs_log_decode_json()). */
const char *cs_log__json_fast(const char *line, const char *end, cs_buf *scratch,
			      cs_log_record *rec);

/* Reasons cs_log_decode_json() gives, for callers that act on them: a
 * whole record followed by more data (err_off: where that data starts), and
 * nesting past the bound (err_off: where the bound was reached). */
extern const char cs_log__why_trailing[];
extern const char cs_log__why_deep[];

/* True if the LogEntry p[0..len) has at most max fields, all well formed
 * (a cheap check before a full decode). */
bool cs_log__entry_small(const uint8_t *p, size_t len, unsigned max);

#endif
