/* pm_image.c - the images of a store, in the model.
 *
 * An image is its images.json record plus big data kept beside it in
 * <driver>-images/<id>/: the OCI image config under the key
 * `sha256:<id>` (the image id is the config's digest, checked here), the
 * manifest under `manifest` (its digest is the record's `digest`), and
 * signatures. Its layers are the top layer and its parents in layers.json,
 * base first. Tags are the record's names; repo digests pair each name's
 * repository with the image's digests, as Podman lists them. The history
 * and the parent image follow libimage (containers/common): history entries
 * newest first, each non-empty one moving one layer down, a step's id the
 * first image (in images.json order) whose top layer it is, never twice;
 * the parent the first image on the same top layer or on the parent layer
 * whose diff ids and history this image extends by one entry. A big-data
 * file whose name does not decode, or a config or manifest that does not
 * match its digest, is reported (tampered with or damaged).
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "engines/podman/pm_internal.h"
#include "formats/jsonutil.h"
#include "formats/sha256.h"

typedef struct hist {
	cs_time created;
	char *created_by, *author, *comment;
	bool empty;
} hist;

typedef struct oci {
	bool have;
	char **diff_ids;
	size_t n_diff;
	hist *h;
	size_t n_h;
} oci;

static void oci_free(oci *o)
{
	cs_strv_free(o->diff_ids);
	for (size_t i = 0; i < o->n_h; i++) {
		free(o->h[i].created_by);
		free(o->h[i].author);
		free(o->h[i].comment);
	}
	free(o->h);
}

static void oci_from(json_object *j, oci *o)
{
	o->have = true;
	json_object *rf = cs_json_get_obj(j, "rootfs");
	o->diff_ids = cs_json_strv(rf, "diff_ids");
	o->n_diff = cs_strv_len(o->diff_ids);
	json_object *h = cs_json_get_arr(j, "history");
	size_t n = h ? json_object_array_length(h) : 0;
	if (n > 100000)
		n = 100000;
	o->h = cs_xcalloc(n + 1, sizeof(hist));
	for (size_t i = 0; i < n; i++) {
		json_object *x = json_object_array_get_idx(h, i);
		hist *y = &o->h[o->n_h++];
		const char *c = cs_json_str(x, "created");
		y->created = CS_TIME_NEVER;
		if (c && cs_time_parse(c, &y->created) < 0)
			y->created = CS_TIME_INVALID;
		y->created_by = cs_json_strdup(x, "created_by");
		y->author = cs_json_strdup(x, "author");
		y->comment = cs_json_strdup(x, "comment");
		y->empty = cs_json_bool(x, "empty_layer");
	}
}

static bool seq(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

/* libimage areParentAndChild */
static bool parent_and_child(const oci *p, const oci *c)
{
	if (!p->have || !c->have || p->n_diff > c->n_diff)
		return false;
	for (size_t i = 0; i < p->n_diff; i++)
		if (strcmp(p->diff_ids[i], c->diff_ids[i]) != 0)
			return false;
	if (p->n_h + 1 != c->n_h)
		return false;
	for (size_t i = 0; i < p->n_h; i++) {
		const hist *a = &p->h[i], *b = &c->h[i];
		if (a->created != b->created || !seq(a->created_by, b->created_by) || !seq(a->author, b->author) ||
		    !seq(a->comment, b->comment) || a->empty != b->empty)
			return false;
	}
	return true;
}

/* "localhost/x:1" -> "localhost/x" (a port in the registry is not a tag). */
static char *repo_of(const char *name)
{
	const char *at = strchr(name, '@');
	size_t n = at ? (size_t)(at - name) : strlen(name);
	const char *slash = memrchr(name, '/', n);
	const char *colon = memrchr(slash ? slash : name, ':', n - (size_t)((slash ? slash : name) - name));
	if (colon && !at)
		n = (size_t)(colon - name);
	return cs_xstrndup(name, n);
}

static void add_unique(char ***v, size_t *n, size_t *cap, char *s)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*v)[i], s) == 0) {
			free(s);
			return;
		}
	*CS_PUSH(*v, *n, *cap) = s;
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

/* Reads a big-data item, checking it against the digest it must have
 * (NULL: no check). Returns the text (owned) or NULL. */
static char *bigdata(pm_ctx *c, cs_image *im, const pm_image *r, const char *key, const char *want, char **ret_path,
		     size_t *ret_len)
{
	pm_store *st = c->st;
	_cleanup_free_ char *name = cs_podman_bigdata_name(key);
	char *path = pm_path(st, "%s-images/%s/%s", r->driver, r->id, name);
	char *text = NULL;
	size_t len = 0;
	cs_error e = {0};
	int k = cs_source_read_file(c->src, path, CS_PM_MAX_SMALL, &text, &len, &e);
	if (k < 0) {
		if (k == -ENOENT)
			pm_warn(c, &im->problems, path, "image %s: its %s (`%s`) is missing", r->id, key, path);
		else
			pm_warn(c, &im->problems, path, "image %s: %s", r->id, e.msg);
		im->incomplete = true;
		free(path);
		return NULL;
	}
	if (want && cs_str_startswith(want, "sha256:")) {
		char hex[65];
		cs_sha256_hex(text, len, hex);
		if (strcmp(hex, want + 7) != 0)
			pm_warn(c, &im->problems, path,
				"image %s: `%s` does not match its digest %s (its sha256 is %s): tampered with or damaged "
				"after the engine wrote it",
				r->id, path, want, hex);
	}
	*ret_path = path;
	if (ret_len)
		*ret_len = len;
	return text;
}

/* Every big-data file of the image must decode to a name the record lists. */
static void check_bigdata_names(pm_ctx *c, cs_image *im, const pm_image *r)
{
	_cleanup_free_ char *dir = pm_path(c->st, "%s-images/%s", r->driver, r->id);
	cs_dirent *d = NULL;
	size_t n = 0;
	if (cs_source_list(c->src, dir, &d, &n, NULL) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		char *key = cs_podman_bigdata_key(d[i].name);
		if (!key) {
			_cleanup_free_ char *p = cs_path_join(dir, d[i].name);
			pm_warn(c, &im->problems, p, "image %s: big-data file `%s` has a name that does not decode", r->id,
				p);
			continue;
		}
		bool listed = false;
		for (char **b = r->bigdata_names; b && *b && !listed; b++)
			listed = strcmp(*b, key) == 0;
		if (!listed) {
			_cleanup_free_ char *p = cs_path_join(dir, d[i].name);
			pm_warn(c, &im->problems, p, "image %s: big-data file `%s` (key `%s`) is not in its record", r->id,
				p, key);
		}
		free(key);
	}
	cs_dirents_free(d, n);
}

/* One image's layers, base first. */
static void image_layers(pm_ctx *c, cs_image *im, const pm_image *r)
{
	pm_store *st = c->st;
	const pm_layer **chain = NULL;
	size_t n = 0, cap = 0;
	cs_strmap seen = {0};
	const char *id = r->top_layer;
	while (id) {
		const pm_layer *l = pm_layer_get(st, id);
		if (!l) {
			_cleanup_free_ char *lj = pm_path(st, "%s-layers/layers.json", r->driver);
			pm_warn(c, &im->problems, lj, "image %s: layer %s %s is not in `%s`: the layers below are unknown",
				r->id, id, n ? "(a parent)" : "(its top layer)", lj);
			im->incomplete = true;
			break;
		}
		if (cs_strmap_has(&seen, id) || n >= CS_PM_MAX_LAYERS) {
			pm_warn(c, &im->problems, l->file, "`%s`: image %s: its layers form a cycle or a chain too long at %s",
				l->file, r->id, id);
			im->incomplete = true;
			break;
		}
		cs_strmap_put(&seen, id, (void *)1);
		*CS_PUSH(chain, n, cap) = l;
		id = l->parent;
	}
	cs_strmap_free(&seen, NULL);
	im->layers = cs_xcalloc(n + 1, sizeof(cs_image_layer));
	char prev[72] = "";
	for (size_t k = 0; k < n; k++) {
		const pm_layer *l = chain[n - 1 - k];
		cs_image_layer *L = &im->layers[im->n_layers++];
		L->diff_id = cs_xstrdup(l->diff_digest);
		if (l->diff_digest) {
			char next[72];
			chain_next(*prev ? prev : NULL, l->diff_digest, next);
			memcpy(prev, next, sizeof(prev));
			L->chain_id = cs_xstrdup(next);
		}
		L->cache_id = cs_xstrdup(l->id);
		L->size = l->diff_size;
		L->dir = pm_layer_dir(st, l->id);
		if (l->incomplete) {
			pm_warn(c, &im->problems, l->file, "`%s`: layer %s of image %s is flagged incomplete", l->file, l->id,
				r->id);
			im->incomplete = true;
		}
		if (im->size >= 0 && l->diff_size >= 0)
			im->size += l->diff_size;
		else
			im->size = -1;
	}
	free(chain);
}

void pm_load_images(pm_ctx *c)
{
	pm_store *st = c->st;
	cs_dataroot *dr = c->dr;
	if (st->n_images == 0)
		return;
	oci *ocis = cs_xcalloc(st->n_images, sizeof(oci));
	dr->images = cs_xcalloc(st->n_images, sizeof(cs_image));
	dr->cap_images = st->n_images;
	for (size_t i = 0; i < st->n_images; i++) {
		const pm_image *r = &st->images[i];
		cs_image *im = &dr->images[dr->n_images++];
		im->id = cs_xstrdup(r->id);
		im->namespace = cs_xstrdup(st->user);
		im->created = r->created;
		im->last_updated = CS_TIME_NEVER;
		im->driver = cs_xstrdup(r->driver);
		im->flat_layers = strcmp(r->driver, "vfs") == 0;
		im->whiteouts = strcmp(r->driver, "overlay") == 0 && st->mount_program ? CS_WH_FUSE : CS_WH_OVERLAY;
		cs_evfiles_add(&im->evidence, "storage record", r->file);
		/* tags and repo digests */
		size_t nt = cs_strv_len(r->names);
		im->tags = cs_xcalloc(nt + 1, sizeof(char *));
		for (size_t k = 0; k < nt; k++)
			im->tags[k] = cs_xstrdup(r->names[k]);
		char **dg = NULL;
		size_t nd = 0, cd = 0;
		for (size_t k = 0; k < nt; k++) {
			_cleanup_free_ char *repo = repo_of(r->names[k]);
			if (r->digest)
				add_unique(&dg, &nd, &cd, cs_xasprintf("%s@%s", repo, r->digest));
			for (char **d = r->digests; d && *d; d++)
				add_unique(&dg, &nd, &cd, cs_xasprintf("%s@%s", repo, *d));
		}
		*CS_PUSH(dg, nd, cd) = NULL;
		im->digests = dg;
		im->manifest_digest = cs_xstrdup(r->digest);
		im->config_digest = cs_xasprintf("sha256:%s", r->id);
		image_layers(c, im, r);
		if (im->size >= 0 && r->bigdata_size > 0)
			im->size += r->bigdata_size;
		check_bigdata_names(c, im, r);
		/* the config: its digest is the image id */
		_cleanup_free_ char *ckey = cs_xasprintf("sha256:%s", r->id);
		bool listed = false;
		for (char **b = r->bigdata_names; b && *b && !listed; b++)
			listed = strcmp(*b, ckey) == 0;
		char *cpath = NULL;
		size_t clen = 0;
		char *cfg = listed || cs_is_hex(r->id, 64) ? bigdata(c, im, r, ckey, ckey, &cpath, &clen) : NULL;
		if (cfg) {
			json_object *j = NULL;
			cs_error e = {0};
			if (cs_json_parse(cfg, clen, &j, &e) < 0 || !json_object_is_type(j, json_type_object)) {
				pm_warn(c, &im->problems, cpath, "image %s: its config `%s`: %s", r->id, cpath,
					e.code ? e.msg : "not a JSON object");
				im->incomplete = true;
				free(cfg);
			} else {
				im->config_json = cfg;
				im->config_path = cs_xstrdup(cpath);
				cs_evfiles_add(&im->evidence, "config", cpath);
				im->os = cs_json_strdup(j, "os");
				im->architecture = cs_json_strdup(j, "architecture");
				im->variant = cs_json_strdup(j, "variant");
				im->author = cs_json_strdup(j, "author");
				im->comment = cs_json_strdup(j, "comment");
				oci_from(j, &ocis[i]);
			}
			json_object_put(j);
		}
		free(cpath);
		char *mpath = NULL;
		bool has_manifest = false;
		for (char **b = r->bigdata_names; b && *b && !has_manifest; b++)
			has_manifest = strcmp(*b, "manifest") == 0;
		if (has_manifest) {
			char *m = bigdata(c, im, r, "manifest", r->digest, &mpath, NULL);
			if (m)
				cs_evfiles_add(&im->evidence, "manifest", mpath);
			free(m);
			free(mpath);
		}
	}
	/* images on each top layer, in images.json order */
	cs_strmap on_layer = {0}; /* layer id -> first index + 1 (a chain follows via next) */
	size_t *next = cs_xcalloc(st->n_images, sizeof(size_t));
	size_t *last = cs_xcalloc(st->n_images, sizeof(size_t));
	for (size_t i = 0; i < st->n_images; i++) {
		const char *tl = st->images[i].top_layer;
		if (!tl)
			continue;
		void *p = cs_strmap_get(&on_layer, tl);
		if (!p) {
			cs_strmap_put(&on_layer, tl, (void *)(uintptr_t)(i + 1));
			last[i] = i + 1;
		} else {
			size_t first = (uintptr_t)p - 1;
			next[last[first] - 1] = i + 1;
			last[first] = i + 1;
		}
	}
	for (size_t i = 0; i < st->n_images; i++) {
		const pm_image *r = &st->images[i];
		cs_image *im = &dr->images[i];
		const oci *o = &ocis[i];
		/* parent: same top layer first, then the parent layer's images */
		const pm_layer *tl = pm_layer_get(st, r->top_layer);
		for (int pass = 0; pass < 2 && !im->parent && o->have; pass++) {
			const char *lid = pass == 0 ? r->top_layer : tl ? tl->parent : NULL;
			void *p = lid ? cs_strmap_get(&on_layer, lid) : NULL;
			for (size_t k = p ? (uintptr_t)p : 0; k; k = next[k - 1]) {
				if (k - 1 == i)
					continue;
				if (parent_and_child(&ocis[k - 1], o)) {
					im->parent = cs_xstrdup(st->images[k - 1].id);
					break;
				}
			}
		}
		/* history, newest first as libimage walks it; stored oldest first */
		if (!o->have || o->n_h == 0)
			continue;
		im->history = cs_xcalloc(o->n_h, sizeof(cs_history));
		im->n_history = o->n_h;
		cs_strmap used = {0};
		const pm_layer *node = tl;
		for (size_t x = o->n_h; x-- > 0;) {
			cs_history *h = &im->history[x];
			const hist *s = &o->h[x];
			h->created = s->created;
			h->created_by = cs_xstrdup(s->created_by);
			h->comment = cs_xstrdup(s->comment);
			h->author = cs_xstrdup(s->author);
			h->empty_layer = s->empty;
			void *p = node ? cs_strmap_get(&on_layer, node->id) : NULL;
			if (p) {
				const char *iid = st->images[(uintptr_t)p - 1].id;
				if (!cs_strmap_has(&used, iid)) {
					h->image_id = cs_xstrdup(iid);
					cs_strmap_put(&used, iid, (void *)1);
				}
			}
			if (!s->empty && node) {
				h->size = node->diff_size > 0 ? node->diff_size : 0;
				h->layer_chain_id = cs_xstrdup(node->id);
				node = pm_layer_get(st, node->parent);
			}
		}
		cs_strmap_free(&used, NULL);
	}
	cs_strmap_free(&on_layer, NULL);
	free(next);
	free(last);
	for (size_t i = 0; i < st->n_images; i++)
		oci_free(&ocis[i]);
	free(ocis);
}
