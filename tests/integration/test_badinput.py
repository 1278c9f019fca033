#!/usr/bin/env python3
"""Damaged and hostile evidence: each problem costs only its item, is named
on stderr with its file, and the run completes with exit status 3."""
import json
import os
import subprocess
import tempfile

from harness import Tap, csleuth, fixture, has_control

DAMAGE = {}  # container name -> (what, file fragment expected on stderr)


def cfg_path(root, cid):
    return os.path.join(root, "containers", cid, "config.v2.json")


def damaged_copy(tmp):
    src = fixture("overlay2")
    dst = os.path.join(tmp, "docker")
    subprocess.run(["cp", "-a", src, dst], check=True)
    return dst


def ids_by_name(root):
    out = {}
    for cid in os.listdir(os.path.join(root, "containers")):
        with open(cfg_path(root, cid)) as f:
            out[json.load(f)["Name"].lstrip("/")] = cid
    return out


def apply_damage(root):
    ids = ids_by_name(root)
    ld = os.path.join(root, "image", "overlay2", "layerdb", "mounts")
    # 1. missing mount-id
    os.unlink(os.path.join(ld, ids["exit0"], "mount-id"))
    DAMAGE["exit0"] = ("missing mount-id", f"layerdb/mounts/{ids['exit0']}/mount-id")
    # 2. truncated config.v2.json
    p = cfg_path(root, ids["exit3"])
    data = open(p, "rb").read()
    open(p, "wb").write(data[: len(data) // 2])
    DAMAGE["exit3"] = ("truncated config", f"containers/{ids['exit3']}/config.v2.json")
    # 3. unparseable config.v2.json
    open(cfg_path(root, ids["killed"]), "w").write("not json{")
    DAMAGE["killed"] = ("unparseable config", f"containers/{ids['killed']}/config.v2.json")
    # 4. a lower file naming a missing layer
    mid = open(os.path.join(ld, ids["changes"], "mount-id")).read().strip()
    lp = os.path.join(root, "overlay2", mid, "lower")
    parts = open(lp).read().strip().split(":")
    parts[1] = "l/NOSUCHLAYERLINK0000000000"
    open(lp, "w").write(":".join(parts))
    DAMAGE["changes"] = ("lower names a missing layer", f"overlay2/{mid}/lower")
    # 5. control characters and non-UTF-8 in a name and an image reference
    p = cfg_path(root, ids["renamed"])
    raw = open(p, "rb").read()
    raw = raw.replace(b'"Name":"/renamed"', b'"Name":"/evil\\u001b[31mname\\nline2"')
    raw = raw.replace(b'"Image":"csx/base:1"', b'"Image":"csx/base:\xff\x1b]0;owned\x07"')
    open(p, "wb").write(raw)
    # 6. unparseable hostconfig.json
    open(os.path.join(root, "containers", ids["vols"], "hostconfig.json"), "w").write("{\"Binds\": [")
    DAMAGE["vols"] = ("unparseable hostconfig", f"containers/{ids['vols']}/hostconfig.json")
    # 7. config.v2.json replaced by a symlink out of the evidence
    p = cfg_path(root, ids["logs-json"])
    os.unlink(p)
    os.symlink("/etc/passwd", p)
    DAMAGE["logs-json"] = ("config symlinked out of the evidence",
                           f"containers/{ids['logs-json']}/config.v2.json")
    # 8. an invalid time
    p = cfg_path(root, ids["logs-local"])
    cfg = json.load(open(p))
    cfg["State"]["StartedAt"] = "yesterday at noon"
    json.dump(cfg, open(p, "w"))
    DAMAGE["logs-local"] = ("invalid StartedAt", f"containers/{ids['logs-local']}/config.v2.json")
    # 9. an oversized lower file (bounded read)
    mid = open(os.path.join(ld, ids["rich"], "mount-id")).read().strip()
    with open(os.path.join(root, "overlay2", mid, "lower"), "w") as f:
        f.write("l/" + "A" * (2 << 20))
    DAMAGE["rich"] = ("oversized lower file", f"overlay2/{mid}/lower")
    # 10. a FIFO instead of hostconfig.json (must not block)
    p = os.path.join(root, "containers", ids["created-only"], "hostconfig.json")
    os.unlink(p)
    os.mkfifo(p)
    DAMAGE["created-only"] = ("hostconfig is a FIFO", f"containers/{ids['created-only']}/hostconfig.json")
    # 11. a stray directory in containers/
    os.mkdir(os.path.join(root, "containers", "not-a-container"))
    # 12. repositories.json naming a missing image
    rp = os.path.join(root, "image", "overlay2", "repositories.json")
    repos = json.load(open(rp))
    repos["Repositories"]["ghost"] = {"ghost:1": "sha256:" + "0" * 64}
    json.dump(repos, open(rp, "w"))
    # 13. an image config changed after the engine wrote it
    cdir = os.path.join(root, "image", "overlay2", "imagedb", "content", "sha256")
    victim = sorted(os.listdir(cdir))[0]
    with open(os.path.join(cdir, victim), "a") as f:
        f.write(" ")
    return ids, victim


def check(t, tmp):
    root = damaged_copy(tmp)
    ids, victim = apply_damage(root)
    rc, out, err = csleuth("--root", root, "ps", "--json", "--check")
    errs = err.decode("utf-8", "replace")
    t.eq(rc, 3, "ps --check on damaged evidence exits 3 (completed with warnings)")
    ps = json.loads(out.decode("utf-8"))
    t.eq(len(ps), len(ids), "every container is still listed")
    by_id = {c["id"]: c for c in ps}
    for name, (what, frag) in DAMAGE.items():
        c = by_id.get(ids[name])
        t.ok(c is not None, f"{what}: the container is listed")
        if name != "logs-local":
            t.ok(c and c["incomplete"], f"{what}: the container is flagged incomplete")
        t.ok(frag in errs, f"{what}: stderr names {frag}", errs)
        t.ok(c and any(frag in (p["file"] or "") for p in c["problems"]),
             f"{what}: the item's problems name the file")
    t.eq(by_id[ids["logs-local"]]["started_at"], None, "an invalid time becomes null, not a made-up time")
    check_lazy(t, root, ids, ps)
    healthy = [c for c in ps if c["id"] not in {ids[n] for n in DAMAGE} and c["id"] != ids["renamed"]]
    t.ok(healthy and all(not c["incomplete"] for c in healthy), "undamaged containers stay complete")
    t.ok("containers/not-a-container" in errs, "a stray directory is reported")
    t.ok("root:" not in errs and "root:x:0:0" not in out.decode("utf-8", "replace"),
         "the host's /etc/passwd was never read")
    # names with control characters
    ev = by_id[ids["renamed"]]
    t.eq(ev["name"], "evil\x1b[31mname\nline2", "JSON keeps the exact name (escaped by JSON)")
    t.ok("\ufffd" in ev["image"], "invalid UTF-8 becomes U+FFFD in JSON")
    rc, table, err2 = csleuth("--root", root, "ps")
    t.eq(rc, 3, "table ps also exits 3")
    t.ok(not has_control(table), "no raw control character reaches the table", table[:300])
    t.ok(not has_control(err2), "no raw control character reaches stderr")
    rc, table, _ = csleuth("--root", root, "ps", "--no-trunc")
    t.ok(b"evil\\x1b[31mname\\nline2" in table and not has_control(table), "the name is shown escaped")
    # images: the ghost tag and the modified config
    rc, out, err = csleuth("--root", root, "images", "--json")
    ims = json.loads(out)
    ghost = [i for i in ims if "ghost:1" in i["tags"]]
    t.ok(len(ghost) == 1 and ghost[0]["incomplete"], "a tag naming a missing image is kept as incomplete")
    t.ok(b"repositories.json" in err and b"ghost:1" in err, "the dangling tag is reported with its file")
    t.ok(f"sha256:{victim}".encode() in err and b"changed after the engine wrote it" in err,
         "a modified image config is detected")
    n_configs = len(os.listdir(os.path.join(root, "image", "overlay2", "imagedb", "content", "sha256")))
    t.eq(len(ims), n_configs + 1, "every image is still listed, plus the dangling tag's placeholder")
    # inspect and history still work on a damaged item
    rc, out, _ = csleuth("--root", root, "inspect", ids["exit3"])
    ins = json.loads(out)
    t.ok(rc == 3 and ins[0]["Id"] == ids["exit3"] and ins[0]["Csleuth"]["Incomplete"],
         "inspect shows a truncated container as incomplete")
    rc, out, err = csleuth("-q", "--root", root, "ps")
    t.ok(rc == 3 and err == b"", "-q (--no-warnings) prints no warning and still exits 3", err)
    rc, out, err = csleuth("--root", root, "ps", "--no-warnings")
    t.ok(rc == 3 and err == b"", "--no-warnings after the command name works too", err)
    check_scope(t, root, ids)


LAYER_DAMAGE = ("changes", "rich")  # found only by reading the layer stack


def check_lazy(t, root, ids, full):
    """Without --check, ps reads each container's own files only: what its
    listing shows, and the damage of those files, is as with --check; the
    layer stacks' damage is left to check, which reports all of it."""
    rc, out, err = csleuth("--root", root, "ps", "--json")
    lazy = {c["id"]: c for c in json.loads(out)}
    errs = err.decode("utf-8", "replace")
    t.eq(rc, 3, "ps (listing only) on damaged evidence exits 3")
    same = ("name", "image", "image_id", "command", "state", "exit_code", "created", "started_at", "finished_at",
            "mount_id", "log_driver", "mounts", "labels")
    t.ok(all(lazy[c["id"]][k] == c[k] for c in full for k in same),
         "ps lists every container with the same fields as ps --check")
    for name, (what, frag) in DAMAGE.items():
        if name in LAYER_DAMAGE:
            t.ok(frag not in errs and not lazy[ids[name]]["incomplete"],
                 f"{what}: a listing does not read the layer stack", errs)
        else:
            t.ok(frag in errs and any(frag in (p["file"] or "") for p in lazy[ids[name]]["problems"]),
                 f"{what}: named by a listing too", errs)
    rc, out, err = csleuth("--root", root, "check")
    errs = err.decode("utf-8", "replace")
    t.ok(rc == 3 and all(frag in errs for what, frag in DAMAGE.values()),
         "check reads everything and names every damaged file", errs)
    row = [ln.split() for ln in out.decode().splitlines()[1:]]
    t.ok(len(row) == 1 and row[0][0] == "docker" and row[0][1] == str(len(full))
         and row[0][2] == str(sum(1 for c in full if c["incomplete"] or c["problems"])),
         "check counts the containers and the damaged ones", out)
    rc, out, err = csleuth("--root", fixture("overlay2"), "check", "--json")
    t.ok(rc == 0 and json.loads(out)[0]["damaged_containers"] == 0 and err.count(b"warning") == 0,
         "check of intact evidence exits 0 and counts no damage", err)


def check_scope(t, root, ids):
    """A command's exit status and warnings cover only what it reports."""
    rc, out, err = csleuth("--root", root, "diff", "powercut")
    errs = err.decode("utf-8", "replace")
    t.eq(rc, 0, "diff of an intact container exits 0 although other items are damaged")
    t.ok(out.startswith(b"C /tmp") or b"/tmp/ticks.log" in out, "and prints its changes", out[:200])
    t.ok("warning:" not in errs, "no warning about unrelated items", errs)
    lines = [ln for ln in errs.splitlines() if ln]
    n = len(DAMAGE)
    t.ok(len(lines) == 1 and f"{n} other containers" in lines[0] and "image" in lines[0]
         and "see csleuth ps" in lines[0], f"one summary line counts the {n} damaged containers and the images", errs)
    rc, out, err = csleuth("--root", root, "inspect", ids["exit3"])
    errs = err.decode("utf-8", "replace")
    t.ok(rc == 3 and f"containers/{ids['exit3']}/config.v2.json" in errs
         and f"containers/{ids['killed']}/config.v2.json" not in errs,
         "inspect of a damaged container warns about that container only, and exits 3", errs)
    rc, out, err = csleuth("--root", root, "ps", "--filter", "name=powercut")
    errs = err.decode("utf-8", "replace")
    t.ok(rc == 0 and "warning:" not in errs and b"powercut" in out,
         "ps filtered to an intact container exits 0", errs)


def check_long_names(t, tmp):
    """Names longer than the JSON scanner's 255-byte member-name buffer are
    kept whole: a mount destination (a MountPoints key) and a label."""
    root = os.path.join(tmp, "long")
    subprocess.run(["cp", "-a", fixture("overlay2"), root], check=True)
    cid = ids_by_name(root)["vols"]
    dest = "/" + "/".join(["d" * 60] * 6)
    key = "org.example." + "k" * 290
    with open(cfg_path(root, cid)) as f:
        cfg = json.load(f)
    cfg["MountPoints"][dest] = {"Source": "/srv/long", "RW": True, "Name": "", "Driver": "",
                                "Type": "bind", "Propagation": "rprivate", "Spec": {}}
    cfg["Config"].setdefault("Labels", {})[key] = "v"
    with open(cfg_path(root, cid), "w") as f:
        json.dump(cfg, f)
    rc, out, err = csleuth("--root", root, "ps", "--json", "--no-trunc")
    p = [x for x in json.loads(out) if x["id"] == cid][0] if rc in (0, 3) else {}
    t.ok(any(m["destination"] == dest for m in p.get("mounts", [])),
         f"a {len(dest)}-byte mount destination is kept whole", [m["destination"] for m in p.get("mounts", [])])
    t.eq(p.get("labels", {}).get(key), "v", f"a {len(key)}-byte label key is kept whole")


def check_not_a_root(t, tmp):
    rc, _, err = csleuth("--root", os.path.join(tmp, "nonexistent"), "ps")
    t.ok(rc == 1 and b"nonexistent" in err, "a missing data root fails with exit 1 and names it")
    empty = os.path.join(tmp, "empty")
    os.mkdir(empty)
    rc, _, err = csleuth("--root", empty, "ps")
    t.ok(rc == 1 and b"does not look like a Docker data root" in err, "a non-data-root is refused")


def main():
    t = Tap()
    if os.geteuid() != 0:
        t.skip("unpacking the fixture needs root (device nodes, trusted.* xattrs)")
        t.done()
    with tempfile.TemporaryDirectory() as tmp:
        t.run(check, tmp)
        t.run(check_not_a_root, tmp)
        t.run(check_long_names, tmp)
    t.done()


main()
