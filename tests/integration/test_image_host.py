#!/usr/bin/env python3
"""Disk images (GPT, ext4, raw), continued: --partition with --root, a
container mounted (FUSE) straight out of the image, and, where loop mounts
are allowed, the kernel's own read-only mount of the same partitions as the
oracle (inode numbers and birth times included). See test_images.py.
"""
import os

import diskimg
from harness import Tap
from test_images import check_kernel, check_mount, check_partition_option


def main():
    t = Tap()
    if os.geteuid() != 0:
        t.skip("needs root: the fixtures' device nodes and trusted.* xattrs")
        t.done()
    lay = diskimg.build("gpt", diskimg.gpt_disk)
    before = diskimg.sha256(lay["disk"])
    t.run(check_partition_option, lay)
    t.run(check_mount, lay)
    t.run(check_kernel, lay)
    t.eq(diskimg.sha256(lay["disk"]), before, "the image is unchanged")
    t.done()


main()
