#!/usr/bin/env python3
"""generate.py - systemd journal files holding container output as conmon
writes it for Podman's journald log driver (EMULATED entries, real journal
files).

No journald runs on the machines these fixtures are made on, and Podman 4.3
was run with events_logger/log_driver set to files, so there is no journal
a real conmon wrote. This script writes the entries conmon would send
(src/ctr_logging.c write_journald in containers/conmon: MESSAGE with the
line's '\\n', PRIORITY 6 for stdout and 3 for stderr, CONTAINER_ID_FULL,
CONTAINER_ID, CONTAINER_NAME, SYSLOG_IDENTIFIER, CONTAINER_PARTIAL_MESSAGE
=true for output without a newline and for pieces of lines longer than
conmon's 8192-byte buffer) in journal export format, and has systemd's own
systemd-journal-remote (Debian package systemd-journal-remote) turn them
into real journal files:

    var/log/journal/<machine id>/system.journal       rootful containers
    var/log/journal/<machine id>/user-2000.journal    user alice's

Then it xz-compresses them (journal files are mostly preallocated zeros)
and writes expected.json: every entry fed, in order, with its realtime
stamp (microseconds), stream, text without the newline, and partial flag.
Tests compare csleuth with expected.json and, where journalctl exists, with
what systemd's own reader says.

    ./generate.py            # writes into this directory
"""
import json
import os
import shutil
import struct
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
MACHINE = "5f6c1e3a9b8d4c7e8f0a1b2c3d4e5f60"
BOOT = "0c1d2e3f405162738495a6b7c8d9eaf1"
T0 = 1795703700 * 10**6  # microseconds, 2026-11-26T14:35:00Z
CONMON_BUF = 8192

CONTAINERS = {
    "jweb": {"id": "4f1e0b6a2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7", "journal": "system"},
    "jworker": {"id": "9a8b7c6d5e4f30211203f4e5d6c7b8a9f0e1d2c3b4a5968778695a4b3c2d1e0f", "journal": "system"},
    "jalice": {"id": "c0ffee00112233445566778899aabbccddeeff00112233445566778899aabbcc", "journal": "user-2000"},
}

OUTPUT = [  # (container, stream, bytes written by the container)
    ("jweb", "stdout", b"GET /index.html 200\n"),
    ("jworker", "stdout", b"worker: started\n"),
    ("jweb", "stderr", b"warn: slow upstream\n"),
    ("jweb", "stdout", "caf\u00e9 \u2615 unicode\n".encode()),
    ("jweb", "stdout", b"\x1b[1mbold\x1b[0m and a tab\there\n"),
    ("jalice", "stdout", b"alice: rootless hello\n"),
    ("jweb", "stdout", b"x" * 20000 + b"\n"),
    ("jworker", "stderr", b"worker: failing\n"),
    ("jalice", "stderr", b"alice: to stderr\n"),
    ("jweb", "stdout", b"no trailing newline"),
]


def conmon_entries(stream, data):
    """The MESSAGE pieces conmon sends for one write: whole lines, and a
    partial piece for output without a newline or longer than its buffer."""
    out = []
    while data:
        nl = data.find(b"\n")
        line = data if nl < 0 else data[:nl + 1]
        while len(line) > CONMON_BUF:
            out.append((line[:CONMON_BUF], True))
            line = line[CONMON_BUF:]
        if line:
            out.append((line, not line.endswith(b"\n")))
        data = data[len(line):] if nl < 0 else data[nl + 1:]
        if nl < 0:
            break
    return out


def field(k, v):
    if isinstance(v, str):
        v = v.encode()
    if b"\n" in v or any(c < 0x20 and c != 0x09 for c in v):
        return k.encode() + b"\n" + struct.pack("<Q", len(v)) + v + b"\n"
    return k.encode() + b"=" + v + b"\n"


def main():
    expected = []
    streams = {"system": b"", "user-2000": b""}
    t = T0
    seq = 0
    other = [b"sshd[812]: Accepted publickey for alice", b"kernel: EXT4-fs (sda1): mounted"]
    for i, (name, stream, data) in enumerate(OUTPUT):
        if i % 4 == 0:
            t += 1000
            seq += 1
            msg = other[i % 2]
            streams["system"] += (field("__REALTIME_TIMESTAMP", str(t)) + field("__MONOTONIC_TIMESTAMP", str(t - T0 + 5000000))
                                  + field("_BOOT_ID", BOOT) + field("MESSAGE", msg) + field("PRIORITY", "6")
                                  + field("SYSLOG_IDENTIFIER", msg.split(b"[")[0].split(b":")[0]) + b"\n")
        c = CONTAINERS[name]
        for piece, partial in conmon_entries(stream, data):
            t += 12345
            seq += 1
            e = (field("__REALTIME_TIMESTAMP", str(t)) + field("__MONOTONIC_TIMESTAMP", str(t - T0 + 5000000))
                 + field("_BOOT_ID", BOOT) + field("MESSAGE", piece) + field("CONTAINER_ID_FULL", c["id"])
                 + field("PRIORITY", "6" if stream == "stdout" else "3") + field("CONTAINER_ID", c["id"][:12])
                 + field("CONTAINER_NAME", name) + field("SYSLOG_IDENTIFIER", name))
            if partial:
                e += field("CONTAINER_PARTIAL_MESSAGE", "true")
            streams[c["journal"]] += e + b"\n"
            expected.append({"container": name, "id": c["id"], "journal": c["journal"], "realtime_usec": t,
                             "stream": stream, "text_hex": piece.rstrip(b"\n").hex(), "partial": partial})
    tool = shutil.which("systemd-journal-remote") or "/lib/systemd/systemd-journal-remote"
    out = os.path.join(HERE, "var/log/journal", MACHINE)
    os.makedirs(out, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name, data in streams.items():
            src = os.path.join(tmp, name + ".export")
            with open(src, "wb") as f:
                f.write(data)
            dst = os.path.join(tmp, name + ".journal")
            subprocess.run([tool, "--output=" + dst, src], check=True, capture_output=True)
            subprocess.run(["xz", "-9", "-f", "-k", dst], check=True)
            shutil.copy(dst + ".xz", os.path.join(out, name + ".journal.xz"))
    with open(os.path.join(HERE, "expected.json"), "w") as f:
        json.dump({"machine_id": MACHINE, "containers": CONTAINERS, "entries": expected}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
