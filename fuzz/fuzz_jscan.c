/* fuzz_jscan - the JSON cursor (lib/formats/jscan.c), driven as the readers
 * drive it, against a strict reference and json-c's strict parser.
 *
 * Input: JSON text. Checks:
 * 1. Driving the cursor as a reader does (entering objects and arrays,
 *    taking strings, integers, booleans, labels objects and string arrays
 *    by member name, whatever the value's type, skipping the rest) accepts or rejects exactly what a
 *    plain skip of the whole document accepts: a getter given a value of
 *    another type consumes that value, no more, no less.
 * 2. The cursor accepts exactly RFC 8259 JSON, as checked by a small
 *    independent validator (fz_json_strict(), in fuzz_common.c), with the
 *    same nesting bound (64), and with json-c's leniency in strings: raw
 *    control characters other than NUL, and bytes that are not UTF-8
 *    (Go reads U+FFFD for those; csleuth's output repairs them the same way).
 * 3. json-c's parser with JSON_TOKENER_STRICT accepts everything the
 *    cursor accepts. json-c accepts more, and that is documented, not
 *    followed: numbers with leading zeros ("00", "-01") or a bare trailing
 *    dot ("1."), NaN and Infinity, which neither RFC 8259 nor Go (the
 *    engine, which wrote the evidence and reads it back) take.
 * 4. A document that is one string decodes to json-c's bytes (both turn a
 *    lone surrogate escape into U+FFFD).
 */
#include <json-c/json.h>
#include <string.h>

#include "formats/jscan.h"
#include "fuzz.h"

#define DEPTH 64 /* the cursor's bound */

static unsigned hash(const char *s, unsigned salt)
{
	unsigned h = 2166136261u ^ salt;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* One value, consumed the way some reader would consume it. */
static void drive(cs_jscan *s, unsigned how, int depth)
{
	switch (how % 10) {
	case 0: free(cs_jscan_string(s)); break;
	case 1: (void)cs_jscan_int(s, -1); break;
	case 2: (void)cs_jscan_bool(s); break;
	case 3:
		if (cs_jscan_object(s))
			while (cs_jscan_member(s))
				drive(s, hash(s->key, (unsigned)depth), depth + 1);
		break;
	case 4: {
		unsigned i = 0;
		if (cs_jscan_array(s))
			while (cs_jscan_element(s))
				drive(s, how / 8 + i++, depth + 1);
		break;
	}
	case 5:
		(void)cs_jscan_peek(s);
		cs_jscan_skip(s);
		break;
	case 6:
		/* what scan_time does: null is "never", else a string */
		if (cs_jscan_peek(s) == CS_JNULL)
			cs_jscan_skip(s);
		else
			free(cs_jscan_string(s));
		break;
	case 7: cs_strv_free(cs_jscan_labels(s)); break;
	case 8: cs_strv_free(cs_jscan_strv(s, how / 16 % 4)); break;
	default:
		/* the Health shape: peek, then enter only what it is */
		if (cs_jscan_peek(s) == CS_JOBJECT)
			drive(s, 3, depth);
		else if (cs_jscan_peek(s) == CS_JARRAY)
			drive(s, 4, depth);
		else
			cs_jscan_skip(s);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	cs_jscan s;
	cs_error e;

	cs_jscan_init(&s, text, size);
	cs_jscan_skip(&s);
	int plain = cs_jscan_finish(&s, &e);

	for (unsigned how = 0; how < 8; how++) {
		cs_jscan_init(&s, text, size);
		drive(&s, how, 0);
		int driven = cs_jscan_finish(&s, &e);
		FZ_CHECK((plain == 0) == (driven == 0), "plain skip %d, driven (%u) %d: %s", plain, how,
			 driven, e.msg);
	}

	bool ref_ok = fz_json_strict(text, size, DEPTH, false);
	FZ_CHECK(ref_ok == (plain == 0), "the reference says %s, the cursor says %s",
		 ref_ok ? "valid" : "invalid", plain == 0 ? "valid" : e.msg);

	/* json-c, strict */
	json_tokener *tok = json_tokener_new_ex(DEPTH);
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	json_object *o = size <= INT32_MAX ? json_tokener_parse_ex(tok, text, (int)size) : NULL;
	enum json_tokener_error jerr = json_tokener_get_error(tok);
	size_t off = tok->char_offset;
	if (!o && jerr == json_tokener_continue) {
		/* the end of the input ends a number at the top level */
		o = json_tokener_parse_ex(tok, "", 1);
		jerr = json_tokener_get_error(tok);
		off = size;
	}
	bool ok = jerr == json_tokener_success;
	for (size_t i = off; ok && i < size; i++)
		if (text[i] != ' ' && text[i] != '\t' && text[i] != '\r' && text[i] != '\n')
			ok = false; /* json-c stops after one value; only white space may follow */
	json_tokener_free(tok);
	FZ_CHECK(ok || plain != 0, "the cursor takes what json-c refuses (%s at %zu)",
		 json_tokener_error_desc(jerr), off);

	if (ok && plain == 0 && o && json_object_is_type(o, json_type_string)) {
		cs_jscan_init(&s, text, size);
		char *v = cs_jscan_string(&s);
		size_t jl = (size_t)json_object_get_string_len(o);
		const char *jv = json_object_get_string(o);
		/* the cursor's strings are C strings: compare up to a NUL */
		size_t cmp = strnlen(jv, jl);
		FZ_CHECK(v && strlen(v) == cmp && memcmp(v, jv, cmp) == 0, "string decodes differ");
		free(v);
	}
	json_object_put(o);
	return 0;
}
