#!/usr/bin/env bash
# generate.sh — build csleuth's Docker fixtures with a REAL Docker engine.
#
# Usage:   sudo ./generate.sh [OUTDIR]        (OUTDIR defaults to this script's directory)
#          sudo ./generate.sh logs [OUTDIR]   only the logs fixture: logs.tar.xz + engine-logs/
#
# Requires root (dockerd, mounts, mknod, trusted.* xattrs), and: dockerd + docker client
# (Debian docker.io 20.10), containerd, runc, busybox-static (/bin/busybox), GNU tar, xz,
# jq, curl, python3, getfattr (Debian package attr), findmnt/mount/umount.
#
# Environment:
#   CSX_SHARED   the project's shared folder (default: "$(dirname "$0")/../../../shared");
#                the 14-layer `docker save` archive is read from
#                $CSX_SHARED/realdata/image-archives/docker18-save-busybox-14layers.tar
#   DOCKER       docker client to use (default: the one on PATH whose version matches dockerd)
#   BUSYBOX      static busybox to build the base rootfs from (default: /bin/busybox)
#   CSX_SKIP_OVERLAY=1   skip the second (legacy `overlay` driver) scenario
#
# What it does (every step is a function below, named step_*):
#   1. builds a tiny busybox rootfs tarball and `docker import`s it as csx/base:1;
#   2. runs a private dockerd (overlay2) with its data root and exec root in mktemp dirs,
#      builds csx/app:1.0 (+ csx/app:latest) with the classic builder, loads the 14-layer
#      image, runs the containers of the scenario (see README.md), records what the engine
#      itself says into OUTDIR/engine/, then simulates a power cut (kill -9 of dockerd,
#      containerd, the shims and the container processes, by pid) and unmounts what is left;
#   3. packs the whole data root as OUTDIR/overlay2.tar.xz (top directory `docker/`) and
#      verifies the round trip (char 0/0 whiteouts, trusted.overlay.opaque, and a real
#      read-only overlay mount of the `changes` container);
#   4. does a smaller run with the legacy `overlay` driver (clean shutdown this time):
#      OUTDIR/engine-overlay/ and OUTDIR/overlay.tar.xz, verified the same way;
#   5. writes OUTDIR/generate-summary.json (timings, sizes, checksums).
# Re-runnable: it replaces exactly those outputs and leaves everything else in OUTDIR alone.
# On any exit it stops its own dockerd/containerd/shims (by pid), unmounts everything under
# its data and exec roots, and removes its scratch directories.
set -euo pipefail
shopt -s nullglob

SELF_DIR=$(cd "$(dirname "$0")" && pwd)
MODE=all
if [ "${1:-}" = logs ]; then MODE=logs; shift; fi
OUT=${1:-$SELF_DIR}
CSX_SHARED=${CSX_SHARED:-"$(dirname "$0")/../../../shared"}
ARCHIVE14="$CSX_SHARED/realdata/image-archives/docker18-save-busybox-14layers.tar"
BUSYBOX=${BUSYBOX:-/bin/busybox}

log() { printf '[generate %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root"
for t in dockerd containerd runc tar xz jq curl python3 getfattr findmnt mount umount sha256sum; do
  command -v "$t" >/dev/null || die "missing tool: $t"
done
[ -x "$BUSYBOX" ] || die "no busybox at $BUSYBOX (install busybox-static)"
[ "$MODE" = logs ] || [ -r "$ARCHIVE14" ] || die "cannot read $ARCHIVE14 (set CSX_SHARED)"
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

# The docker client: prefer the one that matches the daemon (20.10 talks API 1.41).
pick_docker_client() {
  local want c
  want=$(dockerd --version | sed -n 's/^Docker version \([0-9]*\.[0-9]*\)\..*/\1/p')
  for c in $(type -ap docker); do
    if "$c" --version 2>/dev/null | grep -q "version ${want}\."; then echo "$c"; return; fi
  done
  type -p docker || die "no docker client"
}
DOCKER=${DOCKER:-$(pick_docker_client)}
dk() { "$DOCKER" "$@"; }

# ----------------------------------------------------------------------------------------
# Scratch space and cleanup
# ----------------------------------------------------------------------------------------
SCRATCH=$(mktemp -d -t csx-gen.XXXXXX)
export DOCKER_CONFIG="$SCRATCH/client-config"   # keep the user's client config out of it
mkdir -p "$DOCKER_CONFIG"
STAGE="$SCRATCH/stage"                          # outputs are staged here, moved at the end
mkdir -p "$STAGE"
ALL_EXEC_ROOTS=()
RUN_DOCKER_EXISTED=0; [ -e /run/docker ] && RUN_DOCKER_EXISTED=1
RUN_CONTAINERD_EXISTED=0; [ -e /run/containerd ] && RUN_CONTAINERD_EXISTED=1
T0=$(date +%s)

DOCKERD_PID=""; CONTAINERD_PID=""; D=""; E=""; DRIVER=""; ROOTPARENT=""; NOTES=""

# Mount points at or below the given directories, deepest first.
mounts_under() {
  local d
  for d in "$@"; do
    [ -n "$d" ] || continue
    awk -v p="$d" '{ m=$5; gsub(/\\040/," ",m); if (m==p || index(m, p "/")==1) print m }' /proc/self/mountinfo
  done | awk '{ print length($0) "\t" $0 }' | sort -rn | cut -f2- | uniq
}

unmount_under() {
  local m left
  for _ in 1 2 3 4 5; do
    left=$(mounts_under "$@")
    [ -n "$left" ] || return 0
    while IFS= read -r m; do
      umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
    done <<<"$left"
  done
  left=$(mounts_under "$@")
  [ -z "$left" ] || { log "still mounted: $left"; return 1; }
}

alive() { # true if pid exists and is not a zombie
  local st
  st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
  [ -n "$st" ] && [ "$st" != Z ]
}

# Shims started by *our* containerd: their command line names our exec root.
our_shim_pids() {
  local p cl
  [ -n "$E" ] || return 0
  for p in /proc/[0-9]*; do
    cl=$(tr '\0' ' ' <"$p/cmdline" 2>/dev/null) || continue
    case "$cl" in *containerd-shim*" $E/"*) echo "${p#/proc/}" ;; esac
  done
}

descendants() { # all descendants of the given pids
  local p c
  for p in "$@"; do
    for c in $(pgrep -P "$p" || true); do echo "$c"; descendants "$c"; done
  done
}

# containerd 1.6 shim v2 sockets live in /run/containerd/s/<sha256(address/ns/id)>: not
# under our roots, so remove the ones our shims used when they cannot clean up themselves.
remove_shim_sockets() {
  local id h
  for id in "$@"; do
    h=$(printf '%s' "$E/containerd/containerd.sock/moby/$id" | sha256sum | cut -d' ' -f1)
    if [ -S "/run/containerd/s/$h" ]; then rm -f "/run/containerd/s/$h"; fi
  done
}

cleanup() {
  local rc=$? e
  set +e
  trap - EXIT INT TERM
  if [ -n "$DOCKERD_PID" ] && alive "$DOCKERD_PID"; then
    log "cleanup: stopping dockerd $DOCKERD_PID"
    stop_engine_graceful 20 || true
  fi
  for e in "${ALL_EXEC_ROOTS[@]}"; do
    E=$e
    local s; s=$(our_shim_pids); [ -z "$s" ] || kill -9 $s 2>/dev/null
  done
  [ -n "$CONTAINERD_PID" ] && alive "$CONTAINERD_PID" && kill -9 "$CONTAINERD_PID"
  if unmount_under "$SCRATCH" "${ALL_EXEC_ROOTS[@]}"; then
    rm -rf "$SCRATCH" "${ALL_EXEC_ROOTS[@]}"
  else
    log "cleanup: NOT removing $SCRATCH: mounts remain"
  fi
  # dockerd creates /run/docker/plugins even with another exec root.
  # dockerd creates /run/docker/plugins and the shims /run/containerd/s even with another
  # exec root: remove them if they were not there before and are empty now.
  if [ "$RUN_DOCKER_EXISTED" = 0 ]; then rmdir /run/docker/plugins /run/docker 2>/dev/null; fi
  if [ "$RUN_CONTAINERD_EXISTED" = 0 ]; then rmdir /run/containerd/s /run/containerd 2>/dev/null; fi
  [ "$rc" = 0 ] && log "done in $(( $(date +%s) - T0 ))s" || log "FAILED (rc=$rc)"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ----------------------------------------------------------------------------------------
# Engine control
# ----------------------------------------------------------------------------------------
note() { printf '%s\t%s\n' "$1" "$2" >>"$NOTES"; }   # scenario facts -> scenario.json

start_engine() { # $1 = storage driver
  DRIVER=$1
  ROOTPARENT="$SCRATCH/root-$DRIVER"
  D="$ROOTPARENT/docker"                         # the top directory of the tarball is `docker`
  mkdir -p "$D"
  E=$(mktemp -d /tmp/csx-e.XXXXXX)               # short: unix socket paths are limited
  ALL_EXEC_ROOTS+=("$E")
  NOTES="$SCRATCH/notes-$DRIVER.tsv"; : >"$NOTES"
  # Our own daemon.json, so the host's /etc/docker/daemon.json cannot leak in, and the
  # libtrust key goes to scratch instead of /etc/docker/key.json.
  printf '{ "deprecated-key-path": "%s" }\n' "$SCRATCH/key-$DRIVER.json" >"$SCRATCH/daemon-$DRIVER.json"
  log "starting dockerd ($DRIVER): data root $D, exec root $E"
  dockerd --config-file "$SCRATCH/daemon-$DRIVER.json" \
    --data-root "$D" --exec-root "$E" --pidfile "$E/docker.pid" \
    --bridge=none --iptables=false --ip-forward=false \
    --storage-driver="$DRIVER" -H "unix://$E/docker.sock" \
    >"$SCRATCH/dockerd-$DRIVER.log" 2>&1 &
  DOCKERD_PID=$!
  export DOCKER_HOST="unix://$E/docker.sock"
  local i
  for i in $(seq 1 120); do
    dk version >/dev/null 2>&1 && break
    alive "$DOCKERD_PID" || { tail -n 30 "$SCRATCH/dockerd-$DRIVER.log" >&2; return 1; }
    sleep 0.5
  done
  dk version >/dev/null || { tail -n 30 "$SCRATCH/dockerd-$DRIVER.log" >&2; return 1; }
  CONTAINERD_PID=$(pgrep -P "$DOCKERD_PID" -x containerd | head -n1 || true)
  note driver "$DRIVER"
  note data_root "$D"
  note exec_root "$E"
  note dockerd_started "$(date -u +%FT%TZ)"
  note docker_client "$(dk --version)"
  note dockerd "$(dockerd --version)"
  log "dockerd pid $DOCKERD_PID, containerd pid ${CONTAINERD_PID:-?}"
}

stop_engine_graceful() { # SIGTERM dockerd (it stops containers and containerd), wait
  local t=${1:-60} i
  kill -TERM "$DOCKERD_PID" 2>/dev/null || true
  for i in $(seq 1 $((t * 2))); do alive "$DOCKERD_PID" || break; sleep 0.5; done
  if alive "$DOCKERD_PID"; then kill -9 "$DOCKERD_PID" 2>/dev/null || true; fi
  wait "$DOCKERD_PID" 2>/dev/null || true
  for i in $(seq 1 20); do [ -n "$CONTAINERD_PID" ] && alive "$CONTAINERD_PID" || break; sleep 0.5; done
  [ -n "$CONTAINERD_PID" ] && alive "$CONTAINERD_PID" && kill -9 "$CONTAINERD_PID"
  local s; s=$(our_shim_pids); [ -z "$s" ] || kill -9 $s 2>/dev/null || true
  DOCKERD_PID=""
  unmount_under "$D" "$E"
}

# ----------------------------------------------------------------------------------------
# Shared helpers: API, names
# ----------------------------------------------------------------------------------------
api() { curl -sS --fail --unix-socket "$E/docker.sock" "http://localhost$1"; }
cid() { dk inspect -f '{{.Id}}' "$1"; }
iid() { dk image inspect -f '{{.Id}}' "$1"; }
refname() { printf '%s' "$1" | tr '/:' '__'; }

# The manifest writer used for `docker export` streams (and nothing else).
write_tar_manifest_tool() {
  cat >"$SCRATCH/tar-manifest.py" <<'PY'
"""Read a tar stream on stdin, print a JSON manifest of its members on stdout.
Names are given as text (invalid UTF-8 shown as \\xNN) and as hex of the raw bytes."""
import hashlib, json, sys, tarfile

class HashingReader:
    def __init__(self, f):
        self.f, self.h, self.n = f, hashlib.sha256(), 0
    def read(self, n=-1):
        b = self.f.read(n)
        self.h.update(b)
        self.n += len(b)
        return b

TYPES = {tarfile.REGTYPE: "file", tarfile.AREGTYPE: "file", tarfile.CONTTYPE: "file",
         tarfile.LNKTYPE: "hardlink", tarfile.SYMTYPE: "symlink", tarfile.CHRTYPE: "char",
         tarfile.BLKTYPE: "block", tarfile.DIRTYPE: "dir", tarfile.FIFOTYPE: "fifo",
         tarfile.GNUTYPE_SPARSE: "sparse"}

def raw(s):
    return s.encode("utf-8", "surrogateescape")

def text(b):
    return b.decode("utf-8", "backslashreplace")

def main():
    meta = dict(arg.split("=", 1) for arg in sys.argv[1:])
    src = HashingReader(sys.stdin.buffer)
    members = []
    with tarfile.open(fileobj=src, mode="r|", encoding="utf-8", errors="surrogateescape") as tf:
        for m in tf:
            name = raw(m.name)
            e = {"name": text(name), "name_hex": name.hex(),
                 "type": TYPES.get(m.type, "other"), "typeflag": m.type.decode("latin-1"),
                 "mode": m.mode, "mode_octal": "%04o" % m.mode,
                 "uid": m.uid, "gid": m.gid, "uname": m.uname, "gname": m.gname,
                 "size": m.size, "mtime": m.mtime}
            pax = dict(m.pax_headers)
            if "mtime" in pax:
                e["mtime_pax"] = pax["mtime"]
            if m.type in (tarfile.LNKTYPE, tarfile.SYMTYPE):
                ln = raw(m.linkname)
                e["linkname"] = text(ln)
                e["linkname_hex"] = ln.hex()
            if m.isreg():
                f = tf.extractfile(m)
                h = hashlib.sha256()
                for chunk in iter(lambda: f.read(65536), b""):
                    h.update(chunk)
                e["sha256"] = h.hexdigest()
            if m.ischr() or m.isblk():
                e["devmajor"], e["devminor"] = m.devmajor, m.devminor
            xattrs = {}
            for k, v in pax.items():
                if k.startswith("SCHILY.xattr."):
                    vb = raw(v)
                    xattrs[k[len("SCHILY.xattr."):]] = {"hex": vb.hex(), "text": text(vb)}
            if xattrs:
                e["xattrs"] = xattrs
            other = {k: text(raw(v)) for k, v in pax.items()
                     if not k.startswith("SCHILY.xattr.") and k not in ("path", "linkpath")}
            if other:
                e["pax"] = other
            e["format_hint"] = "pax" if pax else "ustar/gnu"
            members.append(e)
    rest = src.read()  # trailing zero blocks count in the stream checksum
    while rest:
        rest = src.read()
    meta.update({"tar_sha256": src.h.hexdigest(), "tar_size": src.n,
                 "member_count": len(members), "members": members})
    # one member per line: small, and diffs stay readable
    members = meta.pop("members")
    head = json.dumps(meta, ensure_ascii=True)[:-1]
    out = sys.stdout
    out.write(head + ', "members": [\n')
    out.write(",\n".join(json.dumps(e, ensure_ascii=True, sort_keys=False) for e in members))
    out.write("\n]}\n")

main()
PY
}

# ----------------------------------------------------------------------------------------
# Step: the base rootfs and image
# ----------------------------------------------------------------------------------------
APPLETS="sh ash ls cat echo rm rmdir mkdir touch ln mkfifo mknod dd chmod chown cp mv sleep seq
printf true false id head tail env wc sync date stat tr sort mount grep find pwd test [ uname
hostname readlink sha256sum cut kill ps xxd usleep"

step_make_base_rootfs() { # -> $SCRATCH/base-rootfs.tar
  local r="$SCRATCH/base-rootfs" a
  log "step_make_base_rootfs"
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
  tar --numeric-owner -C "$r" -cf "$SCRATCH/base-rootfs.tar" .
}

step_base_image() { # docker import -> csx/base:1
  log "step_base_image: docker import -> csx/base:1"
  dk import -m 'csleuth fixture base rootfs (busybox-static)' \
    --change 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin' --change 'CMD ["/bin/sh"]' \
    "$SCRATCH/base-rootfs.tar" csx/base:1 >/dev/null
  note image:csx/base:1 "$(iid csx/base:1)"
}

# ----------------------------------------------------------------------------------------
# Step: the app image (classic builder)
# ----------------------------------------------------------------------------------------
write_app_dockerfile() { # $1 = full|lite, $2 = context dir
  local ctx=$2
  mkdir -p "$ctx"
  echo 'copied into the image by COPY' >"$ctx/copied.txt"
  if [ "$1" = lite ]; then
    cat >"$ctx/Dockerfile" <<'EOF'
FROM csx/base:1
LABEL org.example.csx.role="app-lite"
RUN mkdir -p /srv/data && echo 'hello from layer' > /srv/data/hello.txt \
 && rm /etc/motd \
 && rm -rf /opt/app && mkdir /opt/app && echo new > /opt/app/new \
 && ln /srv/data/hello.txt /srv/data/hardlink && ln -s /etc/passwd /srv/passwd-link
CMD ["/bin/sh"]
EOF
    return
  fi
  cat >"$ctx/Dockerfile" <<'EOF'
FROM csx/base:1
# empty layers: metadata only
LABEL org.opencontainers.image.title="csx app fixture" org.example.csx.role="app"
ENV APP_HOME=/opt/app APP_MODE=fixture
WORKDIR /srv
# adds files
RUN mkdir -p /srv/data /srv/logs \
 && echo 'hello from layer' > /srv/data/hello.txt \
 && echo 'hidden' > /srv/data/.hidden \
 && seq 1 200 > /srv/data/numbers.txt
# deletes a lower file -> char 0/0 whiteout in this layer
RUN rm /etc/motd
# replaces a lower directory -> opaque directory in this layer
RUN rm -rf /opt/app && mkdir /opt/app && echo new > /opt/app/new
# hard links
RUN echo 'linked content' > /srv/data/orig && ln /srv/data/orig /srv/data/hardlink1 && ln /srv/data/orig /srv/hardlink2
# symbolic links: relative, absolute, dangling, upward escape, absolute to /etc/passwd, to a dir
RUN cd /srv && ln -s data/hello.txt rel-link && ln -s /srv/data/hello.txt abs-link \
 && ln -s /nonexistent/target dangling-link && ln -s ../../../../etc/shadow data/up-link \
 && ln -s /etc/passwd passwd-link && ln -s data dir-link
# odd file names
RUN mkdir /srv/odd && cd /srv/odd \
 && echo a > 'with space.txt' \
 && echo b > 'comma,and"quote.txt' \
 && echo c > "$(printf 'new\nline.txt')" \
 && echo d > "$(printf 'bad\377byte.txt')" \
 && echo e > "$(printf '\033[31mred.txt')" \
 && echo f > ./-leading-dash.txt \
 && echo g > 'ünïcødé-日本語-🐳.txt' \
 && echo h > "$(printf '%0196d' 0 | tr 0 L).txt"
# a FIFO and a sparse file (1 MiB hole)
RUN mkfifo /srv/fifo \
 && printf 'head\n' > /srv/sparse.bin \
 && dd if=/dev/zero of=/srv/sparse.bin bs=1024 seek=1024 count=0 2>/dev/null \
 && printf 'tail\n' >> /srv/sparse.bin
# device nodes, if the build container may mknod
RUN if mknod /srv/chardev-null c 1 3 && mknod /srv/blockdev-loop0 b 7 0; then echo CSX-MKNOD-OK; \
    else rm -f /srv/chardev-null; echo 'mknod failed during build' > /srv/mknod-failed.txt; echo CSX-MKNOD-FAILED; fi
# chmod only, on a lower file
RUN chmod 0600 /etc/app.conf
COPY copied.txt /srv/copied.txt
CMD ["/bin/sh"]
EOF
}

step_app_image() { # $1 = full|lite, $2 = tag
  local kind=$1 tag=$2 ctx="$SCRATCH/build-$1-$DRIVER"
  log "step_app_image ($kind): DOCKER_BUILDKIT=0 docker build -> $tag"
  write_app_dockerfile "$kind" "$ctx"
  DOCKER_BUILDKIT=0 dk build --rm -t "$tag" "$ctx" >"$SCRATCH/build-$kind-$DRIVER.log" 2>&1 \
    || { cat "$SCRATCH/build-$kind-$DRIVER.log" >&2; return 1; }
  cp "$ctx/Dockerfile" "$STAGE/$(engine_dirname)/Dockerfile.$kind"
  note "image:$tag" "$(iid "$tag")"
  if [ "$kind" = full ]; then
    if grep -q CSX-MKNOD-OK "$SCRATCH/build-$kind-$DRIVER.log"; then note mknod_in_build ok
    else note mknod_in_build failed; fi
  fi
}

step_load_14layers() {
  log "step_load_14layers: docker load < docker18-save-busybox-14layers.tar"
  dk load -i "$ARCHIVE14" >"$SCRATCH/load14.log"
  local ref; ref=$(sed -n 's/^Loaded image: //p' "$SCRATCH/load14.log" | head -n1)
  [ -n "$ref" ] || ref=$(sed -n 's/^Loaded image ID: //p' "$SCRATCH/load14.log" | head -n1)
  LAYERS14_REF=$ref
  note "image:$ref" "$(iid "$ref")"
}

# ----------------------------------------------------------------------------------------
# Step: containers
# ----------------------------------------------------------------------------------------
run_fg() { # run attached; output to scratch; returns the container's exit code
  local name=$1; shift
  local rc=0
  dk run --name "$name" --network none "$@" >"$SCRATCH/run-$name.out" 2>"$SCRATCH/run-$name.err" || rc=$?
  note "container:$name" "$(cid "$name")"
  note "exit:$name" "$rc"
  return 0
}

step_exit0() {
  log "container exit0"
  # stdout and stderr, ANSI escape + UTF-8, a 20000-byte line (json-file splits at 16 KiB),
  # and a last line without a newline.
  run_fg exit0 csx/base:1 sh -c '
    echo "exit0: hello on stdout"
    echo "exit0: hello on stderr" >&2
    printf "\033[1mbold\033[0m ünïcødé 🐳\n"
    printf "%020000d\n" 0 | tr 0 x
    printf "no trailing newline"
    exit 0'
}

step_exit3() {
  log "container exit3"
  run_fg exit3 csx/base:1 sh -c 'echo "exit3: about to fail"; echo "exit3: failing with 3" >&2; exit 3'
}

step_killed() {
  log "container killed"
  dk run -d --name killed --network none csx/base:1 sh -c 'echo "killed: sleeping"; exec sleep 3600' >/dev/null
  sleep 1
  dk kill killed >/dev/null
  note "container:killed" "$(cid killed)"
  note "exit:killed" "$(dk wait killed)"
}

CHANGES_SCRIPT='
set -e
cp /bin/busybox /tmp/dropper && chmod 0755 /tmp/dropper
ln /tmp/dropper /tmp/.dropper-hardlink
echo "mallory:x:0:0:backdoor:/root:/bin/sh" >> /etc/passwd
rm /etc/group
rm -rf /usr/share/doc && mkdir /usr/share/doc && touch /usr/share/doc/new
mkdir -p /root/.ssh && echo "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForCsleuthFixtures attacker@example" > /root/.ssh/authorized_keys
chmod 0700 /root/.ssh && chmod 0600 /root/.ssh/authorized_keys
printf "head\n" > /tmp/sparse-upper.bin && dd if=/dev/zero of=/tmp/sparse-upper.bin bs=1024 seek=1024 count=0 2>/dev/null && printf "tail\n" >> /tmp/sparse-upper.bin
echo "changes: done"
'
step_changes() { # $1 = image
  log "container changes (from $1)"
  run_fg changes "$1" sh -c "$CHANGES_SCRIPT"
}

step_created_only() { # $1 = image
  log "container created-only"
  dk create --name created-only --network none "$1" echo "never runs" >/dev/null
  note "container:created-only" "$(cid created-only)"
}

step_renamed() {
  log "container oldname -> renamed"
  dk create --name oldname --network none csx/base:1 sh -c 'echo "hello from the container created as oldname"' >/dev/null
  note "container_created_as:oldname" "$(cid oldname)"
  dk rename oldname renamed
  dk start -a renamed >"$SCRATCH/run-renamed.out" 2>&1
  note "container:renamed" "$(cid renamed)"
  note "exit:renamed" "$(dk inspect -f '{{.State.ExitCode}}' renamed)"
}

step_vols() {
  log "container vols"
  local host="$SCRATCH/hostdir"
  mkdir -p "$host"; echo 'a file on the host, bind-mounted read-only' >"$host/host-file.txt"
  local cmd='echo "volume payload" > /data/secret.txt; echo "anon payload" > /anon/a.txt
cat /hostdir/host-file.txt; (echo "tmpfs payload" > /scratch/t.txt) 2>/dev/null || true
grep -E " /(data|anon|hostdir|scratch) " /proc/mounts'
  if dk run --name vols --network none -v csxdata:/data -v /anon -v "$host:/hostdir:ro" \
       --mount type=tmpfs,destination=/scratch csx/base:1 sh -c "$cmd" \
       >"$SCRATCH/run-vols.out" 2>&1; then
    note tmpfs_mount ok
  else
    log "vols with tmpfs failed; retrying without it"; cat "$SCRATCH/run-vols.out" >&2
    dk rm -f vols >/dev/null 2>&1 || true
    dk run --name vols --network none -v csxdata:/data -v /anon -v "$host:/hostdir:ro" \
      csx/base:1 sh -c "$cmd" >"$SCRATCH/run-vols.out" 2>&1
    note tmpfs_mount failed
  fi
  note "container:vols" "$(cid vols)"
  note "exit:vols" "$(dk inspect -f '{{.State.ExitCode}}' vols)"
  note "bind_source:vols" "$host"
}

# 60 numbered lines on each stream; the short pause keeps the two streams interleaved in
# the log (without it the engine's two pipe readers may log one stream well before the other).
LOGLINES='i=1; while [ $i -le 60 ]; do echo "stdout line $i"; echo "stderr line $i" >&2; usleep 5000; i=$((i+1)); done'
step_logs_json() {
  log "container logs-json"
  run_fg logs-json --log-driver json-file --log-opt max-size=1k --log-opt max-file=3 \
    --log-opt compress=true csx/base:1 sh -c "$LOGLINES"
}

step_logs_local() {
  log "container logs-local"
  run_fg logs-local --log-driver local --log-opt max-size=1k --log-opt max-file=3 \
    csx/base:1 sh -c "$LOGLINES"
}

step_rich() {
  log "container rich (labels, env, restart policy, workdir, user, entrypoint+cmd, cap-add)"
  run_fg rich --hostname csx-rich \
    --label com.example.owner=alice --label com.example.case=CSX-42 \
    -e SECRET_TOKEN=not-a-real-secret -e APP_ENV=forensics \
    --restart on-failure:5 -w /opt/app -u 1000:1000 \
    --cap-add NET_ADMIN --cap-drop MKNOD \
    --entrypoint /bin/sh csx/app:1.0 -c 'id; pwd; echo "rich: done"'
}

step_layers14() {
  log "container layers14 (from $LAYERS14_REF)"
  run_fg layers14 "$LAYERS14_REF" sh -c 'ls -a /; echo "layers14: done"'
}

step_powercut_start() {
  log "container powercut (started; keeps running until the power cut)"
  dk run -d --name powercut --network none csx/base:1 sh -c '
    i=0; while :; do i=$((i+1)); echo "tick $i"; echo "tick $i $(date -u)" >> /tmp/ticks.log; sleep 1; done' >/dev/null
  note "container:powercut" "$(cid powercut)"
  sleep 3
}

# ----------------------------------------------------------------------------------------
# Step: the engine's own record
# ----------------------------------------------------------------------------------------
engine_dirname() {
  if [ "$MODE" = logs ]; then echo engine-logs; elif [ "$DRIVER" = overlay2 ]; then echo engine; else echo "engine-$DRIVER"; fi
}

step_capture_engine_record() {
  local out id name ref refs f
  out="$STAGE/$(engine_dirname)"
  log "step_capture_engine_record -> $(basename "$out")/"
  mkdir -p "$out"/{history,diff,logs,export}
  dk version --format '{{json .}}' | jq . >"$out/version.json"
  dk info --format '{{json .}}' | jq . >"$out/info.json"
  dk ps -a --no-trunc --format '{{json .}}' | jq -s . >"$out/ps.json"
  api '/containers/json?all=1' | jq . >"$out/containers-api.json"
  # shellcheck disable=SC2046
  dk inspect $(dk ps -aq --no-trunc) | jq . >"$out/inspect-containers.json"
  # shellcheck disable=SC2046
  dk image inspect $(dk images -aq --no-trunc | sort -u) | jq . >"$out/inspect-images.json"
  dk images -a --digests --no-trunc --format '{{json .}}' | jq -s . >"$out/images.json"
  api '/images/json?all=1' | jq . >"$out/images-api.json"
  api '/volumes' | jq . >"$out/volumes-api.json"

  # history: raw API answer (<ref>.json) and CLI lines (<ref>.cli.json), for every image
  for id in $(dk images -aq --no-trunc | sort -u); do
    refs=$(dk image inspect -f '{{range .RepoTags}}{{println .}}{{end}}' "$id")
    [ -n "$refs" ] || refs="untagged@${id#sha256:}"
    while IFS= read -r ref; do
      [ -n "$ref" ] || continue
      f="$out/history/$(refname "$ref")"
      api "/images/$id/history" | jq . >"$f.json"
      dk history --no-trunc --format '{{json .}}' "$id" | jq -s . >"$f.cli.json"
    done <<<"$refs"
  done

  for id in $(dk ps -aq --no-trunc); do
    name=$(dk inspect -f '{{.Name}}' "$id"); name=${name#/}
    api "/containers/$id/changes" | jq . >"$out/diff/$name.json"
    if [ "$(dk inspect -f '{{.State.StartedAt}}' "$id")" != "0001-01-01T00:00:00Z" ]; then
      dk logs -t "$id" >"$out/logs/$name.stdout" 2>"$out/logs/$name.stderr"
    fi
    dk export "$id" | python3 "$SCRATCH/tar-manifest.py" "container=$name" "id=$id" \
      >"$out/export/$name.json"
    # what the engine keeps on disk for this container (log rotation names, etc.)
    (cd "$D/containers/$id" && find . -mindepth 1 -printf '%P\t%y\t%s\n' | LC_ALL=C sort) |
      jq -Rn --arg name "$name" --arg id "$id" \
        '{container: $name, id: $id, files: [inputs | split("\t") | {path: .[0], type: .[1], bytes: (.[2]|tonumber)}]}'
  done | jq -s . >"$out/ondisk.json"
  note record_captured "$(date -u +%FT%TZ)"
}

# ----------------------------------------------------------------------------------------
# Step: power cut and clean shutdown
# ----------------------------------------------------------------------------------------
step_powercut() {
  local ids cpids shims victims
  ids=$(dk ps -q --no-trunc)
  cpids=$(for i in $ids; do dk inspect -f '{{.State.Pid}}' "$i"; done)
  shims=$(our_shim_pids)
  # shellcheck disable=SC2086
  victims="$(descendants $shims | sort -u) $cpids $shims $CONTAINERD_PID $DOCKERD_PID"
  victims=$(echo $victims | tr ' ' '\n' | sort -un | tr '\n' ' ')
  log "step_powercut: kill -9 $victims (containers: $(echo $ids | cut -c1-12))"
  # the running containers as the engine saw them an instant before the cut
  # shellcheck disable=SC2086
  dk inspect $ids | jq . >"$STAGE/$(engine_dirname)/powercut-inspect-before-kill.json"
  note powercut_at "$(date -u +%FT%T.%NZ)"
  note powercut_killed_pids "$victims"
  # shellcheck disable=SC2086
  kill -9 $victims 2>/dev/null || true
  wait "$DOCKERD_PID" 2>/dev/null || true
  local p i
  for p in $victims; do for i in $(seq 1 20); do alive "$p" || break; sleep 0.25; done; done
  DOCKERD_PID=""
  # shellcheck disable=SC2086
  remove_shim_sockets $ids
  note powercut_mounts_left "$(mounts_under "$D" "$E" | sed -e "s,^$D\(/\|$\),<data-root>\1," -e "s,^$E\(/\|$\),<exec-root>\1," | sort | tr '\n' ' ')"
  unmount_under "$D" "$E"
}

step_stop_engine() {
  log "step_stop_engine: clean shutdown of dockerd $DOCKERD_PID"
  note shutdown "clean (SIGTERM) at $(date -u +%FT%TZ)"
  stop_engine_graceful 60
}

# ----------------------------------------------------------------------------------------
# Step: pack and verify the evidence
# ----------------------------------------------------------------------------------------
step_pack() { # -> $STAGE/$DRIVER.tar.xz
  local tb="$STAGE/$DRIVER.tar.xz"
  log "step_pack: $D -> $(basename "$tb")"
  note unpacked_bytes "$(du -sb "$D" | cut -f1)"
  XZ_OPT=-9 tar --xattrs --xattrs-include='*' --numeric-owner --sparse --sort=name \
    --exclude='docker/tmp/*' --exclude='docker/runtimes/*' \
    --exclude="docker/$DRIVER/*/merged/*" \
    -C "$ROOTPARENT" -cJf "$tb" docker
  note tarball_bytes "$(stat -c %s "$tb")"
  note tarball_sha256 "$(sha256sum "$tb" | cut -d' ' -f1)"
  note tarball_members "$(tar -tJf "$tb" | wc -l)"
}

step_verify() {
  local tb="$STAGE/$DRIVER.tar.xz" x="$SCRATCH/verify-$DRIVER" mnt="$SCRATCH/verify-mnt-$DRIVER"
  local r c mid upper lowers l ok=1
  log "step_verify: round trip of $(basename "$tb")"
  rm -rf "$x"; mkdir -p "$x" "$mnt"
  tar --xattrs --xattrs-include='*' --numeric-owner -C "$x" -xJf "$tb"
  r="$x/docker"
  local wo; wo=$(find "$r/$DRIVER" -type c -exec stat -c '%t:%T %n' {} + | grep -c '^0:0 ' || true)
  local op; op=$(getfattr -R -h --absolute-names -n trusted.overlay.opaque "$r/$DRIVER" 2>/dev/null | grep -c '^trusted.overlay.opaque="y"' || true)
  note verify_whiteouts_char00 "$wo"
  note verify_opaque_dirs "$op"
  [ "$wo" -gt 0 ] || { log "verify: no char 0/0 whiteout"; ok=0; }
  [ "$op" -gt 0 ] || { log "verify: no trusted.overlay.opaque"; ok=0; }

  c=$(awk -F'\t' '$1=="container:changes"{print $2}' "$NOTES")
  mid=$(cat "$r/image/$DRIVER/layerdb/mounts/$c/mount-id")
  if [ "$DRIVER" = overlay2 ]; then
    upper="$r/overlay2/$mid/diff"
    lowers=""
    for l in $(tr ':' ' ' <"$r/overlay2/$mid/lower"); do lowers="$lowers:$r/overlay2/$l"; done
  else
    upper="$r/overlay/$mid/upper"
    lowers=":$r/overlay/$(cat "$r/overlay/$mid/lower-id")/root"
  fi
  note verify_changes_wh_etc_group "$(stat -c '%F %t:%T' "$upper/etc/group")"
  note verify_changes_opaque_doc "$(getfattr -h --only-values -n trusted.overlay.opaque "$upper/usr/share/doc" 2>/dev/null || echo none)"
  note verify_sparse_upper "$(stat -c '%s bytes, %b blocks of %B' "$upper/tmp/sparse-upper.bin")"
  mount -t overlay overlay -o "ro,lowerdir=$upper$lowers" "$mnt"
  local doc group passwd dropper motd
  doc=$(ls -A "$mnt/usr/share/doc" | tr '\n' ' ')
  group=$([ -e "$mnt/etc/group" ] && echo present || echo absent)
  motd=$([ -e "$mnt/etc/motd" ] && echo present || echo absent)
  passwd=$(grep -c '^mallory:' "$mnt/etc/passwd" || true)
  dropper=$(cmp -s "$mnt/tmp/dropper" "$BUSYBOX" && echo same-as-busybox || echo differs)
  umount "$mnt"
  note verify_mount "ro overlay of changes: /usr/share/doc=[${doc% }] /etc/group=$group /etc/motd=$motd mallory_lines=$passwd /tmp/dropper=$dropper"
  [ "$doc" = "new " ] && [ "$group" = absent ] && [ "$motd" = absent ] && [ "$passwd" = 1 ] \
    || { log "verify: mount check failed: doc=[$doc] group=$group motd=$motd passwd=$passwd"; ok=0; }
  rm -rf "$x" "$mnt"
  [ "$ok" = 1 ] || die "round-trip verification failed for $DRIVER"
  note verify ok
}

write_scenario_json() { # notes -> engine record's scenario.json
  jq -Rn '[inputs | split("\t") | {(.[0]): .[1]}] | add' <"$NOTES" >"$STAGE/$(engine_dirname)/scenario.json"
}

# ----------------------------------------------------------------------------------------
# Scenarios
# ----------------------------------------------------------------------------------------
scenario_overlay2() {
  local t; t=$(date +%s)
  start_engine overlay2
  mkdir -p "$STAGE/engine"
  step_base_image
  step_app_image full csx/app:1.0
  dk tag csx/app:1.0 csx/app:latest
  step_load_14layers
  step_exit0
  step_exit3
  step_killed
  step_changes csx/app:1.0
  step_created_only csx/app:1.0
  step_renamed
  step_vols
  step_logs_json
  step_logs_local
  step_rich
  step_layers14
  step_powercut_start
  sleep 2                                   # let json-file finish compressing rotated logs
  step_capture_engine_record
  step_powercut
  step_pack
  step_verify
  note seconds "$(( $(date +%s) - t ))"
  write_scenario_json
}

scenario_overlay() {
  local t; t=$(date +%s)
  if ! start_engine overlay; then
    log "dockerd refused --storage-driver=overlay; skipping"
    echo '{"skipped": "dockerd refused --storage-driver=overlay"}' >"$SCRATCH/overlay-skipped.json"
    return 0
  fi
  mkdir -p "$STAGE/engine-overlay"
  step_base_image
  step_app_image lite csx/app-lite:1
  step_changes csx/app-lite:1
  step_created_only csx/app-lite:1
  step_capture_engine_record
  step_stop_engine
  step_pack
  step_verify
  note seconds "$(( $(date +%s) - t ))"
  write_scenario_json
}

publish() { # move staged outputs into OUT, replacing previous ones
  local f
  for f in engine engine-overlay overlay2.tar.xz overlay.tar.xz; do
    rm -rf "${OUT:?}/$f"
    [ -e "$STAGE/$f" ] && mv "$STAGE/$f" "$OUT/$f"
  done
  jq -n --arg secs "$(( $(date +%s) - T0 ))" --arg date "$(date -u +%FT%TZ)" \
    --arg dockerd "$(dockerd --version)" --arg client "$(dk --version)" \
    --arg kernel "$(uname -r)" --arg tar "$(tar --version | head -n1)" \
    --arg xz "$(xz --version | head -n1)" \
    --argjson files "$(cd "$OUT" && find engine engine-overlay overlay2.tar.xz overlay.tar.xz -type f -printf '%s\t%p\n' 2>/dev/null | sort -k2 | jq -Rn '[inputs | split("\t") | {path: .[1], bytes: (.[0]|tonumber)}]')" \
    '{generated: $date, total_seconds: ($secs|tonumber), dockerd: $dockerd, client: $client,
      kernel: $kernel, tar: $tar, xz: $xz, files: $files}' >"$OUT/generate-summary.json"
}

# ----------------------------------------------------------------------------------------
# The logs fixture (./generate.sh logs): logs.tar.xz + engine-logs/
# ----------------------------------------------------------------------------------------
# Everything a container can throw at a log driver, written in a fixed order. The short
# pauses keep the engine's two pipe readers (stdout, stderr) in the order written.
LOG_PAYLOAD='
p() { usleep 20000; }
echo "plain stdout line"; p
echo "plain stderr line" >&2; p
printf "\033[31mred\033[0m \033[1mbold\033[0m \033]0;title\007 ansi\n"; p
printf "carriage\rreturn, then CRLF\r\n"; p
printf "progress 10%%\rprogress 50%%\rprogress 100%%\n"; p
printf "tab\there; json specials: \" \\\\ / <b> & \n"; p
printf "utf-8: \303\274n\303\257c\303\270d\303\251 \346\227\245\346\234\254 \360\237\220\263 [\342\200\250] [\342\200\251]\n"; p
printf "invalid utf-8: [\377\376] [\300\257] [\355\240\200] [\360\237\220] end\n"; p
printf "controls: [\000] [\001] [\007] [\010] [\033] [\177] [\302\205]\n"; p
printf "stderr with \033[33mansi\033[0m and \377 invalid\n" >&2; p
printf "%020000d\n" 0 | tr 0 x; p
printf "%016383d\342\202\254 euro straddles 16 KiB\n" 0 | tr 0 y; p
printf "%01500000d" 0 | tr 0 z; echo " <- 1.5 MB line"; p
printf "stderr long: %017000d\n" 0 | tr 0 e >&2; p
i=0; while [ $i -lt 256 ]; do printf "\\$(printf %o $i)"; i=$((i+1)); done; p
printf "\nall 256 byte values above\n"; p
printf "last stderr line, no newline" >&2; p
printf "last stdout line, no newline"'

# Numbered lines on both streams, enough to rotate several times.
LOG_LINES='i=1; while [ $i -le 150 ]; do echo "stdout line $i of 150"; echo "stderr line $i of 150" >&2; usleep 3000; i=$((i+1)); done'

step_logs_scenario_containers() {
  log "logs: containers"
  run_fg json-rich --log-driver json-file csx/base:1 sh -c "$LOG_PAYLOAD"
  run_fg local-rich --log-driver local csx/base:1 sh -c "$LOG_PAYLOAD"
  run_fg json-rotate --log-driver json-file --log-opt max-size=2k --log-opt max-file=3 \
    --log-opt compress=true csx/base:1 sh -c "$LOG_LINES"
  run_fg json-plainrot --log-driver json-file --log-opt max-size=2k --log-opt max-file=4 \
    csx/base:1 sh -c "$LOG_LINES"
  run_fg local-rotate --log-driver local --log-opt max-size=2k --log-opt max-file=3 \
    csx/base:1 sh -c "$LOG_LINES"
  run_fg local-plainrot --log-driver local --log-opt max-size=2k --log-opt max-file=4 \
    --log-opt compress=false csx/base:1 sh -c "$LOG_LINES"
  # labels and environment named in log-opts: json-file then writes "attrs" on every line
  run_fg json-attrs --log-driver json-file --label com.example.case=CSX-7 -e APP_ENV=forensics \
    --log-opt labels=com.example.case --log-opt env=APP_ENV csx/base:1 \
    sh -c 'echo "attrs stdout"; usleep 20000; echo "attrs stderr" >&2'
  # a remote driver: `docker logs` then reads the dual-logging cache (local format). The
  # engine caches a message only after the remote driver took it, so something must listen
  # (a UDP sink that exits by itself after 20 s of silence).
  local port
  exec {sink}< <(exec python3 -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); s.settimeout(20)
print(s.getsockname()[1], flush=True)
try:
    while s.recv(65536): pass
except socket.timeout: pass')
  read -r port <&"$sink"
  run_fg cached --log-driver gelf --log-opt "gelf-address=udp://127.0.0.1:$port" \
    csx/base:1 sh -c 'echo "cached stdout line"; usleep 20000; echo "cached stderr line" >&2'
  exec {sink}<&-
  # a terminal: the engine sees one stream, with CR LF line ends
  log "container tty"
  dk run -d -t --name tty --network none csx/base:1 sh -c \
    'echo "tty line 1"; printf "tty \033[32mgreen\033[0m\n"; usleep 20000; echo "tty to stderr" >&2' >/dev/null
  note "container:tty" "$(cid tty)"
  note "exit:tty" "$(dk wait tty)"
  # running when the power is cut (quiet by then, so that the record stays exact)
  log "containers json-powercut, local-powercut"
  local w='i=0; while [ $i -lt 300 ]; do i=$((i+1)); echo "tick $i"; printf "%0200d\n" $i; echo "tock $i" >&2; usleep 1000; done; exec sleep 3600'
  dk run -d --name json-powercut --network none --log-driver json-file --log-opt max-size=10k \
    --log-opt max-file=3 --log-opt compress=true csx/base:1 sh -c "$w" >/dev/null
  dk run -d --name local-powercut --network none --log-driver local --log-opt max-size=10k \
    --log-opt max-file=3 csx/base:1 sh -c "$w" >/dev/null
  note "container:json-powercut" "$(cid json-powercut)"
  note "container:local-powercut" "$(cid local-powercut)"
  sleep 3
}

# `docker logs` as the engine prints it, several ways, for every container.
step_capture_logs_record() {
  local out="$STAGE/engine-logs" id name t1 t2
  log "step_capture_logs_record -> engine-logs/"
  mkdir -p "$out/logs"
  dk version --format '{{json .}}' | jq . >"$out/version.json"
  # shellcheck disable=SC2046
  dk inspect $(dk ps -aq --no-trunc) | jq . >"$out/inspect-containers.json"
  for id in $(dk ps -aq --no-trunc); do
    name=$(dk inspect -f '{{.Name}}' "$id"); name=${name#/}
    dk logs -t "$id" >"$out/logs/$name.stdout" 2>"$out/logs/$name.stderr"
    dk logs "$id" >"$out/logs/$name.plain.stdout" 2>"$out/logs/$name.plain.stderr"
    dk logs -t --tail 7 "$id" >"$out/logs/$name.tail7.stdout" 2>"$out/logs/$name.tail7.stderr"
    # a time window: from the 3rd to the 9th record docker printed (both streams)
    t1=$(cat "$out/logs/$name.stdout" "$out/logs/$name.stderr" | { grep -ao '^[0-9T:.+-]*[0-9Z] ' || true; } | sort | sed -n 3p | tr -d " ")
    t2=$(cat "$out/logs/$name.stdout" "$out/logs/$name.stderr" | { grep -ao '^[0-9T:.+-]*[0-9Z] ' || true; } | sort | sed -n 9p | tr -d " ")
    if [ -n "$t1" ] && [ -n "$t2" ]; then
      printf '%s\n%s\n' "$t1" "$t2" >"$out/logs/$name.window.args"
      dk logs -t --since "$t1" --until "$t2" "$id" >"$out/logs/$name.window.stdout" 2>"$out/logs/$name.window.stderr"
    fi
    (cd "$D/containers/$id" && find . -mindepth 1 -printf '%P\t%y\t%s\n' | LC_ALL=C sort) |
      jq -Rn --arg name "$name" --arg id "$id" \
        '{container: $name, id: $id, files: [inputs | split("\t") | {path: .[0], type: .[1], bytes: (.[2]|tonumber)}]}'
  done | jq -s . >"$out/ondisk.json"
  note record_captured "$(date -u +%FT%TZ)"
}

step_verify_logs() { # the packed tarball holds what the tests need
  local tb="$STAGE/logs.tar.xz" x="$SCRATCH/verify-logs" n
  rm -rf "$x"; mkdir -p "$x"
  tar --xattrs --xattrs-include='*' --numeric-owner -C "$x" -xJf "$tb"
  n=$(find "$x/docker/containers" -name '*-json.log.*.gz' | wc -l); note verify_json_gz "$n"
  [ "$n" -gt 0 ] || die "logs: no gzip'd json-file rotation"
  n=$(find "$x/docker/containers" -path '*local-logs/container.log.*' | wc -l); note verify_local_rotated "$n"
  [ "$n" -gt 0 ] || die "logs: no rotated local log"
  n=$(find "$x/docker/containers" -name container-cached.log | wc -l); note verify_cached "$n"
  rm -rf "$x"
}

main_logs() {
  local t; t=$(date +%s)
  log "logs fixture -> $OUT/logs.tar.xz, $OUT/engine-logs/"
  step_make_base_rootfs
  start_engine overlay2
  mkdir -p "$STAGE/engine-logs"
  step_base_image
  step_logs_scenario_containers
  step_capture_logs_record
  step_powercut
  step_pack
  mv "$STAGE/overlay2.tar.xz" "$STAGE/logs.tar.xz"
  step_verify_logs
  note seconds "$(( $(date +%s) - t ))"
  write_scenario_json
  local f
  for f in engine-logs logs.tar.xz; do
    rm -rf "${OUT:?}/$f"
    mv "$STAGE/$f" "$OUT/$f"
  done
}

main() {
  log "output: $OUT; docker client: $DOCKER"
  write_tar_manifest_tool
  step_make_base_rootfs
  scenario_overlay2
  if [ "${CSX_SKIP_OVERLAY:-0}" != 1 ]; then scenario_overlay; fi
  publish
}

if [ "$MODE" = logs ]; then main_logs; else main; fi
