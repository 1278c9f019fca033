/* fuzz_passwd - etc/passwd and etc/subuid parsing (lib/formats/passwd.c)
 * on arbitrary text: every user's entry, and each user's subordinate
 * ranges (looked up by name and by uid, as the file may say either).
 *
 * Oracle: what the parser returns is in the text. Each entry comes from a
 * line that starts with its name and a colon and whose uid, gid and home
 * fields (split at colons here, numbers read with strtoull) are the
 * entry's; the name holds no colon or line end. Each range comes from a
 * line `NAME-or-UID:START:COUNT` of that user whose numbers are the
 * range's, with COUNT > 0 and START + COUNT - 1 < 2^32.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/passwd.h"
#include "fuzz.h"

/* Splits line l[0..n) at colons into at most max fields; each is a
 * NUL-terminated copy in buf (a field may hold NUL bytes: its length is
 * fl[k]); returns how many. */
static size_t fields(const char *l, size_t n, char *buf, char **f, size_t *fl, size_t max)
{
	size_t k = 0, i = 0;
	while (k < max) {
		const char *c = memchr(l + i, ':', n - i);
		size_t m = c ? (size_t)(c - (l + i)) : n - i;
		f[k] = buf;
		fl[k] = m;
		memcpy(buf, l + i, m);
		buf[m] = '\0';
		buf += m + 1;
		k++;
		if (!c)
			break;
		i += m + 1;
	}
	return k;
}

static bool is(const char *f, size_t fl, const char *want)
{
	return fl == strlen(want) && memcmp(f, want, fl) == 0;
}

static bool num(const char *s, size_t n, unsigned long long *v)
{
	if (n == 0 || n > 10 || strlen(s) != n || *s < '0' || *s > '9')
		return false;
	char *end;
	*v = strtoull(s, &end, 10);
	return *end == '\0';
}

typedef bool (*line_fn)(char **f, const size_t *fl, size_t nf, const void *want);

/* True if some line of the text satisfies fn. */
static bool some_line(const uint8_t *data, size_t size, line_fn fn, const void *want)
{
	char *buf = cs_xmalloc(size + 16);
	bool found = false;
	for (size_t i = 0; i < size && !found;) {
		const uint8_t *nl = memchr(data + i, '\n', size - i);
		size_t n = nl ? (size_t)(nl - (data + i)) : size - i;
		char *f[8];
		size_t fl[8];
		size_t nf = fields((const char *)data + i, n, buf, f, fl, 8);
		found = fn(f, fl, nf, want);
		i += n + 1;
	}
	free(buf);
	return found;
}

static bool is_entry(char **f, const size_t *fl, size_t nf, const void *want)
{
	const cs_passwd_ent *e = want;
	unsigned long long uid, gid;
	return nf >= 7 && is(f[0], fl[0], e->name) && num(f[2], fl[2], &uid) && uid == e->uid &&
	       num(f[3], fl[3], &gid) && gid == e->gid && is(f[5], fl[5], e->home ? e->home : "");
}

typedef struct want_range {
	const char *name;
	uint32_t uid;
	cs_subid_range r;
} want_range;

static bool is_range(char **f, const size_t *fl, size_t nf, const void *want)
{
	const want_range *w = want;
	char uid[16];
	snprintf(uid, sizeof(uid), "%u", w->uid);
	unsigned long long start, count;
	return nf >= 3 && (is(f[0], fl[0], w->name) || is(f[0], fl[0], uid)) && num(f[1], fl[1], &start) &&
	       num(f[2], fl[2], &count) && start == w->r.start && count == w->r.count && count > 0 &&
	       start + count - 1 <= 0xffffffffull;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n = 0;
	cs_passwd_ent *v = cs_passwd_parse((const char *)data, size, &n);
	for (size_t i = 0; i < n; i++) {
		FZ_CHECK(v[i].name && *v[i].name && !strpbrk(v[i].name, ":\n"), "entry %zu: name `%s`", i,
			 v[i].name ? v[i].name : "(null)");
		FZ_CHECK(some_line(data, size, is_entry, &v[i]), "entry %s (uid %u, gid %u, home %s) is in no line",
			 v[i].name, v[i].uid, v[i].gid, v[i].home ? v[i].home : "(none)");
	}
	for (size_t i = 0; i <= n && i < 8; i++) {
		want_range w = {.name = i < n ? v[i].name : "alice", .uid = i < n ? v[i].uid : 2000};
		size_t nr = 0;
		cs_subid_range *r = cs_subid_ranges((const char *)data, size, w.name, w.uid, &nr);
		for (size_t k = 0; k < nr; k++) {
			w.r = r[k];
			FZ_CHECK(some_line(data, size, is_range, &w), "user %s: range %u+%u is in no line", w.name,
				 r[k].start, r[k].count);
		}
		free(r);
	}
	cs_passwd_free(v, n);
	return 0;
}
