/* logs_format.c - one log record at a time: json-file lines, local frames'
 * protobuf payloads, CRI lines.
 *
 * json-file. The engine writes every line in one shape,
 * {"log":"...","stream":"stdout","time":"...Z"}, and reads it back with Go's
 * encoding/json. The fast path matches that shape literally and, when the
 * text's only escape is its final "\n", returns the text as a pointer into
 * the line: no copy, no allocation. Anything else takes the general path, a
 * small validating parser that decodes the way Go does, so the bytes we
 * print are the bytes `docker logs` prints: member names match without
 * regard to ASCII case and the last duplicate wins; \uXXXX escapes become
 * UTF-8, with U+FFFD for a surrogate that is not part of a pair; every byte
 * that does not start a valid UTF-8 sequence becomes U+FFFD; raw control
 * characters in a string are an error. A line that ends inside the object is
 * "truncated": what was read of the text is returned, flagged.
 *
 * local. A LogEntry is decoded field by field with a varint reader; unknown
 * fields are skipped by wire type, as protobuf requires, so newer engines'
 * additions (attrs, field 6) pass. Lengths are checked against what is left
 * before anything is read.
 *
 * CRI. `<time> <stream> <P|F>[:tags] <text>`; the text runs to the end of the
 * line.
 */
#include "logs/logs.h"
#include "formats/sanitize.h"
#include "logs/logs_internal.h"

#include <string.h>
#if defined(__x86_64__) && defined(__SSE2__)
#include <immintrin.h>
#endif

/* ---------------------------------------------------------------------- */
/* UTF-8 as Go's utf8.DecodeRune sees it */

/* Length of the valid UTF-8 sequence at p (first byte >= 0x80), or 0. */
static size_t utf8_seq(const unsigned char *p, const unsigned char *end)
{
	unsigned c = p[0];
	size_t n = (size_t)(end - p);
	if (c >= 0xc2 && c <= 0xdf)
		return n >= 2 && (p[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if (n < 3)
			return 0;
		unsigned lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
		return p[1] >= lo && p[1] <= hi && (p[2] & 0xc0) == 0x80 ? 3 : 0;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (n < 4)
			return 0;
		unsigned lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
		return p[1] >= lo && p[1] <= hi && (p[2] & 0xc0) == 0x80 && (p[3] & 0xc0) == 0x80
			       ? 4
			       : 0;
	}
	return 0;
}

/* ---------------------------------------------------------------------- */
/* JSON */

typedef struct jp {
	const char *start, *p, *end;
	const char *why; /* first error, static */
	size_t err_off;
	bool eof; /* the error is the end of the input */
	cs_buf *scratch;
} jp;

static bool jfail(jp *j, const char *why)
{
	if (!j->why) {
		j->why = why;
		j->err_off = (size_t)(j->p - j->start);
		j->eof = false;
	}
	return false;
}

static bool jeof(jp *j)
{
	if (!j->why) {
		j->why = "the line ends inside the record";
		j->err_off = (size_t)(j->end - j->start);
		j->eof = true;
	}
	return false;
}

static void jws(jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\r' || *j->p == '\n'))
		j->p++;
}

/* A decoded string: in the input (off == SIZE_MAX) or at scratch[off]. */
typedef struct jstr {
	const char *ptr;
	size_t off, len;
} jstr;

/* Advances q over bytes that need no decoding: printable ASCII other than
 * '"' and '\\'. Sixteen bytes at a time with SSE2 (every x86-64 has it),
 * thirty-two with AVX2 where the processor has it. */
static const char *plain_run_scalar(const char *q, const char *end)
{
	while (q < end) {
		unsigned char c = (unsigned char)*q;
		if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80)
			break;
		q++;
	}
	return q;
}

#if defined(__x86_64__) && defined(__SSE2__)
static const char *plain_run_sse2(const char *q, const char *end)
{
	const __m128i quote = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\'),
		      sp = _mm_set1_epi8(0x20);
	while (end - q >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)q);
		/* signed: bytes >= 0x80 are negative, so "< 0x20" catches them too */
		__m128i m =
			_mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bs)),
				     _mm_cmplt_epi8(v, sp));
		int bits = _mm_movemask_epi8(m);
		if (bits)
			return q + __builtin_ctz((unsigned)bits);
		q += 16;
	}
	return plain_run_scalar(q, end);
}

__attribute__((target("avx2"))) static const char *plain_run_avx2(const char *q, const char *end)
{
	const __m256i quote = _mm256_set1_epi8('"'), bs = _mm256_set1_epi8('\\'),
		      sp = _mm256_set1_epi8(0x1f);
	while (end - q >= 32) {
		__m256i v = _mm256_loadu_si256((const __m256i *)(const void *)q);
		__m256i m = _mm256_or_si256(
			_mm256_or_si256(_mm256_cmpeq_epi8(v, quote), _mm256_cmpeq_epi8(v, bs)),
			_mm256_cmpgt_epi8(sp, v)); /* signed: controls and bytes >= 0x80 */
		unsigned bits = (unsigned)_mm256_movemask_epi8(m);
		if (bits)
			return q + __builtin_ctz(bits);
		q += 32;
	}
	return plain_run_sse2(q, end);
}

/* As plain_run, copying the bytes passed over to *w. It stores whole
 * vectors, so up to 31 bytes past what it copies are overwritten: the
 * caller reserves that much slack. */
static const char *copy_plain_scalar(const char *q, const char *end, char **w)
{
	char *o = *w;
	while (q < end) {
		unsigned char c = (unsigned char)*q;
		if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80)
			break;
		*o++ = *q++;
	}
	*w = o;
	return q;
}

__attribute__((target("avx2"))) static const char *copy_plain_avx2(const char *q, const char *end,
								   char **w)
{
	const __m256i quote = _mm256_set1_epi8('"'), bs = _mm256_set1_epi8('\\'),
		      sp = _mm256_set1_epi8(0x1f);
	char *o = *w;
	while (end - q >= 32) {
		__m256i v = _mm256_loadu_si256((const __m256i *)(const void *)q);
		_mm256_storeu_si256((__m256i *)(void *)o, v);
		__m256i m = _mm256_or_si256(
			_mm256_or_si256(_mm256_cmpeq_epi8(v, quote), _mm256_cmpeq_epi8(v, bs)),
			_mm256_cmpgt_epi8(sp, v));
		unsigned bits = (unsigned)_mm256_movemask_epi8(m);
		if (bits) {
			unsigned n = (unsigned)__builtin_ctz(bits);
			*w = o + n;
			return q + n;
		}
		q += 32;
		o += 32;
	}
	*w = o;
	return copy_plain_scalar(q, end, w);
}

static const char *(*plain_run_impl)(const char *, const char *);
static const char *(*copy_plain_impl)(const char *, const char *, char **);

static void pick_impl(void)
{
	__builtin_cpu_init();
	bool avx2 = __builtin_cpu_supports("avx2");
	copy_plain_impl = avx2 ? copy_plain_avx2 : copy_plain_scalar;
	plain_run_impl = avx2 ? plain_run_avx2 : plain_run_sse2;
}

static const char *plain_run(const char *q, const char *end)
{
	if (__builtin_expect(!plain_run_impl, 0))
		pick_impl();
	return plain_run_impl(q, end);
}

static const char *copy_plain(const char *q, const char *end, char **w)
{
	if (__builtin_expect(!copy_plain_impl, 0))
		pick_impl();
	return copy_plain_impl(q, end, w);
}
#else
static const char *plain_run(const char *q, const char *end)
{
	return plain_run_scalar(q, end);
}

static const char *copy_plain(const char *q, const char *end, char **w)
{
	return copy_plain_scalar(q, end, w);
}
#endif

/* Makes room for n more bytes in b; false past its ceiling. */
static bool reserve(cs_buf *b, size_t n)
{
	size_t max = b->max ? b->max : CS_BUF_DEFAULT_MAX;
	if (n > max || b->len > max - n)
		return false;
	if (b->len + n + 1 > b->cap) {
		size_t nc = b->cap ? b->cap : 256;
		while (nc < b->len + n + 1)
			nc *= 2;
		b->data = cs_xrealloc(b->data, nc);
		b->cap = nc;
	}
	return true;
}

static char *utf8_put(char *w, uint32_t cp)
{
	if (cp < 0x80) {
		*w++ = (char)cp;
	} else if (cp < 0x800) {
		*w++ = (char)(0xc0 | (cp >> 6));
		*w++ = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*w++ = (char)(0xe0 | (cp >> 12));
		*w++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*w++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*w++ = (char)(0xf0 | (cp >> 18));
		*w++ = (char)(0x80 | ((cp >> 12) & 0x3f));
		*w++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*w++ = (char)(0x80 | (cp & 0x3f));
	}
	return w;
}

/* Scans a string at j->p (the opening quote). With out, decodes it: as a
 * pointer into the input while nothing needs decoding, else into j->scratch,
 * reserved once for the worst case (a byte becomes at most 3), so the loop
 * writes without checks. With nl_tail, a string whose only escape is a final
 * "\n" stays in the input: *nl_tail says the '\n' is not in the text. A
 * truncated string still yields what was decoded. */
static bool jstring(jp *j, jstr *out, bool *nl_tail)
{
	const char *q = j->p + 1, *run = q, *stop;
	char *w = NULL; /* where decoded bytes go, once copying */
	size_t off = 0;
	bool cut = false;
	if (nl_tail)
		*nl_tail = false;
	for (;;) {
		if (w) {
			q = run = copy_plain(q, j->end, &w);
		} else {
			q = plain_run(q, j->end);
		}
		if (q >= j->end || *q == '"') {
			stop = q;
			cut = q >= j->end;
			break;
		}
		unsigned char c = (unsigned char)*q;
		if (c < 0x20) {
			j->p = q;
			return jfail(j, "control character in a string");
		}
		if (c >= 0x80) {
			size_t n =
				utf8_seq((const unsigned char *)q, (const unsigned char *)j->end);
			if (n && w) {
				memcpy(w, q, n);
				w += n;
			}
			if (n || !out) {
				q += n ? n : 1;
				continue;
			}
		} else if (out && !w && nl_tail && j->end - q >= 3 && q[1] == 'n' && q[2] == '"') {
			/* the usual end of a line: text in place, '\n' implied */
			*out = (jstr){run, SIZE_MAX, (size_t)(q - run)};
			*nl_tail = true;
			j->p = q + 3;
			return true;
		} else if (j->end - q < 2 || (q[1] == 'u' && j->end - q < 6)) {
			stop = q; /* the input ends inside an escape */
			cut = true;
			break;
		}
		if (out && !w) {
			/* the worst case, plus the slack copy_plain overwrites */
			if (!reserve(j->scratch, 3 * (size_t)(j->end - run) + 64)) {
				j->p = q;
				return jfail(j, "a string longer than allowed");
			}
			off = j->scratch->len;
			w = j->scratch->data + off;
			memcpy(w, run, (size_t)(q - run));
			w += q - run;
		}
		if (c >= 0x80) {
			/* a byte that starts no valid sequence: U+FFFD, as Go decodes it */
			memcpy(w, "\xef\xbf\xbd", 3);
			w += 3;
			run = ++q;
			continue;
		}
		char e = q[1], lit;
		switch (e) {
		case '"': lit = '"'; break;
		case '\\': lit = '\\'; break;
		case '/': lit = '/'; break;
		case 'b': lit = '\b'; break;
		case 'f': lit = '\f'; break;
		case 'n': lit = '\n'; break;
		case 'r': lit = '\r'; break;
		case 't': lit = '\t'; break;
		case 'u': {
			uint32_t cp, lo;
			if (cs_hex4(q + 2, &cp) < 0) {
				j->p = q;
				return jfail(j, "bad \\u escape");
			}
			q += 6;
			if (cp >= 0xd800 && cp <= 0xdbff && j->end - q >= 6 && q[0] == '\\' &&
			    q[1] == 'u' && cs_hex4(q + 2, &lo) == 0 && lo >= 0xdc00 && lo <= 0xdfff) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				q += 6;
			} else if (cp >= 0xd800 && cp <= 0xdfff) {
				cp = 0xfffd;
			}
			if (out)
				w = utf8_put(w, cp);
			run = q;
			continue;
		}
		default: j->p = q; return jfail(j, "bad escape in a string");
		}
		if (out)
			*w++ = lit;
		q += 2;
		run = q;
	}
	if (out && w) {
		if (stop > run) {
			memcpy(w, run, (size_t)(stop - run));
			w += stop - run;
		}
		j->scratch->len = (size_t)(w - j->scratch->data);
		j->scratch->data[j->scratch->len] = '\0';
		*out = (jstr){NULL, off, j->scratch->len - off};
	} else if (out) {
		*out = (jstr){run, SIZE_MAX, (size_t)(stop - run)};
	}
	if (cut) {
		j->p = j->end;
		return jeof(j);
	}
	j->p = stop + 1;
	return true;
}

static bool jnumber(jp *j)
{
	const char *p = j->p;
	if (p < j->end && *p == '-')
		p++;
	if (p >= j->end)
		goto eof;
	if (*p == '0') {
		p++;
	} else if (*p >= '1' && *p <= '9') {
		while (p < j->end && *p >= '0' && *p <= '9')
			p++;
	} else {
		j->p = p;
		return jfail(j, "bad number");
	}
	if (p < j->end && *p == '.') {
		p++;
		if (p >= j->end)
			goto eof;
		if (!(*p >= '0' && *p <= '9')) {
			j->p = p;
			return jfail(j, "bad number");
		}
		while (p < j->end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < j->end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < j->end && (*p == '+' || *p == '-'))
			p++;
		if (p >= j->end)
			goto eof;
		if (!(*p >= '0' && *p <= '9')) {
			j->p = p;
			return jfail(j, "bad number");
		}
		while (p < j->end && *p >= '0' && *p <= '9')
			p++;
	}
	j->p = p;
	return true;
eof:
	j->p = p;
	return jeof(j);
}

static bool jliteral(jp *j, const char *lit)
{
	size_t n = strlen(lit), have = (size_t)(j->end - j->p);
	if (memcmp(j->p, lit, have < n ? have : n) != 0)
		return jfail(j, "unexpected character");
	if (have < n) {
		j->p = j->end;
		return jeof(j);
	}
	j->p += n;
	return true;
}

#define JMAX_DEPTH 1000

const char cs_log__why_deep[] = "nested too deeply";
const char cs_log__why_trailing[] = "data after the record";

/* Skips one value of any kind, validating it; iterative, bounded depth. */
static bool jskip(jp *j)
{
	unsigned char stack[JMAX_DEPTH]; /* '{' or '[' */
	int depth = 0;
	for (;;) {
		jws(j);
		if (j->p >= j->end)
			return jeof(j);
		char c = *j->p;
		switch (c) {
		case '{':
		case '[':
			if (depth >= JMAX_DEPTH)
				return jfail(j, cs_log__why_deep);
			stack[depth++] = (unsigned char)c;
			j->p++;
			jws(j);
			if (j->p >= j->end)
				return jeof(j);
			if (*j->p == (c == '{' ? '}' : ']')) {
				j->p++;
				depth--;
				goto after_value;
			}
			if (c == '{')
				goto member_name;
			continue;
		case '"':
			if (!jstring(j, NULL, NULL))
				return false;
			break;
		case 't':
			if (!jliteral(j, "true"))
				return false;
			break;
		case 'f':
			if (!jliteral(j, "false"))
				return false;
			break;
		case 'n':
			if (!jliteral(j, "null"))
				return false;
			break;
		default:
			if (c == '-' || (c >= '0' && c <= '9')) {
				if (!jnumber(j))
					return false;
				break;
			}
			return jfail(j, "unexpected character");
		}
	after_value:
		for (;;) {
			if (depth == 0)
				return true;
			jws(j);
			if (j->p >= j->end)
				return jeof(j);
			char close = stack[depth - 1] == '{' ? '}' : ']';
			if (*j->p == close) {
				j->p++;
				depth--;
				continue;
			}
			if (*j->p != ',')
				return jfail(j, "expected ',' or a closing bracket");
			j->p++;
			if (stack[depth - 1] == '[')
				break; /* next element */
			jws(j);
		member_name:
			if (j->p >= j->end)
				return jeof(j);
			if (*j->p != '"')
				return jfail(j, "expected a member name");
			if (!jstring(j, NULL, NULL))
				return false;
			jws(j);
			if (j->p >= j->end)
				return jeof(j);
			if (*j->p != ':')
				return jfail(j, "expected ':'");
			j->p++;
			break; /* the member's value */
		}
	}
}

/* ASCII case-insensitive match of a member name, as Go matches field tags. */
static bool name_is(const char *s, size_t n, const char *want)
{
	size_t w = strlen(want);
	if (n != w)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != want[i])
			return false;
	}
	return true;
}

static int stream_of(const char *s, size_t n)
{
	if (n == 6 && memcmp(s, "stdout", 6) == 0)
		return CS_LOG_STDOUT;
	if (n == 6 && memcmp(s, "stderr", 6) == 0)
		return CS_LOG_STDERR;
	return 0;
}

static int dig2(const char *p)
{
	if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
		return -1;
	return (p[0] - '0') * 10 + (p[1] - '0');
}

/* The engine's own time shape, YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z, parsed
 * without copying, the calendar work done once a minute (records come in
 * order); anything else goes to cs_time_parse. The cache holds a minute only
 * once one has been parsed (`set`): its zeroed key must never match 16 NUL
 * bytes. */
static __thread struct {
	bool set;
	char key[16]; /* "YYYY-MM-DDTHH:MM" */
	int64_t base; /* its seconds since the epoch */
} minute;

static cs_time parse_time(const char *s, size_t n)
{
	if (memchr(s, '\0', n))
		return CS_TIME_INVALID; /* cs_time_parse() would stop at it */
	if (n >= 20 && n <= 30 && s[n - 1] == 'Z' && s[16] == ':') {
		int se = dig2(s + 17);
		int64_t base = INT64_MIN;
		if (minute.set && memcmp(s, minute.key, 16) == 0) {
			base = minute.base;
		} else if (s[4] == '-' && s[7] == '-' && s[10] == 'T' && s[13] == ':') {
			int y1 = dig2(s), y2 = dig2(s + 2), mo = dig2(s + 5), d = dig2(s + 8),
			    h = dig2(s + 11), mi = dig2(s + 14);
			static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
			int y = y1 * 100 + y2;
			bool leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
			if (y1 >= 0 && y2 >= 0 && mo >= 1 && mo <= 12 && d >= 1 &&
			    d <= mdays[mo - 1] + (mo == 2 && leap) && h >= 0 && h <= 23 &&
			    mi >= 0 && mi <= 59 && y >= 1970 && y < 2262) {
				base = cs_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
				       h * 3600 + mi * 60;
				memcpy(minute.key, s, 16);
				minute.base = base;
				minute.set = true;
			}
		}
		if (base != INT64_MIN && se >= 0 && se <= 59) {
			static const uint32_t scale[] = {1000000000, 100000000, 10000000, 1000000,
							 100000,     10000,	1000,	  100,
							 10,	     1};
			uint32_t frac = 0;
			unsigned bad = 0;
			size_t nd = n - 21; /* fraction digits */
			if (n > 20) {
				bad = s[19] != '.' || n < 22;
				for (size_t i = 20; i < n - 1; i++) {
					unsigned d = (unsigned)(unsigned char)s[i] - '0';
					bad |= d > 9;
					frac = frac * 10 + d;
				}
			} else {
				nd = 0;
			}
			if (!bad)
				return (base + se) * 1000000000 + (int64_t)frac * scale[nd];
		}
	}
	/* the slow path: cs_time_parse() wants a string; Go (and so the
	 * engine) reads a fraction of any length, so a long one is copied too */
	char buf[64];
	cs_time t;
	if (n < sizeof(buf)) {
		memcpy(buf, s, n);
		buf[n] = '\0';
		(void)cs_time_parse(buf, &t);
	} else {
		char *heap = cs_xstrndup(s, n);
		(void)cs_time_parse(heap, &t);
		free(heap);
	}
	return t;
}

static const char *jstr_ptr(const jp *j, const jstr *s)
{
	return s->off == SIZE_MAX ? s->ptr : j->scratch->data + s->off;
}

static void rec_clear(cs_log_record *rec)
{
	memset(rec, 0, sizeof(*rec));
	rec->time = CS_TIME_NEVER; /* a record without "time" decodes to Go's zero time */
	rec->text = "";
	rec->source = "";
	rec->parts = 1;
}

/* Sets partial/newline from the decoded text and strips its '\n'. */
static void json_line_end(cs_log_record *rec)
{
	if (rec->len && rec->text[rec->len - 1] == '\n') {
		rec->len--;
		rec->newline = true;
		rec->partial = false;
	} else {
		rec->newline = false;
		rec->partial = true;
	}
}

static int json_general(jp *j, cs_log_record *rec);

/* The shape the engine writes, matched literally: returns the end of the
 * record (just past its '}'), or NULL for anything else. */
const char *cs_log__json_fast(const char *line, const char *end, cs_buf *scratch,
			      cs_log_record *rec)
{
	static const char head[] = "{\"log\":\"";
	if (end - line <= 8 + 18 + 9 + 22 || memcmp(line, head, 8) != 0)
		return NULL;
	rec_clear(rec);
	scratch->len = 0;
	jp f = {.start = line, .p = line + 7, .end = end, .scratch = scratch};
	jstr log;
	bool nl;
	if (!jstring(&f, &log, &nl))
		return NULL;
	const char *q = f.p;
	/* ,"stream":"stdout" */
	if (end - q < 18 + 9 + 2 || memcmp(q, ",\"stream\":\"", 11) != 0 || q[17] != '"')
		return NULL;
	int st = stream_of(q + 11, 6);
	if (!st)
		return NULL;
	const char *src = q + 11;
	q += 18;
	if (memcmp(q, ",\"time\":\"", 9) != 0)
		return NULL;
	q += 9;
	const char *ts = q;
	q = plain_run(q, end);
	if (end - q < 2 || q[0] != '"' || q[1] != '}')
		return NULL;
	cs_time tm = parse_time(ts, (size_t)(q - ts));
	if (tm == CS_TIME_INVALID || tm == CS_TIME_NEVER)
		return NULL;
	rec->time = tm;
	rec->stream = st;
	rec->source = src;
	rec->source_len = 6;
	rec->text = jstr_ptr(&f, &log);
	rec->len = log.len;
	if (nl) {
		rec->newline = true;
		rec->partial = false;
	} else {
		json_line_end(rec);
	}
	return q + 2;
}

int cs_log_decode_json(const char *line, size_t len, cs_buf *scratch, cs_log_record *rec,
		       const char **why, size_t *err_off)
{
	if (cs_log__json_fast(line, line + len, scratch, rec) == line + len)
		return 0;
	scratch->len = 0;
	rec_clear(rec);
	jp j = {.start = line, .p = line, .end = line + len, .scratch = scratch};
	int r = json_general(&j, rec);
	if (r != 0) {
		*why = j.why;
		*err_off = j.err_off;
	}
	return r;
}

static int json_general(jp *j, cs_log_record *rec)
{
	jstr log = {"", SIZE_MAX, 0}, src = {"", SIZE_MAX, 0};
	bool have_log = false, time_bad = false, log_nl = false;
	jws(j);
	if (j->p >= j->end) {
		jeof(j);
		return -EBADMSG;
	}
	if (*j->p != '{') {
		jfail(j, "not a JSON object");
		return -EBADMSG;
	}
	j->p++;
	bool first = true;
	for (;;) {
		jws(j);
		if (j->p >= j->end) {
			jeof(j);
			break;
		}
		if (*j->p == '}' && first) {
			j->p++;
			goto done;
		}
		if (!first) {
			if (*j->p == '}') {
				j->p++;
				goto done;
			}
			if (*j->p != ',') {
				jfail(j, "expected ',' or '}'");
				break;
			}
			j->p++;
			jws(j);
			if (j->p >= j->end) {
				jeof(j);
				break;
			}
		}
		first = false;
		if (*j->p != '"') {
			jfail(j, "expected a member name");
			break;
		}
		jstr name;
		size_t mark = j->scratch->len;
		if (!jstring(j, &name, NULL))
			break;
		const char *np = jstr_ptr(j, &name);
		int which = name_is(np, name.len, "log")      ? 1
			    : name_is(np, name.len, "stream") ? 2
			    : name_is(np, name.len, "time")   ? 3
							      : 0;
		j->scratch->len = mark; /* names are not kept */
		jws(j);
		if (j->p >= j->end) {
			jeof(j);
			break;
		}
		if (*j->p != ':') {
			jfail(j, "expected ':'");
			break;
		}
		j->p++;
		jws(j);
		if (j->p >= j->end) {
			jeof(j);
			break;
		}
		if (which && *j->p == 'n') { /* null leaves the field as it was */
			if (!jliteral(j, "null"))
				break;
			continue;
		}
		if (which && *j->p != '"') {
			jfail(j, which == 1   ? "\"log\" is not a string"
				 : which == 2 ? "\"stream\" is not a string"
					      : "\"time\" is not a string");
			break;
		}
		if (which == 1) {
			have_log = true;
			bool ok = jstring(j, &log, &log_nl);
			if (!ok)
				break;
		} else if (which == 2) {
			if (!jstring(j, &src, NULL))
				break;
		} else if (which == 3) {
			jstr ts;
			size_t m2 = j->scratch->len;
			if (!jstring(j, &ts, NULL))
				break;
			rec->time = parse_time(jstr_ptr(j, &ts), ts.len);
			time_bad = rec->time == CS_TIME_INVALID;
			j->scratch->len = m2;
		} else if (!jskip(j)) {
			break;
		}
	}
	/* an error, or the end of the input inside the object */
	if (!j->eof || !have_log)
		return -EBADMSG;
	rec->text = jstr_ptr(j, &log);
	rec->len = log.len;
	rec->source = jstr_ptr(j, &src);
	rec->source_len = src.len;
	rec->stream = stream_of(rec->source, rec->source_len);
	rec->truncated = true;
	rec->newline = true; /* the line's end is lost; do not run into the next one */
	rec->partial = false;
	if (rec->len && rec->text[rec->len - 1] == '\n')
		rec->len--;
	return 1;
done:
	jws(j);
	if (j->p < j->end) {
		jfail(j, cs_log__why_trailing);
		return -EBADMSG;
	}
	rec->text = jstr_ptr(j, &log);
	rec->len = log.len;
	rec->source = jstr_ptr(j, &src);
	rec->source_len = src.len;
	rec->stream = stream_of(rec->source, rec->source_len);
	if (time_bad)
		rec->time = CS_TIME_INVALID;
	if (log_nl) {
		rec->newline = true;
		rec->partial = false;
	} else {
		json_line_end(rec);
	}
	return 0;
}

/* ---------------------------------------------------------------------- */
/* protobuf */

typedef struct pb {
	const uint8_t *start, *p, *end;
	const char *why;
	size_t err_off;
	bool eof;
} pb;

static bool pbfail(pb *b, const char *why, bool eof)
{
	if (!b->why) {
		b->why = why;
		b->err_off = (size_t)(b->p - b->start);
		b->eof = eof;
	}
	return false;
}

static bool varint(pb *b, uint64_t *v)
{
	uint64_t x = 0;
	for (int shift = 0; shift < 70; shift += 7) {
		if (b->p >= b->end)
			return pbfail(b, "the entry ends inside a varint", true);
		uint8_t c = *b->p++;
		if (shift == 63 && c > 1)
			return pbfail(b, "varint overflows 64 bits", false);
		x |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			*v = x;
			return true;
		}
	}
	return pbfail(b, "varint longer than 10 bytes", false);
}

/* Reads a length-delimited field's bounds. A length past the end is a
 * truncated entry: *n is then what is left. */
static bool pblen(pb *b, const uint8_t **ret, size_t *n)
{
	uint64_t l;
	if (!varint(b, &l))
		return false;
	size_t left = (size_t)(b->end - b->p);
	*ret = b->p;
	if (l > left) {
		*n = left;
		b->p = b->end;
		return pbfail(b, "a field runs past the end of the entry", true);
	}
	*n = (size_t)l;
	b->p += l;
	return true;
}

static bool pbskip(pb *b, unsigned wt)
{
	uint64_t v;
	const uint8_t *q;
	size_t n;
	switch (wt) {
	case 0: return varint(b, &v);
	case 1:
		if (b->end - b->p < 8) {
			b->p = b->end;
			return pbfail(b, "the entry ends inside a fixed64", true);
		}
		b->p += 8;
		return true;
	case 2: return pblen(b, &q, &n);
	case 5:
		if (b->end - b->p < 4) {
			b->p = b->end;
			return pbfail(b, "the entry ends inside a fixed32", true);
		}
		b->p += 4;
		return true;
	default: return pbfail(b, "unsupported wire type", false);
	}
}

bool cs_log__entry_small(const uint8_t *p, size_t len, unsigned max)
{
	pb b = {.start = p, .p = p, .end = p + len};
	for (unsigned n = 0; b.p < b.end; n++) {
		uint64_t key;
		if (n >= max || !varint(&b, &key) || key >> 3 == 0 || !pbskip(&b, (unsigned)(key & 7)))
			return false;
	}
	return true;
}

static bool pb_meta(pb *outer, const uint8_t *p, size_t n, cs_log_record *rec)
{
	pb b = {.start = p, .p = p, .end = p + n};
	while (b.p < b.end) {
		uint64_t key, v;
		if (!varint(&b, &key))
			break;
		unsigned f = (unsigned)(key >> 3), wt = (unsigned)(key & 7);
		if (f == 0) {
			pbfail(&b, "field number 0", false);
			break;
		}
		if (f == 1 || f == 3) {
			if (wt != 0) {
				pbfail(&b, "wrong wire type in partial metadata", false);
				break;
			}
			if (!varint(&b, &v))
				break;
			if (f == 1)
				rec->last = v != 0;
			else
				rec->ordinal = (int32_t)(uint32_t)v;
		} else if (f == 2) {
			if (wt != 2) {
				pbfail(&b, "wrong wire type in partial metadata", false);
				break;
			}
			const uint8_t *q;
			size_t m;
			if (!pblen(&b, &q, &m))
				break;
			rec->partial_id = (const char *)q;
			rec->partial_id_len = m;
		} else if (!pbskip(&b, wt)) {
			break;
		}
	}
	if (b.why) {
		/* report at the position in the outer entry */
		outer->p = p + (b.p - b.start);
		return pbfail(outer, b.why, false);
	}
	return true;
}

int cs_log_decode_entry(const uint8_t *p, size_t len, cs_log_record *rec, const char **why,
			size_t *err_off)
{
	rec_clear(rec);
	rec->time = 0; /* proto3 default: time_nano 0 */
	pb b = {.start = p, .p = p, .end = p + len};
	bool partial = false;
	while (b.p < b.end) {
		uint64_t key, v;
		if (!varint(&b, &key))
			break;
		unsigned f = (unsigned)(key >> 3), wt = (unsigned)(key & 7);
		const uint8_t *q;
		size_t n;
		if (f == 0) {
			b.p--;
			pbfail(&b, "field number 0", false);
			break;
		}
		if ((f == 1 || f == 3 || f == 5) && wt != 2) {
			pbfail(&b, "wrong wire type for a LogEntry field", false);
			break;
		}
		if ((f == 2 || f == 4) && wt != 0) {
			pbfail(&b, "wrong wire type for a LogEntry field", false);
			break;
		}
		switch (f) {
		case 1:
			if (!pblen(&b, &q, &n))
				goto out;
			rec->source = (const char *)q;
			rec->source_len = n;
			break;
		case 2:
			if (!varint(&b, &v))
				goto out;
			rec->time = (cs_time)v;
			if (rec->time == CS_TIME_NEVER || rec->time == CS_TIME_INVALID)
				rec->time = CS_TIME_INVALID;
			break;
		case 3: {
			/* pblen() gives the bounds when the length varint was read
			 * (all of what is left of a line cut short), nothing when the
			 * entry ends inside that varint: then the text stays empty */
			q = NULL;
			n = 0;
			bool ok = pblen(&b, &q, &n);
			if (q) {
				rec->text = (const char *)q;
				rec->len = n;
			}
			if (!ok)
				goto out;
			break;
		}
		case 4:
			if (!varint(&b, &v))
				goto out;
			partial = v != 0;
			break;
		case 5:
			if (!pblen(&b, &q, &n))
				goto out;
			rec->has_meta = true;
			if (!pb_meta(&b, q, n, rec))
				goto out;
			break;
		default:
			if (!pbskip(&b, wt))
				goto out;
		}
	}
out:
	rec->stream = stream_of(rec->source, rec->source_len);
	/* Docker 20.10 prints '\n' after every entry without partial metadata
	 * (so not after the last piece of a long line either). */
	rec->newline = !partial;
	rec->partial = partial && !(rec->has_meta && rec->last);
	if (!b.why)
		return 0;
	*why = b.why;
	*err_off = b.err_off;
	if (b.eof && rec->source_len) {
		rec->truncated = true;
		rec->newline = true;
		rec->partial = false;
		return 1;
	}
	return -EBADMSG;
}

/* ---------------------------------------------------------------------- */
/* CRI */

int cs_log_decode_cri(const char *line, size_t len, cs_log_record *rec, const char **why,
		      size_t *err_off)
{
	rec_clear(rec);
	const char *end = line + len, *p = line;
	const char *sp = memchr(p, ' ', len);
	if (!sp) {
		*why = "no space after the time";
		*err_off = len;
		return -EBADMSG;
	}
	rec->time = parse_time(p, (size_t)(sp - p));
	if (rec->time == CS_TIME_INVALID || rec->time == CS_TIME_NEVER) {
		*why = "bad time";
		*err_off = 0;
		return -EBADMSG;
	}
	p = sp + 1;
	sp = memchr(p, ' ', (size_t)(end - p));
	if (!sp) {
		*why = "no space after the stream";
		*err_off = len;
		return -EBADMSG;
	}
	rec->source = p;
	rec->source_len = (size_t)(sp - p);
	rec->stream = stream_of(p, rec->source_len);
	if (!rec->source_len) {
		*why = "empty stream";
		*err_off = (size_t)(p - line);
		return -EBADMSG;
	}
	p = sp + 1;
	const char *tag = p;
	while (p < end && *p != ' ')
		p++;
	size_t tl = (size_t)(p - tag);
	const char *colon = memchr(tag, ':', tl);
	size_t first = colon ? (size_t)(colon - tag) : tl;
	if (first != 1 || (tag[0] != 'P' && tag[0] != 'F')) {
		*why = "the tag is neither P nor F";
		*err_off = (size_t)(tag - line);
		return -EBADMSG;
	}
	rec->partial = tag[0] == 'P';
	rec->newline = !rec->partial;
	if (p < end)
		p++; /* the space before the text */
	rec->text = p;
	rec->len = (size_t)(end - p);
	return 0;
}

/* ---------------------------------------------------------------------- */

int cs_logs_parse_time(const char *s, cs_time *ret)
{
	const char *p = s;
	bool neg = *p == '-';
	if (neg)
		p++;
	if (*p >= '0' && *p <= '9') {
		const char *q = p;
		int64_t sec = 0, frac = 0;
		while (*q >= '0' && *q <= '9') {
			if (__builtin_mul_overflow(sec, 10, &sec) ||
			    __builtin_add_overflow(sec, *q - '0', &sec))
				return -EINVAL;
			q++;
		}
		if (*q == '.') {
			q++;
			int nd = 0;
			while (*q >= '0' && *q <= '9' && nd < 9) {
				frac = frac * 10 + (*q - '0');
				q++;
				nd++;
			}
			if (nd == 0)
				return -EINVAL;
			for (; nd < 9; nd++)
				frac *= 10;
		}
		if (*q == '\0') {
			cs_time t = neg ? cs_time_from_parts(-sec, -frac)
					: cs_time_from_parts(sec, frac);
			if (!CS_TIME_IS_REAL(t))
				return -EINVAL;
			*ret = t;
			return 0;
		}
	}
	cs_time t;
	if (cs_time_parse(s, &t) < 0)
		return -EINVAL;
	*ret = t;
	return 0;
}

void cs_log_record_json(cs_buf *b, const cs_log_record *r)
{
	char t[CS_TIME_STRMAX];
	(void)cs_buf_puts(b, "{\"time\":");
	if (CS_TIME_IS_REAL(r->time) && cs_time_format(r->time, t))
		(void)cs_buf_printf(b, "\"%s\"", t);
	else
		(void)cs_buf_puts(b, "null");
	(void)cs_buf_puts(b, ",\"stream\":");
	(void)cs_json_quote(b, r->source ? r->source : "", r->source ? r->source_len : 0);
	(void)cs_buf_puts(b, ",\"text\":");
	if (!cs_json_quote(b, r->text ? r->text : "", r->text ? r->len : 0)) {
		(void)cs_buf_puts(b, ",\"text_base64\":\"");
		cs_base64(b, r->text, r->len);
		(void)cs_buf_puts(b, "\"");
	}
	(void)cs_buf_printf(b, ",\"partial\":%s,\"newline\":%s,\"truncated\":%s,\"parts\":%u",
			    r->partial ? "true" : "false", r->newline ? "true" : "false",
			    r->truncated ? "true" : "false", r->parts);
	if (r->has_meta) {
		(void)cs_buf_puts(b, ",\"partial_id\":");
		(void)cs_json_quote(b, r->partial_id ? r->partial_id : "", r->partial_id ? r->partial_id_len : 0);
		(void)cs_buf_printf(b, ",\"ordinal\":%d,\"last\":%s", (int)r->ordinal, r->last ? "true" : "false");
	}
	(void)cs_buf_puts(b, ",\"file\":");
	(void)cs_json_quote(b, r->file ? r->file : "", r->file ? strlen(r->file) : 0);
	(void)cs_buf_printf(b, ",\"offset\":%llu}\n", (unsigned long long)r->offset);
}
