/* cli.c - options, evidence loading, diagnostics and output helpers for
 * the commands (see cli.h). */
#include "cli.h"

#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/strmap.h"
#include "engines/engines.h"
#include "formats/sanitize.h"
#include "fs/tree.h"
#include "formats/imagehash.h"
#include "host/disk.h"
#include "render/template.h"

#ifndef CSLEUTH_VERSION
#define CSLEUTH_VERSION "unknown"
#endif

/* --- messages --- */

void cli_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char msg[4096];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fputs("csleuth: ", stderr);
	out_escaped(stderr, msg);
	fputc('\n', stderr);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char msg[4096];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* one line: what is wrong, and where the help is */
	fprintf(stderr, "csleuth%s%s: ", cmd ? " " : "", cmd ? cmd : "");
	out_escaped(stderr, msg);
	fprintf(stderr, " (see 'csleuth %s%s--help')\n", cmd ? cmd : "", cmd ? " " : "");
	return EXIT_USAGE;
}

void cli_note(cli *c, const char *fmt, ...)
{
	if (c->quiet)
		return;
	va_list ap;
	va_start(ap, fmt);
	char msg[4096];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cli_progress_clear(c);
	fputs("csleuth: note: ", stderr);
	out_escaped(stderr, msg);
	fputc('\n', stderr);
}

void out_escaped(FILE *f, const char *s)
{
	char *e = cs_escape_dup(s);
	fputs(e, f);
	free(e);
}

/* --- options --- */

enum {
	OPT_ROOT = 0x1000,
	OPT_SYSROOT,
	OPT_NO_WARNINGS,
	OPT_NO_OPENAT2,
	OPT_HELP,
	OPT_IMAGE,
	OPT_ARCHIVE,
	OPT_PARTITION,
	OPT_VERIFY,
};

static const struct option global_opts[] = {
	{"root", required_argument, NULL, OPT_ROOT},
	{"sysroot", required_argument, NULL, OPT_SYSROOT},
	{"no-warnings", no_argument, NULL, OPT_NO_WARNINGS},
	{"no-openat2", no_argument, NULL, OPT_NO_OPENAT2}, /* testing: force the portable walk */
	{"help", no_argument, NULL, OPT_HELP},
	{"image", required_argument, NULL, OPT_IMAGE},
	{"archive", required_argument, NULL, OPT_ARCHIVE},
	{"partition", required_argument, NULL, OPT_PARTITION},
	{"verify", no_argument, NULL, OPT_VERIFY},
};

const char cli_global_help[] =
	"\n"
	"Global options (before or after the command name):\n"
	"  --root DIR      one engine's data root: Docker, containerd, a\n"
	"                  containers/storage graphroot (Podman, CRI-O), an LXC\n"
	"                  lxcpath, an LXD or Incus directory, recognised (default:\n"
	"                  this machine's /var/lib/docker)\n"
	"  --sysroot DIR   a mounted host filesystem: every engine's data roots are\n"
	"                  found from its configuration (daemon.json, config.toml,\n"
	"                  storage.conf, etc/crio/, lxc.conf, unit files, users'\n"
	"                  homes and rootless stores) or default places, symlinks\n"
	"                  resolved inside DIR\n"
	"  --image FILE    a disk image (raw, E01, VMDK, VHD, VHDX, QCOW2), read\n"
	"                  without mounting it; repeat for the pieces of a split raw\n"
	"                  image; the host is found from etc/os-release and etc/fstab\n"
	"  --partition ID  read one volume of the image (see `csleuth partitions`)\n"
	"  --archive FILE  a triage collection (tar, tar.gz/zst/xz/bz2, zip)\n"
	"                  (with --image or --archive, --root and --sysroot name a\n"
	"                  path inside them)\n"
	"  --verify        check the image's stored hashes (E01) against its media\n"
	"                  first (alone: only that)\n"
	"  --no-warnings   do not print per-item warnings (the exit status still says;\n"
	"                  -q before the command name, or after it where the command\n"
	"                  has no -q of its own)\n"
	"  -h, --help      show this help\n"
	"\n"
	"Exit status: 0 ok, 1 failure, 2 usage error, 3 completed with warnings about\n"
	"what was reported, 4 a named container or image was not found or is ambiguous.\n";

void cli_help(const char *help)
{
	fputs(help, stdout);
	fputs(cli_global_help, stdout);
}

/* The long option names of a table, for "did you mean". */
static const char *closest_option(const char *bad, const struct option *opts)
{
	const char *names[256];
	size_t n = 0;
	for (size_t i = 0; opts[i].name && n < 256; i++)
		names[n++] = opts[i].name;
	char b[128];
	snprintf(b, sizeof(b), "%s", bad + strspn(bad, "-"));
	b[strcspn(b, "=")] = '\0';
	return cs_closest(b, names, n);
}

void cli_add_image(cli *c, const char *path)
{
	c->images = cs_xreallocarray(c->images, c->n_images + 1, sizeof(*c->images));
	c->images[c->n_images++] = path;
}

int cli_check_evidence_opts(const cli *c)
{
	const char *bad = NULL;
	if (c->root && c->sysroot)
		bad = "--root and --sysroot exclude each other";
	else if (c->n_images && c->archive)
		bad = "--image and --archive exclude each other";
	else if (c->partition && !c->n_images)
		bad = "--partition needs --image";
	else if (c->verify && !c->n_images)
		bad = "--verify needs --image";
	return bad ? cli_usage_error(NULL, "%s", bad) : 0;
}

int cli_getopt(cli *c, const cli_opts *o, int argc, char **argv, int *ret_exit)
{
	if (c->optfor != o) {
		size_t n = 0;
		while (o->longopts && o->longopts[n].name)
			n++;
		free(c->optbuf);
		c->optbuf = cs_xcalloc(n + CS_ARRAY_SIZE(global_opts) + 1, sizeof(struct option));
		memcpy(c->optbuf, o->longopts, n * sizeof(struct option));
		memcpy(c->optbuf + n, global_opts, sizeof(global_opts));
		c->optfor = o;
	}
	char shorts[128];
	snprintf(shorts, sizeof(shorts), ":%sh%s", o->shortopts ? o->shortopts : "", o->own_quiet ? "" : "q");
	opterr = 0;
	for (;;) {
		int idx = -1;
		int r = getopt_long(argc, argv, shorts, c->optbuf, &idx);
		switch (r) {
		case OPT_ROOT: c->root = optarg; continue;
		case OPT_SYSROOT: c->sysroot = optarg; continue;
		case OPT_NO_WARNINGS: c->quiet = true; continue;
		case OPT_NO_OPENAT2: c->source_flags |= CS_SOURCE_NO_OPENAT2; continue;
		case OPT_IMAGE: cli_add_image(c, optarg); continue;
		case OPT_ARCHIVE: c->archive = optarg; continue;
		case OPT_PARTITION: c->partition = optarg; continue;
		case OPT_VERIFY: c->verify = true; continue;
		case 'q':
			if (!o->own_quiet) {
				c->quiet = true;
				continue;
			}
			return r;
		case 'h':
		case OPT_HELP:
			cli_help(o->help);
			*ret_exit = EXIT_OK;
			return CLI_OPT_EXIT;
		case ':': {
			const char *bad = argv[optind - 1];
			if (optopt && !cs_str_startswith(bad, "--"))
				cli_usage_error(o->cmd, "option `-%c` needs a value", optopt);
			else
				cli_usage_error(o->cmd, "option `%s` needs a value", bad);
			*ret_exit = EXIT_USAGE;
			return CLI_OPT_EXIT;
		}
		case '?': {
			const char *bad = argv[optind - 1];
			char what[160];
			if (optopt && !cs_str_startswith(bad, "--"))
				snprintf(what, sizeof(what), "-%c", optopt);
			else
				snprintf(what, sizeof(what), "%s", bad);
			const char *near = cs_str_startswith(what, "--") ? closest_option(what, c->optbuf) : NULL;
			if (near)
				cli_usage_error(o->cmd, "unknown option `%s`; did you mean `--%s`?", what, near);
			else
				cli_usage_error(o->cmd, "unknown option `%s`", what);
			*ret_exit = EXIT_USAGE;
			return CLI_OPT_EXIT;
		}
		default:
			return r;
		}
	}
}

/* --- diagnostics --- */

static void print_diag(cli *c, cs_severity sev, const char *msg)
{
	if (c->quiet)
		return;
	cli_progress_clear(c);
	fputs(sev == CS_WARN ? "csleuth: warning: " : "csleuth: note: ", stderr);
	out_escaped(stderr, msg);
	fputc('\n', stderr);
}

static void on_diag(void *ud, const cs_diag *d)
{
	cli *c = ud;
	if (c->loading) {
		/* held until the command says what it reports */
		cs_severity sev = d->severity;
		char *msg = NULL;
		/* a triage collection holds what the collector chose: a file it
		 * left out is not damage (cs_host_load words the item's problem
		 * the same way, so the two still match in cli_report) */
		if (sev == CS_WARN && d->file && c->src && cs_source_is_partial(c->src) &&
		    !cs_source_exists(c->src, d->file)) {
			sev = CS_NOTE;
			if (!cs_str_startswith(d->msg, "not collected: "))
				msg = cs_xasprintf("not collected: %s", d->msg);
		}
		cli_held *h = CS_PUSH(c->held, c->n_held, c->cap_held);
		h->severity = sev;
		h->file = cs_xstrdup(d->file);
		h->msg = msg ? msg : cs_xstrdup(d->msg);
		return;
	}
	if (d->severity == CS_WARN && d->file && c->src && cs_source_is_partial(c->src) &&
	    !cs_source_exists(c->src, d->file)) {
		_cleanup_free_ char *msg = cs_xasprintf("not collected: %s", d->msg);
		print_diag(c, CS_NOTE, msg);
		return;
	}
	if (d->severity == CS_WARN)
		c->warnings++; /* notes tell, they do not change the exit status */
	print_diag(c, d->severity, d->msg);
}

cs_diag_fn cli_diag_callback(void)
{
	return on_diag;
}

static char *held_key(const char *file, const char *msg)
{
	return cs_xasprintf("%s\x1f%s", file ? file : "", msg ? msg : "");
}

void cli_report(cli *c, const cli_scope *s)
{
	if (c->reported)
		return;
	c->reported = true;
	const cs_host *h = c->host;
	if (!h) {
		for (size_t i = 0; i < c->n_held; i++) {
			if (c->held[i].severity == CS_WARN)
				c->warnings++;
			print_diag(c, c->held[i].severity, c->held[i].msg);
		}
		return;
	}
	/* owner of each problem: index+1 into containers, then images */
	size_t nc = h->n_containers, ni = h->n_images;
	cs_strmap owner = {0};
	for (size_t i = 0; i < nc + ni; i++) {
		const cs_problems *p = i < nc ? &h->containers[i]->problems : &h->images[i - nc]->problems;
		for (size_t k = 0; k < p->n; k++) {
			char *key = held_key(p->v[k].file, p->v[k].msg);
			if (!cs_strmap_has(&owner, key))
				cs_strmap_put(&owner, key, (void *)(uintptr_t)(i + 1));
			free(key);
		}
	}
	/* data-root problems of the engine a listing is filtered to: index+1 into roots */
	cs_strmap rowner = {0};
	for (size_t r = 0; s->engine && r < h->n_roots; r++) {
		const cs_problems *p = &h->roots[r]->problems;
		for (size_t k = 0; k < p->n; k++) {
			char *key = held_key(p->v[k].file, p->v[k].msg);
			if (!cs_strmap_has(&rowner, key))
				cs_strmap_put(&rowner, key, (void *)(uintptr_t)(r + 1));
			free(key);
		}
	}
	bool *selected = cs_xcalloc(nc + ni + 1, sizeof(bool));
	bool *other = cs_xcalloc(nc + ni + 1, sizeof(bool));
	for (size_t i = 0; i < nc; i++)
		for (size_t k = 0; k < s->n_cts; k++)
			selected[i] = selected[i] || h->containers[i] == s->cts[k];
	for (size_t i = 0; i < ni; i++)
		for (size_t k = 0; k < s->n_ims; k++)
			selected[nc + i] = selected[nc + i] || h->images[i] == s->ims[k];
	size_t other_root = 0;
	for (size_t i = 0; i < c->n_held; i++) {
		const cli_held *d = &c->held[i];
		char *key = held_key(d->file, d->msg);
		size_t who = (size_t)(uintptr_t)cs_strmap_get(&owner, key);
		size_t root = (size_t)(uintptr_t)cs_strmap_get(&rowner, key);
		free(key);
		bool mine = who ? selected[who - 1]
				: s->roots || (root && h->roots[root - 1]->engine &&
					       strcmp(h->roots[root - 1]->engine, s->engine) == 0);
		if (mine) {
			if (d->severity == CS_WARN)
				c->warnings++;
			print_diag(c, d->severity, d->msg);
		} else if (d->severity == CS_WARN) {
			if (who)
				other[who - 1] = true;
			else
				other_root++;
		}
	}
	size_t oc = 0, oi = 0;
	for (size_t i = 0; i < nc + ni; i++)
		if (other[i])
			*(i < nc ? &oc : &oi) += 1;
	if (oc || oi || other_root) {
		char what[256] = "";
		size_t l = 0;
		if (oc)
			l += (size_t)snprintf(what + l, sizeof(what) - l, "%zu other container%s", oc, oc == 1 ? "" : "s");
		if (oi)
			l += (size_t)snprintf(what + l, sizeof(what) - l, "%s%zu other image%s", oc ? " and " : "", oi,
					      oi == 1 ? "" : "s");
		if (oc || oi)
			l += (size_t)snprintf(what + l, sizeof(what) - l, " %s damaged", oc + oi == 1 ? "is" : "are");
		if (other_root)
			snprintf(what + l, sizeof(what) - l, "%s%zu problem%s of the data root itself", l ? "; " : "",
				 other_root, other_root == 1 ? "" : "s");
		cli_note(c, "%s; see csleuth %s", what,
			 oc && oi ? "ps and csleuth images" : oi ? "images" : "ps");
	}
	free(selected);
	free(other);
	cs_strmap_free(&owner, NULL);
	cs_strmap_free(&rowner, NULL);
}

int cli_filter_add(cli_filters *f, const char *cmd, const char *arg)
{
	const char *eq = strchr(arg, '=');
	if (!eq)
		return cli_usage_error(cmd, "bad filter `%s` (KEY=VALUE)", arg);
	cli_filter *x = CS_PUSH(f->v, f->n, f->cap);
	x->key = cs_xstrndup(arg, (size_t)(eq - arg));
	x->val = cs_xstrdup(eq + 1);
	return 0;
}

bool cli_filters_pass(const cli_filters *f, bool (*one)(void *ud, const cli_filter *x, int *err), void *ud,
		      int *err)
{
	for (size_t i = 0; i < f->n && !*err; i++) {
		bool seen = false; /* this key's values were weighed already */
		for (size_t k = 0; k < i && !seen; k++)
			seen = strcmp(f->v[k].key, f->v[i].key) == 0;
		if (seen)
			continue;
		bool any = false;
		for (size_t k = i; k < f->n && !*err && !any; k++)
			any = strcmp(f->v[k].key, f->v[i].key) == 0 && one(ud, &f->v[k], err);
		if (!any)
			return false;
	}
	return !*err;
}

bool cli_filters_has(const cli_filters *f, const char *key)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->v[i].key, key) == 0)
			return true;
	return false;
}

void cli_filters_free(cli_filters *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].key);
		free(f->v[i].val);
	}
	free(f->v);
	*f = (cli_filters){0};
}

void cli_report_one(cli *c, const cs_container *ct, const cs_image *im)
{
	cli_scope s = {.cts = ct ? &ct : NULL, .n_cts = ct ? 1 : 0, .ims = im ? &im : NULL, .n_ims = im ? 1 : 0};
	cli_report(c, &s);
}

void cli_report_all(cli *c)
{
	cli_scope s = {.roots = true};
	if (c->host) {
		s.cts = (const cs_container *const *)c->host->containers;
		s.n_cts = c->host->n_containers;
		s.ims = (const cs_image *const *)c->host->images;
		s.n_ims = c->host->n_images;
	}
	cli_report(c, &s);
}

/* --- loading the evidence --- */

/* Says once, before anything is read from it, that the evidence is on a
 * mount where reading symbolic links changes their access times. */
static void atime_note(cli *c, const char *path, const char *shown)
{
	if (c->atime_noted || c->quiet)
		return;
	if (cs_source_changes_atimes(c->src, path, NULL) != 1)
		return;
	c->atime_noted = true;
	cli_progress_clear(c);
	fputs("csleuth: note: ", stderr);
	out_escaped(stderr, shown);
	fputs(" is on a writable mount without noatime: reading a symbolic link updates its "
	      "access time and no open flag prevents it, so the access times of the links "
	      "csleuth reads (the layer links such as Docker's overlay2/l/* and containers/storage's "
	      "overlay/l/*, links inside layers and root file systems, links on the way to the data "
	      "root) will change; files and directories keep theirs (O_NOATIME). To change "
	      "nothing, remount it read-only (mount -o remount,ro), bind-mount it read-only or "
	      "with noatime, or read the disk image.\n",
	      stderr);
}

static void on_root(void *ud, const cs_engine_root *r)
{
	cli *c = ud;
	if (c->sysroot && r->path && *r->path) {
		/* a data root on another mount than the host filesystem's root */
		_cleanup_free_ char *shown = cs_path_join(c->sysroot, r->path);
		atime_note(c, r->path, shown);
	}
	if (c->quiet)
		return;
	size_t n;
	const cs_engine *const *all = cs_engines(&n);
	/* with --root, say how the directory is read when it is not the
	 * registry's first (the usual) kind */
	if (!c->src_sysroot && n && r->engine == all[0])
		return;
	cli_progress_clear(c);
	fprintf(stderr, "csleuth: %s ", r->engine->what);
	out_escaped(stderr, r->host_path ? r->host_path : *r->path ? r->path : cs_source_root(c->src));
	if (r->origin) {
		fputs(" (from ", stderr);
		out_escaped(stderr, r->origin);
		fputs(")", stderr);
	}
	fputc('\n', stderr);
}

/* The nearest ancestor of path that looks like the root of a host
 * filesystem (it holds etc/ and var/), or NULL. Owned. */
static char *host_ancestor(const char *path)
{
	char buf[PATH_MAX];
	snprintf(buf, sizeof(buf), "%s", path);
	for (int up = 0; up < 12; up++) {
		char *slash = strrchr(buf, '/');
		if (!slash)
			break;
		if (slash == buf) {
			buf[1] = '\0';
		} else {
			*slash = '\0';
		}
		char a[PATH_MAX + 8], b[PATH_MAX + 8];
		snprintf(a, sizeof(a), "%s/etc", strcmp(buf, "/") ? buf : "");
		snprintf(b, sizeof(b), "%s/var", strcmp(buf, "/") ? buf : "");
		struct stat sa, sb;
		if (lstat(a, &sa) == 0 && S_ISDIR(sa.st_mode) && lstat(b, &sb) == 0 && S_ISDIR(sb.st_mode))
			return strcmp(buf, "/") == 0 ? NULL : cs_xstrdup(buf);
		if (strcmp(buf, "/") == 0)
			break;
	}
	return NULL;
}

static int refuse_link(const char *root, const char *link, const char *target)
{
	_cleanup_free_ char *host = host_ancestor(root);
	char hint[PATH_MAX + 64];
	if (host)
		snprintf(hint, sizeof(hint), "--sysroot %s", host);
	else
		snprintf(hint, sizeof(hint), "--sysroot with the directory the disk is mounted on");
	cli_error("`%s` is a symlink to `%s`: csleuth does not follow it onto this machine; "
		  "use %s, which resolves it inside the evidence",
		  link, target, hint);
	return EXIT_FAILURE_;
}

/* A data root given with --root must not be a symlink: it would be followed
 * on this machine. Prints and returns an exit code, or 0. */
static int check_root_link(const char *root)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s", root);
	size_t l = strlen(p);
	while (l > 1 && p[l - 1] == '/')
		p[--l] = '\0';
	struct stat st;
	if (lstat(p, &st) != 0 || !S_ISLNK(st.st_mode))
		return 0;
	char target[PATH_MAX];
	ssize_t tl = readlink(p, target, sizeof(target) - 1);
	target[tl < 0 ? 0 : tl] = '\0';
	return refuse_link(p, p, target);
}

/* Nor may an entry directly in it be a symlink that leaves it (an absolute
 * target, or one that climbs out): inside the evidence it would resolve to
 * the wrong place. Read through the source, so no access time changes. */
static int check_root_entries(cli *c)
{
	cs_dirent *d = NULL;
	size_t n = 0;
	if (cs_source_list(c->src, "", &d, &n, NULL) < 0)
		return 0;
	int r = 0;
	for (size_t i = 0; i < n && !r; i++) {
		cs_stat st;
		if (cs_source_stat(c->src, d[i].name, false, &st, NULL) < 0 || !S_ISLNK(st.mode))
			continue;
		char *target = NULL;
		if (cs_source_readlink(c->src, d[i].name, &target, NULL) < 0)
			continue;
		if (target[0] == '/' || strcmp(target, "..") == 0 || cs_str_startswith(target, "../")) {
			_cleanup_free_ char *link = cs_xasprintf("%s/%s", c->root, d[i].name);
			r = refuse_link(c->root, link, target);
		}
		free(target);
	}
	cs_dirents_free(d, n);
	return r;
}

int cli_open_disk(cli *c)
{
	if (c->disk)
		return 0;
	int r = cli_check_evidence_opts(c);
	if (r)
		return r;
	if (c->n_images == 0) {
		cli_error("no --image given");
		return EXIT_USAGE;
	}
	cs_error e = {0};
	cs_disk_opts o = {.diag = on_diag, .diag_userdata = c};
	if (cs_disk_open(c->images, c->n_images, &o, &c->disk, &e) < 0) {
		cli_error("%s", e.msg);
		return EXIT_FAILURE_;
	}
	if (c->verify && !c->verified) {
		/* --verify before a command: the report goes to stderr, and a
		 * failed verification stops the run */
		c->verified = true;
		c->verify_to_stderr = true;
		r = cli_verify(c);
		if (r)
			return r;
	}
	return 0;
}

/* Tells the examiner which volumes make up the host tree. */
static void print_host(const cli *c, const cs_disk_host *h)
{
	if (c->quiet || h->n_mounts == 0)
		return;
	const cs_media *img = cs_disk_image(c->disk);
	fputs("csleuth: ", stderr);
	out_escaped(stderr, img->dev->name);
	fprintf(stderr, " (%s, %llu bytes):", img->info.format, (unsigned long long)img->info.media_size);
	for (size_t i = 0; i < h->n_mounts; i++) {
		const cs_disk_mount *m = &h->mounts[i];
		fputs(i ? ";" : "", stderr);
		fputc(' ', stderr);
		out_escaped(stderr, m->path);
		fputs(" is volume ", stderr);
		out_escaped(stderr, m->volume);
		fprintf(stderr, " (%s", m->fs ? m->fs : "?");
		if (i == 0 && h->os) {
			fputs(", ", stderr);
			out_escaped(stderr, h->os);
		}
		if (m->spec) {
			fputs(", fstab ", stderr);
			out_escaped(stderr, m->spec);
		}
		fputc(')', stderr);
	}
	fputc('\n', stderr);
}

int cli_open_source(cli *c)
{
	if (c->src)
		return 0;
	int cr = cli_check_evidence_opts(c);
	if (cr)
		return cr;
	cs_error e = {0};
	if (c->n_images) {
		int r = cli_open_disk(c);
		if (r)
			return r;
		const char *inside = c->root ? c->root : c->sysroot;
		cs_disk_host h;
		if (cs_disk_source(c->disk, c->partition, inside, &c->src, &h, &e) < 0) {
			cli_error("%s", e.msg);
			return EXIT_FAILURE_;
		}
		print_host(c, &h);
		cs_disk_host_free(&h);
		c->src_sysroot = c->root == NULL;
		return 0;
	}
	if (c->archive) {
		cs_disk_opts o = {.diag = on_diag, .diag_userdata = c};
		const char *inside = c->root ? c->root : c->sysroot;
		bool sysroot = c->sysroot != NULL;
		char *top = NULL;
		if (cs_archive_source(c->archive, inside, &o, &c->src, &top, &sysroot, &e) < 0) {
			cli_error("%s", e.msg);
			return EXIT_FAILURE_;
		}
		if (c->root)
			sysroot = false;
		if (!c->quiet && top && !inside) {
			fputs("csleuth: reading ", stderr);
			out_escaped(stderr, *top ? top : "the archive's top");
			fprintf(stderr, " as %s\n", sysroot ? "the host's root" : "a data root");
		}
		free(top);
		c->src_sysroot = sysroot;
		return 0;
	}
	const char *base = c->sysroot ? c->sysroot : c->root ? c->root : "/var/lib/docker";
	if (c->root) {
		int r = check_root_link(c->root);
		if (r)
			return r;
	} else if (!c->sysroot) {
		cli_note(c, "no --root or --sysroot given: reading this machine's own %s", base);
	}
	if (cs_source_open_dir(base, c->source_flags, &c->src, &e) < 0) {
		if (e.code == -EACCES)
			cli_error("%s; csleuth needs read access to the evidence (run it as root, or as the "
				  "owner of `%s`)", e.msg, base);
		else
			cli_error("%s", e.msg);
		return EXIT_FAILURE_;
	}
	atime_note(c, "", base);
	if (c->root) {
		int r = check_root_entries(c);
		if (r)
			return r;
	}
	c->src_sysroot = c->sysroot != NULL;
	return 0;
}

int cli_load(cli *c)
{
	if (c->host)
		return 0;
	int r = cli_open_source(c);
	if (r)
		return r;
	cs_error e = {0};
	cs_host_opts o = {.sysroot = c->src_sysroot, .diag = on_diag, .diag_userdata = c,
			  .on_root = on_root, .listing = c->listing};
	c->loading = true;
	r = cs_host_load(c->src, &o, &c->host, &e);
	c->loading = false;
	if (r < 0) {
		cli_error("%s", e.msg);
		return EXIT_FAILURE_;
	}
	return 0;
}

int cli_exit(const cli *c)
{
	return c->warnings ? EXIT_WARNINGS : EXIT_OK;
}

void cli_free(cli *c)
{
	cli_progress_end(c);
	cs_host_free(c->host);
	cs_source_close(c->src);
	if (c->hashes) {
		cs_media_hashes_clear(c->hashes);
		free(c->hashes);
		c->hashes = NULL;
	}
	cs_disk_close(c->disk);
	free(c->images);
	c->disk = NULL;
	c->images = NULL;
	c->n_images = 0;
	c->host = NULL;
	c->src = NULL;
	for (size_t i = 0; i < c->n_held; i++) {
		free(c->held[i].file);
		free(c->held[i].msg);
	}
	free(c->held);
	c->held = NULL;
	c->n_held = 0;
	free(c->optbuf);
	c->optbuf = NULL;
	c->optfor = NULL;
}

/* --- progress --- */

void cli_progress_start(cli *c, const char *what)
{
	c->progress.tty = isatty(2) && !c->quiet;
	c->progress.what = what;
	c->progress.start = cs_time_now();
	c->progress.last = 0;
	c->progress.shown = false;
}

void cli_progress_clear(cli *c)
{
	if (c->progress.shown) {
		fputs("\r\033[K", stderr);
		c->progress.shown = false;
	}
}

void cli_progress(cli *c, const char *phase, uint64_t done, uint64_t total, const char *extra)
{
	if (!c->progress.tty)
		return;
	cs_time now = cs_time_now();
	if (c->progress.shown && now - c->progress.last < 100000000 && done != total)
		return;
	c->progress.last = now;
	char line[512];
	int l = snprintf(line, sizeof(line), "csleuth: %s: %s", c->progress.what, phase);
	if (total)
		l += snprintf(line + l, sizeof(line) - (size_t)l, " %llu/%llu (%llu%%)", (unsigned long long)done,
			      (unsigned long long)total, (unsigned long long)(done * 100 / total));
	else
		l += snprintf(line + l, sizeof(line) - (size_t)l, " %llu", (unsigned long long)done);
	if (extra && l < (int)sizeof(line))
		l += snprintf(line + l, sizeof(line) - (size_t)l, ", %s", extra);
	double el = (double)(now - c->progress.start) / 1e9;
	if (total && done && done < total && el >= 1.0 && l < (int)sizeof(line)) {
		double left = el * (double)(total - done) / (double)done;
		if (left < 120)
			snprintf(line + l, sizeof(line) - (size_t)l, ", about %.0f s left", left);
		else
			snprintf(line + l, sizeof(line) - (size_t)l, ", about %.0f min left", left / 60);
	}
	fputs("\r\033[K", stderr);
	fputs(line, stderr);
	c->progress.shown = true;
	fflush(stderr);
}

void cli_progress_end(cli *c)
{
	cli_progress_clear(c);
	c->progress.tty = false;
}

/* --- tables --- */

static size_t display_width(const char *s)
{
	size_t w = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p & 0xc0) != 0x80)
			w++;
	return w;
}

char *cut_text(const char *s, size_t w)
{
	if (display_width(s) <= w)
		return cs_xstrdup(s);
	cs_buf b = {0};
	size_t cols = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p & 0xc0) != 0x80) {
			if (cols + 1 >= w)
				break;
			cols++;
		}
		(void)cs_buf_append(&b, p, 1);
	}
	(void)cs_buf_puts(&b, "\xe2\x80\xa6"); /* … */
	return cs_buf_steal(&b);
}

void table_init(table *t, const char **head, size_t ncols)
{
	memset(t, 0, sizeof(*t));
	t->head = head;
	t->ncols = ncols;
}

void table_fit(table *t, size_t width, const size_t *minw)
{
	t->width = width;
	free(t->minw);
	t->minw = cs_xcalloc(t->ncols, sizeof(size_t));
	memcpy(t->minw, minw, t->ncols * sizeof(size_t));
}

void table_row(table *t, const char *const *cols)
{
	for (size_t i = 0; i < t->ncols; i++)
		*CS_PUSH(t->cells, t->nrows, t->cap) = cs_escape_dup(cols[i] ? cols[i] : "-");
}

void table_print(table *t, FILE *f)
{
	size_t rows = t->nrows / t->ncols;
	size_t *w = cs_xcalloc(t->ncols, sizeof(size_t));
	for (size_t k = 0; k < t->ncols; k++)
		w[k] = display_width(t->head[k]);
	for (size_t r = 0; r < rows; r++)
		for (size_t k = 0; k < t->ncols; k++) {
			size_t x = display_width(t->cells[r * t->ncols + k]);
			if (x > w[k])
				w[k] = x;
		}
	if (t->width && t->minw) {
		/* cut the widest cuttable column, one column at a time */
		for (;;) {
			size_t total = 3 * (t->ncols - 1);
			for (size_t k = 0; k < t->ncols; k++)
				total += w[k];
			if (total <= t->width)
				break;
			size_t best = SIZE_MAX;
			for (size_t k = 0; k < t->ncols; k++)
				if (t->minw[k] && w[k] > t->minw[k] && (best == SIZE_MAX || w[k] - t->minw[k] > w[best] - t->minw[best]))
					best = k;
			if (best == SIZE_MAX)
				break;
			w[best]--;
		}
	}
	for (size_t r = 0; r <= rows; r++) {
		for (size_t k = 0; k < t->ncols; k++) {
			const char *s = r == 0 ? t->head[k] : t->cells[(r - 1) * t->ncols + k];
			char *cut = cut_text(s, w[k]);
			fputs(cut, f);
			if (k + 1 < t->ncols)
				for (size_t p = display_width(cut); p < w[k] + 3; p++)
					fputc(' ', f);
			free(cut);
		}
		fputc('\n', f);
	}
	for (size_t i = 0; i < t->nrows; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t->minw);
	free(w);
}

void table_free(table *t)
{
	for (size_t i = 0; i < t->nrows; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t->minw);
	memset(t, 0, sizeof(*t));
}

void fmt_time(cs_time t, bool full, char buf[CS_TIME_STRMAX])
{
	if (t == CS_TIME_INVALID)
		snprintf(buf, CS_TIME_STRMAX, "(invalid)");
	else if (!cs_time_format_digits(t, full ? 9 : 0, buf))
		snprintf(buf, CS_TIME_STRMAX, "-");
}

const char *fmt_id(const char *id, bool full, char buf[80])
{
	if (!id)
		return NULL;
	if (full)
		return id;
	const char *h = cs_str_startswith(id, "sha256:") ? id + 7 : id;
	snprintf(buf, 80, "%.12s", h);
	return buf;
}

/* --- lookup --- */

static void print_where(const char *engine, const char *ns)
{
	char *w = cs_host_item_where(engine, ns);
	fputs("  (", stderr);
	out_escaped(stderr, w);
	fputs(")", stderr);
	free(w);
}

void cli_report_find(cli *c, const char *what, const char *q, int r, const cs_container *const *cts,
		     const cs_image *const *ims, size_t n)
{
	if (r != -ENOTUNIQ) {
		bool wc = strstr(what, "container") != NULL, wi = strstr(what, "image") != NULL;
		_cleanup_free_ char *near = c->host ? cs_host_suggest(c->host, q, wc, wi) : NULL;
		char searched[160] = "";
		if (c->host && wc && wi)
			snprintf(searched, sizeof(searched), " (searched %zu containers and %zu images)",
				 c->host->n_containers, c->host->n_images);
		else if (c->host)
			snprintf(searched, sizeof(searched), " (searched %zu %ss)",
				 wc ? c->host->n_containers : c->host->n_images, what);
		if (near)
			cli_error("no such %s: `%s`%s; did you mean `%s`?", what, q, searched, near);
		else
			cli_error("no such %s: `%s`%s", what, q, searched);
		return;
	}
	cli_error("`%s` is ambiguous: it matches %zu %ss; qualify it as ENGINE:NAME, "
		  "ENGINE:NAMESPACE/NAME or give more of the id:", q, n, what);
	for (size_t i = 0; i < n; i++) {
		fputs("  ", stderr);
		if (cts) {
			out_escaped(stderr, cts[i]->id);
			fputs("  ", stderr);
			out_escaped(stderr, cts[i]->name ? cts[i]->name : "");
			print_where(cts[i]->engine, cts[i]->namespace);
		} else {
			out_escaped(stderr, ims[i]->id);
			if (ims[i]->tags && ims[i]->tags[0]) {
				fputs("  ", stderr);
				out_escaped(stderr, ims[i]->tags[0]);
			}
			print_where(ims[i]->engine, ims[i]->namespace);
		}
		fputc('\n', stderr);
	}
}

int cli_find_container(cli *c, const char *q, const cs_container **ret)
{
	const cs_container **m = NULL;
	size_t nm = 0;
	int r = cs_host_find_container(c->host, q, ret, &m, &nm);
	if (r == 0)
		return 0;
	cli_report_find(c, "container", q, r, m, NULL, nm);
	free(m);
	return EXIT_NOTFOUND;
}

int cli_find_image(cli *c, const char *q, const cs_image **ret)
{
	const cs_image **m = NULL;
	size_t nm = 0;
	int r = cs_host_find_image(c->host, q, ret, &m, &nm);
	if (r == 0)
		return 0;
	cli_report_find(c, "image", q, r, NULL, m, nm);
	free(m);
	return EXIT_NOTFOUND;
}

bool cli_item_selected(const char *engine, const char *ns, const char *want_engine, const char *want_ns)
{
	if (want_engine && (!engine || strcmp(engine, want_engine) != 0))
		return false;
	if (want_ns && (!ns || strcmp(ns, want_ns) != 0))
		return false;
	return true;
}

char *cli_pod_label(const cs_container *ct)
{
	if (!ct->pod || !ct->pod->name)
		return NULL;
	if (!ct->pod->namespace)
		return cs_xstrdup(ct->pod->name);
	return cs_xasprintf("%s/%s", ct->pod->namespace, ct->pod->name);
}

bool cli_map_ids(const cs_container *ct, bool cids, bool disk_ids)
{
	if (!ct || !ct->idmap.shifted)
		return false;
	return cids || (ct->idmap.container_view && !disk_ids);
}

bool is_help(const char *a)
{
	return strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0;
}

int cli_build_tree(cli *c, const cs_layer_stack *stack, size_t first, size_t count, cs_tree **ret)
{
	if (first >= stack->n || count == 0) {
		cli_error("no layers to show");
		return EXIT_FAILURE_;
	}
	if (first + count > stack->n)
		count = stack->n - first;
	if (stack->flat)
		count = 1; /* each directory is a whole tree (vfs) */
	cs_tree_opts o = {
		.format = stack->whiteouts,
		.diag = on_diag,
		.diag_userdata = c,
	};
	cs_error e = {0};
	if (cs_tree_build(c->src, stack->v + first, count, &o, ret, &e) < 0) {
		if (cs_source_is_partial(c->src))
			cli_error("%s: its layers were not collected", e.msg);
		else
			cli_error("%s", e.msg);
		return EXIT_FAILURE_;
	}
	return 0;
}

/* True if the file at path is (or would replace) one of the evidence files. */
static bool is_evidence_file(const cli *c, const char *path)
{
	char rp[PATH_MAX], re[PATH_MAX];
	if (!realpath(path, rp))
		return false;
	for (size_t i = 0; i < c->n_images; i++)
		if (realpath(c->images[i], re) && strcmp(rp, re) == 0)
			return true;
	if (c->disk) {
		const cs_media *img = cs_disk_image(c->disk);
		for (size_t i = 0; i < img->info.n_files; i++)
			if (realpath(img->info.files[i].path, re) && strcmp(rp, re) == 0)
				return true;
	}
	return c->archive && realpath(c->archive, re) && strcmp(rp, re) == 0;
}

/* True if path (a file to be created) would land inside the evidence root. */
bool cli_output_inside_evidence(const cli *c, const char *path)
{
	if (c->n_images || c->archive)
		return is_evidence_file(c, path);
	const char *root = c->sysroot ? c->sysroot : c->root ? c->root : "/var/lib/docker";
	char rr[PATH_MAX], dir[PATH_MAX], rd[PATH_MAX];
	if (!realpath(root, rr))
		return false;
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	if (!realpath(*dir ? dir : "/", rd))
		return false;
	size_t n = strlen(rr);
	return strncmp(rd, rr, n) == 0 && (rd[n] == '\0' || rd[n] == '/');
}

int cli_find_stack(cli *c, const char *name, const cs_container **ret_ct, const cs_image **ret_image,
		   cs_layer_stack *img, const cs_layer_stack **ret_stack)
{
	*ret_ct = NULL;
	if (ret_image)
		*ret_image = NULL;
	memset(img, 0, sizeof(*img));
	const cs_container **m = NULL;
	const cs_image **mi = NULL;
	size_t nm = 0, nmi = 0;
	int fr = cs_host_find_container(c->host, name, ret_ct, &m, &nm);
	if (fr == -ENOTUNIQ) {
		cli_report_find(c, "container", name, fr, m, NULL, nm);
		free(m);
		return EXIT_NOTFOUND;
	}
	if (fr == 0) {
		*ret_stack = &(*ret_ct)->layers;
	} else {
		const cs_image *im;
		int r = cs_host_find_image(c->host, name, &im, &mi, &nmi);
		if (r != 0) {
			cli_report_find(c, r == -ENOTUNIQ ? "image" : "container or image", name, r, NULL, mi, nmi);
			free(mi);
			return EXIT_NOTFOUND;
		}
		cs_error e = {0};
		if (cs_image_stack(im, img, &e) < 0) {
			cli_error("%s", e.msg);
			return EXIT_FAILURE_;
		}
		*ret_stack = img;
		if (ret_image)
			*ret_image = im;
	}
	if ((*ret_stack)->n == 0) {
		cli_error("`%s`: its layers are unknown", name);
		cs_layer_stack_clear(img);
		return EXIT_FAILURE_;
	}
	return 0;
}

/* --- provenance --- */

static void jstr(cs_buf *b, const char *s)
{
	if (!s)
		(void)cs_buf_puts(b, "null");
	else
		cs_json_quote(b, s, strlen(s));
}

/* The evidence of --image or --archive: the files as received (path and
 * size; their SHA-256 and the media's hashes when --verify computed them,
 * hashing a whole image on every run being too slow to do unasked), the
 * format, the volume and the path read inside it. */
static void put_image_evidence(const cli *c, cs_buf *b)
{
	char abs[PATH_MAX];
	const char *first = c->n_images ? c->images[0] : c->archive;
	(void)cs_buf_puts(b, ",\"evidence\":{\"option\":");
	jstr(b, c->n_images ? "--image" : "--archive");
	(void)cs_buf_puts(b, ",\"path\":");
	jstr(b, first);
	(void)cs_buf_puts(b, ",\"absolute_path\":");
	jstr(b, realpath(first, abs) ? abs : NULL);
	(void)cs_buf_puts(b, ",\"inside\":");
	jstr(b, c->root ? c->root : c->sysroot);
	(void)cs_buf_puts(b, ",\"read_as\":");
	jstr(b, c->src ? (c->src_sysroot ? "host filesystem" : "data root") : NULL);
	const cs_media *img = c->disk ? cs_disk_image(c->disk) : NULL;
	const cs_media_hashes *h = c->hashes;
	if (c->n_images) {
		(void)cs_buf_puts(b, ",\"partition\":");
		jstr(b, c->partition);
		(void)cs_buf_puts(b, ",\"format\":");
		jstr(b, img ? img->info.format : NULL);
		if (img)
			(void)cs_buf_printf(b, ",\"media_size\":%llu", (unsigned long long)img->info.media_size);
		else
			(void)cs_buf_puts(b, ",\"media_size\":null");
	}
	(void)cs_buf_puts(b, ",\"files\":[");
	if (img) {
		for (size_t i = 0; i < img->info.n_files; i++) {
			(void)cs_buf_puts(b, i ? ",{\"path\":" : "{\"path\":");
			jstr(b, img->info.files[i].path);
			(void)cs_buf_printf(b, ",\"size\":%llu,\"sha256\":", (unsigned long long)img->info.files[i].size);
			jstr(b, h && i < h->n_files ? h->file_sha256[i] : NULL);
			(void)cs_buf_puts(b, "}");
		}
	} else if (c->archive) {
		struct stat st;
		(void)cs_buf_puts(b, "{\"path\":");
		jstr(b, c->archive);
		if (stat(c->archive, &st) == 0)
			(void)cs_buf_printf(b, ",\"size\":%llu,\"sha256\":null}", (unsigned long long)st.st_size);
		else
			(void)cs_buf_puts(b, ",\"size\":null,\"sha256\":null}");
	}
	(void)cs_buf_puts(b, "]");
	if (img) {
		(void)cs_buf_puts(b, ",\"stored_md5\":");
		jstr(b, img->info.stored_md5);
		(void)cs_buf_puts(b, ",\"stored_sha1\":");
		jstr(b, img->info.stored_sha1);
	}
	bool hashed = h && *h->sha256;
	(void)cs_buf_puts(b, ",\"media_md5\":");
	jstr(b, hashed ? h->md5 : NULL);
	(void)cs_buf_puts(b, ",\"media_sha1\":");
	jstr(b, hashed ? h->sha1 : NULL);
	(void)cs_buf_puts(b, ",\"image_sha256\":");
	jstr(b, hashed ? h->sha256 : NULL);
	(void)cs_buf_puts(b, "}");
}

char *cli_provenance_json(cli *c)
{
	cs_buf b = {.max = SIZE_MAX};
	char t[CS_TIME_STRMAX];
	(void)cs_buf_puts(&b, "{\"tool\":\"csleuth\",\"version\":");
	jstr(&b, CSLEUTH_VERSION);
	(void)cs_buf_puts(&b, ",\"command_line\":[");
	for (int i = 0; i < c->argc; i++) {
		if (i)
			(void)cs_buf_puts(&b, ",");
		jstr(&b, c->argv[i]);
	}
	(void)cs_buf_puts(&b, "],\"working_directory\":");
	char cwd[PATH_MAX];
	jstr(&b, getcwd(cwd, sizeof(cwd)) ? cwd : NULL);
	char abs[PATH_MAX];
	if (c->n_images || c->archive) {
		put_image_evidence(c, &b);
	} else {
		const char *base = c->sysroot ? c->sysroot : c->root ? c->root : "/var/lib/docker";
		(void)cs_buf_puts(&b, ",\"evidence\":{\"option\":");
		jstr(&b, c->sysroot ? "--sysroot" : c->root ? "--root" : "(default)");
		(void)cs_buf_puts(&b, ",\"path\":");
		jstr(&b, base);
		(void)cs_buf_puts(&b, ",\"absolute_path\":");
		jstr(&b, realpath(base, abs) ? abs : NULL);
		(void)cs_buf_puts(&b, ",\"image_sha256\":null}");
	}
	(void)cs_buf_puts(&b, ",\"engine_roots\":[");
	for (size_t i = 0; c->host && i < c->host->n_roots; i++) {
		const cs_engine_root *w = &c->host->where[i];
		(void)cs_buf_puts(&b, i ? ",{\"engine\":" : "{\"engine\":");
		jstr(&b, w->engine->name);
		(void)cs_buf_puts(&b, ",\"what\":");
		jstr(&b, w->engine->what);
		(void)cs_buf_puts(&b, ",\"path\":");
		jstr(&b, w->path);
		(void)cs_buf_puts(&b, ",\"host_path\":");
		jstr(&b, w->host_path);
		(void)cs_buf_puts(&b, ",\"origin\":");
		jstr(&b, w->origin);
		(void)cs_buf_puts(&b, "}");
	}
	(void)cs_buf_puts(&b, "],\"started_at\":");
	jstr(&b, cs_time_format(c->started, t) ? t : NULL);
	(void)cs_buf_puts(&b, ",\"finished_at\":");
	jstr(&b, cs_time_format(cs_time_now(), t) ? t : NULL);
	(void)cs_buf_puts(&b, "}");
	return cs_buf_steal(&b);
}

void cli_put_json(cli *c, FILE *f, const char *json, bool provenance)
{
	if (!provenance) {
		fputs(json, f);
		fputc('\n', f);
		return;
	}
	char *p = cli_provenance_json(c);
	fputs("{\n  \"provenance\": ", f);
	fputs(p, f);
	fputs(",\n  \"items\": ", f);
	fputs(json, f);
	fputs("\n}\n", f);
	free(p);
}

/* --- templates --- */

int cli_template(const char *cmd, const char *format, cs_template **ret, bool *ret_table)
{
	const char *f = format;
	bool is_table = false;
	if (cs_str_startswith(f, "table")) {
		is_table = true;
		f += 5;
		f += strspn(f, " ");
	}
	/* docker turns the two-character \t and \n into tabs and newlines */
	cs_buf b = {0};
	(void)cs_buf_puts(&b, "");
	for (const char *p = f; *p; p++) {
		if (p[0] == '\\' && (p[1] == 't' || p[1] == 'n')) {
			(void)cs_buf_puts(&b, p[1] == 't' ? "\t" : "\n");
			p++;
		} else {
			(void)cs_buf_append(&b, p, 1);
		}
	}

	cs_error e = {0};
	int r = cs_template_compile(b.data, ret, &e);
	cs_buf_free(&b);
	if (r < 0)
		return cli_usage_error(cmd, "bad --format: %s", e.msg);
	if (ret_table)
		*ret_table = is_table;
	return 0;
}

/* Prints rendered template lines; with `table`, aligned as docker's
 * tabwriter does (minimum width 10, padding 3). */
static void print_template_rows(char **lines, size_t n, bool as_table)
{
	if (!as_table) {
		for (size_t i = 0; i < n; i++)
			puts(lines[i]);
		return;
	}
	size_t w[64] = {0};
	for (size_t i = 0; i < n; i++) {
		size_t col = 0, len = 0;
		for (const char *p = lines[i];; p++) {
			if (*p == '\t' || *p == '\0' || *p == '\n') {
				if (col < 64 && len > w[col])
					w[col] = len;
				if (*p != '\t') {
					col = 0;
					len = 0;
					if (!*p)
						break;
					continue;
				}
				col++;
				len = 0;
			} else if (((unsigned char)*p & 0xc0) != 0x80) {
				len++;
			}
		}
	}
	for (size_t i = 0; i < n; i++) {
		size_t col = 0, len = 0;
		for (const char *p = lines[i]; *p; p++) {
			if (*p == '\t') {
				size_t want = (col < 64 ? w[col] : len) + 3;
				if (want < 10)
					want = 10;
				for (; len < want; len++)
					putchar(' ');
				col++;
				len = 0;
				continue;
			}
			if (*p == '\n') {
				col = 0;
				len = 0;
			} else if (((unsigned char)*p & 0xc0) != 0x80) {
				len++;
			}
			putchar(*p);
		}
		putchar('\n');
	}
}

/* Runs a --format template over row JSON texts; prints them. Returns an
 * exit code (non-zero on a template error). */
int cli_run_template(const char *cmd, struct cs_template *t, bool as_table, const char *head, char **rows, size_t n)
{
	char **lines = cs_xcalloc(n + 2, sizeof(char *));
	size_t nl = 0;
	int rc = 0;
	for (size_t i = 0; i < n + (as_table ? 1 : 0) && !rc; i++) {
		const char *row = as_table ? (i == 0 ? head : rows[i - 1]) : rows[i];
		cs_buf b = {0};
		cs_error e = {0};
		(void)cs_buf_puts(&b, "");
		if (cs_template_exec(t, row, true, &b, &e) < 0) {
			rc = cli_usage_error(cmd, "bad --format: %s", e.msg);
			cs_buf_free(&b);
			break;
		}
		lines[nl++] = cs_buf_steal(&b);
	}
	if (!rc)
		print_template_rows(lines, nl, as_table);
	for (size_t i = 0; i < nl; i++)
		free(lines[i]);
	free(lines);
	return rc;
}

