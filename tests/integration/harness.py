"""A small TAP harness for csleuth's integration tests (stdlib only).

Environment (set by meson): CSLEUTH (the binary), CSLEUTH_SRCDIR,
CSLEUTH_BUILDDIR. The shared folder of real engine data is looked for in
CSLEUTH_SHARED, else beside the source tree (../shared).
"""
import fcntl
import hashlib
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tarfile
import traceback

BIN = os.environ.get("CSLEUTH", "csleuth")
SRC = os.environ.get("CSLEUTH_SRCDIR", os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("CSLEUTH_BUILDDIR", os.path.join(SRC, "build"))
SHARED = os.environ.get("CSLEUTH_SHARED", os.path.join(SRC, "..", "shared"))
CACHE = os.path.join(BUILD, "testdata-cache")


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, msg, detail=None):
        self.n += 1
        print(f"{'ok' if cond else 'not ok'} {self.n} - {msg}", flush=True)
        if not cond:
            self.failed += 1
            if detail is not None:
                for line in str(detail).splitlines()[:40]:
                    print(f"#   {line}")
        return cond

    def eq(self, got, want, msg):
        return self.ok(got == want, msg, f"got:  {got!r}\nwant: {want!r}")

    def skip(self, msg):
        self.n += 1
        print(f"ok {self.n} - # SKIP {msg}", flush=True)

    def note(self, msg):
        """A TAP comment: where the test is, so that a run cut short shows
        how far it went."""
        print(f"# {msg}", flush=True)

    def run(self, fn, *args):
        """Runs one test function; an exception is one failure, not a crash."""
        try:
            self.note(f"{fn.__name__}")
            fn(self, *args)
        except Exception:  # noqa: BLE001 - report and go on
            self.ok(False, f"{fn.__name__}{args!r} raised", traceback.format_exc())

    def done(self):
        print(f"1..{self.n}", flush=True)
        sys.stderr.flush()
        sys.exit(1 if self.failed else 0)


# The note csleuth gives before reading evidence on a writable mount without
# noatime (reading a symbolic link changes its access time). The fixtures are
# unpacked into the build tree, usually such a mount: csleuth() removes the
# note so that tests can compare stderr byte for byte; test_untouched.py
# checks it.
ATIME_NOTE = re.compile(rb"^csleuth: note: [^\n]* is on a writable mount without noatime: [^\n]*\n",
                        re.M)


def strip_atime_note(err):
    return ATIME_NOTE.sub(b"", err, count=1)


def csleuth(*args, check=None, env=None, atime_note=False):
    """Runs csleuth; returns (exit code, stdout bytes, stderr bytes). The
    access-time note is removed from stderr unless atime_note is true."""
    p = subprocess.run([BIN, *args], capture_output=True, timeout=300, env=env)
    return p.returncode, p.stdout, p.stderr if atime_note else strip_atime_note(p.stderr)


def csleuth_json(*args):
    rc, out, err = csleuth(*args)
    return rc, json.loads(out.decode("utf-8")), err


def _digest(paths):
    h = hashlib.sha256()
    for p in paths:
        with open(p, "rb") as f:
            for b in iter(lambda: f.read(1 << 20), b""):
                h.update(b)
    return h.hexdigest()


def _locked_unpack(name, unpack, sources=()):
    """Unpacks (once per build tree) into the cache directory NAME, under a
    lock, so tests running side by side share it. sources: the files it is
    made from; when their content changes (a regenerated fixture), it is
    unpacked again instead of a stale copy being used."""
    os.makedirs(CACHE, exist_ok=True)
    dest = os.path.join(CACHE, name)
    stamp = os.path.join(dest, ".unpacked")
    with open(os.path.join(CACHE, name + ".lock"), "w") as lk:
        fcntl.flock(lk, fcntl.LOCK_EX)
        key = _digest(sources) if sources else ""
        have = None
        if os.path.exists(stamp):
            with open(stamp, encoding="utf-8") as f:
                have = f.read().strip()
        if have != key:
            shutil.rmtree(dest, ignore_errors=True)
            os.makedirs(dest)
            unpack(dest)
            with open(stamp, "w", encoding="utf-8") as f:
                f.write(key)
    return dest


def unpack_txz(name, txz):
    """A fixture tarball unpacked with GNU tar, keeping device nodes and
    trusted.* xattrs (which needs root), into the cache directory NAME;
    returns that directory."""
    def unpack(dest):
        subprocess.run(["tar", "--xattrs", "--xattrs-include=*", "--numeric-owner",
                        "-C", dest, "-xJf", txz], check=True)
    return _locked_unpack(name, unpack, sources=[txz])


def realdata(name):
    """Unpacks ../shared/realdata/docker-explorer/NAME.tgz; returns its data
    root, or None when the shared folder is absent."""
    tgz = os.path.join(SHARED, "realdata", "docker-explorer", name + ".tgz")
    if not os.path.exists(tgz):
        return None

    def unpack(dest):
        with tarfile.open(tgz) as t:
            t.extractall(dest, filter="tar") if hasattr(tarfile, "data_filter") else t.extractall(dest)

    return os.path.join(_locked_unpack("realdata-" + name, unpack, sources=[tgz]), "docker")


def fixture(name):
    """Unpacks testdata/docker/NAME.tar.xz (see unpack_txz); returns its
    data root."""
    return os.path.join(unpack_txz("fixture-" + name, os.path.join(SRC, "testdata", "docker", name + ".tar.xz")),
                        "docker")


def engine_record(name, *parts):
    p = os.path.join(SRC, "testdata", "docker", name, *parts)
    with open(p, encoding="utf-8") as f:
        return json.load(f)


def copy_tree(src, dst):
    """A private copy of an evidence tree for tests that damage it."""
    shutil.rmtree(dst, ignore_errors=True)
    shutil.copytree(src, dst, symlinks=True)
    return dst


def has_control(b):
    """True if bytes b hold a control character other than newline/tab."""
    return any((c < 0x20 and c not in (0x0a, 0x09)) or c == 0x7f for c in b)


def bolt_leaf_elements(d, psz, key):
    """(offset of the vsize field, page) of each leaf element named key in
    the file's own pages (bbolt: a 16-byte page header, flags 0x02 for a
    leaf, then count elements of flags, pos, ksize, vsize; pos counts from
    the element). Inline buckets' pages are not looked into."""
    out = []
    for pg in range(len(d) // psz):
        base = pg * psz
        flags, count = struct.unpack_from("<HH", d, base + 8)
        if flags != 0x02 or count == 0 or 16 + 16 * count > psz:
            continue
        for i in range(count):
            e = base + 16 + 16 * i
            _, pos, ks, _ = struct.unpack_from("<IIII", d, e)
            if d[e + pos:e + pos + ks] == key:
                out.append((e + 12, pg))
    return out
