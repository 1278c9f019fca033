#!/usr/bin/env python3
"""csleuth mount: the FUSE view of every container and of an image equals the
kernel's own read-only overlayfs mount of the same layers; writes fail with
EROFS; inode numbers are stable across mounts; the evidence is untouched;
--upper, --layer, --deleted and --volumes show what they say; damaged layers
cost only what they touch."""
import errno
import json
import os
import re
import subprocess
import tempfile

from fsview import can_mount_overlay, diff_records, kernel_overlay, walk_tree
from harness import BIN, Tap, csleuth, csleuth_json, fixture


def can_fuse():
    return (os.geteuid() == 0 and os.path.exists("/dev/fuse")
            and subprocess.run(["which", "fusermount3"], capture_output=True).returncode == 0)


class Mounted:
    """csleuth mount NAME; closed: the standard descriptors csleuth is
    started without (as a service manager or CI runner may start it)."""
    def __init__(self, root, name, *opts, closed=()):
        self.args = ["--root", root, "mount", *opts, name]
        self.closed = closed

    def __enter__(self):
        self.mnt = tempfile.mkdtemp(prefix="csx-fuse-")
        close = (lambda: [os.close(fd) for fd in self.closed]) if self.closed else None
        p = subprocess.run([BIN, *self.args, self.mnt], capture_output=True, timeout=120, preexec_fn=close)
        self.rc, self.err = p.returncode, p.stderr
        if p.returncode not in (0, 3):
            raise RuntimeError(f"mount failed ({p.returncode}): {p.stderr.decode()}")
        return self

    def __exit__(self, *a):
        subprocess.run([BIN, "umount", self.mnt], capture_output=True)
        os.rmdir(self.mnt)


def strip_csleuth(tree):
    for r in tree.values():
        if "xattrs" in r:
            r["xattrs"] = {k: v for k, v in r["xattrs"].items() if not k.startswith("user.csleuth.")}
    return tree


def layers_of(root, ins):
    gd = ins["GraphDriver"]["Data"]
    host = re.match(r"^(.*)/(overlay2|overlay)/[^/]+/(diff|upper|root)$", gd["UpperDir"]).group(1)
    layers = [gd["UpperDir"]] + (gd["LowerDir"].split(":") if gd.get("LowerDir") else [])
    return [os.path.join(root, os.path.relpath(x, host)) for x in layers]


def check_equal_kernel(t, root):
    rc, ps, _ = csleuth_json("--root", root, "ps", "--json")
    rc, ins, _ = csleuth_json("--root", root, "inspect", *[c["id"] for c in ps])
    for i in ins:
        name = i["Name"].lstrip("/")
        with Mounted(root, name) as m:
            t.ok(os.path.exists(os.path.join(m.mnt, "bin")), f"{name}: the mount is ready when mount returns")
            got = strip_csleuth(walk_tree(m.mnt))
        with kernel_overlay(layers_of(root, i)) as k:
            want = walk_tree(k)
        t.ok(got == want, f"{name}: FUSE view equals the kernel's overlay mount ({len(want)} entries: "
             "names, types, modes, owners, sizes, ns mtimes, links, content, xattrs)", diff_records(got, want))
    rc, im, _ = csleuth_json("--root", root, "inspect", "--type", "image", "dive-test:latest")
    with Mounted(root, "dive-test:latest") as m:
        got = strip_csleuth(walk_tree(m.mnt))
    with kernel_overlay(layers_of(root, im[0])) as k:
        want = walk_tree(k)
    t.ok(got == want, f"image dive-test (14 layers): FUSE view equals the kernel's ({len(want)} entries)",
         diff_records(got, want))


def check_readonly(t, root):
    with Mounted(root, "changes") as m:
        p = os.path.join(m.mnt, "etc", "passwd")
        attempts = {
            "open for writing": lambda: os.open(p, os.O_WRONLY),
            "open with O_TRUNC": lambda: os.open(p, os.O_RDONLY | os.O_TRUNC),
            "create": lambda: os.open(os.path.join(m.mnt, "new"), os.O_WRONLY | os.O_CREAT, 0o644),
            "mkdir": lambda: os.mkdir(os.path.join(m.mnt, "d")),
            "unlink": lambda: os.unlink(p),
            "rmdir": lambda: os.rmdir(os.path.join(m.mnt, "tmp")),
            "rename": lambda: os.rename(p, p + ".x"),
            "chmod": lambda: os.chmod(p, 0o777),
            "chown": lambda: os.chown(p, 1, 1),
            "utime": lambda: os.utime(p, (0, 0)),
            "truncate": lambda: os.truncate(p, 0),
            "symlink": lambda: os.symlink("x", os.path.join(m.mnt, "l")),
            "link": lambda: os.link(p, os.path.join(m.mnt, "h")),
            "setxattr": lambda: os.setxattr(p, "user.x", b"1"),
            "removexattr": lambda: os.removexattr(p, "user.csleuth.layer"),
            "mknod": lambda: os.mkfifo(os.path.join(m.mnt, "f")),
        }
        for what, fn in attempts.items():
            try:
                fn()
                t.ok(False, f"{what} is refused")
            except OSError as e:
                t.eq(e.errno, errno.EROFS, f"{what} fails with EROFS")
        # provenance
        # one numbering everywhere: from the base layer (0) up
        rc, ins, _ = csleuth_json("--root", root, "inspect", "changes")
        gd = ins[0]["GraphDriver"]["Data"]
        top = len(gd["LowerDir"].split(":"))
        t.eq(os.getxattr(os.path.join(m.mnt, "tmp", "dropper"), "user.csleuth.layer"), str(top).encode(),
             f"user.csleuth.layer says the dropped file is in the container's own layer ({top}, the top)")
        t.eq(os.getxattr(os.path.join(m.mnt, "bin", "busybox"), "user.csleuth.layer"), b"0",
             "user.csleuth.layer of a base-image file is 0, as mount --layer and diff --json count")
        rc, d, _ = csleuth_json("--root", root, "diff", "--json", "changes")
        drop = [c for c in d if c["path"] == "/tmp/dropper"]
        t.ok(drop and drop[0]["entry"]["layer"] == top, "diff --json counts layers the same way")
        ev = os.getxattr(os.path.join(m.mnt, "bin", "busybox"), "user.csleuth.evidence_path").decode()
        t.ok(ev.startswith("overlay2/") and os.path.exists(os.path.join(root, ev)),
             "user.csleuth.evidence_path names the file in the evidence")
        st1, st2 = os.stat(os.path.join(m.mnt, "srv/data/orig")), os.stat(os.path.join(m.mnt, "srv/data/hardlink1"))
        t.ok(st1.st_ino == st2.st_ino and st1.st_nlink >= 2, "hard links share one inode")


def check_no_stacking(t, root):
    """A mount point must be an empty directory that is not a mount point."""
    with Mounted(root, "changes") as m:
        rc, _, err = csleuth("--root", root, "mount", "exit0", m.mnt)
        t.ok(rc == 2 and b"already a mount point" in err and b"fuse.csleuth" in err and b"csleuth:638eff8361df" in err,
             "mounting over a csleuth mount is refused, naming what is mounted there", err)
        t.ok(os.path.exists(os.path.join(m.mnt, "tmp", "dropper")), "the first mount is still what is seen")
    with tempfile.TemporaryDirectory() as d:
        open(os.path.join(d, "case-notes.txt"), "w").close()
        rc, _, err = csleuth("--root", root, "mount", "changes", d)
        t.ok(rc == 2 and b"not empty" in err and b"case-notes.txt" in err,
             "mounting over a non-empty directory is refused, naming what it holds", err)
        t.ok(os.listdir(d) == ["case-notes.txt"] and not os.path.ismount(d), "nothing was mounted")
        rc, _, err = csleuth("umount", d)
        t.ok(rc == 1 and b"not a mount point" in err, "umount of a plain directory is refused", err)


def check_stable_inodes(t, root):
    def inodes():
        with Mounted(root, "rich") as m:
            return {dp + "/" + n: os.lstat(os.path.join(dp, n)).st_ino
                    for dp, dn, fn in os.walk(m.mnt) for n in dn + fn}, m.mnt
    a, ma = inodes()
    b, mb = inodes()
    a = {k[len(ma):]: v for k, v in a.items()}
    b = {k[len(mb):]: v for k, v in b.items()}
    t.ok(a == b and len(a) > 50, f"inode numbers are the same on a second mount ({len(a)} entries)")


def check_closed_std(t, root):
    """Started with standard input (or all three standard descriptors)
    closed, the mount shows what it shows otherwise: the evidence files it
    opens first must not land on 0-2, which the daemon points at /dev/null."""
    with Mounted(root, "rich") as m:
        want = strip_csleuth(walk_tree(m.mnt))
    for closed, what in (((0,), "standard input"), ((0, 1, 2), "standard input, output and error")):
        with Mounted(root, "rich", closed=closed) as m:
            got = strip_csleuth(walk_tree(m.mnt))
        t.ok(got == want and len(want) > 50, f"mount started with {what} closed shows the same view "
             f"({len(got)} of {len(want)} entries)", diff_records(got, want))


def check_views(t, root):
    with Mounted(root, "changes", "--upper") as m:
        top = sorted(os.listdir(m.mnt))
        t.eq(top, ["etc", "root", "tmp", "usr"], "--upper shows only the container's own layer")
        t.ok(not os.path.exists(os.path.join(m.mnt, "etc", "group")), "--upper never shows a whiteout")
        rc, ins, _ = csleuth_json("--root", root, "inspect", "changes")
        n = len(ins[0]["GraphDriver"]["Data"]["LowerDir"].split(":")) + 1
        t.eq(os.getxattr(os.path.join(m.mnt, "tmp", "dropper"), "user.csleuth.layer"), str(n - 1).encode(),
             "--upper: user.csleuth.layer still counts from the base of the whole stack")
    with Mounted(root, "changes", "--layer", "0") as m:
        t.ok(os.path.exists(os.path.join(m.mnt, "etc", "motd")) and not os.path.exists(os.path.join(m.mnt, "tmp", "dropper")),
             "--layer 0 shows the base layer alone (the file later deleted is there)")
        t.eq(os.getxattr(os.path.join(m.mnt, "etc", "motd"), "user.csleuth.layer"), b"0",
             "--layer 0: its files say layer 0")
    with Mounted(root, "changes", "--deleted") as m:
        d = os.path.join(m.mnt, ".csleuth", "deleted")
        t.ok(open(os.path.join(d, "etc", "group"), "rb").read().startswith(b"root:"),
             "--deleted shows the original of a deleted file")
        t.ok(os.path.exists(os.path.join(d, "usr/share/doc/sub/z.txt")),
             "--deleted shows what a replaced directory hid")
        t.ok(b"mallory" not in open(os.path.join(d, "etc", "passwd"), "rb").read()
             and b"mallory" in open(os.path.join(m.mnt, "etc", "passwd"), "rb").read(),
             "--deleted shows the original of an overwritten file")
        t.ok(not os.path.exists(os.path.join(d, "bin")), "--deleted shows nothing unchanged")
    with Mounted(root, "vols", "--volumes") as m:
        t.ok(os.listdir(os.path.join(m.mnt, "data")) != [], "--volumes shows the named volume's data at /data")
    with Mounted(root, "vols") as m:
        t.eq(os.listdir(os.path.join(m.mnt, "data")), [], "without --volumes /data is the empty mount point")


def check_untouched(t, root, tmp):
    """From a read-only mount of the evidence (where reading a symbolic link
    leaves its access time alone), mounting and reading everything changes
    nothing at all; test_untouched.py covers writable mounts."""
    from fsview import age_atimes, bind_mount, snapshot
    copy = os.path.join(tmp, "untouched")
    subprocess.run(["cp", "-a", root, copy], check=True)
    age_atimes(copy)
    with bind_mount(copy, "ro") as view:
        before = snapshot(view)
        for opts in ((), ("--deleted", "--volumes")):
            with Mounted(view, "vols", *opts) as m:
                walk_tree(m.mnt)
            with Mounted(view, "changes", *opts) as m:
                walk_tree(m.mnt)
        after = snapshot(view)
    changed = [k for k in before if before[k] != after.get(k)]
    t.ok(not changed, f"mounting and reading everything changes nothing in the evidence ({len(before)} entries)",
         "\n".join(f"{k}: {before[k]} -> {after.get(k)}" for k in changed[:5]))
    subprocess.run(["rm", "-rf", copy])


def check_damaged(t, root, tmp):
    copy = os.path.join(tmp, "damaged")
    subprocess.run(["cp", "-a", root, copy], check=True)
    _, ins, _ = csleuth_json("--root", copy, "inspect", "changes", "rich")
    ch, rich = layers_of(copy, ins[0]), layers_of(copy, ins[1])
    up = ch[0]
    # names with newlines, a symlink loop, a directory of 10,000 entries, a
    # whiteout where a directory is expected
    open(os.path.join(up, "tmp", "evil\nname"), "w").write("x")
    os.symlink("loop2", os.path.join(up, "tmp", "loop1"))
    os.symlink("loop1", os.path.join(up, "tmp", "loop2"))
    big = os.path.join(up, "tmp", "big")
    os.mkdir(big)
    for i in range(10000):
        open(os.path.join(big, f"f{i:05d}"), "w").close()
    os.mknod(os.path.join(up, "tmp", "ghost"), 0o600 | 0o020000, os.makedev(0, 0))
    # rich: one image layer directory missing; its upper replaced by a symlink out of the evidence
    subprocess.run(["rm", "-rf", rich[3]], check=True)
    with Mounted(copy, "changes") as m:
        t.ok(os.path.exists(os.path.join(m.mnt, "tmp", "evil\nname")), "a name with a newline is served")
        t.eq(os.readlink(os.path.join(m.mnt, "tmp", "loop1")), "loop2", "a symlink loop is served as links")
        t.eq(len(os.listdir(os.path.join(m.mnt, "tmp", "big"))), 10000, "a directory of 10,000 entries is listed whole")
        t.ok(not os.path.lexists(os.path.join(m.mnt, "tmp/ghost")), "a whiteout hiding nothing is never shown")
    with Mounted(copy, "rich") as m:
        t.ok(m.rc == 3 and rich[3].split("/")[-2].encode() in m.err,
             "a missing layer is named on stderr and the mount exits 3", m.err)
        t.ok(os.path.exists(os.path.join(m.mnt, "bin", "busybox")), "the rest is still served")
    rc, out, _ = csleuth("--root", copy, "diff", "changes")
    t.ok(b"A /tmp/evil\\nname" in out, "diff escapes a newline in a name")
    os.rename(up, up + ".moved")
    os.symlink("/etc", up)
    rc, _, err = csleuth("--root", copy, "diff", "changes")
    t.ok(rc in (1, 3) and b"passwd" not in err, "a layer symlinked out of the evidence is not followed", err)
    subprocess.run(["rm", "-rf", copy])


def check_nosymfollow(t, root, tmp):
    """A link in a layer to a file of the workstation is shown as a link, and
    the kernel does not follow it: the mount is nosymfollow. Where that
    cannot be set, csleuth says so and the view still works."""
    copy = os.path.join(tmp, "nsf")
    subprocess.run(["cp", "-a", root, copy], check=True)
    _, ins, _ = csleuth_json("--root", copy, "inspect", "changes")
    up = layers_of(copy, ins[0])[0]
    secret = os.path.join(tmp, "workstation-secret")
    with open(secret, "w") as f:
        f.write("the examiner's own file\n")
    os.symlink(secret, os.path.join(up, "tmp", "to-host"))
    with Mounted(copy, "changes") as m:
        link = os.path.join(m.mnt, "tmp", "to-host")
        t.eq(os.readlink(link), secret, "the link is shown as the layer has it")
        try:
            with open(link) as f:
                got = f.read()
        except OSError as e:
            got = e.errno
        t.eq(got, errno.ELOOP, "opening it through the mount fails (ELOOP), the workstation's file "
             "is not read")
        st = os.statvfs(m.mnt)
        t.ok(st.f_flag & getattr(os, "ST_NOSYMFOLLOW", 8192), "the mount is nosymfollow")
        t.ok(b"nosymfollow" not in m.err, "and nothing is said about it", m.err)
        with open(os.path.join(m.mnt, "bin", "busybox"), "rb") as f:
            t.eq(f.read(4), b"\x7fELF", "files still read")
    helper = os.path.join(os.environ.get("CSLEUTH_BUILDDIR", ""), "tests", "no_remount")
    if not os.path.exists(helper):
        t.skip("tests/no_remount helper not built")
        return
    mnt = tempfile.mkdtemp(prefix="csx-fuse-")
    p = subprocess.run([helper, BIN, "--root", copy, "mount", "changes", mnt], capture_output=True,
                       timeout=120)
    try:
        if p.returncode == 77:
            t.skip("no seccomp here: " + p.stderr.decode(errors="replace"))
            return
        t.ok(p.returncode == 0 and b"could not be made nosymfollow" in p.stderr
             and b"do not open them" in p.stderr,
             "where a mount's flags cannot be changed, csleuth warns", p.stderr)
        t.ok(os.path.exists(os.path.join(mnt, "bin", "busybox")), "and the view is still served")
    finally:
        subprocess.run([BIN, "umount", mnt], capture_output=True)
        os.rmdir(mnt)
    subprocess.run(["rm", "-rf", copy])


def main():
    t = Tap()
    if not can_fuse():
        t.skip("FUSE needs root, /dev/fuse and fusermount3")
        t.done()
    root = fixture("overlay2")
    with tempfile.TemporaryDirectory() as tmp:
        if can_mount_overlay():
            t.run(check_equal_kernel, root)
        else:
            t.skip("the kernel's overlayfs cannot be mounted here")
        t.run(check_readonly, root)
        t.run(check_no_stacking, root)
        t.run(check_stable_inodes, root)
        t.run(check_closed_std, root)
        t.run(check_views, root)
        t.run(check_untouched, root, tmp)
        t.run(check_damaged, root, tmp)
        t.run(check_nosymfollow, root, tmp)
    t.done()


main()
