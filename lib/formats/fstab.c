/* fstab.c - see fstab.h. */
#include "formats/fstab.h"

#include <string.h>

#include "base/util.h"

/* Decodes \ooo escapes of an fstab field. */
static char *field(const char *s, size_t n)
{
	char *o = cs_xmalloc(n + 1);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 3 < n && s[i + 1] >= '0' && s[i + 1] <= '3' &&
		    s[i + 2] >= '0' && s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
			int v = (s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0');
			if (v != 0) {
				o[k++] = (char)v;
				i += 3;
				continue;
			}
		}
		o[k++] = s[i];
	}
	o[k] = '\0';
	return o;
}

void cs_fstab_parse(const char *text, size_t n, cs_fstab_entry **ret, size_t *ret_n)
{
	cs_fstab_entry *v = NULL;
	size_t len = 0, cap = 0;
	const char *p = text, *end = text + n;
	while (p < end && len < CS_FSTAB_MAX) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		if (memchr(p, '\0', (size_t)(le - p))) { /* not a line of text */
			p = nl ? nl + 1 : end;
			continue;
		}
		const char *f[4];
		size_t fl[4];
		int nf = 0;
		const char *q = p;
		while (q < le && nf < 4) {
			while (q < le && (*q == ' ' || *q == '\t' || *q == '\r'))
				q++;
			if (q >= le || *q == '#')
				break;
			const char *s = q;
			while (q < le && *q != ' ' && *q != '\t' && *q != '\r')
				q++;
			f[nf] = s;
			fl[nf] = (size_t)(q - s);
			nf++;
		}
		if (nf >= 3) {
			cs_fstab_entry *x = CS_PUSH(v, len, cap);
			x->spec = field(f[0], fl[0]);
			x->file = field(f[1], fl[1]);
			x->type = field(f[2], fl[2]);
			x->opts = nf > 3 ? field(f[3], fl[3]) : cs_xstrdup("defaults");
		}
		p = nl ? nl + 1 : end;
	}
	*ret = v;
	*ret_n = len;
}

void cs_fstab_free(cs_fstab_entry *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].spec);
		free(v[i].file);
		free(v[i].type);
		free(v[i].opts);
	}
	free(v);
}

char *cs_os_release_value(const char *text, size_t n, const char *key)
{
	size_t kl = strlen(key);
	const char *p = text, *end = text + n;
	char *found = NULL;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		if ((size_t)(le - p) > kl && memcmp(p, key, kl) == 0 && p[kl] == '=') {
			const char *s = p + kl + 1;
			cs_buf b = {.max = 4096};
			char quote = 0;
			if (s < le && (*s == '"' || *s == '\'')) {
				quote = *s;
				s++;
			}
			for (; s < le; s++) {
				if (quote && *s == quote)
					break;
				if (*s == '\\' && s + 1 < le && quote != '\'')
					s++;
				if (cs_buf_append(&b, s, 1) < 0)
					break;
			}
			free(found);
			cs_buf_append(&b, "", 0);
			found = cs_buf_steal(&b);
		}
		p = nl ? nl + 1 : end;
	}
	return found;
}
