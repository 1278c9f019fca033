#!/usr/bin/env bash
# generate.sh — build csleuth's Podman fixtures with a REAL Podman (4.3.1, Debian 12).
#
# Usage:   sudo ./generate.sh [OUTDIR]        (OUTDIR defaults to this script's directory)
#
# Requires root and: podman 4.3 + buildah + conmon + runc + catatonit + fuse-overlayfs +
# uidmap (newuidmap/newgidmap), busybox-static (/bin/busybox), util-linux (unshare,
# setpriv, mount), GNU tar, xz, jq, python3 (with sqlite3), getfattr (package attr).
# Optional: go + Debian's golang-github-coreos-bbolt-dev, to cross-check the bbolt dumper.
#
# Environment:
#   CSX_SHARED   the project's shared folder (default: "$(dirname "$0")/../../../shared");
#                the 14-layer `docker save` archive is read from
#                $CSX_SHARED/realdata/image-archives/docker18-save-busybox-14layers.tar
#   BUSYBOX      static busybox to build the base rootfs from (default: /bin/busybox)
#   CSX_KEEP=1   keep the scratch directory (for debugging)
#
# Podman settings this machine needs (cgroup v1 hybrid, no systemd), written to the private
# /etc/containers/containers.conf: runtime = "runc" (crun is not usable here),
# cgroup_manager = "cgroupfs", events_logger = "file", default_ulimits = [].
#
# How it stays private: the whole run happens inside
#   unshare --mount --pid --fork --mount-proc --propagation private
# where scratch directories (under a mktemp -d in /var/tmp) are bind-mounted over
# /var/lib/containers (an overlay over /var/lib provides the mount point), /etc/containers,
# /home/alice and /home/bob (a tmpfs over /home provides them), and
# /etc/{passwd,group,subuid,subgid} (host copies plus the users alice, uid 2000, subordinate
# ids 10100001+65536, and bob, uid 2001, 10200001+65536); /run and /tmp are fresh tmpfs;
# /dev/fuse is replaced by a 0666 node for alice. So the paths podman records are the real
# host paths (/var/lib/containers/storage/..., /home/alice/...), and
# nothing of the machine's own is touched. The pid namespace holds every process podman
# starts (conmon, containers, fuse-overlayfs, the rootless pause process): the power cut
# kills them all by pid, and nothing can outlive the run. Podman's cgroupfs directories
# (libpod_parent/<id>, .../libpod-<id>) are the only host-side trace; the script removes the
# ones named by its own container and pod ids at the end.
#
# Steps (functions step_* below):
#   1. a busybox rootfs tar; rootful images: `podman import` (csx/base:1, with a tag that is
#      then removed: names-history), `buildah bud --layers` (csx/app:1.0, + :latest), and
#      `podman load` of the shared 14-layer docker archive;
#   2. rootful containers (see README.md): exited 3 with changes, running at the cut (with a
#      running exec session), created only, --log-driver none, max-size truncation, a pod
#      (infra + member, running), a named volume + a bind mount, a --rm (volatile) one
#      running at the cut, a killed one, a renamed one, one on the 14-layer image;
#   3. rootless store of alice (overlay through fuse-overlayfs): her own image import and
#      buildah build, a container run as container user 1000 (exited), one running at the cut;
#      rootless store of bob with the vfs driver: an import and one exited container;
#   4. records what podman says into OUTDIR/engine/{root,alice,bob}/ (before the cut);
#   5. power cut: kill -9 of every process in the namespace (by pid), unmount what is left;
#   6. packs OUTDIR/sysroot.tar.xz (var/lib/containers, home/alice, home/bob, etc), verifies
#      the round trip, writes per-container manifests of read-only overlay mounts of the
#      unpacked layers (kernel overlay for root, fuse-overlayfs for alice; bob's vfs layers
#      are walked as they are) and bbolt dumps;
#   7. EMULATED SQLite state (podman 4.3 cannot write db.sql): OUTDIR/sqlite-wal.tar.xz and
#      OUTDIR/podman5.tar.xz, built by tools/make_sqlite_state.py from the bolt values;
#   8. OUTDIR/engine/scenario.json and OUTDIR/generate-summary.json.
# Re-runnable: replaces exactly engine/, sysroot.tar.xz, sqlite-wal.tar.xz, podman5.tar.xz and
# generate-summary.json in OUTDIR; leaves README.md, tools/ and this script alone.
set -euo pipefail
shopt -s nullglob

SELF_DIR=$(cd "$(dirname "$0")" && pwd)
TOOLS="$SELF_DIR/tools"
log() { printf '[generate %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

ALICE_UID=2000
ALICE_SUB=10100001
SUBN=65536
BOB_UID=2001
BOB_SUB=10200001
APPLETS="sh ash ls cat echo rm rmdir mkdir touch ln mkfifo mknod dd chmod chown cp mv sleep seq
printf true false id head tail env wc sync date stat tr sort mount grep find pwd test [ uname
hostname readlink sha256sum cut kill ps xxd usleep"

# =========================================================================================
# Outer part: checks, scratch, the private namespace, publishing, host cleanup
# =========================================================================================
outer() {
  OUT=${1:-$SELF_DIR}
  CSX_SHARED=${CSX_SHARED:-"$(dirname "$0")/../../../shared"}
  ARCHIVE14="$CSX_SHARED/realdata/image-archives/docker18-save-busybox-14layers.tar"
  BUSYBOX=${BUSYBOX:-/bin/busybox}
  [ "$(id -u)" = 0 ] || die "must run as root"
  local t
  for t in podman buildah conmon runc catatonit fuse-overlayfs newuidmap newgidmap unshare \
           setpriv tar xz jq python3 getfattr mount umount sha256sum; do
    command -v "$t" >/dev/null || die "missing tool: $t"
  done
  [ -x "$BUSYBOX" ] || die "no busybox at $BUSYBOX (install busybox-static)"
  [ -r "$ARCHIVE14" ] || die "cannot read $ARCHIVE14 (set CSX_SHARED)"
  getent passwd "$ALICE_UID" >/dev/null && die "uid $ALICE_UID exists on this machine"
  getent passwd "$BOB_UID" >/dev/null && die "uid $BOB_UID exists on this machine"
  mkdir -p "$OUT"
  OUT=$(cd "$OUT" && pwd)
  ARCHIVE14=$(cd "$(dirname "$ARCHIVE14")" && pwd)/$(basename "$ARCHIVE14")

  SCRATCH=$(mktemp -d /var/tmp/csx-podman.XXXXXX)
  T0=$(date +%s)
  trap 'outer_cleanup $?' EXIT
  trap 'exit 130' INT TERM
  mkdir -p "$SCRATCH"/{sysroot,ns,stage,work}
  export SCRATCH OUT ARCHIVE14 BUSYBOX TOOLS T0

  log "scratch $SCRATCH; entering the private namespace"
  unshare --mount --pid --fork --mount-proc --propagation private "$SELF_DIR/generate.sh" __inner
  publish
}

# Podman's cgroupfs directories: remove those named by our own container and pod ids (empty
# after the cut). Ids: the ones recorded, and (should the run have failed earlier) every
# container in the rootful store plus the pod id prefix in each infra container's name.
remove_our_cgroups() {
  local cj="$SCRATCH/sysroot/var/lib/containers/storage/overlay-containers/containers.json" id d
  {
    cat "$SCRATCH/work/ids" 2>/dev/null
    [ -s "$cj" ] && jq -r '.[] | .id, (.names[]? | select(endswith("-infra")) | rtrimstr("-infra"))' "$cj"
  } | sort -u | while read -r id; do
    [ ${#id} = 64 ] || [ ${#id} = 12 ] || continue
    for d in /sys/fs/cgroup/*/libpod_parent; do
      find "$d" -depth -type d -path "*$id*" -exec rmdir {} \; 2>/dev/null || true
    done
  done
}

outer_cleanup() {
  local rc=$1
  set +e
  trap - EXIT INT TERM
  remove_our_cgroups
  # The namespace is gone with its last process: nothing is mounted under $SCRATCH any more.
  if [ "${CSX_KEEP:-0}" = 1 ]; then
    log "cleanup: keeping $SCRATCH (CSX_KEEP=1)"
  elif awk -v p="$SCRATCH" 'index($5, p)==1 {f=1} END {exit !f}' /proc/self/mountinfo; then
    log "cleanup: NOT removing $SCRATCH: mounts remain"
  else
    rm -rf "$SCRATCH"
  fi
  [ "$rc" = 0 ] && log "done in $(( $(date +%s) - T0 ))s" || log "FAILED (rc=$rc)"
  exit "$rc"
}

publish() {
  local f
  for f in engine sysroot.tar.xz sqlite-wal.tar.xz podman5.tar.xz; do
    [ -e "$SCRATCH/stage/$f" ] || die "stage lacks $f"
  done
  for f in engine sysroot.tar.xz sqlite-wal.tar.xz podman5.tar.xz; do
    rm -rf "${OUT:?}/$f"
    mv "$SCRATCH/stage/$f" "$OUT/$f"
  done
  jq -n --arg secs "$(( $(date +%s) - T0 ))" --arg date "$(date -u +%FT%TZ)" \
    --arg podman "$(podman --version)" --arg buildah "$(buildah --version)" \
    --arg conmon "$(conmon --version | head -n1)" --arg runc "$(runc --version | head -n1)" \
    --arg fuse "$(fuse-overlayfs --version 2>&1 | head -n1)" \
    --arg kernel "$(uname -r)" --arg tar "$(tar --version | head -n1)" \
    --arg xz "$(xz --version | head -n1)" \
    --argjson files "$(cd "$OUT" && find engine sysroot.tar.xz sqlite-wal.tar.xz podman5.tar.xz -type f -printf '%s\t%p\n' | sort -k2 | jq -Rn '[inputs | split("\t") | {path: .[1], bytes: (.[0]|tonumber)}]')" \
    '{generated: $date, total_seconds: ($secs|tonumber), podman: $podman, buildah: $buildah,
      conmon: $conmon, runc: $runc, fuse_overlayfs: $fuse, kernel: $kernel, tar: $tar, xz: $xz,
      files: $files}' >"$OUT/generate-summary.json"
}

# =========================================================================================
# Inner part: runs as pid 1 of a private pid + mount namespace
# =========================================================================================
SYS="" ; ENG="" ; NOTES=""
note() { printf '%s\t%s\n' "$1" "$2" >>"$NOTES"; }   # scenario facts -> scenario.json

ns_setup() {
  SYS="$SCRATCH/sysroot"
  local ns="$SCRATCH/ns" f
  mkdir -p "$SYS/var/lib/containers" "$SYS/etc/containers" "$SYS/home/alice" "$SYS/home/bob" "$ns"/{varlib-up,varlib-work}
  # mount points that do not exist on the host come from an overlay (/var/lib) or a tmpfs (/home)
  mount -t overlay overlay -o "lowerdir=/var/lib,upperdir=$ns/varlib-up,workdir=$ns/varlib-work" /var/lib
  mkdir -p /var/lib/containers
  mount --bind "$SYS/var/lib/containers" /var/lib/containers
  mount --bind "$SYS/etc/containers" /etc/containers
  mount -t tmpfs -o mode=0755 tmpfs /home
  mkdir /home/alice /home/bob
  mount --bind "$SYS/home/alice" /home/alice
  mount --bind "$SYS/home/bob" /home/bob
  mount -t tmpfs -o mode=0755 tmpfs /run
  mount -t tmpfs -o mode=1777 tmpfs /tmp
  # the machine's account files plus alice and bob, with their subordinate id ranges
  for f in passwd group subuid subgid; do cp "/etc/$f" "$ns/$f"; done
  echo "alice:x:$ALICE_UID:$ALICE_UID:Alice:/home/alice:/bin/sh" >>"$ns/passwd"
  echo "alice:x:$ALICE_UID:" >>"$ns/group"
  echo "alice:$ALICE_SUB:$SUBN" >>"$ns/subuid"
  echo "alice:$ALICE_SUB:$SUBN" >>"$ns/subgid"
  echo "bob:x:$BOB_UID:$BOB_UID:Bob:/home/bob:/bin/sh" >>"$ns/passwd"
  echo "bob:x:$BOB_UID:" >>"$ns/group"
  echo "bob:$BOB_SUB:$SUBN" >>"$ns/subuid"
  echo "bob:$BOB_SUB:$SUBN" >>"$ns/subgid"
  for f in passwd group subuid subgid; do mount --bind "$ns/$f" "/etc/$f"; done
  # /dev/fuse usable by alice (fuse-overlayfs), without changing the machine's node
  mknod -m 0666 "$ns/fuse" c 10 229
  mount --bind "$ns/fuse" /dev/fuse
  # the sysroot's own etc: minimal, relevant lines
  mkdir -p "$SYS/etc"
  printf 'root:x:0:0:root:/root:/bin/bash\nalice:x:%s:%s:Alice:/home/alice:/bin/sh\nbob:x:%s:%s:Bob:/home/bob:/bin/sh\n' \
    "$ALICE_UID" "$ALICE_UID" "$BOB_UID" "$BOB_UID" >"$SYS/etc/passwd"
  printf 'root:x:0:\nalice:x:%s:\nbob:x:%s:\n' "$ALICE_UID" "$BOB_UID" >"$SYS/etc/group"
  printf 'alice:%s:%s\nbob:%s:%s\n' "$ALICE_SUB" "$SUBN" "$BOB_SUB" "$SUBN" >"$SYS/etc/subuid"
  cp "$SYS/etc/subuid" "$SYS/etc/subgid"
  local u
  for u in "alice:$ALICE_UID" "bob:$BOB_UID"; do
    chown "${u#*:}:${u#*:}" "$SYS/home/${u%%:*}"; chmod 0700 "$SYS/home/${u%%:*}"
    mkdir -p "/run/user/${u#*:}"; chown "${u#*:}:${u#*:}" "/run/user/${u#*:}"; chmod 0700 "/run/user/${u#*:}"
  done
}

write_containers_config() {
  cat >/etc/containers/containers.conf <<'EOF'
# Podman 4.3 on a cgroup v1 hybrid host without systemd (csleuth fixture host)
[containers]
default_ulimits = []

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
  cat >/etc/containers/storage.conf <<'EOF'
[storage]
driver = "overlay"
runroot = "/run/containers/storage"
graphroot = "/var/lib/containers/storage"
EOF
  cat >/etc/containers/policy.json <<'EOF'
{ "default": [ { "type": "insecureAcceptAnything" } ] }
EOF
  cat >/etc/containers/registries.conf <<'EOF'
unqualified-search-registries = []
EOF
  # alice: her own storage.conf (it replaces the system one for her): overlay through
  # fuse-overlayfs. Without it a Debian rootless user would get the system file's driver,
  # or vfs when no file sets one.
  mkdir -p /home/alice/.config/containers
  cat >/home/alice/.config/containers/storage.conf <<'EOF'
[storage]
driver = "overlay"

[storage.options.overlay]
mount_program = "/usr/bin/fuse-overlayfs"
EOF
  chown -R "$ALICE_UID:$ALICE_UID" /home/alice/.config
  # bob: the vfs driver (what a Debian rootless user gets when no storage.conf names a driver)
  mkdir -p /home/bob/.config/containers
  printf '[storage]\ndriver = "vfs"\n' >/home/bob/.config/containers/storage.conf
  chown -R "$BOB_UID:$BOB_UID" /home/bob/.config
}

# --- podman as root and as the two users ---------------------------------------------------
P() { podman "$@"; }
AS() { # AS user uid command...: run as that user, with a login-like environment
  local user=$1 uid=$2; shift 2
  (cd "/home/$user" && setpriv --reuid="$uid" --regid="$uid" --init-groups \
    env -i HOME="/home/$user" USER="$user" LOGNAME="$user" PATH=/usr/bin:/bin:/usr/sbin:/sbin \
    XDG_RUNTIME_DIR="/run/user/$uid" "$@")
}
A() { AS alice "$ALICE_UID" "$@"; }
PA() { A podman "$@"; }
PB() { AS bob "$BOB_UID" podman "$@"; }

# ------------------------------------------------------------------------------------------
step_base_rootfs() { # -> /tmp/csx-base-rootfs.tar (readable by alice)
  local r="$SCRATCH/work/base-rootfs" a
  log "step_base_rootfs"
  rm -rf "$r"; mkdir -p "$r"/{bin,etc,opt/app,usr/share/doc/sub,tmp,root,home/app,var/log,srv}
  cp "$BUSYBOX" "$r/bin/busybox"
  for a in $APPLETS; do ln -s busybox "$r/bin/$a"; done
  cat >"$r/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
app:x:1000:1000:app user:/home/app:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
  cat >"$r/etc/group" <<'EOF'
root:x:0:
daemon:x:1:
app:x:1000:
nogroup:x:65534:
EOF
  echo 'root:*:19000:0:99999:7:::' >"$r/etc/shadow"
  echo 'Welcome to the csleuth fixture base image.' >"$r/etc/motd"
  printf 'mode=base\nlevel=1\n' >"$r/etc/app.conf"
  for a in a b c; do echo "base file $a" >"$r/opt/app/$a"; done
  echo 'documentation x' >"$r/usr/share/doc/x.txt"
  echo 'documentation y' >"$r/usr/share/doc/y.txt"
  echo 'documentation z' >"$r/usr/share/doc/sub/z.txt"
  echo 'app user profile' >"$r/home/app/.profile"
  chmod 1777 "$r/tmp"; chmod 0700 "$r/root"; chmod 0640 "$r/etc/shadow"
  chown -R 1000:1000 "$r/home/app"
  tar --numeric-owner -C "$r" -cf /tmp/csx-base-rootfs.tar .
  chmod 0644 /tmp/csx-base-rootfs.tar
}

step_root_images() {
  log "step_root_images: podman import, buildah bud, podman load"
  P import -m 'csleuth fixture base rootfs (busybox-static)' \
    --change 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin' --change 'CMD ["/bin/sh"]' \
    /tmp/csx-base-rootfs.tar localhost/csx/base:1 >/dev/null
  # a tag that existed and was removed: stays in images.json names-history
  P tag localhost/csx/base:1 localhost/csx/base:old
  P untag localhost/csx/base:1 localhost/csx/base:old
  note image:localhost/csx/base:1 "$(P image inspect -f '{{.Id}}' localhost/csx/base:1)"
  note names_history_removed_tag localhost/csx/base:old

  local ctx=/tmp/build-app
  mkdir -p "$ctx"
  echo 'copied into the image by COPY' >"$ctx/copied.txt"
  cat >"$ctx/Containerfile" <<'EOF'
FROM localhost/csx/base:1
LABEL org.opencontainers.image.title="csx app fixture" org.example.csx.role="app"
ENV APP_MODE=fixture
# adds files, a hard link and symlinks
RUN mkdir -p /srv/data && echo 'hello from layer' > /srv/data/hello.txt \
 && seq 1 200 > /srv/data/numbers.txt && ln /srv/data/hello.txt /srv/data/hardlink \
 && ln -s data/hello.txt /srv/rel-link && ln -s /etc/passwd /srv/passwd-link
# deletes a lower file -> whiteout in this layer
RUN rm /etc/motd
# replaces a lower directory -> opaque directory in this layer
RUN rm -rf /opt/app && mkdir /opt/app && echo new > /opt/app/new
COPY copied.txt /srv/copied.txt
CMD ["/bin/sh"]
EOF
  cp "$ctx/Containerfile" "$ENG/root/Containerfile.app"
  buildah bud --layers --network none -t localhost/csx/app:1.0 "$ctx" >"$SCRATCH/work/build-app.log" 2>&1 \
    || { cat "$SCRATCH/work/build-app.log" >&2; return 1; }
  P tag localhost/csx/app:1.0 localhost/csx/app:latest
  note image:localhost/csx/app:1.0 "$(P image inspect -f '{{.Id}}' localhost/csx/app:1.0)"

  cp "$ARCHIVE14" /tmp/docker18-save-busybox-14layers.tar     # (podman records the path it loads)
  P load -i /tmp/docker18-save-busybox-14layers.tar >"$SCRATCH/work/load14.log" 2>&1
  rm -f /tmp/docker18-save-busybox-14layers.tar
  IMG14=$(sed -n 's/^Loaded image: //p' "$SCRATCH/work/load14.log" | head -n1)
  [ -n "$IMG14" ] || { cat "$SCRATCH/work/load14.log" >&2; die "podman load gave no name"; }
  note "image:$IMG14" "$(P image inspect -f '{{.Id}}' "$IMG14")"
}

# ------------------------------------------------------------------------------------------
CHANGES_SCRIPT='
echo "changes: starting on stdout"; usleep 20000
echo "changes: starting on stderr" >&2; usleep 20000
cp /bin/busybox /tmp/dropper && chmod 0755 /tmp/dropper
ln /tmp/dropper /tmp/.dropper-hardlink
echo "mallory:x:0:0:backdoor:/root:/bin/sh" >> /etc/passwd
rm /etc/group
rm -rf /usr/share/doc && mkdir /usr/share/doc && touch /usr/share/doc/new
mkdir -p /root/.ssh && echo "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForCsleuthFixtures attacker@example" > /root/.ssh/authorized_keys
chmod 0700 /root/.ssh && chmod 0600 /root/.ssh/authorized_keys
printf "\033[1mbold\033[0m \303\274n\303\257c\303\270d\303\251 \360\237\220\263\n"; usleep 20000
printf "%020000d\n" 0 | tr 0 x; usleep 20000
printf "tab\there, CR\rin a line\n"; usleep 20000
echo "changes: failing with 3" >&2; usleep 20000
printf "no trailing newline"
sleep 4
exit 3'

step_root_containers() {
  log "step_root_containers"
  # changes: exits 3 after changing its RW layer; the DB is copied while it runs
  P run -d --name changes --network none localhost/csx/app:1.0 sh -c "$CHANGES_SCRIPT" >/dev/null
  local i
  for i in $(seq 1 50); do
    grep -q 'no trailing newline' "$(P inspect -f '{{.HostConfig.LogConfig.Path}}' changes)" 2>/dev/null && break
    sleep 0.2
  done
  cp /var/lib/containers/storage/libpod/bolt_state.db "$SCRATCH/work/bolt-midrun.db"
  note bolt_midrun_copied "$(date -u +%FT%T.%NZ)"
  note "exit:changes" "$(P wait changes)"

  # ticker: running at the cut; a finished and a still running exec session
  P run -d --name ticker --network none localhost/csx/base:1 sh -c \
    'i=1; while [ $i -le 5 ]; do echo "tick $i"; echo "tick $i" >> /tmp/ticks.log; i=$((i+1)); usleep 100000; done; echo "ticker: idle" >&2; exec sleep 3600' >/dev/null
  sleep 1.5
  P exec ticker sh -c 'echo "exec 1 was here" > /root/exec1.txt'
  P exec -d ticker sh -c 'echo "exec 2 is running" > /root/exec2.txt; exec sleep 3600' >"$SCRATCH/work/exec2.id"
  note exec_running:ticker "$(cat "$SCRATCH/work/exec2.id")"

  # dormant: created, never started
  P create --name dormant --network none --label org.example.case=CSX-7 -e APP_ENV=forensics \
    localhost/csx/app:1.0 sh -c 'echo never runs' >/dev/null

  # silent: no log file at all
  P run --name silent --network none --log-driver none localhost/csx/base:1 \
    sh -c 'echo "silent: lost on stdout"; echo "silent: lost on stderr" >&2' >/dev/null 2>&1
  note "exit:silent" "$(P inspect -f '{{.State.ExitCode}}' silent)"

  # trunc: conmon truncates ctr.log when it reaches max-size
  P run --name trunc --network none --log-opt max-size=2k localhost/csx/base:1 sh -c \
    'i=1; while [ $i -le 100 ]; do echo "stdout line $i of 100"; echo "stderr line $i of 100" >&2; usleep 3000; i=$((i+1)); done' >/dev/null 2>&1
  note "exit:trunc" "$(P inspect -f '{{.State.ExitCode}}' trunc)"

  # vols: a named volume and a bind mount (source in alice's home, part of the sysroot)
  P volume create --label org.example.csx=appdata appdata >/dev/null
  mkdir -p /home/alice/shared
  echo 'notes kept on the host' >/home/alice/shared/notes.txt
  chown -R "$ALICE_UID:$ALICE_UID" /home/alice/shared
  P run --name vols --network none -v appdata:/data -v /home/alice/shared:/host localhost/csx/base:1 sh -c \
    'echo "volume payload" > /data/secret.txt; cat /host/notes.txt; echo "written by a rootful container" > /host/from-rootful.txt; grep -E " /(data|host) " /proc/mounts' >/dev/null
  note "exit:vols" "$(P inspect -f '{{.State.ExitCode}}' vols)"
  note bind_source:vols /home/alice/shared

  # a pod: infra container (podman builds localhost/podman-pause) + a member, running
  P pod create --name webpod --network none --label org.example.csx=pod >/dev/null
  P run -d --pod webpod --name webpod-app localhost/csx/base:1 sh -c \
    'echo "webpod-app: serving"; mkdir -p /srv/www; echo "<h1>index</h1>" > /srv/www/index.html; exec sleep 3600' >/dev/null

  # ghost: --rm -> volatile overlay; running at the cut
  P run -d --rm --name ghost --network none localhost/csx/base:1 sh -c \
    'echo "ghost: volatile upper"; echo "maybe torn" > /tmp/ghost.txt; exec sleep 3600' >/dev/null

  # killed: SIGKILL by podman kill -> 137
  P run -d --name killed --network none localhost/csx/base:1 sh -c 'echo "killed: sleeping"; exec sleep 3600' >/dev/null
  sleep 1
  P kill killed >/dev/null
  note "exit:killed" "$(P wait killed)"

  # renamed: created as oldname
  P create --name oldname --network none localhost/csx/base:1 sh -c 'echo "hello from the container created as oldname"' >/dev/null
  note created_as:oldname "$(P inspect -f '{{.Id}}' oldname)"
  P rename oldname renamed
  P start -a renamed >/dev/null 2>&1
  note "exit:renamed" "$(P inspect -f '{{.State.ExitCode}}' renamed)"

  # layers14: on the 14-layer image
  P run --name layers14 --network none "$IMG14" ls -a / >/dev/null
  note "exit:layers14" "$(P inspect -f '{{.State.ExitCode}}' layers14)"
  sleep 1
}

# ------------------------------------------------------------------------------------------
# EMULATED CRI-O pod (CRI-O is not installable here): two real storage containers made by
# buildah in the rootful store, then given CRI-O's names, metadata, Volatile flag, layer names
# and config.json annotations by tools/emulate_crio.py (sources cited there).
step_crio_emulated() {
  log "step_crio_emulated"
  local sb ct tmpl
  buildah from --name crio-sandbox-tmp localhost/podman-pause:4.3.1-0 >/dev/null
  buildah from --name crio-app-tmp localhost/csx/base:1 >/dev/null
  buildah run --network none crio-app-tmp -- sh -c 'echo "written in the k8s container" > /tmp/k8s.txt; rm /etc/motd'
  sb=$(buildah inspect --format '{{.ContainerID}}' crio-sandbox-tmp)
  ct=$(buildah inspect --format '{{.ContainerID}}' crio-app-tmp)
  buildah umount crio-sandbox-tmp crio-app-tmp >/dev/null 2>&1 || true
  tmpl="/var/lib/containers/storage/overlay-containers/$(P inspect -f '{{.Id}}' renamed)/userdata/config.json"
  python3 "$TOOLS/emulate_crio.py" /var/lib/containers/storage "$sb" "$ct" "$tmpl" >"$ENG/root/crio-emulated.json"
  note crio_emulated_sandbox "$sb"
  note crio_emulated_container "$ct"
}

# ------------------------------------------------------------------------------------------
step_alice() {
  log "step_alice: rootless store (overlay through fuse-overlayfs)"
  PA import -m 'alice: busybox rootfs' --change 'CMD ["/bin/sh"]' /tmp/csx-base-rootfs.tar localhost/alice/base:1 >/dev/null
  local ctx=/tmp/build-alice
  mkdir -p "$ctx"
  cat >"$ctx/Containerfile" <<'EOF'
FROM localhost/alice/base:1
# one layer: deletes a file, replaces a directory, adds a file owned by container user 1000
RUN rm /etc/motd && rm -rf /usr/share/doc && mkdir /usr/share/doc && echo readme > /usr/share/doc/README \
 && mkdir -p /home/app/bin && echo 'echo tool' > /home/app/bin/tool && chown -R 1000:1000 /home/app/bin
CMD ["/bin/sh"]
EOF
  chown -R "$ALICE_UID:$ALICE_UID" "$ctx"
  cp "$ctx/Containerfile" "$ENG/alice/Containerfile.tool"
  A buildah bud --layers --network none -t localhost/alice/tool:1 "$ctx" >"$SCRATCH/work/build-alice.log" 2>&1 \
    || { cat "$SCRATCH/work/build-alice.log" >&2; return 1; }
  note image:alice:localhost/alice/base:1 "$(PA image inspect -f '{{.Id}}' localhost/alice/base:1)"
  note image:alice:localhost/alice/tool:1 "$(PA image inspect -f '{{.Id}}' localhost/alice/tool:1)"

  # alice-app: runs as container user 1000 -> files owned by host uid sub+999
  PA run --name alice-app --network none --user 1000:1000 localhost/alice/tool:1 sh -c \
    'echo "alice-app: uid $(id -u) gid $(id -g)"; usleep 20000; echo "alice-app: on stderr" >&2; usleep 20000
     echo "notes of app" > /home/app/notes.txt; rm /home/app/.profile; mkdir /home/app/cache
     echo cached > /home/app/cache/c.txt; echo tmp > /tmp/alice-tmp.txt; echo "alice-app: done"' >/dev/null 2>&1
  note "exit:alice:alice-app" "$(PA inspect -f '{{.State.ExitCode}}' alice-app)"
  # alice-root: container root (= alice on the host); deletes, replaces; running at the cut
  PA run -d --name alice-root --network none localhost/alice/tool:1 sh -c \
    'echo "alice-root: container root"; rm /etc/group; rm -rf /opt/app && mkdir /opt/app && echo replaced > /opt/app/new
     echo "by container root" > /root/r.txt; mkdir -p /var/log/app && echo log > /var/log/app/a.log && chown -R 1000:1000 /var/log/app
     echo "alice-root: idle" >&2; exec sleep 3600' >/dev/null
  sleep 1.5
}

step_bob() {
  log "step_bob: rootless store with the vfs driver"
  PB import -m 'bob: busybox rootfs' --change 'CMD ["/bin/sh"]' /tmp/csx-base-rootfs.tar localhost/bob/base:1 >/dev/null
  note image:bob:localhost/bob/base:1 "$(PB image inspect -f '{{.Id}}' localhost/bob/base:1)"
  PB run --name bob-vfs --network none localhost/bob/base:1 sh -c \
    'echo "bob-vfs: on vfs"; usleep 20000; echo "bob-vfs: on stderr" >&2; rm /etc/motd; rm -rf /opt/app && mkdir /opt/app && echo replaced > /opt/app/new
     echo "bob was here" > /root/bob.txt' >/dev/null 2>&1
  note "exit:bob:bob-vfs" "$(PB inspect -f '{{.State.ExitCode}}' bob-vfs)"
}

# ------------------------------------------------------------------------------------------
# The record: what podman itself says, before the cut. $1 = root|alice, $2 = podman command.
record_store() {
  local who=$1 pm=$2 d="$ENG/$1" id name ref
  log "record_store $who"
  mkdir -p "$d"/{diff,logs,export,history}
  $pm version --format json | jq . >"$d/version.json"
  $pm info --format json | jq . >"$d/info.json"
  $pm ps -a --format json | jq . >"$d/ps.json"
  $pm ps -a --external --format json | jq . >"$d/ps-external.json"
  # shellcheck disable=SC2046
  $pm container inspect $($pm ps -aq --no-trunc) | jq . >"$d/inspect-containers.json"
  $pm images -a --format json | jq . >"$d/images.json"
  # shellcheck disable=SC2046
  $pm image inspect $($pm images -aq --no-trunc) | jq . >"$d/inspect-images.json"
  for id in $($pm images -aq --no-trunc); do
    ref=$($pm image inspect -f '{{index .RepoTags 0}}' "$id" 2>/dev/null || true)
    if [ -n "$ref" ] && [ "$ref" != "<no value>" ]; then ref=$(printf '%s' "$ref" | tr '/:' '__'); else ref="untagged@${id#sha256:}"; fi
    $pm history --no-trunc --format json "$id" | jq . >"$d/history/$ref.json"
  done
  $pm pod ps --format json | jq . >"$d/pods.json"
  if [ -n "$($pm pod ps -q)" ]; then
    # shellcheck disable=SC2046
    $pm pod inspect $($pm pod ps -q --no-trunc) | jq . >"$d/pod-inspect.json"
  fi
  $pm volume ls --format json | jq . >"$d/volumes.json"
  if [ -n "$($pm volume ls -q)" ]; then $pm volume inspect --all | jq . >"$d/volume-inspect.json"; fi
  $pm events --stream=false --format json | jq -s . >"$d/events.json"
  for id in $($pm ps -aq --no-trunc); do
    name=$($pm inspect -f '{{.Name}}' "$id")
    echo "$id" >>"$SCRATCH/work/ids"
    $pm diff --format json "$id" | jq . >"$d/diff/$name.json"
    if [ "$($pm inspect -f '{{.HostConfig.LogConfig.Type}}' "$id")" != none ] &&
       [ "$($pm inspect -f '{{.State.StartedAt.IsZero}}' "$id")" = false ]; then
      $pm logs -t "$id" >"$d/logs/$name.stdout" 2>"$d/logs/$name.stderr"
    fi
    $pm export -o /tmp/csx-export.tar "$id"      # (to a file: alice cannot open root's pipe)
    python3 "$TOOLS/tar_manifest.py" container="$name" id="$id" command="podman export" \
      </tmp/csx-export.tar >"$d/export/$name.json"
    rm -f /tmp/csx-export.tar
  done
  for id in $($pm pod ps -q --no-trunc); do echo "$id" >>"$SCRATCH/work/ids"; done
}

copy_events_logs() { # the raw events files (tmpfs: lost at the cut)
  cp /run/libpod/events/events.log "$ENG/root/events.log"
  cp /run/user/$ALICE_UID/libpod/tmp/events/events.log "$ENG/alice/events.log"
  cp /run/user/$BOB_UID/libpod/tmp/events/events.log "$ENG/bob/events.log"
}

ondisk_userdata() { # $1 = who, $2 = graphroot [, $3 = driver]: every file under <driver>-containers/<id>/
  local d="$2/${3:-overlay}-containers" c
  for c in "$d"/*/; do
    c=${c%/}; c=${c##*/}
    (cd "$d/$c" && find . -mindepth 1 -printf '%P\t%y\t%s\t%m\t%U:%G\n' | LC_ALL=C sort) |
      jq -Rn --arg id "$c" '{id: $id, files: [inputs | split("\t") | {path: .[0], type: .[1], bytes: (.[2]|tonumber), mode: .[3], owner: .[4]}]}'
  done | jq -s . >"$ENG/$1/ondisk-userdata.json"
}

# ------------------------------------------------------------------------------------------
step_powercut() {
  local victims p
  log "step_powercut"
  # the running containers as podman saw them an instant before the cut
  # shellcheck disable=SC2046
  P container inspect $(P ps -q --no-trunc) | jq . >"$ENG/root/powercut-inspect-before-kill.json"
  # shellcheck disable=SC2046
  PA container inspect $(PA ps -q --no-trunc) | jq . >"$ENG/alice/powercut-inspect-before-kill.json"
  echo '[]' >"$ENG/bob/powercut-inspect-before-kill.json"
  # every process of the namespace but this shell (pid 1): conmon, the container processes,
  # exec sessions, fuse-overlayfs, alice's pause process
  victims=""
  for p in /proc/[0-9]*; do
    p=${p#/proc/}
    [ "$p" = 1 ] || [ "$p" = "$$" ] || [ "$p" = "$BASHPID" ] && continue
    [ -r "/proc/$p/cmdline" ] || continue
    victims="$victims $p"
    printf '%s\t%s\t%s\n' "$p" "$(stat -c %U "/proc/$p")" "$(tr '\0' ' ' <"/proc/$p/cmdline" | cut -c1-160)" >>"$SCRATCH/work/victims.tsv"
  done
  note powercut_at "$(date -u +%FT%T.%NZ)"
  note powercut_killed "$(awk -F'\t' '{split($3, a, " "); n=split(a[1], b, "/"); printf "%s%s(%s) ", "", b[n], $1}' "$SCRATCH/work/victims.tsv")"
  # shellcheck disable=SC2086
  kill -9 $victims 2>/dev/null || true
  sleep 1
  for p in $victims; do
    if [ -e "/proc/$p" ] && [ "$(awk '{print $3}' /proc/$p/stat 2>/dev/null)" != Z ]; then log "still alive: $p"; fi
  done
  note powercut_mounts_left "$(awk '{print $5}' /proc/self/mountinfo | grep -E '^/var/lib/containers/|^/home/(alice|bob)/' | sort | tr '\n' ' ')"
  local m
  for m in $(awk '{print $5}' /proc/self/mountinfo | grep -E '^/var/lib/containers/|^/home/(alice|bob)/' | awk '{print length($0) "\t" $0}' | sort -rn | cut -f2-); do
    umount "$m" 2>/dev/null || umount -l "$m"
  done
}

# ------------------------------------------------------------------------------------------
TARFLAGS=(--xattrs --xattrs-include='*' --numeric-owner --format=posix
          --pax-option=delete=atime,delete=ctime --sort=name)

step_pack() {
  local tb="$SCRATCH/stage/sysroot.tar.xz"
  log "step_pack -> sysroot.tar.xz"
  note unpacked_bytes "$(du -sb "$SYS" | cut -f1)"
  XZ_OPT=-9e tar "${TARFLAGS[@]}" \
    --exclude='./var/lib/containers/storage/overlay/*/merged/*' \
    --exclude='./home/alice/.local/share/containers/storage/overlay/*/merged/*' \
    -C "$SYS" -cJf "$tb" ./etc ./var/lib/containers ./home/alice ./home/bob
  note tarball_bytes "$(stat -c %s "$tb")"
  note tarball_sha256 "$(sha256sum "$tb" | cut -d' ' -f1)"
  note tarball_members "$(tar -tJf "$tb" | wc -l)"
}

# lowerdir list for a container, from the unpacked store: upper first, then its lower chain
layer_dirs() { # $1 = graphroot, $2 = container id -> "upper:lower1:lower2..."
  local g=$1 layer dirs l
  layer=$(jq -r --arg id "$2" '.[] | select(.id == $id) | .layer' "$g/overlay-containers/containers.json")
  dirs="$g/overlay/$layer/diff"
  if [ -f "$g/overlay/$layer/lower" ]; then
    for l in $(tr ':' ' ' <"$g/overlay/$layer/lower"); do dirs="$dirs:$g/overlay/$(readlink "$g/overlay/$l" | sed 's,^\.\./,,')"; done
  fi
  echo "$dirs"
}

step_verify() {
  local tb="$SCRATCH/stage/sysroot.tar.xz" x="$SCRATCH/verify" mnt="$SCRATCH/verify-mnt" ok=1
  local g ga gb id name dirs wo op whf
  log "step_verify: round trip of sysroot.tar.xz, read-only overlay mounts"
  rm -rf "$x"; mkdir -p "$x" "$mnt" "$ENG/root/overlay-mount" "$ENG/alice/overlay-mount" "$ENG/bob/tree"
  tar --xattrs --xattrs-include='*' --numeric-owner -C "$x" -xJf "$tb"
  g="$x/var/lib/containers/storage"; ga="$x/home/alice/.local/share/containers/storage"
  wo=$(find "$g/overlay" -type c -exec stat -c '%t:%T %n' {} + | grep -c '^0:0 ' || true)
  op=$(getfattr -R -h --absolute-names -n trusted.overlay.opaque "$g/overlay" 2>/dev/null | grep -c '^trusted.overlay.opaque="y"' || true)
  note verify_root_whiteouts_char00 "$wo"; note verify_root_opaque_dirs "$op"
  note verify_root_whiteout_paths "$(cd "$g/overlay" && find . -type c -exec stat -c '%t:%T %n' {} + | sed -n 's,^0:0 \./,,p' | LC_ALL=C sort | tr '\n' ' ')"
  note verify_root_opaque_paths "$(cd "$g/overlay" && getfattr -R -h -n trusted.overlay.opaque . 2>/dev/null | sed -n 's,^# file: ,,p' | LC_ALL=C sort | tr '\n' ' ')"
  [ "$wo" -gt 0 ] && [ "$op" -gt 0 ] || { log "verify: root store lacks whiteouts/opaque dirs"; ok=0; }
  whf=$(find "$ga/overlay" -name '.wh.*' | sed "s,^$ga/overlay/[^/]*/,," | LC_ALL=C sort | tr '\n' ' ')
  note verify_alice_wh_files "$whf"
  note verify_alice_whiteouts_char00 "$(find "$ga/overlay" -type c -exec stat -c '%t:%T %n' {} + | grep -c '^0:0 ' || true)"
  note verify_alice_fuse_opaque_xattrs "$(getfattr -R -h --absolute-names -n user.fuseoverlayfs.opaque "$ga/overlay" 2>/dev/null | grep -c '^user.fuseoverlayfs.opaque=' || true)"
  note verify_volatile_dirty "$(cd "$g/overlay" && find . -path '*/work/work/incompat/volatile/dirty' | sed 's,^\./,,' | tr '\n' ' ')"

  # rootful containers: the kernel's overlay, read-only, lowerdir = upper:lowers
  for id in $(jq -r '.[].id' "$g/overlay-containers/containers.json"); do
    name=$(jq -r --arg id "$id" '.[] | select(.id == $id) | .names[0]' "$g/overlay-containers/containers.json")
    dirs=$(layer_dirs "$g" "$id")
    mount -t overlay overlay -o "ro,lowerdir=$dirs" "$mnt"
    python3 "$TOOLS/tree_manifest.py" "$mnt" container="$name" id="$id" \
      command="mount -t overlay overlay -o ro,lowerdir=<container diff>:<lower chain> (kernel $(uname -r))" \
      >"$ENG/root/overlay-mount/$name.json"
    if [ "$name" = changes ]; then
      local doc group motd passwd dropper app
      doc=$(ls -A "$mnt/usr/share/doc" | tr '\n' ' '); app=$(ls -A "$mnt/opt/app" | tr '\n' ' ')
      group=$([ -e "$mnt/etc/group" ] && echo present || echo absent)
      motd=$([ -e "$mnt/etc/motd" ] && echo present || echo absent)
      passwd=$(grep -c '^mallory:' "$mnt/etc/passwd" || true)
      dropper=$(cmp -s "$mnt/tmp/dropper" "$BUSYBOX" && echo same-as-busybox || echo differs)
      note verify_mount_changes "/usr/share/doc=[${doc% }] /opt/app=[${app% }] /etc/group=$group /etc/motd=$motd mallory_lines=$passwd /tmp/dropper=$dropper"
      [ "$doc" = "new " ] && [ "$app" = "new " ] && [ "$group" = absent ] && [ "$motd" = absent ] && [ "$passwd" = 1 ] \
        || { log "verify: changes mount check failed"; ok=0; }
    fi
    umount "$mnt"
  done
  # alice: her layers are in fuse-overlayfs' format (.wh. files): mount them with fuse-overlayfs
  for id in $(jq -r '.[].id' "$ga/overlay-containers/containers.json"); do
    name=$(jq -r --arg id "$id" '.[] | select(.id == $id) | .names[0]' "$ga/overlay-containers/containers.json")
    dirs=$(layer_dirs "$ga" "$id")
    fuse-overlayfs -o "lowerdir=$dirs" "$mnt" 2>/dev/null   # (it warns about lazytime)
    python3 "$TOOLS/tree_manifest.py" "$mnt" container="$name" id="$id" \
      command="fuse-overlayfs -o lowerdir=<container diff>:<lower chain> ($(fuse-overlayfs --version 2>&1 | head -n1))" \
      >"$ENG/alice/overlay-mount/$name.json"
    if [ "$name" = alice-root ]; then
      local grp app motd
      grp=$([ -e "$mnt/etc/group" ] && echo present || echo absent)
      motd=$([ -e "$mnt/etc/motd" ] && echo present || echo absent)
      app=$(ls -A "$mnt/opt/app" | tr '\n' ' ')
      note verify_mount_alice_root "/etc/group=$grp /etc/motd=$motd /opt/app=[${app% }] /usr/share/doc=[$(ls -A "$mnt/usr/share/doc" | tr '\n' ' ' | sed 's/ $//')]"
      [ "$grp" = absent ] && [ "$motd" = absent ] && [ "$app" = "new " ] || { log "verify: alice-root mount check failed"; ok=0; }
    fi
    umount "$mnt"
  done
  # bob (vfs): a container's layer is a full copy; its tree is the merged view
  gb="$x/home/bob/.local/share/containers/storage"
  for id in $(jq -r '.[].id' "$gb/vfs-containers/containers.json"); do
    name=$(jq -r --arg id "$id" '.[] | select(.id == $id) | .names[0]' "$gb/vfs-containers/containers.json")
    python3 "$TOOLS/tree_manifest.py" "$gb/vfs/dir/$(jq -r --arg id "$id" '.[] | select(.id == $id) | .layer' "$gb/vfs-containers/containers.json")" \
      container="$name" id="$id" command="walk of vfs/dir/<container layer> (no mount: vfs layers are full copies)" \
      >"$ENG/bob/tree/$name.json"
  done
  note verify_bob_vfs_motd "$(f="$gb/vfs/dir/$(jq -r '.[0].layer' "$gb/vfs-containers/containers.json")/etc/motd"; [ -e "$f" ] && echo present || echo absent)"
  # bbolt dumps of the state databases as left on disk
  python3 "$TOOLS/bbolt_dump.py" "$g/libpod/bolt_state.db" >"$ENG/root/bolt_state.json"
  python3 "$TOOLS/bbolt_dump.py" "$ga/libpod/bolt_state.db" >"$ENG/alice/bolt_state.json"
  python3 "$TOOLS/bbolt_dump.py" "$gb/libpod/bolt_state.db" >"$ENG/bob/bolt_state.json"
  bolt_crosscheck "$g/libpod/bolt_state.db" "$ENG/root/bolt_state.json"
  bolt_crosscheck "$ga/libpod/bolt_state.db" "$ENG/alice/bolt_state.json"
  bolt_crosscheck "$gb/libpod/bolt_state.db" "$ENG/bob/bolt_state.json"
  [ "$ok" = 1 ] || die "round-trip verification failed"
  note verify ok
}

# The dumper's tree against one written with the bbolt library itself (if go + Debian's
# golang-github-coreos-bbolt-dev are installed): a check of the oracle, not committed output.
bolt_crosscheck() {
  local db=$1 json=$2 bin="$SCRATCH/work/bbolt-tree"
  if [ ! -x "$bin" ]; then
    if command -v go >/dev/null && [ -d /usr/share/gocode/src/go.etcd.io/bbolt ]; then
      (cd "$TOOLS/bbolt_tree_go" && GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="$SCRATCH/work/gocache" \
        go build -o "$bin" . ) || { note bolt_crosscheck "build failed"; return 0; }
    else
      note bolt_crosscheck "skipped (no go or bbolt sources)"; return 0
    fi
  fi
  "$bin" "$db" >"$SCRATCH/work/bolt-go.json"
  if python3 -c 'import json, sys
go = json.load(open(sys.argv[1])); py = json.load(open(sys.argv[2]))["tree"]
sys.exit(0 if go["entries"] == py["entries"] else 1)' "$SCRATCH/work/bolt-go.json" "$json"; then
    note "bolt_crosscheck:$(basename "$(dirname "$json")")" "same tree as go.etcd.io/bbolt"
  else
    note "bolt_crosscheck:$(basename "$(dirname "$json")")" "DIFFERS"; die "bbolt dumper disagrees with bbolt on $db"
  fi
}

# ------------------------------------------------------------------------------------------
# EMULATED: podman 4.3 writes only bolt_state.db. db.sql files are built from its values.
step_sqlite() {
  local x="$SCRATCH/verify" w="$SCRATCH/work/sqlite" g
  log "step_sqlite (emulated db.sql)"
  g="$x/var/lib/containers/storage"
  python3 "$TOOLS/bbolt_dump.py" "$SCRATCH/work/bolt-midrun.db" >"$SCRATCH/work/bolt-midrun.json"
  rm -rf "$w"; mkdir -p "$w/wal/var/lib/containers/storage/libpod"
  # 1. WAL mode, one committed transaction only in db.sql-wal (the writer is killed)
  python3 "$TOOLS/make_sqlite_state.py" --mode wal --final "$ENG/root/bolt_state.json" \
    --midrun "$SCRATCH/work/bolt-midrun.json" --wal-only-exit changes \
    --out "$w/wal/var/lib/containers/storage/libpod/db.sql" >"$ENG/sqlite/sqlite-wal.json"
  XZ_OPT=-9 tar "${TARFLAGS[@]}" -C "$w/wal" -cJf "$SCRATCH/stage/sqlite-wal.tar.xz" ./var
  # 2. a Podman 5 host: the same store, db.sql (rollback journal, podman's default since
  #    4.6) in the static dir instead of bolt_state.db.
  rm -f "$g/libpod/bolt_state.db"
  #    At the cut a `podman rm killed` was half done: db.sql-journal is a hot journal.
  python3 "$TOOLS/make_sqlite_state.py" --mode delete --hot-journal-rm killed \
    --final "$ENG/root/bolt_state.json" --out "$g/libpod/db.sql" >"$ENG/sqlite/podman5.json"
  XZ_OPT=-9e tar "${TARFLAGS[@]}" -C "$x" -cJf "$SCRATCH/stage/podman5.tar.xz" ./etc/containers ./var/lib/containers
  note podman5_tarball_bytes "$(stat -c %s "$SCRATCH/stage/podman5.tar.xz")"
  note sqlite_wal_tarball_bytes "$(stat -c %s "$SCRATCH/stage/sqlite-wal.tar.xz")"
}

write_scenario_json() { # the generator's notes + one summary per container, image, pod, volume
  jq -Rn '[inputs | split("\t") | {(.[0]): .[1]}] | add' <"$NOTES" >"$SCRATCH/work/notes.json"
  jq -n --slurpfile notes "$SCRATCH/work/notes.json" \
    --slurpfile rc "$ENG/root/inspect-containers.json" --slurpfile ac "$ENG/alice/inspect-containers.json" \
    --slurpfile bc "$ENG/bob/inspect-containers.json" --slurpfile bi "$ENG/bob/inspect-images.json" \
    --slurpfile rcut "$ENG/root/powercut-inspect-before-kill.json" --slurpfile acut "$ENG/alice/powercut-inspect-before-kill.json" \
    --slurpfile ri "$ENG/root/inspect-images.json" --slurpfile ai "$ENG/alice/inspect-images.json" \
    --slurpfile pods "$ENG/root/pod-inspect.json" --slurpfile vols "$ENG/root/volume-inspect.json" \
    --slurpfile does "$SCRATCH/work/does.json" --slurpfile crio "$ENG/root/crio-emulated.json" '
    def ctr(store; cut): {store: store, name: .Name, id: .Id, image: .ImageName, image_id: .Image,
        does: $does[0][.Name],
        state_at_record: .State.Status, running_at_cut: (.Id as $i | [cut[] | .Id] | index($i) != null),
        exit_code: .State.ExitCode, pid: .State.Pid, conmon_pid: .State.ConmonPid,
        created: .Created, started: .State.StartedAt, finished: .State.FinishedAt,
        user: .Config.User, log_driver: .HostConfig.LogConfig.Type, log_path: .HostConfig.LogConfig.Path,
        log_size_max: .HostConfig.LogConfig.Size, pod: .Pod, is_infra: .IsInfra, rm: .HostConfig.AutoRemove,
        upper_dir: .GraphDriver.Data.UpperDir, mounts: [.Mounts[] | {type: .Type, name: .Name, source: .Source, destination: .Destination}],
        exec_ids: .ExecIDs};
    $notes[0] + {
      containers: ([$rc[0][] | ctr("root"; $rcut[0])] + [$ac[0][] | ctr("alice"; $acut[0])] + [$bc[0][] | ctr("bob"; [])]),
      images: ([$ri[0][] | {store: "root", id: .Id, names: .RepoTags, names_history: .NamesHistory, layers: (.RootFS.Layers | length)}]
             + [$ai[0][] | {store: "alice", id: .Id, names: .RepoTags, names_history: .NamesHistory, layers: (.RootFS.Layers | length)}]
             + [$bi[0][] | {store: "bob", id: .Id, names: .RepoTags, names_history: .NamesHistory, layers: (.RootFS.Layers | length)}]),
      pods: [$pods[0] | if type == "array" then .[] else . end | {name: .Name, id: .Id, infra: .InfraContainerID, containers: [.Containers[] | .Name]}],
      volumes: [$vols[0][] | {name: .Name, mountpoint: .Mountpoint, labels: .Labels}],
      crio_emulated: {EMULATED: $crio[0].EMULATED, pod: $crio[0].pod,
        sandbox: ($crio[0].sandbox | {id, names, layer}), container: ($crio[0].container | {id, names, layer}),
        does: "sandbox: buildah from the podman-pause image (never run); container: buildah from csx/base:1, buildah run wrote /tmp/k8s.txt and deleted /etc/motd"}
    }' >"$ENG/scenario.json"
}

write_does_json() { # what each container did (scenario.json "does")
  cat >"$SCRATCH/work/does.json" <<'EOF'
{
 "changes": "k8s-file log on both streams (UTF-8, ANSI, a 20,000-byte line, tab/CR, last output without newline); copies busybox to /tmp/dropper (+ hard link), appends mallory to /etc/passwd, deletes /etc/group, replaces /usr/share/doc (contains only new), writes /root/.ssh/authorized_keys; exit 3",
 "ticker": "5 ticks to stdout and /tmp/ticks.log, 'ticker: idle' on stderr, then sleep; a finished exec wrote /root/exec1.txt, a detached exec wrote /root/exec2.txt and still ran at the cut; running at the cut",
 "dormant": "podman create only (label org.example.case=CSX-7, env APP_ENV=forensics); never started",
 "silent": "--log-driver none; printed one line per stream (kept nowhere); exit 0",
 "trunc": "--log-opt max-size=2k; 100 numbered lines per stream, conmon truncated ctr.log; exit 0",
 "vols": "-v appdata:/data (wrote secret.txt) and -v /home/alice/shared:/host (wrote from-rootful.txt into the host dir); exit 0",
 "webpod-app": "member of pod webpod; wrote /srv/www/index.html; running at the cut",
 "ghost": "--rm (volatile overlay); wrote /tmp/ghost.txt; running at the cut",
 "killed": "sleep, then podman kill (SIGKILL); exit 137",
 "renamed": "created as oldname, podman rename, then started; exit 0",
 "layers14": "ls -a / on the 14-layer image loaded from a Docker 18.09 archive; exit 0",
 "alice-app": "rootless (alice), --user 1000:1000: writes /home/app/notes.txt, /home/app/cache/c.txt, /tmp/alice-tmp.txt, deletes /home/app/.profile; exit 0",
 "alice-root": "rootless (alice), container root: deletes /etc/group, replaces /opt/app, writes /root/r.txt and /var/log/app/a.log (chown 1000); running at the cut",
 "bob-vfs": "rootless (bob), vfs driver: deletes /etc/motd, replaces /opt/app, writes /root/bob.txt, prints on both streams; exit 0"
}
EOF
}

inner() {
  ENG="$SCRATCH/stage/engine"
  mkdir -p "$ENG"/{root,alice,bob,sqlite}
  NOTES="$SCRATCH/work/notes.tsv"; : >"$NOTES"
  ns_setup
  write_containers_config
  note podman "$(podman --version)"
  note started "$(date -u +%FT%TZ)"
  note graphroot /var/lib/containers/storage
  note alice_graphroot /home/alice/.local/share/containers/storage
  note alice_uid "$ALICE_UID"
  note alice_subuid "$ALICE_SUB:$SUBN"
  note bob_graphroot /home/bob/.local/share/containers/storage
  note bob_uid "$BOB_UID"
  note bob_subuid "$BOB_SUB:$SUBN"
  step_base_rootfs
  step_root_images
  step_root_containers
  step_crio_emulated
  step_alice
  step_bob
  record_store root P
  record_store alice PA
  record_store bob PB
  copy_events_logs
  ondisk_userdata root /var/lib/containers/storage
  ondisk_userdata alice /home/alice/.local/share/containers/storage
  ondisk_userdata bob /home/bob/.local/share/containers/storage vfs
  note record_captured "$(date -u +%FT%TZ)"
  step_powercut
  step_pack
  step_verify
  step_sqlite
  note seconds "$(( $(date +%s) - T0 ))"
  write_does_json
  write_scenario_json
}

if [ "${1:-}" = __inner ]; then inner; else outer "$@"; fi
