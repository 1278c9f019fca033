/* pm_inspect.c - `podman inspect`'s shapes, rebuilt from the evidence.
 *
 * A container is shown as Podman 4's InspectContainerData
 * (libpod/container_inspect.go): the libpod config and state give the
 * identity, state, paths and options; the OCI spec is the one Podman would
 * read (userdata/config.json, written at the last start, else the spec
 * stored in the config); GraphDriver comes from the layer stack csleuth
 * followed. Values Podman asks the running system for (network settings,
 * resource usage) are left out. CRI-O's containers, which have no libpod
 * record, show their storage record and spec. An image is shown as
 * `podman image inspect` does (libimage/inspect.go). "Csleuth" adds the
 * evidence files, problems, the id mappings of rootless stores, exec
 * sessions and whether the container was running when the host went down.
 */
#include <stdio.h>
#include <string.h>

#include "engines/podman/pm_internal.h"
#include "formats/jsonutil.h"
#include "render/render.h"
#include "render/render_internal.h"

static json_object *gotime(cs_time t)
{
	char buf[CS_TIME_STRMAX];
	if (t == CS_TIME_NEVER || !cs_time_format_go(t, buf))
		return json_object_new_string("0001-01-01T00:00:00Z");
	return json_object_new_string(buf);
}

static json_object *copy(json_object *o)
{
	json_object *d = NULL;
	if (!o || json_object_deep_copy(o, &d, NULL) != 0)
		return NULL;
	return d;
}

static json_object *str_or_empty(json_object *o, const char *k)
{
	const char *s = cs_json_str(o, k);
	return json_object_new_string(s ? s : "");
}

static json_object *strv_or_empty(json_object *o)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; o && json_object_is_type(o, json_type_array) && i < json_object_array_length(o); i++) {
		json_object *x = json_object_array_get_idx(o, i);
		if (json_object_is_type(x, json_type_string))
			json_object_array_add(a, json_object_new_string(json_object_get_string(x)));
	}
	return a;
}

/* The host path of an evidence path inside the store. Owned. */
static char *host_of(const pm_store *st, const char *ev)
{
	size_t pl = strlen(st->path);
	if (!ev)
		return cs_xstrdup("");
	if (pl == 0)
		return cs_xasprintf("%s/%s", st->host_path, ev);
	if (strncmp(ev, st->path, pl) == 0 && (ev[pl] == '/' || ev[pl] == '\0'))
		return cs_xasprintf("%s%s", st->host_path, ev + pl);
	return cs_xstrdup(ev);
}

static json_object *sources(const cs_evfiles *ev)
{
	json_object *o = json_object_new_object();
	for (size_t i = 0; i < ev->n; i++)
		json_object_object_add(o, ev->v[i].role, json_object_new_string(ev->v[i].path));
	return o;
}

static json_object *idmap_json(const cs_idmap *m, char kind)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < m->n; i++) {
		if (m->v[i].kind != kind)
			continue;
		json_object *x = json_object_new_object();
		json_object_object_add(x, "ContainerID", json_object_new_int64(m->v[i].ns_id));
		json_object_object_add(x, "HostID", json_object_new_int64(m->v[i].host_id));
		json_object_object_add(x, "Size", json_object_new_int64(m->v[i].count));
		json_object_array_add(a, x);
	}
	return a;
}

static json_object *csleuth_object(const cs_dataroot *dr, const char *engine, const char *ns, const cs_evfiles *ev,
				   bool incomplete, const cs_problems *p)
{
	const pm_store *st = dr->engine_data;
	json_object *o = json_object_new_object();
	json_object_object_add(o, "Engine", json_object_new_string(engine));
	json_object_object_add(o, "Namespace", cs_jstr(ns));
	json_object_object_add(o, "Root", json_object_new_string(dr->host_path ? dr->host_path : ""));
	if (st->have_db) {
		json_object_object_add(o, "Database", cs_jstr(st->db.file));
		json_object_object_add(o, "DatabaseKind", cs_jstr(st->db.kind));
		if (st->db.sqlnote)
			json_object_object_add(o, "DatabaseNote", json_object_new_string(st->db.sqlnote));
	}
	json_object_object_add(o, "Sources", sources(ev));
	json_object_object_add(o, "Incomplete", json_object_new_boolean(incomplete));
	json_object_object_add(o, "Problems", cs_jproblems(p));
	return o;
}

/* The OCI spec Podman would show: userdata/config.json, else the stored one. */
static json_object *spec_of(const pm_store *st, const cs_container *ct, json_object *cfg, char **ret_path)
{
	*ret_path = NULL;
	if (ct->dir) {
		char *p = cs_xasprintf("%s/userdata/config.json", ct->dir);
		json_object *j = NULL;
		if (cs_json_load(st->src, p, CS_PM_MAX_SMALL, &j, NULL, NULL) == 0 &&
		    json_object_is_type(j, json_type_object)) {
			*ret_path = p;
			return j;
		}
		json_object_put(j);
		free(p);
	}
	return copy(cs_json_get_obj(cfg, "spec"));
}

/* Podman's state names (libpod/define/containerstate.go); configured is
 * shown as created. */
static const char *state_name(int64_t s)
{
	static const char *const n[] = {"unknown", "created", "created", "running", "stopped",
					"paused",  "exited",  "removing", "stopping"};
	return s >= 0 && s < (int64_t)CS_ARRAY_SIZE(n) ? n[s] : "unknown";
}

/* "2kB": Go's units.HumanSize (decimal, 4 significant digits). */
static json_object *human_size(int64_t v)
{
	static const char *const u[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
	double x = (double)v;
	size_t i = 0;
	while (x >= 1000.0 && i + 1 < CS_ARRAY_SIZE(u)) {
		x /= 1000.0;
		i++;
	}
	char buf[48];
	snprintf(buf, sizeof(buf), "%.4g%s", x, u[i]);
	return json_object_new_string(buf);
}

static json_object *graph_driver(const pm_store *st, const cs_layer_stack *s, const char *merged)
{
	json_object *g = json_object_new_object();
	json_object_object_add(g, "Name", cs_jstr(s->driver ? s->driver : st->driver));
	if (!s->driver || strcmp(s->driver, "overlay") != 0 || s->n == 0) {
		json_object_object_add(g, "Data", NULL);
		return g;
	}
	json_object *d = json_object_new_object();
	cs_buf lower = {0};
	for (size_t i = 1; i < s->n; i++) {
		_cleanup_free_ char *h = host_of(st, s->v[i].path);
		(void)cs_buf_printf(&lower, "%s%s", i > 1 ? ":" : "", h);
	}
	if (lower.len)
		json_object_object_add(d, "LowerDir", json_object_new_string(lower.data));
	cs_buf_free(&lower);
	if (merged && *merged)
		json_object_object_add(d, "MergedDir", json_object_new_string(merged));
	_cleanup_free_ char *up = host_of(st, s->v[0].path);
	json_object_object_add(d, "UpperDir", json_object_new_string(up));
	if (cs_str_endswith(up, "/diff")) {
		_cleanup_free_ char *w = cs_xasprintf("%.*s/work", (int)(strlen(up) - 5), up);
		json_object_object_add(d, "WorkDir", json_object_new_string(w));
	}
	json_object_object_add(g, "Data", d);
	return g;
}

/* options without rw/ro and the propagation, as Podman lists them */
static void split_options(json_object *opts, json_object **ret_opts, const char **ret_prop, bool *ret_rw)
{
	json_object *a = json_object_new_array();
	*ret_prop = "";
	*ret_rw = true;
	static const char *const props[] = {"rprivate", "private", "rshared", "shared", "rslave", "slave"};
	for (size_t i = 0; opts && json_object_is_type(opts, json_type_array) && i < json_object_array_length(opts);
	     i++) {
		const char *o = json_object_get_string(json_object_array_get_idx(opts, i));
		if (!o)
			continue;
		if (strcmp(o, "rw") == 0)
			continue;
		if (strcmp(o, "ro") == 0) {
			*ret_rw = false;
			continue;
		}
		bool prop = false;
		for (size_t k = 0; k < CS_ARRAY_SIZE(props); k++)
			if (strcmp(o, props[k]) == 0) {
				*ret_prop = props[k];
				prop = true;
			}
		if (!prop)
			json_object_array_add(a, json_object_new_string(o));
	}
	*ret_opts = a;
}

static char *join_opts(json_object *opts)
{
	cs_buf b = {0};
	(void)cs_buf_puts(&b, "");
	for (size_t i = 0; opts && json_object_is_type(opts, json_type_array) && i < json_object_array_length(opts);
	     i++) {
		const char *o = json_object_get_string(json_object_array_get_idx(opts, i));
		(void)cs_buf_printf(&b, "%s%s", i ? "," : "", o ? o : "");
	}
	return cs_buf_steal(&b);
}

static void mounts_and_binds(const pm_store *st, const cs_container *ct, json_object *cfg, json_object *spec,
			     json_object *out, json_object *binds)
{
	json_object *named = cs_json_get_arr(cfg, "namedVolumes");
	for (size_t i = 0; named && i < json_object_array_length(named); i++) {
		json_object *v = json_object_array_get_idx(named, i);
		const char *name = cs_json_str(v, "volumeName"), *dest = cs_json_str(v, "dest");
		if (!name || !dest)
			continue;
		json_object *opts = cs_json_get_arr(v, "options");
		json_object *m = json_object_new_object(), *o;
		const char *prop;
		bool rw;
		split_options(opts, &o, &prop, &rw);
		const char *src = NULL;
		for (size_t k = 0; k < ct->n_mounts; k++)
			if (ct->mounts[k].type == CS_MOUNT_VOLUME && ct->mounts[k].name && strcmp(ct->mounts[k].name, name) == 0)
				src = ct->mounts[k].source;
		json_object_object_add(m, "Type", json_object_new_string("volume"));
		json_object_object_add(m, "Name", json_object_new_string(name));
		json_object_object_add(m, "Source", json_object_new_string(src ? src : ""));
		json_object_object_add(m, "Destination", json_object_new_string(dest));
		json_object_object_add(m, "Driver", json_object_new_string("local"));
		json_object_object_add(m, "Mode", json_object_new_string(""));
		json_object_object_add(m, "Options", o);
		json_object_object_add(m, "RW", json_object_new_boolean(rw));
		json_object_object_add(m, "Propagation", json_object_new_string(prop));
		json_object_array_add(out, m);
		_cleanup_free_ char *jo = join_opts(opts);
		char *b = cs_xasprintf("%s:%s:%s", name, dest, jo);
		json_object_array_add(binds, json_object_new_string(b));
		free(b);
	}
	json_object *uv = cs_json_get_arr(cfg, "userVolumes");
	json_object *sm = cs_json_get_arr(spec, "mounts");
	for (size_t i = 0; sm && i < json_object_array_length(sm); i++) {
		json_object *x = json_object_array_get_idx(sm, i);
		const char *dest = cs_json_str(x, "destination"), *type = cs_json_str(x, "type");
		bool user = false;
		for (size_t k = 0; dest && uv && k < json_object_array_length(uv) && !user; k++) {
			const char *u = json_object_get_string(json_object_array_get_idx(uv, k));
			user = u && strcmp(u, dest) == 0;
		}
		if (!user || !type || strcmp(type, "bind") != 0)
			continue;
		bool is_named = false;
		for (size_t k = 0; named && k < json_object_array_length(named) && !is_named; k++) {
			const char *d = cs_json_str(json_object_array_get_idx(named, k), "dest");
			is_named = d && strcmp(d, dest) == 0;
		}
		if (is_named)
			continue;
		json_object *opts = cs_json_get_arr(x, "options");
		json_object *m = json_object_new_object(), *o;
		const char *prop;
		bool rw;
		split_options(opts, &o, &prop, &rw);
		const char *src = cs_json_str(x, "source");
		json_object_object_add(m, "Type", json_object_new_string("bind"));
		json_object_object_add(m, "Source", json_object_new_string(src ? src : ""));
		json_object_object_add(m, "Destination", json_object_new_string(dest));
		json_object_object_add(m, "Driver", json_object_new_string(""));
		json_object_object_add(m, "Mode", json_object_new_string(""));
		json_object_object_add(m, "Options", o);
		json_object_object_add(m, "RW", json_object_new_boolean(rw));
		json_object_object_add(m, "Propagation", json_object_new_string(prop));
		json_object_array_add(out, m);
		_cleanup_free_ char *jo = join_opts(opts);
		char *b = cs_xasprintf("%s:%s:%s", src ? src : "", dest, jo);
		json_object_array_add(binds, json_object_new_string(b));
		free(b);
	}
	(void)st;
}

static const pm_lctr *lctr_of(const pm_store *st, const char *id)
{
	void *p = cs_strmap_get(&st->db.ctr_by_id, id);
	return p ? &st->db.ctrs[(uintptr_t)p - 1] : NULL;
}

/* Go's nil slice: null when there are none */
static json_object *caps(json_object *spec, const char *which)
{
	json_object *p = cs_json_get_obj(spec, "process");
	json_object *cp = cs_json_get_obj(p, "capabilities");
	json_object *a = cs_json_get_arr(cp, which);
	return a && json_object_array_length(a) ? strv_or_empty(a) : NULL;
}

static const cs_container *ct_by_id(const cs_dataroot *dr, const char *id)
{
	for (size_t i = 0; id && i < dr->n_containers; i++)
		if (strcmp(dr->containers[i].id, id) == 0)
			return &dr->containers[i];
	return NULL;
}

/* libpod's Container.Hostname(): the UTS namespace container's, else the
 * stored spec's, else the first 12 hex of the id. */
static char *hostname_of(const cs_dataroot *dr, const cs_container *ct, int depth)
{
	json_object *cfg = NULL;
	if (!ct->config_json || cs_json_parse(ct->config_json, strlen(ct->config_json), &cfg, NULL) < 0)
		return cs_xstrndup(ct->id, 12);
	char *h = NULL;
	const char *uts = cs_json_str(cfg, "utsNsCtr");
	const cs_container *u = uts && depth < 8 ? ct_by_id(dr, uts) : NULL;
	if (u)
		h = hostname_of(dr, u, depth + 1);
	const char *sh = cs_json_str(cs_json_get_obj(cfg, "spec"), "hostname");
	if (!h && sh && *sh)
		h = cs_xstrdup(sh);
	if (!h)
		h = cs_xstrndup(ct->id, 12);
	json_object_put(cfg);
	return h;
}

static json_object *exec_sessions(json_object *state)
{
	json_object *a = json_object_new_array();
	json_object *ex = cs_json_get_obj(state, "newExecSessions");
	if (!ex)
		ex = cs_json_get_obj(state, "execSessions");
	if (!ex)
		return a;
	json_object_object_foreach(ex, k, v)
	{
		json_object *o = json_object_new_object();
		json_object_object_add(o, "ID", json_object_new_string(k));
		json_object_object_add(o, "State", copy(cs_json_get(v, "state")));
		json_object_object_add(o, "Pid", copy(cs_json_get(v, "pid")));
		json_object_object_add(o, "Command", copy(cs_json_get(cs_json_get_obj(v, "config"), "command")));
		json_object_array_add(a, o);
	}
	return a;
}

static char *inspect_container(const cs_dataroot *dr, const cs_container *ct)
{
	const pm_store *st = dr->engine_data;
	const pm_lctr *l = lctr_of(st, ct->id);
	json_object *cfg = NULL, *state = NULL;
	if (l && ct->config_json)
		(void)cs_json_parse(ct->config_json, strlen(ct->config_json), &cfg, NULL);
	if (l && ct->status_json)
		(void)cs_json_parse(ct->status_json, strlen(ct->status_json), &state, NULL);
	char *spec_path = NULL;
	json_object *spec = NULL;
	if (l)
		spec = spec_of(st, ct, cfg, &spec_path);
	else if (ct->config_json)
		(void)cs_json_parse(ct->config_json, strlen(ct->config_json), &spec, NULL);
	cs_evfiles ev = {0};
	for (size_t i = 0; i < ct->evidence.n; i++)
		cs_evfiles_add(&ev, ct->evidence.v[i].role, ct->evidence.v[i].path);
	if (spec_path)
		cs_evfiles_add(&ev, "OCI spec", spec_path);
	free(spec_path);
	json_object *o = json_object_new_object();
	json_object_object_add(o, "Id", json_object_new_string(ct->id));
	json_object_object_add(o, "Created", gotime(ct->created));
	json_object_object_add(o, "Path", json_object_new_string(ct->path ? ct->path : ""));
	json_object *args = json_object_new_array();
	for (char **a = ct->args; a && *a; a++)
		json_object_array_add(args, json_object_new_string(*a));
	json_object_object_add(o, "Args", args);
	json_object *s = json_object_new_object();
	json_object_object_add(s, "OciVersion", str_or_empty(spec, "ociVersion"));
	int64_t code = cs_json_i64(state, "state", 0);
	json_object_object_add(s, "Status", json_object_new_string(l ? state_name(code) : "unknown"));
	json_object_object_add(s, "Running", json_object_new_boolean(code == 3));
	json_object_object_add(s, "Paused", json_object_new_boolean(code == 5));
	json_object_object_add(s, "Restarting", json_object_new_boolean(false));
	json_object_object_add(s, "OOMKilled", json_object_new_boolean(ct->state.oom_killed));
	json_object_object_add(s, "Dead", json_object_new_boolean(false));
	json_object_object_add(s, "Pid", json_object_new_int64(ct->state.pid));
	int64_t conmon = cs_json_i64(state, "conmonPid", 0);
	if (conmon)
		json_object_object_add(s, "ConmonPid", json_object_new_int64(conmon));
	json_object_object_add(s, "ExitCode", json_object_new_int64(ct->state.exit_code));
	json_object_object_add(s, "Error", str_or_empty(state, "error"));
	json_object_object_add(s, "StartedAt", gotime(ct->state.started_at));
	json_object_object_add(s, "FinishedAt", gotime(ct->state.finished_at));
	json_object *h = json_object_new_object();
	json_object_object_add(h, "Status", json_object_new_string(""));
	json_object_object_add(h, "FailingStreak", json_object_new_int(0));
	json_object_object_add(h, "Log", NULL);
	json_object_object_add(s, "Health", h);
	static const char *const cr[][2] = {{"checkpointedTime", "CheckpointedAt"}, {"restoredTime", "RestoredAt"}};
	for (size_t i = 0; i < CS_ARRAY_SIZE(cr); i++) {
		cs_time t = CS_TIME_NEVER;
		const char *v = cs_json_str(state, cr[i][0]);
		if (v)
			(void)cs_time_parse(v, &t);
		json_object_object_add(s, cr[i][1], gotime(t));
	}
	json_object_object_add(o, "State", s);
	json_object_object_add(o, "Image", json_object_new_string(ct->image_id ? ct->image_id : ""));
	const pm_image *im = pm_image_get(st, ct->image_id);
	json_object_object_add(o, "ImageDigest", json_object_new_string(im && im->digest ? im->digest : ""));
	json_object_object_add(o, "ImageName", json_object_new_string(ct->image_ref ? ct->image_ref : ""));
	json_object_object_add(o, "Rootfs", str_or_empty(cfg, "rootfs"));
	json_object_object_add(o, "Pod", json_object_new_string(ct->pod && l ? ct->pod->uid : ""));
	json_object *bm = cs_json_get_obj(state, "bindMounts");
	json_object_object_add(o, "ResolvConfPath", str_or_empty(bm, "/etc/resolv.conf"));
	json_object_object_add(o, "HostnamePath", str_or_empty(bm, "/etc/hostname"));
	json_object_object_add(o, "HostsPath", str_or_empty(bm, "/etc/hosts"));
	json_object_object_add(o, "StaticDir", str_or_empty(cfg, "staticDir"));
	const char *cp = cs_json_str(state, "configPath");
	if (cp && *cp)
		json_object_object_add(o, "OCIConfigPath", json_object_new_string(cp));
	json_object_object_add(o, "OCIRuntime", str_or_empty(cfg, "runtime"));
	json_object_object_add(o, "ConmonPidFile", str_or_empty(cfg, "conmonPidFile"));
	json_object_object_add(o, "PidFile", str_or_empty(cfg, "pid_file"));
	json_object_object_add(o, "Name", json_object_new_string(ct->name ? ct->name : ""));
	json_object_object_add(o, "RestartCount", json_object_new_int64(ct->restart_count));
	json_object_object_add(o, "Driver", json_object_new_string(ct->driver ? ct->driver : st->driver));
	json_object_object_add(o, "MountLabel", str_or_empty(cfg, "MountLabel"));
	json_object_object_add(o, "ProcessLabel", str_or_empty(cfg, "ProcessLabel"));
	json_object_object_add(o, "AppArmorProfile",
			       str_or_empty(cs_json_get_obj(spec, "process"), "apparmorProfile"));
	json_object_object_add(o, "EffectiveCaps", caps(spec, "effective"));
	json_object_object_add(o, "BoundingCaps", caps(spec, "bounding"));
	json_object *ex = json_object_new_array();
	if (l)
		for (char **e = l->execs; e && *e; e++)
			json_object_array_add(ex, json_object_new_string(*e));
	json_object_object_add(o, "ExecIDs", ex);
	const char *merged = cs_json_bool(state, "mounted") ? cs_json_str(state, "mountPoint") : NULL;
	json_object_object_add(o, "GraphDriver", graph_driver(st, &ct->layers, merged));
	json_object *mounts = json_object_new_array(), *binds = json_object_new_array();
	if (l)
		mounts_and_binds(st, ct, cfg, spec, mounts, binds);
	json_object_object_add(o, "Mounts", mounts);
	json_object *deps = json_object_new_array();
	if (l)
		for (char **d = l->deps; d && *d; d++)
			json_object_array_add(deps, json_object_new_string(*d));
	json_object_object_add(o, "Dependencies", deps);
	json_object_object_add(o, "Namespace", str_or_empty(cfg, "namespace"));
	json_object_object_add(o, "IsInfra", json_object_new_boolean(cs_json_bool(cfg, "pause")));
	json_object_object_add(o, "IsService", json_object_new_boolean(cs_json_bool(cfg, "isService")));
	/* Config */
	json_object *c = json_object_new_object();
	json_object *proc = cs_json_get_obj(spec, "process");
	if (l) {
		char *hn = hostname_of(dr, ct, 0);
		json_object_object_add(c, "Hostname", json_object_new_string(hn));
		free(hn);
	} else {
		json_object_object_add(c, "Hostname", str_or_empty(spec, "hostname"));
	}
	json_object_object_add(c, "Domainname", json_object_new_string(""));
	json_object_object_add(c, "User", str_or_empty(cfg, "user"));
	json_object_object_add(c, "AttachStdin", json_object_new_boolean(false));
	json_object_object_add(c, "AttachStdout", json_object_new_boolean(false));
	json_object_object_add(c, "AttachStderr", json_object_new_boolean(false));
	json_object_object_add(c, "Tty", json_object_new_boolean(cs_json_bool(proc, "terminal")));
	json_object_object_add(c, "OpenStdin", json_object_new_boolean(cs_json_bool(cfg, "stdin")));
	json_object_object_add(c, "StdinOnce", json_object_new_boolean(false));
	json_object_object_add(c, "Env", strv_or_empty(cs_json_get_arr(proc, "env")));
	json_object *cmd = cs_json_get_arr(cfg, "command");
	json_object_object_add(c, "Cmd", cmd ? strv_or_empty(cmd) : NULL);
	json_object_object_add(c, "Image", json_object_new_string(ct->image_ref ? ct->image_ref : ""));
	json_object_object_add(c, "Volumes", NULL);
	json_object_object_add(c, "WorkingDir", str_or_empty(proc, "cwd"));
	json_object *ep = cs_json_get_arr(cfg, "entrypoint");
	_cleanup_free_ char *eps = NULL;
	{
		cs_buf b = {0};
		(void)cs_buf_puts(&b, "");
		for (size_t i = 0; ep && i < json_object_array_length(ep); i++) {
			const char *x = json_object_get_string(json_object_array_get_idx(ep, i));
			(void)cs_buf_printf(&b, "%s%s", i ? " " : "", x ? x : "");
		}
		eps = cs_buf_steal(&b);
	}
	json_object_object_add(c, "Entrypoint", json_object_new_string(eps));
	json_object_object_add(c, "OnBuild", NULL);
	json_object_object_add(c, "Labels", copy(cs_json_get_obj(cfg, "labels")));
	json_object_object_add(c, "Annotations", copy(cs_json_get_obj(spec, "annotations")));
	json_object_object_add(c, "StopSignal", json_object_new_int64(cs_json_i64(cfg, "stopSignal", 0)));
	json_object_object_add(c, "CreateCommand", copy(cs_json_get_arr(cfg, "CreateCommand")));
	json_object_object_add(c, "Umask", str_or_empty(cfg, "umask"));
	json_object_object_add(c, "Timeout", json_object_new_int64(cs_json_i64(cfg, "timeout", 0)));
	json_object_object_add(c, "StopTimeout", json_object_new_int64(cs_json_i64(cfg, "stopTimeout", 0)));
	json_object_object_add(c, "Passwd", json_object_new_boolean(cs_json_bool(cfg, "passwd")));
	json_object_object_add(o, "Config", c);
	/* HostConfig */
	json_object *hc = json_object_new_object();
	json_object_object_add(hc, "Binds", binds);
	json_object_object_add(hc, "CgroupManager", str_or_empty(cfg, "cgroupManager"));
	json_object *lc = json_object_new_object();
	json_object_object_add(lc, "Type", json_object_new_string(ct->log_driver ? ct->log_driver : ""));
	json_object_object_add(lc, "Config", NULL);
	json_object_object_add(lc, "Path", json_object_new_string(ct->log_path ? ct->log_path : ""));
	json_object_object_add(lc, "Tag", str_or_empty(cfg, "logTag"));
	json_object_object_add(lc, "Size", human_size(ct->log_max_size));
	json_object_object_add(hc, "LogConfig", lc);
	json_object *rp = json_object_new_object();
	json_object_object_add(rp, "Name", str_or_empty(cfg, "restartPolicy"));
	json_object_object_add(rp, "MaximumRetryCount", json_object_new_int64(cs_json_i64(cfg, "restartRetries", 0)));
	json_object_object_add(hc, "RestartPolicy", rp);
	const char *ar = cs_json_str(cs_json_get_obj(spec, "annotations"), "io.podman.annotations.autoremove");
	json_object_object_add(hc, "AutoRemove", json_object_new_boolean(ar && strcmp(ar, "TRUE") == 0));
	json_object_object_add(hc, "Privileged", json_object_new_boolean(cs_json_bool(cfg, "privileged")));
	json_object_object_add(hc, "ShmSize", json_object_new_int64(cs_json_i64(cfg, "shmSize", 0)));
	json_object_object_add(o, "HostConfig", hc);
	/* csleuth's own */
	json_object *x = csleuth_object(dr, ct->engine, ct->namespace, &ev, ct->incomplete, &ct->problems);
	json_object_object_add(x, "RunningWhenSeized", json_object_new_boolean(ct->state.running));
	json_object_object_add(x, "StateUnknown", json_object_new_boolean(ct->state_unknown));
	bool vol = false;
	for (size_t i = 0; i < st->n_sctrs; i++)
		if (strcmp(st->sctrs[i].id, ct->id) == 0)
			vol = st->sctrs[i].is_volatile;
	json_object_object_add(x, "Volatile", json_object_new_boolean(vol));
	json_object_object_add(x, "VolatileDirtyMarker", json_object_new_boolean(ct->upper_torn));
	json_object_object_add(x, "UpperMayBeTorn", json_object_new_boolean(ct->upper_torn && ct->state.running));
	if (ct->idmap.n) {
		json_object *m = json_object_new_object();
		json_object_object_add(m, "UidMap", idmap_json(&ct->idmap, 'u'));
		json_object_object_add(m, "GidMap", idmap_json(&ct->idmap, 'g'));
		json_object_object_add(x, "IdMappings", m);
	}
	if (state)
		json_object_object_add(x, "ExecSessions", exec_sessions(state));
	if (ct->pod) {
		json_object *p = json_object_new_object();
		json_object_object_add(p, "Name", cs_jstr(ct->pod->name));
		json_object_object_add(p, "Namespace", cs_jstr(ct->pod->namespace));
		json_object_object_add(p, "UID", cs_jstr(ct->pod->uid));
		json_object_object_add(p, "SandboxID", cs_jstr(ct->sandbox_id));
		json_object_object_add(x, "Pod", p);
	}
	if (!l && ct->status_json) {
		json_object *md = NULL;
		if (cs_json_parse(ct->status_json, strlen(ct->status_json), &md, NULL) == 0)
			json_object_object_add(x, "StorageMetadata", md);
	}
	json_object_object_add(o, "Csleuth", x);
	for (size_t i = 0; i < ev.n; i++) {
		free(ev.v[i].role);
		free(ev.v[i].path);
	}
	free(ev.v);
	json_object_put(cfg);
	json_object_put(state);
	json_object_put(spec);
	return cs_jfinish(o, true);
}

/* The OCI ImageConfig fields (omitempty), as libimage converts a config. */
static json_object *oci_image_config(json_object *c)
{
	static const char *const keys[] = {"User", "ExposedPorts", "Env", "Entrypoint", "Cmd", "Volumes",
					   "WorkingDir", "Labels", "StopSignal", "ArgsEscaped"};
	json_object *o = json_object_new_object();
	for (size_t i = 0; i < CS_ARRAY_SIZE(keys); i++) {
		json_object *v = cs_json_get(c, keys[i]);
		if (!v)
			continue;
		bool empty = (json_object_is_type(v, json_type_string) && !*json_object_get_string(v)) ||
			     (json_object_is_type(v, json_type_array) && json_object_array_length(v) == 0) ||
			     (json_object_is_type(v, json_type_object) && json_object_object_length(v) == 0) ||
			     (json_object_is_type(v, json_type_boolean) && !json_object_get_boolean(v));
		if (!empty)
			json_object_object_add(o, keys[i], copy(v));
	}
	return o;
}

/* containers/image manifest.GuessMIMEType, for the cases a store holds. */
static const char *manifest_type(json_object *m)
{
	const char *mt = cs_json_str(m, "mediaType");
	if (mt && *mt)
		return mt;
	if (!m)
		return "";
	if (cs_json_i64(m, "schemaVersion", 0) == 1)
		return cs_json_get(m, "signatures") ? "application/vnd.docker.distribution.manifest.v1+prettyjws"
						    : "application/vnd.docker.distribution.manifest.v1+json";
	if (cs_json_get_arr(m, "manifests"))
		return "application/vnd.oci.image.index.v1+json";
	const char *cmt = cs_json_str(cs_json_get_obj(m, "config"), "mediaType");
	if (cmt && strcmp(cmt, "application/vnd.docker.container.image.v1+json") == 0)
		return "application/vnd.docker.distribution.manifest.v2+json";
	if (cs_json_get_obj(m, "config"))
		return "application/vnd.oci.image.manifest.v1+json";
	return "";
}

static char *inspect_image(const cs_dataroot *dr, const cs_image *im)
{
	const pm_store *st = dr->engine_data;
	const pm_image *r = pm_image_get(st, im->id);
	json_object *cfg = NULL;
	if (im->config_json)
		(void)cs_json_parse(im->config_json, strlen(im->config_json), &cfg, NULL);
	json_object *man = NULL;
	const char *mp = NULL;
	for (size_t i = 0; i < im->evidence.n; i++)
		if (strcmp(im->evidence.v[i].role, "manifest") == 0)
			mp = im->evidence.v[i].path;
	if (mp)
		(void)cs_json_load(st->src, mp, CS_PM_MAX_SMALL, &man, NULL, NULL);
	json_object *o = json_object_new_object();
	json_object_object_add(o, "Id", json_object_new_string(im->id));
	json_object_object_add(o, "Digest", json_object_new_string(r && r->digest ? r->digest : ""));
	json_object_object_add(o, "RepoTags", cs_jstrv(im->tags));
	json_object_object_add(o, "RepoDigests", cs_jstrv(im->digests));
	json_object_object_add(o, "Parent", json_object_new_string(im->parent ? im->parent : ""));
	const char *comment = cs_json_str(cfg, "comment");
	json_object *hist = cs_json_get_arr(cfg, "history");
	if (!comment && hist && json_object_array_length(hist) > 0)
		comment = cs_json_str(json_object_array_get_idx(hist, 0), "comment");
	json_object_object_add(o, "Comment", json_object_new_string(comment ? comment : ""));
	cs_time created = CS_TIME_NEVER;
	const char *cs = cs_json_str(cfg, "created");
	if (cs)
		(void)cs_time_parse(cs, &created);
	json_object_object_add(o, "Created", gotime(created));
	json_object *icfg = cs_json_get_obj(cfg, "config");
	json_object_object_add(o, "Config", oci_image_config(icfg));
	json_object_object_add(o, "Version", str_or_empty(cfg, "docker_version"));
	json_object_object_add(o, "Author", str_or_empty(cfg, "author"));
	json_object_object_add(o, "Architecture", str_or_empty(cfg, "architecture"));
	json_object_object_add(o, "Os", str_or_empty(cfg, "os"));
	json_object_object_add(o, "Size", json_object_new_int64(im->size));
	json_object_object_add(o, "VirtualSize", json_object_new_int64(im->size));
	cs_layer_stack s;
	cs_error e = {0};
	if (cs_image_stack(im, &s, &e) == 0) {
		json_object_object_add(o, "GraphDriver", graph_driver(st, &s, NULL));
		cs_layer_stack_clear(&s);
	}
	json_object *rf = json_object_new_object();
	json_object_object_add(rf, "Type", json_object_new_string("layers"));
	json_object *dl = json_object_new_array();
	for (size_t i = 0; i < im->n_layers; i++)
		if (im->layers[i].diff_id)
			json_object_array_add(dl, json_object_new_string(im->layers[i].diff_id));
	json_object_object_add(rf, "Layers", dl);
	json_object_object_add(o, "RootFS", rf);
	json_object_object_add(o, "Labels", copy(cs_json_get_obj(icfg, "Labels")));
	json_object *ann = cs_json_get_obj(man, "annotations");
	json_object_object_add(o, "Annotations", ann ? copy(ann) : json_object_new_object());
	json_object_object_add(o, "ManifestType", json_object_new_string(manifest_type(man)));
	json_object_object_add(o, "User", str_or_empty(icfg, "User"));
	json_object_object_add(o, "History", hist ? copy(hist) : json_object_new_array());
	json_object_object_add(o, "NamesHistory", cs_jstrv(r ? r->names_history : NULL));
	json_object_object_add(o, "Csleuth",
			       csleuth_object(dr, im->engine, im->namespace, &im->evidence, im->incomplete, &im->problems));
	json_object_put(cfg);
	json_object_put(man);
	return cs_jfinish(o, true);
}

char *cs_podman_inspect(const cs_dataroot *dr, const cs_container *ct, const cs_image *im)
{
	if (!dr || dr->ops != &cs_engine_podman || !dr->engine_data)
		return NULL;
	return ct ? inspect_container(dr, ct) : inspect_image(dr, im);
}
