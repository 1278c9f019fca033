#!/usr/bin/env python3
"""The five real Docker data roots of ../shared/realdata/docker-explorer:
csleuth must read each whole, with no warnings, and agree with the raw
configs (read here independently) on every listed field."""
import json
import os

from harness import Tap, csleuth, csleuth_json, realdata

# snapshot -> (containers, running container names, tagged image refs)
EXPECT = {
    "aufs.v1": (3, {"angry_rosalind"}, {"busybox:latest"}),
    "aufs.v2": (7, {"dreamy_snyder"}, {"busybox:latest"}),
    "overlay.v2": (6, {"elastic_booth"}, {"busybox:latest"}),
    "overlay2.v2": (5, {"festive_perlman"}, {"busybox:latest"}),
    "vols.v2": (4, set(), {"alpine:latest"}),
}


def status_of(state):
    if state.get("Running"):
        if state.get("Paused"):
            return "paused"
        if state.get("Restarting"):
            return "restarting"
        return "running"
    if state.get("RemovalInProgress"):
        return "removing"
    if state.get("Dead"):
        return "dead"
    if state.get("StartedAt", "").startswith("0001-01-01"):
        return "created"
    return "exited"


def norm_time(s):
    """RFC 3339 -> 9-digit UTC string (the raw data here is all in Z)."""
    if s is None or s.startswith("0001-01-01"):
        return None
    base, _, frac = s.rstrip("Z").partition(".")
    return f"{base}.{frac.ljust(9, '0')}Z"


def check_root(t, name):
    root = realdata(name)
    if root is None:
        t.skip(f"{name}: ../shared/realdata is absent")
        return
    n, running, tags = EXPECT[name]
    rc, ps, err = csleuth_json("--root", root, "ps", "--json")
    t.eq(rc, 0, f"{name}: ps exits 0")
    t.eq(err, b"", f"{name}: ps prints no warning")
    t.eq(len(ps), n, f"{name}: {n} containers")
    t.eq({c["name"] for c in ps if c["state"] == "running"}, running, f"{name}: running containers")
    for c in ps:
        cdir = os.path.join(root, "containers", c["id"])
        cfgp = os.path.join(cdir, "config.v2.json")
        if not os.path.exists(cfgp):
            cfgp = os.path.join(cdir, "config.json")
        raw = json.load(open(cfgp))
        st = raw["State"]
        got = (c["name"], c["image"], c["image_id"], c["state"], c["exit_code"], c["created"],
               c["started_at"], c["finished_at"], c["driver"])
        want = (raw["Name"].lstrip("/"), raw["Config"]["Image"], raw["Image"], status_of(st),
                st["ExitCode"], norm_time(raw["Created"]), norm_time(st["StartedAt"]),
                norm_time(st["FinishedAt"]), raw["Driver"])
        t.eq(got, want, f"{name}: {c['name']}: ps fields match the raw config")
        t.ok(not c["incomplete"], f"{name}: {c['name']}: complete")
    rc, images, _ = csleuth_json("--root", root, "images", "--json")
    t.eq({tag for im in images for tag in im["tags"]}, tags, f"{name}: image tags")
    for im in images:
        t.ok(im["size"] is not None and im["size"] > 0, f"{name}: {im['id'][:19]} has a size")
        rc, hist, _ = csleuth_json("--root", root, "history", "--json", im["id"])
        t.ok(rc == 0 and len(hist) >= 1 and hist[0]["id"] == im["id"],
             f"{name}: history of {im['id'][:19]} starts at the image")
        t.eq(sum(h["size"] for h in hist), im["size"], f"{name}: history sizes add up to the image size")
    # inspect every container at once, by short id
    rc, ins, _ = csleuth_json("--root", root, "inspect", *[c["id"][:12] for c in ps])
    t.eq([i["Id"] for i in ins], [c["id"] for c in ps], f"{name}: inspect by prefix finds each")
    for i in ins:
        gd = i["GraphDriver"]
        if gd["Name"] in ("overlay2", "overlay"):
            for d in [gd["Data"]["UpperDir"]] + gd["Data"].get("LowerDir", "").split(":"):
                rel = d.replace("/var/lib/docker/", "", 1)
                t.ok(os.path.isdir(os.path.join(root, rel)), f"{name}: {i['Name']}: layer {rel[:40]} exists")
    # named volumes: evidence_path is set exactly when the data survived
    for c in ps:
        for m in c["mounts"]:
            if m["type"] == "volume":
                data = os.path.join(root, "volumes", m["name"], "_data")
                want = os.path.relpath(data, root) if os.path.isdir(data) else None
                t.eq(m["evidence_path"], want, f"{name}: {c['name']}: volume {m['name'][:12]} located")
                raw = json.load(open(os.path.join(root, "containers", c["id"], "config.v2.json")))
                host_root = raw["ResolvConfPath"].split("/containers/")[0]
                t.eq(m["source"], f"{host_root}/volumes/{m['name']}/_data",
                     f"{name}: {c['name']}: volume source is the host path ({host_root})")


def main():
    t = Tap()
    for name in EXPECT:
        t.run(check_root, name)
    t.done()


main()
