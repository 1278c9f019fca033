/* docker.h - reading a Docker Engine data root into a cs_dataroot.
 *
 * Layouts: image/<driver>/{imagedb,layerdb,repositories.json} (Docker 1.10+)
 * with overlay2, overlay, aufs and vfs storage, and the pre-1.10 graph/
 * layout (graph/<id>/json, repositories-<driver>, containers/<id>/config.json).
 * The storage driver is read per container, never guessed from one.
 */
#ifndef CS_DOCKER_H
#define CS_DOCKER_H

#include "base/util.h"
#include "evidence/source.h"
#include "model/engine.h"
#include "model/model.h"

/* The Docker engine reader, as the registry lists it. */
extern const cs_engine cs_engine_docker;

/* Size limits for files an attacker controls. */
#define CS_DOCKER_MAX_CONFIG ((size_t)32 << 20)  /* config.v2.json, image configs */
#define CS_DOCKER_MAX_SMALL ((size_t)64 << 10)   /* mount-id, lower, cache-id, ... */
#define CS_DOCKER_MAX_LAYERS 4096                 /* layers in one stack */

/* Loads the data root. Returns 0 and *ret (free with cs_dataroot_free) even
 * when items were damaged: those are flagged and reported through opts->diag,
 * and (*ret)->n_warnings counts them. Returns -errno only when the data root
 * itself cannot be read or does not look like one. */
int cs_docker_load(cs_source *src, const cs_load_opts *opts, cs_dataroot **ret, cs_error *e);

/* Finds the Docker data root inside a mounted host filesystem: data-root (or
 * graph) in etc/docker/daemon.json, --data-root/-g/--graph on a dockerd
 * command line in systemd units and drop-ins or /etc/default/docker, else
 * /var/lib/docker. Returns 0 with the host path (absolute, owned) and, if
 * ret_origin is non-NULL, a description of where it came from (owned). */
int cs_docker_locate(cs_source *sysroot, char **ret_host_path, char **ret_origin, cs_error *e);

/* `docker inspect` / `docker image inspect` of one item (exactly one of ct
 * and im non-NULL): an owned JSON object text. */
char *cs_docker_inspect(const cs_dataroot *dr, const cs_container *ct, const cs_image *im);

#endif
