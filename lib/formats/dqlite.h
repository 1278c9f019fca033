/* dqlite.h - a dqlite database rebuilt from its raft log, in memory.
 *
 * LXD and Incus keep their global database in dqlite, which stores no
 * SQLite file: `database/global/` holds the raft log (canonical/raft's
 * on-disk format) whose command entries carry SQLite WAL frames. Replaying
 * the committed FRAMES commands in log order into a page image rebuilds the
 * database exactly as dqlite held it (checked against `lxd sql global
 * .dump`). Long-lived nodes also keep snapshots (`snapshot-T-I-MS`, an LZ4
 * frame holding the main file and a WAL per database) after which only
 * later entries apply.
 *
 * Files (all little endian; canonical/raft v0.15 uv_segment.c,
 * uv_encoding.c, uv_snapshot.c; canonical/dqlite v1.11 command.c):
 *   metadata1|2             u64 format=1, version, term, voted_for
 *   %016llu-%016llu         a closed segment: its first and last index
 *   open-N                  an open segment: preallocated, zeros after the
 *                           last batch; it continues the index sequence
 *   segment                 u64 format=1, then batches:
 *                           u32 crc_header, u32 crc_data, u64 n,
 *                           n x {u64 term, u8 type, u8[3], u32 size},
 *                           the payloads (sizes are multiples of 8);
 *                           crc_header covers n and the entry headers,
 *                           crc_data the payloads (libiberty xcrc32, init 0)
 *   command payload         u8 format=1, u8 type, u8[6]; FRAMES (2):
 *                           text filename, u64 tx_id, u32 truncate,
 *                           u8 is_commit, u8[3], u32 n_pages,
 *                           u16 page_size, u16, n x u64 page number,
 *                           n pages; UNDO (3) drops uncommitted frames;
 *                           OPEN (1) and CHECKPOINT (4) change nothing
 *   snapshot                LZ4 frame (or raw) of u64 format=1, u64 n_db,
 *                           per database: text filename, u64 main_size,
 *                           u64 wal_size, the main file, a SQLite WAL
 *
 * Damage costs only what it touches: a batch whose checksum fails, a
 * truncated batch, a FRAMES command whose length or page numbers are wrong
 * ends the replay there (the database as of the last good entry is still
 * given, with a warning naming the file and offset), unless a snapshot
 * covers the damaged part, in which case the replay starts from it.
 */
#ifndef CS_DQLITE_H
#define CS_DQLITE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/util.h"
#include "evidence/source.h"
#include "formats/sqlite_image.h"

/* Bounds against hostile evidence. */
#define CS_DQLITE_MAX_SEGMENT ((size_t)256 << 20)  /* one segment file */
#define CS_DQLITE_MAX_SEGMENTS 100000              /* segment files in a log */
#define CS_DQLITE_MAX_SNAPSHOT ((size_t)1 << 30)   /* decompressed snapshot */

typedef enum cs_dqlite_from {
	CS_DQLITE_AUTO = 0, /* the whole log when it starts at index 1, else the newest snapshot */
	CS_DQLITE_LOG,      /* every entry from index 1 */
	CS_DQLITE_SNAPSHOT, /* the newest snapshot, then later entries */
} cs_dqlite_from;

typedef struct cs_dqlite_info {
	uint64_t first_index, last_index;   /* entries found in the log (0 if none) */
	uint64_t last_applied;              /* the last entry replayed */
	uint64_t snapshot_index;            /* the snapshot used, 0 if none */
	char *snapshot_file;                /* its name (owned), or NULL */
	uint64_t entries, commands, frames, barriers, changes;
	uint64_t transactions;              /* FRAMES commits applied */
	uint64_t pending_frames;            /* uncommitted frames left at the end */
	uint64_t term, voted_for;           /* from metadata1|2 (0 if absent) */
	size_t n_segments;
	bool damaged;                       /* the replay stopped early or skipped data */
} cs_dqlite_info;

/* Replays the raft log in dir (evidence-relative) into the page image of
 * database `filename` (dqlite's name: "db.bin"). Problems are reported
 * through diag (file and offset named) and set info->damaged. Returns 0 and
 * *img (free with cs_pageimg_free) and *info (free with
 * cs_dqlite_info_clear), -ENOENT when the directory holds no raft log, or
 * -EBADMSG when no database could be rebuilt at all. */
int cs_dqlite_replay(cs_source *src, const char *dir, const char *filename, cs_dqlite_from from,
		     cs_pageimg *img, cs_dqlite_info *info, cs_diag_fn diag, void *diag_ud, cs_error *e);
void cs_dqlite_info_clear(cs_dqlite_info *info);

/* libiberty's xcrc32 (polynomial 0x04c11db7, MSB first, no reflection, no
 * final xor), continuing from crc. */
uint32_t cs_xcrc32(const void *p, size_t n, uint32_t crc);

/* Decodes one segment's bytes: calls fn for each entry (index counted from
 * first_index) until the end or the first batch that does not decode.
 * Returns the number of entries, or -EBADMSG for a bad format word; *stop
 * (may be NULL) receives why decoding stopped early ("" at a clean end) and
 * *stop_off the byte offset. Exposed for the fuzz target and tests. */
typedef int (*cs_dqlite_entry_fn)(void *ud, uint64_t index, uint64_t term, uint8_t type,
				  const uint8_t *payload, size_t len);
int64_t cs_dqlite_segment(const uint8_t *data, size_t len, uint64_t first_index, cs_dqlite_entry_fn fn,
			  void *ud, const char **stop, size_t *stop_off);
/* Decompresses an LZ4 frame (or returns a copy of data that is not one),
 * bounded by max. Returns 0 and an owned buffer, or -EBADMSG/-EFBIG. */
int cs_lz4_frame_decode(const void *data, size_t len, size_t max, uint8_t **ret, size_t *ret_len,
			cs_error *e);
/* Applies the database `filename` of a decompressed snapshot to img (main
 * file, then its WAL). Returns 0, -ENOENT if the snapshot does not hold it,
 * or -EBADMSG. */
int cs_dqlite_snapshot_db(const uint8_t *data, size_t len, const char *filename, cs_pageimg *img,
			  cs_error *e);

#endif
