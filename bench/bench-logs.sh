#!/usr/bin/env bash
# Benchmark `csleuth logs` on a large json-file log, side by side with `cat`
# of the same file (the limit: bytes from the page cache to /dev/null) and
# `jq -r .log` (what a user falls back on).
#
# usage: bench/bench-logs.sh CSLEUTH_BINARY
#
# Environment (all optional):
#   BENCH_BYTES     size of the generated log (1073741824 = 1 GiB)
#   BENCH_TMPDIR    where to build the data root (/dev/shm when it has room)
#   BENCH_RUNS      timed runs for cat and csleuth (5), after one warm-up run
#   BENCH_JQ_RUNS   timed runs for jq (2; it is slow)
#   BENCH_SEED      generator seed (1)
#   BENCH_PLAIN=1   short lines with nothing to escape (the reader's best case)
#                   instead of the default mix (access logs, JSON-in-JSON,
#                   stack traces, colour, non-ASCII, lines over 16 KiB)
#   BENCH_KEEP=1    keep the generated data root and print its path
#
# Needs hyperfine, jq and /usr/bin/time (Debian: hyperfine jq time) and
# python3. The Markdown report goes to stdout, progress to stderr.
set -euo pipefail

say() { printf 'bench-logs: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

[ $# -eq 1 ] || { sed -n '2,/^$/p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CS=$1
case "$CS" in */*) ;; *) CS=$(command -v "$CS" || true) ;; esac
[ -n "$CS" ] && [ -x "$CS" ] || die "csleuth binary '$1' not found"
CS=$(cd "$(dirname "$CS")" && pwd)/$(basename "$CS")
for t in hyperfine jq python3 /usr/bin/time; do command -v "$t" >/dev/null || die "missing $t"; done

BYTES=${BENCH_BYTES:-1073741824}
RUNS=${BENCH_RUNS:-5}
JQ_RUNS=${BENCH_JQ_RUNS:-2}
SEED=${BENCH_SEED:-1}

# ---- where: tmpfs if it holds the log twice over ---------------------------
need_kb=$(( BYTES / 1024 * 5 / 4 + 65536 ))
TMP=${BENCH_TMPDIR:-}
if [ -z "$TMP" ]; then
    if [ -d /dev/shm ] && [ "$(df -Pk /dev/shm | awk 'NR==2 {print $4}')" -gt "$need_kb" ]; then
        TMP=/dev/shm
    else
        TMP=${TMPDIR:-/tmp}
    fi
fi
avail_kb=$(df -Pk "$TMP" | awk 'NR==2 {print $4}')
if [ "$avail_kb" -lt "$need_kb" ]; then
    BYTES=$(( (avail_kb - 65536) * 1024 * 4 / 5 ))
    [ "$BYTES" -gt $((64 << 20)) ] || die "not enough room in $TMP"
    say "only $((avail_kb / 1024)) MiB free in $TMP: using a $((BYTES >> 20)) MiB log instead"
    NOTE_SIZE="(smaller than asked: $TMP had only $((avail_kb / 1024)) MiB free)"
fi
FS=$(df -PT "$TMP" | awk 'NR==2 {print $2}')
WORK=$(mktemp -d "$TMP/csleuth-bench-logs.XXXXXX")
cleanup() { if [ "${BENCH_KEEP:-0}" = 1 ]; then say "kept $WORK"; else rm -rf "$WORK"; fi; }
trap cleanup EXIT

# ---- a small data root with one container, and its big log ----------------
say "generating a data root in $WORK ($FS)"
python3 "$HERE/gen_dataroot.py" "$WORK/docker" -n 6 -m 2 -s 1 -f -q >&2
read -r NAME ID < <(python3 - "$WORK/docker" <<'PY'
import json, os, sys
root = sys.argv[1]
for cid in sorted(os.listdir(os.path.join(root, "containers"))):
    d = os.path.join(root, "containers", cid)
    c = json.load(open(os.path.join(d, "config.v2.json")))
    h = json.load(open(os.path.join(d, "hostconfig.json")))
    if (h["LogConfig"]["Type"] == "json-file" and not h["LogConfig"]["Config"]
            and os.path.exists(os.path.join(d, cid + "-json.log"))):
        print(c["Name"].lstrip("/"), cid)
        break
PY
)
[ -n "${ID:-}" ] || die "no json-file container in the generated root"
LOG="$WORK/docker/containers/$ID/$ID-json.log"
say "writing a $((BYTES >> 20)) MiB json-file log for container $NAME"
t0=$(date +%s)
KIND=mixed; PLAIN=()
if [ "${BENCH_PLAIN:-0}" = 1 ]; then KIND=plain; PLAIN=(--plain); fi
python3 "$HERE/gen_jsonlog.py" "$LOG" "$BYTES" --seed "$SEED" "${PLAIN[@]}"
SIZE=$(stat -c %s "$LOG")
RECORDS=$(wc -l <"$LOG")
say "log: $SIZE bytes, $RECORDS records, in $(( $(date +%s) - t0 )) s"

# ---- check, warm up --------------------------------------------------------
cat "$LOG" >/dev/null
rc=0; "$CS" --root "$WORK/docker" logs "$NAME" >/dev/null 2>&1 || rc=$?
[ "$rc" = 0 ] || die "csleuth logs exited $rc"
got=$("$CS" --root "$WORK/docker" logs --json "$NAME" | wc -l)
[ "$got" = "$RECORDS" ] || die "csleuth printed $got records, the log has $RECORDS"

# ---- time ------------------------------------------------------------------
J=$WORK/hyperfine.json
JJ=$WORK/hyperfine-jq.json
say "timing cat and csleuth ($RUNS runs each)"
hyperfine --shell=none --warmup 1 --runs "$RUNS" --export-json "$J" \
    -n "cat" "cat $LOG" \
    -n "csleuth logs" "$CS --root $WORK/docker logs $NAME" \
    -n "csleuth logs -t" "$CS --root $WORK/docker logs -t $NAME" \
    -n "csleuth logs --json" "$CS --root $WORK/docker logs --json $NAME" >&2
say "timing jq ($JQ_RUNS runs)"
hyperfine --shell=none --runs "$JQ_RUNS" --export-json "$JJ" \
    -n "jq -r .log" "jq -r .log $LOG" >&2

rss() { # peak RSS in MiB of one run
    /usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F: '/Maximum resident/ {printf "%.1f", $2 / 1024}'
}
say "peak RSS"
R_CAT=$(rss cat "$LOG")
R_CS=$(rss "$CS" -q --root "$WORK/docker" logs "$NAME")
R_CST=$(rss "$CS" -q --root "$WORK/docker" logs -t "$NAME")
R_CSJ=$(rss "$CS" -q --root "$WORK/docker" logs --json "$NAME")
R_JQ=$(rss jq -r .log "$LOG")

python3 - "$J" "$JJ" "$SIZE" "$R_CAT" "$R_CS" "$R_CST" "$R_CSJ" "$R_JQ" <<'PY'
import json, statistics, sys
j, jj, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
rss = dict(zip(["cat", "csleuth logs", "csleuth logs -t", "csleuth logs --json", "jq -r .log"], sys.argv[4:]))
res = json.load(open(j))["results"] + json.load(open(jj))["results"]
med = {r["command"]: statistics.median(r["times"]) for r in res}
cat = med["cat"]
print("| command | median s | MiB/s | share of `cat` | peak RSS MiB |")
print("| --- | ---: | ---: | ---: | ---: |")
for name in ["cat", "csleuth logs", "csleuth logs -t", "csleuth logs --json", "jq -r .log"]:
    t = med[name]
    print(f"| `{name}` | {t:.3f} | {size / t / 2**20:,.0f} | {cat / t:.0%} | {rss[name]} |")
PY
echo
echo "- log: $SIZE bytes, $RECORDS records, $KIND text (\`bench/gen_jsonlog.py\`, seed $SEED) on $FS${NOTE_SIZE:+ $NOTE_SIZE}; page cache warm"
echo "- wall time: median of $RUNS runs after one warm-up (jq: $JQ_RUNS runs), hyperfine $(hyperfine --version | awk '{print $2}') (--shell=none), output to /dev/null"
echo "- peak RSS: /usr/bin/time -v, one run each"
echo "- machine: $(nproc) CPUs, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo) RAM; kernel $(uname -r | cut -d- -f1); $(. /etc/os-release && echo "$PRETTY_NAME")"
echo "- tools: $("$CS" --version), $(jq --version), $(cat --version | head -n1)"
