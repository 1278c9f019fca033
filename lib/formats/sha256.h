/* sha256.h - SHA-256 (FIPS 180-4), for image ids, chain ids and content
 * hashes. Streaming: init, update any number of times, final. */
#ifndef CS_SHA256_H
#define CS_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct cs_sha256 {
	uint32_t h[8];
	uint64_t len;
	unsigned char buf[64];
	size_t nbuf;
} cs_sha256;

void cs_sha256_init(cs_sha256 *c);
void cs_sha256_update(cs_sha256 *c, const void *data, size_t n);
void cs_sha256_final(cs_sha256 *c, unsigned char out[32]);
/* One-shot: writes 64 lowercase hex digits and a NUL into hex. */
void cs_sha256_hex(const void *data, size_t n, char hex[65]);
void cs_hex(const unsigned char *in, size_t n, char *out);

#endif
