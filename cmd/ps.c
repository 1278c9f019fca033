/* ps.c - csleuth ps: list containers. */
#include <getopt.h>
#include <string.h>

#include "cli.h"
#include "render/render.h"

static const char help[] =
	"Usage: csleuth ps [--running] [--no-trunc] [--json]\n"
	"\n"
	"List every container in the data root (running, exited, never started),\n"
	"newest first. Times are UTC.\n"
	"\n"
	"  --running    only containers recorded as running (at the power cut)\n"
	"  --no-trunc   full ids and nanosecond times\n"
	"  --json       a JSON array of objects (see csleuth-ps(1))\n";

int cmd_ps(cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{"running", no_argument, NULL, 'r'}, {"no-trunc", no_argument, NULL, 'n'},
		{"json", no_argument, NULL, 'j'},    {"help", no_argument, NULL, 'h'},
		{0},
	};
	bool running = false, notrunc = false, json = false;
	int o;
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (o) {
		case 'r': running = true; break;
		case 'n': notrunc = true; break;
		case 'j': json = true; break;
		case 'h': fputs(help, stdout); return EXIT_OK;
		default: return cli_usage_error("ps", "bad option");
		}
	}
	if (optind < argc)
		return cli_usage_error("ps", "unexpected argument `%s`", argv[optind]);
	int r = cli_load(c);
	if (r)
		return r;
	size_t *idx = cs_xcalloc(c->dr->n_containers + 1, sizeof(size_t)), n = 0;
	for (size_t i = 0; i < c->dr->n_containers; i++)
		if (!running || c->dr->containers[i].state.running)
			idx[n++] = i;
	if (json) {
		char *s = cs_render_ps_json(c->dr, idx, n, true);
		puts(s);
		free(s);
	} else {
		static const char *head[] = {"CONTAINER ID", "NAME", "IMAGE", "STATE", "EXIT",
					     "CREATED", "STARTED", "FINISHED", "NOTE"};
		table t;
		table_init(&t, head, CS_ARRAY_SIZE(head));
		for (size_t i = 0; i < n; i++) {
			const cs_container *ct = &c->dr->containers[idx[i]];
			char id[80], cr[CS_TIME_STRMAX], st[CS_TIME_STRMAX], fi[CS_TIME_STRMAX], ex[32];
			const char *state = ct->config_json ? cs_container_status(ct) : "unknown";
			snprintf(ex, sizeof(ex), "%lld", (long long)ct->state.exit_code);
			fmt_time(ct->created, notrunc, cr);
			fmt_time(ct->state.started_at, notrunc, st);
			fmt_time(ct->state.finished_at, notrunc, fi);
			const char *note = ct->incomplete ? "incomplete"
					   : ct->state.running ? "running when seized" : "";
			const char *row[] = {fmt_id(ct->id, notrunc, id), ct->name, ct->image_ref, state,
					     strcmp(state, "created") == 0 ? "" : ex, cr, st, fi, note};
			table_row(&t, row);
		}
		table_print(&t, stdout);
	}
	free(idx);
	return cli_exit(c);
}
