/* fuzz_toml - TOML string lookup (lib/formats/toml.c) on arbitrary text:
 * the dotted keys the engines ask of storage.conf, containers.conf and
 * crio.conf (and one deeper than any of them).
 *
 * Oracle: a round trip. Whatever value v the reader finds for a key, the
 * one-line document `[t]` / `k = "<v escaped>"` (quote, backslash and
 * control bytes written as \uXXXX, everything else as it is) must give v
 * back for `t.k`: the reader decodes exactly what a basic string encodes.
 * Everything else: no crash, no leak, no undefined behaviour, bounded time.
 */
#include <stdio.h>
#include <string.h>

#include "formats/toml.h"
#include "fuzz.h"

static char *quote(const char *v)
{
	size_t n = strlen(v);
	char *q = cs_xmalloc(n * 6 + 32);
	static const char head[] = "[t]\nk = \"";
	memcpy(q, head, sizeof(head) - 1);
	size_t k = sizeof(head) - 1;
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		if (*p == '"' || *p == '\\' || *p < 0x20 || *p == 0x7f)
			k += (size_t)snprintf(q + k, 7, "\\u%04x", *p);
		else
			q[k++] = (char)*p;
	}
	memcpy(q + k, "\"\n", 3);
	return q;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = {"storage.graphroot", "storage.driver", "storage.rootless_storage_path",
					   "storage.options.overlay.mount_program", "crio.root",
					   "engine.events_logfile_path", "engine.database_backend", "a.b.c.d.e"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		char *v = cs_toml_string((const char *)data, size, keys[i]);
		if (v) {
			char *doc = quote(v);
			char *back = cs_toml_string(doc, strlen(doc), "t.k");
			FZ_CHECK(back && strcmp(back, v) == 0, "key %s: value `%s` read back as `%s`", keys[i], v,
				 back ? back : "(none)");
			free(back);
			free(doc);
		}
		free(v);
	}
	return 0;
}
