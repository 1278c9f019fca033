/* Unit tests: containers/storage big-data file names (store.go
 * makeBigDataBaseName), id mappings, and whiteout names of each layer
 * format. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engines/podman/podman.h"
#include "fs/tree.h"
#include "tap.h"

static void key(const char *name, const char *want, const char *what)
{
	char *got = cs_podman_bigdata_key(name);
	TAP_STR_EQ(got, want, "%s", what);
	free(got);
}

static void roundtrip(const char *k)
{
	char *n = cs_podman_bigdata_name(k);
	char *back = cs_podman_bigdata_key(n);
	TAP_STR_EQ(back, k, "`%s` -> `%s` -> back", k, n);
	free(n);
	free(back);
}

int main(void)
{
	/* names seen in the real store */
	key("manifest", "manifest", "a plain key is its own name");
	key("=bWFuaWZlc3Qtc2hhMjU2Ojg1YzRmNmRmMDcxYzBjNzE5ZjE1NmEyNzQ2MDhmYzZjODI3OTI0NWI5MWUzMTY1YjVhYjhkZGExNzA2ODMzYjE=",
	    "manifest-sha256:85c4f6df071c0c719f156a274608fc6c8279245b91e3165b5ab8dda1706833b1", "manifest by digest");
	key("=c2hhMjU2OmI2NWI3ODdhYjkyYTJhMDJkMzA4YWU5ZDU4NGZjNTdkNzlkNzc5ZDlkMGFlZDg1OTQzZTUwODAzNmFmNjQ3NDg=",
	    "sha256:b65b787ab92a2a02d308ae9d584fc57d79d779d9d0aed85943e508036af64748", "the image config");
	key("=not*base64!", NULL, "a name that does not decode");
	key("=YWJj=", NULL, "padding in the wrong place");
	key("=YQ=a", NULL, "data after padding");
	key("=AA==", NULL, "a NUL key");
	key("=", NULL, "nothing after =");
	key("", NULL, "an empty name");
	roundtrip("manifest");
	roundtrip("sha256:b65b787ab92a2a02d308ae9d584fc57d79d779d9d0aed85943e508036af64748");
	roundtrip("signature-1");
	roundtrip("a");
	roundtrip("ab");
	roundtrip("Upper.Case");
	char *n = cs_podman_bigdata_name("manifest.v1");
	TAP_STR_EQ(n, "manifest.v1", "a key of [0-9a-z.] is stored as is");
	free(n);

	/* a rootless store's map: container 0 is the user, 1.. its subordinate ids */
	cs_idmap m = {.shifted = true};
	cs_idmap_add(&m, 'u', 0, 2000, 1);
	cs_idmap_add(&m, 'u', 1, 10100001, 65536);
	bool ok;
	tap_ok(cs_idmap_to_container(&m, 'u', 2000, &ok) == 0 && ok, "the user's own id is container root");
	tap_ok(cs_idmap_to_container(&m, 'u', 10101000, &ok) == 1000 && ok, "a subordinate id maps to its container id");
	tap_ok(cs_idmap_to_container(&m, 'u', 10100001 + 65536, &ok) == CS_OVERFLOW_ID && !ok,
	       "past the range: unmapped (the overflow id)");
	tap_ok(cs_idmap_to_container(&m, 'u', 0, &ok) == CS_OVERFLOW_ID && !ok, "host root: unmapped (the overflow id)");
	tap_ok(cs_idmap_to_container(&m, 'g', 2000, &ok) == CS_OVERFLOW_ID && !ok, "gids have their own ranges");
	free(m.v);
	cs_idmap none = {0};
	tap_ok(cs_idmap_to_container(&none, 'u', 1234, &ok) == 1234 && ok, "no mapping: as stored");

	cs_stat wh = {.mode = S_IFCHR, .rdev_major = 0, .rdev_minor = 0}, reg = {.mode = S_IFREG | 0644};
	tap_ok(cs_whiteout_name(CS_WH_OVERLAY, "x", &wh) == CS_WH_KIND_WHITEOUT, "overlay: char 0/0 whiteout");
	tap_ok(cs_whiteout_name(CS_WH_OVERLAY, ".wh.x", &reg) == CS_WH_KIND_ENTRY, "overlay: a .wh. file is a file");
	tap_ok(cs_whiteout_name(CS_WH_AUFS, ".wh.x", &reg) == CS_WH_KIND_WHITEOUT, "aufs: .wh.x");
	tap_ok(cs_whiteout_name(CS_WH_AUFS, "x", &wh) == CS_WH_KIND_ENTRY, "aufs: a char 0/0 is a device");
	tap_ok(cs_whiteout_name(CS_WH_AUFS, ".wh..wh.plnk", NULL) == CS_WH_KIND_HIDDEN, "aufs housekeeping");
	tap_ok(cs_whiteout_name(CS_WH_FUSE, "x", &wh) == CS_WH_KIND_WHITEOUT, "fuse-overlayfs: char 0/0");
	tap_ok(cs_whiteout_name(CS_WH_FUSE, ".wh.x", &reg) == CS_WH_KIND_WHITEOUT, "fuse-overlayfs: .wh.x");
	tap_ok(cs_whiteout_name(CS_WH_FUSE, ".wh..wh..opq", &reg) == CS_WH_KIND_OPAQUE, "fuse-overlayfs: .wh..wh..opq");
	tap_ok(cs_whiteout_name(CS_WH_FUSE, ".wh..opq", &wh) == CS_WH_KIND_HIDDEN, "fuse-overlayfs: its .wh..opq marker");
	return tap_done();
}
