/* fuzz_disk - a disk image as --image reads it, end to end: the storage
 * format recognised from content (lib/evidence/image.c; EWF, VMDK, QCOW
 * through image_yal.c and libyal), partition tables and LVM2
 * (volume.c, lvm.c), each volume's file system opened, the host found
 * from os-release and fstab and every engine asked where its data is
 * (lib/host/disk.c: the survey `partitions` prints), the host tree built
 * as a source and walked (fuzz_walk.h), and the media hashed as --verify
 * hashes it.
 *
 * Input: an image file, written as fuzz.E01 in the scratch evidence root
 * (the format comes from the content; the name lets libewf find no other
 * segment). Seeds: fuzz/make-image-seeds.sh, a 1 MiB GPT disk whose
 * partition holds a host tree, as raw, E01, QCOW2 and VMDK. Checks: an
 * open that fails says why; every volume has an id and a scheme; the
 * survey's JSON is strict JSON; a raw image's media hash is the SHA-256
 * of the input itself; those of fuzz_walk.h.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "formats/imagehash.h"
#include "formats/sha256.h"
#include "fuzz.h"
#include "fuzz_walk.h"
#include "host/disk.h"

#define HASH_MAX ((uint64_t)16 << 20) /* media claimed larger are not hashed */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_reset();
	fz_write("fuzz.E01", data, size);
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/fuzz.E01", fz_root());
	const char *paths[] = {path};
	static fz_diags dg; /* kept across inputs, cleared after each */
	cs_disk_opts o = {.diag = fz_diag, .diag_userdata = &dg};
	cs_disk *d;
	cs_error e = {0};
	if (cs_disk_open(paths, 1, &o, &d, &e) < 0) {
		FZ_CHECK(e.msg[0], "a failed open says why");
		fz_diags_clear(&dg);
		return 0;
	}
	cs_media *img = cs_disk_image(d);
	FZ_CHECK(img->info.format && img->info.n_files >= 1, "the image names its format and files");
	const cs_vols *vols = cs_disk_volumes(d);
	for (size_t i = 0; i < vols->n; i++)
		FZ_CHECK(vols->v[i].id && vols->v[i].id[0] && vols->v[i].scheme, "volume %zu has an id and a scheme", i);

	if (img->info.media_size <= HASH_MAX) {
		cs_media_hashes h;
		if (cs_media_hash(img, CS_HASH_MEDIA | CS_HASH_FILES, NULL, NULL, &h, &e) == 0) {
			FZ_CHECK(strlen(h.sha256) == 64 && h.n_files == img->info.n_files, "hashes of the media and files");
			if (strcmp(img->info.format, "raw") == 0 && h.n_damage == 0) {
				cs_sha256 c;
				unsigned char md[32];
				char hex[65];
				cs_sha256_init(&c);
				cs_sha256_update(&c, data, size);
				cs_sha256_final(&c, md);
				cs_hex(md, 32, hex);
				FZ_CHECK(strcmp(hex, h.sha256) == 0, "a raw image's media is its bytes");
			}
			cs_media_hashes_clear(&h);
		} else {
			FZ_CHECK(e.msg[0], "a failed hash says why");
		}
	}

	cs_disk_volinfo *vi;
	size_t nv;
	if (cs_disk_survey(d, &vi, &nv, &e) == 0) {
		char *j = cs_disk_survey_json(d, vi, nv);
		FZ_CHECK(j && fz_json_strict(j, strlen(j), 64, false), "the survey is strict JSON");
		free(j);
		cs_disk_volinfo_free(vi, nv);
	} else {
		FZ_CHECK(e.msg[0], "a failed survey says why");
	}

	cs_source *src;
	cs_disk_host host;
	if (cs_disk_source(d, NULL, NULL, &src, &host, &e) == 0) {
		size_t budget = 2000;
		fz_walk(src, "", 0, &budget);
		cs_source_close(src);
		cs_disk_host_free(&host);
	} else {
		FZ_CHECK(e.msg[0], "a host that cannot be found says why");
	}
	cs_disk_close(d);
	fz_diags_clear(&dg);
	return 0;
}
