#!/usr/bin/env python3
"""csleuth timeline on the real-engine fixture: lifecycle instants at full
precision, the dropped file, the deletion, a log line and a build step;
mactime reads the body file; CSV round-trips odd names; times equal docker
inspect and the evidence's own inode times; the external merge sorts the
same; damaged times are reported, never written as corrupt rows."""
import csv
import io
import json
import os
import subprocess
import tempfile

from harness import BIN, Tap, csleuth, engine_record, fixture


def norm(s):
    base, _, frac = s.rstrip("Z").partition(".")
    return f"{base}.{frac.ljust(9, '0')}Z"


def jsonl(root, *args):
    rc, out, err = csleuth("--root", root, "timeline", "--format", "jsonl", *args)
    return rc, [json.loads(x) for x in out.decode("utf-8").splitlines()], err


def check_content(t, root):
    rc, ev, err = jsonl(root, "--logs")
    t.eq(rc, 0, "timeline exits 0")
    t.ok(b"warning:" not in err and b"older records were probably discarded" in err,
         "no warnings on the fixture; the rotation gap is noted", err)
    have = {(e["timestamp_desc"], e["container_id"], e["datetime"]) for e in ev}
    for c in engine_record("engine", "inspect-containers.json"):
        for desc, val in (("Container Created", c["Created"]), ("Container Started", c["State"]["StartedAt"]),
                          ("Container Finished", c["State"]["FinishedAt"])):
            if val.startswith("0001-01-01"):
                continue
            if c["Name"] == "/powercut" and desc == "Container Finished":
                continue
            t.ok((desc, c["Id"], norm(val)) in have, f"{c['Name']}: {desc} at {norm(val)} (full precision)")
    drop = [e for e in ev if e["path"] == "/tmp/dropper" and e["container_name"] == "changes"]
    t.ok(drop and all("ELF" in (e["magic"] or "") for e in drop), "the dropped ELF is in the timeline with its file type")
    dele = [e for e in ev if e["timestamp_desc"] == "File Deleted" and e["path"] == "/etc/group"]
    t.ok(len(dele) == 1 and dele[0]["container_name"] == "changes", "the deletion of /etc/group appears")
    t.ok(any(e["timestamp_desc"] == "Directory Replaced" and e["path"] == "/usr/share/doc" for e in ev),
         "the replaced directory appears")
    t.ok(any(e["source"] == "log" and e["message"] == "stdout: changes: done" for e in ev), "a log line appears")
    t.ok(any(e["timestamp_desc"] == "Image Build Step" and "rm /etc/motd" in e["message"] for e in ev),
         "a build step appears")
    t.ok(any(e["source"] == "volume" for e in ev), "named volume files appear")
    dts = [e["datetime"] for e in ev]
    t.ok(dts == sorted(dts), f"events are sorted by time ({len(ev)} events)")
    t.ok(all(e["timestamp"] == (lambda s: int(s) // 1000)(e_ns(e["datetime"])) for e in ev[:200]),
         "timestamp is the time in microseconds")
    # the evidence's own inode times
    rc, ins, _ = csleuth("--root", root, "inspect", "changes")
    upper = json.loads(ins)[0]["GraphDriver"]["Data"]["UpperDir"]
    host = upper.split("/overlay2/")[0]
    st = os.lstat(os.path.join(root, os.path.relpath(upper, host), "tmp", "dropper"))
    mt = [e for e in drop if "Content Modification Time" in e["timestamp_desc"]]
    t.ok(mt and e_ns(mt[0]["datetime"]) == st.st_mtime_ns, "the mtime equals the inode's, to the nanosecond")
    ct = [e for e in drop if "Metadata Modification Time" in e["timestamp_desc"]]
    t.ok(ct and e_ns(ct[0]["datetime"]) == st.st_ctime_ns, "the ctime equals the inode's, to the nanosecond")


def e_ns(dt):
    import calendar
    import time
    base, _, frac = dt.rstrip("Z").partition(".")
    return calendar.timegm(time.strptime(base, "%Y-%m-%dT%H:%M:%S")) * 10**9 + int(frac)


def check_formats(t, root, tmp):
    body = os.path.join(tmp, "body.txt")
    rc, _, _ = csleuth("--root", root, "timeline", "--format", "bodyfile", "--layers", "-o", body)
    p = subprocess.run(["mactime", "-b", body, "-d", "-y"], capture_output=True)
    t.ok(rc == 0 and p.returncode == 0 and p.stderr == b"" and len(p.stdout.splitlines()) > 100,
         "mactime -b reads the body file with no complaint", p.stderr[:500])
    lines = open(body, "rb").read().splitlines()
    t.ok(all(len(ln.split(b"|")) == 11 for ln in lines), "every body-file row has 11 fields")
    t.ok(any(b"(deleted)" in ln and b"/etc/group" in ln for ln in lines), "the deletion is annotated")
    rc, out, _ = csleuth("--root", root, "timeline", "--format", "csv", "--layers")
    rows = list(csv.reader(io.StringIO(out.decode("utf-8"), newline="")))
    paths = {r[rows[0].index("path")] for r in rows[1:]}
    for name in ('/srv/odd/comma,and"quote.txt', "/srv/odd/new\nline.txt", "/srv/odd/with space.txt"):
        t.ok(name in paths, f"CSV round-trips {name!r}")
    t.ok(not any(ch in out for ch in (b"\x1b", b"\x07")), "no raw escape character reaches a CSV cell")
    t.ok(all(len(r) == len(rows[0]) for r in rows), f"every CSV row has {len(rows[0])} columns")
    rc, ts, _ = csleuth("--root", root, "timeline")
    rows = list(csv.DictReader(io.StringIO(ts.decode("utf-8"), newline="")))
    t.ok(rows and {"message", "timestamp", "datetime", "timestamp_desc"} <= set(rows[0]),
         "Timesketch CSV has message, timestamp, datetime, timestamp_desc")
    t.ok(all(r["datetime"].endswith("Z") and len(r["datetime"]) == 30 for r in rows),
         "datetime has nine fraction digits and Z")


def check_merge(t, root):
    rc1, a, _ = csleuth("--root", root, "timeline", "--layers")
    rc2, b, _ = csleuth("--root", root, "timeline", "--layers", "--mem-limit", "8192")
    t.ok(rc1 == rc2 == 0 and a == b and a.count(b"\n") > 1000,
         "sorting through temporary runs gives the same output byte for byte")
    rc, out, _ = csleuth("--root", root, "timeline", "--format", "jsonl", "--from", "2026-11-23T14:58:04Z",
                         "--to", "2026-11-23T14:58:05Z")
    ev = [json.loads(x) for x in out.splitlines()]
    t.ok(ev and all("2026-11-23T14:58:04" <= e["datetime"] < "2026-11-23T14:58:05.000000001" for e in ev),
         "--from and --to bound the events")
    rc, out, _ = csleuth("--root", root, "timeline", "--format", "jsonl", "changes")
    ids = {json.loads(x)["container_name"] for x in out.splitlines()}
    t.ok(ids <= {"changes", None}, "naming a container selects its events (and its image's)")


def libmagic_head():
    """libmagic itself (through ctypes), shown a file's first MiB: the oracle
    for the types csleuth reports. None if the library cannot be loaded."""
    import ctypes
    import ctypes.util
    name = ctypes.util.find_library("magic") or "libmagic.so.1"
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        return None
    lib.magic_open.restype = ctypes.c_void_p
    lib.magic_open.argtypes = [ctypes.c_int]
    lib.magic_load.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    lib.magic_buffer.restype = ctypes.c_char_p
    lib.magic_buffer.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
    m = lib.magic_open(0x200)  # MAGIC_ERROR
    if not m or lib.magic_load(m, None) != 0:
        return None

    def typ(path):
        with open(path, "rb") as f:
            head = f.read(1 << 20)
        d = lib.magic_buffer(m, head, len(head))
        return d.decode("utf-8", "surrogateescape") if d is not None else "data"
    return typ


def check_types(t, root, tmp):
    typ = libmagic_head()
    if typ is None:
        t.skip("libmagic cannot be loaded from Python")
        return
    # a copy with a 64 GiB sparse file in a container's own layer: typing it
    # must read its head only (reading it whole would take minutes)
    copy = os.path.join(tmp, "types")
    subprocess.run(["cp", "-a", root, copy], check=True)
    rc, ins, _ = csleuth("--root", copy, "inspect", "changes")
    upper = json.loads(ins)[0]["GraphDriver"]["Data"]["UpperDir"]
    up = os.path.join(copy, os.path.relpath(upper, upper.split("/overlay2/")[0]))
    with open(os.path.join(up, "tmp", "huge.img"), "wb") as f:
        f.write(b"\x7fELF\x02\x01\x01" + b"\0" * 9)
        f.truncate(64 << 30)
    rc_tl, ev, err = jsonl(copy, "--layers")
    files = {}
    for e in ev:
        if e["source"] in ("file", "layer", "volume") and e["mode"] and e["mode"].startswith("0o10"):
            files[(e["source"], e["layer"], e["path"])] = e["magic"]
    # where each row's file is in the evidence
    layer_dirs = {}
    for c in json.loads(csleuth("--root", copy, "inspect", *[c["id"] for c in json.loads(
            csleuth("--root", copy, "ps", "--json")[1])])[1]):
        gd = c["GraphDriver"]["Data"]
        host = gd["UpperDir"].split("/overlay2/")[0]
        for d in [gd["UpperDir"]] + (gd.get("LowerDir") or "").split(":"):
            if d:
                layer_dirs.setdefault(os.path.join(copy, os.path.relpath(d, host)), None)
    checked = mismatched = 0
    bad = []
    for (src, layer, path), magic in files.items():
        cands = [d + path for d in layer_dirs if os.path.isfile(d + path) and not os.path.islink(d + path)]
        if not cands or path == "/tmp/huge.img":
            continue
        want = {typ(p) for p in cands}
        checked += 1
        if magic not in want:
            mismatched += 1
            bad.append(f"{path}: {magic!r} not in {sorted(want)!r}")
    t.ok(checked > 300 and mismatched == 0,
         f"every file's type equals libmagic's on its first MiB ({checked} files)", "\n".join(bad[:5]))
    huge = [e for e in ev if e["path"] == "/tmp/huge.img"]
    t.ok(rc_tl == 0 and huge and huge[0]["magic"] == typ(os.path.join(up, "tmp", "huge.img")),
         "a 64 GiB sparse file is typed from its head alone", err[:300])
    os.unlink(os.path.join(up, "tmp", "huge.img"))  # diff --json hashes every file
    rc, out, _ = csleuth("--root", copy, "diff", "--json", "changes")
    d = [x for x in json.loads(out) if x["kind"] != "D" and x["entry"]["type"] == "file"]
    t.ok(d and all(x["entry"]["magic"] == typ(os.path.join(up, x["path"].lstrip("/"))) for x in d
                   if x["path"] != "/tmp/huge.img" and os.path.isfile(os.path.join(up, x["path"].lstrip("/")))),
         f"diff --json reports libmagic's types too ({len(d)} files)")
    subprocess.run(["rm", "-rf", copy])


def check_bad(t, root, tmp):
    copy = os.path.join(tmp, "bad")
    subprocess.run(["cp", "-a", root, copy], check=True)
    for cid in os.listdir(os.path.join(copy, "containers")):
        p = os.path.join(copy, "containers", cid, "config.v2.json")
        cfg = json.load(open(p))
        if cfg["Name"] == "/exit3":
            cfg["State"]["StartedAt"] = "not a time"
            cfg["Created"] = "1650-01-01T00:00:00Z"
            json.dump(cfg, open(p, "w"))
    rc, out, err = csleuth("--root", copy, "timeline", "--format", "csv")
    rows = list(csv.reader(io.StringIO(out.decode("utf-8"), newline="")))
    t.ok(rc == 3 and b"not a time" in err, "an invalid time is reported", err[:300])
    t.ok(all(len(r) == len(rows[0]) for r in rows), "no corrupt row is written")
    name, desc = rows[0].index("container_name"), rows[0].index("timestamp_desc")
    t.ok(any(r[name] == "exit3" and r[desc] == "Container Finished" for r in rows),
         "the container's valid events are still written")
    t.ok(not any(r[name] == "exit3" and r[desc] in ("Container Started", "Container Created") for r in rows),
         "its unusable times are skipped, not invented")


def check_formula(t, root, tmp):
    """Evidence that names a container like a spreadsheet formula: the
    spreadsheet CSV writes the cell as text ('=...), JSON lines keep it
    exactly."""
    copy = os.path.join(tmp, "formula")
    subprocess.run(["cp", "-a", root, copy], check=True)
    evil = '=HYPERLINK("http://example.invalid/","open")'
    for cid in os.listdir(os.path.join(copy, "containers")):
        p = os.path.join(copy, "containers", cid, "config.v2.json")
        cfg = json.load(open(p))
        if cfg["Name"] == "/exit3":
            cfg["Name"] = "/" + evil
            json.dump(cfg, open(p, "w"))
    rc, out, err = csleuth("--root", copy, "timeline", "--format", "csv")
    rows = list(csv.reader(io.StringIO(out.decode("utf-8"), newline="")))
    name = rows[0].index("container_name")
    names = {r[name] for r in rows[1:]}
    t.ok("'" + evil in names and evil not in names and not any(c.startswith("=") for r in rows for c in r),
         "csv: a container named like a formula is written as text ('=HYPERLINK...), no cell starts with =",
         sorted(names))
    rows = [json.loads(x) for x in subprocess.run([BIN, "--root", copy, "timeline", "--format", "jsonl"],
                                                  capture_output=True).stdout.splitlines()]
    t.ok(any(r.get("container_name") == evil for r in rows), "jsonl: the same name exactly as the evidence has it")


def main():
    t = Tap()
    if os.geteuid() != 0:
        t.skip("unpacking the fixture needs root")
        t.done()
    root = fixture("overlay2")
    with tempfile.TemporaryDirectory() as tmp:
        t.run(check_content, root)
        if subprocess.run(["which", "mactime"], capture_output=True).returncode == 0:
            t.run(check_formats, root, tmp)
        else:
            t.skip("mactime (sleuthkit) is not installed")
        t.run(check_merge, root)
        t.run(check_types, root, tmp)
        t.run(check_bad, root, tmp)
        t.run(check_formula, root, tmp)
    t.done()


main()
