/* tlsources.c - timeline events from the model (see tlsources.h).
 *
 * Layer directories are walked raw (not merged): the examiner wants every
 * entry the container itself wrote, with the times its own file system gave
 * it, including the whiteouts that record deletions. A file's four times
 * become up to four events (times that are equal share one event), or, in a
 * body file, one row holding all four.
 *
 * Every file row names what its path belongs to (the container, "NAME
 * volume V", "image TAG layer N", "volume V"), so body-file names are
 * unique per object; `path` is always the path the container (or image)
 * saw, a volume's files under the mount's destination. When the items span
 * several engines or namespaces, container names are qualified
 * (ENGINE:NAMESPACE/NAME) there too. Build steps that several images share
 * (the intermediate images of one build) are written once, under the first
 * tagged image that has them.
 */
#include "timeline/tlsources.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs/content.h"
#include "render/fsrender.h"
#include "render/render.h"
#include "logs/logs.h"
#include "formats/sanitize.h"
#include "base/strmap.h"
#include "fs/tree.h"

/* File typing on the second core: the files of one directory are typed by
 * this thread and a helper, each with its own typer (and caches), taking
 * the next file from a shared counter; results go back by index, and
 * diagnostics are reported by this thread, in order. A directory source is
 * opened again for the helper (descriptors of its own); a source that
 * serialises its operations itself (a disk image's or an archive's file
 * systems: libext2fs, the XFS reader, libyal handles and the archive index
 * are not safe for concurrent calls, and source_fs.c takes one lock around
 * each) is shared, so its reads take turns while libmagic's work, most of
 * typing, runs on both cores; any other source is typed on this thread
 * alone. */
typedef struct tjob {
	const char *evpath;
	const cs_stat *st;
	const char *type; /* owned by the typer that typed it */
	char *err;
} tjob;

typedef struct typers {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t go, done;
	cs_source *src; /* the helper's */
	bool shared_src; /* src is the caller's (not closed here) */
	cs_typer *typer;
	tjob *jobs;
	size_t njobs, next;
	unsigned gen, finished_gen;
	bool quit;
} typers;

typedef struct ctx {
	cs_timeline *t;
	cs_source *src;
	const cs_tl_sources *s;
	cs_typer *magic;
	char *head; /* a file's head, with --hash */
	typers *pool; /* NULL: typing on this thread only */
	uint64_t entries;
	bool body;
	bool qualify; /* several engines or namespaces: qualify names */
	int err;
	cs_error *e;
	cs_tl_progress prog;
} ctx;

static void progress(ctx *c)
{
	if (!c->s->progress)
		return;
	c->prog.entries = c->entries;
	c->prog.events = cs_timeline_count(c->t);
	c->s->progress(c->s->progress_userdata, &c->prog);
}

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

/* The container's name as rows show it. Owned. */
static char *ct_label(const ctx *c, const cs_container *ct)
{
	const char *nm = ct->name ? ct->name : ct->id;
	if (!c->qualify)
		return cs_xstrdup(nm);
	_cleanup_free_ char *pod = pod_of(ct);
	return cs_xasprintf("%s:%s%s%s%s%s", ct->engine, ct->namespace ? ct->namespace : "", ct->namespace ? "/" : "",
			    nm, pod ? " pod " : "", pod ? pod : "");
}

static const char *first_evidence(const cs_evfiles *ev)
{
	return ev->n ? ev->v[0].path : NULL;
}

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
	cs_event ev = {.size = -1, .mode = -1, .uid = -1, .gid = -1, .evidence_offset = -1, .atime = CS_TIME_NEVER,
		       .mtime = CS_TIME_NEVER, .ctime = CS_TIME_NEVER, .btime = CS_TIME_NEVER};
	return ev;
}

/* --- containers and images --- */


static void container_events(ctx *c, const cs_container *ct)
{
	cs_event ev = base_event();
	ev.source = "container";
	ev.data_type = "container:lifecycle";
	ev.engine = ct->engine;
	ev.namespace = ct->namespace;
	ev.container_id = ct->id;
	ev.container_name = ct->name;
	ev.image = ct->image_ref;
	ev.evidence_path = first_evidence(&ct->evidence);
	_cleanup_free_ char *pod = pod_of(ct);
	ev.pod = pod;
	_cleanup_free_ char *label = ct_label(c, ct);
	ev.object = label;
	_cleanup_free_ char *cmd = cs_container_command(ct);
	cs_buf msg = {.max = SIZE_MAX};
	const char *nm = label;
	bool failed = cs_container_start_failed(ct);
	(void)cs_buf_printf(&msg, "Container %s created from image %s: %s", nm, ct->image_ref ? ct->image_ref : "?",
			    cmd);
	if (failed && ct->state.started_at == CS_TIME_NEVER)
		(void)cs_buf_printf(&msg, "; its start failed (exit code %lld): %s", (long long)ct->state.exit_code,
				    ct->state.error);
	ev.message = msg.data;
	ev.desc = "Container Created";
	ev.time = ct->created;
	if (ct->created != CS_TIME_NEVER || !ct->state_unknown) /* LXC records no creation */
		add(c, &ev);
	/* an engine that records no state gives its starts and ends as events */
	if (ct->state.started_at != CS_TIME_NEVER && !ct->state_unknown) {
		msg.len = 0;
		(void)cs_buf_printf(&msg, "Container %s started: %s", nm, cmd);
		if (ct->restart_count)
			(void)cs_buf_printf(&msg, " (restart count %lld)", (long long)ct->restart_count);
		if (ct->state.running)
			(void)cs_buf_puts(&msg, "; still running when the host went down");
		ev.message = msg.data;
		ev.desc = "Container Started";
		ev.time = ct->state.started_at;
		add(c, &ev);
	}
	if (ct->state.finished_at != CS_TIME_NEVER && !ct->state_unknown) {
		msg.len = 0;
		(void)cs_buf_printf(&msg, "Container %s %s: exit code %lld%s, restart count %lld", nm,
				    failed ? "failed to start" : "finished", (long long)ct->state.exit_code,
				    ct->state.oom_killed ? ", OOM-killed" : "", (long long)ct->restart_count);
		if (ct->state.error && *ct->state.error)
			(void)cs_buf_printf(&msg, ", error: %s", ct->state.error);
		ev.message = msg.data;
		ev.desc = failed ? "Container Start Failed" : "Container Finished";
		ev.time = ct->state.finished_at;
		add(c, &ev);
	}
	/* further dated facts the engine reader found; those dated from a
	 * file's time stamp say so in their description */
	for (size_t i = 0; i < ct->n_events; i++) {
		const cs_ctevent *x = &ct->events[i];
		char desc[256];
		snprintf(desc, sizeof(desc), "%s%s", x->desc ? x->desc : "Event", x->file_time ? " (file time)" : "");
		ev.desc = desc;
		ev.time = x->time;
		ev.evidence_path = x->file;
		ev.message = x->message;
		if (x->time != CS_TIME_NEVER)
			add(c, &ev);
	}
	ev.evidence_path = first_evidence(&ct->evidence);
	ev.data_type = "container:health";
	for (size_t i = 0; i < ct->state.n_health_log; i++) {
		const cs_health_log *h = &ct->state.health_log[i];
		msg.len = 0;
		(void)cs_buf_printf(&msg, "Health check of %s: exit code %d: %s", nm, h->exit_code,
				    h->output ? h->output : "");
		ev.message = msg.data;
		ev.desc = "Health Check";
		ev.time = h->start;
		add(c, &ev);
	}
	cs_buf_free(&msg);
}

static const char *image_label(const cs_image *im)
{
	return im->tags && im->tags[0] ? im->tags[0] : im->id;
}

static void image_events(ctx *c, const cs_image *im, cs_strmap *steps)
{
	cs_event ev = base_event();
	ev.source = "image";
	ev.data_type = "image:created";
	ev.engine = im->engine;
	ev.namespace = im->namespace;
	const char *tag = image_label(im);
	ev.image = tag;
	ev.evidence_path = im->config_path;
	_cleanup_free_ char *obj = cs_xasprintf("image %s", tag);
	ev.object = obj;
	cs_buf msg = {.max = SIZE_MAX};
	(void)cs_buf_printf(&msg, "Image %s (%s) created", tag, im->id);
	ev.message = msg.data;
	ev.desc = "Image Created";
	ev.time = im->created;
	add(c, &ev);
	ev.data_type = "image:build";
	for (size_t i = 0; i < im->n_history; i++) {
		const cs_history *h = &im->history[i];
		/* one row per step: the intermediate images of a build repeat
		 * the steps before theirs */
		char tbuf[32];
		snprintf(tbuf, sizeof(tbuf), "%lld", (long long)h->created);
		_cleanup_free_ char *key = cs_xasprintf("%s\x1f%s\x1f%zu\x1f%s\x1f%s", im->engine ? im->engine : "",
							 im->namespace ? im->namespace : "", i, tbuf,
							 h->created_by ? h->created_by : "");
		if (cs_strmap_has(steps, key))
			continue;
		cs_strmap_put(steps, key, (void *)1);
		msg.len = 0;
		if (h->created_by && *h->created_by)
			(void)cs_buf_printf(&msg, "Image %s build step %zu: %s", tag, i + 1, h->created_by);
		else
			(void)cs_buf_printf(&msg, "Image %s build step %zu: layer imported%s%s%s", tag, i + 1,
					    h->comment && *h->comment ? " (" : "", h->comment ? h->comment : "",
					    h->comment && *h->comment ? ")" : "");
		ev.message = msg.data;
		ev.desc = "Image Build Step";
		ev.time = h->created;
		ev.layer = h->layer_chain_id;
		ev.size = h->empty_layer ? -1 : h->size;
		add(c, &ev);
	}
	ev.layer = NULL;
	ev.size = -1;
	ev.data_type = "image:tag";
	if (im->last_updated != CS_TIME_NEVER) {
		msg.len = 0;
		(void)cs_buf_printf(&msg, "Image %s tagged or pulled", tag);
		ev.message = msg.data;
		ev.desc = "Image Tagged";
		ev.time = im->last_updated;
		add(c, &ev);
	}
	/* further dated facts the engine reader found (its event log) */
	ev.data_type = "image:event";
	for (size_t i = 0; i < im->n_events; i++) {
		const cs_ctevent *x = &im->events[i];
		char desc[256];
		snprintf(desc, sizeof(desc), "%s%s", x->desc ? x->desc : "Event", x->file_time ? " (file time)" : "");
		ev.desc = desc;
		ev.time = x->time;
		ev.evidence_path = x->file;
		ev.message = x->message;
		if (x->time != CS_TIME_NEVER)
			add(c, &ev);
	}
	cs_buf_free(&msg);
}

/* --- file system entries --- */

typedef struct walkctx {
	const char *engine, *namespace, *pod;
	const char *container_id, *container_name, *image, *layer, *volume;
	const char *source;
	const char *object;   /* body-file object ("changes", "image x layer 2") */
	const char *prefix;   /* where the walked directory is in the view ("/data"), or "" */
	const char *what;     /* how messages name the view ("changes", "volume v in changes") */
	bool layer_dir;       /* a layer (a container's or an image's): its whiteouts are deletions */
	cs_whiteout_format whiteouts; /* how the layer records them */
	bool container_layer; /* the container's own layer: opaque dirs are replacements */
	const cs_idmap *ids;  /* ids shifted on disk: the message says what the container saw */
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

static void walk_fill(const walkctx *w, cs_event *ev)
{
	ev->engine = w->engine;
	ev->namespace = w->namespace;
	ev->pod = w->pod;
	ev->container_id = w->container_id;
	ev->container_name = w->container_name;
	ev->image = w->image;
	ev->layer = w->layer;
	ev->volume = w->volume;
	ev->object = w->object;
}

static void entry_events(ctx *c, const walkctx *w, const char *path, const cs_stat *st, const char *evpath,
			 const tjob *typed)
{
	cs_event ev = base_event();
	ev.source = w->source;
	ev.data_type = "fs:stat";
	walk_fill(w, &ev);
	ev.path = path;
	ev.evidence_path = evpath;
	ev.size = (int64_t)st->size;
	ev.mode = st->mode;
	ev.uid = st->uid;
	ev.gid = st->gid;
	ev.inode = st->ino;
	char hex[65] = "";
	const char *magic = NULL;
	if (typed) {
		magic = typed->type;
		if (typed->err)
			diag(c, evpath, "%s", typed->err);
	} else if (S_ISREG(st->mode) && (c->s->hash || c->magic)) {
		cs_file *f;
		cs_error fe;
		if (cs_source_open(c->src, evpath, &f, &fe) == 0) {
			if (c->s->hash) {
				/* the whole file for its hash; its head for the type */
				size_t nhead = 0;
				if (!c->head && c->magic)
					c->head = cs_xmalloc(CS_MAGIC_BYTES);
				if (cs_content_sha256(f, hex, c->magic ? c->head : NULL, CS_MAGIC_BYTES, &nhead, &fe) < 0)
					diag(c, evpath, "%s", fe.msg);
				else if (c->magic)
					magic = cs_typer_head(c->magic, c->head, nhead, st);
			} else if (!(magic = cs_typer_file(c->magic, f, st, &fe))) {
				/* only the head is read */
				diag(c, evpath, "%s", fe.msg);
			}
			cs_file_close(f);
		} else {
			diag(c, evpath, "%s", fe.msg);
		}
	}
	ev.sha256 = hex[0] ? hex : NULL;
	ev.magic = magic;
	char msg[4400];
	ev.message = msg;
	char owner[96] = "";
	if (w->ids && w->ids->shifted)
		snprintf(owner, sizeof(owner), ", owner %u:%u on disk, %u:%u in the container", st->uid, st->gid,
			 cs_idmap_to_container(w->ids, 'u', st->uid, NULL), cs_idmap_to_container(w->ids, 'g', st->gid, NULL));
	snprintf(msg, sizeof(msg), "%s: %s (%s, %llu bytes%s%s%s)", w->what, path, cs_mode_type(st->mode),
		 (unsigned long long)st->size, magic ? ", " : "", magic ? magic : "", owner);
	if (c->body) {
		ev.file_row = true;
		ev.time = st->mtime;
		ev.atime = st->atime;
		ev.mtime = st->mtime;
		ev.ctime = st->ctime;
		ev.btime = st->btime;
		ev.desc = "File";
		add(c, &ev);
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
}

static void deletion_event(ctx *c, const walkctx *w, const char *path, const cs_stat *st, bool opaque,
			   const char *evpath)
{
	cs_event ev = base_event();
	ev.source = "deletion";
	ev.data_type = "fs:deletion";
	walk_fill(w, &ev);
	ev.path = path;
	ev.evidence_path = evpath;
	ev.mode = st->mode;
	ev.uid = st->uid;
	ev.gid = st->gid;
	ev.inode = st->ino;
	ev.deleted = true;
	ev.replaced = opaque;
	char msg[4400];
	ev.message = msg;
	snprintf(msg, sizeof(msg), opaque ? "%s: %s: directory replaced (its earlier contents hidden)"
					  : "%s: %s deleted (whiteout)", w->what, path);
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

/* Types jobs, taking each next index from the shared counter. */
static void type_some(typers *p, cs_source *src, cs_typer *ty)
{
	for (;;) {
		pthread_mutex_lock(&p->mu);
		size_t i = p->next < p->njobs ? p->next++ : SIZE_MAX;
		pthread_mutex_unlock(&p->mu);
		if (i == SIZE_MAX)
			return;
		tjob *j = &p->jobs[i];
		cs_file *f;
		cs_error fe;
		if (cs_source_open(src, j->evpath, &f, &fe) == 0) {
			j->type = cs_typer_file(ty, f, j->st, &fe);
			cs_file_close(f);
			if (!j->type)
				j->err = cs_xstrdup(fe.msg);
		} else {
			j->err = cs_xstrdup(fe.msg);
		}
	}
}

static void *helper_main(void *arg)
{
	typers *p = arg;
	unsigned seen = 0;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->quit && p->gen == seen)
			pthread_cond_wait(&p->go, &p->mu);
		if (p->quit)
			break;
		seen = p->gen;
		pthread_mutex_unlock(&p->mu);
		type_some(p, p->src, p->typer);
		pthread_mutex_lock(&p->mu);
		p->finished_gen = seen;
		pthread_cond_signal(&p->done);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

static void type_files(ctx *c, tjob *jobs, size_t n)
{
	typers *p = c->pool;
	pthread_mutex_lock(&p->mu);
	p->jobs = jobs;
	p->njobs = n;
	p->next = 0;
	p->gen++;
	pthread_cond_signal(&p->go);
	pthread_mutex_unlock(&p->mu);
	type_some(p, c->src, c->magic);
	pthread_mutex_lock(&p->mu);
	while (p->finished_gen != p->gen)
		pthread_cond_wait(&p->done, &p->mu);
	p->jobs = NULL;
	pthread_mutex_unlock(&p->mu);
}

/* A helper thread for typing when there is a second CPU; NULL otherwise. */
static typers *pool_start(cs_source *src)
{
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		return NULL;
	if (!cs_source_is_dir(src) && !cs_source_is_concurrent(src))
		return NULL;
	typers *p = cs_xcalloc(1, sizeof(*p));
	cs_error e;
	if (cs_source_is_dir(src)) {
		if (cs_source_open_dir(cs_source_root(src), 0, &p->src, &e) < 0) {
			free(p);
			return NULL;
		}
	} else {
		p->src = src;
		p->shared_src = true;
	}
	if (!(p->typer = cs_typer_open())) {
		if (!p->shared_src)
			cs_source_close(p->src);
		free(p);
		return NULL;
	}
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->go, NULL);
	pthread_cond_init(&p->done, NULL);
	if (pthread_create(&p->th, NULL, helper_main, p) != 0) {
		cs_typer_close(p->typer);
		if (!p->shared_src)
			cs_source_close(p->src);
		free(p);
		return NULL;
	}
	return p;
}

static void pool_stop(typers *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->quit = true;
	pthread_cond_signal(&p->go);
	pthread_mutex_unlock(&p->mu);
	pthread_join(p->th, NULL);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->go);
	pthread_cond_destroy(&p->done);
	cs_typer_close(p->typer);
	if (!p->shared_src)
		cs_source_close(p->src);
	free(p);
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
	/* a volume's files sit under its mount point in the view */
	it->path = cs_xstrdup(w->prefix && strcmp(w->prefix, "/") != 0 ? w->prefix : "");
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
		/* stat every entry, type the regular files (on both cores), then
		 * make the events in the listing's order */
		char **evs = cs_xcalloc(nd + 1, sizeof(char *));
		cs_stat *sts = cs_xcalloc(nd + 1, sizeof(cs_stat));
		tjob *jobs = cs_xcalloc(nd + 1, sizeof(tjob));
		size_t *job_of = cs_xcalloc(nd + 1, sizeof(size_t));
		size_t njobs = 0;
		for (size_t i = nd; i-- > 0;) {
			job_of[i] = SIZE_MAX;
			evs[i] = cs_xasprintf("%s/%s", cur.ev, d[i].name);
			if (cs_source_stat(c->src, evs[i], false, &sts[i], &le) < 0) {
				diag(c, evs[i], "%s", le.msg);
				free(evs[i]);
				evs[i] = NULL;
				continue;
			}
			bool marker = w->layer_dir &&
				      cs_whiteout_name(w->whiteouts, d[i].name, &sts[i]) != CS_WH_KIND_ENTRY;
			if (S_ISREG(sts[i].mode) && !marker) {
				job_of[i] = njobs;
				jobs[njobs].evpath = evs[i];
				jobs[njobs++].st = &sts[i];
			}
		}
		bool pretyped = c->pool && c->magic && !c->s->hash && njobs >= 8;
		if (pretyped)
			type_files(c, jobs, njobs);
		for (size_t i = nd; i-- > 0;) {
			char *ev = evs[i];
			if (!ev)
				continue;
			const char *name = d[i].name;
			cs_stat st = sts[i];
			c->entries++;
			if (c->entries % 20000 == 0)
				progress(c);
			cs_wh_kind wk = w->layer_dir ? cs_whiteout_name(w->whiteouts, name, &st) : CS_WH_KIND_ENTRY;
			if (wk == CS_WH_KIND_OPAQUE || wk == CS_WH_KIND_HIDDEN) {
				/* aufs marks a replaced directory by this entry alone; the
				 * other formats are told at the directory itself */
				if (wk == CS_WH_KIND_OPAQUE && w->whiteouts == CS_WH_AUFS && w->container_layer &&
				    (!*cur.path || lower_has(c, w, cur.path)))
					deletion_event(c, w, *cur.path ? cur.path : "/", &st, true, ev);
				free(ev);
				continue;
			}
			bool wh_name = wk == CS_WH_KIND_WHITEOUT && cs_str_startswith(name, ".wh.") &&
				       w->whiteouts != CS_WH_OVERLAY;
			char *path = cs_xasprintf("%s/%s", cur.path, wh_name ? name + 4 : name);
			if (wk == CS_WH_KIND_WHITEOUT) {
				/* a deletion, in the container's layer or in an image layer */
				deletion_event(c, w, path, &st, false, ev);
			} else {
				entry_events(c, w, path, &st, ev,
					     pretyped && job_of[i] != SIZE_MAX ? &jobs[job_of[i]] : NULL);
				if (S_ISDIR(st.mode)) {
					if (w->container_layer && w->whiteouts != CS_WH_AUFS &&
					    cs_dir_is_opaque(c->src, ev, w->whiteouts) && lower_has(c, w, path))
						deletion_event(c, w, path, &st, true, ev);
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
		for (size_t k = 0; k < njobs; k++)
			free(jobs[k].err);
		free(jobs);
		free(job_of);
		free(sts);
		free(evs);
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

/* A liblxc log line "<prog> <name> <time> ..." of the container name. */
static bool names_container(const char *t, size_t n, const char *name)
{
	const char *sp = memchr(t, ' ', n);
	size_t l = name ? strlen(name) : 0;
	if (!sp || !l)
		return false;
	size_t rest = n - (size_t)(sp + 1 - t);
	return rest > l && memcmp(sp + 1, name, l) == 0 && sp[1 + l] == ' ';
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
	/* system containers: the engine's own log has times, the console none */
	bool sys = ct->n_logfiles > 0;
	int k = sys ? cs_logs_open_role(c->src, ct, "lxc", &o, &lr, &le) : cs_logs_open(c->src, ct, &o, &lr, &le);
	if (k < 0) {
		if (le.code != -ENOENT)
			diag(c, ct->dir, "container %s: logs: %s", ct->id, le.msg);
		return;
	}
	const cs_log_record *rec;
	cs_buf msg = {.max = SIZE_MAX};
	cs_event ev = base_event();
	ev.source = "log";
	ev.data_type = "container:log";
	ev.engine = ct->engine;
	ev.namespace = ct->namespace;
	_cleanup_free_ char *pod = pod_of(ct);
	ev.pod = pod;
	ev.container_id = ct->id;
	ev.container_name = ct->name;
	ev.image = ct->image_ref;
	_cleanup_free_ char *label = ct_label(c, ct);
	ev.object = label;
	ev.desc = "Log Record";
	while (!c->err && cs_logs_next(lr, &rec, &le) > 0) {
		msg.len = 0;
		(void)cs_buf_puts(&msg, sys ? "lxc: " : rec->stream == CS_LOG_STDERR ? "stderr: " : "stdout: ");
		if (sys && !names_container(rec->text, rec->len, ct->name))
			continue; /* a shared log file: another container's line */
		(void)cs_buf_append(&msg, rec->text, rec->len);
		/* the record's own place in the evidence, in its own columns */
		ev.evidence_path = rec->file;
		ev.evidence_offset = (int64_t)rec->offset;
		ev.message = msg.data;
		ev.time = rec->time;
		add(c, &ev);
	}
	cs_buf_free(&msg);
	cs_logs_close(lr);
}

static bool mounts_volume(const cs_container *ct, const cs_volume *v)
{
	if (ct->dr != v->dr)
		return false;
	for (size_t m = 0; m < ct->n_mounts; m++)
		if (ct->mounts[m].type == CS_MOUNT_VOLUME && ct->mounts[m].name &&
		    strcmp(ct->mounts[m].name, v->name) == 0)
			return true;
	return false;
}

static int cmp_tagged_first(const void *a, const void *b)
{
	const cs_image *x = *(const cs_image *const *)a, *y = *(const cs_image *const *)b;
	bool tx = x->tags && x->tags[0], ty = y->tags && y->tags[0];
	if (tx != ty)
		return tx ? -1 : 1;
	if (x->created != y->created)
		return x->created > y->created ? -1 : 1;
	return strcmp(x->id, y->id);
}

int cs_timeline_model(cs_timeline *t, cs_source *src, const cs_container *const *cts, size_t n_cts,
		      const cs_image *const *ims, size_t n_ims, const cs_tl_sources *s, cs_error *e)
{
	ctx c = {.t = t, .src = src, .s = s, .e = e};
	c.magic = s->magic ? cs_typer_open() : NULL;
	c.pool = c.magic && !s->hash ? pool_start(src) : NULL;
	c.body = cs_timeline_format(t) == CS_TL_BODYFILE; /* one row per file */
	for (size_t k = 1; k < n_cts && !c.qualify; k++)
		c.qualify = strcmp(cts[k]->engine, cts[0]->engine) != 0 ||
			    !((!cts[k]->namespace && !cts[0]->namespace) ||
			      (cts[k]->namespace && cts[0]->namespace && strcmp(cts[k]->namespace, cts[0]->namespace) == 0));
	cs_strmap volumes = {0}, layers = {0}, steps = {0};
	c.prog = (cs_tl_progress){.phase = "containers", .total = n_cts};
	for (size_t k = 0; k < n_cts && !c.err; k++) {
		const cs_container *ct = cts[k];
		c.prog.done = k;
		progress(&c);
		container_events(&c, ct);
		_cleanup_free_ char *label = ct_label(&c, ct);
		_cleanup_free_ char *pod = pod_of(ct);
		if (ct->layers.n > 0) {
			/* a native snapshot is a whole tree: its entries are the container's
			 * view, and deletions are only absences */
			walkctx w = {.engine = ct->engine, .namespace = ct->namespace, .pod = pod, .container_id = ct->id,
				     .container_name = ct->name, .image = ct->image_ref, .layer = ct->layers.v[0].id,
				     .source = "file", .object = label, .prefix = "", .what = label,
				     .layer_dir = true, .whiteouts = ct->layers.whiteouts, .container_layer = true,
				     .ids = &ct->idmap, .lower = ct->layers.flat ? NULL : ct->layers.v + 1,
				     .n_lower = ct->layers.flat ? 0 : ct->layers.n - 1};
			walk_layer(&c, &w, ct->layers.v[0].path);
		}
		for (size_t m = 0; m < ct->n_mounts; m++) {
			const cs_mount *mp = &ct->mounts[m];
			if (!mp->evidence_path)
				continue;
			/* each container sees the volume at its own mount point */
			_cleanup_free_ char *key = cs_xasprintf("%s\x1f%s", ct->id, mp->evidence_path);
			if (cs_strmap_has(&volumes, key))
				continue;
			cs_strmap_put(&volumes, key, (void *)1);
			const char *vn = mp->name ? mp->name : "?";
			_cleanup_free_ char *obj = cs_xasprintf("%s volume %s", label, vn);
			_cleanup_free_ char *what = cs_xasprintf("%s (volume %s)", label, vn);
			walkctx w = {.engine = ct->engine, .namespace = ct->namespace, .pod = pod, .container_id = ct->id,
				     .container_name = ct->name, .image = ct->image_ref, .volume = vn,
				     .source = "volume", .object = obj, .prefix = mp->destination ? mp->destination : "",
				     .what = what};
			walk_layer(&c, &w, mp->evidence_path);
		}
		if (s->logs)
			log_events(&c, ct);
	}
	c.prog = (cs_tl_progress){.phase = "volumes", .total = s->n_volumes};
	for (size_t i = 0; i < s->n_volumes && !c.err; i++) {
		const cs_volume *v = s->volumes[i];
		c.prog.done = i;
		progress(&c);
		_cleanup_free_ char *obj = cs_xasprintf("volume %s", v->name);
		bool used = false;
		for (size_t k = 0; k < n_cts && !used; k++)
			used = mounts_volume(cts[k], v);
		if (CS_TIME_IS_REAL(v->created)) {
			cs_event ev = base_event();
			ev.source = "volume";
			ev.data_type = "volume:created";
			ev.engine = v->engine;
			ev.namespace = v->namespace;
			ev.volume = v->name;
			ev.object = obj;
			_cleanup_free_ char *msg = cs_xasprintf("Volume %s created%s", v->name,
								used ? "" : " (no container in the timeline mounts it)");
			ev.message = msg;
			ev.desc = "Volume Created";
			ev.time = v->created;
			add(&c, &ev);
		}
		if (used || !v->data_path)
			continue;
		_cleanup_free_ char *what = cs_xasprintf("volume %s (unreferenced)", v->name);
		walkctx w = {.engine = v->engine, .namespace = v->namespace, .volume = v->name, .source = "volume",
			     .object = obj, .prefix = "", .what = what};
		walk_layer(&c, &w, v->data_path);
	}
	/* images: tagged ones first, so shared build steps carry a tag */
	const cs_image **order = cs_xcalloc(n_ims + 1, sizeof(*order));
	memcpy(order, ims, n_ims * sizeof(*order));
	if (n_ims > 1)
		qsort(order, n_ims, sizeof(*order), cmp_tagged_first);
	c.prog = (cs_tl_progress){.phase = s->layers ? "images and their layers" : "images", .total = n_ims};
	for (size_t i = 0; i < n_ims && !c.err; i++) {
		const cs_image *im = order[i];
		c.prog.done = i;
		progress(&c);
		image_events(&c, im, &steps);
		if (!s->layers)
			continue;
		for (size_t l = 0; l < im->n_layers && !c.err; l++) {
			const cs_image_layer *L = &im->layers[l];
			if (!L->dir || cs_strmap_has(&layers, L->dir))
				continue;
			cs_strmap_put(&layers, L->dir, (void *)1);
			/* layers are numbered from the base (0) up */
			_cleanup_free_ char *obj = cs_xasprintf("image %s layer %zu", image_label(im), l);
			walkctx w = {.engine = im->engine, .namespace = im->namespace, .image = image_label(im),
				     .layer = L->chain_id, .source = "layer", .object = obj, .prefix = "", .what = obj,
				     .layer_dir = true, .whiteouts = im->whiteouts};
			walk_layer(&c, &w, L->dir);
		}
	}
	free(order);
	cs_strmap_free(&volumes, NULL);
	cs_strmap_free(&layers, NULL);
	cs_strmap_free(&steps, NULL);
	pool_stop(c.pool); /* its types are in rows already written */
	cs_typer_close(c.magic);
	free(c.head);
	c.prog.done = c.prog.total;
	progress(&c);
	return c.err;
}
