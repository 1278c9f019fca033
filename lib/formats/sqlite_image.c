/* sqlite_image.c - see sqlite_image.h.
 *
 * WAL layout (sqlite.org/fileformat2.html#walformat): a 32-byte header
 * (big endian: magic 0x377f0682/3, version, page size, checkpoint sequence,
 * salt-1, salt-2, checksum-1, checksum-2), then frames of a 24-byte header
 * (page number, database size in pages after a commit or 0, salt-1, salt-2,
 * checksum-1, checksum-2) and one page. Checksums are cumulative over the
 * header's first 24 bytes and each frame's first 8 header bytes and page,
 * in 32-bit words of the byte order the magic's low bit names.
 *
 * Rollback journal (fileformat2.html#rollbackjournal): a header of magic
 * d9 d5 05 f9 20 a1 63 d7, record count, checksum nonce, database size in
 * pages before the transaction, sector size, page size (big endian), padded
 * to the sector size; then records of page number, original page, checksum
 * (nonce + every 200th byte from the end of the page). A count of
 * 0xffffffff means "as many as the file holds". Several headers may follow
 * one another, each at a sector boundary.
 */
#include "formats/sqlite_image.h"

#include <stdio.h>
#include <string.h>

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

bool cs_sqlite_page_size_ok(uint32_t ps)
{
	return ps >= 512 && ps <= 65536 && (ps & (ps - 1)) == 0;
}

static int img_reserve(cs_pageimg *img, uint32_t n, cs_error *e)
{
	size_t need = (size_t)n * img->page_size;
	if (need / img->page_size != n || need > CS_SQLITE_MAX_IMAGE)
		return cs_err(e, -ERANGE, "page %u is out of range (the image would exceed %zu MiB)", n,
			      CS_SQLITE_MAX_IMAGE >> 20);
	if (need > img->cap) {
		size_t nc = img->cap ? img->cap : (size_t)img->page_size * 16;
		while (nc < need)
			nc = nc * 2 > CS_SQLITE_MAX_IMAGE ? CS_SQLITE_MAX_IMAGE : nc * 2;
		img->data = cs_xrealloc(img->data, nc);
		img->cap = nc;
	}
	return 0;
}

int cs_pageimg_resize(cs_pageimg *img, uint32_t n, cs_error *e)
{
	if (!img->page_size)
		return n == 0 ? 0 : cs_err(e, -ERANGE, "page size unknown");
	if (n > img->n_pages) {
		int r = img_reserve(img, n, e);
		if (r < 0)
			return r;
		memset(img->data + (size_t)img->n_pages * img->page_size, 0,
		       (size_t)(n - img->n_pages) * img->page_size);
	}
	img->n_pages = n;
	return 0;
}

int cs_pageimg_write(cs_pageimg *img, uint32_t pgno, const void *page, uint32_t page_size, cs_error *e)
{
	if (!cs_sqlite_page_size_ok(page_size))
		return cs_err(e, -EINVAL, "page size %u is not a SQLite page size", page_size);
	if (img->page_size && img->page_size != page_size)
		return cs_err(e, -EINVAL, "page size %u differs from the database's %u", page_size, img->page_size);
	img->page_size = page_size;
	if (pgno == 0)
		return cs_err(e, -ERANGE, "page number 0 is out of range");
	if (pgno > img->n_pages) {
		int r = cs_pageimg_resize(img, pgno, e);
		if (r < 0)
			return r;
	}
	memcpy(img->data + (size_t)(pgno - 1) * page_size, page, page_size);
	return 0;
}

void cs_pageimg_free(cs_pageimg *img)
{
	free(img->data);
	memset(img, 0, sizeof(*img));
}

int cs_pageimg_load(cs_pageimg *img, const void *main, size_t len, cs_error *e)
{
	memset(img, 0, sizeof(*img));
	if (len == 0)
		return 0;
	const uint8_t *p = main;
	if (len < 100 || memcmp(p, "SQLite format 3", 16) != 0)
		return cs_err(e, -EBADMSG, "not a SQLite database (no \"SQLite format 3\" header)");
	uint32_t ps = (uint32_t)p[16] << 8 | p[17];
	if (ps == 1)
		ps = 65536;
	if (!cs_sqlite_page_size_ok(ps))
		return cs_err(e, -EBADMSG, "header names page size %u, not a SQLite page size", ps);
	if (len > CS_SQLITE_MAX_IMAGE)
		return cs_err(e, -ERANGE, "database of %zu bytes is over the limit", len);
	img->page_size = ps;
	uint32_t n = (uint32_t)((len + ps - 1) / ps);
	int r = cs_pageimg_resize(img, n, e);
	if (r < 0)
		return r;
	memcpy(img->data, p, len);
	return 0;
}

/* SQLite's WAL checksum over n bytes (a multiple of 8). */
static void wal_cksum(bool big, const uint8_t *d, size_t n, uint32_t *s0, uint32_t *s1)
{
	uint32_t a = *s0, b = *s1;
	for (size_t i = 0; i + 8 <= n; i += 8) {
		uint32_t x, y;
		if (big) {
			x = be32(d + i);
			y = be32(d + i + 4);
		} else {
			x = (uint32_t)d[i] | (uint32_t)d[i + 1] << 8 | (uint32_t)d[i + 2] << 16 | (uint32_t)d[i + 3] << 24;
			y = (uint32_t)d[i + 4] | (uint32_t)d[i + 5] << 8 | (uint32_t)d[i + 6] << 16 |
			    (uint32_t)d[i + 7] << 24;
		}
		a += x + b;
		b += y + a;
	}
	*s0 = a;
	*s1 = b;
}

int cs_pageimg_apply_wal(cs_pageimg *img, const void *wal, size_t len, cs_sqlite_info *info, cs_error *e)
{
	cs_sqlite_info dummy = {0};
	if (!info)
		info = &dummy;
	const uint8_t *w = wal;
	if (len < 32)
		return len ? cs_err(e, -EBADMSG, "WAL of %zu bytes has no whole header: ignored", len) : 0;
	uint32_t magic = be32(w);
	if (magic != 0x377f0682 && magic != 0x377f0683)
		return cs_err(e, -EBADMSG, "WAL header magic %08x is wrong: ignored", magic);
	bool big = magic & 1;
	uint32_t ps = be32(w + 8);
	if (!cs_sqlite_page_size_ok(ps))
		return cs_err(e, -EBADMSG, "WAL header names page size %u: ignored", ps);
	if (img->page_size && img->page_size != ps)
		return cs_err(e, -EBADMSG, "WAL page size %u differs from the database's %u: ignored", ps,
			      img->page_size);
	uint32_t c0 = 0, c1 = 0;
	wal_cksum(big, w, 24, &c0, &c1);
	if (c0 != be32(w + 24) || c1 != be32(w + 28))
		return cs_err(e, -EBADMSG, "WAL header checksum does not match: ignored");
	uint32_t salt1 = be32(w + 16), salt2 = be32(w + 20);
	info->wal_used = true;
	/* find the last valid commit frame first, then apply up to it */
	size_t fsz = 24 + (size_t)ps, off = 32, commit_end = 32;
	uint32_t commit_size = 0, nframes = 0, ncommitted = 0;
	while (off + fsz <= len) {
		const uint8_t *f = w + off;
		if (be32(f + 8) != salt1 || be32(f + 12) != salt2)
			break;
		wal_cksum(big, f, 8, &c0, &c1);
		wal_cksum(big, f + 24, ps, &c0, &c1);
		if (c0 != be32(f + 16) || c1 != be32(f + 20))
			break;
		if (be32(f) == 0)
			break;
		nframes++;
		off += fsz;
		if (be32(f + 4)) {
			commit_end = off;
			commit_size = be32(f + 4);
			ncommitted = nframes;
		}
	}
	info->wal_frames_ignored += (uint32_t)((len - 32) / fsz) - ncommitted;
	info->wal_partial = (len - 32) % fsz != 0;
	for (size_t o = 32; o < commit_end; o += fsz) {
		int r = cs_pageimg_write(img, be32(w + o), w + o + 24, ps, e);
		if (r < 0) {
			cs_err_prefix(e, "WAL frame at byte %zu", o);
			return r;
		}
		info->wal_frames_applied++;
		if (be32(w + o + 4))
			info->wal_commits++;
	}
	if (ncommitted) {
		int r = cs_pageimg_resize(img, commit_size, e);
		if (r < 0)
			return r;
	}
	return 0;
}

int cs_pageimg_apply_journal(cs_pageimg *img, const void *journal, size_t len, cs_sqlite_info *info,
			     cs_error *e)
{
	static const uint8_t jmagic[8] = {0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7};
	cs_sqlite_info dummy = {0};
	if (!info)
		info = &dummy;
	const uint8_t *j = journal;
	size_t off = 0;
	bool first = true;
	uint32_t orig_size = 0;
	bool done = false;
	while (!done && off + 28 <= len && memcmp(j + off, jmagic, 8) == 0) {
		uint32_t nrec = be32(j + off + 8), nonce = be32(j + off + 12), dbsize = be32(j + off + 16);
		uint32_t sector = be32(j + off + 20), ps = be32(j + off + 24);
		if (!cs_sqlite_page_size_ok(ps) || (img->page_size && ps != img->page_size))
			return cs_err(e, -EBADMSG, "journal header at byte %zu names page size %u", off, ps);
		if (sector < 32 || sector > 65536 || (sector & (sector - 1)))
			sector = 512;
		if (first) {
			orig_size = dbsize;
			first = false;
		}
		size_t rec = 8 + (size_t)ps, start = off + sector;
		if (start > len)
			break;
		if (nrec == 0xffffffffu)
			nrec = (uint32_t)((len - start) / rec);
		if (nrec == 0)
			break;
		info->journal_used = true;
		size_t o = start;
		for (uint32_t k = 0; k < nrec; k++, o += rec) {
			if (o + rec > len) {
				done = true; /* a record cut short ends the playback */
				break;
			}
			uint32_t pgno = be32(j + o);
			const uint8_t *page = j + o + 4;
			uint32_t ck = nonce;
			for (int i = (int)ps - 200; i > 0; i -= 200)
				ck += page[i];
			if (pgno == 0 || ck != be32(j + o + 4 + ps)) {
				done = true; /* SQLite stops its whole playback there */
				break;
			}
			if (pgno > dbsize)
				continue; /* a page past the old end is cut off below */
			int r = cs_pageimg_write(img, pgno, page, ps, e);
			if (r < 0) {
				cs_err_prefix(e, "journal record at byte %zu", o);
				return r;
			}
			info->journal_pages_restored++;
		}
		if (done) {
			info->journal_torn = true;
			break;
		}
		/* the next header starts at the next sector boundary */
		size_t next = ((o + sector - 1) / sector) * sector;
		if (next <= off)
			break;
		off = next;
	}
	if (info->journal_used && img->page_size)
		return cs_pageimg_resize(img, orig_size, e);
	return 0;
}

/* Bounds the virtual machine steps one statement may take. */
static int progress_abort(void *ud)
{
	unsigned *n = ud;
	return ++*n > 200000; /* x 1000 instructions */
}

int cs_sqlite_open_image(const cs_pageimg *img, sqlite3 **ret, cs_error *e)
{
	sqlite3 *db = NULL;
	int rc = sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_MEMORY, NULL);
	if (rc != SQLITE_OK) {
		sqlite3_close(db);
		return cs_err(e, -ENOMEM, "cannot open an in-memory database: %s", sqlite3_errstr(rc));
	}
	sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_VIEW, 0, NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	sqlite3_limit(db, SQLITE_LIMIT_LENGTH, 64 << 20);
	sqlite3_limit(db, SQLITE_LIMIT_SQL_LENGTH, 1 << 20);
	sqlite3_limit(db, SQLITE_LIMIT_EXPR_DEPTH, 200);
	size_t sz = (size_t)img->n_pages * img->page_size;
	unsigned char *copy = sqlite3_malloc64(sz ? sz : 1);
	if (!copy) {
		sqlite3_close(db);
		return cs_err(e, -ENOMEM, "out of memory for a %zu-byte database", sz);
	}
	if (sz)
		memcpy(copy, img->data, sz);
	if (sz >= 20 && copy[18] == 2)
		copy[18] = 1; /* WAL mode -> rollback journal, in our copy only */
	if (sz >= 20 && copy[19] == 2)
		copy[19] = 1;
	rc = sqlite3_deserialize(db, "main", copy, (sqlite3_int64)sz, (sqlite3_int64)sz,
				 SQLITE_DESERIALIZE_READONLY | SQLITE_DESERIALIZE_FREEONCLOSE);
	if (rc != SQLITE_OK) {
		int r = cs_err(e, -EBADMSG, "SQLite refuses the image: %s", sqlite3_errmsg(db));
		sqlite3_close(db);
		return r;
	}
	/* the schema is read now, so that a damaged one fails here */
	sqlite3_stmt *st = NULL;
	rc = sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master", -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		int r = cs_err(e, -EBADMSG, "not a readable SQLite database: %s", sqlite3_errmsg(db));
		sqlite3_finalize(st);
		sqlite3_close(db);
		return r;
	}
	sqlite3_finalize(st);
	*ret = db;
	return 0;
}

int cs_sqlite_open_bytes(const char *name, const void *main, size_t main_len, const void *wal, size_t wal_len,
			 const void *journal, size_t journal_len, sqlite3 **ret, cs_sqlite_info *info,
			 char **warn, cs_error *e)
{
	cs_sqlite_info inf = {0};
	cs_pageimg img;
	cs_buf w = {.max = 1 << 16};
	if (warn)
		*warn = NULL;
	int r = cs_pageimg_load(&img, main, main_len, e);
	if (r < 0) {
		cs_err_prefix(e, "`%s`", name);
		return r;
	}
	cs_error le = {0};
	if (journal && journal_len && cs_pageimg_apply_journal(&img, journal, journal_len, &inf, &le) < 0) {
		/* a journal SQLite could not play back: the main file stands */
		(void)cs_buf_printf(&w, "`%s-journal`: %s", name, le.msg);
		inf.companion_ignored = true;
	}
	if (wal && wal_len) {
		cs_err_clear(&le);
		int k = cs_pageimg_apply_wal(&img, wal, wal_len, &inf, &le);
		if (k == -ERANGE) {
			cs_err(e, k, "`%s-wal`: %s", name, le.msg);
			cs_pageimg_free(&img);
			cs_buf_free(&w);
			return k;
		}
		if (k < 0) {
			(void)cs_buf_printf(&w, "%s`%s-wal`: %s", w.len ? "; " : "", name, le.msg);
			inf.companion_ignored = true;
		}
		else if (inf.wal_frames_ignored || inf.wal_partial)
			(void)cs_buf_printf(&w, "%s`%s-wal`: %u frame(s) after the last commit or not valid%s: "
					    "not applied, as SQLite would not",
					    w.len ? "; " : "", name, inf.wal_frames_ignored,
					    inf.wal_partial ? ", and a partial frame at its end" : "");
	}
	if (img.n_pages == 0) {
		cs_pageimg_free(&img);
		cs_buf_free(&w);
		return cs_err(e, -EBADMSG, "`%s`: empty database", name);
	}
	r = cs_sqlite_open_image(&img, ret, e);
	if (r < 0)
		cs_err_prefix(e, "`%s`", name);
	inf.page_size = img.page_size;
	inf.pages = img.n_pages;
	cs_pageimg_free(&img);
	if (info)
		*info = inf;
	if (warn && w.len && r == 0)
		*warn = cs_buf_steal(&w);
	cs_buf_free(&w);
	return r;
}

int cs_sqlite_each(sqlite3 *db, const char *sql, cs_sqlite_row_fn fn, void *ud, cs_error *e)
{
	unsigned steps = 0;
	sqlite3_progress_handler(db, 1000, progress_abort, &steps);
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK) {
		int r = cs_err(e, -EBADMSG, "%s", sqlite3_errmsg(db));
		sqlite3_progress_handler(db, 0, NULL, NULL);
		return r;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (fn && fn(ud, st))
			break;
	int r = 0;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		r = cs_err(e, -EBADMSG, "%s", rc == SQLITE_INTERRUPT ? "query took too long (aborted)"
								   : sqlite3_errmsg(db));
	sqlite3_finalize(st);
	sqlite3_progress_handler(db, 0, NULL, NULL);
	return r;
}

int cs_sqlite_col(sqlite3_stmt *row, const char *name)
{
	int n = sqlite3_column_count(row);
	for (int i = 0; i < n; i++) {
		const char *c = sqlite3_column_name(row, i);
		if (c && strcmp(c, name) == 0)
			return i;
	}
	return -1;
}

const char *cs_sqlite_text(sqlite3_stmt *row, const char *name)
{
	int i = cs_sqlite_col(row, name);
	if (i < 0 || sqlite3_column_type(row, i) == SQLITE_NULL)
		return NULL;
	return (const char *)sqlite3_column_text(row, i);
}

int64_t cs_sqlite_int(sqlite3_stmt *row, const char *name, int64_t def)
{
	int i = cs_sqlite_col(row, name);
	if (i < 0 || sqlite3_column_type(row, i) == SQLITE_NULL)
		return def;
	return sqlite3_column_int64(row, i);
}

static int found_row(void *ud, sqlite3_stmt *row)
{
	(void)row;
	*(bool *)ud = true;
	return 1;
}

bool cs_sqlite_has_table(sqlite3 *db, const char *name)
{
	bool found = false;
	char *sql = sqlite3_mprintf("SELECT 1 FROM sqlite_master WHERE name=%Q AND type IN ('table','view')", name);
	(void)cs_sqlite_each(db, sql, found_row, &found, NULL);
	sqlite3_free(sql);
	return found;
}
