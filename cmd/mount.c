/* mount.c - csleuth mount / umount: browse a container read-only over FUSE. */
#include <getopt.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fs/changes.h"
#include "cli.h"
#include "csfuse.h"
#include "fs/tree.h"

static const char help[] =
	"Usage: csleuth mount [OPTIONS] CONTAINER|IMAGE MOUNTPOINT\n"
	"       csleuth umount MOUNTPOINT\n"
	"\n"
	"Mount the container's (or image's) filesystem, rebuilt from its layers,\n"
	"read-only at MOUNTPOINT. Returns once the mount is ready.\n"
	"\n"
	"  -f, --foreground  stay in the foreground (until unmounted)\n"
	"  --layer N         show the stack only up to layer N (0 = the base layer)\n"
	"  --upper           show only the container's own layer\n"
	"  --deleted         add /.csleuth/deleted/ with the lower-layer originals of\n"
	"                    what the container deleted or overwrote\n"
	"  --volumes         show named volumes' data at their destinations\n"
	"  --on-disk-ids     show owners as stored on disk; by default a rootless\n"
	"                    (user-namespaced) container's files show the owners the\n"
	"                    container saw\n"
	"  --debug           print every FUSE request (implies --foreground)\n"
	"\n"
	"Extended attributes user.csleuth.layer, user.csleuth.layer_id and\n"
	"user.csleuth.evidence_path tell where each entry came from.\n";

int cmd_mount(cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{"foreground", no_argument, NULL, 'f'}, {"layer", required_argument, NULL, 'L'},
		{"upper", no_argument, NULL, 'U'},      {"deleted", no_argument, NULL, 'D'},
		{"volumes", no_argument, NULL, 'V'},    {"debug", no_argument, NULL, 'd'},
		{"on-disk-ids", no_argument, NULL, 'I'}, {"help", no_argument, NULL, 'h'},
		{0},
	};
	cs_fuse_opts fo = {0};
	long layer = -1;
	bool upper = false, deleted = false, volumes = false, disk_ids = false;
	int o;
	while ((o = getopt_long(argc, argv, "hf", opts, NULL)) != -1) {
		switch (o) {
		case 'f': fo.foreground = true; break;
		case 'L': {
			char *end;
			layer = strtol(optarg, &end, 10);
			if (*end || layer < 0)
				return cli_usage_error("mount", "--layer takes a layer number");
			break;
		}
		case 'U': upper = true; break;
		case 'D': deleted = true; break;
		case 'V': volumes = true; break;
		case 'I': disk_ids = true; break;
		case 'd': fo.debug = fo.foreground = true; break;
		case 'h': fputs(help, stdout); return EXIT_OK;
		default: return cli_usage_error("mount", "bad option");
		}
	}
	if (optind + 2 != argc)
		return cli_usage_error("mount", "expects CONTAINER|IMAGE and MOUNTPOINT");
	if (upper && layer >= 0)
		return cli_usage_error("mount", "--upper and --layer exclude each other");
	int r = cli_load(c);
	if (r)
		return r;
	const char *name = argv[optind];
	fo.mountpoint = argv[optind + 1];
	const cs_image *im = NULL;
	const cs_container *ct;
	cs_layer_stack img;
	const cs_layer_stack *stack;
	if ((r = cli_find_stack(c, name, &ct, &im, &img, &stack)) != 0)
		return r;
	if ((upper || deleted || volumes) && !ct) {
		cli_error("--upper, --deleted and --volumes apply to containers");
		cs_layer_stack_clear(&img);
		return EXIT_USAGE;
	}
	size_t first = 0, count = stack->n;
	if (upper)
		count = 1;
	if (layer >= 0) {
		if ((size_t)layer >= stack->n) {
			cli_error("`%s` has layers 0 to %zu", name, stack->n - 1);
			cs_layer_stack_clear(&img);
			return EXIT_USAGE;
		}
		first = stack->n - 1 - (size_t)layer;
		count = stack->n - first;
	}
	cs_tree *t = NULL, *base = NULL, *newt = NULL;
	cs_change *ch = NULL;
	size_t nch = 0;
	cs_tree **vt = NULL;
	cs_fuse_graft *gr = NULL;
	size_t ngr = 0;
	if ((r = cli_build_tree(c, stack, first, count, &t)) != 0)
		goto out;
	if (deleted && stack->n > 1) {
		if ((r = cli_build_tree(c, stack, 1, stack->n - 1, &base)) != 0)
			goto out;
		/* changes of the full container view against its base */
		if (first == 0 && count == stack->n)
			newt = NULL;
		else if ((r = cli_build_tree(c, stack, 0, stack->n, &newt)) != 0)
			goto out;
		(void)cs_changes(base, newt ? newt : t, &ch, &nch, NULL);
		fo.deleted_tree = base;
		fo.changes = ch;
		fo.n_changes = nch;
	}
	if (volumes) {
		vt = cs_xcalloc(ct->n_mounts + 1, sizeof(cs_tree *));
		gr = cs_xcalloc(ct->n_mounts + 1, sizeof(cs_fuse_graft));
		for (size_t k = 0; k < ct->n_mounts; k++) {
			const cs_mount *mp = &ct->mounts[k];
			if (!mp->evidence_path)
				continue;
			char role[] = "volume";
			cs_layer_dir ld = {.path = mp->evidence_path, .id = mp->name, .role = role};
			cs_layer_stack vs = {.v = &ld, .n = 1, .driver = role};
			if (cli_build_tree(c, &vs, 0, 1, &vt[ngr]) != 0)
				continue;
			gr[ngr].path = mp->destination;
			gr[ngr].tree = vt[ngr];
			ngr++;
		}
		fo.grafts = gr;
		fo.n_grafts = ngr;
	}
	if (ct && !disk_ids && (ct->idmaps.n_uid || ct->idmaps.n_gid))
		fo.ids = &ct->idmaps;
	char fsname[128];
	snprintf(fsname, sizeof(fsname), "csleuth:%.12s", ct ? ct->id : im->id + (cs_str_startswith(im->id, "sha256:") ? 7 : 0));
	fo.fsname = fsname;
	fflush(stdout);
	fflush(stderr);
	r = cs_fuse_serve(t, &fo);
	r = r == CS_FUSE_PARENT || (r == 0 && fo.foreground) ? cli_exit(c) : r == 0 ? EXIT_OK : EXIT_FAILURE_;
out:
	cs_changes_free(ch, nch);
	for (size_t k = 0; k < ngr; k++)
		cs_tree_free(vt[k]);
	free(vt);
	free(gr);
	cs_tree_free(t);
	cs_tree_free(base);
	cs_tree_free(newt);
	cs_layer_stack_clear(&img);
	return r;
}

int cmd_umount(cli *c, int argc, char **argv)
{
	(void)c;
	if (argc == 2 && is_help(argv[1])) {
		fputs(help, stdout);
		return EXIT_OK;
	}
	if (argc != 2)
		return cli_usage_error("umount", "expects MOUNTPOINT");
	pid_t pid = fork();
	if (pid == 0) {
		execlp("fusermount3", "fusermount3", "-u", argv[1], (char *)NULL);
		_exit(127);
	}
	int st = 0;
	if (pid > 0 && waitpid(pid, &st, 0) > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return EXIT_OK;
	if (umount2(argv[1], 0) == 0)
		return EXIT_OK;
	cli_error("cannot unmount `%s`: %s", argv[1], strerror(errno));
	return EXIT_FAILURE_;
}
