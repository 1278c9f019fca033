/* fuzz_protowire.c - protobuf fields, Any and Go varints on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>

#include "formats/protowire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cs_pb r;
	cs_pb_field f;
	cs_pb_init(&r, data, size);
	while (cs_pb_next(&r, &f) > 0)
		if (f.wire == CS_PB_LEN) {
			cs_pb in;
			cs_pb_field g;
			cs_pb_init(&in, f.data, f.len);
			while (cs_pb_next(&in, &g) > 0)
				;
		}
	const uint8_t *u, *v;
	size_t ul, vl;
	const char *why;
	(void)cs_pb_any(data, size, &u, &ul, &v, &vl, &why);
	int64_t s;
	uint64_t x;
	(void)cs_go_varint(data, size, &s);
	(void)cs_go_uvarint(data, size, &x);
	return 0;
}
