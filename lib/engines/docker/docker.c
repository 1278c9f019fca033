/* docker.c - the Docker reader's entry points and shared helpers.
 *
 * cs_docker_load() reads images first (containers refer to them), then
 * containers, then volumes. Each reader treats damage as per-item: a file
 * that cannot be read or parsed costs the item it describes, which is kept
 * with `incomplete` set and its problems listed; the load as a whole fails
 * only when the data root cannot be read at all.
 */
#include "engines/docker/docker_internal.h"
#include "formats/unitfile.h"

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
	for (size_t i = 0; i < dr->n_volumes; i++)
		if (!dr->volumes[i].host_path)
			dr->volumes[i].host_path =
				cs_xasprintf("%s/volumes/%s/_data", dr->host_path, dr->volumes[i].name);
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

int cs_docker_load(cs_source *src, const cs_load_opts *o, cs_dataroot **ret, cs_error *e)
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
	dr->engine = cs_engine_docker.name;
	dr->ops = &cs_engine_docker;
	if (o && o->host_path)
		dr->host_path = cs_xstrdup(o->host_path);
	dk_ctx c = {.src = src, .dr = dr, .diag = o ? o->diag : NULL,
		    .diag_ud = o ? o->diag_userdata : NULL, .listing = o && o->listing};

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
	/* a listing reads the containers' own files only (issue: lazy ps) */
	if (has_i && !c.listing)
		dk_load_images(&c);
	if (has_g && !c.listing)
		dk_load_legacy_images(&c);
	if (has_c)
		dk_load_containers(&c);
	if (!c.listing)
		dk_load_volumes(&c);
	infer_host_path(dr);
	dk_snapshot_refs(&c);
	if (dr->n_containers > 1)
		qsort(dr->containers, dr->n_containers, sizeof(cs_container), cmp_container);
	if (dr->n_images > 1)
		qsort(dr->images, dr->n_images, sizeof(cs_image), cmp_image);
	cs_dataroot_seal(dr);
	cs_strv_free(c.ov2_links);
	cs_strv_free(c.ov2_ids);
	cs_strmap_free(&c.layers, dk_layer_free);
	cs_strmap_free(&c.links, free);
	cs_strmap_free(&c.dirs_seen, NULL);
	*ret = dr;
	return 0;
}

void dk_snapshot_refs(dk_ctx *c)
{
	cs_dataroot *dr = c->dr;
	/* userns-remap roots are <root>/<uid>.<gid>, their namespace moby-<uid>.<gid>
	 * (moby daemon/daemon.go) */
	const char *base = strrchr(dr->path, '/');
	base = base ? base + 1 : dr->path;
	unsigned uid, gid;
	char tail;
	bool remap = sscanf(base, "%u.%u%c", &uid, &gid, &tail) == 2;
	/* the host's "/" inside the evidence, when the data root's two names agree */
	char *prefix = NULL;
	const char *h = dr->host_path && dr->host_path[0] == '/' ? dr->host_path + 1 : NULL;
	size_t hl = h ? strlen(h) : 0, pl = strlen(dr->path);
	if (h && hl && pl >= hl && strcmp(dr->path + pl - hl, h) == 0 && (pl == hl || dr->path[pl - hl - 1] == '/'))
		prefix = cs_xstrndup(dr->path, pl - hl);
	for (size_t i = 0; i < dr->n_containers; i++) {
		cs_container *ct = &dr->containers[i];
		if (ct->snapshot_namespace)
			continue;
		/* every container: dockerd keeps a runtime record in containerd
		 * while it runs; with the containerd store, its snapshots too */
		ct->snapshot_namespace = remap ? cs_xasprintf("moby-%u.%u", uid, gid) : cs_xstrdup("moby");
		/* dockerd's own containerd, then the system one (used when its
		 * socket was there at start: daemon/command/daemon.go) */
		size_t n = 0;
		ct->snapshot_roots = cs_xcalloc(4, sizeof(char *));
		ct->snapshot_roots[n++] = dk_path(c, "containerd/daemon");
		if (remap) {
			_cleanup_free_ char *parent = cs_xstrndup(dr->path, (size_t)(base - dr->path));
			ct->snapshot_roots[n++] = cs_xasprintf("%scontainerd/daemon", parent);
		}
		if (prefix)
			ct->snapshot_roots[n++] = cs_xasprintf("%svar/lib/containerd", prefix);
	}
	free(prefix);
}

/* --- locating the data root on a mounted host filesystem --- */

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
	static const char *const flags[] = {"--data-root", "--graph", "-g"};
	char *exec = NULL, *exec_file = NULL;
	cs_unit_exec_start(sysroot, "docker.service", &exec, &exec_file);
	char *v = exec ? cs_cmdline_flag(exec, flags, CS_ARRAY_SIZE(flags)) : NULL;
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
					char *fv = cs_cmdline_flag(strchr(l, '=') + 1, flags, CS_ARRAY_SIZE(flags));
					if (fv) {
						size_t fl = strlen(fv);
						if (fl && (fv[fl - 1] == '"' || fv[fl - 1] == '\''))
							fv[fl - 1] = '\0';
						if (!*fv) {
							free(fv);
							continue;
						}
						/* the last such line wins */
						free(found);
						free(origin);
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

/* --- the engine table --- */

static int docker_probe(cs_source *src, const char *path)
{
	static const char *const marks[] = {"containers", "image", "graph"};
	int bid = 0;
	for (size_t i = 0; i < CS_ARRAY_SIZE(marks); i++) {
		_cleanup_free_ char *p = cs_path_join(path, marks[i]);
		cs_stat st;
		if (cs_source_stat(src, p, false, &st, NULL) == 0 && S_ISDIR(st.mode))
			bid += 30;
	}
	return bid;
}

static int docker_locate(cs_source *sysroot, cs_engine_roots *out, cs_error *e)
{
	char *host = NULL, *origin = NULL;
	int r = cs_docker_locate(sysroot, &host, &origin, e);
	if (r < 0)
		return r;
	cs_engine_roots_add(out, &cs_engine_docker, host + strspn(host, "/"), host, origin);
	free(host);
	free(origin);
	return 0;
}

const cs_engine cs_engine_docker = {
	.name = "docker",
	.what = "Docker data root",
	.probe = docker_probe,
	.locate = docker_locate,
	.load = cs_docker_load,
	.inspect = cs_docker_inspect,
};
