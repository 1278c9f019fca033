/* lxd_sqldump.c - test helper: a database csleuth rebuilds, printed the way
 * `lxd sql global .dump` / `lxd sql local .dump` print it (lxd-5.0.2
 * lxd/db/query/dump.go through go-dqlite), so the rebuild can be compared
 * byte for byte with the engine's own record.
 *
 *   lxd_sqldump ROOT raft DIR [auto|log|snapshot]   a dqlite raft log (db.bin)
 *   lxd_sqldump ROOT file PATH                       a SQLite file (+ -wal, -journal)
 *
 * Columns declared DATETIME, DATE or TIMESTAMP print as go-dqlite gives
 * them back (text parsed as ISO 8601, integers as Unix seconds, UTC; ""
 * as NULL), 'YYYY-MM-DD HH:MM:SS[.nnnnnnnnn]+hh:mm'; text is quoted, with
 * CR and LF wrapped in replace(...).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "evidence/source.h"
#include "formats/dqlite.h"
#include "formats/sqlite_image.h"

static void put_time_text(const char *v)
{
	/* Y-M-D[ T]H:M[:S[.frac]][Z|+hh:mm] */
	int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, n = 0;
	char frac[16] = "";
	int off = 0;
	size_t L = strlen(v);
	char buf[128];
	snprintf(buf, sizeof(buf), "%s", v);
	if (L && buf[L - 1] == 'Z')
		buf[--L] = 0;
	const char *p = buf;
	if (sscanf(p, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3) {
		printf("'%s'", v);
		return;
	}
	p += n;
	if (*p == ' ' || *p == 'T') {
		p++;
		if (sscanf(p, "%2d:%2d%n", &h, &mi, &n) == 2) {
			p += n;
			if (*p == ':' && sscanf(p + 1, "%2d%n", &s, &n) == 1) {
				p += 1 + n;
				if (*p == '.') {
					p++;
					size_t k = 0;
					while (*p >= '0' && *p <= '9') {
						if (k < 9)
							frac[k++] = *p;
						p++;
					}
					frac[k] = 0;
				}
			}
		}
	}
	if (*p == '+' || *p == '-') {
		int oh = 0, om = 0;
		if (sscanf(p + 1, "%2d:%2d", &oh, &om) == 2)
			off = (oh * 3600 + om * 60) * (*p == '+' ? 1 : -1);
	}
	long ns = 0;
	if (*frac) {
		char f9[10] = "000000000";
		memcpy(f9, frac, strlen(frac));
		ns = strtol(f9, NULL, 10);
	}
	printf("'%04d-%02d-%02d %02d:%02d:%02d", y, mo, d, h, mi, s);
	if (ns)
		printf(".%09ld", ns);
	int a = off < 0 ? -off : off;
	printf("%c%02d:%02d'", off >= 0 ? '+' : '-', a / 3600, (a % 3600) / 60);
}

static void put_time_int(long long secs)
{
	long long days = secs / 86400, rem = secs % 86400;
	if (rem < 0) {
		rem += 86400;
		days--;
	}
	int64_t y;
	unsigned m, d;
	cs_civil_from_days(days, &y, &m, &d);
	printf("'%04lld-%02u-%02u %02lld:%02lld:%02lld+00:00'", (long long)y, m, d, rem / 3600, (rem % 3600) / 60,
	       rem % 60);
}

static void put_text(const unsigned char *t, int n)
{
	/* quote, then wrap CR and LF as dump.go does */
	char *q = malloc((size_t)n * 3 + 3), *o = q;
	*o++ = '\'';
	bool cr = false, lf = false;
	for (int i = 0; i < n; i++) {
		if (t[i] == '\'') {
			*o++ = '\'';
			*o++ = '\'';
		} else if (t[i] == '\r') {
			*o++ = '\\';
			*o++ = 'r';
			cr = true;
		} else if (t[i] == '\n') {
			*o++ = '\\';
			*o++ = 'n';
			lf = true;
		} else {
			*o++ = (char)t[i];
		}
	}
	*o++ = '\'';
	*o = 0;
	if (lf)
		fputs("replace(", stdout);
	if (cr)
		fputs("replace(", stdout);
	fputs(q, stdout);
	if (cr)
		fputs(",'\\r',char(13))", stdout);
	if (lf)
		fputs(",'\\n',char(10))", stdout);
	free(q);
}

static int rows(sqlite3 *db, const char *table)
{
	char *sql = sqlite3_mprintf("PRAGMA table_info(\"%w\")", table);
	sqlite3_stmt *st;
	char types[256][32];
	int nt = 0;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW && nt < 256) {
		const char *t = (const char *)sqlite3_column_text(st, 2);
		snprintf(types[nt++], 32, "%s", t ? t : "");
	}
	sqlite3_finalize(st);
	sqlite3_free(sql);
	sql = sqlite3_mprintf("SELECT * FROM \"%w\" ORDER BY rowid", table);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		printf("INSERT INTO %s VALUES(", table);
		int nc = sqlite3_column_count(st);
		for (int i = 0; i < nc; i++) {
			if (i)
				putchar(',');
			const char *t = i < nt ? types[i] : "";
			int ty = sqlite3_column_type(st, i);
			bool tm = strcasecmp(t, "DATETIME") == 0 || strcasecmp(t, "DATE") == 0 ||
				  strcasecmp(t, "TIMESTAMP") == 0;
			if (ty == SQLITE_NULL) {
				fputs("NULL", stdout);
			} else if (tm && ty == SQLITE_INTEGER) {
				put_time_int(sqlite3_column_int64(st, i));
			} else if (tm) {
				const char *v = (const char *)sqlite3_column_text(st, i);
				if (!*v)
					fputs("NULL", stdout);
				else
					put_time_text(v);
			} else if (ty == SQLITE_INTEGER) {
				printf("%lld", (long long)sqlite3_column_int64(st, i));
			} else if (ty == SQLITE_FLOAT) {
				printf("%g", sqlite3_column_double(st, i));
			} else if (ty == SQLITE_TEXT) {
				put_text(sqlite3_column_text(st, i), sqlite3_column_bytes(st, i));
			} else {
				putchar('\'');
				fwrite(sqlite3_column_blob(st, i), 1, (size_t)sqlite3_column_bytes(st, i), stdout);
				putchar('\'');
			}
		}
		puts(");");
	}
	sqlite3_finalize(st);
	sqlite3_free(sql);
	return 0;
}

static void dump(sqlite3 *db)
{
	puts("PRAGMA foreign_keys=OFF;");
	puts("BEGIN TRANSACTION;");
	sqlite3_stmt *st;
	sqlite3_prepare_v2(db,
			   "SELECT name, type, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY rowid",
			   -1, &st, NULL);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		const char *type = (const char *)sqlite3_column_text(st, 1);
		const char *sql = (const char *)sqlite3_column_text(st, 2);
		if (!sql)
			continue;
		if (strncmp(sql, "CREATE TABLE \"", 14) == 0)
			printf("CREATE TABLE IF NOT EXISTS%s;\n", sql + 12);
		else
			printf("%s;\n", sql);
		if (strcmp(type, "table") == 0)
			rows(db, name);
	}
	sqlite3_finalize(st);
	puts("DELETE FROM sqlite_sequence;");
	if (cs_sqlite_has_table(db, "sqlite_sequence"))
		rows(db, "sqlite_sequence");
	puts("COMMIT;");
}

static void on_diag(void *ud, const cs_diag *d)
{
	(void)ud;
	fprintf(stderr, "lxd_sqldump: %s\n", d->msg);
}

static int read_opt(cs_source *src, const char *path, char **b, size_t *n)
{
	*b = NULL;
	*n = 0;
	return cs_source_read_file(src, path, CS_SQLITE_MAX_IMAGE, b, n, NULL);
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fputs("usage: lxd_sqldump ROOT raft DIR [auto|log|snapshot] | ROOT file PATH\n", stderr);
		return 2;
	}
	cs_source *src;
	cs_error e = {0};
	if (cs_source_open_dir(argv[1], 0, &src, &e) < 0) {
		fprintf(stderr, "lxd_sqldump: %s\n", e.msg);
		return 1;
	}
	sqlite3 *db = NULL;
	if (strcmp(argv[2], "raft") == 0) {
		cs_dqlite_from from = CS_DQLITE_AUTO;
		if (argc > 4 && strcmp(argv[4], "log") == 0)
			from = CS_DQLITE_LOG;
		else if (argc > 4 && strcmp(argv[4], "snapshot") == 0)
			from = CS_DQLITE_SNAPSHOT;
		cs_pageimg img;
		cs_dqlite_info info;
		if (cs_dqlite_replay(src, argv[3], "db.bin", from, &img, &info, on_diag, NULL, &e) < 0 ||
		    cs_sqlite_open_image(&img, &db, &e) < 0) {
			fprintf(stderr, "lxd_sqldump: %s\n", e.msg);
			return 1;
		}
		fprintf(stderr, "lxd_sqldump: entries %llu..%llu, applied to %llu, snapshot %llu, %llu transactions, %u pages\n",
			(unsigned long long)info.first_index, (unsigned long long)info.last_index,
			(unsigned long long)info.last_applied, (unsigned long long)info.snapshot_index,
			(unsigned long long)info.transactions, img.n_pages);
		cs_pageimg_free(&img);
		cs_dqlite_info_clear(&info);
	} else {
		char *m, *w, *j;
		size_t mn, wn, jn;
		if (read_opt(src, argv[3], &m, &mn) < 0) {
			fprintf(stderr, "lxd_sqldump: cannot read %s\n", argv[3]);
			return 1;
		}
		char *pw = cs_xasprintf("%s-wal", argv[3]), *pj = cs_xasprintf("%s-journal", argv[3]);
		read_opt(src, pw, &w, &wn);
		read_opt(src, pj, &j, &jn);
		char *warn = NULL;
		if (cs_sqlite_open_bytes(argv[3], m, mn, w, wn, j, jn, &db, NULL, &warn, &e) < 0) {
			fprintf(stderr, "lxd_sqldump: %s\n", e.msg);
			return 1;
		}
		if (warn)
			fprintf(stderr, "lxd_sqldump: %s\n", warn);
		free(warn);
		free(m);
		free(w);
		free(j);
		free(pw);
		free(pj);
	}
	dump(db);
	sqlite3_close(db);
	cs_source_close(src);
	return 0;
}
