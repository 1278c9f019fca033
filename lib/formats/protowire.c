/* protowire.c - protocol buffers wire format and Go varints (see protowire.h). */
#include "formats/protowire.h"

#include <errno.h>
#include <string.h>

int cs_uvarint(const uint8_t **pp, const uint8_t *end, uint64_t *ret)
{
	const uint8_t *p = *pp;
	uint64_t v = 0;
	for (unsigned i = 0; i < 10; i++) {
		if (p >= end)
			return -EBADMSG;
		uint8_t b = *p++;
		if (i == 9 && b > 1)
			return -EBADMSG; /* overflows 64 bits */
		v |= (uint64_t)(b & 0x7f) << (7 * i);
		if (!(b & 0x80)) {
			*pp = p;
			*ret = v;
			return 0;
		}
	}
	return -EBADMSG;
}

int cs_go_uvarint(const uint8_t *p, size_t len, uint64_t *ret)
{
	const uint8_t *q = p;
	if (cs_uvarint(&q, p + len, ret) < 0 || q != p + len)
		return -EBADMSG;
	return 0;
}

int cs_go_varint(const uint8_t *p, size_t len, int64_t *ret)
{
	uint64_t u;
	if (cs_go_uvarint(p, len, &u) < 0)
		return -EBADMSG;
	*ret = (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
	return 0;
}

void cs_pb_init(cs_pb *r, const uint8_t *p, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->p = r->start = p;
	r->end = p + len;
}

static int pb_fail(cs_pb *r, const uint8_t *at, const char *why)
{
	r->why = why;
	r->err_off = (size_t)(at - r->start);
	r->p = r->end;
	return -EBADMSG;
}

int cs_pb_next(cs_pb *r, cs_pb_field *f)
{
	if (r->why)
		return -EBADMSG;
	if (r->p >= r->end)
		return 0;
	const uint8_t *at = r->p;
	uint64_t tag;
	if (cs_uvarint(&r->p, r->end, &tag) < 0)
		return pb_fail(r, at, "bad field tag");
	memset(f, 0, sizeof(*f));
	f->wire = (int)(tag & 7);
	uint64_t num = tag >> 3;
	if (num == 0 || num > 0x1fffffff)
		return pb_fail(r, at, "bad field number");
	f->num = (uint32_t)num;
	switch (f->wire) {
	case CS_PB_VARINT:
		if (cs_uvarint(&r->p, r->end, &f->u) < 0)
			return pb_fail(r, at, "bad varint");
		return 1;
	case CS_PB_I64:
		if (r->end - r->p < 8)
			return pb_fail(r, at, "fixed64 cut short");
		for (int i = 7; i >= 0; i--)
			f->u = (f->u << 8) | r->p[i];
		r->p += 8;
		return 1;
	case CS_PB_I32:
		if (r->end - r->p < 4)
			return pb_fail(r, at, "fixed32 cut short");
		for (int i = 3; i >= 0; i--)
			f->u = (f->u << 8) | r->p[i];
		r->p += 4;
		return 1;
	case CS_PB_LEN: {
		uint64_t n;
		if (cs_uvarint(&r->p, r->end, &n) < 0)
			return pb_fail(r, at, "bad length");
		if (n > (uint64_t)(r->end - r->p))
			return pb_fail(r, at, "length runs past the end");
		f->data = r->p;
		f->len = (size_t)n;
		r->p += n;
		return 1;
	}
	default:
		return pb_fail(r, at, "unsupported wire type");
	}
}

int cs_pb_any(const uint8_t *p, size_t len, const uint8_t **ret_url, size_t *ret_url_len,
	      const uint8_t **ret_val, size_t *ret_val_len, const char **why)
{
	static const uint8_t none[1];
	cs_pb r;
	cs_pb_field f;
	cs_pb_init(&r, p, len);
	*ret_url = *ret_val = none;
	*ret_url_len = *ret_val_len = 0;
	int k;
	while ((k = cs_pb_next(&r, &f)) > 0) {
		if (f.num == 1 && f.wire == CS_PB_LEN) {
			*ret_url = f.data;
			*ret_url_len = f.len;
		} else if (f.num == 2 && f.wire == CS_PB_LEN) {
			*ret_val = f.data;
			*ret_val_len = f.len;
		} else if (f.num <= 2) {
			*why = "Any field of the wrong wire type";
			return -EBADMSG;
		}
	}
	if (k < 0) {
		*why = r.why;
		return -EBADMSG;
	}
	return 0;
}
