/* fuzz_yamldoc.c - YAML documents (backup.yaml) on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>

#include "formats/yamldoc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_object *o = NULL;
	if (cs_yaml_parse((const char *)data, size, &o, NULL) == 0) {
		(void)json_object_to_json_string(o);
		json_object_put(o);
	}
	return 0;
}
