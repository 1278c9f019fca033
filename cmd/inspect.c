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
	size_t n = (size_t)(argc - optind);
	char *kinds = cs_xcalloc(n + 1, 1);
	size_t *idx = cs_xcalloc(n, sizeof(size_t)), k = 0;
	int rc = 0;
	for (int a = optind; a < argc; a++) {
		size_t i;
		size_t *m = NULL, nm = 0;
		int fc = -ENOENT, fi = -ENOENT;
		if (!type || strcmp(type, "container") == 0)
			fc = cs_find_container(c->dr, argv[a], &i, &m, &nm);
		free(m);
		m = NULL;
		if (fc == 0) {
			kinds[k] = 'c';
			idx[k++] = i;
			continue;
		}
		if (!type || strcmp(type, "image") == 0)
			fi = cs_find_image(c->dr, argv[a], &i, &m, &nm);
		free(m);
		m = NULL;
		if (fi == 0) {
			kinds[k] = 'i';
			idx[k++] = i;
			continue;
		}
		/* report through cli_find for a uniform message */
		rc = cli_find(c, fc == -ENOTUNIQ || type == NULL || strcmp(type, "container") == 0 ? 'c' : 'i',
			      argv[a], &i);
		if (!rc)
			rc = EXIT_NOTFOUND;
	}
	char *s = cs_docker_inspect(c->dr, kinds, idx, k);
	puts(s);
	free(s);
	free(kinds);
	free(idx);
	return rc ? rc : cli_exit(c);
}
