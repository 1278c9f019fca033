/* history.c - csleuth history: an image's build steps, newest first. */
#include <getopt.h>
#include <string.h>

#include "cli.h"
#include "render/render.h"

static const char help[] =
	"Usage: csleuth history [--json] IMAGE\n"
	"\n"
	"Show the build history of IMAGE (id, id prefix, repo:tag or repo@digest),\n"
	"newest first, untruncated, like `docker history --no-trunc`. Times are UTC\n"
	"with nanoseconds; steps whose image is not present locally show <missing>.\n"
	"\n"
	"  -H, --human  sizes as docker prints them (1.24MB) instead of bytes\n"
	"  --json       a JSON array of objects (see csleuth-history(1))\n";

int cmd_history(cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"human", no_argument, NULL, 'H'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	bool json = false, human = false;
	int o;
	while ((o = getopt_long(argc, argv, "hH", opts, NULL)) != -1) {
		switch (o) {
		case 'j': json = true; break;
		case 'H': human = true; break;
		case 'h': fputs(help, stdout); return EXIT_OK;
		default: return cli_usage_error("history", "bad option");
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error("history", "expects exactly one IMAGE");
	int r = cli_load(c);
	if (r)
		return r;
	const cs_image *im;
	if ((r = cli_find_image(c, argv[optind], &im)) != 0)
		return r;
	if (json) {
		char *s = cs_render_history_json(im, true);
		puts(s);
		free(s);
		return cli_exit(c);
	}
	static const char *head[] = {"IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT"};
	table t;
	table_init(&t, head, CS_ARRAY_SIZE(head));
	for (size_t k = im->n_history; k-- > 0;) {
		const cs_history *h = &im->history[k];
		char cr[CS_TIME_STRMAX], sz[32];
		fmt_time(h->created, true, cr);
		if (human)
			cs_human_size(h->size, sz);
		else
			snprintf(sz, sizeof(sz), "%lld", (long long)h->size);
		const char *row[] = {h->image_id ? h->image_id : "<missing>", cr,
				     h->created_by ? h->created_by : "", sz, h->comment ? h->comment : ""};
		table_row(&t, row);
	}
	table_print(&t, stdout);
	return cli_exit(c);
}
