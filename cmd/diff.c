/* diff.c - csleuth diff: what a container changed, as docker diff says. */
#include <getopt.h>
#include <string.h>

#include "fs/changes.h"
#include "cli.h"
#include "render/fsrender.h"

static const char help[] =
	"Usage: csleuth diff [--json] [--no-magic] [--against SNAPSHOT] CONTAINER\n"
	"\n"
	"List the files and directories the container added (A), changed (C) or\n"
	"deleted (D) compared with its image, as `docker diff` does, sorted by path.\n"
	"A system container (LXC, LXD) is compared with the layer below its own\n"
	"(an overlay clone's origin), else with the image file it was unpacked\n"
	"from when the evidence holds it (LXD), else there is no base to compare.\n"
	"\n"
	"  --against S  compare with the container's snapshot S instead\n"
	"  --json       one object per change with type, size, mode, owner (and the\n"
	"               owner the container saw, when its ids are shifted on disk),\n"
	"               nanosecond mtime and ctime, layer, sha256 and file type\n"
	"  --no-magic   with --json, skip the libmagic file type\n";

/* Image member owners as they were shifted on disk (container id -> host). */
static uint32_t to_host(void *ud, char kind, uint32_t id)
{
	const cs_idmap *m = *(const cs_idmap **)ud;
	for (size_t i = 0; i < m->n; i++) {
		const cs_idmap_range *r = &m->v[i];
		if (r->kind == kind && id >= r->ns_id && id - r->ns_id < r->count)
			return r->host_id + (id - r->ns_id);
	}
	return id;
}

/* The tree of the base to compare with: a snapshot, the layers below the
 * container's own, or the image archive. *ret_src receives a source to
 * close after the tree (archives). Prints and returns an exit code on
 * failure. */
static int base_tree(cli *c, const cs_container *ct, const char *against, cs_tree **ret, cs_source **ret_src)
{
	*ret = NULL;
	*ret_src = NULL;
	if (against) {
		for (size_t i = 0; i < ct->n_snapshots; i++) {
			const cs_snapshot *s = &ct->snapshots[i];
			if (!s->name || strcmp(s->name, against) != 0)
				continue;
			if (s->layers.n == 0) {
				cli_error("snapshot `%s` of `%s`: its filesystem is not in the evidence", against, ct->name);
				return EXIT_FAILURE_;
			}
			return cli_build_tree(c, &s->layers, 0, s->layers.n, ret);
		}
		cs_buf names = {0};
		for (size_t i = 0; i < ct->n_snapshots; i++)
			(void)cs_buf_printf(&names, "%s%s", i ? ", " : "", ct->snapshots[i].name);
		cli_error("`%s` has no snapshot `%s` (%s%s)", ct->name, against, ct->n_snapshots ? "snapshots: " : "none",
			  names.data ? names.data : "");
		cs_buf_free(&names);
		return EXIT_NOTFOUND;
	}
	if (ct->layers.n > 1)
		return cli_build_tree(c, &ct->layers, 1, ct->layers.n - 1, ret);
	if (ct->base_archive) {
		cs_error e = {0};
		cs_source *as;
		const cs_idmap *ids = &ct->idmap;
		if (cs_source_open_archive(c->src, ct->base_archive, ct->base_archive_prefix,
					   ct->idmap.shifted ? to_host : NULL, &ids, &as, &e) < 0) {
			cli_error("%s", e.msg);
			return EXIT_FAILURE_;
		}
		char empty[] = "", role[] = "image";
		cs_layer_dir L = {.path = empty, .id = ct->base_archive, .role = role};
		cs_tree_opts o = {.format = CS_WH_AUFS, .diag = cli_diag_callback(), .diag_userdata = c};
		if (cs_tree_build(as, &L, 1, &o, ret, &e) < 0) {
			cli_error("%s", e.msg);
			cs_source_close(as);
			return EXIT_FAILURE_;
		}
		if (!c->quiet) {
			fputs("csleuth: note: compared with the image file ", stderr);
			out_escaped(stderr, ct->base_archive);
			fputc('\n', stderr);
		}
		*ret_src = as;
		return 0;
	}
	if (ct->layers.n == 1 && (ct->type || ct->state_unknown)) {
		cli_error("`%s`: no base to compare with (its root filesystem is one directory, and neither an image "
			  "file nor a lower layer is in the evidence)%s",
			  ct->name, ct->n_snapshots ? "; compare with a snapshot: --against SNAPSHOT" : "");
		return EXIT_FAILURE_;
	}
	return 0;
}

int cmd_diff(cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"no-magic", no_argument, NULL, 'M'},
		{"against", required_argument, NULL, 'a'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	bool json = false, magic = true;
	const char *against = NULL;
	int o;
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (o) {
		case 'j': json = true; break;
		case 'M': magic = false; break;
		case 'a': against = optarg; break;
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
	cs_source *base_src = NULL;
	if ((r = base_tree(c, ct, against, &old_tree, &base_src)) != 0)
		return r;
	if ((r = cli_build_tree(c, &ct->layers, 0, ct->layers.n, &new_tree)) != 0) {
		cs_tree_free(old_tree);
		cs_source_close(base_src);
		return r;
	}
	cs_change *ch;
	size_t n;
	cs_error e = {0};
	if (cs_changes(old_tree, new_tree, &ch, &n, &e) < 0) {
		cli_error("%s", e.msg);
		cs_tree_free(new_tree);
		cs_tree_free(old_tree);
		cs_source_close(base_src);
		return EXIT_FAILURE_;
	}
	if (json) {
		cs_magic *m = magic ? cs_magic_open() : NULL;
		char *s = cs_render_changes_json_ids(old_tree, new_tree, ch, n, m, &ct->idmap);
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
	cs_source_close(base_src);
	return cli_exit(c);
}
