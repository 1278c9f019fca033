/* protowire.h - protocol buffers wire format, and Go's varints.
 *
 * containerd stores container specs, runtime options and extensions as
 * google.protobuf.Any messages (field 1: type URL, field 2: value bytes),
 * and sizes and counters as Go binary.PutVarint (zigzag) or PutUvarint
 * (LEB128) values. These readers work on byte ranges from evidence: every
 * length is checked against what is left, varints longer than 10 bytes or
 * overflowing 64 bits are errors, and nothing is allocated.
 */
#ifndef CS_PROTOWIRE_H
#define CS_PROTOWIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Reads an unsigned LEB128 varint at *p (at most 10 bytes, before end).
 * Returns 0 and advances *p, or -EBADMSG. */
int cs_uvarint(const uint8_t **p, const uint8_t *end, uint64_t *ret);
/* The whole of [p, p+len) as one Go uvarint / zigzag varint. Returns 0 or
 * -EBADMSG (also when bytes are left over). */
int cs_go_uvarint(const uint8_t *p, size_t len, uint64_t *ret);
int cs_go_varint(const uint8_t *p, size_t len, int64_t *ret);

enum { CS_PB_VARINT = 0, CS_PB_I64 = 1, CS_PB_LEN = 2, CS_PB_I32 = 5 };

/* A cursor over the fields of one message. */
typedef struct cs_pb {
	const uint8_t *p, *end;
	const char *why; /* the first error, static text */
	size_t err_off;
	const uint8_t *start;
} cs_pb;

typedef struct cs_pb_field {
	uint32_t num;
	int wire;           /* CS_PB_* */
	uint64_t u;         /* VARINT, I64, I32 */
	const uint8_t *data; /* LEN: the bytes */
	size_t len;
} cs_pb_field;

void cs_pb_init(cs_pb *r, const uint8_t *p, size_t len);
/* The next field: 1 and *f, 0 at the end, -EBADMSG on damage (r->why and
 * r->err_off say what and where). Groups (wire types 3, 4) are errors. */
int cs_pb_next(cs_pb *r, cs_pb_field *f);

/* Decodes a google.protobuf.Any: the type URL and the value (pointers into
 * the input; either may be empty). Returns 0 or -EBADMSG with *why. */
int cs_pb_any(const uint8_t *p, size_t len, const uint8_t **ret_url, size_t *ret_url_len,
	      const uint8_t **ret_val, size_t *ret_val_len, const char **why);

#endif
