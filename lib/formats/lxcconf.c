/* lxcconf.c - see lxcconf.h. */
#include "formats/lxcconf.h"

#include "base/strmap.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static void issue(cs_lxc_conf *c, cs_severity sev, const char *file, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void issue(cs_lxc_conf *c, cs_severity sev, const char *file, const char *fmt, ...)
{
	if (c->n_issues >= 10000)
		return;
	char msg[CS_ERRMSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cs_lxc_issue *x = CS_PUSH(c->issues, c->n_issues, c->cap_issues);
	x->severity = sev;
	x->file = cs_xstrdup(file);
	x->msg = cs_xstrdup(msg);
}

bool cs_lxc_key_is_list(const char *k)
{
	static const char *const lists[] = {
		"lxc.include", "lxc.mount.entry", "lxc.idmap", "lxc.cap.drop", "lxc.cap.keep",
		"lxc.environment", "lxc.group", "lxc.mount.auto", "lxc.apparmor.raw", "lxc.namespace.clone",
		"lxc.namespace.keep", "lxc.mount.fstab", "lxc.keyring.session",
	};
	for (size_t i = 0; i < CS_ARRAY_SIZE(lists); i++)
		if (strcmp(k, lists[i]) == 0)
			return true;
	if (cs_str_startswith(k, "lxc.hook.") && strcmp(k, "lxc.hook.version") != 0)
		return true;
	if (cs_str_startswith(k, "lxc.cgroup.") || cs_str_startswith(k, "lxc.cgroup2."))
		return !cs_str_startswith(k, "lxc.cgroup.dir") && strcmp(k, "lxc.cgroup.relative") != 0;
	if (cs_str_startswith(k, "lxc.net.") &&
	    (cs_str_endswith(k, ".ipv4.address") || cs_str_endswith(k, ".ipv6.address")))
		return true;
	return false;
}

/* Pre-2.1 names and their current ones. */
static const char *legacy_name(const char *k, char *buf, size_t n)
{
	static const char *const map[][2] = {
		{"lxc.rootfs", "lxc.rootfs.path"},     {"lxc.id_map", "lxc.idmap"},
		{"lxc.utsname", "lxc.uts.name"},        {"lxc.logfile", "lxc.log.file"},
		{"lxc.loglevel", "lxc.log.level"},      {"lxc.aa_profile", "lxc.apparmor.profile"},
		{"lxc.aa_allow_incomplete", "lxc.apparmor.allow_incomplete"},
		{"lxc.seccomp", "lxc.seccomp.profile"}, {"lxc.console", "lxc.console.path"},
		{"lxc.tty", "lxc.tty.max"},             {"lxc.pts", "lxc.pty.max"},
		{"lxc.init_cmd", "lxc.init.cmd"},       {"lxc.init_uid", "lxc.init.uid"},
		{"lxc.init_gid", "lxc.init.gid"},       {"lxc.haltsignal", "lxc.signal.halt"},
		{"lxc.stopsignal", "lxc.signal.stop"},  {"lxc.rebootsignal", "lxc.signal.reboot"},
		{"lxc.mount", "lxc.mount.fstab"},       {"lxc.rootfs.backend", "lxc.rootfs.backend"},
	};
	for (size_t i = 0; i < CS_ARRAY_SIZE(map); i++)
		if (strcmp(k, map[i][0]) == 0)
			return map[i][1];
	if (cs_str_startswith(k, "lxc.network.")) {
		/* lxc.network.N.x and the unnumbered lxc.network.x (one interface) */
		const char *rest = k + 12;
		if (rest[0] >= '0' && rest[0] <= '9')
			snprintf(buf, n, "lxc.net.%s", rest);
		else
			snprintf(buf, n, "lxc.net.0.%s", rest);
		return buf;
	}
	return NULL;
}

static void add_kv(cs_lxc_conf *c, const char *key, const char *value, const char *file, unsigned line)
{
	cs_lxc_kv *x = CS_PUSH(c->v, c->n, c->cap);
	x->key = cs_xstrdup(key);
	x->value = cs_xstrdup(value);
	x->file = cs_xstrdup(file);
	x->line = line;
}

typedef struct loader {
	cs_source *src;
	cs_lxc_map_fn map;
	void *map_ud;
	cs_lxc_conf *c;
	struct {
		uint64_t dev, ino;
	} stack[CS_LXC_MAX_INCLUDE_DEPTH + 1];
	int depth;
	size_t lines;
} loader;

static void load_file(loader *L, const char *path, const char *from_file, unsigned from_line);

static void include(loader *L, const char *value, const char *file, unsigned line)
{
	cs_lxc_conf *c = L->c;
	if (!*value)
		return;
	char *ev = L->map ? L->map(L->map_ud, value) : NULL;
	if (!ev) {
		issue(c, CS_NOTE, file, "`%s` line %u: lxc.include = %s: not in the evidence (not read)", file, line,
		      value);
		return;
	}
	cs_stat st;
	cs_error e = {0};
	if (cs_source_stat(L->src, ev, true, &st, &e) < 0) {
		issue(c, CS_NOTE, file, "`%s` line %u: lxc.include = %s: %s (not read)", file, line, value, e.msg);
		free(ev);
		return;
	}
	if (!S_ISDIR(st.mode)) {
		load_file(L, ev, file, line);
		free(ev);
		return;
	}
	cs_dirent *d;
	size_t nd;
	if (cs_source_list(L->src, ev, &d, &nd, &e) < 0) {
		issue(c, CS_WARN, ev, "`%s`: %s (included from `%s` line %u)", ev, e.msg, file, line);
		free(ev);
		return;
	}
	for (size_t i = 0; i < nd; i++) {
		if (!cs_str_endswith(d[i].name, ".conf"))
			continue;
		char *p = cs_path_join(ev, d[i].name);
		load_file(L, p, file, line);
		free(p);
	}
	cs_dirents_free(d, nd);
	free(ev);
}

/* Parses text; includes are followed when L is non-NULL. */
static void parse_text(cs_lxc_conf *c, loader *L, const char *text, size_t len, const char *file)
{
	unsigned lineno = 0;
	size_t pos = 0;
	while (pos < len) {
		const char *s = text + pos;
		const char *nl = memchr(s, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - s) : len - pos;
		pos += n + (nl ? 1 : 0);
		lineno++;
		if (L && ++L->lines > CS_LXC_MAX_LINES) {
			issue(c, CS_WARN, file, "`%s`: more than %d lines in the config and its includes: the rest "
						"is not read", file, CS_LXC_MAX_LINES);
			return;
		}
		while (n && (*s == ' ' || *s == '\t' || *s == '\r')) {
			s++;
			n--;
		}
		while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
			n--;
		if (n == 0 || *s == '#')
			continue;
		if (memchr(s, '\0', n)) {
			issue(c, CS_WARN, file, "`%s` line %u: holds a NUL byte: ignored", file, lineno);
			continue;
		}
		if (n < 4 || strncmp(s, "lxc.", 4) != 0) {
			issue(c, CS_NOTE, file, "`%s` line %u: `%.*s` is not an lxc.* setting: LXC ignores it", file,
			      lineno, (int)(n < 80 ? n : 80), s);
			continue;
		}
		const char *eq = memchr(s, '=', n);
		if (!eq) {
			issue(c, CS_WARN, file, "`%s` line %u: `%.*s` has no `=`: LXC refuses such a line; ignored",
			      file, lineno, (int)(n < 80 ? n : 80), s);
			continue;
		}
		size_t kl = (size_t)(eq - s);
		while (kl && (s[kl - 1] == ' ' || s[kl - 1] == '\t'))
			kl--;
		const char *v = eq + 1;
		size_t vl = n - (size_t)(v - s);
		while (vl && (*v == ' ' || *v == '\t')) {
			v++;
			vl--;
		}
		if (vl > 1 && (*v == '"' || *v == '\'') && v[vl - 1] == *v) {
			v++;
			vl -= 2;
		}
		char *key = cs_xstrndup(s, kl), *value = cs_xstrndup(v, vl);
		bool bad = kl <= 4;
		for (size_t i = 0; i < kl && !bad; i++)
			bad = !((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
				(s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == '_' || s[i] == '-');
		if (bad) {
			issue(c, CS_WARN, file, "`%s` line %u: `%s` is not a well-formed key: ignored", file, lineno, key);
			free(key);
			free(value);
			continue;
		}
		char buf[256];
		const char *cur = legacy_name(key, buf, sizeof(buf));
		if (cur && strcmp(cur, key) != 0) {
			issue(c, CS_NOTE, file, "`%s` line %u: `%s` is the pre-2.1 name of `%s`", file, lineno, key, cur);
			free(key);
			key = cs_xstrdup(cur);
		}
		add_kv(c, key, value, file, lineno);
		if (L && strcmp(key, "lxc.include") == 0)
			include(L, value, file, lineno);
		free(key);
		free(value);
	}
}

static void load_file(loader *L, const char *path, const char *from_file, unsigned from_line)
{
	cs_lxc_conf *c = L->c;
	cs_stat st;
	cs_error e = {0};
	if (cs_source_stat(L->src, path, true, &st, &e) < 0) {
		issue(c, CS_NOTE, path, "`%s`: %s (included from `%s` line %u)", path, e.msg, from_file, from_line);
		return;
	}
	for (int i = 0; i < L->depth; i++)
		if (L->stack[i].dev == st.dev && L->stack[i].ino == st.ino) {
			issue(c, CS_WARN, path, "`%s`: include loop (included again from `%s` line %u): not read again",
			      path, from_file, from_line);
			return;
		}
	if (L->depth >= CS_LXC_MAX_INCLUDE_DEPTH) {
		issue(c, CS_WARN, path, "`%s`: includes nested deeper than %d (from `%s` line %u): not read", path,
		      CS_LXC_MAX_INCLUDE_DEPTH, from_file, from_line);
		return;
	}
	if (c->n_files >= CS_LXC_MAX_FILES) {
		issue(c, CS_WARN, path, "`%s`: more than %d files included: not read", path, CS_LXC_MAX_FILES);
		return;
	}
	if (c->bytes >= CS_LXC_MAX_BYTES) {
		issue(c, CS_WARN, path, "`%s`: the config and its includes exceed %zu MiB: not read", path,
		      CS_LXC_MAX_BYTES >> 20);
		return;
	}
	char *text;
	size_t n;
	if (cs_source_read_file(L->src, path, CS_LXC_MAX_BYTES - c->bytes, &text, &n, &e) < 0) {
		issue(c, CS_WARN, path, "`%s`: %s (included from `%s` line %u)", path, e.msg, from_file, from_line);
		return;
	}
	c->bytes += n;
	*CS_PUSH(c->files, c->n_files, c->cap_files) = cs_xstrdup(path);
	c->files[c->n_files] = NULL;
	L->stack[L->depth].dev = st.dev;
	L->stack[L->depth].ino = st.ino;
	L->depth++;
	parse_text(c, L, text, n, path);
	L->depth--;
	free(text);
}

typedef struct rep {
	size_t first, last, times;
} rep;

static void report_repeats(cs_lxc_conf *c)
{
	/* one pass with a map, so a hostile file of many lines costs linear time */
	cs_strmap m = {0};
	size_t *order = NULL, n_order = 0, cap_order = 0;
	for (size_t i = 0; i < c->n; i++) {
		const char *k = c->v[i].key;
		if (cs_lxc_key_is_list(k))
			continue;
		rep *x = cs_strmap_get(&m, k);
		if (!x) {
			x = cs_xcalloc(1, sizeof(*x));
			x->first = i;
			cs_strmap_put(&m, k, x);
			*CS_PUSH(order, n_order, cap_order) = i;
		}
		x->last = i;
		x->times++;
	}
	for (size_t j = 0; j < n_order; j++) {
		const cs_lxc_kv *x = &c->v[order[j]];
		const rep *r = cs_strmap_get(&m, x->key);
		if (r->times < 2)
			continue;
		const cs_lxc_kv *last = &c->v[r->last];
		issue(c, CS_WARN, x->file, "`%s` line %u: `%s` is set %zu times; LXC uses the last (`%s` line %u: `%s`)",
		      x->file, x->line, x->key, r->times, last->file, last->line, last->value);
	}
	free(order);
	cs_strmap_free(&m, free);
}

int cs_lxc_conf_load(cs_source *src, const char *path, cs_lxc_map_fn map, void *map_ud, cs_lxc_conf *c,
		     cs_error *e)
{
	memset(c, 0, sizeof(*c));
	cs_stat st;
	int r = cs_source_stat(src, path, true, &st, e);
	if (r < 0)
		return r;
	if (!S_ISREG(st.mode))
		return cs_err(e, -EINVAL, "`%s` is not a regular file", path);
	loader L = {.src = src, .map = map, .map_ud = map_ud, .c = c};
	char *text;
	size_t n;
	r = cs_source_read_file(src, path, CS_LXC_MAX_BYTES, &text, &n, e);
	if (r < 0)
		return r;
	c->bytes = n;
	*CS_PUSH(c->files, c->n_files, c->cap_files) = cs_xstrdup(path);
	c->files[c->n_files] = NULL;
	L.stack[0].dev = st.dev;
	L.stack[0].ino = st.ino;
	L.depth = 1;
	parse_text(c, &L, text, n, path);
	free(text);
	report_repeats(c);
	return 0;
}

void cs_lxc_conf_parse(const char *text, size_t len, const char *file, cs_lxc_conf *c)
{
	parse_text(c, NULL, text, len, file);
	report_repeats(c);
}

void cs_lxc_conf_clear(cs_lxc_conf *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].key);
		free(c->v[i].value);
		free(c->v[i].file);
	}
	free(c->v);
	for (size_t i = 0; i < c->n_files; i++)
		free(c->files[i]);
	free(c->files);
	for (size_t i = 0; i < c->n_issues; i++) {
		free(c->issues[i].file);
		free(c->issues[i].msg);
	}
	free(c->issues);
	memset(c, 0, sizeof(*c));
}

const cs_lxc_kv *cs_lxc_conf_entry(const cs_lxc_conf *c, const char *key)
{
	for (size_t i = c->n; i-- > 0;)
		if (strcmp(c->v[i].key, key) == 0)
			return &c->v[i];
	return NULL;
}

const char *cs_lxc_conf_get(const cs_lxc_conf *c, const char *key)
{
	const cs_lxc_kv *x = cs_lxc_conf_entry(c, key);
	return x ? x->value : NULL;
}

char **cs_lxc_conf_list(const cs_lxc_conf *c, const char *key)
{
	char **v = NULL;
	size_t n = 0, cap = 0;
	*CS_PUSH(v, n, cap) = NULL;
	n = 0;
	for (size_t i = 0; i < c->n; i++) {
		if (strcmp(c->v[i].key, key) != 0)
			continue;
		if (!*c->v[i].value && strcmp(key, "lxc.include") != 0) {
			for (size_t k = 0; k < n; k++)
				free(v[k]);
			n = 0;
			continue;
		}
		if (strcmp(key, "lxc.cap.drop") == 0 || strcmp(key, "lxc.cap.keep") == 0) {
			/* LXC takes each blank-separated word as one capability */
			char *dup = cs_xstrdup(c->v[i].value), *save = NULL;
			for (char *t = strtok_r(dup, " \t", &save); t; t = strtok_r(NULL, " \t", &save))
				*CS_PUSH(v, n, cap) = cs_xstrdup(t);
			free(dup);
			continue;
		}
		*CS_PUSH(v, n, cap) = cs_xstrdup(c->v[i].value);
	}
	*CS_PUSH(v, n, cap) = NULL;
	return v;
}

char **cs_lxc_conf_keys(const cs_lxc_conf *c, const char *prefix)
{
	char **v = NULL;
	size_t n = 0, cap = 0;
	for (size_t i = 0; i < c->n; i++) {
		if (!cs_str_startswith(c->v[i].key, prefix))
			continue;
		bool seen = false;
		for (size_t k = 0; k < n && !seen; k++)
			seen = strcmp(v[k], c->v[i].key) == 0;
		if (!seen)
			*CS_PUSH(v, n, cap) = cs_xstrdup(c->v[i].key);
	}
	*CS_PUSH(v, n, cap) = NULL;
	return v;
}
