/* fuzz_toml.c - TOML string lookup (lib/formats/toml.c) on arbitrary text:
 * the keys the engines ask storage.conf, containers.conf and crio.conf. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "formats/toml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = {"storage.graphroot", "storage.driver", "storage.rootless_storage_path",
					   "storage.options.overlay.mount_program", "crio.root",
					   "engine.events_logfile_path", "engine.database_backend", "a.b.c.d.e"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		free(cs_toml_string((const char *)data, size, keys[i]));
	return 0;
}
