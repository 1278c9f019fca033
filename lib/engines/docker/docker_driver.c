/* docker_driver.c - where each storage driver keeps layer files, and how a
 * container's layer stack is assembled (top first).
 *
 * overlay2: overlay2/<mount-id>/diff is the container's own layer; its
 *   `lower` file lists l/<short> links, top first, colon-separated, starting
 *   with the <mount-id>-init layer. l/<short> -> ../<cache-id>/diff. When the
 *   l/ links did not survive a copy, the <cache-id>/link files give the map.
 * overlay (legacy): overlay/<mount-id>/upper (already holding the init
 *   layer's files, copied at create time) over overlay/<lower-id>/root, a
 *   full copy of the image's tree.
 * aufs: aufs/diff/<mount-id> over the layers named in aufs/layers/<mount-id>.
 * vfs: vfs/dir/<mount-id> is a full copy.
 * Names read from `lower`, `lower-id` and aufs/layers are evidence: they are
 * checked to be plain names (no '/', no "..") before use.
 */
#include <string.h>

#include "engines/docker/docker_internal.h"

static bool plain_name(const char *s)
{
	return *s && !strchr(s, '/') && strcmp(s, ".") != 0 && strcmp(s, "..") != 0;
}

char *dk_image_layer_dir(dk_ctx *c, const char *driver, const char *cache_id)
{
	if (!plain_name(cache_id))
		return NULL;
	if (strcmp(driver, "overlay2") == 0 || strcmp(driver, "fuse-overlayfs") == 0)
		return dk_path(c, "%s/%s/diff", driver, cache_id);
	if (strcmp(driver, "overlay") == 0) {
		char *root = dk_path(c, "overlay/%s/root", cache_id);
		if (cs_source_exists(c->src, root))
			return root;
		free(root);
		return dk_path(c, "overlay/%s/upper", cache_id);
	}
	if (strcmp(driver, "aufs") == 0)
		return dk_path(c, "aufs/diff/%s", cache_id);
	if (strcmp(driver, "vfs") == 0)
		return dk_path(c, "vfs/dir/%s", cache_id);
	if (strcmp(driver, "btrfs") == 0)
		return dk_path(c, "btrfs/subvolumes/%s", cache_id);
	return NULL;
}

static void push_layer(cs_layer_stack *s, char *path, const char *id, const char *role)
{
	cs_layer_stack_push(s, path, id, role);
	free(path);
}

/* What a layer directory is: 1 a directory, 2 missing, 3 a symbolic link
 * (followed inside the evidence) to a directory, 4 one to nothing. */
enum { DIR_OK = 1, DIR_MISSING = 2, DIR_LINK = 3, DIR_LINK_MISSING = 4 };

static void check_dir(dk_ctx *c, cs_container *ct, const char *path, const char *what)
{
	/* image layers are shared by many containers: stat each once */
	uintptr_t seen = (uintptr_t)cs_strmap_get(&c->dirs_seen, path);
	if (!seen) {
		cs_stat st, lst;
		bool link = cs_source_stat(c->src, path, false, &lst, NULL) == 0 && S_ISLNK(lst.mode);
		bool ok = cs_source_stat(c->src, path, true, &st, NULL) == 0 && S_ISDIR(st.mode);
		seen = link ? (ok ? DIR_LINK : DIR_LINK_MISSING) : (ok ? DIR_OK : DIR_MISSING);
		cs_strmap_put(&c->dirs_seen, path, (void *)seen);
	}
	if (seen == DIR_LINK || seen == DIR_LINK_MISSING) {
		/* the engine makes layer directories, never links: tampering */
		char *t = NULL;
		(void)cs_source_readlink(c->src, path, &t, NULL);
		dk_warn(c, &ct->problems, path,
			"container %s: %s `%s` is a symbolic link (to `%s`), which the engine never "
			"makes; %s",
			ct->id, what, path, t ? t : "?",
			seen == DIR_LINK ? "followed inside the evidence" : "it leads nowhere");
		free(t);
	}
	if (seen == DIR_MISSING || seen == DIR_LINK_MISSING) {
		if (seen == DIR_MISSING)
			dk_warn(c, &ct->problems, path, "container %s: %s `%s` is missing", ct->id,
				what, path);
		ct->layers.complete = false;
		ct->incomplete = true;
	}
}

static void ov2_scan_links(dk_ctx *c)
{
	c->ov2_scanned = true;
	_cleanup_free_ char *p = dk_path(c, "overlay2");
	cs_dirent *d;
	size_t n;
	if (cs_source_list(c->src, p, &d, &n, NULL) < 0)
		return;
	size_t cap = 0, cap2 = 0, n2 = 0;
	for (size_t i = 0; i < n; i++) {
		if (!plain_name(d[i].name) || strcmp(d[i].name, "l") == 0)
			continue;
		_cleanup_free_ char *lp = dk_path(c, "overlay2/%s/link", d[i].name);
		char *link;
		if (dk_read_small(c, lp, &link, NULL) < 0)
			continue;
		*CS_PUSH(c->ov2_links, c->n_ov2, cap) = link;
		*CS_PUSH(c->ov2_ids, n2, cap2) = cs_xstrdup(d[i].name);
	}
	/* NULL-terminate for cs_strv_free */
	*CS_PUSH(c->ov2_links, c->n_ov2, cap) = NULL;
	c->n_ov2--;
	*CS_PUSH(c->ov2_ids, n2, cap2) = NULL;
	cs_dirents_free(d, n);
}

static char *ov2_link_target_uncached(dk_ctx *c, const char *shortname);

/* Maps an overlay2 short link name to its cache id. Owned or NULL. */
static char *ov2_link_target(dk_ctx *c, const char *shortname)
{
	if (cs_strmap_has(&c->links, shortname))
		return cs_xstrdup(cs_strmap_get(&c->links, shortname));
	char *id = ov2_link_target_uncached(c, shortname);
	cs_strmap_put(&c->links, shortname, cs_xstrdup(id));
	return id;
}

static char *ov2_link_target_uncached(dk_ctx *c, const char *shortname)
{
	_cleanup_free_ char *lp = dk_path(c, "overlay2/l/%s", shortname);
	_cleanup_free_ char *t = NULL;
	if (cs_source_readlink(c->src, lp, &t, NULL) == 0) {
		/* expected: ../<cache-id>/diff */
		char *id = NULL;
		if (cs_str_startswith(t, "../") && cs_str_endswith(t, "/diff") && strlen(t) > 8) {
			id = cs_xstrndup(t + 3, strlen(t) - 3 - 5);
			if (!plain_name(id)) {
				free(id);
				id = NULL;
			}
		}
		if (id)
			return id;
	}
	if (!c->ov2_scanned)
		ov2_scan_links(c);
	char *found = NULL;
	for (size_t i = 0; i < c->n_ov2 && !found; i++)
		if (strcmp(c->ov2_links[i], shortname) == 0)
			found = cs_xstrdup(c->ov2_ids[i]);
	if (t) {
		/* a link the engine would not have made: say so, whatever the
		 * layer's own link file says */
		if (found)
			dk_warn(c, NULL, lp,
				"`%s` points to `%s`, not to `../<layer>/diff` as the engine makes "
				"it: the layer is taken from overlay2/%s/link instead",
				lp, t, found);
		else
			dk_warn(c, NULL, lp,
				"`%s` points to `%s`, not to `../<layer>/diff` as the engine makes "
				"it, and no layer's link file names it",
				lp, t);
	}
	return found;
}

static void overlay2_stack(dk_ctx *c, cs_container *ct)
{
	cs_layer_stack *s = &ct->layers;
	push_layer(s, dk_path(c, "overlay2/%s/diff", ct->mount_id), ct->mount_id, "container");
	check_dir(c, ct, s->v[0].path, "container layer");
	_cleanup_free_ char *lowerp = dk_path(c, "overlay2/%s/lower", ct->mount_id);
	char *lower;
	cs_error err;
	if (dk_read_small(c, lowerp, &lower, &err) < 0) {
		if (err.code == -ENOENT) {
			/* a container always has at least its init layer below */
			dk_warn(c, &ct->problems, lowerp, "container %s: `%s` is missing: lower layers unknown",
				ct->id, lowerp);
		} else {
			dk_warn(c, &ct->problems, lowerp, "container %s: %s", ct->id, err.msg);
		}
		s->complete = false;
		ct->incomplete = true;
		return;
	}
	char *save = NULL;
	size_t count = 0;
	for (char *tok = strtok_r(lower, ":", &save); tok; tok = strtok_r(NULL, ":", &save)) {
		if (++count > CS_DOCKER_MAX_LAYERS) {
			dk_warn(c, &ct->problems, lowerp, "`%s`: more than %d layers, the rest ignored",
				lowerp, CS_DOCKER_MAX_LAYERS);
			s->complete = false;
			ct->incomplete = true;
			break;
		}
		const char *name = cs_str_startswith(tok, "l/") ? tok + 2 : tok;
		if (!plain_name(name)) {
			dk_warn(c, &ct->problems, lowerp, "`%s`: bad layer entry `%s`", lowerp, tok);
			s->complete = false;
			ct->incomplete = true;
			continue;
		}
		char *id = ov2_link_target(c, name);
		if (!id) {
			dk_warn(c, &ct->problems, lowerp, "`%s`: layer `%s` is missing (no such link or layer)",
				lowerp, tok);
			s->complete = false;
			ct->incomplete = true;
			continue;
		}
		bool init = ct->init_id ? strcmp(id, ct->init_id) == 0 : cs_str_endswith(id, "-init");
		push_layer(s, dk_path(c, "overlay2/%s/diff", id), id, init ? "init" : "image");
		check_dir(c, ct, s->v[s->n - 1].path, "layer");
		free(id);
	}
	free(lower);
}

static void overlay_stack(dk_ctx *c, cs_container *ct)
{
	cs_layer_stack *s = &ct->layers;
	push_layer(s, dk_path(c, "overlay/%s/upper", ct->mount_id), ct->mount_id, "container");
	check_dir(c, ct, s->v[0].path, "container layer");
	_cleanup_free_ char *lp = dk_path(c, "overlay/%s/lower-id", ct->mount_id);
	char *lower = NULL;
	cs_error err = {0};
	if (dk_read_small(c, lp, &lower, &err) < 0 || !plain_name(lower)) {
		if (err.code) /* the message names the file */
			dk_warn(c, &ct->problems, lp, "container %s: %s", ct->id, err.msg);
		else
			dk_warn(c, &ct->problems, lp, "container %s: `%s`: bad layer id `%s`", ct->id,
				lp, lower);
		free(lower);
		s->complete = false;
		ct->incomplete = true;
		return;
	}
	/* The init layer's files were copied into the container's upper dir when
	 * it was created; stacking the init layer below changes nothing in the
	 * merged view, and the layers below the container's own are then what
	 * the engine compares against (docker diff). */
	if (ct->init_id && plain_name(ct->init_id)) {
		char *ip = dk_path(c, "overlay/%s/upper", ct->init_id);
		if (cs_source_exists(c->src, ip))
			push_layer(s, ip, ct->init_id, "init");
		else
			free(ip);
	}
	push_layer(s, dk_path(c, "overlay/%s/root", lower), lower, "image");
	check_dir(c, ct, s->v[s->n - 1].path, "layer");
	free(lower);
}

static void aufs_stack(dk_ctx *c, cs_container *ct)
{
	cs_layer_stack *s = &ct->layers;
	push_layer(s, dk_path(c, "aufs/diff/%s", ct->mount_id), ct->mount_id, "container");
	check_dir(c, ct, s->v[0].path, "container layer");
	_cleanup_free_ char *lp = dk_path(c, "aufs/layers/%s", ct->mount_id);
	char *text;
	size_t len;
	cs_error err;
	if (cs_source_read_file(c->src, lp, CS_DOCKER_MAX_CONFIG, &text, &len, &err) < 0) {
		dk_warn(c, &ct->problems, lp, "container %s: %s", ct->id, err.msg);
		s->complete = false;
		ct->incomplete = true;
		return;
	}
	char *save = NULL;
	for (char *tok = strtok_r(text, "\n", &save); tok; tok = strtok_r(NULL, "\n", &save)) {
		if (!*tok)
			continue;
		if (s->n > CS_DOCKER_MAX_LAYERS || !plain_name(tok)) {
			dk_warn(c, &ct->problems, lp, "`%s`: bad or excess layer entry", lp);
			s->complete = false;
			ct->incomplete = true;
			break;
		}
		bool init = cs_str_endswith(tok, "-init");
		push_layer(s, dk_path(c, "aufs/diff/%s", tok), tok, init ? "init" : "image");
		check_dir(c, ct, s->v[s->n - 1].path, "layer");
	}
	free(text);
}

void dk_container_layers(dk_ctx *c, cs_container *ct)
{
	cs_layer_stack *s = &ct->layers;
	s->driver = cs_xstrdup(ct->driver);
	s->whiteouts = dk_driver_whiteouts(ct->driver);
	s->complete = true;
	if (!ct->driver || !ct->mount_id) {
		s->complete = false;
		return;
	}
	if (strcmp(ct->driver, "overlay2") == 0) {
		overlay2_stack(c, ct);
	} else if (strcmp(ct->driver, "overlay") == 0) {
		overlay_stack(c, ct);
	} else if (strcmp(ct->driver, "aufs") == 0) {
		aufs_stack(c, ct);
	} else if (strcmp(ct->driver, "vfs") == 0) {
		push_layer(s, dk_path(c, "vfs/dir/%s", ct->mount_id), ct->mount_id, "container");
		check_dir(c, ct, s->v[0].path, "container layer");
	} else {
		dk_warn(c, &ct->problems, ct->dir,
			"container %s: storage driver `%s` is not supported: its files are not "
			"reconstructed",
			ct->id, ct->driver);
		s->complete = false;
	}
}

cs_whiteout_format dk_driver_whiteouts(const char *driver)
{
	return driver && strcmp(driver, "aufs") == 0 ? CS_WH_AUFS : CS_WH_OVERLAY;
}
