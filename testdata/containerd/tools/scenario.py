#!/usr/bin/env python3
"""scenario.py — write engine/scenario.json: ids, names, namespaces, states, exit codes, times,
pod identity, paths, and the generator's notes (power cut, tarball, verification).

Usage: scenario.py NOTES_TSV CRI_STATE MOBY_STATE IMAGES_JSON ENGINE_DIR > scenario.json
Tests must take every id and time from here (or from the other engine records), never
hard-code them: every run makes new ones.
"""
import json
import os
import sys


def load(p):
    with open(p) as f:
        return json.load(f)


def main():
    notes_p, cri_p, moby_p, images_p, E = sys.argv[1:6]
    notes = {}
    for line in open(notes_p):
        k, v = line.rstrip("\n").split("\t", 1)
        notes[k] = v
    cri, moby, images = load(cri_p), load(moby_p), load(images_p)
    containers = []

    def ctr_info(ns, cid):
        p = os.path.join(E, "ctr", ns, "containers-info", cid + ".json")
        return load(p) if os.path.exists(p) else None

    # plain ctr containers
    for ns, name, state, exitcode, note in (
            ("default", "exit3", "exited", int(notes["exit:default/exit3"]),
             "ran with `ctr run` (stdout/stderr to ctr), exited 3; task deleted by ctr"),
            ("default", "running", "running", None,
             "ctr run -d --log-uri file:///var/log/csx-ctr/running.log; task alive at the cut"),
            ("default", "created", "created", None, "ctr containers create only: snapshot prepared, never started"),
            ("csx", "native-exit0", "exited", int(notes["exit:csx/native-exit0"]),
             "native snapshotter; exited 0")):
        info = ctr_info(ns, name)
        containers.append({"namespace": ns, "name": name, "id": name, "kind": "ctr", "state_at_cut": state,
                           "exit_code": exitcode, "image": info["Image"], "snapshotter": info["Snapshotter"],
                           "snapshot_key": info["SnapshotKey"], "created_at": info["CreatedAt"],
                           "labels": info.get("Labels") or {}, "record_in_meta_db": True,
                           "state_persisted_on_disk": False, "note": note})
    # CRI
    pod = {"namespace": cri["pod_namespace"], "name": cri["pod_name"], "uid": cri["pod_uid"],
           "sandbox_id": cri["sandbox_id"], "log_directory": cri["pod_log_dir"],
           "kubelet_pod_dir": cri["kubelet_pod_dir"], "app_image_id": cri["app_image_id"]}
    ps = load(os.path.join(E, "cri", "pod-sandbox-status", cri["pod_name"] + ".json"))["status"]
    containers.append({"namespace": "k8s.io", "name": "sandbox-" + cri["pod_name"], "id": cri["sandbox_id"],
                       "kind": "cri-sandbox", "state_at_cut": "running",
                       "cri_state": ps["state"], "created_at_ns": ps["created_at"], "image": "csx.local/pause:1",
                       "snapshotter": "overlayfs", "snapshot_key": cri["sandbox_id"], "record_in_meta_db": True,
                       "pod": pod})
    for r in cri["containers"]:
        s = load(os.path.join(E, "cri", "container-status", "%s-%d.json" % (r["name"], r["attempt"])))["status"]
        containers.append({"namespace": "k8s.io", "name": "%s-%d" % (r["name"], r["attempt"]),
                           "container_name": r["name"], "attempt": r["attempt"], "id": r["id"], "kind": "cri-container",
                           "state_at_cut": {"CONTAINER_EXITED": "exited", "CONTAINER_RUNNING": "running"}.get(s["state"], s["state"]),
                           "cri_state": s["state"], "exit_code": s["exit_code"] if s["state"] == "CONTAINER_EXITED" else None,
                           "reason": s["reason"], "message": s["message"],
                           "created_at_ns": s["created_at"], "started_at_ns": s["started_at"],
                           "finished_at_ns": s["finished_at"], "image": s["image"]["image"], "image_ref": s["image_ref"],
                           "snapshotter": "overlayfs", "snapshot_key": r["id"], "log_path": r["log_path"],
                           "log_symlink": r.get("symlink"), "termination_log": r["termination_log"],
                           "record_in_meta_db": True, "state_persisted_on_disk": True,
                           "status_file": "/var/lib/containerd/io.containerd.grpc.v1.cri/containers/%s/status" % r["id"],
                           "pod": pod})
    # Docker 29
    for r in moby["containers"]:
        st = r["config"]["State"]
        state = "running" if st["Running"] else ("exited" if r["config"]["HasBeenStartedBefore"] else "created")
        containers.append({"namespace": "moby", "name": r["name"], "id": r["id"], "kind": "docker29",
                           "state_at_cut": state, "exit_code": st["ExitCode"] if state == "exited" else None,
                           "pid": st["Pid"] or None, "created": r["config"]["Created"],
                           "started_at": st["StartedAt"], "finished_at": st["FinishedAt"],
                           "image": moby["image"], "image_id": r["config"]["Image"],
                           "snapshotter": "overlayfs", "snapshot_key": r["id"], "init_snapshot": r["id"] + "-init",
                           "lease": r["id"], "record_in_meta_db": state == "running",
                           "docker_dir": "/var/lib/docker/containers/" + r["id"],
                           "rootfs_dir": "/var/lib/docker/rootfs/overlayfs/" + r["id"],
                           "rootfs_dir_exists": state == "running",
                           "state_persisted_on_disk": True})
    out = {
        "generator": "testdata/containerd/generate.sh",
        "node": {"hostname": notes["node_name"], "tz": notes["node_tz"], "root": "/var/lib/containerd",
                 "state": "/run/containerd", "socket": "/run/containerd/containerd.sock",
                 "config": "/etc/containerd/config.toml", "containerd_started": notes["containerd_started"]},
        "namespaces": ["csx", "default", "k8s.io", "moby"],
        "namespace_labels": {"csx": {"csx.example/purpose": "native-snapshotter"}},
        "images": images,
        "pod": pod,
        "kubelet_log_rotations": cri.get("rotations", []),
        "docker": {"image": moby["image"], "image_manifest_digest": moby["image_manifest_digest"],
                   "image_top_chain_id": moby["parent_chain_id"]},
        "containers": containers,
        "record_taken": notes["record_taken"],
        "powercut": {"at": notes["powercut_at"], "killed_pids": notes["powercut_killed_pids"].split(),
                     "shims": notes["powercut_shims"].split(), "mounts_left": notes["powercut_mounts_left"].split()},
        "tarball": {"file": "node.tar.xz", "bytes": int(notes["tarball_bytes"]), "sha256": notes["tarball_sha256"],
                    "members": int(notes["tarball_members"]), "unpacked_bytes": int(notes["unpacked_bytes"])},
        "verify": {k[len("verify_"):]: v for k, v in notes.items() if k.startswith("verify_")},
    }
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
