#!/usr/bin/env python3
"""emulate_crio.py - EMULATE what CRI-O leaves in a containers/storage store for one pod
(sandbox + one container), on top of two real storage containers made by `buildah from`.

    emulate_crio.py GRAPHROOT SANDBOX_ID CONTAINER_ID TEMPLATE_CONFIG_JSON   > report.json

CRI-O could not be installed here. The two containers (their RW layers, containers.json and
layers.json entries, userdata/ directories) were created by real buildah in the real store;
this script only rewrites what CRI-O would have written differently, following the CRI-O
source (cri-o/cri-o tag v1.36.3, commit b24632ab44955fa84685640d4177f3c554e9f69c):
  internal/storage/runtime.go  RuntimeContainerMetadata (containers.json "metadata": pod-name,
      pod-id, image-name, image-id, name, metadata-name, uid, namespace, created-at, pod,
      ...), names = [container name] (+ pod name for the sandbox), ContainerOptions
      Volatile: true (every CRI-O container), layer name "<container name>-layer"
  server/naming.go, internal/factory/container/container.go  names
      k8s_POD_<pod>_<namespace>_<uid>_<attempt> (sandbox container) and
      k8s_<container>_<pod>_<namespace>_<uid>_<attempt>; the pod (sandbox) name is
      k8s_<pod>_<namespace>_<uid>_<attempt>; the sandbox container id is the pod id
  server/sandbox_run_linux.go, server/container_create.go  the OCI spec saved as
      userdata/config.json in graphroot, annotations io.kubernetes.cri-o.* and
      io.container.manager=cri-o (internal/annotations/annotations.go)
The OCI spec body is TEMPLATE_CONFIG_JSON (a real podman-generated config.json from the same
store) with podman's annotations replaced; buildah's own userdata/buildah.json is removed.
Kubernetes logs would be in /var/log/pods/<ns>_<pod>_<uid>/<container>/<attempt>.log (the
LogPath annotation); no such file is made.
"""
import json
import os
import sys
import time

POD, NS, UID, ATTEMPT = "web-0", "default", "6f1c2a7e-3b4d-4e5f-8a9b-0c1d2e3f4a5b", 0
CTR = "app"


def load(p):
    with open(p) as f:
        return json.load(f)


def save_compact(p, obj):
    tmp = p + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f, separators=(",", ":"))
    os.rename(tmp, p)


def main():
    graphroot, sbid, cid, template = sys.argv[1:5]
    cj = os.path.join(graphroot, "overlay-containers", "containers.json")
    lj = os.path.join(graphroot, "overlay-layers", "layers.json")
    ctrs, layers = load(cj), load(lj)
    images = {i["id"]: i for i in load(os.path.join(graphroot, "overlay-images", "images.json"))}
    sb = next(c for c in ctrs if c["id"] == sbid)
    ct = next(c for c in ctrs if c["id"] == cid)
    pod_name = "k8s_%s_%s_%s_%d" % (POD, NS, UID, ATTEMPT)
    sb_name = "k8s_POD_%s_%s_%s_%d" % (POD, NS, UID, ATTEMPT)
    ct_name = "k8s_%s_%s_%s_%s_%d" % (CTR, POD, NS, UID, ATTEMPT)
    labels = {"io.kubernetes.pod.name": POD, "io.kubernetes.pod.namespace": NS, "io.kubernetes.pod.uid": UID}
    log_dir = "/var/log/pods/%s_%s_%s" % (NS, POD, UID)
    out = {"EMULATED": "CRI-O metadata written by tools/emulate_crio.py over real buildah containers",
           "pod": {"name": POD, "namespace": NS, "uid": UID, "sandbox_name": pod_name, "id": sbid}}
    for c, is_sb in ((sb, True), (ct, False)):
        old_meta = json.loads(c.get("metadata") or "{}")
        name = sb_name if is_sb else ct_name
        created = int(time.time())
        image_name = old_meta.get("image-name") or (images.get(c["image"], {}).get("names") or [""])[0]
        meta = {"pod-name": pod_name, "pod-id": sbid, "image-name": image_name,
                "image-id": c["image"], "name": name, "metadata-name": POD if is_sb else CTR,
                "created-at": created}
        if is_sb:
            meta.update({"uid": UID, "namespace": NS, "pod": True})
        c["names"] = [name] + ([pod_name] if is_sb else [])
        c["metadata"] = json.dumps(meta, separators=(",", ":"))
        c.setdefault("flags", {})["Volatile"] = True
        layer = next(l for l in layers if l["id"] == c["layer"])
        layer["names"] = [name + "-layer"]
        # the OCI spec CRI-O saves in userdata/config.json
        spec = load(template)
        ann = {k: v for k, v in (spec.get("annotations") or {}).items()
               if not k.startswith("io.podman.") and k != "io.container.manager"}
        created_s = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(created)) + ".000000000Z"
        lbl = dict(labels, **({"io.kubernetes.container.name": "POD"} if is_sb else {"io.kubernetes.container.name": CTR}))
        ann.update({
            "io.container.manager": "cri-o",
            "io.kubernetes.cri-o.ContainerType": "sandbox" if is_sb else "container",
            "io.kubernetes.cri-o.ContainerID": c["id"],
            "io.kubernetes.cri-o.ContainerName": name,
            "io.kubernetes.cri-o.Name": name,
            "io.kubernetes.cri-o.SandboxID": sbid,
            "io.kubernetes.cri-o.SandboxName": pod_name,
            "io.kubernetes.cri-o.Created": created_s,
            "io.kubernetes.cri-o.Image": meta["image-name"],
            "io.kubernetes.cri-o.ImageName": meta["image-name"],
            "io.kubernetes.cri-o.ImageRef": c["image"],
            "io.kubernetes.cri-o.Labels": json.dumps(lbl, separators=(",", ":")),
            "io.kubernetes.cri-o.Annotations": json.dumps({"kubernetes.io/config.source": "api"}, separators=(",", ":")),
            "io.kubernetes.cri-o.Metadata": json.dumps({"name": POD, "uid": UID, "namespace": NS} if is_sb else {"name": CTR},
                                                       separators=(",", ":")),
            "io.kubernetes.cri-o.LogPath": log_dir + ("/%s.log" % sbid if is_sb else "/%s/%d.log" % (CTR, ATTEMPT)),
            "io.kubernetes.cri-o.MountPoint": "%s/overlay/%s/merged" % (graphroot_recorded(), c["layer"]),
            "io.kubernetes.cri-o.ResolvPath": "/run/containers/storage/overlay-containers/%s/userdata/resolv.conf" % sbid,
            "io.kubernetes.cri-o.TTY": "false",
        })
        if is_sb:
            ann.update({"io.kubernetes.cri-o.KubeName": POD, "io.kubernetes.cri-o.Namespace": NS,
                        "io.kubernetes.cri-o.HostName": POD, "io.kubernetes.cri-o.HostNetwork": "false",
                        "io.kubernetes.cri-o.PrivilegedRuntime": "false"})
        spec["annotations"] = dict(sorted(ann.items()))
        spec["hostname"] = POD
        spec.setdefault("root", {})["path"] = ann["io.kubernetes.cri-o.MountPoint"]
        ud = os.path.join(graphroot, "overlay-containers", c["id"], "userdata")
        with open(os.path.join(ud, "config.json"), "w") as f:
            json.dump(spec, f)
        if os.path.exists(os.path.join(ud, "buildah.json")):
            os.unlink(os.path.join(ud, "buildah.json"))
        out["sandbox" if is_sb else "container"] = {"id": c["id"], "names": c["names"], "layer": c["layer"],
                                                    "metadata": meta, "annotations": spec["annotations"]}
    save_compact(cj, ctrs)
    save_compact(lj, layers)
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


def graphroot_recorded():
    return os.environ.get("CSX_RECORDED_GRAPHROOT", "/var/lib/containers/storage")


if __name__ == "__main__":
    main()
