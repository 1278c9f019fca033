/* fuzz_lxclog.c - liblxc log lines and console lines on arbitrary bytes,
 * one record per line, as the log reader decodes them. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "logs/logs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	size_t pos = 0;
	while (pos < size) {
		const char *nl = memchr(p + pos, '\n', size - pos);
		size_t n = nl ? (size_t)(nl - (p + pos)) : size - pos;
		cs_log_record r;
		(void)cs_log_decode_lxc(p + pos, n, &r, NULL);
		(void)cs_log_decode_text(p + pos, n, &r);
		pos += n + 1;
	}
	return 0;
}
