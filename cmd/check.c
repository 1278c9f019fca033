/* check.c - csleuth check: read everything up front and report all damage.
 *
 * `ps` reads only what its listing shows (each container's own files); the
 * layer stacks, images and volumes are read when a command uses them. An
 * examiner who wants every problem of the evidence in one go runs `check`:
 * every data root is read whole, every problem is printed on standard error
 * (file and problem), and standard output sums up each root. */
#include <json-c/json.h>
#include <string.h>

#include "cli.h"

static const char help[] =
	"Usage: csleuth check [OPTIONS]\n"
	"\n"
	"Read every data root whole (containers with their layer stacks, images\n"
	"with their configurations' hashes, volumes) and report all damage: each\n"
	"problem on standard error with its file, and one line per data root on\n"
	"standard output. Exits 3 when anything is damaged, 0 when nothing is.\n"
	"\n"
	"  --json             a JSON array, one object per data root\n";

typedef struct tally {
	size_t cts, bad_cts, ims, bad_ims;
} tally;

static tally count_root(const cs_dataroot *dr)
{
	tally t = {0};
	for (size_t i = 0; i < dr->n_containers; i++) {
		const cs_container *ct = &dr->containers[i];
		if (ct->absorbed)
			continue;
		t.cts++;
		t.bad_cts += ct->incomplete || ct->problems.n > 0;
	}
	for (size_t i = 0; i < dr->n_images; i++) {
		t.ims++;
		t.bad_ims += dr->images[i].incomplete || dr->images[i].problems.n > 0;
	}
	return t;
}

static json_object *jstr(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

int cmd_check(cli *c, int argc, char **argv)
{
	enum { O_JSON = 0x200 };
	static const struct option opts[] = {{"json", no_argument, NULL, O_JSON}, {0}};
	static const cli_opts co = {.cmd = "check", .help = help, .shortopts = "", .longopts = opts};
	bool json = false;
	int o, rc = 0;
	while ((o = cli_getopt(c, &co, argc, argv, &rc)) != -1) {
		switch (o) {
		case CLI_OPT_EXIT: return rc;
		case O_JSON: json = true; break;
		default: return cli_usage_error("check", "bad option");
		}
	}
	if (optind < argc)
		return cli_usage_error("check", "unexpected argument `%s`", argv[optind]);
	c->listing = false;
	if ((rc = cli_load(c)) != 0)
		return rc;
	cli_report_all(c);
	const cs_host *h = c->host;
	json_object *arr = json ? json_object_new_array() : NULL;
	if (!json)
		printf("%-11s %10s %8s %7s %8s %9s  %s\n", "ENGINE", "CONTAINERS", "DAMAGED", "IMAGES", "DAMAGED",
		       "PROBLEMS", "DATA ROOT");
	for (size_t r = 0; r < h->n_roots; r++) {
		const cs_dataroot *dr = h->roots[r];
		const cs_engine_root *w = &h->where[r];
		tally t = count_root(dr);
		const char *shown = w->host_path ? w->host_path : *dr->path ? dr->path : ".";
		if (json) {
			json_object *x = json_object_new_object();
			json_object_object_add(x, "engine", jstr(dr->engine));
			json_object_object_add(x, "path", jstr(dr->path));
			json_object_object_add(x, "host_path", jstr(w->host_path));
			json_object_object_add(x, "containers", json_object_new_int64((int64_t)t.cts));
			json_object_object_add(x, "damaged_containers", json_object_new_int64((int64_t)t.bad_cts));
			json_object_object_add(x, "images", json_object_new_int64((int64_t)t.ims));
			json_object_object_add(x, "damaged_images", json_object_new_int64((int64_t)t.bad_ims));
			json_object_object_add(x, "root_problems", json_object_new_int64((int64_t)dr->problems.n));
			json_object_array_add(arr, x);
		} else {
			printf("%-11s %10zu %8zu %7zu %8zu %9zu  ", dr->engine, t.cts, t.bad_cts, t.ims, t.bad_ims,
			       dr->problems.n);
			out_escaped(stdout, shown);
			putchar('\n');
		}
	}
	if (json) {
		puts(json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(arr);
	}
	return cli_exit(c);
}
