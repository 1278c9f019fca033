/* fs_ext.c - ext2, ext3 and ext4 through libext2fs (e2fsprogs).
 *
 * libext2fs is the reference implementation of the on-disk format (e2fsck
 * and debugfs are built on it), it reads every feature a Linux host of the
 * last twenty years may have left (extents, flex_bg, 64bit, metadata_csum,
 * inline data, htree directories, large xattrs in EA inodes, POSIX ACLs),
 * and it takes its input through an io_manager we supply: the volume below
 * (a partition of an E01, a logical volume) is reached through cs_bdev, and
 * the manager's write operations all fail with EROFS. The file system is
 * opened without EXT2_FLAG_RW and the journal is never replayed (replay
 * lives in e2fsck, not in the library): what is shown is what is on disk,
 * and a journal holding unwritten transactions is reported as a note.
 *
 * Metadata (inodes, directories, xattrs, extent trees) is read with the
 * library, through a small direct-mapped block cache. File contents are
 * read by mapping the file once (its extents, or its block map on ext2/3)
 * and then reading whole runs straight from the volume; holes and
 * unwritten extents read as zeros. The map is checked as it is built:
 * logical blocks must increase (an extent tree that loops back, or is out
 * of order, stops there), every physical run must lie inside the volume,
 * and a file may have at most CS_EXT_MAX_RUNS runs. Each check costs one
 * file, with a message naming the volume and the inode.
 */
#include "evidence/fsys.h"
#include "evidence/image_internal.h"

#include <dirent.h>
#include <et/com_err.h>
#include <ext2fs/ext2_err.h>
#include <ext2fs/ext2fs.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#define CS_EXT_MAX_RUNS ((size_t)1 << 22)
#define CS_EXT_CACHE 1024 /* blocks in the metadata cache */

/* ---- the io_manager: libext2fs reads through a cs_bdev ---- */

typedef struct ext_io {
	cs_bdev *dev;
	int block_size;
	uint64_t *tag; /* block number + 1 held by each cache slot, 0 empty */
	char *data;
	char last_error[CS_ERRMSG_MAX];
} ext_io;

/* libext2fs names a device by a string: we register the bdev under a name
 * before ext2fs_open2() and the manager's open looks it up. */
static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	char name[64];
	cs_bdev *dev;
} reg[256];

static const char *reg_add(cs_bdev *dev, char name[64])
{
	static unsigned long counter;
	pthread_mutex_lock(&reg_lock);
	snprintf(name, 64, "csleuth-volume-%lu", ++counter);
	for (size_t i = 0; i < CS_ARRAY_SIZE(reg); i++)
		if (!reg[i].dev) {
			snprintf(reg[i].name, sizeof(reg[i].name), "%s", name);
			reg[i].dev = dev;
			break;
		}
	pthread_mutex_unlock(&reg_lock);
	return name;
}

static void reg_del(const char *name)
{
	pthread_mutex_lock(&reg_lock);
	for (size_t i = 0; i < CS_ARRAY_SIZE(reg); i++)
		if (reg[i].dev && strcmp(reg[i].name, name) == 0)
			reg[i].dev = NULL;
	pthread_mutex_unlock(&reg_lock);
}

static struct struct_io_manager cs_io_manager;

static errcode_t io_open(const char *name, int flags, io_channel *channel)
{
	if (flags & IO_FLAG_RW)
		return EROFS;
	cs_bdev *dev = NULL;
	pthread_mutex_lock(&reg_lock);
	for (size_t i = 0; i < CS_ARRAY_SIZE(reg); i++)
		if (reg[i].dev && strcmp(reg[i].name, name) == 0)
			dev = reg[i].dev;
	pthread_mutex_unlock(&reg_lock);
	if (!dev)
		return EXT2_ET_BAD_DEVICE_NAME;
	io_channel io = calloc(1, sizeof(*io));
	ext_io *x = calloc(1, sizeof(*x));
	char *nm = strdup(name);
	if (!io || !x || !nm) {
		free(io);
		free(x);
		free(nm);
		return EXT2_ET_NO_MEMORY;
	}
	x->dev = cs_bdev_ref(dev);
	x->block_size = 1024;
	io->magic = EXT2_ET_MAGIC_IO_CHANNEL;
	io->manager = &cs_io_manager;
	io->name = nm;
	io->block_size = 1024;
	io->refcount = 1;
	io->private_data = x;
	*channel = io;
	return 0;
}

static void cache_reset(ext_io *x)
{
	free(x->tag);
	free(x->data);
	x->tag = NULL;
	x->data = NULL;
}

static errcode_t io_close(io_channel io)
{
	if (--io->refcount > 0)
		return 0;
	ext_io *x = io->private_data;
	cache_reset(x);
	cs_bdev_unref(x->dev);
	free(x);
	free(io->name);
	free(io);
	return 0;
}

static errcode_t io_set_blksize(io_channel io, int blksize)
{
	ext_io *x = io->private_data;
	if (blksize <= 0 || blksize > 65536)
		return EXT2_ET_INVALID_ARGUMENT;
	if (x->block_size != blksize)
		cache_reset(x);
	x->block_size = blksize;
	io->block_size = blksize;
	return 0;
}

static errcode_t io_read(io_channel io, unsigned long long block, int count, void *data)
{
	ext_io *x = io->private_data;
	size_t bs = (size_t)x->block_size;
	size_t n = count < 0 ? (size_t)-(long long)count : (size_t)count * bs;
	if (block > UINT64_MAX / bs)
		return EXT2_ET_LLSEEK_FAILED;
	uint64_t off = block * bs;
	bool cacheable = count == 1;
	size_t slot = (size_t)(block % CS_EXT_CACHE);
	if (cacheable && x->tag && x->tag[slot] == block + 1) {
		memcpy(data, x->data + slot * bs, bs);
		return 0;
	}
	cs_error e = {0};
	if (off > x->dev->size || n > x->dev->size - off) {
		/* a short volume: what is there, zeros after, and an error */
		snprintf(x->last_error, sizeof(x->last_error),
			 "block %llu is past the end of the volume (%llu bytes)", block,
			 (unsigned long long)x->dev->size);
		return EXT2_ET_SHORT_READ;
	}
	if (cs_bdev_read(x->dev, data, n, off, &e) < 0) {
		memcpy(x->last_error, e.msg, sizeof(x->last_error));
		return EXT2_ET_SHORT_READ;
	}
	if (cacheable) {
		if (!x->tag) {
			x->tag = calloc(CS_EXT_CACHE, sizeof(*x->tag));
			x->data = malloc(CS_EXT_CACHE * bs);
			if (!x->tag || !x->data) {
				cache_reset(x);
				return 0;
			}
		}
		memcpy(x->data + slot * bs, data, bs);
		x->tag[slot] = block + 1;
	}
	return 0;
}

static errcode_t io_read32(io_channel io, unsigned long block, int count, void *data)
{
	return io_read(io, block, count, data);
}

static errcode_t io_write(io_channel io, unsigned long block, int count, const void *data)
{
	(void)io, (void)block, (void)count, (void)data;
	return EROFS;
}

static errcode_t io_write64(io_channel io, unsigned long long block, int count, const void *data)
{
	(void)io, (void)block, (void)count, (void)data;
	return EROFS;
}

static errcode_t io_write_byte(io_channel io, unsigned long off, int count, const void *data)
{
	(void)io, (void)off, (void)count, (void)data;
	return EROFS;
}

static errcode_t io_flush(io_channel io)
{
	(void)io;
	return 0;
}

static errcode_t io_set_option(io_channel io, const char *opt, const char *arg)
{
	(void)io, (void)opt, (void)arg;
	return EXT2_ET_INVALID_ARGUMENT;
}

static errcode_t io_discard(io_channel io, unsigned long long block, unsigned long long count)
{
	(void)io, (void)block, (void)count;
	return EROFS;
}

static errcode_t io_zeroout(io_channel io, unsigned long long block, unsigned long long count)
{
	(void)io, (void)block, (void)count;
	return EROFS;
}

static errcode_t io_get_stats(io_channel io, io_stats *stats)
{
	(void)io;
	*stats = NULL;
	return 0;
}

static struct struct_io_manager cs_io_manager = {
	.magic = EXT2_ET_MAGIC_IO_MANAGER,
	.name = "csleuth read-only volume",
	.open = io_open,
	.close = io_close,
	.set_blksize = io_set_blksize,
	.read_blk = io_read32,
	.write_blk = io_write,
	.flush = io_flush,
	.write_byte = io_write_byte,
	.set_option = io_set_option,
	.get_stats = io_get_stats,
	.read_blk64 = io_read,
	.write_blk64 = io_write64,
	.discard = io_discard,
	.zeroout = io_zeroout,
};

/* ---- the file system ---- */

typedef struct ext_fs {
	cs_fsys base;
	ext2_filsys fs;
	cs_bdev *dev;
	char regname[64];
	uint64_t blocks; /* blocks in the file system */
	uint32_t bs;
} ext_fs;

static const char *ext_strerror(ext_fs *x, errcode_t err)
{
	if (err == EXT2_ET_SHORT_READ && x && x->fs && x->fs->io) {
		ext_io *io = x->fs->io->private_data;
		if (io->last_error[0])
			return io->last_error;
	}
	return error_message(err);
}

static int ext_err(ext_fs *x, cs_error *e, errcode_t err, uint64_t ino, const char *what)
{
	int code = err == ENOMEM || err == EXT2_ET_NO_MEMORY ? -ENOMEM : -EIO;
	if (err == EXT2_ET_BAD_INODE_NUM)
		return cs_err(e, -EIO, "%s, inode %llu: past the inode table (%u inodes)", x->base.name,
			      (unsigned long long)ino, x->fs->super->s_inodes_count);
	return cs_err(e, code, "%s, inode %llu: %s: %s", x->base.name, (unsigned long long)ino, what,
		      ext_strerror(x, err));
}

static int read_inode(ext_fs *x, uint64_t ino, struct ext2_inode_large *in, cs_error *e)
{
	if (ino == 0 || ino > x->fs->super->s_inodes_count)
		return cs_err(e, -EIO, "%s, inode %llu: past the inode table (%u inodes)", x->base.name,
			      (unsigned long long)ino, x->fs->super->s_inodes_count);
	memset(in, 0, sizeof(*in));
	errcode_t err = ext2fs_read_inode_full(x->fs, (ext2_ino_t)ino, (struct ext2_inode *)in, sizeof(*in));
	if (err)
		return ext_err(x, e, err, ino, "read inode");
	return 0;
}

/* ext4's time: a signed 32-bit seconds field, and in the large inode an
 * extra word holding 2 epoch bits and 30 bits of nanoseconds. */
static cs_time ext_time(const struct ext2_inode_large *in, uint32_t secs, const uint32_t *extra)
{
	int64_t s = (int32_t)secs;
	int64_t ns = 0;
	if (extra) {
		s += (int64_t)(*extra & 3) << 32;
		ns = *extra >> 2;
		if (ns > 999999999)
			ns = 999999999;
	}
	(void)in;
	return cs_time_from_parts(s, ns);
}

#define FITS(in, field) \
	((size_t)EXT2_GOOD_OLD_INODE_SIZE + (in)->i_extra_isize >= \
	 offsetof(struct ext2_inode_large, field) + sizeof((in)->field))

static int ext_stat(cs_fsys *fs, uint64_t ino, cs_stat *st, cs_error *e)
{
	ext_fs *x = (ext_fs *)fs;
	struct ext2_inode_large in;
	int r = read_inode(x, ino, &in, e);
	if (r < 0)
		return r;
	bool large = EXT2_INODE_SIZE(x->fs->super) > EXT2_GOOD_OLD_INODE_SIZE &&
		     in.i_extra_isize <= EXT2_INODE_SIZE(x->fs->super) - EXT2_GOOD_OLD_INODE_SIZE;
	st->mode = in.i_mode;
	st->uid = in.i_uid | (uint32_t)in.osd2.linux2.l_i_uid_high << 16;
	st->gid = in.i_gid | (uint32_t)in.osd2.linux2.l_i_gid_high << 16;
	st->nlink = in.i_links_count;
	st->size = EXT2_I_SIZE(&in);
	st->blocks = ext2fs_get_stat_i_blocks(x->fs, (struct ext2_inode *)&in);
	/* as the kernel reports it: a file whose bytes are inline in the inode
	 * still counts the sectors they would take */
	if ((in.i_flags & EXT4_INLINE_DATA_FL) && LINUX_S_ISREG(in.i_mode))
		st->blocks += (st->size + 511) >> 9;
	st->atime = ext_time(&in, in.i_atime, large && FITS(&in, i_atime_extra) ? &in.i_atime_extra : NULL);
	st->mtime = ext_time(&in, in.i_mtime, large && FITS(&in, i_mtime_extra) ? &in.i_mtime_extra : NULL);
	st->ctime = ext_time(&in, in.i_ctime, large && FITS(&in, i_ctime_extra) ? &in.i_ctime_extra : NULL);
	st->btime = large && FITS(&in, i_crtime_extra)
			    ? ext_time(&in, in.i_crtime, &in.i_crtime_extra)
			    : CS_TIME_INVALID;
	if (S_ISCHR(in.i_mode) || S_ISBLK(in.i_mode)) {
		uint32_t d0 = in.i_block[0], d1 = in.i_block[1];
		if (d0) {
			st->rdev_major = (d0 >> 8) & 0xff;
			st->rdev_minor = d0 & 0xff;
		} else {
			st->rdev_major = (d1 & 0xfff00) >> 8;
			st->rdev_minor = (d1 & 0xff) | ((d1 >> 12) & 0xfff00);
		}
	}
	return 0;
}

static unsigned char ft_to_dt(int ft)
{
	switch (ft) {
	case EXT2_FT_REG_FILE: return DT_REG;
	case EXT2_FT_DIR: return DT_DIR;
	case EXT2_FT_CHRDEV: return DT_CHR;
	case EXT2_FT_BLKDEV: return DT_BLK;
	case EXT2_FT_FIFO: return DT_FIFO;
	case EXT2_FT_SOCK: return DT_SOCK;
	case EXT2_FT_SYMLINK: return DT_LNK;
	default: return DT_UNKNOWN;
	}
}

typedef struct list_ctx {
	ext_fs *x;
	cs_fsys_dirent *v;
	size_t n, cap;
	bool too_many;
} list_ctx;

static int list_cb(ext2_ino_t dir, int entry, struct ext2_dir_entry *d, int offset, int blocksize,
		   char *buf, void *priv)
{
	(void)dir, (void)offset, (void)blocksize, (void)buf;
	list_ctx *c = priv;
	if (entry != DIRENT_OTHER_FILE || d->inode == 0)
		return 0;
	int len = ext2fs_dirent_name_len(d);
	if (len <= 0 || memchr(d->name, '/', (size_t)len) || memchr(d->name, '\0', (size_t)len))
		return 0; /* no path can name it */
	if ((len == 1 && d->name[0] == '.') || (len == 2 && d->name[0] == '.' && d->name[1] == '.'))
		return 0;
	if (c->n >= CS_DIR_MAX_ENTRIES) {
		c->too_many = true;
		return DIRENT_ABORT;
	}
	cs_fsys_dirent *de = CS_PUSH(c->v, c->n, c->cap);
	de->name = cs_xstrndup(d->name, (size_t)len);
	de->ino = d->inode;
	de->type = ft_to_dt(ext2fs_has_feature_filetype(c->x->fs->super) ? ext2fs_dirent_file_type(d)
									  : EXT2_FT_UNKNOWN);
	return 0;
}

static int ext_list(cs_fsys *fs, uint64_t dir, cs_fsys_dirent **ret, size_t *ret_n, cs_error *e)
{
	ext_fs *x = (ext_fs *)fs;
	struct ext2_inode_large in;
	int r = read_inode(x, dir, &in, e);
	if (r < 0)
		return r;
	if (!LINUX_S_ISDIR(in.i_mode))
		return cs_err(e, -ENOTDIR, "%s, inode %llu: not a directory", fs->name, (unsigned long long)dir);
	list_ctx c = {.x = x};
	errcode_t err = ext2fs_dir_iterate2(x->fs, (ext2_ino_t)dir, 0, NULL, list_cb, &c);
	if (err || c.too_many) {
		for (size_t i = 0; i < c.n; i++)
			free(c.v[i].name);
		free(c.v);
		if (c.too_many)
			return cs_err(e, -EFBIG, "%s, inode %llu: more than %d entries", fs->name,
				      (unsigned long long)dir, CS_DIR_MAX_ENTRIES);
		return ext_err(x, e, err, dir, "read directory");
	}
	*ret = c.v;
	*ret_n = c.n;
	return 0;
}

/* ---- file contents ---- */

typedef struct ext_run {
	uint64_t lblk, pblk;
	uint64_t len;
	bool uninit;
} ext_run;

typedef struct ext_file {
	cs_file base;
	ext_fs *x;
	uint64_t ino;
	ext_run *runs;
	size_t n, cap;
	char err[2 * CS_ERRMSG_MAX];
} ext_file;

typedef struct map_ctx {
	ext_fs *x;
	ext_file *f;
	char err[256];
} map_ctx;

/* Appends a run, merging with the previous one when contiguous. Returns
 * false (with a message) when the map is broken. */
static bool map_add(map_ctx *m, uint64_t lblk, uint64_t pblk, uint64_t len, bool uninit)
{
	ext_file *f = m->f;
	if (len == 0)
		return true;
	if (pblk >= m->x->blocks || len > m->x->blocks - pblk) {
		snprintf(m->err, sizeof(m->err),
			 "logical block %llu maps to blocks %llu-%llu, past the end of the volume (%llu blocks)",
			 (unsigned long long)lblk, (unsigned long long)pblk,
			 (unsigned long long)(pblk + len - 1), (unsigned long long)m->x->blocks);
		return false;
	}
	if (f->n > 0) {
		ext_run *p = &f->runs[f->n - 1];
		if (lblk < p->lblk + p->len) {
			snprintf(m->err, sizeof(m->err),
				 "its extent tree loops or is out of order at logical block %llu",
				 (unsigned long long)lblk);
			return false;
		}
		if (p->lblk + p->len == lblk && p->pblk + p->len == pblk && p->uninit == uninit) {
			p->len += len;
			return true;
		}
	}
	if (f->n >= CS_EXT_MAX_RUNS) {
		snprintf(m->err, sizeof(m->err), "more than %zu extents", CS_EXT_MAX_RUNS);
		return false;
	}
	*CS_PUSH(f->runs, f->n, f->cap) = (ext_run){lblk, pblk, len, uninit};
	return true;
}

static int block_cb(ext2_filsys fs, blk64_t *blocknr, e2_blkcnt_t blockcnt, blk64_t ref_blk,
		    int ref_offset, void *priv)
{
	(void)fs, (void)ref_blk, (void)ref_offset;
	map_ctx *m = priv;
	if (blockcnt < 0 || *blocknr == 0)
		return 0;
	return map_add(m, (uint64_t)blockcnt, *blocknr, 1, false) ? 0 : BLOCK_ABORT;
}

static ssize_t ext_pread(cs_file *f, void *buf, size_t n, uint64_t off)
{
	ext_file *xf = (ext_file *)f;
	ext_fs *x = xf->x;
	if (off >= f->size)
		return 0;
	if (n > f->size - off)
		n = (size_t)(f->size - off);
	char *p = buf;
	size_t done = 0;
	const uint64_t bs = x->bs;
	while (done < n) {
		uint64_t pos = off + done;
		uint64_t lblk = pos / bs;
		/* the last run starting at or before lblk */
		size_t lo = 0, hi = xf->n;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (xf->runs[mid].lblk <= lblk)
				lo = mid + 1;
			else
				hi = mid;
		}
		const ext_run *r = lo ? &xf->runs[lo - 1] : NULL;
		uint64_t want = n - done;
		if (!r || lblk >= r->lblk + r->len || r->uninit) {
			/* a hole or unwritten extent: zeros up to the next run */
			uint64_t end = r && lblk < r->lblk + r->len ? (r->lblk + r->len) * bs
				       : lo < xf->n			 ? xf->runs[lo].lblk * bs
									 : UINT64_MAX;
			uint64_t k = end - pos < want ? end - pos : want;
			memset(p + done, 0, (size_t)k);
			done += (size_t)k;
			continue;
		}
		uint64_t in = pos - r->lblk * bs;
		uint64_t avail = r->len * bs - in;
		uint64_t k = avail < want ? avail : want;
		cs_error e = {0};
		if (cs_bdev_read(x->dev, p + done, (size_t)k, r->pblk * bs + in, &e) < 0) {
			snprintf(xf->err, sizeof(xf->err), "%s, inode %llu: %s", x->base.name,
				 (unsigned long long)xf->ino, e.msg);
			return done ? (ssize_t)done : -EIO;
		}
		done += (size_t)k;
	}
	return (ssize_t)n;
}

static void ext_file_close(cs_file *f)
{
	ext_file *xf = (ext_file *)f;
	free(xf->runs);
	free(xf);
}

static const char *ext_file_error(cs_file *f)
{
	return ((ext_file *)f)->err;
}

static const cs_file_ops ext_file_ops = {.pread = ext_pread, .close = ext_file_close, .error = ext_file_error};

/* Maps the blocks of an inode (not inline). */
static int map_file(ext_fs *x, uint64_t ino, struct ext2_inode_large *in, ext_file *f, cs_error *e)
{
	map_ctx m = {.x = x, .f = f};
	errcode_t err = 0;
	if (in->i_flags & EXT4_EXTENTS_FL) {
		ext2_extent_handle_t h;
		err = ext2fs_extent_open2(x->fs, (ext2_ino_t)ino, (struct ext2_inode *)in, &h);
		if (err)
			return ext_err(x, e, err, ino, "extent tree");
		struct ext2fs_extent ex;
		err = ext2fs_extent_get(h, EXT2_EXTENT_ROOT, &ex);
		while (!err) {
			if (ex.e_flags & EXT2_EXTENT_FLAGS_LEAF) {
				if (!map_add(&m, ex.e_lblk, ex.e_pblk, ex.e_len,
					     (ex.e_flags & EXT2_EXTENT_FLAGS_UNINIT) != 0)) {
					ext2fs_extent_free(h);
					return cs_err(e, -EIO, "%s, inode %llu: %s", x->base.name,
						      (unsigned long long)ino, m.err);
				}
			}
			err = ext2fs_extent_get(h, EXT2_EXTENT_NEXT_LEAF, &ex);
		}
		ext2fs_extent_free(h);
		if (err == EXT2_ET_EXTENT_NO_NEXT || err == EXT2_ET_EXTENT_NO_DOWN)
			err = 0;
		if (err)
			return ext_err(x, e, err, ino, "extent tree");
		return 0;
	}
	if (!ext2fs_inode_has_valid_blocks2(x->fs, (struct ext2_inode *)in))
		return 0;
	err = ext2fs_block_iterate3(x->fs, (ext2_ino_t)ino, BLOCK_FLAG_READ_ONLY | BLOCK_FLAG_DATA_ONLY, NULL,
				    block_cb, &m);
	if (m.err[0])
		return cs_err(e, -EIO, "%s, inode %llu: %s", x->base.name, (unsigned long long)ino, m.err);
	if (err)
		return ext_err(x, e, err, ino, "block map");
	return 0;
}

static int read_inline(ext_fs *x, uint64_t ino, struct ext2_inode_large *in, char **ret, size_t *ret_len,
		       cs_error *e)
{
	size_t size = 0;
	errcode_t err = ext2fs_inline_data_size(x->fs, (ext2_ino_t)ino, &size);
	if (err)
		return ext_err(x, e, err, ino, "inline data");
	if (size > 65536)
		return cs_err(e, -EIO, "%s, inode %llu: inline data of %zu bytes", x->base.name,
			      (unsigned long long)ino, size);
	char *b = cs_xmalloc(size + 1);
	err = ext2fs_inline_data_get(x->fs, (ext2_ino_t)ino, (struct ext2_inode *)in, b, &size);
	if (err) {
		free(b);
		return ext_err(x, e, err, ino, "inline data");
	}
	b[size] = '\0';
	*ret = b;
	*ret_len = size;
	return 0;
}

static int ext_open(cs_fsys *fs, uint64_t ino, cs_file **ret, cs_error *e)
{
	ext_fs *x = (ext_fs *)fs;
	struct ext2_inode_large in;
	int r = read_inode(x, ino, &in, e);
	if (r < 0)
		return r;
	uint64_t size = EXT2_I_SIZE(&in);
	if (in.i_flags & EXT4_INLINE_DATA_FL) {
		/* inline data lives in the inode and its xattr space: an inode is
		 * at most a block, at most 64 KiB; a larger size is damage (and
		 * must not become an allocation of that size) */
		if (size > 65536)
			return cs_err(e, -EIO, "%s, inode %llu: a file with inline data claims %llu bytes",
				      x->base.name, (unsigned long long)ino, (unsigned long long)size);
		char *b;
		size_t len;
		r = read_inline(x, ino, &in, &b, &len, e);
		if (r < 0)
			return r;
		if (len > size)
			len = (size_t)size;
		/* bytes past the inline data (a damaged size) read as zeros */
		char *full = cs_xcalloc(1, (size_t)(size > len ? size : len) + 1);
		memcpy(full, b, len);
		free(b);
		*ret = cs_file_from_memory(full, size);
		return 0;
	}
	ext_file *f = cs_xcalloc(1, sizeof(*f));
	f->base.ops = &ext_file_ops;
	f->base.size = size;
	f->base.fd = -1;
	f->x = x;
	f->ino = ino;
	r = map_file(x, ino, &in, f, e);
	if (r < 0) {
		ext_file_close(&f->base);
		return r;
	}
	*ret = &f->base;
	return 0;
}

static int ext_readlink(cs_fsys *fs, uint64_t ino, char **ret, cs_error *e)
{
	ext_fs *x = (ext_fs *)fs;
	struct ext2_inode_large in;
	int r = read_inode(x, ino, &in, e);
	if (r < 0)
		return r;
	if (!LINUX_S_ISLNK(in.i_mode))
		return cs_err(e, -EINVAL, "%s, inode %llu: not a symbolic link", fs->name, (unsigned long long)ino);
	uint64_t size = EXT2_I_SIZE(&in);
	if (size == 0 || size >= PATH_MAX)
		return cs_err(e, -EIO, "%s, inode %llu: symbolic link of %llu bytes", fs->name,
			      (unsigned long long)ino, (unsigned long long)size);
	if (in.i_flags & EXT4_INLINE_DATA_FL) {
		char *b;
		size_t len;
		r = read_inline(x, ino, &in, &b, &len, e);
		if (r < 0)
			return r;
		if (len > size)
			len = (size_t)size;
		b[len] = '\0';
		*ret = b;
		return 0;
	}
	if (ext2fs_is_fast_symlink((struct ext2_inode *)&in)) {
		if (size > sizeof(in.i_block))
			return cs_err(e, -EIO, "%s, inode %llu: fast symlink of %llu bytes", fs->name,
				      (unsigned long long)ino, (unsigned long long)size);
		*ret = cs_xstrndup((const char *)in.i_block, (size_t)size);
		return 0;
	}
	ext_file f = {.base = {.ops = &ext_file_ops, .size = size, .fd = -1}, .x = x, .ino = ino};
	r = map_file(x, ino, &in, &f, e);
	if (r < 0) {
		free(f.runs);
		return r;
	}
	char *b = cs_xmalloc((size_t)size + 1);
	ssize_t n = ext_pread(&f.base, b, (size_t)size, 0);
	free(f.runs);
	if (n != (ssize_t)size) {
		free(b);
		return cs_err(e, -EIO, "%s, inode %llu: symbolic link target cannot be read", fs->name,
			      (unsigned long long)ino);
	}
	b[size] = '\0';
	*ret = b;
	return 0;
}

typedef struct xattr_ctx {
	cs_xattr *v;
	size_t n, cap, total;
} xattr_ctx;

/* ext4 keeps a POSIX ACL in its own compact form (version 1; owner, group,
 * mask and other entries without an id); the kernel shows it in the VFS
 * form (version 2, every entry with an id, -1 where none). Returns the VFS
 * form, or NULL when value is not an ext4 ACL. */
static char *acl_to_vfs(const char *value, size_t len, size_t *ret_len)
{
	const uint8_t *v = (const uint8_t *)value;
	if (len < 4 || v[0] != 1 || v[1] || v[2] || v[3])
		return NULL;
	cs_buf b = {.max = 65536};
	const uint8_t ver[4] = {2, 0, 0, 0};
	cs_buf_append(&b, ver, 4);
	size_t p = 4;
	while (p + 4 <= len) {
		unsigned tag = v[p] | v[p + 1] << 8;
		uint8_t out[8] = {v[p], v[p + 1], v[p + 2], v[p + 3], 0xff, 0xff, 0xff, 0xff};
		if (tag == 2 || tag == 8) { /* ACL_USER, ACL_GROUP: with an id */
			if (p + 8 > len)
				break;
			memcpy(out + 4, v + p + 4, 4);
			p += 8;
		} else {
			p += 4;
		}
		if (cs_buf_append(&b, out, 8) < 0)
			break;
	}
	if (p != len) {
		cs_buf_free(&b);
		return NULL;
	}
	*ret_len = b.len;
	return cs_buf_steal(&b);
}

static int xattr_cb(char *name, char *value, size_t len, void *data)
{
	xattr_ctx *c = data;
	if (!name[0])
		return 0; /* a damaged entry (no prefix, no name): the kernel lists none */
	if (strcmp(name, "system.data") == 0)
		return 0; /* inline data's own attribute: the kernel hides it */
	if (strcmp(name, "system.posix_acl_access") == 0 || strcmp(name, "system.posix_acl_default") == 0) {
		size_t vl;
		char *vfs = acl_to_vfs(value, len, &vl);
		if (vfs) {
			c->total += strlen(name) + vl;
			if (c->total > CS_XATTR_MAX) {
				free(vfs);
				return XATTR_ABORT;
			}
			cs_xattr *x = CS_PUSH(c->v, c->n, c->cap);
			x->name = cs_xstrdup(name);
			x->value = vfs;
			x->len = vl;
			return 0;
		}
	}
	c->total += strlen(name) + len;
	if (c->total > CS_XATTR_MAX)
		return XATTR_ABORT;
	cs_xattr *x = CS_PUSH(c->v, c->n, c->cap);
	x->name = cs_xstrdup(name);
	x->value = cs_xmalloc(len + 1);
	memcpy(x->value, value, len);
	x->value[len] = '\0';
	x->len = len;
	return 0;
}

static int ext_xattrs(cs_fsys *fs, uint64_t ino, cs_xattr **ret, size_t *ret_n, cs_error *e)
{
	ext_fs *x = (ext_fs *)fs;
	if (ino == 0 || ino > x->fs->super->s_inodes_count)
		return cs_err(e, -EIO, "%s, inode %llu: past the inode table", fs->name, (unsigned long long)ino);
	if (!ext2fs_has_feature_xattr(x->fs->super)) {
		/* still read: mkfs may leave the feature off while inodes have
		 * in-inode attributes; the library copes */
	}
	struct ext2_xattr_handle *h = NULL;
	errcode_t err = ext2fs_xattrs_open(x->fs, (ext2_ino_t)ino, &h);
	if (err)
		return ext_err(x, e, err, ino, "xattrs");
	err = ext2fs_xattrs_read(h);
	if (err) {
		ext2fs_xattrs_close(&h);
		return ext_err(x, e, err, ino, "xattrs");
	}
	xattr_ctx c = {0};
	ext2fs_xattrs_iterate(h, xattr_cb, &c);
	ext2fs_xattrs_close(&h);
	*ret = c.v;
	*ret_n = c.n;
	return 0;
}

static void ext_close(cs_fsys *fs)
{
	ext_fs *x = (ext_fs *)fs;
	if (x->fs)
		ext2fs_close_free(&x->fs);
	reg_del(x->regname);
	cs_bdev_unref(x->dev);
	free(fs->name);
	free(fs->label);
	free(fs->uuid);
	free(x);
}

static const cs_fsys_ops ext_ops = {
	.stat = ext_stat,
	.list = ext_list,
	.readlink = ext_readlink,
	.xattrs = ext_xattrs,
	.open = ext_open,
	.close = ext_close,
};

static pthread_once_t et_once = PTHREAD_ONCE_INIT;
static void et_init(void)
{
	initialize_ext2_error_table();
}

static void fs_note(const cs_fsys_opts *o, cs_severity sev, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void fs_note(const cs_fsys_opts *o, cs_severity sev, const char *fmt, ...)
{
	if (!o || !o->diag)
		return;
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cs_diagf(o->diag, o->diag_userdata, sev, NULL, "%s", msg);
}

int cs_fsys_open_ext(cs_bdev *dev, const char *name, const cs_fsys_opts *o, cs_fsys **ret, cs_error *e)
{
	pthread_once(&et_once, et_init);
	ext_fs *x = cs_xcalloc(1, sizeof(*x));
	x->dev = cs_bdev_ref(dev);
	reg_add(dev, x->regname);
	const int base = EXT2_FLAG_64BITS | EXT2_FLAG_SKIP_MMP | EXT2_FLAG_NOFREE_ON_ERROR;
	errcode_t err = ext2fs_open2(x->regname, NULL, base, 0, 0, &cs_io_manager, &x->fs);
	errcode_t first = err;
	if (err && x->fs)
		ext2fs_free(x->fs), x->fs = NULL;
	if (err == EXT2_ET_UNKNOWN_CSUM || err == EXT2_ET_SB_CSUM_INVALID || err == EXT2_ET_GDESC_BAD_BLOCK_MAP ||
	    err == EXT2_ET_GDESC_BAD_INODE_MAP || err == EXT2_ET_GDESC_BAD_INODE_TABLE) {
		err = ext2fs_open2(x->regname, NULL, base | EXT2_FLAG_IGNORE_CSUM_ERRORS, 0, 0, &cs_io_manager,
				   &x->fs);
		if (err && x->fs)
			ext2fs_free(x->fs), x->fs = NULL;
		if (!err)
			fs_note(o, CS_WARN, "%s: %s; read anyway, checksums not enforced", name,
				error_message(first));
	}
	if (err) {
		/* the backup superblocks, for each block size */
		static const struct {
			unsigned blk, bs;
		} backups[] = {{8193, 1024}, {16384, 2048}, {32768, 4096}, {131072, 65536}};
		for (size_t i = 0; err && i < CS_ARRAY_SIZE(backups); i++) {
			err = ext2fs_open2(x->regname, NULL, base | EXT2_FLAG_IGNORE_CSUM_ERRORS, backups[i].blk,
					   backups[i].bs, &cs_io_manager, &x->fs);
			if (err && x->fs)
				ext2fs_free(x->fs), x->fs = NULL;
			if (!err)
				fs_note(o, CS_WARN,
					"%s: the primary superblock is unusable (%s); read from the backup at "
					"block %u (%u-byte blocks)", name, error_message(first), backups[i].blk,
					backups[i].bs);
		}
	}
	if (err) {
		int r = cs_err(e, -EIO, "%s: not a readable ext2/3/4 file system: %s", name, error_message(first));
		x->fs = NULL;
		ext_close(&x->base);
		return r;
	}
	struct ext2_super_block *sb = x->fs->super;
	x->bs = (uint32_t)x->fs->blocksize;
	x->blocks = ext2fs_blocks_count(sb);
	x->base.ops = &ext_ops;
	x->base.root_ino = EXT2_ROOT_INO;
	x->base.name = cs_xasprintf("%s (%s)", name, "ext");
	const char *kind = ext2fs_has_feature_extents(sb) || ext2fs_has_feature_64bit(sb) ||
					   ext2fs_has_feature_flex_bg(sb) || ext2fs_has_feature_huge_file(sb) ||
					   ext2fs_has_feature_metadata_csum(sb)
				   ? "ext4"
			   : ext2fs_has_feature_journal(sb) ? "ext3"
							    : "ext2";
	x->base.type = kind;
	free(x->base.name);
	x->base.name = cs_xasprintf("%s (%s)", name, kind);
	if (x->blocks > dev->size / x->bs)
		fs_note(o, CS_WARN,
			"%s: the file system claims %llu blocks of %u bytes, more than the volume holds "
			"(%llu bytes): the image may be truncated; what lies past its end cannot be read",
			x->base.name, (unsigned long long)x->blocks, x->bs, (unsigned long long)dev->size);
	if (ext2fs_has_feature_journal_needs_recovery(sb))
		fs_note(o, CS_NOTE,
			"%s: its journal holds transactions that were never written back (the host did not "
			"unmount it cleanly); they are not replayed: the file system is read as it is on disk",
			x->base.name);
	if (sb->s_state & EXT2_ERROR_FS)
		fs_note(o, CS_NOTE, "%s: the kernel had marked it as having errors", x->base.name);
	char label[sizeof(sb->s_volume_name) + 1];
	memcpy(label, sb->s_volume_name, sizeof(sb->s_volume_name));
	label[sizeof(sb->s_volume_name)] = '\0';
	x->base.label = label[0] ? cs_xstrdup(label) : NULL;
	const uint8_t *u = sb->s_uuid;
	x->base.uuid = cs_xasprintf("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
				    u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11],
				    u[12], u[13], u[14], u[15]);
	*ret = &x->base;
	return 0;
}
