/* containerd.h - reading a containerd root into a cs_dataroot.
 *
 * A containerd root (/var/lib/containerd, Docker 29's
 * /var/lib/docker/containerd/daemon, k3s's agent/containerd) holds:
 *   io.containerd.metadata.v1.bolt/meta.db   bbolt: v1/<namespace>/{containers,
 *                                            images,snapshots,content,leases}
 *   io.containerd.snapshotter.v1.<name>/     metadata.db (bbolt: snapshot
 *                                            names -> ids, kinds, parents) and
 *                                            snapshots/<id>/fs (overlayfs) or
 *                                            snapshots/<id> (native)
 *   io.containerd.content.v1.content/blobs/sha256/<hex>   indexes, manifests,
 *                                            configs, layers
 *   io.containerd.grpc.v1.cri/containers/<id>/status      the CRI plugin's
 *                                            persisted container status
 * and the kubelet's logs beside it on the host (var/log/pods). Every item
 * keeps its namespace; Kubernetes items their pod. containerd itself records
 * no task state on disk: a container with no CRI status (or Docker config)
 * has state `unknown`.
 */
#ifndef CS_CONTAINERD_H
#define CS_CONTAINERD_H

#include "base/util.h"
#include "evidence/source.h"
#include "model/engine.h"
#include "model/model.h"

/* The containerd engine reader, as the registry lists it. */
extern const cs_engine cs_engine_containerd;

/* Size limits for what an attacker controls. */
#define CS_CTRD_MAX_BLOB ((size_t)16 << 20)   /* index, manifest, config blobs read */
#define CS_CTRD_MAX_SMALL ((size_t)4 << 20)   /* CRI status, config.toml, specs */
#define CS_CTRD_MAX_LAYERS 4096               /* snapshots in one chain */
#define CS_CTRD_MAX_MANIFESTS 1024            /* entries of an index considered */

/* Loads a containerd root (see cs_engine.load). */
int cs_containerd_load(cs_source *src, const cs_load_opts *opts, cs_dataroot **ret, cs_error *e);

/* The roots a host filesystem names: `root =` in etc/containerd/config.toml
 * (TOML v1, v2, v3; or the file given by --config on containerd's command
 * line in systemd units), --root on that command line, the default
 * var/lib/containerd, Docker's own var/lib/docker/containerd/daemon and
 * k3s's var/lib/rancher/k3s/agent/containerd. */
int cs_containerd_locate(cs_source *sysroot, cs_engine_roots *out, cs_error *e);

/* `root = "..."` (top level, before any table) of a containerd config.toml
 * text, or NULL. Owned. Exposed for tests. */
char *cs_containerd_config_root(const char *toml, size_t len);

/* Inspect: `ctr containers info` / image record shape plus "Status" (CRI)
 * and "Csleuth" (evidence files, problems). Owned JSON text. */
char *cs_containerd_inspect(const cs_dataroot *dr, const cs_container *ct, const cs_image *im);

#endif
