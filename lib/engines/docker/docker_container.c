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

#include "engines/docker/docker_internal.h"
#include "formats/jscan.h"

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

static cs_time scan_time(dk_ctx *c, cs_container *ct, const char *file, cs_jscan *s, const char *key)
{
	if (cs_jscan_peek(s) == CS_JNULL) {
		cs_jscan_skip(s);
		return CS_TIME_NEVER;
	}
	_cleanup_free_ char *v = cs_jscan_string(s);
	cs_time t;
	if (!v || cs_time_parse(v, &t) < 0) {
		if (s->err)
			return CS_TIME_INVALID; /* reported with the parse error */
		dk_warn(c, &ct->problems, file, "`%s`: %s: unreadable time `%s`", file, key, v ? v : "(not a string)");
		return CS_TIME_INVALID;
	}
	return t;
}

static void replace(char **dst, char *v)
{
	free(*dst);
	*dst = v;
}

/* One MountPoints entry: {"Source","Destination","RW","Name","Driver","Type",
 * "Relabel" (the Mode field is serialised under this name), "Propagation"}. */
static void scan_mountpoint(cs_jscan *s, cs_mount *m)
{
	char *type = NULL;
	if (!cs_jscan_object(s))
		return;
	while (cs_jscan_member(s)) {
		if (cs_jscan_is(s, "Source"))
			replace(&m->source, cs_jscan_string(s));
		else if (cs_jscan_is(s, "Destination"))
			replace(&m->destination, cs_jscan_string(s));
		else if (cs_jscan_is(s, "RW"))
			m->rw = cs_jscan_bool(s);
		else if (cs_jscan_is(s, "Name"))
			replace(&m->name, cs_jscan_string(s));
		else if (cs_jscan_is(s, "Driver"))
			replace(&m->driver, cs_jscan_string(s));
		else if (cs_jscan_is(s, "Type"))
			replace(&type, cs_jscan_string(s));
		else if (cs_jscan_is(s, "Relabel"))
			replace(&m->mode, cs_jscan_string(s));
		else if (cs_jscan_is(s, "Propagation"))
			replace(&m->propagation, cs_jscan_string(s));
		else
			cs_jscan_skip(s);
	}
	m->type = mount_type(type);
	if (!type || !*type)
		m->type = m->name && *m->name ? CS_MOUNT_VOLUME : CS_MOUNT_BIND;
	free(type);
}

/* Bounds a hostile config's mount list (the engine makes a handful). */
#define MAX_MOUNTS 4096

static void scan_mountpoints(cs_jscan *s, cs_container *ct, size_t *cap)
{
	if (!cs_jscan_object(s))
		return;
	while (cs_jscan_member(s)) {
		if (cs_jscan_peek(s) != CS_JOBJECT || ct->n_mounts >= MAX_MOUNTS) {
			cs_jscan_skip(s); /* null, another type, or too many */
			continue;
		}
		cs_mount *m = CS_PUSH(ct->mounts, ct->n_mounts, *cap);
		char *dest = cs_jscan_key_dup(s); /* a path: may be longer than key holds */
		scan_mountpoint(s, m);
		if (!m->destination)
			m->destination = dest;
		else
			free(dest);
	}
}

/* Docker < 1.8: "Volumes": {dest: hostpath}, "VolumesRW": {dest: bool}. */
static void scan_old_volumes(cs_jscan *s, cs_container *ct, size_t *cap, bool rw_map)
{
	if (!cs_jscan_object(s))
		return;
	while (cs_jscan_member(s)) {
		cs_mount *m = NULL;
		_cleanup_free_ char *dest = cs_jscan_key_dup(s);
		for (size_t i = 0; i < ct->n_mounts; i++)
			if (ct->mounts[i].destination && strcmp(ct->mounts[i].destination, dest) == 0)
				m = &ct->mounts[i];
		if (!m && ct->n_mounts >= MAX_MOUNTS) {
			cs_jscan_skip(s);
			continue;
		}
		if (!m) {
			m = CS_PUSH(ct->mounts, ct->n_mounts, *cap);
			m->destination = TAKE_PTR(dest);
			m->type = CS_MOUNT_BIND;
		}
		if (rw_map)
			m->rw = cs_jscan_bool(s);
		else
			replace(&m->source, cs_jscan_string(s));
	}
}

static void health_log_clear(cs_state *st)
{
	for (size_t i = 0; i < st->n_health_log; i++)
		free(st->health_log[i].output);
	free(st->health_log);
	st->health_log = NULL;
	st->n_health_log = 0;
}

/* State.Health, decoded as Go's encoding/json decodes it into the engine's
 * *Health: null clears it; a second "Health" member updates the first (the
 * members it has win); "Log" is a slice, so each "Log" array replaces the
 * entries before it and null empties it. Each getter and cs_jscan_object()
 * / cs_jscan_array() consume a value of another type themselves: never skip
 * after them. */
static void scan_health(dk_ctx *c, cs_container *ct, const char *file, cs_jscan *s)
{
	cs_state *st = &ct->state;
	if (cs_jscan_peek(s) == CS_JNULL) {
		cs_jscan_skip(s);
		free(st->health_status);
		st->health_status = NULL;
		st->health_failing_streak = 0;
		health_log_clear(st);
		return;
	}
	if (!cs_jscan_object(s))
		return;
	if (!st->health_status)
		st->health_status = cs_xstrdup("");
	while (cs_jscan_member(s)) {
		if (cs_jscan_is(s, "Status")) {
			char *v = cs_jscan_string(s);
			replace(&st->health_status, v ? v : cs_xstrdup(""));
		} else if (cs_jscan_is(s, "FailingStreak")) {
			st->health_failing_streak = cs_jscan_int(s, 0);
		} else if (cs_jscan_is(s, "Log")) {
			bool is_null = cs_jscan_peek(s) == CS_JNULL;
			bool is_array = cs_jscan_peek(s) == CS_JARRAY;
			if (is_null || is_array)
				health_log_clear(st);
			if (!cs_jscan_array(s))
				continue; /* null or another type: consumed */
			size_t cap = 0;
			while (cs_jscan_element(s)) {
				if (st->n_health_log >= 1000) {
					cs_jscan_skip(s);
					continue;
				}
				if (cs_jscan_peek(s) != CS_JOBJECT) {
					cs_jscan_skip(s); /* null or another type: no entry */
					continue;
				}
				cs_jscan_object(s);
				cs_health_log *x = CS_PUSH(st->health_log, st->n_health_log, cap);
				x->start = x->end = CS_TIME_NEVER;
				while (cs_jscan_member(s)) {
					if (cs_jscan_is(s, "Start"))
						x->start = scan_time(c, ct, file, s, "Health.Log.Start");
					else if (cs_jscan_is(s, "End"))
						x->end = scan_time(c, ct, file, s, "Health.Log.End");
					else if (cs_jscan_is(s, "ExitCode"))
						x->exit_code = (int)cs_jscan_int(s, 0);
					else if (cs_jscan_is(s, "Output"))
						replace(&x->output, cs_jscan_string(s));
					else
						cs_jscan_skip(s);
				}
			}
		} else {
			cs_jscan_skip(s);
		}
	}
}

static void scan_state(dk_ctx *c, cs_container *ct, const char *file, cs_jscan *s)
{
	cs_state *st = &ct->state;
	if (!cs_jscan_object(s))
		return;
	while (cs_jscan_member(s)) {
		if (cs_jscan_is(s, "Running"))
			st->running = cs_jscan_bool(s);
		else if (cs_jscan_is(s, "Paused"))
			st->paused = cs_jscan_bool(s);
		else if (cs_jscan_is(s, "Restarting"))
			st->restarting = cs_jscan_bool(s);
		else if (cs_jscan_is(s, "OOMKilled"))
			st->oom_killed = cs_jscan_bool(s);
		else if (cs_jscan_is(s, "Dead"))
			st->dead = cs_jscan_bool(s);
		else if (cs_jscan_is(s, "RemovalInProgress"))
			st->removal_in_progress = cs_jscan_bool(s);
		else if (cs_jscan_is(s, "Pid"))
			st->pid = cs_jscan_int(s, 0);
		else if (cs_jscan_is(s, "ExitCode"))
			st->exit_code = cs_jscan_int(s, 0);
		else if (cs_jscan_is(s, "Error"))
			replace(&st->error, cs_jscan_string(s));
		else if (cs_jscan_is(s, "StartedAt"))
			st->started_at = scan_time(c, ct, file, s, "StartedAt");
		else if (cs_jscan_is(s, "FinishedAt"))
			st->finished_at = scan_time(c, ct, file, s, "FinishedAt");
		else if (cs_jscan_is(s, "Health"))
			scan_health(c, ct, file, s);
		else
			cs_jscan_skip(s);
	}
}

/* Reads config.v2.json / config.json text into the container. Returns 0 or
 * -EBADMSG (e filled). */
static int scan_config(dk_ctx *c, cs_container *ct, const char *file, const char *text, size_t len,
		       cs_error *e)
{
	cs_jscan s;
	cs_jscan_init(&s, text, len);
	bool have_state = false;
	size_t mcap = 0;
	char *cid = NULL, *paths[4] = {0};
	if (cs_jscan_peek(&s) != CS_JOBJECT && cs_jscan_peek(&s) != CS_JNONE) {
		cs_jscan_skip(&s);
		return cs_err(e, -EBADMSG, "not a JSON object");
	}
	if (cs_jscan_object(&s)) {
		while (cs_jscan_member(&s)) {
			if (cs_jscan_is(&s, "ID")) {
				replace(&cid, cs_jscan_string(&s));
			} else if (cs_jscan_is(&s, "Name")) {
				char *n = cs_jscan_string(&s);
				replace(&ct->name, n && n[0] == '/' ? cs_xstrdup(n + 1) : cs_xstrdup(n));
				free(n);
			} else if (cs_jscan_is(&s, "Created")) {
				ct->created = scan_time(c, ct, file, &s, "Created");
			} else if (cs_jscan_is(&s, "Path")) {
				replace(&ct->path, cs_jscan_string(&s));
			} else if (cs_jscan_is(&s, "Args")) {
				cs_strv_free(ct->args);
				ct->args = cs_jscan_strv(&s, SIZE_MAX); /* the file's size bounds it */
			} else if (cs_jscan_is(&s, "Config")) {
				if (cs_jscan_object(&s))
					while (cs_jscan_member(&s)) {
						if (cs_jscan_is(&s, "Image"))
							replace(&ct->image_ref, cs_jscan_string(&s));
						else if (cs_jscan_is(&s, "Labels"))
							cs_strv_free(ct->labels), ct->labels = cs_jscan_labels(&s);
						else
							cs_jscan_skip(&s);
					}
			} else if (cs_jscan_is(&s, "Image")) {
				replace(&ct->image_id, cs_jscan_string(&s));
			} else if (cs_jscan_is(&s, "Driver")) {
				replace(&ct->driver, cs_jscan_string(&s));
			} else if (cs_jscan_is(&s, "Platform") || (cs_jscan_is(&s, "OS") && !ct->platform)) {
				replace(&ct->platform, cs_jscan_string(&s));
			} else if (cs_jscan_is(&s, "RestartCount")) {
				ct->restart_count = cs_jscan_int(&s, 0);
			} else if (cs_jscan_is(&s, "HasBeenStartedBefore")) {
				ct->has_been_started_before = cs_jscan_bool(&s);
			} else if (cs_jscan_is(&s, "HasBeenManuallyStopped")) {
				ct->has_been_manually_stopped = cs_jscan_bool(&s);
			} else if (cs_jscan_is(&s, "State")) {
				have_state = cs_jscan_peek(&s) == CS_JOBJECT;
				scan_state(c, ct, file, &s);
			} else if (cs_jscan_is(&s, "LogPath")) {
				replace(&ct->log_path, cs_jscan_string(&s));
				replace(&paths[3], cs_xstrdup(ct->log_path));
			} else if (cs_jscan_is(&s, "ResolvConfPath")) {
				replace(&paths[0], cs_jscan_string(&s));
			} else if (cs_jscan_is(&s, "HostnamePath")) {
				replace(&paths[1], cs_jscan_string(&s));
			} else if (cs_jscan_is(&s, "HostsPath")) {
				replace(&paths[2], cs_jscan_string(&s));
			} else if (cs_jscan_is(&s, "MountPoints")) {
				scan_mountpoints(&s, ct, &mcap);
			} else if (cs_jscan_is(&s, "Volumes")) {
				scan_old_volumes(&s, ct, &mcap, false);
			} else if (cs_jscan_is(&s, "VolumesRW")) {
				scan_old_volumes(&s, ct, &mcap, true);
			} else {
				cs_jscan_skip(&s);
			}
		}
	}
	int r = cs_jscan_finish(&s, e);
	for (size_t i = 0; i < CS_ARRAY_SIZE(paths); i++) {
		if (!ct->host_root)
			ct->host_root = host_root_from(paths[i], ct->id);
		free(paths[i]);
	}
	if (r == 0 && cid && strcmp(cid, ct->id) != 0)
		dk_warn(c, &ct->problems, file, "`%s`: ID `%s` differs from its directory name", file, cid);
	free(cid);
	if (r == 0 && !have_state) {
		dk_warn(c, &ct->problems, file, "`%s`: no State object", file);
		ct->incomplete = true;
	}
	/* named local volumes: their data is volumes/<name>/_data */
	for (size_t i = 0; i < ct->n_mounts; i++) {
		cs_mount *m = &ct->mounts[i];
		if (m->type == CS_MOUNT_VOLUME && m->name && *m->name && !strchr(m->name, '/') &&
		    strcmp(m->name, "..") != 0 && (!m->driver || !*m->driver || strcmp(m->driver, "local") == 0)) {
			m->evidence_path = dk_path(c, "volumes/%s/_data", m->name);
			if (!cs_source_exists(c->src, m->evidence_path)) {
				/* removed volume: a finding, not damage */
				free(m->evidence_path);
				m->evidence_path = NULL;
			}
			if (m->source && !*m->source) {
				free(m->source);
				m->source = NULL; /* filled when the host root is known */
			}
		}
	}
	if (ct->n_mounts > 1)
		qsort(ct->mounts, ct->n_mounts, sizeof(cs_mount), cmp_mount);
	return r;
}

/* hostconfig.json: only LogConfig.Type is modelled; the rest is kept raw. */
static int scan_hostconfig(cs_container *ct, const char *text, size_t len, cs_error *e)
{
	cs_jscan s;
	cs_jscan_init(&s, text, len);
	if (cs_jscan_peek(&s) != CS_JOBJECT && cs_jscan_peek(&s) != CS_JNONE)
		return cs_err(e, -EBADMSG, "not a JSON object");
	if (cs_jscan_object(&s))
		while (cs_jscan_member(&s)) {
			if (cs_jscan_is(&s, "LogConfig")) {
				/* null or another type is consumed by cs_jscan_object() */
				if (cs_jscan_object(&s))
					while (cs_jscan_member(&s)) {
						if (cs_jscan_is(&s, "Type"))
							replace(&ct->log_driver, cs_jscan_string(&s));
						else
							cs_jscan_skip(&s);
					}
			} else {
				cs_jscan_skip(&s);
			}
		}
	return cs_jscan_finish(&s, e);
}

bool dk_containerd_store(dk_ctx *c, const char *driver)
{
	/* containerd snapshotter names; Docker's graph drivers keep image/<driver>/ */
	static const char *const snapshotters[] = {"overlayfs", "native", "btrfs", "zfs", "devmapper",
						   "stargz", "fuse-overlayfs"};
	bool sn = false;
	for (size_t i = 0; i < CS_ARRAY_SIZE(snapshotters); i++)
		sn = sn || strcmp(driver, snapshotters[i]) == 0;
	if (!sn)
		return false;
	_cleanup_free_ char *p = dk_path(c, "image/%s/layerdb", driver);
	return !cs_source_exists(c->src, p);
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
	if (dk_containerd_store(c, ct->driver)) {
		/* Docker 29's containerd image store: the RW layer is snapshot <id>
		 * of containerd namespace moby; the host resolves it */
		ct->snapshotter = cs_xstrdup(ct->driver);
		ct->snapshot_key = cs_xstrdup(ct->id);
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
	if (!c->listing)
		(void)dk_read_small(c, pi, &ct->init_id, NULL); /* optional; only layer stacks use it */
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
	cs_error err;
	size_t len = 0;
	int r = cs_source_read_file(c->src, file, CS_DOCKER_MAX_CONFIG, &ct->config_json, &len, &err);
	if (r == -ENOENT && cs_source_exists(c->src, p1)) {
		/* Docker < 1.10 */
		file = p1;
		ct->legacy = true;
		r = cs_source_read_file(c->src, file, CS_DOCKER_MAX_CONFIG, &ct->config_json, &len, &err);
	}
	if (r == 0) {
		r = scan_config(c, ct, file, ct->config_json, len, &err);
		if (r < 0)
			cs_err_prefix(&err, "`%s`", file);
	}
	if (r < 0) {
		dk_warn(c, &ct->problems, file, "container %s: %s", id, err.msg);
		ct->incomplete = true;
		free(ct->config_json);
		ct->config_json = NULL;
		return;
	}
	cs_evfiles_add(&ct->evidence, "Config", file);

	/* hostconfig.json: optional, but a damaged one is reported */
	_cleanup_free_ char *ph = cs_path_join(ct->dir, "hostconfig.json");
	r = cs_source_read_file(c->src, ph, CS_DOCKER_MAX_CONFIG, &ct->hostconfig_json, &len, &err);
	if (r == 0) {
		r = scan_hostconfig(ct, ct->hostconfig_json, len, &err);
		if (r < 0)
			cs_err_prefix(&err, "`%s`", ph);
	}
	if (r < 0 && r != -ENOENT) {
		dk_warn(c, &ct->problems, ph, "container %s: %s", id, err.msg);
		ct->incomplete = true;
		free(ct->hostconfig_json);
		ct->hostconfig_json = NULL;
	} else if (r == 0) {
		cs_evfiles_add(&ct->evidence, "HostConfig", ph);
	}
	if (!c->listing)
		load_log_path(c, ct); /* logs, inspect and timeline look for the file */
	load_layer_ids(c, ct);
	if (ct->mount_id && c->listing)
		ct->layers_unread = true;
	else if (ct->mount_id)
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
		memset(v, 0, sizeof(*v));
		v->name = cs_xstrdup(d[i].name);
		v->driver = cs_xstrdup("local");
		v->data_path = TAKE_PTR(data);
		/* the engine's CreatedAt is the mtime of volumes/<name> */
		_cleanup_free_ char *vdir = dk_path(c, "volumes/%s", d[i].name);
		v->created = cs_source_stat(c->src, vdir, false, &st, NULL) == 0 ? st.mtime : CS_TIME_NEVER;
	}
	cs_dirents_free(d, n);
}
