/* fuzz_containerd.c - the containerd reader on an arbitrary meta.db.
 *
 * The input becomes io.containerd.metadata.v1.bolt/meta.db of the scratch
 * root (fz_root(): made once per process, removed at exit); the reader loads it,
 * resolves every container's snapshots and renders ps and inspect. The
 * snapshotter database and content store are absent, as on many real
 * seizures. */
#include <stdlib.h>
#include <string.h>

#include "engines/containerd/containerd.h"
#include "fuzz.h"
#include "render/render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_write("io.containerd.metadata.v1.bolt/meta.db", data, size);
	cs_source *src;
	if (cs_source_open_dir(fz_root(), 0, &src, NULL) < 0)
		return 0;
	cs_load_opts o = {.path = ""};
	cs_dataroot *dr;
	if (cs_containerd_load(src, &o, &dr, NULL) == 0) {
		const cs_container **v = calloc(dr->n_containers + 1, sizeof(*v));
		for (size_t i = 0; i < dr->n_containers; i++) {
			v[i] = &dr->containers[i];
			free(cs_containerd_inspect(dr, &dr->containers[i], NULL));
		}
		free(cs_render_ps_json(v, dr->n_containers, false));
		free(v);
		for (size_t i = 0; i < dr->n_images; i++)
			free(cs_containerd_inspect(dr, NULL, &dr->images[i]));
		cs_dataroot_free(dr);
	}
	cs_source_close(src);
	return 0;
}
