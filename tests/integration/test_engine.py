#!/usr/bin/env python3
"""csleuth against the real Docker Engine's own record of the fixtures.

testdata/docker/<record>/ holds what the engine said while it ran (the
Engine API's container and image lists, docker inspect, docker image
inspect, image history); the evidence is the same engine's data root after
a simulated power cut. Every field is compared.
"""
import json
import os

from harness import SRC, Tap, csleuth, csleuth_json, engine_record, fixture

FIXTURES = [("overlay2", "engine"), ("overlay", "engine-overlay")]


def ns_to_unix(t):
    """Our RFC 3339 nanosecond string -> Unix seconds (as the API reports)."""
    import calendar
    base = t.split(".")[0].rstrip("Z")
    return calendar.timegm(__import__("time").strptime(base, "%Y-%m-%dT%H:%M:%S"))


def check_ps(t, root, rec, tag):
    api = engine_record(rec, "containers-api.json")
    rc, ps, err = csleuth_json("--root", root, "ps", "--json")
    t.eq(rc, 0, f"{tag}: ps exits 0")
    t.eq(err, b"", f"{tag}: ps prints no warning")
    t.eq(sorted(c["id"] for c in ps), sorted(a["Id"] for a in api), f"{tag}: the same containers")
    by_id = {c["id"]: c for c in ps}
    for a in api:
        c = by_id.get(a["Id"])
        if not c:
            continue
        name = a["Names"][0].lstrip("/")
        got = (c["name"], c["image"], c["image_id"], c["state"], c["command"], ns_to_unix(c["created"]))
        want = (name, a["Image"], a["ImageID"], a["State"], a["Command"], a["Created"])
        t.eq(got, want, f"{tag}: {name}: name, image, image id, state, command, created")


def mounts_key(m):
    return m["Destination"]


def check_inspect(t, root, rec, tag):
    want_all = engine_record(rec, "inspect-containers.json")
    rc, got_all, _ = csleuth_json("--root", root, "inspect", *[w["Id"] for w in want_all])
    t.eq(rc, 0, f"{tag}: inspect exits 0")
    for want, got in zip(want_all, got_all):
        name = want["Name"]
        for key in want:
            w, g = want[key], got.get(key)
            if key == "Mounts":
                w, g = sorted(w, key=mounts_key), sorted(g or [], key=mounts_key)
            t.eq(g, w, f"{tag}: {name}: inspect {key}")
        src = got["Csleuth"]["Sources"]
        t.ok(src["Config"].endswith(f"containers/{want['Id']}/config.v2.json")
             and src["HostConfig"].endswith("hostconfig.json"),
             f"{tag}: {name}: Csleuth.Sources names the config files")
        t.ok(os.path.exists(os.path.join(root, src["Config"])), f"{tag}: {name}: the named file exists")


def check_images(t, root, rec, tag):
    want_all = engine_record(rec, "inspect-images.json")
    rc, got_all, _ = csleuth_json("--root", root, "inspect", "--type", "image", *[w["Id"] for w in want_all])
    t.eq(rc, 0, f"{tag}: image inspect exits 0")
    for want, got in zip(want_all, got_all):
        label = (want["RepoTags"] or [want["Id"][:19]])[0]
        for key in want:
            t.eq(got.get(key), want[key], f"{tag}: {label}: image inspect {key}")
    api = engine_record(rec, "images-api.json")
    rc, imgs, _ = csleuth_json("--root", root, "images", "--json")
    by_id = {i["id"]: i for i in imgs}
    t.eq(sorted(by_id), sorted(a["Id"] for a in api), f"{tag}: images lists every image, untagged ones too")
    for a in api:
        i = by_id.get(a["Id"], {})
        got = (sorted(i.get("tags", [])), sorted(i.get("digests", [])), i.get("size"),
               i.get("parent") or "", ns_to_unix(i["created"]) if i else None)
        # the list API writes "<none>:<none>" / "<none>@<none>" for untagged images
        tags = [x for x in a["RepoTags"] or [] if x != "<none>:<none>"]
        digests = [x for x in a["RepoDigests"] or [] if x != "<none>@<none>"]
        want = (sorted(tags), sorted(digests), a["Size"], a["ParentId"], a["Created"])
        t.eq(got, want, f"{tag}: {a['Id'][:19]}: tags, digests, size, parent, created")


def check_history(t, root, rec, tag):
    hdir = os.path.join(SRC, "testdata", "docker", rec, "history")
    files = sorted(f for f in os.listdir(hdir) if f.endswith(".json") and not f.endswith(".cli.json"))
    t.ok(len(files) > 0, f"{tag}: history records exist")
    for f in files:
        want = engine_record(rec, "history", f)
        rc, got, _ = csleuth_json("--root", root, "history", "--json", want[0]["Id"])
        t.eq(rc, 0, f"{tag}: history {f} exits 0")
        g = [(h["id"], ns_to_unix(h["created"]), h["created_by"], h["size"], h["comment"]) for h in got]
        w = [(h["Id"], h["Created"], h["CreatedBy"], h["Size"], h["Comment"]) for h in want]
        t.eq(g, w, f"{tag}: history {f}: id, created, created by, size, comment of every step")


def check_lookup(t, root, rec, tag):
    want_all = engine_record(rec, "inspect-containers.json")
    for w in want_all[:3]:
        for q in (w["Id"], w["Id"][:12], w["Name"], w["Name"].lstrip("/")):
            rc, got, _ = csleuth_json("--root", root, "inspect", q)
            t.ok(rc == 0 and got[0]["Id"] == w["Id"], f"{tag}: `{q[:20]}` finds {w['Name']}")


def main():
    t = Tap()
    if os.geteuid() != 0:
        t.skip("unpacking the fixtures needs root (device nodes, trusted.* xattrs)")
        t.done()
    for fx, rec in FIXTURES:
        if not os.path.exists(os.path.join(SRC, "testdata", "docker", fx + ".tar.xz")):
            t.skip(f"{fx}: fixture absent")
            continue
        root = fixture(fx)
        for fn in (check_ps, check_inspect, check_images, check_history, check_lookup):
            t.run(fn, root, rec, fx)
    t.done()


main()
