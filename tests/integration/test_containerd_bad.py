"""Damaged containerd evidence: each damage costs only its item, with a
message naming the file (and page), and everything else is still listed.
Damage is made in private copies of the real-engine fixture; what is
expected comes from engine/scenario.json."""
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from harness import CACHE, SRC, Tap, bolt_leaf_elements, csleuth  # noqa: E402
from test_containerd import ENG, node, rec  # noqa: E402

CTRD = "var/lib/containerd"
META = CTRD + "/io.containerd.metadata.v1.bolt/meta.db"


def copy(root, tmp, name):
    dst = os.path.join(tmp, name)
    subprocess.run(["cp", "-a", root, dst], check=True)
    return dst


def ps(root):
    rc, out, err = csleuth("--sysroot", root, "ps", "--json")
    return rc, {(p["namespace"], p["id"]): p for p in json.loads(out or b"[]")}, err.decode("utf-8", "replace")


def meta_pages(path):
    d = open(path, "rb").read()
    psz = struct.unpack_from("<I", d, 16 + 8)[0]
    txid = [struct.unpack_from("<Q", d, i * psz + 16 + 48)[0] for i in (0, 1)]
    return d, psz, txid


def test_many(t, root, sc, tmp):
    r = copy(root, tmp, "many")
    byname = {c["name"]: c for c in sc["containers"]}
    # 1. a content blob whose bytes no longer match their digest: csx.local/base:1's config
    base = sc["images"]["base"]["config_digest"].split(":")[1]
    blob = os.path.join(r, CTRD, "io.containerd.content.v1.content/blobs/sha256", base)
    os.chmod(blob, 0o644)
    b = open(blob, "rb").read()
    open(blob, "wb").write(b.replace(b'"architecture"', b'"architecturE"', 1))
    # 2. a snapshot whose directory is missing: exit3's own layer
    out = subprocess.run([os.environ.get("CSLEUTH", "csleuth"), "--sysroot", root, "inspect",
                          "containerd:default/exit3"], capture_output=True).stdout
    top = json.loads(out)[0]["Csleuth"]["Layers"][0]["Path"]
    shutil.rmtree(os.path.join(r, top))
    # 3. a cycle of snapshot parents: the k8s.io app layer made its own parent
    sdb = os.path.join(r, CTRD, "io.containerd.snapshotter.v1.overlayfs/metadata.db")
    d = bytearray(open(sdb, "rb").read())
    pat = re.compile(rb"(k8s\.io/\d+/sha256:[0-9a-f]{64})([^/]{16,200}?)parent(k8s\.io/\d+/sha256:[0-9a-f]{64})", re.S)
    m = next(m for m in pat.finditer(bytes(d)) if len(m.group(1)) == len(m.group(3)) and m.group(1) != m.group(3))
    d[m.start(3):m.end(3)] = m.group(1)
    open(sdb, "wb").write(bytes(d))
    # 4. a CRI log line with a bad time: app-0's first line
    log = os.path.join(r, byname["app-0"]["log_path"].lstrip("/"))
    lines = open(log, "rb").read().split(b"\n")
    lines[0] = b"20X6-11-26T19:26:2x" + lines[0][lines[0].index(b" "):]
    open(log, "wb").write(b"\n".join(lines))
    # 5. a torn newer meta page (a power cut during a commit)
    mp = os.path.join(r, META)
    md, psz, txid = meta_pages(mp)
    newer = 0 if txid[0] > txid[1] else 1
    md = bytearray(md)
    md[newer * psz + 16 + 56] ^= 0xFF
    open(mp, "wb").write(bytes(md))

    rc, got, err = ps(r)
    t.eq(rc, 3, "damaged node: ps completes with warnings (exit 3)")
    t.ok("meta.db" in err and f"transaction {min(txid)}" in err,
         "the torn meta page is noted and the older transaction read", err[-3000:])
    for c in sc["containers"]:
        key = (None if c["kind"] == "docker29" else c["namespace"], c["id"])
        t.ok(key in got, f"{c['name']}: still listed")
    t.ok(got[("default", "exit3")]["incomplete"] and top in err,
         "exit3: its missing snapshot directory costs exit3, named", err[-2000:])
    t.ok("cycle" in err and "metadata.db" in err, "the parent cycle is reported with the snapshotter's file")
    app = byname["app-0"]["id"]
    t.ok(got[("k8s.io", app)]["incomplete"], "app-0 (on the cycled layer) is incomplete")
    t.ok(not got[("default", "running")]["incomplete"] and not got[("csx", "native-exit0")]["incomplete"],
         "containers on other layers are whole")
    rc, out, err2 = csleuth("--sysroot", r, "images", "--json")
    ims = json.loads(out)
    bad = [i for i in ims if i.get("config_digest") == "x"]  # placeholder (images --json has no config digest)
    tampered = [i for i in ims if i["incomplete"]]
    t.ok(tampered and all("csx.local/base:1" in i["tags"] for i in tampered) and b"tampered" in err2
         and base.encode() in err2, "the tampered config blob is reported (file named) and costs only base:1",
         err2[-1500:])
    rc, out, err3 = csleuth("--sysroot", r, "logs", "--stream", "stdout", "containerd:k8s.io/" + app)
    want = open(os.path.join(ENG, "logs", "cri", "app-0.all.stdout"), "rb").read()
    t.ok(b"bad time" in err3 and log.split(r + "/")[1].encode() in err3 and b"offset 0" in err3,
         "a CRI line with a bad time is reported with its file and offset", err3)
    t.ok(len(out) > 0 and want.endswith(out[-200:]), "the other log lines are still printed")


def test_field_damage(t, root, sc, tmp):
    """One container's spec value damaged inside its own bucket (its length
    runs past the page): that container is flagged, with the file, the page
    and the element named; nothing else changes. The spec used to be dropped
    without a word, as an absent one."""
    r = copy(root, tmp, "spec")
    mp = os.path.join(r, META)
    d, psz, _ = meta_pages(mp)
    d = bytearray(d)
    hits = bolt_leaf_elements(d, psz, b"spec")
    if not t.ok(hits, f"a container's spec element is found in a leaf page of meta.db ({len(hits)} in all)"):
        return
    rc0, before, _ = ps(root)
    off, page = hits[0]
    struct.pack_into("<I", d, off, 0x7FFFFFF0)
    open(mp, "wb").write(bytes(d))
    rc, got, err = ps(r)
    flagged = [k for k, p in got.items()
               if any("its record is damaged" in (q.get("message") or "") for q in p.get("problems") or [])]
    t.ok(rc == 3 and len(flagged) == 1 and got[flagged[0]]["incomplete"] and "meta.db" in err and
         f"page {page}" in err and "outside the page" in err,
         f"a damaged spec (page {page}): one container flagged, meta.db, the page and the element named",
         (flagged, err[-1500:]))
    t.eq(set(got), set(before), "a damaged spec: every container is still listed")
    same = [k for k in before if k not in flagged and got[k] == before[k]]
    t.eq(len(same), len(before) - 1, "a damaged spec: every other container's listing is as it was")


def test_image_record_damage(t, root, sc, tmp):
    """An image record's updatedat element damaged (its length runs past the
    page), its target intact: the image is still listed, flagged, with the
    file and page named; the other images are as they were."""
    r = copy(root, tmp, "image-record")
    mp = os.path.join(r, META)
    d, psz, _ = meta_pages(mp)
    d = bytearray(d)
    pages = sorted({pg for _, pg in bolt_leaf_elements(d, psz, b"target")})
    hit = next(((off, pg) for off, pg in bolt_leaf_elements(d, psz, b"updatedat") if pg in pages), None)
    if not t.ok(hit, "an image record's updatedat element is found beside its target"):
        return
    struct.pack_into("<I", d, hit[0], 0x7FFFFFF0)
    open(mp, "wb").write(bytes(d))

    def images(root):
        rc, out, err = csleuth("--sysroot", root, "images", "--json")
        return rc, {(i["namespace"], i["id"]): i for i in json.loads(out or b"[]")}, err.decode("utf-8", "replace")
    _, before, _ = images(root)
    rc, got, err = images(r)
    flagged = [k for k, i in got.items()
               if any("its record is damaged" in (q.get("message") or "") for q in i.get("problems") or [])]
    t.ok(rc == 3 and len(flagged) == 1 and got[flagged[0]]["incomplete"] and f"page {hit[1]}" in err and
         "meta.db" in err, f"a damaged image record (page {hit[1]}): listed, flagged, the file and page named",
         (flagged, err[-1500:]))
    t.eq(set(got), set(before), "a damaged image record: every image is still listed")
    t.eq(len([k for k in before if k not in flagged and got[k] == before[k]]), len(before) - 1,
         "a damaged image record: every other image is as it was")


def test_truncated(t, root, sc, tmp):
    r = copy(root, tmp, "trunc")
    mp = os.path.join(r, META)
    d = open(mp, "rb").read()
    open(mp, "wb").write(d[: len(d) // 8])
    rc, got, err = ps(r)
    t.ok(rc in (1, 3), f"truncated meta.db: ps still runs (exit {rc})")
    t.ok("meta.db" in err and "page" in err, "the message names meta.db and the page", err[-1500:])
    dk = [c for c in sc["containers"] if c["kind"] == "docker29"]
    t.ok(all((None, c["id"]) in got for c in dk), "the Docker containers on the same host are still listed")
    # a file that is not bbolt at all costs the whole containerd root only
    open(mp, "wb").write(b"\0" * 8192)
    rc, got, err = ps(r)
    t.ok(rc == 3 and "not a bbolt database" in err and "meta.db" in err and all((None, c["id"]) in got for c in dk),
         "a meta.db with no valid meta page costs only the containerd root", err[-1500:])


def test_untouched(t, root, sc, tmp):
    """Every command over the node leaves each entry's content, owner, mode
    and times (atime too, aged first) as they were."""
    from fsview import check_untouched
    r = copy(root, tmp, "untouched")
    n = []

    def run(r):
        rc, out, _ = csleuth("--sysroot", r, "ps", "--json")
        ps = json.loads(out)
        n.append(len(ps))
        rc, out, _ = csleuth("--sysroot", r, "images", "--json")
        ims = json.loads(out)
        q = [p["id"] if p["engine"] == "docker" else f"containerd:{p['namespace']}/{p['id']}" for p in ps]
        csleuth("--sysroot", r, "inspect", *q)
        for p in q:
            csleuth("--sysroot", r, "logs", p)
            csleuth("--sysroot", r, "diff", "--json", p)
            csleuth("--sysroot", r, "export", "-o", os.path.join(tmp, "x.tar"), p)
        for i in ims:
            csleuth("--sysroot", r, "history",
                    i["id"] if not i["namespace"] else f"containerd:{i['namespace']}/{i['id']}")
        csleuth("--sysroot", r, "timeline", "--logs", "--layers", "--hash", "-o", os.path.join(tmp, "tl.csv"))
    check_untouched(t, "node", r, run)
    t.ok(n and n[0] > 0 and n[0] == n[-1], f"node: the commands read {n[0] if n else 0} containers")


def main():
    t = Tap()
    if os.geteuid() != 0:
        t.skip("the fixture holds whiteouts and trusted.* xattrs: unpacking needs root")
        t.done()
    root = node()
    sc = rec("scenario.json")
    tmp = tempfile.mkdtemp(prefix="csx-ctrd-bad-", dir=CACHE)
    try:
        t.run(test_many, root, sc, tmp)
        t.run(test_field_damage, root, sc, tmp)
        t.run(test_image_record_damage, root, sc, tmp)
        t.run(test_truncated, root, sc, tmp)
        t.run(test_untouched, root, sc, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    t.done()


if __name__ == "__main__":
    main()
