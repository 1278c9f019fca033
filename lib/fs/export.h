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

#include "fs/tree.h"

typedef struct cs_export_opts {
	bool precise;      /* keep nanosecond times (pax) */
	/* Owners as the container saw them (stored ids mapped back through the
	 * container's user namespace, 65534 where no range holds them), as the
	 * engine's export does for rootless containers; NULL keeps them as
	 * stored. */
	const cs_idmaps *ids;
	cs_diag_fn diag;   /* unreadable entries: reported, skipped */
	void *diag_userdata;
} cs_export_opts;

/* Writes the tree as tar to fd. Returns 0 (entries that could not be read
 * are reported and skipped), or -errno when the archive cannot be written. */
int cs_export_tar(const cs_tree *t, int fd, const cs_export_opts *opts, cs_error *e);

#endif
