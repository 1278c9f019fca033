/* lxc.h - classic LXC (liblxc) containers: an lxcpath read into the model.
 *
 * An lxcpath (`/var/lib/lxc` for root, `lxc.lxcpath` in /etc/lxc/lxc.conf;
 * `~/.local/share/lxc` for an unprivileged user) holds one directory per
 * container: `config` (with its lxc.include files), the root filesystem
 * (`rootfs/` for the dir backend, `overlay/delta` over a lower directory
 * for overlay clones; btrfs, zfs, lvm, loop, rbd and nbd keep it where a
 * directory source may not reach), `snaps/<snap>/` snapshots, and the clone
 * links `lxc_snapshots` / `lxc_rdepends`.
 *
 * LXC records no state, no creation time and no exit code on disk (the
 * state lived in abstract sockets under /run). Items are flagged
 * state_unknown; what can be dated is dated from liblxc's own log lines
 * (starts and ends) and, labelled as such, from file times. An
 * unprivileged user's containers have that user as their namespace.
 */
#ifndef CS_LXC_H
#define CS_LXC_H

#include "model/engine.h"

extern const cs_engine cs_engine_lxc;

#define CS_LXC_MAX_CONTAINERS 100000
#define CS_LXC_MAX_SMALL ((size_t)64 << 10) /* ts, comment, lxc_snapshots */

#endif
