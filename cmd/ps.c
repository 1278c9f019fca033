/* ps.c - csleuth ps: list containers. */
#include <getopt.h>
#include <string.h>

#include "cli.h"
#include "render/render.h"

static const char help[] =
	"Usage: csleuth ps [--running] [--engine E] [--namespace N] [--no-trunc] [--json]\n"
	"\n"
	"List every container in the data root (running, exited, never started),\n"
	"newest first. Times are UTC.\n"
	"\n"
	"  --running    only containers recorded as running (at the power cut)\n"
	"  --engine E   only containers of engine E (docker, containerd, podman,\n"
	"               cri-o)\n"
	"  --namespace N  only containers of the engine namespace N\n"
	"  --no-trunc   full ids and nanosecond times\n"
	"  --json       a JSON array of objects (see csleuth-ps(1))\n";

int cmd_ps(cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{"running", no_argument, NULL, 'r'}, {"no-trunc", no_argument, NULL, 'n'},
		{"json", no_argument, NULL, 'j'},    {"help", no_argument, NULL, 'h'},
		{"engine", required_argument, NULL, 'e'}, {"namespace", required_argument, NULL, 'N'},
		{0},
	};
	bool running = false, notrunc = false, json = false;
	const char *engine = NULL, *ns = NULL;
	int o;
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (o) {
		case 'r': running = true; break;
		case 'n': notrunc = true; break;
		case 'j': json = true; break;
		case 'e': engine = optarg; break;
		case 'N': ns = optarg; break;
		case 'h': fputs(help, stdout); return EXIT_OK;
		default: return cli_usage_error("ps", "bad option");
		}
	}
	if (optind < argc)
		return cli_usage_error("ps", "unexpected argument `%s`", argv[optind]);
	int r = cli_load(c);
	if (r)
		return r;
	const cs_host *h = c->host;
	const cs_container **v = cs_xcalloc(h->n_containers + 1, sizeof(*v));
	size_t n = 0;
	for (size_t i = 0; i < h->n_containers; i++) {
		const cs_container *ct = h->containers[i];
		if ((!running || ct->state.running) && cli_item_selected(ct->engine, ct->namespace, engine, ns))
			v[n++] = ct;
	}
	if (json) {
		char *s = cs_render_ps_json(v, n, true);
		puts(s);
		free(s);
	} else {
		/* ENGINE, NAMESPACE and POD only when more than one engine or
		 * namespace is present, so single-engine output keeps docker's look */
		static const char *head_many[] = {"CONTAINER ID", "ENGINE", "NAMESPACE", "POD", "NAME", "IMAGE",
						  "STATE", "EXIT", "CREATED", "STARTED", "FINISHED", "NOTE"};
		static const char *head_one[] = {"CONTAINER ID", "NAME", "IMAGE", "STATE", "EXIT",
						 "CREATED", "STARTED", "FINISHED", "NOTE"};
		table t;
		if (h->many)
			table_init(&t, head_many, CS_ARRAY_SIZE(head_many));
		else
			table_init(&t, head_one, CS_ARRAY_SIZE(head_one));
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
			const char *note = ct->incomplete ? "incomplete"
					   : ct->state.running && ct->upper_torn ? "running when seized; upper may be torn"
					   : ct->state.running ? "running when seized"
					   : ct->sandbox ? "pod sandbox" : ct->upper_torn ? "volatile, not unmounted" : "";
			_cleanup_free_ char *pod = cli_pod_label(ct);
			const char *exit = strcmp(state, "created") == 0 || strcmp(state, "unknown") == 0 ? "" : ex;
			const char *row_many[] = {fmt_id(ct->id, notrunc, id), ct->engine,
						  ct->namespace ? ct->namespace : "", pod ? pod : "", ct->name,
						  ct->image_ref, state, exit, cr, st, fi, note};
			const char *row_one[] = {fmt_id(ct->id, notrunc, id), ct->name, ct->image_ref, state,
						 exit, cr, st, fi, note};
			table_row(&t, h->many ? row_many : row_one);
		}
		table_print(&t, stdout);
	}
	free(v);
	return cli_exit(c);
}
