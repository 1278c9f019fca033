/* content.c - see content.h. */
#include "fs/content.h"

#include <magic.h>
#include <string.h>

#include "formats/sha256.h"

struct cs_magic {
	magic_t m;
};

cs_magic *cs_magic_open(void)
{
	magic_t m = magic_open(MAGIC_NONE | MAGIC_ERROR);
	if (!m)
		return NULL;
	if (magic_load(m, NULL) != 0) {
		magic_close(m);
		return NULL;
	}
	cs_magic *cm = cs_xcalloc(1, sizeof(*cm));
	cm->m = m;
	return cm;
}

void cs_magic_close(cs_magic *m)
{
	if (m) {
		magic_close(m->m);
		free(m);
	}
}

int cs_content_info(cs_file *f, char *hex, cs_magic *m, char **ret_magic, cs_error *e)
{
	cs_sha256 h;
	cs_sha256_init(&h);
	size_t bufsz = 1 << 20;
	char *buf = cs_xmalloc(bufsz);
	char *head = m ? cs_xmalloc(CS_MAGIC_BYTES) : NULL;
	size_t nhead = 0;
	uint64_t off = 0;
	for (;;) {
		ssize_t n = cs_file_pread(f, buf, bufsz, off);
		if (n < 0) {
			free(buf);
			free(head);
			return cs_err(e, (int)n, "read at %llu: %s", (unsigned long long)off, cs_file_strerror(f, (int)n));
		}
		if (n == 0)
			break;
		cs_sha256_update(&h, buf, (size_t)n);
		if (head && nhead < CS_MAGIC_BYTES) {
			size_t k = (size_t)n < CS_MAGIC_BYTES - nhead ? (size_t)n : CS_MAGIC_BYTES - nhead;
			memcpy(head + nhead, buf, k);
			nhead += k;
		}
		off += (uint64_t)n;
	}
	if (hex) {
		unsigned char md[32];
		cs_sha256_final(&h, md);
		cs_hex(md, 32, hex);
	}
	if (m && ret_magic) {
		const char *d = magic_buffer(m->m, head, nhead);
		*ret_magic = cs_xstrdup(d ? d : "data");
	}
	free(buf);
	free(head);
	return 0;
}
