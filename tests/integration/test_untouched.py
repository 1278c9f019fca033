#!/usr/bin/env python3
"""Nothing in the evidence changes: after every command has run over a data
root, each entry's content, mode, owner, size, mtime, atime and ctime are
as before. Access times are first set far in the past (and before mtime), so
a read without O_NOATIME would move them even under relatime. This test's
own snapshot reads with O_NOATIME too."""
import hashlib
import os
import stat
import subprocess
import tempfile

from harness import Tap, csleuth, fixture, realdata


def snapshot(root):
    snap = {}

    def walk(rel):
        p = os.path.join(root, rel) if rel else root
        st = os.lstat(p)
        entry = [st.st_mode, st.st_uid, st.st_gid, st.st_size, st.st_mtime_ns, st.st_atime_ns,
                 st.st_ctime_ns]
        if stat.S_ISREG(st.st_mode):
            fd = os.open(p, os.O_RDONLY | os.O_NOATIME)
            h = hashlib.sha256()
            while True:
                b = os.read(fd, 1 << 20)
                if not b:
                    break
                h.update(b)
            os.close(fd)
            entry.append(h.hexdigest())
        elif stat.S_ISLNK(st.st_mode):
            entry.append(os.readlink(p))
        snap[rel] = entry
        if stat.S_ISDIR(st.st_mode):
            fd = os.open(p, os.O_RDONLY | os.O_DIRECTORY | os.O_NOATIME)
            names = os.listdir(fd)
            os.close(fd)
            for n in names:
                walk(os.path.join(rel, n))

    walk("")
    return snap


def age_atimes(root):
    old = 978307200 * 10**9  # 2001-01-01
    for dirpath, dirnames, filenames in os.walk(root):
        for n in dirnames + filenames + [""]:
            p = os.path.join(dirpath, n) if n else dirpath
            if not os.path.islink(p):
                st = os.lstat(p)
                os.utime(p, ns=(old, st.st_mtime_ns), follow_symlinks=False)


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
