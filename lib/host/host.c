/* host.c - every engine of a host, read into one model (see host.h).
 *
 * Loading asks the registry: with --root each engine bids on the directory
 * and the highest bid reads it; with --sysroot each engine names the roots
 * the host's configuration points at, and each one that bids is read. Items
 * are then gathered into flat lists of pointers (the data roots own them)
 * and sorted newest first across engines.
 *
 * Lookup goes in three rounds, each over the items the qualifier allows:
 * full ids, then names (with or without the namespace), then unique hex id
 * prefixes. A round that matches several items is ambiguous; it never falls
 * through to the next, so a name can't silently pick another engine's item.
 */
#include "host/host.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "engines/engines.h"

static int cmp_container(const void *a, const void *b)
{
	const cs_container *x = *(const cs_container *const *)a, *y = *(const cs_container *const *)b;
	if (x->created != y->created)
		return x->created > y->created ? -1 : 1;
	int r = strcmp(x->id, y->id);
	if (r)
		return r;
	return strcmp(x->engine, y->engine);
}

static int cmp_image(const void *a, const void *b)
{
	const cs_image *x = *(const cs_image *const *)a, *y = *(const cs_image *const *)b;
	if (x->created != y->created)
		return x->created > y->created ? -1 : 1;
	int r = strcmp(x->id, y->id);
	if (r)
		return r;
	return strcmp(x->engine, y->engine);
}

static bool str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void add_root(cs_host *h, cs_dataroot *dr, const cs_engine_root *where)
{
	h->roots = cs_xreallocarray(h->roots, h->n_roots + 1, sizeof(*h->roots));
	h->where = cs_xreallocarray(h->where, h->n_roots + 1, sizeof(*h->where));
	h->roots[h->n_roots] = dr;
	cs_engine_root *w = &h->where[h->n_roots++];
	w->engine = where->engine;
	w->path = cs_xstrdup(where->path);
	w->host_path = cs_xstrdup(dr->host_path ? dr->host_path : where->host_path);
	w->origin = cs_xstrdup(where->origin);
	h->n_warnings += dr->n_warnings;
}

static void gather(cs_host *h)
{
	size_t nc = 0, ni = 0, nv = 0;
	for (size_t r = 0; r < h->n_roots; r++) {
		nc += h->roots[r]->n_containers;
		ni += h->roots[r]->n_images;
		nv += h->roots[r]->n_volumes;
	}
	h->containers = cs_xcalloc(nc + 1, sizeof(*h->containers));
	h->images = cs_xcalloc(ni + 1, sizeof(*h->images));
	h->volumes = cs_xcalloc(nv + 1, sizeof(*h->volumes));
	const char *first_engine = NULL, *first_ns = NULL;
	bool seen = false;
#define NOTE_WHERE(it)                                                                        \
	do {                                                                                  \
		if (!seen) {                                                                  \
			first_engine = (it)->engine;                                          \
			first_ns = (it)->namespace;                                           \
			seen = true;                                                          \
		} else if (!str_eq(first_engine, (it)->engine) || !str_eq(first_ns, (it)->namespace)) \
			h->many = true;                                                       \
	} while (0)
	for (size_t r = 0; r < h->n_roots; r++) {
		cs_dataroot *dr = h->roots[r];
		for (size_t i = 0; i < dr->n_containers; i++) {
			if (dr->containers[i].absorbed)
				continue;
			h->containers[h->n_containers++] = &dr->containers[i];
			NOTE_WHERE(&dr->containers[i]);
		}
		for (size_t i = 0; i < dr->n_images; i++) {
			h->images[h->n_images++] = &dr->images[i];
			NOTE_WHERE(&dr->images[i]);
		}
		for (size_t i = 0; i < dr->n_volumes; i++)
			h->volumes[h->n_volumes++] = &dr->volumes[i];
	}
#undef NOTE_WHERE
	if (h->n_containers > 1)
		qsort(h->containers, h->n_containers, sizeof(*h->containers), cmp_container);
	if (h->n_images > 1)
		qsort(h->images, h->n_images, sizeof(*h->images), cmp_image);
}

static int load_root(cs_host *h, const cs_host_opts *o, const cs_engine_root *where, cs_error *e)
{
	if (o->on_root)
		o->on_root(o->diag_userdata, where);
	cs_load_opts lo = {.path = where->path, .host_path = where->host_path, .diag = o->diag,
			   .diag_userdata = o->diag_userdata, .listing = o->listing};
	cs_dataroot *dr = NULL;
	int r = where->engine->load(h->src, &lo, &dr, e);
	if (r < 0)
		return r;
	add_root(h, dr, where);
	return 0;
}

/* The best bid any engine makes on path, and that engine. */
static int best_bid(cs_source *src, const char *path, const cs_engine **ret)
{
	size_t n;
	const cs_engine *const *engines = cs_engines(&n);
	int best = 0;
	*ret = NULL;
	for (size_t i = 0; i < n; i++) {
		int bid = engines[i]->probe(src, path);
		if (bid > best) {
			best = bid;
			*ret = engines[i];
		}
	}
	return best;
}

/* Engine roots a little below path (an examiner who named the parent of
 * a data root): "; did you mean --root ROOT/docker (a Docker data root)?".
 * Looks two levels down, at most 200 entries per directory. */
static void hint_below(cs_source *src, cs_buf *hint)
{
	typedef struct lvl {
		char *path;
		int depth;
	} lvl;
	lvl q[256];
	size_t qh = 0, qt = 0, found = 0;
	q[qt++] = (lvl){cs_xstrdup(""), 0};
	while (qh < qt) {
		lvl cur = q[qh++];
		cs_dirent *d = NULL;
		size_t n = 0;
		if (cs_source_list(src, cur.path, &d, &n, NULL) == 0) {
			for (size_t i = 0; i < n && i < 200; i++) {
				char *p = cs_path_join(cur.path, d[i].name);
				cs_stat st;
				if (cs_source_stat(src, p, false, &st, NULL) < 0 || !S_ISDIR(st.mode)) {
					free(p);
					continue;
				}
				const cs_engine *en;
				if (best_bid(src, p, &en) > 0) {
					if (found++ < 3)
						(void)cs_buf_printf(hint, "%s --root %s/%s (a %s)", found == 1 ? "; did you mean" : " or",
								    cs_source_root(src), p, en->what);
					free(p);
				} else if (cur.depth + 1 < 2 && qt < CS_ARRAY_SIZE(q)) {
					q[qt++] = (lvl){p, cur.depth + 1};
				} else {
					free(p);
				}
			}
			cs_dirents_free(d, n);
		}
		free(cur.path);
	}
	for (size_t i = qh; i < qt; i++)
		free(q[i].path);
	if (found)
		(void)cs_buf_puts(hint, "?");
}

/* What a directory that no engine claims might be: a host filesystem (any
 * engine would locate a root in it), or the parent of a data root. */
static void hint_for(cs_source *src, cs_buf *hint)
{
	size_t n;
	const cs_engine *const *engines = cs_engines(&n);
	bool host = false;
	static const char *const host_marks[] = {"etc/os-release", "usr/lib/os-release", "etc/passwd"};
	for (size_t i = 0; i < CS_ARRAY_SIZE(host_marks) && !host; i++)
		host = cs_source_exists(src, host_marks[i]);
	for (size_t i = 0; i < n && !host; i++) {
		cs_engine_roots roots = {0};
		(void)engines[i]->locate(src, &roots, NULL);
		for (size_t k = 0; k < roots.n && !host; k++)
			host = engines[i]->probe(src, roots.v[k].path) > 0;
		cs_engine_roots_clear(&roots);
	}
	if (host) {
		(void)cs_buf_puts(hint, "; it looks like a host filesystem: use --sysroot");
		return;
	}
	hint_below(src, hint);
}

static int load_root_dir(cs_host *h, const cs_host_opts *o, cs_error *e)
{
	size_t n;
	const cs_engine *const *engines = cs_engines(&n);
	const cs_engine *best = NULL;
	/* a root csleuth may not read is said as such, not as "no data root" */
	cs_dirent *d = NULL;
	size_t nd = 0;
	cs_error le = {0};
	if (cs_source_list(h->src, "", &d, &nd, &le) < 0 && (le.code == -EACCES || le.code == -EPERM))
		return cs_err(e, le.code, "`%s`: permission denied: csleuth needs read access to the evidence "
				       "(run it as root, or as the owner)", cs_source_root(h->src));
	cs_dirents_free(d, nd);
	if (o->engine) {
		best = cs_engine_find(o->engine);
		if (!best)
			return cs_err(e, -EINVAL, "unknown engine `%s`", o->engine);
		if (best->probe(h->src, "") <= 0) {
			const cs_engine *other;
			if (best_bid(h->src, "", &other) > 0)
				return cs_err(e, -ENOENT, "`%s` looks like a %s, not a %s", cs_source_root(h->src),
					      other->what, best->what);
		}
	} else {
		(void)best_bid(h->src, "", &best);
	}
	if (!best) {
		cs_buf what = {0}, hint = {0};
		for (size_t i = 0; i < n; i++)
			(void)cs_buf_printf(&what, "%s%s", i ? (i + 1 == n ? " or " : ", ") : "",
					    engines[i]->what);
		hint_for(h->src, &hint);
		cs_err(e, -ENOENT, "`%s` does not look like a %s%s", cs_source_root(h->src),
		       what.data ? what.data : "data root", hint.data ? hint.data : "");
		cs_buf_free(&what);
		cs_buf_free(&hint);
		return -ENOENT;
	}
	char empty[] = "", origin[] = "--root";
	cs_engine_root where = {.engine = best, .path = empty, .origin = origin};
	return load_root(h, o, &where, e);
}

static int load_sysroot(cs_host *h, const cs_host_opts *o, cs_error *e)
{
	size_t n;
	const cs_engine *const *engines = cs_engines(&n);
	cs_engine_roots roots = {0};
	for (size_t i = 0; i < n; i++)
		(void)engines[i]->locate(h->src, &roots, NULL);
	cs_buf looked = {0};
	int err = 0;
	for (size_t i = 0; i < roots.n; i++) {
		const cs_engine_root *r = &roots.v[i];
		bool dup = false;
		for (size_t k = 0; k < i; k++)
			dup = dup || (roots.v[k].engine == r->engine && strcmp(roots.v[k].path, r->path) == 0);
		if (dup)
			continue;
		if (r->engine->probe(h->src, r->path) <= 0) {
			(void)cs_buf_printf(&looked, "%s%s /%s (%s)", looked.len ? "; " : "",
					    r->engine->what, r->path, r->origin ? r->origin : "");
			continue;
		}
		cs_error le = {0};
		int rr = load_root(h, o, r, &le);
		if (rr < 0) {
			/* one unreadable root costs that root */
			if (o->diag) {
				cs_diag d = {.severity = CS_WARN, .file = r->path, .msg = le.msg};
				o->diag(o->diag_userdata, &d);
			}
			h->n_warnings++;
			err = rr;
		}
	}
	cs_engine_roots_clear(&roots);
	if (h->n_roots == 0) {
		const cs_engine *self;
		if (err)
			cs_err(e, err, "no engine data root in `%s` could be read", cs_source_root(h->src));
		else if (best_bid(h->src, "", &self) > 0)
			/* a data root given where a host filesystem was expected */
			cs_err(e, -ENOENT, "`%s` is a %s, not a host filesystem: use --root %s",
			       cs_source_root(h->src), self->what, cs_source_root(h->src));
		else
			cs_err(e, -ENOENT, "no container engine data in `%s`: looked for %s",
			       cs_source_root(h->src), looked.data ? looked.data : "nothing");
		cs_buf_free(&looked);
		return e ? e->code : -ENOENT;
	}
	cs_buf_free(&looked);
	return 0;
}

/* A triage collection holds what its collector chose: a problem about a
 * file it left out says so, and an item whose only problems are such is
 * not flagged as damaged. */
static bool note_uncollected(cs_source *src, cs_problems *p)
{
	bool damage = false;
	for (size_t i = 0; i < p->n; i++) {
		cs_problem *x = &p->v[i];
		if (x->file && !cs_source_exists(src, x->file)) {
			if (!cs_str_startswith(x->msg, "not collected: ")) {
				char *m = cs_xasprintf("not collected: %s", x->msg);
				free(x->msg);
				x->msg = m;
			}
		} else {
			damage = true;
		}
	}
	return damage;
}

static void mark_uncollected(cs_host *h)
{
	for (size_t i = 0; i < h->n_containers; i++)
		if (!note_uncollected(h->src, &h->containers[i]->problems))
			h->containers[i]->incomplete = false;
	for (size_t i = 0; i < h->n_images; i++)
		if (!note_uncollected(h->src, &h->images[i]->problems))
			h->images[i]->incomplete = false;
}

/* --- cross-engine snapshot references (Docker 29's containerd store) ---
 *
 * A container may name a snapshot another engine keeps (snapshot_namespace,
 * snapshotter, snapshot_key, and the candidate roots). Each candidate root
 * is taken from the roots already read, or read now when an engine bids on
 * it (a Docker root's own containerd/daemon under --root). The first root
 * that has the snapshot gives the container its layers. That root's items in
 * the same namespace then belong to the referring engine: its images are
 * that engine's images (Docker 29 lists the moby namespace's images as its
 * own), and a record with the same id as a referring container is absorbed
 * into it (its file is added to the container's evidence). */

static cs_dataroot *loaded_root(cs_host *h, const char *path);

static cs_dataroot *root_at(cs_host *h, const cs_host_opts *o, const char *path, char *host_path)
{
	cs_dataroot *have = loaded_root(h, path);
	if (have)
		return have;
	size_t n;
	const cs_engine *const *engines = cs_engines(&n);
	for (size_t i = 0; i < n; i++) {
		if (!engines[i]->snapshot_stack || engines[i]->probe(h->src, path) <= 0)
			continue;
		char origin[] = "named by another engine's containers";
		cs_engine_root where = {.engine = engines[i], .path = (char *)(uintptr_t)path, .host_path = host_path,
					.origin = origin};
		cs_error le = {0};
		if (load_root(h, o, &where, &le) == 0)
			return h->roots[h->n_roots - 1];
		if (o->diag) {
			cs_diag d = {.severity = CS_WARN, .file = path, .msg = le.msg};
			o->diag(o->diag_userdata, &d);
		}
		h->n_warnings++;
		return NULL;
	}
	return NULL;
}

static void report(cs_host *h, const cs_host_opts *o, const cs_problem *p)
{
	h->n_warnings++;
	if (o->diag) {
		cs_diag d = {.severity = CS_WARN, .file = p->file, .msg = p->msg};
		o->diag(o->diag_userdata, &d);
	}
}

/* The images of namespace ns of root `from` become engine by's. */
static void adopt_images(cs_dataroot *from, const char *ns, const cs_dataroot *by)
{
	for (size_t i = 0; i < from->n_images; i++) {
		cs_image *im = &from->images[i];
		if (im->namespace && strcmp(im->namespace, ns) == 0 && im->engine == from->engine) {
			im->engine = by->engine;
			free(im->namespace);
			im->namespace = NULL;
		}
	}
}

/* A record of `from` in namespace ns with ct's id is ct's own runtime record. */
static void absorb_record(cs_dataroot *from, const char *ns, cs_container *ct)
{
	for (size_t i = 0; i < from->n_containers; i++) {
		cs_container *x = &from->containers[i];
		if (!x->namespace || strcmp(x->namespace, ns) != 0 || strcmp(x->id, ct->id) != 0)
			continue;
		x->absorbed = true;
		for (size_t f = 0; f < x->evidence.n; f++)
			if (strcmp(x->evidence.v[f].role, "record") == 0)
				cs_evfiles_add(&ct->evidence, "containerd record", x->evidence.v[f].path);
	}
}

static cs_dataroot *loaded_root(cs_host *h, const char *path)
{
	for (size_t i = 0; i < h->n_roots; i++)
		if (strcmp(h->roots[i]->path, path) == 0 && h->roots[i]->ops && h->roots[i]->ops->snapshot_stack)
			return h->roots[i];
	return NULL;
}

static void resolve_snapshots(cs_host *h, const cs_host_opts *o)
{
	size_t n0 = h->n_roots;
	for (size_t r = 0; r < n0; r++) {
		cs_dataroot *dr = h->roots[r];
		for (size_t i = 0; i < dr->n_containers; i++) {
			cs_container *ct = &dr->containers[i];
			if (!ct->snapshot_namespace)
				continue;
			if (!ct->snapshot_key || !ct->snapshotter || ct->layers.n || o->listing) {
				/* no snapshot to find (or a listing, which needs none): only
				 * its runtime record (dockerd keeps one in containerd for each
				 * running container) */
				for (char **cand = ct->snapshot_roots; cand && *cand; cand++) {
					cs_dataroot *sr = loaded_root(h, *cand);
					if (sr)
						absorb_record(sr, ct->snapshot_namespace, ct);
				}
				continue;
			}
			bool done = false;
			cs_buf tried = {0};
			for (char **cand = ct->snapshot_roots; cand && *cand && !done; cand++) {
				/* its host path, when it lies in the referring root */
				size_t pl = strlen(dr->path);
				_cleanup_free_ char *hp = NULL;
				if (dr->host_path && strncmp(*cand, dr->path, pl) == 0 && (*cand)[pl] == '/')
					hp = cs_xasprintf("%s%s", dr->host_path, *cand + pl);
				cs_dataroot *sr = root_at(h, o, *cand, hp);
				(void)cs_buf_printf(&tried, "%s`%s`", tried.len ? ", " : "", *cand);
				if (!sr)
					continue;
				cs_layer_stack st;
				cs_problems ps = {0};
				cs_error le = {0};
				int k = sr->ops->snapshot_stack(sr, ct->snapshot_namespace, ct->snapshotter, ct->snapshot_key,
								&st, &ps, &le);
				if (k == 0) {
					ct->layers = st;
					done = true;
					for (size_t p = 0; p < ps.n; p++) {
						cs_problems_add(&ct->problems, ps.v[p].file, ps.v[p].msg);
						report(h, o, &ps.v[p]);
					}
					if (!st.complete)
						ct->incomplete = true;
					adopt_images(sr, ct->snapshot_namespace, dr);
					absorb_record(sr, ct->snapshot_namespace, ct);
				}
				for (size_t p = 0; p < ps.n; p++) {
					free(ps.v[p].file);
					free(ps.v[p].msg);
				}
				free(ps.v);
			}
			if (!done) {
				char *msg = cs_xasprintf("container %s: its snapshot `%s` (%s, containerd namespace %s) is in "
							 "no containerd root of the evidence (looked in %s): its filesystem "
							 "cannot be located",
							 ct->id, ct->snapshot_key, ct->snapshotter, ct->snapshot_namespace,
							 tried.data ? tried.data : "none");
				cs_problem p = {.file = dr->path, .msg = msg};
				cs_problems_add(&ct->problems, dr->path, msg);
				report(h, o, &p);
				ct->incomplete = true;
				free(msg);
			}
			cs_buf_free(&tried);
		}
	}
}

int cs_host_load(cs_source *src, const cs_host_opts *o, cs_host **ret, cs_error *e)
{
	cs_host_opts none = {0};
	if (!o)
		o = &none;
	cs_host *h = cs_xcalloc(1, sizeof(*h));
	h->src = src;
	int r = o->sysroot ? load_sysroot(h, o, e) : load_root_dir(h, o, e);
	if (r < 0) {
		cs_host_free(h);
		return r;
	}
	resolve_snapshots(h, o);
	gather(h);
	if (cs_source_is_partial(src))
		mark_uncollected(h);
	*ret = h;
	return 0;
}

void cs_host_free(cs_host *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->n_roots; i++) {
		cs_dataroot_free(h->roots[i]);
		free(h->where[i].path);
		free(h->where[i].host_path);
		free(h->where[i].origin);
	}
	free(h->roots);
	free(h->where);
	free(h->containers);
	free(h->images);
	free(h->volumes);
	free(h);
}

/* --- lookup --- */

/* Strips "sha256:" so ids and prefixes compare on hex alone. */
static const char *bare_id(const char *s)
{
	return cs_str_startswith(s, "sha256:") ? s + 7 : s;
}

static bool is_hex(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

static bool ref_matches(const char *ref, const char *q)
{
	if (strcmp(ref, q) == 0)
		return true;
	/* docker.io/library/x:tag and library/x:tag are x:tag; Podman names
	 * local images localhost/x:tag */
	static const char *const prefixes[] = {"docker.io/library/", "docker.io/", "library/", "localhost/"};
	for (size_t k = 0; k < CS_ARRAY_SIZE(prefixes); k++) {
		const char *p = prefixes[k];
		if (cs_str_startswith(q, p) && strcmp(ref, q + strlen(p)) == 0)
			return true;
		if (cs_str_startswith(ref, p) && strcmp(ref + strlen(p), q) == 0)
			return true;
	}
	return false;
}

static bool image_ref_matches(const cs_image *im, const char *q)
{
	/* a bare repository means :latest */
	_cleanup_free_ char *withtag = NULL;
	const char *slash = strrchr(q, '/');
	const char *last = slash ? slash + 1 : q;
	if (!strchr(last, ':') && !strchr(q, '@'))
		withtag = cs_xasprintf("%s:latest", q);
	for (char **t = im->tags; t && *t; t++)
		if (ref_matches(*t, q) || (withtag && ref_matches(*t, withtag)))
			return true;
	for (char **d = im->digests; d && *d; d++)
		if (ref_matches(*d, q))
			return true;
	return false;
}

/* The part of q after "NAMESPACE/" when the item's namespace prefixes it. */
static const char *strip_ns(const char *engine, const char *ns, const char *q)
{
	size_t l = ns ? strlen(ns) : 0;
	if (l && strncmp(q, ns, l) == 0 && q[l] == '/')
		return q + l + 1;
	/* an LXD item outside any namespace is in project default:
	 * "default/NAME" names it. Only LXD's: for the other engines
	 * "default/app" is a name of its own (an image of Docker Hub's user
	 * "default"), never "app". */
	if (!ns && engine && strcmp(engine, "lxd") == 0 && cs_str_startswith(q, "default/"))
		return q + 8;
	return NULL;
}

typedef struct finder {
	const char *engine; /* qualifier, or NULL */
	const char *q;      /* the query without the qualifier */
} finder;

/* "ENGINE:REST" qualifies when ENGINE is a registered engine or the engine
 * of one of the items (so "x:y", a plain name with a colon, stays a name). */
static finder parse_query(const char *q, void *const *items, size_t n,
			  const char *(*engine_of)(const void *))
{
	finder f = {.q = q};
	const char *colon = strchr(q, ':');
	if (!colon)
		return f;
	_cleanup_free_ char *name = cs_xstrndup(q, (size_t)(colon - q));
	const char *label = cs_engine_label(name);
	if (label) {
		f.engine = label;
		f.q = colon + 1;
		return f;
	}
	for (size_t i = 0; i < n; i++)
		if (strcmp(engine_of(items[i]), name) == 0) {
			f.engine = engine_of(items[i]);
			f.q = colon + 1;
			break;
		}
	return f;
}

typedef bool (*match_fn)(const void *item, const char *q, int round);

static int find_in(void *const *items, size_t n, const char *(*engine_of)(const void *),
		   const char *(*id_of)(const void *), const char *(*ns_of)(const void *), match_fn name_match,
		   const char *query, const void **ret, const void ***ret_cands, size_t *ret_n)
{
	if (ret_cands)
		*ret_cands = NULL;
	if (ret_n)
		*ret_n = 0;
	if (!query || !*query)
		return -ENOENT;
	finder f = parse_query(query, items, n, engine_of);
	const char *q = f.q;
	if (!*q)
		return -ENOENT;
	const char *bq = bare_id(q);
	bool hex = is_hex(bq);
	const void **m = NULL;
	size_t nm = 0, cap = 0;
	bool any_ns = false;
	for (size_t i = 0; i < n && !any_ns; i++)
		any_ns = strip_ns(engine_of(items[i]), ns_of(items[i]), q) != NULL;
	for (int round = 0; round < 3 && nm == 0; round++) {
		if (round == 2 && !hex && !any_ns)
			continue;
		for (size_t i = 0; i < n; i++) {
			const void *it = items[i];
			if (f.engine && strcmp(engine_of(it), f.engine) != 0)
				continue;
			/* "NAMESPACE/ID" qualifies ids and prefixes too */
			const char *iq = strip_ns(engine_of(it), ns_of(it), q);
			const char *ib = iq ? bare_id(iq) : bq;
			bool ihex = iq ? is_hex(ib) : hex;
			bool hit = round == 0   ? strcmp(bare_id(id_of(it)), ib) == 0
				   : round == 1 ? name_match(it, q, round)
						: ihex && strncmp(bare_id(id_of(it)), ib, strlen(ib)) == 0;
			if (hit)
				*CS_PUSH(m, nm, cap) = it;
		}
	}
	if (nm == 1) {
		*ret = m[0];
		free(m);
		return 0;
	}
	if (nm == 0) {
		free(m);
		return -ENOENT;
	}
	if (ret_n)
		*ret_n = nm;
	if (ret_cands)
		*ret_cands = m;
	else
		free(m);
	return -ENOTUNIQ;
}

static const char *ct_engine(const void *p)
{
	return ((const cs_container *)p)->engine;
}

static const char *ct_id(const void *p)
{
	return ((const cs_container *)p)->id;
}

static const char *ct_ns(const void *p)
{
	return ((const cs_container *)p)->namespace;
}

static const char *im_ns(const void *p)
{
	return ((const cs_image *)p)->namespace;
}

static bool ct_name(const void *p, const char *q, int round)
{
	(void)round;
	const cs_container *c = p;
	if (!c->name)
		return false;
	const char *rest = strip_ns(c->engine, c->namespace, q);
	if (rest && (strcmp(c->name, *rest == '/' ? rest + 1 : rest) == 0 || strcmp(bare_id(c->id), bare_id(rest)) == 0))
		return true;
	return strcmp(c->name, *q == '/' ? q + 1 : q) == 0;
}

static const char *im_engine(const void *p)
{
	return ((const cs_image *)p)->engine;
}

static const char *im_id(const void *p)
{
	return ((const cs_image *)p)->id;
}

static bool im_name(const void *p, const char *q, int round)
{
	(void)round;
	const cs_image *im = p;
	const char *rest = strip_ns(im->engine, im->namespace, q);
	if ((rest && (image_ref_matches(im, rest) || strcmp(bare_id(im->id), bare_id(rest)) == 0)) ||
	    image_ref_matches(im, q))
		return true;
	/* containerd: any record name (the CRI's sha256:<config> too) */
	for (char **nm = im->names; nm && *nm; nm++)
		if (strcmp(*nm, rest ? rest : q) == 0)
			return true;
	return false;
}

int cs_host_find_container(const cs_host *h, const char *q, const cs_container **ret,
			   const cs_container ***ret_cands, size_t *ret_n)
{
	return find_in((void *const *)h->containers, h->n_containers, ct_engine, ct_id, ct_ns, ct_name, q,
		       (const void **)ret, (const void ***)ret_cands, ret_n);
}

int cs_host_find_image(const cs_host *h, const char *q, const cs_image **ret,
		       const cs_image ***ret_cands, size_t *ret_n)
{
	return find_in((void *const *)h->images, h->n_images, im_engine, im_id, im_ns, im_name, q,
		       (const void **)ret, (const void ***)ret_cands, ret_n);
}

char *cs_host_item_where(const char *engine, const char *namespace)
{
	return namespace ? cs_xasprintf("%s:%s", engine, namespace) : cs_xstrdup(engine);
}

char *cs_host_inspect_one(const cs_host *h, const cs_item *it)
{
	(void)h;
	const cs_dataroot *dr = it->ct ? it->ct->dr : it->im->dr;
	return dr && dr->ops && dr->ops->inspect ? dr->ops->inspect(dr, it->ct, it->im) : NULL;
}

char *cs_host_inspect(const cs_host *h, const cs_item *items, size_t n)
{
	(void)h;
	cs_buf b = {.max = SIZE_MAX};
	(void)cs_buf_puts(&b, "[");
	size_t done = 0;
	for (size_t i = 0; i < n; i++) {
		const cs_dataroot *dr = items[i].ct ? items[i].ct->dr : items[i].im->dr;
		/* the item's engine gives the shape (an adopted image: its new engine's) */
		const cs_engine *en = cs_engine_find(items[i].ct ? items[i].ct->engine : items[i].im->engine);
		if (!en && dr)
			en = dr->ops;
		char *s = en && en->inspect ? en->inspect(dr, items[i].ct, items[i].im) : NULL;
		if (!s)
			continue;
		(void)cs_buf_puts(&b, done++ ? ",\n" : "\n");
		(void)cs_buf_puts(&b, s);
		free(s);
	}
	(void)cs_buf_puts(&b, done ? "\n]" : "]");
	return cs_buf_steal(&b);
}

/* --- "did you mean" --- */

char *cs_host_suggest(const cs_host *h, const char *q, bool containers, bool images)
{
	/* candidates are plain names; the answer is qualified when names alone
	 * would not say which item */
	const char **cands = NULL;
	char **qual = NULL;
	size_t n = 0, cap = 0, capq = 0, nq = 0;
	const char *colon = strchr(q, ':');
	const char *bare = q;
	if (colon) {
		_cleanup_free_ char *en = cs_xstrndup(q, (size_t)(colon - q));
		if (cs_engine_find(en))
			bare = colon + 1;
	}
	for (size_t i = 0; containers && i < h->n_containers; i++) {
		const cs_container *c = h->containers[i];
		if (!c->name)
			continue;
		*CS_PUSH(cands, n, cap) = c->name;
		*CS_PUSH(qual, nq, capq) = cs_xasprintf("%s:%s%s%s", c->engine, c->namespace ? c->namespace : "",
							 c->namespace ? "/" : "", c->name);
	}
	for (size_t i = 0; images && i < h->n_images; i++) {
		const cs_image *im = h->images[i];
		for (char **t = im->tags; t && *t; t++) {
			*CS_PUSH(cands, n, cap) = *t;
			*CS_PUSH(qual, nq, capq) = cs_xasprintf("%s:%s%s%s", im->engine,
								 im->namespace ? im->namespace : "",
								 im->namespace ? "/" : "", *t);
		}
	}
	const char *best = cs_closest(bare, cands, n);
	char *ret = NULL;
	for (size_t i = 0; best && i < n && !ret; i++)
		if (cands[i] == best)
			ret = cs_xstrdup(h->many ? qual[i] : best);
	for (size_t i = 0; i < nq; i++)
		free(qual[i]);
	free(qual);
	free(cands);
	return ret;
}

/* --- volumes and the containers that mount them --- */

static int cmp_use(const void *a, const void *b)
{
	const cs_volume_use *x = a, *y = b;
	int r = strcmp(x->engine ? x->engine : "", y->engine ? y->engine : "");
	if (!r)
		r = strcmp(x->namespace ? x->namespace : "", y->namespace ? y->namespace : "");
	if (!r)
		r = strcmp(x->name, y->name);
	return r;
}

size_t cs_host_volumes(const cs_host *h, cs_volume_use **ret)
{
	cs_volume_use *v = NULL;
	size_t n = 0, cap = 0;
	for (size_t i = 0; i < h->n_volumes; i++) {
		const cs_volume *vol = h->volumes[i];
		cs_volume_use *u = CS_PUSH(v, n, cap);
		memset(u, 0, sizeof(*u));
		u->vol = vol;
		u->name = vol->name;
		u->engine = vol->engine;
		u->namespace = vol->namespace;
		u->dr = vol->dr;
	}
	size_t nvol = n;
	for (size_t i = 0; i < h->n_containers; i++) {
		const cs_container *c = h->containers[i];
		for (size_t m = 0; m < c->n_mounts; m++) {
			const cs_mount *mp = &c->mounts[m];
			if (mp->type != CS_MOUNT_VOLUME || !mp->name || !*mp->name)
				continue;
			cs_volume_use *u = NULL;
			for (size_t k = 0; k < n && !u; k++)
				if (v[k].dr == c->dr && str_eq(v[k].namespace, c->namespace) &&
				    strcmp(v[k].name, mp->name) == 0)
					u = &v[k];
			if (!u) {
				u = CS_PUSH(v, n, cap);
				memset(u, 0, sizeof(*u));
				u->name = mp->name;
				u->engine = c->engine;
				u->namespace = c->namespace;
				u->dr = c->dr;
			}
			bool dup = false;
			for (size_t k = 0; k < u->n_users; k++)
				dup = dup || u->users[k] == c;
			if (!dup) {
				u->users = cs_xreallocarray(u->users, u->n_users + 1, sizeof(*u->users));
				u->users[u->n_users++] = c;
			}
		}
	}
	(void)nvol;
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_use);
	*ret = v;
	return n;
}

void cs_volume_uses_free(cs_volume_use *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].users);
	free(v);
}
