/* ctrd_internal.h - shared state of the containerd reader modules. */
#ifndef CS_CTRD_INTERNAL_H
#define CS_CTRD_INTERNAL_H

#include "base/strmap.h"
#include "engines/containerd/containerd.h"
#include "formats/bbolt.h"

/* One record of a snapshotter's metadata.db (v1/snapshots/<name>). */
typedef struct cd_snapinfo {
	char *name;      /* "<ns>/<seq>/<key>" */
	uint64_t id;     /* -> snapshots/<id> */
	int kind;        /* 1 view, 2 active, 3 committed, 0 unknown */
	char *parent;    /* the parent's snapshotter name, or NULL */
	cs_time created, updated;
	int64_t size, inodes; /* committed usage, -1 unknown */
} cd_snapinfo;

/* A snapshotter, loaded on first use. */
typedef struct cd_snapshotter {
	char name[32];     /* "overlayfs", "native" */
	char *dir;         /* evidence-relative io.containerd.snapshotter.v1.<name> */
	bool loaded;
	char *err;         /* why its metadata.db could not be read, or NULL */
	cs_strmap by_name; /* snapshotter name -> cd_snapinfo */
} cd_snapshotter;

typedef struct cd_root {
	cs_source *src;
	char *path;        /* the root, evidence-relative */
	char *meta_path;   /* .../meta.db */
	cs_bolt *meta;
	cd_snapshotter snaps[8];
	size_t n_snaps;
	cs_strmap dirs_seen;   /* dir -> 1 present, 2 missing */
	char *sysroot_prefix;  /* evidence path of the host's "/" ("" or "x/"), or NULL when unknown */
	char **logs_links;     /* var/log/containers entries, read once */
	size_t n_logs_links;
	bool logs_listed;
} cd_root;

typedef struct cd_ctx {
	cs_source *src;
	cs_dataroot *dr;
	cd_root *root;
	cs_diag_fn diag;
	void *diag_ud;
} cd_ctx;

/* Records a problem on an item (p NULL: the data root's), reports it, counts it. */
void cd_warn(cd_ctx *c, cs_problems *p, const char *file, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Evidence-relative path under the root. Owned. */
char *cd_path(const cd_root *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A plain value of bucket b as an owned string (NULL if absent or empty). */
char *cd_bstr(const cs_bolt_bucket *b, const char *key);
/* A Go time value of b; NEVER if absent; INVALID if unreadable. */
cs_time cd_btime(const cs_bolt_bucket *b, const char *key);
/* A zigzag varint value of b, or def. */
int64_t cd_bvarint(const cs_bolt_bucket *b, const char *key, int64_t def);

/* The snapshotter named name (loaded on first use), or NULL for a name that
 * is not a plain word. */
cd_snapshotter *cd_snapshotter_get(cd_root *r, const char *name);
/* The layer stack of snapshot key in namespace ns: meta.db
 * v1/<ns>/snapshots/<snapshotter>/<key>/name -> the snapshotter's record ->
 * parents, nearest first. Roles: "container" for the top when top_role is
 * NULL, "init" for <key>-init, "image" below. Returns 0, -ENOENT if there is
 * no such snapshot, or -errno; damage goes to p (file names given). */
int cd_stack(cd_root *r, const char *ns, const char *snapshotter, const char *key, const char *top_role,
	     cs_layer_stack *ret, cs_problems *p, cs_error *e);
/* The snapshot record of key in (ns, snapshotter), or NULL. */
const cd_snapinfo *cd_snapshot(cd_root *r, const char *ns, const char *snapshotter, const char *key);

/* Reads a content blob ("sha256:<hex>"), checking its digest. Returns 0 and
 * an owned NUL-terminated text; 1 when read but its digest does not match
 * (reported to p: tampered); -ENOENT when absent; -errno otherwise. */
int cd_read_blob(cd_ctx *c, const char *digest, char **ret, size_t *ret_len, cs_problems *p, cs_error *e);
/* Evidence path of a blob, or NULL for a malformed digest. Owned. */
char *cd_blob_path(const cd_root *r, const char *digest);

void cd_load_images(cd_ctx *c, const char *ns, const cs_bolt_bucket *nsb);
void cd_load_containers(cd_ctx *c, const char *ns, const cs_bolt_bucket *nsb);
void cd_root_free(void *p);

#endif
