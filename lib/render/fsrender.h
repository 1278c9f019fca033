/* fsrender.h - JSON views of merged trees and changes for the CLI. */
#ifndef CS_FSRENDER_H
#define CS_FSRENDER_H

#include <stdbool.h>

#include "fs/changes.h"
#include "fs/content.h"
#include "fs/tree.h"

/* `diff --json`: one object per change with the entry's type, size, mode,
 * owner, nanosecond mtime and ctime, the layer it came from (numbered from
 * the base layer, 0, up), the sha256 and libmagic description of regular
 * files (of their first CS_MAGIC_BYTES; m may be NULL to skip), and, for deletions, the whiteout that
 * recorded them. Paths that are not UTF-8 also come as <key>_base64.
 * progress (may be NULL) is called now and then with the changes done.
 * Owned, valid UTF-8. */
char *cs_render_changes_json(const cs_tree *old_tree, const cs_tree *new_tree,
			     const cs_change *c, size_t n, cs_typer *m,
			     void (*progress)(void *userdata, size_t done, size_t total), void *userdata);

/* As cs_render_changes_json, and when ids is shifted each entry also
 * gives `container_uid` / `container_gid`: the owner as the container saw
 * it (uid/gid stay as stored on disk). */
char *cs_render_changes_json_ids(const cs_tree *old_tree, const cs_tree *new_tree, const cs_change *c,
				 size_t n, cs_typer *m, const cs_idmap *ids,
				 void (*progress)(void *userdata, size_t done, size_t total), void *userdata);

/* "file", "dir", "symlink", "char", "block", "fifo", "socket" or "unknown". */
const char *cs_mode_type(uint32_t mode);

#endif
