/* digest.h - MD5 (RFC 1321) and SHA-1 (FIPS 180-4), streaming, for
 * checking the hashes an acquisition tool stored in an EWF image. They are
 * not used for anything that needs collision resistance. */
#ifndef CS_DIGEST_H
#define CS_DIGEST_H

#include <stddef.h>
#include <stdint.h>

typedef struct cs_md5 {
	uint32_t h[4];
	uint64_t len;
	unsigned char buf[64];
	size_t nbuf;
} cs_md5;

void cs_md5_init(cs_md5 *c);
void cs_md5_update(cs_md5 *c, const void *data, size_t n);
void cs_md5_final(cs_md5 *c, unsigned char out[16]);

typedef struct cs_sha1 {
	uint32_t h[5];
	uint64_t len;
	unsigned char buf[64];
	size_t nbuf;
} cs_sha1;

void cs_sha1_init(cs_sha1 *c);
void cs_sha1_update(cs_sha1 *c, const void *data, size_t n);
void cs_sha1_final(cs_sha1 *c, unsigned char out[20]);

#endif
