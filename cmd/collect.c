/* collect.c - csleuth collect -o DIR: a case folder in one go.
 *
 * Everything is read once into the host model; each file is written
 * through a stdio stream that hashes what passes (fopencookie), created
 * with O_EXCL|O_NOFOLLOW inside a directory the command made itself, so the
 * manifest covers exactly the bytes written and nothing of the examiner's
 * is overwritten. PROVENANCE.json is written last but one and is in the
 * manifest; MANIFEST.sha256 (sha256sum's format) comes last.
 */
#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "formats/sanitize.h"
#include "formats/sha256.h"
#include "fs/changes.h"
#include "logs/logs.h"
#include "render/fsrender.h"
#include "render/render.h"
#include "timeline/timeline.h"
#include "timeline/tlsources.h"

static const char help[] =
	"Usage: csleuth collect [OPTIONS] -o DIR\n"
	"\n"
	"Write a case folder DIR (new, or empty) with, for the whole evidence:\n"
	"  ps.json, images.json, volumes.json     the listings (as --json gives them)\n"
	"  inspect/<id>.json                      each container and image\n"
	"  logs/<id>.jsonl                        each container's log (as logs --json)\n"
	"  diff/<id>.json                         each container's changes (diff --json)\n"
	"  timeline.csv, timeline.jsonl           the timeline with logs, for Timesketch\n"
	"  SUMMARY.md                             running at seizure, exits and failed\n"
	"                                         starts, logs lost to rotation, damaged\n"
	"                                         items, unreferenced volumes\n"
	"  PROVENANCE.json                        tool, version, command line, evidence,\n"
	"                                         engine roots, run time\n"
	"  MANIFEST.sha256                        the sha256 of every file above\n"
	"                                         (check with sha256sum -c)\n"
	"\n"
	"  -o, --output DIR   the case folder\n"
	"  --layers           the timeline also holds the files of image layers\n"
	"  --hash             the timeline also holds the sha256 of regular files\n"
	"  --no-magic         leave out libmagic file types (diff and timeline)\n";

typedef struct mentry {
	char *path;
	char hex[65];
} mentry;

typedef struct casedir {
	cli *c;
	int dfd;
	const char *dir;
	mentry *v;
	size_t n, cap;
	bool failed;
} casedir;

typedef struct hfile {
	casedir *k;
	int fd;
	cs_sha256 sha;
	char *path;
	bool err;
} hfile;

static ssize_t hf_write(void *cookie, const char *buf, size_t n)
{
	hfile *h = cookie;
	size_t off = 0;
	while (off < n) {
		ssize_t w = write(h->fd, buf + off, n - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			h->err = true;
			return -1;
		}
		off += (size_t)w;
	}
	cs_sha256_update(&h->sha, buf, n);
	return (ssize_t)n;
}

static int hf_close(void *cookie)
{
	hfile *h = cookie;
	int r = close(h->fd);
	if (r != 0 || h->err) {
		cli_error("`%s/%s`: write error", h->k->dir, h->path);
		h->k->failed = true;
	} else {
		unsigned char d[32];
		cs_sha256_final(&h->sha, d);
		mentry *m = CS_PUSH(h->k->v, h->k->n, h->k->cap);
		m->path = h->path;
		cs_hex(d, 32, m->hex);
		h->path = NULL;
	}
	free(h->path);
	free(h);
	return r;
}

/* A new file rel (below the case folder), hashed as it is written. */
static FILE *case_open(casedir *k, const char *rel)
{
	int fd = openat(k->dfd, rel, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
	if (fd < 0) {
		cli_error("`%s/%s`: %s", k->dir, rel, strerror(errno));
		k->failed = true;
		return NULL;
	}
	hfile *h = cs_xcalloc(1, sizeof(*h));
	h->k = k;
	h->fd = fd;
	h->path = cs_xstrdup(rel);
	cs_sha256_init(&h->sha);
	cookie_io_functions_t io = {.write = hf_write, .close = hf_close};
	FILE *f = fopencookie(h, "w", io);
	if (!f) {
		close(fd);
		free(h->path);
		free(h);
		k->failed = true;
		return NULL;
	}
	return f;
}

static void case_write(casedir *k, const char *rel, const char *text)
{
	FILE *f = case_open(k, rel);
	if (!f)
		return;
	fputs(text, f);
	fputc('\n', f);
	fclose(f);
}

/* An item's file name: its id without "sha256:"; safe characters only. */
static char *id_name(const char *id, const char *engine, bool qualify)
{
	const char *h = cs_str_startswith(id, "sha256:") ? id + 7 : id;
	cs_buf b = {0};
	if (qualify)
		(void)cs_buf_printf(&b, "%s-", engine);
	for (const char *p = h; *p && b.len < 200; p++) {
		char ch = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
				  *p == '-' || *p == '_' || *p == '.'
			  ? *p
			  : '_';
		(void)cs_buf_append(&b, &ch, 1);
	}
	return cs_buf_steal(&b);
}

/* --- what the summary needs to know about logs --- */

typedef struct lognotes {
	cli *c;
	cs_buf *notes; /* of the container being read */
} lognotes;

static void on_log_diag(void *ud, const cs_diag *d)
{
	lognotes *ln = ud;
	cli_diag_callback()(ln->c, d);
	(void)cs_buf_printf(ln->notes, "%s%s%s", ln->notes->len ? "; " : "",
			    d->severity == CS_WARN ? "warning: " : "", d->msg);
}

/* Markdown text: controls escaped, Markdown's own characters too. */
static void md(FILE *f, const char *s)
{
	char *e = cs_escape_dup(s ? s : "");
	for (const char *p = e; *p; p++) {
		if (strchr("\\`*_[]<>|#", *p))
			fputc('\\', f);
		fputc(*p, f);
	}
	free(e);
}

static void md_time(FILE *f, cs_time t)
{
	char b[CS_TIME_STRMAX];
	fputs(cs_time_format(t, b) ? b : "never", f);
}

static void md_container(FILE *f, const cs_container *ct)
{
	fputs("`", f);
	fprintf(f, "%.12s", ct->id);
	fputs("` ", f);
	md(f, ct->name ? ct->name : "");
	if (ct->engine && ct->dr && ct->namespace) {
		fputs(" (", f);
		md(f, ct->engine);
		fputs(":", f);
		md(f, ct->namespace);
		fputs(")", f);
	}
}

static void summary(casedir *k, const cs_volume_use *vu, size_t nvu, char **log_notes)
{
	cli *c = k->c;
	const cs_host *h = c->host;
	FILE *f = case_open(k, "SUMMARY.md");
	if (!f)
		return;
	fputs("# Case summary\n\n", f);
	fputs("Evidence: ", f);
	md(f, c->sysroot ? c->sysroot : c->root ? c->root : "/var/lib/docker");
	fprintf(f, " (%s). Read by csleuth; see PROVENANCE.json and MANIFEST.sha256.\n\n",
		c->sysroot ? "--sysroot" : c->root ? "--root" : "this machine's own default data root");
	for (size_t i = 0; i < h->n_roots; i++) {
		fputs("- ", f);
		md(f, h->where[i].engine->what);
		fputs(" `", f);
		md(f, h->where[i].host_path ? h->where[i].host_path : h->where[i].path);
		fputs("`", f);
		if (h->where[i].origin) {
			fputs(" (", f);
			md(f, h->where[i].origin);
			fputs(")", f);
		}
		fputs("\n", f);
	}
	size_t unref = 0, missing = 0;
	for (size_t i = 0; i < nvu; i++) {
		unref += vu[i].vol && !vu[i].n_users;
		missing += !vu[i].vol;
	}
	fprintf(f, "\n%zu containers, %zu images, %zu volumes (%zu unreferenced, %zu missing).\n",
		h->n_containers, h->n_images, h->n_volumes, unref, missing);

	fputs("\n## Running at seizure\n\n", f);
	size_t n = 0;
	for (size_t i = 0; i < h->n_containers; i++) {
		const cs_container *ct = h->containers[i];
		if (!ct->state.running)
			continue;
		fputs("- ", f);
		md_container(f, ct);
		fputs(", image ", f);
		md(f, ct->image_ref);
		fputs(", started ", f);
		md_time(f, ct->state.started_at);
		fprintf(f, ", pid %lld\n", (long long)ct->state.pid);
		n++;
	}
	if (!n)
		fputs("None.\n", f);

	fputs("\n## Exits\n\n| container | image | exit code | finished | note |\n|---|---|---|---|---|\n", f);
	n = 0;
	for (size_t i = 0; i < h->n_containers; i++) {
		const cs_container *ct = h->containers[i];
		if (!ct->config_json || strcmp(cs_container_status(ct), "exited") != 0)
			continue;
		fputs("| ", f);
		md_container(f, ct);
		fputs(" | ", f);
		md(f, ct->image_ref);
		fprintf(f, " | %lld | ", (long long)ct->state.exit_code);
		md_time(f, ct->state.finished_at);
		fputs(" | ", f);
		if (ct->state.oom_killed)
			fputs("OOM-killed ", f);
		if (ct->state.exit_code == 137)
			fputs("killed (SIGKILL) ", f);
		fputs("|\n", f);
		n++;
	}
	if (!n)
		fputs("| none | | | | |\n", f);

	fputs("\n## Failed starts\n\n", f);
	n = 0;
	for (size_t i = 0; i < h->n_containers; i++) {
		const cs_container *ct = h->containers[i];
		if (!cs_container_start_failed(ct))
			continue;
		fputs("- ", f);
		md_container(f, ct);
		fprintf(f, ": exit code %lld: ", (long long)ct->state.exit_code);
		md(f, ct->state.error);
		fputs("\n", f);
		n++;
	}
	if (!n)
		fputs("None.\n", f);

	fputs("\n## Logs lost to rotation, damaged or missing\n\n", f);
	n = 0;
	for (size_t i = 0; i < h->n_containers; i++) {
		if (!log_notes[i] || !*log_notes[i])
			continue;
		fputs("- ", f);
		md_container(f, h->containers[i]);
		fputs(": ", f);
		md(f, log_notes[i]);
		fputs("\n", f);
		n++;
	}
	if (!n)
		fputs("None.\n", f);

	fputs("\n## Damaged items\n\n", f);
	n = 0;
	for (size_t i = 0; i < h->n_containers + h->n_images; i++) {
		bool isc = i < h->n_containers;
		const cs_problems *p = isc ? &h->containers[i]->problems : &h->images[i - h->n_containers]->problems;
		if (!p->n)
			continue;
		fputs("- ", f);
		if (isc) {
			fputs("container ", f);
			md_container(f, h->containers[i]);
		} else {
			const cs_image *im = h->images[i - h->n_containers];
			fputs("image `", f);
			md(f, im->id);
			fputs("`", f);
			if (im->tags && im->tags[0]) {
				fputs(" ", f);
				md(f, im->tags[0]);
			}
		}
		fputs(":\n", f);
		for (size_t k2 = 0; k2 < p->n; k2++) {
			fputs("  - ", f);
			md(f, p->v[k2].msg);
			fputs("\n", f);
		}
		n++;
	}
	for (size_t r = 0; r < h->n_roots; r++)
		for (size_t k2 = 0; k2 < h->roots[r]->problems.n; k2++) {
			fputs("- data root: ", f);
			md(f, h->roots[r]->problems.v[k2].msg);
			fputs("\n", f);
			n++;
		}
	if (!n)
		fputs("None.\n", f);

	fputs("\n## Unreferenced and missing volumes\n\n", f);
	n = 0;
	for (size_t i = 0; i < nvu; i++) {
		if (vu[i].vol && vu[i].n_users)
			continue;
		fputs("- ", f);
		md(f, vu[i].name);
		if (vu[i].vol) {
			fputs(": unreferenced (no container mounts it), created ", f);
			md_time(f, vu[i].vol->created);
		} else {
			fputs(": missing from the evidence, mounted by", f);
			for (size_t u = 0; u < vu[i].n_users; u++) {
				fputs(u ? ", " : " ", f);
				md(f, vu[i].users[u]->name);
			}
		}
		fputs("\n", f);
		n++;
	}
	if (!n)
		fputs("None.\n", f);
	fclose(f);
}

static void on_tl_progress(void *ud, const cs_tl_progress *p)
{
	char extra[96];
	snprintf(extra, sizeof(extra), "%s, %llu entries", p->phase, (unsigned long long)p->entries);
	cli_progress(ud, "timeline", p->done, p->total, extra);
}

static int cmp_mentry(const void *a, const void *b)
{
	return strcmp(((const mentry *)a)->path, ((const mentry *)b)->path);
}

static int write_timeline(casedir *k, const char *rel, cs_tl_format fmt, bool layers, bool hash, bool magic)
{
	cli *c = k->c;
	const cs_host *h = c->host;
	FILE *f = case_open(k, rel);
	if (!f)
		return -EIO;
	cs_timeline_opts to = {.format = fmt, .from = CS_TIME_NEVER, .to = CS_TIME_NEVER,
			       .diag = cli_diag_callback(), .diag_userdata = c};
	cs_tl_sources s = {.logs = true, .layers = layers, .hash = hash, .magic = magic,
			   .volumes = (const cs_volume *const *)h->volumes, .n_volumes = h->n_volumes,
			   .progress = on_tl_progress, .progress_userdata = c,
			   .diag = cli_diag_callback(), .diag_userdata = c};
	cs_timeline *t;
	cs_error e = {0};
	int r = cs_timeline_new(&to, &t, &e);
	if (r == 0)
		r = cs_timeline_model(t, c->src, (const cs_container *const *)h->containers, h->n_containers,
				      (const cs_image *const *)h->images, h->n_images, &s, &e);
	if (r == 0)
		r = cs_timeline_finish(t, f, &e);
	cs_timeline_free(t);
	fclose(f);
	if (r < 0)
		cli_error("%s: %s", rel, e.msg);
	return r;
}

int cmd_collect(cli *c, int argc, char **argv)
{
	enum { O_LAYERS = 0x200, O_HASH, O_NOMAGIC };
	static const struct option opts[] = {
		{"output", required_argument, NULL, 'o'}, {"layers", no_argument, NULL, O_LAYERS},
		{"hash", no_argument, NULL, O_HASH},      {"no-magic", no_argument, NULL, O_NOMAGIC},
		{0},
	};
	static const cli_opts co = {.cmd = "collect", .help = help, .shortopts = "o:", .longopts = opts};
	const char *dir = NULL;
	bool layers = false, hash = false, magic = true;
	int o, r = 0;
	while ((o = cli_getopt(c, &co, argc, argv, &r)) != -1) {
		switch (o) {
		case CLI_OPT_EXIT: return r;
		case 'o': dir = optarg; break;
		case O_LAYERS: layers = true; break;
		case O_HASH: hash = true; break;
		case O_NOMAGIC: magic = false; break;
		default: return cli_usage_error("collect", "bad option");
		}
	}
	if (!dir)
		return cli_usage_error("collect", "-o DIR is required");
	if (optind != argc)
		return cli_usage_error("collect", "unexpected argument `%s`", argv[optind]);
	if ((r = cli_load(c)) != 0)
		return r;
	_cleanup_free_ char *probe = cs_xasprintf("%s/.", dir);
	if (cli_output_inside_evidence(c, probe)) {
		cli_error("refusing to write `%s` inside the evidence", dir);
		return EXIT_USAGE;
	}
	if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
		cli_error("`%s`: %s", dir, strerror(errno));
		return EXIT_FAILURE_;
	}
	casedir k = {.c = c, .dir = dir};
	k.dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (k.dfd < 0) {
		cli_error("`%s`: %s", dir, strerror(errno));
		return EXIT_FAILURE_;
	}
	{
		int dd = dup(k.dfd);
		DIR *d = dd >= 0 ? fdopendir(dd) : NULL;
		struct dirent *de;
		bool empty = true;
		while (d && (de = readdir(d)) != NULL)
			if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
				empty = false;
		if (d)
			closedir(d);
		if (!empty) {
			cli_error("`%s` is not empty: collect writes a new case folder", dir);
			close(k.dfd);
			return EXIT_USAGE;
		}
	}
	cli_report_all(c);
	const cs_host *h = c->host;
	bool q = h->many;
	cli_progress_start(c, "collect");
	/* the listings */
	char *s = cs_render_ps_json((const cs_container *const *)h->containers, h->n_containers, true);
	case_write(&k, "ps.json", s);
	free(s);
	s = cs_render_images_json((const cs_image *const *)h->images, h->n_images, true);
	case_write(&k, "images.json", s);
	free(s);
	cs_volume_use *vu = NULL;
	size_t nvu = cs_host_volumes(h, &vu);
	const cs_volume_use **vp = cs_xcalloc(nvu + 1, sizeof(*vp));
	for (size_t i = 0; i < nvu; i++)
		vp[i] = &vu[i];
	s = cs_render_volumes_json(vp, nvu, true);
	case_write(&k, "volumes.json", s);
	free(s);
	free(vp);
	/* inspect of every item */
	(void)mkdirat(k.dfd, "inspect", 0750);
	size_t total = h->n_containers + h->n_images;
	for (size_t i = 0; i < total; i++) {
		cli_progress(c, "inspect", i, total, NULL);
		cs_item it = {.ct = i < h->n_containers ? h->containers[i] : NULL,
			      .im = i < h->n_containers ? NULL : h->images[i - h->n_containers]};
		char *one = cs_host_inspect(h, &it, 1);
		_cleanup_free_ char *nm = id_name(it.ct ? it.ct->id : it.im->id, it.ct ? it.ct->engine : it.im->engine, q);
		_cleanup_free_ char *rel = cs_xasprintf("inspect/%s.json", nm);
		case_write(&k, rel, one);
		free(one);
	}
	/* logs and diffs of every container */
	(void)mkdirat(k.dfd, "logs", 0750);
	(void)mkdirat(k.dfd, "diff", 0750);
	char **log_notes = cs_xcalloc(h->n_containers + 1, sizeof(char *));
	cs_typer *m = magic ? cs_typer_open() : NULL;
	cs_buf line = {.max = SIZE_MAX};
	for (size_t i = 0; i < h->n_containers && !k.failed; i++) {
		const cs_container *ct = h->containers[i];
		cli_progress(c, "logs and diffs", i, h->n_containers, NULL);
		_cleanup_free_ char *nm = id_name(ct->id, ct->engine, q);
		cs_buf notes = {0};
		lognotes ln = {.c = c, .notes = &notes};
		cs_logs_opts lo;
		cs_logs_opts_init(&lo);
		lo.diag = on_log_diag;
		lo.diag_userdata = &ln;
		cs_logs *lr = NULL;
		cs_error e = {0};
		int lr_r = cs_logs_open(c->src, ct, &lo, &lr, &e);
		if (lr_r == 0) {
			_cleanup_free_ char *rel = cs_xasprintf("logs/%s.jsonl", nm);
			FILE *f = case_open(&k, rel);
			const cs_log_record *rec;
			int kk;
			while (f && (kk = cs_logs_next(lr, &rec, &e)) > 0) {
				line.len = 0;
				cs_log_record_json(&line, rec);
				fwrite(line.data, 1, line.len, f);
			}
			if (f)
				fclose(f);
			cs_logs_close(lr);
		} else if (ct->state.started_at != CS_TIME_NEVER || ct->state.running) {
			(void)cs_buf_printf(&notes, "%sno log: %s", notes.len ? "; " : "", e.msg);
		}
		log_notes[i] = notes.data ? cs_buf_steal(&notes) : NULL;
		if (ct->layers.n == 0)
			continue;
		cs_tree *nt = NULL, *ot = NULL;
		if (cli_build_tree(c, &ct->layers, 0, ct->layers.n, &nt) != 0)
			continue;
		if (ct->layers.n > 1 && cli_build_tree(c, &ct->layers, 1, ct->layers.n - 1, &ot) != 0) {
			cs_tree_free(nt);
			continue;
		}
		cs_change *ch;
		size_t nch;
		if (cs_changes(ot, nt, &ch, &nch, &e) == 0) {
			char *dj = cs_render_changes_json(ot, nt, ch, nch, m, NULL, NULL);
			_cleanup_free_ char *rel = cs_xasprintf("diff/%s.json", nm);
			case_write(&k, rel, dj);
			free(dj);
			cs_changes_free(ch, nch);
		} else {
			cli_error("container %s: %s", ct->id, e.msg);
		}
		cs_tree_free(nt);
		cs_tree_free(ot);
	}
	cs_buf_free(&line);
	cs_typer_close(m);
	/* the timelines */
	if (!k.failed)
		write_timeline(&k, "timeline.csv", CS_TL_TIMESKETCH, layers, hash, magic);
	if (!k.failed)
		write_timeline(&k, "timeline.jsonl", CS_TL_JSONL, layers, hash, magic);
	cli_progress_end(c);
	summary(&k, vu, nvu, log_notes);
	for (size_t i = 0; i < h->n_containers; i++)
		free(log_notes[i]);
	free(log_notes);
	cs_volume_uses_free(vu, nvu);
	/* provenance, then the manifest of everything */
	char *p = cli_provenance_json(c);
	case_write(&k, "PROVENANCE.json", p);
	free(p);
	if (k.n > 1)
		qsort(k.v, k.n, sizeof(*k.v), cmp_mentry);
	int mfd = openat(k.dfd, "MANIFEST.sha256", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
	FILE *mf = mfd >= 0 ? fdopen(mfd, "w") : NULL;
	for (size_t i = 0; mf && i < k.n; i++)
		fprintf(mf, "%s  %s\n", k.v[i].hex, k.v[i].path);
	if (!mf || fclose(mf) != 0) {
		cli_error("`%s/MANIFEST.sha256`: cannot write", dir);
		k.failed = true;
	}
	for (size_t i = 0; i < k.n; i++)
		free(k.v[i].path);
	free(k.v);
	close(k.dfd);
	if (k.failed)
		return EXIT_FAILURE_;
	fputs("csleuth: case folder ", stderr);
	out_escaped(stderr, dir);
	fprintf(stderr, ": %zu files, listed in MANIFEST.sha256\n", k.n + 1);
	return cli_exit(c);
}
