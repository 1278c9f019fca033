#!/usr/bin/env bash
# Hostile-size evidence: csleuth must stay within time and memory bounds on
# inputs the engine never writes but an attacker can (issue #13):
#
#   oneline   a 20 MiB json-file log that is one line of back-to-back records
#   cutshort  a 20 MiB line of records each cut short by the next
#   window    a last line of exactly 64 MiB (the read window) without '\n'
#   gzbomb    a rotated .gz that inflates to 10 GiB of zeros
#   tags      repositories.json with 100,000 tags on one image
#   ghosts    repositories.json with 100,000 tags naming missing images
#
# usage: bench/bench-hostile.sh CSLEUTH_BINARY [CASE...]
#
# Each case is generated (bench/gen_hostile.py) into a fresh copy of a small
# data root (bench/gen_dataroot.py), run once under /usr/bin/time -v, and
# checked: the exit status and what must be said on stderr (the reading is
# right), then wall time and peak RSS against the case's bound (it is not
# quadratic, not unbounded). A Markdown table goes to stdout; the script
# exits 1 if any check or bound fails. Bounds are set for a loaded 2-CPU
# machine, many times what a linear reader needs and far below what the
# quadratic readers took (see docs/performance.md).
#
# Environment: BENCH_TMPDIR (default /dev/shm when it has 1 GiB free),
# BENCH_SCALE (multiplies every time bound; default 1), BENCH_KEEP=1.
set -euo pipefail

say() { printf 'bench-hostile: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

[ $# -ge 1 ] || { sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CS=$1
shift
case "$CS" in */*) ;; *) CS=$(command -v "$CS" || true) ;; esac
[ -n "$CS" ] && [ -x "$CS" ] || die "csleuth binary not found"
CS=$(cd "$(dirname "$CS")" && pwd)/$(basename "$CS")
[ -x /usr/bin/time ] || die "needs /usr/bin/time (Debian package time)"
CASES=("$@")
[ ${#CASES[@]} -gt 0 ] || CASES=(oneline cutshort window gzbomb tags ghosts)
SCALE=${BENCH_SCALE:-1}

TMP=${BENCH_TMPDIR:-}
if [ -z "$TMP" ]; then
    if [ -d /dev/shm ] && [ "$(df -Pk /dev/shm | awk 'NR==2 {print $4}')" -gt 1048576 ]; then
        TMP=/dev/shm
    else
        TMP=${TMPDIR:-/tmp}
    fi
fi
WORK=$(mktemp -d "$TMP/csleuth-bench-hostile.XXXXXX")
cleanup() { if [ "${BENCH_KEEP:-0}" = 1 ]; then say "kept $WORK"; else rm -rf "$WORK"; fi; }
trap cleanup EXIT
say "generating a small data root in $WORK"
python3 "$HERE/gen_dataroot.py" "$WORK/base" -n 6 -m 2 -s 1 -f -q >&2

# case -> "command | expected exit | stderr must match (grep -E) | max s | max MiB"
spec() {
    case "$1" in
    oneline)  echo "logs --json NAME|0|two records on one line|10|256" ;;
    cutshort) echo "logs --json NAME|3|a record cut short|15|256" ;;
    window)   echo "logs NAME|3|last line of 67108864 bytes without a newline|15|512" ;;
    gzbomb)   echo "logs NAME|3|decompression bomb|60|256" ;;
    tags)     echo "images --json|0||10|512" ;;
    ghosts)   echo "ps --json|3|more problems in this file are not listed|20|1024" ;;
    *) die "unknown case $1" ;;
    esac
}

echo "| case | command | exit | check | wall s (bound) | peak RSS MiB (bound) | result |"
echo "| --- | --- | ---: | --- | ---: | ---: | --- |"
fail=0
for c in "${CASES[@]}"; do
    IFS='|' read -r cmd want_rc want_err max_s max_mib <<<"$(spec "$c")"
    max_s=$(awk -v a="$max_s" -v b="$SCALE" 'BEGIN {print a * b}')
    root="$WORK/$c"
    cp -a "$WORK/base" "$root"
    say "$c: generating"
    read -r name _ < <(python3 "$HERE/gen_hostile.py" "$root" "$c")
    cmd=${cmd//NAME/$name}
    say "$c: csleuth $cmd"
    set +e
    # shellcheck disable=SC2086
    /usr/bin/time -f '%e %M' -o "$WORK/time" "$CS" --root "$root" $cmd >"$WORK/out" 2>"$WORK/err"
    rc=$?
    set -e
    read -r wall kib < <(tail -n 1 "$WORK/time")
    mib=$(( kib / 1024 ))
    check=ok
    [ "$rc" = "$want_rc" ] || check="exit $rc, want $want_rc"
    if [ -n "$want_err" ] && ! grep -qE "$want_err" "$WORK/err"; then
        check="stderr lacks \"$want_err\""
    fi
    case "$c" in
    oneline)
        n=$(wc -l <"$WORK/out")
        want=$(python3 -c "import sys; print(open(sys.argv[1],'rb').read().count(b'{\"log\"'))" \
            "$root/containers/"*/*-json.log)
        [ "$n" = "$want" ] || check="$n records, the line holds $want"
        ;;
    tags)
        n=$(python3 -c "import json,sys; print(max(len(i['tags']) for i in json.load(open(sys.argv[1]))))" "$WORK/out")
        [ "$n" = 100000 ] || check="$n tags on the image, want 100000"
        ;;
    esac
    result=ok
    if [ "$check" != ok ]; then result="FAILED: $check"; fi
    if awk -v w="$wall" -v m="$max_s" 'BEGIN {exit !(w > m)}'; then result="FAILED: too slow"; fi
    if [ "$mib" -gt "$max_mib" ]; then result="FAILED: too much memory"; fi
    [ "$result" = ok ] || fail=1
    echo "| $c | \`$cmd\` | $rc | $check | $wall ($max_s) | $mib ($max_mib) | $result |"
    rm -rf "$root"
done
echo
echo "- csleuth: $("$CS" --version); machine: $(nproc) CPUs, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo); load average $(cut -d' ' -f1-3 /proc/loadavg); files on $(df -PT "$WORK" | awk 'NR==2 {print $2}')"
exit $fail
