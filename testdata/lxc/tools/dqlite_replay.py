#!/usr/bin/env python3
"""dqlite_replay.py — rebuild LXD's global database from the dqlite raft log on disk.

LXD (5.0, Debian's lxd with libdqlite 1.11 and libraft 0.15) keeps its cluster database in
<LXD_DIR>/database/global/ as a raft log, not as a SQLite file. This tool reads that
directory (read-only), decodes every segment and snapshot, replays the dqlite FRAMES
commands in log order into an in-memory page image, and gives back the SQLite database
file "db.bin" (what dqlite had in memory), plus an SQL dump in the exact text format of
`lxd sql global .dump`. It is the oracle for csleuth's C replay.

Usage:
  dqlite_replay.py DIR [--from log|snapshot|auto] [--db OUT.db] [--dump OUT.sql]
                       [--json OUT.json] [--compare LXD_DUMP.sql] [--upto INDEX]

  --from log       replay every entry from index 1 (needs the whole log: no segment removed)
  --from snapshot  start from the newest snapshot-* file, then apply later entries
  --from auto      (default) log when the log starts at index 1, else snapshot
  --upto INDEX     stop after the entry with this raft index
  --compare F      compare the dump with F (e.g. `lxd sql global .dump` output); exit 1 on
                   a difference, and report the first differing lines
  --find-match F   also list the raft indexes after which the replayed dump equals F
                   (which transaction the dump F was taken after)
Prints a JSON summary (segments, entries, commands, pages, checks) on stdout (or --json).

On-disk format (verified byte by byte against files written by the real engine; sources:
canonical/raft v0.15.0 src/uv_segment.c, uv_encoding.c, uv_metadata.c, uv_snapshot.c,
configuration.c, byte.c; canonical/dqlite v1.11.1 src/command.[ch], fsm.c, vfs.c,
lib/serialize.h). All integers little endian.

  metadata1, metadata2   32 bytes: u64 format (1), u64 version, u64 term, u64 voted_for;
                         the one with the higher version is current.
  <first>-<last>         closed segment, both indexes %016llu (decimal, zero padded).
  open-<N>               open segment (preallocated, zero filled after its last batch);
                         its first index follows the last entry of the previous segment.
  segment                u64 format (1), then batches until the end (closed) or until a
                         batch that does not decode (open: the rest is zeros):
    batch                u32 crc_header, u32 crc_data,
                         u64 n_entries, n x {u64 term, u8 type, u8[3] unused, u32 size},
                         then the n payloads back to back (each size is a multiple of 8).
                         crc_header covers the u64 n and the n entry headers; crc_data
                         covers the payloads. The CRC is libiberty's xcrc32 with init 0:
                         polynomial 0x04c11db7, MSB first, no reflection, no final xor.
    entry types          1 COMMAND (a dqlite command), 2 BARRIER, 3 CHANGE (configuration)
  CHANGE payload         u8 format (1), u64 n_servers (unaligned), n x {u64 id,
                         NUL-terminated address, u8 role}, padded to 8 (padding bytes are
                         NOT zeroed: they hold leftover heap bytes).
  dqlite command         u8 format (1), u8 type, u8 u8 u32 unused, then by type:
    1 OPEN               text filename
    2 FRAMES             text filename, u64 tx_id, u32 truncate (both always 0 in dqlite 1.11),
                         u8 is_commit, u8 u16 unused, u32 n_pages, u16 page_size,
                         u16 unused, n_pages x u64 page_number, n_pages x page_size bytes
    3 UNDO               u64 tx_id
    4 CHECKPOINT         text filename (no-op since dqlite 1.x)
    "text" = NUL-terminated string, zero padded to a multiple of 8 bytes.
  Replay                 for each FRAMES with is_commit=1 (plus any pending is_commit=0
                         frames of the same transaction, dropped by an UNDO), write each
                         page at page_number; the database size is the largest page number
                         ever written (dqlite 1.11 never shrinks it: vfsWalAppend).
  snapshot-<term>-<index>-<ms>.meta   u64 format (1), u64 crc, u64 conf_index,
                         u64 conf_len, configuration (as CHANGE); crc = xcrc32 over the
                         two u64 conf_index/conf_len then the configuration.
  snapshot-<term>-<index>-<ms>       the dqlite FSM snapshot, LZ4 frame compressed when
                         libraft was built with LZ4 (Debian's is); decompressed:
                         u64 format (1), u64 n_databases, per database {text filename,
                         u64 main_size, u64 wal_size, main_size bytes of the database
                         file, wal_size bytes of a SQLite WAL file}. Entries with an index
                         above <index> apply on top of it.

SQL dump: like lxd/db/query/dump.go at lxd-5.0.2: "PRAGMA foreign_keys=OFF;", "BEGIN
TRANSACTION;", then every sqlite_master entry not named sqlite_% in rowid order (its sql +
";", `CREATE TABLE "` becoming `CREATE TABLE IF NOT EXISTS "`), each table followed by
"INSERT INTO <t> VALUES(...);" for its rows in rowid order; then "DELETE FROM
sqlite_sequence;" and its rows; "COMMIT;". Values pass through dqlite and go-dqlite
v1.11.6: columns declared DATETIME/DATE/TIMESTAMP come back as times (integers as unix
seconds in the server's zone, text parsed with go-dqlite's ISO 8601 layouts, "" -> NULL)
and print as 'YYYY-MM-DD HH:MM:SS[.nnnnnnnnn]+hh:mm'; text is quoted with '' and \\r, \\n
wrapped in replace(...,char(13)/char(10)); blobs as '<raw bytes>'.
"""
import argparse
import datetime
import hashlib
import json
import os
import re
import sqlite3
import struct
import sys

# ------------------------------------------------------------------------------------
# CRC: libiberty xcrc32 (raft's byteCrc32), init 0
# ------------------------------------------------------------------------------------
_CRC_TABLE = []
for _i in range(256):
    _c = _i << 24
    for _ in range(8):
        _c = ((_c << 1) ^ 0x04C11DB7) if (_c & 0x80000000) else (_c << 1)
    _CRC_TABLE.append(_c & 0xFFFFFFFF)


def xcrc32(data, crc=0):
    t = _CRC_TABLE
    for b in data:
        crc = ((crc << 8) & 0xFFFFFFFF) ^ t[((crc >> 24) ^ b) & 0xFF]
    return crc


# ------------------------------------------------------------------------------------
# LZ4 frame decoder (for compressed raft snapshots)
# ------------------------------------------------------------------------------------
def lz4_block(src, out):
    i, n = 0, len(src)
    while i < n:
        token = src[i]
        i += 1
        lit = token >> 4
        if lit == 15:
            while True:
                b = src[i]
                i += 1
                lit += b
                if b != 255:
                    break
        out += src[i:i + lit]
        i += lit
        if i >= n:
            break
        off = src[i] | (src[i + 1] << 8)
        i += 2
        ml = token & 15
        if ml == 15:
            while True:
                b = src[i]
                i += 1
                ml += b
                if b != 255:
                    break
        ml += 4
        start = len(out) - off
        if off >= ml:
            out += out[start:start + ml]
        else:
            for k in range(ml):
                out.append(out[start + k])
    return out


def lz4_frame(data):
    out = bytearray()
    pos = 0
    while pos < len(data):
        magic = struct.unpack_from("<I", data, pos)[0]
        if 0x184D2A50 <= magic <= 0x184D2A5F:  # skippable frame
            size = struct.unpack_from("<I", data, pos + 4)[0]
            pos += 8 + size
            continue
        if magic != 0x184D2204:
            raise ValueError("not an LZ4 frame at %d" % pos)
        flg, bd = data[pos + 4], data[pos + 5]
        pos += 6
        block_checksum = bool(flg & 0x10)
        content_size = bool(flg & 0x08)
        content_checksum = bool(flg & 0x04)
        dict_id = bool(flg & 0x01)
        if content_size:
            pos += 8
        if dict_id:
            pos += 4
        pos += 1  # header checksum
        while True:
            bsize = struct.unpack_from("<I", data, pos)[0]
            pos += 4
            if bsize == 0:
                break
            raw = bsize & 0x80000000
            bsize &= 0x7FFFFFFF
            blk = data[pos:pos + bsize]
            pos += bsize
            if raw:
                out += blk
            else:
                # blocks may reference the previous output (linked blocks)
                lz4_block(blk, out)
            if block_checksum:
                pos += 4
        if content_checksum:
            pos += 4
    return bytes(out)


# ------------------------------------------------------------------------------------
# raft log
# ------------------------------------------------------------------------------------
ENTRY_TYPES = {1: "command", 2: "barrier", 3: "change"}
COMMAND_TYPES = {1: "open", 2: "frames", 3: "undo", 4: "checkpoint"}
CLOSED_RE = re.compile(r"^(\d{16})-(\d{16})$")
OPEN_RE = re.compile(r"^open-(\d+)$")
SNAP_RE = re.compile(r"^snapshot-(\d+)-(\d+)-(\d+)$")


def read_segment(path, closed):
    """Return (entries [(term, type, payload)], info dict)."""
    data = open(path, "rb").read()
    info = {"bytes": len(data), "batches": 0, "entries": 0}
    if len(data) < 8:
        info["error"] = "short file"
        return [], info
    fmt = struct.unpack_from("<Q", data, 0)[0]
    info["format"] = fmt
    entries = []
    off = 8
    if fmt != 1:
        info["error"] = "format %d" % fmt
        if fmt == 0 and not any(data[8:]):
            info["error"] = "never written (all zeros)"
        return [], info
    while off + 16 <= len(data):
        crc_h, crc_d, n = struct.unpack_from("<IIQ", data, off)
        if n == 0 or n > (8 << 20) // 32:
            break
        hdr_start = off + 8
        hdr_len = 8 + 16 * n
        if hdr_start + hdr_len > len(data):
            break
        hdr = data[hdr_start:hdr_start + hdr_len]
        if xcrc32(hdr) != crc_h:
            info["stop"] = "header crc mismatch at %d" % off
            break
        heads = []
        for k in range(n):
            term, etype, size = struct.unpack_from("<QB3xI", hdr, 8 + 16 * k)
            heads.append((term, etype, size))
        dstart = hdr_start + hdr_len
        dlen = sum(h[2] for h in heads)
        if dstart + dlen > len(data):
            info["stop"] = "truncated data at %d" % off
            break
        payload = data[dstart:dstart + dlen]
        if xcrc32(payload) != crc_d:
            info["stop"] = "data crc mismatch at %d" % off
            break
        p = 0
        for term, etype, size in heads:
            entries.append((term, etype, payload[p:p + size]))
            p += size
            p += (-size) % 8
        off = dstart + dlen
        info["batches"] += 1
    info["entries"] = len(entries)
    info["used_bytes"] = off
    info["trailing_zero"] = not any(data[off:])
    if closed and off != len(data):
        info["warning"] = "closed segment has %d bytes after its last batch" % (len(data) - off)
    return entries, info


def text_at(buf, off):
    end = buf.index(b"\0", off)
    s = buf[off:end].decode("utf-8", "replace")
    size = end + 1 - off
    size += (-size) % 8
    return s, off + size


def decode_command(payload):
    fmt, ctype = payload[0], payload[1]
    c = {"format": fmt, "type": COMMAND_TYPES.get(ctype, ctype)}
    off = 8
    if ctype in (1, 4):
        c["filename"], off = text_at(payload, off)
    elif ctype == 2:
        c["filename"], off = text_at(payload, off)
        c["tx_id"], c["truncate"], c["is_commit"] = struct.unpack_from("<QIB", payload, off)
        off += 16
        n, psize = struct.unpack_from("<IH", payload, off)
        off += 8
        c["page_size"] = psize if psize else 65536
        c["page_numbers"] = list(struct.unpack_from("<%dQ" % n, payload, off))
        off += 8 * n
        c["pages_offset"] = off
        c["length_ok"] = (off + n * c["page_size"] == len(payload))
    elif ctype == 3:
        c["tx_id"] = struct.unpack_from("<Q", payload, off)[0]
    return c


def decode_configuration(buf):
    fmt = buf[0]
    n = struct.unpack_from("<Q", buf, 1)[0]
    off = 9
    servers = []
    for _ in range(n):
        sid = struct.unpack_from("<Q", buf, off)[0]
        off += 8
        end = buf.index(b"\0", off)
        addr = buf[off:end].decode("utf-8", "replace")
        off = end + 1
        role = buf[off]
        off += 1
        servers.append({"id": sid, "address": addr, "role": role})
    return {"format": fmt, "servers": servers, "encoded_size": off}


def read_metadata(d):
    out = {}
    for name in ("metadata1", "metadata2"):
        p = os.path.join(d, name)
        if os.path.exists(p):
            b = open(p, "rb").read()
            if len(b) >= 32:
                f, v, t, vf = struct.unpack_from("<4Q", b)
                out[name] = {"format": f, "version": v, "term": t, "voted_for": vf}
    return out


def load_log(d):
    names = sorted(os.listdir(d))
    closed, opened, snaps = [], [], []
    for n in names:
        m = CLOSED_RE.match(n)
        if m:
            closed.append((int(m.group(1)), int(m.group(2)), n))
            continue
        m = OPEN_RE.match(n)
        if m:
            opened.append((int(m.group(1)), n))
            continue
        m = SNAP_RE.match(n)
        if m:
            snaps.append((int(m.group(1)), int(m.group(2)), int(m.group(3)), n))
    closed.sort()
    opened.sort()
    segs = []
    log = {}  # index -> (term, type, payload)
    nxt = None
    for first, last, n in closed:
        ents, info = read_segment(os.path.join(d, n), True)
        info.update({"name": n, "kind": "closed", "first_index": first, "last_index": last})
        if len(ents) != last - first + 1:
            info["error"] = "expected %d entries, found %d" % (last - first + 1, len(ents))
        for k, e in enumerate(ents):
            log[first + k] = e
        nxt = first + len(ents)
        segs.append(info)
    for counter, n in opened:
        ents, info = read_segment(os.path.join(d, n), False)
        info.update({"name": n, "kind": "open", "counter": counter})
        if ents:
            first = nxt if nxt is not None else 1
            info["first_index"], info["last_index"] = first, first + len(ents) - 1
            for k, e in enumerate(ents):
                log[first + k] = e
            nxt = first + len(ents)
        segs.append(info)
    return log, segs, snaps


# ------------------------------------------------------------------------------------
# SQLite images
# ------------------------------------------------------------------------------------
class Image:
    def __init__(self):
        self.pages = {}
        self.page_size = None
        self.n_pages = 0

    def write(self, pgno, data):
        self.pages[pgno] = data
        if pgno > self.n_pages:
            self.n_pages = pgno

    def bytes(self):
        ps = self.page_size
        zero = bytes(ps)
        return b"".join(self.pages.get(i, zero) for i in range(1, self.n_pages + 1))


def apply_wal(img, wal):
    """Apply the committed frames of a SQLite WAL file to img."""
    if len(wal) < 32:
        return 0
    magic, version, psize, seq, salt1, salt2 = struct.unpack_from(">6I", wal, 0)
    if magic not in (0x377F0682, 0x377F0683):
        raise ValueError("bad WAL magic %x" % magic)
    big = magic & 1
    def cks(data, s0, s1):
        fmt = (">" if big else "<") + "%dI" % (len(data) // 4)
        w = struct.unpack(fmt, data)
        for k in range(0, len(w), 2):
            s0 = (s0 + w[k] + s1) & 0xFFFFFFFF
            s1 = (s1 + w[k + 1] + s0) & 0xFFFFFFFF
        return s0, s1
    c0, c1 = cks(wal[:24], 0, 0)
    if (c0, c1) != struct.unpack_from(">2I", wal, 24):
        raise ValueError("bad WAL header checksum")
    off = 32
    pending = []
    applied = 0
    while off + 24 + psize <= len(wal):
        pgno, commit, s1, s2, k0, k1 = struct.unpack_from(">6I", wal, off)
        if (s1, s2) != (salt1, salt2):
            break
        c0, c1 = cks(wal[off:off + 8], c0, c1)
        c0, c1 = cks(wal[off + 24:off + 24 + psize], c0, c1)
        if (c0, c1) != (k0, k1):
            break
        pending.append((pgno, wal[off + 24:off + 24 + psize]))
        if commit:
            for p, data in pending:
                img.write(p, data)
            img.n_pages = commit
            applied += len(pending)
            pending = []
        off += 24 + psize
    return applied


def load_snapshot(d, snap):
    term, index, ts, name = snap
    raw = open(os.path.join(d, name), "rb").read()
    info = {"name": name, "term": term, "index": index, "timestamp_ms": ts, "bytes": len(raw)}
    if raw[:4] == b"\x04\x22\x4d\x18":
        data = lz4_frame(raw)
        info["compression"] = "lz4-frame"
        info["uncompressed_bytes"] = len(data)
        info["uncompressed_sha256"] = hashlib.sha256(data).hexdigest()
    else:
        data = raw
        info["compression"] = "none"
    meta_p = os.path.join(d, name + ".meta")
    if os.path.exists(meta_p):
        mb = open(meta_p, "rb").read()
        fmt, crc, ci, cl = struct.unpack_from("<4Q", mb)
        conf = mb[32:32 + cl]
        info["meta"] = {"format": fmt, "crc": crc, "conf_index": ci, "conf_len": cl,
                        "crc_ok": xcrc32(conf, xcrc32(mb[16:32])) == crc,
                        "configuration": decode_configuration(conf)}
    fmt, ndb = struct.unpack_from("<2Q", data, 0)
    off = 16
    images = {}
    dbs = []
    for _ in range(ndb):
        fname, off = text_at(data, off)
        main_size, wal_size = struct.unpack_from("<2Q", data, off)
        off += 16
        main = data[off:off + main_size]
        off += main_size
        wal = data[off:off + wal_size]
        off += wal_size
        img = Image()
        psize = struct.unpack_from(">H", main, 16)[0] if main_size else 4096
        img.page_size = 65536 if psize == 1 else psize
        for k in range(main_size // img.page_size):
            img.write(k + 1, main[k * img.page_size:(k + 1) * img.page_size])
        nwal = apply_wal(img, wal) if wal_size else 0
        images[fname] = img
        dbs.append({"filename": fname, "main_size": main_size, "wal_size": wal_size,
                    "wal_frames_applied": nwal})
    info.update({"format": fmt, "databases": dbs, "trailing_bytes": len(data) - off})
    return images, info


def replay(d, mode="auto", upto=None, on_commit=None):
    log, segs, snaps = load_log(d)
    summary = {"dir": os.path.basename(os.path.normpath(d)) or d,
               "metadata": read_metadata(d), "segments": segs,
               "snapshots": [s[3] for s in snaps]}
    idx = sorted(log)
    summary["log_first_index"] = idx[0] if idx else None
    summary["log_last_index"] = idx[-1] if idx else None
    gaps = [i for a, i in zip(idx, idx[1:]) if i != a + 1]
    summary["log_gaps"] = gaps
    if mode == "auto":
        mode = "log" if (idx and idx[0] == 1 and not gaps) else "snapshot"
    summary["mode"] = mode
    images = {}
    start = 1
    if mode == "snapshot":
        if not snaps:
            raise SystemExit("no snapshot to start from")
        snap = max(snaps, key=lambda s: (s[1], s[0]))
        images, sinfo = load_snapshot(d, snap)
        summary["snapshot_used"] = sinfo
        start = snap[1] + 1
    counts = {"entries": {}, "commands": {}}
    pending = {}
    tx = 0
    configs = []
    last_applied = None
    for i in idx:
        if i < start:
            continue
        if upto is not None and i > upto:
            break
        term, etype, payload = log[i]
        en = ENTRY_TYPES.get(etype, str(etype))
        counts["entries"][en] = counts["entries"].get(en, 0) + 1
        last_applied = i
        if etype == 3:
            c = decode_configuration(payload)
            c["index"] = i
            c["padding_hex"] = payload[c["encoded_size"]:].hex()
            configs.append(c)
            continue
        if etype != 1:
            continue
        c = decode_command(payload)
        counts["commands"][c["type"]] = counts["commands"].get(c["type"], 0) + 1
        if c["type"] == "frames":
            if not c["length_ok"]:
                raise SystemExit("entry %d: FRAMES length mismatch" % i)
            img = images.setdefault(c["filename"], Image())
            ps = c["page_size"]
            if img.page_size is None:
                img.page_size = ps
            base = c["pages_offset"]
            frames = [(pg, payload[base + k * ps: base + (k + 1) * ps])
                      for k, pg in enumerate(c["page_numbers"])]
            key = c["filename"]
            if c["is_commit"]:
                for pg, data in pending.pop(key, []) + frames:
                    img.write(pg, data)
                tx += 1
                if on_commit is not None:
                    on_commit(i, key, img)
            else:
                pending.setdefault(key, []).extend(frames)
        elif c["type"] == "undo":
            pending.clear()
    summary["replayed_from_index"] = start
    summary["last_applied_index"] = last_applied
    summary["counts"] = counts
    summary["transactions_applied"] = tx
    summary["configurations"] = configs
    summary["pending_uncommitted_frames"] = sum(len(v) for v in pending.values())
    return images, summary


# ------------------------------------------------------------------------------------
# dump in the format of `lxd sql global .dump` (lxd-5.0.2 lxd/db/query/dump.go)
# ------------------------------------------------------------------------------------
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?"
                  r"(?:([+-])(\d{2}):(\d{2}))?$")


def go_time(value, tz_offset_seconds=0):
    """Format a DATETIME column value the way go-dqlite + dump.go print it."""
    if isinstance(value, int):
        secs = value + tz_offset_seconds
        dt = datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=secs)
        ns, off = 0, tz_offset_seconds
    else:
        v = value[:-1] if value.endswith("Z") else value
        m = _ISO.match(v)
        if not m:
            raise ValueError("unparseable time %r" % value)
        y, mo, d, h, mi, s, frac, sign, oh, om = m.groups()
        has_zone = sign is not None
        if has_zone and frac is None and s is None:
            # go-dqlite's layouts with a zone all carry seconds
            raise ValueError("unparseable time %r" % value)
        dt = datetime.datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0))
        ns = int((frac or "0")[:9].ljust(9, "0")) if frac else 0
        off = 0
        if has_zone:
            off = (int(oh) * 3600 + int(om) * 60) * (1 if sign == "+" else -1)
    out = "%04d-%02d-%02d %02d:%02d:%02d" % (dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second)
    if ns:
        out += ".%09d" % ns
    sign = "+" if off >= 0 else "-"
    a = abs(off)
    out += "%s%02d:%02d" % (sign, a // 3600, (a % 3600) // 60)
    return "'" + out + "'"


def quote_text(v):
    v = "'" + v.replace("'", "''") + "'"
    if "\r" in v:
        v = "replace(" + v.replace("\r", "\\r") + ",'\\r',char(13))"
    if "\n" in v:
        v = "replace(" + v.replace("\n", "\\n") + ",'\\n',char(10))"
    return v


def lxd_dump(con, tz_offset_seconds=0):
    con.text_factory = lambda b: b.decode("utf-8", "surrogateescape")
    out = ["PRAGMA foreign_keys=OFF;", "BEGIN TRANSACTION;"]
    ents = con.execute("SELECT name, type, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' "
                       "ORDER BY rowid").fetchall()

    def table_rows(table):
        decl = {}
        for cid, name, ctype, *_ in con.execute("PRAGMA table_info(%s)" % table):
            decl[cid] = (ctype or "").upper()
        lines = []
        for row in con.execute("SELECT * FROM %s ORDER BY rowid" % table):
            vals = []
            for j, v in enumerate(row):
                t = decl.get(j, "")
                if t in ("DATETIME", "DATE", "TIMESTAMP"):
                    if v is None or v == "":
                        vals.append("NULL")
                    else:
                        vals.append(go_time(v, tz_offset_seconds))
                    continue
                if t == "BOOLEAN" and v is not None:
                    raise ValueError("BOOLEAN column in %s: dump.go would fail" % table)
                if v is None:
                    vals.append("NULL")
                elif isinstance(v, int):
                    vals.append(str(v))
                elif isinstance(v, str):
                    vals.append(quote_text(v))
                elif isinstance(v, bytes):
                    vals.append("'" + v.decode("utf-8", "surrogateescape") + "'")
                else:
                    raise ValueError("Bad type in table %s: %r" % (table, v))
            lines.append("INSERT INTO %s VALUES(%s);" % (table, ",".join(vals)))
        return lines

    for name, kind, sql in ents:
        if sql is None:
            continue
        if sql.startswith('CREATE TABLE "'):
            sql = sql.replace("CREATE TABLE", "CREATE TABLE IF NOT EXISTS", 1)
        out.append(sql + ";")
        if kind == "table":
            out.extend(table_rows(name))
    out.append("DELETE FROM sqlite_sequence;")
    if con.execute("SELECT 1 FROM sqlite_master WHERE name='sqlite_sequence'").fetchone():
        out.extend(table_rows("sqlite_sequence"))
    out.append("COMMIT;")
    return "\n".join(out) + "\n"


def open_image(data):
    """Open a page image in memory. dqlite's images are in WAL mode (header bytes 18 and
    19 = 2), which an in-memory database cannot use: the copy gets 1 (rollback journal)."""
    con = sqlite3.connect(":memory:")
    b = bytearray(data)
    if b[18] == 2 and b[19] == 2:
        b[18] = b[19] = 1
    con.deserialize(bytes(b))
    return con


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dir")
    ap.add_argument("--from", dest="mode", default="auto", choices=("auto", "log", "snapshot"))
    ap.add_argument("--upto", type=int)
    ap.add_argument("--db")
    ap.add_argument("--dump")
    ap.add_argument("--json")
    ap.add_argument("--compare")
    ap.add_argument("--filename", default="db.bin")
    ap.add_argument("--find-match", metavar="LXD_DUMP.sql",
                    help="report every raft index after which the replayed dump equals this "
                         "file (checks the last --window transactions)")
    ap.add_argument("--window", type=int, default=400)
    ap.add_argument("--tz-offset", type=int, default=0,
                    help="seconds east of UTC of the LXD process (integer DATETIME values)")
    a = ap.parse_args()
    matches = []
    hook = None
    if a.find_match:
        want_m = open(a.find_match, encoding="utf-8", errors="surrogateescape").read()
        _, pre = replay(a.dir, a.mode, a.upto)
        first_checked = (pre["last_applied_index"] or 0) - a.window

        def hook(i, key, img):
            if key == a.filename and i >= first_checked:
                if lxd_dump(open_image(img.bytes()), a.tz_offset) == want_m:
                    matches.append(i)
    images, summary = replay(a.dir, a.mode, a.upto, hook)
    if a.find_match:
        summary["find_match"] = {"against": os.path.basename(a.find_match),
                                 "checked_from_index": first_checked,
                                 "identical_after_indexes": matches}
    rc = 0
    img = images.get(a.filename)
    if img is None:
        summary["error"] = "no database %s in the log" % a.filename
        rc = 2
    else:
        data = img.bytes()
        summary["database"] = {"filename": a.filename, "page_size": img.page_size,
                               "pages": img.n_pages, "bytes": len(data),
                               "sha256": hashlib.sha256(data).hexdigest(),
                               "header_write_read_version": [data[18], data[19]]}
        con = open_image(data)
        summary["database"]["integrity_check"] = con.execute("PRAGMA integrity_check").fetchone()[0]
        summary["database"]["tables"] = {
            t: con.execute('SELECT count(*) FROM "%s"' % t).fetchone()[0]
            for (t,) in con.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")}
        dump = lxd_dump(con, a.tz_offset)
        summary["dump_sha256"] = hashlib.sha256(dump.encode("utf-8", "surrogateescape")).hexdigest()
        summary["dump_lines"] = dump.count("\n")
        if a.db:
            with open(a.db, "wb") as f:
                f.write(data)
        if a.dump:
            with open(a.dump, "w", encoding="utf-8", errors="surrogateescape") as f:
                f.write(dump)
        if a.compare:
            want = open(a.compare, encoding="utf-8", errors="surrogateescape").read()
            same = want == dump
            cmp = {"against": os.path.basename(a.compare), "identical": same,
                   "expected_sha256": hashlib.sha256(want.encode("utf-8", "surrogateescape")).hexdigest()}
            if not same:
                wl, gl = want.split("\n"), dump.split("\n")
                for k in range(max(len(wl), len(gl))):
                    x = wl[k] if k < len(wl) else None
                    y = gl[k] if k < len(gl) else None
                    if x != y:
                        cmp["first_difference"] = {"line": k + 1, "expected": x, "replayed": y}
                        break
                cmp["only_in_expected"] = sorted(set(wl) - set(gl))[:50]
                cmp["only_in_replay"] = sorted(set(gl) - set(wl))[:50]
                rc = 1
            summary["compare"] = cmp
    txt = json.dumps(summary, indent=1, sort_keys=False)
    if a.json:
        with open(a.json, "w") as f:
            f.write(txt + "\n")
    else:
        print(txt)
    return rc


if __name__ == "__main__":
    sys.exit(main())
