/* template.c - see template.h.
 *
 * Compiling turns the text into a small tree: text nodes, actions (a
 * pipeline), and `if`/`range` nodes with their branches. A pipeline is a
 * list of commands; a command is a list of arguments (field paths, string
 * and number literals, function names, or a parenthesised pipeline is not
 * supported). Execution walks the tree with "dot" set to a json-c value;
 * every value handed around is a reference the receiver puts.
 */
#include "render/template.h"

#include <ctype.h>
#include <stdarg.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "formats/jsonutil.h"
#include "formats/sanitize.h"

#define MAX_NODES 4096
#define MAX_DEPTH 32

typedef enum { A_FIELD, A_STRING, A_NUMBER, A_FUNC } argkind;

typedef struct arg {
	argkind kind;
	char **path;  /* A_FIELD: components (none for "."); A_FUNC: path[0] the name */
	size_t npath;
	char *str;    /* A_STRING */
	int64_t num;  /* A_NUMBER */
} arg;

typedef struct command {
	arg *args;
	size_t nargs;
} command;

typedef struct pipeline {
	command *cmds;
	size_t ncmds;
} pipeline;

typedef enum { N_TEXT, N_ACTION, N_IF, N_RANGE } nodekind;

typedef struct node node;
typedef struct list {
	node **v;
	size_t n, cap;
} list;

struct node {
	nodekind kind;
	char *text;     /* N_TEXT */
	pipeline pipe;  /* N_ACTION, N_IF, N_RANGE */
	list body, alt; /* N_IF, N_RANGE: then / else */
};

struct cs_template {
	list root;
	size_t nnodes;
};

/* --- freeing --- */

static void pipe_free(pipeline *p)
{
	for (size_t i = 0; i < p->ncmds; i++) {
		command *c = &p->cmds[i];
		for (size_t k = 0; k < c->nargs; k++) {
			for (size_t j = 0; j < c->args[k].npath; j++)
				free(c->args[k].path[j]);
			free(c->args[k].path);
			free(c->args[k].str);
		}
		free(c->args);
	}
	free(p->cmds);
}

static void list_free(list *l);

static void node_free(node *n)
{
	if (!n)
		return;
	free(n->text);
	pipe_free(&n->pipe);
	list_free(&n->body);
	list_free(&n->alt);
	free(n);
}

static void list_free(list *l)
{
	for (size_t i = 0; i < l->n; i++)
		node_free(l->v[i]);
	free(l->v);
}

void cs_template_free(cs_template *t)
{
	if (!t)
		return;
	list_free(&t->root);
	free(t);
}

/* --- parsing --- */

typedef struct parser {
	const char *s, *p; /* whole text, cursor */
	cs_error *e;
	cs_template *t;
	bool trim_next; /* the last action ended with -}} */
} parser;

__attribute__((format(printf, 2, 3))) static int perr(parser *ps, const char *fmt, ...)
{
	char msg[300];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return cs_err(ps->e, -EINVAL, "template: %s (at byte %zu)", msg, (size_t)(ps->p - ps->s));
}

static void skip_space(const char **p)
{
	while (**p == ' ' || **p == '\t' || **p == '\n' || **p == '\r')
		(*p)++;
}

/* Reads one argument; returns 1 and fills *a, 0 at the end of the command
 * ('|' or the end of the action), or <0. */
static int parse_arg(parser *ps, const char *end, arg *a)
{
	skip_space(&ps->p);
	if (ps->p >= end || *ps->p == '|')
		return 0;
	memset(a, 0, sizeof(*a));
	const char *p = ps->p;
	if (*p == '.') {
		a->kind = A_FIELD;
		size_t cap = 0;
		p++;
		while (p < end && (isalnum((unsigned char)*p) || *p == '_')) {
			const char *st = p;
			while (p < end && (isalnum((unsigned char)*p) || *p == '_'))
				p++;
			*CS_PUSH(a->path, a->npath, cap) = cs_xstrndup(st, (size_t)(p - st));
			if (p < end && *p == '.')
				p++;
			else
				break;
		}
	} else if (*p == '"' || *p == '`') {
		char q = *p++;
		cs_buf b = {0};
		while (p < end && *p != q) {
			if (q == '"' && *p == '\\' && p + 1 < end) {
				p++;
				char c = *p == 'n' ? '\n' : *p == 't' ? '\t' : *p;
				(void)cs_buf_append(&b, &c, 1);
				p++;
				continue;
			}
			(void)cs_buf_append(&b, p++, 1);
		}
		if (p >= end) {
			cs_buf_free(&b);
			return perr(ps, "%s", "unterminated string");
		}
		p++;
		a->kind = A_STRING;
		a->str = cs_buf_steal(&b);
	} else if (isdigit((unsigned char)*p) || (*p == '-' && isdigit((unsigned char)p[1]))) {
		char *e2;
		long long v = strtoll(p, &e2, 10);
		a->kind = A_NUMBER;
		a->num = v;
		p = e2;
	} else if (isalpha((unsigned char)*p)) {
		const char *st = p;
		while (p < end && (isalnum((unsigned char)*p) || *p == '_'))
			p++;
		a->kind = A_FUNC;
		a->path = cs_xcalloc(1, sizeof(char *));
		a->path[0] = cs_xstrndup(st, (size_t)(p - st));
		a->npath = 1;
	} else {
		char what[8] = {*p, 0};
		return perr(ps, "unexpected `%s`", what);
	}
	if (p < end && !(*p == ' ' || *p == '\t' || *p == '\n' || *p == '|')) {
		for (size_t j = 0; j < a->npath; j++)
			free(a->path[j]);
		free(a->path);
		free(a->str);
		char what[8] = {*p, 0};
		return perr(ps, "unexpected `%s`", what);
	}
	ps->p = p;
	return 1;
}

static const char *const funcs[] = {"json", "join", "index", "upper", "lower", "title", "len", "truncate",
				    "println"};

static int parse_pipeline(parser *ps, const char *end, pipeline *pl)
{
	size_t capc = 0;
	for (;;) {
		command *c = CS_PUSH(pl->cmds, pl->ncmds, capc);
		memset(c, 0, sizeof(*c));
		size_t capa = 0;
		arg a;
		int r;
		while ((r = parse_arg(ps, end, &a)) > 0)
			*CS_PUSH(c->args, c->nargs, capa) = a;
		if (r < 0)
			return r;
		if (c->nargs == 0)
			return perr(ps, "%s", "missing value");
		if (c->args[0].kind == A_FUNC) {
			bool known = false;
			for (size_t i = 0; i < CS_ARRAY_SIZE(funcs); i++)
				known = known || strcmp(funcs[i], c->args[0].path[0]) == 0;
			if (!known)
				return perr(ps, "unknown function `%s`", c->args[0].path[0]);
		} else if (c->nargs > 1) {
			return perr(ps, "%s", "a value cannot take arguments");
		}
		for (size_t k = 1; k < c->nargs; k++)
			if (c->args[k].kind == A_FUNC)
				return perr(ps, "function `%s` used as an argument", c->args[k].path[0]);
		skip_space(&ps->p);
		if (ps->p < end && *ps->p == '|') {
			ps->p++;
			continue;
		}
		return 0;
	}
}

/* Parses nodes into l until {{end}} / {{else}} (returned in *stop) or the
 * end of the text. */
static int parse_list(parser *ps, list *l, const char **stop, unsigned depth)
{
	if (depth > MAX_DEPTH)
		return perr(ps, "%s", "nested too deeply");
	*stop = NULL;
	while (*ps->p) {
		if (++ps->t->nnodes > MAX_NODES)
			return perr(ps, "%s", "too long");
		const char *open = strstr(ps->p, "{{");
		const char *tend = open ? open : ps->p + strlen(ps->p);
		bool trim_before = open && open[2] == '-' && (open[3] == ' ' || open[3] == '\t' || open[3] == '\n');
		const char *tstart = ps->p;
		if (ps->trim_next)
			while (tstart < tend && isspace((unsigned char)*tstart))
				tstart++;
		const char *tstop = tend;
		if (trim_before)
			while (tstop > tstart && isspace((unsigned char)tstop[-1]))
				tstop--;
		ps->trim_next = false;
		if (tstop > tstart) {
			node *n = cs_xcalloc(1, sizeof(*n));
			n->kind = N_TEXT;
			n->text = cs_xstrndup(tstart, (size_t)(tstop - tstart));
			*CS_PUSH(l->v, l->n, l->cap) = n;
		}
		if (!open) {
			ps->p = tend;
			break;
		}
		const char *close = strstr(open + 2, "}}");
		if (!close) {
			ps->p = open;
			return perr(ps, "%s", "unclosed action");
		}
		const char *body = open + 2 + (trim_before ? 2 : 0);
		const char *bend = close;
		if (bend - body >= 2 && bend[-1] == '-' && (bend[-2] == ' ' || bend[-2] == '\t' || bend[-2] == '\n')) {
			bend -= 2;
			ps->trim_next = true;
		}
		ps->p = body;
		skip_space(&ps->p);
		/* keywords */
		const char *kw = ps->p;
		size_t kl = 0;
		while (kw + kl < bend && isalpha((unsigned char)kw[kl]))
			kl++;
		if ((kl == 3 && strncmp(kw, "end", 3) == 0) || (kl == 4 && strncmp(kw, "else", 4) == 0)) {
			const char *rest = kw + kl;
			skip_space(&rest);
			if (rest < bend)
				return perr(ps, "%s", "junk after end/else");
			*stop = kl == 3 ? "end" : "else";
			ps->p = close + 2;
			return 0;
		}
		if ((kl == 2 && strncmp(kw, "if", 2) == 0) || (kl == 5 && strncmp(kw, "range", 5) == 0)) {
			node *n = cs_xcalloc(1, sizeof(*n));
			n->kind = kl == 2 ? N_IF : N_RANGE;
			*CS_PUSH(l->v, l->n, l->cap) = n;
			ps->p = kw + kl;
			int r = parse_pipeline(ps, bend, &n->pipe);
			if (r < 0)
				return r;
			ps->p = close + 2;
			const char *st;
			if ((r = parse_list(ps, &n->body, &st, depth + 1)) < 0)
				return r;
			if (st && strcmp(st, "else") == 0) {
				if ((r = parse_list(ps, &n->alt, &st, depth + 1)) < 0)
					return r;
			}
			if (!st || strcmp(st, "end") != 0)
				return perr(ps, "%s", kl == 2 ? "`if` without `end`" : "`range` without `end`");
			continue;
		}
		node *n = cs_xcalloc(1, sizeof(*n));
		n->kind = N_ACTION;
		*CS_PUSH(l->v, l->n, l->cap) = n;
		int r = parse_pipeline(ps, bend, &n->pipe);
		if (r < 0)
			return r;
		ps->p = close + 2;
	}
	return 0;
}

int cs_template_compile(const char *text, cs_template **ret, cs_error *e)
{
	cs_template *t = cs_xcalloc(1, sizeof(*t));
	parser ps = {.s = text, .p = text, .e = e, .t = t};
	const char *stop;
	int r = parse_list(&ps, &t->root, &stop, 0);
	if (r == 0 && stop)
		r = perr(&ps, "unexpected {{%s}}", stop);
	if (r < 0) {
		cs_template_free(t);
		return r;
	}
	*ret = t;
	return 0;
}

/* --- execution --- */

typedef struct exec {
	cs_buf *out;
	bool escape;
	cs_error *e;
	int err;
} exec;

static json_object *ref(json_object *o)
{
	return o ? json_object_get(o) : NULL;
}

static void put_text(exec *x, cs_buf *b, const char *s, size_t n)
{
	if (x->escape)
		(void)cs_escape_text(b, s, n);
	else
		(void)cs_buf_append(b, s, n);
}

/* Appends v as Go's fmt prints it. */
static void print_value(exec *x, cs_buf *b, json_object *v, unsigned depth)
{
	if (depth > MAX_DEPTH) {
		(void)cs_buf_puts(b, "...");
		return;
	}
	switch (v ? json_object_get_type(v) : json_type_null) {
	case json_type_null:
		(void)cs_buf_puts(b, "<nil>");
		break;
	case json_type_string:
		put_text(x, b, json_object_get_string(v), (size_t)json_object_get_string_len(v));
		break;
	case json_type_array: {
		(void)cs_buf_puts(b, "[");
		size_t n = json_object_array_length(v);
		for (size_t i = 0; i < n; i++) {
			if (i)
				(void)cs_buf_puts(b, " ");
			print_value(x, b, json_object_array_get_idx(v, i), depth + 1);
		}
		(void)cs_buf_puts(b, "]");
		break;
	}
	case json_type_object: {
		size_t n = (size_t)json_object_object_length(v), k = 0;
		const char **keys = cs_xcalloc(n + 1, sizeof(char *));
		json_object_object_foreach(v, key, val) {
			(void)val;
			if (k < n)
				keys[k++] = key;
		}
		for (size_t i = 1; i < k; i++)
			for (size_t j = i; j > 0 && strcmp(keys[j - 1], keys[j]) > 0; j--) {
				const char *t = keys[j];
				keys[j] = keys[j - 1];
				keys[j - 1] = t;
			}
		(void)cs_buf_puts(b, "map[");
		for (size_t i = 0; i < k; i++) {
			if (i)
				(void)cs_buf_puts(b, " ");
			put_text(x, b, keys[i], strlen(keys[i]));
			(void)cs_buf_puts(b, ":");
			print_value(x, b, cs_json_get(v, keys[i]), depth + 1);
		}
		(void)cs_buf_puts(b, "]");
		free(keys);
		break;
	}
	default:
		(void)cs_buf_puts(b, json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
	}
}

static char *value_text(exec *x, json_object *v)
{
	cs_buf b = {0};
	bool esc = x->escape;
	x->escape = false;
	print_value(x, &b, v, 0);
	x->escape = esc;
	return cs_buf_steal(&b);
}

static bool truthy(json_object *v)
{
	switch (v ? json_object_get_type(v) : json_type_null) {
	case json_type_null: return false;
	case json_type_boolean: return json_object_get_boolean(v);
	case json_type_int: return json_object_get_int64(v) != 0;
	case json_type_double: return json_object_get_double(v) != 0;
	case json_type_string: return json_object_get_string_len(v) > 0;
	case json_type_array: return json_object_array_length(v) > 0;
	case json_type_object: return json_object_object_length(v) > 0;
	}
	return false;
}

__attribute__((format(printf, 2, 3))) static int xerr(exec *x, const char *fmt, ...)
{
	if (!x->err) {
		char msg[CS_ERRMSG_MAX];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
		x->err = cs_err(x->e, -EINVAL, "%s", msg);
	}
	return x->err;
}

static json_object *field(exec *x, json_object *dot, const arg *a)
{
	json_object *v = dot;
	for (size_t i = 0; i < a->npath; i++) {
		json_object *nx = NULL;
		if (!v || !json_object_is_type(v, json_type_object) ||
		    !json_object_object_get_ex(v, a->path[i], &nx)) {
			cs_buf have = {0};
			if (v && json_object_is_type(v, json_type_object)) {
				json_object_object_foreach(v, key, val) {
					(void)val;
					(void)cs_buf_printf(&have, "%s.%s", have.len ? ", " : "", key);
				}
			}
			xerr(x, "template: no field `.%s`", a->path[i]);
			if (have.len && x->e) {
				size_t l = strlen(x->e->msg);
				snprintf(x->e->msg + l, sizeof(x->e->msg) - l, " (fields: %s)", have.data);
			}
			cs_buf_free(&have);
			return NULL;
		}
		v = nx;
	}
	return ref(v);
}

static json_object *call(exec *x, const char *fn, json_object **av, size_t n)
{
#define NEED(k)                                                                    \
	do {                                                                       \
		if (n != (k)) {                                                    \
			xerr(x, "template: %s takes %s", fn,                       \
			     (k) == 1 ? "one argument" : (k) == 2 ? "two arguments" : "arguments"); \
			return NULL;                                               \
		}                                                                  \
	} while (0)
	if (strcmp(fn, "json") == 0) {
		NEED(1);
		const char *s = av[0] ? json_object_to_json_string_ext(
						av[0], JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)
				      : "null";
		size_t l;
		char *fixed = cs_utf8_repair(s, strlen(s), &l);
		char *safe = cs_json_escape_c1(fixed, l, &l);
		json_object *r = json_object_new_string_len(safe, (int)l);
		free(fixed);
		free(safe);
		return r;
	}
	if (strcmp(fn, "println") == 0) {
		cs_buf b = {0};
		for (size_t i = 0; i < n; i++) {
			char *t = value_text(x, av[i]);
			(void)cs_buf_printf(&b, "%s%s", i ? " " : "", t);
			free(t);
		}
		(void)cs_buf_puts(&b, "\n");
		json_object *r = json_object_new_string_len(b.data, (int)b.len);
		cs_buf_free(&b);
		return r;
	}
	if (strcmp(fn, "join") == 0) {
		NEED(2);
		char *sep = value_text(x, av[1]);
		cs_buf b = {0};
		(void)cs_buf_puts(&b, "");
		if (av[0] && json_object_is_type(av[0], json_type_array)) {
			for (size_t i = 0; i < json_object_array_length(av[0]); i++) {
				char *t = value_text(x, json_object_array_get_idx(av[0], i));
				(void)cs_buf_printf(&b, "%s%s", i ? sep : "", t);
				free(t);
			}
		} else {
			char *t = value_text(x, av[0]);
			(void)cs_buf_puts(&b, t);
			free(t);
		}
		free(sep);
		json_object *r = json_object_new_string_len(b.data, (int)b.len);
		cs_buf_free(&b);
		return r;
	}
	if (strcmp(fn, "index") == 0) {
		if (n < 2) {
			xerr(x, "template: %s takes %s", fn, "a value and keys");
			return NULL;
		}
		json_object *v = av[0];
		for (size_t i = 1; i < n && v; i++) {
			if (json_object_is_type(v, json_type_array) && av[i] &&
			    json_object_is_type(av[i], json_type_int)) {
				int64_t k = json_object_get_int64(av[i]);
				v = k >= 0 && (size_t)k < json_object_array_length(v) ? json_object_array_get_idx(v, (size_t)k)
										       : NULL;
			} else if (json_object_is_type(v, json_type_object)) {
				char *k = value_text(x, av[i]);
				json_object *nx = NULL;
				v = json_object_object_get_ex(v, k, &nx) ? nx : NULL;
				free(k);
			} else {
				v = NULL;
			}
		}
		return ref(v);
	}
	if (strcmp(fn, "len") == 0) {
		NEED(1);
		int64_t l = 0;
		if (av[0] && json_object_is_type(av[0], json_type_array))
			l = (int64_t)json_object_array_length(av[0]);
		else if (av[0] && json_object_is_type(av[0], json_type_object))
			l = json_object_object_length(av[0]);
		else if (av[0] && json_object_is_type(av[0], json_type_string))
			l = json_object_get_string_len(av[0]);
		return json_object_new_int64(l);
	}
	if (strcmp(fn, "truncate") == 0) {
		NEED(2);
		char *s = value_text(x, av[0]);
		int64_t w = av[1] && json_object_is_type(av[1], json_type_int) ? json_object_get_int64(av[1]) : 0;
		size_t i = 0, cps = 0, l = strlen(s);
		while (i < l && (int64_t)cps < w) {
			size_t k = cs_utf8_seqlen((const unsigned char *)s + i, l - i);
			i += k ? k : 1;
			cps++;
		}
		json_object *r = json_object_new_string_len(s, (int)i);
		free(s);
		return r;
	}
	/* upper, lower, title */
	NEED(1);
	char *s = value_text(x, av[0]);
	bool start = true;
	for (char *p = s; *p; p++) {
		if (fn[0] == 'u')
			*p = (char)toupper((unsigned char)*p);
		else if (fn[0] == 'l')
			*p = (char)tolower((unsigned char)*p);
		else {
			if (start)
				*p = (char)toupper((unsigned char)*p);
			start = !isalnum((unsigned char)*p);
		}
	}
	json_object *r = json_object_new_string(s);
	free(s);
	return r;
#undef NEED
}

static json_object *eval_arg(exec *x, json_object *dot, const arg *a)
{
	switch (a->kind) {
	case A_FIELD: return field(x, dot, a);
	case A_STRING: return json_object_new_string(a->str);
	case A_NUMBER: return json_object_new_int64(a->num);
	case A_FUNC: return NULL;
	}
	return NULL;
}

static json_object *eval_pipe(exec *x, json_object *dot, const pipeline *pl)
{
	json_object *prev = NULL;
	bool have_prev = false;
	for (size_t i = 0; i < pl->ncmds && !x->err; i++) {
		const command *c = &pl->cmds[i];
		if (c->args[0].kind != A_FUNC) {
			if (have_prev) {
				json_object_put(prev);
				xerr(x, "template: only a function can follow `|`");
				return NULL;
			}
			prev = eval_arg(x, dot, &c->args[0]);
			have_prev = true;
			continue;
		}
		size_t n = c->nargs - 1 + (have_prev ? 1 : 0);
		json_object **av = cs_xcalloc(n + 1, sizeof(*av));
		for (size_t k = 1; k < c->nargs; k++)
			av[k - 1] = eval_arg(x, dot, &c->args[k]);
		if (have_prev)
			av[n - 1] = prev;
		json_object *r = x->err ? NULL : call(x, c->args[0].path[0], av, n);
		for (size_t k = 0; k < n; k++)
			json_object_put(av[k]);
		free(av);
		prev = r;
		have_prev = true;
	}
	if (x->err) {
		json_object_put(prev);
		return NULL;
	}
	return prev;
}

static void run_list(exec *x, json_object *dot, const list *l)
{
	for (size_t i = 0; i < l->n && !x->err; i++) {
		const node *n = l->v[i];
		switch (n->kind) {
		case N_TEXT:
			(void)cs_buf_puts(x->out, n->text);
			break;
		case N_ACTION: {
			json_object *v = eval_pipe(x, dot, &n->pipe);
			if (!x->err) {
				/* a function's string result (json, join...) is already
				 * safe or made of printed values: escape values only */
				bool fn = n->pipe.cmds[n->pipe.ncmds - 1].args[0].kind == A_FUNC &&
					  strcmp(n->pipe.cmds[n->pipe.ncmds - 1].args[0].path[0], "json") == 0;
				bool esc = x->escape;
				if (fn)
					x->escape = false;
				print_value(x, x->out, v, 0);
				x->escape = esc;
			}
			json_object_put(v);
			break;
		}
		case N_IF: {
			json_object *v = eval_pipe(x, dot, &n->pipe);
			if (!x->err)
				run_list(x, dot, truthy(v) ? &n->body : &n->alt);
			json_object_put(v);
			break;
		}
		case N_RANGE: {
			json_object *v = eval_pipe(x, dot, &n->pipe);
			if (x->err) {
				json_object_put(v);
				break;
			}
			if (!truthy(v)) {
				run_list(x, dot, &n->alt);
			} else if (json_object_is_type(v, json_type_array)) {
				for (size_t k = 0; k < json_object_array_length(v) && !x->err; k++)
					run_list(x, json_object_array_get_idx(v, k), &n->body);
			} else if (json_object_is_type(v, json_type_object)) {
				json_object_object_foreach(v, key, val) {
					(void)key;
					if (x->err)
						break;
					run_list(x, val, &n->body);
				}
			} else {
				xerr(x, "template: range over a value that is not a list or a map");
			}
			json_object_put(v);
			break;
		}
		}
	}
}

int cs_template_exec(const cs_template *t, const char *json, bool escape, cs_buf *out, cs_error *e)
{
	json_object *dot = NULL;
	int r = cs_json_parse(json, strlen(json), &dot, e);
	if (r < 0)
		return r;
	exec x = {.out = out, .escape = escape, .e = e};
	run_list(&x, dot, &t->root);
	json_object_put(dot);
	return x.err;
}
