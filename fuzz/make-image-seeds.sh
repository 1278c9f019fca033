#!/bin/sh
# make-image-seeds.sh - seeds for the disk-image fuzz targets, made by the
# tools examiners' evidence comes from (run as root: device nodes and
# trusted.* xattrs).
#
# usage: fuzz/make-image-seeds.sh OUTDIR
#
#   OUTDIR/ext/   an 80 KiB ext4 (extents, inline data, an htree directory
#                 made by e2fsck -D, xattrs in the inode and in a block, an
#                 overlayfs whiteout and opaque directory, fast and slow
#                 symlinks, a hard link, a sparse file) and the same tree as
#                 a 64 KiB ext2 (block maps, indirect blocks)
#   OUTDIR/disk/  a 112 KiB GPT disk whose one partition holds a host tree
#                 (os-release, fstab, a Docker data root's skeleton) as raw,
#                 E01 (ewfacquire), QCOW2 and VMDK (qemu-img)
#
# Sizes stay near the 64 KiB inputs fuzz/run-fuzzers.sh gives libFuzzer.
#
# Needs e2fsprogs, attr, fdisk, ewf-tools and qemu-utils. The committed
# corpora (fuzz/corpus/ext, fuzz/corpus/disk) were made with it.
set -eu
out=${1:?usage: make-image-seeds.sh OUTDIR}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
T=1795709392 # 2026-11-26T16:09:52Z
export E2FSPROGS_FAKE_TIME=$T
mkdir -p "$out/ext" "$out/disk"

# --- a tree with what the engine readers look for --------------------------
t=$work/tree
mkdir -p "$t/dir" "$t/big" "$t/etc"
echo hello > "$t/etc/hostname"
printf 'x%.0s' $(seq 1 100) > "$t/dir/small"
ln -s hostname "$t/etc/fast"
ln -s "$(printf 'a%.0s' $(seq 1 100))/long/target" "$t/etc/slow"
ln "$t/etc/hostname" "$t/etc/hard"
mknod "$t/dir/wh" c 0 0
setfattr -n trusted.overlay.opaque -v y "$t/dir"
setfattr -n user.big -v "$(printf 'v%.0s' $(seq 1 300))" "$t/etc/hostname"
truncate -s 2M "$t/sparse"
echo tail >> "$t/sparse"
for i in $(seq 1 40); do : > "$t/big/file-with-a-longish-name-$i"; done
find "$t" -exec touch -h -d @$T {} +
ext4=$out/ext/ext4-inline-htree-xattrs
mkfs.ext4 -q -F -b 1024 -N 72 -I 256 -O ^has_journal,inline_data,^resize_inode -E root_owner=0:0 \
	-U 1a2b3c4d-5e6f-4a8b-9c0d-e1f2a3b4c5d6 -L fuzz -d "$t" "$ext4" 80K > /dev/null
e2fsck -fyD "$ext4" > /dev/null 2>&1 || [ $? -le 1 ] # index the big directory
mkfs.ext2 -q -F -b 1024 -N 72 -I 128 -O ^resize_inode -E root_owner=0:0 \
	-U 1a2b3c4d-5e6f-4a8b-9c0d-e1f2a3b4c5d7 -d "$t" "$out/ext/ext2-blockmap" 64K > /dev/null
truncate -s 64K "$out/ext/ext2-blockmap" # mke2fs leaves the unused tail unwritten

# --- a disk holding a host ------------------------------------------------
h=$work/host
mkdir -p "$h/etc" "$h/var/lib/docker/containers" "$h/var/lib/docker/image/overlay2/imagedb/content/sha256" \
	"$h/var/lib/docker/overlay2"
printf 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n' > "$h/etc/os-release"
printf 'PARTLABEL=root / ext2 errors=remount-ro 0 1\n/dev/sr0 /media/cdrom0 udf,iso9660 user,noauto 0 0\n' \
	> "$h/etc/fstab"
echo '{"data-root": "/var/lib/docker"}' > "$h/etc/daemon.json"
find "$h" -exec touch -h -d @$T {} +
mkfs.ext2 -q -F -b 1024 -N 32 -I 128 -O ^resize_inode -E root_owner=0:0 \
	-U 2a2b3c4d-5e6f-4a8b-9c0d-e1f2a3b4c5d6 -L root -d "$h" "$work/root.ext2" 64K > /dev/null
truncate -s 64K "$work/root.ext2"
disk=$work/disk.raw
truncate -s 112K "$disk"
printf 'label: gpt\nlabel-id: 0B9C5A7E-2C3D-4E5F-8A9B-0C1D2E3F4A5B\nfirst-lba: 34\n'\
'start=40, size=128, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, uuid=3C4D5E6F-7A8B-4C9D-8E0F-1A2B3C4D5E6F, name="root"\n' |
	sfdisk -q --no-reread --no-tell-kernel "$disk"
dd if="$work/root.ext2" of="$disk" bs=512 seek=40 conv=notrunc status=none
cp "$disk" "$out/disk/gpt-host.raw"
qemu-img convert -q -f raw -O qcow2 -o cluster_size=512 "$disk" "$out/disk/gpt-host.qcow2"
qemu-img convert -q -f raw -O vmdk -o subformat=streamOptimized "$disk" "$out/disk/gpt-host.vmdk"
ewfacquire -q -u -t "$work/gpt-host" -c deflate:fast -d sha1 -C fuzz -D "fuzz seed" -E 1 -e csleuth -N none \
	"$disk" > /dev/null
cp "$work/gpt-host.E01" "$out/disk/gpt-host.E01"
