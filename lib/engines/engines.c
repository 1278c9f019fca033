/* engines.c - the registry of engine readers (see engines.h). */
#include "engines/engines.h"

#include <string.h>

#include "engines/containerd/containerd.h"
#include "engines/docker/docker.h"
#include "engines/lxc/lxc.h"
#include "engines/lxd/lxd.h"

static const cs_engine *const all[] = {
	&cs_engine_docker,
	&cs_engine_containerd,
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
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (name && strcmp(all[i]->name, name) == 0)
			return all[i];
	return NULL;
}
