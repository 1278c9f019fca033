/* ctrd_image.c - images of a containerd namespace, from meta.db and the
 * content store.
 *
 * meta.db has one record per image *name* (v1/<ns>/images/<name>: target
 * descriptor, labels, times); the names that share a target are one image
 * here, whose id is the target's digest (what `ctr images ls` shows as
 * DIGEST and Docker 29 as the image id). The target is an index or a
 * manifest in the content store; of an index, the platform manifest taken
 * is the first Linux one whose blob is present (containerd fetches only
 * the host's platform, so the one present is the one the host picked). The
 * manifest names the config, whose rootfs.diff_ids give the chain ids,
 * which are the snapshot keys of the unpacked layers in this namespace.
 * Every blob read is hashed: one whose bytes do not match its name is
 * reported as tampered (and still read, flagged). A missing blob (layers
 * are often discarded after unpacking, other platforms never fetched) is a
 * finding, not damage, unless the image cannot be described without it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "engines/containerd/ctrd_internal.h"
#include "formats/jsonutil.h"
#include "formats/sha256.h"

char *cd_blob_path(const cd_root *r, const char *digest)
{
	if (!digest || !cs_str_startswith(digest, "sha256:") || !cs_is_hex(digest + 7, 64))
		return NULL;
	return cd_path(r, "io.containerd.content.v1.content/blobs/sha256/%s", digest + 7);
}

int cd_read_blob(cd_ctx *c, const char *digest, char **ret, size_t *ret_len, cs_problems *p, cs_error *e)
{
	_cleanup_free_ char *path = cd_blob_path(c->root, digest);
	if (!path)
		return cs_err(e, -EINVAL, "`%s` is not a sha256 digest", digest ? digest : "");
	int r = cs_source_read_file(c->src, path, CS_CTRD_MAX_BLOB, ret, ret_len, e);
	if (r < 0)
		return r;
	char hex[65];
	cs_sha256_hex(*ret, *ret_len, hex);
	if (strcmp(hex, digest + 7) != 0) {
		cd_warn(c, p, path,
			"content blob `%s` does not match its digest (its sha256 is %s): tampered with or "
			"damaged after containerd wrote it",
			path, hex);
		return 1;
	}
	return 0;
}

static void chain_next(const char *prev, const char *diff, char out[72])
{
	if (!prev) {
		snprintf(out, 72, "%s", diff);
		return;
	}
	_cleanup_free_ char *s = cs_xasprintf("%s %s", prev, diff);
	char hex[65];
	cs_sha256_hex(s, strlen(s), hex);
	snprintf(out, 72, "sha256:%s", hex);
}

static bool is_index(const char *mt)
{
	return mt && (strcmp(mt, "application/vnd.oci.image.index.v1+json") == 0 ||
		      strcmp(mt, "application/vnd.docker.distribution.manifest.list.v2+json") == 0);
}

/* Reads and parses a JSON blob; problems go to the image. */
static json_object *json_blob(cd_ctx *c, cs_image *im, const char *digest, const char *what)
{
	char *text = NULL;
	size_t len = 0;
	cs_error e = {0};
	_cleanup_free_ char *path = cd_blob_path(c->root, digest);
	int r = cd_read_blob(c, digest, &text, &len, &im->problems, &e);
	if (r == 1)
		im->incomplete = true;
	if (r < 0) {
		if (r == -ENOENT)
			cd_warn(c, &im->problems, path, "image %s: its %s blob `%s` is not in the content store",
				im->id, what, path ? path : digest);
		else
			cd_warn(c, &im->problems, path, "image %s: %s blob: %s", im->id, what, e.msg);
		im->incomplete = true;
		return NULL;
	}
	json_object *j = NULL;
	if (cs_json_parse(text, len, &j, &e) < 0 || !json_object_is_type(j, json_type_object)) {
		cd_warn(c, &im->problems, path, "image %s: %s blob `%s`: %s", im->id, what, path,
			j ? "not a JSON object" : e.msg);
		json_object_put(j);
		free(text);
		im->incomplete = true;
		return NULL;
	}
	if (strcmp(what, "config") == 0) {
		im->config_json = text;
		im->config_path = cs_xstrdup(path);
		cs_evfiles_add(&im->evidence, "Config", path);
	} else {
		free(text);
	}
	cs_evfiles_add(&im->evidence, what, path);
	return j;
}

/* The platform manifest of an index: the first Linux entry whose blob is
 * present, else the first entry. */
static json_object *pick_manifest(cd_ctx *c, cs_image *im, json_object *index, int64_t *size)
{
	json_object *ms = cs_json_get_arr(index, "manifests");
	size_t n = ms ? json_object_array_length(ms) : 0;
	if (n > CS_CTRD_MAX_MANIFESTS)
		n = CS_CTRD_MAX_MANIFESTS;
	json_object *first = NULL, *best = NULL;
	for (size_t i = 0; i < n && !best; i++) {
		json_object *m = json_object_array_get_idx(ms, i);
		const char *d = cs_json_str(m, "digest");
		json_object *pf = cs_json_get_obj(m, "platform");
		const char *os = cs_json_str(pf, "os");
		if (!d)
			continue;
		if (!first)
			first = m;
		_cleanup_free_ char *p = cd_blob_path(c->root, d);
		if ((!os || strcmp(os, "linux") == 0) && p && cs_source_exists(c->src, p))
			best = m;
	}
	if (!best)
		best = first;
	if (!best) {
		cd_warn(c, &im->problems, im->config_path, "image %s: its index lists no manifest", im->id);
		im->incomplete = true;
		return NULL;
	}
	json_object *pf = cs_json_get_obj(best, "platform");
	const char *os = cs_json_str(pf, "os"), *arch = cs_json_str(pf, "architecture"),
		   *var = cs_json_str(pf, "variant");
	if (os && arch)
		im->platform = var ? cs_xasprintf("%s/%s/%s", os, arch, var) : cs_xasprintf("%s/%s", os, arch);
	*size += cs_json_i64(best, "size", 0);
	im->manifest_digest = cs_xstrdup(cs_json_str(best, "digest"));
	return json_blob(c, im, im->manifest_digest, "manifest");
}

static const char *const snapshotters[] = {"overlayfs", "native"};

/* Fills layers, history, size and the config fields of one image. */
static void fill_image(cd_ctx *c, const char *ns, cs_image *im)
{
	int64_t size = im->target_size > 0 ? im->target_size : 0;
	json_object *top = json_blob(c, im, im->id, "target");
	if (!top)
		return;
	json_object *man = NULL;
	if (is_index(im->target_media_type) || cs_json_get_arr(top, "manifests")) {
		man = pick_manifest(c, im, top, &size);
		json_object_put(top);
		if (!man)
			return;
	} else {
		man = top;
		im->manifest_digest = cs_xstrdup(im->id);
	}
	json_object *cdesc = cs_json_get_obj(man, "config");
	const char *cd = cs_json_str(cdesc, "digest");
	if (!cd) {
		cd_warn(c, &im->problems, NULL, "image %s: its manifest names no config", im->id);
		im->incomplete = true;
		json_object_put(man);
		return;
	}
	im->config_digest = cs_xstrdup(cd);
	size += cs_json_i64(cdesc, "size", 0);
	json_object *mlayers = cs_json_get_arr(man, "layers");
	size_t nml = mlayers ? json_object_array_length(mlayers) : 0;
	for (size_t i = 0; i < nml; i++)
		size += cs_json_i64(json_object_array_get_idx(mlayers, i), "size", 0);
	im->size = size;
	json_object_put(man); /* cd is gone with it */
	json_object *cfg = json_blob(c, im, im->config_digest, "config");
	if (!cfg)
		return;
	im->created = CS_TIME_NEVER;
	const char *cr = cs_json_str(cfg, "created");
	if (cr && cs_time_parse(cr, &im->created) < 0) {
		cd_warn(c, &im->problems, im->config_path, "`%s`: created: unreadable time `%s`", im->config_path, cr);
		im->created = CS_TIME_INVALID;
	}
	im->os = cs_json_strdup(cfg, "os");
	im->architecture = cs_json_strdup(cfg, "architecture");
	im->variant = cs_json_strdup(cfg, "variant");
	im->author = cs_json_strdup(cfg, "author");
	im->docker_version = cs_json_strdup(cfg, "docker_version");
	im->comment = cs_json_strdup(cfg, "comment");
	json_object *diffs = cs_json_get_arr(cs_json_get_obj(cfg, "rootfs"), "diff_ids");
	size_t n = diffs ? json_object_array_length(diffs) : 0;
	if (n > CS_CTRD_MAX_LAYERS)
		n = CS_CTRD_MAX_LAYERS;
	im->layers = cs_xcalloc(n ? n : 1, sizeof(cs_image_layer));
	char chain[72] = "";
	const char *sn = NULL;
	for (size_t i = 0; i < n; i++) {
		json_object *d = json_object_array_get_idx(diffs, i);
		const char *diff = d && json_object_is_type(d, json_type_string) ? json_object_get_string(d) : NULL;
		if (!diff || !cs_str_startswith(diff, "sha256:") || !cs_is_hex(diff + 7, 64)) {
			cd_warn(c, &im->problems, im->config_path, "`%s`: rootfs.diff_ids[%zu] is not a sha256 digest",
				im->config_path, i);
			im->incomplete = true;
			break;
		}
		char next[72];
		chain_next(i ? chain : NULL, diff, next);
		memcpy(chain, next, sizeof(chain));
		cs_image_layer *L = &im->layers[im->n_layers++];
		L->diff_id = cs_xstrdup(diff);
		L->chain_id = cs_xstrdup(chain);
		L->size = -1;
	}
	/* the snapshotter that unpacked it: the first that has the top chain id */
	for (size_t k = 0; k < CS_ARRAY_SIZE(snapshotters) && im->n_layers && !sn; k++)
		if (cd_snapshot(c->root, ns, snapshotters[k], im->layers[im->n_layers - 1].chain_id))
			sn = snapshotters[k];
	if (sn) {
		im->driver = cs_xstrdup(sn);
		im->flat_layers = strcmp(sn, "native") == 0;
		for (size_t i = 0; i < im->n_layers; i++) {
			cs_image_layer *L = &im->layers[i];
			const cd_snapinfo *si = cd_snapshot(c->root, ns, sn, L->chain_id);
			if (!si || si->id == UINT64_MAX)
				continue;
			L->cache_id = cs_xasprintf("%" PRIu64, si->id);
			L->size = si->size;
			cd_snapshotter *s = cd_snapshotter_get(c->root, sn);
			L->dir = im->flat_layers ? cs_xasprintf("%s/snapshots/%s", s->dir, L->cache_id)
						 : cs_xasprintf("%s/snapshots/%s/fs", s->dir, L->cache_id);
			if (!cs_source_exists(c->src, L->dir)) {
				cd_warn(c, &im->problems, L->dir, "image %s: layer %zu (snapshot %s): `%s` is missing", im->id,
					i, L->cache_id, L->dir);
				im->incomplete = true;
				free(L->dir);
				L->dir = NULL;
			}
		}
	}
	/* history, as docker history shows it */
	json_object *hist = cs_json_get_arr(cfg, "history");
	size_t nh = hist ? json_object_array_length(hist) : 0;
	if (nh > 4 * CS_CTRD_MAX_LAYERS)
		nh = 4 * CS_CTRD_MAX_LAYERS;
	im->history = cs_xcalloc(nh ? nh : 1, sizeof(cs_history));
	size_t li = 0;
	for (size_t i = 0; i < nh; i++) {
		json_object *h = json_object_array_get_idx(hist, i);
		cs_history *H = &im->history[im->n_history++];
		H->created = CS_TIME_NEVER;
		const char *t = cs_json_str(h, "created");
		if (t && cs_time_parse(t, &H->created) < 0)
			H->created = CS_TIME_INVALID;
		H->created_by = cs_json_strdup(h, "created_by");
		H->comment = cs_json_strdup(h, "comment");
		H->author = cs_json_strdup(h, "author");
		H->empty_layer = cs_json_bool(h, "empty_layer");
		if (!H->empty_layer && li < im->n_layers) {
			H->layer_chain_id = cs_xstrdup(im->layers[li].chain_id);
			H->size = im->layers[li].size > 0 ? im->layers[li].size : 0;
			li++;
		}
	}
	if (im->n_history)
		im->history[im->n_history - 1].image_id = cs_xstrdup(im->id);
	json_object_put(cfg);
}

/* --- meta.db image records --- */

typedef struct imgctx {
	cd_ctx *c;
	const char *ns;
	const cs_bolt_bucket *parent;
	cs_strmap by_target; /* digest -> index + 1 */
} imgctx;

static void push_name(char ***v, const char *s)
{
	size_t n = cs_strv_len(*v);
	*v = cs_xreallocarray(*v, n + 2, sizeof(char *));
	(*v)[n] = cs_xstrdup(s);
	(*v)[n + 1] = NULL;
}

static int image_record(void *ud, const uint8_t *k, size_t kl, const uint8_t *v, size_t vl, bool isb)
{
	imgctx *x = ud;
	cd_ctx *c = x->c;
	cs_dataroot *dr = c->dr;
	if (!isb)
		return 0;
	_cleanup_free_ char *name = cs_xstrndup((const char *)k, kl);
	cs_bolt_bucket b, t;
	cs_error e = {0};
	if (cs_bolt_bucket_from(x->parent, v, vl, &b, &e) < 0) {
		cd_warn(c, NULL, c->root->meta_path, "namespace %s: image `%s`: %s", x->ns, name, e.msg);
		return 0;
	}
	_cleanup_free_ char *digest = NULL, *mt = NULL;
	int64_t tsize = -1;
	/* what is left of a damaged record is still read: the digest may be intact */
	int r = cs_bolt_check(&b, &e);
	int tr = cs_bolt_bucket_open(&b, "target", &t, r < 0 ? NULL : &e);
	if (r == 0)
		r = tr == 1 ? cs_bolt_check(&t, &e) : tr;
	_cleanup_free_ char *damage = r < 0 ? cs_xstrdup(e.msg) : NULL;
	if (tr == 1) {
		digest = cd_bstr(&t, "digest");
		mt = cd_bstr(&t, "mediatype");
		tsize = cd_bvarint(&t, "size", -1);
	}
	if (!digest || !cs_str_startswith(digest, "sha256:") || !cs_is_hex(digest + 7, 64)) {
		cd_warn(c, NULL, c->root->meta_path, "`%s`: namespace %s: image `%s` has no usable target digest%s%s",
			c->root->meta_path, x->ns, name, damage ? ": its record is damaged: " : "", damage ? damage : "");
		return 0;
	}
	cs_time created = cd_btime(&b, "createdat"), updated = cd_btime(&b, "updatedat");
	uintptr_t idx = (uintptr_t)cs_strmap_get(&x->by_target, digest);
	cs_image *im;
	if (idx) {
		im = &dr->images[idx - 1];
	} else {
		im = CS_PUSH(dr->images, dr->n_images, dr->cap_images);
		im->namespace = cs_xstrdup(x->ns);
		im->id = cs_xstrdup(digest);
		im->target_media_type = TAKE_PTR(mt);
		im->target_size = tsize;
		im->size = -1;
		im->created = created; /* until the config says */
		im->last_updated = CS_TIME_NEVER;
		im->tags = cs_xcalloc(1, sizeof(char *));
		im->digests = cs_xcalloc(1, sizeof(char *));
		cs_evfiles_add(&im->evidence, "record", c->root->meta_path);
		cs_evfiles_add(&im->evidence, "RepoTags", c->root->meta_path);
		cs_strmap_put(&x->by_target, digest, (void *)(uintptr_t)dr->n_images);
	}
	if (damage) {
		cd_warn(c, &im->problems, c->root->meta_path, "`%s`: namespace %s: image `%s`: its record is damaged: %s",
			c->root->meta_path, x->ns, name, damage);
		im->incomplete = true;
	}
	push_name(&im->names, name);
	if (strchr(name, '@'))
		push_name(&im->digests, name);
	else if (!(cs_str_startswith(name, "sha256:") && cs_is_hex(name + 7, 64)))
		push_name(&im->tags, name);
	if (CS_TIME_IS_REAL(updated) && (im->last_updated == CS_TIME_NEVER || updated > im->last_updated))
		im->last_updated = updated;
	return 0;
}

void cd_load_images(cd_ctx *c, const char *ns, const cs_bolt_bucket *nsb)
{
	cs_bolt_bucket ib;
	cs_error e = {0};
	int k = cs_bolt_bucket_open(nsb, "images", &ib, &e);
	if (k <= 0) {
		if (k < 0)
			cd_warn(c, NULL, c->root->meta_path, "namespace %s: images: %s", ns, e.msg);
		return;
	}
	size_t first = c->dr->n_images;
	imgctx x = {.c = c, .ns = ns, .parent = &ib};
	if (cs_bolt_foreach(&ib, image_record, &x, &e) < 0)
		cd_warn(c, NULL, c->root->meta_path, "namespace %s: images: %s: the images after it are not listed",
			ns, e.msg);
	cs_strmap_free(&x.by_target, NULL);
	for (size_t i = first; i < c->dr->n_images; i++)
		fill_image(c, ns, &c->dr->images[i]);
}
