/* fstab.h - a host's /etc/fstab and /etc/os-release, read from evidence.
 *
 * Both are small text formats; the parsers bound what they keep and never
 * fail on a bad line (it is skipped). */
#ifndef CS_FSTAB_H
#define CS_FSTAB_H

#include <stddef.h>

typedef struct cs_fstab_entry {
	char *spec; /* "UUID=...", "LABEL=...", "/dev/mapper/vg-var", ... (escapes decoded) */
	char *file; /* the mount point, "/var" */
	char *type; /* "ext4", "xfs", "swap", ... */
	char *opts; /* "defaults,noatime" */
} cs_fstab_entry;

#define CS_FSTAB_MAX 4096

/* Parses fstab text (n bytes): comments and blank lines skipped, octal
 * escapes (\040) decoded, at most CS_FSTAB_MAX entries. Returns an owned
 * array (free with cs_fstab_free) in *ret and its length. */
void cs_fstab_parse(const char *text, size_t n, cs_fstab_entry **ret, size_t *ret_n);
void cs_fstab_free(cs_fstab_entry *v, size_t n);

/* The value of key in os-release text (quotes and escapes removed), or
 * NULL. Owned. */
char *cs_os_release_value(const char *text, size_t n, const char *key);

#endif
