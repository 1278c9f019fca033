/* tlsources.h - feeding the model (containers, images, their layers, volumes
 * and logs) into a timeline. Engine-neutral: it reads only the model and the
 * layer directories the model names. */
#ifndef CS_TLSOURCES_H
#define CS_TLSOURCES_H

#include <stdbool.h>

#include "model/model.h"
#include "timeline/timeline.h"

/* Where the walk is, for a progress line. */
typedef struct cs_tl_progress {
	const char *phase;    /* "containers", "volumes", "images", "image layers" */
	uint64_t done, total; /* items of the phase */
	uint64_t entries;     /* file system entries walked so far */
	uint64_t events;      /* events added so far */
} cs_tl_progress;

typedef struct cs_tl_sources {
	bool logs;    /* log records */
	bool layers;  /* files of image layers */
	bool hash;    /* sha256 of regular files */
	bool magic;   /* libmagic file types */
	/* Volumes to date (Volume Created) and, when none of the containers
	 * mounts them, to walk on their own (paths inside the volume). */
	const cs_volume *const *volumes;
	size_t n_volumes;
	/* called now and then (may be NULL) */
	void (*progress)(void *userdata, const cs_tl_progress *p);
	void *progress_userdata;
	cs_diag_fn diag;
	void *diag_userdata;
} cs_tl_sources;

/* Adds the events of the containers cts[0..n_cts) and the images
 * ims[0..n_ims): lifecycle (with the command) and health checks, image
 * creation, build steps (one row per step, however many images share it)
 * and tag times, every entry of each container's own layer (its MACB times,
 * birth time where the file system records it), the deletions and replaced
 * directories it holds, the files of its named volumes at the paths the
 * container saw, the volumes of s->volumes, and optionally log records and
 * image-layer files (named "image TAG layer N", layers numbered from the
 * base, 0, up). Returns 0 (damaged items are reported and skipped) or
 * -errno. */
int cs_timeline_model(cs_timeline *t, cs_source *src, const cs_container *const *cts, size_t n_cts,
		      const cs_image *const *ims, size_t n_ims, const cs_tl_sources *s, cs_error *e);

#endif
