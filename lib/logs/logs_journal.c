/* logs_journal.c - container output kept in systemd journal files.
 *
 * Podman's journald log driver hands each line to journald through conmon
 * (src/ctr_logging.c write_journald): MESSAGE is the line with its '\n'
 * (none when the output ended without one, then CONTAINER_PARTIAL_MESSAGE
 * =true), PRIORITY is 6 for stdout and 3 for stderr, CONTAINER_ID_FULL,
 * CONTAINER_ID, CONTAINER_NAME, CONTAINER_TAG and SYSLOG_IDENTIFIER name the
 * container. `podman logs` matches CONTAINER_ID_FULL and prints the entry's
 * realtime stamp (microseconds). Rootful containers' lines are in the
 * host's system journal, rootless ones in the user's
 * (var/log/journal/<machine id>/{system,user-<uid>}[@...].journal[~]).
 *
 * The journal files are read with libsystemd's own reader, on descriptors
 * opened through the evidence source (read-only, O_NOATIME, never a path
 * outside the evidence): sd_journal_open_files_fd() with duplicates of them,
 * which it owns once it accepts them. Each file is first opened alone, so a
 * file that is not a journal (or too damaged to open) is reported and left
 * out instead of failing the rest. libsystemd refuses a file shorter than
 * its header says (a copy cut short, a disk image with the tail missing):
 * such a file is copied to a temporary file (in TMPDIR, never into the
 * evidence; libsystemd refuses unlinked files, so it stays until the reader
 * is closed), padded with zeros to the size its header records, and read as
 * far as its objects are whole; the warning says so.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include "logs/logs_internal.h"

#define MAX_FILES 4096

struct cs_jrnl {
	sd_journal *j;
	cs_file **files;
	size_t n;
	uint64_t index;
	uint64_t no_message; /* entries without a readable MESSAGE, skipped */
	char **tmp; /* padded copies (outside the evidence), removed at close */
	size_t ntmp, captmp;
};

static bool journal_name(const char *n)
{
	return cs_str_endswith(n, ".journal") || cs_str_endswith(n, ".journal~");
}

static void push_file(char ***v, size_t *n, size_t *cap, const char *dir, const char *name)
{
	if (*n < MAX_FILES)
		*CS_PUSH(*v, *n, *cap) = cs_path_join(dir, name);
}

int cs_log__journal_list(cs_source *src, const char *dir, char ***ret, size_t *ret_n, cs_error *e)
{
	char **v = NULL;
	size_t n = 0, cap = 0;
	cs_dirent *d = NULL;
	size_t nd = 0;
	int r = cs_source_list(src, dir, &d, &nd, e);
	if (r < 0)
		return r;
	for (size_t i = 0; i < nd; i++) {
		if (journal_name(d[i].name)) {
			push_file(&v, &n, &cap, dir, d[i].name);
			continue;
		}
		/* <machine id>/ (and a namespace's <machine id>.<ns>/) */
		_cleanup_free_ char *sub = cs_path_join(dir, d[i].name);
		cs_stat st;
		if (cs_source_stat(src, sub, false, &st, NULL) < 0 || !S_ISDIR(st.mode))
			continue;
		cs_dirent *s = NULL;
		size_t ns = 0;
		if (cs_source_list(src, sub, &s, &ns, NULL) < 0)
			continue;
		for (size_t k = 0; k < ns; k++)
			if (journal_name(s[k].name))
				push_file(&v, &n, &cap, sub, s[k].name);
		cs_dirents_free(s, ns);
	}
	cs_dirents_free(d, nd);
	*ret = v;
	*ret_n = n;
	return 0;
}

#define MAX_PADDED ((uint64_t)1 << 30)

static uint64_t le64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* A journal file cut short: a zero-padded temporary copy, or -1. */
static int padded_copy(cs_jrnl *j, cs_file *f, uint64_t *ret_want)
{
	unsigned char h[104];
	uint64_t size = cs_file_size(f);
	if (cs_file_pread(f, h, sizeof(h), 0) != (ssize_t)sizeof(h) || memcmp(h, "LPKSHHRH", 8) != 0)
		return -1;
	uint64_t want = le64(h + 88) + le64(h + 96);
	if (want <= size || want > MAX_PADDED || le64(h + 88) < sizeof(h))
		return -1;
	const char *td = getenv("TMPDIR");
	char *tmpl = cs_xasprintf("%s/csleuth-journal-XXXXXX", td && *td ? td : "/tmp");
	int fd = mkostemp(tmpl, O_CLOEXEC);
	if (fd < 0) {
		free(tmpl);
		return -1;
	}
	*CS_PUSH(j->tmp, j->ntmp, j->captmp) = tmpl;
	char *buf = cs_xmalloc(1 << 20);
	uint64_t off = 0;
	while (off < size) {
		ssize_t k = cs_file_pread(f, buf, 1 << 20, off);
		if (k <= 0 || write(fd, buf, (size_t)k) != k)
			break;
		off += (uint64_t)k;
	}
	free(buf);
	if (off != size || ftruncate(fd, (off_t)want) < 0) {
		close(fd);
		return -1;
	}
	*ret_want = want;
	return fd;
}

int cs_log__journal_open(cs_source *src, char *const *paths, size_t n, const char *match, cs_diag_fn diag,
			 void *ud, size_t *warnings, cs_jrnl **ret, cs_error *e)
{
	cs_jrnl *j = cs_xcalloc(1, sizeof(*j));
	j->files = cs_xcalloc(n + 1, sizeof(cs_file *));
	int *fds = cs_xcalloc(n + 1, sizeof(int));
	size_t nf = 0;
	for (size_t i = 0; i < n; i++) {
		cs_file *f = NULL;
		cs_error fe = {0};
		if (cs_source_open(src, paths[i], &f, &fe) < 0) {
			cs_diagf(diag, ud, CS_WARN, paths[i], "%s: skipped", fe.msg);
			(*warnings)++;
			continue;
		}
		int fd = cs_file_fd(f);
		int dfd = fd >= 0 ? fcntl(fd, F_DUPFD_CLOEXEC, 3) : -1;
		sd_journal *t = NULL;
		int r = dfd >= 0 ? sd_journal_open_files_fd(&t, &dfd, 1, 0) : -EBADF;
		uint64_t want = 0;
		int pfd = -1;
		if (r < 0 && (pfd = padded_copy(j, f, &want)) >= 0) {
			/* cut short: read the zero-padded copy instead */
			if (dfd >= 0)
				close(dfd);
			dfd = fcntl(pfd, F_DUPFD_CLOEXEC, 3);
			r = dfd >= 0 ? sd_journal_open_files_fd(&t, &dfd, 1, 0) : -EBADF;
			if (r == 0) {
				cs_diagf(diag, ud, CS_WARN, paths[i],
					 "`%s`: the journal file is cut short (%llu of the %llu bytes its header "
					 "records): read as far as its entries are whole",
					 paths[i], (unsigned long long)cs_file_size(f), (unsigned long long)want);
				(*warnings)++;
				sd_journal_close(t);
				cs_file_close(f);
				f = NULL;
				fd = pfd;
				pfd = -1;
			}
		}
		if (pfd >= 0)
			close(pfd);
		if (r < 0) {
			if (dfd >= 0)
				close(dfd);
			cs_diagf(diag, ud, CS_WARN, paths[i],
				 "`%s`: not a systemd journal file, or too damaged to read (%s): skipped", paths[i],
				 strerror(-r));
			(*warnings)++;
			cs_file_close(f);
			continue;
		}
		if (f) {
			sd_journal_close(t); /* it owned dfd */
			j->files[j->n++] = f;
			fds[nf++] = fcntl(fd, F_DUPFD_CLOEXEC, 3);
		} else {
			fds[nf++] = fd; /* the padded copy: the journal owns it from here */
		}
		if (fds[nf - 1] < 0)
			nf--;
	}
	if (nf == 0) {
		free(fds);
		cs_log__journal_close(j);
		return cs_err(e, -ENOENT, "no readable journal file");
	}
	int r = sd_journal_open_files_fd(&j->j, fds, (unsigned)nf, 0);
	if (r < 0) {
		for (size_t i = 0; i < nf; i++)
			close(fds[i]);
		free(fds);
		cs_log__journal_close(j);
		return cs_err(e, r, "the journal files cannot be read together: %s", strerror(-r));
	}
	free(fds);
	if (match && (r = sd_journal_add_match(j->j, match, 0)) < 0) {
		cs_log__journal_close(j);
		return cs_err(e, r, "journal match `%s`: %s", match, strerror(-r));
	}
	(void)sd_journal_set_data_threshold(j->j, CS_LOGS_MAX_RECORD);
	*ret = j;
	return 0;
}

/* FIELD=value of the current entry, or NULL. */
static const char *field(sd_journal *j, const char *name, size_t *len)
{
	const void *d;
	size_t l;
	if (sd_journal_get_data(j, name, &d, &l) < 0)
		return NULL;
	size_t nl = strlen(name);
	if (l <= nl || memcmp(d, name, nl) != 0 || ((const char *)d)[nl] != '=')
		return NULL;
	*len = l - nl - 1;
	return (const char *)d + nl + 1;
}

int cs_log__journal_next(cs_jrnl *j, cs_log_record *rec, cs_buf *text)
{
	for (;;) {
		int r = sd_journal_next(j->j);
		if (r <= 0)
			return r < 0 ? r : 0;
		memset(rec, 0, sizeof(*rec));
		uint64_t usec = 0;
		rec->time = sd_journal_get_realtime_usec(j->j, &usec) == 0 ? cs_time_from_parts((int64_t)(usec / 1000000),
												 (int64_t)(usec % 1000000) * 1000)
									   : CS_TIME_INVALID;
		size_t pl = 0, ml = 0, xl = 0;
		const char *pri = field(j->j, "PRIORITY", &pl);
		const char *msg = field(j->j, "MESSAGE", &ml);
		if (!msg) {
			/* as podman: an entry without MESSAGE is not a log line */
			j->no_message++;
			continue;
		}
		bool partial = field(j->j, "CONTAINER_PARTIAL_MESSAGE", &xl) != NULL;
		if (pri && pl == 1 && pri[0] == '6') {
			rec->stream = CS_LOG_STDOUT;
			rec->source = "stdout";
			rec->source_len = 6;
		} else if (pri && pl == 1 && pri[0] == '3') {
			rec->stream = CS_LOG_STDERR;
			rec->source = "stderr";
			rec->source_len = 6;
		} else {
			rec->source = "";
		}
		text->len = 0;
		if (ml > 0 && msg[ml - 1] == '\n')
			ml--;
		(void)cs_buf_append(text, msg, ml);
		rec->text = text->data ? text->data : "";
		rec->len = text->len;
		rec->partial = partial;
		rec->newline = !partial;
		rec->parts = 1;
		rec->offset = j->index++;
		return 1;
	}
}

uint64_t cs_log__journal_skipped(const cs_jrnl *j)
{
	return j->no_message;
}

int cs_log__journal_rewind(cs_jrnl *j)
{
	j->index = 0;
	j->no_message = 0;
	return sd_journal_seek_head(j->j);
}

void cs_log__journal_close(cs_jrnl *j)
{
	if (!j)
		return;
	sd_journal_close(j->j);
	for (size_t i = 0; i < j->n; i++)
		cs_file_close(j->files[i]);
	free(j->files);
	for (size_t i = 0; i < j->ntmp; i++) {
		(void)unlink(j->tmp[i]);
		free(j->tmp[i]);
	}
	free(j->tmp);
	free(j);
}
