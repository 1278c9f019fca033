/* tree.c - merged layer trees (see tree.h for the semantics).
 *
 * The build is breadth-first. Each directory waiting in the queue carries
 * the layers that contribute to it (top first); merge.c decides its
 * children (the one place that rule lives, shared with the lazy view in
 * lazy.c), which are appended as one contiguous, sorted block of nodes, and
 * subdirectories are queued. Whiteouts and opaque directories met on the way
 * are kept in the list of deletions.
 */
#include "fs/tree.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "base/strmap.h"
#include "fs/merge.h"

struct cs_tree {
	cs_source *src;
	cs_layer_dir *layers;
	size_t nlayers;
	cs_tnode *v;
	size_t n, cap;
	cs_deletion *del;
	size_t ndel, capdel;
	cs_problems problems;
	cs_tree_opts opts;
};

typedef struct pending {
	uint32_t node;
	char *rel;       /* "" for the root, else "a/b" */
	int32_t *layers; /* contributing layers, top first */
	size_t nlayers;
	unsigned depth;
} pending;

bool cs_xattr_is_overlay_internal(const char *name)
{
	return cs_str_startswith(name, "trusted.overlay.") || cs_str_startswith(name, "user.overlay.");
}

bool cs_xattr_is_internal(const char *name, cs_whiteout_format format)
{
	return cs_xattr_is_overlay_internal(name) ||
	       (format == CS_WH_FUSE && cs_str_startswith(name, "user.fuseoverlayfs."));
}

static void problem(cs_tree *t, const char *file, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void problem(cs_tree *t, const char *file, const char *fmt, ...)
{
	char msg[CS_ERRMSG_MAX + 256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cs_problems_add(&t->problems, file, msg);
	if (t->opts.diag) {
		cs_diag d = {.severity = CS_WARN, .file = file, .msg = msg};
		t->opts.diag(t->opts.diag_userdata, &d);
	}
}

bool cs_dir_opaque_xattr(cs_source *src, const char *path, cs_whiteout_format format)
{
	bool fuse = format == CS_WH_FUSE;
	cs_xattr *x;
	size_t n;
	if (cs_source_xattrs(src, path, &x, &n, NULL) < 0)
		return false;
	bool op = false;
	for (size_t i = 0; i < n; i++)
		if ((strcmp(x[i].name, "trusted.overlay.opaque") == 0 ||
		     strcmp(x[i].name, "user.overlay.opaque") == 0 ||
		     (fuse && strcmp(x[i].name, "user.fuseoverlayfs.opaque") == 0)) &&
		    x[i].len >= 1 && x[i].value[0] == 'y' && (x[i].len == 1 || fuse))
			op = true;
	cs_xattrs_free(x, n);
	return op;
}

bool cs_overlay_is_opaque(cs_source *src, const char *path)
{
	return cs_dir_opaque_xattr(src, path, CS_WH_OVERLAY);
}

bool cs_dir_is_opaque(cs_source *src, const char *path, cs_whiteout_format format)
{
	if (format == CS_WH_AUFS || format == CS_WH_FUSE) {
		_cleanup_free_ char *m = cs_xasprintf("%s/.wh..wh..opq", path);
		cs_stat st;
		if (cs_source_stat(src, m, false, &st, NULL) == 0)
			return true;
		if (format == CS_WH_AUFS)
			return false;
	}
	return cs_dir_opaque_xattr(src, path, format);
}

cs_wh_kind cs_whiteout_name(cs_whiteout_format format, const char *name, const cs_stat *st)
{
	bool names = format == CS_WH_AUFS || format == CS_WH_FUSE;
	if (names && cs_str_startswith(name, ".wh.")) {
		if (strcmp(name, ".wh..wh..opq") == 0)
			return CS_WH_KIND_OPAQUE;
		if (cs_str_startswith(name, ".wh..wh."))
			return CS_WH_KIND_HIDDEN; /* aufs housekeeping */
		if (format == CS_WH_FUSE && strcmp(name, ".wh..opq") == 0)
			return CS_WH_KIND_HIDDEN; /* fuse-overlayfs's third opaque marker */
		return CS_WH_KIND_WHITEOUT;
	}
	if (format != CS_WH_AUFS && st && S_ISCHR(st->mode) && st->rdev_major == 0 && st->rdev_minor == 0)
		return CS_WH_KIND_WHITEOUT;
	return CS_WH_KIND_ENTRY;
}

static void add_deletion(cs_tree *t, const char *rel, const char *name, int32_t layer,
			 cs_deletion_kind kind, const cs_stat *st, const char *evpath)
{
	cs_deletion *d = CS_PUSH(t->del, t->ndel, t->capdel);
	if (name)
		d->path = *rel ? cs_xasprintf("/%s/%s", rel, name) : cs_xasprintf("/%s", name);
	else
		d->path = cs_xasprintf("/%s", rel);
	d->layer = layer;
	d->kind = kind;
	if (st)
		d->st = *st;
	d->evidence_path = cs_xstrdup(evpath);
}

static void on_problem(void *ud, const char *file, const char *msg)
{
	problem(ud, file, "%s", msg);
}

static void on_deletion(void *ud, const char *rel, const char *name, int32_t layer, cs_deletion_kind kind,
			const cs_stat *st, const char *evpath)
{
	add_deletion(ud, rel, name, layer, kind, st, evpath);
}

/* Decides pending directory p's children (merge.c) and appends them as one
 * contiguous block of nodes; queues subdirectories. */
static void process_dir(cs_tree *t, pending *p, pending **q, size_t *qn, size_t *qcap)
{
	cs_merge m = {.src = t->src, .layers = t->layers, .nlayers = t->nlayers,
		      .format = t->opts.format, .problem = on_problem,
		      .deletion = on_deletion, .ud = t};
	cs_mentry *cv;
	size_t cn;
	bool opaque;
	cs_merge_dir(&m, p->rel, p->layers, p->nlayers, &cv, &cn, &opaque);
	if (opaque)
		t->v[p->node].opaque = true;
	uint32_t first = (uint32_t)t->n;
	uint32_t count = 0;
	for (size_t i = 0; i < cn; i++) {
		cs_mentry *c = &cv[i];
		if (t->n >= CS_TREE_MAX_NODES) {
			problem(t, t->layers[0].path, "more than %u entries: the rest is not shown",
				CS_TREE_MAX_NODES);
			free(c->name);
			free(c->link);
			free(c->contrib);
			continue;
		}
		cs_tnode *nd = CS_PUSH(t->v, t->n, t->cap);
		nd->name = c->name;
		nd->parent = p->node;
		nd->layer = c->layer;
		nd->st = c->st;
		nd->link = c->link;
		nd->hardlink = (uint32_t)(t->n - 1);
		count++;
		if (S_ISDIR(c->st.mode)) {
			char *rel = *p->rel ? cs_xasprintf("%s/%s", p->rel, c->name) : cs_xstrdup(c->name);
			if (t->opts.descend && !t->opts.descend(t->opts.descend_userdata, rel)) {
				free(rel);
				free(c->contrib);
				continue;
			}
			if (p->depth + 1 > CS_TREE_MAX_DEPTH) {
				free(rel);
				problem(t, t->layers[c->layer].path, "directories nested deeper than %d: not shown",
					CS_TREE_MAX_DEPTH);
				free(c->contrib);
				continue;
			}
			pending *np = CS_PUSH(*q, *qn, *qcap);
			np->node = (uint32_t)(t->n - 1);
			np->rel = rel;
			np->layers = c->contrib;
			np->nlayers = c->ncontrib;
			np->depth = p->depth + 1;
		} else {
			free(c->contrib);
		}
	}
	free(cv);
	t->v[p->node].child0 = first;
	t->v[p->node].nchild = count;
}

static void link_hardlinks(cs_tree *t)
{
	cs_strmap m = {0};
	char key[96];
	for (size_t i = 0; i < t->n; i++) {
		cs_tnode *nd = &t->v[i];
		if (S_ISDIR(nd->st.mode) || nd->st.nlink < 2)
			continue;
		snprintf(key, sizeof(key), "%d:%llu:%llu", (int)nd->layer, (unsigned long long)nd->st.dev,
			 (unsigned long long)nd->st.ino);
		void *first = cs_strmap_get(&m, key);
		if (first)
			nd->hardlink = (uint32_t)((uintptr_t)first - 1);
		else
			cs_strmap_put(&m, key, (void *)(uintptr_t)(i + 1));
	}
	cs_strmap_free(&m, NULL);
}

static int cmp_del(const void *a, const void *b)
{
	return strcmp(((const cs_deletion *)a)->path, ((const cs_deletion *)b)->path);
}

int cs_tree_build(cs_source *src, const cs_layer_dir *layers, size_t n, const cs_tree_opts *opts,
		  cs_tree **ret, cs_error *e)
{
	if (n == 0)
		return cs_err(e, -EINVAL, "no layers");
	cs_tree *t = cs_xcalloc(1, sizeof(*t));
	t->src = src;
	if (opts)
		t->opts = *opts;
	t->nlayers = n;
	t->layers = cs_xcalloc(n, sizeof(cs_layer_dir));
	for (size_t i = 0; i < n; i++) {
		t->layers[i].path = cs_xstrdup(layers[i].path);
		t->layers[i].id = cs_xstrdup(layers[i].id);
		t->layers[i].role = cs_xstrdup(layers[i].role);
	}
	/* the root: attributes from the topmost layer that has it */
	pending *q = NULL;
	size_t qn = 0, qcap = 0;
	pending *root = CS_PUSH(q, qn, qcap);
	root->rel = cs_xstrdup("");
	root->layers = cs_xcalloc(n, sizeof(int32_t));
	cs_tnode *r = CS_PUSH(t->v, t->n, t->cap);
	r->name = cs_xstrdup("");
	r->layer = -1;
	for (size_t i = 0; i < n; i++) {
		cs_stat st;
		cs_error err = {0};
		if (cs_source_stat(src, layers[i].path, true, &st, &err) < 0 || !S_ISDIR(st.mode)) {
			problem(t, layers[i].path, "layer %zu (%s): %s", i, layers[i].id ? layers[i].id : "?",
				err.code ? err.msg : "not a directory");
			continue;
		}
		if (t->v[0].layer < 0) {
			t->v[0].layer = (int32_t)i;
			t->v[0].st = st;
		}
		root->layers[root->nlayers++] = (int32_t)i;
	}
	if (t->v[0].layer < 0) {
		int rc = cs_err(e, -ENOENT, "no layer directory of the stack could be read (top: `%s`)",
				layers[0].path);
		free(root->rel);
		free(root->layers);
		free(q);
		cs_tree_free(t);
		return rc;
	}
	for (size_t head = 0; head < qn; head++) {
		pending p = q[head]; /* copy: process_dir may grow q */
		process_dir(t, &p, &q, &qn, &qcap);
		free(p.rel);
		free(p.layers);
	}
	free(q);
	link_hardlinks(t);
	if (t->ndel > 1)
		qsort(t->del, t->ndel, sizeof(cs_deletion), cmp_del);
	*ret = t;
	return 0;
}

void cs_tree_free(cs_tree *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++) {
		free(t->v[i].name);
		free(t->v[i].link);
	}
	free(t->v);
	for (size_t i = 0; i < t->ndel; i++) {
		free(t->del[i].path);
		free(t->del[i].evidence_path);
	}
	free(t->del);
	for (size_t i = 0; i < t->nlayers; i++) {
		free(t->layers[i].path);
		free(t->layers[i].id);
		free(t->layers[i].role);
	}
	free(t->layers);
	for (size_t i = 0; i < t->problems.n; i++) {
		free(t->problems.v[i].file);
		free(t->problems.v[i].msg);
	}
	free(t->problems.v);
	free(t);
}

size_t cs_tree_count(const cs_tree *t)
{
	return t->n;
}

const cs_tnode *cs_tree_node(const cs_tree *t, uint32_t i)
{
	return i < t->n ? &t->v[i] : NULL;
}

uint32_t cs_tree_lookup(const cs_tree *t, uint32_t dir, const char *name)
{
	if (dir >= t->n)
		return UINT32_MAX;
	const cs_tnode *d = &t->v[dir];
	uint32_t lo = d->child0, hi = d->child0 + d->nchild;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c = strcmp(t->v[mid].name, name);
		if (c == 0)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return UINT32_MAX;
}

uint32_t cs_tree_resolve(const cs_tree *t, const char *path)
{
	uint32_t cur = 0;
	char comp[NAME_MAX + 1];
	const char *p = path;
	while (*p) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		size_t l = strcspn(p, "/");
		if (l > NAME_MAX)
			return UINT32_MAX;
		memcpy(comp, p, l);
		comp[l] = '\0';
		p += l;
		cur = cs_tree_lookup(t, cur, comp);
		if (cur == UINT32_MAX)
			return cur;
	}
	return cur;
}

uint32_t cs_tree_resolve_follow(const cs_tree *t, const char *path, bool follow_last)
{
	uint32_t cur = 0;
	int links = 0;
	char *rest = cs_xstrdup(path);
	size_t pos = 0;
	char comp[NAME_MAX + 1];
	for (;;) {
		while (rest[pos] == '/')
			pos++;
		if (!rest[pos])
			break;
		size_t l = strcspn(rest + pos, "/");
		if (l > NAME_MAX) {
			cur = UINT32_MAX;
			break;
		}
		memcpy(comp, rest + pos, l);
		comp[l] = '\0';
		pos += l;
		bool last = rest[pos + strspn(rest + pos, "/")] == '\0';
		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			cur = t->v[cur].parent;
			continue;
		}
		uint32_t nx = cs_tree_lookup(t, cur, comp);
		if (nx == UINT32_MAX) {
			cur = nx;
			break;
		}
		const cs_tnode *nd = &t->v[nx];
		if (S_ISLNK(nd->st.mode) && nd->link && (!last || follow_last)) {
			if (++links > 40) {
				cur = UINT32_MAX;
				break;
			}
			char *nr = cs_xasprintf("%s/%s", nd->link, rest + pos);
			if (nd->link[0] == '/')
				cur = 0;
			free(rest);
			rest = nr;
			pos = 0;
			continue;
		}
		cur = nx;
	}
	free(rest);
	return cur;
}

char *cs_tree_path(const cs_tree *t, uint32_t i)
{
	if (i == 0 || i >= t->n)
		return cs_xstrdup("/");
	/* collect names up to the root */
	uint32_t chain[CS_TREE_MAX_DEPTH + 2];
	size_t n = 0;
	for (uint32_t c = i; c != 0 && n < CS_ARRAY_SIZE(chain); c = t->v[c].parent)
		chain[n++] = c;
	cs_buf b = {0};
	while (n > 0) {
		(void)cs_buf_puts(&b, "/");
		(void)cs_buf_puts(&b, t->v[chain[--n]].name);
	}
	return cs_buf_steal(&b);
}

char *cs_tree_evidence_path(const cs_tree *t, uint32_t i)
{
	const cs_tnode *nd = cs_tree_node(t, i);
	if (!nd || nd->layer < 0)
		return NULL;
	char *mp = cs_tree_path(t, i);
	char *p = i == 0 ? cs_xstrdup(t->layers[nd->layer].path)
			 : cs_xasprintf("%s%s", t->layers[nd->layer].path, mp);
	free(mp);
	return p;
}

const cs_layer_dir *cs_tree_layer(const cs_tree *t, int32_t i)
{
	return i >= 0 && (size_t)i < t->nlayers ? &t->layers[i] : NULL;
}

size_t cs_tree_layers(const cs_tree *t)
{
	return t->nlayers;
}

cs_whiteout_format cs_tree_format(const cs_tree *t)
{
	return t->opts.format;
}

int cs_tree_open(const cs_tree *t, uint32_t i, cs_file **ret, cs_error *e)
{
	_cleanup_free_ char *p = cs_tree_evidence_path(t, i);
	if (!p)
		return cs_err(e, -ENOENT, "no such node");
	return cs_source_open(t->src, p, ret, e);
}

int cs_tree_xattrs(const cs_tree *t, uint32_t i, cs_xattr **ret, size_t *ret_n, cs_error *e)
{
	*ret = NULL;
	*ret_n = 0;
	_cleanup_free_ char *p = cs_tree_evidence_path(t, i);
	if (!p)
		return cs_err(e, -ENOENT, "no such node");
	cs_xattr *x;
	size_t n;
	int r = cs_source_xattrs(t->src, p, &x, &n, e);
	if (r < 0)
		return r;
	size_t k = 0;
	for (size_t j = 0; j < n; j++) {
		if (cs_xattr_is_internal(x[j].name, t->opts.format)) {
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

const cs_deletion *cs_tree_deletions(const cs_tree *t, size_t *ret_n)
{
	*ret_n = t->ndel;
	return t->del;
}

const cs_problems *cs_tree_problems(const cs_tree *t)
{
	return &t->problems;
}

size_t cs_tree_map_ids(cs_tree *t, const cs_idmap *m)
{
	size_t unmapped = 0;
	if (!m || !m->shifted)
		return 0;
	for (size_t i = 0; i < t->n; i++) {
		bool ok_u, ok_g;
		t->v[i].st.uid = cs_idmap_to_container(m, 'u', t->v[i].st.uid, &ok_u);
		t->v[i].st.gid = cs_idmap_to_container(m, 'g', t->v[i].st.gid, &ok_g);
		unmapped += !ok_u + !ok_g;
	}
	return unmapped;
}
