/* source_fs.c - the cs_source backend over file systems in images and
 * archives (see fsys.h).
 *
 * Resolution walks components from the root with a stack of (mount, inode)
 * pairs, so ".." pops (and stops at the root) and a mount point is crossed
 * both ways. A symlink met on the way has its target spliced in front of
 * the remaining components (absolute targets restart at the root), at most
 * CS_FSYS_MAX_LINKS times; this is the directory backend's walk, done on
 * inodes instead of descriptors, so both backends agree on every path.
 * A directory whose inode is already on the stack is a loop (a damaged or
 * hostile file system): the walk stops with ELOOP and a message naming the
 * inode, and only that path is lost.
 *
 * Caches (bounded, so memory does not grow with the image): the sorted
 * listings of the last CS_FSYS_DCACHE directories (lookups are binary
 * searches in them), and the stacks of the last CS_FSYS_PCACHE directory
 * paths resolved (engine readers read many files of one directory in a
 * row). File system drivers are not thread-safe; one mutex serialises the
 * source, files opened from it included.
 */
#include "evidence/fsys.h"

#include <dirent.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define CS_FSYS_MAX_LINKS 40
#define CS_FSYS_MAX_DEPTH 4096
#define CS_FSYS_DCACHE 64
#define CS_FSYS_DCACHE_ENTRIES ((size_t)1 << 20)
#define CS_FSYS_PCACHE 16

typedef struct nref {
	uint32_t m;
	uint64_t ino;
} nref;

typedef struct mnt {
	cs_fsys *fs;
	nref at; /* the directory it covers (unused for the root) */
} mnt;

typedef struct dcache_ent {
	nref dir;
	cs_fsys_dirent *v; /* sorted by name */
	size_t n;
	uint64_t used; /* 0: empty slot */
} dcache_ent;

typedef struct pcache_ent {
	char *path;
	nref *stack;
	size_t depth;
	uint64_t used;
} pcache_ent;

typedef struct fsys_source {
	cs_source base;
	pthread_mutex_t lock;
	nref top; /* the directory paths are relative to (the root, or --root's) */
	mnt *m;
	size_t n_m;
	dcache_ent dc[CS_FSYS_DCACHE];
	size_t dc_entries;
	pcache_ent pc[CS_FSYS_PCACHE];
	uint64_t tick;
} fsys_source;

static const cs_source_ops fsys_ops;

/* ---- mounts and listings ---- */

static bool nref_eq(nref a, nref b)
{
	return a.m == b.m && a.ino == b.ino;
}

/* The root of the file system mounted over r, or r itself. */
static nref cross(const fsys_source *s, nref r)
{
	for (size_t i = s->n_m; i-- > 1;)
		if (nref_eq(s->m[i].at, r))
			return (nref){(uint32_t)i, s->m[i].fs->root_ino};
	return r;
}

static int cmp_fdirent(const void *a, const void *b)
{
	return strcmp(((const cs_fsys_dirent *)a)->name, ((const cs_fsys_dirent *)b)->name);
}

static void free_fdirents(cs_fsys_dirent *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}

static void dc_drop(fsys_source *s, dcache_ent *d)
{
	if (!d->used)
		return;
	s->dc_entries -= d->n;
	free_fdirents(d->v, d->n);
	memset(d, 0, sizeof(*d));
}

static const char *fs_name(const fsys_source *s, uint32_t m)
{
	return s->m[m].fs->name;
}

/* The sorted listing of dir (a directory inode). Borrowed from the cache
 * until the next call. */
static int get_dir(fsys_source *s, nref dir, const dcache_ent **ret, cs_error *e)
{
	dcache_ent *victim = &s->dc[0];
	for (size_t i = 0; i < CS_FSYS_DCACHE; i++) {
		dcache_ent *d = &s->dc[i];
		if (d->used && nref_eq(d->dir, dir)) {
			d->used = ++s->tick;
			*ret = d;
			return 0;
		}
		if (d->used < victim->used)
			victim = d;
	}
	cs_fsys *fs = s->m[dir.m].fs;
	cs_fsys_dirent *v = NULL;
	size_t n = 0;
	int r = fs->ops->list(fs, dir.ino, &v, &n, e);
	if (r < 0)
		return r;
	if (n > CS_DIR_MAX_ENTRIES) {
		free_fdirents(v, n);
		return cs_err(e, -EFBIG, "%s, inode %llu: more than %d entries", fs_name(s, dir.m),
			      (unsigned long long)dir.ino, CS_DIR_MAX_ENTRIES);
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_fdirent);
	/* a damaged directory may name an entry twice: keep the first */
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (k > 0 && strcmp(v[k - 1].name, v[i].name) == 0) {
			free(v[i].name);
			continue;
		}
		v[k++] = v[i];
	}
	n = k;
	dc_drop(s, victim);
	/* keep the cache within its budget of names */
	while (s->dc_entries + n > CS_FSYS_DCACHE_ENTRIES) {
		dcache_ent *old = NULL;
		for (size_t i = 0; i < CS_FSYS_DCACHE; i++)
			if (s->dc[i].used && (!old || s->dc[i].used < old->used))
				old = &s->dc[i];
		if (!old)
			break;
		dc_drop(s, old);
	}
	victim->dir = dir;
	victim->v = v;
	victim->n = n;
	victim->used = ++s->tick;
	s->dc_entries += n;
	*ret = victim;
	return 0;
}

static const cs_fsys_dirent *find_entry(const dcache_ent *d, const char *name)
{
	size_t lo = 0, hi = d->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(d->v[mid].name, name);
		if (c == 0)
			return &d->v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int stat_node(fsys_source *s, nref r, cs_stat *st, cs_error *e)
{
	cs_fsys *fs = s->m[r.m].fs;
	memset(st, 0, sizeof(*st));
	st->btime = CS_TIME_INVALID;
	int rc = fs->ops->stat(fs, r.ino, st, e);
	if (rc < 0)
		return rc;
	st->ino = r.ino;
	st->dev = r.m + 1;
	return 0;
}

/* ---- resolution ---- */

typedef struct walk {
	nref *v;
	size_t n, cap;
} walk;

static void walk_push(walk *w, nref r)
{
	*CS_PUSH(w->v, w->n, w->cap) = r;
}

static bool walk_has(const walk *w, nref r)
{
	for (size_t i = 0; i < w->n; i++)
		if (nref_eq(w->v[i], r))
			return true;
	return false;
}

/* The type of a directory entry, asking the inode when the entry does not say. */
static int entry_type(fsys_source *s, nref r, unsigned char dt, unsigned char *ret, cs_error *e)
{
	if (dt != DT_UNKNOWN) {
		*ret = dt;
		return 0;
	}
	cs_stat st;
	int rc = stat_node(s, r, &st, e);
	if (rc < 0)
		return rc;
	*ret = (unsigned char)IFTODT(st.mode);
	return 0;
}

/* Walks path from the stack w (which holds at least the root), following
 * every symlink met, including a final one when follow. On success the
 * stack's top is the result when it is a directory; for a non-directory
 * final component *ret_leaf is set and *ret_is_leaf is true. */
static int walk_path(fsys_source *s, walk *w, const char *path, bool follow, nref *ret_leaf,
		     bool *ret_is_leaf, int *links, cs_error *e)
{
	*ret_is_leaf = false;
	cs_buf rest = {.max = (size_t)PATH_MAX * 64};
	if (cs_buf_puts(&rest, path) < 0)
		return cs_err(e, -ENAMETOOLONG, "path too long");
	size_t pos = 0;
	int r = 0;
	for (;;) {
		while (pos < rest.len && rest.data[pos] == '/')
			pos++;
		if (pos >= rest.len)
			break;
		size_t end = pos;
		while (end < rest.len && rest.data[end] != '/')
			end++;
		if (end - pos > NAME_MAX) {
			r = cs_err(e, -ENAMETOOLONG, "name too long");
			goto out;
		}
		char comp[NAME_MAX + 1];
		memcpy(comp, rest.data + pos, end - pos);
		comp[end - pos] = '\0';
		pos = end;
		size_t after = pos;
		while (after < rest.len && rest.data[after] == '/')
			after++;
		bool last = after >= rest.len;
		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			if (w->n > 1)
				w->n--;
			continue;
		}
		nref cur = w->v[w->n - 1];
		const dcache_ent *d;
		r = get_dir(s, cur, &d, e);
		if (r < 0)
			goto out;
		const cs_fsys_dirent *de = find_entry(d, comp);
		if (!de) {
			r = -ENOENT;
			goto out;
		}
		nref child = cross(s, (nref){cur.m, de->ino});
		unsigned char dt = child.m != cur.m ? DT_DIR : de->type;
		r = entry_type(s, child, dt, &dt, e);
		if (r < 0)
			goto out;
		if (dt == DT_LNK && (follow || !last)) {
			if (++*links > CS_FSYS_MAX_LINKS) {
				r = -ELOOP;
				goto out;
			}
			cs_fsys *fs = s->m[child.m].fs;
			char *target = NULL;
			r = fs->ops->readlink(fs, child.ino, &target, e);
			if (r < 0)
				goto out;
			cs_buf nb = {.max = rest.max};
			if (cs_buf_puts(&nb, target) < 0 || cs_buf_puts(&nb, "/") < 0 ||
			    cs_buf_append(&nb, rest.data + pos, rest.len - pos) < 0) {
				free(target);
				cs_buf_free(&nb);
				r = cs_err(e, -ENAMETOOLONG, "path too long after symlinks");
				goto out;
			}
			if (target[0] == '/')
				w->n = 1;
			free(target);
			cs_buf_free(&rest);
			rest = nb;
			pos = 0;
			/* "a/link" with a final link: the target's last component is
			 * final too; a trailing "/" keeps it so */
			continue;
		}
		if (last && dt != DT_DIR) {
			*ret_leaf = child;
			*ret_is_leaf = true;
			goto out;
		}
		if (dt != DT_DIR) {
			r = -ENOTDIR;
			goto out;
		}
		if (walk_has(w, child)) {
			r = cs_err(e, -ELOOP, "%s: directory loop: inode %llu (`%s`) is its own ancestor",
				   fs_name(s, child.m), (unsigned long long)child.ino, comp);
			goto out;
		}
		if (w->n >= CS_FSYS_MAX_DEPTH) {
			r = cs_err(e, -ENAMETOOLONG, "deeper than %d directories", CS_FSYS_MAX_DEPTH);
			goto out;
		}
		walk_push(w, child);
	}
out:
	cs_buf_free(&rest);
	return r;
}

/* Resolves a directory path to a stack (from the cache when it can). */
static int resolve_dir(fsys_source *s, const char *dir, walk *w, int *links, cs_error *e)
{
	pcache_ent *victim = &s->pc[0];
	for (size_t i = 0; i < CS_FSYS_PCACHE; i++) {
		pcache_ent *p = &s->pc[i];
		if (p->path && strcmp(p->path, dir) == 0) {
			p->used = ++s->tick;
			w->n = 0;
			for (size_t k = 0; k < p->depth; k++)
				walk_push(w, p->stack[k]);
			return 0;
		}
		if (p->used < victim->used)
			victim = p;
	}
	w->n = 0;
	walk_push(w, s->top);
	nref leaf;
	bool is_leaf;
	int r = walk_path(s, w, dir, true, &leaf, &is_leaf, links, e);
	if (r < 0)
		return r;
	if (is_leaf)
		return -ENOTDIR;
	free(victim->path);
	free(victim->stack);
	victim->path = cs_xstrdup(dir);
	victim->stack = cs_xreallocarray(NULL, w->n, sizeof(nref));
	memcpy(victim->stack, w->v, w->n * sizeof(nref));
	victim->depth = w->n;
	victim->used = ++s->tick;
	return 0;
}

/* Resolves path to a node; follow expands a final symlink. */
static int resolve(fsys_source *s, const char *path, bool follow, nref *ret, cs_error *e)
{
	int links = 0;
	char *cur = cs_xstrdup(path);
	walk w = {0};
	int r;
	for (;;) {
		char *dir, *leaf;
		cs_path_split(cur, true, &dir, &leaf);
		r = resolve_dir(s, dir, &w, &links, e);
		if (r < 0 || strcmp(leaf, ".") == 0) {
			if (r == 0)
				*ret = w.v[w.n - 1];
			free(dir);
			free(leaf);
			break;
		}
		const dcache_ent *d;
		nref top = w.v[w.n - 1];
		r = get_dir(s, top, &d, e);
		if (r < 0) {
			free(dir);
			free(leaf);
			break;
		}
		const cs_fsys_dirent *de = find_entry(d, leaf);
		if (!de) {
			free(dir);
			free(leaf);
			r = -ENOENT;
			break;
		}
		nref child = cross(s, (nref){top.m, de->ino});
		unsigned char dt = child.m != top.m ? DT_DIR : de->type;
		if (follow && (r = entry_type(s, child, dt, &dt, e)) < 0) {
			free(dir);
			free(leaf);
			break;
		}
		if (follow && dt == DT_LNK) {
			if (++links > CS_FSYS_MAX_LINKS) {
				free(dir);
				free(leaf);
				r = -ELOOP;
				break;
			}
			cs_fsys *fs = s->m[child.m].fs;
			char *target = NULL;
			r = fs->ops->readlink(fs, child.ino, &target, e);
			if (r < 0) {
				free(dir);
				free(leaf);
				break;
			}
			free(cur);
			cur = target[0] == '/' ? cs_xstrdup(target) : cs_xasprintf("%s/%s", dir, target);
			free(target);
			free(dir);
			free(leaf);
			continue;
		}
		if (dt == DT_DIR && walk_has(&w, child)) {
			r = cs_err(e, -ELOOP, "%s: directory loop: inode %llu (`%s`) is its own ancestor",
				   fs_name(s, child.m), (unsigned long long)child.ino, leaf);
			free(dir);
			free(leaf);
			break;
		}
		*ret = child;
		free(dir);
		free(leaf);
		r = 0;
		break;
	}
	free(w.v);
	free(cur);
	return r;
}

/* Formats a resolution error as the directory backend does: "`path`: why".
 * In a partial collection an absent path was not collected. */
static int path_err_src(const fsys_source *s, cs_error *e, int r, const char *path, const cs_error *detail)
{
	if (r == -ENOENT && s && s->base.partial)
		return cs_err(e, r, "`%s`: not collected (absent from the collection)", path);
	if (detail->code && detail->msg[0])
		return cs_err(e, r, "`%s`: %s", path, detail->msg);
	return cs_err(e, r, "`%s`: %s", path, strerror(-r));
}

#define path_err(e, r, path, detail) path_err_src(s, e, r, path, detail)

/* ---- the cs_source operations ---- */

static int fs_stat(cs_source *src, const char *path, bool follow, cs_stat *st, cs_error *e)
{
	fsys_source *s = (fsys_source *)src;
	cs_error d = {0};
	nref n;
	pthread_mutex_lock(&s->lock);
	int r = resolve(s, path, follow, &n, &d);
	if (r == 0)
		r = stat_node(s, n, st, &d);
	pthread_mutex_unlock(&s->lock);
	return r < 0 ? path_err(e, r, path, &d) : 0;
}

typedef struct locked_file {
	cs_file base;
	cs_file *inner;
	fsys_source *s;
	char err[CS_ERRMSG_MAX];
} locked_file;

static ssize_t locked_pread(cs_file *f, void *buf, size_t n, uint64_t off)
{
	locked_file *lf = (locked_file *)f;
	if (off >= f->size)
		return 0;
	if (n > f->size - off)
		n = (size_t)(f->size - off);
	pthread_mutex_lock(&lf->s->lock);
	ssize_t r = cs_file_pread(lf->inner, buf, n, off);
	if (r < 0)
		snprintf(lf->err, sizeof(lf->err), "%s", cs_file_strerror(lf->inner, (int)r));
	pthread_mutex_unlock(&lf->s->lock);
	return r;
}

static const char *locked_error(cs_file *f)
{
	return ((locked_file *)f)->err;
}

static void locked_close(cs_file *f)
{
	locked_file *lf = (locked_file *)f;
	pthread_mutex_lock(&lf->s->lock);
	cs_file_close(lf->inner);
	pthread_mutex_unlock(&lf->s->lock);
	free(lf);
}

static const cs_file_ops locked_file_ops = {.pread = locked_pread, .close = locked_close,
					   .error = locked_error};

static int fs_open(cs_source *src, const char *path, cs_file **ret, cs_error *e)
{
	fsys_source *s = (fsys_source *)src;
	cs_error d = {0};
	nref n;
	cs_stat st;
	cs_file *inner = NULL;
	pthread_mutex_lock(&s->lock);
	int r = resolve(s, path, true, &n, &d);
	if (r == 0)
		r = stat_node(s, n, &st, &d);
	if (r == 0 && !S_ISREG(st.mode)) {
		pthread_mutex_unlock(&s->lock);
		return cs_err(e, S_ISDIR(st.mode) ? -EISDIR : -EINVAL, "`%s`: %s", path,
			      S_ISDIR(st.mode) ? strerror(EISDIR) : "not a regular file");
	}
	if (r == 0) {
		cs_fsys *fs = s->m[n.m].fs;
		r = fs->ops->open(fs, n.ino, &inner, &d);
	}
	pthread_mutex_unlock(&s->lock);
	if (r < 0)
		return path_err(e, r, path, &d);
	locked_file *lf = cs_xcalloc(1, sizeof(*lf));
	lf->base.ops = &locked_file_ops;
	lf->base.size = inner->size;
	lf->base.fd = -1;
	lf->inner = inner;
	lf->s = s;
	*ret = &lf->base;
	return 0;
}

static int fs_readlink(cs_source *src, const char *path, char **ret, cs_error *e)
{
	fsys_source *s = (fsys_source *)src;
	cs_error d = {0};
	nref n;
	cs_stat st;
	pthread_mutex_lock(&s->lock);
	int r = resolve(s, path, false, &n, &d);
	if (r == 0)
		r = stat_node(s, n, &st, &d);
	if (r == 0 && !S_ISLNK(st.mode)) {
		pthread_mutex_unlock(&s->lock);
		return cs_err(e, -EINVAL, "`%s`: not a symbolic link", path);
	}
	if (r == 0) {
		cs_fsys *fs = s->m[n.m].fs;
		r = fs->ops->readlink(fs, n.ino, ret, &d);
	}
	pthread_mutex_unlock(&s->lock);
	return r < 0 ? path_err(e, r, path, &d) : 0;
}

static int fs_list(cs_source *src, const char *path, cs_dirent **ret, size_t *ret_n, cs_error *e)
{
	fsys_source *s = (fsys_source *)src;
	cs_error d = {0};
	nref n;
	cs_stat st;
	pthread_mutex_lock(&s->lock);
	int r = resolve(s, path, true, &n, &d);
	if (r == 0)
		r = stat_node(s, n, &st, &d);
	if (r == 0 && !S_ISDIR(st.mode))
		r = -ENOTDIR;
	const dcache_ent *dc = NULL;
	if (r == 0)
		r = get_dir(s, n, &dc, &d);
	if (r < 0) {
		pthread_mutex_unlock(&s->lock);
		return path_err(e, r, path, &d);
	}
	cs_dirent *v = dc->n ? cs_xreallocarray(NULL, dc->n, sizeof(*v)) : NULL;
	for (size_t i = 0; i < dc->n; i++) {
		v[i].name = cs_xstrdup(dc->v[i].name);
		/* a mount point shows as the directory it is */
		nref c = cross(s, (nref){n.m, dc->v[i].ino});
		v[i].type = c.m != n.m ? DT_DIR : dc->v[i].type;
	}
	*ret = v;
	*ret_n = dc->n;
	pthread_mutex_unlock(&s->lock);
	return 0;
}

static int cmp_xattr(const void *a, const void *b)
{
	return strcmp(((const cs_xattr *)a)->name, ((const cs_xattr *)b)->name);
}

static int fs_xattrs(cs_source *src, const char *path, cs_xattr **ret, size_t *ret_n, cs_error *e)
{
	fsys_source *s = (fsys_source *)src;
	cs_error d = {0};
	nref n;
	pthread_mutex_lock(&s->lock);
	int r = resolve(s, path, false, &n, &d);
	cs_fsys *fs = r == 0 ? s->m[n.m].fs : NULL;
	if (r == 0 && fs->ops->xattrs)
		r = fs->ops->xattrs(fs, n.ino, ret, ret_n, &d);
	pthread_mutex_unlock(&s->lock);
	if (r < 0)
		return path_err(e, r, path, &d);
	if (*ret_n > 1)
		qsort(*ret, *ret_n, sizeof(**ret), cmp_xattr);
	return 0;
}

static void fs_close(cs_source *src)
{
	fsys_source *s = (fsys_source *)src;
	for (size_t i = 0; i < CS_FSYS_DCACHE; i++)
		dc_drop(s, &s->dc[i]);
	for (size_t i = 0; i < CS_FSYS_PCACHE; i++) {
		free(s->pc[i].path);
		free(s->pc[i].stack);
	}
	for (size_t i = 0; i < s->n_m; i++)
		cs_fsys_close(s->m[i].fs);
	free(s->m);
	pthread_mutex_destroy(&s->lock);
	free(s->base.root);
	free(s);
}

static const cs_source_ops fsys_ops = {
	.name = "fsys",
	.stat = fs_stat,
	.open = fs_open,
	.readlink = fs_readlink,
	.list = fs_list,
	.xattrs = fs_xattrs,
	.close = fs_close,
};

int cs_source_fsys_chroot(cs_source *src, const char *path, cs_error *e)
{
	if (!cs_source_is_fsys(src))
		return cs_err(e, -EINVAL, "not a file system source");
	fsys_source *s = (fsys_source *)src;
	cs_error d = {0};
	nref where;
	cs_stat st;
	pthread_mutex_lock(&s->lock);
	int r = resolve(s, path, true, &where, &d);
	if (r == 0 && (r = stat_node(s, where, &st, &d)) == 0 && !S_ISDIR(st.mode))
		r = -ENOTDIR;
	if (r == 0) {
		s->top = where;
		for (size_t k = 0; k < CS_FSYS_PCACHE; k++) {
			free(s->pc[k].path);
			free(s->pc[k].stack);
			memset(&s->pc[k], 0, sizeof(s->pc[k]));
		}
	}
	pthread_mutex_unlock(&s->lock);
	return r < 0 ? path_err(e, r, path, &d) : 0;
}

bool cs_source_is_fsys(const cs_source *src)
{
	return src && src->ops == &fsys_ops;
}

int cs_source_open_fsys(cs_fsys **fs, const char *const *at, size_t n, const char *root_path,
			const char *root_name, cs_source **ret, cs_error *e)
{
	if (n == 0)
		return cs_err(e, -EINVAL, "no file system");
	fsys_source *s = cs_xcalloc(1, sizeof(*s));
	s->base.ops = &fsys_ops;
	s->base.root = cs_xstrdup(root_name);
	pthread_mutex_init(&s->lock, NULL);
	s->m = cs_xcalloc(n, sizeof(*s->m));
	s->m[0].fs = fs[0];
	s->n_m = 1;
	s->top = (nref){0, fs[0]->root_ino};
	s->base.partial = fs[0]->partial;
	s->base.concurrent = true; /* one mutex: see the note at the top */
	int r = 0;
	for (size_t i = 1; i < n; i++) {
		nref where;
		cs_error d = {0};
		if (r == 0) {
			r = resolve(s, at[i], true, &where, &d);
			cs_stat st;
			if (r == 0 && (r = stat_node(s, where, &st, &d)) == 0 && !S_ISDIR(st.mode))
				r = -ENOTDIR;
			if (r < 0) {
				path_err(e, r, at[i], &d);
				cs_err_prefix(e, "mount point");
			}
		}
		s->m[s->n_m].fs = fs[i];
		s->m[s->n_m].at = r == 0 ? where : (nref){UINT32_MAX, 0};
		s->n_m++;
		/* listings and paths cached so far may be covered now */
		for (size_t k = 0; k < CS_FSYS_DCACHE; k++)
			dc_drop(s, &s->dc[k]);
		for (size_t k = 0; k < CS_FSYS_PCACHE; k++) {
			free(s->pc[k].path);
			free(s->pc[k].stack);
			memset(&s->pc[k], 0, sizeof(s->pc[k]));
		}
	}
	if (r == 0 && root_path && *root_path) {
		cs_error d = {0};
		nref where;
		cs_stat st;
		r = resolve(s, root_path, true, &where, &d);
		if (r == 0 && (r = stat_node(s, where, &st, &d)) == 0 && !S_ISDIR(st.mode))
			r = -ENOTDIR;
		if (r < 0) {
			path_err(e, r, root_path, &d);
			cs_err_prefix(e, "%s", root_name);
		} else {
			s->top = where;
			for (size_t k = 0; k < CS_FSYS_PCACHE; k++) {
				free(s->pc[k].path);
				free(s->pc[k].stack);
				memset(&s->pc[k], 0, sizeof(s->pc[k]));
			}
		}
	}
	if (r < 0) {
		fs_close(&s->base);
		return r;
	}
	*ret = &s->base;
	return 0;
}

void cs_fsys_close(cs_fsys *fs)
{
	if (fs)
		fs->ops->close(fs);
}

/* ---- a file in memory ---- */

typedef struct mem_file {
	cs_file base;
	char *buf;
} mem_file;

static ssize_t mem_pread(cs_file *f, void *buf, size_t n, uint64_t off)
{
	mem_file *m = (mem_file *)f;
	if (off >= f->size)
		return 0;
	if (n > f->size - off)
		n = (size_t)(f->size - off);
	memcpy(buf, m->buf + off, n);
	return (ssize_t)n;
}

static void mem_close(cs_file *f)
{
	mem_file *m = (mem_file *)f;
	free(m->buf);
	free(m);
}

static const cs_file_ops mem_file_ops = {.pread = mem_pread, .close = mem_close};

cs_file *cs_file_from_memory(char *buf, uint64_t size)
{
	mem_file *m = cs_xcalloc(1, sizeof(*m));
	m->base.ops = &mem_file_ops;
	m->base.size = size;
	m->base.fd = -1;
	m->buf = buf;
	return &m->base;
}

int cs_fsys_open(cs_bdev *dev, const char *name, const cs_fsys_opts *o, cs_fsys **ret, cs_error *e)
{
	uint8_t b[2048];
	if (dev->size < sizeof(b))
		return cs_err(e, -EMEDIUMTYPE, "%s: too small for a file system", name);
	int r = cs_bdev_read(dev, b, sizeof(b), 0, e);
	if (r < 0)
		return r;
	if (b[1024 + 56] == 0x53 && b[1024 + 57] == 0xef)
		return cs_fsys_open_ext(dev, name, o, ret, e);
	if (memcmp(b, "XFSB", 4) == 0)
		return cs_fsys_open_xfs(dev, name, o, ret, e);
	return cs_err(e, -EMEDIUMTYPE, "%s: no ext2/3/4 or XFS file system", name);
}
