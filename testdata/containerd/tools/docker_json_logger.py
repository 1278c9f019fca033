#!/usr/bin/python3
"""docker_json_logger.py — a containerd "binary://" log driver that writes Docker's json-file
format, standing in for dockerd's log copier + json-file driver (dockerd is not available).

containerd's runc shim starts it with the container's stdout on fd 3, stderr on fd 4 and a
ready pipe on fd 5 (closed once we are ready), env CONTAINER_ID / CONTAINER_NAMESPACE
(containerd pkg/process NewBinaryIO). Records go to
  /var/lib/docker/containers/<id>/<id>-json.log
one JSON object per line, as Docker's jsonfilelog writes them:
  {"log":"<text>\\n","stream":"stdout|stderr","time":"<RFC 3339, ns, trailing zeros trimmed, UTC>"}
Lines longer than 16 KiB are cut into 16384-byte records without "\\n" (Docker's copier);
output left without a newline at EOF becomes a record without "\\n". String escaping follows
Docker's encoder: \\" \\\\ \\n \\r as such, other control bytes and < > & U+2028 U+2029 as
\\u00XX / \\uXXXX, invalid UTF-8 bytes as \\ufffd each. Times come from the clock when the
line is read, as in dockerd's copier.
"""
import os
import sys
import threading
import time

MAX = 16 * 1024
lock = threading.Lock()


def ts():
    ns = time.time_ns()
    s, frac = divmod(ns, 10**9)
    base = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(s))
    f = ("%09d" % frac).rstrip("0")
    return base + ("." + f if f else "") + "Z"


def esc(b):
    out = []
    s = b.decode("utf-8", "replace")
    for ch in s:
        o = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif o < 0x20 or ch in "<>&" or o in (0x2028, 0x2029):
            out.append("\\u%04x" % o)
        else:
            out.append(ch)
    return "".join(out)


def pump(fd, stream, out):
    buf = b""
    with os.fdopen(fd, "rb", buffering=0) as f:
        while True:
            chunk = f.read(65536)
            if not chunk:
                break
            buf += chunk
            while True:
                i = buf.find(b"\n")
                if i < 0 or i >= MAX:
                    if len(buf) >= MAX:
                        write(out, buf[:MAX], stream)
                        buf = buf[MAX:]
                        continue
                    break
                write(out, buf[:i + 1], stream)
                buf = buf[i + 1:]
    if buf:
        write(out, buf, stream)


def write(out, line, stream):
    rec = '{"log":"%s","stream":"%s","time":"%s"}\n' % (esc(line), stream, ts())
    with lock:
        out.write(rec.encode())
        out.flush()


def main():
    cid = os.environ["CONTAINER_ID"]
    d = "/var/lib/docker/containers/" + cid
    out = open(os.path.join(d, cid + "-json.log"), "ab")
    os.chmod(os.path.join(d, cid + "-json.log"), 0o640)
    t1 = threading.Thread(target=pump, args=(3, "stdout", out))
    t2 = threading.Thread(target=pump, args=(4, "stderr", out))
    t1.start()
    t2.start()
    os.close(5)                     # ready
    t1.join()
    t2.join()
    out.close()


if __name__ == "__main__":
    main()
