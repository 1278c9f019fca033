/* tlsources.c - timeline events from the model (see tlsources.h).
 *
 * Layer directories are walked raw (not merged): the examiner wants every
 * entry the container itself wrote, with the times its own file system gave
 * it, including the whiteouts that record deletions. A file's four times
 * become up to four events (times that are equal share one event), or, in a
 * body file, one row holding all four.
 */
#include "timeline/tlsources.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "fs/content.h"
#include "render/fsrender.h"
#include "logs/logs.h"
#include "formats/sanitize.h"
#include "base/strmap.h"
#include "fs/tree.h"

typedef struct ctx {
	cs_timeline *t;
	cs_source *src;
	const cs_tl_sources *s;
	cs_magic *magic;
	uint64_t entries;
	bool body;
	int err;
	cs_error *e;
} ctx;

#define diag(c, file, ...) cs_diagf((c)->s->diag, (c)->s->diag_userdata, CS_WARN, file, __VA_ARGS__)

static void add(ctx *c, cs_event *ev)
{
	if (c->err)
		return;
	int r = cs_timeline_add(c->t, ev, c->e);
	if (r < 0)
		c->err = r;
}

static cs_event base_event(void)
{
	cs_event ev = {.size = -1, .mode = -1, .uid = -1, .gid = -1, .atime = CS_TIME_NEVER,
		       .mtime = CS_TIME_NEVER, .ctime = CS_TIME_NEVER, .btime = CS_TIME_NEVER};
	return ev;
}

/* --- containers and images --- */

/* "<pod namespace>/<pod name>" of a Kubernetes container, the pod's name
 * alone for a pod without a namespace (Podman's), or NULL. Owned. */
static char *pod_of(const cs_container *ct)
{
	if (!ct->pod || !ct->pod->name)
		return NULL;
	if (!ct->pod->namespace)
		return cs_xstrdup(ct->pod->name);
	return cs_xasprintf("%s/%s", ct->pod->namespace, ct->pod->name);
}

static void engine_events(ctx *c, cs_event *ev, const char *what, const char *nm, const cs_engine_event *v,
			  size_t n)
{
	char msg[2048];
	ev->message = msg;
	ev->desc = "Engine Event";
	for (size_t i = 0; i < n; i++) {
		snprintf(msg, sizeof(msg), "%s %s: %s event `%s` (%s)", what, nm, ev->engine ? ev->engine : "engine",
			 v[i].action ? v[i].action : "", v[i].detail ? v[i].detail : "");
		_cleanup_free_ char *where = cs_xasprintf("%s:%llu", v[i].file ? v[i].file : "",
							  (unsigned long long)v[i].line);
		const char *saved = ev->path;
		ev->path = where;
		ev->time = v[i].time;
		add(c, ev);
		ev->path = saved;
	}
	ev->path = NULL;
}

static void container_events(ctx *c, const cs_container *ct)
{
	cs_event ev = base_event();
	ev.source = "container";
	ev.container_id = ct->id;
	ev.container_name = ct->name;
	ev.image = ct->image_ref;
	_cleanup_free_ char *pod = pod_of(ct);
	ev.engine = ct->engine;
	ev.namespace = ct->namespace;
	ev.pod = pod;
	char msg[1024];
	ev.message = msg;
	const char *nm = ct->name ? ct->name : ct->id;
	snprintf(msg, sizeof(msg), "Container %s created from image %s", nm, ct->image_ref ? ct->image_ref : "?");
	ev.desc = "Container Created";
	ev.time = ct->created;
	add(c, &ev);
	if (ct->state.started_at != CS_TIME_NEVER) {
		snprintf(msg, sizeof(msg), "Container %s started%s%s", nm,
			 ct->restart_count ? " (restarted)" : "",
			 ct->state.running ? "; still running when the host went down" : "");
		ev.desc = "Container Started";
		ev.time = ct->state.started_at;
		add(c, &ev);
	}
	if (ct->state.finished_at != CS_TIME_NEVER) {
		snprintf(msg, sizeof(msg), "Container %s finished: exit code %lld%s, restart count %lld%s", nm,
			 (long long)ct->state.exit_code, ct->state.oom_killed ? ", OOM-killed" : "",
			 (long long)ct->restart_count, ct->state.error && *ct->state.error ? ", error: " : "");
		if (ct->state.error && *ct->state.error)
			strncat(msg, ct->state.error, sizeof(msg) - strlen(msg) - 1);
		ev.desc = "Container Finished";
		ev.time = ct->state.finished_at;
		add(c, &ev);
	}
	for (size_t i = 0; i < ct->state.n_health_log; i++) {
		const cs_health_log *h = &ct->state.health_log[i];
		snprintf(msg, sizeof(msg), "Health check of %s: exit code %d: %s", nm, h->exit_code,
			 h->output ? h->output : "");
		ev.desc = "Health Check";
		ev.time = h->start;
		add(c, &ev);
	}
	engine_events(c, &ev, "Container", nm, ct->events, ct->n_events);
}

static void image_events(ctx *c, const cs_image *im)
{
	cs_event ev = base_event();
	ev.source = "image";
	ev.engine = im->engine;
	ev.namespace = im->namespace;
	const char *tag = im->tags && im->tags[0] ? im->tags[0] : im->id;
	ev.image = tag;
	ev.layer = NULL;
	char msg[2048];
	ev.message = msg;
	snprintf(msg, sizeof(msg), "Image %s (%s) created", tag, im->id);
	ev.desc = "Image Created";
	ev.time = im->created;
	add(c, &ev);
	for (size_t i = 0; i < im->n_history; i++) {
		const cs_history *h = &im->history[i];
		snprintf(msg, sizeof(msg), "Image %s build step %zu: %s", tag, i + 1, h->created_by ? h->created_by : "");
		ev.desc = "Image Build Step";
		ev.time = h->created;
		ev.layer = h->layer_chain_id;
		ev.size = h->empty_layer ? -1 : h->size;
		add(c, &ev);
	}
	ev.layer = NULL;
	ev.size = -1;
	if (im->last_updated != CS_TIME_NEVER) {
		snprintf(msg, sizeof(msg), "Image %s tagged or pulled", tag);
		ev.desc = "Image Tagged";
		ev.time = im->last_updated;
		add(c, &ev);
	}
	engine_events(c, &ev, "Image", tag, im->events, im->n_events);
}

/* --- file system entries --- */

typedef struct walkctx {
	const char *container_id, *container_name, *image, *layer;
	const char *engine, *namespace, *pod;
	const char *source;
	cs_whiteout_format whiteouts;
	bool container_layer; /* whiteouts and opaque dirs are deletions */
	const cs_layer_dir *lower; /* the layers below a container's own, top first */
	size_t n_lower;
} walkctx;

/* An opaque directory replaced something only if a lower layer has it
 * (fuse-overlayfs marks every directory it creates opaque). */
static bool lower_has(ctx *c, const walkctx *w, const char *path)
{
	for (size_t i = 0; i < w->n_lower; i++) {
		_cleanup_free_ char *p = cs_xasprintf("%s%s", w->lower[i].path, path);
		cs_stat st;
		if (cs_source_stat(c->src, p, false, &st, NULL) == 0)
			return S_ISDIR(st.mode);
	}
	return false;
}

static void entry_events(ctx *c, const walkctx *w, const char *path, const cs_stat *st, const char *evpath)
{
	cs_event ev = base_event();
	ev.source = w->source;
	ev.engine = w->engine;
	ev.namespace = w->namespace;
	ev.pod = w->pod;
	ev.container_id = w->container_id;
	ev.container_name = w->container_name;
	ev.image = w->image;
	ev.layer = w->layer;
	ev.path = path;
	ev.size = (int64_t)st->size;
	ev.mode = st->mode;
	ev.uid = st->uid;
	ev.gid = st->gid;
	ev.inode = st->ino;
	char hex[65] = "";
	char *magic = NULL;
	if (S_ISREG(st->mode) && (c->s->hash || c->magic)) {
		cs_file *f;
		cs_error fe;
		if (cs_source_open(c->src, evpath, &f, &fe) == 0) {
			if (cs_content_info(f, c->s->hash ? hex : NULL, c->magic, &magic, &fe) < 0)
				diag(c, evpath, "%s", fe.msg);
			cs_file_close(f);
		} else {
			diag(c, evpath, "%s", fe.msg);
		}
	}
	ev.sha256 = hex[0] ? hex : NULL;
	ev.magic = magic;
	char msg[4200];
	ev.message = msg;
	snprintf(msg, sizeof(msg), "%s (%s, %llu bytes%s%s)", path, cs_mode_type(st->mode),
		 (unsigned long long)st->size, magic ? ", " : "", magic ? magic : "");
	if (c->body) {
		ev.file_row = true;
		ev.time = st->mtime;
		ev.atime = st->atime;
		ev.mtime = st->mtime;
		ev.ctime = st->ctime;
		ev.btime = st->btime;
		ev.desc = "File";
		add(c, &ev);
		free(magic);
		return;
	}
	/* one event per distinct time, naming every kind it stands for */
	static const char *const names[] = {"Content Modification Time", "Last Access Time",
					    "Metadata Modification Time", "Creation Time"};
	cs_time times[4] = {st->mtime, st->atime, st->ctime, st->btime};
	bool done[4] = {false};
	for (int i = 0; i < 4; i++) {
		if (done[i] || times[i] == CS_TIME_INVALID || times[i] == CS_TIME_NEVER)
			continue;
		char desc[200] = "";
		for (int k = i; k < 4; k++)
			if (!done[k] && times[k] == times[i]) {
				if (*desc)
					strncat(desc, "; ", sizeof(desc) - strlen(desc) - 1);
				strncat(desc, names[k], sizeof(desc) - strlen(desc) - 1);
				done[k] = true;
			}
		ev.desc = desc;
		ev.time = times[i];
		add(c, &ev);
	}
	free(magic);
}

static void deletion_event(ctx *c, const walkctx *w, const char *path, const cs_stat *st, bool opaque)
{
	cs_event ev = base_event();
	ev.source = "deletion";
	ev.engine = w->engine;
	ev.namespace = w->namespace;
	ev.pod = w->pod;
	ev.container_id = w->container_id;
	ev.container_name = w->container_name;
	ev.image = w->image;
	ev.layer = w->layer;
	ev.path = path;
	ev.mode = st->mode;
	ev.uid = st->uid;
	ev.gid = st->gid;
	ev.inode = st->ino;
	ev.deleted = true;
	char msg[4200];
	ev.message = msg;
	snprintf(msg, sizeof(msg), opaque ? "%s: directory replaced (its earlier contents hidden)"
					  : "%s deleted (whiteout)", path);
	ev.desc = opaque ? "Directory Replaced" : "File Deleted";
	if (c->body) {
		ev.file_row = true;
		ev.time = st->ctime;
		ev.atime = st->atime;
		ev.mtime = st->mtime;
		ev.ctime = st->ctime;
		ev.btime = st->btime;
		add(c, &ev);
		return;
	}
	/* the whiteout was made when the file was deleted: its ctime (and birth
	 * time, where known) date the deletion */
	ev.time = CS_TIME_IS_REAL(st->btime) ? st->btime : st->ctime;
	add(c, &ev);
}

/* Walks a layer directory depth-first (explicit stack, bounded depth). */
static void walk_layer(ctx *c, const walkctx *w, const char *dir)
{
	typedef struct item {
		char *ev, *path;
		unsigned depth;
	} item;
	item *stack = NULL;
	size_t n = 0, cap = 0;
	item *it = CS_PUSH(stack, n, cap);
	it->ev = cs_xstrdup(dir);
	it->path = cs_xstrdup("");
	while (n > 0 && !c->err) {
		item cur = stack[--n];
		cs_dirent *d;
		size_t nd;
		cs_error le;
		if (cs_source_list(c->src, cur.ev, &d, &nd, &le) < 0) {
			diag(c, cur.ev, "%s", le.msg);
			free(cur.ev);
			free(cur.path);
			continue;
		}
		for (size_t i = nd; i-- > 0;) {
			char *ev = cs_xasprintf("%s/%s", cur.ev, d[i].name);
			const char *name = d[i].name;
			cs_stat st;
			if (cs_source_stat(c->src, ev, false, &st, &le) < 0) {
				diag(c, ev, "%s", le.msg);
				free(ev);
				continue;
			}
			c->entries++;
			if (c->s->progress && c->entries % 20000 == 0)
				c->s->progress(c->s->progress_userdata, c->entries, cs_timeline_count(c->t));
			cs_wh_kind wk = cs_whiteout_name(w->whiteouts, name, &st);
			if (wk == CS_WH_KIND_OPAQUE || wk == CS_WH_KIND_HIDDEN) {
				/* aufs marks a replaced directory by this entry alone; the
				 * other formats are told at the directory itself */
				if (wk == CS_WH_KIND_OPAQUE && w->whiteouts == CS_WH_AUFS && w->container_layer &&
				    (!*cur.path || lower_has(c, w, cur.path)))
					deletion_event(c, w, *cur.path ? cur.path : "/", &st, true);
				free(ev);
				continue;
			}
			bool wh_name = wk == CS_WH_KIND_WHITEOUT && cs_str_startswith(name, ".wh.") &&
				       w->whiteouts != CS_WH_OVERLAY;
			char *path = cs_xasprintf("%s/%s", cur.path, wh_name ? name + 4 : name);
			if (wk == CS_WH_KIND_WHITEOUT) {
				/* a deletion, in the container's layer or in an image layer */
				deletion_event(c, w, path, &st, false);
			} else {
				entry_events(c, w, path, &st, ev);
				if (S_ISDIR(st.mode)) {
					if (w->container_layer && w->whiteouts != CS_WH_AUFS &&
					    cs_dir_is_opaque(c->src, ev, w->whiteouts) && lower_has(c, w, path))
						deletion_event(c, w, path, &st, true);
					if (cur.depth < 4096) {
						item *x = CS_PUSH(stack, n, cap);
						x->ev = ev;
						x->path = path;
						x->depth = cur.depth + 1;
						continue;
					}
				}
			}
			free(ev);
			free(path);
		}
		cs_dirents_free(d, nd);
		free(cur.ev);
		free(cur.path);
	}
	for (size_t i = 0; i < n; i++) {
		free(stack[i].ev);
		free(stack[i].path);
	}
	free(stack);
}

static void log_events(ctx *c, const cs_container *ct)
{
	cs_logs_opts o;
	cs_logs_opts_init(&o);
	o.join = true;
	o.diag = c->s->diag;
	o.diag_userdata = c->s->diag_userdata;
	cs_logs *lr;
	cs_error le;
	if (cs_logs_open(c->src, ct, &o, &lr, &le) < 0) {
		if (le.code != -ENOENT)
			diag(c, ct->dir, "container %s: logs: %s", ct->id, le.msg);
		return;
	}
	const cs_log_record *rec;
	cs_buf msg = {.max = SIZE_MAX};
	cs_event ev = base_event();
	ev.source = "log";
	_cleanup_free_ char *pod = pod_of(ct);
	ev.engine = ct->engine;
	ev.namespace = ct->namespace;
	ev.pod = pod;
	ev.container_id = ct->id;
	ev.container_name = ct->name;
	ev.image = ct->image_ref;
	ev.desc = "Log Record";
	while (!c->err && cs_logs_next(lr, &rec, &le) > 0) {
		msg.len = 0;
		(void)cs_buf_puts(&msg, rec->stream == CS_LOG_STDERR ? "stderr: " : "stdout: ");
		(void)cs_buf_append(&msg, rec->text, rec->len);
		char off[32];
		snprintf(off, sizeof(off), "%llu", (unsigned long long)rec->offset);
		_cleanup_free_ char *where = cs_xasprintf("%s@%s", rec->file ? rec->file : "", off);
		ev.path = where;
		ev.message = msg.data;
		ev.time = rec->time;
		add(c, &ev);
	}
	cs_buf_free(&msg);
	cs_logs_close(lr);
}

int cs_timeline_model(cs_timeline *t, cs_source *src, const cs_container *const *cts, size_t n_cts,
		      const cs_image *const *ims, size_t n_ims, const cs_tl_sources *s, cs_error *e)
{
	ctx c = {.t = t, .src = src, .s = s, .e = e};
	c.magic = s->magic ? cs_magic_open() : NULL;
	c.body = cs_timeline_format(t) == CS_TL_BODYFILE; /* one row per file */
	cs_strmap volumes = {0}, layers = {0};
	for (size_t k = 0; k < n_cts && !c.err; k++) {
		const cs_container *ct = cts[k];
		container_events(&c, ct);
		_cleanup_free_ char *pod = pod_of(ct);
		if (ct->layers.n > 0) {
			/* a native snapshot is a whole tree: its entries are the container's
			 * view, and deletions are only absences */
			walkctx w = {.container_id = ct->id, .container_name = ct->name, .image = ct->image_ref,
				     .layer = ct->layers.v[0].id, .source = "file",
				     .whiteouts = ct->layers.whiteouts, .container_layer = true,
				     .lower = ct->layers.flat ? NULL : ct->layers.v + 1,
				     .n_lower = ct->layers.flat ? 0 : ct->layers.n - 1,
				     .engine = ct->engine, .namespace = ct->namespace, .pod = pod};
			walk_layer(&c, &w, ct->layers.v[0].path);
		}
		for (size_t m = 0; m < ct->n_mounts; m++) {
			const cs_mount *mp = &ct->mounts[m];
			if (!mp->evidence_path || cs_strmap_has(&volumes, mp->evidence_path))
				continue;
			cs_strmap_put(&volumes, mp->evidence_path, (void *)1);
			_cleanup_free_ char *lbl = cs_xasprintf("volume %s", mp->name ? mp->name : "?");
			walkctx w = {.container_id = ct->id, .container_name = ct->name, .image = ct->image_ref,
				     .layer = lbl, .source = "volume", .engine = ct->engine, .namespace = ct->namespace,
				     .pod = pod};
			walk_layer(&c, &w, mp->evidence_path);
		}
		if (s->logs)
			log_events(&c, ct);
	}
	for (size_t i = 0; i < n_ims && !c.err; i++) {
		const cs_image *im = ims[i];
		image_events(&c, im);
		if (!s->layers)
			continue;
		for (size_t l = 0; l < im->n_layers && !c.err; l++) {
			const cs_image_layer *L = &im->layers[l];
			if (!L->dir || cs_strmap_has(&layers, L->dir))
				continue;
			cs_strmap_put(&layers, L->dir, (void *)1);
			walkctx w = {.image = im->tags && im->tags[0] ? im->tags[0] : im->id,
				     .layer = L->chain_id, .source = "layer",
				     .whiteouts = im->whiteouts, .engine = im->engine,
				     .namespace = im->namespace};
			walk_layer(&c, &w, L->dir);
		}
	}
	cs_strmap_free(&volumes, NULL);
	cs_strmap_free(&layers, NULL);
	cs_magic_close(c.magic);
	if (s->progress)
		s->progress(s->progress_userdata, c.entries, cs_timeline_count(t));
	return c.err;
}
