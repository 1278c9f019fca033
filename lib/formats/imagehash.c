/* imagehash.c - see imagehash.h. */
#include "formats/imagehash.h"

#include <string.h>

#include "formats/digest.h"
#include "formats/sha256.h"

typedef struct hctx {
	cs_md5 md5;
	cs_sha1 sha1;
	cs_sha256 sha256;
	bool media;
	cs_media_hashes *ret;
	void (*progress)(void *ud, uint64_t done, uint64_t total);
	void *ud;
	uint64_t done, total, last;
} hctx;

static void tick(hctx *h, size_t n)
{
	h->done += n;
	if (h->progress && (h->done - h->last >= ((uint64_t)64 << 20) || h->done == h->total)) {
		h->last = h->done;
		h->progress(h->ud, h->done, h->total);
	}
}

static int on_media(void *ud, const void *buf, size_t n)
{
	hctx *h = ud;
	cs_md5_update(&h->md5, buf, n);
	cs_sha1_update(&h->sha1, buf, n);
	cs_sha256_update(&h->sha256, buf, n);
	tick(h, n);
	return 0;
}

static void on_bad(void *ud, uint64_t off, uint64_t len, const char *msg)
{
	hctx *h = ud;
	cs_media_hashes *r = h->ret;
	/* adjacent ranges are one stretch of damage: keep the first message */
	if (r->n_damage > 0) {
		cs_media_damage *p = &r->damage[r->n_damage - 1];
		if (p->off + p->len == off) {
			p->len += len;
			return;
		}
	}
	r->damage = cs_xreallocarray(r->damage, r->n_damage + 1, sizeof(*r->damage));
	r->damage[r->n_damage++] = (cs_media_damage){off, len, cs_xstrdup(msg)};
}

static int on_file(void *ud, const void *buf, size_t n)
{
	hctx *h = ud;
	cs_sha256_update(&h->sha256, buf, n);
	tick(h, n);
	return 0;
}

int cs_media_hash(cs_media *img, unsigned what, void (*progress)(void *ud, uint64_t done, uint64_t total),
		  void *ud, cs_media_hashes *ret, cs_error *e)
{
	memset(ret, 0, sizeof(*ret));
	hctx h = {.ret = ret, .progress = progress, .ud = ud};
	if (what & CS_HASH_MEDIA)
		h.total += img->dev->size;
	if (what & CS_HASH_FILES)
		for (size_t i = 0; i < img->info.n_files; i++)
			h.total += img->info.files[i].size;
	if (what & CS_HASH_MEDIA) {
		cs_md5_init(&h.md5);
		cs_sha1_init(&h.sha1);
		cs_sha256_init(&h.sha256);
		int r = cs_media_read_all(img, on_media, on_bad, &h, e);
		if (r < 0)
			return r;
		unsigned char d[32];
		cs_md5_final(&h.md5, d);
		cs_hex(d, 16, ret->md5);
		cs_sha1_final(&h.sha1, d);
		cs_hex(d, 20, ret->sha1);
		cs_sha256_final(&h.sha256, d);
		cs_hex(d, 32, ret->sha256);
		ret->has_stored_md5 = img->info.stored_md5 != NULL;
		ret->has_stored_sha1 = img->info.stored_sha1 != NULL;
		ret->md5_match = ret->has_stored_md5 && strcmp(img->info.stored_md5, ret->md5) == 0;
		ret->sha1_match = ret->has_stored_sha1 && strcmp(img->info.stored_sha1, ret->sha1) == 0;
	}
	if (what & CS_HASH_FILES) {
		ret->n_files = img->info.n_files;
		ret->file_sha256 = cs_xcalloc(ret->n_files ? ret->n_files : 1, sizeof(*ret->file_sha256));
		for (size_t i = 0; i < img->info.n_files; i++) {
			cs_sha256_init(&h.sha256);
			int r = cs_media_read_file(img, i, on_file, &h, e);
			if (r < 0) {
				cs_media_hashes_clear(ret);
				return r;
			}
			unsigned char d[32];
			cs_sha256_final(&h.sha256, d);
			cs_hex(d, 32, ret->file_sha256[i]);
		}
	}
	return 0;
}

void cs_media_hashes_clear(cs_media_hashes *h)
{
	for (size_t i = 0; i < h->n_damage; i++)
		free(h->damage[i].msg);
	free(h->damage);
	free(h->file_sha256);
	memset(h, 0, sizeof(*h));
}
