/* timeline.c - csleuth timeline: one sorted timeline of the evidence. */
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "timeline/timeline.h"
#include "timeline/tlsources.h"

static const char help[] =
	"Usage: csleuth timeline [OPTIONS] [CONTAINER...]\n"
	"\n"
	"Write one timeline, sorted by time, of the containers (all by default), their\n"
	"images and volumes: lifecycle with the command, health checks, image\n"
	"creation, build steps (one row per step) and tag times, every entry of each\n"
	"container's own layer with its MACB times, deletions and replaced\n"
	"directories, the files of named volumes at the paths the container saw,\n"
	"volumes no container mounts, and optionally logs and image layers.\n"
	"\n"
	"  --format F         timesketch (CSV, the default), jsonl, bodyfile (mactime), csv\n"
	"  --logs             add every log record\n"
	"  --layers           add the files of image layers (\"image TAG layer N\",\n"
	"                     layers numbered from the base, 0, up)\n"
	"  --hash             add the sha256 of regular files\n"
	"  --no-magic         leave out the libmagic file type\n"
	"  --since T          only events at or after T: RFC 3339, a date or minutes\n"
	"                     without zone (read as UTC), Unix seconds, or a time\n"
	"                     before now (10m, 2h, 3d); --from is the same\n"
	"  --until T          only events at or before T (--to is the same)\n"
	"  --engine E         only containers (and their images) of engine E\n"
	"  --namespace N      only containers of the engine namespace N\n"
	"  -o, --output FILE  write to FILE (default: standard output)\n"
	"  --mem-limit SIZE   sort in memory up to SIZE of rows (64M, 1G, bytes), then\n"
	"                     merge runs from temporary files (default 64M)\n";

static void on_progress(void *ud, const cs_tl_progress *p)
{
	char extra[96];
	snprintf(extra, sizeof(extra), "%llu entries walked, %llu events", (unsigned long long)p->entries,
		 (unsigned long long)p->events);
	cli_progress(ud, p->phase, p->done, p->total, extra);
}

int cmd_timeline(cli *c, int argc, char **argv)
{
	enum { O_FORMAT = 0x200, O_LOGS, O_LAYERS, O_HASH, O_NOMAGIC, O_SINCE, O_UNTIL, O_MEM, O_ENGINE, O_NS };
	static const struct option opts[] = {
		{"format", required_argument, NULL, O_FORMAT}, {"logs", no_argument, NULL, O_LOGS},
		{"layers", no_argument, NULL, O_LAYERS},       {"hash", no_argument, NULL, O_HASH},
		{"no-magic", no_argument, NULL, O_NOMAGIC},    {"since", required_argument, NULL, O_SINCE},
		{"from", required_argument, NULL, O_SINCE},    {"until", required_argument, NULL, O_UNTIL},
		{"to", required_argument, NULL, O_UNTIL},      {"output", required_argument, NULL, 'o'},
		{"mem-limit", required_argument, NULL, O_MEM}, {"engine", required_argument, NULL, O_ENGINE},
		{"namespace", required_argument, NULL, O_NS},  {0},
	};
	static const cli_opts co = {.cmd = "timeline", .help = help, .shortopts = "o:", .longopts = opts};
	cs_timeline_opts to = {.format = CS_TL_TIMESKETCH, .from = CS_TIME_NEVER, .to = CS_TIME_NEVER};
	cs_tl_sources s = {.magic = true};
	const char *out = NULL, *engine = NULL, *ns = NULL;
	cs_time now = cs_time_now();
	int o, r = 0;
	while ((o = cli_getopt(c, &co, argc, argv, &r)) != -1) {
		switch (o) {
		case CLI_OPT_EXIT: return r;
		case O_FORMAT:
			if (strcmp(optarg, "timesketch") == 0)
				to.format = CS_TL_TIMESKETCH;
			else if (strcmp(optarg, "jsonl") == 0)
				to.format = CS_TL_JSONL;
			else if (strcmp(optarg, "bodyfile") == 0)
				to.format = CS_TL_BODYFILE;
			else if (strcmp(optarg, "csv") == 0)
				to.format = CS_TL_CSV;
			else
				return cli_usage_error("timeline", "unknown --format `%s`: use timesketch, jsonl, "
								   "bodyfile or csv", optarg);
			break;
		case O_LOGS: s.logs = true; break;
		case O_LAYERS: s.layers = true; break;
		case O_HASH: s.hash = true; break;
		case O_NOMAGIC: s.magic = false; break;
		case O_ENGINE: engine = optarg; break;
		case O_NS: ns = optarg; break;
		case O_SINCE:
		case O_UNTIL:
			if (cs_time_parse_arg(optarg, now, o == O_SINCE ? &to.from : &to.to) < 0)
				return cli_usage_error("timeline", "bad time `%s` (RFC 3339, a date, Unix seconds, "
								   "or a duration such as 10m)", optarg);
			break;
		case 'o': out = optarg; break;
		case O_MEM: {
			uint64_t v;
			if (cs_parse_size(optarg, &v) < 0 || v < 4096)
				return cli_usage_error("timeline", "--mem-limit takes a size of at least 4096 "
								   "bytes (64M, 1G, 65536)");
			to.mem_limit = (size_t)v;
			break;
		}
		default: return cli_usage_error("timeline", "bad option");
		}
	}
	if (to.from != CS_TIME_NEVER && to.to != CS_TIME_NEVER && to.from > to.to)
		return cli_usage_error("timeline", "--since is after --until: the range is empty");
	if ((r = cli_load(c)) != 0)
		return r;
	/* the containers named (all when none is), the images they use and the
	 * volumes (all when no container is named, else theirs) */
	const cs_host *h = c->host;
	size_t n = (size_t)(argc - optind), ni = 0, nv = 0;
	const cs_container **cts = cs_xcalloc((n ? n : h->n_containers) + 1, sizeof(*cts));
	const cs_image **ims = cs_xcalloc(h->n_images + 1, sizeof(*ims));
	const cs_volume **vols = cs_xcalloc(h->n_volumes + 1, sizeof(*vols));
	for (size_t k = 0; k < n; k++)
		if ((r = cli_find_container(c, argv[optind + (int)k], &cts[k])) != 0) {
			free(cts);
			free(ims);
			free(vols);
			return r;
		}
	bool all = n == 0;
	if (all) {
		for (size_t k = 0; k < h->n_containers; k++)
			if (cli_item_selected(h->containers[k]->engine, h->containers[k]->namespace, engine, ns))
				cts[n++] = h->containers[k];
	}
	for (size_t i = 0; i < h->n_images; i++) {
		const cs_image *im = h->images[i];
		bool used = all && cli_item_selected(im->engine, im->namespace, engine, ns);
		for (size_t k = 0; k < n && !used; k++)
			used = cts[k]->dr == im->dr && cts[k]->image_id && strcmp(cts[k]->image_id, im->id) == 0;
		if (used)
			ims[ni++] = im;
	}
	for (size_t i = 0; i < h->n_volumes; i++) {
		const cs_volume *v = h->volumes[i];
		bool used = all && cli_item_selected(v->engine, v->namespace, engine, ns);
		for (size_t k = 0; k < n && !used; k++)
			for (size_t m = 0; m < cts[k]->n_mounts && !used; m++)
				used = cts[k]->dr == v->dr && cts[k]->mounts[m].name &&
				       cts[k]->mounts[m].type == CS_MOUNT_VOLUME &&
				       strcmp(cts[k]->mounts[m].name, v->name) == 0;
		if (used)
			vols[nv++] = v;
	}
	s.volumes = vols;
	s.n_volumes = nv;
	cli_scope sc = {.cts = cts, .n_cts = n, .ims = ims, .n_ims = ni, .roots = all && !engine && !ns,
			 .engine = all ? engine : NULL};
	cli_report(c, &sc);
	if (out && cli_output_inside_evidence(c, out)) {
		cli_error("refusing to write `%s` inside the evidence", out);
		free(cts);
		free(ims);
		free(vols);
		return EXIT_USAGE;
	}
	FILE *f = out ? fopen(out, "w") : stdout;
	if (!f) {
		cli_error("`%s`: %s", out, strerror(errno));
		free(cts);
		free(ims);
		free(vols);
		return EXIT_FAILURE_;
	}
	cli_progress_start(c, "timeline");
	s.progress = on_progress;
	s.progress_userdata = c;
	s.diag = to.diag = cli_diag_callback();
	s.diag_userdata = to.diag_userdata = c;
	cs_timeline *t;
	cs_error e = {0};
	r = cs_timeline_new(&to, &t, &e);
	if (r == 0)
		r = cs_timeline_model(t, c->src, cts, n, ims, ni, &s, &e);
	if (r == 0) {
		cli_progress(c, "sorting and writing", cs_timeline_count(t), 0, NULL);
		r = cs_timeline_finish(t, f, &e);
	}
	cli_progress_end(c);
	cs_timeline_free(t);
	free(cts);
	free(ims);
	free(vols);
	if (out && fclose(f) != 0 && r == 0)
		r = cs_err(&e, -errno, "`%s`: %s", out, strerror(errno));
	if (r < 0) {
		cli_error("%s", e.msg);
		return EXIT_FAILURE_;
	}
	return cli_exit(c);
}
