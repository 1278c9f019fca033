/* export.c - see export.h. */
#include "fs/export.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "base/strmap.h"

typedef struct ex {
	const cs_tree *t;
	struct archive *a;
	const cs_export_opts *o;
	cs_strmap first; /* hardlink group leader -> archived name */
	char *buf;
	int err;
	char errmsg[512];
} ex;

#define warn(x, file, ...) \
	cs_diagf((x)->o ? (x)->o->diag : NULL, (x)->o ? (x)->o->diag_userdata : NULL, CS_WARN, file, __VA_ARGS__)

static void set_time(struct archive_entry *en, cs_time t, bool precise)
{
	if (!CS_TIME_IS_REAL(t))
		return;
	int64_t s = t / 1000000000, ns = t % 1000000000;
	if (ns < 0) {
		ns += 1000000000;
		s--;
	}
	archive_entry_set_mtime(en, (time_t)s, precise ? (long)ns : 0);
}

static int write_data(ex *x, const cs_tnode *nd, uint32_t i, const char *name)
{
	cs_file *f;
	cs_error e = {0};
	if (cs_tree_open(x->t, i, &f, &e) < 0) {
		warn(x, name, "`%s`: %s: written empty", name, e.msg);
		return 1;
	}
	uint64_t off = 0, want = nd->st.size;
	while (off < want) {
		size_t chunk = want - off < (1u << 20) ? (size_t)(want - off) : (1u << 20);
		ssize_t n = cs_file_pread(f, x->buf, chunk, off);
		if (n <= 0) {
			warn(x, name, "`%s`: short read at %llu: padded with zeros", name, (unsigned long long)off);
			memset(x->buf, 0, chunk);
			n = (ssize_t)chunk;
		}
		if (archive_write_data(x->a, x->buf, (size_t)n) < 0) {
			cs_file_close(f);
			return -1;
		}
		off += (uint64_t)n;
	}
	cs_file_close(f);
	return 0;
}

static int write_node(ex *x, uint32_t i, const char *name)
{
	const cs_tnode *nd = cs_tree_node(x->t, i);
	if (S_ISSOCK(nd->st.mode))
		return 0;
	struct archive_entry *en = archive_entry_new();
	archive_entry_set_pathname(en, name);
	archive_entry_set_mode(en, nd->st.mode);
	int64_t uid = nd->st.uid, gid = nd->st.gid;
	const cs_idmaps *ids = x->o ? x->o->ids : NULL;
	if (ids && ids->n_uid && (uid = cs_idmap_to_container(ids->uid, ids->n_uid, nd->st.uid)) < 0)
		uid = CS_OVERFLOW_ID;
	if (ids && ids->n_gid && (gid = cs_idmap_to_container(ids->gid, ids->n_gid, nd->st.gid)) < 0)
		gid = CS_OVERFLOW_ID;
	archive_entry_set_uid(en, uid);
	archive_entry_set_gid(en, gid);
	if (uid == 0)
		archive_entry_set_uname(en, "root");
	if (gid == 0)
		archive_entry_set_gname(en, "root");
	set_time(en, nd->st.mtime, x->o && x->o->precise);
	if (S_ISLNK(nd->st.mode))
		archive_entry_set_symlink(en, nd->link ? nd->link : "");
	if (S_ISCHR(nd->st.mode) || S_ISBLK(nd->st.mode))
		archive_entry_set_rdev(en, makedev(nd->st.rdev_major, nd->st.rdev_minor));
	bool data = S_ISREG(nd->st.mode);
	if (data && nd->st.nlink > 1) {
		char key[16];
		snprintf(key, sizeof(key), "%u", nd->hardlink);
		const char *leader = cs_strmap_get(&x->first, key);
		if (leader) {
			archive_entry_set_hardlink(en, leader);
			data = false;
		} else {
			cs_strmap_put(&x->first, key, cs_xstrdup(name));
		}
	}
	archive_entry_set_size(en, data ? (la_int64_t)nd->st.size : 0);
	cs_xattr *xa = NULL;
	size_t nx = 0;
	if (cs_tree_xattrs(x->t, i, &xa, &nx, NULL) == 0)
		for (size_t k = 0; k < nx; k++)
			archive_entry_xattr_add_entry(en, xa[k].name, xa[k].value, xa[k].len);
	cs_xattrs_free(xa, nx);
	int r = archive_write_header(x->a, en);
	archive_entry_free(en);
	if (r < ARCHIVE_WARN)
		return -1;
	if (data && write_data(x, nd, i, name) < 0)
		return -1;
	return 0;
}

static int walk(ex *x, uint32_t dir, const char *prefix, unsigned depth)
{
	const cs_tnode *d = cs_tree_node(x->t, dir);
	if (depth > CS_TREE_MAX_DEPTH)
		return 0;
	for (uint32_t c = d->child0; c < d->child0 + d->nchild; c++) {
		const cs_tnode *nd = cs_tree_node(x->t, c);
		char *name = *prefix ? cs_xasprintf("%s/%s", prefix, nd->name) : cs_xstrdup(nd->name);
		int r = write_node(x, c, name);
		if (r == 0 && S_ISDIR(nd->st.mode))
			r = walk(x, c, name, depth + 1);
		free(name);
		if (r < 0)
			return r;
	}
	return 0;
}

int cs_export_tar(const cs_tree *t, int fd, const cs_export_opts *opts, cs_error *e)
{
	ex x = {.t = t, .o = opts};
	x.a = archive_write_new();
	x.buf = cs_xmalloc(1u << 20);
	/* restricted pax (ustar unless a name or xattr needs more), as the
	 * engine writes; full pax when nanosecond times are asked for */
	if (opts && opts->precise)
		archive_write_set_format_pax(x.a);
	else
		archive_write_set_format_pax_restricted(x.a);
	archive_write_set_bytes_in_last_block(x.a, 1);
	int r = 0;
	if (archive_write_open_fd(x.a, fd) != ARCHIVE_OK ||
	    (r = walk(&x, 0, "", 0)) < 0 || archive_write_close(x.a) != ARCHIVE_OK) {
		r = cs_err(e, -EIO, "writing the archive: %s", archive_error_string(x.a));
	}
	archive_write_free(x.a);
	cs_strmap_free(&x.first, free);
	free(x.buf);
	return r < 0 ? r : 0;
}
