/* render.c - JSON renderings for ps, images and history (see render.h). */
#include "render/render.h"

#include <stdio.h>
#include <string.h>

#include "formats/jsonutil.h"
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
	size_t n;
	char *r = cs_utf8_repair(s, strlen(s), &n);
	free(s);
	return r;
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

static json_object *ps_object(const cs_container *c)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "id", cs_jstr(c->id));
	json_object_object_add(o, "name", cs_jstr(c->name));
	json_object_object_add(o, "engine", cs_jstr(c->engine));
	json_object_object_add(o, "namespace", cs_jstr(c->namespace));
	json_object *pod = NULL;
	if (c->pod) {
		pod = json_object_new_object();
		json_object_object_add(pod, "name", cs_jstr(c->pod->name));
		json_object_object_add(pod, "namespace", cs_jstr(c->pod->namespace));
		json_object_object_add(pod, "uid", cs_jstr(c->pod->uid));
	}
	json_object_object_add(o, "pod", pod);
	json_object_object_add(o, "image", cs_jstr(c->image_ref));
	json_object_object_add(o, "image_id", cs_jstr(c->image_id));
	char *cmd = cs_container_command(c);
	json_object_object_add(o, "command", json_object_new_string(cmd));
	free(cmd);
	const char *state = cs_container_state(c);
	json_object_object_add(o, "state", state ? json_object_new_string(state) : NULL);
	json_object_object_add(o, "exit_code",
			       state && !c->exit_code_unknown ? json_object_new_int64(c->state.exit_code) : NULL);
	json_object_object_add(o, "oom_killed", json_object_new_boolean(c->state.oom_killed));
	json_object_object_add(o, "pid", json_object_new_int64(c->state.pid));
	json_object_object_add(o, "restart_count", json_object_new_int64(c->restart_count));
	json_object_object_add(o, "health", cs_jstr(c->state.health_status));
	json_object_object_add(o, "created", cs_jtime(c->created));
	json_object_object_add(o, "started_at", cs_jtime(c->state.started_at));
	json_object_object_add(o, "finished_at", cs_jtime(c->state.finished_at));
	json_object_object_add(o, "driver", cs_jstr(c->driver));
	json_object_object_add(o, "mount_id", cs_jstr(c->mount_id));
	json_object_object_add(o, "log_driver", cs_jstr(c->log_driver));
	json_object *m = json_object_new_array();
	for (size_t i = 0; i < c->n_mounts; i++) {
		const cs_mount *x = &c->mounts[i];
		json_object *mo = json_object_new_object();
		static const char *const types[] = {"", "bind", "volume", "tmpfs", "npipe"};
		json_object_object_add(mo, "type", json_object_new_string(types[x->type]));
		json_object_object_add(mo, "name", cs_jstr(x->name));
		json_object_object_add(mo, "source", cs_jstr(x->source));
		json_object_object_add(mo, "destination", cs_jstr(x->destination));
		json_object_object_add(mo, "rw", json_object_new_boolean(x->rw));
		json_object_object_add(mo, "evidence_path", cs_jstr(x->evidence_path));
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
	json_object *a = json_object_new_array_ext((int)n);
	for (size_t i = 0; i < n; i++)
		json_object_array_add(a, ps_object(v[i]));
	return cs_jfinish(a, pretty);
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
