/* sqlitedb.h - SQLite databases of the evidence, read without writing a byte.
 *
 * SQLite never opens a database read-only in the sense an examiner needs:
 * a reader that finds a hot rollback journal rolls it back into the
 * database file, and a reader of a WAL database writes the -shm index (and
 * checkpoints on close). csleuth therefore never lets SQLite see the
 * evidence files. It reads the database and its companion file through the
 * evidence source into memory and brings the copy to the state SQLite
 * itself would read:
 *
 *   - a hot rollback journal (`<db>-journal` with a valid header: the
 *     writer died before COMMIT) is rolled back: every page record whose
 *     checksum holds is written back over the copy, segment by segment, and
 *     the copy is cut to the journal's original size, as SQLite's
 *     pager_playback() does; a record whose checksum fails ends the
 *     playback (a torn journal write), as in SQLite;
 *   - a write-ahead log (`<db>-wal`) is replayed as SQLite's recovery does:
 *     frames whose salts match the WAL header and whose cumulative checksum
 *     holds, up to the last commit frame; what follows (a commit cut short)
 *     is not applied and reported. The stale -shm index is never read.
 *
 * The copy (its header marked as a rollback-journal database, since a
 * memory database has no WAL) is handed to Debian's libsqlite3 with
 * sqlite3_deserialize(SQLITE_DESERIALIZE_READONLY) on a connection opened
 * in memory, in defensive mode, with untrusted schemas, so a hostile
 * database file costs only the query that touches it. Sizes are bounded.
 */
#ifndef CS_SQLITEDB_H
#define CS_SQLITEDB_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/util.h"
#include "evidence/source.h"

#define CS_SQLITE_MAX_FILE ((size_t)1 << 30) /* largest database, WAL or journal read */

typedef enum cs_sqlite_companion {
	CS_SQLITE_NONE = 0,     /* the database file alone */
	CS_SQLITE_ROLLED_BACK,  /* a hot journal was rolled back */
	CS_SQLITE_WAL,          /* WAL frames were applied */
} cs_sqlite_companion;

/* What was done to bring the copy to SQLite's view, for the examiner. */
typedef struct cs_sqlite_info {
	uint32_t page_size;
	uint64_t pages;              /* of the resulting database */
	cs_sqlite_companion applied;
	uint64_t journal_pages;      /* pages rolled back from the journal */
	uint64_t wal_frames;         /* frames applied from the WAL */
	uint64_t wal_commits;        /* transactions they hold */
	uint64_t wal_ignored;        /* valid-looking frames after the last commit (a torn commit) */
	bool companion_ignored;      /* a journal or WAL was present but not used (see note) */
	char note[512];              /* what happened with the journal or WAL, or "" */
} cs_sqlite_info;

/* Builds the image SQLite would read from db[0..db_len) and, optionally,
 * a WAL (wal, may be NULL) or a rollback journal (journal, may be NULL).
 * Returns 0 and an owned image (*ret, *ret_len) with *info filled, or
 * -EBADMSG when the database itself is not a SQLite file, -EFBIG when the
 * result would exceed CS_SQLITE_MAX_FILE. A damaged WAL or journal never
 * fails: what SQLite would ignore is ignored and said in info->note. */
int cs_sqlite_image(const uint8_t *db, size_t db_len, const uint8_t *wal, size_t wal_len, const uint8_t *journal,
		    size_t journal_len, uint8_t **ret, size_t *ret_len, cs_sqlite_info *info, cs_error *e);

typedef struct cs_sqlite cs_sqlite;

/* Reads path (evidence-relative) and `<path>-wal` or `<path>-journal` beside
 * it, builds the image and opens it read-only in memory. Returns 0 and *ret,
 * or -errno with a message naming the file. */
int cs_sqlite_open(cs_source *src, const char *path, cs_sqlite **ret, cs_sqlite_info *info, cs_error *e);
/* Opens an image (taking ownership of it) under name (used in messages). */
int cs_sqlitedb_open_image(uint8_t *image, size_t len, const char *name, cs_sqlite **ret, cs_error *e);
/* The connection, for sqlite3_prepare_v2() and friends. */
sqlite3 *cs_sqlite_db(const cs_sqlite *s);
const char *cs_sqlite_name(const cs_sqlite *s);
void cs_sqlite_close(cs_sqlite *s);

/* Runs `sql` (one statement) and calls fn for each row; fn returns non-zero
 * to stop. Returns 0, or -EBADMSG with SQLite's message (a damaged page, a
 * missing table) in e. */
typedef int (*cs_sqlitedb_row_fn)(void *ud, sqlite3_stmt *st);
int cs_sqlitedb_each(const cs_sqlite *s, const char *sql, cs_sqlitedb_row_fn fn, void *ud, cs_error *e);

/* Column helpers: an owned copy of a text/blob column (NULL when NULL). */
char *cs_sqlitedb_text(sqlite3_stmt *st, int col);

#endif
