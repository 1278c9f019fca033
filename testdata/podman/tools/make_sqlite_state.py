#!/usr/bin/env python3
"""make_sqlite_state.py - EMULATE a Podman 5 SQLite state database (db.sql) from the values
of a real Podman 4.3 bolt_state.db (as dumped by bbolt_dump.py).

    make_sqlite_state.py --mode wal|delete --final DUMP.json [--midrun DUMP.json
                         --wal-only-exit NAME] --out .../libpod/db.sql   > report.json

Podman 4.3 cannot write db.sql; this writes the file Podman 5 would, as closely as its source
says, with the JSON values podman 4.3 really stored. Source followed (containers/podman tag
v5.8.2, commit 5b263b5f5b48004a87caac44e67349a8266d9ef4):
  libpod/sqlite_state_internal.go  createSQLiteTables (the 12 tables), addContainer
  libpod/sqlite_state.go           NewSqliteState (options _sync=FULL, _foreign_keys=1,
                                   _txlock=exclusive; no _journal option since v4.6.0, commit
                                   1fb3cdf8a8 "sqlite: disable WAL mode"), ValidateDBConfig
                                   (the DBConfig row), AddPod, AddVolume, SaveContainer,
                                   AddContainerExitCode, AddExecSession
What Podman 5 does and this reproduces:
  * one transaction per object added (BEGIN EXCLUSIVE ... COMMIT), in creation order;
  * ContainerState.State / .ExitCode columns are written only by the INSERT at creation
    (state 1 = configured, exit code 0); every later SaveContainer updates only the JSON
    column. So the columns are stale and the JSON is the truth;
  * PodState.InfraContainerID is written only by AddPod, before the infra container exists:
    NULL; the pod's state JSON holds infraContainerID;
  * ContainerExitCode(ID, Timestamp = unix seconds, ExitCode) via INSERT OR REPLACE.
--mode delete: journal_mode DELETE (podman >= 4.6 default). With --hot-journal-rm NAME, a
               last transaction (what `podman rm NAME` runs: RemoveContainer's DELETEs) is
               left half-written: the page cache is kept tiny so SQLite spills changed pages
               into db.sql before COMMIT, and the writer is killed with SIGKILL. db.sql then
               holds some of the new pages and db.sql-journal (a "hot journal") the original
               ones; a reader must roll the journal back to see the committed state (NAME
               still present). Without it, the file is closed cleanly.
--mode wal:    journal_mode WAL (what podman 4.5.x, the first release with SQLite, set; it
               stays set in a DB made then: the mode is persistent). Everything is written
               and checkpointed with the --midrun state of --wal-only-exit NAME (running);
               then the container's exit
               is committed as podman does it (AddContainerExitCode, then SaveContainer) and
               the writer is killed with SIGKILL: those two commits exist only in db.sql-wal.
"""
import argparse
import datetime
import hashlib
import json
import os
import shutil
import signal
import sqlite3
import sys
import tempfile

SCHEMA_SOURCE = ("containers/podman v5.8.2 (5b263b5f5b48004a87caac44e67349a8266d9ef4) "
                 "libpod/sqlite_state_internal.go createSQLiteTables; schemaVersion 1 in "
                 "libpod/sqlite_state.go")

# The tables of Podman 5's schema version 1 (columns, types and constraints as in the source).
TABLES = [
    ("DBConfig", """CREATE TABLE IF NOT EXISTS DBConfig(
  ID INTEGER PRIMARY KEY NOT NULL, SchemaVersion INTEGER NOT NULL, OS TEXT NOT NULL,
  StaticDir TEXT NOT NULL, TmpDir TEXT NOT NULL, GraphRoot TEXT NOT NULL, RunRoot TEXT NOT NULL,
  GraphDriver TEXT NOT NULL, VolumeDir TEXT NOT NULL, CHECK (ID IN (1)));"""),
    ("IDNamespace", "CREATE TABLE IF NOT EXISTS IDNamespace(ID TEXT PRIMARY KEY NOT NULL);"),
    ("ContainerConfig", """CREATE TABLE IF NOT EXISTS ContainerConfig(
  ID TEXT PRIMARY KEY NOT NULL, Name TEXT UNIQUE NOT NULL, PodID TEXT, JSON TEXT NOT NULL,
  FOREIGN KEY (ID) REFERENCES IDNamespace(ID) DEFERRABLE INITIALLY DEFERRED,
  FOREIGN KEY (ID) REFERENCES ContainerState(ID) DEFERRABLE INITIALLY DEFERRED,
  FOREIGN KEY (PodID) REFERENCES PodConfig(ID));"""),
    ("ContainerState", """CREATE TABLE IF NOT EXISTS ContainerState(
  ID TEXT PRIMARY KEY NOT NULL, State INTEGER NOT NULL, ExitCode INTEGER, JSON TEXT NOT NULL,
  FOREIGN KEY (ID) REFERENCES ContainerConfig(ID) DEFERRABLE INITIALLY DEFERRED,
  CHECK (ExitCode BETWEEN -1 AND 255));"""),
    ("ContainerExecSession", """CREATE TABLE IF NOT EXISTS ContainerExecSession(
  ID TEXT PRIMARY KEY NOT NULL, ContainerID TEXT NOT NULL,
  FOREIGN KEY (ContainerID) REFERENCES ContainerConfig(ID));"""),
    ("ContainerDependency", """CREATE TABLE IF NOT EXISTS ContainerDependency(
  ID TEXT NOT NULL, DependencyID TEXT NOT NULL, PRIMARY KEY (ID, DependencyID),
  FOREIGN KEY (ID) REFERENCES ContainerConfig(ID) DEFERRABLE INITIALLY DEFERRED,
  FOREIGN KEY (DependencyID) REFERENCES ContainerConfig(ID), CHECK (ID <> DependencyID));"""),
    ("ContainerVolume", """CREATE TABLE IF NOT EXISTS ContainerVolume(
  ContainerID TEXT NOT NULL, VolumeName TEXT NOT NULL, PRIMARY KEY (ContainerID, VolumeName),
  FOREIGN KEY (ContainerID) REFERENCES ContainerConfig(ID) DEFERRABLE INITIALLY DEFERRED,
  FOREIGN KEY (VolumeName) REFERENCES VolumeConfig(Name));"""),
    ("ContainerExitCode", """CREATE TABLE IF NOT EXISTS ContainerExitCode(
  ID TEXT PRIMARY KEY NOT NULL, Timestamp INTEGER NOT NULL, ExitCode INTEGER NOT NULL,
  CHECK (ExitCode BETWEEN -1 AND 255));"""),
    ("PodConfig", """CREATE TABLE IF NOT EXISTS PodConfig(
  ID TEXT PRIMARY KEY NOT NULL, Name TEXT UNIQUE NOT NULL, JSON TEXT NOT NULL,
  FOREIGN KEY (ID) REFERENCES IDNamespace(ID) DEFERRABLE INITIALLY DEFERRED,
  FOREIGN KEY (ID) REFERENCES PodState(ID) DEFERRABLE INITIALLY DEFERRED);"""),
    ("PodState", """CREATE TABLE IF NOT EXISTS PodState(
  ID TEXT PRIMARY KEY NOT NULL, InfraContainerID TEXT, JSON TEXT NOT NULL,
  FOREIGN KEY (ID) REFERENCES PodConfig(ID) DEFERRABLE INITIALLY DEFERRED,
  FOREIGN KEY (InfraContainerID) REFERENCES ContainerConfig(ID) DEFERRABLE INITIALLY DEFERRED);"""),
    ("VolumeConfig", """CREATE TABLE IF NOT EXISTS VolumeConfig(
  Name TEXT PRIMARY KEY NOT NULL, StorageID TEXT, JSON TEXT NOT NULL,
  FOREIGN KEY (Name) REFERENCES VolumeState(Name) DEFERRABLE INITIALLY DEFERRED);"""),
    ("VolumeState", """CREATE TABLE IF NOT EXISTS VolumeState(
  Name TEXT PRIMARY KEY NOT NULL, JSON TEXT NOT NULL,
  FOREIGN KEY (Name) REFERENCES VolumeConfig(Name) DEFERRABLE INITIALLY DEFERRED);"""),
]


# ---- reading the bolt dump ------------------------------------------------------------------
def bucket(node, *path):
    for name in path:
        node = next((e["bucket"] for e in node["entries"] if e.get("key") == name and "bucket" in e), None)
        if node is None:
            return None
    return node


def values(node):
    return {e["key"]: e["value"] for e in (node or {"entries": []})["entries"] if "value" in e}


def subbuckets(node):
    return {e["key"]: e["bucket"] for e in (node or {"entries": []})["entries"] if "bucket" in e}


def parse_time(s):
    """RFC 3339 with up to 9 fractional digits -> aware datetime (microseconds)."""
    s = s.replace("Z", "+00:00")
    if "." in s:
        head, rest = s.split(".", 1)
        i = next((k for k, c in enumerate(rest) if c in "+-"), len(rest))
        s = head + "." + (rest[:i] + "000000")[:6] + rest[i:]
    return datetime.datetime.fromisoformat(s)


class State:
    def __init__(self, dump):
        tree = dump["tree"]
        self.runtime = values(bucket(tree, "runtime-config"))
        self.ctrs = {}
        for cid, b in subbuckets(bucket(tree, "ctr")).items():
            v = values(b)
            # bolt's ctr/<id>/dependencies lists the containers that depend ON <id>
            # (its dependents); SQLite's ContainerDependency(ID, DependencyID) is the reverse
            self.ctrs[cid] = {"config": v["config"], "state": v["state"],
                              "dependents": list(values(bucket(b, "dependencies")).keys())}
        for cid, c in self.ctrs.items():
            c["deps"] = sorted(k for k, o in self.ctrs.items() if cid in o["dependents"])
        self.pods = {}
        for pid, b in subbuckets(bucket(tree, "pod")).items():
            v = values(b)
            self.pods[pid] = {"config": v["config"], "state": v.get("state", "{}")}
        self.vols = {}
        for name, b in subbuckets(bucket(tree, "vol")).items():
            v = values(b)
            self.vols[name] = {"config": v["config"], "state": v.get("state")}
        self.execs = values(bucket(tree, "exec"))              # exec id -> container id
        self.exit_codes = values(bucket(tree, "exit-code"))    # id -> "3"
        self.exit_times = values(bucket(tree, "exit-code-time-stamp"))


# ---- writing ------------------------------------------------------------------------------
def tx(conn, statements):
    conn.execute("BEGIN EXCLUSIVE")
    for sql, args in statements:
        conn.execute(sql, args)
    conn.execute("COMMIT")


def creation_order(st):
    """(time, kind, key) of every volume, pod and container, oldest first."""
    items = []
    for name, v in st.vols.items():
        items.append((parse_time(json.loads(v["config"])["createdAt"]), 0, "vol", name))
    for pid, p in st.pods.items():
        items.append((parse_time(json.loads(p["config"])["created"]), 1, "pod", pid))
    for cid, c in st.ctrs.items():
        items.append((parse_time(json.loads(c["config"])["createdTime"]), 2, "ctr", cid))
    return sorted(items)


def exit_code_rows(st, only=None, skip=()):
    rows = []
    for cid, code in sorted(st.exit_codes.items(), key=lambda kv: st.exit_times.get(kv[0], "")):
        if (only is not None and cid != only) or cid in skip:
            continue
        ts = int(parse_time(st.exit_times[cid]).timestamp())
        rows.append(("INSERT OR REPLACE INTO ContainerExitCode VALUES (?, ?, ?);", (cid, ts, int(code))))
    return rows


def build(conn, st, state_of, skip_exit=()):
    rt = st.runtime
    tx(conn, [(sql, ()) for _, sql in TABLES])
    tx(conn, [("INSERT OR IGNORE INTO DBConfig VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?);",
               (1, 1, rt.get("os", "linux"), rt["static-dir"], rt["tmp-dir"], rt["graph-root"],
                rt["run-root"], rt["graph-driver-name"], rt["volume-path"]))])
    for _, _, kind, key in creation_order(st):
        if kind == "vol":
            v = st.vols[key]
            cfg = json.loads(v["config"])
            tx(conn, [("INSERT INTO VolumeConfig VALUES (?, ?, ?);", (key, cfg.get("storageID") or None, v["config"])),
                      ("INSERT INTO VolumeState VALUES (?, ?);", (key, v["state"] or "{}"))])
        elif kind == "pod":
            p = st.pods[key]
            name = json.loads(p["config"])["name"]
            tx(conn, [("INSERT INTO IDNamespace VALUES (?);", (key,)),
                      ("INSERT INTO PodConfig VALUES (?, ?, ?);", (key, name, p["config"])),
                      ("INSERT INTO PodState VALUES (?, ?, ?);", (key, None, p["state"]))])
        else:
            c = st.ctrs[key]
            cfg = json.loads(c["config"])
            stmts = [("INSERT INTO IDNamespace VALUES (?);", (key,)),
                     ("INSERT INTO ContainerConfig VALUES (?, ?, ?, ?);", (key, cfg["name"], cfg.get("pod") or None, c["config"])),
                     ("INSERT INTO ContainerState VALUES (?, ?, ?, ?);", (key, 1, 0, state_of(key)))]
            stmts += [("INSERT INTO ContainerDependency VALUES (?, ?);", (key, d)) for d in c["deps"]]
            for vol in {v["volumeName"] for v in cfg.get("namedVolumes") or []}:
                stmts.append(("INSERT INTO ContainerVolume VALUES (?, ?);", (key, vol)))
            tx(conn, stmts)
    for eid, cid in st.execs.items():
        tx(conn, [("INSERT INTO ContainerExecSession VALUES (?, ?);", (eid, cid))])
    for row in exit_code_rows(st, skip=skip_exit):
        tx(conn, [row])


def file_info(path):
    if not os.path.exists(path):
        return None
    with open(path, "rb") as f:
        data = f.read()
    return {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def snapshot_query(files, dbname):
    """Open a copy of the given files (never the originals: the last close would checkpoint
    the WAL away) and read the states."""
    d = tempfile.mkdtemp()
    try:
        for f in files:
            shutil.copy(f, os.path.join(d, os.path.basename(f)))
        conn = sqlite3.connect(os.path.join(d, dbname))
        rows = conn.execute("""SELECT c.Name, s.State, s.ExitCode, json_extract(s.JSON, '$.state'),
                                      json_extract(s.JSON, '$.exitCode'), e.ExitCode
                               FROM ContainerConfig c JOIN ContainerState s ON s.ID = c.ID
                               LEFT JOIN ContainerExitCode e ON e.ID = c.ID ORDER BY c.Name""").fetchall()
        counts = {t: conn.execute("SELECT count(*) FROM %s" % t).fetchone()[0] for t, _ in TABLES}
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
        conn.close()
        return {"journal_mode": mode, "rows": counts,
                "containers": [{"name": r[0], "State_column": r[1], "ExitCode_column": r[2],
                                "json_state": r[3], "json_exitCode": r[4], "ContainerExitCode": r[5]}
                               for r in rows]}
    finally:
        shutil.rmtree(d)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", choices=["wal", "delete"], required=True)
    ap.add_argument("--final", required=True)
    ap.add_argument("--midrun")
    ap.add_argument("--wal-only-exit")
    ap.add_argument("--hot-journal-rm")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    final = State(json.load(open(a.final)))
    for suffix in ("", "-wal", "-shm", "-journal"):
        if os.path.exists(a.out + suffix):
            os.unlink(a.out + suffix)
    report = {"EMULATED": "written by tools/make_sqlite_state.py from the values of a real "
                          "podman 4.3.1 bolt_state.db; podman 4.3 cannot write db.sql",
              "schema_source": SCHEMA_SOURCE, "mode": a.mode}

    def open_db():
        conn = sqlite3.connect(a.out, isolation_level=None)
        conn.execute("PRAGMA journal_mode=%s" % ("WAL" if a.mode == "wal" else "DELETE"))
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=1")
        conn.execute("PRAGMA case_sensitive_like=1")
        return conn

    if a.mode == "delete":
        conn = open_db()
        build(conn, final, lambda cid: final.ctrs[cid]["state"])
        conn.close()
        report["files_committed"] = {os.path.basename(a.out): file_info(a.out)}
        report["as_read_committed"] = snapshot_query([a.out], os.path.basename(a.out))
        if a.hot_journal_rm:
            cid = next(k for k, c in final.ctrs.items() if json.loads(c["config"])["name"] == a.hot_journal_rm)
            pid = os.fork()
            if pid == 0:  # the writer; killed in the middle of the transaction
                conn = open_db()
                conn.execute("PRAGMA cache_size=1")
                conn.execute("PRAGMA cache_spill=1")
                conn.execute("BEGIN EXCLUSIVE")
                for sql in ("DELETE FROM ContainerDependency WHERE ID=?;", "DELETE FROM ContainerVolume WHERE ContainerID=?;",
                            "DELETE FROM ContainerExecSession WHERE ContainerID=?;", "DELETE FROM ContainerConfig WHERE ID=?;",
                            "DELETE FROM ContainerState WHERE ID=?;", "DELETE FROM IDNamespace WHERE ID=?;"):
                    conn.execute(sql, (cid,))
                os.kill(os.getpid(), signal.SIGKILL)
            os.waitpid(pid, 0)
            files = [a.out, a.out + "-journal"]
            report["hot_journal"] = {"interrupted": "podman rm %s (RemoveContainer DELETEs, never committed)" % a.hot_journal_rm,
                                     "id": cid}
            report["files"] = {os.path.basename(f): file_info(f) for f in files}
            report["as_read_with_journal_rollback"] = snapshot_query(files, os.path.basename(a.out))
            try:
                report["as_read_ignoring_journal"] = snapshot_query([a.out], os.path.basename(a.out))
            except sqlite3.DatabaseError as err:
                report["as_read_ignoring_journal"] = {"error": str(err)}
        else:
            report["files"] = report["files_committed"]
    else:
        mid = State(json.load(open(a.midrun)))
        name = a.wal_only_exit
        cid = next(k for k, c in final.ctrs.items() if json.loads(c["config"])["name"] == name)
        pid = os.fork()
        if pid == 0:  # the writer; it dies by SIGKILL, as at a power cut
            conn = open_db()
            conn.execute("PRAGMA wal_autocheckpoint=0")
            build(conn, final, lambda k: mid.ctrs[k]["state"] if k == cid else final.ctrs[k]["state"],
                  skip_exit=(cid,))
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            for row in exit_code_rows(final, only=cid):          # AddContainerExitCode
                tx(conn, [row])
            tx(conn, [("UPDATE ContainerState SET JSON=? WHERE ID=?;",  # SaveContainer
                       (final.ctrs[cid]["state"], cid))])
            os.kill(os.getpid(), signal.SIGKILL)
        os.waitpid(pid, 0)
        files = [a.out, a.out + "-wal", a.out + "-shm"]
        report["wal_only"] = {"container": name, "id": cid,
                              "transactions": ["INSERT OR REPLACE INTO ContainerExitCode (AddContainerExitCode)",
                                               "UPDATE ContainerState SET JSON (SaveContainer: running -> exited)"],
                              "db_file_alone_says": json.loads(mid.ctrs[cid]["state"]).get("state"),
                              "with_wal_says": json.loads(final.ctrs[cid]["state"]).get("state")}
        report["files"] = {os.path.basename(f): file_info(f) for f in files}
        report["as_read_with_wal"] = snapshot_query(files, os.path.basename(a.out))
        report["as_read_without_wal"] = snapshot_query([a.out], os.path.basename(a.out))
    json.dump(report, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
