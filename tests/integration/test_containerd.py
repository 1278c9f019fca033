"""containerd, Kubernetes (CRI) and Docker 29's containerd store, against
what the real engine said (testdata/containerd/engine/, made by
testdata/containerd/generate.sh with a real containerd 1.6 and its CRI
plugin). Every id, name and time comes from engine/scenario.json."""
import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from harness import CACHE, SRC, Tap, unpack_txz, csleuth, csleuth_json  # noqa: E402
from fsview import diff_records, walk_tar  # noqa: E402

ENG = os.path.join(SRC, "testdata", "containerd", "engine")


def rec(*parts):
    with open(os.path.join(ENG, *parts), encoding="utf-8") as f:
        return json.load(f)


def node():
    return unpack_txz("fixture-containerd-node", os.path.join(SRC, "testdata", "containerd", "node.tar.xz"))


def ns_time(s):
    """RFC 3339 with up to 9 digits and Z -> ns since the epoch (exact)."""
    import calendar
    m = re.match(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?Z$", s)
    y, mo, d, h, mi, se, fr = m.groups()
    secs = calendar.timegm((int(y), int(mo), int(d), int(h), int(mi), int(se)))
    return secs * 10**9 + int((fr or "0").ljust(9, "0"))


def test_ps(t, root, sc):
    rc, ps, err = csleuth_json("--sysroot", root, "ps", "--json")
    t.eq(rc, 0, "ps --sysroot on the node exits 0 (no damage)")
    byid = {(p["engine"], p["namespace"], p["id"]): p for p in ps}
    statuses = {}
    for f in os.listdir(os.path.join(ENG, "cri", "container-status")):
        st = rec("cri", "container-status", f)["status"]
        statuses[st["id"]] = st
    dk = {d["Id"]: d for d in rec("docker", "docker-inspect.json")}
    for c in sc["containers"]:
        if c["kind"] == "docker29":
            p = byid.get(("docker", None, c["id"]))
            if not t.ok(p is not None, f"{c['name']}: listed as a docker container"):
                continue
            d = dk[c["id"]]
            t.eq((p["state"], p["exit_code"]), (d["State"]["Status"], d["State"]["ExitCode"]),
                 f"{c['name']}: state and exit code as docker inspect says")
            t.ok(not p["incomplete"], f"{c['name']}: its layers are found in containerd (namespace moby)")
            continue
        p = byid.get(("containerd", c["namespace"], c["id"]))
        if not t.ok(p is not None, f"{c['namespace']}/{c['name']}: listed with its namespace"):
            continue
        t.eq(ns_time(p["created"]), ns_time(c["created_at"]) if c.get("created_at") else ns_time(p["created"]),
             f"{c['name']}: created to the nanosecond")
        info = info_record(c)
        if info:
            t.eq(p["labels"], info["Labels"] or {}, f"{c['name']}: labels as ctr containers info gives them")
        if c["kind"] == "cri-container":
            st = statuses[c["id"]]
            want = {"CONTAINER_EXITED": "exited", "CONTAINER_RUNNING": "running",
                    "CONTAINER_CREATED": "created"}[st["state"]]
            t.eq(p["state"], want, f"{c['name']}: state as the CRI said ({st['state']})")
            if want == "exited":
                t.eq(p["exit_code"], st["exit_code"], f"{c['name']}: exit code {st['exit_code']}")
                t.eq(ns_time(p["finished_at"]), st["finished_at"], f"{c['name']}: finished at, in ns")
            t.eq(ns_time(p["started_at"]), st["started_at"], f"{c['name']}: started at, in ns")
            t.eq(ns_time(p["created"]), st["created_at"], f"{c['name']}: created at the CRI's time")
            t.eq(p["pod"], {"name": sc["pod"]["name"], "namespace": sc["pod"]["namespace"], "uid": sc["pod"]["uid"]},
                 f"{c['name']}: pod identity")
            t.eq(p["name"], st["metadata"]["name"], f"{c['name']}: the Kubernetes container name")
            t.eq(p["restart_count"], st["metadata"]["attempt"], f"{c['name']}: restart attempt")
        elif c["kind"] == "ctr":
            t.eq((p["state"], p["exit_code"]), ("unknown", None),
                 f"{c['name']}: a plain ctr container's state is unknown (was {c['state_at_cut']}), never a guess")
        elif c["kind"] == "cri-sandbox":
            t.ok(p["sandbox"] and p["state"] == "unknown", f"{c['name']}: a pod sandbox, state not on disk")
    n = len([p for p in ps if p["engine"] == "containerd" and p["labels"].get("io.kubernetes.pod.name") == sc["pod"]["name"]])
    rc, o, _ = csleuth("--sysroot", root, "ps", "-a", "-q", "--filter", f"label=io.kubernetes.pod.name={sc['pod']['name']}")
    t.ok(rc == 0 and len(o.split()) == n > 0, f"ps --filter label=io.kubernetes.pod.name= finds the pod's {n} "
         "containers by their containerd labels", o)
    t.ok(not any(p["engine"] == "containerd" and p["namespace"] == "moby" for p in ps),
         "Docker 29's containerd record is not listed twice")
    rc, _, _ = csleuth("--sysroot", root, "ps", "--engine", "containerd", "--namespace", "k8s.io", "--json")
    rc2, sel, _ = csleuth_json("--sysroot", root, "ps", "--engine", "containerd", "--namespace", "k8s.io", "--json")
    t.ok(sel and all(p["namespace"] == "k8s.io" for p in sel), "--engine/--namespace filter")


def test_images(t, root, sc):
    rc, ims, err = csleuth_json("--sysroot", root, "images", "--json")
    t.eq(rc, 0, "images exits 0")
    for ns in sorted(os.listdir(os.path.join(ENG, "ctr"))):
        p = os.path.join(ENG, "ctr", ns, "images-ls.txt")
        if not os.path.isfile(p):
            continue
        for line in open(p).read().splitlines()[1:]:
            f = line.split()
            if not f:
                continue
            ref, digest = f[0], f[2]
            eng, nsx = ("docker", None) if ns == "moby" else ("containerd", ns)
            hit = [i for i in ims if i["engine"] == eng and i["namespace"] == nsx and i["id"] == digest]
            t.ok(hit and (ref in hit[0]["tags"] or ref in hit[0]["digests"] or ref.startswith("sha256:")),
                 f"{ns}: image {ref} with id {digest[:19]} (ctr images ls) as {eng}")
    built = rec("images-built.json")
    app = [i for i in ims if i["engine"] == "containerd" and i["namespace"] == "default" and "csx.local/app:1" in i["tags"]]
    bapp = [b for b in (built if isinstance(built, list) else built.get("images", [])) if "app" in json.dumps(b)]
    t.ok(app and app[0]["layers"], "csx.local/app:1 has layers (diff ids)")
    rc, ins, _ = csleuth_json("--sysroot", root, "inspect", "--type", "image", "containerd:k8s.io/csx.local/app:1")
    t.ok(rc == 0 and ins and ins[0]["ConfigDigest"] == sc["pod"]["app_image_id"],
         "the CRI image id is the config digest of the image containerd names")
    rc, ins, _ = csleuth_json("--sysroot", root, "inspect", "--type", "image", sc["pod"]["app_image_id"])
    t.ok(rc == 0 and len(ins) == 1 and ins[0]["Csleuth"]["Namespace"] == "k8s.io"
         and ins[0]["ConfigDigest"] == sc["pod"]["app_image_id"],
         "an image is found by its CRI id (the sha256:<config> record of k8s.io)")
    rc, dki, _ = csleuth_json("--sysroot", root, "inspect", "--type", "image", "docker:docker.io/csx/app:1")
    t.ok(rc == 0 and dki and dki[0]["Id"] == "sha256:" + sc["docker"]["image_manifest_digest"].split(":")[-1]
         and dki[0].get("Storage", {}).get("RootFS", {}).get("Snapshot", {}).get("Name") == "overlayfs",
         "Docker 29's image: docker's shape, id = the manifest digest, Storage.RootFS.Snapshot")


def info_record(c):
    """`ctr containers info` as recorded for container c, or None."""
    for n in (c["name"], c["id"]):
        f = os.path.join(ENG, "ctr", c["namespace"], "containers-info", n + ".json")
        if os.path.exists(f):
            return rec(f)
    return None


def test_inspect(t, root, sc):
    for c in sc["containers"]:
        if c["kind"] == "docker29":
            continue
        want = info_record(c)
        if not want:
            continue
        rc, got, err = csleuth_json("--sysroot", root, "inspect", f"containerd:{c['namespace']}/{c['id']}")
        if not t.ok(rc == 0 and len(got) == 1, f"inspect {c['name']}", err):
            continue
        g = got[0]
        for k in ("ID", "Labels", "Image", "SnapshotKey", "Snapshotter", "CreatedAt", "UpdatedAt", "Spec"):
            t.eq(g.get(k), want.get(k), f"{c['name']}: inspect {k} equals ctr containers info")
        t.eq(g["Runtime"]["Name"], want["Runtime"]["Name"], f"{c['name']}: runtime name")
        t.eq(sorted(g.get("Extensions", {})), sorted((want.get("Extensions") or {})), f"{c['name']}: extension names")
        t.ok(g["Csleuth"]["Sources"].get("record", "").endswith("meta.db"), f"{c['name']}: the evidence file")
        if c["kind"] == "cri-container":
            st = [rec("cri", "container-status", x)["status"] for x in os.listdir(os.path.join(ENG, "cri", "container-status"))]
            st = [s for s in st if s["id"] == c["id"]][0]
            s = g["Status"]
            t.eq((s["State"], s["ExitCode"], s["StartedAt"], s["FinishedAt"], s["Reason"]),
                 (st["state"], st["exit_code"], st["started_at"], st["finished_at"], st["reason"]),
                 f"{c['name']}: CRI status fields as the CRI answered")
    dk = rec("docker", "docker-inspect.json")
    for d in dk:
        rc, got, _ = csleuth_json("--sysroot", root, "inspect", d["Id"])
        g = got[0] if got else {}
        t.ok(rc == 0 and g.get("Storage") == d.get("Storage") and "GraphDriver" not in g,
             f"docker {d['Name']}: Storage.RootFS.Snapshot in place of GraphDriver")
        t.eq(g.get("State", {}).get("Status"), d["State"]["Status"], f"docker {d['Name']}: State.Status")


def manifest_records(man):
    want = {}
    for m in man["entries"]:
        if m["path"] == "/":
            continue
        rel = bytes.fromhex(m["path_hex"])[1:]
        r = {"type": m["type"], "mode": int(m["mode_octal"], 8), "uid": m["uid"], "gid": m["gid"],
             "mtime_ns": m["mtime_ns"]}
        if m["type"] == "file":
            r["size"] = m["size"]
            r["sha256"] = m["sha256"]
        if m["type"] == "symlink":
            r["link"] = m["link"].encode()
        if m["type"] in ("char", "block"):
            r["dev"] = (m.get("rdev_major"), m.get("rdev_minor"))
        want[rel] = r
    return want


def test_export(t, root, sc, tmp):
    """export (and so the merged tree mount serves) equals the kernel's own
    read-only overlay mount of each snapshot, to the nanosecond."""
    for f in sorted(os.listdir(os.path.join(ENG, "fs", "merged"))):
        man = rec("fs", "merged", f)
        ns, name = man["namespace"], man["container"]
        q = man["id"] if ns == "moby" else f"containerd:{ns}/{man['id']}"
        tarp = os.path.join(tmp, f + ".tar")
        rc, _, err = csleuth("--sysroot", root, "export", "-o", tarp, q)
        if not t.ok(rc == 0, f"export {ns}/{name} exits 0", err):
            continue
        got = walk_tar(tarp, xattrs=False)
        want = manifest_records(man)
        # export writes whole seconds, as docker export does
        for d in (got, want):
            for r in d.values():
                r["mtime_ns"] = r["mtime_ns"] // 10**9 * 10**9
        if name in ("running", "sidecar-0", "dk-running"):
            # still writing until the cut, after the kernel's manifest was taken
            for d in (got, want):
                for k in [k for k in d if k.startswith(b"tmp/")]:
                    d.pop(k, None)
                d.pop(b"tmp", None)
        t.ok(got == want, f"export {ns}/{name} equals the kernel's overlay view ({len(want)} entries)",
             diff_records(got, want))


def test_diff(t, root, sc):
    for f in sorted(os.listdir(os.path.join(ENG, "docker", "diff"))):
        name = f[:-5]
        want = [(("C", "A", "D")[x["Kind"]], x["Path"]) for x in rec("docker", "diff", f)]
        rc, out, err = csleuth("--sysroot", root, "diff", name)
        got = [(l[:1], l[2:]) for l in out.decode().splitlines()]
        if name == "dk-running":
            got = [g for g in got if not g[1].startswith("/tmp")]
            want = [w for w in want if not w[1].startswith("/tmp")]
        t.eq(sorted(got), sorted(want), f"diff {name} equals docker diff (the init layer is not a change)")


def test_logs(t, root, sc):
    for c in sc["containers"]:
        if c["kind"] != "cri-container":
            continue
        for stream in ("stdout", "stderr"):
            want = open(os.path.join(ENG, "logs", "cri", f"{c['name']}.all.{stream}"), "rb").read()
            p = subprocess.run([os.environ.get("CSLEUTH", "csleuth"), "-q", "--sysroot", root, "logs", "--stream",
                                stream, c["id"]], capture_output=True)
            got = p.stdout if stream == "stdout" else p.stderr
            t.eq(got, want, f"logs {c['name']} {stream}: every rotation (gzip too), P lines joined, as the CRI wrote")
    rc, out, _ = csleuth("--sysroot", root, "logs", "-t", "--stream", "stdout", "containerd:k8s.io/" +
                         [c for c in sc["containers"] if c["name"] == "app-0"][0]["id"])
    first = out.decode().splitlines()[0]
    recs = rec("logs", "cri", "app-0.records.json")
    r0 = (recs["records"] if isinstance(recs, dict) else recs)[0]
    t.ok(first.split(" ")[0].endswith("Z"), "logs -t prints UTC (the node wrote +05:30)", first)
    for c in sc["containers"]:
        if c["kind"] == "docker29":
            want = os.path.join(ENG, "logs", "docker", f"{c['name']}-json.log")
            if os.path.exists(want):
                rc, out, err = csleuth("--sysroot", root, "logs", "--stream", "stdout", c["id"])
                lines = [json.loads(x) for x in open(want, encoding="utf-8")]
                t.eq(out.decode(), "".join(x["log"] for x in lines if x["stream"] == "stdout"),
                     f"docker {c['name']}: json-file log")


def test_timeline(t, root, sc):
    rc, out, err = csleuth("--sysroot", root, "timeline", "--format", "jsonl", "--logs")
    ev = [json.loads(x) for x in out.decode().splitlines()]
    app0 = [c for c in sc["containers"] if c["name"] == "app-0"][0]
    mine = [e for e in ev if e["container_id"] == app0["id"]]
    t.ok(mine and all(e["engine"] == "containerd" and e["namespace"] == "k8s.io" and e["pod"] == "shop/web" for e in mine),
         f"timeline: every event of app-0 names engine, namespace and pod ({len(mine)})")
    t.ok(any(e["source"] == "log" for e in mine), "timeline: app-0's CRI log lines appear")
    t.ok(any(e["timestamp_desc"] == "File Deleted" and e["path"] == "/etc/group" for e in mine),
         "timeline: app-0's deletion of /etc/group appears")
    rc, out, _ = csleuth("--sysroot", root, "timeline", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out.decode())))
    t.ok(rows and all(k in rows[0] for k in ("engine", "namespace", "pod")) and
         any(r["container_id"] == app0["id"] and r["engine"] == "containerd" and r["namespace"] == "k8s.io" and
             r["pod"] == "shop/web" for r in rows), "csv: engine, namespace and pod columns")
    rc, out, _ = csleuth("--sysroot", root, "timeline", "--format", "bodyfile")
    t.ok(any("[containerd:k8s.io/app pod shop/web]" in l for l in out.decode().splitlines()),
         "bodyfile: names carry engine, namespace and pod")


def test_roots(t, root, sc, tmp):
    rc, ps, err = csleuth_json("--root", os.path.join(root, "var/lib/containerd"), "ps", "--json")
    t.ok(rc == 0 and {p["namespace"] for p in ps} >= {"default", "k8s.io", "csx", "moby"},
         "--root recognises a containerd root", err)
    # read alone, the moby namespace is containerd's: its running record and the lease holding it
    lr = rec("ctr", "leases-resources.json")["moby"]
    run = [c for c in sc["containers"] if c["name"] == "dk-running"][0]
    rc, ins, _ = csleuth_json("--root", os.path.join(root, "var/lib/containerd"), "inspect", "containerd:moby/" + run["id"])
    want = sorted(l["lease"]["id"] for l in lr if any(x["id"] == run["id"] and x["type"] == "snapshots/overlayfs"
                                                      for x in l["resources"]))
    t.ok(rc == 0 and sorted(l["ID"] for l in ins[0]["Csleuth"]["Leases"]) == want and want,
         "a containerd root read alone: moby's record with the leases holding its snapshot, as containerd listed them")
    # a relocated root named by the unit's --root
    sys_ = os.path.join(tmp, "relocated")
    os.makedirs(os.path.join(sys_, "etc/systemd/system"))
    os.makedirs(os.path.join(sys_, "srv"))
    subprocess.run(["cp", "-a", os.path.join(root, "var/lib/containerd"), os.path.join(sys_, "srv/ctrd")], check=True)
    with open(os.path.join(sys_, "etc/systemd/system/containerd.service"), "w") as f:
        f.write("[Service]\nExecStart=/usr/bin/containerd --root /srv/ctrd\n")
    rc, out, err = csleuth("--sysroot", sys_, "ps", "--json")
    t.ok(rc == 0 and len(json.loads(out)) >= 8 and b"--root in etc/systemd/system/containerd.service" in err,
         "--sysroot: containerd --root in the unit", err)
    os.remove(os.path.join(sys_, "etc/systemd/system/containerd.service"))
    os.makedirs(os.path.join(sys_, "etc/containerd"))
    with open(os.path.join(sys_, "etc/containerd/config.toml"), "w") as f:
        f.write('version = 3\n# root = "/nope"\nroot = "/srv/ctrd"\nstate = "/run/x"\n[grpc]\n  address = "/x"\n')
    rc, out, err = csleuth("--sysroot", sys_, "ps", "--json")
    t.ok(rc == 0 and len(json.loads(out)) >= 8 and b'"root" in etc/containerd/config.toml' in err,
         "--sysroot: root = in config.toml (version 3)", err)


def main():
    t = Tap()
    if os.geteuid() != 0:
        t.skip("the fixture holds whiteouts and trusted.* xattrs: unpacking needs root")
        t.done()
    root = node()
    sc = rec("scenario.json")
    tmp = tempfile.mkdtemp(prefix="csx-ctrd-", dir=CACHE)
    try:
        t.run(test_ps, root, sc)
        t.run(test_images, root, sc)
        t.run(test_inspect, root, sc)
        t.run(test_export, root, sc, tmp)
        t.run(test_diff, root, sc)
        t.run(test_logs, root, sc)
        t.run(test_timeline, root, sc)
        t.run(test_roots, root, sc, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    t.done()


if __name__ == "__main__":
    main()
