/* csfuse.c - the read-only FUSE filesystem (see csfuse.h).
 *
 * The trees are lazy (lib/fs/lazy.h): a directory is merged from its layers
 * on the first LOOKUP or READDIR inside it, an entry becomes a node when it
 * is looked up, and FORGET frees what the kernel no longer holds, so the
 * mount is ready after a stat of each layer's root and memory follows what
 * the kernel caches, not the size of the tree.
 *
 * Inode numbers are the trees' own, derived from the evidence (lazy.c tells
 * how): the same evidence mounts with the same numbers every time, and
 * names that are hard links to one file in their layer are one inode with
 * several names. Each tree has its own id inside the number, so the number
 * alone finds the tree. Tree 0's root answers as FUSE_ROOT_ID; the virtual
 * directories /.csleuth and /.csleuth/deleted are 2 and 3, below every
 * derived number.
 *
 * Caching. Nothing ever changes, so entries and attributes are valid
 * "forever", negative lookups are cached too (ino 0), and file contents are
 * kept in the page cache across opens (keep_cache).
 *
 * Opens. Where the kernel supports it, `open` answers ENOSYS once and the
 * kernel stops sending OPEN and RELEASE (the mount is read-only, so no
 * write can get that far); reads then find the evidence file in a small
 * reference-counted cache of open descriptors keyed by inode.
 *
 * Reads hand the kernel the evidence file's descriptor and offset
 * (fuse_reply_data with an fd buffer), so data can be spliced without a
 * copy through this process. Every operation that would change anything
 * answers EROFS. Library errors become errno values here, once.
 */
#define FUSE_USE_VERSION 34

#include "csfuse.h"
#include "nosymfollow.h"

#include <errno.h>
#include <fcntl.h>
#include <fuse_lowlevel.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define FOREVER 1e9 /* seconds */
#define FDCACHE 512 /* evidence files kept open for reads without OPEN */
#define MAX_TREES 256
#define INO_META 2    /* /.csleuth */
#define INO_DELETED 3 /* /.csleuth/deleted */

typedef struct fs {
	cs_lazy *trees[MAX_TREES];
	size_t ntrees;
	uint16_t by_id[CS_LAZY_MAX_TREES]; /* tree id -> index + 1 */
	size_t deleted_tree; /* index of the deleted view; 0 = none */
	pthread_mutex_t lock; /* the trees, the evidence source and the fd cache */
	bool no_open;         /* the kernel sends no OPEN/RELEASE: reads use the cache */
	bool no_opendir;      /* nor OPENDIR/RELEASEDIR */
	struct fdent {
		fuse_ino_t ino;
		cs_file *f;
		int refs;
		uint64_t used;
	} fdc[FDCACHE];
	uint64_t tick;
	unsigned layers_below; /* of tree 0 (see cs_fuse_opts) */
} fs;

static fs *FS(fuse_req_t req)
{
	return fuse_req_userdata(req);
}

/* The live node of an inode, and its tree (under the lock); false for the
 * virtual directories and for numbers the kernel cannot hold. */
static bool decode(const fs *f, fuse_ino_t ino, size_t *k, cs_lnode **node)
{
	if (ino == FUSE_ROOT_ID) {
		*k = 0;
		*node = cs_lazy_root(f->trees[0]);
		return true;
	}
	uint32_t id = cs_lazy_ino_tree(ino);
	if (id == UINT32_MAX || !f->by_id[id])
		return false;
	*k = f->by_id[id] - 1u;
	*node = cs_lazy_get(f->trees[*k], ino);
	return *node != NULL;
}

/* A graft shows another tree's root in place of a directory of tree 0: the
 * directory's node carries the tree's index + 1 (see cs_fuse_serve). */
static void follow_graft(const fs *f, size_t *k, cs_lnode **node)
{
	if (*k == 0 && (*node)->user) {
		*k = (size_t)(uintptr_t)(*node)->user - 1;
		*node = cs_lazy_root(f->trees[*k]);
	}
}

static void fill_attr(const cs_lnode *n, fuse_ino_t ino, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	st->st_mode = n->st.mode;
	st->st_nlink = n->st.nlink ? n->st.nlink : 1;
	st->st_uid = n->st.uid;
	st->st_gid = n->st.gid;
	st->st_size = (off_t)n->st.size;
	st->st_blocks = (blkcnt_t)n->st.blocks;
	st->st_blksize = 4096;
	st->st_rdev = makedev(n->st.rdev_major, n->st.rdev_minor);
	cs_time t[3] = {n->st.atime, n->st.mtime, n->st.ctime};
	struct timespec *ts[3] = {&st->st_atim, &st->st_mtim, &st->st_ctim};
	for (int i = 0; i < 3; i++)
		if (CS_TIME_IS_REAL(t[i])) {
			int64_t s = t[i] / 1000000000, ns = t[i] % 1000000000;
			if (ns < 0) {
				ns += 1000000000;
				s--;
			}
			ts[i]->tv_sec = s;
			ts[i]->tv_nsec = ns;
		}
}

static void fill_virtual(const fs *f, fuse_ino_t ino, struct stat *st)
{
	const cs_lnode *root = cs_lazy_root(f->trees[0]);
	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	st->st_mode = S_IFDIR | 0555;
	st->st_nlink = 2;
	st->st_mtim.tv_sec = root->st.mtime / 1000000000;
	st->st_ctim = st->st_atim = st->st_mtim;
}

static void reply_entry(fuse_req_t req, fuse_ino_t ino, const struct stat *st)
{
	struct fuse_entry_param e = {.ino = ino, .generation = 1, .attr_timeout = FOREVER,
				     .entry_timeout = FOREVER};
	if (st)
		e.attr = *st;
	fuse_reply_entry(req, &e);
}

/* Ask the kernel for zero-copy replies (our read replies hand over the
 * evidence file's descriptor, which libfuse splices only when asked to) and
 * for a larger readahead window: everything here is read sequentially and
 * never changes. */
static void op_init(void *userdata, struct fuse_conn_info *conn)
{
	fs *f = userdata;
	/* zero-message opens: tar over 80,000 files then costs no round trip
	 * per file once the data is cached */
	if (conn->capable & FUSE_CAP_NO_OPEN_SUPPORT) {
		conn->want |= FUSE_CAP_NO_OPEN_SUPPORT;
		f->no_open = true;
	}
	if (conn->capable & FUSE_CAP_NO_OPENDIR_SUPPORT) {
		conn->want |= FUSE_CAP_NO_OPENDIR_SUPPORT;
		f->no_opendir = true;
	}
	if (conn->capable & FUSE_CAP_SPLICE_WRITE)
		conn->want |= FUSE_CAP_SPLICE_WRITE;
	if (conn->capable & FUSE_CAP_SPLICE_MOVE)
		conn->want |= FUSE_CAP_SPLICE_MOVE;
	if (conn->capable & FUSE_CAP_ASYNC_READ)
		conn->want |= FUSE_CAP_ASYNC_READ;
	if (conn->capable & FUSE_CAP_CACHE_SYMLINKS)
		conn->want |= FUSE_CAP_CACHE_SYMLINKS;
	conn->max_readahead = 1u << 20;
}

static void op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	fs *f = FS(req);
	struct stat st;
	size_t k;
	cs_lnode *dir, *c;
	if (parent == FUSE_ROOT_ID && f->deleted_tree && strcmp(name, ".csleuth") == 0) {
		fill_virtual(f, INO_META, &st);
		reply_entry(req, INO_META, &st);
		return;
	}
	if (parent == INO_META && f->deleted_tree) {
		if (strcmp(name, "deleted") == 0) {
			fill_virtual(f, INO_DELETED, &st);
			reply_entry(req, INO_DELETED, &st);
		} else {
			reply_entry(req, 0, NULL);
		}
		return;
	}
	pthread_mutex_lock(&f->lock);
	if (parent == INO_DELETED && f->deleted_tree) {
		k = f->deleted_tree;
		dir = cs_lazy_root(f->trees[k]);
	} else if (!decode(f, parent, &k, &dir)) {
		pthread_mutex_unlock(&f->lock);
		fuse_reply_err(req, ENOENT);
		return;
	}
	follow_graft(f, &k, &dir);
	int r = cs_lazy_lookup(f->trees[k], dir, name, &c);
	if (r < 0) {
		pthread_mutex_unlock(&f->lock);
		if (r == -ENOENT)
			reply_entry(req, 0, NULL); /* negative entry, cached */
		else
			fuse_reply_err(req, -r);
		return;
	}
	size_t gk = k;
	cs_lnode *g = c;
	follow_graft(f, &gk, &g);
	fill_attr(g, c->ino, &st); /* a graft keeps the mount point's inode number */
	pthread_mutex_unlock(&f->lock);
	struct fuse_entry_param e = {.ino = c->ino, .generation = 1, .attr_timeout = FOREVER,
				     .entry_timeout = FOREVER, .attr = st};
	if (fuse_reply_entry(req, &e) != 0) {
		/* the kernel did not take the reference */
		pthread_mutex_lock(&f->lock);
		cs_lazy_forget(f->trees[k], c, 1);
		pthread_mutex_unlock(&f->lock);
	}
}

static void forget_one(fs *f, fuse_ino_t ino, uint64_t nlookup)
{
	size_t k;
	cs_lnode *n;
	if (ino != FUSE_ROOT_ID && decode(f, ino, &k, &n))
		cs_lazy_forget(f->trees[k], n, nlookup);
}

static void op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	fs *f = FS(req);
	pthread_mutex_lock(&f->lock);
	forget_one(f, ino, nlookup);
	pthread_mutex_unlock(&f->lock);
	fuse_reply_none(req);
}

static void op_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets)
{
	fs *f = FS(req);
	pthread_mutex_lock(&f->lock);
	for (size_t i = 0; i < count; i++)
		forget_one(f, forgets[i].ino, forgets[i].nlookup);
	pthread_mutex_unlock(&f->lock);
	fuse_reply_none(req);
}

static void op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)fi;
	fs *f = FS(req);
	struct stat st;
	size_t k;
	cs_lnode *n;
	if (ino == INO_META || ino == INO_DELETED) {
		fill_virtual(f, ino, &st);
		fuse_reply_attr(req, &st, FOREVER);
		return;
	}
	pthread_mutex_lock(&f->lock);
	bool ok = decode(f, ino, &k, &n);
	if (ok) {
		follow_graft(f, &k, &n);
		fill_attr(n, ino, &st);
	}
	pthread_mutex_unlock(&f->lock);
	if (ok)
		fuse_reply_attr(req, &st, FOREVER);
	else
		fuse_reply_err(req, ENOENT);
}

static void op_readlink(fuse_req_t req, fuse_ino_t ino)
{
	fs *f = FS(req);
	size_t k;
	cs_lnode *n;
	char *link = NULL;
	pthread_mutex_lock(&f->lock);
	if (decode(f, ino, &k, &n) && S_ISLNK(n->st.mode) && n->link)
		link = cs_xstrdup(n->link);
	pthread_mutex_unlock(&f->lock);
	if (link)
		fuse_reply_readlink(req, link);
	else
		fuse_reply_err(req, EINVAL);
	free(link);
}

static void op_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	if (FS(req)->no_opendir) {
		fuse_reply_err(req, ENOSYS); /* no OPENDIR/RELEASEDIR from now on */
		return;
	}
	fi->keep_cache = 1;
	fi->cache_readdir = 1;
	(void)ino;
	fuse_reply_open(req, fi);
}

/* Directory offsets: 1 ".", 2 "..", then 3 + entry index (+ virtual). */
static void op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi)
{
	(void)fi;
	fs *f = FS(req);
	size_t k = 0;
	cs_lnode *dir = NULL;
	bool is_meta = ino == INO_META && f->deleted_tree;
	char *buf = calloc(1, size);
	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	pthread_mutex_lock(&f->lock);
	if (ino == INO_DELETED && f->deleted_tree) {
		k = f->deleted_tree;
		dir = cs_lazy_root(f->trees[k]);
	} else if (!is_meta && !decode(f, ino, &k, &dir)) {
		pthread_mutex_unlock(&f->lock);
		free(buf);
		fuse_reply_err(req, ENOENT);
		return;
	}
	size_t used = 0;
	struct stat st = {0};
	off_t next = off;
	int err = 0;
#define ADD(nm, inode, mode)                                                                      \
	do {                                                                                      \
		st.st_ino = (inode);                                                              \
		st.st_mode = (mode);                                                              \
		size_t need = fuse_add_direntry(req, buf + used, size - used, (nm), &st, next + 1); \
		if (need > size - used)                                                           \
			goto full;                                                                \
		used += need;                                                                     \
		next++;                                                                           \
	} while (0)
	if (next == 0)
		ADD(".", ino, S_IFDIR);
	if (next == 1)
		ADD("..", FUSE_ROOT_ID, S_IFDIR);
	if (is_meta) {
		if (next == 2)
			ADD("deleted", INO_DELETED, S_IFDIR);
	} else {
		bool root0 = k == 0 && !dir->parent;
		follow_graft(f, &k, &dir);
		const cs_lentry *ents;
		size_t n;
		int r = cs_lazy_list(f->trees[k], dir, &ents, &n);
		if (r < 0) {
			err = -r;
			goto full;
		}
		for (size_t i = (size_t)(next - 2); i < n; i++)
			ADD(ents[i].name, ents[i].ino, ents[i].st.mode);
		if (root0 && f->deleted_tree && (uint64_t)next == 2 + n)
			ADD(".csleuth", INO_META, S_IFDIR);
	}
full:
	pthread_mutex_unlock(&f->lock);
	if (err && used == 0)
		fuse_reply_err(req, err);
	else
		fuse_reply_buf(req, buf, used);
	free(buf);
#undef ADD
}

/* Opens node's evidence file (under the lock). */
static int open_node(fs *f, fuse_ino_t ino, cs_file **ret)
{
	size_t k;
	cs_lnode *n;
	if (!decode(f, ino, &k, &n))
		return -EISDIR;
	if (!S_ISREG(n->st.mode))
		return S_ISDIR(n->st.mode) ? -EISDIR : -EACCES;
	cs_error e = {0};
	int r = cs_lazy_open_file(f->trees[k], n, ret, &e);
	return r == -ENOENT ? -EIO : r;
}

static void op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	fs *f = FS(req);
	if ((fi->flags & O_ACCMODE) != O_RDONLY || (fi->flags & (O_TRUNC | O_APPEND | O_CREAT))) {
		fuse_reply_err(req, EROFS);
		return;
	}
	if (f->no_open) {
		fuse_reply_err(req, ENOSYS); /* from now on, no OPEN/RELEASE */
		return;
	}
	cs_file *cf = NULL;
	pthread_mutex_lock(&f->lock);
	int r = open_node(f, ino, &cf);
	pthread_mutex_unlock(&f->lock);
	if (r < 0) {
		fuse_reply_err(req, -r);
		return;
	}
	fi->fh = (uint64_t)(uintptr_t)cf;
	fi->keep_cache = 1;
	fuse_reply_open(req, fi);
}

/* The cached descriptor of ino, referenced; *slot is its cache slot, or -1
 * when it could not be cached (the caller then closes it). */
static cs_file *fdcache_get(fs *f, fuse_ino_t ino, int *slot, int *err)
{
	pthread_mutex_lock(&f->lock);
	int victim = -1;
	for (int i = 0; i < FDCACHE; i++) {
		struct fdent *e = &f->fdc[i];
		if (e->f && e->ino == ino) {
			e->refs++;
			e->used = ++f->tick;
			*slot = i;
			pthread_mutex_unlock(&f->lock);
			return e->f;
		}
		if (e->refs == 0 && (victim < 0 || !e->f || (f->fdc[victim].f && e->used < f->fdc[victim].used)))
			victim = i;
	}
	cs_file *cf = NULL;
	int r = open_node(f, ino, &cf);
	if (r < 0) {
		*err = -r;
		pthread_mutex_unlock(&f->lock);
		return NULL;
	}
	*slot = victim;
	if (victim >= 0) {
		struct fdent *e = &f->fdc[victim];
		cs_file_close(e->f);
		e->f = cf;
		e->ino = ino;
		e->refs = 1;
		e->used = ++f->tick;
	}
	pthread_mutex_unlock(&f->lock);
	return cf;
}

static void fdcache_put(fs *f, cs_file *cf, int slot)
{
	if (slot < 0) {
		cs_file_close(cf);
		return;
	}
	pthread_mutex_lock(&f->lock);
	f->fdc[slot].refs--;
	pthread_mutex_unlock(&f->lock);
}

static void op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi)
{
	fs *f = FS(req);
	int slot = -1, err = EIO;
	cs_file *cf = fi->fh ? (cs_file *)(uintptr_t)fi->fh : fdcache_get(f, ino, &slot, &err);
	if (!cf) {
		fuse_reply_err(req, err);
		return;
	}
	int fd = cs_file_fd(cf);
	if (fd >= 0) {
		struct fuse_bufvec bv = FUSE_BUFVEC_INIT(size);
		bv.buf[0].flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK;
		bv.buf[0].fd = fd;
		bv.buf[0].pos = off;
		fuse_reply_data(req, &bv, FUSE_BUF_SPLICE_MOVE);
	} else {
		char *buf = malloc(size);
		ssize_t n = buf ? cs_file_pread(cf, buf, size, (uint64_t)off) : -ENOMEM;
		if (n < 0)
			fuse_reply_err(req, (int)-n);
		else
			fuse_reply_buf(req, buf, (size_t)n);
		free(buf);
	}
	if (!fi->fh)
		fdcache_put(f, cf, slot);
}

static void op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)ino;
	if (fi->fh)
		cs_file_close((cs_file *)(uintptr_t)fi->fh);
	fuse_reply_err(req, 0);
}

/* Extended attributes: the evidence's own (overlay's hidden), plus
 * provenance: user.csleuth.layer (numbered from the base layer, 0, up;
 * "volume" for a grafted volume), user.csleuth.layer_id,
 * user.csleuth.evidence_path. */
static int collect_xattrs(fs *f, fuse_ino_t ino, cs_xattr **ret, size_t *ret_n)
{
	size_t k;
	cs_lnode *n;
	*ret = NULL;
	*ret_n = 0;
	pthread_mutex_lock(&f->lock);
	if (!decode(f, ino, &k, &n)) {
		pthread_mutex_unlock(&f->lock);
		return 0;
	}
	follow_graft(f, &k, &n);
	int r = cs_lazy_xattrs(f->trees[k], n, ret, ret_n, NULL);
	if (r < 0)
		*ret_n = 0;
	if (!S_ISREG(n->st.mode) && !S_ISDIR(n->st.mode)) {
		/* the kernel allows user.* attributes on files and directories only */
		pthread_mutex_unlock(&f->lock);
		return 0;
	}
	char *ev = cs_lazy_evidence_path(f->trees[k], n);
	const cs_layer_dir *L = cs_lazy_layer(f->trees[k], n->layer);
	char layer[16];
	int below = (int)cs_lazy_layers(f->trees[k]) - 1 - n->layer;
	if (k == 0)
		snprintf(layer, sizeof(layer), "%d", (int)f->layers_below + below);
	else if (k == f->deleted_tree)
		snprintf(layer, sizeof(layer), "%d", below);
	else
		snprintf(layer, sizeof(layer), "volume");
	const char *names[] = {"user.csleuth.layer", "user.csleuth.layer_id", "user.csleuth.evidence_path"};
	const char *vals[] = {layer, L && L->id ? L->id : "", ev ? ev : ""};
	*ret = cs_xreallocarray(*ret, *ret_n + 3, sizeof(cs_xattr));
	for (int i = 0; i < 3; i++) {
		cs_xattr *x = &(*ret)[(*ret_n)++];
		x->name = cs_xstrdup(names[i]);
		x->value = cs_xstrdup(vals[i]);
		x->len = strlen(vals[i]);
	}
	pthread_mutex_unlock(&f->lock);
	free(ev);
	return 0;
}

static void op_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size)
{
	cs_xattr *x;
	size_t n;
	collect_xattrs(FS(req), ino, &x, &n);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(x[i].name, name) != 0)
			continue;
		if (size == 0)
			fuse_reply_xattr(req, x[i].len);
		else if (size < x[i].len)
			fuse_reply_err(req, ERANGE);
		else
			fuse_reply_buf(req, x[i].value, x[i].len);
		cs_xattrs_free(x, n);
		return;
	}
	cs_xattrs_free(x, n);
	fuse_reply_err(req, ENODATA);
}

static void op_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size)
{
	cs_xattr *x;
	size_t n, total = 0;
	collect_xattrs(FS(req), ino, &x, &n);
	for (size_t i = 0; i < n; i++)
		total += strlen(x[i].name) + 1;
	if (size == 0) {
		fuse_reply_xattr(req, total);
	} else if (size < total) {
		fuse_reply_err(req, ERANGE);
	} else {
		char *buf = cs_xmalloc(total ? total : 1), *p = buf;
		for (size_t i = 0; i < n; i++) {
			size_t l = strlen(x[i].name) + 1;
			memcpy(p, x[i].name, l);
			p += l;
		}
		fuse_reply_buf(req, buf, total);
		free(buf);
	}
	cs_xattrs_free(x, n);
}

static void op_statfs(fuse_req_t req, fuse_ino_t ino)
{
	(void)ino;
	fs *f = FS(req);
	uint64_t files = 0;
	pthread_mutex_lock(&f->lock);
	for (size_t i = 0; i < f->ntrees; i++)
		files += cs_lazy_live_nodes(f->trees[i]);
	pthread_mutex_unlock(&f->lock);
	struct statvfs sv = {.f_bsize = 4096, .f_frsize = 4096, .f_namemax = 255,
			     .f_files = files, .f_flag = ST_RDONLY};
	fuse_reply_statfs(req, &sv);
}

static void op_access(fuse_req_t req, fuse_ino_t ino, int mask)
{
	(void)ino;
	fuse_reply_err(req, (mask & W_OK) ? EROFS : 0);
}

/* Everything that would change the filesystem. */
static void erofs_setattr(fuse_req_t r, fuse_ino_t i, struct stat *a, int s, struct fuse_file_info *fi)
{
	(void)i; (void)a; (void)s; (void)fi;
	fuse_reply_err(r, EROFS);
}
static void erofs_mknod(fuse_req_t r, fuse_ino_t p, const char *n, mode_t m, dev_t d)
{
	(void)p; (void)n; (void)m; (void)d;
	fuse_reply_err(r, EROFS);
}
static void erofs_mkdir(fuse_req_t r, fuse_ino_t p, const char *n, mode_t m)
{
	(void)p; (void)n; (void)m;
	fuse_reply_err(r, EROFS);
}
static void erofs_unlink(fuse_req_t r, fuse_ino_t p, const char *n)
{
	(void)p; (void)n;
	fuse_reply_err(r, EROFS);
}
static void erofs_symlink(fuse_req_t r, const char *l, fuse_ino_t p, const char *n)
{
	(void)l; (void)p; (void)n;
	fuse_reply_err(r, EROFS);
}
static void erofs_rename(fuse_req_t r, fuse_ino_t p, const char *n, fuse_ino_t np, const char *nn, unsigned f)
{
	(void)p; (void)n; (void)np; (void)nn; (void)f;
	fuse_reply_err(r, EROFS);
}
static void erofs_link(fuse_req_t r, fuse_ino_t i, fuse_ino_t p, const char *n)
{
	(void)i; (void)p; (void)n;
	fuse_reply_err(r, EROFS);
}
static void erofs_write(fuse_req_t r, fuse_ino_t i, const char *b, size_t s, off_t o, struct fuse_file_info *fi)
{
	(void)i; (void)b; (void)s; (void)o; (void)fi;
	fuse_reply_err(r, EROFS);
}
static void erofs_create(fuse_req_t r, fuse_ino_t p, const char *n, mode_t m, struct fuse_file_info *fi)
{
	(void)p; (void)n; (void)m; (void)fi;
	fuse_reply_err(r, EROFS);
}
static void erofs_setxattr(fuse_req_t r, fuse_ino_t i, const char *n, const char *v, size_t s, int f)
{
	(void)i; (void)n; (void)v; (void)s; (void)f;
	fuse_reply_err(r, EROFS);
}
static void erofs_removexattr(fuse_req_t r, fuse_ino_t i, const char *n)
{
	(void)i; (void)n;
	fuse_reply_err(r, EROFS);
}
static void erofs_fallocate(fuse_req_t r, fuse_ino_t i, int m, off_t o, off_t l, struct fuse_file_info *fi)
{
	(void)i; (void)m; (void)o; (void)l; (void)fi;
	fuse_reply_err(r, EROFS);
}

static const struct fuse_lowlevel_ops ops = {
	.init = op_init,
	.lookup = op_lookup,
	.forget = op_forget,
	.forget_multi = op_forget_multi,
	.getattr = op_getattr,
	.readlink = op_readlink,
	.opendir = op_opendir,
	.readdir = op_readdir,
	.open = op_open,
	.read = op_read,
	.release = op_release,
	.getxattr = op_getxattr,
	.listxattr = op_listxattr,
	.statfs = op_statfs,
	.access = op_access,
	.setattr = erofs_setattr,
	.mknod = erofs_mknod,
	.mkdir = erofs_mkdir,
	.unlink = erofs_unlink,
	.rmdir = erofs_unlink,
	.symlink = erofs_symlink,
	.rename = erofs_rename,
	.link = erofs_link,
	.write = erofs_write,
	.create = erofs_create,
	.setxattr = erofs_setxattr,
	.removexattr = erofs_removexattr,
	.fallocate = erofs_fallocate,
};

static bool add_tree(fs *f, cs_lazy *t)
{
	uint32_t id = cs_lazy_tree_id(t);
	if (f->ntrees >= MAX_TREES || id >= CS_LAZY_MAX_TREES || f->by_id[id]) {
		fprintf(stderr, "csleuth: tree id %u given twice or too many trees\n", id);
		return false;
	}
	f->trees[f->ntrees++] = t;
	f->by_id[id] = (uint16_t)f->ntrees;
	return true;
}

int cs_fuse_serve(cs_lazy *tree, const cs_fuse_opts *o)
{
	fs f = {0};
	f.layers_below = o->layers_below;
	pthread_mutex_init(&f.lock, NULL);
	if (!add_tree(&f, tree)) {
		pthread_mutex_destroy(&f.lock);
		return -1;
	}
	if (o->deleted_tree && add_tree(&f, o->deleted_tree))
		f.deleted_tree = f.ntrees - 1;
	for (size_t g = 0; g < o->n_grafts; g++) {
		cs_lnode *at = NULL;
		if (cs_lazy_resolve(tree, o->grafts[g].path, &at) < 0 || !S_ISDIR(at->st.mode) || at->user ||
		    !at->parent) {
			fprintf(stderr, "csleuth: volume destination %s is not a directory in the view; "
				"not shown\n", o->grafts[g].path);
			if (at)
				cs_lazy_forget(tree, at, 1);
			continue;
		}
		if (!add_tree(&f, o->grafts[g].tree)) {
			cs_lazy_forget(tree, at, 1);
			continue;
		}
		/* the reference taken by resolve pins the mount point, and with it
		 * the graft, for the life of the mount */
		at->user = (void *)(uintptr_t)f.ntrees;
	}

	char fsname[300];
	snprintf(fsname, sizeof(fsname), "-ofsname=%s", o->fsname ? o->fsname : "csleuth");
	for (char *p = fsname; *p; p++)
		if (*p == ',' || *p == ' ')
			*p = '_';
	char a0[] = "csleuth", a1[] = "-oro,default_permissions,subtype=csleuth", ad[] = "-d";
	char *argv[] = {a0, a1, fsname, o->debug ? ad : NULL, NULL};
	struct fuse_args args = FUSE_ARGS_INIT(o->debug ? 4 : 3, argv);
	int ret = -1;
	/* Daemonizing: the child mounts and serves; the parent returns only
	 * when the child says the mount is ready (or that it failed), so the
	 * caller can still report its own exit status. */
	int ready[2] = {-1, -1};
	if (!o->foreground) {
		if (pipe(ready) != 0) {
			perror("csleuth: pipe");
			goto out;
		}
		pid_t pid = fork();
		if (pid < 0) {
			perror("csleuth: fork");
			goto out;
		}
		if (pid > 0) {
			close(ready[1]);
			char b = 0;
			ssize_t n;
			do
				n = read(ready[0], &b, 1);
			while (n < 0 && errno == EINTR);
			close(ready[0]);
			fuse_opt_free_args(&args);
			pthread_mutex_destroy(&f.lock);
			return n == 1 && b == 'r' ? CS_FUSE_PARENT : -1;
		}
		close(ready[0]);
		setsid();
	}
	struct fuse_session *se = fuse_session_new(&args, &ops, sizeof(ops), &f);
	if (!se)
		goto out;
	if (fuse_set_signal_handlers(se) != 0)
		goto out_destroy;
	if (fuse_session_mount(se, o->mountpoint) != 0)
		goto out_signals;
	int nsf = cs_fuse_nosymfollow(o->mountpoint);
	if (nsf < 0)
		fprintf(stderr,
			"csleuth: warning: %s: the mount could not be made nosymfollow (%s): the "
			"kernel follows a symbolic link of the view wherever it points, onto this "
			"machine; look at links with ls -l or readlink, do not open them\n",
			o->mountpoint,
			nsf == -EPERM ? "changing a mount's flags needs root"
			: nsf == -ENOSYS || nsf == -EINVAL ? "the kernel is older than 5.10"
							    : strerror(-nsf));
	if (!o->foreground) {
		/* ready: release the parent, then leave the terminal */
		if (write(ready[1], "r", 1) != 1)
			goto out_unmount;
		close(ready[1]);
		ready[1] = -1;
		if (chdir("/") != 0)
			goto out_unmount;
		int nul = open("/dev/null", O_RDWR);
		if (nul >= 0) {
			dup2(nul, 0);
			dup2(nul, 1);
			dup2(nul, 2);
			if (nul > 2)
				close(nul);
		}
	}
	struct fuse_loop_config cfg = {.clone_fd = 0, .max_idle_threads = 10};
	ret = fuse_session_loop_mt(se, &cfg) == 0 ? 0 : -1;
out_unmount:
	fuse_session_unmount(se);
out_signals:
	fuse_remove_signal_handlers(se);
out_destroy:
	fuse_session_destroy(se);
out:
	for (int i = 0; i < FDCACHE; i++)
		cs_file_close(f.fdc[i].f);
	if (ready[1] >= 0)
		close(ready[1]); /* the parent reads EOF: failure */
	fuse_opt_free_args(&args);
	pthread_mutex_destroy(&f.lock);
	return ret;
}
