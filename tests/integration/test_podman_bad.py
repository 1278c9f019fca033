"""Damaged containers/storage stores: each damage costs only the items it
touches, is named with its file, and everything else is listed (exit 3).
The damage is made on copies of the real Podman fixture."""
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from harness import CACHE, SRC, Tap, bolt_leaf_elements, unpack_txz, csleuth, csleuth_json  # noqa: E402

ENG = os.path.join(SRC, "testdata", "podman", "engine")
STORE = "var/lib/containers/storage"


def rec(*parts):
    with open(os.path.join(ENG, *parts), encoding="utf-8") as f:
        return json.load(f)


def unpack():
    return unpack_txz("fixture-podman-sysroot", os.path.join(SRC, "testdata", "podman", "sysroot.tar.xz"))


class Case:
    def __init__(self, src, tmp, name):
        self.root = os.path.join(tmp, name)
        subprocess.run(["cp", "-a", src, self.root], check=True)
        self.store = os.path.join(self.root, STORE)

    def ps(self, check=False):
        """ps --json; check: with --check, which also reads the layer stacks
        (a plain ps reads the containers' own records only)."""
        rc, out, err = csleuth("--sysroot", self.root, "ps", "--json", *(["--check"] if check else []))
        return rc, json.loads(out) if out.strip() else [], err

    def images(self):
        rc, out, err = csleuth("--sysroot", self.root, "images", "--json")
        return rc, json.loads(out) if out.strip() else [], err


def names(ps, ns=None):
    return {p["name"] for p in ps if p["namespace"] == ns}


ALL_ROOT = None


def test_truncated_layers(t, src, tmp, sc):
    c = Case(src, tmp, "layers-cut")
    p = os.path.join(c.store, "overlay-layers/layers.json")
    data = open(p, "rb").read()
    open(p, "wb").write(data[:len(data) // 2])
    rc, ps, err = c.ps()
    t.ok(rc == 3 and b"overlay-layers/layers.json" in err and b"the rest are lost" in err,
         "truncated layers.json: named, with what was kept", err)
    t.eq(names(ps), ALL_ROOT, "truncated layers.json: every container is still listed")
    t.ok(not any(p["incomplete"] for p in ps if p["namespace"] == "alice"), "alice's store is untouched")
    rc, ims, err = c.images()
    t.eq(len([i for i in ims if i["namespace"] is None]), len({i["Id"] for i in rec("root", "images.json")}),
         "truncated layers.json: every image is still listed (some flagged)")


def test_bad_images(t, src, tmp, sc):
    c = Case(src, tmp, "images-bad")
    p = os.path.join(c.store, "overlay-images/images.json")
    data = open(p, "rb").read()
    mid = data.index(b"},", len(data) // 2) + 2  # between two records
    open(p, "wb").write(data[:mid] + b" garbage{{{ " + data[mid:])
    rc, ims, err = c.images()
    t.ok(rc == 3 and b"overlay-images/images.json" in err, "malformed images.json: named", err)
    t.ok(0 < len([i for i in ims if i["namespace"] is None]) < len({i["Id"] for i in rec("root", "images.json")}),
         "malformed images.json: the images before the damage are listed")
    rc, ps, err = c.ps()
    t.eq(names(ps), ALL_ROOT, "malformed images.json: every container is still listed")
    ch = [x for x in ps if x["name"] == "changes"][0]
    t.ok(not ch["incomplete"], "a container's layers do not depend on images.json")


def test_bad_containers(t, src, tmp, sc):
    c = Case(src, tmp, "containers-cut")
    p = os.path.join(c.store, "overlay-containers/containers.json")
    data = open(p, "rb").read()
    open(p, "wb").write(data[:len(data) // 3])
    rc, ps, err = c.ps()
    t.ok(rc == 3 and b"overlay-containers/containers.json" in err, "truncated containers.json: named", err)
    t.ok(names(ps) >= ALL_ROOT - {"web-0", "app"}, "every container Podman records is still listed (from its database)")
    t.ok(any(p["incomplete"] for p in ps) and not all(p["incomplete"] for p in ps if p["namespace"] is None),
         "only the containers whose storage record was lost are flagged")
    lost = [p for p in ps if p["incomplete"] and p["namespace"] is None]
    t.ok(lost and all(any("containers.json" in (q["file"] or "") for q in p["problems"]) for p in lost),
         "each flagged container names containers.json")


def test_not_arrays(t, src, tmp, sc):
    """Each store file holding valid JSON that is not an array of records:
    named, with what it costs, and the rest still listed."""
    n_images = len({i["Id"] for i in rec("root", "images.json")})
    for rel, what, value in (("overlay-layers/layers.json", "layers", {"layers": []}),
                             ("overlay-images/images.json", "images", "images"),
                             ("overlay-containers/containers.json", "containers", None)):
        c = Case(src, tmp, "not-array-" + what)
        with open(os.path.join(c.store, rel), "w") as f:
            json.dump(value, f)
        rc, ps, err = c.ps(check=True)
        rc2, ims, err2 = c.images()
        said = f"{rel}`: not a JSON array of {what}".encode()
        t.ok(rc == 3 and rc2 == 3 and said in err + err2, f"{rel} holding {json.dumps(value)}: named", err + err2)
        t.ok(names(ps) >= ALL_ROOT - {"web-0", "app"} and names(ps, "alice") == names(c.ps()[1], "alice"),
             f"{rel} not an array: every container its database records is still listed")
        root_ims = [i for i in ims if i["namespace"] is None]
        if what == "images":
            t.ok(not root_ims, "images.json not an array: none of its images is made up")
        else:
            t.eq(len(root_ims), n_images, f"{rel} not an array: every image is still listed")


def test_missing_parent(t, src, tmp, sc):
    c = Case(src, tmp, "parent")
    p = os.path.join(c.store, "overlay-layers/layers.json")
    layers = json.load(open(p))
    app = sc["image:localhost/csx/app:1.0"]
    ims = json.load(open(os.path.join(c.store, "overlay-images/images.json")))
    top = [i for i in ims if i["id"] == app][0]["layer"]
    for l in layers:
        if l["id"] == top:
            l["parent"] = "f" * 64
    json.dump(layers, open(p, "w"))
    rc, out, err = csleuth("--sysroot", c.root, "images", "--json")
    imj = json.loads(out)
    a = [i for i in imj if i["id"] == app][0]
    b = [i for i in imj if i["id"] == sc["image:localhost/csx/base:1"]][0]
    t.ok(rc == 3 and a["incomplete"] and any("layers.json" in (q["file"] or "") and "f" * 64 in q["message"]
                                             for q in a["problems"]),
         "a layer naming a missing parent: the image is flagged, layers.json and the parent named", a["problems"])
    t.ok(not b["incomplete"], "the base image is untouched")


def test_bigdata_name(t, src, tmp, sc):
    c = Case(src, tmp, "bigdata")
    base = sc["image:localhost/csx/base:1"]
    bad = os.path.join(c.store, "overlay-images", base, "=not*base64!")
    open(bad, "w").write("x")
    rc, out, err = csleuth("--sysroot", c.root, "images", "--json")
    imj = json.loads(out)
    b = [i for i in imj if i["id"] == base][0]
    t.ok(rc == 3 and any("=not*base64!" in (q["file"] or "") and "does not decode" in q["message"]
                         for q in b["problems"]),
         "a big-data name that does not decode: named on its image", b["problems"])
    t.ok(b["tags"] == ["localhost/csx/base:1"], "the image is still listed with its names")
    tampered = os.path.join(c.store, "overlay-images", base, "manifest")
    with open(tampered, "ab") as f:
        f.write(b" ")
    rc, out, err = csleuth("--sysroot", c.root, "images")
    t.ok(b"does not match its digest" in err and b"manifest" in err, "a manifest changed after the engine wrote it",
         err)


def test_bolt_page(t, src, tmp, sc):
    c = Case(src, tmp, "bolt")
    bolt = rec("root", "bolt_state.json")
    ctr = [e for e in bolt["tree"]["entries"] if e["key"] == "ctr"][0]["bucket"]
    page = ctr["root"]
    p = os.path.join(c.store, "libpod/bolt_state.db")
    with open(p, "r+b") as f:
        f.seek(page * bolt["page_size"])
        f.write(b"\xa5" * bolt["page_size"])
    rc, ps, err = c.ps()
    t.ok(rc == 3 and b"bolt_state.db" in err, "a corrupt bolt page: named", err)
    t.eq(names(ps, "alice"), {"alice-app", "alice-root"}, "alice's store is untouched")
    root_ids = {p["id"] for p in ps if p["namespace"] is None}
    t.eq(root_ids, {x["Id"] for x in rec("root", "ps-external.json")},
         "every container of the damaged store is still listed (from containers.json)")


def test_bolt_record_bucket(t, src, tmp, sc):
    """A pod's and a volume's own bucket in bolt_state.db damaged (its header
    says inline, with no inline page): each record is lost, named with the
    file and its key, and everything else is still listed."""
    c = Case(src, tmp, "bolt-records")
    bolt = rec("root", "bolt_state.json")
    top = {e["key"]: e["bucket"] for e in bolt["tree"]["entries"]}
    p = os.path.join(c.store, "libpod/bolt_state.db")
    keys = {}
    with open(p, "r+b") as f:
        for kind in ("pod", "vol"):
            ent = top[kind]["entries"][0]
            keys[kind] = ent["key"]
            page = top[kind]["root"]
            f.seek(page * bolt["page_size"])
            data = f.read(bolt["page_size"])
            hdr = struct.pack("<QQ", ent["bucket"]["root"], ent["bucket"]["sequence"])
            if not t.ok(data.count(hdr) == 1, f"{kind}/{ent['key'][:12]}: its bucket header is found once in page {page}"):
                return
            f.seek(page * bolt["page_size"] + data.index(hdr))
            f.write(struct.pack("<QQ", 0, 0))
    rc, vl, err = csleuth_json("--sysroot", c.root, "volumes", "--json")
    rc2, ps, err2 = c.ps()
    for kind in ("pod", "vol"):
        said = f"libpod/bolt_state.db`: {kind}/{keys[kind]}: ".encode()
        t.ok(rc == 3 and rc2 == 3 and said in err and said in err2 and b"that record is lost" in err,
             f"a damaged {kind} bucket: named with its file and key, the record lost", err)
    t.eq(names(ps), ALL_ROOT, "a damaged pod and volume bucket: every container is still listed")
    t.ok(names(ps, "alice") == {"alice-app", "alice-root"}, "alice's store is untouched")


def test_bolt_record_element(t, src, tmp, sc):
    """A record's config element damaged inside its bucket's own page (its
    length runs past the page): the record is named as damaged, with the
    file and the page, and every container is still listed."""
    c = Case(src, tmp, "bolt-element")
    p = os.path.join(c.store, "libpod/bolt_state.db")
    psz = rec("root", "bolt_state.json")["page_size"]
    d = bytearray(open(p, "rb").read())
    hits = bolt_leaf_elements(d, psz, b"config")
    hit = hits[0] if hits else None
    if not t.ok(hit, "a record's config element is found in a leaf page of bolt_state.db"):
        return
    struct.pack_into("<I", d, hit[0], 0x7FFFFFF0)
    open(p, "wb").write(bytes(d))
    rc, ps, err = c.ps()
    t.ok(rc == 3 and re.search(rb"bolt_state\.db`: (ctr|pod|vol)/[^:]+: its record is damaged: [^\n]*page "
                               + str(hit[1]).encode() + rb"\b[^\n]*outside the page", err),
         f"a damaged element in page {hit[1]}: the record, the file and the page named", err)
    _, before, _ = csleuth_json("--sysroot", src, "ps", "--json")
    t.eq({x["id"] for x in ps}, {x["id"] for x in before},
         "a damaged record element: every container is still listed (by id: the record held the name)")


def test_bolt_nested(t, src, tmp, sc):
    """A container's inline exec and dependencies buckets damaged (their
    pages claim 65535 entries): each named with the file, the record and
    the bucket; every container still listed."""
    c = Case(src, tmp, "bolt-nested")
    bolt = rec("root", "bolt_state.json")
    psz = bolt["page_size"]
    ctr = [e for e in bolt["tree"]["entries"] if e["key"] == "ctr"][0]["bucket"]
    p = os.path.join(c.store, "libpod/bolt_state.db")
    d = bytearray(open(p, "rb").read())
    want = []
    for sub in ("exec", "dependencies"):
        rc = [e for e in ctr["entries"] if e["bucket"]["root"] and any(
            x["key"] == sub and x["bucket"]["root"] == 0 and x.get("bucket", {}).get("entries")
            for x in e["bucket"].get("entries", []))]
        if not t.ok(rc, f"a container whose inline {sub} bucket lists something"):
            return
        page = rc[0]["bucket"]["root"]
        overflow = struct.unpack_from("<I", d, page * psz + 12)[0]  # a leaf may run on for pages
        body = bytes(d[page * psz:(page + 1 + overflow) * psz])
        pat = re.compile(re.escape(sub.encode()) + rb"\0{24}\x02\x00")
        m = list(pat.finditer(body))
        if not t.ok(len(m) == 1, f"ctr/{rc[0]['key'][:12]}: its {sub} bucket is found once in page {page}"):
            return
        struct.pack_into("<H", d, page * psz + m[0].end(), 0xFFFF)
        want.append(f"ctr/{rc[0]['key']}: {sub}: ".encode())
    open(p, "wb").write(bytes(d))
    rc, ps, err = c.ps()
    t.ok(rc == 3 and all(w in err for w in want) and b"what it lists after the damage is lost" in err,
         "damaged exec and dependencies buckets: each named with the file, record and bucket", err)
    t.eq(names(ps), ALL_ROOT, "damaged nested buckets: every container is still listed")


def test_bolt_exit_codes(t, src, tmp, sc):
    """The inline exit-code and runtime-config buckets damaged (their pages
    claim 65535 entries): named with the file and the bucket, every
    container still listed."""
    c = Case(src, tmp, "bolt-exit")
    p = os.path.join(c.store, "libpod/bolt_state.db")
    data = bytearray(open(p, "rb").read())
    # key, then its value: a bucket header (root 0: inline) and the inline
    # leaf page's header (id 0, flags 0x02, count)
    pat = re.compile(rb"(exit-code|runtime-config)\0{16}\0{8}\x02\x00")
    hits = [m.end() for m in pat.finditer(data)]
    if not t.ok(hits, "the inline exit-code and runtime-config buckets are found (in the live root page and perhaps a freed copy)"):
        return
    for i in hits:
        data[i:i + 2] = b"\xff\xff"
    open(p, "wb").write(bytes(data))
    rc, ps, err = c.ps()
    t.ok(rc == 3 and b"libpod/bolt_state.db`: bucket exit-code: " in err and b"the records after the damage are lost"
         in err, "a damaged exit-code bucket: named with its file and bucket, what it costs said", err)
    t.ok(b"libpod/bolt_state.db`: bucket runtime-config: " in err and b"set up with are not known" in err,
         "a damaged runtime-config bucket: named with its file, what it costs said", err)
    t.eq(names(ps), ALL_ROOT, "a damaged exit-code bucket: every container is still listed")


def check_listing(t, c, what):
    """Damage in a layer stack: a plain ps (which reads no stacks) lists the
    same containers, with the same fields, as ps --check (which flags it)."""
    drop = ("incomplete", "problems")
    rc1, a, e1 = c.ps()
    rc2, b, e2 = c.ps(check=True)
    strip = [{k: v for k, v in x.items() if k not in drop} for x in a]
    t.ok(rc1 == 0 and rc2 == 3 and strip == [{k: v for k, v in x.items() if k not in drop} for x in b]
         and len(a) > 5, f"{what}: ps lists every container as ps --check does (which alone reads the "
         "layer stacks and flags it)", e1 + e2)


def test_lower_outside(t, src, tmp, sc):
    c = Case(src, tmp, "lower")
    ch = [x for x in sc["containers"] if x["name"] == "changes"][0]
    layer = ch["upper_dir"].split("/overlay/")[1].split("/")[0]
    lf = os.path.join(c.store, "overlay", layer, "lower")
    os.symlink("/etc", os.path.join(c.store, "overlay/l/EVILLINKEVILLINKEVILLINK00"))
    open(lf, "w").write("l/EVILLINKEVILLINKEVILLINK00")
    check_listing(t, c, "a lower pointing outside the store")
    rc, ps, err = c.ps(check=True)
    p = [x for x in ps if x["name"] == "changes"][0]
    t.ok(rc == 3 and p["incomplete"] and any("lower" in (q["file"] or "") and "outside" in q["message"]
                                             for q in p["problems"]),
         "a lower pointing outside the store: damage on that container, the lower file named", p["problems"])
    t.ok(not any(x["incomplete"] for x in ps if x["name"] != "changes" and x["namespace"] is None
                 and x["engine"] == "podman"),
         "the other containers are untouched")
    rc, out, err = csleuth("--sysroot", c.root, "diff", "changes")
    t.ok(rc == 3 and b"/root/.ssh" in out, "its own layer is still read", err)
    os.remove(lf)
    os.symlink("../../../../../../etc/passwd", lf)
    rc, ps, err = c.ps(check=True)
    t.ok(rc == 3 and b"lower" in err, "a lower file that is a link out of the evidence is refused, named", err)


def test_missing_dir(t, src, tmp, sc):
    c = Case(src, tmp, "nodir")
    ch = [x for x in sc["containers"] if x["name"] == "ticker"][0]
    layer = ch["upper_dir"].split("/overlay/")[1].split("/")[0]
    shutil.rmtree(os.path.join(c.store, "overlay", layer, "diff"))
    check_listing(t, c, "a missing layer directory")
    rc, ps, err = c.ps(check=True)
    p = [x for x in ps if x["name"] == "ticker"][0]
    t.ok(rc == 3 and p["incomplete"] and layer.encode() in err, "a missing layer directory: named, flagged", err)
    t.eq(names(ps), ALL_ROOT, "everything is still listed")


def main():
    global ALL_ROOT
    t = Tap()
    if os.geteuid() != 0:
        t.skip("the fixture holds whiteouts and trusted.* xattrs: unpacking needs root")
        t.done()
    src = unpack()
    sc = rec("scenario.json")
    rc, ps, _ = csleuth_json("--sysroot", src, "ps", "--json")
    ALL_ROOT = names(ps)
    tmp = tempfile.mkdtemp(prefix="csx-pmbad-", dir=CACHE)
    try:
        for fn in (test_truncated_layers, test_bad_images, test_bad_containers, test_not_arrays, test_missing_parent,
                   test_bigdata_name, test_bolt_page, test_bolt_record_bucket, test_bolt_record_element, test_bolt_nested,
                   test_bolt_exit_codes,
                   test_lower_outside, test_missing_dir):
            t.run(fn, src, tmp, sc)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    t.done()


if __name__ == "__main__":
    main()
