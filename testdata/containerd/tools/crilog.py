#!/usr/bin/env python3
"""crilog.py — read the CRI plugin's container logs back as `crictl logs` / `kubectl logs` would.

Usage: crilog.py CRI_STATE_JSON OUTDIR

For every CRI container in the state file, from /var/log/pods/.../<ctr>/<attempt>.log and its
rotations (<log>.<YYYYMMDD-hhmmss>[.gz]):
  OUTDIR/<ctr>-<attempt>.stdout, .stderr       the current log file only (what `crictl logs`
                                               and `kubectl logs` print: they do not read
                                               rotated files), stream by stream
  OUTDIR/<ctr>-<attempt>.all.stdout, .all.stderr   all files, oldest rotation first
  OUTDIR/<ctr>-<attempt>.records.json          every record: file, line number, time (as
                                               written), stream, tag (P/F), content length,
                                               content (text, \\xNN for invalid UTF-8)
Reassembly follows the kubelet's CRI log parser (pkg/kubelet/kuberuntime/logs): each record
is "<time> <stream> <tag> <content>"; content is written as is, followed by "\\n" only for
tag F, so P records join the next F of the same stream and a trailing P stays without a
newline. (Emulated: neither crictl nor a kubelet is installed here.)
"""
import gzip
import json
import os
import sys


def files_of(logpath):
    d, base = os.path.split(logpath)
    rot = sorted(n for n in os.listdir(d) if n.startswith(base + ".") and not n.endswith(".tmp"))
    return [os.path.join(d, n) for n in rot] + ([logpath] if os.path.exists(logpath) else [])


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    return gzip.decompress(data) if path.endswith(".gz") else data


def parse(path):
    recs = []
    data = read(path)
    lines = data.split(b"\n")
    if data.endswith(b"\n"):
        lines = lines[:-1]
    for i, line in enumerate(lines):
        parts = line.split(b" ", 3)
        if len(parts) < 4:
            parts += [b""] * (4 - len(parts))
        recs.append({"file": os.path.basename(path), "line": i + 1, "time": parts[0].decode(),
                     "stream": parts[1].decode(), "tag": parts[2].decode(), "content": parts[3]})
    return recs


def main():
    st = json.load(open(sys.argv[1]))
    out = sys.argv[2]
    os.makedirs(out, exist_ok=True)
    for c in st["containers"]:
        tag = "%s-%d" % (c["name"], c["attempt"])
        allrecs, cur = [], []
        for p in files_of(c["log_path"]):
            r = parse(p)
            allrecs += r
            if p == c["log_path"]:
                cur = r
        for suffix, recs in (("", cur), (".all", allrecs)):
            for stream in ("stdout", "stderr"):
                with open(os.path.join(out, "%s%s.%s" % (tag, suffix, stream)), "wb") as f:
                    for r in recs:
                        if r["stream"] == stream:
                            f.write(r["content"] + (b"\n" if r["tag"] == "F" else b""))
        with open(os.path.join(out, tag + ".records.json"), "w") as f:
            f.write("[\n" + ",\n".join(json.dumps(dict(r, content=r["content"].decode("utf-8", "backslashreplace"),
                                                       content_len=len(r["content"]))) for r in allrecs) + "\n]\n")


if __name__ == "__main__":
    main()
