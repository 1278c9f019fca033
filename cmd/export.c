/* export.c - csleuth export: a container's filesystem as a tar archive. */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "fs/export.h"
#include "fs/tree.h"

static const char help[] =
	"Usage: csleuth export [OPTIONS] -o FILE|- CONTAINER|IMAGE\n"
	"\n"
	"Write the container's merged filesystem as a tar archive, as `docker\n"
	"export` does (an image's filesystem if the name is an image's). When it\n"
	"is done, the archive's size and sha256 are printed on standard error.\n"
	"\n"
	"  -o, --output FILE  where to write; - for standard output\n"
	"  --precise          keep nanosecond mtimes (pax) instead of whole seconds\n"
	"  --container-ids    owners as the container saw them (an unprivileged LXC or\n"
	"                     LXD container's files carry shifted host ids on disk,\n"
	"                     which is what is written by default, as `lxc export` does)\n"
	"  --on-disk-ids      owners as stored on disk (a rootless Podman container's\n"
	"                     files are written by default with the owners the\n"
	"                     container saw, as `podman export` writes them)\n";

static void on_progress(void *ud, uint64_t entries, uint64_t total, uint64_t bytes)
{
	char extra[64];
	snprintf(extra, sizeof(extra), "%.1f MB written", (double)bytes / 1e6);
	cli_progress(ud, "entries", entries, total, extra);
}

int cmd_export(cli *c, int argc, char **argv)
{
	enum { O_PRECISE = 0x200, O_CIDS, O_DISKIDS };
	static const struct option opts[] = {
		{"output", required_argument, NULL, 'o'},
		{"precise", no_argument, NULL, O_PRECISE},
		{"container-ids", no_argument, NULL, O_CIDS},
		{"on-disk-ids", no_argument, NULL, O_DISKIDS},
		{0},
	};
	static const cli_opts co = {.cmd = "export", .help = help, .shortopts = "o:", .longopts = opts};
	const char *out = NULL;
	cs_export_opts eo = {0};
	bool cids = false, disk_ids = false;
	int o, r = 0;
	while ((o = cli_getopt(c, &co, argc, argv, &r)) != -1) {
		switch (o) {
		case CLI_OPT_EXIT: return r;
		case 'o': out = optarg; break;
		case O_PRECISE: eo.precise = true; break;
		case O_CIDS: cids = true; break;
		case O_DISKIDS: disk_ids = true; break;
		default: return cli_usage_error("export", "bad option");
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error("export", "expects exactly one CONTAINER or IMAGE");
	if (cids && disk_ids)
		return cli_usage_error("export", "--container-ids and --on-disk-ids exclude each other");
	if (!out)
		return cli_usage_error("export", "-o FILE (or -o - for standard output) is required");
	if (strcmp(out, "-") == 0 && isatty(1)) {
		cli_error("refusing to write a tar archive to a terminal; use -o FILE");
		return EXIT_USAGE;
	}
	if ((r = cli_load(c)) != 0)
		return r;
	if (strcmp(out, "-") != 0 && cli_output_inside_evidence(c, out)) {
		cli_error("refusing to write `%s` inside the evidence", out);
		return EXIT_USAGE;
	}
	cs_layer_stack img;
	const cs_layer_stack *stack;
	const cs_container *ct;
	const cs_image *im = NULL;
	if ((r = cli_find_stack(c, argv[optind], &ct, &im, &img, &stack)) != 0)
		return r;
	cli_report_one(c, ct, im);
	cs_tree *t;
	if ((r = cli_build_tree(c, stack, 0, stack->n, &t)) != 0) {
		cs_layer_stack_clear(&img);
		return r;
	}
	if (cli_map_ids(ct, cids, disk_ids)) {
		size_t un = cs_tree_map_ids(t, &ct->idmap);
		if (un && !c->quiet)
			fprintf(stderr, "csleuth: note: %zu owners are outside the container's id map: written as 65534\n", un);
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
	cs_export_result res = {0};
	eo.diag = cli_diag_callback();
	eo.diag_userdata = c;
	eo.progress = on_progress;
	eo.progress_userdata = c;
	eo.result = &res;
	cs_error e = {0};
	cli_progress_start(c, "export");
	r = cs_export_tar(t, fd, &eo, &e);
	cli_progress_end(c);
	if (fd != 1 && close(fd) != 0 && r == 0)
		r = cs_err(&e, -errno, "`%s`: %s", out, strerror(errno));
	cs_tree_free(t);
	cs_layer_stack_clear(&img);
	if (r < 0) {
		cli_error("%s", e.msg);
		return EXIT_FAILURE_;
	}
	/* the archive's size and hash, for the examiner's notes */
	fputs("csleuth: wrote ", stderr);
	out_escaped(stderr, strcmp(out, "-") == 0 ? "standard output" : out);
	fprintf(stderr, ": %llu bytes, %llu entries, sha256 %s\n", (unsigned long long)res.bytes,
		(unsigned long long)res.entries, res.sha256);
	return cli_exit(c);
}
