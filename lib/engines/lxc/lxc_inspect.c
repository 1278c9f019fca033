/* lxc_inspect.c - what `csleuth inspect` shows of an LXC container.
 *
 * LXC has no JSON view of its own (lxc-info -c KEY prints one key at a
 * time). The object holds the effective config as liblxc loads it
 * ("Config": every key in force, includes merged, each with its values in
 * order, the shape of `lxc-info -c`), what the keys that matter to an
 * examiner mean (root filesystem and backend, id map, mounts, network,
 * capabilities, AppArmor/seccomp, namespaces shared with the host, start
 * settings, hooks), snapshots and clones, the log files, the dated facts
 * and where each came from ("Csleuth").
 */
#include <string.h>

#include "engines/lxc/lxc_internal.h"
#include "render/render_internal.h"

static json_object *strv_json(char **v)
{
	json_object *a = json_object_new_array();
	for (char **x = v; x && *x; x++)
		json_object_array_add(a, json_object_new_string(*x));
	return a;
}

static json_object *list_of(const cs_lxc_conf *conf, const char *key)
{
	char **v = cs_lxc_conf_list(conf, key);
	json_object *a = strv_json(v);
	cs_strv_free(v);
	return a;
}

static json_object *config_object(const cs_lxc_conf *conf)
{
	json_object *o = json_object_new_object();
	char **keys = cs_lxc_conf_keys(conf, "lxc.");
	for (char **k = keys; *k; k++) {
		if (cs_lxc_key_is_list(*k)) {
			json_object_object_add(o, *k, list_of(conf, *k));
		} else {
			json_object *a = json_object_new_array();
			const char *v = cs_lxc_conf_get(conf, *k);
			if (v && *v)
				json_object_array_add(a, json_object_new_string(v));
			json_object_object_add(o, *k, a);
		}
	}
	cs_strv_free(keys);
	return o;
}

static json_object *opt_str(const cs_lxc_conf *conf, const char *key)
{
	const char *v = cs_lxc_conf_get(conf, key);
	return v && *v ? json_object_new_string(v) : NULL;
}

static json_object *network(const cs_lxc_conf *conf)
{
	json_object *a = json_object_new_array();
	char **keys = cs_lxc_conf_keys(conf, "lxc.net.");
	/* group lxc.net.N.x by N, in first-seen order */
	char **idx = NULL;
	size_t n = 0, cap = 0;
	for (char **k = keys; *k; k++) {
		const char *rest = *k + 8;
		size_t l = strcspn(rest, ".");
		if (!rest[l])
			continue;
		bool seen = false;
		for (size_t i = 0; i < n && !seen; i++)
			seen = strlen(idx[i]) == l && strncmp(idx[i], rest, l) == 0;
		if (!seen)
			*CS_PUSH(idx, n, cap) = cs_xstrndup(rest, l);
	}
	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "Index", json_object_new_string(idx[i]));
		_cleanup_free_ char *pre = cs_xasprintf("lxc.net.%s.", idx[i]);
		for (char **k = keys; *k; k++) {
			if (!cs_str_startswith(*k, pre))
				continue;
			const char *sub = *k + strlen(pre);
			if (cs_lxc_key_is_list(*k))
				json_object_object_add(o, sub, list_of(conf, *k));
			else
				json_object_object_add(o, sub, opt_str(conf, *k));
		}
		json_object_array_add(a, o);
		free(idx[i]);
	}
	free(idx);
	cs_strv_free(keys);
	return a;
}

static json_object *prefixed(const cs_lxc_conf *conf, const char *prefix)
{
	json_object *o = json_object_new_object();
	char **keys = cs_lxc_conf_keys(conf, prefix);
	for (char **k = keys; *k; k++)
		json_object_object_add(o, *k + strlen(prefix),
				       cs_lxc_key_is_list(*k) ? list_of(conf, *k) : opt_str(conf, *k));
	cs_strv_free(keys);
	return o;
}

/* "<lxcpath>\n<name>\n" pairs. */
static json_object *clone_list(const char *text)
{
	json_object *a = json_object_new_array();
	if (!text)
		return a;
	char *dup = cs_xstrdup(text), *save = NULL;
	char *path = NULL;
	for (char *l = strtok_r(dup, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (!path) {
			path = l;
			continue;
		}
		json_object *o = json_object_new_object();
		json_object_object_add(o, "LxcPath", json_object_new_string(path));
		json_object_object_add(o, "Name", json_object_new_string(l));
		json_object_array_add(a, o);
		path = NULL;
	}
	free(dup);
	return a;
}

char *lx_inspect_json(lx_ctx *c, const cs_container *ct, const cs_lxc_conf *conf, const char *deps,
		      const char *rdeps)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "Name", json_object_new_string(ct->name));
	json_object_object_add(o, "Engine", json_object_new_string("lxc"));
	json_object_object_add(o, "Namespace", cs_jstr(ct->namespace));
	json_object_object_add(o, "LxcPath", cs_jstr(c->host_path));
	json_object_object_add(o, "Directory", cs_jstr(ct->dir));
	json_object *state = json_object_new_object();
	json_object_object_add(state, "Status", json_object_new_string("unknown"));
	json_object_object_add(state, "Note",
			       json_object_new_string("LXC records no state, no creation time and no exit code on "
						      "disk (the state lived in sockets under /run): whether it "
						      "was running when the host went down cannot be read"));
	json_object_object_add(state, "LastStartInLog", cs_jtime(ct->state.started_at));
	json_object_object_add(state, "LastEndInLog", cs_jtime(ct->state.finished_at));
	json_object_object_add(o, "State", state);
	json_object_object_add(o, "Config", config_object(conf));
	json_object *files = json_object_new_array();
	for (size_t i = 0; i < conf->n_files; i++)
		json_object_array_add(files, json_object_new_string(conf->files[i]));
	json_object_object_add(o, "ConfigFiles", files);

	json_object *rfs = json_object_new_object();
	json_object_object_add(rfs, "Spec", opt_str(conf, "lxc.rootfs.path"));
	json_object_object_add(rfs, "Backend", cs_jstr(ct->driver));
	json_object *layers = json_object_new_array();
	for (size_t i = 0; i < ct->layers.n; i++) {
		json_object *l = json_object_new_object();
		json_object_object_add(l, "Role", cs_jstr(ct->layers.v[i].role));
		json_object_object_add(l, "EvidencePath", cs_jstr(ct->layers.v[i].path));
		json_object_array_add(layers, l);
	}
	json_object_object_add(rfs, "Layers", layers);
	json_object_object_add(rfs, "Readable", json_object_new_boolean(ct->layers.n > 0));
	json_object_object_add(o, "Rootfs", rfs);

	json_object_object_add(o, "Unprivileged", json_object_new_boolean(ct->idmap.n > 0));
	json_object *idm = json_object_new_array();
	for (size_t i = 0; i < ct->idmap.n; i++) {
		json_object *m = json_object_new_object();
		char k[2] = {ct->idmap.v[i].kind, 0};
		json_object_object_add(m, "Kind", json_object_new_string(k));
		json_object_object_add(m, "Nsid", json_object_new_int64(ct->idmap.v[i].ns_id));
		json_object_object_add(m, "Hostid", json_object_new_int64(ct->idmap.v[i].host_id));
		json_object_object_add(m, "Range", json_object_new_int64(ct->idmap.v[i].count));
		json_object_array_add(idm, m);
	}
	json_object_object_add(o, "Idmap", idm);
	json_object *mounts = json_object_new_array();
	for (size_t i = 0; i < ct->n_mounts; i++) {
		const cs_mount *m = &ct->mounts[i];
		json_object *x = json_object_new_object();
		json_object_object_add(x, "Source", cs_jstr(m->source));
		json_object_object_add(x, "Destination", cs_jstr(m->destination));
		json_object_object_add(x, "Type", cs_jstr(m->driver));
		json_object_object_add(x, "Options", cs_jstr(m->mode));
		json_object_object_add(x, "Bind", json_object_new_boolean(m->type == CS_MOUNT_BIND));
		json_object_object_add(x, "RW", json_object_new_boolean(m->rw));
		json_object_array_add(mounts, x);
	}
	json_object_object_add(o, "Mounts", mounts);
	json_object_object_add(o, "MountAuto", list_of(conf, "lxc.mount.auto"));
	json_object_object_add(o, "MountFstab", list_of(conf, "lxc.mount.fstab"));
	json_object_object_add(o, "Network", network(conf));
	json_object *caps = json_object_new_object();
	json_object_object_add(caps, "Drop", list_of(conf, "lxc.cap.drop"));
	json_object_object_add(caps, "Keep", list_of(conf, "lxc.cap.keep"));
	json_object_object_add(o, "Capabilities", caps);
	json_object *sec = json_object_new_object();
	json_object_object_add(sec, "AppArmorProfile", opt_str(conf, "lxc.apparmor.profile"));
	json_object_object_add(sec, "AppArmorAllowNesting", opt_str(conf, "lxc.apparmor.allow_nesting"));
	json_object_object_add(sec, "AppArmorRaw", list_of(conf, "lxc.apparmor.raw"));
	json_object_object_add(sec, "SeccompProfile", opt_str(conf, "lxc.seccomp.profile"));
	json_object_object_add(sec, "SeccompAllowNesting", opt_str(conf, "lxc.seccomp.allow_nesting"));
	json_object_object_add(sec, "NoNewPrivs", opt_str(conf, "lxc.no_new_privs"));
	json_object_object_add(sec, "SELinuxContext", opt_str(conf, "lxc.selinux.context"));
	json_object_object_add(sec, "CgroupDevices", prefixed(conf, "lxc.cgroup.devices."));
	json_object_object_add(sec, "Privileged", json_object_new_boolean(ct->idmap.n == 0));
	json_object_object_add(o, "Security", sec);
	json_object *ns = json_object_new_object();
	json_object_object_add(ns, "Share", prefixed(conf, "lxc.namespace.share."));
	json_object_object_add(ns, "Keep", list_of(conf, "lxc.namespace.keep"));
	json_object_object_add(ns, "Clone", list_of(conf, "lxc.namespace.clone"));
	json_object_object_add(o, "Namespaces", ns);
	json_object *start = json_object_new_object();
	json_object_object_add(start, "Auto", opt_str(conf, "lxc.start.auto"));
	json_object_object_add(start, "Delay", opt_str(conf, "lxc.start.delay"));
	json_object_object_add(start, "Order", opt_str(conf, "lxc.start.order"));
	json_object_object_add(start, "Groups", list_of(conf, "lxc.group"));
	json_object_object_add(o, "Start", start);
	json_object_object_add(o, "Init", cs_jstr(ct->path));
	json_object_object_add(o, "Hostname", opt_str(conf, "lxc.uts.name"));
	json_object_object_add(o, "Environment", list_of(conf, "lxc.environment"));
	json_object_object_add(o, "Hooks", prefixed(conf, "lxc.hook."));
	json_object *snaps = json_object_new_array();
	for (size_t i = 0; i < ct->n_snapshots; i++) {
		const cs_snapshot *s = &ct->snapshots[i];
		json_object *x = json_object_new_object();
		json_object_object_add(x, "Name", cs_jstr(s->name));
		json_object_object_add(x, "Comment", cs_jstr(s->comment));
		json_object_object_add(x, "Taken", cs_jstr(s->created_how));
		json_object_object_add(x, "Directory", cs_jstr(s->dir));
		json_object_object_add(x, "Readable", json_object_new_boolean(s->layers.n > 0));
		json_object_array_add(snaps, x);
	}
	json_object_object_add(o, "Snapshots", snaps);
	json_object *clones = json_object_new_object();
	json_object *origin = clone_list(rdeps);
	json_object_object_add(clones, "Origin",
			       json_object_array_length(origin) ? json_object_get(json_object_array_get_idx(origin, 0))
								: NULL);
	json_object_put(origin);
	json_object_object_add(clones, "Dependents", clone_list(deps));
	json_object_object_add(o, "Clones", clones);
	json_object *logs = json_object_new_array();
	for (size_t i = 0; i < ct->n_logfiles; i++) {
		json_object *x = json_object_new_object();
		json_object_object_add(x, "Role", cs_jstr(ct->logfiles[i].role));
		json_object_object_add(x, "EvidencePath", cs_jstr(ct->logfiles[i].path));
		json_object_array_add(logs, x);
	}
	json_object_object_add(o, "Logs", logs);
	json_object *times = json_object_new_array();
	for (size_t i = 0; i < ct->n_events; i++) {
		const cs_ctevent *ev = &ct->events[i];
		json_object *x = json_object_new_object();
		json_object_object_add(x, "Time", cs_jtime(ev->time));
		json_object_object_add(x, "What", cs_jstr(ev->desc));
		json_object_object_add(x, "Source", json_object_new_string(ev->file_time ? "file time" : "record"));
		json_object_object_add(x, "File", cs_jstr(ev->file));
		json_object_object_add(x, "Message", cs_jstr(ev->message));
		json_object_array_add(times, x);
	}
	json_object_object_add(o, "Times", times);
	json_object *cs = json_object_new_object();
	json_object *src = json_object_new_object();
	for (size_t i = 0; i < ct->evidence.n; i++)
		json_object_object_add(src, ct->evidence.v[i].role, json_object_new_string(ct->evidence.v[i].path));
	json_object_object_add(cs, "Sources", src);
	json_object_object_add(cs, "Problems", cs_jproblems(&ct->problems));
	json_object_object_add(o, "Csleuth", cs);
	return cs_jfinish(o, true);
}

char *cs_lxc_inspect(const cs_dataroot *dr, const cs_container *ct, const cs_image *im)
{
	(void)dr;
	(void)im;
	return ct && ct->inspect_json ? cs_xstrdup(ct->inspect_json) : NULL;
}
