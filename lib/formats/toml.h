/* toml.h - string values of TOML configuration files, read-only.
 *
 * Engines keep their locations in TOML (containers/storage's storage.conf,
 * Podman's containers.conf, CRI-O's crio.conf and its drop-ins). csleuth
 * needs a few string values from them, never the whole document: this
 * reader walks the text once and answers "what is the string value of
 * dotted key K" (a table header and the key below it, or a dotted key),
 * following TOML 1.0's lexical rules so that nothing in a comment, a
 * multi-line string, an array or an inline table is mistaken for a key:
 * tables `[a.b]` (keys bare, "basic" or 'literal'), arrays of tables
 * `[[a]]` (their keys are not answered), `key = value` lines with dotted
 * keys, basic strings with escapes (\uXXXX and \UXXXXXXXX made UTF-8),
 * literal strings, multi-line strings, arrays and inline tables (skipped,
 * bounded depth). A value that is not a string counts as absent. When a
 * key is given twice (invalid TOML) the last one wins, as most readers do.
 * Malformed input never fails: the reader skips to the next line.
 */
#ifndef CS_TOML_H
#define CS_TOML_H

#include <stddef.h>

/* Largest configuration file read. */
#define CS_TOML_MAX ((size_t)1 << 20)

/* The string value of `path` ("storage.graphroot", "crio.root",
 * "storage.options.overlay.mount_program") in text[0..len), or NULL when
 * absent or not a string. Owned. */
char *cs_toml_string(const char *text, size_t len, const char *path);

#endif
