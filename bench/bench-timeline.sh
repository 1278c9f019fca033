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
TLM="$CS --root $ROOT -q timeline --logs -o $OUT"
hyperfine -N -w 1 -r 3 --export-json "$TMP/bench-tl.json" \
	"bash -c \"$FIND > /dev/null\"" "$TL" "$TLM" >&2
EVENTS=$(wc -l < "$OUT")
rss() { /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1; }
RSS_TL=$(rss $CS --root "$ROOT" -q timeline --logs --no-magic -o "$OUT")
python3 - "$TMP/bench-tl.json" "$EVENTS" "$ENTRIES" "$LINES" "$RSS_TL" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))["results"]
events, entries, lines, rss = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
f, t, m = (r["median"] for r in d)
print(f"### `timeline`: {entries:,} layer entries + {lines:,} log lines\n")
print("| run | median s | entries/s | events/s | vs find |")
print("| --- | ---: | ---: | ---: | ---: |")
print(f"| `find -printf` over the layers | {f:.2f} | {entries/f:,.0f} | – | 1.00× |")
print(f"| `csleuth timeline --logs --no-magic` | {t:.2f} | {entries/t:,.0f} | {events/t:,.0f} | {t/f:.2f}× |")
print(f"| `csleuth timeline --logs` (libmagic) | {m:.2f} | {entries/m:,.0f} | {events/m:,.0f} | {m/f:.2f}× |")
print(f"\n- events written: {events:,}; peak RSS of the --no-magic run: {rss/1024:.0f} MiB")
PY
