/* Unit tests: RFC 3339 parsing and formatting at full precision. */
#include <errno.h>

#include "tap.h"
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
	return tap_done();
}
