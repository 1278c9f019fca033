/* changes.c - see changes.h. */
#include "fs/changes.h"

#include <string.h>
#include <sys/stat.h>

#include "base/strmap.h"

typedef struct ctx {
	const cs_tree *old, *new;
	cs_change *v;
	size_t n, cap;
	unsigned depth;
} ctx;

static void push(ctx *c, const cs_tree *t, uint32_t node, cs_change_kind kind, uint32_t newn,
		 uint32_t oldn)
{
	cs_change *x = CS_PUSH(c->v, c->n, c->cap);
	x->path = cs_tree_path(t, node);
	x->kind = kind;
	x->node = newn;
	x->old_node = oldn;
}

static bool same_fs_time(cs_time a, cs_time b)
{
	int64_t as = a / 1000000000, an = a % 1000000000;
	int64_t bs = b / 1000000000, bn = b % 1000000000;
	return as == bs && (an == bn || an == 0 || bn == 0);
}

static bool stat_different(const cs_stat *o, const cs_stat *n)
{
	if (o->mode != n->mode || o->uid != n->uid || o->gid != n->gid ||
	    o->rdev_major != n->rdev_major || o->rdev_minor != n->rdev_minor)
		return true;
	if (!S_ISDIR(o->mode) && (!same_fs_time(o->mtime, n->mtime) || o->size != n->size))
		return true;
	return false;
}

static bool capability_different(ctx *c, uint32_t on, uint32_t nn)
{
	cs_xattr *a = NULL, *b = NULL;
	size_t na = 0, nb = 0;
	(void)cs_tree_xattrs(c->old, on, &a, &na, NULL);
	(void)cs_tree_xattrs(c->new, nn, &b, &nb, NULL);
	const cs_xattr *ca = NULL, *cb = NULL;
	for (size_t i = 0; i < na; i++)
		if (strcmp(a[i].name, "security.capability") == 0)
			ca = &a[i];
	for (size_t i = 0; i < nb; i++)
		if (strcmp(b[i].name, "security.capability") == 0)
			cb = &b[i];
	bool diff = (ca == NULL) != (cb == NULL) ||
		    (ca && (ca->len != cb->len || memcmp(ca->value, cb->value, ca->len) != 0));
	cs_xattrs_free(a, na);
	cs_xattrs_free(b, nb);
	return diff;
}

/* moby pkg/archive FileInfo.addChanges, over two trees */
static void add_changes(ctx *c, uint32_t nn, uint32_t on, bool added)
{
	const cs_tnode *n = cs_tree_node(c->new, nn);
	size_t at_entry = c->n;
	if (on == UINT32_MAX) {
		push(c, c->new, nn, CS_CHANGE_ADD, nn, UINT32_MAX);
		added = true;
	}
	if (++c->depth > CS_TREE_MAX_DEPTH + 1) {
		c->depth--;
		return;
	}
	const cs_tnode *o = on != UINT32_MAX ? cs_tree_node(c->old, on) : NULL;
	bool isdir = S_ISDIR(n->st.mode);
	bool compare_old = o && isdir && S_ISDIR(o->st.mode);
	/* both child lists are sorted: merge them */
	uint32_t i = n->child0, ie = n->child0 + n->nchild;
	uint32_t j = compare_old ? o->child0 : 0, je = compare_old ? o->child0 + o->nchild : 0;
	while (i < ie || j < je) {
		int cmp = i >= ie ? 1 : j >= je ? -1
				       : strcmp(cs_tree_node(c->new, i)->name, cs_tree_node(c->old, j)->name);
		if (cmp < 0) {
			add_changes(c, i, UINT32_MAX, false);
			i++;
		} else if (cmp > 0) {
			push(c, c->old, j, CS_CHANGE_DELETE, UINT32_MAX, j);
			j++;
		} else {
			bool child_added = false;
			const cs_tnode *nc = cs_tree_node(c->new, i), *oc = cs_tree_node(c->old, j);
			if (stat_different(&oc->st, &nc->st) || capability_different(c, j, i)) {
				push(c, c->new, i, CS_CHANGE_MODIFY, i, j);
				child_added = true;
			}
			add_changes(c, i, j, child_added);
			i++;
			j++;
		}
	}
	c->depth--;
	if (c->n > at_entry && isdir && !added && nn != 0) {
		/* a directory holding changes is changed itself, listed first */
		cs_change x = {.path = cs_tree_path(c->new, nn), .kind = CS_CHANGE_MODIFY, .node = nn,
			       .old_node = on};
		CS_PUSH(c->v, c->n, c->cap);
		memmove(&c->v[at_entry + 1], &c->v[at_entry], (c->n - 1 - at_entry) * sizeof(cs_change));
		c->v[at_entry] = x;
	}
}

static int cmp_change(const void *a, const void *b)
{
	return strcmp(((const cs_change *)a)->path, ((const cs_change *)b)->path);
}

int cs_changes(const cs_tree *old_tree, const cs_tree *new_tree, cs_change **ret, size_t *ret_n,
	       cs_error *e)
{
	(void)e;
	ctx c = {.old = old_tree, .new = new_tree};
	add_changes(&c, 0, old_tree ? 0 : UINT32_MAX, old_tree == NULL);
	if (!old_tree && c.n > 0 && strcmp(c.v[0].path, "/") == 0) {
		/* the root itself is never a change */
		free(c.v[0].path);
		memmove(&c.v[0], &c.v[1], (c.n - 1) * sizeof(cs_change));
		c.n--;
	}
	if (c.n > 1)
		qsort(c.v, c.n, sizeof(cs_change), cmp_change);
	*ret = c.v;
	*ret_n = c.n;
	return 0;
}

void cs_changes_free(cs_change *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(c[i].path);
	free(c);
}

/* --- containers/storage's overlay diff: the container's own layer walked ---
 *
 * pkg/archive OverlayChanges: the upper directory is walked in lexical
 * pre-order. A char 0/0 device deletes its name. An opaque directory is a
 * deletion of the directory when a lower layer has that path (and no
 * whiteout of it or of a parent there came first). Anything else is added,
 * unless a lower layer has the path (and no whiteout of it or of a parent
 * stops the scan there), where it is changed; a directory whose size, mode
 * and mtime equal the lower one's is no change at all. Each addition or
 * deletion lists its ancestors not yet listed as changed, top down. Lower
 * entries are looked at with lstat, a symlink's target type taken inside
 * the evidence (the engine's os.Stat follows links on the live host). */

typedef struct uctx {
	cs_source *src;
	const cs_layer_dir *layers;
	size_t n;
	cs_change *v;
	size_t nv, cap;
	cs_strmap changed_dirs;
	const cs_tree *old_tree, *new_tree;
} uctx;

static int lower_stat(uctx *u, size_t layer, const char *path, cs_stat *st)
{
	_cleanup_free_ char *p = cs_xasprintf("%s%s", u->layers[layer].path, path);
	if (cs_source_stat(u->src, p, false, st, NULL) < 0)
		return -1;
	if (S_ISLNK(st->mode)) {
		cs_stat t;
		if (cs_source_stat(u->src, p, true, &t, NULL) == 0)
			*st = t;
	}
	return 0;
}

static bool is_whiteout_st(const cs_stat *st)
{
	return S_ISCHR(st->mode) && st->rdev_major == 0 && st->rdev_minor == 0;
}

/* A whiteout of path or of one of its parents in a lower layer. */
static bool lower_whiteout(uctx *u, size_t layer, const char *path)
{
	_cleanup_free_ char *d = cs_xstrdup(path);
	for (;;) {
		cs_stat st;
		if (lower_stat(u, layer, d, &st) == 0 && is_whiteout_st(&st))
			return true;
		char *sl = strrchr(d, '/');
		if (!sl || sl == d)
			return false;
		*sl = '\0';
	}
}

static void upush(uctx *u, const char *path, cs_change_kind kind)
{
	cs_change *x = CS_PUSH(u->v, u->nv, u->cap);
	x->path = cs_xstrdup(path);
	x->kind = kind;
	x->node = x->old_node = UINT32_MAX;
}

static void upper_entry(uctx *u, const char *path, const cs_stat *f, const char *evpath)
{
	cs_change_kind kind = CS_CHANGE_ADD;
	bool deleted = false;
	if (is_whiteout_st(f)) {
		deleted = true;
	} else if (S_ISDIR(f->mode) && u->n > 1 && cs_overlay_is_opaque(u->src, evpath)) {
		for (size_t L = 1; L < u->n; L++) {
			cs_stat st;
			if (lower_stat(u, L, path, &st) == 0) {
				deleted = !is_whiteout_st(&st);
				break;
			}
			if (lower_whiteout(u, L, path))
				break;
		}
	}
	if (deleted) {
		kind = CS_CHANGE_DELETE;
	} else {
		for (size_t L = 1; L < u->n; L++) {
			if (lower_whiteout(u, L, path))
				break;
			cs_stat st;
			if (lower_stat(u, L, path, &st) == 0) {
				if (S_ISDIR(st.mode) && S_ISDIR(f->mode) && st.size == f->size && st.mode == f->mode &&
				    same_fs_time(st.mtime, f->mtime))
					return; /* the same directory: no change */
				kind = CS_CHANGE_MODIFY;
				break;
			}
		}
	}
	if (S_ISDIR(f->mode))
		cs_strmap_put(&u->changed_dirs, path, (void *)1);
	if (kind != CS_CHANGE_MODIFY) {
		/* the ancestors not listed yet, top down */
		_cleanup_free_ char *d = cs_xstrdup(path);
		size_t first = u->nv;
		for (char *sl = strrchr(d, '/'); sl && sl != d; sl = strrchr(d, '/')) {
			*sl = '\0';
			if (cs_strmap_has(&u->changed_dirs, d))
				continue;
			cs_strmap_put(&u->changed_dirs, d, (void *)1);
			upush(u, d, CS_CHANGE_MODIFY);
		}
		/* pushed bottom up: reverse them */
		for (size_t a = first, b = u->nv; a + 1 < b; a++, b--) {
			cs_change t = u->v[a];
			u->v[a] = u->v[b - 1];
			u->v[b - 1] = t;
		}
	}
	upush(u, path, kind);
}

int cs_changes_upper(cs_source *src, const cs_layer_dir *layers, size_t n, const cs_tree *old_tree,
		     const cs_tree *new_tree, cs_change **ret, size_t *ret_n, cs_error *e)
{
	if (n == 0)
		return cs_err(e, -EINVAL, "no layers");
	uctx u = {.src = src, .layers = layers, .n = n, .old_tree = old_tree, .new_tree = new_tree};
	typedef struct item {
		char *path; /* "" for the root, else "/a/b" */
		unsigned depth;
	} item;
	item *stack = NULL;
	size_t ns = 0, scap = 0;
	item *it = CS_PUSH(stack, ns, scap);
	it->path = cs_xstrdup("");
	it->depth = 0;
	int rc = 0;
	size_t entries = 0;
	while (ns > 0) {
		item cur = stack[--ns];
		_cleanup_free_ char *dir = cs_xasprintf("%s%s", layers[0].path, cur.path);
		cs_dirent *d = NULL;
		size_t nd = 0;
		cs_error le = {0};
		if (cs_source_list(src, dir, &d, &nd, &le) < 0) {
			if (cur.depth == 0) {
				rc = cs_err(e, le.code, "%s", le.msg);
				free(cur.path);
				break;
			}
			free(cur.path);
			continue;
		}
		/* pre-order: an entry, then (for a directory) everything under it,
		 * before its next sibling */
		size_t mark = ns;
		for (size_t i = 0; i < nd; i++) {
			_cleanup_free_ char *path = cs_xasprintf("%s/%s", cur.path, d[i].name);
			_cleanup_free_ char *ev = cs_xasprintf("%s%s", layers[0].path, path);
			cs_stat st;
			if (cs_source_stat(src, ev, false, &st, NULL) < 0)
				continue;
			if (++entries > CS_TREE_MAX_NODES)
				break;
			upper_entry(&u, path, &st, ev);
			if (S_ISDIR(st.mode) && cur.depth < CS_TREE_MAX_DEPTH) {
				item *x = CS_PUSH(stack, ns, scap);
				x->path = TAKE_PTR(path);
				x->depth = cur.depth + 1;
			}
		}
		cs_dirents_free(d, nd);
		/* the subdirectories were pushed in name order: pop them the same way */
		for (size_t a = mark, b = ns; a + 1 < b; a++, b--) {
			item t = stack[a];
			stack[a] = stack[b - 1];
			stack[b - 1] = t;
		}
		free(cur.path);
	}
	for (size_t i = 0; i < ns; i++)
		free(stack[i].path);
	free(stack);
	cs_strmap_free(&u.changed_dirs, NULL);
	if (rc < 0) {
		cs_changes_free(u.v, u.nv);
		return rc;
	}
	for (size_t i = 0; i < u.nv; i++) {
		cs_change *x = &u.v[i];
		if (x->kind == CS_CHANGE_DELETE || !new_tree)
			x->node = UINT32_MAX;
		else
			x->node = cs_tree_resolve(new_tree, x->path);
		x->old_node = old_tree ? cs_tree_resolve(old_tree, x->path) : UINT32_MAX;
	}
	if (u.nv > 1)
		qsort(u.v, u.nv, sizeof(cs_change), cmp_change);
	*ret = u.v;
	*ret_n = u.nv;
	return 0;
}
