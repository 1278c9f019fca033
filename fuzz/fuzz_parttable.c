/* fuzz_parttable - MBR (with its extended chain) and GPT (primary and
 * backup, CRCs) parsing of lib/evidence/volume.c, from memory.
 *
 * Input: the first bytes of a disk; the disk is as long as the input (the
 * GPT backup is then in it), with 512-byte sectors, or 4096-byte sectors
 * when the input's length is a multiple of 4096 and its first byte is odd.
 * Checks: every volume lies inside the 64-bit byte range (offset + size
 * does not wrap), has an id and a scheme, and ids are unique.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evidence/volume.h"
#include "fuzz.h"

static void quiet(void *ud, const cs_diag *d)
{
	(void)ud;
	FZ_CHECK(d->msg != NULL, "invariant broken");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t ss = (size % 4096 == 0 && size && (data[0] & 1)) ? 4096 : 512;
	cs_vols v;
	if (cs_parttable_parse_mem(data, size, size, ss, quiet, NULL, &v) < 0)
		return 0;
	for (size_t i = 0; i < v.n; i++) {
		FZ_CHECK(v.v[i].id && *v.v[i].id, "invariant broken");
		FZ_CHECK(v.v[i].scheme, "invariant broken");
		FZ_CHECK(v.v[i].offset + v.v[i].size >= v.v[i].offset || v.v[i].size == 0, "invariant broken");
		for (size_t k = 0; k < i; k++)
			FZ_CHECK(strcmp(v.v[i].id, v.v[k].id) != 0, "invariant broken");
	}
	cs_vols_clear(&v);
	return 0;
}
