#!/usr/bin/env python3
"""Write hostile-size evidence into a data root made by gen_dataroot.py.

usage: gen_hostile.py ROOT CASE [--mib N] [--count N]

Each case replaces one file of the root (or of its first json-file
container) with something the engine never writes but an attacker can:

  oneline   a json-file log that is one line of --mib MiB holding back-to-back
            records without a newline between them (default 20)
  cutshort  one line of --mib MiB of records each cut short by the next
            (`{"log":"tick 1{"log":"tick 2...`, as crashes leave them)
  window    a final line without a newline exactly --mib MiB long (default
            64: the whole read window), holding one record
  gzbomb    a rotated file <id>-json.log.1.gz that inflates to --mib MiB of
            zeros (default 10240), as gzip members of 1 GiB each
  tags      repositories.json with --count tags (default 100000), all naming
            one image that is there
  ghosts    repositories.json with --count tags naming --count images whose
            configs are missing

Prints "CONTAINER_NAME CONTAINER_ID" (log cases) or "IMAGE_ID" (tag cases).
Deterministic; Python 3 standard library only.
"""
import argparse
import hashlib
import json
import os
import zlib

REC = '{"log":"tick %d\\n","stream":"stdout","time":"2026-11-23T14:58:%02d.%09dZ"}'


def json_container(root):
    for cid in sorted(os.listdir(os.path.join(root, "containers"))):
        d = os.path.join(root, "containers", cid)
        c = json.load(open(os.path.join(d, "config.v2.json")))
        h = json.load(open(os.path.join(d, "hostconfig.json")))
        if h["LogConfig"]["Type"] == "json-file" and not h["LogConfig"]["Config"]:
            return c["Name"].lstrip("/"), cid, d
    raise SystemExit("no json-file container in " + root)


def write_line(path, size, piece):
    """One line of exactly size bytes made of piece(i) strings, then no '\\n'."""
    with open(path, "wb") as f:
        n = i = 0
        while n < size:
            b = piece(i).encode()
            if n + len(b) > size:
                b = b[: size - n]
            f.write(b)
            n += len(b)
            i += 1
    return i


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("root")
    ap.add_argument("case", choices=["oneline", "cutshort", "window", "gzbomb", "tags", "ghosts"])
    ap.add_argument("--mib", type=int)
    ap.add_argument("--count", type=int, default=100000)
    a = ap.parse_args()
    root = a.root
    if a.case in ("tags", "ghosts"):
        cdir = os.path.join(root, "image", "overlay2", "imagedb", "content", "sha256")
        img = "sha256:" + sorted(os.listdir(cdir))[0]
        tags = {}
        for i in range(a.count):
            ref = "hostile/r%d:t%d" % (i % 1000, i)
            tags.setdefault("hostile/r%d" % (i % 1000), {})[ref] = (
                img if a.case == "tags" else "sha256:" + hashlib.sha256(b"%d" % i).hexdigest())
        with open(os.path.join(root, "image", "overlay2", "repositories.json"), "w") as f:
            json.dump({"Repositories": tags}, f, separators=(",", ":"))
        print(img)
        return
    name, cid, d = json_container(root)
    log = os.path.join(d, cid + "-json.log")
    if a.case == "oneline":
        size = (a.mib or 20) << 20
        write_line(log, size, lambda i: REC % (i, i // 1000000 % 60, i % 1000000000))
        with open(log, "ab") as f:
            f.write(b"\n")
    elif a.case == "cutshort":
        size = (a.mib or 20) << 20
        write_line(log, size, lambda i: '{"log":"tick %d' % i)
        with open(log, "ab") as f:
            f.write(b"\n")
    elif a.case == "window":
        size = (a.mib or 64) << 20
        head = '{"log":"'
        tail = '","stream":"stdout","time":"2026-11-23T14:58:00Z"}'
        with open(log, "wb") as f:
            f.write(head.encode())
            f.write(b"x" * (size - len(head) - len(tail)))
            f.write(tail.encode())
    elif a.case == "gzbomb":
        total = (a.mib or 10240) << 20
        member = 1 << 30
        zero = bytes(1 << 20)
        with open(log, "w") as f:
            f.write(REC % (1, 1, 0) + "\n")
        blobs = {}
        with open(log + ".1.gz", "wb") as f:
            left = total
            while left > 0:
                n = min(member, left)
                if n not in blobs:
                    z = zlib.compressobj(9, zlib.DEFLATED, 31)
                    blobs[n] = b"".join(z.compress(zero) for _ in range(n >> 20)) + z.flush()
                f.write(blobs[n])
                left -= n
    print(name, cid)


main()
