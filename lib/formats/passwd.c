/* passwd.c - etc/passwd and etc/subuid readers (see passwd.h). */
#include "formats/passwd.h"

#include <stdio.h>
#include <string.h>

#include "base/util.h"

/* Splits line[0..len) at ':' into at most max fields; returns the count. */
static size_t fields(const char *line, size_t len, const char **f, size_t *fl, size_t max)
{
	size_t n = 0;
	const char *p = line, *end = line + len;
	while (n < max) {
		const char *c = memchr(p, ':', (size_t)(end - p));
		f[n] = p;
		fl[n] = (size_t)((c ? c : end) - p);
		n++;
		if (!c)
			break;
		p = c + 1;
	}
	return n;
}

/* A decimal id of at most 10 digits that fits in uint32_t. */
static int parse_id(const char *s, size_t n, uint32_t *ret)
{
	if (n == 0 || n > 10)
		return -1;
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > UINT32_MAX)
		return -1;
	*ret = (uint32_t)v;
	return 0;
}

cs_passwd_ent *cs_passwd_parse(const char *text, size_t len, size_t *ret_n)
{
	cs_passwd_ent *v = NULL;
	size_t n = 0, cap = 0;
	const char *p = text, *end = text + len;
	while (p < end && n < CS_PASSWD_MAX_USERS) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		const char *f[8];
		size_t fl[8];
		size_t nf = fields(p, (size_t)(le - p), f, fl, 8);
		uint32_t uid, gid;
		if (nf == 7 && fl[0] > 0 && f[0][0] != '#' && !memchr(f[0], '\0', fl[0]) &&
		    !memchr(f[5], '\0', fl[5]) && parse_id(f[2], fl[2], &uid) == 0 &&
		    parse_id(f[3], fl[3], &gid) == 0) {
			cs_passwd_ent *x = CS_PUSH(v, n, cap);
			x->name = cs_xstrndup(f[0], fl[0]);
			x->uid = uid;
			x->gid = gid;
			x->home = cs_xstrndup(f[5], fl[5]);
		}
		p = nl ? nl + 1 : end;
	}
	*ret_n = n;
	return v;
}

void cs_passwd_free(cs_passwd_ent *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].home);
	}
	free(v);
}

cs_subid_range *cs_subid_ranges(const char *text, size_t len, const char *name, uint32_t uid, size_t *ret_n)
{
	cs_subid_range *v = NULL;
	size_t n = 0, cap = 0;
	char uidbuf[16];
	int ul = snprintf(uidbuf, sizeof(uidbuf), "%u", uid);
	size_t nl_ = name ? strlen(name) : 0;
	const char *p = text, *end = text + len;
	while (p < end && n < CS_SUBID_MAX_RANGES) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		const char *f[4];
		size_t fl[4];
		size_t nf = fields(p, (size_t)(le - p), f, fl, 4);
		uint32_t start, count;
		if (nf == 3 && parse_id(f[1], fl[1], &start) == 0 && parse_id(f[2], fl[2], &count) == 0 && count > 0 &&
		    (uint64_t)start + count - 1 <= UINT32_MAX &&
		    ((name && fl[0] == nl_ && memcmp(f[0], name, nl_) == 0) ||
		     (fl[0] == (size_t)ul && memcmp(f[0], uidbuf, (size_t)ul) == 0))) {
			cs_subid_range *x = CS_PUSH(v, n, cap);
			x->start = start;
			x->count = count;
		}
		p = nl ? nl + 1 : end;
	}
	*ret_n = n;
	return v;
}
