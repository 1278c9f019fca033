"""Podman and CRI-O (containers/storage) against what the real engine said:
testdata/podman/engine/ holds the records of a real Podman 4.3.1 taken
before the power cut that left sysroot.tar.xz (rootful store, user alice's
rootless fuse-overlayfs store, user bob's rootless vfs store; see
testdata/podman/README.md). Every id, name and time comes from
engine/scenario.json and the other records."""
import calendar
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from harness import BIN, CACHE, SRC, Tap, unpack_txz, csleuth, csleuth_json  # noqa: E402
from fsview import diff_records, walk_tar, walk_tree  # noqa: E402

ENG = os.path.join(SRC, "testdata", "podman", "engine")
STORES = {"root": None, "alice": "alice", "bob": "bob"}


def rec(*parts):
    with open(os.path.join(ENG, *parts), encoding="utf-8") as f:
        return json.load(f)


def unpack(name):
    return unpack_txz("fixture-podman-" + name, os.path.join(SRC, "testdata", "podman", name + ".tar.xz"))


def ns_time(s):
    """RFC 3339 (Z or +00:00, up to 9 digits) -> ns since the epoch."""
    m = re.match(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$", s)
    y, mo, d, h, mi, se, fr, tz = m.groups()
    secs = calendar.timegm((int(y), int(mo), int(d), int(h), int(mi), int(se)))
    if tz != "Z":
        sign = 1 if tz[0] == "+" else -1
        secs -= sign * (int(tz[1:3]) * 3600 + int(tz[4:6]) * 60)
    return secs * 10**9 + int((fr or "0").ljust(9, "0"))


def qualify(store, name, sc=None):
    if sc and name.startswith("k8s_"):
        cr = sc["crio_emulated"]
        return "cri-o:" + (cr["sandbox"]["id"] if name.startswith("k8s_POD_") else cr["container"]["id"])
    return f"podman:{store}/{name}" if STORES[store] else f"podman:{name}"


def test_ps(t, root, sc):
    rc, ps, err = csleuth_json("--sysroot", root, "ps", "--json")
    t.eq(rc, 0, "ps --sysroot exits 0 on the seized disk", )
    t.ok(b"warning" not in err, "no warnings", err)
    by = {(p["engine"], p["namespace"], p["id"]): p for p in ps}
    ins = {}
    for store in STORES:
        for i in rec(store, "inspect-containers.json"):
            ins[i["Id"]] = i
    for c in sc["containers"]:
        p = by.get(("podman", STORES[c["store"]], c["id"]))
        if not t.ok(p is not None, f"{c['store']}/{c['name']}: listed as podman, namespace {STORES[c['store']]}"):
            continue
        i = ins[c["id"]]
        want_state = "running" if c["running_at_cut"] else i["State"]["Status"]
        t.eq((p["name"], p["state"]), (c["name"], want_state), f"{c['name']}: name and state ({want_state})")
        if want_state == "exited":
            t.eq(p["exit_code"], i["State"]["ExitCode"], f"{c['name']}: exit code {i['State']['ExitCode']}")
        t.eq(ns_time(p["created"]), ns_time(i["Created"]), f"{c['name']}: created to the nanosecond")
        for k, v in (("started_at", "StartedAt"), ("finished_at", "FinishedAt")):
            want = None if i["State"][v].startswith("0001-") else ns_time(i["State"][v])
            t.eq(ns_time(p[k]) if p[k] else None, want, f"{c['name']}: {k}")
        if c["running_at_cut"]:
            t.eq(p["pid"], c["pid"], f"{c['name']}: the pid it had when the host went down")
        t.eq(p["image_id"], c["image_id"], f"{c['name']}: image id")
        if c["pod"]:
            t.ok(p["pod"] and p["pod"]["name"] == "webpod" and p["pod"]["uid"] == c["pod"],
                 f"{c['name']}: pod webpod", p["pod"])
        t.eq(p["log_driver"], c["log_driver"], f"{c['name']}: log driver {c['log_driver']}")
        t.eq(p["labels"], i["Config"]["Labels"] or {}, f"{c['name']}: labels as podman inspect gives them")
    # --filter label= over Podman's labels (dormant was created with --label)
    rc, o, _ = csleuth("--sysroot", root, "ps", "-a", "-q", "--no-trunc", "--filter", "label=org.example.case=CSX-7")
    want = sorted(c["id"] for c in sc["containers"] if (ins[c["id"]]["Config"]["Labels"] or {}).get(
        "org.example.case") == "CSX-7")
    t.ok(rc == 0 and sorted(o.decode().split()) == want and len(want) == 1,
         "ps --filter label=org.example.case=CSX-7 finds the container podman labelled so", o)
    # podman ps -a --external lists exactly what the stores hold
    for store, ns in STORES.items():
        want = {x["Id"] for x in rec(store, "ps-external.json")}
        got = {p["id"] for p in ps if p["namespace"] == ns}
        t.eq(got, want, f"{store}: the same containers as podman ps -a --external ({len(want)})")
    # the emulated CRI-O pod
    cr = sc["crio_emulated"]
    sb = by.get(("cri-o", None, cr["sandbox"]["id"]))
    ctn = by.get(("cri-o", None, cr["container"]["id"]))
    pod = {"name": cr["pod"]["name"], "namespace": cr["pod"]["namespace"], "uid": cr["pod"]["uid"]}
    t.ok(sb and sb["sandbox"] and sb["name"] == "web-0" and sb["pod"] == pod and sb["state"] == "unknown",
         "CRI-O sandbox: engine cri-o, the pod's name, its Kubernetes identity, state not on disk", sb)
    t.ok(ctn and not ctn["sandbox"] and ctn["name"] == "app" and ctn["pod"] == pod and
         ctn["sandbox_id"] == cr["sandbox"]["id"] and ctn["state"] == "unknown",
         "CRI-O container: its Kubernetes name (app), pod and sandbox", ctn)
    t.ok(ctn and ctn["labels"].get("io.kubernetes.container.name") == "app"
         and ctn["labels"].get("io.kubernetes.pod.uid") == cr["pod"]["uid"],
         "CRI-O container: its labels from the io.kubernetes.cri-o.Labels annotation", ctn and ctn["labels"])
    rc, sel, _ = csleuth_json("--sysroot", root, "ps", "--engine", "cri-o", "--json")
    t.eq(sorted(p["id"] for p in sel), sorted([cr["sandbox"]["id"], cr["container"]["id"]]), "--engine cri-o")
    rc, sel, _ = csleuth_json("--sysroot", root, "ps", "--namespace", "alice", "--json")
    t.ok(sel and all(p["namespace"] == "alice" for p in sel), "--namespace alice: alice's rootless store")
    # the NOTE column is in the wide table (ps -w)
    rc, out, err = csleuth("--sysroot", root, "ps", "--wide")
    t.ok(b"running when seized; upper may be torn" in out, "ps --wide: the volatile container running at the cut",
         out.decode())


def test_lookup(t, root, sc):
    alice = [c for c in sc["containers"] if c["name"] == "alice-app"][0]
    rc, ins, err = csleuth_json("--sysroot", root, "inspect", "podman:alice/alice-app")
    t.ok(rc == 0 and ins[0]["Id"] == alice["id"], "podman:alice/alice-app names user alice's container", err)
    rc, ins, err = csleuth_json("--sysroot", root, "inspect", "cri-o:app")
    t.ok(rc == 0 and ins[0]["Id"] == sc["crio_emulated"]["container"]["id"], "cri-o:app qualifies by engine", err)
    rc, _, err = csleuth("--sysroot", root, "inspect", "podman:bob/alice-app")
    t.eq(rc, 4, "podman:bob/alice-app: bob has no such container")


def test_images(t, root, sc):
    rc, ims, err = csleuth_json("--sysroot", root, "images", "--json")
    t.eq(rc, 0, "images exits 0")
    by = {(i["namespace"], i["id"]): i for i in ims}
    for store, ns in STORES.items():
        for w in rec(store, "images.json"):
            g = by.get((ns, w["Id"]))
            if not t.ok(g is not None, f"{store}: image {w['Id'][:12]} listed"):
                continue
            t.eq(sorted(g["tags"]), sorted(w.get("Names") or []), f"{store} {w['Id'][:12]}: names")
            t.eq(sorted(g["digests"]), sorted(w.get("RepoDigests") or []), f"{store} {w['Id'][:12]}: repo digests")
            t.eq(g["size"], w["Size"], f"{store} {w['Id'][:12]}: size (layers and big data)")
            t.eq(ns_time(g["created"]) // 10**9, w["Created"], f"{store} {w['Id'][:12]}: created")


def scrub(d):
    return json.loads(json.dumps(d))


def test_inspect(t, root, sc):
    fields = ["Id", "Created", "Path", "Args", "Image", "ImageDigest", "ImageName", "Pod", "ResolvConfPath",
              "HostnamePath", "HostsPath", "StaticDir", "OCIRuntime", "ConmonPidFile", "PidFile", "Name",
              "RestartCount", "Driver", "MountLabel", "ProcessLabel", "EffectiveCaps", "BoundingCaps", "ExecIDs",
              "GraphDriver", "Mounts", "Dependencies", "IsInfra", "IsService", "OCIConfigPath"]
    state = ["OciVersion", "Status", "Running", "Paused", "OOMKilled", "Pid", "ConmonPid", "ExitCode", "StartedAt",
             "FinishedAt", "CheckpointedAt", "RestoredAt"]
    config = ["Hostname", "User", "Env", "Cmd", "Image", "WorkingDir", "Entrypoint", "Labels", "Annotations",
              "StopSignal", "CreateCommand", "Umask", "StopTimeout", "Passwd"]
    host = ["Binds", "LogConfig", "RestartPolicy", "AutoRemove", "Privileged", "ShmSize", "CgroupManager"]
    for store in STORES:
        want_all = {i["Id"]: i for i in rec(store, "inspect-containers.json")}
        for i in rec(store, "powercut-inspect-before-kill.json"):
            want_all[i["Id"]] = i  # the running ones, an instant before the cut
        rc, got_all, err = csleuth_json("--sysroot", root, "inspect", *want_all.keys())
        t.eq(rc, 0, f"{store}: inspect of every container exits 0")
        for g in got_all:
            w = want_all[g["Id"]]
            name = w["Name"]
            diffs = [k for k in fields if k in w and scrub(g.get(k)) != w[k]]
            diffs += ["State." + k for k in state if k in w["State"] and g["State"].get(k) != w["State"][k]]
            diffs += ["Config." + k for k in config if k in w["Config"] and g["Config"].get(k) != w["Config"][k]]
            diffs += ["HostConfig." + k for k in host
                      if k in w["HostConfig"] and g["HostConfig"].get(k) != w["HostConfig"][k]]
            t.ok(not diffs, f"{store}/{name}: inspect equals podman inspect ({len(fields) + len(state) + len(config) + len(host)} fields)",
                 "\n".join(f"{k}: {json.dumps(g.get(k.split('.')[-1]) if '.' not in k else g[k.split('.')[0]].get(k.split('.')[1]))[:300]} != "
                           f"{json.dumps(w.get(k) if '.' not in k else w[k.split('.')[0]].get(k.split('.')[1]))[:300]}"
                           for k in diffs))
            x = g["Csleuth"]
            t.ok(x["Sources"].get("libpod database", "").endswith("libpod/bolt_state.db") and
                 x["Sources"].get("storage record", "").endswith("-containers/containers.json"),
                 f"{store}/{name}: the evidence files are named")
            if store != "root":
                t.ok("IdMappings" in x and x["IdMappings"]["UidMap"][0]["HostID"] == int(sc[f"{store}_uid"]),
                     f"{store}/{name}: the rootless id mapping from etc/subuid")
    ifields = ["Id", "Digest", "RepoTags", "RepoDigests", "Parent", "Comment", "Created", "Config", "Version",
               "Author", "Architecture", "Os", "Size", "VirtualSize", "GraphDriver", "RootFS", "Labels",
               "Annotations", "ManifestType", "User", "History", "NamesHistory"]
    for store in STORES:
        want_all = {i["Id"]: i for i in rec(store, "inspect-images.json")}
        rc, got_all, err = csleuth_json("--sysroot", root, "inspect", "--type", "image",
                                        *[(f"podman:{store}/" if STORES[store] else "") + k for k in want_all])
        t.eq(rc, 0, f"{store}: image inspect of every image exits 0")
        for g in got_all:
            w = want_all[g["Id"]]
            diffs = [k for k in ifields if k in w and scrub(g.get(k)) != w[k]]
            t.ok(not diffs, f"{store}: image {g['Id'][:12]} equals podman image inspect ({len(ifields)} fields)",
                 "\n".join(f"{k}: {json.dumps(g.get(k))[:300]} != {json.dumps(w.get(k))[:300]}" for k in diffs))


def test_history(t, root, sc):
    for store, ns in STORES.items():
        for f in sorted(os.listdir(os.path.join(ENG, store, "history"))):
            want = rec(store, "history", f)
            ref = f[:-5]
            q = ref.split("@", 1)[1] if ref.startswith("untagged@") else None
            if q is None:
                img = [i for i in rec(store, "images.json")
                       if any(n.replace("/", "_").replace(":", "_") == ref for n in (i.get("Names") or []))]
                q = img[0]["Id"]
            if ns:
                q = f"podman:{ns}/{q}"
            rc, got, err = csleuth_json("--sysroot", root, "history", "--json", q)
            g = [(h["id"], ns_time(h["created"]), h["created_by"], h["size"], h["comment"]) for h in got]
            w = [(h["id"], ns_time(h["created"]), h["CreatedBy"], h["size"], h.get("comment", "")) for h in want]
            t.eq(g, w, f"{store}: history of {ref}: ids, times, steps, sizes, comments as podman history")


def test_logs(t, root, sc):
    for c in sc["containers"]:
        base = os.path.join(ENG, c["store"], "logs", c["name"])
        if not os.path.exists(base + ".stdout"):
            continue
        p = subprocess.run([BIN, "-q", "--sysroot", root, "logs", "-t", qualify(c["store"], c["name"])],
                           capture_output=True)
        t.eq(p.stdout, open(base + ".stdout", "rb").read(), f"logs -t {c['name']}: stdout byte for byte as podman logs -t")
        t.eq(p.stderr, open(base + ".stderr", "rb").read(), f"logs -t {c['name']}: stderr byte for byte")
    rc, out, err = csleuth("--sysroot", root, "logs", "trunc")
    t.ok(b"conmon empties" in err and b"2000 bytes" in err, "trunc: conmon's in-place truncation is noted", err)
    rc, out, err = csleuth("--sysroot", root, "logs", "silent")
    t.ok(rc == 0 and out == b"" and b"log driver `none`" in err, "silent: log driver none, said plainly", err)
    rc, out, err = csleuth("--sysroot", root, "logs", "dormant")
    t.ok(b"never started" in err, "dormant: never started, so no log", err)


def test_diff(t, root, sc):
    for c in sc["containers"]:
        f = os.path.join(ENG, c["store"], "diff", c["name"] + ".json")
        if not os.path.exists(f):
            continue
        w = rec(c["store"], "diff", c["name"] + ".json")
        want = {(k, p) for kind, k in (("changed", "C"), ("added", "A"), ("deleted", "D")) for p in w.get(kind, [])}
        rc, out, err = csleuth("--sysroot", root, "diff", qualify(c["store"], c["name"]))
        got = {(l[:1], l[2:]) for l in out.decode().splitlines()}
        t.eq(sorted(got), sorted(want), f"diff {c['store']}/{c['name']} equals podman diff")
    alice = [c for c in sc["containers"] if c["name"] == "alice-app"][0]
    rc, js, err = csleuth_json("--sysroot", root, "diff", "--json", "--no-magic", "podman:alice/alice-app")
    notes = [x for x in js if x["path"] == "/home/app/notes.txt"]
    t.ok(notes and notes[0]["entry"]["uid"] == 10101000 and notes[0]["entry"]["container_uid"] == 1000,
         "diff --json: owner as stored (10101000) and as the container saw it (1000)", notes)


def export_records(man, uidmap=None):
    want = {}
    for m in man["members"]:
        rel = bytes.fromhex(m["name_hex"]).rstrip(b"/")
        typ = {"file": "file", "dir": "dir", "symlink": "symlink", "hardlink": "file", "char": "char",
               "block": "block", "fifo": "fifo"}[m["type"]]
        r = {"type": typ, "mode": m["mode"] & 0o7777, "uid": m["uid"], "gid": m["gid"], "mtime_ns": m["mtime"] * 10**9}
        if typ == "file":
            r["size"] = m["size"]
            r["sha256"] = m.get("sha256")
        if typ == "symlink":
            r["link"] = bytes.fromhex(m["linkname_hex"])
        want[rel] = r
    return want


def test_export(t, root, sc, tmp):
    for c in sc["containers"]:
        f = os.path.join(ENG, c["store"], "export", c["name"] + ".json")
        if not os.path.exists(f):
            continue
        man = rec(c["store"], "export", c["name"] + ".json")
        tarp = os.path.join(tmp, c["name"] + ".tar")
        rc, _, err = csleuth("--sysroot", root, "export", "-o", tarp, qualify(c["store"], c["name"]))
        if not t.ok(rc == 0, f"export {c['name']} exits 0", err):
            continue
        got = walk_tar(tarp, xattrs=False)
        want = export_records(man)
        # hard links: the tar reader gives the target's record to both
        for k, m in zip(list(want), man["members"]):
            if m["type"] == "hardlink" and bytes.fromhex(m["linkname_hex"]) in want:
                want[k] = dict(want[bytes.fromhex(m["linkname_hex"])])
        if c["running_at_cut"]:
            for d in (got, want):
                for k in [k for k in d if k.startswith((b"tmp", b"root"))]:
                    d.pop(k, None)
        t.ok(got == want, f"export {c['store']}/{c['name']} equals podman export ({len(want)} members, owners as "
             "the container saw them)", diff_records(got, want))
    alice = [c for c in sc["containers"] if c["name"] == "alice-app"][0]
    tarp = os.path.join(tmp, "ondisk.tar")
    csleuth("--sysroot", root, "export", "--on-disk-ids", "-o", tarp, "podman:alice/alice-app")
    got = walk_tar(tarp, xattrs=False)
    t.eq((got[b"home/app/notes.txt"]["uid"], got[b"bin/busybox"]["uid"]), (10101000, 2000),
         "export --on-disk-ids: the owners stored on disk")


def can_fuse():
    return (os.geteuid() == 0 and os.path.exists("/dev/fuse")
            and subprocess.run(["which", "fusermount3"], capture_output=True).returncode == 0)


def tree_records(man):
    want = {}
    for m in man["members"]:
        if m["name"] == ".":
            continue
        rel = bytes.fromhex(m["name_hex"])
        r = {"type": m["type"], "mode": int(m["mode"], 8), "uid": m["uid"], "gid": m["gid"], "mtime_ns": m["mtime_ns"]}
        if m["type"] == "file":
            r["size"] = m["size"]
            r["sha256"] = m["sha256"]
        if m["type"] == "symlink":
            r["link"] = m["linkname"].encode()
        if m["type"] in ("char", "block"):
            r["dev"] = (m["devmajor"], m["devminor"])
        want[rel] = r
    return want


def test_mount(t, root, sc):
    if not can_fuse():
        t.skip("FUSE is not usable here (needs root, /dev/fuse and fusermount3)")
        return
    jobs = []
    for store, sub in (("root", "overlay-mount"), ("alice", "overlay-mount"), ("bob", "tree")):
        d = os.path.join(ENG, store, sub)
        for f in sorted(os.listdir(d)) if os.path.isdir(d) else []:
            jobs.append((store, sub, f[:-5]))
    for store, sub, name in jobs:
        man = rec(store, sub, name + ".json")
        want = tree_records(man)
        c = [x for x in sc["containers"] if x["name"] == name]
        running = c and c[0]["running_at_cut"]
        # alice's records are of a fuse-overlayfs mount made as root: owners as stored
        opts = ["--on-disk-ids"] if store != "root" else []
        mnt = tempfile.mkdtemp(prefix="csx-pm-")
        p = subprocess.run([BIN, "-q", "--sysroot", root, "mount", *opts, qualify(store, name, sc), mnt],
                           capture_output=True)
        try:
            if not t.ok(p.returncode in (0, 3), f"mount {store}/{name}", p.stderr):
                continue
            got = walk_tree(mnt, xattrs=False)
        finally:
            subprocess.run([BIN, "umount", mnt], capture_output=True)
            os.rmdir(mnt)
        if running:
            for d in (got, want):
                for k in [k for k in d if k.startswith((b"tmp", b"root", b"srv", b"var/log"))]:
                    d.pop(k, None)
        t.ok(got == want, f"mount {store}/{name} equals the {'kernel overlay' if store == 'root' else 'fuse-overlayfs' if store == 'alice' else 'vfs'} "
             f"view ({len(want)} entries, ns mtimes)", diff_records(got, want))
    # the container's view of owners by default
    mnt = tempfile.mkdtemp(prefix="csx-pm-")
    p = subprocess.run([BIN, "-q", "--sysroot", root, "mount", "podman:alice/alice-app", mnt], capture_output=True)
    try:
        st = os.lstat(os.path.join(mnt, "home/app/notes.txt"))
        st0 = os.lstat(os.path.join(mnt, "bin/busybox"))
        t.eq((st.st_uid, st.st_gid, st0.st_uid), (1000, 1000, 0),
             "mount: a rootless container's files show the owners it saw (10101000 -> 1000, 2000 -> 0)")
        t.ok(not os.path.exists(os.path.join(mnt, "home/app/cache/.wh..wh..opq")) and
             not os.path.exists(os.path.join(mnt, "home/app/cache/.wh..opq")),
             "fuse-overlayfs's opaque markers are not shown")
    finally:
        subprocess.run([BIN, "umount", mnt], capture_output=True)
        os.rmdir(mnt)


def test_timeline(t, root, sc):
    rc, out, err = csleuth("--sysroot", root, "timeline", "--format", "jsonl", "--logs")
    t.eq(rc, 0, "timeline exits 0")
    ev = [json.loads(x) for x in out.decode().splitlines()]
    ar = [c for c in sc["containers"] if c["name"] == "alice-root"][0]
    mine = [e for e in ev if e["container_id"] == ar["id"]]
    t.ok(mine and all(e["engine"] == "podman" and e["namespace"] == "alice" for e in mine),
         f"timeline: alice-root's events name engine podman, namespace alice ({len(mine)})")
    t.ok(any(e["timestamp_desc"] == "File Deleted" and e["path"] == "/etc/group" for e in mine),
         "timeline: alice-root's deletion of /etc/group (a char 0/0 through fuse-overlayfs)")
    t.ok(any(e["timestamp_desc"] == "Directory Replaced" and e["path"] == "/opt/app" for e in mine)
         and not any(e["timestamp_desc"] == "Directory Replaced" and e["path"] == "/var/log/app" for e in mine),
         "timeline: /opt/app replaced; /var/log/app, new and marked opaque by fuse-overlayfs, is not")
    t.ok(not any(".wh." in (e["path"] or "") for e in ev), "timeline: no whiteout marker is shown as a file")
    app = [c for c in sc["containers"] if c["name"] == "webpod-app"][0]
    t.ok(any(e["container_id"] == app["id"] and e["pod"] == "webpod" for e in ev), "timeline: podman pod names")
    t.ok(any(e["source"] == "log" and e["container_name"] == "changes" for e in ev), "timeline: k8s-file log lines")
    cr = sc["crio_emulated"]["container"]["id"]
    t.ok(any(e["container_id"] == cr and e["engine"] == "cri-o" and e["pod"] == "default/web-0" for e in ev),
         "timeline: the CRI-O container with its pod")


def test_roots(t, root, sc, tmp):
    rc, ps, err = csleuth_json("--root", os.path.join(root, "var/lib/containers/storage"), "ps", "--json")
    t.ok(rc == 0 and len(ps) == 14, "--root recognises a rootful graphroot (12 podman + 2 CRI-O)", err)
    rc, ps, err = csleuth_json("--root", os.path.join(root, sc["alice_graphroot"].lstrip("/")), "ps", "--json")
    t.ok(rc in (0, 3) and {p["namespace"] for p in ps} == {"alice"} and b"etc/subuid" in err,
         "--root on alice's store: her namespace from the database's graph root; no subuid without --sysroot", err)
    # relocated stores
    s = os.path.join(tmp, "moved")
    for d in ("etc/containers", "srv", "etc/crio/crio.conf.d", "home"):
        os.makedirs(os.path.join(s, d), exist_ok=True)
    subprocess.run(["cp", "-a", os.path.join(root, "var/lib/containers/storage"), os.path.join(s, "srv/store")],
                   check=True)
    for f in ("passwd", "group", "subuid", "subgid"):
        shutil.copy(os.path.join(root, "etc", f), os.path.join(s, "etc", f))
    with open(os.path.join(s, "etc/containers/storage.conf"), "w") as f:
        f.write('[storage]\n# graphroot = "/nope"\ndriver = "overlay"\ngraphroot = "/srv/store"\n'
                'rootless_storage_path = "$HOME/pods/storage"\n[storage.options]\nmount_program = ""\n')
    subprocess.run(["cp", "-a", os.path.join(root, "home/alice"), os.path.join(s, "home/alice")], check=True)
    os.remove(os.path.join(s, "home/alice/.config/containers/storage.conf"))
    os.makedirs(os.path.join(s, "home/alice/pods"))
    os.rename(os.path.join(s, "home/alice/.local/share/containers/storage"), os.path.join(s, "home/alice/pods/storage"))
    rc, ps, err = csleuth_json("--sysroot", s, "ps", "--json")
    t.ok(rc == 0 and len([p for p in ps if p["namespace"] is None]) == 14 and b'"graphroot" in etc/containers/storage.conf' in err,
         "--sysroot: graphroot of etc/containers/storage.conf", err)
    t.ok(len([p for p in ps if p["namespace"] == "alice"]) == 2 and b"rootless_storage_path" in err,
         "--sysroot: a user's store at the system's rootless_storage_path ($HOME expanded)", err)
    # CRI-O's own root
    os.rename(os.path.join(s, "srv/store"), os.path.join(s, "srv/crio-store"))
    with open(os.path.join(s, "etc/crio/crio.conf.d/10-root.conf"), "w") as f:
        f.write('[crio]\nroot = "/srv/crio-store"\nstorage_driver = "overlay"\n[crio.runtime]\nconmon = "/x"\n')
    rc, ps, err = csleuth_json("--sysroot", s, "ps", "--json")
    t.ok(rc in (0, 3) and len([p for p in ps if p["engine"] == "cri-o"]) == 2 and b"crio.conf.d/10-root.conf" in err,
         "--sysroot: CRI-O's root in etc/crio/crio.conf.d", err)


def test_events_volumes_crio_logs(t, root, sc, tmp):
    """The events log when containers.conf moves it onto the disk, named
    volumes, bind sources, and a CRI-O container's kubelet log."""
    s = os.path.join(tmp, "events")
    subprocess.run(["cp", "-a", root, s], check=True)
    os.makedirs(os.path.join(s, "var/log"), exist_ok=True)
    shutil.copy(os.path.join(ENG, "root", "events.log"), os.path.join(s, "var/log/podman-events.log"))
    with open(os.path.join(s, "etc/containers/containers.conf"), "a") as f:
        f.write('events_logfile_path = "/var/log/podman-events.log"\n')
    ch = [c for c in sc["containers"] if c["name"] == "changes"][0]
    want = [e["Status"] for e in (json.loads(x) for x in open(os.path.join(ENG, "root", "events.log")))
            if e.get("Type") == "container" and e.get("ID") == ch["id"]]
    rc, out, err = csleuth("--sysroot", s, "timeline", "--format", "jsonl", "changes")
    ev = [json.loads(x) for x in out.decode().splitlines()]
    got = [e["message"].split("event `")[1].split("`")[0] for e in ev
           if e["timestamp_desc"] == "Engine Event" and e["container_id"] == ch["id"]]
    t.ok(rc == 0 and got and sorted(got) == sorted(want) and
         any(e["timestamp_desc"] == "Engine Event" and not e["container_id"] and "tag" in e["message"] for e in ev),
         f"timeline: the events log's records of changes ({len(want)}: {', '.join(want)}) and of its image", (got, want, err))
    rc, ins, err = csleuth_json("--sysroot", s, "inspect", "changes")
    t.ok(ins[0]["Csleuth"]["Sources"].get("events log") == "var/log/podman-events.log",
         "inspect names the events log", ins[0]["Csleuth"]["Sources"])
    # volumes and binds
    rc, ps, err = csleuth_json("--sysroot", root, "ps", "--json")
    vols = [p for p in ps if p["name"] == "vols"][0]
    m = {x["destination"]: x for x in vols["mounts"]}
    t.ok(m["/data"]["type"] == "volume" and m["/data"]["name"] == "appdata" and
         m["/data"]["evidence_path"] == "var/lib/containers/storage/volumes/appdata/_data",
         "the named volume appdata, its data in the evidence", vols["mounts"])
    t.ok(m["/host"]["type"] == "bind" and m["/host"]["source"] == sc["bind_source:vols"] and
         m["/host"]["evidence_path"] is None, "the bind mount: a host path", vols["mounts"])
    # `volumes` against `podman volume inspect`
    want = {v["Name"]: v for v in json.load(open(os.path.join(ENG, "root", "volume-inspect.json")))}
    rc, vl, err = csleuth_json("--sysroot", root, "volumes", "--json")
    got = {v["name"]: v for v in vl if v["engine"] == "podman" and v["namespace"] is None}
    t.ok(rc == 0 and set(got) == set(want) and
         all(got[n]["created"] == want[n]["CreatedAt"] and got[n]["mountpoint"] == want[n]["Mountpoint"] and
             got[n]["driver"] == want[n]["Driver"] for n in want) and
         [c["name"] for c in got["appdata"]["containers"]] == ["vols"],
         "volumes: name, driver, creation time and mount point as podman volume inspect says, used by vols",
         (got, want, err))
    if os.path.exists("/dev/fuse"):
        mnt = tempfile.mkdtemp(prefix="csx-pmv-")
        p = subprocess.run([BIN, "-q", "--sysroot", root, "mount", "--volumes", "vols", mnt], capture_output=True)
        try:
            t.ok(open(os.path.join(mnt, "data/secret.txt")).read() == "volume payload\n",
                 "mount --volumes: the volume's file at its destination")
        finally:
            subprocess.run([BIN, "umount", mnt], capture_output=True)
            os.rmdir(mnt)
    # a CRI-O container's log, where the kubelet keeps it
    cr = sc["crio_emulated"]
    pod = cr["pod"]
    d = os.path.join(s, f"var/log/pods/{pod['namespace']}_{pod['name']}_{pod['uid']}/app")
    os.makedirs(d)
    with open(os.path.join(d, "0.log"), "w") as f:
        f.write("2026-11-26T14:35:31.000000001+00:00 stdout F k8s says hello\n"
                "2026-11-26T14:35:31.5Z stderr F k8s says oops\n")
    p = subprocess.run([BIN, "-q", "--sysroot", s, "logs", "-t", "cri-o:app"], capture_output=True)
    t.eq((p.stdout, p.stderr), (b"2026-11-26T14:35:31.000000001Z k8s says hello\n",
                                b"2026-11-26T14:35:31.500000000Z k8s says oops\n"),
         "a CRI-O container's log from the path its spec records (var/log/pods)")


def test_side_by_side(t, root, sc, tmp):
    """A host with Docker and Podman: both engines listed together."""
    dk = os.path.join(SRC, "testdata", "docker", "overlay2.tar.xz")
    s = os.path.join(tmp, "both")
    subprocess.run(["cp", "-a", root, s], check=True)
    os.makedirs(os.path.join(s, "var/lib"), exist_ok=True)
    d = os.path.join(tmp, "dk")
    os.makedirs(d)
    subprocess.run(["tar", "--xattrs", "--xattrs-include=*", "--numeric-owner", "-C", d, "-xJf", dk], check=True)
    os.rename(os.path.join(d, "docker"), os.path.join(s, "var/lib/docker"))
    rc, ps, err = csleuth_json("--sysroot", s, "ps", "--json")
    engines = {p["engine"] for p in ps}
    t.ok(rc == 0 and engines == {"docker", "podman", "cri-o"}, f"docker, podman and cri-o side by side ({len(ps)})",
         err)
    rc, out, _ = csleuth("--sysroot", s, "ps")
    t.ok(out.decode().splitlines()[0].split()[2] == "ENGINE", "ps shows the ENGINE column")
    rc, out, err = csleuth("--sysroot", s, "inspect", "changes")
    t.eq(rc, 4, "`changes` is ambiguous between docker and podman", )
    t.ok(b"podman" in err and b"docker" in err, "the ambiguity lists both engines", err)
    rc, out, err = csleuth("--sysroot", s, "diff", "podman:changes")
    t.ok(rc == 0 and b"D /usr/share/doc" in out, "podman:changes qualifies")


def main():
    t = Tap()
    if os.geteuid() != 0:
        t.skip("the fixture holds whiteouts and trusted.* xattrs: unpacking needs root")
        t.done()
    root = unpack("sysroot")
    sc = rec("scenario.json")
    tmp = tempfile.mkdtemp(prefix="csx-pm-", dir=CACHE)
    try:
        t.run(test_ps, root, sc)
        t.run(test_lookup, root, sc)
        t.run(test_images, root, sc)
        t.run(test_inspect, root, sc)
        t.run(test_history, root, sc)
        t.run(test_logs, root, sc)
        t.run(test_diff, root, sc)
        t.run(test_export, root, sc, tmp)
        t.run(test_mount, root, sc)
        t.run(test_timeline, root, sc)
        t.run(test_roots, root, sc, tmp)
        t.run(test_events_volumes_crio_logs, root, sc, tmp)
        t.run(test_side_by_side, root, sc, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    t.done()


if __name__ == "__main__":
    main()
