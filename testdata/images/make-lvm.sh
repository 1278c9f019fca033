#!/bin/sh
# make-lvm.sh - the LVM2 metadata of the test disk, written by LVM2 itself.
#
#   sudo ./make-lvm.sh        # writes lvm-pv1.head.xz, lvm-pv2.head.xz, lvm-lvs.json
#
# Two physical volumes of 48 MiB (they become partitions 5 and 6 of an MBR
# disk in the tests) in volume group `csvg` with 1 MiB extents, holding:
#   csvg/var   linear, 64 MiB in two segments: 28 extents on PV 1, then 36
#              extents on PV 2 (a logical volume that spans disks)
#   csvg/srv   striped over both PVs, 2 stripes of 8 extents, 64 KiB chunks
# `pvcreate` and `vgcreate` make the PVs and the group; the logical volumes
# are added with `vgcfgrestore` from an edited `vgcfgbackup`, because
# `lvcreate` needs device-mapper in the kernel even for an inactive volume,
# and this machine has none. Every byte of metadata is still LVM2's own.
# Only the first MiB of each PV (label, metadata area; the data area starts
# at 1 MiB) is kept; the tests put file systems in the extents at run time.
# `lvs`'s own report of the segments is kept as the oracle.
#
# Needs root, loop devices and lvm2. Uses a private LVM configuration (no
# system state is read or written) and removes its loop devices.
set -eu
cd "$(dirname "$0")"
# LVM records the host name in its metadata: make it the scenario's
if [ -z "${CSX_IN_UTS:-}" ]; then
	exec env CSX_IN_UTS=1 unshare --uts sh -c 'hostname cshost && exec "$0" "$@"' "$0" "$@"
fi
tmp=$(mktemp -d)
l1=""
l2=""
cleanup() {
	[ -n "$l1" ] && losetup -d "$l1" 2>/dev/null || true
	[ -n "$l2" ] && losetup -d "$l2" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
truncate -s 48M "$tmp/pv1" "$tmp/pv2"
l1=$(losetup -f --show "$tmp/pv1")
l2=$(losetup -f --show "$tmp/pv2")
mkdir "$tmp/conf"
cat > "$tmp/conf/lvm.conf" <<CONF
devices { scan = [ "/dev" ] filter = [ "a|^$l1\$|", "a|^$l2\$|", "r|.*|" ]
          obtain_device_list_from_udev = 0 external_device_info_source = "none" }
global { use_lvmlockd = 0 }
activation { udev_sync = 0 udev_rules = 0 monitoring = 0 }
backup { backup = 0 archive = 0 }
CONF
export LVM_SYSTEM_DIR="$tmp/conf"
lvm() { "$@" --nolocking 2>&1 | grep -v -e 'leaked on' -e 'WARNING: This metadata' >&2 || true; }
lvm pvcreate -ff -y "$l1" "$l2"
lvm vgcreate -s 1M csvg "$l1" "$l2"
# relative names: LVM records the command line in the metadata
(cd "$tmp" && vgcfgbackup --nolocking -f vg.txt csvg >/dev/null 2>&1)
python3 - "$tmp/vg.txt" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
lvs = '''
	logical_volumes {

		var {
			id = "csvar0-0000-0000-0000-0000-0000-000001"
			status = ["READ", "WRITE", "VISIBLE"]
			flags = []
			creation_time = 1795445800
			creation_host = "cshost"
			segment_count = 2

			segment1 {
				start_extent = 0
				extent_count = 28
				type = "striped"
				stripe_count = 1
				stripes = [
					"pv0", 0
				]
			}
			segment2 {
				start_extent = 28
				extent_count = 36
				type = "striped"
				stripe_count = 1
				stripes = [
					"pv1", 0
				]
			}
		}

		srv {
			id = "cssrv0-0000-0000-0000-0000-0000-000002"
			status = ["READ", "WRITE", "VISIBLE"]
			flags = []
			creation_time = 1795445801
			creation_host = "cshost"
			segment_count = 1

			segment1 {
				start_extent = 0
				extent_count = 16
				type = "striped"
				stripe_count = 2
				stripe_size = 128
				stripes = [
					"pv0", 28,
					"pv1", 36
				]
			}
		}
	}
'''
i = s.rindex('}')
open(p, 'w').write(s[:i] + lvs + s[i:])
PY
(cd "$tmp" && lvm vgcfgrestore -f vg.txt csvg)
lvs --nolocking --reportformat json --units b --nosuffix \
	-o lv_name,lv_size,seg_start,seg_size,segtype,stripes,stripe_size,seg_pe_ranges csvg 2>/dev/null |
	sed "s|$l1|PV1|g; s|$l2|PV2|g" > lvm-lvs.json
pvs --nolocking --reportformat json -o pv_name,pv_uuid,pe_start --units b --nosuffix 2>/dev/null |
	sed "s|$l1|PV1|g; s|$l2|PV2|g" > "$tmp/pvs.json"
python3 - lvm-lvs.json "$tmp/pvs.json" <<'PY'
import json, sys
lvs = json.load(open(sys.argv[1]))
pvs = json.load(open(sys.argv[2]))
lvs["pvs"] = pvs["report"][0]["pv"]
json.dump(lvs, open(sys.argv[1], "w"), indent=1, sort_keys=True)
open(sys.argv[1], "a").write("\n")
PY
losetup -d "$l1"; l1=""
losetup -d "$l2"; l2=""
head -c 1M "$tmp/pv1" | xz -9 > lvm-pv1.head.xz
head -c 1M "$tmp/pv2" | xz -9 > lvm-pv2.head.xz
echo "make-lvm.sh: wrote lvm-pv1.head.xz lvm-pv2.head.xz lvm-lvs.json" >&2
