/* logs.c - csleuth logs: a container's output, as the engine prints it.
 *
 * The one command that writes evidence bytes raw: `docker logs` does, and
 * its output is what examiners compare against. Records go to stdout or
 * stderr by their stream, through two large buffers written with write(2);
 * when both descriptors lead to the same file (2>&1), the other buffer is
 * flushed at each change of stream so that the interleaving is kept.
 */
#include <getopt.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "cli.h"
#include "logs/logs.h"
#include "formats/sanitize.h"

static const char help[] =
	"Usage: csleuth logs [OPTIONS] CONTAINER\n"
	"       csleuth logs [OPTIONS] --format FORMAT --file PATH...\n"
	"\n"
	"Print a container's stdout and stderr from the files its log driver kept\n"
	"(json-file with its rotated and gzip'd files, local, the dual-logging\n"
	"cache; CRI files of Kubernetes and CRI-O; Podman's k8s-file and the\n"
	"systemd journal files of its journald driver), oldest first, exactly as\n"
	"the engine's `logs` prints them: stdout records to stdout, stderr records\n"
	"to stderr, the container's bytes unmodified. Use --json, or pipe through\n"
	"`cat -v`, for hostile logs.\n"
	"\n"
	"  -t, --timestamps   prefix each record with its time (RFC 3339, 9 digits, UTC)\n"
	"  --since T          records at or after T: RFC 3339 (2026-11-23T14:58:04Z), a\n"
	"                     date or minutes without zone (read as UTC: 2026-11-23,\n"
	"                     2026-11-23T14:58), Unix seconds[.ns], or a time before\n"
	"                     now (10m, 2h, 1h30m, 3d); --from is the same\n"
	"  --until T          records at or before T (same forms; --to is the same)\n"
	"  -n, --tail N       only the last N stored records (both streams), or `all`\n"
	"  --stream S         only stdout or only stderr\n"
	"  --join             put the pieces of long lines (split at 16 KiB) back together\n"
	"  --json             one JSON object per record, with its file and offset\n"
	"  --provenance       with --json: {\"provenance\": {...}, \"items\": [records]}\n"
	"  --log NAME         a system container's (LXC, LXD) log: console (the default:\n"
	"                     what the container wrote to its console), lxc (liblxc's\n"
	"                     own log: starts, stops, errors; times to the second) or fork\n"
	"  --file PATH        read this evidence file (repeat, oldest first); needs --format\n"
	"  --format F         json-file, local, cri (k8s-file), journald (journal\n"
	"                     files, every entry), text or lxc (for --file)\n";

typedef struct outbuf {
	int fd;
	char *b;
	size_t n, cap;
	bool failed;
} outbuf;

static void ob_flush(outbuf *o)
{
	size_t off = 0;
	while (off < o->n && !o->failed) {
		ssize_t w = write(o->fd, o->b + off, o->n - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			o->failed = true;
			break;
		}
		off += (size_t)w;
	}
	o->n = 0;
}

static void ob_put(outbuf *o, const void *p, size_t n)
{
	if (o->n + n > o->cap) {
		ob_flush(o);
		if (n >= o->cap) {
			size_t off = 0;
			while (off < n && !o->failed) {
				ssize_t w = write(o->fd, (const char *)p + off, n - off);
				if (w < 0) {
					if (errno == EINTR)
						continue;
					o->failed = true;
					break;
				}
				off += (size_t)w;
			}
			return;
		}
	}
	memcpy(o->b + o->n, p, n);
	o->n += n;
}

static void ob_putc(outbuf *o, char c)
{
	if (o->n == o->cap)
		ob_flush(o);
	o->b[o->n++] = c;
}

typedef struct logs_ctx {
	cli *c;
	outbuf out, err;
	bool ordered; /* stdout and stderr are one file: keep the interleaving */
	int last_fd;
	size_t warnings;
	/* time stamp cache: the formatted second */
	int64_t ts_sec;
	char ts[CS_TIME_STRMAX];
} logs_ctx;

static void on_diag(void *ud, const cs_diag *d)
{
	logs_ctx *x = ud;
	if (d->severity == CS_WARN)
		x->warnings++;
	if (x->c->quiet)
		return;
	ob_flush(&x->out);
	ob_flush(&x->err);
	fputs(d->severity == CS_WARN ? "csleuth: warning: " : "csleuth: note: ", stderr);
	out_escaped(stderr, d->msg);
	fputc('\n', stderr);
	fflush(stderr);
}

static bool same_file(int a, int b)
{
	struct stat sa, sb;
	if (fstat(a, &sa) < 0 || fstat(b, &sb) < 0)
		return false;
	if (S_ISCHR(sa.st_mode) && major(sa.st_rdev) == 1 && minor(sa.st_rdev) == 3)
		return false; /* /dev/null: order does not matter */
	if (isatty(a) && isatty(b))
		return true;
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static const char pairs[] = "00010203040506070809101112131415161718192021222324252627282930313233"
			    "34353637383940414243444546474849505152535455565758596061626364656667"
			    "6869707172737475767778798081828384858687888990919293949596979899";

/* "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ " (with the space), formatting the date
 * only when the second changes. */
static const char *stamp(logs_ctx *x, cs_time t)
{
	static const char zero[] = "0001-01-01T00:00:00.000000000Z "; /* Go's zero time */
	if (!CS_TIME_IS_REAL(t) || t < 0) {
		x->ts_sec = INT64_MIN;
		if (!CS_TIME_IS_REAL(t) || !cs_time_format(t, x->ts))
			return zero;
		x->ts[30] = ' ';
		return x->ts;
	}
	int64_t sec = t / 1000000000;
	uint32_t v = (uint32_t)(t % 1000000000);
	if (sec != x->ts_sec) {
		cs_time_format(t, x->ts);
		x->ts[30] = ' ';
		x->ts_sec = sec;
		return x->ts;
	}
	char *p = x->ts + 20;
	memcpy(p, pairs + 2 * (v / 10000000), 2);
	v %= 10000000;
	memcpy(p + 2, pairs + 2 * (v / 100000), 2);
	v %= 100000;
	memcpy(p + 4, pairs + 2 * (v / 1000), 2);
	v %= 1000;
	memcpy(p + 6, pairs + 2 * (v / 10), 2);
	p[8] = (char)('0' + v % 10);
	return x->ts;
}

static void put_u64(outbuf *o, uint64_t v)
{
	char b[24], *p = b + sizeof(b);
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	ob_put(o, p, (size_t)(b + sizeof(b) - p));
}

#define PUT_LIT(o, s) ob_put((o), (s), sizeof(s) - 1)

/* Appends s as a JSON string: valid UTF-8 as is, each invalid byte as
 * U+FFFD, controls escaped. Returns false if a byte had to be replaced. */
static bool put_json_string(outbuf *o, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	bool exact = true;
	ob_putc(o, '"');
	size_t i = 0;
	while (i < n) {
		size_t j = i;
		for (;;) {
			if (j >= n)
				break;
			unsigned char ch = (unsigned char)s[j];
			if (ch >= 0x20 && ch < 0x7f && ch != '"' && ch != '\\') {
				j++;
			} else if (ch >= 0x80) {
				size_t k = cs_utf8_seqlen((const unsigned char *)s + j, n - j);
				/* C1 controls are valid UTF-8 but get escaped */
				if (!k || (ch == 0xc2 && (unsigned char)s[j + 1] < 0xa0))
					break;
				j += k;
			} else {
				break;
			}
		}
		if (j > i)
			ob_put(o, s + i, j - i);
		if (j >= n)
			break;
		unsigned char ch = (unsigned char)s[j];
		char e[6] = {'\\', 0, 0, 0, 0, 0};
		switch (ch) {
		case '"':
			e[1] = '"';
			ob_put(o, e, 2);
			break;
		case '\\':
			e[1] = '\\';
			ob_put(o, e, 2);
			break;
		case '\n':
			e[1] = 'n';
			ob_put(o, e, 2);
			break;
		case '\r':
			e[1] = 'r';
			ob_put(o, e, 2);
			break;
		case '\t':
			e[1] = 't';
			ob_put(o, e, 2);
			break;
		default:
			if (ch == 0xc2 && j + 1 < n && (unsigned char)s[j + 1] >= 0x80 &&
			    (unsigned char)s[j + 1] < 0xa0) {
				ch = (unsigned char)s[++j];
			} else if (ch >= 0x80) {
				ob_put(o, "\xef\xbf\xbd", 3);
				exact = false;
				break;
			}
			e[1] = 'u';
			e[2] = '0';
			e[3] = '0';
			e[4] = hex[ch >> 4];
			e[5] = hex[ch & 15];
			ob_put(o, e, 6);
		}
		i = j + 1;
	}
	ob_putc(o, '"');
	return exact;
}

static void put_base64(outbuf *o, const unsigned char *p, size_t n)
{
	static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	ob_putc(o, '"');
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) |
			     (i + 2 < n ? p[i + 2] : 0);
		char q[4] = {t[v >> 18], t[(v >> 12) & 63], i + 1 < n ? t[(v >> 6) & 63] : '=',
			     i + 2 < n ? t[v & 63] : '='};
		ob_put(o, q, 4);
	}
	ob_putc(o, '"');
}

static void put_bool(outbuf *o, const char *name, size_t nl, bool v)
{
	ob_put(o, name, nl);
	if (v)
		PUT_LIT(o, "true");
	else
		PUT_LIT(o, "false");
}

static void print_json(logs_ctx *x, const cs_log_record *r)
{
	outbuf *o = &x->out;
	PUT_LIT(o, "{\"time\":");
	if (CS_TIME_IS_REAL(r->time)) {
		ob_putc(o, '"');
		ob_put(o, stamp(x, r->time), 30);
		ob_putc(o, '"');
	} else {
		PUT_LIT(o, "null");
	}
	PUT_LIT(o, ",\"stream\":");
	put_json_string(o, r->source, r->source_len);
	PUT_LIT(o, ",\"text\":");
	if (!put_json_string(o, r->text, r->len)) {
		PUT_LIT(o, ",\"text_base64\":");
		put_base64(o, (const unsigned char *)r->text, r->len);
	}
	put_bool(o, ",\"partial\":", 11, r->partial);
	put_bool(o, ",\"newline\":", 11, r->newline);
	put_bool(o, ",\"truncated\":", 13, r->truncated);
	PUT_LIT(o, ",\"parts\":");
	put_u64(o, r->parts);
	if (r->has_meta) {
		PUT_LIT(o, ",\"partial_id\":");
		put_json_string(o, r->partial_id, r->partial_id_len);
		PUT_LIT(o, ",\"ordinal\":");
		if (r->ordinal < 0) {
			ob_putc(o, '-');
			put_u64(o, (uint64_t)(-(int64_t)r->ordinal));
		} else {
			put_u64(o, (uint64_t)r->ordinal);
		}
		put_bool(o, ",\"last\":", 8, r->last);
	}
	PUT_LIT(o, ",\"file\":");
	put_json_string(o, r->file, strlen(r->file));
	PUT_LIT(o, ",\"offset\":");
	put_u64(o, r->offset);
	PUT_LIT(o, "}\n");
}

static void print_text(logs_ctx *x, const cs_log_record *r, bool ts)
{
	outbuf *o = r->stream == CS_LOG_STDERR ? &x->err : &x->out;
	if (x->ordered && o->fd != x->last_fd) {
		ob_flush(o == &x->out ? &x->err : &x->out);
		x->last_fd = o->fd;
	}
	size_t need = (ts ? 31 : 0) + r->len + 1;
	if (o->n + need <= o->cap) {
		/* the usual case: one copy into the buffer */
		char *p = o->b + o->n;
		if (ts) {
			memcpy(p, stamp(x, r->time), 31);
			p += 31;
		}
		memcpy(p, r->text, r->len);
		p += r->len;
		if (r->newline)
			*p++ = '\n';
		o->n = (size_t)(p - o->b);
		return;
	}
	if (ts)
		ob_put(o, stamp(x, r->time), 31);
	ob_put(o, r->text, r->len);
	if (r->newline)
		ob_putc(o, '\n');
}

static int parse_format(const char *s, cs_log_format *f)
{
	if (strcmp(s, "json-file") == 0)
		*f = CS_LOG_JSONFILE;
	else if (strcmp(s, "local") == 0)
		*f = CS_LOG_LOCAL;
	else if (strcmp(s, "cri") == 0 || strcmp(s, "k8s-file") == 0)
		*f = CS_LOG_CRI;
	else if (strcmp(s, "journald") == 0)
		*f = CS_LOG_JOURNALD;
	else if (strcmp(s, "text") == 0)
		*f = CS_LOG_TEXT;
	else if (strcmp(s, "lxc") == 0)
		*f = CS_LOG_LXC;
	else
		return -EINVAL;
	return 0;
}

int cmd_logs(cli *c, int argc, char **argv)
{
	enum { O_SINCE = 0x200, O_UNTIL, O_STREAM, O_JSON, O_JOIN, O_FILE, O_FORMAT, O_PROV, O_LOG };
	static const struct option opts[] = {
		{"timestamps", no_argument, NULL, 't'},
		{"since", required_argument, NULL, O_SINCE},
		{"from", required_argument, NULL, O_SINCE},
		{"until", required_argument, NULL, O_UNTIL},
		{"to", required_argument, NULL, O_UNTIL},
		{"tail", required_argument, NULL, 'n'},
		{"stream", required_argument, NULL, O_STREAM},
		{"json", no_argument, NULL, O_JSON},
		{"join", no_argument, NULL, O_JOIN},
		{"file", required_argument, NULL, O_FILE},
		{"format", required_argument, NULL, O_FORMAT},
		{"provenance", no_argument, NULL, O_PROV},
		{"log", required_argument, NULL, O_LOG},
		{0},
	};
	static const cli_opts co = {.cmd = "logs", .help = help, .shortopts = "tn:", .longopts = opts};
	cs_logs_opts lo;
	cs_logs_opts_init(&lo);
	bool ts = false, json = false, have_format = false, prov = false;
	cs_log_format fmt = CS_LOG_JSONFILE;
	const char **files = NULL, *role = NULL;
	size_t n_files = 0, cap_files = 0;
	int o, rc = EXIT_OK;
	cs_time now = cs_time_now();
	while ((o = cli_getopt(c, &co, argc, argv, &rc)) != -1) {
		switch (o) {
		case CLI_OPT_EXIT: free(files); return rc;
		case 't': ts = true; break;
		case O_SINCE:
		case O_UNTIL:
			if (cs_time_parse_arg(optarg, now, o == O_SINCE ? &lo.since : &lo.until) < 0) {
				free(files);
				return cli_usage_error("logs", "bad time `%s` (RFC 3339, a date, Unix seconds, or "
							       "a duration such as 10m)", optarg);
			}
			break;
		case 'n':
			if (strcmp(optarg, "all") == 0) {
				lo.tail = -1;
			} else if (cs_parse_i64(optarg, &lo.tail) < 0 || lo.tail < 0) {
				free(files);
				return cli_usage_error("logs", "bad --tail `%s` (a number, or all)", optarg);
			}
			break;
		case O_STREAM:
			if (strcmp(optarg, "stdout") == 0)
				lo.streams = CS_LOG_STDOUT;
			else if (strcmp(optarg, "stderr") == 0)
				lo.streams = CS_LOG_STDERR;
			else {
				free(files);
				return cli_usage_error("logs", "bad --stream `%s` (stdout or stderr)", optarg);
			}
			break;
		case O_JSON: json = true; break;
		case O_JOIN: lo.join = true; break;
		case O_PROV: prov = true; break;
		case O_FILE: *CS_PUSH(files, n_files, cap_files) = optarg; break;
		case O_LOG: role = optarg; break;
		case O_FORMAT:
			if (parse_format(optarg, &fmt) < 0) {
				free(files);
				return cli_usage_error("logs",
						       "unknown --format `%s`: use json-file, local, cri, k8s-file, "
						       "journald, text or lxc",
						       optarg);
			}
			have_format = true;
			break;
		default: free(files); return cli_usage_error("logs", "bad option");
		}
	}
	if (CS_TIME_IS_REAL(lo.since) && CS_TIME_IS_REAL(lo.until) && lo.since > lo.until) {
		free(files);
		return cli_usage_error("logs", "--since is after --until: the range is empty");
	}
	if (prov && !json) {
		free(files);
		return cli_usage_error("logs", "--provenance goes with --json");
	}
	if (n_files && !have_format) {
		free(files);
		return cli_usage_error("logs", "--file needs --format");
	}
	if (n_files ? optind != argc : optind + 1 != argc) {
		free(files);
		return cli_usage_error("logs", n_files ? "--file and a container exclude each other"
						       : "expected one container");
	}
	logs_ctx x = {.c = c, .ts_sec = INT64_MIN};
	lo.diag = on_diag;
	lo.diag_userdata = &x;
	cs_logs *r = NULL;
	cs_error e = {0};
	if (n_files) {
		int k0 = cli_open_source(c);
		if (k0) {
			free(files);
			return k0;
		}
		int k = cs_logs_open_files(c->src, fmt, files, n_files, &lo, &r, &e);
		free(files);
		if (k < 0) {
			cli_error("%s", e.msg);
			return EXIT_FAILURE_;
		}
	} else {
		free(files);
		int k = cli_load(c);
		if (k)
			return k;
		const cs_container *ct;
		if ((k = cli_find_container(c, argv[optind], &ct)))
			return k;
		cli_report_one(c, ct, NULL);
		if (ct->n_logfiles || role || ct->type) {
			/* a system container: its console or engine log */
			k = cs_logs_open_role(c->src, ct, role ? role : "console", &lo, &r, &e);
			if (k == -ENOENT) {
				cs_buf have = {0};
				for (size_t i = 0; i < ct->n_logfiles; i++)
					if (!strstr(have.data ? have.data : "", ct->logfiles[i].role))
						(void)cs_buf_printf(&have, "%s%s", have.len ? ", " : "", ct->logfiles[i].role);
				char msg[CS_ERRMSG_MAX + 256];
				snprintf(msg, sizeof(msg), "%s%s%s%s", e.msg, have.len ? " (it has: " : "",
					 have.len ? have.data : "", have.len ? "; see --log)" : "");
				cs_buf_free(&have);
				cs_diag d = {.severity = CS_NOTE, .file = ct->dir, .msg = msg};
				on_diag(&x, &d);
				return cli_exit(c);
			}
			if (k < 0) {
				cli_error("%s", e.msg);
				return EXIT_FAILURE_;
			}
			goto print;
		}
		const char *drv = ct->log_driver && *ct->log_driver ? ct->log_driver : "json-file";
		if (strcmp(drv, "none") == 0 || strcmp(drv, "passthrough") == 0) {
			cli_note(c, "log driver `%s`: the engine kept no log%s", drv,
				 strcmp(drv, "passthrough") == 0 ? " (the output went to podman's own streams)" : "");
			return cli_exit(c);
		}
		k = cs_logs_open(c->src, ct, &lo, &r, &e);
		if (k == -ENOENT) {
			bool ran = ct->state.running || ct->has_been_started_before ||
				   CS_TIME_IS_REAL(ct->state.started_at);
			bool ondisk = strcmp(drv, "json-file") == 0 || strcmp(drv, "local") == 0 ||
				      strcmp(drv, "k8s-file") == 0;
			char msg[CS_ERRMSG_MAX + 128];
			if (!ran)
				snprintf(msg, sizeof(msg),
					 "container `%s` never started: it has no log",
					 ct->name ? ct->name : ct->id);
			else if (strcmp(drv, "journald") == 0 || strcmp(drv, "cri") == 0)
				snprintf(msg, sizeof(msg), "%s", e.msg);
			else if (!ondisk)
				snprintf(msg, sizeof(msg),
					 "%s; the engine keeps a copy of a `%s` log only with dual "
					 "logging (Docker 20.10 and later, unless cache-disabled)",
					 e.msg, drv);
			else
				snprintf(msg, sizeof(msg), "%s, although the container ran", e.msg);
			/* a log missing for a container that ran is a finding */
			cs_diag d = {.severity = ran && ondisk ? CS_WARN : CS_NOTE,
				     .file = ct->dir,
				     .msg = msg};
			on_diag(&x, &d);
			return x.warnings || c->warnings ? EXIT_WARNINGS : cli_exit(c);
		}
		if (k < 0) {
			cli_error("%s", e.msg);
			return EXIT_FAILURE_;
		}
	}
print:
	x.out = (outbuf){.fd = 1, .cap = 1 << 18};
	x.err = (outbuf){.fd = 2, .cap = 1 << 16};
	x.out.b = cs_xmalloc(x.out.cap);
	x.err.b = cs_xmalloc(x.err.cap);
	x.ordered = !json && same_file(1, 2);
	x.last_fd = 1;
	fflush(stdout);
	const cs_log_record *rec;
	int k;
	uint64_t nrec = 0;
	if (prov) {
		/* {"provenance": {...}, "items": [record, ...]}, still streamed */
		char *p = cli_provenance_json(c);
		PUT_LIT(&x.out, "{\"provenance\":");
		ob_put(&x.out, p, strlen(p));
		PUT_LIT(&x.out, ",\"items\":[\n");
		free(p);
	}
	while ((k = cs_logs_next(r, &rec, &e)) > 0) {
		if (json) {
			if (prov && nrec)
				PUT_LIT(&x.out, ",");
			print_json(&x, rec);
		} else {
			print_text(&x, rec, ts);
		}
		nrec++;
		if (x.out.failed || x.err.failed)
			break;
	}
	if (prov)
		PUT_LIT(&x.out, "]}\n");
	ob_flush(&x.out);
	ob_flush(&x.err);
	if (k < 0) {
		cli_error("%s", e.msg);
		rc = EXIT_FAILURE_;
	} else if (x.out.failed || x.err.failed) {
		cli_error("write error: %s", strerror(errno));
		rc = EXIT_FAILURE_;
	} else {
		rc = x.warnings || c->warnings ? EXIT_WARNINGS : EXIT_OK;
	}
	cs_logs_close(r);
	free(x.out.b);
	free(x.err.b);
	return rc;
}
