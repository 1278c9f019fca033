/* fuzz_lvm_pv - an LVM2 physical volume on disk (lib/evidence/lvm.c): the
 * label, the PV header and its area lists, the metadata area header, the
 * circular metadata text and the assembly of logical volumes.
 *
 * Input: the first bytes of a PV (the seed is the head of a PV written by
 * LVM2, see testdata/images/make-lvm.sh). Checks: every logical volume
 * found has an id of the form VG/LV and a size that is a whole number of
 * sectors, and every byte of it that is mapped can be read or fails with a
 * message (no read leaves the input).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evidence/volume.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1);
	memcpy(copy, data, size);
	cs_bdev *dev = cs_bdev_from_memory(copy, size, "pv");
	cs_vols v = {.scheme = "none"};
	v.v = calloc(1, sizeof(*v.v));
	v.n = 1;
	v.v[0].id = strdup("1");
	v.v[0].scheme = "MBR";
	v.v[0].size = size;
	v.v[0].fs = "LVM2_member";
	v.v[0].dev = dev;
	cs_lvm_scan(&v, NULL, NULL);
	for (size_t i = 1; i < v.n; i++) {
		FZ_CHECK(strchr(v.v[i].id, '/'), "invariant broken");
		FZ_CHECK(v.v[i].size % 512 == 0, "invariant broken");
		if (!v.v[i].dev)
			continue;
		uint8_t buf[4096];
		for (uint64_t off = 0; off < v.v[i].dev->size && off < (1u << 20); off += sizeof(buf)) {
			size_t n = v.v[i].dev->size - off < sizeof(buf) ? (size_t)(v.v[i].dev->size - off) : sizeof(buf);
			cs_error e = {0};
			if (cs_bdev_read(v.v[i].dev, buf, n, off, &e) < 0)
				FZ_CHECK(e.msg[0], "invariant broken");
		}
	}
	cs_vols_clear(&v);
	free(copy);
	return 0;
}
