#!/usr/bin/env python3
"""Counts TAP results from meson's test logs and prints one closing line.

Usage: summary.py [--tap FILE]... BUILDDIR [BUILDDIR...]
Each `ok` line counts as passed, each `not ok` as failed, `# SKIP` as
skipped; --tap adds the lines of a TAP file written by something other
than meson (fuzz/run-fuzzers.sh -r). A test program that failed without any TAP line (a crash before
its first result, a timeout) counts as one failure. Exit status 1 if
anything failed.
"""
import json
import os
import re
import sys

TAP = re.compile(r"^(not ok|ok)\b(.*)$")


def count(builddir):
    passed = failed = skipped = 0
    path = os.path.join(builddir, "meson-logs", "testlog.json")
    if not os.path.exists(path):
        # the build failed before its tests ran: that is one failure
        print(f"{builddir}: no test log (the build or its tests did not run)", file=sys.stderr)
        return 0, 1, 0
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            t = json.loads(line)
            p = fl = s = 0
            for out in (t.get("stdout") or "").splitlines():
                m = TAP.match(out)
                if not m:
                    continue
                if "# SKIP" in m.group(2).upper() or "# skip" in m.group(2):
                    s += 1
                elif m.group(1) == "ok":
                    p += 1
                else:
                    fl += 1
            if t["result"] not in ("OK", "SKIP", "EXPECTEDFAIL") and fl == 0:
                fl = 1
                print(f"{builddir}: {t['name']}: {t['result']} with no failing TAP line "
                      f"(exit status {t.get('returncode')}, {p} ok lines); the end of its output:",
                      file=sys.stderr)
                # the test's own last words, so a CI log's tail says why
                tail = ((t.get("stdout") or "").splitlines()[-3:]
                        + (t.get("stderr") or "").splitlines()[-25:])
                for line in tail:
                    print(f"    {line[:300]}", file=sys.stderr)
            if t["result"] == "SKIP" and p + fl + s == 0:
                s = 1
            passed, failed, skipped = passed + p, failed + fl, skipped + s
    return passed, failed, skipped


def count_tap(path):
    passed = failed = skipped = 0
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = TAP.match(line.rstrip("\n"))
            if not m:
                continue
            if "# SKIP" in m.group(2).upper():
                skipped += 1
            elif m.group(1) == "ok":
                passed += 1
            else:
                failed += 1
    return passed, failed, skipped


def main():
    tp = tf = ts = 0
    args = sys.argv[1:]
    while args:
        a = args.pop(0)
        if a == "--tap":
            p, f, s = count_tap(args.pop(0)) if os.path.exists(args[0]) else (0, 1, 0)
        else:
            p, f, s = count(a)
        tp, tf, ts = tp + p, tf + f, ts + s
    if ts:
        print(f"{ts} skipped (each says why in its log)")
    print(f"{tp} passed, {tf} failed")
    return 1 if tf else 0


if __name__ == "__main__":
    sys.exit(main())
