#!/bin/bash
# run-fuzzers.sh - build and run the libFuzzer targets of fuzz/ (docs/fuzzing.md).
#
# usage: fuzz/run-fuzzers.sh [-b BUILD] [-t SECONDS] [-j JOBS] [-o OUT] [-k KEEP]
#                            [-r REPORT] [TARGET...]
#        fuzz/run-fuzzers.sh [-b BUILD] --merge DIR [TARGET...]
#
# Runs each target (default: every one in fuzz/meson.build) for SECONDS
# (default 25) on its committed corpus, JOBS targets at a time (default 2),
# under AddressSanitizer and UndefinedBehaviorSanitizer. New inputs go to a
# scratch directory, never into fuzz/corpus/; a crash, leak, timeout or
# failed check leaves its input in OUT (default fuzz-out/) and makes the
# script exit 1. Prints one line per target: seconds, executions, rate,
# result. -k KEEP keeps the new inputs in KEEP/<t> (to merge them later);
# -r REPORT also writes the results as TAP lines (for tests/summary.py).
# --merge DIR minimises fuzz/corpus/<t> together with DIR/<t> (new seeds,
# or the inputs kept from a long run) back into fuzz/corpus/<t>.
#
# BUILD (default build-fuzz) is set up when missing:
#   CC=clang meson setup BUILD -Db_sanitize=address,undefined -Db_lundef=false -Dfuzzing=enabled
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=build-fuzz
SECONDS_EACH=25
JOBS=2
OUT=fuzz-out
KEEP=
REPORT=
MERGE=
while [ $# -gt 0 ]; do
	case "$1" in
	-b) BUILD=$2; shift 2 ;;
	-t) SECONDS_EACH=$2; shift 2 ;;
	-j) JOBS=$2; shift 2 ;;
	-o) OUT=$2; shift 2 ;;
	-k) KEEP=$2; shift 2 ;;
	-r) REPORT=$2; shift 2 ;;
	--merge) MERGE=$2; shift 2 ;;
	-h|--help) sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	-*) echo "run-fuzzers.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
	mapfile -t TARGETS < <(sed -n "s/^  \['\([a-z0-9_]*\)',.*/\1/p" fuzz/meson.build)
fi

blog=$(mktemp)
if [ ! -f "$BUILD/build.ninja" ]; then
	CC=clang meson setup "$BUILD" -Db_sanitize=address,undefined -Db_lundef=false \
		-Dfuzzing=enabled -Dwerror=true >"$blog" 2>&1 || { cat "$blog" >&2; exit 1; }
fi
ninja -C "$BUILD" $(printf 'fuzz/fuzz_%s ' "${TARGETS[@]}") >"$blog" 2>&1 || { cat "$blog" >&2; exit 1; }
rm -f "$blog"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:allocator_may_return_null=1}
# leaks inside the libraries, not ours (see the file)
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/fuzz/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1}
# libFuzzer's own limits: one input may take 10 s and 2 GiB
LF_OPTS=(-timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=2048 -max_len=65536 -print_final_stats=1)

if [ -n "$MERGE" ]; then
	for t in "${TARGETS[@]}"; do
		new=$(mktemp -d)
		mkdir -p "fuzz/corpus/$t"
		"$BUILD/fuzz/fuzz_$t" -merge=1 "${LF_OPTS[@]}" "$new" "fuzz/corpus/$t" \
			${MERGE:+"$MERGE/$t"} >"$new.log" 2>&1 || { tail -20 "$new.log" >&2; exit 1; }
		rm -rf "fuzz/corpus/$t"
		mv "$new" "fuzz/corpus/$t"
		chmod 755 "fuzz/corpus/$t"
		echo "$t: $(ls "fuzz/corpus/$t" | wc -l) inputs, $(du -sk "fuzz/corpus/$t" | cut -f1) KiB"
		rm -f "$new.log"
	done
	exit 0
fi

mkdir -p "$OUT"
run_one() {
	local t=$1 work log
	if [ -n "$KEEP" ]; then
		work=$KEEP/$t
		mkdir -p "$work"
	else
		work=$(mktemp -d)
	fi
	log="$OUT/$t.log"
	"$BUILD/fuzz/fuzz_$t" "${LF_OPTS[@]}" -max_total_time="$SECONDS_EACH" \
		-artifact_prefix="$OUT/$t-" "$work" "fuzz/corpus/$t" >"$log" 2>&1
	local rc=$?
	local execs secs
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	secs=$(sed -n 's/^#[0-9]*.*DONE.*time: \([0-9]*\)s.*/\1/p' "$log" | tail -1)
	secs=${secs:-$SECONDS_EACH}
	[ -n "$KEEP" ] || rm -rf "$work"
	if [ -n "$REPORT" ]; then
		if [ $rc -eq 0 ]; then
			echo "ok - fuzz_$t: ${execs:-?} executions in ${secs}s" >>"$REPORT"
		else
			echo "not ok - fuzz_$t: failed (see $log)" >>"$REPORT"
		fi
	fi
	if [ $rc -eq 0 ]; then
		printf '%-18s %6ss %12s executions %9s/s  ok\n' "$t" "$secs" "${execs:-?}" \
			"$(( ${execs:-0} / (secs > 0 ? secs : 1) ))"
	else
		printf '%-18s %6ss %12s executions  FAILED (rc %d): %s\n' "$t" "$secs" "${execs:-?}" "$rc" \
			"$(grep -m1 -E 'ERROR|fuzz check failed|SUMMARY' "$log")"
		grep -A30 -m1 -E 'ERROR: |fuzz check failed' "$log" | head -40 | sed 's/^/    /'
		echo "    reproduce: $BUILD/fuzz/fuzz_$t $(ls -t "$OUT/$t-"* 2>/dev/null | head -1)"
		return 1
	fi
}
export -f run_one
export BUILD OUT SECONDS_EACH KEEP REPORT
export LF_OPTS_STR="${LF_OPTS[*]}"
rc=0
printf '%s\n' "${TARGETS[@]}" | xargs -P "$JOBS" -I{} bash -c \
	'LF_OPTS=($LF_OPTS_STR); run_one "$@"' _ {} || rc=1
exit $rc
