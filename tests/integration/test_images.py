#!/usr/bin/env python3
"""Disk images (GPT, ext4, raw): every command reads a seized disk image
exactly as it reads the directory tree the image was made from: byte-
identical output (in timelines, inode numbers and directory sizes aside,
which are the file system's own), and the image's files are unchanged after
every command. Formats and LVM: test_image_formats.py; XFS:
test_image_xfs.py.

Oracles: the host tree the images are made from (diskimg.py), sfdisk's own
record of the partition tables, LVM2's own report of its segments, the
hashes ewfacquire stored, and, where the machine allows loop mounts, the
kernel's read-only mount of the same image (then inode numbers match too).
"""
import json
import os
import subprocess
import tempfile

import diskimg
from fsview import diff_records
from harness import Tap, csleuth, csleuth_json
from imgcheck import CSDUMP, can_fuse, check_unchanged, compare, mounted_view, nlines, no_dir_sizes, out

def check_partitions(t, lay):
    rc, p, err = csleuth_json("--image", lay["disk"], "partitions", "--json")
    t.eq(rc, 0, "gpt: partitions exits 0")
    table = lay["table"]
    vols = {v["id"]: v for v in p["volumes"]}
    t.eq(p["scheme"], "GPT", "gpt: the scheme is GPT")
    for i, part in enumerate(table["partitions"], 1):
        v = vols.get(str(i), {})
        t.eq((v.get("offset"), v.get("size"), (v.get("partuuid") or "").upper(), v.get("name")),
             (part["start"] * 512, part["size"] * 512, part["uuid"], part.get("name")),
             f"gpt: volume {i} has sfdisk's offset, size, partition GUID and name")
    t.eq((vols["1"]["fs"], vols["1"]["label"], vols["1"]["uuid"]), ("ext4", "csroot", diskimg.ROOT_UUID),
         "gpt: volume 1 is ext4 `csroot` with the UUID mkfs was given")
    t.ok(vols["1"]["root_fs"] and vols["1"]["host_root"] and vols["1"]["os"].startswith("Debian"),
         "gpt: volume 1 is marked as the host's root file system (Debian)")
    t.eq((vols["2"]["mounted_at"], vols["2"]["fstab_spec"]), ("/var", "UUID=" + diskimg.VAR_UUID),
         "gpt: volume 2 is where fstab mounts /var (by UUID)")
    t.eq(vols["2"]["engine_data"], diskimg.engine_data_of(lay["host"]),
         "gpt: volume 2 is marked as holding the Docker data root (and Docker's own containerd root)")
    rc, txt, _ = csleuth("--image", lay["disk"], "partitions")
    t.ok(b"host root" in txt and b"mounted at /var" in txt and b"Docker data root /var/lib/docker" in txt,
         "gpt: the table says the same")


def check_partition_option(t, lay):
    host = lay["host"]
    a = out("--image", lay["disk"], "--partition", "2", "--root", "lib/docker", "ps", "--json")
    b = out("--root", os.path.join(host, "var", "lib", "docker"), "ps", "--json")
    t.ok(a[0] == b[0] == 0 and a[1] == b[1], "--partition 2 --root lib/docker reads the data root as --root does")
    a = out("--image", lay["disk"], "--partition", "1", "ps")
    t.ok(a[0] == 1 and b"no container engine data" in a[2],
         "--partition 1 (the root without its /var) has no engine data, and says so", a[2])
    a = out("--image", lay["disk"], "--partition", "9", "ps")
    t.ok(a[0] == 1 and b"no volume `9`" in a[2] and b"1, 2" in a[2], "an unknown --partition names the volumes")


def check_mount(t, lay):
    if not can_fuse():
        t.skip("mount: needs root and /dev/fuse")
        return
    got = mounted_view(["--image", lay["disk"]], "rich")
    want = mounted_view(["--sysroot", lay["host"]], "rich")
    t.ok(got == want and len(want) > 100,
         f"mount: container `rich` straight out of the image equals its mount from the directory "
         f"({len(want)} entries, content and xattrs)", diff_records(got, want))


def check_typed_timeline(t, lay):
    """The timeline's file typing runs on two threads (tlsources.c); from an
    image both read the one image source, which serialises its reads
    (source_fs.c): the types must be the directory's, row for row, and the
    same on every run."""
    args = ["timeline", "--format", "jsonl", "--layers"]
    rc1, a, e1 = out("--image", lay["disk"], *args)
    rc2, b, _ = out("--image", lay["disk"], *args)
    rc3, c, _ = out("--sysroot", lay["host"], *args)
    rows = [json.loads(x) for x in a.splitlines()]
    typed = {r["evidence_path"] for r in rows if r.get("magic") and (r.get("mode") or "").startswith("0o10")}
    t.ok(rc1 == rc3 == 0 and len(typed) > 300,
         f"typed timeline from the image: {len(typed)} files carry a libmagic type", e1[-300:])
    t.ok(a == b, "typed timeline from the image: two runs print the same bytes")
    t.ok(no_dir_sizes(a) == no_dir_sizes(c),
         "typed timeline from the image: every row, file types included, is the directory's (directory sizes aside)")


def check_kernel(t, lay):
    """With loop mounts: the kernel's own reading of the same partitions."""
    if not diskimg.loop_mount_works():
        t.skip("kernel oracle: this machine allows no loop mount")
        return
    table = lay["table"]["partitions"]
    with tempfile.TemporaryDirectory() as tmp:
        parts = []
        for i, p in enumerate(table, 1):
            f = os.path.join(tmp, f"p{i}")
            with open(lay["disk"], "rb") as src, open(f, "wb") as dst:
                src.seek(p["start"] * 512)
                dst.write(src.read(p["size"] * 512))
            parts.append(f)
        with diskimg.Mounted(parts[0], "ext4") as root:
            with diskimg.Mounted(parts[1], "ext4") as var:
                for i, (part, mnt) in enumerate(((parts[0], root), (parts[1], var)), 1):
                    a = subprocess.run([CSDUMP, "--image", lay["disk"], "--partition", str(i)],
                                       capture_output=True)
                    b = subprocess.run([CSDUMP, "--dir", mnt], capture_output=True)
                    t.ok(a.stdout == b.stdout and a.returncode == 0,
                         f"kernel: volume {i} reads as the kernel's read-only mount of it, entry by entry "
                         f"({nlines(b.stdout)} entries, inode numbers, blocks and birth times too)",
                         diskimg.dump_diff(a.stdout, b.stdout))
    # the whole host, both partitions mounted by the kernel as fstab says
    with tempfile.TemporaryDirectory() as tmp:
        parts = []
        for i, p in enumerate(table, 1):
            f = os.path.join(tmp, f"p{i}")
            with open(lay["disk"], "rb") as src, open(f, "wb") as dst:
                src.seek(p["start"] * 512)
                dst.write(src.read(p["size"] * 512))
            parts.append(f)
        with diskimg.Mounted(parts[0], "ext4") as root:
            subprocess.run(["mount", "-t", "ext4", "-o", "loop,ro,noload", parts[1], os.path.join(root, "var")],
                           check=True)
            try:
                compare(t, "kernel (ext4, GPT)", ["--image", lay["disk"]], ["--sysroot", root], same_inodes=True,
                        only=["ps --json", "timeline bodyfile", "timeline", "diff --json rich", "export rich",
                              "export layers14"])
            finally:
                subprocess.run(["umount", os.path.join(root, "var")], check=False)


def main():
    t = Tap()
    if os.geteuid() != 0:
        t.skip("needs root: the fixtures' device nodes and trusted.* xattrs")
        t.done()
    lay = diskimg.build("gpt", diskimg.gpt_disk)
    t.run(check_partitions, lay)
    before = {lay["disk"]: diskimg.sha256(lay["disk"])}
    t.run(check_typed_timeline, lay)
    t.run(compare, "gpt raw", ["--image", lay["disk"]], ["--sysroot", lay["host"]])
    check_unchanged(t, "gpt raw", [lay["disk"]], before)
    t.done()


if __name__ == "__main__":
    main()
