/* archive.c - a triage archive as a source (see disk.h): where in it the
 * host tree or the data root begins. */
#include <string.h>
#include <sys/stat.h>

#include "engines/engines.h"
#include "host/disk.h"

static bool is_dir(cs_source *src, const char *p)
{
	cs_stat st;
	return cs_source_stat(src, p, false, &st, NULL) == 0 && S_ISDIR(st.mode);
}

/* Finds the top: descends through wrapper directories. */
static char *find_top(cs_source *src, bool *ret_sysroot)
{
	size_t ne;
	const cs_engine *const *engines = cs_engines(&ne);
	char *cur = cs_xstrdup("");
	for (int depth = 0; depth < 16; depth++) {
		_cleanup_free_ char *etc = cs_path_join(cur, "etc"), *var = cs_path_join(cur, "var");
		if (is_dir(src, etc) || is_dir(src, var)) {
			*ret_sysroot = true;
			return cur;
		}
		for (size_t i = 0; i < ne; i++)
			if (engines[i]->probe(src, cur) > 0) {
				*ret_sysroot = false;
				return cur;
			}
		cs_dirent *d = NULL;
		size_t n = 0;
		if (cs_source_list(src, cur, &d, &n, NULL) < 0)
			break;
		const char *only = NULL;
		size_t dirs = 0;
		for (size_t i = 0; i < n; i++) {
			_cleanup_free_ char *p = cs_path_join(cur, d[i].name);
			if (is_dir(src, p)) {
				dirs++;
				only = d[i].name;
			}
		}
		if (dirs != 1) {
			cs_dirents_free(d, n);
			break;
		}
		char *next = cs_path_join(cur, only);
		cs_dirents_free(d, n);
		free(cur);
		cur = next;
	}
	free(cur);
	return NULL;
}

int cs_archive_source(const char *path, const char *root_path, const cs_disk_opts *o, cs_source **ret,
		      char **ret_top, bool *ret_sysroot, cs_error *e)
{
	*ret_top = NULL;
	cs_fsys_opts fo = {0};
	if (o)
		fo = (cs_fsys_opts){.diag = o->diag, .diag_userdata = o->diag_userdata};
	cs_fsys *fs;
	int r = cs_fsys_open_archive(path, &fo, &fs, e);
	if (r < 0)
		return r;
	if (root_path && *root_path)
		return cs_source_open_fsys(&fs, NULL, 1, root_path, path, ret, e);
	cs_source *src;
	r = cs_source_open_fsys(&fs, NULL, 1, NULL, path, &src, e);
	if (r < 0)
		return r;
	bool sysroot = true;
	char *top = find_top(src, &sysroot);
	if (!top) {
		cs_source_close(src);
		return cs_err(e, -ENOENT,
			      "archive `%s`: found neither a host tree (etc/, var/) nor an engine data root in it; "
			      "name one with --sysroot PATH or --root PATH (a path inside the archive)", path);
	}
	r = *top ? cs_source_fsys_chroot(src, top, e) : 0;
	if (r < 0) {
		cs_source_close(src);
		free(top);
		return r;
	}
	*ret = src;
	*ret_top = top;
	*ret_sysroot = sysroot;
	return 0;
}
