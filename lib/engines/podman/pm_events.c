/* pm_events.c - Podman's event log, when it is a file on the disk.
 *
 * With events_logger = "file" Podman appends one JSON object per line to
 * events_logfile_path (containers.conf), by default tmp_dir/events/
 * events.log: on tmpfs (/run/libpod, $XDG_RUNTIME_DIR/libpod/tmp), so it is
 * on a seized disk only when moved there or when /run was captured. A line:
 * {"ID","Image","Name","Status","Time","Type","Attributes",
 * "ContainerExitCode"}. Container and image records are attached to their
 * items (the item's own timeline); a line that is not such an object is
 * reported with its number and skipped.
 */
#include <stdio.h>
#include <string.h>

#include "engines/podman/pm_internal.h"
#include "formats/jscan.h"

#define MAX_EVENTS 1000000

typedef struct ev {
	char *id, *name, *image, *status, *type;
	cs_time time;
	int64_t exit_code;
	bool have_exit;
} ev;

static void ev_free(ev *e)
{
	free(e->id);
	free(e->name);
	free(e->image);
	free(e->status);
	free(e->type);
}

static int parse_line(const char *line, size_t len, ev *e, cs_error *err)
{
	cs_jscan s;
	cs_jscan_init(&s, line, len);
	e->time = CS_TIME_NEVER;
	if (cs_jscan_peek(&s) != CS_JOBJECT)
		return cs_err(err, -EBADMSG, "not a JSON object");
	cs_jscan_object(&s);
	while (cs_jscan_member(&s)) {
		char **dst = cs_jscan_is(&s, "ID")       ? &e->id
			     : cs_jscan_is(&s, "Name")   ? &e->name
			     : cs_jscan_is(&s, "Image")  ? &e->image
			     : cs_jscan_is(&s, "Status") ? &e->status
			     : cs_jscan_is(&s, "Type")   ? &e->type
							 : NULL;
		if (dst) {
			free(*dst);
			*dst = cs_jscan_string(&s);
		} else if (cs_jscan_is(&s, "Time")) {
			_cleanup_free_ char *t = cs_jscan_string(&s);
			if (t && cs_time_parse(t, &e->time) < 0)
				e->time = CS_TIME_INVALID;
		} else if (cs_jscan_is(&s, "ContainerExitCode")) {
			e->exit_code = cs_jscan_int(&s, 0);
			e->have_exit = true;
		} else {
			cs_jscan_skip(&s);
		}
	}
	return cs_jscan_finish(&s, err);
}

void pm_read_events(pm_ctx *c)
{
	pm_store *st = c->st;
	if (!st->events_path)
		return;
	char *text = NULL;
	size_t len = 0;
	cs_error e = {0};
	if (cs_source_read_file(c->src, st->events_path, CS_PM_MAX_JSON, &text, &len, &e) < 0) {
		pm_warn(c, NULL, st->events_path, "%s: the engine's events are not listed", e.msg);
		return;
	}
	cs_strmap cidx = {0}, iidx = {0};
	for (size_t i = 0; i < c->dr->n_containers; i++)
		cs_strmap_put(&cidx, c->dr->containers[i].id, (void *)(uintptr_t)(i + 1));
	for (size_t i = 0; i < c->dr->n_images; i++)
		cs_strmap_put(&iidx, c->dr->images[i].id, (void *)(uintptr_t)(i + 1));
	size_t bad = 0, n = 0;
	uint64_t lineno = 0;
	for (const char *p = text, *end = text + len; p < end && n < MAX_EVENTS;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		lineno++;
		if (le > p) {
			ev x = {0};
			if (parse_line(p, (size_t)(le - p), &x, &e) < 0) {
				if (++bad <= 10)
					pm_warn(c, NULL, st->events_path, "`%s`: line %llu: %s: skipped", st->events_path,
						(unsigned long long)lineno, e.msg);
			} else if (x.id && x.type && x.status) {
				char detail[1024];
				snprintf(detail, sizeof(detail), "%s %s%s%s%s%s", x.type, x.name ? x.name : x.id,
					 x.image ? " (image " : "", x.image ? x.image : "", x.image ? ")" : "", "");
				if (x.have_exit)
					snprintf(detail + strlen(detail), sizeof(detail) - strlen(detail), ", exit code %lld",
						 (long long)x.exit_code);
				void *ci = strcmp(x.type, "container") == 0 ? cs_strmap_get(&cidx, x.id) : NULL;
				void *ii = strcmp(x.type, "image") == 0 ? cs_strmap_get(&iidx, x.id) : NULL;
				if (ci) {
					cs_container *ct = &c->dr->containers[(uintptr_t)ci - 1];
					cs_container_event(ct, x.time, "Engine Event", st->events_path, false,
							   "Container %s: %s event `%s` (%s), line %llu of the events log",
							   ct->name ? ct->name : ct->id, ct->engine ? ct->engine : "podman",
							   x.status, detail, (unsigned long long)lineno);
					cs_evfiles_add(&ct->evidence, "events log", st->events_path);
				} else if (ii) {
					cs_image *im = &c->dr->images[(uintptr_t)ii - 1];
					cs_image_event(im, x.time, "Engine Event", st->events_path, false,
						       "Image %s: podman event `%s` (%s), line %llu of the events log",
						       im->tags && im->tags[0] ? im->tags[0] : im->id, x.status, detail,
						       (unsigned long long)lineno);
					cs_evfiles_add(&im->evidence, "events log", st->events_path);
				}
				n++;
			}
			ev_free(&x);
		}
		p = nl ? nl + 1 : end;
	}
	if (bad > 10)
		pm_warn(c, NULL, st->events_path, "`%s`: %zu lines in all are not events", st->events_path, bad);
	cs_strmap_free(&cidx, NULL);
	cs_strmap_free(&iidx, NULL);
	free(text);
}
