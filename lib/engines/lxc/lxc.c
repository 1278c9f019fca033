/* lxc.c - the LXC reader: finding lxcpaths, reading each container.
 *
 * Host paths in a config (rootfs, includes, log files, mount sources) are
 * mapped into the evidence: under --sysroot the evidence root is the host's
 * root, so "/x" is "x"; under --root (the lxcpath itself) only paths below
 * the lxcpath as the host knew it map (that host path is read from the
 * containers' own rootfs specs, `<lxcpath>/<name>/rootfs`).
 *
 * What one container costs when damaged: a config that cannot be read
 * leaves the container listed, incomplete, with no filesystem; a bad line,
 * include loop or repeated key costs that line (reported with file and line
 * number); a rootfs that is a symbolic link, missing, or on a backend a
 * directory cannot reach leaves the container without a filesystem, said
 * so. The rest of the lxcpath is read either way.
 */
#include "engines/lxc/lxc_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "base/strmap.h"
#include "formats/lxcconf.h"
#include "logs/logs.h"

static void lx_problem(lx_ctx *c, cs_container *ct, cs_severity sev, const char *file, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static void lx_problem(lx_ctx *c, cs_container *ct, cs_severity sev, const char *file, const char *fmt, ...)
{
	char msg[CS_ERRMSG_MAX + 256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cs_problems_add(ct ? &ct->problems : &c->dr->problems, file, msg);
	if (sev == CS_WARN)
		c->dr->n_warnings++;
	if (c->diag) {
		cs_diag d = {.severity = sev, .file = file, .msg = msg};
		c->diag(c->diag_ud, &d);
	}
}

/* Maps a host path into the evidence; NULL when it is not there. */
static char *map_host(lx_ctx *c, const char *host)
{
	if (!host || host[0] != '/')
		return NULL;
	if (c->sysroot) {
		const char *p = host + strspn(host, "/");
		return cs_xstrdup(*p ? p : "");
	}
	if (!c->host_path)
		return NULL;
	size_t l = strlen(c->host_path);
	if (strncmp(host, c->host_path, l) == 0 && (host[l] == '/' || host[l] == 0)) {
		const char *rest = host + l + strspn(host + l, "/");
		return cs_path_join(c->dr->path, rest);
	}
	return NULL;
}

static char *map_cb(void *ud, const char *host)
{
	return map_host(ud, host);
}

static int read_small(lx_ctx *c, const char *path, char **ret)
{
	size_t n;
	return cs_source_read_file(c->src, path, CS_LXC_MAX_SMALL, ret, &n, NULL);
}

/* --- rootfs backends --- */

typedef struct rootfs_spec {
	char *backend; /* dir, overlay, btrfs, zfs, lvm, loop, rbd, nbd */
	char *path;    /* dir/btrfs: the directory; overlay: the upper dir; else the spec */
	char *lower;   /* overlay: the lower directory */
} rootfs_spec;

static void spec_free(rootfs_spec *s)
{
	free(s->backend);
	free(s->path);
	free(s->lower);
	memset(s, 0, sizeof(*s));
}

/* lxc.rootfs.path = [backend:]spec (lxc-5.0.2 src/lxc/storage/storage.c). */
static void parse_rootfs(const char *v, rootfs_spec *s)
{
	memset(s, 0, sizeof(*s));
	static const char *const backends[] = {"dir", "overlayfs", "overlay", "btrfs", "zfs", "lvm",
					       "loop", "rbd", "nbd", "aufs"};
	const char *colon = strchr(v, ':');
	for (size_t i = 0; colon && i < CS_ARRAY_SIZE(backends); i++) {
		size_t bl = strlen(backends[i]);
		if ((size_t)(colon - v) == bl && strncmp(v, backends[i], bl) == 0) {
			s->backend = cs_xstrdup(strcmp(backends[i], "overlayfs") == 0 ? "overlay" : backends[i]);
			v = colon + 1;
			break;
		}
	}
	if (!s->backend) {
		/* no prefix: a directory, or a block device (lvm/loop) */
		s->backend = cs_xstrdup(cs_str_startswith(v, "/dev/") ? "lvm" : "dir");
	}
	if (strcmp(s->backend, "overlay") == 0 || strcmp(s->backend, "aufs") == 0) {
		/* lower:upper, the lower possibly "dir:..." itself */
		if (cs_str_startswith(v, "dir:"))
			v += 4;
		const char *sep = strrchr(v, ':');
		if (sep) {
			s->lower = cs_xstrndup(v, (size_t)(sep - v));
			s->path = cs_xstrdup(sep + 1);
			return;
		}
	}
	s->path = cs_xstrdup(v);
}

/* Pushes the directory of a host path onto the stack, checking that it is
 * a real directory (not a symbolic link) in the evidence. */
static bool push_dir(lx_ctx *c, cs_container *ct, cs_layer_stack *st, const char *host, const char *role,
		     const char *cfg, const char *what)
{
	_cleanup_free_ char *ev = map_host(c, host);
	if (!ev) {
		lx_problem(c, ct, CS_WARN, cfg, "`%s`: %s `%s` is not in the evidence", cfg, what, host);
		return false;
	}
	cs_stat stl;
	cs_error e = {0};
	if (cs_source_stat(c->src, ev, false, &stl, &e) < 0) {
		lx_problem(c, ct, CS_WARN, ev, "`%s`: %s `%s`: %s", cfg, what, ev, e.msg);
		return false;
	}
	if (S_ISLNK(stl.mode)) {
		_cleanup_free_ char *t = NULL;
		(void)cs_source_readlink(c->src, ev, &t, NULL);
		lx_problem(c, ct, CS_WARN, ev,
			   "`%s`: %s `%s` is a symbolic link to `%s`: not followed (a root filesystem is a "
			   "directory; the link may lead out of the evidence)",
			   cfg, what, ev, t ? t : "?");
		return false;
	}
	if (!S_ISDIR(stl.mode)) {
		lx_problem(c, ct, CS_WARN, ev, "`%s`: %s `%s` is not a directory", cfg, what, ev);
		return false;
	}
	cs_layer_stack_push(st, ev, role, role);
	return true;
}

/* Builds the filesystem stack of a rootfs spec. */
static void rootfs_stack(lx_ctx *c, cs_container *ct, const char *spec_text, const char *cfg, cs_layer_stack *st,
			 char **ret_backend)
{
	memset(st, 0, sizeof(*st));
	st->whiteouts = CS_WH_OVERLAY;
	rootfs_spec s;
	parse_rootfs(spec_text, &s);
	st->driver = cs_xstrdup(s.backend);
	if (ret_backend)
		*ret_backend = cs_xstrdup(s.backend);
	if (strcmp(s.backend, "dir") == 0 || strcmp(s.backend, "btrfs") == 0) {
		st->complete = push_dir(c, ct, st, s.path, "rootfs", cfg, "rootfs");
		if (!st->complete && strcmp(s.backend, "btrfs") == 0)
			lx_problem(c, ct, CS_NOTE, cfg,
				   "`%s`: rootfs is the btrfs subvolume `%s`: readable only where the btrfs "
				   "file system is mounted in the evidence",
				   cfg, s.path);
	} else if (strcmp(s.backend, "overlay") == 0 && s.lower) {
		st->complete = push_dir(c, ct, st, s.path, "container", cfg, "overlay upper directory") &&
			       push_dir(c, ct, st, s.lower, "lower", cfg, "overlay lower directory");
	} else {
		static const char *const where[][2] = {
			{"zfs", "a ZFS dataset: its files are in the pool, not in a directory of this evidence"},
			{"lvm", "an LVM logical volume: its files are in the volume group, not in a directory"},
			{"loop", "a file system image (loop device): read it as a disk image"},
			{"rbd", "a Ceph RBD image: its files are in the Ceph cluster"},
			{"nbd", "a network block device: its files are on the device"},
		};
		const char *w = "a backend csleuth cannot read from a directory";
		for (size_t i = 0; i < CS_ARRAY_SIZE(where); i++)
			if (strcmp(s.backend, where[i][0]) == 0)
				w = where[i][1];
		lx_problem(c, ct, CS_NOTE, cfg, "`%s`: rootfs `%s` (backend %s) is %s", cfg, s.path, s.backend, w);
		st->complete = false;
	}
	spec_free(&s);
}

/* --- logs --- */

static bool line_names(const char *line, size_t n, const char *name)
{
	/* "<prog> <name> <time> ..." */
	const char *sp = memchr(line, ' ', n);
	if (!sp)
		return false;
	size_t l = strlen(name);
	size_t rest = n - (size_t)(sp + 1 - line);
	return rest > l && strncmp(sp + 1, name, l) == 0 && sp[1 + l] == ' ';
}

/* Start and end events from a liblxc log, for the lines of this container. */
static void log_lifecycle(lx_ctx *c, cs_container *ct, const char *path)
{
	char *text;
	size_t n;
	if (cs_source_read_file(c->src, path, (size_t)64 << 20, &text, &n, NULL) < 0)
		return;
	size_t pos = 0;
	unsigned starts = 0, ends = 0;
	while (pos < n) {
		const char *l = text + pos;
		const char *nl = memchr(l, '\n', n - pos);
		size_t ln = nl ? (size_t)(nl - l) : n - pos;
		pos += ln + 1;
		if (!line_names(l, ln, ct->name))
			continue;
		cs_log_record rec;
		if (cs_log_decode_lxc(l, ln, &rec, NULL) < 0)
			continue;
		_cleanup_free_ char *line = cs_xstrndup(l, ln);
		const char *msg = strstr(line, " - ");
		msg = msg ? strstr(msg + 3, " - ") : NULL;
		msg = msg ? msg + 3 : line;
		if (strstr(line, ":post_start:") && strstr(line, "Started")) {
			starts++;
			ct->state.started_at = rec.time;
			ct->has_been_started_before = true;
			cs_container_event(ct, rec.time, "Container Started", path, false,
					   "Container %s started (liblxc log, to the second): %s", ct->name, msg);
		} else if (strstr(line, ":lxc_error_set_and_log:") && strstr(line, "ended on")) {
			ends++;
			ct->state.finished_at = rec.time;
			cs_container_event(ct, rec.time, "Container Finished", path, false,
					   "Container %s ended (liblxc log, to the second): %s", ct->name, msg);
		}
	}
	free(text);
	(void)starts;
	(void)ends;
}

static void add_log(lx_ctx *c, cs_container *ct, const char *ev, const char *role, int fmt)
{
	for (size_t i = 0; i < ct->n_logfiles; i++)
		if (strcmp(ct->logfiles[i].path, ev) == 0)
			return;
	cs_stat st;
	if (cs_source_stat(c->src, ev, false, &st, NULL) < 0 || !S_ISREG(st.mode))
		return;
	cs_container_logfile(ct, ev, role, fmt);
	cs_strmap_put(&c->claimed, ev, (void *)1);
	if (fmt == CS_LOG_LXC)
		log_lifecycle(c, ct, ev);
	cs_container_event(ct, st.mtime, strcmp(role, "console") == 0 ? "Console Log Last Written" : "Log Last Written",
			   ev, true, "%s log `%s` of %s last written (file time)", role, ev, ct->name);
}

/* --- one container --- */

static void add_mount(cs_container *ct, const char *entry)
{
	/* fstab fields: source target type options dump pass */
	char *f[6] = {0};
	char *dup = cs_xstrdup(entry), *save = NULL;
	int n = 0;
	for (char *t = strtok_r(dup, " \t", &save); t && n < 6; t = strtok_r(NULL, " \t", &save))
		f[n++] = t;
	if (n >= 2) {
		ct->mounts = cs_xreallocarray(ct->mounts, ct->n_mounts + 1, sizeof(*ct->mounts));
		cs_mount *m = &ct->mounts[ct->n_mounts++];
		memset(m, 0, sizeof(*m));
		const char *opts = n >= 4 ? f[3] : "";
		bool bind = strstr(opts, "bind") != NULL;
		m->type = bind ? CS_MOUNT_BIND : (n >= 3 && strcmp(f[2], "tmpfs") == 0) ? CS_MOUNT_TMPFS : CS_MOUNT_UNKNOWN;
		m->source = cs_xstrdup(f[0]);
		m->destination = f[1][0] == '/' ? cs_xstrdup(f[1]) : cs_xasprintf("/%s", f[1]);
		m->driver = n >= 3 ? cs_xstrdup(f[2]) : NULL;
		m->mode = cs_xstrdup(opts);
		bool ro = false;
		char *o2 = cs_xstrdup(opts), *s2 = NULL;
		for (char *t = strtok_r(o2, ",", &s2); t; t = strtok_r(NULL, ",", &s2))
			ro = ro || strcmp(t, "ro") == 0;
		free(o2);
		m->rw = !ro;
		/* bind sources are host paths: never walked as the container's */
	}
	free(dup);
}

static void add_idmap(cs_container *ct, const char *v)
{
	char kind;
	unsigned long a, b, n;
	if (sscanf(v, " %c %lu %lu %lu", &kind, &a, &b, &n) == 4 && (kind == 'u' || kind == 'g') &&
	    a <= UINT32_MAX && b <= UINT32_MAX && n <= UINT32_MAX)
		cs_idmap_add(&ct->idmap, kind, (uint32_t)a, (uint32_t)b, (uint32_t)n);
}

static void load_snapshots(lx_ctx *c, cs_container *ct)
{
	_cleanup_free_ char *sd = cs_path_join(ct->dir, "snaps");
	cs_dirent *d;
	size_t nd;
	if (cs_source_list(c->src, sd, &d, &nd, NULL) < 0)
		return;
	for (size_t i = 0; i < nd; i++) {
		_cleanup_free_ char *dir = cs_path_join(sd, d[i].name);
		_cleanup_free_ char *cfg = cs_path_join(dir, "config");
		if (!cs_source_exists(c->src, cfg))
			continue;
		cs_snapshot *s = CS_PUSH(ct->snapshots, ct->n_snapshots, ct->cap_snapshots);
		memset(s, 0, sizeof(*s));
		s->name = cs_xstrdup(d[i].name);
		s->dir = cs_xstrdup(dir);
		s->created = CS_TIME_NEVER;
		s->expires = CS_TIME_NEVER;
		_cleanup_free_ char *tsp = cs_path_join(dir, "ts"), *cmp = cs_path_join(dir, "comment");
		char *ts = NULL, *comment = NULL;
		cs_stat tst;
		if (read_small(c, tsp, &ts) == 0) {
			s->created_how = cs_xasprintf("`%s` says `%s`: the host's local time, no zone recorded", tsp, ts);
			if (cs_source_stat(c->src, tsp, false, &tst, NULL) == 0)
				cs_container_event(ct, tst.mtime, "Snapshot Created", tsp, true,
						   "Snapshot %s of %s taken (file time of `%s`; it says %s, host local "
						   "time)",
						   s->name, ct->name, tsp, ts);
			free(ts);
		}
		if (read_small(c, cmp, &comment) == 0)
			s->comment = comment;
		cs_lxc_conf sc;
		cs_error e = {0};
		if (cs_lxc_conf_load(c->src, cfg, NULL, NULL, &sc, &e) == 0) {
			const char *rp = cs_lxc_conf_get(&sc, "lxc.rootfs.path");
			if (rp)
				rootfs_stack(c, ct, rp, cfg, &s->layers, NULL);
			cs_lxc_conf_clear(&sc);
		} else {
			lx_problem(c, ct, CS_WARN, cfg, "`%s`: %s", cfg, e.msg);
		}
	}
	cs_dirents_free(d, nd);
}

static void load_container(lx_ctx *c, const char *name)
{
	cs_dataroot *dr = c->dr;
	cs_container *ct = CS_PUSH(dr->containers, dr->n_containers, dr->cap_containers);
	memset(ct, 0, sizeof(*ct));
	ct->id = cs_xstrdup(name);
	ct->name = cs_xstrdup(name);
	ct->namespace = cs_xstrdup(c->user);
	ct->dir = cs_path_join(dr->path, name);
	ct->created = CS_TIME_NEVER;
	ct->last_used = CS_TIME_NEVER;
	ct->state.started_at = CS_TIME_NEVER;
	ct->state.finished_at = CS_TIME_NEVER;
	ct->state_unknown = true;
	ct->exit_code_unknown = true;
	ct->type = cs_xstrdup("container");
	ct->host_root = cs_xstrdup(c->host_path);
	_cleanup_free_ char *cfg = cs_path_join(ct->dir, "config");
	cs_evfiles_add(&ct->evidence, "config", cfg);
	cs_stat st;
	if (cs_source_stat(c->src, ct->dir, false, &st, NULL) == 0 && CS_TIME_IS_REAL(st.btime))
		cs_container_event(ct, st.btime, "Container Directory Created", ct->dir, true,
				   "Directory of %s created (file birth time)", name);
	if (cs_source_stat(c->src, cfg, false, &st, NULL) == 0)
		cs_container_event(ct, st.mtime, "Config Modified", cfg, true,
				   "Config of %s last written (file time)", name);
	cs_lxc_conf conf;
	cs_error e = {0};
	if (cs_lxc_conf_load(c->src, cfg, map_cb, c, &conf, &e) < 0) {
		ct->incomplete = true;
		lx_problem(c, ct, CS_WARN, cfg, "container `%s`: `%s`: %s", name, cfg, e.msg);
		return;
	}
	for (size_t i = 0; i < conf.n_issues; i++)
		lx_problem(c, ct, conf.issues[i].severity, conf.issues[i].file, "container `%s`: %s", name,
			   conf.issues[i].msg);
	for (size_t i = 1; i < conf.n_files; i++)
		cs_evfiles_add(&ct->evidence, conf.files[i], conf.files[i]);
	/* the filesystem */
	const char *rp = cs_lxc_conf_get(&conf, "lxc.rootfs.path");
	if (rp && *rp) {
		rootfs_stack(c, ct, rp, cfg, &ct->layers, &ct->driver);
		if (ct->layers.n == 0 || !ct->layers.complete) {
			if (ct->layers.n)
				cs_layer_stack_clear(&ct->layers);
			ct->layers.complete = false;
		}
		if (ct->layers.n)
			ct->mount_id = cs_xstrdup(ct->layers.v[0].path);
	} else {
		lx_problem(c, ct, CS_WARN, cfg, "container `%s`: `%s` sets no lxc.rootfs.path", name, cfg);
	}
	/* command, ids, mounts */
	const char *init = cs_lxc_conf_get(&conf, "lxc.init.cmd");
	ct->path = cs_xstrdup(init && *init ? init : "/sbin/init");
	ct->args = cs_xcalloc(1, sizeof(char *));
	char **v = cs_lxc_conf_list(&conf, "lxc.idmap");
	for (char **x = v; *x; x++)
		add_idmap(ct, *x);
	cs_strv_free(v);
	ct->idmap.shifted = ct->idmap.n > 0;
	v = cs_lxc_conf_list(&conf, "lxc.mount.entry");
	for (char **x = v; *x; x++)
		add_mount(ct, *x);
	cs_strv_free(v);
	const char *arch = cs_lxc_conf_get(&conf, "lxc.arch");
	ct->platform = arch ? cs_xstrdup(arch) : NULL;
	/* logs: the configured ones, then the defaults */
	const char *lf = cs_lxc_conf_get(&conf, "lxc.log.file");
	if (lf && *lf) {
		_cleanup_free_ char *ev = map_host(c, lf);
		if (ev)
			add_log(c, ct, ev, "lxc", CS_LOG_LXC);
	}
	_cleanup_free_ char *own = cs_xasprintf("%s/%s.log", ct->dir, name);
	add_log(c, ct, own, "lxc", CS_LOG_LXC);
	if (c->sysroot && !c->user) {
		_cleanup_free_ char *def = cs_xasprintf("var/log/lxc/%s.log", name);
		add_log(c, ct, def, "lxc", CS_LOG_LXC);
	}
	const char *cl = cs_lxc_conf_get(&conf, "lxc.console.logfile");
	if (cl && *cl) {
		_cleanup_free_ char *ev = map_host(c, cl);
		if (ev)
			add_log(c, ct, ev, "console", CS_LOG_TEXT);
	}
	load_snapshots(c, ct);
	/* clones: lxc_snapshots (dependents) and lxc_rdepends (origin) */
	_cleanup_free_ char *deps = cs_path_join(ct->dir, "lxc_snapshots");
	_cleanup_free_ char *rdeps = cs_path_join(ct->dir, "lxc_rdepends");
	char *dtext = NULL, *rtext = NULL;
	(void)read_small(c, deps, &dtext);
	(void)read_small(c, rdeps, &rtext);
	if (rtext) {
		/* "<lxcpath>\n<origin>\n" */
		char *nl = strchr(rtext, '\n');
		char *origin = nl ? nl + 1 : NULL;
		if (origin) {
			origin[strcspn(origin, "\n")] = 0;
			ct->image_ref = cs_xasprintf("clone of %s", origin);
		}
	}
	size_t k = dr->n_containers - 1;
	c->confs[k] = conf;
	c->deps[k] = dtext;
	c->rdeps[k] = rtext;
}

/* Log files in var/log/lxc that no config names (lxc-start -o FILE):
 * attributed by the container name their lines carry. */
static void orphan_logs(lx_ctx *c)
{
	if (!c->sysroot || c->user)
		return;
	cs_dirent *d;
	size_t nd;
	if (cs_source_list(c->src, "var/log/lxc", &d, &nd, NULL) < 0)
		return;
	for (size_t i = 0; i < nd; i++) {
		_cleanup_free_ char *p = cs_path_join("var/log/lxc", d[i].name);
		if (cs_strmap_has(&c->claimed, p))
			continue;
		cs_file *f;
		if (cs_source_open(c->src, p, &f, NULL) < 0)
			continue;
		char head[1024];
		ssize_t n = cs_file_pread(f, head, sizeof(head) - 1, 0);
		cs_file_close(f);
		if (n <= 0)
			continue;
		head[n] = 0;
		size_t ln = strcspn(head, "\n");
		cs_log_record rec;
		if (cs_log_decode_lxc(head, ln, &rec, NULL) < 0)
			continue;
		for (size_t k = 0; k < c->dr->n_containers; k++) {
			cs_container *ct = &c->dr->containers[k];
			if (line_names(head, ln, ct->name)) {
				add_log(c, ct, p, "lxc", CS_LOG_LXC);
				lx_problem(c, ct, CS_NOTE, p,
					   "container `%s`: `%s` is a liblxc log no config names (lxc-start -o): "
					   "attributed by the container name in its lines",
					   ct->name, p);
				break;
			}
		}
	}
	cs_dirents_free(d, nd);
}

/* The lxcpath as the host knew it, from a rootfs spec `<lxcpath>/<name>/...`. */
static void infer_host_path(lx_ctx *c, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n && !c->host_path; i++) {
		_cleanup_free_ char *cfg = cs_xasprintf("%s%s%s/config", c->dr->path, *c->dr->path ? "/" : "",
							names[i]);
		char *text;
		size_t len;
		if (cs_source_read_file(c->src, cfg, CS_LXC_MAX_BYTES, &text, &len, NULL) < 0)
			continue;
		cs_lxc_conf conf = {0};
		cs_lxc_conf_parse(text, len, cfg, &conf);
		free(text);
		const char *rp = cs_lxc_conf_get(&conf, "lxc.rootfs.path");
		if (rp) {
			rootfs_spec s;
			parse_rootfs(rp, &s);
			_cleanup_free_ char *tail = cs_xasprintf("/%s/", names[i]);
			const char *hit = s.path ? strstr(s.path, tail) : NULL;
			if (hit && s.path[0] == '/')
				c->host_path = cs_xstrndup(s.path, (size_t)(hit - s.path));
			spec_free(&s);
		}
		cs_lxc_conf_clear(&conf);
	}
}

static char *user_of(cs_source *src, const char *host_path)
{
	/* ~/.local/share/lxc or ~/<anything>: the user whose home holds it */
	const char *m = strstr(host_path, "/.local/share/lxc");
	if (!m)
		return NULL;
	_cleanup_free_ char *home = cs_xstrndup(host_path, (size_t)(m - host_path));
	char *pw;
	size_t n;
	char *user = NULL;
	if (cs_source_read_file(src, "etc/passwd", 4 << 20, &pw, &n, NULL) == 0) {
		char *save = NULL;
		for (char *l = strtok_r(pw, "\n", &save); l && !user; l = strtok_r(NULL, "\n", &save)) {
			char *f[7] = {0};
			int k = 0;
			for (char *p = l; k < 7; k++) {
				f[k] = p;
				char *col = strchr(p, ':');
				if (!col)
					break;
				*col = 0;
				p = col + 1;
			}
			if (k >= 5 && f[5] && strcmp(f[5], home) == 0)
				user = cs_xstrdup(f[0]);
		}
		free(pw);
	}
	if (!user) {
		const char *b = strrchr(home, '/');
		user = cs_xstrdup(b ? b + 1 : home);
	}
	return user;
}

static int lxc_load(cs_source *src, const cs_load_opts *o, cs_dataroot **ret, cs_error *e)
{
	const char *path = o && o->path ? o->path : "";
	cs_stat st;
	int r = cs_source_stat(src, path, true, &st, e);
	if (r < 0) {
		cs_err_prefix(e, "lxcpath");
		return r;
	}
	if (!S_ISDIR(st.mode))
		return cs_err(e, -ENOTDIR, "lxcpath `%s`: not a directory", path);
	cs_dirent *d;
	size_t nd;
	if ((r = cs_source_list(src, path, &d, &nd, e)) < 0)
		return r;
	cs_dataroot *dr = cs_xcalloc(1, sizeof(*dr));
	dr->src = src;
	dr->path = cs_xstrdup(path);
	dr->engine = cs_engine_lxc.name;
	dr->ops = &cs_engine_lxc;
	lx_ctx c = {.src = src, .dr = dr, .diag = o ? o->diag : NULL, .diag_ud = o ? o->diag_userdata : NULL};
	if (o && o->host_path) {
		c.host_path = cs_xstrdup(o->host_path);
		c.sysroot = strcmp(path, o->host_path + strspn(o->host_path, "/")) == 0;
	}
	const char **names = cs_xcalloc(nd + 1, sizeof(char *));
	c.confs = cs_xcalloc(nd + 1, sizeof(*c.confs));
	c.deps = cs_xcalloc(nd + 1, sizeof(char *));
	c.rdeps = cs_xcalloc(nd + 1, sizeof(char *));
	size_t nn = 0;
	for (size_t i = 0; i < nd && nn < CS_LXC_MAX_CONTAINERS; i++) {
		_cleanup_free_ char *cfg = cs_xasprintf("%s%s%s/config", path, *path ? "/" : "", d[i].name);
		cs_stat cs;
		if (cs_source_stat(src, cfg, false, &cs, NULL) == 0 && S_ISREG(cs.mode))
			names[nn++] = d[i].name;
	}
	if (!c.host_path)
		infer_host_path(&c, names, nn);
	if (c.host_path)
		c.user = user_of(src, c.host_path);
	dr->host_path = cs_xstrdup(c.host_path);
	for (size_t i = 0; i < nn; i++)
		load_container(&c, names[i]);
	orphan_logs(&c);
	for (size_t i = 0; i < dr->n_containers; i++) {
		cs_container *ct = &dr->containers[i];
		ct->inspect_json = lx_inspect_json(&c, ct, &c.confs[i], c.deps[i], c.rdeps[i]);
		cs_lxc_conf_clear(&c.confs[i]);
		free(c.deps[i]);
		free(c.rdeps[i]);
	}
	free(c.confs);
	free(c.deps);
	free(c.rdeps);
	free(names);
	cs_dirents_free(d, nd);
	cs_dataroot_seal(dr);
	free(c.host_path);
	free(c.user);
	cs_strmap_free(&c.claimed, NULL);
	*ret = dr;
	return 0;
}

/* --- finding lxcpaths in a host filesystem --- */

static char *conf_lxcpath(cs_source *src, const char *path)
{
	char *text;
	size_t n;
	if (cs_source_read_file(src, path, 1 << 20, &text, &n, NULL) < 0)
		return NULL;
	cs_lxc_conf conf = {0};
	cs_lxc_conf_parse(text, n, path, &conf);
	free(text);
	const char *v = cs_lxc_conf_get(&conf, "lxc.lxcpath");
	char *r = v && v[0] == '/' ? cs_xstrdup(v) : NULL;
	cs_lxc_conf_clear(&conf);
	return r;
}

static void add_home(cs_source *src, cs_engine_roots *out, const char *home, const char *how)
{
	/* home is a host path ("/home/csx") */
	_cleanup_free_ char *rel = cs_xstrdup(home + strspn(home, "/"));
	_cleanup_free_ char *conf = cs_xasprintf("%s/.config/lxc/lxc.conf", rel);
	_cleanup_free_ char *lp = conf_lxcpath(src, conf);
	_cleanup_free_ char *host = lp ? cs_xstrdup(lp) : cs_xasprintf("%s/.local/share/lxc", home);
	_cleanup_free_ char *origin = lp ? cs_xasprintf("lxc.lxcpath in %s (%s)", conf, how)
					 : cs_xasprintf("the default user lxcpath (%s)", how);
	cs_engine_roots_add(out, &cs_engine_lxc, host + strspn(host, "/"), host, origin);
}

static int lxc_locate(cs_source *sysroot, cs_engine_roots *out, cs_error *e)
{
	(void)e;
	char *lp = conf_lxcpath(sysroot, "etc/lxc/lxc.conf");
	if (lp)
		cs_engine_roots_add(out, &cs_engine_lxc, lp + strspn(lp, "/"), lp, "lxc.lxcpath in etc/lxc/lxc.conf");
	else
		cs_engine_roots_add(out, &cs_engine_lxc, "var/lib/lxc", "/var/lib/lxc", "the default location");
	free(lp);
	/* unprivileged users: homes from etc/passwd, and every home/<user> */
	cs_strmap seen = {0};
	char *pw;
	size_t n;
	if (cs_source_read_file(sysroot, "etc/passwd", 4 << 20, &pw, &n, NULL) == 0) {
		char *save = NULL;
		for (char *l = strtok_r(pw, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
			char *f[7] = {0};
			int k = 0;
			for (char *p = l; k < 7; k++) {
				f[k] = p;
				char *col = strchr(p, ':');
				if (!col)
					break;
				*col = 0;
				p = col + 1;
			}
			if (k < 5 || !f[5] || f[5][0] != '/' || strcmp(f[5], "/") == 0 || cs_strmap_has(&seen, f[5]))
				continue;
			if (strcmp(f[0], "root") == 0)
				continue;
			cs_strmap_put(&seen, f[5], (void *)1);
			_cleanup_free_ char *how = cs_xasprintf("user %s in etc/passwd", f[0]);
			add_home(sysroot, out, f[5], how);
		}
		free(pw);
	}
	cs_dirent *d;
	size_t nd;
	if (cs_source_list(sysroot, "home", &d, &nd, NULL) == 0) {
		for (size_t i = 0; i < nd; i++) {
			_cleanup_free_ char *home = cs_xasprintf("/home/%s", d[i].name);
			if (cs_strmap_has(&seen, home))
				continue;
			cs_strmap_put(&seen, home, (void *)1);
			_cleanup_free_ char *how = cs_xasprintf("home/%s", d[i].name);
			add_home(sysroot, out, home, how);
		}
		cs_dirents_free(d, nd);
	}
	cs_strmap_free(&seen, NULL);
	return 0;
}

static int lxc_probe(cs_source *src, const char *path)
{
	cs_dirent *d;
	size_t nd;
	if (cs_source_list(src, path, &d, &nd, NULL) < 0)
		return 0;
	int bid = 0;
	for (size_t i = 0; i < nd && i < 4096 && !bid; i++) {
		_cleanup_free_ char *cfg = cs_xasprintf("%s%s%s/config", path, *path ? "/" : "", d[i].name);
		cs_stat st;
		if (cs_source_stat(src, cfg, false, &st, NULL) < 0 || !S_ISREG(st.mode) || st.size > (1 << 20))
			continue;
		/* a config that sets an lxc.* key */
		cs_file *f;
		if (cs_source_open(src, cfg, &f, NULL) < 0)
			continue;
		char buf[4096];
		ssize_t n = cs_file_pread(f, buf, sizeof(buf) - 1, 0);
		cs_file_close(f);
		if (n > 0) {
			buf[n] = 0;
			if (strstr(buf, "lxc.rootfs") || strstr(buf, "lxc.uts") || strstr(buf, "lxc.net") ||
			    strstr(buf, "lxc.include") || strstr(buf, "lxc.utsname"))
				bid = 70;
		}
	}
	cs_dirents_free(d, nd);
	return bid;
}

const cs_engine cs_engine_lxc = {
	.name = "lxc",
	.what = "LXC lxcpath",
	.probe = lxc_probe,
	.locate = lxc_locate,
	.load = lxc_load,
	.inspect = cs_lxc_inspect,
};
