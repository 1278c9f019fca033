/* fuzz_logs_json - json-file lines (lib/logs/logs_format.c) one by one, and
 * the same bytes as a json-file log streamed by the reader (lib/logs/
 * logs.c) with options taken from the input's length.
 *
 * Oracle: a line that is one JSON object as Go reads it (fz_json_strict),
 * whose members json-c reads as "log" (a string), "stream" and "time"
 * (strings, optional) and nothing else, decodes whole (0) to json-c's text
 * (less a final "\n", which sets `newline`), stream and time (the time as
 * cs_time_parse() reads it, so the decoder's fast time path is checked
 * against the general one). Bytes that are not UTF-8 become U+FFFD one by
 * one in Go, and so in the decoder; json-c keeps them, so its strings are
 * compared after cs_utf8_repair(), which does what Go does.
 * A member named twice: Go decodes each occurrence, so one of the wrong
 * type is an error even when a later one is right, and the last one wins;
 * json-c shows only the last, so such a line need not be accepted, but
 * what is accepted is still the last occurrence's.
 * The reader: offsets within the file and never going back; when every
 * line decodes whole, one record per non-blank line, each as decoded.
 */
#include <json-c/json.h>
#include <string.h>

#include "formats/sanitize.h"
#include "fuzz.h"
#include "logs/logs.h"

static void check_line(const char *line, size_t n, cs_buf *sc)
{
	cs_log_record r;
	const char *why = NULL;
	size_t eo = 0;
	int k = cs_log_decode_json(line, n, sc, &r, &why, &eo);
	FZ_CHECK(k == 0 || k == 1 || k == -EBADMSG, "returned %d", k);
	if (k != 0)
		FZ_CHECK(why && eo <= n, "no reason, or a bad offset %zu", eo);
	if (k >= 0)
		FZ_CHECK(r.len <= 3 * n, "text of %zu from a line of %zu", r.len, n);
	size_t members = 0;
	if (!fz_json_strict_members(line, n, 1000, true, &members))
		return;
	json_tokener *tok = json_tokener_new_ex(1000);
	json_object *o = json_tokener_parse_ex(tok, line, (int)n);
	json_tokener_free(tok);
	bool shape = o && json_object_is_type(o, json_type_object);
	json_object *log = NULL, *stream = NULL, *time = NULL;
	if (shape) {
		json_object_object_foreach(o, key, v)
		{
			if (strcmp(key, "log") == 0)
				log = v;
			else if (strcmp(key, "stream") == 0)
				stream = v;
			else if (strcmp(key, "time") == 0)
				time = v;
			else
				shape = false;
		}
	}
	shape = shape && log && json_object_is_type(log, json_type_string) &&
		(!stream || json_object_is_type(stream, json_type_string)) &&
		(!time || json_object_is_type(time, json_type_string));
	bool repeated = shape && members != (size_t)json_object_object_length(o);
	if (shape && !(repeated && k != 0)) {
		size_t tl, sl;
		char *t = cs_utf8_repair(json_object_get_string(log), (size_t)json_object_get_string_len(log),
					 &tl);
		char *sv = stream ? cs_utf8_repair(json_object_get_string(stream),
						   (size_t)json_object_get_string_len(stream), &sl)
				  : (sl = 0, strdup(""));
		{
			FZ_CHECK(k == 0, "a valid record is refused: %s at %zu", why ? why : "?", eo);
			bool nl = tl > 0 && t[tl - 1] == '\n';
			FZ_CHECK(r.newline == nl && r.len == tl - nl && memcmp(r.text, t, r.len) == 0,
				 "text differs");
			FZ_CHECK(r.source_len == sl && memcmp(r.source, sv, sl) == 0, "stream differs");
			if (time) {
				const char *ts = json_object_get_string(time);
				cs_time want;
				bool has_nul = strlen(ts) != (size_t)json_object_get_string_len(time);
				if (has_nul || cs_time_parse(ts, &want) < 0)
					want = CS_TIME_INVALID;
				FZ_CHECK(r.time == want, "time %lld, cs_time_parse %lld", (long long)r.time,
					 (long long)want);
			} else {
				FZ_CHECK(r.time == CS_TIME_NEVER, "no time, but %lld", (long long)r.time);
			}
		}
		free(t);
		free(sv);
	}
	json_object_put(o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	static cs_buf sc = {.max = 1 << 24};
	size_t lines = 0, whole = 0;
	for (size_t a = 0; a <= size;) {
		const char *nl = memchr(text + a, '\n', size - a);
		size_t b = nl ? (size_t)(nl - text) : size;
		check_line(text + a, b - a, &sc);
		bool blank = true;
		for (size_t i = a; i < b; i++)
			blank &= text[i] == ' ' || text[i] == '\t' || text[i] == '\r';
		if (!blank) {
			cs_log_record r;
			const char *why;
			size_t eo;
			lines++;
			whole += cs_log_decode_json(text + a, b - a, &sc, &r, &why, &eo) == 0;
		}
		if (!nl)
			break;
		a = b + 1;
	}

	/* the stream reader */
	fz_reset();
	fz_write("log.json", data, size);
	cs_source *src = fz_open_root();
	cs_error e = {0};
	cs_logs_opts o;
	cs_logs_opts_init(&o);
	static fz_diags d;
	fz_diags_clear(&d);
	o.diag = fz_diag;
	o.diag_userdata = &d;
	bool plain = size % 5 != 0;
	if (!plain) {
		o.join = size & 1;
		o.tail = (int64_t)(size % 11) - 1;
		o.streams = (unsigned)(size % 4);
	}
	const char *paths[] = {"log.json"};
	cs_logs *r;
	if (cs_logs_open_files(src, CS_LOG_JSONFILE, paths, 1, &o, &r, &e) == 0) {
		const cs_log_record *rec;
		uint64_t last = 0;
		size_t n = 0;
		while (cs_logs_next(r, &rec, &e) > 0) {
			FZ_CHECK(rec->offset <= size && (rec->offset >= last || o.join), "offset %llu after %llu",
				 (unsigned long long)rec->offset, (unsigned long long)last);
			last = rec->offset;
			n++;
		}
		if (plain && whole == lines)
			FZ_CHECK(n == lines, "%zu records from %zu good lines", n, lines);
		cs_logs_close(r);
	}
	cs_source_close(src);
	return 0;
}
