/* fuzz_lxd_backup.c - the LXD reader on a hostile backup.yaml: a daemon
 * directory without a database (so instances come from backup.yaml alone)
 * whose one instance's backup.yaml is the input; load, then inspect and
 * ps-render every item. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "engines/lxd/lxd.h"
#include "fuzz.h"
#include "render/render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* the scratch root (fz_root(): once per process, removed at exit) */
	fz_mkdir("database");
	fz_mkdir("storage-pools/default/containers/x/rootfs");
	fz_write("storage-pools/default/containers/x/backup.yaml", data, size);
	cs_source *src;
	if (cs_source_open_dir(fz_root(), 0, &src, NULL) < 0)
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
