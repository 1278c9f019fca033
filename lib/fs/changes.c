/* changes.c - see changes.h. */
#include "fs/changes.h"

#include <string.h>
#include <sys/stat.h>

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
