/* gotime.h - Go's time.Time.MarshalBinary encoding.
 *
 * containerd stores every createdat/updatedat/expireat this way:
 *   version 1 (15 bytes): u8 1; i64 BE seconds since 0001-01-01T00:00:00Z;
 *                         i32 BE nanoseconds; i16 BE zone offset in minutes
 *                         (-1 = UTC)
 *   version 2 (16 bytes): as version 1, plus one byte of offset seconds.
 * The seconds are absolute (UTC); the offset says only which zone the
 * writer's clock showed.
 */
#ifndef CS_GOTIME_H
#define CS_GOTIME_H

#include <stddef.h>
#include <stdint.h>

#include "base/timefmt.h"

/* Decodes p[0..len). Returns 0 with the time (Go's zero time gives
 * CS_TIME_NEVER) and, if ret_offset_sec is non-NULL, the zone offset in
 * seconds (INT32_MIN for UTC); -EBADMSG for a malformed value (bad version
 * or length, nanoseconds >= 1e9); -ERANGE for a valid time outside cs_time. */
int cs_gotime_decode(const uint8_t *p, size_t len, cs_time *ret, int32_t *ret_offset_sec);

#endif
