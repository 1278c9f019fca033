/* fuzz_docker_image - image configs, the layer store and repositories.json,
 * read by the Docker reader (lib/engines/docker/docker_image.c), then listed
 * with their history and layer stacks, as `images` and `history` do.
 *
 * Input: a bundle (fuzz.h) with sections, each optional:
 *   config   an image config, stored under the sha256 of its bytes
 *   config2  another (e.g. a parent), likewise
 *   repositories.json
 *   parent  lastUpdated   imagedb metadata of the first config
 *   cache-id  size        layerdb of the first config's first layer
 *
 * Oracle: when repositories.json is one JSON object as Go reads it, json-c's
 * reading of it decides each image's references: every reference naming a
 * valid image id is on that image (a placeholder when its config is not
 * there), once, and nowhere else.
 */
#include <json-c/json.h>
#include <string.h>

#include "formats/sha256.h"
#include "fuzz.h"
#include "host/host.h"
#include "render/render.h"

#define IMG "image/overlay2/imagedb/content/sha256/"

static void store_config(const fz_part *p, char hex[65])
{
	cs_sha256_hex(p->p, p->n, hex);
	char path[160];
	snprintf(path, sizeof(path), IMG "%s", hex);
	fz_write(path, p->p, p->n);
}

/* The references json-c reads for image id (a vector of strings), count. */
static size_t expected_refs(json_object *repos, const char *id, const char **out, size_t max)
{
	size_t n = 0;
	json_object_object_foreach(repos, repo, refs)
	{
		(void)repo;
		if (!json_object_is_type(refs, json_type_object))
			continue;
		json_object_object_foreach(refs, ref, v)
		{
			if (json_object_is_type(v, json_type_string) && strcmp(json_object_get_string(v), id) == 0) {
				bool dup = false;
				for (size_t i = 0; i < n; i++)
					dup |= strcmp(out[i], ref) == 0;
				if (!dup && n < max)
					out[n++] = ref;
			}
		}
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_part parts[16];
	size_t np = fz_split(data, size, parts, 16);
	fz_reset();
	fz_mkdir("image/overlay2/imagedb/content/sha256");
	fz_mkdir("image/overlay2/layerdb/sha256");
	char hex[65] = "", hex2[65] = "";
	const fz_part *p;
	if ((p = fz_find(parts, np, "config")))
		store_config(p, hex);
	if ((p = fz_find(parts, np, "config2")))
		store_config(p, hex2);
	const fz_part *rp = fz_find(parts, np, "repositories.json");
	if (rp)
		fz_write("image/overlay2/repositories.json", rp->p, rp->n);
	if (hex[0]) {
		char path[200];
		static const char *const meta[] = {"parent", "lastUpdated"};
		for (size_t i = 0; i < 2; i++)
			if ((p = fz_find(parts, np, meta[i]))) {
				snprintf(path, sizeof(path), "image/overlay2/imagedb/metadata/sha256/%s/%s", hex,
					 meta[i]);
				fz_write(path, p->p, p->n);
			}
		/* the first layer's chain id is its diff id */
		json_tokener *tok = json_tokener_new_ex(64);
		const fz_part *cp = fz_find(parts, np, "config");
		json_object *cfg = json_tokener_parse_ex(tok, (const char *)cp->p, (int)cp->n);
		json_tokener_free(tok);
		json_object *rootfs, *diffs;
		if (cfg && json_object_object_get_ex(cfg, "rootfs", &rootfs) &&
		    json_object_object_get_ex(rootfs, "diff_ids", &diffs) &&
		    json_object_is_type(diffs, json_type_array) && json_object_array_length(diffs) > 0) {
			json_object *d0 = json_object_array_get_idx(diffs, 0);
			const char *s = d0 && json_object_is_type(d0, json_type_string) ? json_object_get_string(d0) : "";
			if (strlen(s) == 71 && strncmp(s, "sha256:", 7) == 0 && !strchr(s + 7, '/')) {
				static const char *const ld[] = {"cache-id", "size"};
				for (size_t i = 0; i < 2; i++)
					if ((p = fz_find(parts, np, ld[i]))) {
						snprintf(path, sizeof(path), "image/overlay2/layerdb/sha256/%s/%s", s + 7,
							 ld[i]);
						fz_write(path, p->p, p->n);
					}
				fz_mkdir("overlay2/c1/diff");
			}
		}
		json_object_put(cfg);
	}

	cs_source *src = fz_open_root();
	cs_error e = {0};
	static fz_diags d;
	fz_diags_clear(&d);
	cs_host_opts o = {.diag = fz_diag, .diag_userdata = &d};
	cs_host *h = NULL;
	if (cs_host_load(src, &o, &h, &e) == 0) {
		free(cs_render_images_json((const cs_image *const *)h->images, h->n_images, false));
		json_object *repos = NULL;
		if (rp && fz_json_strict((const char *)rp->p, rp->n, 64, false)) {
			json_tokener *tok = json_tokener_new_ex(64);
			json_object *j = json_tokener_parse_ex(tok, (const char *)rp->p, (int)rp->n);
			json_tokener_free(tok);
			json_object *r;
			if (j && json_object_object_get_ex(j, "Repositories", &r) &&
			    json_object_is_type(r, json_type_object))
				repos = json_object_get(r);
			json_object_put(j);
		}
		for (size_t i = 0; i < h->n_images; i++) {
			const cs_image *im = h->images[i];
			free(cs_render_history_json(im, false));
			cs_layer_stack st;
			if (cs_image_stack(im, &st, &e) == 0)
				cs_layer_stack_clear(&st);
			else
				FZ_CHECK(st.driver == NULL && st.v == NULL, "a failed stack left something");
			if (!repos)
				continue;
			const char *want[512];
			size_t nw = expected_refs(repos, im->id, want, 512);
			size_t have = 0;
			for (char **t = im->tags; t && *t; t++, have++) {
				bool found = false;
				for (size_t k = 0; k < nw; k++)
					found |= strcmp(want[k], *t) == 0;
				FZ_CHECK(found, "image %s has `%s`, not in repositories.json", im->id, *t);
			}
			for (char **t = im->digests; t && *t; t++, have++) {
				bool found = false;
				for (size_t k = 0; k < nw; k++)
					found |= strcmp(want[k], *t) == 0;
				FZ_CHECK(found, "image %s has `%s`, not in repositories.json", im->id, *t);
			}
			if (nw < 512)
				FZ_CHECK(have == nw, "image %s: %zu references, json-c reads %zu", im->id, have, nw);
		}
		json_object_put(repos);
		cs_host_free(h);
	}
	cs_source_close(src);
	return 0;
}
