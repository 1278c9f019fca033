#!/usr/bin/env python3
"""Nothing in the evidence changes: after every command has run over a data
root, each entry's content, mode, owner, size, mtime, atime and ctime are
as before. Access times are first set far in the past (and before mtime), so
a read without O_NOATIME would move them even under relatime. This test's
own snapshot reads with O_NOATIME too."""
import os
import subprocess
import tempfile

from fsview import age_atimes, snapshot
from harness import Tap, csleuth, fixture, realdata


def run_everything(root, flags=()):
    rc, out, _ = csleuth(*flags, "--root", root, "ps", "--json")
    import json
    ps = json.loads(out)
    csleuth(*flags, "--root", root, "ps")
    csleuth(*flags, "--root", root, "images", "--digests")
    _, out, _ = csleuth(*flags, "--root", root, "images", "--json")
    ims = json.loads(out)
    csleuth(*flags, "--root", root, "inspect", *[c["id"] for c in ps])
    csleuth(*flags, "--root", root, "inspect", "--type", "image", *[i["id"] for i in ims])
    for i in ims:
        csleuth(*flags, "--root", root, "history", i["id"])
    csleuth(*flags, "--root", root, "volumes")
    # collect reads everything: logs, diffs, timelines
    with tempfile.TemporaryDirectory() as out_dir:
        csleuth(*flags, "--root", root, "collect", "--no-magic", "-o", os.path.join(out_dir, "case"))
        for c in ps[:3]:
            if c["mount_id"]:
                csleuth(*flags, "--root", root, "cp", c["id"] + ":/", os.path.join(out_dir, c["id"]))
    return len(ps)


def check(t, label, src, tmp, flags=()):
    root = os.path.join(tmp, label)
    subprocess.run(["cp", "-a", src, root], check=True)
    age_atimes(root)
    before = snapshot(root)
    n = run_everything(root, flags)
    after = snapshot(root)
    t.ok(n > 0, f"{label}: the commands read {n} containers")
    changed = [k for k in before if before[k] != after.get(k)]
    t.ok(not changed and before.keys() == after.keys(),
         f"{label}: all {len(before)} entries unchanged (content, times, owners)",
         "\n".join(f"{k}: {before[k]} -> {after.get(k)}" for k in changed[:10]))


def main():
    t = Tap()
    if os.geteuid() != 0:
        t.skip("needs root: the fixture's device nodes and O_NOATIME on others' files")
        t.done()
    with tempfile.TemporaryDirectory() as tmp:
        t.run(check, "overlay2", fixture("overlay2"), tmp)
        t.run(check, "overlay2-walk", fixture("overlay2"), tmp, ("--no-openat2",))
        t.run(check, "overlay", fixture("overlay"), tmp)
        rd = realdata("aufs.v1")
        if rd:
            t.run(check, "aufs.v1", rd, tmp)
        else:
            t.skip("aufs.v1: ../shared/realdata is absent")
    t.done()


main()
