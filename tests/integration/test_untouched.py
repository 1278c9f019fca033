#!/usr/bin/env python3
"""Nothing in the evidence changes, and csleuth tells the truth about the one
thing it cannot prevent.

Access times are first set far in the past (and before mtime) on every
entry, symbolic links included, so that any read without O_NOATIME would move
them even under relatime. Snapshots are taken through a read-only bind mount
of the same tree, where reading a link changes nothing.

- On a writable mount without noatime, every file's and directory's content,
  mode, owner, size and times stay as they were; the kernel updates the
  access time of each symbolic link read (readlink(2) has no no-atime flag),
  and csleuth says so once, before anything else, naming the root.
- On a read-only mount, and on a writable one mounted noatime, nothing at
  all changes, links included, and there is no note."""
import json
import os
import stat
import subprocess
import tempfile

from fsview import age_atimes, bind_mount as bind, snapshot
from harness import Tap, csleuth, fixture, realdata

NOTE = b"is on a writable mount without noatime"


def run_everything(root, flags=(), files=False):
    """Every reading command; returns (containers, stderr of the first run)."""
    rc, out, err = csleuth(*flags, "--root", root, "ps", "--json", atime_note=True)
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
    if files:
        # the commands that read the layers' own links
        for c in ps:
            csleuth(*flags, "--root", root, "diff", c["id"])
        csleuth(*flags, "--root", root, "export", "-o", "/dev/null", ps[0]["id"])
        csleuth(*flags, "--root", root, "timeline", "-o", "/dev/null")
    return len(ps), err


def diff_snap(before, after):
    return [k for k in before if before[k] != after.get(k)] + [k for k in after if k not in before]


def check(t, label, src, tmp, flags=(), more=False):
    root = os.path.join(tmp, label)
    subprocess.run(["cp", "-a", src, root], check=True)
    age_atimes(root)
    with bind(root, "ro") as view:
        before = snapshot(view)
        n, err = run_everything(root, flags, files=more)
        after = snapshot(view)
        t.ok(n > 0, f"{label}: the commands read {n} containers")
        changed = diff_snap(before, after)
        links = [k for k in changed if stat.S_ISLNK(before[k][0])]
        others = [k for k in changed if k not in links]
        # a link's entry: mode, uid, gid, size, mtime, atime, ctime, target
        only_atime = all(before[k][:5] + before[k][6:] == after[k][:5] + after[k][6:] for k in links)
        t.ok(not others and only_atime and before.keys() == after.keys(),
             f"{label}: writable mount: every file and directory unchanged, of the links only "
             f"access times ({len(links)} of them)",
             "\n".join(f"{k}: {before.get(k)} -> {after.get(k)}" for k in (others or changed)[:10]))
        lines = err.splitlines()
        t.ok(sum(NOTE in x for x in lines) == 1 and NOTE in lines[0] and root.encode() in lines[0],
             f"{label}: writable mount: csleuth says so once, first, naming the root", err[:600])
        t.ok(b"symbolic link" in lines[0] and b"read-only" in lines[0],
             f"{label}: the note says what changes and how to avoid it")
        if more:
            # the same commands over the read-only view: nothing changes at all
            n2, err2 = run_everything(view, flags, files=True)
            again = snapshot(view)
            t.ok(n2 == n and not diff_snap(after, again),
                 f"{label}: read-only mount: nothing changes, links included",
                 "\n".join(f"{k}: {after.get(k)} -> {again.get(k)}" for k in diff_snap(after, again)[:10]))
            t.ok(NOTE not in err2, f"{label}: read-only mount: no note", err2[:300])
    if more:
        # writable but noatime: nothing changes either
        age_atimes(root)
        with bind(root, "noatime") as rw, bind(root, "ro") as view:
            before = snapshot(view)
            n3, err3 = run_everything(rw, flags, files=True)
            after = snapshot(view)
            t.ok(n3 == n and not diff_snap(before, after) and NOTE not in err3,
                 f"{label}: writable noatime mount: nothing changes, no note",
                 "\n".join(f"{k}: {before.get(k)} -> {after.get(k)}" for k in diff_snap(before, after)[:10]))


def main():
    t = Tap()
    if os.geteuid() != 0:
        t.skip("needs root: the fixture's device nodes, O_NOATIME on others' files, bind mounts")
        t.done()
    with tempfile.TemporaryDirectory() as tmp:
        t.run(check, "overlay2", fixture("overlay2"), tmp, (), True)
        t.run(check, "overlay2-walk", fixture("overlay2"), tmp, ("--no-openat2",))
        t.run(check, "overlay", fixture("overlay"), tmp)
        rd = realdata("aufs.v1")
        if rd:
            t.run(check, "aufs.v1", rd, tmp)
        else:
            t.skip("aufs.v1: ../shared/realdata is absent")
    t.done()


main()
