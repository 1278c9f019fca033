/* timeline.h - one sorted timeline of everything the evidence dates.
 *
 * Sources add events (cs_timeline_add); each is formatted into its output
 * row at once and kept as (time, sequence, row). Rows are held in a buffer of
 * bounded size; a full buffer is sorted and written to a temporary run file,
 * and cs_timeline_finish() merges the runs, so memory stays bounded however
 * many events there are. The order is by time, then by the order events were
 * added (stable).
 *
 * Formats: Timesketch CSV (message, timestamp in µs, datetime with nine
 * fraction digits and Z, timestamp_desc, data_type, then flat columns), JSON
 * lines with the same fields, a TSK 3 body file for mactime (whole seconds,
 * names sanitised and unique per object, deletions annotated), and plain
 * RFC 4180 CSV. Each column has one meaning: `path` is the path the
 * container (or image, or volume) saw, `evidence_path` and
 * `evidence_offset` the file and offset in the evidence; `mode` is text
 * ("0o100644") so spreadsheets keep it.
 *
 * Text from the evidence is made safe for each format, the same way: in
 * CSV, a backslash is written \\, control characters other than newline as
 * \xNN (C1 controls as \u0080..\u009f) and bytes that are not UTF-8 as
 * \xNN, and cells holding separators, quotes or newlines are quoted (in
 * the spreadsheet CSV, a cell a spreadsheet would take as a formula also
 * gets a leading ', see cs_csv_cell_sheet); in
 * JSON lines, strings are JSON (C1 controls as \u0080..), and a value that
 * is not UTF-8 also comes exactly as <column>_base64; body file names have
 * '|', '%' and control characters escaped, so no name can forge a row or a
 * mactime format.
 */
#ifndef CS_TIMELINE_H
#define CS_TIMELINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "base/timefmt.h"
#include "base/util.h"

typedef enum cs_tl_format {
	CS_TL_TIMESKETCH = 1,
	CS_TL_JSONL,
	CS_TL_BODYFILE,
	CS_TL_CSV,
} cs_tl_format;

/* One event. Strings may be NULL (empty column); they are copied. */
typedef struct cs_event {
	cs_time time;
	const char *desc;      /* timestamp_desc, e.g. "Container Started" */
	const char *data_type; /* "container:lifecycle", "fs:stat", "container:log", ... */
	const char *source;    /* "container", "image", "log", "file", ... */
	const char *message;
	const char *engine, *namespace;
	const char *pod;       /* Kubernetes pod, "<pod namespace>/<pod name>" */
	const char *container_id, *container_name, *image, *layer, *volume, *path;
	int64_t size;          /* -1: none */
	int64_t mode;          /* st_mode, -1: none */
	int64_t uid, gid;      /* -1: none */
	const char *sha256, *magic;
	const char *evidence_path; /* the evidence file the row comes from */
	int64_t evidence_offset;   /* its byte offset (log records), -1: none */
	/* body file: what the row's path belongs to, shown as "[object] path"
	 * so that names are unique per object ("changes", "image x:1 layer 2",
	 * "volume data"); NULL: the container name */
	const char *object;
	/* body file only: the entry's inode and its four times (a file row
	 * carries all of them; other events set only mtime = time) */
	uint64_t inode;
	cs_time atime, mtime, ctime, btime;
	bool file_row;         /* a body-file row for a file (one per entry) */
	bool deleted;          /* annotate as deleted */
	bool replaced;         /* annotate as an opaque (replaced) directory */
} cs_event;

typedef struct cs_timeline cs_timeline;

typedef struct cs_timeline_opts {
	cs_tl_format format;
	cs_time from, to;      /* inclusive bounds; CS_TIME_NEVER for none */
	size_t mem_limit;      /* bytes of rows held before spilling; 0 = 64 MiB */
	const char *tmpdir;    /* for run files; NULL = $TMPDIR, else a tmpfs with
				  4 GiB free (/tmp, /dev/shm), else /tmp; a tmpfs
				  that fills up hands over to /var/tmp */
	cs_diag_fn diag;
	void *diag_userdata;
} cs_timeline_opts;

int cs_timeline_new(const cs_timeline_opts *o, cs_timeline **ret, cs_error *e);
/* Adds an event. Events with an unusable time are reported and skipped
 * (returns 0 either way); -errno only when a run file cannot be written. */
int cs_timeline_add(cs_timeline *t, const cs_event *ev, cs_error *e);
/* Writes the header and every event in order to out. */
int cs_timeline_finish(cs_timeline *t, FILE *out, cs_error *e);
void cs_timeline_free(cs_timeline *t);
uint64_t cs_timeline_count(const cs_timeline *t);
cs_tl_format cs_timeline_format(const cs_timeline *t);
uint64_t cs_timeline_skipped(const cs_timeline *t);

/* Format helpers, exposed for tests: append one CSV cell / body-file name /
 * JSON string (returns false when s is not UTF-8). */
void cs_csv_cell(cs_buf *b, const char *s);
/* As cs_csv_cell, for a spreadsheet: a cell starting with = + - @ (which a
 * spreadsheet would run as a formula: a file named =HYPERLINK(...) in the
 * evidence) or with ' gets a leading ', which spreadsheets take as "text";
 * the rule is reversible (drop one leading ' where the next is one of
 * =+-@'). */
void cs_csv_cell_sheet(cs_buf *b, const char *s);
void cs_body_name(cs_buf *b, const char *s);
/* "0o100644" for an st_mode (empty for -1). */
void cs_mode_text(int64_t mode, char buf[24]);

#endif
