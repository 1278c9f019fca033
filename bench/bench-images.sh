#!/usr/bin/env bash
# Benchmark reading a disk image against reading the file system it holds:
# `ps --json`, `timeline` and `export` of the largest container, from a raw
# ext4 image and from an E01 of it (`--image`), next to the same commands on
# the kernel's read-only loop mount of that image (or on the source
# directory when this machine allows no loop mount), in one run. Prints a
# Markdown table with the ratios and each run's peak RSS.
#
# usage: bench/bench-images.sh CSLEUTH_BINARY
# env:   CONTAINERS (500), ENTRIES (200000 layer entries), BIGFILE_MB (512, a
#        file in the largest container), BENCH_IMG_ROOT (reuse a work dir),
#        BENCH_TMPDIR (default /dev/shm), RUNS (3)
#
# Needs root for the loop mount; mkfs.ext4 (e2fsprogs), ewfacquire
# (ewf-tools), hyperfine and /usr/bin/time.
set -euo pipefail
CS=$(readlink -f "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
CONTAINERS=${CONTAINERS:-500}
ENTRIES=${ENTRIES:-200000}
BIGFILE_MB=${BIGFILE_MB:-512}
RUNS=${RUNS:-3}
TMP=${BENCH_TMPDIR:-/dev/shm}
W=${BENCH_IMG_ROOT:-$TMP/csleuth-bench-img}
say() { printf 'bench-images: %s\n' "$*" >&2; }
command -v hyperfine >/dev/null || apt-get install -y -qq hyperfine >&2
[ -x /usr/bin/time ] || apt-get install -y -qq time >&2
mkdir -p "$W"
ROOT=$W/tree/var/lib/docker
if [ ! -f "$W/.ready" ]; then
	rm -rf "$W/tree" "$W"/disk.*
	mkdir -p "$W/tree/etc" "$W/tree/var/lib"
	printf 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n' > "$W/tree/etc/os-release"
	say "generating a data root: $CONTAINERS containers, $ENTRIES layer entries, a ${BIGFILE_MB} MiB file"
	python3 "$HERE/gen_dataroot.py" -q -n "$CONTAINERS" -m 100 "$ROOT" >&2
	python3 "$HERE/gen_timeline_root.py" "$ROOT" --containers 4 --entries "$ENTRIES" --lines 100000 \
		> "$W/uppers"
	big=$(head -1 "$W/uppers")
	head -c $((BIGFILE_MB << 20)) /dev/urandom > "$big/big.bin"
	kb=$(du -sk "$W/tree" | cut -f1)
	size=$(( (kb * 13 / 10 + 262144) / 1024 ))
	say "making a ${size} MiB ext4 image with mkfs.ext4 -d"
	mkfs.ext4 -q -F -b 4096 -N $((ENTRIES * 2 + 200000)) -d "$W/tree" "$W/disk.raw" "${size}M" >&2
	say "making an E01 with ewfacquire (deflate, fast)"
	ewfacquire -u -q -t "$W/disk" -c deflate:fast "$W/disk.raw" > /dev/null
	touch "$W/.ready"
fi
# the largest container: the one whose own layer holds the big file
big=$(head -1 "$W/uppers")
mid=$(basename "$(dirname "$big")")
CT=$(grep -l -x "$mid" "$ROOT"/image/overlay2/layerdb/mounts/*/mount-id | head -1 | xargs dirname | xargs basename)
[ -n "$CT" ] || { say "could not find the largest container"; exit 1; }
MNT=""
BASE=$ROOT
WHAT="the source directory (this machine allows no loop mount)"
if [ "$(id -u)" = 0 ] && MNT=$(mktemp -d) && mount -o loop,ro,noload "$W/disk.raw" "$MNT" 2>/dev/null; then
	BASE=$MNT/var/lib/docker
	WHAT="the kernel's read-only loop mount of the same image (ext4, noload)"
else
	[ -n "$MNT" ] && rmdir "$MNT"
	MNT=""
fi
cleanup() { [ -n "$MNT" ] && umount "$MNT" && rmdir "$MNT"; }
trap cleanup EXIT
OUT=$TMP/csleuth-bench-img.out
SRC_DIR="--root $BASE"
SRC_RAW="--image $W/disk.raw --root var/lib/docker"
SRC_EWF="--image $W/disk.E01 --root var/lib/docker"
declare -a CMDS=("ps --json" "timeline --no-magic -o $OUT" "export -o $OUT $CT")
declare -a NAMES=("ps --json" "timeline" "export (largest container)")
# warm the caches: the image files and the mount
cat "$W/disk.raw" "$W"/disk.E* > /dev/null
"$CS" -q $SRC_DIR timeline --no-magic -o "$OUT" > /dev/null 2>&1 || true
RES=$TMP/csleuth-bench-img.md
: > "$RES"
rss() { /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1; }
for i in 0 1 2; do
	say "timing ${NAMES[$i]}"
	hyperfine -N -w 1 -r "$RUNS" --export-json "$TMP/bench-img-$i.json" \
		"$CS -q $SRC_DIR ${CMDS[$i]}" "$CS -q $SRC_RAW ${CMDS[$i]}" "$CS -q $SRC_EWF ${CMDS[$i]}" >&2
	R1=$(rss "$CS" -q $SRC_DIR ${CMDS[$i]})
	R2=$(rss "$CS" -q $SRC_RAW ${CMDS[$i]})
	R3=$(rss "$CS" -q $SRC_EWF ${CMDS[$i]})
	echo "$i $R1 $R2 $R3" >> "$RES"
done
python3 - "$TMP" "$RES" "$W" "$WHAT" "${NAMES[@]}" <<'PY'
import json, os, sys
tmp, res, w, what = sys.argv[1:5]
names = sys.argv[5:]
rss = {int(l.split()[0]): [int(x) for x in l.split()[1:]] for l in open(res)}
raw = os.path.getsize(os.path.join(w, "disk.raw"))
ewf = sum(os.path.getsize(os.path.join(w, f)) for f in os.listdir(w) if f.startswith("disk.E"))
print(f"### Reading a disk image: raw ({raw / 2**20:,.0f} MiB) and E01 ({ewf / 2**20:,.0f} MiB, deflate fast) "
      f"against {what}\n")
print("| command | from the file system | raw image | ratio | E01 | ratio | peak RSS MiB (fs / raw / E01) |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
for i, n in enumerate(names):
    d, r, e = (x["median"] for x in json.load(open(os.path.join(tmp, f"bench-img-{i}.json")))["results"])
    m = rss[i]
    print(f"| `{n}` | {d:.2f} s | {r:.2f} s | {r/d:.2f}× | {e:.2f} s | {e/d:.2f}× | "
          f"{m[0]/1024:.0f} / {m[1]/1024:.0f} / {m[2]/1024:.0f} |")
PY
