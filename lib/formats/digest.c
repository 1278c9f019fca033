/* digest.c - MD5 and SHA-1 (see digest.h), written from RFC 1321 and
 * FIPS 180-4. */
#include "formats/digest.h"

#include <stdbool.h>
#include <string.h>

#define ROL(x, n) (((x) << (n)) | ((x) >> (32 - (n))))

/* What MD5 and SHA-1 share: bytes go through 64-byte blocks, a partial
 * block waits in buf; the end is 0x80, zeros to 56 bytes, and the length
 * in bits (little-endian for MD5, big-endian for SHA-1). */
typedef void block_fn(uint32_t *h, const unsigned char *p);

static void feed(uint32_t *h, unsigned char *buf, size_t *nbuf, uint64_t *len, const void *data, size_t n,
		 block_fn *block)
{
	const unsigned char *p = data;
	*len += n;
	if (*nbuf) {
		size_t k = 64 - *nbuf < n ? 64 - *nbuf : n;
		memcpy(buf + *nbuf, p, k);
		*nbuf += k;
		p += k;
		n -= k;
		if (*nbuf == 64) {
			block(h, buf);
			*nbuf = 0;
		}
	}
	for (; n >= 64; p += 64, n -= 64)
		block(h, p);
	memcpy(buf, p, n);
	*nbuf += n;
}

static void pad(uint32_t *h, unsigned char *buf, size_t *nbuf, uint64_t *len, bool big_endian, block_fn *block)
{
	uint64_t bits = *len * 8;
	unsigned char z[64 + 8] = {0x80};
	size_t nz = (*nbuf < 56 ? 56 : 120) - *nbuf;
	for (int i = 0; i < 8; i++)
		z[nz + (size_t)i] = (unsigned char)(bits >> (big_endian ? 56 - 8 * i : 8 * i));
	feed(h, buf, nbuf, len, z, nz + 8, block);
}

/* ---- MD5 ---- */

static const uint32_t md5_k[64] = {
	0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
	0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
	0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
	0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
	0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
	0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
	0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
	0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391};
static const unsigned md5_s[64] = {7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
				   5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20,
				   4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
				   6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21};

static void md5_block(uint32_t *h, const unsigned char *p)
{
	uint32_t m[16];
	for (int i = 0; i < 16; i++)
		m[i] = (uint32_t)p[4 * i] | (uint32_t)p[4 * i + 1] << 8 | (uint32_t)p[4 * i + 2] << 16 |
		       (uint32_t)p[4 * i + 3] << 24;
	uint32_t a = h[0], b = h[1], cc = h[2], d = h[3];
	for (unsigned i = 0; i < 64; i++) {
		uint32_t f;
		unsigned g;
		if (i < 16) {
			f = (b & cc) | (~b & d);
			g = i;
		} else if (i < 32) {
			f = (d & b) | (~d & cc);
			g = (5 * i + 1) % 16;
		} else if (i < 48) {
			f = b ^ cc ^ d;
			g = (3 * i + 5) % 16;
		} else {
			f = cc ^ (b | ~d);
			g = (7 * i) % 16;
		}
		uint32_t t = d;
		d = cc;
		cc = b;
		b = b + ROL(a + f + md5_k[i] + m[g], md5_s[i]);
		a = t;
	}
	h[0] += a;
	h[1] += b;
	h[2] += cc;
	h[3] += d;
}

void cs_md5_init(cs_md5 *c)
{
	memset(c, 0, sizeof(*c));
	c->h[0] = 0x67452301;
	c->h[1] = 0xefcdab89;
	c->h[2] = 0x98badcfe;
	c->h[3] = 0x10325476;
}

void cs_md5_update(cs_md5 *c, const void *data, size_t n)
{
	feed(c->h, c->buf, &c->nbuf, &c->len, data, n, md5_block);
}

void cs_md5_final(cs_md5 *c, unsigned char out[16])
{
	pad(c->h, c->buf, &c->nbuf, &c->len, false, md5_block);
	for (int i = 0; i < 4; i++)
		for (int k = 0; k < 4; k++)
			out[4 * i + k] = (unsigned char)(c->h[i] >> (8 * k));
}

/* ---- SHA-1 ---- */

static void sha1_block(uint32_t *h, const unsigned char *p)
{
	uint32_t w[80];
	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 |
		       (uint32_t)p[4 * i + 3];
	for (int i = 16; i < 80; i++)
		w[i] = ROL(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	uint32_t a = h[0], b = h[1], cc = h[2], d = h[3], e = h[4];
	for (int i = 0; i < 80; i++) {
		uint32_t f, k;
		if (i < 20) {
			f = (b & cc) | (~b & d);
			k = 0x5a827999;
		} else if (i < 40) {
			f = b ^ cc ^ d;
			k = 0x6ed9eba1;
		} else if (i < 60) {
			f = (b & cc) | (b & d) | (cc & d);
			k = 0x8f1bbcdc;
		} else {
			f = b ^ cc ^ d;
			k = 0xca62c1d6;
		}
		uint32_t t = ROL(a, 5) + f + e + k + w[i];
		e = d;
		d = cc;
		cc = ROL(b, 30);
		b = a;
		a = t;
	}
	h[0] += a;
	h[1] += b;
	h[2] += cc;
	h[3] += d;
	h[4] += e;
}

void cs_sha1_init(cs_sha1 *c)
{
	memset(c, 0, sizeof(*c));
	c->h[0] = 0x67452301;
	c->h[1] = 0xefcdab89;
	c->h[2] = 0x98badcfe;
	c->h[3] = 0x10325476;
	c->h[4] = 0xc3d2e1f0;
}

void cs_sha1_update(cs_sha1 *c, const void *data, size_t n)
{
	feed(c->h, c->buf, &c->nbuf, &c->len, data, n, sha1_block);
}

void cs_sha1_final(cs_sha1 *c, unsigned char out[20])
{
	pad(c->h, c->buf, &c->nbuf, &c->len, true, sha1_block);
	for (int i = 0; i < 5; i++)
		for (int k = 0; k < 4; k++)
			out[4 * i + k] = (unsigned char)(c->h[i] >> (24 - 8 * k));
}
