#!/usr/bin/env python3
"""A 130-layer image: the merged tree follows overlayfs's rules across every
layer (the top copy wins, whiteouts hide, an opaque directory cuts off what
is below it), and csleuth's export and FUSE mount equal the kernel's own
overlay mount. Its raw lowerdir= string would be over 4096 bytes, which is
where kernel-mount-based tools fail; the kernel reference here is mounted
through short symlinks."""
import hashlib
import json
import os
import subprocess
import tempfile

from fsview import can_mount_overlay, diff_records, kernel_overlay, walk_tar, walk_tree
from harness import BIN, Tap, csleuth

N = 130


def sha(b):
    return hashlib.sha256(b).hexdigest()


def make_root(root):
    """A minimal Docker data root with one image of N layers, base first."""
    diffs = ["sha256:" + sha(f"diff {i}".encode()) for i in range(N)]
    layers = []
    chain = None
    for i, d in enumerate(diffs):
        chain = d if chain is None else "sha256:" + sha(f"{chain} {d}".encode())
        cache = sha(f"cache {i}".encode())
        ld = os.path.join(root, "image/overlay2/layerdb/sha256", chain[7:])
        os.makedirs(ld)
        open(os.path.join(ld, "cache-id"), "w").write(cache)
        open(os.path.join(ld, "size"), "w").write("10")
        open(os.path.join(ld, "diff"), "w").write(d)
        diff = os.path.join(root, "overlay2", cache, "diff")
        os.makedirs(os.path.join(diff, "d"))
        layers.append(diff)
        with open(os.path.join(diff, "common"), "w") as f:
            f.write(str(i))
        with open(os.path.join(diff, f"l{i:03d}"), "w") as f:
            f.write("x" * i)
        with open(os.path.join(diff, "d", f"x{i:03d}"), "w") as f:
            f.write(str(i))
        if i % 10 == 9:  # delete the previous layer's own file
            os.mknod(os.path.join(diff, f"l{i - 1:03d}"), 0o600 | 0o020000, os.makedev(0, 0))
        if i == 100:  # /d replaced: layers below 100 no longer show in it
            os.setxattr(os.path.join(diff, "d"), "trusted.overlay.opaque", b"y")
        t = 1700000000 + i
        for p in ("common", f"l{i:03d}", f"d/x{i:03d}", "d", "."):
            os.utime(os.path.join(diff, p), ns=(t * 10**9 + i, t * 10**9 + i), follow_symlinks=False)
    cfg = json.dumps({"architecture": "amd64", "os": "linux", "created": "2023-11-14T22:13:20.123456789Z",
                      "config": {}, "rootfs": {"type": "layers", "diff_ids": diffs},
                      "history": [{"created": "2023-11-14T22:13:20Z", "created_by": f"step {i}"} for i in range(N)]},
                     separators=(",", ":")).encode()
    cd = os.path.join(root, "image/overlay2/imagedb/content/sha256")
    os.makedirs(cd)
    open(os.path.join(cd, sha(cfg)), "wb").write(cfg)
    json.dump({"Repositories": {"many": {"many:130": "sha256:" + sha(cfg)}}},
              open(os.path.join(root, "image/overlay2/repositories.json"), "w"))
    os.makedirs(os.path.join(root, "containers"))
    return layers[::-1]  # top first


def check(t, tmp):
    root = os.path.join(tmp, "docker")
    layers = make_root(root)
    t.ok(len(":".join(layers)) > 4096, f"the raw lowerdir string would be {len(':'.join(layers))} bytes")
    rc, out, err = csleuth("--root", root, "history", "--json", "many:130")
    t.ok(rc == 0 and len(json.loads(out)) == N, "the image's 130 steps are read", err)
    tarp = os.path.join(tmp, "many.tar")
    rc, _, err = csleuth("--root", root, "export", "--precise", "-o", tarp, "many:130")
    t.eq(rc, 0, "export of 130 layers exits 0")
    got = walk_tar(tarp)
    # the rules, checked directly
    t.eq(got.get(b"common", {}).get("sha256"), sha(b"129"), "the top layer's copy wins")
    t.ok(b"l128" not in got and b"l127" in got and b"l008" not in got and b"l009" in got,
         "each whiteout hides the layer below's file, nothing else")
    d = sorted(k for k in got if k.startswith(b"d/"))
    t.eq(d, [b"d/x%03d" % i for i in range(100, N)], "the opaque directory shows layers 100 to 129 only")
    if not can_mount_overlay():
        t.skip("the kernel's overlayfs cannot be mounted here")
        return
    with kernel_overlay(layers) as k:
        want = walk_tree(k)
    t.ok(got == want, f"the 130-layer tree equals the kernel's overlay mount ({len(want)} entries)",
         diff_records(got, want))
    if os.path.exists("/dev/fuse"):
        mnt = os.path.join(tmp, "m")
        os.mkdir(mnt)
        p = subprocess.run([BIN, "--root", root, "mount", "many:130", mnt], capture_output=True)
        try:
            fgot = walk_tree(mnt)
            for r in fgot.values():
                r.get("xattrs", {}).pop("user.csleuth.layer", None)
                r.get("xattrs", {}).pop("user.csleuth.layer_id", None)
                r.get("xattrs", {}).pop("user.csleuth.evidence_path", None)
            t.ok(p.returncode == 0 and fgot == want, "the FUSE mount of 130 layers equals the kernel's",
                 diff_records(fgot, want))
        finally:
            subprocess.run([BIN, "umount", mnt], capture_output=True)


def main():
    t = Tap()
    if os.geteuid() != 0:
        t.skip("whiteout device nodes and trusted.* xattrs need root")
        t.done()
    with tempfile.TemporaryDirectory() as tmp:
        t.run(check, tmp)
    t.done()


main()
