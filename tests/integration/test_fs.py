#!/usr/bin/env python3
"""Merged filesystems: csleuth's view of every container (and images) against
the kernel's own read-only overlayfs mount of the same layer directories,
against the engine's recorded `docker export`, and `csleuth diff` against
the engine's recorded `docker diff`."""
import json
import os
import re
import subprocess
import tempfile

from fsview import can_mount_overlay, diff_records, kernel_overlay, walk_tar, walk_tree
from harness import SRC, Tap, csleuth, csleuth_json, engine_record, fixture

FIXTURES = [("overlay2", "engine"), ("overlay", "engine-overlay")]
KIND = {0: "C", 1: "A", 2: "D"}


def check_diff(t, root, rec, tag):
    ddir = os.path.join(SRC, "testdata", "docker", rec, "diff")
    for f in sorted(os.listdir(ddir)):
        name = f[:-5]
        want = sorted(f"{KIND[c['Kind']]} {c['Path']}" for c in (engine_record(rec, "diff", f) or []))
        rc, out, err = csleuth("--root", root, "diff", name)
        got = sorted(out.decode("utf-8", "surrogateescape").splitlines())
        t.ok(rc == 0 and got == want, f"{tag}: diff {name} equals docker diff ({len(want)} changes)",
             f"got {got}\nwant {want}\n{err.decode()}")


def check_diff_json(t, root, tag):
    rc, d, _ = csleuth_json("--root", root, "diff", "--json", "changes")
    by = {c["path"]: c for c in d}
    drop = by.get("/tmp/dropper", {}).get("entry", {})
    t.ok(drop.get("type") == "file" and "ELF" in (drop.get("magic") or ""),
         f"{tag}: the ELF dropped in /tmp is identified by libmagic", drop)
    # layers are numbered from the base (0) up: the container's own layer
    # is the top one, n - 1 of the n directories docker stacks
    rc, ins, _ = csleuth_json("--root", root, "inspect", "changes")
    gd = ins[0]["GraphDriver"]["Data"]
    top = len(gd["LowerDir"].split(":")) if gd.get("LowerDir") else 0
    t.ok(len(drop.get("sha256") or "") == 64 and drop.get("layer") == top,
         f"{tag}: with its sha256 and layer {top} (the container's own, counted from the base)", drop)
    grp = by.get("/etc/group", {})
    t.ok(grp.get("kind") == "D" and grp.get("deleted_by", {}).get("kind") == "whiteout",
         f"{tag}: a deletion names the whiteout that recorded it", grp)
    t.ok(grp.get("deleted_by", {}).get("layer") == top and grp.get("entry", {}).get("layer") == 0,
         f"{tag}: the whiteout is in layer {top}, the deleted original in the base layer 0", grp)
    t.ok(all(c["entry"].get("mtime", "").endswith("Z") for c in d if c["entry"].get("mtime")),
         f"{tag}: times are UTC with Z")


def check_export(t, root, rec, tag, tmp):
    edir = os.path.join(SRC, "testdata", "docker", rec, "export")
    for f in sorted(os.listdir(edir)):
        name = f[:-5]
        man = engine_record(rec, "export", f)
        tarp = os.path.join(tmp, name + ".tar")
        rc, _, err = csleuth("--root", root, "export", "-o", tarp, name)
        if not t.ok(rc == 0, f"{tag}: export {name} exits 0", err):
            continue
        got = walk_tar(tarp, xattrs=False)
        want = {}
        for m in man["members"]:
            rel = bytes.fromhex(m["name_hex"]).rstrip(b"/")
            r = {"type": {"file": "file", "hardlink": "file", "dir": "dir", "symlink": "symlink",
                          "char": "char", "block": "block", "fifo": "fifo"}.get(m["type"], m["type"]),
                 "mode": m["mode"] & 0o7777, "uid": m["uid"], "gid": m["gid"], "mtime_ns": int(m["mtime"]) * 10**9}
            if r["type"] == "file":
                r["size"] = m.get("size", 0)
                r["sha256"] = m.get("sha256")
            if m["type"] == "symlink":
                r["link"] = bytes.fromhex(m["linkname_hex"])
            if m["type"] in ("char", "block"):
                r["dev"] = (m.get("devmajor"), m.get("devminor"))
            want[rel] = r
        # hard links: the engine's later names carry the first name's data
        for m in man["members"]:
            if m["type"] == "hardlink":
                tgt = want.get(bytes.fromhex(m.get("linkname_hex", "")).rstrip(b"/"))
                if tgt:
                    rel = bytes.fromhex(m["name_hex"]).rstrip(b"/")
                    want[rel] = dict(tgt, mtime_ns=want[rel]["mtime_ns"], mode=want[rel]["mode"])
        for r in got.values():
            r["mtime_ns"] = r["mtime_ns"] // 10**9 * 10**9
        if name == "powercut":
            # it kept writing to this file after the engine's export was taken,
            # until the power cut: the evidence rightly holds more ticks
            for d in (got, want):
                d.pop(b"tmp/ticks.log", None)
        t.ok(got == want, f"{tag}: export {name} equals docker export ({len(want)} entries)",
             diff_records(got, want))


def check_kernel(t, root, tag, tmp):
    rc, ps, _ = csleuth_json("--root", root, "ps", "--json")
    rc, ins, _ = csleuth_json("--root", root, "inspect", *[c["id"] for c in ps])
    for i in ins:
        name = i["Name"].lstrip("/")
        gd = i["GraphDriver"]["Data"] or {}
        # (never-started containers have an empty ResolvConfPath)
        host_root = re.match(r"^(.*)/(overlay2|overlay)/[^/]+/(diff|upper)$", gd["UpperDir"]).group(1)
        # the container's stack, top first, as evidence paths
        layers = [gd["UpperDir"]] + ([x for x in gd["LowerDir"].split(":")] if gd.get("LowerDir") else [])
        layers = [os.path.join(root, os.path.relpath(x, host_root)) for x in layers]
        tarp = os.path.join(tmp, name + "-precise.tar")
        rc, _, err = csleuth("--root", root, "export", "--precise", "-o", tarp, name)
        got = walk_tar(tarp)
        with kernel_overlay(layers) as mnt:
            want = walk_tree(mnt)
        t.ok(got == want, f"{tag}: {name}: csleuth's tree equals the kernel's overlay mount "
             f"({len(want)} entries, names, types, modes, owners, sizes, ns mtimes, links, content, xattrs)",
             diff_records(got, want))


def check_export_xattrs(t, root, tmp):
    """Extended attributes on files with bodies (export reads them from the
    open file), on empty files and on directories, against the kernel's
    overlay mount of the same layers."""
    copy = os.path.join(tmp, "xattrs")
    subprocess.run(["cp", "-a", root, copy], check=True)
    rc, ins, _ = csleuth_json("--root", copy, "inspect", "changes")
    gd = ins[0]["GraphDriver"]["Data"]
    host_root = re.match(r"^(.*)/(overlay2|overlay)/[^/]+/(diff|upper)$", gd["UpperDir"]).group(1)
    layers = [gd["UpperDir"]] + (gd["LowerDir"].split(":") if gd.get("LowerDir") else [])
    layers = [os.path.join(copy, os.path.relpath(x, host_root)) for x in layers]
    up = layers[0]
    body = os.path.join(up, "tmp", "with-xattrs")
    with open(body, "wb") as f:
        f.write(b"data " * 100000)  # large enough for the in-kernel copy
    open(os.path.join(up, "tmp", "empty-xattrs"), "wb").close()
    os.setxattr(body, "user.note", b"seized")
    os.setxattr(body, "user.a", b"\x00\x01binary")
    os.setxattr(body, "security.capability",
                bytes.fromhex("0100000200200000000000000000000000000000"))
    os.setxattr(os.path.join(up, "tmp", "empty-xattrs"), "user.empty", b"e")
    os.setxattr(os.path.join(up, "tmp"), "user.dir", b"d")
    tarp = os.path.join(tmp, "xattrs.tar")
    rc, _, err = csleuth("--root", copy, "export", "--precise", "-o", tarp, "changes")
    got = walk_tar(tarp)
    with kernel_overlay(layers) as mnt:
        want = walk_tree(mnt)
    t.ok(rc == 0 and got == want and got[b"tmp/with-xattrs"]["xattrs"].get("user.note") == b"seized",
         f"export keeps the xattrs of files with bodies, empty files and directories ({len(want)} entries)",
         diff_records(got, want) or err)
    subprocess.run(["rm", "-rf", copy])


def check_image_kernel(t, root, tag, tmp):
    rc, ims, _ = csleuth_json("--root", root, "inspect", "--type", "image", "dive-test:latest")
    if rc != 0:
        t.skip(f"{tag}: no dive-test image")
        return
    gd = ims[0]["GraphDriver"]["Data"]
    host = gd["UpperDir"].split("/overlay2/")[0]
    layers = [gd["UpperDir"]] + gd["LowerDir"].split(":")
    layers = [os.path.join(root, os.path.relpath(x, host)) for x in layers]
    tarp = os.path.join(tmp, "image.tar")
    rc, _, _ = csleuth("--root", root, "export", "--precise", "-o", tarp, "dive-test:latest")
    got = walk_tar(tarp)
    with kernel_overlay(layers) as mnt:
        want = walk_tree(mnt)
    t.ok(len(layers) == 14 and got == want,
         f"{tag}: the 14-layer image's tree equals the kernel's overlay mount ({len(want)} entries)",
         diff_records(got, want))


def main():
    t = Tap()
    if os.geteuid() != 0:
        t.skip("unpacking the fixtures needs root")
        t.done()
    with tempfile.TemporaryDirectory() as tmp:
        for fx, rec in FIXTURES:
            root = fixture(fx)
            t.run(check_diff, root, rec, fx)
            t.run(check_export, root, rec, fx, tmp)
            if fx == "overlay2":
                t.run(check_diff_json, root, fx)
            if can_mount_overlay():
                t.run(check_kernel, root, fx, tmp)
                if fx == "overlay2":
                    t.run(check_image_kernel, root, fx, tmp)
                    t.run(check_export_xattrs, root, tmp)
            else:
                t.skip(f"{fx}: the kernel's overlayfs cannot be mounted here (needs root and overlay)")
    t.done()


main()
