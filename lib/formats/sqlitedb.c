/* sqlitedb.c - SQLite databases in memory, as SQLite would read them (see
 * sqlitedb.h). The journal and WAL layouts follow SQLite's file format
 * document (sections 4 and 4.1 of fileformat2) and its pager and WAL
 * recovery rules; all integers are big-endian except WAL checksum words,
 * whose order the WAL magic gives.
 */
#include "formats/sqlitedb.h"

#include <stdio.h>
#include <string.h>

struct cs_sqlite {
	sqlite3 *db;
	uint8_t *image;
	char *name;
};

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static bool valid_page_size(uint32_t ps)
{
	return ps >= 512 && ps <= 65536 && (ps & (ps - 1)) == 0;
}

/* The database page size from its header (1 stands for 65536). */
static uint32_t db_page_size(const uint8_t *db, size_t len)
{
	if (len < 100)
		return 0;
	uint32_t ps = (uint32_t)db[16] << 8 | db[17];
	if (ps == 1)
		ps = 65536;
	return valid_page_size(ps) ? ps : 0;
}

typedef struct img {
	uint8_t *p;
	size_t len, cap;
} img;

/* Grows the image to hold len bytes (zero-filled). */
static int img_size(img *m, size_t len)
{
	if (len > CS_SQLITE_MAX_FILE)
		return -EFBIG;
	if (len > m->cap) {
		size_t nc = m->cap ? m->cap : 65536;
		while (nc < len)
			nc *= 2;
		if (nc > CS_SQLITE_MAX_FILE)
			nc = CS_SQLITE_MAX_FILE;
		m->p = cs_xrealloc(m->p, nc);
		m->cap = nc;
	}
	if (len > m->len)
		memset(m->p + m->len, 0, len - m->len);
	m->len = len;
	return 0;
}

static int img_write(img *m, uint64_t pgno, uint32_t ps, const uint8_t *data)
{
	if (pgno == 0 || pgno > CS_SQLITE_MAX_FILE / ps)
		return -EFBIG;
	size_t off = (size_t)(pgno - 1) * ps;
	if (off + ps > m->len) {
		int r = img_size(m, off + ps);
		if (r < 0)
			return r;
	}
	memcpy(m->p + off, data, ps);
	return 0;
}

/* --- rollback journal --- */

static const uint8_t journal_magic[8] = {0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7};

static void rollback(img *m, const uint8_t *j, size_t jl, cs_sqlite_info *info)
{
	/* SQLite's hasHotJournal(): an empty journal, or one whose first byte
	 * is zero (journal_mode=PERSIST after a commit), is not hot. */
	if (jl == 0 || j[0] == 0) {
		snprintf(info->note, sizeof(info->note), "the rollback journal is empty or was reset by a commit: "
							 "nothing to roll back");
		return;
	}
	if (jl < 28 || memcmp(j, journal_magic, 8) != 0) {
		info->companion_ignored = true;
		snprintf(info->note, sizeof(info->note),
			 "the rollback journal has no valid header: SQLite would not roll it back; ignored");
		return;
	}
	uint32_t sector = be32(j + 20), ps = be32(j + 24);
	if (!valid_page_size(ps) || sector < 32 || sector > 65536 || (sector & (sector - 1)) != 0) {
		info->companion_ignored = true;
		snprintf(info->note, sizeof(info->note),
			 "the rollback journal's header gives a bad page size (%u) or sector size (%u): ignored", ps,
			 sector);
		return;
	}
	uint32_t dbps = db_page_size(m->p, m->len);
	if (dbps && dbps != ps) {
		info->companion_ignored = true;
		snprintf(info->note, sizeof(info->note),
			 "the rollback journal's page size (%u) is not the database's (%u): ignored", ps, dbps);
		return;
	}
	/* a super-journal name at the end: a multi-database transaction, hot
	 * only if that file still exists, which a reader of one file cannot see */
	if (jl >= 16 && memcmp(j + jl - 8, journal_magic, 8) == 0) {
		info->companion_ignored = true;
		snprintf(info->note, sizeof(info->note),
			 "the rollback journal belongs to a multi-database transaction (it names a super-journal): "
			 "not rolled back; the database file is read as it is");
		return;
	}
	size_t rec = (size_t)ps + 8;
	size_t off = 0;
	bool first = true;
	uint64_t restored = 0;
	bool torn = false;
	while (off + 28 <= jl && memcmp(j + off, journal_magic, 8) == 0) {
		uint32_t nrec = be32(j + off + 8), cksum_init = be32(j + off + 12), orig = be32(j + off + 16);
		size_t data = off + sector; /* the header fills a sector */
		if (data > jl)
			break;
		if (nrec == 0xffffffffu)
			nrec = (uint32_t)((jl - data) / rec);
		if (first) {
			/* the database goes back to its size before the transaction */
			if ((uint64_t)orig * ps > CS_SQLITE_MAX_FILE)
				break;
			if (img_size(m, (size_t)orig * ps) < 0)
				break;
			m->len = (size_t)orig * ps;
			first = false;
		}
		size_t k;
		for (k = 0; k < nrec; k++) {
			size_t r = data + k * rec;
			if (r + rec > jl) {
				torn = true;
				break;
			}
			uint32_t pgno = be32(j + r);
			const uint8_t *page = j + r + 4;
			uint32_t sum = cksum_init;
			for (int i = (int)ps - 200; i > 0; i -= 200)
				sum += page[i];
			if (pgno == 0 || sum != be32(j + r + 4 + ps)) {
				torn = true;
				break;
			}
			if ((uint64_t)pgno > orig)
				continue; /* pages past the original end are not journaled data */
			if (img_write(m, pgno, ps, page) < 0) {
				torn = true;
				break;
			}
			restored++;
		}
		if (torn)
			break;
		/* the next header starts at the next sector boundary */
		size_t next = data + (size_t)nrec * rec;
		next = (next + sector - 1) / sector * sector;
		if (next <= off)
			break;
		off = next;
	}
	info->applied = CS_SQLITE_ROLLED_BACK;
	info->journal_pages = restored;
	snprintf(info->note, sizeof(info->note),
		 "a hot rollback journal (a transaction its writer never committed) was rolled back in memory: "
		 "%llu original page%s restored%s",
		 (unsigned long long)restored, restored == 1 ? "" : "s",
		 torn ? "; the playback stopped at a record cut short or whose checksum fails, as SQLite's does" : "");
}

/* --- write-ahead log --- */

static void wal_cksum(bool big, const uint8_t *p, size_t n, uint32_t *s0, uint32_t *s1)
{
	uint32_t a = *s0, b = *s1;
	for (size_t i = 0; i + 8 <= n; i += 8) {
		uint32_t x, y;
		if (big) {
			x = be32(p + i);
			y = be32(p + i + 4);
		} else {
			x = (uint32_t)p[i] | (uint32_t)p[i + 1] << 8 | (uint32_t)p[i + 2] << 16 | (uint32_t)p[i + 3] << 24;
			y = (uint32_t)p[i + 4] | (uint32_t)p[i + 5] << 8 | (uint32_t)p[i + 6] << 16 |
			    (uint32_t)p[i + 7] << 24;
		}
		a += x + b;
		b += y + a;
	}
	*s0 = a;
	*s1 = b;
}

static void replay_wal(img *m, const uint8_t *w, size_t wl, cs_sqlite_info *info)
{
	if (wl == 0) {
		snprintf(info->note, sizeof(info->note), "the WAL is empty: the database file holds every commit");
		return;
	}
	uint32_t magic = wl >= 32 ? be32(w) : 0;
	if (wl < 32 || (magic & 0xfffffffeu) != 0x377f0682u || be32(w + 4) != 3007000u) {
		info->companion_ignored = true;
		snprintf(info->note, sizeof(info->note), "the WAL has no valid header: SQLite's recovery ignores it");
		return;
	}
	bool big = magic & 1;
	uint32_t ps = be32(w + 8), salt1 = be32(w + 16), salt2 = be32(w + 20);
	uint32_t s0 = 0, s1 = 0;
	wal_cksum(big, w, 24, &s0, &s1);
	if (!valid_page_size(ps) || s0 != be32(w + 24) || s1 != be32(w + 28)) {
		info->companion_ignored = true;
		snprintf(info->note, sizeof(info->note),
			 "the WAL header's checksum or page size is bad: SQLite's recovery ignores the WAL");
		return;
	}
	uint32_t dbps = db_page_size(m->p, m->len);
	if (dbps && dbps != ps) {
		info->companion_ignored = true;
		snprintf(info->note, sizeof(info->note), "the WAL's page size (%u) is not the database's (%u): ignored",
			 ps, dbps);
		return;
	}
	size_t fsz = 24 + (size_t)ps;
	/* first pass: the valid frames and the last commit among them */
	size_t nvalid = 0, last_commit = 0;
	uint64_t commits = 0;
	for (size_t off = 32; off + fsz <= wl; off += fsz) {
		const uint8_t *f = w + off;
		if (be32(f + 8) != salt1 || be32(f + 12) != salt2 || be32(f) == 0)
			break;
		wal_cksum(big, f, 8, &s0, &s1);
		wal_cksum(big, f + 24, ps, &s0, &s1);
		if (s0 != be32(f + 16) || s1 != be32(f + 20))
			break;
		nvalid++;
		if (be32(f + 4) != 0) {
			last_commit = nvalid;
			commits++;
		}
	}
	size_t partial = (wl - 32) % fsz;
	uint64_t ignored = nvalid - last_commit;
	for (size_t i = 0; i < last_commit; i++) {
		const uint8_t *f = w + 32 + i * fsz;
		if (img_write(m, be32(f), ps, f + 24) < 0) {
			info->companion_ignored = true;
			snprintf(info->note, sizeof(info->note), "a WAL frame names a page past the size limit: "
								 "the WAL is not applied");
			return;
		}
	}
	if (last_commit) {
		const uint8_t *f = w + 32 + (last_commit - 1) * fsz;
		uint64_t npages = be32(f + 4);
		if (npages * ps <= CS_SQLITE_MAX_FILE && img_size(m, (size_t)(npages * ps)) == 0)
			m->len = (size_t)(npages * ps);
		info->applied = CS_SQLITE_WAL;
	}
	info->wal_frames = last_commit;
	info->wal_commits = commits;
	info->wal_ignored = ignored;
	size_t total = (wl - 32) / fsz;
	snprintf(info->note, sizeof(info->note),
		 "%llu commit%s found only in the WAL (%zu frame%s) %s applied in memory%s%s",
		 (unsigned long long)commits, commits == 1 ? "" : "s", last_commit, last_commit == 1 ? "" : "s",
		 commits == 1 ? "is" : "are",
		 ignored || total > nvalid ? "; frames after the last whole commit (a commit cut short, or "
					     "frames of an earlier WAL generation) are not, as in SQLite's recovery"
					   : "",
		 partial ? "; the WAL ends in a partial frame" : "");
	if (!commits && (ignored || total))
		info->wal_ignored = ignored ? ignored : total;
}

int cs_sqlite_image(const uint8_t *db, size_t db_len, const uint8_t *wal, size_t wal_len, const uint8_t *journal,
		    size_t journal_len, uint8_t **ret, size_t *ret_len, cs_sqlite_info *info, cs_error *e)
{
	cs_sqlite_info none;
	if (!info)
		info = &none;
	memset(info, 0, sizeof(*info));
	if (db_len > CS_SQLITE_MAX_FILE)
		return cs_err(e, -EFBIG, "larger than %zu bytes", CS_SQLITE_MAX_FILE);
	static const char magic[16] = "SQLite format 3";
	bool empty = db_len == 0;
	if (!empty && (db_len < 100 || memcmp(db, magic, 16) != 0))
		return cs_err(e, -EBADMSG, "not a SQLite database (no `SQLite format 3` header)");
	if (!empty && !db_page_size(db, db_len))
		return cs_err(e, -EBADMSG, "not a SQLite database (bad page size in the header)");
	img m = {0};
	if (img_size(&m, db_len) < 0)
		return cs_err(e, -EFBIG, "too large");
	if (db_len)
		memcpy(m.p, db, db_len);
	if (wal)
		replay_wal(&m, wal, wal_len, info);
	else if (journal && !empty)
		rollback(&m, journal, journal_len, info);
	if (m.len < 100 || memcmp(m.p, magic, 16) != 0 || !db_page_size(m.p, m.len)) {
		free(m.p);
		return cs_err(e, -EBADMSG, "not a SQLite database%s", wal ? " (nor after its WAL)" : "");
	}
	/* a memory database has no WAL: read it as a rollback-journal one */
	if (m.p[18] == 2)
		m.p[18] = 1;
	if (m.p[19] == 2)
		m.p[19] = 1;
	info->page_size = db_page_size(m.p, m.len);
	/* a whole number of pages */
	m.len = m.len / info->page_size * info->page_size;
	info->pages = m.len / info->page_size;
	/* the in-header size must not exceed what is there */
	if (be32(m.p + 28) > info->pages && be32(m.p + 24) == be32(m.p + 92))
		put_be32(m.p + 28, (uint32_t)info->pages);
	*ret = m.p;
	*ret_len = m.len;
	return 0;
}

int cs_sqlitedb_open_image(uint8_t *image, size_t len, const char *name, cs_sqlite **ret, cs_error *e)
{
	sqlite3 *db = NULL;
	int rc = sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_MEMORY | SQLITE_OPEN_NOMUTEX,
				 NULL);
	if (rc != SQLITE_OK) {
		sqlite3_close(db);
		free(image);
		return cs_err(e, -ENOMEM, "`%s`: SQLite cannot open a memory database", name);
	}
	(void)sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	(void)sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	(void)sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, NULL);
	(void)sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_VIEW, 0, NULL);
	(void)sqlite3_limit(db, SQLITE_LIMIT_LENGTH, 256 << 20);
	(void)sqlite3_limit(db, SQLITE_LIMIT_SQL_LENGTH, 1 << 20);
	(void)sqlite3_limit(db, SQLITE_LIMIT_EXPR_DEPTH, 100);
	rc = sqlite3_deserialize(db, "main", image, (sqlite3_int64)len, (sqlite3_int64)len,
				 SQLITE_DESERIALIZE_READONLY);
	if (rc != SQLITE_OK) {
		sqlite3_close(db);
		free(image);
		return cs_err(e, -EBADMSG, "`%s`: SQLite refuses the database (%s)", name, sqlite3_errstr(rc));
	}
	(void)sqlite3_exec(db, "PRAGMA query_only=1; PRAGMA cell_size_check=ON;", NULL, NULL, NULL);
	cs_sqlite *s = cs_xcalloc(1, sizeof(*s));
	s->db = db;
	s->image = image;
	s->name = cs_xstrdup(name);
	*ret = s;
	return 0;
}

static int read_opt(cs_source *src, const char *path, uint8_t **ret, size_t *len, bool *present, cs_error *e)
{
	*ret = NULL;
	*len = 0;
	*present = false;
	char *t = NULL;
	int r = cs_source_read_file(src, path, CS_SQLITE_MAX_FILE, &t, len, e);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	*present = true;
	*ret = (uint8_t *)t;
	return 0;
}

int cs_sqlite_open(cs_source *src, const char *path, cs_sqlite **ret, cs_sqlite_info *info, cs_error *e)
{
	cs_sqlite_info none;
	if (!info)
		info = &none;
	memset(info, 0, sizeof(*info));
	char *dbt = NULL;
	size_t dbl = 0;
	int r = cs_source_read_file(src, path, CS_SQLITE_MAX_FILE, &dbt, &dbl, e);
	if (r < 0)
		return r;
	_cleanup_free_ char *walp = cs_xasprintf("%s-wal", path), *jp = cs_xasprintf("%s-journal", path);
	uint8_t *wal = NULL, *jr = NULL;
	size_t wl = 0, jl = 0;
	bool have_wal = false, have_j = false;
	cs_error ce = {0};
	if (read_opt(src, walp, &wal, &wl, &have_wal, &ce) < 0 ||
	    (!have_wal && read_opt(src, jp, &jr, &jl, &have_j, &ce) < 0)) {
		free(dbt);
		free(wal);
		free(jr);
		return cs_err(e, ce.code, "%s", ce.msg);
	}
	uint8_t *image;
	size_t il;
	r = cs_sqlite_image((const uint8_t *)dbt, dbl, have_wal ? wal : NULL, wl, have_j ? jr : NULL, jl, &image, &il,
			    info, e);
	free(dbt);
	free(wal);
	free(jr);
	if (r < 0) {
		cs_err_prefix(e, "`%s`", path);
		return r;
	}
	if (info->note[0]) {
		char *msg = cs_xasprintf("`%s`: %s", have_wal ? walp : jp, info->note);
		size_t n = strlen(msg);
		if (n >= sizeof(info->note))
			n = sizeof(info->note) - 1;
		memcpy(info->note, msg, n);
		info->note[n] = '\0';
		free(msg);
	}
	return cs_sqlitedb_open_image(image, il, path, ret, e);
}

sqlite3 *cs_sqlite_db(const cs_sqlite *s)
{
	return s->db;
}

const char *cs_sqlite_name(const cs_sqlite *s)
{
	return s->name;
}

void cs_sqlite_close(cs_sqlite *s)
{
	if (!s)
		return;
	sqlite3_close(s->db);
	free(s->image);
	free(s->name);
	free(s);
}

int cs_sqlitedb_each(const cs_sqlite *s, const char *sql, cs_sqlitedb_row_fn fn, void *ud, cs_error *e)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK) {
		int r = cs_err(e, -EBADMSG, "`%s`: %s", s->name, sqlite3_errmsg(s->db));
		sqlite3_finalize(st);
		return r;
	}
	int r = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (fn(ud, st))
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		r = cs_err(e, -EBADMSG, "`%s`: %s", s->name, sqlite3_errmsg(s->db));
	sqlite3_finalize(st);
	return r;
}

char *cs_sqlitedb_text(sqlite3_stmt *st, int col)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return NULL;
	const unsigned char *t = sqlite3_column_text(st, col);
	int n = sqlite3_column_bytes(st, col);
	return t ? cs_xstrndup((const char *)t, (size_t)n) : NULL;
}
