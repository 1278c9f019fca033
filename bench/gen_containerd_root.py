#!/usr/bin/env python3
"""Generate a synthetic containerd root (a Kubernetes-style node) for benchmarks.

Writes what containerd 1.6 leaves in /var/lib/containerd, in the same on-disk
formats (checked against the real-engine fixture in testdata/containerd/):

  io.containerd.metadata.v1.bolt/meta.db   bbolt: v1/<ns>/{containers,images,
                                           snapshots/overlayfs,content/blob}
  io.containerd.snapshotter.v1.overlayfs/  metadata.db (bbolt) + snapshots/<id>/fs
  io.containerd.content.v1.content/blobs/sha256/  manifests and configs
  io.containerd.grpc.v1.cri/containers/<id>/status  (namespace k8s.io)

Namespaces: the first is "k8s.io" (CRI labels, extension, status files), the
others plain ctr namespaces. Containers are spread over the namespaces, each
on an image of its namespace; snapshots = image layers + one active snapshot
per container. Layer directories are empty: the tree is for metadata tools
(`csleuth ps`), not file walkers.

bbolt is written the way bbolt writes it: 4096-byte pages, two meta pages
(FNV-1a checksums), a freelist page, leaf pages of at most a page (an element
larger than that gets an overflow run), branch pages above them, and
buckets inline when they hold no sub-bucket and are small (bucket.go
maxInlineBucketSize = pageSize/4).

Usage:
    gen_containerd_root.py OUTDIR [--containers N] [--snapshots S] [--namespaces K] [--seed X]

Deterministic for given arguments. Python 3 standard library only.
"""

import argparse
import hashlib
import json
import os
import random
import shutil
import struct
import sys

PSZ = 4096
BUCKET = object()  # marker type for sub-bucket dicts


def fnv64(b):
    h = 0xcbf29ce484222325
    for x in b:
        h = ((h ^ x) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


class Writer:
    """Lays a tree of dicts (buckets) and bytes (values) out as bbolt pages."""

    def __init__(self):
        self.pages = {}   # pgid -> bytes (a run of one or more pages)
        self.next = 3     # 0, 1 meta; 2 freelist

    def alloc(self, data, flags, count, overflow_ok=True):
        n = max(1, (len(data) + PSZ - 1) // PSZ)
        pgid = self.next
        self.next += n
        hdr = struct.pack("<QHHI", pgid, flags, count, n - 1)
        body = hdr + data[16:]
        body += b"\0" * (n * PSZ - len(body))
        self.pages[pgid] = body
        return pgid

    @staticmethod
    def leaf_image(elems):
        """A leaf page image (header + elements + data) for [(flags, k, v)]."""
        n = len(elems)
        head = bytearray(16 + 16 * n)
        struct.pack_into("<QHHI", head, 0, 0, 0x02, n, 0)
        data = bytearray()
        for i, (fl, k, v) in enumerate(elems):
            eoff = 16 + 16 * i
            pos = len(head) + len(data) - eoff
            struct.pack_into("<IIII", head, eoff, fl, pos, len(k), len(v))
            data += k + v
        return bytes(head + data)

    def bucket_value(self, d):
        """The value stored for a sub-bucket: 16-byte header (+ inline page)."""
        elems = self.elements(d)
        has_sub = any(fl for fl, _, _ in elems)
        img = self.leaf_image(elems)
        if not has_sub and len(img) + 16 <= PSZ // 4:
            return struct.pack("<QQ", 0, d.get(BUCKET, 0)) + img
        root = self.write_tree(elems)
        return struct.pack("<QQ", root, d.get(BUCKET, 0))

    def elements(self, d):
        out = []
        for k in sorted(x for x in d if x is not BUCKET):
            v = d[k]
            kb = k if isinstance(k, bytes) else k.encode()
            if isinstance(v, dict):
                out.append((1, kb, self.bucket_value(v)))
            else:
                out.append((0, kb, v))
        return out

    def write_tree(self, elems):
        """Leaf pages of up to one page each, then branch levels; returns the root."""
        level = []  # (first key, pgid)
        cur, size = [], 16
        for e in elems + [None]:
            esz = 0 if e is None else 16 + len(e[1]) + len(e[2])
            if e is None or (cur and size + esz > PSZ):
                if cur:
                    img = self.leaf_image(cur)
                    level.append((cur[0][1], self.alloc(img, 0x02, len(cur))))
                cur, size = [], 16
            if e is not None:
                cur.append(e)
                size += esz
        if not level:
            level.append((b"", self.alloc(self.leaf_image([]), 0x02, 0)))
        while len(level) > 1:
            up, cur, size = [], [], 16
            for e in level + [None]:
                esz = 0 if e is None else 16 + len(e[0])
                if e is None or (cur and size + esz > PSZ):
                    if cur:
                        n = len(cur)
                        head = bytearray(16 + 16 * n)
                        data = bytearray()
                        for i, (k, pg) in enumerate(cur):
                            eoff = 16 + 16 * i
                            struct.pack_into("<IIQ", head, eoff, len(head) + len(data) - eoff, len(k), pg)
                            data += k
                        up.append((cur[0][0], self.alloc(bytes(head + data), 0x01, n)))
                    cur, size = [], 16
                if e is not None:
                    cur.append(e)
                    size += esz
            level = up
        return level[0][1]

    def save(self, path, root_tree, txid=7):
        root = self.write_tree(self.elements(root_tree))
        hwm = self.next
        buf = bytearray(hwm * PSZ)
        for pg, body in self.pages.items():
            buf[pg * PSZ:pg * PSZ + len(body)] = body
        struct.pack_into("<QHHI", buf, 2 * PSZ, 2, 0x10, 0, 0)  # empty freelist
        for m in (0, 1):
            off = m * PSZ
            struct.pack_into("<QHHI", buf, off, m, 0x04, 0, 0)
            meta = struct.pack("<IIIIQQQQQ", 0xED0CDAED, 2, PSZ, 0, root, 0, 2, hwm, txid - 1 + m)
            buf[off + 16:off + 16 + 56] = meta
            struct.pack_into("<Q", buf, off + 16 + 56, fnv64(meta))
        with open(path, "wb") as f:
            f.write(buf)


def gotime(ns):
    sec, n = divmod(ns, 10**9)
    return bytes([1]) + struct.pack(">qih", sec + 62135596800, n, -1)


def zigzag(v):
    u = (v << 1) ^ (v >> 63)
    return uvarint(u)


def uvarint(u):
    out = bytearray()
    while True:
        b = u & 0x7F
        u >>= 7
        out.append(b | (0x80 if u else 0))
        if not u:
            return bytes(out)


def pb_any(url, value):
    def ld(tag, b):
        return bytes([tag]) + uvarint(len(b)) + b
    return ld(0x0a, url.encode()) + ld(0x12, value)


def spec_json(args, env, mounts):
    return json.dumps({
        "ociVersion": "1.0.2-dev",
        "process": {"user": {"uid": 0, "gid": 0}, "args": args, "env": env, "cwd": "/",
                    "capabilities": {k: ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER",
                                         "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID",
                                         "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
                                         "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"]
                                     for k in ("bounding", "effective", "permitted")},
                    "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
                    "noNewPrivileges": True},
        "root": {"path": "rootfs"},
        "mounts": [{"destination": "/proc", "type": "proc", "source": "proc",
                    "options": ["nosuid", "noexec", "nodev"]},
                   {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
                    "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]}] + mounts,
        "linux": {"resources": {"devices": [{"allow": False, "access": "rwm"}]},
                  "cgroupsPath": "/default/x",
                  "namespaces": [{"type": t} for t in ("pid", "ipc", "uts", "mount", "network")],
                  "maskedPaths": ["/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                                  "/proc/timer_list", "/proc/sched_debug", "/sys/firmware"],
                  "readonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys"]},
    }, separators=(",", ":")).encode()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--containers", "-n", type=int, default=300)
    ap.add_argument("--snapshots", "-s", type=int, default=1000)
    ap.add_argument("--namespaces", "-k", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--force", action="store_true")
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    if os.path.exists(a.out):
        if not a.force and os.listdir(a.out):
            sys.exit(f"{a.out} exists and is not empty (use --force)")
        shutil.rmtree(a.out)
    os.makedirs(a.out)
    nss = ["k8s.io"] + [f"ns{i}" for i in range(1, a.namespaces)]
    committed = max(a.namespaces, a.snapshots - a.containers)
    t0 = 1_700_000_000 * 10**9
    meta = {"v1": {"version": zigzag(3)}}
    snapdb = {"v1": {"snapshots": {}, "parents": {}}}
    content = os.path.join(a.out, "io.containerd.content.v1.content/blobs/sha256")
    sdir = os.path.join(a.out, "io.containerd.snapshotter.v1.overlayfs/snapshots")
    cridir = os.path.join(a.out, "io.containerd.grpc.v1.cri/containers")
    for d in (content, sdir, cridir):
        os.makedirs(d)
    sid = [0]
    seq = [0]

    def blob(b):
        h = hashlib.sha256(b).hexdigest()
        with open(os.path.join(content, h), "wb") as f:
            f.write(b)
        return "sha256:" + h

    def snapshot(ns, key, parent_name, kind, t):
        sid[0] += 1
        seq[0] += 1
        name = f"{ns}/{seq[0]}/{key}"
        rec = {"id": uvarint(sid[0]), "kind": bytes([kind]), "createdat": gotime(t), "updatedat": gotime(t)}
        if parent_name:
            rec["parent"] = parent_name.encode()
        if kind == 3:
            rec["size"] = zigzag(4096 * rnd.randint(1, 5000))
            rec["inodes"] = zigzag(rnd.randint(1, 900))
        snapdb["v1"]["snapshots"][name] = rec
        if parent_name:
            pid = snapdb["v1"]["snapshots"][parent_name]["id"]
            snapdb["v1"]["parents"][pid + b"\0" + uvarint(sid[0])] = name.encode()
        os.makedirs(os.path.join(sdir, str(sid[0]), "fs"))
        if kind == 2:
            os.makedirs(os.path.join(sdir, str(sid[0]), "work"))
        nsb = meta["v1"].setdefault(ns, {}).setdefault("snapshots", {}).setdefault("overlayfs", {})
        nsb[key] = {"name": name.encode(), "createdat": gotime(t), "updatedat": gotime(t)}
        if parent_name:
            nsb[key]["parent"] = parent_name.split("/", 2)[2].encode()
        return name

    images = {}
    for ni, ns in enumerate(nss):
        per_ns_layers = committed // len(nss) + (1 if ni < committed % len(nss) else 0)
        nsb = meta["v1"].setdefault(ns, {})
        nimg = max(1, min(10, per_ns_layers))
        for ii in range(nimg):
            nl = per_ns_layers // nimg + (1 if ii < per_ns_layers % nimg else 0)
            diffs = ["sha256:" + hashlib.sha256(f"{ns}-{ii}-{l}".encode()).hexdigest() for l in range(max(nl, 1))]
            chain, parent = None, None
            for d in diffs:
                chain = d if chain is None else "sha256:" + hashlib.sha256(f"{chain} {d}".encode()).hexdigest()
                parent = snapshot(ns, chain, parent, 3, t0 + ii * 10**9)
            cfg = json.dumps({"architecture": "amd64", "os": "linux", "created": "2023-11-14T22:13:20Z",
                              "config": {"Env": ["PATH=/usr/bin:/bin"], "Cmd": ["/app", "--serve"]},
                              "rootfs": {"type": "layers", "diff_ids": diffs},
                              "history": [{"created": "2023-11-14T22:13:20Z", "created_by": f"layer {i}"}
                                          for i in range(len(diffs))]}).encode()
            cd = blob(cfg)
            man = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                              "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd,
                                         "size": len(cfg)},
                              "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                                          "digest": "sha256:" + hashlib.sha256(d.encode()).hexdigest(),
                                          "size": 1000} for d in diffs]}).encode()
            md = blob(man)
            name = f"registry.example/{ns.replace('.', '-')}/app{ii}:1.{ii}"
            nsb.setdefault("images", {})[name] = {
                "createdat": gotime(t0), "updatedat": gotime(t0),
                "target": {"digest": md.encode(), "mediatype": b"application/vnd.oci.image.manifest.v1+json",
                           "size": zigzag(len(man))},
                "labels": {"io.cri-containerd.image": b"managed"} if ns == "k8s.io" else {}}
            if ns == "k8s.io":
                nsb["images"][cd] = dict(nsb["images"][name])
            images.setdefault(ns, []).append((name, chain, cd))
    for i in range(a.containers):
        ns = nss[i % len(nss)]
        name, chain, cd = images[ns][rnd.randrange(len(images[ns]))]
        cid = hashlib.sha256(f"c{i}-{a.seed}".encode()).hexdigest()
        t = t0 + (i + 100) * 10**9 + rnd.randint(0, 10**9 - 1)
        pchain = [n for n in snapdb["v1"]["snapshots"] if n.endswith("/" + chain) and n.startswith(ns + "/")][0]
        snapshot(ns, cid, pchain, 2, t)
        labels = {"io.containerd.image.config.stop-signal": b"SIGTERM"}
        rec = {"createdat": gotime(t), "updatedat": gotime(t), "image": name.encode(),
               "snapshotter": b"overlayfs", "snapshotKey": cid.encode(),
               "runtime": {"name": b"io.containerd.runc.v2", "options": pb_any("containerd.runc.v1.Options", b"")}}
        mounts = []
        if ns == "k8s.io":
            pod, uid, cname = f"pod{i // 2}", hashlib.md5(str(i // 2).encode()).hexdigest(), f"c{i % 2}"
            labels.update({"io.cri-containerd.kind": b"container", "io.kubernetes.container.name": cname.encode(),
                           "io.kubernetes.pod.name": pod.encode(), "io.kubernetes.pod.namespace": b"default",
                           "io.kubernetes.pod.uid": uid.encode()})
            logp = f"/var/log/pods/default_{pod}_{uid}/{cname}/0.log"
            ext = json.dumps({"Version": "v1", "Metadata": {
                "ID": cid, "Name": f"{cname}_{pod}_default_{uid}_0", "SandboxID": "0" * 64,
                "Config": {"metadata": {"name": cname, "attempt": 0}, "image": {"image": cd},
                           "command": ["/app"], "log_path": f"{cname}/0.log"},
                "ImageRef": cd, "LogPath": logp, "StopSignal": "SIGTERM"}}).encode()
            rec["extensions"] = {"io.cri-containerd.container.metadata":
                                 pb_any("github.com/containerd/cri/pkg/store/container/Metadata", ext)}
            mounts = [{"destination": "/data", "type": "bind", "source": f"/var/lib/kubelet/pods/{uid}/volumes/x",
                       "options": ["rbind", "rprivate", "rw"]}]
            os.makedirs(os.path.join(cridir, cid))
            st = {"Version": "v1", "Pid": 1000 + i, "CreatedAt": t, "StartedAt": t + 10**8,
                  "FinishedAt": 0 if i % 3 else t + 10**9, "ExitCode": 0 if i % 3 else 137,
                  "Reason": "", "Message": "", "Resources": None}
            with open(os.path.join(cridir, cid, "status"), "w") as f:
                json.dump(st, f)
        rec["labels"] = labels
        rec["spec"] = pb_any("types.containerd.io/opencontainers/runtime-spec/1/Spec",
                             spec_json(["/app", "--serve", f"--id={i}"], ["PATH=/usr/bin:/bin", f"N={i}"], mounts))
        meta["v1"].setdefault(ns, {}).setdefault("containers", {})[cid] = rec
    # the snapshots bucket's sequence is the last id handed out
    snapdb["v1"]["snapshots"][BUCKET] = sid[0]
    os.makedirs(os.path.join(a.out, "io.containerd.metadata.v1.bolt"))
    Writer().save(os.path.join(a.out, "io.containerd.metadata.v1.bolt/meta.db"), meta)
    Writer().save(os.path.join(a.out, "io.containerd.snapshotter.v1.overlayfs/metadata.db"), snapdb)
    print(f"{a.out}: {a.containers} containers in {len(nss)} namespaces, {sid[0]} snapshots", file=sys.stderr)


if __name__ == "__main__":
    main()
