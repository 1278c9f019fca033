#!/usr/bin/env python3
"""moby_scenario.py — Docker Engine 29 with the containerd image store, replayed against a
real containerd 1.6 (namespace "moby"), because a Docker >= 24 daemon is not installable here.

Usage: moby_scenario.py run SOCKET IMAGES_JSON STATE_JSON TOOLS_DIR
       moby_scenario.py finish STATE_JSON OUTDIR        (after the engine record: inspect/diff)

REAL (done by containerd through its gRPC API, exactly the calls dockerd makes —
moby docker-v29.7.2 daemon/containerd/image_snapshot.go createLayer/prepareInitLayer,
daemon/start.go, daemon/internal/libcontainerd/remote/client.go):
  * lease <id> (no labels, no expiry) created first; the snapshot calls carry it
    (gRPC header containerd-lease, as leases.WithLease does);
  * snapshot <id>-init-key prepared on the image's top chain id, mounted by us (like
    mount.WithTempMount), filled by the init-layer logic below, committed as <id>-init;
  * snapshot <id> prepared on <id>-init (the container's RW layer);
  * at start: container record <id> in namespace moby via Containers.Create with the OCI
    spec (root.path = /var/lib/docker/rootfs/overlayfs/<id>), runtime io.containerd.runc.v2
    with containerd.runc.v1.Options{BinaryName "runc", Root "/var/run/docker/runtime-runc"},
    label com.docker/engine.bundle.path=/var/run/docker/containerd/<id>, image = the image
    name (daemon/start.go sets c.Image for the containerd store), snapshotter and
    snapshotKey empty; the snapshot mounted at /var/lib/docker/rootfs/overlayfs/<id>; the task
    created and started by `ctr tasks start` (containerd + runc shim run the process);
  * on exit: task deleted, container record deleted, rootfs unmounted and its directory
    removed (daemon Cleanup + snapshotter refCountMounter.Unmount).
EMULATED (written by this script in dockerd's formats, because dockerd is absent):
  * /var/lib/docker/containers/<id>/{config.v2.json, hostconfig.json, hostname, hosts,
    resolv.conf, checkpoints/, mounts/} and <id>-json.log (through docker_json_logger.py as a
    containerd binary:// logger: dockerd's copier + json-file driver);
  * the init layer's content (daemon/initlayer/setup_unix.go: Setup, replayed in Python on
    the real mounted snapshot), `docker inspect` JSON, `docker diff` JSON.
"""
import json
import os
import secrets
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cxgrpc import Client, any_msg, from_dict, msg_class  # noqa: E402

NS = "moby"
SNAP = "overlayfs"
IMAGE = "docker.io/csx/app:1"
ROOTFS_HOME = "/var/lib/docker/rootfs/overlayfs"
CONTAINERS = "/var/lib/docker/containers"
BUNDLES = "/var/run/docker/containerd"
SPEC_URL = "types.containerd.io/opencontainers/runtime-spec/1/Spec"

EXITED_SCRIPT = r'''
echo "dk-exited: hello from docker 29"
usleep 20000
echo "dk-exited: a warning" >&2
usleep 20000
echo "backdoor:x:0:0::/root:/bin/sh" >> /etc/passwd
rm /etc/group
rm -rf /opt/app
mkdir -p /var/www && echo "<h1>defaced</h1>" > /var/www/index.html
cp /bin/busybox /usr/local-miner 2>/dev/null || cp /bin/busybox /tmp/miner
echo "dk-exited: done"
exit 2
'''
RUNNING_SCRIPT = r'''
echo "dk-running: up"
echo "started" > /tmp/state
rm /srv/data/hello.txt
i=0
while [ $i -lt 20 ]; do i=$((i+1)); echo "dk tick $i"; usleep 50000; done
echo "dk-running: quiet" >&2
exec sleep 2147483647
'''


def go_time(ns=None):
    if ns is None:
        ns = time.time_ns()
    s, frac = divmod(ns, 10**9)
    f = ("%09d" % frac).rstrip("0")
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(s)) + ("." + f if f else "") + "Z"


ZERO_TIME = "0001-01-01T00:00:00Z"


def sh(*args, **kw):
    return subprocess.run(args, check=True, stdout=subprocess.PIPE, **kw).stdout


def mount_overlay(mounts, target):
    """Mount what the snapshotter answered (overlay or bind) at target."""
    m = mounts[0]
    opts = ",".join(m.options)
    sh("mount", "-t", m.type, m.source, target, "-o", opts)


def init_layer_setup(root):
    """moby daemon/initlayer/setup_unix.go Setup(initLayerFs, 0, 0), replayed."""
    for pth, typ in [("/dev/pts", "dir"), ("/dev/shm", "dir"), ("/proc", "dir"), ("/sys", "dir"),
                     ("/.dockerenv", "file"), ("/etc/resolv.conf", "file"), ("/etc/hosts", "file"),
                     ("/etc/hostname", "file"), ("/dev/console", "file"), ("/etc/mtab", "/proc/mounts")]:
        parts = pth.split("/")
        prev = "/"
        for p in parts[1:]:
            prev = os.path.join(prev, p)
            try:
                os.unlink(root + prev)          # unix.Unlink: fails on directories
            except OSError:
                pass
        full = root + pth
        if not os.path.exists(full):
            os.makedirs(os.path.dirname(full), 0o755, exist_ok=True)
            if typ == "dir":
                os.makedirs(full, 0o755, exist_ok=True)
            elif typ == "file":
                os.close(os.open(full, os.O_CREAT, 0o755))
            else:
                os.symlink(typ, full)


class Moby:
    def __init__(self, sock, images, tools):
        self.c = Client(sock)
        self.img = images["moby"]
        self.tools = tools
        self.parent = self.img["chain_ids"][-1]

    def call(self, svc, method, req, lease=None):
        return self.c.call("containerd.services.%s" % svc, method, req, namespace=NS, lease=lease)

    def create_layer(self, cid):
        self.call("leases.v1.Leases", "Create", {"id": cid})
        r = self.call("snapshots.v1.Snapshots", "Prepare",
                      {"snapshotter": SNAP, "key": cid + "-init-key", "parent": self.parent}, lease=cid)
        tmp = sh("mktemp", "-d", "/tmp/containerd-mount.XXXXXXXX").decode().strip()
        mount_overlay(r.mounts, tmp)
        try:
            init_layer_setup(tmp)
        finally:
            sh("umount", tmp)
            os.rmdir(tmp)
        self.call("snapshots.v1.Snapshots", "Commit",
                  {"snapshotter": SNAP, "name": cid + "-init", "key": cid + "-init-key"}, lease=cid)
        self.call("snapshots.v1.Snapshots", "Prepare",
                  {"snapshotter": SNAP, "key": cid, "parent": cid + "-init"}, lease=cid)

    def spec(self, cid, name, script):
        s = json.loads(sh("ctr", "oci", "spec"))
        s["process"]["args"] = ["/bin/sh", "-c", script]
        s["process"]["env"] = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                               "HOSTNAME=" + cid[:12], "APP_HOME=/opt/app", "API_KEY=not-a-real-key"]
        s["process"]["cwd"] = "/srv"
        s["hostname"] = cid[:12]
        s["root"] = {"path": "%s/%s" % (ROOTFS_HOME, cid)}
        # Docker's default mounts (oci/defaults.go): no /run tmpfs, a read-only cgroup mount
        s["mounts"] = [m for m in s["mounts"] if m["destination"] != "/run"]
        s["mounts"].append({"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
                            "options": ["ro", "nosuid", "noexec", "nodev"]})
        d = "%s/%s" % (CONTAINERS, cid)
        for dst, src in (("/etc/resolv.conf", d + "/resolv.conf"), ("/etc/hostname", d + "/hostname"),
                         ("/etc/hosts", d + "/hosts")):
            s["mounts"].append({"destination": dst, "type": "bind", "source": src,
                                "options": ["rbind", "rprivate"]})
        s["linux"]["cgroupsPath"] = "/docker/" + cid
        s["linux"]["namespaces"] = [{"type": t} for t in ("mount", "network", "uts", "pid", "ipc")]
        s.setdefault("annotations", {})["org.opencontainers.image.ref.name"] = "1"
        return s

    def write_json(self, path, obj, mode=0o600):
        tmp = path + ".tmp-" + secrets.token_hex(4)
        with open(tmp, "w") as f:
            json.dump(obj, f, separators=(",", ":"))
        os.chmod(tmp, mode)
        os.rename(tmp, path)

    def new_container(self, name, script):
        cid = secrets.token_hex(32)
        created = go_time()
        self.create_layer(cid)
        d = "%s/%s" % (CONTAINERS, cid)
        os.makedirs(d + "/checkpoints", 0o700)
        os.makedirs(d + "/mounts", 0o710)
        os.chmod(d, 0o710)
        img = self.img
        cfg = {
            "StreamConfig": {},
            "State": {"Running": False, "Paused": False, "Restarting": False, "OOMKilled": False,
                      "Dead": False, "Pid": 0, "ExitCode": 0, "Error": "", "StartedAt": ZERO_TIME,
                      "FinishedAt": ZERO_TIME, "Health": None},
            "ID": cid, "Created": created, "Managed": False, "Path": "/bin/sh", "Args": ["-c", script],
            "Config": {"Hostname": cid[:12], "Domainname": "", "User": "", "AttachStdin": False,
                       "AttachStdout": False, "AttachStderr": False, "Tty": False, "OpenStdin": False,
                       "StdinOnce": False,
                       "Env": ["API_KEY=not-a-real-key", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                               "APP_HOME=/opt/app"],
                       "Cmd": ["/bin/sh", "-c", script], "Image": "csx/app:1", "Volumes": None,
                       "WorkingDir": "/srv", "Entrypoint": None,
                       "Labels": {"org.example.csx.image": "app", "com.example.case": "CSX-29"}},
            "Image": img["manifest_digest"],
            "ImageManifest": {"mediaType": img["manifest_media_type"], "digest": img["manifest_digest"],
                              "size": img["manifest_size"], "platform": {"architecture": "amd64", "os": "linux"}},
            "NetworkSettings": {"SandboxID": "", "SandboxKey": "",
                                "Networks": {"none": {"IPAMConfig": None, "Links": None, "Aliases": None,
                                                      "DriverOpts": None, "GwPriority": 0, "NetworkID": "",
                                                      "EndpointID": "", "Gateway": "", "IPAddress": "",
                                                      "MacAddress": "", "IPPrefixLen": 0, "IPv6Gateway": "",
                                                      "GlobalIPv6Address": "", "GlobalIPv6PrefixLen": 0,
                                                      "DNSNames": None, "IPAMOperational": False,
                                                      "DesiredMacAddress": ""}},
                                "Service": None, "Ports": {}, "HasSwarmEndpoint": False},
            "LogPath": "%s/%s-json.log" % (d, cid),
            "Name": "/" + name, "Driver": SNAP, "OS": "linux",
            "ImagePlatform": {"architecture": "amd64", "os": "linux"},
            "RestartCount": 0, "HasBeenStartedBefore": False, "HasBeenManuallyStopped": False,
            "MountPoints": {}, "SecretReferences": None, "ConfigReferences": None,
            "MountLabel": "", "ProcessLabel": "", "AppArmorProfile": "", "SeccompProfile": "",
            "NoNewPrivileges": False, "WritableCgroups": None,
            "HostnamePath": "", "HostsPath": "", "ShmPath": "", "ResolvConfPath": "",
            "LocalLogCacheMeta": {"HaveNotifyEnabled": False},
        }
        host = {"Binds": None, "ContainerIDFile": "", "LogConfig": {"Type": "json-file", "Config": {}},
                "NetworkMode": "none", "PortBindings": {}, "RestartPolicy": {"Name": "no", "MaximumRetryCount": 0},
                "AutoRemove": False, "VolumeDriver": "", "VolumesFrom": None, "ConsoleSize": [0, 0],
                "CapAdd": None, "CapDrop": None, "CgroupnsMode": "host", "Dns": [], "DnsOptions": [],
                "DnsSearch": [], "ExtraHosts": None, "GroupAdd": None, "IpcMode": "private", "Cgroup": "",
                "Links": None, "OomScoreAdj": 0, "PidMode": "", "Privileged": False, "PublishAllPorts": False,
                "ReadonlyRootfs": False, "SecurityOpt": None, "UTSMode": "", "UsernsMode": "", "ShmSize": 67108864,
                "Runtime": "runc", "Isolation": "", "CpuShares": 0, "Memory": 0, "NanoCpus": 0,
                "CgroupParent": "", "BlkioWeight": 0, "BlkioWeightDevice": [], "BlkioDeviceReadBps": [],
                "BlkioDeviceWriteBps": [], "BlkioDeviceReadIOps": [], "BlkioDeviceWriteIOps": [],
                "CpuPeriod": 0, "CpuQuota": 0, "CpuRealtimePeriod": 0, "CpuRealtimeRuntime": 0,
                "CpusetCpus": "", "CpusetMems": "", "Devices": [], "DeviceCgroupRules": None,
                "DeviceRequests": None, "MemoryReservation": 0, "MemorySwap": 0, "MemorySwappiness": None,
                "OomKillDisable": None, "PidsLimit": None, "Ulimits": [], "CpuCount": 0, "CpuPercent": 0,
                "IOMaximumIOps": 0, "IOMaximumBandwidth": 0,
                "MaskedPaths": ["/proc/asound", "/proc/acpi", "/proc/interrupts", "/proc/kcore", "/proc/keys",
                                "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
                                "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap"],
                "ReadonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]}
        self.write_json(d + "/config.v2.json", cfg)
        self.write_json(d + "/hostconfig.json", host, 0o644)
        return {"name": name, "id": cid, "script": script, "config": cfg, "hostconfig": host}

    def start(self, rec):
        cid = rec["id"]
        d = "%s/%s" % (CONTAINERS, cid)
        cfg = rec["config"]
        # files dockerd writes before the start (setupContainerDirs, network sandbox)
        with open(d + "/hostname", "w") as f:
            f.write(cid[:12] + "\n")
        with open(d + "/hosts", "w") as f:
            f.write("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::\tip6-localnet\n"
                    "ff00::\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n")
        with open(d + "/resolv.conf", "w") as f:
            f.write("# Generated by Docker Engine.\n# This file can be edited; Docker Engine will not make "
                    "further changes once it\n# has been modified.\n\nnameserver 10.0.0.2\nsearch example.internal\n\n"
                    "# Based on host file: '/etc/resolv.conf' (legacy)\n# Overrides: []\n")
        for p in ("hostname", "hosts", "resolv.conf"):
            os.chmod(d + "/" + p, 0o644)
        cfg["HostnamePath"], cfg["HostsPath"], cfg["ResolvConfPath"] = d + "/hostname", d + "/hosts", d + "/resolv.conf"
        cfg["ShmPath"] = ""
        # rwLayer.Mount: the snapshotter's mounts at /var/lib/docker/rootfs/overlayfs/<id>
        m = self.call("snapshots.v1.Snapshots", "Mounts", {"snapshotter": SNAP, "key": cid})
        root = "%s/%s" % (ROOTFS_HOME, cid)
        os.makedirs(root, 0o711, exist_ok=True)
        mount_overlay(m.mounts, root)
        # libcontainerd NewContainer: the containerd record (daemon/start.go + remote/client.go)
        opts = from_dict(msg_class("csxc.RuncOptions"), {"binary_name": "runc", "root": "/var/run/docker/runtime-runc"})
        bundle = "%s/%s" % (BUNDLES, cid)
        os.makedirs(bundle, 0o755, exist_ok=True)
        spec = self.spec(cid, rec["name"], rec["script"])
        self.call("containers.v1.Containers", "Create", {"container": {
            "id": cid, "labels": {"com.docker/engine.bundle.path": bundle}, "image": IMAGE,
            "runtime": {"name": "io.containerd.runc.v2", "options": any_msg("containerd.runc.v1.Options", opts)},
            "spec": any_msg(SPEC_URL, json.dumps(spec).encode()), "snapshotter": "", "snapshot_key": ""}})
        rec["spec"] = spec
        logger = os.path.join(self.tools, "docker_json_logger.py")
        sh("ctr", "-n", NS, "tasks", "start", "-d", "--log-uri", "binary://" + logger, cid)
        p = self.call("tasks.v1.Tasks", "Get", {"container_id": cid}).process
        cfg["State"].update({"Running": True, "Pid": p.pid, "StartedAt": go_time()})
        cfg["HasBeenStartedBefore"] = True
        self.write_json(d + "/config.v2.json", cfg)
        rec["pid"] = p.pid

    def wait_exit(self, rec):
        cid = rec["id"]
        for _ in range(600):
            p = self.call("tasks.v1.Tasks", "Get", {"container_id": cid}).process
            if p.status == 3:
                break
            time.sleep(0.1)
        r = self.call("tasks.v1.Tasks", "Delete", {"container_id": cid})
        fin = r.exited_at.seconds * 10**9 + r.exited_at.nanos
        self.call("containers.v1.Containers", "Delete", {"id": cid})      # daemon Cleanup
        root = "%s/%s" % (ROOTFS_HOME, cid)
        sh("umount", root)
        os.rmdir(root)                                                    # refCountMounter.Unmount
        os.rmdir("%s/%s" % (BUNDLES, cid))
        cfg = rec["config"]
        cfg["State"].update({"Running": False, "Pid": 0, "ExitCode": r.exit_status, "FinishedAt": go_time(fin)})
        self.write_json("%s/%s/config.v2.json" % (CONTAINERS, cid), cfg)
        rec["exit_code"] = r.exit_status


def run(sock, images_json, state_path, tools):
    mb = Moby(sock, json.load(open(images_json)), tools)
    recs = []
    ex = mb.new_container("dk-exited", EXITED_SCRIPT)
    recs.append(ex)
    mb.start(ex)
    mb.wait_exit(ex)
    rn = mb.new_container("dk-running", RUNNING_SCRIPT)
    recs.append(rn)
    mb.start(rn)
    cr = mb.new_container("dk-created", "echo never runs")
    recs.append(cr)
    time.sleep(2.0)                  # dk-running: 20 ticks of 50 ms, then quiet
    st = {"namespace": NS, "image": IMAGE, "image_manifest_digest": mb.img["manifest_digest"],
          "parent_chain_id": mb.parent, "containers": recs}
    with open(state_path, "w") as f:
        json.dump(st, f, indent=2)


def inspect(rec):
    """`docker inspect` as Docker 29 would answer for this container (daemon/inspect.go):
    State.Status derived, GraphDriver absent, Storage.RootFS.Snapshot.Name = snapshotter."""
    cfg = rec["config"]
    s = dict(cfg["State"])
    status = "running" if s["Running"] else ("exited" if cfg["HasBeenStartedBefore"] else "created")
    state = {"Status": status, "Running": s["Running"], "Paused": False, "Restarting": False,
             "OOMKilled": False, "Dead": False, "Pid": s["Pid"], "ExitCode": s["ExitCode"], "Error": "",
             "StartedAt": s["StartedAt"], "FinishedAt": s["FinishedAt"]}
    return {"Id": cfg["ID"], "Created": cfg["Created"], "Path": cfg["Path"], "Args": cfg["Args"], "State": state,
            "Image": cfg["Image"], "ResolvConfPath": cfg["ResolvConfPath"], "HostnamePath": cfg["HostnamePath"],
            "HostsPath": cfg["HostsPath"], "LogPath": cfg["LogPath"], "Name": cfg["Name"],
            "RestartCount": 0, "Driver": cfg["Driver"], "Platform": "linux", "ImageManifestDescriptor": cfg["ImageManifest"],
            "MountLabel": "", "ProcessLabel": "", "AppArmorProfile": "", "ExecIDs": None,
            "HostConfig": rec["hostconfig"],
            "Storage": {"RootFS": {"Snapshot": {"Name": cfg["Driver"]}}},
            "Mounts": [], "Config": cfg["Config"],
            "NetworkSettings": {"SandboxID": "", "SandboxKey": "", "Ports": {},
                                "Networks": cfg["NetworkSettings"]["Networks"]}}


def finish(state_path, out):
    st = json.load(open(state_path))
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "docker-inspect.json"), "w") as f:
        json.dump([inspect(r) for r in st["containers"]], f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    if sys.argv[1] == "run":
        run(*sys.argv[2:6])
    elif sys.argv[1] == "finish":
        finish(sys.argv[2], sys.argv[3])
