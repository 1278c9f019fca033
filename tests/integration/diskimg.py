"""Disk images for the tests, made from the committed fixtures without
mounting anything (stdlib, plus mkfs.ext4, debugfs, sfdisk, ewfacquire and
qemu-img from Debian's e2fsprogs, fdisk, ewf-tools and qemu-utils).

A host tree (etc/os-release, etc/fstab, var/lib/docker = a fixture's data
root) is put on ext4 with `mkfs.ext4 -d`, which copies contents, owners,
modes, device nodes, hard links, sparse files and extended attributes but
keeps times to the second and stamps its own birth times; debugfs then
writes every inode's atime, mtime, ctime and crtime, with nanoseconds, as
the directory has them (statx), so the image is a faithful twin of the
tree. Partition tables are written by sfdisk; the LVM2 metadata comes from
testdata/images (written by LVM2, see make-lvm.sh); file systems are placed
at their partitions' or extents' offsets. Other formats are converted from
the raw disk by the tools examiners use (ewfacquire, qemu-img).

XFS cannot be populated without a mount here (mkfs.xfs -p in xfsprogs 6.1
sets neither times nor extended attributes): loop_mount_works() says
whether the machine allows a loop mount, and the XFS tests skip when not.
"""
import ctypes
import ctypes.util
import json
import lzma
import os
import shutil
import stat
import subprocess
import tempfile

from harness import SRC, _locked_unpack, fixture

IMAGES = os.path.join(SRC, "testdata", "images")
MiB = 1 << 20

_libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)


class _StatxTs(ctypes.Structure):
    _fields_ = [("sec", ctypes.c_int64), ("nsec", ctypes.c_uint32), ("pad", ctypes.c_int32)]


class _Statx(ctypes.Structure):
    _fields_ = [("mask", ctypes.c_uint32), ("blksize", ctypes.c_uint32), ("attributes", ctypes.c_uint64),
                ("nlink", ctypes.c_uint32), ("uid", ctypes.c_uint32), ("gid", ctypes.c_uint32),
                ("mode", ctypes.c_uint16), ("pad1", ctypes.c_uint16), ("ino", ctypes.c_uint64),
                ("size", ctypes.c_uint64), ("blocks", ctypes.c_uint64), ("attributes_mask", ctypes.c_uint64),
                ("atime", _StatxTs), ("btime", _StatxTs), ("ctime", _StatxTs), ("mtime", _StatxTs),
                ("rest", ctypes.c_uint64 * 16)]


# The kernel copies its whole struct statx (0x100 bytes, fixed by the ABI)
# into the caller's buffer whatever the mask asks: a shorter structure here
# lets statx(2) overwrite Python's heap (this was 16 bytes short once, and
# the test programs died with SIGSEGV long after, at random points).
assert ctypes.sizeof(_Statx) == 0x100, ctypes.sizeof(_Statx)


def times_ns(path):
    """(atime, mtime, ctime, btime) of path itself, in nanoseconds."""
    sx = _Statx()
    AT_FDCWD, AT_SYMLINK_NOFOLLOW, STATX_ALL = -100, 0x100, 0xfff
    if _libc.statx(AT_FDCWD, os.fsencode(path), AT_SYMLINK_NOFOLLOW, STATX_ALL, ctypes.byref(sx)) != 0:
        raise OSError(ctypes.get_errno(), "statx", path)

    def ns(t):
        return t.sec * 10**9 + t.nsec
    return ns(sx.atime), ns(sx.mtime), ns(sx.ctime), ns(sx.btime) if sx.mask & 0x800 else None


def run(*cmd, **kw):
    return subprocess.run(list(cmd), check=True, capture_output=True, **kw)


def _quote(rel):
    # debugfs (libss) quoting: a double quote inside quotes is written twice
    return b'"/' + rel.replace(b'"', b'""') + b'"'


def _inode_of(img, rel):
    """The inode number of rel in the image, for names debugfs's command
    line cannot spell (a newline): read from the parent's `ls -p`."""
    parent, name = os.path.split(rel)
    out = run("debugfs", "-R", b"ls -p " + _quote(parent), img).stdout
    # entries: /INO/MODE/UID/GID/NAME/SIZE/ then a newline
    import re
    for m in re.finditer(rb"/(\d+)/\d+/\d+/\d+/(.*?)/\d*/\n", out, re.S):
        if m.group(2) == name:
            return int(m.group(1))
    raise KeyError(rel)


def fix_times(img, src, times_from=None, drop_lost_found=True):
    """Writes the nanosecond times of every entry of src into the ext4 image
    made from it, with debugfs; taken from the same path under times_from
    when given (src being a copy of it: a copy has new ctimes and birth
    times)."""
    lines = []
    bsrc = os.fsencode(src)
    btimes = os.fsencode(times_from) if times_from else bsrc
    for dirpath, dirnames, filenames in os.walk(bsrc):
        names = [b""] if dirpath == bsrc else []
        names += [os.path.join(os.path.relpath(dirpath, bsrc), n) if dirpath != bsrc else n
                  for n in dirnames + filenames]
        for rel in names:
            p = os.path.join(btimes, rel) if rel else btimes
            a, m, c, b = times_ns(p)
            spec = b"<%d>" % _inode_of(img, rel) if b"\n" in rel else _quote(rel)
            for field, t in (("atime", a), ("mtime", m), ("ctime", c), ("crtime", b if b is not None else c)):
                sec, nsec = divmod(t, 10**9)
                low = sec & 0xffffffff
                signed_low = low - (1 << 32) if low >= 1 << 31 else low
                epoch = ((sec - signed_low) >> 32) & 3
                lines.append(b"sif %s %s_extra %d" % (spec, field.encode(), (nsec << 2) | epoch))
                lines.append(b"sif %s %s @%d" % (spec, field.encode(), sec))
    if drop_lost_found:
        lines.insert(0, b"rmdir /lost+found")
    with tempfile.NamedTemporaryFile(suffix=".debugfs") as f:
        f.write(b"\n".join(lines) + b"\n")
        f.flush()
        run("debugfs", "-w", "-f", f.name, img)


def mkfs_ext4(src, img, size_mb, label=None, uuid=None, extra=(), times_from=None):
    """An ext4 image of size_mb MiB holding a copy of src (with its times,
    or those of times_from, of which src is a copy)."""
    if os.path.exists(img):
        os.unlink(img)
    cmd = ["mkfs.ext4", "-q", "-F", "-b", "4096", "-E", "root_owner=0:0", "-d", src]
    if label:
        cmd += ["-L", label]
    if uuid:
        cmd += ["-U", uuid]
    run(*cmd, *extra, img, f"{size_mb}M")
    fix_times(img, src, times_from)


def place(disk, offset, part):
    """Copies the file part into the file disk at offset, leaving holes."""
    with open(part, "rb") as src, open(disk, "r+b") as dst:
        pos = 0
        while True:
            b = src.read(MiB)
            if not b:
                break
            if b.count(0) != len(b):
                dst.seek(offset + pos)
                dst.write(b)
            pos += len(b)


def sfdisk(disk, script):
    run("sfdisk", "-q", "--no-reread", "--no-tell-kernel", disk, input=script.encode())
    out = run("sfdisk", "--json", disk).stdout
    return json.loads(out)["partitiontable"]


OS_RELEASE = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n'


def host_tree(dest, dataroot, fstab, extra=None):
    """dest/: etc/os-release, etc/fstab, var/lib/docker (a copy of
    dataroot keeping times, owners, xattrs, devices, hard links)."""
    shutil.rmtree(dest, ignore_errors=True)
    os.makedirs(os.path.join(dest, "etc"))
    os.makedirs(os.path.join(dest, "var", "lib"))
    with open(os.path.join(dest, "etc", "os-release"), "w") as f:
        f.write(OS_RELEASE)
    with open(os.path.join(dest, "etc", "fstab"), "w") as f:
        f.write(fstab)
    run("cp", "-a", dataroot, os.path.join(dest, "var", "lib", "docker"))
    if extra:
        extra(dest)
    return dest


def split_tree(host, root_part, var_part):
    """The host tree cut at var/: root_part gets everything with an empty
    var/, var_part the contents of var/."""
    for d in (root_part, var_part):
        shutil.rmtree(d, ignore_errors=True)
    run("cp", "-a", host, root_part)
    shutil.rmtree(os.path.join(root_part, "var"))
    os.mkdir(os.path.join(root_part, "var"))
    shutil.copystat(os.path.join(host, "var"), os.path.join(root_part, "var"))
    run("cp", "-a", os.path.join(host, "var"), var_part)


VAR_UUID = "6c8e2b1a-3f4d-4e5a-9b7c-0d1e2f3a4b5c"
ROOT_UUID = "1a2b3c4d-5e6f-4a8b-9c0d-e1f2a3b4c5d6"


def gpt_disk(work, dataroot):
    """GPT: partition 1 the root file system (LABEL=csroot), partition 2 a
    separate /var (mounted by UUID in fstab). Returns (disk, host tree,
    sfdisk's own record of the table)."""
    host = host_tree(os.path.join(work, "host"), dataroot,
                     f"# a host with a separate /var\nLABEL=csroot / ext4 errors=remount-ro 0 1\n"
                     f"UUID={VAR_UUID} /var ext4 defaults 0 2\n/dev/sr0 /media/cdrom0 udf,iso9660 user,noauto 0 0\n"
                     f"tmpfs /tmp tmpfs defaults 0 0\n")
    rootp, varp = os.path.join(work, "p-root"), os.path.join(work, "p-var")
    split_tree(host, rootp, varp)
    mkfs_ext4(rootp, os.path.join(work, "root.ext4"), 24, label="csroot", uuid=ROOT_UUID, times_from=host)
    mkfs_ext4(varp, os.path.join(work, "var.ext4"), 72, label="csvar", uuid=VAR_UUID,
              times_from=os.path.join(host, "var"))
    disk = os.path.join(work, "gpt.raw")
    with open(disk, "wb") as f:
        f.truncate(100 * MiB)
    table = sfdisk(disk, "label: gpt\n"
                   "start=2048, size=49152, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name=\"root\"\n"
                   "start=51200, size=147456, type=4D21B016-B534-45C2-A9FB-5C16E091FD2D, name=\"var\"\n")
    place(disk, 2048 * 512, os.path.join(work, "root.ext4"))
    place(disk, 51200 * 512, os.path.join(work, "var.ext4"))
    return disk, host, table


def lvm_record():
    with open(os.path.join(IMAGES, "lvm-lvs.json")) as f:
        return json.load(f)


def lv_extents(rec, lv):
    """[(lv byte offset, length, pv index, pv byte offset)] from lvs's own
    report of the segments (striped ones split into their chunks)."""
    pe_start = int(rec["pvs"][0]["pe_start"])
    out = []
    for seg in rec["report"][0]["lv"]:
        if seg["lv_name"] != lv:
            continue
        start, size = int(seg["seg_start"]), int(seg["seg_size"])
        ranges = []
        for r in seg["seg_pe_ranges"].split():
            pv, span = r.split(":")
            a, b = span.split("-")
            ranges.append((int(pv[2:]) - 1, int(a), int(b)))
        stripes = int(seg["stripes"])
        if stripes == 1:
            pv, a, _ = ranges[0]
            out.append((start, size, pv, pe_start + a * MiB))
            continue
        chunk = int(seg["stripe_size"])
        per = size // stripes
        for c in range(per // chunk):
            for k, (pv, a, _) in enumerate(ranges):
                out.append((start + (c * stripes + k) * chunk, chunk, pv, pe_start + a * MiB + c * chunk))
    return out


def lvm_disk(work, dataroot):
    """MBR: partition 1 the root file system; an extended partition 2 with
    logical partitions 5 and 6, two LVM2 physical volumes of volume group
    csvg: /var on csvg/var (two segments spanning both PVs, mounted as
    /dev/mapper/csvg-var) and /srv on csvg/srv (striped, /dev/csvg/srv)."""
    def add_srv(dest):
        srv = os.path.join(dest, "srv")
        os.mkdir(srv)
        run("cp", "-a", os.path.join(dataroot, "overlay2"), os.path.join(srv, "copy"))
    host = host_tree(os.path.join(work, "host"), dataroot,
                     "/dev/sda1 / ext4 defaults 0 1\n/dev/mapper/csvg-var /var ext4 defaults 0 2\n"
                     "/dev/csvg/srv /srv ext4 defaults 0 2\n/dev/csvg/swap none swap sw 0 0\n", extra=add_srv)
    rootp, varp, srvp = (os.path.join(work, n) for n in ("p-root", "p-var", "p-srv"))
    split_tree(host, rootp, varp)
    shutil.rmtree(os.path.join(rootp, "srv"))
    os.mkdir(os.path.join(rootp, "srv"))
    shutil.rmtree(srvp, ignore_errors=True)
    run("cp", "-a", os.path.join(host, "srv"), srvp)
    mkfs_ext4(rootp, os.path.join(work, "root.ext4"), 24, label="lvroot", times_from=host)
    mkfs_ext4(varp, os.path.join(work, "var.ext4"), 64, label="lvvar", times_from=os.path.join(host, "var"))
    mkfs_ext4(srvp, os.path.join(work, "srv.ext4"), 16, label="lvsrv", times_from=os.path.join(host, "srv"))
    pvs = []
    for i in (1, 2):
        pv = os.path.join(work, f"pv{i}")
        with lzma.open(os.path.join(IMAGES, f"lvm-pv{i}.head.xz")) as f, open(pv, "wb") as o:
            o.write(f.read())
            o.truncate(48 * MiB)
        pvs.append(pv)
    rec = lvm_record()
    for lv, img in (("var", "var.ext4"), ("srv", "srv.ext4")):
        with open(os.path.join(work, img), "rb") as f:
            data = f.read()
        for off, n, pv, pvoff in lv_extents(rec, lv):
            chunk = data[off:off + n]
            if chunk.count(0) != len(chunk):
                with open(pvs[pv], "r+b") as o:
                    o.seek(pvoff)
                    o.write(chunk)
    disk = os.path.join(work, "lvm.raw")
    with open(disk, "wb") as f:
        f.truncate(128 * MiB)
    table = sfdisk(disk, "label: dos\nlabel-id: 0x1b2c3d4e\n"
                   "start=2048, size=49152, type=83\n"
                   "start=51200, size=202752, type=5\n"
                   "start=53248, size=98304, type=8e\n"
                   "start=153600, size=98304, type=8e\n")
    place(disk, 2048 * 512, os.path.join(work, "root.ext4"))
    place(disk, 53248 * 512, pvs[0])
    place(disk, 153600 * 512, pvs[1])
    return disk, host, table


def xfs_disk(work, dataroot):
    """A whole-disk XFS holding the host tree; made through a loop mount
    (the only way to give XFS times and xattrs here). The tests compare it
    with the kernel's own read-only mount of it."""
    host = host_tree(os.path.join(work, "host"), dataroot, "LABEL=csxfs / xfs defaults 0 0\n")
    disk = os.path.join(work, "xfs.raw")
    with open(disk, "wb") as f:
        f.truncate(320 * MiB)
    run("mkfs.xfs", "-q", "-f", "-L", "csxfs", disk)
    mnt = tempfile.mkdtemp(prefix="csleuth-mkxfs-")
    try:
        run("mount", "-o", "loop", disk, mnt)
        try:
            run("cp", "-a", host + "/.", mnt)
        finally:
            run("umount", mnt)
    finally:
        os.rmdir(mnt)
    return disk, host, {}


def dump_diff(a, b, limit=8):
    """The first lines where two csdump outputs differ."""
    import difflib
    lines = list(difflib.unified_diff(a.decode(errors="replace").splitlines(),
                                      b.decode(errors="replace").splitlines(), "image", "kernel", n=0, lineterm=""))
    return "\n".join(l[:300] for l in lines[:limit])


def convert(raw, work):
    """The raw disk in every other storage format: {name: [files]}."""
    out = {}
    split = [os.path.join(work, f"split.{i:03d}") for i in (1, 2, 3)]
    size = os.path.getsize(raw)
    with open(raw, "rb") as f:
        for i, p in enumerate(split):
            with open(p, "wb") as o:
                n = size // 3 if i < 2 else size - 2 * (size // 3)
                o.write(f.read(n))
    out["split"] = split
    base = os.path.join(work, "ewf")
    for p in os.listdir(work):
        if p.startswith("ewf.E"):
            os.unlink(os.path.join(work, p))
    run("ewfacquire", "-u", "-q", "-t", base, "-c", "deflate:fast", "-S", str(MiB), "-d", "sha1",
        "-C", "case-11", "-e", "csleuth tests", "-E", "ev-1", "-D", "disk with a separate /var", raw)
    segs = sorted(p for p in os.listdir(work) if p.startswith("ewf.E"))
    out["ewf"] = [os.path.join(work, p) for p in segs]
    for name, fmt, opts in (("vmdk", "vmdk", []), ("vmdk-stream", "vmdk", ["-o", "subformat=streamOptimized"]),
                            ("vhd", "vpc", ["-o", "force_size=on"]), ("vhdx", "vhdx", []),
                            ("qcow2", "qcow2", []), ("qcow2c", "qcow2", ["-c"])):
        p = os.path.join(work, f"disk.{name}")
        run("qemu-img", "convert", "-q", "-O", fmt, *opts, raw, p)
        out[name] = [p]
    return out


def _inputs_key():
    """A short hash of what the images are made from (this file, the LVM
    metadata, the fixture), so a cached image is rebuilt when they change."""
    import hashlib
    h = hashlib.sha256()
    for p in [__file__] + sorted(os.path.join(IMAGES, f) for f in os.listdir(IMAGES)) + \
            [os.path.join(SRC, "testdata", "docker", "overlay2.tar.xz")]:
        with open(p, "rb") as f:
            h.update(f.read())
    return h.hexdigest()[:12]


def build(name, maker, dataroot_fixture="overlay2"):
    """Builds (once per build tree and set of inputs) one of the layouts;
    returns a dict with the paths and sfdisk's record."""
    def make(dest):
        disk, host, table = maker(dest, fixture(dataroot_fixture))
        with open(os.path.join(dest, "layout.json"), "w") as f:
            json.dump({"disk": disk, "host": host, "table": table}, f)
    d = _locked_unpack(f"image-{name}-{_inputs_key()}", make)
    with open(os.path.join(d, "layout.json")) as f:
        return json.load(f)


def loop_mount_works():
    """True if this machine lets us loop-mount an image (root, loop devices,
    the kernel's ext4 and xfs)."""
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    with tempfile.TemporaryDirectory() as t:
        img = os.path.join(t, "probe.img")
        try:
            run("mkfs.ext4", "-q", "-F", img, "4M")
            mnt = os.path.join(t, "m")
            os.mkdir(mnt)
            run("mount", "-o", "loop,ro,noload", img, mnt)
            run("umount", mnt)
            return True
        except (subprocess.CalledProcessError, OSError):
            return False


class Mounted:
    """The kernel's read-only mount of an image (journal not replayed)."""

    def __init__(self, img, fstype):
        self.img, self.fstype = img, fstype

    def __enter__(self):
        self.dir = tempfile.mkdtemp(prefix="csleuth-mnt-")
        opts = "loop,ro" + (",noload" if self.fstype in ("ext3", "ext4") else
                            ",norecovery" if self.fstype == "xfs" else "")
        run("mount", "-t", self.fstype, "-o", opts, self.img, self.dir)
        return self.dir

    def __exit__(self, *exc):
        subprocess.run(["umount", self.dir], check=False)
        os.rmdir(self.dir)


def engine_data_of(host):
    """What `partitions` should mark on the volume holding /var/lib/docker
    of the host tree: Docker's data root, and the containerd root Docker's
    own containerd keeps in it when its metadata database is there."""
    want = ["Docker data root /var/lib/docker"]
    if os.path.isfile(os.path.join(host, "var/lib/docker/containerd/daemon/io.containerd.metadata.v1.bolt/meta.db")):
        want.append("containerd root /var/lib/docker/containerd/daemon")
    return want


def sha256(path):
    import hashlib
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while True:
            b = f.read(1 << 20)
            if not b:
                break
            h.update(b)
    return h.hexdigest()


def is_char00(p):
    st = os.lstat(p)
    return stat.S_ISCHR(st.st_mode) and st.st_rdev == 0
