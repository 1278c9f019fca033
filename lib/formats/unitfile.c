/* unitfile.c - command lines from systemd units (see unitfile.h). */
#include "formats/unitfile.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>

char *cs_cmdline_flag(const char *cmdline, const char *const *flags, size_t n_flags)
{
	const char *p = cmdline;
	char *found = NULL;
	while (*p) {
		while (*p && isspace((unsigned char)*p))
			p++;
		const char *w = p;
		while (*p && !isspace((unsigned char)*p))
			p++;
		size_t wl = (size_t)(p - w);
		for (size_t k = 0; k < n_flags; k++) {
			size_t fl = strlen(flags[k]);
			if (wl < fl || strncmp(w, flags[k], fl) != 0)
				continue;
			const char *v = NULL;
			size_t vl = 0;
			if (wl > fl && w[fl] == '=') {
				v = w + fl + 1;
				vl = wl - fl - 1;
			} else if (wl == fl) {
				while (*p && isspace((unsigned char)*p))
					p++;
				v = p;
				while (*p && !isspace((unsigned char)*p))
					p++;
				vl = (size_t)(p - v);
			} else {
				continue;
			}
			if (vl >= 2 && (v[0] == '"' || v[0] == '\'') && v[vl - 1] == v[0]) {
				v++;
				vl -= 2;
			}
			if (vl > 0) {
				free(found);
				found = cs_xstrndup(v, vl);
			}
			break;
		}
	}
	return found;
}

/* Applies the ExecStart= lines of one unit file to *exec (last one wins,
 * an empty one resets). Handles "\" line continuations. */
static void scan_unit(cs_source *src, const char *path, char **exec)
{
	char *text;
	size_t len;
	if (cs_source_read_file(src, path, 1 << 20, &text, &len, NULL) < 0)
		return;
	cs_buf line = {0};
	for (char *p = text; *p;) {
		char *nl = strchr(p, '\n');
		size_t l = nl ? (size_t)(nl - p) : strlen(p);
		if (l > 0 && p[l - 1] == '\\') {
			(void)cs_buf_append(&line, p, l - 1);
			(void)cs_buf_puts(&line, " ");
		} else {
			(void)cs_buf_append(&line, p, l);
			if (!line.data)
				(void)cs_buf_puts(&line, "");
			char *s = line.data ? line.data : p;
			while (isspace((unsigned char)*s))
				s++;
			if (cs_str_startswith(s, "ExecStart=")) {
				s += 10;
				while (*s == '-' || *s == '@' || *s == '+' || *s == '!' || *s == ':')
					s++;
				free(*exec);
				*exec = *s ? cs_xstrdup(s) : NULL;
			}
			line.len = 0;
			if (line.data)
				line.data[0] = '\0';
		}
		p += l + (nl ? 1 : 0);
	}
	cs_buf_free(&line);
	free(text);
}

void cs_unit_exec_start(cs_source *sysroot, const char *unit, char **ret_exec, char **ret_file)
{
	static const char *const dirs[] = {"lib/systemd/system", "usr/lib/systemd/system",
					   "etc/systemd/system"};
	char *exec = NULL, *exec_file = NULL;
	for (size_t i = 0; i < CS_ARRAY_SIZE(dirs); i++) {
		_cleanup_free_ char *path = cs_xasprintf("%s/%s", dirs[i], unit);
		char *before = exec ? cs_xstrdup(exec) : NULL;
		scan_unit(sysroot, path, &exec);
		if (exec && (!before || strcmp(before, exec) != 0)) {
			free(exec_file);
			exec_file = cs_xstrdup(path);
		}
		free(before);
	}
	/* drop-ins, all directories merged and ordered by file name */
	char **names = NULL, **owner = NULL;
	size_t n_all = 0, cap_names = 0, n_owner = 0, cap_owner = 0;
	for (size_t i = 0; i < CS_ARRAY_SIZE(dirs); i++) {
		_cleanup_free_ char *dd = cs_xasprintf("%s/%s.d", dirs[i], unit);
		cs_dirent *d;
		size_t n;
		if (cs_source_list(sysroot, dd, &d, &n, NULL) < 0)
			continue;
		for (size_t k = 0; k < n; k++) {
			if (!cs_str_endswith(d[k].name, ".conf"))
				continue;
			*CS_PUSH(names, n_all, cap_names) = cs_xstrdup(d[k].name);
			*CS_PUSH(owner, n_owner, cap_owner) = cs_xasprintf("%s/%s", dd, d[k].name);
		}
		cs_dirents_free(d, n);
	}
	for (size_t pass = 0; pass < n_all; pass++) {
		/* pick the next smallest name (small lists: selection is fine) */
		size_t best = SIZE_MAX;
		for (size_t k = 0; k < n_all; k++)
			if (names[k] && (best == SIZE_MAX || strcmp(names[k], names[best]) < 0))
				best = k;
		char *before = exec ? cs_xstrdup(exec) : NULL;
		scan_unit(sysroot, owner[best], &exec);
		if (exec && (!before || strcmp(before, exec) != 0)) {
			free(exec_file);
			exec_file = cs_xstrdup(owner[best]);
		}
		free(before);
		free(names[best]);
		names[best] = NULL;
	}
	free(names);
	for (size_t k = 0; k < n_owner; k++)
		free(owner[k]);
	free(owner);
	if (!exec) {
		/* reset by a later empty ExecStart=: no file set it */
		free(exec_file);
		exec_file = NULL;
	}
	*ret_exec = exec;
	if (ret_file)
		*ret_file = exec_file;
	else
		free(exec_file);
}
