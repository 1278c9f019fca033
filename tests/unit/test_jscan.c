/* Unit tests: the JSON pull cursor validates what it skips and decodes
 * strings exactly. */
#include <stdlib.h>

#include "formats/jscan.h"
#include "tap.h"

static int validate(const char *text)
{
	cs_jscan s;
	cs_jscan_init(&s, text, strlen(text));
	cs_jscan_skip(&s);
	return cs_jscan_finish(&s, NULL);
}

static char *first_string(const char *text, const char *key)
{
	cs_jscan s;
	char *v = NULL;
	cs_jscan_init(&s, text, strlen(text));
	if (cs_jscan_object(&s))
		while (cs_jscan_member(&s)) {
			if (cs_jscan_is(&s, key) && !v)
				v = cs_jscan_string(&s);
			else
				cs_jscan_skip(&s);
		}
	if (cs_jscan_finish(&s, NULL) < 0) {
		free(v);
		return NULL;
	}
	return v;
}

int main(void)
{
	static const char *good[] = {
		"{}", "[]", "{\"a\":1}", " { \"a\" : [1, 2.5, -3e10, true, false, null, \"x\"] } ",
		"{\"a\":{\"b\":{\"c\":[]}},\"d\":[[],[{}]]}", "\"str\"", "0", "-0.0e+1",
		"{\"k\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\"}",
		"0", "-0", "0.5", "[0,10,-0.0e0]", "\"\x7f\xff\"",
		/* raw control characters are read, as json-c reads them */
		"\"a\x01b\"", "{\"a\x1f\":1}", "[\"tab\there\"]",
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		tap_ok(validate(good[i]) == 0, "valid: %s", good[i]);
	static const char *bad[] = {
		"", "{", "{\"a\"", "{\"a\":", "{\"a\":1", "{\"a\":1,}", "[1,]", "[1 2]", "{\"a\" 1}",
		"{a:1}", "{\"a\":tru}", "{\"a\":01x}", "{\"a\":\"unterminated}", "{} {}", "[-]",
		"{\"a\":\"\\x\"}", "{\"a\":\"\\u12g4\"}", "{\"a\":1.}", "{,}", "[,1]",
		/* found by fuzz/fuzz_jscan against a strict reference: leading
		 * zeros, which RFC 8259 and Go refuse */
		"01", "00", "-01", "[01]", "{\"a\":00}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		tap_ok(validate(bad[i]) < 0, "invalid: `%s`", bad[i]);
	/* NUL inside a string is refused (as json-c refuses it) */
	{
		static const char nul[] = "{\"a\":\"x\0y\"}";
		cs_jscan s0;
		cs_jscan_init(&s0, nul, sizeof(nul) - 1);
		cs_jscan_skip(&s0);
		tap_ok(cs_jscan_finish(&s0, NULL) < 0, "invalid: a NUL byte inside a string");
	}
	/* depth bound */
	char deep[401];
	memset(deep, '[', 200);
	memset(deep + 200, ']', 200);
	deep[400] = '\0';
	tap_ok(validate(deep) < 0, "balanced nesting deeper than 64 is refused");
	deep[64] = '\0';
	memset(deep + 32, ']', 32);
	tap_ok(validate(deep) == 0, "nesting of 32 is fine");
	char *v = first_string("{\"x\":1,\"Name\":\"caf\\u00e9 \\ud83d\\ude00 \\ud800!\"}", "Name");
	TAP_STR_EQ(v, "caf\xc3\xa9 \xf0\x9f\x98\x80 \xef\xbf\xbd!", "escapes, surrogate pairs, lone surrogate");
	free(v);
	v = first_string("{\"Name\":\"a\\nb\\u001b\"}", "Name");
	TAP_STR_EQ(v, "a\nb\x1b", "control characters decode exactly");
	free(v);
	v = first_string("{\"Name\":\"cut", "Name");
	tap_ok(v == NULL, "a truncated document yields nothing");
	cs_jscan s;
	cs_error e;
	const char *t = "{\"a\":[1,2";
	cs_jscan_init(&s, t, strlen(t));
	cs_jscan_skip(&s);
	tap_ok(cs_jscan_finish(&s, &e) == -EBADMSG && strstr(e.msg, "truncated"), "truncation is named: %s", e.msg);
	t = "{\"a\":[1,2}";
	cs_jscan_init(&s, t, strlen(t));
	cs_jscan_skip(&s);
	tap_ok(cs_jscan_finish(&s, &e) == -EBADMSG && strstr(e.msg, "byte 9"), "the error offset is given: %s", e.msg);
	t = "{\"n\":9223372036854775807,\"m\":9223372036854775808,\"f\":1.5}";
	cs_jscan_init(&s, t, strlen(t));
	int64_t n = 0, m = 0, f = 0;
	if (cs_jscan_object(&s))
		while (cs_jscan_member(&s)) {
			int64_t x = cs_jscan_int(&s, -7);
			if (cs_jscan_is(&s, "n"))
				n = x;
			else if (cs_jscan_is(&s, "m"))
				m = x;
			else
				f = x;
		}
	tap_ok(n == INT64_MAX && m == -7 && f == -7, "integers: max kept, overflow and fractions refused");
	t = "{\"z\":\"1\",\"a.b\":\"x=y\",\"n\":5,\"e\":\"\"} ";
	cs_jscan_init(&s, t, strlen(t));
	char **lv = cs_jscan_labels(&s);
	tap_ok(lv && cs_strv_len(lv) == 3 && strcmp(lv[0], "a.b=x=y") == 0 && strcmp(lv[1], "e=") == 0 &&
		       strcmp(lv[2], "z=1") == 0 && cs_jscan_finish(&s, NULL) == 0,
	       "labels: sorted k=v, a non-string value left out, the object consumed");
	cs_strv_free(lv);
	t = "null";
	cs_jscan_init(&s, t, strlen(t));
	tap_ok(cs_jscan_labels(&s) == NULL && cs_jscan_finish(&s, NULL) == 0, "labels: null gives none");
	/* keys past the 255 bytes the scanner keeps, plain and with an escape */
	for (int esc = 0; esc < 2; esc++) {
		cs_buf doc = {0}, want = {0};
		(void)cs_buf_puts(&doc, "{\"");
		for (int i = 0; i < 300; i++) {
			(void)cs_buf_puts(&doc, esc && i == 299 ? "\\u0041" : "k");
			(void)cs_buf_puts(&want, esc && i == 299 ? "A" : "k");
		}
		(void)cs_buf_puts(&doc, "\":\"v\"}");
		(void)cs_buf_puts(&want, "=v");
		cs_jscan_init(&s, doc.data, doc.len);
		lv = cs_jscan_labels(&s);
		tap_ok(lv && lv[0] && !lv[1] && strcmp(lv[0], want.data) == 0,
		       "labels: a %zu-byte key is kept whole%s", want.len - 2, esc ? " (with an escape)" : "");
		cs_strv_free(lv);
		cs_buf_free(&doc);
		cs_buf_free(&want);
	}
	/* string arrays: in order, non-strings left out, bounded, always a vector */
	t = "[\"a\", 1, \"b\\u0041\", null, {\"x\":[\"y\"]}, \"c\", \"d\"] ";
	cs_jscan_init(&s, t, strlen(t));
	lv = cs_jscan_strv(&s, 10);
	tap_ok(lv && cs_strv_len(lv) == 4 && strcmp(lv[0], "a") == 0 && strcmp(lv[1], "bA") == 0 &&
		       strcmp(lv[2], "c") == 0 && strcmp(lv[3], "d") == 0 && cs_jscan_finish(&s, NULL) == 0,
	       "strv: the strings in order, escapes decoded, other values left out, the array consumed");
	cs_strv_free(lv);
	cs_jscan_init(&s, t, strlen(t));
	lv = cs_jscan_strv(&s, 2);
	tap_ok(lv && cs_strv_len(lv) == 2 && strcmp(lv[1], "bA") == 0 && cs_jscan_finish(&s, NULL) == 0,
	       "strv: strings past the bound are left out, the rest of the array still consumed");
	cs_strv_free(lv);
	t = "{\"a\":\"b\"}";
	cs_jscan_init(&s, t, strlen(t));
	lv = cs_jscan_strv(&s, 10);
	tap_ok(lv && !lv[0] && cs_jscan_finish(&s, NULL) == 0, "strv: an object gives an empty vector, skipped");
	cs_strv_free(lv);
	return tap_done();
}
