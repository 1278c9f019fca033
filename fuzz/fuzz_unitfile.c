/* fuzz_unitfile - how a host started its engine (lib/formats/unitfile.c,
 * cs_docker_locate()): systemd units and drop-ins, daemon.json,
 * /etc/default/docker, and flags on a command line.
 *
 * Input: a bundle (fuzz.h) with sections, each optional:
 *   unit      lib/systemd/system/docker.service
 *   etc-unit  etc/systemd/system/docker.service
 *   dropin-a  etc/systemd/system/docker.service.d/10-a.conf
 *   dropin-b  usr/lib/systemd/system/docker.service.d/20-b.conf
 *   daemon.json  default (etc/default/docker)
 *   "" (the text before any section): a command line for cs_cmdline_flag()
 *
 * Checks: no crash or leak; a flag's value is a substring of the command
 * line it came from; the located data root is never empty.
 */
#include <string.h>

#include "engines/docker/docker.h"
#include "formats/unitfile.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_part parts[16];
	size_t np = fz_split(data, size, parts, 16);
	const fz_part *cl = fz_find(parts, np, "");
	if (cl) {
		char *line = fz_strndup(cl->p, cl->n);
		static const char *const flags[] = {"--data-root", "--graph", "-g"};
		char *v = cs_cmdline_flag(line, flags, 3);
		FZ_CHECK(!v || strstr(line, v), "`%s` is not in the command line", v);
		free(v);
		free(line);
	}
	fz_reset();
	static const struct {
		const char *section, *path;
	} files[] = {
		{"unit", "lib/systemd/system/docker.service"},
		{"etc-unit", "etc/systemd/system/docker.service"},
		{"dropin-a", "etc/systemd/system/docker.service.d/10-a.conf"},
		{"dropin-b", "usr/lib/systemd/system/docker.service.d/20-b.conf"},
		{"daemon.json", "etc/docker/daemon.json"},
		{"default", "etc/default/docker"},
	};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		const fz_part *p = fz_find(parts, np, files[i].section);
		if (p)
			fz_write(files[i].path, p->p, p->n);
	}
	cs_source *src = fz_open_root();
	cs_error e = {0};
	char *exec = NULL, *file = NULL;
	cs_unit_exec_start(src, "docker.service", &exec, &file);
	FZ_CHECK(!exec == !file, "an ExecStart without its file, or the reverse");
	free(exec);
	free(file);
	char *host = NULL, *origin = NULL;
	if (cs_docker_locate(src, &host, &origin, &e) == 0) {
		FZ_CHECK(host && *host && origin, "no data root located");
		free(host);
		free(origin);
	}
	cs_source_close(src);
	return 0;
}
