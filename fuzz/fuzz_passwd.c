/* fuzz_passwd.c - etc/passwd and etc/subuid parsing (lib/formats/passwd.c). */
#include <stdlib.h>

#include "formats/passwd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n = 0;
	cs_passwd_ent *v = cs_passwd_parse((const char *)data, size, &n);
	for (size_t i = 0; i < n && i < 8; i++) {
		size_t nr = 0;
		free(cs_subid_ranges((const char *)data, size, v[i].name, v[i].uid, &nr));
	}
	cs_passwd_free(v, n);
	size_t nr = 0;
	free(cs_subid_ranges((const char *)data, size, "alice", 2000, &nr));
	return 0;
}
