/* merge.c - see merge.h. */
#include "fs/merge.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "base/strmap.h"

typedef struct cand {
	cs_mentry e;
	bool whiteout;
	bool isdir;
	bool blocked;
	size_t capcontrib;
} cand;

char *cs_merge_layer_path(const cs_layer_dir *layers, int32_t layer, const char *rel, const char *name)
{
	const char *base = layers[layer].path;
	if (*rel && name)
		return cs_xasprintf("%s/%s/%s", base, rel, name);
	if (*rel)
		return cs_xasprintf("%s/%s", base, rel);
	if (name)
		return cs_xasprintf("%s/%s", base, name);
	return cs_xstrdup(base);
}

static void problem(const cs_merge *m, const char *file, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void problem(const cs_merge *m, const char *file, const char *fmt, ...)
{
	if (!m->problem)
		return;
	char msg[CS_ERRMSG_MAX + 256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	m->problem(m->ud, file, msg);
}

static int cmp_cand(const void *a, const void *b)
{
	return strcmp(((const cand *)a)->e.name, ((const cand *)b)->e.name);
}

static cand *cand_get(cs_strmap *idx, cand **cv, size_t *cn, size_t *ccap, const char *name, bool create)
{
	void *p = cs_strmap_get(idx, name);
	if (p)
		return &(*cv)[(uintptr_t)p - 1];
	if (!create)
		return NULL;
	cand *c = CS_PUSH(*cv, *cn, *ccap);
	memset(c, 0, sizeof(*c));
	c->e.name = cs_xstrdup(name);
	cs_strmap_put(idx, name, (void *)(uintptr_t)*cn);
	return c;
}

static void add_contrib(cand *c, int32_t L)
{
	*CS_PUSH(c->e.contrib, c->e.ncontrib, c->capcontrib) = L;
}

static unsigned char dtype_of(const cs_merge *m, const char *path, unsigned char dt)
{
	if (dt != DT_UNKNOWN)
		return dt;
	cs_stat st;
	if (cs_source_stat(m->src, path, false, &st, NULL) < 0)
		return DT_UNKNOWN;
	return S_ISDIR(st.mode) ? DT_DIR : S_ISCHR(st.mode) ? DT_CHR : DT_REG;
}

void cs_merge_dir(const cs_merge *m, const char *rel, const int32_t *contrib, size_t nc,
		  cs_mentry **ret, size_t *ret_n, bool *opaque_top)
{
	cand *cv = NULL;
	size_t cn = 0, ccap = 0;
	cs_strmap idx = {0};
	cs_whiteout_format fmt = m->format;
	bool wh_names = fmt == CS_WH_AUFS || fmt == CS_WH_FUSE; /* .wh.NAME files are whiteouts */
	bool wh_char = fmt != CS_WH_AUFS;                        /* char 0/0 devices are whiteouts */
	*opaque_top = false;
	for (size_t k = 0; k < nc; k++) {
		int32_t L = contrib[k];
		char *dpath = cs_merge_layer_path(m->layers, L, rel, NULL);
		cs_dirent *d = NULL;
		size_t n = 0;
		cs_error err;
		if (cs_source_list(m->src, dpath, &d, &n, &err) < 0) {
			problem(m, dpath, "layer %d (%s): %s", (int)L, m->layers[L].id ? m->layers[L].id : "?",
				err.msg);
			free(dpath);
			continue;
		}
		bool opaque_here = false;
		for (size_t i = 0; i < n; i++) {
			const char *name = d[i].name;
			if (wh_names && cs_str_startswith(name, ".wh.")) {
				cs_wh_kind wk = cs_whiteout_name(fmt, name, NULL);
				if (wk == CS_WH_KIND_OPAQUE) {
					opaque_here = true;
					continue;
				}
				if (wk == CS_WH_KIND_HIDDEN)
					continue;
				const char *target = name + 4;
				cand *c = cand_get(&idx, &cv, &cn, &ccap, target, false);
				if (!c) {
					c = cand_get(&idx, &cv, &cn, &ccap, target, true);
					c->whiteout = true;
					c->e.layer = L;
					if (m->deletion) {
						char *wp = cs_merge_layer_path(m->layers, L, rel, name);
						cs_stat st;
						if (cs_source_stat(m->src, wp, false, &st, NULL) == 0)
							m->deletion(m->ud, rel, target, L, CS_DEL_WHITEOUT, &st, wp);
						free(wp);
					}
				} else if (!c->whiteout && c->isdir) {
					c->blocked = true;
				}
				continue;
			}
			cand *c = cand_get(&idx, &cv, &cn, &ccap, name, false);
			char *ep = cs_merge_layer_path(m->layers, L, rel, name);
			if (c) {
				if (!c->whiteout && c->isdir && !c->blocked) {
					if (dtype_of(m, ep, d[i].type) == DT_DIR)
						add_contrib(c, L);
					else
						c->blocked = true;
				}
				free(ep);
				continue;
			}
			cs_stat st;
			if (cs_source_stat(m->src, ep, false, &st, &err) < 0) {
				problem(m, ep, "layer %d: %s", (int)L, err.msg);
				free(ep);
				continue;
			}
			c = cand_get(&idx, &cv, &cn, &ccap, name, true);
			c->e.layer = L;
			c->e.st = st;
			if (wh_char && S_ISCHR(st.mode) && st.rdev_major == 0 && st.rdev_minor == 0) {
				c->whiteout = true;
				if (m->deletion)
					m->deletion(m->ud, rel, name, L, CS_DEL_WHITEOUT, &st, ep);
			} else if (S_ISDIR(st.mode)) {
				c->isdir = true;
				add_contrib(c, L);
			} else if (S_ISLNK(st.mode)) {
				if (cs_source_readlink(m->src, ep, &c->e.link, &err) < 0)
					problem(m, ep, "layer %d: %s", (int)L, err.msg);
			}
			free(ep);
		}
		cs_dirents_free(d, n);
		if (fmt != CS_WH_AUFS && !opaque_here)
			opaque_here = cs_dir_opaque_xattr(m->src, dpath, fmt);
		if (opaque_here) {
			if (k == 0)
				*opaque_top = true;
			/* a replacement only when a lower layer has the directory too
			 * (fuse-overlayfs marks every directory it creates opaque) */
			if (m->deletion && k + 1 < nc) {
				cs_stat st;
				if (cs_source_stat(m->src, dpath, false, &st, NULL) == 0)
					m->deletion(m->ud, rel, NULL, L, CS_DEL_OPAQUE, &st, dpath);
			}
			free(dpath);
			break;
		}
		free(dpath);
	}
	cs_strmap_free(&idx, NULL);
	if (cn > 1)
		qsort(cv, cn, sizeof(cand), cmp_cand);
	/* keep the visible entries */
	size_t vis = 0;
	for (size_t i = 0; i < cn; i++)
		vis += !cv[i].whiteout;
	cs_mentry *out = vis ? cs_xcalloc(vis, sizeof(cs_mentry)) : NULL;
	size_t k = 0;
	for (size_t i = 0; i < cn; i++) {
		if (cv[i].whiteout) {
			free(cv[i].e.name);
			free(cv[i].e.link);
			free(cv[i].e.contrib);
			continue;
		}
		out[k++] = cv[i].e;
	}
	free(cv);
	*ret = out;
	*ret_n = k;
}

void cs_mentries_free(cs_mentry *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].link);
		free(v[i].contrib);
	}
	free(v);
}
