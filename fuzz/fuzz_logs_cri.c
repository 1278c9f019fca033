/* fuzz_logs_cri - CRI log lines (`<time> <stream> <P|F>[:tags] <text>`,
 * lib/logs/logs_format.c) one by one, and the same bytes streamed by the
 * reader as a CRI log.
 *
 * Oracle: a line decodes whole exactly when its first field is a time that
 * cs_time_parse() reads (not Go's zero time), followed by a non-empty
 * stream and a tag whose first part is P or F; then the record's time is
 * cs_time_parse()'s, which checks the decoder's fast time path against the
 * general one. The reader yields one record per non-blank line when every
 * line decodes, with offsets that never go back.
 */
#include <string.h>

#include "fuzz.h"
#include "logs/logs.h"

static bool expect_ok(const char *l, size_t n, cs_time *t)
{
	const char *sp = memchr(l, ' ', n);
	if (!sp)
		return false;
	char buf[64];
	size_t tl = (size_t)(sp - l);
	if (tl >= sizeof(buf) || memchr(l, '\0', tl))
		return false;
	memcpy(buf, l, tl);
	buf[tl] = '\0';
	if (cs_time_parse(buf, t) < 0 || *t == CS_TIME_NEVER)
		return false;
	const char *p = sp + 1, *end = l + n;
	const char *sp2 = memchr(p, ' ', (size_t)(end - p));
	if (!sp2 || sp2 == p)
		return false;
	p = sp2 + 1;
	const char *tag = p;
	while (p < end && *p != ' ')
		p++;
	const char *colon = memchr(tag, ':', (size_t)(p - tag));
	size_t first = colon ? (size_t)(colon - tag) : (size_t)(p - tag);
	return first == 1 && (tag[0] == 'P' || tag[0] == 'F');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	size_t lines = 0, good = 0;
	for (size_t a = 0; a <= size;) {
		const char *nl = memchr(text + a, '\n', size - a);
		size_t b = nl ? (size_t)(nl - text) : size;
		cs_log_record r;
		const char *why = NULL;
		size_t eo = 0;
		int k = cs_log_decode_cri(text + a, b - a, &r, &why, &eo);
		cs_time want;
		bool ok = expect_ok(text + a, b - a, &want);
		FZ_CHECK((k == 0) == ok, "decode %d (%s), expected %s", k, why ? why : "", ok ? "whole" : "refused");
		if (k == 0)
			FZ_CHECK(r.time == want, "time %lld, cs_time_parse %lld", (long long)r.time,
				 (long long)want);
		else
			FZ_CHECK(why && eo <= b - a, "no reason");
		bool blank = true;
		for (size_t i = a; i < b; i++)
			blank &= text[i] == ' ' || text[i] == '\t' || text[i] == '\r';
		if (!blank) {
			lines++;
			good += k == 0;
		}
		if (!nl)
			break;
		a = b + 1;
	}
	fz_reset();
	fz_write("cri.log", data, size);
	cs_source *src = fz_open_root();
	cs_error e = {0};
	cs_logs_opts o;
	cs_logs_opts_init(&o);
	static fz_diags d;
	fz_diags_clear(&d);
	o.diag = fz_diag;
	o.diag_userdata = &d;
	o.join = size & 1;
	const char *paths[] = {"cri.log"};
	cs_logs *lr;
	if (cs_logs_open_files(src, CS_LOG_CRI, paths, 1, &o, &lr, &e) == 0) {
		const cs_log_record *rec;
		size_t n = 0;
		uint64_t last = 0;
		while (cs_logs_next(lr, &rec, &e) > 0) {
			FZ_CHECK(rec->offset <= size && (rec->offset >= last || o.join), "offset");
			last = rec->offset;
			n++;
		}
		if (!o.join && good == lines)
			FZ_CHECK(n == lines, "%zu records from %zu good lines", n, lines);
		cs_logs_close(lr);
	}
	cs_source_close(src);
	return 0;
}
