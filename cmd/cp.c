/* cp.c - csleuth cp CONTAINER:PATH DEST: one file or directory out of a
 * container's rebuilt filesystem, without FUSE.
 *
 * The path is resolved as the container saw it: symlinks in the middle of
 * it are followed inside the container's view (never on this machine), a
 * path under a named volume's mount point is read from the volume. The copy
 * is written with openat() relative to directories it created itself, with
 * O_NOFOLLOW|O_EXCL: it never follows a link and never overwrites a file of
 * the examiner's. Contents, permission bits and nanosecond times are kept;
 * owners only with --archive (as root); set-id bits are dropped; device
 * nodes, FIFOs and sockets are not recreated (they are counted).
 */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "fs/export.h"
#include "fs/tree.h"

static const char help[] =
	"Usage: csleuth cp [OPTIONS] CONTAINER:PATH DEST|-\n"
	"\n"
	"Copy a file or a directory (recursively) out of a container's (or an\n"
	"image's) filesystem as the container saw it, volumes included, without\n"
	"FUSE. DEST is the new name, or an existing directory to copy into; `-`\n"
	"writes a tar archive to standard output, as `docker cp` does. Nothing is\n"
	"overwritten: an existing target is an error. Contents, permission bits\n"
	"and nanosecond times are kept; set-id bits are dropped; device nodes,\n"
	"FIFOs and sockets are skipped (and counted).\n"
	"\n"
	"  -L, --follow-link  copy what a symlink at PATH points to, not the link\n"
	"  -a, --archive      keep owners (uid and gid; needs root)\n";

typedef struct cpctx {
	cli *c;
	const cs_tree *t;
	bool archive;
	uint64_t files, dirs, links, skipped, bytes;
	int err;
	char *buf;
} cpctx;

static void set_times(int dfd, const char *name, const cs_stat *st)
{
	struct timespec ts[2] = {{.tv_nsec = UTIME_OMIT}, {.tv_nsec = UTIME_OMIT}};
	cs_time t[2] = {st->atime, st->mtime};
	for (int i = 0; i < 2; i++)
		if (CS_TIME_IS_REAL(t[i])) {
			int64_t s = t[i] / 1000000000, ns = t[i] % 1000000000;
			if (ns < 0) {
				ns += 1000000000;
				s--;
			}
			ts[i].tv_sec = (time_t)s;
			ts[i].tv_nsec = (long)ns;
		}
	(void)utimensat(dfd, name, ts, AT_SYMLINK_NOFOLLOW);
}

static void fail(cpctx *x, const char *what, const char *name)
{
	cli_error("`%s`: %s: %s", name, what, strerror(errno));
	x->err = EXIT_FAILURE_;
}

static void copy_node(cpctx *x, uint32_t i, int dfd, const char *name, const char *shown, unsigned depth)
{
	if (x->err)
		return;
	const cs_tnode *nd = cs_tree_node(x->t, i);
	mode_t perm = (mode_t)(nd->st.mode & 0777);
	if (S_ISDIR(nd->st.mode)) {
		if (mkdirat(dfd, name, 0700) != 0)
			return fail(x, "cannot create directory", shown);
		int sub = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0)
			return fail(x, "cannot open the new directory", shown);
		x->dirs++;
		if (depth < CS_TREE_MAX_DEPTH)
			for (uint32_t k = nd->child0; k < nd->child0 + nd->nchild && !x->err; k++) {
				const cs_tnode *cn = cs_tree_node(x->t, k);
				char *cshown = cs_xasprintf("%s/%s", shown, cn->name);
				copy_node(x, k, sub, cn->name, cshown, depth + 1);
				free(cshown);
			}
		if (x->archive)
			(void)fchown(sub, nd->st.uid, nd->st.gid);
		(void)fchmod(sub, perm);
		close(sub);
		set_times(dfd, name, &nd->st);
		return;
	}
	if (S_ISLNK(nd->st.mode)) {
		if (symlinkat(nd->link ? nd->link : "", dfd, name) != 0)
			return fail(x, "cannot create symlink", shown);
		if (x->archive)
			(void)fchownat(dfd, name, nd->st.uid, nd->st.gid, AT_SYMLINK_NOFOLLOW);
		set_times(dfd, name, &nd->st);
		x->links++;
		return;
	}
	if (!S_ISREG(nd->st.mode)) {
		x->skipped++;
		return;
	}
	cs_file *f = NULL;
	cs_error e = {0};
	if (cs_tree_open(x->t, i, &f, &e) < 0) {
		cli_error("`%s`: %s", shown, e.msg);
		x->err = EXIT_FAILURE_;
		return;
	}
	int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		cs_file_close(f);
		return fail(x, "cannot create", shown);
	}
	uint64_t off = 0, size = cs_file_size(f);
	while (off < size) {
		size_t chunk = size - off < (1u << 20) ? (size_t)(size - off) : (1u << 20);
		ssize_t n = cs_file_pread(f, x->buf, chunk, off);
		if (n <= 0) {
			cli_error("`%s`: short read at byte %llu of the evidence file", shown, (unsigned long long)off);
			x->err = EXIT_FAILURE_;
			break;
		}
		for (ssize_t w = 0; w < n;) {
			ssize_t k = write(fd, x->buf + w, (size_t)(n - w));
			if (k < 0) {
				if (errno == EINTR)
					continue;
				close(fd);
				cs_file_close(f);
				return fail(x, "write error", shown);
			}
			w += k;
		}
		off += (uint64_t)n;
	}
	cs_file_close(f);
	if (x->archive)
		(void)fchown(fd, nd->st.uid, nd->st.gid);
	(void)fchmod(fd, perm);
	close(fd);
	set_times(dfd, name, &nd->st);
	x->files++;
	x->bytes += off;
}

/* The mount whose destination holds path (the longest), with the rest of
 * the path inside it. */
static const cs_mount *volume_of(const cs_container *ct, const char *path, const char **rest)
{
	const cs_mount *best = NULL;
	size_t bl = 0;
	for (size_t m = 0; ct && m < ct->n_mounts; m++) {
		const cs_mount *mp = &ct->mounts[m];
		if (!mp->evidence_path || !mp->destination)
			continue;
		size_t l = strlen(mp->destination);
		while (l > 1 && mp->destination[l - 1] == '/')
			l--;
		if (strncmp(path, mp->destination, l) == 0 && (path[l] == '/' || path[l] == '\0') && l > bl) {
			best = mp;
			bl = l;
		}
	}
	if (best)
		*rest = path[bl] ? path + bl : "/";
	return best;
}

int cmd_cp(cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{"follow-link", no_argument, NULL, 'L'},
		{"archive", no_argument, NULL, 'a'},
		{0},
	};
	static const cli_opts co = {.cmd = "cp", .help = help, .shortopts = "La", .longopts = opts};
	bool follow = false, archive = false;
	int o, r = 0;
	while ((o = cli_getopt(c, &co, argc, argv, &r)) != -1) {
		switch (o) {
		case CLI_OPT_EXIT: return r;
		case 'L': follow = true; break;
		case 'a': archive = true; break;
		default: return cli_usage_error("cp", "bad option");
		}
	}
	if (optind + 2 != argc)
		return cli_usage_error("cp", "expects CONTAINER:PATH and DEST");
	const char *src = argv[optind], *dest = argv[optind + 1];
	if (strstr(dest, ":/") && !strstr(src, ":/"))
		return cli_usage_error("cp", "the evidence is read-only: csleuth copies out of containers only");
	const char *sep = strstr(src, ":/");
	if (!sep)
		return cli_usage_error("cp", "expects CONTAINER:PATH with an absolute PATH, not `%s`", src);
	_cleanup_free_ char *name = cs_xstrndup(src, (size_t)(sep - src));
	const char *path = sep + 1;
	bool to_stdout = strcmp(dest, "-") == 0;
	if (to_stdout && isatty(1)) {
		cli_error("refusing to write a tar archive to a terminal; give a DEST");
		return EXIT_USAGE;
	}
	if ((r = cli_load(c)) != 0)
		return r;
	cs_layer_stack img;
	const cs_layer_stack *stack;
	const cs_container *ct;
	const cs_image *im = NULL;
	if ((r = cli_find_stack(c, name, &ct, &im, &img, &stack)) != 0)
		return r;
	cli_report_one(c, ct, im);
	/* a path inside a named volume is read from the volume */
	const char *rest = path;
	const cs_mount *vm = volume_of(ct, path, &rest);
	cs_tree *t = NULL;
	if (vm) {
		char role[] = "volume";
		cs_layer_dir ld = {.path = vm->evidence_path, .id = vm->name, .role = role};
		cs_layer_stack vs = {.v = &ld, .n = 1, .driver = role};
		r = cli_build_tree(c, &vs, 0, 1, &t);
	} else {
		r = cli_build_tree(c, stack, 0, stack->n, &t);
	}
	cs_layer_stack_clear(&img);
	if (r)
		return r;
	uint32_t node = cs_tree_resolve_follow(t, rest, follow);
	if (node == UINT32_MAX) {
		cli_error("`%s`: no such file or directory in %s `%s`%s", path, ct ? "container" : "image", name,
			  vm ? " (in its volume)" : "");
		cs_tree_free(t);
		return EXIT_NOTFOUND;
	}
	const cs_tnode *nd = cs_tree_node(t, node);
	/* the name the copy gets: the last component of PATH (the volume's
	 * mount point for the volume's root) */
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	_cleanup_free_ char *bname = NULL;
	if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
		char *tp = cs_tree_path(t, node);
		const char *b2 = strrchr(tp, '/');
		bname = cs_xstrdup(b2 && b2[1] ? b2 + 1 : node == 0 && vm ? (strrchr(vm->destination, '/') + 1) : "root");
		free(tp);
	} else {
		bname = cs_xstrdup(base);
	}
	if (to_stdout) {
		cs_export_opts eo = {.precise = true, .root = node, .root_name = bname, .diag = cli_diag_callback(),
				     .diag_userdata = c};
		cs_error e = {0};
		if (node == 0) {
			/* the whole tree under its directory name */
			eo.root = 0;
		}
		r = cs_export_tar(t, 1, &eo, &e);
		cs_tree_free(t);
		if (r < 0) {
			cli_error("%s", e.msg);
			return EXIT_FAILURE_;
		}
		return cli_exit(c);
	}
	/* DEST: an existing directory to copy into, or the new name */
	struct stat st;
	_cleanup_free_ char *parent = NULL, *leaf = NULL;
	if (stat(dest, &st) == 0 && S_ISDIR(st.st_mode)) {
		parent = cs_xstrdup(dest);
		leaf = cs_xstrdup(bname);
	} else {
		size_t dl = strlen(dest);
		if (dl && dest[dl - 1] == '/') {
			cli_error("destination directory `%s` does not exist", dest);
			cs_tree_free(t);
			return EXIT_FAILURE_;
		}
		const char *slash = strrchr(dest, '/');
		parent = slash ? (slash == dest ? cs_xstrdup("/") : cs_xstrndup(dest, (size_t)(slash - dest)))
			       : cs_xstrdup(".");
		leaf = cs_xstrdup(slash ? slash + 1 : dest);
	}
	_cleanup_free_ char *target = cs_xasprintf("%s/%s", parent, leaf);
	if (cli_output_inside_evidence(c, target)) {
		cli_error("refusing to write `%s` inside the evidence", target);
		cs_tree_free(t);
		return EXIT_USAGE;
	}
	int dfd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		cli_error("`%s`: %s", parent, strerror(errno));
		cs_tree_free(t);
		return EXIT_FAILURE_;
	}
	if (fstatat(dfd, leaf, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		cli_error("`%s` exists: csleuth cp does not overwrite", target);
		close(dfd);
		cs_tree_free(t);
		return EXIT_FAILURE_;
	}
	cpctx x = {.c = c, .t = t, .archive = archive, .buf = cs_xmalloc(1u << 20)};
	copy_node(&x, node, dfd, leaf, target, 0);
	close(dfd);
	free(x.buf);
	cs_tree_free(t);
	if (x.err)
		return x.err;
	fputs("csleuth: copied to ", stderr);
	out_escaped(stderr, target);
	fprintf(stderr, ": %llu files (%llu bytes), %llu directories, %llu symlinks", (unsigned long long)x.files,
		(unsigned long long)x.bytes, (unsigned long long)x.dirs, (unsigned long long)x.links);
	if (x.skipped)
		fprintf(stderr, "; %llu device nodes, FIFOs or sockets not recreated", (unsigned long long)x.skipped);
	fputc('\n', stderr);
	(void)nd;
	return cli_exit(c);
}
