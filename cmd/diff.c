/* diff.c - csleuth diff: what a container changed, as docker diff says. */
#include <getopt.h>
#include <string.h>

#include "fs/changes.h"
#include "cli.h"
#include "render/fsrender.h"

static const char help[] =
	"Usage: csleuth diff [--json] [--no-magic] CONTAINER\n"
	"\n"
	"List the files and directories the container added (A), changed (C) or\n"
	"deleted (D) compared with its image, as its engine's diff does (`docker\n"
	"diff`, `podman diff`), sorted by path.\n"
	"\n"
	"  --json       one object per change with type, size, mode, owner (and, for\n"
	"               rootless containers, the owner the container saw),\n"
	"               nanosecond mtime and ctime, layer, sha256 and file type\n"
	"  --no-magic   with --json, skip the libmagic file type\n";

/* Drops the changes the engine's own diff leaves out (Podman's mount points). */
static void drop_hidden(const cs_container *ct, cs_change *ch, size_t *n)
{
	size_t k = 0;
	for (size_t i = 0; i < *n; i++) {
		bool hide = false;
		for (char **h = ct->diff_hidden; h && *h && !hide; h++)
			hide = strcmp(*h, ch[i].path) == 0;
		if (hide)
			free(ch[i].path);
		else
			ch[k++] = ch[i];
	}
	*n = k;
}

int cmd_diff(cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"no-magic", no_argument, NULL, 'M'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	bool json = false, magic = true;
	int o;
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (o) {
		case 'j': json = true; break;
		case 'M': magic = false; break;
		case 'h': fputs(help, stdout); return EXIT_OK;
		default: return cli_usage_error("diff", "bad option");
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error("diff", "expects exactly one CONTAINER");
	int r = cli_load(c);
	if (r)
		return r;
	const cs_container *ct;
	if ((r = cli_find_container(c, argv[optind], &ct)) != 0)
		return r;
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
	int rc = ct->layers.upper_diff
			? cs_changes_upper(c->src, ct->layers.v, ct->layers.n, old_tree, new_tree, &ch, &n, &e)
			: cs_changes(old_tree, new_tree, &ch, &n, &e);
	if (rc < 0) {
		cli_error("%s", e.msg);
		cs_tree_free(new_tree);
		cs_tree_free(old_tree);
		return EXIT_FAILURE_;
	}
	drop_hidden(ct, ch, &n);
	if (json) {
		cs_magic *m = magic ? cs_magic_open() : NULL;
		char *s = cs_render_changes_json_ids(old_tree, new_tree, ch, n, m, &ct->idmaps);
		puts(s);
		free(s);
		cs_magic_close(m);
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
