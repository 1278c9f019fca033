/* timefmt.h - nanosecond UTC time values, RFC 3339 parsing and formatting.
 *
 * Inside csleuth a time is an int64_t count of nanoseconds since the Unix
 * epoch, UTC. Two values are reserved: CS_TIME_NEVER stands for Go's zero
 * time (0001-01-01T00:00:00Z, "never happened"), CS_TIME_INVALID for a value
 * that was present but unreadable or outside the representable range
 * (1677-09-21 .. 2262-04-11). Formatting happens only at the output edge and
 * never rounds. gmtime/localtime are not used: the calendar arithmetic is done
 * here, so results do not depend on the process time zone.
 */
#ifndef CS_TIMEFMT_H
#define CS_TIMEFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef int64_t cs_time;
#define CS_TIME_NEVER INT64_MIN
#define CS_TIME_INVALID (INT64_MIN + 1)
#define CS_TIME_IS_REAL(t) ((t) > CS_TIME_INVALID)

/* Parses RFC 3339 with 0-9 fraction digits and Z or +-hh:mm.
 * Returns 0 and sets *ret; Go's zero time yields CS_TIME_NEVER.
 * Returns -EINVAL for a malformed string, -ERANGE for a valid time that does
 * not fit in int64 nanoseconds; *ret is then CS_TIME_INVALID. */
int cs_time_parse(const char *s, cs_time *ret);

/* Parses a time given on the command line, in the forms `docker logs
 * --since` takes, all read as UTC when they name no zone:
 *   RFC 3339 with or without fraction and zone ("2026-11-23T14:58:04.5Z",
 *   "2026-11-23T14:58:04+01:00", "2026-11-23T14:58:04"), minutes or hours
 *   only ("2026-11-23T14:58", "2026-11-23T14"), a date alone
 *   ("2026-11-23"), a space instead of the T; Unix seconds with an
 *   optional fraction ("1700000000.5"); or a duration before now, as Go
 *   writes them plus days ("10m", "2h", "1h30m", "45s", "3d", "500ms").
 * Returns 0 and *ret, or -EINVAL (-ERANGE for a time outside int64 ns). */
int cs_time_parse_arg(const char *s, cs_time now, cs_time *ret);
/* The current time (CLOCK_REALTIME). */
cs_time cs_time_now(void);

/* Builds a time from seconds + nanoseconds; CS_TIME_INVALID on overflow. */
cs_time cs_time_from_parts(int64_t sec, int64_t nsec);

#define CS_TIME_STRMAX 40
/* Formats "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ" (always 9 digits). For
 * CS_TIME_NEVER/INVALID writes "" and returns false. */
bool cs_time_format(cs_time t, char buf[CS_TIME_STRMAX]);
/* As cs_time_format, with `digits` fraction digits (0 or 9 only is usual)
 * truncated, never rounded. */
bool cs_time_format_digits(cs_time t, int digits, char buf[CS_TIME_STRMAX]);
/* Go's RFC3339Nano: trailing zeros of the fraction trimmed. */
bool cs_time_format_go(cs_time t, char buf[CS_TIME_STRMAX]);

/* Civil date <-> days since epoch (proleptic Gregorian). */
int64_t cs_days_from_civil(int64_t y, unsigned m, unsigned d);
void cs_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);

#endif
