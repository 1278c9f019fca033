/* lxd.c - the LXD / Incus reader.
 *
 * Load: rebuild the global database (raft log replayed in memory; a plain
 * `lxd.db` of LXD 2.x opened in memory too), read projects, profiles,
 * instances with their config, devices, profiles and snapshots, images,
 * storage pools; expand each instance's config and devices the way LXD
 * does (profiles in their order, then the instance's own); locate its
 * filesystem in its pool; read its backup.yaml and report where it
 * disagrees with the database; attach its logs. The status is what LXD
 * last recorded (volatile.last_state.power): an instance recorded RUNNING
 * was running when the host went down.
 *
 * Each item is built as the engine's API would show it (a json-c object:
 * name, project, status, config, devices, expanded_*, profiles, times in
 * Go's RFC 3339 with trimmed fraction), which is also what `inspect` shows,
 * with a Csleuth object naming the evidence behind it.
 */
#include "engines/lxd/lxd.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "base/strmap.h"
#include "formats/dqlite.h"
#include "formats/jsonutil.h"
#include "formats/sqlite_image.h"
#include "formats/yamldoc.h"
#include "logs/logs.h"
#include "render/render_internal.h"

typedef struct ld_ctx {
	cs_source *src;
	cs_dataroot *dr;
	cs_diag_fn diag;
	void *diag_ud;
	const char *engine; /* "lxd" or "incus" */
	sqlite3 *db;
	char *db_file;      /* what the database was rebuilt from */
	cs_strmap projects; /* "<id>" -> char* name */
	cs_strmap profiles; /* "<id>" -> json object */
	cs_strmap pdev;     /* "<profile device id>" -> json object (borrowed) */
	cs_strmap insts;    /* "<id>" -> json object */
	cs_strmap idev;     /* "<instance device id>" -> json object (borrowed) */
	cs_strmap snaps;    /* "<snapshot id>" -> json object (borrowed) */
	cs_strmap images;   /* "<id>" -> json object */
	cs_strmap pools;    /* "<id>" -> json object */
	cs_strmap nodes;    /* "<id>" -> char* name */
	json_object *local;      /* database/local.db: its config table, or NULL */
	json_object *inst_order; /* ids, in rowid order */
	json_object *image_order;
	bool listing; /* cs_load_opts.listing: no image files, snapshot trees or logs looked for */
} ld_ctx;

static void ld_problem(ld_ctx *c, cs_problems *p, cs_severity sev, const char *file, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static void ld_problem(ld_ctx *c, cs_problems *p, cs_severity sev, const char *file, const char *fmt, ...)
{
	char msg[CS_ERRMSG_MAX + 512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cs_problems_add(p ? p : &c->dr->problems, file, msg);
	if (sev == CS_WARN)
		c->dr->n_warnings++;
	if (c->diag) {
		cs_diag d = {.severity = sev, .file = file, .msg = msg};
		c->diag(c->diag_ud, &d);
	}
}

static void on_diag(void *ud, const cs_diag *d)
{
	ld_ctx *c = ud;
	ld_problem(c, NULL, d->severity, d->file, "%s", d->msg);
}

static char *ld_path(ld_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *ld_path(ld_ctx *c, const char *fmt, ...)
{
	va_list ap;
	char *rel = NULL;
	va_start(ap, fmt);
	if (vasprintf(&rel, fmt, ap) < 0)
		abort();
	va_end(ap);
	char *p = cs_path_join(c->dr->path, rel);
	free(rel);
	return p;
}

/* --- times --- */

/* A DATETIME as dqlite keeps it: Go's "2006-01-02 15:04:05.999999999-07:00". */
static cs_time db_time(const char *s)
{
	if (!s || !*s)
		return CS_TIME_NEVER;
	char buf[64];
	size_t n = strlen(s);
	if (n >= sizeof(buf) - 2)
		return CS_TIME_INVALID;
	memcpy(buf, s, n + 1);
	if (n > 10 && buf[10] == ' ')
		buf[10] = 'T';
	/* no zone: UTC */
	const char *t = strchr(buf, 'T');
	if (t && !strchr(t, 'Z') && !strchr(t, '+') && !strchr(t + 1, '-'))
		memcpy(buf + n, "Z", 2);
	cs_time v;
	if (cs_time_parse(buf, &v) < 0) {
		int64_t secs;
		if (cs_parse_i64(s, &secs) == 0)
			return cs_time_from_parts(secs, 0);
		return CS_TIME_INVALID;
	}
	return v;
}

/* The engine's API text of a time: Go's RFC 3339, fraction trimmed. */
static json_object *api_time(cs_time t)
{
	char b[CS_TIME_STRMAX];
	if (t == CS_TIME_NEVER)
		return json_object_new_string("0001-01-01T00:00:00Z");
	if (!cs_time_format_go(t, b))
		return NULL;
	return json_object_new_string(b);
}

static const char *arch_name(int64_t a)
{
	/* lxd shared/osarch */
	static const char *const names[] = {"unknown", "i686", "x86_64", "armv7l", "aarch64", "ppc",
					    "ppc64", "ppc64le", "s390x", "mips", "mips64", "riscv32",
					    "riscv64", "armv6l", "armv8l", "loongarch64"};
	return a >= 0 && (size_t)a < CS_ARRAY_SIZE(names) ? names[a] : "unknown";
}

static const char *device_type(int64_t t)
{
	static const char *const names[] = {"none", "nic", "disk", "unix-char", "unix-block", "usb",
					    "gpu", "infiniband", "proxy", "unix-hotplug", "tpm", "pci"};
	return t >= 0 && (size_t)t < CS_ARRAY_SIZE(names) ? names[t] : "none";
}

/* --- reading tables --- */

/* json-c asserts on the wrong type: every array and object from the
 * evidence is checked first (backup.yaml is the attacker's). */
static size_t arr_len(json_object *a)
{
	return json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
}

static json_object *as_obj(json_object *o)
{
	static json_object *empty;
	if (json_object_is_type(o, json_type_object))
		return o;
	if (!empty)
		empty = json_object_new_object();
	return empty;
}

static char *idkey(int64_t id)
{
	return cs_xasprintf("%lld", (long long)id);
}

static json_object *by_id(cs_strmap *m, int64_t id)
{
	_cleanup_free_ char *k = idkey(id);
	return cs_strmap_get(m, k);
}

static void put_str(json_object *o, const char *key, const char *v)
{
	json_object_object_add(o, key, json_object_new_string(v ? v : ""));
}

typedef struct q {
	ld_ctx *c;
	int kind;
} q;

enum {
	Q_PROJECTS, Q_PROFILES, Q_PROFILE_CONFIG, Q_PROFILE_DEVICES, Q_PROFILE_DEVCONF, Q_INSTANCES,
	Q_INST_CONFIG, Q_INST_DEVICES, Q_INST_DEVCONF, Q_INST_PROFILES, Q_SNAPSHOTS, Q_SNAP_CONFIG,
	Q_IMAGES, Q_IMG_ALIASES, Q_IMG_PROPS, Q_POOLS, Q_POOL_CONFIG, Q_NODES,
};

static void map_put(cs_strmap *m, int64_t id, void *v)
{
	char *k = idkey(id);
	cs_strmap_put(m, k, v);
	free(k);
}

static json_object *obj_member(json_object *o, const char *key)
{
	json_object *v = cs_json_get(o, key);
	if (!v) {
		v = json_object_new_object();
		json_object_object_add(o, key, v);
	}
	return v;
}

static int on_row(void *ud, sqlite3_stmt *row)
{
	q *x = ud;
	ld_ctx *c = x->c;
	int64_t id = cs_sqlite_int(row, "id", -1);
	const char *name = cs_sqlite_text(row, "name");
	const char *key = cs_sqlite_text(row, "key"), *value = cs_sqlite_text(row, "value");
	json_object *o = NULL, *parent = NULL;
	switch (x->kind) {
	case Q_PROJECTS:
		map_put(&c->projects, id, cs_xstrdup(name ? name : ""));
		break;
	case Q_NODES:
		map_put(&c->nodes, id, cs_xstrdup(name ? name : ""));
		break;
	case Q_PROFILES:
		o = json_object_new_object();
		put_str(o, "name", name);
		put_str(o, "description", cs_sqlite_text(row, "description"));
		json_object_object_add(o, "project_id", json_object_new_int64(cs_sqlite_int(row, "project_id", 1)));
		json_object_object_add(o, "config", json_object_new_object());
		json_object_object_add(o, "devices", json_object_new_object());
		map_put(&c->profiles, id, o);
		break;
	case Q_PROFILE_CONFIG:
	case Q_INST_CONFIG:
	case Q_SNAP_CONFIG:
	case Q_POOL_CONFIG:
		parent = x->kind == Q_PROFILE_CONFIG ? by_id(&c->profiles, cs_sqlite_int(row, "profile_id", -1))
			 : x->kind == Q_INST_CONFIG  ? by_id(&c->insts, cs_sqlite_int(row, "instance_id", -1))
			 : x->kind == Q_SNAP_CONFIG  ? by_id(&c->snaps, cs_sqlite_int(row, "instance_snapshot_id", -1))
						     : by_id(&c->pools, cs_sqlite_int(row, "storage_pool_id", -1));
		if (parent && key)
			json_object_object_add(obj_member(parent, "config"), key,
					       json_object_new_string(value ? value : ""));
		break;
	case Q_PROFILE_DEVICES:
	case Q_INST_DEVICES:
		parent = by_id(x->kind == Q_PROFILE_DEVICES ? &c->profiles : &c->insts,
			       cs_sqlite_int(row, x->kind == Q_PROFILE_DEVICES ? "profile_id" : "instance_id", -1));
		if (parent && name) {
			o = json_object_new_object();
			put_str(o, "type", device_type(cs_sqlite_int(row, "type", 0)));
			json_object_object_add(obj_member(parent, "devices"), name, o);
			map_put(x->kind == Q_PROFILE_DEVICES ? &c->pdev : &c->idev, id, o);
		}
		break;
	case Q_PROFILE_DEVCONF:
	case Q_INST_DEVCONF:
		parent = x->kind == Q_PROFILE_DEVCONF ? by_id(&c->pdev, cs_sqlite_int(row, "profile_device_id", -1))
						      : by_id(&c->idev, cs_sqlite_int(row, "instance_device_id", -1));
		if (parent && key)
			json_object_object_add(parent, key, json_object_new_string(value ? value : ""));
		break;
	case Q_INSTANCES:
		o = json_object_new_object();
		put_str(o, "name", name);
		json_object_object_add(o, "id", json_object_new_int64(id));
		json_object_object_add(o, "project_id", json_object_new_int64(cs_sqlite_int(row, "project_id", 1)));
		json_object_object_add(o, "node_id", json_object_new_int64(cs_sqlite_int(row, "node_id", 1)));
		json_object_object_add(o, "arch", json_object_new_int64(cs_sqlite_int(row, "architecture", 0)));
		json_object_object_add(o, "itype", json_object_new_int64(cs_sqlite_int(row, "type", 0)));
		json_object_object_add(o, "ephemeral", json_object_new_boolean(cs_sqlite_int(row, "ephemeral", 0)));
		json_object_object_add(o, "stateful", json_object_new_boolean(cs_sqlite_int(row, "stateful", 0)));
		put_str(o, "description", cs_sqlite_text(row, "description"));
		put_str(o, "creation_date", cs_sqlite_text(row, "creation_date"));
		put_str(o, "last_use_date", cs_sqlite_text(row, "last_use_date"));
		put_str(o, "expiry_date", cs_sqlite_text(row, "expiry_date"));
		json_object_object_add(o, "config", json_object_new_object());
		json_object_object_add(o, "devices", json_object_new_object());
		json_object_object_add(o, "profile_ids", json_object_new_array());
		json_object_object_add(o, "snapshots", json_object_new_array());
		map_put(&c->insts, id, o);
		json_object_array_add(c->inst_order, json_object_new_int64(id));
		break;
	case Q_INST_PROFILES:
		parent = by_id(&c->insts, cs_sqlite_int(row, "instance_id", -1));
		if (parent)
			json_object_array_add(cs_json_get(parent, "profile_ids"),
					      json_object_new_int64(cs_sqlite_int(row, "profile_id", -1)));
		break;
	case Q_SNAPSHOTS:
		parent = by_id(&c->insts, cs_sqlite_int(row, "instance_id", -1));
		if (parent) {
			o = json_object_new_object();
			put_str(o, "name", name);
			put_str(o, "creation_date", cs_sqlite_text(row, "creation_date"));
			put_str(o, "expiry_date", cs_sqlite_text(row, "expiry_date"));
			put_str(o, "description", cs_sqlite_text(row, "description"));
			json_object_object_add(o, "stateful", json_object_new_boolean(cs_sqlite_int(row, "stateful", 0)));
			json_object_object_add(o, "config", json_object_new_object());
			json_object_array_add(cs_json_get(parent, "snapshots"), o);
			map_put(&c->snaps, id, o);
		}
		break;
	case Q_IMAGES:
		o = json_object_new_object();
		put_str(o, "fingerprint", cs_sqlite_text(row, "fingerprint"));
		put_str(o, "filename", cs_sqlite_text(row, "filename"));
		json_object_object_add(o, "size", json_object_new_int64(cs_sqlite_int(row, "size", -1)));
		json_object_object_add(o, "public", json_object_new_boolean(cs_sqlite_int(row, "public", 0)));
		json_object_object_add(o, "cached", json_object_new_boolean(cs_sqlite_int(row, "cached", 0)));
		json_object_object_add(o, "auto_update", json_object_new_boolean(cs_sqlite_int(row, "auto_update", 0)));
		json_object_object_add(o, "arch", json_object_new_int64(cs_sqlite_int(row, "architecture", 0)));
		json_object_object_add(o, "itype", json_object_new_int64(cs_sqlite_int(row, "type", 0)));
		json_object_object_add(o, "project_id", json_object_new_int64(cs_sqlite_int(row, "project_id", 1)));
		put_str(o, "creation_date", cs_sqlite_text(row, "creation_date"));
		put_str(o, "expiry_date", cs_sqlite_text(row, "expiry_date"));
		put_str(o, "upload_date", cs_sqlite_text(row, "upload_date"));
		put_str(o, "last_use_date", cs_sqlite_text(row, "last_use_date"));
		json_object_object_add(o, "aliases", json_object_new_array());
		json_object_object_add(o, "properties", json_object_new_object());
		map_put(&c->images, id, o);
		json_object_array_add(c->image_order, json_object_new_int64(id));
		break;
	case Q_IMG_ALIASES:
		parent = by_id(&c->images, cs_sqlite_int(row, "image_id", -1));
		if (parent && name) {
			o = json_object_new_object();
			put_str(o, "name", name);
			put_str(o, "description", cs_sqlite_text(row, "description"));
			json_object_array_add(cs_json_get(parent, "aliases"), o);
		}
		break;
	case Q_IMG_PROPS:
		parent = by_id(&c->images, cs_sqlite_int(row, "image_id", -1));
		if (parent && key)
			json_object_object_add(cs_json_get(parent, "properties"), key,
					       json_object_new_string(value ? value : ""));
		break;
	case Q_POOLS:
		o = json_object_new_object();
		put_str(o, "name", name);
		put_str(o, "driver", cs_sqlite_text(row, "driver"));
		put_str(o, "description", cs_sqlite_text(row, "description"));
		json_object_object_add(o, "config", json_object_new_object());
		map_put(&c->pools, id, o);
		break;
	default:
		break;
	}
	return 0;
}

static void read_table(ld_ctx *c, int kind, const char *table, const char *order, bool required)
{
	if (!cs_sqlite_has_table(c->db, table)) {
		if (required)
			ld_problem(c, NULL, CS_WARN, c->db_file, "`%s`: the database has no table `%s`", c->db_file,
				   table);
		return;
	}
	_cleanup_free_ char *sql = cs_xasprintf("SELECT * FROM \"%s\" ORDER BY %s", table, order);
	q x = {.c = c, .kind = kind};
	cs_error e = {0};
	if (cs_sqlite_each(c->db, sql, on_row, &x, &e) < 0)
		ld_problem(c, NULL, CS_WARN, c->db_file, "`%s`: table `%s`: %s (its rows are missing or incomplete)",
			   c->db_file, table, e.msg);
}

static void read_db(ld_ctx *c)
{
	read_table(c, Q_PROJECTS, "projects", "id", false);
	read_table(c, Q_NODES, "nodes", "id", false);
	read_table(c, Q_POOLS, "storage_pools", "id", false);
	read_table(c, Q_POOL_CONFIG, "storage_pools_config", "id", false);
	read_table(c, Q_PROFILES, "profiles", "id", false);
	read_table(c, Q_PROFILE_CONFIG, "profiles_config", "id", false);
	read_table(c, Q_PROFILE_DEVICES, "profiles_devices", "id", false);
	read_table(c, Q_PROFILE_DEVCONF, "profiles_devices_config", "id", false);
	/* LXD 3.x called instances containers */
	bool old = !cs_sqlite_has_table(c->db, "instances") && cs_sqlite_has_table(c->db, "containers");
	read_table(c, Q_INSTANCES, old ? "containers" : "instances", "id", true);
	if (old) {
		ld_problem(c, NULL, CS_NOTE, c->db_file, "`%s`: an older schema (containers tables)", c->db_file);
		return;
	}
	read_table(c, Q_INST_CONFIG, "instances_config", "id", false);
	read_table(c, Q_INST_DEVICES, "instances_devices", "id", false);
	read_table(c, Q_INST_DEVCONF, "instances_devices_config", "id", false);
	read_table(c, Q_INST_PROFILES, "instances_profiles", "instance_id, apply_order", false);
	read_table(c, Q_SNAPSHOTS, "instances_snapshots", "id", false);
	read_table(c, Q_SNAP_CONFIG, "instances_snapshots_config", "id", false);
	read_table(c, Q_IMAGES, "images", "id", false);
	read_table(c, Q_IMG_ALIASES, "images_aliases", "id", false);
	read_table(c, Q_IMG_PROPS, "images_properties", "id", false);
}

/* Rebuilds the global database. Returns true if c->db is open. */
static bool open_db(ld_ctx *c)
{
	_cleanup_free_ char *gdir = ld_path(c, "database/global");
	cs_pageimg img;
	cs_dqlite_info info;
	cs_error e = {0};
	if (cs_source_exists(c->src, gdir)) {
		int r = cs_dqlite_replay(c->src, gdir, "db.bin", CS_DQLITE_AUTO, &img, &info, on_diag, c, &e);
		if (r == 0) {
			r = cs_sqlite_open_image(&img, &c->db, &e);
			cs_pageimg_free(&img);
			if (r == 0) {
				c->db_file = info.snapshot_file
						     ? cs_xasprintf("%s (raft log from snapshot %s, to entry %llu)", gdir,
								    info.snapshot_file,
								    (unsigned long long)info.last_applied)
						     : cs_xasprintf("%s (raft log, entries %llu to %llu)", gdir,
								    (unsigned long long)info.first_index,
								    (unsigned long long)info.last_applied);
				cs_dqlite_info_clear(&info);
				return true;
			}
			cs_dqlite_info_clear(&info);
		}
		ld_problem(c, NULL, CS_WARN, gdir, "global database `%s`: %s; instances are read from their "
						   "backup.yaml files",
			   gdir, e.msg);
		return false;
	}
	/* LXD 2.x: one SQLite file */
	_cleanup_free_ char *old = ld_path(c, "lxd.db");
	char *m = NULL, *w = NULL, *j = NULL;
	size_t mn = 0, wn = 0, jn = 0;
	if (cs_source_read_file(c->src, old, CS_LXD_MAX_LOCALDB, &m, &mn, &e) < 0)
		return false;
	_cleanup_free_ char *pw = cs_xasprintf("%s-wal", old), *pj = cs_xasprintf("%s-journal", old);
	(void)cs_source_read_file(c->src, pw, CS_LXD_MAX_LOCALDB, &w, &wn, NULL);
	(void)cs_source_read_file(c->src, pj, CS_LXD_MAX_LOCALDB, &j, &jn, NULL);
	char *warn = NULL;
	int r = cs_sqlite_open_bytes(old, m, mn, w, wn, j, jn, &c->db, NULL, &warn, &e);
	free(m);
	free(w);
	free(j);
	if (warn)
		ld_problem(c, NULL, CS_NOTE, old, "%s", warn);
	free(warn);
	if (r < 0) {
		ld_problem(c, NULL, CS_WARN, old, "%s", e.msg);
		return false;
	}
	c->db_file = cs_xstrdup(old);
	return true;
}

/* database/local.db (+ -wal, hot -journal): the node's own settings. */
static int local_row(void *ud, sqlite3_stmt *row)
{
	json_object *o = ud;
	const char *k = cs_sqlite_text(row, "key"), *v = cs_sqlite_text(row, "value");
	if (k)
		json_object_object_add(o, k, json_object_new_string(v ? v : ""));
	return 0;
}

static void read_local(ld_ctx *c)
{
	_cleanup_free_ char *p = ld_path(c, "database/local.db");
	_cleanup_free_ char *pw = cs_xasprintf("%s-wal", p), *pj = cs_xasprintf("%s-journal", p);
	char *m = NULL, *w = NULL, *j = NULL;
	size_t mn = 0, wn = 0, jn = 0;
	cs_error e = {0};
	if (cs_source_read_file(c->src, p, CS_LXD_MAX_LOCALDB, &m, &mn, &e) < 0) {
		if (e.code != -ENOENT)
			ld_problem(c, NULL, CS_WARN, p, "`%s`: %s", p, e.msg);
		return;
	}
	(void)cs_source_read_file(c->src, pw, CS_LXD_MAX_LOCALDB, &w, &wn, NULL);
	(void)cs_source_read_file(c->src, pj, CS_LXD_MAX_LOCALDB, &j, &jn, NULL);
	sqlite3 *db;
	char *warn = NULL;
	int r = cs_sqlite_open_bytes(p, m, mn, w, wn, j, jn, &db, NULL, &warn, &e);
	free(m);
	free(w);
	free(j);
	if (warn)
		ld_problem(c, NULL, CS_NOTE, p, "%s", warn);
	free(warn);
	if (r < 0) {
		ld_problem(c, NULL, CS_WARN, p, "%s", e.msg);
		return;
	}
	c->local = json_object_new_object();
	if (cs_sqlite_has_table(db, "config") &&
	    cs_sqlite_each(db, "SELECT * FROM config ORDER BY id", local_row, c->local, &e) < 0)
		ld_problem(c, NULL, CS_WARN, p, "`%s`: table `config`: %s", p, e.msg);
	sqlite3_close(db);
}

/* --- instances, as the API shows them --- */

static const char *project_name(ld_ctx *c, int64_t id)
{
	char *k = idkey(id);
	const char *n = cs_strmap_get(&c->projects, k);
	free(k);
	return n ? n : "default";
}

static json_object *deep(json_object *o)
{
	json_object *d = NULL;
	if (!o || json_object_deep_copy(o, &d, NULL) != 0)
		return json_object_new_object();
	return d;
}

static void merge_into(json_object *dst, json_object *src)
{
	json_object_object_foreach(as_obj(src), k, v)
	{
		json_object *d = NULL;
		if (json_object_deep_copy(v, &d, NULL) == 0)
			json_object_object_add(dst, k, d);
	}
}

/* The API object of a database instance. */
static json_object *api_instance(ld_ctx *c, json_object *in)
{
	json_object *a = json_object_new_object();
	json_object *cfg = cs_json_get(in, "config"), *dev = cs_json_get(in, "devices");
	json_object *exp_cfg = json_object_new_object(), *exp_dev = json_object_new_object();
	json_object *profs = json_object_new_array();
	json_object *pids = cs_json_get(in, "profile_ids");
	for (size_t i = 0; i < arr_len(pids); i++) {
		json_object *p = by_id(&c->profiles, json_object_get_int64(json_object_array_get_idx(pids, i)));
		if (!p)
			continue;
		json_object_array_add(profs, json_object_new_string(cs_json_str(p, "name")));
		merge_into(exp_cfg, cs_json_get(p, "config"));
		merge_into(exp_dev, cs_json_get(p, "devices"));
	}
	merge_into(exp_cfg, cfg);
	merge_into(exp_dev, dev);
	const char *power = cs_json_str(cfg, "volatile.last_state.power");
	bool running = power && strcmp(power, "RUNNING") == 0;
	cs_time created = db_time(cs_json_str(in, "creation_date"));
	cs_time used = db_time(cs_json_str(in, "last_use_date"));
	json_object_object_add(a, "architecture", json_object_new_string(arch_name(cs_json_i64(in, "arch", 0))));
	json_object_object_add(a, "config", deep(cfg));
	json_object_object_add(a, "created_at", api_time(created));
	json_object_object_add(a, "description", json_object_new_string(cs_json_str(in, "description")));
	json_object_object_add(a, "devices", deep(dev));
	json_object_object_add(a, "ephemeral", json_object_new_boolean(cs_json_bool(in, "ephemeral")));
	json_object_object_add(a, "expanded_config", exp_cfg);
	json_object_object_add(a, "expanded_devices", exp_dev);
	json_object_object_add(a, "last_used_at", api_time(used));
	char *nk = idkey(cs_json_i64(in, "node_id", 1));
	const char *node = cs_strmap_get(&c->nodes, nk);
	free(nk);
	json_object_object_add(a, "location", json_object_new_string(node ? node : "none"));
	json_object_object_add(a, "name", json_object_new_string(cs_json_str(in, "name")));
	json_object_object_add(a, "profiles", profs);
	json_object_object_add(a, "project", json_object_new_string(project_name(c, cs_json_i64(in, "project_id", 1))));
	json_object_object_add(a, "stateful", json_object_new_boolean(cs_json_bool(in, "stateful")));
	json_object_object_add(a, "status", json_object_new_string(running ? "Running" : "Stopped"));
	json_object_object_add(a, "status_code", json_object_new_int(running ? 103 : 102));
	json_object_object_add(a, "type",
			       json_object_new_string(cs_json_i64(in, "itype", 0) == 1 ? "virtual-machine" : "container"));
	json_object *snaps = json_object_new_array(), *sv = cs_json_get(in, "snapshots");
	for (size_t i = 0; i < arr_len(sv); i++) {
		json_object *s = json_object_array_get_idx(sv, i), *x = json_object_new_object();
		json_object_object_add(x, "name", json_object_new_string(cs_json_str(s, "name")));
		json_object_object_add(x, "created_at", api_time(db_time(cs_json_str(s, "creation_date"))));
		json_object_object_add(x, "expires_at", api_time(db_time(cs_json_str(s, "expiry_date"))));
		json_object_object_add(x, "stateful", json_object_new_boolean(cs_json_bool(s, "stateful")));
		json_object_object_add(x, "description", json_object_new_string(cs_json_str(s, "description")));
		json_object_object_add(x, "config", deep(cs_json_get(s, "config")));
		json_object_array_add(snaps, x);
	}
	json_object_object_add(a, "snapshots", snaps);
	return a;
}

/* Parses an API time member ("0001-01-01T00:00:00Z" = never; LXD's
 * "1970-01-01T00:00:00Z" last use = never started). */
static cs_time member_time(json_object *o, const char *key, bool epoch_is_never)
{
	const char *s = cs_json_str(o, key);
	cs_time t;
	if (!s || cs_time_parse(s, &t) < 0)
		return s ? CS_TIME_INVALID : CS_TIME_NEVER;
	if (epoch_is_never && t == 0)
		return CS_TIME_NEVER;
	return t;
}

static void idmap_from(cs_container *ct, const char *json)
{
	json_object *a = NULL;
	if (!json || cs_json_parse(json, strlen(json), &a, NULL) < 0)
		return;
	for (size_t i = 0; json_object_is_type(a, json_type_array) && i < arr_len(a); i++) {
		json_object *m = json_object_array_get_idx(a, i);
		int64_t h = cs_json_i64(m, "Hostid", -1), n = cs_json_i64(m, "Nsid", -1), r = cs_json_i64(m, "Maprange", -1);
		if (h < 0 || n < 0 || r <= 0 || h > UINT32_MAX || n > UINT32_MAX || r > UINT32_MAX)
			continue;
		if (cs_json_bool(m, "Isuid"))
			cs_idmap_add(&ct->idmap, 'u', (uint32_t)n, (uint32_t)h, (uint32_t)r);
		if (cs_json_bool(m, "Isgid"))
			cs_idmap_add(&ct->idmap, 'g', (uint32_t)n, (uint32_t)h, (uint32_t)r);
	}
	json_object_put(a);
}

/* The pool (by name) and its driver and source. */
static json_object *pool_named(ld_ctx *c, const char *name)
{
	for (size_t i = 0; i < c->pools.cap; i++) {
		json_object *p = c->pools.v[i].key ? c->pools.v[i].value : NULL;
		if (p && name && strcmp(cs_json_str(p, "name"), name) == 0)
			return p;
	}
	return NULL;
}

static bool real_dir(ld_ctx *c, cs_container *ct, const char *ev, const char *what)
{
	cs_stat st;
	cs_error e = {0};
	if (cs_source_stat(c->src, ev, false, &st, &e) < 0) {
		ld_problem(c, &ct->problems, CS_WARN, ev, "instance `%s`: %s `%s`: %s", ct->name, what, ev, e.msg);
		return false;
	}
	if (S_ISLNK(st.mode)) {
		_cleanup_free_ char *t = NULL;
		(void)cs_source_readlink(c->src, ev, &t, NULL);
		ld_problem(c, &ct->problems, CS_WARN, ev,
			   "instance `%s`: %s `%s` is a symbolic link to `%s`: not followed (it may lead out of "
			   "the evidence)",
			   ct->name, what, ev, t ? t : "?");
		return false;
	}
	if (!S_ISDIR(st.mode)) {
		ld_problem(c, &ct->problems, CS_WARN, ev, "instance `%s`: %s `%s` is not a directory", ct->name, what, ev);
		return false;
	}
	return true;
}

/* Where the instance's volume is: storage-pools/<pool>/<kind>/<disk>. */
static char *volume_dir(ld_ctx *c, cs_container *ct, json_object *api, const char *kind, const char *disk,
			char **ret_driver)
{
	*ret_driver = NULL;
	const char *pool = NULL;
	json_object *devs = cs_json_get(api, "expanded_devices");
	json_object_object_foreach(as_obj(devs), dn, dv)
	{
		(void)dn;
		const char *t = cs_json_str(dv, "type"), *p = cs_json_str(dv, "path");
		if (t && strcmp(t, "disk") == 0 && p && strcmp(p, "/") == 0)
			pool = cs_json_str(dv, "pool");
	}
	json_object *pj = pool_named(c, pool);
	const char *driver = pj ? cs_json_str(pj, "driver") : NULL;
	*ret_driver = cs_xstrdup(driver ? driver : "dir");
	char *dir = NULL;
	if (pool)
		dir = ld_path(c, "storage-pools/%s/%s/%s", pool, kind, disk);
	else {
		/* no pool known (no database): look for it in every pool */
		cs_dirent *d;
		size_t nd;
		_cleanup_free_ char *sp = ld_path(c, "storage-pools");
		if (cs_source_list(c->src, sp, &d, &nd, NULL) == 0) {
			for (size_t i = 0; i < nd && !dir; i++) {
				char *x = ld_path(c, "storage-pools/%s/%s/%s", d[i].name, kind, disk);
				if (cs_source_exists(c->src, x))
					dir = x;
				else
					free(x);
			}
			cs_dirents_free(d, nd);
		}
	}
	if (dir && !cs_source_exists(c->src, dir) && driver && strcmp(driver, "dir") != 0) {
		ld_problem(c, &ct->problems, CS_NOTE, dir,
			   "instance `%s`: its volume is in the %s pool `%s`: not readable from a directory "
			   "unless that pool is mounted in the evidence",
			   ct->name, driver, pool);
	}
	return dir;
}

/* Reports where backup.yaml disagrees with the database. */
static void compare_backup(ld_ctx *c, cs_container *ct, json_object *api, json_object *bk, const char *file)
{
	cs_buf d = {.max = 1 << 16};
	static const char *const scalars[] = {"status", "last_used_at", "created_at", "architecture", "description",
					      "ephemeral", "stateful", "type"};
	for (size_t i = 0; i < CS_ARRAY_SIZE(scalars); i++) {
		json_object *a = cs_json_get(api, scalars[i]), *b = cs_json_get(bk, scalars[i]);
		const char *as = a ? json_object_get_string(a) : "", *bs = b ? json_object_get_string(b) : "";
		if (strcmp(scalars[i], "created_at") == 0 || strcmp(scalars[i], "last_used_at") == 0) {
			cs_time ta = member_time(api, scalars[i], false), tb = member_time(bk, scalars[i], false);
			if (ta == tb)
				continue;
		} else if (strcmp(as, bs) == 0) {
			continue;
		}
		(void)cs_buf_printf(&d, "%s%s: `%s` (database `%s`)", d.len ? "; " : "", scalars[i], bs, as);
	}
	static const char *const maps[] = {"config", "devices", "expanded_devices"};
	for (size_t i = 0; i < CS_ARRAY_SIZE(maps); i++) {
		json_object *a = cs_json_get(api, maps[i]), *b = cs_json_get(bk, maps[i]);
		json_object_object_foreach(as_obj(a), k, v)
		{
			json_object *w = cs_json_get(b, k);
			if (!w || !json_object_equal(v, w))
				(void)cs_buf_printf(&d, "%s%s.%s: %s (database `%s`)", d.len ? "; " : "", maps[i], k,
						    w ? json_object_get_string(w) : "absent", json_object_get_string(v));
		}
		json_object_object_foreach(as_obj(b), k2, v2)
		{
			if (!cs_json_get(a, k2))
				(void)cs_buf_printf(&d, "%s%s.%s: `%s` (not in the database)", d.len ? "; " : "", maps[i],
						    k2, json_object_get_string(v2));
		}
	}
	if (d.len)
		ld_problem(c, &ct->problems, CS_NOTE, file,
			   "instance `%s`: `%s` disagrees with the database (backup.yaml is rewritten only on "
			   "config, device and snapshot changes; the database is used): %s",
			   ct->name, file, d.data);
	cs_buf_free(&d);
}

static void add_log(ld_ctx *c, cs_container *ct, const char *ev, const char *role, int fmt)
{
	cs_stat st;
	if (cs_source_stat(c->src, ev, false, &st, NULL) < 0 || !S_ISREG(st.mode))
		return;
	cs_container_logfile(ct, ev, role, fmt);
	if (st.size > 0)
		cs_container_event(ct, st.mtime, strcmp(role, "console") == 0 ? "Console Log Last Written" : "Log Last Written",
				   ev, true, "%s log `%s` of %s last written (file time)", role, ev, ct->name);
}

/* Fills one container from its API object (owned: kept as inspect's). */
static void fill_container(ld_ctx *c, json_object *api, json_object *backup, const char *backup_file)
{
	cs_dataroot *dr = c->dr;
	cs_container *ct = CS_PUSH(dr->containers, dr->n_containers, dr->cap_containers);
	memset(ct, 0, sizeof(*ct));
	const char *name = cs_json_str(api, "name"), *project = cs_json_str(api, "project");
	if (!name)
		name = "";
	if (!project || !*project)
		project = "default";
	bool def = strcmp(project, "default") == 0;
	_cleanup_free_ char *disk = def ? cs_xstrdup(name) : cs_xasprintf("%s_%s", project, name);
	json_object *cfg = cs_json_get(api, "config");
	const char *uuid = cs_json_str(cfg, "volatile.uuid");
	ct->id = cs_xstrdup(uuid && *uuid ? uuid : disk);
	ct->name = cs_xstrdup(name);
	ct->namespace = def ? NULL : cs_xstrdup(project);
	ct->type = cs_xstrdup(cs_json_str(api, "type"));
	ct->platform = cs_xstrdup(cs_json_str(api, "architecture"));
	ct->created = member_time(api, "created_at", false);
	ct->last_used = member_time(api, "last_used_at", true);
	const char *status = cs_json_str(api, "status");
	ct->engine_status = cs_xstrdup(status);
	ct->state.running = status && strcmp(status, "Running") == 0;
	ct->state.started_at = ct->last_used;
	ct->state.finished_at = CS_TIME_NEVER;
	ct->has_been_started_before = ct->last_used != CS_TIME_NEVER;
	ct->exit_code_unknown = true;
	ct->host_root = cs_xstrdup(dr->host_path);
	const char *fp = cs_json_str(cfg, "volatile.base_image");
	ct->image_id = cs_xstrdup(fp);
	ct->path = cs_xstrdup("/sbin/init");
	ct->args = cs_xcalloc(1, sizeof(char *));
	bool vm = ct->type && strcmp(ct->type, "virtual-machine") == 0;
	/* ids: what is on disk (last_state.idmap), else the map it will get */
	const char *last = cs_json_str(cfg, "volatile.last_state.idmap");
	const char *priv = cs_json_str(cs_json_get(api, "expanded_config"), "security.privileged");
	bool privileged = priv && strcmp(priv, "true") == 0;
	if (last && strcmp(last, "[]") != 0 && *last) {
		idmap_from(ct, last);
		ct->idmap.shifted = ct->idmap.n > 0;
	} else if (!privileged) {
		const char *cur = cs_json_str(cfg, "volatile.idmap.current");
		idmap_from(ct, cur ? cur : cs_json_str(cfg, "volatile.idmap.next"));
		ct->idmap.shifted = false;
		if (ct->idmap.n)
			ld_problem(c, &ct->problems, CS_NOTE, NULL,
				   "instance `%s`: never started, so its files are not shifted yet: the owners on "
				   "disk are the container's own",
				   name);
	}
	/* filesystem */
	char *driver = NULL;
	ct->dir = volume_dir(c, ct, api, vm ? "virtual-machines" : "containers", disk, &driver);
	ct->driver = driver;
	ct->layers.whiteouts = CS_WH_OVERLAY;
	ct->layers.driver = cs_xstrdup(driver);
	if (ct->dir) {
		_cleanup_free_ char *rootfs = cs_path_join(ct->dir, "rootfs");
		if (!vm && real_dir(c, ct, rootfs, "root filesystem")) {
			cs_layer_stack_push(&ct->layers, rootfs, disk, "container");
			ct->layers.complete = true;
			ct->mount_id = cs_xstrdup(rootfs);
		}
		_cleanup_free_ char *bf = cs_path_join(ct->dir, "backup.yaml");
		cs_evfiles_add(&ct->evidence, "backup.yaml", bf);
	}
	if (c->db_file)
		cs_evfiles_add(&ct->evidence, "database", c->db_file);
	/* the image it came from, when its file is here */
	if (fp && *fp && !c->listing) {
		_cleanup_free_ char *img = ld_path(c, "images/%s", fp), *split = ld_path(c, "images/%s.rootfs", fp);
		if (cs_source_exists(c->src, split)) {
			ct->base_archive = cs_xstrdup(split);
			ct->base_archive_prefix = cs_xstrdup("");
		} else if (cs_source_exists(c->src, img)) {
			ct->base_archive = cs_xstrdup(img);
			ct->base_archive_prefix = cs_xstrdup("rootfs/");
		}
	}
	/* disk devices: custom volumes of a pool are in the evidence
	 * (storage-pools/<pool>/custom/<project>_<volume>); host paths are binds */
	json_object_object_foreach(as_obj(cs_json_get(api, "expanded_devices")), dvn, dvv)
	{
		const char *t = cs_json_str(dvv, "type"), *path = cs_json_str(dvv, "path");
		const char *vpool = cs_json_str(dvv, "pool"), *vsrc = cs_json_str(dvv, "source");
		if (!t || strcmp(t, "disk") != 0 || !path || strcmp(path, "/") == 0 || !vsrc)
			continue;
		ct->mounts = cs_xreallocarray(ct->mounts, ct->n_mounts + 1, sizeof(*ct->mounts));
		cs_mount *m = &ct->mounts[ct->n_mounts++];
		memset(m, 0, sizeof(*m));
		m->destination = cs_xstrdup(path);
		m->source = cs_xstrdup(vsrc);
		const char *ro = cs_json_str(dvv, "readonly");
		m->rw = !(ro && strcmp(ro, "true") == 0);
		if (vpool && vsrc[0] != '/') {
			m->type = CS_MOUNT_VOLUME;
			m->name = cs_xstrdup(vsrc);
			m->driver = cs_xstrdup(vpool);
			char *vd = ld_path(c, "storage-pools/%s/custom/%s_%s", vpool, project, vsrc);
			cs_stat vst;
			if (cs_source_stat(c->src, vd, false, &vst, NULL) == 0 && S_ISDIR(vst.mode))
				m->evidence_path = vd;
			else
				free(vd);
		} else {
			m->type = CS_MOUNT_BIND; /* a host path: never walked as the container's */
		}
		(void)dvn;
	}
	/* snapshots */
	json_object *sv = cs_json_get(api, "snapshots");
	for (size_t i = 0; i < arr_len(sv); i++) {
		json_object *s = json_object_array_get_idx(sv, i);
		cs_snapshot *x = CS_PUSH(ct->snapshots, ct->n_snapshots, ct->cap_snapshots);
		memset(x, 0, sizeof(*x));
		x->name = cs_xstrdup(cs_json_str(s, "name"));
		x->created = member_time(s, "created_at", false);
		x->created_how = cs_xstrdup(backup ? "backup.yaml" : "the database");
		x->expires = member_time(s, "expires_at", true);
		x->stateful = cs_json_bool(s, "stateful");
		x->comment = cs_xstrdup(cs_json_str(s, "description"));
		x->config_json = cs_xstrdup(json_object_to_json_string_ext(s, JSON_C_TO_STRING_PLAIN));
		if (ct->dir) {
			/* .../containers/<disk> -> .../containers-snapshots/<disk>/<snap> */
			const char *k = strstr(ct->dir, "/containers/");
			if (k)
				x->dir = cs_xasprintf("%.*s/containers-snapshots/%s/%s", (int)(k - ct->dir), ct->dir, disk,
						      x->name);
		}
		if (x->dir && !c->listing) {
			_cleanup_free_ char *r = cs_path_join(x->dir, "rootfs");
			x->layers.whiteouts = CS_WH_OVERLAY;
			if (real_dir(c, ct, r, "snapshot root filesystem")) {
				cs_layer_stack_push(&x->layers, r, x->name, "snapshot");
				x->layers.complete = true;
			}
		}
		cs_container_event(ct, x->created, "Snapshot Created", c->db_file, false, "Snapshot %s of %s taken%s", x->name,
				   name, x->stateful ? " (stateful)" : "");
	}
	/* logs */
	static const char *const logs[][3] = {{"lxc.log.old", "lxc", "x"}, {"lxc.log", "lxc", "x"},
					      {"console.log", "console", "t"}, {"forkstart.log", "fork", "t"},
					      {"forkexec.log", "fork", "t"}};
	for (size_t i = 0; i < CS_ARRAY_SIZE(logs) && !c->listing; i++) {
		_cleanup_free_ char *p = ld_path(c, "logs/%s/%s", disk, logs[i][0]);
		add_log(c, ct, p, logs[i][1], logs[i][2][0] == 'x' ? CS_LOG_LXC : CS_LOG_TEXT);
	}
	_cleanup_free_ char *lconf = ld_path(c, "logs/%s/lxc.conf", disk);
	if (!c->listing && cs_source_exists(c->src, lconf))
		cs_evfiles_add(&ct->evidence, "lxc.conf (liblxc config of the last start)", lconf);
	/* the image reference as the user would name it: an alias of the
	 * base image in the same project */
	ct->image_ref = cs_xstrdup(fp && strlen(fp) >= 12 ? NULL : fp);
	for (size_t i = 0; fp && i < arr_len(c->image_order) && !ct->image_ref; i++) {
		json_object *im = by_id(&c->images, json_object_get_int64(json_object_array_get_idx(c->image_order, i)));
		if (!im || strcmp(cs_json_str(im, "fingerprint"), fp) != 0 ||
		    strcmp(project_name(c, cs_json_i64(im, "project_id", 1)), project) != 0)
			continue;
		json_object *al = cs_json_get(im, "aliases");
		if (arr_len(al))
			ct->image_ref = cs_xstrdup(cs_json_str(json_object_array_get_idx(al, 0), "name"));
	}
	if (!ct->image_ref && fp)
		ct->image_ref = cs_xstrndup(fp, 12);
	if (backup && c->db)
		compare_backup(c, ct, api, backup, backup_file);
	if (!c->db)
		ct->incomplete = false;
	/* inspect: the API object with the evidence behind it */
	json_object *cs = json_object_new_object();
	json_object *src = json_object_new_object();
	for (size_t i = 0; i < ct->evidence.n; i++)
		json_object_object_add(src, ct->evidence.v[i].role, json_object_new_string(ct->evidence.v[i].path));
	json_object_object_add(cs, "Sources", src);
	json_object_object_add(cs, "StatusNote",
			       json_object_new_string("status is what LXD last recorded (volatile.last_state.power): "
						      "Running means it was running when the host went down"));
	json_object *idm = json_object_new_array();
	for (size_t i = 0; i < ct->idmap.n; i++) {
		json_object *m = json_object_new_object();
		char k[2] = {ct->idmap.v[i].kind, 0};
		json_object_object_add(m, "Kind", json_object_new_string(k));
		json_object_object_add(m, "Nsid", json_object_new_int64(ct->idmap.v[i].ns_id));
		json_object_object_add(m, "Hostid", json_object_new_int64(ct->idmap.v[i].host_id));
		json_object_object_add(m, "Range", json_object_new_int64(ct->idmap.v[i].count));
		json_object_array_add(idm, m);
	}
	json_object_object_add(cs, "Idmap", idm);
	json_object_object_add(cs, "IdsShiftedOnDisk", json_object_new_boolean(ct->idmap.shifted));
	json_object *lg = json_object_new_array();
	for (size_t i = 0; i < ct->n_logfiles; i++)
		json_object_array_add(lg, json_object_new_string(ct->logfiles[i].path));
	json_object_object_add(cs, "Logs", lg);
	json_object_object_add(cs, "BaseImageFile", cs_jstr(ct->base_archive));
	/* the profiles it expands, its pool, and the node's local settings */
	json_object *profs = json_object_new_array(), *pn = cs_json_get(api, "profiles");
	for (size_t i = 0; i < arr_len(pn); i++) {
		const char *want = json_object_get_string(json_object_array_get_idx(pn, i));
		for (size_t k = 0; want && k < c->profiles.cap; k++) {
			json_object *p = c->profiles.v[k].key ? c->profiles.v[k].value : NULL;
			if (p && strcmp(cs_json_str(p, "name"), want) == 0 &&
			    strcmp(project_name(c, cs_json_i64(p, "project_id", 1)), project) == 0) {
				json_object *x = json_object_new_object();
				json_object_object_add(x, "name", json_object_new_string(want));
				json_object_object_add(x, "description", json_object_new_string(cs_json_str(p, "description")));
				json_object_object_add(x, "config", deep(cs_json_get(p, "config")));
				json_object_object_add(x, "devices", deep(cs_json_get(p, "devices")));
				json_object_array_add(profs, x);
			}
		}
	}
	json_object_object_add(cs, "Profiles", profs);
	json_object *pool = NULL;
	json_object_object_foreach(as_obj(cs_json_get(api, "expanded_devices")), pdn, pdv)
	{
		(void)pdn;
		const char *pt = cs_json_str(pdv, "path");
		if (pt && strcmp(pt, "/") == 0 && !pool)
			pool = pool_named(c, cs_json_str(pdv, "pool"));
	}
	json_object_object_add(cs, "StoragePool", pool ? deep(pool) : NULL);
	json_object_object_add(cs, "NodeLocalConfig", c->local ? deep(c->local) : NULL);
	json_object_object_add(cs, "Problems", cs_jproblems(&ct->problems));
	json_object_object_add(api, "Csleuth", cs);
	if (c->listing) {
		/* a listing never inspects: the record only, compact */
		ct->config_json = cs_json_dump(api, false);
		json_object_put(api);
		return;
	}
	ct->inspect_json = cs_jfinish(api, true);
	ct->config_json = cs_xstrdup(ct->inspect_json);
}

static void load_instances(ld_ctx *c)
{
	for (size_t i = 0; i < arr_len(c->inst_order); i++) {
		json_object *in = by_id(&c->insts, json_object_get_int64(json_object_array_get_idx(c->inst_order, i)));
		if (!in)
			continue;
		json_object *api = api_instance(c, in);
		const char *project = cs_json_str(api, "project"), *name = cs_json_str(api, "name");
		bool def = !project || strcmp(project, "default") == 0;
		_cleanup_free_ char *disk = def ? cs_xstrdup(name) : cs_xasprintf("%s_%s", project, name);
		/* backup.yaml, wherever the pool keeps the instance */
		json_object *bk = NULL, *bkc = NULL;
		char *drv = NULL;
		cs_container tmp = {0};
		tmp.name = cs_xstrdup(name);
		char *vd = volume_dir(c, &tmp, api, "containers", disk, &drv);
		free(drv);
		cs_problems p = tmp.problems;
		for (size_t k = 0; k < p.n; k++) {
			free(p.v[k].file);
			free(p.v[k].msg);
		}
		free(p.v);
		free(tmp.name);
		_cleanup_free_ char *bf = vd ? cs_path_join(vd, "backup.yaml") : NULL;
		free(vd);
		cs_error e = {0};
		/* a listing shows the database's values: backup.yaml, which only
		 * the disagreement notes need, is read by inspect, check, ... */
		if (bf && !c->listing && cs_source_exists(c->src, bf)) {
			if (cs_yaml_load(c->src, bf, CS_LXD_MAX_YAML, &bk, NULL, &e) < 0)
				ld_problem(c, NULL, CS_WARN, bf, "instance `%s`: %s (the database is used)", name, e.msg);
			bkc = cs_json_get_obj(bk, "container");
		}
		fill_container(c, api, bkc, bf);
		json_object_put(bk);
	}
}

/* Without a database: every backup.yaml in the pools. */
static void load_from_backups(ld_ctx *c)
{
	_cleanup_free_ char *sp = ld_path(c, "storage-pools");
	cs_dirent *pools;
	size_t np;
	if (cs_source_list(c->src, sp, &pools, &np, NULL) < 0)
		return;
	for (size_t i = 0; i < np; i++) {
		_cleanup_free_ char *cd = ld_path(c, "storage-pools/%s/containers", pools[i].name);
		cs_dirent *d;
		size_t nd;
		if (cs_source_list(c->src, cd, &d, &nd, NULL) < 0)
			continue;
		for (size_t k = 0; k < nd; k++) {
			_cleanup_free_ char *bf = ld_path(c, "storage-pools/%s/containers/%s/backup.yaml", pools[i].name,
							  d[k].name);
			json_object *bk = NULL;
			cs_error e = {0};
			if (cs_yaml_load(c->src, bf, CS_LXD_MAX_YAML, &bk, NULL, &e) < 0) {
				ld_problem(c, NULL, CS_WARN, bf, "instance `%s`: %s", d[k].name, e.msg);
				continue;
			}
			json_object *ctr = cs_json_get_obj(bk, "container");
			if (!ctr) {
				ld_problem(c, NULL, CS_WARN, bf, "`%s` has no `container` member", bf);
				json_object_put(bk);
				continue;
			}
			json_object *api = deep(ctr);
			/* backup.yaml keeps snapshots beside the instance */
			json_object *snaps = cs_json_get_arr(bk, "snapshots");
			json_object_object_add(api, "snapshots", snaps ? deep(snaps) : json_object_new_array());
			fill_container(c, api, NULL, bf);
			cs_container *ct = &c->dr->containers[c->dr->n_containers - 1];
			ld_problem(c, &ct->problems, CS_NOTE, bf,
				   "instance `%s`: read from `%s` only (no database): its status and last use may be "
				   "stale",
				   ct->name, bf);
			json_object_put(bk);
		}
		cs_dirents_free(d, nd);
	}
	cs_dirents_free(pools, np);
}

/* --- images --- */

static void load_images(ld_ctx *c)
{
	cs_dataroot *dr = c->dr;
	for (size_t i = 0; i < arr_len(c->image_order); i++) {
		json_object *im = by_id(&c->images, json_object_get_int64(json_object_array_get_idx(c->image_order, i)));
		if (!im)
			continue;
		cs_image *x = CS_PUSH(dr->images, dr->n_images, dr->cap_images);
		memset(x, 0, sizeof(*x));
		const char *fp = cs_json_str(im, "fingerprint");
		const char *project = project_name(c, cs_json_i64(im, "project_id", 1));
		x->id = cs_xstrdup(fp ? fp : "");
		x->namespace = strcmp(project, "default") == 0 ? NULL : cs_xstrdup(project);
		json_object *al = cs_json_get(im, "aliases");
		size_t na = arr_len(al);
		x->tags = cs_xcalloc(na + 1, sizeof(char *));
		for (size_t k = 0; k < na; k++)
			x->tags[k] = cs_xstrdup(cs_json_str(json_object_array_get_idx(al, k), "name"));
		x->digests = cs_xcalloc(1, sizeof(char *));
		x->created = db_time(cs_json_str(im, "creation_date"));
		x->last_updated = db_time(cs_json_str(im, "upload_date"));
		x->last_used = db_time(cs_json_str(im, "last_use_date"));
		if (x->last_used == 0)
			x->last_used = CS_TIME_NEVER;
		x->size = cs_json_i64(im, "size", -1);
		x->architecture = cs_xstrdup(arch_name(cs_json_i64(im, "arch", 0)));
		json_object *props = cs_json_get(im, "properties");
		x->os = cs_xstrdup(cs_json_str(props, "os"));
		x->comment = cs_xstrdup(cs_json_str(props, "description"));
		x->driver = cs_xstrdup("archive");
		_cleanup_free_ char *file = ld_path(c, "images/%s", x->id), *split = ld_path(c, "images/%s.rootfs", x->id);
		if (cs_source_exists(c->src, split)) {
			x->archive = cs_xstrdup(split);
			x->archive_prefix = cs_xstrdup("");
		} else if (cs_source_exists(c->src, file)) {
			x->archive = cs_xstrdup(file);
			x->archive_prefix = cs_xstrdup("rootfs/");
		} else {
			ld_problem(c, &x->problems, CS_NOTE, file, "image %s (%s): its file `%s` is not in the evidence",
				   x->id, project, file);
		}
		if (x->archive)
			cs_evfiles_add(&x->evidence, "image file", x->archive);
		if (c->db_file)
			cs_evfiles_add(&x->evidence, "database", c->db_file);
		/* `lxc image show` / the API's shape */
		json_object *a = json_object_new_object();
		json_object_object_add(a, "auto_update", json_object_new_boolean(cs_json_bool(im, "auto_update")));
		json_object_object_add(a, "properties", deep(props));
		json_object_object_add(a, "public", json_object_new_boolean(cs_json_bool(im, "public")));
		json_object_object_add(a, "expires_at", api_time(db_time(cs_json_str(im, "expiry_date"))));
		json_object_object_add(a, "aliases", deep(al));
		json_object_object_add(a, "architecture", json_object_new_string(x->architecture));
		json_object_object_add(a, "cached", json_object_new_boolean(cs_json_bool(im, "cached")));
		json_object_object_add(a, "filename", json_object_new_string(cs_json_str(im, "filename")));
		json_object_object_add(a, "fingerprint", json_object_new_string(x->id));
		json_object_object_add(a, "size", json_object_new_int64(x->size));
		json_object_object_add(a, "type", json_object_new_string(cs_json_i64(im, "itype", 0) == 1 ? "virtual-machine"
												: "container"));
		json_object_object_add(a, "created_at", api_time(x->created));
		json_object_object_add(a, "last_used_at", api_time(db_time(cs_json_str(im, "last_use_date"))));
		json_object_object_add(a, "uploaded_at", api_time(x->last_updated));
		json_object_object_add(a, "project", json_object_new_string(project));
		json_object *cs = json_object_new_object();
		json_object *src = json_object_new_object();
		for (size_t k = 0; k < x->evidence.n; k++)
			json_object_object_add(src, x->evidence.v[k].role, json_object_new_string(x->evidence.v[k].path));
		json_object_object_add(cs, "Sources", src);
		json_object_object_add(cs, "Problems", cs_jproblems(&x->problems));
		json_object_object_add(a, "Csleuth", cs);
		x->inspect_json = cs_jfinish(a, true);
		x->config_json = cs_xstrdup(x->inspect_json);
	}
}

/* --- the engine table --- */

static void free_json(void *p)
{
	json_object_put(p);
}

static int cmp_container(const void *a, const void *b)
{
	const cs_container *x = a, *y = b;
	if (x->created != y->created)
		return x->created > y->created ? -1 : 1;
	return strcmp(x->id, y->id);
}

static int lxd_load(cs_source *src, const cs_load_opts *o, cs_dataroot **ret, cs_error *e)
{
	const char *path = o && o->path ? o->path : "";
	cs_stat st;
	int r = cs_source_stat(src, path, true, &st, e);
	if (r < 0) {
		cs_err_prefix(e, "LXD directory");
		return r;
	}
	if (!S_ISDIR(st.mode))
		return cs_err(e, -ENOTDIR, "LXD directory `%s`: not a directory", path);
	cs_dataroot *dr = cs_xcalloc(1, sizeof(*dr));
	dr->src = src;
	dr->path = cs_xstrdup(path);
	bool incus = cs_str_endswith(path, "incus") || (o && o->host_path && cs_str_endswith(o->host_path, "incus"));
	dr->engine = incus ? "incus" : "lxd";
	dr->ops = &cs_engine_lxd;
	dr->host_path = cs_xstrdup(o && o->host_path ? o->host_path : incus ? "/var/lib/incus" : "/var/lib/lxd");
	ld_ctx c = {.src = src, .dr = dr, .diag = o ? o->diag : NULL, .diag_ud = o ? o->diag_userdata : NULL,
		    .engine = dr->engine, .listing = o && o->listing};
	c.inst_order = json_object_new_array();
	c.image_order = json_object_new_array();
	read_local(&c);
	if (open_db(&c)) {
		read_db(&c);
		load_images(&c);
		load_instances(&c);
		sqlite3_close(c.db);
	} else {
		load_from_backups(&c);
	}
	if (dr->n_containers > 1)
		qsort(dr->containers, dr->n_containers, sizeof(cs_container), cmp_container);
	cs_dataroot_seal(dr);
	free(c.db_file);
	cs_strmap_free(&c.projects, free);
	cs_strmap_free(&c.nodes, free);
	cs_strmap_free(&c.profiles, free_json);
	cs_strmap_free(&c.insts, free_json);
	cs_strmap_free(&c.images, free_json);
	cs_strmap_free(&c.pools, free_json);
	cs_strmap_free(&c.pdev, NULL);
	cs_strmap_free(&c.idev, NULL);
	cs_strmap_free(&c.snaps, NULL);
	json_object_put(c.inst_order);
	json_object_put(c.local);
	json_object_put(c.image_order);
	*ret = dr;
	return 0;
}

static int lxd_probe(cs_source *src, const char *path)
{
	static const char *const marks[] = {"database", "storage-pools", "containers", "images"};
	int bid = 0;
	for (size_t i = 0; i < CS_ARRAY_SIZE(marks); i++) {
		_cleanup_free_ char *p = cs_path_join(path, marks[i]);
		cs_stat st;
		if (cs_source_stat(src, p, false, &st, NULL) == 0 && S_ISDIR(st.mode))
			bid += i == 0 ? 50 : 15;
	}
	return bid >= 65 ? bid : 0;
}

static int lxd_locate(cs_source *sysroot, cs_engine_roots *out, cs_error *e)
{
	(void)e;
	(void)sysroot;
	cs_engine_roots_add(out, &cs_engine_lxd, "var/lib/lxd", "/var/lib/lxd", "LXD's default location");
	cs_engine_roots_add(out, &cs_engine_lxd, "var/snap/lxd/common/lxd", "/var/snap/lxd/common/lxd",
			    "the LXD snap's location");
	cs_engine_roots_add(out, &cs_engine_lxd, "var/lib/incus", "/var/lib/incus", "Incus's default location");
	return 0;
}

static char *lxd_inspect(const cs_dataroot *dr, const cs_container *ct, const cs_image *im)
{
	(void)dr;
	const char *s = ct ? ct->inspect_json : im ? im->inspect_json : NULL;
	return s ? cs_xstrdup(s) : NULL;
}

const cs_engine cs_engine_lxd = {
	.name = "lxd",
	.what = "LXD or Incus directory",
	.probe = lxd_probe,
	.locate = lxd_locate,
	.load = lxd_load,
	.inspect = lxd_inspect,
};
