/* pm_store.c - containers/storage's JSON stores and layer stacks.
 *
 * layers.json, images.json and containers.json are arrays of objects,
 * rewritten whole (write to a temporary file, rename) on every change; the
 * volatile-* variants hold records of volatile layers and containers, which
 * are never synced. They are read with the pull cursor: a record is kept
 * once its object is complete, so a file cut short or damaged keeps the
 * records before the damage, and the rest is reported with the file and the
 * byte offset. Ids name directories: an id that is not one plain path
 * component costs its record.
 *
 * Layer stacks follow what the driver mounted. overlay: the layer's `diff`,
 * then its `lower` file (`l/<short>` entries, top first, relative to
 * overlay/; `l/<short>` is a symlink to `../<id>/diff`); an entry that leads
 * anywhere but another layer's diff in the same store is damage, and the
 * layers below it are not used. A layer without `lower` but with a parent
 * in layers.json falls back to the parent chain, said. vfs: each layer is a
 * whole tree (vfs/dir/<id>); a container's stack is its own copy and its
 * image's top copy (what the engine diffs against).
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "engines/podman/pm_internal.h"
#include "formats/jscan.h"


void pm_jidmap(cs_jscan *s, char kind, cs_idmap *m)
{
	size_t n = 0;
	if (!cs_jscan_array(s))
		return;
	while (cs_jscan_element(s)) {
		if (!cs_jscan_object(s))
			continue;
		int64_t ci = -1, hi = -1, sz = -1;
		while (cs_jscan_member(s)) {
			if (cs_jscan_is(s, "container_id") || cs_jscan_is(s, "containerID"))
				ci = cs_jscan_int(s, -1);
			else if (cs_jscan_is(s, "host_id") || cs_jscan_is(s, "hostID"))
				hi = cs_jscan_int(s, -1);
			else if (cs_jscan_is(s, "size"))
				sz = cs_jscan_int(s, -1);
			else
				cs_jscan_skip(s);
		}
		if (ci >= 0 && hi >= 0 && sz > 0 && ci <= UINT32_MAX && hi <= UINT32_MAX && sz <= UINT32_MAX &&
		    n < 1024) {
			cs_idmap_add(m, kind, (uint32_t)ci, (uint32_t)hi, (uint32_t)sz);
			n++;
		}
	}
}

size_t pm_idmap_compose(const cs_idmap *inner, const cs_idmap *outer, char kind, cs_idmap *out)
{
	size_t ni = 0, no = 0, added = 0;
	for (size_t i = 0; i < inner->n; i++)
		ni += inner->v[i].kind == kind;
	for (size_t j = 0; j < outer->n; j++)
		no += outer->v[j].kind == kind;
	if (ni == 0 || no == 0) {
		const cs_idmap *m = ni ? inner : outer;
		for (size_t i = 0; i < m->n; i++)
			if (m->v[i].kind == kind) {
				cs_idmap_add(out, kind, m->v[i].ns_id, m->v[i].host_id, m->v[i].count);
				added++;
			}
		return added;
	}
	for (size_t i = 0; i < inner->n; i++) {
		const cs_idmap_range *a = &inner->v[i];
		if (a->kind != kind)
			continue;
		for (size_t j = 0; j < outer->n && added < 4096; j++) {
			const cs_idmap_range *b = &outer->v[j];
			if (b->kind != kind)
				continue;
			uint64_t a0 = a->host_id, a1 = a0 + a->count; /* middle ids of range a */
			uint64_t b0 = b->ns_id, b1 = b0 + b->count;
			uint64_t lo = a0 > b0 ? a0 : b0, hi = a1 < b1 ? a1 : b1;
			if (lo >= hi)
				continue;
			cs_idmap_add(out, kind, (uint32_t)(a->ns_id + (lo - a0)), (uint32_t)(b->host_id + (lo - b0)),
				     (uint32_t)(hi - lo));
			added++;
		}
	}
	return added;
}

cs_time pm_jtime(cs_jscan *s)
{
	_cleanup_free_ char *t = cs_jscan_string(s);
	cs_time v = CS_TIME_NEVER;
	if (t && cs_time_parse(t, &v) < 0)
		v = CS_TIME_INVALID;
	return v;
}

/* Reads a store file and enters its top-level array: the text (owned; s
 * reads it, inside the array) or NULL, nothing said when the file is
 * absent, a warning naming it when it cannot be read or is not an array of
 * `what` (then `lost` says what that costs). */
static char *open_records(pm_ctx *c, const char *file, cs_jscan *s, const char *what, const char *lost)
{
	char *t = NULL;
	size_t len;
	cs_error e = {0};
	int r = cs_source_read_file(c->src, file, CS_PM_MAX_JSON, &t, &len, &e);
	if (r == -ENOENT)
		return NULL;
	if (r < 0) {
		pm_warn(c, NULL, file, "`%s`: %s: its records are not listed", file, e.msg);
		return NULL;
	}
	cs_jscan_init(s, t, len);
	if (cs_jscan_peek(s) != CS_JARRAY || !cs_jscan_array(s)) {
		pm_warn(c, NULL, file, "`%s`: not a JSON array of %s: %s", file, what, lost);
		free(t);
		return NULL;
	}
	return t;
}

/* Reports the end of a JSON array of records. */
static void finish(pm_ctx *c, cs_jscan *s, const char *file, const char *what, size_t kept)
{
	cs_error e = {0};
	if (cs_jscan_finish(s, &e) < 0)
		pm_warn(c, NULL, file, "`%s`: %s: %zu %s before the damage are listed, the rest are lost", file, e.msg,
			kept, what);
}

/* --- layers.json --- */

static void layers_file(pm_ctx *c, const char *driver, const char *name, bool is_volatile)
{
	pm_store *st = c->st;
	_cleanup_free_ char *file = pm_path(st, "%s-layers/%s", driver, name);
	cs_jscan s;
	_cleanup_free_ char *text = open_records(c, file, &s, "layers", "no layer of it is known");
	if (!text)
		return;
	size_t kept = 0;
	while (cs_jscan_element(&s)) {
		if (!cs_jscan_object(&s))
			continue;
		pm_layer l = {.created = CS_TIME_NEVER, .diff_size = -1, .compressed_size = -1};
		while (cs_jscan_member(&s)) {
			if (cs_jscan_is(&s, "id"))
				free(l.id), l.id = cs_jscan_string(&s);
			else if (cs_jscan_is(&s, "parent"))
				free(l.parent), l.parent = cs_jscan_string(&s);
			else if (cs_jscan_is(&s, "names"))
				cs_strv_free(l.names), l.names = cs_jscan_strv(&s, CS_PM_MAX_STRV);
			else if (cs_jscan_is(&s, "created"))
				l.created = pm_jtime(&s);
			else if (cs_jscan_is(&s, "diff-digest"))
				free(l.diff_digest), l.diff_digest = cs_jscan_string(&s);
			else if (cs_jscan_is(&s, "compressed-diff-digest"))
				free(l.compressed_digest), l.compressed_digest = cs_jscan_string(&s);
			else if (cs_jscan_is(&s, "diff-size"))
				l.diff_size = cs_jscan_int(&s, -1);
			else if (cs_jscan_is(&s, "compressed-size"))
				l.compressed_size = cs_jscan_int(&s, -1);
			else if (cs_jscan_is(&s, "flags") && cs_jscan_object(&s)) {
				while (cs_jscan_member(&s))
					if (cs_jscan_is(&s, "incomplete"))
						l.incomplete = cs_jscan_bool(&s);
					else
						cs_jscan_skip(&s);
			} else
				cs_jscan_skip(&s);
		}
		bool ok = !s.err && pm_safe_name(l.id) && (!l.parent || pm_safe_name(l.parent)) &&
			  st->n_layers < 1000000 && !cs_strmap_has(&st->layer_by_id, l.id);
		if (!s.err && !ok)
			pm_warn(c, NULL, file, "`%s`: layer `%s`: %s: skipped", file, l.id ? l.id : "(no id)",
				l.id && cs_strmap_has(&st->layer_by_id, l.id) ? "listed twice"
				: "its id or parent is not a plain name");
		if (!ok) {
			free(l.id);
			free(l.parent);
			cs_strv_free(l.names);
			free(l.diff_digest);
			free(l.compressed_digest);
			continue;
		}
		l.is_volatile = is_volatile;
		l.driver = driver;
		l.file = cs_xstrdup(file);
		*CS_PUSH(st->layers, st->n_layers, st->cap_layers) = l;
		cs_strmap_put(&st->layer_by_id, l.id, (void *)(uintptr_t)st->n_layers);
		kept++;
	}
	finish(c, &s, file, "layers", kept);
}

void pm_read_layers(pm_ctx *c, const char *driver)
{
	layers_file(c, driver, "layers.json", false);
	layers_file(c, driver, "volatile-layers.json", true);
}

const pm_layer *pm_layer_get(const pm_store *st, const char *id)
{
	void *p = id ? cs_strmap_get(&st->layer_by_id, id) : NULL;
	return p ? &st->layers[(uintptr_t)p - 1] : NULL;
}

/* --- images.json --- */

void pm_read_images(pm_ctx *c, const char *driver)
{
	pm_store *st = c->st;
	_cleanup_free_ char *file = pm_path(st, "%s-images/images.json", driver);
	cs_jscan s;
	_cleanup_free_ char *text = open_records(c, file, &s, "images", "no image of it is known");
	if (!text)
		return;
	size_t kept = 0;
	while (cs_jscan_element(&s)) {
		if (!cs_jscan_object(&s))
			continue;
		pm_image im = {.created = CS_TIME_NEVER};
		while (cs_jscan_member(&s)) {
			if (cs_jscan_is(&s, "id"))
				free(im.id), im.id = cs_jscan_string(&s);
			else if (cs_jscan_is(&s, "digest"))
				free(im.digest), im.digest = cs_jscan_string(&s);
			else if (cs_jscan_is(&s, "digests"))
				cs_strv_free(im.digests), im.digests = cs_jscan_strv(&s, CS_PM_MAX_STRV);
			else if (cs_jscan_is(&s, "names"))
				cs_strv_free(im.names), im.names = cs_jscan_strv(&s, CS_PM_MAX_STRV);
			else if (cs_jscan_is(&s, "names-history"))
				cs_strv_free(im.names_history), im.names_history = cs_jscan_strv(&s, CS_PM_MAX_STRV);
			else if (cs_jscan_is(&s, "layer"))
				free(im.top_layer), im.top_layer = cs_jscan_string(&s);
			else if (cs_jscan_is(&s, "mapped-layers"))
				cs_strv_free(im.mapped_layers), im.mapped_layers = cs_jscan_strv(&s, CS_PM_MAX_STRV);
			else if (cs_jscan_is(&s, "metadata"))
				free(im.metadata), im.metadata = cs_jscan_string(&s);
			else if (cs_jscan_is(&s, "big-data-names"))
				cs_strv_free(im.bigdata_names), im.bigdata_names = cs_jscan_strv(&s, CS_PM_MAX_STRV);
			else if (cs_jscan_is(&s, "big-data-sizes") && cs_jscan_object(&s)) {
				while (cs_jscan_member(&s)) {
					int64_t v = cs_jscan_int(&s, 0);
					if (v > 0 && im.bigdata_size < INT64_MAX - v)
						im.bigdata_size += v;
				}
			} else if (cs_jscan_is(&s, "created"))
				im.created = pm_jtime(&s);
			else
				cs_jscan_skip(&s);
		}
		bool ok = !s.err && pm_safe_name(im.id) && (!im.top_layer || pm_safe_name(im.top_layer)) &&
			  !cs_strmap_has(&st->image_by_id, im.id) && st->n_images < 1000000;
		if (!s.err && !ok)
			pm_warn(c, NULL, file, "`%s`: image `%s`: %s: skipped", file, im.id ? im.id : "(no id)",
				im.id && cs_strmap_has(&st->image_by_id, im.id) ? "listed twice"
				: "its id or layer is not a plain name");
		if (!ok) {
			free(im.id);
			free(im.digest);
			free(im.top_layer);
			free(im.metadata);
			cs_strv_free(im.digests);
			cs_strv_free(im.names);
			cs_strv_free(im.names_history);
			cs_strv_free(im.bigdata_names);
			cs_strv_free(im.mapped_layers);
			continue;
		}
		if (!im.names)
			im.names = cs_xcalloc(1, sizeof(char *));
		im.driver = driver;
		im.file = cs_xstrdup(file);
		*CS_PUSH(st->images, st->n_images, st->cap_images) = im;
		cs_strmap_put(&st->image_by_id, im.id, (void *)(uintptr_t)st->n_images);
		kept++;
	}
	finish(c, &s, file, "images", kept);
}

const pm_image *pm_image_get(const pm_store *st, const char *id)
{
	void *p = id ? cs_strmap_get(&st->image_by_id, id) : NULL;
	return p ? &st->images[(uintptr_t)p - 1] : NULL;
}

/* --- containers.json --- */

static void containers_file(pm_ctx *c, const char *driver, const char *name, bool is_volatile)
{
	pm_store *st = c->st;
	_cleanup_free_ char *file = pm_path(st, "%s-containers/%s", driver, name);
	cs_jscan s;
	_cleanup_free_ char *text = open_records(c, file, &s, "containers", "none of its records is known");
	if (!text)
		return;
	size_t kept = 0;
	while (cs_jscan_element(&s)) {
		if (!cs_jscan_object(&s))
			continue;
		pm_sctr x = {.created = CS_TIME_NEVER, .is_volatile = is_volatile};
		while (cs_jscan_member(&s)) {
			if (cs_jscan_is(&s, "id"))
				free(x.id), x.id = cs_jscan_string(&s);
			else if (cs_jscan_is(&s, "names"))
				cs_strv_free(x.names), x.names = cs_jscan_strv(&s, CS_PM_MAX_STRV);
			else if (cs_jscan_is(&s, "image"))
				free(x.image), x.image = cs_jscan_string(&s);
			else if (cs_jscan_is(&s, "layer"))
				free(x.layer), x.layer = cs_jscan_string(&s);
			else if (cs_jscan_is(&s, "metadata"))
				free(x.metadata), x.metadata = cs_jscan_string(&s);
			else if (cs_jscan_is(&s, "created"))
				x.created = pm_jtime(&s);
			else if (cs_jscan_is(&s, "uidmap"))
				pm_jidmap(&s, 'u', &x.ids);
			else if (cs_jscan_is(&s, "gidmap"))
				pm_jidmap(&s, 'g', &x.ids);
			else if (cs_jscan_is(&s, "flags") && cs_jscan_object(&s)) {
				while (cs_jscan_member(&s)) {
					if (cs_jscan_is(&s, "Volatile"))
						x.is_volatile = cs_jscan_bool(&s) || is_volatile;
					else if (cs_jscan_is(&s, "MountLabel"))
						free(x.mount_label), x.mount_label = cs_jscan_string(&s);
					else if (cs_jscan_is(&s, "ProcessLabel"))
						free(x.process_label), x.process_label = cs_jscan_string(&s);
					else
						cs_jscan_skip(&s);
				}
			} else
				cs_jscan_skip(&s);
		}
		bool dup = false;
		for (size_t i = 0; x.id && i < st->n_sctrs && !dup; i++)
			dup = strcmp(st->sctrs[i].id, x.id) == 0;
		bool ok = !s.err && pm_safe_name(x.id) && !dup && st->n_sctrs < 1000000;
		if (!s.err && !ok)
			pm_warn(c, NULL, file, "`%s`: container `%s`: %s: skipped", file, x.id ? x.id : "(no id)",
				dup ? "listed twice" : "its id is not a plain name");
		if (ok && x.layer && !pm_safe_name(x.layer)) {
			pm_warn(c, NULL, file, "`%s`: container %s: its layer `%s` is not a plain name: its files "
					       "are not located",
				file, x.id, x.layer);
			free(x.layer);
			x.layer = NULL;
		}
		if (!ok) {
			free(x.id);
			free(x.image);
			free(x.layer);
			free(x.metadata);
			cs_strv_free(x.names);
			free(x.mount_label);
			free(x.process_label);
			free(x.ids.v);
			continue;
		}
		if (!x.names)
			x.names = cs_xcalloc(1, sizeof(char *));
		x.driver = driver;
		x.file = cs_xstrdup(file);
		*CS_PUSH(st->sctrs, st->n_sctrs, st->cap_sctrs) = x;
		kept++;
	}
	finish(c, &s, file, "containers", kept);
}

void pm_read_containers(pm_ctx *c, const char *driver)
{
	containers_file(c, driver, "containers.json", false);
	containers_file(c, driver, "volatile-containers.json", true);
}

/* --- layer stacks --- */

char *pm_layer_dir(const pm_store *st, const char *id)
{
	const pm_layer *l = pm_layer_get(st, id);
	const char *drv = l ? l->driver : st->driver;
	if (drv && strcmp(drv, "vfs") == 0)
		return pm_path(st, "vfs/dir/%s", id);
	if (drv && strcmp(drv, "overlay") == 0)
		return pm_path(st, "overlay/%s/diff", id);
	return pm_path(st, "%s/%s", drv ? drv : "overlay", id);
}

/* Layer directories are shared by every container of an image: each is
 * looked at once. */
static bool dir_exists(pm_store *st, const char *p)
{
	void *v = cs_strmap_get(&st->dirs, p);
	if (v)
		return (uintptr_t)v == 1;
	cs_stat s;
	bool ok = cs_source_stat(st->src, p, false, &s, NULL) == 0 && S_ISDIR(s.mode);
	cs_strmap_put(&st->dirs, p, (void *)(uintptr_t)(ok ? 1 : 2));
	return ok;
}

/* `l/<short>` (or an absolute path to a layer's diff) of a `lower` file ->
 * the layer id; NULL with *why set when it leads anywhere else. */
static char *lower_entry(pm_ctx *c, const char *ent, char **why)
{
	pm_store *st = c->st;
	*why = NULL;
	if (ent[0] == '/') {
		_cleanup_free_ char *ov = cs_xasprintf("%s/overlay/", st->host_path);
		if (cs_str_startswith(ent, ov) && cs_str_endswith(ent, "/diff")) {
			const char *id = ent + strlen(ov);
			size_t l = strlen(id) - 5;
			char *x = cs_xstrndup(id, l);
			if (pm_safe_name(x))
				return x;
			free(x);
		}
		*why = cs_xasprintf("names `%s`, which is not a layer of this store", ent);
		return NULL;
	}
	if (!cs_str_startswith(ent, "l/") || !pm_safe_name(ent + 2)) {
		*why = cs_xasprintf("has the entry `%s`, which is not `l/<link>`", ent);
		return NULL;
	}
	_cleanup_free_ char *lp = pm_path(st, "overlay/%s", ent);
	char *t = NULL;
	cs_error e = {0};
	/* the links are shared by every layer above them: each is read once */
	if (cs_strmap_has(&st->links, ent)) {
		const char *cached = cs_strmap_get(&st->links, ent);
		if (!cached) {
			*why = cs_xasprintf("names `%s`, which cannot be read as a link", ent);
			return NULL;
		}
		t = cs_xstrdup(cached);
	} else if (cs_source_readlink(c->src, lp, &t, &e) < 0) {
		cs_strmap_put(&st->links, ent, NULL);
		*why = cs_xasprintf("names `%s`: %s", ent, e.msg);
		return NULL;
	} else {
		cs_strmap_put(&st->links, ent, cs_xstrdup(t));
	}
	/* ../<id>/diff, nothing else */
	if (cs_str_startswith(t, "../") && cs_str_endswith(t, "/diff") && strlen(t) > 8) {
		char *id = cs_xstrndup(t + 3, strlen(t) - 8);
		if (pm_safe_name(id)) {
			free(t);
			return id;
		}
		free(id);
	}
	*why = cs_xasprintf("names `%s`, a link to `%s`, outside the store's layers", ent, t);
	free(t);
	return NULL;
}

static void overlay_stack(pm_ctx *c, const char *top, cs_layer_stack *s, cs_problems *p, bool *incomplete)
{
	pm_store *st = c->st;
	_cleanup_free_ char *lf = pm_path(st, "overlay/%s/lower", top);
	char *text = NULL;
	size_t len = 0;
	cs_error e = {0};
	int r = cs_source_read_file(c->src, lf, 1 << 20, &text, &len, &e);
	const pm_layer *tl = pm_layer_get(st, top);
	if (r < 0) {
		if (r != -ENOENT)
			pm_warn(c, p, lf, "`%s`: %s", lf, e.msg);
		if (tl && tl->parent) {
			if (r == -ENOENT)
				pm_warn(c, p, lf,
					"layer %s: `%s` is missing although layers.json gives it a parent: the parent chain "
					"of layers.json is used",
					top, lf);
			cs_strmap seen = {0};
			cs_strmap_put(&seen, top, (void *)1);
			for (const pm_layer *l = pm_layer_get(st, tl->parent); l; l = pm_layer_get(st, l->parent)) {
				if (cs_strmap_has(&seen, l->id) || s->n > CS_PM_MAX_LAYERS) {
					pm_warn(c, p, l->file, "`%s`: the parents of layer %s form a cycle or a chain too "
							       "long: the layers below %s are not used",
						l->file, top, l->id);
					*incomplete = true;
					s->complete = false;
					break;
				}
				cs_strmap_put(&seen, l->id, (void *)1);
				_cleanup_free_ char *d = pm_layer_dir(st, l->id);
				cs_layer_stack_push(s, d, l->id, "image");
			}
			cs_strmap_free(&seen, NULL);
			const pm_layer *last = s->n > 1 ? pm_layer_get(st, s->v[s->n - 1].id) : NULL;
			if (last && last->parent && !pm_layer_get(st, last->parent)) {
				pm_warn(c, p, last->file, "`%s`: layer %s names the parent `%s`, which is not a layer of "
							  "the store: the layers below are unknown",
					last->file, last->id, last->parent);
				*incomplete = true;
				s->complete = false;
			}
		}
		return;
	}
	/* l/A:l/B:... top first, possibly with a trailing newline */
	size_t cnt = 0;
	char *save = NULL;
	for (char *tok = strtok_r(text, ":\n", &save); tok; tok = strtok_r(NULL, ":\n", &save)) {
		if (!*tok)
			continue;
		if (++cnt > CS_PM_MAX_LAYERS) {
			pm_warn(c, p, lf, "`%s`: more than %d lower layers: the rest are not used", lf, CS_PM_MAX_LAYERS);
			*incomplete = true;
			s->complete = false;
			break;
		}
		char *why = NULL;
		char *id = lower_entry(c, tok, &why);
		if (!id) {
			pm_warn(c, p, lf, "`%s` (lower layers of %s) %s: damage; the layers from there down are not used",
				lf, top, why);
			free(why);
			*incomplete = true;
			s->complete = false;
			break;
		}
		_cleanup_free_ char *d = pm_layer_dir(st, id);
		if (!dir_exists(st, d)) {
			pm_warn(c, p, d, "layer %s (below %s): its directory `%s` is missing", id, top, d);
			*incomplete = true;
			s->complete = false;
		}
		cs_layer_stack_push(s, d, id, "image");
		free(id);
	}
	free(text);
	/* the chain the kernel mounted should be the chain layers.json records */
	const pm_layer *l = tl ? pm_layer_get(st, tl->parent) : NULL;
	for (size_t i = 1; i < s->n && l; i++, l = pm_layer_get(st, l->parent))
		if (strcmp(s->v[i].id, l->id) != 0) {
			pm_warn(c, p, lf,
				"`%s` names layer %s where layers.json's parent chain of %s has %s: the lower file is "
				"followed (it is what the kernel mounted)",
				lf, s->v[i].id, top, l->id);
			break;
		}
}

void pm_layer_stack(pm_ctx *c, const char *layer_id, const char *top_role, cs_layer_stack *s, cs_problems *p,
		    bool *incomplete)
{
	pm_store *st = c->st;
	memset(s, 0, sizeof(*s));
	s->complete = true;
	const pm_layer *tl = pm_layer_get(st, layer_id);
	const char *drv = tl ? tl->driver : st->driver;
	s->driver = cs_xstrdup(drv);
	s->whiteouts = CS_WH_OVERLAY;
	if (!tl) {
		_cleanup_free_ char *lj = pm_path(st, "%s-layers/layers.json", drv);
		pm_warn(c, p, lj, "layer %s is not in `%s`: its parents are unknown", layer_id, lj);
		*incomplete = true;
		s->complete = false;
	}
	_cleanup_free_ char *top = pm_layer_dir(st, layer_id);
	if (!dir_exists(st, top)) {
		pm_warn(c, p, top, "layer %s: its directory `%s` is missing", layer_id, top);
		*incomplete = true;
		s->complete = false;
	}
	cs_layer_stack_push(s, top, layer_id, top_role);
	if (tl && tl->incomplete) {
		pm_warn(c, p, tl->file, "`%s`: layer %s is flagged incomplete (its extraction was cut short)",
			tl->file, layer_id);
		*incomplete = true;
	}
	if (strcmp(drv, "overlay") == 0) {
		s->whiteouts = st->mount_program ? CS_WH_FUSE : CS_WH_OVERLAY;
		s->upper_diff = !st->mount_program;
		overlay_stack(c, layer_id, s, p, incomplete);
	} else if (strcmp(drv, "vfs") == 0) {
		s->flat = true;
		if (tl && tl->parent) {
			_cleanup_free_ char *pd = pm_layer_dir(st, tl->parent);
			cs_layer_stack_push(s, pd, tl->parent, "image");
		}
	} else {
		pm_warn(c, p, top, "layer %s: storage driver `%s` is not one csleuth reconstructs", layer_id, drv);
		*incomplete = true;
		s->complete = false;
	}
}
