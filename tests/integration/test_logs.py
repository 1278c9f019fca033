#!/usr/bin/env python3
"""csleuth logs against the engine's own `docker logs`: byte for byte on both
streams, with and without -t, --tail and --since/--until, on every container
of the logs fixture and of the main fixture; --json and --join; the real
docker-explorer snapshots; damaged copies (a corrupt line, a cut gzip, a
4 GiB frame length, a directory and a symlink instead of a log, records cut
by a crash); bounded memory on a large log; CRI files; evidence untouched."""
import base64
import gzip
import hashlib
import json
import os
import re
import resource
import shutil
import subprocess
import tempfile

from harness import SRC, Tap, csleuth, fixture, realdata

ENGINE_LOGS = os.path.join(SRC, "testdata", "docker", "engine-logs")
ENGINE_MAIN = os.path.join(SRC, "testdata", "docker", "engine")
NOTE = re.compile(rb"^csleuth: note: [^\n]*\n")


def read(p):
    with open(p, "rb") as f:
        return f.read()


def scenario(engine):
    with open(os.path.join(engine, "scenario.json")) as f:
        s = json.load(f)
    return {k.split(":", 1)[1]: v for k, v in s.items() if k.startswith("container:")}


def recorded(engine, name, variant=""):
    base = os.path.join(engine, "logs", name + variant)
    return read(base + ".stdout"), read(base + ".stderr")


def names(engine):
    d = os.path.join(engine, "logs")
    return sorted(f[:-7] for f in os.listdir(d) if f.endswith(".stdout") and "." not in f[:-7])


def check_engine_fixture(t):
    root = fixture("logs")
    for name in names(ENGINE_LOGS):
        out, err = recorded(ENGINE_LOGS, name)
        rc, o, e = csleuth("-q", "--root", root, "logs", "-t", name)
        t.ok(rc == 0 and o == out, f"{name}: stdout of logs -t is byte-identical ({len(out)} bytes)",
             f"rc={rc} got {len(o)} bytes, want {len(out)}")
        t.ok(e == err, f"{name}: stderr of logs -t is byte-identical ({len(err)} bytes)",
             f"got {e[:300]!r}\nwant {err[:300]!r}")
        out, err = recorded(ENGINE_LOGS, name, ".plain")
        rc, o, e = csleuth("-q", "--root", root, "logs", name)
        t.ok(rc == 0 and o == out and e == err, f"{name}: logs (no -t) is byte-identical on both streams")
        out, err = recorded(ENGINE_LOGS, name, ".tail7")
        rc, o, e = csleuth("-q", "--root", root, "logs", "-t", "--tail", "7", name)
        t.ok(rc == 0 and o == out and e == err, f"{name}: logs -t --tail 7 is byte-identical",
             f"got {o!r} {e!r}\nwant {out!r} {err!r}")
        args = os.path.join(ENGINE_LOGS, "logs", name + ".window.args")
        if os.path.exists(args):
            since, until = open(args).read().split()
            out, err = recorded(ENGINE_LOGS, name, ".window")
            rc, o, e = csleuth("-q", "--root", root, "logs", "-t", "--since", since, "--until", until, name)
            t.ok(rc == 0 and o == out and e == err,
                 f"{name}: logs -t --since --until is byte-identical (both ends inclusive)")


def check_notes(t):
    """Without -q: the rotation note comes first and once, then the same bytes."""
    root = fixture("logs")
    for name in ["json-rotate", "json-plainrot", "local-rotate", "local-plainrot", "json-powercut",
                 "local-powercut"]:
        out, err = recorded(ENGINE_LOGS, name)
        rc, o, e = csleuth("--root", root, "logs", "-t", name)
        m = NOTE.match(e)
        t.ok(rc == 0 and m and b"probably discarded" in m.group(0) and e[m.end():] == err and o == out,
             f"{name}: one rotation note on stderr, then the engine's bytes", e[:400])
        if m:
            first = min(re.findall(rb"^(\S+Z) ", out + err, re.M))
            t.ok(b"oldest surviving record is from " + first in m.group(0),
                 f"{name}: the note names the oldest surviving record ({first.decode()})", m.group(0))
    for name in ["json-rich", "local-rich", "cached", "tty", "json-attrs"]:
        rc, o, e = csleuth("--root", root, "logs", "-t", name)
        t.ok(rc == 0 and e == recorded(ENGINE_LOGS, name)[1], f"{name}: no note when nothing rotated away")


def check_main_fixture(t):
    root = fixture("overlay2")
    rc, o, e = csleuth("--root", root, "logs", "created-only")
    t.ok(rc == 0 and o == b"" and e == b"csleuth: note: container `created-only` never started: it has no log\n",
         "a container that never started has no log: a note, exit 0", e)
    for name in names(ENGINE_MAIN):
        out, err = recorded(ENGINE_MAIN, name)
        rc, o, e = csleuth("-q", "--root", root, "logs", "-t", name)
        if name == "powercut":
            # the record was taken seconds before the cut; the log went on
            t.ok(rc == 0 and o.startswith(out) and len(o) > len(out) and e == err,
                 "powercut (main fixture): the engine's record is a prefix of what the disk holds")
        else:
            t.ok(rc == 0 and o == out and e == err, f"{name} (main fixture): logs -t is byte-identical")


def json_records(out):
    recs = []
    for line in out.split(b"\n"):
        if line:
            recs.append(json.loads(line.decode("utf-8")))
    return recs


def check_json(t):
    """--json: valid UTF-8 JSON; the text (or its base64) rebuilds docker's bytes."""
    root = fixture("logs")
    for name in names(ENGINE_LOGS):
        rc, o, e = csleuth("-q", "--root", root, "logs", "--json", name)
        try:
            o.decode("utf-8")
            recs = json_records(o)
        except (UnicodeDecodeError, ValueError) as x:
            t.ok(False, f"{name}: --json is valid UTF-8 JSON", str(x))
            continue
        streams = {"stdout": b"", "stderr": b""}
        ok = True
        for r in recs:
            raw = base64.b64decode(r["text_base64"]) if "text_base64" in r else r["text"].encode()
            streams[r["stream"]] += raw + (b"\n" if r["newline"] else b"")
            ok = ok and isinstance(r["offset"], int) and r["file"].startswith("containers/")
        want = recorded(ENGINE_LOGS, name, ".plain")
        t.ok(rc == 0 and ok and (streams["stdout"], streams["stderr"]) == want,
             f"{name}: --json records rebuild docker's output exactly, each with file and offset")
    # offsets point at the records
    rc, o, _ = csleuth("-q", "--root", root, "logs", "--json", "json-plainrot")
    recs = json_records(o)
    good = 0
    for r in recs:
        with open(os.path.join(root, "..", r["file"].replace("containers/", "docker/containers/", 1)), "rb") as f:
            f.seek(r["offset"])
            line = f.readline()
        good += json.loads(line)["log"] == r["text"] + ("\n" if r["newline"] else "")
    t.ok(recs and good == len(recs), f"json-plainrot: all {len(recs)} offsets point at their lines")
    rc, o, _ = csleuth("-q", "--root", root, "logs", "--json", "local-rich")
    recs = json_records(o)
    t.ok(any("text_base64" in r for r in recs), "local-rich: raw bytes are kept in text_base64")
    parts = [r for r in recs if r.get("partial_id")]
    t.ok(parts and all(r["ordinal"] >= 0 for r in parts) and any(r["last"] for r in parts),
         f"local-rich: {len(parts)} records carry partial metadata")


def check_join(t):
    root = fixture("logs")
    for name in ["json-rich", "local-rich"]:
        rc, o, e = csleuth("-q", "--root", root, "logs", "--join", name)
        lines = o.split(b"\n")
        t.ok(rc == 0 and b"x" * 20000 in lines, f"{name}: --join gives the 20,000-byte line whole")
        t.ok(any(ln.startswith(b"z" * 1500000) and ln.endswith(b" <- 1.5 MB line") for ln in lines),
             f"{name}: --join gives the 1.5 MB line whole")
        el = [ln for ln in e.split(b"\n") if ln.startswith(b"stderr long:")]
        t.ok(len(el) == 1 and el[0] == b"stderr long: " + b"e" * 17000, f"{name}: --join on stderr")
    rc, o, _ = csleuth("-q", "--root", root, "logs", "--join", "local-rich")
    t.ok(b"y" * 16383 + "€".encode() + b" euro straddles" in o,
         "local-rich: --join restores the character cut by the 16 KiB split")
    rc, o, _ = csleuth("-q", "--root", root, "logs", "--join", "--json", "json-rich")
    recs = json_records(o)
    big = [r for r in recs if r["text"].startswith("zzz")]
    t.ok(len(big) == 1 and big[0]["parts"] == 92, f"json-rich: the 1.5 MB line joins {big[0]['parts'] if big else 0} parts")


def check_realdata(t):
    found = False
    for snap in ["aufs.v1", "aufs.v2", "overlay.v2", "overlay2.v2", "vols.v2"]:
        root = realdata(snap)
        if root is None:
            continue
        found = True
        cdir = os.path.join(root, "containers")
        for cid in sorted(os.listdir(cdir)):
            log = os.path.join(cdir, cid, cid + "-json.log")
            if not os.path.exists(log):
                continue
            want = {"stdout": b"", "stderr": b""}
            want_t = {"stdout": b"", "stderr": b""}
            for line in read(log).splitlines():
                if line.strip():
                    r = json.loads(line)
                    text = r["log"].encode("utf-8", "surrogatepass")
                    want[r.get("stream", "stdout")] += text
                    m = re.match(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z$", r["time"])
                    stamp = f"{m.group(1)}.{(m.group(2) or '').ljust(9, '0')}Z ".encode()
                    want_t[r.get("stream", "stdout")] += stamp + text
            rc, o, e = csleuth("-q", "--root", root, "logs", cid)
            t.ok(rc in (0, 3) and o == want["stdout"] and e == want["stderr"],
                 f"realdata {snap}/{cid[:12]}: the json-file log parses, {len(o) + len(e)} bytes",
                 f"rc={rc} {o[:200]!r} {e[:200]!r}")
            rc, o, e = csleuth("-q", "--root", root, "logs", "-t", cid)
            t.ok(rc in (0, 3) and o == want_t["stdout"] and e == want_t["stderr"],
                 f"realdata {snap}/{cid[:12]}: -t time stamps with 9 digits", f"{o[:200]!r} {e[:200]!r}")
    if not found:
        t.skip("../shared/realdata is absent: the real snapshots were not checked")


def ids(root):
    out = {}
    for cid in os.listdir(os.path.join(root, "containers")):
        with open(os.path.join(root, "containers", cid, "config.v2.json")) as f:
            out[json.load(f)["Name"].lstrip("/")] = cid
    return out


def damaged_copy(tmp):
    dst = os.path.join(tmp, "docker")
    subprocess.run(["cp", "-a", fixture("logs"), dst], check=True)
    return dst


def check_damage(t):
    with tempfile.TemporaryDirectory() as tmp:
        root = damaged_copy(tmp)
        cid = ids(root)
        cd = lambda n: os.path.join(root, "containers", cid[n])  # noqa: E731
        rel = lambda n, f: f"containers/{cid[n]}/{f}"  # noqa: E731

        # 1. a corrupt JSON line in the middle of the current file
        p = os.path.join(cd("json-plainrot"), cid["json-plainrot"] + "-json.log")
        lines = read(p).split(b"\n")
        lost = json.loads(lines[3])
        off = sum(len(x) + 1 for x in lines[:3])
        lines[3] = b'{"log":"broken' + b"\x00" * 10 + lines[3][20:]
        open(p, "wb").write(b"\n".join(lines))
        out, err = recorded(ENGINE_LOGS, "json-plainrot")
        rc, o, e = csleuth("--root", root, "logs", "-t", "json-plainrot")
        f = rel("json-plainrot", cid["json-plainrot"] + "-json.log")
        t.eq(rc, 3, "corrupt json line: exit 3")
        t.ok(f"{f}: offset {off}: not a json-file record".encode() in e, "corrupt json line: file and offset named",
             e[-600:])
        rc, o, e = csleuth("-q", "--root", root, "logs", "json-plainrot")
        t.ok(o.count(b"\n") + e.count(b"\n") == out.count(b"\n") + err.count(b"\n") - 1 and
             lost["log"].encode() not in o + e, "corrupt json line: only that record is lost")

        # 2. a rotated gzip cut in half
        p = os.path.join(cd("json-rotate"), cid["json-rotate"] + "-json.log.1.gz")
        data = read(p)
        open(p, "wb").write(data[: len(data) // 2])
        out, err = recorded(ENGINE_LOGS, "json-rotate")
        rc, o, e = csleuth("--root", root, "logs", "-t", "json-rotate")
        t.eq(rc, 3, "cut gzip: exit 3")
        t.ok(rel("json-rotate", cid["json-rotate"] + "-json.log.1.gz").encode() + b": the gzip stream ends early" in e,
             "cut gzip: the file is named", e[-600:])
        cur = read(os.path.join(cd("json-rotate"), cid["json-rotate"] + "-json.log"))
        last = json.loads(cur.split(b"\n")[-2])
        t.ok(last["log"].encode() in (o if last["stream"] == "stdout" else e) and o.count(b"\n") < out.count(b"\n"),
             "cut gzip: the older and newer files are still printed")

        # 3. a local frame whose length says 4 GiB
        p = os.path.join(cd("local-plainrot"), "local-logs", "container.log")
        data = bytearray(read(p))
        first = int.from_bytes(data[0:4], "big")
        at = first + 8
        data[at:at + 4] = b"\xff\xff\xff\xff"
        open(p, "wb").write(data)
        out, err = recorded(ENGINE_LOGS, "local-plainrot")
        rc, o, e = csleuth("--root", root, "logs", "-t", "local-plainrot")
        t.eq(rc, 3, "4 GiB frame length: exit 3")
        t.ok(f"{rel('local-plainrot', 'local-logs/container.log')}: offset {at}: bad frame length 4294967295".encode()
             in e, "4 GiB frame length: file and offset named", e[-600:])
        rc, o, e = csleuth("-q", "--root", root, "logs", "-t", "local-plainrot")
        n = o.count(b"\n") + e.count(b"\n")
        t.ok(rc == 3 and n == out.count(b"\n") + err.count(b"\n") - 1, f"4 GiB frame length: only that frame is lost ({n} lines)")

        # 4. the current log replaced by a directory
        p = os.path.join(cd("json-plainrot"), cid["json-plainrot"] + "-json.log.1")
        os.unlink(p)
        os.mkdir(p)
        rc, o, e = csleuth("--root", root, "logs", "-t", "json-plainrot")
        t.ok(rc == 3 and rel("json-plainrot", cid["json-plainrot"] + "-json.log.1").encode() +
             b": offset 0: a directory" in e, "a directory instead of a log: named, exit 3", e[-600:])
        t.ok(o.count(b"\n") > 20, "a directory instead of a log: the other files are printed")

        # 5. the current log replaced by a symlink out of the evidence
        p = os.path.join(cd("json-rotate"), cid["json-rotate"] + "-json.log")
        os.unlink(p)
        os.symlink("/etc/passwd", p)
        rc, o, e = csleuth("--root", root, "logs", "-t", "json-rotate")
        t.ok(rc == 3 and rel("json-rotate", cid["json-rotate"] + "-json.log").encode() +
             b": offset 0: a symbolic link (to `/etc/passwd`)" in e, "a symlink instead of a log: named, exit 3",
             e[-600:])
        t.ok(b"root:" not in o and b"root:" not in e, "a symlink instead of a log: nothing of its target is read")
        t.ok(b"stdout line" in o, "a symlink instead of a log: the rotated files are printed")

        # 6. a json-file record cut by a crash mid-write
        p = os.path.join(cd("json-attrs"), cid["json-attrs"] + "-json.log")
        data = read(p)
        cut = data.rindex(b'{"log"') + 12
        open(p, "wb").write(data[:cut])
        rc, o, e = csleuth("--root", root, "logs", "json-attrs")
        # cut before "stream": the record's stream is unknown, its text goes to stdout
        t.ok(rc == 3 and o == b"attrs stdout\nattr\n" and f"offset {cut - 12}: a record cut short".encode() in e,
             "a json-file record cut mid-write is kept", f"{o!r} {e!r}")
        rc, o, e = csleuth("-q", "--root", root, "logs", "--json", "json-attrs")
        recs = json_records(o)
        t.ok(rc == 3 and recs[-1]["truncated"] and recs[-1]["text"] == "attr" and recs[-1]["offset"] == cut - 12,
             "... and flagged truncated in --json", recs[-1:])

        # 7. a local frame cut by a crash mid-write
        p = os.path.join(cd("local-rich"), "local-logs", "container.log")
        data = read(p)
        last = data.rindex(b"last stdout line, no newline")
        open(p, "wb").write(data[:last + 10])
        rc, o, e = csleuth("--root", root, "logs", "--json", "local-rich")
        recs = json_records(o)
        t.ok(rc == 3 and recs[-1]["truncated"] and recs[-1]["text"] == "last stdou" and b"ends inside a frame" in e,
             "a local frame cut mid-write is kept and flagged", recs[-1:])

        # 8. a log deleted although the container ran
        os.unlink(os.path.join(cd("tty"), cid["tty"] + "-json.log"))
        rc, o, e = csleuth("--root", root, "logs", "tty")
        t.ok(rc == 3 and o == b"" and b"no log file in the evidence" in e and b"although the container ran" in e,
             "a deleted log of a container that ran: a warning, exit 3", e)

        # 9. both .2 and .2.gz: the engine stopped while compressing
        d = cd("local-rotate")
        gzdata = read(os.path.join(d, "local-logs", "container.log.2.gz"))
        open(os.path.join(d, "local-logs", "container.log.2"), "wb").write(gzip.decompress(gzdata))
        open(os.path.join(d, "local-logs", "container.log.2.gz"), "wb").write(gzdata[:40])
        out, err = recorded(ENGINE_LOGS, "local-rotate")
        rc, o, e = csleuth("--root", root, "logs", "-t", "local-rotate")
        t.ok(rc == 0 and b"container.log.2.gz: left by a compression the engine did not finish" in e and
             o == out and NOTE.sub(b"", NOTE.sub(b"", e)) == err,
             "both .2 and .2.gz: the whole .2 is read, the unfinished .2.gz noted", e[:600])


def check_memory(t):
    """A large log costs no more memory than a small one."""
    with tempfile.TemporaryDirectory() as tmp:
        root = damaged_copy(tmp)
        cid = ids(root)["json-attrs"]
        p = os.path.join(root, "containers", cid, cid + "-json.log")
        line = b'{"log":"' + b"m" * 200 + b'\\n","stream":"stdout","time":"2026-11-23T15:23:54.194502332Z"}\n'
        with open(p, "wb") as f:
            for _ in range(64):
                f.write(line * 4000)  # about 64 MiB in all
        size = os.path.getsize(p)

        def peak(*args):
            code = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL); "
                    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
            r = subprocess.run(["python3", "-c", code, os.environ.get("CSLEUTH", "csleuth"), *args],
                               capture_output=True, check=True)
            return int(r.stdout)

        big = peak("-q", "--root", root, "logs", "-t", "json-attrs")
        small = peak("-q", "--root", root, "logs", "-t", "tty")
        t.ok(big < small + 8 * 1024, f"memory: a {size >> 20} MiB log peaks at {big} KiB, a tiny one at {small} KiB")
        rc, o, _ = csleuth("-q", "--root", root, "logs", "json-attrs")
        t.ok(rc == 0 and len(o) == 64 * 4000 * 201, "memory: every record of the large log is printed")


def check_cri_and_cli(t):
    with tempfile.TemporaryDirectory() as tmp:
        os.makedirs(os.path.join(tmp, "pods", "ns_web_uid", "app"))
        p = os.path.join(tmp, "pods", "ns_web_uid", "app", "0.log")
        with open(p, "wb") as f:
            f.write(b"2026-11-23T14:58:02.1Z stdout F hello\n"
                    b"2026-11-23T14:58:02.2Z stderr P par\n"
                    b"2026-11-23T14:58:02.3Z stderr F tial\n"
                    b"garbage line\n"
                    b"2026-11-23T15:58:02.4+01:00 stdout F \x1b[1mbold\x1b[0m\n")
        rc, o, e = csleuth("--root", tmp, "logs", "-t", "--format", "cri", "--file", "pods/ns_web_uid/app/0.log")
        t.ok(rc == 3 and o == b"2026-11-23T14:58:02.100000000Z hello\n"
             b"2026-11-23T14:58:02.400000000Z \x1b[1mbold\x1b[0m\n", "cri: stdout, times in UTC with 9 digits", o)
        t.ok(e.startswith(b"2026-11-23T14:58:02.200000000Z par2026-11-23T14:58:02.300000000Z tial\n"
                          b"csleuth: warning: pods/ns_web_uid/app/0.log: offset 111: not a CRI log line"),
             "cri: P pieces printed without a newline; a bad line named with its offset", e)
        rc, o, e = csleuth("-q", "--root", tmp, "logs", "--join", "--format", "cri", "--file", "pods/ns_web_uid/app/0.log")
        t.ok(e == b"partial\n", "cri: --join", e)
    root = fixture("logs")
    rc, o, _ = csleuth("logs", "--help")
    t.ok(rc == 0 and o.startswith(b"Usage: csleuth logs"), "logs --help prints its usage")
    rc, o, _ = csleuth("--help")
    t.ok(b"logs" in o, "csleuth --help lists logs")
    t.ok(os.path.exists(os.path.join(SRC, "docs", "man", "csleuth-logs.1")), "logs has a manual page")
    t.eq(csleuth("--root", root, "logs", "no-such-container")[0], 4, "unknown container: exit 4")
    t.eq(csleuth("--root", root, "logs", "--tail", "x", "tty")[0], 2, "bad --tail: exit 2")
    t.eq(csleuth("--root", root, "logs", "--since", "soon", "tty")[0], 2, "bad --since: exit 2")
    t.eq(csleuth("--root", root, "logs", "--stream", "stdin", "tty")[0], 2, "bad --stream: exit 2")
    t.eq(csleuth("--root", root, "logs")[0], 2, "no container: exit 2")
    rc, o, e = csleuth("--root", root, "logs", "--stream", "stderr", "json-rotate")
    t.ok(rc == 0 and o == b"" and e.count(b"stderr line") == recorded(ENGINE_LOGS, "json-rotate", ".plain")[1].count(
        b"stderr line"), "--stream stderr prints stderr only")
    # both streams into one file keep their order
    with tempfile.TemporaryFile() as f:
        p = subprocess.run([os.environ.get("CSLEUTH", "csleuth"), "-q", "--root", root, "logs", "-t", "json-rotate"],
                           stdout=f, stderr=subprocess.STDOUT)
        f.seek(0)
        got = f.read()
    stamps = re.findall(rb"^(\S+) ", got, re.M)
    t.ok(p.returncode == 0 and stamps == sorted(stamps) and len(stamps) == 58,
         f"2>&1 into one file: {len(stamps)} records in the order stored")


def check_untouched(t):
    with tempfile.TemporaryDirectory() as tmp:
        root = damaged_copy(tmp)  # a private copy, with old access times that a read would renew
        before = {}
        for dp, _, fs in os.walk(os.path.join(root, "containers")):
            for f in fs:
                p = os.path.join(dp, f)
                if os.path.islink(p):
                    continue
                h = hashlib.sha256(read(p)).hexdigest()  # reading first: it renews the atime
                os.utime(p, ns=(1_000_000_000_000_000_000, os.lstat(p).st_mtime_ns))
                st = os.lstat(p)
                before[p] = (h, st.st_mtime_ns, st.st_atime_ns)
        for name in names(ENGINE_LOGS):
            csleuth("-q", "--root", root, "logs", "-t", "--tail", "3", name)
            csleuth("-q", "--root", root, "logs", "--json", "--join", name)
        changed = [p for p, (h, m, a) in before.items()
                   if (os.lstat(p).st_mtime_ns, os.lstat(p).st_atime_ns) != (m, a) or
                   (h and hashlib.sha256(read(p)).hexdigest() != h)]
        t.ok(not changed, f"logs changes no byte, mtime or atime of the evidence ({len(before)} files)", changed[:5])


def main():
    t = Tap()
    t.run(check_engine_fixture)
    t.run(check_notes)
    t.run(check_main_fixture)
    t.run(check_json)
    t.run(check_join)
    t.run(check_realdata)
    t.run(check_damage)
    t.run(check_memory)
    t.run(check_cri_and_cli)
    t.run(check_untouched)
    t.done()


main()
