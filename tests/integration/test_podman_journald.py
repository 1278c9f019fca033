"""Podman's journald log driver: a container's output read from the systemd
journal files of the evidence (testdata/journald: real journal files made
by systemd-journal-remote from entries shaped as conmon writes them, see
its generate.py), matched by CONTAINER_ID_FULL, against the entries fed
(expected.json) and, where journalctl exists, what systemd's own reader
says. The store around them is built here: a Podman 5 db.sql (SQLite,
schema of libpod/sqlite_state_internal.go) naming the containers with log
driver journald. Damaged journals cost only themselves."""
import json
import lzma
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from harness import BIN, CACHE, SRC, Tap, csleuth, csleuth_json  # noqa: E402

JD = os.path.join(SRC, "testdata", "journald")
SCHEMA = """
CREATE TABLE DBConfig(ID INTEGER PRIMARY KEY NOT NULL, SchemaVersion INTEGER NOT NULL, OS TEXT NOT NULL,
  StaticDir TEXT NOT NULL, TmpDir TEXT NOT NULL, GraphRoot TEXT NOT NULL, RunRoot TEXT NOT NULL,
  GraphDriver TEXT NOT NULL, VolumeDir TEXT NOT NULL, CHECK (ID IN (1)));
CREATE TABLE IDNamespace(ID TEXT PRIMARY KEY NOT NULL);
CREATE TABLE ContainerConfig(ID TEXT PRIMARY KEY NOT NULL, Name TEXT UNIQUE NOT NULL, PodID TEXT, JSON TEXT NOT NULL);
CREATE TABLE ContainerState(ID TEXT PRIMARY KEY NOT NULL, State INTEGER NOT NULL, ExitCode INTEGER, JSON TEXT NOT NULL);
CREATE TABLE ContainerExecSession(ID TEXT PRIMARY KEY NOT NULL, ContainerID TEXT NOT NULL);
CREATE TABLE ContainerDependency(ID TEXT NOT NULL, DependencyID TEXT NOT NULL, PRIMARY KEY (ID, DependencyID));
CREATE TABLE ContainerVolume(ContainerID TEXT NOT NULL, VolumeName TEXT NOT NULL, PRIMARY KEY (ContainerID, VolumeName));
CREATE TABLE ContainerExitCode(ID TEXT PRIMARY KEY NOT NULL, Timestamp INTEGER NOT NULL, ExitCode INTEGER NOT NULL);
CREATE TABLE PodConfig(ID TEXT PRIMARY KEY NOT NULL, Name TEXT UNIQUE NOT NULL, JSON TEXT NOT NULL);
CREATE TABLE PodState(ID TEXT PRIMARY KEY NOT NULL, InfraContainerID TEXT, JSON TEXT NOT NULL);
CREATE TABLE VolumeConfig(Name TEXT PRIMARY KEY NOT NULL, StorageID TEXT, JSON TEXT NOT NULL);
CREATE TABLE VolumeState(Name TEXT PRIMARY KEY NOT NULL, JSON TEXT NOT NULL);
"""


def make_store(root, host_root, names, exp):
    lib = os.path.join(root, "libpod")
    os.makedirs(lib)
    db = sqlite3.connect(os.path.join(lib, "db.sql"))
    db.executescript(SCHEMA)
    db.execute("INSERT INTO DBConfig VALUES (1, 1, 'linux', ?, '/run/libpod', ?, '/run/containers/storage', "
               "'overlay', ?)", (host_root + "/libpod", host_root, host_root + "/volumes"))
    layers, ctrs = [], []
    for i, n in enumerate(names):
        cid = exp["containers"][n]["id"]
        layer = f"{i + 1:064x}"
        os.makedirs(os.path.join(root, "overlay", layer, "diff", "etc"))
        layers.append({"id": layer, "created": "2026-11-26T14:34:00Z"})
        ctrs.append({"id": cid, "names": [n], "image": "", "layer": layer, "metadata": "{}",
                     "created": "2026-11-26T14:34:00Z"})
        cfg = {"id": cid, "name": n, "createdTime": "2026-11-26T14:34:00.5Z", "logDriver": "journald",
               "spec": {"ociVersion": "1.0.2-dev", "process": {"args": ["sh", "-c", "run"]}}}
        st = {"state": 6, "exitCode": 0, "startedTime": "2026-11-26T14:34:59Z", "finishedTime": "2026-11-26T14:36:00Z"}
        db.execute("INSERT INTO IDNamespace VALUES (?)", (cid,))
        db.execute("INSERT INTO ContainerConfig VALUES (?, ?, NULL, ?)", (cid, n, json.dumps(cfg)))
        db.execute("INSERT INTO ContainerState VALUES (?, 1, 0, ?)", (cid, json.dumps(st)))
    db.commit()
    db.close()
    for d, f, v in (("overlay-layers", "layers.json", layers), ("overlay-containers", "containers.json", ctrs),
                    ("overlay-images", "images.json", [])):
        os.makedirs(os.path.join(root, d), exist_ok=True)
        with open(os.path.join(root, d, f), "w") as fh:
            json.dump(v, fh)


def build(tmp, exp):
    s = os.path.join(tmp, "host")
    os.makedirs(os.path.join(s, "etc"))
    with open(os.path.join(s, "etc/passwd"), "w") as f:
        f.write("root:x:0:0:root:/root:/bin/sh\nalice:x:2000:2000:Alice:/home/alice:/bin/sh\n")
    for f in ("subuid", "subgid"):
        with open(os.path.join(s, "etc", f), "w") as fh:
            fh.write("alice:10100001:65536\n")
    make_store(os.path.join(s, "var/lib/containers/storage"), "/var/lib/containers/storage", ["jweb", "jworker"], exp)
    home = os.path.join(s, "home/alice/.local/share/containers/storage")
    make_store(home, "/home/alice/.local/share/containers/storage", ["jalice"], exp)
    subprocess.run(["chown", "-R", "2000:2000", os.path.join(s, "home/alice")], check=True)
    jd = os.path.join(s, "var/log/journal", exp["machine_id"])
    os.makedirs(jd)
    for name in ("system", "user-2000"):
        with lzma.open(os.path.join(JD, "var/log/journal", exp["machine_id"], name + ".journal.xz")) as f:
            data = f.read()
        with open(os.path.join(jd, name + ".journal"), "wb") as f:
            f.write(data)
    return s, jd


def fmt(usec):
    import datetime
    d = datetime.datetime.fromtimestamp(usec // 10**6, datetime.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S") + ".%06d000Z" % (usec % 10**6)


def want_streams(exp, name, ts=True):
    out = {"stdout": b"", "stderr": b""}
    for e in exp["entries"]:
        if e["container"] != name:
            continue
        b = (fmt(e["realtime_usec"]).encode() + b" " if ts else b"") + bytes.fromhex(e["text_hex"])
        if not e["partial"]:
            b += b"\n"
        out[e["stream"]] += b
    return out


def test_logs(t, s, exp):
    for name, q in (("jweb", "jweb"), ("jworker", "jworker"), ("jalice", "podman:alice/jalice")):
        p = subprocess.run([BIN, "-q", "--sysroot", s, "logs", "-t", q], capture_output=True)
        w = want_streams(exp, name)
        t.eq((p.returncode, p.stdout, p.stderr), (0, w["stdout"], w["stderr"]),
             f"logs -t {name}: every entry of its CONTAINER_ID_FULL, stream by PRIORITY, long lines in conmon's "
             "pieces, output without a newline as podman prints it")
    rc, out, err = csleuth("--sysroot", s, "logs", "--json", "jweb")
    got = [json.loads(x) for x in out.decode().splitlines()]
    want = [e for e in exp["entries"] if e["container"] == "jweb"]
    t.eq([(g["stream"], g["partial"], g["text"].encode("utf-8", "surrogateescape").hex() if "text_base64" not in g else None)
          for g in got], [(e["stream"], e["partial"], e["text_hex"]) for e in want],
         f"logs --json jweb: {len(want)} records with stream, text and partial flag")
    rc, out, err = csleuth("--sysroot", s, "logs", "--tail", "2", "jweb")
    t.eq(out, b"".join(bytes.fromhex(e["text_hex"]) + (b"" if e["partial"] else b"\n")
                       for e in want[-2:] if e["stream"] == "stdout"), "logs --tail 2: the last two entries")
    jc = shutil.which("journalctl")
    if not jc:
        t.skip("journalctl is absent: no cross-check with systemd's own reader")
        return
    files = [os.path.join(dp, f) for dp, _, fs in os.walk(os.path.join(s, "var/log/journal")) for f in fs]
    cid = exp["containers"]["jweb"]["id"]
    args = [jc, "-q", "-o", "json", "--all"] + [a for f in files for a in ("--file", f)] + ["CONTAINER_ID_FULL=" + cid]
    p = subprocess.run(args, capture_output=True)
    jl = [json.loads(x) for x in p.stdout.decode().splitlines()]

    def msg(j):
        m = j["MESSAGE"]
        b = bytes(m) if isinstance(m, list) else m.encode()
        return b[:-1] if b.endswith(b"\n") else b

    t.eq([(int(j["__REALTIME_TIMESTAMP"]), "stdout" if j["PRIORITY"] == "6" else "stderr", msg(j).hex()) for j in jl],
         [(e["realtime_usec"], e["stream"], e["text_hex"]) for e in want],
         "journalctl (systemd's reader) agrees with the entries fed")


def test_damaged(t, s, jd, exp, tmp):
    d = os.path.join(tmp, "damaged")
    subprocess.run(["cp", "-a", s, d], check=True)
    dj = os.path.join(d, os.path.relpath(jd, s))
    with open(os.path.join(dj, "junk.journal"), "wb") as f:
        f.write(b"this is not a journal file\n" * 100)
    sysj = os.path.join(dj, "system.journal")
    size = os.path.getsize(sysj)
    data = open(sysj, "rb").read()
    last = len(data.rstrip(b"\0"))
    with open(sysj, "wb") as f:
        f.write(data[:last - 64])  # the tail of the last objects cut off
    p = subprocess.run([BIN, "--sysroot", d, "logs", "-t", "podman:alice/jalice"], capture_output=True)
    w = want_streams(exp, "jalice")
    t.ok(p.returncode == 3 and p.stdout == w["stdout"] and b"junk.journal" in p.stderr and
         b"not a systemd journal" in p.stderr,
         "a file that is not a journal is named and skipped; the others are read", p.stderr)
    t.ok(b"system.journal" in p.stderr and b"cut short" in p.stderr and str(size).encode() in p.stderr,
         "a journal cut short is named with the size its header records", p.stderr)
    p = subprocess.run([BIN, "-q", "--sysroot", d, "logs", "jweb"], capture_output=True)
    w = want_streams(exp, "jweb", ts=False)
    t.ok(p.returncode == 3 and len(p.stdout) > 0 and w["stdout"].startswith(p.stdout[:len(p.stdout) // 2]),
         "the cut journal is read as far as its entries are whole", p.stdout[:200])
    shutil.rmtree(os.path.join(d, "var/log/journal"))
    rc, out, err = csleuth("--sysroot", d, "logs", "jweb")
    t.ok(rc == 0 and out == b"" and b"no journal directory" in err, "no journal in the evidence: said plainly", err)
    rc, ps, err = csleuth_json("--sysroot", d, "ps", "--json")
    t.ok(rc == 0 and {p["log_driver"] for p in ps} == {"journald"}, "ps: log driver journald", err)


def main():
    t = Tap()
    if os.geteuid() != 0:
        t.skip("the store is owned by a user other than root: building it needs root")
        t.done()
    with open(os.path.join(JD, "expected.json")) as f:
        exp = json.load(f)
    tmp = tempfile.mkdtemp(prefix="csx-jd-", dir=CACHE)
    try:
        s, jd = build(tmp, exp)
        t.run(test_logs, s, exp)
        t.run(test_damaged, s, jd, exp, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    t.done()


if __name__ == "__main__":
    main()
