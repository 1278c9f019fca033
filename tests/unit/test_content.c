/* Unit tests: the typer gives libmagic's own answer for the bytes it is
 * shown, from its caches when the same layer file or the same small content
 * comes again, and reads only a file's head. */
#include <magic.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs/content.h"
#include "tap.h"

int main(void)
{
	cs_typer *t = cs_typer_open();
	if (!t) {
		printf("1..0 # SKIP libmagic's database cannot be loaded\n");
		return 0;
	}
	magic_t m = magic_open(MAGIC_NONE | MAGIC_ERROR);
	magic_load(m, NULL);
	const char *samples[] = {"", "xxx", "#!/bin/sh\necho hi\n", "{\"a\": [1, 2, 3]}\n",
				 "<?xml version=\"1.0\"?><a/>", "\177ELF\002\001\001"};
	size_t ok = 0;
	for (size_t i = 0; i < CS_ARRAY_SIZE(samples); i++) {
		size_t n = strlen(samples[i]);
		char want[1024];
		snprintf(want, sizeof(want), "%s", magic_buffer(m, samples[i], n));
		const char *a = cs_typer_head(t, samples[i], n, NULL);
		const char *b = cs_typer_head(t, samples[i], n, NULL); /* from the cache */
		ok += a && b && strcmp(a, want) == 0 && a == b;
	}
	tap_ok(ok == CS_ARRAY_SIZE(samples), "types equal libmagic's, first and from the content cache");
	cs_typer_stats s;
	cs_typer_get_stats(t, &s);
	tap_ok(s.libmagic == CS_ARRAY_SIZE(samples) && s.by_content == CS_ARRAY_SIZE(samples),
	       "small contents are typed once (%llu by libmagic, %llu from the cache)",
	       (unsigned long long)s.libmagic, (unsigned long long)s.by_content);

	/* a 3 MiB file: only its first MiB is read, and only once */
	char base[] = "/tmp/csleuth-content-XXXXXX";
	if (!mkdtemp(base))
		abort();
	char p[64];
	snprintf(p, sizeof(p), "%s/f", base);
	FILE *f = fopen(p, "w");
	for (int i = 0; i < 3 * 1024; i++)
		fputs("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
		      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
		      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
		      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\n"
		      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
		      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
		      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
		      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\n"
		      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
		      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
		      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
		      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\n"
		      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
		      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
		      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
		      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\n", f);
	fclose(f);
	cs_source *src;
	cs_error e;
	cs_source_open_dir(base, 0, &src, &e);
	cs_file *cf;
	cs_stat st;
	cs_source_stat(src, "f", false, &st, &e);
	st.nlink = 2; /* as if hard-linked: only then is the identity cache used */
	cs_source_open(src, "f", &cf, &e);
	cs_typer_get_stats(t, &s);
	uint64_t before = s.bytes_read;
	const char *ty = cs_typer_file(t, cf, &st, &e);
	const char *ty2 = cs_typer_file(t, cf, &st, &e);
	cs_typer_get_stats(t, &s);
	tap_ok(st.size == 3u << 20 && s.bytes_read - before == CS_MAGIC_BYTES,
	       "a 3 MiB file costs one read of its first MiB (%llu bytes)", (unsigned long long)(s.bytes_read - before));
	tap_ok(ty && ty == ty2 && s.by_identity == 1, "the same layer file is typed once: %s", ty ? ty : "?");
	cs_file_close(cf);
	cs_source_close(src);
	unlink(p);
	rmdir(base);
	magic_close(m);
	cs_typer_close(t);
	return tap_done();
}
