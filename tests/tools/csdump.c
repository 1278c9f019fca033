/* csdump.c - a test helper: every entry of an evidence source, one line
 * each, through the cs_source interface: path, type and mode, owner, link
 * count, size, inode, device numbers, the four times in nanoseconds, the
 * symlink target, the extended attributes and the SHA-256 of the content.
 *
 * The integration tests compare its output for a disk image (read by
 * csleuth's own file system readers) with its output for the kernel's
 * read-only mount of the same image, and for a triage archive with the
 * directory it was made from.
 *
 *   csdump --dir DIR | --image FILE [--partition N] | --archive FILE
 *          [--skip FIELD]... [PATH]
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "formats/sha256.h"
#include "host/disk.h"

static bool skip_ino, skip_atime, skip_blocks, skip_dev, skip_btime, skip_mtime, skip_ctime;

static void hexs(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%02x", (unsigned char)s[i]);
}

static void dump(cs_source *src, const char *path, int depth)
{
	cs_stat st;
	cs_error e = {0};
	if (cs_source_stat(src, path, false, &st, &e) < 0) {
		printf("%s ERROR %s\n", path, e.msg);
		return;
	}
	printf("path=");
	hexs(path, strlen(path));
	printf(" mode=%o uid=%u gid=%u nlink=%llu", st.mode, st.uid, st.gid, (unsigned long long)st.nlink);
	if (!S_ISDIR(st.mode))
		printf(" size=%llu", (unsigned long long)st.size);
	if (!skip_ino)
		printf(" ino=%llu", (unsigned long long)st.ino);
	if (!skip_blocks)
		printf(" blocks=%llu", (unsigned long long)st.blocks);
	if (S_ISCHR(st.mode) || S_ISBLK(st.mode))
		printf(" rdev=%u:%u", st.rdev_major, st.rdev_minor);
	if (!skip_atime)
		printf(" atime=%lld", (long long)st.atime);
	if (!skip_mtime)
		printf(" mtime=%lld", (long long)st.mtime);
	if (!skip_ctime)
		printf(" ctime=%lld", (long long)st.ctime);
	if (!skip_btime)
		printf(" btime=%lld", (long long)st.btime);
	if (S_ISLNK(st.mode)) {
		char *t = NULL;
		if (cs_source_readlink(src, path, &t, &e) == 0) {
			printf(" link=");
			hexs(t, strlen(t));
			free(t);
		} else {
			printf(" link=ERROR");
		}
	}
	cs_xattr *x = NULL;
	size_t nx = 0;
	if (cs_source_xattrs(src, path, &x, &nx, &e) == 0) {
		for (size_t i = 0; i < nx; i++) {
			printf(" xattr:%s=", x[i].name);
			hexs(x[i].value, x[i].len);
		}
		cs_xattrs_free(x, nx);
	} else {
		printf(" xattrs=ERROR");
	}
	if (S_ISREG(st.mode)) {
		cs_file *f;
		if (cs_source_open(src, path, &f, &e) == 0) {
			cs_sha256 h;
			cs_sha256_init(&h);
			static char buf[1 << 16];
			uint64_t off = 0;
			ssize_t n;
			while ((n = cs_file_pread(f, buf, sizeof(buf), off)) > 0) {
				cs_sha256_update(&h, buf, (size_t)n);
				off += (uint64_t)n;
			}
			cs_file_close(f);
			unsigned char d[32];
			char hex[65];
			cs_sha256_final(&h, d);
			cs_hex(d, 32, hex);
			printf(" read=%llu sha256=%s%s", (unsigned long long)off, hex, n < 0 ? " READ-ERROR" : "");
		} else {
			printf(" open=ERROR");
		}
	}
	printf("\n");
	if (!S_ISDIR(st.mode) || depth > 64)
		return;
	cs_dirent *d = NULL;
	size_t nd = 0;
	if (cs_source_list(src, path, &d, &nd, &e) < 0) {
		printf("%s LIST-ERROR %s\n", path, e.msg);
		return;
	}
	for (size_t i = 0; i < nd; i++) {
		if (depth == 0 && strcmp(d[i].name, "lost+found") == 0)
			continue;
		char *p = cs_path_join(path, d[i].name);
		dump(src, p, depth + 1);
		free(p);
	}
	cs_dirents_free(d, nd);
}

int main(int argc, char **argv)
{
	const char *dir = NULL, *image = NULL, *archive = NULL, *part = NULL, *start = "";
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
			dir = argv[++i];
		else if (strcmp(argv[i], "--image") == 0 && i + 1 < argc)
			image = argv[++i];
		else if (strcmp(argv[i], "--archive") == 0 && i + 1 < argc)
			archive = argv[++i];
		else if (strcmp(argv[i], "--partition") == 0 && i + 1 < argc)
			part = argv[++i];
		else if (strcmp(argv[i], "--skip") == 0 && i + 1 < argc) {
			const char *f = argv[++i];
			skip_ino |= strcmp(f, "ino") == 0;
			skip_atime |= strcmp(f, "atime") == 0;
			skip_blocks |= strcmp(f, "blocks") == 0;
			skip_dev |= strcmp(f, "dev") == 0;
			skip_btime |= strcmp(f, "btime") == 0;
			skip_mtime |= strcmp(f, "mtime") == 0;
			skip_ctime |= strcmp(f, "ctime") == 0;
		} else
			start = argv[i];
	}
	cs_source *src = NULL;
	cs_error e = {0};
	cs_disk *disk = NULL;
	int r;
	if (dir) {
		r = cs_source_open_dir(dir, 0, &src, &e);
	} else if (image) {
		r = cs_disk_open(&image, 1, NULL, &disk, &e);
		if (r == 0)
			r = cs_disk_source(disk, part ? part : "0", NULL, &src, NULL, &e);
	} else if (archive) {
		char *top = NULL;
		bool sys = false;
		r = cs_archive_source(archive, "", NULL, &src, &top, &sys, &e);
		free(top);
	} else {
		fprintf(stderr, "usage: csdump --dir DIR | --image FILE [--partition N] | --archive FILE\n");
		return 2;
	}
	if (r < 0) {
		fprintf(stderr, "csdump: %s\n", e.msg);
		return 1;
	}
	dump(src, start, 0);
	cs_source_close(src);
	cs_disk_close(disk);
	return 0;
}
