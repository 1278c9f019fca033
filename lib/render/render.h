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
/* Docker's human size: three significant digits, decimal units ("1.24MB"). */
void cs_human_size(int64_t bytes, char buf[32]);
/* The command of `docker ps`: Path and Args, quoted as the engine does. Owned. */
char *cs_container_command(const cs_container *c);

#endif
