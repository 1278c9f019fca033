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


def main():
    t = Tap()
    if os.geteuid() != 0:
        t.skip("unpacking the fixture needs root (device nodes, trusted.* xattrs)")
        t.done()
    with tempfile.TemporaryDirectory() as tmp:
        t.run(check_repositories, tmp)
    t.done()


main()
