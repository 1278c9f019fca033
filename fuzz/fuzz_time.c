/* fuzz_time - time parsing and formatting (lib/base/timefmt.c, the log
 * readers' fast RFC 3339 path, cs_logs_parse_time()).
 *
 * Input: a time string (the first line of the input).
 * Checks:
 * - cs_time_parse() either fails leaving CS_TIME_INVALID, or gives a time
 *   that formats (cs_time_format) to a string that parses back to itself,
 *   and cs_time_format_go()'s shorter form does too;
 * - the CRI and json-file decoders, whose fast path parses the engine's
 *   own shape with a per-thread minute cache, read the same time as
 *   cs_time_parse() (tried twice: the second time from the cache);
 * - cs_logs_parse_time() agrees with cs_time_parse() on RFC 3339.
 */
#include <string.h>

#include "base/timefmt.h"
#include "fuzz.h"
#include "logs/logs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t n = nl ? (size_t)(nl - data) : size;
	if (n > 80)
		return 0;
	char s[96];
	memcpy(s, data, n);
	s[n] = '\0';
	bool has_nul = strlen(s) != n;
	cs_time t;
	int r = cs_time_parse(s, &t);
	FZ_CHECK(r == 0 || t == CS_TIME_INVALID, "failed (%d) but %lld", r, (long long)t);
	if (r == 0 && CS_TIME_IS_REAL(t)) {
		char buf[CS_TIME_STRMAX], go[CS_TIME_STRMAX];
		FZ_CHECK(cs_time_format(t, buf), "a real time does not format");
		cs_time back;
		FZ_CHECK(cs_time_parse(buf, &back) == 0 && back == t, "`%s` -> %lld -> `%s` -> %lld", s,
			 (long long)t, buf, (long long)back);
		FZ_CHECK(cs_time_format_go(t, go) && cs_time_parse(go, &back) == 0 && back == t,
			 "Go form `%s` does not read back", go);
	}
	cs_time want = has_nul || r < 0 ? CS_TIME_INVALID : t;

	/* the log decoders' fast path */
	char line[200];
	for (int pass = 0; pass < 2; pass++) {
		memcpy(line, data, n); /* NUL bytes kept */
		memcpy(line + n, " stdout F x", 11);
		int l = (int)n + 11;
		cs_log_record rec;
		const char *why;
		size_t eo;
		int k = cs_log_decode_cri(line, (size_t)l, &rec, &why, &eo);
		/* with a space in the input, the time is only what comes before it
		 * and the rest may read as a stream and a tag: nothing to compare */
		bool spaced = memchr(data, ' ', n) != NULL;
		bool cri_ok = want != CS_TIME_INVALID && want != CS_TIME_NEVER;
		FZ_CHECK(spaced || (k == 0) == cri_ok, "CRI decode %d for `%s`", k, s);
		if (k == 0 && !spaced)
			FZ_CHECK(rec.time == want, "CRI time %lld, cs_time_parse %lld", (long long)rec.time,
				 (long long)want);
		/* json-file: the time is a JSON string; only bytes that need no escape */
		bool plain = true;
		for (size_t i = 0; i < n; i++)
			plain &= data[i] >= 0x20 && data[i] < 0x7f && data[i] != '"' && data[i] != '\\';
		if (plain) {
			char j[256];
			int jl = snprintf(j, sizeof(j), "{\"log\":\"x\\n\",\"stream\":\"stdout\",\"time\":\"%s\"}", s);
			static cs_buf sc;
			k = cs_log_decode_json(j, (size_t)jl, &sc, &rec, &why, &eo);
			FZ_CHECK(k == 0 && rec.time == want, "json-file time %lld, cs_time_parse %lld",
				 (long long)rec.time, (long long)want);
		}
	}
	cs_time lt;
	if (!has_nul && r == 0 && t != CS_TIME_NEVER)
		FZ_CHECK(cs_logs_parse_time(s, &lt) == 0 && lt == t, "cs_logs_parse_time differs");
	if (!has_nul)
		(void)cs_logs_parse_time(s, &lt);
	return 0;
}
