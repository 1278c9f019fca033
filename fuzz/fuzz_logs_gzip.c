/* fuzz_logs_gzip - gzip'd log rotations as the reader inflates them (lib/
 * logs/logs.c): several members, streams cut short, bytes after the
 * compressed data, and the bound on how far a file may inflate.
 *
 * Input: a flags byte, then the rest.
 *   flags & 1: the rest is the .gz file itself (mutated gzip data);
 *   else the rest is a log's plain content, which this target compresses
 *   into 1 + (flags >> 4) members and then, with flags & 2, cuts short, or
 *   with flags & 4, follows with bytes that are not gzip.
 *   flags & 8: the local format, else json-file.
 *
 * Oracle: a whole compressed log (not cut, nothing after it) yields exactly
 * the records the same content yields as a plain file: the same texts,
 * streams, times and (inflated) offsets (unless the content itself starts
 * like gzip: files are told apart by their first bytes).
 */
#include <string.h>
#include <zlib.h>

#include "fuzz.h"
#include "logs/logs.h"

typedef struct rec {
	uint64_t offset;
	cs_time time;
	int stream;
	size_t len;
	uint32_t crc;
} rec;

static size_t read_all(cs_source *src, cs_log_format fmt, const char *path, rec *out, size_t max,
		       fz_diags *d)
{
	cs_logs_opts o;
	cs_logs_opts_init(&o);
	o.diag = fz_diag;
	o.diag_userdata = d;
	o.gzip_floor = 1 << 20; /* the bound is reached within the fuzzer's sizes */
	o.gzip_ratio = 64;
	const char *paths[] = {path};
	cs_logs *lr;
	cs_error e;
	size_t n = 0;
	if (cs_logs_open_files(src, fmt, paths, 1, &o, &lr, &e) < 0)
		return 0;
	const cs_log_record *r;
	while (cs_logs_next(lr, &r, &e) > 0) {
		if (n < max)
			out[n] = (rec){r->offset, r->time, r->stream, r->len,
				       (uint32_t)crc32(0, (const Bytef *)r->text, (uInt)r->len)};
		n++;
	}
	cs_logs_close(lr);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	unsigned flags = data[0];
	const uint8_t *body = data + 1;
	size_t n = size - 1;
	cs_log_format fmt = flags & 8 ? CS_LOG_LOCAL : CS_LOG_JSONFILE;
	fz_reset();
	bool whole = false;
	if (flags & 1) {
		fz_write("x.log.1.gz", body, n);
	} else {
		unsigned members = 1 + (flags >> 4);
		size_t cap = compressBound((uLong)n) + 64 * members + 64;
		uint8_t *gz = malloc(cap);
		size_t gl = 0;
		for (unsigned m = 0; m < members; m++) {
			size_t a = n * m / members, b = n * (m + 1) / members;
			z_stream z = {0};
			if (deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
				abort();
			z.next_in = (Bytef *)(uintptr_t)(body + a);
			z.avail_in = (uInt)(b - a);
			z.next_out = gz + gl;
			z.avail_out = (uInt)(cap - gl);
			if (deflate(&z, Z_FINISH) != Z_STREAM_END)
				abort();
			gl = cap - z.avail_out;
			deflateEnd(&z);
		}
		whole = !(flags & 6);
		if (flags & 2)
			gl = gl * (flags >> 4 | 1) / 17; /* cut short */
		if (flags & 4) {
			memcpy(gz + gl, "not gzip", 8);
			gl += 8;
		}
		fz_write("x.log.1.gz", gz, gl);
		free(gz);
		fz_write("x.log", body, n);
	}
	cs_source *src = fz_open_root();
	static rec a[256], b[256];
	static fz_diags d1, d2;
	fz_diags_clear(&d1);
	fz_diags_clear(&d2);
	size_t na = read_all(src, fmt, "x.log.1.gz", a, 256, &d1);
	/* (a plain file that starts with gzip's magic is read as gzip: the
	 * reader decides by content, as it must, so there is nothing to compare) */
	if (whole && n <= (1 << 20) && !(n >= 2 && body[0] == 0x1f && body[1] == 0x8b)) {
		size_t nb = read_all(src, fmt, "x.log", b, 256, &d2);
		FZ_CHECK(na == nb, "%zu records from gzip, %zu from the plain file", na, nb);
		for (size_t i = 0; i < na && i < 256; i++)
			FZ_CHECK(a[i].offset == b[i].offset && a[i].time == b[i].time &&
					 a[i].stream == b[i].stream && a[i].len == b[i].len && a[i].crc == b[i].crc,
				 "record %zu differs", i);
	}
	cs_source_close(src);
	return 0;
}
