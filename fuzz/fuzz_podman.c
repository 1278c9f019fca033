/* fuzz_podman - the containers/storage reader (lib/engines/podman/) on a
 * hostile host: locate every store, load it, and render ps, images and
 * inspect of every item, as the CLI does.
 *
 * Input: a bundle (fuzz.h) with sections, each optional, written into a
 * scratch host filesystem whose rootful store is var/lib/containers/storage
 * (its overlay layer L and image I exist as directories):
 *   layers.json  volatile-layers.json  images.json  containers.json
 *   volatile-containers.json        the store's JSON files (overlay-*)
 *   lower                           overlay/L/lower
 *   bigdata                         overlay-images/I/<bigdata-name>
 *   bigdata-name                    that file's name (default "manifest")
 *   bolt_state.db  db.sql  db.sql-wal  db.sql-journal    libpod/
 *   storage.conf  containers.conf   etc/containers/
 *   crio.conf                       etc/crio/crio.conf
 *   passwd  subuid  subgid          etc/
 *   user-storage.conf               home/alice/.config/containers/storage.conf
 *   events.log                      var/log/podman-events.log (read when
 *                                   containers.conf names it)
 *
 * Oracles: a big-data name that decodes gives a key whose stored name
 * decodes back to it and is a plain file name; when containers.json is one
 * JSON array as Go reads it (fz_json_strict) and json-c reads it, every
 * element whose "id" is a plain name (not empty, no '/', NUL, "." or "..",
 * at most 255 bytes) found once is a container of the store with that id.
 * Everything else: no crash, no leak, no undefined behaviour, bounded time.
 */
#include <json-c/json.h>
#include <string.h>

#include "engines/podman/podman.h"
#include "fuzz.h"
#include "render/render.h"

#define STORE "var/lib/containers/storage"
#define L "1111111111111111111111111111111111111111111111111111111111111111"
#define I "2222222222222222222222222222222222222222222222222222222222222222"

static bool plain(const char *s, size_t n)
{
	return n > 0 && n <= 255 && strlen(s) == n && !strchr(s, '/') && strcmp(s, ".") != 0 && strcmp(s, "..") != 0;
}

static void check_bigdata_name(const fz_part *p)
{
	char *name = fz_strndup(p->p, p->n);
	char *k = cs_podman_bigdata_key(name);
	if (k) {
		char *back = cs_podman_bigdata_name(k);
		char *k2 = cs_podman_bigdata_key(back);
		/* containers/storage names it "=" + standard base64, '/' and all, as
		 * Go does (such a key cannot be stored): only the round trip is checked */
		FZ_CHECK(*back, "key `%s` is stored under an empty name", k);
		FZ_CHECK(k2 && strcmp(k, k2) == 0, "key `%s` stored as `%s` decodes to `%s`", k, back,
			 k2 ? k2 : "(nothing)");
		free(k2);
		free(back);
	}
	free(k);
	free(name);
}

/* The ids json-c reads from a containers.json that Go would read, each once
 * and plain; NULL when the oracle does not apply. */
static char **expected_ids(const fz_part *p, size_t *ret_n)
{
	*ret_n = 0;
	if (!p || !fz_json_strict((const char *)p->p, p->n, 60, false) || memmem(p->p, p->n, "\\u0000", 6))
		return NULL;
	json_tokener *tok = json_tokener_new_ex(64);
	json_object *a = json_tokener_parse_ex(tok, (const char *)p->p, (int)p->n);
	json_tokener_free(tok);
	if (!a || !json_object_is_type(a, json_type_array)) {
		json_object_put(a);
		return NULL;
	}
	size_t n = json_object_array_length(a);
	char **ids = cs_xcalloc(n + 1, sizeof(char *));
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		json_object *el = json_object_array_get_idx(a, i), *id;
		if (!json_object_is_type(el, json_type_object) || !json_object_object_get_ex(el, "id", &id) ||
		    !json_object_is_type(id, json_type_string))
			continue;
		const char *s = json_object_get_string(id);
		if (plain(s, (size_t)json_object_get_string_len(id)))
			ids[k++] = cs_xstrdup(s);
	}
	json_object_put(a);
	/* only those found once */
	bool *once = cs_xcalloc(k + 1, sizeof(bool));
	for (size_t i = 0; i < k; i++) {
		size_t same = 0;
		for (size_t j = 0; j < k; j++)
			same += strcmp(ids[i], ids[j]) == 0;
		once[i] = same == 1;
	}
	size_t m = 0;
	for (size_t i = 0; i < k; i++) {
		if (once[i])
			ids[m++] = ids[i];
		else
			free(ids[i]);
	}
	free(once);
	ids[m] = NULL;
	*ret_n = m;
	return ids;
}

static void render(const cs_dataroot *dr)
{
	const cs_container **v = cs_xcalloc(dr->n_containers + 1, sizeof(*v));
	for (size_t i = 0; i < dr->n_containers; i++) {
		v[i] = &dr->containers[i];
		free(cs_podman_inspect(dr, &dr->containers[i], NULL));
	}
	free(cs_render_ps_json(v, dr->n_containers, false));
	free(v);
	const cs_image **w = cs_xcalloc(dr->n_images + 1, sizeof(*w));
	for (size_t i = 0; i < dr->n_images; i++) {
		w[i] = &dr->images[i];
		free(cs_podman_inspect(dr, NULL, &dr->images[i]));
		cs_layer_stack st;
		if (cs_image_stack(&dr->images[i], &st, NULL) == 0)
			cs_layer_stack_clear(&st);
	}
	free(cs_render_images_json(w, dr->n_images, false));
	free(w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_part parts[32];
	size_t np = fz_split(data, size, parts, 32);
	fz_reset();
	static const struct {
		const char *section, *path;
	} files[] = {
		{"layers.json", STORE "/overlay-layers/layers.json"},
		{"volatile-layers.json", STORE "/overlay-layers/volatile-layers.json"},
		{"images.json", STORE "/overlay-images/images.json"},
		{"containers.json", STORE "/overlay-containers/containers.json"},
		{"volatile-containers.json", STORE "/overlay-containers/volatile-containers.json"},
		{"lower", STORE "/overlay/" L "/lower"},
		{"bolt_state.db", STORE "/libpod/bolt_state.db"},
		{"db.sql", STORE "/libpod/db.sql"},
		{"db.sql-wal", STORE "/libpod/db.sql-wal"},
		{"db.sql-journal", STORE "/libpod/db.sql-journal"},
		{"storage.conf", "etc/containers/storage.conf"},
		{"containers.conf", "etc/containers/containers.conf"},
		{"crio.conf", "etc/crio/crio.conf"},
		{"passwd", "etc/passwd"},
		{"subuid", "etc/subuid"},
		{"subgid", "etc/subgid"},
		{"user-storage.conf", "home/alice/.config/containers/storage.conf"},
		{"events.log", "var/log/podman-events.log"},
	};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		const fz_part *p = fz_find(parts, np, files[i].section);
		if (p)
			fz_write(files[i].path, p->p, p->n);
	}
	fz_mkdir(STORE "/overlay/" L "/diff");
	fz_mkdir(STORE "/overlay/l");
	fz_mkdir(STORE "/overlay-images/" I);
	fz_mkdir("home/alice/.local/share/containers/storage");
	const fz_part *bn = fz_find(parts, np, "bigdata-name");
	const fz_part *bd = fz_find(parts, np, "bigdata");
	if (bn)
		check_bigdata_name(bn);
	if (bd) {
		char *name = bn ? fz_strndup(bn->p, bn->n) : cs_xstrdup("manifest");
		if (plain(name, bn ? bn->n : 8)) {
			char *rel = cs_xasprintf(STORE "/overlay-images/" I "/%s", name);
			fz_write(rel, bd->p, bd->n);
			free(rel);
		}
		free(name);
	}
	size_t nwant;
	char **want = expected_ids(fz_find(parts, np, "containers.json"), &nwant);

	cs_source *src;
	if (cs_source_open_dir(fz_root(), 0, &src, NULL) < 0) {
		cs_strv_free(want);
		return 0;
	}
	/* the rootful store, as --sysroot finds it by default */
	cs_load_opts o = {.path = STORE, .host_path = "/" STORE};
	cs_dataroot *dr;
	if (cs_podman_load(src, &o, &dr, NULL) == 0) {
		for (size_t i = 0; i < nwant; i++) {
			bool found = false;
			for (size_t k = 0; k < dr->n_containers && !found; k++)
				found = strcmp(dr->containers[k].id, want[i]) == 0;
			FZ_CHECK(found, "containers.json lists container `%s` and the store has no such container",
				 want[i]);
		}
		render(dr);
		cs_dataroot_free(dr);
	}
	cs_strv_free(want);
	/* and every store the host's configuration names */
	cs_engine_roots roots = {0};
	if (cs_podman_locate(src, &roots, NULL) == 0) {
		for (size_t i = 0; i < roots.n && i < 4; i++) {
			if (strcmp(roots.v[i].path, STORE) == 0)
				continue;
			cs_load_opts ro = {.path = roots.v[i].path, .host_path = roots.v[i].host_path};
			if (cs_podman_load(src, &ro, &dr, NULL) == 0) {
				render(dr);
				cs_dataroot_free(dr);
			}
		}
	}
	cs_engine_roots_clear(&roots);
	cs_source_close(src);
	return 0;
}
