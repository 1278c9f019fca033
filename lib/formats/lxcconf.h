/* lxcconf.h - LXC container configuration files (lxc.container.conf(5)).
 *
 * A config is lines of `key = value` read the way liblxc 5.0 reads them
 * (src/lxc/confile.c parse_line): leading blanks skipped, `#` lines and
 * blank lines ignored, lines that do not start with `lxc.` ignored by LXC
 * ("martian" lines: kept as notes), the key and value trimmed, one pair of
 * matching quotes around the value removed. A line without `=` is an error
 * to LXC; here it costs that line only and is reported with its file and
 * line number.
 *
 * `lxc.include` is expanded where it stands, as LXC does: a file, or a
 * directory whose `*.conf` files are read (in name order here; LXC takes
 * readdir's order). Include targets are host paths; the caller maps them
 * into the evidence. Expansion is bounded (CS_LXC_MAX_INCLUDE_DEPTH,
 * CS_LXC_MAX_FILES, CS_LXC_MAX_BYTES) and loop-safe: a file already being
 * read (same device and inode) is not read again, and the loop is
 * reported.
 *
 * Keys LXC treats as lists accumulate (mount entries, idmaps, capabilities,
 * hooks, environment, cgroup settings, addresses, ...; an empty value
 * clears the list, as in LXC); for every other key the last value wins and
 * a repeat is reported. Pre-2.1 key names (lxc.rootfs, lxc.id_map,
 * lxc.utsname, lxc.network.*, lxc.aa_profile, ...) are read as their
 * current names, with a note.
 */
#ifndef CS_LXCCONF_H
#define CS_LXCCONF_H

#include <stdbool.h>
#include <stddef.h>

#include "base/util.h"
#include "evidence/source.h"

#define CS_LXC_MAX_INCLUDE_DEPTH 16
#define CS_LXC_MAX_FILES 256
#define CS_LXC_MAX_BYTES ((size_t)16 << 20) /* all files of one config together */
#define CS_LXC_MAX_LINES 200000

typedef struct cs_lxc_kv {
	char *key;   /* current key name (legacy names translated) */
	char *value; /* quotes removed */
	char *file;  /* evidence-relative file it came from */
	unsigned line;
} cs_lxc_kv;

typedef struct cs_lxc_issue {
	cs_severity severity;
	char *file;
	char *msg;
} cs_lxc_issue;

typedef struct cs_lxc_conf {
	cs_lxc_kv *v; /* in reading order, includes expanded in place */
	size_t n, cap;
	char **files; /* every file read, in order (evidence-relative), NULL-terminated */
	size_t n_files, cap_files;
	cs_lxc_issue *issues; /* what the examiner should know, in order */
	size_t n_issues, cap_issues;
	size_t bytes;
} cs_lxc_conf;

/* Maps a host path (an include target) to an evidence-relative path, or
 * NULL when it is not in the evidence. Owned result. */
typedef char *(*cs_lxc_map_fn)(void *userdata, const char *host_path);

/* Reads the config at path (evidence-relative) with its includes. Returns 0
 * and fills *c (clear it with cs_lxc_conf_clear) even when lines or
 * includes are bad (see c->issues); -errno when the file itself cannot be
 * read. */
int cs_lxc_conf_load(cs_source *src, const char *path, cs_lxc_map_fn map, void *map_ud, cs_lxc_conf *c,
		     cs_error *e);
/* Parses one file's text (no include is followed: lxc.include stays a
 * key). For tests and the fuzz target. */
void cs_lxc_conf_parse(const char *text, size_t len, const char *file, cs_lxc_conf *c);
void cs_lxc_conf_clear(cs_lxc_conf *c);

/* True if LXC keeps every value of key (a list). */
bool cs_lxc_key_is_list(const char *key);
/* The value in force for a single-valued key (the last), or NULL. */
const char *cs_lxc_conf_get(const cs_lxc_conf *c, const char *key);
/* The entry in force for key, or NULL (for its file and line). */
const cs_lxc_kv *cs_lxc_conf_entry(const cs_lxc_conf *c, const char *key);
/* The values in force for a list key, in order (an empty value clears
 * what came before; lxc.cap.drop/keep values are split into their words,
 * as LXC does). Owned NULL-terminated vector; empty if none. */
char **cs_lxc_conf_list(const cs_lxc_conf *c, const char *key);
/* Every distinct key in force that starts with prefix, in first-seen
 * order. Owned vector. */
char **cs_lxc_conf_keys(const cs_lxc_conf *c, const char *prefix);

#endif
