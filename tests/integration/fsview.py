"""Helpers for comparing filesystem views: a real directory tree (the
kernel's overlay mount, a FUSE mount) and a tar archive, reduced to the same
per-entry records."""
import contextlib
import hashlib
import os
import stat
import subprocess
import tarfile
import tempfile

TYPES = {stat.S_IFREG: "file", stat.S_IFDIR: "dir", stat.S_IFLNK: "symlink", stat.S_IFCHR: "char",
         stat.S_IFBLK: "block", stat.S_IFIFO: "fifo", stat.S_IFSOCK: "socket"}


def sha256_file(path):
    h = hashlib.sha256()
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    try:
        while True:
            b = os.read(fd, 1 << 20)
            if not b:
                break
            h.update(b)
    finally:
        os.close(fd)
    return h.hexdigest()


def walk_tree(root, xattrs=True):
    """{relative bytes path: record} for everything below root."""
    out = {}
    broot = os.fsencode(root)
    for dirpath, dirnames, filenames in os.walk(broot):
        dirnames.sort()
        for n in sorted(dirnames + filenames):
            p = os.path.join(dirpath, n)
            rel = os.path.relpath(p, broot)
            st = os.lstat(p)
            t = TYPES.get(stat.S_IFMT(st.st_mode), "unknown")
            rec = {"type": t, "mode": stat.S_IMODE(st.st_mode), "uid": st.st_uid, "gid": st.st_gid,
                   "mtime_ns": st.st_mtime_ns}
            if t == "file":
                rec["size"] = st.st_size
                rec["sha256"] = sha256_file(p)
            elif t == "symlink":
                rec["link"] = os.readlink(p)
            elif t in ("char", "block"):
                rec["dev"] = (os.major(st.st_rdev), os.minor(st.st_rdev))
            if xattrs:
                names = sorted(x for x in os.listxattr(p, follow_symlinks=False)
                               if not x.startswith(("trusted.overlay.", "user.overlay.")))
                rec["xattrs"] = {x: os.getxattr(p, x, follow_symlinks=False) for x in names}
            out[rel] = rec
    return out


def walk_tar(path, xattrs=True):
    """The same records from a tar archive (pax nanosecond mtimes kept)."""
    out = {}
    links = {}
    with tarfile.open(path, encoding="utf-8", errors="surrogateescape") as tf:
        for m in tf:
            rel = os.fsencode(m.name.rstrip("/"))
            pm = m.pax_headers.get("mtime")
            if pm is not None:
                sec, _, frac = pm.partition(".")
                mtime_ns = int(sec) * 10**9 + int(frac.ljust(9, "0")[:9] or 0)
            else:
                mtime_ns = int(m.mtime) * 10**9
            t = ("file" if m.isreg() or m.islnk() else "dir" if m.isdir() else "symlink" if m.issym()
                 else "char" if m.ischr() else "block" if m.isblk() else "fifo" if m.isfifo() else "unknown")
            rec = {"type": t, "mode": m.mode & 0o7777, "uid": m.uid, "gid": m.gid, "mtime_ns": mtime_ns}
            if m.isreg():
                h = hashlib.sha256()
                f = tf.extractfile(m)
                while True:
                    b = f.read(1 << 20)
                    if not b:
                        break
                    h.update(b)
                rec["size"] = m.size
                rec["sha256"] = h.hexdigest()
                links[rel] = rec
            elif m.islnk():
                rec = dict(links[os.fsencode(m.linkname)])
            elif m.issym():
                rec["link"] = os.fsencode(m.linkname)
            elif m.ischr() or m.isblk():
                rec["dev"] = (m.devmajor, m.devminor)
            if xattrs:
                xa = {}
                for k, v in m.pax_headers.items():
                    if k.startswith("SCHILY.xattr."):
                        xa[k[len("SCHILY.xattr."):]] = v.encode("utf-8", "surrogateescape")
                rec["xattrs"] = dict(sorted(xa.items()))
            out[rel] = rec
    return out


def kernel_overlay(layer_dirs):
    """Context manager: the kernel's read-only overlay mount of layer_dirs
    (top first). Short symlinks keep the lowerdir string small."""
    class Mount:
        def __enter__(self):
            self.tmp = tempfile.mkdtemp(prefix="csx-ovl-")
            self.mnt = os.path.join(self.tmp, "m")
            os.mkdir(self.mnt)
            if len(layer_dirs) == 1:
                subprocess.run(["mount", "--bind", "-o", "ro", layer_dirs[0], self.mnt], check=True)
                return self.mnt
            names = []
            for i, d in enumerate(layer_dirs):
                n = os.path.join(self.tmp, str(i))
                os.symlink(d, n)
                names.append(n)
            subprocess.run(["mount", "-t", "overlay", "overlay", "-o",
                            "ro,lowerdir=" + ":".join(names), self.mnt], check=True)
            return self.mnt

        def __exit__(self, *a):
            subprocess.run(["umount", self.mnt], check=False)
            subprocess.run(["rm", "-rf", self.tmp], check=False)
    return Mount()


def can_mount_overlay():
    if os.geteuid() != 0:
        return False
    with open("/proc/filesystems") as f:
        if "overlay" not in f.read():
            subprocess.run(["modprobe", "overlay"], capture_output=True)
    with open("/proc/filesystems") as f:
        return "overlay" in f.read()


def diff_records(a, b, limit=10):
    """Human-readable differences between two record maps."""
    out = []
    for k in sorted(set(a) | set(b)):
        if a.get(k) != b.get(k):
            out.append(f"{k!r}: {a.get(k)} != {b.get(k)}")
            if len(out) >= limit:
                break
    return "\n".join(out)


def snapshot(root):
    snap = {}

    def walk(rel):
        p = os.path.join(root, rel) if rel else root
        st = os.lstat(p)
        entry = [st.st_mode, st.st_uid, st.st_gid, st.st_size, st.st_mtime_ns, st.st_atime_ns,
                 st.st_ctime_ns]
        if stat.S_ISREG(st.st_mode):
            fd = os.open(p, os.O_RDONLY | os.O_NOATIME)
            h = hashlib.sha256()
            while True:
                b = os.read(fd, 1 << 20)
                if not b:
                    break
                h.update(b)
            os.close(fd)
            entry.append(h.hexdigest())
        elif stat.S_ISLNK(st.st_mode):
            entry.append(os.readlink(p))
        snap[rel] = entry
        if stat.S_ISDIR(st.st_mode):
            fd = os.open(p, os.O_RDONLY | os.O_DIRECTORY | os.O_NOATIME)
            names = os.listdir(fd)
            os.close(fd)
            for n in names:
                walk(os.path.join(rel, n))

    walk("")
    return snap


def age_atimes(root):
    """Sets every entry's access time, symbolic links' too, to 2001-01-01."""
    old = 978307200 * 10**9  # 2001-01-01
    for dirpath, dirnames, filenames in os.walk(root):
        for n in dirnames + filenames + [""]:
            p = os.path.join(dirpath, n) if n else dirpath
            st = os.lstat(p)
            os.utime(p, ns=(old, st.st_mtime_ns), follow_symlinks=False)


@contextlib.contextmanager
def bind_mount(src, opts):
    """A bind mount of src with per-mount options ("ro", "noatime"); needs root."""
    mnt = tempfile.mkdtemp(prefix="csx-view-")
    subprocess.run(["mount", "--bind", src, mnt], check=True)
    try:
        subprocess.run(["mount", "-o", "remount,bind," + opts, mnt], check=True)
        yield mnt
    finally:
        subprocess.run(["umount", mnt], check=False)
        os.rmdir(mnt)


def check_untouched(t, label, root, run):
    """run(root) runs every command over root. Access times are aged first;
    then, through a read-only bind mount, nothing at all may change (links
    included), and on the writable tree itself every file and directory
    stays as it was and of the symbolic links only access times may move
    (readlink(2) has no no-atime flag; csleuth notes it)."""
    age_atimes(root)
    with bind_mount(root, "ro") as view:
        before = snapshot(view)
        run(view)
        after = snapshot(view)
        changed = [k for k in before if before[k] != after.get(k)]
        t.ok(not changed and before.keys() == after.keys(),
             f"{label}: read-only mount: all {len(before)} entries unchanged (content, times, owners, "
             f"links too) after every command", "\n".join(changed[:10]))
        run(root)
        again = snapshot(view)
    changed = [k for k in after if after[k] != again.get(k)]
    links = [k for k in changed if stat.S_ISLNK(after[k][0])]
    others = [k for k in changed if k not in links]
    only_atime = all(after[k][:5] + after[k][6:] == again[k][:5] + again[k][6:] for k in links)
    t.ok(not others and only_atime and after.keys() == again.keys(),
         f"{label}: writable mount: every file and directory unchanged, of the links only access times "
         f"({len(links)} of them)", "\n".join(others[:10]))
