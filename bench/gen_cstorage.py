#!/usr/bin/env python3
"""Generate a synthetic containers/storage graphroot (a rootful Podman store) for benchmarks.

Writes what Podman 4.3 leaves in /var/lib/containers/storage, in the same
on-disk formats (checked against the real-engine fixture in testdata/podman/):

  overlay-layers/layers.json          image layers and one RW layer per container
  overlay-images/images.json          images, with their big data beside them:
  overlay-images/<id>/=<b64(sha256:<id>)>, manifest   the OCI config (its
                                      sha256 is the image id) and manifest
  overlay-containers/containers.json  containers, and <id>/userdata/ctr.log
  overlay/<id>/{diff/,link,lower}, overlay/l/<short> -> ../<id>/diff
  libpod/bolt_state.db                bbolt: ctr/<id>/{config,state}, all-ctrs,
                                      id-registry, name-registry, exit-code,
                                      exit-code-time-stamp, runtime-config

Container configs carry a full OCI spec, as Podman stores them (about 5 KB
each, like the fixture's). A third of the containers ran and exited, a third
still run, a third were only created. Layer directories are empty: the tree
is for metadata tools (`csleuth ps`), not file walkers. bbolt is written by
bench/gen_containerd_root.py's writer.

Usage:
    gen_cstorage.py OUTDIR [--containers N] [--images M] [--layers L] [--seed X]

Deterministic for given arguments. Python 3 standard library only.
"""

import argparse
import base64
import hashlib
import json
import os
import random
import shutil
import string
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_containerd_root import Writer  # noqa: E402

HOST = "/var/lib/containers/storage"
CAPS = ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_NET_BIND_SERVICE",
        "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP", "CAP_SETUID", "CAP_SYS_CHROOT"]


def rfc(ns):
    import datetime
    s, n = divmod(ns, 10**9)
    d = datetime.datetime.fromtimestamp(s, datetime.timezone.utc)
    frac = ("%09d" % n).rstrip("0")
    return d.strftime("%Y-%m-%dT%H:%M:%S") + ("." + frac if frac else "") + "Z"


def short(rnd):
    return "".join(rnd.choice(string.ascii_uppercase + string.digits) for _ in range(26))


def bigdata_name(key):
    if key and all(c in "0123456789abcdefghijklmnopqrstuvwxyz." for c in key):
        return key
    return "=" + base64.b64encode(key.encode()).decode()


def spec(cid, args, env):
    return {
        "ociVersion": "1.0.2-dev",
        "process": {"user": {"uid": 0, "gid": 0}, "args": args, "env": env, "cwd": "/",
                    "capabilities": {k: CAPS for k in ("bounding", "effective", "permitted")},
                    "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1048576, "soft": 1048576}],
                    "oomScoreAdj": 0},
        "root": {"path": f"{HOST}/overlay/{cid}/merged"},
        "hostname": cid[:12],
        "mounts": [{"destination": "/proc", "type": "proc", "source": "proc", "options": ["nosuid", "noexec", "nodev"]},
                   {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
                    "options": ["nosuid", "noexec", "strictatime", "mode=755", "size=65536k"]},
                   {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
                    "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
                   {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]},
                   {"destination": "/data", "type": "bind", "source": f"/srv/data/{cid[:8]}",
                    "options": ["rw", "rprivate", "rbind"]}],
        "annotations": {"io.container.manager": "libpod", "io.podman.annotations.autoremove": "FALSE",
                        "io.podman.annotations.init": "FALSE", "io.podman.annotations.privileged": "FALSE",
                        "io.kubernetes.cri-o.TTY": "false", "org.opencontainers.image.stopSignal": "15"},
        "linux": {"resources": {"pids": {"limit": 2048}},
                  "cgroupsPath": f"/libpod_parent/libpod-{cid}",
                  "namespaces": [{"type": t} for t in ("pid", "network", "ipc", "uts", "mount", "cgroup")],
                  "maskedPaths": ["/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                                  "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
                                  "/sys/firmware", "/sys/fs/selinux", "/sys/dev/block"],
                  "readonlyPaths": ["/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                                    "/proc/sysrq-trigger"]},
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--containers", "-n", type=int, default=300)
    ap.add_argument("--images", "-m", type=int, default=30)
    ap.add_argument("--layers", "-l", type=int, default=4)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--force", action="store_true")
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    if os.path.exists(a.out):
        if not a.force and os.listdir(a.out):
            sys.exit(f"{a.out} exists and is not empty (use --force)")
        shutil.rmtree(a.out)
    for d in ("overlay/l", "overlay-layers", "overlay-images", "overlay-containers", "libpod", "volumes"):
        os.makedirs(os.path.join(a.out, d))
    t0 = 1_795_700_000 * 10**9
    layers, images, ctrs = [], [], []
    links, parent_of = {}, {}

    def layer(lid, parent, t, digest=None):
        d = os.path.join(a.out, "overlay", lid)
        os.makedirs(os.path.join(d, "diff"))
        os.makedirs(os.path.join(d, "work"))
        s = short(rnd)
        links[lid] = s
        with open(os.path.join(d, "link"), "w") as f:
            f.write(s)
        os.symlink(f"../{lid}/diff", os.path.join(a.out, "overlay/l", s))
        parent_of[lid] = parent
        chain = []
        p = parent
        while p:
            chain.append("l/" + links[p])
            p = parent_of.get(p)
        if chain:
            with open(os.path.join(d, "lower"), "w") as f:
                f.write(":".join(chain))
        else:
            os.makedirs(os.path.join(d, "empty"))
        rec = {"id": lid, "created": rfc(t)}
        if parent:
            rec["parent"] = parent
        if digest:
            rec.update({"compressed-diff-digest": digest, "compressed-size": 2048, "diff-digest": digest,
                        "diff-size": 2048, "uidset": [0], "gidset": [0]})
        layers.append(rec)

    tops = []
    for i in range(a.images):
        parent = None
        diffs = []
        for k in range(a.layers):
            dg = "sha256:" + hashlib.sha256(f"img{i}-layer{k}-{a.seed}".encode()).hexdigest()
            diffs.append(dg)
            lid = hashlib.sha256(f"{parent}+{dg}".encode()).hexdigest() if parent else dg[7:]
            layer(lid, parent, t0 + i * 10**9, dg)
            parent = lid
        cfg = json.dumps({"created": rfc(t0 + i * 10**9), "architecture": "amd64", "os": "linux",
                          "config": {"Env": ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"], "Cmd": ["/bin/sh"],
                                     "Labels": {"io.buildah.version": "1.28.2"}},
                          "rootfs": {"type": "layers", "diff_ids": diffs},
                          "history": [{"created": rfc(t0 + i * 10**9), "created_by": f"/bin/sh -c step {k}"}
                                      for k in range(a.layers)]}, separators=(",", ":")).encode()
        iid = hashlib.sha256(cfg).hexdigest()
        man = json.dumps({"schemaVersion": 2, "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                                          "digest": "sha256:" + iid, "size": len(cfg)},
                          "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": d,
                                      "size": 2048} for d in diffs]}, separators=(",", ":")).encode()
        md = "sha256:" + hashlib.sha256(man).hexdigest()
        idir = os.path.join(a.out, "overlay-images", iid)
        os.makedirs(idir)
        for key, data in ((f"sha256:{iid}", cfg), ("manifest", man), (f"manifest-{md}", man)):
            with open(os.path.join(idir, bigdata_name(key)), "wb") as f:
                f.write(data)
        name = f"registry.example/team{i % 7}/app{i}:1.{i}"
        images.append({"id": iid, "digest": md, "names": [name], "names-history": [name], "layer": parent,
                       "metadata": "{}", "big-data-names": [f"sha256:{iid}", f"manifest-{md}", "manifest"],
                       "big-data-sizes": {f"sha256:{iid}": len(cfg), f"manifest-{md}": len(man), "manifest": len(man)},
                       "big-data-digests": {f"sha256:{iid}": "sha256:" + iid, f"manifest-{md}": md, "manifest": md},
                       "created": rfc(t0 + i * 10**9)})
        tops.append((iid, name, parent))
    bolt = {"all-ctrs": {}, "id-registry": {}, "name-registry": {}, "ctr": {}, "exit-code": {},
            "exit-code-time-stamp": {}, "allPods": {}, "pod": {}, "allVolumes": {}, "vol": {}, "exec": {},
            "ns-registry": {}, "volume-ctrs": {},
            "runtime-config": {"os": b"linux", "static-dir": f"{HOST}/libpod".encode(), "tmp-dir": b"/run/libpod",
                               "run-root": b"/run/containers/storage", "graph-root": HOST.encode(),
                               "graph-driver-name": b"overlay", "volume-path": f"{HOST}/volumes".encode()}}
    for i in range(a.containers):
        iid, iname, top = tops[rnd.randrange(len(tops))]
        cid = hashlib.sha256(f"ctr{i}-{a.seed}".encode()).hexdigest()
        lid = hashlib.sha256(f"layer-of-{cid}".encode()).hexdigest()
        tc = t0 + (i + 1000) * 10**9 + rnd.randint(0, 10**9 - 1)
        layer(lid, top, tc)
        name = f"ctr{i}"
        udir = os.path.join(a.out, "overlay-containers", cid, "userdata")
        os.makedirs(udir)
        logp = f"{HOST}/overlay-containers/{cid}/userdata/ctr.log"
        with open(os.path.join(udir, "ctr.log"), "w") as f:
            f.write(rfc(tc + 10**8).replace("Z", "+00:00") + f" stdout F hello from {name}\n")
        args = ["/bin/sh", "-c", f"serve --id {i} --port {8000 + i % 1000}"]
        cfg = {"spec": spec(cid, args, ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm", "container=podman",
                                        f"HOSTNAME={cid[:12]}", "HOME=/root"]),
               "id": cid, "name": name, "lockID": i, "CreateCommand": ["podman", "run", "-d", "--name", name, iname] + args,
               "RawImageName": iname, "rootfsImageID": iid, "rootfsImageName": iname,
               "ShmDir": f"{HOST}/overlay-containers/{cid}/userdata/shm", "shmSize": 65536000,
               "staticDir": f"{HOST}/overlay-containers/{cid}/userdata", "mounts": [], "userVolumes": ["/data"],
               "command": args, "stopSignal": 15, "stopTimeout": 10, "createdTime": rfc(tc),
               "cgroupManager": "cgroupfs", "cgroupParent": "/libpod_parent", "logPath": logp, "logTag": "",
               "logSize": 0, "logDriver": "k8s-file", "conmonPidFile": f"/run/containers/storage/overlay-containers/{cid}/userdata/conmon.pid",
               "runtime": "runc", "umask": "0022", "passwd": True, "pause": False,
               "pid_file": f"/run/containers/storage/overlay-containers/{cid}/userdata/pidfile"}
        kind = i % 3
        st = {"state": [6, 3, 1][kind], "configPath": f"{HOST}/overlay-containers/{cid}/userdata/config.json",
              "runDir": f"/run/containers/storage/overlay-containers/{cid}/userdata",
              "startedTime": rfc(tc + 10**9) if kind < 2 else "0001-01-01T00:00:00Z",
              "finishedTime": rfc(tc + 5 * 10**9) if kind == 0 else "0001-01-01T00:00:00Z",
              "checkpointedTime": "0001-01-01T00:00:00Z", "restoredTime": "0001-01-01T00:00:00Z"}
        if kind == 0:
            st.update({"exitCode": i % 4, "exited": True})
            bolt["exit-code"][cid] = str(i % 4).encode()
            bolt["exit-code-time-stamp"][cid] = rfc(tc + 5 * 10**9).encode()
        if kind == 1:
            st.update({"pid": 1000 + i, "conmonPid": 900 + i, "mounted": True,
                       "mountPoint": f"{HOST}/overlay/{lid}/merged"})
        bolt["ctr"][cid] = {"config": json.dumps(cfg, separators=(",", ":")).encode(),
                            "state": json.dumps(st, separators=(",", ":")).encode(), "dependencies": {}}
        bolt["all-ctrs"][cid] = name.encode()
        bolt["id-registry"][cid] = name.encode()
        bolt["name-registry"][name] = cid.encode()
        ctrs.append({"id": cid, "names": [name], "image": iid, "layer": lid,
                     "metadata": json.dumps({"image-name": iname, "image-id": iid, "name": name,
                                             "created-at": tc // 10**9}, separators=(",", ":")),
                     "created": rfc(tc), "flags": {"MountLabel": "", "ProcessLabel": ""}})
    for f, v in (("overlay-layers/layers.json", layers), ("overlay-images/images.json", images),
                 ("overlay-containers/containers.json", ctrs)):
        with open(os.path.join(a.out, f), "w") as fh:
            json.dump(v, fh)
    Writer().save(os.path.join(a.out, "libpod/bolt_state.db"), bolt)
    print(f"{a.out}: {a.containers} containers, {a.images} images of {a.layers} layers", file=sys.stderr)


if __name__ == "__main__":
    main()
