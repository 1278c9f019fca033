/* timeline.c - see timeline.h. */
#include "timeline/timeline.h"

#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "formats/sanitize.h"

typedef struct run {
	FILE *f;
	bool have;
	int64_t time;
	uint64_t seq;
	cs_buf row;
} run;

struct cs_timeline {
	cs_timeline_opts o;
	cs_buf rows;      /* packed rows: time, seq, len, bytes */
	size_t *idx;      /* offsets into rows */
	size_t n, cap;
	run *runs;
	size_t nruns, capruns;
	uint64_t seq, count, skipped;
	cs_buf scratch;
	char *spilldir; /* chosen at the first spill */
};

/* A packed row: this header, len bytes, zero padding to 8 bytes (in memory
 * only; run files hold no padding). */
typedef struct rowhdr {
	int64_t time;
	uint64_t seq;
	uint32_t len;
} rowhdr;

/* Byte classes for the writers: 0 plain ASCII, 1 needs handling (control
 * characters, DEL, the format's special characters), 2 a byte of a
 * multi-byte sequence (checked as UTF-8). */
typedef struct byteclass {
	unsigned char c[256];
} byteclass;

static void byteclass_init(byteclass *bc, const char *special)
{
	for (int i = 0; i < 256; i++)
		bc->c[i] = i < 0x20 || i == 0x7f ? 1 : i >= 0x80 ? 2 : 0;
	for (const char *p = special; *p; p++)
		bc->c[(unsigned char)*p] = 1;
}

static const byteclass *csv_class(void)
{
	static byteclass bc;
	static bool init;
	if (!init) {
		byteclass_init(&bc, "\"\\");
		init = true;
	}
	return &bc;
}

/* Length of the run at s[0..n) that needs no escaping (C1 controls, which
 * are valid UTF-8, need it too). */
static size_t plain_run(const char *s, size_t n, const byteclass *bc)
{
	size_t i = 0;
	while (i < n) {
		unsigned char k = bc->c[(unsigned char)s[i]];
		if (k == 0) {
			i++;
			continue;
		}
		if (k == 1)
			break;
		size_t l = cs_utf8_seqlen((const unsigned char *)s + i, n - i);
		if (l == 0 || ((unsigned char)s[i] == 0xc2 && (unsigned char)s[i + 1] < 0xa0))
			break;
		i += l;
	}
	return i;
}

void cs_csv_cell(cs_buf *b, const char *s)
{
	if (!s)
		return;
	size_t n = strlen(s);
	bool quote = strpbrk(s, ",\"\r\n") != NULL;
	if (quote)
		(void)cs_buf_append(b, "\"", 1);
	size_t i = 0;
	while (i < n) {
		size_t r = plain_run(s + i, n - i, csv_class());
		(void)cs_buf_append(b, s + i, r);
		i += r;
		if (i >= n)
			break;
		unsigned char c = (unsigned char)s[i];
		char x[8];
		if (c == '"') {
			(void)cs_buf_append(b, "\"\"", 2);
		} else if (c == '\n') {
			(void)cs_buf_append(b, "\n", 1); /* kept: the cell is quoted */
		} else if (c == '\\') {
			/* escapes below start with a backslash: a real one is doubled,
			 * so `back\x41slash` and an escaped byte never read the same */
			(void)cs_buf_append(b, "\\\\", 2);
		} else if (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
			   (unsigned char)s[i + 1] <= 0x9f) {
			snprintf(x, sizeof(x), "\\u%04x", (unsigned char)s[i + 1]);
			(void)cs_buf_append(b, x, 6);
			i++;
		} else {
			/* other control characters and bytes that are not UTF-8 */
			snprintf(x, sizeof(x), "\\x%02x", c);
			(void)cs_buf_append(b, x, 4);
		}
		i++;
	}
	if (quote)
		(void)cs_buf_append(b, "\"", 1);
}

void cs_csv_cell_sheet(cs_buf *b, const char *s)
{
	if (!s || !s[0] || !strchr("=+-@'", s[0])) {
		cs_csv_cell(b, s);
		return;
	}
	_cleanup_free_ char *g = cs_xasprintf("'%s", s);
	cs_csv_cell(b, g);
}

void cs_body_name(cs_buf *b, const char *s)
{
	cs_buf esc = {.max = SIZE_MAX};
	(void)cs_escape_text(&esc, s ? s : "", s ? strlen(s) : 0);
	for (size_t i = 0; i < esc.len; i++) {
		/* '|' separates fields; mactime prints names through printf */
		if (esc.data[i] == '|')
			(void)cs_buf_puts(b, "\\x7c");
		else if (esc.data[i] == '%')
			(void)cs_buf_puts(b, "\\x25");
		else
			(void)cs_buf_append(b, esc.data + i, 1);
	}
	cs_buf_free(&esc);
}

/* Hot-path formatting without printf: decimal, zero-padded, octal. */
static size_t put_u64(char *p, uint64_t v)
{
	char tmp[24];
	size_t n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (size_t i = 0; i < n; i++)
		p[i] = tmp[n - 1 - i];
	p[n] = '\0';
	return n;
}

static size_t put_i64(char *p, int64_t v)
{
	if (v < 0) {
		p[0] = '-';
		return 1 + put_u64(p + 1, (uint64_t)0 - (uint64_t)v);
	}
	return put_u64(p, (uint64_t)v);
}

static void put_pad(char *p, uint64_t v, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
}

/* "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ" for a real time (years 1677..2262). */
static void put_time(cs_time t, char out[CS_TIME_STRMAX])
{
	int64_t sec = t / 1000000000, ns = t % 1000000000;
	if (ns < 0) {
		ns += 1000000000;
		sec--;
	}
	int64_t days = sec / 86400, rem = sec % 86400;
	if (rem < 0) {
		rem += 86400;
		days--;
	}
	int64_t y;
	unsigned m, d;
	cs_civil_from_days(days, &y, &m, &d);
	put_pad(out, (uint64_t)y, 4);
	out[4] = '-';
	put_pad(out + 5, m, 2);
	out[7] = '-';
	put_pad(out + 8, d, 2);
	out[10] = 'T';
	put_pad(out + 11, (uint64_t)(rem / 3600), 2);
	out[13] = ':';
	put_pad(out + 14, (uint64_t)(rem / 60 % 60), 2);
	out[16] = ':';
	put_pad(out + 17, (uint64_t)(rem % 60), 2);
	out[19] = '.';
	put_pad(out + 20, (uint64_t)ns, 9);
	out[29] = 'Z';
	out[30] = '\0';
}

/* The flat columns, after message/timestamp/datetime/timestamp_desc in
 * Timesketch output, and after datetime/timestamp_desc/data_type/source/
 * message in plain CSV. */
enum {
	F_DATA_TYPE, F_SOURCE, F_ENGINE, F_NAMESPACE, F_POD, F_CONTAINER_ID, F_CONTAINER_NAME, F_IMAGE, F_LAYER,
	F_VOLUME, F_PATH, F_SIZE, F_MODE, F_UID, F_GID, F_SHA256, F_MAGIC, F_EVIDENCE_PATH,
	F_EVIDENCE_OFFSET, F_N
};
static const char *const FLAT[F_N] = {"data_type", "source", "engine", "namespace", "pod", "container_id",
	"container_name", "image", "layer", "volume", "path", "size", "mode", "uid", "gid", "sha256", "magic",
	"evidence_path", "evidence_offset"};
static const bool NUMERIC[F_N] = {[F_SIZE] = true, [F_UID] = true, [F_GID] = true, [F_EVIDENCE_OFFSET] = true};

void cs_mode_text(int64_t mode, char buf[24])
{
	buf[0] = '\0';
	if (mode < 0)
		return;
	uint64_t m = (uint64_t)mode & 07777777;
	char oct[16];
	int n = 0;
	do {
		oct[n++] = (char)('0' + (m & 7));
		m >>= 3;
	} while (m);
	buf[0] = '0';
	buf[1] = 'o';
	for (int i = 0; i < n; i++)
		buf[2 + i] = oct[n - 1 - i];
	buf[2 + n] = '\0';
}

static void num(int64_t v, char buf[24])
{
	buf[0] = '\0';
	if (v >= 0)
		put_u64(buf, (uint64_t)v);
}

/* Fills the values of the flat columns. */
static void flat_values(const cs_event *ev, char nb[5][24], const char *v[F_N])
{
	num(ev->size, nb[0]);
	cs_mode_text(ev->mode, nb[1]);
	num(ev->uid, nb[2]);
	num(ev->gid, nb[3]);
	num(ev->evidence_offset, nb[4]);
	const char *vals[F_N] = {ev->data_type, ev->source, ev->engine, ev->namespace, ev->pod, ev->container_id,
				 ev->container_name, ev->image, ev->layer, ev->volume, ev->path, nb[0], nb[1],
				 nb[2], nb[3], ev->sha256, ev->magic, ev->evidence_path, nb[4]};
	memcpy(v, vals, sizeof(vals));
}

static void body_mode(uint32_t mode, char out[16])
{
	char t = S_ISDIR(mode) ? 'd' : S_ISLNK(mode) ? 'l' : S_ISCHR(mode) ? 'c' : S_ISBLK(mode) ? 'b'
		 : S_ISFIFO(mode) ? 'p' : S_ISSOCK(mode) ? 's' : S_ISREG(mode) ? 'r' : '-';
	const char *rwx = "rwxrwxrwx";
	out[0] = t;
	out[1] = '/';
	out[2] = t == 'r' ? '-' : t;
	for (int i = 0; i < 9; i++)
		out[3 + i] = (mode & (1u << (8 - i))) ? rwx[i] : '-';
	if (mode & S_ISUID)
		out[5] = (mode & S_IXUSR) ? 's' : 'S';
	if (mode & S_ISGID)
		out[8] = (mode & S_IXGRP) ? 's' : 'S';
	if (mode & S_ISVTX)
		out[11] = (mode & S_IXOTH) ? 't' : 'T';
	out[12] = '\0';
}

static bool body_secs(cs_time t, char buf[24])
{
	if (!CS_TIME_IS_REAL(t)) {
		snprintf(buf, 24, "0");
		return true;
	}
	if (t < 0)
		return false; /* mactime takes no times before 1970 */
	snprintf(buf, 24, "%lld", (long long)(t / 1000000000));
	return true;
}

/* A JSON member "key":value, with key_base64 when the value is not UTF-8. */
static void json_member(cs_buf *b, const char *key, const char *v)
{
	(void)cs_buf_printf(b, ",\"%s\":", key);
	if (!v || !*v) {
		(void)cs_buf_append(b, "null", 4);
		return;
	}
	size_t n = strlen(v);
	if (!cs_json_quote(b, v, n)) {
		(void)cs_buf_printf(b, ",\"%s_base64\":\"", key);
		cs_base64(b, v, n);
		(void)cs_buf_append(b, "\"", 1);
	}
}

/* Formats ev as one output row (with its line end) into b. */
static int format_row(cs_timeline *t, const cs_event *ev, cs_buf *b)
{
	char dt[CS_TIME_STRMAX];
	put_time(ev->time, dt);
	char us[32];
	int64_t q = ev->time / 1000;
	if (ev->time % 1000 < 0)
		q--;
	put_i64(us, q);
	char nb[5][24];
	const char *v[F_N];
	flat_values(ev, nb, v);
	switch (t->o.format) {
	case CS_TL_TIMESKETCH:
		cs_csv_cell(b, ev->message);
		(void)cs_buf_append(b, ",", 1);
		(void)cs_buf_puts(b, us);
		(void)cs_buf_append(b, ",", 1);
		(void)cs_buf_append(b, dt, 30);
		(void)cs_buf_append(b, ",", 1);
		cs_csv_cell(b, ev->desc);
		for (int i = 0; i < F_N; i++) {
			(void)cs_buf_puts(b, ",");
			cs_csv_cell(b, v[i]);
		}
		(void)cs_buf_puts(b, "\r\n");
		break;
	case CS_TL_CSV:
		(void)cs_buf_append(b, dt, 30);
		(void)cs_buf_append(b, ",", 1);
		cs_csv_cell_sheet(b, ev->desc);
		for (int i = 0; i < F_N; i++) {
			(void)cs_buf_puts(b, ",");
			cs_csv_cell_sheet(b, v[i]);
			if (i == F_SOURCE) {
				(void)cs_buf_puts(b, ",");
				cs_csv_cell_sheet(b, ev->message);
			}
		}
		(void)cs_buf_puts(b, "\r\n");
		break;
	case CS_TL_JSONL: {
		(void)cs_buf_puts(b, "{\"message\":");
		const char *m = ev->message ? ev->message : "";
		if (!cs_json_quote(b, m, strlen(m))) {
			(void)cs_buf_puts(b, ",\"message_base64\":\"");
			cs_base64(b, m, strlen(m));
			(void)cs_buf_append(b, "\"", 1);
		}
		(void)cs_buf_printf(b, ",\"timestamp\":%s,\"datetime\":\"%s\"", us, dt);
		json_member(b, "timestamp_desc", ev->desc);
		for (int i = 0; i < F_N; i++) {
			if (NUMERIC[i] && v[i][0])
				(void)cs_buf_printf(b, ",\"%s\":%s", FLAT[i], v[i]);
			else
				json_member(b, FLAT[i], v[i]);
		}
		(void)cs_buf_puts(b, "}\n");
		break;
	}
	case CS_TL_BODYFILE: {
		char a[24], m[24], c[24], cr[24], mode[16] = "-/----------";
		/* an event that is not a file puts its one time in every column,
		 * so mactime lists it once, as "macb" */
		bool ok = body_secs(ev->file_row ? ev->atime : ev->time, a) &&
			  body_secs(ev->file_row ? ev->mtime : ev->time, m) &&
			  body_secs(ev->file_row ? ev->ctime : ev->time, c) &&
			  body_secs(ev->file_row ? ev->btime : ev->time, cr);
		if (!ok)
			return -ERANGE;
		if (ev->mode >= 0)
			body_mode((uint32_t)ev->mode, mode);
		(void)cs_buf_puts(b, "0|"); /* MD5: not computed */
		/* a name unique per object: mactime keeps one size, mode and
		 * owner per name */
		cs_buf name = {.max = SIZE_MAX};
		const char *obj = ev->object ? ev->object : ev->container_name;
		if (obj) {
			(void)cs_buf_puts(&name, "[");
			(void)cs_buf_puts(&name, obj);
			(void)cs_buf_puts(&name, "] ");
		}
		if (ev->file_row)
			(void)cs_buf_puts(&name, ev->path ? ev->path : "");
		else
			(void)cs_buf_puts(&name, ev->message ? ev->message : "");
		if (ev->deleted)
			(void)cs_buf_puts(&name, ev->replaced ? " (replaced)" : " (deleted)");
		cs_body_name(b, name.data ? name.data : "");
		cs_buf_free(&name);
		(void)cs_buf_printf(b, "|%llu|%s|%s|%s|%s|%s|%s|%s|%s\n", (unsigned long long)ev->inode,
				    mode, nb[2][0] ? nb[2] : "0", nb[3][0] ? nb[3] : "0",
				    nb[0][0] ? nb[0] : "0", a, m, c, cr);
		break;
	}
	}
	return 0;
}

int cs_timeline_new(const cs_timeline_opts *o, cs_timeline **ret, cs_error *e)
{
	(void)e;
	cs_timeline *t = cs_xcalloc(1, sizeof(*t));
	t->o = *o;
	if (!t->o.mem_limit)
		t->o.mem_limit = (size_t)64 << 20;
	t->rows.max = SIZE_MAX;
	t->scratch.max = SIZE_MAX;
	*ret = t;
	return 0;
}

static void warn(cs_timeline *t, const char *msg)
{
	t->skipped++;
	if (t->o.diag) {
		cs_diag d = {.severity = CS_WARN, .msg = msg};
		t->o.diag(t->o.diag_userdata, &d);
	}
}

static cs_timeline *sort_ctx;
static int cmp_idx(const void *a, const void *b)
{
	const rowhdr *x = (const rowhdr *)(sort_ctx->rows.data + *(const size_t *)a);
	const rowhdr *y = (const rowhdr *)(sort_ctx->rows.data + *(const size_t *)b);
	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void sort_rows(cs_timeline *t)
{
	sort_ctx = t;
	if (t->n > 1)
		qsort(t->idx, t->n, sizeof(size_t), cmp_idx);
	sort_ctx = NULL;
}

/* A tmpfs with at least this much free space takes the run files when no
 * directory was named: the merge then reads them from memory. */
#define TMPFS_MIN_FREE ((uint64_t)4 << 30)

static bool roomy_tmpfs(const char *dir)
{
	struct statfs sf;
	return statfs(dir, &sf) == 0 && sf.f_type == TMPFS_MAGIC && access(dir, W_OK | X_OK) == 0 &&
	       (uint64_t)sf.f_bavail * (uint64_t)sf.f_bsize >= TMPFS_MIN_FREE;
}

/* Where run files go: the directory named (option, then $TMPDIR), else a
 * roomy tmpfs (/tmp, then /dev/shm), else /tmp. */
static const char *spill_dir(cs_timeline *t)
{
	if (!t->spilldir) {
		const char *dir = t->o.tmpdir ? t->o.tmpdir : getenv("TMPDIR");
		if (!dir || !*dir)
			dir = roomy_tmpfs("/tmp") ? "/tmp" : roomy_tmpfs("/dev/shm") ? "/dev/shm" : "/tmp";
		t->spilldir = cs_xstrdup(dir);
	}
	return t->spilldir;
}

static int spill(cs_timeline *t, cs_error *e)
{
	sort_rows(t);
	char path[4096];
	FILE *f;
	for (;;) {
		snprintf(path, sizeof(path), "%s/csleuth-run-XXXXXX", spill_dir(t));
		int fd = mkstemp(path);
		if (fd < 0)
			return cs_err(e, -errno, "temporary run file in `%s`: %s", path, strerror(errno));
		unlink(path);
		f = fdopen(fd, "w+");
		int err = 0;
		for (size_t i = 0; i < t->n && !err; i++) {
			const rowhdr *h = (const rowhdr *)(t->rows.data + t->idx[i]);
			if (fwrite(h, sizeof(*h) + h->len, 1, f) != 1)
				err = errno ? errno : EIO;
		}
		if (!err && (fflush(f) != 0 || fseek(f, 0, SEEK_SET) != 0))
			err = errno ? errno : EIO;
		if (!err)
			break;
		fclose(f);
		/* a tmpfs chosen here that filled up: the rest on disk */
		if (err == ENOSPC && !t->o.tmpdir && !getenv("TMPDIR") && strcmp(t->spilldir, "/var/tmp") != 0) {
			free(t->spilldir);
			t->spilldir = cs_xstrdup("/var/tmp");
			continue;
		}
		return cs_err(e, -err, "writing a temporary run file in `%s`: %s", t->spilldir, strerror(err));
	}
	run *r = CS_PUSH(t->runs, t->nruns, t->capruns);
	r->f = f;
	r->row.max = SIZE_MAX;
	t->rows.len = 0;
	t->n = 0;
	return 0;
}

int cs_timeline_add(cs_timeline *t, const cs_event *ev, cs_error *e)
{
	if (!CS_TIME_IS_REAL(ev->time)) {
		char msg[600];
		snprintf(msg, sizeof(msg), "%s%s%s: %s: no usable time, not in the timeline",
			 ev->container_name ? ev->container_name : "", ev->container_name ? ": " : "",
			 ev->path ? ev->path : (ev->message ? ev->message : "event"), ev->desc ? ev->desc : "");
		warn(t, msg);
		return 0;
	}
	if ((t->o.from != CS_TIME_NEVER && ev->time < t->o.from) ||
	    (t->o.to != CS_TIME_NEVER && ev->time > t->o.to))
		return 0;
	t->scratch.len = 0;
	if (format_row(t, ev, &t->scratch) < 0) {
		char msg[600];
		snprintf(msg, sizeof(msg), "%s: a time before 1970 cannot be written to a body file; skipped",
			 ev->path ? ev->path : (ev->message ? ev->message : "event"));
		warn(t, msg);
		return 0;
	}
	if (t->rows.len + t->scratch.len + sizeof(rowhdr) > t->o.mem_limit && t->n > 0) {
		int r = spill(t, e);
		if (r < 0)
			return r;
	}
	rowhdr h = {.time = ev->time, .seq = t->seq++, .len = (uint32_t)t->scratch.len};
	*CS_PUSH(t->idx, t->n, t->cap) = t->rows.len;
	static const char pad[8];
	size_t padlen = (8 - (sizeof(h) + t->scratch.len) % 8) % 8; /* keep headers aligned */
	if (cs_buf_append(&t->rows, &h, sizeof(h)) < 0 ||
	    cs_buf_append(&t->rows, t->scratch.data, t->scratch.len) < 0 ||
	    cs_buf_append(&t->rows, pad, padlen) < 0)
		return cs_err(e, -ENOMEM, "out of memory");
	t->count++;
	return 0;
}

static bool run_next(run *r)
{
	rowhdr h;
	if (fread(&h, sizeof(h), 1, r->f) != 1)
		return (r->have = false);
	r->row.len = 0;
	if (cs_buf_append(&r->row, "", 0) < 0)
		return (r->have = false);
	if (r->row.cap < (size_t)h.len + 1) {
		char *d = realloc(r->row.data, (size_t)h.len + 1);
		if (!d)
			return (r->have = false);
		r->row.data = d;
		r->row.cap = (size_t)h.len + 1;
	}
	if (h.len && fread(r->row.data, h.len, 1, r->f) != 1)
		return (r->have = false);
	r->row.len = h.len;
	r->time = h.time;
	r->seq = h.seq;
	return (r->have = true);
}

int cs_timeline_finish(cs_timeline *t, FILE *out, cs_error *e)
{
	/* header */
	if (t->o.format == CS_TL_TIMESKETCH) {
		fputs("message,timestamp,datetime,timestamp_desc", out);
		for (size_t i = 0; i < F_N; i++)
			fprintf(out, ",%s", FLAT[i]);
		fputs("\r\n", out);
	} else if (t->o.format == CS_TL_CSV) {
		fputs("datetime,timestamp_desc", out);
		for (size_t i = 0; i < F_N; i++)
			fprintf(out, ",%s%s", FLAT[i], i == F_SOURCE ? ",message" : "");
		fputs("\r\n", out);
	}
	if (t->nruns > 0 && t->n > 0) {
		int r = spill(t, e);
		if (r < 0)
			return r;
	}
	if (t->nruns == 0) {
		sort_rows(t);
		for (size_t i = 0; i < t->n; i++) {
			const rowhdr *h = (const rowhdr *)(t->rows.data + t->idx[i]);
			fwrite((const char *)(h + 1), h->len, 1, out);
		}
	} else {
		for (size_t i = 0; i < t->nruns; i++)
			run_next(&t->runs[i]);
		for (;;) {
			run *best = NULL;
			for (size_t i = 0; i < t->nruns; i++) {
				run *r = &t->runs[i];
				if (r->have && (!best || r->time < best->time ||
						(r->time == best->time && r->seq < best->seq)))
					best = r;
			}
			if (!best)
				break;
			fwrite(best->row.data, best->row.len, 1, out);
			run_next(best);
		}
	}
	if (fflush(out) != 0 || ferror(out))
		return cs_err(e, -EIO, "writing the timeline: %s", strerror(errno));
	return 0;
}

void cs_timeline_free(cs_timeline *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nruns; i++) {
		fclose(t->runs[i].f);
		cs_buf_free(&t->runs[i].row);
	}
	free(t->runs);
	cs_buf_free(&t->rows);
	cs_buf_free(&t->scratch);
	free(t->idx);
	free(t->spilldir);
	free(t);
}

uint64_t cs_timeline_count(const cs_timeline *t)
{
	return t->count;
}

cs_tl_format cs_timeline_format(const cs_timeline *t)
{
	return t->o.format;
}

uint64_t cs_timeline_skipped(const cs_timeline *t)
{
	return t->skipped;
}
