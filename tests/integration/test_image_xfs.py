#!/usr/bin/env python3
"""XFS: a host on a whole-disk XFS (v5: CRCs, big timestamps, birth times,
ftype) reads, entry by entry and command by command, exactly as the
kernel's own read-only mount of the same image (inode numbers included).
XFS is populated through a loop mount (mkfs.xfs -p in xfsprogs 6.1 sets no
times or extended attributes): skipped where loop mounts are not allowed.
"""
import os
import subprocess

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




def main():
    t = Tap()
    if os.geteuid() != 0:
        t.skip("needs root: the fixtures' device nodes and trusted.* xattrs")
        t.done()
    t.run(check_xfs)
    t.done()


main()
