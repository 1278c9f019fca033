/* sqlite_image.h - SQLite databases from evidence bytes, opened in memory.
 *
 * An examiner's copy of a SQLite database is three files: the main file,
 * maybe a write-ahead log (`-wal`) holding committed transactions not yet
 * checkpointed, and maybe a hot rollback journal (`-journal`) holding the
 * original pages of a transaction that never finished. sqlite3_open() on
 * the evidence would write beside it (-shm, -wal) or replay the journal
 * into the file itself. This module never opens a file: the caller reads
 * the bytes (through the evidence source), and we build the database image
 * the engine would have seen after recovery, in memory:
 *
 *   1. the main file's pages;
 *   2. a hot journal's original pages written back and the file cut to the
 *      size it had before the transaction (SQLite's rollback);
 *   3. the WAL's committed frames applied in order, stopping at the first
 *      frame whose salts or cumulative checksum do not match, frames of an
 *      unfinished transaction (no commit frame) left out (SQLite's WAL
 *      recovery);
 *
 * then hand the image to sqlite3_deserialize(SQLITE_DESERIALIZE_READONLY)
 * on a private in-memory connection, with the header's WAL-mode bytes
 * (18, 19) set to 1 in our copy (an in-memory database cannot be in WAL
 * mode), defensive mode on, triggers and views off, and a progress handler
 * that bounds the work a hostile schema can cause.
 *
 * Page images (cs_pageimg) are also the target of other replays (dqlite's
 * raft log writes pages into one). Every size is bounded.
 */
#ifndef CS_SQLITE_IMAGE_H
#define CS_SQLITE_IMAGE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/util.h"

/* No image grows past this (bytes). */
#define CS_SQLITE_MAX_IMAGE ((size_t)1 << 30)

/* A database image: n_pages pages of page_size bytes, contiguous. */
typedef struct cs_pageimg {
	uint8_t *data;
	uint32_t page_size; /* 0 until known */
	uint32_t n_pages;
	size_t cap;         /* bytes allocated */
} cs_pageimg;

/* What recovery did, for the examiner. */
typedef struct cs_sqlite_info {
	uint32_t page_size, pages;       /* the final image */
	uint32_t wal_frames_applied;     /* committed WAL frames written */
	uint32_t wal_frames_ignored;     /* frames after the last commit, or invalid */
	uint32_t wal_commits;            /* transactions the applied frames hold */
	bool wal_partial;                /* the WAL ends in a partial frame (a write cut short) */
	uint32_t journal_pages_restored; /* pages a hot journal put back */
	bool journal_torn;               /* the playback stopped at a record cut short, whose
					    checksum fails or that names page 0, as SQLite's does */
	bool wal_used, journal_used;
	bool companion_ignored;          /* cs_sqlite_open_bytes: a WAL or journal was given
					    but not used at all (bad header, page size) */
} cs_sqlite_info;

/* True if page_size is a SQLite page size (a power of two, 512..65536). */
bool cs_sqlite_page_size_ok(uint32_t page_size);

/* Writes page pgno (1-based) of img; the image grows to hold it (zero
 * pages in between). The first write fixes the page size. Returns 0,
 * -EINVAL for a page size that differs or is not a SQLite one, -ERANGE for
 * page 0 or a page past CS_SQLITE_MAX_IMAGE (the message names the page). */
int cs_pageimg_write(cs_pageimg *img, uint32_t pgno, const void *page, uint32_t page_size, cs_error *e);
/* Cuts or extends the image to n pages. Returns 0 or -ERANGE. */
int cs_pageimg_resize(cs_pageimg *img, uint32_t n, cs_error *e);
/* Loads a main database file's bytes (its page size read from its header;
 * an empty file gives an empty image). Returns 0 or -EBADMSG. */
int cs_pageimg_load(cs_pageimg *img, const void *main, size_t len, cs_error *e);
/* Applies the committed frames of a WAL file's bytes. Returns 0 (info
 * counts what was applied and ignored, the commits, and a partial last
 * frame; a WAL whose header is bad is ignored whole and reported in *e
 * with code -EBADMSG, returning that), or -ERANGE when a frame names a page
 * out of range. */
int cs_pageimg_apply_wal(cs_pageimg *img, const void *wal, size_t len, cs_sqlite_info *info, cs_error *e);
/* Rolls a hot journal back into the image, segment by segment, as SQLite's
 * pager_playback() does: the image is cut to the size the first header
 * records, and the first record cut short, whose checksum fails or that
 * names page 0 ends the whole playback (info->journal_torn). Returns 0 (a
 * journal with no valid header is not hot: nothing done), or -ERANGE /
 * -EBADMSG. */
int cs_pageimg_apply_journal(cs_pageimg *img, const void *journal, size_t len, cs_sqlite_info *info,
			     cs_error *e);
void cs_pageimg_free(cs_pageimg *img);

/* Opens img read-only in memory (img is copied; the caller keeps it).
 * Returns 0 and *ret (close with sqlite3_close), or -EBADMSG when SQLite
 * refuses the image (the message says why). */
int cs_sqlite_open_image(const cs_pageimg *img, sqlite3 **ret, cs_error *e);

/* The whole contract in one call: main file bytes + optional WAL bytes +
 * optional hot-journal bytes (NULL/0 when absent) -> a read-only handle.
 * name is used in messages ("database/local.db"). Returns 0 and *ret (and
 * *info when non-NULL); problems with the WAL or journal that SQLite would
 * also have skipped are returned in info and, as text, in *warn (owned,
 * NULL when none; info->companion_ignored tells a WAL or journal not used
 * at all from one whose last frames were left out). Returns -EBADMSG/-ERANGE
 * when no database can be made. */
int cs_sqlite_open_bytes(const char *name, const void *main, size_t main_len, const void *wal, size_t wal_len,
			 const void *journal, size_t journal_len, sqlite3 **ret, cs_sqlite_info *info,
			 char **warn, cs_error *e);

/* Runs a query over an opened image and calls fn for each row (fn returns
 * non-zero to stop). Returns 0, or -EBADMSG with SQLite's message (a
 * damaged page, a missing table). */
typedef int (*cs_sqlite_row_fn)(void *userdata, sqlite3_stmt *row);
int cs_sqlite_each(sqlite3 *db, const char *sql, cs_sqlite_row_fn fn, void *userdata, cs_error *e);
/* The index of the result column named name, or -1. */
int cs_sqlite_col(sqlite3_stmt *row, const char *name);
/* Text of column name (NULL when absent or NULL), a borrowed pointer valid
 * until the next step. */
const char *cs_sqlite_text(sqlite3_stmt *row, const char *name);
int64_t cs_sqlite_int(sqlite3_stmt *row, const char *name, int64_t def);
/* True if the database has a table (or view) of that name. */
bool cs_sqlite_has_table(sqlite3 *db, const char *name);

#endif
