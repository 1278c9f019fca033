/* fuzz.h - what the fuzz targets share.
 *
 * Every target is one file, fuzz_<name>.c, defining
 *
 *     int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
 *
 * It is built twice (fuzz/meson.build): with clang's libFuzzer as
 * fuzz_<name>, and with any compiler as replay_<name>, a plain program that
 * runs the committed corpus (fuzz/corpus/<name>/) and crash reproducers
 * (fuzz/crashes/<name>/) through the same function in the normal test
 * suite. A target checks what it can (an oracle: another parser, another
 * path through csleuth, an invariant) and aborts through FZ_CHECK when a
 * check fails, so the fuzzer keeps the input.
 *
 * Targets that read evidence through a cs_source write their input into a
 * scratch evidence root: one per process, under $TMPDIR (/dev/shm when it
 * exists), emptied by fz_reset() and removed at exit.
 *
 * Multi-file inputs are bundles: sections that each start with a line
 * "@@@ NAME\n" and run to the next such line (the "\n" before it is not
 * part of the section). Bytes before the first section form a section
 * named "". A target decides which names it knows.
 */
#ifndef CS_FUZZ_H
#define CS_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_CHECK(cond, ...)                                                  \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "fuzz check failed: %s (%s:%d): ", #cond, \
				__FILE__, __LINE__);                         \
			fprintf(stderr, __VA_ARGS__);                        \
			fputc('\n', stderr);                                 \
			abort();                                             \
		}                                                            \
	} while (0)

/* The scratch evidence root of this process (absolute path). */
const char *fz_root(void);
/* Empties the scratch root. */
void fz_reset(void);
/* The scratch root opened as an evidence source (aborts when it cannot be). */
struct cs_source *fz_open_root(void);
/* Writes n bytes to root/rel, creating parent directories. */
void fz_write(const char *rel, const void *p, size_t n);
/* Creates root/rel as a directory (and its parents). */
void fz_mkdir(const char *rel);
/* Creates root/rel as a symbolic link to target (a NUL-terminated string). */
void fz_symlink(const char *target, const char *rel);

typedef struct fz_part {
	char name[64]; /* truncated; NUL-terminated */
	const uint8_t *p;
	size_t n;
} fz_part;

/* Splits a bundle into at most max sections; returns how many. */
size_t fz_split(const uint8_t *data, size_t size, fz_part *parts, size_t max);
/* The last section called name, or NULL. */
const fz_part *fz_find(const fz_part *parts, size_t n, const char *name);

/* A NUL-terminated copy of p[0..n) (free it). */
char *fz_strndup(const uint8_t *p, size_t n);

/* Diagnostics collected from the library, for oracles about messages. */
typedef struct fz_diags {
	char *text; /* every message, one per line */
	size_t len, cap;
	size_t warnings, notes;
} fz_diags;
void fz_diag(void *ud, const cs_diag *d); /* a cs_diag_fn; ud is an fz_diags */
void fz_diags_clear(fz_diags *d);
bool fz_diags_has(const fz_diags *d, const char *needle);

/* True if p[0..n) is one JSON value as RFC 8259 reads it (no leading
 * zeros, no NaN), nested at most max_depth deep, its strings holding any
 * bytes but NUL (as json-c's strict mode and the JSON cursor take them) or,
 * with go, no raw control character at all (as Go's encoding/json, and the
 * json-file log decoder that follows it). Bytes that are not UTF-8 are
 * taken either way. A reference independent of the code under test. */
bool fz_json_strict(const char *p, size_t n, int max_depth, bool go);
/* The same, and *members (if not NULL) is the number of members the
 * outermost value holds when it is an object, a repeated name counted each
 * time (json-c keeps only the last: more members here than json-c shows
 * means a name repeats). */
bool fz_json_strict_members(const char *p, size_t n, int max_depth, bool go, size_t *members);

#endif
