#!/usr/bin/env python3
"""Write a json-file container log of about SIZE bytes, as dockerd 20.10 writes it.

usage: gen_jsonlog.py OUT SIZE [--seed S] [--plain]

One object per line, {"log":...,"stream":...,"time":...}, with the engine's
escaping (\\n, \\r, \\" and \\\\ as such; other control characters, <, > and &
as \\u00XX; UTF-8 as is) and Go's RFC3339Nano times (trailing zeros trimmed).
The text is a mix of what containers print: web access lines, structured
(JSON-in-JSON) application logs, stack-trace lines on stderr, short lines,
coloured lines, non-ASCII text, and now and then a line over 16 KiB split in
pieces the way the engine splits it. About 12% of the records are stderr.
With --plain, every record is a short numbered line with nothing to
escape, the best case for a reader. Deterministic for a given seed; Python 3
standard library only.
"""
import argparse
import datetime
import random

ESC = {c: "\\u%04x" % c for c in range(0x20)}
ESC.update({0x0a: "\\n", 0x0d: "\\r", 0x22: '\\"', 0x5c: "\\\\", 0x3c: "\\u003c", 0x3e: "\\u003e",
            0x26: "\\u0026"})


def esc(s):
    return s.translate(ESC)


def plain_texts(rng):
    i = 0
    while True:
        i += 1
        yield ("stderr" if rng.random() < 0.12 else "stdout"), "worker %d: processed job %d in %d ms\n" % (
            rng.randrange(16), i, rng.randrange(5000))


def texts(rng):
    paths = ["/", "/api/v1/orders", "/api/v1/users/42", "/static/app.js", "/healthz", "/login",
             "/api/v1/search?q=caf%C3%A9", "/metrics"]
    agents = ["curl/7.88.1", "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/119.0",
              "kube-probe/1.27", "python-requests/2.31.0"]
    while True:
        k = rng.random()
        ip = "10.%d.%d.%d" % (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        if k < 0.40:
            yield "stdout", '%s - - [23/Nov/2026:14:%02d:%02d +0000] "GET %s HTTP/1.1" %d %d "-" "%s"\n' % (
                ip, rng.randrange(60), rng.randrange(60), rng.choice(paths), rng.choice([200, 200, 304, 404, 500]),
                rng.randrange(50000), rng.choice(agents))
        elif k < 0.65:
            yield "stdout", ('{"level":"%s","ts":%d.%06d,"caller":"server/handler.go:%d","msg":"request done",'
                             '"method":"POST","path":"%s","status":%d,"latency_ms":%.3f,"user":"u%05d"}\n') % (
                rng.choice(["info", "info", "debug", "warn"]), 1795445882 + rng.randrange(86400),
                rng.randrange(10 ** 6), rng.randrange(900), rng.choice(paths), rng.choice([200, 201, 400]),
                rng.random() * 300, rng.randrange(10 ** 5))
        elif k < 0.77:
            yield "stderr", rng.choice([
                "Traceback (most recent call last):\n",
                '  File "/app/worker.py", line %d, in run\n' % rng.randrange(900),
                "    raise ConnectionError(\"upstream %s refused\")\n" % ip,
                "ConnectionError: upstream %s refused\n" % ip,
                "\tat com.example.Service.handle(Service.java:%d)\n" % rng.randrange(999),
                "WARN  [pool-%d] retrying in %d ms\n" % (rng.randrange(9), rng.randrange(5000)),
            ])
        elif k < 0.87:
            yield "stdout", rng.choice(["ok\n", "\n", "tick %d\n" % rng.randrange(10 ** 6), "done.\n"])
        elif k < 0.94:
            yield "stdout", "\x1b[32mINFO\x1b[0m  %s worker %d: processed %d jobs \x1b[2m(%.1fs)\x1b[0m\n" % (
                datetime.date(2026, 11, 23), rng.randrange(16), rng.randrange(1000), rng.random() * 9)
        elif k < 0.999:
            yield "stdout", rng.choice(["commande reçue: café crème, déjà payé\n", "注文を受け付けました 🐳\n",
                                        "Größe: 12 µm, Temperatur 21 °C\n", "progress 10%\rprogress 100%\n"])
        else:
            body = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(64)) * 400
            yield "stdout", "payload=" + body + "\n"


def rfc3339nano(ns):
    sec, frac = divmod(ns, 10 ** 9)
    s = datetime.datetime.fromtimestamp(sec, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    if frac:
        s += "." + ("%09d" % frac).rstrip("0")
    return s + "Z"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("size", type=int)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--plain", action="store_true")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    gen = plain_texts(rng) if a.plain else texts(rng)
    # a pool of distinct records, reused with fresh times: the text varies, the
    # generator stays fast
    pool = []
    for _ in range(20000):
        stream, text = next(gen)
        pieces = [text[i:i + 16384] for i in range(0, len(text), 16384)] or [""]
        pool.append([(stream, '{"log":"' + esc(p) + '","stream":"' + stream + '","time":"') for p in pieces])
    t = 1795445882 * 10 ** 9
    written = 0
    sec_cache = {}
    with open(a.out, "w", encoding="utf-8", buffering=1 << 20) as f:
        while written < a.size:
            chunk = []
            for _ in range(4096):
                t += rng.randrange(1, 2_000_000)
                sec, frac = divmod(t, 10 ** 9)
                base = sec_cache.get(sec)
                if base is None:
                    sec_cache.clear()
                    base = sec_cache[sec] = datetime.datetime.fromtimestamp(
                        sec, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
                ts = base + ("." + ("%09d" % frac).rstrip("0") if frac else "") + "Z"
                for _, head in pool[rng.randrange(len(pool))]:
                    chunk.append(head + ts + '"}\n')
            s = "".join(chunk)
            f.write(s)
            written += len(s.encode("utf-8")) if not s.isascii() else len(s)


main()
