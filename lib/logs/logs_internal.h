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

/* Journal files (logs_journal.c). */
typedef struct cs_jrnl cs_jrnl;
/* The journal files under dir (*.journal, *.journal~, there and one
 * directory down), owned. */
int cs_log__journal_list(cs_source *src, const char *dir, char ***ret, size_t *ret_n, cs_error *e);
/* Opens the files (each checked alone first: one that is not a journal is
 * reported and left out) with an optional FIELD=value match. */
int cs_log__journal_open(cs_source *src, char *const *paths, size_t n, const char *match, cs_diag_fn diag,
			 void *ud, size_t *warnings, cs_jrnl **ret, cs_error *e);
/* The next entry: 1 and rec (text in `text`), 0 at the end, or -errno. */
int cs_log__journal_next(cs_jrnl *j, cs_log_record *rec, cs_buf *text);
int cs_log__journal_rewind(cs_jrnl *j);
/* Entries passed over for want of a readable MESSAGE. */
uint64_t cs_log__journal_skipped(const cs_jrnl *j);
void cs_log__journal_close(cs_jrnl *j);

#endif
