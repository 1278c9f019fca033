#!/usr/bin/env python3
"""Hostile evidence: sizes and shapes the engine never writes but an
attacker can. Each check compares csleuth's reading with what the evidence
says (Python's own reading of the same files) and with the messages it must
give; time and memory bounds are checked by bench/bench-hostile.sh, not here.
"""
import collections
import hashlib
import json
import os
import re
import subprocess
import tempfile

from harness import Tap, csleuth, engine_record, fixture


def copy_fixture(tmp, name):
    dst = os.path.join(tmp, name)
    subprocess.run(["cp", "-a", fixture("overlay2"), dst], check=True)
    return dst


def check_repositories(t, tmp):
    """Thousands of tags on one image (with duplicates across repositories)
    and hundreds naming images that are not there: every reference is kept
    once, each missing image becomes one placeholder, and the warnings are
    listed up to a bound, then counted."""
    root = copy_fixture(tmp, "repos")
    scen = engine_record("engine", "scenario.json")
    img = scen["image:csx/base:1"]
    rp = os.path.join(root, "image", "overlay2", "repositories.json")
    repos = json.load(open(rp))
    for i in range(3000):
        repos["Repositories"].setdefault("many/r%d" % (i % 50), {})["many/r%d:t%d" % (i % 50, i)] = img
    # the same reference under a second repository: one tag, not two
    repos["Repositories"].setdefault("dup", {})["many/r0:t0"] = img
    for i in range(400):
        repos["Repositories"].setdefault("ghost", {})["ghost:g%d" % i] = (
            "sha256:" + hashlib.sha256(b"%d" % i).hexdigest())
    repos["Repositories"]["ghost"]["ghost@sha256:" + "a" * 64] = "sha256:" + hashlib.sha256(b"0").hexdigest()
    with open(rp, "w") as f:
        json.dump(repos, f)
    # the oracle: Python's reading of the file
    want = collections.defaultdict(set)
    for refs in repos["Repositories"].values():
        for ref, iid in refs.items():
            want[iid].add(ref)
    rc, out, err = csleuth("--root", root, "images", "--json")
    ims = {i["id"]: i for i in json.loads(out)}
    bad = [iid for iid, refs in want.items()
           if iid not in ims or set(ims[iid]["tags"]) | set(ims[iid].get("digests") or []) != refs
           or len(ims[iid]["tags"]) != len(set(ims[iid]["tags"]))]
    t.ok(not bad, f"{sum(map(len, want.values()))} references on {len(want)} images: each kept once",
         [(iid, sorted(want[iid] ^ set(ims.get(iid, {}).get("tags", [])))[:5]) for iid in bad[:5]])
    ghosts = [i for i in ims.values() if i["incomplete"] and any(x.startswith("ghost") for x in
                                                                  i["tags"] + (i.get("digests") or []))]
    t.eq(len(ghosts), 400, "400 missing images: 400 incomplete placeholders")
    lines = [x for x in err.decode().splitlines() if "whose config is missing" in x]
    t.ok(rc == 3 and len(lines) == 100 and b"300 more problems in this file are not listed" in err,
         "warnings about them: 100 listed, the rest counted", err[-600:])


def check_legacy_chain(t, tmp):
    """A pre-1.10 graph/ of 800 images, each the parent of the next: every
    image lists its whole chain, so the chains are bounded in all (the
    first 700 or so are read whole, the rest flagged), and tags on them are
    read as the file says."""
    root = os.path.join(tmp, "legacy", "docker")
    ids = [hashlib.sha256(b"legacy %d" % i).hexdigest() for i in range(800)]
    for i, iid in enumerate(ids):
        d = os.path.join(root, "graph", iid)
        os.makedirs(d)
        j = {"id": iid, "created": "2015-01-01T00:00:%02dZ" % (i % 60),
             "container_config": {"Cmd": ["/bin/sh", "-c", "step %d" % i]}}
        if i:
            j["parent"] = ids[i - 1]
        with open(os.path.join(d, "json"), "w") as f:
            json.dump(j, f)
        with open(os.path.join(d, "layersize"), "w") as f:
            f.write("1")
    os.makedirs(os.path.join(root, "aufs", "diff"))
    tags = {"chain": {"t%d" % i: ids[i] for i in range(0, 800, 2)}}
    tags["chain"]["gone"] = "f" * 64
    with open(os.path.join(root, "repositories-aufs"), "w") as f:
        json.dump({"Repositories": tags}, f)
    rc, out, err = csleuth("--root", root, "images", "--json")
    ims = {i["id"]: i for i in json.loads(out)}
    t.eq(len(ims), 800, "800 legacy images listed")
    whole = [i for i in ids if not ims[i]["incomplete"]]
    t.ok(500 <= len(whole) < 800 and b"parent chains hold more than 262144 entries" in err,
         f"the chains are bounded in all ({len(whole)} read whole), with one warning", err[-400:])
    t.ok(all(ims[ids[i]]["tags"] == ["chain:t%d" % i] for i in range(0, 800, 2))
         and b"chain:gone" in err, "400 tags read as the file says; a missing image is named")
    rc, out, err = csleuth("--root", root, "history", "--json", ids[100])
    h = json.loads(out)
    t.ok(len(h) == 101 and "step 100" in h[0]["created_by"] and "step 0" in h[-1]["created_by"],
         "a chain read whole is the image's history, newest first")


PATH_TOKEN = re.compile(r"[A-Za-z0-9_.:@+-]+(?:/[A-Za-z0-9_.:@+-]+)+")


def named_twice(err):
    """Warning lines that name one path more than once."""
    out = []
    for line in err.decode("utf-8", "replace").splitlines():
        c = collections.Counter(PATH_TOKEN.findall(line))
        if any(n > 1 for n in c.values()):
            out.append(line)
    return out


def mount_id(root, cid):
    with open(os.path.join(root, "image", "overlay2", "layerdb", "mounts", cid, "mount-id")) as f:
        return f.read().strip()


def check_plumbing(t, tmp):
    """Tampered layer plumbing is noted: an overlay2/l/ link pointing
    elsewhere than ../<id>/diff (the layer is then found through the link
    files, as the engine's records say), and a layer directory that is
    itself a symbolic link (diff -> / would make the whole data root look
    added)."""
    root = copy_fixture(tmp, "plumbing")
    scen = engine_record("engine", "scenario.json")
    rc0, diff0, _ = csleuth("--root", root, "diff", "changes")
    # 1. an l/ link of a layer of `changes` pointed elsewhere
    mid = mount_id(root, scen["container:changes"])
    short = open(os.path.join(root, "overlay2", mid, "lower")).read().split(":")[1][2:]
    lnk = os.path.join(root, "overlay2", "l", short)
    target = os.readlink(lnk)
    os.unlink(lnk)
    os.symlink("../../containers", lnk)
    # 2. the container layer of `exit0` replaced by a link to the root
    mid2 = mount_id(root, scen["container:exit0"])
    d = os.path.join(root, "overlay2", mid2, "diff")
    subprocess.run(["rm", "-rf", d], check=True)
    os.symlink("/", d)
    rc, out, err = csleuth("--root", root, "ps", "--json", "--check")
    ps = {c["id"]: c for c in json.loads(out)}
    errs = err.decode()
    t.ok(f"`overlay2/l/{short}` points to `../../containers`, not to `../<layer>/diff`" in errs
         and f"taken from overlay2/{target[3:-5]}/link" in errs,
         "an l/ link pointing elsewhere is noted, and the layer found through the link files",
         errs[:2000])
    rc, diff1, _ = csleuth("--root", root, "diff", "changes")
    t.ok(diff1 == diff0 and diff0, "... so `diff` of its container is what it was")
    c = ps[scen["container:exit0"]]
    t.ok(f"overlay2/{mid2}/diff` is a symbolic link (to `/`)" in errs
         and any("symbolic link" in p["message"] for p in c["problems"]),
         "a layer directory that is a symbolic link is noted on its container", errs[:2000])
    t.eq(named_twice(err), [], "no message names its file twice")


def check_names_once(t, tmp):
    """Each message names its file once: damaged files whose error already
    carried the path were named again by their caller."""
    errs = b""
    # the legacy overlay driver's lower-id, missing
    root = os.path.join(tmp, "ov")
    subprocess.run(["cp", "-a", fixture("overlay"), root], check=True)
    scen = engine_record("engine-overlay", "scenario.json")
    cid = scen["container:changes"]
    with open(os.path.join(root, "image", "overlay", "layerdb", "mounts", cid, "mount-id")) as f:
        mid = f.read().strip()
    os.unlink(os.path.join(root, "overlay", mid, "lower-id"))
    rc, _, err = csleuth("--root", root, "check")
    t.ok(f"overlay/{mid}/lower-id".encode() in err, "a missing lower-id is reported", err)
    errs += err
    # repositories.json that is not JSON
    root2 = copy_fixture(tmp, "names")
    with open(os.path.join(root2, "image", "overlay2", "repositories.json"), "w") as f:
        f.write("{not json")
    rc, _, err = csleuth("--root", root2, "images")
    t.ok(b"repositories.json" in err and b"tags and digests are unknown" in err,
         "a broken repositories.json is reported", err)
    errs += err
    # a legacy repositories file that is not JSON
    legacy = os.path.join(tmp, "legacy2", "docker")
    os.makedirs(os.path.join(legacy, "graph"))
    os.makedirs(os.path.join(legacy, "aufs"))
    with open(os.path.join(legacy, "repositories-aufs"), "w") as f:
        f.write("[")
    rc, _, err = csleuth("--root", legacy, "images")
    t.ok(b"repositories-aufs" in err and b"tags are unknown" in err,
         "a broken legacy repositories file is reported", err)
    errs += err
    t.eq(named_twice(errs), [], "no message names its file twice")


def main():
    t = Tap()
    if os.geteuid() != 0:
        t.skip("unpacking the fixture needs root (device nodes, trusted.* xattrs)")
        t.done()
    with tempfile.TemporaryDirectory() as tmp:
        t.run(check_repositories, tmp)
        t.run(check_legacy_chain, tmp)
        t.run(check_plumbing, tmp)
        t.run(check_names_once, tmp)
    t.done()


main()
