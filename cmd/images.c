/* images.c - csleuth images: list images. */
#include <getopt.h>
#include <string.h>

#include "cli.h"
#include "render/render.h"

static const char help[] =
	"Usage: csleuth images [--digests] [--engine E] [--namespace N] [--no-trunc] [--json]\n"
	"\n"
	"List every image in the data root, intermediate and untagged ones too,\n"
	"newest first, one row per tag. Sizes are as `docker image inspect` reports.\n"
	"\n"
	"  --digests    show repository digests\n"
	"  --engine E   only images of engine E (docker, containerd, podman)\n"
	"  --namespace N  only images of the engine namespace N\n"
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
		{"engine", required_argument, NULL, 'e'}, {"namespace", required_argument, NULL, 'N'},
		{0},
	};
	bool digests = false, notrunc = false, json = false;
	const char *engine = NULL, *ns = NULL;
	int o;
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (o) {
		case 'd': digests = true; break;
		case 'n': notrunc = true; break;
		case 'j': json = true; break;
		case 'e': engine = optarg; break;
		case 'N': ns = optarg; break;
		case 'h': fputs(help, stdout); return EXIT_OK;
		default: return cli_usage_error("images", "bad option");
		}
	}
	if (optind < argc)
		return cli_usage_error("images", "unexpected argument `%s`", argv[optind]);
	int r = cli_load(c);
	if (r)
		return r;
	const cs_host *h = c->host;
	const cs_image **v = cs_xcalloc(h->n_images + 1, sizeof(*v));
	size_t n = 0;
	for (size_t i = 0; i < h->n_images; i++)
		if (cli_item_selected(h->images[i]->engine, h->images[i]->namespace, engine, ns))
			v[n++] = h->images[i];
	if (json) {
		char *s = cs_render_images_json(v, n, true);
		puts(s);
		free(s);
		free(v);
		return cli_exit(c);
	}
	/* ENGINE and NAMESPACE only when more than one is present */
	const char *head[9];
	size_t nh = 0;
	if (h->many) {
		head[nh++] = "ENGINE";
		head[nh++] = "NAMESPACE";
	}
	head[nh++] = "REPOSITORY";
	head[nh++] = "TAG";
	if (digests)
		head[nh++] = "DIGEST";
	head[nh++] = "IMAGE ID";
	head[nh++] = "CREATED";
	head[nh++] = "SIZE";
	head[nh++] = "NOTE";
	table t;
	table_init(&t, head, nh);
	for (size_t i = 0; i < n; i++) {
		const cs_image *im = v[i];
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
			else if (im->digests && im->digests[0])
				snprintf(repo, sizeof(repo), "%.*s", (int)strcspn(im->digests[0], "@"), im->digests[0]);
			else
				snprintf(repo, sizeof(repo), "<none>");
			/* the digest of this repository, if any */
			const char *dg = "<none>";
			for (char **d = im->digests; d && *d; d++)
				if (strncmp(*d, repo, strlen(repo)) == 0 && (*d)[strlen(repo)] == '@')
					dg = strchr(*d, '@') + 1;
			const char *row[9];
			size_t nr = 0;
			if (h->many) {
				row[nr++] = im->engine;
				row[nr++] = im->namespace ? im->namespace : "";
			}
			row[nr++] = repo;
			row[nr++] = tag;
			if (digests)
				row[nr++] = dg;
			row[nr++] = fmt_id(im->id, notrunc, id);
			row[nr++] = cr;
			row[nr++] = sz;
			row[nr++] = note;
			table_row(&t, row);
		}
	}
	table_print(&t, stdout);
	free(v);
	return cli_exit(c);
}
