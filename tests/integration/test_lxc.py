#!/usr/bin/env python3
"""csleuth against real LXC 5.0.2 and LXD 5.0.2 evidence and the engines' own records.

testdata/lxc/sysroot.tar.xz is what the engines left on disk after a power cut;
testdata/lxc/engine/ is what they said while running (lxc-ls, lxc-info, lxc-snapshot,
lxc list/info/query, lxd sql .dump) plus manifests made with tar, find and the
kernel's own overlay mount. Every name, id and time is taken from those records.
"""
import calendar
import io
import json
import time
import os
import subprocess
import tarfile

from harness import BUILD, SRC, Tap, unpack_txz, csleuth, csleuth_json

ENG = os.path.join(SRC, "testdata", "lxc", "engine")
SQLDUMP = os.environ.get("CSLEUTH_LXD_SQLDUMP", os.path.join(BUILD, "tests", "lxd_sqldump"))


def sysroot():
    return unpack_txz("fixture-lxc", os.path.join(SRC, "testdata", "lxc", "sysroot.tar.xz"))


def rec(*parts):
    with open(os.path.join(ENG, *parts), encoding="utf-8") as f:
        return json.load(f)


def text(*parts):
    with open(os.path.join(ENG, *parts), "rb") as f:
        return f.read()


def lxc_ls(path):
    """lxc-ls -f as a list of dicts (columns split by the header's positions)."""
    lines = text(*path).decode().splitlines()
    head = lines[0]
    cols = [(h, head.index(h)) for h in head.split()]
    out = []
    for ln in lines[1:]:
        row = {}
        for i, (h, at) in enumerate(cols):
            end = cols[i + 1][1] if i + 1 < len(cols) else None
            row[h] = ln[at:end].strip()
        out.append(row)
    return out


def by_name(items, key="name"):
    return {x[key]: x for x in items}


def check_lxc_ps(t, root):
    rc, ps, err = csleuth_json("--sysroot", root, "ps", "--json", "--engine", "lxc")
    t.eq(rc, 0, "lxc: ps exits 0 (notes only)")
    want = sorted(text("lxc", "lxc-ls.txt").decode().split())
    got = sorted(c["name"] for c in ps if c["namespace"] is None)
    t.eq(got, want, "lxc: the root lxcpath's containers are lxc-ls's")
    user = [c for c in ps if c["namespace"] == "csx"]
    t.eq([c["name"] for c in user], [r["NAME"] for r in lxc_ls(("lxc", "user-csx", "lxc-ls-f.txt"))],
         "lxc: user csx's containers (namespace csx) are its lxc-ls's")
    t.ok(all(c["state"] == "unknown" and c["state_recorded"] is False and c["exit_code"] is None for c in ps),
         "lxc: no state and no exit code claimed (LXC records none)")
    ls = by_name(lxc_ls(("lxc", "lxc-ls-f.txt")), "NAME")
    ls.update(by_name(lxc_ls(("lxc", "user-csx", "lxc-ls-f.txt")), "NAME"))
    for c in ps:
        t.eq(c["unprivileged"], ls[c["name"]]["UNPRIVILEGED"] == "true", f"lxc: {c['name']}: unprivileged as lxc-ls says")
    # starts and ends dated from liblxc's log, to the second
    scen = by_name(rec("scenario.json")["lxc"])
    web = by_name(ps)["web"]
    secs = lambda s: calendar.timegm(time.strptime(s[:19], "%Y-%m-%dT%H:%M:%S"))
    ev = scen["web"]["events_utc"]
    # the generator noted each step after the tool returned: the log's line
    # comes first, within two seconds
    t.ok(0 <= secs(ev["started"]) - secs(web["started_at"]) <= 2, "lxc: web's start from its liblxc log, to the second")
    t.ok(0 <= secs(ev["stopped"]) - secs(web["finished_at"]) <= 2, "lxc: web's stop from its liblxc log, to the second")


def check_lxc_inspect(t, root):
    names = sorted(text("lxc", "lxc-ls.txt").decode().split())
    rc, got, _ = csleuth_json("--sysroot", root, "inspect", *[f"lxc:{n}" for n in names])
    t.eq(rc, 0, "lxc: inspect exits 0")
    ls = by_name(lxc_ls(("lxc", "lxc-ls-f.txt")), "NAME")
    for g in got:
        n = g["Name"]
        loaded = rec("lxc", "config", f"{n}.loaded.json")
        cfg = g["Config"]
        missing_include = any("not read" in p["message"] for p in g["Csleuth"]["Problems"])
        for key, want in loaded.items():
            have = cfg.get(key, [])
            if key == "lxc.rootfs.path":
                # lxc-info drops the backend prefix; the config keeps it
                have = [v.split(":", 1)[1] if v.split(":", 1)[0] in ("dir", "overlay") else v for v in have]
            if key == "lxc.mount.auto":
                have, want = sorted(" ".join(have).split()), sorted(" ".join(want).split())
            if key in ("lxc.signal.halt", "lxc.log.level", "lxc.start.delay", "lxc.include"):
                continue  # liblxc prints defaults and numbers for these
            if key == "lxc.start.auto" and not have and want == ["0"]:
                continue  # liblxc's default
            if missing_include and key in ("lxc.mount.entry", "lxc.apparmor.profile"):
                continue  # from nesting.conf, which is not in the evidence (said so)
            t.eq(have, want, f"lxc: {n}: {key} as liblxc loaded it")
        t.eq(g["Start"]["Auto"] or "0", ls[n]["AUTOSTART"], f"lxc: {n}: autostart as lxc-ls says")
        groups = ",".join(g["Start"]["Groups"]) or "-"
        t.eq(groups, ls[n]["GROUPS"], f"lxc: {n}: groups as lxc-ls says")
        for f in g["Csleuth"]["Sources"].values():
            t.ok(os.path.exists(os.path.join(root, f)), f"lxc: {n}: source {f} exists")
    by = by_name(got, "Name")
    t.eq(by["web-clone"]["Rootfs"]["Backend"], "overlay", "lxc: web-clone is an overlay clone")
    t.eq([l["EvidencePath"] for l in by["web-clone"]["Rootfs"]["Layers"]],
         ["var/lib/lxc/web-clone/overlay/delta", "var/lib/lxc/web/rootfs"], "lxc: web-clone's delta over web's rootfs")
    t.eq(by["web-clone"]["Clones"]["Origin"]["Name"], "web", "lxc: web-clone's origin from lxc_rdepends")
    t.eq([d["Name"] for d in by["web"]["Clones"]["Dependents"]], ["web-clone"], "lxc: web's dependents from lxc_snapshots")
    # snapshots as lxc-snapshot -L -C listed them
    lines = text("lxc", "snapshots", "db.txt").decode().splitlines()
    snaps = by["db"]["Snapshots"]
    t.eq([s["Name"] for s in snaps], [l.split()[0] for l in lines if l.startswith("snap")], "lxc: db's snapshots")
    t.ok(snaps[0]["Comment"] and snaps[0]["Comment"].splitlines() == lines[1:3], "lxc: snap0's comment (two lines)")
    t.ok(lines[0].split(") ")[1] in snaps[0]["Taken"], "lxc: snap0's ts text, said to be local time")
    t.eq(by["unpriv"]["Idmap"], [{"Kind": "u", "Nsid": 0, "Hostid": 100000, "Range": 65536},
                                 {"Kind": "g", "Nsid": 0, "Hostid": 100000, "Range": 65536}], "lxc: unpriv's idmap")
    t.eq(by["never"]["Hooks"], {"pre-start": ["/etc/lxc/hooks/csx-prestart.sh"]}, "lxc: never's host hook")
    t.ok(by["web"]["Network"][0]["ipv4.address"] == ["10.0.3.10/24"] and by["web"]["Network"][0]["veth.pair"] == "veth-web",
         "lxc: web's network")
    t.ok("sys_rawio" in by["web"]["Capabilities"]["Drop"], "lxc: an included file's cap.drop is merged")


def members(tar_bytes):
    out = {}
    with tarfile.open(fileobj=io.BytesIO(tar_bytes), format=tarfile.PAX_FORMAT) as tf:
        for m in tf.getmembers():
            n = m.name[2:] if m.name.startswith("./") else m.name
            out[n] = m
    return out


def check_export(t, root):
    # web-clone's merged view equals the kernel's own overlay mount of it
    man = rec("manifests", "lxc.web-clone.overlay-mount.json")
    rc, out, _ = csleuth("-q", "--sysroot", root, "export", "--precise", "-o", "-", "web-clone")
    t.eq(rc, 0, "lxc: export web-clone exits 0")
    got = members(out)
    want = {m["name"]: m for m in man["members"] if m["name"] != "."}
    t.eq(sorted(got), sorted(want), "lxc: web-clone's export has the kernel overlay's names")
    def ns(m):
        s = m.pax_headers.get("mtime", str(int(m.mtime)))
        a, _, b = s.partition(".")
        return int(a) * 10**9 + int((b or "0").ljust(9, "0")[:9])
    bad = [n for n, w in want.items() if n in got and (
        got[n].mode != w["mode"] or got[n].uid != w["uid"] or
        (got[n].isfile() and got[n].size != w["size"]) or
        (w["type"] != "dir" and ns(got[n]) != w["mtime_ns"]))]
    t.eq(bad, [], "lxc: web-clone: modes, owners, sizes and mtimes as the kernel showed them")
    # unpriv with --container-ids equals lxc-usernsexec's tar of its rootfs
    man = rec("lxc", "usernsexec-unpriv-rootfs.json")
    rc, out, _ = csleuth("-q", "--sysroot", root, "export", "--container-ids", "-o", "-", "unpriv")
    t.eq(rc, 0, "lxc: export --container-ids unpriv exits 0")
    got = members(out)
    want = {m["name"][2:]: m for m in man["members"] if m["name"] != "."}
    t.eq(sorted(got), sorted(want), "lxc: unpriv's export has the names the container's root saw")
    bad = [n for n, w in want.items() if n in got and (got[n].uid, got[n].gid) != (w["uid"], w["gid"])]
    t.eq(bad, [], "lxc: unpriv: owners as the container saw them (host ids mapped back)")
    rc, out, _ = csleuth("-q", "--sysroot", root, "export", "-o", "-", "unpriv")
    got = members(out)
    t.eq(got["home/app"].uid, 101000, "lxc: unpriv: without --container-ids the stored (host) owner")


def check_diff(t, root):
    rc, out, _ = csleuth("-q", "--sysroot", root, "diff", "web-clone")
    lines = out.decode().splitlines()
    t.eq(rc, 0, "lxc: diff web-clone exits 0")
    for want in ("D /srv/www", "A /srv/www-old", "D /tmp/dropper", "C /etc/passwd", "C /etc/group", "A /opt/app/new",
                 "D /opt/app/a"):
        t.ok(want in lines, f"lxc: diff web-clone: {want}")
    t.ok(not any("work" in l for l in lines), "lxc: overlay/work's whiteout is not a deletion")
    rc, out, err = csleuth("--sysroot", root, "diff", "web")
    t.ok(rc == 1 and b"no base to compare with" in err, "lxc: a dir container without a base says so")
    rc, out, _ = csleuth("-q", "--sysroot", root, "diff", "--against", "snap1", "db")
    lines = out.decode().splitlines()
    t.ok("D /var/lib/db" in lines and "D /etc/motd" not in lines, "lxc: diff --against snap1 db: run 3 wiped /var/lib/db")
    rc, out, _ = csleuth("-q", "--sysroot", root, "diff", "--against", "snap0", "db")
    lines = out.decode().splitlines()
    t.ok("D /var/lib/db" in lines and "D /etc/motd" in lines, "lxc: diff --against snap0 db: runs 2 and 3")
    rc, _, err = csleuth("-q", "--sysroot", root, "diff", "--against", "nosuch", "db")
    t.ok(rc == 4 and b"snap0" in err, "lxc: an unknown snapshot is named with the ones there are")


def check_logs(t, root):
    rc, out, _ = csleuth("-q", "--sysroot", root, "logs", "running")
    with open(os.path.join(root, "var/log/lxc/running.console.log"), "rb") as f:
        t.eq(out, f.read(), "lxc: logs running prints its console log byte for byte")
    rc, out, _ = csleuth("-q", "--sysroot", root, "logs", "--log", "lxc", "unpriv")
    with open(os.path.join(root, "var/log/lxc/unpriv-start.log"), "rb") as f:
        t.eq(out, f.read(), "lxc: unpriv's liblxc log, named only on lxc-start's command line, is found")
    rc, out, _ = csleuth("-q", "--sysroot", root, "logs", "lxd-live")
    t.ok(out.startswith(b"init: lxd-live up at") and b"tick" in out, "lxd: logs lxd-live prints its console")


def check_timeline(t, root):
    rc, out, _ = csleuth("-q", "--sysroot", root, "timeline", "--format", "jsonl", "--no-magic", "--logs")
    t.eq(rc, 0, "timeline exits 0")
    rows = [json.loads(l) for l in out.decode().splitlines()]
    desc = {(r.get("container_name"), r["timestamp_desc"]) for r in rows}
    t.ok(("web", "Config Modified (file time)") in desc, "timeline: LXC file times are labelled as such")
    t.ok(("db", "Snapshot Created (file time)") in desc, "timeline: LXC snapshots")
    t.ok(not any(r["timestamp_desc"] == "Container Created" and r.get("container_name") == "web" for r in rows),
         "timeline: no creation time is made up for an LXC container")
    scen = by_name(rec("scenario.json")["lxd"])
    for n, s in scen.items():
        name = s["name"]
        created = [r["datetime"] for r in rows if r.get("container_name") == name and r["timestamp_desc"] == "Container Created"]
        api = rec("lxd", "instances", s["project"], name, "api.json")
        t.ok(created and created[0][:26] == api["created_at"].rstrip("Z").ljust(29, "0")[:26],
             f"timeline: {name} created at the database's time")
    snaps = [r for r in rows if r.get("container_name") == "lxd-snap" and r["timestamp_desc"] == "Snapshot Created"]
    t.eq(len(snaps), 2, "timeline: lxd-snap's two snapshots")
    home = [r for r in rows if r.get("container_name") == "unpriv" and r.get("path") == "/home/app"]
    t.ok(home and home[0]["uid"] == 101000 and "1000:1000 in the container" in home[0]["message"],
         "timeline: an unprivileged container's owners as stored, and as the container saw them")
    loot = [r for r in rows if r.get("container_name") == "lxd-unpriv" and r["source"] == "volume"
            and r.get("path") == "/data/loot.txt" and r.get("volume") == "csxdata"]
    t.ok(loot, "timeline: the files of lxd-unpriv's custom volume, under its mount point")
    files = [r for r in rows if r.get("container_name") == "running" and (r.get("path") or "").endswith("/var/log/ticks.log")]
    t.ok(files, "timeline: every rootfs entry, the running container's ticks.log too")


def check_lxd(t, root):
    rc, ps, _ = csleuth_json("--sysroot", root, "ps", "--json", "--engine", "lxd")
    t.eq(rc, 0, "lxd: ps exits 0")
    lst = rec("lxd", "list.json")
    t.eq(sorted((c["namespace"] or "default", c["name"]) for c in ps), sorted((i["project"], i["name"]) for i in lst),
         "lxd: the instances of every project (a project other than default is the namespace)")
    got = {((c["namespace"] or "default"), c["name"]): c for c in ps}
    for i in lst:
        c = got.get((i["project"], i["name"]))
        if not c:
            continue
        t.eq((c["engine_status"], c["state"] == "running", c["type"], c["id"]),
             (i["status"], i["status"] == "Running", i["type"], i["config"]["volatile.uuid"]),
             f"lxd: {i['name']}: status (as LXD last recorded it), type, uuid")
    rc, got_all, _ = csleuth_json("--sysroot", root, "inspect", *[f"lxd:{i['project']}/{i['name']}" for i in lst])
    t.eq(len(got_all), len(lst), "lxd: every instance found as lxd:PROJECT/NAME (default/ too)")
    t.eq(rc, 0, "lxd: inspect exits 0")
    for want, g in zip(lst, got_all):
        api = rec("lxd", "instances", want["project"], want["name"], "api.json")
        for key in ("architecture", "config", "devices", "expanded_config", "expanded_devices", "profiles",
                    "created_at", "last_used_at", "status", "status_code", "type", "project", "location",
                    "ephemeral", "stateful", "description", "name"):
            t.eq(g.get(key), api[key], f"lxd: {want['name']}: inspect {key} as the API said")
        t.eq([(s["name"], s["created_at"], s["expires_at"]) for s in g["snapshots"]],
             [(s["name"], s["created_at"], s["expires_at"]) for s in (api["snapshots"] or [])],
             f"lxd: {want['name']}: snapshots")
    # profiles and pool behind each instance, as `lxc profile list` / `lxc storage list` said
    for want, g in zip(lst, got_all):
        plist = {p["name"]: p for p in rec("lxd", "profiles", f"list.{want['project']}.json")}
        t.eq([(p["name"], p["description"], p["config"], p["devices"]) for p in g["Csleuth"]["Profiles"]],
             [(n, plist[n]["description"], plist[n]["config"], plist[n]["devices"]) for n in want["profiles"]],
             f"lxd: {want['name']}: its profiles")
        pool = rec("lxd", "storage", "pools.json")[0]
        sp = g["Csleuth"]["StoragePool"]
        t.eq((sp["name"], sp["driver"], sp["config"]["source"]), (pool["name"], pool["driver"], pool["config"]["source"]),
             f"lxd: {want['name']}: its storage pool")
    # `lxc info`: status, type, architecture, snapshots
    for want, g in zip(lst, got_all):
        info = text("lxd", "instances", want["project"], want["name"], "info.txt").decode()
        fields = dict(l.split(": ", 1) for l in info.splitlines() if ": " in l and not l.startswith(" "))
        t.eq((g["status"].upper(), g["type"], g["architecture"]), (fields["Status"], fields["Type"], fields["Architecture"]),
             f"lxd: {want['name']}: status, type and architecture as `lxc info` said")
        snaps = [l.split("|")[1].strip() for l in info.splitlines() if l.startswith("| snap")]
        t.eq([s["name"] for s in g["snapshots"]], snaps, f"lxd: {want['name']}: snapshots as `lxc info` listed them")
    # the custom volume csxdata at /data: its files are in the pool
    m = [x for x in got[("default", "lxd-unpriv")]["mounts"] if x["destination"] == "/data"]
    man = rec("manifests", "lxd.volume.default_csxdata.json")
    t.ok(m and m[0]["type"] == "volume" and m[0]["name"] == "csxdata" and
         "/" + m[0]["evidence_path"] == man["path"], "lxd: lxd-unpriv's custom volume csxdata, found in its pool")
    rc, ims, _ = csleuth_json("--sysroot", root, "images", "--json", "--engine", "lxd")
    t.eq(rc, 0, "lxd: images exits 0")
    for proj in ("default", "attacker"):
        want = rec("lxd", "images", f"list.{proj}.json")
        have = [i for i in ims if (i["namespace"] or "default") == proj]
        t.eq(sorted((i["id"], tuple(i["tags"]), i["size"], i["architecture"]) for i in have),
             sorted((w["fingerprint"], tuple(a["name"] for a in w["aliases"]), w["size"], w["architecture"]) for w in want),
             f"lxd: project {proj}: images, aliases, sizes")
        rc, ins, _ = csleuth_json("--sysroot", root, "inspect", "--type", "image",
                                  *[f"lxd:{proj}/{w['fingerprint']}" for w in want])
        t.eq((rc, len(ins)), (0, len(want)), f"lxd: project {proj}: inspect of its images by PROJECT/FINGERPRINT")
        for w, g in zip(want, ins):
            for key in ("created_at", "uploaded_at", "last_used_at", "expires_at", "properties", "filename", "cached", "public"):
                t.eq(g.get(key), w[key], f"lxd: image {proj}: {key}")
    # owners: shifted once started; a never-started instance keeps container ids
    rc, dj, _ = csleuth_json("-q", "--sysroot", root, "diff", "--json", "--no-magic", "lxd-unpriv")
    ent = {d["path"]: d["entry"] for d in dj}
    e = ent.get("/home/app/projects")
    t.ok(e and (e["uid"], e["container_uid"]) == (101000, 1000), "lxd: lxd-unpriv: owner stored 101000, seen 1000")
    changes = {d["path"]: d["kind"] for d in dj}
    for p, k in (("/etc/motd", "D"), ("/usr/share/doc", "D"), ("/root/.ssh/authorized_keys", "A"), ("/tmp/dropper", "A"),
                 ("/etc/passwd", "C")):
        t.eq(changes.get(p), k, f"lxd: diff lxd-unpriv against its image file: {k} {p}")
    rc, out, _ = csleuth("-q", "--sysroot", root, "diff", "lxd-never")
    t.ok(rc == 0 and out == b"", "lxd: a never-started instance equals its image (unshifted)")
    rc, out, _ = csleuth("-q", "--sysroot", root, "diff", "--against", "snap0", "lxd-snap")
    lines = out.decode().splitlines()
    t.ok("D /etc/motd" in lines and "D /srv/data" in lines, "lxd: diff --against snap0 lxd-snap")


def check_dumps(t, root):
    if not os.path.exists(SQLDUMP):
        t.skip("lxd_sqldump helper not built")
        return
    want = text("lxd", "sql-global-dump.sql")
    for mode in ("log", "snapshot"):
        p = subprocess.run([SQLDUMP, root, "raft", "var/lib/lxd/database/global", mode], capture_output=True)
        t.eq(p.stdout == want, True, f"lxd: the raft log replayed from the {mode} equals `lxd sql global .dump`")
    p = subprocess.run([SQLDUMP, root, "file", "var/lib/lxd/database/local.db"], capture_output=True)
    t.eq(p.stdout == text("lxd", "sql-local-dump.sql"), True, "lxd: local.db equals `lxd sql local .dump`")


def main():
    t = Tap()
    root = sysroot()
    for fn in (check_lxc_ps, check_lxc_inspect, check_export, check_diff, check_logs, check_timeline, check_lxd,
               check_dumps):
        t.run(fn, root)
    t.done()


if __name__ == "__main__":
    main()
