/* Unit tests: timeline cell writers and the external merge's ordering. */
#include <stdlib.h>
#include <unistd.h>

#include "tap.h"
#include "timeline/timeline.h"

static int ncase;

static void cell(const char *in, const char *want)
{
	cs_buf b = {0};
	cs_csv_cell(&b, in);
	TAP_STR_EQ(b.data ? b.data : "", want, "csv cell case %d", ++ncase);
	cs_buf_free(&b);
}

static void sheet(const char *in, const char *want)
{
	cs_buf b = {0};
	cs_csv_cell_sheet(&b, in);
	TAP_STR_EQ(b.data ? b.data : "", want, "spreadsheet cell case %d", ++ncase);
	cs_buf_free(&b);
}

static void body(const char *in, const char *want)
{
	cs_buf b = {0};
	cs_body_name(&b, in);
	TAP_STR_EQ(b.data ? b.data : "", want, "body name case %d", ++ncase);
	cs_buf_free(&b);
}

int main(void)
{
	/* one case per line: input, expected cell */
	cell("plain", "plain");
	cell("a,b", "\"a,b\"");
	cell("say \"hi\"", "\"say \"\"hi\"\"\"");
	cell("two\nlines", "\"two\nlines\"");
	cell("cr\rhere", "\"cr\\x0dhere\"");
	cell("\x1b[31mred", "\\x1b[31mred");
	cell("bad\xff", "bad\\xff");
	cell("caf\xc3\xa9", "caf\xc3\xa9");
	cell("", "");
	/* a real backslash is doubled, so it never reads as an escape */
	cell("back\\x41slash", "back\\\\x41slash");
	cell("back\x41slash", "backAslash");
	/* C1 controls (valid UTF-8) are escaped like C0 ones */
	cell("csi\xc2\x9b" "31m", "csi\\u009b31m");
	cell("nel\xc2\x85", "nel\\u0085");
	cell("nbsp\xc2\xa0ok", "nbsp\xc2\xa0ok");
	/* the spreadsheet CSV: what a spreadsheet would run as a formula is text */
	sheet("=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
	sheet("+1", "'+1");
	sheet("-2+3", "'-2+3");
	sheet("@SUM(A1)", "'@SUM(A1)");
	sheet("'quoted", "''quoted");
	sheet("=a,b", "\"'=a,b\"");
	sheet("/etc/a=b", "/etc/a=b");
	sheet("\t=x", "\\x09=x"); /* a control character is escaped first */
	sheet("", "");
	body("/etc/passwd", "/etc/passwd");
	body("a|b", "a\\x7cb");
	body("100%s", "100\\x25s");
	body("new\nline", "new\\nline");
	body("\x1b]0;x\x07", "\\x1b]0;x\\x07");
	body("back\\x41slash", "back\\\\x41slash");
	body("csi\xc2\x9b", "csi\\u009b");
	char mt[24];
	cs_mode_text(0100644, mt);
	TAP_STR_EQ(mt, "0o100644", "mode as text");
	cs_mode_text(040755, mt);
	TAP_STR_EQ(mt, "0o40755", "directory mode as text");

	/* the merge: a tiny memory limit forces several runs; order is by time
	 * then by insertion, exactly as the in-memory sort gives it */
	char *outs[2];
	for (int pass = 0; pass < 2; pass++) {
		cs_timeline_opts o = {.format = CS_TL_CSV, .from = CS_TIME_NEVER, .to = CS_TIME_NEVER,
				      .mem_limit = pass ? 4096 : 0};
		cs_timeline *t;
		cs_timeline_new(&o, &t, NULL);
		for (int i = 0; i < 5000; i++) {
			char msg[32];
			snprintf(msg, sizeof(msg), "event %d", i);
			cs_event ev = {.time = (cs_time)((i * 7919) % 1000) * 1000000000LL, .desc = "d",
				       .source = "s", .message = msg, .size = -1, .mode = -1, .uid = -1, .gid = -1};
			cs_timeline_add(t, &ev, NULL);
		}
		cs_event bad = {.time = CS_TIME_INVALID, .message = "bad", .size = -1, .mode = -1, .uid = -1, .gid = -1};
		cs_timeline_add(t, &bad, NULL);
		tap_ok(cs_timeline_skipped(t) == 1 && cs_timeline_count(t) == 5000, "pass %d: invalid time skipped", pass);
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		cs_timeline_finish(t, f, NULL);
		fclose(f);
		cs_timeline_free(t);
		outs[pass] = buf;
	}
	tap_ok(strcmp(outs[0], outs[1]) == 0, "external merge output equals the in-memory sort");
	/* sorted and stable: "event 0" (t=0) first, ties in insertion order */
	tap_ok(strstr(outs[0], "\r\n1970-01-01T00:00:00.000000000Z,d,,s,event 0,") != NULL, "earliest first");
	free(outs[0]);
	free(outs[1]);
	return tap_done();
}
