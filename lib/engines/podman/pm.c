/* pm.c - the containers/storage reader's entry points: probe, locate, load,
 * and what the other modules share (messages, paths, the store's user).
 *
 * Locating follows containers/storage's own rules for where a store is
 * (types/options.go): the system storage.conf (etc/, else usr/share/) for
 * the rootful store, which CRI-O uses too unless its own configuration
 * (`root` in etc/crio/crio.conf and its drop-ins, or --root on crio's
 * command line) moves it; and, for each user of etc/passwd but root, the
 * user's ~/.config/containers/storage.conf (which replaces the system file
 * entirely), else the system file's rootless_storage_path ($HOME, $UID and
 * $USER expanded), else ~/.local/share/containers/storage.
 *
 * Loading reads one graphroot: the JSON stores of every driver present
 * (`<driver>-layers`, `-images`, `-containers`), libpod's database, then
 * builds images, containers and volumes. A store owned by a user other
 * than root is that user's rootless store: its namespace is the user's name
 * and the user's etc/subuid and etc/subgid ranges give the owners the
 * containers saw. Everything read stays with the data root for inspect.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "engines/podman/pm_internal.h"
#include "formats/passwd.h"
#include "formats/toml.h"
#include "formats/unitfile.h"

static const char *const drivers[] = {"overlay", "vfs", "btrfs", "zfs", "aufs", "devmapper"};

/* --- shared helpers --- */

static void vreport(pm_ctx *c, cs_severity sev, cs_problems *p, const char *file, const char *fmt, va_list ap)
	__attribute__((format(printf, 5, 0)));
static void vreport(pm_ctx *c, cs_severity sev, cs_problems *p, const char *file, const char *fmt, va_list ap)
{
	char msg[CS_ERRMSG_MAX + 512];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	/* notes too: a command reports the problems of the items it shows */
	cs_problems_add(p ? p : &c->dr->problems, file, msg);
	if (sev == CS_WARN)
		c->dr->n_warnings++;
	if (c->diag) {
		cs_diag d = {.severity = sev, .file = file, .msg = msg};
		c->diag(c->diag_ud, &d);
	}
}

void pm_warn(pm_ctx *c, cs_problems *p, const char *file, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(c, CS_WARN, p, file, fmt, ap);
	va_end(ap);
}

void pm_note(pm_ctx *c, cs_problems *p, const char *file, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(c, CS_NOTE, p, file, fmt, ap);
	va_end(ap);
}

char *pm_path(const pm_store *st, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *rel = NULL;
	if (vasprintf(&rel, fmt, ap) < 0)
		abort();
	va_end(ap);
	char *p = cs_path_join(st->path, rel);
	free(rel);
	return p;
}

bool pm_safe_name(const char *s)
{
	if (!s || !*s || strlen(s) > 255 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (const char *p = s; *p; p++)
		if (*p == '/')
			return false;
	return true;
}

static bool has_dotdot(const char *p)
{
	for (const char *s = p; *s;) {
		size_t l = strcspn(s, "/");
		if (l == 2 && s[0] == '.' && s[1] == '.')
			return true;
		s += l;
		while (*s == '/')
			s++;
	}
	return false;
}

char *pm_host_to_evidence(const pm_store *st, const char *host)
{
	if (!host || host[0] != '/' || has_dotdot(host))
		return NULL;
	if (st->host_path) {
		size_t hl = strlen(st->host_path);
		while (hl > 1 && st->host_path[hl - 1] == '/')
			hl--;
		if (strncmp(host, st->host_path, hl) == 0 && (host[hl] == '/' || host[hl] == '\0'))
			return cs_path_join(st->path, host[hl] ? host + hl + 1 : "");
	}
	if (!st->prefix)
		return NULL;
	return cs_xasprintf("%s%s", st->prefix, host + strspn(host, "/"));
}

/* --- big-data file names (store.go makeBigDataBaseName) --- */

static bool plain_key(const char *k)
{
	if (!*k)
		return false;
	for (const char *p = k; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') || *p == '.'))
			return false;
	return true;
}

char *cs_podman_bigdata_name(const char *key)
{
	if (plain_key(key))
		return cs_xstrdup(key);
	static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = strlen(key);
	char *o = cs_xmalloc(2 + (n + 2) / 3 * 4), *q = o;
	const unsigned char *p = (const unsigned char *)key;
	*q++ = '=';
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) | (i + 2 < n ? p[i + 2] : 0);
		*q++ = t[v >> 18 & 63];
		*q++ = t[v >> 12 & 63];
		*q++ = i + 1 < n ? t[v >> 6 & 63] : '=';
		*q++ = i + 2 < n ? t[v & 63] : '=';
	}
	*q = '\0';
	return o;
}

static int b64val(char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '+')
		return 62;
	if (ch == '/')
		return 63;
	return -1;
}

char *cs_podman_bigdata_key(const char *name)
{
	if (!name || !*name)
		return NULL;
	if (name[0] != '=')
		return cs_xstrdup(name);
	const char *s = name + 1;
	size_t n = strlen(s);
	if (n == 0 || n % 4 != 0)
		return NULL;
	char *o = cs_xmalloc(n / 4 * 3 + 1);
	size_t k = 0;
	for (size_t i = 0; i < n; i += 4) {
		int v[4];
		int pad = 0;
		for (int j = 0; j < 4; j++) {
			if (s[i + j] == '=' && i + 4 == n && j >= 2) {
				v[j] = 0;
				pad++;
				continue;
			}
			if (pad) { /* data after padding */
				free(o);
				return NULL;
			}
			v[j] = b64val(s[i + j]);
			if (v[j] < 0) {
				free(o);
				return NULL;
			}
		}
		uint32_t x = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
		o[k++] = (char)(x >> 16);
		if (pad < 2)
			o[k++] = (char)(x >> 8);
		if (pad < 1)
			o[k++] = (char)x;
	}
	o[k] = '\0';
	if (k == 0 || memchr(o, '\0', k)) {
		free(o);
		return NULL;
	}
	return o;
}

/* --- the store's user (rootless stores) --- */

static char *read_small(cs_source *src, const char *path)
{
	char *t = NULL;
	size_t l = 0;
	if (cs_source_read_file(src, path, CS_TOML_MAX, &t, &l, NULL) < 0)
		return NULL;
	return t;
}

/* The host's "/" inside the evidence, from the root's two names. */
static char *sysroot_prefix(const char *path, const char *host_path)
{
	if (!host_path || host_path[0] != '/')
		return NULL;
	const char *h = host_path + strspn(host_path, "/");
	size_t hl = strlen(h), pl = strlen(path);
	while (hl > 0 && h[hl - 1] == '/')
		hl--;
	if (hl == 0 || pl < hl || strncmp(path + pl - hl, h, hl) != 0)
		return NULL;
	if (pl > hl && path[pl - hl - 1] != '/')
		return NULL;
	return cs_xstrndup(path, pl - hl);
}

/* The user namespace of a rootless store: its id 0 is the user's own id,
 * 1.. the user's subordinate ranges in the order etc/subuid lists them. */
static void build_map(const cs_subid_range *r, size_t n, uint32_t self, char kind, cs_idmap *m)
{
	cs_idmap_add(m, kind, 0, self, 1);
	uint64_t next = 1;
	for (size_t i = 0; i < n && next <= UINT32_MAX; i++) {
		uint64_t size = r[i].count;
		if (next + size - 1 > UINT32_MAX)
			size = (uint64_t)UINT32_MAX - next + 1;
		cs_idmap_add(m, kind, (uint32_t)next, r[i].start, (uint32_t)size);
		next += size;
	}
	m->shifted = true;
}

static void find_user(pm_ctx *c)
{
	pm_store *st = c->st;
	cs_stat rs;
	bool owned = cs_source_stat(c->src, st->path, true, &rs, NULL) == 0 && rs.uid != 0;
	cs_passwd_ent *pw = NULL;
	size_t npw = 0;
	if (st->prefix) {
		_cleanup_free_ char *pp = cs_xasprintf("%setc/passwd", st->prefix);
		char *t = NULL;
		size_t l = 0;
		if (cs_source_read_file(c->src, pp, (size_t)64 << 20, &t, &l, NULL) == 0) {
			pw = cs_passwd_parse(t, l, &npw);
			free(t);
		}
	}
	const cs_passwd_ent *who = NULL;
	/* the user whose home holds the store, else the store's owner */
	for (size_t i = 0; i < npw && st->host_path && !who; i++) {
		size_t hl = strlen(pw[i].home);
		while (hl > 1 && pw[i].home[hl - 1] == '/')
			hl--;
		if (pw[i].uid != 0 && hl > 1 && strncmp(st->host_path, pw[i].home, hl) == 0 && st->host_path[hl] == '/')
			who = &pw[i];
	}
	for (size_t i = 0; i < npw && owned && !who; i++)
		if (pw[i].uid == rs.uid)
			who = &pw[i];
	if (!who && !owned) {
		cs_passwd_free(pw, npw);
		return; /* rootful */
	}
	if (who) {
		st->user = cs_xstrdup(who->name);
		st->home = cs_xstrdup(who->home);
		st->uid = who->uid;
		st->gid = who->gid;
	} else {
		st->uid = rs.uid;
		st->gid = rs.gid;
		/* no etc/passwd: a name from /home/<name>/..., else the uid */
		const char *h = st->host_path;
		if (h && cs_str_startswith(h, "/home/") && strchr(h + 6, '/'))
			st->user = cs_xstrndup(h + 6, strcspn(h + 6, "/"));
		else
			st->user = cs_xasprintf("%u", rs.uid);
	}
	cs_passwd_free(pw, npw);
	if (!st->prefix) {
		st->usermap_note = cs_xasprintf(
			"rootless store of user %s: the host's etc/subuid and etc/subgid are not in the evidence (read it "
			"with --sysroot): owners are shown as stored on disk",
			st->user);
		return;
	}
	static const char *const files[2] = {"etc/subuid", "etc/subgid"};
	for (int k = 0; k < 2; k++) {
		_cleanup_free_ char *fp = cs_xasprintf("%s%s", st->prefix, files[k]);
		char *t = NULL;
		size_t l = 0;
		cs_subid_range *r = NULL;
		size_t nr = 0;
		if (cs_source_read_file(c->src, fp, (size_t)64 << 20, &t, &l, NULL) == 0) {
			r = cs_subid_ranges(t, l, st->user, k ? st->gid : st->uid, &nr);
			free(t);
		}
		if (k == 0)
			build_map(r, nr, st->uid, 'u', &st->usermap);
		else
			build_map(r, nr, st->gid, 'g', &st->usermap);
		if (nr == 0 && !st->usermap_note)
			st->usermap_note = cs_xasprintf(
				"rootless store of user %s: `%s` gives the user no subordinate ids: only the user's own "
				"id is mapped (container root)",
				st->user, fp);
		free(r);
	}
}

/* --- probe --- */

static bool is_dir(cs_source *src, const char *p)
{
	cs_stat st;
	return cs_source_stat(src, p, true, &st, NULL) == 0 && S_ISDIR(st.mode);
}

static bool is_file(cs_source *src, const char *p)
{
	cs_stat st;
	return cs_source_stat(src, p, true, &st, NULL) == 0 && S_ISREG(st.mode);
}

static int pm_probe(cs_source *src, const char *path)
{
	int bid = 0;
	for (size_t i = 0; i < CS_ARRAY_SIZE(drivers); i++) {
		static const char *const kinds[] = {"layers/layers.json", "containers/containers.json",
						    "images/images.json"};
		for (size_t k = 0; k < CS_ARRAY_SIZE(kinds); k++) {
			_cleanup_free_ char *rel = cs_xasprintf("%s-%s", drivers[i], kinds[k]);
			_cleanup_free_ char *p = cs_path_join(path, rel);
			if (is_file(src, p))
				bid = 85;
		}
		if (bid)
			return bid;
	}
	static const char *const dbs[] = {"libpod/bolt_state.db", "libpod/db.sql"};
	for (size_t i = 0; i < CS_ARRAY_SIZE(dbs); i++) {
		_cleanup_free_ char *p = cs_path_join(path, dbs[i]);
		if (is_file(src, p))
			return 60;
	}
	return 0;
}

/* --- locate --- */

static void add_root(cs_engine_roots *out, const char *host, const char *origin)
{
	if (!host || host[0] != '/' || has_dotdot(host))
		return;
	_cleanup_free_ char *h = cs_xstrdup(host);
	size_t l = strlen(h);
	while (l > 1 && h[l - 1] == '/')
		h[--l] = '\0';
	cs_engine_roots_add(out, &cs_engine_podman, h + strspn(h, "/"), h, origin);
}

/* $HOME, ${HOME}, $UID, $USER and a leading ~ in a configured path. */
static char *expand(const char *s, const cs_passwd_ent *u)
{
	cs_buf b = {0};
	(void)cs_buf_puts(&b, "");
	if (u && s[0] == '~' && (s[1] == '/' || !s[1])) {
		(void)cs_buf_puts(&b, u->home);
		s++;
	}
	while (*s) {
		static const char *const vars[] = {"${HOME}", "$HOME", "${UID}", "$UID", "${USER}", "$USER"};
		bool hit = false;
		for (size_t i = 0; i < CS_ARRAY_SIZE(vars) && u; i++) {
			size_t l = strlen(vars[i]);
			if (strncmp(s, vars[i], l) != 0)
				continue;
			if (strstr(vars[i], "HOME"))
				(void)cs_buf_puts(&b, u->home);
			else if (strstr(vars[i], "UID"))
				(void)cs_buf_printf(&b, "%u", u->uid);
			else
				(void)cs_buf_puts(&b, u->name);
			s += l;
			hit = true;
			break;
		}
		if (!hit)
			(void)cs_buf_append(&b, s++, 1);
	}
	return cs_buf_steal(&b);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(((const cs_dirent *)a)->name, ((const cs_dirent *)b)->name);
}

static void locate_crio(cs_source *sys, cs_engine_roots *out, const char *storage_root)
{
	char *exec = NULL, *exec_file = NULL;
	cs_unit_exec_start(sys, "crio.service", &exec, &exec_file);
	static const char *const rootf[] = {"--root", "-r"};
	_cleanup_free_ char *flag_root = exec ? cs_cmdline_flag(exec, rootf, 2) : NULL;
	if (flag_root) {
		_cleanup_free_ char *o = cs_xasprintf("crio --root in %s", exec_file);
		add_root(out, flag_root, o);
	}
	free(exec);
	free(exec_file);
	if (flag_root)
		return;
	char *root = NULL, *from = NULL;
	_cleanup_free_ char *main_text = read_small(sys, "etc/crio/crio.conf");
	if (main_text) {
		root = cs_toml_string(main_text, strlen(main_text), "crio.root");
		if (root)
			from = cs_xstrdup("etc/crio/crio.conf");
	}
	cs_dirent *d = NULL;
	size_t n = 0;
	bool any_conf = main_text != NULL;
	if (cs_source_list(sys, "etc/crio/crio.conf.d", &d, &n, NULL) == 0) {
		if (n > 1)
			qsort(d, n, sizeof(*d), cmp_str);
		for (size_t i = 0; i < n && i < 1024; i++) {
			if (!cs_str_endswith(d[i].name, ".conf"))
				continue;
			_cleanup_free_ char *fp = cs_xasprintf("etc/crio/crio.conf.d/%s", d[i].name);
			_cleanup_free_ char *t = read_small(sys, fp);
			if (!t)
				continue;
			any_conf = true;
			char *r = cs_toml_string(t, strlen(t), "crio.root");
			if (r) {
				free(root);
				free(from);
				root = r;
				from = cs_xstrdup(fp);
			}
		}
		cs_dirents_free(d, n);
	}
	if (root) {
		_cleanup_free_ char *o = cs_xasprintf("CRI-O's \"root\" in %s", from);
		add_root(out, root, o);
	} else if (any_conf && storage_root) {
		add_root(out, storage_root, "CRI-O's configuration (etc/crio/), the store of storage.conf");
	}
	free(root);
	free(from);
}

int cs_podman_locate(cs_source *sys, cs_engine_roots *out, cs_error *e)
{
	(void)e;
	static const char *const confs[] = {"etc/containers/storage.conf", "usr/share/containers/storage.conf"};
	char *conf = NULL;
	const char *conf_file = NULL;
	for (size_t i = 0; i < CS_ARRAY_SIZE(confs) && !conf; i++)
		if ((conf = read_small(sys, confs[i])))
			conf_file = confs[i];
	_cleanup_free_ char *graphroot = conf ? cs_toml_string(conf, strlen(conf), "storage.graphroot") : NULL;
	_cleanup_free_ char *rootless_path = conf ? cs_toml_string(conf, strlen(conf), "storage.rootless_storage_path")
						  : NULL;
	free(conf);
	if (graphroot && *graphroot) {
		_cleanup_free_ char *o = cs_xasprintf("\"graphroot\" in %s", conf_file);
		add_root(out, graphroot, o);
	}
	add_root(out, "/var/lib/containers/storage", "the default location");
	locate_crio(sys, out, graphroot && *graphroot ? graphroot : "/var/lib/containers/storage");
	/* every user's rootless store */
	char *pwt = NULL;
	size_t pwl = 0;
	if (cs_source_read_file(sys, "etc/passwd", (size_t)64 << 20, &pwt, &pwl, NULL) < 0)
		return 0;
	size_t npw = 0;
	cs_passwd_ent *pw = cs_passwd_parse(pwt, pwl, &npw);
	free(pwt);
	size_t looked = 0;
	for (size_t i = 0; i < npw && looked < CS_PM_MAX_USERS; i++) {
		const cs_passwd_ent *u = &pw[i];
		if (u->uid == 0 || u->home[0] != '/' || strcmp(u->home, "/") == 0 || has_dotdot(u->home))
			continue;
		const char *home = u->home + strspn(u->home, "/");
		if (!is_dir(sys, home))
			continue;
		looked++;
		_cleanup_free_ char *ucf = cs_xasprintf("%s/.config/containers/storage.conf", home);
		_cleanup_free_ char *ut = read_small(sys, ucf);
		_cleanup_free_ char *where = NULL, *origin = NULL;
		if (ut) {
			_cleanup_free_ char *g = cs_toml_string(ut, strlen(ut), "storage.graphroot");
			if (g && *g) {
				where = expand(g, u);
				origin = cs_xasprintf("user %s: \"graphroot\" in %s", u->name, ucf);
			} else {
				size_t hl = strlen(u->home);
				while (hl > 1 && u->home[hl - 1] == '/')
					hl--;
				where = cs_xasprintf("%.*s/.local/share/containers/storage", (int)hl, u->home);
				origin = cs_xasprintf("user %s: %s sets no graphroot: the default location", u->name, ucf);
			}
		} else if (rootless_path && *rootless_path) {
			where = expand(rootless_path, u);
			origin = cs_xasprintf("user %s: \"rootless_storage_path\" in %s", u->name, conf_file);
		}
		if (!where) {
			size_t hl = strlen(u->home);
			while (hl > 1 && u->home[hl - 1] == '/')
				hl--;
			where = cs_xasprintf("%.*s/.local/share/containers/storage", (int)hl, u->home);
			origin = cs_xasprintf("user %s's default location", u->name);
		}
		if (where[0] == '/' && is_dir(sys, where + strspn(where, "/")))
			add_root(out, where, origin);
	}
	cs_passwd_free(pw, npw);
	return 0;
}

/* --- load --- */

static int cmp_container(const void *a, const void *b)
{
	const cs_container *x = a, *y = b;
	if (x->created != y->created)
		return x->created > y->created ? -1 : 1;
	return strcmp(x->id, y->id);
}

static int cmp_image(const void *a, const void *b)
{
	const cs_image *x = a, *y = b;
	if (x->created != y->created)
		return x->created > y->created ? -1 : 1;
	return strcmp(x->id, y->id);
}

void pm_store_free(void *p)
{
	pm_store *st = p;
	if (!st)
		return;
	for (size_t i = 0; i < st->n_layers; i++) {
		pm_layer *l = &st->layers[i];
		free(l->id);
		free(l->parent);
		cs_strv_free(l->names);
		free(l->diff_digest);
		free(l->compressed_digest);
		free(l->file);
	}
	free(st->layers);
	cs_strmap_free(&st->layer_by_id, NULL);
	for (size_t i = 0; i < st->n_images; i++) {
		pm_image *im = &st->images[i];
		free(im->id);
		free(im->digest);
		free(im->top_layer);
		free(im->metadata);
		cs_strv_free(im->digests);
		cs_strv_free(im->names);
		cs_strv_free(im->names_history);
		cs_strv_free(im->bigdata_names);
		cs_strv_free(im->mapped_layers);
		free(im->file);
	}
	free(st->images);
	cs_strmap_free(&st->image_by_id, NULL);
	for (size_t i = 0; i < st->n_sctrs; i++) {
		pm_sctr *s = &st->sctrs[i];
		free(s->id);
		free(s->image);
		free(s->layer);
		free(s->metadata);
		cs_strv_free(s->names);
		free(s->mount_label);
		free(s->process_label);
		free(s->ids.v);
		free(s->file);
	}
	free(st->sctrs);
	pm_libpod_free(&st->db);
	free(st->usermap.v);
	free(st->usermap_note);
	free(st->path);
	free(st->host_path);
	free(st->prefix);
	free(st->user);
	free(st->home);
	free(st->driver);
	free(st->events_path);
	free(st->journal_dir);
	cs_strmap_free(&st->links, free);
	cs_strmap_free(&st->dirs, NULL);
	free(st);
}

int cs_podman_load(cs_source *src, const cs_load_opts *o, cs_dataroot **ret, cs_error *e)
{
	const char *path = o && o->path ? o->path : "";
	pm_store *st = cs_xcalloc(1, sizeof(*st));
	st->src = src;
	st->path = cs_xstrdup(path);
	bool any = false;
	for (size_t i = 0; i < CS_ARRAY_SIZE(drivers) && !any; i++) {
		static const char *const kinds[] = {"layers", "images", "containers"};
		for (size_t k = 0; k < CS_ARRAY_SIZE(kinds) && !any; k++) {
			_cleanup_free_ char *p = pm_path(st, "%s-%s", drivers[i], kinds[k]);
			any = is_dir(src, p);
		}
	}
	cs_dataroot *dr = cs_xcalloc(1, sizeof(*dr));
	dr->src = src;
	dr->path = cs_xstrdup(path);
	dr->engine = cs_engine_podman.name;
	dr->ops = &cs_engine_podman;
	dr->engine_data = st;
	dr->engine_data_free = pm_store_free;
	pm_ctx c = {.src = src, .dr = dr, .st = st, .diag = o ? o->diag : NULL, .diag_ud = o ? o->diag_userdata : NULL,
		    .listing = o && o->listing};
	st->have_db = pm_read_libpod(&c);
	if (!any && !st->have_db) {
		cs_dataroot_free(dr);
		return cs_err(e, -ENOENT, "`%s`: no containers/storage records (<driver>-layers, -images, "
					  "-containers) and no libpod database",
			      *path ? path : cs_source_root(src));
	}
	const char *hp = o && o->host_path ? o->host_path : st->db.graph_root ? st->db.graph_root
										: "/var/lib/containers/storage";
	st->host_path = cs_xstrdup(hp);
	dr->host_path = cs_xstrdup(hp);
	if (o && o->host_path)
		st->prefix = sysroot_prefix(path, hp);
	find_user(&c);
	if (st->usermap_note)
		pm_note(&c, NULL, path, "%s", st->usermap_note);
	_cleanup_free_ char *mp = pm_path(st, "overlay/.has-mount-program");
	_cleanup_free_ char *mpt = read_small(src, mp);
	st->mount_program = mpt && cs_str_startswith(mpt, "true");
	for (size_t i = 0; i < CS_ARRAY_SIZE(drivers); i++) {
		_cleanup_free_ char *lp = pm_path(st, "%s-layers", drivers[i]);
		_cleanup_free_ char *cp = pm_path(st, "%s-containers", drivers[i]);
		_cleanup_free_ char *ip = pm_path(st, "%s-images", drivers[i]);
		if (!is_dir(src, lp) && !is_dir(src, cp) && !is_dir(src, ip))
			continue;
		if (!st->driver)
			st->driver = cs_xstrdup(drivers[i]);
		pm_read_layers(&c, drivers[i]);
		pm_read_images(&c, drivers[i]);
		pm_read_containers(&c, drivers[i]);
	}
	if (!st->driver)
		st->driver = cs_xstrdup(st->db.graph_driver ? st->db.graph_driver : "overlay");
	if (st->prefix) {
		_cleanup_free_ char *jd = cs_xasprintf("%svar/log/journal", st->prefix);
		if (is_dir(src, jd))
			st->journal_dir = TAKE_PTR(jd);
		/* events_logger = "file": events_logfile_path of containers.conf (the
		 * user's, then the system's), else tmp_dir/events/events.log, on
		 * tmpfs unless moved */
		char *conf_ev = NULL;
		_cleanup_free_ char *ucf = st->home ? cs_xasprintf("%s/.config/containers/containers.conf", st->home) : NULL;
		const char *confs[] = {ucf, "/etc/containers/containers.conf", "/usr/share/containers/containers.conf"};
		for (size_t i = 0; i < CS_ARRAY_SIZE(confs) && !conf_ev; i++) {
			_cleanup_free_ char *ep = confs[i] ? pm_host_to_evidence(st, confs[i]) : NULL;
			_cleanup_free_ char *t = ep ? read_small(src, ep) : NULL;
			if (t)
				conf_ev = cs_toml_string(t, strlen(t), "engine.events_logfile_path");
		}
		const char *tmp = st->db.tmp_dir ? st->db.tmp_dir : st->user ? NULL : "/run/libpod";
		_cleanup_free_ char *ev = conf_ev ? conf_ev : tmp ? cs_xasprintf("%s/events/events.log", tmp) : NULL;
		_cleanup_free_ char *evp = ev ? pm_host_to_evidence(st, ev) : NULL;
		if (evp && is_file(src, evp))
			st->events_path = TAKE_PTR(evp);
	}
	/* a listing (ps) reads the containers only: images, volumes and the
	 * events log are what other commands need */
	if (!c.listing)
		pm_load_images(&c);
	pm_load_containers(&c);
	if (!c.listing) {
		pm_load_volumes(&c);
		pm_read_events(&c);
	}
	if (dr->n_containers > 1)
		qsort(dr->containers, dr->n_containers, sizeof(cs_container), cmp_container);
	if (dr->n_images > 1)
		qsort(dr->images, dr->n_images, sizeof(cs_image), cmp_image);
	cs_dataroot_seal(dr);
	*ret = dr;
	return 0;
}

static const char *const also[] = {"cri-o", NULL};

const cs_engine cs_engine_podman = {
	.name = "podman",
	.what = "containers/storage graphroot (Podman, CRI-O)",
	.probe = pm_probe,
	.locate = cs_podman_locate,
	.load = cs_podman_load,
	.inspect = cs_podman_inspect,
	.also = also,
};
