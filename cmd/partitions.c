/* partitions.c - csleuth partitions: a disk image's volumes. */
#include <string.h>

#include "cli.h"
#include "host/disk.h"

static const char help[] =
	"Usage: csleuth partitions [--json]   (with --image FILE...)\n"
	"\n"
	"List the volumes of a disk image: MBR and GPT partitions and LVM2 logical\n"
	"volumes, with their offsets and sizes in bytes, partition types, file\n"
	"systems, labels and UUIDs; and say which holds a root file system (the\n"
	"one csleuth reads as the host is marked `host root`), where the host's\n"
	"fstab mounts the others, and which hold container engine data. Read any\n"
	"one of them with --partition ID.\n"
	"\n"
	"  --json   one JSON object (see csleuth-partitions(1))\n";

static char *contents(const cs_disk_volinfo *v)
{
	cs_buf b = {0};
#define ADD(...) (cs_buf_printf(&b, "%s", b.len ? "; " : ""), cs_buf_printf(&b, __VA_ARGS__))
	if (v->host_root)
		ADD("host root (%s)", v->os ? v->os : "?");
	else if (v->root)
		ADD("root file system (%s)", v->os ? v->os : "?");
	if (v->mounted_at)
		ADD("mounted at %s (fstab %s)", v->mounted_at, v->fstab_spec ? v->fstab_spec : "?");
	for (size_t i = 0; v->engine_data && v->engine_data[i]; i++)
		ADD("%s", v->engine_data[i]);
	if (v->problem)
		ADD("unreadable: %s", v->problem);
#undef ADD
	if (!b.data)
		return NULL;
	return cs_buf_steal(&b);
}

int cmd_partitions(cli *c, int argc, char **argv)
{
	enum { O_JSON = 0x200 };
	static const struct option opts[] = {
		{"json", no_argument, NULL, O_JSON},
		{0},
	};
	static const cli_opts co = {.cmd = "partitions", .help = help, .longopts = opts};
	bool json = false;
	int o, rc = 0;
	while ((o = cli_getopt(c, &co, argc, argv, &rc)) != -1) {
		switch (o) {
		case CLI_OPT_EXIT: return rc;
		case O_JSON: json = true; break;
		default: return cli_usage_error("partitions", "bad option");
		}
	}
	if (optind < argc)
		return cli_usage_error("partitions", "unexpected argument `%s`", argv[optind]);
	if (!c->n_images)
		return cli_usage_error("partitions", "needs --image");
	int r = cli_open_disk(c);
	if (r)
		return r;
	cs_disk_volinfo *v;
	size_t n;
	cs_error e = {0};
	if (cs_disk_survey(c->disk, &v, &n, &e) < 0) {
		cli_error("%s", e.msg);
		return EXIT_FAILURE_;
	}
	const cs_media *img = cs_disk_image(c->disk);
	if (json) {
		char *s = cs_disk_survey_json(c->disk, v, n);
		puts(s);
		free(s);
	} else {
		printf("%s: %s, %llu bytes, %s\n", img->dev->name, img->info.format,
		       (unsigned long long)img->info.media_size, cs_disk_volumes(c->disk)->scheme);
		static const char *head[] = {"VOLUME", "SCHEME", "START", "SIZE", "TYPE", "FS",
					     "LABEL", "UUID", "CONTENTS"};
		table t;
		table_init(&t, head, CS_ARRAY_SIZE(head));
		for (size_t i = 0; i < n; i++) {
			const cs_vol *vol = v[i].vol;
			char start[32], size[32];
			if (strcmp(vol->scheme, "LVM2") == 0)
				snprintf(start, sizeof(start), "on %s", vol->parent ? vol->parent : "?");
			else
				snprintf(start, sizeof(start), "%llu", (unsigned long long)vol->offset);
			snprintf(size, sizeof(size), "%llu", (unsigned long long)vol->size);
			char *what = contents(&v[i]);
			const char *row[] = {vol->id, vol->scheme, start, size, vol->type, vol->fs,
					     vol->label, vol->uuid, what};
			table_row(&t, row);
			free(what);
		}
		table_print(&t, stdout);
	}
	cs_disk_volinfo_free(v, n);
	return cli_exit(c);
}
