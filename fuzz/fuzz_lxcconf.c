/* fuzz_lxcconf.c - the LXC config parser on arbitrary bytes: parse, then
 * ask for every key's values the way the LXC reader does. */
#include <stddef.h>
#include <stdint.h>

#include "formats/lxcconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cs_lxc_conf c = {0};
	cs_lxc_conf_parse((const char *)data, size, "fuzz", &c);
	char **keys = cs_lxc_conf_keys(&c, "lxc.");
	for (char **k = keys; *k; k++) {
		(void)cs_lxc_conf_get(&c, *k);
		char **v = cs_lxc_conf_list(&c, *k);
		cs_strv_free(v);
	}
	cs_strv_free(keys);
	cs_lxc_conf_clear(&c);
	return 0;
}
