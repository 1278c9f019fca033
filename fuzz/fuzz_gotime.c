/* fuzz_gotime.c - Go time.MarshalBinary values on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>

#include "formats/gotime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cs_time t;
	int32_t off;
	char buf[CS_TIME_STRMAX];
	if (cs_gotime_decode(data, size, &t, &off) == 0)
		(void)cs_time_format(t, buf);
	return 0;
}
