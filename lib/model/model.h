/* model.h - the engine-independent inventory csleuth builds from evidence.
 *
 * A cs_dataroot holds what one engine data root says: containers, images,
 * volumes, and the problems met while reading them. All strings are owned
 * copies of evidence bytes (not escaped: escaping is the output's job). All
 * times are cs_time (ns UTC; CS_TIME_NEVER for "never"). Every item records
 * the evidence files its values came from, and an item that could not be
 * read whole is kept, flagged `incomplete`, with its problems listed.
 */
#ifndef CS_MODEL_H
#define CS_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "evidence/source.h"
#include "base/timefmt.h"
#include "base/util.h"

typedef struct cs_problem {
	char *file; /* evidence-relative path, may be NULL */
	char *msg;
} cs_problem;

typedef struct cs_problems {
	cs_problem *v;
	size_t n, cap;
} cs_problems;

/* A named evidence file a value came from ("config" -> "containers/.../config.v2.json"). */
typedef struct cs_evfile {
	char *role;
	char *path;
} cs_evfile;

typedef struct cs_evfiles {
	cs_evfile *v;
	size_t n, cap;
} cs_evfiles;

typedef enum cs_mount_type {
	CS_MOUNT_UNKNOWN = 0,
	CS_MOUNT_BIND,
	CS_MOUNT_VOLUME,
	CS_MOUNT_TMPFS,
	CS_MOUNT_NPIPE,
} cs_mount_type;

typedef struct cs_mount {
	cs_mount_type type;
	char *name;        /* volume name, or NULL */
	char *source;      /* as recorded (host path for binds; may be empty) */
	char *destination; /* path inside the container */
	char *driver;      /* volume driver */
	char *mode;
	char *propagation;
	bool rw;
	/* Where the data is in the evidence (evidence-relative), or NULL when it
	 * is not in the data root (binds are host paths; tmpfs has none; a
	 * removed named volume is gone). */
	char *evidence_path;
} cs_mount;

/* Frees what a mount owns (not m itself). */
void cs_mount_clear(cs_mount *m);

/* How a stack's layer directories record deletions. */
typedef enum cs_whiteout_format {
	CS_WH_OVERLAY = 0, /* char 0/0 devices, overlay opaque xattrs */
	CS_WH_AUFS = 1,    /* .wh. files (aufs, image layer tarballs) */
	CS_WH_FUSE = 2,    /* fuse-overlayfs: char 0/0 devices and .wh. files; opaque by
			    * trusted.overlay.opaque, user.overlay.opaque,
			    * user.fuseoverlayfs.opaque or a .wh..wh..opq file */
} cs_whiteout_format;

/* One layer of a container's or image's filesystem stack. */
typedef struct cs_layer_dir {
	char *path;   /* evidence-relative directory holding the layer's files */
	char *id;     /* cache id / mount id / graph id */
	char *role;   /* "container", "init", "image" */
} cs_layer_dir;

typedef struct cs_layer_stack {
	cs_layer_dir *v; /* top first */
	size_t n, cap;
	char *driver;    /* storage driver that made it */
	cs_whiteout_format whiteouts;
	bool complete;   /* false if a layer could not be located */
	/* Each directory is a whole tree (vfs): the view is v[0] alone, and
	 * v[1], when present, is the whole tree it was copied from (what the
	 * engine's diff compares against). */
	bool flat;
	/* The engine computes a container's changes by walking its own layer
	 * (v[0]) against the layers below, as containers/storage's overlay
	 * driver does (an opaque directory is a deletion of the directory),
	 * instead of comparing the two merged trees. */
	bool upper_diff;
} cs_layer_stack;

typedef struct cs_health_log {
	cs_time start, end;
	int exit_code;
	char *output;
} cs_health_log;

typedef struct cs_state {
	bool running, paused, restarting, oom_killed, dead, removal_in_progress;
	int64_t pid;
	int64_t exit_code;
	char *error;
	cs_time started_at, finished_at;
	char *health_status;  /* NULL if no health check */
	int64_t health_failing_streak;
	cs_health_log *health_log;
	size_t n_health_log;
} cs_state;

/* User namespace id mapping: ids ns_id..ns_id+count-1 inside the container
 * are host_id.. outside (lxc.idmap, LXD's volatile.idmap.current). */
typedef struct cs_idmap_range {
	char kind;        /* 'u' (uids) or 'g' (gids) */
	uint32_t ns_id, host_id, count;
} cs_idmap_range;

typedef struct cs_idmap {
	cs_idmap_range *v;
	size_t n, cap;
	/* The container's files carry host ids on disk (shifted): owners must
	 * be mapped back to be what the container saw. False for a privileged
	 * container, and for an unprivileged LXD instance never started (not
	 * shifted yet) or one that uses idmapped mounts. */
	bool shifted;
	/* The engine's own export and mount show the container's ids (rootless
	 * Podman runs them in the user's namespace): csleuth's do so by default
	 * too, and --on-disk-ids asks for the stored ones. False: the stored
	 * ids by default (`lxc export`), --container-ids maps them. */
	bool container_view;
} cs_idmap;

/* The id the kernel shows for an id no range maps. */
#define CS_OVERFLOW_ID 65534u

/* The id the container saw for a stored (host) id, per the map; *mapped
 * (may be NULL) is false when the map has no range for it (the container
 * then saw the overflow id 65534). Without a shift, the stored id. */
uint32_t cs_idmap_to_container(const cs_idmap *m, char kind, uint32_t stored, bool *mapped);
void cs_idmap_add(cs_idmap *m, char kind, uint32_t ns_id, uint32_t host_id, uint32_t count);

/* A snapshot of a container's filesystem (LXC snaps/, LXD snapshots). */
typedef struct cs_snapshot {
	char *name;
	cs_time created;     /* NEVER when unknown */
	char *created_how;   /* where the time came from, for the examiner */
	cs_time expires;     /* NEVER for none */
	char *comment;
	bool stateful;
	char *dir;           /* evidence-relative snapshot directory */
	cs_layer_stack layers; /* its filesystem, top first (may be empty) */
	char *config_json;   /* the engine's record of it (JSON), or NULL */
} cs_snapshot;

/* A dated fact about a container beyond created/started/finished (an
 * engine's lifecycle record, a snapshot, a file time). */
typedef struct cs_ctevent {
	cs_time time;
	char *desc;    /* timestamp_desc, e.g. "Container Last Used" */
	char *message;
	char *file;    /* evidence file it came from, or NULL */
	bool file_time; /* dated from a file's time stamp, not from a record */
} cs_ctevent;

/* A log file of a container that is not its engine's stdout log. */
typedef struct cs_logfile {
	char *path;   /* evidence-relative */
	char *role;   /* "console", "lxc" (liblxc's log), "lxc.conf", ... */
	int format;   /* a cs_log_format (lib/logs/logs.h) */
} cs_logfile;

/* The Kubernetes pod a container belongs to. */
typedef struct cs_pod {
	char *name, *namespace, *uid;
} cs_pod;

struct cs_dataroot;

typedef struct cs_container {
	/* Where it lives: the engine's name ("docker", "containerd", ...), the
	 * engine's namespace (a containerd namespace, a rootless store's user,
	 * an LXD project; NULL where the engine has none) and the data root. */
	const char *engine;
	char *namespace;
	cs_pod *pod;     /* Kubernetes identity, or NULL */
	const struct cs_dataroot *dr;
	char *id;        /* 64 hex */
	char *name;      /* without the leading '/' */
	char *image_ref; /* Config.Image, as the user gave it */
	char *image_id;  /* "sha256:..." (legacy layouts: bare id) */
	cs_time created;
	char *path;
	char **args;     /* NULL-terminated */
	char *driver;    /* storage driver */
	char *platform;
	int64_t restart_count;
	bool has_been_started_before;
	bool has_been_manually_stopped;
	cs_state state;
	char **labels;   /* Config.Labels as "key=value", sorted, NULL-terminated (may be NULL) */
	char *log_driver; /* HostConfig.LogConfig.Type */
	char *log_path;   /* as recorded (host path) */
	char *log_evidence_path; /* evidence-relative, or NULL */
	char *host_root;  /* the data root as the host saw it, e.g. /var/lib/docker */
	cs_mount *mounts;
	size_t n_mounts;
	char *mount_id, *init_id; /* layer store ids of the RW and init layers */
	cs_layer_stack layers;
	char *dir;        /* evidence-relative containers/<id> */
	char *config_json;     /* the raw config file (for inspect) */
	char *hostconfig_json; /* raw hostconfig.json, or NULL */
	bool legacy;      /* pre-1.10 config.json */
	bool incomplete;
	bool layers_unread; /* a listing's load: the layer stack was not read */
	cs_problems problems;
	cs_evfiles evidence;
	/* Engines beyond Docker (NULL/false/NEVER where they do not apply). */
	bool state_unknown; /* no file records the state (plain containerd containers:
			     * containerd keeps tasks in /run only); `state` says nothing */
	bool sandbox;       /* a Kubernetes pod sandbox (its pause container) */
	bool absorbed;      /* another engine's item stands for this record (a Docker 29
			     * container's containerd record): not listed on its own */
	cs_time updated;    /* the record's last update */
	char *snapshotter;  /* containerd: snapshotter and snapshot key of its RW layer */
	char *snapshot_key;
	char *sandbox_id;   /* Kubernetes: the pod sandbox it runs in */
	char *state_reason; /* CRI status Reason, as stored */
	char *status_json;  /* CRI: the raw status file, for inspect */
	/* Cross-engine: the containerd namespace that holds this container's
	 * runtime record (dockerd keeps one while a container runs) and, when
	 * its layers are kept there too (Docker 29's containerd image store,
	 * snapshot_key set), its snapshots; and the roots that may hold them
	 * (evidence-relative, in the order to ask). The host resolves the
	 * snapshot into `layers` and absorbs the record (lib/host/host.c).
	 * NULL when not used. */
	char *snapshot_namespace;
	char **snapshot_roots;
	/* Paths the engine's own diff leaves out (Podman's mount points for
	 * /etc/hosts, /run/.containerenv, ...), NULL-terminated, or NULL. */
	char **diff_hidden;
	/* The log driver's size cap in bytes (Podman's log-size-max: conmon
	 * empties the file in place when it fills), 0 when none. */
	int64_t log_max_size;
	/* A volatile overlay mount left its dirty marker (the upper directory
	 * was written without syncs and never cleanly unmounted): its files may
	 * be torn if the host went down while it was mounted. */
	bool upper_torn;
	/* System containers (LXC, LXD, Incus) and other engines without
	 * Docker's state record; zero/NULL/NEVER where they do not apply. */
	bool exit_code_unknown; /* the engine keeps no exit code */
	char *engine_status;    /* the engine's own status word ("STOPPED"), or NULL */
	char *type;             /* "container", "virtual-machine", or NULL */
	cs_time last_used;      /* the engine's last start, NEVER if never */
	cs_idmap idmap;         /* ids shifted on disk */
	cs_snapshot *snapshots;
	size_t n_snapshots, cap_snapshots;
	cs_ctevent *events;     /* further dated facts, for the timeline */
	size_t n_events, cap_events;
	cs_logfile *logfiles;   /* console and engine logs */
	size_t n_logfiles, cap_logfiles;
	char *inspect_json;     /* the engine's own view, made at load, or NULL */
	/* The archive the root filesystem was unpacked from (an LXD image),
	 * evidence-relative, and the member prefix of the filesystem in it
	 * ("rootfs/"), or NULL: what `diff` compares with when no layer lies
	 * below. */
	char *base_archive, *base_archive_prefix;
} cs_container;

typedef struct cs_history {
	cs_time created;
	char *created_by;
	char *comment;
	char *author;
	bool empty_layer;
	/* filled by the reader: */
	char *image_id;  /* the local image this step produced, or NULL ("<missing>") */
	int64_t size;    /* size of the layer this step made, 0 for empty */
	char *layer_chain_id; /* NULL for empty layers */
} cs_history;

typedef struct cs_image_layer {
	char *diff_id;  /* "sha256:..." */
	char *chain_id; /* "sha256:..." */
	char *cache_id; /* storage driver id */
	int64_t size;   /* diff size, -1 if unknown */
	char *dir;      /* evidence-relative layer files, or NULL */
} cs_image_layer;

typedef struct cs_image {
	const char *engine; /* as for containers */
	char *namespace;
	const struct cs_dataroot *dr;
	char *id;      /* "sha256:..." (legacy: bare id) */
	char **tags;   /* "repo:tag", NULL-terminated */
	char **digests;/* "repo@sha256:...", NULL-terminated */
	char *parent;  /* local parent image id, or NULL */
	cs_time created;
	cs_time last_updated; /* tag/pull time (imagedb metadata), or NEVER */
	char *driver;
	cs_whiteout_format whiteouts;
	/* Each layer directory holds the whole tree up to it (the legacy overlay
	 * driver): the image's filesystem is its top layer alone. */
	bool flat_layers;
	char *os, *architecture, *variant, *author, *docker_version, *comment;
	int64_t size;  /* total of layer sizes, -1 if unknown */
	cs_image_layer *layers; /* base first */
	size_t n_layers;
	cs_history *history; /* oldest first, as in the config */
	size_t n_history;
	char **labels;       /* config.Labels as "key=value", sorted, NULL-terminated (may be NULL) */
	char *config_path;   /* evidence-relative */
	char *config_json;   /* raw image config */
	bool legacy;
	bool incomplete;
	cs_problems problems;
	cs_evfiles evidence;
	/* containerd (NULL where they do not apply) */
	char **names;          /* every image record naming it, NULL-terminated */
	char *target_media_type; /* the records' target (id is its digest) */
	int64_t target_size;
	char *config_digest;   /* the platform config blob ("sha256:..."): the CRI's image id */
	char *manifest_digest; /* the platform manifest chosen */
	char *platform;        /* "linux/amd64" of the manifest chosen, or NULL */
	/* Images kept as archives (LXD, Incus): the file, evidence-relative,
	 * and the member prefix of the root filesystem in it, or NULL. */
	char *archive, *archive_prefix;
	cs_time last_used;     /* NEVER if never or unknown */
	char *inspect_json;    /* the engine's own view, made at load, or NULL */
	/* Dated facts beyond its creation and tagging (records of the engine's
	 * event log: pulls, tags), for the timeline. */
	cs_ctevent *events;
	size_t n_events, cap_events;
} cs_image;

typedef struct cs_volume {
	const char *engine; /* as for containers */
	char *namespace;
	const struct cs_dataroot *dr;
	char *name;
	char *driver;
	char *data_path; /* evidence-relative _data dir */
	char *host_path; /* the data directory as the host knew it, or NULL */
	cs_time created; /* as the engine reports it (CreatedAt), or NEVER */
} cs_volume;

/* A volume as `volumes` lists it. */
typedef struct cs_volume_use {
	const cs_volume *vol;       /* NULL: containers mount it, the evidence does not hold it */
	const char *name;
	const char *engine;
	const char *namespace;
	const struct cs_dataroot *dr;
	const cs_container **users; /* the containers that mount it (owned array) */
	size_t n_users;
} cs_volume_use;

typedef struct cs_dataroot {
	cs_source *src;   /* borrowed */
	char *path;       /* evidence-relative data root ("" for the root) */
	char *host_path;  /* where the host had it, e.g. /var/lib/docker */
	const char *engine; /* the engine's name, "docker" */
	const struct cs_engine *ops; /* the reader that made it */
	cs_container *containers;
	size_t n_containers, cap_containers;
	cs_image *images;
	size_t n_images, cap_images;
	cs_volume *volumes;
	size_t n_volumes, cap_volumes;
	cs_problems problems; /* data-root-wide problems */
	size_t n_warnings;    /* diagnostics of severity CS_WARN reported */
	/* What the engine keeps for its views after loading (containerd: its
	 * open databases), freed with engine_data_free by cs_dataroot_free. */
	void *engine_data;
	void (*engine_data_free)(void *);
} cs_dataroot;

/* Docker's derived status: created, running, paused, restarting, removing,
 * exited or dead. */
const char *cs_container_status(const cs_container *c);
/* As cs_container_status, or NULL when the evidence records no state (no
 * config read, or state_unknown): callers show "unknown", never a guess. */
const char *cs_container_state(const cs_container *c);
/* True when the engine recorded an error starting the container (State.Error
 * set and the container not running): a start that failed looks "created"
 * (never started) or "exited" (a restart failed). */
bool cs_container_start_failed(const cs_container *c);
/* The status as `docker ps` words it, without relative times: "Up", "Up
 * (Paused)", "Exited (137)", "Created", "Dead", ...; a failed start is
 * "Start failed (127)" (a failed restart "Restart failed (N)"). Owned. */
char *cs_container_status_text(const cs_container *c);

/* Adds a dated fact to c (strings copied). */
void cs_container_event(cs_container *c, cs_time t, const char *desc, const char *file, bool file_time,
			const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Adds a dated fact to im (strings copied). */
void cs_image_event(cs_image *im, cs_time t, const char *desc, const char *file, bool file_time, const char *fmt,
		    ...) __attribute__((format(printf, 6, 7)));
void cs_container_logfile(cs_container *c, const char *path, const char *role, int format);
void cs_snapshot_clear(cs_snapshot *s);

void cs_problems_add(cs_problems *p, const char *file, const char *msg);
void cs_evfiles_add(cs_evfiles *e, const char *role, const char *path);
void cs_dataroot_free(cs_dataroot *dr);
/* Stamps every item with the data root and, unless the engine labelled it
 * already (items of another engine sharing the root), its engine's name.
 * Call once the item arrays no longer move (at the end of an engine's load). */
void cs_dataroot_seal(cs_dataroot *dr);

/* The layer directories of an image, top first, as a container of it would
 * see them. Returns 0, or -ENOENT when a layer has no known directory (or
 * the image has none). *ret is owned: free with cs_layer_stack_clear(); on
 * failure it is empty (nothing to free). */
int cs_image_stack(const cs_image *im, cs_layer_stack *ret, cs_error *e);
/* Appends a layer (copies path, id and role) below those already there. */
void cs_layer_stack_push(cs_layer_stack *s, const char *path, const char *id, const char *role);
void cs_layer_stack_clear(cs_layer_stack *s);

#endif
