#!/usr/bin/env python3
"""tree_manifest.py — JSON manifest of a directory tree exactly as stored on disk.

Usage: tree_manifest.py ROOT [key=value ...]  > manifest.json

Walks ROOT without following symlinks, depth first, names in byte order, and prints one JSON object whose
"members" array has one member per line:

  name      path relative to ROOT ("." is ROOT itself); invalid UTF-8 as \\xNN
  name_hex  the raw bytes of that path, hex
  type      file, dir, symlink, char, block, fifo, socket
  mode      permission bits incl. setuid/setgid/sticky (st_mode & 0o7777), and mode_octal
  uid, gid  numeric owners as stored on disk (no id mapping applied)
  size      st_size (files: bytes; symlinks: length of the target)
  mtime_ns  st_mtime in nanoseconds since the epoch (integer), mtime as "sec.nnnnnnnnn"
  nlink     link count; hardlink_of: the first member (walk order) with the same inode
  sha256    content digest (regular files)
  linkname  symlink target (and linkname_hex)
  devmajor, devminor   char/block devices (overlay whiteouts are char 0/0)
  xattrs    {name: {hex, text}} — every namespace the caller may read (trusted.* as root)
  blocks    st_blocks (512-byte units), only when the file is sparse (blocks*512 < size)

The header holds the key=value arguments, root_name, member_count and counts of
whiteouts (char 0/0) and opaque directories (trusted.overlay.opaque or
user.overlay.opaque = "y").
"""
import hashlib
import json
import os
import stat
import sys


def text(b):
    return b.decode("utf-8", "backslashreplace")


def xattrs_of(path):
    out = {}
    try:
        names = os.listxattr(path, follow_symlinks=False)
    except OSError:
        return out
    for n in sorted(names):
        try:
            v = os.getxattr(path, n, follow_symlinks=False)
        except OSError:
            continue
        out[n] = {"hex": v.hex(), "text": text(v)}
    return out


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


TYPES = [(stat.S_ISREG, "file"), (stat.S_ISDIR, "dir"), (stat.S_ISLNK, "symlink"),
         (stat.S_ISCHR, "char"), (stat.S_ISBLK, "block"), (stat.S_ISFIFO, "fifo"),
         (stat.S_ISSOCK, "socket")]


def kind(m):
    for f, k in TYPES:
        if f(m):
            return k
    return "other"


def main():
    root = os.fsencode(sys.argv[1]).rstrip(b"/") or b"/"
    meta = dict(arg.split("=", 1) for arg in sys.argv[2:])
    inodes = {}
    members = []
    wh = op = 0
    order = []

    def rec(rel, absd):
        try:
            names = sorted(os.listdir(absd))
        except OSError:
            return
        for n in names:
            r = n if not rel else rel + b"/" + n
            a = absd + b"/" + n
            order.append((r, a))
            if stat.S_ISDIR(os.lstat(a).st_mode):
                rec(r, a)

    order.append((b".", root))
    rec(b"", root)
    for rel, a in order:
        st = os.lstat(a)
        k = kind(st.st_mode)
        e = {"name": text(rel), "name_hex": rel.hex(), "type": k,
             "mode": stat.S_IMODE(st.st_mode), "mode_octal": "%04o" % stat.S_IMODE(st.st_mode),
             "uid": st.st_uid, "gid": st.st_gid, "size": st.st_size,
             "mtime_ns": st.st_mtime_ns,
             "mtime": "%d.%09d" % divmod(st.st_mtime_ns, 10**9),
             "nlink": st.st_nlink}
        if k != "dir" and st.st_nlink > 1:
            key = (st.st_dev, st.st_ino)
            if key in inodes:
                e["hardlink_of"] = inodes[key]
            else:
                inodes[key] = e["name"]
        if k == "file":
            e["sha256"] = sha256_file(a)
            if st.st_blocks * 512 < st.st_size:
                e["blocks"] = st.st_blocks
        elif k == "symlink":
            t = os.readlink(a)
            e["linkname"] = text(t)
            e["linkname_hex"] = t.hex()
        elif k in ("char", "block"):
            e["devmajor"], e["devminor"] = os.major(st.st_rdev), os.minor(st.st_rdev)
            if k == "char" and st.st_rdev == 0:
                wh += 1
        x = xattrs_of(a)
        if x:
            e["xattrs"] = x
            if k == "dir" and any(n.endswith("overlay.opaque") and v["text"] == "y"
                                  for n, v in x.items()):
                op += 1
        members.append(e)
    meta.update({"root_name": os.path.basename(root).decode("utf-8", "backslashreplace"),
                 "member_count": len(members), "whiteouts_char00": wh, "opaque_dirs": op})
    head = json.dumps(meta, ensure_ascii=True)[:-1]
    out = sys.stdout
    out.write(head + ', "members": [\n')
    out.write(",\n".join(json.dumps(e, ensure_ascii=True) for e in members))
    out.write("\n]}\n")


if __name__ == "__main__":
    main()
