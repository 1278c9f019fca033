/* docker_container.c - containers/<id>/ of a Docker data root.
 *
 * config.v2.json (Docker 1.10+) or config.json (older) holds the container;
 * hostconfig.json its host configuration. The raw bytes of both are kept for
 * `inspect`, and the fields csleuth reasons about are copied into the model.
 * The storage driver is the container's own "Driver"; the layer store ids
 * come from image/<driver>/layerdb/mounts/<id>/{mount-id,init-id} (older
 * layouts use the container id itself).
 */
#include <string.h>

#include "docker_internal.h"

/* "/var/lib/docker/containers/<id>/resolv.conf" -> "/var/lib/docker" */
static char *host_root_from(const char *p, const char *id)
{
	if (!p || !*p)
		return NULL;
	_cleanup_free_ char *needle = cs_xasprintf("/containers/%s/", id);
	const char *hit = strstr(p, needle);
	if (!hit || hit == p)
		return NULL;
	return cs_xstrndup(p, (size_t)(hit - p));
}

static cs_mount_type mount_type(const char *t)
{
	if (!t)
		return CS_MOUNT_UNKNOWN;
	if (strcmp(t, "bind") == 0)
		return CS_MOUNT_BIND;
	if (strcmp(t, "volume") == 0)
		return CS_MOUNT_VOLUME;
	if (strcmp(t, "tmpfs") == 0)
		return CS_MOUNT_TMPFS;
	if (strcmp(t, "npipe") == 0)
		return CS_MOUNT_NPIPE;
	return CS_MOUNT_UNKNOWN;
}

static int cmp_mount(const void *a, const void *b)
{
	const cs_mount *x = a, *y = b;
	return strcmp(x->destination ? x->destination : "", y->destination ? y->destination : "");
}

static void load_mounts(dk_ctx *c, cs_container *ct, json_object *cfg)
{
	json_object *mps = cs_json_get_obj(cfg, "MountPoints");
	if (mps) {
		size_t n = (size_t)json_object_object_length(mps);
		ct->mounts = cs_xcalloc(n ? n : 1, sizeof(cs_mount));
		json_object_object_foreach(mps, dest, mp)
		{
			if (!json_object_is_type(mp, json_type_object))
				continue;
			cs_mount *m = &ct->mounts[ct->n_mounts++];
			m->destination = cs_xstrdup(cs_json_str(mp, "Destination") ? cs_json_str(mp, "Destination") : dest);
			m->source = cs_json_strdup(mp, "Source");
			m->name = cs_json_strdup(mp, "Name");
			m->driver = cs_json_strdup(mp, "Driver");
			/* the Mode field is serialised as "Relabel" (moby volume/mounts) */
			m->mode = cs_json_strdup(mp, "Relabel");
			m->propagation = cs_json_strdup(mp, "Propagation");
			m->rw = cs_json_bool(mp, "RW");
			const char *t = cs_json_str(mp, "Type");
			m->type = mount_type(t);
			if (!t || !*t)
				m->type = m->name && *m->name ? CS_MOUNT_VOLUME : CS_MOUNT_BIND;
			if (m->type == CS_MOUNT_VOLUME && m->name && *m->name && !strchr(m->name, '/') &&
			    (!m->driver || !*m->driver || strcmp(m->driver, "local") == 0)) {
				m->evidence_path = dk_path(c, "volumes/%s/_data", m->name);
				if (!cs_source_exists(c->src, m->evidence_path)) {
					/* removed volume: a finding, not damage */
					free(m->evidence_path);
					m->evidence_path = NULL;
				}
				if (!m->source || !*m->source) {
					free(m->source);
					m->source = NULL; /* filled when the host root is known */
				}
			}
		}
	} else {
		/* Docker < 1.8: "Volumes": {dest: hostpath}, "VolumesRW": {dest: bool} */
		json_object *vols = cs_json_get_obj(cfg, "Volumes");
		json_object *rw = cs_json_get_obj(cfg, "VolumesRW");
		size_t n = vols ? (size_t)json_object_object_length(vols) : 0;
		ct->mounts = cs_xcalloc(n ? n : 1, sizeof(cs_mount));
		if (vols) {
			json_object_object_foreach(vols, dest, hp)
			{
				cs_mount *m = &ct->mounts[ct->n_mounts++];
				m->destination = cs_xstrdup(dest);
				m->source = cs_xstrdup(json_object_is_type(hp, json_type_string)
							       ? json_object_get_string(hp) : "");
				m->type = CS_MOUNT_BIND;
				m->rw = cs_json_bool(rw, dest);
			}
		}
	}
	if (ct->n_mounts > 1)
		qsort(ct->mounts, ct->n_mounts, sizeof(cs_mount), cmp_mount);
}

static void load_state(dk_ctx *c, cs_container *ct, const char *file, json_object *st)
{
	cs_state *s = &ct->state;
	s->running = cs_json_bool(st, "Running");
	s->paused = cs_json_bool(st, "Paused");
	s->restarting = cs_json_bool(st, "Restarting");
	s->oom_killed = cs_json_bool(st, "OOMKilled");
	s->dead = cs_json_bool(st, "Dead");
	s->removal_in_progress = cs_json_bool(st, "RemovalInProgress");
	s->pid = cs_json_i64(st, "Pid", 0);
	s->exit_code = cs_json_i64(st, "ExitCode", 0);
	s->error = cs_json_strdup(st, "Error");
	s->started_at = dk_time(c, &ct->problems, file, st, "StartedAt");
	s->finished_at = dk_time(c, &ct->problems, file, st, "FinishedAt");
	json_object *h = cs_json_get_obj(st, "Health");
	if (h) {
		s->health_status = cs_json_strdup(h, "Status");
		if (!s->health_status)
			s->health_status = cs_xstrdup("");
		s->health_failing_streak = cs_json_i64(h, "FailingStreak", 0);
		json_object *log = cs_json_get_arr(h, "Log");
		size_t n = log ? json_object_array_length(log) : 0;
		if (n > 1000)
			n = 1000;
		s->health_log = cs_xcalloc(n ? n : 1, sizeof(cs_health_log));
		for (size_t i = 0; i < n; i++) {
			json_object *e = json_object_array_get_idx(log, i);
			cs_health_log *x = &s->health_log[s->n_health_log++];
			x->start = dk_time(c, &ct->problems, file, e, "Start");
			x->end = dk_time(c, &ct->problems, file, e, "End");
			x->exit_code = (int)cs_json_i64(e, "ExitCode", 0);
			x->output = cs_json_strdup(e, "Output");
		}
	}
}

static void load_layer_ids(dk_ctx *c, cs_container *ct)
{
	if (!ct->driver || !*ct->driver)
		return;
	if (ct->legacy) {
		ct->mount_id = cs_xstrdup(ct->id);
		ct->init_id = cs_xasprintf("%s-init", ct->id);
		return;
	}
	_cleanup_free_ char *dir = dk_path(c, "image/%s/layerdb/mounts/%s", ct->driver, ct->id);
	_cleanup_free_ char *pm = cs_path_join(dir, "mount-id");
	_cleanup_free_ char *pi = cs_path_join(dir, "init-id");
	cs_error err;
	if (dk_read_small(c, pm, &ct->mount_id, &err) < 0) {
		dk_warn(c, &ct->problems, pm, "container %s: no mount-id: %s: its filesystem cannot be located",
			ct->id, err.msg);
		ct->incomplete = true;
		return;
	}
	cs_evfiles_add(&ct->evidence, "GraphDriver.MountId", pm);
	if (strchr(ct->mount_id, '/') || !*ct->mount_id || strcmp(ct->mount_id, "..") == 0) {
		dk_warn(c, &ct->problems, pm, "`%s`: bad mount id", pm);
		free(ct->mount_id);
		ct->mount_id = NULL;
		ct->incomplete = true;
		return;
	}
	(void)dk_read_small(c, pi, &ct->init_id, NULL); /* optional */
}

static void load_log_path(dk_ctx *c, cs_container *ct)
{
	const char *drv = ct->log_driver ? ct->log_driver : "json-file";
	if (strcmp(drv, "local") == 0) {
		ct->log_evidence_path = cs_path_join(ct->dir, "local-logs/container.log");
	} else if (ct->log_path && *ct->log_path) {
		const char *base = strrchr(ct->log_path, '/');
		ct->log_evidence_path = cs_path_join(ct->dir, base ? base + 1 : ct->log_path);
	} else if (strcmp(drv, "json-file") == 0) {
		_cleanup_free_ char *f = cs_xasprintf("%s-json.log", ct->id);
		ct->log_evidence_path = cs_path_join(ct->dir, f);
	} else {
		/* remote drivers keep a local cache when dual logging is on */
		ct->log_evidence_path = cs_path_join(ct->dir, "container-cached.log");
	}
	if (!cs_source_exists(c->src, ct->log_evidence_path)) {
		free(ct->log_evidence_path);
		ct->log_evidence_path = NULL;
	} else {
		cs_evfiles_add(&ct->evidence, "LogPath", ct->log_evidence_path);
	}
}

static void load_one(dk_ctx *c, const char *id)
{
	cs_dataroot *dr = c->dr;
	cs_container *ct = CS_PUSH(dr->containers, dr->n_containers, dr->cap_containers);
	ct->id = cs_xstrdup(id);
	ct->dir = dk_path(c, "containers/%s", id);
	ct->created = ct->state.started_at = ct->state.finished_at = CS_TIME_NEVER;
	ct->args = cs_xcalloc(1, sizeof(char *));
	ct->layers.complete = false;
	_cleanup_free_ char *p2 = cs_path_join(ct->dir, "config.v2.json");
	_cleanup_free_ char *p1 = cs_path_join(ct->dir, "config.json");
	const char *file = p2;
	json_object *cfg = NULL;
	cs_error err;
	int r = cs_json_load(c->src, file, CS_DOCKER_MAX_CONFIG, &cfg, &ct->config_json, &err);
	if (r == -ENOENT && cs_source_exists(c->src, p1)) {
		/* Docker < 1.10 */
		file = p1;
		ct->legacy = true;
		r = cs_json_load(c->src, file, CS_DOCKER_MAX_CONFIG, &cfg, &ct->config_json, &err);
	}
	if (r == 0 && !json_object_is_type(cfg, json_type_object))
		r = cs_err(&err, -EBADMSG, "`%s`: not a JSON object", file);
	if (r < 0) {
		dk_warn(c, &ct->problems, file, "container %s: %s", id, err.msg);
		ct->incomplete = true;
		json_object_put(cfg);
		free(ct->config_json);
		ct->config_json = NULL;
		return;
	}
	cs_evfiles_add(&ct->evidence, "Config", file);
	const char *cid = cs_json_str(cfg, "ID");
	if (cid && strcmp(cid, id) != 0)
		dk_warn(c, &ct->problems, file, "`%s`: ID `%s` differs from its directory name", file, cid);
	const char *name = cs_json_str(cfg, "Name");
	ct->name = cs_xstrdup(name ? (name[0] == '/' ? name + 1 : name) : NULL);
	ct->created = dk_time(c, &ct->problems, file, cfg, "Created");
	ct->path = cs_json_strdup(cfg, "Path");
	cs_strv_free(ct->args);
	ct->args = cs_json_strv(cfg, "Args");
	json_object *conf = cs_json_get_obj(cfg, "Config");
	ct->image_ref = cs_json_strdup(conf, "Image");
	const char *img = cs_json_str(cfg, "Image");
	ct->image_id = cs_xstrdup(img);
	ct->driver = cs_json_strdup(cfg, "Driver");
	ct->platform = cs_json_strdup(cfg, "Platform");
	if (!ct->platform)
		ct->platform = cs_json_strdup(cfg, "OS");
	ct->restart_count = cs_json_i64(cfg, "RestartCount", 0);
	ct->has_been_started_before = cs_json_bool(cfg, "HasBeenStartedBefore");
	ct->has_been_manually_stopped = cs_json_bool(cfg, "HasBeenManuallyStopped");
	json_object *st = cs_json_get_obj(cfg, "State");
	if (st) {
		load_state(c, ct, file, st);
	} else {
		dk_warn(c, &ct->problems, file, "`%s`: no State object", file);
		ct->incomplete = true;
	}
	ct->log_path = cs_json_strdup(cfg, "LogPath");
	static const char *const pathkeys[] = {"ResolvConfPath", "HostnamePath", "HostsPath", "LogPath"};
	for (size_t i = 0; i < CS_ARRAY_SIZE(pathkeys) && !ct->host_root; i++)
		ct->host_root = host_root_from(cs_json_str(cfg, pathkeys[i]), id);
	load_mounts(c, ct, cfg);
	json_object_put(cfg);

	/* hostconfig.json: optional, but a damaged one is reported */
	_cleanup_free_ char *ph = cs_path_join(ct->dir, "hostconfig.json");
	{
		json_object *hc = NULL;
		r = cs_json_load(c->src, ph, CS_DOCKER_MAX_CONFIG, &hc, &ct->hostconfig_json, &err);
		if (r < 0 && r != -ENOENT) {
			dk_warn(c, &ct->problems, ph, "container %s: %s", id, err.msg);
			ct->incomplete = true;
		} else if (r == 0) {
			cs_evfiles_add(&ct->evidence, "HostConfig", ph);
			ct->log_driver = cs_json_strdup(cs_json_get_obj(hc, "LogConfig"), "Type");
		}
		json_object_put(hc);
	}
	load_log_path(c, ct);
	load_layer_ids(c, ct);
	if (ct->mount_id)
		dk_container_layers(c, ct);
}

int dk_load_containers(dk_ctx *c)
{
	_cleanup_free_ char *p = dk_path(c, "containers");
	cs_dirent *d;
	size_t n;
	cs_error err;
	if (cs_source_list(c->src, p, &d, &n, &err) < 0) {
		dk_warn(c, NULL, p, "%s: containers not listed", err.msg);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (!cs_is_hex(d[i].name, 64)) {
			_cleanup_free_ char *q = cs_path_join(p, d[i].name);
			dk_warn(c, NULL, q, "`%s`: not a container id, skipped", q);
			continue;
		}
		load_one(c, d[i].name);
	}
	cs_dirents_free(d, n);
	/* named volume sources, now that the host root may be known */
	for (size_t i = 0; i < c->dr->n_containers; i++) {
		cs_container *ct = &c->dr->containers[i];
		const char *hr = ct->host_root ? ct->host_root
				 : c->dr->host_path ? c->dr->host_path : "/var/lib/docker";
		for (size_t k = 0; k < ct->n_mounts; k++) {
			cs_mount *m = &ct->mounts[k];
			if (!m->source && m->name)
				m->source = cs_xasprintf("%s/volumes/%s/_data", hr, m->name);
			if (!m->source)
				m->source = cs_xstrdup("");
		}
	}
	return 0;
}

void dk_load_volumes(dk_ctx *c)
{
	_cleanup_free_ char *p = dk_path(c, "volumes");
	cs_dirent *d;
	size_t n;
	if (!cs_source_exists(c->src, p) || cs_source_list(c->src, p, &d, &n, NULL) < 0)
		return;
	cs_dataroot *dr = c->dr;
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *data = dk_path(c, "volumes/%s/_data", d[i].name);
		cs_stat st;
		if (cs_source_stat(c->src, data, false, &st, NULL) < 0 || !S_ISDIR(st.mode))
			continue;
		cs_volume *v = CS_PUSH(dr->volumes, dr->n_volumes, dr->cap_volumes);
		v->name = cs_xstrdup(d[i].name);
		v->driver = cs_xstrdup("local");
		v->data_path = TAKE_PTR(data);
	}
	cs_dirents_free(d, n);
}
