/* source_archive.c - a tar archive of the evidence as a read-only source.
 *
 * An LXD image is kept as a tarball (`images/<fingerprint>`, the root
 * filesystem under `rootfs/`, or a separate `<fingerprint>.rootfs`); to
 * compare an instance with the image it was unpacked from, the archive is
 * read once with libarchive (any compression it knows) into an in-memory
 * index of the members under a prefix: metadata, symlink targets, extended
 * attributes, and the content of regular files while their total stays
 * within CS_ARCHIVE_MAX_DATA (opening a larger one fails with -EFBIG, said
 * so). Missing parent directories are made up. Owners can be mapped as they
 * are read (an unprivileged instance's files were shifted when unpacked).
 * The archive file itself is read through the outer source, so every byte
 * still comes through the one door into the evidence.
 */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <string.h>
#include <sys/stat.h>

#include "base/strmap.h"
#include "evidence/source.h"

#define CS_ARCHIVE_MAX_ENTRIES 2000000
#define CS_ARCHIVE_MAX_DATA ((size_t)256 << 20)

typedef struct anode {
	char *path; /* "" for the root, "a/b" */
	cs_stat st;
	char *link;
	uint8_t *data; /* NULL when not kept */
	bool have_data;
	cs_xattr *xa;
	size_t nxa;
	uint32_t *kids;
	size_t nkids, capkids;
} anode;

typedef struct asrc {
	cs_source base;
	anode *v;
	size_t n, cap;
	cs_strmap idx; /* path -> index + 1 */
	size_t data_bytes;
} asrc;

typedef struct afile {
	cs_file base;
	const uint8_t *data;
} afile;

static ssize_t af_pread(cs_file *f, void *buf, size_t n, uint64_t off)
{
	afile *a = (afile *)f;
	if (off >= f->size)
		return 0;
	if (n > f->size - off)
		n = (size_t)(f->size - off);
	memcpy(buf, a->data + off, n);
	return (ssize_t)n;
}

static void af_close(cs_file *f)
{
	free(f);
}

static const cs_file_ops afile_ops = {.pread = af_pread, .close = af_close};

static anode *find(asrc *s, const char *path)
{
	while (*path == '/')
		path++;
	uintptr_t i = (uintptr_t)cs_strmap_get(&s->idx, path);
	return i ? &s->v[i - 1] : NULL;
}

static uint32_t add_node(asrc *s, const char *path, uint32_t mode);

static uint32_t parent_of(asrc *s, const char *path)
{
	const char *sl = strrchr(path, '/');
	_cleanup_free_ char *pp = sl ? cs_xstrndup(path, (size_t)(sl - path)) : cs_xstrdup("");
	uintptr_t i = (uintptr_t)cs_strmap_get(&s->idx, pp);
	if (i)
		return (uint32_t)(i - 1);
	return add_node(s, pp, S_IFDIR | 0755);
}

static uint32_t add_node(asrc *s, const char *path, uint32_t mode)
{
	uintptr_t have = (uintptr_t)cs_strmap_get(&s->idx, path);
	if (have)
		return (uint32_t)(have - 1);
	uint32_t par = *path ? parent_of(s, path) : 0;
	anode *x = CS_PUSH(s->v, s->n, s->cap);
	memset(x, 0, sizeof(*x));
	x->path = cs_xstrdup(path);
	x->st.mode = mode;
	x->st.nlink = 1;
	x->st.atime = x->st.mtime = x->st.ctime = CS_TIME_NEVER;
	x->st.btime = CS_TIME_INVALID;
	uint32_t me = (uint32_t)(s->n - 1);
	x->st.ino = me + 1;
	cs_strmap_put(&s->idx, path, (void *)(uintptr_t)(me + 1));
	if (*path) {
		anode *p = &s->v[par];
		*CS_PUSH(p->kids, p->nkids, p->capkids) = me;
	}
	return me;
}

static int a_stat(cs_source *src, const char *path, bool follow, cs_stat *st, cs_error *e)
{
	(void)follow;
	anode *x = find((asrc *)src, path);
	if (!x)
		return cs_err(e, -ENOENT, "`%s`: not in the archive", path);
	*st = x->st;
	return 0;
}

static int a_open(cs_source *src, const char *path, cs_file **ret, cs_error *e)
{
	anode *x = find((asrc *)src, path);
	if (!x)
		return cs_err(e, -ENOENT, "`%s`: not in the archive", path);
	if (!S_ISREG(x->st.mode))
		return cs_err(e, -EINVAL, "`%s`: not a regular file", path);
	if (!x->have_data)
		return cs_err(e, -EFBIG, "`%s`: its content in the archive was not kept (over %zu MiB of content)",
			      path, CS_ARCHIVE_MAX_DATA >> 20);
	afile *f = cs_xcalloc(1, sizeof(*f));
	f->base.ops = &afile_ops;
	f->base.size = x->st.size;
	f->base.fd = -1;
	f->data = x->data;
	*ret = &f->base;
	return 0;
}

static int a_readlink(cs_source *src, const char *path, char **ret, cs_error *e)
{
	anode *x = find((asrc *)src, path);
	if (!x || !x->link)
		return cs_err(e, -EINVAL, "`%s`: not a symbolic link in the archive", path);
	*ret = cs_xstrdup(x->link);
	return 0;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(((const cs_dirent *)a)->name, ((const cs_dirent *)b)->name);
}

static int a_list(cs_source *src, const char *path, cs_dirent **ret, size_t *ret_n, cs_error *e)
{
	asrc *s = (asrc *)src;
	anode *x = find(s, path);
	if (!x)
		return cs_err(e, -ENOENT, "`%s`: not in the archive", path);
	if (!S_ISDIR(x->st.mode))
		return cs_err(e, -ENOTDIR, "`%s`: not a directory", path);
	cs_dirent *d = cs_xcalloc(x->nkids + 1, sizeof(*d));
	for (size_t i = 0; i < x->nkids; i++) {
		const anode *k = &s->v[x->kids[i]];
		const char *sl = strrchr(k->path, '/');
		d[i].name = cs_xstrdup(sl ? sl + 1 : k->path);
		d[i].type = S_ISDIR(k->st.mode) ? DT_DIR : S_ISLNK(k->st.mode) ? DT_LNK : S_ISREG(k->st.mode) ? DT_REG
															 : DT_UNKNOWN;
	}
	qsort(d, x->nkids, sizeof(*d), cmp_name);
	*ret = d;
	*ret_n = x->nkids;
	return 0;
}

static int a_xattrs(cs_source *src, const char *path, cs_xattr **ret, size_t *ret_n, cs_error *e)
{
	anode *x = find((asrc *)src, path);
	if (!x)
		return cs_err(e, -ENOENT, "`%s`: not in the archive", path);
	cs_xattr *v = cs_xcalloc(x->nxa + 1, sizeof(*v));
	for (size_t i = 0; i < x->nxa; i++) {
		v[i].name = cs_xstrdup(x->xa[i].name);
		v[i].value = cs_xmalloc(x->xa[i].len + 1);
		memcpy(v[i].value, x->xa[i].value, x->xa[i].len);
		v[i].value[x->xa[i].len] = 0;
		v[i].len = x->xa[i].len;
	}
	*ret = v;
	*ret_n = x->nxa;
	return 0;
}

static void a_close(cs_source *src)
{
	asrc *s = (asrc *)src;
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].path);
		free(s->v[i].link);
		free(s->v[i].data);
		free(s->v[i].kids);
		cs_xattrs_free(s->v[i].xa, s->v[i].nxa);
	}
	free(s->v);
	cs_strmap_free(&s->idx, NULL);
	free(s->base.root);
	free(s);
}

static const cs_source_ops archive_ops = {
	.name = "archive",
	.stat = a_stat,
	.open = a_open,
	.readlink = a_readlink,
	.list = a_list,
	.xattrs = a_xattrs,
	.close = a_close,
};

/* libarchive reads the outer file through these */
typedef struct rd {
	cs_file *f;
	uint64_t off;
	char buf[1 << 16];
} rd;

static la_ssize_t rd_read(struct archive *a, void *ud, const void **buf)
{
	(void)a;
	rd *r = ud;
	ssize_t n = cs_file_pread(r->f, r->buf, sizeof(r->buf), r->off);
	if (n < 0)
		return -1;
	r->off += (uint64_t)n;
	*buf = r->buf;
	return n;
}

/* The member path relative to prefix, or NULL when outside it. */
static const char *strip(const char *name, const char *prefix)
{
	while (name[0] == '.' && name[1] == '/')
		name += 2;
	while (*name == '/')
		name++;
	size_t pl = strlen(prefix);
	if (pl) {
		/* "rootfs" itself, or "rootfs/..." */
		size_t bl = prefix[pl - 1] == '/' ? pl - 1 : pl;
		if (strncmp(name, prefix, bl) != 0 || (name[bl] != '/' && name[bl] != 0))
			return NULL;
		name += bl;
		while (*name == '/')
			name++;
	}
	return name;
}

int cs_source_open_archive(cs_source *outer, const char *path, const char *prefix,
			   uint32_t (*map_id)(void *ud, char kind, uint32_t id), void *map_ud, cs_source **ret,
			   cs_error *e)
{
	cs_file *f;
	int r = cs_source_open(outer, path, &f, e);
	if (r < 0)
		return r;
	struct archive *a = archive_read_new();
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	rd *rdr = cs_xcalloc(1, sizeof(*rdr));
	rdr->f = f;
	asrc *s = cs_xcalloc(1, sizeof(*s));
	s->base.ops = &archive_ops;
	s->base.root = cs_xasprintf("%s/%s (archive)", cs_source_root(outer), path);
	add_node(s, "", S_IFDIR | 0755);
	if (archive_read_open(a, rdr, NULL, rd_read, NULL) != ARCHIVE_OK) {
		r = cs_err(e, -EBADMSG, "`%s`: not an archive: %s", path, archive_error_string(a));
		goto out;
	}
	struct archive_entry *en;
	int k;
	while ((k = archive_read_next_header(a, &en)) == ARCHIVE_OK || k == ARCHIVE_WARN) {
		const char *name = archive_entry_pathname(en);
		const char *rel = name ? strip(name, prefix ? prefix : "") : NULL;
		if (!rel)
			continue;
		_cleanup_free_ char *clean = cs_xstrdup(rel);
		size_t cl = strlen(clean);
		while (cl && clean[cl - 1] == '/')
			clean[--cl] = 0;
		if (strstr(clean, "/../") || strncmp(clean, "../", 3) == 0 || strcmp(clean, "..") == 0)
			continue;
		if (s->n >= CS_ARCHIVE_MAX_ENTRIES) {
			r = cs_err(e, -EFBIG, "`%s`: more than %d members", path, CS_ARCHIVE_MAX_ENTRIES);
			goto out;
		}
		const char *hl = archive_entry_hardlink(en);
		uint32_t me;
		anode *x;
		if (hl) {
			const char *hrel = strip(hl, prefix ? prefix : "");
			anode *t = hrel ? find(s, hrel) : NULL;
			if (!t)
				continue;
			cs_stat tst = t->st;
			uint8_t *td = NULL;
			bool thave = t->have_data;
			if (thave) {
				td = cs_xmalloc(tst.size ? tst.size : 1);
				memcpy(td, t->data, tst.size);
			}
			me = add_node(s, clean, tst.mode);
			x = &s->v[me];
			uint64_t ino = x->st.ino;
			x->st = tst;
			(void)ino;
			free(x->data);
			x->data = td;
			x->have_data = thave;
			continue;
		}
		me = add_node(s, clean, archive_entry_mode(en));
		x = &s->v[me];
		x->st.mode = archive_entry_mode(en);
		uint32_t uid = (uint32_t)archive_entry_uid(en), gid = (uint32_t)archive_entry_gid(en);
		x->st.uid = map_id ? map_id(map_ud, 'u', uid) : uid;
		x->st.gid = map_id ? map_id(map_ud, 'g', gid) : gid;
		x->st.size = S_ISREG(x->st.mode) ? (uint64_t)archive_entry_size(en) : 0;
		if (archive_entry_mtime_is_set(en))
			x->st.mtime = cs_time_from_parts(archive_entry_mtime(en), archive_entry_mtime_nsec(en));
		x->st.ctime = x->st.mtime;
		x->st.rdev_major = (uint32_t)archive_entry_rdevmajor(en);
		x->st.rdev_minor = (uint32_t)archive_entry_rdevminor(en);
		if (S_ISLNK(x->st.mode) && archive_entry_symlink(en)) {
			free(x->link);
			x->link = cs_xstrdup(archive_entry_symlink(en));
			x->st.size = strlen(x->link);
		}
		const char *xn;
		const void *xv;
		size_t xl;
		archive_entry_xattr_reset(en);
		while (archive_entry_xattr_next(en, &xn, &xv, &xl) == ARCHIVE_OK && x->nxa < 64) {
			x->xa = cs_xreallocarray(x->xa, x->nxa + 1, sizeof(*x->xa));
			x->xa[x->nxa].name = cs_xstrdup(xn);
			x->xa[x->nxa].value = cs_xmalloc(xl + 1);
			memcpy(x->xa[x->nxa].value, xv, xl);
			x->xa[x->nxa].value[xl] = 0;
			x->xa[x->nxa].len = xl;
			x->nxa++;
		}
		if (S_ISREG(x->st.mode) && s->data_bytes + x->st.size <= CS_ARCHIVE_MAX_DATA) {
			free(x->data);
			x->data = cs_xmalloc(x->st.size ? x->st.size : 1);
			la_ssize_t got = archive_read_data(a, x->data, x->st.size);
			if (got == (la_ssize_t)x->st.size) {
				x->have_data = true;
				s->data_bytes += x->st.size;
			} else {
				free(x->data);
				x->data = NULL;
			}
		}
	}
	if (k != ARCHIVE_EOF) {
		r = cs_err(e, -EBADMSG, "`%s`: the archive is damaged after %zu members: %s", path, s->n,
			   archive_error_string(a));
		goto out;
	}
	r = 0;
out:
	archive_read_free(a);
	free(rdr);
	cs_file_close(f);
	if (r < 0) {
		a_close(&s->base);
		return r;
	}
	*ret = &s->base;
	return 0;
}
