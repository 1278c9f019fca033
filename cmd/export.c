/* export.c - csleuth export: a container's filesystem as a tar archive. */
#include <fcntl.h>
#include <getopt.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "fs/export.h"
#include "fs/tree.h"

static const char help[] =
	"Usage: csleuth export [--precise] -o FILE|- CONTAINER|IMAGE\n"
	"\n"
	"Write the container's merged filesystem as a tar archive, as `docker\n"
	"export` does (an image's filesystem if the name is an image's).\n"
	"\n"
	"  -o, --output FILE  where to write; - for standard output\n"
	"  --precise          keep nanosecond mtimes (pax) instead of whole seconds\n"
	"  --on-disk-ids      owners as stored on disk; by default a rootless\n"
	"                     (user-namespaced) container's files carry the owners\n"
	"                     the container saw, as `podman export` writes them\n";

int cmd_export(cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{"output", required_argument, NULL, 'o'},
		{"precise", no_argument, NULL, 'P'},
		{"on-disk-ids", no_argument, NULL, 'I'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	const char *out = NULL;
	cs_export_opts eo = {0};
	bool disk_ids = false;
	int o;
	while ((o = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		switch (o) {
		case 'o': out = optarg; break;
		case 'P': eo.precise = true; break;
		case 'I': disk_ids = true; break;
		case 'h': fputs(help, stdout); return EXIT_OK;
		default: return cli_usage_error("export", "bad option");
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error("export", "expects exactly one CONTAINER or IMAGE");
	if (!out)
		return cli_usage_error("export", "-o FILE (or -o - for standard output) is required");
	if (strcmp(out, "-") == 0 && isatty(1)) {
		cli_error("refusing to write a tar archive to a terminal; use -o FILE");
		return EXIT_USAGE;
	}
	int r = cli_load(c);
	if (r)
		return r;
	if (strcmp(out, "-") != 0 && cli_output_inside_evidence(c, out)) {
		cli_error("refusing to write `%s` inside the evidence", out);
		return EXIT_USAGE;
	}
	cs_layer_stack img;
	const cs_layer_stack *stack;
	const cs_container *ct;
	if ((r = cli_find_stack(c, argv[optind], &ct, NULL, &img, &stack)) != 0)
		return r;
	cs_tree *t;
	if ((r = cli_build_tree(c, stack, 0, stack->n, &t)) != 0) {
		cs_layer_stack_clear(&img);
		return r;
	}
	int fd = 1;
	if (strcmp(out, "-") != 0) {
		fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0) {
			cli_error("`%s`: %s", out, strerror(errno));
			cs_tree_free(t);
			cs_layer_stack_clear(&img);
			return EXIT_FAILURE_;
		}
	}
	if (ct && !disk_ids && (ct->idmaps.n_uid || ct->idmaps.n_gid))
		eo.ids = &ct->idmaps;
	eo.diag = cli_diag_callback();
	eo.diag_userdata = c;
	cs_error e = {0};
	r = cs_export_tar(t, fd, &eo, &e);
	if (fd != 1 && close(fd) != 0 && r == 0)
		r = cs_err(&e, -errno, "`%s`: %s", out, strerror(errno));
	cs_tree_free(t);
	cs_layer_stack_clear(&img);
	if (r < 0) {
		cli_error("%s", e.msg);
		return EXIT_FAILURE_;
	}
	return cli_exit(c);
}
