#!/usr/bin/env bash
# Benchmarks of issue #14 ("read only what is asked"), each side by side
# with its limit or peer in one hyperfine run. Prints Markdown tables.
#
# usage: bench/bench-speed.sh CSLEUTH_BINARY [mount|typing|export|timeline]...
#        (no part named: all four)
#
#   mount     mount to ready (a stat of a file three levels down succeeds) at
#             ~80k, ~300k and ~1M entries: the kernel's overlayfs,
#             fuse-overlayfs and csleuth; and csleuth's resident memory
#             after the mount and after a walk of everything
#   typing    `timeline` with libmagic (the default) against `--no-magic`
#             on 100,000 small files (7 distinct contents, as the timeline
#             benchmark makes them) and on a copy of this machine's
#             /usr/lib/python3, /usr/lib/x86_64-linux-gnu, /usr/share/doc
#             and /usr/share/perl (real, mostly distinct files)
#   export    `csleuth export` against GNU tar over the kernel's overlay
#             mount of the same layers (~80k entries and a 256 MiB file)
#   timeline  `timeline --no-magic` and the default at 1M and 5M entries
#             (BENCH_TL_SIZES), one run each, with CPU time and peak memory
#             (and what the run files took on tmpfs)
#
# Runs as root (kernel overlay mounts, whiteouts). Everything is generated
# under BENCH_TMPDIR (default /dev/shm; 5M entries need a file system with
# more than 5M free inodes) and removed at the end unless
# BENCH_KEEP=1. BENCH_RUNS (default 10) sets hyperfine's runs.
set -euo pipefail
[ $# -ge 1 ] || { sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
CS=$(readlink -f "$1")
shift
PARTS=("$@")
[ ${#PARTS[@]} -gt 0 ] || PARTS=(mount typing export timeline)
HERE=$(cd "$(dirname "$0")" && pwd)
TMP=${BENCH_TMPDIR:-/dev/shm}
RUNS=${BENCH_RUNS:-10}
WORK=$(mktemp -d "$TMP/csleuth-speed.XXXXXX")
MOUNTS=()
say() { printf 'bench-speed: %s\n' "$*" >&2; }
for t in hyperfine fuse-overlayfs; do
	command -v $t >/dev/null || apt-get install -y -qq $t >&2
done
[ -x /usr/bin/time ] || apt-get install -y -qq time >&2

cleanup() {
	for m in "${MOUNTS[@]}"; do
		mountpoint -q "$m" && { umount "$m" 2>/dev/null || fusermount3 -u "$m" 2>/dev/null || umount -l "$m"; }
	done
	[ "${BENCH_KEEP:-0}" = 1 ] && say "kept $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT

machine() {
	echo "- machine: $(nproc) CPUs, $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo), $(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo) RAM; kernel $(uname -r); load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "- csleuth: $("$CS" --version 2>&1 | head -1) ($(git -C "$HERE" describe --always --dirty 2>/dev/null || echo '?')); hyperfine $(hyperfine --version | awk '{print $2}')"
}

# median and stddev (ms) of each command of a hyperfine JSON, one per line
hf_stats() {
	python3 -c '
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print("%.1f %.1f" % (r["median"] * 1000, (r["stddev"] or 0) * 1000))' "$1"
}

# overlay lowerdir string of a gen_fs_stack root (short symlinks keep it small)
lowerdir() {  # root linkdir
	local root=$1 ln=$2 i=0 out=""
	mkdir -p "$ln"
	for l in $(python3 "$HERE/gen_fs_stack.py" --describe "$root" | sed -n 's/^LAYERS=//p' | tr ':' ' '); do
		ln -sfn "$root/$l" "$ln/$i"
		out+="${out:+:}$ln/$i"
		i=$((i + 1))
	done
	echo "$out"
}

rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
daemon_pid() { pgrep -n -f -- "$1" || true; }

part_mount() {
	echo "### mount to ready"
	echo
	echo "| entries in the layers | kernel overlayfs ms | fuse-overlayfs ms | csleuth ms | csleuth / kernel | csleuth RSS after mount | after a full walk |"
	echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
	for scale in 1 3.7 12.3; do
		local R=$WORK/fs-$scale K=$WORK/mk-$scale F=$WORK/mf-$scale C=$WORK/mc-$scale
		say "generating a layer stack at scale $scale"
		python3 "$HERE/gen_fs_stack.py" -q -s 1 --big-mib 1 --scale "$scale" "$R"
		local entries low img probe
		entries=$(python3 "$HERE/gen_fs_stack.py" --describe "$R" | sed -n 's/^ENTRIES=//p')
		img=$(python3 "$HERE/gen_fs_stack.py" --describe "$R" | sed -n 's/^IMAGE=//p')
		probe=$(python3 "$HERE/gen_fs_stack.py" --describe "$R" | sed -n 's/^BIG_FILE=//p')
		low=$(lowerdir "$R" "$WORK/ln-$scale")
		mkdir -p "$K" "$F" "$C"
		MOUNTS+=("$K" "$F" "$C")
		find "$R" -printf '' # warm the dentry cache
		local prep="umount $K 2>/dev/null; fusermount3 -u $F 2>/dev/null; $CS umount $C >/dev/null 2>&1; true"
		hyperfine -w 2 -r "$RUNS" --prepare "$prep" --cleanup "$prep" --style basic \
			--export-json "$WORK/mount-$scale.json" \
			-n kernel "mount -t overlay overlay -o ro,lowerdir=$low $K && stat -c %s $K/$probe" \
			-n fuse-overlayfs "fuse-overlayfs -o lowerdir=$low $F && stat -c %s $F/$probe" \
			-n csleuth "$CS --root $R mount $img $C && stat -c %s $C/$probe" >&2
		mapfile -t st < <(hf_stats "$WORK/mount-$scale.json")
		# memory: after the mount, then after walking everything
		"$CS" --root "$R" mount "$img" "$C"
		stat "$C/$probe" >/dev/null
		local pid r1 r2
		pid=$(daemon_pid "mount $img $C")
		r1=$(rss_kib "$pid")
		find "$C" -printf '' 
		r2=$(rss_kib "$pid")
		"$CS" umount "$C"
		local k=${st[0]%% *} f=${st[1]%% *} c=${st[2]%% *}
		printf '| %s | %s ± %s | %s ± %s | %s ± %s | %.2f× | %.1f MiB | %.1f MiB |\n' "$entries" \
			"$k" "${st[0]#* }" "$f" "${st[1]#* }" "$c" "${st[2]#* }" \
			"$(awk -v a="$c" -v b="$k" 'BEGIN {print a / b}')" \
			"$(awk -v a="$r1" 'BEGIN {print a / 1024}')" "$(awk -v a="$r2" 'BEGIN {print a / 1024}')"
		rm -rf "$R"
	done
	echo
	echo "- layers: \`bench/gen_fs_stack.py -s 1 --big-mib 1 --scale S\` (S = 1, 3.7, 12.3) on tmpfs, dentry cache warm"
	echo "- each command mounts and stats \`/opt/big/blob.bin\`; hyperfine --prepare unmounts all three before every run; $RUNS runs after 2 warm-ups; the times include starting the command (and, for csleuth, loading the data root)"
	echo "- RSS: the csleuth daemon's VmRSS once the mount is ready, and after \`find MNT\` visited every entry"
	machine
	echo
}

part_typing() {
	echo "### file typing: \`timeline\` (libmagic) against \`timeline --no-magic\`"
	echo
	local R=$WORK/typing
	say "generating a root with 100,000 small files"
	python3 "$HERE/gen_dataroot.py" -q -n 2 -m 2 "$R"
	python3 "$HERE/gen_timeline_root.py" "$R" --containers 1 --entries 100000 --lines 0 > "$WORK/typing.uppers"
	# a second container's own layer holds a copy of this machine's /usr/lib
	local up2
	up2=$(python3 "$HERE/gen_timeline_root.py" "$R" --containers 2 --entries 2 --lines 0 | tail -1)
	mkdir -p "$up2/usrlib"
	for d in /usr/lib/python3 /usr/lib/x86_64-linux-gnu /usr/share/doc /usr/share/perl; do
		[ -d "$d" ] && mkdir -p "$up2/usrlib$d" && cp -a "$d/." "$up2/usrlib$d/" 2>/dev/null || true
	done
	local nreal
	nreal=$(find "$up2/usrlib" -type f | wc -l)
	local ids
	mapfile -t ids < <(ls "$R/containers" | sort | head -2)
	hyperfine -w 1 -r "$RUNS" -N --style basic --export-json "$WORK/typing.json" \
		-n "small --no-magic" "$CS --root $R -q timeline --no-magic -o /dev/null ${ids[0]}" \
		-n "small" "$CS --root $R -q timeline -o /dev/null ${ids[0]}" \
		-n "usrlib --no-magic" "$CS --root $R -q timeline --no-magic -o /dev/null ${ids[1]}" \
		-n "usrlib" "$CS --root $R -q timeline -o /dev/null ${ids[1]}" >&2
	mapfile -t st < <(hf_stats "$WORK/typing.json")
	echo "| files | \`--no-magic\` ms | default (typed) ms | ratio (aim ≤ 1.5×) |"
	echo "| --- | ---: | ---: | ---: |"
	printf '| 100,000 small files (7 distinct contents) | %s ± %s | %s ± %s | %.2f× |\n' "${st[0]%% *}" "${st[0]#* }" \
		"${st[1]%% *}" "${st[1]#* }" "$(awk -v a="${st[1]%% *}" -v b="${st[0]%% *}" 'BEGIN {print a / b}')"
	printf '| a copy of this machine'"'"'s /usr/lib/python3, /usr/lib/x86_64-linux-gnu, /usr/share/doc and /usr/share/perl (%s regular files) | %s ± %s | %s ± %s | %.2f× |\n' "$nreal" "${st[2]%% *}" "${st[2]#* }" \
		"${st[3]%% *}" "${st[3]#* }" "$(awk -v a="${st[3]%% *}" -v b="${st[2]%% *}" 'BEGIN {print a / b}')"
	echo
	echo "- hyperfine -N, $RUNS runs after one warm-up, page cache warm, output to /dev/null; one container's events each"
	machine
	echo
	rm -rf "$R"
}

part_export() {
	echo "### \`export\` against \`tar\` over the kernel's overlay mount"
	echo
	local R=$WORK/export K=$WORK/export-k
	say "generating a layer stack with a 256 MiB file"
	python3 "$HERE/gen_fs_stack.py" -q -s 1 --big-mib 256 "$R"
	local img low
	img=$(python3 "$HERE/gen_fs_stack.py" --describe "$R" | sed -n 's/^IMAGE=//p')
	low=$(lowerdir "$R" "$WORK/ln-export")
	mkdir -p "$K"
	MOUNTS+=("$K")
	mount -t overlay overlay -o "ro,lowerdir=$low" "$K"
	tar -cf - -C "$K" . | cat >/dev/null # warm
	hyperfine -w 1 -r "$RUNS" --style basic --export-json "$WORK/export.json" \
		-n "tar on the kernel mount, to a pipe" "tar -cf - -C $K . | cat > /dev/null" \
		-n "csleuth export, to a pipe" "$CS --root $R export -o - $img | cat > /dev/null" \
		-n "tar on the kernel mount, to a file" "tar -cf $WORK/t.tar -C $K ." \
		-n "csleuth export, to a file" "$CS --root $R export -o $WORK/c.tar $img" >&2
	mapfile -t st < <(hf_stats "$WORK/export.json")
	echo "| output | tar ms | csleuth ms | csleuth / tar (aim ≤ 1.15×) |"
	echo "| --- | ---: | ---: | ---: |"
	printf '| a pipe | %s ± %s | %s ± %s | %.2f× |\n' "${st[0]%% *}" "${st[0]#* }" "${st[1]%% *}" "${st[1]#* }" \
		"$(awk -v a="${st[1]%% *}" -v b="${st[0]%% *}" 'BEGIN {print a / b}')"
	printf '| a file on tmpfs | %s ± %s | %s ± %s | %.2f× |\n' "${st[2]%% *}" "${st[2]#* }" "${st[3]%% *}" "${st[3]#* }" \
		"$(awk -v a="${st[3]%% *}" -v b="${st[2]%% *}" 'BEGIN {print a / b}')"
	echo
	echo "- layers: \`bench/gen_fs_stack.py -s 1 --big-mib 256\` ($(python3 "$HERE/gen_fs_stack.py" --describe "$R" | sed -n 's/^ENTRIES=//p') entries) on tmpfs, page cache warm; tar: GNU tar $(tar --version | head -1 | awk '{print $NF}') without --xattrs (csleuth writes xattrs, as the engine does)"
	echo "- hyperfine, $RUNS runs after one warm-up (through sh -c, whose start-up hyperfine subtracts)"
	machine
	echo
	umount "$K"
	rm -rf "$R" "$WORK/t.tar" "$WORK/c.tar"
}

# one timed run: wall seconds, CPU seconds, peak RSS MiB, and the most
# /dev/shm grew meanwhile (MiB, the output file excluded)
timed_run() {  # out-file command...
	local out=$1 shm0 shm1 peak=0 pid
	shift
	shm0=$(df -k --output=used /dev/shm | tail -1)
	/usr/bin/time -f '%e %U %S %M' -o "$WORK/time.txt" "$@" &
	pid=$!
	while kill -0 $pid 2>/dev/null; do
		shm1=$(df -k --output=used /dev/shm | tail -1)
		[ $((shm1 - shm0)) -gt $peak ] && peak=$((shm1 - shm0))
		sleep 0.2
	done
	wait $pid || true
	case "$out" in /dev/shm/*) peak=$((peak - $(du -k "$out" | cut -f1))) ;; esac
	[ $peak -lt 0 ] && peak=0
	awk -v p="$peak" '{printf "%.1f %.1f %.0f %.0f\n", $1, $2 + $3, $4 / 1024, p / 1024}' "$WORK/time.txt"
}

part_timeline() {
	echo "### \`timeline\` at 1M and 5M entries"
	echo
	echo "| entries | events | \`--no-magic\`: wall s, CPU s, peak RSS MiB | default (typed): wall s, CPU s, peak RSS MiB | run files on tmpfs MiB (default) |"
	echo "| ---: | ---: | ---: | ---: | ---: |"
	for n in ${BENCH_TL_SIZES:-1000000 5000000}; do
		local R=$WORK/tl-$n a b events
		say "generating a root with $n entries"
		python3 "$HERE/gen_dataroot.py" -q -n 4 -m 2 "$R"
		python3 "$HERE/gen_timeline_root.py" "$R" --entries "$n" --lines 0 >/dev/null
		find "$R/overlay2" -printf ''
		say "timeline --no-magic at $n"
		read -r -a a < <(timed_run "$WORK/tl.out" "$CS" --root "$R" -q timeline --no-magic -o "$WORK/tl.out")
		say "timeline at $n"
		read -r -a b < <(timed_run "$WORK/tl.out" "$CS" --root "$R" -q timeline -o "$WORK/tl.out")
		events=$(wc -l < "$WORK/tl.out")
		printf '| %s | %s | %s, %s, %s | %s, %s, %s | %s |\n' "$n" "$events" "${a[0]}" "${a[1]}" "${a[2]}" \
			"${b[0]}" "${b[1]}" "${b[2]}" "${b[3]}"
		rm -rf "$R" "$WORK/tl.out"
	done
	echo
	echo "- roots: \`bench/gen_dataroot.py -n 4 -m 2\` plus \`bench/gen_timeline_root.py --entries N --lines 0\` (four containers' own layers, directories of 100 small files) on tmpfs, page cache warm; Timesketch CSV to tmpfs; one run each (BENCH_TL_SIZES sets the sizes)"
	echo "- /usr/bin/time: wall, user + system, peak RSS; run files: the most /dev/shm grew during the run, less the output file"
	machine
	echo
}

for p in "${PARTS[@]}"; do
	"part_$p"
done
