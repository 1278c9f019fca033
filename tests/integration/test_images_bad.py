#!/usr/bin/env python3
"""Damaged and hostile disk images cost only what they touch, and say so
with the image, the volume and the offset or inode.

Each case damages a copy of a good image the way evidence is found
damaged (or the way an attacker would shape it), then checks that csleuth
neither crashes nor gives up on what is intact: a truncated image and a
truncated E01 segment, an MBR with overlapping and out-of-range entries, a
GPT whose primary header or entry array fails its CRC (the backup is used
and the diagnostics say so), a superblock with absurd counts (a backup
superblock is used), a directory that contains its own ancestor, an extent
tree that loops back, a file whose extents point past the volume, a
directory entry naming an inode past the inode table, an E01 chunk that
fails its checksum (and --verify reports it), an XFS superblock with an
absurd allocation group count, and a cut triage archive. The image files
are never changed.
"""
import json
import os
import re
import shutil
import struct
import subprocess
import tempfile

import diskimg
from harness import Tap, csleuth, csleuth_json
from imgcheck import out

MiB = 1 << 20


def ok_exit(rc):
    return rc in (0, 1, 3)


def container_dirs(host):
    """{name: (upper dir relative to the host tree)} from csleuth's own view."""
    rc, ins, _ = csleuth_json("--sysroot", host, "inspect", "rich", "changes")
    dirs = {}
    for i in ins:
        up = i["GraphDriver"]["Data"]["UpperDir"]
        rel = "var/lib/docker/" + up[up.index("/overlay2/") + 1:]
        dirs[i["Name"].lstrip("/")] = rel
    return dirs


def base_image(work, host):
    """A whole-disk ext4 (1 KiB blocks: several groups, so backup
    superblocks; no metadata_csum, so a patched directory entry is read as
    written) of a copy of the host tree, with a fragmented file and a
    random marker in container `rich`'s own layer."""
    tree = os.path.join(work, "tree")
    shutil.rmtree(tree, ignore_errors=True)
    subprocess.run(["cp", "-a", host, tree], check=True)
    rich = container_dirs(host)["rich"]
    with open(os.path.join(tree, rich, "frag.bin"), "wb") as f:
        for i in range(40):
            f.seek(i * 3 * 1024)
            f.write(bytes([i + 1]) * 1024)
    marker = os.urandom(1 << 16)
    with open(os.path.join(tree, rich, "marker.bin"), "wb") as f:
        f.write(marker)
    with open(os.path.join(tree, rich, "past.txt"), "w") as f:
        f.write("this file's extent will point past the volume\n")
    img = os.path.join(work, "base.ext4")
    subprocess.run(["mkfs.ext4", "-q", "-F", "-b", "1024", "-O", "^metadata_csum", "-E", "root_owner=0:0",
                    "-L", "csbase", "-d", tree, img, "64M"], check=True, capture_output=True)
    return img, tree, rich, marker


def debugfs(img, *cmds, write=True):
    with tempfile.NamedTemporaryFile("w", suffix=".dbg") as f:
        f.write("\n".join(cmds) + "\n")
        f.flush()
        args = ["debugfs"] + (["-w"] if write else []) + ["-f", f.name, img]
        return subprocess.run(args, capture_output=True, check=True).stdout.decode(errors="replace")


def inode_of(img, path):
    m = re.search(r"Inode:\s+(\d+)", debugfs(img, f'stat "/{path}"', write=False))
    return int(m.group(1))


def copy(src, dst):
    shutil.copyfile(src, dst)
    return dst


def check_truncated(t, lay, work):
    img = copy(lay["disk"], os.path.join(work, "trunc.raw"))
    os.truncate(img, 36 * MiB)
    before = diskimg.sha256(img)
    # --check: the layer stacks are read too, and with them the inodes past the end
    rc, o, e = out("--image", img, "ps", "--check")
    t.ok(rc == 3 and b"reach past the end of the image" in e and b"partition 2" in e,
         "truncated image: the partition that reaches past the end is named (exit 3)", e[-500:])
    t.ok(re.search(rb"trunc\.raw volume 2 \(ext4\), inode \d+: .*offset \d+ \(image offset \d+\) is past the "
                   rb"end of trunc\.raw", e) is not None,
         "truncated image: what cannot be read names the image, the volume, the inode and the offset", e[-800:])
    t.ok(o.count(b"\n") == 13, "truncated image: every container is still listed", o[-300:])
    t.eq(diskimg.sha256(img), before, "truncated image: unchanged")


def check_ewf_segment(t, lay, work):
    base = os.path.join(work, "seg")
    subprocess.run(["ewfacquire", "-u", "-q", "-t", base, "-c", "none", "-S", str(16 * MiB), lay["disk"]],
                   check=True, capture_output=True)
    segs = sorted(p for p in os.listdir(work) if p.startswith("seg.E"))
    last = os.path.join(work, segs[-1])
    os.truncate(last, os.path.getsize(last) // 2)
    first = os.path.join(work, segs[0])
    rc, o, e = out("--image", first, "ps")
    t.ok(ok_exit(rc) and b"corrupted or truncated" in e and o.count(b"\n") == 13,
         f"truncated E01 segment ({segs[-1]} cut in half): said, and the containers are still listed", e[-500:])
    rc, o, e = out("--image", first, "--verify")
    t.ok(rc == 1 and b"damage:" in o and b"FAILED" in o, "truncated E01 segment: --verify fails and names the "
         "damaged media range", o[-600:])


def write_mbr(disk, entries, size):
    with open(disk, "r+b") as f:
        f.truncate(size)
        mbr = bytearray(512)
        for i, (boot, typ, lba, count) in enumerate(entries):
            struct.pack_into("<B3sB3sII", mbr, 446 + 16 * i, boot, b"\0\0\0", typ, b"\0\0\0", lba, count)
        mbr[510:512] = b"\x55\xaa"
        f.seek(0)
        f.write(mbr)


def check_mbr(t, base, work):
    disk = os.path.join(work, "mbr.raw")
    with open(disk, "wb") as f:
        f.truncate(70 * MiB)
    diskimg.place(disk, 2048 * 512, base)
    write_mbr(disk, [(0x80, 0x83, 2048, 131072), (0, 0x83, 100000, 40000), (0, 0x83, 10**9, 2048)], 70 * MiB)
    rc, p, e = csleuth_json("--image", disk, "partitions", "--json")
    ids = [v["id"] for v in p["volumes"]]
    t.ok(ids == ["1", "2", "3"] and b"partitions 1" in e and b"overlap" in e
         and b"partition 3: starts at sector 1000000000, past the end" in e,
         "MBR: overlapping and out-of-range entries are kept, listed and named", e[-600:])
    rc, o, e = out("--image", disk, "ps")
    t.ok(rc == 3 and o.count(b"\n") == 13, "MBR: the host in partition 1 is read all the same (exit 3)", e[-400:])


def check_gpt(t, lay, work):
    good = out("--image", lay["disk"], "ps", "--json")[1]
    table = lay["table"]
    img = copy(lay["disk"], os.path.join(work, "gpt-hdr.raw"))
    with open(img, "r+b") as f:
        f.seek(512 + 24)  # my_lba: the CRC no longer matches
        f.write(b"\x07")
    rc, o, e = out("--image", img, "ps", "--json")
    last = table["lastlba"] + 33
    t.ok(rc == 3 and o == good and b"GPT: the primary header at LBA 1 fails its CRC; using the backup at LBA"
         in e, "GPT header CRC: the backup header is used, said, and the host reads as before", e[-400:])
    img = copy(lay["disk"], os.path.join(work, "gpt-ent.raw"))
    with open(img, "r+b") as f:
        f.seek(1024 + 56)  # the first entry's name
        f.write(b"X")
    rc, o, e = out("--image", img, "ps", "--json")
    t.ok(rc == 3 and o == good and b"entry array" in e and b"fails its CRC" in e and b"using the backup" in e,
         "GPT entry array CRC: the backup entries are used and said", e[-400:])
    img = copy(lay["disk"], os.path.join(work, "gpt-both.raw"))
    with open(img, "r+b") as f:
        f.seek(512 + 24)
        f.write(b"\x07")
        f.seek(os.path.getsize(img) - 512 + 24)
        f.write(b"\x07")
    rc, p, e = csleuth_json("--image", img, "partitions", "--json")
    t.ok(rc in (0, 3) and b"primary header at LBA 1 fails its CRC and the backup" in e,
         f"GPT with both headers bad: said (and not read as a table) ({last})", e[-400:])


def check_superblock(t, base, work):
    img = copy(base, os.path.join(work, "sb.ext4"))
    with open(img, "r+b") as f:
        f.seek(1024 + 32)  # s_blocks_per_group
        f.write(struct.pack("<I", 0))
        f.seek(1024 + 40)  # s_inodes_per_group
        f.write(struct.pack("<I", 0xffffffff))
    rc, o, e = out("--image", img, "ps")
    t.ok(rc == 3 and b"primary superblock is unusable" in e and b"backup at block 8193" in e
         and o.count(b"\n") == 13, "absurd superblock counts: a backup superblock is read, and said", e[-500:])


def check_dir_loop(t, base, work, rich):
    img = copy(base, os.path.join(work, "loop.ext4"))
    debugfs(img, f'link "/{rich}" "/{rich}/loop"')
    ino = inode_of(img, rich)
    before = diskimg.sha256(img)
    rc, o, e = out("--image", img, "diff", "--json", "rich")
    t.ok(rc == 3 and f"directory loop: inode {ino} (`loop`) is its own ancestor".encode() in e
         and b"loop.ext4" in e and b"/marker.bin" in o,
         "directory loop: the looping entry costs itself only, named with the image and the inode", e[-500:])
    rc2, o2, e2 = out("--image", img, "timeline", "--format", "bodyfile")
    t.ok(rc2 == 3 and b"[changes]" in o2 and b"[rich]" in o2, "directory loop: the timeline still covers every "
         "container", e2[-300:])
    t.eq(diskimg.sha256(img), before, "directory loop: the image is unchanged")


def check_extents(t, base, work, rich):
    img = copy(base, os.path.join(work, "ext.ext4"))
    frag = f"{rich}/frag.bin"
    ex = debugfs(img, f'ex "/{frag}"', write=False)
    leaves = re.findall(r"^\s*0/\s*1\s+\d+/\s*\d+\s+\d+\s*-\s*\d+\s+(\d+)", ex, re.M)
    t.ok(len(leaves) == 1, "extent tree: the fragmented file has a one-level tree", ex[:600])
    if not leaves:
        return
    leaf = int(leaves[0])
    # a second index entry naming the same leaf: the leaf is met twice
    debugfs(img, f'sif "/{frag}" block[0] {0xf30a | 2 << 16}', f'sif "/{frag}" block[6] 200',
            f'sif "/{frag}" block[7] {leaf}', f'sif "/{frag}" block[8] 0',
            f'sif "/{rich}/past.txt" block[5] {0x0fffffff}')
    fino, pino = inode_of(img, frag), inode_of(img, f"{rich}/past.txt")
    rc, o, e = out("--image", img, "timeline", "--hash", "--format", "jsonl", "rich")
    t.ok(rc == 3 and f"inode {fino}: its extent tree loops or is out of order".encode() in e,
         "extent tree loop: named with the inode, the file costs itself only", e[-600:])
    t.ok(f"inode {pino}: logical block 0 maps to blocks 268435455".encode() in e
         and b"past the end of the volume" in e, "extent past the volume: named with the inode and the block",
         e[-600:])
    rows = [json.loads(l) for l in o.splitlines() if l.strip()]
    hashed = [r for r in rows if r.get("sha256") and r["path"].endswith("marker.bin")]
    t.ok(hashed, "extent damage: the layer's other files are still hashed")


def check_inode_past(t, base, work, rich):
    img = copy(base, os.path.join(work, "ino.ext4"))
    d = [w for w in debugfs(img, f'blocks "/{rich}"', write=False).split() if w.isdigit()]
    patched = False
    with open(img, "r+b") as f:
        for blk in d:
            f.seek(int(blk) * 1024)
            b = bytearray(f.read(1024))
            i = b.find(b"past.txt")
            if i >= 8:
                struct.pack_into("<I", b, i - 8, 0x7fffffff)
                f.seek(int(blk) * 1024)
                f.write(b)
                patched = True
                break
    t.ok(patched, "inode past the table: the entry was patched")
    rc, o, e = out("--image", img, "diff", "rich")
    t.ok(rc == 3 and b"inode 2147483647: past the inode table" in e and b"ino.ext4" in e and b"/marker.bin" in o,
         "directory entry naming an inode past the table: named, and only it is lost", e[-500:])


def check_journal(t, base, work):
    img = copy(base, os.path.join(work, "dirty.ext4"))
    debugfs(img, "feature needs_recovery")
    before = diskimg.sha256(img)
    rc, o, e = out("--image", img, "ps")
    t.ok(rc == 0 and b"journal holds transactions that were never written back" in e and b"not replayed" in e
         and o.count(b"\n") == 13, "a journal needing recovery: said, not replayed, and the host is read", e[-400:])
    t.eq(diskimg.sha256(img), before, "a journal needing recovery: the image is unchanged (nothing replayed)")


def check_ewf_chunk(t, base, work, marker):
    target = os.path.join(work, "chunk")
    subprocess.run(["ewfacquire", "-u", "-q", "-t", target, "-c", "none", base], check=True, capture_output=True)
    e01 = target + ".E01"
    with open(e01, "r+b") as f:
        data = f.read()
        i = data.find(marker[:4096])
        t.ok(i > 0, "E01 chunk: the marker's bytes are in the (uncompressed) E01")
        f.seek(i + 100)
        f.write(bytes([data[i + 100] ^ 0xff]))
    rc, o, e = out("--image", e01, "export", "-o", "/dev/null", "rich")
    t.ok(rc == 3 and re.search(rb"chunk\.E01: EWF chunk at media offset \d+ \(\d+ bytes\) fails its checksum", e),
         "E01 bad chunk: the file that needs the chunk fails, naming the image and the media offset", e[-500:])
    rc, o, e = out("--image", e01, "ps")
    t.ok(rc == 0 and o.count(b"\n") == 13, "E01 bad chunk: what does not touch it reads cleanly (exit 0)", e[-300:])
    rc, o, e = out("--image", e01, "--verify")
    t.ok(rc == 1 and b"MISMATCH" in o and b"fails its checksum" in o and b"FAILED" in o,
         "E01 bad chunk: --verify reports the chunk and the hash mismatch (exit 1)", o[-600:])


def check_xfs_sb(t, work):
    if not diskimg.loop_mount_works():
        t.skip("XFS superblock: needs a loop mount to make the XFS; none allowed here")
        return
    lay = diskimg.build("xfs", diskimg.xfs_disk)
    img = copy(lay["disk"], os.path.join(work, "xfs-sb.raw"))
    with open(img, "r+b") as f:
        f.seek(88)  # sb_agcount
        f.write(struct.pack(">I", 0x7fffffff))
    rc, o, e = out("--image", img, "ps")
    t.ok(rc == 3 and b"the primary XFS superblock has a block count that does not match its allocation groups; "
         b"read from the backup at byte" in e and o.count(b"\n") == 13,
         "XFS absurd allocation group count: the backup superblock is read, and said", e[-500:])


def check_archive_cut(t, host, work):
    arc = os.path.join(work, "cut.tar.gz")
    subprocess.run(["tar", "--xattrs", "--xattrs-include=*", "--numeric-owner", "--format=pax", "--sort=name",
                    "-C", host, "-czf", arc, "."], check=True)
    os.truncate(arc, os.path.getsize(arc) * 2 // 3)
    rc, o, e = out("--archive", arc, "ps")
    t.ok(ok_exit(rc) and (b"reading stopped after" in e or b"its data is cut short" in e) and b"cut.tar.gz" in e
         and o.count(b"\n") == 13,
         "cut archive: the members before the cut are kept, and the cut is named", e[-400:])


def main():
    t = Tap()
    if os.geteuid() != 0:
        t.skip("needs root: the fixtures' device nodes and trusted.* xattrs")
        t.done()
    lay = diskimg.build("gpt", diskimg.gpt_disk)
    with tempfile.TemporaryDirectory(dir=os.environ.get("CSLEUTH_BUILDDIR")) as work:
        t.run(check_truncated, lay, work)
        t.run(check_gpt, lay, work)
        t.run(check_ewf_segment, lay, work)
        base, tree, rich, marker = base_image(work, lay["host"])
        t.run(check_mbr, base, work)
        t.run(check_superblock, base, work)
        t.run(check_dir_loop, base, work, rich)
        t.run(check_extents, base, work, rich)
        t.run(check_inode_past, base, work, rich)
        t.run(check_journal, base, work)
        t.run(check_ewf_chunk, base, work, marker)
        t.run(check_xfs_sb, work)
        t.run(check_archive_cut, lay["host"], work)
    t.done()


main()
