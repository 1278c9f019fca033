#!/usr/bin/env python3
"""Generate a synthetic host filesystem with LXC and LXD containers, for benchmarks.

OUTDIR gets the layout real LXC 5.0 and LXD 5.0 leave (see testdata/lxc/README.md):
  var/lib/lxc/<name>/{config, rootfs/}                  N classic containers
  etc/lxc/lxc.conf
  var/lib/lxd/database/global/<first>-<last>            a dqlite raft log whose FRAMES
                                                       commands carry the global database
  var/lib/lxd/database/local.db
  var/lib/lxd/storage-pools/default/containers/<name>/{backup.yaml, rootfs/}
  var/lib/lxd/logs/<name>/{lxc.log, console.log}
The global database has LXD 5.0's schema (taken from the fixture's
`lxd sql global .dump`) and N instances, each with the config rows LXD writes, one
profile and one image. The raft log is written as dqlite 1.11 writes it (one entry
per batch, libiberty CRCs, FRAMES of up to 64 pages), so csleuth's replay does the
same work as on a real node. Deterministic for a given seed.
"""
import argparse
import os
import random
import re
import shutil
import sqlite3
import struct
import sys
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(HERE)
DUMP = os.path.join(SRC, "testdata", "lxc", "engine", "lxd", "sql-global-dump.sql")


def xcrc32(data, crc=0, _t=[]):
    if not _t:
        for i in range(256):
            c = i << 24
            for _ in range(8):
                c = ((c << 1) ^ 0x04C11DB7) if c & 0x80000000 else c << 1
            _t.append(c & 0xFFFFFFFF)
    for b in data:
        crc = ((crc << 8) & 0xFFFFFFFF) ^ _t[((crc >> 24) ^ b) & 0xFF]
    return crc


def schema_sql():
    """The fixture's dump without its rows: LXD 5.0's schema."""
    keep = [l for l in open(DUMP, encoding="utf-8").read().splitlines()
            if not l.startswith(("INSERT INTO", "DELETE FROM sqlite_sequence"))]
    return "\n".join(keep) + "\n"


def make_db(n, rnd):
    con = sqlite3.connect(":memory:")
    con.executescript(schema_sql())
    con.execute("INSERT INTO projects VALUES(1,'default','Default LXD project')")
    con.execute("INSERT INTO nodes VALUES(1,'none','','0.0.0.0',60,318,'2026-11-26 14:45:21+00:00',0,2,NULL)")
    con.execute("INSERT INTO storage_pools VALUES(1,'default','dir','',1)")
    con.execute("INSERT INTO profiles VALUES(1,'default','Default LXD profile',1)")
    con.execute("INSERT INTO profiles_devices VALUES(1,1,'root',2)")
    for i, (k, v) in enumerate((("path", "/"), ("pool", "default"), ("type", "disk")), 1):
        con.execute("INSERT INTO profiles_devices_config VALUES(?,1,?,?)", (i, k, v))
    fp = "%064x" % rnd.getrandbits(256)
    con.execute("INSERT INTO images VALUES(1,?,'img.tar.xz',1000,0,2,'2026-11-26 14:45:17+00:00',"
                "'1970-01-01 00:00:00+00:00','2026-11-26 14:45:23+00:00',0,'2026-11-26 14:45:50+00:00',0,1,0)", (fp,))
    con.execute("INSERT INTO images_aliases VALUES(1,'bench/img',1,'',1)")
    cid = 1
    idmap = ('[{"Isuid":true,"Isgid":false,"Hostid":100000,"Nsid":0,"Maprange":10000001},'
             '{"Isuid":false,"Isgid":true,"Hostid":100000,"Nsid":0,"Maprange":10000001}]')
    for i in range(1, n + 1):
        name = "inst-%05d" % i
        created = "2026-11-26 14:%02d:%02d.%09d+00:00" % (i // 60 % 60, i % 60, rnd.randrange(10**9))
        con.execute("INSERT INTO instances VALUES(?,1,?,2,0,0,?,0,?,'',1,'0001-01-01 00:00:00+00:00')",
                    (i, name, created, created))
        conf = {"image.os": "busybox", "image.release": "1.35", "volatile.base_image": fp,
                "volatile.uuid": str(uuid.UUID(int=rnd.getrandbits(128))), "volatile.idmap.base": "0",
                "volatile.idmap.current": idmap, "volatile.idmap.next": idmap, "volatile.last_state.idmap": idmap,
                "volatile.last_state.power": rnd.choice(["RUNNING", "STOPPED"])}
        for k, v in conf.items():
            con.execute("INSERT INTO instances_config VALUES(?,?,?,?)", (cid, i, k, v))
            cid += 1
        con.execute("INSERT INTO instances_profiles VALUES(?,?,1,1)", (i, i))
    con.commit()
    return con.serialize(), fp


def write_raft(d, image):
    """The database as one transaction per 64 pages, a FRAMES entry per batch."""
    ps = 4096
    pages = [image[k:k + ps] for k in range(0, len(image), ps)]
    os.makedirs(d, exist_ok=True)
    segs, entries = [], []
    name = b"db.bin\0".ljust(8, b"\0")
    for first in range(0, len(pages), 64):
        chunk = pages[first:first + 64]
        body = (struct.pack("<BBBBI", 1, 2, 0, 0, 0) + name + struct.pack("<QIBBHIHH", 0, 0, 1, 0, 0, len(chunk), ps, 0)
                + b"".join(struct.pack("<Q", first + k + 1) for k in range(len(chunk))) + b"".join(chunk))
        entries.append(body)
    data = bytearray(struct.pack("<Q", 1))
    for e in entries:
        hdr = struct.pack("<Q", 1) + struct.pack("<QB3xI", 1, 1, len(e))
        data += struct.pack("<II", xcrc32(hdr), xcrc32(e)) + hdr + e
    open(os.path.join(d, "%016d-%016d" % (1, len(entries))), "wb").write(data)
    open(os.path.join(d, "metadata1"), "wb").write(struct.pack("<4Q", 1, 1, 1, 0))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("-n", "--containers", type=int, default=1000, help="LXD instances and LXC containers, each")
    ap.add_argument("-s", "--seed", type=int, default=1)
    ap.add_argument("-f", "--force", action="store_true")
    a = ap.parse_args()
    if os.path.exists(a.outdir):
        if not a.force:
            sys.exit("gen_lxc_root: %s exists (use -f)" % a.outdir)
        shutil.rmtree(a.outdir)
    rnd = random.Random(a.seed)
    root = a.outdir
    os.makedirs(os.path.join(root, "etc/lxc"))
    open(os.path.join(root, "etc/lxc/lxc.conf"), "w").write("lxc.lxcpath = /var/lib/lxc\n")
    for i in range(1, a.containers + 1):
        d = os.path.join(root, "var/lib/lxc/ct-%05d" % i)
        for sub in ("rootfs/etc", "rootfs/bin", "rootfs/var/log"):
            os.makedirs(os.path.join(d, sub))
        open(os.path.join(d, "config"), "w").write(
            "# Template used to create this container: /usr/share/lxc/templates/lxc-busybox\n"
            "lxc.net.0.type = empty\n"
            "lxc.rootfs.path = dir:/var/lib/lxc/ct-%05d/rootfs\n"
            "lxc.uts.name = ct-%05d\nlxc.cap.drop = sys_module mac_admin mac_override sys_time\n"
            "lxc.mount.auto = cgroup:mixed proc:mixed sys:ro\n"
            "lxc.mount.entry = /lib lib none ro,bind 0 0\n" % (i, i)
            + ("lxc.idmap = u 0 100000 65536\nlxc.idmap = g 0 100000 65536\n" if i % 2 else ""))
    image, fp = make_db(a.containers, rnd)
    lxd = os.path.join(root, "var/lib/lxd")
    write_raft(os.path.join(lxd, "database/global"), image)
    sqlite3.connect(os.path.join(lxd, "database/local.db")).executescript(
        "CREATE TABLE config (id INTEGER PRIMARY KEY, key TEXT, value TEXT);")
    os.makedirs(os.path.join(lxd, "images"))
    for i in range(1, a.containers + 1):
        name = "inst-%05d" % i
        d = os.path.join(lxd, "storage-pools/default/containers", name)
        os.makedirs(os.path.join(d, "rootfs/etc"))
        open(os.path.join(d, "backup.yaml"), "w").write(
            "container:\n  name: %s\n  status: Stopped\n  config:\n    volatile.base_image: %s\n" % (name, fp))
        ld = os.path.join(lxd, "logs", name)
        os.makedirs(ld)
        open(os.path.join(ld, "lxc.log"), "w").write(
            "lxc %s 20261126144545.302 WARN     cgfsng - x.c:f:1 - bench\n" % name)
        open(os.path.join(ld, "console.log"), "w").write("tick 1\r\n")
    print("gen_lxc_root: %d LXC containers, %d LXD instances, database of %d bytes in %s"
          % (a.containers, a.containers, len(image), root))


if __name__ == "__main__":
    main()
