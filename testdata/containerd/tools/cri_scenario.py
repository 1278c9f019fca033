#!/usr/bin/env python3
"""cri_scenario.py — drive containerd's CRI plugin (runtime.v1 gRPC) the way a kubelet would.

Usage: cri_scenario.py run   SOCKET STATE_JSON     (runs the pod; writes ids/times to STATE_JSON)
       cri_scenario.py record SOCKET STATE_JSON OUTDIR   (the CRI's answers -> OUTDIR/*.json)

The kubelet is not available here, so this script stands in for it:
  * real CRI calls: RunPodSandbox, CreateContainer, StartContainer, ContainerStatus,
    ReopenContainerLog, ListPodSandbox, PodSandboxStatus, ListContainers, ListImages,
    ImageStatus, Status, Version — answered by containerd 1.6's CRI plugin;
  * emulated kubelet side effects (what the kubelet itself does on a node): the pod log
    directory /var/log/pods/<ns>_<pod>_<uid>/<ctr>/, the /var/log/containers/<pod>_<ns>_<ctr>-<id>.log
    symlinks (absolute targets), /var/lib/kubelet/pods/<uid>/{etc-hosts, volumes/kubernetes.io~empty-dir/cache,
    containers/<ctr>/<8 hex> termination-log files}, the labels/annotations the kubelet puts on
    sandboxes and containers, the restart of a failed container as attempt 1 (1.log), and the
    kubelet's log rotation (rename N.log -> N.log.<YYYYMMDD-hhmmss> in local time, then the real
    ReopenContainerLog call; older rotations gzip'd via <name>.gz.tmp + rename, Go gzip header).
"""
import gzip
import json
import os
import secrets
import sys
import time
import uuid
from datetime import datetime

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cxgrpc import Client  # noqa: E402

POD_NS, POD_NAME = "shop", "web"
APP_IMAGE = "csx.local/app:1"

APP_SCRIPT_0 = r'''
echo "app: starting attempt 0"
usleep 20000
echo "app: warning on stderr" >&2
usleep 20000
mkdir -p /srv/uploads && echo "uploaded payload" > /srv/uploads/payload.bin
cp /bin/busybox /tmp/.hidden-tool && chmod 0755 /tmp/.hidden-tool
echo "intruder:x:0:0::/root:/bin/sh" >> /etc/passwd
rm /etc/group
rm -rf /usr/share/doc && mkdir /usr/share/doc && echo new > /usr/share/doc/README
rm /srv/data/numbers.txt
echo "state kept in an emptyDir" > /cache/state.txt
printf "%020000d\n" 0 | tr 0 x
usleep 20000
echo "app: error line on stderr" >&2
usleep 20000
printf "tab\there, utf-8 \303\274\360\237\220\263, CRLF line\r\n"
usleep 20000
printf "exit 3: config invalid" > /dev/termination-log
printf "last line without newline"
exit 3
'''
APP_SCRIPT_1 = r'''
echo "app: attempt 1 ok"
usleep 20000
echo "app: attempt 1 stderr" >&2
echo restarted > /tmp/restarted
exit 0
'''
SIDECAR_SCRIPT = r'''
echo "sidecar: up"
rm /etc/app.conf
echo "sidecar was here" > /srv/sidecar.txt
i=0
while [ $i -lt 80 ]; do
  i=$((i+1)); echo "tick $i"
  if [ $((i % 10)) = 0 ]; then echo "tock $i" >&2; fi
  usleep 100000
done
echo "sidecar: quiet now"
exec sleep 2147483647
'''


def now_rfc3339():
    return datetime.now().astimezone().isoformat()


def kubelet_pod_dirs(uid):
    base = "/var/lib/kubelet/pods/" + uid
    os.makedirs(base + "/volumes/kubernetes.io~empty-dir/cache", 0o750, exist_ok=True)
    os.makedirs(base + "/plugins", 0o750, exist_ok=True)
    with open(base + "/etc-hosts", "w") as f:
        f.write("# Kubernetes-managed hosts file (host network).\n127.0.0.1\tlocalhost\n"
                "::1\tlocalhost ip6-localhost ip6-loopback\n")
    return base


def termination_log(poddir, ctr):
    d = "%s/containers/%s" % (poddir, ctr)
    os.makedirs(d, 0o750, exist_ok=True)
    p = "%s/%s" % (d, secrets.token_hex(4))
    open(p, "w").close()
    os.chmod(p, 0o666)
    return p


def sandbox_config(st):
    uid = st["pod_uid"]
    return {
        "metadata": {"name": POD_NAME, "uid": uid, "namespace": POD_NS, "attempt": 0},
        "log_directory": st["pod_log_dir"],
        "dns_config": {"servers": ["10.96.0.10"],
                       "searches": ["shop.svc.cluster.local", "svc.cluster.local", "cluster.local"],
                       "options": ["ndots:5"]},
        "labels": {"app": "web", "io.kubernetes.pod.name": POD_NAME,
                   "io.kubernetes.pod.namespace": POD_NS, "io.kubernetes.pod.uid": uid},
        "annotations": {"kubernetes.io/config.seen": st["config_seen"], "kubernetes.io/config.source": "api"},
        "linux": {"cgroup_parent": "/kubepods/besteffort/pod" + uid,
                  "security_context": {"namespace_options": {"network": "NODE", "pid": "CONTAINER", "ipc": "POD"}}},
    }


def container_config(st, name, attempt, script, image_id, mounts, extra_env):
    uid = st["pod_uid"]
    return {
        "metadata": {"name": name, "attempt": attempt},
        "image": {"image": image_id},
        "command": ["/bin/sh", "-c"],
        "args": [script],
        "working_dir": "/srv",
        "envs": [{"key": k, "value": v} for k, v in extra_env + [
            ("KUBERNETES_SERVICE_HOST", "10.96.0.1"), ("KUBERNETES_SERVICE_PORT", "443")]],
        "mounts": mounts,
        "labels": {"io.kubernetes.container.name": name, "io.kubernetes.pod.name": POD_NAME,
                   "io.kubernetes.pod.namespace": POD_NS, "io.kubernetes.pod.uid": uid},
        "annotations": {"io.kubernetes.container.hash": st["hash"][name],
                        "io.kubernetes.container.restartCount": str(attempt),
                        "io.kubernetes.container.terminationMessagePath": "/dev/termination-log",
                        "io.kubernetes.container.terminationMessagePolicy": "File",
                        "io.kubernetes.pod.terminationGracePeriod": "30"},
        "log_path": "%s/%d.log" % (name, attempt),
        "linux": {"resources": {"cpu_period": 100000, "cpu_shares": 2, "oom_score_adj": 1000},
                  "security_context": {"namespace_options": {"network": "NODE", "pid": "CONTAINER", "ipc": "POD"},
                                       "masked_paths": ["/proc/kcore", "/proc/keys"],
                                       "readonly_paths": ["/proc/sys"]}},
    }


def legacy_symlink(st, name, cid, attempt):
    link = "/var/log/containers/%s_%s_%s-%s.log" % (POD_NAME, POD_NS, name, cid)
    target = "%s/%s/%d.log" % (st["pod_log_dir"], name, attempt)
    os.makedirs("/var/log/containers", 0o755, exist_ok=True)
    if os.path.exists(target):
        os.symlink(target, link)
    return link


def wait_state(c, cid, state, timeout=60):
    t = time.time()
    while time.time() - t < timeout:
        s = c.cri("ContainerStatus", {"container_id": cid}).status
        if s.state == state:
            return s
        time.sleep(0.1)
    raise SystemExit("container %s did not reach state %d" % (cid, state))


def go_gzip(src):
    """kubelet compressLog: <log>.gz.tmp written by Go's gzip.NewWriter (no name, mtime 0,
    OS 255, default level), renamed to <log>.gz, then <log> removed."""
    mode = os.stat(src).st_mode & 0o7777
    tmp = src + ".gz.tmp"
    with open(src, "rb") as r, open(tmp, "wb") as f:
        os.chmod(tmp, mode)
        with gzip.GzipFile(filename="", mode="wb", fileobj=f, compresslevel=6, mtime=0) as g:
            g.write(r.read())
    os.rename(tmp, src + ".gz")
    os.remove(src)
    return src + ".gz"


def rotate(c, st, cid, logpath):
    """kubelet rotateLog: compress older rotations, then rename the live log and reopen."""
    d, base = os.path.split(logpath)
    gz = []
    for n in sorted(os.listdir(d)):
        if n.startswith(base + ".") and not n.endswith(".gz") and not n.endswith(".tmp"):
            gz.append(go_gzip(os.path.join(d, n)))
    ts = datetime.now().strftime("%Y%m%d-%H%M%S")
    rotated = "%s.%s" % (logpath, ts)
    os.rename(logpath, rotated)
    c.cri("ReopenContainerLog", {"container_id": cid})
    st.setdefault("rotations", []).append({"container_id": cid, "rotated_to": rotated, "compressed": gz,
                                           "at": now_rfc3339()})


def run(sock, state_path):
    c = Client(sock)
    st = {"pod_namespace": POD_NS, "pod_name": POD_NAME, "pod_uid": str(uuid.uuid4()),
          "config_seen": now_rfc3339(), "hash": {"app": secrets.token_hex(4), "sidecar": secrets.token_hex(4)},
          "containers": []}
    st["pod_log_dir"] = "/var/log/pods/%s_%s_%s" % (POD_NS, POD_NAME, st["pod_uid"])
    os.makedirs(st["pod_log_dir"], 0o755, exist_ok=True)            # kubelet: MkdirAll(podLogDir)
    poddir = kubelet_pod_dirs(st["pod_uid"])
    st["kubelet_pod_dir"] = poddir
    scfg = sandbox_config(st)
    st["sandbox_id"] = c.cri("RunPodSandbox", {"config": scfg}).pod_sandbox_id
    st["sandbox_created"] = now_rfc3339()
    image_id = c.cri("ImageStatus", {"image": {"image": APP_IMAGE}}).image.id   # kubelet passes the image id
    st["app_image_id"] = image_id
    emptydir = poddir + "/volumes/kubernetes.io~empty-dir/cache"

    def create(name, attempt, script, env):
        os.makedirs("%s/%s" % (st["pod_log_dir"], name), 0o755, exist_ok=True)   # kubelet: container log dir
        mounts = [{"container_path": "/cache", "host_path": emptydir},
                  {"container_path": "/etc/hosts", "host_path": poddir + "/etc-hosts"},
                  {"container_path": "/dev/termination-log", "host_path": termination_log(poddir, name)}]
        cfg = container_config(st, name, attempt, script, image_id, mounts, env)
        cid = c.cri("CreateContainer", {"pod_sandbox_id": st["sandbox_id"], "config": cfg,
                                        "sandbox_config": scfg}).container_id
        rec = {"name": name, "attempt": attempt, "id": cid, "log_path": "%s/%s/%d.log" % (st["pod_log_dir"], name, attempt),
               "termination_log": mounts[2]["host_path"]}
        st["containers"].append(rec)
        return rec

    def start(rec):
        c.cri("StartContainer", {"container_id": rec["id"]})
        rec["symlink"] = legacy_symlink(st, rec["name"], rec["id"], rec["attempt"])

    # app, attempt 0: fails with exit code 3
    a0 = create("app", 0, APP_SCRIPT_0, [("DB_PASSWORD", "not-a-real-secret"), ("APP_MODE", "fixture")])
    start(a0)
    s = wait_state(c, a0["id"], 2)
    a0["exit_code"] = s.exit_code
    # the kubelet restarts it (restartPolicy Always): attempt 1, log 1.log, exits 0
    time.sleep(1.0)
    a1 = create("app", 1, APP_SCRIPT_1, [("DB_PASSWORD", "not-a-real-secret"), ("APP_MODE", "fixture")])
    start(a1)
    s = wait_state(c, a1["id"], 2)
    a1["exit_code"] = s.exit_code
    # sidecar: running at the power cut; its log is rotated twice on the way
    sc = create("sidecar", 0, SIDECAR_SCRIPT, [("SIDECAR_TOKEN", "sidecar-not-a-secret")])
    start(sc)
    time.sleep(2.5)
    rotate(c, st, sc["id"], sc["log_path"])
    time.sleep(2.5)
    rotate(c, st, sc["id"], sc["log_path"])
    time.sleep(4.5)            # 80 ticks of 0.1 s: quiet by now
    with open(state_path, "w") as f:
        json.dump(st, f, indent=2)


def record(sock, state_path, out):
    c = Client(sock)
    st = json.load(open(state_path))
    os.makedirs(out + "/container-status", exist_ok=True)
    os.makedirs(out + "/pod-sandbox-status", exist_ok=True)
    os.makedirs(out + "/image-status", exist_ok=True)

    def dump(name, msg, parse_info=False):
        d = c.to_dict(msg)
        if parse_info and d.get("info"):
            d["info_parsed"] = {}
            for k, v in d["info"].items():
                try:
                    d["info_parsed"][k] = json.loads(v)
                except ValueError:
                    pass
        with open(os.path.join(out, name), "w") as f:
            json.dump(d, f, indent=1, ensure_ascii=False)
            f.write("\n")
    dump("version.json", c.cri("Version", {"version": "v1"}))
    dump("status.json", c.cri("Status", {"verbose": True}), True)
    dump("list-pod-sandbox.json", c.cri("ListPodSandbox", {}))
    dump("pod-sandbox-status/%s.json" % POD_NAME, c.cri("PodSandboxStatus", {"pod_sandbox_id": st["sandbox_id"], "verbose": True}), True)
    dump("list-containers.json", c.cri("ListContainers", {}))
    for r in st["containers"]:
        dump("container-status/%s-%d.json" % (r["name"], r["attempt"]),
             c.cri("ContainerStatus", {"container_id": r["id"], "verbose": True}), True)
    imgs = c.cri("ListImages", {})
    dump("list-images.json", imgs)
    for im in imgs.images:
        ref = (list(im.repo_tags) or [im.id])[0]
        dump("image-status/%s.json" % ref.replace("/", "_").replace(":", "_"),
             c.cri("ImageStatus", {"image": {"image": im.id}, "verbose": True}), True)


if __name__ == "__main__":
    if sys.argv[1] == "run":
        run(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "record":
        record(sys.argv[2], sys.argv[3], sys.argv[4])
