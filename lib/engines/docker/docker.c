/* docker.c - the Docker reader's entry points and shared helpers.
 *
 * cs_docker_load() reads images first (containers refer to them), then
 * containers, then volumes. Each reader treats damage as per-item: a file
 * that cannot be read or parsed costs the item it describes, which is kept
 * with `incomplete` set and its problems listed; the load as a whole fails
 * only when the data root cannot be read at all.
 */
#include "engines/docker/docker_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

char *dk_path(dk_ctx *c, const char *fmt, ...)
{
	va_list ap;
	char *rel = NULL;
	va_start(ap, fmt);
	if (vasprintf(&rel, fmt, ap) < 0)
		abort();
	va_end(ap);
	char *p = cs_path_join(c->dr->path, rel);
	free(rel);
	return p;
}

void dk_warn(dk_ctx *c, cs_problems *p, const char *file, const char *fmt, ...)
{
	char msg[CS_ERRMSG_MAX + 256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cs_problems_add(p ? p : &c->dr->problems, file, msg);
	c->dr->n_warnings++;
	if (c->diag) {
		cs_diag d = {.severity = CS_WARN, .file = file, .msg = msg};
		c->diag(c->diag_ud, &d);
	}
}

int dk_read_small(dk_ctx *c, const char *path, char **ret, cs_error *e)
{
	char *s;
	size_t n;
	int r = cs_source_read_file(c->src, path, CS_DOCKER_MAX_SMALL, &s, &n, e);
	if (r < 0)
		return r;
	size_t a = 0;
	while (a < n && isspace((unsigned char)s[a]))
		a++;
	while (n > a && isspace((unsigned char)s[n - 1]))
		n--;
	*ret = cs_xstrndup(s + a, n - a);
	free(s);
	return 0;
}

cs_time dk_time(dk_ctx *c, cs_problems *p, const char *file, json_object *o, const char *key)
{
	json_object *v = cs_json_get(o, key);
	if (!v || json_object_is_type(v, json_type_null))
		return CS_TIME_NEVER;
	const char *s = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
	cs_time t;
	if (!s || cs_time_parse(s, &t) < 0) {
		dk_warn(c, p, file, "`%s`: %s: unreadable time `%s`", file, key,
			s ? s : json_object_to_json_string(v));
		return CS_TIME_INVALID;
	}
	return t;
}

static void infer_host_path(cs_dataroot *dr)
{
	/* ResolvConfPath etc. are /<host root>/containers/<id>/<file> */
	for (size_t i = 0; i < dr->n_containers && !dr->host_path; i++) {
		const char *lp = dr->containers[i].host_root;
		if (lp && *lp)
			dr->host_path = cs_xstrdup(lp);
	}
	if (!dr->host_path)
		dr->host_path = cs_xstrdup("/var/lib/docker");
}

static int cmp_container(const void *a, const void *b)
{
	const cs_container *x = a, *y = b;
	/* newest first, like docker ps; ties by id for stable output */
	if (x->created != y->created)
		return x->created > y->created ? -1 : 1;
	return strcmp(x->id, y->id);
}

static int cmp_image(const void *a, const void *b)
{
	const cs_image *x = a, *y = b;
	if (x->created != y->created)
		return x->created > y->created ? -1 : 1;
	return strcmp(x->id, y->id);
}

int cs_docker_load(cs_source *src, const cs_docker_opts *o, cs_dataroot **ret, cs_error *e)
{
	const char *path = o && o->path ? o->path : "";
	cs_stat st;
	int r = cs_source_stat(src, path, true, &st, e);
	if (r < 0) {
		cs_err_prefix(e, "Docker data root");
		return r;
	}
	if (!S_ISDIR(st.mode))
		return cs_err(e, -ENOTDIR, "Docker data root `%s`: not a directory", path);
	cs_dataroot *dr = cs_xcalloc(1, sizeof(*dr));
	dr->src = src;
	dr->path = cs_xstrdup(path);
	dr->engine = cs_xstrdup("docker");
	if (o && o->host_path)
		dr->host_path = cs_xstrdup(o->host_path);
	dk_ctx c = {.src = src, .dr = dr, .diag = o ? o->diag : NULL,
		    .diag_ud = o ? o->diag_userdata : NULL};

	_cleanup_free_ char *pc = dk_path(&c, "containers");
	_cleanup_free_ char *pi = dk_path(&c, "image");
	_cleanup_free_ char *pg = dk_path(&c, "graph");
	bool has_c = cs_source_exists(src, pc), has_i = cs_source_exists(src, pi),
	     has_g = cs_source_exists(src, pg);
	if (!has_c && !has_i && !has_g) {
		cs_dataroot_free(dr);
		return cs_err(e, -ENOENT,
			      "`%s` does not look like a Docker data root (no containers/, "
			      "image/ or graph/)",
			      *path ? path : cs_source_root(src));
	}
	if (has_i)
		dk_load_images(&c);
	if (has_g)
		dk_load_legacy_images(&c);
	if (has_c)
		dk_load_containers(&c);
	dk_load_volumes(&c);
	infer_host_path(dr);
	if (dr->n_containers > 1)
		qsort(dr->containers, dr->n_containers, sizeof(cs_container), cmp_container);
	if (dr->n_images > 1)
		qsort(dr->images, dr->n_images, sizeof(cs_image), cmp_image);
	cs_strv_free(c.ov2_links);
	cs_strv_free(c.ov2_ids);
	cs_strmap_free(&c.layers, dk_layer_free);
	cs_strmap_free(&c.links, free);
	cs_strmap_free(&c.dirs_seen, NULL);
	*ret = dr;
	return 0;
}

/* --- locating the data root on a mounted host filesystem --- */

/* Finds the value of a dockerd flag in a command line, or NULL. */
static char *flag_value(const char *cmdline)
{
	static const char *const flags[] = {"--data-root", "--graph", "-g"};
	const char *p = cmdline;
	char *found = NULL;
	while (*p) {
		while (*p && isspace((unsigned char)*p))
			p++;
		const char *w = p;
		while (*p && !isspace((unsigned char)*p))
			p++;
		size_t wl = (size_t)(p - w);
		for (size_t k = 0; k < CS_ARRAY_SIZE(flags); k++) {
			size_t fl = strlen(flags[k]);
			if (wl < fl || strncmp(w, flags[k], fl) != 0)
				continue;
			const char *v = NULL;
			size_t vl = 0;
			if (wl > fl && w[fl] == '=') {
				v = w + fl + 1;
				vl = wl - fl - 1;
			} else if (wl == fl) {
				while (*p && isspace((unsigned char)*p))
					p++;
				v = p;
				while (*p && !isspace((unsigned char)*p))
					p++;
				vl = (size_t)(p - v);
			} else {
				continue;
			}
			if (vl >= 2 && (v[0] == '"' || v[0] == '\'') && v[vl - 1] == v[0]) {
				v++;
				vl -= 2;
			}
			if (vl > 0) {
				free(found);
				found = cs_xstrndup(v, vl);
			}
			break;
		}
	}
	return found;
}

/* Applies the ExecStart= lines of one unit file to *exec (last one wins,
 * an empty one resets). Handles "\" line continuations. */
static void scan_unit(cs_source *src, const char *path, char **exec)
{
	char *text;
	size_t len;
	if (cs_source_read_file(src, path, 1 << 20, &text, &len, NULL) < 0)
		return;
	cs_buf line = {0};
	for (char *p = text; *p;) {
		char *nl = strchr(p, '\n');
		size_t l = nl ? (size_t)(nl - p) : strlen(p);
		if (l > 0 && p[l - 1] == '\\') {
			(void)cs_buf_append(&line, p, l - 1);
			(void)cs_buf_puts(&line, " ");
		} else {
			(void)cs_buf_append(&line, p, l);
			if (!line.data)
				(void)cs_buf_puts(&line, "");
			char *s = line.data ? line.data : p;
			while (isspace((unsigned char)*s))
				s++;
			if (cs_str_startswith(s, "ExecStart=")) {
				s += 10;
				while (*s == '-' || *s == '@' || *s == '+' || *s == '!' || *s == ':')
					s++;
				free(*exec);
				*exec = *s ? cs_xstrdup(s) : NULL;
			}
			line.len = 0;
			if (line.data)
				line.data[0] = '\0';
		}
		p += l + (nl ? 1 : 0);
	}
	cs_buf_free(&line);
	free(text);
}

int cs_docker_locate(cs_source *sysroot, char **ret_host_path, char **ret_origin, cs_error *e)
{
	(void)e;
	char *found = NULL, *origin = NULL;
	/* 1. daemon.json */
	json_object *j = NULL;
	if (cs_json_load(sysroot, "etc/docker/daemon.json", 1 << 20, &j, NULL, NULL) == 0) {
		const char *v = cs_json_str(j, "data-root");
		const char *key = "data-root";
		if (!v || !*v) {
			v = cs_json_str(j, "graph");
			key = "graph";
		}
		if (v && *v) {
			found = cs_xstrdup(v);
			origin = cs_xasprintf("\"%s\" in etc/docker/daemon.json", key);
		}
		json_object_put(j);
	}
	/* 2. dockerd command line: systemd units and drop-ins, sysvinit defaults */
	static const char *const dirs[] = {"lib/systemd/system", "usr/lib/systemd/system",
					   "etc/systemd/system"};
	char *exec = NULL, *exec_file = NULL;
	for (size_t i = 0; i < CS_ARRAY_SIZE(dirs); i++) {
		_cleanup_free_ char *unit = cs_xasprintf("%s/docker.service", dirs[i]);
		char *before = exec ? cs_xstrdup(exec) : NULL;
		scan_unit(sysroot, unit, &exec);
		if (exec && (!before || strcmp(before, exec) != 0)) {
			free(exec_file);
			exec_file = cs_xstrdup(unit);
		}
		free(before);
	}
	/* drop-ins, all directories merged and ordered by file name */
	cs_dirent *all = NULL;
	size_t n_all = 0, cap_all = 0;
	char **owner = NULL;
	size_t n_owner = 0, cap_owner = 0;
	for (size_t i = 0; i < CS_ARRAY_SIZE(dirs); i++) {
		_cleanup_free_ char *dd = cs_xasprintf("%s/docker.service.d", dirs[i]);
		cs_dirent *d;
		size_t n;
		if (cs_source_list(sysroot, dd, &d, &n, NULL) < 0)
			continue;
		for (size_t k = 0; k < n; k++) {
			if (!cs_str_endswith(d[k].name, ".conf"))
				continue;
			cs_dirent *x = CS_PUSH(all, n_all, cap_all);
			x->name = cs_xstrdup(d[k].name);
			*CS_PUSH(owner, n_owner, cap_owner) = cs_xasprintf("%s/%s", dd, d[k].name);
		}
		cs_dirents_free(d, n);
	}
	for (size_t pass = 0; pass < n_all; pass++) {
		/* pick the next smallest name (small lists: selection is fine) */
		size_t best = SIZE_MAX;
		for (size_t k = 0; k < n_all; k++)
			if (all[k].name && (best == SIZE_MAX || strcmp(all[k].name, all[best].name) < 0))
				best = k;
		char *before = exec ? cs_xstrdup(exec) : NULL;
		scan_unit(sysroot, owner[best], &exec);
		if (exec && (!before || strcmp(before, exec) != 0)) {
			free(exec_file);
			exec_file = cs_xstrdup(owner[best]);
		}
		free(before);
		free(all[best].name);
		all[best].name = NULL;
	}
	free(all);
	for (size_t k = 0; k < n_owner; k++)
		free(owner[k]);
	free(owner);
	char *v = exec ? flag_value(exec) : NULL;
	if (v) {
		free(found);
		free(origin);
		found = v;
		origin = cs_xasprintf("dockerd command line in %s", exec_file);
	}
	free(exec);
	free(exec_file);
	if (!found) {
		static const char *const defaults[] = {"etc/default/docker", "etc/sysconfig/docker"};
		for (size_t i = 0; i < CS_ARRAY_SIZE(defaults) && !found; i++) {
			char *text;
			size_t len;
			if (cs_source_read_file(sysroot, defaults[i], 1 << 20, &text, &len, NULL) < 0)
				continue;
			/* look at OPTIONS=/DOCKER_OPTS= lines */
			char *save = NULL;
			for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
				while (isspace((unsigned char)*l))
					l++;
				if (*l == '#')
					continue;
				if (cs_str_startswith(l, "DOCKER_OPTS=") || cs_str_startswith(l, "OPTIONS=")) {
					char *fv = flag_value(strchr(l, '=') + 1);
					if (fv) {
						size_t fl = strlen(fv);
						if (fl && (fv[fl - 1] == '"' || fv[fl - 1] == '\''))
							fv[fl - 1] = '\0';
						found = fv;
						origin = cs_xasprintf("dockerd options in %s", defaults[i]);
					}
				}
			}
			free(text);
		}
	}
	if (!found) {
		found = cs_xstrdup("/var/lib/docker");
		origin = cs_xstrdup("the default location");
	}
	*ret_host_path = found;
	if (ret_origin)
		*ret_origin = origin;
	else
		free(origin);
	return 0;
}
