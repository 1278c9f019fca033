/* Unit tests: the volume layer's parsers (MBR and its extended chain, GPT
 * and its backup, LVM2 metadata text), devices assembled from runs and
 * windows, fstab and os-release, and the MD5/SHA-1 used to check an E01's
 * stored hashes. Tables are built in memory; every damaged case must cost
 * only what it touches and say so. */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "evidence/image.h"
#include "evidence/volume.h"
#include "formats/digest.h"
#include "formats/fstab.h"
#include "formats/sha256.h"
#include "tap.h"

typedef struct msgs {
	char all[8192];
	int warnings;
} msgs;

static void collect(void *ud, const cs_diag *d)
{
	msgs *m = ud;
	if (d->severity == CS_WARN)
		m->warnings++;
	strncat(m->all, d->msg, sizeof(m->all) - strlen(m->all) - 2);
	strncat(m->all, "\n", sizeof(m->all) - strlen(m->all) - 1);
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}
static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static void mbr_entry(uint8_t *b, int i, uint8_t type, uint32_t lba, uint32_t count)
{
	uint8_t *e = b + 446 + 16 * i;
	e[4] = type;
	put32(e + 8, lba);
	put32(e + 12, count);
}

static void test_mbr(void)
{
	size_t size = 4 << 20;
	uint8_t *d = calloc(1, size);
	mbr_entry(d, 0, 0x83, 2048, 2048);
	mbr_entry(d, 1, 0x05, 4096, 4096);
	mbr_entry(d, 2, 0x83, 3000, 2000); /* overlaps 1 and the extended one */
	d[510] = 0x55, d[511] = 0xaa;
	put32(d + 440, 0x1b2c3d4e);
	/* EBR 1 at 4096: a logical partition, then the next EBR at +1024 */
	uint8_t *e1 = d + 4096 * 512;
	mbr_entry(e1, 0, 0x83, 64, 512);
	mbr_entry(e1, 1, 0x05, 1024, 1024);
	e1[510] = 0x55, e1[511] = 0xaa;
	/* EBR 2: a logical partition, then "next" naming itself (a loop) */
	uint8_t *e2 = d + (4096 + 1024) * 512;
	mbr_entry(e2, 0, 0x8e, 64, 512);
	mbr_entry(e2, 1, 0x05, 1024, 1024);
	e2[510] = 0x55, e2[511] = 0xaa;
	msgs m = {0};
	cs_vols v;
	tap_ok(cs_parttable_parse_mem(d, size, size, 512, collect, &m, &v) == 0, "MBR: parsed");
	cs_buf ids = {0};
	(void)cs_buf_puts(&ids, "");
	for (size_t i = 0; i < v.n; i++)
		(void)cs_buf_printf(&ids, "%s ", v.v[i].id);
	TAP_STR_EQ(ids.data, "1 2 3 5 6 ", "MBR: primaries 1-3, logicals 5 and 6 from the EBR chain");
	cs_buf_free(&ids);
	TAP_STR_EQ(v.scheme, "MBR", "MBR: scheme");
	tap_ok(v.n >= 4 && v.v[3].offset == (uint64_t)(4096 + 64) * 512 && v.v[3].size == 512 * 512,
	       "MBR: a logical partition's offset is relative to its EBR");
	TAP_STR_EQ(v.n >= 1 ? v.v[0].partuuid : NULL, "1b2c3d4e-01", "MBR: PARTUUID from the disk signature");
	tap_ok(strstr(m.all, "loops back") != NULL, "MBR: the EBR chain loop is found and named");
	tap_ok(strstr(m.all, "partitions 1 (bytes") != NULL && strstr(m.all, "overlap") != NULL,
	       "MBR: overlapping partitions are named");
	cs_vols_clear(&v);
	/* a FAT boot sector is not a partition table */
	memset(d, 0, 512);
	memcpy(d + 82, "FAT32   ", 8);
	d[510] = 0x55, d[511] = 0xaa;
	d[446] = 0x80;
	d[446 + 4] = 0x0c;
	put32(d + 446 + 12, 100);
	cs_parttable_parse_mem(d, size, size, 512, NULL, NULL, &v);
	tap_ok(v.n == 0, "MBR: a FAT boot sector is not read as a partition table");
	cs_vols_clear(&v);
	free(d);
}

static const uint8_t linux_fs[16] = {0xaf, 0x3d, 0xc6, 0x0f, 0x83, 0x84, 0x72, 0x47,
				     0x8e, 0x79, 0x3d, 0x69, 0xd8, 0x47, 0x7d, 0xe4};

/* A GPT on a disk of n sectors: header at lba, entries at arr. */
static void gpt_write(uint8_t *d, uint64_t n, uint64_t lba, uint64_t alt, uint64_t arr, const uint8_t *entries)
{
	uint8_t *h = d + lba * 512;
	memset(h, 0, 512);
	memcpy(h, "EFI PART", 8);
	put32(h + 8, 0x10000);
	put32(h + 12, 92);
	put64(h + 24, lba);
	put64(h + 32, alt);
	put64(h + 40, 34);
	put64(h + 48, n - 34);
	put64(h + 72, arr);
	put32(h + 80, 128);
	put32(h + 84, 128);
	memcpy(d + arr * 512, entries, 128 * 128);
	put32(h + 88, (uint32_t)crc32(0, entries, 128 * 128));
	put32(h + 16, (uint32_t)crc32(0, h, 92));
}

static void test_gpt(void)
{
	uint64_t n = 8192;
	uint8_t *d = calloc(n, 512);
	uint8_t ent[128 * 128] = {0};
	memcpy(ent, linux_fs, 16);
	ent[16] = 0x11;
	put64(ent + 32, 2048);
	put64(ent + 40, 4095);
	ent[56] = 'r', ent[58] = 'o', ent[60] = 'o', ent[62] = 't';
	memcpy(ent + 128, linux_fs, 16);
	put64(ent + 128 + 32, 4000); /* overlaps entry 1 */
	put64(ent + 128 + 40, 6000);
	memcpy(ent + 256, linux_fs, 16);
	put64(ent + 256 + 32, 7000);
	put64(ent + 256 + 40, UINT64_MAX); /* past the end, and past 2^64 bytes */
	d[510] = 0x55, d[511] = 0xaa;
	d[446 + 4] = 0xee;
	put32(d + 446 + 8, 1);
	put32(d + 446 + 12, (uint32_t)(n - 1));
	gpt_write(d, n, 1, n - 1, 2, ent);
	gpt_write(d, n, n - 1, 1, n - 33, ent);
	msgs m = {0};
	cs_vols v;
	cs_parttable_parse_mem(d, n * 512, n * 512, 512, collect, &m, &v);
	TAP_STR_EQ(v.scheme, "GPT", "GPT: scheme (the protective MBR is not read as a table)");
	tap_ok(v.n == 3 && v.v[0].offset == 2048 * 512 && v.v[0].size == 2048 * 512, "GPT: entry 1's offset and size");
	TAP_STR_EQ(v.n ? v.v[0].name : NULL, "root", "GPT: the entry's UTF-16 name");
	TAP_STR_EQ(v.n ? v.v[0].type : NULL, "Linux filesystem", "GPT: the type GUID's name");
	tap_ok(v.n == 3 && v.v[2].offset + v.v[2].size >= v.v[2].offset, "GPT: an absurd last LBA does not wrap");
	tap_ok(strstr(m.all, "partitions 1 (bytes") && strstr(m.all, "GPT partition 3: LBAs 7000-") &&
		       strstr(m.all, "reach past the end"),
	       "GPT: the overlap and the entry past the end are named");
	cs_vols_clear(&v);
	/* primary header damaged: the backup is used and said */
	d[512 + 40] ^= 1;
	memset(&m, 0, sizeof(m));
	cs_parttable_parse_mem(d, n * 512, n * 512, 512, collect, &m, &v);
	tap_ok(v.n == 3 && strstr(m.all, "primary header at LBA 1 fails its CRC; using the backup at LBA 8191"),
	       "GPT: a primary header that fails its CRC: the backup is read, and said");
	cs_vols_clear(&v);
	d[512 + 40] ^= 1;
	/* primary entries damaged */
	d[2 * 512 + 56] = 'X';
	memset(&m, 0, sizeof(m));
	cs_parttable_parse_mem(d, n * 512, n * 512, 512, collect, &m, &v);
	tap_ok(v.n == 3 && v.v[0].name && strcmp(v.v[0].name, "root") == 0 &&
		       strstr(m.all, "entry array at LBA 1 has an entry array that fails its CRC"),
	       "GPT: primary entries that fail their CRC: the backup's are read, and said");
	cs_vols_clear(&v);
	free(d);
}

static const char lvm_text[] =
	"csvg {\n"
	"id = \"sc79G9-ACqv-r4NC-WfIP-CFkY-QMJ5-eAGGGJ\"\n"
	"seqno = 3\n"
	"format = \"lvm2\" # informational\n"
	"status = [\"RESIZEABLE\", \"READ\", \"WRITE\"]\n"
	"extent_size = 2048\n"
	"physical_volumes {\n"
	"pv0 {\n id = \"Iyujaj-AXFv-w6Nk-jd9R-T6BK-Nel7-rC5eWx\"\n device = \"/dev/sda5\"\n"
	" pe_start = 2048\n pe_count = 47\n}\n}\n"
	"logical_volumes {\n"
	"var {\n id = \"x\"\n status = [\"READ\", \"WRITE\", \"VISIBLE\"]\n segment_count = 2\n"
	"segment1 {\n start_extent = 0\n extent_count = 8\n type = \"striped\"\n stripe_count = 1\n"
	" stripes = [\n \"pv0\", 0\n ]\n}\n"
	"segment2 {\n start_extent = 8\n extent_count = 4\n type = \"striped\"\n stripe_count = 1\n"
	" stripes = [\n \"pv0\", 20\n ]\n}\n}\n"
	"pool {\n status = [\"READ\"]\n segment1 {\n start_extent = 0\n extent_count = 1\n type = \"thin-pool\"\n}\n}\n"
	"}\n}\n"
	"contents = \"Text Format Volume Group\"\nversion = 1\n";

static void test_lvm(void)
{
	cs_lvm_vg vg;
	cs_error e = {0};
	tap_ok(cs_lvm_parse_metadata(lvm_text, sizeof(lvm_text) - 1, &vg, &e) == 0, "LVM: metadata parsed");
	TAP_STR_EQ(vg.name, "csvg", "LVM: the volume group's name");
	TAP_STR_EQ(vg.n_pvs ? vg.pvs[0].id : NULL, "IyujajAXFvw6Nkjd9RT6BKNel7rC5eWx",
		   "LVM: a PV's id without dashes, as its label stores it");
	tap_ok(vg.extent_size == 2048 && vg.seqno == 3 && vg.n_pvs == 1 && vg.pvs[0].pe_start == 2048,
	       "LVM: extent size, sequence number, pe_start");
	tap_ok(vg.n_lvs == 2 && vg.lvs[0].n_segs == 2 && vg.lvs[0].segs[1].stripes[0].extent == 20 &&
		       vg.lvs[0].visible && !vg.lvs[1].visible,
	       "LVM: segments, stripes and visibility");
	TAP_STR_EQ(vg.n_lvs > 1 ? vg.lvs[1].segs[0].type : NULL, "thin-pool", "LVM: a segment's type");
	cs_lvm_vg_clear(&vg);
	static const char *bad[] = {
		"vg { physical_volumes { } }",           /* no extent size (a use-after-free once) */
		"vg { extent_size = 8 physical_volumes {", /* unterminated */
		"vg { extent_size = \"x",                /* unterminated string */
		("vg { a = [ [ [ [ [ [ [ [ [ [ [ [ [ [ [ [ [ [ [ [ [ [ [ [ [ [ [ [ [ [ [ [ [ [ 1 ] ] ] ] ] ] ] ] ] ] ] ] ] ] ] "
		 "] ] ] ] ] ] ] ] ] ] ] ] ] ] ] ] ] ] ] physical_volumes { } extent_size = 1 }"),
		"vg { extent_size = 99999999999999999999999 physical_volumes { } }",
	};
	for (size_t i = 0; i < CS_ARRAY_SIZE(bad); i++) {
		cs_error be = {0};
		int r = cs_lvm_parse_metadata(bad[i], strlen(bad[i]), &vg, &be);
		tap_ok(r < 0 && be.msg[0], "LVM: damaged metadata %zu is refused with a message (%s)", i, be.msg);
	}
}

static void test_devices(void)
{
	uint8_t a[4096], b[4096];
	for (int i = 0; i < 4096; i++)
		a[i] = (uint8_t)i, b[i] = (uint8_t)(255 - i % 256);
	cs_bdev *da = cs_bdev_from_memory(a, sizeof(a), "a"), *db = cs_bdev_from_memory(b, sizeof(b), "b");
	cs_bdev_run runs[] = {{.off = 1024, .len = 1024, .dev = db, .dev_off = 0},
			      {.off = 0, .len = 1024, .dev = da, .dev_off = 2048}};
	cs_error e = {0};
	cs_bdev *m = cs_bdev_mapped(runs, 2, 3072, "vg/lv", &e);
	uint8_t buf[2048];
	tap_ok(m && cs_bdev_read(m, buf, 2048, 0, &e) == 0 && buf[0] == a[2048] && buf[1024] == b[0],
	       "mapped device: a read across two runs takes each from its device");
	tap_ok(cs_bdev_read(m, buf, 512, 2560, &e) < 0 && strstr(e.msg, "vg/lv: offset 2560 is mapped to no"),
	       "mapped device: an unmapped range fails, naming the device and the offset (%s)", e.msg);
	cs_bdev_run over[] = {{.off = 0, .len = 1024, .dev = da}, {.off = 512, .len = 1024, .dev = db}};
	tap_ok(cs_bdev_mapped(over, 2, 2048, "x", &e) == NULL && strstr(e.msg, "overlap"),
	       "mapped device: overlapping runs are refused");
	cs_bdev *w = cs_bdev_window(da, 3072, 2048, "a volume 1");
	tap_ok(cs_bdev_read(w, buf, 1024, 0, &e) == 0 && buf[0] == a[3072], "window: reads its part of the parent");
	tap_ok(cs_bdev_read(w, buf, 1024, 1024, &e) < 0 && strstr(e.msg, "a volume 1: offset 1024 (image offset 4096)"),
	       "window: past the parent's end fails, naming both offsets (%s)", e.msg);
	cs_bdev_unref(w);
	cs_bdev_unref(m);
	cs_bdev_unref(da);
	cs_bdev_unref(db);
}

static void test_fstab(void)
{
	static const char t[] = "# comment\n\nUUID=abc / ext4 defaults 0 1\n"
				"LABEL=my\\040data /srv/with\\040space xfs noatime 0 2\n"
				"bad\0line / x y\n"
				"/dev/sda2\t/var\text4\n"
				"onlytwo fields\n";
	cs_fstab_entry *v;
	size_t n;
	cs_fstab_parse(t, sizeof(t) - 1, &v, &n);
	tap_ok(n == 3, "fstab: three entries (a comment, a blank, a short line and a line with NUL skipped)");
	TAP_STR_EQ(n > 1 ? v[1].spec : NULL, "LABEL=my data", "fstab: \\040 decoded in the spec");
	TAP_STR_EQ(n > 1 ? v[1].file : NULL, "/srv/with space", "fstab: and in the mount point");
	TAP_STR_EQ(n > 2 ? v[2].opts : NULL, "defaults", "fstab: missing options are `defaults`");
	cs_fstab_free(v, n);
	static const char os[] = "NAME=\"Debian\"\nPRETTY_NAME='Debian GNU/Linux 12 (\"bookworm\")'\nID=debian\n";
	char *p = cs_os_release_value(os, sizeof(os) - 1, "PRETTY_NAME");
	TAP_STR_EQ(p, "Debian GNU/Linux 12 (\"bookworm\")", "os-release: single quotes kept literally");
	free(p);
	p = cs_os_release_value(os, sizeof(os) - 1, "ID");
	TAP_STR_EQ(p, "debian", "os-release: an unquoted value");
	free(p);
}

static void hex(const unsigned char *d, size_t n, char *out)
{
	cs_hex(d, n, out);
}

static void test_digests(void)
{
	static const struct {
		const char *in, *md5, *sha1;
	} v[] = {
		{"", "d41d8cd98f00b204e9800998ecf8427e", "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
		{"abc", "900150983cd24fb0d6963f7d28e17f72", "a9993e364706816aba3e25717850c26c9cd0d89d"},
		{"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "8215ef0796a20bcaaae116d3876c664a",
		 "84983e441c3bd26ebaae4aa1f95129e5e54670f1"},
	};
	for (size_t i = 0; i < CS_ARRAY_SIZE(v); i++) {
		unsigned char d[20];
		char h[41];
		cs_md5 m;
		cs_md5_init(&m);
		cs_md5_update(&m, v[i].in, strlen(v[i].in));
		cs_md5_final(&m, d);
		hex(d, 16, h);
		TAP_STR_EQ(h, v[i].md5, "MD5 of `%s` (RFC 1321)", v[i].in);
		cs_sha1 s;
		cs_sha1_init(&s);
		/* byte by byte, to cross the block boundaries */
		for (size_t k = 0; k < strlen(v[i].in); k++)
			cs_sha1_update(&s, v[i].in + k, 1);
		cs_sha1_final(&s, d);
		hex(d, 20, h);
		TAP_STR_EQ(h, v[i].sha1, "SHA-1 of `%s` (FIPS 180 examples)", v[i].in);
	}
	cs_md5 m;
	cs_md5_init(&m);
	char a[1000];
	memset(a, 'a', sizeof(a));
	for (int i = 0; i < 1000; i++)
		cs_md5_update(&m, a, sizeof(a));
	unsigned char d[16];
	char h[33];
	cs_md5_final(&m, d);
	hex(d, 16, h);
	TAP_STR_EQ(h, "7707d6ae4e027c70eea2a935c2296f21", "MD5 of a million `a`");
}

int main(void)
{
	test_mbr();
	test_gpt();
	test_lvm();
	test_devices();
	test_fstab();
	test_digests();
	return tap_done();
}
