#!/usr/bin/env python3
"""bbolt_dump.py — dump a bbolt file (containerd's meta.db, a snapshotter's metadata.db)
as JSON, reading the file directly (read-only, no bbolt library), so that csleuth's C
reader can be tested against it.

Usage: bbolt_dump.py FILE [--schema meta|snapshots|none] > dump.json

Output:
  file_size, page_size (from the chosen meta), pages_in_file
  metas[0..1]: every field of both meta pages (magic, version, page_size, flags, root
      {pgid, sequence}, freelist, hwm, txid, checksum, checksum_ok, valid)
  chosen_meta: the page bbolt itself would use (valid and highest txid)
  freelist: its page id and the free page ids (empty list if the meta says none)
  page_stats: counts of reachable branch / leaf pages, overflow pages, inline buckets,
      max depth; and for free pages: how many still hold a well-formed branch/leaf page
  tree: the root bucket, recursively. Every entry is
      {"key": text, "key_hex": hex, ...} followed by either
      "bucket": {"root_pgid": n (0 = inline), "sequence": n, "entries": [...]} or
      "value_len", "value_hex" (values up to 512 bytes) / "value_sha256" + "value_head_hex"
      (longer ones), "value_text" (if the bytes are printable UTF-8) and "decoded" where
      the --schema knows the key (times as RFC 3339 with ns, zigzag varints, uvarints,
      snapshot kinds, protobuf Any type URLs).
Keys that are not valid UTF-8 are given as text with \\xNN escapes; key_hex is exact.
"""
import hashlib
import json
import struct
import sys
from datetime import datetime, timedelta, timezone

MAGIC = 0xED0CDAED
P_BRANCH, P_LEAF, P_META, P_FREELIST = 0x01, 0x02, 0x04, 0x10
BUCKET_LEAF_FLAG = 0x01
MAX_INLINE_VALUE = 512


def fnv1a64(b):
    h = 0xcbf29ce484222325
    for x in b:
        h ^= x
        h = (h * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def text(b):
    return b.decode("utf-8", "backslashreplace")


def printable(b):
    try:
        s = b.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if all(c.isprintable() or c in "\n\t" for c in s):
        return s
    return None


def uvarint(b, i=0):
    x = s = 0
    while True:
        c = b[i]
        i += 1
        x |= (c & 0x7F) << s
        if c < 0x80:
            return x, i
        s += 7


def varint(b):
    u, _ = uvarint(b)
    return (u >> 1) ^ -(u & 1)


def go_time(b):
    """Go time.Time.MarshalBinary (version 1 or 2)."""
    if len(b) < 15 or b[0] not in (1, 2):
        return None
    sec = struct.unpack(">q", b[1:9])[0]
    nsec = struct.unpack(">i", b[9:13])[0]
    off_min = struct.unpack(">h", b[13:15])[0]
    unix = sec - 62135596800
    t = datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(seconds=unix)
    s = t.strftime("%Y-%m-%dT%H:%M:%S") + ".%09dZ" % nsec
    return {"rfc3339": s, "unix": unix, "nanos": nsec, "unix_ns": unix * 10**9 + nsec, "unix_ns_str": str(unix * 10**9 + nsec),
            "zone_offset_min": off_min, "version": b[0]}


def pb_any(b):
    """protobuf Any: field 1 type_url (0x0a), field 2 value (0x12)."""
    out, i = {}, 0
    try:
        while i < len(b):
            tag = b[i]
            i += 1
            ln, i = uvarint(b, i)
            v = b[i:i + ln]
            i += ln
            if tag == 0x0A:
                out["type_url"] = text(v)
            elif tag == 0x12:
                out["value_len"] = len(v)
                out["value_sha256"] = hashlib.sha256(v).hexdigest()
                if v[:1] in (b"{", b"["):
                    try:
                        json.loads(v)
                        out["value_is_json"] = True
                    except Exception:
                        pass
            else:
                return None
    except IndexError:
        return None
    return out if "type_url" in out else None


TIME_KEYS = {b"createdat", b"updatedat", b"expireat", b"startedat"}
ZIGZAG_KEYS = {b"size", b"inodes", b"version"}


def decode(schema, path, key, val):
    if schema == "none":
        return None
    if key in TIME_KEYS:
        return go_time(val)
    if schema == "meta":
        if key in ZIGZAG_KEYS and val:
            return {"varint": varint(val)}
        if key in (b"spec", b"options") or (len(path) >= 1 and path[-1] == b"extensions"):
            return {"any": pb_any(val)} if val else None
    if schema == "snapshots":
        if key == b"id" and val:
            return {"uvarint": uvarint(val)[0]}
        if key == b"kind" and len(val) == 1:
            return {"kind": {1: "view", 2: "active", 3: "committed"}.get(val[0], val[0])}
        if key in (b"size", b"inodes") and val:
            return {"varint": varint(val)}
        if len(path) >= 1 and path[-1] == b"parents":
            p, i = uvarint(key)
            c, _ = uvarint(key, i + 1)
            return {"parent_id": p, "child_id": c}
    return None


class DB:
    def __init__(self, data, schema):
        self.d = data
        self.schema = schema
        self.stats = {"branch_pages": 0, "leaf_pages": 0, "overflow_pages": 0, "inline_buckets": 0,
                      "buckets": 0, "keys": 0, "max_depth": 0, "pages_by_id": {}}
        self.metas = [self.meta(0, 4096), None]
        ps = self.metas[0]["page_size"] if self.metas[0]["valid"] else None
        if ps is None:  # probe like bbolt does
            for cand in (1024, 2048, 4096, 8192, 16384, 32768, 65536):
                m = self.meta(1, cand)
                if m["valid"]:
                    ps = cand
                    break
        self.ps = ps or 4096
        self.metas[1] = self.meta(1, self.ps)
        self.metas[0] = self.meta(0, self.ps)
        valid = [m for m in self.metas if m["valid"]]
        self.chosen = max(valid, key=lambda m: m["txid"]) if valid else None

    def meta(self, n, ps):
        off = n * ps
        h = self.d[off:off + 16]
        b = self.d[off + 16:off + 16 + 64]
        if len(b) < 64:
            return {"page": n, "valid": False, "error": "short file"}
        magic, version, psz, flags = struct.unpack("<IIII", b[:16])
        root, seq, freelist, hwm, txid, cksum = struct.unpack("<QQQQQQ", b[16:64])
        pid, pflags = struct.unpack("<QH", h[:10])
        ok = fnv1a64(b[:56]) == cksum
        return {"page": n, "page_header": {"id": pid, "flags": pflags}, "magic": "0x%08X" % magic,
                "version": version, "page_size": psz, "flags": flags,
                "root": {"pgid": root, "sequence": seq},
                "freelist": "0xFFFFFFFFFFFFFFFF" if freelist == 0xFFFFFFFFFFFFFFFF else freelist,
                "hwm": hwm, "txid": txid, "checksum": "0x%016X" % cksum, "checksum_ok": ok,
                "valid": magic == MAGIC and version == 2 and ok}

    def page(self, pgid):
        off = pgid * self.ps
        pid, flags, count, overflow = struct.unpack("<QHHI", self.d[off:off + 16])
        buf = self.d[off:off + (overflow + 1) * self.ps]
        return pid, flags, count, overflow, buf

    def elements(self, buf, flags, count):
        out = []
        for i in range(count):
            e = 16 + i * 16
            if flags & P_BRANCH:
                pos, ksize, child = struct.unpack("<IIQ", buf[e:e + 16])
                out.append(("branch", bytes(buf[e + pos:e + pos + ksize]), child))
            else:
                fl, pos, ksize, vsize = struct.unpack("<IIII", buf[e:e + 16])
                k = bytes(buf[e + pos:e + pos + ksize])
                v = bytes(buf[e + pos + ksize:e + pos + ksize + vsize])
                out.append(("leaf", k, fl, v))
        return out

    def walk_node(self, buf, flags, count, depth, path, entries, record_pgid=None):
        for el in self.elements(buf, flags, count):
            if el[0] == "branch":
                self.walk_page(el[2], depth + 1, path, entries)
            else:
                _, k, fl, v = el
                entries.append(self.entry(k, fl, v, depth, path))

    def walk_page(self, pgid, depth, path, entries):
        pid, flags, count, overflow, buf = self.page(pgid)
        self.stats["max_depth"] = max(self.stats["max_depth"], depth)
        kind = "branch" if flags & P_BRANCH else "leaf" if flags & P_LEAF else "other(0x%x)" % flags
        self.stats["pages_by_id"][pgid] = {"type": kind, "count": count, "overflow": overflow}
        if flags & P_BRANCH:
            self.stats["branch_pages"] += 1
        elif flags & P_LEAF:
            self.stats["leaf_pages"] += 1
        self.stats["overflow_pages"] += overflow
        self.walk_node(buf, flags, count, depth, path, entries)

    def bucket(self, v, depth, path):
        root, seq = struct.unpack("<QQ", v[:16])
        self.stats["buckets"] += 1
        entries = []
        if root == 0:
            self.stats["inline_buckets"] += 1
            ib = v[16:]
            pid, flags, count, overflow = struct.unpack("<QHHI", ib[:16])
            self.walk_node(ib, flags, count, depth, path, entries)
        else:
            self.walk_page(root, depth, path, entries)
        return {"root_pgid": root, "sequence": seq, "inline": root == 0, "entries": entries}

    def entry(self, k, fl, v, depth, path):
        e = {"key": text(k), "key_hex": k.hex()}
        if fl & BUCKET_LEAF_FLAG:
            e["bucket"] = self.bucket(v, depth + 1, path + [k])
            return e
        self.stats["keys"] += 1
        e["value_len"] = len(v)
        if len(v) <= MAX_INLINE_VALUE:
            e["value_hex"] = v.hex()
        else:
            e["value_sha256"] = hashlib.sha256(v).hexdigest()
            e["value_head_hex"] = v[:64].hex()
        t = printable(v) if v else None
        if t is not None and len(v) <= MAX_INLINE_VALUE:
            e["value_text"] = t
        d = decode(self.schema, path, k, v)
        if d is not None:
            e["decoded"] = d
        return e

    def freelist(self):
        m = self.chosen
        if m is None or m["freelist"] == "0xFFFFFFFFFFFFFFFF":
            return {"pgid": m and m["freelist"], "ids": []}
        pid, flags, count, overflow, buf = self.page(m["freelist"])
        start = 16
        if count == 0xFFFF:
            count = struct.unpack("<Q", buf[16:24])[0]
            start = 24
        ids = list(struct.unpack("<%dQ" % count, buf[start:start + 8 * count]))
        return {"pgid": m["freelist"], "page_flags": flags, "overflow": overflow, "ids": ids}

    def dump(self):
        out = {"file_size": len(self.d), "page_size": self.ps,
               "pages_in_file": len(self.d) // self.ps, "metas": self.metas,
               "chosen_meta": self.chosen and self.chosen["page"]}
        if self.chosen is None:
            out["error"] = "no valid meta page"
            return out
        out["freelist"] = self.freelist()
        root = self.chosen["root"]
        entries = []
        self.walk_page(root["pgid"], 0, [], entries)
        out["tree"] = {"root_pgid": root["pgid"], "sequence": root["sequence"], "entries": entries}
        reach = self.stats.pop("pages_by_id")
        free_wellformed = 0
        for fid in out["freelist"]["ids"]:
            try:
                pid, flags, count, overflow, buf = self.page(fid)
                if pid == fid and flags in (P_BRANCH, P_LEAF):
                    free_wellformed += 1
            except struct.error:
                pass
        self.stats["free_pages"] = len(out["freelist"]["ids"])
        self.stats["free_pages_wellformed"] = free_wellformed
        self.stats["reachable_pages"] = sorted(int(k) for k in reach)
        out["page_stats"] = self.stats
        out["pages"] = {str(k): reach[k] for k in sorted(reach)}
        return out


def main():
    args = sys.argv[1:]
    schema = "none"
    if "--schema" in args:
        i = args.index("--schema")
        schema = args[i + 1]
        del args[i:i + 2]
    with open(args[0], "rb") as f:
        data = f.read()
    out = DB(data, schema).dump()
    json.dump(out, sys.stdout, indent=1, ensure_ascii=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
