"""Podman's SQLite state (db.sql), read without writing a byte, with what
only its hot rollback journal or its WAL holds. The fixtures are EMULATED
(Podman 4.3 cannot write db.sql): testdata/podman/tools/make_sqlite_state.py
wrote them after Podman 5's schema, and engine/sqlite/*.json says what
SQLite itself reads from them with and without the journal or WAL. Also:
every command over the Podman fixtures leaves the evidence untouched
(content, owners, mtimes, atimes; on a writable mount, of the symbolic links
only their access times move, as everywhere in csleuth)."""
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from harness import CACHE, SRC, Tap, unpack_txz, csleuth, csleuth_json  # noqa: E402
import fsview  # noqa: E402

ENG = os.path.join(SRC, "testdata", "podman", "engine")
STATE = {1: "created", 2: "created", 3: "running", 4: "stopped", 5: "paused", 6: "exited"}
LIBPOD = "var/lib/containers/storage/libpod"


def rec(*parts):
    with open(os.path.join(ENG, *parts), encoding="utf-8") as f:
        return json.load(f)


def unpack(name):
    return unpack_txz("fixture-podman-" + name, os.path.join(SRC, "testdata", "podman", name + ".tar.xz"))


def copy(src, dst):
    subprocess.run(["cp", "-a", src, dst], check=True)
    return dst


def expect(report):
    """name -> (state, exit code) as SQLite reads the JSON columns."""
    out = {}
    for c in report["containers"]:
        st = STATE[c["json_state"]]
        ec = c["json_exitCode"] if c["json_exitCode"] is not None else (c["ContainerExitCode"] or 0)
        out[c["name"]] = (st, ec if st == "exited" else None)
    return out


def states(ps):
    return {p["name"]: (p["state"], p["exit_code"] if p["state"] == "exited" else None)
            for p in ps if p["engine"] == "podman"}


def test_hot_journal(t, p5, tmp):
    r = rec("sqlite", "podman5.json")
    rc, ps, err = csleuth_json("--sysroot", p5, "ps", "--json")
    t.eq(rc, 0, "podman5: ps exits 0", )
    t.ok(b"db.sql-journal" in err and b"rolled back" in err, "the hot journal is said to be rolled back", err)
    t.eq(states(ps), expect(r["as_read_with_journal_rollback"]),
         "states and exit codes from the JSON columns, journal rolled back (12 containers, as SQLite reads them)")
    t.eq(len([p for p in ps if p["engine"] == "cri-o"]), 2, "the CRI-O pair beside them")
    # without its journal, the database is torn: what SQLite reads then
    alone = copy(p5, os.path.join(tmp, "p5-alone"))
    os.remove(os.path.join(alone, LIBPOD, "db.sql-journal"))
    rc, ps, err = csleuth_json("--sysroot", alone, "ps", "--json")
    want = expect(r["as_read_ignoring_journal"])
    got = {k: v for k, v in states(ps).items() if k in want}
    t.eq(got, want, "db.sql alone: the 11 containers SQLite reads")
    killed = r["hot_journal"]["id"]
    t.ok(rc == 3 and b"has no ContainerConfig row" in err and killed.encode() in err,
         "db.sql alone: the orphaned ContainerState row of the half-removed container is reported", err)
    t.ok(any(p["id"] == killed and p["state"] == "unknown" for p in ps),
         "db.sql alone: that container is still listed from containers.json")


def test_wal(t, wal, tmp):
    r = rec("sqlite", "sqlite-wal.json")
    root = os.path.join(wal, "var/lib/containers/storage")
    rc, ps, err = csleuth_json("--root", root, "ps", "--json")
    t.ok(b"db.sql-wal" in err and b"2 commits" in err, "the commits only in the WAL are said to be applied", err)
    t.eq(states(ps), expect(r["as_read_with_wal"]), "with the WAL: changes exited 3, as SQLite reads it")
    t.eq(r["wal_only"]["with_wal_says"], 6, "(the record: the WAL says exited)")
    # without the WAL
    alone = copy(wal, os.path.join(tmp, "wal-alone"))
    os.remove(os.path.join(alone, LIBPOD, "db.sql-wal"))
    rc, ps, err = csleuth_json("--root", os.path.join(alone, "var/lib/containers/storage"), "ps", "--json")
    t.eq(states(ps), expect(r["as_read_without_wal"]), "db.sql alone: changes still running, as SQLite reads it")
    # a torn WAL: its last commit cut short
    torn = copy(wal, os.path.join(tmp, "wal-torn"))
    wp = os.path.join(torn, LIBPOD, "db.sql-wal")
    size = os.path.getsize(wp)
    with open(wp, "r+b") as f:
        f.truncate(size - 100)
    rc, ps, err = csleuth_json("--root", os.path.join(torn, "var/lib/containers/storage"), "ps", "--json")
    ch = [p for p in ps if p["name"] == "changes"][0]
    t.ok(ch["state"] == "running" and b"1 commit" in err and b"partial frame" in err,
         "a torn WAL: the whole commit before the cut is applied, the cut one is not, and it is said", err)
    # a WAL whose header is damaged is ignored, and that is a warning
    bad = copy(wal, os.path.join(tmp, "wal-bad"))
    wp = os.path.join(bad, LIBPOD, "db.sql-wal")
    with open(wp, "r+b") as f:
        f.seek(24)
        f.write(b"\xff\xff\xff\xff")
    rc, ps, err = csleuth_json("--root", os.path.join(bad, "var/lib/containers/storage"), "ps", "--json")
    t.ok(rc == 3 and b"ignores the WAL" in err and len(ps) == 12, "a WAL with a bad header: ignored, warned", err)
    # every pod is read, not only the first: a second pod made with Python's SQLite
    # on a copy (which checkpoints the WAL into it), and what SQLite reads back
    two = copy(wal, os.path.join(tmp, "two-pods"))
    db = sqlite3.connect(os.path.join(two, LIBPOD, "db.sql"))
    pid = "ab" * 32
    with db:
        db.execute("INSERT INTO PodConfig(ID, Name, JSON) VALUES (?, 'second', ?)",
                   (pid, json.dumps({"id": pid, "name": "second"})))
        db.execute("INSERT INTO PodState(ID, InfraContainerID, JSON) VALUES (?, NULL, '{}')", (pid,))
        db.execute("UPDATE ContainerConfig SET PodID = ? WHERE Name = 'ticker'", (pid,))
    want = dict(db.execute("SELECT c.Name, p.Name FROM ContainerConfig c JOIN PodConfig p ON p.ID = c.PodID"))
    db.close()
    rc, ps, err = csleuth_json("--root", os.path.join(two, "var/lib/containers/storage"), "ps", "--json")
    got = {p["name"]: p["pod"]["name"] for p in ps if p.get("pod")}
    t.ok(want.get("ticker") == "second" and {k: got.get(k) for k in want} == want,
         "every pod of PodConfig is read (ticker in the second pod), as SQLite reads them", (got, want, err))
    # a database that is not SQLite costs the libpod records only
    notdb = copy(wal, os.path.join(tmp, "not-sqlite"))
    with open(os.path.join(notdb, LIBPOD, "db.sql"), "wb") as f:
        f.write(b"this is not a database\n" * 100)
    rc, out, err = csleuth("--root", os.path.join(notdb, "var/lib/containers/storage"), "ps", "--json")
    t.ok(rc == 1 and b"not a SQLite database" in err and b"db.sql" in err,
         "a db.sql that is not SQLite (and nothing else in the store): named, failure", err)


def run_everything(flags):
    rc, out, _ = csleuth(*flags, "ps", "--json")
    ps = json.loads(out) if out.strip() else []
    csleuth(*flags, "ps")
    csleuth(*flags, "images")
    _, out, _ = csleuth(*flags, "images", "--json")
    ims = json.loads(out) if out.strip() else []
    q = [(f"{p['engine']}:{p['namespace']}/{p['id']}" if p["namespace"] else p["id"]) for p in ps]
    csleuth(*flags, "inspect", *q)
    csleuth(*flags, "inspect", "--type", "image",
            *[(f"{i['engine']}:{i['namespace']}/{i['id']}" if i["namespace"] else i["id"]) for i in ims])
    for c in q:
        csleuth(*flags, "logs", c)
        csleuth(*flags, "diff", c)
        csleuth(*flags, "export", "-o", "/dev/null", c)
    for i in ims[:4]:
        csleuth(*flags, "history", i["id"] if not i["namespace"] else f"podman:{i['namespace']}/{i['id']}")
    csleuth(*flags, "timeline", "--logs", "--layers", "--hash", "-o", "/dev/null")
    return len(ps)


def check_untouched(t, label, src, tmp, how, sub=""):
    """Every command, over a read-only view and over the writable tree: the
    database, its hot journal and its WAL are neither rolled back nor
    checkpointed, no side file (-shm, -wal) appears, and of the symbolic
    links only access times may move on the writable tree (readlink(2) has
    no no-atime flag; csleuth notes it)."""
    root = copy(src, os.path.join(tmp, "u-" + label))
    counts = []

    def run(r):
        counts.append(run_everything([how, os.path.join(r, sub) if sub else r]))

    fsview.check_untouched(t, label, root, run)
    t.ok(counts and all(n > 0 for n in counts), f"{label}: the commands read {counts} containers")


def main():
    t = Tap()
    if os.geteuid() != 0:
        t.skip("the fixtures hold whiteouts and trusted.* xattrs: unpacking needs root")
        t.done()
    p5, wal, sysroot = unpack("podman5"), unpack("sqlite-wal"), unpack("sysroot")
    tmp = tempfile.mkdtemp(prefix="csx-pmsql-", dir=CACHE)
    try:
        t.run(test_hot_journal, p5, tmp)
        t.run(test_wal, wal, tmp)
        t.run(check_untouched, "podman5", p5, tmp, "--sysroot")
        t.run(check_untouched, "sqlite-wal", wal, tmp, "--root", "var/lib/containers/storage")
        t.run(check_untouched, "sysroot", sysroot, tmp, "--sysroot")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    t.done()


if __name__ == "__main__":
    main()
