/* export.h - a merged tree as a tar archive, like `docker export`.
 *
 * Entries are written depth-first in byte order of names, without the root,
 * as the engine's archiver does: directories, regular files with their
 * content, symlinks with their targets, hard links (the first name met holds
 * the data, later ones link to it), character and block devices and FIFOs
 * (sockets cannot be archived and are skipped, as the engine skips them).
 * Modes, owners and mtimes come from the evidence; mtimes are cut to whole
 * seconds like the engine's unless `precise` asks for nanoseconds (pax).
 * Extended attributes other than overlayfs's own are kept (pax). Names that
 * ustar cannot hold get pax headers.
 */
#ifndef CS_EXPORT_H
#define CS_EXPORT_H

#include <stdbool.h>

#include <stdint.h>

#include "fs/tree.h"

/* What was written. */
typedef struct cs_export_result {
	uint64_t bytes;   /* archive bytes */
	uint64_t entries; /* members */
	char sha256[65];  /* of the archive, lowercase hex */
} cs_export_result;

typedef struct cs_export_opts {
	bool precise;      /* keep nanosecond times (pax) */
	cs_diag_fn diag;   /* unreadable entries: reported, skipped */
	void *diag_userdata;
	/* Only the subtree at node `root` (0: the whole tree, without the root
	 * itself); with root != 0 it is archived under the name `root_name`
	 * (its own name when NULL), as `docker cp CONTAINER:PATH -` does. */
	uint32_t root;
	const char *root_name;
	/* Called now and then with the members written so far, the tree's
	 * size in nodes and the archive bytes written (may be NULL). */
	void (*progress)(void *userdata, uint64_t entries, uint64_t total, uint64_t bytes);
	void *progress_userdata;
	cs_export_result *result; /* filled on success (may be NULL) */
} cs_export_opts;

/* Writes the tree as tar to fd. Returns 0 (entries that could not be read
 * are reported and skipped), or -errno when the archive cannot be written. */
int cs_export_tar(const cs_tree *t, int fd, const cs_export_opts *opts, cs_error *e);

#endif
