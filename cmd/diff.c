/* diff.c - csleuth diff: what a container changed, as docker diff says. */
#include <string.h>

#include "cli.h"
#include "fs/changes.h"
#include "render/fsrender.h"

static const char help[] =
	"Usage: csleuth diff [OPTIONS] CONTAINER\n"
	"\n"
	"List the files and directories the container added (A), changed (C) or\n"
	"deleted (D) compared with its image, as its engine's diff does (`docker\n"
	"diff`, `podman diff`), sorted by path.\n"
	"A system container (LXC, LXD) is compared with the layer below its own\n"
	"(an overlay clone's origin), else with the image file it was unpacked\n"
	"from when the evidence holds it (LXD), else there is no base to compare.\n"
	"\n"
	"  --against S        compare with the container's snapshot S instead\n"
	"  --json             one object per change with type, size, mode, owner (and\n"
	"                     the owner the container saw, when its ids are shifted on\n"
	"                     disk), nanosecond mtime and ctime, layer (numbered from\n"
	"                     the base layer, 0, up), sha256 and file type\n"
	"  --no-magic         with --json, skip the libmagic file type\n"
	"  --provenance       with --json: {\"provenance\": {...}, \"items\": [...]}\n";

static void on_progress(void *ud, size_t done, size_t total)
{
	cli_progress(ud, "hashing and typing files", done, total, NULL);
}

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
	enum { O_JSON = 0x200, O_NOMAGIC, O_PROV, O_AGAINST };
	static const struct option opts[] = {
		{"json", no_argument, NULL, O_JSON},
		{"no-magic", no_argument, NULL, O_NOMAGIC},
		{"provenance", no_argument, NULL, O_PROV},
		{"against", required_argument, NULL, O_AGAINST},
		{0},
	};
	static const cli_opts co = {.cmd = "diff", .help = help, .longopts = opts};
	bool json = false, magic = true, prov = false;
	const char *against = NULL;
	int o, r = 0;
	while ((o = cli_getopt(c, &co, argc, argv, &r)) != -1) {
		switch (o) {
		case CLI_OPT_EXIT: return r;
		case O_JSON: json = true; break;
		case O_NOMAGIC: magic = false; break;
		case O_PROV: prov = true; break;
		case O_AGAINST: against = optarg; break;
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
	/* Podman's own diff walks the container's layer; a snapshot is compared
	 * as a whole tree */
	int rc = ct->layers.upper_diff && !against
			? cs_changes_upper(c->src, ct->layers.v, ct->layers.n, old_tree, new_tree, &ch, &n, &e)
			: cs_changes(old_tree, new_tree, &ch, &n, &e);
	if (rc < 0) {
		cli_error("%s", e.msg);
		cs_tree_free(new_tree);
		cs_tree_free(old_tree);
		cs_source_close(base_src);
		return EXIT_FAILURE_;
	}
	drop_hidden(ct, ch, &n);
	if (json) {
		cs_typer *m = magic ? cs_typer_open() : NULL;
		cli_progress_start(c, "diff");
		char *s = cs_render_changes_json_ids(old_tree, new_tree, ch, n, m, &ct->idmap, on_progress, c);
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
	cs_source_close(base_src);
	return cli_exit(c);
}
