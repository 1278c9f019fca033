/* inspect.c - `docker inspect` and `docker image inspect` shapes.
 *
 * The engine's inspect output is its stored config re-marshalled with a few
 * derived fields. We do the same from the evidence: values come from the raw
 * stored JSON (times keep their stored text, so nothing is re-rounded), and
 * the derived ones are computed the way moby computes them: State.Status,
 * GraphDriver.Data (host paths of the layer dirs), Mounts (MountPoints with
 * volume paths), and the default-network fields of NetworkSettings. One
 * extra key, "Csleuth", names the evidence file behind each top-level value
 * and lists any problems met while reading the item.
 */
#include <string.h>

#include "formats/jsonutil.h"
#include "engines/docker/docker.h"
#include "render/render.h"
#include "render/render_internal.h"

/* A deep copy of member key of o, or JSON null. */
static json_object *copy_member(json_object *o, const char *key)
{
	json_object *v = cs_json_get(o, key);
	json_object *d = NULL;
	if (v && json_object_deep_copy(v, &d, NULL) == 0)
		return d;
	return NULL;
}

static json_object *str_or_empty(json_object *o, const char *key)
{
	const char *s = cs_json_str(o, key);
	return json_object_new_string(s ? s : "");
}

static json_object *time_raw(json_object *o, const char *key)
{
	const char *s = cs_json_str(o, key);
	return json_object_new_string(s ? s : "0001-01-01T00:00:00Z");
}

static json_object *state_object(const cs_container *c, json_object *st)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "Status", json_object_new_string(cs_container_status(c)));
	json_object_object_add(o, "Running", json_object_new_boolean(c->state.running));
	json_object_object_add(o, "Paused", json_object_new_boolean(c->state.paused));
	json_object_object_add(o, "Restarting", json_object_new_boolean(c->state.restarting));
	json_object_object_add(o, "OOMKilled", json_object_new_boolean(c->state.oom_killed));
	json_object_object_add(o, "Dead", json_object_new_boolean(c->state.dead));
	json_object_object_add(o, "Pid", json_object_new_int64(c->state.pid));
	json_object_object_add(o, "ExitCode", json_object_new_int64(c->state.exit_code));
	json_object_object_add(o, "Error", str_or_empty(st, "Error"));
	json_object_object_add(o, "StartedAt", time_raw(st, "StartedAt"));
	json_object_object_add(o, "FinishedAt", time_raw(st, "FinishedAt"));
	json_object *h = cs_json_get_obj(st, "Health");
	if (h)
		json_object_object_add(o, "Health", copy_member(st, "Health"));
	return o;
}

static char *host_join(const char *root, const char *rel)
{
	return cs_xasprintf("%s/%s", root, rel);
}

/* The host path of an evidence-relative layer dir: swap the data root. */
static char *host_layer_path(const cs_dataroot *dr, const char *host_root, const char *evpath)
{
	const char *rel = evpath;
	size_t pl = strlen(dr->path);
	if (pl && strncmp(evpath, dr->path, pl) == 0 && evpath[pl] == '/')
		rel = evpath + pl + 1;
	return host_join(host_root, rel);
}

static json_object *graphdriver(const cs_dataroot *dr, const char *host_root, const char *driver,
				const cs_layer_dir *layers, size_t n, const char *top_dir_rel)
{
	json_object *g = json_object_new_object();
	json_object *data = NULL;
	if (driver && strcmp(driver, "overlay") == 0 && n > 0 && cs_str_endswith(layers[0].path, "/root")) {
		/* legacy overlay: an image layer is a full tree of its own */
		data = json_object_new_object();
		char *root = host_layer_path(dr, host_root, layers[0].path);
		json_object_object_add(data, "RootDir", json_object_new_string(root));
		free(root);
	} else if (driver && (strcmp(driver, "overlay2") == 0 || strcmp(driver, "overlay") == 0) && n > 0) {
		data = json_object_new_object();
		if (n > 1) {
			cs_buf b = {0};
			for (size_t i = 1; i < n; i++) {
				/* legacy overlay: the init layer is stacked by csleuth only */
				if (strcmp(driver, "overlay") == 0 && layers[i].role &&
				    strcmp(layers[i].role, "init") == 0)
					continue;
				char *hp = host_layer_path(dr, host_root, layers[i].path);
				if (b.len)
					(void)cs_buf_puts(&b, ":");
				(void)cs_buf_puts(&b, hp);
				free(hp);
			}
			json_object_object_add(data, "LowerDir", json_object_new_string(b.data));
			cs_buf_free(&b);
		}
		char *top = host_join(host_root, top_dir_rel);
		char *merged = cs_xasprintf("%s/merged", top);
		char *upper = host_layer_path(dr, host_root, layers[0].path);
		char *work = cs_xasprintf("%s/work", top);
		json_object_object_add(data, "MergedDir", json_object_new_string(merged));
		json_object_object_add(data, "UpperDir", json_object_new_string(upper));
		json_object_object_add(data, "WorkDir", json_object_new_string(work));
		free(top);
		free(merged);
		free(upper);
		free(work);
	}
	json_object_object_add(g, "Data", data);
	json_object_object_add(g, "Name", cs_jstr(driver ? driver : ""));
	return g;
}

/* With the containerd image store, inspect shows the snapshotter in place
 * of GraphDriver (moby daemon/inspect.go). */
static json_object *snapshot_storage(const char *snapshotter)
{
	json_object *sn = json_object_new_object();
	json_object_object_add(sn, "Name", json_object_new_string(snapshotter ? snapshotter : ""));
	json_object *rootfs = json_object_new_object();
	json_object_object_add(rootfs, "Snapshot", sn);
	json_object *st = json_object_new_object();
	json_object_object_add(st, "RootFS", rootfs);
	return st;
}

static json_object *mounts_array(const cs_container *c)
{
	static const char *const types[] = {"", "bind", "volume", "tmpfs", "npipe"};
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < c->n_mounts; i++) {
		const cs_mount *m = &c->mounts[i];
		json_object *o = json_object_new_object();
		json_object_object_add(o, "Type", json_object_new_string(types[m->type]));
		if (m->name && *m->name)
			json_object_object_add(o, "Name", json_object_new_string(m->name));
		json_object_object_add(o, "Source", json_object_new_string(m->source ? m->source : ""));
		json_object_object_add(o, "Destination", json_object_new_string(m->destination ? m->destination : ""));
		if (m->driver && *m->driver)
			json_object_object_add(o, "Driver", json_object_new_string(m->driver));
		json_object_object_add(o, "Mode", json_object_new_string(m->mode ? m->mode : ""));
		json_object_object_add(o, "RW", json_object_new_boolean(m->rw));
		json_object_object_add(o, "Propagation", json_object_new_string(m->propagation ? m->propagation : ""));
		json_object_array_add(a, o);
	}
	return a;
}

/* NetworkSettings as inspect shows it: stored settings without internal
 * fields, plus the legacy default-network fields taken from "bridge". */
static json_object *network_settings(json_object *cfg)
{
	json_object *ns = copy_member(cfg, "NetworkSettings");
	if (!ns || !json_object_is_type(ns, json_type_object))
		return ns;
	static const char *const internal[] = {"Service", "IsAnonymousEndpoint", "HasSwarmEndpoint"};
	for (size_t i = 0; i < CS_ARRAY_SIZE(internal); i++)
		json_object_object_del(ns, internal[i]);
	json_object *nets = cs_json_get_obj(ns, "Networks");
	if (nets) {
		json_object_object_foreach(nets, name, ep)
		{
			(void)name;
			if (json_object_is_type(ep, json_type_object))
				json_object_object_del(ep, "IPAMOperational");
		}
	}
	/* the engine shows a missing port map as {} once the container is loaded */
	json_object *ports = cs_json_get(ns, "Ports");
	if (!ports || json_object_is_type(ports, json_type_null))
		json_object_object_add(ns, "Ports", json_object_new_object());
	if (cs_json_get(ns, "EndpointID"))
		return ns; /* old layouts store the default fields themselves */
	json_object *br = cs_json_get_obj(nets, "bridge");
	static const char *const sfields[] = {"EndpointID", "Gateway", "GlobalIPv6Address", "IPAddress",
					      "IPv6Gateway", "MacAddress"};
	static const char *const ifields[] = {"GlobalIPv6PrefixLen", "IPPrefixLen"};
	for (size_t i = 0; i < CS_ARRAY_SIZE(sfields); i++) {
		const char *v = cs_json_str(br, sfields[i]);
		json_object_object_add(ns, sfields[i], json_object_new_string(v ? v : ""));
	}
	for (size_t i = 0; i < CS_ARRAY_SIZE(ifields); i++)
		json_object_object_add(ns, ifields[i], json_object_new_int64(cs_json_i64(br, ifields[i], 0)));
	return ns;
}

static json_object *csleuth_object(const cs_dataroot *dr, const cs_evfiles *ev, const char *const *fields,
				   size_t nf, const char *const *roles, bool incomplete, const cs_problems *p)
{
	json_object *o = json_object_new_object();
	json_object *src = json_object_new_object();
	for (size_t i = 0; i < nf; i++) {
		for (size_t k = 0; k < ev->n; k++)
			if (strcmp(ev->v[k].role, roles[i]) == 0) {
				json_object_object_add(src, fields[i], json_object_new_string(ev->v[k].path));
				break;
			}
	}
	json_object_object_add(o, "Sources", src);
	/* the sha256 of every evidence file named, as read now */
	json_object_object_add(o, "Sha256", cs_jevidence_hashes(dr ? dr->src : NULL, ev));
	json_object_object_add(o, "Incomplete", json_object_new_boolean(incomplete));
	json_object_object_add(o, "Problems", cs_jproblems(p));
	return o;
}

static json_object *inspect_container(const cs_dataroot *dr, const cs_container *c)
{
	json_object *cfg = NULL, *hc = NULL;
	if (c->config_json)
		(void)cs_json_parse(c->config_json, strlen(c->config_json), &cfg, NULL);
	if (c->hostconfig_json)
		(void)cs_json_parse(c->hostconfig_json, strlen(c->hostconfig_json), &hc, NULL);
	json_object *st = cs_json_get_obj(cfg, "State");
	const char *host_root = c->host_root ? c->host_root : dr->host_path;
	json_object *o = json_object_new_object();
	json_object_object_add(o, "Id", json_object_new_string(c->id));
	json_object_object_add(o, "Created", time_raw(cfg, "Created"));
	json_object_object_add(o, "Path", str_or_empty(cfg, "Path"));
	json_object_object_add(o, "Args", copy_member(cfg, "Args"));
	json_object_object_add(o, "State", state_object(c, st));
	json_object_object_add(o, "Image", str_or_empty(cfg, "Image"));
	json_object_object_add(o, "ResolvConfPath", str_or_empty(cfg, "ResolvConfPath"));
	json_object_object_add(o, "HostnamePath", str_or_empty(cfg, "HostnamePath"));
	json_object_object_add(o, "HostsPath", str_or_empty(cfg, "HostsPath"));
	json_object_object_add(o, "LogPath", str_or_empty(cfg, "LogPath"));
	json_object_object_add(o, "Name", str_or_empty(cfg, "Name"));
	json_object_object_add(o, "RestartCount", json_object_new_int64(c->restart_count));
	json_object_object_add(o, "Driver", str_or_empty(cfg, "Driver"));
	json_object_object_add(o, "Platform", json_object_new_string(c->platform ? c->platform : ""));
	json_object_object_add(o, "MountLabel", str_or_empty(cfg, "MountLabel"));
	json_object_object_add(o, "ProcessLabel", str_or_empty(cfg, "ProcessLabel"));
	json_object_object_add(o, "AppArmorProfile", str_or_empty(cfg, "AppArmorProfile"));
	json_object_object_add(o, "ExecIDs", NULL);
	json_object_object_add(o, "HostConfig", hc ? json_object_get(hc) : NULL);
	_cleanup_free_ char *top = NULL;
	if (c->mount_id && c->driver)
		top = cs_xasprintf("%s/%s", c->driver, c->mount_id);
	if (c->snapshot_key) /* the containerd image store */
		json_object_object_add(o, "Storage", snapshot_storage(c->snapshotter));
	else
		json_object_object_add(o, "GraphDriver",
				       graphdriver(dr, host_root, c->driver, c->layers.v,
						   c->layers.complete ? c->layers.n : 0, top ? top : ""));
	if (cs_json_get(cfg, "ImageManifest")) /* Docker 29 */
		json_object_object_add(o, "ImageManifestDescriptor", copy_member(cfg, "ImageManifest"));
	json_object_object_add(o, "Mounts", mounts_array(c));
	json_object_object_add(o, "Config", copy_member(cfg, "Config"));
	json_object_object_add(o, "NetworkSettings", network_settings(cfg));
	static const char *const fields[] = {"Id", "Created", "Path", "Args", "State", "Image", "Name",
		"RestartCount", "Driver", "Platform", "Mounts", "Config", "NetworkSettings",
		"HostConfig", "GraphDriver", "LogPath"};
	static const char *const roles[] = {"Config", "Config", "Config", "Config", "Config",
		"Config", "Config", "Config", "Config", "Config", "Config", "Config", "Config",
		"HostConfig", "GraphDriver.MountId", "LogPath"};
	json_object_object_add(o, "Csleuth", csleuth_object(dr, &c->evidence, fields, CS_ARRAY_SIZE(fields),
							    roles, c->incomplete, &c->problems));
	json_object_put(cfg);
	json_object_put(hc);
	return o;
}

static json_object *inspect_image(const cs_dataroot *dr, const cs_image *im)
{
	json_object *cfg = NULL;
	if (im->config_json)
		(void)cs_json_parse(im->config_json, strlen(im->config_json), &cfg, NULL);
	json_object *o = json_object_new_object();
	json_object_object_add(o, "Id", json_object_new_string(im->id));
	json_object_object_add(o, "RepoTags", cs_jstrv(im->tags));
	json_object_object_add(o, "RepoDigests", cs_jstrv(im->digests));
	json_object_object_add(o, "Parent", json_object_new_string(im->parent ? im->parent : ""));
	json_object_object_add(o, "Comment", str_or_empty(cfg, "comment"));
	json_object_object_add(o, "Created", time_raw(cfg, "created"));
	json_object_object_add(o, "Container", str_or_empty(cfg, "container"));
	json_object_object_add(o, "ContainerConfig", copy_member(cfg, "container_config"));
	json_object_object_add(o, "DockerVersion", str_or_empty(cfg, "docker_version"));
	json_object_object_add(o, "Author", str_or_empty(cfg, "author"));
	json_object_object_add(o, "Config", copy_member(cfg, "config"));
	json_object_object_add(o, "Architecture", str_or_empty(cfg, "architecture"));
	if (im->variant && *im->variant)
		json_object_object_add(o, "Variant", json_object_new_string(im->variant));
	json_object_object_add(o, "Os", str_or_empty(cfg, "os"));
	if (cs_json_str(cfg, "os.version"))
		json_object_object_add(o, "OsVersion", str_or_empty(cfg, "os.version"));
	json_object_object_add(o, "Size", json_object_new_int64(im->size < 0 ? 0 : im->size));
	json_object_object_add(o, "VirtualSize", json_object_new_int64(im->size < 0 ? 0 : im->size));
	/* GraphDriver: top layer is UpperDir, the rest LowerDir (top first) */
	size_t n = im->n_layers;
	cs_layer_dir *ld = cs_xcalloc(n ? n : 1, sizeof(cs_layer_dir));
	bool all = n > 0;
	for (size_t i = 0; i < n; i++) {
		ld[i].path = im->layers[n - 1 - i].dir;
		all = all && ld[i].path;
	}
	_cleanup_free_ char *top = NULL;
	if (all && im->driver)
		top = cs_xasprintf("%s/%s", im->driver, im->layers[n - 1].cache_id);
	const char *hr = dr->host_path ? dr->host_path : "/var/lib/docker";
	if (im->names) /* an image of the containerd store (Docker 29) */
		json_object_object_add(o, "Storage", snapshot_storage(im->driver));
	else
		json_object_object_add(o, "GraphDriver", graphdriver(dr, hr, im->driver, ld, all ? n : 0, top ? top : ""));
	free(ld);
	json_object *rootfs = json_object_new_object();
	json_object *rf = cs_json_get_obj(cfg, "rootfs");
	const char *rtype = cs_json_str(rf, "type");
	json_object_object_add(rootfs, "Type", json_object_new_string(rtype ? rtype : "layers"));
	json_object *layers = json_object_new_array();
	for (size_t i = 0; i < im->n_layers; i++)
		if (im->layers[i].diff_id)
			json_object_array_add(layers, json_object_new_string(im->layers[i].diff_id));
	json_object_object_add(rootfs, "Layers", layers);
	json_object_object_add(o, "RootFS", rootfs);
	json_object *meta = json_object_new_object();
	char buf[CS_TIME_STRMAX];
	json_object_object_add(meta, "LastTagTime",
			       json_object_new_string(cs_time_format_go(im->last_updated, buf)
							      ? buf : "0001-01-01T00:00:00Z"));
	json_object_object_add(o, "Metadata", meta);
	static const char *const fields[] = {"Id", "Created", "Config", "ContainerConfig", "RootFS",
		"RepoTags", "RepoDigests", "Parent", "Metadata"};
	static const char *const roles[] = {"Config", "Config", "Config", "Config", "Config",
		"RepoTags", "RepoTags", "Parent", "Metadata.LastTagTime"};
	json_object_object_add(o, "Csleuth", csleuth_object(dr, &im->evidence, fields, CS_ARRAY_SIZE(fields),
							    roles, im->incomplete, &im->problems));
	json_object_put(cfg);
	return o;
}

char *cs_docker_inspect(const cs_dataroot *dr, const cs_container *ct, const cs_image *im)
{
	return cs_jfinish(ct ? inspect_container(dr, ct) : inspect_image(dr, im), true);
}
