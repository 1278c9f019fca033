#!/usr/bin/env python3
"""Write seed inputs for every fuzz target from real engine-made evidence.

usage: make-seeds.py OUTDIR [--shared DIR]

Reads testdata/docker/*.tar.xz (made by a real Docker Engine) and, when
present, the real data roots in ../shared/realdata/docker-explorer/*.tgz
(google/docker-explorer test data, Apache-2.0), the real Podman fixture
(testdata/podman/sysroot.tar.xz, with Podman-shaped SQLite state made here
and the journal files of testdata/journald), and writes OUTDIR/<target>/
seed files in each target's input format (see fuzz/fuzz_<target>.c). A few
hand-made seeds cover what the evidence lacks (CRI lines, unit files, path
tricks). The committed corpus is these seeds minimised together with what
fuzzing found: `fuzz/run-fuzzers.sh --merge OUTDIR` (docs/fuzzing.md).
Deterministic; Python 3 standard library only.
"""
import argparse
import gzip
import hashlib
import json
import os
import re
import tarfile

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(HERE)
MAX = 16384  # seeds stay small: the fuzzer's inputs are small


class Seeds:
    def __init__(self, out):
        self.out = out
        self.seen = set()

    def add(self, target, data):
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogateescape")
        h = hashlib.sha1(data).hexdigest()
        if (target, h) in self.seen:
            return
        self.seen.add((target, h))
        d = os.path.join(self.out, target)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, h), "wb") as f:
            f.write(data)


def bundle(sections):
    out = b""
    for name, data in sections:
        if data is None:
            continue
        if isinstance(data, str):
            data = data.encode()
        out += b"@@@ " + name.encode() + b"\n" + data + b"\n"
    return out


def lines_head(data, limit=MAX):
    """At most limit bytes, cut at a line end."""
    if len(data) <= limit:
        return data
    cut = data.rfind(b"\n", 0, limit)
    return data[: cut + 1] if cut > 0 else data[:limit]


def frames_head(data, limit=MAX):
    """Whole local-driver frames, at most limit bytes."""
    at = 0
    while at + 8 <= len(data):
        n = int.from_bytes(data[at:at + 4], "big")
        if at + n + 8 > min(len(data), limit):
            break
        at += n + 8
    return data[:at] if at else data[:limit]


class Root:
    """The files of one data root inside a tarball, by path below docker/."""

    def __init__(self, path):
        self.files = {}
        with tarfile.open(path) as t:
            for m in t:
                if not m.isreg():
                    continue
                name = m.name.split("docker/", 1)[-1] if "docker/" in m.name else m.name
                if m.size > 4 << 20:
                    continue
                self.files[name] = t.extractfile(m).read()

    def get(self, p):
        return self.files.get(p)

    def glob(self, pattern):
        r = re.compile(pattern)
        return sorted(p for p in self.files if r.fullmatch(p))


def from_root(s, root):
    # JSON documents
    for p in root.glob(r".*\.json|image/[^/]+/imagedb/content/sha256/[0-9a-f]{64}|graph/[0-9a-f]{64}/json"):
        data = root.get(p)
        if len(data) <= MAX:
            s.add("jscan", data)
    # containers
    for cfgp in root.glob(r"containers/[0-9a-f]{64}/config(\.v2)?\.json"):
        cdir = cfgp.rsplit("/", 1)[0]
        cid = cdir.split("/")[1]
        drv = None
        try:
            drv = json.loads(root.get(cfgp)).get("Driver")
        except ValueError:
            pass
        mid = None
        for m in root.glob(r"image/[^/]+/layerdb/mounts/%s/mount-id" % cid):
            mid = root.get(m)
        init = None
        for m in root.glob(r"image/[^/]+/layerdb/mounts/%s/init-id" % cid):
            init = root.get(m)
        lower = root.get("overlay2/%s/lower" % mid.decode()) if mid and drv == "overlay2" else None
        log = root.get("%s/%s-json.log" % (cdir, cid))
        local = root.get("%s/local-logs/container.log" % cdir)
        s.add("docker_container", bundle([
            (cfgp.rsplit("/", 1)[1], root.get(cfgp)),
            ("hostconfig.json", root.get(cdir + "/hostconfig.json")),
            ("mount-id", mid), ("init-id", init), ("lower", lower),
            ("log", lines_head(log, 4096) if log else None),
            ("local", frames_head(local, 4096) if local else None),
        ]))
        for name in root.glob(re.escape(cdir) + r"/[0-9a-f]{64}-json\.log(\.\d+)?"):
            data = lines_head(root.get(name))
            s.add("logs_json", data)
            s.add("logs_gzip", b"\x00" + data[:4096])
            s.add("logs_gzip", b"\x30" + data[:4096])
            for ln in data.splitlines()[:50]:
                try:
                    r = json.loads(ln)
                except ValueError:
                    continue
                t = r.get("time", "")
                s.add("time", t)
                text = r.get("log", "")
                tag = "F" if text.endswith("\n") else "P"
                cri = "%s %s %s %s" % (t, r.get("stream", "stdout"), tag, text.rstrip("\n"))
                s.add("logs_cri", cri + "\n")
                s.add("sanitize", text)
        for name in root.glob(re.escape(cdir) + r"/(local-logs/container\.log|container-cached\.log)(\.\d+)?"):
            data = frames_head(root.get(name))
            s.add("logs_local", data)
            s.add("logs_gzip", b"\x08" + data[:4096])
        for name in root.glob(re.escape(cdir) + r"/.*\.gz"):
            data = root.get(name)
            if len(data) <= MAX:
                s.add("logs_gzip", (b"\x09" if "local" in name or "cached" in name else b"\x01") + data)
        try:
            c = json.loads(root.get(cfgp))
        except ValueError:
            continue
        for k in ("Created",):
            if isinstance(c.get(k), str):
                s.add("time", c[k])
        st = c.get("State") or {}
        for k in ("StartedAt", "FinishedAt"):
            if isinstance(st.get(k), str):
                s.add("time", st[k])
        if isinstance(c.get("Name"), str):
            s.add("sanitize", c["Name"])
    # images
    repos = None
    for rp in root.glob(r"image/[^/]+/repositories\.json"):
        repos = root.get(rp)
    for cp in root.glob(r"image/([^/]+)/imagedb/content/sha256/[0-9a-f]{64}"):
        drv, hexid = cp.split("/")[1], cp.rsplit("/", 1)[1]
        cfg = root.get(cp)
        sections = [("config", cfg), ("repositories.json", repos)]
        meta = "image/%s/imagedb/metadata/sha256/%s/" % (drv, hexid)
        sections += [("parent", root.get(meta + "parent")), ("lastUpdated", root.get(meta + "lastUpdated"))]
        try:
            d0 = json.loads(cfg)["rootfs"]["diff_ids"][0]
            ld = "image/%s/layerdb/sha256/%s/" % (drv, d0[7:])
            sections += [("cache-id", root.get(ld + "cache-id")), ("size", root.get(ld + "size"))]
        except (ValueError, KeyError, IndexError, TypeError):
            pass
        s.add("docker_image", bundle(sections))
        try:
            j = json.loads(cfg)
            for h in j.get("history", []):
                if isinstance(h.get("created"), str):
                    s.add("time", h["created"])
                if isinstance(h.get("created_by"), str):
                    s.add("sanitize", h["created_by"][:2000])
        except ValueError:
            pass
    # legacy graph/
    graph = root.glob(r"graph/[0-9a-f]{64}/json")
    if graph:
        reps = root.glob(r"repositories-[a-z]+")
        rep = root.get(reps[0]) if reps else None
        ids = [g.split("/")[1] for g in graph]
        a = "a" * 64
        b = "b" * 64
        c = "c" * 64
        for i in range(len(graph)):
            trio = [root.get(graph[(i + k) % len(graph)]) for k in range(3)]
            # the fixed ids A, B, C of the target stand for the real ones
            fix = lambda x: x.replace(ids[i].encode(), a.encode()).replace(
                ids[(i + 1) % len(ids)].encode(), b.encode()).replace(
                ids[(i + 2) % len(ids)].encode(), c.encode())
            s.add("docker_legacy", bundle([("a", fix(trio[0])), ("b", fix(trio[1])), ("c", fix(trio[2])),
                                           ("repositories", fix(rep) if rep else None),
                                           ("layersize", root.get("graph/%s/layersize" % ids[i]))]))
    # file names in layers
    for p in sorted(root.files)[:400]:
        if "/diff/" in p:
            s.add("sanitize", p.split("/diff/", 1)[1])


PM_L = "1" * 64
PM_I = "2" * 64


def podman_sqlite(wal):
    """A small db.sql in Podman 5's shape (libpod/sqlite_state_internal.go),
    with its last commit only in the WAL (wal) or rolled back by a hot
    journal (not wal): (main, companion) bytes, page size 512."""
    import sqlite3
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        db = os.path.join(d, "db.sql")
        c = sqlite3.connect(db, isolation_level=None)
        c.execute("PRAGMA page_size=512")
        c.execute("PRAGMA journal_mode=" + ("WAL" if wal else "DELETE"))
        if wal:
            c.execute("PRAGMA wal_autocheckpoint=0")
        for t in ["DBConfig(ID INTEGER PRIMARY KEY, SchemaVersion INTEGER, Os TEXT, StaticDir TEXT, TmpDir TEXT, "
                  "GraphRoot TEXT, RunRoot TEXT, GraphDriver TEXT, VolumeDir TEXT)",
                  "ContainerConfig(ID TEXT PRIMARY KEY, Name TEXT UNIQUE, PodID TEXT, JSON TEXT)",
                  "ContainerState(ID TEXT PRIMARY KEY, State INTEGER, ExitCode INTEGER, JSON TEXT)",
                  "ContainerExitCode(ID TEXT PRIMARY KEY, Timestamp INTEGER, ExitCode INTEGER)",
                  "ContainerExecSession(ID TEXT PRIMARY KEY, ContainerID TEXT)",
                  "ContainerDependency(ID TEXT, DependencyID TEXT)",
                  "PodConfig(ID TEXT PRIMARY KEY, Name TEXT UNIQUE, JSON TEXT)",
                  "PodState(ID TEXT PRIMARY KEY, InfraContainerID TEXT, JSON TEXT)",
                  "VolumeConfig(Name TEXT PRIMARY KEY, StorageID TEXT, JSON TEXT)",
                  "VolumeState(Name TEXT PRIMARY KEY, JSON TEXT)"]:
            c.execute("CREATE TABLE " + t)
        cid, pid = "c0" * 32, "b0" * 32
        c.execute("INSERT INTO DBConfig VALUES (1, 1, 'linux', '/var/lib/containers/storage/libpod', "
                  "'/run/libpod', '/var/lib/containers/storage', '/run/containers/storage', 'overlay', "
                  "'/var/lib/containers/storage/volumes')")
        c.execute("INSERT INTO PodConfig VALUES (?, 'pod', ?)", (pid, json.dumps({"id": pid, "name": "pod"})))
        c.execute("INSERT INTO PodState VALUES (?, NULL, ?)", (pid, json.dumps({"InfraContainerID": cid})))
        c.execute("INSERT INTO ContainerConfig VALUES (?, 'web', ?, ?)", (cid, pid, json.dumps(
            {"id": cid, "name": "web", "pod": pid, "rootfsImageID": PM_I, "createdTime": "2026-11-26T14:34:07Z",
             "spec": {"process": {"args": ["sh", "-c", "echo hi"]}}, "logDriver": "k8s-file",
             "namedVolumes": [{"Name": "data", "Dest": "/data"}]})))
        c.execute("INSERT INTO ContainerState VALUES (?, 3, 0, ?)", (cid, json.dumps(
            {"state": 3, "pid": 4242, "startedTime": "2026-11-26T14:34:08.5Z", "restartCount": 0})))
        c.execute("INSERT INTO VolumeConfig VALUES ('data', NULL, ?)", (json.dumps(
            {"name": "data", "volumeDriver": "local", "createdAt": "2026-11-26T14:34:00Z"}),))
        c.execute("INSERT INTO VolumeState VALUES ('data', '{}')")
        if wal:
            c.execute("UPDATE ContainerState SET JSON = ? WHERE ID = ?", (json.dumps(
                {"state": 6, "exitCode": 3, "finishedTime": "2026-11-26T14:35:00Z"}), cid))
            c.execute("INSERT INTO ContainerExitCode VALUES (?, 1795703700, 3)", (cid,))
            main = open(db, "rb").read()
            comp = open(db + "-wal", "rb").read()
            c.close()
            return main, comp
        main_before = open(db, "rb").read()
        c.execute("BEGIN")
        c.execute("UPDATE ContainerState SET JSON = '{\"state\":6}' WHERE ID = ?", (cid,))
        c.execute("DELETE FROM ContainerConfig WHERE ID = ?", (cid,))
        # the page cache spills to the file and the journal is hot: copy both mid-transaction
        c.execute("PRAGMA cache_size=1")
        for i in range(40):
            c.execute("INSERT INTO ContainerDependency VALUES (?, ?)", ("x" * 64, "%064d" % i))
        main = open(db, "rb").read()
        jpath = db + "-journal"
        comp = open(jpath, "rb").read() if os.path.exists(jpath) else b""
        c.execute("ROLLBACK")
        c.close()
        return (main if comp else main_before), comp


def from_podman(s):
    """Bundles for fuzz_podman from the real Podman fixture (sysroot.tar.xz),
    and the users and configuration files for fuzz_passwd and fuzz_toml."""
    p = os.path.join(SRC, "testdata", "podman", "sysroot.tar.xz")
    if not os.path.exists(p):
        return
    f = {}
    with tarfile.open(p) as t:
        for m in t:
            if m.isreg() and m.size <= 1 << 20:
                f[m.name.lstrip("./")] = t.extractfile(m).read()
    etc = [("passwd", f.get("etc/passwd")), ("subuid", f.get("etc/subuid")), ("subgid", f.get("etc/subgid")),
           ("storage.conf", f.get("etc/containers/storage.conf")),
           ("containers.conf", f.get("etc/containers/containers.conf"))]
    for name in ("etc/passwd", "etc/subuid"):
        if f.get(name):
            s.add("passwd", f[name])
    for name in ("etc/containers/storage.conf", "etc/containers/containers.conf",
                 "home/alice/.config/containers/storage.conf"):
        if f.get(name):
            s.add("toml", f[name])
    for store, drv in (("var/lib/containers/storage/", "overlay"), ("home/alice/.local/share/containers/storage/",
                                                                    "overlay")):
        ims = f.get(store + drv + "-images/images.json")
        ids = re.findall(rb'"id":\s*"([0-9a-f]{64})"', ims or b"")
        man = [k for k in f if ids and k.startswith(store + drv + "-images/" + ids[0].decode() + "/manifest")]
        lays = f.get(store + drv + "-layers/layers.json")
        lids = re.findall(rb'"id":\s*"([0-9a-f]{64})"', lays or b"")
        fix = lambda b: b.replace(ids[0], PM_I.encode()).replace(lids[-1], PM_L.encode()) if b and ids and lids else b
        sec = [("layers.json", fix(lays)), ("images.json", fix(ims)),
               ("containers.json", fix(f.get(store + drv + "-containers/containers.json"))),
               ("lower", f.get(store + "overlay/" + lids[-1].decode() + "/lower") if lids else None),
               ("bigdata-name", "manifest" if man else None), ("bigdata", f.get(man[0]) if man else None)]
        if store.startswith("home/"):
            sec.append(("user-storage.conf", f.get("home/alice/.config/containers/storage.conf")))
        s.add("podman", bundle(sec + etc))
    # the BoltDB state and the events log, apart (the bolt file is 128 KiB)
    bolt = f.get("home/bob/.local/share/containers/storage/libpod/bolt_state.db")
    if bolt:
        s.add("podman", bundle([("bolt_state.db", bolt)] + etc))
    ev = os.path.join(SRC, "testdata", "podman", "engine", "root", "events.log")
    if os.path.exists(ev):
        conf = (f.get("etc/containers/containers.conf") or b"[engine]\n") + \
            b'events_logfile_path = "/var/log/podman-events.log"\n'
        s.add("podman", bundle([("events.log", lines_head(open(ev, "rb").read(), 8192)),
                                ("containers.conf", conf), ("images.json", f.get(
                                    "var/lib/containers/storage/overlay-images/images.json"))]))
    for wal in (True, False):
        main_b, comp = podman_sqlite(wal)
        s.add("podman", bundle([("db.sql", main_b), ("db.sql-wal" if wal else "db.sql-journal", comp)] + etc))
    s.add("podman", bundle([("bigdata-name", "=c2hhMjU2OjI3ODRiYWRkYTNiOTlmMzFh"), ("crio.conf",
                            '[crio]\nroot = "/srv/crio"\n')]))
    # a journal file cut short: its header and hash tables' start (the file
    # is 8 MiB, mostly the preallocated hash tables)
    import lzma
    j = os.path.join(SRC, "testdata", "journald", "var", "log", "journal", "5f6c1e3a9b8d4c7e8f0a1b2c3d4e5f60",
                     "user-2000.journal.xz")
    if os.path.exists(j):
        with lzma.open(j) as x:
            s.add("logs_journal", x.read(MAX))


def hand_made(s):
    s.add("logs_cri", "2026-11-23T14:58:02.123456789Z stdout F hello\n"
                      "2026-11-23T14:58:02.2Z stderr P par\n2026-11-23T14:58:02.3Z stderr F tial\n"
                      "2026-11-23T15:58:02.5+01:00 stdout F:x:y  two spaces\n")
    for t in ["2026-11-23T14:58:02Z", "2026-11-23T14:58:02.1Z", "0001-01-01T00:00:00Z",
              "2262-04-11T23:47:16.854775807Z", "1677-09-21T00:12:43.145224193Z", "2028-02-29T00:00:00.5+01:00",
              "2026-11-23 14:58:02,5-08:00", "2026-12-31T23:59:60Z", "1700000000.5", "-1.25"]:
        s.add("time", t)
    for n in ["evil\x1b[31mname\nline2", "caf\xc3\xa9", "\xc2\x9b31m", "a\\b", "\xff\xfe", "\xed\xa0\x80"]:
        s.add("sanitize", n.encode("latin-1"))
    paths = ["containers/c1/config.v2.json", "../../outside/secret", "abs/passwd", "climb/secret", "up",
             "overlay2/l/SHORT/etc", "loop1/x", "magic", "back/etc/passwd", "fifo", "dot/dot/etc/passwd",
             "deep/a/b/../../../../../outside", "/etc/passwd", "", ".", "..", "containers/../../..",
             "fz/l1/passwd", "fz/l2"]
    for i, p in enumerate(paths):
        s.add("source_path", bundle([("", p + "\n" + chr(ord("0") + i % 6)),
                                     ("links", "l1 ../etc\nl2 /../../outside\nl3 l3\nl4 ../fz/l1/../../up")]))
    unit = ("[Unit]\nDescription=Docker Application Container Engine\n[Service]\nType=notify\n"
            "ExecStart=/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock\n")
    s.add("unitfile", bundle([("", "/usr/bin/dockerd --data-root=/srv/docker -H fd://"), ("unit", unit)]))
    s.add("unitfile", bundle([("unit", unit),
                              ("dropin-a", "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd \\\n  -g \"/data/docker\"\n"),
                              ("dropin-b", "[Service]\nExecStart=-/usr/bin/dockerd --graph /old\n"),
                              ("daemon.json", '{"data-root": "/var/lib/docker2", "storage-driver": "overlay2"}')]))
    s.add("unitfile", bundle([("default", 'DOCKER_OPTS="--dns 8.8.8.8 -g /mnt/docker"\n#OPTIONS=x\n'),
                              ("daemon.json", '{"graph": "/legacy"}')]))
    hc = json.dumps({"LogConfig": {"Type": "json-file", "Config": {"max-file": "3", "max-size": "1k"}}})
    cfg = json.dumps({"ID": "c0ffee00" * 8, "Name": "/x", "Driver": "overlay2", "State": {
        "Running": True, "StartedAt": "2026-11-23T14:58:07.740686647Z", "FinishedAt": "0001-01-01T00:00:00Z",
        "Health": {"Status": "starting", "FailingStreak": 0, "Log": None}},
        "Config": {"Image": "busybox"}, "Image": "sha256:" + "ab" * 32})
    s.add("docker_container", bundle([("config.v2.json", cfg), ("hostconfig.json", hc),
                                      ("mount-id", "m1"), ("lower", "l/INIT:l/BASE"),
                                      ("log", '{"log":"hi\\n","stream":"stdout","time":"2026-11-23T14:58:08Z"}\n')]))
    s.add("jscan", cfg)
    s.add("jscan", '{"a":[1,2.5,-3e10,true,false,null,"x\\u00e9\\ud83d\\ude00"],"b":{}}')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--shared", default=os.path.join(SRC, "..", "shared"))
    a = ap.parse_args()
    s = Seeds(a.out)
    for name in ("overlay2", "overlay", "logs"):
        p = os.path.join(SRC, "testdata", "docker", name + ".tar.xz")
        if os.path.exists(p):
            from_root(s, Root(p))
    rd = os.path.join(a.shared, "realdata", "docker-explorer")
    if os.path.isdir(rd):
        for f in sorted(os.listdir(rd)):
            if f.endswith(".tgz"):
                from_root(s, Root(os.path.join(rd, f)))
    from_podman(s)
    hand_made(s)
    for t in sorted(os.listdir(a.out)):
        print(t, len(os.listdir(os.path.join(a.out, t))))


main()
