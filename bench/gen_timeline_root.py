#!/usr/bin/env python3
"""Adds timeline-benchmark volume to a data root made by gen_dataroot.py:
ENTRIES files spread over the containers' own layers (directories of 100
entries) and LINES json-file log records spread over their logs.

usage: gen_timeline_root.py ROOT [--entries 1000000] [--lines 1000000] [--containers 4]
"""
import argparse
import json
import os


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("root")
    ap.add_argument("--entries", type=int, default=1000000)
    ap.add_argument("--lines", type=int, default=1000000)
    ap.add_argument("--containers", type=int, default=4)
    a = ap.parse_args()
    ids = sorted(os.listdir(os.path.join(a.root, "containers")))[: a.containers]
    per_c = a.entries // len(ids)
    per_l = a.lines // len(ids)
    uppers = []
    for cid in ids:
        mid = open(os.path.join(a.root, "image/overlay2/layerdb/mounts", cid, "mount-id")).read().strip()
        up = os.path.join(a.root, "overlay2", mid, "diff")
        uppers.append(up)
        made = 0
        d = 0
        while made < per_c:
            dp = os.path.join(up, "bench", f"d{d:05d}")
            os.makedirs(dp, exist_ok=True)
            made += 1
            for i in range(min(99, per_c - made)):
                with open(os.path.join(dp, f"f{i:02d}.txt"), "w") as f:
                    f.write("x" * (i % 7))
                made += 1
            d += 1
        cfg = json.load(open(os.path.join(a.root, "containers", cid, "config.v2.json")))
        log = os.path.join(a.root, "containers", cid, cid + "-json.log")
        with open(log, "w") as f:
            for i in range(per_l):
                f.write(json.dumps({"log": f"line {i} of the benchmark log, some text to read\n",
                                    "stream": "stdout" if i % 3 else "stderr",
                                    "time": "2026-11-23T10:%02d:%02d.%09dZ" % (i // 60000 % 60, i // 1000 % 60, i)},
                                   separators=(",", ":")) + "\n")
        _ = cfg
    print("\n".join(uppers))


if __name__ == "__main__":
    main()
