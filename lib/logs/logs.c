/* logs.c - the log reader: which files, in which order, and a streaming
 * walk through them (see logs.h for the formats).
 *
 * Files. A driver's files are found by listing the directory once: the
 * current file and every `<name>.<N>` / `<name>.<N>.gz` beside it, read from
 * the highest N (the oldest) to the current file, the way the engine reads
 * them. Whether a file is gzip'd is decided by its first bytes, not its name.
 * When both `.N` and `.N.gz` exist, the engine was compressing `.N` when it
 * stopped; `.N` is whole and is the one read. A file that is not a regular
 * file (a directory, a symbolic link, a device) is reported and passed over:
 * the engine never makes anything else there.
 *
 * Input. Each file is read through one window buffer: plain files with large
 * preads, gzip'd ones inflated incrementally (several members allowed). The
 * window grows only to hold the longest record, up to max_record; a longer
 * json-file line is reported and skipped, and the window does not grow for
 * it. So memory is bounded by the longest record, never by the log.
 *
 * Damage. A json-file line that fails to parse is reported with its offset;
 * if another record starts later on the same line (the engine restarted
 * after a crash cut a line short), reading resumes there, and the cut piece
 * is kept as a truncated record when its text can be read. A local frame
 * whose length is absurd, whose trailer disagrees or whose entry does not
 * decode is reported, and the reader scans forward for the next offset where
 * a whole frame agrees with itself and decodes. A gzip stream that ends early
 * or is corrupt gives up the rest of that file only. A record cut short by
 * the end of a file is kept and flagged.
 *
 * Tail. Like the engine, --tail counts stored records from the end before any
 * other filter: plain files are scanned backwards (newlines, or local frame
 * trailers), gzip'd ones are counted forwards.
 *
 * Rotation gaps. With max-file=N the engine deletes the oldest file when it
 * rotates with N files present. If the oldest file rotation can hold is
 * there, older records were probably discarded; the reader says so once, with
 * the time of the oldest surviving record. A rotated file missing between
 * two present ones is a hole, reported as such.
 */
#include "logs/logs.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "formats/jscan.h"
#include "logs/logs_internal.h"

#ifndef CS_FUZZING
#define WINDOW_INIT ((size_t)1 << 20)	/* first window size */
#define READ_CHUNK  ((size_t)1 << 20)	/* largest single read */
#define ZIN_CHUNK   ((size_t)256 << 10) /* compressed input per read */
#else
/* fuzzing: small windows, so that the fuzzer's small inputs cross their
 * edges (and each run stays cheap) */
#define WINDOW_INIT ((size_t)64)
#define READ_CHUNK  ((size_t)48)
#define ZIN_CHUNK   ((size_t)32)
#endif

/* ---------------------------------------------------------------------- */
/* Input: a window over a plain or gzip'd file */

typedef struct lin {
	cs_file *f;
	uint64_t fsize, fpos; /* raw file size and read position */
	bool gz, zinit, zend;
	z_stream z;
	unsigned char *zbuf;
	char *buf;	      /* window */
	size_t cap, pos, end; /* consumed up to pos, filled up to end */
	uint64_t base;	      /* stream offset of buf[0] */
	size_t max;	      /* the window never grows past this */
	uint64_t zmax;	      /* gzip: inflate no more than this */
	bool eof;	      /* no more data will come */
	int err;	      /* a read or inflate error ended the data early */
	char errmsg[160];
} lin;

static void lin_free(lin *in)
{
	if (in->zinit)
		inflateEnd(&in->z);
	free(in->zbuf);
	free(in->buf);
	if (in->f)
		cs_file_close(in->f);
	memset(in, 0, sizeof(*in));
}

static int lin_open(lin *in, cs_file *f, bool gz, uint64_t start, size_t max, unsigned zratio,
		    uint64_t zfloor)
{
	memset(in, 0, sizeof(*in));
	in->f = f;
	in->fsize = cs_file_size(f);
	in->gz = gz;
	in->max = max;
	in->zmax = in->fsize > UINT64_MAX / zratio ? UINT64_MAX : in->fsize * zratio;
	if (in->zmax < zfloor)
		in->zmax = zfloor;
	in->cap = WINDOW_INIT < max ? WINDOW_INIT : max;
	in->buf = cs_xmalloc(in->cap);
	int fd = cs_file_fd(f);
	if (fd >= 0)
		(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	if (gz) {
		in->zbuf = cs_xmalloc(ZIN_CHUNK);
		if (inflateInit2(&in->z, 16 + MAX_WBITS) != Z_OK)
			return -ENOMEM;
		in->zinit = true;
	} else {
		in->fpos = start;
		in->base = start;
	}
	return 0;
}

static void lin_error(lin *in, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void lin_error(lin *in, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(in->errmsg, sizeof(in->errmsg), fmt, ap);
	va_end(ap);
	in->err = code;
	in->eof = true;
}

/* Makes room after end: drops consumed bytes, grows within max. Returns the
 * room, 0 if the window is full of unconsumed data at max. */
static size_t lin_room(lin *in)
{
	if (in->pos > 0 && (in->end == in->cap || in->pos >= in->cap / 2)) {
		memmove(in->buf, in->buf + in->pos, in->end - in->pos);
		in->base += in->pos;
		in->end -= in->pos;
		in->pos = 0;
	}
	if (in->end == in->cap && in->cap < in->max) {
		size_t nc = in->cap * 2 < in->max ? in->cap * 2 : in->max;
		in->buf = cs_xrealloc(in->buf, nc);
		in->cap = nc;
	}
	return in->cap - in->end;
}

/* Reads more data into the window. Returns the bytes added, 0 at the end of
 * the data (or on an error, which is then in in->err), -EFBIG if the window
 * is full at its maximum. */
static ssize_t lin_more(lin *in)
{
	if (in->eof)
		return 0;
	size_t room = lin_room(in);
	if (!room)
		return -EFBIG;
	if (room > READ_CHUNK)
		room = READ_CHUNK;
	if (!in->gz) {
		ssize_t n = cs_file_pread(in->f, in->buf + in->end, room, in->fpos);
		if (n < 0) {
			lin_error(in, (int)n, "read error at byte %" PRIu64 ": %s", in->fpos,
				  cs_file_strerror(in->f, (int)n));
			return 0;
		}
		if (n == 0) {
			in->eof = true;
			return 0;
		}
		in->fpos += (uint64_t)n;
		in->end += (size_t)n;
		return n;
	}
	size_t before = in->end;
	while (in->end == before) {
		if (in->zend) {
			in->eof = true;
			return 0;
		}
		if (in->z.avail_in == 0) {
			ssize_t n = in->fpos < in->fsize
					    ? cs_file_pread(in->f, in->zbuf, ZIN_CHUNK, in->fpos)
					    : 0;
			if (n < 0) {
				lin_error(in, (int)n, "read error at byte %" PRIu64 ": %s",
					  in->fpos, strerror((int)-n));
				return 0;
			}
			if (n == 0) {
				lin_error(in, -EPIPE,
					  "the gzip stream ends early (truncated at byte %" PRIu64
					  " of the file)",
					  in->fpos);
				return 0;
			}
			in->z.next_in = in->zbuf;
			in->z.avail_in = (uInt)n;
			in->fpos += (uint64_t)n;
		}
		if (in->base + in->end >= in->zmax) {
			lin_error(in, -EFBIG,
				  "it inflates to more than %" PRIu64 " bytes, over %" PRIu64
				  " times its %" PRIu64 " compressed bytes (a decompression bomb?)",
				  in->zmax, in->fsize ? in->zmax / in->fsize : 0, in->fsize);
			return (ssize_t)(in->end - before);
		}
		in->z.next_out = (Bytef *)in->buf + in->end;
		in->z.avail_out = (uInt)(in->cap - in->end < room ? in->cap - in->end : room);
		if (in->z.avail_out > in->zmax - (in->base + in->end))
			in->z.avail_out = (uInt)(in->zmax - (in->base + in->end));
		uInt out_before = in->z.avail_out;
		int zr = inflate(&in->z, Z_NO_FLUSH);
		in->end += out_before - in->z.avail_out;
		if (zr == Z_STREAM_END) {
			/* another member may follow: look at the file's next two
			 * bytes (the input buffer may hold fewer than two) */
			uint64_t at = in->fpos - in->z.avail_in;
			unsigned char m[2];
			if (at >= in->fsize) {
				in->zend = true;
			} else if (cs_file_pread(in->f, m, 2, at) == 2 && m[0] == 0x1f && m[1] == 0x8b) {
				inflateReset(&in->z);
			} else {
				in->zend = true;
				lin_error(
					in, -EBADMSG,
					"%" PRIu64
					" bytes of something other than gzip after the compressed "
					"data, at byte %" PRIu64,
					in->fsize - at, at);
			}
		} else if (zr != Z_OK && !(zr == Z_BUF_ERROR && in->z.avail_in == 0)) {
			uint64_t at = in->fpos - in->z.avail_in;
			lin_error(in, -EBADMSG,
				  "corrupt gzip data near byte %" PRIu64 " of the file (%s)", at,
				  in->z.msg ? in->z.msg : "inflate failed");
			return (ssize_t)(in->end - before);
		}
	}
	return (ssize_t)(in->end - before);
}

/* Ensures n bytes after pos, as far as the data goes. Returns the bytes
 * available (possibly fewer than n at the end), or -EFBIG. */
static ssize_t lin_need(lin *in, size_t n)
{
	while (in->end - in->pos < n) {
		ssize_t r = lin_more(in);
		if (r == -EFBIG)
			return r;
		if (r <= 0)
			break;
	}
	return (ssize_t)(in->end - in->pos);
}

/* ---------------------------------------------------------------------- */
/* The reader */

typedef struct logfile {
	char *path;
	bool gz;
	long rot; /* rotation number, 0 for the current file, -1 if unknown */
} logfile;

typedef struct acc {
	bool active, emitted;
	cs_log_record rec;
	cs_buf text;
	char *id;
	size_t id_len;
	char source[16];
} acc;

struct cs_logs {
	cs_source *src;
	cs_log_format fmt;
	cs_logs_opts o;
	logfile *files;
	size_t n_files, cap_files;
	const char **paths; /* for cs_logs_files */
	size_t cur;	    /* index of the file being read */
	bool open;	    /* a file is open in in */
	lin in;
	uint64_t skip;	     /* records to skip at the start of the current file (tail) */
	size_t start_file;   /* tail: first file to read */
	uint64_t start_off;  /* tail: offset in it (plain files) */
	uint64_t start_skip; /* tail: records to skip in it (gzip'd files) */
	bool skip_line;	     /* json: discarding an over-long line */
	uint64_t skip_from;
	uint64_t scan_to;    /* no '\n' in [the window's pos, scan_to): stream offsets */
	uint64_t work_start, work_end, work; /* resync work charged to one line */
	cs_buf scratch;
	cs_log_record raw;
	/* join */
	acc accs[3];
	bool have_pending;
	cs_log_record pending;
	cs_buf pending_text;
	char *pending_id;
	cs_log_record out;
	bool done;
	int mute;	   /* > 0: diagnostics are not reported or counted */
	size_t file_diags; /* reported for the current file */
	size_t warnings;
	char *gap_note; /* issued with the first record */
	cs_jrnl *jrnl;  /* journald: the open journal */
	char *jlabel;   /* journald: what records name as their file */
	uint64_t jskip; /* journald: entries to skip (tail) */
	cs_buf jtext;
};

void cs_logs_opts_init(cs_logs_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->since = CS_TIME_NEVER;
	o->until = CS_TIME_NEVER;
	o->tail = -1;
}

static void diag(cs_logs *r, cs_severity sev, const char *file, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void diag(cs_logs *r, cs_severity sev, const char *file, const char *fmt, ...)
{
	if (r->mute)
		return;
	if (sev == CS_WARN)
		r->warnings++;
	if (!r->o.diag)
		return;
	if (r->open && ++r->file_diags > 100) {
		if (r->file_diags == 101) {
			cs_diag d = {
				.severity = CS_NOTE,
				.file = file,
				.msg = "further problems in this file are counted, not listed"};
			r->o.diag(r->o.diag_userdata, &d);
		}
		return;
	}
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cs_diag d = {.severity = sev, .file = file, .msg = msg};
	r->o.diag(r->o.diag_userdata, &d);
}

static uint32_t be32(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;
	return (uint32_t)u[0] << 24 | (uint32_t)u[1] << 16 | (uint32_t)u[2] << 8 | u[3];
}

static cs_logs *logs_new(cs_source *src, cs_log_format fmt, const cs_logs_opts *o)
{
	cs_logs *r = cs_xcalloc(1, sizeof(*r));
	r->src = src;
	r->fmt = fmt;
	if (o)
		r->o = *o;
	else
		cs_logs_opts_init(&r->o);
	if (!r->o.max_record)
		r->o.max_record = CS_LOGS_MAX_RECORD;
	if (!r->o.gzip_ratio)
		r->o.gzip_ratio = CS_LOGS_GZIP_RATIO;
	if (!r->o.gzip_floor)
		r->o.gzip_floor = CS_LOGS_GZIP_FLOOR;
	if (r->o.max_record < 2 * CS_LOGS_LOCAL_MAX_FRAME + 16)
		r->o.max_record = 2 * CS_LOGS_LOCAL_MAX_FRAME + 16;
	r->scratch.max = r->o.max_record * 3 + 16; /* a U+FFFD per byte, at most */
	for (int i = 0; i < 3; i++)
		r->accs[i].text.max = r->o.max_record;
	r->pending_text.max = r->o.max_record * 3 + 16;
	return r;
}

static void add_file(cs_logs *r, const char *path, bool gz, long rot)
{
	logfile *f = CS_PUSH(r->files, r->n_files, r->cap_files);
	f->path = cs_xstrdup(path);
	f->gz = gz;
	f->rot = rot;
}

/* ---------------------------------------------------------------------- */
/* Opening files */

/* Checks what the evidence holds at path without following a final link,
 * and opens it if it is a regular file. Reports and returns <0 otherwise. */
static int open_checked(cs_logs *r, const char *path, cs_file **ret, bool *gz)
{
	cs_stat st;
	cs_error e = {0};
	int k = cs_source_stat(r->src, path, false, &st, &e);
	if (k < 0) {
		diag(r, CS_WARN, path, "%s: cannot read: %s", path, strerror(-k));
		return k;
	}
	if ((st.mode & 0170000) == 0120000) {
		char *t = NULL;
		(void)cs_source_readlink(r->src, path, &t, NULL);
		diag(r, CS_WARN, path,
		     "%s: offset 0: a symbolic link (to `%s`), which the engine never makes: not "
		     "read",
		     path, t ? t : "?");
		free(t);
		return -ELOOP;
	}
	if ((st.mode & 0170000) != 0100000) {
		const char *what =
			(st.mode & 0170000) == 0040000 ? "a directory" : "not a regular file";
		diag(r, CS_WARN, path, "%s: offset 0: %s, not a log file: not read", path, what);
		return -EINVAL;
	}
	cs_file *f;
	k = cs_source_open(r->src, path, &f, &e);
	if (k < 0) {
		diag(r, CS_WARN, path, "%s: cannot open: %s", path,
		     k == -EINVAL ? "not a regular file" : strerror(-k));
		return k;
	}
	unsigned char magic[2];
	*gz = cs_file_pread(f, magic, 2, 0) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
	*ret = f;
	return 0;
}

static int open_file(cs_logs *r, size_t i, uint64_t start)
{
	cs_file *f;
	bool gz;
	if (open_checked(r, r->files[i].path, &f, &gz) < 0)
		return -1;
	r->files[i].gz = gz;
	if (lin_open(&r->in, f, gz, gz ? 0 : start, r->o.max_record, r->o.gzip_ratio,
		     r->o.gzip_floor) < 0) {
		lin_free(&r->in);
		diag(r, CS_WARN, r->files[i].path, "%s: cannot start inflating", r->files[i].path);
		return -1;
	}
	r->open = true;
	r->skip_line = false;
	r->scan_to = 0;
	r->work_start = r->work_end = r->work = 0;
	r->file_diags = 0;
	return 0;
}

static void close_file(cs_logs *r)
{
	if (!r->open)
		return;
	if (r->in.err)
		diag(r, CS_WARN, r->files[r->cur].path, "%s: %s; the rest of this file is lost",
		     r->files[r->cur].path, r->in.errmsg);
	lin_free(&r->in);
	r->open = false;
}

/* ---------------------------------------------------------------------- */
/* Records from the current file */

static bool is_blank(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			return false;
	return true;
}

/* The next line of a line format: sets *line, *n and *offset; *last is true
 * for a final line without '\n'. Returns 1, or 0 at the end of the file.
 * Each byte is searched for '\n' once: when a line yields several records
 * (back to back, or cut short by the next), each call resumes the search
 * where the last one stopped (r->scan_to), not at the record. */
static int next_line(cs_logs *r, const char **line, size_t *n, uint64_t *offset, bool *last)
{
	lin *in = &r->in;
	size_t scanned = in->pos;
	if (r->scan_to > in->base + in->pos && r->scan_to <= in->base + in->end)
		scanned = (size_t)(r->scan_to - in->base);
	for (;;) {
		const char *nl = memchr(in->buf + scanned, '\n', in->end - scanned);
		if (nl)
			r->scan_to = in->base + (uint64_t)(nl - in->buf);
		else
			r->scan_to = in->base + in->end;
		if (nl) {
			size_t at = in->pos;
			in->pos = (size_t)(nl - in->buf) + 1;
			if (r->skip_line) {
				r->skip_line = false;
				diag(r, CS_WARN, r->files[r->cur].path,
				     "%s: offset %" PRIu64 ": a line of %" PRIu64
				     " bytes, longer than the %zu allowed: skipped",
				     r->files[r->cur].path, r->skip_from,
				     in->base + (uint64_t)(nl - in->buf) - r->skip_from,
				     r->o.max_record);
				scanned = in->pos;
				continue;
			}
			*line = in->buf + at;
			*n = (size_t)(nl - in->buf) - at;
			*offset = in->base + at;
			*last = false;
			return 1;
		}
		size_t consumed = scanned - in->pos;
		ssize_t k = lin_more(in);
		scanned = in->pos + consumed; /* the window may have moved */
		if (k > 0)
			continue;
		if (k == -EFBIG) {
			/* a line longer than the window may hold: drop what we have */
			if (!r->skip_line) {
				r->skip_line = true;
				r->skip_from = in->base + in->pos;
			}
			in->pos = in->end;
			scanned = in->pos;
			continue;
		}
		/* end of the data; an over-long last line is reported even when
		 * its length is an exact multiple of the window (nothing left) */
		if (r->skip_line) {
			r->skip_line = false;
			diag(r, CS_WARN, r->files[r->cur].path,
			     "%s: offset %" PRIu64 ": a last line of %" PRIu64
			     " bytes without a newline, longer than the %zu allowed: skipped",
			     r->files[r->cur].path, r->skip_from,
			     in->base + in->end - r->skip_from, r->o.max_record);
			in->pos = in->end;
			return 0;
		}
		if (in->pos == in->end)
			return 0;
		*line = in->buf + in->pos;
		*n = in->end - in->pos;
		*offset = in->base + in->pos;
		*last = true;
		in->pos = in->end;
		return 1;
	}
}

static int json_next(cs_logs *r)
{
	const char *path = r->files[r->cur].path;
	for (;;) {
		const char *line;
		size_t n;
		uint64_t off;
		bool last;
		if (r->fmt == CS_LOG_JSONFILE && !r->skip_line) {
			/* the engine's own shape, straight from the window: one pass */
			lin *in = &r->in;
			const char *p = in->buf + in->pos, *e = in->buf + in->end;
			const char *x = cs_log__json_fast(p, e, &r->scratch, &r->raw);
			if (x && x < e && *x == '\n') {
				r->raw.offset = in->base + in->pos;
				in->pos = (size_t)(x + 1 - in->buf);
				return 1;
			}
			if (x && x < e && *x == '{') {
				/* another record right behind, no newline between */
				uint64_t at = in->base + in->pos;
				r->raw.offset = at;
				diag(r, CS_NOTE, path,
				     "%s: offset %" PRIu64 ": two records on one line; the second "
				     "begins at offset %" PRIu64,
				     path, at, at + (uint64_t)(x - p));
				in->pos = (size_t)(x - in->buf);
				return 1;
			}
		}
		if (!next_line(r, &line, &n, &off, &last))
			return 0;
		if (off + n != r->work_end) {
			/* a new line: its resync work starts at zero */
			r->work_start = off;
			r->work_end = off + n;
			r->work = 0;
		}
		while (n > 0) {
			if (is_blank(line, n))
				break;
			/* Searching a damaged line for records may parse a byte more
			 * than once (from each candidate start); bound the total, so
			 * hostile lines cost time in proportion to their length. */
			if (r->work > 4 * (r->work_end - r->work_start) + ((uint64_t)1 << 20)) {
				diag(r, CS_WARN, path,
				     "%s: offset %" PRIu64 ": %zu bytes of damaged records skipped "
				     "(too costly to search for records in them)",
				     path, off, n);
				break;
			}
			const char *why = NULL;
			size_t eo = 0;
			int k = r->fmt == CS_LOG_CRI
					? cs_log_decode_cri(line, n, &r->raw, &why, &eo)
					: cs_log_decode_json(line, n, &r->scratch, &r->raw, &why,
							     &eo);
			r->work += k < 0 ? eo + 1 : n;
			if (k == 0) {
				r->raw.offset = off;
				if (r->raw.time == CS_TIME_INVALID)
					diag(r, CS_WARN, path,
					     "%s: offset %" PRIu64
					     ": the record's time is unreadable",
					     path, off);
				else if (r->raw.time == CS_TIME_NEVER && r->fmt == CS_LOG_JSONFILE)
					diag(r, CS_WARN, path,
					     "%s: offset %" PRIu64 ": the record has no time", path,
					     off);
				if (!r->raw.stream)
					diag(r, CS_WARN, path,
					     "%s: offset %" PRIu64 ": unknown stream `%.*s`", path,
					     off,
					     (int)(r->raw.source_len < 64 ? r->raw.source_len : 64),
					     r->raw.source);
				return 1;
			}
			if (k == 1) {
				r->raw.offset = off;
				diag(r, CS_WARN, path,
				     "%s: offset %" PRIu64
				     ": a record cut short after %zu bytes%s: kept, flagged "
				     "truncated",
				     path, off, n,
				     last ? " at the end of the file (the engine stopped mid-write)"
					  : "");
				return 1;
			}
			if (r->fmt == CS_LOG_CRI) {
				diag(r, CS_WARN, path,
				     "%s: offset %" PRIu64
				     ": not a CRI log line (%s at byte %zu): skipped",
				     path, off, why, eo);
				break;
			}
			/* does another record start later on this line? After a whole
			 * record, right where it ends; past nesting beyond the bound
			 * (every start inside it nests as deep); else at the next `{"` */
			const char *next = NULL;
			const char *from = line + 1;
			if (why == cs_log__why_trailing && eo > 0 && eo < n)
				next = line + eo;
			else if (why == cs_log__why_deep && eo < n)
				from = line + eo;
			for (const char *q = from; !next && q + 1 < line + n; q++) {
				q = memchr(q, '{', (size_t)(line + n - q));
				if (!q)
					break;
				if (q[1] == '"') {
					next = q;
					break;
				}
			}
			if (!next) {
				diag(r, CS_WARN, path,
				     "%s: offset %" PRIu64
				     ": not a json-file record (%s at byte %zu): %zu bytes skipped",
				     path, off, why, eo, n);
				break;
			}
			size_t cut = (size_t)(next - line);
			k = cs_log_decode_json(line, cut, &r->scratch, &r->raw, &why, &eo);
			r->work += cut;
			if (k >= 0) {
				r->raw.offset = off;
				if (k == 1)
					diag(r, CS_WARN, path,
					     "%s: offset %" PRIu64
					     ": a record cut short after %zu bytes, another begins "
					     "at offset %" PRIu64 ": kept, flagged truncated",
					     path, off, cut, off + cut);
				else
					diag(r, CS_NOTE, path,
					     "%s: offset %" PRIu64
					     ": two records on one line; the second begins at "
					     "offset %" PRIu64,
					     path, off, off + cut);
				/* come back for the rest of the line */
				r->in.pos = (size_t)(line + cut - r->in.buf);
				return 1;
			}
			diag(r, CS_WARN, path,
			     "%s: offset %" PRIu64
			     ": not a json-file record (%s at byte %zu): %zu bytes skipped",
			     path, off, why, eo, cut);
			line += cut;
			off += cut;
			n -= cut;
		}
	}
}

/* Plain text and liblxc lines: every line is a record. */
static int text_next(cs_logs *r)
{
	const char *line;
	size_t n;
	uint64_t off;
	bool last;
	if (!next_line(r, &line, &n, &off, &last))
		return 0;
	const char *why = NULL;
	if (r->fmt == CS_LOG_LXC) {
		if (cs_log_decode_lxc(line, n, &r->raw, &why) < 0 && n > 0)
			diag(r, CS_NOTE, r->files[r->cur].path, "%s: offset %" PRIu64 ": %s",
			     r->files[r->cur].path, off, why);
	} else {
		cs_log_decode_text(line, n, &r->raw);
	}
	r->raw.newline = !last;
	r->raw.offset = off;
	return 1;
}

/* A frame that agrees with itself at the start of the window? */
static bool frame_ok(cs_logs *r, size_t avail)
{
	const char *p = r->in.buf + r->in.pos;
	uint32_t len = be32(p);
	if (len < 2 || len > CS_LOGS_LOCAL_MAX_FRAME || avail < (size_t)len + 8 ||
	    be32(p + 4 + len) != len)
		return false;
	const char *why;
	size_t eo;
	cs_log_record t;
	/* the engine writes at most five fields: a candidate with many more
	 * is not a frame, and checking that first keeps each candidate's cost
	 * small (a long entry decoded at every offset would be quadratic) */
	return cs_log__entry_small((const uint8_t *)p + 4, len, 16) &&
	       cs_log_decode_entry((const uint8_t *)p + 4, len, &t, &why, &eo) == 0 &&
	       t.source_len > 0;
}

/* After a bad frame at the window's start: scans for the next good one. */
static void local_resync(cs_logs *r, const char *why, uint64_t bad_off)
{
	const char *path = r->files[r->cur].path;
	lin *in = &r->in;
	in->pos++;
	for (;;) {
		ssize_t avail = lin_need(in, 4);
		if (avail < 4) {
			uint64_t end = in->base + in->end;
			diag(r, CS_WARN, path,
			     "%s: offset %" PRIu64 ": %s; no good frame after it: %" PRIu64
			     " bytes skipped to the end",
			     path, bad_off, why, end - bad_off);
			in->pos = in->end;
			return;
		}
		uint32_t len = be32(in->buf + in->pos);
		if (len >= 2 && len <= CS_LOGS_LOCAL_MAX_FRAME) {
			avail = lin_need(in, (size_t)len + 8);
			if (avail >= (ssize_t)len + 8 && frame_ok(r, (size_t)avail)) {
				uint64_t at = in->base + in->pos;
				diag(r, CS_WARN, path,
				     "%s: offset %" PRIu64 ": %s; %" PRIu64
				     " bytes skipped to the next good frame at "
				     "offset %" PRIu64,
				     path, bad_off, why, at - bad_off, at);
				return;
			}
		}
		in->pos++;
	}
}

static int local_next(cs_logs *r)
{
	const char *path = r->files[r->cur].path;
	lin *in = &r->in;
	for (;;) {
		ssize_t avail = lin_need(in, 4);
		if (avail == 0)
			return 0;
		uint64_t off = in->base + in->pos;
		if (avail < 4) {
			diag(r, CS_WARN, path,
			     "%s: offset %" PRIu64 ": %zd bytes, too few for a frame: skipped",
			     path, off, avail);
			in->pos = in->end;
			return 0;
		}
		uint32_t len = be32(in->buf + in->pos);
		if (len > CS_LOGS_LOCAL_MAX_FRAME || len == 0) {
			char why[96];
			snprintf(why, sizeof(why), "bad frame length %" PRIu32 "%s", len,
				 len ? " (more than the engine writes)" : "");
			local_resync(r, why, off);
			continue;
		}
		avail = lin_need(in, (size_t)len + 8);
		const char *p = in->buf + in->pos;
		const char *why = NULL;
		size_t eo = 0;
		if (avail < (ssize_t)len + 8) {
			/* the file ends inside this frame */
			size_t have = (size_t)avail - 4 < len ? (size_t)avail - 4 : len;
			int k = cs_log_decode_entry((const uint8_t *)p + 4, have, &r->raw, &why,
						    &eo);
			in->pos = in->end;
			if (k >= 0 && r->raw.source_len > 0) {
				r->raw.truncated = true;
				r->raw.newline = true;
				r->raw.partial = false;
				r->raw.offset = off;
				diag(r, CS_WARN, path,
				     "%s: offset %" PRIu64
				     ": the file ends inside a frame of %" PRIu32
				     " bytes (%zd present; the engine stopped mid-write): kept, "
				     "flagged truncated",
				     path, off, len, avail);
				return 1;
			}
			diag(r, CS_WARN, path,
			     "%s: offset %" PRIu64 ": the file ends inside a frame of %" PRIu32
			     " bytes (%zd present): nothing readable, skipped",
			     path, off, len, avail);
			return 0;
		}
		if (be32(p + 4 + len) != len) {
			char w[96];
			snprintf(w, sizeof(w),
				 "frame trailer %" PRIu32 " does not match its length %" PRIu32,
				 be32(p + 4 + len), len);
			local_resync(r, w, off);
			continue;
		}
		int k = cs_log_decode_entry((const uint8_t *)p + 4, len, &r->raw, &why, &eo);
		in->pos += (size_t)len + 8;
		if (k != 0 || r->raw.source_len == 0) {
			diag(r, CS_WARN, path,
			     "%s: offset %" PRIu64 ": bad log entry (%s at byte %zu of %" PRIu32
			     "): frame skipped",
			     path, off, k != 0 ? why : "no source", eo, len);
			continue;
		}
		r->raw.offset = off;
		if (!r->raw.stream)
			diag(r, CS_WARN, path, "%s: offset %" PRIu64 ": unknown stream `%.*s`",
			     path, off, (int)(r->raw.source_len < 64 ? r->raw.source_len : 64),
			     r->raw.source);
		return 1;
	}
}

static int journal_next(cs_logs *r)
{
	for (;;) {
		int k = cs_log__journal_next(r->jrnl, &r->raw, &r->jtext);
		if (k < 0) {
			diag(r, CS_WARN, r->jlabel, "%s: the journal cannot be read further: %s", r->jlabel, strerror(-k));
			return 0;
		}
		if (k == 0) {
			uint64_t sk = cs_log__journal_skipped(r->jrnl);
			if (sk && r->jskip == 0)
				diag(r, CS_NOTE, r->jlabel,
				     "%s: %llu matching journal entr%s no readable MESSAGE (not log lines, or damaged "
				     "objects): passed over",
				     r->jlabel, (unsigned long long)sk, sk == 1 ? "y has" : "ies have");
			return 0;
		}
		if (r->jskip) {
			r->jskip--;
			continue;
		}
		r->raw.file = r->jlabel;
		return 1;
	}
}

/* The next stored record of any file, after the tail skip. */
static int raw_next(cs_logs *r)
{
	if (r->jrnl)
		return journal_next(r);
	for (;;) {
		if (!r->open) {
			if (r->cur >= r->n_files)
				return 0;
			uint64_t start = 0;
			r->skip = 0;
			if (r->cur == r->start_file) {
				start = r->start_off;
				r->skip = r->start_skip;
			}
			if (open_file(r, r->cur, start) < 0) {
				r->cur++;
				continue;
			}
		}
		int k = r->fmt == CS_LOG_LOCAL ? local_next(r)
			: r->fmt == CS_LOG_TEXT || r->fmt == CS_LOG_LXC ? text_next(r)
									 : json_next(r);
		if (k == 0) {
			close_file(r);
			r->cur++;
			continue;
		}
		if (r->skip) {
			r->skip--;
			continue;
		}
		r->raw.file = r->files[r->cur].path;
		r->raw.parts = 1;
		return 1;
	}
}

/* ---------------------------------------------------------------------- */
/* Tail: where to start */

/* Counts the records of file i by reading it. */
static uint64_t count_forward(cs_logs *r, size_t i)
{
	const char *p = r->files[i].path;
	cs_logs_opts o;
	cs_logs_opts_init(&o);
	o.max_record = r->o.max_record;
	o.gzip_ratio = r->o.gzip_ratio;
	o.gzip_floor = r->o.gzip_floor;
	cs_logs *c;
	if (cs_logs_open_files(r->src, r->fmt, &p, 1, &o, &c, NULL) < 0)
		return 0;
	uint64_t n = 0;
	const cs_log_record *rec;
	while (cs_logs_next(c, &rec, NULL) > 0)
		n++;
	cs_logs_close(c);
	return n;
}

/* Scans plain file i backwards for the start of its last `need` records.
 * Returns true and *off if they are all in this file; else false and *have,
 * the records the file holds. -1 in *have: could not tell (scan forwards). */
static bool tail_backward(cs_logs *r, size_t i, uint64_t need, uint64_t *off, int64_t *have)
{
	cs_file *f;
	bool gz;
	*have = -1;
	r->mute++; /* problems are reported when the file is read */
	int k = open_checked(r, r->files[i].path, &f, &gz);
	r->mute--;
	if (k < 0) {
		*have = 0;
		return false;
	}
	if (gz) {
		cs_file_close(f);
		return false;
	}
	uint64_t size = cs_file_size(f), count = 0;
	bool found = false;
	if (r->fmt == CS_LOG_LOCAL) {
		uint64_t pos = size;
		char b[4];
		while (pos >= 8) {
			if (cs_file_pread(f, b, 4, pos - 4) != 4)
				break;
			uint32_t len = be32(b);
			if (len > CS_LOGS_LOCAL_MAX_FRAME || pos < (uint64_t)len + 8 ||
			    cs_file_pread(f, b, 4, pos - 8 - len) != 4 || be32(b) != len)
				break;
			pos -= (uint64_t)len + 8;
			if (++count == need) {
				*off = pos;
				found = true;
				break;
			}
		}
		if (!found && pos != 0) {
			cs_file_close(f); /* damaged: count by reading */
			return false;
		}
	} else {
		char *buf = cs_xmalloc(READ_CHUNK);
		uint64_t pos = size;
		bool first = true;
		while (pos > 0 && !found) {
			size_t n = pos < READ_CHUNK ? (size_t)pos : READ_CHUNK;
			if (cs_file_pread(f, buf, n, pos - n) != (ssize_t)n)
				break;
			size_t j = n;
			if (first) {
				/* a final record without '\n' counts as one */
				if (buf[n - 1] == '\n')
					j--;
				first = false;
			}
			while (j > 0) {
				const char *nl = memrchr(buf, '\n', j);
				if (!nl)
					break;
				j = (size_t)(nl - buf);
				if (++count == need) {
					*off = pos - n + j + 1;
					found = true;
					break;
				}
			}
			pos -= n;
		}
		free(buf);
		if (!found && size > 0)
			count++; /* the first line */
		if (!found && count == need) {
			*off = 0;
			found = true;
		}
	}
	cs_file_close(f);
	*have = (int64_t)count;
	return found;
}

static void plan_tail(cs_logs *r)
{
	r->start_file = 0;
	r->start_off = 0;
	r->start_skip = 0;
	if (r->o.tail < 0)
		return;
	uint64_t need = (uint64_t)r->o.tail;
	if (need == 0) {
		r->start_file = r->n_files; /* nothing */
		r->cur = r->n_files;
		return;
	}
	for (size_t i = r->n_files; i-- > 0;) {
		uint64_t off;
		int64_t have;
		if (tail_backward(r, i, need, &off, &have)) {
			r->start_file = i;
			r->start_off = off;
			r->cur = i;
			return;
		}
		if (have < 0)
			have = (int64_t)count_forward(r, i);
		if ((uint64_t)have >= need) {
			r->start_file = i;
			r->start_skip = (uint64_t)have - need;
			r->cur = i;
			return;
		}
		need -= (uint64_t)have;
	}
}

/* ---------------------------------------------------------------------- */
/* Finding a container's files */

/* "<base>.<N>" or "<base>.<N>.gz" -> N, else -1. */
static long rotation_of(const char *name, const char *base, bool *gz)
{
	size_t bl = strlen(base);
	if (strncmp(name, base, bl) != 0 || name[bl] != '.')
		return -1;
	const char *p = name + bl + 1;
	if (*p < '1' || *p > '9')
		return -1;
	long v = 0;
	while (*p >= '0' && *p <= '9') {
		if (v > 100000000)
			return -1;
		v = v * 10 + (*p++ - '0');
	}
	*gz = strcmp(p, ".gz") == 0;
	if (*p && !*gz)
		return -1;
	return v;
}

/* LogConfig.Config[key] from the raw hostconfig.json, or NULL. */
static char *log_opt(const char *hostconfig, const char *key)
{
	if (!hostconfig)
		return NULL;
	cs_jscan s;
	char *v = NULL;
	cs_jscan_init(&s, hostconfig, strlen(hostconfig));
	if (!cs_jscan_object(&s))
		return NULL;
	while (cs_jscan_member(&s)) {
		if (!cs_jscan_is(&s, "LogConfig")) {
			cs_jscan_skip(&s);
			continue;
		}
		if (!cs_jscan_object(&s))
			continue;
		while (cs_jscan_member(&s)) {
			if (!cs_jscan_is(&s, "Config")) {
				cs_jscan_skip(&s);
				continue;
			}
			if (!cs_jscan_object(&s))
				continue;
			while (cs_jscan_member(&s)) {
				if (cs_jscan_is(&s, key) && !v)
					v = cs_jscan_string(&s);
				else
					cs_jscan_skip(&s);
			}
		}
	}
	return v;
}

typedef struct rotinfo {
	long max_file; /* from the configuration, 0 if unknown */
	const char *key;
} rotinfo;

static int find_files(cs_logs *r, const char *dir, const char *base, rotinfo *ri, cs_error *e)
{
	cs_dirent *ents = NULL;
	size_t n = 0;
	int k = cs_source_list(r->src, dir, &ents, &n, e);
	if (k < 0)
		return k;
	typedef struct rot {
		long n;
		char *plain, *gz;
	} rot;
	rot *rots = NULL;
	size_t nr = 0, cr = 0;
	bool have_current = false;
	for (size_t i = 0; i < n; i++) {
		bool gz = false;
		if (strcmp(ents[i].name, base) == 0) {
			have_current = true;
			continue;
		}
		long v = rotation_of(ents[i].name, base, &gz);
		if (v < 0)
			continue;
		rot *x = NULL;
		for (size_t j = 0; j < nr; j++)
			if (rots[j].n == v)
				x = &rots[j];
		if (!x) {
			x = CS_PUSH(rots, nr, cr);
			memset(x, 0, sizeof(*x));
			x->n = v;
		}
		char **slot = gz ? &x->gz : &x->plain;
		free(*slot);
		*slot = cs_path_join(dir, ents[i].name);
	}
	cs_dirents_free(ents, n);
	/* oldest (highest number) first */
	for (size_t a = 1; a < nr; a++)
		for (size_t b = a; b > 0 && rots[b - 1].n < rots[b].n; b--) {
			rot t = rots[b];
			rots[b] = rots[b - 1];
			rots[b - 1] = t;
		}
	_cleanup_free_ char *cur = cs_path_join(dir, base);
	for (size_t i = 0; i < nr; i++) {
		if (rots[i].plain && rots[i].gz)
			diag(r, CS_NOTE, rots[i].gz,
			     "%s: left by a compression the engine did not finish; the whole %s is "
			     "read instead",
			     rots[i].gz, rots[i].plain);
		add_file(r, rots[i].plain ? rots[i].plain : rots[i].gz, !rots[i].plain, rots[i].n);
	}
	/* holes between rotated files */
	for (size_t i = 0; i < nr; i++) {
		long next = i + 1 < nr ? rots[i + 1].n : 0;
		for (long m = next + 1; m < rots[i].n && m - next <= 3; m++)
			diag(r, CS_WARN, cur,
			     "%s: rotated file %s.%ld is missing: its records are lost (or the "
			     "engine stopped in "
			     "the middle of a rotation)",
			     cur, cur, m);
	}
	long oldest = nr ? rots[0].n : 0;
	for (size_t i = 0; i < nr; i++) {
		free(rots[i].plain);
		free(rots[i].gz);
	}
	free(rots);
	if (have_current)
		add_file(r, cur, false, 0);
	if (ri->max_file > 1 && oldest >= ri->max_file - 1) {
		char *note = cs_xasprintf(
			"%s: rotation keeps %ld files (%s=%ld) and the oldest it can keep "
			"is present: older records were probably discarded",
			cur, ri->max_file, ri->key, ri->max_file);
		r->gap_note = note;
	}
	return 0;
}

/* The time of the first record of the first file, for the gap note. */
static cs_time first_time(cs_logs *r)
{
	if (!r->n_files)
		return CS_TIME_INVALID;
	const char *p = r->files[0].path;
	cs_logs_opts o;
	cs_logs_opts_init(&o);
	o.max_record = r->o.max_record;
	o.gzip_ratio = r->o.gzip_ratio;
	o.gzip_floor = r->o.gzip_floor;
	cs_logs *c;
	if (cs_logs_open_files(r->src, r->fmt, &p, 1, &o, &c, NULL) < 0)
		return CS_TIME_INVALID;
	const cs_log_record *rec;
	cs_time t = cs_logs_next(c, &rec, NULL) > 0 ? rec->time : CS_TIME_INVALID;
	cs_logs_close(c);
	return t;
}

static void issue_gap_note(cs_logs *r)
{
	if (!r->gap_note)
		return;
	char ts[CS_TIME_STRMAX];
	cs_time t = first_time(r);
	if (cs_time_format(t, ts))
		diag(r, CS_NOTE, r->n_files ? r->files[0].path : NULL,
		     "%s; the oldest surviving record is from %s", r->gap_note, ts);
	else
		diag(r, CS_NOTE, r->n_files ? r->files[0].path : NULL, "%s", r->gap_note);
	free(r->gap_note);
	r->gap_note = NULL;
}

/* The kubelet's rotations of a CRI log: `<base>.<YYYYMMDD-hhmmss>` and
 * `<base>.<YYYYMMDD-hhmmss>.gz` beside it (kubelet container_log_manager),
 * read oldest first (the stamps sort as times), then the current file. */
static int find_files_cri(cs_logs *r, const char *path, cs_error *e)
{
	const char *sl = strrchr(path, '/');
	_cleanup_free_ char *dir = sl ? cs_xstrndup(path, (size_t)(sl - path)) : cs_xstrdup("");
	const char *base = sl ? sl + 1 : path;
	size_t bl = strlen(base);
	cs_dirent *ents = NULL;
	size_t n = 0;
	int k = cs_source_list(r->src, dir, &ents, &n, e);
	if (k < 0)
		return k;
	bool have_current = false;
	for (size_t i = 0; i < n; i++) { /* sorted by name: oldest stamp first */
		const char *nm = ents[i].name;
		if (strcmp(nm, base) == 0) {
			have_current = true;
			continue;
		}
		if (strncmp(nm, base, bl) != 0 || nm[bl] != '.')
			continue;
		const char *st = nm + bl + 1;
		bool ok = strlen(st) >= 15 && st[8] == '-';
		for (int d = 0; d < 15 && ok; d++)
			ok = d == 8 || (st[d] >= '0' && st[d] <= '9');
		bool gz = ok && strcmp(st + 15, ".gz") == 0;
		if (!ok || (st[15] && !gz))
			continue;
		/* both x and x.gz: the kubelet was compressing x when it stopped */
		if (gz && i > 0 && strncmp(ents[i - 1].name, nm, strlen(nm) - 3) == 0 &&
		    strlen(ents[i - 1].name) == strlen(nm) - 3)
			continue;
		char *p = cs_path_join(dir, nm);
		add_file(r, p, gz, -1);
		free(p);
	}
	cs_dirents_free(ents, n);
	if (have_current)
		add_file(r, path, false, 0);
	return 0;
}

static int open_journal(cs_logs *r, char **paths, size_t n, const char *label, const char *id, cs_error *e);

int cs_logs_open(cs_source *src, const cs_container *ct, const cs_logs_opts *o, cs_logs **ret,
		 cs_error *e)
{
	if (ct->log_driver && strcmp(ct->log_driver, "journald") == 0) {
		if (!ct->log_evidence_path)
			return cs_err(e, -ENOENT, "container `%s`: log driver journald, and no journal directory "
						  "(var/log/journal) is in the evidence",
				      ct->name ? ct->name : ct->id);
		char **paths = NULL;
		size_t n = 0;
		int k = cs_log__journal_list(src, ct->log_evidence_path, &paths, &n, e);
		if (k < 0)
			return k;
		if (n == 0) {
			free(paths);
			return cs_err(e, -ENOENT, "container `%s`: log driver journald, and `%s` holds no journal file",
				      ct->name ? ct->name : ct->id, ct->log_evidence_path);
		}
		cs_logs *r = logs_new(src, CS_LOG_JOURNALD, o);
		k = open_journal(r, paths, n, ct->log_evidence_path, ct->id, e);
		for (size_t i = 0; i < n; i++)
			free(paths[i]);
		free(paths);
		if (k < 0) {
			cs_err_prefix(e, "container `%s`: `%s`", ct->name ? ct->name : ct->id, ct->log_evidence_path);
			cs_logs_close(r);
			return k;
		}
		*ret = r;
		return 0;
	}
	if (ct->n_logfiles)
		return cs_logs_open_role(src, ct, "console", o, ret, e);
	if (ct->log_driver && (strcmp(ct->log_driver, "cri") == 0 || strcmp(ct->log_driver, "k8s-file") == 0)) {
		if (!ct->log_evidence_path)
			return cs_err(e, -ENOENT, "container `%s`: no CRI log file in the evidence%s%s%s",
				      ct->name ? ct->name : ct->id, ct->log_path ? " (recorded as `" : "",
				      ct->log_path ? ct->log_path : "", ct->log_path ? "`)" : "");
		cs_logs *r = logs_new(src, CS_LOG_CRI, o);
		int k = find_files_cri(r, ct->log_evidence_path, e);
		if (k < 0 || r->n_files == 0) {
			cs_logs_close(r);
			return k < 0 ? k : cs_err(e, -ENOENT, "container `%s`: no CRI log file in the evidence", ct->id);
		}
		r->paths = cs_xcalloc(r->n_files + 1, sizeof(char *));
		for (size_t i = 0; i < r->n_files; i++)
			r->paths[i] = r->files[i].path;
		plan_tail(r);
		if (ct->log_max_size > 0)
			r->gap_note = cs_xasprintf(
				"conmon empties `%s` in place when it would pass %lld bytes (the container's log-size-max), "
				"keeping no rotated file: if it filled, the records before the first one here are gone",
				r->files[r->n_files - 1].path, (long long)ct->log_max_size);
		issue_gap_note(r);
		*ret = r;
		return 0;
	}
	if (!ct->dir)
		return cs_err(e, -ENOENT, "container `%s`: no directory in the evidence", ct->id);
	const char *drv = ct->log_driver && *ct->log_driver ? ct->log_driver : "json-file";
	cs_logs *r;
	rotinfo ri = {0};
	_cleanup_free_ char *dir = NULL, *base = NULL;
	const char *opt = "max-file";
	long defmax = 1;
	if (strcmp(drv, "json-file") == 0) {
		r = logs_new(src, CS_LOG_JSONFILE, o);
		dir = cs_xstrdup(ct->dir);
		if (ct->log_evidence_path) {
			const char *sl = strrchr(ct->log_evidence_path, '/');
			base = cs_xstrdup(sl ? sl + 1 : ct->log_evidence_path);
		} else {
			base = cs_xasprintf("%s-json.log", ct->id);
		}
	} else if (strcmp(drv, "local") == 0) {
		r = logs_new(src, CS_LOG_LOCAL, o);
		dir = cs_path_join(ct->dir, "local-logs");
		base = cs_xstrdup("container.log");
		defmax = 5;
	} else {
		/* drivers that send logs away keep a local cache (dual logging) */
		r = logs_new(src, CS_LOG_LOCAL, o);
		dir = cs_xstrdup(ct->dir);
		base = cs_xstrdup("container-cached.log");
		opt = "cache-max-file";
		defmax = 5;
	}
	ri.key = opt;
	_cleanup_free_ char *mf = log_opt(ct->hostconfig_json, opt);
	ri.max_file = defmax;
	if (mf) {
		int64_t v;
		if (cs_parse_i64(mf, &v) == 0 && v > 0 && v < 1000000)
			ri.max_file = (long)v;
	} else if (!ct->hostconfig_json) {
		ri.max_file = 0;
	}
	if (strcmp(drv, "json-file") == 0 && ct->hostconfig_json) {
		_cleanup_free_ char *ms = log_opt(ct->hostconfig_json, "max-size");
		if (!ms || !*ms || strcmp(ms, "-1") == 0)
			ri.max_file = 1; /* no max-size: the engine does not rotate */
	}
	int k = find_files(r, dir, base, &ri, e);
	if (k < 0 && k != -ENOENT) {
		cs_err_prefix(e, "container `%s`", ct->name ? ct->name : ct->id);
		cs_logs_close(r);
		return k;
	}
	if (r->n_files == 0) {
		cs_logs_close(r);
		return cs_err(e, -ENOENT, "container `%s`: no log file in the evidence (driver %s)",
			      ct->name ? ct->name : ct->id, drv);
	}
	r->paths = cs_xcalloc(r->n_files + 1, sizeof(char *));
	for (size_t i = 0; i < r->n_files; i++)
		r->paths[i] = r->files[i].path;
	plan_tail(r);
	issue_gap_note(r);
	*ret = r;
	return 0;
}

int cs_logs_open_files(cs_source *src, cs_log_format fmt, const char *const *paths, size_t n,
		       const cs_logs_opts *o, cs_logs **ret, cs_error *e)
{
	if (fmt != CS_LOG_JSONFILE && fmt != CS_LOG_LOCAL && fmt != CS_LOG_CRI && fmt != CS_LOG_TEXT &&
	    fmt != CS_LOG_LXC && fmt != CS_LOG_JOURNALD)
		return cs_err(e, -EINVAL, "unknown log format %d", (int)fmt);
	cs_logs *r = logs_new(src, fmt, o);
	if (fmt == CS_LOG_JOURNALD) {
		char **v = cs_xcalloc(n + 1, sizeof(char *));
		for (size_t i = 0; i < n; i++)
			v[i] = (char *)(uintptr_t)paths[i];
		int k = open_journal(r, v, n, n == 1 ? paths[0] : "journal", NULL, e);
		free(v);
		if (k < 0) {
			cs_logs_close(r);
			return k;
		}
		*ret = r;
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		add_file(r, paths[i], false, -1);
	r->paths = cs_xcalloc(r->n_files + 1, sizeof(char *));
	for (size_t i = 0; i < r->n_files; i++)
		r->paths[i] = r->files[i].path;
	plan_tail(r);
	*ret = r;
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Joining and filtering */

static bool wanted(const cs_logs *r, const cs_log_record *x)
{
	if (r->o.streams && x->stream && !(r->o.streams & (unsigned)x->stream))
		return false;
	if (r->o.streams && !x->stream && r->o.streams != (CS_LOG_STDOUT | CS_LOG_STDERR))
		return false;
	if (r->o.since != CS_TIME_NEVER && CS_TIME_IS_REAL(x->time) && x->time < r->o.since)
		return false;
	if (r->o.until != CS_TIME_NEVER && CS_TIME_IS_REAL(x->time) && x->time > r->o.until)
		return false;
	if ((r->o.since != CS_TIME_NEVER || r->o.until != CS_TIME_NEVER) &&
	    !CS_TIME_IS_REAL(x->time))
		return false;
	return true;
}

static void acc_start(acc *a, const cs_log_record *x)
{
	a->active = true;
	a->emitted = false;
	a->rec = *x;
	a->text.len = 0;
	(void)cs_buf_append(&a->text, x->text, x->len);
	size_t sl = x->source_len < sizeof(a->source) ? x->source_len : sizeof(a->source);
	memcpy(a->source, x->source, sl);
	a->rec.source = a->source;
	a->rec.source_len = sl;
	free(a->id);
	a->id = x->has_meta ? cs_xstrndup(x->partial_id, x->partial_id_len) : NULL;
	a->id_len = x->has_meta ? x->partial_id_len : 0;
	a->rec.partial_id = a->id;
	a->rec.partial_id_len = a->id_len;
}

/* Hands out a's record; its text stays valid until the next call. */
static const cs_log_record *acc_emit(acc *a)
{
	a->active = false;
	a->emitted = true;
	a->rec.text = a->text.data ? a->text.data : "";
	a->rec.len = a->text.len;
	return &a->rec;
}

static void hold(cs_logs *r, const cs_log_record *x)
{
	r->pending = *x;
	r->pending_text.len = 0;
	(void)cs_buf_append(&r->pending_text, x->text, x->len);
	r->pending.text = r->pending_text.data ? r->pending_text.data : "";
	free(r->pending_id);
	r->pending_id = x->has_meta ? cs_xstrndup(x->partial_id, x->partial_id_len) : NULL;
	r->pending.partial_id = r->pending_id;
	/* source points at static text or into the window: keep a stable copy */
	r->pending.source = x->stream == CS_LOG_STDOUT	 ? "stdout"
			    : x->stream == CS_LOG_STDERR ? "stderr"
							 : "";
	if (!x->stream)
		r->pending.source_len = 0;
	r->have_pending = true;
}

/* The next record after joining (before filters): 1, or 0 at the end. */
static int joined_next(cs_logs *r, const cs_log_record **ret)
{
	for (int i = 0; i < 3; i++)
		if (r->accs[i].emitted) {
			r->accs[i].emitted = false;
			r->accs[i].text.len = 0;
		}
	for (;;) {
		const cs_log_record *x;
		if (r->have_pending) {
			r->have_pending = false;
			r->raw = r->pending;
			x = &r->raw;
		} else {
			int k = raw_next(r);
			if (k == 0) {
				for (int i = 1; i <= 3; i++) {
					acc *a = &r->accs[i % 3];
					if (a->active) {
						*ret = acc_emit(a);
						return 1;
					}
				}
				return 0;
			}
			x = &r->raw;
		}
		if (!r->o.join) {
			*ret = x;
			return 1;
		}
		acc *a = &r->accs[x->stream % 3];
		if (a->active && x->has_meta && a->id &&
		    (x->partial_id_len != a->id_len ||
		     memcmp(x->partial_id, a->id, a->id_len) != 0)) {
			/* a new line begins before the last one ended */
			hold(r, x);
			*ret = acc_emit(a);
			return 1;
		}
		if (x->partial && !x->truncated) {
			if (!a->active) {
				acc_start(a, x);
				continue;
			}
			if (cs_buf_append(&a->text, x->text, x->len) < 0) {
				/* too long to join: hand out what we have, start again */
				hold(r, x);
				*ret = acc_emit(a);
				return 1;
			}
			a->rec.parts++;
			continue;
		}
		if (!a->active) {
			*ret = x;
			return 1;
		}
		if (cs_buf_append(&a->text, x->text, x->len) < 0) {
			hold(r, x);
			*ret = acc_emit(a);
			return 1;
		}
		a->rec.parts++;
		a->rec.partial = false;
		a->rec.newline = true;
		a->rec.truncated |= x->truncated;
		*ret = acc_emit(a);
		return 1;
	}
}

int cs_logs_next(cs_logs *r, const cs_log_record **ret, cs_error *e)
{
	(void)e;
	if (r->done)
		return 0;
	if (!r->o.join && !r->have_pending && !r->o.streams && r->o.since == CS_TIME_NEVER &&
	    r->o.until == CS_TIME_NEVER) {
		/* nothing to join or filter: straight from the reader */
		if (raw_next(r)) {
			*ret = &r->raw;
			return 1;
		}
		r->done = true;
		close_file(r);
		return 0;
	}
	for (;;) {
		const cs_log_record *x;
		if (joined_next(r, &x) == 0) {
			r->done = true;
			close_file(r);
			return 0;
		}
		if (wanted(r, x)) {
			*ret = x;
			return 1;
		}
	}
}

cs_log_format cs_logs_format(const cs_logs *r)
{
	return r->fmt;
}

size_t cs_logs_files(const cs_logs *r, const char *const **ret)
{
	*ret = r->paths;
	return r->n_files;
}

size_t cs_logs_warnings(const cs_logs *r)
{
	return r->warnings;
}

void cs_logs_close(cs_logs *r)
{
	if (!r)
		return;
	if (r->open)
		lin_free(&r->in);
	for (size_t i = 0; i < r->n_files; i++)
		free(r->files[i].path);
	free(r->files);
	free(r->paths);
	cs_buf_free(&r->scratch);
	for (int i = 0; i < 3; i++) {
		cs_buf_free(&r->accs[i].text);
		free(r->accs[i].id);
	}
	cs_buf_free(&r->pending_text);
	free(r->pending_id);
	free(r->gap_note);
	cs_log__journal_close(r->jrnl);
	free(r->jlabel);
	cs_buf_free(&r->jtext);
	free(r);
}

/* Opens journal files (a container's, matched by id; or all entries). */
static int open_journal(cs_logs *r, char **paths, size_t n, const char *label, const char *id, cs_error *e)
{
	_cleanup_free_ char *match = id ? cs_xasprintf("CONTAINER_ID_FULL=%s", id) : NULL;
	int k = cs_log__journal_open(r->src, paths, n, match, r->o.diag, r->o.diag_userdata, &r->warnings, &r->jrnl, e);
	for (size_t i = 0; i < n; i++)
		add_file(r, paths[i], false, -1);
	r->paths = cs_xcalloc(r->n_files + 1, sizeof(char *));
	for (size_t i = 0; i < r->n_files; i++)
		r->paths[i] = r->files[i].path;
	if (k < 0)
		return k;
	r->jlabel = cs_xstrdup(label);
	r->jtext.max = r->o.max_record;
	if (r->o.tail >= 0) {
		/* the engine counts the container's entries from the end */
		uint64_t total = 0;
		cs_log_record x;
		while (cs_log__journal_next(r->jrnl, &x, &r->jtext) > 0)
			total++;
		(void)cs_log__journal_rewind(r->jrnl);
		r->jskip = total > (uint64_t)r->o.tail ? total - (uint64_t)r->o.tail : 0;
	}
	return 0;
}

int cs_logs_open_role(cs_source *src, const cs_container *ct, const char *role, const cs_logs_opts *o,
		      cs_logs **ret, cs_error *e)
{
	int fmt = 0;
	for (size_t i = 0; i < ct->n_logfiles && !fmt; i++)
		if (strcmp(ct->logfiles[i].role, role) == 0)
			fmt = ct->logfiles[i].format;
	if (!fmt)
		return cs_err(e, -ENOENT, "container `%s`: no %s log in the evidence", ct->name ? ct->name : ct->id,
			      role);
	cs_logs *r = logs_new(src, (cs_log_format)fmt, o);
	for (size_t i = 0; i < ct->n_logfiles; i++)
		if (strcmp(ct->logfiles[i].role, role) == 0 && ct->logfiles[i].format == fmt)
			add_file(r, ct->logfiles[i].path, false, -1);
	r->paths = cs_xcalloc(r->n_files + 1, sizeof(char *));
	for (size_t i = 0; i < r->n_files; i++)
		r->paths[i] = r->files[i].path;
	plan_tail(r);
	*ret = r;
	return 0;
}
