/* images.c - csleuth images: list images, with docker images's options. */
#include <fnmatch.h>
#include <string.h>

#include "cli.h"
#include "render/render.h"
#include "render/template.h"

static const char help[] =
	"Usage: csleuth images [OPTIONS]\n"
	"\n"
	"List every image, intermediate and untagged ones too, newest first, one\n"
	"row per tag. Sizes are as `docker image inspect` reports.\n"
	"\n"
	"  -a, --all          accepted for docker's sake: every image is listed anyway\n"
	"  -q, --quiet        only the image ids (each once)\n"
	"  -f, --filter K=V   dangling=true|false, reference=PATTERN, label=KEY[=VALUE],\n"
	"                     before=IMAGE, since=IMAGE, engine=, namespace=\n"
	"  --format T         a Go template per row ({{.ID}}, {{.Repository}}, {{.Tag}},\n"
	"                     {{.Digest}}, {{.CreatedAt}}, {{.Size}}, {{.Containers}},\n"
	"                     {{.Engine}}, {{json .}}, ...), `table T` for a table\n"
	"  --digests          show repository digests\n"
	"  --engine E         only images of engine E (docker, containerd, podman,\n"
	"                     lxd)\n"
	"  --namespace N      only images of the engine namespace N\n"
	"  --no-trunc         full ids and nanosecond times\n"
	"  --json             a JSON array of objects (see csleuth-images(1))\n"
	"  --provenance       with --json: {\"provenance\": {...}, \"items\": [...]}\n";

/* Splits "repo:tag" at the last ':' after the last '/'. */
static void split_ref(const char *ref, char *repo, size_t rn, const char **tag)
{
	const char *slash = strrchr(ref, '/');
	const char *colon = strrchr(slash ? slash : ref, ':');
	if (!colon) {
		snprintf(repo, rn, "%s", ref);
		*tag = "<none>";
		return;
	}
	snprintf(repo, rn, "%.*s", (int)(colon - ref), ref);
	*tag = colon + 1;
}

typedef struct pass_ctx {
	cli *c;
	const cs_image *im;
} pass_ctx;

/* One --filter; the rule across them is cli_filters_pass()'s. */
static bool one_filter(void *ud, const cli_filter *f, int *err)
{
	cli *c = ((pass_ctx *)ud)->c;
	const cs_image *im = ((pass_ctx *)ud)->im;
	const char *k = f->key, *v = f->val;
	if (strcmp(k, "dangling") == 0) {
		bool dangling = !im->tags || !im->tags[0];
		if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
			return dangling;
		if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
			return !dangling;
		*err = cli_usage_error("images", "bad filter `dangling=%s` (true or false)", v);
		return false;
	}
	if (strcmp(k, "reference") == 0) {
		for (char **t = im->tags; t && *t; t++) {
			char repo[1024];
			const char *tag;
			split_ref(*t, repo, sizeof(repo), &tag);
			if (fnmatch(v, *t, 0) == 0 || fnmatch(v, repo, 0) == 0)
				return true;
		}
		return false;
	}
	if (strcmp(k, "label") == 0) {
		size_t kl = strcspn(v, "=");
		for (char **l = im->labels; l && *l; l++)
			if (strchr(v, '=') ? strcmp(*l, v) == 0 : (strncmp(*l, v, kl) == 0 && (*l)[kl] == '='))
				return true;
		return false;
	}
	if (strcmp(k, "engine") == 0)
		return im->engine && strcmp(im->engine, v) == 0;
	if (strcmp(k, "namespace") == 0)
		return im->namespace && strcmp(im->namespace, v) == 0;
	if (strcmp(k, "before") == 0 || strcmp(k, "since") == 0) {
		const cs_image *ref;
		if (cs_host_find_image(c->host, v, &ref, NULL, NULL) < 0) {
			*err = cli_find_image(c, v, &ref);
			return false;
		}
		return k[0] == 'b' ? im->created < ref->created : im->created > ref->created;
	}
	*err = cli_usage_error("images", "unknown filter `%s` (dangling, reference, label, before, since, "
			       "engine, namespace)", k);
	return false;
}

static const char header_row[] =
	"{\"ID\":\"IMAGE ID\",\"Repository\":\"REPOSITORY\",\"Tag\":\"TAG\",\"Digest\":\"DIGEST\","
	"\"CreatedAt\":\"CREATED AT\",\"Size\":\"SIZE\",\"VirtualSize\":\"SIZE\",\"Containers\":\"CONTAINERS\","
	"\"Labels\":\"LABELS\",\"Engine\":\"ENGINE\",\"Namespace\":\"NAMESPACE\"}";

static size_t containers_of(const cs_host *h, const cs_image *im)
{
	size_t n = 0;
	for (size_t i = 0; i < h->n_containers; i++)
		n += h->containers[i]->dr == im->dr && h->containers[i]->image_id &&
		     strcmp(h->containers[i]->image_id, im->id) == 0;
	return n;
}

int cmd_images(cli *c, int argc, char **argv)
{
	enum { O_DIGESTS = 0x200, O_NOTRUNC, O_JSON, O_ENGINE, O_NS, O_FORMAT, O_PROV };
	static const struct option opts[] = {
		{"digests", no_argument, NULL, O_DIGESTS}, {"no-trunc", no_argument, NULL, O_NOTRUNC},
		{"json", no_argument, NULL, O_JSON},       {"engine", required_argument, NULL, O_ENGINE},
		{"namespace", required_argument, NULL, O_NS}, {"all", no_argument, NULL, 'a'},
		{"quiet", no_argument, NULL, 'q'},         {"filter", required_argument, NULL, 'f'},
		{"format", required_argument, NULL, O_FORMAT}, {"provenance", no_argument, NULL, O_PROV},
		{0},
	};
	static const cli_opts co = {.cmd = "images", .help = help, .shortopts = "aqf:", .longopts = opts,
				    .own_quiet = true};
	bool digests = false, notrunc = false, json = false, quiet = false, prov = false;
	const char *engine = NULL, *ns = NULL, *format = NULL;
	cli_filters fl = {0};
	int o, rc = 0;
	struct cs_template *tpl = NULL;
	while ((o = cli_getopt(c, &co, argc, argv, &rc)) != -1) {
		switch (o) {
		case CLI_OPT_EXIT: goto out;
		case O_DIGESTS: digests = true; break;
		case O_NOTRUNC: notrunc = true; break;
		case O_JSON: json = true; break;
		case O_ENGINE: engine = optarg; break;
		case O_NS: ns = optarg; break;
		case O_FORMAT: format = optarg; break;
		case O_PROV: prov = true; break;
		case 'a': break;
		case 'q': quiet = true; break;
		case 'f':
			if ((rc = cli_filter_add(&fl, "images", optarg)) != 0)
				goto out;
			break;
		default: rc = cli_usage_error("images", "bad option"); goto out;
		}
	}
	if (optind < argc) {
		rc = cli_usage_error("images", "unexpected argument `%s`", argv[optind]);
		goto out;
	}
	if (prov && !json) {
		rc = cli_usage_error("images", "--provenance goes with --json");
		goto out;
	}
	bool as_table = false;
	if (format && strcmp(format, "json") == 0)
		format = "{{json .}}";
	if (format && (rc = cli_template("images", format, &tpl, &as_table)) != 0)
		goto out;
	if ((rc = cli_load(c)) != 0)
		goto out;
	const cs_host *h = c->host;
	const cs_image **v = cs_xcalloc(h->n_images + 1, sizeof(*v));
	size_t n = 0;
	for (size_t i = 0; i < h->n_images && !rc; i++) {
		pass_ctx pc = {c, h->images[i]};
		if (cli_item_selected(h->images[i]->engine, h->images[i]->namespace, engine, ns) &&
		    cli_filters_pass(&fl, one_filter, &pc, &rc))
			v[n++] = h->images[i];
	}
	if (rc) {
		free(v);
		goto out;
	}
	cli_scope sc = {.ims = v, .n_ims = n, .roots = !fl.n && !engine && !ns,
			 .engine = !fl.n ? engine : NULL};
	cli_report(c, &sc);
	if (quiet) {
		for (size_t i = 0; i < n; i++) {
			char id[80];
			puts(fmt_id(v[i]->id, notrunc, id));
		}
		free(v);
		rc = cli_exit(c);
		goto out;
	}
	if (json && !tpl) {
		char *s = cs_render_images_json(v, n, true);
		cli_put_json(c, stdout, s, prov);
		free(s);
		free(v);
		rc = cli_exit(c);
		goto out;
	}
	/* ENGINE and NAMESPACE only when more than one is present */
	const char *head[9];
	size_t minw[9];
	size_t nh = 0;
	if (h->many) {
		head[nh] = "ENGINE";
		minw[nh++] = 6;
		head[nh] = "NAMESPACE";
		minw[nh++] = 9;
	}
	head[nh] = "REPOSITORY";
	minw[nh++] = 16;
	head[nh] = "TAG";
	minw[nh++] = 8;
	if (digests) {
		head[nh] = "DIGEST";
		minw[nh++] = 0;
	}
	head[nh] = "IMAGE ID";
	minw[nh++] = 0;
	head[nh] = "CREATED";
	minw[nh++] = 0;
	head[nh] = "SIZE";
	minw[nh++] = 0;
	head[nh] = "NOTE";
	minw[nh++] = 0;
	table t;
	table_init(&t, head, nh);
	if (!notrunc && !digests)
		table_fit(&t, 100, minw);
	char **rows = NULL;
	size_t nrows = 0, caprows = 0;
	for (size_t i = 0; i < n; i++) {
		const cs_image *im = v[i];
		char id[80], cr[CS_TIME_STRMAX], sz[32], repo[1024];
		fmt_time(im->created, notrunc, cr);
		if (im->size >= 0)
			cs_human_size(im->size, sz);
		else
			snprintf(sz, sizeof(sz), "?");
		const char *note = im->incomplete ? "incomplete" : "";
		size_t nt = cs_strv_len(im->tags);
		for (size_t k = 0; k < (nt ? nt : 1); k++) {
			const char *tag = "<none>";
			if (nt)
				split_ref(im->tags[k], repo, sizeof(repo), &tag);
			else if (im->digests && im->digests[0])
				snprintf(repo, sizeof(repo), "%.*s", (int)strcspn(im->digests[0], "@"), im->digests[0]);
			else
				snprintf(repo, sizeof(repo), "<none>");
			/* the digest of this repository, if any */
			const char *dg = "<none>";
			for (char **d = im->digests; d && *d; d++)
				if (strncmp(*d, repo, strlen(repo)) == 0 && (*d)[strlen(repo)] == '@')
					dg = strchr(*d, '@') + 1;
			if (tpl) {
				*CS_PUSH(rows, nrows, caprows) = cs_render_image_row(im, repo, tag, dg, notrunc,
										  containers_of(h, im));
				continue;
			}
			const char *row[9];
			size_t nr = 0;
			if (h->many) {
				row[nr++] = im->engine;
				row[nr++] = im->namespace ? im->namespace : "";
			}
			row[nr++] = repo;
			row[nr++] = tag;
			if (digests)
				row[nr++] = dg;
			row[nr++] = fmt_id(im->id, notrunc, id);
			row[nr++] = cr;
			row[nr++] = sz;
			row[nr++] = note;
			table_row(&t, row);
		}
	}
	if (tpl) {
		rc = cli_run_template("images", tpl, as_table, header_row, rows, nrows);
		for (size_t i = 0; i < nrows; i++)
			free(rows[i]);
		free(rows);
		table_free(&t);
	} else {
		table_print(&t, stdout);
	}
	free(v);
	if (!rc)
		rc = cli_exit(c);
out:
	cs_template_free(tpl);
	cli_filters_free(&fl);
	return rc;
}
