/* logs.h - a container's output, read from the files its log driver left.
 *
 * Docker keeps a container's stdout and stderr in one of three on-disk
 * formats, each with its own rotation:
 *
 *   json-file  containers/<id>/<id>-json.log, one JSON object per line
 *              ({"log": text, "stream": "stdout"|"stderr", "time": RFC 3339});
 *              rotated to <id>-json.log.1 (newest) ... .N, gzip'd as .N.gz
 *              with compress=true.
 *   local      containers/<id>/local-logs/container.log, frames of
 *              uint32 length (big endian) | protobuf LogEntry | uint32 length;
 *              rotated the same way (compressed by default).
 *   cached     containers/<id>/container-cached.log: the local format, kept
 *              for drivers that send logs elsewhere (dual logging).
 *
 * The CRI format of containerd, CRI-O and Podman's k8s-file
 * (`<RFC 3339> <stream> <P|F> <text>` lines) is read by the same machinery,
 * given the files; Podman's k8s-file is one file that conmon empties in
 * place when it reaches the container's log-size-max (noted: older records
 * are gone if it filled). Podman's journald driver leaves the lines in the
 * systemd journal: the journal files of the evidence are read with
 * libsystemd on descriptors from the source, matching CONTAINER_ID_FULL
 * (logs_journal.c).
 *
 * A reader streams: it reads each file once, oldest first, through a bounded
 * window (gzip'd files are inflated as they are read), and yields one record
 * at a time; memory depends on the longest record, never on the size of the
 * log. A record's text is what `docker logs` prints for it, byte for byte,
 * without the line end: json-file text is unescaped exactly as the engine's
 * Go decoder does (invalid UTF-8 and lone surrogates become U+FFFD), local
 * text is the stored bytes. `newline` says whether the engine prints a '\n'
 * after it.
 *
 * Long lines are split by the engine into 16 KiB records. json-file marks
 * them only by the missing '\n'; local marks them with partial metadata (an
 * id, an ordinal and a last flag). Records are yielded as stored, which is
 * what `docker logs` prints (each piece with its own time stamp); with
 * join = true the pieces of one line are put back together into one record.
 *
 * Damage costs only what it touches. A line that is not JSON, a frame with a
 * bad length or a trailer that does not match, a gzip stream that ends early
 * or is corrupt, a file that is a directory or a symbolic link: each is
 * reported through the diagnostics callback with its file and byte offset,
 * and the reader goes on (local frames are re-found by scanning for a frame
 * whose lengths agree). A record cut short at the end of a file (a crash
 * mid-write) is kept, as far as it can be read, and flagged `truncated`.
 */
#ifndef CS_LOGS_H
#define CS_LOGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/model.h"
#include "evidence/source.h"
#include "base/timefmt.h"
#include "base/util.h"

typedef enum cs_log_format {
	CS_LOG_JSONFILE = 1,
	CS_LOG_LOCAL,
	CS_LOG_CRI,
	CS_LOG_TEXT, /* plain lines without times (LXC and LXD console logs) */
	CS_LOG_LXC,  /* liblxc's own log: `PROG [NAME] YYYYmmddHHMMSS.fff LEVEL ...` */
	CS_LOG_JOURNALD, /* systemd journal files (Podman's journald driver) */
} cs_log_format;

/* Streams, usable as a mask. A record of any other source has stream 0. */
enum { CS_LOG_STDOUT = 1, CS_LOG_STDERR = 2 };

/* No record is larger than this unless the caller says otherwise. */
#define CS_LOGS_MAX_RECORD ((size_t)64 << 20)
/* The engine refuses local frames over 1,000,000 bytes; so do we. */
#define CS_LOGS_LOCAL_MAX_FRAME 1000000u
/* A gzip'd file is inflated up to the larger of these: CS_LOGS_GZIP_RATIO
 * times its compressed size, or CS_LOGS_GZIP_FLOOR bytes; past that it is
 * taken for a decompression bomb, reported with its file, and the rest of it
 * is not read. Rotated logs compress 7 to 30 times (a container repeating
 * one line with one time stamp, about 300); zlib's ceiling is about 1,030. */
#define CS_LOGS_GZIP_RATIO 100u
#define CS_LOGS_GZIP_FLOOR ((uint64_t)256 << 20)

typedef struct cs_log_record {
	cs_time time; /* CS_TIME_NEVER if the record has none; CS_TIME_INVALID if unreadable */
	int stream;   /* CS_LOG_STDOUT, CS_LOG_STDERR or 0 */
	const char *source; /* the stream as recorded ("stdout", ...), not NUL-terminated */
	size_t source_len;
	const char *text; /* what the engine prints, without the line end; not NUL-terminated */
	size_t len;
	bool partial;		/* the line goes on in a later record of this stream */
	bool newline;		/* the engine prints '\n' after text */
	bool truncated;		/* cut short (a crash mid-write): kept as far as it could be read */
	bool has_meta;		/* local: partial metadata present */
	bool last;		/* local: the metadata's last flag */
	int32_t ordinal;	/* local: the metadata's ordinal */
	const char *partial_id; /* local: the metadata's id, not NUL-terminated */
	size_t partial_id_len;
	unsigned parts;	  /* records joined into this one (1 without join) */
	const char *file; /* evidence-relative path of the file it came from */
	uint64_t offset;  /* byte offset of the record in that file (inflated, for .gz) */
} cs_log_record;

typedef struct cs_logs_opts {
	unsigned streams;  /* CS_LOG_STDOUT | CS_LOG_STDERR; 0 means every record */
	cs_time since;	   /* inclusive; CS_TIME_NEVER for no bound */
	cs_time until;	   /* inclusive; CS_TIME_NEVER for no bound */
	int64_t tail;	   /* only the last N stored records (counted over both streams,
			    * before since/until, as the engine does); -1 for all */
	bool join;	   /* put the pieces of long lines back together */
	size_t max_record; /* 0 means CS_LOGS_MAX_RECORD */
	unsigned gzip_ratio;  /* 0 means CS_LOGS_GZIP_RATIO */
	uint64_t gzip_floor;  /* 0 means CS_LOGS_GZIP_FLOOR */
	cs_diag_fn diag;
	void *diag_userdata;
} cs_logs_opts;

/* Initialises o to: every stream and time, no tail, no join, default sizes. */
void cs_logs_opts_init(cs_logs_opts *o);

typedef struct cs_logs cs_logs;

/* Opens the logs of ct: its driver's current file and rotations, oldest
 * first. Returns 0 and *ret, -ENOENT if the container has no log file in the
 * evidence, or -errno. Problems with single files go to o->diag. */
int cs_logs_open(cs_source *src, const cs_container *ct, const cs_logs_opts *o, cs_logs **ret,
		 cs_error *e);
/* Opens the given evidence files, oldest first, all in format fmt (gzip'd
 * files are recognised by their content). Returns 0 and *ret, or -errno. */
int cs_logs_open_files(cs_source *src, cs_log_format fmt, const char *const *paths, size_t n,
		       const cs_logs_opts *o, cs_logs **ret, cs_error *e);
/* The next record: returns 1 and *ret (valid until the next call), 0 at the
 * end, or -errno when reading cannot go on at all. */
int cs_logs_next(cs_logs *r, const cs_log_record **ret, cs_error *e);
/* The format being read. */
cs_log_format cs_logs_format(const cs_logs *r);
/* The files being read, oldest first (evidence-relative, owned by r). */
size_t cs_logs_files(const cs_logs *r, const char *const **ret);
/* Diagnostics of severity CS_WARN reported so far. */
size_t cs_logs_warnings(const cs_logs *r);
/* Closes r; NULL is fine. */
void cs_logs_close(cs_logs *r);

/* Record decoders, one record each, for those who bring their own bytes.
 * Each returns 0 for a whole record, 1 for one cut short by the end of the
 * input (rec holds what could be read, rec->truncated is set), or -EBADMSG;
 * with 1 and -EBADMSG a static reason is in *why and the byte offset in
 * *err_off. Text may point into the input or into scratch (reset by the
 * call); it is never anything but the record's own text. */

/* One json-file line, without its '\n'. */
int cs_log_decode_json(const char *line, size_t len, cs_buf *scratch, cs_log_record *rec,
		       const char **why, size_t *err_off);
/* One protobuf LogEntry (the payload of a local frame, without the lengths). */
int cs_log_decode_entry(const uint8_t *p, size_t len, cs_log_record *rec, const char **why,
			size_t *err_off);
/* One CRI line, without its '\n'. */
int cs_log_decode_cri(const char *line, size_t len, cs_log_record *rec, const char **why,
		      size_t *err_off);

/* Appends the JSON object `logs --json` prints for a record, with its line
 * end: time (null when none), stream, text (with text_base64 when the text
 * is not UTF-8), partial, newline, truncated, parts, the local driver's
 * partial metadata when present, file and offset. */
void cs_log_record_json(cs_buf *b, const cs_log_record *r);
/* One plain text line, without its '\n' (a '\r' stays: the engine's bytes). */
int cs_log_decode_text(const char *line, size_t len, cs_log_record *rec);
/* One liblxc log line (src/lxc/log.c): the time is UTC, written as
 * YYYYmmddHHMMSS followed by the first three digits of the nanoseconds
 * *without* zero padding (".800" may be .8, .08 or .008 s), so only the
 * whole second is certain: rec->time is that second. Returns 0, or
 * -EBADMSG (*why set) for a line without a time (kept as text, time NEVER). */
int cs_log_decode_lxc(const char *line, size_t len, cs_log_record *rec, const char **why);

/* Opens a container's log files of one role (cs_container.logfiles:
 * "console", "lxc", ...) oldest first. Returns 0 and *ret, -ENOENT if it
 * has none in the evidence. */
int cs_logs_open_role(cs_source *src, const cs_container *ct, const char *role, const cs_logs_opts *o,
		      cs_logs **ret, cs_error *e);

/* Parses a time bound for since/until: RFC 3339, or Unix seconds with an
 * optional fraction ("1700000000.5"). Returns 0 or -EINVAL. */
int cs_logs_parse_time(const char *s, cs_time *ret);

#endif
