/* volumes.c - csleuth volumes: every volume, like `docker volume ls`, with
 * the containers that mount it; volumes no container mounts (an attacker's
 * that survived `docker rm`) and volumes containers mount but the evidence
 * lacks are flagged. */
#include <string.h>

#include "cli.h"
#include "render/render.h"
#include "render/template.h"

static const char help[] =
	"Usage: csleuth volumes [OPTIONS]\n"
	"\n"
	"List every volume of the evidence, sorted by name, with the containers\n"
	"that mount it. A volume no container mounts is flagged `unreferenced`; a\n"
	"volume that containers mount but the evidence does not hold is listed\n"
	"too, flagged `missing`.\n"
	"\n"
	"  -q, --quiet        only the volume names\n"
	"  -f, --filter K=V   dangling=true|false (unreferenced or not), name=SUBSTRING,\n"
	"                     driver=, engine=, namespace=\n"
	"  --format T         a Go template per volume ({{.Name}}, {{.Driver}},\n"
	"                     {{.Mountpoint}}, {{.CreatedAt}}, {{.Links}}, {{.Containers}},\n"
	"                     {{.Note}}, {{json .}}), `table T` for a table\n"
	"  --engine E         only volumes of engine E\n"
	"  --namespace N      only volumes of the engine namespace N\n"
	"  --json             a JSON array of objects (see csleuth-volumes(1))\n"
	"  --provenance       with --json: {\"provenance\": {...}, \"items\": [...]}\n";

static const char header_row[] =
	"{\"Name\":\"VOLUME NAME\",\"Driver\":\"DRIVER\",\"Mountpoint\":\"MOUNTPOINT\",\"CreatedAt\":\"CREATED AT\","
	"\"Scope\":\"SCOPE\",\"Links\":\"LINKS\",\"Containers\":\"CONTAINERS\",\"Note\":\"NOTE\","
	"\"Engine\":\"ENGINE\",\"Namespace\":\"NAMESPACE\"}";

/* One --filter; the rule across them is cli_filters_pass()'s. */
static bool one_filter(void *ud, const cli_filter *f, int *err)
{
	const cs_volume_use *u = ud;
	const char *k = f->key, *v = f->val;
	if (strcmp(k, "dangling") == 0) {
		bool d = u->n_users == 0;
		if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
			return d;
		if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
			return !d;
		*err = cli_usage_error("volumes", "bad filter `dangling=%s` (true or false)", v);
		return false;
	}
	if (strcmp(k, "name") == 0)
		return strstr(u->name, v) != NULL;
	if (strcmp(k, "driver") == 0)
		return u->vol && u->vol->driver && strcmp(u->vol->driver, v) == 0;
	if (strcmp(k, "engine") == 0)
		return u->engine && strcmp(u->engine, v) == 0;
	if (strcmp(k, "namespace") == 0)
		return u->namespace && strcmp(u->namespace, v) == 0;
	*err = cli_usage_error("volumes", "unknown filter `%s` (dangling, name, driver, engine, namespace)", k);
	return false;
}

int cmd_volumes(cli *c, int argc, char **argv)
{
	enum { O_JSON = 0x200, O_ENGINE, O_NS, O_FORMAT, O_PROV };
	static const struct option opts[] = {
		{"json", no_argument, NULL, O_JSON},       {"engine", required_argument, NULL, O_ENGINE},
		{"namespace", required_argument, NULL, O_NS}, {"quiet", no_argument, NULL, 'q'},
		{"filter", required_argument, NULL, 'f'},  {"format", required_argument, NULL, O_FORMAT},
		{"provenance", no_argument, NULL, O_PROV}, {0},
	};
	static const cli_opts co = {.cmd = "volumes", .help = help, .shortopts = "qf:", .longopts = opts,
				    .own_quiet = true};
	bool json = false, quiet = false, prov = false;
	const char *engine = NULL, *ns = NULL, *format = NULL;
	cli_filters fl = {0};
	int o, rc = 0;
	struct cs_template *tpl = NULL;
	cs_volume_use *all = NULL;
	size_t nall = 0;
	while ((o = cli_getopt(c, &co, argc, argv, &rc)) != -1) {
		switch (o) {
		case CLI_OPT_EXIT: goto out;
		case O_JSON: json = true; break;
		case O_ENGINE: engine = optarg; break;
		case O_NS: ns = optarg; break;
		case O_FORMAT: format = optarg; break;
		case O_PROV: prov = true; break;
		case 'q': quiet = true; break;
		case 'f':
			if ((rc = cli_filter_add(&fl, "volumes", optarg)) != 0)
				goto out;
			break;
		default: rc = cli_usage_error("volumes", "bad option"); goto out;
		}
	}
	if (optind < argc) {
		rc = cli_usage_error("volumes", "unexpected argument `%s`", argv[optind]);
		goto out;
	}
	if (prov && !json) {
		rc = cli_usage_error("volumes", "--provenance goes with --json");
		goto out;
	}
	bool as_table = false;
	if (format && strcmp(format, "json") == 0)
		format = "{{json .}}";
	if (format && (rc = cli_template("volumes", format, &tpl, &as_table)) != 0)
		goto out;
	if ((rc = cli_load(c)) != 0)
		goto out;
	nall = cs_host_volumes(c->host, &all);
	const cs_volume_use **v = cs_xcalloc(nall + 1, sizeof(*v));
	size_t n = 0;
	for (size_t i = 0; i < nall && !rc; i++) {
		const cs_volume_use *u = &all[i];
		if (!cli_item_selected(u->engine, u->namespace, engine, ns))
			continue;
		if (cli_filters_pass(&fl, one_filter, (void *)(uintptr_t)u, &rc))
			v[n++] = u;
	}
	if (rc) {
		free(v);
		goto out;
	}
	cli_scope sc = {.roots = true};
	cli_report(c, &sc);
	if (quiet) {
		for (size_t i = 0; i < n; i++) {
			out_escaped(stdout, v[i]->name);
			putchar('\n');
		}
	} else if (tpl) {
		char **rows = cs_xcalloc(n + 1, sizeof(char *));
		for (size_t i = 0; i < n; i++)
			rows[i] = cs_render_volume_row(v[i]);
		rc = cli_run_template("volumes", tpl, as_table, header_row, rows, n);
		for (size_t i = 0; i < n; i++)
			free(rows[i]);
		free(rows);
	} else if (json) {
		char *s = cs_render_volumes_json(v, n, true);
		cli_put_json(c, stdout, s, prov);
		free(s);
	} else {
		const char *head[7];
		size_t minw[7], nh = 0;
		if (c->host->many) {
			head[nh] = "ENGINE";
			minw[nh++] = 6;
			head[nh] = "NAMESPACE";
			minw[nh++] = 9;
		}
		head[nh] = "DRIVER";
		minw[nh++] = 0;
		head[nh] = "VOLUME NAME";
		minw[nh++] = 24;
		head[nh] = "CREATED";
		minw[nh++] = 0;
		head[nh] = "CONTAINERS";
		minw[nh++] = 12;
		head[nh] = "NOTE";
		minw[nh++] = 12;
		table t;
		table_init(&t, head, nh);
		table_fit(&t, 100, minw);
		for (size_t i = 0; i < n; i++) {
			const cs_volume_use *u = v[i];
			char cr[CS_TIME_STRMAX];
			fmt_time(u->vol ? u->vol->created : CS_TIME_NEVER, false, cr);
			cs_buf users = {0};
			(void)cs_buf_puts(&users, "");
			for (size_t k = 0; k < u->n_users; k++)
				(void)cs_buf_printf(&users, "%s%s", k ? "," : "",
						    u->users[k]->name ? u->users[k]->name : u->users[k]->id);
			const char *row[7];
			size_t nr = 0;
			if (c->host->many) {
				row[nr++] = u->engine;
				row[nr++] = u->namespace ? u->namespace : "";
			}
			row[nr++] = u->vol && u->vol->driver ? u->vol->driver : "-";
			row[nr++] = u->name;
			row[nr++] = cr;
			row[nr++] = users.len ? users.data : "-";
			row[nr++] = cs_volume_note(u);
			table_row(&t, row);
			cs_buf_free(&users);
		}
		table_print(&t, stdout);
	}
	free(v);
	if (!rc)
		rc = cli_exit(c);
out:
	cs_volume_uses_free(all, nall);
	cs_template_free(tpl);
	cli_filters_free(&fl);
	return rc;
}
