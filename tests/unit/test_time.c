/* Unit tests: RFC 3339 parsing and formatting at full precision. */
#include <errno.h>

#include "tap.h"
#include "base/util.h"
#include "base/timefmt.h"

static void roundtrip(const char *in, const char *want)
{
	cs_time t;
	char buf[CS_TIME_STRMAX];
	int r = cs_time_parse(in, &t);
	cs_time_format(t, buf);
	tap_ok(r == 0, "parse %s", in);
	TAP_STR_EQ(buf, want, "format %s", in);
}

int main(void)
{
	/* one case per line: input, expected UTC with 9 digits */
	roundtrip("2026-11-23T14:47:27.123456789Z", "2026-11-23T14:47:27.123456789Z");
	roundtrip("2026-11-23T14:47:27Z", "2026-11-23T14:47:27.000000000Z");
	roundtrip("2026-11-23T14:47:27.1Z", "2026-11-23T14:47:27.100000000Z");
	roundtrip("2026-11-23T16:47:27.000000001+02:00", "2026-11-23T14:47:27.000000001Z");
	roundtrip("2026-11-23T14:47:27.5-00:30", "2026-11-23T15:17:27.500000000Z");
	roundtrip("1970-01-01T00:00:00Z", "1970-01-01T00:00:00.000000000Z");
	roundtrip("1969-12-31T23:59:59.999999999Z", "1969-12-31T23:59:59.999999999Z");
	roundtrip("2000-02-29T12:00:00Z", "2000-02-29T12:00:00.000000000Z");
	roundtrip("1700-03-01T00:00:00Z", "1700-03-01T00:00:00.000000000Z");
	roundtrip("2262-04-11T23:47:16.854775807Z", "2262-04-11T23:47:16.854775807Z");

	cs_time t;
	tap_ok(cs_time_parse("0001-01-01T00:00:00Z", &t) == 0 && t == CS_TIME_NEVER,
	       "Go zero time means never");
	char buf[CS_TIME_STRMAX];
	tap_ok(!cs_time_format(CS_TIME_NEVER, buf) && buf[0] == '\0', "never formats as empty");
	tap_ok(cs_time_parse("0001-01-01T00:00:01Z", &t) == -ERANGE && t == CS_TIME_INVALID,
	       "year 1 but not zero is out of range");
	tap_ok(cs_time_parse("2262-04-12T00:00:00Z", &t) == -ERANGE, "after 2262 is out of range");
	tap_ok(cs_time_parse("1677-01-01T00:00:00Z", &t) == -ERANGE, "before 1677 is out of range");
	static const char *bad[] = {"", "2026-11-23", "2026-11-23T14:47:27", "2026-13-01T00:00:00Z",
				    "2026-02-30T00:00:00Z", "2025-02-29T00:00:00Z", "2026-11-23T24:00:00Z",
				    "2026-11-23T14:47:27.Z", "2026-11-23T14:47:27.1234567891Z",
				    "2026-11-23T14:47:27Zjunk", "not a time", "2026-11-23T14:47:27+0200"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		tap_ok(cs_time_parse(bad[i], &t) == -EINVAL, "rejects `%s`", bad[i]);
	tap_ok(cs_time_parse("2026-11-23T14:47:27.1234567890Z", &t) == 0, "tenth digit zero is fine");

	cs_time_parse("2026-11-23T14:47:27.120000000Z", &t);
	cs_time_format_go(t, buf);
	TAP_STR_EQ(buf, "2026-11-23T14:47:27.12Z", "Go RFC3339Nano trims zeros");
	cs_time_parse("2026-11-23T14:47:27Z", &t);
	cs_time_format_go(t, buf);
	TAP_STR_EQ(buf, "2026-11-23T14:47:27Z", "Go RFC3339Nano drops an empty fraction");
	cs_time_parse("2026-11-23T14:47:27.999999999Z", &t);
	cs_time_format_digits(t, 0, buf);
	TAP_STR_EQ(buf, "2026-11-23T14:47:27Z", "seconds-only output truncates, never rounds");

	/* command-line times: docker's forms, all UTC without a zone */
	cs_time now, want;
	cs_time_parse("2026-11-23T15:00:00Z", &now);
	static const struct {
		const char *arg, *want;
	} args[] = {
		{"2026-11-23T14:58:04.5Z", "2026-11-23T14:58:04.5Z"},
		{"2026-11-23T14:58:04+01:00", "2026-11-23T13:58:04Z"},
		{"2026-11-23T14:58:04", "2026-11-23T14:58:04Z"},
		{"2026-11-23T14:58", "2026-11-23T14:58:00Z"},
		{"2026-11-23T14", "2026-11-23T14:00:00Z"},
		{"2026-11-23", "2026-11-23T00:00:00Z"},
		{"2026-11-23 14:58:04", "2026-11-23T14:58:04Z"},
		{"2026-11-23T14:58:04.123456789", "2026-11-23T14:58:04.123456789Z"},
		{"1700000000", "2023-11-14T22:13:20Z"},
		{"1700000000.5", "2023-11-14T22:13:20.5Z"},
		{"10m", "2026-11-23T14:50:00Z"},
		{"2h", "2026-11-23T13:00:00Z"},
		{"1h30m", "2026-11-23T13:30:00Z"},
		{"3d", "2026-11-20T15:00:00Z"},
		{"500ms", "2026-11-23T14:59:59.5Z"},
	};
	for (size_t i = 0; i < sizeof(args) / sizeof(args[0]); i++) {
		cs_time_parse(args[i].want, &want);
		tap_ok(cs_time_parse_arg(args[i].arg, now, &t) == 0 && t == want, "time argument `%s`", args[i].arg);
	}
	static const char *badargs[] = {"", "soon", "10x", "2026-11", "2026-13-01", "2026-11-23T25", "1700000000.",
					"2026-11-23T14:58:04.1234567891", "m", "2026-11-23Tjunk"};
	for (size_t i = 0; i < sizeof(badargs) / sizeof(badargs[0]); i++)
		tap_ok(cs_time_parse_arg(badargs[i], now, &t) < 0, "rejects time argument `%s`", badargs[i]);

	/* sizes */
	uint64_t sz;
	tap_ok(cs_parse_size("64M", &sz) == 0 && sz == 64ull << 20, "64M");
	tap_ok(cs_parse_size("1G", &sz) == 0 && sz == 1ull << 30, "1G");
	tap_ok(cs_parse_size("64MiB", &sz) == 0 && sz == 64ull << 20, "64MiB");
	tap_ok(cs_parse_size("4096", &sz) == 0 && sz == 4096, "bytes");
	tap_ok(cs_parse_size("12k", &sz) == 0 && sz == 12288, "12k");
	tap_ok(cs_parse_size("1Q", &sz) < 0 && cs_parse_size("", &sz) < 0 && cs_parse_size("-1M", &sz) < 0 &&
		       cs_parse_size("99999999999T", &sz) == -ERANGE,
	       "bad sizes are refused");

	/* "did you mean" */
	static const char *const cands[] = {"ps", "images", "inspect", "history", "timeline", "changes"};
	TAP_STR_EQ(cs_closest("imgaes", cands, 6), "images", "a swap is one edit");
	TAP_STR_EQ(cs_closest("timelin", cands, 6), "timeline", "a missing letter");
	TAP_STR_EQ(cs_closest("pss", cands, 6), "ps", "one extra letter");
	TAP_STR_EQ(cs_closest("chnages", cands, 6), "changes", "a name");
	tap_ok(cs_closest("frobnicate", cands, 6) == NULL, "nothing close: no suggestion");
	TAP_STR_EQ(cs_closest("hist", cands, 6), "history", "a unique prefix");
	return tap_done();
}
