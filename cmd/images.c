/* images.c - csleuth images: list images. */
#include <getopt.h>
#include <string.h>

#include "cli.h"
#include "render/render.h"

static const char help[] =
	"Usage: csleuth images [--digests] [--no-trunc] [--json]\n"
	"\n"
	"List every image in the data root, intermediate and untagged ones too,\n"
	"newest first, one row per tag. Sizes are as `docker image inspect` reports.\n"
	"\n"
	"  --digests    show repository digests\n"
	"  --no-trunc   full ids and nanosecond times\n"
	"  --json       a JSON array of objects (see csleuth-images(1))\n";

/* Splits "repo:tag" at the last ':' after the last '/'. */
static void split_ref(const char *ref, char *repo, size_t rn, const char **tag)
{
	const char *slash = strrchr(ref, '/');
	const char *colon = strrchr(slash ? slash : ref, ':');
	if (!colon) {
		snprintf(repo, rn, "%s", ref);
		*tag = "<none>";
		return;
	}
	snprintf(repo, rn, "%.*s", (int)(colon - ref), ref);
	*tag = colon + 1;
}

int cmd_images(cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{"digests", no_argument, NULL, 'd'}, {"no-trunc", no_argument, NULL, 'n'},
		{"json", no_argument, NULL, 'j'},    {"help", no_argument, NULL, 'h'},
		{0},
	};
	bool digests = false, notrunc = false, json = false;
	int o;
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (o) {
		case 'd': digests = true; break;
		case 'n': notrunc = true; break;
		case 'j': json = true; break;
		case 'h': fputs(help, stdout); return EXIT_OK;
		default: return cli_usage_error("images", "bad option");
		}
	}
	if (optind < argc)
		return cli_usage_error("images", "unexpected argument `%s`", argv[optind]);
	int r = cli_load(c);
	if (r)
		return r;
	size_t n = c->dr->n_images;
	size_t *idx = cs_xcalloc(n + 1, sizeof(size_t));
	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	if (json) {
		char *s = cs_render_images_json(c->dr, idx, n, true);
		puts(s);
		free(s);
		free(idx);
		return cli_exit(c);
	}
	static const char *head_d[] = {"REPOSITORY", "TAG", "DIGEST", "IMAGE ID", "CREATED", "SIZE", "NOTE"};
	static const char *head[] = {"REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE", "NOTE"};
	table t;
	table_init(&t, digests ? head_d : head, digests ? 7 : 6);
	for (size_t i = 0; i < n; i++) {
		const cs_image *im = &c->dr->images[i];
		char id[80], cr[CS_TIME_STRMAX], sz[32], repo[1024];
		fmt_time(im->created, notrunc, cr);
		if (im->size >= 0)
			cs_human_size(im->size, sz);
		else
			snprintf(sz, sizeof(sz), "?");
		const char *note = im->incomplete ? "incomplete" : "";
		size_t nt = cs_strv_len(im->tags);
		for (size_t k = 0; k < (nt ? nt : 1); k++) {
			const char *tag = "<none>";
			if (nt)
				split_ref(im->tags[k], repo, sizeof(repo), &tag);
			else if (im->digests[0])
				snprintf(repo, sizeof(repo), "%.*s", (int)strcspn(im->digests[0], "@"), im->digests[0]);
			else
				snprintf(repo, sizeof(repo), "<none>");
			/* the digest of this repository, if any */
			const char *dg = "<none>";
			for (char **d = im->digests; *d; d++)
				if (strncmp(*d, repo, strlen(repo)) == 0 && (*d)[strlen(repo)] == '@')
					dg = strchr(*d, '@') + 1;
			const char *row_d[] = {repo, tag, dg, fmt_id(im->id, notrunc, id), cr, sz, note};
			const char *row[] = {repo, tag, fmt_id(im->id, notrunc, id), cr, sz, note};
			table_row(&t, digests ? row_d : row);
		}
	}
	table_print(&t, stdout);
	free(idx);
	return cli_exit(c);
}
