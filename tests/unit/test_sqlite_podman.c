/* Unit tests: SQLite images (formats/sqlite_image.c) brought to what SQLite
 * itself reads, on the Podman SQLite fixtures (EMULATED state files written
 * by Python's SQLite; the reports in engine/sqlite/ say what SQLite read
 * from them): the hot journal rolled back gives, byte for byte, the
 * database as it was committed; the WAL's commits are applied, a torn last
 * commit is not; damaged companions are ignored as SQLite ignores them. */
#include <archive.h>
#include <archive_entry.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "formats/sha256.h"
#include "formats/sqlite_image.h"
#include "tap.h"

typedef struct blob {
	uint8_t *p;
	size_t n;
} blob;

/* The members of a .tar.xz whose names end with the given suffixes. */
static int load(const char *txz, const char *const *suffix, blob *out, size_t n)
{
	struct archive *a = archive_read_new();
	archive_read_support_filter_all(a);
	archive_read_support_format_all(a);
	if (archive_read_open_filename(a, txz, 1 << 16) != ARCHIVE_OK) {
		archive_read_free(a);
		return -1;
	}
	struct archive_entry *e;
	while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);
		for (size_t i = 0; i < n; i++) {
			size_t l = strlen(name), sl = strlen(suffix[i]);
			if (l < sl || strcmp(name + l - sl, suffix[i]) != 0 || out[i].p)
				continue;
			size_t sz = (size_t)archive_entry_size(e);
			out[i].p = malloc(sz ? sz : 1);
			out[i].n = (size_t)archive_read_data(a, out[i].p, sz);
		}
	}
	archive_read_free(a);
	return 0;
}

static json_object *report(const char *src, const char *name)
{
	char p[4096];
	snprintf(p, sizeof(p), "%s/testdata/podman/engine/sqlite/%s", src, name);
	return json_object_from_file(p);
}

static long long scalar(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	long long v = -999;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_type(st, 0) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

#define CHANGES "'f71a67daa25443f287d91b4dfe3f85d196cb975638ed3d70dd31b12c22c26d93'"

/* The image main + journal gives; 0 or -errno. */
static int rolled(const blob *db, const uint8_t *j, size_t jl, cs_pageimg *img, cs_sqlite_info *info)
{
	memset(info, 0, sizeof(*info));
	cs_error e = {0};
	int k = cs_pageimg_load(img, db->p, db->n, &e);
	if (k == 0)
		k = cs_pageimg_apply_journal(img, j, jl, info, &e);
	return k;
}

static bool same(const cs_pageimg *img, const blob *db)
{
	return (size_t)img->n_pages * img->page_size == db->n && memcmp(img->data, db->p, db->n) == 0;
}

static void journal_tests(const char *src)
{
	char txz[4096];
	snprintf(txz, sizeof(txz), "%s/testdata/podman/podman5.tar.xz", src);
	static const char *const sfx[] = {"libpod/db.sql", "libpod/db.sql-journal"};
	blob b[2] = {{0}};
	if (load(txz, sfx, b, 2) < 0 || !b[0].p || !b[1].p) {
		tap_ok(0, "podman5.tar.xz holds db.sql and db.sql-journal");
		return;
	}
	json_object *r = report(src, "podman5.json"), *x;
	const char *want = NULL;
	if (json_object_object_get_ex(r, "files_committed", &x) && json_object_object_get_ex(x, "db.sql", &x) &&
	    json_object_object_get_ex(x, "sha256", &x))
		want = json_object_get_string(x);
	cs_pageimg img;
	cs_sqlite_info info;
	int k = rolled(&b[0], b[1].p, b[1].n, &img, &info);
	tap_ok(k == 0 && info.journal_used && info.journal_pages_restored > 0 && !info.journal_torn,
	       "the hot journal is rolled back (%u pages)", info.journal_pages_restored);
	char hex[65] = "";
	if (k == 0)
		cs_sha256_hex(img.data, (size_t)img.n_pages * img.page_size, hex);
	TAP_STR_EQ(hex, want, "rolled back, the database is byte for byte the committed one (sha256 as SQLite's own "
			      "rollback gave)");
	cs_pageimg_free(&img);
	sqlite3 *db = NULL;
	cs_error e = {0};
	char *warn = NULL;
	if (cs_sqlite_open_bytes("db.sql", b[0].p, b[0].n, NULL, 0, b[1].p, b[1].n, &db, &info, &warn, &e) == 0) {
		tap_ok(scalar(db, "SELECT count(*) FROM ContainerConfig") == 12 && !warn,
		       "opened with its journal: 12 containers, as before the removal");
		tap_ok(sqlite3_exec(db, "DELETE FROM ContainerConfig", NULL, NULL, NULL) != SQLITE_OK,
		       "writes are refused");
		sqlite3_close(db);
	} else {
		tap_ok(0, "db.sql with its journal opens: %s", e.msg);
	}
	free(warn);
	/* a journal reset by a commit (persist mode), or with a bad first record */
	uint8_t *j = malloc(b[1].n);
	memcpy(j, b[1].p, b[1].n);
	j[0] = 0;
	k = rolled(&b[0], j, b[1].n, &img, &info);
	tap_ok(k == 0 && !info.journal_used && same(&img, &b[0]),
	       "a journal whose header was zeroed is not hot: the database as it is");
	cs_pageimg_free(&img);
	memcpy(j, b[1].p, b[1].n);
	j[512 + 4 + 96] ^= 0xff; /* a byte of the first record the checksum samples (every 200th from the end) */
	k = rolled(&b[0], j, b[1].n, &img, &info);
	tap_ok(k == 0 && info.journal_pages_restored == 0 && info.journal_torn,
	       "a record whose checksum fails ends the playback, as in SQLite");
	cs_pageimg_free(&img);
	/* cut inside the first segment's last record: header sector + nrec records of page + 8 */
	memcpy(j, b[1].p, b[1].n);
	uint32_t nrec = (uint32_t)j[8] << 24 | (uint32_t)j[9] << 16 | (uint32_t)j[10] << 8 | j[11];
	uint32_t sector = (uint32_t)j[20] << 24 | (uint32_t)j[21] << 16 | (uint32_t)j[22] << 8 | j[23];
	size_t cut = sector + (size_t)nrec * (4096 + 8) - 100;
	k = rolled(&b[0], j, cut < b[1].n ? cut : b[1].n, &img, &info);
	tap_ok(k == 0 && info.journal_torn && nrec > 1 && info.journal_pages_restored == nrec - 1,
	       "a journal cut short: the %u records before the cut are played back, and the cut said", nrec - 1);
	cs_pageimg_free(&img);
	memcpy(j, b[1].p, b[1].n);
	j[3] = 0;
	k = rolled(&b[0], j, b[1].n, &img, &info);
	tap_ok(k == 0 && !info.journal_used && same(&img, &b[0]),
	       "a journal with a bad magic is not hot (SQLite's playback stops at its header): the database as it is");
	cs_pageimg_free(&img);
	free(j);
	k = cs_sqlite_open_bytes("db.sql",
				 "not sqlite at all, just some text that is long enough to have a header "
				 "but is certainly no database file whatsoever...............",
				 120, NULL, 0, NULL, 0, &db, NULL, NULL, &e);
	tap_ok(k == -EBADMSG && strstr(e.msg, "not a SQLite database"), "not a database: -EBADMSG");
	free(b[0].p);
	free(b[1].p);
	json_object_put(r);
}

static void wal_tests(const char *src)
{
	char txz[4096];
	snprintf(txz, sizeof(txz), "%s/testdata/podman/sqlite-wal.tar.xz", src);
	static const char *const sfx[] = {"libpod/db.sql", "libpod/db.sql-wal"};
	blob b[2] = {{0}};
	if (load(txz, sfx, b, 2) < 0 || !b[0].p || !b[1].p) {
		tap_ok(0, "sqlite-wal.tar.xz holds db.sql and db.sql-wal");
		return;
	}
	static const char state[] = "SELECT json_extract(s.JSON, '$.state') FROM ContainerState s WHERE s.ID = " CHANGES;
	static const char code[] = "SELECT ExitCode FROM ContainerExitCode WHERE ID = " CHANGES;
	cs_sqlite_info info;
	cs_error e = {0};
	sqlite3 *db;
	char *warn = NULL;
	int k = cs_sqlite_open_bytes("db.sql", b[0].p, b[0].n, b[1].p, b[1].n, NULL, 0, &db, &info, &warn, &e);
	tap_ok(k == 0 && info.wal_used && info.wal_commits == 2 && !warn, "two commits applied from the WAL");
	if (k == 0) {
		tap_ok(scalar(db, state) == 6 && scalar(db, code) == 3, "with the WAL: changes exited (6), exit code 3");
		sqlite3_close(db);
	}
	free(warn);
	k = cs_sqlite_open_bytes("db.sql", b[0].p, b[0].n, NULL, 0, NULL, 0, &db, &info, NULL, &e);
	if (k == 0) {
		tap_ok(scalar(db, state) == 3 && scalar(db, code) == -999, "without it: running, no exit code record");
		sqlite3_close(db);
	}
	/* the last commit torn */
	k = cs_sqlite_open_bytes("db.sql", b[0].p, b[0].n, b[1].p, b[1].n - 100, NULL, 0, &db, &info, &warn, &e);
	tap_ok(k == 0 && info.wal_commits == 1 && info.wal_partial && !info.companion_ignored && warn &&
		       strstr(warn, "partial frame"),
	       "a torn WAL: the first commit only, the cut said, the WAL still used");
	free(warn);
	if (k == 0) {
		tap_ok(scalar(db, state) == 3 && scalar(db, code) == 3,
		       "the exit code (first commit) is there, the state update (torn) is not");
		sqlite3_close(db);
	}
	/* a frame whose checksum fails ends the WAL there */
	uint8_t *w = malloc(b[1].n);
	memcpy(w, b[1].p, b[1].n);
	w[32 + 24 + 10] ^= 0x55;
	cs_pageimg img;
	memset(&info, 0, sizeof(info));
	k = cs_pageimg_load(&img, b[0].p, b[0].n, &e);
	if (k == 0)
		k = cs_pageimg_apply_wal(&img, w, b[1].n, &info, &e);
	tap_ok(k == 0 && info.wal_commits == 0 && info.wal_frames_applied == 0 && same(&img, &b[0]),
	       "a bad first frame: nothing applied");
	cs_pageimg_free(&img);
	memcpy(w, b[1].p, b[1].n);
	w[0] = 0;
	k = cs_sqlite_open_bytes("db.sql", b[0].p, b[0].n, w, b[1].n, NULL, 0, &db, &info, &warn, &e);
	tap_ok(k == 0 && info.companion_ignored && warn && strstr(warn, "db.sql-wal"),
	       "a bad WAL header: the WAL ignored, and that is said");
	if (k == 0)
		sqlite3_close(db);
	free(warn);
	free(w);
	free(b[0].p);
	free(b[1].p);
}

int main(void)
{
	const char *src = getenv("CSLEUTH_SRCDIR");
	if (!src)
		src = ".";
	journal_tests(src);
	wal_tests(src);
	return tap_done();
}
