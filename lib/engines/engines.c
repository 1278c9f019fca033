/* engines.c - the registry of engine readers (see engines.h). */
#include "engines/engines.h"

#include <string.h>

#include "engines/containerd/containerd.h"
#include "engines/docker/docker.h"
#include "engines/lxc/lxc.h"
#include "engines/lxd/lxd.h"
#include "engines/podman/podman.h"

static const cs_engine *const all[] = {
	&cs_engine_docker,
	&cs_engine_containerd,
	&cs_engine_podman,
	&cs_engine_lxc,
	&cs_engine_lxd,
};

const cs_engine *const *cs_engines(size_t *ret_n)
{
	*ret_n = sizeof(all) / sizeof(all[0]);
	return all;
}

const cs_engine *cs_engine_find(const char *name)
{
	for (size_t i = 0; name && i < sizeof(all) / sizeof(all[0]); i++) {
		if (strcmp(all[i]->name, name) == 0)
			return all[i];
		for (const char *const *a = all[i]->also; a && *a; a++)
			if (strcmp(*a, name) == 0)
				return all[i];
	}
	return NULL;
}

const char *cs_engine_label(const char *name)
{
	for (size_t i = 0; name && i < sizeof(all) / sizeof(all[0]); i++) {
		if (strcmp(all[i]->name, name) == 0)
			return all[i]->name;
		for (const char *const *a = all[i]->also; a && *a; a++)
			if (strcmp(*a, name) == 0)
				return *a;
	}
	return NULL;
}
