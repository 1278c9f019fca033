#!/usr/bin/env python3
"""XFS: a host on a whole-disk XFS (v5: CRCs, big timestamps, birth times,
ftype) reads, entry by entry and command by command, exactly as the
kernel's own read-only mount of the same image (inode numbers included).
XFS is populated through a loop mount (mkfs.xfs -p in xfsprogs 6.1 sets no
times or extended attributes): skipped where loop mounts are not allowed.
Without any mount, file systems mkfs.xfs builds from a protofile (v5, and
v4 without CRCs or file types, which this kernel no longer mounts) read as
the tree they were made from: names, types, modes, owners, link counts,
sizes, device numbers, symlink targets and content (mkfs stamps its own
times).
"""
import os
import stat
import subprocess
import tempfile

import diskimg
from harness import Tap
from imgcheck import CSDUMP, check_unchanged, compare, nlines


def check_xfs(t):
    if not diskimg.loop_mount_works():
        t.skip("xfs: populating XFS needs a loop mount here (mkfs.xfs -p sets no times or xattrs); none allowed")
        return
    lay = diskimg.build("xfs", diskimg.xfs_disk)
    img = lay["disk"]
    before = {img: diskimg.sha256(img)}
    with diskimg.Mounted(img, "xfs") as m:
        a = subprocess.run([CSDUMP, "--image", img], capture_output=True)
        b = subprocess.run([CSDUMP, "--dir", m], capture_output=True)
        t.ok(a.stdout == b.stdout and a.returncode == 0,
             f"xfs: every entry reads as the kernel's mount has it ({nlines(b.stdout)} entries)",
             diskimg.dump_diff(a.stdout, b.stdout))
        compare(t, "xfs", ["--image", img], ["--sysroot", m], same_inodes=True,
                only=["ps --json", "inspect containers", "inspect images", "timeline jsonl --logs --layers --hash",
                      "timeline bodyfile", "diff --json", "export", "logs -t logs-json", "logs -t logs-local"])
    check_unchanged(t, "xfs", [img], before)




def proto_tree(root):
    """A tree with what a protofile can say: a 400-entry directory, nested
    directories, files from empty to 300 KB, short and long symlinks, a
    whiteout, a block device and a FIFO."""
    os.makedirs(os.path.join(root, "big"))
    for i in range(400):
        with open(os.path.join(root, "big", f"entry-{i:03d}"), "w") as f:
            f.write(str(i) * (i % 7))
    d = os.path.join(root, "a", "b", "c")
    os.makedirs(d)
    with open(os.path.join(d, "deep"), "w") as f:
        f.write("deep\n")
    with open(os.path.join(root, "bin"), "wb") as f:
        f.write(os.urandom(300000))
    open(os.path.join(root, "empty"), "w").close()
    os.chmod(os.path.join(root, "empty"), 0o4751)
    os.symlink("short", os.path.join(root, "s1"))
    os.symlink("y" * 300, os.path.join(root, "s2"))
    os.mknod(os.path.join(root, "wh"), 0o20000, os.makedev(0, 0))
    os.mknod(os.path.join(root, "blk"), 0o60640, os.makedev(8, 17))
    os.mkfifo(os.path.join(root, "fifo"))


def protofile(root):
    """mkfs.xfs -p text for root (names without whitespace only)."""
    def walk(path):
        out = []
        for n in sorted(os.listdir(path)):
            p = os.path.join(path, n)
            st = os.lstat(p)
            m = stat.S_IMODE(st.st_mode)
            t = {stat.S_IFREG: "-", stat.S_IFDIR: "d", stat.S_IFLNK: "l", stat.S_IFCHR: "c",
                 stat.S_IFBLK: "b", stat.S_IFIFO: "p"}[stat.S_IFMT(st.st_mode)]
            line = f"{n} {t}{'u' if m & 0o4000 else '-'}{'g' if m & 0o2000 else '-'}{m & 0o777:03o} " \
                   f"{st.st_uid} {st.st_gid}"
            if t == "-":
                out.append(f"{line} {os.path.abspath(p)}")
            elif t == "l":
                out.append(f"{line} {os.readlink(p)}")
            elif t in "cb":
                out.append(f"{line} {os.major(st.st_rdev)} {os.minor(st.st_rdev)}")
            elif t == "d":
                out += [line] + walk(p) + ["$"]
            else:
                out.append(line)
        return out
    return "\n".join(["/dummy", "0 0", "d--755 0 0"] + walk(root) + ["$"]) + "\n"


def check_proto(t):
    skip = [x for f in ("ino", "blocks", "atime", "mtime", "ctime", "btime") for x in ("--skip", f)]
    with tempfile.TemporaryDirectory(dir=os.environ.get("CSLEUTH_BUILDDIR")) as work:
        src = os.path.join(work, "src")
        os.mkdir(src)
        proto_tree(src)
        with open(os.path.join(work, "proto"), "w") as f:
            f.write(protofile(src))
        for name, opts in (("v5", []), ("v4", ["-m", "crc=0", "-n", "ftype=0", "-i", "size=256"])):
            img = os.path.join(work, name + ".img")
            with open(img, "wb") as f:
                f.truncate(320 << 20)
            p = subprocess.run(["mkfs.xfs", "-q", "-f", *opts, "-p", os.path.join(work, "proto"), img],
                               capture_output=True)
            if p.returncode != 0:
                t.skip(f"xfs {name} from a protofile: mkfs refuses: {' '.join(p.stderr.decode().split())[:120]}")
                continue
            before = diskimg.sha256(img)
            a = subprocess.run([CSDUMP, "--image", img, *skip], capture_output=True)
            b = subprocess.run([CSDUMP, "--dir", src, *skip], capture_output=True)
            t.ok(a.returncode == 0 and a.stdout == b.stdout and nlines(b.stdout) > 400,
                 f"xfs {name} (protofile, no mount): all {nlines(b.stdout)} entries read as the tree they were "
                 "made from", diskimg.dump_diff(a.stdout, b.stdout))
            t.eq(diskimg.sha256(img), before, f"xfs {name}: the image is unchanged")


def main():
    t = Tap()
    if os.geteuid() != 0:
        t.skip("needs root: the fixtures' device nodes and trusted.* xattrs")
        t.done()
    t.run(check_proto)
    t.run(check_xfs)
    t.done()


main()
