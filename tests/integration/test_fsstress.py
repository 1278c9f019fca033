#!/usr/bin/env python3
"""The file system readers against the kernel, on the hard cases.

For ext2, ext3 and ext4 (4 KiB and 1 KiB blocks, inline data, 128-byte
inodes) and XFS (v5 with big timestamps, v5 with classic timestamps and
16 KiB directory blocks, v4 without CRCs or file types), a tree of awkward
entries is written through the kernel's own mount: a 5000-entry directory
(ext4 htree, XFS node form), a file of 300 extents (extent tree / B+tree
fork), sparse and preallocated (unwritten) files, symlinks of every length
class (fast, slow, XFS local and remote), many and large extended
attributes (XFS leaf and remote values, ext4 EA blocks), POSIX ACLs,
device nodes with large numbers, FIFOs and sockets, hard links, times
before 1970 and after 2038 with nanoseconds, large owner ids, names of 255
bytes and with a newline, and deep nesting. Then every entry csleuth reads
from the image must equal what the kernel shows of its read-only mount:
type, mode, owner, link count, size, inode number, blocks, device numbers,
all four times, symlink target, extended attributes and content.
Needs root and loop mounts; skipped otherwise.
"""
import os
import socket
import struct
import subprocess
import tempfile

import diskimg
from harness import Tap
from imgcheck import CSDUMP, nlines

MiB = 1 << 20


def posix_acl(entries):
    """The VFS form of a POSIX ACL (system.posix_acl_access)."""
    b = struct.pack("<I", 2)
    for tag, perm, ident in entries:
        b += struct.pack("<HHI", tag, perm, ident)
    return b


def try_(fn, *a):
    try:
        fn(*a)
        return True
    except OSError:
        return False


def populate(root, fstype):
    j = lambda *p: os.path.join(root, *p)  # noqa: E731
    os.makedirs(j("big"))
    for i in range(5000):
        with open(j("big", f"entry-{i:05d}-" + "x" * (i % 40)), "w") as f:
            f.write(str(i))
    os.makedirs(j("medium"))
    for i in range(200):
        os.symlink(f"target-{i}", j("medium", f"l{i}"))
    # many extents: 4 KiB written every 12 KiB
    with open(j("frag"), "wb") as f:
        for i in range(300):
            f.seek(i * 12288)
            f.write(bytes([i % 251]) * 4096)
    with open(j("sparse"), "wb") as f:
        f.write(b"start")
        f.seek(256 * MiB)
        f.write(b"middle")
        f.truncate(512 * MiB + 3)
    fd = os.open(j("prealloc"), os.O_CREAT | os.O_WRONLY, 0o640)
    try:
        os.posix_fallocate(fd, 0, 1 * MiB)
        os.pwrite(fd, b"written part", 64 * 1024)
    except OSError:
        pass
    os.close(fd)
    with open(j("empty"), "w"):
        pass
    os.mkdir(j("emptydir"))
    with open(j("tiny"), "w") as f:
        f.write("inline?")
    for n in (1, 59, 60, 61, 200, 340, 1000, 1023):
        os.symlink(("t" * (n - 1) + "/")[:n], j(f"sym{n}"))
    os.symlink("/etc/../../outside", j("symabs"))
    # extended attributes
    with open(j("xa-small"), "w") as f:
        f.write("x")
    os.setxattr(j("xa-small"), "user.a", b"1")
    os.setxattr(j("xa-small"), "trusted.overlay.opaque", b"y")
    os.setxattr(j("xa-small"), "security.test", b"\x00\x01\x02")
    with open(j("xa-many"), "w") as f:
        f.write("x")
    for i in range(40):
        try_(os.setxattr, j("xa-many"), f"user.k{i:02d}", bytes([65 + i % 26]) * 90)
    with open(j("xa-big"), "w") as f:
        f.write("x")
    for size in (60000, 3000, 1000):
        if try_(os.setxattr, j("xa-big"), "user.big", os.urandom(size)):
            break
    os.mkdir(j("opaque"))
    os.setxattr(j("opaque"), "trusted.overlay.opaque", b"y")
    acl = posix_acl([(1, 6, 0xffffffff), (2, 4, 1000), (4, 4, 0xffffffff), (0x10, 6, 0xffffffff),
                     (0x20, 0, 0xffffffff)])
    with open(j("acl"), "w") as f:
        f.write("acl")
    try_(os.setxattr, j("acl"), "system.posix_acl_access", acl)
    os.mkdir(j("acldir"))
    try_(os.setxattr, j("acldir"), "system.posix_acl_default", acl)
    # special files
    os.mknod(j("whiteout"), 0o20000, os.makedev(0, 0))
    os.mknod(j("blockdev"), 0o60640, os.makedev(8, 1))
    os.mknod(j("bigdev"), 0o20600, os.makedev(259, 200000))
    os.mkfifo(j("fifo"))
    s = socket.socket(socket.AF_UNIX)
    s.bind(j("sock"))
    s.close()
    # hard links
    with open(j("hl-1"), "w") as f:
        f.write("three names")
    os.mkdir(j("hl"))
    os.link(j("hl-1"), j("hl", "hl-2"))
    os.link(j("hl-1"), j("hl", "hl-3"))
    # owners, times
    with open(j("owned"), "w") as f:
        f.write("o")
    os.chown(j("owned"), 70000, 123456)
    os.chmod(j("owned"), 0o7751)
    with open(j("old"), "w") as f:
        f.write("1960")
    os.utime(j("old"), ns=(-300000000 * 10**9 + 123456789, -315619200 * 10**9 + 987654321))
    with open(j("future"), "w") as f:
        f.write("2100")
    os.utime(j("future"), ns=(4102444800 * 10**9 + 1, 4133980799 * 10**9 + 999999999))
    # names
    with open(j("n" * 255), "w") as f:
        f.write("long name")
    with open(j("new\nline"), "w") as f:
        f.write("nl")
    with open(os.fsencode(j("")) + b"bad\xffbyte", "w") as f:
        f.write("b")
    d = j("deep")
    for i in range(60):
        d = os.path.join(d, f"d{i}")
    os.makedirs(d)
    with open(os.path.join(d, "bottom"), "w") as f:
        f.write("deep")


VARIANTS = [
    ("ext4", "ext4", ["mkfs.ext4", "-q", "-F"]),
    ("ext4-1k-inline", "ext4", ["mkfs.ext4", "-q", "-F", "-b", "1024", "-O", "inline_data"]),
    ("ext4-128", "ext4", ["mkfs.ext4", "-q", "-F", "-I", "128"]),
    ("ext3", "ext3", ["mkfs.ext3", "-q", "-F"]),
    ("ext2", "ext2", ["mkfs.ext2", "-q", "-F"]),
    ("xfs", "xfs", ["mkfs.xfs", "-q", "-f"]),
    ("xfs-nobigtime-16kdir", "xfs", ["mkfs.xfs", "-q", "-f", "-m", "bigtime=0", "-n", "size=16384"]),
    ("xfs-v4", "xfs", ["mkfs.xfs", "-q", "-f", "-m", "crc=0", "-n", "ftype=0", "-i", "size=256"]),
]


def check_variant(t, work, name, fstype, mkfs):
    img = os.path.join(work, name + ".img")
    with open(img, "wb") as f:
        f.truncate(400 * MiB)
    p = subprocess.run(mkfs + [img], capture_output=True, env=dict(os.environ, QA_CHECK_FS="1"))
    if p.returncode != 0:
        t.skip(f"{name}: mkfs refuses here: {' '.join(p.stderr.decode(errors='replace').split())[:160]}")
        return
    mnt = tempfile.mkdtemp(prefix="csleuth-stress-")
    try:
        p = subprocess.run(["mount", "-t", fstype, "-o", "loop", img, mnt], capture_output=True)
        if p.returncode != 0:
            why = " ".join(p.stderr.decode(errors="replace").split())[:160]
            t.skip(f"{name}: this kernel will not mount it ({why}), so there is no oracle")
            return
        try:
            populate(mnt, fstype)
        finally:
            subprocess.run(["umount", mnt], check=True)
    finally:
        os.rmdir(mnt)
    before = diskimg.sha256(img)
    with diskimg.Mounted(img, fstype) as m:
        a = subprocess.run([CSDUMP, "--image", img], capture_output=True)
        b = subprocess.run([CSDUMP, "--dir", m], capture_output=True)
    t.ok(a.returncode == 0 and a.stdout == b.stdout and nlines(b.stdout) > 5000,
         f"{name}: all {nlines(b.stdout)} entries read as the kernel shows them", diskimg.dump_diff(a.stdout, b.stdout))
    t.ok(b" ERROR" not in a.stdout and b"READ-ERROR" not in a.stdout, f"{name}: nothing failed to read",
         a.stderr[-300:])
    t.eq(diskimg.sha256(img), before, f"{name}: the image is unchanged")
    os.unlink(img)


def main():
    t = Tap()
    if not diskimg.loop_mount_works():
        t.skip("the kernel oracle needs root and loop mounts; this machine allows none")
        t.done()
    with tempfile.TemporaryDirectory(dir=os.environ.get("CSLEUTH_BUILDDIR")) as work:
        for name, fstype, mkfs in VARIANTS:
            t.run(check_variant, work, name, fstype, mkfs)
    t.done()


main()
