/* ctrd_snap.c - snapshotters: their metadata.db and the layer stacks.
 *
 * Two key spaces meet here. meta.db names a snapshot by the key its client
 * chose (a chain id for an image layer, the container id for CRI and Docker
 * 29 containers, anything for ctr) under v1/<ns>/snapshots/<snapshotter>/;
 * that record's `name` ("<ns>/<seq>/<key>") is the key of the snapshotter's
 * own record in its metadata.db, which holds the id (-> snapshots/<id>), the
 * kind and the parent's *snapshotter* name. Parents are followed nearest
 * first, which is the kernel's lowerdir order; a chain that returns to a
 * name already seen, or grows past CS_CTRD_MAX_LAYERS, stops with a problem.
 * A snapshotter's metadata.db is read once, on first use, into a map.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "engines/containerd/ctrd_internal.h"
#include "formats/gotime.h"
#include "formats/protowire.h"

void cd_warn(cd_ctx *c, cs_problems *p, const char *file, const char *fmt, ...)
{
	char msg[CS_ERRMSG_MAX + 256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cs_problems_add(p ? p : &c->dr->problems, file, msg);
	c->dr->n_warnings++;
	if (c->diag) {
		cs_diag d = {.severity = CS_WARN, .file = file, .msg = msg};
		c->diag(c->diag_ud, &d);
	}
}

char *cd_path(const cd_root *r, const char *fmt, ...)
{
	va_list ap;
	char *rel = NULL;
	va_start(ap, fmt);
	if (vasprintf(&rel, fmt, ap) < 0)
		abort();
	va_end(ap);
	char *p = cs_path_join(r->path, rel);
	free(rel);
	return p;
}

char *cd_bstr(const cs_bolt_bucket *b, const char *key)
{
	const uint8_t *v;
	size_t l;
	if (cs_bolt_get_str(b, key, &v, &l, NULL) != 1 || l == 0)
		return NULL;
	return cs_xstrndup((const char *)v, l);
}

cs_time cd_btime(const cs_bolt_bucket *b, const char *key)
{
	const uint8_t *v;
	size_t l;
	if (cs_bolt_get_str(b, key, &v, &l, NULL) != 1)
		return CS_TIME_NEVER;
	cs_time t;
	if (cs_gotime_decode(v, l, &t, NULL) < 0)
		return CS_TIME_INVALID;
	return t;
}

int64_t cd_bvarint(const cs_bolt_bucket *b, const char *key, int64_t def)
{
	const uint8_t *v;
	size_t l;
	int64_t x;
	if (cs_bolt_get_str(b, key, &v, &l, NULL) != 1 || cs_go_varint(v, l, &x) < 0)
		return def;
	return x;
}

static bool plain_word(const char *s)
{
	if (!*s || strlen(s) >= 32)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' || *s == '.'))
			return false;
	return true;
}

static void snapinfo_free(void *p)
{
	cd_snapinfo *s = p;
	if (!s)
		return;
	free(s->name);
	free(s->parent);
	free(s);
}

typedef struct loadctx {
	cd_snapshotter *s;
	const cs_bolt_bucket *parent;
} loadctx;

static int load_one(void *ud, const uint8_t *k, size_t kl, const uint8_t *v, size_t vl, bool isb)
{
	loadctx *l = ud;
	if (!isb)
		return 0;
	cs_bolt_bucket b;
	if (cs_bolt_bucket_from(l->parent, v, vl, &b, NULL) < 0)
		return 0;
	cd_snapinfo *si = cs_xcalloc(1, sizeof(*si));
	si->name = cs_xstrndup((const char *)k, kl);
	const uint8_t *x;
	size_t xl;
	uint64_t id;
	si->id = UINT64_MAX;
	if (cs_bolt_get_str(&b, "id", &x, &xl, NULL) == 1 && cs_go_uvarint(x, xl, &id) == 0)
		si->id = id;
	if (cs_bolt_get_str(&b, "kind", &x, &xl, NULL) == 1 && xl == 1)
		si->kind = x[0];
	si->parent = cd_bstr(&b, "parent");
	si->created = cd_btime(&b, "createdat");
	si->updated = cd_btime(&b, "updatedat");
	si->size = cd_bvarint(&b, "size", -1);
	si->inodes = cd_bvarint(&b, "inodes", -1);
	snapinfo_free(cs_strmap_put(&l->s->by_name, si->name, si));
	return 0;
}

static void load_snapshotter(cd_root *r, cd_snapshotter *s)
{
	s->loaded = true;
	_cleanup_free_ char *p = cs_path_join(s->dir, "metadata.db");
	cs_error e = {0};
	cs_bolt *db = NULL;
	if (cs_bolt_open(r->src, p, &db, &e) < 0) {
		s->err = cs_xstrdup(e.msg);
		return;
	}
	cs_bolt_bucket root, v1, snaps;
	cs_bolt_root(db, &root);
	int k = cs_bolt_bucket_open(&root, "v1", &v1, &e);
	if (k == 1)
		k = cs_bolt_bucket_open(&v1, "snapshots", &snaps, &e);
	if (k == 1) {
		loadctx l = {.s = s, .parent = &snaps};
		if (cs_bolt_foreach(&snaps, load_one, &l, &e) < 0)
			s->err = cs_xasprintf("%s: the snapshots after the damage are not known", e.msg);
	} else if (k == 0) {
		s->err = cs_xasprintf("`%s`: no v1/snapshots bucket", p);
	} else {
		s->err = cs_xstrdup(e.msg);
	}
	cs_bolt_close(db);
}

cd_snapshotter *cd_snapshotter_get(cd_root *r, const char *name)
{
	if (!plain_word(name))
		return NULL;
	for (size_t i = 0; i < r->n_snaps; i++)
		if (strcmp(r->snaps[i].name, name) == 0) {
			if (!r->snaps[i].loaded)
				load_snapshotter(r, &r->snaps[i]);
			return &r->snaps[i];
		}
	if (r->n_snaps >= CS_ARRAY_SIZE(r->snaps))
		return NULL;
	cd_snapshotter *s = &r->snaps[r->n_snaps++];
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->dir = cd_path(r, "io.containerd.snapshotter.v1.%s", name);
	load_snapshotter(r, s);
	return s;
}

/* meta.db v1/<ns>/snapshots/<snapshotter>/<key>/name */
static char *meta_snapshot_name(cd_root *r, const char *ns, const char *snapshotter, const char *key)
{
	if (!r->meta)
		return NULL;
	cs_bolt_bucket b;
	cs_bolt_root(r->meta, &b);
	const char *path[] = {"v1", ns, "snapshots", snapshotter, key};
	for (size_t i = 0; i < CS_ARRAY_SIZE(path); i++)
		if (cs_bolt_bucket_open(&b, path[i], &b, NULL) != 1)
			return NULL;
	return cd_bstr(&b, "name");
}

const cd_snapinfo *cd_snapshot(cd_root *r, const char *ns, const char *snapshotter, const char *key)
{
	cd_snapshotter *s = cd_snapshotter_get(r, snapshotter);
	if (!s)
		return NULL;
	_cleanup_free_ char *name = meta_snapshot_name(r, ns, snapshotter, key);
	return name ? cs_strmap_get(&s->by_name, name) : NULL;
}

static bool dir_present(cd_root *r, const char *path)
{
	void *seen = cs_strmap_get(&r->dirs_seen, path);
	if (!seen) {
		cs_stat st;
		bool ok = cs_source_stat(r->src, path, true, &st, NULL) == 0 && S_ISDIR(st.mode);
		seen = (void *)(uintptr_t)(ok ? 1 : 2);
		cs_strmap_put(&r->dirs_seen, path, seen);
	}
	return seen == (void *)1;
}

/* "<ns>/<seq>/<key>" -> key */
static const char *key_of(const char *name)
{
	const char *a = strchr(name, '/');
	const char *b = a ? strchr(a + 1, '/') : NULL;
	return b ? b + 1 : name;
}

int cd_stack(cd_root *r, const char *ns, const char *snapshotter, const char *key, const char *top_role,
	     cs_layer_stack *ret, cs_problems *p, cs_error *e)
{
	memset(ret, 0, sizeof(*ret));
	cd_snapshotter *s = cd_snapshotter_get(r, snapshotter);
	if (!s)
		return cs_err(e, -ENOENT, "snapshotter `%s` is not one csleuth reads", snapshotter);
	_cleanup_free_ char *name = meta_snapshot_name(r, ns, snapshotter, key);
	if (!name)
		return cs_err(e, -ENOENT, "`%s`: no snapshot `%s` of %s in namespace %s", r->meta_path, key,
			      snapshotter, ns);
	bool native = strcmp(snapshotter, "native") == 0;
	ret->driver = cs_xstrdup(snapshotter);
	ret->whiteouts = CS_WH_OVERLAY;
	ret->complete = true;
	if (s->err) {
		_cleanup_free_ char *f = cs_path_join(s->dir, "metadata.db");
		cs_problems_add(p, f, s->err);
		ret->complete = false;
		if (!cs_strmap_get(&s->by_name, name))
			return 0;
	}
	cs_strmap seen = {0};
	_cleanup_free_ char *init_key = cs_xasprintf("%s-init", key);
	const char *cur = name;
	_cleanup_free_ char *dbp = cs_path_join(s->dir, "metadata.db");
	while (cur) {
		if (cs_strmap_has(&seen, cur)) {
			char *m = cs_xasprintf("`%s`: the parents of snapshot `%s` form a cycle at `%s`: the layers "
					       "below are unknown", dbp, name, cur);
			cs_problems_add(p, dbp, m);
			free(m);
			ret->complete = false;
			break;
		}
		if (ret->n >= CS_CTRD_MAX_LAYERS) {
			char *m = cs_xasprintf("`%s`: snapshot `%s` has more than %d parents: the rest are ignored",
					       dbp, name, CS_CTRD_MAX_LAYERS);
			cs_problems_add(p, dbp, m);
			free(m);
			ret->complete = false;
			break;
		}
		cs_strmap_put(&seen, cur, (void *)1);
		const cd_snapinfo *si = cs_strmap_get(&s->by_name, cur);
		if (!si || si->id == UINT64_MAX) {
			char *m = cs_xasprintf("`%s`: snapshot `%s` %s: the layers from there down are unknown", dbp,
					       cur, si ? "has no id" : "is missing");
			cs_problems_add(p, dbp, m);
			free(m);
			ret->complete = false;
			break;
		}
		char idbuf[24];
		snprintf(idbuf, sizeof(idbuf), "%" PRIu64, si->id);
		char *dir = native ? cs_xasprintf("%s/snapshots/%s", s->dir, idbuf)
				   : cs_xasprintf("%s/snapshots/%s/fs", s->dir, idbuf);
		const char *k = key_of(cur);
		const char *role = ret->n == 0 ? (top_role ? top_role : "container")
				   : strcmp(k, init_key) == 0 ? "init" : "image";
		if (!dir_present(r, dir)) {
			char *m = cs_xasprintf("snapshot `%s` (id %s): its directory `%s` is missing", k, idbuf, dir);
			cs_problems_add(p, dir, m);
			free(m);
			ret->complete = false;
		}
		cs_layer_stack_push(ret, dir, idbuf, role);
		free(dir);
		if (native)
			break; /* a native snapshot is a whole copy of its tree */
		cur = si->parent;
	}
	cs_strmap_free(&seen, NULL);
	return 0;
}

void cd_root_free(void *p)
{
	cd_root *r = p;
	if (!r)
		return;
	cs_bolt_close(r->meta);
	for (size_t i = 0; i < r->n_snaps; i++) {
		free(r->snaps[i].dir);
		free(r->snaps[i].err);
		cs_strmap_free(&r->snaps[i].by_name, snapinfo_free);
	}
	cs_strmap_free(&r->dirs_seen, NULL);
	for (size_t i = 0; i < r->n_logs_links; i++)
		free(r->logs_links[i]);
	free(r->logs_links);
	free(r->path);
	free(r->meta_path);
	free(r->sysroot_prefix);
	free(r);
}
