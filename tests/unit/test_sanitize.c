/* Unit tests: escaping evidence text for terminals, UTF-8 repair. */
#include <stdlib.h>

#include <stdbool.h>
#include <string.h>

#include "formats/sanitize.h"
#include "tap.h"

static void esc(const char *in, size_t n, const char *want)
{
	cs_buf b = {0};
	cs_escape_text(&b, in, n);
	TAP_STR_EQ(b.data ? b.data : "", want, "escape %s", want);
	cs_buf_free(&b);
}

int main(void)
{
	esc("plain name", 10, "plain name");
	esc("a\nb", 3, "a\\nb");
	esc("\x1b[31mred", 8, "\\x1b[31mred");
	esc("tab\there", 8, "tab\\there");
	esc("back\\slash", 10, "back\\\\slash");
	esc("bad\xffutf8", 8, "bad\\xffutf8");
	esc("csi\xc2\x9b" "2J", 7, "csi\\u009b2J");
	esc("del\x7f", 4, "del\\x7f");
	esc("nul\0x", 5, "nul\\x00x");
	esc("caf\xc3\xa9 \xe2\x9c\x93", 9, "caf\xc3\xa9 \xe2\x9c\x93");
	esc("\xed\xa0\x80", 3, "\\xed\\xa0\\x80"); /* surrogate */
	esc("\xc0\xaf", 2, "\\xc0\\xaf");           /* overlong */
	tap_ok(cs_text_is_clean("ok", 2), "clean text");
	tap_ok(!cs_text_is_clean("a\nb", 3), "newline is not clean");
	size_t n;
	char *r = cs_utf8_repair("a\xff" "b", 3, &n);
	TAP_STR_EQ(r, "a\xef\xbf\xbd" "b", "invalid byte becomes U+FFFD");
	free(r);

	/* JSON strings: one writer for every format */
	static const struct {
		const char *in;
		size_t n;
		const char *want;
		bool exact;
	} js[] = {
		{"plain", 5, "\"plain\"", true},
		{"q\"b\\", 4, "\"q\\\"b\\\\\"", true},
		{"nl\ntab\t", 7, "\"nl\\ntab\\t\"", true},
		{"esc\x1b", 4, "\"esc\\u001b\"", true},
		{"del\x7f", 4, "\"del\\u007f\"", true},
		{"csi\xc2\x9b" "2J", 7, "\"csi\\u009b2J\"", true},
		{"nbsp\xc2\xa0", 6, "\"nbsp\xc2\xa0\"", true},
		{"bad\xfe" "byte", 8, "\"bad\\ufffdbyte\"", false},
		{"bad\xff" "byte", 8, "\"bad\\ufffdbyte\"", false},
	};
	for (size_t i = 0; i < sizeof(js) / sizeof(js[0]); i++) {
		cs_buf b = {0};
		bool ex = cs_json_quote(&b, js[i].in, js[i].n);
		TAP_STR_EQ(b.data, js[i].want, "json quote case %zu", i);
		tap_ok(ex == js[i].exact, "json quote case %zu says whether it is exact", i);
		cs_buf_free(&b);
	}
	/* base64 keeps names that JSON would merge apart */
	cs_buf b1 = {0}, b2 = {0};
	cs_base64(&b1, "bad\xfe" "byte", 8);
	cs_base64(&b2, "bad\xff" "byte", 8);
	TAP_STR_EQ(b1.data, "YmFk/mJ5dGU=", "base64 of bad\\xfebyte");
	tap_ok(strcmp(b1.data, b2.data) != 0, "the two names stay distinct in base64");
	cs_buf_free(&b1);
	cs_buf_free(&b2);
	/* C1 controls inside another writer's JSON */
	const char *jt = "{\"a\":\"x\xc2\x85y\x7f\xc2\xa0\"}";
	char *e = cs_json_escape_c1(jt, strlen(jt), NULL);
	TAP_STR_EQ(e, "{\"a\":\"x\\u0085y\\u007f\xc2\xa0\"}", "C1 and DEL escaped in a JSON text");
	free(e);
	tap_ok(cs_utf8_valid("caf\xc3\xa9", 5) && !cs_utf8_valid("a\xff", 2), "UTF-8 validity");
	return tap_done();
}
