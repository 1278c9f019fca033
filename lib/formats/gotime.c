/* gotime.c - Go time.MarshalBinary (see gotime.h). */
#include "formats/gotime.h"

#include <errno.h>

/* seconds from 0001-01-01 to 1970-01-01 */
#define GO_UNIX_TO_INTERNAL 62135596800LL

int cs_gotime_decode(const uint8_t *p, size_t len, cs_time *ret, int32_t *ret_offset_sec)
{
	if (len < 1 || (p[0] != 1 && p[0] != 2) || (p[0] == 1 && len != 15) || (p[0] == 2 && len != 16))
		return -EBADMSG;
	uint64_t u = 0;
	for (int i = 1; i <= 8; i++)
		u = (u << 8) | p[i];
	int64_t sec = (int64_t)u;
	uint32_t ns = (uint32_t)p[9] << 24 | (uint32_t)p[10] << 16 | (uint32_t)p[11] << 8 | p[12];
	int16_t offmin = (int16_t)(((uint16_t)p[13] << 8) | p[14]);
	if (ns >= 1000000000u)
		return -EBADMSG;
	int32_t off = offmin == -1 ? INT32_MIN : (int32_t)offmin * 60;
	if (p[0] == 2 && offmin != -1)
		off += (int8_t)p[15];
	if (ret_offset_sec)
		*ret_offset_sec = off;
	if (sec == 0 && ns == 0) {
		*ret = CS_TIME_NEVER;
		return 0;
	}
	int64_t unix_sec;
	if (__builtin_sub_overflow(sec, GO_UNIX_TO_INTERNAL, &unix_sec))
		return -ERANGE;
	cs_time t = cs_time_from_parts(unix_sec, ns);
	if (!CS_TIME_IS_REAL(t))
		return -ERANGE;
	*ret = t;
	return 0;
}
