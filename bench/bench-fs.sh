#!/usr/bin/env bash
# Benchmark `csleuth mount` against the kernel's overlayfs and fuse-overlayfs
# over the same three layer directories (see bench/README.md).
#
# usage: bench/bench-fs.sh CSLEUTH_BINARY
#
# Must run as root (kernel overlay mounts; the generator makes whiteout device
# nodes and trusted.* xattrs). Installs fuse-overlayfs and hyperfine with
# apt-get when they are missing, unless BENCH_NO_INSTALL=1.
#
# Environment (all optional):
#   BENCH_FS_ROOT     reuse this data root (generated there first if missing/empty)
#   BENCH_TMPDIR      where to generate a throw-away root (/dev/shm if it has
#                     room, else $TMPDIR or /tmp)
#   BENCH_SEED        generator seed (1)
#   BENCH_BIG_MIB     size of the large file in MiB (1024)
#   BENCH_RUNS        hyperfine runs for find and cat (10)
#   BENCH_TAR_RUNS    hyperfine runs for tar (5)
#   BENCH_WARMUP      untimed warm-up runs before each hyperfine command (2)
#   BENCH_MOUNT_RUNS  mount-to-ready repetitions per filesystem (10)
#   BENCH_HYPERFINE_JSON  keep hyperfine's --export-json files in this directory
#   BENCH_QUIET_PCT   before each measurement, wait until the machine's CPUs are
#                     less than this % busy over one second (10) ...
#   BENCH_QUIET_WAIT  ... for at most this many seconds (900), then go on and say so
#   BENCH_NOISE_PCT   measure again when other processes used more than this % of
#                     the CPUs during a measurement (1) ...
#   BENCH_TRIES       ... up to this many times in all (3)
#   BENCH_NO_INSTALL=1    never call apt-get
#   BENCH_KEEP=1      keep the generated root and print its path
#
# The Markdown report goes to stdout; progress and warnings go to stderr.

set -euo pipefail

say() { printf 'bench-fs: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

usage() {
    sed -n '2,/^$/p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

[ $# -eq 1 ] || usage
case "$1" in -h|--help) usage ;; esac

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
GEN="$HERE/gen_fs_stack.py"

CS_BIN=$1
SEED=${BENCH_SEED:-1}
BIG_MIB=${BENCH_BIG_MIB:-1024}
RUNS=${BENCH_RUNS:-10}
TAR_RUNS=${BENCH_TAR_RUNS:-5}
WARMUP=${BENCH_WARMUP:-2}
MOUNT_RUNS=${BENCH_MOUNT_RUNS:-10}

[ "$(id -u)" = 0 ] || die "must run as root (kernel overlay mounts, whiteout device nodes)"

case "$CS_BIN" in
    */*) ;;
    *) CS_BIN=$(command -v "$CS_BIN" || true) ;;
esac
[ -n "$CS_BIN" ] && [ -x "$CS_BIN" ] && [ -f "$CS_BIN" ] ||
    die "csleuth binary '$1' not found or not executable"
CS_BIN=$(cd "$(dirname "$CS_BIN")" && pwd)/$(basename "$CS_BIN")

# ---- tools -------------------------------------------------------------------
missing=()
command -v fuse-overlayfs >/dev/null 2>&1 || missing+=(fuse-overlayfs)
command -v hyperfine >/dev/null 2>&1 || missing+=(hyperfine)
if [ ${#missing[@]} -gt 0 ]; then
    [ "${BENCH_NO_INSTALL:-0}" != 1 ] ||
        die "missing ${missing[*]} (Debian: apt-get install ${missing[*]})"
    say "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y "${missing[@]}" >&2 ||
        { apt-get update >&2 && apt-get install -y "${missing[@]}" >&2; } ||
        die "could not install ${missing[*]}"
fi
for t in python3 fusermount3 tar find cat mountpoint; do
    command -v "$t" >/dev/null 2>&1 || die "$t is needed"
done
[ -e /dev/fuse ] || die "/dev/fuse is missing (modprobe fuse)"
grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null ||
    die "the kernel has no overlay filesystem"

# ---- work area, mounts and cleanup -----------------------------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/bench-fs.XXXXXX")
GENERATED=""
MOUNTED=()      # "kind:dir" for every mount this script made

unmount_one() {  # kind dir
    local kind=$1 dir=$2 i
    mountpoint -q "$dir" || return 0
    case "$kind" in
        kernel) umount "$dir" 2>/dev/null ;;
        csleuth) "$CS_BIN" umount "$dir" >/dev/null 2>&1 ;;
        *) fusermount3 -u "$dir" 2>/dev/null ;;
    esac
    for ((i = 0; i < 50; i++)); do
        mountpoint -q "$dir" || return 0
        sleep 0.1
    done
    umount -l "$dir" 2>/dev/null || true
    ! mountpoint -q "$dir"
}

cleanup() {
    local rc=$? m left=0
    trap - EXIT INT TERM
    [ -n "${MONITOR_PID:-}" ] && kill "$MONITOR_PID" 2>/dev/null
    for m in "${MOUNTED[@]}"; do
        unmount_one "${m%%:*}" "${m#*:}" || { say "warning: could not unmount ${m#*:}"; left=1; }
    done
    if [ $left = 0 ]; then
        find "$WORK/mnt" -mindepth 1 -maxdepth 1 -type d -exec rmdir {} + 2>/dev/null || true
        rm -rf "$WORK"
        if [ -n "$GENERATED" ] && [ "${BENCH_KEEP:-0}" != 1 ]; then
            rm -rf "$GENERATED"
        fi
    else
        say "left $WORK (and any generated root) in place because a mount remains"
    fi
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$WORK/mnt"

# ---- data root -------------------------------------------------------------------
if [ -n "${BENCH_FS_ROOT:-}" ]; then
    ROOT=$BENCH_FS_ROOT
    if [ -f "$ROOT/image/overlay2/repositories.json" ]; then
        say "reusing data root $ROOT"
        DATA_DESC="a reused root (BENCH_FS_ROOT)"
    else
        say "generating data root in $ROOT (seed $SEED, $BIG_MIB MiB file)"
        python3 "$GEN" -s "$SEED" --big-mib "$BIG_MIB" "$ROOT"
    fi
else
    if [ -z "${BENCH_TMPDIR:-}" ]; then
        need_kib=$(( (BIG_MIB + 1024) * 1024 ))
        if [ -d /dev/shm ] && [ -w /dev/shm ] &&
           [ "$(df -Pk /dev/shm | awk 'NR==2 {print $4}')" -gt "$need_kib" ]; then
            BENCH_TMPDIR=/dev/shm
        else
            BENCH_TMPDIR=${TMPDIR:-/tmp}
        fi
    fi
    GENERATED=$(mktemp -d "$BENCH_TMPDIR/bench-fs-root.XXXXXX")
    ROOT=$GENERATED
    say "generating data root in $ROOT (seed $SEED, $BIG_MIB MiB file)"
    t0=$(date +%s%N)
    python3 "$GEN" -s "$SEED" --big-mib "$BIG_MIB" "$ROOT"
    say "generated in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
    [ "${BENCH_KEEP:-0}" = 1 ] && say "keeping $ROOT (BENCH_KEEP=1)"
fi
: "${DATA_DESC:=\`bench/gen_fs_stack.py -s $SEED --big-mib $BIG_MIB\`}"
ROOT=$(cd "$ROOT" && pwd)
FSTYPE=$(stat -f -c %T "$ROOT" 2>/dev/null || echo unknown)

# IMAGE, IMAGE_ID, LAYERS (top first, relative to ROOT), BIG_FILE, ENTRIES
eval "$(python3 "$GEN" --describe "$ROOT")"
LOWER=""
IFS=: read -r -a LAYER_DIRS <<<"$LAYERS"
[ ${#LAYER_DIRS[@]} -ge 3 ] || die "the image has ${#LAYER_DIRS[@]} layers, expected 3"
for d in "${LAYER_DIRS[@]}"; do
    [ -d "$ROOT/$d" ] || die "layer directory $ROOT/$d is missing"
    LOWER+="${LOWER:+:}$ROOT/$d"
done
BIG_BYTES=$(stat -c %s "$ROOT/${LAYER_DIRS[-1]}/$BIG_FILE")

# ---- csleuth reads the root without a warning ------------------------------------------
say "checking that csleuth reads the root cleanly"
if ! "$CS_BIN" --root "$ROOT" images >"$WORK/images.out" 2>"$WORK/images.err"; then
    sed 's/^/  /' "$WORK/images.err" | head -20 >&2
    die "csleuth --root ROOT images failed"
fi
CS_CLEAN="\`images\` and \`mount\` exit 0 with nothing on stderr"
# the generated root is on a writable mount: csleuth says that reading links
# changes their access times; that note is expected here
ATIME_NOTE='^csleuth: note: .* is on a writable mount without noatime: '
grep -v "$ATIME_NOTE" "$WORK/images.err" >"$WORK/images.err2" || true
mv "$WORK/images.err2" "$WORK/images.err"
if [ -s "$WORK/images.err" ]; then
    say "warning: csleuth images wrote to stderr:"
    sed 's/^/  /' "$WORK/images.err" >&2
    CS_CLEAN="warnings from \`images\`: $(head -c 200 "$WORK/images.err" | tr '\n' ' ')"
fi
grep -q "^${IMAGE%%:*} " "$WORK/images.out" || die "csleuth images does not list $IMAGE"

# ---- the three filesystems ------------------------------------------------------
KINDS=(kernel fuse-overlayfs csleuth)

mount_argv() {  # kind dir -> prints the mount command, one word per line
    case "$1" in
        kernel) printf '%s\n' mount -t overlay overlay -o "ro,lowerdir=$LOWER" "$2" ;;
        fuse-overlayfs) printf '%s\n' fuse-overlayfs -o "lowerdir=$LOWER" "$2" ;;
        csleuth) printf '%s\n' "$CS_BIN" --root "$ROOT" mount "$IMAGE" "$2" ;;
    esac
}
umount_argv() {
    case "$1" in
        kernel) printf '%s\n' umount "$2" ;;
        fuse-overlayfs) printf '%s\n' fusermount3 -u "$2" ;;
        csleuth) printf '%s\n' "$CS_BIN" umount "$2" ;;
    esac
}

do_mount() {  # kind dir
    local argv
    mapfile -t argv < <(mount_argv "$1" "$2")
    mkdir -p "$2"
    if ! "${argv[@]}" 2>"$WORK/mount.err"; then
        cat "$WORK/mount.err" >&2
        die "mount failed: ${argv[*]}"
    fi
    MOUNTED+=("$1:$2")
    # fuse-overlayfs always says "unknown argument ignored: lazytime"
    grep -v -e '^unknown argument ignored: lazytime$' -e "$ATIME_NOTE" "$WORK/mount.err" >"$WORK/mount.err2" || true
    if [ -s "$WORK/mount.err2" ]; then
        say "warning: $1 mount wrote to stderr:"
        sed 's/^/  /' "$WORK/mount.err2" >&2
        [ "$1" = csleuth ] && CS_CLEAN="warnings from \`mount\`: $(head -c 200 "$WORK/mount.err2" | tr '\n' ' ')"
    fi
    return 0
}

# ---- other load on the machine -------------------------------------------------------
# Other processes on a small machine distort every number here. Before each
# measurement the script waits until the machine is quiet; while it measures,
# a monitor adds up the CPU time of processes that are neither this script's
# descendants nor its mounts' daemons, plus the steal time of a virtual
# machine, and a measurement during which they took more than
# BENCH_NOISE_PCT of the machine is done again.
QUIET_PCT=${BENCH_QUIET_PCT:-10}
QUIET_WAIT=${BENCH_QUIET_WAIT:-900}
NOISE_PCT=${BENCH_NOISE_PCT:-1}
TRIES=${BENCH_TRIES:-3}
NCPU=$(nproc)
NOT_QUIET=()
declare -A FOREIGN   # phase -> "CPU-seconds[ note]" of the attempt kept

busy_pct() {  # CPU busy % of the whole machine over one second
    local a b
    read -r -a a </proc/stat; sleep 1; read -r -a b </proc/stat
    awk -v a="${a[*]}" -v b="${b[*]}" 'BEGIN {
        n = split(a, x, " "); split(b, y, " "); tot = 0
        for (i = 2; i <= 9 && i <= n; i++) tot += y[i] - x[i]
        idle = (y[5] - x[5]) + (y[6] - x[6])
        printf "%d", (tot > 0) ? 100 * (tot - idle) / tot : 0 }'
}
wait_quiet() {  # what
    local waited=0 pct
    echo idle >"$WORK/phase"
    while pct=$(busy_pct); [ "$pct" -ge "$QUIET_PCT" ]; do
        if [ $waited -ge "$QUIET_WAIT" ]; then
            say "warning: the machine is still ${pct}% busy; measuring $1 anyway"
            NOT_QUIET+=("$1")
            break
        fi
        [ $((waited % 60)) = 0 ] && say "machine ${pct}% busy; waiting before $1"
        sleep 4; waited=$((waited + 5))
    done
}

# The monitor samples /proc every 0.2 s and charges each process's new CPU
# time, and the machine's steal time (CPU time a hypervisor gave to other
# guests), to the phase named in $WORK/phase. It misses processes that live
# less than one sample (a lower bound, then); children's times (cutime) are
# not used, since they would count each process once more per ancestor.
MONITOR='
import json, os, signal, sys, time
me, work, root, out, phasef = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
hz = os.sysconf("SC_CLK_TCK")
prev, ours, per_phase = {}, {}, {}
stop = False
def on_term(*_):
    global stop
    stop = True
signal.signal(signal.SIGTERM, on_term)
def procs():
    d = {}
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % p) as f:
                st = f.read()
        except OSError:
            continue
        r = st.rfind(")")
        fl = st[r + 2:].split()
        d[int(p)] = (int(fl[1]), st[st.find("(") + 1:r], int(fl[11]) + int(fl[12]))
    return d
def is_ours(pid, d):
    if pid not in ours:
        res, q = False, pid
        for _ in range(64):
            if q in (me, os.getpid()):
                res = True
                break
            if q not in d or q <= 1:
                break
            q = d[q][0]
        if not res:
            try:
                with open("/proc/%d/cmdline" % pid, "rb") as f:
                    cl = f.read()
                res = work.encode() in cl or root.encode() in cl
            except OSError:
                pass
        ours[pid] = res
    return ours[pid]
def steal():
    with open("/proc/stat") as f:
        v = f.readline().split()
    return int(v[8]) if len(v) > 8 else 0
st0 = steal()
while not stop:
    d = procs()
    st1 = steal()
    try:
        with open(phasef) as f:
            phase = f.read().strip()
    except OSError:
        phase = "idle"
    if phase != "idle":
        ph = per_phase.setdefault(phase, {})
        for pid, (ppid, comm, t) in d.items():
            if pid in prev and prev[pid][1] == comm and t > prev[pid][2] and not is_ours(pid, d):
                key = "%s[%d]" % (comm, pid)
                ph[key] = ph.get(key, 0) + (t - prev[pid][2]) / hz
        if st1 > st0:   # CPU time the hypervisor gave to other guests
            ph["steal"] = ph.get("steal", 0) + (st1 - st0) / hz
    prev, st0 = d, st1
    with open(out + ".tmp", "w") as f:
        json.dump(per_phase, f)
    os.rename(out + ".tmp", out)
    time.sleep(0.2)
'
echo idle >"$WORK/phase"
python3 -c "$MONITOR" $$ "$WORK" "$ROOT" "$WORK/monitor.json" "$WORK/phase" &
MONITOR_PID=$!

foreign_cpu() {  # phase -> CPU-seconds other processes used during it, and the busiest
    python3 -c '
import json, sys
try:
    with open(sys.argv[1]) as f:
        ph = json.load(f).get(sys.argv[2], {})
except (OSError, ValueError):
    ph = {}
top = sorted(ph.items(), key=lambda kv: -kv[1])[:3]
print("%.2f" % sum(ph.values()), " ".join("%s:%.2f" % kv for kv in top))' "$WORK/monitor.json" "$1"
}

measured() {  # phase result-file command... : runs the command until it ran undisturbed
    local phase=$1 out=$2 try t0 t1 f=0 limit busiest best="" best_try=0 share
    shift 2
    for ((try = 1; try <= TRIES; try++)); do
        wait_quiet "$phase"
        echo "$phase#$try" >"$WORK/phase"
        t0=$(date +%s%N)
        "$@"
        t1=$(date +%s%N)
        sleep 0.5   # the monitor's last samples still belong to this attempt
        echo idle >"$WORK/phase"
        sleep 0.3
        read -r f busiest < <(foreign_cpu "$phase#$try")
        limit=$(awk -v ns=$((t1 - t0)) -v c="$NCPU" -v p="$NOISE_PCT" \
            'BEGIN { l = (ns / 1e9 + 0.5) * c * p / 100; printf "%.2f", (l < 0.2) ? 0.2 : l }')
        share=$(awk -v f="$f" -v ns=$((t1 - t0)) -v c="$NCPU" \
            'BEGIN { printf "%.1f", 100 * f / ((ns / 1e9 + 0.5) * c) }')
        # keep the least disturbed attempt
        if [ -z "$best" ] || awk -v f="$f" -v b="${best%% *}" 'BEGIN { exit !(f < b) }'; then
            best="$f $share"
            best_try=$try
            cp "$out" "$out.best"
        fi
        if awk -v f="$f" -v l="$limit" 'BEGIN { exit !(f <= l) }'; then
            break
        fi
        say "other processes used $f CPU-seconds during $phase (limit $limit; $busiest)" \
            "$( [ $try -lt "$TRIES" ] && echo '; measuring again')"
    done
    mv "$out.best" "$out"
    FOREIGN[$phase]="${best%% *} (${best#* }%)"
    [ $best_try -gt 1 ] && FOREIGN[$phase]+=" on try $best_try"
    if [ $try -gt "$TRIES" ]; then
        FOREIGN[$phase]+=", over the limit"
        NOT_QUIET+=("$phase")
    fi
    return 0
}

# ---- mount to ready -------------------------------------------------------------------
# Wall time from starting the mount command until a stat of the large file
# inside the mount succeeds (the command may return before or after that).
# A Python helper times it so that no shell start-up is counted; it then
# unmounts and waits until the mount point is gone before the next round.
MOUNT_TIMER='
import json, os, subprocess, sys, time
runs, mnt, probe, size = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
sep = sys.argv.index("--")
mount_cmd, umount_cmd = sys.argv[5:sep], sys.argv[sep + 1:]
times = []
for i in range(runs):
    t0 = time.perf_counter_ns()
    r = subprocess.run(mount_cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if r.returncode != 0:
        sys.exit("mount failed (%d): %s" % (r.returncode, r.stderr.decode(errors="replace")))
    deadline = time.monotonic() + 60
    while True:
        try:
            if os.stat(probe).st_size == size:
                break
        except OSError:
            pass
        if time.monotonic() > deadline:
            sys.exit("mount not ready after 60 s")
        time.sleep(0.0002)
    times.append((time.perf_counter_ns() - t0) / 1e6)
    subprocess.run(umount_cmd, check=True, stdout=subprocess.DEVNULL)
    while os.path.ismount(mnt):
        time.sleep(0.01)
print(json.dumps(times))
'

time_ready() {  # kind dir
    python3 -c "$MOUNT_TIMER" "$MOUNT_RUNS" "$2" "$2/$BIG_FILE" "$BIG_BYTES" \
        "${margv[@]}" -- "${uargv[@]}" >"$WORK/ready-$1.json"
}

declare -A READY_MS READY_RANGE
for kind in "${KINDS[@]}"; do
    dir="$WORK/mnt/ready-$kind"
    mkdir -p "$dir"
    MOUNTED+=("$kind:$dir")   # so that an interrupted round is still unmounted
    mapfile -t margv < <(mount_argv "$kind" "$dir")
    mapfile -t uargv < <(umount_argv "$kind" "$dir")
    say "mount to ready: $kind ($MOUNT_RUNS rounds)"
    measured "mount-$kind" "$WORK/ready-$kind.json" time_ready "$kind" "$dir"
    read -r "READY_MS[$kind]" "READY_RANGE[$kind]" < <(python3 -c '
import json, statistics, sys
t = json.load(open(sys.argv[1]))
fmt = lambda v: ("%.2f" if v < 10 else "%.1f") % v
print(fmt(statistics.median(t)), "%s–%s" % (fmt(min(t)), fmt(max(t))))' "$WORK/ready-$kind.json")
done

# ---- mount all three and compare what they show ------------------------------------
declare -A MNT
for kind in "${KINDS[@]}"; do
    MNT[$kind]="$WORK/mnt/$kind"
    do_mount "$kind" "${MNT[$kind]}"
done

say "listing the three mounts (this also warms them)"
declare -A COUNT
SAME="yes"
for kind in "${KINDS[@]}"; do
    # name, type, mode, owner, size (not of directories), mtime, link target
    (cd "${MNT[$kind]}" && find . -printf '%P\t%y\t%m\t%U:%G\t%s\t%T@\t%l\n') |
        awk -F'\t' 'BEGIN { OFS = "\t" } $2 == "d" { $5 = "-" } { print }' |
        LC_ALL=C sort >"$WORK/list-$kind"
    COUNT[$kind]=$(( $(wc -l <"$WORK/list-$kind") - 1 ))   # without the root
done
DIFFS=""
for kind in fuse-overlayfs csleuth; do
    if ! cmp -s "$WORK/list-kernel" "$WORK/list-$kind"; then
        SAME="no"
        n=$(diff "$WORK/list-kernel" "$WORK/list-$kind" | grep -c '^[<>]' || true)
        DIFFS+="; $kind differs from the kernel in $n lines"
        say "warning: $kind shows a different tree from the kernel's:"
        diff "$WORK/list-kernel" "$WORK/list-$kind" | head -10 | sed 's/^/  /' >&2
    fi
done
# the large file's bytes
for kind in "${KINDS[@]}"; do
    cat "${MNT[$kind]}/$BIG_FILE" >/dev/null
done
if ! cmp -s "${MNT[kernel]}/$BIG_FILE" "${MNT[csleuth]}/$BIG_FILE" ||
   ! cmp -s "${MNT[kernel]}/$BIG_FILE" "${MNT[fuse-overlayfs]}/$BIG_FILE"; then
    SAME="no"
    DIFFS+="; the large file's bytes differ"
    say "warning: the large file's bytes differ between mounts"
fi

# ---- timed operations -----------------------------------------------------------------
HF_VERSION=$(hyperfine --version | awk '{print $2}')
declare -A MED SD
run_hyperfine() { hyperfine "$@" >&2; }
hf() {  # op runs shell(none|sh) cmd-template ; template uses @MNT@
    local op=$1 runs=$2 shell=$3 tmpl=$4 cmds=() kind args
    for kind in "${KINDS[@]}"; do
        cmds+=("${tmpl//@MNT@/${MNT[$kind]}}")
    done
    args=(--runs "$runs" --warmup "$WARMUP" --export-json "$WORK/hf-$op.json" --style basic)
    [ "$shell" = none ] && args+=(--shell=none)
    say "timing $op with hyperfine ($runs runs, $WARMUP warm-up)"
    measured "$op" "$WORK/hf-$op.json" run_hyperfine "${args[@]}" "${cmds[@]}"
    [ -n "${BENCH_HYPERFINE_JSON:-}" ] && mkdir -p "$BENCH_HYPERFINE_JSON" &&
        cp "$WORK/hf-$op.json" "$BENCH_HYPERFINE_JSON/$op.json"
    local i=0 line
    while read -r line; do
        MED[$op:${KINDS[$i]}]=${line% *}
        SD[$op:${KINDS[$i]}]=${line#* }
        i=$((i + 1))
    done < <(python3 -c '
import json, statistics, sys
for r in json.load(open(sys.argv[1]))["results"]:
    m = r.get("median") or statistics.median(r["times"])
    print("%.1f %.1f" % (m * 1000, (r.get("stddev") or 0) * 1000))' "$WORK/hf-$op.json")
}

# GNU tar does not read file data when its output is /dev/null itself,
# hence the pipe through cat.
hf find "$RUNS" none "find @MNT@ -printf '%s %T@ %m\n'"
hf tar "$TAR_RUNS" sh "tar -cf - -C @MNT@ . | cat > /dev/null"
hf cat "$RUNS" none "cat @MNT@/$BIG_FILE"

kill "$MONITOR_PID" 2>/dev/null || true
wait "$MONITOR_PID" 2>/dev/null || true
MONITOR_PID=""
OTHER_LOAD=""
for ph in mount-kernel mount-fuse-overlayfs mount-csleuth find tar cat; do
    OTHER_LOAD+="${OTHER_LOAD:+, }$ph ${FOREIGN[$ph]:-?}"
done

# ---- versions and machine ---------------------------------------------------------------
first_line() { local out; out=$("$@" 2>&1) || return 0; printf '%s\n' "$out" | head -n 1 | tr -d '\r'; }
CS_VERSION=$(first_line "$CS_BIN" --version); [ -n "$CS_VERSION" ] || CS_VERSION=unknown
CS_REV=$(git -C "$(dirname "$CS_BIN")" describe --always --dirty --abbrev=12 2>/dev/null || true)
[ -n "$CS_REV" ] && CS_VERSION+=" (source git $CS_REV)"
FO_VERSION=$(fuse-overlayfs --version 2>&1 | awk -F'version ' '/^fuse-overlayfs/ {print $2}')
LIBFUSE=$(fuse-overlayfs --version 2>&1 | awk -F'version ' '/^FUSE library/ {print $2}')
CPU=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || true)
[ -n "$CPU" ] || CPU=$(uname -m)
MEM=$(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo 2>/dev/null || echo "?")
OS=$( (. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME") || uname -s)
TAR_V=$(first_line tar --version); FIND_V=$(first_line find --version)

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f×", a / b; else print "n/a" }'; }
BIG_H=$(awk -v b="$BIG_BYTES" 'BEGIN { if (b >= 1073741824) printf "%.0f GiB", b / 1073741824; else printf "%.0f MiB", b / 1048576 }')
commas() { echo "$1" | sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/' -e 'ta'; }
ENTRIES_H=$(commas "$ENTRIES")
MERGED_H=$(commas "${COUNT[kernel]}")

row() {  # label op aim
    local label=$1 op=$2 aim=$3 k=${MED[$2:kernel]} f=${MED[$2:fuse-overlayfs]} c=${MED[$2:csleuth]}
    echo "| $label | $k ± ${SD[$op:kernel]} | $f ± ${SD[$op:fuse-overlayfs]} | $c ± ${SD[$op:csleuth]} | $(ratio "$f" "$k") | $(ratio "$c" "$k") | $aim |"
}

# ---- report ---------------------------------------------------------------------------------
cat <<EOF
### \`mount\` benchmark: 3 layers, $ENTRIES_H entries, a $BIG_H file

| operation (ms, median ± sd) | kernel overlayfs | fuse-overlayfs | csleuth | fuse-overlayfs / kernel | csleuth / kernel | aim |
| --- | ---: | ---: | ---: | ---: | ---: | --- |
EOF
row "warm \`find -printf '%s %T@ %m\\n'\`" find "csleuth ≤ 1.3×"
row "\`tar -cf - . \\| cat\`" tar "csleuth ≤ 1.3×"
row "\`cat\` of the $BIG_H file (warm)" cat "csleuth ≤ 1.3×"
echo "| mount to ready (median, range) | ${READY_MS[kernel]} (${READY_RANGE[kernel]}) | ${READY_MS[fuse-overlayfs]} (${READY_RANGE[fuse-overlayfs]}) | ${READY_MS[csleuth]} (${READY_RANGE[csleuth]}) | $(ratio "${READY_MS[fuse-overlayfs]}" "${READY_MS[kernel]}") | $(ratio "${READY_MS[csleuth]}" "${READY_MS[kernel]}") | csleuth < 1000 ms |"
cat <<EOF

- machine: $(nproc) CPUs, $CPU, $MEM RAM; kernel $(uname -r); $OS
- layers: $DATA_DESC on $FSTYPE: $ENTRIES_H entries in the 3 layer directories, $MERGED_H in the merged view (the same in all three mounts: $SAME$DIFFS)
- kernel: \`mount -t overlay overlay -o ro,lowerdir=TOP:MID:BASE MNT\`
- fuse-overlayfs $FO_VERSION (libfuse $LIBFUSE): \`fuse-overlayfs -o lowerdir=TOP:MID:BASE MNT\` (no upperdir: read-only)
- csleuth: $CS_VERSION: \`csleuth --root ROOT mount $IMAGE MNT\` ($CS_CLEAN)
- find, tar, cat: hyperfine $HF_VERSION, $RUNS runs ($TAR_RUNS for tar) after $WARMUP warm-up run(s), all three mounted side by side; find and cat with \`--shell=none\` and stdout to /dev/null, tar through \`sh -c\` (hyperfine subtracts the shell's start-up); $TAR_V, $FIND_V
- mount to ready: $MOUNT_RUNS rounds each; wall time from starting the mount command until \`stat\` of \`/$BIG_FILE\` in the mount succeeds, then unmounted
- other load: each measurement started once the machine was under $QUIET_PCT% busy for a second and was repeated (up to $TRIES times) if other processes (or the hypervisor's steal) took more than $NOISE_PCT% of the CPUs meanwhile, keeping the least disturbed try; CPU-seconds they took during the measurements kept (share of the CPUs): $OTHER_LOAD$( [ ${#NOT_QUIET[@]} -gt 0 ] && printf '; **not quiet: %s**' "$(IFS=','; echo "${NOT_QUIET[*]}")" )
EOF
