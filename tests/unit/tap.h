/* tap.h - a minimal TAP producer for the unit tests (exit 77 = skip all). */
#ifndef CS_TAP_H
#define CS_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

__attribute__((format(printf, 2, 3))) static inline int tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("%sok %d - ", cond ? "" : "not ", ++tap_n);
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	if (!cond)
		tap_failed++;
	return cond;
}

#define TAP_STR_EQ(got, want, ...)                                                        \
	do {                                                                              \
		const char *g_ = (got), *w_ = (want);                                     \
		if (!tap_ok(g_ && w_ ? strcmp(g_, w_) == 0 : g_ == w_, __VA_ARGS__))       \
			printf("#   got:  '%s'\n#   want: '%s'\n", g_ ? g_ : "(null)",        \
			       w_ ? w_ : "(null)");                                        \
	} while (0)

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
