/* fuzz_containerd.c - the containerd reader on an arbitrary meta.db.
 *
 * The input becomes io.containerd.metadata.v1.bolt/meta.db of a scratch
 * root (made once per process, under $TMPDIR); the reader loads it,
 * resolves every container's snapshots and renders ps and inspect. The
 * snapshotter database and content store are absent, as on many real
 * seizures. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engines/containerd/containerd.h"
#include "render/render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char root[4096];

static void setup(void)
{
	const char *t = getenv("TMPDIR");
	snprintf(root, sizeof(root), "%s/csx-fuzz-ctrd-%d", t ? t : "/tmp", (int)getpid());
	char p[4200];
	mkdir(root, 0700);
	snprintf(p, sizeof(p), "%s/io.containerd.metadata.v1.bolt", root);
	mkdir(p, 0700);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!root[0])
		setup();
	char p[4200];
	snprintf(p, sizeof(p), "%s/io.containerd.metadata.v1.bolt/meta.db", root);
	FILE *f = fopen(p, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	cs_source *src;
	if (cs_source_open_dir(root, 0, &src, NULL) < 0)
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
