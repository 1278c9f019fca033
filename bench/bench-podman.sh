#!/usr/bin/env bash
# Benchmark `csleuth ps --json` on generated containers/storage stores
# (rootful Podman: layers.json, images.json, containers.json, overlay layer
# links, bolt_state.db), next to the Docker reader on Docker roots with the
# same number of containers.
#
# usage: bench/bench-podman.sh CSLEUTH_BINARY [PODMAN_BINARY]
#
#   PODMAN_BINARY  a podman to time `podman --root STORE ps -a --format json`
#                  on the same store (it needs a runroot: one is made in the
#                  scratch directory; nothing runs)
#
# Environment (optional): BENCH_RUNS (10), BENCH_WARMUP (2), BENCH_TMPDIR
# (/dev/shm if usable, else $TMPDIR or /tmp), BENCH_KEEP=1 keeps the trees.
# Cases: 300 and 2,000 containers on 30 images of 4 layers
# (bench/gen_cstorage.py); Docker roots with the same container counts and 30
# images (bench/gen_dataroot.py). The Markdown report goes to stdout,
# progress to stderr.
set -euo pipefail
say() { printf 'bench-podman: %s\n' "$*" >&2; }
[ $# -ge 1 ] || { sed -n '2,/^set/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CS=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
PM=${2:-}
RUNS=${BENCH_RUNS:-10}
WARMUP=${BENCH_WARMUP:-2}
command -v hyperfine >/dev/null || { say "hyperfine is needed (apt-get install hyperfine)"; exit 1; }
if [ -z "${BENCH_TMPDIR:-}" ]; then
    BENCH_TMPDIR=${TMPDIR:-/tmp}
    [ -d /dev/shm ] && [ -w /dev/shm ] && BENCH_TMPDIR=/dev/shm
fi
WORK=$(mktemp -d "$BENCH_TMPDIR/bench-podman.XXXXXX")
[ "${BENCH_KEEP:-0}" = 1 ] || trap 'rm -rf "$WORK"' EXIT

median_ms() {  # hyperfine json -> median ms of command $2
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][int(sys.argv[2])]; print("%.1f" % (r["median"]*1000))' "$1" "$2"
}
cpu_ms() {  # hyperfine json -> mean user + system ms of command $2 (steadier on a shared machine)
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][int(sys.argv[2])]; print("%.1f" % ((r["user"]+r["system"])*1000))' "$1" "$2"
}

echo "| case | reader | containers | median ms | ms per 1,000 containers | ratio vs Docker reader | CPU ms (user+sys) | CPU ratio |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
for N in 300 2000; do
    P="$WORK/cs-$N" D="$WORK/docker-$N"
    say "generating a containers/storage store: $N containers, 30 images of 4 layers"
    python3 "$HERE/gen_cstorage.py" -n "$N" -m 30 -l 4 "$P" >&2
    say "generating a Docker root: $N containers, 30 images"
    python3 "$HERE/gen_dataroot.py" -n "$N" -m 30 -s 1 "$D" >&2
    find "$P" "$D" -type f -print0 | xargs -0 cat >/dev/null
    got=$("$CS" --root "$P" ps --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
    [ "$got" = "$N" ] || say "warning: csleuth listed $got of $N podman containers"
    cmds=("$CS --root $P ps --json" "$CS --root $D ps --json")
    [ -n "$PM" ] && mkdir -p "$WORK/run-$N" && cmds+=("$PM --root $P --runroot $WORK/run-$N ps -a --format json")
    hyperfine --shell=none --style basic --runs "$RUNS" --warmup "$WARMUP" --export-json "$WORK/hf-$N.json" \
        "${cmds[@]}" >&2
    mp=$(median_ms "$WORK/hf-$N.json" 0)
    md=$(median_ms "$WORK/hf-$N.json" 1)
    cp=$(cpu_ms "$WORK/hf-$N.json" 0)
    cd=$(cpu_ms "$WORK/hf-$N.json" 1)
    per() { awk -v m="$1" -v n="$N" 'BEGIN { printf "%.1f", m * 1000 / n }'; }
    rat() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f×", a / b }'; }
    echo "| $N containers, 30 images of 4 layers | csleuth, containers/storage (Podman) | $N | $mp | $(per "$mp") | $(rat "$mp" "$md") | $cp | $(rat "$cp" "$cd") |"
    echo "| $N containers, 30 images | csleuth, Docker | $N | $md | $(per "$md") | 1.00× | $cd | 1.00× |"
    if [ -n "$PM" ]; then
        me=$(median_ms "$WORK/hf-$N.json" 2)
        ce=$(cpu_ms "$WORK/hf-$N.json" 2)
        echo "| $N containers, 30 images of 4 layers | podman \`ps -a\` | $N | $me | $(per "$me") | $(rat "$me" "$md") | $ce | $(rat "$ce" "$cd") |"
    fi
done
echo
echo "- machine: $(nproc) CPUs, $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo); kernel $(uname -r); load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "- trees on $(stat -f -c %T "$WORK"), page cache warm; hyperfine --shell=none, median of $RUNS runs after $WARMUP warm-up"
