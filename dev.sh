#!/bin/sh
# dev.sh - build csleuth and run it or its tests; installs what it needs.
#
#   ./dev.sh sample   build, then list the bundled sample evidence
#   ./dev.sh test     build, then run every test and print "N passed, N failed"
#
# Environment: BUILD (build dir, default "build"), MESON_ARGS (extra meson
# setup arguments, e.g. -Db_sanitize=address,undefined), CSLEUTH_NO_INSTALL=1
# to skip the package check.
set -eu
cd "$(dirname "$0")"
BUILD=${BUILD:-build}
MESON_ARGS=${MESON_ARGS:-}

PACKAGES="build-essential meson ninja-build pkg-config libjson-c-dev libarchive-dev
libmagic-dev libfuse3-dev zlib1g-dev fuse3 python3 xz-utils tar attr sleuthkit
libsqlite3-dev liblz4-dev libyaml-dev libsystemd-dev clang libclang-rt-dev llvm
libext2fs-dev comerr-dev libewf-dev libvmdk-dev libvhdi-dev libqcow-dev
e2fsprogs xfsprogs fdisk ewf-tools qemu-utils zstd"

install_deps() {
	[ "${CSLEUTH_NO_INSTALL:-0}" = 1 ] && return 0
	missing=""
	for p in $PACKAGES; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	if [ "$(id -u)" != 0 ]; then
		echo "dev.sh: missing packages:$missing (run as root to install them)" >&2
		exit 1
	fi
	echo "dev.sh: installing$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2
	# shellcheck disable=SC2086
	apt-get install -y -qq $missing >&2
}

build() {
	if [ ! -f "$BUILD/build.ninja" ]; then
		# shellcheck disable=SC2086
		meson setup "$BUILD" -Dwerror=true $MESON_ARGS >&2
	fi
	ninja -C "$BUILD" >&2
}

sample_root() {
	# the bundled sample: the real-engine overlay2 fixture, unpacked once
	dir="$BUILD/sample"
	if [ ! -f "$dir/.unpacked" ]; then
		rm -rf "$dir"
		mkdir -p "$dir"
		tar --xattrs --xattrs-include='*' --numeric-owner -C "$dir" -xJf testdata/docker/overlay2.tar.xz
		touch "$dir/.unpacked"
	fi
	echo "$dir/docker"
}

case "${1:-}" in
sample)
	install_deps
	build
	root=$(sample_root)
	echo "== csleuth --root $root ps"
	"$BUILD/cmd/csleuth" --root "$root" ps || true
	echo
	echo "== csleuth --root $root images"
	"$BUILD/cmd/csleuth" --root "$root" images || true
	echo
	echo "== csleuth --root $root history csx/app:1.0"
	"$BUILD/cmd/csleuth" --root "$root" history csx/app:1.0 || true
	;;
test)
	install_deps
	build
	rc=0
	meson test -C "$BUILD" --print-errorlogs --num-processes 2 >&2 || rc=$?
	python3 tests/summary.py "$BUILD" || rc=1
	exit $rc
	;;
*)
	sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
	exit 2
	;;
esac
