/* tlsources.h - feeding the model (containers, images, their layers, volumes
 * and logs) into a timeline. Engine-neutral: it reads only the model and the
 * layer directories the model names. */
#ifndef CS_TLSOURCES_H
#define CS_TLSOURCES_H

#include <stdbool.h>

#include "model/model.h"
#include "timeline/timeline.h"

typedef struct cs_tl_sources {
	bool logs;    /* log records */
	bool layers;  /* files of image layers */
	bool hash;    /* sha256 of regular files */
	bool magic;   /* libmagic file types */
	/* called now and then with the number of entries walked */
	void (*progress)(void *userdata, uint64_t entries, uint64_t events);
	void *progress_userdata;
	cs_diag_fn diag;
	void *diag_userdata;
} cs_tl_sources;

/* Adds the events of the containers cts[0..n_cts) and the images
 * ims[0..n_ims): lifecycle and health checks, image creation, build steps
 * and tag times, every entry of each container's own layer (its MACB times,
 * birth time where the file system records it), the deletions and replaced
 * directories it holds, the files of its named volumes, and optionally log
 * records and image-layer files. Returns 0 (damaged items are reported and
 * skipped) or -errno. */
int cs_timeline_model(cs_timeline *t, cs_source *src, const cs_container *const *cts, size_t n_cts,
		      const cs_image *const *ims, size_t n_ims, const cs_tl_sources *s, cs_error *e);

#endif
