/* toml.c - string values of TOML files (see toml.h).
 *
 * One pass over the text with a cursor. Statements are table headers and
 * key/value pairs; each value is parsed (strings decoded, arrays and inline
 * tables skipped with bounded nesting) so that the cursor always lands where
 * TOML says the next statement starts. A statement that does not parse is
 * abandoned at the end of its line.
 */
#include "formats/toml.h"

#include <stdbool.h>
#include <string.h>

#include "base/util.h"
#include "formats/sanitize.h"

#define MAX_SEGS 32
#define MAX_DEPTH 64

typedef struct cur {
	const char *p, *end;
} cur;

typedef struct keypath {
	char *seg[MAX_SEGS];
	size_t n;
	bool bad;
} keypath;

static void kp_clear(keypath *k)
{
	for (size_t i = 0; i < k->n; i++)
		free(k->seg[i]);
	k->n = 0;
	k->bad = false;
}

static void kp_push(keypath *k, char *s)
{
	if (k->n == MAX_SEGS) {
		free(s);
		k->bad = true;
		return;
	}
	k->seg[k->n++] = s;
}

static void skip_ws(cur *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t'))
		c->p++;
}

static void skip_line(cur *c)
{
	const char *nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
	c->p = nl ? nl + 1 : c->end;
}

/* White space, newlines and comments (inside arrays). */
static void skip_ws_nl(cur *c)
{
	for (;;) {
		while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
			c->p++;
		if (c->p < c->end && *c->p == '#') {
			skip_line(c);
			continue;
		}
		return;
	}
}

static bool has(const cur *c, const char *s)
{
	size_t n = strlen(s);
	return (size_t)(c->end - c->p) >= n && memcmp(c->p, s, n) == 0;
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* A basic string (single- or multi-line): the cursor is after the opening
 * delimiter. Returns the decoded text (owned) or NULL when malformed; the
 * cursor is after the closing delimiter. */
static char *basic_string(cur *c, bool multi)
{
	cs_buf b = {.max = CS_TOML_MAX};
	(void)cs_buf_append(&b, "", 0);
	if (multi && c->p < c->end && *c->p == '\n')
		c->p++;
	else if (multi && has(c, "\r\n"))
		c->p += 2;
	while (c->p < c->end) {
		char ch = *c->p;
		if (multi && has(c, "\"\"\"")) {
			/* up to two quotes may end the content: """"" */
			size_t q = 3;
			while (q < 5 && c->p + q < c->end && c->p[q] == '"')
				q++;
			(void)cs_buf_append(&b, "\"\"", q - 3);
			c->p += q;
			return cs_buf_steal(&b);
		}
		if (!multi && ch == '"') {
			c->p++;
			return cs_buf_steal(&b);
		}
		if (!multi && ch == '\n')
			break;
		if (ch != '\\') {
			(void)cs_buf_append(&b, c->p, 1);
			c->p++;
			continue;
		}
		c->p++;
		if (c->p >= c->end)
			break;
		char e = *c->p++;
		uint32_t cp = 0;
		int nd = 0;
		switch (e) {
		case 'b': (void)cs_buf_append(&b, "\b", 1); continue;
		case 't': (void)cs_buf_append(&b, "\t", 1); continue;
		case 'n': (void)cs_buf_append(&b, "\n", 1); continue;
		case 'f': (void)cs_buf_append(&b, "\f", 1); continue;
		case 'r': (void)cs_buf_append(&b, "\r", 1); continue;
		case 'e': (void)cs_buf_append(&b, "\x1b", 1); continue;
		case '"': (void)cs_buf_append(&b, "\"", 1); continue;
		case '\\': (void)cs_buf_append(&b, "\\", 1); continue;
		case 'u': nd = 4; break;
		case 'U': nd = 8; break;
		default:
			if (multi && (e == ' ' || e == '\t' || e == '\n' || e == '\r')) {
				/* line-ending backslash: trims white space up to the next text */
				c->p--;
				const char *q = c->p;
				while (q < c->end && (*q == ' ' || *q == '\t'))
					q++;
				if (q < c->end && (*q == '\n' || *q == '\r')) {
					while (q < c->end && (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r'))
						q++;
					c->p = q;
					continue;
				}
			}
			cs_buf_free(&b);
			return NULL;
		}
		if (c->end - c->p < nd) {
			cs_buf_free(&b);
			return NULL;
		}
		for (int i = 0; i < nd; i++) {
			int h = hexval(c->p[i]);
			if (h < 0) {
				cs_buf_free(&b);
				return NULL;
			}
			cp = cp << 4 | (uint32_t)h;
		}
		c->p += nd;
		if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
			cs_buf_free(&b);
			return NULL;
		}
		cs_utf8_put(&b, cp);
	}
	cs_buf_free(&b);
	return NULL;
}

/* A literal string: the cursor is after the opening delimiter. */
static char *literal_string(cur *c, bool multi)
{
	if (multi && c->p < c->end && *c->p == '\n')
		c->p++;
	else if (multi && has(c, "\r\n"))
		c->p += 2;
	const char *s = c->p;
	while (c->p < c->end) {
		if (multi && has(c, "'''")) {
			size_t q = 3;
			while (q < 5 && c->p + q < c->end && c->p[q] == '\'')
				q++;
			char *r = cs_xstrndup(s, (size_t)(c->p - s) + (q - 3));
			c->p += q;
			return r;
		}
		if (!multi && *c->p == '\'') {
			char *r = cs_xstrndup(s, (size_t)(c->p - s));
			c->p++;
			return r;
		}
		if (!multi && *c->p == '\n')
			return NULL;
		c->p++;
	}
	return NULL;
}

/* Any string at the cursor; NULL (cursor unchanged) when there is none. */
static char *string_at(cur *c, bool *is_string)
{
	*is_string = true;
	if (has(c, "\"\"\"")) {
		c->p += 3;
		return basic_string(c, true);
	}
	if (has(c, "'''")) {
		c->p += 3;
		return literal_string(c, true);
	}
	if (c->p < c->end && *c->p == '"') {
		c->p++;
		return basic_string(c, false);
	}
	if (c->p < c->end && *c->p == '\'') {
		c->p++;
		return literal_string(c, false);
	}
	*is_string = false;
	return NULL;
}

static bool bare_char(char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' ||
	       ch == '-';
}

/* A dotted key up to (not including) the terminator `stop` ('=' or ']').
 * Returns false when malformed. */
static bool key_path(cur *c, keypath *k, char stop)
{
	for (;;) {
		skip_ws(c);
		bool isstr;
		char *s = NULL;
		if (c->p < c->end && (*c->p == '"' || *c->p == '\'')) {
			if (has(c, "\"\"\"") || has(c, "'''"))
				return false; /* multi-line strings are not keys */
			s = string_at(c, &isstr);
			if (!s)
				return false;
		} else {
			const char *b = c->p;
			while (c->p < c->end && bare_char(*c->p))
				c->p++;
			if (c->p == b)
				return false;
			s = cs_xstrndup(b, (size_t)(c->p - b));
		}
		kp_push(k, s);
		skip_ws(c);
		if (c->p < c->end && *c->p == '.') {
			c->p++;
			continue;
		}
		return c->p < c->end && *c->p == stop && !k->bad;
	}
}

static bool skip_value(cur *c, int depth);

static bool skip_inline_table(cur *c, int depth)
{
	for (;;) {
		skip_ws(c);
		if (c->p < c->end && *c->p == '}') {
			c->p++;
			return true;
		}
		keypath k = {0};
		bool ok = key_path(c, &k, '=');
		kp_clear(&k);
		if (!ok)
			return false;
		c->p++;
		skip_ws(c);
		if (!skip_value(c, depth + 1))
			return false;
		skip_ws(c);
		if (c->p < c->end && *c->p == ',') {
			c->p++;
			continue;
		}
		if (c->p < c->end && *c->p == '}') {
			c->p++;
			return true;
		}
		return false;
	}
}

static bool skip_array(cur *c, int depth)
{
	for (;;) {
		skip_ws_nl(c);
		if (c->p < c->end && *c->p == ']') {
			c->p++;
			return true;
		}
		if (!skip_value(c, depth + 1))
			return false;
		skip_ws_nl(c);
		if (c->p < c->end && *c->p == ',') {
			c->p++;
			continue;
		}
		if (c->p < c->end && *c->p == ']') {
			c->p++;
			return true;
		}
		return false;
	}
}

static bool skip_value(cur *c, int depth)
{
	if (depth > MAX_DEPTH || c->p >= c->end)
		return false;
	bool isstr;
	char *s = string_at(c, &isstr);
	if (isstr) {
		bool ok = s != NULL;
		free(s);
		return ok;
	}
	if (*c->p == '[') {
		c->p++;
		return skip_array(c, depth);
	}
	if (*c->p == '{') {
		c->p++;
		return skip_inline_table(c, depth);
	}
	const char *b = c->p;
	while (c->p < c->end && *c->p != ' ' && *c->p != '\t' && *c->p != '\n' && *c->p != '\r' &&
	       *c->p != ',' && *c->p != ']' && *c->p != '}' && *c->p != '#')
		c->p++;
	return c->p > b;
}

/* Splits "a.b.c" (bare segments) into want. */
static void split_path(const char *path, keypath *want)
{
	const char *p = path;
	while (*p) {
		size_t l = strcspn(p, ".");
		kp_push(want, cs_xstrndup(p, l));
		p += l;
		if (*p == '.')
			p++;
	}
}

static bool matches(const keypath *table, const keypath *key, const keypath *want)
{
	if (table->n + key->n != want->n)
		return false;
	for (size_t i = 0; i < table->n; i++)
		if (strcmp(table->seg[i], want->seg[i]) != 0)
			return false;
	for (size_t i = 0; i < key->n; i++)
		if (strcmp(key->seg[i], want->seg[table->n + i]) != 0)
			return false;
	return true;
}

char *cs_toml_string(const char *text, size_t len, const char *path)
{
	if (!text || !path || !*path)
		return NULL;
	if (len > CS_TOML_MAX)
		len = CS_TOML_MAX;
	cur c = {.p = text, .end = text + len};
	keypath want = {0}, table = {0};
	split_path(path, &want);
	bool in_array_table = false;
	char *found = NULL;
	while (c.p < c.end) {
		skip_ws_nl(&c);
		if (c.p >= c.end)
			break;
		if (*c.p == '[') {
			bool arr = has(&c, "[[");
			c.p += arr ? 2 : 1;
			kp_clear(&table);
			in_array_table = arr;
			if (!key_path(&c, &table, ']') || (arr && !has(&c, "]]"))) {
				kp_clear(&table);
				in_array_table = true; /* unknown table: answer nothing below it */
				skip_line(&c);
				continue;
			}
			c.p += arr ? 2 : 1;
			skip_line(&c);
			continue;
		}
		keypath key = {0};
		if (!key_path(&c, &key, '=')) {
			kp_clear(&key);
			skip_line(&c);
			continue;
		}
		c.p++; /* '=' */
		skip_ws(&c);
		bool want_this = !in_array_table && matches(&table, &key, &want);
		kp_clear(&key);
		bool isstr = false;
		const char *start = c.p;
		char *s = want_this ? string_at(&c, &isstr) : NULL;
		if (want_this && isstr) {
			if (s) {
				free(found);
				found = s;
			}
		} else {
			c.p = start;
			if (!skip_value(&c, 0)) {
				skip_line(&c);
				continue;
			}
		}
		if (want_this && isstr && !s) {
			skip_line(&c);
			continue;
		}
		/* the rest of the line: white space and a comment only */
		skip_ws(&c);
		skip_line(&c);
	}
	kp_clear(&want);
	kp_clear(&table);
	return found;
}
