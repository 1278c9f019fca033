/* logs_lxc.c - plain console lines and liblxc's log lines (see logs.h).
 *
 * liblxc writes each log line as
 *   "<prefix>[ <container>] <YYYYmmddHHMMSS>.<ns3> <LEVEL padded to 8> <category> - <file>:<func>:<line> - <msg>"
 * (lxc-5.0.2 src/lxc/log.c log_append_logfile). The prefix is the program
 * (lxc-start, lxc-attach, lxc for liblxc used by LXD). The time is UTC; its
 * fraction is the first three characters of the nanosecond count printed
 * without leading zeros, so it is ambiguous and only the second is kept.
 */
#include <string.h>

#include "logs/logs.h"

int cs_log_decode_text(const char *line, size_t len, cs_log_record *rec)
{
	memset(rec, 0, sizeof(*rec));
	rec->time = CS_TIME_NEVER;
	rec->stream = CS_LOG_STDOUT;
	rec->source = "console";
	rec->source_len = 7;
	rec->text = line;
	rec->len = len;
	rec->newline = true;
	rec->parts = 1;
	return 0;
}

static bool digits(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return false;
	return true;
}

static unsigned num(const char *p, size_t n)
{
	unsigned v = 0;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (unsigned)(p[i] - '0');
	return v;
}

int cs_log_decode_lxc(const char *line, size_t len, cs_log_record *rec, const char **why)
{
	cs_log_decode_text(line, len, rec);
	rec->source = "lxc";
	rec->source_len = 3;
	rec->stream = 0;
	/* the time is the second or third space-separated token */
	size_t pos = 0;
	for (int tok = 0; tok < 3 && pos < len; tok++) {
		size_t end = pos;
		while (end < len && line[end] != ' ')
			end++;
		size_t tl = end - pos;
		const char *t = line + pos;
		if (tok > 0 && tl >= 16 && tl <= 18 && digits(t, 14) && t[14] == '.' && digits(t + 15, tl - 15)) {
			unsigned y = num(t, 4), mo = num(t + 4, 2), d = num(t + 6, 2);
			unsigned h = num(t + 8, 2), mi = num(t + 10, 2), s = num(t + 12, 2);
			if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
				break;
			int64_t days = cs_days_from_civil(y, mo, d);
			rec->time = cs_time_from_parts(days * 86400 + h * 3600 + mi * 60 + s, 0);
			return 0;
		}
		pos = end;
		while (pos < len && line[pos] == ' ')
			pos++;
	}
	if (why)
		*why = "not a liblxc log line (no time stamp): kept as text without a time";
	return -EBADMSG;
}
