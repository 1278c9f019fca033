/* lxd.h - LXD and Incus: a daemon directory read into the model.
 *
 * LXD_DIR (`/var/lib/lxd`, the snap's `/var/snap/lxd/common/lxd`) and
 * Incus's `/var/lib/incus` hold the global database as a dqlite raft log
 * (`database/global/`, replayed in memory: lib/formats/dqlite.h), the node's
 * `database/local.db` (SQLite), the instances' filesystems in storage pools
 * (`storage-pools/<pool>/containers/<name>/{rootfs,backup.yaml}`, snapshots
 * in `containers-snapshots/`), image files (`images/<fingerprint>`) and
 * per-instance logs (`logs/<name>/`). A project other than `default` is the
 * namespace; its instances are `<project>_<name>` on disk.
 *
 * The database is preferred; each instance's backup.yaml (rewritten only on
 * config, device and snapshot changes, so often stale) is read too and
 * every disagreement is reported. When the database cannot be rebuilt,
 * instances are read from their backup.yaml files alone, said so.
 */
#ifndef CS_LXD_H
#define CS_LXD_H

#include "model/engine.h"

extern const cs_engine cs_engine_lxd;

#define CS_LXD_MAX_YAML ((size_t)16 << 20)
#define CS_LXD_MAX_LOCALDB ((size_t)256 << 20)

#endif
