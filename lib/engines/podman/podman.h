/* podman.h - reading a containers/storage store (Podman, CRI-O, Buildah).
 *
 * Podman, CRI-O and Buildah keep images, layers and containers in the
 * containers/storage library's layout, one store per graphroot:
 *
 *   <driver>-layers/layers.json          every layer (id, parent, digests,
 *                                        sizes, created, flags); volatile ones
 *                                        in volatile-layers.json
 *   <driver>-images/images.json          every image (id, names, names-history,
 *                                        top layer, digest, big-data names)
 *   <driver>-images/<id>/<name>          big data: the manifest, the OCI image
 *                                        config (`sha256:<id>`), signatures;
 *                                        names not all [0-9a-z.] are stored
 *                                        as "=" + base64(name)
 *   <driver>-containers/containers.json  every container (id, names, image,
 *                                        RW layer, metadata, flags); volatile
 *                                        ones in volatile-containers.json
 *   <driver>-containers/<id>/userdata/   the OCI spec (config.json), the
 *                                        k8s-file log (ctr.log), exec dirs
 *   overlay/<id>/{diff,link,lower}, overlay/l/<short> -> ../<id>/diff
 *   vfs/dir/<id>                         a whole tree per layer
 *   libpod/bolt_state.db | db.sql        Podman's own state (BoltDB up to
 *                                        Podman 4, SQLite from 4.8/5.0)
 *   volumes/<name>/_data                 named volumes
 *
 * One reader serves the whole store and labels each container with the
 * engine that made it: `podman` for the libpod database's containers (and
 * storage-only ones such as Buildah's working containers), `cri-o` for those
 * CRI-O created (their metadata and spec annotations say so). A rootless
 * store (a user's ~/.local/share/containers/storage) has the user's name as
 * its namespace, so `podman:alice/web` is user alice's container web; its
 * files are owned on disk by ids from the user's etc/subuid and etc/subgid
 * ranges, and each container carries the mapping.
 */
#ifndef CS_PODMAN_H
#define CS_PODMAN_H

#include "base/util.h"
#include "evidence/source.h"
#include "model/engine.h"
#include "model/model.h"

/* The containers/storage reader, as the registry lists it. */
extern const cs_engine cs_engine_podman;

/* Size limits for what an attacker controls. */
#define CS_PM_MAX_JSON ((size_t)256 << 20)  /* layers.json, images.json, containers.json */
#define CS_PM_MAX_SMALL ((size_t)16 << 20)  /* a big-data file, a spec, a config */
#define CS_PM_MAX_LAYERS 4096               /* layers in one chain */
#define CS_PM_MAX_USERS 4096                /* home directories looked at */
#define CS_PM_MAX_STRV 100000               /* strings kept of one JSON array */

/* Loads a graphroot (see cs_engine.load). */
int cs_podman_load(cs_source *src, const cs_load_opts *opts, cs_dataroot **ret, cs_error *e);

/* The stores a host filesystem names: `graphroot` of etc/containers/
 * storage.conf (else usr/share/containers/storage.conf, else the default
 * var/lib/containers/storage); CRI-O's `root` in etc/crio/crio.conf and
 * etc/crio/crio.conf.d/ (or crio's --root in its unit); and every user's
 * rootless store: `graphroot` of ~/.config/containers/storage.conf, else
 * `rootless_storage_path` of the system file, else ~/.local/share/
 * containers/storage, for each etc/passwd user but root. */
int cs_podman_locate(cs_source *sysroot, cs_engine_roots *out, cs_error *e);

/* Inspect: `podman inspect`'s shape of a container (rebuilt from the
 * libpod config and state, the storage record and the OCI spec) or of an
 * image (`podman image inspect`), plus "Csleuth" (evidence files, problems,
 * id mappings). Owned JSON text. */
char *cs_podman_inspect(const cs_dataroot *dr, const cs_container *ct, const cs_image *im);

/* Decodes a big-data file name: "=" + base64 (standard alphabet, padded)
 * gives the key; a plain name is the key itself. Returns an owned string,
 * or NULL when the name does not decode (or decodes to a NUL). Exposed for
 * tests and fuzzing. */
char *cs_podman_bigdata_key(const char *file_name);
/* The file name containers/storage stores key under. Owned. */
char *cs_podman_bigdata_name(const char *key);

#endif
