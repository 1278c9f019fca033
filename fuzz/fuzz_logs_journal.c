/* fuzz_logs_journal - systemd journal files as Podman's journald log
 * driver leaves them (lib/logs/logs_journal.c, read with libsystemd through
 * descriptors the evidence source opened; a file cut short is read from a
 * zero-padded temporary copy).
 *
 * Input: one journal file, written as var/log/journal/M/system.journal of a
 * scratch root. It is read three ways: every entry (logs --file ...
 * --format journald), the entries of container C (CONTAINER_ID_FULL, as
 * `logs` reads a journald container), and the last one only (--tail 1).
 *
 * Oracle: a container's entries are among all entries (never more), and a
 * tail of one yields at most one record. Everything else: no crash, no
 * leak, no undefined behaviour, bounded time.
 */
#include <string.h>

#include "fuzz.h"
#include "logs/logs.h"

#define C "5d2a9c3b7e1f4a6d8c0b2e4f6a8c0e2d4f6a8b0c2e4d6f8a0b2c4d6e8f0a1b2c"
#define JOURNAL "var/log/journal/m/system.journal"

/* Records read, or -1 when the files could not be opened. */
static long count(cs_source *src, const cs_container *ct, int64_t tail)
{
	cs_logs_opts o;
	cs_logs_opts_init(&o);
	o.tail = tail;
	static fz_diags d;
	fz_diags_clear(&d);
	o.diag = fz_diag;
	o.diag_userdata = &d;
	cs_logs *r;
	const char *paths[] = {JOURNAL};
	int k = ct ? cs_logs_open(src, ct, &o, &r, NULL)
		   : cs_logs_open_files(src, CS_LOG_JOURNALD, paths, 1, &o, &r, NULL);
	if (k < 0)
		return -1;
	long n = 0;
	const cs_log_record *rec;
	while (cs_logs_next(r, &rec, NULL) > 0 && n < 1000000) {
		FZ_CHECK(rec->text || rec->len == 0, "a record of %zu bytes without text", rec->len);
		n++;
	}
	cs_logs_close(r);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_reset();
	fz_write(JOURNAL, data, size);
	cs_source *src;
	if (cs_source_open_dir(fz_root(), 0, &src, NULL) < 0)
		return 0;
	long all = count(src, NULL, -1);
	char id[] = C, name[] = "jweb", drv[] = "journald", dir[] = "var/log/journal";
	cs_container ct = {.id = id, .name = name, .log_driver = drv, .log_evidence_path = dir};
	long mine = count(src, &ct, -1);
	long last = count(src, NULL, 1);
	FZ_CHECK(all < 0 || mine <= all, "container C has %ld entries of %ld in all", mine, all);
	FZ_CHECK(last <= 1, "a tail of one gave %ld records", last);
	cs_source_close(src);
	return 0;
}
