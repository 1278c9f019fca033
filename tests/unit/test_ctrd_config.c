/* Unit tests: reading `root =` from containerd's config.toml (v1, v2, v3). */
#include <stdlib.h>
#include <string.h>

#include "engines/containerd/containerd.h"
#include "tap.h"

static void check(const char *toml, const char *want, const char *what)
{
	char *got = cs_containerd_config_root(toml, strlen(toml));
	TAP_STR_EQ(got, want, "%s", what);
	free(got);
}

int main(void)
{
	check("root = \"/var/lib/containerd\"\nstate = \"/run/containerd\"\n", "/var/lib/containerd", "version 1 (no version key)");
	check("version = 2\nroot = '/data/ctrd'\n[grpc]\n  address = \"/run/x.sock\"\n", "/data/ctrd", "version 2, literal string");
	check("version = 3\n# root = \"/commented\"\n  root=\"/srv/c\"  # trailing\n[plugins]\n", "/srv/c", "version 3, comment and spacing");
	check("version = 2\n[plugins.\"io.containerd.grpc.v1.cri\"]\n  root = \"/not/top\"\n", NULL, "a root inside a table is not the daemon's");
	check("rootless = true\nroot_dir = \"/x\"\n", NULL, "keys that only start with root are not root");
	check("root = \"/a\"\nroot = \"/b\"\n", "/b", "the last top-level root wins");
	check("root = \"/unterminated\n", NULL, "an unterminated string is ignored");
	return tap_done();
}
