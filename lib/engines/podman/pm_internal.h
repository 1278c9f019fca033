/* pm_internal.h - shared state of the containers/storage reader modules. */
#ifndef CS_PM_INTERNAL_H
#define CS_PM_INTERNAL_H

#include "base/strmap.h"
#include "formats/jscan.h"
#include "engines/podman/podman.h"

/* A layer of layers.json (or volatile-layers.json). */
typedef struct pm_layer {
	char *id, *parent;
	char **names;
	cs_time created;
	char *diff_digest, *compressed_digest;
	int64_t diff_size, compressed_size; /* -1 unknown */
	bool incomplete;                    /* flags.incomplete: extraction cut short */
	bool is_volatile;
	const char *driver;                 /* the driver whose records hold it (static) */
	char *file;                         /* the JSON file it came from */
} pm_layer;

/* An image of images.json. */
typedef struct pm_image {
	char *id, *digest, *top_layer, *metadata;
	char **digests, **names, **names_history, **bigdata_names, **mapped_layers;
	int64_t bigdata_size;
	cs_time created;
	const char *driver;
	char *file;
} pm_image;

/* A container of containers.json (or volatile-containers.json). */
typedef struct pm_sctr {
	char *id, *image, *layer, *metadata;
	char **names;
	cs_time created;
	bool is_volatile;
	char *mount_label, *process_label;
	cs_idmap ids;       /* uidmap and gidmap: container ids -> ids of the store's user namespace */
	const char *driver;
	char *file;
	bool used; /* joined with a libpod record */
} pm_sctr;

/* Podman's own records of a container (bolt_state.db or db.sql). */
typedef struct pm_lctr {
	char *id, *name, *pod_id;
	char *config, *state;   /* the JSON values as stored (handed to the
				 * container built from them: NULL after) */
	bool have_exit;         /* an exit-code record */
	int64_t exit_code;
	cs_time exit_time;
	char **execs;           /* exec session ids */
	char **deps;            /* the containers it depends on */
	char *problem;          /* what could not be read, or NULL */
} pm_lctr;

typedef struct pm_lpod {
	char *id, *name, *config, *state, *infra;
	char **members;
} pm_lpod;

typedef struct pm_lvol {
	char *name, *config, *state;
} pm_lvol;

typedef struct pm_libpod {
	char *file;        /* evidence path of the database */
	const char *kind;  /* "boltdb", "sqlite" */
	pm_lctr *ctrs;
	size_t n_ctrs, cap_ctrs;
	cs_strmap ctr_by_id; /* id -> index + 1 */
	pm_lpod *pods;
	size_t n_pods, cap_pods;
	pm_lvol *vols;
	size_t n_vols, cap_vols;
	/* runtime-config (bolt) / DBConfig (SQLite): the paths it was made with */
	char *graph_root, *static_dir, *volume_path, *run_root, *tmp_dir, *graph_driver;
	char *sqlnote;     /* SQLite: what recovery did with the journal or WAL, or NULL */
} pm_libpod;

/* One graphroot. */
typedef struct pm_store {
	cs_source *src;
	char *path;        /* evidence-relative graphroot */
	char *host_path;   /* as the host knew it */
	char *prefix;      /* evidence path of the host's "/" ("" or "x/"), or NULL when unknown */
	char *user;        /* rootless: the user's name (the namespace), else NULL */
	char *home;        /* rootless: the user's home as the host knew it, or NULL */
	uint32_t uid, gid;
	cs_idmap usermap;  /* rootless: the user namespace's ids -> ids on disk (etc/subuid, etc/subgid) */
	char *usermap_note;/* why the map is unknown, or NULL */
	char *driver;      /* "overlay", "vfs", ... (the first driver with records) */
	bool mount_program;/* overlay/.has-mount-program: fuse-overlayfs made the layers */
	pm_layer *layers;
	size_t n_layers, cap_layers;
	cs_strmap layer_by_id; /* id -> index + 1 */
	pm_image *images;
	size_t n_images, cap_images;
	cs_strmap image_by_id;
	pm_sctr *sctrs;
	size_t n_sctrs, cap_sctrs;
	bool have_db;
	pm_libpod db;
	cs_strmap links;   /* overlay/l/<short> -> its target, read once (NULL value: unreadable) */
	cs_strmap dirs;    /* layer directories looked at: 1 present, 2 missing */
	char *events_path; /* an events log file in the evidence, or NULL */
	char *journal_dir; /* var/log/journal in the evidence, or NULL */
} pm_store;

typedef struct pm_ctx {
	cs_source *src;
	cs_dataroot *dr;
	pm_store *st;
	cs_diag_fn diag;
	void *diag_ud;
	bool listing; /* cs_load_opts.listing: containers without layer stacks, no images, volumes or events */
} pm_ctx;

/* Records a problem on an item (p NULL: the data root's), reports it as a
 * warning and counts it. */
void pm_warn(pm_ctx *c, cs_problems *p, const char *file, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Records a note on an item (p NULL: the data root's) and reports it (nothing
 * lost: it does not change the exit status). */
void pm_note(pm_ctx *c, cs_problems *p, const char *file, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Evidence-relative path under the store. Owned. */
char *pm_path(const pm_store *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The evidence path of a host path (absolute), or NULL when it cannot be
 * placed in the evidence (no sysroot prefix known, or ".." in it). A path
 * under the store's host path is placed under the store. Owned. */
char *pm_host_to_evidence(const pm_store *st, const char *host);
/* True for a name usable as one path component (layer and container ids). */
bool pm_safe_name(const char *s);
/* Reads a JSON array of id map ranges ({"container_id"|"containerID",
 * "host_id"|"hostID", "size"}: containers/storage's uidmap/gidmap and
 * libpod's idMappingsOptions) into m as ranges of kind 'u' or 'g'; bad
 * ranges are left out, 1024 at most. */
void pm_jidmap(cs_jscan *s, char kind, cs_idmap *m);
/* A JSON time string (RFC 3339, as Go writes it), consumed: CS_TIME_NEVER
 * when absent or not a string, CS_TIME_INVALID when it does not parse. */
cs_time pm_jtime(cs_jscan *s);
/* Adds to out the ranges of kind of `inner` (container -> middle) composed
 * with those of `outer` (middle -> disk); when either has no range of that
 * kind, the other's are taken as they are. Returns how many were added. */
size_t pm_idmap_compose(const cs_idmap *inner, const cs_idmap *outer, char kind, cs_idmap *out);

/* pm_store.c: the JSON stores. */
void pm_read_layers(pm_ctx *c, const char *driver);
void pm_read_images(pm_ctx *c, const char *driver);
void pm_read_containers(pm_ctx *c, const char *driver);
const pm_layer *pm_layer_get(const pm_store *st, const char *id);
const pm_image *pm_image_get(const pm_store *st, const char *id);
/* The layer stack of a container's RW layer (top first) or of an image's
 * top layer, with `role` for the top. Damage goes to problems. */
void pm_layer_stack(pm_ctx *c, const char *layer_id, const char *top_role, cs_layer_stack *s, cs_problems *p,
		    bool *incomplete);
/* The directory holding a layer's files. Owned. */
char *pm_layer_dir(const pm_store *st, const char *id);

/* pm_state.c: libpod's database. Returns false when there is none. */
bool pm_read_libpod(pm_ctx *c);
void pm_libpod_free(pm_libpod *db);
const pm_lpod *pm_pod_get(const pm_store *st, const char *id);

/* pm_container.c, pm_image.c: the model. */
void pm_load_containers(pm_ctx *c);
void pm_load_images(pm_ctx *c);
void pm_load_volumes(pm_ctx *c);
/* pm_events.c: the events log file, attached to the items it names. */
void pm_read_events(pm_ctx *c);

void pm_store_free(void *p);

#endif
