/* ps.c - csleuth ps: list containers, with docker ps's options. */
#include <string.h>

#include "cli.h"
#include "render/render.h"
#include "render/template.h"

static const char help[] =
	"Usage: csleuth ps [OPTIONS]\n"
	"\n"
	"List every container (running at the power cut, exited, never started),\n"
	"newest first. Times are UTC. The table fits 100 columns; --wide shows\n"
	"every column, --no-trunc every character.\n"
	"\n"
	"  -a, --all          accepted for docker's sake: every container is listed anyway\n"
	"  -q, --quiet        only the ids\n"
	"  -f, --filter K=V   status=, name=, id=, label=KEY[=VALUE], ancestor=IMAGE,\n"
	"                     before=CONTAINER, since=CONTAINER, exited=CODE, volume=NAME,\n"
	"                     engine=, namespace= (repeat: one key's values are or'ed,\n"
	"                     different keys and'ed, as docker does)\n"
	"  --format T         a Go template per container ({{.ID}}, {{.Names}}, {{.Image}},\n"
	"                     {{.Command}}, {{.CreatedAt}}, {{.Status}}, {{.State}},\n"
	"                     {{.Labels}}, {{.Mounts}}, {{.Engine}}, {{json .}}, ...),\n"
	"                     `table T` for a table\n"
	"  -n, --last N       the N newest containers\n"
	"  -l, --latest       the newest container\n"
	"  --running          only containers recorded as running (at the power cut)\n"
	"  --engine E         only containers of engine E (docker, containerd, podman,\n"
	"                     cri-o, lxc, lxd)\n"
	"  --namespace N      only containers of the engine namespace N\n"
	"  -w, --wide         every column: state, exit code, start and finish times, notes\n"
	"  --no-trunc         full ids and commands, nanosecond times\n"
	"  --json             a JSON array of objects (see csleuth-ps(1))\n"
	"  --check            also read and verify every container's layer stack (and\n"
	"                     the images), so that all damage is flagged; by default ps\n"
	"                     reads only each container's own files (see csleuth-check(1))\n"
	"  --provenance       with --json: {\"provenance\": {...}, \"items\": [...]}\n";

static bool match_status(const cs_container *ct, const char *v)
{
	return ct->config_json && strcmp(cs_container_status(ct), v) == 0;
}

static bool has_label(const cs_container *ct, const char *v)
{
	size_t kl = strcspn(v, "=");
	for (char **l = ct->labels; l && *l; l++) {
		if (strchr(v, '=') ? strcmp(*l, v) == 0 : (strncmp(*l, v, kl) == 0 && (*l)[kl] == '='))
			return true;
	}
	return false;
}

static const cs_image *image_by_id(const cs_host *h, const cs_dataroot *dr, const char *id)
{
	for (size_t i = 0; id && i < h->n_images; i++)
		if (h->images[i]->dr == dr && strcmp(h->images[i]->id, id) == 0)
			return h->images[i];
	return NULL;
}

/* The container's image is `anc` or was built on it. */
static bool descends(const cs_host *h, const cs_container *ct, const cs_image *anc, const char *q)
{
	if (ct->image_ref && strcmp(ct->image_ref, q) == 0)
		return true;
	if (!anc)
		return false;
	const cs_image *im = image_by_id(h, ct->dr, ct->image_id);
	for (int depth = 0; im && depth < 1000; depth++) {
		if (im == anc)
			return true;
		im = image_by_id(h, im->dr, im->parent);
	}
	return false;
}

typedef struct pass_ctx {
	cli *c;
	const cs_container *ct;
} pass_ctx;

/* One --filter; the rule across them is cli_filters_pass()'s. */
static bool one_filter(void *ud, const cli_filter *f, int *err)
{
	cli *c = ((pass_ctx *)ud)->c;
	const cs_container *ct = ((pass_ctx *)ud)->ct;
	const cs_host *h = c->host;
	const char *k = f->key, *v = f->val;
	if (strcmp(k, "status") == 0)
		return match_status(ct, v);
	if (strcmp(k, "name") == 0)
		return ct->name && strstr(ct->name, *v == '/' ? v + 1 : v) != NULL;
	if (strcmp(k, "id") == 0)
		return strncmp(ct->id, v, strlen(v)) == 0;
	if (strcmp(k, "label") == 0)
		return has_label(ct, v);
	if (strcmp(k, "engine") == 0)
		return ct->engine && strcmp(ct->engine, v) == 0;
	if (strcmp(k, "namespace") == 0)
		return ct->namespace && strcmp(ct->namespace, v) == 0;
	if (strcmp(k, "exited") == 0) {
		int64_t code;
		if (cs_parse_i64(v, &code) < 0) {
			*err = cli_usage_error("ps", "bad filter `exited=%s` (an exit code)", v);
			return false;
		}
		return strcmp(cs_container_status(ct), "exited") == 0 && ct->state.exit_code == code;
	}
	if (strcmp(k, "volume") == 0) {
		for (size_t m = 0; m < ct->n_mounts; m++)
			if ((ct->mounts[m].name && strcmp(ct->mounts[m].name, v) == 0) ||
			    (ct->mounts[m].destination && strcmp(ct->mounts[m].destination, v) == 0))
				return true;
		return false;
	}
	if (strcmp(k, "ancestor") == 0) {
		const cs_image *anc = NULL;
		(void)cs_host_find_image(h, v, &anc, NULL, NULL);
		return descends(h, ct, anc, v);
	}
	if (strcmp(k, "before") == 0 || strcmp(k, "since") == 0) {
		const cs_container *ref;
		if (cs_host_find_container(h, v, &ref, NULL, NULL) < 0) {
			*err = cli_find_container(c, v, &ref);
			return false;
		}
		bool before = ct->created < ref->created || (ct->created == ref->created && strcmp(ct->id, ref->id) < 0);
		bool after = ct->created > ref->created || (ct->created == ref->created && strcmp(ct->id, ref->id) > 0);
		return k[0] == 'b' ? before : after;
	}
	*err = cli_usage_error("ps", "unknown filter `%s` (status, name, id, label, ancestor, before, since, "
			       "exited, volume, engine, namespace)", k);
	return false;
}

static const char header_row[] =
	"{\"ID\":\"CONTAINER ID\",\"Names\":\"NAMES\",\"Image\":\"IMAGE\",\"Command\":\"COMMAND\","
	"\"CreatedAt\":\"CREATED AT\",\"StartedAt\":\"STARTED AT\",\"FinishedAt\":\"FINISHED AT\","
	"\"State\":\"STATE\",\"Status\":\"STATUS\",\"ExitCode\":\"EXIT CODE\",\"Error\":\"ERROR\","
	"\"Labels\":\"LABELS\",\"Mounts\":\"MOUNTS\",\"Engine\":\"ENGINE\",\"Namespace\":\"NAMESPACE\","
	"\"Pod\":\"POD\"}";

int cmd_ps(cli *c, int argc, char **argv)
{
	enum { O_RUNNING = 0x200, O_NOTRUNC, O_JSON, O_ENGINE, O_NS, O_FORMAT, O_PROV, O_CHECK };
	static const struct option opts[] = {
		{"running", no_argument, NULL, O_RUNNING}, {"no-trunc", no_argument, NULL, O_NOTRUNC},
		{"json", no_argument, NULL, O_JSON},       {"engine", required_argument, NULL, O_ENGINE},
		{"namespace", required_argument, NULL, O_NS}, {"all", no_argument, NULL, 'a'},
		{"quiet", no_argument, NULL, 'q'},         {"filter", required_argument, NULL, 'f'},
		{"format", required_argument, NULL, O_FORMAT}, {"last", required_argument, NULL, 'n'},
		{"latest", no_argument, NULL, 'l'},        {"wide", no_argument, NULL, 'w'},
		{"provenance", no_argument, NULL, O_PROV}, {"check", no_argument, NULL, O_CHECK}, {0},
	};
	static const cli_opts co = {.cmd = "ps", .help = help, .shortopts = "aqf:n:lw", .longopts = opts,
				    .own_quiet = true};
	bool running = false, notrunc = false, json = false, quiet = false, wide = false, prov = false,
	     check = false;
	const char *engine = NULL, *ns = NULL, *format = NULL;
	int64_t last = -1;
	cli_filters fl = {0};
	int o, rc = 0;
	while ((o = cli_getopt(c, &co, argc, argv, &rc)) != -1) {
		switch (o) {
		case CLI_OPT_EXIT: goto out;
		case O_RUNNING: running = true; break;
		case O_NOTRUNC: notrunc = true; break;
		case O_JSON: json = true; break;
		case O_ENGINE: engine = optarg; break;
		case O_NS: ns = optarg; break;
		case O_FORMAT: format = optarg; break;
		case O_PROV: prov = true; break;
		case O_CHECK: check = true; break;
		case 'a': break; /* every container is listed anyway */
		case 'q': quiet = true; break;
		case 'w': wide = true; break;
		case 'l': last = 1; break;
		case 'n':
			if (cs_parse_i64(optarg, &last) < 0 || last < 0) {
				rc = cli_usage_error("ps", "bad --last `%s` (a number)", optarg);
				goto out;
			}
			break;
		case 'f':
			if ((rc = cli_filter_add(&fl, "ps", optarg)) != 0)
				goto out;
			break;
		default: rc = cli_usage_error("ps", "bad option"); goto out;
		}
	}
	if (optind < argc) {
		rc = cli_usage_error("ps", "unexpected argument `%s`", argv[optind]);
		goto out;
	}
	if (prov && !json) {
		rc = cli_usage_error("ps", "--provenance goes with --json");
		goto out;
	}
	struct cs_template *tpl = NULL;
	bool as_table = false;
	if (format && strcmp(format, "json") == 0)
		format = "{{json .}}";
	if (format && (rc = cli_template("ps", format, &tpl, &as_table)) != 0)
		goto out;
	/* a listing reads each container's own files only; the layer stacks
	 * (and images, for ancestor=) are read with --check or when a filter
	 * needs them */
	c->listing = !check;
	if (cli_filters_has(&fl, "ancestor"))
		c->listing = false;
	if ((rc = cli_load(c)) != 0) {
		cs_template_free(tpl);
		goto out;
	}
	const cs_host *h = c->host;
	const cs_container **v = cs_xcalloc(h->n_containers + 1, sizeof(*v));
	size_t n = 0;
	for (size_t i = 0; i < h->n_containers && !rc; i++) {
		const cs_container *ct = h->containers[i];
		pass_ctx pc = {c, ct};
		if ((!running || ct->state.running) && cli_item_selected(ct->engine, ct->namespace, engine, ns) &&
		    cli_filters_pass(&fl, one_filter, &pc, &rc))
			v[n++] = ct;
	}
	if (rc) {
		free(v);
		cs_template_free(tpl);
		goto out;
	}
	if (last >= 0 && (size_t)last < n)
		n = (size_t)last;
	cli_scope sc = {.cts = v, .n_cts = n, .roots = !fl.n && !running && !engine && !ns && last < 0,
			 .engine = !fl.n && !running && last < 0 ? engine : NULL};
	cli_report(c, &sc);
	if (quiet) {
		for (size_t i = 0; i < n; i++) {
			char id[80];
			puts(fmt_id(v[i]->id, notrunc, id));
		}
	} else if (tpl) {
		char **rows = cs_xcalloc(n + 1, sizeof(char *));
		for (size_t i = 0; i < n; i++)
			rows[i] = cs_render_ps_row(v[i], notrunc);
		rc = cli_run_template("ps", tpl, as_table, header_row, rows, n);
		for (size_t i = 0; i < n; i++)
			free(rows[i]);
		free(rows);
	} else if (json) {
		char *s = cs_render_ps_json(v, n, true);
		cli_put_json(c, stdout, s, prov);
		free(s);
	} else {
		/* ENGINE, NAMESPACE and POD only when more than one engine or
		 * namespace is present, so single-engine output keeps docker's look */
		const char *head[13];
		size_t minw[13];
		size_t nh = 0;
		head[nh] = "CONTAINER ID";
		minw[nh++] = 0;
		if (h->many) {
			head[nh] = "ENGINE";
			minw[nh++] = 6;
			head[nh] = "NAMESPACE";
			minw[nh++] = 9;
			if (wide) {
				head[nh] = "POD";
				minw[nh++] = 8;
			}
		}
		head[nh] = "NAME";
		minw[nh++] = 10;
		head[nh] = "IMAGE";
		minw[nh++] = 10;
		head[nh] = "COMMAND";
		minw[nh++] = 12;
		if (wide) {
			head[nh] = "STATE";
			minw[nh++] = 0;
			head[nh] = "EXIT";
			minw[nh++] = 0;
		}
		head[nh] = "CREATED";
		minw[nh++] = 0;
		if (wide) {
			head[nh] = "STARTED";
			minw[nh++] = 0;
			head[nh] = "FINISHED";
			minw[nh++] = 0;
			head[nh] = "NOTE";
			minw[nh++] = 0;
		} else {
			head[nh] = "STATUS";
			minw[nh++] = 18;
		}
		table t;
		table_init(&t, head, nh);
		if (!wide && !notrunc)
			table_fit(&t, 100, minw);
		for (size_t i = 0; i < n; i++) {
			const cs_container *ct = v[i];
			char id[80], cr[CS_TIME_STRMAX], st[CS_TIME_STRMAX], fi[CS_TIME_STRMAX], ex[32];
			const char *state = cs_container_state(ct);
			if (!state)
				state = "unknown";
			snprintf(ex, sizeof(ex), "%lld", (long long)ct->state.exit_code);
			fmt_time(ct->created, notrunc, cr);
			fmt_time(ct->state.started_at, notrunc, st);
			fmt_time(ct->state.finished_at, notrunc, fi);
			_cleanup_free_ char *status = cs_container_status_text(ct);
			_cleanup_free_ char *note = NULL;
			if (ct->incomplete)
				note = cs_xstrdup("incomplete");
			else if (cs_container_start_failed(ct))
				note = cs_xasprintf("start failed: %s", ct->state.error);
			else if (ct->state.running && ct->upper_torn)
				note = cs_xstrdup("running when seized; upper may be torn");
			else if (ct->state.running)
				note = cs_xstrdup("running when seized");
			else if (ct->sandbox)
				note = cs_xstrdup("pod sandbox");
			else if (ct->upper_torn)
				note = cs_xstrdup("volatile, not unmounted");
			else if (ct->state_unknown)
				note = cs_xstrdup("no state on disk");
			if (!wide && ct->incomplete) {
				char *s2 = cs_xasprintf("%s (incomplete)", status);
				free(status);
				status = s2;
			}
			_cleanup_free_ char *pod = cli_pod_label(ct);
			_cleanup_free_ char *cmd = cs_container_command(ct);
			_cleanup_free_ char *qcmd = cs_xasprintf("\"%s\"", cmd);
			const char *row[13];
			size_t nr = 0;
			row[nr++] = fmt_id(ct->id, notrunc, id);
			if (h->many) {
				row[nr++] = ct->engine;
				row[nr++] = ct->namespace ? ct->namespace : "";
				if (wide)
					row[nr++] = pod ? pod : "";
			}
			row[nr++] = ct->name;
			row[nr++] = ct->image_ref;
			row[nr++] = qcmd;
			if (wide) {
				row[nr++] = state;
				row[nr++] = (strcmp(state, "created") == 0 && !cs_container_start_failed(ct)) ||
						    strcmp(state, "unknown") == 0 || ct->exit_code_unknown
					    ? ""
					    : ex;
			}
			row[nr++] = cr;
			if (wide) {
				row[nr++] = st;
				row[nr++] = fi;
				row[nr++] = note ? note : "";
			} else {
				row[nr++] = status;
			}
			table_row(&t, row);
		}
		table_print(&t, stdout);
	}
	free(v);
	cs_template_free(tpl);
	if (!rc)
		rc = cli_exit(c);
out:
	cli_filters_free(&fl);
	return rc;
}
