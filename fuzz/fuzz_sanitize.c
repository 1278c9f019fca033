/* fuzz_sanitize - what makes evidence strings safe to show (lib/formats/
 * sanitize.c): the display escaping used for every name, path and message
 * on a terminal, and the UTF-8 repair used for every JSON output.
 *
 * Checks, for any bytes:
 * - cs_escape_text() output is valid UTF-8 with no C0 or C1 control
 *   character and no DEL; text that is clean already (and has no
 *   backslash) comes out unchanged;
 * - cs_utf8_repair() output is valid UTF-8, unchanged if the input was,
 *   at most three bytes per input byte;
 * - cs_text_is_clean() says yes exactly for valid UTF-8 without controls.
 */
#include <string.h>

#include "formats/sanitize.h"
#include "fuzz.h"

static bool valid_utf8(const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t l = cs_utf8_seqlen((const unsigned char *)s + i, n - i);
		if (!l)
			return false;
		i += l;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	cs_buf b = {0};
	FZ_CHECK(cs_escape_text(&b, s, size) == 0, "escape failed");
	const char *o = b.data ? b.data : "";
	FZ_CHECK(valid_utf8(o, b.len), "escaped text is not UTF-8");
	for (size_t i = 0; i < b.len; i++) {
		unsigned char c = (unsigned char)o[i];
		FZ_CHECK(c >= 0x20 && c != 0x7f, "a control byte 0x%02x in escaped text", c);
		if (c == 0xc2 && i + 1 < b.len)
			FZ_CHECK((unsigned char)o[i + 1] < 0x80 || (unsigned char)o[i + 1] > 0x9f,
				 "a C1 control in escaped text");
	}
	bool clean = cs_text_is_clean(s, size);
	if (clean && !memchr(s, '\\', size))
		FZ_CHECK(b.len == size && memcmp(o, s, size) == 0, "clean text changed");
	cs_buf_free(&b);

	size_t rl;
	char *rep = cs_utf8_repair(s, size, &rl);
	FZ_CHECK(valid_utf8(rep, rl) && rl <= 3 * size, "repair gave %zu bytes, not all UTF-8", rl);
	bool valid = valid_utf8(s, size);
	if (valid)
		FZ_CHECK(rl == size && memcmp(rep, s, size) == 0, "valid UTF-8 changed");
	free(rep);

	bool controls = false;
	for (size_t i = 0; i < size;) {
		size_t l = cs_utf8_seqlen(data + i, size - i);
		if (!l)
			break;
		if ((l == 1 && (data[i] < 0x20 || data[i] == 0x7f)) ||
		    (l == 2 && data[i] == 0xc2 && data[i + 1] <= 0x9f))
			controls = true;
		i += l;
	}
	FZ_CHECK(clean == (valid && !controls), "cs_text_is_clean says %d", clean);
	return 0;
}
