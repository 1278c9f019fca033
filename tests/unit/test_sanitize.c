/* Unit tests: escaping evidence text for terminals, UTF-8 repair. */
#include <stdlib.h>

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
	return tap_done();
}
