/* Unit tests: resolving names across engines and namespaces (host lookup). */
#include <stdlib.h>
#include <string.h>

#include "host/host.h"
#include "tap.h"

static cs_container mk_ct(const char *engine, const char *ns, const char *id, const char *name)
{
	cs_container c = {0};
	c.engine = engine;
	c.namespace = ns ? strdup(ns) : NULL;
	c.id = strdup(id);
	c.name = strdup(name);
	return c;
}

static const char *find_c(const cs_host *h, const char *q, int *rc, size_t *n)
{
	const cs_container *ct = NULL, **m = NULL;
	*n = 0;
	*rc = cs_host_find_container(h, q, &ct, &m, n);
	free(m);
	return *rc == 0 ? ct->id : NULL;
}

int main(void)
{
	static const char ida[] = "aaaa000000000000000000000000000000000000000000000000000000000001";
	static const char idb[] = "aaab000000000000000000000000000000000000000000000000000000000002";
	static const char idc[] = "c000000000000000000000000000000000000000000000000000000000000003";
	static const char idd[] = "d000000000000000000000000000000000000000000000000000000000000004";
	cs_container cts[4] = {
		mk_ct("docker", NULL, ida, "web"),
		mk_ct("containerd", "default", idb, "web"),
		mk_ct("containerd", "k8s.io", idc, "web"),
		mk_ct("containerd", "k8s.io", idd, "db"),
	};
	cs_container *ptrs[4] = {&cts[0], &cts[1], &cts[2], &cts[3]};
	cs_host h = {.containers = ptrs, .n_containers = 4};
	int rc;
	size_t n;

	TAP_STR_EQ(find_c(&h, "db", &rc, &n), idd, "a unique name resolves unqualified");
	tap_ok(find_c(&h, "web", &rc, &n) == NULL && rc == -ENOTUNIQ && n == 3,
	       "a name three engines/namespaces share is ambiguous (3 candidates)");
	TAP_STR_EQ(find_c(&h, "docker:web", &rc, &n), ida, "ENGINE:NAME picks the engine");
	tap_ok(find_c(&h, "containerd:web", &rc, &n) == NULL && rc == -ENOTUNIQ && n == 2,
	       "ENGINE:NAME is still ambiguous across that engine's namespaces");
	TAP_STR_EQ(find_c(&h, "containerd:k8s.io/web", &rc, &n), idc, "ENGINE:NAMESPACE/NAME");
	TAP_STR_EQ(find_c(&h, "containerd:default/web", &rc, &n), idb, "another namespace");
	TAP_STR_EQ(find_c(&h, "/web", &rc, &n), NULL, "'/web' is ambiguous too");
	TAP_STR_EQ(find_c(&h, "docker:/web", &rc, &n), ida, "docker's leading slash");
	TAP_STR_EQ(find_c(&h, ida, &rc, &n), ida, "a full id");
	TAP_STR_EQ(find_c(&h, "c000", &rc, &n), idc, "a unique id prefix");
	tap_ok(find_c(&h, "aaa", &rc, &n) == NULL && rc == -ENOTUNIQ && n == 2, "an ambiguous id prefix");
	TAP_STR_EQ(find_c(&h, "docker:aaa", &rc, &n), ida, "a prefix qualified by engine");
	tap_ok(find_c(&h, "nosuch", &rc, &n) == NULL && rc == -ENOENT, "an unknown name");
	tap_ok(find_c(&h, "podman:web", &rc, &n) == NULL && rc == -ENOENT,
	       "an engine with no such item finds nothing");
	tap_ok(find_c(&h, "docker:", &rc, &n) == NULL && rc == -ENOENT, "an empty qualified name");
	/* a name that looks like an engine qualifier but is not one */
	cs_container odd = mk_ct("docker", NULL, "e000000000000000000000000000000000000000000000000000000000000005",
				 "x:y");
	cs_container *ptrs2[1] = {&odd};
	cs_host h2 = {.containers = ptrs2, .n_containers = 1};
	TAP_STR_EQ(find_c(&h2, "x:y", &rc, &n), odd.id, "a colon in a plain name is not a qualifier");

	/* images: the same image id in two namespaces */
	cs_image ims[2] = {{0}};
	char tag[] = "docker.io/library/nginx:latest", ns0[] = "default", ns1[] = "k8s.io";
	char iid[] = "sha256:f00000000000000000000000000000000000000000000000000000000000000f";
	char *tags0[] = {tag, NULL};
	ims[0].engine = "containerd";
	ims[0].namespace = ns0;
	ims[0].id = iid;
	ims[0].tags = tags0;
	ims[1] = ims[0];
	ims[1].namespace = ns1;
	cs_image *iptrs[2] = {&ims[0], &ims[1]};
	cs_host hi = {.images = iptrs, .n_images = 2};
	const cs_image *im = NULL, **mi = NULL;
	size_t nm = 0;
	tap_ok(cs_host_find_image(&hi, "nginx", &im, &mi, &nm) == -ENOTUNIQ && nm == 2,
	       "an image in two namespaces is ambiguous by name");
	free(mi);
	mi = NULL;
	tap_ok(cs_host_find_image(&hi, "f000", &im, &mi, &nm) == -ENOTUNIQ, "and by id prefix");
	free(mi);
	mi = NULL;
	tap_ok(cs_host_find_image(&hi, "containerd:k8s.io/nginx", &im, NULL, NULL) == 0 && im == &ims[1],
	       "ENGINE:NAMESPACE/REF resolves an image (docker.io/library/ and :latest implied)");
	tap_ok(cs_host_find_image(&hi, "containerd:default/docker.io/library/nginx:latest", &im, NULL, NULL) == 0 &&
		       im == &ims[0],
	       "a fully spelled reference with its namespace");
	/* "default/NAME" is LXD's project default only: for Docker,
	 * default/app is an image of its own (Docker Hub's user "default") */
	cs_image dk[2] = {{0}};
	char app[] = "docker.io/library/app:latest", dapp[] = "docker.io/default/app:latest";
	char did0[] = "sha256:a000000000000000000000000000000000000000000000000000000000000001";
	char did1[] = "sha256:b000000000000000000000000000000000000000000000000000000000000002";
	char *dt0[] = {app, NULL}, *dt1[] = {dapp, NULL};
	dk[0].engine = dk[1].engine = "docker";
	dk[0].id = did0;
	dk[0].tags = dt0;
	dk[1].id = did1;
	dk[1].tags = dt1;
	cs_image *dptrs[2] = {&dk[0], &dk[1]};
	cs_host hd = {.images = dptrs, .n_images = 2};
	tap_ok(cs_host_find_image(&hd, "default/app", &im, NULL, NULL) == 0 && im == &dk[1],
	       "docker: default/app is the image default/app, not app");
	tap_ok(cs_host_find_image(&hd, "app", &im, NULL, NULL) == 0 && im == &dk[0], "docker: app is app");
	cs_container lx = mk_ct("lxd", NULL, "f000000000000000000000000000000000000000000000000000000000000006", "c1");
	cs_container dkc = mk_ct("docker", NULL, "f100000000000000000000000000000000000000000000000000000000000007", "c1");
	cs_container *ptrs3[2] = {&lx, &dkc};
	cs_host h3 = {.containers = ptrs3, .n_containers = 2};
	TAP_STR_EQ(find_c(&h3, "default/c1", &rc, &n), lx.id, "default/NAME: LXD's project default, not Docker's c1");
	char *w = cs_host_item_where("containerd", "k8s.io");
	TAP_STR_EQ(w, "containerd:k8s.io", "where an item lives, for messages");
	free(w);
	for (size_t i = 0; i < 4; i++) {
		free(cts[i].namespace);
		free(cts[i].id);
		free(cts[i].name);
	}
	free(odd.id);
	free(odd.name);
	cs_container *frees[2] = {&lx, &dkc};
	for (size_t i = 0; i < 2; i++) {
		free(frees[i]->id);
		free(frees[i]->name);
	}
	return tap_done();
}
