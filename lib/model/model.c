/* model.c - model helpers: derived status, lookup, destruction. */
#include "model/model.h"
#include "model/engine.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *cs_container_status(const cs_container *c)
{
	/* moby container/state.go StateString() */
	const cs_state *s = &c->state;
	if (s->running) {
		if (s->paused)
			return "paused";
		if (s->restarting)
			return "restarting";
		return "running";
	}
	if (s->removal_in_progress)
		return "removing";
	if (s->dead)
		return "dead";
	if (s->started_at == CS_TIME_NEVER)
		return "created";
	return "exited";
}

const char *cs_container_state(const cs_container *c)
{
	if (c->state_unknown || !c->config_json)
		return NULL;
	return cs_container_status(c);
}

bool cs_container_start_failed(const cs_container *c)
{
	return !c->state.running && c->state.error && *c->state.error;
}

char *cs_container_status_text(const cs_container *c)
{
	const char *s = cs_container_state(c);
	if (!s)
		return cs_xstrdup("Unknown");
	if (strcmp(s, "running") == 0)
		return cs_xstrdup("Up");
	if (strcmp(s, "paused") == 0)
		return cs_xstrdup("Up (Paused)");
	if (strcmp(s, "restarting") == 0)
		return cs_xasprintf("Restarting (%lld)", (long long)c->state.exit_code);
	if (strcmp(s, "removing") == 0)
		return cs_xstrdup("Removal In Progress");
	if (strcmp(s, "dead") == 0)
		return cs_xstrdup("Dead");
	if (strcmp(s, "created") == 0)
		return cs_container_start_failed(c)
			       ? cs_xasprintf("Start failed (%lld)", (long long)c->state.exit_code)
			       : cs_xstrdup("Created");
	return cs_container_start_failed(c)
		       ? cs_xasprintf("Restart failed (%lld)", (long long)c->state.exit_code)
		       : cs_xasprintf("Exited (%lld)", (long long)c->state.exit_code);
}

uint32_t cs_idmap_to_container(const cs_idmap *m, char kind, uint32_t stored, bool *mapped)
{
	if (mapped)
		*mapped = true;
	if (!m->shifted)
		return stored;
	for (size_t i = 0; i < m->n; i++) {
		const cs_idmap_range *r = &m->v[i];
		if (r->kind == kind && stored >= r->host_id && stored - r->host_id < r->count)
			return r->ns_id + (stored - r->host_id);
	}
	if (mapped)
		*mapped = false;
	return 65534;
}

void cs_idmap_add(cs_idmap *m, char kind, uint32_t ns_id, uint32_t host_id, uint32_t count)
{
	cs_idmap_range *r = CS_PUSH(m->v, m->n, m->cap);
	r->kind = kind;
	r->ns_id = ns_id;
	r->host_id = host_id;
	r->count = count;
}

static void events_free(cs_ctevent *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].desc);
		free(v[i].message);
		free(v[i].file);
	}
	free(v);
}

static void event_vadd(cs_ctevent **v, size_t *n, size_t *cap, cs_time t, const char *desc, const char *file,
		       bool file_time, const char *fmt, va_list ap) __attribute__((format(printf, 8, 0)));
static void event_vadd(cs_ctevent **v, size_t *n, size_t *cap, cs_time t, const char *desc, const char *file,
		       bool file_time, const char *fmt, va_list ap)
{
	cs_ctevent *x = CS_PUSH(*v, *n, *cap);
	x->time = t;
	x->desc = cs_xstrdup(desc);
	x->file = cs_xstrdup(file);
	x->file_time = file_time;
	if (vasprintf(&x->message, fmt, ap) < 0)
		abort();
}

void cs_container_event(cs_container *c, cs_time t, const char *desc, const char *file, bool file_time,
			const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	event_vadd(&c->events, &c->n_events, &c->cap_events, t, desc, file, file_time, fmt, ap);
	va_end(ap);
}

void cs_image_event(cs_image *im, cs_time t, const char *desc, const char *file, bool file_time, const char *fmt,
		    ...)
{
	va_list ap;
	va_start(ap, fmt);
	event_vadd(&im->events, &im->n_events, &im->cap_events, t, desc, file, file_time, fmt, ap);
	va_end(ap);
}

void cs_container_logfile(cs_container *c, const char *path, const char *role, int format)
{
	cs_logfile *x = CS_PUSH(c->logfiles, c->n_logfiles, c->cap_logfiles);
	x->path = cs_xstrdup(path);
	x->role = cs_xstrdup(role);
	x->format = format;
}

void cs_snapshot_clear(cs_snapshot *s)
{
	free(s->name);
	free(s->created_how);
	free(s->comment);
	free(s->dir);
	free(s->config_json);
	cs_layer_stack_clear(&s->layers);
	memset(s, 0, sizeof(*s));
}

void cs_problems_add(cs_problems *p, const char *file, const char *msg)
{
	cs_problem *x = CS_PUSH(p->v, p->n, p->cap);
	x->file = cs_xstrdup(file);
	x->msg = cs_xstrdup(msg);
}

void cs_evfiles_add(cs_evfiles *e, const char *role, const char *path)
{
	for (size_t i = 0; i < e->n; i++)
		if (strcmp(e->v[i].role, role) == 0)
			return;
	cs_evfile *x = CS_PUSH(e->v, e->n, e->cap);
	x->role = cs_xstrdup(role);
	x->path = cs_xstrdup(path);
}

static void problems_free(cs_problems *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].file);
		free(p->v[i].msg);
	}
	free(p->v);
}

static void evfiles_free(cs_evfiles *e)
{
	for (size_t i = 0; i < e->n; i++) {
		free(e->v[i].role);
		free(e->v[i].path);
	}
	free(e->v);
}

static void container_free(cs_container *c)
{
	free(c->namespace);
	if (c->pod) {
		free(c->pod->name);
		free(c->pod->namespace);
		free(c->pod->uid);
		free(c->pod);
	}
	free(c->id);
	free(c->name);
	free(c->image_ref);
	free(c->image_id);
	free(c->path);
	cs_strv_free(c->args);
	free(c->driver);
	free(c->platform);
	free(c->state.error);
	free(c->state.health_status);
	for (size_t i = 0; i < c->state.n_health_log; i++)
		free(c->state.health_log[i].output);
	free(c->state.health_log);
	cs_strv_free(c->labels);
	free(c->log_driver);
	free(c->log_path);
	free(c->log_evidence_path);
	free(c->host_root);
	for (size_t i = 0; i < c->n_mounts; i++)
		cs_mount_clear(&c->mounts[i]);
	free(c->mounts);
	free(c->mount_id);
	free(c->init_id);
	for (size_t i = 0; i < c->layers.n; i++) {
		free(c->layers.v[i].path);
		free(c->layers.v[i].id);
		free(c->layers.v[i].role);
	}
	free(c->layers.v);
	free(c->layers.driver);
	free(c->dir);
	free(c->config_json);
	free(c->hostconfig_json);
	problems_free(&c->problems);
	evfiles_free(&c->evidence);
	cs_strv_free(c->diff_hidden);
	free(c->snapshotter);
	free(c->snapshot_key);
	free(c->sandbox_id);
	free(c->state_reason);
	free(c->status_json);
	free(c->snapshot_namespace);
	cs_strv_free(c->snapshot_roots);
	free(c->engine_status);
	free(c->type);
	free(c->idmap.v);
	for (size_t i = 0; i < c->n_snapshots; i++)
		cs_snapshot_clear(&c->snapshots[i]);
	free(c->snapshots);
	events_free(c->events, c->n_events);
	for (size_t i = 0; i < c->n_logfiles; i++) {
		free(c->logfiles[i].path);
		free(c->logfiles[i].role);
	}
	free(c->logfiles);
	free(c->inspect_json);
	free(c->base_archive);
	free(c->base_archive_prefix);
}

void cs_mount_clear(cs_mount *m)
{
	free(m->name);
	free(m->source);
	free(m->destination);
	free(m->driver);
	free(m->mode);
	free(m->propagation);
	free(m->evidence_path);
}

static void image_free(cs_image *im)
{
	free(im->namespace);
	free(im->id);
	cs_strv_free(im->tags);
	cs_strv_free(im->digests);
	free(im->parent);
	free(im->driver);
	free(im->os);
	free(im->architecture);
	free(im->variant);
	free(im->author);
	free(im->docker_version);
	free(im->comment);
	for (size_t i = 0; i < im->n_layers; i++) {
		free(im->layers[i].diff_id);
		free(im->layers[i].chain_id);
		free(im->layers[i].cache_id);
		free(im->layers[i].dir);
	}
	free(im->layers);
	for (size_t i = 0; i < im->n_history; i++) {
		free(im->history[i].created_by);
		free(im->history[i].comment);
		free(im->history[i].author);
		free(im->history[i].layer_chain_id);
		free(im->history[i].image_id);
	}
	free(im->history);
	cs_strv_free(im->labels);
	free(im->config_path);
	free(im->config_json);
	problems_free(&im->problems);
	evfiles_free(&im->evidence);
	cs_strv_free(im->names);
	free(im->target_media_type);
	free(im->config_digest);
	free(im->manifest_digest);
	free(im->platform);
	free(im->archive);
	free(im->archive_prefix);
	free(im->inspect_json);
	events_free(im->events, im->n_events);
}

void cs_dataroot_free(cs_dataroot *dr)
{
	if (!dr)
		return;
	for (size_t i = 0; i < dr->n_containers; i++)
		container_free(&dr->containers[i]);
	free(dr->containers);
	for (size_t i = 0; i < dr->n_images; i++)
		image_free(&dr->images[i]);
	free(dr->images);
	for (size_t i = 0; i < dr->n_volumes; i++) {
		free(dr->volumes[i].namespace);
		free(dr->volumes[i].name);
		free(dr->volumes[i].driver);
		free(dr->volumes[i].data_path);
		free(dr->volumes[i].host_path);
	}
	free(dr->volumes);
	problems_free(&dr->problems);
	if (dr->engine_data && dr->engine_data_free)
		dr->engine_data_free(dr->engine_data);
	free(dr->path);
	free(dr->host_path);
	free(dr);
}

void cs_layer_stack_push(cs_layer_stack *s, const char *path, const char *id, const char *role)
{
	cs_layer_dir *d = CS_PUSH(s->v, s->n, s->cap);
	d->path = cs_xstrdup(path);
	d->id = cs_xstrdup(id);
	d->role = cs_xstrdup(role);
}

int cs_image_stack(const cs_image *im, cs_layer_stack *ret, cs_error *e)
{
	memset(ret, 0, sizeof(*ret));
	ret->driver = cs_xstrdup(im->driver);
	ret->whiteouts = im->whiteouts;
	ret->complete = true;
	if (im->n_layers == 0) {
		cs_layer_stack_clear(ret); /* nothing to free on failure */
		return cs_err(e, -ENOENT, "image %s has no layers", im->id);
	}
	for (size_t k = im->n_layers; k-- > 0;) {
		const cs_image_layer *L = &im->layers[k];
		if (!L->dir) {
			cs_layer_stack_clear(ret);
			return cs_err(e, -ENOENT, "image %s: layer %s has no known directory", im->id,
				      L->chain_id ? L->chain_id : "?");
		}
		cs_layer_stack_push(ret, L->dir, L->cache_id ? L->cache_id : "", "image");
		if (im->flat_layers)
			break;
	}
	return 0;
}

void cs_layer_stack_clear(cs_layer_stack *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].path);
		free(s->v[i].id);
		free(s->v[i].role);
	}
	free(s->v);
	free(s->driver);
	memset(s, 0, sizeof(*s));
}

void cs_dataroot_seal(cs_dataroot *dr)
{
	/* an item an engine labelled itself keeps its label (a containers/storage
	 * store holds Podman's and CRI-O's containers) */
	for (size_t i = 0; i < dr->n_containers; i++) {
		dr->containers[i].dr = dr;
		if (!dr->containers[i].engine)
			dr->containers[i].engine = dr->engine;
	}
	for (size_t i = 0; i < dr->n_images; i++) {
		dr->images[i].dr = dr;
		if (!dr->images[i].engine)
			dr->images[i].engine = dr->engine;
	}
	for (size_t i = 0; i < dr->n_volumes; i++) {
		if (!dr->volumes[i].engine)
			dr->volumes[i].engine = dr->engine;
		dr->volumes[i].dr = dr;
	}
}

void cs_engine_roots_add(cs_engine_roots *r, const struct cs_engine *engine, const char *path,
			 const char *host_path, const char *origin)
{
	cs_engine_root *x = CS_PUSH(r->v, r->n, r->cap);
	x->engine = engine;
	x->path = cs_xstrdup(path);
	x->host_path = cs_xstrdup(host_path);
	x->origin = cs_xstrdup(origin);
}

void cs_engine_roots_clear(cs_engine_roots *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].path);
		free(r->v[i].host_path);
		free(r->v[i].origin);
	}
	free(r->v);
	memset(r, 0, sizeof(*r));
}
