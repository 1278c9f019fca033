"""Shared checks of the disk-image tests: running a command set over an
image and over the directory (or kernel mount) it stands for, and comparing
byte for byte."""
import os
import re
import subprocess
import tempfile

import diskimg
from fsview import walk_tree
from harness import BIN, csleuth, csleuth_json

CSDUMP = os.environ.get("CSDUMP", "csdump")


def out(*args):
    rc, o, e = csleuth(*args)
    return rc, o, e


def command_set(src_args, full=True, only=None):
    """(label, args) for the commands over the evidence csleuth sees at
    src_args; the containers and images are asked of csleuth itself. full:
    every command for every container and image; else a few, or those
    whose labels start with one of `only`."""
    rc, ps, _ = csleuth_json(*src_args, "ps", "--json")
    rc, ims, _ = csleuth_json(*src_args, "images", "--json")
    cts = [c["id"] for c in ps]
    names = [c["name"].lstrip("/") for c in ps]
    cmds = [("ps", ["ps"]), ("ps --json", ["ps", "--json", "--no-trunc"]), ("images", ["images", "--digests"]),
            ("images --json", ["images", "--json"]), ("inspect containers", ["inspect", *cts]),
            ("inspect images", ["inspect", "--type", "image", *[i["id"] for i in ims]]),
            ("timeline", ["timeline"]),
            ("timeline jsonl --logs --layers --hash", ["timeline", "--format", "jsonl", "--logs", "--layers", "--hash"]),
            ("timeline bodyfile", ["timeline", "--format", "bodyfile"])]
    pick = range(len(names)) if full else range(min(3, len(names)))
    for i in pick:
        n = names[i]
        cmds += [(f"diff {n}", ["diff", n]), (f"diff --json {n}", ["diff", "--json", n]),
                 (f"export {n}", ["export", "-o", "-", n])]
        if full:
            cmds += [(f"logs -t {n}", ["logs", "-t", n]), (f"logs --json {n}", ["logs", "--json", n])]
    if full:
        for i in ims:
            ref = i["tags"][0] if i.get("tags") else i["id"]
            cmds += [(f"history {ref}", ["history", ref]), (f"history --json {ref}", ["history", "--json", ref])]
    if only:
        cmds = [c for c in cmds if any(c[0] == o or c[0].startswith(o + " ") for o in only)]
    return cmds, len(cts)


def nlines(b):
    return b.count(b"\n")


def bodyfile_no_inode(b):
    return b"\n".join(b"|".join(l.split(b"|")[:2] + l.split(b"|")[3:]) for l in b.split(b"\n"))


def no_dir_sizes(b):
    """A directory's size is its file system's own layout (mkfs -d packs a
    big directory tighter than the kernel did): blank it in timelines."""
    b = re.sub(rb"\(dir, \d+ bytes\)", b"(dir)", b)
    b = re.sub(rb'"size":\d+,"mode":"(0o)?4', rb'"size":0,"mode":"\g<1>4', b)
    b = re.sub(rb",\d+,(0o)?4([0-7]{4}),", rb",0,\g<1>4\2,", b)
    b = re.sub(rb"(\|d/[^|]*\|\d+\|\d+\|)\d+", rb"\g<1>0", b)
    return b


def compare(t, label, img_args, dir_args, full=True, same_inodes=False, only=None):
    cmds, n = command_set(dir_args, full or bool(only), only)
    t.ok(n > 0, f"{label}: the directory holds {n} containers")
    bad = []
    for name, args in cmds:
        rc1, o1, e1 = out(*img_args, *args)
        rc2, o2, e2 = out(*dir_args, *args)
        if name == "timeline bodyfile" and not same_inodes:
            o1, o2 = bodyfile_no_inode(o1), bodyfile_no_inode(o2)
        if name.startswith("timeline") and not same_inodes:
            o1, o2 = no_dir_sizes(o1), no_dir_sizes(o2)
        if rc1 != rc2 or o1 != o2:
            bad.append(f"{name}: exit {rc1} vs {rc2}; {len(o1)} vs {len(o2)} bytes; {e1[-300:]!r}")
    t.ok(not bad, f"{label}: {len(cmds)} commands print byte for byte what they print from the directory"
         + ("" if same_inodes else " (in timelines, inode numbers and directory sizes aside: the file "
            "system's own)"), "\n".join(bad[:10]))


def files_of(args):
    return [a for k, a in zip(args, args[1:]) if k == "--image"]


def check_unchanged(t, label, files, before):
    after = {f: diskimg.sha256(f) for f in files}
    t.ok(after == before, f"{label}: the image's {len(files)} file(s) are unchanged (sha256)")




def can_fuse():
    return os.geteuid() == 0 and os.path.exists("/dev/fuse")


def mounted_view(src_args, name):
    """walk_tree of `csleuth SRC mount NAME` (csleuth's own provenance
    xattr dropped), or raises."""
    mnt = tempfile.mkdtemp(prefix="csx-img-fuse-")
    try:
        p = subprocess.run([BIN, *src_args, "mount", name, mnt], capture_output=True, timeout=120)
        if p.returncode not in (0, 3):
            raise RuntimeError(f"mount failed ({p.returncode}): {p.stderr.decode(errors='replace')}")
        try:
            tree = walk_tree(mnt)
        finally:
            subprocess.run([BIN, "umount", mnt], capture_output=True)
        for r in tree.values():
            r.get("xattrs", {}).pop("user.csleuth.evidence_path", None)
        return tree
    finally:
        os.rmdir(mnt)
