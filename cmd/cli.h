/* cli.h - shared state and output helpers of the csleuth commands.
 *
 * Commands are thin: they parse their flags, ask libcsleuth for the model
 * and print it. Everything printed from evidence goes through out_cell() or
 * out_escaped(), so raw control bytes never reach a terminal.
 *
 * Warnings and exit status. Problems met while the evidence is read are
 * held, not printed: once a command knows what it reports (cli_report), it
 * prints the problems of those items (and counts them for exit status 3),
 * and sums up the others in one note ("2 other items are damaged; see
 * csleuth ps"). Problems met later (while a tree or a log is read) belong
 * to what the command is reporting and are printed as they come.
 */
#ifndef CS_CLI_H
#define CS_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "evidence/source.h"
#include "host/host.h"
#include "model/model.h"

/* Exit codes (documented in csleuth(1)). */
enum {
	EXIT_OK = 0,
	EXIT_FAILURE_ = 1,  /* nothing useful could be done */
	EXIT_USAGE = 2,     /* bad command line */
	EXIT_WARNINGS = 3,  /* completed, but some items are incomplete */
	EXIT_NOTFOUND = 4,  /* a named container or image is unknown or ambiguous */
};

struct cs_disk;

/* A diagnostic held while the evidence is read. */
typedef struct cli_held {
	cs_severity severity;
	char *file, *msg;
} cli_held;

typedef struct cli {
	const char *root;    /* --root (with --image/--archive: a path inside them) */
	const char *sysroot; /* --sysroot (likewise) */
	const char **images; /* --image, in order (several: a split raw image) */
	size_t n_images;
	const char *archive;   /* --archive */
	const char *partition; /* --partition */
	bool verify;           /* --verify */
	bool verified;         /* the verification ran */
	bool verify_to_stderr; /* a command follows --verify: its report goes to stderr */
	unsigned source_flags;
	bool quiet;          /* --no-warnings (-q before the command name) */
	int argc;            /* the whole command line, for provenance */
	char **argv;
	cs_time started;     /* when the run began */
	bool atime_noted; /* the note on link access times was given */
	cs_source *src;
	cs_host *host;
	struct cs_disk *disk; /* the opened image, with --image */
	struct cs_media_hashes *hashes; /* what --verify computed, for provenance */
	bool src_sysroot;     /* c->src is a host filesystem (not a data root) */
	size_t warnings;
	/* load-time diagnostics, held until cli_report() */
	bool loading, reported;
	bool listing; /* set before cli_load: only what a container listing needs */
	cli_held *held;
	size_t n_held, cap_held;
	/* the progress line on stderr */
	struct {
		bool tty, shown;
		const char *what;
		cs_time start, last;
	} progress;
	struct option *optbuf; /* merged option table of the command */
	const void *optfor;
} cli;

typedef struct cli_command {
	const char *name;
	const char *summary;
	int (*run)(cli *c, int argc, char **argv);
} cli_command;

/* Adds one --image (a piece of a split raw image, in order). */
void cli_add_image(cli *c, const char *path);
/* Checks that the evidence options go together (--root/--sysroot, --image,
 * --archive, --partition, --verify); prints and returns EXIT_USAGE, or 0. */
int cli_check_evidence_opts(const cli *c);
/* Opens the evidence source (c->src) from --root, --sysroot, --image or
 * --archive, without reading any engine; prints the error and returns an
 * exit code on failure. */
int cli_open_source(cli *c);
/* Opens the image named by --image (c->disk) without choosing a volume,
 * and runs --verify's check first when it was asked for (its report on
 * stderr; a failed check is an error); prints the error and returns an
 * exit code on failure. */
int cli_open_disk(cli *c);

/* --- options --- */

/* How a command describes its options to cli_getopt(). */
typedef struct cli_opts {
	const char *cmd;               /* "ps", for messages */
	const char *help;              /* the command's --help text */
	const char *shortopts;         /* its short options, getopt style, without h */
	const struct option *longopts; /* its long options, {0}-terminated */
	bool own_quiet;                /* it has its own -q/--quiet */
} cli_opts;

#define CLI_OPT_EXIT (-2)

/* getopt_long over the command's options plus the global ones (--root,
 * --sysroot, --no-warnings, --help, and -q when the command has no -q of its
 * own), which are handled here. Returns the next option of the command, -1
 * at the end of the options, or CLI_OPT_EXIT when the command must return
 * *ret_exit at once (it printed --help, or one line about a bad option). */
int cli_getopt(cli *c, const cli_opts *o, int argc, char **argv, int *ret_exit);
/* The help text of the global options, as every --help ends. */
extern const char cli_global_help[];
/* Prints a command's help and the global options. */
void cli_help(const char *help);

/* Opens the evidence and loads every engine root in it (c->host); prints
 * the error and returns non-zero (an exit code) on failure. */
int cli_load(cli *c);
/* The callback that prints and counts per-item warnings (userdata: cli *). */
cs_diag_fn cli_diag_callback(void);
/* The exit code for a run that printed its results. */
int cli_exit(const cli *c);
void cli_free(cli *c);

/* What a command reports: its containers and images, and whether problems
 * of the data roots themselves (not of one item) belong to it. */
typedef struct cli_scope {
	const cs_container *const *cts;
	size_t n_cts;
	const cs_image *const *ims;
	size_t n_ims;
	bool roots; /* data-root problems (listings of everything) */
	const char *engine; /* also the problems of this engine's roots (a listing filtered by --engine), or NULL */
} cli_scope;
/* Prints the held problems of what s covers (counting warnings for the
 * exit status) and one note summing up the damaged items it does not
 * cover. Call once, after the items are chosen. */
void cli_report(cli *c, const cli_scope *s);
/* Shorthands: one container, one image (either may be NULL), everything. */
void cli_report_one(cli *c, const cs_container *ct, const cs_image *im);
void cli_report_all(cli *c);

/* docker's --filter KEY=VALUE, as ps, images and volumes take it: the
 * values of one key are or'ed, different keys and'ed. */
typedef struct cli_filter {
	char *key, *val;
} cli_filter;
typedef struct cli_filters {
	cli_filter *v;
	size_t n, cap;
} cli_filters;
/* Adds one "KEY=VALUE"; 0, or the usage exit code (naming cmd) when arg
 * has no '='. */
int cli_filter_add(cli_filters *f, const char *cmd, const char *arg);
/* Whether an item passes: one(ud, filter, err) says whether it passes one
 * filter, and sets *err (an exit code) on a bad one, which stops the walk. */
bool cli_filters_pass(const cli_filters *f, bool (*one)(void *ud, const cli_filter *x, int *err), void *ud,
		      int *err);
bool cli_filters_has(const cli_filters *f, const char *key);
void cli_filters_free(cli_filters *f);

/* Prints a usage error for cmd on one line and returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A note on stderr (unless --no-warnings); does not change the exit status. */
void cli_note(cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Escaped evidence text. */
void out_escaped(FILE *f, const char *s);

/* --- progress on a terminal --- */

/* Starts a progress line for `what` ("timeline") if stderr is a terminal
 * and warnings are not silenced. */
void cli_progress_start(cli *c, const char *what);
/* Shows the phase, done/total (total 0: unknown) and an estimate of the
 * time left; extra (may be NULL) follows. At most ten redraws a second. */
void cli_progress(cli *c, const char *phase, uint64_t done, uint64_t total, const char *extra);
/* Erases the progress line (notes call this, so none is glued onto it). */
void cli_progress_clear(cli *c);
void cli_progress_end(cli *c);

/* --- tables --- */

typedef struct table {
	size_t ncols;
	const char **head;
	char **cells; /* row-major, owned, escaped */
	size_t nrows, cap;
	size_t width;  /* fit in this many columns (0: no limit) */
	size_t *minw;  /* per column: cut no narrower (0: never cut) */
} table;
void table_init(table *t, const char **head, size_t ncols);
/* Fit the table into width columns by cutting the columns that have a
 * minimum width (minw[k] > 0) with an ellipsis, widest first. */
void table_fit(table *t, size_t width, const size_t *minw);
/* Adds one row of ncols raw strings (NULL shown as "-"); they are escaped. */
void table_row(table *t, const char *const *cols);
void table_print(table *t, FILE *f); /* and frees the rows */
void table_free(table *t);
/* Cuts an escaped string to w display columns with an ellipsis. Owned. */
char *cut_text(const char *s, size_t w);

/* "2026-11-23T14:47:27Z" (full: with 9 digits), "-" for never. */
void fmt_time(cs_time t, bool full, char buf[CS_TIME_STRMAX]);
/* Shortens "sha256:<hex>" or a bare id to 12 hex digits unless full. */
const char *fmt_id(const char *id, bool full, char buf[80]);

/* True if a file to be created at path would land inside the evidence. */
bool cli_output_inside_evidence(const cli *c, const char *path);

/* Resolves name to a container (first) or an image and its layer stack, top
 * first. For an image the stack is built into *img (clear it after use).
 * Prints the problem and returns an exit code on failure. */
int cli_find_stack(cli *c, const char *name, const cs_container **ret_ct, const cs_image **ret_image,
		   cs_layer_stack *img, const cs_layer_stack **ret_stack);

/* Resolves a container or image query; prints the problem (with each
 * candidate's engine and namespace when ambiguous, or the closest known
 * name when unknown) and returns EXIT_NOTFOUND if unknown or ambiguous. */
int cli_find_container(cli *c, const char *q, const cs_container **ret);
int cli_find_image(cli *c, const char *q, const cs_image **ret);
/* Prints the "not found" or "ambiguous" message for a lookup result r. */
void cli_report_find(cli *c, const char *what, const char *q, int r, const cs_container *const *cts,
		     const cs_image *const *ims, size_t n);

/* "NAMESPACE/NAME" of a Kubernetes pod, "NAME" of a pod without a namespace
 * (Podman's), or NULL. Owned. */
char *cli_pod_label(const cs_container *ct);

/* Whether export, mount and cp show ct's owners as the container saw them:
 * only when its ids are shifted on disk; then as its engine's own export
 * does by default (rootless Podman: the container's view; LXC, LXD: the
 * stored ids), --container-ids (cids) or --on-disk-ids (disk_ids) asking
 * for one or the other. */
bool cli_map_ids(const cs_container *ct, bool cids, bool disk_ids);

/* True if an item of engine/namespace passes the --engine and --namespace
 * filters (NULL filters pass everything). */
bool cli_item_selected(const char *engine, const char *ns, const char *want_engine, const char *want_ns);

/* Common option parsing helper: true if argv[i] is --help/-h. */
bool is_help(const char *a);

/* Builds the merged tree of layers[first..first+count) of a stack (top
 * first; for a flat stack, whose directories are whole trees, layer `first`
 * alone), reporting damage as warnings. Prints and returns an exit code on
 * failure. */
struct cs_tree;
int cli_build_tree(cli *c, const cs_layer_stack *stack, size_t first, size_t count,
		   struct cs_tree **ret);

/* --- JSON output with provenance --- */

/* The provenance object of this run: tool, version, command line, evidence
 * root and the engine roots read, start and end times. Owned JSON text. */
char *cli_provenance_json(cli *c);
/* Writes json (an array or object text) to f, wrapped as
 * {"provenance": {...}, "items": json} when provenance is set. */
void cli_put_json(cli *c, FILE *f, const char *json, bool provenance);

/* --- docker --format templates --- */

struct cs_template;
/* Compiles a --format for cmd; prints the problem and returns EXIT_USAGE on
 * error. "table" prefixes and \t, \n escapes are handled as docker does. */
int cli_template(const char *cmd, const char *format, struct cs_template **ret, bool *ret_table);
/* Runs a template over row JSON texts and prints the lines; as a table,
 * after a header row (head: the same fields holding column titles),
 * aligned as docker's tabwriter does. Returns 0 or EXIT_USAGE (printed). */
int cli_run_template(const char *cmd, struct cs_template *t, bool as_table, const char *head, char **rows,
		     size_t n);

int cmd_ps(cli *c, int argc, char **argv);
int cmd_images(cli *c, int argc, char **argv);
int cmd_volumes(cli *c, int argc, char **argv);
int cmd_inspect(cli *c, int argc, char **argv);
int cmd_history(cli *c, int argc, char **argv);
int cmd_logs(cli *c, int argc, char **argv);
int cmd_diff(cli *c, int argc, char **argv);
int cmd_export(cli *c, int argc, char **argv);
int cmd_cp(cli *c, int argc, char **argv);
int cmd_mount(cli *c, int argc, char **argv);
int cmd_timeline(cli *c, int argc, char **argv);
int cmd_collect(cli *c, int argc, char **argv);
int cmd_check(cli *c, int argc, char **argv);
int cmd_umount(cli *c, int argc, char **argv);
int cmd_partitions(cli *c, int argc, char **argv);
/* --verify: checks the image's stored hashes against its media. */
int cli_verify(cli *c);

#endif
