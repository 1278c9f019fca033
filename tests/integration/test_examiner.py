#!/usr/bin/env python3
"""What an examiner trips over (issue 12): symlinked roots, volume paths and
unique names in the timeline, names that are not UTF-8, failed starts,
unreferenced volumes, one row per build step, docker's habits and time
forms, messages that say what to do, provenance and the case folder.
Oracles: the engine's own records (testdata/docker/engine), mactime, the
evidence files themselves (os.lstat, hashlib), tar and sha256sum."""
import csv
import hashlib
import io
import json
import os
import pty
import re
import select
import shutil
import subprocess
import tarfile
import tempfile
import time

from harness import BIN, SRC, Tap, csleuth, csleuth_json, engine_record, fixture

SCEN = engine_record("engine", "scenario.json")


def cid(name):
    return SCEN["container:" + name]


def copy_root(root, tmp, name):
    dst = os.path.join(tmp, name, "docker")
    os.makedirs(os.path.dirname(dst))
    subprocess.run(["cp", "-a", root, dst], check=True)
    return dst


def jsonl(out):
    return [json.loads(x) for x in out.decode("utf-8").splitlines()]


# --- 1. a symlinked --root ---------------------------------------------------

def check_symlinked_root(t, root, tmp):
    m = os.path.join(tmp, "image-mount")
    os.makedirs(os.path.join(m, "etc"))
    os.makedirs(os.path.join(m, "var", "lib"))
    os.makedirs(os.path.join(m, "srv"))
    subprocess.run(["cp", "-a", root, os.path.join(m, "srv", "docker")], check=True)
    # the server's /var/lib/docker was a link to its data disk; on this
    # machine the absolute target is some other directory: here, a second
    # data root that must never be read
    decoy = os.path.join(tmp, "workstation-docker")
    os.makedirs(os.path.join(decoy, "containers"))
    os.symlink(decoy, os.path.join(m, "var", "lib", "docker"))
    rc, out, err = csleuth("--root", os.path.join(m, "var", "lib", "docker"), "ps")
    t.ok(rc == 1 and out == b"", "a symlinked --root is refused, nothing is listed", out[:200])
    t.ok(b"symlink" in err and f"--sysroot {m}".encode() in err,
         "the message names the link and suggests --sysroot with the mounted image", err)
    rc, out, err = csleuth("--root", os.path.join(m, "var", "lib", "docker") + "/", "ps")
    t.eq(rc, 1, "a trailing slash does not get around it")
    # an entry of the data root that points out of it
    inner = copy_root(root, tmp, "inner-link")
    shutil.move(os.path.join(inner, "volumes"), os.path.join(tmp, "inner-link", "volumes-elsewhere"))
    os.symlink("/srv/volumes", os.path.join(inner, "volumes"))
    rc, _, err = csleuth("--root", inner, "ps")
    t.ok(rc == 1 and b"volumes" in err and b"/srv/volumes" in err, "a top-level link out of the root is refused", err)
    # --sysroot resolves the link inside the evidence
    os.unlink(os.path.join(m, "var", "lib", "docker"))
    os.symlink("/srv/docker", os.path.join(m, "var", "lib", "docker"))
    rc, ps, err = csleuth_json("--sysroot", m, "ps", "--json")
    t.ok(rc == 0 and len(ps) == 12, "--sysroot M reads the data root through the link, inside M", err)
    # no --root: the workstation's own data root, said on stderr
    rc, _, err = csleuth("ps")
    t.ok(b"this machine's own /var/lib/docker" in err, "without --root stderr says this machine's own root is read", err)


# --- 2, 3, 10. timeline paths, names and rows ---------------------------------

def check_timeline_paths(t, root):
    rc, ev, _ = (lambda r: (r[0], jsonl(r[1]), r[2]))(csleuth("--root", root, "timeline", "--format", "jsonl",
                                                                   "--logs", "vols"))
    ins = json.loads(csleuth("--root", root, "inspect", "vols")[1])[0]
    m = [x for x in ins["Mounts"] if x.get("Name") == "csxdata"][0]
    want = m["Destination"] + "/secret.txt"
    rows = [e for e in ev if e["volume"] == "csxdata" and e["data_type"] == "fs:stat"]
    t.ok(rows and all(e["path"].startswith(m["Destination"] + "/") or e["path"] == m["Destination"] for e in rows),
         f"volume files carry the path the container saw (under {m['Destination']})", rows[:2])
    t.ok(any(e["path"] == want and e["container_name"] == "vols" for e in rows),
         f"{want} is there, named with its volume", rows[:3])
    st = os.lstat(os.path.join(root, "volumes", "csxdata", "_data", "secret.txt"))
    hit = [e for e in rows if e["path"] == want and "Content Modification" in e["timestamp_desc"]]
    t.ok(hit and hit[0]["size"] == st.st_size and hit[0]["evidence_path"] == "volumes/csxdata/_data/secret.txt",
         "its size and evidence file are the volume file's")
    t.ok(all("vols" in e["message"] for e in rows), "file rows' message names the container")
    # one meaning per column: log rows
    logs = [e for e in ev if e["data_type"] == "container:log"]
    t.ok(logs and all(e["path"] is None and e["evidence_path"].endswith("-json.log") and isinstance(e["evidence_offset"], int)
                      for e in logs), "log rows: no path; their file and offset have their own columns")
    t.ok(all(e["data_type"] for e in ev), "every row has a data_type")
    # lifecycle rows carry the command (Path + Args as the engine records them)
    cr = [e for e in ev if e["timestamp_desc"] == "Container Created"][0]
    t.ok(ins["Path"] in cr["message"] and all(a.split("\n")[0] in cr["message"] for a in ins["Args"]),
         "the lifecycle row carries the command", cr["message"])


def check_body_unique(t, root, tmp):
    body = os.path.join(tmp, "body.txt")
    rc, _, err = csleuth("--root", root, "timeline", "--format", "bodyfile", "--layers", "-o", body)
    t.eq(rc, 0, "body file with image layers")
    seen = {}
    clash = []
    for ln in open(body, "rb").read().splitlines():
        f = ln.split(b"|")
        if f[3][:1] == b"-":
            continue  # events, not files
        meta = (f[2], f[3], f[4], f[5], f[6])
        if seen.setdefault(f[1], meta) != meta:
            clash.append(f[1])
    t.ok(not clash, "every file row's name is unique per object (same name, same inode and metadata)", clash[:5])
    # mactime (an independent reader) shows each layer's own /etc/passwd size
    if shutil.which("mactime") is None:
        t.skip("mactime (sleuthkit) is not installed")
        return
    p = subprocess.run(["mactime", "-b", body, "-d", "-y"], capture_output=True)
    t.ok(p.returncode == 0 and p.stderr == b"", "mactime reads it without complaint", p.stderr[:300])
    _, ims, _ = csleuth_json("--root", root, "inspect", "--type", "image", "dive-test:latest", "csx/app:1.0")
    checked = 0
    for im in ims:
        tag = im["RepoTags"][0]
        gd = im["GraphDriver"]["Data"]
        lowers = gd["LowerDir"].split(":") if gd.get("LowerDir") else []
        layers = list(reversed([gd["UpperDir"]] + lowers))  # base first, as csleuth numbers them
        host = gd["UpperDir"].split("/overlay2/")[0]
        for n, d in enumerate(layers):
            f = os.path.join(root, os.path.relpath(d, host), "etc", "passwd")
            if not os.path.isfile(f) or os.path.islink(f):
                continue
            name = f"[image {tag} layer {n}] /etc/passwd"
            lines = [ln for ln in p.stdout.decode("utf-8", "replace").splitlines() if ln.endswith(',"' + name + '"')]
            sizes = {ln.split(",")[1] for ln in lines}
            t.ok(sizes == {str(os.lstat(f).st_size)},
                 f"mactime shows {name} with its own size {os.lstat(f).st_size}", sizes)
            checked += 1
    t.ok(checked >= 2, f"two images' /etc/passwd were compared ({checked})")


def check_build_steps(t, root):
    rc, out, _ = csleuth("--root", root, "timeline", "--format", "jsonl")
    ev = jsonl(out)
    steps = [e for e in ev if e["timestamp_desc"] == "Image Build Step"]
    # the engine's own history of the tagged images: distinct steps
    want = set()
    for f in os.listdir(os.path.join(SRC, "testdata", "docker", "engine", "history")):
        if f.endswith(".cli.json"):
            continue
        for i, h in enumerate(reversed(engine_record("engine", "history", f))):
            want.add((h["Created"], h["CreatedBy"]))
    t.eq(len(steps), len(want), f"one row per build step ({len(want)} distinct steps in the engine's history)")
    imp = [e for e in steps if "layer imported" in e["message"]]
    t.ok(imp and all(not e["message"].rstrip().endswith(":") for e in steps),
         "an imported base layer says so instead of an empty step", imp[:1])
    # mode as text, so spreadsheets keep it
    rc, out, _ = csleuth("--root", root, "timeline", "--format", "timesketch")
    rows = list(csv.DictReader(io.StringIO(out.decode("utf-8"), newline="")))
    modes = {r["mode"] for r in rows if r["mode"]}
    t.ok(modes and all(re.fullmatch(r"0o[0-7]+", m) for m in modes), "mode is written as 0o100644-style text",
         list(modes)[:5])
    t.ok(any(r["data_type"] == "fs:stat" for r in rows) and all(r["data_type"] for r in rows),
         "Timesketch rows have a data_type")


# --- 4. names that are not UTF-8, backslashes ---------------------------------

def check_names(t, root, tmp):
    cp = copy_root(root, tmp, "names")
    ins = json.loads(csleuth("--root", cp, "inspect", "changes")[1])[0]
    host = ins["GraphDriver"]["Data"]["UpperDir"].split("/overlay2/")[0]
    upper = os.path.join(cp, os.path.relpath(ins["GraphDriver"]["Data"]["UpperDir"], host)).encode()
    for n in (b"bad\xfebyte", b"bad\xffbyte", b"back\\x41slash", b"backAslash", b"csi\xc2\x9b2J"):
        with open(os.path.join(upper, b"tmp", n), "wb") as f:
            f.write(n)
    rc, out, _ = csleuth("--root", cp, "diff", "--json", "changes")
    d = json.loads(out)
    b64 = {c.get("path_base64") for c in d if c.get("path_base64")}
    import base64
    want = {base64.b64encode(b"/tmp/" + n).decode() for n in (b"bad\xfebyte", b"bad\xffbyte")}
    t.ok(want <= b64, "diff --json keeps bad\\xfebyte and bad\\xffbyte apart (path_base64)", b64)
    t.ok(b"\xc2\x9b" not in out and b"\\u009b" in out, "a C1 control is escaped in diff --json")
    rc, out, _ = csleuth("--root", cp, "timeline", "--format", "jsonl", "changes")
    ev = jsonl(out)
    got = {base64.b64decode(e["path_base64"]) for e in ev if e.get("path_base64")}
    t.ok({b"/tmp/bad\xfebyte", b"/tmp/bad\xffbyte"} <= got, "timeline jsonl keeps them apart too")
    t.ok(b"\xc2\x9b" not in out, "no raw C1 control in JSON lines")
    for fmt in ("csv", "timesketch"):
        rc, out, _ = csleuth("--root", cp, "timeline", "--format", fmt, "changes")
        rows = list(csv.DictReader(io.StringIO(out.decode("utf-8"), newline="")))
        paths = {r["path"] for r in rows}
        t.ok("/tmp/back\\\\x41slash" in paths and "/tmp/backAslash" in paths and "/tmp/bad\\xfebyte" in paths
             and "/tmp/bad\\xffbyte" in paths and "/tmp/csi\\u009b2J" in paths,
             f"{fmt}: a literal backslash is doubled, so it never reads as an escaped byte",
             sorted(p for p in paths if "back" in p or "bad" in p or "csi" in p))
    rc, out, _ = csleuth("--root", cp, "ps", "--json")
    t.ok(b"\xc2\x9b" not in out, "ps --json carries no raw C1")


# --- 8, 9. volumes and failed starts -------------------------------------------

def check_volumes(t, root, tmp):
    api = engine_record("engine", "volumes-api.json")["Volumes"]
    rc, vols, _ = csleuth_json("--root", root, "volumes", "--json")
    t.eq(sorted(v["name"] for v in vols), sorted(v["Name"] for v in api), "volumes lists what docker volume ls listed")
    for a in api:
        v = [x for x in vols if x["name"] == a["Name"]][0]
        t.ok(v["created"].startswith(a["CreatedAt"][:-1]) and v["driver"] == a["Driver"] and v["referenced"],
             f"volume {a['Name'][:12]}: created {a['CreatedAt']}, driver {a['Driver']}, in use", v)
    rc, out, _ = csleuth("--root", root, "volume", "ls", "-q")
    t.eq(sorted(out.decode().split()), sorted(v["Name"] for v in api), "volume ls -q gives the names")
    # `docker rm vols` leaves its volumes behind, unreferenced
    cp = copy_root(root, tmp, "rm-vols")
    shutil.rmtree(os.path.join(cp, "containers", cid("vols")))
    rc, vols, _ = csleuth_json("--root", cp, "volumes", "--json")
    t.ok(rc == 0 and len(vols) == 2 and all(not v["referenced"] for v in vols), "unreferenced volumes are flagged", vols)
    rc, out, _ = csleuth("--root", cp, "volumes")
    t.ok(out.count(b"unreferenced") == 2, "the table says so")
    rc, out, _ = csleuth("--root", cp, "volumes", "-q", "--filter", "dangling=true")
    t.eq(sorted(out.decode().split()), sorted(v["Name"] for v in api), "--filter dangling=true lists them")
    rc, out, _ = csleuth("--root", cp, "timeline", "--format", "jsonl")
    ev = jsonl(out)
    files = [e for e in ev if e["volume"] == "csxdata" and e["data_type"] == "fs:stat"]
    t.ok(any(e["path"] == "/secret.txt" and e["container_name"] is None for e in files),
         "an unreferenced volume's files are in the timeline (paths inside the volume)", files[:2])
    t.ok(any(e["timestamp_desc"] == "Volume Created" and e["volume"] == "csxdata" for e in ev), "with its creation")
    # a volume containers mount but the evidence lacks
    cp2 = copy_root(root, tmp, "gone-vol")
    shutil.rmtree(os.path.join(cp2, "volumes", "csxdata"))
    rc, vols, _ = csleuth_json("--root", cp2, "volumes", "--json")
    gone = [v for v in vols if v["name"] == "csxdata"]
    t.ok(gone and not gone[0]["in_evidence"] and gone[0]["containers"][0]["name"] == "vols",
         "a volume mounted but missing from the evidence is listed as missing", gone)


FAILED_ERROR = ('failed to create shim task: OCI runtime create failed: runc create failed: unable to start '
                'container process: exec: "-t": executable file not found in $PATH: unknown')


def failed_copy(root, tmp, name="failed"):
    """created-only as the engine leaves a container whose start failed
    (State recorded by dockerd 20.10 for `docker create IMG -t; docker start`:
    ExitCode 127, Error set, StartedAt and FinishedAt zero)."""
    cp = copy_root(root, tmp, name)
    p = os.path.join(cp, "containers", cid("created-only"), "config.v2.json")
    cfg = json.load(open(p))
    cfg["State"].update({"ExitCode": 127, "Error": FAILED_ERROR, "StartedAt": "0001-01-01T00:00:00Z",
                         "FinishedAt": "0001-01-01T00:00:00Z"})
    json.dump(cfg, open(p, "w"))
    return cp


def check_failed_start(t, root, tmp):
    cp = failed_copy(root, tmp)
    rc, ps, _ = csleuth_json("--root", cp, "ps", "--json")
    c = [x for x in ps if x["name"] == "created-only"][0]
    t.ok(c["state"] == "created" and c["failed_start"] and c["exit_code"] == 127 and c["error"] == FAILED_ERROR,
         "ps --json flags the failed start with its exit code and error", c)
    rc, out, _ = csleuth("--root", cp, "ps", "--filter", "name=created-only")
    t.ok(b"Start failed (127)" in out, "the table says the start failed", out)
    rc, out, _ = csleuth("--root", cp, "ps", "--wide", "--filter", "name=created-only")
    t.ok(b'exec: "-t": executable file not found' in out, "--wide shows the error")
    rc, out, _ = csleuth("--root", root, "ps", "--json")
    t.ok(not any(x["failed_start"] for x in json.loads(out)), "containers that started normally are not flagged")
    rc, out, _ = csleuth("--root", cp, "timeline", "--format", "jsonl", "created-only")
    t.ok(any("start failed" in e["message"] and "127" in e["message"] for e in jsonl(out)),
         "the timeline says so too")


# --- 11. progress ---------------------------------------------------------------

def run_pty(args):
    """Runs csleuth with stderr on a terminal; returns (rc, stdout, stderr)."""
    master, slave = pty.openpty()
    p = subprocess.Popen([BIN, *args], stdout=subprocess.PIPE, stderr=slave, stdin=subprocess.DEVNULL)
    os.close(slave)
    err = b""
    out = b""
    while True:
        r, _, _ = select.select([master, p.stdout], [], [], 60)
        if not r:
            break
        if master in r:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                chunk = b""
            err += chunk
            if not chunk and p.poll() is not None:
                break
        if p.stdout in r:
            chunk = p.stdout.read1(65536)
            out += chunk
            if not chunk and p.poll() is not None:
                while True:
                    try:
                        c2 = os.read(master, 65536)
                    except OSError:
                        break
                    if not c2:
                        break
                    err += c2
                break
    p.wait()
    os.close(master)
    return p.returncode, out, err


def check_progress(t, root, tmp):
    rc, out, err = run_pty(["--root", root, "timeline", "--logs", "--format", "jsonl"])
    text = err.decode("utf-8", "replace")
    t.ok(rc == 0 and "timeline: containers" in text and re.search(r"\d+/\d+ \(\d+%\)", text),
         "timeline progress names the phase and shows done/total", text[-300:])
    # a note (the log rotation gap) never shares a line with progress: as a
    # terminal shows it, the line with the note holds the note alone
    shown = []
    for line in text.replace("\r\n", "\n").split("\n"):
        shown.append(line.split("\r")[-1].replace("\x1b[K", ""))
    notes = [ln for ln in shown if "note:" in ln]
    t.ok(notes and all(ln.startswith("csleuth: note:") and "timeline:" not in ln for ln in notes),
         "a note has its own line, never glued onto the progress line", notes[:2] or text[-300:])
    t.ok("\r\x1b[Kcsleuth: note:" in text, "the progress line is erased before the note")
    out_tar = os.path.join(tmp, "changes.tar")
    rc, _, err = run_pty(["--root", root, "export", "-o", out_tar, "changes"])
    text = err.decode("utf-8", "replace")
    data = open(out_tar, "rb").read()
    t.ok(rc == 0 and "export: entries" in text, "export shows progress", text[-200:])
    t.ok(f"{len(data)} bytes" in text and hashlib.sha256(data).hexdigest() in text,
         "export ends with the archive's size and sha256", text[-300:])
    rc, out, err = run_pty(["--root", root, "diff", "--json", "changes"])
    t.ok(rc == 0 and "diff: hashing and typing files" in err.decode("utf-8", "replace") and json.loads(out),
         "diff --json shows progress while libmagic works", err[-200:])
    rc, _, err = csleuth("--root", root, "export", "-o", out_tar + "2", "changes")
    t.ok(rc == 0 and hashlib.sha256(open(out_tar + "2", "rb").read()).hexdigest().encode() in err and b"\r" not in err,
         "without a terminal: no progress, still the size and sha256")


# --- 12, 13. docker habits and time arguments ---------------------------------

def check_docker_format(t, root):
    """--format rows against what docker's own --format '{{json .}}' said."""
    rc, out, _ = csleuth("--root", root, "ps", "-a", "--no-trunc", "--format", "{{json .}}")
    ours = {r["ID"]: r for r in jsonl(out)}
    for d in engine_record("engine", "ps.json"):
        o = ours.get(d["ID"])
        if o is None:
            t.ok(False, f"ps row for {d['Names']}")
            continue
        same = all(o[k] == d[k] for k in ("Names", "Image", "Command", "CreatedAt", "Mounts", "LocalVolumes"))
        if d["Names"] != "powercut":
            same = same and o["State"] == d["State"]
        same = same and set(filter(None, o["Labels"].split(","))) == set(filter(None, d["Labels"].split(",")))
        t.ok(same, f"ps --format: {d['Names']} as docker printed it",
             {k: (o[k], d[k]) for k in ("Names", "Command", "CreatedAt", "Mounts", "State") if o[k] != d[k]})
    rc, out, _ = csleuth("--root", root, "images", "--no-trunc", "--digests", "--format", "{{json .}}")
    ours = {(r["ID"], r["Repository"], r["Tag"]): r for r in jsonl(out)}
    for d in engine_record("engine", "images.json"):
        o = ours.get((d["ID"], d["Repository"], d["Tag"]))
        t.ok(o is not None and all(o[k] == d[k] for k in ("CreatedAt", "Size", "VirtualSize", "Digest")),
             f"images --format: {d['Repository']}:{d['Tag']} {d['ID'][7:19]}", (o, d))
    for f in sorted(os.listdir(os.path.join(SRC, "testdata", "docker", "engine", "history"))):
        if not f.endswith(".cli.json"):
            continue
        want = engine_record("engine", "history", f)
        ref = engine_record("engine", "history", f.replace(".cli.json", ".json"))[0]["Id"]
        rc, out, _ = csleuth("--root", root, "history", "--no-trunc", "--format", "{{json .}}", ref)
        got = jsonl(out)
        keys = ("ID", "CreatedAt", "CreatedBy", "Size", "Comment")
        t.ok([{k: g[k] for k in keys} for g in got] == [{k: w[k] for k in keys} for w in want],
             f"history --format: {f} as docker printed it")
    rc, out, _ = csleuth("--root", root, "ps", "--format", "table {{.ID}}\t{{.Names}}")
    lines = out.decode().splitlines()
    t.ok(lines[0].startswith("CONTAINER ID") and "NAMES" in lines[0] and len(lines) == 13,
         "table formats get docker's headers", lines[:2])
    rc, out, err = csleuth("--root", root, "ps", "--format", "{{.Ports}}")
    t.ok(rc == 2 and b"no field `.Ports`" in err and b".Names" in err, "an unknown field names the known ones", err)
    rc, out, _ = csleuth("--root", root, "inspect", "-f", "{{.State.Status}} {{.Name}}", "killed")
    t.eq(out, b"exited /killed\n", "inspect -f takes a template as docker's does")


def check_docker_habits(t, root, tmp):
    ps = engine_record("engine", "ps.json")
    rc, out, _ = csleuth("--root", root, "ps", "-a", "-q")
    t.eq(out.decode().split(), [c["ID"][:12] for c in ps], "ps -a -q lists the short ids, as docker did")
    insp = {c["Name"].lstrip("/"): c for c in engine_record("engine", "inspect-containers.json")}
    rc, out, _ = csleuth("--root", root, "ps", "-q", "--no-trunc", "--filter", "status=exited")
    t.eq(sorted(out.decode().split()), sorted(c["Id"] for c in insp.values() if c["State"]["Status"] == "exited"),
         "--filter status=exited")
    rc, out, _ = csleuth("--root", root, "ps", "-q", "--no-trunc", "--filter", "ancestor=csx/app:1.0")
    t.eq(sorted(out.decode().split()), sorted(c["Id"] for c in insp.values() if c["Config"]["Image"] == "csx/app:1.0"),
         "--filter ancestor=IMAGE")
    rc, out, _ = csleuth("--root", root, "ps", "-q", "--no-trunc", "--filter", "label=com.example.case=CSX-42")
    t.eq(out.decode().split(), [c["Id"] for c in insp.values() if (c["Config"]["Labels"] or {}).get("com.example.case") == "CSX-42"],
         "--filter label=KEY=VALUE")
    rc, out, _ = csleuth("--root", root, "ps", "-q", "--filter", "name=exit", "--filter", "name=killed")
    t.eq(len(out.split()), 3, "values of one filter key are or'ed")
    rc, out, _ = csleuth("--root", root, "ps", "-q", "--filter", "before=changes", "--filter", "exited=0")
    t.eq(sorted(out.decode().split()), sorted(c["Id"][:12] for n, c in insp.items()
                                              if c["Created"] < insp["changes"]["Created"] and c["State"]["ExitCode"] == 0
                                              and c["State"]["Status"] == "exited"),
         "before= and exited= are and'ed")
    rc, out, _ = csleuth("--root", root, "ps", "-q", "--filter", "engine=docker")
    t.eq(len(out.split()), 12, "--filter engine= goes through the host model")
    # logs -n
    want = open(os.path.join(SRC, "testdata", "docker", "engine", "logs", "exit3.stdout"), "rb").read()
    rc, out, _ = csleuth("--root", root, "logs", "-n", "1", "--stream", "stdout", "exit3")
    t.ok(rc == 0 and out and want.endswith(out), "logs -n takes the tail as --tail does", out)
    # aliases
    for alias, base in ((["image", "ls"], ["images"]), (["container", "ls"], ["ps"]),
                        (["image", "history", "csx/app:1.0"], ["history", "csx/app:1.0"]),
                        (["image", "inspect", "csx/base:1"], ["inspect", "--type", "image", "csx/base:1"]),
                        (["container", "inspect", "rich"], ["inspect", "--type", "container", "rich"])):
        a = csleuth("--root", root, *alias)
        b = csleuth("--root", root, *base)
        t.ok(a[0] == 0 and a[1] == b[1], f"`{' '.join(alias)}` is `{' '.join(base)}`")
    # --root after the command name
    a = csleuth("ps", "--root", root, "--json")
    b = csleuth("--root", root, "ps", "--json")
    t.ok(a[0] == 0 and a[1] == b[1], "--root is accepted after the command name")
    rc, out, err = csleuth("--root", root, "ps", "--bogus", "--also-bogus")
    t.ok(rc == 2 and len(err.splitlines()) == 1, "one error line for a bad option", err)
    # cp without FUSE, against the engine's export manifest
    man = {m["name"]: m for m in engine_record("engine", "export", "changes.json")["members"]}
    for m in man.values():  # a hard link's content is its target's
        if m["type"] == "hardlink":
            m["sha256"] = man[m["linkname"]].get("sha256")
    dest = os.path.join(tmp, "cp")
    os.mkdir(dest)
    rc, _, err = csleuth("--root", root, "cp", "changes:/tmp/dropper", dest)
    f = os.path.join(dest, "dropper")
    t.ok(rc == 0 and os.path.isfile(f) and hashlib.sha256(open(f, "rb").read()).hexdigest() == man["tmp/dropper"]["sha256"],
         "cp CONTAINER:FILE DIR copies the file as docker export has it", err)
    t.ok(os.stat(f).st_mtime_ns // 10**9 == man["tmp/dropper"]["mtime"] // (10**9 if man["tmp/dropper"]["mtime"] > 10**12 else 1),
         "with its mtime")
    rc, _, err = csleuth("--root", root, "cp", "changes:/srv/data", os.path.join(dest, "data"))
    got = {}
    for dp, dn, fn in os.walk(os.path.join(dest, "data")):
        for n in fn:
            p = os.path.join(dp, n)
            if not os.path.islink(p):
                got["srv/data/" + os.path.relpath(p, os.path.join(dest, "data"))] = hashlib.sha256(open(p, "rb").read()).hexdigest()
    want = {k: m["sha256"] for k, m in man.items() if k.startswith("srv/data/") and m["type"] in ("file", "hardlink")
            and m.get("sha256")}
    t.ok(rc == 0 and got and all(got.get(k) == v for k, v in want.items()),
         f"cp of a directory copies every file ({len(got)}) as docker export has them", (got, want))
    rc, _, err = csleuth("--root", root, "cp", "changes:/tmp/dropper", dest)
    t.ok(rc == 1 and b"exists" in err, "cp never overwrites", err)
    rc, out, _ = csleuth("--root", root, "cp", "changes:/etc/passwd", "-")
    tf = tarfile.open(fileobj=io.BytesIO(out))
    t.ok(tf.getnames() == ["passwd"] and b"mallory" in tf.extractfile("passwd").read(), "cp CONTAINER:PATH - writes a tar")
    rc, _, err = csleuth("--root", root, "cp", "vols:/data/secret.txt", dest)
    t.ok(rc == 0 and open(os.path.join(dest, "secret.txt"), "rb").read() ==
         open(os.path.join(root, "volumes", "csxdata", "_data", "secret.txt"), "rb").read(),
         "cp reads a path under a volume from the volume", err)
    rc, _, err = csleuth("--root", root, "cp", "changes:/srv/passwd-link", os.path.join(dest, "pl"))
    t.ok(rc == 0 and os.readlink(os.path.join(dest, "pl")) == "/etc/passwd", "a symlink is copied as a link")
    rc, _, err = csleuth("--root", root, "cp", "-L", "changes:/srv/passwd-link", os.path.join(dest, "pf"))
    t.ok(rc == 0 and b"mallory" in open(os.path.join(dest, "pf"), "rb").read(),
         "-L follows it inside the container (its /etc/passwd, not this machine's)")


def check_times(t, root):
    rec = [json.loads(x) for x in csleuth("--root", root, "logs", "--json", "exit0")[1].splitlines()]
    first = rec[0]["time"]
    day = first[:10]
    minute = first[:16]
    for arg in (day, minute, first[:19], first):
        rc, out, _ = csleuth("--root", root, "logs", "--json", "--since", arg, "exit0")
        t.ok(rc == 0 and len(out.splitlines()) == len(rec), f"--since {arg} (read as UTC) keeps every record")
    rc, out, _ = csleuth("--root", root, "logs", "--json", "--until", day, "exit0")
    t.ok(rc == 0 and out == b"", f"--until {day} (midnight UTC) keeps none")
    rc, out, _ = csleuth("--root", root, "logs", "--json", "--since", "10m", "exit0")
    import calendar
    cut = time.time() - 600
    first_s = calendar.timegm(time.strptime(first[:19], "%Y-%m-%dT%H:%M:%S"))
    want_n = len(rec) if first_s >= cut + 1 else 0 if rec[-1]["time"][:19] < time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(cut - 1)) else None
    t.ok(rc == 0 and (want_n is None or len(out.splitlines()) == want_n), "--since 10m counts back from now")
    rc, _, err = csleuth("--root", root, "logs", "--since", "2026-11-24", "--until", "2026-11-23", "exit0")
    t.ok(rc == 2 and b"range is empty" in err, "a reversed range is an error", err)
    rc, _, err = csleuth("--root", root, "timeline", "--since", "2026-11-24", "--until", "2026-11-23")
    t.ok(rc == 2 and b"range is empty" in err, "timeline too", err)
    a = csleuth("--root", root, "timeline", "--format", "jsonl", "--from", minute, "--to", first[:19])[1]
    b = csleuth("--root", root, "timeline", "--format", "jsonl", "--since", minute, "--until", first[:19])[1]
    t.ok(a == b and a, "--from/--to are --since/--until")
    a = csleuth("--root", root, "timeline", "--mem-limit", "64M")
    b = csleuth("--root", root, "timeline", "--mem-limit", "1G")
    c = csleuth("--root", root, "timeline", "--mem-limit", "64X")
    t.ok(a[0] == 0 and b[0] == 0 and a[1] == b[1] and c[0] == 2, "sizes take 64M and 1G")


# --- 14. messages --------------------------------------------------------------

def check_messages(t, root, tmp):
    parent = os.path.dirname(root)
    rc, _, err = csleuth("--root", parent, "ps")
    t.ok(rc == 1 and f"--root {root}".encode() in err, "the parent of a data root suggests the data root", err)
    rc, _, err = csleuth("--sysroot", root, "ps")
    t.ok(rc == 1 and f"--root {root}".encode() in err and b"Docker data root" in err,
         "a data root given to --sysroot is named as such and --root suggested", err)
    rc, _, err = csleuth("--root", root, "imagse")
    t.ok(rc == 2 and b"did you mean `images`" in err, "an unknown command suggests the closest", err)
    rc, _, err = csleuth("--root", root, "logs", "chnages")
    t.ok(rc == 4 and b"did you mean `changes`" in err, "an unknown name suggests the closest", err)
    rc, _, err = csleuth("--root", root, "inspect", "nosuchthing")
    t.ok(rc == 4 and b"searched 12 containers and" in err and b"images" in err,
         "inspect of an unknown name says it searched containers and images", err)
    rc, _, err = csleuth("--root", root, "timeline", "--format", "xlsx")
    t.ok(rc == 2 and all(f in err for f in (b"timesketch", b"jsonl", b"bodyfile", b"csv")),
         "an unknown --format lists the valid ones", err)
    # permission errors name the path
    locked = os.path.join(tmp, "locked")
    os.mkdir(locked, 0o700)
    cp = os.path.join(locked, "docker")
    subprocess.run(["cp", "-a", os.path.join(root, "containers"), os.path.join(locked, "containers")], check=True)
    try:
        p = subprocess.run([BIN, "--root", locked, "ps"], capture_output=True, user=65534, group=65534)
        t.ok(p.returncode == 1 and locked.encode() in p.stderr and b"ermission" in p.stderr,
             "a permission error names the path", p.stderr)
    except (PermissionError, OSError) as e:
        t.skip(f"cannot run as nobody here: {e}")
    del cp


# --- 15. terminal width ---------------------------------------------------------

def check_width(t, root):
    for args in (["ps"], ["history", "csx/app:1.0"], ["images"]):
        rc, out, _ = csleuth("--root", root, *args)
        w = max(len(ln) for ln in out.decode("utf-8").splitlines())
        t.ok(rc == 0 and w <= 100, f"{' '.join(args)} fits 100 columns ({w})")
    rc, out, _ = csleuth("--root", root, "ps")
    t.ok(out.splitlines()[0].split()[:6] == [b"CONTAINER", b"ID", b"NAME", b"IMAGE", b"COMMAND", b"CREATED"],
         "ps has a COMMAND column")
    rc, out, _ = csleuth("--root", root, "ps", "--wide")
    t.ok(b"STARTED" in out.splitlines()[0] and b"FINISHED" in out.splitlines()[0], "--wide shows every column")
    want = engine_record("engine", "history", "csx_app_1.0.cli.json")
    rc, out, _ = csleuth("--root", root, "history", "--no-trunc", "csx/app:1.0")
    def esc(x):
        return x.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")
    t.ok(all(esc(w["CreatedBy"].strip()).encode() in out for w in want), "history --no-trunc shows every command whole")


# --- 16. install ----------------------------------------------------------------

def check_install(t, tmp):
    build = os.environ.get("CSLEUTH_BUILDDIR")
    if not build or shutil.which("meson") is None:
        t.skip("no build directory or meson")
        return
    dest = os.path.join(tmp, "dest")
    p = subprocess.run(["meson", "install", "-C", build, "--destdir", dest, "--no-rebuild", "--quiet"],
                       capture_output=True)
    t.eq(p.returncode, 0, "meson install succeeds")
    files = {os.path.relpath(os.path.join(dp, n), dest) for dp, dn, fn in os.walk(dest) for n in fn + dn}
    def has(pat):
        return any(re.search(pat, f) for f in files)
    t.ok(has(r"bin/csleuth$"), "the binary is installed")
    pages = sorted(f for f in os.listdir(os.path.join(SRC, "docs", "man")) if f.endswith(".1"))
    t.ok("csleuth-umount.1" in pages and all(has(r"share/man/man1/" + re.escape(pg) + "$") for pg in pages),
         f"every manual page is installed ({len(pages)})", pages)
    t.ok(has(r"share/bash-completion/completions/csleuth$") and has(r"share/zsh/site-functions/_csleuth$"),
         "bash and zsh completion are installed")
    t.ok(has(r"lib.*/libcsleuth\.so") and has(r"include/csleuth/host/host\.h$") and has(r"pkgconfig/csleuth\.pc$"),
         "libcsleuth is installed as a shared library with headers and a pkg-config file")
    pc = [f for f in files if f.endswith("pkgconfig/csleuth.pc")]
    if not pc or shutil.which("cc") is None:
        return
    prog = os.path.join(tmp, "uses.c")
    open(prog, "w").write('#include "base/timefmt.h"\n#include "host/host.h"\n#include <stdio.h>\n'
                          'int main(void){char b[CS_TIME_STRMAX];cs_time t;'
                          'if(cs_time_parse("2026-11-23T14:58:04Z",&t))return 1;cs_time_format(t,b);puts(b);return 0;}\n')
    env = {**os.environ, "PKG_CONFIG_PATH": os.path.join(dest, os.path.dirname(pc[0])), "PKG_CONFIG_SYSROOT_DIR": dest}
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "csleuth"], capture_output=True, env=env, text=True)
    exe = os.path.join(tmp, "uses")
    lib = os.path.join(dest, [f for f in files if re.search(r"libcsleuth\.so$", f)][0])
    # a sanitizer build's library needs its runtime in the program too
    needed = subprocess.run(["readelf", "-d", lib], capture_output=True, text=True).stdout
    san = ["-fsanitize=address,undefined"] if "libasan" in needed else []
    c = subprocess.run(["cc", *san, prog, "-o", exe, *flags.stdout.split()], capture_output=True, env=env)
    r = subprocess.run([exe], capture_output=True,
                       env={**os.environ, "LD_LIBRARY_PATH": os.path.dirname(lib), "ASAN_OPTIONS": "detect_leaks=0"})
    t.ok(c.returncode == 0 and r.stdout == b"2026-11-23T14:58:04.000000000Z\n",
         "a program builds against the installed library with pkg-config and runs", c.stderr[:500] + r.stderr[:500])
    for c2 in ("ps", "timeline", "umount"):
        r = subprocess.run(["bash", "-c", f"source {dest}/usr/local/share/bash-completion/completions/csleuth && "
                            f"COMP_WORDS=(csleuth {c2[:2]}); COMP_CWORD=1; _csleuth; echo ${{COMPREPLY[@]}}"],
                           capture_output=True, text=True)
        t.ok(c2 in r.stdout.split(), f"bash completion completes `{c2[:2]}` to {c2}", r.stdout + r.stderr)


# --- 17, 18. provenance and the case folder ------------------------------------

def check_provenance(t, root):
    for args in (["ps", "--json"], ["images", "--json"], ["volumes", "--json"], ["history", "--json", "csx/app:1.0"],
                 ["diff", "--json", "--no-magic", "changes"], ["inspect", "rich"]):
        rc, plain, _ = csleuth("--root", root, *args)
        rc2, wrapped, _ = csleuth("--root", root, *args, "--provenance")
        w = json.loads(wrapped)
        p = w.get("provenance", {})
        t.ok(rc2 == 0 and w.get("items") == json.loads(plain) and p.get("tool") == "csleuth" and p.get("version")
             and args[0] in p.get("command_line", []) and p["evidence"]["path"] == root and p.get("started_at"),
             f"{args[0]} --provenance wraps the same items with the provenance", p)
    rc, out, _ = csleuth("--root", root, "logs", "--json", "--provenance", "exit3")
    w = json.loads(out)
    plain = jsonl(csleuth("--root", root, "logs", "--json", "exit3")[1])
    t.ok(w["items"] == plain and w["provenance"]["tool"] == "csleuth", "logs --json --provenance too")
    rc, ins, _ = csleuth_json("--root", root, "inspect", "changes")
    sha = ins[0]["Csleuth"]["Sha256"]
    t.ok(sha and all(h == hashlib.sha256(open(os.path.join(root, f), "rb").read()).hexdigest() for f, h in sha.items()),
         "inspect gives the sha256 of each evidence file it names", sha)


def check_collect(t, root, tmp):
    cp = failed_copy(root, tmp, "collect")
    shutil.rmtree(os.path.join(cp, "containers", cid("vols")))
    case = os.path.join(tmp, "case")
    rc, _, err = csleuth("--root", cp, "collect", "-o", case, "--no-magic")
    t.ok(rc == 0, "collect exits 0", err[-500:])
    names = {os.path.relpath(os.path.join(dp, n), case) for dp, dn, fn in os.walk(case) for n in fn}
    need = {"ps.json", "images.json", "volumes.json", "timeline.csv", "timeline.jsonl", "SUMMARY.md",
            "MANIFEST.sha256", "PROVENANCE.json"}
    t.ok(need <= names, "the case folder has its files", sorted(need - names))
    ps = json.load(open(os.path.join(case, "ps.json")))
    t.ok(all(f"inspect/{c['id']}.json" in names and f"diff/{c['id']}.json" in names for c in ps if c["mount_id"]),
         "inspect/<id>.json and diff/<id>.json for every container")
    t.ok(f"logs/{cid('exit0')}.jsonl" in names, "logs/<id>.jsonl")
    p = subprocess.run(["sha256sum", "-c", "--strict", "MANIFEST.sha256"], cwd=case, capture_output=True)
    t.ok(p.returncode == 0, "sha256sum -c MANIFEST.sha256 checks out", p.stdout[-300:] + p.stderr[-300:])
    listed = {ln.split("  ", 1)[1] for ln in open(os.path.join(case, "MANIFEST.sha256")).read().splitlines()}
    t.eq(listed, names - {"MANIFEST.sha256"}, "the manifest covers every file written, PROVENANCE.json too")
    prov = json.load(open(os.path.join(case, "PROVENANCE.json")))
    t.ok(prov["tool"] == "csleuth" and "collect" in prov["command_line"] and prov["evidence"]["path"] == cp,
         "PROVENANCE.json names the tool, the command line and the evidence")
    t.eq(open(os.path.join(case, "logs", cid("exit3") + ".jsonl"), "rb").read(),
         csleuth("--root", cp, "logs", "--json", "exit3")[1], "logs/<id>.jsonl is logs --json")
    t.eq(json.load(open(os.path.join(case, "diff", cid("changes") + ".json"))),
         json.loads(csleuth("--root", cp, "diff", "--json", "--no-magic", "changes")[1]), "diff/<id>.json is diff --json")
    s = open(os.path.join(case, "SUMMARY.md")).read()
    run = s.split("## Running at seizure")[1].split("##")[0]
    t.ok("powercut" in run and "killed" not in run, "SUMMARY: running at seizure", run)
    exits = s.split("## Exits")[1].split("##")[0]
    insp = engine_record("engine", "inspect-containers.json")
    ok = all(re.search(re.escape(c["Name"].lstrip("/")) + r" \| .* \| " + str(c["State"]["ExitCode"]) + r" \|", exits)
             for c in insp if c["State"]["Status"] == "exited" and c["Name"] != "/vols")
    t.ok(ok, "SUMMARY: every exit with the engine's exit code", exits)
    t.ok("created\\-only" in s.split("## Failed starts")[1].split("##")[0] or
         "created-only" in s.split("## Failed starts")[1].split("##")[0], "SUMMARY: the failed start")
    t.ok("older records were probably discarded" in s.split("## Logs lost")[1].split("##")[0], "SUMMARY: logs lost to rotation")
    t.ok("csxdata" in s.split("## Unreferenced")[1] and "unreferenced" in s.split("## Unreferenced")[1],
         "SUMMARY: unreferenced volumes")
    rc, _, err = csleuth("--root", cp, "collect", "-o", case)
    t.ok(rc == 2 and b"not empty" in err, "collect never writes into a used folder", err)


def main():
    t = Tap()
    if os.geteuid() != 0:
        t.skip("unpacking the fixture needs root")
        t.done()
    root = fixture("overlay2")
    with tempfile.TemporaryDirectory() as tmp:
        t.run(check_symlinked_root, root, tmp)
        t.run(check_timeline_paths, root)
        t.run(check_body_unique, root, tmp)
        t.run(check_build_steps, root)
        t.run(check_names, root, tmp)
        t.run(check_volumes, root, tmp)
        t.run(check_failed_start, root, tmp)
        t.run(check_progress, root, tmp)
        t.run(check_docker_format, root)
        t.run(check_docker_habits, root, tmp)
        t.run(check_times, root)
        t.run(check_messages, root, tmp)
        t.run(check_width, root)
        t.run(check_install, tmp)
        t.run(check_provenance, root)
        t.run(check_collect, root, tmp)
    t.done()


main()
