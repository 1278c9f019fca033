/* fuzz_lvm_metadata - the LVM2 metadata text parser (lib/evidence/lvm.c).
 *
 * Input: metadata text, as LVM writes it into a metadata area. Checks: a
 * parsed volume group has a name and a non-zero extent size; every segment
 * has a type; every stripe names a PV; nothing is read past the input (the
 * input is copied into an exactly sized buffer, so a sanitizer sees it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evidence/volume.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size ? size : 1);
	memcpy(text, data, size);
	cs_lvm_vg vg;
	cs_error e = {0};
	int r = cs_lvm_parse_metadata(text, size, &vg, &e);
	if (r == 0) {
		FZ_CHECK(vg.name && vg.extent_size > 0, "invariant broken");
		for (size_t i = 0; i < vg.n_pvs; i++)
			FZ_CHECK(vg.pvs[i].name, "invariant broken");
		for (size_t i = 0; i < vg.n_lvs; i++) {
			FZ_CHECK(vg.lvs[i].name, "invariant broken");
			for (size_t s = 0; s < vg.lvs[i].n_segs; s++) {
				FZ_CHECK(vg.lvs[i].segs[s].type, "invariant broken");
				for (size_t k = 0; k < vg.lvs[i].segs[s].n_stripes; k++)
					FZ_CHECK(vg.lvs[i].segs[s].stripes[k].pv, "invariant broken");
			}
		}
		cs_lvm_vg_clear(&vg);
	} else {
		FZ_CHECK(e.msg[0], "invariant broken");
	}
	free(text);
	return 0;
}
