/* fuzz_docker_container - a container's files, read by the Docker reader
 * (lib/engines/docker/docker_container.c, docker_driver.c), then listed,
 * inspected and its logs read, as the CLI does.
 *
 * Input: a bundle (fuzz.h) with sections, each optional:
 *   config.v2.json  config.json (pre-1.10)  hostconfig.json  mount-id
 *   init-id  lower  log (the json-file log)  local (local-logs/container.log)
 * written into a scratch data root for container C (below), whose layer
 * directories exist.
 *
 * Oracle: when config.v2.json (or hostconfig.json) is one JSON object as Go
 * reads it (fz_json_strict), json-c's reading of it decides what csleuth
 * must say: the file is kept (not refused as invalid or truncated JSON),
 * and the Name, Image and Driver json-c reads (the last duplicate wins in
 * both) are the container's; LogConfig.Type likewise. Messages are not
 * searched for words: they quote evidence, which may say anything. Everything else: no crash, no
 * leak, no undefined behaviour, bounded time.
 */
#include <json-c/json.h>
#include <string.h>

#include "fuzz.h"
#include "host/host.h"
#include "logs/logs.h"
#include "render/render.h"

#define C "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00"

/* json-c's string member (up to a NUL, as the model's C strings), or NULL */
static const char *jstr(json_object *o, const char *key)
{
	json_object *v;
	if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static json_object *strict_object(const fz_part *p)
{
	if (!p || !fz_json_strict((const char *)p->p, p->n, 64, false))
		return NULL;
	json_tokener *tok = json_tokener_new_ex(64);
	json_object *o = json_tokener_parse_ex(tok, (const char *)p->p, (int)p->n);
	json_tokener_free(tok);
	if (o && !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		o = NULL;
	}
	return o;
}

static bool same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_part parts[16];
	size_t np = fz_split(data, size, parts, 16);
	fz_reset();
	static const struct {
		const char *section, *path;
	} files[] = {
		{"config.v2.json", "containers/" C "/config.v2.json"},
		{"config.json", "containers/" C "/config.json"},
		{"hostconfig.json", "containers/" C "/hostconfig.json"},
		{"log", "containers/" C "/" C "-json.log"},
		{"local", "containers/" C "/local-logs/container.log"},
		{"mount-id", "image/overlay2/layerdb/mounts/" C "/mount-id"},
		{"init-id", "image/overlay2/layerdb/mounts/" C "/init-id"},
		{"lower", "overlay2/m1/lower"},
	};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		const fz_part *p = fz_find(parts, np, files[i].section);
		if (p)
			fz_write(files[i].path, p->p, p->n);
	}
	fz_mkdir("containers/" C);
	fz_mkdir("overlay2/m1/diff");
	fz_mkdir("overlay2/m1-init/diff");
	fz_mkdir("overlay2/base/diff");
	fz_symlink("../m1-init/diff", "overlay2/l/INIT");
	fz_symlink("../base/diff", "overlay2/l/BASE");

	cs_source *src = fz_open_root();
	cs_error e = {0};
	static fz_diags d;
	fz_diags_clear(&d);
	cs_host_opts o = {.diag = fz_diag, .diag_userdata = &d};
	cs_host *h = NULL;
	if (cs_host_load(src, &o, &h, &e) == 0) {
		FZ_CHECK(h->n_containers <= 1, "%zu containers", h->n_containers);
		char *ps = cs_render_ps_json((const cs_container *const *)h->containers, h->n_containers,
					     false);
		free(ps);
		for (size_t i = 0; i < h->n_containers; i++) {
			const cs_container *ct = h->containers[i];
			cs_item it = {.ct = ct};
			free(cs_host_inspect(h, &it, 1));
			free(cs_container_command(ct));
			FZ_CHECK(ct->state.n_health_log <= 1000, "health log of %zu", ct->state.n_health_log);
			for (size_t k = 0; k < ct->state.n_health_log; k++)
				FZ_CHECK(ct->state.health_log[k].start != 0 || ct->state.health_log[k].end != 0 ||
						 ct->state.health_log[k].output,
					 "a zeroed health entry");
			/* the oracle */
			json_object *cfg =
				strict_object(fz_find(parts, np, ct->legacy ? "config.json" : "config.v2.json"));
			bool have_cfg = cfg != NULL;
			if (cfg) {
				FZ_CHECK(ct->config_json, "valid config refused: %s", d.text);
				const char *n = jstr(cfg, "Name");
				const char *want = n && n[0] == '/' ? n + 1 : n;
				FZ_CHECK(same(ct->name, want), "Name `%s`, json-c `%s`", ct->name ? ct->name : "(null)",
					 want ? want : "(null)");
				FZ_CHECK(same(ct->image_id, jstr(cfg, "Image")), "Image differs");
				FZ_CHECK(same(ct->driver, jstr(cfg, "Driver")), "Driver differs");
			}
			json_object_put(cfg);
			json_object *hc = strict_object(fz_find(parts, np, "hostconfig.json"));
			if (hc && have_cfg) {
				FZ_CHECK(ct->hostconfig_json, "valid hostconfig refused: %s", d.text);
				json_object *lc;
				const char *want = NULL;
				if (json_object_object_get_ex(hc, "LogConfig", &lc) &&
				    json_object_is_type(lc, json_type_object))
					want = jstr(lc, "Type");
				FZ_CHECK(same(ct->log_driver, want), "LogConfig.Type differs");
			}
			json_object_put(hc);
			/* the logs, as `logs` reads them */
			cs_logs_opts lo;
			cs_logs_opts_init(&lo);
			lo.diag = fz_diag;
			lo.diag_userdata = &d;
			lo.tail = size % 3 == 0 ? (int64_t)(size % 7) : -1;
			lo.join = size & 1;
			cs_logs *lr;
			if (cs_logs_open(src, ct, &lo, &lr, &e) == 0) {
				const cs_log_record *rec;
				while (cs_logs_next(lr, &rec, &e) > 0)
					FZ_CHECK(rec->len <= CS_LOGS_MAX_RECORD, "record of %zu", rec->len);
				cs_logs_close(lr);
			}
		}
		cs_host_free(h);
	}
	cs_source_close(src);
	return 0;
}
