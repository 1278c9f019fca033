/* unitfile.h - how a daemon was started, from its systemd unit files.
 *
 * Engines can be relocated on their command line (dockerd --data-root,
 * containerd --root/--config). These helpers read the effective ExecStart=
 * of a unit the way systemd does: the unit file from lib/, usr/lib/ and etc/
 * systemd/system (later overrides earlier), then every drop-in
 * `<unit>.d/NAME.conf` of those directories ordered by file name; a later
 * ExecStart= replaces an earlier one and an empty one resets it; "\" joins
 * continued lines. Every read goes through the evidence source.
 */
#ifndef CS_UNITFILE_H
#define CS_UNITFILE_H

#include <stddef.h>

#include "evidence/source.h"

/* The effective ExecStart= command line of unit (e.g. "docker.service") in
 * the host filesystem rooted at sysroot, or *ret_exec = NULL if none; the
 * file that set it in *ret_file (may be NULL). Both owned. */
void cs_unit_exec_start(cs_source *sysroot, const char *unit, char **ret_exec, char **ret_file);

/* The value of the last of flags[0..n_flags) on a command line ("--root X",
 * "--root=X", quotes stripped), or NULL. Owned. */
char *cs_cmdline_flag(const char *cmdline, const char *const *flags, size_t n_flags);

#endif
