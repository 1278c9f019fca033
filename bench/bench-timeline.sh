#!/usr/bin/env bash
# Benchmark `csleuth timeline` on a data root whose container layers hold
# ENTRIES files (default 1,000,000) and whose logs hold LINES records
# (default 1,000,000), next to `find -printf` over the same layer directories
# (the limit for the walk), in one run. Prints a Markdown table.
#
# usage: bench/bench-timeline.sh CSLEUTH_BINARY
# env:   ENTRIES, LINES, BENCH_TL_ROOT (reuse), BENCH_TMPDIR (default /dev/shm)
set -euo pipefail
CS=$(readlink -f "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
ENTRIES=${ENTRIES:-1000000}
LINES=${LINES:-1000000}
TMP=${BENCH_TMPDIR:-/dev/shm}
command -v hyperfine >/dev/null || apt-get install -y -qq hyperfine >&2
[ -x /usr/bin/time ] || apt-get install -y -qq time >&2
ROOT=${BENCH_TL_ROOT:-$TMP/csleuth-bench-tl}
if [ ! -f "$ROOT/.ready" ]; then
	rm -rf "$ROOT"
	python3 "$HERE/gen_dataroot.py" -q -n 4 -m 2 "$ROOT" >&2
	python3 "$HERE/gen_timeline_root.py" "$ROOT" --entries "$ENTRIES" --lines "$LINES" > "$ROOT/.uppers"
	touch "$ROOT/.ready"
fi
mapfile -t UPPERS < "$ROOT/.uppers"
OUT=$TMP/csleuth-bench-tl.out
# warm the page cache
find "${UPPERS[@]}" -printf '' ; cat "$ROOT"/containers/*/*-json.log > /dev/null
FIND="find ${UPPERS[*]} -printf '%p %s %m %U %G %T@ %A@ %C@\n'"
TL="$CS --root $ROOT -q timeline --logs --no-magic -o $OUT"
hyperfine -N -w 1 -r 3 --export-json "$TMP/bench-tl.json" "bash -c \"$FIND > /dev/null\"" "$TL" >&2
EVENTS=$(wc -l < "$OUT")
rss() { /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1; }
RSS_TL=$(rss $CS --root "$ROOT" -q timeline --logs --no-magic -o "$OUT")
# libmagic costs per file: measured on a small root of its own
MROOT=$TMP/csleuth-bench-tl-magic
if [ ! -f "$MROOT/.ready" ]; then
	rm -rf "$MROOT"
	python3 "$HERE/gen_dataroot.py" -q -n 2 -m 3 "$MROOT" >&2
	python3 "$HERE/gen_timeline_root.py" "$MROOT" --containers 1 --entries 20000 --lines 0 > "$MROOT/.uppers"
	touch "$MROOT/.ready"
fi
hyperfine -N -w 1 -r 3 --export-json "$TMP/bench-tl-magic.json" \
	"$CS --root $MROOT -q timeline --no-magic -o $OUT" "$CS --root $MROOT -q timeline -o $OUT" >&2
python3 - "$TMP/bench-tl.json" "$EVENTS" "$ENTRIES" "$LINES" "$RSS_TL" "$TMP/bench-tl-magic.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))["results"]
events, entries, lines, rss = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
f, t = (r["median"] for r in d)
nm, wm = (r["median"] for r in json.load(open(sys.argv[6]))["results"])
print(f"### `timeline`: {entries:,} layer entries + {lines:,} log lines\n")
print("| run | median s | entries/s | rows/s | vs find |")
print("| --- | ---: | ---: | ---: | ---: |")
print(f"| `find -printf` over the layers (one row per entry) | {f:.2f} | {entries/f:,.0f} | {entries/f:,.0f} | 1.00× |")
print(f"| `csleuth timeline --logs --no-magic` (sorted events) | {t:.2f} | {entries/t:,.0f} | {events/t:,.0f} | {t/f:.2f}× |")
print(f"\n- events written: {events:,} (up to four per entry: one per distinct MACB time, plus one per log record)")
print(f"- peak RSS of the timeline run: {rss/1024:.0f} MiB")
print(f"- libmagic, 20,000 small files: {nm:.2f} s without, {wm:.2f} s with: {(wm-nm)/20000*1e3:.2f} ms per file")
PY
