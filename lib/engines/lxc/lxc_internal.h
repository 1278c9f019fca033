/* lxc_internal.h - shared state of the LXC reader modules. */
#ifndef CS_LXC_INTERNAL_H
#define CS_LXC_INTERNAL_H

#include "base/strmap.h"
#include "engines/lxc/lxc.h"
#include "formats/lxcconf.h"

typedef struct lx_ctx {
	cs_source *src;
	cs_dataroot *dr;
	cs_diag_fn diag;
	void *diag_ud;
	bool sysroot;      /* the source root is the host's root */
	char *host_path;   /* the lxcpath as the host knew it, or NULL */
	char *user;        /* the unprivileged user whose lxcpath it is, or NULL */
	cs_strmap claimed; /* log files attributed to a container */
	/* per container, until the inspect objects are made at the end */
	cs_lxc_conf *confs;
	char **deps, **rdeps;
} lx_ctx;

/* The inspect object of a container (lxc_inspect.c): the effective config
 * and what it means, snapshots, clones, logs, times and their sources.
 * deps/rdeps: the text of lxc_snapshots / lxc_rdepends, or NULL. Owned
 * JSON text. */
char *lx_inspect_json(lx_ctx *c, const cs_container *ct, const cs_lxc_conf *conf, const char *deps,
		      const char *rdeps);
/* The engine table's inspect: the object made at load. */
char *cs_lxc_inspect(const cs_dataroot *dr, const cs_container *ct, const cs_image *im);

#endif
