#!/usr/bin/env python3
"""Storage formats and LVM2: the GPT disk of test_images.py as split raw,
E01 (ewfacquire, several segments found from the first), VMDK (sparse and
stream-optimised), VHD, VHDX and QCOW2 (plain and compressed) (qemu-img)
reads as media whose sha256 is the raw disk's; the E01's stored MD5 and
SHA-1 verify; commands print what they print from the directory; and an
MBR disk with two LVM2 physical volumes (metadata written by LVM2 itself)
gives its logical volumes as LVM2 reports them, a linear one spanning both
PVs and a striped one, mounted where fstab says by device-mapper name.
"""
import hashlib
import json
import os
import re
import subprocess
import tempfile

import diskimg
from harness import Tap, csleuth_json
from fsview import diff_records
from imgcheck import CSDUMP, can_fuse, check_unchanged, compare, mounted_view, nlines, out


def check_gpt_formats(t):
    lay = diskimg.build("gpt", diskimg.gpt_disk)
    with tempfile.TemporaryDirectory() as work:
        check_formats(t, lay, work)


def check_formats(t, lay, work):
    raw = lay["disk"]
    host = lay["host"]
    want = diskimg.sha256(raw)
    t.note("converting the raw disk (split, ewfacquire, qemu-img)")
    conv = diskimg.convert(raw, work)
    for name, files in conv.items():
        t.note(f"{name}: {len(files)} file(s)")
        # a split raw image given piece by piece, and found from its .001
        args = [x for f in (files if name == "split" else files[:1]) for x in ("--image", f)]
        if name == "split":
            rc, o, e = out("--image", files[0], "--verify")
            m = re.search(rb"sha256:\s+([0-9a-f]{64})", o)
            t.ok(rc == 0 and b"split raw, 3 files" in o and m and m.group(1).decode() == want,
                 "split: the pieces after split.001 are found from it", o + e)
        before = {f: diskimg.sha256(f) for f in files}
        rc, o, e = out(*args, "--verify")
        media = re.search(rb"sha256:\s+([0-9a-f]{64})", o)
        t.ok(rc == 0 and media and media.group(1).decode() == want,
             f"{name}: --verify reads media whose sha256 is the raw disk's", o + e)
        if name == "ewf":
            t.ok(b"md5:" in o and b"match" in o and b"MISMATCH" not in o and b"verified" in o
                 and b"Case number: case-11" in o,
                 f"ewf: --verify finds the MD5 and SHA-1 ewfacquire stored, and they match "
                 f"({len(files)} segment files found from the first)", o)
            t.ok(len(files) > 1, f"ewf: the image has {len(files)} segment files")
            check_provenance(t, raw, args, files)
            if can_fuse():
                got = mounted_view(args, "rich")
                ref = mounted_view(["--sysroot", host], "rich")
                t.ok(got == ref and len(ref) > 100, f"ewf: `mount rich` straight out of the E01 equals "
                     f"its mount from the directory ({len(ref)} entries)", diff_records(got, ref))
            else:
                t.skip("ewf: mount needs root and /dev/fuse")
        compare(t, name, args, ["--sysroot", host], only=["ps --json", "diff --json rich", "export rich"])
        check_unchanged(t, name, files, before)



def check_provenance(t, raw, args, files):
    """The provenance of a run from an E01: every segment file as received
    (size, and with --verify its SHA-256), the stored hashes and the
    media's, against hashlib over the same files and the raw disk."""
    rc, o, e = out(*args, "ps", "--json", "--provenance")
    ev = json.loads(o)["provenance"]["evidence"] if rc == 0 else {}
    t.ok(ev.get("option") == "--image" and ev.get("format") == "EWF"
         and [(f["path"], f["size"], f["sha256"]) for f in ev.get("files", [])]
         == [(f, os.path.getsize(f), None) for f in files]
         and ev.get("media_size") == os.path.getsize(raw) and ev.get("image_sha256") is None,
         "ewf: provenance names every segment file with its size; no hash unless --verify ran", ev or e)
    rc, o, e = out(*args, "--verify", "ps", "--json", "--provenance")
    ev = json.loads(o)["provenance"]["evidence"] if rc == 0 else {}
    with open(raw, "rb") as fh:
        data = fh.read()
    t.ok([(f["path"], f["size"], f["sha256"]) for f in ev.get("files", [])]
         == [(f, os.path.getsize(f), diskimg.sha256(f)) for f in files]
         and ev.get("image_sha256") == hashlib.sha256(data).hexdigest()
         and ev.get("media_md5") == ev.get("stored_md5") == hashlib.md5(data).hexdigest()
         and ev.get("media_sha1") == ev.get("stored_sha1") == hashlib.sha1(data).hexdigest(),
         "ewf: with --verify, provenance holds each segment's SHA-256 and the media's MD5, SHA-1 and SHA-256, "
         "equal to the raw disk's and to what ewfacquire stored", ev or e)


def check_lvm(t):
    lay = diskimg.build("lvm", diskimg.lvm_disk)
    rec = diskimg.lvm_record()
    rc, p, err = csleuth_json("--image", lay["disk"], "partitions", "--json")
    vols = {v["id"]: v for v in p["volumes"]}
    t.ok(sorted(vols) == ["1", "2", "5", "6", "csvg/srv", "csvg/var"], "lvm: partitions 1, 2, 5, 6 and LVs srv, var",
         f"{sorted(vols)} {err}")
    sizes = {}
    for s in rec["report"][0]["lv"]:
        sizes[s["lv_name"]] = int(s["lv_size"])
    t.eq((vols["csvg/var"]["size"], vols["csvg/srv"]["size"]), (sizes["var"], sizes["srv"]),
         "lvm: the logical volumes have the sizes LVM2 reports")
    t.eq((vols["5"]["fs"], vols["6"]["fs"]), ("LVM2_member", "LVM2_member"), "lvm: 5 and 6 are LVM2 members")
    t.eq((vols["csvg/var"]["mounted_at"], vols["csvg/var"]["fstab_spec"]), ("/var", "/dev/mapper/csvg-var"),
         "lvm: csvg/var is /var (fstab /dev/mapper/csvg-var)")
    t.eq((vols["csvg/srv"]["mounted_at"], vols["csvg/srv"]["fstab_spec"]), ("/srv", "/dev/csvg/srv"),
         "lvm: csvg/srv is /srv (fstab /dev/csvg/srv)")
    t.eq((vols["1"]["host_root"], vols["csvg/var"]["engine_data"]), (True, diskimg.engine_data_of(lay["host"])),
         "lvm: partition 1 is the root (fstab names it /dev/sda1); the data root is on csvg/var")
    # the striped LV, entry by entry, against the tree it was made from
    a = subprocess.run([CSDUMP, "--image", lay["disk"], "--partition", "csvg/srv", "--skip", "ino", "--skip",
                        "blocks"], capture_output=True)
    b = subprocess.run([CSDUMP, "--dir", os.path.join(lay["host"], "srv"), "--skip", "ino", "--skip", "blocks"],
                       capture_output=True)
    t.ok(a.returncode == 0 and a.stdout == b.stdout and len(a.stdout) > 10000,
         f"lvm: the striped csvg/srv reads as the tree it was made from ({nlines(b.stdout)} entries: "
         "content, owners, modes, ns times, xattrs)", a.stderr[-500:])
    before = {lay["disk"]: diskimg.sha256(lay["disk"])}
    compare(t, "lvm", ["--image", lay["disk"]], ["--sysroot", lay["host"]],
            only=["ps --json", "timeline bodyfile", "diff --json", "export rich"])
    check_unchanged(t, "lvm", [lay["disk"]], before)




def main():
    t = Tap()
    if os.geteuid() != 0:
        t.skip("needs root: the fixtures' device nodes and trusted.* xattrs")
        t.done()
    t.run(check_gpt_formats)
    t.run(check_lvm)
    t.done()


main()
