/* csfuse.c - the read-only FUSE filesystem (see csfuse.h).
 *
 * Inode numbers. Node i of tree k has inode base[k] + i + 1; tree 0's root
 * is node 0, so it gets FUSE_ROOT_ID. Node numbers come from the evidence
 * alone (tree.h), so the same evidence mounts with the same inode numbers
 * every time. Names that are hard links to one file in their layer answer
 * with the first name's inode, so the kernel sees one inode with several
 * names. Two virtual directories (/.csleuth and /.csleuth/deleted) take the
 * two inodes after the last tree.
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

typedef struct fs {
	cs_tree *trees[MAX_TREES];
	uint64_t base[MAX_TREES + 1];
	size_t ntrees;
	/* grafts: (tree 0 node) -> tree index */
	uint32_t graft_node[MAX_TREES];
	size_t graft_tree[MAX_TREES];
	size_t ngrafts;
	/* deleted view: tree index and which of its nodes are shown */
	size_t deleted_tree; /* 0 = none */
	unsigned char *shown;
	uint64_t ino_meta, ino_deleted; /* /.csleuth, /.csleuth/deleted */
	pthread_mutex_t lock; /* the evidence source and fd cache are not thread-safe */
	bool no_open;         /* the kernel sends no OPEN/RELEASE: reads use the cache */
	bool no_opendir;      /* nor OPENDIR/RELEASEDIR */
	struct fdent {
		fuse_ino_t ino;
		cs_file *f;
		int refs;
		uint64_t used;
	} fdc[FDCACHE];
	uint64_t tick;
	const cs_idmaps *ids; /* owners as the container saw them, or NULL */
} fs;

static fs *FS(fuse_req_t req)
{
	return fuse_req_userdata(req);
}

/* Decodes an inode into (tree, node); false for virtual or unknown ones. */
static bool decode(const fs *f, fuse_ino_t ino, size_t *k, uint32_t *node)
{
	for (size_t i = 0; i < f->ntrees; i++)
		if (ino > f->base[i] && ino <= f->base[i + 1]) {
			*k = i;
			*node = (uint32_t)(ino - f->base[i] - 1);
			return true;
		}
	return false;
}

static fuse_ino_t encode(const fs *f, size_t k, uint32_t node)
{
	const cs_tnode *n = cs_tree_node(f->trees[k], node);
	return f->base[k] + (n ? n->hardlink : node) + 1;
}

/* A graft replaces a directory of tree 0 with another tree's root. */
static void follow_graft(const fs *f, size_t *k, uint32_t *node)
{
	if (*k != 0)
		return;
	for (size_t g = 0; g < f->ngrafts; g++)
		if (f->graft_node[g] == *node) {
			*k = f->graft_tree[g];
			*node = 0;
			return;
		}
}

static void fill_attr(const fs *f, size_t k, uint32_t node, struct stat *st)
{
	const cs_tnode *n = cs_tree_node(f->trees[k], node);
	memset(st, 0, sizeof(*st));
	st->st_ino = encode(f, k, node);
	st->st_mode = n->st.mode;
	st->st_nlink = n->st.nlink ? n->st.nlink : 1;
	st->st_uid = n->st.uid;
	st->st_gid = n->st.gid;
	if (f->ids && f->ids->n_uid) {
		int64_t u = cs_idmap_to_container(f->ids->uid, f->ids->n_uid, n->st.uid);
		st->st_uid = u < 0 ? CS_OVERFLOW_ID : (uid_t)u;
	}
	if (f->ids && f->ids->n_gid) {
		int64_t g = cs_idmap_to_container(f->ids->gid, f->ids->n_gid, n->st.gid);
		st->st_gid = g < 0 ? CS_OVERFLOW_ID : (gid_t)g;
	}
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
	const cs_tnode *root = cs_tree_node(f->trees[0], 0);
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

static bool shown(const fs *f, size_t k, uint32_t node)
{
	return k != f->deleted_tree || !f->shown || f->shown[node];
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
	uint32_t node;
	if (parent == FUSE_ROOT_ID && f->deleted_tree && strcmp(name, ".csleuth") == 0) {
		fill_virtual(f, f->ino_meta, &st);
		reply_entry(req, f->ino_meta, &st);
		return;
	}
	if (parent == f->ino_meta && f->deleted_tree) {
		if (strcmp(name, "deleted") == 0) {
			fill_virtual(f, f->ino_deleted, &st);
			reply_entry(req, f->ino_deleted, &st);
		} else {
			reply_entry(req, 0, NULL);
		}
		return;
	}
	if (parent == f->ino_deleted && f->deleted_tree) {
		k = f->deleted_tree;
		node = 0;
	} else if (!decode(f, parent, &k, &node)) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	follow_graft(f, &k, &node);
	uint32_t c = cs_tree_lookup(f->trees[k], node, name);
	if (c == UINT32_MAX || !shown(f, k, c)) {
		reply_entry(req, 0, NULL); /* negative entry, cached */
		return;
	}
	size_t ck = k;
	uint32_t cn = c;
	follow_graft(f, &ck, &cn);
	fill_attr(f, ck, cn, &st);
	if (ck != k) /* a graft keeps the mount point's inode number */
		st.st_ino = encode(f, k, c);
	reply_entry(req, st.st_ino, &st);
}

static void op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)fi;
	fs *f = FS(req);
	struct stat st;
	size_t k;
	uint32_t node;
	if (ino == f->ino_meta || ino == f->ino_deleted) {
		fill_virtual(f, ino, &st);
	} else if (decode(f, ino, &k, &node)) {
		size_t gk = k;
		uint32_t gn = node;
		follow_graft(f, &gk, &gn);
		fill_attr(f, gk, gn, &st);
		st.st_ino = ino;
	} else {
		fuse_reply_err(req, ENOENT);
		return;
	}
	fuse_reply_attr(req, &st, FOREVER);
}

static void op_readlink(fuse_req_t req, fuse_ino_t ino)
{
	fs *f = FS(req);
	size_t k;
	uint32_t node;
	if (!decode(f, ino, &k, &node)) {
		fuse_reply_err(req, EINVAL);
		return;
	}
	const cs_tnode *n = cs_tree_node(f->trees[k], node);
	if (!S_ISLNK(n->st.mode) || !n->link)
		fuse_reply_err(req, EINVAL);
	else
		fuse_reply_readlink(req, n->link);
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

/* Directory offsets: 1 ".", 2 "..", then 3 + child index (+ virtual). */
static void op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi)
{
	(void)fi;
	fs *f = FS(req);
	size_t k = 0;
	uint32_t node = 0;
	bool is_meta = ino == f->ino_meta && f->deleted_tree;
	if (ino == f->ino_deleted && f->deleted_tree) {
		k = f->deleted_tree;
		node = 0;
	} else if (!is_meta && !decode(f, ino, &k, &node)) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	char *buf = calloc(1, size);
	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	size_t used = 0;
	struct stat st = {0};
	off_t next = off;
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
			ADD("deleted", f->ino_deleted, S_IFDIR);
	} else {
		follow_graft(f, &k, &node);
		const cs_tnode *d = cs_tree_node(f->trees[k], node);
		for (uint32_t i = (uint32_t)(next - 2); i < d->nchild; i++) {
			uint32_t c = d->child0 + i;
			if (!shown(f, k, c)) {
				next++;
				continue;
			}
			const cs_tnode *cn = cs_tree_node(f->trees[k], c);
			ADD(cn->name, encode(f, k, c), cn->st.mode);
		}
		if (k == 0 && node == 0 && f->deleted_tree && (uint64_t)next == 2 + d->nchild)
			ADD(".csleuth", f->ino_meta, S_IFDIR);
	}
full:
	fuse_reply_buf(req, buf, used);
	free(buf);
#undef ADD
}

/* Opens node's evidence file (under the lock). */
static int open_node(fs *f, fuse_ino_t ino, cs_file **ret)
{
	size_t k;
	uint32_t node;
	if (!decode(f, ino, &k, &node))
		return -EISDIR;
	const cs_tnode *n = cs_tree_node(f->trees[k], node);
	if (!S_ISREG(n->st.mode))
		return S_ISDIR(n->st.mode) ? -EISDIR : -EACCES;
	cs_error e = {0};
	int r = cs_tree_open(f->trees[k], node, ret, &e);
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
 * provenance: user.csleuth.layer (index, 0 = top), user.csleuth.layer_id,
 * user.csleuth.evidence_path. */
static int collect_xattrs(fs *f, fuse_ino_t ino, cs_xattr **ret, size_t *ret_n)
{
	size_t k;
	uint32_t node;
	*ret = NULL;
	*ret_n = 0;
	if (!decode(f, ino, &k, &node))
		return 0;
	follow_graft(f, &k, &node);
	pthread_mutex_lock(&f->lock);
	int r = cs_tree_xattrs(f->trees[k], node, ret, ret_n, NULL);
	char *ev = cs_tree_evidence_path(f->trees[k], node);
	pthread_mutex_unlock(&f->lock);
	if (r < 0)
		*ret_n = 0;
	const cs_tnode *n = cs_tree_node(f->trees[k], node);
	if (!S_ISREG(n->st.mode) && !S_ISDIR(n->st.mode)) {
		/* the kernel allows user.* attributes on files and directories only */
		free(ev);
		return 0;
	}
	const cs_layer_dir *L = cs_tree_layer(f->trees[k], n->layer);
	char layer[16];
	snprintf(layer, sizeof(layer), "%d", n->layer);
	const char *names[] = {"user.csleuth.layer", "user.csleuth.layer_id", "user.csleuth.evidence_path"};
	const char *vals[] = {layer, L && L->id ? L->id : "", ev ? ev : ""};
	*ret = cs_xreallocarray(*ret, *ret_n + 3, sizeof(cs_xattr));
	for (int i = 0; i < 3; i++) {
		cs_xattr *x = &(*ret)[(*ret_n)++];
		x->name = cs_xstrdup(names[i]);
		x->value = cs_xstrdup(vals[i]);
		x->len = strlen(vals[i]);
	}
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
	struct statvfs sv = {.f_bsize = 4096, .f_frsize = 4096, .f_namemax = 255,
			     .f_files = f->base[f->ntrees], .f_flag = ST_RDONLY};
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

/* Marks the nodes of the deleted view: each deleted or overwritten entry
 * (with everything under a deleted directory) and its ancestors. */
static void mark_deleted(fs *f, const cs_change *c, size_t n)
{
	const cs_tree *t = f->trees[f->deleted_tree];
	size_t cnt = cs_tree_count(t);
	f->shown = cs_xcalloc(cnt, 1);
	f->shown[0] = 1;
	uint32_t *stack = cs_xcalloc(cnt + 1, sizeof(uint32_t));
	for (size_t i = 0; i < n; i++) {
		if (c[i].old_node == UINT32_MAX)
			continue;
		const cs_tnode *on = cs_tree_node(t, c[i].old_node);
		if (c[i].kind == CS_CHANGE_MODIFY && S_ISDIR(on->st.mode))
			continue; /* a directory that merely holds changes */
		size_t sp = 0;
		stack[sp++] = c[i].old_node;
		while (sp > 0) {
			uint32_t x = stack[--sp];
			if (f->shown[x])
				continue;
			f->shown[x] = 1;
			const cs_tnode *xn = cs_tree_node(t, x);
			if (c[i].kind == CS_CHANGE_DELETE)
				for (uint32_t k = 0; k < xn->nchild && sp < cnt; k++)
					stack[sp++] = xn->child0 + k;
		}
		for (uint32_t p = on->parent; !f->shown[p]; p = cs_tree_node(t, p)->parent)
			f->shown[p] = 1;
	}
	free(stack);
}

int cs_fuse_serve(cs_tree *tree, const cs_fuse_opts *o)
{
	fs f = {0};
	pthread_mutex_init(&f.lock, NULL);
	f.ids = o->ids;
	f.trees[f.ntrees++] = tree;
	for (size_t g = 0; g < o->n_grafts && f.ntrees < MAX_TREES - 1; g++) {
		uint32_t at = cs_tree_resolve(tree, o->grafts[g].path);
		if (at == UINT32_MAX || !S_ISDIR(cs_tree_node(tree, at)->st.mode)) {
			fprintf(stderr, "csleuth: volume destination %s is not a directory in the view; "
				"not shown\n", o->grafts[g].path);
			continue;
		}
		f.graft_node[f.ngrafts] = at;
		f.graft_tree[f.ngrafts++] = f.ntrees;
		f.trees[f.ntrees++] = o->grafts[g].tree;
	}
	if (o->deleted_tree) {
		f.deleted_tree = f.ntrees;
		f.trees[f.ntrees++] = o->deleted_tree;
		mark_deleted(&f, o->changes, o->n_changes);
	}
	for (size_t i = 0; i < f.ntrees; i++)
		f.base[i + 1] = f.base[i] + cs_tree_count(f.trees[i]);
	f.ino_meta = f.base[f.ntrees] + 1;
	f.ino_deleted = f.base[f.ntrees] + 2;

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
			free(f.shown);
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
	free(f.shown);
	pthread_mutex_destroy(&f.lock);
	return ret;
}
