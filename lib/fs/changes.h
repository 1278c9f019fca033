/* changes.h - what a container changed, as `docker diff` reports it.
 *
 * The engine (overlay2 on kernels with redirect_dir, which is the common
 * case, and every other driver) computes a container's changes by comparing
 * two whole trees: the container's merged view and the view of the layers
 * below its own. We do the same over two cs_trees, with moby's rules: a name
 * only in the new tree is Added (and everything under it); one only in the
 * old tree is Deleted (only the top of a deleted subtree is listed); one in
 * both is Changed when its type/mode, owner, device number or, for
 * non-directories, size or mtime differ (an mtime with zero nanoseconds
 * matches any nanoseconds of the same second), or its security.capability
 * differs; a directory that holds any change is listed as Changed itself.
 */
#ifndef CS_CHANGES_H
#define CS_CHANGES_H

#include <stdint.h>

#include "fs/tree.h"

typedef enum cs_change_kind {
	CS_CHANGE_MODIFY = 'C',
	CS_CHANGE_ADD = 'A',
	CS_CHANGE_DELETE = 'D',
} cs_change_kind;

typedef struct cs_change {
	char *path;       /* "/etc/passwd" */
	cs_change_kind kind;
	uint32_t node;     /* in the new tree, or UINT32_MAX for deletions */
	uint32_t old_node; /* in the old tree, or UINT32_MAX for additions */
} cs_change;

/* Compares new_tree against old_tree (old_tree may be NULL: everything is
 * added). Returns 0 with changes sorted by path, or -errno. */
int cs_changes(const cs_tree *old_tree, const cs_tree *new_tree, cs_change **ret, size_t *ret_n,
	       cs_error *e);
void cs_changes_free(cs_change *c, size_t n);

/* What containers/storage's overlay driver reports (pkg/archive
 * OverlayChanges), for stacks marked upper_diff: the container's own layer
 * (layers[0]) is walked against the layers below it (layers[1..n)); an
 * opaque directory that hides a lower one is a deletion of the directory,
 * and its contents additions. Nodes refer to new_tree and old_tree (may be
 * NULL; then UINT32_MAX), for the JSON view. Returns 0 with the changes
 * sorted by path, or -errno when the layer cannot be listed. */
int cs_changes_upper(cs_source *src, const cs_layer_dir *layers, size_t n, const cs_tree *old_tree,
		     const cs_tree *new_tree, cs_change **ret, size_t *ret_n, cs_error *e);

#endif
