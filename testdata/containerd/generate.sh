#!/usr/bin/env bash
# generate.sh — build csleuth's containerd fixtures with a REAL containerd (Debian 1.6.20).
#
# Usage:   sudo ./generate.sh [OUTDIR]        (OUTDIR defaults to this script's directory)
#
# Requires root (mount namespaces, overlay mounts, trusted.* xattrs) and: containerd + ctr
# 1.6, runc, containerd-shim-runc-v2, busybox-static (/bin/busybox), unshare (util-linux),
# GNU tar, xz, jq, getfattr (attr), Debian's python3 with python3-grpcio and python3-protobuf
# (PY, default /usr/bin/python3). No network: the images are built by tools/mkimage.py from
# the static busybox.
#
# Environment:
#   PY        python with grpc + protobuf (default /usr/bin/python3)
#   BUSYBOX   static busybox (default /bin/busybox)
#   NODE_TZ   the node's time zone, seen by containerd (default Asia/Kolkata, +05:30: the CRI
#             log time stamps are in local time)
#
# What it does:
#   1. tools/mkimage.py builds four image archives (OCI and docker-save) into scratch;
#   2. re-executes itself inside `unshare --mount --uts --propagation private`; there it
#      bind-mounts scratch directories over /var/lib, /var/log and /etc/containerd, mounts a
#      fresh tmpfs on /run and sets the hostname csx-node-1, so containerd records the real
#      host paths (/var/lib/containerd, /var/log/pods, ...) and nothing of the machine's own
#      is touched;
#   3. starts `containerd --config /etc/containerd/config.toml` (root /var/lib/containerd,
#      state /run/containerd, socket /run/containerd/containerd.sock), imports the images with
#      `ctr images import` into namespaces default, k8s.io, csx (native snapshotter) and moby;
#   4. runs the scenario (README.md): ctr containers in default and csx, a pod through the CRI
#      plugin's gRPC API (tools/cri_scenario.py stands in for the kubelet), Docker 29's
#      containerd-store layout in moby (tools/moby_scenario.py stands in for dockerd);
#   5. records what the live engine says into OUTDIR/engine/ (ctr listings and info, the CRI
#      answers, snapshot mounts, manifests of the kernel's read-only overlay mounts, exports,
#      logs), then cuts the power: kill -9 of containerd, the shims and the container
#      processes, by pid;
#   6. packs the node as OUTDIR/node.tar.xz (top dirs etc/ and var/), dumps the bbolt files
#      with tools/bbolt_dump.py, unpacks the tarball again and checks it (whiteouts, opaque
#      dirs, a kernel overlay mount of every overlayfs container = the manifest taken live).
# Re-runnable: replaces exactly OUTDIR/engine/, OUTDIR/node.tar.xz and
# OUTDIR/generate-summary.json. On exit it kills only what it started (by pid), its mount
# namespace goes away with its processes, it removes the cgroups its containers left and
# its scratch directory.
set -euo pipefail
shopt -s nullglob

SELF=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
SELF_DIR=$(dirname "$SELF")
TOOLS="$SELF_DIR/tools"
PY=${PY:-/usr/bin/python3}
BUSYBOX=${BUSYBOX:-/bin/busybox}
NODE_TZ=${NODE_TZ:-Asia/Kolkata}
NODE_NAME=csx-node-1

log() { printf '[generate %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# =========================================================================================
# Outer part: scratch, images, the private namespace, cgroup cleanup
# =========================================================================================
outer() {
  [ "$(id -u)" = 0 ] || die "must run as root"
  local t
  for t in containerd ctr runc containerd-shim-runc-v2 unshare tar xz jq getfattr findmnt mount umount sha256sum; do
    command -v "$t" >/dev/null || die "missing tool: $t"
  done
  "$PY" -c 'import grpc, google.protobuf' || die "$PY lacks grpc/protobuf (python3-grpcio, python3-protobuf)"
  [ -x "$BUSYBOX" ] || die "no busybox at $BUSYBOX"
  OUT=${1:-$SELF_DIR}
  mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
  SCRATCH=$(mktemp -d -t csx-ctrd.XXXXXX)
  export SCRATCH OUT PY BUSYBOX NODE_TZ TOOLS
  T0=$(date +%s)
  trap 'outer_cleanup' EXIT
  mkdir -p "$SCRATCH/img" "$SCRATCH/sys" "$SCRATCH/stage"
  log "images: tools/mkimage.py"
  "$PY" "$TOOLS/mkimage.py" "$SCRATCH/img" "$BUSYBOX"
  # cgroup dirs that exist before: ours are removed at the end only if they did not
  ls -d /sys/fs/cgroup/*/{default,k8s.io,csx,moby,docker,kubepods} 2>/dev/null | sort >"$SCRATCH/cgroups-before" || true
  log "entering a private mount+UTS namespace"
  unshare --mount --uts --propagation private "$SELF" --inner
  publish
  log "done in $(( $(date +%s) - T0 ))s"
}

outer_cleanup() {
  local rc=$? p
  set +e
  # anything of ours still alive (inner died early): the processes of our mount namespace
  # (containerd, shims) and their descendants (the containers), by pid
  if [ -s "$SCRATCH/mntns" ]; then
    local ns left=""
    ns=$(cat "$SCRATCH/mntns")
    for p in /proc/[0-9]*; do
      [ "$(readlink "$p/ns/mnt" 2>/dev/null)" = "$ns" ] && left="$left ${p#/proc/}"
    done
    # shellcheck disable=SC2086
    left="$left $(descendants $left)"
    if [ -n "${left// /}" ]; then log "cleanup: kill -9$left"; kill -9 $left 2>/dev/null; sleep 1; fi
  fi
  remove_cgroups
  if [ "$rc" = 0 ]; then rm -rf "$SCRATCH"; else log "FAILED (rc=$rc); scratch kept: $SCRATCH"; fi
  exit "$rc"
}

remove_cgroups() { # cgroups named after our containers / pod, then our namespace-level parents
  local ids="" c d
  [ -s "$SCRATCH/ids" ] && ids=$(sort -u "$SCRATCH/ids")
  for c in /sys/fs/cgroup/*/; do
    for d in $ids; do
      find "$c"default "$c"k8s.io "$c"csx "$c"moby "$c"docker "$c"kubepods -maxdepth 3 -type d -name "*$d*" 2>/dev/null | sort -r | while read -r x; do
        find "$x" -depth -type d -exec rmdir {} \; 2>/dev/null; done
    done
    for d in default k8s.io csx moby docker kubepods/besteffort kubepods; do
      [ -d "$c$d" ] || continue
      grep -qx "${c%/}/$d" "$SCRATCH/cgroups-before" 2>/dev/null && continue
      rmdir "$c$d" 2>/dev/null || true
    done
  done
}

publish() {
  local f
  for f in engine node.tar.xz; do
    rm -rf "${OUT:?}/$f"
    mv "$SCRATCH/stage/$f" "$OUT/$f"
  done
  jq -n --arg secs "$(( $(date +%s) - T0 ))" --arg date "$(date -u +%FT%TZ)" \
    --arg containerd "$(containerd --version)" --arg runc "$(runc --version | head -n1)" \
    --arg kernel "$(uname -r)" --arg tar "$(tar --version | head -n1)" --arg xz "$(xz --version | head -n1)" \
    --argjson files "$(cd "$OUT" && find engine node.tar.xz -type f -printf '%s\t%p\n' | sort -k2 | jq -Rn '[inputs | split("\t") | {path: .[1], bytes: (.[0]|tonumber)}]')" \
    '{generated: $date, total_seconds: ($secs|tonumber), containerd: $containerd, runc: $runc,
      kernel: $kernel, tar: $tar, xz: $xz, files: $files}' >"$OUT/generate-summary.json"
}

# =========================================================================================
# Inner part (private mount + UTS namespace)
# =========================================================================================
SYS=""; E=""; NOTES=""; CTRD_PID=""
SOCK=/run/containerd/containerd.sock
note() { printf '%s\t%s\n' "$1" "$2" >>"$NOTES"; }
remember_pid() { echo "$@" | tr ' ' '\n' | grep . >>"$SCRATCH/pids" || true; }
remember_id() { echo "$1" >>"$SCRATCH/ids"; }
c() { ctr --address "$SOCK" "$@"; }

setup_namespace() {
  SYS="$SCRATCH/sys"
  mkdir -p "$SYS/var/lib" "$SYS/var/log" "$SYS/etc/containerd"
  hostname "$NODE_NAME"
  readlink /proc/self/ns/mnt >"$SCRATCH/mntns"
  mount --bind "$SYS/var/lib" /var/lib
  mount --bind "$SYS/var/log" /var/log
  mount --bind "$SYS/etc/containerd" /etc/containerd
  mount -t tmpfs -o mode=0755 tmpfs /run
  E="$SCRATCH/stage/engine"
  mkdir -p "$E"
  NOTES="$SCRATCH/notes.tsv"; : >"$NOTES"
  note node_name "$NODE_NAME"
  note node_tz "$NODE_TZ"
}

write_config() {
  cat >/etc/containerd/config.toml <<'EOF'
# containerd 1.6 configuration of the csleuth fixture node (schema version 2).
version = 2
root = "/var/lib/containerd"
state = "/run/containerd"

[grpc]
  address = "/run/containerd/containerd.sock"

[plugins]
  [plugins."io.containerd.grpc.v1.cri"]
    sandbox_image = "csx.local/pause:1"
    max_container_log_line_size = 16384
    # the fixture machine has no AppArmor and may not lower oom_score_adj
    disable_apparmor = true
    restrict_oom_score_adj = true
    [plugins."io.containerd.grpc.v1.cri".containerd]
      snapshotter = "overlayfs"
      default_runtime_name = "runc"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
        runtime_type = "io.containerd.runc.v2"
    [plugins."io.containerd.grpc.v1.cri".cni]
      bin_dir = "/opt/cni/bin"
      conf_dir = "/etc/containerd/cni/net.d"
EOF
}

start_containerd() {
  log "containerd --config /etc/containerd/config.toml (TZ=$NODE_TZ)"
  TZ=$NODE_TZ containerd --config /etc/containerd/config.toml >"$SCRATCH/containerd.log" 2>&1 &
  CTRD_PID=$!
  remember_pid "$CTRD_PID"
  local i
  for i in $(seq 1 100); do [ -S "$SOCK" ] && c version >/dev/null 2>&1 && break; sleep 0.2; done
  c version >/dev/null || { tail -n 30 "$SCRATCH/containerd.log" >&2; die "containerd did not start"; }
  note containerd_started "$(date -u +%FT%T.%NZ)"
  note containerd_pid "$CTRD_PID"
}

step_images() {
  log "ctr images import (default, k8s.io, csx/native, moby)"
  local I="$SCRATCH/img"
  c -n default images import "$I/base.oci.tar" >/dev/null
  c -n default images import "$I/app.oci.tar" >/dev/null
  c -n k8s.io images import "$I/pause.docker.tar" >/dev/null
  c -n k8s.io images import "$I/app.oci.tar" >/dev/null
  c namespaces create csx csx.example/purpose=native-snapshotter
  c -n csx images import --snapshotter native "$I/base.oci.tar" >/dev/null
  c -n moby images import "$I/moby.oci.tar" >/dev/null
  sleep 1   # the CRI plugin adds its image records on the import events
  cp "$I/images.json" "$E/images-built.json"
}

# ---- namespace default: plain ctr containers ------------------------------------------------
EXIT3_SCRIPT='
echo "exit3: hello on stdout"
usleep 20000
echo "exit3: hello on stderr" >&2
usleep 20000
echo "mallory:x:0:0:backdoor:/root:/bin/sh" >> /etc/passwd
rm /etc/motd 2>/dev/null || rm /etc/app.conf
rm -rf /opt/app && mkdir /opt/app && echo replaced > /opt/app/replaced
mkdir -p /root/.ssh && echo "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForCsleuthFixtures attacker@example" > /root/.ssh/authorized_keys
cp /bin/busybox /tmp/dropper && ln /tmp/dropper /tmp/.dropper-hardlink
rm /srv/data/hello-hardlink.txt
printf "%020000d\n" 0 | tr 0 x
echo "exit3: failing with 3" >&2
printf "no trailing newline"
exit 3'
RUNNING_SCRIPT='
echo "running: up"
echo "written by the running container" > /tmp/running.txt
rm /usr/share/doc/x.txt
i=0; while [ $i -lt 20 ]; do i=$((i+1)); echo "tick $i"; echo "tick $i" >> /tmp/ticks.log; usleep 50000; done
echo "running: quiet" >&2
exec sleep 2147483647'

step_default() {
  log "namespace default: exit3 (runs, exits 3), running (-d, file:// log), created"
  mkdir -p "$E/logs/default"
  local rc=0
  c -n default run --label csx.role=exit3 --env SECRET_TOKEN=not-a-real-secret csx.local/app:1 exit3 \
    sh -c "$EXIT3_SCRIPT" >"$E/logs/default/exit3.stdout" 2>"$E/logs/default/exit3.stderr" || rc=$?
  note "exit:default/exit3" "$rc"
  mkdir -p /var/log/csx-ctr
  c -n default run -d --label csx.role=running --log-uri file:///var/log/csx-ctr/running.log \
    csx.local/app:1 running sh -c "$RUNNING_SCRIPT" >/dev/null
  c -n default containers create --label csx.role=created csx.local/base:1 created /bin/echo never runs
  remember_id exit3; remember_id running; remember_id created
}

step_csx() {
  log "namespace csx: native-exit0 on the native snapshotter"
  mkdir -p "$E/logs/csx"
  local rc=0
  c -n csx run --snapshotter native --label csx.role=native csx.local/base:1 native-exit0 sh -c '
echo "native: hello"; echo "native: stderr" >&2
echo "native snapshot file" > /root/hello.txt
rm /etc/motd; rm -rf /usr/share/doc/sub
exit 0' >"$E/logs/csx/native-exit0.stdout" 2>"$E/logs/csx/native-exit0.stderr" || rc=$?
  note "exit:csx/native-exit0" "$rc"
  remember_id native-exit0
}

step_cri() {
  log "namespace k8s.io: pod shop/web through the CRI API (kubelet stand-in)"
  TZ=$NODE_TZ "$PY" "$TOOLS/cri_scenario.py" run "$SOCK" "$SCRATCH/cri-state.json"
  local id; for id in $(jq -r '.sandbox_id, .containers[].id, .pod_uid' "$SCRATCH/cri-state.json"); do remember_id "$id"; done
}

step_moby() {
  log "namespace moby: Docker 29 containerd-store layout (dockerd stand-in)"
  "$PY" "$TOOLS/moby_scenario.py" run "$SOCK" "$SCRATCH/img/images.json" "$SCRATCH/moby-state.json" "$TOOLS"
  local id; for id in $(jq -r '.containers[].id' "$SCRATCH/moby-state.json"); do remember_id "$id"; done
}

# ---- the engine's record -----------------------------------------------------------------------
NSS="default k8s.io csx moby"

friendly_name() { # ns id -> the scenario's name (CRI: <ctr>-<attempt>, sandbox-<pod>; moby: docker name)
  case $1 in
    k8s.io) jq -r --arg id "$2" 'if .sandbox_id==$id then "sandbox-" + .pod_name else (.containers[] | select(.id==$id) | .name + "-" + (.attempt|tostring)) end' "$SCRATCH/cri-state.json" ;;
    moby) jq -r --arg id "$2" '.containers[] | select(.id==$id) | .name' "$SCRATCH/moby-state.json" ;;
    *) echo "$2" ;;
  esac
}

# The containers whose filesystem is recorded: ns, name, snapshotter, snapshot key.
container_table() {
  local ns id key snap name
  for ns in default k8s.io csx; do
    for id in $(c -n "$ns" containers ls -q); do
      key=$(c -n "$ns" containers info "$id" | jq -r '.SnapshotKey // ""')
      snap=$(c -n "$ns" containers info "$id" | jq -r '.Snapshotter // ""')
      name=$(friendly_name "$ns" "$id")
      printf '%s\t%s\t%s\t%s\t%s\n' "$ns" "$name" "$id" "${snap:-overlayfs}" "${key}"
    done
  done
  # Docker 29: the record (only while running) has no snapshot key; the RW layer is snapshot <id>
  jq -r '.containers[] | ["moby", .name, .id, "overlayfs", .id] | @tsv' "$SCRATCH/moby-state.json"
}

# ro mount of the merged view of a snapshot: overlay -> lowerdir=upper:lowers, bind -> ro bind
mount_ro() { # ns snapshotter key target -> echoes the mount options used
  local ns=$1 sn=$2 key=$3 tgt=$4
  "$PY" - "$SOCK" "$ns" "$sn" "$key" "$tgt" <<'PY'
import subprocess, sys, os
sys.path.insert(0, os.environ["TOOLS"])
from cxgrpc import Client
sock, ns, sn, key, tgt = sys.argv[1:]
m = Client(sock).call("containerd.services.snapshots.v1.Snapshots", "Mounts",
                      {"snapshotter": sn, "key": key}, namespace=ns).mounts[0]
opts = dict(o.split("=", 1) if "=" in o else (o, None) for o in m.options)
if m.type == "overlay":
    lower = opts["upperdir"] + ":" + opts["lowerdir"]
    o = "ro,lowerdir=" + lower
    subprocess.run(["mount", "-t", "overlay", "overlay", "-o", o, tgt], check=True)
elif m.type == "bind" and "lowerdir" not in opts:
    subprocess.run(["mount", "--bind", m.source, tgt], check=True)
    subprocess.run(["mount", "-o", "remount,bind,ro", tgt], check=True)
    o = "bind,ro " + m.source
else:
    raise SystemExit("unexpected mount %r" % m)
print(o)
PY
}

step_record() {
  log "record: ctr listings and info"
  local ns id r
  mkdir -p "$E/ctr"
  c version >"$E/ctr/version.txt"
  c namespaces ls >"$E/ctr/namespaces-ls.txt"
  c content ls >"$E/ctr/content-ls.txt"
  c plugins ls >"$E/ctr/plugins-ls.txt"
  for ns in $NSS; do
    mkdir -p "$E/ctr/$ns/containers-info" "$E/ctr/$ns/images-check" "$E/ctr/$ns/snapshots-info" "$E/ctr/$ns/snapshots-mounts"
    c -n "$ns" containers ls >"$E/ctr/$ns/containers-ls.txt"
    for id in $(c -n "$ns" containers ls -q); do
      c -n "$ns" containers info "$id" >"$E/ctr/$ns/containers-info/$id.json"
    done
    c -n "$ns" images ls >"$E/ctr/$ns/images-ls.txt"
    c -n "$ns" images check >"$E/ctr/$ns/images-check.txt" 2>&1 || true
    c -n "$ns" content ls >"$E/ctr/$ns/content-ls.txt"
    c -n "$ns" leases ls >"$E/ctr/$ns/leases-ls.txt"
    c -n "$ns" tasks ls >"$E/ctr/$ns/tasks-ls.txt"
    for r in overlayfs native; do
      c -n "$ns" snapshots --snapshotter "$r" ls >"$E/ctr/$ns/snapshots-$r-ls.txt" 2>/dev/null || true
      [ "$(wc -l <"$E/ctr/$ns/snapshots-$r-ls.txt")" -gt 1 ] || { rm -f "$E/ctr/$ns/snapshots-$r-ls.txt"; continue; }
      for id in $(tail -n +2 "$E/ctr/$ns/snapshots-$r-ls.txt" | awk '{print $1}'); do
        c -n "$ns" snapshots --snapshotter "$r" info "$id" >"$E/ctr/$ns/snapshots-info/$r--${id//:/_}.json"
        c -n "$ns" snapshots --snapshotter "$r" mounts /mnt/target "$id" >"$E/ctr/$ns/snapshots-mounts/$r--${id//:/_}.txt" 2>/dev/null || true
      done
    done
    find "$E/ctr/$ns" -type d -empty -delete
  done
  # lease resources (not shown by ctr 1.6): through the API
  "$PY" - "$SOCK" >"$E/ctr/leases-resources.json" <<'PY'
import json, os, sys
sys.path.insert(0, os.environ["TOOLS"])
from cxgrpc import Client
c = Client(sys.argv[1]); out = {}
for ns in ("default", "k8s.io", "csx", "moby"):
    ls = c.call("containerd.services.leases.v1.Leases", "List", {}, namespace=ns).leases
    out[ns] = [{"lease": c.to_dict(l), "resources": c.to_dict(c.call("containerd.services.leases.v1.Leases",
               "ListResources", {"id": l.id}, namespace=ns))["resources"]} for l in ls]
json.dump(out, sys.stdout, indent=1); print()
PY

  log "record: CRI API answers"
  "$PY" "$TOOLS/cri_scenario.py" record "$SOCK" "$SCRATCH/cri-state.json" "$E/cri"

  log "record: filesystems (kernel ro overlay mounts, exports, upper dirs)"
  mkdir -p "$E/fs/merged" "$E/fs/export" "$E/fs/upper" "$E/fs/mounts"
  local mnt="$SCRATCH/mnt" ns name id sn key o tag upper
  mkdir -p "$mnt"
  container_table >"$SCRATCH/containers.tsv"
  while IFS=$'\t' read -r ns name id sn key; do
    [ -n "$key" ] || continue
    tag="$ns--$name"
    "$PY" - "$SOCK" "$ns" "$sn" "$key" >"$E/fs/mounts/$tag.json" <<'PY'
import json, os, sys
sys.path.insert(0, os.environ["TOOLS"])
from cxgrpc import Client
sock, ns, sn, key = sys.argv[1:]
c = Client(sock)
r = c.call("containerd.services.snapshots.v1.Snapshots", "Mounts", {"snapshotter": sn, "key": key}, namespace=ns)
json.dump({"namespace": ns, "snapshotter": sn, "key": key, "mounts": c.to_dict(r)["mounts"]}, sys.stdout, indent=1); print()
PY
    o=$(mount_ro "$ns" "$sn" "$key" "$mnt")
    "$PY" "$TOOLS/fstools.py" manifest "$mnt" namespace="$ns" container="$name" id="$id" \
      snapshotter="$sn" snapshot_key="$key" mount="$o" \
      source="kernel read-only overlay (or ro bind) mount of the snapshot, walked with lstat" \
      >"$E/fs/merged/$tag.json"
    tar --xattrs --xattrs-include='*' --numeric-owner --sort=name -C "$mnt" -cf - . |
      "$PY" "$TOOLS/tar_manifest.py" namespace="$ns" container="$name" id="$id" \
        source="GNU tar --xattrs of the kernel ro mount (no engine export exists in containerd)" \
        >"$E/fs/export/$tag.json"
    umount "$mnt"
    upper=$(jq -r '.mounts[0] | if .type=="overlay" then (.options[]|select(startswith("upperdir="))|sub("upperdir=";"")) else .source end' "$E/fs/mounts/$tag.json")
    "$PY" "$TOOLS/fstools.py" manifest "$upper" namespace="$ns" container="$name" id="$id" dir="$upper" \
      source="the snapshot's own directory on the host (overlay upper: whiteouts and trusted.overlay.* visible)" \
      >"$E/fs/upper/$tag.json"
  done <"$SCRATCH/containers.tsv"
  cp "$SCRATCH/containers.tsv" "$E/fs/containers.tsv"

  log "record: Docker 29 (emulated inspect, diff computed with moby's ChangesDirs)"
  mkdir -p "$E/docker/diff"
  local mnt2="$SCRATCH/mnt2"; mkdir -p "$mnt2"
  for id in $(jq -r '.containers[].id' "$SCRATCH/moby-state.json"); do
    name=$(jq -r --arg id "$id" '.containers[] | select(.id==$id) | .name' "$SCRATCH/moby-state.json")
    mount_ro moby overlayfs "$id" "$mnt" >/dev/null
    # the parent view (<id>-init): a View snapshot would add a record; mount its dirs ro instead
    "$PY" - "$SOCK" "$id" "$mnt2" <<'PY'
import subprocess, sys, os
sys.path.insert(0, os.environ["TOOLS"])
from cxgrpc import Client
sock, cid, tgt = sys.argv[1:]
m = Client(sock).call("containerd.services.snapshots.v1.Snapshots", "Mounts",
                      {"snapshotter": "overlayfs", "key": cid}, namespace="moby").mounts[0]
opts = dict(o.split("=", 1) for o in m.options if "=" in o)
subprocess.run(["mount", "-t", "overlay", "overlay", "-o", "ro,lowerdir=" + opts["lowerdir"], tgt], check=True)
PY
    "$PY" "$TOOLS/fstools.py" changes "$mnt" "$mnt2" >"$E/docker/diff/$name.json"
    umount "$mnt" "$mnt2"
    # the init layer as the snapshotter keeps it: the fs dir of <id>-init (first lowerdir of <id>)
    local initfs; initfs=$(jq -r '.mounts[0].options[] | select(startswith("lowerdir=")) | sub("lowerdir=";"") | split(":")[0]' "$E/fs/mounts/moby--$name.json")
    "$PY" "$TOOLS/fstools.py" manifest "$initfs" namespace=moby container="$name" id="$id" snapshot_key="$id-init" dir="$initfs" \
      source="fs dir of the committed init snapshot <id>-init (moby initlayer.Setup replayed on the mounted snapshot)" \
      >"$E/fs/upper/moby--$name-init.json"
  done
  "$PY" "$TOOLS/moby_scenario.py" finish "$SCRATCH/moby-state.json" "$E/docker"
  jq '[.containers[] | {name, id, config_v2: .config, hostconfig, oci_spec: .spec}]' "$SCRATCH/moby-state.json" >"$E/docker/written.json"

  log "record: logs"
  mkdir -p "$E/logs/cri-raw" "$E/logs/cri" "$E/logs/ctr-file" "$E/logs/docker"
  (cd /var/log && find pods containers csx-ctr -mindepth 0 -printf '%p\t%y\t%m\t%s\t%l\n' | LC_ALL=C sort) >"$E/logs/var-log-listing.tsv"
  cp -a /var/log/pods "$E/logs/cri-raw/"
  cp -a /var/log/csx-ctr/running.log "$E/logs/ctr-file/running.log"
  for id in $(jq -r '.containers[].id' "$SCRATCH/moby-state.json"); do
    name=$(jq -r --arg id "$id" '.containers[] | select(.id==$id) | .name' "$SCRATCH/moby-state.json")
    [ -f "/var/lib/docker/containers/$id/$id-json.log" ] && cp "/var/lib/docker/containers/$id/$id-json.log" "$E/logs/docker/$name-json.log"
  done
  "$PY" "$TOOLS/crilog.py" "$SCRATCH/cri-state.json" "$E/logs/cri"
  note record_taken "$(date -u +%FT%T.%NZ)"
}

# ---- power cut ---------------------------------------------------------------------------------
descendants() { local p ch; for p in "$@"; do for ch in $(pgrep -P "$p" || true); do echo "$ch"; descendants "$ch"; done; done; }

our_shims() { # shims started by our containerd: same mount namespace as it, reparented
  local myns p
  myns=$(readlink "/proc/$CTRD_PID/ns/mnt")
  for p in $(pgrep -f '^/usr/bin/containerd-shim-runc-v2 ' || true); do
    [ "$(readlink "/proc/$p/ns/mnt" 2>/dev/null)" = "$myns" ] && echo "$p"
  done | sort -u
}

step_powercut() {
  local shims kids victims p i
  shims=$(our_shims | tr '\n' ' ')
  # shellcheck disable=SC2086
  kids=$(descendants $shims | sort -u | tr '\n' ' ')
  victims=$(echo "$kids $shims $CTRD_PID" | tr ' ' '\n' | grep . | sort -un | tr '\n' ' ')
  remember_pid $victims
  c -n default tasks ls >"$E/ctr/default/tasks-ls-at-cut.txt"
  c -n k8s.io tasks ls >"$E/ctr/k8s.io/tasks-ls-at-cut.txt"
  c -n moby tasks ls >"$E/ctr/moby/tasks-ls-at-cut.txt"
  log "power cut: kill -9 $victims"
  note powercut_at "$(date -u +%FT%T.%NZ)"
  note powercut_killed_pids "$victims"
  note powercut_shims "$shims"
  # shellcheck disable=SC2086
  kill -9 $victims 2>/dev/null || true
  for p in $victims; do for i in $(seq 1 40); do [ -e "/proc/$p" ] || break; sleep 0.1; done; done
  wait "$CTRD_PID" 2>/dev/null || true
  note powercut_mounts_left "$(findmnt -rn -o TARGET | grep -E '^/(var/lib|run)/' | grep -v -E '^/var/lib$' | sort | tr '\n' ' ')"
  # unmount what remains (rootfs mounts, shm of the sandbox), deepest first
  findmnt -rn -o TARGET | grep -E '^/(var/lib|var/log|run)/' | awk '{print length($0) "\t" $0}' | sort -rn | cut -f2- |
    while read -r m; do umount "$m" 2>/dev/null || umount -l "$m"; done
}

# ---- pack, dump, verify --------------------------------------------------------------------------
step_pack() {
  local tb="$SCRATCH/stage/node.tar.xz"
  log "pack -> node.tar.xz"
  (cd "$SYS" && find . -mindepth 1 -maxdepth 3 | LC_ALL=C sort) >"$SCRATCH/sys-top.txt"
  XZ_OPT=-9e tar --xattrs --xattrs-include='*' --numeric-owner --sparse --sort=name \
    -C "$SYS" -cJf "$tb" etc var
  note tarball_bytes "$(stat -c %s "$tb")"
  note tarball_sha256 "$(sha256sum "$tb" | cut -d' ' -f1)"
  note tarball_members "$(tar -tJf "$tb" | wc -l)"
  note unpacked_bytes "$(du -sb "$SYS" | cut -f1)"
  mkdir -p "$E/bbolt"
  "$PY" "$TOOLS/bbolt_dump.py" "$SYS/var/lib/containerd/io.containerd.metadata.v1.bolt/meta.db" --schema meta >"$E/bbolt/bbolt-dump-meta.db.json"
  "$PY" "$TOOLS/bbolt_dump.py" "$SYS/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/metadata.db" --schema snapshots >"$E/bbolt/bbolt-dump-overlayfs-metadata.db.json"
  "$PY" "$TOOLS/bbolt_dump.py" "$SYS/var/lib/containerd/io.containerd.snapshotter.v1.native/metadata.db" --schema snapshots >"$E/bbolt/bbolt-dump-native-metadata.db.json"
  (cd "$SYS" && find . -mindepth 1 -printf '%P\t%y\t%m\t%U:%G\t%s\t%l\n' | LC_ALL=C sort) >"$E/ondisk.tsv"
}

step_verify() {
  local tb="$SCRATCH/stage/node.tar.xz" x="$SCRATCH/verify" mnt="$SCRATCH/vmnt" ok=1 wo op ns name id sn key tag
  log "verify: unpack, whiteouts, opaque dirs, kernel mounts vs. the live manifests"
  rm -rf "$x"; mkdir -p "$x" "$mnt"
  tar --xattrs --xattrs-include='*' --numeric-owner -C "$x" -xJf "$tb"
  wo=$(find "$x/var/lib/containerd" -type c -exec stat -c '%t:%T' {} + | grep -c '^0:0$' || true)
  op=$(getfattr -R -h --absolute-names -n trusted.overlay.opaque "$x/var/lib/containerd" 2>/dev/null | grep -c '^trusted.overlay.opaque="y"' || true)
  note verify_whiteouts_char00 "$wo"; note verify_opaque_dirs "$op"
  [ "$wo" -gt 0 ] && [ "$op" -gt 0 ] || { log "verify: whiteouts=$wo opaque=$op"; ok=0; }
  local same=0 diff=0
  while IFS=$'\t' read -r ns name id sn key; do
    [ -n "$key" ] || continue
    tag="$ns--$name"
    local m; m=$(jq -r '.mounts[0] | if .type=="overlay" then "ro,lowerdir=" + ((.options[]|select(startswith("upperdir="))|sub("upperdir=";"")) + ":" + (.options[]|select(startswith("lowerdir="))|sub("lowerdir=";""))) else "BIND " + .source end' "$E/fs/mounts/$tag.json")
    m=${m//\/var\/lib\//$x\/var\/lib\/}
    if [ "${m#BIND }" != "$m" ]; then mount --bind "${m#BIND }" "$mnt"; mount -o remount,bind,ro "$mnt"
    else mount -t overlay overlay -o "$m" "$mnt"; fi
    "$PY" "$TOOLS/fstools.py" manifest "$mnt" >"$SCRATCH/v.json"
    umount "$mnt"
    if cmp -s <(jq -c '.entries[] | del(.nlink)' "$SCRATCH/v.json") <(jq -c '.entries[] | del(.nlink)' "$E/fs/merged/$tag.json"); then
      same=$((same + 1))
    else
      diff=$((diff + 1)); log "verify: $tag differs after the round trip"
      diff <(jq -c '.entries[] | del(.nlink)' "$SCRATCH/v.json") <(jq -c '.entries[] | del(.nlink)' "$E/fs/merged/$tag.json") | head -5 >&2 || true
    fi
  done <"$SCRATCH/containers.tsv"
  note verify_mounts_identical "$same"; note verify_mounts_different "$diff"
  rm -rf "$x"
  [ "$ok" = 1 ] || die "verification failed"
}

write_scenario() {
  "$PY" "$TOOLS/scenario.py" "$NOTES" "$SCRATCH/cri-state.json" "$SCRATCH/moby-state.json" \
    "$SCRATCH/img/images.json" "$E" >"$E/scenario.json"
}

inner() {
  setup_namespace
  write_config
  start_containerd
  step_images
  step_default
  step_csx
  step_cri
  step_moby
  sleep 1
  step_record
  step_powercut
  step_pack
  step_verify
  write_scenario
}

if [ "${1:-}" = --inner ]; then inner; else outer "$@"; fi
