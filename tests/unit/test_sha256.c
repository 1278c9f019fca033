/* Unit tests: SHA-256 against FIPS 180-4 vectors, and chain ids. */
#include <stdlib.h>

#include "formats/sha256.h"
#include "tap.h"

int main(void)
{
	char hex[65];
	cs_sha256_hex("", 0, hex);
	TAP_STR_EQ(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "empty");
	cs_sha256_hex("abc", 3, hex);
	TAP_STR_EQ(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "abc");
	const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	cs_sha256_hex(m, strlen(m), hex);
	TAP_STR_EQ(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", "448 bits");
	/* one million 'a', fed in uneven pieces */
	cs_sha256 c;
	unsigned char md[32];
	char *buf = malloc(1000000);
	memset(buf, 'a', 1000000);
	cs_sha256_init(&c);
	for (size_t off = 0; off < 1000000;) {
		size_t k = off % 7 + 61;
		if (k > 1000000 - off)
			k = 1000000 - off;
		cs_sha256_update(&c, buf + off, k);
		off += k;
	}
	cs_sha256_final(&c, md);
	cs_hex(md, 32, hex);
	TAP_STR_EQ(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", "million a");
	free(buf);
	return tap_done();
}
