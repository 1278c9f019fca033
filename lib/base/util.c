/* util.c - see util.h. */
#include "base/util.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

int cs_err(cs_error *e, int code, const char *fmt, ...)
{
	if (e) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
		va_end(ap);
		e->code = code;
	}
	return code;
}

void cs_err_prefix(cs_error *e, const char *fmt, ...)
{
	if (!e)
		return;
	char pre[CS_ERRMSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(pre, sizeof(pre), fmt, ap);
	va_end(ap);
	char old[CS_ERRMSG_MAX];
	memcpy(old, e->msg, sizeof(old));
	cs_buf b = {.max = CS_ERRMSG_MAX * 2};
	if (cs_buf_puts(&b, pre) == 0 && cs_buf_puts(&b, ": ") == 0 && cs_buf_puts(&b, old) == 0) {
		size_t n = b.len < sizeof(e->msg) - 1 ? b.len : sizeof(e->msg) - 1;
		memcpy(e->msg, b.data, n);
		e->msg[n] = '\0';
	}
	cs_buf_free(&b);
}

void cs_err_clear(cs_error *e)
{
	if (e) {
		e->code = 0;
		e->msg[0] = '\0';
	}
}

void cs_diagf(cs_diag_fn fn, void *userdata, cs_severity severity, const char *file, const char *fmt, ...)
{
	if (!fn)
		return;
	char msg[CS_ERRMSG_MAX + 256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cs_diag d = {.severity = severity, .file = file, .msg = msg};
	fn(userdata, &d);
}

static void oom(void)
{
	static const char m[] = "csleuth: out of memory\n";
	ssize_t r = write(2, m, sizeof(m) - 1);
	(void)r;
	abort();
}

void *cs_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *cs_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom();
	return p;
}

void *cs_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom();
	return q;
}

void *cs_xreallocarray(void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		oom();
	return cs_xrealloc(p, n * size);
}

char *cs_xstrdup(const char *s)
{
	if (!s)
		return NULL;
	char *d = strdup(s);
	if (!d)
		oom();
	return d;
}

char *cs_xstrndup(const char *s, size_t n)
{
	char *d = strndup(s, n);
	if (!d)
		oom();
	return d;
}

char *cs_xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	va_start(ap, fmt);
	int r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		oom();
	return s;
}

void cs_grow(void **arr, size_t *cap, size_t n, size_t esz)
{
	if (n <= *cap)
		return;
	size_t nc = *cap ? *cap : 8;
	while (nc < n) {
		if (nc > SIZE_MAX / 2)
			oom();
		nc *= 2;
	}
	*arr = cs_xreallocarray(*arr, nc, esz);
	memset((char *)*arr + *cap * esz, 0, (nc - *cap) * esz);
	*cap = nc;
}

int cs_buf_append(cs_buf *b, const void *p, size_t n)
{
	size_t max = b->max ? b->max : CS_BUF_DEFAULT_MAX;
	if (n > max || b->len > max - n)
		return -EFBIG;
	if (b->len + n + 1 > b->cap) {
		size_t nc = b->cap ? b->cap : 256;
		while (nc < b->len + n + 1)
			nc = nc > SIZE_MAX / 2 ? b->len + n + 1 : nc * 2;
		char *d = realloc(b->data, nc);
		if (!d)
			return -ENOMEM;
		b->data = d;
		b->cap = nc;
	}
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int cs_buf_puts(cs_buf *b, const char *s)
{
	return cs_buf_append(b, s, strlen(s));
}

int cs_buf_printf(cs_buf *b, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n < sizeof(small))
		return cs_buf_append(b, small, (size_t)n);
	char *big = cs_xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	int r = cs_buf_append(b, big, (size_t)n);
	free(big);
	return r;
}

char *cs_buf_steal(cs_buf *b)
{
	char *d = b->data ? b->data : cs_xstrdup("");
	b->data = NULL;
	b->len = b->cap = 0;
	return d;
}

void cs_buf_free(cs_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void cs_strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

size_t cs_strv_len(char *const *v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	return n;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void cs_strv_sort(char **v)
{
	size_t n = cs_strv_len(v);
	if (n > 1)
		qsort(v, n, sizeof(char *), cmp_str);
}

bool cs_str_startswith(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool cs_str_endswith(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && memcmp(s + a - b, suffix, b) == 0;
}

bool cs_is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return false;
	}
	return s[n] == '\0';
}

int cs_parse_i64(const char *s, int64_t *ret)
{
	if (!s || !*s)
		return -EINVAL;
	char *end = NULL;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	/* allow one trailing newline, as engines write small files with one */
	if (*end == '\n')
		end++;
	if (end == s || *end != '\0')
		return -EINVAL;
	*ret = (int64_t)v;
	return 0;
}

int cs_parse_size(const char *s, uint64_t *ret)
{
	if (!s || !*s || *s < '0' || *s > '9')
		return -EINVAL;
	uint64_t v = 0;
	const char *p = s;
	while (*p >= '0' && *p <= '9') {
		if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, (uint64_t)(*p - '0'), &v))
			return -ERANGE;
		p++;
	}
	unsigned shift = 0;
	switch (*p) {
	case 'k': case 'K': shift = 10; p++; break;
	case 'm': case 'M': shift = 20; p++; break;
	case 'g': case 'G': shift = 30; p++; break;
	case 't': case 'T': shift = 40; p++; break;
	case 'b': case 'B': p++; break;
	case '\0': break;
	default: return -EINVAL;
	}
	if (shift && (*p == 'i' || *p == 'I'))
		p++;
	if (shift && (*p == 'b' || *p == 'B'))
		p++;
	if (*p)
		return -EINVAL;
	if (shift && v > (UINT64_C(1) << (63 - shift)))
		return -ERANGE;
	v <<= shift;
	if (v > (uint64_t)INT64_MAX)
		return -ERANGE;
	*ret = v;
	return 0;
}

size_t cs_edit_distance(const char *a, const char *b, size_t max)
{
	size_t n = strlen(a), m = strlen(b);
	if (n > 256 || m > 256)
		return max + 1;
	if ((n > m ? n - m : m - n) > max)
		return max + 1;
	/* three rows of the optimal-string-alignment table */
	size_t *pp = cs_xcalloc(m + 1, sizeof(size_t)), *p = cs_xcalloc(m + 1, sizeof(size_t)),
	       *c = cs_xcalloc(m + 1, sizeof(size_t));
	for (size_t j = 0; j <= m; j++)
		p[j] = j;
	for (size_t i = 1; i <= n; i++) {
		c[0] = i;
		for (size_t j = 1; j <= m; j++) {
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			size_t v = p[j] + 1;
			if (c[j - 1] + 1 < v)
				v = c[j - 1] + 1;
			if (p[j - 1] + cost < v)
				v = p[j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && pp[j - 2] + 1 < v)
				v = pp[j - 2] + 1;
			c[j] = v;
		}
		size_t *t = pp;
		pp = p;
		p = c;
		c = t;
	}
	size_t d = p[m];
	free(pp);
	free(p);
	free(c);
	return d > max ? max + 1 : d;
}

const char *cs_closest(const char *q, const char *const *cands, size_t n)
{
	size_t ql = strlen(q);
	if (!ql)
		return NULL;
	size_t limit = ql / 3;
	if (limit < 1)
		limit = 1;
	if (limit > 3)
		limit = 3;
	const char *best = NULL, *prefixed = NULL;
	size_t bestd = limit + 1, nprefixed = 0;
	for (size_t i = 0; i < n; i++) {
		if (!cands[i] || strcmp(cands[i], q) == 0)
			continue;
		size_t d = cs_edit_distance(q, cands[i], limit);
		if (d < bestd) {
			bestd = d;
			best = cands[i];
		}
		if (ql >= 2 && strncmp(cands[i], q, ql) == 0 && (!prefixed || strcmp(prefixed, cands[i]) != 0)) {
			prefixed = cands[i];
			nprefixed++;
		}
	}
	if (best)
		return best;
	return nprefixed == 1 ? prefixed : NULL;
}
