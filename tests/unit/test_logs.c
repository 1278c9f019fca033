/* Unit tests: log record decoders (json-file, protobuf LogEntry, CRI) and the
 * streaming reader over files built here: rotation order, gzip (whole,
 * several members, cut short), damaged lines and frames (a 4 GiB length, a
 * trailer that disagrees), records cut short at the end, tail, filters and
 * joining. */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "logs/logs.h"
#include "tap.h"

static char tmp[256];

/* ---------------------------------------------------------------------- */
/* helpers */

static void write_file(const char *name, const void *p, size_t n)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", tmp, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(p, 1, n, f) != n) {
		perror(path);
		exit(2);
	}
	fclose(f);
}

static void write_str(const char *name, const char *s)
{
	write_file(name, s, strlen(s));
}

/* gzip (one member) of p into *out. */
static size_t gz(const void *p, size_t n, unsigned char **out)
{
	z_stream z = {0};
	if (deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		exit(2);
	size_t cap = deflateBound(&z, n) + 64;
	*out = malloc(cap);
	z.next_in = (Bytef *)(uintptr_t)p;
	z.avail_in = (uInt)n;
	z.next_out = *out;
	z.avail_out = (uInt)cap;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END)
		exit(2);
	size_t len = cap - z.avail_out;
	deflateEnd(&z);
	return len;
}

/* protobuf writer */
typedef struct pbw {
	unsigned char b[1 << 16];
	size_t n;
} pbw;

static void pv(pbw *w, uint64_t v)
{
	while (v >= 0x80) {
		w->b[w->n++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	w->b[w->n++] = (unsigned char)v;
}

static void pbytes(pbw *w, unsigned field, const void *p, size_t n)
{
	pv(w, field << 3 | 2);
	pv(w, n);
	memcpy(w->b + w->n, p, n);
	w->n += n;
}

static void pint(pbw *w, unsigned field, uint64_t v)
{
	pv(w, field << 3);
	pv(w, v);
}

static size_t entry(unsigned char *out, const char *src, int64_t t, const char *line, size_t ll,
		    int partial, const char *id, int ordinal, int last)
{
	pbw w = {.n = 0};
	pbytes(&w, 1, src, strlen(src));
	pint(&w, 2, (uint64_t)t);
	pbytes(&w, 3, line, ll);
	if (partial) {
		pint(&w, 4, 1);
		pbw m = {.n = 0};
		if (last)
			pint(&m, 1, 1);
		pbytes(&m, 2, id, strlen(id));
		pint(&m, 3, (uint64_t)ordinal);
		pbytes(&w, 5, m.b, m.n);
	}
	memcpy(out, w.b, w.n);
	return w.n;
}

static void be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/* appends one frame to buf */
static size_t frame(unsigned char *buf, const char *src, int64_t t, const char *line, int partial,
		    const char *id, int ordinal, int last)
{
	size_t n = entry(buf + 4, src, t, line, strlen(line), partial, id, ordinal, last);
	be32(buf, (uint32_t)n);
	be32(buf + 4 + n, (uint32_t)n);
	return n + 8;
}

typedef struct got {
	char text[8192];
	size_t n;
	int warns, notes;
	char diags[8192];
} got;

static void on_diag(void *ud, const cs_diag *d)
{
	got *g = ud;
	if (d->severity == CS_WARN)
		g->warns++;
	else
		g->notes++;
	size_t l = strlen(g->diags);
	snprintf(g->diags + l, sizeof(g->diags) - l, "%s|", d->msg);
}

/* Reads everything; text is "<stream letter><text>[\n]" per record. */
static int read_all(cs_source *src, cs_log_format fmt, const char *const *paths, size_t n,
		    cs_logs_opts *o, got *g)
{
	memset(g, 0, sizeof(*g));
	o->diag = on_diag;
	o->diag_userdata = g;
	cs_logs *r;
	cs_error e = {0};
	if (cs_logs_open_files(src, fmt, paths, n, o, &r, &e) < 0)
		return -1;
	const cs_log_record *rec;
	int k, count = 0;
	while ((k = cs_logs_next(r, &rec, &e)) > 0) {
		count++;
		char s = rec->stream == CS_LOG_STDOUT	? 'o'
			 : rec->stream == CS_LOG_STDERR ? 'e'
							: '?';
		if (g->n + rec->len + 4 < sizeof(g->text)) {
			g->text[g->n++] = s;
			if (rec->truncated)
				g->text[g->n++] = '!';
			memcpy(g->text + g->n, rec->text, rec->len);
			g->n += rec->len;
			if (rec->newline)
				g->text[g->n++] = '\n';
			g->text[g->n] = '\0';
		}
	}
	cs_logs_close(r);
	return k < 0 ? -1 : count;
}

static const char *J(const char *stream, const char *text, const char *time)
{
	static char b[8][512];
	static int i;
	i = (i + 1) % 8;
	snprintf(b[i], sizeof(b[i]), "{\"log\":\"%s\",\"stream\":\"%s\",\"time\":\"%s\"}\n", text,
		 stream, time);
	return b[i];
}

/* ---------------------------------------------------------------------- */

static void test_json_decode(void)
{
	cs_buf sc = {0};
	cs_log_record r;
	const char *why = NULL;
	size_t eo = 0;
	const char *l = "{\"log\":\"hello\\n\",\"stream\":\"stdout\",\"time\":\"2026-11-23T14:58:"
			"02.78296591Z\"}";
	int k = cs_log_decode_json(l, strlen(l), &sc, &r, &why, &eo);
	tap_ok(k == 0 && r.len == 5 && memcmp(r.text, "hello", 5) == 0 && r.newline && !r.partial &&
		       r.stream == CS_LOG_STDOUT,
	       "json: the engine's shape, fast path");
	tap_ok(r.time == 1795445882782965910LL, "json: time with 8 fraction digits (%lld)",
	       (long long)r.time);
	tap_ok(r.text >= l && r.text < l + strlen(l), "json: plain text is not copied");

	l = "{\"log\":\"no newline\",\"stream\":\"stderr\",\"time\":\"2026-11-23T14:58:02Z\"}";
	k = cs_log_decode_json(l, strlen(l), &sc, &r, &why, &eo);
	tap_ok(k == 0 && r.partial && !r.newline && r.stream == CS_LOG_STDERR &&
		       r.time == 1795445882000000000LL,
	       "json: a piece without '\\n' is partial; a time without fraction");

	/* the general path: members in another order, attrs, escapes */
	l = " { \"stream\" : \"stdout\", \"attrs\":{\"a\":\"b\",\"n\":[1,2.5e3,{\"x\":null}]}, "
	    "\"TIME\":\"2028-02-29T00:00:00.5+01:00\","
	    " \"Log\":\"tab\\u0009q\\\"b\\\\s\\/ \\ud83d\\udc33 \\ud800x \\udc00 \\u00e9\\r\\n\" "
	    "} ";
	k = cs_log_decode_json(l, strlen(l), &sc, &r, &why, &eo);
	const char *want = "tab\tq\"b\\s/ \xf0\x9f\x90\xb3 \xef\xbf\xbdx \xef\xbf\xbd \xc3\xa9\r";
	tap_ok(k == 0 && r.len == strlen(want) && memcmp(r.text, want, r.len) == 0 && r.newline,
	       "json: escapes, surrogate pair, lone surrogates as U+FFFD, case-insensitive names");
	if (k != 0)
		printf("#   k=%d why=%s at %zu\n", k, why ? why : "", eo);
	tap_ok(r.time == 1835391600500000000LL, "json: leap day with an offset (%lld)",
	       (long long)r.time);

	/* invalid UTF-8: one U+FFFD per byte, as Go decodes */
	l = "{\"log\":\"a\xff\xfe b\xc0\xaf c\xed\xa0\x80 d\xf0\x9f\x90 "
	    "e\xe2\x82\xac\\n\",\"stream\":\"stdout\",\"time\":\"2026-01-01T00:00:00Z\"}";
	k = cs_log_decode_json(l, strlen(l), &sc, &r, &why, &eo);
	want = "a\xef\xbf\xbd\xef\xbf\xbd b\xef\xbf\xbd\xef\xbf\xbd "
	       "c\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd "
	       "d\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd e\xe2\x82\xac";
	tap_ok(k == 0 && r.len == strlen(want) && memcmp(r.text, want, r.len) == 0,
	       "json: invalid UTF-8 bytes become U+FFFD one by one, valid sequences stay");

	/* duplicates: the last wins; null leaves the field */
	l = "{\"log\":\"first\\n\",\"log\":\"second\\n\",\"stream\":null,\"stream\":\"stderr\","
	    "\"time\":\"2026-01-01T00:00:00Z\"}";
	k = cs_log_decode_json(l, strlen(l), &sc, &r, &why, &eo);
	tap_ok(k == 0 && r.len == 6 && memcmp(r.text, "second", 6) == 0 &&
		       r.stream == CS_LOG_STDERR,
	       "json: the last duplicate member wins");

	l = "{\"log\":\"x\\n\",\"stream\":\"stdout\"}";
	k = cs_log_decode_json(l, strlen(l), &sc, &r, &why, &eo);
	tap_ok(k == 0 && r.time == CS_TIME_NEVER, "json: no time is Go's zero time");
	l = "{\"log\":\"x\\n\",\"stream\":\"stdout\",\"time\":\"yesterday\"}";
	k = cs_log_decode_json(l, strlen(l), &sc, &r, &why, &eo);
	tap_ok(k == 0 && r.time == CS_TIME_INVALID, "json: an unreadable time is kept as invalid");
	l = "{\"log\":\"x\\n\",\"stream\":\"console\",\"time\":\"2026-01-01T00:00:00Z\"}";
	k = cs_log_decode_json(l, strlen(l), &sc, &r, &why, &eo);
	tap_ok(k == 0 && r.stream == 0 && r.source_len == 7,
	       "json: another stream is kept by name");

	static const struct {
		const char *line;
		const char *what;
	} bad[] = {
		{"not json", "not an object"},
		{"{\"log\":\"a\x01b\",\"stream\":\"stdout\"}", "a raw control character"},
		{"{\"log\":\"a\\qb\",\"stream\":\"stdout\"}", "a bad escape"},
		{"{\"log\":\"a\\u12g4\"}", "a bad \\u escape"},
		{"{\"log\":5,\"stream\":\"stdout\"}", "log is a number"},
		{"{\"log\":\"x\"} trailing", "data after the object"},
		{"{\"log\":\"x\",\"n\":01}", "a number with a leading zero"},
		{"{\"log\":\"x\",,}", "two commas"},
		{"[\"log\"]", "an array"},
		{"", "an empty line"},
		{"{\"stream\":\"stdout\",\"ti", "cut short before any text"},
	};
	for (size_t i = 0; i < CS_ARRAY_SIZE(bad); i++) {
		why = NULL;
		k = cs_log_decode_json(bad[i].line, strlen(bad[i].line), &sc, &r, &why, &eo);
		tap_ok(k < 0 && why, "json: rejects %s (%s at %zu)", bad[i].what, why ? why : "-",
		       eo);
	}
	/* deep nesting is bounded, not recursive */
	char deep[5000];
	size_t d = (size_t)snprintf(deep, sizeof(deep), "{\"log\":\"x\",\"a\":");
	for (int i = 0; i < 2000; i++)
		deep[d++] = '[';
	k = cs_log_decode_json(deep, d, &sc, &r, &why, &eo);
	tap_ok(k < 0 && strstr(why, "deep"), "json: 2000 nested arrays are refused (%s)",
	       why ? why : "-");

	/* cut short: what was read of the text is kept */
	l = "{\"log\":\"tick 41\\ntail";
	k = cs_log_decode_json(l, strlen(l), &sc, &r, &why, &eo);
	tap_ok(k == 1 && r.truncated && r.len == 12 && memcmp(r.text, "tick 41\ntail", 12) == 0 &&
		       r.newline,
	       "json: a record cut inside the text is kept, flagged truncated");
	l = "{\"log\":\"tick 41\\n\",\"stream\":\"stdout\",\"time\":\"2026-01-0";
	k = cs_log_decode_json(l, strlen(l), &sc, &r, &why, &eo);
	tap_ok(k == 1 && r.truncated && r.len == 7 && r.stream == CS_LOG_STDOUT,
	       "json: a record cut inside the time keeps text and stream");
	cs_buf_free(&sc);
}

static void test_entry_decode(void)
{
	unsigned char b[4096];
	cs_log_record r;
	const char *why = NULL;
	size_t eo = 0;
	size_t n = entry(b, "stdout", 1795445882782965910LL, "a\0b\xff", 4, 0, NULL, 0, 0);
	int k = cs_log_decode_entry(b, n, &r, &why, &eo);
	tap_ok(k == 0 && r.stream == CS_LOG_STDOUT && r.time == 1795445882782965910LL &&
		       r.len == 4 && memcmp(r.text, "a\0b\xff", 4) == 0 && r.newline &&
		       !r.partial && !r.has_meta,
	       "entry: source, time, raw bytes; a whole line");
	n = entry(b, "stderr", 5, "piece", 5, 1, "abc", 1, 0);
	k = cs_log_decode_entry(b, n, &r, &why, &eo);
	tap_ok(k == 0 && r.has_meta && r.partial && !r.newline && r.ordinal == 1 && !r.last &&
		       r.partial_id_len == 3 && memcmp(r.partial_id, "abc", 3) == 0,
	       "entry: partial metadata (id, ordinal)");
	n = entry(b, "stderr", 5, "end", 3, 1, "abc", 2, 1);
	k = cs_log_decode_entry(b, n, &r, &why, &eo);
	tap_ok(k == 0 && r.last && !r.partial && !r.newline,
	       "entry: the last piece ends the line, printed without '\\n' as Docker 20.10 does");
	/* unknown fields of every wire type are skipped */
	pbw w = {.n = 0};
	pbytes(&w, 1, "stdout", 6);
	pv(&w, 6 << 3 | 2);
	pv(&w, 4);
	memcpy(w.b + w.n, "k\0v\0", 4);
	w.n += 4;
	pv(&w, 7 << 3 | 1);
	memset(w.b + w.n, 1, 8);
	w.n += 8;
	pv(&w, 8 << 3 | 5);
	memset(w.b + w.n, 1, 4);
	w.n += 4;
	pint(&w, 9, UINT64_MAX);
	pbytes(&w, 3, "x", 1);
	k = cs_log_decode_entry(w.b, w.n, &r, &why, &eo);
	tap_ok(k == 0 && r.len == 1 && r.text[0] == 'x',
	       "entry: unknown fields are skipped by wire type");

	static const struct {
		unsigned char b[16];
		size_t n;
		const char *what;
	} bad[] = {
		{{0x0a, 0x06, 's', 't', 'd', 'o', 'u', 't', 0x10, 0xff, 0xff, 0xff, 0xff, 0xff,
		  0xff, 0xff},
		 16,
		 "a varint that does not end"},
		{{0x08, 0x01}, 2, "source with the wrong wire type"},
		{{0x00, 0x01}, 2, "field number 0"},
		{{0x0b, 0x01}, 2, "a group (wire type 3)"},
		{{0x0a, 0x06, 's', 't', 'd', 'o', 'u', 't', 0x10, 0x80, 0x80, 0x80, 0x80, 0x80,
		  0x80, 0x80},
		 16,
		 "a varint cut short"},
	};
	for (size_t i = 0; i < CS_ARRAY_SIZE(bad); i++) {
		why = NULL;
		k = cs_log_decode_entry(bad[i].b, bad[i].n, &r, &why, &eo);
		tap_ok(k != 0, "entry: %s is not a whole entry (%d, %s)", bad[i].what, k,
		       why ? why : "-");
	}
	unsigned char ov[] = {0x0a, 0x01, 'x',	0x10, 0xff, 0xff, 0xff,
			      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f};
	why = NULL;
	k = cs_log_decode_entry(ov, sizeof(ov), &r, &why, &eo);
	tap_ok(k < 0, "entry: a varint over 64 bits is refused (%s)", why ? why : "-");
	/* a line field longer than what is left: the entry was cut */
	n = entry(b, "stdout", 5, "0123456789", 10, 0, NULL, 0, 0);
	k = cs_log_decode_entry(b, n - 4, &r, &why, &eo);
	tap_ok(k == 1 && r.truncated && r.len == 6 && memcmp(r.text, "012345", 6) == 0,
	       "entry: cut inside the line: the piece read is kept");
	tap_ok(k == 1 && why && strstr(why, "past the end"), "entry: a cut entry says why (%s)",
	       why ? why : "(null)");
	/* cut right after the key of the line field: no text at all, never the
	 * bytes of another field (the source, read just before) */
	unsigned char cut[] = {0x0a, 0x06, 's', 't', 'd', 'o', 'u', 't', 0x1a};
	k = cs_log_decode_entry(cut, sizeof(cut), &r, &why, &eo);
	tap_ok(k == 1 && r.truncated && r.len == 0 && r.stream == CS_LOG_STDOUT,
	       "entry: cut after the line's key: an empty text, not `%.*s`", (int)r.len,
	       k >= 0 ? r.text : "");
	unsigned char cut2[] = {0x0a, 0x06, 's', 't', 'd', 'o', 'u', 't', 0x1a, 0x85};
	k = cs_log_decode_entry(cut2, sizeof(cut2), &r, &why, &eo);
	tap_ok(k == 1 && r.len == 0, "entry: cut inside the line's length: an empty text");
}

/* The minute cache of the time parser starts empty in every thread: 16 NUL
 * bytes must not match it. */
static void *cri_nul_time(void *arg)
{
	int *res = arg;
	char l[40];
	memset(l, 0, 16);
	memcpy(l + 16, ":07Z stdout F x", 15);
	cs_log_record r;
	const char *why = NULL;
	size_t eo = 0;
	*res = cs_log_decode_cri(l, 31, &r, &why, &eo);
	if (*res == 0)
		res[1] = (int)(r.time / 1000000000);
	return NULL;
}

static void test_cri_decode(void)
{
	cs_log_record r;
	const char *why = NULL;
	size_t eo = 0;
	const char *l = "2026-11-23T14:58:02.123456789Z stdout F hello world";
	int k = cs_log_decode_cri(l, strlen(l), &r, &why, &eo);
	tap_ok(k == 0 && r.stream == CS_LOG_STDOUT && !r.partial && r.newline && r.len == 11 &&
		       memcmp(r.text, "hello world", 11) == 0 && r.time == 1795445882123456789LL,
	       "cri: a full line");
	l = "2026-11-23T15:58:02.5+01:00 stderr P part";
	k = cs_log_decode_cri(l, strlen(l), &r, &why, &eo);
	tap_ok(k == 0 && r.stream == CS_LOG_STDERR && r.partial && !r.newline &&
		       r.time == 1795445882500000000LL,
	       "cri: a partial line, time with an offset");
	l = "2026-11-23T14:58:02Z stdout F:x:y  two spaces";
	k = cs_log_decode_cri(l, strlen(l), &r, &why, &eo);
	tap_ok(k == 0 && r.len == 11 && r.text[0] == ' ',
	       "cri: tags after ':', the text keeps its spaces");
	l = "2026-11-23T14:58:02Z stdout F";
	k = cs_log_decode_cri(l, strlen(l), &r, &why, &eo);
	tap_ok(k == 0 && r.len == 0, "cri: an empty line");
	static const char *bad[] = {"garbage", "2026-11-23T14:58:02Z stdout",
				    "2026-11-23T14:58:02Z stdout X text", "yesterday stdout F text",
				    "2026-11-23T14:58:02Z  F text"};
	for (size_t i = 0; i < CS_ARRAY_SIZE(bad); i++) {
		why = NULL;
		k = cs_log_decode_cri(bad[i], strlen(bad[i]), &r, &why, &eo);
		tap_ok(k < 0 && why, "cri: rejects `%s` (%s)", bad[i], why ? why : "-");
	}
}

static void test_parse_time(void)
{
	int res[2] = {9, -1};
	pthread_t th;
	if (pthread_create(&th, NULL, cri_nul_time, res) == 0)
		pthread_join(th, NULL);
	tap_ok(res[0] < 0, "time: 16 NUL bytes + \":07Z\" in a fresh thread are no time (%d, %d s)",
	       res[0], res[1]);
	cs_time t;
	tap_ok(cs_logs_parse_time("1700000000", &t) == 0 && t == 1700000000000000000LL,
	       "time: Unix seconds");
	tap_ok(cs_logs_parse_time("1700000000.5", &t) == 0 && t == 1700000000500000000LL,
	       "time: with a fraction");
	tap_ok(cs_logs_parse_time("2023-11-14T22:13:20.000000001Z", &t) == 0 &&
		       t == 1700000000000000001LL,
	       "time: RFC 3339");
	tap_ok(cs_logs_parse_time("1700000000.", &t) < 0 && cs_logs_parse_time("soon", &t) < 0 &&
		       cs_logs_parse_time("99999999999999999999", &t) < 0,
	       "time: rejects junk and overflow");
}

/* ---------------------------------------------------------------------- */
/* the reader */

static void test_json_files(cs_source *src)
{
	cs_logs_opts o;
	got g;
	/* rotation: .2.gz (oldest) .1 current */
	char a[2048];
	snprintf(a, sizeof(a), "%s%s", J("stdout", "one\\n", "2026-01-01T00:00:01Z"),
		 J("stderr", "two\\n", "2026-01-01T00:00:02Z"));
	unsigned char *z;
	size_t zn = gz(a, strlen(a), &z);
	write_file("j.log.2.gz", z, zn);
	free(z);
	write_str("j.log.1", J("stdout", "three\\n", "2026-01-01T00:00:03Z"));
	char cur[4096];
	snprintf(cur, sizeof(cur), "%s%s%s%s", J("stdout", "four\\n", "2026-01-01T00:00:04Z"),
		 "this is not json\n",
		 "{\"log\":\"cut\\n\",\"stream\":\"stdout\",\"ti{\"log\":\"five\\n\",\"stream\":"
		 "\"stderr\",\"time\":\"2026-01-01T00:00:05Z\"}\n",
		 "{\"log\":\"six, cut by the crash");
	write_str("j.log", cur);
	const char *files[] = {"j.log.2.gz", "j.log.1", "j.log"};
	cs_logs_opts_init(&o);
	int n = read_all(src, CS_LOG_JSONFILE, files, 3, &o, &g);
	TAP_STR_EQ(
		g.text, "oone\netwo\nothree\nofour\no!cut\nefive\n?!six, cut by the crash\n",
		"reader: gzip'd and plain rotations in order; bad line skipped; cut records kept");
	tap_ok(n == 7 && g.warns == 3, "reader: %d records, %d warnings", n, g.warns);
	char off[64];
	snprintf(off, sizeof(off), "offset %zu",
		 strlen(J("stdout", "four\\n", "2026-01-01T00:00:04Z")));
	tap_ok(strstr(g.diags, "j.log: ") && strstr(g.diags, off) &&
		       strstr(g.diags, "not a json-file record"),
	       "reader: the bad line is named by file and %s", off);
	tap_ok(strstr(g.diags, "another begins") != NULL,
	       "reader: a cut record followed by another is found");

	/* tail counts stored records from the end, over all files */
	cs_logs_opts_init(&o);
	o.tail = 3;
	n = read_all(src, CS_LOG_JSONFILE, files, 3, &o, &g);
	tap_ok(n >= 2 && strstr(g.text, "efive\n") && !strstr(g.text, "four"),
	       "reader: --tail 3 (%d records)", n);
	cs_logs_opts_init(&o);
	o.tail = 6;
	n = read_all(src, CS_LOG_JSONFILE, files, 3, &o, &g);
	tap_ok(strncmp(g.text, "etwo\n", 5) == 0, "reader: --tail 6 starts inside the gzip'd file");
	cs_logs_opts_init(&o);
	o.tail = 0;
	n = read_all(src, CS_LOG_JSONFILE, files, 3, &o, &g);
	tap_ok(n == 0, "reader: --tail 0 prints nothing");

	/* since/until and streams */
	cs_logs_opts_init(&o);
	cs_logs_parse_time("2026-01-01T00:00:02Z", &o.since);
	cs_logs_parse_time("2026-01-01T00:00:04Z", &o.until);
	o.streams = CS_LOG_STDOUT;
	n = read_all(src, CS_LOG_JSONFILE, files, 3, &o, &g);
	TAP_STR_EQ(g.text, "othree\nofour\n", "reader: since/until inclusive, stdout only");

	/* gzip cut short: what inflates is read, the loss is named */
	char big[20000];
	size_t bl = 0;
	for (int i = 0; i < 200; i++)
		bl += (size_t)snprintf(big + bl, sizeof(big) - bl, "%s",
				       J(i % 2 ? "stderr" : "stdout", "line with some text\\n",
					 "2026-01-01T00:00:00Z"));
	zn = gz(big, bl, &z);
	write_file("cut.gz", z, zn / 2);
	write_file("whole.gz", z, zn);
	free(z);
	const char *cf[] = {"cut.gz", "whole.gz"};
	cs_logs_opts_init(&o);
	n = read_all(src, CS_LOG_JSONFILE, cf, 2, &o, &g);
	tap_ok(n > 200 && n < 400, "reader: a cut gzip gives up its readable part (%d records)", n);
	tap_ok(strstr(g.diags, "cut.gz: the gzip stream ends early") != NULL,
	       "reader: the cut gzip is named");

	/* several gzip members in one file */
	unsigned char *z1, *z2;
	const char *m1 = J("stdout", "member one\\n", "2026-01-01T00:00:00Z"),
		   *m2 = J("stdout", "member two\\n", "2026-01-01T00:00:00Z");
	size_t n1 = gz(m1, strlen(m1), &z1), n2 = gz(m2, strlen(m2), &z2);
	unsigned char both[1024];
	memcpy(both, z1, n1);
	memcpy(both + n1, z2, n2);
	write_file("multi.gz", both, n1 + n2);
	both[n1 + n2] = 'X';
	write_file("junk.gz", both, n1 + n2 + 1);
	free(z1);
	free(z2);
	const char *mf[] = {"multi.gz"};
	cs_logs_opts_init(&o);
	n = read_all(src, CS_LOG_JSONFILE, mf, 1, &o, &g);
	TAP_STR_EQ(g.text, "omember one\nomember two\n",
		   "reader: gzip members are read one after the other");
	mf[0] = "junk.gz";
	n = read_all(src, CS_LOG_JSONFILE, mf, 1, &o, &g);
	tap_ok(n == 2 && g.warns == 1 && strstr(g.diags, "something other than gzip"),
	       "reader: trailing junk after gzip data is reported");

	/* join: pieces of one line, interleaved with the other stream */
	snprintf(cur, sizeof(cur), "%s%s%s%s", J("stdout", "AAA", "2026-01-01T00:00:01Z"),
		 J("stderr", "err\\n", "2026-01-01T00:00:02Z"),
		 J("stdout", "BBB", "2026-01-01T00:00:03Z"),
		 J("stdout", "CCC\\n", "2026-01-01T00:00:04Z"));
	write_str("pieces.log", cur);
	const char *pf[] = {"pieces.log"};
	cs_logs_opts_init(&o);
	n = read_all(src, CS_LOG_JSONFILE, pf, 1, &o, &g);
	TAP_STR_EQ(g.text, "oAAAeerr\noBBBoCCC\n", "reader: pieces as stored");
	o.join = true;
	n = read_all(src, CS_LOG_JSONFILE, pf, 1, &o, &g);
	TAP_STR_EQ(g.text, "eerr\noAAABBBCCC\n", "reader: --join puts the pieces together");

	/* a line longer than max_record is skipped without growing */
	size_t huge = 5u << 20;
	char *h = malloc(huge + 200);
	size_t hl =
		(size_t)snprintf(h, 200, "%s", J("stdout", "before\\n", "2026-01-01T00:00:00Z"));
	memcpy(h + hl, "{\"log\":\"", 8);
	memset(h + hl + 8, 'x', huge);
	hl += 8 + huge;
	hl += (size_t)snprintf(h + hl, 200,
			       "\\n\",\"stream\":\"stdout\",\"time\":\"2026-01-01T00:00:00Z\"}\n%s",
			       J("stdout", "after\\n", "2026-01-01T00:00:00Z"));
	write_file("huge.log", h, hl);
	free(h);
	const char *hf[] = {"huge.log"};
	cs_logs_opts_init(&o);
	o.max_record = 3u << 20;
	n = read_all(src, CS_LOG_JSONFILE, hf, 1, &o, &g);
	TAP_STR_EQ(g.text, "obefore\noafter\n", "reader: an over-long line is skipped");
	tap_ok(g.warns == 1 && strstr(g.diags, "longer than"), "reader: ... and reported");

	/* a directory where a file should be */
	char dp[512];
	snprintf(dp, sizeof(dp), "%s/adir", tmp);
	mkdir(dp, 0755);
	snprintf(dp, sizeof(dp), "%s/alink", tmp);
	if (symlink("/etc/passwd", dp) < 0)
		perror("symlink");
	const char *df[] = {"adir", "alink", "pieces.log"};
	cs_logs_opts_init(&o);
	n = read_all(src, CS_LOG_JSONFILE, df, 3, &o, &g);
	tap_ok(n == 4 && g.warns == 2 && strstr(g.diags, "adir: offset 0: a directory") &&
		       strstr(g.diags, "alink: offset 0: a symbolic link (to `/etc/passwd`)"),
	       "reader: a directory and a symlink are reported and passed over");
}

static void test_local_files(cs_source *src)
{
	cs_logs_opts o;
	got g;
	unsigned char *b = calloc(1, 1 << 20);
	size_t n = 0;
	n += frame(b + n, "stdout", 1000000000, "first", 0, NULL, 0, 0);
	size_t bad1 = n;
	/* a frame whose length says 4 GiB */
	memset(b + n, 0xff, 4);
	memcpy(b + n + 4, "garbage!", 8);
	n += 12;
	n += frame(b + n, "stderr", 2000000000, "second", 0, NULL, 0, 0);
	size_t bad2 = n;
	/* a trailer that disagrees */
	size_t fl = frame(b + n, "stdout", 3000000000, "lost", 0, NULL, 0, 0);
	b[n + fl - 1] ^= 0x55;
	n += fl;
	n += frame(b + n, "stdout", 4000000000, "pie", 1, "id1", 0, 0);
	n += frame(b + n, "stderr", 4500000000, "between", 0, NULL, 0, 0);
	n += frame(b + n, "stdout", 5000000000, "ce", 1, "id1", 1, 1);
	n += frame(b + n, "stdout", 6000000000, "third", 0, NULL, 0, 0);
	size_t last = n;
	size_t fl2 = frame(b + n, "stdout", 7000000000, "cut by the crash", 0, NULL, 0, 0);
	n += fl2 - 9; /* the file ends inside the last frame */
	write_file("c.log", b, n);
	const char *f[] = {"c.log"};
	cs_logs_opts_init(&o);
	int k = read_all(src, CS_LOG_LOCAL, f, 1, &o, &g);
	TAP_STR_EQ(g.text, "ofirst\nesecond\nopieebetween\noceothird\no!cut by the \n",
		   "local: bad frames skipped, the rest read, a cut frame kept");
	tap_ok(k == 7 && g.warns == 3, "local: %d records, %d warnings", k, g.warns);
	char m1[128], m2[128], m3[128];
	snprintf(m1, sizeof(m1), "c.log: offset %zu: bad frame length 4294967295", bad1);
	snprintf(m2, sizeof(m2), "c.log: offset %zu: frame trailer", bad2);
	snprintf(m3, sizeof(m3), "c.log: offset %zu: the file ends inside a frame", last);
	tap_ok(strstr(g.diags, m1) != NULL, "local: the 4 GiB length is named with its offset");
	tap_ok(strstr(g.diags, m2) != NULL, "local: the bad trailer is named with its offset");
	tap_ok(strstr(g.diags, m3) != NULL, "local: the cut frame is named with its offset");
	if (!strstr(g.diags, m1) || !strstr(g.diags, m2) || !strstr(g.diags, m3))
		printf("#   %s\n", g.diags);
	o.join = true;
	k = read_all(src, CS_LOG_LOCAL, f, 1, &o, &g);
	TAP_STR_EQ(g.text, "ofirst\nesecond\nebetween\nopiece\nothird\no!cut by the \n",
		   "local: --join by partial id gives whole lines");

	/* zeros, as a file system leaves after a power cut */
	n = frame(b, "stdout", 1, "before zeros", 0, NULL, 0, 0);
	memset(b + n, 0, 4096);
	n += 4096;
	n += frame(b + n, "stdout", 2, "after zeros", 0, NULL, 0, 0);
	write_file("z.log", b, n);
	f[0] = "z.log";
	cs_logs_opts_init(&o);
	k = read_all(src, CS_LOG_LOCAL, f, 1, &o, &g);
	TAP_STR_EQ(g.text, "obefore zeros\noafter zeros\n",
		   "local: a run of zeros is skipped, not read as frames");
	tap_ok(g.warns == 1 && strstr(g.diags, "4096 bytes skipped"), "local: ... in one warning");

	/* tail on local files: backwards over trailers, forwards in gzip */
	n = 0;
	for (int i = 0; i < 10; i++) {
		char t[16];
		snprintf(t, sizeof(t), "r%d", i);
		n += frame(b + n, i % 2 ? "stderr" : "stdout", i, t, 0, NULL, 0, 0);
	}
	unsigned char *z;
	size_t zn = gz(b, n, &z);
	write_file("t.log.1.gz", z, zn);
	free(z);
	write_file("t.log", b, n);
	const char *tf[] = {"t.log.1.gz", "t.log"};
	cs_logs_opts_init(&o);
	o.tail = 3;
	k = read_all(src, CS_LOG_LOCAL, tf, 2, &o, &g);
	TAP_STR_EQ(g.text, "er7\nor8\ner9\n", "local: --tail 3 from the current file");
	o.tail = 12;
	k = read_all(src, CS_LOG_LOCAL, tf, 2, &o, &g);
	tap_ok(k == 12 && strncmp(g.text, "or8\ner9\nor0\n", 12) == 0,
	       "local: --tail 12 starts in the gzip'd file");
	free(b);
}

/* A whole frame whose entry is cut inside a field: reported with why. */
static void test_local_cut_entry(cs_source *src)
{
	unsigned char b[256];
	size_t n = frame(b, "stdout", 1000000000, "before", 0, NULL, 0, 0);
	unsigned char e[64];
	size_t el = entry(e, "stdout", 2000000000, "0123456789", 10, 0, NULL, 0, 0);
	el -= 4; /* the line field says 10 bytes, 6 are in the frame */
	be32(b + n, (uint32_t)el);
	memcpy(b + n + 4, e, el);
	be32(b + n + 4 + el, (uint32_t)el);
	n += el + 8;
	n += frame(b + n, "stdout", 3000000000, "after", 0, NULL, 0, 0);
	write_file("cutentry.log", b, n);
	const char *f[] = {"cutentry.log"};
	cs_logs_opts o;
	cs_logs_opts_init(&o);
	got g;
	int k = read_all(src, CS_LOG_LOCAL, f, 1, &o, &g);
	tap_ok(k == 2 && strcmp(g.text, "obefore\noafter\n") == 0 && g.warns == 1,
	       "local: a frame cut inside its entry is skipped with one warning (%d records)", k);
	tap_ok(!strstr(g.diags, "(null)") && strstr(g.diags, "past the end"),
	       "local: the warning says why: %s", g.diags);
}

/* Hostile sizes and shapes: many records on one line (back to back, or
 * each cut short by the next), nesting beyond the bound, and a last line
 * over the limit whose length is an exact multiple of the read window. */
static void test_hostile_lines(cs_source *src)
{
	cs_logs_opts o;
	got g;
	const char *f[] = {"hostile.log"};
	size_t cap = 8 << 20, n = 0;
	char *b = malloc(cap);
	/* 50,000 records back to back; the first one's text ends with '{' */
	uint64_t *offs = calloc(50000, sizeof(uint64_t));
	n += (size_t)snprintf(b + n, cap - n, "%s", J("stdout", "x{", "2026-01-01T00:00:00Z"));
	n--; /* no newline */
	for (int i = 1; i < 50000; i++) {
		char t[32];
		snprintf(t, sizeof(t), "r%d\\n", i);
		offs[i] = n;
		n += (size_t)snprintf(b + n, cap - n, "%s", J(i % 7 ? "stdout" : "stderr", t,
							     "2026-01-01T00:00:01.5Z"));
		n--;
	}
	b[n++] = '\n';
	write_file(f[0], b, n);
	cs_logs_opts_init(&o);
	cs_logs *r;
	cs_error e = {0};
	int k = cs_logs_open_files(src, CS_LOG_JSONFILE, f, 1, &o, &r, &e);
	const cs_log_record *rec;
	int count = 0, good = 0;
	while (k == 0 && cs_logs_next(r, &rec, &e) > 0 && count < 50000) {
		char t[32];
		int tl = snprintf(t, sizeof(t), "r%d", count);
		bool ok = rec->offset == offs[count] && !rec->truncated;
		if (count == 0)
			ok = ok && rec->len == 2 && memcmp(rec->text, "x{", 2) == 0 && rec->partial;
		else
			ok = ok && rec->len == (size_t)tl && memcmp(rec->text, t, (size_t)tl) == 0 &&
			     rec->newline && rec->stream == (count % 7 ? CS_LOG_STDOUT : CS_LOG_STDERR);
		good += ok;
		count++;
	}
	cs_logs_close(r);
	free(offs);
	tap_ok(count == 50000 && good == 50000,
	       "hostile: 50,000 records on one line, each at its own offset (%d read, %d right)",
	       count, good);

	/* 200,000 records each cut short by the next: every piece is kept */
	n = 0;
	for (int i = 0; i < 200000; i++)
		n += (size_t)snprintf(b + n, cap - n, "{\"log\":\"tick %d", i);
	b[n++] = '\n';
	write_file(f[0], b, n);
	cs_logs_opts_init(&o);
	k = read_all(src, CS_LOG_JSONFILE, f, 1, &o, &g);
	tap_ok(k == 200000 && g.warns == 100 && strncmp(g.text, "?!tick 0\n?!tick 1\n", 18) == 0,
	       "hostile: 200,000 records cut short on one line are each kept, flagged (%d)", k);

	/* nesting past the bound, again and again on one line */
	n = 0;
	while (n + 8 < (2u << 20))
		n += (size_t)snprintf(b + n, cap - n, "{\"x\":");
	n += (size_t)snprintf(b + n, cap - n, "%s", J("stdout", "after\\n", "2026-01-01T00:00:02Z"));
	write_file(f[0], b, n);
	cs_logs_opts_init(&o);
	k = read_all(src, CS_LOG_JSONFILE, f, 1, &o, &g);
	tap_ok(k == 1 && strcmp(g.text, "oafter\n") == 0 && g.warns >= 1,
	       "hostile: 2 MiB of nesting, then a record: the record is found (%d)", k);
	free(b);

	/* a gzip bomb: 64 MiB of zeros after a record, in a file of ~64 KiB; the
	 * bound is lowered here to 8 MiB (ratio 4) so the test stays small */
	{
		size_t zl = 64 << 20;
		char *zeros = calloc(1, zl);
		size_t m = (size_t)snprintf(zeros, 200, "%s", J("stdout", "before\\n", "2026-01-01T00:00:00Z"));
		(void)m;
		unsigned char *z;
		size_t gl = gz(zeros, zl, &z);
		free(zeros);
		write_file("bomb.log.gz", z, gl);
		free(z);
		const char *fb[] = {"bomb.log.gz"};
		cs_logs_opts_init(&o);
		o.gzip_ratio = 4;
		o.gzip_floor = 8 << 20;
		k = read_all(src, CS_LOG_JSONFILE, fb, 1, &o, &g);
		tap_ok(k == 1 && strcmp(g.text, "obefore\n") == 0 && g.warns == 2 &&
			       strstr(g.diags, "bomb.log.gz: it inflates to more than 8388608 bytes") &&
			       strstr(g.diags, "decompression bomb"),
		       "hostile: a gzip bomb stops at the bound, with a warning naming the file (%s)",
		       g.diags);
		cs_logs_opts_init(&o);
		k = read_all(src, CS_LOG_JSONFILE, fb, 1, &o, &g);
		tap_ok(k == 1 && g.warns == 1 && strstr(g.diags, "not a json-file record") &&
			       !strstr(g.diags, "decompression"),
		       "hostile: within the default bound (256 MiB), the 64 MiB of zeros are read "
		       "(%s)", g.diags);
	}

	/* two gzip members where the first ends one byte before the reader's
	 * 256 KiB input chunk: the second member's magic straddles two reads
	 * (found by fuzz/fuzz_logs_gzip with small chunks) */
	{
		unsigned char *m1 = NULL, *m2 = NULL;
		size_t l1 = 0, l2;
		const size_t want = ((size_t)256 << 10) - 1;
		char *line = malloc(want + 200);
		for (size_t tl = want - 400; tl < want && l1 != want; tl++) {
			size_t m = (size_t)snprintf(line, 64, "{\"log\":\"");
			memset(line + m, 'x', tl);
			m += tl;
			m += (size_t)snprintf(line + m, 100, "\\n\",\"stream\":\"stdout\",\"time\":"
							"\"2026-01-01T00:00:00Z\"}\n");
			free(m1);
			z_stream z = {0};
			deflateInit2(&z, 0, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
			size_t zc = deflateBound(&z, m) + 64;
			m1 = malloc(zc);
			z.next_in = (Bytef *)line;
			z.avail_in = (uInt)m;
			z.next_out = m1;
			z.avail_out = (uInt)zc;
			deflate(&z, Z_FINISH);
			l1 = zc - z.avail_out;
			deflateEnd(&z);
		}
		const char *second = J("stderr", "second\\n", "2026-01-01T00:00:01Z");
		l2 = gz(second, strlen(second), &m2);
		unsigned char *both = malloc(l1 + l2);
		memcpy(both, m1, l1);
		memcpy(both + l1, m2, l2);
		write_file("members.log.gz", both, l1 + l2);
		const char *fm[] = {"members.log.gz"};
		cs_logs_opts_init(&o);
		k = read_all(src, CS_LOG_JSONFILE, fm, 1, &o, &g);
		tap_ok(l1 == want && k == 2 && g.warns == 0 && strstr(g.text, "esecond\n"),
		       "hostile: a gzip member ending one byte before a read chunk: the next one is "
		       "read (%zu bytes, %d records, %s)", l1, k, g.diags);
		free(m1);
		free(m2);
		free(both);
		free(line);
	}

	/* a last line over the limit, exactly one and two windows long */
	for (int w = 1; w <= 2; w++) {
		cs_logs_opts_init(&o);
		o.max_record = 1; /* raised to the minimum, 2 * 1,000,000 + 16 */
		size_t len = (size_t)w * (2 * CS_LOGS_LOCAL_MAX_FRAME + 16);
		char *big = malloc(len + 200);
		size_t m = (size_t)snprintf(big, 200, "%s", J("stdout", "first\\n", "2026-01-01T00:00:00Z"));
		memcpy(big + m, "{\"log\":\"", 8);
		memset(big + m + 8, 'x', len - 8);
		write_file(f[0], big, m + len);
		free(big);
		k = read_all(src, CS_LOG_JSONFILE, f, 1, &o, &g);
		tap_ok(k == 1 && g.warns == 1 && strstr(g.diags, "longer than the 2000016 allowed"),
		       "hostile: a last line of %d window(s) without a newline is reported, not "
		       "dropped silently (%s)", w, g.diags);
	}
}

static void test_container(cs_source *src)
{
	/* a container directory with rotations, as the engine leaves it */
	char p[512];
	snprintf(p, sizeof(p), "%s/containers", tmp);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/containers/abc", tmp);
	mkdir(p, 0755);
	write_str("containers/abc/abc-json.log", J("stdout", "current\\n", "2026-01-01T00:00:09Z"));
	write_str("containers/abc/abc-json.log.1",
		  J("stdout", "one, whole\\n", "2026-01-01T00:00:05Z"));
	write_str("containers/abc/abc-json.log.1.gz", "\x1f\x8b half written");
	unsigned char *z;
	const char *t3 = J("stdout", "three\\n", "2026-01-01T00:00:01Z");
	size_t zn = gz(t3, strlen(t3), &z);
	write_file("containers/abc/abc-json.log.3.gz", z, zn);
	free(z);
	write_str("containers/abc/abc-json.log.x", "not a rotation");
	static char id[] = "abc", dir[] = "containers/abc", lp[] = "containers/abc/abc-json.log",
		    hc1[] = "{\"LogConfig\":{\"Type\":\"json-file\",\"Config\":{\"max-file\":\"4\","
			    "\"max-size\":\"1k\"}}}",
		    hc2[] = "{\"LogConfig\":{\"Type\":\"json-file\",\"Config\":{}}}",
		    local[] = "local";
	cs_container ct = {0};
	ct.id = id;
	ct.dir = dir;
	ct.log_evidence_path = lp;
	ct.hostconfig_json = hc1;
	cs_logs_opts o;
	cs_logs_opts_init(&o);
	got g;
	memset(&g, 0, sizeof(g));
	o.diag = on_diag;
	o.diag_userdata = &g;
	cs_logs *r;
	cs_error e = {0};
	int k = cs_logs_open(src, &ct, &o, &r, &e);
	tap_ok(k == 0, "container: opened (%s)", e.msg);
	if (k < 0)
		return;
	const char *const *files;
	size_t nf = cs_logs_files(r, &files);
	tap_ok(nf == 3 && strcmp(files[0], "containers/abc/abc-json.log.3.gz") == 0 &&
		       strcmp(files[1], "containers/abc/abc-json.log.1") == 0 &&
		       strcmp(files[2], "containers/abc/abc-json.log") == 0,
	       "container: oldest first; the whole .1 read rather than a half-written .1.gz");
	tap_ok(strstr(g.diags, "abc-json.log.2 is missing") != NULL,
	       "container: the hole at .2 is reported");
	tap_ok(strstr(g.diags, "did not finish") != NULL,
	       "container: the unfinished compression is noted");
	tap_ok(strstr(g.diags, "probably discarded; the oldest surviving record is from "
			       "2026-01-01T00:00:01.000000000Z") != NULL,
	       "container: max-file=4 with .3 present: the gap is noted with the oldest time");
	const cs_log_record *rec;
	int n = 0;
	while (cs_logs_next(r, &rec, &e) > 0)
		n++;
	tap_ok(n == 3, "container: three records");
	cs_logs_close(r);

	/* without max-size the engine never rotates: no gap note */
	memset(&g, 0, sizeof(g));
	ct.hostconfig_json = hc2;
	k = cs_logs_open(src, &ct, &o, &r, &e);
	tap_ok(k == 0 && !strstr(g.diags, "discarded"), "container: no max-size, no gap note");
	cs_logs_close(r);

	/* a local-driver container without any log */
	ct.log_driver = local;
	k = cs_logs_open(src, &ct, &o, &r, &e);
	tap_ok(k == -ENOENT, "container: no local-logs: -ENOENT (%s)", e.msg);
}

int main(void)
{
	snprintf(tmp, sizeof(tmp), "%s/csleuth-logs-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 2;
	}
	test_json_decode();
	test_entry_decode();
	test_cri_decode();
	test_parse_time();
	cs_source *src;
	cs_error e = {0};
	if (cs_source_open_dir(tmp, 0, &src, &e) < 0) {
		printf("not ok - open %s: %s\n", tmp, e.msg);
		return 1;
	}
	test_json_files(src);
	test_local_files(src);
	test_local_cut_entry(src);
	test_hostile_lines(src);
	test_container(src);
	cs_source_close(src);
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", tmp);
	return tap_done();
}
