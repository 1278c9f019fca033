#!/usr/bin/env python3
"""Triage archives: a host tree packed by GNU tar (pax, with xattrs and
device nodes) and compressed with gzip, zstd and xz reads, entry by entry,
as the directory it was made from (owners, modes, nanosecond times, xattrs,
whiteouts, hard links, content); every command prints what it prints from
the directory (a tar records no birth times: timelines are compared with
the birth-time column aside); a collection that left directories out says
"not collected" for them and never warns of damage; a zip made the way a
collector makes one (a wrapper directory, only configuration files) is
found and read; the archive is unchanged afterwards.
"""
import json
import os
import subprocess
import tempfile
import zipfile

import diskimg
from harness import Tap
from imgcheck import CSDUMP, check_unchanged, command_set, nlines, out


def bodyfile_norm(b):
    """Body file rows without inode, directory size and birth time."""
    rows = []
    for line in b.split(b"\n"):
        f = line.split(b"|")
        if len(f) == 11:
            f[2] = b""
            if f[3].startswith(b"d/"):
                f[6] = b""
            f[10] = b""
        rows.append(b"|".join(f))
    return b"\n".join(rows)


def diff_json_norm(b):
    """diff --json without what a tar does not record: directory sizes and
    birth times."""
    def walk(x):
        if isinstance(x, dict):
            if x.get("type") == "dir":
                x["size"] = 0
            x.pop("btime", None)
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)
        return x
    try:
        return json.dumps(walk(json.loads(b)), sort_keys=True).encode()
    except ValueError:
        return b


def make_tar(host, dest, compress, *exclude):
    args = ["tar", "--xattrs", "--xattrs-include=*", "--numeric-owner", "--format=pax", "-C", host]
    args += [f"--exclude=./{e}" for e in exclude]
    if compress:
        args.append({"gz": "-z", "zst": "--zstd", "xz": "-J"}[compress])
    subprocess.run(args + ["-cf", dest, "."], check=True)
    return dest


def check_dump(t, name, arc, host):
    a = subprocess.run([CSDUMP, "--archive", arc, "--skip", "ino", "--skip", "blocks", "--skip", "btime"],
                       capture_output=True)
    b = subprocess.run([CSDUMP, "--dir", host, "--skip", "ino", "--skip", "blocks", "--skip", "btime"],
                       capture_output=True)
    t.ok(a.returncode == 0 and a.stdout == b.stdout and nlines(b.stdout) > 1000,
         f"{name}: every entry reads as in the directory ({nlines(b.stdout)} entries: owners, modes, ns "
         "atime/mtime/ctime, xattrs, device numbers, hard links, content)", diskimg.dump_diff(a.stdout, b.stdout))


def check_commands(t, name, arc, host, full):
    cmds, n = command_set(["--sysroot", host], full=full,
                          only=None if full else ["ps --json", "inspect containers", "diff --json rich",
                                                  "export rich", "timeline bodyfile"])
    bad = []
    for label, args in cmds:
        if label.startswith("timeline") and label != "timeline bodyfile":
            continue  # a tar keeps no birth times: compared through the body file
        r1 = out("--archive", arc, *args)
        r2 = out("--sysroot", host, *args)
        o1, o2 = r1[1], r2[1]
        if label == "timeline bodyfile":
            o1, o2 = bodyfile_norm(o1), bodyfile_norm(o2)
        if label.startswith("diff --json"):
            o1, o2 = diff_json_norm(o1), diff_json_norm(o2)
        if r1[0] != r2[0] or o1 != o2:
            bad.append(f"{label}: exit {r1[0]} vs {r2[0]}; {len(o1)} vs {len(o2)} bytes; {r1[2][-300:]!r}")
    t.ok(not bad, f"{name}: {len(cmds)} commands print what they print from the directory (birth times and "
         "directory sizes aside, which a tar does not record)", "\n".join(bad[:8]))


def uncollected(b):
    """A ps/images --json listing without the problems that only say a
    file was not collected; and whether every problem said so and no item
    is flagged incomplete."""
    items = json.loads(b)
    only = True
    for it in items:
        for p in it.pop("problems", []):
            only = only and p["message"].startswith("not collected: ")
        only = only and not it["incomplete"]
    return items, only


def check_partial(t, host, work):
    arc = make_tar(host, os.path.join(work, "partial.tar.gz"), "gz", "var/lib/docker/overlay2")
    rc, o, e = out("--archive", arc, "ps", "--json")
    rc2, o2, _ = out("--sysroot", host, "ps", "--json")
    got, only = uncollected(o)
    want, _ = uncollected(o2)
    t.ok(rc == 0 and got == want and only and b"warning" not in e,
         "partial: ps lists every container without the layers (exit 0); what is missing is `not collected`, "
         "no item is flagged incomplete, no warning", e[-400:])
    rc, o, e = out("--archive", arc, "diff", "rich")
    t.ok(rc == 1 and b"not collected" in e and b"warning" not in e,
         "partial: a container whose layers were left out says they were not collected (no warning of "
         "damage)", e[-600:])
    rc, o, e = out("--archive", arc, "inspect", "rich")
    t.ok(rc == 0 and json.loads(o)[0]["Name"] == "/rich", "partial: inspect works (exit 0)", e[-300:])
    rc, o, e = out("--archive", arc, "ps", "--json", "--provenance")
    ev = json.loads(o)["provenance"]["evidence"] if rc == 0 else {}
    t.ok(ev.get("option") == "--archive" and ev.get("read_as") == "host filesystem"
         and [(f["path"], f["size"]) for f in ev.get("files", [])] == [(arc, os.path.getsize(arc))],
         "partial: provenance names the archive, its size, and that its top was read as a host", ev or e[-300:])


def check_zip(t, host, work):
    """A collector's zip: a wrapper directory around [root]/etc and the
    engine's configuration files and volumes (no layers)."""
    arc = os.path.join(work, "collection.zip")
    top = "uac-cshost-linux-20261126/[root]"
    with zipfile.ZipFile(arc, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("uac-cshost-linux-20261126/uac.log", "collection log\n")
        for sub in ("etc", "var/lib/docker/containers", "var/lib/docker/image", "var/lib/docker/volumes"):
            base = os.path.join(host, sub)
            for dirpath, dirnames, filenames in os.walk(base):
                for f in filenames:
                    p = os.path.join(dirpath, f)
                    if os.path.islink(p) or not os.path.isfile(p):
                        continue
                    z.write(p, os.path.join(top, os.path.relpath(p, host)))
    rc, o, e = out("--archive", arc, "ps", "--json")
    rc2, o2, _ = out("--sysroot", host, "ps", "--json")
    t.ok(rc == 0 and uncollected(o)[0] == uncollected(o2)[0] and b"[root]" in e,
         "zip: the host tree is found below the collector's wrapper and ps reads as from the directory", e[-400:])
    for args in (["images", "--json"], ["history", "csx/app:1.0"]):
        r1, r2 = out("--archive", arc, *args), out("--sysroot", host, *args)
        t.ok(r1[0] == r2[0] == 0 and r1[1] == r2[1], f"zip: {' '.join(args)} reads as from the directory",
             r1[2][-300:])


def main():
    t = Tap()
    if os.geteuid() != 0:
        t.skip("needs root: the fixtures' device nodes and trusted.* xattrs")
        t.done()
    lay = diskimg.build("gpt", diskimg.gpt_disk)
    host = lay["host"]
    with tempfile.TemporaryDirectory() as work:
        for comp in ("", "gz", "zst", "xz"):
            name = "tar" + (f".{comp}" if comp else "")
            arc = make_tar(host, os.path.join(work, "host." + name), comp)
            before = {arc: diskimg.sha256(arc)}
            t.run(check_dump, name, arc, host)
            t.run(check_commands, name, arc, host, comp == "zst")
            check_unchanged(t, name, [arc], before)
        t.run(check_partial, host, work)
        t.run(check_zip, host, work)
    t.done()


main()
