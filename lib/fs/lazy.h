/* lazy.h - a merged layer tree built one directory at a time.
 *
 * The same view as cs_tree_build() (tree.h: the same merge rule, merge.h),
 * but nothing is read until it is asked for: opening one costs a stat of
 * each layer's root, a directory is listed (in every layer that contributes
 * to it) on the first lookup or listing inside it, and an entry becomes a
 * node only when it is looked up. Nodes are reference-counted, so a caller
 * that mirrors a kernel's cache (the FUSE view) frees what the kernel has
 * forgotten; directory listings are a cache of their own, bounded in
 * entries, dropped least recently used first and rebuilt identically when
 * needed again. Memory grows with what is visited, not with the tree.
 *
 * Inode numbers are derived from the evidence, so they are the same on
 * every open and do not depend on the order of visits; lazy.c explains how.
 * Names that are hard links to one file in their layer share one node and
 * one inode number.
 *
 * Not thread-safe: one caller at a time (the FUSE view holds a lock).
 */
#ifndef CS_LAZY_H
#define CS_LAZY_H

#include <stdbool.h>
#include <stdint.h>

#include "fs/changes.h"
#include "fs/tree.h"

typedef struct cs_lazy cs_lazy;

/* One visible entry of a listed directory. */
typedef struct cs_lentry {
	char *name;
	uint64_t ino;
	int32_t layer;
	cs_stat st;
	char *link;
	int32_t *contrib; /* directories: contributing layers, top first */
	size_t ncontrib;
	bool all_shown;   /* deleted view: a deleted directory, shown whole */
} cs_lentry;

/* A looked-up entry. The caller reads the public fields; the rest is the
 * tree's. A node stays valid while the caller holds a reference to it. */
typedef struct cs_lnode {
	uint64_t ino;
	char *name; /* "" for the root */
	struct cs_lnode *parent; /* NULL for the root */
	int32_t layer;           /* supplying layer, 0 = top of the stack */
	cs_stat st;
	char *link; /* symlink target, or NULL */
	void *user; /* the caller's; never touched by the tree */
	/* private */
	uint64_t refs;
	int32_t *contrib;
	size_t ncontrib;
	bool all_shown;
	unsigned depth;
	cs_lentry *ents; /* listing, when cached */
	size_t nents;
	bool listed;
	struct cs_lnode *lru_prev, *lru_next, *hnext;
} cs_lnode;

typedef struct cs_lazy_opts {
	cs_whiteout_format format;
	uint32_t tree_id;     /* 0..CS_LAZY_MAX_TREES-1: part of every inode number */
	uint64_t root_ino;    /* the root's inode number; 0: the derived one */
	size_t max_cached;    /* entries kept in cached listings; 0: CS_LAZY_CACHED */
	/* Owners as the container saw them: stored ids mapped back through ids
	 * (an unprivileged container's shift); NULL: as stored. Inode numbers
	 * do not change. */
	const cs_idmap *ids;
	cs_diag_fn diag;
	void *diag_userdata;
} cs_lazy_opts;

#define CS_LAZY_MAX_TREES 511u
#define CS_LAZY_CACHED ((size_t)1 << 18)

/* Opens the merged view of layers[0..n) (top first; .path evidence-relative):
 * stats each layer's root and nothing more. Returns 0 and *ret (layers that
 * cannot be read are reported and left out), or -errno when none can. */
int cs_lazy_open(cs_source *src, const cs_layer_dir *layers, size_t n, const cs_lazy_opts *opts,
		 cs_lazy **ret, cs_error *e);
/* Frees the tree and every node (references still held are void). */
void cs_lazy_free(cs_lazy *lz);

/* The root (always valid; holds a reference of the tree's own). */
cs_lnode *cs_lazy_root(cs_lazy *lz);
/* Looks name up in directory dir. Returns 0 and the child with one more
 * reference taken for the caller, -ENOENT when absent (or hidden), or
 * -ENOTDIR. */
int cs_lazy_lookup(cs_lazy *lz, cs_lnode *dir, const char *name, cs_lnode **ret);
/* Resolves an absolute merged path without following symlinks. Returns 0
 * and the node with one reference for the caller, or -ENOENT/-ENOTDIR. */
int cs_lazy_resolve(cs_lazy *lz, const char *path, cs_lnode **ret);
/* The live node of inode ino, or NULL (never looked up, or forgotten). */
cs_lnode *cs_lazy_get(cs_lazy *lz, uint64_t ino);
/* Drops count references; a node left without references is freed, and
 * with it its reference on its parent. */
void cs_lazy_forget(cs_lazy *lz, cs_lnode *n, uint64_t count);
/* Lists directory dir: its visible entries, sorted by name, valid until the
 * next call on this tree. Returns 0, or -ENOTDIR. */
int cs_lazy_list(cs_lazy *lz, cs_lnode *dir, const cs_lentry **ret, size_t *ret_n);

/* The merged path of n ("/" for the root). Owned. */
char *cs_lazy_path(const cs_lnode *n);
/* The evidence path of n in its supplying layer. Owned. */
char *cs_lazy_evidence_path(const cs_lazy *lz, const cs_lnode *n);
/* Layer i (0 = top) of the view, or NULL; and how many layers it stacks. */
const cs_layer_dir *cs_lazy_layer(const cs_lazy *lz, int32_t i);
size_t cs_lazy_layers(const cs_lazy *lz);
/* Opens a regular file node for reading. */
int cs_lazy_open_file(cs_lazy *lz, const cs_lnode *n, cs_file **ret, cs_error *e);
/* Extended attributes as the merged view shows them (overlay's own hidden). */
int cs_lazy_xattrs(cs_lazy *lz, const cs_lnode *n, cs_xattr **ret, size_t *ret_n, cs_error *e);

/* Restricts the view to the deleted view (call before any lookup): only what
 * changes c (computed against old_tree, the whole tree of this same stack)
 * delete or overwrite, everything below a deleted directory, and their
 * ancestors. Modified directories alone are not shown. */
void cs_lazy_show_deleted(cs_lazy *lz, const cs_tree *old_tree, const cs_change *c, size_t n);

/* The tree id an inode number belongs to, or UINT32_MAX if it is none of
 * the numbers this module derives. */
uint32_t cs_lazy_ino_tree(uint64_t ino);
/* The tree id given at open. */
uint32_t cs_lazy_tree_id(const cs_lazy *lz);
/* Live nodes and cached listing entries, for tests and benchmarks. */
size_t cs_lazy_live_nodes(const cs_lazy *lz);
size_t cs_lazy_cached_entries(const cs_lazy *lz);
/* Problems met so far. */
const cs_problems *cs_lazy_problems(const cs_lazy *lz);

#endif
