/* fs_archive.c - a triage archive (tar, tar.gz/.zst/.xz/.bz2, zip) as a
 * file system, through libarchive.
 *
 * Collectors (UAC, Velociraptor, a plain `tar --xattrs`) hand examiners an
 * archive of chosen directories instead of a disk. Archives are streams:
 * a compressed tar can only be read from its start. So the archive is read
 * once, at open: every member's metadata goes into an in-memory index (a
 * tree of nodes, one per member, with implied parent directories added),
 * and every regular file's bytes are copied into one private spool file
 * (unlinked at once, holes kept as holes, so a sparse member costs what its
 * data costs). Reads afterwards are preads of the spool: random access,
 * bounded memory, and the archive itself is opened read-only, O_NOATIME.
 *
 * What is kept: owners, modes, nanosecond times where the format has them
 * (pax mtime/atime/ctime, LIBARCHIVE.creationtime; a time the archive does
 * not record is "unknown", not zero), extended attributes (SCHILY.xattr.*,
 * LIBARCHIVE.xattr.*), device numbers, symlink targets, hard links (one
 * node, several names, the right link count). A member path with ".." is
 * refused (it cannot name anything inside the collection); a later member
 * of the same path replaces an earlier one, as extraction would.
 *
 * A triage archive is partial by nature: the source built on it reports
 * an absent path as "not collected" (cs_source.partial).
 *
 * The same index serves an archive that is itself a file of the evidence
 * (an LXD image tarball, read through the outer source's cs_file, so every
 * byte still comes through the one door): there only the members under a
 * prefix ("rootfs/") are taken, owners may be mapped as they are read (an
 * unprivileged instance's files were shifted when unpacked), the archive
 * is complete (an absent path is absent), and damage fails the open
 * instead of leaving a base that would make files look added.
 */
#include "evidence/fsys.h"
#include "evidence/image_internal.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define AR_MAX_MEMBERS ((size_t)50 << 20)
#define AR_MAX_XATTRS 1024 /* per member: more than any file system keeps */

typedef struct anode {
	char *name;        /* last component ("" for the root) */
	uint32_t parent;
	uint32_t target;   /* for a hard link: the node it names; else itself */
	uint32_t mode, uid, gid;
	uint32_t nlink;
	uint64_t size;
	uint64_t spool_off; /* regular files */
	cs_time atime, mtime, ctime, btime;
	uint32_t rdev_major, rdev_minor;
	char *link;        /* symlink target */
	cs_xattr *x;
	size_t nx;
	uint32_t *kids;    /* children (directories) */
	size_t n_kids, cap_kids;
	bool implied;      /* added because a member needed it as a parent */
} anode;

typedef struct ar_fs {
	cs_fsys base;
	anode *v;
	size_t n, cap;
	int spool;
	uint64_t spool_end;
	/* indexing only */
	const cs_archive_opts *o;
	const char *what;  /* the archive, for messages */
	char *damage;      /* the first damage, with o->strict */
} ar_fs;

static void node_clear(anode *a)
{
	free(a->name);
	free(a->link);
	cs_xattrs_free(a->x, a->nx);
	free(a->kids);
}

static uint32_t add_node(ar_fs *x, const char *name, size_t nl, uint32_t parent, uint32_t mode)
{
	anode *a = CS_PUSH(x->v, x->n, x->cap);
	memset(a, 0, sizeof(*a));
	a->name = cs_xstrndup(name, nl);
	a->parent = parent;
	a->target = (uint32_t)(x->n - 1);
	a->mode = mode;
	a->nlink = 1;
	a->atime = a->mtime = a->ctime = a->btime = CS_TIME_INVALID;
	return (uint32_t)(x->n - 1);
}

/* Finding a child by scanning is quadratic in a directory's size: keep a
 * hash of (parent, name) -> node for the indexing pass. */
typedef struct hslot {
	uint32_t node; /* UINT32_MAX: empty */
	uint32_t parent;
	uint64_t hash;
} hslot;

typedef struct htab {
	hslot *s;
	size_t cap, used;
} htab;

static uint64_t hname(uint32_t parent, const char *name, size_t nl)
{
	uint64_t h = 1469598103934665603ULL ^ parent;
	for (size_t i = 0; i < nl; i++)
		h = (h ^ (unsigned char)name[i]) * 1099511628211ULL;
	return h ? h : 1;
}

static void ht_grow(htab *t, const ar_fs *x);

static uint32_t ht_find(htab *t, const ar_fs *x, uint32_t parent, const char *name, size_t nl)
{
	if (!t->cap)
		return UINT32_MAX;
	uint64_t h = hname(parent, name, nl);
	for (size_t i = (size_t)(h & (t->cap - 1));; i = (i + 1) & (t->cap - 1)) {
		const hslot *s = &t->s[i];
		if (s->node == UINT32_MAX)
			return UINT32_MAX;
		if (s->hash == h && s->parent == parent) {
			const char *n = x->v[s->node].name;
			if (strlen(n) == nl && memcmp(n, name, nl) == 0)
				return s->node;
		}
	}
}

static void ht_put(htab *t, const ar_fs *x, uint32_t node)
{
	if ((t->used + 1) * 2 > t->cap)
		ht_grow(t, x);
	const anode *a = &x->v[node];
	uint64_t h = hname(a->parent, a->name, strlen(a->name));
	for (size_t i = (size_t)(h & (t->cap - 1));; i = (i + 1) & (t->cap - 1)) {
		if (t->s[i].node == UINT32_MAX) {
			t->s[i] = (hslot){node, a->parent, h};
			t->used++;
			return;
		}
	}
}

static void ht_grow(htab *t, const ar_fs *x)
{
	htab n = {.cap = t->cap ? t->cap * 2 : 1024};
	n.s = cs_xmalloc(n.cap * sizeof(*n.s));
	for (size_t i = 0; i < n.cap; i++)
		n.s[i].node = UINT32_MAX;
	for (size_t i = 0; i < t->cap; i++)
		if (t->s[i].node != UINT32_MAX)
			ht_put(&n, x, t->s[i].node);
	free(t->s);
	*t = n;
}

static void add_kid(ar_fs *x, uint32_t dir, uint32_t kid)
{
	anode *d = &x->v[dir];
	*CS_PUSH(d->kids, d->n_kids, d->cap_kids) = kid;
}

/* Splits a member path into components, refusing "..". Returns the node
 * of the parent directory (creating implied ones) and the last component
 * in leaf and leaf_len, or UINT32_MAX for a path that cannot be placed; an
 * empty leaf means the path names the root. */
static uint32_t walk_parent(ar_fs *x, htab *ht, const char *path, const char **leaf, size_t *leaf_len,
			    const char **why)
{
	uint32_t cur = 0;
	const char *p = path;
	*leaf = "";
	*leaf_len = 0;
	for (;;) {
		while (*p == '/')
			p++;
		if (!*p)
			return cur;
		const char *s = p;
		while (*p && *p != '/')
			p++;
		size_t nl = (size_t)(p - s);
		const char *q = p;
		while (*q == '/')
			q++;
		if (nl == 1 && s[0] == '.')
			continue;
		if (nl == 2 && s[0] == '.' && s[1] == '.') {
			*why = "it climbs out of the archive (`..`)";
			return UINT32_MAX;
		}
		if (nl > NAME_MAX) {
			*why = "a name in it is too long";
			return UINT32_MAX;
		}
		if (!*q) {
			*leaf = s;
			*leaf_len = nl;
			return cur;
		}
		uint32_t k = ht_find(ht, x, cur, s, nl);
		if (k == UINT32_MAX) {
			k = add_node(x, s, nl, cur, S_IFDIR | 0755);
			x->v[k].implied = true;
			add_kid(x, cur, k);
			ht_put(ht, x, k);
		} else if (!S_ISDIR(x->v[x->v[k].target].mode)) {
			*why = "a parent in it is not a directory";
			return UINT32_MAX;
		}
		cur = x->v[k].target;
	}
}

static cs_time etime(bool set, time_t sec, long nsec)
{
	if (!set)
		return CS_TIME_INVALID;
	return cs_time_from_parts((int64_t)sec, nsec);
}

static int spool_write(ar_fs *x, const void *buf, size_t n, uint64_t off)
{
	const char *p = buf;
	while (n > 0) {
		ssize_t w = pwrite(x->spool, p, n, (off_t)off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		off += (uint64_t)w;
		n -= (size_t)w;
	}
	return 0;
}

/* A member that cannot be placed (a ".." path, a dangling hard link):
 * it alone is left out. */
static void arwarn(ar_fs *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void arwarn(ar_fs *x, const char *fmt, ...)
{
	if (!x->o->diag)
		return;
	char msg[1200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cs_diagf(x->o->diag, x->o->diag_userdata, CS_WARN, NULL, "%s", msg);
}

/* Damage to the archive itself (cut, corrupt): a collection keeps what
 * came before it; a strict open fails with the first. */
static void ardamage(ar_fs *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void ardamage(ar_fs *x, const char *fmt, ...)
{
	char msg[1200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (x->o->strict) {
		if (!x->damage)
			x->damage = cs_xstrdup(msg);
		return;
	}
	if (x->o->diag)
		cs_diagf(x->o->diag, x->o->diag_userdata, CS_WARN, NULL, "%s", msg);
}

/* ---- the fsys operations ---- */

static const anode *node_of(ar_fs *x, uint64_t ino, cs_error *e)
{
	if (ino == 0 || ino > x->n)
		return cs_err(e, -EIO, "%s: no member %llu", x->base.name, (unsigned long long)ino), NULL;
	return &x->v[x->v[ino - 1].target];
}

static int ar_stat(cs_fsys *fs, uint64_t ino, cs_stat *st, cs_error *e)
{
	ar_fs *x = (ar_fs *)fs;
	const anode *a = node_of(x, ino, e);
	if (!a)
		return -EIO;
	st->mode = a->mode;
	st->uid = a->uid;
	st->gid = a->gid;
	st->nlink = a->nlink;
	st->size = S_ISREG(a->mode) || S_ISLNK(a->mode) ? a->size : 0;
	st->blocks = (st->size + 511) / 512;
	st->atime = a->atime;
	st->mtime = a->mtime;
	st->ctime = a->ctime;
	st->btime = a->btime;
	st->rdev_major = a->rdev_major;
	st->rdev_minor = a->rdev_minor;
	return 0;
}

static int ar_list(cs_fsys *fs, uint64_t dir, cs_fsys_dirent **ret, size_t *ret_n, cs_error *e)
{
	ar_fs *x = (ar_fs *)fs;
	const anode *d = node_of(x, dir, e);
	if (!d)
		return -EIO;
	if (!S_ISDIR(d->mode))
		return cs_err(e, -ENOTDIR, "%s: not a directory", fs->name);
	cs_fsys_dirent *v = d->n_kids ? cs_xcalloc(d->n_kids, sizeof(*v)) : NULL;
	for (size_t i = 0; i < d->n_kids; i++) {
		const anode *k = &x->v[d->kids[i]];
		v[i].name = cs_xstrdup(k->name);
		v[i].ino = (uint64_t)k->target + 1; /* hard links: one inode, several names */
		v[i].type = (unsigned char)IFTODT(x->v[k->target].mode);
	}
	*ret = v;
	*ret_n = d->n_kids;
	return 0;
}

static int ar_readlink(cs_fsys *fs, uint64_t ino, char **ret, cs_error *e)
{
	ar_fs *x = (ar_fs *)fs;
	const anode *a = node_of(x, ino, e);
	if (!a)
		return -EIO;
	if (!S_ISLNK(a->mode) || !a->link)
		return cs_err(e, -EINVAL, "%s: not a symbolic link", fs->name);
	*ret = cs_xstrdup(a->link);
	return 0;
}

static int ar_xattrs(cs_fsys *fs, uint64_t ino, cs_xattr **ret, size_t *ret_n, cs_error *e)
{
	ar_fs *x = (ar_fs *)fs;
	const anode *a = node_of(x, ino, e);
	if (!a)
		return -EIO;
	cs_xattr *v = a->nx ? cs_xcalloc(a->nx, sizeof(*v)) : NULL;
	for (size_t i = 0; i < a->nx; i++) {
		v[i].name = cs_xstrdup(a->x[i].name);
		v[i].value = cs_xmalloc(a->x[i].len + 1);
		memcpy(v[i].value, a->x[i].value, a->x[i].len + 1);
		v[i].len = a->x[i].len;
	}
	*ret = v;
	*ret_n = a->nx;
	return 0;
}

typedef struct ar_file {
	cs_file base;
	int fd;
	uint64_t off;
} ar_file;

static ssize_t ar_pread(cs_file *f, void *buf, size_t n, uint64_t off)
{
	ar_file *af = (ar_file *)f;
	if (off >= f->size)
		return 0;
	if (n > f->size - off)
		n = (size_t)(f->size - off);
	int r = cs_pread_full(af->fd, buf, n, af->off + off);
	if (r == -ENODATA) /* cannot happen once the spool is truncated to size */
		return -EIO;
	return r < 0 ? r : (ssize_t)n;
}

static void ar_file_close(cs_file *f)
{
	free(f);
}

static const cs_file_ops ar_file_ops = {.pread = ar_pread, .close = ar_file_close};

static int ar_open(cs_fsys *fs, uint64_t ino, cs_file **ret, cs_error *e)
{
	ar_fs *x = (ar_fs *)fs;
	const anode *a = node_of(x, ino, e);
	if (!a)
		return -EIO;
	if (!S_ISREG(a->mode))
		return cs_err(e, -EINVAL, "%s: not a regular file", fs->name);
	ar_file *f = cs_xcalloc(1, sizeof(*f));
	f->base.ops = &ar_file_ops;
	f->base.size = a->size;
	f->base.fd = -1;
	f->fd = x->spool;
	f->off = a->spool_off;
	*ret = &f->base;
	return 0;
}

static void ar_close(cs_fsys *fs)
{
	ar_fs *x = (ar_fs *)fs;
	for (size_t i = 0; i < x->n; i++)
		node_clear(&x->v[i]);
	free(x->v);
	if (x->spool >= 0)
		close(x->spool);
	free(fs->name);
	free(fs->label);
	free(fs->uuid);
	free(x);
}

static const cs_fsys_ops ar_ops = {
	.stat = ar_stat,
	.list = ar_list,
	.readlink = ar_readlink,
	.xattrs = ar_xattrs,
	.open = ar_open,
	.close = ar_close,
};

static int open_spool(void)
{
	const char *dir = getenv("TMPDIR");
	if (!dir || !*dir)
		dir = "/tmp";
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0)
		return fd;
	char tmpl[PATH_MAX];
	snprintf(tmpl, sizeof(tmpl), "%s/csleuth-archive-XXXXXX", dir);
	fd = mkostemp(tmpl, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	unlink(tmpl);
	return fd;
}

/* ---- reading the archive ---- */

/* Where its bytes come from: a file named on the command line, or a file
 * of an outer source. */
typedef struct ar_in {
	cs_file *f; /* or */
	int fd;
	uint64_t size, off;
	char buf[1 << 16];
} ar_in;

static la_ssize_t in_read(struct archive *a, void *ud, const void **buf)
{
	ar_in *in = ud;
	ssize_t n;
	if (in->f) {
		n = cs_file_pread(in->f, in->buf, sizeof(in->buf), in->off);
	} else {
		do
			n = pread(in->fd, in->buf, sizeof(in->buf), (off_t)in->off);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			n = -errno;
	}
	if (n < 0) {
		archive_set_error(a, (int)-n, "read at %llu: %s", (unsigned long long)in->off,
				  in->f ? cs_file_strerror(in->f, (int)n) : strerror((int)-n));
		return -1;
	}
	in->off += (uint64_t)n;
	*buf = in->buf;
	return n;
}

static la_int64_t in_skip(struct archive *a, void *ud, la_int64_t req)
{
	(void)a;
	ar_in *in = ud;
	if (req <= 0 || in->off >= in->size)
		return 0;
	uint64_t k = (uint64_t)req < in->size - in->off ? (uint64_t)req : in->size - in->off;
	in->off += k;
	return (la_int64_t)k;
}

static la_int64_t in_seek(struct archive *a, void *ud, la_int64_t off, int whence)
{
	ar_in *in = ud;
	int64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (int64_t)in->off : (int64_t)in->size;
	if (off > INT64_MAX - base || base + off < 0) {
		archive_set_error(a, EINVAL, "seek out of the file");
		return ARCHIVE_FATAL;
	}
	in->off = (uint64_t)(base + off);
	return (la_int64_t)in->off;
}

/* A member's path relative to the prefix, or NULL when it lies outside. */
static const char *under_prefix(const char *name, const char *prefix)
{
	while (name[0] == '.' && name[1] == '/')
		name += 2;
	while (*name == '/')
		name++;
	if (!prefix || !*prefix)
		return name;
	while (prefix[0] == '.' && prefix[1] == '/')
		prefix += 2;
	while (*prefix == '/')
		prefix++;
	size_t pl = strlen(prefix);
	while (pl && prefix[pl - 1] == '/')
		pl--;
	/* "rootfs" itself, or "rootfs/..." */
	if (strncmp(name, prefix, pl) != 0 || (name[pl] != '/' && name[pl] != '\0'))
		return NULL;
	return name + pl;
}

static uint32_t map_id(const cs_archive_opts *o, char kind, uint32_t id)
{
	return o->map_id ? o->map_id(o->map_ud, kind, id) : id;
}

/* Reads every member into x; returns 0, or -errno when the spool cannot
 * be written (damage is reported by ardamage). */
static int index_members(ar_fs *x, struct archive *a, cs_error *e)
{
	const char *what = x->what;
	const cs_archive_opts *o = x->o;
	htab ht = {0};
	int r = 0;
	struct archive_entry *ent;
	size_t members = 0;
	for (;;) {
		int h = archive_read_next_header(a, &ent);
		if (h == ARCHIVE_EOF)
			break;
		if (h == ARCHIVE_FATAL) {
			/* a cut or damaged archive: what came before it is kept */
			ardamage(x, "archive `%s`: reading stopped after %zu members: %s", what, members,
				 archive_error_string(a));
			break;
		}
		/* libarchive warns when a UTF-8 name cannot be shown in the C
		 * locale; the name's bytes are kept as stored, which is all we
		 * want of it */
		if (h == ARCHIVE_WARN && archive_error_string(a) &&
		    !strstr(archive_error_string(a), "can't be converted"))
			arwarn(x, "archive `%s`: %s", what, archive_error_string(a));
		if (++members > AR_MAX_MEMBERS) {
			ardamage(x, "archive `%s`: more than %zu members; the rest are not read", what, AR_MAX_MEMBERS);
			break;
		}
		const char *full = archive_entry_pathname(ent);
		const char *name = full ? under_prefix(full, o->prefix) : NULL;
		if (!name)
			continue;
		const char *why = NULL, *leaf;
		size_t leaf_len;
		uint32_t parent = walk_parent(x, &ht, name, &leaf, &leaf_len, &why);
		if (parent == UINT32_MAX) {
			arwarn(x, "archive `%s`: member `%s` is skipped: %s", what, full, why);
			continue;
		}
		mode_t type = archive_entry_filetype(ent);
		const char *hl = archive_entry_hardlink(ent);
		uint32_t node;
		if (leaf_len == 0) {
			node = 0; /* the archive's "./" (or the prefix itself) */
		} else {
			node = ht_find(&ht, x, parent, leaf, leaf_len);
			if (node != UINT32_MAX && !(S_ISDIR(x->v[node].mode) && type == AE_IFDIR)) {
				/* a later member of the same path replaces it */
				uint32_t old = x->v[node].target;
				if (old != node && x->v[old].nlink > 1)
					x->v[old].nlink--;
				x->v[node].target = node;
				x->v[node].mode = 0;
			}
			if (node == UINT32_MAX) {
				node = add_node(x, leaf, leaf_len, parent, 0);
				add_kid(x, parent, node);
				ht_put(&ht, x, node);
			}
		}
		anode *n = &x->v[node];
		if (hl) {
			const char *hleaf, *hwhy = NULL, *hrel = under_prefix(hl, o->prefix);
			size_t hlen = 0;
			uint32_t hp = hrel ? walk_parent(x, &ht, hrel, &hleaf, &hlen, &hwhy) : UINT32_MAX;
			uint32_t t = hp == UINT32_MAX || hlen == 0 ? UINT32_MAX : ht_find(&ht, x, hp, hleaf, hlen);
			if (t == UINT32_MAX || !S_ISREG(x->v[x->v[t].target].mode)) {
				arwarn(x, "archive `%s`: hard link `%s` names `%s`, which is not a file before it", what,
				       full, hl);
				/* the node stays, with no type: dropped below */
				continue;
			}
			t = x->v[t].target;
			n = &x->v[node];
			n->target = t;
			n->mode = x->v[t].mode;
			x->v[t].nlink++;
			continue;
		}
		n->implied = false;
		n->mode = (uint32_t)archive_entry_mode(ent);
		if (!type)
			n->mode = S_IFREG | (n->mode & 07777);
		n->uid = map_id(o, 'u', (uint32_t)archive_entry_uid(ent));
		n->gid = map_id(o, 'g', (uint32_t)archive_entry_gid(ent));
		n->mtime = etime(archive_entry_mtime_is_set(ent), archive_entry_mtime(ent),
				 archive_entry_mtime_nsec(ent));
		n->atime = etime(archive_entry_atime_is_set(ent), archive_entry_atime(ent),
				 archive_entry_atime_nsec(ent));
		n->ctime = etime(archive_entry_ctime_is_set(ent), archive_entry_ctime(ent),
				 archive_entry_ctime_nsec(ent));
		n->btime = etime(archive_entry_birthtime_is_set(ent), archive_entry_birthtime(ent),
				 archive_entry_birthtime_nsec(ent));
		if (type == AE_IFCHR || type == AE_IFBLK) {
			n->rdev_major = (uint32_t)archive_entry_rdevmajor(ent);
			n->rdev_minor = (uint32_t)archive_entry_rdevminor(ent);
		}
		free(n->link);
		n->link = NULL;
		if (type == AE_IFLNK) {
			const char *l = archive_entry_symlink(ent);
			n->link = cs_xstrdup(l ? l : "");
			n->size = strlen(n->link);
		}
		cs_xattrs_free(n->x, n->nx);
		n->x = NULL;
		n->nx = 0;
		size_t total = 0, cap = 0;
		const char *xn;
		const void *xv;
		size_t xl;
		archive_entry_xattr_reset(ent);
		while (archive_entry_xattr_next(ent, &xn, &xv, &xl) == ARCHIVE_OK) {
			total += strlen(xn) + xl;
			if (total > CS_XATTR_MAX || n->nx >= AR_MAX_XATTRS)
				break;
			/* libarchive's writer stores each attribute twice
			 * (LIBARCHIVE.xattr and SCHILY.xattr), and reads both
			 * back: one name, one value (the last) */
			cs_xattr *xa = NULL;
			for (size_t k = 0; k < n->nx && !xa; k++)
				if (strcmp(n->x[k].name, xn) == 0)
					xa = &n->x[k];
			if (xa) {
				free(xa->value);
				xa->value = cs_xmalloc(xl + 1);
				memcpy(xa->value, xv, xl);
				xa->value[xl] = '\0';
				xa->len = xl;
				continue;
			}
			xa = CS_PUSH(n->x, n->nx, cap);
			xa->name = cs_xstrdup(xn);
			xa->value = cs_xmalloc(xl + 1);
			memcpy(xa->value, xv, xl);
			xa->value[xl] = '\0';
			xa->len = xl;
		}
		if (type != AE_IFREG && type != 0)
			continue;
		/* the content, into the spool (sparse members keep their holes) */
		n->spool_off = (x->spool_end + 4095) & ~(uint64_t)4095;
		uint64_t size = archive_entry_size_is_set(ent) ? (uint64_t)archive_entry_size(ent) : 0;
		uint64_t got = 0;
		const void *blk;
		size_t bl;
		la_int64_t boff;
		int dr;
		while ((dr = archive_read_data_block(a, &blk, &bl, &boff)) == ARCHIVE_OK) {
			if (boff < 0)
				continue;
			int w = spool_write(x, blk, bl, n->spool_off + (uint64_t)boff);
			if (w < 0) {
				r = cs_err(e, w, "archive `%s`: writing its contents to a temporary file: %s", what,
					   strerror(-w));
				goto out;
			}
			if ((uint64_t)boff + bl > got)
				got = (uint64_t)boff + bl;
		}
		if (dr != ARCHIVE_EOF) {
			ardamage(x, "archive `%s`: member `%s`: its data is cut short: %s", what, full,
				 archive_error_string(a));
			if (dr == ARCHIVE_FATAL) {
				n->size = got;
				x->spool_end = n->spool_off + got;
				break;
			}
		}
		if (size < got)
			size = got;
		n->size = size;
		x->spool_end = n->spool_off + size;
	}
	if (x->spool_end && ftruncate(x->spool, (off_t)x->spool_end) < 0) {
		r = cs_err(e, -errno, "archive `%s`: sizing its temporary file: %s", what, strerror(errno));
		goto out;
	}
	/* implied directories have no times of their own: they stay unknown */
	for (size_t i = 0; i < x->n; i++)
		if (x->v[i].target == i && S_ISDIR(x->v[i].mode)) {
			uint32_t subdirs = 0;
			for (size_t k = 0; k < x->v[i].n_kids; k++)
				if (S_ISDIR(x->v[x->v[x->v[i].kids[k]].target].mode))
					subdirs++;
			x->v[i].nlink = 2 + subdirs;
		}
	/* drop children replaced by a later member of another type, and hard
	 * links that named nothing */
	for (size_t i = 0; i < x->n; i++) {
		anode *d = &x->v[i];
		size_t k = 0;
		for (size_t j = 0; j < d->n_kids; j++)
			if (x->v[x->v[d->kids[j]].target].mode != 0)
				d->kids[k++] = d->kids[j];
		d->n_kids = k;
	}
out:
	free(ht.s);
	return r;
}

/* Indexes the archive read through in; name is used in messages. */
static int open_archive(ar_in *in, const char *what, const char *name, const cs_archive_opts *o, cs_fsys **ret,
			cs_error *e)
{
	static const cs_archive_opts none = {0};
	if (!o)
		o = &none;
	ar_fs *x = cs_xcalloc(1, sizeof(*x));
	x->spool = open_spool();
	if (x->spool < 0) {
		int r = x->spool;
		free(x);
		return cs_err(e, r, "archive `%s`: no temporary file for its contents: %s", what, strerror(-r));
	}
	x->base.ops = &ar_ops;
	x->base.type = "archive";
	x->base.root_ino = 1;
	x->base.partial = o->partial;
	x->base.name = cs_xstrdup(name);
	x->o = o;
	x->what = what;
	add_node(x, "", 0, 0, S_IFDIR | 0755);
	x->v[0].implied = true;

	struct archive *a = archive_read_new();
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	archive_read_support_format_zip(a);
	archive_read_support_format_cpio(a);
	archive_read_set_callback_data(a, in);
	archive_read_set_read_callback(a, in_read);
	archive_read_set_skip_callback(a, in_skip);
	archive_read_set_seek_callback(a, in_seek);
	int r = 0;
	if (archive_read_open1(a) != ARCHIVE_OK) {
		r = cs_err(e, -EBADMSG, "archive `%s`: not an archive: %s", what, archive_error_string(a));
	} else {
		r = index_members(x, a, e);
		if (r == 0 && x->damage)
			r = cs_err(e, -EBADMSG, "%s", x->damage);
	}
	archive_read_free(a);
	free(x->damage);
	x->damage = NULL;
	x->o = NULL;
	x->what = NULL;
	if (r < 0) {
		ar_close(&x->base);
		return r;
	}
	*ret = &x->base;
	return 0;
}

int cs_fsys_open_archive(const char *path, const cs_fsys_opts *o, cs_fsys **ret, cs_error *e)
{
	ar_in *in = cs_xcalloc(1, sizeof(*in));
	int fd = cs_open_evidence_file(path, &in->size, e);
	if (fd < 0) {
		free(in);
		return fd;
	}
	in->fd = fd;
	cs_archive_opts ao = {.partial = true};
	if (o) {
		ao.diag = o->diag;
		ao.diag_userdata = o->diag_userdata;
	}
	const char *slash = strrchr(path, '/');
	int r = open_archive(in, path, slash && slash[1] ? slash + 1 : path, &ao, ret, e);
	close(fd);
	free(in);
	return r;
}

int cs_fsys_open_archive_file(cs_file *f, const char *name, const cs_archive_opts *o, cs_fsys **ret, cs_error *e)
{
	ar_in *in = cs_xcalloc(1, sizeof(*in));
	in->f = f;
	in->fd = -1;
	in->size = f->size;
	int r = open_archive(in, name, name, o, ret, e);
	free(in);
	return r;
}

int cs_source_open_archive(cs_source *outer, const char *path, const char *prefix,
			   uint32_t (*map)(void *ud, char kind, uint32_t id), void *map_ud, cs_source **ret,
			   cs_error *e)
{
	cs_file *f;
	int r = cs_source_open(outer, path, &f, e);
	if (r < 0)
		return r;
	cs_archive_opts o = {.prefix = prefix, .map_id = map, .map_ud = map_ud, .strict = true};
	cs_fsys *fs;
	r = cs_fsys_open_archive_file(f, path, &o, &fs, e);
	cs_file_close(f);
	if (r < 0)
		return r;
	_cleanup_free_ char *root = cs_xasprintf("%s/%s (archive)", cs_source_root(outer), path);
	return cs_source_open_fsys(&fs, NULL, 1, NULL, root, ret, e);
}
