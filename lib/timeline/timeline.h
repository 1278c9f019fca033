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
 * fraction digits and Z, timestamp_desc, then flat columns), JSON lines with
 * the same fields, a TSK 3 body file for mactime (whole seconds, names
 * sanitised, deletions annotated), and plain RFC 4180 CSV. Text from the
 * evidence is made safe for each: in CSV, control characters other than
 * newline are escaped (\xNN) and cells holding separators, quotes or
 * newlines are quoted; body file names have '|', '%' and control characters
 * escaped, so no name can forge a row or a mactime format.
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
	const char *source;    /* "container", "image", "log", "file", ... */
	const char *message;
	const char *container_id, *container_name, *image, *layer, *path;
	int64_t size;          /* -1: none */
	int64_t mode;          /* st_mode, -1: none */
	int64_t uid, gid;      /* -1: none */
	const char *sha256, *magic;
	/* body file only: the entry's inode and its four times (a file row
	 * carries all of them; other events set only mtime = time) */
	uint64_t inode;
	cs_time atime, mtime, ctime, btime;
	bool file_row;         /* a body-file row for a file (one per entry) */
	bool deleted;          /* annotate as deleted */
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

/* Format helpers, exposed for tests: append one CSV cell / body-file name. */
void cs_csv_cell(cs_buf *b, const char *s);
void cs_body_name(cs_buf *b, const char *s);

#endif
