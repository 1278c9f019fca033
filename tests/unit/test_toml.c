/* Unit tests: string values of TOML configuration files (formats/toml.c):
 * storage.conf, containers.conf and crio.conf shapes, and the lexical traps
 * (comments, multi-line strings, arrays and inline tables that look like
 * keys, escapes, dotted and quoted keys). */
#include <stdlib.h>
#include <string.h>

#include "formats/toml.h"
#include "tap.h"

static void check(const char *toml, const char *path, const char *want, const char *what)
{
	char *got = cs_toml_string(toml, strlen(toml), path);
	TAP_STR_EQ(got, want, "%s", what);
	free(got);
}

int main(void)
{
	const char *storage = "# comment\n[storage]\ndriver = \"overlay\"\nrunroot = \"/run/containers/storage\"\n"
			      "graphroot = \"/var/lib/containers/storage\"\n[storage.options]\n"
			      "additionalimagestores = [\n  \"/a\",\n  \"/b\", # c\n]\n"
			      "[storage.options.overlay]\nmount_program = \"/usr/bin/fuse-overlayfs\"\n"
			      "mountopt = \"nodev,metacopy=on\"\n";
	check(storage, "storage.graphroot", "/var/lib/containers/storage", "storage.conf: graphroot");
	check(storage, "storage.driver", "overlay", "storage.conf: driver");
	check(storage, "storage.options.overlay.mount_program", "/usr/bin/fuse-overlayfs", "a nested table");
	check(storage, "storage.options.additionalimagestores", NULL, "an array is not a string");
	check(storage, "graphroot", NULL, "a key of a table is not a top-level key");
	check("[storage]\n  graphroot = '/lit\\eral'\n", "storage.graphroot", "/lit\\eral", "literal strings keep backslashes");
	check("[storage]\ngraphroot = \"/a\\u00e9\\t\"\n", "storage.graphroot", "/a\xc3\xa9\t", "escapes decoded");
	check("[storage]\ngraphroot = \"/bad\\q\"\n", "storage.graphroot", NULL, "a bad escape: not a value");
	check("[storage]\nx = \"\"\"\ngraphroot = \"/fake\"\n\"\"\"\ngraphroot = \"/real\"\n", "storage.graphroot", "/real",
	      "a key inside a multi-line string is not a key");
	check("[storage]\nx = [\"graphroot = \\\"/fake\\\"\",\n]\ngraphroot = \"/real\"\n", "storage.graphroot", "/real",
	      "a key inside an array is not a key");
	check("[storage]\nx = { graphroot = \"/fake\" }\n", "storage.graphroot", NULL, "a key inside an inline table is not");
	check("storage.graphroot = \"/dotted\"\n", "storage.graphroot", "/dotted", "a dotted key");
	check("[ storage ]\n\"graphroot\" = \"/quoted\"\n", "storage.graphroot", "/quoted", "quoted keys and spaced headers");
	check("[[storage]]\ngraphroot = \"/array-table\"\n", "storage.graphroot", NULL, "array-of-tables entries are not answered");
	check("[storage]\ngraphroot = \"/a\"\ngraphroot = \"/b\"\n", "storage.graphroot", "/b", "the last value wins");
	check("[crio]\nroot = \"/srv/crio\" # trailing\n[crio.runtime]\nroot = \"/x\"\n", "crio.root", "/srv/crio",
	      "crio.conf: [crio] root, not [crio.runtime] root");
	check("[engine]\nevents_logfile_path=\"/var/log/podman-events.log\"\n", "engine.events_logfile_path",
	      "/var/log/podman-events.log", "containers.conf: events_logfile_path");
	check("[storage]\ngraphroot = \"/unterminated\n", "storage.graphroot", NULL, "an unterminated string");
	check("[storage\ngraphroot = \"/x\"\n", "storage.graphroot", NULL, "a broken table header answers nothing below it");
	check("", "storage.graphroot", NULL, "empty text");
	/* deeply nested arrays are bounded */
	char deep[4096];
	size_t k = 0;
	k += (size_t)snprintf(deep, sizeof(deep), "[storage]\nx = ");
	for (int i = 0; i < 1000 && k < sizeof(deep) - 64; i++)
		deep[k++] = '[';
	snprintf(deep + k, sizeof(deep) - k, "\ngraphroot = \"/after\"\n");
	check(deep, "storage.graphroot", "/after", "a value nested past the depth bound ends at its line");
	return tap_done();
}
