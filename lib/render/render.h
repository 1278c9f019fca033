/* render.h - JSON views of the model for the CLI.
 *
 * Each function returns an owned, valid UTF-8 JSON text (invalid evidence
 * bytes become U+FFFD, as in Docker's own JSON). Times are RFC 3339 with
 * nine fraction digits and Z; "never" is null. json-c stays inside lib/.
 */
#ifndef CS_RENDER_H
#define CS_RENDER_H

#include <stdbool.h>

#include "model/model.h"

/* `ps --json`: an array of the containers v[0..n). */
char *cs_render_ps_json(const cs_container *const *v, size_t n, bool pretty);
/* `images --json`: an array of the images v[0..n). */
char *cs_render_images_json(const cs_image *const *v, size_t n, bool pretty);
/* `history --json`: an array of the image's steps, newest first. */
char *cs_render_history_json(const cs_image *im, bool pretty);
/* `volumes --json`: an array of volumes with the containers mounting them. */
char *cs_render_volumes_json(const cs_volume_use *const *v, size_t n, bool pretty);
/* What to say about a volume: "" when in use, "unreferenced" when no
 * container mounts it, "missing" when containers mount it but the evidence
 * does not hold it. */
const char *cs_volume_note(const cs_volume_use *u);

/* Rows for docker's --format templates: one JSON object per line of the
 * listing, with the field names and values docker's own `--format '{{json
 * .}}'` gives (ID, Names, Image, Command quoted and cut to 20 characters
 * unless notrunc, CreatedAt as "2006-01-02 15:04:05 +0000 UTC", State,
 * Labels, Mounts, LocalVolumes; Repository, Tag, Digest, Size,
 * VirtualSize; CreatedBy cut to 45; ...), except Status, which has no
 * relative time ("Exited (0)"), plus csleuth's (Created, StartedAt,
 * FinishedAt with nanoseconds, ExitCode, Error, Engine, Namespace, Pod).
 * All strings. Owned. */
char *cs_render_ps_row(const cs_container *c, bool notrunc);
char *cs_render_image_row(const cs_image *im, const char *repo, const char *tag, const char *digest,
			  bool notrunc, size_t containers);
/* Size human as docker's (bytes: a byte count). */
char *cs_render_history_row(const cs_history *h, bool notrunc, bool bytes);
char *cs_render_volume_row(const cs_volume_use *u);

/* Docker's human size: three significant digits, decimal units ("1.24MB"). */
void cs_human_size(int64_t bytes, char buf[32]);
/* The command of `docker ps`: Path and Args, quoted as the engine does. Owned. */
char *cs_container_command(const cs_container *c);

#endif
