/* docker_internal.h - shared state of the Docker reader modules. */
#ifndef CS_DOCKER_INTERNAL_H
#define CS_DOCKER_INTERNAL_H

#include <json-c/json.h>

#include "engines/docker/docker.h"
#include "formats/jsonutil.h"
#include "base/strmap.h"

#include <stdio.h>
#include <sys/stat.h>

/* A layerdb entry, read once per chain id. */
typedef struct dk_layer {
	char *cache_id; /* NULL if unreadable */
	char *dir;      /* evidence-relative layer files, or NULL */
	int64_t size;   /* -1 if unknown */
	char *err, *err_file; /* the problem met, if any */
} dk_layer;
void dk_layer_free(void *p);

typedef struct dk_ctx {
	cs_source *src;
	cs_dataroot *dr;
	cs_diag_fn diag;
	void *diag_ud;
	bool listing; /* cs_load_opts.listing: containers only, no layer stacks */
	/* overlay2 short link -> cache id, built lazily when l/ is unusable */
	char **ov2_links, **ov2_ids;
	size_t n_ov2;
	bool ov2_scanned;
	/* memos: many containers and images share layers */
	cs_strmap layers;    /* "<driver>/<chain id>" -> dk_layer */
	cs_strmap links;     /* overlay2 short name -> cache id (value NULL: missing) */
	cs_strmap dirs_seen; /* layer dir path -> (void *)1 present, (void *)2 missing */
} dk_ctx;

/* Evidence-relative path under the data root. Owned. */
char *dk_path(dk_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Records a problem on an item (problems may be NULL for data-root-wide
 * ones), reports it through the diagnostics callback and counts it. */
void dk_warn(dk_ctx *c, cs_problems *p, const char *file, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Reads a small text file (ids, link names), trimmed of white space.
 * Returns 0 and an owned string, or -errno (error filled). */
int dk_read_small(dk_ctx *c, const char *path, char **ret, cs_error *e);

/* Parses a time member; a present but unreadable value is reported. */
cs_time dk_time(dk_ctx *c, cs_problems *p, const char *file, json_object *o, const char *key);

int dk_load_images(dk_ctx *c);              /* image/<driver>/... */
int dk_load_legacy_images(dk_ctx *c);       /* graph/ */
int dk_load_containers(dk_ctx *c);          /* containers/ */
void dk_load_volumes(dk_ctx *c);            /* volumes/ */

/* True when driver names a containerd snapshotter and the data root keeps
 * no graph-driver layers for it: Docker 29's containerd image store. */
bool dk_containerd_store(dk_ctx *c, const char *driver);
/* Names, for each containerd-store container, the containerd namespace and
 * the roots that may hold its snapshots (see cs_container). */
void dk_snapshot_refs(dk_ctx *c);

/* Builds the layer stack of a container (top first) from its driver. */
void dk_container_layers(dk_ctx *c, cs_container *ct);
/* How a storage driver records deletions in its layer directories. */
cs_whiteout_format dk_driver_whiteouts(const char *driver);
/* Directory holding an image layer's own files, or NULL if unknown. */
char *dk_image_layer_dir(dk_ctx *c, const char *driver, const char *cache_id);

#endif
