/* history.c - csleuth history: an image's build steps, newest first. */
#include <string.h>

#include "cli.h"
#include "render/render.h"
#include "render/template.h"

static const char help[] =
	"Usage: csleuth history [OPTIONS] IMAGE\n"
	"\n"
	"Show the build history of IMAGE (id, id prefix, repo:tag or repo@digest),\n"
	"newest first, like `docker history`. The table fits a terminal: short ids,\n"
	"whole-second UTC times and CREATED BY cut to 45 characters; --no-trunc\n"
	"shows everything (full ids, nanoseconds, whole commands). Steps whose\n"
	"image is not present locally show <missing>.\n"
	"\n"
	"  -H, --human        sizes as docker prints them (1.24MB) instead of bytes\n"
	"  -q, --quiet        only the image ids\n"
	"  --no-trunc         do not truncate anything\n"
	"  --format T         a Go template per step, as docker's ({{.ID}},\n"
	"                     {{.CreatedAt}}, {{.CreatedBy}}, {{.Size}}, {{.Comment}},\n"
	"                     {{json .}}); {{.Created}} has nanoseconds\n"
	"                     `table T` for a table\n"
	"  --json             a JSON array of objects (see csleuth-history(1))\n"
	"  --provenance       with --json: {\"provenance\": {...}, \"items\": [...]}\n";

static const char header_row[] = "{\"ID\":\"IMAGE\",\"CreatedAt\":\"CREATED AT\",\"CreatedBy\":\"CREATED BY\","
				  "\"Size\":\"SIZE\",\"Comment\":\"COMMENT\"}";

int cmd_history(cli *c, int argc, char **argv)
{
	enum { O_JSON = 0x200, O_NOTRUNC, O_FORMAT, O_PROV };
	static const struct option opts[] = {
		{"json", no_argument, NULL, O_JSON},         {"human", no_argument, NULL, 'H'},
		{"quiet", no_argument, NULL, 'q'},           {"no-trunc", no_argument, NULL, O_NOTRUNC},
		{"format", required_argument, NULL, O_FORMAT}, {"provenance", no_argument, NULL, O_PROV},
		{0},
	};
	static const cli_opts co = {.cmd = "history", .help = help, .shortopts = "Hq", .longopts = opts,
				    .own_quiet = true};
	bool json = false, human = false, quiet = false, notrunc = false, prov = false;
	const char *format = NULL;
	int o, rc = 0;
	while ((o = cli_getopt(c, &co, argc, argv, &rc)) != -1) {
		switch (o) {
		case CLI_OPT_EXIT: return rc;
		case O_JSON: json = true; break;
		case 'H': human = true; break;
		case 'q': quiet = true; break;
		case O_NOTRUNC: notrunc = true; break;
		case O_FORMAT: format = optarg; break;
		case O_PROV: prov = true; break;
		default: return cli_usage_error("history", "bad option");
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error("history", "expects exactly one IMAGE");
	if (prov && !json)
		return cli_usage_error("history", "--provenance goes with --json");
	struct cs_template *tpl = NULL;
	bool as_table = false;
	if (format && strcmp(format, "json") == 0)
		format = "{{json .}}";
	if (format && (rc = cli_template("history", format, &tpl, &as_table)) != 0)
		return rc;
	if ((rc = cli_load(c)) != 0) {
		cs_template_free(tpl);
		return rc;
	}
	const cs_image *im;
	if ((rc = cli_find_image(c, argv[optind], &im)) != 0) {
		cs_template_free(tpl);
		return rc;
	}
	cli_report_one(c, NULL, im);
	if (quiet) {
		for (size_t k = im->n_history; k-- > 0;) {
			const cs_history *h = &im->history[k];
			char id[80];
			puts(h->image_id ? fmt_id(h->image_id, notrunc, id) : "<missing>");
		}
		return cli_exit(c);
	}
	if (tpl) {
		char **rows = cs_xcalloc(im->n_history + 1, sizeof(char *));
		size_t n = 0;
		for (size_t k = im->n_history; k-- > 0;)
			rows[n++] = cs_render_history_row(&im->history[k], notrunc, false);
		rc = cli_run_template("history", tpl, as_table, header_row, rows, n);
		for (size_t i = 0; i < n; i++)
			free(rows[i]);
		free(rows);
		cs_template_free(tpl);
		return rc ? rc : cli_exit(c);
	}
	if (json) {
		char *s = cs_render_history_json(im, true);
		cli_put_json(c, stdout, s, prov);
		free(s);
		return cli_exit(c);
	}
	static const char *head[] = {"IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT"};
	static const size_t minw[] = {0, 0, 20, 0, 10};
	table t;
	table_init(&t, head, CS_ARRAY_SIZE(head));
	if (!notrunc)
		table_fit(&t, 100, minw);
	for (size_t k = im->n_history; k-- > 0;) {
		const cs_history *h = &im->history[k];
		char cr[CS_TIME_STRMAX], sz[32], id[80];
		fmt_time(h->created, notrunc, cr);
		if (human)
			cs_human_size(h->size, sz);
		else
			snprintf(sz, sizeof(sz), "%lld", (long long)h->size);
		/* as docker: CREATED BY cut to 45 characters unless --no-trunc */
		const char *cb = h->created_by ? h->created_by : "";
		_cleanup_free_ char *by = notrunc ? cs_xstrdup(cb) : cut_text(cb, 45);
		const char *row[] = {h->image_id ? fmt_id(h->image_id, notrunc, id) : "<missing>", cr, by, sz,
				     h->comment ? h->comment : ""};
		table_row(&t, row);
	}
	table_print(&t, stdout);
	return cli_exit(c);
}
