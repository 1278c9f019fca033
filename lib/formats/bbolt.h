/* bbolt.h - a read-only reader of bbolt (BoltDB) database files.
 *
 * containerd keeps its metadata (meta.db) and each snapshotter's (metadata.db)
 * in bbolt files; Docker and Podman keep smaller ones. The format: an array
 * of pages of pageSize bytes. Pages 0 and 1 are meta pages (magic, version 2,
 * page size, the root bucket, freelist, high-water mark, txid, FNV-1a 64
 * checksum); the valid one with the higher txid is the database, and a torn
 * newer one (a power cut during a commit) falls back to the older, which is
 * consistent because bbolt syncs data pages before the meta page. A bucket is
 * a B+tree of branch and leaf pages; a leaf element whose flag is 1 is a
 * nested bucket, whose value starts with {u64 root, u64 sequence}; root 0
 * means an inline bucket whose page image follows those 16 bytes. Element
 * offsets are relative to the element, and a page with overflow k spans k+1
 * pages.
 *
 * The whole file is read into memory once (at most CS_BOLT_MAX_FILE bytes);
 * keys and values are pointers into it, valid until cs_bolt_close(). Every
 * offset, page number, count and depth read from the file is checked:
 * branch descent is bounded (CS_BOLT_MAX_TREE), each page is visited once
 * per walk (cycles end there), nested buckets stop at CS_BOLT_MAX_NEST, and
 * a bad page costs the bucket it belongs to, with a message naming the file
 * and the page. Pages shared between buckets (a DAG, which no engine
 * writes) would let walks of nested buckets multiply the work by each
 * level's fan-out; so all reads of one open database together visit at most
 * CS_BOLT_READS_PER_ELEMENT times as many elements as its file can hold
 * (never fewer than CS_BOLT_MIN_READS), and past that every read fails with
 * -E2BIG and a message naming the file. Nothing is ever written.
 */
#ifndef CS_BBOLT_H
#define CS_BBOLT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/util.h"
#include "evidence/source.h"

#define CS_BOLT_MAX_FILE ((uint64_t)1 << 30) /* largest file read */
#define CS_BOLT_MAX_TREE 64                  /* branch levels in one bucket */
#define CS_BOLT_MAX_NEST 64                  /* buckets inside buckets */
#define CS_BOLT_READS_PER_ELEMENT 64         /* element visits, per element the file can hold */
#define CS_BOLT_MIN_READS ((uint64_t)1 << 20) /* element visits allowed whatever the file's size */

typedef struct cs_bolt cs_bolt;

/* The chosen meta page, for reports. */
typedef struct cs_bolt_info {
	uint32_t page_size;
	uint64_t txid;
	unsigned meta_page;    /* 0 or 1 */
	bool other_damaged;    /* the other meta page failed validation: a torn
	                        * commit at a power cut, or damage */
	uint64_t root_pgid, freelist_pgid, hwm;
	uint64_t file_pages;   /* pages present in the file */
} cs_bolt_info;

/* A bucket handle (plain value: copy freely while the database is open). */
typedef struct cs_bolt_bucket {
	const cs_bolt *db;
	uint64_t root;          /* root page, or 0 for an inline bucket */
	const uint8_t *inl;     /* inline page image, or NULL */
	size_t inl_len;
	uint64_t sequence;      /* the bucket's NextSequence counter */
	unsigned nest;          /* depth below the root bucket */
} cs_bolt_bucket;

/* Opens name (evidence-relative) read-only. Returns 0 and *ret, or -errno
 * with a message naming the file: -EBADMSG when neither meta page is valid,
 * -EFBIG when larger than CS_BOLT_MAX_FILE. */
int cs_bolt_open(cs_source *src, const char *path, cs_bolt **ret, cs_error *e);
/* Opens a database held in memory (copied). name is used in messages. */
int cs_bolt_open_mem(const void *data, size_t len, const char *name, cs_bolt **ret, cs_error *e);
void cs_bolt_close(cs_bolt *db);
/* The file's name as given, and the meta page in use. */
const char *cs_bolt_name(const cs_bolt *db);
void cs_bolt_get_info(const cs_bolt *db, cs_bolt_info *ret);

/* The root bucket (holds the top-level buckets). */
void cs_bolt_root(const cs_bolt *db, cs_bolt_bucket *ret);

/* Finds key in bucket b. Returns 1 and the value (*is_bucket says whether
 * it is a nested bucket), 0 if absent, or -EBADMSG for a damaged page (e
 * names the file and page). */
int cs_bolt_get(const cs_bolt_bucket *b, const void *key, size_t klen, const uint8_t **ret_val,
		size_t *ret_len, bool *is_bucket, cs_error *e);
/* As cs_bolt_get for a NUL-terminated key that must be a plain value;
 * a bucket under that key counts as absent. */
int cs_bolt_get_str(const cs_bolt_bucket *b, const char *key, const uint8_t **ret_val, size_t *ret_len,
		    cs_error *e);
/* Opens the nested bucket under key. Returns 1 and *ret, 0 if there is no
 * bucket of that name, or -EBADMSG (a damaged bucket header or page, or
 * nesting deeper than CS_BOLT_MAX_NEST). */
int cs_bolt_bucket_open(const cs_bolt_bucket *b, const char *key, cs_bolt_bucket *ret, cs_error *e);
/* Opens a bucket from a bucket value found by cs_bolt_get/foreach. */
int cs_bolt_bucket_from(const cs_bolt_bucket *parent, const uint8_t *val, size_t len,
			cs_bolt_bucket *ret, cs_error *e);

/* Calls fn for every key of b in order (keys as stored, sorted bytewise).
 * fn returns 0 to go on, non-zero to stop (returned as is). Returns 0 at
 * the end, fn's value, or -EBADMSG when a page of the bucket is damaged: the
 * elements before the damage have been passed, e says which file and page. */
typedef int (*cs_bolt_fn)(void *ud, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen,
			  bool is_bucket);
int cs_bolt_foreach(const cs_bolt_bucket *b, cs_bolt_fn fn, void *ud, cs_error *e);
/* Walks every element of b's own pages (not its nested buckets'): 0 when
 * all are sound, else -EBADMSG naming the file, page and element. A lookup
 * (cs_bolt_get) checks only the elements it passes; this says, once for a
 * record bucket, whether any of its values may be lost to damage. */
int cs_bolt_check(const cs_bolt_bucket *b, cs_error *e);

/* Page ids on the freelist (a copy), for reports of what freed pages may
 * still hold. Returns 0 and an owned array (possibly empty), or -EBADMSG. */
int cs_bolt_freelist(const cs_bolt *db, uint64_t **ret, size_t *ret_n, cs_error *e);

#endif
