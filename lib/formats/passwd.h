/* passwd.h - users and subordinate id ranges of a host, from its files.
 *
 * Rootless container engines keep one store per user, in the user's home
 * (etc/passwd gives the homes), and the files a rootless container wrote
 * are owned on disk by ids from the user's subordinate ranges (etc/subuid,
 * etc/subgid: `name-or-uid:start:count` per line, several lines per user
 * allowed, in the order the kernel map is built from them). Both readers
 * skip malformed lines (a comment, a field that is not a number, an id past
 * 2^32 - 1, a range that wraps) and bound what they keep.
 */
#ifndef CS_PASSWD_H
#define CS_PASSWD_H

#include <stddef.h>
#include <stdint.h>

#define CS_PASSWD_MAX_USERS 65536 /* entries kept from one file */
#define CS_SUBID_MAX_RANGES 64    /* ranges kept for one user */

typedef struct cs_passwd_ent {
	char *name;
	uint32_t uid, gid;
	char *home;
} cs_passwd_ent;

/* Parses an etc/passwd text (name:password:uid:gid:gecos:home:shell).
 * Returns the entries in file order (owned; free with cs_passwd_free) and
 * their count; malformed lines are skipped. */
cs_passwd_ent *cs_passwd_parse(const char *text, size_t len, size_t *ret_n);
void cs_passwd_free(cs_passwd_ent *v, size_t n);

typedef struct cs_subid_range {
	uint32_t start, count;
} cs_subid_range;

/* The subordinate ranges of the user named name (or given by its uid, as
 * the file may say either) in an etc/subuid or etc/subgid text, in file
 * order. Returns an owned array (NULL when none) and the count. */
cs_subid_range *cs_subid_ranges(const char *text, size_t len, const char *name, uint32_t uid, size_t *ret_n);

#endif
