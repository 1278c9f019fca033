/* util.h - errors, diagnostics, bounded buffers and small string helpers.
 *
 * Errors follow one convention across libcsleuth: a failing function returns
 * a negative errno-style code and, when given a cs_error, fills it with a
 * message. Callers climbing the stack may prefix context ("container `abc`:
 * config.v2.json: ..."), so the message that reaches the examiner names the
 * item and the evidence file. Strings that come from evidence are quoted with
 * backticks; they are escaped only at the output edge (see sanitize.h).
 *
 * Library code never prints. Per-item problems that do not stop the run go
 * to a diagnostics callback (cs_diag_fn) chosen by the program.
 */
#ifndef CS_UTIL_H
#define CS_UTIL_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#define CS_ERRMSG_MAX 1024

typedef struct cs_error {
	int code;                /* negative errno, 0 if none */
	char msg[CS_ERRMSG_MAX]; /* NUL-terminated, may be truncated */
} cs_error;

/* Sets *e (if non-NULL) and returns code, which must be negative. */
int cs_err(cs_error *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Prefixes e->msg with formatted context and ": ". No-op if e is NULL. */
void cs_err_prefix(cs_error *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Clears *e. */
void cs_err_clear(cs_error *e);

/* Diagnostics: per-item problems that cost one item, never the run. */
typedef enum cs_severity {
	CS_WARN = 1, /* an item is incomplete or a file is damaged */
	CS_NOTE = 2, /* worth knowing, nothing lost */
} cs_severity;

typedef struct cs_diag {
	cs_severity severity;
	const char *file; /* evidence-relative path, or NULL */
	const char *msg;  /* full message, evidence strings unescaped */
} cs_diag;

typedef void (*cs_diag_fn)(void *userdata, const cs_diag *d);

/* Formats a message and hands it to fn (if non-NULL). */
void cs_diagf(cs_diag_fn fn, void *userdata, cs_severity severity, const char *file, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* A growable byte buffer with a hard ceiling (max). */
typedef struct cs_buf {
	char *data; /* always NUL-terminated when non-NULL */
	size_t len;
	size_t cap;
	size_t max; /* 0 means CS_BUF_DEFAULT_MAX */
} cs_buf;

#define CS_BUF_DEFAULT_MAX ((size_t)256 << 20)

/* Appends n bytes. Returns 0, -ENOMEM, or -EFBIG past the ceiling. */
int cs_buf_append(cs_buf *b, const void *p, size_t n);
int cs_buf_puts(cs_buf *b, const char *s);
int cs_buf_printf(cs_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hands the data to the caller (never NULL on success) and resets b. */
char *cs_buf_steal(cs_buf *b);
void cs_buf_free(cs_buf *b);

/* Allocating helpers; they abort on out-of-memory, as every CLI does. */
void *cs_xmalloc(size_t n);
void *cs_xcalloc(size_t n, size_t size);
void *cs_xrealloc(void *p, size_t n);
void *cs_xreallocarray(void *p, size_t n, size_t size);
char *cs_xstrdup(const char *s);      /* NULL in, NULL out */
char *cs_xstrndup(const char *s, size_t n);
char *cs_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Grows *arr (element size esz) so that index n fits; doubles capacity. */
void cs_grow(void **arr, size_t *cap, size_t n, size_t esz);
#define CS_PUSH(arr, len, cap) \
	(cs_grow((void **)&(arr), &(cap), (len) + 1, sizeof(*(arr))), &(arr)[(len)++])

/* String list helpers (NULL-terminated arrays of owned strings). */
void cs_strv_free(char **v);
size_t cs_strv_len(char *const *v);
/* Sorts a NULL-terminated string list bytewise, in place. */
void cs_strv_sort(char **v);

bool cs_str_startswith(const char *s, const char *prefix);
bool cs_str_endswith(const char *s, const char *suffix);
bool cs_is_hex(const char *s, size_t n); /* n lowercase hex digits, exact */

/* Parses a whole decimal integer with bounds. Returns 0 or -EINVAL/-ERANGE. */
int cs_parse_i64(const char *s, int64_t *ret);

/* Parses a size: a whole number of bytes with an optional binary suffix
 * (K, M, G, T, alone or followed by "i", "B" or "iB": "64M" and "64MiB" are
 * both 64 * 2^20, as docker reads memory sizes). Returns 0, -EINVAL for
 * anything else, -ERANGE past 2^63. */
int cs_parse_size(const char *s, uint64_t *ret);

/* Damerau-Levenshtein (optimal string alignment) distance of a and b,
 * computed up to max (returns max + 1 when it is larger). */
size_t cs_edit_distance(const char *a, const char *b, size_t max);
/* The candidate most like q ("did you mean"): the one at the smallest edit
 * distance, if that distance is at most a third of q's length (at least 1,
 * at most 3), or the only candidate that q is a prefix of. NULL if none is
 * close enough. Returns a pointer into cands. */
const char *cs_closest(const char *q, const char *const *cands, size_t n);

/* Cleanup attributes (GCC/Clang). Ownership leaves by nulling the variable. */
static inline void cs_freep(void *p) { free(*(void **)p); }
static inline void cs_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}
#define _cleanup_free_ __attribute__((cleanup(cs_freep)))
#define _cleanup_close_ __attribute__((cleanup(cs_closep)))
#define TAKE_PTR(p)                             \
	({                                      \
		__typeof__(p) _tp_ = (p);       \
		(p) = NULL;                     \
		_tp_;                           \
	})

#define CS_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
