/* inspect.c - csleuth inspect: docker inspect's JSON for containers/images. */
#include <getopt.h>
#include <string.h>

#include "cli.h"
#include "render/render.h"

static const char help[] =
	"Usage: csleuth inspect [--type container|image] NAME|ID|PREFIX...\n"
	"\n"
	"Print a JSON array in `docker inspect` (containers) or `docker image\n"
	"inspect` (images) shape, with every field the evidence holds, plus a\n"
	"\"Csleuth\" object naming the evidence file behind each value.\n"
	"Containers are looked up first, then images, unless --type says.\n";

int cmd_inspect(cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{"type", required_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	const char *type = NULL;
	int o;
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (o) {
		case 't': type = optarg; break;
		case 'h': fputs(help, stdout); return EXIT_OK;
		default: return cli_usage_error("inspect", "bad option");
		}
	}
	if (type && strcmp(type, "container") != 0 && strcmp(type, "image") != 0)
		return cli_usage_error("inspect", "--type must be container or image");
	if (optind >= argc)
		return cli_usage_error("inspect", "expects at least one NAME or ID");
	int r = cli_load(c);
	if (r)
		return r;
	size_t n = (size_t)(argc - optind), k = 0;
	cs_item *items = cs_xcalloc(n + 1, sizeof(*items));
	int rc = 0;
	bool want_c = !type || strcmp(type, "container") == 0;
	bool want_i = !type || strcmp(type, "image") == 0;
	for (int a = optind; a < argc; a++) {
		const cs_container **mc = NULL;
		const cs_image **mi = NULL;
		size_t nmc = 0, nmi = 0;
		int fc = -ENOENT, fi = -ENOENT;
		if (want_c)
			fc = cs_host_find_container(c->host, argv[a], &items[k].ct, &mc, &nmc);
		if (fc == 0) {
			k++;
			continue;
		}
		if (want_i && fc != -ENOTUNIQ)
			fi = cs_host_find_image(c->host, argv[a], &items[k].im, &mi, &nmi);
		if (fi == 0) {
			k++;
			continue;
		}
		if (fc == -ENOTUNIQ)
			cli_report_find("container", argv[a], fc, mc, NULL, nmc);
		else if (fi == -ENOTUNIQ)
			cli_report_find("image", argv[a], fi, NULL, mi, nmi);
		else
			cli_error("no such %s: `%s`", want_c && want_i ? "container or image" : want_c ? "container" : "image",
				  argv[a]);
		free(mc);
		free(mi);
		rc = EXIT_NOTFOUND;
	}
	char *s = cs_host_inspect(c->host, items, k);
	puts(s);
	free(s);
	free(items);
	return rc ? rc : cli_exit(c);
}
