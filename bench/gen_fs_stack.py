#!/usr/bin/env python3
"""Generate a Docker 20.10 overlay2 data root holding one 3-layer image with a
large file tree, for benchmarking `csleuth mount` against overlay mounts.

The root holds one image, tagged `bench/fs:latest`:

  image/overlay2/repositories.json
  image/overlay2/imagedb/content/sha256/<id>      image config; sha256(bytes) == id
  image/overlay2/imagedb/metadata/sha256/<id>/lastUpdated
  image/overlay2/layerdb/sha256/<chain id>/{diff,cache-id,size[,parent]}
  overlay2/<cache id>/{diff/,link[,lower,work/]}
  overlay2/l/<short name> -> ../<cache id>/diff

and empty containers/, volumes/ and tmp/ folders. The layers (base first):

  base    ~60,000 entries: ~470 directories of small files (0-4 KiB),
          relative and absolute symlinks, a few hard links, and one large
          file of real (non-sparse) bytes, 1 GiB by default
          (/opt/big/blob.bin).
  middle  ~15,000 entries: overrides ~5,000 base files, deletes ~1,000
          (char 0/0 whiteouts), deletes the directory /var/cache/gone,
          replaces /srv/replaced (trusted.overlay.opaque=y) and adds new
          directories.
  top     ~5,000 entries: overrides and deletes files of both lower layers,
          adds files, symlinks and hard links.

The output depends only on the arguments and the seed: the same names,
contents, modes, owners and nanosecond mtimes every time. Whiteouts are
device nodes and opacity is a trusted.* xattr, so this must run as root.
Python 3 standard library only.

Usage:
    gen_fs_stack.py OUTDIR [--seed S] [--big-mib N] [--scale F] [--force] [-q]
    gen_fs_stack.py --describe OUTDIR

--describe reads an existing root the way the engine would (repositories.json,
the image config, chain ids, cache ids) and prints shell assignments:
IMAGE, IMAGE_ID, LAYERS (the diff directories, top first, colon-separated,
relative to OUTDIR), BIG_FILE (path inside the image), ENTRIES (entries in
the three diff directories) and MERGED (entries in the merged view).
"""

import argparse
import base64
import datetime
import hashlib
import json
import os
import random
import shutil
import stat
import sys

TAG = "bench/fs:latest"
REPO = "bench/fs"
BIG_FILE = "opt/big/blob.bin"
BIG_LABEL = "org.csleuth.bench.bigfile"
MIB = 1 << 20

# Fixed epochs (seconds) for each layer's mtimes.
EPOCH = {0: 1672531200, 1: 1682899200, 2: 1693526400}  # 2023-01-01, 05-01, 09-01


def rfc3339nano(ns):
    """Go's time.RFC3339Nano: trailing zeros of the fraction trimmed."""
    s, frac = divmod(ns, 10**9)
    base = datetime.datetime.fromtimestamp(s, datetime.timezone.utc)
    out = base.strftime("%Y-%m-%dT%H:%M:%S")
    if frac:
        out += ("." + "%09d" % frac).rstrip("0")
    return out + "Z"


class Layer:
    """One layer's diff directory and what was put in it."""

    def __init__(self, gen, index, diff):
        self.gen = gen
        self.index = index
        self.diff = diff
        self.entries = 0
        self.size = 0          # bytes of regular files, hard links once
        self.dirs = {}         # rel dir -> mode (mtimes set at the end)
        self.clock = 0         # per-entry mtime step
        self.paths = []        # regular files created here (for later layers)

    def p(self, rel):
        return os.path.join(self.diff, rel)

    def mtime_ns(self):
        self.clock += 1
        rng = self.gen.rng
        return (EPOCH[self.index] + self.clock * 7) * 10**9 + rng.randrange(10**9)

    def mkdir(self, rel, mode=0o755, uid=0, gid=0):
        """Creates rel and its parents (parents 0755 root, counted once)."""
        parts = rel.split("/")
        for i in range(1, len(parts) + 1):
            sub = "/".join(parts[:i])
            if sub in self.dirs:
                continue
            last = i == len(parts)
            m = mode if last else 0o755
            os.mkdir(self.p(sub))
            os.chmod(self.p(sub), m)
            if last and (uid or gid):
                os.lchown(self.p(sub), uid, gid)
            self.dirs[sub] = m
            self.entries += 1

    def parent(self, rel):
        d = os.path.dirname(rel)
        if d and d not in self.dirs:
            self.mkdir(d)

    def file(self, rel, data, mode=0o644, uid=0, gid=0):
        self.parent(rel)
        path = self.p(rel)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)
        os.chmod(path, mode)
        if uid or gid:
            os.lchown(path, uid, gid)
        t = self.mtime_ns()
        os.utime(path, ns=(t, t))
        self.entries += 1
        self.size += len(data)
        self.paths.append(rel)

    def symlink(self, rel, target):
        self.parent(rel)
        os.symlink(target, self.p(rel))
        t = self.mtime_ns()
        os.utime(self.p(rel), ns=(t, t), follow_symlinks=False)
        self.entries += 1

    def hardlink(self, rel, existing):
        self.parent(rel)
        os.link(self.p(existing), self.p(rel))
        self.entries += 1

    def whiteout(self, rel):
        """overlayfs whiteout: a char 0/0 device named like the deleted entry."""
        self.parent(rel)
        os.mknod(self.p(rel), stat.S_IFCHR, os.makedev(0, 0))  # mode 0, like the engine's
        t = self.mtime_ns()
        os.utime(self.p(rel), ns=(t, t), follow_symlinks=False)
        self.entries += 1

    def opaque(self, rel):
        self.mkdir(rel)
        os.setxattr(self.p(rel), "trusted.overlay.opaque", b"y")

    def finish(self):
        """Directory mtimes last, deepest first, so creating children does
        not change them afterwards."""
        for rel in sorted(self.dirs, key=lambda r: -r.count("/")):
            t = self.mtime_ns()
            os.utime(self.p(rel), ns=(t, t))
        t = self.mtime_ns()
        os.chmod(self.diff, 0o755)
        os.utime(self.diff, ns=(t, t))


class Gen:
    def __init__(self, root, seed, big_mib, scale, quiet):
        self.root = root
        self.seed = seed
        self.big_mib = big_mib
        self.scale = scale
        self.quiet = quiet
        self.rng = random.Random(seed)
        # One pool of pseudo-random bytes; small files are slices of it.
        self.pool = self.rng.randbytes(1 << 17)
        self.used_links = set()

    def log(self, msg):
        if not self.quiet:
            print("gen_fs_stack: " + msg, file=sys.stderr)

    def n(self, count):
        return max(1, int(count * self.scale))

    def hex64(self):
        return "%064x" % self.rng.getrandbits(256)

    def link_id(self):
        while True:
            raw = self.rng.getrandbits(160).to_bytes(20, "big")
            s = base64.b32encode(raw).decode()[:26]
            if s not in self.used_links:
                self.used_links.add(s)
                return s

    def blob(self, lo=0, hi=4096, tag=b""):
        """Small file content: a tag line, then a slice of the pool."""
        size = int(self.rng.triangular(lo, hi, lo + (hi - lo) // 5))
        off = self.rng.randrange(len(self.pool) - size)
        return (tag + b"\n" + self.pool[off:off + size])[:max(size, len(tag) + 1)]

    def p(self, *parts):
        return os.path.join(self.root, *parts)

    @staticmethod
    def write(path, data, mode=0o644):
        if isinstance(data, str):
            data = data.encode()
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)

    # ---- layer contents ---------------------------------------------------

    def big_file(self, L):
        """BIG_FILE: big_mib MiB of real bytes. Each MiB is the pool-derived
        block with its own index in front, so no two MiB are equal."""
        L.parent(BIG_FILE)
        block = bytearray((self.pool * 8)[:MIB])
        path = L.p(BIG_FILE)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            for i in range(self.big_mib):
                block[0:16] = b"blob MiB %06d\n" % i
                os.write(fd, block)
        finally:
            os.close(fd)
        t = L.mtime_ns()
        os.utime(path, ns=(t, t))
        L.entries += 1
        L.size += self.big_mib * MIB

    def base(self, L):
        rng = self.rng
        self.big_file(L)
        # /bin: executables, a few hard-linked aliases, absolute symlinks
        nbin = self.n(400)
        for i in range(nbin):
            L.file("bin/tool%03d" % i, b"#!/bin/sh\n" + self.blob(64, 2048, b"tool %d" % i), 0o755)
        for i in range(0, nbin, 40):
            L.hardlink("bin/tool%03d-alias" % i, "bin/tool%03d" % i)
        for i in range(self.n(100)):
            L.symlink("usr/bin/t%03d" % i, "/bin/tool%03d" % i)
        # /etc: configuration files, some private
        for i in range(self.n(300)):
            mode = 0o600 if i % 17 == 0 else 0o644
            L.file("etc/conf%03d.conf" % i, self.blob(16, 2048, b"# conf %d" % i), mode)
        # /usr/lib/pkgNNN/{data,doc}: the bulk
        npkg = self.n(150)
        per_dir = 185
        for k in range(npkg):
            pk = "usr/lib/pkg%03d" % k
            for j in range(8):
                name = "%s/lib%d.so.1" % (pk, j)
                L.file(name, self.blob(512, 4096, b"lib %d %d" % (k, j)), 0o755)
                L.symlink("%s/lib%d.so" % (pk, j), "lib%d.so.1" % j)
            for sub in ("data", "doc"):
                for j in range(per_dir + rng.randrange(-10, 10)):
                    uid = 1000 if (k + j) % 23 == 0 else 0
                    L.file("%s/%s/f%04d" % (pk, sub, j),
                           self.blob(0, 4096, b"%s %s %d" % (pk.encode(), sub.encode(), j)),
                           0o644, uid, uid)
        # /var/www owned by www-data
        for i in range(self.n(300)):
            L.file("var/www/html/page%03d.html" % i, self.blob(100, 3000, b"<!-- %d -->" % i),
                   0o644, 33, 33)
        # deleted as a whole by the middle layer
        for i in range(self.n(200)):
            L.file("var/cache/gone/c%04d" % i, self.blob(0, 1024, b"gone %d" % i))
        # replaced (opaque) by the middle layer
        for i in range(self.n(500)):
            L.file("srv/replaced/old%04d" % i, self.blob(0, 1024, b"old %d" % i))
        L.mkdir("tmp", 0o1777)
        L.mkdir("root", 0o700)

    def middle(self, L, base):
        rng = self.rng
        cands = [p for p in base.paths
                 if p.startswith("usr/lib/") and ("/data/" in p or "/doc/" in p)]
        rng.shuffle(cands)
        nover, ndel = self.n(5000), self.n(1000)
        for rel in sorted(cands[:nover]):
            L.file(rel, self.blob(0, 4096, b"v2 " + rel.encode()))
        self.deleted_mid = sorted(cands[nover:nover + ndel])
        for rel in self.deleted_mid:
            L.whiteout(rel)
        L.whiteout("var/cache/gone")
        L.opaque("srv/replaced")
        for i in range(self.n(300)):
            L.file("srv/replaced/new%04d" % i, self.blob(0, 2048, b"new %d" % i))
        # a directory in the middle layer that the top layer will delete
        for i in range(self.n(100)):
            L.file("usr/share/obsolete/o%03d" % i, self.blob(0, 512, b"obsolete %d" % i))
        # new applications
        napp = self.n(8600)
        for i in range(napp):
            app = "usr/local/app%02d" % (i % 40)
            L.file("%s/m%03d/f%05d" % (app, (i // 40) % 12, i), self.blob(0, 3000, b"app %d" % i))
        for i in range(self.n(200)):
            L.symlink("usr/local/bin/app%03d" % i, "../app%02d/m000/f%05d" % (i % 40, i % 40))
        self.base_left = [p for p in cands[nover + ndel:]]

    def top(self, L, base, mid):
        rng = self.rng
        mid_files = [p for p in mid.paths if p.startswith("usr/local/")]
        rng.shuffle(mid_files)
        for rel in sorted(mid_files[:self.n(600)]):
            L.file(rel, self.blob(0, 3000, b"v3 " + rel.encode()))
        for rel in sorted(mid_files[self.n(600):self.n(750)]):
            L.whiteout(rel)
        base_left = self.base_left
        rng.shuffle(base_left)
        for rel in sorted(base_left[:self.n(400)]):
            L.file(rel, self.blob(0, 4096, b"v3 " + rel.encode()))
        for rel in sorted(base_left[self.n(400):self.n(450)]):
            L.whiteout(rel)
        L.whiteout("usr/share/obsolete")
        for i in range(self.n(3300)):
            L.file("home/user/proj%02d/src/s%04d.c" % (i % 30, i), self.blob(50, 4000, b"/* %d */" % i),
                   0o644, 1000, 1000)
        for i in range(0, self.n(3300), 300):
            L.hardlink("home/user/proj%02d/src/s%04d.h" % (i % 30, i),
                       "home/user/proj%02d/src/s%04d.c" % (i % 30, i))
        for i in range(self.n(300)):
            L.symlink("home/user/links/l%03d" % i, "../proj%02d/src/s%04d.c" % (i % 30, i))
        L.file("etc/conf000.conf", b"# replaced by the top layer\n")
        L.file("etc/motd", b"bench/fs\n")

    # ---- engine metadata ----------------------------------------------------

    def build(self):
        os.umask(0o022)
        layers = []
        for idx in range(3):
            cache = self.hex64()
            link = self.link_id()
            diff = self.p("overlay2", cache, "diff")
            os.makedirs(diff)
            layers.append((Layer(self, idx, diff), cache, link))
        self.log("base layer (%d MiB file + small files)" % self.big_mib)
        self.base(layers[0][0])
        self.log("middle layer")
        self.middle(layers[1][0], layers[0][0])
        self.log("top layer")
        self.top(layers[2][0], layers[0][0], layers[1][0])
        for L, _, _ in layers:
            L.finish()

        # overlay2/<cache>/{link,lower,work}, overlay2/l/<link>
        os.makedirs(self.p("overlay2", "l"))
        for i, (L, cache, link) in enumerate(layers):
            self.write(self.p("overlay2", cache, "link"), link)
            os.symlink("../%s/diff" % cache, self.p("overlay2", "l", link))
            if i > 0:
                lower = ":".join("l/" + layers[j][2] for j in range(i - 1, -1, -1))
                self.write(self.p("overlay2", cache, "lower"), lower)
                os.mkdir(self.p("overlay2", cache, "work"), 0o700)

        # diff ids: made up but well formed, derived from the seed
        diff_ids = ["sha256:" + hashlib.sha256(b"bench/fs seed %d layer %d" % (self.seed, i)).hexdigest()
                    for i in range(3)]
        chains = []
        for i, d in enumerate(diff_ids):
            if i == 0:
                chains.append(d)
            else:
                chains.append("sha256:" + hashlib.sha256(
                    ("%s %s" % (chains[-1], d)).encode()).hexdigest())
        ldb = self.p("image", "overlay2", "layerdb", "sha256")
        for i, (L, cache, _) in enumerate(layers):
            d = os.path.join(ldb, chains[i][7:])
            self.write(os.path.join(d, "diff"), diff_ids[i])
            self.write(os.path.join(d, "cache-id"), cache)
            self.write(os.path.join(d, "size"), str(L.size))
            if i > 0:
                self.write(os.path.join(d, "parent"), chains[i - 1])
        os.makedirs(self.p("image", "overlay2", "layerdb", "mounts"))

        created = [EPOCH[i] * 10**9 + 123456789 * (i + 1) for i in range(3)]
        steps = [
            "/bin/sh -c #(nop) ADD file:%s in / " % hashlib.sha256(b"base").hexdigest(),
            "/bin/sh -c apt-get update && apt-get install -y app && rm -rf /var/cache/gone /srv/replaced",
            "/bin/sh -c #(nop) COPY dir:%s in /home/user " % hashlib.sha256(b"top").hexdigest(),
        ]
        env = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]
        labels = {BIG_LABEL: "/" + BIG_FILE}
        container_config = {
            "Hostname": "", "Domainname": "", "User": "", "AttachStdin": False,
            "AttachStdout": False, "AttachStderr": False, "Tty": False, "OpenStdin": False,
            "StdinOnce": False, "Env": env,
            "Cmd": ["/bin/sh", "-c", "#(nop) ", 'CMD ["/bin/sh"]'],
            "Image": "sha256:" + hashlib.sha256(b"parent").hexdigest(), "Volumes": None,
            "WorkingDir": "", "Entrypoint": None, "OnBuild": None, "Labels": labels,
        }
        config = dict(container_config, Cmd=["/bin/sh"])
        history = [{"created": rfc3339nano(created[i]), "created_by": steps[i]} for i in range(3)]
        history.insert(1, {"created": rfc3339nano(created[0] + 10**9),
                           "created_by": '/bin/sh -c #(nop)  LABEL %s=/%s' % (BIG_LABEL, BIG_FILE),
                           "empty_layer": True})
        history.append({"created": rfc3339nano(created[2] + 10**9),
                        "created_by": '/bin/sh -c #(nop)  CMD ["/bin/sh"]', "empty_layer": True})
        image = {
            "architecture": "amd64",
            "config": config,
            "container": self.hex64(),
            "container_config": container_config,
            "created": rfc3339nano(created[2] + 10**9),
            "docker_version": "20.10.24",
            "history": history,
            "os": "linux",
            "rootfs": {"type": "layers", "diff_ids": diff_ids},
        }
        blob = json.dumps(image, separators=(",", ":")).encode()
        image_id = hashlib.sha256(blob).hexdigest()
        self.write(self.p("image", "overlay2", "imagedb", "content", "sha256", image_id), blob, 0o600)
        self.write(self.p("image", "overlay2", "imagedb", "metadata", "sha256", image_id, "lastUpdated"),
                   rfc3339nano(created[2] + 5 * 10**9))
        repos = {"Repositories": {REPO: {TAG: "sha256:" + image_id}}}
        self.write(self.p("image", "overlay2", "repositories.json"),
                   json.dumps(repos, separators=(",", ":")), 0o600)
        for d in ("containers", "volumes", "tmp", "plugins", "runtimes", "swarm", "trust",
                  "buildkit", "network/files"):
            os.makedirs(self.p(d), exist_ok=True)
        # the engine's permissions
        for d, m in (("containers", 0o710), ("volumes", 0o701), ("image", 0o700),
                     ("overlay2", 0o710), ("overlay2/l", 0o700)):
            os.chmod(self.p(d), m)
        for _, cache, _ in layers:
            os.chmod(self.p("overlay2", cache), 0o710)
        # fixed mtimes for the engine's own files too, so that the whole root
        # (not only the layers) is the same on every run
        t = created[2] + 5 * 10**9
        skip = {os.path.join(self.p("overlay2", c), "diff") for _, c, _ in layers}
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames[:] = [d for d in dirnames if os.path.join(dirpath, d) not in skip]
            for name in filenames + dirnames + ["."]:
                os.utime(os.path.join(dirpath, name), ns=(t, t), follow_symlinks=False)
        total = sum(L.entries for L, _, _ in layers)
        self.log("entries per layer (base, middle, top): %s; total %d; image sha256:%s"
                 % (", ".join(str(L.entries) for L, _, _ in layers), total, image_id))
        return image_id


def describe(root):
    """Finds the image's layer directories from the engine's own records."""
    p = lambda *a: os.path.join(root, "image", "overlay2", *a)
    with open(p("repositories.json"), "rb") as f:
        image_id = json.load(f)["Repositories"][REPO][TAG]
    with open(p("imagedb", "content", "sha256", image_id[7:]), "rb") as f:
        blob = f.read()
    if "sha256:" + hashlib.sha256(blob).hexdigest() != image_id:
        raise SystemExit("gen_fs_stack: the image config does not hash to its id")
    cfg = json.loads(blob)
    chain, dirs = None, []
    for d in cfg["rootfs"]["diff_ids"]:
        chain = d if chain is None else "sha256:" + hashlib.sha256(
            ("%s %s" % (chain, d)).encode()).hexdigest()
        with open(p("layerdb", "sha256", chain[7:], "cache-id")) as f:
            dirs.append("overlay2/%s/diff" % f.read().strip())
    dirs.reverse()  # top first, as lowerdir= wants them
    entries = 0
    for d in dirs:
        for _, dn, fn in os.walk(os.path.join(root, d)):
            entries += len(dn) + len(fn)
    big = cfg["config"]["Labels"][BIG_LABEL].lstrip("/")
    print("IMAGE=%s" % TAG)
    print("IMAGE_ID=%s" % image_id)
    print("LAYERS=%s" % ":".join(dirs))
    print("BIG_FILE=%s" % big)
    print("ENTRIES=%d" % entries)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("-s", "--seed", type=int, default=1)
    ap.add_argument("--big-mib", type=int, default=1024, help="size of the large file in MiB (1024)")
    ap.add_argument("--scale", type=float, default=1.0, help="multiply the entry counts (1.0)")
    ap.add_argument("-f", "--force", action="store_true", help="delete OUTDIR's contents first")
    ap.add_argument("-q", "--quiet", action="store_true")
    ap.add_argument("--describe", action="store_true", help="print the layers of an existing root")
    a = ap.parse_args()
    if a.describe:
        describe(a.outdir)
        return
    if os.geteuid() != 0:
        raise SystemExit("gen_fs_stack: must run as root (whiteouts are device nodes, "
                         "opaque directories need trusted.* xattrs)")
    if os.path.exists(a.outdir) and os.listdir(a.outdir):
        if not a.force:
            raise SystemExit("gen_fs_stack: %s is not empty (use --force)" % a.outdir)
        for name in os.listdir(a.outdir):
            q = os.path.join(a.outdir, name)
            if os.path.isdir(q) and not os.path.islink(q):
                shutil.rmtree(q)
            else:
                os.unlink(q)
    os.makedirs(a.outdir, exist_ok=True)
    need = a.big_mib * MIB + int(400 * MIB * a.scale)
    st = os.statvfs(a.outdir)
    if st.f_bavail * st.f_frsize < need:
        raise SystemExit("gen_fs_stack: %s has %d MiB free, %d MiB needed"
                         % (a.outdir, st.f_bavail * st.f_frsize // MIB, need // MIB))
    Gen(os.path.abspath(a.outdir), a.seed, a.big_mib, a.scale, a.quiet).build()


if __name__ == "__main__":
    main()
