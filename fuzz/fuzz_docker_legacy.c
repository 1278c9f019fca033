/* fuzz_docker_legacy - the pre-1.10 graph/ layout (lib/engines/docker/
 * docker_legacy.c): image json files, their parent chains, layer sizes and
 * the repositories-<driver> tags, then listed with their history.
 *
 * Input: a bundle (fuzz.h) with sections, each optional:
 *   a  b  c       graph/<A|B|C>/json (A, B, C are fixed ids; "parent" may
 *                 name them, or themselves)
 *   layersize     graph/<A>/layersize
 *   repositories  repositories-aufs
 *
 * Checks: no crash, no leak; every image's history and layers are no longer
 * than the images there are (chains are followed without looping).
 */
#include <string.h>

#include "fuzz.h"
#include "host/host.h"
#include "render/render.h"

#define A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define CC "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_part parts[16];
	size_t np = fz_split(data, size, parts, 16);
	fz_reset();
	fz_mkdir("graph");
	fz_mkdir("aufs/diff/" A);
	static const struct {
		const char *section, *path;
	} files[] = {
		{"a", "graph/" A "/json"},
		{"b", "graph/" B "/json"},
		{"c", "graph/" CC "/json"},
		{"layersize", "graph/" A "/layersize"},
		{"repositories", "repositories-aufs"},
	};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		const fz_part *p = fz_find(parts, np, files[i].section);
		if (p)
			fz_write(files[i].path, p->p, p->n);
	}
	cs_source *src = fz_open_root();
	cs_error e = {0};
	static fz_diags d;
	fz_diags_clear(&d);
	cs_host_opts o = {.diag = fz_diag, .diag_userdata = &d};
	cs_host *h = NULL;
	if (cs_host_load(src, &o, &h, &e) == 0) {
		free(cs_render_images_json((const cs_image *const *)h->images, h->n_images, false));
		for (size_t i = 0; i < h->n_images; i++) {
			const cs_image *im = h->images[i];
			FZ_CHECK(im->n_history <= h->n_images && im->n_layers <= h->n_images,
				 "a chain of %zu in %zu images", im->n_history, h->n_images);
			free(cs_render_history_json(im, false));
		}
		cs_host_free(h);
	}
	cs_source_close(src);
	return 0;
}
