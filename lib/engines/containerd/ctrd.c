/* ctrd.c - the containerd reader's entry points: probe, locate, load, and
 * the cross-engine snapshot resolver.
 *
 * Loading opens meta.db, walks its namespaces (every top-level bucket of v1
 * but the `version` key) and reads each one's images, then containers.
 * Snapshotter databases are read on first use. The open meta.db and the
 * snapshotter maps stay with the data root (engine_data) for inspect and
 * for other engines' snapshot references (Docker 29). A damaged page costs
 * the bucket it belongs to: the items before it are kept, the rest reported
 * with the file and page.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "engines/containerd/ctrd_internal.h"
#include "formats/protowire.h"
#include "formats/unitfile.h"

#define META_DB "io.containerd.metadata.v1.bolt/meta.db"

typedef struct nsctx {
	cd_ctx *c;
	const cs_bolt_bucket *v1;
	char **names;
	size_t n, cap;
} nsctx;

static int ns_cb(void *ud, const uint8_t *k, size_t kl, const uint8_t *v, size_t vl, bool isb)
{
	(void)v, (void)vl;
	nsctx *x = ud;
	if (!isb)
		return 0; /* `version` */
	if (x->n >= 4096)
		return 1;
	*CS_PUSH(x->names, x->n, x->cap) = cs_xstrndup((const char *)k, kl);
	return 0;
}

static int cmp_container(const void *a, const void *b)
{
	const cs_container *x = a, *y = b;
	if (x->created != y->created)
		return x->created > y->created ? -1 : 1;
	int r = strcmp(x->id, y->id);
	return r ? r : strcmp(x->namespace, y->namespace);
}

static int cmp_image(const void *a, const void *b)
{
	const cs_image *x = a, *y = b;
	if (x->created != y->created)
		return x->created > y->created ? -1 : 1;
	int r = strcmp(x->id, y->id);
	return r ? r : strcmp(x->namespace, y->namespace);
}

/* A container's image id: the image its name records in its namespace,
 * else the one whose config is the CRI's ImageRef. */
static void link_images(cs_dataroot *dr)
{
	for (size_t i = 0; i < dr->n_containers; i++) {
		cs_container *ct = &dr->containers[i];
		for (size_t k = 0; k < dr->n_images; k++) {
			cs_image *im = &dr->images[k];
			if (strcmp(im->namespace, ct->namespace) != 0)
				continue;
			bool hit = false;
			for (char **n = im->names; n && *n && !hit; n++)
				hit = ct->image_ref && strcmp(*n, ct->image_ref) == 0;
			hit = hit || (ct->image_id && im->config_digest && strcmp(ct->image_id, im->config_digest) == 0);
			if (hit) {
				free(ct->image_id);
				ct->image_id = cs_xstrdup(im->id);
				break;
			}
		}
	}
}

int cs_containerd_load(cs_source *src, const cs_load_opts *o, cs_dataroot **ret, cs_error *e)
{
	const char *path = o && o->path ? o->path : "";
	cd_root *r = cs_xcalloc(1, sizeof(*r));
	r->src = src;
	r->path = cs_xstrdup(path);
	r->meta_path = cs_path_join(path, META_DB);
	int k = cs_bolt_open(src, r->meta_path, &r->meta, e);
	if (k < 0) {
		cs_err_prefix(e, "containerd root `%s`", *path ? path : cs_source_root(src));
		cd_root_free(r);
		return k;
	}
	cs_dataroot *dr = cs_xcalloc(1, sizeof(*dr));
	dr->src = src;
	dr->path = cs_xstrdup(path);
	dr->engine = cs_engine_containerd.name;
	dr->ops = &cs_engine_containerd;
	dr->host_path = cs_xstrdup(o && o->host_path ? o->host_path : "/var/lib/containerd");
	dr->engine_data = r;
	dr->engine_data_free = cd_root_free;
	cd_ctx c = {.src = src, .dr = dr, .root = r, .diag = o ? o->diag : NULL, .diag_ud = o ? o->diag_userdata : NULL};
	cs_bolt_info info;
	cs_bolt_get_info(r->meta, &info);
	if (info.other_damaged && c.diag) {
		char msg[512];
		snprintf(msg, sizeof(msg),
			 "`%s`: meta page %u is damaged (a commit cut short at a power cut?): the database as of "
			 "transaction %llu is read",
			 r->meta_path, info.meta_page ? 0u : 1u, (unsigned long long)info.txid);
		cs_diag d = {.severity = CS_NOTE, .file = r->meta_path, .msg = msg};
		c.diag(c.diag_ud, &d);
	}
	cs_bolt_bucket root, v1;
	cs_bolt_root(r->meta, &root);
	cs_error le = {0};
	k = cs_bolt_bucket_open(&root, "v1", &v1, &le);
	if (k <= 0) {
		if (k < 0)
			cd_warn(&c, NULL, r->meta_path, "%s", le.msg);
		else
			cd_warn(&c, NULL, r->meta_path, "`%s`: no v1 bucket: nothing recorded", r->meta_path);
	} else {
		nsctx x = {.c = &c, .v1 = &v1};
		if (cs_bolt_foreach(&v1, ns_cb, &x, &le) < 0)
			cd_warn(&c, NULL, r->meta_path, "%s: the namespaces after it are not listed", le.msg);
		for (size_t i = 0; i < x.n; i++) {
			cs_bolt_bucket nsb;
			if (cs_bolt_bucket_open(&v1, x.names[i], &nsb, &le) != 1) {
				cd_warn(&c, NULL, r->meta_path, "namespace %s: %s", x.names[i], le.msg);
				free(x.names[i]);
				continue;
			}
			cd_load_images(&c, x.names[i], &nsb);
			cd_load_containers(&c, x.names[i], &nsb);
			free(x.names[i]);
		}
		free(x.names);
	}
	link_images(dr);
	if (dr->n_containers > 1)
		qsort(dr->containers, dr->n_containers, sizeof(cs_container), cmp_container);
	if (dr->n_images > 1)
		qsort(dr->images, dr->n_images, sizeof(cs_image), cmp_image);
	cs_dataroot_seal(dr);
	*ret = dr;
	return 0;
}

/* --- locating roots in a host filesystem --- */

char *cs_containerd_config_root(const char *toml, size_t len)
{
	const char *p = toml, *end = toml + len;
	char *found = NULL;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		const char *q = p;
		while (q < eol && isspace((unsigned char)*q))
			q++;
		if (q < eol && *q == '[')
			break; /* the first table: top-level keys are over */
		if ((size_t)(eol - q) > 4 && strncmp(q, "root", 4) == 0) {
			const char *r = q + 4;
			while (r < eol && (*r == ' ' || *r == '\t'))
				r++;
			if (r < eol && *r == '=') {
				r++;
				while (r < eol && (*r == ' ' || *r == '\t'))
					r++;
				if (r < eol && (*r == '"' || *r == '\'')) {
					char qc = *r++;
					const char *s = r;
					while (r < eol && *r != qc)
						r++;
					if (r < eol) {
						free(found);
						found = cs_xstrndup(s, (size_t)(r - s));
					}
				}
			}
		}
		p = eol + 1;
	}
	return found;
}

static char *config_root(cs_source *sysroot, const char *file)
{
	char *text;
	size_t len;
	if (cs_source_read_file(sysroot, file, CS_CTRD_MAX_SMALL, &text, &len, NULL) < 0)
		return NULL;
	char *r = cs_containerd_config_root(text, len);
	free(text);
	return r;
}

static void add_root(cs_engine_roots *out, const char *host, const char *origin)
{
	if (!host || host[0] != '/')
		return;
	cs_engine_roots_add(out, &cs_engine_containerd, host + strspn(host, "/"), host, origin);
}

int cs_containerd_locate(cs_source *sysroot, cs_engine_roots *out, cs_error *e)
{
	(void)e;
	char *exec = NULL, *exec_file = NULL;
	cs_unit_exec_start(sysroot, "containerd.service", &exec, &exec_file);
	static const char *const rootf[] = {"--root"}, *const cfgf[] = {"--config", "-c"};
	_cleanup_free_ char *flag_root = exec ? cs_cmdline_flag(exec, rootf, 1) : NULL;
	_cleanup_free_ char *flag_cfg = exec ? cs_cmdline_flag(exec, cfgf, 2) : NULL;
	if (flag_root) {
		_cleanup_free_ char *o = cs_xasprintf("containerd --root in %s", exec_file);
		add_root(out, flag_root, o);
	} else {
		const char *cfg = flag_cfg && flag_cfg[0] == '/' ? flag_cfg + 1 : "etc/containerd/config.toml";
		_cleanup_free_ char *root = config_root(sysroot, cfg);
		if (root) {
			_cleanup_free_ char *o = cs_xasprintf("\"root\" in %s", cfg);
			add_root(out, root, o);
		}
	}
	free(exec);
	free(exec_file);
	add_root(out, "/var/lib/containerd", "the default location");
	add_root(out, "/var/lib/docker/containerd/daemon", "Docker's own containerd");
	add_root(out, "/var/lib/rancher/k3s/agent/containerd", "k3s's default location");
	return 0;
}

static int ctrd_probe(cs_source *src, const char *path)
{
	_cleanup_free_ char *m = cs_path_join(path, META_DB);
	cs_stat st;
	if (cs_source_stat(src, m, false, &st, NULL) == 0 && S_ISREG(st.mode))
		return 90;
	static const char *const marks[] = {"io.containerd.content.v1.content", "io.containerd.snapshotter.v1.overlayfs"};
	int bid = 0;
	for (size_t i = 0; i < CS_ARRAY_SIZE(marks); i++) {
		_cleanup_free_ char *p = cs_path_join(path, marks[i]);
		if (cs_source_stat(src, p, false, &st, NULL) == 0 && S_ISDIR(st.mode))
			bid += 20; /* a root without meta.db: reported by load */
	}
	return bid;
}

static int ctrd_snapshot_stack(const cs_dataroot *dr, const char *ns, const char *snapshotter, const char *key,
			       cs_layer_stack *ret, cs_problems *problems, cs_error *e)
{
	cd_root *r = dr->engine_data;
	if (!r || dr->ops != &cs_engine_containerd)
		return cs_err(e, -EINVAL, "not a containerd root");
	return cd_stack(r, ns, snapshotter, key, "container", ret, problems, e);
}

const cs_engine cs_engine_containerd = {
	.name = "containerd",
	.what = "containerd root",
	.probe = ctrd_probe,
	.locate = cs_containerd_locate,
	.load = cs_containerd_load,
	.inspect = cs_containerd_inspect,
	.snapshot_stack = ctrd_snapshot_stack,
};
