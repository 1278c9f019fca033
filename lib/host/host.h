/* host.h - every engine of a host, read into one model.
 *
 * A host is what an examiner points csleuth at: either one engine's data
 * root (--root: each engine reader bids on the directory and the best bid
 * reads it) or a whole host filesystem (--sysroot: every engine reader
 * locates its roots from the host's configuration or defaults, and each root
 * that is there is read). The result is one list of containers, one of
 * images and one of volumes, each item carrying its engine, its namespace
 * and its data root, sorted newest first.
 *
 * Names are resolved across engines. A query is a full id, a unique id
 * prefix, a name (for images a repo:tag or repo@digest), optionally
 * qualified as ENGINE:NAME or ENGINE:NAMESPACE/NAME; a name two engines or
 * namespaces share is ambiguous unless qualified.
 */
#ifndef CS_HOST_H
#define CS_HOST_H

#include <stdbool.h>
#include <stddef.h>

#include "evidence/source.h"
#include "model/engine.h"
#include "model/model.h"

typedef struct cs_host_opts {
	bool sysroot;       /* the source is a host filesystem, not a data root */
	const char *engine; /* with !sysroot: read the root as this engine (NULL: by bids) */
	cs_diag_fn diag;    /* per-item problems; may be NULL */
	void *diag_userdata;
	/* Told about each root before it is read (may be NULL). */
	void (*on_root)(void *userdata, const cs_engine_root *root);
	/* Only what a container listing shows (cs_load_opts.listing): images,
	 * volumes and layer stacks may be left out, and another engine's
	 * snapshots are not looked up. */
	bool listing;
} cs_host_opts;

typedef struct cs_host {
	cs_source *src; /* borrowed */
	cs_dataroot **roots;
	cs_engine_root *where; /* where each root was found, as roots */
	size_t n_roots;
	cs_container **containers; /* all engines, newest first */
	size_t n_containers;
	cs_image **images;
	size_t n_images;
	cs_volume **volumes;
	size_t n_volumes;
	size_t n_warnings; /* per-item problems met while reading */
	/* More than one engine or namespace holds items: listings should show
	 * ENGINE and NAMESPACE. */
	bool many;
} cs_host;

/* Reads the host. Returns 0 and *ret (free with cs_host_free) even when
 * items are damaged; -errno when no root could be read at all (the error
 * then says what was looked for). */
int cs_host_load(cs_source *src, const cs_host_opts *o, cs_host **ret, cs_error *e);
void cs_host_free(cs_host *h);

/* Resolves a container (or image) query. Returns 0 and *ret; -ENOENT; or
 * -ENOTUNIQ when several match, with the candidates in *ret_cands (owned
 * array of borrowed pointers; may be NULL) and their count in *ret_n. */
int cs_host_find_container(const cs_host *h, const char *q, const cs_container **ret,
			   const cs_container ***ret_cands, size_t *ret_n);
int cs_host_find_image(const cs_host *h, const char *q, const cs_image **ret,
		       const cs_image ***ret_cands, size_t *ret_n);

/* The known name closest to q, a query that found nothing ("did you
 * mean"): container names when containers, image references when images;
 * qualified as ENGINE:NAME when several engines or namespaces hold items.
 * Owned, or NULL when nothing is close. */
char *cs_host_suggest(const cs_host *h, const char *q, bool containers, bool images);

/* Every volume of the host with the containers that mount it, plus each
 * named volume that containers mount but the evidence does not hold,
 * sorted by engine, namespace and name. Returns the count; *ret is owned
 * (free with cs_volume_uses_free). */
size_t cs_host_volumes(const cs_host *h, cs_volume_use **ret);
void cs_volume_uses_free(cs_volume_use *v, size_t n);

/* "ENGINE" or "ENGINE:NAMESPACE" of an item, for messages. Owned. */
char *cs_host_item_where(const char *engine, const char *namespace);

/* One item of a mixed list: exactly one of ct and im is non-NULL. */
typedef struct cs_item {
	const cs_container *ct;
	const cs_image *im;
} cs_item;

/* `inspect`: a JSON array holding each item in its engine's own inspect
 * shape. Owned, valid UTF-8. */
char *cs_host_inspect(const cs_host *h, const cs_item *items, size_t n);
/* One item in its engine's inspect shape (a JSON object), or NULL when the
 * engine has none. Owned, valid UTF-8. */
char *cs_host_inspect_one(const cs_host *h, const cs_item *item);

#endif
