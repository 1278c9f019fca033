#!/usr/bin/env bash
# Benchmark `csleuth ps --json` against docker-explorer's `list all_containers`
# on a synthetic Docker data root (see bench/README.md).
#
# usage: bench/bench-ps.sh CSLEUTH_BINARY [DOCKER_EXPLORER_DIR]
#
# Environment (all optional):
#   BENCH_ROOT        reuse this data root (generated there first if missing/empty)
#   BENCH_CONTAINERS  containers to generate (2000)
#   BENCH_IMAGES      images to generate (500)
#   BENCH_SEED        generator seed (1)
#   BENCH_RUNS        timed runs per tool (10)
#   BENCH_WARMUP      untimed warm-up runs per tool (2)
#   BENCH_RSS_RUNS    runs under /usr/bin/time -v for peak RSS (3)
#   BENCH_TMPDIR      where to generate a throw-away root (/dev/shm if usable,
#                     else $TMPDIR or /tmp)
#   BENCH_PYTHON      interpreter for docker-explorer (python3, falling back to
#                     /usr/bin/python3 if python3 cannot import `requests`)
#   BENCH_HYPERFINE_JSON  also keep hyperfine's --export-json file at this path
#   BENCH_TIMER=loop  time with a date +%s%N loop even if hyperfine is installed
#   BENCH_KEEP=1      keep the generated root and print its path
#
# The Markdown report goes to stdout; progress and warnings go to stderr.

set -euo pipefail

say() { printf 'bench-ps: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

usage() {
    sed -n '2,/^$/p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

[ $# -ge 1 ] && [ $# -le 2 ] || usage
case "$1" in -h|--help) usage ;; esac

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
GEN="$HERE/gen_dataroot.py"

CS_BIN=$1
DE_DIR=${2:-}
N=${BENCH_CONTAINERS:-2000}
M=${BENCH_IMAGES:-500}
SEED=${BENCH_SEED:-1}
RUNS=${BENCH_RUNS:-10}
WARMUP=${BENCH_WARMUP:-2}
RSS_RUNS=${BENCH_RSS_RUNS:-3}

# ---- csleuth ------------------------------------------------------------
case "$CS_BIN" in
    */*) ;;
    *) CS_BIN=$(command -v "$CS_BIN" || true) ;;
esac
[ -n "$CS_BIN" ] && [ -x "$CS_BIN" ] && [ -f "$CS_BIN" ] ||
    die "csleuth binary '$1' not found or not executable"
CS_BIN=$(cd "$(dirname "$CS_BIN")" && pwd)/$(basename "$CS_BIN")

# ---- docker-explorer ----------------------------------------------------
DE_PY=""
PY=""
if [ -n "$DE_DIR" ]; then
    [ -d "$DE_DIR" ] || die "docker-explorer dir '$DE_DIR' does not exist"
    DE_DIR=$(cd "$DE_DIR" && pwd)
    if [ -f "$DE_DIR/tools/de.py" ]; then
        DE_PY="$DE_DIR/tools/de.py"          # upstream layout
    elif [ -f "$DE_DIR/de.py" ]; then
        DE_PY="$DE_DIR/de.py"
    else
        die "no tools/de.py (or de.py) in '$DE_DIR'"
    fi
    [ -d "$DE_DIR/docker_explorer" ] ||
        die "'$DE_DIR' has no docker_explorer/ package"
    # de.py imports docker_explorer.downloader, which imports `requests`.
    for cand in ${BENCH_PYTHON:-python3 /usr/bin/python3}; do
        command -v "$cand" >/dev/null 2>&1 || continue
        if PYTHONPATH="$DE_DIR" "$cand" -c 'import requests, docker_explorer' \
                >/dev/null 2>&1; then
            # the real interpreter, not a wrapper such as a pyenv shim
            PY=$("$cand" -c 'import sys; print(sys.executable)')
            break
        fi
    done
    [ -n "$PY" ] || die "no python3 can import docker-explorer's dependency " \
        "'requests' (Debian: apt-get install python3-requests)"
    export PYTHONPATH="$DE_DIR${PYTHONPATH:+:$PYTHONPATH}"
else
    say "no DOCKER_EXPLORER_DIR given: the docker-explorer column is skipped"
fi

command -v python3 >/dev/null || die "python3 is needed (generator, JSON parsing)"

# ---- data root ------------------------------------------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/bench-ps.XXXXXX")
GENERATED=""
cleanup() {
    rm -rf "$WORK"
    if [ -n "$GENERATED" ] && [ "${BENCH_KEEP:-0}" != 1 ]; then
        rm -rf "$GENERATED"
    fi
}
trap cleanup EXIT

if [ -n "${BENCH_ROOT:-}" ]; then
    ROOT=$BENCH_ROOT
    if [ -d "$ROOT/containers" ]; then
        say "reusing data root $ROOT"
        DATA_DESC="reused BENCH_ROOT"
    else
        say "generating data root in $ROOT ($N containers, $M images, seed $SEED)"
        python3 "$GEN" -n "$N" -m "$M" -s "$SEED" "$ROOT" >&2
    fi
else
    if [ -z "${BENCH_TMPDIR:-}" ]; then
        if [ -d /dev/shm ] && [ -w /dev/shm ] &&
           [ "$(df -Pk /dev/shm | awk 'NR==2 {print $4}')" -gt 2097152 ]; then
            BENCH_TMPDIR=/dev/shm
        else
            BENCH_TMPDIR=${TMPDIR:-/tmp}
        fi
    fi
    GENERATED=$(mktemp -d "$BENCH_TMPDIR/bench-ps-root.XXXXXX")
    ROOT=$GENERATED
    say "generating data root in $ROOT ($N containers, $M images, seed $SEED)"
    t0=$(date +%s%N)
    python3 "$GEN" -n "$N" -m "$M" -s "$SEED" "$ROOT" >&2
    say "generated in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
    [ "${BENCH_KEEP:-0}" = 1 ] && say "keeping $ROOT (BENCH_KEEP=1)"
fi
ROOT=$(cd "$ROOT" && pwd)
: "${DATA_DESC:=\`bench/gen_dataroot.py -n $N -m $M -s $SEED\`}"
NCONT=$(find "$ROOT/containers" -mindepth 1 -maxdepth 1 -type d | wc -l)
NIMG=$(find "$ROOT/image/overlay2/imagedb/content/sha256" -type f 2>/dev/null | wc -l)
FSTYPE=$(stat -f -c %T "$ROOT" 2>/dev/null || echo unknown)

# ---- warm the page cache ---------------------------------------------------
say "warming the page cache"
find "$ROOT" >/dev/null
find "$ROOT" -type f -print0 | xargs -0 cat >/dev/null

CS_CMD=("$CS_BIN" --root "$ROOT" ps --json)
# the same listing after reading everything (layer stacks, images): what ps
# did before it read only each container's own files
CS_CHECK_CMD=("$CS_BIN" --root "$ROOT" ps --json --check)
DE_CMD=()
[ -n "$DE_PY" ] && DE_CMD=("$PY" "$DE_PY" -r "$ROOT" list all_containers)

# ---- sanity: both tools must succeed and list every container -------------
count_json() {  # prints the number of containers in a ps-like JSON document
    python3 -c '
import json, sys
text = sys.stdin.read()
try:
    doc = json.loads(text)
except ValueError:
    try:   # one JSON object per line
        doc = [json.loads(l) for l in text.splitlines() if l.strip()]
    except ValueError:
        print("unparsable"); sys.exit()
if isinstance(doc, dict):
    lists = [v for v in doc.values() if isinstance(v, list)]
    doc = lists[0] if len(lists) == 1 else None
print(len(doc) if isinstance(doc, list) else "unknown")'
}

say "checking csleuth output"
if ! "${CS_CMD[@]}" >"$WORK/cs.out" 2>"$WORK/cs.err"; then
    sed 's/^/  csleuth: /' "$WORK/cs.err" | head -20 >&2
    die "csleuth failed: ${CS_CMD[*]}"
fi
CS_COUNT=$(count_json <"$WORK/cs.out")
if [ "$CS_COUNT" != "$NCONT" ]; then
    say "warning: csleuth listed '$CS_COUNT' containers, the root has $NCONT"
fi

DE_COUNT=""
if [ ${#DE_CMD[@]} -gt 0 ]; then
    say "checking docker-explorer output"
    "${DE_CMD[@]}" >"$WORK/de.out" 2>"$WORK/de.err" ||
        die "docker-explorer failed: ${DE_CMD[*]}"
    if [ -s "$WORK/de.err" ]; then
        say "docker-explorer wrote to stderr:"
        head -20 "$WORK/de.err" | sed 's/^/  /' >&2
    fi
    DE_COUNT=$(count_json <"$WORK/de.out")
    [ "$DE_COUNT" = "$NCONT" ] ||
        die "docker-explorer listed '$DE_COUNT' containers, expected $NCONT" \
            "(stderr: $(head -c 300 "$WORK/de.err"))"
fi

# ---- wall time ---------------------------------------------------------------
quote_cmd() { local out="" a; for a in "$@"; do out+="$(printf '%q' "$a") "; done
              printf '%s' "${out% }"; }

declare -A MEDIAN_MS
TIMER=""
if [ "${BENCH_TIMER:-}" != loop ] && command -v hyperfine >/dev/null 2>&1; then
    TIMER="hyperfine $(hyperfine --version | awk '{print $2}')"
    HF_ARGS=(--runs "$RUNS" --warmup "$WARMUP" --export-json "$WORK/hf.json" --style basic)
    if hyperfine --help 2>/dev/null | grep -q -- 'shell=none'; then
        HF_ARGS+=(--shell=none)     # no shell start-up in the measurement
        TIMER+=" (--shell=none)"
    fi
    HF_CMDS=("$(quote_cmd "${CS_CMD[@]}")" "$(quote_cmd "${CS_CHECK_CMD[@]}")")
    [ ${#DE_CMD[@]} -gt 0 ] && HF_CMDS+=("$(quote_cmd "${DE_CMD[@]}")")
    say "timing with hyperfine ($RUNS runs, $WARMUP warm-up)"
    hyperfine "${HF_ARGS[@]}" "${HF_CMDS[@]}" >&2
    if [ -n "${BENCH_HYPERFINE_JSON:-}" ]; then
        cp "$WORK/hf.json" "$BENCH_HYPERFINE_JSON"
        say "hyperfine results saved to $BENCH_HYPERFINE_JSON"
    fi
    mapfile -t MEDS < <(python3 -c '
import json, statistics, sys
for r in json.load(open(sys.argv[1]))["results"]:
    m = r.get("median")
    if m is None:
        m = statistics.median(r["times"])
    print("%.1f" % (m * 1000))' "$WORK/hf.json")
    MEDIAN_MS[cs]=${MEDS[0]}
    MEDIAN_MS[check]=${MEDS[1]}
    [ ${#DE_CMD[@]} -gt 0 ] && MEDIAN_MS[de]=${MEDS[2]}
else
    [ "${BENCH_TIMER:-}" = loop ] ||
        say "hyperfine not found (Debian: apt-get install hyperfine); using a date +%s%N loop"
    TIMER="date +%s%N loop"
    time_loop() {  # $1 = key, rest = command; prints median ms
        local key=$1; shift
        local i t0 t1
        for ((i = 0; i < WARMUP; i++)); do "$@" >/dev/null 2>&1; done
        : >"$WORK/times.$key"
        for ((i = 0; i < RUNS; i++)); do
            t0=$(date +%s%N)
            "$@" >/dev/null
            t1=$(date +%s%N)
            echo $(( t1 - t0 )) >>"$WORK/times.$key"
        done
        python3 -c '
import statistics, sys
print("%.1f" % (statistics.median(int(l) for l in open(sys.argv[1])) / 1e6))' \
            "$WORK/times.$key"
    }
    say "timing csleuth ($RUNS runs)"
    MEDIAN_MS[cs]=$(time_loop cs "${CS_CMD[@]}")
    MEDIAN_MS[check]=$(time_loop check "${CS_CHECK_CMD[@]}")
    if [ ${#DE_CMD[@]} -gt 0 ]; then
        say "timing docker-explorer ($RUNS runs)"
        MEDIAN_MS[de]=$(time_loop de "${DE_CMD[@]}")
    fi
fi

# ---- peak RSS ----------------------------------------------------------------
declare -A RSS_MIB
RSS_TOOL=""
peak_rss_kib() {  # prints the largest max-RSS (KiB) over RSS_RUNS runs
    local best=0 kib i
    for ((i = 0; i < RSS_RUNS; i++)); do
        if [ -x /usr/bin/time ]; then
            /usr/bin/time -v -o "$WORK/time.out" "$@" >/dev/null 2>/dev/null
            kib=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.out")
        else
            kib=$(python3 -c '
import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$@")
        fi
        [ "$kib" -gt "$best" ] && best=$kib
    done
    echo "$best"
}
if [ -x /usr/bin/time ]; then
    RSS_TOOL="/usr/bin/time -v (max of $RSS_RUNS runs)"
else
    say "/usr/bin/time not found (Debian: apt-get install time); using getrusage"
    RSS_TOOL="getrusage(RUSAGE_CHILDREN) (max of $RSS_RUNS runs)"
fi
say "measuring peak RSS"
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
RSS_MIB[cs]=$(mib "$(peak_rss_kib "${CS_CMD[@]}")")
RSS_MIB[check]=$(mib "$(peak_rss_kib "${CS_CHECK_CMD[@]}")")
[ ${#DE_CMD[@]} -gt 0 ] && RSS_MIB[de]=$(mib "$(peak_rss_kib "${DE_CMD[@]}")")

# ---- versions and machine ------------------------------------------------------
first_line() {  # first line of a command's output, empty if it fails
    local out
    out=$("$@" 2>&1) || return 0
    printf '%s\n' "$out" | head -n 1 | tr -d '\r'
}
CS_VERSION=$(first_line "$CS_BIN" --version)
[ -n "$CS_VERSION" ] || CS_VERSION="unknown"
if [ ${#DE_CMD[@]} -gt 0 ]; then
    DE_VERSION=$(first_line "$PY" "$DE_PY" -V)
    DE_REV=$(git -C "$DE_DIR" rev-parse --short=12 HEAD 2>/dev/null || true)
    [ -n "$DE_REV" ] && DE_VERSION+=" (git $DE_REV)"
    PY_VERSION=$(first_line "$PY" --version)
fi
CPU=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || true)
[ -n "$CPU" ] || CPU=$(uname -m)
MEM=$(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo 2>/dev/null || echo "?")
OS=$( (. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME") || uname -s)

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f×", a / b; else print "n/a" }'; }

# ---- report ----------------------------------------------------------------------
cat <<EOF
### \`ps\` benchmark: $NCONT containers, $NIMG images

| tool | median ms | peak RSS MiB | ratio vs csleuth |
| --- | ---: | ---: | ---: |
| csleuth \`ps --json\` | ${MEDIAN_MS[cs]} | ${RSS_MIB[cs]} | 1.0× |
| csleuth \`ps --json --check\` (everything read first) | ${MEDIAN_MS[check]} | ${RSS_MIB[check]} | $(ratio "${MEDIAN_MS[check]}" "${MEDIAN_MS[cs]}") (RSS $(ratio "${RSS_MIB[check]}" "${RSS_MIB[cs]}")) |
EOF
if [ ${#DE_CMD[@]} -gt 0 ]; then
    echo "| docker-explorer \`list all_containers\` | ${MEDIAN_MS[de]} | ${RSS_MIB[de]} | $(ratio "${MEDIAN_MS[de]}" "${MEDIAN_MS[cs]}") (RSS $(ratio "${RSS_MIB[de]}" "${RSS_MIB[cs]}")) |"
else
    echo "| docker-explorer \`list all_containers\` | skipped | skipped | – |"
fi
cat <<EOF

- machine: $(nproc) CPUs, $CPU, $MEM RAM; kernel $(uname -r); $OS
- data root: $DATA_DESC on $FSTYPE, page cache warm
- wall time: median of $RUNS runs after $WARMUP warm-up runs, $TIMER, stdout to /dev/null
- peak RSS: $RSS_TOOL
- csleuth: $CS_VERSION; \`csleuth --root ROOT ps --json\` listed $CS_COUNT containers
EOF
if [ ${#DE_CMD[@]} -gt 0 ]; then
    echo "- docker-explorer: $DE_VERSION on $PY_VERSION; \`de.py -r ROOT list all_containers\` listed $DE_COUNT containers"
else
    echo "- docker-explorer: skipped (no DOCKER_EXPLORER_DIR given; see bench/README.md)"
fi
