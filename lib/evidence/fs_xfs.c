/* fs_xfs.c - XFS (v4 and v5), read-only, written from the on-disk format
 * as the kernel's fs/xfs/libxfs headers document it.
 *
 * Why by hand: the one library Debian offers (libfsxfs 20201117) exposes no
 * extended attributes, device numbers, link counts or symlink targets, all
 * of which the engine readers need (overlay's trusted.overlay.opaque, char
 * 0/0 whiteouts, hard links). What is read:
 *
 *   superblock   checked field by field (block, sector and inode sizes,
 *                AG geometry, counts) before anything else is trusted;
 *   inodes       v1/v2/v3 cores, classic and big timestamps, crtime (v3),
 *                64-bit extent counters; the v3 CRC and self-number are
 *                checked, a free inode is an error;
 *   data forks   local, extent list and B+tree (depth bounded, levels must
 *                descend, every block inside the volume);
 *   directories  shortform, and block/leaf/node forms by reading every data
 *                block below the 32 GiB leaf offset (the hash index is not
 *                needed to list); entries are checked as they are walked;
 *   symlinks     local and remote (v5 block headers stripped);
 *   xattrs       shortform, leaf and node forms (leaves are reached through
 *                the node tree, then their sibling links, each block once),
 *                local and remote values; SGI_ACL_FILE/DEFAULT become
 *                system.posix_acl_access/default in the kernel's format.
 *
 * The log is never replayed: what is shown is what is on disk. Realtime
 * files are not read. Every failure names the volume and the inode and
 * costs that inode only.
 */
#include "evidence/fsys.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define XFS_MAX_RUNS ((size_t)1 << 22)
#define XFS_MAX_BTREE_LEVELS 9
#define XFS_CACHE 2048
#define XFS_DIR2_LEAF_OFFSET ((uint64_t)1 << 35) /* bytes: data blocks live below */
#define XFS_MAX_ATTR_BLOCKS 65536

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}
static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static uint64_t be64(const uint8_t *p)
{
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}

/* CRC-32C (Castagnoli), as XFS v5 checksums its metadata. */
static uint32_t crc32c_table[256];
static void crc32c_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0x82f63b78U : c >> 1;
		crc32c_table[i] = c;
	}
}
/* The CRC of buf with the 4 bytes at crc_off taken as zero; compares with
 * the little-endian value stored there. */
static bool crc_ok(const uint8_t *buf, size_t n, size_t crc_off)
{
	if (!crc32c_table[1])
		crc32c_init();
	uint32_t c = 0xffffffffU;
	for (size_t i = 0; i < n; i++) {
		uint8_t b = (i >= crc_off && i < crc_off + 4) ? 0 : buf[i];
		c = crc32c_table[(c ^ b) & 0xff] ^ (c >> 8);
	}
	c = ~c;
	uint32_t stored = (uint32_t)buf[crc_off] | (uint32_t)buf[crc_off + 1] << 8 |
			  (uint32_t)buf[crc_off + 2] << 16 | (uint32_t)buf[crc_off + 3] << 24;
	return c == stored;
}

typedef struct xfs_fs {
	cs_fsys base;
	cs_bdev *dev;
	bool v5, ftype, nrext64_sb;
	uint32_t bs, blocklog;
	uint64_t dblocks;
	uint32_t agblocks, agcount, agblklog;
	uint32_t inodesize, inopblog;
	uint32_t dirblksize;
	uint64_t rootino;
	/* a direct-mapped cache of metadata blocks */
	uint64_t *tag;
	uint8_t *cache;
} xfs_fs;

static int xerr(xfs_fs *x, cs_error *e, uint64_t ino, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int xerr(xfs_fs *x, cs_error *e, uint64_t ino, const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return cs_err(e, -EIO, "%s, inode %llu: %s", x->base.name, (unsigned long long)ino, msg);
}

/* Byte offset of a file system block number (AG-relative encoding), or
 * false when it names no block of the volume. */
static bool fsb_to_off(const xfs_fs *x, uint64_t fsb, uint64_t *ret)
{
	uint64_t agno = fsb >> x->agblklog;
	uint64_t agbno = fsb & (((uint64_t)1 << x->agblklog) - 1);
	if (agno >= x->agcount || agbno >= x->agblocks)
		return false;
	uint64_t lin = agno * x->agblocks + agbno;
	if (lin >= x->dblocks)
		return false;
	*ret = lin << x->blocklog;
	return true;
}

/* Reads one metadata block (cached). The pointer is valid until the next
 * read_block call. */
static const uint8_t *read_block(xfs_fs *x, uint64_t fsb, uint64_t ino, cs_error *e)
{
	uint64_t off;
	if (!fsb_to_off(x, fsb, &off)) {
		xerr(x, e, ino, "block %llu is outside the volume", (unsigned long long)fsb);
		return NULL;
	}
	size_t slot = (size_t)(fsb % XFS_CACHE);
	uint8_t *p = x->cache + slot * x->bs;
	if (x->tag[slot] == fsb + 1)
		return p;
	cs_error le = {0};
	if (cs_bdev_read(x->dev, p, x->bs, off, &le) < 0) {
		x->tag[slot] = 0;
		xerr(x, e, ino, "%s", le.msg);
		return NULL;
	}
	x->tag[slot] = fsb + 1;
	return p;
}

/* ---- inodes ---- */

typedef struct xinode {
	uint64_t ino;
	uint8_t *raw; /* inodesize bytes, owned */
	uint16_t mode;
	uint8_t version, format, aformat;
	uint32_t uid, gid, nlink;
	uint64_t size, nblocks;
	uint64_t nextents, anextents;
	uint8_t forkoff;
	uint16_t flags;
	uint64_t flags2;
	size_t lit;             /* offset of the literal area */
	size_t dsize, asize;    /* sizes of the data and attr forks */
} xinode;

static void xinode_free(xinode *in)
{
	free(in->raw);
	in->raw = NULL;
}

static int read_inode(xfs_fs *x, uint64_t ino, xinode *in, cs_error *e)
{
	memset(in, 0, sizeof(*in));
	in->ino = ino;
	uint64_t agno = ino >> (x->agblklog + x->inopblog);
	uint64_t agbno = (ino >> x->inopblog) & (((uint64_t)1 << x->agblklog) - 1);
	uint64_t idx = ino & (((uint64_t)1 << x->inopblog) - 1);
	if (agno >= x->agcount || agbno >= x->agblocks || agno * x->agblocks + agbno >= x->dblocks)
		return xerr(x, e, ino, "past the end of the volume (%u allocation groups of %u blocks)",
			    x->agcount, x->agblocks);
	uint64_t off = ((agno * x->agblocks + agbno) << x->blocklog) + idx * x->inodesize;
	in->raw = cs_xmalloc(x->inodesize);
	cs_error le = {0};
	if (cs_bdev_read(x->dev, in->raw, x->inodesize, off, &le) < 0) {
		xinode_free(in);
		return xerr(x, e, ino, "%s", le.msg);
	}
	const uint8_t *r = in->raw;
	if (be16(r) != 0x494e) {
		xinode_free(in);
		return xerr(x, e, ino, "no inode there (bad magic)");
	}
	in->mode = be16(r + 2);
	in->version = r[4];
	in->format = r[5];
	if (in->version < 1 || in->version > 3 || (x->v5 != (in->version == 3))) {
		unsigned v = in->version;
		xinode_free(in);
		return xerr(x, e, ino, "inode version %u on a v%d file system", v, x->v5 ? 5 : 4);
	}
	if (in->version == 3) {
		if (!crc_ok(r, x->inodesize, 100)) {
			xinode_free(in);
			return xerr(x, e, ino, "fails its CRC");
		}
		if (be64(r + 152) != ino) {
			unsigned long long self = (unsigned long long)be64(r + 152);
			xinode_free(in);
			return xerr(x, e, ino, "its core says it is inode %llu", self);
		}
	}
	if (in->mode == 0) {
		xinode_free(in);
		return xerr(x, e, ino, "not in use (a directory entry points at a free inode)");
	}
	in->uid = be32(r + 8);
	in->gid = be32(r + 12);
	in->nlink = in->version == 1 ? be16(r + 6) : be32(r + 16);
	in->size = be64(r + 56);
	in->nblocks = be64(r + 64);
	in->forkoff = r[82];
	in->aformat = r[83];
	in->flags = be16(r + 90);
	in->flags2 = in->version == 3 ? be64(r + 120) : 0;
	if (in->flags2 & (1u << 4)) { /* NREXT64 */
		in->nextents = be64(r + 24);
		in->anextents = be32(r + 76);
	} else {
		in->nextents = be32(r + 76);
		in->anextents = be16(r + 80);
	}
	in->lit = in->version == 3 ? 176 : 100;
	size_t litsize = x->inodesize - in->lit;
	if ((size_t)in->forkoff * 8 > litsize) {
		xinode_free(in);
		return xerr(x, e, ino, "attribute fork offset %u is past the inode", in->forkoff);
	}
	in->dsize = in->forkoff ? (size_t)in->forkoff * 8 : litsize;
	in->asize = in->forkoff ? litsize - (size_t)in->forkoff * 8 : 0;
	return 0;
}

static cs_time xtime(const xinode *in, size_t off)
{
	const uint8_t *p = in->raw + off;
	if (in->flags2 & (1u << 3)) { /* BIGTIME: ns since 1901-12-13T20:45:52Z */
		uint64_t t = be64(p);
		const uint64_t base = (uint64_t)2147483648ULL * 1000000000ULL;
		if (t >= base)
			return t - base > (uint64_t)INT64_MAX ? CS_TIME_INVALID : (cs_time)(t - base);
		return -(cs_time)(base - t);
	}
	int64_t s = (int32_t)be32(p);
	uint32_t ns = be32(p + 4);
	if (ns > 999999999)
		ns = 999999999;
	return cs_time_from_parts(s, ns);
}

static int xfs_stat(cs_fsys *fs, uint64_t ino, cs_stat *st, cs_error *e)
{
	xfs_fs *x = (xfs_fs *)fs;
	xinode in;
	int r = read_inode(x, ino, &in, e);
	if (r < 0)
		return r;
	st->mode = in.mode;
	st->uid = in.uid;
	st->gid = in.gid;
	st->nlink = in.nlink;
	st->size = in.size;
	st->blocks = in.nblocks << (x->blocklog - 9);
	st->atime = xtime(&in, 32);
	st->mtime = xtime(&in, 40);
	st->ctime = xtime(&in, 48);
	st->btime = in.version == 3 ? xtime(&in, 144) : CS_TIME_INVALID;
	if ((S_ISCHR(in.mode) || S_ISBLK(in.mode)) && in.format == 0) {
		uint32_t d = be32(in.raw + in.lit);
		st->rdev_major = (d >> 18) & 0x1ff;
		st->rdev_minor = d & 0x3ffff;
		st->size = 0;
	}
	xinode_free(&in);
	return 0;
}

/* ---- forks: extent maps ---- */

typedef struct xrun {
	uint64_t off, fsb, len; /* file block, fs block, blocks */
	bool unwritten;
} xrun;

typedef struct xmap {
	xrun *v;
	size_t n, cap;
} xmap;

static void decode_rec(const uint8_t *p, xrun *r)
{
	uint64_t l0 = be64(p), l1 = be64(p + 8);
	r->unwritten = l0 >> 63;
	r->off = (l0 & 0x7ffffffffffffe00ULL) >> 9;
	r->fsb = ((l0 & 0x1ffULL) << 43) | (l1 >> 21);
	r->len = l1 & 0x1fffffULL;
}

static int map_add(xfs_fs *x, xmap *m, const xrun *r, uint64_t ino, cs_error *e)
{
	if (r->len == 0)
		return 0;
	uint64_t off;
	if (!fsb_to_off(x, r->fsb, &off) || !fsb_to_off(x, r->fsb + r->len - 1, &off))
		return xerr(x, e, ino, "extent at file block %llu maps blocks %llu+%llu outside the volume",
			    (unsigned long long)r->off, (unsigned long long)r->fsb, (unsigned long long)r->len);
	if (m->n > 0) {
		const xrun *p = &m->v[m->n - 1];
		if (r->off < p->off + p->len)
			return xerr(x, e, ino, "its extent map loops or is out of order at file block %llu",
				    (unsigned long long)r->off);
	}
	if (m->n >= XFS_MAX_RUNS)
		return xerr(x, e, ino, "more than %zu extents", XFS_MAX_RUNS);
	*CS_PUSH(m->v, m->n, m->cap) = *r;
	return 0;
}

static int walk_bmbt(xfs_fs *x, xmap *m, uint64_t fsb, unsigned level, uint64_t ino, size_t *budget, cs_error *e)
{
	if (*budget == 0)
		return xerr(x, e, ino, "its extent B+tree has too many blocks");
	(*budget)--;
	const uint8_t *b = read_block(x, fsb, ino, e);
	if (!b)
		return -EIO;
	uint32_t magic = be32(b);
	size_t hdr = x->v5 ? 72 : 24;
	if (magic != (x->v5 ? 0x424d4133U : 0x424d4150U))
		return xerr(x, e, ino, "extent B+tree block %llu has a bad magic", (unsigned long long)fsb);
	if (x->v5 && !crc_ok(b, x->bs, 64))
		return xerr(x, e, ino, "extent B+tree block %llu fails its CRC", (unsigned long long)fsb);
	unsigned blevel = be16(b + 4), nrecs = be16(b + 6);
	if (blevel != level)
		return xerr(x, e, ino, "extent B+tree block %llu is at level %u where %u was expected (a loop?)",
			    (unsigned long long)fsb, blevel, level);
	size_t maxrecs = (x->bs - hdr) / (level == 0 ? 16 : 16);
	if (nrecs > maxrecs)
		return xerr(x, e, ino, "extent B+tree block %llu claims %u records", (unsigned long long)fsb, nrecs);
	if (level == 0) {
		/* copy: the block may leave the cache while we add */
		uint8_t *copy = cs_xmalloc((size_t)nrecs * 16 + 1);
		memcpy(copy, b + hdr, (size_t)nrecs * 16);
		int r = 0;
		for (unsigned i = 0; i < nrecs && r == 0; i++) {
			xrun run;
			decode_rec(copy + 16 * i, &run);
			r = map_add(x, m, &run, ino, e);
		}
		free(copy);
		return r;
	}
	size_t kmax = (x->bs - hdr) / 16;
	uint64_t *ptrs = cs_xcalloc(nrecs + 1, sizeof(*ptrs));
	for (unsigned i = 0; i < nrecs; i++)
		ptrs[i] = be64(b + hdr + kmax * 8 + 8 * i);
	int r = 0;
	for (unsigned i = 0; i < nrecs && r == 0; i++)
		r = walk_bmbt(x, m, ptrs[i], level - 1, ino, budget, e);
	free(ptrs);
	return r;
}

/* Maps a fork (data: attr=false) of an inode. */
static int map_fork(xfs_fs *x, const xinode *in, bool attr, xmap *m, cs_error *e)
{
	memset(m, 0, sizeof(*m));
	uint8_t format = attr ? in->aformat : in->format;
	const uint8_t *f = in->raw + in->lit + (attr ? in->dsize : 0);
	size_t fsize = attr ? in->asize : in->dsize;
	uint64_t n = attr ? in->anextents : in->nextents;
	if (format == 2) { /* extents */
		if (n * 16 > fsize)
			return xerr(x, e, in->ino, "%llu extents do not fit its %s fork", (unsigned long long)n,
				    attr ? "attribute" : "data");
		for (uint64_t i = 0; i < n; i++) {
			xrun r;
			decode_rec(f + 16 * i, &r);
			int rc = map_add(x, m, &r, in->ino, e);
			if (rc < 0)
				return rc;
		}
		return 0;
	}
	if (format == 3) { /* B+tree, its root in the inode */
		if (fsize < 4)
			return xerr(x, e, in->ino, "B+tree root does not fit its fork");
		unsigned level = be16(f), nrecs = be16(f + 2);
		size_t maxrecs = (fsize - 4) / 16;
		if (level == 0 || level > XFS_MAX_BTREE_LEVELS || nrecs > maxrecs)
			return xerr(x, e, in->ino, "B+tree root with level %u and %u records", level, nrecs);
		size_t budget = (size_t)1 << 20;
		for (unsigned i = 0; i < nrecs; i++) {
			uint64_t ptr = be64(f + 4 + maxrecs * 8 + 8 * i);
			int rc = walk_bmbt(x, m, ptr, level - 1, in->ino, &budget, e);
			if (rc < 0)
				return rc;
		}
		return 0;
	}
	return xerr(x, e, in->ino, "%s fork in format %u where extents were expected", attr ? "attribute" : "data",
		    format);
}

/* Reads n bytes at byte offset off of a mapped fork (holes are zeros). */
static int read_mapped(xfs_fs *x, const xmap *m, uint64_t ino, void *buf, size_t n, uint64_t off, cs_error *e)
{
	uint8_t *p = buf;
	size_t done = 0;
	while (done < n) {
		uint64_t pos = off + done;
		uint64_t blk = pos >> x->blocklog;
		size_t lo = 0, hi = m->n;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (m->v[mid].off <= blk)
				lo = mid + 1;
			else
				hi = mid;
		}
		const xrun *r = lo ? &m->v[lo - 1] : NULL;
		size_t want = n - done;
		if (!r || blk >= r->off + r->len || r->unwritten) {
			uint64_t end = r && blk < r->off + r->len ? (r->off + r->len) << x->blocklog
				       : lo < m->n		  ? m->v[lo].off << x->blocklog
								  : UINT64_MAX;
			uint64_t k = end - pos < want ? end - pos : want;
			memset(p + done, 0, (size_t)k);
			done += (size_t)k;
			continue;
		}
		/* contiguous physical blocks: one read */
		uint64_t in_run = pos - (r->off << x->blocklog);
		uint64_t avail = (r->len << x->blocklog) - in_run;
		uint64_t k = avail < want ? avail : want;
		/* an extent lies in one allocation group; guard anyway */
		uint64_t first = (r->fsb + (in_run >> x->blocklog));
		uint64_t last = r->fsb + ((in_run + k - 1) >> x->blocklog);
		if ((first >> x->agblklog) != (last >> x->agblklog)) {
			uint64_t bl_end = (((first >> x->agblklog) + 1) << x->agblklog) - r->fsb;
			uint64_t lim = (bl_end << x->blocklog) - in_run;
			if (lim < k)
				k = lim;
		}
		uint64_t doff;
		if (!fsb_to_off(x, first, &doff))
			return xerr(x, e, ino, "block %llu is outside the volume", (unsigned long long)first);
		cs_error le = {0};
		if (cs_bdev_read(x->dev, p + done, (size_t)k, doff + (in_run & (x->bs - 1)), &le) < 0)
			return xerr(x, e, ino, "%s", le.msg);
		done += (size_t)k;
	}
	return 0;
}

/* ---- regular files ---- */

typedef struct xfile {
	cs_file base;
	xfs_fs *x;
	uint64_t ino;
	xmap m;
	char err[CS_ERRMSG_MAX];
} xfile;

static ssize_t xfile_pread(cs_file *f, void *buf, size_t n, uint64_t off)
{
	xfile *xf = (xfile *)f;
	if (off >= f->size)
		return 0;
	if (n > f->size - off)
		n = (size_t)(f->size - off);
	cs_error e = {0};
	if (read_mapped(xf->x, &xf->m, xf->ino, buf, n, off, &e) < 0) {
		memcpy(xf->err, e.msg, sizeof(xf->err));
		return -EIO;
	}
	return (ssize_t)n;
}

static const char *xfile_error(cs_file *f)
{
	return ((xfile *)f)->err;
}

static void xfile_close(cs_file *f)
{
	xfile *xf = (xfile *)f;
	free(xf->m.v);
	free(xf);
}

static const cs_file_ops xfile_ops = {.pread = xfile_pread, .close = xfile_close, .error = xfile_error};

static int xfs_open(cs_fsys *fs, uint64_t ino, cs_file **ret, cs_error *e)
{
	xfs_fs *x = (xfs_fs *)fs;
	xinode in;
	int r = read_inode(x, ino, &in, e);
	if (r < 0)
		return r;
	if (!S_ISREG(in.mode)) {
		xinode_free(&in);
		return xerr(x, e, ino, "not a regular file");
	}
	if (in.flags & 0x1) {
		xinode_free(&in);
		return xerr(x, e, ino, "a realtime file: its data is on the realtime device, which is not read");
	}
	if (in.format == 1) { /* local: the bytes are in the inode */
		size_t len = in.size < in.dsize ? (size_t)in.size : in.dsize;
		char *b = cs_xcalloc(1, (size_t)in.size + 1);
		memcpy(b, in.raw + in.lit, len);
		uint64_t size = in.size;
		xinode_free(&in);
		if (size > (1u << 20)) {
			free(b);
			return xerr(x, e, ino, "local file of %llu bytes", (unsigned long long)size);
		}
		*ret = cs_file_from_memory(b, size);
		return 0;
	}
	xfile *f = cs_xcalloc(1, sizeof(*f));
	r = map_fork(x, &in, false, &f->m, e);
	uint64_t size = in.size;
	xinode_free(&in);
	if (r < 0) {
		xfile_close(&f->base);
		return r;
	}
	f->base.ops = &xfile_ops;
	f->base.size = size;
	f->base.fd = -1;
	f->x = x;
	f->ino = ino;
	*ret = &f->base;
	return 0;
}

/* ---- directories ---- */

static unsigned char ftype_to_dt(uint8_t t)
{
	switch (t) {
	case 1: return DT_REG;
	case 2: return DT_DIR;
	case 3: return DT_CHR;
	case 4: return DT_BLK;
	case 5: return DT_FIFO;
	case 6: return DT_SOCK;
	case 7: return DT_LNK;
	default: return DT_UNKNOWN;
	}
}

typedef struct dlist {
	cs_fsys_dirent *v;
	size_t n, cap;
} dlist;

static int add_entry(xfs_fs *x, dlist *d, const uint8_t *name, size_t len, uint64_t ino, uint8_t ftype,
		     uint64_t dir, cs_error *e)
{
	if (len == 0 || memchr(name, '/', len) || memchr(name, '\0', len))
		return 0;
	if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
		return 0;
	if (d->n >= CS_DIR_MAX_ENTRIES)
		return xerr(x, e, dir, "more than %d entries", CS_DIR_MAX_ENTRIES);
	cs_fsys_dirent *de = CS_PUSH(d->v, d->n, d->cap);
	de->name = cs_xstrndup((const char *)name, len);
	de->ino = ino;
	de->type = x->ftype ? ftype_to_dt(ftype) : DT_UNKNOWN;
	return 0;
}

static int list_short(xfs_fs *x, const xinode *in, dlist *d, cs_error *e)
{
	const uint8_t *p = in->raw + in->lit, *end;
	if (in->size > in->dsize || in->size < 6)
		return xerr(x, e, in->ino, "short-form directory of %llu bytes", (unsigned long long)in->size);
	end = p + in->size;
	unsigned count = p[0], i8 = p[1];
	size_t isz = i8 ? 8 : 4;
	const uint8_t *q = p + 2 + isz;
	for (unsigned i = 0; i < count; i++) {
		if (q + 3 > end)
			return xerr(x, e, in->ino, "short-form directory entry %u runs past its end", i);
		size_t nl = q[0];
		const uint8_t *name = q + 3;
		const uint8_t *after = name + nl + (x->ftype ? 1 : 0);
		if (nl == 0 || after + isz > end)
			return xerr(x, e, in->ino, "short-form directory entry %u runs past its end", i);
		uint8_t ft = x->ftype ? name[nl] : 0;
		uint64_t ino = isz == 8 ? be64(after) : be32(after);
		int r = add_entry(x, d, name, nl, ino, ft, in->ino, e);
		if (r < 0)
			return r;
		q = after + isz;
	}
	return 0;
}

/* Entries of one directory data block (data or block form). */
static int list_block(xfs_fs *x, const xinode *in, const uint8_t *b, uint64_t blkoff, dlist *d, cs_error *e)
{
	uint32_t magic = be32(b);
	size_t hdr;
	size_t end = x->dirblksize;
	bool block_form;
	if (magic == 0x58443242U /* XD2B */ || magic == 0x58444233U /* XDB3 */)
		block_form = true;
	else if (magic == 0x58443244U /* XD2D */ || magic == 0x58444433U /* XDD3 */)
		block_form = false;
	else if (magic == 0 && be32(b + 4) == 0)
		return 0; /* an unused block: no entries */
	else
		return xerr(x, e, in->ino, "directory block at byte %llu has a bad magic", (unsigned long long)blkoff);
	bool v3 = magic == 0x58444233U || magic == 0x58444433U;
	if (v3 != x->v5)
		return xerr(x, e, in->ino, "directory block at byte %llu is of the wrong version",
			    (unsigned long long)blkoff);
	if (v3 && !crc_ok(b, x->dirblksize, 4))
		return xerr(x, e, in->ino, "directory block at byte %llu fails its CRC", (unsigned long long)blkoff);
	hdr = v3 ? 64 : 16;
	if (block_form) {
		uint32_t count = be32(b + x->dirblksize - 8);
		if ((uint64_t)count * 8 + 8 + hdr > x->dirblksize)
			return xerr(x, e, in->ino, "directory block claims %u leaf entries", count);
		end = x->dirblksize - 8 - (size_t)count * 8;
	}
	size_t pos = hdr;
	while (pos + 8 <= end) {
		if (be16(b + pos) == 0xffff) { /* unused space */
			size_t len = be16(b + pos + 2);
			if (len < 8 || len % 8 || pos + len > end)
				return xerr(x, e, in->ino, "directory block at byte %llu: bad free entry at %zu",
					    (unsigned long long)blkoff, pos);
			pos += len;
			continue;
		}
		if (pos + 12 > end)
			break;
		uint64_t ino = be64(b + pos);
		size_t nl = b[pos + 8];
		size_t size = (8 + 1 + nl + (x->ftype ? 1 : 0) + 2 + 7) & ~(size_t)7;
		if (nl == 0 || pos + size > end)
			return xerr(x, e, in->ino, "directory block at byte %llu: entry at %zu runs past its end",
				    (unsigned long long)blkoff, pos);
		uint8_t ft = x->ftype ? b[pos + 9 + nl] : 0;
		int r = add_entry(x, d, b + pos + 9, nl, ino, ft, in->ino, e);
		if (r < 0)
			return r;
		pos += size;
	}
	return 0;
}

static int xfs_list(cs_fsys *fs, uint64_t dir, cs_fsys_dirent **ret, size_t *ret_n, cs_error *e)
{
	xfs_fs *x = (xfs_fs *)fs;
	xinode in;
	int r = read_inode(x, dir, &in, e);
	if (r < 0)
		return r;
	dlist d = {0};
	if (!S_ISDIR(in.mode)) {
		r = cs_err(e, -ENOTDIR, "%s, inode %llu: not a directory", fs->name, (unsigned long long)dir);
	} else if (in.format == 1) {
		r = list_short(x, &in, &d, e);
	} else {
		xmap m;
		r = map_fork(x, &in, false, &m, e);
		uint8_t *b = cs_xmalloc(x->dirblksize);
		for (size_t i = 0; r == 0 && i < m.n; i++) {
			const xrun *run = &m.v[i];
			uint64_t start = run->off << x->blocklog;
			uint64_t stop = (run->off + run->len) << x->blocklog;
			if (start >= XFS_DIR2_LEAF_OFFSET)
				break;
			if (stop > XFS_DIR2_LEAF_OFFSET)
				stop = XFS_DIR2_LEAF_OFFSET;
			/* directory blocks are dirblksize-aligned in the file */
			uint64_t p0 = start / x->dirblksize * x->dirblksize;
			if (p0 < start)
				p0 += x->dirblksize;
			for (uint64_t p = p0; r == 0 && p + x->dirblksize <= stop; p += x->dirblksize) {
				r = read_mapped(x, &m, dir, b, x->dirblksize, p, e);
				if (r == 0)
					r = list_block(x, &in, b, p, &d, e);
			}
		}
		free(b);
		free(m.v);
	}
	xinode_free(&in);
	if (r < 0) {
		for (size_t i = 0; i < d.n; i++)
			free(d.v[i].name);
		free(d.v);
		return r;
	}
	*ret = d.v;
	*ret_n = d.n;
	return 0;
}

/* ---- symlinks ---- */

static int xfs_readlink(cs_fsys *fs, uint64_t ino, char **ret, cs_error *e)
{
	xfs_fs *x = (xfs_fs *)fs;
	xinode in;
	int r = read_inode(x, ino, &in, e);
	if (r < 0)
		return r;
	if (!S_ISLNK(in.mode)) {
		xinode_free(&in);
		return cs_err(e, -EINVAL, "%s, inode %llu: not a symbolic link", fs->name, (unsigned long long)ino);
	}
	if (in.size == 0 || in.size > 1024) {
		uint64_t s = in.size;
		xinode_free(&in);
		return xerr(x, e, ino, "symbolic link of %llu bytes", (unsigned long long)s);
	}
	size_t len = (size_t)in.size;
	char *t = cs_xmalloc(len + 1);
	if (in.format == 1) {
		if (len > in.dsize) {
			free(t);
			xinode_free(&in);
			return xerr(x, e, ino, "local symbolic link longer than its fork");
		}
		memcpy(t, in.raw + in.lit, len);
	} else {
		xmap m;
		r = map_fork(x, &in, false, &m, e);
		size_t got = 0;
		size_t hdr = x->v5 ? 56 : 0;
		uint8_t *b = cs_xmalloc(x->bs);
		for (uint64_t blk = 0; r == 0 && got < len && blk < 8; blk++) {
			r = read_mapped(x, &m, ino, b, x->bs, blk << x->blocklog, e);
			if (r < 0)
				break;
			if (x->v5 && (be32(b) != 0x58534c4dU /* XSLM */ || !crc_ok(b, x->bs, 12))) {
				r = xerr(x, e, ino, "remote symlink block %llu has a bad header or CRC",
					 (unsigned long long)blk);
				break;
			}
			size_t k = x->bs - hdr;
			if (x->v5) {
				size_t bytes = be32(b + 8);
				if (bytes < k)
					k = bytes;
			}
			if (k > len - got)
				k = len - got;
			memcpy(t + got, b + hdr, k);
			got += k;
		}
		free(b);
		free(m.v);
		if (r == 0 && got < len)
			r = xerr(x, e, ino, "symbolic link target is shorter than its size");
	}
	xinode_free(&in);
	if (r < 0) {
		free(t);
		return r;
	}
	t[len] = '\0';
	*ret = t;
	return 0;
}

/* ---- extended attributes ---- */

typedef struct xlist {
	cs_xattr *v;
	size_t n, cap, total;
} xlist;

/* XFS keeps POSIX ACLs in its own format under trusted SGI_ACL_*; the
 * kernel shows them as system.posix_acl_* in the VFS format. */
static bool acl_to_posix(const uint8_t *v, size_t len, char **ret, size_t *ret_len)
{
	if (len < 4)
		return false;
	uint32_t cnt = be32(v);
	if (cnt > 25 || 4 + (size_t)cnt * 12 > len)
		return false;
	size_t out = 4 + (size_t)cnt * 8;
	uint8_t *o = cs_xmalloc(out + 1);
	o[0] = 2, o[1] = 0, o[2] = 0, o[3] = 0; /* POSIX_ACL_XATTR_VERSION */
	for (uint32_t i = 0; i < cnt; i++) {
		const uint8_t *e = v + 4 + 12 * i;
		uint32_t tag = be32(e), id = be32(e + 4);
		uint16_t perm = be16(e + 8);
		if (tag != 2 && tag != 8)
			id = 0xffffffffU;
		uint8_t *q = o + 4 + 8 * i;
		q[0] = (uint8_t)tag, q[1] = (uint8_t)(tag >> 8);
		q[2] = (uint8_t)perm, q[3] = (uint8_t)(perm >> 8);
		q[4] = (uint8_t)id, q[5] = (uint8_t)(id >> 8), q[6] = (uint8_t)(id >> 16), q[7] = (uint8_t)(id >> 24);
	}
	*ret = (char *)o;
	*ret_len = out;
	return true;
}

static int add_xattr(xfs_fs *x, xlist *l, uint8_t flags, const uint8_t *name, size_t nl, const uint8_t *val,
		     size_t vl, uint64_t ino, cs_error *e)
{
	if (flags & 0x80) /* INCOMPLETE: a set that never finished */
		return 0;
	if (flags & 0x08) /* PARENT: parent pointers, internal */
		return 0;
	const char *prefix = (flags & 0x02) ? "trusted." : (flags & 0x04) ? "security." : "user.";
	char *n = cs_xasprintf("%s%.*s", prefix, (int)nl, (const char *)name);
	/* an ACL is listed twice by the kernel: as the trusted attribute it is
	 * stored as, and as the system.posix_acl_* it stands for */
	if ((flags & 0x02) && (strcmp(n, "trusted.SGI_ACL_FILE") == 0 || strcmp(n, "trusted.SGI_ACL_DEFAULT") == 0)) {
		bool file = strcmp(n, "trusted.SGI_ACL_FILE") == 0;
		char *pv;
		size_t pl;
		if (acl_to_posix(val, vl, &pv, &pl)) {
			pv[pl] = '\0';
			l->total += 24 + pl;
			cs_xattr *a = CS_PUSH(l->v, l->n, l->cap);
			a->name = cs_xstrdup(file ? "system.posix_acl_access" : "system.posix_acl_default");
			a->value = pv;
			a->len = pl;
		}
	}
	char *vv = cs_xmalloc(vl + 1);
	size_t vlen = vl;
	memcpy(vv, val, vl);
	vv[vlen] = '\0';
	l->total += strlen(n) + vlen;
	if (l->total > CS_XATTR_MAX) {
		free(n);
		free(vv);
		return xerr(x, e, ino, "extended attributes larger than %zu bytes", CS_XATTR_MAX);
	}
	cs_xattr *a = CS_PUSH(l->v, l->n, l->cap);
	a->name = n;
	a->value = vv;
	a->len = vlen;
	return 0;
}

static int attr_short(xfs_fs *x, const xinode *in, xlist *l, cs_error *e)
{
	const uint8_t *p = in->raw + in->lit + in->dsize;
	if (in->asize < 4)
		return xerr(x, e, in->ino, "short-form attributes do not fit");
	size_t tot = be16(p);
	if (tot > in->asize || tot < 4)
		return xerr(x, e, in->ino, "short-form attributes of %zu bytes in a fork of %zu", tot, in->asize);
	const uint8_t *end = p + tot, *q = p + 4;
	unsigned count = p[2];
	for (unsigned i = 0; i < count; i++) {
		if (q + 3 > end || q + 3 + q[0] + q[1] > end)
			return xerr(x, e, in->ino, "short-form attribute %u runs past its end", i);
		int r = add_xattr(x, l, q[2], q + 3, q[0], q + 3 + q[0], q[1], in->ino, e);
		if (r < 0)
			return r;
		q += 3 + q[0] + q[1];
	}
	return 0;
}

/* A remote value: its blocks in the attribute fork, from valueblk. */
static int attr_remote(xfs_fs *x, const xmap *m, uint64_t ino, uint32_t valueblk, size_t len, uint8_t *out,
		       cs_error *e)
{
	size_t got = 0;
	uint8_t *b = cs_xmalloc(x->bs);
	size_t hdr = x->v5 ? 56 : 0;
	int r = 0;
	for (uint64_t blk = valueblk; got < len; blk++) {
		if (blk - valueblk > (65536 / (x->bs - hdr)) + 2) {
			r = xerr(x, e, ino, "remote attribute value runs on too long");
			break;
		}
		r = read_mapped(x, m, ino, b, x->bs, blk << x->blocklog, e);
		if (r < 0)
			break;
		size_t k = x->bs - hdr;
		if (x->v5) {
			if (be32(b) != 0x5841524dU /* XARM */ || !crc_ok(b, x->bs, 12)) {
				r = xerr(x, e, ino, "remote attribute block %llu has a bad header or CRC",
					 (unsigned long long)blk);
				break;
			}
			size_t bytes = be32(b + 8);
			if (bytes < k)
				k = bytes;
		}
		if (k > len - got)
			k = len - got;
		memcpy(out + got, b + hdr, k);
		got += k;
	}
	free(b);
	return r;
}

static int attr_leaf(xfs_fs *x, const xinode *in, const xmap *m, const uint8_t *blk, uint64_t bno, xlist *l,
		     cs_error *e)
{
	size_t hdr = x->v5 ? 80 : 32;
	size_t cnt_off = x->v5 ? 56 : 12;
	unsigned count = be16(blk + cnt_off);
	if (hdr + (size_t)count * 8 > x->bs)
		return xerr(x, e, in->ino, "attribute leaf %llu claims %u entries", (unsigned long long)bno, count);
	for (unsigned i = 0; i < count; i++) {
		const uint8_t *ent = blk + hdr + 8 * i;
		size_t idx = be16(ent + 4);
		uint8_t flags = ent[6];
		if (idx >= x->bs)
			return xerr(x, e, in->ino, "attribute leaf %llu: entry %u points outside it",
				    (unsigned long long)bno, i);
		const uint8_t *nm = blk + idx;
		if (flags & 0x01) { /* LOCAL */
			if (idx + 3 > x->bs)
				return xerr(x, e, in->ino, "attribute leaf %llu: entry %u runs past it",
					    (unsigned long long)bno, i);
			size_t vl = be16(nm), nl = nm[2];
			if (idx + 3 + nl + vl > x->bs)
				return xerr(x, e, in->ino, "attribute leaf %llu: entry %u runs past it",
					    (unsigned long long)bno, i);
			int r = add_xattr(x, l, flags, nm + 3, nl, nm + 3 + nl, vl, in->ino, e);
			if (r < 0)
				return r;
		} else {
			if (idx + 9 > x->bs || idx + 9 + nm[8] > x->bs)
				return xerr(x, e, in->ino, "attribute leaf %llu: entry %u runs past it",
					    (unsigned long long)bno, i);
			uint32_t vblk = be32(nm);
			size_t vl = be32(nm + 4), nl = nm[8];
			if (vl > 65536)
				return xerr(x, e, in->ino, "attribute value of %zu bytes", vl);
			/* the leaf is in the cache: keep its name before reading more */
			uint8_t *name = cs_xmalloc(nl + 1);
			memcpy(name, nm + 9, nl);
			uint8_t *val = cs_xmalloc(vl + 1);
			int r = attr_remote(x, m, in->ino, vblk, vl, val, e);
			if (r == 0)
				r = add_xattr(x, l, flags, name, nl, val, vl, in->ino, e);
			free(name);
			free(val);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

static int attr_blocks(xfs_fs *x, const xinode *in, xlist *l, cs_error *e)
{
	xmap m;
	int r = map_fork(x, in, true, &m, e);
	if (r < 0)
		return r;
	uint8_t *b = cs_xmalloc(x->bs);
	uint16_t leaf_magic = x->v5 ? 0x3bee : 0xfbee, node_magic = x->v5 ? 0x3ebe : 0xfebe;
	/* descend from block 0 along the first entries to the leftmost leaf */
	uint64_t bno = 0;
	unsigned steps = 0;
	for (;;) {
		r = read_mapped(x, &m, in->ino, b, x->bs, bno << x->blocklog, e);
		if (r < 0)
			goto out;
		uint16_t magic = be16(b + 8);
		if (magic == leaf_magic)
			break;
		if (magic != node_magic || ++steps > XFS_MAX_BTREE_LEVELS) {
			r = xerr(x, e, in->ino, "attribute block %llu is neither a leaf nor a node (or the tree loops)",
				 (unsigned long long)bno);
			goto out;
		}
		size_t nh = x->v5 ? 64 : 16;
		unsigned count = be16(b + (x->v5 ? 56 : 12));
		if (count == 0 || nh + 8 > x->bs) {
			r = xerr(x, e, in->ino, "attribute node %llu is empty", (unsigned long long)bno);
			goto out;
		}
		bno = be32(b + nh + 4);
	}
	/* then every leaf along the sibling links, each once */
	uint64_t *seen = NULL;
	size_t n_seen = 0, cap_seen = 0;
	for (;;) {
		for (size_t i = 0; i < n_seen; i++)
			if (seen[i] == bno) {
				r = xerr(x, e, in->ino, "attribute leaves loop back to block %llu", (unsigned long long)bno);
				goto out_seen;
			}
		if (n_seen >= XFS_MAX_ATTR_BLOCKS) {
			r = xerr(x, e, in->ino, "more than %d attribute leaves", XFS_MAX_ATTR_BLOCKS);
			goto out_seen;
		}
		*CS_PUSH(seen, n_seen, cap_seen) = bno;
		if (be16(b + 8) != leaf_magic) {
			r = xerr(x, e, in->ino, "attribute block %llu is not a leaf", (unsigned long long)bno);
			goto out_seen;
		}
		if (x->v5 && !crc_ok(b, x->bs, 12)) {
			r = xerr(x, e, in->ino, "attribute leaf %llu fails its CRC", (unsigned long long)bno);
			goto out_seen;
		}
		r = attr_leaf(x, in, &m, b, bno, l, e);
		if (r < 0)
			goto out_seen;
		uint32_t forw = be32(b);
		if (forw == 0)
			break;
		bno = forw;
		r = read_mapped(x, &m, in->ino, b, x->bs, bno << x->blocklog, e);
		if (r < 0)
			goto out_seen;
	}
out_seen:
	free(seen);
out:
	free(b);
	free(m.v);
	return r;
}

static int xfs_xattrs(cs_fsys *fs, uint64_t ino, cs_xattr **ret, size_t *ret_n, cs_error *e)
{
	xfs_fs *x = (xfs_fs *)fs;
	xinode in;
	int r = read_inode(x, ino, &in, e);
	if (r < 0)
		return r;
	xlist l = {0};
	if (in.forkoff == 0) {
		r = 0;
	} else if (in.aformat == 1) {
		r = attr_short(x, &in, &l, e);
	} else if (in.aformat == 2 || in.aformat == 3) {
		if (in.anextents > 0 || in.aformat == 3)
			r = attr_blocks(x, &in, &l, e);
	} else {
		r = xerr(x, e, ino, "attribute fork in format %u", in.aformat);
	}
	xinode_free(&in);
	if (r < 0) {
		cs_xattrs_free(l.v, l.n);
		return r;
	}
	*ret = l.v;
	*ret_n = l.n;
	return 0;
}

static void xfs_close(cs_fsys *fs)
{
	xfs_fs *x = (xfs_fs *)fs;
	cs_bdev_unref(x->dev);
	free(x->tag);
	free(x->cache);
	free(fs->name);
	free(fs->label);
	free(fs->uuid);
	free(x);
}

static const cs_fsys_ops xfs_ops = {
	.stat = xfs_stat,
	.list = xfs_list,
	.readlink = xfs_readlink,
	.xattrs = xfs_xattrs,
	.open = xfs_open,
	.close = xfs_close,
};

static unsigned log2_exact(uint64_t v)
{
	unsigned l = 0;
	while (((uint64_t)1 << l) < v && l < 63)
		l++;
	return l;
}

/* Checks a superblock; NULL when it is usable, else why not. */
static const char *sb_check(const uint8_t *sb, uint64_t devsize)
{
	if (memcmp(sb, "XFSB", 4) != 0)
		return "no XFS signature";
	uint32_t bs = be32(sb + 4);
	unsigned ver = be16(sb + 100) & 0xf;
	if (ver != 4 && ver != 5)
		return "an unknown version";
	if (bs < 512 || bs > 65536 || (bs & (bs - 1)) || sb[120] != log2_exact(bs) || (1u << sb[120]) != bs)
		return "an absurd block size";
	uint16_t ss = be16(sb + 102), is = be16(sb + 104), ipb = be16(sb + 106);
	if (ss < 512 || ss > 32768 || (ss & (ss - 1)) || ss > bs)
		return "an absurd sector size";
	if (is < 256 || is > 2048 || (is & (is - 1)) || is > bs || ipb != bs / is || sb[122] != log2_exact(is) ||
	    sb[123] != log2_exact(ipb))
		return "an absurd inode size";
	uint32_t agblocks = be32(sb + 84), agcount = be32(sb + 88);
	uint64_t dblocks = be64(sb + 8);
	if (agblocks < 16 || agcount == 0 || sb[124] != log2_exact(agblocks) || sb[124] > 31)
		return "absurd allocation group sizes";
	if (dblocks == 0 || (uint64_t)agcount * agblocks < dblocks ||
	    (uint64_t)(agcount - 1) * agblocks >= dblocks)
		return "a block count that does not match its allocation groups";
	if (sb[192] > 16 || bs << sb[192] > 65536)
		return "an absurd directory block size";
	(void)devsize;
	return NULL;
}

int cs_fsys_open_xfs(cs_bdev *dev, const char *name, const cs_fsys_opts *o, cs_fsys **ret, cs_error *e)
{
	uint8_t sb[512];
	int r = cs_bdev_read(dev, sb, sizeof(sb), 0, e);
	if (r < 0)
		return r;
	const char *why = sb_check(sb, dev->size);
	if (why) {
		/* the first secondary superblock, at the start of AG 1, when the
		 * primary's geometry still says where that is */
		uint32_t bs = be32(sb + 4), agblocks = be32(sb + 84);
		uint8_t sb2[512];
		uint64_t off = (uint64_t)agblocks * bs;
		bool ok = bs >= 512 && bs <= 65536 && agblocks >= 16 && off + sizeof(sb2) <= dev->size &&
			  cs_bdev_read(dev, sb2, sizeof(sb2), off, NULL) == 0 && !sb_check(sb2, dev->size);
		if (!ok)
			return cs_err(e, -EIO, "%s: the XFS superblock has %s, and no backup was found", name, why);
		if (o && o->diag)
			cs_diagf(o->diag, o->diag_userdata, CS_WARN, NULL,
				 "%s: the primary XFS superblock has %s; read from the backup at byte %llu", name, why,
				 (unsigned long long)off);
		memcpy(sb, sb2, sizeof(sb));
	}
	xfs_fs *x = cs_xcalloc(1, sizeof(*x));
	x->dev = cs_bdev_ref(dev);
	x->v5 = (be16(sb + 100) & 0xf) == 5;
	x->bs = be32(sb + 4);
	x->blocklog = sb[120];
	x->dblocks = be64(sb + 8);
	x->agblocks = be32(sb + 84);
	x->agcount = be32(sb + 88);
	x->agblklog = sb[124];
	x->inodesize = be16(sb + 104);
	x->inopblog = sb[123];
	x->dirblksize = x->bs << sb[192];
	x->rootino = be64(sb + 56);
	uint32_t features2 = be32(sb + 200);
	x->ftype = x->v5 ? (be32(sb + 216) & 1) != 0 : (features2 & 0x200) != 0;
	x->tag = cs_xcalloc(XFS_CACHE, sizeof(*x->tag));
	x->cache = cs_xmalloc((size_t)XFS_CACHE * x->bs);
	x->base.ops = &xfs_ops;
	x->base.type = "xfs";
	x->base.root_ino = x->rootino;
	x->base.name = cs_xasprintf("%s (xfs)", name);
	char label[13];
	memcpy(label, sb + 108, 12);
	label[12] = '\0';
	x->base.label = label[0] ? cs_xstrdup(label) : NULL;
	const uint8_t *u = sb + 32;
	x->base.uuid = cs_xasprintf("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1],
				    u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13],
				    u[14], u[15]);
	if (x->dblocks > dev->size >> x->blocklog && o && o->diag)
		cs_diagf(o->diag, o->diag_userdata, CS_WARN, NULL,
			 "%s: the file system claims %llu blocks of %u bytes, more than the volume holds (%llu "
			 "bytes): the image may be truncated; what lies past its end cannot be read",
			 x->base.name, (unsigned long long)x->dblocks, x->bs, (unsigned long long)dev->size);
	if (x->v5 && (be32(sb + 216) & ~0x3fU) && o && o->diag)
		cs_diagf(o->diag, o->diag_userdata, CS_NOTE, NULL,
			 "%s: has incompatible features 0x%x this reader does not know; reading on", x->base.name,
			 be32(sb + 216));
	/* the root must be a directory */
	cs_stat st;
	cs_error se = {0};
	if (xfs_stat(&x->base, x->rootino, &st, &se) < 0 || !S_ISDIR(st.mode)) {
		int rc = cs_err(e, -EIO, "%s: its root directory (inode %llu) cannot be read: %s", x->base.name,
				(unsigned long long)x->rootino, se.msg[0] ? se.msg : "not a directory");
		xfs_close(&x->base);
		return rc;
	}
	*ret = &x->base;
	return 0;
}
