#!/usr/bin/env python3
"""Valid engine JSON is never refused: `null` or a value of another type in
any member the container readers descend into costs that member only.

Docker writes `"Log": null` in State.Health before a container's first
health probe has finished (Go encodes a nil slice as null), and null for
other unset slices, maps and pointers. Each variant below is a copy of the
running `powercut` container (config.v2.json, hostconfig.json and its
layerdb mount record) under a new id and name, with one member replaced.
What csleuth lists is compared with what Python's strict JSON parser (the
oracle) reads from the same file: the name, image, creation and state of
every variant must come out as the file says, with no "invalid JSON"."""
import hashlib
import json
import os
import subprocess
import tempfile

from harness import Tap, csleuth, engine_record, fixture

NULLS = [None, 5, "x", [], {}]


def variants():
    """(label, file, path, value): path is a list of keys/indexes."""
    out = []
    cfg_members = [
        ["State"], ["State", "Health"], ["State", "Health", "Log"], ["State", "Health", "Log", 0],
        ["State", "Health", "Status"], ["State", "Health", "FailingStreak"],
        ["State", "StartedAt"], ["State", "FinishedAt"], ["State", "Running"], ["State", "Pid"],
        ["State", "Error"], ["Config"], ["Config", "Image"], ["Args"], ["Args", 0],
        ["MountPoints"], ["MountPoints", "/data"], ["MountPoints", "/data", "Source"],
        ["Volumes"], ["VolumesRW"], ["Name"], ["Created"], ["Image"], ["Driver"], ["Path"],
        ["LogPath"], ["RestartCount"], ["HasBeenStartedBefore"], ["Platform"],
    ]
    for m in cfg_members:
        for v in NULLS:
            out.append(("config.v2.json " + ".".join(map(str, m)) + " = " + json.dumps(v),
                        "config.v2.json", m, v))
    hc_members = [["LogConfig"], ["LogConfig", "Type"], ["LogConfig", "Config"],
                  ["LogConfig", "Config", "max-file"]]
    for m in hc_members:
        for v in NULLS:
            out.append(("hostconfig.json " + ".".join(map(str, m)) + " = " + json.dumps(v),
                        "hostconfig.json", m, v))
    return out


HEALTH = {"Status": "starting", "FailingStreak": 0,
          "Log": [{"Start": "2026-11-23T14:58:10.1Z", "End": "2026-11-23T14:58:10.2Z",
                   "ExitCode": 0, "Output": "ok\n"}]}
MOUNT = {"Source": "", "Destination": "/data", "RW": True, "Name": "csxdata", "Driver": "local",
         "Type": "volume", "Relabel": "z", "Propagation": ""}


def put(doc, path, value):
    """Sets doc[path] = value, creating the objects (and the health entry) on the way."""
    cur = doc
    for i, k in enumerate(path[:-1]):
        nxt = path[i + 1]
        if isinstance(cur, list):
            cur = cur[k]
            continue
        if not isinstance(cur.get(k), (dict, list)):
            cur[k] = [] if isinstance(nxt, int) else {}
        cur = cur[k]
    if isinstance(cur, list):
        while len(cur) <= path[-1]:
            cur.append(None)
    cur[path[-1]] = value


def make(root, base_id, n, file, path, value):
    cdir = os.path.join(root, "containers")
    new_id = hashlib.sha256(f"variant {n}".encode()).hexdigest()
    src = os.path.join(cdir, base_id)
    dst = os.path.join(cdir, new_id)
    subprocess.run(["cp", "-a", src, dst], check=True)  # logs and all
    cfg = json.load(open(os.path.join(src, "config.v2.json")))
    hc = json.load(open(os.path.join(src, "hostconfig.json")))
    cfg["ID"] = new_id
    cfg["Name"] = f"/v{n}"
    # every variant has a health check and a volume, so those members exist
    cfg["State"]["Health"] = json.loads(json.dumps(HEALTH))
    cfg.setdefault("MountPoints", {})["/data"] = dict(MOUNT)
    put(cfg if file == "config.v2.json" else hc, path, value)
    with open(os.path.join(dst, "config.v2.json"), "w") as f:
        json.dump(cfg, f)
    with open(os.path.join(dst, "hostconfig.json"), "w") as f:
        json.dump(hc, f)
    ld = os.path.join(root, "image", "overlay2", "layerdb", "mounts")
    subprocess.run(["cp", "-a", os.path.join(ld, base_id), os.path.join(ld, new_id)], check=True)
    return new_id, cfg, hc


def original(doc, path):
    """The fixture's value at path (with the health entry and volume every variant gets)."""
    doc = json.loads(json.dumps(doc))
    if "State" in doc:
        doc["State"]["Health"] = json.loads(json.dumps(HEALTH))
        doc.setdefault("MountPoints", {})["/data"] = dict(MOUNT)
    for k in path:
        try:
            doc = doc[k]
        except (KeyError, IndexError, TypeError):
            return None
    return doc


def s(v):
    return v if isinstance(v, str) else None


def expect(cfg):
    """What the listing must say, read by the oracle from the variant's file."""
    st = cfg.get("State") if isinstance(cfg.get("State"), dict) else None
    name = s(cfg.get("Name"))
    health = None
    if st is not None and isinstance(st.get("Health"), dict):
        health = s(st["Health"].get("Status")) or ""
    return {
        "name": name[1:] if name and name.startswith("/") else name,
        "image_id": s(cfg.get("Image")),
        "created": s(cfg.get("Created")),
        "state": "running" if st is not None and st.get("Running") is True else None,
        "health": health,
    }


def norm_time(t):
    """RFC 3339 with any fraction -> (seconds part, fraction digits without trailing zeros)."""
    if t is None:
        return None
    head, _, frac = t.rstrip("Z").partition(".")
    return head, frac.rstrip("0")


def check(t, tmp):
    root = os.path.join(tmp, "docker")
    subprocess.run(["cp", "-a", fixture("overlay2"), root], check=True)
    scen = engine_record("engine", "scenario.json")
    base = scen["container:powercut"]
    made = {}
    cfg0 = json.load(open(os.path.join(root, "containers", base, "config.v2.json")))
    hc0 = json.load(open(os.path.join(root, "containers", base, "hostconfig.json")))
    for n, (label, file, path, value) in enumerate(variants()):
        if type(value) is type(original(cfg0 if file == "config.v2.json" else hc0, path)):
            continue  # not another type: nothing to test
        cid, cfg, hc = make(root, base, n, file, path, value)
        made[cid] = (label, cfg, hc, path)
    rc, out, err = csleuth("--root", root, "ps", "--json")
    ps = {c["id"]: c for c in json.loads(out)}
    errs = err.decode("utf-8", "replace")
    t.ok("invalid JSON" not in errs and "truncated JSON" not in errs,
         "no valid file is called invalid or truncated JSON", errs[:3000])
    bad = []
    for cid, (label, cfg, hc, path) in made.items():
        c = ps.get(cid)
        if c is None:
            bad.append(f"{label}: not listed")
            continue
        want = expect(cfg)
        got = {"name": c["name"], "image_id": c["image_id"], "created": c["created"],
               "state": "running" if c["state"] == "running" else None, "health": c["health"]}
        if norm_time(got["created"]) != norm_time(want["created"]) and want["created"] is not None:
            bad.append(f"{label}: created {got['created']} != {want['created']}")
        for k in ("name", "image_id", "state", "health"):
            if got[k] != want[k]:
                bad.append(f"{label}: {k} {got[k]!r} != {want[k]!r}")
        # only a missing State object makes the container incomplete
        state_gone = not isinstance(cfg.get("State"), dict)
        if c["incomplete"] != state_gone:
            bad.append(f"{label}: incomplete={c['incomplete']} problems={c['problems']}")
        if any("JSON" in (p["message"] or "") for p in c["problems"]):
            bad.append(f"{label}: {c['problems']}")
    t.ok(len(made) > 100 and not bad, f"{len(made)} variants (null and other types in "
         f"{len(set(tuple(x[3]) for x in made.values()))} members) read as the strict parser "
         "reads them", "\n".join(bad[:30]))

    # "Log": null is what Docker writes before the first probe finishes
    nulllog = [cid for cid, (label, *_rest) in made.items()
               if label == "config.v2.json State.Health.Log = null"][0]
    t.eq(ps[nulllog]["state"], "running", "Health.Log = null: the container is still running")
    t.eq(ps[nulllog]["name"], made[nulllog][1]["Name"][1:], "Health.Log = null: the name is read")
    rc, out, err = csleuth("--root", root, "ps", "--json", "--no-trunc")
    by_name = {c["name"]: c for c in json.loads(out)}
    t.ok(made[nulllog][1]["Name"][1:] in by_name, "Health.Log = null: found by name")

    # LogConfig = null: no driver recorded; `logs` reads json-file, the default
    lc = [cid for cid, (label, *_rest) in made.items()
          if label == "hostconfig.json LogConfig = null"][0]
    t.eq(ps[lc]["log_driver"], None, "LogConfig = null: no log driver recorded")
    rc, out, err = csleuth("--root", root, "inspect", made[lc][1]["Name"])
    t.ok(rc in (0, 3) and json.loads(out)[0]["Id"] == lc, "LogConfig = null: inspect by name works",
         err[:500])
    rc, out, err = csleuth("--root", root, "logs", made[lc][1]["Name"][1:])
    rc0, out0, _ = csleuth("--root", root, "logs", "powercut")
    t.ok(rc in (0, 3) and out == out0 and b"tick 1\n" in out, "LogConfig = null: logs by name prints "
         "the json-file log", err[:500])


def check_health_dup(t, tmp):
    """A second "Health" member updates the first, as Go decodes it: its Log
    replaces the earlier entries (no leak, no phantom 1970 events)."""
    root = os.path.join(tmp, "dup")
    subprocess.run(["cp", "-a", fixture("overlay2"), root], check=True)
    scen = engine_record("engine", "scenario.json")
    base = scen["container:powercut"]
    p = os.path.join(root, "containers", base, "config.v2.json")
    raw = open(p, "rb").read()
    h1 = json.dumps({"Status": "healthy", "FailingStreak": 0,
                     "Log": [{"Start": "2026-11-23T14:58:08.1Z", "End": "2026-11-23T14:58:08.2Z",
                              "ExitCode": 0, "Output": "first"},
                             {"Start": "2026-11-23T14:58:09.1Z", "End": "2026-11-23T14:58:09.2Z",
                              "ExitCode": 0, "Output": "second"}]}).encode()
    h2 = json.dumps({"Status": "unhealthy",
                     "Log": [{"Start": "2026-11-23T14:58:11.1Z", "End": "2026-11-23T14:58:11.2Z",
                              "ExitCode": 1, "Output": "third"}]}).encode()
    assert raw.count(b'"Health":null') == 1
    raw = raw.replace(b'"Health":null', b'"Health":' + h1 + b',"Health":' + h2)
    open(p, "wb").write(raw)
    # the oracle: Python keeps the last duplicate, as Go does for the Log slice
    want = json.loads(raw)["State"]["Health"]
    rc, out, err = csleuth("--root", root, "timeline", "--format", "jsonl", "powercut")
    ev = [json.loads(x) for x in out.splitlines()]
    health = [e for e in ev if "health" in json.dumps(e).lower()]
    t.ok(rc == 0, "a duplicate Health member reads without a warning", err[:500])
    t.ok(not any("1970" in json.dumps(e) for e in ev), "no phantom 1970 event",
         [e for e in ev if "1970" in json.dumps(e)][:3])
    t.ok(len(health) >= len(want["Log"]) and any("third" in json.dumps(e) for e in health)
         and not any("first" in json.dumps(e) or "second" in json.dumps(e) for e in health),
         "only the last Log's entries become health events", health)
    rc, out, _ = csleuth("--root", root, "ps", "--json")
    c = [x for x in json.loads(out) if x["id"] == base][0]
    t.eq(c["health"], want["Status"], "the last Status wins")


def main():
    t = Tap()
    if os.geteuid() != 0:
        t.skip("unpacking the fixture needs root (device nodes, trusted.* xattrs)")
        t.done()
    with tempfile.TemporaryDirectory() as tmp:
        t.run(check, tmp)
        t.run(check_health_dup, tmp)
    t.done()


main()
