/* fuzz_logs_local - the local driver's protobuf LogEntry (lib/logs/
 * logs_format.c) and the same bytes as a local log streamed by the reader
 * (lib/logs/logs.c): frames, trailers, resynchronisation after damage.
 *
 * Checks: a decoded entry's source, text and partial id lie inside the
 * input; the reader's offsets lie within the file and never go back. Oracle
 * for the reader: when an independent walk finds the file to be whole
 * frames only (length, entry, the same length again), each of whose
 * entries decodes whole with a source, the reader yields one record per
 * frame, at the frame's offset, with the entry's text.
 */
#include <string.h>

#include "fuzz.h"
#include "logs/logs.h"

static bool inside(const void *p, size_t n, const uint8_t *a, size_t an)
{
	const uint8_t *q = p;
	return n == 0 || (q >= a && q + n <= a + an);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cs_log_record r;
	const char *why = NULL;
	size_t eo = 0;
	int k = cs_log_decode_entry(data, size, &r, &why, &eo);
	FZ_CHECK(k == 0 || k == 1 || k == -EBADMSG, "returned %d", k);
	if (k != 0)
		FZ_CHECK(why && eo <= size, "no reason, or a bad offset");
	if (k >= 0)
		FZ_CHECK(inside(r.source, r.source_len, data, size) && inside(r.text, r.len, data, size) &&
				 (!r.has_meta || inside(r.partial_id, r.partial_id_len, data, size)),
			 "a field points outside the entry");

	/* an independent walk over whole frames */
	size_t frames = 0;
	bool whole = true;
	uint64_t offs[64];
	for (size_t at = 0; at < size && whole;) {
		if (size - at < 8) {
			whole = false;
			break;
		}
		uint32_t len = be32(data + at);
		if (len == 0 || len > CS_LOGS_LOCAL_MAX_FRAME || size - at - 8 < len ||
		    be32(data + at + 4 + len) != len) {
			whole = false;
			break;
		}
		cs_log_record t;
		if (cs_log_decode_entry(data + at + 4, len, &t, &why, &eo) != 0 || t.source_len == 0)
			whole = false;
		if (frames < 64)
			offs[frames] = at;
		frames++;
		at += (size_t)len + 8;
	}

	fz_reset();
	fz_write("container.log", data, size);
	cs_source *src = fz_open_root();
	cs_error e = {0};
	cs_logs_opts o;
	cs_logs_opts_init(&o);
	static fz_diags d;
	fz_diags_clear(&d);
	o.diag = fz_diag;
	o.diag_userdata = &d;
	bool plain = size % 3 != 0;
	if (!plain) {
		o.join = size & 1;
		o.tail = (int64_t)(size % 7) - 1;
	}
	const char *paths[] = {"container.log"};
	cs_logs *lr;
	if (cs_logs_open_files(src, CS_LOG_LOCAL, paths, 1, &o, &lr, &e) == 0) {
		const cs_log_record *rec;
		uint64_t last = 0;
		size_t n = 0;
		while (cs_logs_next(lr, &rec, &e) > 0) {
			FZ_CHECK(rec->offset < size && (rec->offset >= last || o.join), "offset %llu",
				 (unsigned long long)rec->offset);
			if (plain && whole && n < 64 && n < frames)
				FZ_CHECK(rec->offset == offs[n], "record %zu at %llu, frame at %llu", n,
					 (unsigned long long)rec->offset, (unsigned long long)offs[n]);
			last = rec->offset;
			n++;
		}
		if (plain && whole)
			FZ_CHECK(n == frames, "%zu records from %zu whole frames: %s", n, frames,
				 d.text ? d.text : "");
		cs_logs_close(lr);
	}
	cs_source_close(src);
	return 0;
}
