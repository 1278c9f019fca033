#!/usr/bin/env python3
"""fstools.py — manifests of mounted trees, and Docker's `ChangesDirs` over two trees.

  fstools.py manifest DIR [key=value ...]
      One JSON object: the key=value pairs, "entry_count", then "entries": one object per
      line for every path under DIR (DIR itself is "/"), sorted by raw path bytes:
      path (text, invalid UTF-8 as \\xNN), path_hex, type (file|dir|symlink|char|block|fifo|
      socket), mode_octal (permission bits incl. setuid/sticky), uid, gid, size (files and
      symlinks), nlink, mtime_ns, rdev_major/rdev_minor (devices), link (symlink target),
      sha256 (regular files), xattrs {name: hex} (all namespaces the kernel shows; on an
      overlay mount trusted.overlay.* are hidden by the kernel).
      Walked with lstat: nothing is followed.

  fstools.py changes NEWDIR OLDDIR
      The changes `docker diff` reports, computed with the algorithm of moby's
      go-archive `ChangesDirs(newDir, oldDir)` (changes.go: walk both trees; a path only in
      new = Add (1), only in old = Delete (2), in both with a different mode, uid, gid, rdev,
      security.capability xattr or, for non-directories, size or mtime = Modify (0); a
      directory with changes below it that is not itself added/modified is reported as
      Modify; children of an added or deleted directory: added ones are listed, deleted
      ones are not). Go iterates maps in random order; the output here is sorted by path.
      Output: [{"Path": "/x", "Kind": n}, ...] (the Engine API's ContainerChanges shape).
"""
import hashlib
import json
import os
import stat
import sys

TYPES = [(stat.S_ISREG, "file"), (stat.S_ISDIR, "dir"), (stat.S_ISLNK, "symlink"), (stat.S_ISCHR, "char"),
         (stat.S_ISBLK, "block"), (stat.S_ISFIFO, "fifo"), (stat.S_ISSOCK, "socket")]


def ftype(m):
    for f, n in TYPES:
        if f(m):
            return n
    return "other"


def text(b):
    return b.decode("utf-8", "backslashreplace")


def walk(root):
    """Yield (relative bytes path, abs bytes path) for root and everything under it."""
    rootb = os.fsencode(root)
    yield b"/", rootb
    stack = [b""]
    while stack:
        rel = stack.pop()
        absd = rootb + rel
        try:
            names = sorted(os.listdir(absd))
        except NotADirectoryError:
            continue
        for n in names:
            r = rel + b"/" + n
            a = rootb + r
            yield r, a
            if stat.S_ISDIR(os.lstat(a).st_mode):
                stack.append(r)


def xattrs(a):
    out = {}
    try:
        for n in sorted(os.listxattr(a, follow_symlinks=False)):
            try:
                out[n] = os.getxattr(a, n, follow_symlinks=False).hex()
            except OSError as e:
                out[n] = "error:%d" % e.errno
    except OSError:
        pass
    return out


def entry(rel, a):
    st = os.lstat(a)
    t = ftype(st.st_mode)
    e = {"path": text(rel), "path_hex": rel.hex(), "type": t, "mode_octal": "%04o" % stat.S_IMODE(st.st_mode),
         "uid": st.st_uid, "gid": st.st_gid, "nlink": st.st_nlink, "mtime_ns": st.st_mtime_ns}
    if t in ("file", "symlink"):
        e["size"] = st.st_size
    if t == "file":
        h = hashlib.sha256()
        with open(a, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        e["sha256"] = h.hexdigest()
    if t == "symlink":
        e["link"] = text(os.readlink(a))
    if t in ("char", "block"):
        e["rdev_major"], e["rdev_minor"] = os.major(st.st_rdev), os.minor(st.st_rdev)
    x = xattrs(a)
    if x:
        e["xattrs"] = x
    return e


def manifest(root, meta):
    entries = sorted((entry(r, a) for r, a in walk(root)), key=lambda e: bytes.fromhex(e["path_hex"]))
    meta["entry_count"] = len(entries)
    head = json.dumps(meta, ensure_ascii=True)[:-1]
    sys.stdout.write(head + ', "entries": [\n')
    sys.stdout.write(",\n".join(json.dumps(e, ensure_ascii=True) for e in entries))
    sys.stdout.write("\n]}\n")


# ---- ChangesDirs -------------------------------------------------------------------------
class FI:
    __slots__ = ("name", "parent", "children", "st", "cap", "added")

    def __init__(self, name, parent, st, cap):
        self.name, self.parent, self.st, self.cap = name, parent, st, cap
        self.children = {}
        self.added = False

    def path(self):
        if self.parent is None:
            return b"/"
        p = self.parent.path()
        return (p if p != b"/" else b"") + b"/" + self.name

    def isdir(self):
        return stat.S_ISDIR(self.st.st_mode)


def collect(root):
    rootb = os.fsencode(root)
    top = FI(b"/", None, os.lstat(rootb), None)

    def rec(node, absd):
        for n in os.listdir(absd):
            a = absd + b"/" + n
            st = os.lstat(a)
            try:
                cap = os.getxattr(a, "security.capability", follow_symlinks=False)
            except OSError:
                cap = None
            c = FI(n, node, st, cap)
            node.children[n] = c
            if stat.S_ISDIR(st.st_mode):
                rec(c, a)
    rec(top, rootb)
    return top


def same_time(a, b):
    # Go: a.Equal(b) || (a.Unix() == b.Unix() && (a.Nanosecond() == 0 || b.Nanosecond() == 0))
    if a == b:
        return True
    return a // 10**9 == b // 10**9 and (a % 10**9 == 0 or b % 10**9 == 0)


def stat_different(o, n):
    if o.st_mode != n.st_mode or o.st_uid != n.st_uid or o.st_gid != n.st_gid or o.st_rdev != n.st_rdev:
        return True
    if not stat.S_ISDIR(o.st_mode) and (not same_time(o.st_mtime_ns, n.st_mtime_ns) or o.st_size != n.st_size):
        return True
    return False


def add_changes(info, old, changes):
    size_at_entry = len(changes)
    if old is None:
        changes.append((info.path(), 1))
        info.added = True
    old_children = dict(old.children) if (old is not None and info.isdir()) else {}
    for name in sorted(info.children):
        nc = info.children[name]
        oc = old_children.get(name)
        if oc is not None:
            if stat_different(oc.st, nc.st) or (oc.cap or b"") != (nc.cap or b""):
                changes.append((nc.path(), 0))
                nc.added = True
            del old_children[name]
        add_changes(nc, oc, changes)
    for name in sorted(old_children):
        changes.append((old_children[name].path(), 2))
    if len(changes) > size_at_entry and info.isdir() and not info.added and info.path() != b"/":
        changes.insert(size_at_entry, (info.path(), 0))


def changes(newdir, olddir):
    new, old = collect(newdir), collect(olddir)
    out = []
    add_changes(new, old, out)
    out.sort(key=lambda c: c[0])
    json.dump([{"Path": text(p), "Kind": k} for p, k in out], sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")


def main():
    if sys.argv[1] == "manifest":
        meta = dict(a.split("=", 1) for a in sys.argv[3:])
        manifest(sys.argv[2], meta)
    elif sys.argv[1] == "changes":
        changes(sys.argv[2], sys.argv[3])
    else:
        sys.exit("usage: fstools.py manifest DIR [k=v...] | changes NEWDIR OLDDIR")


if __name__ == "__main__":
    main()
