/* cli.c - evidence loading, diagnostics and output helpers for commands. */
#include "cli.h"

#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "formats/sanitize.h"
#include "fs/tree.h"

void cli_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char msg[4096];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fputs("csleuth: ", stderr);
	out_escaped(stderr, msg);
	fputc('\n', stderr);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char msg[4096];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "csleuth%s%s: ", cmd ? " " : "", cmd ? cmd : "");
	out_escaped(stderr, msg);
	fprintf(stderr, "\nTry 'csleuth %s%s--help'.\n", cmd ? cmd : "", cmd ? " " : "");
	return EXIT_USAGE;
}

void out_escaped(FILE *f, const char *s)
{
	char *e = cs_escape_dup(s);
	fputs(e, f);
	free(e);
}

static void on_diag(void *ud, const cs_diag *d)
{
	cli *c = ud;
	if (d->severity == CS_WARN)
		c->warnings++; /* notes tell, they do not change the exit status */
	if (c->quiet)
		return;
	fputs(d->severity == CS_WARN ? "csleuth: warning: " : "csleuth: note: ", stderr);
	out_escaped(stderr, d->msg);
	fputc('\n', stderr);
}

cs_diag_fn cli_diag_callback(void)
{
	return on_diag;
}

static void on_root(void *ud, const cs_engine_root *r)
{
	cli *c = ud;
	if (c->quiet || !c->sysroot)
		return;
	fprintf(stderr, "csleuth: %s ", r->engine->what);
	out_escaped(stderr, r->host_path ? r->host_path : r->path);
	if (r->origin) {
		fputs(" (from ", stderr);
		out_escaped(stderr, r->origin);
		fputs(")", stderr);
	}
	fputc('\n', stderr);
}

int cli_load(cli *c)
{
	if (c->host)
		return 0;
	cs_error e = {0};
	const char *base = c->sysroot ? c->sysroot : c->root ? c->root : "/var/lib/docker";
	if (cs_source_open_dir(base, c->source_flags, &c->src, &e) < 0) {
		cli_error("%s", e.msg);
		return EXIT_FAILURE_;
	}
	cs_host_opts o = {.sysroot = c->sysroot != NULL, .diag = on_diag, .diag_userdata = c,
			  .on_root = on_root};
	if (cs_host_load(c->src, &o, &c->host, &e) < 0) {
		cli_error("%s", e.msg);
		return EXIT_FAILURE_;
	}
	return 0;
}

int cli_exit(const cli *c)
{
	return c->warnings ? EXIT_WARNINGS : EXIT_OK;
}

void cli_free(cli *c)
{
	cs_host_free(c->host);
	cs_source_close(c->src);
}

static size_t display_width(const char *s)
{
	size_t w = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p & 0xc0) != 0x80)
			w++;
	return w;
}

void table_init(table *t, const char **head, size_t ncols)
{
	memset(t, 0, sizeof(*t));
	t->head = head;
	t->ncols = ncols;
}

void table_row(table *t, const char *const *cols)
{
	for (size_t i = 0; i < t->ncols; i++)
		*CS_PUSH(t->cells, t->nrows, t->cap) = cs_escape_dup(cols[i] ? cols[i] : "-");
}

void table_print(table *t, FILE *f)
{
	size_t rows = t->nrows / t->ncols;
	size_t *w = cs_xcalloc(t->ncols, sizeof(size_t));
	for (size_t k = 0; k < t->ncols; k++)
		w[k] = display_width(t->head[k]);
	for (size_t r = 0; r < rows; r++)
		for (size_t k = 0; k < t->ncols; k++) {
			size_t x = display_width(t->cells[r * t->ncols + k]);
			if (x > w[k])
				w[k] = x;
		}
	for (size_t r = 0; r <= rows; r++) {
		for (size_t k = 0; k < t->ncols; k++) {
			const char *s = r == 0 ? t->head[k] : t->cells[(r - 1) * t->ncols + k];
			fputs(s, f);
			if (k + 1 < t->ncols)
				for (size_t p = display_width(s); p < w[k] + 3; p++)
					fputc(' ', f);
		}
		fputc('\n', f);
	}
	for (size_t i = 0; i < t->nrows; i++)
		free(t->cells[i]);
	free(t->cells);
	free(w);
}

void fmt_time(cs_time t, bool full, char buf[CS_TIME_STRMAX])
{
	if (t == CS_TIME_INVALID)
		snprintf(buf, CS_TIME_STRMAX, "(invalid)");
	else if (!cs_time_format_digits(t, full ? 9 : 0, buf))
		snprintf(buf, CS_TIME_STRMAX, "-");
}

const char *fmt_id(const char *id, bool full, char buf[80])
{
	if (!id)
		return NULL;
	if (full)
		return id;
	const char *h = cs_str_startswith(id, "sha256:") ? id + 7 : id;
	snprintf(buf, 80, "%.12s", h);
	return buf;
}

static void print_where(const char *engine, const char *ns)
{
	char *w = cs_host_item_where(engine, ns);
	fputs("  (", stderr);
	out_escaped(stderr, w);
	fputs(")", stderr);
	free(w);
}

void cli_report_find(const char *what, const char *q, int r, const cs_container *const *cts,
		     const cs_image *const *ims, size_t n)
{
	if (r != -ENOTUNIQ) {
		cli_error("no such %s: `%s`", what, q);
		return;
	}
	cli_error("`%s` is ambiguous: it matches %zu %ss; qualify it as ENGINE:NAME, "
		  "ENGINE:NAMESPACE/NAME or give more of the id:", q, n, what);
	for (size_t i = 0; i < n; i++) {
		fputs("  ", stderr);
		if (cts) {
			out_escaped(stderr, cts[i]->id);
			fputs("  ", stderr);
			out_escaped(stderr, cts[i]->name ? cts[i]->name : "");
			print_where(cts[i]->engine, cts[i]->namespace);
		} else {
			out_escaped(stderr, ims[i]->id);
			if (ims[i]->tags && ims[i]->tags[0]) {
				fputs("  ", stderr);
				out_escaped(stderr, ims[i]->tags[0]);
			}
			print_where(ims[i]->engine, ims[i]->namespace);
		}
		fputc('\n', stderr);
	}
}

int cli_find_container(cli *c, const char *q, const cs_container **ret)
{
	const cs_container **m = NULL;
	size_t nm = 0;
	int r = cs_host_find_container(c->host, q, ret, &m, &nm);
	if (r == 0)
		return 0;
	cli_report_find("container", q, r, m, NULL, nm);
	free(m);
	return EXIT_NOTFOUND;
}

int cli_find_image(cli *c, const char *q, const cs_image **ret)
{
	const cs_image **m = NULL;
	size_t nm = 0;
	int r = cs_host_find_image(c->host, q, ret, &m, &nm);
	if (r == 0)
		return 0;
	cli_report_find("image", q, r, NULL, m, nm);
	free(m);
	return EXIT_NOTFOUND;
}

bool cli_item_selected(const char *engine, const char *ns, const char *want_engine, const char *want_ns)
{
	if (want_engine && (!engine || strcmp(engine, want_engine) != 0))
		return false;
	if (want_ns && (!ns || strcmp(ns, want_ns) != 0))
		return false;
	return true;
}

char *cli_pod_label(const cs_container *ct)
{
	if (!ct->pod || !ct->pod->name)
		return NULL;
	if (!ct->pod->namespace)
		return cs_xstrdup(ct->pod->name);
	return cs_xasprintf("%s/%s", ct->pod->namespace, ct->pod->name);
}

bool is_help(const char *a)
{
	return strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0;
}

int cli_build_tree(cli *c, const cs_layer_stack *stack, size_t first, size_t count, cs_tree **ret)
{
	if (first >= stack->n || count == 0) {
		cli_error("no layers to show");
		return EXIT_FAILURE_;
	}
	if (first + count > stack->n)
		count = stack->n - first;
	if (stack->flat)
		count = 1; /* each directory is a whole tree (vfs) */
	cs_tree_opts o = {
		.format = stack->whiteouts,
		.diag = on_diag,
		.diag_userdata = c,
	};
	cs_error e = {0};
	if (cs_tree_build(c->src, stack->v + first, count, &o, ret, &e) < 0) {
		cli_error("%s", e.msg);
		return EXIT_FAILURE_;
	}
	return 0;
}

/* True if path (a file to be created) would land inside the evidence root. */
bool cli_output_inside_evidence(const cli *c, const char *path)
{
	const char *root = c->sysroot ? c->sysroot : c->root ? c->root : "/var/lib/docker";
	char rr[PATH_MAX], dir[PATH_MAX], rd[PATH_MAX];
	if (!realpath(root, rr))
		return false;
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	if (!realpath(*dir ? dir : "/", rd))
		return false;
	size_t n = strlen(rr);
	return strncmp(rd, rr, n) == 0 && (rd[n] == '\0' || rd[n] == '/');
}

int cli_find_stack(cli *c, const char *name, const cs_container **ret_ct, const cs_image **ret_image,
		   cs_layer_stack *img, const cs_layer_stack **ret_stack)
{
	*ret_ct = NULL;
	if (ret_image)
		*ret_image = NULL;
	memset(img, 0, sizeof(*img));
	const cs_container **m = NULL;
	size_t nm = 0;
	int fr = cs_host_find_container(c->host, name, ret_ct, &m, &nm);
	if (fr == -ENOTUNIQ) {
		cli_report_find("container", name, fr, m, NULL, nm);
		free(m);
		return EXIT_NOTFOUND;
	}
	if (fr == 0) {
		*ret_stack = &(*ret_ct)->layers;
	} else {
		const cs_image *im;
		int r = cli_find_image(c, name, &im);
		if (r != 0)
			return r;
		cs_error e = {0};
		if (cs_image_stack(im, img, &e) < 0) {
			cli_error("%s", e.msg);
			return EXIT_FAILURE_;
		}
		*ret_stack = img;
		if (ret_image)
			*ret_image = im;
	}
	if ((*ret_stack)->n == 0) {
		cli_error("`%s`: its layers are unknown", name);
		cs_layer_stack_clear(img);
		return EXIT_FAILURE_;
	}
	return 0;
}
