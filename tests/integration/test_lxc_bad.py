#!/usr/bin/env python3
"""Damaged LXC and LXD evidence: each bad file costs only its item, named with its file.

Copies of the real fixture are damaged the ways the issue names: an include loop, a key
repeated and a line malformed in an LXC config, a rootfs that is a symbolic link out of
the evidence, raft segments with a bad checksum or a truncated batch, a FRAMES command
naming a SQLite page out of range, a backup.yaml that is not YAML, a lost database.
"""
import json
import os
import shutil
import struct
import subprocess
import sys

from harness import BUILD, SRC, Tap, csleuth, csleuth_json
from test_lxc import sysroot

sys.path.insert(0, os.path.join(SRC, "testdata", "lxc", "tools"))
from dqlite_replay import xcrc32  # noqa: E402  (the oracle's CRC, independent of ours)

WORK = os.path.join(BUILD, "testdata-cache", "lxc-bad")
GLOBAL = "var/lib/lxd/database/global"


def fresh(name):
    dst = os.path.join(WORK, name)
    shutil.rmtree(dst, ignore_errors=True)
    os.makedirs(WORK, exist_ok=True)
    subprocess.run(["cp", "-a", sysroot(), dst], check=True)
    return dst


def write(root, rel, data, mode="w"):
    p = os.path.join(root, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, mode) as f:
        f.write(data)


def lxc_container(root, name, extra):
    d = f"var/lib/lxc/{name}"
    os.makedirs(os.path.join(root, d, "rootfs", "etc"), exist_ok=True)
    write(root, f"{d}/config", f"lxc.rootfs.path = dir:/{d}/rootfs\nlxc.uts.name = {name}\n" + extra)


def warnings(err):
    return [l for l in err.decode("utf-8", "replace").splitlines() if l.startswith("csleuth: warning:")]


def test_lxc_configs(t):
    root = fresh("lxc")
    write(root, "etc/lxc/loop-a.conf", "lxc.include = /etc/lxc/loop-b.conf\nlxc.environment = A=1\n")
    write(root, "etc/lxc/loop-b.conf", "lxc.include = /etc/lxc/loop-a.conf\nlxc.environment = B=1\n")
    lxc_container(root, "loopy", "lxc.include = /etc/lxc/loop-a.conf\n")
    lxc_container(root, "rep", "lxc.uts.name = other\nlxc.no.equals.here\nlxc.bad key = 1\nnot an lxc line\n")
    lxc_container(root, "escape", "")
    write(root, "var/lib/lxc/onzfs/config", "lxc.rootfs.path = zfs:tank/lxc/onzfs\nlxc.uts.name = onzfs\n")
    shutil.rmtree(os.path.join(root, "var/lib/lxc/escape/rootfs"))
    os.symlink("/../../../../etc", os.path.join(root, "var/lib/lxc/escape/rootfs"))
    rc, ps, err = csleuth_json("--sysroot", root, "ps", "--json", "--engine", "lxc")
    t.eq(rc, 3, "lxc: damaged configs: exit 3 (completed with warnings)")
    names = {c["name"] for c in ps}
    want = set(open(os.path.join(SRC, "testdata/lxc/engine/lxc/lxc-ls.txt")).read().split()) | {"userbox"}
    t.ok(want | {"loopy", "rep", "escape"} <= names, "lxc: every container is still listed")
    w = warnings(err)
    t.ok(any("include loop" in l and "etc/lxc/loop-a.conf" in l for l in w), "lxc: the include loop is named with its file")
    t.ok(any("`lxc.uts.name` is set 2 times" in l and "var/lib/lxc/rep/config" in l for l in w),
         "lxc: the repeated key is named with its file")
    t.ok(any("has no `=`" in l and "var/lib/lxc/rep/config` line 4" in l for l in w), "lxc: the malformed line, file and line")
    t.ok(any("not a well-formed key" in l for l in w), "lxc: the malformed key")
    t.ok(any("is not an lxc.* setting" in l for l in err.decode().splitlines() if "note:" in l),
         "lxc: a line LXC ignores is noted, not warned")
    t.ok(any("symbolic link" in l and "var/lib/lxc/escape/rootfs" in l for l in w), "lxc: the rootfs symlink is named, not followed")
    rc, ins, _ = csleuth_json("-q", "--sysroot", root, "inspect", "lxc:loopy", "lxc:rep", "lxc:escape")
    by = {i["Name"]: i for i in ins}
    t.eq(by["loopy"]["Config"]["lxc.environment"], ["B=1", "A=1"], "lxc: the loop's files are read once each")
    t.eq(by["rep"]["Config"]["lxc.uts.name"], ["other"], "lxc: the last value of a repeated key, as LXC")
    t.eq(by["escape"]["Rootfs"]["Readable"], False, "lxc: no filesystem for the escaping rootfs")
    t.ok(any("zfs:tank/lxc/onzfs" not in l and "tank/lxc/onzfs" in l and "ZFS dataset" in l
             for l in err.decode().splitlines()), "lxc: a zfs rootfs: where the data is, and that it is out of reach")
    rc, out, err = csleuth("--sysroot", root, "export", "-o", "-", "lxc:escape")
    t.ok(rc != 0 and b"its layers are unknown" in err, "lxc: export refuses the escaping rootfs")
    rc, out, err = csleuth("--sysroot", root, "diff", "web-clone")
    t.ok(rc == 0 and b"D /srv/www\n" in out and b"3 other containers are damaged" in err,
         "lxc: the other containers still work (their damage is counted, not the diff's)")


def segment_batches(data):
    """(offset, n, header_len, data_offset, data_len) of each batch of a segment."""
    off, out = 8, []
    while off + 16 <= len(data):
        n = struct.unpack_from("<Q", data, off + 8)[0]
        if n == 0 or n > 100000:
            break
        hdr = 8 + 16 * n
        dlen = sum(struct.unpack_from("<I", data, off + 16 + 16 * k + 12)[0] for k in range(n))
        out.append((off, n, hdr, off + 8 + hdr, dlen))
        off = off + 8 + hdr + dlen
    return out


def lxd_listed(t, root, what):
    rc, ps, err = csleuth_json("--sysroot", root, "ps", "--json", "--engine", "lxd")
    want = sorted(i["name"] for i in json.load(open(os.path.join(SRC, "testdata/lxc/engine/lxd/list.json"))))
    t.eq(sorted(c["name"] for c in ps), want, f"lxd: {what}: every instance is still listed")
    return rc, ps, err


def test_raft(t):
    # a bad checksum in a closed segment the snapshot covers: replayed from the snapshot
    root = fresh("raft-crc")
    seg = os.path.join(root, GLOBAL, "0000000000000403-0000000000000789")
    with open(seg, "r+b") as f:
        data = f.read()
        b = segment_batches(data)[10]
        f.seek(b[3] + 100)
        f.write(bytes([data[b[3] + 100] ^ 0xFF]))
    rc, ps, err = lxd_listed(t, root, "bad checksum")
    w = warnings(err)
    t.ok(rc == 3 and any("0000000000000403-0000000000000789" in l and "checksum" in l and "snapshot" in l for l in w),
         "lxd: the bad segment is named; the replay starts over from the snapshot")
    t.eq(next(c for c in ps if c["name"] == "lxd-live")["engine_status"], "Running", "lxd: the database is whole")
    # a truncated batch in a closed segment
    root = fresh("raft-trunc")
    seg = os.path.join(root, GLOBAL, "0000000000000790-0000000000001024")
    with open(seg, "r+b") as f:
        data = f.read()
        b = segment_batches(data)[-3]
        f.truncate(b[3] + b[4] // 2)
    rc, ps, err = lxd_listed(t, root, "truncated batch")
    t.ok(rc == 3 and any("0000000000000790-0000000000001024" in l and "truncated" in l for l in warnings(err)),
         "lxd: the truncated batch is named with its segment")
    # a FRAMES command naming a page out of range, after the snapshot: the
    # database is as of the entry before it
    root = fresh("raft-page")
    seg = os.path.join(root, GLOBAL, "open-4")
    with open(seg, "r+b") as f:
        data = bytearray(f.read())
        bs = segment_batches(bytes(data))
        off, n, hdr, doff, dlen = bs[-1]
        payload = data[doff:doff + dlen]
        if payload[1] == 2:  # FRAMES: text filename, 24 bytes, then page numbers
            end = payload.index(b"\0", 8) + 1
            pn = ((end + 7) & ~7) + 24
            struct.pack_into("<Q", payload, pn, 1 << 40)
            data[doff:doff + dlen] = payload
            struct.pack_into("<I", data, off + 4, xcrc32(bytes(payload)))
        f.seek(0)
        f.write(data)
    rc, ps, err = lxd_listed(t, root, "page out of range")
    t.ok(rc == 3 and any("open-4" in l and "out of range" in l for l in warnings(err)),
         "lxd: the page out of range is named with its segment and entry")


def test_backup_yaml(t):
    root = fresh("yaml")
    bf = "var/lib/lxd/storage-pools/default/containers/lxd-priv/backup.yaml"
    os.chmod(os.path.join(root, bf), 0o600)
    write(root, bf, "container: {name: [unclosed\n  : : :\n")
    rc, ps, err = lxd_listed(t, root, "backup.yaml not YAML")
    t.ok(rc == 0 and not any(bf in l for l in warnings(err)),
         "lxd: a listing shows the database's values and does not read backup.yaml")
    rc, ps, err = csleuth_json("--sysroot", root, "ps", "--json", "--engine", "lxd", "--check")
    t.ok(rc == 3 and any(bf in l and "not YAML" in l for l in warnings(err)),
         "lxd: ps --check reads backup.yaml: the bad one is named")
    t.eq(next(c for c in ps if c["name"] == "lxd-priv")["engine_status"], "Stopped", "lxd: lxd-priv from the database")
    # without the database: instances from backup.yaml, the bad one named
    shutil.rmtree(os.path.join(root, GLOBAL))
    rc, ps, err = csleuth_json("--sysroot", root, "ps", "--json", "--engine", "lxd")
    names = sorted(c["name"] for c in ps)
    t.ok(rc == 3 and "lxd-never" in names and "lxd-priv" not in names and "miner" in names,
         "lxd: no database: the instances whose backup.yaml reads are listed")
    t.ok(any(bf in l for l in warnings(err)), "lxd: no database: the bad backup.yaml is named")
    rc, ps2, _ = csleuth_json("-q", "--sysroot", root, "ps", "--json", "--engine", "lxc")
    t.ok(len(ps2) >= 7, "lxd: the LXC containers of the host are listed all the same")


def test_untouched(t):
    """Every command over the LXC/LXD host leaves its evidence as it was."""
    from fsview import check_untouched
    root = fresh("untouched")

    def run(r):
        for args in (("ps", "--json"), ("images", "--json"), ("inspect", "lxc:web", "lxc:unpriv", "lxd:lxd-snap",
                     "lxd:attacker/miner"), ("logs", "running"), ("logs", "--log", "lxc", "web"),
                     ("diff", "lxd-unpriv"), ("diff", "--against", "snap0", "db"),
                     ("export", "-o", "/dev/null", "web-clone"), ("timeline", "--logs", "--hash", "-o", "/dev/null")):
            csleuth("-q", "--sysroot", r, *args)
    check_untouched(t, "lxc+lxd", root, run)


def main():
    t = Tap()
    for fn in (test_lxc_configs, test_raft, test_backup_yaml, test_untouched):
        t.run(fn)
    shutil.rmtree(WORK, ignore_errors=True)
    t.done()


if __name__ == "__main__":
    main()
