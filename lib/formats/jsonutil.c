/* jsonutil.c - see jsonutil.h. */
#include "formats/jsonutil.h"

#include <string.h>

int cs_json_parse(const char *text, size_t len, json_object **ret, cs_error *e)
{
	*ret = NULL;
	if (len > INT32_MAX)
		return cs_err(e, -EFBIG, "JSON text too large");
	json_tokener *tok = json_tokener_new_ex(CS_JSON_MAX_DEPTH);
	if (!tok)
		return cs_err(e, -ENOMEM, "out of memory");
	json_object *o = json_tokener_parse_ex(tok, text, (int)len);
	enum json_tokener_error jerr = json_tokener_get_error(tok);
	size_t off = tok->char_offset;
	json_tokener_free(tok);
	if (!o || jerr != json_tokener_success) {
		json_object_put(o);
		if (jerr == json_tokener_continue || (jerr == json_tokener_success && !o))
			return cs_err(e, -EBADMSG, "truncated JSON (ends after %zu bytes)", len);
		return cs_err(e, -EBADMSG, "invalid JSON at byte %zu: %s", off,
			      json_tokener_error_desc(jerr));
	}
	/* only white space may follow */
	for (size_t i = off; i < len; i++) {
		char c = text[i];
		if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
			json_object_put(o);
			return cs_err(e, -EBADMSG, "unexpected data after JSON at byte %zu", i);
		}
	}
	*ret = o;
	return 0;
}

int cs_json_load(cs_source *src, const char *path, size_t max, json_object **ret,
		 char **ret_text, cs_error *e)
{
	char *text;
	size_t len;
	*ret = NULL;
	int r = cs_source_read_file(src, path, max, &text, &len, e);
	if (r < 0)
		return r;
	r = cs_json_parse(text, len, ret, e);
	if (r < 0)
		cs_err_prefix(e, "`%s`", path);
	if (r < 0 || !ret_text)
		free(text);
	else
		*ret_text = text;
	return r;
}

json_object *cs_json_get(json_object *o, const char *key)
{
	json_object *v = NULL;
	if (!o || !json_object_is_type(o, json_type_object))
		return NULL;
	if (!json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

json_object *cs_json_get_obj(json_object *o, const char *key)
{
	json_object *v = cs_json_get(o, key);
	return v && json_object_is_type(v, json_type_object) ? v : NULL;
}

json_object *cs_json_get_arr(json_object *o, const char *key)
{
	json_object *v = cs_json_get(o, key);
	return v && json_object_is_type(v, json_type_array) ? v : NULL;
}

const char *cs_json_str(json_object *o, const char *key)
{
	json_object *v = cs_json_get(o, key);
	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

char *cs_json_strdup(json_object *o, const char *key)
{
	return cs_xstrdup(cs_json_str(o, key));
}

bool cs_json_bool(json_object *o, const char *key)
{
	json_object *v = cs_json_get(o, key);
	return v && json_object_is_type(v, json_type_boolean) && json_object_get_boolean(v);
}

int64_t cs_json_i64(json_object *o, const char *key, int64_t def)
{
	json_object *v = cs_json_get(o, key);
	if (!v || !(json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)))
		return def;
	return json_object_get_int64(v);
}

char **cs_json_strv(json_object *o, const char *key)
{
	json_object *a = cs_json_get_arr(o, key);
	size_t n = a ? json_object_array_length(a) : 0;
	char **v = cs_xcalloc(n + 1, sizeof(char *));
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		json_object *x = json_object_array_get_idx(a, i);
		if (x && json_object_is_type(x, json_type_string))
			v[k++] = cs_xstrdup(json_object_get_string(x));
	}
	return v;
}

char **cs_json_labels(json_object *o)
{
	if (!o || !json_object_is_type(o, json_type_object))
		return NULL;
	size_t n = 0;
	char **v = cs_xcalloc((size_t)json_object_object_length(o) + 1, sizeof(char *));
	json_object_object_foreach(o, key, val) {
		if (n >= 4096)
			break;
		if (val && json_object_is_type(val, json_type_string))
			v[n++] = cs_xasprintf("%s=%s", key, json_object_get_string(val));
	}
	cs_strv_sort(v);
	return v;
}

char *cs_json_dump(json_object *o, bool pretty)
{
	int fl = JSON_C_TO_STRING_NOSLASHESCAPE |
		 (pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED : JSON_C_TO_STRING_PLAIN);
	return cs_xstrdup(json_object_to_json_string_ext(o, fl));
}
