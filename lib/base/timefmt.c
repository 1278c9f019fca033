/* timefmt.c - see timefmt.h. */
#include "base/timefmt.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Howard Hinnant's days_from_civil / civil_from_days. */
int64_t cs_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	const int64_t era = (y >= 0 ? y : y - 399) / 400;
	const unsigned yoe = (unsigned)(y - era * 400);
	const unsigned doy = (153 * (m + (m > 2 ? -3u : 9u)) + 2) / 5 + d - 1;
	const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

void cs_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	const unsigned doe = (unsigned)(z - era * 146097);
	const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	const int64_t yy = (int64_t)yoe + era * 400;
	const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	const unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yy + (*m <= 2);
}

static int digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		char c = (*p)[i];
		if (c < '0' || c > '9')
			return -1;
		v = v * 10 + (c - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

cs_time cs_time_from_parts(int64_t sec, int64_t nsec)
{
	/* int64 nanoseconds cover 1677-09-21 .. 2262-04-11; the two lowest
	 * values are reserved for NEVER and INVALID */
	int64_t ns;
	if (__builtin_mul_overflow(sec, (int64_t)1000000000, &ns) ||
	    __builtin_add_overflow(ns, nsec, &ns) || ns <= CS_TIME_INVALID)
		return CS_TIME_INVALID;
	return ns;
}

static bool leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int cs_time_parse(const char *s, cs_time *ret)
{
	*ret = CS_TIME_INVALID;
	if (!s)
		return -EINVAL;
	const char *p = s;
	int Y, M, D, h, mi, se;
	if (digits(&p, 4, &Y) || *p++ != '-' || digits(&p, 2, &M) || *p++ != '-' ||
	    digits(&p, 2, &D) || (*p != 'T' && *p != 't' && *p != ' '))
		return -EINVAL;
	p++;
	if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi) || *p++ != ':' ||
	    digits(&p, 2, &se))
		return -EINVAL;
	static const unsigned mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (M < 1 || M > 12 || D < 1 || h > 23 || mi > 59 || se > 60)
		return -EINVAL;
	if ((unsigned)D > mdays[M - 1] + (M == 2 && leap(Y)))
		return -EINVAL;
	int64_t frac = 0;
	int nd = 0;
	if (*p == '.' || *p == ',') {
		p++;
		while (*p >= '0' && *p <= '9') {
			if (nd < 9) {
				frac = frac * 10 + (*p - '0');
				nd++;
			} else if (nd >= 9 && *p != '0') {
				/* more than ns precision: refuse rather than round */
				return -EINVAL;
			}
			p++;
		}
		if (nd == 0)
			return -EINVAL;
		for (int i = nd; i < 9; i++)
			frac *= 10;
	}
	int64_t off = 0;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p++ == '-' ? -1 : 1, oh, om;
		if (digits(&p, 2, &oh) || *p++ != ':' || digits(&p, 2, &om) || oh > 23 || om > 59)
			return -EINVAL;
		off = sign * (oh * 3600 + om * 60);
	} else {
		return -EINVAL;
	}
	if (*p != '\0')
		return -EINVAL;
	if (Y == 1 && M == 1 && D == 1 && h == 0 && mi == 0 && se == 0 && frac == 0 && off == 0) {
		*ret = CS_TIME_NEVER;
		return 0;
	}
	int64_t days = cs_days_from_civil(Y, (unsigned)M, (unsigned)D);
	int64_t sec = days * 86400 + h * 3600 + mi * 60 + se - off;
	cs_time t = cs_time_from_parts(sec, frac);
	if (t == CS_TIME_INVALID || t == CS_TIME_NEVER)
		return -ERANGE;
	*ret = t;
	return 0;
}

bool cs_time_format_digits(cs_time t, int nd, char buf[CS_TIME_STRMAX])
{
	buf[0] = '\0';
	if (!CS_TIME_IS_REAL(t))
		return false;
	int64_t sec = t / 1000000000, ns = t % 1000000000;
	if (ns < 0) {
		ns += 1000000000;
		sec -= 1;
	}
	int64_t days = sec / 86400, rem = sec % 86400;
	if (rem < 0) {
		rem += 86400;
		days -= 1;
	}
	int64_t y;
	unsigned m, d;
	cs_civil_from_days(days, &y, &m, &d);
	int n = snprintf(buf, CS_TIME_STRMAX, "%04lld-%02u-%02uT%02d:%02d:%02d", (long long)y, m,
			 d, (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60));
	if (nd > 0) {
		char f[16];
		snprintf(f, sizeof(f), "%09lld", (long long)ns);
		if (nd > 9)
			nd = 9;
		n += snprintf(buf + n, (size_t)(CS_TIME_STRMAX - n), ".%.*s", nd, f);
	}
	snprintf(buf + n, (size_t)(CS_TIME_STRMAX - n), "Z");
	return true;
}

bool cs_time_format(cs_time t, char buf[CS_TIME_STRMAX])
{
	return cs_time_format_digits(t, 9, buf);
}

bool cs_time_format_go(cs_time t, char buf[CS_TIME_STRMAX])
{
	if (!cs_time_format_digits(t, 9, buf))
		return false;
	/* "...SS.nnnnnnnnnZ": trim zeros, then a bare dot */
	size_t len = strlen(buf);
	size_t z = len - 1; /* index of 'Z' */
	size_t e = z;
	while (buf[e - 1] == '0')
		e--;
	if (buf[e - 1] == '.')
		e--;
	buf[e] = 'Z';
	buf[e + 1] = '\0';
	return true;
}

cs_time cs_time_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return cs_time_from_parts((int64_t)ts.tv_sec, ts.tv_nsec);
}

/* "10m", "1h30m", "3d", "500ms": a Go duration (plus days) in ns. */
static int parse_duration(const char *p, int64_t *ret)
{
	static const struct {
		const char *unit;
		int64_t ns;
	} units[] = {{"ns", 1}, {"us", 1000}, {"\xc2\xb5s", 1000}, {"ms", 1000000}, {"s", 1000000000LL},
		     {"m", 60000000000LL}, {"h", 3600000000000LL}, {"d", 86400000000000LL}};
	int64_t total = 0;
	if (!*p)
		return -EINVAL;
	while (*p) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		int64_t v = 0;
		while (*p >= '0' && *p <= '9') {
			if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, *p - '0', &v))
				return -ERANGE;
			p++;
		}
		size_t best = SIZE_MAX, bl = 0;
		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			size_t l = strlen(units[i].unit);
			if (strncmp(p, units[i].unit, l) == 0 && l > bl) {
				best = i;
				bl = l;
			}
		}
		if (best == SIZE_MAX)
			return -EINVAL;
		p += bl;
		if (__builtin_mul_overflow(v, units[best].ns, &v) || __builtin_add_overflow(total, v, &total))
			return -ERANGE;
	}
	*ret = total;
	return 0;
}

int cs_time_parse_arg(const char *s, cs_time now, cs_time *ret)
{
	if (!s || !*s)
		return -EINVAL;
	/* a duration before now */
	int64_t d;
	size_t l = strlen(s);
	if (s[l - 1] < '0' || s[l - 1] > '9') {
		if (parse_duration(s, &d) == 0) {
			if (!CS_TIME_IS_REAL(now) || __builtin_sub_overflow(now, d, ret) || *ret <= CS_TIME_INVALID)
				return -ERANGE;
			return 0;
		}
	}
	/* Unix seconds[.fraction] */
	const char *p = s;
	if (*p == '-' || (*p >= '0' && *p <= '9')) {
		const char *q = *p == '-' ? p + 1 : p;
		size_t nd = strspn(q, "0123456789");
		if (nd > 0 && (q[nd] == '\0' || q[nd] == '.')) {
			bool neg = *p == '-';
			int64_t sec = 0, frac = 0;
			for (size_t i = 0; i < nd; i++)
				if (__builtin_mul_overflow(sec, 10, &sec) || __builtin_add_overflow(sec, q[i] - '0', &sec))
					return -ERANGE;
			q += nd;
			if (*q == '.') {
				q++;
				size_t fd = strspn(q, "0123456789");
				if (fd == 0 || fd > 9 || q[fd] != '\0')
					return -EINVAL;
				for (size_t i = 0; i < 9; i++)
					frac = frac * 10 + (i < fd ? q[i] - '0' : 0);
			}
			cs_time t = neg ? cs_time_from_parts(-sec, -frac) : cs_time_from_parts(sec, frac);
			if (!CS_TIME_IS_REAL(t))
				return -ERANGE;
			*ret = t;
			return 0;
		}
	}
	/* a date, then optionally hours[:minutes[:seconds[.fraction]]], then
	 * optionally a zone; what is left out is zero, no zone is UTC */
	int Y, M, D, h = 0, mi = 0, se = 0;
	if (digits(&p, 4, &Y) || *p++ != '-' || digits(&p, 2, &M) || *p++ != '-' || digits(&p, 2, &D))
		return -EINVAL;
	int64_t frac = 0;
	if (*p == 'T' || *p == 't' || (*p == ' ' && p[1] >= '0' && p[1] <= '9')) {
		p++;
		if (digits(&p, 2, &h))
			return -EINVAL;
		if (*p == ':') {
			p++;
			if (digits(&p, 2, &mi))
				return -EINVAL;
			if (*p == ':') {
				p++;
				if (digits(&p, 2, &se))
					return -EINVAL;
				if (*p == '.' || *p == ',') {
					p++;
					int fd = 0;
					while (*p >= '0' && *p <= '9') {
						if (fd >= 9)
							return -EINVAL;
						frac = frac * 10 + (*p++ - '0');
						fd++;
					}
					if (fd == 0)
						return -EINVAL;
					for (; fd < 9; fd++)
						frac *= 10;
				}
			}
		}
	}
	int64_t off = 0;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p++ == '-' ? -1 : 1, oh, om = 0;
		if (digits(&p, 2, &oh))
			return -EINVAL;
		if (*p == ':')
			p++;
		if (*p && digits(&p, 2, &om))
			return -EINVAL;
		if (oh > 23 || om > 59)
			return -EINVAL;
		off = sign * (oh * 3600 + om * 60);
	}
	if (*p)
		return -EINVAL;
	static const unsigned mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (M < 1 || M > 12 || D < 1 || h > 23 || mi > 59 || se > 60 ||
	    (unsigned)D > mdays[M - 1] + (M == 2 && leap(Y)))
		return -EINVAL;
	int64_t sec = cs_days_from_civil(Y, (unsigned)M, (unsigned)D) * 86400 + h * 3600 + mi * 60 + se - off;
	cs_time t = cs_time_from_parts(sec, frac);
	if (!CS_TIME_IS_REAL(t))
		return -ERANGE;
	*ret = t;
	return 0;
}
