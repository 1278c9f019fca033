/* tree.h - a container's or image's filesystem, merged from its layers.
 *
 * cs_tree_build() rebuilds, in memory and without mounting anything, what
 * the kernel's overlayfs (or aufs) shows for a stack of layer directories,
 * top first: the first layer that has a name wins; a whiteout ends the
 * search for that name; an opaque directory stops the search below it.
 * Whiteouts are char 0/0 devices and opaque directories carry
 * trusted.overlay.opaque=y or user.overlay.opaque=y (overlay, overlay2), or
 * they are `.wh.NAME` files and `.wh..wh..opq` (aufs and layer tarballs);
 * aufs housekeeping (`.wh..wh.aufs`, `.wh..wh.plnk`, `.wh..wh.orph`) is never
 * shown. fuse-overlayfs layers (rootless Podman) mix both: char 0/0 and
 * `.wh.NAME` whiteouts, and directories made opaque three ways at once
 * (user.fuseoverlayfs.opaque=y, a `.wh..wh..opq` file and a char 0/0
 * `.wh..opq`); every marker is honoured and none is shown. Symlinks are kept as links and never followed; every attribute comes
 * from the layer that supplied the entry.
 *
 * Nodes are numbered breadth-first in name order from the root (node 0), so
 * the numbering depends only on the evidence: the same stack gives the same
 * numbers on every build (FUSE inode = node + 1). Each node records the layer
 * that supplied it; entries that share an inode within one layer (hard
 * links) point at their first node. What the upper layers deleted or made
 * opaque is kept in a list of deletions, with the whiteout's own metadata.
 *
 * Problems (a missing layer directory, an unreadable directory) cost only
 * what they touch: they are reported through the diagnostics callback with
 * the layer and path, and the rest of the tree is built.
 */
#ifndef CS_TREE_H
#define CS_TREE_H

#include <stdbool.h>
#include <stdint.h>

#include "model/model.h"
#include "evidence/source.h"

typedef struct cs_tnode {
	char *name;        /* "" for the root */
	uint32_t parent;   /* the root is its own parent */
	uint32_t child0;   /* first child (children are contiguous, sorted) */
	uint32_t nchild;
	uint32_t hardlink; /* first node sharing this inode in its layer, or itself */
	int32_t layer;     /* supplying layer, 0 = top */
	cs_stat st;        /* as the supplying layer records it */
	char *link;        /* symlink target, or NULL */
	bool opaque;       /* an opaque directory in its supplying layer */
} cs_tnode;

typedef enum cs_deletion_kind {
	CS_DEL_WHITEOUT = 1, /* an entry was deleted */
	CS_DEL_OPAQUE = 2,   /* a directory was replaced: its lower contents hidden */
} cs_deletion_kind;

typedef struct cs_deletion {
	char *path;   /* merged path, "/etc/group" */
	int32_t layer;
	cs_deletion_kind kind;
	cs_stat st;   /* the whiteout or opaque directory itself */
	char *evidence_path; /* the whiteout in the evidence */
} cs_deletion;

typedef struct cs_tree cs_tree;

typedef struct cs_tree_opts {
	cs_whiteout_format format;
	cs_diag_fn diag;
	void *diag_userdata;
	/* When set, a directory below the root is descended into only if
	 * descend(descend_userdata, "a/b") is true; the others are kept as
	 * nodes without children. */
	bool (*descend)(void *ud, const char *rel);
	void *descend_userdata;
} cs_tree_opts;

/* Upper bounds against hostile evidence. */
#define CS_TREE_MAX_NODES 50000000u
#define CS_TREE_MAX_DEPTH 4096

/* Builds the merged tree of layers[0..n) (top first; .path evidence-relative).
 * Returns 0 and *ret even when parts are damaged (see cs_tree_problems), or
 * -errno when not even the top layer's root is readable. */
int cs_tree_build(cs_source *src, const cs_layer_dir *layers, size_t n, const cs_tree_opts *opts,
		  cs_tree **ret, cs_error *e);
void cs_tree_free(cs_tree *t);

size_t cs_tree_count(const cs_tree *t);
const cs_tnode *cs_tree_node(const cs_tree *t, uint32_t i);
/* Child of dir named name, or UINT32_MAX. */
uint32_t cs_tree_lookup(const cs_tree *t, uint32_t dir, const char *name);
/* Resolves an absolute merged path without following symlinks; UINT32_MAX if
 * absent. */
uint32_t cs_tree_resolve(const cs_tree *t, const char *path);
/* Resolves an absolute merged path as the kernel would inside the view:
 * ".", ".." (stopping at the root) and symlinks in the middle of the path
 * are followed within the tree (absolute targets from its root, 40 links at
 * most), the last component only when follow_last. UINT32_MAX if absent. */
uint32_t cs_tree_resolve_follow(const cs_tree *t, const char *path, bool follow_last);
/* The merged path of node i ("/" for the root). Owned. */
char *cs_tree_path(const cs_tree *t, uint32_t i);
/* The evidence path of node i in its supplying layer. Owned. */
char *cs_tree_evidence_path(const cs_tree *t, uint32_t i);
/* Layer i's directory and id. */
const cs_layer_dir *cs_tree_layer(const cs_tree *t, int32_t i);
size_t cs_tree_layers(const cs_tree *t);
/* How the tree's layers record deletions (the opts it was built with). */
cs_whiteout_format cs_tree_format(const cs_tree *t);
/* Opens a regular file node for reading. */
int cs_tree_open(const cs_tree *t, uint32_t i, cs_file **ret, cs_error *e);
/* Extended attributes of node i as the merged view shows them (overlay's
 * own trusted.overlay.* / user.overlay.* hidden). */
int cs_tree_xattrs(const cs_tree *t, uint32_t i, cs_xattr **ret, size_t *ret_n, cs_error *e);
/* Deletions recorded by layers above the ones they hide, in path order. */
const cs_deletion *cs_tree_deletions(const cs_tree *t, size_t *ret_n);
/* Problems met while building. */
const cs_problems *cs_tree_problems(const cs_tree *t);

/* Rewrites every node's owner to the ids the container saw, through m
 * (see cs_idmap_to_container; nothing changes when m is not shifted).
 * Returns how many ids had no mapping (shown as 65534, the overflow id). */
size_t cs_tree_map_ids(cs_tree *t, const cs_idmap *m);

/* True if the directory at path is opaque in its overlay layer
 * (trusted.overlay.opaque or user.overlay.opaque is "y"). */
bool cs_overlay_is_opaque(cs_source *src, const char *path);
/* True if the directory at path is opaque in a layer of the given format:
 * overlay xattrs (overlay), a .wh..wh..opq entry (aufs), either or
 * user.fuseoverlayfs.opaque (fuse-overlayfs). */
bool cs_dir_is_opaque(cs_source *src, const char *path, cs_whiteout_format format);
/* The same, by the directory's xattrs alone (overlay's two, and
 * fuse-overlayfs's own for that format): for a caller that has listed the
 * directory and seen no `.wh..wh..opq` in it. */
bool cs_dir_opaque_xattr(cs_source *src, const char *path, cs_whiteout_format format);

/* What a directory entry of a layer is, by its name and (for devices) its
 * metadata (st may be NULL for names only). */
typedef enum cs_wh_kind {
	CS_WH_KIND_ENTRY = 0, /* an ordinary entry */
	CS_WH_KIND_WHITEOUT,  /* hides the name (.wh.NAME: NAME; a char 0/0: itself) */
	CS_WH_KIND_OPAQUE,    /* .wh..wh..opq: its directory is opaque */
	CS_WH_KIND_HIDDEN,    /* housekeeping of the driver, never shown */
} cs_wh_kind;
cs_wh_kind cs_whiteout_name(cs_whiteout_format format, const char *name, const cs_stat *st);

/* True for xattr names that belong to overlayfs itself. */
bool cs_xattr_is_overlay_internal(const char *name);
/* ... or to the driver of a layer of that format (fuse-overlayfs keeps
 * user.fuseoverlayfs.*): never shown as the file's own. */
bool cs_xattr_is_internal(const char *name, cs_whiteout_format format);

#endif
