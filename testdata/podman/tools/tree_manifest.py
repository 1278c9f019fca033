#!/usr/bin/env python3
"""tree_manifest.py - JSON manifest of a directory tree (e.g. a read-only overlay mount).

    python3 tree_manifest.py ROOT [key=value ...]   > manifest.json

Prints the key=value pairs, then "member_count" and "members": one object per entry below
ROOT (ROOT itself is the entry "."), sorted by the raw bytes of the path, one per line:
  name (relative, invalid UTF-8 as \\xNN), name_hex, type (file, dir, symlink, char, block,
  fifo, socket), mode (permission bits, octal string), uid, gid, nlink, size (files and
  symlinks), mtime_ns (integer nanoseconds), sha256 (files), linkname (symlinks),
  devmajor/devminor (devices), xattrs {name: {hex, text}} as listed through the mount.
"""
import hashlib
import json
import os
import stat
import sys

TYPES = [(stat.S_ISREG, "file"), (stat.S_ISDIR, "dir"), (stat.S_ISLNK, "symlink"),
         (stat.S_ISCHR, "char"), (stat.S_ISBLK, "block"), (stat.S_ISFIFO, "fifo"),
         (stat.S_ISSOCK, "socket")]


def text(b):
    return b.decode("utf-8", "backslashreplace")


def entry(root, rel):
    p = os.path.join(root, rel) if rel != b"." else root
    st = os.lstat(p)
    t = next(n for f, n in TYPES if f(st.st_mode))
    e = {"name": text(rel), "name_hex": rel.hex(), "type": t,
         "mode": "%04o" % stat.S_IMODE(st.st_mode), "uid": st.st_uid, "gid": st.st_gid,
         "nlink": st.st_nlink, "mtime_ns": st.st_mtime_ns}
    if t in ("file", "symlink"):
        e["size"] = st.st_size
    if t == "file":
        h = hashlib.sha256()
        with open(p, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 16), b""):
                h.update(chunk)
        e["sha256"] = h.hexdigest()
    if t == "symlink":
        e["linkname"] = text(os.readlink(p))
    if t in ("char", "block"):
        e["devmajor"], e["devminor"] = os.major(st.st_rdev), os.minor(st.st_rdev)
    try:
        names = os.listxattr(p, follow_symlinks=False)
    except OSError:
        names = []
    if names:
        xa = {}
        for n in sorted(names):
            try:
                v = os.getxattr(p, n, follow_symlinks=False)
            except OSError as err:
                xa[n] = {"error": err.strerror}
                continue
            xa[n] = {"hex": v.hex(), "text": text(v)}
        e["xattrs"] = xa
    return e


def main():
    root = os.fsencode(sys.argv[1])
    meta = dict(a.split("=", 1) for a in sys.argv[2:])
    rels = [b"."]
    for d, dirs, files in os.walk(root):
        for n in dirs + files:
            rels.append(os.path.relpath(os.path.join(d, n), root))
    rels.sort(key=lambda r: b"" if r == b"." else r)
    members = [entry(root, r) for r in rels]
    meta["member_count"] = len(members)
    head = json.dumps(meta, ensure_ascii=True)[:-1]
    sys.stdout.write(head + ', "members": [\n')
    sys.stdout.write(",\n".join(json.dumps(e, ensure_ascii=True) for e in members))
    sys.stdout.write("\n]}\n")


if __name__ == "__main__":
    main()
