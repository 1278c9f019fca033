/* fsrender.h - JSON views of merged trees and changes for the CLI. */
#ifndef CS_FSRENDER_H
#define CS_FSRENDER_H

#include <stdbool.h>

#include "fs/changes.h"
#include "fs/content.h"
#include "fs/tree.h"

/* `diff --json`: one object per change with the entry's type, size, mode,
 * owner, nanosecond mtime and ctime, the layer it came from, the sha256 and
 * libmagic description of regular files (m may be NULL to skip), and, for
 * deletions, the whiteout that recorded them. Owned, valid UTF-8. */
char *cs_render_changes_json(const cs_tree *old_tree, const cs_tree *new_tree,
			     const cs_change *c, size_t n, cs_magic *m);
/* As cs_render_changes_json; with ids (a container's user namespace) each
 * entry also shows "container_uid" and "container_gid", the owners the
 * container saw (null where no range maps the stored id). */
char *cs_render_changes_json_ids(const cs_tree *old_tree, const cs_tree *new_tree, const cs_change *c, size_t n,
				 cs_magic *m, const cs_idmaps *ids);

/* "file", "dir", "symlink", "char", "block", "fifo", "socket" or "unknown". */
const char *cs_mode_type(uint32_t mode);

#endif
