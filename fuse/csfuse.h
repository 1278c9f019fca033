/* csfuse.h - serving merged trees read-only over FUSE (libfuse 3 lowlevel).
 *
 * The view is a forest: tree 0 is the filesystem shown at the mount point;
 * further trees are grafted onto directories of it (named volumes at their
 * destinations) or shown under a virtual /.csleuth/deleted directory (the
 * lower-layer originals of what the container deleted or overwrote).
 */
#ifndef CS_CSFUSE_H
#define CS_CSFUSE_H

#include <stdbool.h>
#include <stdint.h>

#include "fs/lazy.h"

typedef struct cs_fuse_graft {
	const char *path; /* where in tree 0 ("/data") */
	cs_lazy *tree;    /* shown there instead of tree 0's directory */
} cs_fuse_graft;

typedef struct cs_fuse_opts {
	const char *mountpoint;
	bool foreground;
	bool debug;
	const char *fsname;      /* shown in /proc/mounts */
	cs_lazy *deleted_tree;   /* layers below the container's own, filtered with
				    cs_lazy_show_deleted(), or NULL */
	const cs_fuse_graft *grafts;
	size_t n_grafts;
	/* Layers are numbered from the base (0) up, as everywhere in csleuth:
	 * the layers of the stack below tree 0's bottom layer (0 unless tree 0
	 * is a slice such as --upper). */
	unsigned layers_below;
} cs_fuse_opts;

#define CS_FUSE_PARENT 1

/* Every tree (the view, the deleted view, each graft) needs its own tree
 * id (cs_lazy_opts.tree_id): inode numbers carry it. */

/* Mounts tree (read-only) and serves it until unmounted. Unless foreground,
 * it forks: in the calling process it returns CS_FUSE_PARENT once the child
 * has the mount ready (-1 if the child failed); the child serves and returns
 * 0 after a clean unmount. In the foreground it serves and returns 0, or -1
 * with a message on stderr. */
int cs_fuse_serve(cs_lazy *tree, const cs_fuse_opts *o);

#endif
