/* lazy.c - merged layer trees built on demand (see lazy.h).
 *
 * Inode numbers
 * -------------
 * A FUSE inode number must name one entry for as long as the kernel knows
 * it, and the examiner wants the same number for the same entry on every
 * mount (notes taken yesterday, `find -inum`, hard links recognised). The
 * whole-tree builder numbered nodes breadth-first, which needs the whole
 * tree before the first answer. Here the number is derived from the entry
 * itself, from what the evidence says about it, so it needs nothing but the
 * entry and does not depend on what was visited before:
 *
 *     bit  63      0
 *     bits 62..54  tree id + 1        (9 bits: the view, a grafted volume,
 *                                      the deleted view, ...)
 *     bits 53..42  layer index         (12 bits, 0 = top of the stack;
 *                                      4095 = a hashed number, below)
 *     bits 41..0   the inode number the supplying layer's file system gives
 *                  the entry           (42 bits)
 *
 * An entry is supplied by exactly one layer (the topmost that has it), and
 * within one layer directory a file system gives every file its own inode
 * number, so (layer, inode) names one entry; names that are hard links to
 * one file in their layer get the same number, which is what a hard link
 * is. This is the rule of the kernel's overlayfs with `xino` (the real inode
 * number, with the layer in the high bits). Every derived number is at
 * least 2^54, so the small numbers stay free for the caller (FUSE's root is
 * 1; the FUSE view uses 2 and 3 for its virtual directories) and a tree's
 * root may be given any number (opts.root_ino).
 *
 * When the evidence's number does not fit (42 bits: ext4, XFS below 16 TiB
 * of inodes, tmpfs and btrfs give much smaller ones), when an entry lies on
 * another device than its layer's root (a mount inside a layer directory),
 * or for a layer index of 4095 or more, the low 42 bits are instead a 64-bit
 * FNV-1a hash of the layer index and the merged path, cut to 42 bits, with
 * the layer field 4095. These are stable across mounts too, but two such
 * entries may collide; so may two entries of damaged evidence that claim
 * one inode number without being hard links (different types, or a
 * directory). A collision is met when the second entry is looked up while
 * the first is live: the second then takes the next free number after its
 * hash, which depends on what is live at that moment. That is the one case
 * where a number can differ between mounts, and it needs either inode
 * numbers beyond 2^42 in the evidence or damage.
 *
 * Life of a node
 * --------------
 * A node exists while someone holds a reference: the caller's (one per
 * successful lookup, as the kernel counts them, dropped by forget), a
 * child's (every node holds its parent, so paths can be rebuilt), or the
 * tree's own (the root). Nodes live in a hash table keyed by inode number.
 * A directory's listing (the merge of its layers: names, stats, link
 * targets, contributing layers) is kept apart, on an LRU list bounded by
 * the number of entries; an evicted listing is rebuilt from the evidence
 * with the same result when it is needed again.
 */
#include "fs/lazy.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "base/strmap.h"
#include "fs/merge.h"

#define TREE_SHIFT 54
#define LAYER_SHIFT 42
#define LAYER_HASHED 4095u
#define LOW_MASK ((UINT64_C(1) << LAYER_SHIFT) - 1)

struct cs_lazy {
	cs_source *src;
	cs_layer_dir *layers;
	uint64_t *ldev; /* device of each layer's root */
	size_t nlayers;
	cs_lazy_opts opts;
	cs_lnode *root;
	cs_lnode **ht; /* hash table, chained */
	size_t nb, nnodes;
	cs_lnode lru; /* sentinel: lru.lru_next is the most recently used */
	size_t cached, max_cached;
	cs_problems problems;
	/* deleted view */
	bool filter;
	cs_strmap shown, deleted;
};

/* Owners as the container saw them, when asked. */
static void map_ids(const cs_lazy *lz, cs_stat *st)
{
	if (!lz->opts.ids || !lz->opts.ids->shifted)
		return;
	st->uid = cs_idmap_to_container(lz->opts.ids, 'u', st->uid, NULL);
	st->gid = cs_idmap_to_container(lz->opts.ids, 'g', st->gid, NULL);
}

/* --- problems --------------------------------------------------------------------------- */

static void on_problem(void *ud, const char *file, const char *msg)
{
	cs_lazy *lz = ud;
	if (lz->problems.n < 10000)
		cs_problems_add(&lz->problems, file, msg);
	if (lz->opts.diag) {
		cs_diag d = {.severity = CS_WARN, .file = file, .msg = msg};
		lz->opts.diag(lz->opts.diag_userdata, &d);
	}
}

/* --- inode numbers ---------------------------------------------------------------------- */

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= UINT64_C(1099511628211);
	}
	return h;
}

static uint64_t tree_bits(const cs_lazy *lz)
{
	return (uint64_t)(lz->opts.tree_id + 1) << TREE_SHIFT;
}

static uint64_t hashed_ino(const cs_lazy *lz, int32_t layer, const char *rel, const char *name)
{
	uint64_t h = UINT64_C(14695981039346656037);
	h = fnv(h, &layer, sizeof(layer));
	h = fnv(h, "/", 1);
	h = fnv(h, rel, strlen(rel));
	h = fnv(h, "/", 1);
	h = fnv(h, name, strlen(name));
	return tree_bits(lz) | ((uint64_t)LAYER_HASHED << LAYER_SHIFT) | (h & LOW_MASK);
}

static uint64_t derive_ino(const cs_lazy *lz, int32_t layer, const cs_stat *st, const char *rel,
			   const char *name)
{
	if (layer >= 0 && (uint32_t)layer < LAYER_HASHED && st->ino <= LOW_MASK && st->dev == lz->ldev[layer])
		return tree_bits(lz) | ((uint64_t)layer << LAYER_SHIFT) | st->ino;
	return hashed_ino(lz, layer, rel, name);
}

uint32_t cs_lazy_ino_tree(uint64_t ino)
{
	uint64_t t = ino >> TREE_SHIFT;
	if (t == 0 || t > CS_LAZY_MAX_TREES)
		return UINT32_MAX;
	return (uint32_t)(t - 1);
}

/* --- the hash table --------------------------------------------------------------------- */

static size_t bucket(const cs_lazy *lz, uint64_t ino)
{
	uint64_t h = ino * UINT64_C(0x9E3779B97F4A7C15);
	return (size_t)(h >> 20) & (lz->nb - 1);
}

static void ht_insert(cs_lazy *lz, cs_lnode *n)
{
	if (lz->nnodes + 1 > lz->nb) {
		size_t nb = lz->nb * 2;
		cs_lnode **ht = cs_xcalloc(nb, sizeof(*ht));
		size_t old = lz->nb;
		cs_lnode **oht = lz->ht;
		lz->ht = ht;
		lz->nb = nb;
		for (size_t i = 0; i < old; i++)
			for (cs_lnode *x = oht[i], *next; x; x = next) {
				next = x->hnext;
				size_t b = bucket(lz, x->ino);
				x->hnext = ht[b];
				ht[b] = x;
			}
		free(oht);
	}
	size_t b = bucket(lz, n->ino);
	n->hnext = lz->ht[b];
	lz->ht[b] = n;
	lz->nnodes++;
}

static void ht_remove(cs_lazy *lz, cs_lnode *n)
{
	for (cs_lnode **p = &lz->ht[bucket(lz, n->ino)]; *p; p = &(*p)->hnext)
		if (*p == n) {
			*p = n->hnext;
			lz->nnodes--;
			return;
		}
}

cs_lnode *cs_lazy_get(cs_lazy *lz, uint64_t ino)
{
	for (cs_lnode *x = lz->ht[bucket(lz, ino)]; x; x = x->hnext)
		if (x->ino == ino)
			return x;
	return NULL;
}

/* --- listings ------------------------------------------------------------------------------ */

static void lentries_free(cs_lentry *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].link);
		free(v[i].contrib);
	}
	free(v);
}

static void lru_unlink(cs_lnode *n)
{
	if (n->lru_next) {
		n->lru_next->lru_prev = n->lru_prev;
		n->lru_prev->lru_next = n->lru_next;
		n->lru_next = n->lru_prev = NULL;
	}
}

static void lru_front(cs_lazy *lz, cs_lnode *n)
{
	lru_unlink(n);
	n->lru_next = lz->lru.lru_next;
	n->lru_prev = &lz->lru;
	lz->lru.lru_next->lru_prev = n;
	lz->lru.lru_next = n;
}

static void drop_listing(cs_lazy *lz, cs_lnode *n)
{
	if (!n->listed)
		return;
	lru_unlink(n);
	lentries_free(n->ents, n->nents);
	lz->cached -= n->nents;
	n->ents = NULL;
	n->nents = 0;
	n->listed = false;
}

static char *rel_path(const cs_lnode *n)
{
	char *p = cs_lazy_path(n);
	char *r = cs_xstrdup(p + 1); /* without the leading '/' */
	free(p);
	return r;
}

static int list_dir(cs_lazy *lz, cs_lnode *dir)
{
	if (!S_ISDIR(dir->st.mode))
		return -ENOTDIR;
	if (dir->listed) {
		lru_front(lz, dir);
		return 0;
	}
	char *rel = rel_path(dir);
	cs_merge m = {.src = lz->src, .layers = lz->layers, .nlayers = lz->nlayers,
		      .format = lz->opts.format, .problem = on_problem, .ud = lz};
	cs_mentry *mv;
	size_t mn;
	bool opaque;
	cs_merge_dir(&m, rel, dir->contrib, dir->ncontrib, &mv, &mn, &opaque);
	cs_lentry *v = mn ? cs_xcalloc(mn, sizeof(cs_lentry)) : NULL;
	size_t k = 0;
	cs_buf path = {0};
	for (size_t i = 0; i < mn; i++) {
		cs_mentry *e = &mv[i];
		bool keep = true, all = dir->all_shown;
		if (lz->filter && !all) {
			path.len = 0;
			(void)cs_buf_puts(&path, "/");
			(void)cs_buf_puts(&path, rel);
			if (*rel)
				(void)cs_buf_puts(&path, "/");
			(void)cs_buf_puts(&path, e->name);
			keep = cs_strmap_has(&lz->shown, path.data);
			all = keep && cs_strmap_has(&lz->deleted, path.data);
		}
		if (keep && S_ISDIR(e->st.mode) && dir->depth + 1 > CS_TREE_MAX_DEPTH) {
			on_problem(lz, lz->layers[e->layer].path, "directories nested too deep: not shown");
			keep = false;
		}
		if (!keep) {
			free(e->name);
			free(e->link);
			free(e->contrib);
			continue;
		}
		cs_lentry *x = &v[k++];
		x->name = e->name;
		x->layer = e->layer;
		x->st = e->st;
		x->link = e->link;
		x->contrib = e->contrib;
		x->ncontrib = e->ncontrib;
		x->all_shown = all;
		x->ino = derive_ino(lz, e->layer, &e->st, rel, e->name);
		map_ids(lz, &x->st);
	}
	cs_buf_free(&path);
	free(mv);
	free(rel);
	dir->ents = v;
	dir->nents = k;
	dir->listed = true;
	lz->cached += k;
	lru_front(lz, dir);
	/* keep the cache bounded; the listing just made stays */
	while (lz->cached > lz->max_cached && lz->lru.lru_prev != dir)
		drop_listing(lz, lz->lru.lru_prev);
	return 0;
}

int cs_lazy_list(cs_lazy *lz, cs_lnode *dir, const cs_lentry **ret, size_t *ret_n)
{
	int r = list_dir(lz, dir);
	if (r < 0)
		return r;
	*ret = dir->ents;
	*ret_n = dir->nents;
	return 0;
}

/* --- nodes ---------------------------------------------------------------------------------- */

static bool same_entry(const cs_lnode *n, const cs_lnode *dir, const char *name)
{
	return n->parent == dir && strcmp(n->name, name) == 0;
}

/* Another name of the same file in the same layer. */
static bool hard_link_of(const cs_lnode *n, const cs_lentry *e)
{
	return n->layer == e->layer && !S_ISDIR(n->st.mode) && !S_ISDIR(e->st.mode) && e->st.nlink > 1 &&
	       n->st.ino == e->st.ino && n->st.dev == e->st.dev && (n->st.mode & S_IFMT) == (e->st.mode & S_IFMT);
}

static cs_lnode *new_node(cs_lazy *lz, cs_lnode *dir, const cs_lentry *e, uint64_t ino)
{
	cs_lnode *n = cs_xcalloc(1, sizeof(*n));
	n->ino = ino;
	n->name = cs_xstrdup(e->name);
	n->parent = dir;
	dir->refs++;
	n->layer = e->layer;
	n->st = e->st;
	n->link = e->link ? cs_xstrdup(e->link) : NULL;
	if (e->ncontrib) {
		n->contrib = cs_xcalloc(e->ncontrib, sizeof(int32_t));
		memcpy(n->contrib, e->contrib, e->ncontrib * sizeof(int32_t));
		n->ncontrib = e->ncontrib;
	}
	n->all_shown = e->all_shown;
	n->depth = dir->depth + 1;
	n->refs = 1;
	ht_insert(lz, n);
	return n;
}

static cs_lnode *node_for(cs_lazy *lz, cs_lnode *dir, const cs_lentry *e)
{
	cs_lnode *x = cs_lazy_get(lz, e->ino);
	if (!x)
		return new_node(lz, dir, e, e->ino);
	if (same_entry(x, dir, e->name) || hard_link_of(x, e)) {
		x->refs++;
		return x;
	}
	/* a collision (see the top of this file): the next free hashed number */
	char *rel = rel_path(dir);
	uint64_t ino = hashed_ino(lz, e->layer, rel, e->name);
	free(rel);
	for (uint64_t i = 0; i <= LOW_MASK; i++) {
		uint64_t cand = (ino & ~LOW_MASK) | ((ino + i) & LOW_MASK);
		x = cs_lazy_get(lz, cand);
		if (!x)
			return new_node(lz, dir, e, cand);
		if (same_entry(x, dir, e->name)) {
			x->refs++;
			return x;
		}
	}
	return NULL; /* 2^42 live nodes: not reached */
}

static void free_node(cs_lazy *lz, cs_lnode *n)
{
	ht_remove(lz, n);
	drop_listing(lz, n);
	free(n->name);
	free(n->link);
	free(n->contrib);
	free(n);
}

void cs_lazy_forget(cs_lazy *lz, cs_lnode *n, uint64_t count)
{
	while (n) {
		if (n == lz->root) { /* the tree's own reference stays */
			n->refs = count < n->refs ? n->refs - count : 0;
			if (n->refs == 0)
				n->refs = 1;
			return;
		}
		n->refs = count < n->refs ? n->refs - count : 0;
		if (n->refs > 0)
			return;
		cs_lnode *p = n->parent;
		free_node(lz, n);
		n = p;
		count = 1;
	}
}

static int find_entry(const cs_lnode *dir, const char *name)
{
	size_t lo = 0, hi = dir->nents;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(dir->ents[mid].name, name);
		if (c == 0)
			return (int)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

int cs_lazy_lookup(cs_lazy *lz, cs_lnode *dir, const char *name, cs_lnode **ret)
{
	int r = list_dir(lz, dir);
	if (r < 0)
		return r;
	int i = find_entry(dir, name);
	if (i < 0)
		return -ENOENT;
	cs_lnode *n = node_for(lz, dir, &dir->ents[i]);
	if (!n)
		return -ENOSPC;
	*ret = n;
	return 0;
}

int cs_lazy_resolve(cs_lazy *lz, const char *path, cs_lnode **ret)
{
	cs_lnode *cur = lz->root;
	cur->refs++;
	char comp[NAME_MAX + 1];
	const char *p = path;
	while (*p) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		size_t l = strcspn(p, "/");
		if (l > NAME_MAX) {
			cs_lazy_forget(lz, cur, 1);
			return -ENAMETOOLONG;
		}
		memcpy(comp, p, l);
		comp[l] = '\0';
		p += l;
		cs_lnode *next;
		int r = cs_lazy_lookup(lz, cur, comp, &next);
		cs_lazy_forget(lz, cur, 1); /* next holds cur */
		if (r < 0)
			return r;
		cur = next;
	}
	*ret = cur;
	return 0;
}

/* --- the tree ------------------------------------------------------------------------------- */

int cs_lazy_open(cs_source *src, const cs_layer_dir *layers, size_t n, const cs_lazy_opts *opts,
		 cs_lazy **ret, cs_error *e)
{
	if (n == 0)
		return cs_err(e, -EINVAL, "no layers");
	cs_lazy *lz = cs_xcalloc(1, sizeof(*lz));
	lz->src = src;
	if (opts)
		lz->opts = *opts;
	if (lz->opts.tree_id >= CS_LAZY_MAX_TREES)
		lz->opts.tree_id = CS_LAZY_MAX_TREES - 1;
	lz->max_cached = lz->opts.max_cached ? lz->opts.max_cached : CS_LAZY_CACHED;
	lz->nlayers = n;
	lz->layers = cs_xcalloc(n, sizeof(cs_layer_dir));
	lz->ldev = cs_xcalloc(n, sizeof(uint64_t));
	for (size_t i = 0; i < n; i++) {
		lz->layers[i].path = cs_xstrdup(layers[i].path);
		lz->layers[i].id = cs_xstrdup(layers[i].id);
		lz->layers[i].role = cs_xstrdup(layers[i].role);
	}
	lz->nb = 1024;
	lz->ht = cs_xcalloc(lz->nb, sizeof(*lz->ht));
	lz->lru.lru_next = lz->lru.lru_prev = &lz->lru;
	cs_lnode *r = cs_xcalloc(1, sizeof(*r));
	r->name = cs_xstrdup("");
	r->layer = -1;
	r->contrib = cs_xcalloc(n, sizeof(int32_t));
	for (size_t i = 0; i < n; i++) {
		cs_stat st;
		cs_error err = {0};
		if (cs_source_stat(src, layers[i].path, true, &st, &err) < 0 || !S_ISDIR(st.mode)) {
			char msg[CS_ERRMSG_MAX + 64];
			snprintf(msg, sizeof(msg), "layer %zu (%s): %s", i, layers[i].id ? layers[i].id : "?",
				 err.code ? err.msg : "not a directory");
			on_problem(lz, layers[i].path, msg);
			continue;
		}
		lz->ldev[i] = st.dev;
		if (r->layer < 0) {
			r->layer = (int32_t)i;
			r->st = st;
			map_ids(lz, &r->st);
		}
		r->contrib[r->ncontrib++] = (int32_t)i;
	}
	lz->root = r;
	if (r->layer < 0) {
		int rc = cs_err(e, -ENOENT, "no layer directory of the stack could be read (top: `%s`)",
				layers[0].path);
		cs_lazy_free(lz);
		return rc;
	}
	r->ino = lz->opts.root_ino ? lz->opts.root_ino : derive_ino(lz, r->layer, &r->st, "", "");
	r->refs = 1; /* the tree's own */
	ht_insert(lz, r);
	*ret = lz;
	return 0;
}

void cs_lazy_free(cs_lazy *lz)
{
	if (!lz)
		return;
	for (size_t i = 0; i < lz->nb; i++)
		for (cs_lnode *x = lz->ht[i], *next; x; x = next) {
			next = x->hnext;
			if (x == lz->root)
				lz->root = NULL;
			lentries_free(x->ents, x->nents);
			free(x->name);
			free(x->link);
			free(x->contrib);
			free(x);
		}
	if (lz->root) { /* never inserted (open failed) */
		free(lz->root->name);
		free(lz->root->contrib);
		free(lz->root);
	}
	free(lz->ht);
	for (size_t i = 0; i < lz->nlayers; i++) {
		free(lz->layers[i].path);
		free(lz->layers[i].id);
		free(lz->layers[i].role);
	}
	free(lz->layers);
	free(lz->ldev);
	for (size_t i = 0; i < lz->problems.n; i++) {
		free(lz->problems.v[i].file);
		free(lz->problems.v[i].msg);
	}
	free(lz->problems.v);
	cs_strmap_free(&lz->shown, NULL);
	cs_strmap_free(&lz->deleted, NULL);
	free(lz);
}

cs_lnode *cs_lazy_root(cs_lazy *lz)
{
	return lz->root;
}

char *cs_lazy_path(const cs_lnode *n)
{
	if (!n->parent)
		return cs_xstrdup("/");
	const cs_lnode *chain[CS_TREE_MAX_DEPTH + 2];
	size_t k = 0;
	for (const cs_lnode *c = n; c->parent && k < CS_ARRAY_SIZE(chain); c = c->parent)
		chain[k++] = c;
	cs_buf b = {0};
	while (k > 0) {
		(void)cs_buf_puts(&b, "/");
		(void)cs_buf_puts(&b, chain[--k]->name);
	}
	return cs_buf_steal(&b);
}

char *cs_lazy_evidence_path(const cs_lazy *lz, const cs_lnode *n)
{
	if (n->layer < 0 || (size_t)n->layer >= lz->nlayers)
		return NULL;
	if (!n->parent)
		return cs_xstrdup(lz->layers[n->layer].path);
	char *mp = cs_lazy_path(n);
	char *p = cs_xasprintf("%s%s", lz->layers[n->layer].path, mp);
	free(mp);
	return p;
}

const cs_layer_dir *cs_lazy_layer(const cs_lazy *lz, int32_t i)
{
	return i >= 0 && (size_t)i < lz->nlayers ? &lz->layers[i] : NULL;
}

size_t cs_lazy_layers(const cs_lazy *lz)
{
	return lz->nlayers;
}

int cs_lazy_open_file(cs_lazy *lz, const cs_lnode *n, cs_file **ret, cs_error *e)
{
	_cleanup_free_ char *p = cs_lazy_evidence_path(lz, n);
	if (!p)
		return cs_err(e, -ENOENT, "no such node");
	return cs_source_open(lz->src, p, ret, e);
}

int cs_lazy_xattrs(cs_lazy *lz, const cs_lnode *n, cs_xattr **ret, size_t *ret_n, cs_error *e)
{
	*ret = NULL;
	*ret_n = 0;
	_cleanup_free_ char *p = cs_lazy_evidence_path(lz, n);
	if (!p)
		return cs_err(e, -ENOENT, "no such node");
	cs_xattr *x;
	size_t k = 0, cnt;
	int r = cs_source_xattrs(lz->src, p, &x, &cnt, e);
	if (r < 0)
		return r;
	for (size_t j = 0; j < cnt; j++) {
		if (cs_xattr_is_internal(x[j].name, lz->opts.format)) {
			free(x[j].name);
			free(x[j].value);
		} else {
			x[k++] = x[j];
		}
	}
	*ret = x;
	*ret_n = k;
	return 0;
}

void cs_lazy_show_deleted(cs_lazy *lz, const cs_tree *old_tree, const cs_change *c, size_t n)
{
	lz->filter = true;
	for (size_t i = 0; i < n; i++) {
		if (c[i].old_node == UINT32_MAX)
			continue;
		const cs_tnode *on = cs_tree_node(old_tree, c[i].old_node);
		if (!on || (c[i].kind == CS_CHANGE_MODIFY && S_ISDIR(on->st.mode)))
			continue; /* a directory that merely holds changes */
		if (c[i].kind == CS_CHANGE_DELETE)
			cs_strmap_put(&lz->deleted, c[i].path, (void *)1);
		/* the entry and its ancestors */
		char *p = cs_xstrdup(c[i].path);
		for (;;) {
			if (!*p || cs_strmap_has(&lz->shown, p))
				break;
			cs_strmap_put(&lz->shown, p, (void *)1);
			char *slash = strrchr(p, '/');
			if (!slash || slash == p)
				break;
			*slash = '\0';
		}
		free(p);
	}
}

uint32_t cs_lazy_tree_id(const cs_lazy *lz)
{
	return lz->opts.tree_id;
}

size_t cs_lazy_live_nodes(const cs_lazy *lz)
{
	return lz->nnodes;
}

size_t cs_lazy_cached_entries(const cs_lazy *lz)
{
	return lz->cached;
}

const cs_problems *cs_lazy_problems(const cs_lazy *lz)
{
	return &lz->problems;
}
