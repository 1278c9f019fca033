#!/usr/bin/env bash
# Benchmark `csleuth ps --json` on generated containerd roots, next to the
# Docker reader on Docker roots with the same number of containers.
#
# usage: bench/bench-containerd.sh CSLEUTH_BINARY [CE_BINARY]
#
#   CE_BINARY   container-explorer's `ce`, if one could be built: it is run
#               as `ce --containerd-root ROOT list containers` (all namespaces)
#
# Environment (optional): BENCH_RUNS (10), BENCH_WARMUP (2), BENCH_TMPDIR
# (/dev/shm if usable, else $TMPDIR or /tmp), BENCH_KEEP=1 keeps the roots.
# Cases: 300 containers in 3 namespaces over 1,000 snapshots, and 2,000
# containers in 3 namespaces over 3,000 snapshots (bench/gen_containerd_root.py);
# Docker roots with the same container counts and 30 images (bench/gen_dataroot.py).
# The Markdown report goes to stdout, progress to stderr.
set -euo pipefail
say() { printf 'bench-containerd: %s\n' "$*" >&2; }
[ $# -ge 1 ] || { sed -n '2,/^set/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CS=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
CE=${2:-}
RUNS=${BENCH_RUNS:-10}
WARMUP=${BENCH_WARMUP:-2}
command -v hyperfine >/dev/null || { say "hyperfine is needed (apt-get install hyperfine)"; exit 1; }
if [ -z "${BENCH_TMPDIR:-}" ]; then
    BENCH_TMPDIR=${TMPDIR:-/tmp}
    [ -d /dev/shm ] && [ -w /dev/shm ] && BENCH_TMPDIR=/dev/shm
fi
WORK=$(mktemp -d "$BENCH_TMPDIR/bench-containerd.XXXXXX")
[ "${BENCH_KEEP:-0}" = 1 ] || trap 'rm -rf "$WORK"' EXIT

median_ms() {  # hyperfine json -> median ms of command $2
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][int(sys.argv[2])]; print("%.1f" % (r["median"]*1000))' "$1" "$2"
}

echo "| case | reader | containers | median ms | ms per 1,000 containers | ratio vs Docker reader |"
echo "| --- | --- | ---: | ---: | ---: | ---: |"
for spec in "300 1000" "2000 3000"; do
    set -- $spec
    N=$1 S=$2
    C="$WORK/ctrd-$N" D="$WORK/docker-$N"
    say "generating a containerd root: $N containers, 3 namespaces, $S snapshots"
    python3 "$HERE/gen_containerd_root.py" -n "$N" -s "$S" -k 3 "$C" >&2
    say "generating a Docker root: $N containers, 30 images"
    python3 "$HERE/gen_dataroot.py" -n "$N" -m 30 -s 1 "$D" >&2
    find "$C" "$D" -type f -print0 | xargs -0 cat >/dev/null
    got=$("$CS" --root "$C" ps --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
    [ "$got" = "$N" ] || say "warning: csleuth listed $got of $N containerd containers"
    cmds=("$CS --root $C ps --json" "$CS --root $D ps --json")
    [ -n "$CE" ] && cmds+=("$CE --containerd-root $C list containers")
    hyperfine --shell=none --style basic --runs "$RUNS" --warmup "$WARMUP" --export-json "$WORK/hf-$N.json" \
        "${cmds[@]}" >&2
    mc=$(median_ms "$WORK/hf-$N.json" 0)
    md=$(median_ms "$WORK/hf-$N.json" 1)
    per() { awk -v m="$1" -v n="$N" 'BEGIN { printf "%.1f", m * 1000 / n }'; }
    rat() { awk -v a="$1" -v b="$md" 'BEGIN { printf "%.2f×", a / b }'; }
    echo "| $N containers, 3 ns, $S snapshots | csleuth, containerd | $N | $mc | $(per "$mc") | $(rat "$mc") |"
    echo "| $N containers, 30 images | csleuth, Docker | $N | $md | $(per "$md") | 1.00× |"
    if [ -n "$CE" ]; then
        me=$(median_ms "$WORK/hf-$N.json" 2)
        echo "| $N containers, 3 ns, $S snapshots | container-explorer \`list containers\` | $N | $me | $(per "$me") | $(rat "$me") |"
    fi
done
echo
echo "- machine: $(nproc) CPUs, $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo); kernel $(uname -r)"
echo "- roots on $(stat -f -c %T "$WORK"), page cache warm; hyperfine --shell=none, median of $RUNS runs after $WARMUP warm-up"
