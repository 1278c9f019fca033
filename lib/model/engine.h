/* engine.h - what every engine reader offers the rest of libcsleuth.
 *
 * An engine reader turns one engine's files into the model. It is a table of
 * functions, in the manner of libarchive's format bidders: `probe` looks at
 * a directory (a few stats, no parsing) and bids on it, `locate` finds the
 * engine's roots in a host filesystem, `load` reads one root into a
 * cs_dataroot, and the views (`inspect`) give the engine's own shapes. The
 * host model (lib/host/) asks every engine in the registry
 * (lib/engines/engines.h), so adding an engine is one folder and one row.
 */
#ifndef CS_ENGINE_H
#define CS_ENGINE_H

#include "model/model.h"

/* A root an engine found in a host filesystem. */
typedef struct cs_engine_root {
	const struct cs_engine *engine;
	char *path;      /* evidence-relative ("" for the source root) */
	char *host_path; /* as the host knew it ("/var/lib/docker"), or NULL */
	char *origin;    /* how it was found, for the examiner ("the default location") */
} cs_engine_root;

typedef struct cs_engine_roots {
	cs_engine_root *v;
	size_t n, cap;
} cs_engine_roots;

/* Adds a root (strings copied). */
void cs_engine_roots_add(cs_engine_roots *r, const struct cs_engine *engine, const char *path,
			 const char *host_path, const char *origin);
void cs_engine_roots_clear(cs_engine_roots *r);

typedef struct cs_load_opts {
	const char *path;      /* the root inside the source, "" for its root */
	const char *host_path; /* where the host kept it, if known (else inferred) */
	cs_diag_fn diag;       /* per-item problems; may be NULL */
	void *diag_userdata;
	/* Only what a listing of containers shows (ps): the engine may leave
	 * out images, volumes and the containers' layer stacks (then layers.n
	 * is 0 and layers_unread set), and with them the damage only they
	 * would show. An engine that cannot stage its reading ignores it. */
	bool listing;
} cs_load_opts;

typedef struct cs_engine {
	const char *name; /* "docker", "containerd", ... as items report it */
	const char *what; /* "Docker data root", for messages */
	/* How well the directory at path (evidence-relative) looks like one of
	 * this engine's roots: 0 not at all, up to 100 certain. A few stats. */
	int (*probe)(cs_source *src, const char *path);
	/* Appends the roots this engine would have in the host filesystem
	 * rooted at the source (configured or default locations; they need not
	 * exist). Returns 0 or -errno. */
	int (*locate)(cs_source *sysroot, cs_engine_roots *out, cs_error *e);
	/* Reads one root. Returns 0 and *ret (free with cs_dataroot_free) even
	 * when items are damaged (flagged, reported through o->diag and counted
	 * in n_warnings); -errno only when the root cannot be read at all. A
	 * diagnostic about one item is also recorded, with the same file and
	 * message, in that item's `problems` (else in the root's), so that a
	 * command can report the problems of the items it shows. */
	int (*load)(cs_source *src, const cs_load_opts *o, cs_dataroot **ret, cs_error *e);
	/* The engine's own inspect shape of one item (exactly one of ct, im is
	 * non-NULL): an owned JSON object text, valid UTF-8. NULL when the
	 * engine has no such view. */
	char *(*inspect)(const cs_dataroot *dr, const cs_container *ct, const cs_image *im);
	/* Cross-engine (may be NULL): the layer stack, top first, of snapshot
	 * `key` of `snapshotter` in namespace `ns` of this root, for a container
	 * another engine lists (Docker 29 keeps its containers' layers in
	 * containerd). Returns 0 and *ret (owned; clear with
	 * cs_layer_stack_clear), -ENOENT when the root has no such snapshot, or
	 * -errno. Damage met on the way (a missing directory, a parent cycle) is
	 * added to *problems and leaves ret->complete false. */
	int (*snapshot_stack)(const cs_dataroot *dr, const char *ns, const char *snapshotter, const char *key,
			      cs_layer_stack *ret, cs_problems *problems, cs_error *e);
	/* Other engine names this reader labels some of its items with (a
	 * containers/storage store holds Podman's and CRI-O's containers: the
	 * one reader labels each item "podman" or "cri-o"), NULL-terminated;
	 * NULL when every item carries `name`. */
	const char *const *also;
} cs_engine;

#endif
