/* mount.c - csleuth mount / umount: browse a container read-only over FUSE. */
#include <dirent.h>
#include <fuse_log.h>
#include <limits.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fs/changes.h"
#include "cli.h"
#include "csfuse.h"
#include "fs/lazy.h"
#include "fs/tree.h"

/* Tree ids (inode numbers carry them): the view, the deleted view, then one
 * per grafted volume. */
enum { TREE_VIEW = 0, TREE_DELETED = 1, TREE_VOLUME0 = 2 };

/* Opens the lazy view of stack->v[first..first+count): a stat of each layer
 * root, nothing more. */
static int open_lazy(cli *c, const cs_layer_stack *stack, size_t first, size_t count, uint32_t id,
		     const cs_idmap *ids, cs_lazy **ret)
{
	if (first >= stack->n || count == 0) {
		cli_error("no layers to show");
		return EXIT_FAILURE_;
	}
	if (first + count > stack->n)
		count = stack->n - first;
	if (stack->flat)
		count = 1; /* each directory is a whole tree (vfs) */
	cs_lazy_opts o = {.format = stack->whiteouts, .tree_id = id, .ids = ids, .diag = cli_diag_callback(),
			  .diag_userdata = c};
	cs_error e = {0};
	if (cs_lazy_open(c->src, stack->v + first, count, &o, ret, &e) < 0) {
		cli_error("%s", e.msg);
		return EXIT_FAILURE_;
	}
	return 0;
}

static const char help[] =
	"Usage: csleuth mount [OPTIONS] CONTAINER|IMAGE MOUNTPOINT\n"
	"       csleuth umount MOUNTPOINT\n"
	"\n"
	"Mount the container's (or image's) filesystem, rebuilt from its layers,\n"
	"read-only at MOUNTPOINT, an empty directory that is not a mount point.\n"
	"Returns once the mount is ready.\n"
	"\n"
	"  -f, --foreground   stay in the foreground (until unmounted)\n"
	"  --layer N          show the stack only up to layer N (layers are numbered\n"
	"                     from the base, 0, up, as everywhere in csleuth)\n"
	"  --upper            show only the container's own layer\n"
	"  --deleted          add /.csleuth/deleted/ with the lower-layer originals of\n"
	"                     what the container deleted or overwrote\n"
	"  --volumes          show named volumes' data at their destinations\n"
	"  --container-ids    owners as the container saw them (unprivileged LXC/LXD\n"
	"                     containers carry shifted host ids on disk)\n"
	"  --on-disk-ids      owners as stored on disk (a rootless Podman container's\n"
	"                     files show by default the owners the container saw)\n"
	"  --debug            print every FUSE request (implies --foreground)\n"
	"\n"
	"Extended attributes user.csleuth.layer (the layer's number from the base,\n"
	"or `volume`), user.csleuth.layer_id and user.csleuth.evidence_path tell\n"
	"where each entry came from. The mount is nosymfollow where the kernel allows\n"
	"it: links are shown, never followed.\n";

/* libfuse's own messages, with our prefix. */
static void on_fuse_log(enum fuse_log_level level, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
static void on_fuse_log(enum fuse_log_level level, const char *fmt, va_list ap)
{
	(void)level;
	char msg[1024];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	size_t l = strlen(msg);
	while (l && msg[l - 1] == '\n')
		msg[--l] = '\0';
	const char *m = cs_str_startswith(msg, "fuse: ") ? msg + 6 : msg;
	fputs("csleuth: ", stderr);
	out_escaped(stderr, m);
	fputc('\n', stderr);
}

/* Unescapes a mountinfo field (\040 for a space, ...) in place. */
static void unoctal(char *s)
{
	char *w = s;
	for (char *p = s; *p; p++) {
		if (p[0] == '\\' && p[1] >= '0' && p[1] <= '7' && p[2] >= '0' && p[2] <= '7' && p[3] >= '0' &&
		    p[3] <= '7') {
			*w++ = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
			p += 3;
		} else {
			*w++ = *p;
		}
	}
	*w = '\0';
}

/* What is mounted at path ("fuse.csleuth csleuth:abc"), or NULL. Owned. */
static char *mounted_at(const char *path)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return NULL;
	char *line = NULL, *found = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, f) > 0) {
		/* id parent major:minor root mountpoint opts... - fstype source superopts */
		char *save = NULL, *fld[5] = {0};
		char *p = strtok_r(line, " ", &save);
		for (int i = 0; i < 5 && p; i++, p = i < 5 ? strtok_r(NULL, " ", &save) : p)
			fld[i] = p;
		if (!fld[4])
			continue;
		unoctal(fld[4]);
		if (strcmp(fld[4], path) != 0)
			continue;
		char *rest = strtok_r(NULL, "\n", &save);
		char *dash = rest ? strstr(rest, " - ") : NULL;
		if (!dash && rest && cs_str_startswith(rest, "- "))
			dash = rest - 1;
		char fstype[256] = "?", source[512] = "?";
		if (dash) {
			char *s2 = NULL;
			char *t = strtok_r(dash + 3, " ", &s2);
			char *src = t ? strtok_r(NULL, " ", &s2) : NULL;
			if (t)
				snprintf(fstype, sizeof(fstype), "%s", t);
			if (src) {
				unoctal(src);
				snprintf(source, sizeof(source), "%s", src);
			}
		}
		free(found);
		found = cs_xasprintf("%s %s", fstype, source); /* the last mount there is on top */
	}
	free(line);
	fclose(f);
	return found;
}

/* The mount point must be an empty directory that is not a mount point:
 * mounting over another mount stacks silently, and over files hides them. */
static int check_mountpoint(const char *mp)
{
	struct stat st;
	if (stat(mp, &st) != 0) {
		cli_error("mount point `%s`: %s", mp, strerror(errno));
		return EXIT_FAILURE_;
	}
	if (!S_ISDIR(st.st_mode)) {
		cli_error("mount point `%s` is not a directory", mp);
		return EXIT_USAGE;
	}
	char real[PATH_MAX];
	if (realpath(mp, real)) {
		_cleanup_free_ char *what = mounted_at(real);
		if (what) {
			cli_error("`%s` is already a mount point (%s); unmount it first (csleuth umount %s)", mp,
				  what, mp);
			return EXIT_USAGE;
		}
	}
	DIR *d = opendir(mp);
	if (!d) {
		cli_error("mount point `%s`: %s", mp, strerror(errno));
		return EXIT_FAILURE_;
	}
	struct dirent *de;
	const char *first = NULL;
	char name[256];
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(name, sizeof(name), "%s", de->d_name);
		first = name;
		break;
	}
	closedir(d);
	if (first) {
		cli_error("mount point `%s` is not empty (it holds `%s`): mounting there would hide what it "
			  "holds; use an empty directory", mp, first);
		return EXIT_USAGE;
	}
	return 0;
}

/* --deleted: the changes of the container's view against the layers below
 * its own, by diff's rule (two whole trees), but with both trees built only
 * inside the directories that the container's own layer holds: elsewhere
 * the two views are the same (nothing of that layer is below them), so
 * nothing there can differ, and the result is diff's own. */
static bool in_upper(void *ud, const char *rel)
{
	char *p = cs_xasprintf("/%s", rel);
	uint32_t i = cs_tree_resolve(ud, p);
	free(p);
	return i != UINT32_MAX && S_ISDIR(cs_tree_node(ud, i)->st.mode);
}

static int deleted_changes(cli *c, const cs_layer_stack *stack, cs_tree **ret_base, cs_change **ret,
			   size_t *ret_n)
{
	cs_tree *upper = NULL, *full = NULL;
	int r;
	if ((r = cli_build_tree(c, stack, 0, 1, &upper)) != 0)
		return r;
	cs_tree_opts o = {.format = stack->whiteouts, .diag = cli_diag_callback(), .diag_userdata = c,
			  .descend = in_upper, .descend_userdata = upper};
	cs_error e = {0};
	/* a flat stack's directories are whole trees (vfs): each view is one */
	size_t nbase = stack->flat ? 1 : stack->n - 1, nfull = stack->flat ? 1 : stack->n;
	if (cs_tree_build(c->src, stack->v + 1, nbase, &o, ret_base, &e) < 0 ||
	    cs_tree_build(c->src, stack->v, nfull, &o, &full, &e) < 0) {
		cli_error("%s", e.msg);
		cs_tree_free(upper);
		return EXIT_FAILURE_;
	}
	(void)cs_changes(*ret_base, full, ret, ret_n, NULL);
	cs_tree_free(upper);
	cs_tree_free(full);
	return 0;
}

int cmd_mount(cli *c, int argc, char **argv)
{
	enum { O_LAYER = 0x200, O_UPPER, O_DELETED, O_VOLUMES, O_DEBUG, O_CIDS, O_DISKIDS };
	static const struct option opts[] = {
		{"foreground", no_argument, NULL, 'f'}, {"layer", required_argument, NULL, O_LAYER},
		{"upper", no_argument, NULL, O_UPPER},  {"deleted", no_argument, NULL, O_DELETED},
		{"volumes", no_argument, NULL, O_VOLUMES}, {"debug", no_argument, NULL, O_DEBUG},
		{"container-ids", no_argument, NULL, O_CIDS}, {"on-disk-ids", no_argument, NULL, O_DISKIDS},
		{0},
	};
	static const cli_opts co = {.cmd = "mount", .help = help, .shortopts = "f", .longopts = opts};
	cs_fuse_opts fo = {0};
	long layer = -1;
	bool upper = false, deleted = false, volumes = false, cids = false, disk_ids = false;
	int o, r = 0;
	while ((o = cli_getopt(c, &co, argc, argv, &r)) != -1) {
		switch (o) {
		case CLI_OPT_EXIT: return r;
		case 'f': fo.foreground = true; break;
		case O_LAYER: {
			char *end;
			layer = strtol(optarg, &end, 10);
			if (*end || layer < 0)
				return cli_usage_error("mount", "--layer takes a layer number (0 is the base)");
			break;
		}
		case O_UPPER: upper = true; break;
		case O_DELETED: deleted = true; break;
		case O_VOLUMES: volumes = true; break;
		case O_DEBUG: fo.debug = fo.foreground = true; break;
		case O_CIDS: cids = true; break;
		case O_DISKIDS: disk_ids = true; break;
		default: return cli_usage_error("mount", "bad option");
		}
	}
	if (optind + 2 != argc)
		return cli_usage_error("mount", "expects CONTAINER|IMAGE and MOUNTPOINT");
	if (upper && layer >= 0)
		return cli_usage_error("mount", "--upper and --layer exclude each other");
	if (cids && disk_ids)
		return cli_usage_error("mount", "--container-ids and --on-disk-ids exclude each other");
	if ((r = check_mountpoint(argv[optind + 1])) != 0)
		return r;
	if ((r = cli_load(c)) != 0)
		return r;
	fuse_set_log_func(on_fuse_log);
	const char *name = argv[optind];
	fo.mountpoint = argv[optind + 1];
	const cs_image *im = NULL;
	const cs_container *ct;
	cs_layer_stack img;
	const cs_layer_stack *stack;
	if ((r = cli_find_stack(c, name, &ct, &im, &img, &stack)) != 0)
		return r;
	cli_report_one(c, ct, im);
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
			cli_error("`%s` has layers 0 (the base) to %zu", name, stack->n - 1);
			cs_layer_stack_clear(&img);
			return EXIT_USAGE;
		}
		first = stack->n - 1 - (size_t)layer;
		count = stack->n - first;
	}
	/* user.csleuth.layer counts from the base of the whole stack */
	fo.layers_below = (unsigned)(stack->n - first - count);
	cs_lazy *t = NULL, *del = NULL;
	cs_tree *base = NULL;
	cs_change *ch = NULL;
	size_t nch = 0;
	cs_lazy **vt = NULL;
	cs_fuse_graft *gr = NULL;
	size_t ngr = 0;
	const cs_idmap *ids = cli_map_ids(ct, cids, disk_ids) ? &ct->idmap : NULL;
	if ((r = open_lazy(c, stack, first, count, TREE_VIEW, ids, &t)) != 0)
		goto out;
	if (deleted && stack->n > 1) {
		/* what the container deleted or overwrote */
		if ((r = deleted_changes(c, stack, &base, &ch, &nch)) != 0)
			goto out;
		if ((r = open_lazy(c, stack, 1, stack->n - 1, TREE_DELETED, ids, &del)) != 0)
			goto out;
		cs_lazy_show_deleted(del, base, ch, nch);
		cs_changes_free(ch, nch);
		ch = NULL;
		nch = 0;
		cs_tree_free(base);
		base = NULL;
		fo.deleted_tree = del;
	}
	if (volumes) {
		vt = cs_xcalloc(ct->n_mounts + 1, sizeof(cs_lazy *));
		gr = cs_xcalloc(ct->n_mounts + 1, sizeof(cs_fuse_graft));
		for (size_t k = 0; k < ct->n_mounts && TREE_VOLUME0 + ngr < CS_LAZY_MAX_TREES; k++) {
			const cs_mount *mp = &ct->mounts[k];
			if (!mp->evidence_path)
				continue;
			char role[] = "volume";
			cs_layer_dir ld = {.path = mp->evidence_path, .id = mp->name, .role = role};
			cs_layer_stack vs = {.v = &ld, .n = 1, .driver = role};
			if (open_lazy(c, &vs, 0, 1, (uint32_t)(TREE_VOLUME0 + ngr), NULL, &vt[ngr]) != 0)
				continue;
			gr[ngr].path = mp->destination;
			gr[ngr].tree = vt[ngr];
			ngr++;
		}
		fo.grafts = gr;
		fo.n_grafts = ngr;
	}
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
		cs_lazy_free(vt[k]);
	free(vt);
	free(gr);
	cs_lazy_free(t);
	cs_lazy_free(del);
	cs_tree_free(base);
	cs_layer_stack_clear(&img);
	return r;
}

static const char umount_help[] =
	"Usage: csleuth umount MOUNTPOINT\n"
	"\n"
	"Unmount what `csleuth mount` mounted at MOUNTPOINT (with fusermount3, or\n"
	"umount(2) as root). Anything else mounted there is left alone.\n";

int cmd_umount(cli *c, int argc, char **argv)
{
	static const struct option opts[] = {{0}};
	static const cli_opts co = {.cmd = "umount", .help = umount_help, .longopts = opts};
	int o, r = 0;
	while ((o = cli_getopt(c, &co, argc, argv, &r)) != -1) {
		if (o == CLI_OPT_EXIT)
			return r;
		return cli_usage_error("umount", "bad option");
	}
	if (optind + 1 != argc)
		return cli_usage_error("umount", "expects MOUNTPOINT");
	const char *mp = argv[optind];
	char real[PATH_MAX];
	_cleanup_free_ char *what = realpath(mp, real) ? mounted_at(real) : NULL;
	if (!what) {
		cli_error("`%s` is not a mount point", mp);
		return EXIT_FAILURE_;
	}
	if (!cs_str_startswith(what, "fuse.csleuth ")) {
		cli_error("`%s` is not a csleuth mount (%s); left alone", mp, what);
		return EXIT_FAILURE_;
	}
	pid_t pid = fork();
	if (pid == 0) {
		execlp("fusermount3", "fusermount3", "-u", mp, (char *)NULL);
		_exit(127);
	}
	int st = 0;
	if (pid > 0 && waitpid(pid, &st, 0) > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return EXIT_OK;
	if (umount2(mp, 0) == 0)
		return EXIT_OK;
	cli_error("cannot unmount `%s`: %s", mp, strerror(errno));
	return EXIT_FAILURE_;
}
