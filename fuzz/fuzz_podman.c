/* fuzz_podman.c - the containers/storage reader on arbitrary store files.
 *
 * The input is split at "\n=====\n" into overlay-layers/layers.json,
 * overlay-images/images.json, overlay-containers/containers.json,
 * libpod/bolt_state.db and a big-data file name, written into a scratch
 * store (made once per process, under $TMPDIR); the reader loads it and
 * renders ps, images and inspect of every item. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engines/podman/podman.h"
#include "render/render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char root[4096];
static const char *const files[] = {"overlay-layers/layers.json", "overlay-images/images.json",
				    "overlay-containers/containers.json", "libpod/bolt_state.db"};

static void setup(void)
{
	const char *t = getenv("TMPDIR");
	snprintf(root, sizeof(root), "%s/csx-fuzz-pm-%d", t ? t : "/tmp", (int)getpid());
	mkdir(root, 0700);
	static const char *const dirs[] = {"overlay-layers", "overlay-images", "overlay-containers", "libpod", "overlay",
					   "overlay/l"};
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char p[4200];
		snprintf(p, sizeof(p), "%s/%s", root, dirs[i]);
		mkdir(p, 0700);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!root[0])
		setup();
	const uint8_t *p = data, *end = data + size;
	static const char sep[] = "\n=====\n";
	for (size_t i = 0; i < 5; i++) {
		const uint8_t *q = p;
		while (q + 7 <= end && memcmp(q, sep, 7) != 0)
			q++;
		if (q + 7 > end)
			q = end;
		if (i < 4) {
			char path[4200];
			snprintf(path, sizeof(path), "%s/%s", root, files[i]);
			FILE *f = fopen(path, "wb");
			if (f) {
				fwrite(p, 1, (size_t)(q - p), f);
				fclose(f);
			}
		} else {
			char *name = strndup((const char *)p, (size_t)(q - p));
			char *k = cs_podman_bigdata_key(name);
			if (k) {
				char *back = cs_podman_bigdata_name(k);
				free(back);
			}
			free(k);
			free(name);
		}
		p = q + 7 <= end ? q + 7 : end;
	}
	cs_source *src;
	if (cs_source_open_dir(root, 0, &src, NULL) < 0)
		return 0;
	cs_load_opts o = {.path = ""};
	cs_dataroot *dr;
	if (cs_podman_load(src, &o, &dr, NULL) == 0) {
		const cs_container **v = calloc(dr->n_containers + 1, sizeof(*v));
		for (size_t i = 0; i < dr->n_containers; i++) {
			v[i] = &dr->containers[i];
			free(cs_podman_inspect(dr, &dr->containers[i], NULL));
		}
		free(cs_render_ps_json(v, dr->n_containers, false));
		free(v);
		const cs_image **w = calloc(dr->n_images + 1, sizeof(*w));
		for (size_t i = 0; i < dr->n_images; i++) {
			w[i] = &dr->images[i];
			free(cs_podman_inspect(dr, NULL, &dr->images[i]));
		}
		free(cs_render_images_json(w, dr->n_images, false));
		free(w);
		cs_dataroot_free(dr);
	}
	cs_source_close(src);
	return 0;
}
