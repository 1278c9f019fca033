#!/usr/bin/env bash
# Benchmark `csleuth ps --json` on LXC and LXD roots next to the Docker reader
# on a Docker data root of the same number of containers.
#
# usage: bench/bench-lxc.sh CSLEUTH_BINARY
#
# Environment (all optional):
#   BENCH_CONTAINERS  containers of each kind (1000)
#   BENCH_RUNS        timed runs per command (10)
#   BENCH_TMPDIR      where to generate the roots (/dev/shm if usable, else /tmp)
#   BENCH_KEEP=1      keep the generated roots
#
# bench/gen_lxc_root.py makes a host filesystem with N LXC containers (an
# lxcpath) and N LXD instances (a dqlite raft log holding the global
# database, backup.yaml files, logs); bench/gen_dataroot.py makes a Docker
# overlay2 data root with N containers. The Markdown report goes to stdout.
set -euo pipefail

say() { printf 'bench-lxc: %s\n' "$*" >&2; }
[ $# -eq 1 ] || { sed -n '2,/^$/p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CS=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
N=${BENCH_CONTAINERS:-1000}
RUNS=${BENCH_RUNS:-10}
command -v hyperfine >/dev/null || { say "hyperfine is needed (apt-get install hyperfine)"; exit 1; }
if [ -z "${BENCH_TMPDIR:-}" ]; then
    BENCH_TMPDIR=/tmp
    [ -d /dev/shm ] && [ -w /dev/shm ] && BENCH_TMPDIR=/dev/shm
fi
WORK=$(mktemp -d "$BENCH_TMPDIR/bench-lxc.XXXXXX")
[ "${BENCH_KEEP:-0}" = 1 ] || trap 'rm -rf "$WORK"' EXIT
say "generating $N LXC containers, $N LXD instances and $N Docker containers in $WORK"
python3 "$HERE/gen_lxc_root.py" -n "$N" "$WORK/host" >&2
python3 "$HERE/gen_dataroot.py" -q -n "$N" -m $((N / 4)) "$WORK/docker" >&2
find "$WORK" -type f -print0 | xargs -0 cat >/dev/null
for args in "--root $WORK/docker" "--root $WORK/host/var/lib/lxc" "--root $WORK/host/var/lib/lxd" "--sysroot $WORK/host"; do
    # shellcheck disable=SC2086
    n=$("$CS" -q $args ps --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
    say "$args: $n containers listed"
done
hyperfine -N -w 2 -r "$RUNS" --export-json "$WORK/h.json" \
    -n docker "$CS -q --root $WORK/docker ps --json" \
    -n lxc "$CS -q --root $WORK/host/var/lib/lxc ps --json" \
    -n lxd "$CS -q --root $WORK/host/var/lib/lxd ps --json" \
    -n both "$CS -q --sysroot $WORK/host ps --json" >&2
python3 - "$WORK/h.json" "$N" <<'EOF'
import json, sys
h = json.load(open(sys.argv[1]))["results"]
n = int(sys.argv[2])
base = next(r for r in h if r["command"] == "docker")
what = {"docker": f"Docker reader, {n} containers (`--root`)",
        "lxc": f"LXC lxcpath, {n} containers (`--root`)",
        "lxd": f"LXD directory, {n} instances: raft-log replay (`--root`)",
        "both": f"host with both, {2 * n} containers (`--sysroot`)"}
print("| root | median ms | user+sys ms | per container µs | ratio vs Docker |")
print("| --- | ---: | ---: | ---: | ---: |")
for r in h:
    med = r["median"] * 1000
    cpu = (r["user"] + r["system"]) * 1000
    per = cpu * 1000 / (2 * n if r["command"] == "both" else n)
    print(f"| {what[r['command']]} | {med:.1f} | {cpu:.1f} | {per:.0f} | {r['median'] / base['median']:.2f}× |")
EOF
