/* jscan.c - see jscan.h. */
#include "formats/jscan.h"

#include <string.h>

#include "formats/sanitize.h"

#define JSCAN_MAX_DEPTH 64

static void fail(cs_jscan *s, const char *why)
{
	if (!s->err) {
		s->err = why;
		s->err_off = (size_t)(s->p - s->start);
	}
	s->p = s->end;
}

static void ws(cs_jscan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' || *s->p == '\r' || *s->p == '\t'))
		s->p++;
}

void cs_jscan_init(cs_jscan *s, const char *text, size_t len)
{
	memset(s, 0, sizeof(*s));
	s->start = s->p = text;
	s->end = text + len;
}

cs_jtype cs_jscan_peek(cs_jscan *s)
{
	ws(s);
	if (s->err || s->p >= s->end)
		return CS_JNONE;
	switch (*s->p) {
	case '{': return CS_JOBJECT;
	case '[': return CS_JARRAY;
	case '"': return CS_JSTRING;
	case 't': return CS_JTRUE;
	case 'f': return CS_JFALSE;
	case 'n': return CS_JNULL;
	default:
		return (*s->p == '-' || (*s->p >= '0' && *s->p <= '9')) ? CS_JNUMBER : CS_JNONE;
	}
}

/* A byte that ends a run of plain string text: the quote, a backslash, or
 * NUL. Other raw control characters are taken, as json-c's strict mode
 * takes them (Go would refuse them; a forensic reader reads what is there
 * and escapes it on output). NUL is refused, as json-c refuses it: the
 * model's strings are C strings. */
static inline bool string_stop(char c)
{
	return c == '"' || c == '\\' || c == '\0';
}

/* Scans a string at s->p ('"'). With out, decodes into it. */
static void scan_string(cs_jscan *s, cs_buf *out)
{
	s->p++; /* opening quote */
	for (;;) {
		const char *run = s->p;
		while (s->p < s->end && !string_stop(*s->p))
			s->p++;
		if (out && s->p > run)
			(void)cs_buf_append(out, run, (size_t)(s->p - run));
		if (s->p >= s->end) {
			fail(s, "unterminated string");
			return;
		}
		if (*s->p == '\0') {
			fail(s, "NUL in a string");
			return;
		}
		if (*s->p == '"') {
			s->p++;
			return;
		}
		/* escape */
		if (s->end - s->p < 2) {
			fail(s, "unterminated string");
			return;
		}
		char c = s->p[1];
		s->p += 2;
		const char *lit = NULL;
		switch (c) {
		case '"': lit = "\""; break;
		case '\\': lit = "\\"; break;
		case '/': lit = "/"; break;
		case 'b': lit = "\b"; break;
		case 'f': lit = "\f"; break;
		case 'n': lit = "\n"; break;
		case 'r': lit = "\r"; break;
		case 't': lit = "\t"; break;
		case 'u': {
			uint32_t cp, lo;
			if (s->end - s->p < 4 || cs_hex4(s->p, &cp) < 0) {
				fail(s, "bad \\u escape");
				return;
			}
			s->p += 4;
			if (cp >= 0xd800 && cp <= 0xdbff && s->end - s->p >= 6 && s->p[0] == '\\' &&
			    s->p[1] == 'u' && cs_hex4(s->p + 2, &lo) == 0 && lo >= 0xdc00 && lo <= 0xdfff) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				s->p += 6;
			} else if (cp >= 0xd800 && cp <= 0xdfff) {
				cp = 0xfffd; /* lone surrogate */
			}
			if (out)
				cs_utf8_put(out, cp);
			continue;
		}
		default:
			fail(s, "bad escape");
			return;
		}
		if (out)
			(void)cs_buf_append(out, lit, 1);
	}
}

static void scan_number(cs_jscan *s)
{
	const char *p = s->p;
	if (p < s->end && *p == '-')
		p++;
	if (p >= s->end || !(*p >= '0' && *p <= '9')) {
		fail(s, "bad number");
		return;
	}
	if (*p == '0')
		p++; /* no leading zeros: "01" is two values, and an error */
	else
		while (p < s->end && *p >= '0' && *p <= '9')
			p++;
	if (p < s->end && *p == '.') {
		p++;
		if (p >= s->end || !(*p >= '0' && *p <= '9')) {
			fail(s, "bad number");
			return;
		}
		while (p < s->end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < s->end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < s->end && (*p == '+' || *p == '-'))
			p++;
		if (p >= s->end || !(*p >= '0' && *p <= '9')) {
			fail(s, "bad number");
			return;
		}
		while (p < s->end && *p >= '0' && *p <= '9')
			p++;
	}
	s->p = p;
}

static void scan_literal(cs_jscan *s, const char *lit)
{
	size_t n = strlen(lit);
	if ((size_t)(s->end - s->p) < n || memcmp(s->p, lit, n) != 0) {
		fail(s, s->end - s->p < (ptrdiff_t)n ? "truncated" : "unexpected character");
		return;
	}
	s->p += n;
}

void cs_jscan_skip(cs_jscan *s)
{
	switch (cs_jscan_peek(s)) {
	case CS_JOBJECT:
		if (cs_jscan_object(s))
			while (cs_jscan_member(s))
				cs_jscan_skip(s);
		break;
	case CS_JARRAY:
		if (cs_jscan_array(s))
			while (cs_jscan_element(s))
				cs_jscan_skip(s);
		break;
	case CS_JSTRING: scan_string(s, NULL); break;
	case CS_JNUMBER: scan_number(s); break;
	case CS_JTRUE: scan_literal(s, "true"); break;
	case CS_JFALSE: scan_literal(s, "false"); break;
	case CS_JNULL: scan_literal(s, "null"); break;
	default: fail(s, s->p >= s->end ? "truncated" : "unexpected character");
	}
}

/* Containers keep a one-byte state on the stack of the caller's loop: we
 * tell "first member" from "later member" by the previous character. */
bool cs_jscan_object(cs_jscan *s)
{
	if (cs_jscan_peek(s) != CS_JOBJECT) {
		cs_jscan_skip(s);
		return false;
	}
	if (++s->depth > JSCAN_MAX_DEPTH) {
		fail(s, "nested too deeply");
		return false;
	}
	s->p++;
	return true;
}

static bool after_open_or_comma(cs_jscan *s, char close)
{
	/* Looks back over white space for '{' / '[' (first item) or the end of
	 * a previous value (then a ',' must come). */
	ws(s);
	if (s->err || s->p >= s->end) {
		fail(s, "truncated");
		return false;
	}
	const char *q = s->p - 1;
	while (q > s->start && (*q == ' ' || *q == '\n' || *q == '\r' || *q == '\t'))
		q--;
	bool first = (*q == '{' || *q == '[');
	if (*s->p == close) {
		s->p++;
		s->depth--;
		return false;
	}
	if (!first) {
		if (*s->p != ',') {
			fail(s, "expected ',' or a closing bracket");
			return false;
		}
		s->p++;
		ws(s);
	}
	return true;
}

bool cs_jscan_member(cs_jscan *s)
{
	if (!after_open_or_comma(s, '}'))
		return false;
	if (s->p >= s->end || *s->p != '"') {
		fail(s, s->p >= s->end ? "truncated" : "expected a member name");
		return false;
	}
	s->key_at = s->p;
	/* fast path: a name without escapes is copied straight from the text */
	const char *q = s->p + 1;
	while (q < s->end && !string_stop(*q))
		q++;
	if (q < s->end && *q == '"') {
		size_t len = (size_t)(q - s->p - 1);
		size_t n = len < sizeof(s->key) - 1 ? len : sizeof(s->key) - 1;
		memcpy(s->key, s->p + 1, n);
		s->key[n] = '\0';
		s->key_long = len >= sizeof(s->key);
		s->p = q + 1;
	} else {
		cs_buf k = {.max = 1 << 20};
		scan_string(s, &k);
		size_t n = k.len < sizeof(s->key) - 1 ? k.len : sizeof(s->key) - 1;
		memcpy(s->key, k.data ? k.data : "", n);
		s->key[n] = '\0';
		s->key_long = k.len >= sizeof(s->key);
		cs_buf_free(&k);
	}
	ws(s);
	if (s->p >= s->end || *s->p != ':') {
		fail(s, s->p >= s->end ? "truncated" : "expected ':'");
		return false;
	}
	s->p++;
	return !s->err;
}

char *cs_jscan_key_dup(const cs_jscan *s)
{
	if (!s->key_long || !s->key_at)
		return cs_xstrdup(s->key);
	cs_jscan t = *s; /* the name was scanned once: it is well formed */
	t.p = s->key_at;
	t.err = NULL;
	cs_buf k = {.max = 1 << 20};
	scan_string(&t, &k);
	if (t.err || !k.data) {
		cs_buf_free(&k);
		return cs_xstrdup(s->key);
	}
	return cs_buf_steal(&k);
}

bool cs_jscan_is(const cs_jscan *s, const char *name)
{
	return !s->key_long && strcmp(s->key, name) == 0;
}

bool cs_jscan_array(cs_jscan *s)
{
	if (cs_jscan_peek(s) != CS_JARRAY) {
		cs_jscan_skip(s);
		return false;
	}
	if (++s->depth > JSCAN_MAX_DEPTH) {
		fail(s, "nested too deeply");
		return false;
	}
	s->p++;
	return true;
}

bool cs_jscan_element(cs_jscan *s)
{
	return after_open_or_comma(s, ']');
}

char *cs_jscan_string(cs_jscan *s)
{
	if (cs_jscan_peek(s) != CS_JSTRING) {
		cs_jscan_skip(s);
		return NULL;
	}
	cs_buf b = {.max = CS_BUF_DEFAULT_MAX};
	scan_string(s, &b);
	if (s->err) {
		cs_buf_free(&b);
		return NULL;
	}
	return cs_buf_steal(&b);
}

int64_t cs_jscan_int(cs_jscan *s, int64_t def)
{
	if (cs_jscan_peek(s) != CS_JNUMBER) {
		cs_jscan_skip(s);
		return def;
	}
	const char *a = s->p;
	scan_number(s);
	if (s->err)
		return def;
	int64_t v = 0;
	bool neg = *a == '-';
	for (const char *q = a + neg; q < s->p; q++) {
		if (*q < '0' || *q > '9')
			return def; /* a fraction or exponent: not an integer */
		if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, *q - '0', &v))
			return def;
	}
	return neg ? -v : v;
}

bool cs_jscan_bool(cs_jscan *s)
{
	cs_jtype t = cs_jscan_peek(s);
	cs_jscan_skip(s);
	return t == CS_JTRUE && !s->err;
}

int cs_jscan_finish(cs_jscan *s, cs_error *e)
{
	ws(s);
	if (!s->err && s->p < s->end)
		fail(s, "unexpected data after the JSON value");
	if (!s->err && s->depth != 0)
		fail(s, "truncated");
	if (!s->err)
		return 0;
	if (s->err_off >= (size_t)(s->end - s->start) || strcmp(s->err, "truncated") == 0)
		return cs_err(e, -EBADMSG, "truncated JSON (ends after %zu bytes)", (size_t)(s->end - s->start));
	return cs_err(e, -EBADMSG, "invalid JSON at byte %zu: %s", s->err_off, s->err);
}

char **cs_jscan_labels(cs_jscan *s)
{
	if (!cs_jscan_object(s))
		return NULL;
	size_t n = 0, cap = 0;
	char **v = NULL;
	while (cs_jscan_member(s)) {
		char *k = cs_jscan_key_dup(s);
		char *val = n < 4096 ? cs_jscan_string(s) : (cs_jscan_skip(s), NULL);
		if (val)
			*CS_PUSH(v, n, cap) = cs_xasprintf("%s=%s", k, val);
		free(k);
		free(val);
	}
	*CS_PUSH(v, n, cap) = NULL;
	cs_strv_sort(v);
	return v;
}

char **cs_jscan_strv(cs_jscan *s, size_t max)
{
	size_t n = 0, cap = 0;
	char **v = NULL;
	if (cs_jscan_array(s))
		while (cs_jscan_element(s)) {
			char *x = n < max ? cs_jscan_string(s) : (cs_jscan_skip(s), NULL);
			if (x)
				*CS_PUSH(v, n, cap) = x;
		}
	*CS_PUSH(v, n, cap) = NULL;
	return v;
}
