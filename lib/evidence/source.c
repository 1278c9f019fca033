/* source.c - backend-independent parts of cs_source (see source.h). */
#include "evidence/source.h"

#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

void cs_source_close(cs_source *src)
{
	if (src)
		src->ops->close(src);
}

const char *cs_source_root(const cs_source *src)
{
	return src->root;
}

bool cs_source_is_partial(const cs_source *src)
{
	return src && src->partial;
}

bool cs_source_is_concurrent(const cs_source *src)
{
	return src && src->concurrent;
}

int cs_source_stat(cs_source *src, const char *path, bool follow, cs_stat *st, cs_error *e)
{
	return src->ops->stat(src, path, follow, st, e);
}

int cs_source_open(cs_source *src, const char *path, cs_file **ret, cs_error *e)
{
	return src->ops->open(src, path, ret, e);
}

int cs_source_readlink(cs_source *src, const char *path, char **ret, cs_error *e)
{
	return src->ops->readlink(src, path, ret, e);
}

int cs_source_list(cs_source *src, const char *path, cs_dirent **ret, size_t *ret_n, cs_error *e)
{
	*ret = NULL;
	*ret_n = 0;
	return src->ops->list(src, path, ret, ret_n, e);
}

int cs_source_xattrs(cs_source *src, const char *path, cs_xattr **ret, size_t *ret_n, cs_error *e)
{
	*ret = NULL;
	*ret_n = 0;
	if (!src->ops->xattrs)
		return 0;
	return src->ops->xattrs(src, path, ret, ret_n, e);
}

int cs_source_changes_atimes(cs_source *src, const char *path, cs_error *e)
{
	if (!src->ops->changes_atimes)
		return 0;
	return src->ops->changes_atimes(src, path, e);
}

void cs_xattrs_free(cs_xattr *x, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(x[i].name);
		free(x[i].value);
	}
	free(x);
}

void cs_dirents_free(cs_dirent *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(d[i].name);
	free(d);
}

bool cs_source_exists(cs_source *src, const char *path)
{
	cs_stat st;
	return cs_source_stat(src, path, false, &st, NULL) == 0;
}

/* A big buffer (a libpod or containerd database of tens of MB) is faulted
 * in 4 KiB page by page as it is filled; where the kernel offers
 * transparent huge pages on request, asking for them turns thousands of
 * page faults (the larger part of `ps` on a big Podman store) into a few. */
static void advise_huge(void *p, size_t n)
{
	const uintptr_t huge = 2u << 20;
	if (n < 4 * huge)
		return;
	uintptr_t a = ((uintptr_t)p + huge - 1) & ~(huge - 1);
	uintptr_t end = ((uintptr_t)p + n) & ~(huge - 1);
	if (end > a)
		(void)madvise((void *)a, end - a, MADV_HUGEPAGE);
}

int cs_source_read_file(cs_source *src, const char *path, size_t max, char **ret,
			size_t *ret_len, cs_error *e)
{
	cs_file *f;
	int r = cs_source_open(src, path, &f, e);
	if (r < 0)
		return r;
	if (f->size > max) {
		unsigned long long size = f->size;
		cs_file_close(f);
		return cs_err(e, -EFBIG, "`%s`: %llu bytes, more than the %zu allowed", path, size,
			      max);
	}
	/* Read the recorded size in one go; only a file whose size is unknown
	 * (0) or that was short is read on until EOF. */
	cs_buf b = {.max = max};
	if (f->size > 0) {
		r = cs_buf_append(&b, "", 0);
		if (r == 0 && b.cap < f->size + 1) {
			char *d = realloc(b.data, f->size + 1);
			if (!d)
				r = -ENOMEM;
			else {
				b.data = d;
				b.cap = f->size + 1;
				advise_huge(d, b.cap);
			}
		}
		if (r < 0) {
			cs_file_close(f);
			cs_buf_free(&b);
			return cs_err(e, r, "`%s`: out of memory", path);
		}
		ssize_t n = cs_file_pread(f, b.data, f->size, 0);
		if (n == (ssize_t)f->size) {
			b.len = (size_t)n;
			b.data[n] = '\0';
			cs_file_close(f);
			if (ret_len)
				*ret_len = b.len;
			*ret = cs_buf_steal(&b);
			return 0;
		}
	}
	char chunk[65536];
	uint64_t off = 0;
	b.len = 0;
	for (;;) {
		ssize_t n = cs_file_pread(f, chunk, sizeof(chunk), off);
		if (n < 0) {
			cs_file_close(f);
			cs_buf_free(&b);
			return cs_err(e, (int)n, "`%s`: read: %s", path, strerror((int)-n));
		}
		if (n == 0)
			break;
		r = cs_buf_append(&b, chunk, (size_t)n);
		if (r < 0) {
			cs_file_close(f);
			cs_buf_free(&b);
			return cs_err(e, r, "`%s`: more than the %zu bytes allowed", path, max);
		}
		off += (uint64_t)n;
	}
	cs_file_close(f);
	if (ret_len)
		*ret_len = b.len;
	*ret = cs_buf_steal(&b);
	return 0;
}

ssize_t cs_file_pread(cs_file *f, void *buf, size_t n, uint64_t off)
{
	return f->ops->pread(f, buf, n, off);
}

const char *cs_file_strerror(cs_file *f, int err)
{
	const char *m = f && f->ops->error ? f->ops->error(f) : NULL;
	return m && *m ? m : strerror(err < 0 ? -err : err);
}

uint64_t cs_file_size(const cs_file *f)
{
	return f->size;
}

int cs_file_fd(const cs_file *f)
{
	return f->fd;
}

void cs_file_close(cs_file *f)
{
	if (f)
		f->ops->close(f);
}

char *cs_path_join(const char *a, const char *b)
{
	if (!a || !*a)
		return cs_xstrdup(b ? b : "");
	if (!b || !*b)
		return cs_xstrdup(a);
	size_t la = strlen(a);
	while (la > 0 && a[la - 1] == '/')
		la--;
	while (*b == '/')
		b++;
	return cs_xasprintf("%.*s/%s", (int)la, a, b);
}

void cs_path_split(const char *path, bool dot_too, char **dir, char **leaf)
{
	while (*path == '/')
		path++;
	size_t n = strlen(path);
	while (n > 0 && path[n - 1] == '/')
		n--;
	const char *slash = NULL;
	for (size_t i = n; i > 0; i--)
		if (path[i - 1] == '/') {
			slash = path + i - 1;
			break;
		}
	if (n == 0) {
		*dir = cs_xstrdup("");
		*leaf = cs_xstrdup(".");
	} else if (!slash) {
		*dir = cs_xstrdup("");
		*leaf = cs_xstrndup(path, n);
	} else {
		*dir = cs_xstrndup(path, (size_t)(slash - path));
		*leaf = cs_xstrndup(slash + 1, n - (size_t)(slash - path) - 1);
	}
	if (strcmp(*leaf, "..") == 0 || (dot_too && n > 0 && strcmp(*leaf, ".") == 0)) {
		char *full = cs_xstrndup(path, n);
		free(*dir);
		free(*leaf);
		*dir = full;
		*leaf = cs_xstrdup(".");
	}
}
