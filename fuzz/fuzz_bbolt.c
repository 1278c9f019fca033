/* fuzz_bbolt.c - the bbolt reader on arbitrary bytes: open, then walk every
 * bucket to the nesting limit, looking keys up as it goes. */
#include <stddef.h>
#include <stdint.h>

#include "formats/bbolt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int walk(void *ud, const uint8_t *k, size_t kl, const uint8_t *v, size_t vl, bool isb)
{
	const cs_bolt_bucket *b = ud;
	const uint8_t *x;
	size_t xl;
	bool xb;
	(void)cs_bolt_get(b, k, kl, &x, &xl, &xb, NULL);
	if (isb) {
		cs_bolt_bucket nb;
		if (cs_bolt_bucket_from(b, v, vl, &nb, NULL) == 0)
			(void)cs_bolt_foreach(&nb, walk, &nb, NULL);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cs_bolt *db;
	if (cs_bolt_open_mem(data, size, "fuzz", &db, NULL) < 0)
		return 0;
	cs_bolt_bucket root;
	cs_bolt_root(db, &root);
	(void)cs_bolt_foreach(&root, walk, &root, NULL);
	uint64_t *fl;
	size_t n;
	if (cs_bolt_freelist(db, &fl, &n, NULL) == 0)
		free(fl);
	cs_bolt_close(db);
	return 0;
}
