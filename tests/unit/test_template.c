/* Unit tests: docker's --format templates over JSON values. */
#include <string.h>

#include "render/template.h"
#include "tap.h"

static const char row[] =
	"{\"ID\":\"abc\",\"Names\":\"web\",\"State\":{\"Pid\":42,\"Running\":true,\"Error\":\"\"},"
	"\"Mounts\":[{\"Destination\":\"/a\"},{\"Destination\":\"/b\"}],\"Args\":[\"-c\",\"echo hi\"],"
	"\"Labels\":{\"k\":\"v\",\"a\":\"b\"},\"Evil\":\"a\\u001b[31mb\",\"C1\":\"x\xc2\x9b" "y\",\"Null\":null}";

static void run(const char *tpl, const char *want)
{
	cs_template *t = NULL;
	cs_error e = {0};
	cs_buf b = {0};
	(void)cs_buf_puts(&b, "");
	int r = cs_template_compile(tpl, &t, &e);
	if (r == 0)
		r = cs_template_exec(t, row, true, &b, &e);
	if (r < 0)
		printf("# error: %s\n", e.msg);
	TAP_STR_EQ(r == 0 ? b.data : NULL, want, "template %s", tpl);
	cs_buf_free(&b);
	cs_template_free(t);
}

static void bad(const char *tpl, const char *frag)
{
	cs_template *t = NULL;
	cs_error e = {0};
	cs_buf b = {0};
	int r = cs_template_compile(tpl, &t, &e);
	if (r == 0)
		r = cs_template_exec(t, row, true, &b, &e);
	tap_ok(r < 0 && strstr(e.msg, frag) != NULL, "template %s fails: %s", tpl, e.msg);
	cs_buf_free(&b);
	cs_template_free(t);
}

int main(void)
{
	run("{{.ID}}\t{{.Names}}", "abc\tweb");
	run("id={{ .ID }}", "id=abc");
	run("{{.State.Pid}}", "42");
	run("{{.State.Running}}", "true");
	run("{{json .State}}", "{\"Pid\":42,\"Running\":true,\"Error\":\"\"}");
	run("{{json .Args}}", "[\"-c\",\"echo hi\"]");
	run("{{range .Mounts}}{{.Destination}} {{end}}", "/a /b ");
	run("{{range .Nope2}}x{{else}}none{{end}}", NULL);
	run("{{if .State.Running}}up{{else}}down{{end}}", "up");
	run("{{if .State.Error}}err{{else}}ok{{end}}", "ok");
	run("{{join .Args \",\"}}", "-c,echo hi");
	run("{{index .Labels \"k\"}}", "v");
	run("{{index .Args 1}}", "echo hi");
	run("{{.Labels}}", "map[a:b k:v]");
	run("{{.Args}}", "[-c echo hi]");
	run("{{.Names | upper}}", "WEB");
	run("{{upper .Names}}", "WEB");
	run("{{len .Mounts}}", "2");
	run("{{truncate .Names 2}}", "we");
	run("a  {{- .ID -}}  b", "aabcb");
	run("{{.Null}}", "<nil>");
	/* evidence strings are escaped as printed; json is JSON */
	run("{{.Evil}}", "a\\x1b[31mb");
	run("{{json .Evil}}", "\"a\\u001b[31mb\"");
	run("{{json .C1}}", "\"x\\u009by\"");
	run("{{.C1}}", "x\\u009by");
	bad("{{.Missing}}", "no field `.Missing`");
	bad("{{.Missing}}", ".Names");
	bad("{{.ID", "unclosed");
	bad("{{frob .ID}}", "unknown function `frob`");
	bad("{{if .ID}}x", "without `end`");
	bad("{{end}}", "unexpected");
	bad("{{\"abc}}", "unterminated");
	return tap_done();
}
