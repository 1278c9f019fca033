/* render.c - JSON renderings for ps, images and history (see render.h). */
#include "render/render.h"

#include <stdio.h>
#include <string.h>

#include "formats/jsonutil.h"
#include "fs/content.h"
#include "render/render_internal.h"
#include "formats/sanitize.h"

json_object *cs_jtime(cs_time t)
{
	char buf[CS_TIME_STRMAX];
	if (!cs_time_format(t, buf))
		return NULL;
	return json_object_new_string(buf);
}

json_object *cs_jstr(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

json_object *cs_jstrv(char *const *v)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; v && v[i]; i++)
		json_object_array_add(a, json_object_new_string(v[i]));
	return a;
}

json_object *cs_jproblems(const cs_problems *p)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < p->n; i++) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "file", cs_jstr(p->v[i].file));
		json_object_object_add(o, "message", cs_jstr(p->v[i].msg));
		json_object_array_add(a, o);
	}
	return a;
}

char *cs_jfinish(json_object *o, bool pretty)
{
	char *s = cs_json_dump(o, pretty);
	json_object_put(o);
	size_t n = strlen(s);
	/* the usual case, valid UTF-8 without C1 controls or DEL, is kept as is
	 * (a ps of thousands of containers is megabytes: no copies) */
	bool clean = cs_utf8_valid(s, n) && !memchr(s, 0x7f, n);
	for (const char *p = s; clean && (p = memchr(p, 0xc2, n - (size_t)(p - s))) != NULL; p++)
		clean = !(p + 1 < s + n && (unsigned char)p[1] >= 0x80 && (unsigned char)p[1] <= 0x9f);
	if (clean)
		return s;
	char *r = cs_utf8_repair(s, n, &n);
	free(s);
	char *e = cs_json_escape_c1(r, n, NULL);
	free(r);
	return e;
}

void cs_jadd_str(json_object *o, const char *key, const char *s)
{
	json_object_object_add(o, key, cs_jstr(s));
	if (s && !cs_utf8_valid(s, strlen(s))) {
		cs_buf b = {0};
		(void)cs_buf_puts(&b, "");
		cs_base64(&b, s, strlen(s));
		char k[128];
		snprintf(k, sizeof(k), "%s_base64", key);
		json_object_object_add(o, k, json_object_new_string(b.data));
		cs_buf_free(&b);
	}
}

json_object *cs_jevidence_hashes(cs_source *src, const cs_evfiles *ev)
{
	json_object *o = json_object_new_object();
	for (size_t i = 0; i < ev->n; i++) {
		const char *p = ev->v[i].path;
		if (!p || cs_json_get(o, p))
			continue;
		cs_file *f = NULL;
		char hex[65];
		if (src && cs_source_open(src, p, &f, NULL) == 0 && cs_content_sha256(f, hex, NULL, 0, NULL, NULL) == 0)
			json_object_object_add(o, p, json_object_new_string(hex));
		else
			json_object_object_add(o, p, NULL);
		if (f)
			cs_file_close(f);
	}
	return o;
}

char *cs_container_command(const cs_container *c)
{
	cs_buf b = {0};
	if (c->path && *c->path)
		(void)cs_buf_puts(&b, c->path);
	/* as the engine's container list does: arguments holding a space are
	 * wrapped in single quotes */
	for (char **a = c->args; a && *a; a++) {
		(void)cs_buf_puts(&b, " ");
		bool q = strchr(*a, ' ') != NULL;
		if (q)
			(void)cs_buf_puts(&b, "'");
		(void)cs_buf_puts(&b, *a);
		if (q)
			(void)cs_buf_puts(&b, "'");
	}
	return cs_buf_steal(&b);
}

static json_object *pod_object(const cs_pod *p)
{
	if (!p)
		return NULL;
	json_object *pod = json_object_new_object();
	json_object_object_add(pod, "name", cs_jstr(p->name));
	json_object_object_add(pod, "namespace", cs_jstr(p->namespace));
	json_object_object_add(pod, "uid", cs_jstr(p->uid));
	return pod;
}

static json_object *labels_object(char *const *labels)
{
	json_object *o = json_object_new_object();
	for (size_t i = 0; labels && labels[i]; i++) {
		const char *eq = strchr(labels[i], '=');
		char *k = cs_xstrndup(labels[i], eq ? (size_t)(eq - labels[i]) : strlen(labels[i]));
		json_object_object_add(o, k, json_object_new_string(eq ? eq + 1 : ""));
		free(k);
	}
	return o;
}

static json_object *ps_object(const cs_container *c)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "id", cs_jstr(c->id));
	cs_jadd_str(o, "name", c->name);
	json_object_object_add(o, "engine", cs_jstr(c->engine));
	json_object_object_add(o, "namespace", cs_jstr(c->namespace));
	json_object_object_add(o, "pod", pod_object(c->pod));
	cs_jadd_str(o, "image", c->image_ref);
	json_object_object_add(o, "image_id", cs_jstr(c->image_id));
	char *cmd = cs_container_command(c);
	cs_jadd_str(o, "command", cmd);
	free(cmd);
	/* "unknown" where no file records the state; null when unreadable */
	const char *state = cs_container_state(c);
	bool have_state = state != NULL;
	json_object_object_add(o, "state", have_state ? json_object_new_string(state)
					   : c->state_unknown ? json_object_new_string("unknown") : NULL);
	json_object_object_add(o, "exit_code",
			       have_state && !c->exit_code_unknown ? json_object_new_int64(c->state.exit_code) : NULL);
	json_object_object_add(o, "failed_start", json_object_new_boolean(cs_container_start_failed(c)));
	cs_jadd_str(o, "error", c->state.error && *c->state.error ? c->state.error : NULL);
	json_object_object_add(o, "oom_killed", json_object_new_boolean(c->state.oom_killed));
	json_object_object_add(o, "pid", c->state_unknown ? NULL : json_object_new_int64(c->state.pid));
	json_object_object_add(o, "restart_count", json_object_new_int64(c->restart_count));
	json_object_object_add(o, "health", cs_jstr(c->state.health_status));
	json_object_object_add(o, "created", cs_jtime(c->created));
	json_object_object_add(o, "started_at", cs_jtime(c->state.started_at));
	json_object_object_add(o, "finished_at", cs_jtime(c->state.finished_at));
	json_object_object_add(o, "driver", cs_jstr(c->driver));
	json_object_object_add(o, "mount_id", cs_jstr(c->mount_id));
	json_object_object_add(o, "snapshotter", cs_jstr(c->snapshotter));
	json_object_object_add(o, "snapshot_key", cs_jstr(c->snapshot_key));
	json_object_object_add(o, "sandbox", json_object_new_boolean(c->sandbox));
	json_object_object_add(o, "sandbox_id", cs_jstr(c->sandbox_id));
	json_object_object_add(o, "log_driver", cs_jstr(c->log_driver));
	json_object_object_add(o, "labels", labels_object(c->labels));
	json_object *m = json_object_new_array();
	for (size_t i = 0; i < c->n_mounts; i++) {
		const cs_mount *x = &c->mounts[i];
		json_object *mo = json_object_new_object();
		static const char *const types[] = {"", "bind", "volume", "tmpfs", "npipe"};
		json_object_object_add(mo, "type", json_object_new_string(types[x->type]));
		cs_jadd_str(mo, "name", x->name);
		cs_jadd_str(mo, "source", x->source);
		cs_jadd_str(mo, "destination", x->destination);
		json_object_object_add(mo, "rw", json_object_new_boolean(x->rw));
		cs_jadd_str(mo, "evidence_path", x->evidence_path);
		json_object_array_add(m, mo);
	}
	json_object_object_add(o, "mounts", m);
	json_object_object_add(o, "incomplete", json_object_new_boolean(c->incomplete));
	json_object_object_add(o, "problems", cs_jproblems(&c->problems));
	/* system containers and other engines (absent for Docker) */
	if (c->state_unknown || c->engine_status || c->idmap.n || c->n_snapshots || c->type) {
		json_object_object_add(o, "state_recorded", json_object_new_boolean(!c->state_unknown));
		json_object_object_add(o, "engine_status", cs_jstr(c->engine_status));
		json_object_object_add(o, "type", cs_jstr(c->type));
		json_object_object_add(o, "last_used", cs_jtime(c->last_used));
		json_object_object_add(o, "unprivileged", json_object_new_boolean(c->idmap.n > 0));
		json_object_object_add(o, "ids_shifted_on_disk", json_object_new_boolean(c->idmap.shifted));
		json_object *sn = json_object_new_array();
		for (size_t i = 0; i < c->n_snapshots; i++) {
			json_object *x = json_object_new_object();
			json_object_object_add(x, "name", cs_jstr(c->snapshots[i].name));
			json_object_object_add(x, "created", cs_jtime(c->snapshots[i].created));
			json_object_array_add(sn, x);
		}
		json_object_object_add(o, "snapshots", sn);
	}
	return o;
}

char *cs_render_ps_json(const cs_container *const *v, size_t n, bool pretty)
{
	/* One container's object at a time, written and freed, as json-c would
	 * print the whole array: memory stays that of one object, not of the
	 * whole tree (thousands of containers). */
	cs_buf b = {.max = SIZE_MAX};
	(void)cs_buf_puts(&b, "[");
	for (size_t i = 0; i < n; i++) {
		char *s = cs_jfinish(ps_object(v[i]), pretty);
		if (!pretty) {
			(void)cs_buf_printf(&b, "%s%s", i ? "," : "", s);
		} else {
			/* json-c's pretty array: elements on their own lines, indented by two */
			(void)cs_buf_puts(&b, i ? ",\n  " : "\n  ");
			for (const char *p = s, *nl; *p; p = nl + 1) {
				nl = strchr(p, '\n');
				if (!nl) {
					(void)cs_buf_puts(&b, p);
					break;
				}
				(void)cs_buf_append(&b, p, (size_t)(nl - p) + 1);
				(void)cs_buf_puts(&b, "  ");
			}
		}
		free(s);
	}
	(void)cs_buf_puts(&b, pretty ? "\n]" : "]");
	return cs_buf_steal(&b);
}

static json_object *image_object(const cs_image *im)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "id", cs_jstr(im->id));
	json_object_object_add(o, "engine", cs_jstr(im->engine));
	json_object_object_add(o, "namespace", cs_jstr(im->namespace));
	json_object_object_add(o, "tags", cs_jstrv(im->tags));
	json_object_object_add(o, "digests", cs_jstrv(im->digests));
	json_object_object_add(o, "created", cs_jtime(im->created));
	json_object_object_add(o, "size", im->size >= 0 ? json_object_new_int64(im->size) : NULL);
	json_object *l = json_object_new_array();
	for (size_t i = 0; i < im->n_layers; i++)
		json_object_array_add(l, cs_jstr(im->layers[i].diff_id ? im->layers[i].diff_id
									: im->layers[i].chain_id));
	json_object_object_add(o, "layers", l);
	json_object_object_add(o, "parent", cs_jstr(im->parent));
	json_object_object_add(o, "last_tag_time", cs_jtime(im->last_updated));
	json_object_object_add(o, "os", cs_jstr(im->os));
	json_object_object_add(o, "architecture", cs_jstr(im->architecture));
	json_object_object_add(o, "driver", cs_jstr(im->driver));
	json_object_object_add(o, "labels", labels_object(im->labels));
	json_object_object_add(o, "incomplete", json_object_new_boolean(im->incomplete));
	json_object_object_add(o, "problems", cs_jproblems(&im->problems));
	if (im->archive) {
		json_object_object_add(o, "archive", cs_jstr(im->archive));
		json_object_object_add(o, "last_used", cs_jtime(im->last_used));
	}
	return o;
}

char *cs_render_images_json(const cs_image *const *v, size_t n, bool pretty)
{
	json_object *a = json_object_new_array_ext((int)n);
	for (size_t i = 0; i < n; i++)
		json_object_array_add(a, image_object(v[i]));
	return cs_jfinish(a, pretty);
}

char *cs_render_history_json(const cs_image *im, bool pretty)
{
	json_object *a = json_object_new_array();
	for (size_t k = im->n_history; k-- > 0;) {
		const cs_history *h = &im->history[k];
		json_object *o = json_object_new_object();
		json_object_object_add(o, "id", json_object_new_string(h->image_id ? h->image_id : "<missing>"));
		json_object_object_add(o, "created", cs_jtime(h->created));
		json_object_object_add(o, "created_by", json_object_new_string(h->created_by ? h->created_by : ""));
		json_object_object_add(o, "size", json_object_new_int64(h->size));
		json_object_object_add(o, "comment", json_object_new_string(h->comment ? h->comment : ""));
		json_object_object_add(o, "empty_layer", json_object_new_boolean(h->empty_layer));
		json_object_object_add(o, "layer", cs_jstr(h->layer_chain_id));
		json_object_array_add(a, o);
	}
	return cs_jfinish(a, pretty);
}

void cs_human_size(int64_t bytes, char buf[32])
{
	static const char *const units[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
	double v = (double)bytes;
	size_t u = 0;
	while (v >= 1000.0 && u + 1 < CS_ARRAY_SIZE(units)) {
		v /= 1000.0;
		u++;
	}
	snprintf(buf, 32, "%.3g%s", v, units[u]);
}

/* --- volumes --- */

static json_object *volume_object(const cs_volume_use *u)
{
	json_object *o = json_object_new_object();
	cs_jadd_str(o, "name", u->name);
	json_object_object_add(o, "engine", cs_jstr(u->engine));
	json_object_object_add(o, "namespace", cs_jstr(u->namespace));
	json_object_object_add(o, "driver", cs_jstr(u->vol ? u->vol->driver : NULL));
	json_object_object_add(o, "created", cs_jtime(u->vol ? u->vol->created : CS_TIME_NEVER));
	cs_jadd_str(o, "mountpoint", u->vol ? u->vol->host_path : NULL);
	cs_jadd_str(o, "evidence_path", u->vol ? u->vol->data_path : NULL);
	json_object_object_add(o, "in_evidence", json_object_new_boolean(u->vol != NULL));
	json_object_object_add(o, "referenced", json_object_new_boolean(u->n_users > 0));
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < u->n_users; i++) {
		json_object *c = json_object_new_object();
		json_object_object_add(c, "id", cs_jstr(u->users[i]->id));
		cs_jadd_str(c, "name", u->users[i]->name);
		for (size_t m = 0; m < u->users[i]->n_mounts; m++) {
			const cs_mount *mp = &u->users[i]->mounts[m];
			if (mp->type == CS_MOUNT_VOLUME && mp->name && strcmp(mp->name, u->name) == 0) {
				cs_jadd_str(c, "destination", mp->destination);
				json_object_object_add(c, "rw", json_object_new_boolean(mp->rw));
				break;
			}
		}
		json_object_array_add(a, c);
	}
	json_object_object_add(o, "containers", a);
	return o;
}

char *cs_render_volumes_json(const cs_volume_use *const *v, size_t n, bool pretty)
{
	json_object *a = json_object_new_array_ext((int)n);
	for (size_t i = 0; i < n; i++)
		json_object_array_add(a, volume_object(v[i]));
	return cs_jfinish(a, pretty);
}

const char *cs_volume_note(const cs_volume_use *u)
{
	if (!u->vol)
		return "missing";
	if (!u->n_users)
		return "unreferenced";
	return "";
}

/* --- docker --format rows --- */

static void jset(json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v ? v : ""));
}

static char *joined(char *const *v, const char *sep)
{
	cs_buf b = {0};
	(void)cs_buf_puts(&b, "");
	for (size_t i = 0; v && v[i]; i++)
		(void)cs_buf_printf(&b, "%s%s", i ? sep : "", v[i]);
	return cs_buf_steal(&b);
}

/* RFC 3339 UTC, whole seconds unless full. */
static void tset(json_object *o, const char *k, cs_time t, bool full)
{
	char b[CS_TIME_STRMAX];
	jset(o, k, cs_time_format_digits(t, full ? 9 : 0, b) ? b : "");
}

/* docker's CreatedAt of containers and images: Go's time.Time printed in
 * UTC, "2006-01-02 15:04:05 +0000 UTC". */
static void tset_go(json_object *o, const char *k, cs_time t)
{
	char b[CS_TIME_STRMAX];
	if (!cs_time_format_digits(t, 0, b)) {
		jset(o, k, "");
		return;
	}
	b[10] = ' ';
	b[19] = '\0';
	char *v = cs_xasprintf("%s +0000 UTC", b);
	jset(o, k, v);
	free(v);
}

/* Go's strconv.Quote, which docker applies to a container's command. */
static char *go_quote(const char *s)
{
	cs_buf b = {0};
	(void)cs_buf_puts(&b, "\"");
	size_t n = strlen(s);
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		size_t l = cs_utf8_seqlen((const unsigned char *)s + i, n - i);
		if (c >= 0x80 && l && !(c == 0xc2 && (unsigned char)s[i + 1] < 0xa0)) {
			(void)cs_buf_append(&b, s + i, l);
			i += l;
			continue;
		}
		switch (c) {
		case '"': (void)cs_buf_puts(&b, "\\\""); break;
		case '\\': (void)cs_buf_puts(&b, "\\\\"); break;
		case '\a': (void)cs_buf_puts(&b, "\\a"); break;
		case '\b': (void)cs_buf_puts(&b, "\\b"); break;
		case '\f': (void)cs_buf_puts(&b, "\\f"); break;
		case '\n': (void)cs_buf_puts(&b, "\\n"); break;
		case '\r': (void)cs_buf_puts(&b, "\\r"); break;
		case '\t': (void)cs_buf_puts(&b, "\\t"); break;
		case '\v': (void)cs_buf_puts(&b, "\\v"); break;
		default:
			if (c == 0xc2 && l == 2) {
				(void)cs_buf_printf(&b, "\\u%04x", (unsigned char)s[i + 1]);
				i += 2;
				continue;
			}
			if (c < 0x20 || c == 0x7f || c >= 0x80)
				(void)cs_buf_printf(&b, "\\x%02x", c);
			else
				(void)cs_buf_append(&b, s + i, 1);
		}
		i++;
	}
	(void)cs_buf_puts(&b, "\"");
	return cs_buf_steal(&b);
}

/* docker's Ellipsis: at most w characters, the last one "…". Owned. */
static char *ellipsis(const char *s, size_t w)
{
	size_t n = strlen(s), cps = 0, i = 0, cut = 0;
	while (i < n) {
		size_t l = cs_utf8_seqlen((const unsigned char *)s + i, n - i);
		i += l ? l : 1;
		cps++;
		if (cps == w - 1)
			cut = i;
	}
	if (cps <= w)
		return cs_xstrdup(s);
	char *r = cs_xmalloc(cut + 4);
	memcpy(r, s, cut);
	memcpy(r + cut, "\xe2\x80\xa6", 4);
	return r;
}

char *cs_render_ps_row(const cs_container *c, bool notrunc)
{
	json_object *o = json_object_new_object();
	char id[80];
	snprintf(id, sizeof(id), "%.*s", notrunc ? 64 : 12, c->id ? c->id : "");
	jset(o, "ID", notrunc ? c->id : id);
	jset(o, "Names", c->name);
	jset(o, "Image", c->image_ref);
	char *cmd = cs_container_command(c);
	char *shown = notrunc ? cs_xstrdup(cmd) : ellipsis(cmd, 20);
	char *q = go_quote(shown);
	jset(o, "Command", q);
	free(q);
	free(shown);
	free(cmd);
	tset_go(o, "CreatedAt", c->created);
	tset(o, "Created", c->created, true);
	tset(o, "StartedAt", c->state.started_at, true);
	tset(o, "FinishedAt", c->state.finished_at, true);
	jset(o, "State", c->config_json ? cs_container_status(c) : "unknown");
	char *st = cs_container_status_text(c);
	jset(o, "Status", st);
	free(st);
	char ex[32];
	snprintf(ex, sizeof(ex), "%lld", (long long)c->state.exit_code);
	jset(o, "ExitCode", ex);
	jset(o, "Error", c->state.error);
	char *l = joined(c->labels, ",");
	jset(o, "Labels", l);
	free(l);
	/* as docker: each mount's volume name or source, in mount order */
	cs_buf m = {0};
	(void)cs_buf_puts(&m, "");
	size_t nvol = 0;
	for (size_t i = 0; i < c->n_mounts; i++) {
		const cs_mount *mp = &c->mounts[i];
		const char *nm = mp->name && *mp->name ? mp->name : mp->type == CS_MOUNT_BIND && mp->source ? mp->source : "";
		(void)cs_buf_printf(&m, "%s%s", i ? "," : "", nm);
		nvol += mp->type == CS_MOUNT_VOLUME;
	}
	jset(o, "Mounts", m.data);
	cs_buf_free(&m);
	char nv[32];
	snprintf(nv, sizeof(nv), "%zu", nvol);
	jset(o, "LocalVolumes", nv);
	jset(o, "Engine", c->engine);
	jset(o, "Namespace", c->namespace);
	/* a Podman pod has no namespace: its name alone */
	char *pod = !c->pod || !c->pod->name ? NULL
		    : c->pod->namespace     ? cs_xasprintf("%s/%s", c->pod->namespace, c->pod->name)
					    : cs_xstrdup(c->pod->name);
	jset(o, "Pod", pod);
	free(pod);
	return cs_jfinish(o, false);
}

static void human(int64_t bytes, int precision, char buf[32])
{
	static const char *const units[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
	double v = (double)bytes;
	size_t u = 0;
	while (v >= 1000.0 && u + 1 < CS_ARRAY_SIZE(units)) {
		v /= 1000.0;
		u++;
	}
	snprintf(buf, 32, "%.*g%s", precision, v, units[u]);
}

char *cs_render_image_row(const cs_image *im, const char *repo, const char *tag, const char *digest,
			  bool notrunc, size_t containers)
{
	json_object *o = json_object_new_object();
	const char *h = im->id && cs_str_startswith(im->id, "sha256:") ? im->id + 7 : im->id ? im->id : "";
	char id[80];
	snprintf(id, sizeof(id), "%.12s", h);
	jset(o, "ID", notrunc ? im->id : id);
	jset(o, "Repository", repo);
	jset(o, "Tag", tag);
	jset(o, "Digest", digest);
	tset_go(o, "CreatedAt", im->created);
	tset(o, "Created", im->created, true);
	char sz[32] = "", vsz[32] = "";
	if (im->size >= 0) {
		human(im->size, 3, sz);
		human(im->size, 4, vsz);
	}
	jset(o, "Size", sz);
	jset(o, "VirtualSize", vsz);
	char n[32];
	snprintf(n, sizeof(n), "%zu", containers);
	jset(o, "Containers", n);
	char *l = joined(im->labels, ",");
	jset(o, "Labels", l);
	free(l);
	jset(o, "Engine", im->engine);
	jset(o, "Namespace", im->namespace);
	return cs_jfinish(o, false);
}

char *cs_render_history_row(const cs_history *h, bool notrunc, bool bytes)
{
	json_object *o = json_object_new_object();
	const char *id = h->image_id ? h->image_id : "<missing>";
	char sid[80];
	snprintf(sid, sizeof(sid), "%.12s", cs_str_startswith(id, "sha256:") ? id + 7 : id);
	jset(o, "ID", notrunc || !h->image_id ? id : sid);
	tset(o, "CreatedAt", h->created, false);
	tset(o, "Created", h->created, true);
	const char *by = h->created_by ? h->created_by : "";
	char *shown = notrunc ? cs_xstrdup(by) : ellipsis(by, 45);
	jset(o, "CreatedBy", shown);
	free(shown);
	char sz[32];
	if (bytes)
		snprintf(sz, sizeof(sz), "%lld", (long long)h->size);
	else
		human(h->size, 3, sz);
	jset(o, "Size", sz);
	jset(o, "Comment", h->comment);
	return cs_jfinish(o, false);
}

char *cs_render_volume_row(const cs_volume_use *u)
{
	json_object *o = json_object_new_object();
	jset(o, "Name", u->name);
	jset(o, "Driver", u->vol ? u->vol->driver : "");
	jset(o, "Mountpoint", u->vol ? u->vol->host_path : "");
	tset(o, "CreatedAt", u->vol ? u->vol->created : CS_TIME_NEVER, false);
	jset(o, "Scope", "local");
	char n[32];
	snprintf(n, sizeof(n), "%zu", u->n_users);
	jset(o, "Links", n);
	cs_buf b = {0};
	(void)cs_buf_puts(&b, "");
	for (size_t i = 0; i < u->n_users; i++)
		(void)cs_buf_printf(&b, "%s%s", i ? "," : "", u->users[i]->name ? u->users[i]->name : u->users[i]->id);
	jset(o, "Containers", b.data);
	cs_buf_free(&b);
	jset(o, "Note", cs_volume_note(u));
	jset(o, "Engine", u->engine);
	jset(o, "Namespace", u->namespace);
	return cs_jfinish(o, false);
}
