/* disk.c - a disk image as a host (see disk.h).
 *
 * Discovery: every volume with a file system csleuth reads is opened (its
 * notes muted: only the volumes finally used speak) and asked for
 * etc/os-release. Among several root file systems the one whose own fstab
 * names itself as "/" wins, else the first, and a note says so. The root's
 * etc/fstab is read; each entry that names a volume of this image with a
 * readable file system, and whose mount point is a directory of the tree
 * built so far, is mounted there, shallowest first. Entries that name
 * nothing in the image (a network share, a disk that was not seized) are
 * reported and their mount points read from the root file system, as the
 * host would have shown them had the mount failed.
 */
#include "host/disk.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "engines/engines.h"
#include "formats/fstab.h"
#include "render/render_internal.h"

struct cs_disk {
	cs_media *img;
	cs_vols vols;
	cs_disk_opts o;
};

static void dwarn(const cs_disk *d, cs_severity sev, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void dwarn(const cs_disk *d, cs_severity sev, const char *fmt, ...)
{
	if (!d->o.diag)
		return;
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cs_diagf(d->o.diag, d->o.diag_userdata, sev, NULL, "%s", msg);
}

int cs_disk_open(const char *const *paths, size_t n, const cs_disk_opts *o, cs_disk **ret, cs_error *e)
{
	cs_disk *d = cs_xcalloc(1, sizeof(*d));
	if (o)
		d->o = *o;
	int r = cs_media_open(paths, n, &d->img, e);
	if (r < 0) {
		free(d);
		return r;
	}
	if (d->img->info.problem)
		dwarn(d, CS_WARN, "%s (%s): %s", d->img->dev->name, d->img->info.format, d->img->info.problem);
	r = cs_vols_scan(d->img->dev, d->o.diag, d->o.diag_userdata, &d->vols, e);
	if (r < 0) {
		cs_media_close(d->img);
		free(d);
		return r;
	}
	*ret = d;
	return 0;
}

void cs_disk_close(cs_disk *d)
{
	if (!d)
		return;
	cs_vols_clear(&d->vols);
	cs_media_close(d->img);
	free(d);
}

cs_media *cs_disk_image(const cs_disk *d)
{
	return d->img;
}

const cs_vols *cs_disk_volumes(const cs_disk *d)
{
	return &d->vols;
}

static bool readable_fs(const cs_vol *v)
{
	return v->dev && v->fs &&
	       (strcmp(v->fs, "ext2") == 0 || strcmp(v->fs, "ext3") == 0 || strcmp(v->fs, "ext4") == 0 ||
		strcmp(v->fs, "xfs") == 0);
}

static int open_fs(const cs_disk *d, const cs_vol *v, bool speak, cs_fsys **ret, cs_error *e)
{
	if (!v->dev)
		return cs_err(e, -EIO, "volume %s: %s", v->id, v->problem ? v->problem : "cannot be read");
	cs_fsys_opts fo = {0};
	if (speak)
		fo = (cs_fsys_opts){.diag = d->o.diag, .diag_userdata = d->o.diag_userdata};
	return cs_fsys_open(v->dev, v->dev->name, &fo, ret, e);
}

/* A source over one volume, or NULL. */
static cs_source *volume_source(const cs_disk *d, const cs_vol *v, bool speak, cs_error *e)
{
	cs_fsys *fs;
	if (open_fs(d, v, speak, &fs, e) < 0)
		return NULL;
	cs_source *src = NULL;
	if (cs_source_open_fsys(&fs, NULL, 1, NULL, v->dev->name, &src, e) < 0)
		return NULL;
	return src;
}

static char *os_name(cs_source *src)
{
	static const char *const files[] = {"etc/os-release", "usr/lib/os-release"};
	for (size_t i = 0; i < CS_ARRAY_SIZE(files); i++) {
		char *t = NULL;
		size_t n = 0;
		if (cs_source_read_file(src, files[i], 64 << 10, &t, &n, NULL) < 0)
			continue;
		char *v = cs_os_release_value(t, n, "PRETTY_NAME");
		if (!v)
			v = cs_os_release_value(t, n, "NAME");
		free(t);
		return v ? v : cs_xstrdup("unknown Linux");
	}
	return NULL;
}

static void read_fstab(cs_source *src, cs_fstab_entry **ret, size_t *ret_n)
{
	*ret = NULL;
	*ret_n = 0;
	char *t = NULL;
	size_t n = 0;
	if (cs_source_read_file(src, "etc/fstab", 1 << 20, &t, &n, NULL) < 0)
		return;
	cs_fstab_parse(t, n, ret, ret_n);
	free(t);
}

/* Decodes a device-mapper name "vg-lv" ("-" in a name is doubled). */
static char *dm_to_lvm(const char *dm)
{
	cs_buf b = {0};
	for (const char *p = dm; *p; p++) {
		if (*p == '-' && p[1] == '-') {
			cs_buf_append(&b, "-", 1);
			p++;
		} else if (*p == '-') {
			cs_buf_append(&b, "/", 1);
		} else {
			cs_buf_append(&b, p, 1);
		}
	}
	cs_buf_append(&b, "", 0);
	return cs_buf_steal(&b);
}

/* The volume an fstab spec names, or NULL. */
static const cs_vol *match_spec(const cs_disk *d, const char *spec)
{
	static const struct {
		const char *prefix;
		int key; /* 0 uuid, 1 label, 2 partuuid, 3 partlabel */
	} forms[] = {
		{"UUID=", 0},
		{"LABEL=", 1},
		{"PARTUUID=", 2},
		{"PARTLABEL=", 3},
		{"/dev/disk/by-uuid/", 0},
		{"/dev/disk/by-label/", 1},
		{"/dev/disk/by-partuuid/", 2},
		{"/dev/disk/by-partlabel/", 3},
	};
	const cs_vols *vs = &d->vols;
	for (size_t f = 0; f < CS_ARRAY_SIZE(forms); f++) {
		if (!cs_str_startswith(spec, forms[f].prefix))
			continue;
		char *want = cs_xstrdup(spec + strlen(forms[f].prefix));
		/* fstab may quote the value */
		size_t wl = strlen(want);
		if (wl >= 2 && (want[0] == '"' || want[0] == '\'') && want[wl - 1] == want[0]) {
			memmove(want, want + 1, wl - 2);
			want[wl - 2] = '\0';
		}
		const cs_vol *hit = NULL;
		for (size_t i = 0; i < vs->n && !hit; i++) {
			const cs_vol *v = &vs->v[i];
			const char *have = forms[f].key == 0   ? v->uuid
					   : forms[f].key == 1 ? v->label
					   : forms[f].key == 2 ? v->partuuid
							       : (strcmp(v->scheme, "GPT") == 0 ? v->name : NULL);
			if (have && (forms[f].key == 1 || forms[f].key == 3 ? strcmp(have, want) == 0
									     : strcasecmp(have, want) == 0))
				hit = v;
		}
		free(want);
		return hit;
	}
	if (cs_str_startswith(spec, "/dev/mapper/")) {
		char *id = dm_to_lvm(spec + strlen("/dev/mapper/"));
		const cs_vol *v = cs_vols_find(vs, id);
		free(id);
		return v;
	}
	if (cs_str_startswith(spec, "/dev/")) {
		const char *rest = spec + 5;
		/* /dev/VG/LV */
		const char *slash = strchr(rest, '/');
		if (slash && !strchr(slash + 1, '/')) {
			const cs_vol *v = cs_vols_find(vs, rest);
			if (v)
				return v;
		}
		/* /dev/sda2, /dev/vdb1, /dev/nvme0n1p3, /dev/mmcblk0p1: the number
		 * of a partition of the one disk we have */
		size_t l = strlen(rest);
		size_t k = l;
		while (k > 0 && rest[k - 1] >= '0' && rest[k - 1] <= '9')
			k--;
		if (k < l && k > 0 && !slash &&
		    (cs_str_startswith(rest, "sd") || cs_str_startswith(rest, "vd") || cs_str_startswith(rest, "hd") ||
		     cs_str_startswith(rest, "xvd") ||
		     ((cs_str_startswith(rest, "nvme") || cs_str_startswith(rest, "mmcblk")) && rest[k - 1] == 'p'))) {
			for (size_t i = 0; i < vs->n; i++)
				if ((strcmp(vs->v[i].scheme, "MBR") == 0 || strcmp(vs->v[i].scheme, "GPT") == 0) &&
				    strcmp(vs->v[i].id, rest + k) == 0)
					return &vs->v[i];
		}
	}
	return NULL;
}

static bool skip_entry(const cs_fstab_entry *x)
{
	if (x->file[0] != '/' || strcmp(x->file, "/") == 0)
		return true;
	static const char *const not_disk[] = {"swap", "proc", "sysfs", "tmpfs", "devpts", "nfs", "nfs4",
					       "cifs", "none", "devtmpfs", "cgroup", "cgroup2", "overlay",
					       "fuse", "9p", "virtiofs", "iso9660", "udf"};
	for (size_t i = 0; i < CS_ARRAY_SIZE(not_disk); i++)
		if (strcmp(x->type, not_disk[i]) == 0)
			return true;
	/* bind mounts name a directory, not a volume */
	const char *o = x->opts;
	while (o && *o) {
		const char *c = strchr(o, ',');
		size_t l = c ? (size_t)(c - o) : strlen(o);
		if ((l == 4 && memcmp(o, "bind", 4) == 0) || (l == 5 && memcmp(o, "rbind", 5) == 0))
			return true;
		o = c ? c + 1 : NULL;
	}
	return false;
}

static size_t depth_of(const char *p)
{
	size_t n = 0;
	for (; *p; p++)
		if (*p == '/' && p[1] && p[1] != '/')
			n++;
	return n;
}

/* The candidate roots: indices of volumes with etc/os-release. */
typedef struct root_set {
	size_t *v;
	char **os;
	size_t n;
} root_set;

static void find_roots(const cs_disk *d, root_set *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < d->vols.n; i++) {
		const cs_vol *v = &d->vols.v[i];
		if (!readable_fs(v))
			continue;
		cs_source *src = volume_source(d, v, false, NULL);
		if (!src)
			continue;
		char *os = os_name(src);
		cs_source_close(src);
		if (!os)
			continue;
		out->v = cs_xreallocarray(out->v, out->n + 1, sizeof(*out->v));
		out->os = cs_xreallocarray(out->os, out->n + 1, sizeof(*out->os));
		out->v[out->n] = i;
		out->os[out->n++] = os;
	}
}

static void roots_free(root_set *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->os[i]);
	free(r->v);
	free(r->os);
}

/* Picks the host's root among the candidates. */
static size_t choose_root(const cs_disk *d, const root_set *r)
{
	for (size_t k = 0; k < r->n; k++) {
		const cs_vol *v = &d->vols.v[r->v[k]];
		cs_source *src = volume_source(d, v, false, NULL);
		if (!src)
			continue;
		cs_fstab_entry *fe;
		size_t nf;
		read_fstab(src, &fe, &nf);
		cs_source_close(src);
		bool self = false;
		for (size_t i = 0; i < nf; i++)
			if (strcmp(fe[i].file, "/") == 0 && match_spec(d, fe[i].spec) == v)
				self = true;
		cs_fstab_free(fe, nf);
		if (self)
			return k;
	}
	return 0;
}

void cs_disk_host_free(cs_disk_host *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->n_mounts; i++) {
		free(h->mounts[i].path);
		free(h->mounts[i].volume);
		free(h->mounts[i].spec);
	}
	free(h->mounts);
	free(h->os);
	memset(h, 0, sizeof(*h));
}

static void host_add(cs_disk_host *h, const char *path, const cs_vol *v, const char *spec)
{
	h->mounts = cs_xreallocarray(h->mounts, h->n_mounts + 1, sizeof(*h->mounts));
	h->mounts[h->n_mounts++] = (cs_disk_mount){.path = cs_xstrdup(path), .volume = cs_xstrdup(v->id),
						   .spec = cs_xstrdup(spec), .fs = v->fs};
}

/* Plans the host tree: the root volume and the fstab mounts that apply.
 * speak: report what does not apply. */
static int plan_host(const cs_disk *d, bool speak, cs_disk_host *h, cs_error *e)
{
	memset(h, 0, sizeof(*h));
	root_set r;
	find_roots(d, &r);
	if (r.n == 0) {
		cs_buf b = {0};
		for (size_t i = 0; i < d->vols.n; i++) {
			const cs_vol *v = &d->vols.v[i];
			cs_buf_printf(&b, "%s%s (%s)", i ? ", " : "", v->id, v->fs ? v->fs : "unknown");
		}
		int rc = cs_err(e, -ENOENT,
				"%s: no volume holds a root file system (etc/os-release); its volumes: %s. "
				"Name one with --partition (see `csleuth --image ... partitions`)",
				d->img->dev->name, b.data ? b.data : "none");
		cs_buf_free(&b);
		roots_free(&r);
		return rc;
	}
	size_t k = choose_root(d, &r);
	const cs_vol *rootv = &d->vols.v[r.v[k]];
	if (r.n > 1 && speak) {
		cs_buf b = {0};
		for (size_t i = 0; i < r.n; i++)
			cs_buf_printf(&b, "%s%s (%s)", i ? ", " : "", d->vols.v[r.v[i]].id, r.os[i]);
		dwarn(d, CS_NOTE, "%s: several volumes hold a root file system: %s; reading volume %s as the "
				  "host (choose another with --partition)", d->img->dev->name, b.data, rootv->id);
		cs_buf_free(&b);
	}
	h->os = cs_xstrdup(r.os[k]);
	roots_free(&r);
	host_add(h, "/", rootv, NULL);

	cs_source *rsrc = volume_source(d, rootv, false, e);
	if (!rsrc)
		return e ? e->code : -EIO;
	cs_fstab_entry *fe;
	size_t nf;
	read_fstab(rsrc, &fe, &nf);
	cs_source_close(rsrc);
	/* shallowest mount points first, so /var is in place before /var/lib */
	size_t *order = cs_xcalloc(nf ? nf : 1, sizeof(*order));
	size_t no = 0;
	for (size_t depth = 0; depth < 64; depth++)
		for (size_t i = 0; i < nf; i++)
			if (!skip_entry(&fe[i]) && depth_of(fe[i].file) == depth)
				order[no++] = i;
	for (size_t oi = 0; oi < no; oi++) {
		const cs_fstab_entry *x = &fe[order[oi]];
		const cs_vol *v = match_spec(d, x->spec);
		if (!v) {
			if (speak)
				dwarn(d, CS_NOTE, "%s: fstab mounts %s from %s, which is not a volume of this image; "
						  "%s is read from the file system below it",
				      d->img->dev->name, x->file, x->spec, x->file);
			continue;
		}
		if (v == rootv)
			continue;
		if (!readable_fs(v)) {
			if (speak)
				dwarn(d, CS_WARN, "%s: fstab mounts %s from volume %s (%s), which holds no file system "
						  "csleuth reads (%s)", d->img->dev->name, x->file, v->id, x->spec,
				      v->fs ? v->fs : "unknown");
			continue;
		}
		bool dup = false;
		for (size_t i = 0; i < h->n_mounts; i++)
			dup = dup || strcmp(h->mounts[i].path, x->file) == 0;
		if (dup)
			continue;
		host_add(h, x->file, v, x->spec);
	}
	free(order);
	cs_fstab_free(fe, nf);
	return 0;
}

/* Opens a source over a planned host, dropping mounts whose mount point is
 * not a directory of the tree (reported when speak). */
static int open_host(const cs_disk *d, cs_disk_host *h, const char *root_path, bool speak, cs_source **ret,
		     cs_error *e)
{
	/* check mount points one by one on a tree built so far */
	for (size_t i = 1; i < h->n_mounts; i++) {
		cs_fsys **fs = cs_xcalloc(i, sizeof(*fs));
		const char **at = cs_xcalloc(i, sizeof(*at));
		int r = 0;
		for (size_t k = 0; k < i && r == 0; k++) {
			r = open_fs(d, cs_vols_find(&d->vols, h->mounts[k].volume), false, &fs[k], NULL);
			at[k] = h->mounts[k].path;
		}
		cs_source *src = NULL;
		if (r == 0)
			r = cs_source_open_fsys(fs, at, i, NULL, "", &src, NULL);
		else
			for (size_t k = 0; k < i; k++)
				cs_fsys_close(fs[k]);
		cs_stat st;
		bool ok = r == 0 && cs_source_stat(src, h->mounts[i].path, true, &st, NULL) == 0 && S_ISDIR(st.mode);
		cs_source_close(src);
		free(fs);
		free(at);
		if (!ok) {
			if (speak)
				dwarn(d, CS_WARN, "%s: fstab mounts volume %s at %s, which is not a directory of the "
						  "root file system; not mounted", d->img->dev->name, h->mounts[i].volume,
				      h->mounts[i].path);
			free(h->mounts[i].path);
			free(h->mounts[i].volume);
			free(h->mounts[i].spec);
			memmove(&h->mounts[i], &h->mounts[i + 1], (h->n_mounts - i - 1) * sizeof(*h->mounts));
			h->n_mounts--;
			i--;
		}
	}
	cs_fsys **fs = cs_xcalloc(h->n_mounts, sizeof(*fs));
	const char **at = cs_xcalloc(h->n_mounts, sizeof(*at));
	int r = 0;
	size_t opened = 0;
	for (size_t k = 0; k < h->n_mounts && r == 0; k++) {
		r = open_fs(d, cs_vols_find(&d->vols, h->mounts[k].volume), speak, &fs[k], e);
		at[k] = h->mounts[k].path;
		if (r == 0)
			opened++;
	}
	if (r < 0) {
		for (size_t k = 0; k < opened; k++)
			cs_fsys_close(fs[k]);
		free(fs);
		free(at);
		return r;
	}
	r = cs_source_open_fsys(fs, at, h->n_mounts, root_path, d->img->dev->name, ret, e);
	free(fs);
	free(at);
	return r;
}

int cs_disk_source(cs_disk *d, const char *partition, const char *root_path, cs_source **ret,
		   cs_disk_host *ret_host, cs_error *e)
{
	if (ret_host)
		memset(ret_host, 0, sizeof(*ret_host));
	if (partition) {
		const cs_vol *v = cs_vols_find(&d->vols, partition);
		if (!v) {
			cs_buf b = {0};
			for (size_t i = 0; i < d->vols.n; i++)
				cs_buf_printf(&b, "%s%s", i ? ", " : "", d->vols.v[i].id);
			int r = cs_err(e, -ENOENT, "%s has no volume `%s`; its volumes: %s", d->img->dev->name,
				       partition, b.data ? b.data : "none");
			cs_buf_free(&b);
			return r;
		}
		cs_fsys *fs;
		int r = open_fs(d, v, true, &fs, e);
		if (r < 0)
			return r;
		r = cs_source_open_fsys(&fs, NULL, 1, root_path, v->dev->name, ret, e);
		if (r == 0 && ret_host) {
			cs_source *tmp = volume_source(d, v, false, NULL);
			ret_host->os = tmp ? os_name(tmp) : NULL;
			cs_source_close(tmp);
			host_add(ret_host, "/", v, NULL);
		}
		return r;
	}
	cs_disk_host h;
	int r = plan_host(d, true, &h, e);
	if (r == -ENOENT) {
		/* no root file system: a lone readable volume (a partition image,
		 * a separate /var) is read as the tree */
		const cs_vol *only = NULL;
		size_t readable = 0;
		for (size_t i = 0; i < d->vols.n; i++)
			if (readable_fs(&d->vols.v[i])) {
				only = &d->vols.v[i];
				readable++;
			}
		if (readable == 1) {
			dwarn(d, CS_NOTE, "%s: no volume holds a root file system; reading volume %s (%s) as the tree",
			      d->img->dev->name, only->id, only->fs);
			return cs_disk_source(d, only->id, root_path, ret, ret_host, e);
		}
	}
	if (r < 0)
		return r;
	r = open_host(d, &h, root_path, true, ret, e);
	if (r == 0 && ret_host)
		*ret_host = h;
	else
		cs_disk_host_free(&h);
	return r;
}

/* ---- survey ---- */

static void add_mark(cs_disk_volinfo *vi, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add_mark(cs_disk_volinfo *vi, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char buf[1024];
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	size_t n = cs_strv_len(vi->engine_data);
	for (size_t i = 0; i < n; i++)
		if (strcmp(vi->engine_data[i], buf) == 0)
			return;
	vi->engine_data = cs_xreallocarray(vi->engine_data, n + 2, sizeof(char *));
	vi->engine_data[n] = cs_xstrdup(buf);
	vi->engine_data[n + 1] = NULL;
}

/* Engine roots located in src (a host tree): appends (path, engine) pairs
 * that bid. */
typedef struct hit {
	char *path;
	const cs_engine *engine;
} hit;

static void locate_all(cs_source *src, hit **ret, size_t *ret_n)
{
	size_t ne;
	const cs_engine *const *engines = cs_engines(&ne);
	cs_engine_roots roots = {0};
	for (size_t i = 0; i < ne; i++)
		(void)engines[i]->locate(src, &roots, NULL);
	for (size_t i = 0; i < roots.n; i++) {
		const cs_engine_root *r = &roots.v[i];
		bool dup = false;
		for (size_t k = 0; k < *ret_n; k++)
			dup = dup || ((*ret)[k].engine == r->engine && strcmp((*ret)[k].path, r->path) == 0);
		if (dup || r->engine->probe(src, r->path) <= 0)
			continue;
		*ret = cs_xreallocarray(*ret, *ret_n + 1, sizeof(**ret));
		(*ret)[(*ret_n)++] = (hit){cs_xstrdup(r->path), r->engine};
	}
	cs_engine_roots_clear(&roots);
}

static void hits_free(hit *h, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(h[i].path);
	free(h);
}

int cs_disk_survey(cs_disk *d, cs_disk_volinfo **ret, size_t *ret_n, cs_error *e)
{
	(void)e;
	size_t n = d->vols.n;
	cs_disk_volinfo *vi = cs_xcalloc(n ? n : 1, sizeof(*vi));
	bool *covered = cs_xcalloc(n ? n : 1, sizeof(bool));
	for (size_t i = 0; i < n; i++) {
		const cs_vol *v = &d->vols.v[i];
		vi[i].vol = v;
		if (!readable_fs(v)) {
			if (v->problem)
				vi[i].problem = cs_xstrdup(v->problem);
			continue;
		}
		cs_error fe = {0};
		cs_source *src = volume_source(d, v, true, &fe);
		if (!src) {
			vi[i].problem = cs_xstrdup(fe.msg);
			continue;
		}
		vi[i].readable = true;
		vi[i].os = os_name(src);
		vi[i].root = vi[i].os != NULL;
		cs_source_close(src);
	}
	/* the host as discovery would build it */
	cs_disk_host h;
	if (plan_host(d, false, &h, NULL) == 0) {
		cs_source *hs = NULL;
		if (open_host(d, &h, NULL, false, &hs, NULL) == 0) {
			for (size_t m = 0; m < h.n_mounts; m++) {
				for (size_t i = 0; i < n; i++)
					if (strcmp(d->vols.v[i].id, h.mounts[m].volume) == 0) {
						covered[i] = true;
						if (m == 0)
							vi[i].host_root = true;
						else {
							vi[i].mounted_at = cs_xstrdup(h.mounts[m].path);
							vi[i].fstab_spec = cs_xstrdup(h.mounts[m].spec);
						}
					}
			}
			hit *hits = NULL;
			size_t nh = 0;
			locate_all(hs, &hits, &nh);
			for (size_t k = 0; k < nh; k++) {
				/* the mount holding "/path": the longest mount point prefix */
				_cleanup_free_ char *abs = cs_xasprintf("/%s", hits[k].path);
				size_t best = 0, best_len = 0;
				for (size_t m = 1; m < h.n_mounts; m++) {
					size_t l = strlen(h.mounts[m].path);
					if (strncmp(abs, h.mounts[m].path, l) == 0 && (abs[l] == '/' || abs[l] == '\0') &&
					    l > best_len) {
						best = m;
						best_len = l;
					}
				}
				for (size_t i = 0; i < n; i++)
					if (strcmp(d->vols.v[i].id, h.mounts[best].volume) == 0)
						add_mark(&vi[i], "%s %s", hits[k].engine->what, abs);
			}
			hits_free(hits, nh);
			cs_source_close(hs);
		}
		cs_disk_host_free(&h);
	}
	/* volumes the host does not mount: as a host of their own, as a /var,
	 * or as a data root at their top */
	size_t ne;
	const cs_engine *const *engines = cs_engines(&ne);
	for (size_t i = 0; i < n; i++) {
		if (covered[i] || !vi[i].readable)
			continue;
		cs_source *src = volume_source(d, &d->vols.v[i], false, NULL);
		if (!src)
			continue;
		hit *hits = NULL;
		size_t nh = 0;
		locate_all(src, &hits, &nh);
		for (size_t k = 0; k < nh; k++)
			add_mark(&vi[i], "%s /%s", hits[k].engine->what, hits[k].path);
		for (size_t k = 0; k < nh; k++)
			free(hits[k].path);
		nh = 0;
		/* as a separate /var: the located paths below var/ */
		cs_engine_roots roots = {0};
		for (size_t x = 0; x < ne; x++)
			(void)engines[x]->locate(src, &roots, NULL);
		for (size_t k = 0; k < roots.n; k++) {
			const char *p = roots.v[k].path;
			if (cs_str_startswith(p, "var/") && roots.v[k].engine->probe(src, p + 4) > 0)
				add_mark(&vi[i], "%s %s (as /var: /%s)", roots.v[k].engine->what, p + 4, p);
		}
		cs_engine_roots_clear(&roots);
		for (size_t x = 0; x < ne; x++)
			if (engines[x]->probe(src, "") > 0)
				add_mark(&vi[i], "%s at the volume's top", engines[x]->what);
		free(hits);
		cs_source_close(src);
	}
	free(covered);
	*ret = vi;
	*ret_n = n;
	return 0;
}

void cs_disk_volinfo_free(cs_disk_volinfo *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].problem);
		free(v[i].os);
		free(v[i].mounted_at);
		free(v[i].fstab_spec);
		cs_strv_free(v[i].engine_data);
	}
	free(v);
}

char *cs_disk_survey_json(const cs_disk *d, const cs_disk_volinfo *v, size_t n)
{
	const cs_media_info *ii = &d->img->info;
	json_object *o = json_object_new_object();
	json_object *im = json_object_new_object();
	json_object_object_add(im, "format", cs_jstr(ii->format));
	json_object_object_add(im, "media_size", json_object_new_int64((int64_t)ii->media_size));
	json_object_object_add(im, "sector_size", json_object_new_int64(ii->sector_size));
	json_object *files = json_object_new_array();
	for (size_t i = 0; i < ii->n_files; i++) {
		json_object *f = json_object_new_object();
		json_object_object_add(f, "path", cs_jstr(ii->files[i].path));
		json_object_object_add(f, "size", json_object_new_int64((int64_t)ii->files[i].size));
		json_object_array_add(files, f);
	}
	json_object_object_add(im, "files", files);
	json_object_object_add(im, "stored_md5", cs_jstr(ii->stored_md5));
	json_object_object_add(im, "stored_sha1", cs_jstr(ii->stored_sha1));
	json_object_object_add(o, "image", im);
	json_object_object_add(o, "scheme", cs_jstr(d->vols.scheme));
	json_object *vols = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		const cs_vol *vol = v[i].vol;
		json_object *x = json_object_new_object();
		json_object_object_add(x, "id", cs_jstr(vol->id));
		json_object_object_add(x, "scheme", cs_jstr(vol->scheme));
		json_object_object_add(x, "offset", strcmp(vol->scheme, "LVM2") == 0
							    ? NULL
							    : json_object_new_int64((int64_t)vol->offset));
		json_object_object_add(x, "size", json_object_new_int64((int64_t)vol->size));
		json_object_object_add(x, "type", cs_jstr(vol->type));
		json_object_object_add(x, "name", cs_jstr(vol->name));
		json_object_object_add(x, "on", cs_jstr(vol->parent));
		json_object_object_add(x, "partuuid", cs_jstr(vol->partuuid));
		json_object_object_add(x, "fs", cs_jstr(vol->fs));
		json_object_object_add(x, "label", cs_jstr(vol->label));
		json_object_object_add(x, "uuid", cs_jstr(vol->uuid));
		json_object_object_add(x, "readable", json_object_new_boolean(v[i].readable));
		json_object_object_add(x, "problem", cs_jstr(v[i].problem));
		json_object_object_add(x, "root_fs", json_object_new_boolean(v[i].root));
		json_object_object_add(x, "os", cs_jstr(v[i].os));
		json_object_object_add(x, "host_root", json_object_new_boolean(v[i].host_root));
		json_object_object_add(x, "mounted_at", cs_jstr(v[i].mounted_at));
		json_object_object_add(x, "fstab_spec", cs_jstr(v[i].fstab_spec));
		json_object_object_add(x, "engine_data", v[i].engine_data ? cs_jstrv(v[i].engine_data)
									  : json_object_new_array());
		json_object_array_add(vols, x);
	}
	json_object_object_add(o, "volumes", vols);
	return cs_jfinish(o, true);
}
