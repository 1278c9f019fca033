#!/usr/bin/env python3
"""mkimage.py — build the fixture's image archives from a static busybox, without any engine.

Usage: mkimage.py OUTDIR BUSYBOX

Writes into OUTDIR:
  base.oci.tar   OCI image layout archive (index.json names it csx.local/base:1 via the
                 io.containerd.image.name annotation), one gzip layer: the busybox rootfs.
  app.oci.tar    OCI archive, csx.local/app:1: the base layer + one gzip layer that adds
                 files, deletes /etc/motd (.wh.motd), replaces /opt/app (.wh..wh..opq),
                 and makes a hard link and symlinks.
  moby.oci.tar   the same image (same manifest digest) named docker.io/csx/app:1, for the
                 Docker 29 namespace.
  pause.docker.tar  `docker save`-style archive (manifest.json + repositories), uncompressed
                 layer, csx.local/pause:1: busybox + sh/sleep; Entrypoint /bin/sleep 2147483647.
                 Used as the CRI sandbox ("pause") image.
  images.json    what was built: refs, digests (manifest, config, layers), diff ids, chain ids.

Every member has a fixed mtime (SOURCE_DATE_EPOCH, default 1700000000) and uid/gid 0 unless
stated, so the digests are the same on every run.
"""
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile

EPOCH = int(os.environ.get("SOURCE_DATE_EPOCH", "1700000000"))
APPLETS = ("sh ash ls cat echo rm rmdir mkdir touch ln mkfifo mknod dd chmod chown cp mv sleep "
           "seq printf true false id head tail env wc sync date stat tr sort grep find pwd test "
           "uname hostname readlink sha256sum cut kill ps usleep yes").split()


def sha(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()


class Layer:
    """A layer tar built member by member (PAX format, like most builders)."""

    def __init__(self):
        self.buf = io.BytesIO()
        self.tf = tarfile.open(fileobj=self.buf, mode="w", format=tarfile.PAX_FORMAT)

    def _info(self, name, typ, mode, uid=0, gid=0, mtime=EPOCH):
        ti = tarfile.TarInfo(name)
        ti.type, ti.mode, ti.uid, ti.gid, ti.mtime = typ, mode, uid, gid, mtime
        ti.uname = ti.gname = ""
        return ti

    def dir(self, name, mode=0o755, **kw):
        self.tf.addfile(self._info(name.rstrip("/") + "/", tarfile.DIRTYPE, mode, **kw))

    def file(self, name, data, mode=0o644, **kw):
        if isinstance(data, str):
            data = data.encode()
        ti = self._info(name, tarfile.REGTYPE, mode, **kw)
        ti.size = len(data)
        self.tf.addfile(ti, io.BytesIO(data))

    def symlink(self, name, target, **kw):
        ti = self._info(name, tarfile.SYMTYPE, 0o777, **kw)
        ti.linkname = target
        self.tf.addfile(ti)

    def hardlink(self, name, target, **kw):
        ti = self._info(name, tarfile.LNKTYPE, 0o644, **kw)
        ti.linkname = target
        self.tf.addfile(ti)

    def finish(self):
        self.tf.close()
        return self.buf.getvalue()


def base_layer(busybox):
    L = Layer()
    for d in ("bin", "dev", "etc", "home", "opt", "opt/app", "proc", "root", "srv", "sys", "tmp",
              "usr", "usr/share", "usr/share/doc", "usr/share/doc/sub", "var", "var/log"):
        L.dir(d, mode={"root": 0o700, "tmp": 0o1777}.get(d, 0o755))
    L.dir("home/app", uid=1000, gid=1000)
    L.file("bin/busybox", busybox, mode=0o755)
    for a in APPLETS:
        L.symlink("bin/" + a, "busybox")
    L.file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"
           "daemon:x:1:1:daemon:/usr/sbin:/bin/false\n"
           "app:x:1000:1000:app user:/home/app:/bin/sh\n"
           "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n")
    L.file("etc/group", "root:x:0:\ndaemon:x:1:\napp:x:1000:\nnogroup:x:65534:\n")
    L.file("etc/shadow", "root:*:19000:0:99999:7:::\n", mode=0o640)
    L.file("etc/motd", "Welcome to the csleuth containerd fixture base image.\n")
    L.file("etc/app.conf", "mode=base\nlevel=1\n")
    for a in "abc":
        L.file("opt/app/" + a, "base file %s\n" % a)
    L.file("usr/share/doc/x.txt", "documentation x\n")
    L.file("usr/share/doc/y.txt", "documentation y\n")
    L.file("usr/share/doc/sub/z.txt", "documentation z\n")
    L.file("home/app/.profile", "app user profile\n", uid=1000, gid=1000)
    return L.finish()


def app_layer():
    L = Layer()
    t = EPOCH + 3600
    L.dir("etc", mtime=t)
    L.file("etc/.wh.motd", b"", mtime=t)                  # delete /etc/motd
    L.dir("opt", mtime=t)
    L.dir("opt/app", mtime=t)
    L.file("opt/app/.wh..wh..opq", b"", mtime=t)          # replace /opt/app
    L.file("opt/app/new", "new\n", mtime=t)
    L.dir("srv", mtime=t)
    L.dir("srv/data", mtime=t)
    L.file("srv/data/hello.txt", "hello from the app layer\n", mtime=t)
    L.hardlink("srv/data/hello-hardlink.txt", "srv/data/hello.txt", mtime=t)
    L.symlink("srv/rel-link", "data/hello.txt", mtime=t)
    L.symlink("srv/abs-link", "/srv/data/hello.txt", mtime=t)
    L.file("srv/data/numbers.txt", "".join("%d\n" % i for i in range(1, 201)), mtime=t)
    return L.finish()


def pause_layer(busybox):
    L = Layer()
    L.dir("bin")
    L.file("bin/busybox", busybox, mode=0o755)
    for a in ("sh", "sleep"):
        L.symlink("bin/" + a, "busybox")
    for d in ("dev", "etc", "proc", "sys"):
        L.dir(d)
    return L.finish()


def chain_ids(diff_ids):
    out = []
    for d in diff_ids:
        out.append(d if not out else sha((out[-1] + " " + d).encode()))
    return out


def image_config(diff_ids, cfg, history):
    return {
        "created": "2023-11-14T22:13:20Z",
        "architecture": "amd64",
        "os": "linux",
        "config": cfg,
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": history,
    }


def dumps(o):
    return json.dumps(o, separators=(",", ":"), sort_keys=False).encode()


def add_bytes(tf, name, data):
    ti = tarfile.TarInfo(name)
    ti.size, ti.mtime, ti.mode = len(data), EPOCH, 0o644
    tf.addfile(ti, io.BytesIO(data))


def write_oci(path, ref, layers, cfg, history):
    """layers: list of uncompressed tars; stored gzip'd (mtime 0 in the gzip header)."""
    blobs = {}
    diff_ids, ldescs = [], []
    for raw in layers:
        diff_ids.append(sha(raw))
        gz = gzip.compress(raw, compresslevel=6, mtime=0)
        blobs[sha(gz)] = gz
        ldescs.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                       "digest": sha(gz), "size": len(gz)})
    config = dumps(image_config(diff_ids, cfg, history))
    blobs[sha(config)] = config
    manifest = dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                      "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                 "digest": sha(config), "size": len(config)},
                      "layers": ldescs})
    blobs[sha(manifest)] = manifest
    index = dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                   "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                                  "digest": sha(manifest), "size": len(manifest),
                                  "annotations": {"io.containerd.image.name": ref,
                                                  "org.opencontainers.image.ref.name": ref.rsplit(":", 1)[1]},
                                  "platform": {"architecture": "amd64", "os": "linux"}}]})
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tf:
        add_bytes(tf, "oci-layout", b'{"imageLayoutVersion":"1.0.0"}')
        add_bytes(tf, "index.json", index)
        for d in sorted(blobs):
            add_bytes(tf, "blobs/sha256/" + d[7:], blobs[d])
    return {"ref": ref, "format": "oci-archive", "manifest_digest": sha(manifest),
            "manifest_size": len(manifest),
            "manifest_media_type": "application/vnd.oci.image.manifest.v1+json",
            "config_digest": sha(config), "layer_digests": [l["digest"] for l in ldescs],
            "layer_sizes": [l["size"] for l in ldescs],
            "diff_ids": diff_ids, "chain_ids": chain_ids(diff_ids)}


def write_docker_save(path, ref, layers, cfg, history):
    diff_ids = [sha(raw) for raw in layers]
    config = dumps(image_config(diff_ids, cfg, history))
    cfgname = sha(config)[7:] + ".json"
    names = []
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tf:
        for raw in layers:
            d = sha(raw)[7:]
            names.append(d + "/layer.tar")
            add_bytes(tf, d + "/VERSION", b"1.0")
            add_bytes(tf, d + "/layer.tar", raw)
        add_bytes(tf, cfgname, config)
        add_bytes(tf, "manifest.json", dumps([{"Config": cfgname, "RepoTags": [ref], "Layers": names}]))
        repo, tag = ref.rsplit(":", 1)
        add_bytes(tf, "repositories", dumps({repo: {tag: sha(layers[-1])[7:]}}))
    return {"ref": ref, "format": "docker-save", "config_digest": sha(config),
            "diff_ids": diff_ids, "chain_ids": chain_ids(diff_ids)}


def main():
    out, bbpath = sys.argv[1], sys.argv[2]
    with open(bbpath, "rb") as f:
        busybox = f.read()
    base = base_layer(busybox)
    app = app_layer()
    pause = pause_layer(busybox)
    env = ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"]
    h_base = [{"created": "2023-11-14T22:13:20Z", "created_by": "csleuth mkimage.py: busybox rootfs",
               "comment": "csleuth containerd fixture base layer"}]
    info = {}
    info["base"] = write_oci(os.path.join(out, "base.oci.tar"), "csx.local/base:1", [base],
                             {"Env": env, "Cmd": ["/bin/sh"],
                              "Labels": {"org.example.csx.image": "base"}}, h_base)
    info["app"] = write_oci(os.path.join(out, "app.oci.tar"), "csx.local/app:1", [base, app],
                            {"Env": env + ["APP_HOME=/opt/app"], "Cmd": ["/bin/sh"], "WorkingDir": "/srv",
                             "Labels": {"org.example.csx.image": "app"}, "StopSignal": "SIGTERM"},
                            h_base + [{"created": "2023-11-14T23:13:20Z",
                                       "created_by": "csleuth mkimage.py: app layer (adds, .wh.motd, opaque /opt/app)"}])
    # Docker 29's namespace: the same layers and config under a docker.io name (same manifest)
    info["moby"] = write_oci(os.path.join(out, "moby.oci.tar"), "docker.io/csx/app:1", [base, app],
                             {"Env": env + ["APP_HOME=/opt/app"], "Cmd": ["/bin/sh"], "WorkingDir": "/srv",
                              "Labels": {"org.example.csx.image": "app"}, "StopSignal": "SIGTERM"},
                             h_base + [{"created": "2023-11-14T23:13:20Z",
                                        "created_by": "csleuth mkimage.py: app layer (adds, .wh.motd, opaque /opt/app)"}])
    info["pause"] = write_docker_save(os.path.join(out, "pause.docker.tar"), "csx.local/pause:1", [pause],
                                      {"Env": env, "Entrypoint": ["/bin/sleep", "2147483647"]},
                                      [{"created": "2023-11-14T22:13:20Z",
                                        "created_by": "csleuth mkimage.py: pause stand-in (busybox sleep)"}])
    with open(os.path.join(out, "images.json"), "w") as f:
        json.dump(info, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
