/* docker_image.c - images of the Docker 1.10+ layout (image/<driver>/).
 *
 * An image is its config file imagedb/content/sha256/<hex>; the sha256 of
 * those bytes is the image id, and we check it: a mismatch means the file
 * was changed after the engine wrote it. rootfs.diff_ids name the layers
 * base first; a layer's directory in layerdb is its chain id
 * (chain(L0) = diff(L0), chain(Ln) = sha256(chain(Ln-1) + " " + diff(Ln))),
 * and layerdb/sha256/<chain>/{cache-id,size} lead to the driver's files.
 * Tags and digests come from repositories.json; a tag naming an image whose
 * config is gone is kept as an incomplete placeholder, so the examiner still
 * sees that the tag existed.
 */
#include <string.h>

#include "engines/docker/docker_internal.h"
#include "formats/sha256.h"

static void chain_next(const char *prev_chain, const char *diff_id, char out[72])
{
	if (!prev_chain) {
		snprintf(out, 72, "%s", diff_id);
		return;
	}
	_cleanup_free_ char *s = cs_xasprintf("%s %s", prev_chain, diff_id);
	char hex[65];
	cs_sha256_hex(s, strlen(s), hex);
	snprintf(out, 72, "sha256:%s", hex);
}

/* What layerdb says of one chain id; many images share base layers, so
 * each is read once (memoised in c->layers). */
static const dk_layer *layer_info(dk_ctx *c, const char *driver, const char *chain)
{
	_cleanup_free_ char *key = cs_xasprintf("%s/%s", driver, chain);
	dk_layer *L = cs_strmap_get(&c->layers, key);
	if (L)
		return L;
	L = cs_xcalloc(1, sizeof(*L));
	L->size = -1;
	_cleanup_free_ char *ldir = dk_path(c, "image/%s/layerdb/sha256/%s", driver, chain + 7);
	_cleanup_free_ char *pcache = cs_path_join(ldir, "cache-id");
	_cleanup_free_ char *psize = cs_path_join(ldir, "size");
	cs_error err;
	char *sz = NULL;
	int64_t v;
	if (dk_read_small(c, pcache, &L->cache_id, &err) < 0) {
		L->err = cs_xstrdup(err.msg);
		L->err_file = cs_xstrdup(pcache);
	} else {
		L->dir = dk_image_layer_dir(c, driver, L->cache_id);
		if (dk_read_small(c, psize, &sz, &err) < 0 || cs_parse_i64(sz, &v) < 0 || v < 0) {
			L->err = cs_xstrdup("unreadable size");
			L->err_file = cs_xstrdup(psize);
		} else {
			L->size = v;
		}
		free(sz);
	}
	cs_strmap_put(&c->layers, key, L);
	return L;
}

void dk_layer_free(void *p)
{
	dk_layer *L = p;
	if (!L)
		return;
	free(L->cache_id);
	free(L->dir);
	free(L->err);
	free(L->err_file);
	free(L);
}

static void load_layers(dk_ctx *c, cs_image *im, const char *driver, json_object *cfg)
{
	json_object *rootfs = cs_json_get_obj(cfg, "rootfs");
	json_object *diffs = cs_json_get_arr(rootfs, "diff_ids");
	size_t n = diffs ? json_object_array_length(diffs) : 0;
	if (n > CS_DOCKER_MAX_LAYERS) {
		dk_warn(c, &im->problems, im->config_path, "`%s`: %zu layers, more than the %d read",
			im->config_path, n, CS_DOCKER_MAX_LAYERS);
		im->incomplete = true;
		n = CS_DOCKER_MAX_LAYERS;
	}
	im->layers = cs_xcalloc(n ? n : 1, sizeof(cs_image_layer));
	char chain[72] = "";
	int64_t total = 0;
	bool sizes_known = true;
	for (size_t i = 0; i < n; i++) {
		json_object *d = json_object_array_get_idx(diffs, i);
		const char *diff = d && json_object_is_type(d, json_type_string) ? json_object_get_string(d) : NULL;
		if (!diff || !cs_str_startswith(diff, "sha256:") || !cs_is_hex(diff + 7, 64)) {
			dk_warn(c, &im->problems, im->config_path, "`%s`: rootfs.diff_ids[%zu] is not a sha256 digest",
				im->config_path, i);
			im->incomplete = true;
			break;
		}
		cs_image_layer *L = &im->layers[im->n_layers++];
		L->diff_id = cs_xstrdup(diff);
		char next[72];
		chain_next(i ? chain : NULL, diff, next);
		memcpy(chain, next, sizeof(chain));
		L->chain_id = cs_xstrdup(chain);
		L->size = -1;
		const dk_layer *info = layer_info(c, driver, chain);
		if (info->err) {
			dk_warn(c, &im->problems, info->err_file, "image %s: layer %zu (%s): %s", im->id, i,
				chain, info->err);
			im->incomplete = true;
			sizes_known = false;
			if (!info->cache_id)
				continue;
		}
		L->cache_id = cs_xstrdup(info->cache_id);
		L->dir = cs_xstrdup(info->dir);
		L->size = info->size;
		if (info->size >= 0)
			total += info->size;
	}
	im->size = sizes_known ? total : -1;
}

static void load_history(dk_ctx *c, cs_image *im, json_object *cfg)
{
	json_object *h = cs_json_get_arr(cfg, "history");
	size_t n = h ? json_object_array_length(h) : 0;
	if (n > 65536)
		n = 65536;
	im->history = cs_xcalloc(n ? n : 1, sizeof(cs_history));
	size_t layer = 0;
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(h, i);
		cs_history *x = &im->history[im->n_history++];
		x->created = dk_time(c, &im->problems, im->config_path, e, "created");
		x->created_by = cs_json_strdup(e, "created_by");
		x->comment = cs_json_strdup(e, "comment");
		x->author = cs_json_strdup(e, "author");
		x->empty_layer = cs_json_bool(e, "empty_layer");
		if (!x->empty_layer) {
			if (layer < im->n_layers) {
				x->size = im->layers[layer].size < 0 ? 0 : im->layers[layer].size;
				x->layer_chain_id = cs_xstrdup(im->layers[layer].chain_id);
			} else {
				dk_warn(c, &im->problems, im->config_path,
					"`%s`: more non-empty history entries than layers", im->config_path);
			}
			layer++;
		}
	}
}

static void load_one(dk_ctx *c, const char *driver, const char *hex)
{
	cs_dataroot *dr = c->dr;
	cs_image *im = CS_PUSH(dr->images, dr->n_images, dr->cap_images);
	im->id = cs_xasprintf("sha256:%s", hex);
	im->driver = cs_xstrdup(driver);
	im->whiteouts = dk_driver_whiteouts(driver);
	im->flat_layers = driver && strcmp(driver, "overlay") == 0;
	im->created = CS_TIME_NEVER;
	im->last_updated = CS_TIME_NEVER;
	im->size = -1;
	im->tags = cs_xcalloc(1, sizeof(char *));
	im->digests = cs_xcalloc(1, sizeof(char *));
	im->config_path = dk_path(c, "image/%s/imagedb/content/sha256/%s", driver, hex);
	cs_evfiles_add(&im->evidence, "Config", im->config_path);
	cs_error err;
	char *text = NULL;
	size_t len;
	json_object *cfg = NULL;
	int r = cs_source_read_file(c->src, im->config_path, CS_DOCKER_MAX_CONFIG, &text, &len, &err);
	if (r == 0) {
		char got[65];
		cs_sha256_hex(text, len, got);
		if (strcmp(got, hex) != 0)
			dk_warn(c, &im->problems, im->config_path,
				"image %s: `%s`: content hash is sha256:%s, not the image id: the "
				"file was changed after the engine wrote it",
				im->id, im->config_path, got);
		r = cs_json_parse(text, len, &cfg, &err);
		if (r == 0 && !json_object_is_type(cfg, json_type_object)) {
			r = cs_err(&err, -EBADMSG, "not a JSON object");
		}
		if (r < 0)
			cs_err_prefix(&err, "`%s`", im->config_path);
	}
	if (r < 0) {
		dk_warn(c, &im->problems, im->config_path, "image %s: %s", im->id, err.msg);
		im->incomplete = true;
		free(text);
		json_object_put(cfg);
		return;
	}
	im->config_json = text;
	im->created = dk_time(c, &im->problems, im->config_path, cfg, "created");
	im->os = cs_json_strdup(cfg, "os");
	im->architecture = cs_json_strdup(cfg, "architecture");
	im->variant = cs_json_strdup(cfg, "variant");
	im->author = cs_json_strdup(cfg, "author");
	im->docker_version = cs_json_strdup(cfg, "docker_version");
	im->comment = cs_json_strdup(cfg, "comment");
	im->labels = cs_json_labels(cs_json_get_obj(cs_json_get_obj(cfg, "config"), "Labels"));
	load_layers(c, im, driver, cfg);
	load_history(c, im, cfg);
	json_object_put(cfg);

	/* metadata: parent and lastUpdated (optional files) */
	_cleanup_free_ char *mdir = dk_path(c, "image/%s/imagedb/metadata/sha256/%s", driver, hex);
	_cleanup_free_ char *pparent = cs_path_join(mdir, "parent");
	_cleanup_free_ char *plast = cs_path_join(mdir, "lastUpdated");
	char *s = NULL;
	/* both optional: pulled images have no metadata at all */
	if (dk_read_small(c, pparent, &s, &err) == 0) {
		im->parent = s;
		cs_evfiles_add(&im->evidence, "Parent", pparent);
	}
	if (dk_read_small(c, plast, &s, &err) == 0) {
		if (cs_time_parse(s, &im->last_updated) < 0)
			dk_warn(c, &im->problems, plast, "`%s`: unreadable time", plast);
		else
			cs_evfiles_add(&im->evidence, "Metadata.LastTagTime", plast);
		free(s);
	}
}

/* A growing NULL-terminated string vector with its length and capacity. */
typedef struct strv_acc {
	size_t n, cap;
} strv_acc;

static void strv_append(char ***v, strv_acc *a, const char *s)
{
	if (a->n + 2 > a->cap) {
		a->cap = a->cap ? a->cap * 2 : 4;
		*v = cs_xreallocarray(*v, a->cap, sizeof(char *));
	}
	(*v)[a->n++] = cs_xstrdup(s);
	(*v)[a->n] = NULL;
}

/* Listed problems of one repositories.json; more are counted, not listed. */
#define REPO_DIAG_MAX 100

/* repositories.json: {"Repositories": {repo: {ref: image id}}}. Everything
 * is hashed (image ids, and each image's refs), so the work grows with the
 * number of references, never with its square: a hostile file may hold a
 * hundred thousand tags, or as many naming images that are not there. */
static void load_repositories(dk_ctx *c, const char *driver)
{
	_cleanup_free_ char *p = dk_path(c, "image/%s/repositories.json", driver);
	if (!cs_source_exists(c->src, p))
		return;
	json_object *j;
	cs_error err;
	if (cs_json_load(c->src, p, CS_DOCKER_MAX_CONFIG, &j, NULL, &err) < 0) {
		/* err names the file already */
		dk_warn(c, NULL, p, "%s: tags and digests are unknown", err.msg);
		return;
	}
	json_object *repos = cs_json_get_obj(j, "Repositories");
	if (!repos) {
		dk_warn(c, NULL, p, "`%s`: no \"Repositories\" object", p);
		json_object_put(j);
		return;
	}
	cs_dataroot *dr = c->dr;
	/* image id -> index + 1, for this driver's images */
	cs_strmap index = {0}, seen = {0};
	for (size_t i = 0; i < dr->n_images; i++)
		if (dr->images[i].driver && strcmp(dr->images[i].driver, driver) == 0)
			cs_strmap_put(&index, dr->images[i].id, (void *)(uintptr_t)(i + 1));
	/* tag and digest counts of each image (they start empty) */
	strv_acc *tags = NULL, *digs = NULL;
	size_t cap_acc = 0;
	cs_grow((void **)&tags, &cap_acc, dr->n_images, sizeof(*tags));
	size_t cap_dig = 0;
	cs_grow((void **)&digs, &cap_dig, dr->n_images, sizeof(*digs));
	for (size_t i = 0; i < dr->n_images; i++) {
		tags[i].n = cs_strv_len(dr->images[i].tags);
		tags[i].cap = tags[i].n + 1;
		digs[i].n = cs_strv_len(dr->images[i].digests);
		digs[i].cap = digs[i].n + 1;
	}
	size_t problems = 0;
	json_object_object_foreach(repos, repo, refs)
	{
		(void)repo;
		if (!json_object_is_type(refs, json_type_object))
			continue;
		json_object_object_foreach(refs, ref, idv)
		{
			const char *id = json_object_is_type(idv, json_type_string)
						 ? json_object_get_string(idv) : NULL;
			if (!id || !cs_str_startswith(id, "sha256:") || !cs_is_hex(id + 7, 64)) {
				if (++problems <= REPO_DIAG_MAX)
					dk_warn(c, NULL, p, "`%s`: reference `%s` has no valid image id", p,
						ref);
				continue;
			}
			size_t k = (size_t)(uintptr_t)cs_strmap_get(&index, id);
			cs_image *im;
			if (k) {
				im = &dr->images[k - 1];
			} else {
				if (++problems <= REPO_DIAG_MAX)
					dk_warn(c, NULL, p,
						"`%s`: reference `%s` names image %s, whose config is "
						"missing",
						p, ref, id);
				im = CS_PUSH(dr->images, dr->n_images, dr->cap_images);
				im->id = cs_xstrdup(id);
				im->driver = cs_xstrdup(driver);
				im->whiteouts = dk_driver_whiteouts(driver);
				im->flat_layers = driver && strcmp(driver, "overlay") == 0;
				im->created = CS_TIME_NEVER;
				im->last_updated = CS_TIME_NEVER;
				im->size = -1;
				im->tags = cs_xcalloc(1, sizeof(char *));
				im->digests = cs_xcalloc(1, sizeof(char *));
				im->incomplete = true;
				_cleanup_free_ char *cp = dk_path(c, "image/%s/imagedb/content/sha256/%s",
								  driver, id + 7);
				cs_problems_add(&im->problems, cp, "image config missing");
				k = dr->n_images;
				cs_strmap_put(&index, id, (void *)(uintptr_t)k);
				cs_grow((void **)&tags, &cap_acc, k, sizeof(*tags));
				cs_grow((void **)&digs, &cap_dig, k, sizeof(*digs));
				tags[k - 1] = (strv_acc){0, 1};
				digs[k - 1] = (strv_acc){0, 1};
			}
			/* each ref once per image */
			_cleanup_free_ char *key = cs_xasprintf("%zu %s", k, ref);
			if (cs_strmap_has(&seen, key))
				continue;
			cs_strmap_put(&seen, key, NULL);
			if (strchr(ref, '@'))
				strv_append(&im->digests, &digs[k - 1], ref);
			else
				strv_append(&im->tags, &tags[k - 1], ref);
			cs_evfiles_add(&im->evidence, "RepoTags", p);
		}
	}
	if (problems > REPO_DIAG_MAX) {
		char msg[256];
		snprintf(msg, sizeof(msg), "%zu more problems in this file are not listed",
			 problems - REPO_DIAG_MAX);
		cs_problems_add(&dr->problems, p, msg);
		dr->n_warnings += problems - REPO_DIAG_MAX;
		cs_diagf(c->diag, c->diag_ud, CS_NOTE, p, "`%s`: %s", p, msg);
	}
	free(tags);
	free(digs);
	cs_strmap_free(&index, NULL);
	cs_strmap_free(&seen, NULL);
	json_object_put(j);
}

static void load_driver(dk_ctx *c, const char *driver)
{
	_cleanup_free_ char *content = dk_path(c, "image/%s/imagedb/content/sha256", driver);
	cs_dirent *d = NULL;
	size_t n = 0;
	cs_error err;
	if (cs_source_exists(c->src, content)) {
		if (cs_source_list(c->src, content, &d, &n, &err) < 0)
			dk_warn(c, NULL, content, "%s: images of driver %s not listed", err.msg, driver);
	}
	for (size_t i = 0; i < n; i++) {
		if (!cs_is_hex(d[i].name, 64)) {
			_cleanup_free_ char *p = cs_path_join(content, d[i].name);
			dk_warn(c, NULL, p, "`%s`: not an image id, skipped", p);
			continue;
		}
		load_one(c, driver, d[i].name);
	}
	cs_dirents_free(d, n);
	load_repositories(c, driver);
}

/* Names the image each history step produced, as `docker history` does:
 * the newest step is the image itself, each older one the next local parent
 * (imagedb metadata), and steps with no local image stay NULL ("<missing>"). */
static void history_ids(cs_dataroot *dr)
{
	cs_strmap index = {0}; /* "<driver> <id>" -> index + 1 */
	for (size_t i = 0; i < dr->n_images; i++) {
		_cleanup_free_ char *key = cs_xasprintf("%s %s", dr->images[i].driver ? dr->images[i].driver : "",
							dr->images[i].id);
		if (!cs_strmap_has(&index, key))
			cs_strmap_put(&index, key, (void *)(uintptr_t)(i + 1));
	}
	for (size_t i = 0; i < dr->n_images; i++) {
		cs_image *im = &dr->images[i];
		const cs_image *cur = im;
		for (size_t k = im->n_history; k-- > 0 && cur;) {
			im->history[k].image_id = cs_xstrdup(cur->id);
			const cs_image *next = NULL;
			if (cur->parent) {
				_cleanup_free_ char *key =
					cs_xasprintf("%s %s", im->driver ? im->driver : "", cur->parent);
				size_t x = (size_t)(uintptr_t)cs_strmap_get(&index, key);
				next = x ? &dr->images[x - 1] : NULL;
			}
			cur = next;
		}
	}
	cs_strmap_free(&index, NULL);
}

int dk_load_images(dk_ctx *c)
{
	_cleanup_free_ char *p = dk_path(c, "image");
	cs_dirent *d;
	size_t n;
	cs_error err;
	if (cs_source_list(c->src, p, &d, &n, &err) < 0) {
		dk_warn(c, NULL, p, "%s: images not listed", err.msg);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *idb = dk_path(c, "image/%s/imagedb", d[i].name);
		if (cs_source_exists(c->src, idb))
			load_driver(c, d[i].name);
	}
	cs_dirents_free(d, n);
	history_ids(c->dr);
	return 0;
}
