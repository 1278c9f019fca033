/* inspect.c - csleuth inspect: docker inspect's JSON for containers/images. */
#include <string.h>

#include "cli.h"
#include "render/render.h"
#include "render/template.h"

static const char help[] =
	"Usage: csleuth inspect [OPTIONS] NAME|ID|PREFIX...\n"
	"\n"
	"Print a JSON array in `docker inspect` (containers) or `docker image\n"
	"inspect` (images) shape, with every field the evidence holds, plus a\n"
	"\"Csleuth\" object naming the evidence file behind each value and the\n"
	"sha256 of each of those files as read now. Containers are looked up\n"
	"first, then images, unless --type says.\n"
	"\n"
	"  --type T           container or image\n"
	"  -f, --format T     a Go template per item, as docker inspect -f takes it\n"
	"                     ({{.State.Pid}}, {{json .Config}}, {{range .Mounts}}...)\n"
	"  --provenance       {\"provenance\": {...}, \"items\": [...]}\n";

int cmd_inspect(cli *c, int argc, char **argv)
{
	enum { O_TYPE = 0x200, O_PROV };
	static const struct option opts[] = {
		{"type", required_argument, NULL, O_TYPE},
		{"format", required_argument, NULL, 'f'},
		{"provenance", no_argument, NULL, O_PROV},
		{0},
	};
	static const cli_opts co = {.cmd = "inspect", .help = help, .shortopts = "f:", .longopts = opts};
	const char *type = NULL, *format = NULL;
	bool prov = false;
	int o, rc = 0;
	while ((o = cli_getopt(c, &co, argc, argv, &rc)) != -1) {
		switch (o) {
		case CLI_OPT_EXIT: return rc;
		case O_TYPE: type = optarg; break;
		case 'f': format = optarg; break;
		case O_PROV: prov = true; break;
		default: return cli_usage_error("inspect", "bad option");
		}
	}
	if (type && strcmp(type, "container") != 0 && strcmp(type, "image") != 0)
		return cli_usage_error("inspect", "--type must be container or image, not `%s`", type);
	if (optind >= argc)
		return cli_usage_error("inspect", "expects at least one NAME or ID");
	if (prov && format)
		return cli_usage_error("inspect", "--provenance and --format exclude each other");
	struct cs_template *tpl = NULL;
	if (format && (rc = cli_template("inspect", format, &tpl, NULL)) != 0)
		return rc;
	if ((rc = cli_load(c)) != 0) {
		cs_template_free(tpl);
		return rc;
	}
	size_t n = (size_t)(argc - optind), k = 0;
	cs_item *items = cs_xcalloc(n + 1, sizeof(*items));
	bool want_c = !type || strcmp(type, "container") == 0;
	bool want_i = !type || strcmp(type, "image") == 0;
	for (int a = optind; a < argc; a++) {
		const cs_container **mc = NULL;
		const cs_image **mi = NULL;
		size_t nmc = 0, nmi = 0;
		int fc = -ENOENT, fi = -ENOENT;
		if (want_c)
			fc = cs_host_find_container(c->host, argv[a], &items[k].ct, &mc, &nmc);
		if (fc == 0) {
			k++;
			continue;
		}
		if (want_i && fc != -ENOTUNIQ)
			fi = cs_host_find_image(c->host, argv[a], &items[k].im, &mi, &nmi);
		if (fi == 0) {
			k++;
			continue;
		}
		if (fc == -ENOTUNIQ)
			cli_report_find(c, "container", argv[a], fc, mc, NULL, nmc);
		else if (fi == -ENOTUNIQ)
			cli_report_find(c, "image", argv[a], fi, NULL, mi, nmi);
		else
			cli_report_find(c, want_c && want_i ? "container or image" : want_c ? "container" : "image",
					argv[a], -ENOENT, NULL, NULL, 0);
		free(mc);
		free(mi);
		rc = EXIT_NOTFOUND;
	}
	const cs_container **cts = cs_xcalloc(k + 1, sizeof(*cts));
	const cs_image **ims = cs_xcalloc(k + 1, sizeof(*ims));
	size_t nc = 0, ni = 0;
	for (size_t i = 0; i < k; i++) {
		if (items[i].ct)
			cts[nc++] = items[i].ct;
		else
			ims[ni++] = items[i].im;
	}
	cli_scope sc = {.cts = cts, .n_cts = nc, .ims = ims, .n_ims = ni};
	cli_report(c, &sc);
	if (tpl) {
		char **rows = cs_xcalloc(k + 1, sizeof(char *));
		size_t nr = 0;
		for (size_t i = 0; i < k; i++) {
			char *s = cs_host_inspect_one(c->host, &items[i]);
			if (s)
				rows[nr++] = s;
		}
		int tr = cli_run_template("inspect", tpl, false, NULL, rows, nr);
		for (size_t i = 0; i < nr; i++)
			free(rows[i]);
		free(rows);
		if (tr)
			rc = tr;
	} else {
		char *s = cs_host_inspect(c->host, items, k);
		cli_put_json(c, stdout, s, prov);
		free(s);
	}
	cs_template_free(tpl);
	free(cts);
	free(ims);
	free(items);
	return rc ? rc : cli_exit(c);
}
