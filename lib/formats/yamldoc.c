/* yamldoc.c - see yamldoc.h. */
#include "formats/yamldoc.h"

#include <string.h>
#include <yaml.h>

typedef struct frame {
	json_object *node;
	char *key; /* a mapping waiting for its value: the key, else NULL */
} frame;

static json_object *scalar(const yaml_event_t *ev)
{
	const char *v = (const char *)ev->data.scalar.value;
	size_t n = ev->data.scalar.length;
	if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return json_object_new_string_len(v, (int)n);
	if (n == 0 || (n == 1 && v[0] == '~') || strcmp(v, "null") == 0 || strcmp(v, "Null") == 0 ||
	    strcmp(v, "NULL") == 0)
		return NULL;
	if (strcmp(v, "true") == 0 || strcmp(v, "True") == 0 || strcmp(v, "TRUE") == 0)
		return json_object_new_boolean(1);
	if (strcmp(v, "false") == 0 || strcmp(v, "False") == 0 || strcmp(v, "FALSE") == 0)
		return json_object_new_boolean(0);
	int64_t x;
	if (n < 20 && cs_parse_i64(v, &x) == 0 && (v[0] != '0' || n == 1) && !(v[0] == '-' && v[1] == '0'))
		return json_object_new_int64(x);
	return json_object_new_string_len(v, (int)n);
}

/* Adds child to the top frame (an array, or a mapping with a pending key,
 * or as the key itself). Returns false if the child must become a key but is
 * not a scalar. */
static bool attach(frame *top, json_object *child, const yaml_event_t *ev, bool *is_key)
{
	*is_key = false;
	if (json_object_is_type(top->node, json_type_array)) {
		json_object_array_add(top->node, child);
		return true;
	}
	if (!top->key) {
		if (!ev || ev->type != YAML_SCALAR_EVENT)
			return false;
		top->key = cs_xstrndup((const char *)ev->data.scalar.value, ev->data.scalar.length);
		json_object_put(child);
		*is_key = true;
		return true;
	}
	json_object_object_add(top->node, top->key, child);
	free(top->key);
	top->key = NULL;
	return true;
}

int cs_yaml_parse(const char *text, size_t len, json_object **ret, cs_error *e)
{
	*ret = NULL;
	yaml_parser_t p;
	if (!yaml_parser_initialize(&p))
		return cs_err(e, -ENOMEM, "YAML: cannot create a parser");
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	frame st[CS_YAML_MAX_DEPTH + 1];
	int depth = 0;
	size_t nodes = 0;
	json_object *root = NULL;
	bool have_root = false, done = false;
	int rc = 0;
	while (!done) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&p, &ev)) {
			rc = cs_err(e, -EBADMSG, "not YAML: %s at line %zu, column %zu",
				    p.problem ? p.problem : "parse error", p.problem_mark.line + 1,
				    p.problem_mark.column + 1);
			break;
		}
		json_object *node = NULL;
		bool open = false;
		switch (ev.type) {
		case YAML_DOCUMENT_END_EVENT:
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_ALIAS_EVENT:
			rc = cs_err(e, -EBADMSG, "YAML alias at line %zu: not accepted", ev.start_mark.line + 1);
			done = true;
			break;
		case YAML_SCALAR_EVENT:
			node = scalar(&ev);
			break;
		case YAML_SEQUENCE_START_EVENT:
			node = json_object_new_array();
			open = true;
			break;
		case YAML_MAPPING_START_EVENT:
			node = json_object_new_object();
			open = true;
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			if (depth > 0) {
				depth--;
				free(st[depth].key);
			}
			break;
		default:
			break;
		}
		if (rc == 0 && (ev.type == YAML_SCALAR_EVENT || open)) {
			if (++nodes > CS_YAML_MAX_NODES) {
				json_object_put(node);
				rc = cs_err(e, -EFBIG, "YAML: more than %d nodes", CS_YAML_MAX_NODES);
				done = true;
			} else if (depth == 0) {
				if (have_root) {
					json_object_put(node);
				} else {
					root = node;
					have_root = true;
				}
				if (open) {
					st[depth++] = (frame){.node = node};
				}
			} else {
				bool is_key;
				if (!attach(&st[depth - 1], node, &ev, &is_key)) {
					json_object_put(node);
					rc = cs_err(e, -EBADMSG, "YAML: a mapping key at line %zu is not a scalar",
						    ev.start_mark.line + 1);
					done = true;
				} else if (open) {
					if (depth >= CS_YAML_MAX_DEPTH) {
						rc = cs_err(e, -EBADMSG, "YAML nested deeper than %d levels",
							    CS_YAML_MAX_DEPTH);
						done = true;
					} else {
						st[depth++] = (frame){.node = node};
					}
				}
			}
		}
		yaml_event_delete(&ev);
	}
	while (depth > 0)
		free(st[--depth].key);
	yaml_parser_delete(&p);
	if (rc < 0) {
		json_object_put(root);
		return rc;
	}
	*ret = root;
	return 0;
}

int cs_yaml_load(cs_source *src, const char *path, size_t max, json_object **ret, char **ret_text, cs_error *e)
{
	char *text;
	size_t n;
	int r = cs_source_read_file(src, path, max, &text, &n, e);
	if (r < 0)
		return r;
	r = cs_yaml_parse(text, n, ret, e);
	if (r < 0)
		cs_err_prefix(e, "`%s`", path);
	if (ret_text && r == 0)
		*ret_text = text;
	else
		free(text);
	return r;
}
