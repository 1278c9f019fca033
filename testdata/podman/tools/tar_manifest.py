#!/usr/bin/env python3
"""Read a tar stream on stdin, print a JSON manifest of its members on stdout.
Names are given as text (invalid UTF-8 shown as \\xNN) and as hex of the raw bytes."""
import hashlib, json, sys, tarfile

class HashingReader:
    def __init__(self, f):
        self.f, self.h, self.n = f, hashlib.sha256(), 0
    def read(self, n=-1):
        b = self.f.read(n)
        self.h.update(b)
        self.n += len(b)
        return b

TYPES = {tarfile.REGTYPE: "file", tarfile.AREGTYPE: "file", tarfile.CONTTYPE: "file",
         tarfile.LNKTYPE: "hardlink", tarfile.SYMTYPE: "symlink", tarfile.CHRTYPE: "char",
         tarfile.BLKTYPE: "block", tarfile.DIRTYPE: "dir", tarfile.FIFOTYPE: "fifo",
         tarfile.GNUTYPE_SPARSE: "sparse"}

def raw(s):
    return s.encode("utf-8", "surrogateescape")

def text(b):
    return b.decode("utf-8", "backslashreplace")

def main():
    meta = dict(arg.split("=", 1) for arg in sys.argv[1:])
    src = HashingReader(sys.stdin.buffer)
    members = []
    with tarfile.open(fileobj=src, mode="r|", encoding="utf-8", errors="surrogateescape") as tf:
        for m in tf:
            name = raw(m.name)
            e = {"name": text(name), "name_hex": name.hex(),
                 "type": TYPES.get(m.type, "other"), "typeflag": m.type.decode("latin-1"),
                 "mode": m.mode, "mode_octal": "%04o" % m.mode,
                 "uid": m.uid, "gid": m.gid, "uname": m.uname, "gname": m.gname,
                 "size": m.size, "mtime": m.mtime}
            pax = dict(m.pax_headers)
            if "mtime" in pax:
                e["mtime_pax"] = pax["mtime"]
            if m.type in (tarfile.LNKTYPE, tarfile.SYMTYPE):
                ln = raw(m.linkname)
                e["linkname"] = text(ln)
                e["linkname_hex"] = ln.hex()
            if m.isreg():
                f = tf.extractfile(m)
                h = hashlib.sha256()
                for chunk in iter(lambda: f.read(65536), b""):
                    h.update(chunk)
                e["sha256"] = h.hexdigest()
            if m.ischr() or m.isblk():
                e["devmajor"], e["devminor"] = m.devmajor, m.devminor
            xattrs = {}
            for k, v in pax.items():
                if k.startswith("SCHILY.xattr."):
                    vb = raw(v)
                    xattrs[k[len("SCHILY.xattr."):]] = {"hex": vb.hex(), "text": text(vb)}
            if xattrs:
                e["xattrs"] = xattrs
            other = {k: text(raw(v)) for k, v in pax.items()
                     if not k.startswith("SCHILY.xattr.") and k not in ("path", "linkpath")}
            if other:
                e["pax"] = other
            e["format_hint"] = "pax" if pax else "ustar/gnu"
            members.append(e)
    rest = src.read()  # trailing zero blocks count in the stream checksum
    while rest:
        rest = src.read()
    meta.update({"tar_sha256": src.h.hexdigest(), "tar_size": src.n,
                 "member_count": len(members), "members": members})
    # one member per line: small, and diffs stay readable
    members = meta.pop("members")
    head = json.dumps(meta, ensure_ascii=True)[:-1]
    out = sys.stdout
    out.write(head + ', "members": [\n')
    out.write(",\n".join(json.dumps(e, ensure_ascii=True, sort_keys=False) for e in members))
    out.write("\n]}\n")

main()
