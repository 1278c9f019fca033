/* fuzz_lxd_backup.c - the LXD reader on a hostile backup.yaml: a daemon
 * directory without a database (so instances come from backup.yaml alone)
 * whose one instance's backup.yaml is the input; load, then inspect and
 * ps-render every item. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engines/lxd/lxd.h"
#include "render/render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "/tmp/fuzz-lxd-XXXXXX");
		if (!mkdtemp(dir))
			abort();
		char p[256];
		snprintf(p, sizeof(p), "mkdir -p %s/database %s/storage-pools/default/containers/x/rootfs", dir, dir);
		if (system(p) != 0)
			abort();
	}
	char path[256];
	snprintf(path, sizeof(path), "%s/storage-pools/default/containers/x/backup.yaml", dir);
	FILE *f = fopen(path, "wb");
	if (!f)
		abort();
	fwrite(data, 1, size, f);
	fclose(f);
	cs_source *src;
	if (cs_source_open_dir(dir, 0, &src, NULL) < 0)
		return 0;
	cs_load_opts o = {.path = ""};
	cs_dataroot *dr;
	if (cs_engine_lxd.load(src, &o, &dr, NULL) == 0) {
		const cs_container *v[1];
		for (size_t i = 0; i < dr->n_containers; i++) {
			free(cs_engine_lxd.inspect(dr, &dr->containers[i], NULL));
			v[0] = &dr->containers[i];
			free(cs_render_ps_json(v, 1, false));
		}
		cs_dataroot_free(dr);
	}
	cs_source_close(src);
	return 0;
}
