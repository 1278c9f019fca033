/* cli.h - shared state and output helpers of the csleuth commands.
 *
 * Commands are thin: they parse their flags, ask libcsleuth for the model
 * and print it. Everything printed from evidence goes through out_cell() or
 * out_escaped(), so raw control bytes never reach a terminal.
 */
#ifndef CS_CLI_H
#define CS_CLI_H

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

typedef struct cli {
	const char *root;    /* --root */
	const char *sysroot; /* --sysroot */
	unsigned source_flags;
	bool quiet;
	cs_source *src;
	cs_host *host;
	size_t warnings;
} cli;

typedef struct cli_command {
	const char *name;
	const char *summary;
	int (*run)(cli *c, int argc, char **argv);
} cli_command;

/* Opens the evidence and loads every engine root in it (c->host); prints
 * the error and returns non-zero (an exit code) on failure. */
int cli_load(cli *c);
/* The callback that prints and counts per-item warnings (userdata: cli *). */
cs_diag_fn cli_diag_callback(void);
/* The exit code for a run that printed its results. */
int cli_exit(const cli *c);
void cli_free(cli *c);

/* Prints a usage error for cmd and returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Escaped evidence text. */
void out_escaped(FILE *f, const char *s);

/* A simple column table. */
typedef struct table {
	size_t ncols;
	const char **head;
	char **cells; /* row-major, owned, escaped */
	size_t nrows, cap;
} table;
void table_init(table *t, const char **head, size_t ncols);
/* Adds one row of ncols raw strings (NULL shown as "-"); they are escaped. */
void table_row(table *t, const char *const *cols);
void table_print(table *t, FILE *f);

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
 * candidate's engine and namespace when ambiguous) and returns EXIT_NOTFOUND
 * if unknown or ambiguous. */
int cli_find_container(cli *c, const char *q, const cs_container **ret);
int cli_find_image(cli *c, const char *q, const cs_image **ret);
/* Prints the "not found" or "ambiguous" message for a lookup result r. */
void cli_report_find(const char *what, const char *q, int r, const cs_container *const *cts,
		     const cs_image *const *ims, size_t n);

/* "NAMESPACE/NAME" of a Kubernetes pod, "NAME" of a pod without a namespace
 * (Podman's), or NULL. Owned. */
char *cli_pod_label(const cs_container *ct);

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

int cmd_ps(cli *c, int argc, char **argv);
int cmd_images(cli *c, int argc, char **argv);
int cmd_inspect(cli *c, int argc, char **argv);
int cmd_history(cli *c, int argc, char **argv);
int cmd_logs(cli *c, int argc, char **argv);
int cmd_diff(cli *c, int argc, char **argv);
int cmd_export(cli *c, int argc, char **argv);
int cmd_mount(cli *c, int argc, char **argv);
int cmd_timeline(cli *c, int argc, char **argv);
int cmd_umount(cli *c, int argc, char **argv);

#endif
