/* diff.c - csleuth diff: what a container changed, as docker diff says. */
#include <string.h>

#include "cli.h"
#include "fs/changes.h"
#include "render/fsrender.h"

static const char help[] =
	"Usage: csleuth diff [OPTIONS] CONTAINER\n"
	"\n"
	"List the files and directories the container added (A), changed (C) or\n"
	"deleted (D) compared with its image, as `docker diff` does, sorted by path.\n"
	"\n"
	"  --json             one object per change with type, size, mode, owner,\n"
	"                     nanosecond mtime and ctime, layer (numbered from the\n"
	"                     base layer, 0, up), sha256 and file type\n"
	"  --no-magic         with --json, skip the libmagic file type\n"
	"  --provenance       with --json: {\"provenance\": {...}, \"items\": [...]}\n";

static void on_progress(void *ud, size_t done, size_t total)
{
	cli_progress(ud, "hashing and typing files", done, total, NULL);
}

int cmd_diff(cli *c, int argc, char **argv)
{
	enum { O_JSON = 0x200, O_NOMAGIC, O_PROV };
	static const struct option opts[] = {
		{"json", no_argument, NULL, O_JSON},
		{"no-magic", no_argument, NULL, O_NOMAGIC},
		{"provenance", no_argument, NULL, O_PROV},
		{0},
	};
	static const cli_opts co = {.cmd = "diff", .help = help, .longopts = opts};
	bool json = false, magic = true, prov = false;
	int o, r = 0;
	while ((o = cli_getopt(c, &co, argc, argv, &r)) != -1) {
		switch (o) {
		case CLI_OPT_EXIT: return r;
		case O_JSON: json = true; break;
		case O_NOMAGIC: magic = false; break;
		case O_PROV: prov = true; break;
		default: return cli_usage_error("diff", "bad option");
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error("diff", "expects exactly one CONTAINER");
	if (prov && !json)
		return cli_usage_error("diff", "--provenance goes with --json");
	if ((r = cli_load(c)) != 0)
		return r;
	const cs_container *ct;
	if ((r = cli_find_container(c, argv[optind], &ct)) != 0)
		return r;
	cli_report_one(c, ct, NULL);
	if (ct->layers.n == 0) {
		cli_error("container %s: its layers are unknown", ct->id);
		return EXIT_FAILURE_;
	}
	cs_tree *new_tree = NULL, *old_tree = NULL;
	if ((r = cli_build_tree(c, &ct->layers, 0, ct->layers.n, &new_tree)) != 0)
		return r;
	if (ct->layers.n > 1 && (r = cli_build_tree(c, &ct->layers, 1, ct->layers.n - 1, &old_tree)) != 0) {
		cs_tree_free(new_tree);
		return r;
	}
	cs_change *ch;
	size_t n;
	cs_error e = {0};
	if (cs_changes(old_tree, new_tree, &ch, &n, &e) < 0) {
		cli_error("%s", e.msg);
		cs_tree_free(new_tree);
		cs_tree_free(old_tree);
		return EXIT_FAILURE_;
	}
	if (json) {
		cs_typer *m = magic ? cs_typer_open() : NULL;
		cli_progress_start(c, "diff");
		char *s = cs_render_changes_json(old_tree, new_tree, ch, n, m, on_progress, c);
		cli_progress_end(c);
		cli_put_json(c, stdout, s, prov);
		free(s);
		cs_typer_close(m);
	} else {
		for (size_t k = 0; k < n; k++) {
			printf("%c ", (char)ch[k].kind);
			out_escaped(stdout, ch[k].path);
			putchar('\n');
		}
	}
	cs_changes_free(ch, n);
	cs_tree_free(new_tree);
	cs_tree_free(old_tree);
	return cli_exit(c);
}
