/* timeline.c - csleuth timeline: one sorted timeline of the data root. */
#include <getopt.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "logs/logs.h"
#include "timeline/timeline.h"
#include "timeline/tlsources.h"

static const char help[] =
	"Usage: csleuth timeline [OPTIONS] [CONTAINER...]\n"
	"\n"
	"Write one timeline, sorted by time, of the containers (all by default) and\n"
	"their images: lifecycle and health checks, image creation, build steps and\n"
	"tag times, every entry of each container's own layer with its MACB times,\n"
	"deletions and replaced directories, named volumes' files.\n"
	"\n"
	"  --format F    timesketch (CSV, the default), jsonl, bodyfile (mactime), csv\n"
	"  --logs        add every log record\n"
	"  --layers      add the files of image layers\n"
	"  --hash        add the sha256 of regular files\n"
	"  --no-magic    leave out the libmagic file type\n"
	"  --from T, --to T  only events in [T, T] (RFC 3339 or Unix seconds)\n"
	"  -o FILE       write to FILE (default: standard output)\n"
	"  --mem-limit B sort in memory up to B bytes of rows, then merge runs\n"
	"                from temporary files (default 64 MiB)\n";

typedef struct prog {
	bool tty;
} prog;

static void progress(void *ud, uint64_t entries, uint64_t events)
{
	prog *p = ud;
	if (p->tty)
		fprintf(stderr, "\rcsleuth: timeline: %llu entries walked, %llu events", (unsigned long long)entries,
			(unsigned long long)events);
}

int cmd_timeline(cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{"format", required_argument, NULL, 'F'}, {"logs", no_argument, NULL, 'l'},
		{"layers", no_argument, NULL, 'L'},       {"hash", no_argument, NULL, 'H'},
		{"no-magic", no_argument, NULL, 'M'},     {"from", required_argument, NULL, 'f'},
		{"to", required_argument, NULL, 't'},     {"output", required_argument, NULL, 'o'},
		{"mem-limit", required_argument, NULL, 'm'},
		{"help", no_argument, NULL, 'h'},         {0},
	};
	cs_timeline_opts to = {.format = CS_TL_TIMESKETCH, .from = CS_TIME_NEVER, .to = CS_TIME_NEVER};
	cs_tl_sources s = {.magic = true};
	const char *out = NULL;
	int o;
	while ((o = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		switch (o) {
		case 'F':
			if (strcmp(optarg, "timesketch") == 0)
				to.format = CS_TL_TIMESKETCH;
			else if (strcmp(optarg, "jsonl") == 0)
				to.format = CS_TL_JSONL;
			else if (strcmp(optarg, "bodyfile") == 0)
				to.format = CS_TL_BODYFILE;
			else if (strcmp(optarg, "csv") == 0)
				to.format = CS_TL_CSV;
			else
				return cli_usage_error("timeline", "unknown format `%s`", optarg);
			break;
		case 'l': s.logs = true; break;
		case 'L': s.layers = true; break;
		case 'H': s.hash = true; break;
		case 'M': s.magic = false; break;
		case 'f':
		case 't':
			if (cs_logs_parse_time(optarg, o == 'f' ? &to.from : &to.to) < 0)
				return cli_usage_error("timeline", "bad time `%s`", optarg);
			break;
		case 'o': out = optarg; break;
		case 'm': {
			char *end;
			unsigned long long v = strtoull(optarg, &end, 10);
			if (*end || v < 4096)
				return cli_usage_error("timeline", "--mem-limit takes bytes (at least 4096)");
			to.mem_limit = (size_t)v;
			break;
		}
		case 'h': fputs(help, stdout); return EXIT_OK;
		default: return cli_usage_error("timeline", "bad option");
		}
	}
	int r = cli_load(c);
	if (r)
		return r;
	/* the containers named (all when none is) and the images they use */
	const cs_host *h = c->host;
	size_t n = (size_t)(argc - optind), ni = 0;
	const cs_container **cts = cs_xcalloc((n ? n : h->n_containers) + 1, sizeof(*cts));
	const cs_image **ims = cs_xcalloc(h->n_images + 1, sizeof(*ims));
	for (size_t k = 0; k < n; k++)
		if ((r = cli_find_container(c, argv[optind + (int)k], &cts[k])) != 0) {
			free(cts);
			free(ims);
			return r;
		}
	if (!n) {
		for (size_t k = 0; k < h->n_containers; k++)
			cts[k] = h->containers[k];
		n = h->n_containers;
	}
	for (size_t i = 0; i < h->n_images; i++) {
		const cs_image *im = h->images[i];
		bool used = argc == optind;
		for (size_t k = 0; k < n && !used; k++)
			used = cts[k]->dr == im->dr && cts[k]->image_id && strcmp(cts[k]->image_id, im->id) == 0;
		if (used)
			ims[ni++] = im;
	}
	if (out && cli_output_inside_evidence(c, out)) {
		cli_error("refusing to write `%s` inside the evidence", out);
		free(cts);
		free(ims);
		return EXIT_USAGE;
	}
	FILE *f = out ? fopen(out, "w") : stdout;
	if (!f) {
		cli_error("`%s`: %s", out, strerror(errno));
		free(cts);
		free(ims);
		return EXIT_FAILURE_;
	}
	prog p = {.tty = isatty(2) && !c->quiet};
	s.progress = progress;
	s.progress_userdata = &p;
	s.diag = to.diag = cli_diag_callback();
	s.diag_userdata = to.diag_userdata = c;
	cs_timeline *t;
	cs_error e = {0};
	r = cs_timeline_new(&to, &t, &e);
	if (r == 0)
		r = cs_timeline_model(t, c->src, cts, n, ims, ni, &s, &e);
	if (p.tty)
		fputs("\n", stderr);
	if (r == 0)
		r = cs_timeline_finish(t, f, &e);
	cs_timeline_free(t);
	free(cts);
	free(ims);
	if (out && fclose(f) != 0 && r == 0)
		r = cs_err(&e, -errno, "`%s`: %s", out, strerror(errno));
	if (r < 0) {
		cli_error("%s", e.msg);
		return EXIT_FAILURE_;
	}
	return cli_exit(c);
}
