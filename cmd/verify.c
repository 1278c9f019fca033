/* verify.c - csleuth --verify: an image's stored hashes against its media. */
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "formats/imagehash.h"
#include "host/disk.h"

static void progress(void *ud, uint64_t done, uint64_t total)
{
	(void)ud;
	if (!isatty(2))
		return;
	fprintf(stderr, "\rcsleuth: hashing %llu of %llu MiB", (unsigned long long)(done >> 20),
		(unsigned long long)(total >> 20));
	if (done == total)
		fputs("\r\033[K", stderr);
	fflush(stderr);
}

int cli_verify(cli *c)
{
	int r = cli_open_disk(c);
	if (r)
		return r;
	cs_media *img = cs_disk_image(c->disk);
	cs_media_hashes h;
	cs_error e = {0};
	if (cs_media_hash(img, CS_HASH_MEDIA | CS_HASH_FILES, c->quiet ? NULL : progress, NULL, &h, &e) < 0) {
		cli_error("%s", e.msg);
		return EXIT_FAILURE_;
	}
	bool ok = (!h.has_stored_md5 || h.md5_match) && (!h.has_stored_sha1 || h.sha1_match) && h.n_damage == 0;
	/* alone, the report is the result; before a command it goes to stderr */
	FILE *f = c->verify_to_stderr ? stderr : stdout;
	fputs("image:    ", f);
	out_escaped(f, img->dev->name);
	fprintf(f, " (%s, %zu file%s, %llu bytes of media)\n", img->info.format, img->info.n_files,
		img->info.n_files == 1 ? "" : "s", (unsigned long long)img->info.media_size);
	for (size_t i = 0; i < img->info.n_files; i++) {
		fputs("file:     ", f);
		out_escaped(f, img->info.files[i].path);
		fprintf(f, "  %llu bytes  sha256 %s\n", (unsigned long long)img->info.files[i].size,
			h.file_sha256[i]);
	}
	if (img->info.metadata) {
		char *m = cs_xstrdup(img->info.metadata);
		for (char *line = m, *nl; line && *line; line = nl) {
			nl = strchr(line, '\n');
			if (nl)
				*nl++ = '\0';
			fputs("acquired: ", f);
			out_escaped(f, line);
			fputc('\n', f);
		}
		free(m);
	}
	fprintf(f, "md5:      %s", h.md5);
	if (h.has_stored_md5)
		fprintf(f, "  stored %s  %s", img->info.stored_md5, h.md5_match ? "match" : "MISMATCH");
	fprintf(f, "\nsha1:     %s", h.sha1);
	if (h.has_stored_sha1)
		fprintf(f, "  stored %s  %s", img->info.stored_sha1, h.sha1_match ? "match" : "MISMATCH");
	fprintf(f, "\nsha256:   %s\n", h.sha256);
	for (size_t i = 0; i < h.n_damage; i++) {
		fputs("damage:   ", f);
		out_escaped(f, h.damage[i].msg);
		fprintf(f, " (media bytes %llu-%llu)\n", (unsigned long long)h.damage[i].off,
			(unsigned long long)(h.damage[i].off + h.damage[i].len - 1));
	}
	bool stored = h.has_stored_md5 || h.has_stored_sha1;
	if (h.n_damage)
		fprintf(f, "result:   FAILED: %zu stretch%s of media could not be read as acquired\n", h.n_damage,
			h.n_damage == 1 ? "" : "es");
	else if (!stored)
		fputs("result:   the image stores no hashes to check; the hashes above are of its media as read\n", f);
	else if (ok)
		fputs("result:   verified: the media matches the hashes stored at acquisition\n", f);
	else
		fputs("result:   FAILED: the media does not match the hashes stored at acquisition\n", f);
	/* kept for the provenance of the command that follows */
	if (c->hashes) {
		cs_media_hashes_clear(c->hashes);
		free(c->hashes);
	}
	c->hashes = cs_xmalloc(sizeof(h));
	*c->hashes = h;
	if (!ok)
		cli_error("%s: verification failed", img->dev->name);
	return ok ? EXIT_OK : EXIT_FAILURE_;
}
