/* docker_legacy.c - images of the pre-1.10 layout (graph/).
 *
 * Before content addressing each layer was an image: graph/<id>/json holds
 * its config with "parent", "created" and "container_config" (whose Cmd is
 * the build step), graph/<id>/layersize its size. Tags are in
 * repositories-<driver>: {"Repositories": {"repo": {"tag": "<id>"}}}.
 * Ids are random 64-hex strings, not digests, and are shown bare.
 */
#include <string.h>

#include "engines/docker/docker_internal.h"

#define LEGACY_MAX_ENTRIES (1 << 18) /* layers of all legacy images together */

typedef struct gent {
	char *id, *parent;
	json_object *j;
	char *text;
	int64_t size;
	cs_time created;
	char *path;
} gent;

static int cmp_gent(const void *a, const void *b)
{
	return strcmp(((const gent *)a)->id, ((const gent *)b)->id);
}

/* v is sorted by id (the directory listing is). */
static gent *gfind(gent *v, size_t n, const char *id)
{
	gent key = {.id = (char *)(uintptr_t)id};
	return bsearch(&key, v, n, sizeof(gent), cmp_gent);
}

static char *legacy_driver(dk_ctx *c)
{
	_cleanup_free_ char *p = cs_xstrdup(c->dr->path);
	cs_dirent *d;
	size_t n;
	char *drv = NULL;
	if (cs_source_list(c->src, *p ? p : ".", &d, &n, NULL) == 0) {
		for (size_t i = 0; i < n && !drv; i++)
			if (cs_str_startswith(d[i].name, "repositories-"))
				drv = cs_xstrdup(d[i].name + 13);
		cs_dirents_free(d, n);
	}
	static const char *const known[] = {"aufs", "overlay", "devicemapper", "btrfs", "vfs"};
	for (size_t i = 0; i < CS_ARRAY_SIZE(known) && !drv; i++) {
		_cleanup_free_ char *q = dk_path(c, "%s", known[i]);
		if (cs_source_exists(c->src, q))
			drv = cs_xstrdup(known[i]);
	}
	return drv ? drv : cs_xstrdup("aufs");
}

static char *join_cmd(json_object *cc)
{
	json_object *cmd = cs_json_get_arr(cc, "Cmd");
	if (!cmd)
		return cs_xstrdup("");
	cs_buf b = {0};
	for (size_t i = 0; i < json_object_array_length(cmd); i++) {
		json_object *x = json_object_array_get_idx(cmd, i);
		if (i)
			(void)cs_buf_puts(&b, " ");
		(void)cs_buf_puts(&b, x && json_object_is_type(x, json_type_string) ? json_object_get_string(x) : "");
	}
	return cs_buf_steal(&b);
}

static void load_tags(dk_ctx *c, const char *driver)
{
	_cleanup_free_ char *p = dk_path(c, "repositories-%s", driver);
	if (!cs_source_exists(c->src, p))
		return;
	json_object *j;
	cs_error err;
	if (cs_json_load(c->src, p, CS_DOCKER_MAX_CONFIG, &j, NULL, &err) < 0) {
		dk_warn(c, NULL, p, "%s: tags are unknown", err.msg); /* err names the file */
		return;
	}
	json_object *repos = cs_json_get_obj(j, "Repositories");
	cs_strmap index = {0}; /* legacy image id -> index + 1 */
	size_t *ntags = cs_xcalloc(c->dr->n_images + 1, sizeof(size_t));
	size_t *ctags = cs_xcalloc(c->dr->n_images + 1, sizeof(size_t));
	for (size_t i = 0; i < c->dr->n_images; i++)
		if (c->dr->images[i].legacy) {
			cs_strmap_put(&index, c->dr->images[i].id, (void *)(uintptr_t)(i + 1));
			ntags[i] = cs_strv_len(c->dr->images[i].tags);
			ctags[i] = ntags[i] + 1;
		}
	size_t problems = 0;
	if (repos) {
		json_object_object_foreach(repos, repo, tags)
		{
			if (!json_object_is_type(tags, json_type_object))
				continue;
			json_object_object_foreach(tags, tag, idv)
			{
				const char *id = json_object_is_type(idv, json_type_string) ? json_object_get_string(idv) : "";
				size_t k = (size_t)(uintptr_t)cs_strmap_get(&index, id);
				if (!k) {
					if (++problems <= 100)
						dk_warn(c, NULL, p,
							"`%s`: tag `%s:%s` names image `%s`, which is missing",
							p, repo, tag, id);
					continue;
				}
				cs_image *im = &c->dr->images[k - 1];
				size_t n = ntags[k - 1]++;
				if (n + 2 > ctags[k - 1]) {
					ctags[k - 1] = 2 * (n + 2);
					im->tags = cs_xreallocarray(im->tags, ctags[k - 1], sizeof(char *));
				}
				im->tags[n] = strchr(tag, ':') ? cs_xasprintf("%s@%s", repo, tag)
							       : cs_xasprintf("%s:%s", repo, tag);
				im->tags[n + 1] = NULL;
				cs_evfiles_add(&im->evidence, "RepoTags", p);
			}
		}
	}
	if (problems > 100)
		cs_diagf(c->diag, c->diag_ud, CS_NOTE, p,
			 "`%s`: %zu more missing images are not listed", p, problems - 100);
	c->dr->n_warnings += problems > 100 ? problems - 100 : 0;
	free(ntags);
	free(ctags);
	cs_strmap_free(&index, NULL);
	json_object_put(j);
}

int dk_load_legacy_images(dk_ctx *c)
{
	_cleanup_free_ char *gp = dk_path(c, "graph");
	cs_dirent *d;
	size_t n;
	cs_error err;
	if (cs_source_list(c->src, gp, &d, &n, &err) < 0) {
		dk_warn(c, NULL, gp, "%s: legacy images not listed", err.msg);
		return -1;
	}
	_cleanup_free_ char *driver = legacy_driver(c);
	gent *g = cs_xcalloc(n ? n : 1, sizeof(gent));
	size_t ng = 0;
	for (size_t i = 0; i < n; i++) {
		if (!cs_is_hex(d[i].name, 64))
			continue; /* _tmp and friends */
		gent *x = &g[ng++];
		x->id = cs_xstrdup(d[i].name);
		x->path = dk_path(c, "graph/%s/json", d[i].name);
		x->size = -1;
		x->created = CS_TIME_NEVER;
		if (cs_json_load(c->src, x->path, CS_DOCKER_MAX_CONFIG, &x->j, &x->text, &err) < 0) {
			dk_warn(c, NULL, x->path, "legacy image %s: %s", x->id, err.msg);
			continue;
		}
		x->parent = cs_json_strdup(x->j, "parent");
		_cleanup_free_ char *lp = dk_path(c, "graph/%s/layersize", d[i].name);
		char *s;
		if (dk_read_small(c, lp, &s, NULL) == 0) {
			int64_t v;
			if (cs_parse_i64(s, &v) == 0 && v >= 0)
				x->size = v;
			free(s);
		}
		if (x->size < 0)
			x->size = cs_json_i64(x->j, "Size", -1);
	}
	cs_dirents_free(d, n);

	cs_dataroot *dr = c->dr;
	/* Each image lists its whole parent chain, so a few thousand tiny json
	 * files chained one to the next would make millions of entries: the
	 * chains of all images together are bounded. */
	size_t budget = LEGACY_MAX_ENTRIES;
	bool budget_told = false;
	for (size_t i = 0; i < ng; i++) {
		gent *x = &g[i];
		cs_image *im = CS_PUSH(dr->images, dr->n_images, dr->cap_images);
		im->id = cs_xstrdup(x->id);
		im->legacy = true;
		im->driver = cs_xstrdup(driver);
		im->whiteouts = dk_driver_whiteouts(driver);
		im->flat_layers = driver && strcmp(driver, "overlay") == 0;
		im->tags = cs_xcalloc(1, sizeof(char *));
		im->digests = cs_xcalloc(1, sizeof(char *));
		im->config_path = cs_xstrdup(x->path);
		im->last_updated = CS_TIME_NEVER;
		cs_evfiles_add(&im->evidence, "Config", x->path);
		if (!x->j) {
			im->incomplete = true;
			im->created = CS_TIME_NEVER;
			im->size = -1;
			cs_problems_add(&im->problems, x->path, "unreadable image json");
			continue;
		}
		im->config_json = cs_xstrdup(x->text);
		im->parent = cs_xstrdup(x->parent);
		im->created = dk_time(c, &im->problems, x->path, x->j, "created");
		im->os = cs_json_strdup(x->j, "os");
		im->architecture = cs_json_strdup(x->j, "architecture");
		im->author = cs_json_strdup(x->j, "author");
		im->docker_version = cs_json_strdup(x->j, "docker_version");
		im->comment = cs_json_strdup(x->j, "comment");
		/* the chain, base first */
		gent *chain[CS_DOCKER_MAX_LAYERS];
		size_t nc = 0;
		size_t room = budget < CS_DOCKER_MAX_LAYERS ? budget : CS_DOCKER_MAX_LAYERS;
		for (gent *cur = x; cur && nc < room;
		     cur = cur->parent ? gfind(g, ng, cur->parent) : NULL) {
			if (nc >= ng) {
				/* more steps than images: the chain loops */
				dk_warn(c, &im->problems, cur->path,
					"legacy image %s: its parent chain loops (at `%s`); followed "
					"once around",
					x->id, cur->id);
				im->incomplete = true;
				break;
			}
			chain[nc++] = cur;
			if (cur->parent && !gfind(g, ng, cur->parent)) {
				dk_warn(c, &im->problems, cur->path, "legacy image %s: parent `%s` is missing",
					cur->id, cur->parent);
				im->incomplete = true;
			}
		}
		budget -= nc;
		if (nc == room && room < CS_DOCKER_MAX_LAYERS) {
			if (!budget_told)
				dk_warn(c, &im->problems, x->path,
					"`%s`: legacy images: their parent chains hold more than %d "
					"entries in all; the rest are not read",
					x->path, LEGACY_MAX_ENTRIES);
			else
				cs_problems_add(&im->problems, x->path, "parent chain not read whole");
			budget_told = true;
			im->incomplete = true;
		}
		im->layers = cs_xcalloc(nc ? nc : 1, sizeof(cs_image_layer));
		im->history = cs_xcalloc(nc ? nc : 1, sizeof(cs_history));
		int64_t total = 0;
		for (size_t k = 0; k < nc; k++) {
			gent *e = chain[nc - 1 - k];
			cs_image_layer *L = &im->layers[im->n_layers++];
			L->cache_id = cs_xstrdup(e->id);
			L->chain_id = cs_xstrdup(e->id);
			L->size = e->size;
			L->dir = dk_image_layer_dir(c, driver, e->id);
			total += e->size > 0 ? e->size : 0;
			cs_history *h = &im->history[im->n_history++];
			h->created = e->j ? dk_time(c, &im->problems, e->path, e->j, "created") : CS_TIME_NEVER;
			h->created_by = join_cmd(cs_json_get_obj(e->j, "container_config"));
			h->comment = cs_json_strdup(e->j, "comment");
			h->author = cs_json_strdup(e->j, "author");
			h->size = e->size > 0 ? e->size : 0;
			h->image_id = cs_xstrdup(e->id);
			h->layer_chain_id = cs_xstrdup(e->id);
		}
		im->size = total;
	}
	for (size_t i = 0; i < ng; i++) {
		free(g[i].id);
		free(g[i].parent);
		free(g[i].text);
		free(g[i].path);
		json_object_put(g[i].j);
	}
	free(g);
	load_tags(c, driver);
	return 0;
}
