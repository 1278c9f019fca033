#!/usr/bin/env python3
"""bbolt_dump.py - dump a bbolt (etcd-io/bbolt, boltdb) file as JSON, standard library only.

    python3 bbolt_dump.py FILE [--meta-only]

A test oracle for csleuth's C bbolt reader: it reads the file the way bbolt itself does
(bbolt page.go/node.go/bucket.go/db.go layout) and prints

  {"file_size", "page_size", "meta": [meta0, meta1] (magic, version, flags, root,
   sequence, freelist, high-water pgid, txid, checksum, checksum_ok),
   "meta_used": 0|1 (valid meta with the highest txid), "tree": <bucket>}

where a bucket is {"root": pgid (0 = inline), "sequence": n, "entries": [...]} and each
entry is {"key": text, "value": text} or {"key": text, "bucket": <bucket>}; keys/values that
are not valid UTF-8 are given as "key_hex"/"value_hex" instead. Entries are in bbolt order
(byte-wise sorted keys). Layout facts used:
  page header: id u64, flags u16, count u16, overflow u32 (16 bytes, little endian)
  flags: branch 0x01, leaf 0x02, meta 0x04, freelist 0x10
  meta: magic 0xED0CDAED, version 2, page size, flags, root bucket {root u64, seq u64},
        freelist u64, pgid u64, txid u64, checksum u64 = FNV-1a 64 of the 56 meta bytes before it
  branch element (16 bytes): pos u32, ksize u32, pgid u64 (key at element offset + pos)
  leaf element (16 bytes): flags u32 (0x01 = sub-bucket), pos u32, ksize u32, vsize u32
  bucket value: {root u64, sequence u64}, followed by an inline page when root == 0
"""
import json
import struct
import sys

MAGIC = 0xED0CDAED
BRANCH, LEAF, META, FREELIST = 0x01, 0x02, 0x04, 0x10
BUCKET_LEAF_FLAG = 0x01
PAGE_HDR = 16


def fnv1a64(data):
    h = 0xCBF29CE484222325
    for b in data:
        h ^= b
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def read_meta(buf, off):
    pid, flags, count, overflow = struct.unpack_from("<QHHI", buf, off)
    m = off + PAGE_HDR
    magic, version, page_size, mflags, root, seq, freelist, pgid, txid, checksum = \
        struct.unpack_from("<IIIIQQQQQQ", buf, m)
    ok = magic == MAGIC and fnv1a64(buf[m:m + 56]) == checksum
    return {"page_id": pid, "page_flags": flags, "magic": "%#x" % magic, "version": version,
            "page_size": page_size, "flags": mflags, "root": root, "sequence": seq,
            "freelist": freelist, "pgid": pgid, "txid": txid, "checksum": "%016x" % checksum,
            "checksum_ok": ok}


def enc(b, field, out):
    try:
        out[field] = b.decode("utf-8")
    except UnicodeDecodeError:
        out[field + "_hex"] = b.hex()


class Bolt:
    def __init__(self, buf):
        self.buf = buf
        m0 = read_meta(buf, 0)
        ps = m0["page_size"] if m0["checksum_ok"] else 4096
        m1 = read_meta(buf, ps)
        if not m0["checksum_ok"] and m1["checksum_ok"]:
            ps = m1["page_size"]
        self.page_size = ps
        self.metas = [m0, m1]
        valid = [i for i, m in enumerate(self.metas) if m["checksum_ok"]]
        if not valid:
            raise SystemExit("no valid meta page")
        self.meta_used = max(valid, key=lambda i: self.metas[i]["txid"])

    def page(self, pgid):
        return self.buf, pgid * self.page_size

    def walk_page(self, buf, off, out):
        """Append (key, flags, value) of the leaf elements under the page at buf[off]."""
        pid, flags, count, overflow = struct.unpack_from("<QHHI", buf, off)
        if flags & BRANCH:
            for i in range(count):
                eo = off + PAGE_HDR + i * 16
                pos, ksize, child = struct.unpack_from("<IIQ", buf, eo)
                b, o = self.page(child)
                self.walk_page(b, o, out)
        elif flags & LEAF:
            for i in range(count):
                eo = off + PAGE_HDR + i * 16
                eflags, pos, ksize, vsize = struct.unpack_from("<IIII", buf, eo)
                k = bytes(buf[eo + pos:eo + pos + ksize])
                v = bytes(buf[eo + pos + ksize:eo + pos + ksize + vsize])
                out.append((k, eflags, v))
        else:
            raise ValueError("page %d at %d: unexpected flags %#x" % (pid, off, flags))

    def bucket(self, root, seq, inline=None):
        items = []
        if root == 0:
            self.walk_page(inline, 0, items)
        else:
            b, o = self.page(root)
            self.walk_page(b, o, items)
        entries = []
        for k, eflags, v in items:
            e = {}
            enc(k, "key", e)
            if eflags & BUCKET_LEAF_FLAG:
                r, s = struct.unpack_from("<QQ", v, 0)
                e["bucket"] = self.bucket(r, s, v[16:] if r == 0 else None)
            else:
                enc(v, "value", e)
            entries.append(e)
        return {"root": root, "sequence": seq, "entries": entries}

    def dump(self):
        m = self.metas[self.meta_used]
        return {"file_size": len(self.buf), "page_size": self.page_size, "meta": self.metas,
                "meta_used": self.meta_used, "tree": self.bucket(m["root"], m["sequence"])}


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) != 1:
        raise SystemExit(__doc__)
    with open(args[0], "rb") as f:
        buf = f.read()
    d = Bolt(buf)
    out = d.dump()
    if "--meta-only" in sys.argv:
        del out["tree"]
    json.dump(out, sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
