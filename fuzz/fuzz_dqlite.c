/* fuzz_dqlite.c - raft segments, LZ4-framed snapshots and dqlite FRAMES
 * commands on arbitrary bytes: the input is decoded as a segment whose
 * entries are replayed into a page image (as cs_dqlite_replay applies
 * them), then as a snapshot; any image made is opened with SQLite. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "formats/dqlite.h"
#include "formats/sqlite_image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t le(const uint8_t *p, int n)
{
	uint64_t v = 0;
	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static int apply(void *ud, uint64_t index, uint64_t term, uint8_t type, const uint8_t *p, size_t len)
{
	(void)index, (void)term;
	cs_pageimg *img = ud;
	if (type != 1 || len < 8 || p[1] != 2)
		return 0;
	const uint8_t *z = memchr(p + 8, 0, len - 8);
	if (!z)
		return 1;
	size_t off = ((size_t)(z - p) + 1 + 7) & ~(size_t)7;
	if (off + 24 > len)
		return 1;
	uint32_t n = (uint32_t)le(p + off + 16, 4), ps = (uint32_t)le(p + off + 20, 2);
	off += 24;
	if (!cs_sqlite_page_size_ok(ps) || n == 0 || n > (len - off) / (8 + (size_t)ps))
		return 1;
	for (uint32_t k = 0; k < n; k++) {
		uint64_t pg = le(p + off + 8 * (size_t)k, 8);
		if (pg == 0 || pg > 4096)
			return 1;
		if (cs_pageimg_write(img, (uint32_t)pg, p + off + (size_t)n * 8 + (size_t)k * ps, ps, NULL) < 0)
			return 1;
	}
	return 0;
}

static void try_open(const cs_pageimg *img)
{
	sqlite3 *db;
	if (img->n_pages && cs_sqlite_open_image(img, &db, NULL) == 0) {
		(void)cs_sqlite_each(db, "SELECT * FROM sqlite_master", NULL, NULL, NULL);
		sqlite3_close(db);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cs_pageimg img = {0};
	(void)cs_dqlite_segment(data, size, 1, apply, &img, NULL, NULL);
	try_open(&img);
	cs_pageimg_free(&img);
	uint8_t *out;
	size_t n;
	if (cs_lz4_frame_decode(data, size, 64 << 20, &out, &n, NULL) == 0) {
		if (cs_dqlite_snapshot_db(out, n, "db.bin", &img, NULL) == 0)
			try_open(&img);
		cs_pageimg_free(&img);
		free(out);
	}
	return 0;
}
