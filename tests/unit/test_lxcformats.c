/* Unit tests: LXC configs, YAML documents, raft segments and SQLite images
 * built in memory (malformed input included). */
#include <stdlib.h>
#include <string.h>

#include "formats/dqlite.h"
#include "formats/lxcconf.h"
#include "formats/sqlite_image.h"
#include "formats/yamldoc.h"
#include "logs/logs.h"
#include "tap.h"

static void test_lxcconf(void)
{
	static const char cfg[] = "# comment\n"
				  "  lxc.uts.name = \"web\"\n"
				  "lxc.cap.drop = sys_module mac_admin\n"
				  "lxc.cap.drop = sys_time\n"
				  "lxc.mount.entry = /lib lib none ro,bind 0 0\n"
				  "lxc.uts.name = 'web2'\n"
				  "lxc.utsname = old\n"
				  "lxc.network.type = veth\n"
				  "no.lxc = x\n"
				  "lxc.broken\n"
				  "lxc.environment = A=1\n"
				  "lxc.environment =\n"
				  "lxc.environment = B=2\r\n";
	cs_lxc_conf c = {0};
	cs_lxc_conf_parse(cfg, strlen(cfg), "config", &c);
	TAP_STR_EQ(cs_lxc_conf_get(&c, "lxc.uts.name"), "old", "the last value of a single key (legacy name translated)");
	char **v = cs_lxc_conf_list(&c, "lxc.cap.drop");
	tap_ok(cs_strv_len(v) == 3 && strcmp(v[2], "sys_time") == 0, "cap.drop words accumulate");
	cs_strv_free(v);
	v = cs_lxc_conf_list(&c, "lxc.environment");
	tap_ok(cs_strv_len(v) == 1 && strcmp(v[0], "B=2") == 0, "an empty value clears a list (CR trimmed)");
	cs_strv_free(v);
	TAP_STR_EQ(cs_lxc_conf_get(&c, "lxc.net.0.type"), "veth", "lxc.network.type is lxc.net.0.type");
	int warns = 0, repeat = 0, noeq = 0, martian = 0;
	for (size_t i = 0; i < c.n_issues; i++) {
		warns += c.issues[i].severity == CS_WARN;
		repeat += strstr(c.issues[i].msg, "set 3 times") != NULL;
		noeq += strstr(c.issues[i].msg, "has no `=`") != NULL;
		martian += strstr(c.issues[i].msg, "LXC ignores it") != NULL;
	}
	tap_ok(repeat == 1, "a key set three times is reported once");
	tap_ok(noeq == 1 && martian == 1, "a line without = warns, a non-lxc line is a note");
	tap_ok(warns == 2, "two warnings in all (%d)", warns);
	cs_lxc_conf_clear(&c);
	/* hostile: no newline, NUL bytes, a huge key */
	char junk[300];
	memset(junk, 'a', sizeof(junk));
	memcpy(junk, "lxc.", 4);
	junk[100] = 0;
	cs_lxc_conf_parse(junk, sizeof(junk), "junk", &c);
	tap_ok(c.n == 0 && c.n_issues == 1, "a line with a NUL byte is refused, nothing else");
	cs_lxc_conf_clear(&c);
}

static void test_yaml(void)
{
	static const char y[] = "container:\n  name: web\n  ephemeral: false\n  status_code: 102\n  release: \"1.35\"\n"
				"  config:\n    a.b: x\n  profiles:\n  - default\n  - hardened\n  empty:\n";
	json_object *o = NULL;
	cs_error e = {0};
	tap_ok(cs_yaml_parse(y, strlen(y), &o, &e) == 0, "a backup.yaml-shaped document parses");
	json_object *ct = json_object_object_get(o, "container");
	TAP_STR_EQ(json_object_to_json_string_ext(ct, JSON_C_TO_STRING_PLAIN),
		   "{\"name\":\"web\",\"ephemeral\":false,\"status_code\":102,\"release\":\"1.35\",\"config\":{\"a.b\":"
		   "\"x\"},\"profiles\":[\"default\",\"hardened\"],\"empty\":null}",
		   "typed as yaml.v2 types them");
	json_object_put(o);
	static const char bad[] = "a: [unclosed\n";
	tap_ok(cs_yaml_parse(bad, strlen(bad), &o, &e) == -EBADMSG && strstr(e.msg, "line"), "not YAML: line named");
	static const char alias[] = "a: &x [1, 2]\nb: *x\n";
	tap_ok(cs_yaml_parse(alias, strlen(alias), &o, &e) == -EBADMSG, "aliases are refused");
	char deep[400];
	memset(deep, '[', sizeof(deep));
	tap_ok(cs_yaml_parse(deep, sizeof(deep), &o, &e) < 0, "nesting past the limit is refused");
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static int count_entry(void *ud, uint64_t index, uint64_t term, uint8_t type, const uint8_t *p, size_t len)
{
	(void)index, (void)term, (void)type, (void)p, (void)len;
	(*(int *)ud)++;
	return 0;
}

static void test_segment(void)
{
	tap_ok(cs_xcrc32("123456789", 9, 0) == 0x89a1897fu, "xcrc32 of 123456789 as the replay oracle computes it");
	/* one batch of two 8-byte entries */
	uint8_t seg[8 + 8 + 8 + 32 + 16];
	memset(seg, 0, sizeof(seg));
	put64(seg, 1);
	put64(seg + 16, 2);
	for (int k = 0; k < 2; k++) {
		put64(seg + 24 + 16 * k, 1);
		seg[24 + 16 * k + 8] = 2; /* barrier */
		put32(seg + 24 + 16 * k + 12, 8);
	}
	put32(seg + 8, cs_xcrc32(seg + 16, 8 + 32, 0));
	put32(seg + 12, cs_xcrc32(seg + 56, 16, 0));
	int n = 0;
	const char *why;
	size_t off;
	tap_ok(cs_dqlite_segment(seg, sizeof(seg), 1, count_entry, &n, &why, &off) == 2 && n == 2 && !*why,
	       "a good batch gives its entries");
	seg[60] ^= 1;
	n = 0;
	tap_ok(cs_dqlite_segment(seg, sizeof(seg), 1, count_entry, &n, &why, &off) == 0 && strstr(why, "checksum"),
	       "a flipped payload bit: the batch's data checksum fails");
	seg[60] ^= 1;
	tap_ok(cs_dqlite_segment(seg, sizeof(seg) - 4, 1, count_entry, &n, &why, &off) == 0 && strstr(why, "truncated"),
	       "a truncated batch is said so");
	uint8_t zero[64] = {0};
	tap_ok(cs_dqlite_segment(zero, sizeof(zero), 1, NULL, NULL, &why, &off) == -EBADMSG,
	       "a preallocated, never-written segment has no format");
}

static void test_sqlite(void)
{
	/* a database made here, then damaged */
	sqlite3 *db;
	sqlite3_open(":memory:", &db);
	sqlite3_exec(db, "CREATE TABLE t(a); INSERT INTO t VALUES('one');", NULL, NULL, NULL);
	sqlite3_int64 sz;
	unsigned char *bytes = sqlite3_serialize(db, "main", &sz, 0);
	sqlite3_close(db);
	sqlite3 *ro = NULL;
	cs_error e = {0};
	tap_ok(cs_sqlite_open_bytes("x.db", bytes, (size_t)sz, NULL, 0, NULL, 0, &ro, NULL, NULL, &e) == 0,
	       "a database's bytes open read-only in memory");
	tap_ok(sqlite3_exec(ro, "INSERT INTO t VALUES('two')", NULL, NULL, NULL) != SQLITE_OK, "and cannot be written");
	sqlite3_close(ro);
	cs_pageimg img = {0};
	uint8_t page[512] = {0};
	tap_ok(cs_pageimg_write(&img, 0, page, 512, &e) == -ERANGE, "page 0 is out of range");
	tap_ok(cs_pageimg_write(&img, 0x7fffffff, page, 512, &e) == -ERANGE && strstr(e.msg, "out of range"),
	       "a page past the image limit is out of range");
	tap_ok(cs_pageimg_write(&img, 1, page, 1000, &e) == -EINVAL, "a page size that is not SQLite's");
	cs_pageimg_free(&img);
	/* a WAL with a bad header is ignored, said so; the main file stands */
	uint8_t wal[32 + 24 + 4096];
	memset(wal, 0xab, sizeof(wal));
	char *warn = NULL;
	tap_ok(cs_sqlite_open_bytes("x.db", bytes, (size_t)sz, wal, sizeof(wal), NULL, 0, &ro, NULL, &warn, &e) == 0 &&
		       warn && strstr(warn, "magic"),
	       "a WAL whose header is bad is ignored and reported");
	free(warn);
	sqlite3_close(ro);
	tap_ok(cs_sqlite_open_bytes("x.db", "garbage", 7, NULL, 0, NULL, 0, &ro, NULL, NULL, &e) == -EBADMSG,
	       "not a database");
	sqlite3_free(bytes);
}

static void test_lxclog(void)
{
	cs_log_record r;
	static const char l[] = "lxc-start web 20261126144318.080 INFO     start - x";
	tap_ok(cs_log_decode_lxc(l, strlen(l), &r, NULL) == 0 && r.time == (cs_time)1795704198 * 1000000000,
	       "a liblxc line's time, to the second (its fraction is ambiguous)");
	tap_ok(cs_log_decode_lxc("garbage", 7, &r, NULL) < 0 && r.time == CS_TIME_NEVER, "a line without a time");
}

int main(void)
{
	test_lxcconf();
	test_yaml();
	test_segment();
	test_sqlite();
	test_lxclog();
	return tap_done();
}
