/* pm_state.c - Podman's own database: libpod/bolt_state.db or db.sql.
 *
 * Podman keeps what containers/storage does not know (a container's
 * configuration and OCI spec, its state, pods, volumes, exit codes, exec
 * sessions) in one database in its static dir (graphroot/libpod):
 *
 *   BoltDB (Podman up to 4.x, and hosts upgraded to 5.x, which keep it):
 *     ctr/<id>/{config, state, pod-id, exec/, dependencies/}  JSON values;
 *     dependencies/ lists the containers that depend on <id>
 *     exit-code/<id> (decimal), exit-code-time-stamp/<id> (RFC 3339)
 *     pod/<id>/{config, state, containers/}, vol/<name>/{config, state}
 *     runtime-config/{graph-root, static-dir, tmp-dir, run-root, volume-path,
 *                     graph-driver-name}
 *   SQLite (Podman 4.8+ on new installs, 5.x; schema of
 *   libpod/sqlite_state_internal.go): ContainerConfig(ID, Name, PodID, JSON),
 *   ContainerState(ID, State, ExitCode, JSON), ContainerExitCode(ID,
 *   Timestamp, ExitCode), ContainerExecSession, ContainerDependency(ID,
 *   DependencyID: ID depends on DependencyID), PodConfig, PodState,
 *   VolumeConfig, VolumeState, DBConfig. The State and ExitCode columns and
 *   PodState.InfraContainerID are written once at insert and never updated:
 *   only the JSON columns are read.
 *
 * With no database_backend configured Podman 4.8+ opens bolt_state.db when
 * it exists and creates db.sql only when it does not; csleuth reads the one
 * Podman would and says when both are there. The SQLite file is read with
 * its hot journal rolled back or its WAL applied, in memory, by the one
 * SQLite reader of the library (formats/sqlite_image.h): the bytes are
 * read through the evidence source and SQLite only ever sees the copy. A
 * damaged bucket or table costs what it holds.
 */
#include <stdio.h>
#include <string.h>

#include "engines/podman/pm_internal.h"
#include "formats/bbolt.h"
#include "formats/jscan.h"
#include "formats/sqlite_image.h"
#include "formats/toml.h"

#define MAX_RECORDS 1000000

static char *bdup(const uint8_t *v, size_t l)
{
	return cs_xstrndup((const char *)v, l);
}

static char *bstr(const cs_bolt_bucket *b, const char *key)
{
	const uint8_t *v;
	size_t l;
	if (cs_bolt_get_str(b, key, &v, &l, NULL) != 1)
		return NULL;
	return bdup(v, l);
}

/* A string member of a small JSON object text, or NULL. */
static char *json_member(const char *text, const char *key)
{
	if (!text)
		return NULL;
	cs_jscan s;
	cs_jscan_init(&s, text, strlen(text));
	char *v = NULL;
	if (cs_jscan_object(&s))
		while (cs_jscan_member(&s)) {
			if (!v && cs_jscan_is(&s, key))
				v = cs_jscan_string(&s);
			else
				cs_jscan_skip(&s);
		}
	return v;
}

typedef struct keys {
	char **v;
	size_t n, cap;
} keys;

static int keys_cb(void *ud, const uint8_t *k, size_t kl, const uint8_t *v, size_t vl, bool isb)
{
	(void)v, (void)vl, (void)isb;
	keys *x = ud;
	if (x->n >= MAX_RECORDS)
		return 1;
	*CS_PUSH(x->v, x->n, x->cap) = bdup(k, kl);
	return 0;
}

/* The keys of sub-bucket name of b, the record `kind/id`, NULL-terminated
 * (an empty vector when absent). Damage to the sub-bucket is said (naming
 * the file, the record and name); the keys before it are kept. */
static char **bucket_keys(pm_ctx *c, const char *file, const char *kind, const char *id, const cs_bolt_bucket *b,
			  const char *name)
{
	keys x = {0};
	cs_bolt_bucket s;
	cs_error e = {0};
	int r = cs_bolt_bucket_open(b, name, &s, &e);
	if (r == 1)
		r = cs_bolt_foreach(&s, keys_cb, &x, &e);
	if (r < 0)
		pm_warn(c, NULL, file, "`%s`: %s/%s: %s: %s: what it lists after the damage is lost", file, kind, id,
			name, e.msg);
	*CS_PUSH(x.v, x.n, x.cap) = NULL;
	return x.v;
}

typedef struct bctx {
	pm_ctx *c;
	pm_libpod *db;
	const cs_bolt_bucket *parent;
	const char *file;
} bctx;

static int ctr_cb(void *ud, const uint8_t *k, size_t kl, const uint8_t *v, size_t vl, bool isb)
{
	bctx *x = ud;
	pm_libpod *db = x->db;
	if (!isb || db->n_ctrs >= MAX_RECORDS)
		return 0;
	pm_lctr *l = CS_PUSH(db->ctrs, db->n_ctrs, db->cap_ctrs);
	memset(l, 0, sizeof(*l));
	l->id = bdup(k, kl);
	l->exit_time = CS_TIME_NEVER;
	cs_bolt_bucket b;
	cs_error e = {0};
	if (cs_bolt_bucket_from(x->parent, v, vl, &b, &e) < 0) {
		/* kept, flagged: containers.json still knows it */
		l->problem = cs_xasprintf("`%s`: ctr/%s: %s", x->file, l->id, e.msg);
		return 0;
	}
	if (cs_bolt_check(&b, &e) < 0)
		l->problem = cs_xasprintf("`%s`: ctr/%s: its record is damaged: %s", x->file, l->id, e.msg);
	l->config = bstr(&b, "config");
	l->state = bstr(&b, "state");
	l->pod_id = bstr(&b, "pod-id");
	l->execs = bucket_keys(x->c, x->file, "ctr", l->id, &b, "exec");
	if (!l->config && !l->problem)
		l->problem = cs_xasprintf("`%s`: ctr/%s has no config", x->file, l->id);
	return 0;
}

/* Opens the record bucket (k, v) of x->parent; when its header is damaged,
 * says so naming the file and `what/<key>` (that record is lost) and returns
 * false. Damage inside its pages is said too, and the record is read as far
 * as it can be (true). */
static bool record_bucket(bctx *x, const char *what, const uint8_t *k, size_t kl, const uint8_t *v, size_t vl,
			  cs_bolt_bucket *b)
{
	cs_error e = {0};
	if (cs_bolt_bucket_from(x->parent, v, vl, b, &e) == 0) {
		if (cs_bolt_check(b, &e) < 0) {
			_cleanup_free_ char *key = bdup(k, kl);
			pm_warn(x->c, NULL, x->file, "`%s`: %s/%s: its record is damaged: %s: what it held is read as far "
				"as it can be", x->file, what, key, e.msg);
		}
		return true;
	}
	_cleanup_free_ char *key = bdup(k, kl);
	pm_warn(x->c, NULL, x->file, "`%s`: %s/%s: %s: that record is lost", x->file, what, key, e.msg);
	return false;
}

static int pod_cb(void *ud, const uint8_t *k, size_t kl, const uint8_t *v, size_t vl, bool isb)
{
	bctx *x = ud;
	pm_libpod *db = x->db;
	cs_bolt_bucket b;
	if (!isb || db->n_pods >= MAX_RECORDS || !record_bucket(x, "pod", k, kl, v, vl, &b))
		return 0;
	pm_lpod *p = CS_PUSH(db->pods, db->n_pods, db->cap_pods);
	memset(p, 0, sizeof(*p));
	p->id = bdup(k, kl);
	p->config = bstr(&b, "config");
	p->state = bstr(&b, "state");
	p->members = bucket_keys(x->c, x->file, "pod", p->id, &b, "containers");
	return 0;
}

static int vol_cb(void *ud, const uint8_t *k, size_t kl, const uint8_t *v, size_t vl, bool isb)
{
	bctx *x = ud;
	pm_libpod *db = x->db;
	cs_bolt_bucket b;
	if (!isb || db->n_vols >= MAX_RECORDS || !record_bucket(x, "vol", k, kl, v, vl, &b))
		return 0;
	pm_lvol *p = CS_PUSH(db->vols, db->n_vols, db->cap_vols);
	memset(p, 0, sizeof(*p));
	p->name = bdup(k, kl);
	p->config = bstr(&b, "config");
	p->state = bstr(&b, "state");
	return 0;
}

static pm_lctr *find_lctr(pm_libpod *db, const char *id)
{
	void *p = cs_strmap_get(&db->ctr_by_id, id);
	return p ? &db->ctrs[(uintptr_t)p - 1] : NULL;
}

/* Indexes the containers by id; a second record of an id is dropped. */
static void index_ctrs(pm_ctx *c, pm_libpod *db)
{
	size_t k = 0;
	for (size_t i = 0; i < db->n_ctrs; i++) {
		pm_lctr *l = &db->ctrs[i];
		if (cs_strmap_has(&db->ctr_by_id, l->id)) {
			pm_warn(c, NULL, db->file, "`%s`: container %s is recorded twice: the second record is ignored",
				db->file, l->id);
			free(l->id);
			free(l->name);
			free(l->pod_id);
			free(l->config);
			free(l->state);
			cs_strv_free(l->execs);
			cs_strv_free(l->deps);
			free(l->problem);
			continue;
		}
		db->ctrs[k] = *l;
		cs_strmap_put(&db->ctr_by_id, db->ctrs[k].id, (void *)(uintptr_t)(k + 1));
		k++;
	}
	db->n_ctrs = k;
}

typedef struct exctx {
	pm_libpod *db;
	bool stamps;
} exctx;

static int exit_cb(void *ud, const uint8_t *k, size_t kl, const uint8_t *v, size_t vl, bool isb)
{
	exctx *x = ud;
	if (isb)
		return 0;
	_cleanup_free_ char *id = bdup(k, kl), *val = bdup(v, vl);
	pm_lctr *l = find_lctr(x->db, id);
	if (!l)
		return 0;
	if (x->stamps) {
		cs_time t;
		if (cs_time_parse(val, &t) == 0)
			l->exit_time = t;
	} else {
		int64_t ec;
		if (cs_parse_i64(val, &ec) == 0) {
			l->exit_code = ec;
			l->have_exit = true;
		}
	}
	return 0;
}

/* Calls fn(ud, ...) for each entry of root's bucket `name` (absent: none);
 * damage to it is said, naming the file and the bucket. *parent (if not
 * NULL) points at the bucket while fn runs, for opening sub-buckets. */
static void bolt_each(pm_ctx *c, const char *file, const cs_bolt_bucket *root, const char *name, cs_bolt_fn fn,
		      void *ud, const cs_bolt_bucket **parent)
{
	cs_bolt_bucket b;
	cs_error e = {0};
	int k = cs_bolt_bucket_open(root, name, &b, &e);
	if (k < 0) {
		pm_warn(c, NULL, file, "`%s`: bucket %s: %s: what it holds is lost", file, name, e.msg);
		return;
	}
	if (k == 0)
		return;
	if (parent)
		*parent = &b;
	if (cs_bolt_foreach(&b, fn, ud, &e) < 0)
		pm_warn(c, NULL, file, "`%s`: bucket %s: %s: the records after the damage are lost", file, name,
			e.msg);
	if (parent)
		*parent = NULL;
}

static bool read_bolt(pm_ctx *c, const char *file)
{
	pm_libpod *db = &c->st->db;
	cs_bolt *bolt = NULL;
	cs_error e = {0};
	if (cs_bolt_open(c->src, file, &bolt, &e) < 0) {
		pm_warn(c, NULL, file,
			"%s: Podman's own records (names, states, pods, volumes) are lost; the storage records are "
			"listed",
			e.msg);
		return false;
	}
	db->file = cs_xstrdup(file);
	db->kind = "boltdb";
	cs_bolt_info info;
	cs_bolt_get_info(bolt, &info);
	if (info.other_damaged)
		pm_note(c, NULL, file,
			"`%s`: meta page %u is damaged (a commit cut short at a power cut?): the database as of "
			"transaction %llu is read",
			file, info.meta_page ? 0u : 1u, (unsigned long long)info.txid);
	cs_bolt_bucket root, rc;
	cs_bolt_root(bolt, &root);
	int k = cs_bolt_bucket_open(&root, "runtime-config", &rc, &e);
	if (k < 0 || (k == 1 && cs_bolt_check(&rc, &e) < 0))
		pm_warn(c, NULL, file, "`%s`: bucket runtime-config: %s: the paths Podman was set up with are not known",
			file, e.msg);
	if (k == 1) {
		db->graph_root = bstr(&rc, "graph-root");
		db->static_dir = bstr(&rc, "static-dir");
		db->volume_path = bstr(&rc, "volume-path");
		db->run_root = bstr(&rc, "run-root");
		db->tmp_dir = bstr(&rc, "tmp-dir");
		db->graph_driver = bstr(&rc, "graph-driver-name");
	}
	bctx x = {.c = c, .db = db, .file = file};
	bolt_each(c, file, &root, "ctr", ctr_cb, &x, &x.parent);
	index_ctrs(c, db);
	bolt_each(c, file, &root, "pod", pod_cb, &x, &x.parent);
	bolt_each(c, file, &root, "vol", vol_cb, &x, &x.parent);
	static const char *const ex[] = {"exit-code", "exit-code-time-stamp"};
	for (int i = 0; i < 2; i++) {
		exctx y = {.db = db, .stamps = i == 1};
		bolt_each(c, file, &root, ex[i], exit_cb, &y, NULL);
	}
	/* dependencies/ of X lists the containers that depend on X */
	cs_bolt_bucket cb;
	if (cs_bolt_bucket_open(&root, "ctr", &cb, NULL) == 1)
		for (size_t i = 0; i < db->n_ctrs; i++) {
			cs_bolt_bucket b;
			if (cs_bolt_bucket_open(&cb, db->ctrs[i].id, &b, NULL) != 1)
				continue;
			char **dependents = bucket_keys(c, file, "ctr", db->ctrs[i].id, &b, "dependencies");
			for (char **d = dependents; *d; d++) {
				pm_lctr *l = find_lctr(db, *d);
				if (!l)
					continue;
				size_t n = cs_strv_len(l->deps);
				l->deps = cs_xreallocarray(l->deps, n + 2, sizeof(char *));
				l->deps[n] = cs_xstrdup(db->ctrs[i].id);
				l->deps[n + 1] = NULL;
			}
			cs_strv_free(dependents);
		}
	cs_bolt_close(bolt);
	return true;
}

/* --- SQLite --- */

typedef struct sctx {
	pm_libpod *db;
} sctx;

/* An owned copy of the text of column `name`, or NULL. */
static char *col(sqlite3_stmt *s, const char *name)
{
	return cs_xstrdup(cs_sqlite_text(s, name));
}

static int sql_ctr(void *ud, sqlite3_stmt *s)
{
	pm_libpod *db = ((sctx *)ud)->db;
	if (db->n_ctrs >= MAX_RECORDS)
		return 1;
	char *id = col(s, "ID");
	if (!id)
		return 0;
	pm_lctr *l = CS_PUSH(db->ctrs, db->n_ctrs, db->cap_ctrs);
	memset(l, 0, sizeof(*l));
	l->id = id;
	l->exit_time = CS_TIME_NEVER;
	l->name = col(s, "Name");
	l->pod_id = col(s, "PodID");
	l->config = col(s, "JSON");
	return 0;
}

typedef struct stctx {
	pm_ctx *c;
	size_t orphans;
} stctx;

/* ContainerState rows, read on their own: a table whose pages a cut-short
 * write left half-updated costs only the rows past the damage. */
static int sql_state(void *ud, sqlite3_stmt *s)
{
	stctx *x = ud;
	pm_libpod *db = &x->c->st->db;
	_cleanup_free_ char *id = col(s, "ID");
	pm_lctr *l = id ? find_lctr(db, id) : NULL;
	if (l) {
		free(l->state);
		l->state = col(s, "JSON");
	} else if (id && ++x->orphans <= 20) {
		pm_warn(x->c, NULL, db->file,
			"`%s`: ContainerState row %s has no ContainerConfig row (a removal cut short, or the database "
			"read without its journal): the container is not known to Podman's records",
			db->file, id);
	}
	return 0;
}

static int sql_exit(void *ud, sqlite3_stmt *s)
{
	pm_libpod *db = ((sctx *)ud)->db;
	_cleanup_free_ char *id = col(s, "ID");
	pm_lctr *l = id ? find_lctr(db, id) : NULL;
	if (l) {
		l->exit_time = cs_time_from_parts(cs_sqlite_int(s, "Timestamp", 0), 0);
		l->exit_code = cs_sqlite_int(s, "ExitCode", 0);
		l->have_exit = true;
	}
	return 0;
}

static int sql_exec(void *ud, sqlite3_stmt *s)
{
	pm_libpod *db = ((sctx *)ud)->db;
	_cleanup_free_ char *cid = col(s, "ContainerID");
	pm_lctr *l = cid ? find_lctr(db, cid) : NULL;
	char *id = col(s, "ID");
	if (!l || !id) {
		free(id);
		return 0;
	}
	size_t n = cs_strv_len(l->execs);
	if (n >= 4096) {
		free(id);
		return 0;
	}
	l->execs = cs_xreallocarray(l->execs, n + 2, sizeof(char *));
	l->execs[n] = id;
	l->execs[n + 1] = NULL;
	return 0;
}

static int sql_dep(void *ud, sqlite3_stmt *s)
{
	pm_libpod *db = ((sctx *)ud)->db;
	_cleanup_free_ char *id = col(s, "ID");
	pm_lctr *l = id ? find_lctr(db, id) : NULL;
	char *dep = col(s, "DependencyID");
	if (!l || !dep) {
		free(dep);
		return 0;
	}
	size_t n = cs_strv_len(l->deps);
	l->deps = cs_xreallocarray(l->deps, n + 2, sizeof(char *));
	l->deps[n] = dep;
	l->deps[n + 1] = NULL;
	return 0;
}

static int sql_pod(void *ud, sqlite3_stmt *s)
{
	pm_libpod *db = ((sctx *)ud)->db;
	if (db->n_pods >= MAX_RECORDS)
		return 1;
	char *id = col(s, "ID");
	if (!id)
		return 0;
	pm_lpod *p = CS_PUSH(db->pods, db->n_pods, db->cap_pods);
	memset(p, 0, sizeof(*p));
	p->id = id;
	p->name = col(s, "Name");
	p->config = col(s, "Config");
	p->state = col(s, "State");
	return 0;
}

static int sql_vol(void *ud, sqlite3_stmt *s)
{
	pm_libpod *db = ((sctx *)ud)->db;
	if (db->n_vols >= MAX_RECORDS)
		return 1;
	char *name = col(s, "Name");
	if (!name)
		return 0;
	pm_lvol *v = CS_PUSH(db->vols, db->n_vols, db->cap_vols);
	memset(v, 0, sizeof(*v));
	v->name = name;
	v->config = col(s, "Config");
	v->state = col(s, "State");
	return 0;
}

static int sql_dbconfig(void *ud, sqlite3_stmt *s)
{
	pm_libpod *db = ((sctx *)ud)->db;
	db->static_dir = col(s, "StaticDir");
	db->tmp_dir = col(s, "TmpDir");
	db->graph_root = col(s, "GraphRoot");
	db->run_root = col(s, "RunRoot");
	db->graph_driver = col(s, "GraphDriver");
	db->volume_path = col(s, "VolumeDir");
	return 1; /* one row (ID 1) */
}

static void sql_query(pm_ctx *c, sqlite3 *q, const char *what, const char *sql, cs_sqlite_row_fn fn)
{
	sctx x = {.db = &c->st->db};
	cs_error e = {0};
	if (cs_sqlite_each(q, sql, fn, &x, &e) < 0)
		pm_warn(c, NULL, c->st->db.file, "`%s`: %s: %s: what it holds is lost", c->st->db.file, what, e.msg);
}

/* Reads the file beside path with that suffix, if there is one. */
static int read_companion(pm_ctx *c, const char *path, const char *suffix, char **ret, size_t *ret_n, bool *present,
			  cs_error *e)
{
	_cleanup_free_ char *p = cs_xasprintf("%s%s", path, suffix);
	*ret = NULL;
	*ret_n = 0;
	*present = cs_source_exists(c->src, p);
	return *present ? cs_source_read_file(c->src, p, CS_SQLITE_MAX_IMAGE, ret, ret_n, e) : 0;
}

/* What recovery did, said to the examiner: a note, or a warning when the
 * journal or WAL SQLite would have used is not (its header is bad). */
static void sql_report(pm_ctx *c, const char *file, bool have_wal, bool have_j, const cs_sqlite_info *in,
		       const char *warn)
{
	pm_libpod *db = &c->st->db;
	cs_buf b = {.max = 4096};
	if (have_wal && in->wal_used) {
		(void)cs_buf_printf(&b, "`%s-wal`: %u commit%s found only in the WAL (%u frame%s) %s applied in memory",
				    file, in->wal_commits, in->wal_commits == 1 ? "" : "s", in->wal_frames_applied,
				    in->wal_frames_applied == 1 ? "" : "s", in->wal_commits == 1 ? "is" : "are");
		if (in->wal_frames_ignored)
			(void)cs_buf_printf(&b, "; %u frame%s after the last whole commit (a commit cut short, or frames "
						"of an earlier WAL generation) %s not, as in SQLite's recovery",
					    in->wal_frames_ignored, in->wal_frames_ignored == 1 ? "" : "s",
					    in->wal_frames_ignored == 1 ? "is" : "are");
		if (in->wal_partial)
			(void)cs_buf_puts(&b, "; the WAL ends in a partial frame");
	} else if (have_j && in->journal_used) {
		(void)cs_buf_printf(&b, "`%s-journal`: a hot rollback journal (a transaction its writer never committed) "
					"was rolled back in memory: %u original page%s restored%s",
				    file, in->journal_pages_restored, in->journal_pages_restored == 1 ? "" : "s",
				    in->journal_torn ? "; the playback stopped at a record cut short, whose checksum "
						       "fails or that names page 0, as SQLite's does"
						     : "");
	} else if (have_wal && !warn) {
		(void)cs_buf_printf(&b, "`%s-wal` is empty: the database file holds every commit", file);
	} else if (have_j && !warn) {
		(void)cs_buf_printf(&b, "`%s-journal` is not a hot journal (empty, reset by a commit, or without a valid "
					"header): nothing to roll back, as SQLite would find",
				    file);
	}
	if (warn && in->companion_ignored) {
		pm_warn(c, NULL, file, "%s: SQLite's recovery ignores the %s; the database file is read as it is", warn,
			have_wal ? "WAL" : "journal");
	} else if (warn && !b.len) {
		(void)cs_buf_puts(&b, warn);
	}
	if (b.len) {
		pm_note(c, NULL, file, "%s", b.data);
		db->sqlnote = cs_buf_steal(&b);
	} else if (warn && in->companion_ignored) {
		db->sqlnote = cs_xstrdup(warn);
	}
	cs_buf_free(&b);
}

static bool read_sqlite(pm_ctx *c, const char *file)
{
	pm_libpod *db = &c->st->db;
	cs_error e = {0};
	char *main_b = NULL, *wal = NULL, *jr = NULL;
	size_t main_n = 0, wal_n = 0, jr_n = 0;
	bool have_wal = false, have_j = false;
	/* a database in WAL mode has a -wal beside it; else a hot -journal */
	int r = cs_source_read_file(c->src, file, CS_SQLITE_MAX_IMAGE, &main_b, &main_n, &e);
	if (r == 0)
		r = read_companion(c, file, "-wal", &wal, &wal_n, &have_wal, &e);
	if (r == 0 && !have_wal)
		r = read_companion(c, file, "-journal", &jr, &jr_n, &have_j, &e);
	sqlite3 *q = NULL;
	cs_sqlite_info info = {0};
	char *warn = NULL;
	if (r == 0)
		r = cs_sqlite_open_bytes(file, main_b, main_n, wal, wal_n, jr, jr_n, &q, &info, &warn, &e);
	free(main_b);
	free(wal);
	free(jr);
	if (r < 0) {
		pm_warn(c, NULL, file,
			"%s: Podman's own records (names, states, pods, volumes) are lost; the storage records are "
			"listed",
			e.msg);
		free(warn);
		return false;
	}
	db->file = cs_xstrdup(file);
	db->kind = "sqlite";
	sql_report(c, file, have_wal, have_j, &info, warn);
	free(warn);
	sql_query(c, q, "DBConfig",
		  "SELECT StaticDir, TmpDir, GraphRoot, RunRoot, GraphDriver, VolumeDir FROM DBConfig WHERE ID = 1",
		  sql_dbconfig);
	sql_query(c, q, "containers (ContainerConfig)", "SELECT ID, Name, PodID, JSON FROM ContainerConfig", sql_ctr);
	index_ctrs(c, db);
	stctx sx = {.c = c};
	cs_error se = {0};
	if (cs_sqlite_each(q, "SELECT ID, JSON FROM ContainerState", sql_state, &sx, &se) < 0)
		pm_warn(c, NULL, db->file, "`%s`: ContainerState: %s: the states of the rows after the damage are lost",
			db->file, se.msg);
	for (size_t i = 0; i < db->n_ctrs; i++)
		if (!db->ctrs[i].state && !db->ctrs[i].problem)
			db->ctrs[i].problem = cs_xasprintf("`%s`: ContainerConfig row %s has no ContainerState row",
							   db->file, db->ctrs[i].id);
	sql_query(c, q, "exit codes", "SELECT ID, Timestamp, ExitCode FROM ContainerExitCode", sql_exit);
	sql_query(c, q, "exec sessions", "SELECT ID, ContainerID FROM ContainerExecSession", sql_exec);
	sql_query(c, q, "dependencies", "SELECT ID, DependencyID FROM ContainerDependency", sql_dep);
	sql_query(c, q, "pods",
		  "SELECT p.ID AS ID, p.Name AS Name, p.JSON AS Config, s.JSON AS State FROM PodConfig p "
		  "LEFT JOIN PodState s ON s.ID = p.ID",
		  sql_pod);
	sql_query(c, q, "volumes",
		  "SELECT v.Name AS Name, v.JSON AS Config, s.JSON AS State FROM VolumeConfig v "
		  "LEFT JOIN VolumeState s ON s.Name = v.Name",
		  sql_vol);
	sqlite3_close(q);
	return true;
}

/* database_backend of containers.conf (the user's, then the system's). */
static char *backend(pm_ctx *c)
{
	pm_store *st = c->st;
	if (!st->prefix)
		return NULL;
	static const char *const sys[] = {"etc/containers/containers.conf", "usr/share/containers/containers.conf"};
	char *found = NULL;
	for (size_t i = 0; i < CS_ARRAY_SIZE(sys) && !found; i++) {
		_cleanup_free_ char *p = cs_xasprintf("%s%s", st->prefix, sys[i]);
		char *t = NULL;
		size_t l = 0;
		if (cs_source_read_file(c->src, p, CS_TOML_MAX, &t, &l, NULL) == 0) {
			found = cs_toml_string(t, l, "engine.database_backend");
			free(t);
		}
	}
	return found;
}

bool pm_read_libpod(pm_ctx *c)
{
	pm_store *st = c->st;
	_cleanup_free_ char *bolt = pm_path(st, "libpod/bolt_state.db");
	_cleanup_free_ char *sql = pm_path(st, "libpod/db.sql");
	_cleanup_free_ char *sql2 = pm_path(st, "db.sql");
	bool have_bolt = cs_source_exists(c->src, bolt);
	const char *sqlf = cs_source_exists(c->src, sql) ? sql : cs_source_exists(c->src, sql2) ? sql2 : NULL;
	if (!have_bolt && !sqlf)
		return false;
	_cleanup_free_ char *be = have_bolt && sqlf ? backend(c) : NULL;
	bool use_sql = sqlf && (!have_bolt || (be && strcmp(be, "sqlite") == 0));
	if (have_bolt && sqlf)
		pm_note(c, NULL, use_sql ? bolt : sqlf,
			"the store holds both `%s` and `%s`: Podman reads %s (%s); the other is not read", bolt, sqlf,
			use_sql ? sqlf : bolt,
			be ? "database_backend in containers.conf" : "with no database_backend set, Podman 4.8 and "
								     "later keep an existing BoltDB");
	bool ok = use_sql ? read_sqlite(c, sqlf) : read_bolt(c, bolt);
	if (!ok)
		return false;
	/* pods: name from the config, infra container from the state JSON */
	pm_libpod *db = &st->db;
	for (size_t i = 0; i < db->n_pods; i++) {
		pm_lpod *p = &db->pods[i];
		if (!p->name)
			p->name = json_member(p->config, "name");
		p->infra = json_member(p->state, "InfraContainerID");
		if (!p->members) {
			keys x = {0};
			for (size_t k = 0; k < db->n_ctrs; k++)
				if (db->ctrs[k].pod_id && strcmp(db->ctrs[k].pod_id, p->id) == 0)
					*CS_PUSH(x.v, x.n, x.cap) = cs_xstrdup(db->ctrs[k].id);
			*CS_PUSH(x.v, x.n, x.cap) = NULL;
			p->members = x.v;
		}
	}
	return true;
}

const pm_lpod *pm_pod_get(const pm_store *st, const char *id)
{
	for (size_t i = 0; id && i < st->db.n_pods; i++)
		if (strcmp(st->db.pods[i].id, id) == 0)
			return &st->db.pods[i];
	return NULL;
}

void pm_libpod_free(pm_libpod *db)
{
	for (size_t i = 0; i < db->n_ctrs; i++) {
		pm_lctr *l = &db->ctrs[i];
		free(l->id);
		free(l->name);
		free(l->pod_id);
		free(l->config);
		free(l->state);
		cs_strv_free(l->execs);
		cs_strv_free(l->deps);
		free(l->problem);
	}
	free(db->ctrs);
	cs_strmap_free(&db->ctr_by_id, NULL);
	for (size_t i = 0; i < db->n_pods; i++) {
		pm_lpod *p = &db->pods[i];
		free(p->id);
		free(p->name);
		free(p->config);
		free(p->state);
		free(p->infra);
		cs_strv_free(p->members);
	}
	free(db->pods);
	for (size_t i = 0; i < db->n_vols; i++) {
		free(db->vols[i].name);
		free(db->vols[i].config);
		free(db->vols[i].state);
	}
	free(db->vols);
	free(db->file);
	free(db->graph_root);
	free(db->static_dir);
	free(db->volume_path);
	free(db->run_root);
	free(db->tmp_dir);
	free(db->graph_driver);
	free(db->sqlnote);
}
