/* merge.h - one directory of a merged layer stack (inside lib/fs only).
 *
 * The rule that decides what a merged directory holds lives here once, for
 * the whole-tree builder (tree.c) and the lazy one (lazy.c): given the
 * layers that contribute to a directory (top first), each layer's listing
 * is read top down and every name is decided at the first layer that has
 * it. A whiteout (a char 0/0 device, or a `.wh.NAME` file in aufs or
 * fuse-overlayfs format)
 * hides the name; a directory collects the further layers below it that
 * hold a directory of that name, until a non-directory or a whiteout blocks
 * them; a directory that is opaque in a layer (trusted.overlay.opaque or
 * user.overlay.opaque "y", or `.wh..wh..opq`) stops the walk down the layers
 * after that one. aufs housekeeping (`.wh..wh.*`) is never shown;
 * fuse-overlayfs layers mix both forms and mark opaque directories three
 * ways (user.fuseoverlayfs.opaque, `.wh..wh..opq`, a char 0/0 `.wh..opq`),
 * all honoured and none shown. An opaque directory is reported as a
 * replacement only when a lower layer has the directory too. Entries
 * hidden by upper layers are typed from readdir's d_type where it is given,
 * so only visible entries cost a stat.
 */
#ifndef CS_FS_MERGE_H
#define CS_FS_MERGE_H

#include <stdbool.h>
#include <stdint.h>

#include "fs/tree.h"

/* One visible entry of a merged directory. */
typedef struct cs_mentry {
	char *name;
	int32_t layer;    /* supplying layer (index into the stack) */
	cs_stat st;       /* as the supplying layer records it */
	char *link;       /* symlink target, or NULL */
	int32_t *contrib; /* directories: the layers that contribute, top first */
	size_t ncontrib;
} cs_mentry;

typedef struct cs_merge {
	cs_source *src;
	const cs_layer_dir *layers;
	size_t nlayers;
	cs_whiteout_format format; /* how the layers record deletions */
	/* A damaged entry or directory (file, message); may be NULL. */
	void (*problem)(void *ud, const char *file, const char *msg);
	/* A whiteout (name != NULL) or an opaque directory (name == NULL) met
	 * while deciding; NULL when deletions are not wanted (aufs whiteouts
	 * then cost no stat). */
	void (*deletion)(void *ud, const char *rel, const char *name, int32_t layer,
			 cs_deletion_kind kind, const cs_stat *st, const char *evpath);
	void *ud;
} cs_merge;

/* Decides the visible entries of the merged directory rel ("" for the root,
 * else "a/b") from its contributing layers contrib[0..n) (top first).
 * Returns them sorted by name (bytewise) in an owned array (free with
 * cs_mentries_free); *opaque_top tells whether the directory is opaque in
 * contrib[0]. Unreadable parts are reported through m->problem and left out. */
void cs_merge_dir(const cs_merge *m, const char *rel, const int32_t *contrib, size_t n,
		  cs_mentry **ret, size_t *ret_n, bool *opaque_top);
void cs_mentries_free(cs_mentry *v, size_t n);

/* The evidence path of rel/name in layer (name may be NULL). Owned. */
char *cs_merge_layer_path(const cs_layer_dir *layers, int32_t layer, const char *rel, const char *name);

#endif
