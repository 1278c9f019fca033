/* volume.c - MBR and GPT partition tables, file system signatures.
 *
 * The table parsers read through a small reader (a device, or a buffer for
 * tests and fuzzing), decode every field from bytes, and bound every count:
 * at most 128 GPT entries of at most 4 KiB... in fact any entry array of at
 * most 1 MiB, at most 128 logical partitions in an MBR extended chain, which
 * is also checked for loops. Sector numbers are checked against the disk
 * size before they become byte offsets.
 */
#include "evidence/volume.h"

#include <stdio.h>
#include <string.h>
#include <zlib.h>

#define GPT_MAX_ARRAY (1u << 20)
#define MBR_MAX_LOGICAL 128

typedef struct pt_reader {
	int (*read)(void *ud, uint64_t off, size_t n, void *buf, cs_error *e);
	void *ud;
	uint64_t size;
	uint32_t ss;
	const char *name;
	cs_diag_fn diag;
	void *diag_ud;
} pt_reader;

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}
static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static void warn(const pt_reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(const pt_reader *r, const char *fmt, ...)
{
	if (!r->diag)
		return;
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cs_diagf(r->diag, r->diag_ud, CS_WARN, NULL, "%s: %s", r->name, msg);
}

static void note(const pt_reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(const pt_reader *r, const char *fmt, ...)
{
	if (!r->diag)
		return;
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cs_diagf(r->diag, r->diag_ud, CS_NOTE, NULL, "%s: %s", r->name, msg);
}

static cs_vol *add_volume(cs_vols *out, const char *id, const char *scheme, uint64_t off,
			     uint64_t size)
{
	out->v = cs_xreallocarray(out->v, out->n + 1, sizeof(*out->v));
	cs_vol *v = &out->v[out->n++];
	memset(v, 0, sizeof(*v));
	v->id = cs_xstrdup(id);
	v->scheme = scheme;
	v->offset = off;
	v->size = size;
	return v;
}

/* ---- GPT ---- */

static void guid_str(const uint8_t *g, char out[37])
{
	snprintf(out, 37, "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x", le32(g), le16(g + 4),
		 le16(g + 6), g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15]);
}

static const struct {
	const char *guid, *name;
} gpt_types[] = {
	{"0fc63daf-8483-4772-8e79-3d69d8477de4", "Linux filesystem"},
	{"e6d6d379-f507-44c2-a23c-238f2a3df928", "Linux LVM"},
	{"0657fd6d-a4ab-43c4-84e5-0933c84b4f4f", "Linux swap"},
	{"a19d880f-05fc-4d3b-a006-743f0f84911e", "Linux RAID"},
	{"4f68bce3-e8cd-4db1-96e7-fbcaf984b709", "Linux root (x86-64)"},
	{"b921b045-1df0-41c3-af44-4c6f280d3fae", "Linux root (ARM64)"},
	{"44479540-f297-41b2-9af7-d131d5f0458a", "Linux root (x86)"},
	{"4d21b016-b534-45c2-a9fb-5c16e091fd2d", "Linux /var"},
	{"7ec6f557-3bc5-4aca-b293-16ef5df639d1", "Linux /var/tmp"},
	{"933ac7e1-2eb4-4f13-b844-0e14e2aef915", "Linux /home"},
	{"3b8f8425-20e0-4f3b-907f-1a25a76f98e8", "Linux /srv"},
	{"bc13c2ff-59e6-4262-a352-b275fd6f7172", "Linux extended boot"},
	{"ca7d7ccb-63ed-4c53-861c-1742536059cc", "Linux LUKS"},
	{"7ffec5c9-2d00-49b7-8941-3ea10a5586b7", "Linux dm-crypt"},
	{"8da63339-0007-60c0-c436-083ac8230908", "Linux reserved"},
	{"c12a7328-f81f-11d2-ba4b-00a0c93ec93b", "EFI System"},
	{"21686148-6449-6e6f-744e-656564454649", "BIOS boot"},
	{"ebd0a0a2-b9e5-4433-87c0-68b6b72699c7", "Microsoft basic data"},
	{"e3c9e316-0b5c-4db8-817d-f92df00215ae", "Microsoft reserved"},
	{"de94bba4-06d1-4d40-a16a-bfd50179d6ac", "Windows recovery"},
};

static uint32_t crc32_of(const uint8_t *p, size_t n)
{
	uLong c = crc32(0L, Z_NULL, 0);
	while (n > 0) {
		uInt k = n > (1u << 30) ? (1u << 30) : (uInt)n;
		c = crc32(c, p, k);
		p += k;
		n -= k;
	}
	return (uint32_t)c;
}

typedef struct gpt_hdr {
	uint64_t my_lba, alt_lba, first, last, array_lba;
	uint32_t n_entries, entry_size, array_crc;
	bool ok;        /* header CRC and fields good */
	bool array_ok;  /* entry array CRC good */
	uint8_t *array; /* owned when read */
} gpt_hdr;

/* Reads and checks the GPT header at lba; why (static text) says what failed. */
static void gpt_read(const pt_reader *r, uint64_t lba, gpt_hdr *h, const char **why)
{
	memset(h, 0, sizeof(*h));
	*why = NULL;
	uint32_t ss = r->ss;
	uint8_t *b = cs_xmalloc(ss);
	if (lba > r->size / ss - 1 || r->read(r->ud, lba * ss, ss, b, NULL) < 0) {
		*why = "cannot be read";
		free(b);
		return;
	}
	if (memcmp(b, "EFI PART", 8) != 0) {
		*why = "has no `EFI PART` signature";
		free(b);
		return;
	}
	uint32_t hsize = le32(b + 12);
	if (hsize < 92 || hsize > ss) {
		*why = "has a bad header size";
		free(b);
		return;
	}
	uint32_t crc = le32(b + 16);
	memset(b + 16, 0, 4);
	if (crc32_of(b, hsize) != crc) {
		*why = "fails its CRC";
		free(b);
		return;
	}
	h->my_lba = le64(b + 24);
	h->alt_lba = le64(b + 32);
	h->first = le64(b + 40);
	h->last = le64(b + 48);
	h->array_lba = le64(b + 72);
	h->n_entries = le32(b + 80);
	h->entry_size = le32(b + 84);
	h->array_crc = le32(b + 88);
	free(b);
	if (h->my_lba != lba) {
		*why = "names another LBA as its own";
		return;
	}
	if (h->entry_size < 128 || h->entry_size % 8 != 0 || h->n_entries == 0 ||
	    (uint64_t)h->n_entries * h->entry_size > GPT_MAX_ARRAY) {
		*why = "has an absurd entry count or size";
		return;
	}
	h->ok = true;
	size_t asize = (size_t)h->n_entries * h->entry_size;
	uint64_t end = r->size / ss;
	if (h->array_lba >= end || (asize + ss - 1) / ss > end - h->array_lba) {
		*why = "places its entry array past the end of the disk";
		return;
	}
	h->array = cs_xmalloc(asize);
	if (r->read(r->ud, h->array_lba * ss, asize, h->array, NULL) < 0) {
		*why = "has an entry array that cannot be read";
		return;
	}
	if (crc32_of(h->array, asize) != h->array_crc) {
		*why = "has an entry array that fails its CRC";
		return;
	}
	h->array_ok = true;
}

static char *utf16_name(const uint8_t *p, size_t units)
{
	cs_buf b = {0};
	for (size_t i = 0; i < units; i++) {
		uint32_t c = le16(p + 2 * i);
		if (c == 0)
			break;
		if (c >= 0xd800 && c < 0xdc00 && i + 1 < units) {
			uint32_t lo = le16(p + 2 * i + 2);
			if (lo >= 0xdc00 && lo < 0xe000) {
				c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
				i++;
			} else {
				c = 0xfffd;
			}
		} else if (c >= 0xd800 && c < 0xe000) {
			c = 0xfffd;
		}
		char u[4];
		size_t k;
		if (c < 0x80) {
			u[0] = (char)c;
			k = 1;
		} else if (c < 0x800) {
			u[0] = (char)(0xc0 | c >> 6);
			u[1] = (char)(0x80 | (c & 0x3f));
			k = 2;
		} else if (c < 0x10000) {
			u[0] = (char)(0xe0 | c >> 12);
			u[1] = (char)(0x80 | ((c >> 6) & 0x3f));
			u[2] = (char)(0x80 | (c & 0x3f));
			k = 3;
		} else {
			u[0] = (char)(0xf0 | c >> 18);
			u[1] = (char)(0x80 | ((c >> 12) & 0x3f));
			u[2] = (char)(0x80 | ((c >> 6) & 0x3f));
			u[3] = (char)(0x80 | (c & 0x3f));
			k = 4;
		}
		cs_buf_append(&b, u, k);
	}
	if (!b.data)
		return NULL;
	return cs_buf_steal(&b);
}

/* Reads the GPT. Returns 1 when one was read, 0 when there is none. */
static int gpt_parse(const pt_reader *r, cs_vols *out)
{
	gpt_hdr p, b;
	const char *pwhy, *bwhy = NULL;
	gpt_read(r, 1, &p, &pwhy);
	uint64_t last_lba = r->size / r->ss - 1;
	uint64_t alt = p.ok && p.alt_lba <= last_lba ? p.alt_lba : last_lba;
	gpt_hdr *use = &p;
	memset(&b, 0, sizeof(b));
	if (!p.ok || !p.array_ok) {
		gpt_read(r, alt, &b, &bwhy);
		if (!b.ok && alt != last_lba) {
			free(b.array);
			gpt_read(r, last_lba, &b, &bwhy);
			alt = last_lba;
		}
		if (!p.ok && !b.ok) {
			/* no GPT at all, or both copies gone */
			bool had = pwhy && strcmp(pwhy, "has no `EFI PART` signature") != 0 &&
				   strcmp(pwhy, "cannot be read") != 0;
			if (had)
				warn(r, "GPT: the primary header at LBA 1 %s and the backup at LBA %llu %s",
				     pwhy, (unsigned long long)alt, bwhy ? bwhy : "is absent");
			free(p.array);
			free(b.array);
			return had ? -1 : 0;
		}
		if (b.ok && b.array_ok) {
			warn(r, "GPT: the primary %s at LBA 1 %s; using the backup at LBA %llu",
			     p.ok ? "header's entry array" : "header", pwhy, (unsigned long long)alt);
			use = &b;
		} else if (p.ok) {
			warn(r, "GPT: the primary header at LBA 1 %s, and the backup at LBA %llu %s; "
				"reading the primary entries anyway", pwhy, (unsigned long long)alt,
			     bwhy ? bwhy : "is no better");
		} else {
			warn(r, "GPT: the primary header at LBA 1 %s; the backup at LBA %llu %s; "
				"reading the backup entries anyway", pwhy, (unsigned long long)alt,
			     bwhy ? bwhy : "is no better");
			use = &b;
		}
	}
	if (!use->array) {
		free(p.array);
		free(b.array);
		warn(r, "GPT: no readable partition entry array");
		return 1;
	}
	out->scheme = "GPT";
	for (uint32_t i = 0; i < use->n_entries; i++) {
		const uint8_t *e = use->array + (size_t)i * use->entry_size;
		static const uint8_t zero[16];
		if (memcmp(e, zero, 16) == 0)
			continue;
		uint64_t first = le64(e + 32), last = le64(e + 40);
		char id[16], tg[37];
		snprintf(id, sizeof(id), "%u", i + 1);
		guid_str(e, tg);
		if (first > last) {
			warn(r, "GPT entry %u: first LBA %llu is after its last LBA %llu; skipped", i + 1,
			     (unsigned long long)first, (unsigned long long)last);
			continue;
		}
		if (first > last_lba) {
			warn(r, "GPT entry %u: starts at LBA %llu, past the end of the disk (%llu sectors); skipped",
			     i + 1, (unsigned long long)first, (unsigned long long)(last_lba + 1));
			continue;
		}
		uint64_t count = last - first + 1;
		if (count > (UINT64_MAX - first * r->ss) / r->ss)
			count = (UINT64_MAX - first * r->ss) / r->ss; /* no wrap past 2^64 */
		if (last > last_lba)
			warn(r, "GPT partition %u: LBAs %llu-%llu reach past the end of the image (%llu sectors): "
				"the image is truncated or the table is wrong; what lies past the end cannot be read",
			     i + 1, (unsigned long long)first, (unsigned long long)last,
			     (unsigned long long)(last_lba + 1));
		cs_vol *v = add_volume(out, id, "GPT", first * r->ss, count * r->ss);
		const char *tname = NULL;
		for (size_t k = 0; k < CS_ARRAY_SIZE(gpt_types); k++)
			if (strcmp(gpt_types[k].guid, tg) == 0)
				tname = gpt_types[k].name;
		v->type = cs_xstrdup(tname ? tname : tg);
		size_t units = (use->entry_size - 56) / 2;
		if (units > 36)
			units = 36;
		v->name = utf16_name(e + 56, units);
		char ug[37];
		guid_str(e + 16, ug);
		v->partuuid = cs_xstrdup(ug);
		if (first < use->first || last > use->last)
			warn(r, "GPT entry %u: LBAs %llu-%llu are outside the usable range %llu-%llu", i + 1,
			     (unsigned long long)first, (unsigned long long)last,
			     (unsigned long long)use->first, (unsigned long long)use->last);
	}
	free(p.array);
	free(b.array);
	return 1;
}

/* ---- MBR ---- */

static const char *mbr_type_name(uint8_t t)
{
	switch (t) {
	case 0x01: return "FAT12";
	case 0x04: case 0x06: case 0x0e: return "FAT16";
	case 0x05: return "Extended";
	case 0x07: return "NTFS/exFAT";
	case 0x0b: case 0x0c: return "FAT32";
	case 0x0f: return "Extended (LBA)";
	case 0x82: return "Linux swap";
	case 0x83: return "Linux";
	case 0x85: return "Linux extended";
	case 0x8e: return "Linux LVM";
	case 0xa5: return "FreeBSD";
	case 0xee: return "GPT protective";
	case 0xef: return "EFI System";
	case 0xfd: return "Linux RAID";
	default: return NULL;
	}
}

static bool is_extended(uint8_t t)
{
	return t == 0x05 || t == 0x0f || t == 0x85;
}

static void mbr_add(const pt_reader *r, cs_vols *out, unsigned num, uint8_t type, uint64_t lba,
		    uint64_t count, uint32_t disk_sig)
{
	char id[16];
	snprintf(id, sizeof(id), "%u", num);
	uint64_t sectors = r->size / r->ss;
	if (lba >= sectors) {
		warn(r, "MBR partition %u: starts at sector %llu, past the end of the image (%llu sectors); "
			"kept, but nothing of it can be read", num, (unsigned long long)lba,
		     (unsigned long long)sectors);
	} else if (count > sectors - lba) {
		warn(r, "MBR partition %u: sectors %llu-%llu reach past the end of the image (%llu sectors): "
			"the image is truncated or the table is wrong; what lies past the end cannot be read",
		     num, (unsigned long long)lba, (unsigned long long)(lba + count - 1),
		     (unsigned long long)sectors);
	}
	cs_vol *v = add_volume(out, id, "MBR", lba * r->ss, count * r->ss);
	const char *tn = mbr_type_name(type);
	v->type = tn ? cs_xasprintf("0x%02x %s", type, tn) : cs_xasprintf("0x%02x", type);
	if (disk_sig)
		v->partuuid = cs_xasprintf("%08x-%02x", disk_sig, num);
}

/* Returns 1 when an MBR was read, 0 when the first sector is not one. */
static int mbr_parse(const pt_reader *r, cs_vols *out)
{
	uint8_t b[512];
	if (r->size < 512 || r->read(r->ud, 0, 512, b, NULL) < 0)
		return 0;
	if (b[510] != 0x55 || b[511] != 0xaa)
		return 0;
	/* a boot record of a file system (FAT, NTFS) also ends in 55 aa: an
	 * MBR's four entries must each be empty or well formed */
	int used = 0;
	for (int i = 0; i < 4; i++) {
		const uint8_t *e = b + 446 + 16 * i;
		if (e[0] != 0x00 && e[0] != 0x80)
			return 0;
		if (e[4] == 0)
			continue;
		if (le32(e + 12) == 0)
			return 0;
		used++;
	}
	if (used == 0 || memcmp(b + 3, "NTFS    ", 8) == 0 || memcmp(b + 82, "FAT32   ", 8) == 0)
		return 0;
	out->scheme = "MBR";
	uint64_t sectors = r->size / r->ss;
	for (int i = 0; i < 4; i++) {
		const uint8_t *e = b + 446 + 16 * i;
		if (e[4] != 0)
			mbr_add(r, out, (unsigned)i + 1, e[4], le32(e + 8), le32(e + 12), le32(b + 440));
	}
	/* then the logical partitions (5, 6, ...) of the extended one */
	unsigned num = 5;
	for (int i = 0; i < 4; i++) {
		const uint8_t *e = b + 446 + 16 * i;
		uint8_t type = e[4];
		uint64_t lba = le32(e + 8);
		if (type == 0 || !is_extended(type))
			continue;
		/* the chain of extended boot records; offsets of the next EBR are
		 * relative to the extended partition, of a logical one to its EBR */
		uint64_t ext = lba, cur = lba;
		uint64_t seen[MBR_MAX_LOGICAL];
		size_t n_seen = 0;
		for (;;) {
			if (cur >= sectors) {
				warn(r, "MBR: extended boot record at sector %llu is past the end of the image",
				     (unsigned long long)cur);
				break;
			}
			for (size_t k = 0; k < n_seen; k++)
				if (seen[k] == cur) {
					warn(r, "MBR: the extended partition chain loops back to sector %llu",
					     (unsigned long long)cur);
					goto chain_done;
				}
			if (n_seen >= MBR_MAX_LOGICAL) {
				warn(r, "MBR: more than %d logical partitions; the rest are not read",
				     MBR_MAX_LOGICAL);
				break;
			}
			seen[n_seen++] = cur;
			uint8_t eb[512];
			if (r->read(r->ud, cur * r->ss, 512, eb, NULL) < 0 || eb[510] != 0x55 || eb[511] != 0xaa) {
				warn(r, "MBR: extended boot record at sector %llu is unreadable or has no signature",
				     (unsigned long long)cur);
				break;
			}
			const uint8_t *l = eb + 446, *nx = eb + 446 + 16;
			if (l[4] != 0 && le32(l + 12) != 0)
				mbr_add(r, out, num++, l[4], cur + le32(l + 8), le32(l + 12), le32(b + 440));
			if (nx[4] == 0 || !is_extended(nx[4]) || le32(nx + 8) == 0)
				break;
			cur = ext + le32(nx + 8);
		}
chain_done:;
	}
	return 1;
}

static void check_overlaps(const pt_reader *r, cs_vols *out)
{
	for (size_t i = 0; i < out->n; i++) {
		const cs_vol *a = &out->v[i];
		if (a->type && (strstr(a->type, "Extended") || strstr(a->type, "extended")))
			continue;
		for (size_t k = i + 1; k < out->n; k++) {
			const cs_vol *b = &out->v[k];
			if (b->type && (strstr(b->type, "Extended") || strstr(b->type, "extended")))
				continue;
			if (a->offset < b->offset + b->size && b->offset < a->offset + a->size)
				warn(r, "%s partitions %s (bytes %llu-%llu) and %s (bytes %llu-%llu) overlap; "
					"both are kept", a->scheme, a->id, (unsigned long long)a->offset,
				     (unsigned long long)(a->offset + a->size - 1), b->id,
				     (unsigned long long)b->offset, (unsigned long long)(b->offset + b->size - 1));
		}
	}
}

static int parse_table(const pt_reader *r, cs_vols *out)
{
	out->scheme = "none";
	int g = gpt_parse(r, out);
	if (g == 0) {
		/* a 4 KiB-sector disk keeps its GPT header at byte 4096 */
		uint8_t sig[8];
		if (r->ss == 512 && r->size > 8192 && r->read(r->ud, 4096, 8, sig, NULL) == 0 &&
		    memcmp(sig, "EFI PART", 8) == 0) {
			pt_reader r4 = *r;
			r4.ss = 4096;
			g = gpt_parse(&r4, out);
			if (g > 0)
				note(r, "GPT with 4096-byte sectors");
		}
	}
	if (g == 0)
		mbr_parse(r, out);
	check_overlaps(r, out);
	return 0;
}

/* ---- file system signatures ---- */

static char *trimmed(const uint8_t *p, size_t n)
{
	size_t k = strnlen((const char *)p, n);
	while (k > 0 && (p[k - 1] == ' ' || p[k - 1] == '\0'))
		k--;
	if (k == 0)
		return NULL;
	return cs_xstrndup((const char *)p, k);
}

static char *uuid_str(const uint8_t *u)
{
	static const uint8_t zero[16];
	if (memcmp(u, zero, 16) == 0)
		return NULL;
	return cs_xasprintf("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1],
			    u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13],
			    u[14], u[15]);
}

void cs_vol_probe(cs_bdev *dev, const char **fs, char **label, char **uuid)
{
	*fs = NULL;
	*label = NULL;
	*uuid = NULL;
	if (!dev)
		return;
	uint8_t b[8192];
	size_t n = dev->size < sizeof(b) ? (size_t)dev->size : sizeof(b);
	if (n < 1024 || cs_bdev_read(dev, b, n, 0, NULL) < 0)
		return;
	memset(b + n, 0, sizeof(b) - n);
	if (le16(b + 1024 + 56) == 0xef53) {
		const uint8_t *sb = b + 1024;
		uint32_t compat = le32(sb + 92), incompat = le32(sb + 96), ro = le32(sb + 100);
		if ((incompat & ~0x0002u & ~0x0004u) != 0 || (ro & ~0x0003u) != 0)
			*fs = "ext4"; /* anything beyond filetype/recover, sparse_super/large_file */
		else if (compat & 0x0004u)
			*fs = "ext3"; /* has_journal */
		else
			*fs = "ext2";
		if (incompat & 0x0008u)
			*fs = "jbd"; /* an external journal, not a file system */
		*label = trimmed(sb + 120, 16);
		*uuid = uuid_str(sb + 104);
		return;
	}
	if (memcmp(b, "XFSB", 4) == 0) {
		*fs = "xfs";
		*label = trimmed(b + 108, 12);
		*uuid = uuid_str(b + 32);
		return;
	}
	for (int s = 0; s < 4; s++)
		if (memcmp(b + 512 * s, "LABELONE", 8) == 0 && memcmp(b + 512 * s + 24, "LVM2 001", 8) == 0) {
			*fs = "LVM2_member";
			return;
		}
	if (memcmp(b, "LUKS\xba\xbe", 6) == 0) {
		*fs = "crypto_LUKS";
		return;
	}
	if (memcmp(b + 4096 - 10, "SWAPSPACE2", 10) == 0 || memcmp(b + 4096 - 10, "SWAP-SPACE", 10) == 0) {
		*fs = "swap";
		*label = trimmed(b + 1024 + 28, 16);
		*uuid = uuid_str(b + 1024 + 12);
		return;
	}
	if (memcmp(b + 3, "NTFS    ", 8) == 0) {
		*fs = "ntfs";
		return;
	}
	if (b[510] == 0x55 && b[511] == 0xaa && (memcmp(b + 82, "FAT32   ", 8) == 0 || memcmp(b + 54, "FAT", 3) == 0)) {
		*fs = "vfat";
		return;
	}
	uint8_t bt[8];
	if (dev->size > 65536 + 72 && cs_bdev_read(dev, bt, 8, 65536 + 64, NULL) == 0 &&
	    memcmp(bt, "_BHRfS_M", 8) == 0)
		*fs = "btrfs";
}

/* ---- scanning a device ---- */

static int dev_read(void *ud, uint64_t off, size_t n, void *buf, cs_error *e)
{
	return cs_bdev_read(ud, buf, n, off, e);
}

int cs_vols_scan(cs_bdev *disk, cs_diag_fn diag, void *ud, cs_vols *ret, cs_error *e)
{
	memset(ret, 0, sizeof(*ret));
	uint8_t probe[512];
	if (disk->size >= 512 && cs_bdev_read(disk, probe, 512, 0, e) < 0)
		return e ? e->code : -EIO;
	pt_reader r = {.read = dev_read, .ud = disk, .size = disk->size,
		       .ss = disk->sector_size ? disk->sector_size : 512, .name = disk->name,
		       .diag = diag, .diag_ud = ud};
	parse_table(&r, ret);
	if (ret->n == 0) {
		cs_vol *v = add_volume(ret, "0", "none", 0, disk->size);
		v->type = cs_xstrdup("whole image");
	}
	for (size_t i = 0; i < ret->n; i++) {
		cs_vol *v = &ret->v[i];
		char *name = strcmp(v->id, "0") == 0 ? cs_xstrdup(disk->name)
						     : cs_xasprintf("%s volume %s", disk->name, v->id);
		v->dev = strcmp(v->id, "0") == 0 ? cs_bdev_ref(disk)
						 : cs_bdev_window(disk, v->offset, v->size, name);
		free(name);
		if (v->type && (strstr(v->type, "Extended") || strstr(v->type, "extended")))
			continue;
		char *label, *uuid;
		cs_vol_probe(v->dev, &v->fs, &label, &uuid);
		v->label = label;
		v->uuid = uuid;
	}
	cs_lvm_scan(ret, diag, ud);
	return 0;
}

void cs_vols_clear(cs_vols *v)
{
	for (size_t i = 0; i < v->n; i++) {
		free(v->v[i].id);
		free(v->v[i].type);
		free(v->v[i].name);
		free(v->v[i].parent);
		free(v->v[i].label);
		free(v->v[i].uuid);
		free(v->v[i].partuuid);
		free(v->v[i].problem);
		cs_bdev_unref(v->v[i].dev);
	}
	free(v->v);
	memset(v, 0, sizeof(*v));
}

const cs_vol *cs_vols_find(const cs_vols *v, const char *id)
{
	for (size_t i = 0; i < v->n; i++)
		if (strcmp(v->v[i].id, id) == 0)
			return &v->v[i];
	/* "vg-lv" as device-mapper names it, or an LV name alone when unique */
	const cs_vol *found = NULL;
	size_t hits = 0;
	for (size_t i = 0; i < v->n; i++) {
		const char *slash = strchr(v->v[i].id, '/');
		if (!slash || strcmp(v->v[i].scheme, "LVM2") != 0)
			continue;
		char *dm = cs_xasprintf("%.*s-%s", (int)(slash - v->v[i].id), v->v[i].id, slash + 1);
		bool m = strcmp(dm, id) == 0 || strcmp(slash + 1, id) == 0;
		free(dm);
		if (m) {
			found = &v->v[i];
			hits++;
		}
	}
	return hits == 1 ? found : NULL;
}

/* ---- in memory, for tests and fuzzing ---- */

typedef struct mem_disk {
	const uint8_t *buf;
	size_t n;
} mem_disk;

static int mem_read(void *ud, uint64_t off, size_t n, void *buf, cs_error *e)
{
	const mem_disk *m = ud;
	if (off > m->n || n > m->n - off)
		return cs_err(e, -EIO, "past the end of the buffer");
	memcpy(buf, m->buf + off, n);
	return 0;
}

int cs_parttable_parse_mem(const uint8_t *buf, size_t n, uint64_t disk_size, uint32_t sector_size,
			   cs_diag_fn diag, void *ud, cs_vols *out)
{
	memset(out, 0, sizeof(*out));
	if (sector_size != 512 && sector_size != 4096)
		return -EINVAL;
	mem_disk m = {buf, n};
	pt_reader r = {.read = mem_read, .ud = &m, .size = disk_size, .ss = sector_size,
		       .name = "(memory)", .diag = diag, .diag_ud = ud};
	return parse_table(&r, out);
}
