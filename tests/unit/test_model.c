/* Unit tests: model helpers keep their contracts on every path. */
#include <stdlib.h>

#include "model/model.h"
#include "tap.h"

int main(void)
{
	char id[] = "sha256:x", drv[] = "overlay2", chain[] = "sha256:c";
	char da[] = "a", db[] = "b", ca[] = "ca", cb[] = "cb";
	/* an image without layers: -ENOENT and an empty stack, nothing to
	 * free (the driver name was copied and leaked before) */
	cs_image im = {.id = id, .driver = drv};
	cs_layer_stack st;
	cs_error e = {0};
	int r = cs_image_stack(&im, &st, &e);
	tap_ok(r == -ENOENT && st.driver == NULL && st.v == NULL && st.n == 0,
	       "image stack without layers: -ENOENT, nothing left to free (%s)", e.msg);
	/* a layer without a directory: the same */
	cs_image_layer L = {.chain_id = chain, .dir = NULL};
	im.layers = &L;
	im.n_layers = 1;
	r = cs_image_stack(&im, &st, &e);
	tap_ok(r == -ENOENT && st.driver == NULL && st.v == NULL, "a layer without a directory: the same");
	/* a whole stack */
	cs_image_layer L2[2] = {{.dir = da, .cache_id = ca}, {.dir = db, .cache_id = cb}};
	im.layers = L2;
	im.n_layers = 2;
	r = cs_image_stack(&im, &st, &e);
	tap_ok(r == 0 && st.n == 2 && strcmp(st.v[0].path, "b") == 0 && strcmp(st.driver, "overlay2") == 0,
	       "two layers, top first");
	cs_layer_stack_clear(&st);
	return tap_done();
}
