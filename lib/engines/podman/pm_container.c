/* pm_container.c - the containers of a store, in the model.
 *
 * A container is known from up to three places, joined by id:
 *   - libpod's record (bolt or SQLite): its configuration (names, image,
 *     command in the stored OCI spec, log driver and path, pod, volumes)
 *     and state (podman's state codes: 1 configured, 2 created, 3 running,
 *     4 stopped, 5 paused, 6 exited, 7 removing, 8 stopping; pid, exit
 *     code, started and finished times, restart count). After a power cut
 *     the state still says running for what ran: running when seized;
 *   - containers.json: the storage record (RW layer, image, creation time,
 *     the Volatile flag, id mappings given with --userns);
 *   - userdata/config.json: the OCI spec generated at start. For CRI-O,
 *     whose state lives only in its runroot (tmpfs), this and the record's
 *     metadata give the Kubernetes identity (pod name, namespace and uid,
 *     container name, sandbox, log path); their state is unknown.
 * A libpod record without a storage record has no known files; a storage
 * record without a libpod record is CRI-O's (its metadata or annotations
 * say so) or another tool's (Buildah's working containers): listed, state
 * unknown.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "engines/podman/pm_internal.h"
#include "formats/jscan.h"
#include "formats/jsonutil.h"

/* Podman's mount points inside the container's upper layer: its own diff
 * leaves them out (libpod/diff.go initInodes). */
static const char *const podman_init_inodes[] = {"/dev", "/etc/hostname", "/etc/hosts", "/etc/resolv.conf",
						 "/proc", "/run", "/run/notify", "/run/.containerenv",
						 "/run/secrets", "/run/podman-init", "/sys", "/etc/mtab"};

static void replace(char **dst, char *v)
{
	free(*dst);
	*dst = v;
}

/* What the libpod config and state say, as jscan reads them. */
typedef struct lcfg {
	char *name, *image_id, *image_name, *raw_image, *log_driver, *log_path, *pod;
	int64_t log_size;
	cs_time created;
	bool infra;
	char **args;      /* spec.process.args */
	char **labels;    /* labels, as "k=v" sorted */
	char **user_volumes;
	cs_mount *mounts; /* spec.mounts of type bind/tmpfs */
	size_t n_mounts, cap_mounts;
	cs_mount *named;  /* namedVolumes */
	size_t n_named, cap_named;
	cs_idmap ids;     /* idMappingsOptions */
	/* state */
	int64_t state, pid, exit_code, restarts;
	bool exited, oom, have_state;
	cs_time started, finished;
} lcfg;

static void lcfg_free(lcfg *l)
{
	free(l->name);
	free(l->image_id);
	free(l->image_name);
	free(l->raw_image);
	free(l->log_driver);
	free(l->log_path);
	free(l->pod);
	cs_strv_free(l->args);
	cs_strv_free(l->labels);
	cs_strv_free(l->user_volumes);
	for (size_t i = 0; i < l->n_mounts; i++)
		cs_mount_clear(&l->mounts[i]);
	free(l->mounts);
	for (size_t i = 0; i < l->n_named; i++)
		cs_mount_clear(&l->named[i]);
	free(l->named);
	free(l->ids.v);
}


/* spec: process.args, mounts */
static void scan_spec(cs_jscan *s, lcfg *l)
{
	if (!cs_jscan_object(s))
		return;
	while (cs_jscan_member(s)) {
		if (cs_jscan_is(s, "process") && cs_jscan_object(s)) {
			while (cs_jscan_member(s))
				if (cs_jscan_is(s, "args"))
					cs_strv_free(l->args), l->args = cs_jscan_strv(s, CS_PM_MAX_STRV);
				else
					cs_jscan_skip(s);
		} else if (cs_jscan_is(s, "mounts") && cs_jscan_array(s)) {
			while (cs_jscan_element(s)) {
				if (!cs_jscan_object(s))
					continue;
				cs_mount m = {0};
				char *type = NULL;
				bool ro = false;
				while (cs_jscan_member(s)) {
					if (cs_jscan_is(s, "destination"))
						replace(&m.destination, cs_jscan_string(s));
					else if (cs_jscan_is(s, "source"))
						replace(&m.source, cs_jscan_string(s));
					else if (cs_jscan_is(s, "type"))
						replace(&type, cs_jscan_string(s));
					else if (cs_jscan_is(s, "options") && cs_jscan_array(s)) {
						while (cs_jscan_element(s)) {
							char *o = cs_jscan_string(s);
							if (o && strcmp(o, "ro") == 0)
								ro = true;
							if (o && (strcmp(o, "rprivate") == 0 || strcmp(o, "private") == 0 ||
								  strcmp(o, "rslave") == 0 || strcmp(o, "rshared") == 0 ||
								  strcmp(o, "slave") == 0 || strcmp(o, "shared") == 0))
								replace(&m.propagation, cs_xstrdup(o));
							free(o);
						}
					} else
						cs_jscan_skip(s);
				}
				m.type = type && strcmp(type, "bind") == 0    ? CS_MOUNT_BIND
					 : type && strcmp(type, "tmpfs") == 0 ? CS_MOUNT_TMPFS
									      : CS_MOUNT_UNKNOWN;
				free(type);
				m.rw = !ro;
				if (m.type == CS_MOUNT_UNKNOWN || !m.destination || l->n_mounts >= 4096) {
					cs_mount_clear(&m);
					continue;
				}
				*CS_PUSH(l->mounts, l->n_mounts, l->cap_mounts) = m;
			}
		} else {
			cs_jscan_skip(s);
		}
	}
}

static int scan_config(const char *text, lcfg *l, cs_error *e)
{
	cs_jscan s;
	cs_jscan_init(&s, text, strlen(text));
	if (cs_jscan_peek(&s) != CS_JOBJECT)
		return cs_err(e, -EBADMSG, "not a JSON object");
	cs_jscan_object(&s);
	while (cs_jscan_member(&s)) {
		if (cs_jscan_is(&s, "name"))
			replace(&l->name, cs_jscan_string(&s));
		else if (cs_jscan_is(&s, "rootfsImageID"))
			replace(&l->image_id, cs_jscan_string(&s));
		else if (cs_jscan_is(&s, "rootfsImageName"))
			replace(&l->image_name, cs_jscan_string(&s));
		else if (cs_jscan_is(&s, "RawImageName"))
			replace(&l->raw_image, cs_jscan_string(&s));
		else if (cs_jscan_is(&s, "logDriver"))
			replace(&l->log_driver, cs_jscan_string(&s));
		else if (cs_jscan_is(&s, "logPath"))
			replace(&l->log_path, cs_jscan_string(&s));
		else if (cs_jscan_is(&s, "logSize"))
			l->log_size = cs_jscan_int(&s, 0);
		else if (cs_jscan_is(&s, "pod"))
			replace(&l->pod, cs_jscan_string(&s));
		else if (cs_jscan_is(&s, "pause"))
			l->infra = cs_jscan_bool(&s);
		else if (cs_jscan_is(&s, "createdTime"))
			l->created = pm_jtime(&s);
		else if (cs_jscan_is(&s, "userVolumes"))
			cs_strv_free(l->user_volumes), l->user_volumes = cs_jscan_strv(&s, CS_PM_MAX_STRV);
		else if (cs_jscan_is(&s, "labels"))
			cs_strv_free(l->labels), l->labels = cs_jscan_labels(&s);
		else if (cs_jscan_is(&s, "spec"))
			scan_spec(&s, l);
		else if (cs_jscan_is(&s, "idMappingsOptions") && cs_jscan_object(&s)) {
			while (cs_jscan_member(&s))
				if (cs_jscan_is(&s, "UIDMap"))
					pm_jidmap(&s, 'u', &l->ids);
				else if (cs_jscan_is(&s, "GIDMap"))
					pm_jidmap(&s, 'g', &l->ids);
				else
					cs_jscan_skip(&s);
		} else if (cs_jscan_is(&s, "namedVolumes") && cs_jscan_array(&s)) {
			while (cs_jscan_element(&s)) {
				if (!cs_jscan_object(&s))
					continue;
				cs_mount m = {.type = CS_MOUNT_VOLUME, .rw = true};
				while (cs_jscan_member(&s)) {
					if (cs_jscan_is(&s, "volumeName"))
						replace(&m.name, cs_jscan_string(&s));
					else if (cs_jscan_is(&s, "dest"))
						replace(&m.destination, cs_jscan_string(&s));
					else if (cs_jscan_is(&s, "options") && cs_jscan_array(&s)) {
						while (cs_jscan_element(&s)) {
							char *o = cs_jscan_string(&s);
							if (o && strcmp(o, "ro") == 0)
								m.rw = false;
							free(o);
						}
					} else
						cs_jscan_skip(&s);
				}
				if (!m.name || !m.destination || l->n_named >= 4096) {
					cs_mount_clear(&m);
					continue;
				}
				*CS_PUSH(l->named, l->n_named, l->cap_named) = m;
			}
		} else {
			cs_jscan_skip(&s);
		}
	}
	return cs_jscan_finish(&s, e);
}

static int scan_state(const char *text, lcfg *l, cs_error *e)
{
	cs_jscan s;
	cs_jscan_init(&s, text, strlen(text));
	if (cs_jscan_peek(&s) != CS_JOBJECT)
		return cs_err(e, -EBADMSG, "not a JSON object");
	cs_jscan_object(&s);
	while (cs_jscan_member(&s)) {
		if (cs_jscan_is(&s, "state"))
			l->state = cs_jscan_int(&s, 0);
		else if (cs_jscan_is(&s, "pid"))
			l->pid = cs_jscan_int(&s, 0);
		else if (cs_jscan_is(&s, "exitCode"))
			l->exit_code = cs_jscan_int(&s, 0);
		else if (cs_jscan_is(&s, "exited"))
			l->exited = cs_jscan_bool(&s);
		else if (cs_jscan_is(&s, "oomKilled"))
			l->oom = cs_jscan_bool(&s);
		else if (cs_jscan_is(&s, "restartCount"))
			l->restarts = cs_jscan_int(&s, 0);
		else if (cs_jscan_is(&s, "startedTime"))
			l->started = pm_jtime(&s);
		else if (cs_jscan_is(&s, "finishedTime"))
			l->finished = pm_jtime(&s);
		else
			cs_jscan_skip(&s);
	}
	int r = cs_jscan_finish(&s, e);
	if (r == 0)
		l->have_state = true;
	return r;
}

static bool has_kind(const cs_idmap *m, char kind)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->v[i].kind == kind)
			return true;
	return false;
}

/* Gives ct the ranges of kind of `own` (the container's own mapping into
 * the store's user namespace) composed with the store's user namespace:
 * its files carry the composed ids on disk, and `podman export` and
 * `podman mount` show the container's view. */
static void add_idmap(pm_ctx *c, cs_container *ct, const cs_idmap *own, char kind)
{
	if (pm_idmap_compose(own, &c->st->usermap, kind, &ct->idmap)) {
		ct->idmap.shifted = true;
		ct->idmap.container_view = true;
	}
}

/* The storage record's metadata: CRI-O's RuntimeContainerMetadata or
 * libpod's/Buildah's {image-name, image-id, name, created-at}. */
typedef struct meta {
	char *pod_name, *pod_id, *image_name, *image_id, *name, *metadata_name, *uid, *namespace;
	int64_t created_at;
	bool pod, crio;
} meta;

static void meta_free(meta *m)
{
	free(m->pod_name);
	free(m->pod_id);
	free(m->image_name);
	free(m->image_id);
	free(m->name);
	free(m->metadata_name);
	free(m->uid);
	free(m->namespace);
}

static void scan_meta(const char *text, meta *m)
{
	if (!text)
		return;
	cs_jscan s;
	cs_jscan_init(&s, text, strlen(text));
	if (!cs_jscan_object(&s))
		return;
	while (cs_jscan_member(&s)) {
		if (cs_jscan_is(&s, "pod-name"))
			replace(&m->pod_name, cs_jscan_string(&s)), m->crio = true;
		else if (cs_jscan_is(&s, "pod-id"))
			replace(&m->pod_id, cs_jscan_string(&s)), m->crio = true;
		else if (cs_jscan_is(&s, "image-name"))
			replace(&m->image_name, cs_jscan_string(&s));
		else if (cs_jscan_is(&s, "image-id"))
			replace(&m->image_id, cs_jscan_string(&s));
		else if (cs_jscan_is(&s, "name"))
			replace(&m->name, cs_jscan_string(&s));
		else if (cs_jscan_is(&s, "metadata-name"))
			replace(&m->metadata_name, cs_jscan_string(&s));
		else if (cs_jscan_is(&s, "uid"))
			replace(&m->uid, cs_jscan_string(&s));
		else if (cs_jscan_is(&s, "namespace"))
			replace(&m->namespace, cs_jscan_string(&s));
		else if (cs_jscan_is(&s, "created-at"))
			m->created_at = cs_jscan_int(&s, 0);
		else if (cs_jscan_is(&s, "pod"))
			m->pod = cs_jscan_bool(&s);
		else
			cs_jscan_skip(&s);
	}
}

/* What a CRI-O spec's annotations say. */
typedef struct crio {
	char *manager, *type, *sandbox_id, *log_path, *labels, *metadata, *created, *image_name, *image_ref;
	char **args;
} crio;

static void crio_free(crio *x)
{
	free(x->manager);
	free(x->type);
	free(x->sandbox_id);
	free(x->log_path);
	free(x->labels);
	free(x->metadata);
	free(x->created);
	free(x->image_name);
	free(x->image_ref);
	cs_strv_free(x->args);
}

static int scan_oci(const char *text, size_t len, crio *x, cs_error *e)
{
	cs_jscan s;
	cs_jscan_init(&s, text, len);
	if (cs_jscan_peek(&s) != CS_JOBJECT)
		return cs_err(e, -EBADMSG, "not a JSON object");
	cs_jscan_object(&s);
	while (cs_jscan_member(&s)) {
		if (cs_jscan_is(&s, "process") && cs_jscan_object(&s)) {
			while (cs_jscan_member(&s))
				if (cs_jscan_is(&s, "args"))
					cs_strv_free(x->args), x->args = cs_jscan_strv(&s, CS_PM_MAX_STRV);
				else
					cs_jscan_skip(&s);
		} else if (cs_jscan_is(&s, "annotations") && cs_jscan_object(&s)) {
			while (cs_jscan_member(&s)) {
				char **dst = cs_jscan_is(&s, "io.container.manager")		   ? &x->manager
					     : cs_jscan_is(&s, "io.kubernetes.cri-o.ContainerType") ? &x->type
					     : cs_jscan_is(&s, "io.kubernetes.cri-o.SandboxID")     ? &x->sandbox_id
					     : cs_jscan_is(&s, "io.kubernetes.cri-o.LogPath")       ? &x->log_path
					     : cs_jscan_is(&s, "io.kubernetes.cri-o.Labels")	   ? &x->labels
					     : cs_jscan_is(&s, "io.kubernetes.cri-o.Metadata")      ? &x->metadata
					     : cs_jscan_is(&s, "io.kubernetes.cri-o.Created")       ? &x->created
					     : cs_jscan_is(&s, "io.kubernetes.cri-o.ImageName")     ? &x->image_name
					     : cs_jscan_is(&s, "io.kubernetes.cri-o.ImageRef")      ? &x->image_ref
												    : NULL;
				if (dst)
					replace(dst, cs_jscan_string(&s));
				else
					cs_jscan_skip(&s);
			}
		} else {
			cs_jscan_skip(&s);
		}
	}
	return cs_jscan_finish(&s, e);
}

static const char *crio_name = "cri-o";

static void note_problem(pm_ctx *c, cs_container *ct, const char *file, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void note_problem(pm_ctx *c, cs_container *ct, const char *file, const char *fmt, ...)
{
	char msg[CS_ERRMSG_MAX + 256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pm_warn(c, &ct->problems, file, "%s", msg);
	ct->incomplete = true;
}

static void set_layers(pm_ctx *c, cs_container *ct, const pm_sctr *s)
{
	pm_store *st = c->st;
	if (!s || !s->layer) {
		ct->layers.complete = false;
		return;
	}
	const pm_layer *l = pm_layer_get(st, s->layer);
	if (c->listing) {
		/* a listing needs no stack: the layers are read when asked for */
		ct->layers_unread = true;
		ct->driver = l ? cs_xstrdup(l->driver) : NULL;
	} else {
		bool inc = false;
		pm_layer_stack(c, s->layer, "container", &ct->layers, &ct->problems, &inc);
		if (inc)
			ct->incomplete = true;
		ct->driver = cs_xstrdup(ct->layers.driver);
	}
	ct->mount_id = cs_xstrdup(s->layer);
	if (l)
		cs_evfiles_add(&ct->evidence, "layers", l->file);
	/* the kernel's marker of a volatile mount never cleanly unmounted */
	if (s->is_volatile && l && strcmp(l->driver, "overlay") == 0) {
		_cleanup_free_ char *dirty = pm_path(st, "overlay/%s/work/work/incompat/volatile/dirty", s->layer);
		if (cs_source_exists(c->src, dirty)) {
			ct->upper_torn = true;
			cs_evfiles_add(&ct->evidence, "volatile dirty marker", dirty);
			pm_note(c, &ct->problems, dirty,
				"container %s: volatile (its upper layer was written without syncs) and the kernel's dirty "
				"marker `%s` remains: it was never cleanly unmounted%s",
				ct->name ? ct->name : ct->id, dirty,
				ct->state.running ? "; it was mounted when the host went down: its files may be torn" : "");
		}
	}
	ct->diff_hidden = cs_xcalloc(CS_ARRAY_SIZE(podman_init_inodes) + 1, sizeof(char *));
	for (size_t i = 0; i < CS_ARRAY_SIZE(podman_init_inodes); i++)
		ct->diff_hidden[i] = cs_xstrdup(podman_init_inodes[i]);
	/* owners as the container saw them */
	add_idmap(c, ct, &s->ids, 'u');
	add_idmap(c, ct, &s->ids, 'g');
}

static void set_log(pm_ctx *c, cs_container *ct)
{
	pm_store *st = c->st;
	if (!ct->log_driver)
		return;
	if (strcmp(ct->log_driver, "journald") == 0) {
		ct->log_evidence_path = cs_xstrdup(st->journal_dir);
		return;
	}
	if (!ct->log_path || (strcmp(ct->log_driver, "k8s-file") != 0 && strcmp(ct->log_driver, "cri") != 0))
		return;
	char *ev = pm_host_to_evidence(st, ct->log_path);
	cs_stat sb;
	if (ev && cs_source_stat(c->src, ev, false, &sb, NULL) == 0) {
		ct->log_evidence_path = ev;
		cs_evfiles_add(&ct->evidence, "LogPath", ev);
	} else {
		free(ev);
	}
}

static cs_container *new_container(cs_dataroot *dr, const char *id)
{
	cs_container *ct = CS_PUSH(dr->containers, dr->n_containers, dr->cap_containers);
	memset(ct, 0, sizeof(*ct));
	ct->id = cs_xstrdup(id);
	ct->created = ct->updated = ct->state.started_at = ct->state.finished_at = CS_TIME_NEVER;
	ct->last_used = CS_TIME_NEVER; /* libpod keeps no last-use time apart from its start */
	ct->host_root = cs_xstrdup(dr->host_path);
	return ct;
}

static void from_libpod(pm_ctx *c, pm_lctr *l, pm_sctr *s)
{
	pm_store *st = c->st;
	cs_container *ct = new_container(c->dr, l->id);
	ct->namespace = cs_xstrdup(st->user);
	/* the container keeps the stored JSON (for inspect): no second copy */
	ct->config_json = l->config ? TAKE_PTR(l->config) : cs_xstrdup("{}");
	ct->status_json = TAKE_PTR(l->state);
	cs_evfiles_add(&ct->evidence, "libpod database", st->db.file);
	if (l->problem)
		note_problem(c, ct, st->db.file, "%s", l->problem);
	lcfg x = {.created = CS_TIME_NEVER, .started = CS_TIME_NEVER, .finished = CS_TIME_NEVER};
	cs_error e = {0};
	if (scan_config(ct->config_json, &x, &e) < 0)
		note_problem(c, ct, st->db.file, "`%s`: container %s: its config is damaged (%s)", st->db.file, l->id,
			     e.msg);
	if (ct->status_json && scan_state(ct->status_json, &x, &e) < 0)
		note_problem(c, ct, st->db.file, "`%s`: container %s: its state is damaged (%s): its state is unknown",
			     st->db.file, l->id, e.msg);
	ct->name = cs_xstrdup(x.name ? x.name : l->name ? l->name : l->id);
	ct->image_ref = cs_xstrdup(x.image_name ? x.image_name : x.raw_image);
	ct->image_id = cs_xstrdup(x.image_id);
	ct->labels = TAKE_PTR(x.labels);
	ct->created = x.created != CS_TIME_NEVER ? x.created : s ? s->created : CS_TIME_NEVER;
	if (x.args && x.args[0]) {
		ct->path = cs_xstrdup(x.args[0]);
		size_t n = cs_strv_len(x.args);
		ct->args = cs_xcalloc(n, sizeof(char *));
		for (size_t i = 1; i < n; i++)
			ct->args[i - 1] = cs_xstrdup(x.args[i]);
	} else {
		ct->args = cs_xcalloc(1, sizeof(char *));
	}
	/* state */
	if (!x.have_state || x.state == 0) {
		ct->state_unknown = true;
	} else {
		ct->state.running = x.state == 3 || x.state == 5 || x.state == 8;
		ct->state.paused = x.state == 5;
		ct->state.removal_in_progress = x.state == 7;
		ct->state.pid = x.pid;
		ct->state.exit_code = x.exit_code;
		if (!x.exited && l->have_exit && (x.state == 4 || x.state == 6))
			ct->state.exit_code = l->exit_code;
		ct->state.oom_killed = x.oom;
		ct->state.started_at = x.started;
		ct->state.finished_at = x.finished;
		ct->has_been_started_before = CS_TIME_IS_REAL(x.started);
	}
	ct->restart_count = x.restarts;
	/* pods: the infra container stands for the pod's sandbox */
	ct->sandbox = x.infra;
	const char *pod_id = x.pod ? x.pod : l->pod_id;
	if (pod_id) {
		const pm_lpod *p = pm_pod_get(st, pod_id);
		ct->pod = cs_xcalloc(1, sizeof(*ct->pod));
		ct->pod->name = cs_xstrdup(p && p->name ? p->name : pod_id);
		ct->pod->uid = cs_xstrdup(pod_id);
		if (p && p->infra && strcmp(p->infra, l->id) != 0)
			ct->sandbox_id = cs_xstrdup(p->infra);
	}
	/* logs */
	ct->log_driver = cs_xstrdup(x.log_driver && *x.log_driver ? x.log_driver : "k8s-file");
	ct->log_path = cs_xstrdup(x.log_path);
	ct->log_max_size = x.log_size > 0 ? x.log_size : 0;
	set_log(c, ct);
	/* mounts: named volumes, and the binds and tmpfs the user asked for */
	size_t mcap = 0;
	const char *vp = st->db.volume_path;
	_cleanup_free_ char *vdef = cs_xasprintf("%s/volumes", st->host_path);
	for (size_t i = 0; i < x.n_named; i++) {
		cs_mount *m = CS_PUSH(ct->mounts, ct->n_mounts, mcap);
		*m = x.named[i];
		memset(&x.named[i], 0, sizeof(x.named[i]));
		m->driver = cs_xstrdup("local");
		if (pm_safe_name(m->name)) {
			_cleanup_free_ char *src = cs_xasprintf("%s/%s/_data", vp ? vp : vdef, m->name);
			m->source = cs_xstrdup(src);
			char *ev = pm_host_to_evidence(st, src);
			cs_stat sb;
			if (ev && cs_source_stat(c->src, ev, true, &sb, NULL) == 0 && S_ISDIR(sb.mode))
				m->evidence_path = ev;
			else
				free(ev);
		}
	}
	for (size_t i = 0; i < x.n_mounts; i++) {
		bool user = false;
		for (char **u = x.user_volumes; u && *u && !user; u++)
			user = strcmp(*u, x.mounts[i].destination) == 0;
		if (!user)
			continue;
		cs_mount *m = CS_PUSH(ct->mounts, ct->n_mounts, mcap);
		*m = x.mounts[i];
		memset(&x.mounts[i], 0, sizeof(x.mounts[i]));
	}
	/* storage */
	if (s) {
		s->used = true;
		cs_evfiles_add(&ct->evidence, "storage record", s->file);
		ct->dir = pm_path(st, "%s-containers/%s", s->driver, s->id);
		if (!ct->image_id && s->image)
			ct->image_id = cs_xstrdup(s->image);
		set_layers(c, ct, s);
		/* --userns mappings recorded by libpod, when storage has none */
		static const char kinds[2] = {'u', 'g'};
		for (int k = 0; k < 2; k++)
			if (!has_kind(&s->ids, kinds[k]) && has_kind(&x.ids, kinds[k]) && !has_kind(&ct->idmap, kinds[k]))
				add_idmap(c, ct, &x.ids, kinds[k]);
	} else {
		_cleanup_free_ char *cj = pm_path(st, "%s-containers/containers.json", st->driver);
		note_problem(c, ct, cj,
			     "container %s (%s): Podman records it but `%s` has no record of it: its files are unknown",
			     ct->name, ct->id, cj);
		ct->layers.complete = false;
	}
	lcfg_free(&x);
}

/* "k8s_<container>_<pod>_<namespace>_<uid>_<attempt>" */
static void parse_k8s_name(const char *n, cs_pod *p, char **cname, int64_t *attempt)
{
	if (!n || !cs_str_startswith(n, "k8s_"))
		return;
	char *parts[6] = {0};
	size_t k = 0;
	const char *s = n + 4;
	while (k < 6 && *s) {
		size_t l = strcspn(s, "_");
		parts[k++] = cs_xstrndup(s, l);
		s += l;
		if (*s == '_')
			s++;
	}
	if (k == 5 || k == 6) {
		if (!*cname)
			*cname = cs_xstrdup(parts[0]);
		if (!p->name)
			p->name = cs_xstrdup(parts[1]);
		if (!p->namespace)
			p->namespace = cs_xstrdup(parts[2]);
		if (!p->uid)
			p->uid = cs_xstrdup(parts[3]);
		if (k == 6)
			(void)cs_parse_i64(parts[4] && parts[5] ? parts[5] : "0", attempt);
	}
	for (size_t i = 0; i < k; i++)
		free(parts[i]);
}

static void from_storage(pm_ctx *c, pm_sctr *s)
{
	pm_store *st = c->st;
	cs_container *ct = new_container(c->dr, s->id);
	ct->namespace = cs_xstrdup(st->user);
	ct->state_unknown = true;
	ct->args = cs_xcalloc(1, sizeof(char *));
	ct->dir = pm_path(st, "%s-containers/%s", s->driver, s->id);
	cs_evfiles_add(&ct->evidence, "storage record", s->file);
	meta m = {0};
	scan_meta(s->metadata, &m);
	crio x = {0};
	_cleanup_free_ char *spec = pm_path(st, "%s-containers/%s/userdata/config.json", s->driver, s->id);
	char *text = NULL;
	size_t len = 0;
	cs_error e = {0};
	int r = cs_source_read_file(c->src, spec, CS_PM_MAX_SMALL, &text, &len, &e);
	if (r == 0) {
		if (scan_oci(text, len, &x, &e) < 0)
			note_problem(c, ct, spec, "`%s`: container %s: %s", spec, s->id, e.msg);
		else
			cs_evfiles_add(&ct->evidence, "OCI spec", spec);
		ct->config_json = TAKE_PTR(text);
	} else if (r != -ENOENT) {
		note_problem(c, ct, spec, "container %s: %s", s->id, e.msg);
	}
	free(text);
	bool is_crio = m.crio || (x.manager && strcmp(x.manager, "cri-o") == 0);
	ct->created = s->created;
	ct->image_ref = cs_xstrdup(x.image_name ? x.image_name : m.image_name);
	ct->image_id = cs_xstrdup(m.image_id ? m.image_id : s->image);
	if (x.args && x.args[0]) {
		ct->path = cs_xstrdup(x.args[0]);
		size_t n = cs_strv_len(x.args);
		free(ct->args);
		ct->args = cs_xcalloc(n, sizeof(char *));
		for (size_t i = 1; i < n; i++)
			ct->args[i - 1] = cs_xstrdup(x.args[i]);
	}
	if (is_crio) {
		ct->engine = crio_name;
		ct->sandbox = m.pod || (x.type && strcmp(x.type, "sandbox") == 0);
		ct->pod = cs_xcalloc(1, sizeof(*ct->pod));
		char *cname = NULL;
		if (x.labels) {
			json_object *j = NULL;
			if (cs_json_parse(x.labels, strlen(x.labels), &j, NULL) == 0) {
				cs_strv_free(ct->labels);
				ct->labels = cs_json_labels(j);
				ct->pod->name = cs_json_strdup(j, "io.kubernetes.pod.name");
				ct->pod->namespace = cs_json_strdup(j, "io.kubernetes.pod.namespace");
				ct->pod->uid = cs_json_strdup(j, "io.kubernetes.pod.uid");
				cname = cs_json_strdup(j, "io.kubernetes.container.name");
				json_object_put(j);
			}
		}
		if (x.metadata) {
			json_object *j = NULL;
			if (cs_json_parse(x.metadata, strlen(x.metadata), &j, NULL) == 0) {
				ct->restart_count = cs_json_i64(j, "attempt", 0);
				json_object_put(j);
			}
		}
		if (!ct->pod->uid && m.uid)
			ct->pod->uid = cs_xstrdup(m.uid);
		if (!ct->pod->namespace && m.namespace)
			ct->pod->namespace = cs_xstrdup(m.namespace);
		parse_k8s_name(s->names[0], ct->pod, &cname, &ct->restart_count);
		if (ct->sandbox) {
			free(cname);
			ct->name = cs_xstrdup(ct->pod->name ? ct->pod->name : m.metadata_name ? m.metadata_name : s->names[0]);
		} else {
			ct->name = cname ? cname : cs_xstrdup(m.metadata_name ? m.metadata_name : s->names[0]);
		}
		ct->sandbox_id = cs_xstrdup(x.sandbox_id ? x.sandbox_id : m.pod_id);
		if (ct->sandbox_id && strcmp(ct->sandbox_id, ct->id) == 0 && ct->sandbox) {
			free(ct->sandbox_id);
			ct->sandbox_id = NULL;
		}
		if (x.created) {
			cs_time t;
			if (cs_time_parse(x.created, &t) == 0)
				ct->created = t;
		}
		ct->log_driver = cs_xstrdup("cri");
		ct->log_path = cs_xstrdup(x.log_path);
		set_log(c, ct);
		ct->status_json = cs_xstrdup(s->metadata);
	} else {
		ct->name = cs_xstrdup(s->names[0] ? s->names[0] : m.name ? m.name : s->id);
		ct->status_json = cs_xstrdup(s->metadata);
	}
	if (!ct->config_json)
		ct->config_json = cs_xstrdup("{}");
	if (!ct->name)
		ct->name = cs_xstrdup(ct->id);
	set_layers(c, ct, s);
	meta_free(&m);
	crio_free(&x);
}

void pm_load_containers(pm_ctx *c)
{
	pm_store *st = c->st;
	cs_strmap sidx = {0};
	for (size_t i = 0; i < st->n_sctrs; i++)
		cs_strmap_put(&sidx, st->sctrs[i].id, (void *)(uintptr_t)(i + 1));
	for (size_t i = 0; i < st->db.n_ctrs; i++) {
		void *p = cs_strmap_get(&sidx, st->db.ctrs[i].id);
		from_libpod(c, &st->db.ctrs[i], p ? &st->sctrs[(uintptr_t)p - 1] : NULL);
	}
	cs_strmap_free(&sidx, NULL);
	for (size_t i = 0; i < st->n_sctrs; i++)
		if (!st->sctrs[i].used)
			from_storage(c, &st->sctrs[i]);
}

void pm_load_volumes(pm_ctx *c)
{
	pm_store *st = c->st;
	cs_dataroot *dr = c->dr;
	const char *vp = st->db.volume_path;
	_cleanup_free_ char *vdef = cs_xasprintf("%s/volumes", st->host_path);
	cs_strmap seen = {0};
	for (size_t i = 0; i < st->db.n_vols; i++) {
		const pm_lvol *v = &st->db.vols[i];
		if (!pm_safe_name(v->name) || cs_strmap_has(&seen, v->name))
			continue;
		cs_strmap_put(&seen, v->name, (void *)1);
		cs_volume *x = CS_PUSH(dr->volumes, dr->n_volumes, dr->cap_volumes);
		memset(x, 0, sizeof(*x));
		x->name = cs_xstrdup(v->name);
		x->namespace = cs_xstrdup(st->user);
		x->created = CS_TIME_NEVER;
		char *drv = NULL;
		if (v->config) {
			cs_jscan s;
			cs_jscan_init(&s, v->config, strlen(v->config));
			if (cs_jscan_object(&s)) {
				while (cs_jscan_member(&s)) {
					if (!drv && cs_jscan_is(&s, "volumeDriver"))
						drv = cs_jscan_string(&s);
					else if (cs_jscan_is(&s, "createdAt"))
						x->created = pm_jtime(&s); /* libpod's VolumeConfig.CreatedTime */
					else
						cs_jscan_skip(&s);
				}
			}
		}
		x->driver = drv ? drv : cs_xstrdup("local");
		char *src = cs_xasprintf("%s/%s/_data", vp ? vp : vdef, v->name);
		x->data_path = pm_host_to_evidence(st, src);
		x->host_path = src;
	}
	/* volumes/<name>/_data with no record (a database lost or damaged) */
	_cleanup_free_ char *vdir = vp ? pm_host_to_evidence(st, vp) : pm_path(st, "volumes");
	cs_dirent *d = NULL;
	size_t n = 0;
	if (vdir && cs_source_list(c->src, vdir, &d, &n, NULL) == 0) {
		for (size_t i = 0; i < n && dr->n_volumes < 100000; i++) {
			if (cs_strmap_has(&seen, d[i].name) || !pm_safe_name(d[i].name))
				continue;
			_cleanup_free_ char *data = cs_xasprintf("%s/%s/_data", vdir, d[i].name);
			cs_stat sb;
			if (cs_source_stat(c->src, data, false, &sb, NULL) < 0 || !S_ISDIR(sb.mode))
				continue;
			cs_volume *x = CS_PUSH(dr->volumes, dr->n_volumes, dr->cap_volumes);
			memset(x, 0, sizeof(*x));
			x->name = cs_xstrdup(d[i].name);
			x->namespace = cs_xstrdup(st->user);
			x->created = CS_TIME_NEVER;
			x->driver = cs_xstrdup("local");
			x->data_path = TAKE_PTR(data);
		}
		cs_dirents_free(d, n);
	}
	cs_strmap_free(&seen, NULL);
}
