/* ctrd_inspect.c - containerd's own shapes of its items.
 *
 * A container is shown as `ctr containers info` prints it (the
 * containers.Container record: ID, Labels, Image, Runtime, SnapshotKey,
 * Snapshotter, CreatedAt, UpdatedAt, Extensions, SandboxID, and the Spec
 * decoded from its Any), re-read from meta.db; protobuf Any values keep
 * ctr's {"type_url", "value" (base64)} form. Kubernetes containers add
 * "Status", the CRI status fields the evidence holds (the state derived as
 * the CRI derives it). An image is its records (Name, Labels, Target,
 * CreatedAt, UpdatedAt) plus the platform manifest, config and chain ids
 * csleuth resolved. "Csleuth" names the evidence files and problems.
 */
#include <string.h>

#include "engines/containerd/ctrd_internal.h"
#include "formats/jsonutil.h"
#include "formats/protowire.h"
#include "render/render.h"
#include "render/render_internal.h"

static char *b64(const uint8_t *p, size_t n)
{
	static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *o = cs_xmalloc((n + 2) / 3 * 4 + 1), *q = o;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) | (i + 2 < n ? p[i + 2] : 0);
		*q++ = t[v >> 18 & 63];
		*q++ = t[v >> 12 & 63];
		*q++ = i + 1 < n ? t[v >> 6 & 63] : '=';
		*q++ = i + 2 < n ? t[v & 63] : '=';
	}
	*q = '\0';
	return o;
}

static json_object *jtime_go(cs_time t)
{
	char buf[CS_TIME_STRMAX];
	if (t == CS_TIME_NEVER)
		return json_object_new_string("0001-01-01T00:00:00Z");
	if (!cs_time_format_go(t, buf))
		return NULL;
	return json_object_new_string(buf);
}

static json_object *any_object(const uint8_t *v, size_t l)
{
	const uint8_t *url, *val;
	size_t ul, vl;
	const char *why;
	json_object *o = json_object_new_object();
	if (cs_pb_any(v, l, &url, &ul, &val, &vl, &why) < 0) {
		json_object_object_add(o, "error", json_object_new_string(why));
		return o;
	}
	if (ul) {
		char *u = cs_xstrndup((const char *)url, ul);
		json_object_object_add(o, "type_url", json_object_new_string(u));
		free(u);
	}
	if (vl) {
		char *s = b64(val, vl);
		json_object_object_add(o, "value", json_object_new_string(s));
		free(s);
	}
	return o;
}

typedef struct mapctx {
	json_object *o;
	const cs_bolt_bucket *parent;
	bool any;
} mapctx;

static int map_cb(void *ud, const uint8_t *k, size_t kl, const uint8_t *v, size_t vl, bool isb)
{
	mapctx *m = ud;
	if (isb)
		return 0;
	char *key = cs_xstrndup((const char *)k, kl);
	if (m->any) {
		json_object_object_add(m->o, key, any_object(v, vl));
	} else {
		char *val = cs_xstrndup((const char *)v, vl);
		json_object_object_add(m->o, key, json_object_new_string(val));
		free(val);
	}
	free(key);
	return 0;
}

/* The plain keys of sub-bucket name of b as a JSON object (Any values
 * decoded when any), or NULL when absent. */
static json_object *bucket_map(const cs_bolt_bucket *b, const char *name, bool any)
{
	cs_bolt_bucket s;
	if (cs_bolt_bucket_open(b, name, &s, NULL) != 1)
		return NULL;
	mapctx m = {.o = json_object_new_object(), .parent = &s, .any = any};
	(void)cs_bolt_foreach(&s, map_cb, &m, NULL);
	return m.o;
}

static json_object *str_or_empty(const cs_bolt_bucket *b, const char *key)
{
	const uint8_t *v;
	size_t l;
	if (cs_bolt_get_str(b, key, &v, &l, NULL) != 1)
		return json_object_new_string("");
	char *s = cs_xstrndup((const char *)v, l);
	json_object *o = json_object_new_string(s);
	free(s);
	return o;
}

static bool record(const cs_dataroot *dr, const char *ns, const char *kind, const char *name, cs_bolt_bucket *ret)
{
	cd_root *r = dr->engine_data;
	if (!r || !r->meta)
		return false;
	cs_bolt_root(r->meta, ret);
	const char *path[] = {"v1", ns, kind, name};
	for (size_t i = 0; i < CS_ARRAY_SIZE(path); i++)
		if (!path[i] || cs_bolt_bucket_open(ret, path[i], ret, NULL) != 1)
			return false;
	return true;
}

static json_object *sources(const cs_evfiles *ev)
{
	json_object *o = json_object_new_object();
	for (size_t i = 0; i < ev->n; i++)
		json_object_object_add(o, ev->v[i].role, json_object_new_string(ev->v[i].path));
	return o;
}

static json_object *cri_status(const cs_container *c)
{
	json_object *st = NULL;
	if (!c->status_json || cs_json_parse(c->status_json, strlen(c->status_json), &st, NULL) < 0)
		return NULL;
	json_object *o = json_object_new_object();
	const char *state = c->state.finished_at != CS_TIME_NEVER ? "CONTAINER_EXITED"
			    : c->state.running			? "CONTAINER_RUNNING"
								: "CONTAINER_CREATED";
	json_object_object_add(o, "State", json_object_new_string(state));
	static const char *const keys[] = {"Pid", "CreatedAt", "StartedAt", "FinishedAt", "ExitCode", "Reason",
					   "Message"};
	for (size_t i = 0; i < CS_ARRAY_SIZE(keys); i++) {
		json_object *v = cs_json_get(st, keys[i]), *d = NULL;
		if (v && json_object_deep_copy(v, &d, NULL) == 0)
			json_object_object_add(o, keys[i], d);
	}
	/* the CRI computes the reason when asked (status.go): an empty stored
	 * reason of an exited container reads "Completed" or "Error" */
	const char *reason = cs_json_str(st, "Reason");
	if (c->state.finished_at != CS_TIME_NEVER && (!reason || !*reason))
		json_object_object_add(o, "Reason",
				       json_object_new_string(c->state.exit_code == 0 ? "Completed" : "Error"));
	json_object_put(st);
	return o;
}

static json_object *csleuth_object(const cs_dataroot *dr, const char *ns, const cs_evfiles *ev, bool incomplete,
				   const cs_problems *p)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "Engine", json_object_new_string(dr->engine));
	json_object_object_add(o, "Namespace", cs_jstr(ns));
	json_object_object_add(o, "Root", json_object_new_string(dr->host_path ? dr->host_path : ""));
	json_object_object_add(o, "Sources", sources(ev));
	json_object_object_add(o, "Incomplete", json_object_new_boolean(incomplete));
	json_object_object_add(o, "Problems", cs_jproblems(p));
	return o;
}

static const char *const lease_snapshotters[] = {"overlayfs", "native", "btrfs", "zfs", "devmapper"};

typedef struct leasectx {
	const cs_bolt_bucket *parent;
	const char *key;
	json_object *out;
} leasectx;

static int lease_cb(void *ud, const uint8_t *k, size_t kl, const uint8_t *v, size_t vl, bool isb)
{
	leasectx *l = ud;
	cs_bolt_bucket b, s;
	if (!isb || json_object_array_length(l->out) >= 1000 || cs_bolt_bucket_from(l->parent, v, vl, &b, NULL) < 0)
		return 0;
	const uint8_t *x;
	size_t xl;
	bool xb;
	if (cs_bolt_bucket_open(&b, "snapshots", &s, NULL) != 1)
		return 0;
	bool hit = false;
	for (size_t i = 0; i < CS_ARRAY_SIZE(lease_snapshotters) && !hit; i++) {
		cs_bolt_bucket sn;
		hit = cs_bolt_bucket_open(&s, lease_snapshotters[i], &sn, NULL) == 1 &&
		      cs_bolt_get(&sn, l->key, strlen(l->key), &x, &xl, &xb, NULL) == 1;
	}
	if (!hit)
		return 0;
	json_object *o = json_object_new_object();
	char *id = cs_xstrndup((const char *)k, kl);
	json_object_object_add(o, "ID", json_object_new_string(id));
	free(id);
	json_object_object_add(o, "CreatedAt", jtime_go(cd_btime(&b, "createdat")));
	json_object *labels = bucket_map(&b, "labels", false);
	json_object_object_add(o, "Labels", labels ? labels : json_object_new_object());
	json_object_array_add(l->out, o);
	return 0;
}

/* The leases that hold a container's snapshot (v1/<ns>/leases/<id>/snapshots/<sn>/<key>). */
static json_object *leases_of(const cs_dataroot *dr, const cs_container *c)
{
	json_object *a = json_object_new_array();
	cd_root *r = dr->engine_data;
	if (!r || !r->meta)
		return a;
	cs_bolt_bucket b;
	cs_bolt_root(r->meta, &b);
	const char *path[] = {"v1", c->namespace, "leases"};
	for (size_t i = 0; i < CS_ARRAY_SIZE(path); i++)
		if (!path[i] || cs_bolt_bucket_open(&b, path[i], &b, NULL) != 1)
			return a;
	/* Docker 29's records name no snapshot: their snapshot key is the id */
	leasectx l = {.parent = &b, .key = c->snapshot_key ? c->snapshot_key : c->id, .out = a};
	(void)cs_bolt_foreach(&b, lease_cb, &l, NULL);
	return a;
}

static json_object *inspect_container(const cs_dataroot *dr, const cs_container *c)
{
	json_object *o = json_object_new_object();
	cs_bolt_bucket b;
	bool have = record(dr, c->namespace, "containers", c->id, &b);
	json_object_object_add(o, "ID", json_object_new_string(c->id));
	json_object *labels = have ? bucket_map(&b, "labels", false) : NULL;
	json_object_object_add(o, "Labels", labels ? labels : json_object_new_object());
	json_object_object_add(o, "Image", have ? str_or_empty(&b, "image") : json_object_new_string(""));
	json_object *rt = json_object_new_object();
	cs_bolt_bucket rb;
	if (have && cs_bolt_bucket_open(&b, "runtime", &rb, NULL) == 1) {
		json_object_object_add(rt, "Name", str_or_empty(&rb, "name"));
		const uint8_t *v;
		size_t l;
		if (cs_bolt_get_str(&rb, "options", &v, &l, NULL) == 1)
			json_object_object_add(rt, "Options", any_object(v, l));
	}
	json_object_object_add(o, "Runtime", rt);
	json_object_object_add(o, "SnapshotKey", json_object_new_string(c->snapshot_key ? c->snapshot_key : ""));
	json_object_object_add(o, "Snapshotter", json_object_new_string(c->snapshotter ? c->snapshotter : ""));
	/* the record's own times (a CRI container's `created` is the CRI's) */
	json_object_object_add(o, "CreatedAt", jtime_go(have ? cd_btime(&b, "createdat") : c->created));
	json_object_object_add(o, "UpdatedAt", jtime_go(have ? cd_btime(&b, "updatedat") : c->updated));
	json_object *ext = have ? bucket_map(&b, "extensions", true) : NULL;
	json_object_object_add(o, "Extensions", ext ? ext : json_object_new_object());
	if (c->sandbox_id && have) {
		const uint8_t *v;
		size_t l;
		if (cs_bolt_get_str(&b, "sandboxid", &v, &l, NULL) == 1)
			json_object_object_add(o, "SandboxID", str_or_empty(&b, "sandboxid"));
	}
	json_object *spec = NULL;
	if (c->config_json)
		(void)cs_json_parse(c->config_json, strlen(c->config_json), &spec, NULL);
	json_object_object_add(o, "Spec", spec);
	json_object *st = cri_status(c);
	if (st)
		json_object_object_add(o, "Status", st);
	json_object *cs = csleuth_object(dr, c->namespace, &c->evidence, c->incomplete, &c->problems);
	const char *state = cs_container_state(c);
	json_object_object_add(cs, "State", json_object_new_string(state ? state : "unknown"));
	json_object *pod = NULL;
	if (c->pod) {
		pod = json_object_new_object();
		json_object_object_add(pod, "Name", cs_jstr(c->pod->name));
		json_object_object_add(pod, "Namespace", cs_jstr(c->pod->namespace));
		json_object_object_add(pod, "UID", cs_jstr(c->pod->uid));
	}
	json_object_object_add(cs, "Pod", pod);
	json_object_object_add(cs, "ContainerName", cs_jstr(c->name));
	json_object_object_add(cs, "LogPath", cs_jstr(c->log_path));
	json_object *layers = json_object_new_array();
	for (size_t i = 0; i < c->layers.n; i++) {
		json_object *l = json_object_new_object();
		json_object_object_add(l, "Role", cs_jstr(c->layers.v[i].role));
		json_object_object_add(l, "SnapshotID", cs_jstr(c->layers.v[i].id));
		json_object_object_add(l, "Path", cs_jstr(c->layers.v[i].path));
		json_object_array_add(layers, l);
	}
	json_object_object_add(cs, "Layers", layers);
	json_object_object_add(cs, "Leases", leases_of(dr, c));
	json_object_object_add(o, "Csleuth", cs);
	return o;
}

static json_object *target_object(const cs_bolt_bucket *b)
{
	json_object *t = json_object_new_object();
	cs_bolt_bucket tb;
	if (cs_bolt_bucket_open(b, "target", &tb, NULL) != 1)
		return t;
	json_object_object_add(t, "mediaType", str_or_empty(&tb, "mediatype"));
	json_object_object_add(t, "digest", str_or_empty(&tb, "digest"));
	json_object_object_add(t, "size", json_object_new_int64(cd_bvarint(&tb, "size", 0)));
	json_object *ann = bucket_map(b, "annotations", false);
	if (ann)
		json_object_object_add(t, "annotations", ann);
	return t;
}

static json_object *inspect_image(const cs_dataroot *dr, const cs_image *im)
{
	json_object *o = json_object_new_object();
	json_object *recs = json_object_new_array();
	for (char **n = im->names; n && *n; n++) {
		cs_bolt_bucket b;
		if (!record(dr, im->namespace, "images", *n, &b))
			continue;
		json_object *r = json_object_new_object();
		json_object_object_add(r, "Name", json_object_new_string(*n));
		json_object *labels = bucket_map(&b, "labels", false);
		json_object_object_add(r, "Labels", labels ? labels : json_object_new_object());
		json_object_object_add(r, "Target", target_object(&b));
		json_object_object_add(r, "CreatedAt", jtime_go(cd_btime(&b, "createdat")));
		json_object_object_add(r, "UpdatedAt", jtime_go(cd_btime(&b, "updatedat")));
		json_object_array_add(recs, r);
	}
	/* the first record's fields at the top, as `ctr` shows one image */
	json_object *first = json_object_array_length(recs) ? json_object_array_get_idx(recs, 0) : NULL;
	static const char *const keys[] = {"Name", "Labels", "Target", "CreatedAt", "UpdatedAt"};
	for (size_t i = 0; i < CS_ARRAY_SIZE(keys); i++)
		json_object_object_add(o, keys[i], first ? json_object_get(cs_json_get(first, keys[i])) : NULL);
	json_object_object_add(o, "Records", recs);
	json_object_object_add(o, "Platform", cs_jstr(im->platform));
	json_object_object_add(o, "Manifest", cs_jstr(im->manifest_digest));
	json_object_object_add(o, "ConfigDigest", cs_jstr(im->config_digest));
	json_object *cfg = NULL;
	if (im->config_json)
		(void)cs_json_parse(im->config_json, strlen(im->config_json), &cfg, NULL);
	json_object_object_add(o, "Config", cfg);
	json_object *rootfs = json_object_new_object(), *diffs = json_object_new_array(), *chains = json_object_new_array(),
		    *snaps = json_object_new_array();
	for (size_t i = 0; i < im->n_layers; i++) {
		json_object_array_add(diffs, cs_jstr(im->layers[i].diff_id));
		json_object_array_add(chains, cs_jstr(im->layers[i].chain_id));
		json_object_array_add(snaps, cs_jstr(im->layers[i].dir));
	}
	json_object_object_add(rootfs, "DiffIDs", diffs);
	json_object_object_add(rootfs, "ChainIDs", chains);
	json_object_object_add(rootfs, "Snapshotter", cs_jstr(im->driver));
	json_object_object_add(rootfs, "SnapshotDirs", snaps);
	json_object_object_add(o, "RootFS", rootfs);
	json_object_object_add(o, "Size", im->size >= 0 ? json_object_new_int64(im->size) : NULL);
	json_object_object_add(o, "Csleuth", csleuth_object(dr, im->namespace, &im->evidence, im->incomplete,
							    &im->problems));
	return o;
}

char *cs_containerd_inspect(const cs_dataroot *dr, const cs_container *ct, const cs_image *im)
{
	return cs_jfinish(ct ? inspect_container(dr, ct) : inspect_image(dr, im), true);
}
