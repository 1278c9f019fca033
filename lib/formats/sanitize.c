/* sanitize.c - see sanitize.h. */
#include "formats/sanitize.h"

#include <stdio.h>
#include <string.h>

size_t cs_utf8_seqlen(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	if (c < 0x80)
		return 1;
	size_t len;
	unsigned int cp;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

static bool is_c1(const unsigned char *s, size_t len)
{
	return len == 2 && s[0] == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f;
}

int cs_escape_text(cs_buf *out, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	while (i < n) {
		size_t start = i;
		/* copy a run of clean printable characters in one go */
		while (i < n) {
			size_t l = cs_utf8_seqlen(s + i, n - i);
			if (l == 0 || (l == 1 && (s[i] < 0x20 || s[i] == 0x7f || s[i] == '\\')) ||
			    is_c1(s + i, l))
				break;
			i += l;
		}
		int r = cs_buf_append(out, s + start, i - start);
		if (r < 0)
			return r;
		if (i >= n)
			break;
		size_t l = cs_utf8_seqlen(s + i, n - i);
		char esc[16];
		size_t consumed = 1;
		switch (s[i]) {
		case '\n': snprintf(esc, sizeof(esc), "\\n"); break;
		case '\r': snprintf(esc, sizeof(esc), "\\r"); break;
		case '\t': snprintf(esc, sizeof(esc), "\\t"); break;
		case '\\': snprintf(esc, sizeof(esc), "\\\\"); break;
		default:
			if (l == 2 && is_c1(s + i, l)) {
				snprintf(esc, sizeof(esc), "\\u%04x", s[i + 1]);
				consumed = 2;
			} else {
				snprintf(esc, sizeof(esc), "\\x%02x", s[i]);
			}
		}
		r = cs_buf_puts(out, esc);
		if (r < 0)
			return r;
		i += consumed;
	}
	return 0;
}

char *cs_escape_dup(const char *s)
{
	cs_buf b = {0};
	if (!s)
		s = "";
	if (cs_escape_text(&b, s, strlen(s)) < 0) {
		cs_buf_free(&b);
		return cs_xstrdup("?");
	}
	return cs_buf_steal(&b);
}

bool cs_text_is_clean(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	for (size_t i = 0; i < n;) {
		size_t l = cs_utf8_seqlen(s + i, n - i);
		if (l == 0 || (l == 1 && (s[i] < 0x20 || s[i] == 0x7f)) || is_c1(s + i, l))
			return false;
		i += l;
	}
	return true;
}

char *cs_utf8_repair(const char *str, size_t n, size_t *ret_len)
{
	const unsigned char *s = (const unsigned char *)str;
	cs_buf b = {.max = SIZE_MAX};
	size_t i = 0;
	while (i < n) {
		size_t start = i, l;
		while (i < n && (l = cs_utf8_seqlen(s + i, n - i)) != 0)
			i += l;
		if (cs_buf_append(&b, s + start, i - start) < 0)
			abort();
		if (i < n) {
			if (cs_buf_append(&b, "\xef\xbf\xbd", 3) < 0)
				abort();
			i++;
		}
	}
	if (ret_len)
		*ret_len = b.len;
	return cs_buf_steal(&b);
}

void cs_utf8_put(cs_buf *b, uint32_t cp)
{
	char u[4];
	size_t n;
	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	(void)cs_buf_append(b, u, n);
}

int cs_hex4(const char *p, uint32_t *v)
{
	uint32_t x = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		x <<= 4;
		if (c >= '0' && c <= '9')
			x |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			x |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			x |= (uint32_t)(c - 'A' + 10);
		else
			return -1;
	}
	*v = x;
	return 0;
}

bool cs_utf8_valid(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	for (size_t i = 0; i < n;) {
		size_t l = cs_utf8_seqlen(s + i, n - i);
		if (!l)
			return false;
		i += l;
	}
	return true;
}

bool cs_json_quote(cs_buf *b, const char *str, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	bool exact = true;
	(void)cs_buf_append(b, "\"", 1);
	size_t i = 0;
	while (i < n) {
		size_t start = i;
		for (;;) {
			if (i >= n)
				break;
			unsigned char c = s[i];
			if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
				i++;
				continue;
			}
			if (c >= 0x80) {
				size_t l = cs_utf8_seqlen(s + i, n - i);
				if (l && !is_c1(s + i, l)) {
					i += l;
					continue;
				}
			}
			break;
		}
		(void)cs_buf_append(b, s + start, i - start);
		if (i >= n)
			break;
		unsigned char c = s[i];
		char e[8] = {'\\', 0};
		size_t el = 2;
		switch (c) {
		case '"': e[1] = '"'; break;
		case '\\': e[1] = '\\'; break;
		case '\n': e[1] = 'n'; break;
		case '\r': e[1] = 'r'; break;
		case '\t': e[1] = 't'; break;
		default:
			if (c >= 0x80 && is_c1(s + i, cs_utf8_seqlen(s + i, n - i))) {
				c = s[i + 1];
				i++; /* the lead byte 0xc2 */
			} else if (c >= 0x80) {
				(void)cs_buf_append(b, "\\ufffd", 6);
				exact = false;
				i++;
				continue;
			}
			e[1] = 'u';
			e[2] = '0';
			e[3] = '0';
			e[4] = hex[c >> 4];
			e[5] = hex[c & 15];
			el = 6;
		}
		(void)cs_buf_append(b, e, el);
		i++;
	}
	(void)cs_buf_append(b, "\"", 1);
	return exact;
}

char *cs_json_escape_c1(const char *json, size_t n, size_t *ret_len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)json;
	cs_buf b = {.max = SIZE_MAX};
	size_t start = 0;
	for (size_t i = 0; i < n; i++) {
		bool c1 = s[i] == 0xc2 && i + 1 < n && s[i + 1] >= 0x80 && s[i + 1] <= 0x9f;
		if (!c1 && s[i] != 0x7f)
			continue;
		(void)cs_buf_append(&b, s + start, i - start);
		unsigned char c = c1 ? s[i + 1] : 0x7f;
		char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
		(void)cs_buf_append(&b, e, 6);
		if (c1)
			i++;
		start = i + 1;
	}
	(void)cs_buf_append(&b, s + start, n - start);
	if (ret_len)
		*ret_len = b.len;
	return cs_buf_steal(&b);
}

void cs_base64(cs_buf *b, const void *data, size_t n)
{
	static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p = data;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) |
			     (i + 2 < n ? p[i + 2] : 0);
		char q[4] = {t[v >> 18], t[(v >> 12) & 63], i + 1 < n ? t[(v >> 6) & 63] : '=',
			     i + 2 < n ? t[v & 63] : '='};
		(void)cs_buf_append(b, q, 4);
	}
}
