/* content.h - hashing and identifying file content read from the evidence.
 * libmagic sees only bytes handed to it (magic_buffer), never a path, so it
 * cannot open anything outside the evidence source. */
#ifndef CS_CONTENT_H
#define CS_CONTENT_H

#include <stdbool.h>

#include "evidence/source.h"

typedef struct cs_magic cs_magic;

/* Opens libmagic's default database. Returns NULL if it cannot be loaded. */
cs_magic *cs_magic_open(void);
void cs_magic_close(cs_magic *m);

#define CS_MAGIC_BYTES ((size_t)1 << 20) /* bytes shown to libmagic */

/* Reads f to the end: fills hex (65 bytes, may be NULL) with its sha256 and,
 * if m is non-NULL, *ret_magic (owned) with libmagic's description of its
 * first CS_MAGIC_BYTES. Returns 0 or -errno. */
int cs_content_info(cs_file *f, char *hex, cs_magic *m, char **ret_magic, cs_error *e);

#endif
