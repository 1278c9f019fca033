/* ctrd_container.c - containers of a containerd namespace.
 *
 * A record in v1/<ns>/containers/<id> gives labels, image name, runtime,
 * snapshotter and snapshot key, the OCI spec (a protobuf Any holding JSON),
 * times and extensions. The CRI plugin adds, for Kubernetes:
 *   - labels io.kubernetes.{pod.name,pod.namespace,pod.uid,container.name}
 *     and io.cri-containerd.kind (sandbox | container);
 *   - the extension io.cri-containerd.{container,sandbox}.metadata, JSON
 *     with the log path, the restart attempt, the sandbox id and the image
 *     id (the config digest);
 *   - io.containerd.grpc.v1.cri/containers/<id>/status beside meta.db, the
 *     only file that says whether the container ran (unix ns times, exit
 *     code, last pid), rewritten on every change.
 * Anything else (ctr, nerdctl, a sandbox in containerd 1.6) has no state on
 * disk: containerd keeps tasks in /run. Such containers are `unknown`.
 * Logs are the kubelet's CRI files on the host (var/log/pods/...), found
 * from the recorded path inside the evidence or from the
 * var/log/containers symlink, resolved inside the evidence too.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "engines/containerd/ctrd_internal.h"
#include "formats/jscan.h"
#include "formats/jsonutil.h"
#include "formats/protowire.h"

static void replace(char **dst, char *v)
{
	free(*dst);
	*dst = v;
}

/* spec: process.args, mounts[] */
static void scan_spec(cs_container *ct, const char *text, size_t len, cs_error *e, int *ret)
{
	cs_jscan s;
	cs_jscan_init(&s, text, len);
	size_t mcap = 0;
	if (cs_jscan_object(&s))
		while (cs_jscan_member(&s)) {
			if (cs_jscan_is(&s, "process") && cs_jscan_object(&s)) {
				while (cs_jscan_member(&s)) {
					if (!cs_jscan_is(&s, "args") || !cs_jscan_array(&s)) {
						cs_jscan_skip(&s);
						continue;
					}
					size_t n = 0, cap = 0;
					char **v = NULL;
					while (cs_jscan_element(&s)) {
						char *a = cs_jscan_string(&s);
						if (!a)
							continue;
						if (!ct->path)
							ct->path = a;
						else
							*CS_PUSH(v, n, cap) = a;
					}
					*CS_PUSH(v, n, cap) = NULL;
					cs_strv_free(ct->args);
					ct->args = v;
				}
			} else if (cs_jscan_is(&s, "mounts") && cs_jscan_array(&s)) {
				while (cs_jscan_element(&s)) {
					if (!cs_jscan_object(&s))
						continue;
					cs_mount m = {0};
					char *type = NULL;
					bool ro = false;
					while (cs_jscan_member(&s)) {
						if (cs_jscan_is(&s, "destination"))
							replace(&m.destination, cs_jscan_string(&s));
						else if (cs_jscan_is(&s, "source"))
							replace(&m.source, cs_jscan_string(&s));
						else if (cs_jscan_is(&s, "type"))
							replace(&type, cs_jscan_string(&s));
						else if (cs_jscan_is(&s, "options") && cs_jscan_array(&s)) {
							while (cs_jscan_element(&s)) {
								char *o = cs_jscan_string(&s);
								if (o && strcmp(o, "ro") == 0)
									ro = true;
								if (o && (strcmp(o, "rbind") == 0 || strcmp(o, "bind") == 0) &&
								    !type)
									type = cs_xstrdup("bind");
								if (o && (strcmp(o, "rprivate") == 0 || strcmp(o, "rslave") == 0 ||
									  strcmp(o, "rshared") == 0 || strcmp(o, "private") == 0))
									replace(&m.propagation, cs_xstrdup(o));
								free(o);
							}
						} else
							cs_jscan_skip(&s);
					}
					/* only binds and tmpfs are the user's; proc, sysfs, devpts... are the runtime's */
					if (type && strcmp(type, "bind") == 0) {
						m.type = CS_MOUNT_BIND;
					} else if (type && strcmp(type, "tmpfs") == 0 && m.destination &&
						   strcmp(m.destination, "/dev") != 0 && !cs_str_startswith(m.destination, "/dev/") &&
						   !cs_str_startswith(m.destination, "/run/secrets")) {
						m.type = CS_MOUNT_TMPFS;
					} else {
						free(m.destination);
						free(m.source);
						free(m.propagation);
						free(type);
						continue;
					}
					free(type);
					m.rw = !ro;
					*CS_PUSH(ct->mounts, ct->n_mounts, mcap) = m;
				}
			} else {
				cs_jscan_skip(&s);
			}
		}
	*ret = cs_jscan_finish(&s, e);
}

typedef struct cri_meta {
	char *log_path, *sandbox_id, *image_ref, *name, *log_dir;
	int64_t attempt;
	bool have;
} cri_meta;

static void cri_meta_free(cri_meta *m)
{
	free(m->log_path);
	free(m->sandbox_id);
	free(m->image_ref);
	free(m->name);
	free(m->log_dir);
}

/* The CRI extension's JSON: {"Version":"v1","Metadata":{...}} */
static void parse_cri_ext(const uint8_t *v, size_t l, cri_meta *m)
{
	json_object *j = NULL;
	if (cs_json_parse((const char *)v, l, &j, NULL) < 0)
		return;
	json_object *md = cs_json_get_obj(j, "Metadata");
	if (md) {
		m->have = true;
		m->log_path = cs_json_strdup(md, "LogPath");
		m->sandbox_id = cs_json_strdup(md, "SandboxID");
		m->image_ref = cs_json_strdup(md, "ImageRef");
		json_object *cfg = cs_json_get_obj(md, "Config");
		json_object *meta = cs_json_get_obj(cfg, "metadata");
		m->name = cs_json_strdup(meta, "name");
		m->attempt = cs_json_i64(meta, "attempt", 0);
		m->log_dir = cs_json_strdup(cfg, "log_directory");
	}
	json_object_put(j);
}

typedef struct labelctx {
	cs_container *ct;
	char *kind;
	char **all; /* every label as "k=v", for the model's labels */
	size_t n, cap;
} labelctx;

static int label_cb(void *ud, const uint8_t *k, size_t kl, const uint8_t *v, size_t vl, bool isb)
{
	labelctx *l = ud;
	if (isb)
		return 0;
	cs_container *ct = l->ct;
	if (l->n < 4096 && kl <= 65536 && vl <= 65536)
		*CS_PUSH(l->all, l->n, l->cap) = cs_xasprintf("%.*s=%.*s", (int)kl, (const char *)k, (int)vl, (const char *)v);
#define IS(s) (kl == sizeof(s) - 1 && memcmp(k, s, kl) == 0)
	char **dst = NULL;
	if (IS("io.kubernetes.pod.name") || IS("io.kubernetes.pod.namespace") || IS("io.kubernetes.pod.uid")) {
		if (!ct->pod)
			ct->pod = cs_xcalloc(1, sizeof(*ct->pod));
		dst = IS("io.kubernetes.pod.name") ? &ct->pod->name
		      : IS("io.kubernetes.pod.namespace") ? &ct->pod->namespace : &ct->pod->uid;
	} else if (IS("io.kubernetes.container.name")) {
		dst = &ct->name;
	} else if (IS("io.cri-containerd.kind")) {
		dst = &l->kind;
	}
#undef IS
	if (dst)
		replace(dst, cs_xstrndup((const char *)v, vl));
	return 0;
}

/* CRI status: {"Version","Pid","CreatedAt","StartedAt","FinishedAt","ExitCode","Reason","Message",...} */
static int scan_status(cs_container *ct, const char *text, size_t len, cs_error *e)
{
	cs_jscan s;
	cs_jscan_init(&s, text, len);
	int64_t created = 0, started = 0, finished = 0;
	if (cs_jscan_peek(&s) != CS_JOBJECT)
		return cs_err(e, -EBADMSG, "not a JSON object");
	if (cs_jscan_object(&s))
		while (cs_jscan_member(&s)) {
			if (cs_jscan_is(&s, "Pid"))
				ct->state.pid = cs_jscan_int(&s, 0);
			else if (cs_jscan_is(&s, "CreatedAt"))
				created = cs_jscan_int(&s, 0);
			else if (cs_jscan_is(&s, "StartedAt"))
				started = cs_jscan_int(&s, 0);
			else if (cs_jscan_is(&s, "FinishedAt"))
				finished = cs_jscan_int(&s, 0);
			else if (cs_jscan_is(&s, "ExitCode"))
				ct->state.exit_code = cs_jscan_int(&s, 0);
			else if (cs_jscan_is(&s, "Reason"))
				replace(&ct->state_reason, cs_jscan_string(&s));
			else if (cs_jscan_is(&s, "Message"))
				replace(&ct->state.error, cs_jscan_string(&s));
			else
				cs_jscan_skip(&s);
		}
	int r = cs_jscan_finish(&s, e);
	if (r < 0)
		return r;
	/* the CRI's own derivation (pkg/cri/store/container/status.go State()) */
	ct->state.started_at = started ? (cs_time)started : CS_TIME_NEVER;
	ct->state.finished_at = finished ? (cs_time)finished : CS_TIME_NEVER;
	ct->state.running = finished == 0 && started != 0;
	ct->has_been_started_before = started != 0;
	if (created) /* the CRI's own creation time (what crictl shows) */
		ct->created = created;
	return 0;
}

/* The host's "/" inside the evidence, from the root's two names. */
static void find_sysroot_prefix(cd_root *r, const cs_dataroot *dr)
{
	if (r->sysroot_prefix || !dr->host_path || dr->host_path[0] != '/')
		return;
	const char *h = dr->host_path + 1;
	size_t hl = strlen(h), pl = strlen(r->path);
	if (hl == 0 || pl < hl || strcmp(r->path + pl - hl, h) != 0)
		return;
	if (pl > hl && r->path[pl - hl - 1] != '/')
		return;
	r->sysroot_prefix = cs_xstrndup(r->path, pl - hl);
}

/* var/log/containers/<pod>_<ns>_<ctr>-<id>.log -> its target inside the evidence */
static char *log_from_link(cd_ctx *c, const char *id)
{
	cd_root *r = c->root;
	if (!r->sysroot_prefix)
		return NULL;
	_cleanup_free_ char *dir = cs_xasprintf("%svar/log/containers", r->sysroot_prefix);
	if (!r->logs_listed) {
		r->logs_listed = true;
		cs_dirent *d;
		size_t n;
		if (cs_source_list(c->src, dir, &d, &n, NULL) == 0) {
			r->logs_links = cs_xcalloc(n + 1, sizeof(char *));
			for (size_t i = 0; i < n; i++)
				r->logs_links[r->n_logs_links++] = TAKE_PTR(d[i].name);
			cs_dirents_free(d, n);
		}
	}
	_cleanup_free_ char *suffix = cs_xasprintf("-%s.log", id);
	for (size_t i = 0; i < r->n_logs_links; i++) {
		if (!cs_str_endswith(r->logs_links[i], suffix))
			continue;
		_cleanup_free_ char *lp = cs_path_join(dir, r->logs_links[i]);
		char *t = NULL;
		if (cs_source_readlink(c->src, lp, &t, NULL) < 0)
			return cs_xstrdup(lp); /* a plain file */
		char *ev = t[0] == '/' ? cs_xasprintf("%s%s", r->sysroot_prefix, t + 1) : cs_path_join(dir, t);
		free(t);
		return ev;
	}
	return NULL;
}

static void find_log(cd_ctx *c, cs_container *ct, const cri_meta *m)
{
	cd_root *r = c->root;
	char *ev = NULL;
	if (m->log_path && m->log_path[0] == '/' && r->sysroot_prefix && !strstr(m->log_path, "/../")) {
		ev = cs_xasprintf("%s%s", r->sysroot_prefix, m->log_path + 1);
		if (!cs_source_exists(c->src, ev)) {
			free(ev);
			ev = NULL;
		}
	}
	if (!ev && !ct->sandbox)
		ev = log_from_link(c, ct->id);
	if (!ev)
		return;
	cs_stat st;
	if (cs_source_stat(c->src, ev, true, &st, NULL) < 0) {
		free(ev);
		return;
	}
	ct->log_evidence_path = ev;
	cs_evfiles_add(&ct->evidence, "LogPath", ev);
}

typedef struct ctctx {
	cd_ctx *c;
	const char *ns;
	const cs_bolt_bucket *parent;
} ctctx;

static void report_from(cd_ctx *c, cs_container *ct, size_t before)
{
	for (size_t i = before; i < ct->problems.n; i++) {
		c->dr->n_warnings++;
		if (c->diag) {
			cs_diag d = {.severity = CS_WARN, .file = ct->problems.v[i].file, .msg = ct->problems.v[i].msg};
			c->diag(c->diag_ud, &d);
		}
	}
}

static int container_record(void *ud, const uint8_t *k, size_t kl, const uint8_t *v, size_t vl, bool isb)
{
	ctctx *x = ud;
	cd_ctx *c = x->c;
	cs_dataroot *dr = c->dr;
	if (!isb)
		return 0;
	cs_container *ct = CS_PUSH(dr->containers, dr->n_containers, dr->cap_containers);
	ct->id = cs_xstrndup((const char *)k, kl);
	ct->namespace = cs_xstrdup(x->ns);
	ct->created = ct->updated = ct->state.started_at = ct->state.finished_at = CS_TIME_NEVER;
	ct->args = cs_xcalloc(1, sizeof(char *));
	ct->host_root = cs_xstrdup(dr->host_path);
	ct->state_unknown = true;
	cs_evfiles_add(&ct->evidence, "record", c->root->meta_path);
	const char *mp = c->root->meta_path;
	cs_bolt_bucket b;
	cs_error e = {0};
	if (cs_bolt_bucket_from(x->parent, v, vl, &b, &e) < 0) {
		cd_warn(c, &ct->problems, mp, "container %s/%s: %s", x->ns, ct->id, e.msg);
		ct->incomplete = true;
		ct->name = cs_xstrdup(ct->id);
		return 0;
	}
	if (cs_bolt_check(&b, &e) < 0) {
		/* the fields below read what is left */
		cd_warn(c, &ct->problems, mp, "`%s`: container %s/%s: its record is damaged: %s", mp, x->ns, ct->id,
			e.msg);
		ct->incomplete = true;
	}
	ct->created = cd_btime(&b, "createdat");
	ct->updated = cd_btime(&b, "updatedat");
	if (ct->created == CS_TIME_INVALID)
		cd_warn(c, &ct->problems, mp, "`%s`: container %s/%s: createdat is not a Go time", mp, x->ns, ct->id);
	ct->image_ref = cd_bstr(&b, "image");
	ct->snapshotter = cd_bstr(&b, "snapshotter");
	ct->snapshot_key = cd_bstr(&b, "snapshotKey");
	ct->sandbox_id = cd_bstr(&b, "sandboxid");
	/* labels: Kubernetes identity */
	labelctx lc = {.ct = ct};
	cs_bolt_bucket lb;
	int r = cs_bolt_bucket_open(&b, "labels", &lb, &e);
	if (r < 0 || (r == 1 && cs_bolt_foreach(&lb, label_cb, &lc, &e) < 0))
		cd_warn(c, &ct->problems, mp, "container %s/%s: labels: %s", x->ns, ct->id, e.msg);
	if (lc.all) {
		*CS_PUSH(lc.all, lc.n, lc.cap) = NULL;
		cs_strv_sort(lc.all);
		cs_strv_free(ct->labels);
		ct->labels = lc.all;
	}
	ct->sandbox = lc.kind && strcmp(lc.kind, "sandbox") == 0;
	bool cri = lc.kind != NULL;
	free(lc.kind);
	if (ct->sandbox && ct->pod && ct->pod->name) {
		replace(&ct->name, cs_xstrdup(ct->pod->name));
	}
	/* the spec */
	const uint8_t *sv;
	size_t sl;
	r = cs_bolt_get_str(&b, "spec", &sv, &sl, NULL); /* damage: said by cs_bolt_check above */
	if (r == 1) {
		const uint8_t *url, *val;
		size_t ul, vl2;
		const char *why = NULL;
		if (cs_pb_any(sv, sl, &url, &ul, &val, &vl2, &why) < 0) {
			cd_warn(c, &ct->problems, mp, "`%s`: container %s/%s: spec: not a protobuf Any (%s)", mp, x->ns,
				ct->id, why);
			ct->incomplete = true;
		} else {
			ct->config_json = cs_xstrndup((const char *)val, vl2);
			int sr = 0;
			/* a NUL inside ends the copy (and is no JSON): scan what was kept */
			scan_spec(ct, ct->config_json, strlen(ct->config_json), &e, &sr);
			if (sr < 0) {
				cd_warn(c, &ct->problems, mp, "`%s`: container %s/%s: spec: %s", mp, x->ns, ct->id, e.msg);
				ct->incomplete = true;
			}
		}
	} else {
		ct->config_json = cs_xstrdup("{}");
	}
	/* CRI extension */
	cri_meta m = {0};
	cs_bolt_bucket eb;
	r = cs_bolt_bucket_open(&b, "extensions", &eb, &e);
	if (r < 0)
		cd_warn(c, &ct->problems, mp, "`%s`: container %s/%s: extensions: %s", mp, x->ns, ct->id, e.msg);
	if (r == 1) {
		static const char *const exts[] = {"io.cri-containerd.container.metadata",
						   "io.cri-containerd.sandbox.metadata"};
		for (size_t i = 0; i < CS_ARRAY_SIZE(exts) && !m.have; i++) {
			const uint8_t *ev, *url, *val;
			size_t el, ul, vl2;
			const char *why;
			int g = cs_bolt_get_str(&eb, exts[i], &ev, &el, &e);
			if (g < 0)
				cd_warn(c, &ct->problems, mp, "`%s`: container %s/%s: extension %s: %s", mp, x->ns, ct->id,
					exts[i], e.msg);
			if (g != 1)
				continue;
			if (cs_pb_any(ev, el, &url, &ul, &val, &vl2, &why) == 0)
				parse_cri_ext(val, vl2, &m);
			else
				cd_warn(c, &ct->problems, mp, "`%s`: container %s/%s: extension %s: not a protobuf Any (%s)",
					mp, x->ns, ct->id, exts[i], why);
		}
	}
	if (m.have) {
		if (!ct->name && m.name)
			ct->name = cs_xstrdup(m.name);
		if (!ct->sandbox_id && m.sandbox_id)
			ct->sandbox_id = cs_xstrdup(m.sandbox_id);
		ct->restart_count = m.attempt;
		if (m.log_path)
			ct->log_path = cs_xstrdup(m.log_path);
		if (m.image_ref)
			ct->image_id = cs_xstrdup(m.image_ref);
	}
	if (!ct->name)
		ct->name = cs_xstrdup(ct->id);
	/* the CRI's persisted status */
	if (cri && !ct->sandbox) {
		_cleanup_free_ char *sp = cd_path(c->root, "io.containerd.grpc.v1.cri/containers/%s/status", ct->id);
		char *text = NULL;
		size_t tl = 0;
		r = strchr(ct->id, '/') ? -EINVAL : cs_source_read_file(c->src, sp, CS_CTRD_MAX_SMALL, &text, &tl, &e);
		if (r == 0) {
			r = scan_status(ct, text, tl, &e);
			if (r == 0) {
				ct->state_unknown = false;
				ct->status_json = TAKE_PTR(text);
				cs_evfiles_add(&ct->evidence, "Status", sp);
			} else {
				cd_warn(c, &ct->problems, sp, "`%s`: container %s: %s: its state is unknown", sp, ct->id, e.msg);
				ct->incomplete = true;
			}
		} else if (r != -ENOENT) {
			cd_warn(c, &ct->problems, sp, "container %s: %s: its state is unknown", ct->id, e.msg);
		}
		free(text);
		_cleanup_free_ char *dir = cd_path(c->root, "io.containerd.grpc.v1.cri/containers/%s", ct->id);
		if (!strchr(ct->id, '/') && cs_source_exists(c->src, dir))
			ct->dir = TAKE_PTR(dir);
	}
	find_sysroot_prefix(c->root, dr);
	/* the kubelet's volumes (emptyDir, configMap, secret, ...) are bind
	 * sources under its pod directory: their data is in the evidence */
	for (size_t i = 0; i < ct->n_mounts && c->root->sysroot_prefix; i++) {
		cs_mount *mt = &ct->mounts[i];
		if (mt->type != CS_MOUNT_BIND || !mt->source || !cs_str_startswith(mt->source, "/var/lib/kubelet/pods/") ||
		    strstr(mt->source, "/../"))
			continue;
		char *ev = cs_xasprintf("%s%s", c->root->sysroot_prefix, mt->source + 1);
		cs_stat st;
		if (cs_source_stat(c->src, ev, false, &st, NULL) == 0 && S_ISDIR(st.mode))
			mt->evidence_path = ev;
		else
			free(ev);
	}
	if (cri) {
		ct->log_driver = cs_xstrdup("cri");
		find_log(c, ct, &m);
	}
	cri_meta_free(&m);
	/* layers */
	if (ct->snapshotter && ct->snapshot_key) {
		ct->driver = cs_xstrdup(ct->snapshotter);
		size_t before = ct->problems.n;
		r = cd_stack(c->root, x->ns, ct->snapshotter, ct->snapshot_key, NULL, &ct->layers, &ct->problems, &e);
		if (r < 0) {
			cd_warn(c, &ct->problems, mp, "container %s/%s: %s: its filesystem cannot be located", x->ns,
				ct->id, e.msg);
			ct->incomplete = true;
		} else {
			report_from(c, ct, before);
			if (!ct->layers.complete)
				ct->incomplete = true;
		}
		ct->mount_id = cs_xstrdup(ct->layers.n ? ct->layers.v[0].id : NULL);
	}
	return 0;
}

void cd_load_containers(cd_ctx *c, const char *ns, const cs_bolt_bucket *nsb)
{
	cs_bolt_bucket cb;
	cs_error e = {0};
	int k = cs_bolt_bucket_open(nsb, "containers", &cb, &e);
	if (k <= 0) {
		if (k < 0)
			cd_warn(c, NULL, c->root->meta_path, "namespace %s: containers: %s", ns, e.msg);
		return;
	}
	ctctx x = {.c = c, .ns = ns, .parent = &cb};
	if (cs_bolt_foreach(&cb, container_record, &x, &e) < 0)
		cd_warn(c, NULL, c->root->meta_path,
			"namespace %s: containers: %s: the containers after it are not listed", ns, e.msg);
}
