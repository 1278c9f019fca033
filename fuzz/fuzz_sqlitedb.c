/* fuzz_sqlitedb.c - SQLite images (lib/formats/sqlitedb.c): a database and
 * its WAL or rollback journal, replayed as SQLite would, then opened
 * read-only and queried as the Podman reader queries db.sql.
 *
 * Input: byte 0 says what follows the database (bit 0: a WAL, else a
 * journal; bit 1: none), bytes 1..4 the database's length (little endian),
 * then the database, then the companion file. */
#include <stdlib.h>
#include <string.h>

#include "formats/sqlitedb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int row(void *ud, sqlite3_stmt *st)
{
	(void)ud;
	for (int i = 0; i < sqlite3_column_count(st); i++)
		free(cs_sqlitedb_text(st, i));
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 5)
		return 0;
	uint32_t dl = (uint32_t)data[1] | (uint32_t)data[2] << 8 | (uint32_t)data[3] << 16 | (uint32_t)data[4] << 24;
	const uint8_t *db = data + 5, *cmp = NULL;
	size_t rest = size - 5, cl = 0;
	if (dl > rest)
		dl = (uint32_t)rest;
	if (!(data[0] & 2)) {
		cmp = db + dl;
		cl = rest - dl;
	}
	uint8_t *img;
	size_t il;
	cs_sqlite_info info;
	if (cs_sqlite_image(db, dl, (data[0] & 1) ? cmp : NULL, (data[0] & 1) ? cl : 0, (data[0] & 1) ? NULL : cmp,
			    (data[0] & 1) ? 0 : cl, &img, &il, &info, NULL) < 0)
		return 0;
	cs_sqlite *s;
	if (cs_sqlitedb_open_image(img, il, "fuzz.db", &s, NULL) < 0)
		return 0;
	static const char *const q[] = {
		"SELECT ID, Name, PodID, JSON FROM ContainerConfig",
		"SELECT ID, JSON FROM ContainerState",
		"SELECT ID, Timestamp, ExitCode FROM ContainerExitCode",
		"SELECT p.ID, p.Name, p.JSON, s.JSON FROM PodConfig p LEFT JOIN PodState s ON s.ID = p.ID",
		"SELECT name, sql FROM sqlite_master",
	};
	for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++)
		(void)cs_sqlitedb_each(s, q[i], row, NULL, NULL);
	cs_sqlite_close(s);
	return 0;
}
