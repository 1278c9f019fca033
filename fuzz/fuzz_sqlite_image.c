/* fuzz_sqlite_image.c - a SQLite main file, WAL and hot journal from
 * arbitrary bytes: the input is split in three at offsets taken from its
 * first bytes, recovered in memory and opened read-only, then read. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "formats/sqlite_image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 8)
		return 0;
	size_t a = ((size_t)data[0] << 16 | (size_t)data[1] << 8 | data[2]) % (size - 7);
	size_t b = ((size_t)data[3] << 16 | (size_t)data[4] << 8 | data[5]) % (size - 7 - a + 1);
	const uint8_t *p = data + 8;
	size_t n = size - 8;
	if (a > n)
		a = n;
	if (b > n - a)
		b = n - a;
	sqlite3 *db;
	char *warn = NULL;
	if (cs_sqlite_open_bytes("fuzz.db", p, a, p + a, b, p + a + b, n - a - b, &db, NULL, &warn, NULL) == 0) {
		(void)cs_sqlite_each(db, "SELECT name FROM sqlite_master", NULL, NULL, NULL);
		(void)cs_sqlite_has_table(db, "instances");
		sqlite3_close(db);
	}
	free(warn);
	return 0;
}
