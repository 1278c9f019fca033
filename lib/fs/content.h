/* content.h - hashing and typing file content read from the evidence.
 *
 * A file's type is libmagic's description of its first CS_MAGIC_BYTES
 * (libmagic sees only bytes handed to it, never a path, so it cannot open
 * anything outside the evidence source). Typing reads only that head, never
 * the rest of the file; hashing reads the whole file and is done only when
 * asked for.
 *
 * The typer keeps two caches, both exact: one by the file's identity in its
 * layer (device, inode, size, mtime, ctime) for files with several names,
 * so a hard-linked layer file is typed once (a layer shared by several
 * containers is walked once by its callers); and one by content for small
 * heads (up to CS_TYPER_SMALL bytes), since libmagic's answer depends only
 * on the bytes it is shown, and small files (empty files, one-line
 * configs, lock and pid files) repeat. Each cache is bounded in entries
 * (65,536), so memory does not grow with the tree.
 */
#ifndef CS_CONTENT_H
#define CS_CONTENT_H

#include <stdbool.h>

#include "evidence/source.h"

#define CS_MAGIC_BYTES ((size_t)1 << 20) /* bytes shown to libmagic */
#define CS_TYPER_SMALL 512               /* heads cached by content up to this size */

typedef struct cs_typer cs_typer;

/* Opens libmagic's default database, with empty caches. NULL if it cannot
 * be loaded. */
cs_typer *cs_typer_open(void);
void cs_typer_close(cs_typer *t);

/* The type of regular file f, reading at most its first CS_MAGIC_BYTES.
 * st (may be NULL) is the file's stat in its layer, the key of the identity
 * cache. Returns a string owned by the typer (valid until cs_typer_close),
 * or NULL with e set when the file cannot be read. */
const char *cs_typer_file(cs_typer *t, cs_file *f, const cs_stat *st, cs_error *e);
/* The type of a head already read (n <= CS_MAGIC_BYTES bytes of the file's
 * start, or the whole file if shorter); st as above. Owned by the typer. */
const char *cs_typer_head(cs_typer *t, const void *head, size_t n, const cs_stat *st);

/* Reads f to the end and fills hex (65 bytes) with its sha256; when head is
 * not NULL, also copies its first headcap bytes there (*head_n: how many).
 * Returns 0 or -errno. */
int cs_content_sha256(cs_file *f, char *hex, void *head, size_t headcap, size_t *head_n, cs_error *e);

/* Counters, for tests and benchmarks. */
typedef struct cs_typer_stats {
	uint64_t files;      /* types asked for */
	uint64_t libmagic;   /* answered by libmagic */
	uint64_t by_identity;/* answered from the identity cache */
	uint64_t by_content; /* answered from the content cache */
	uint64_t bytes_read; /* head bytes read from evidence */
} cs_typer_stats;
void cs_typer_get_stats(const cs_typer *t, cs_typer_stats *ret);

#endif
