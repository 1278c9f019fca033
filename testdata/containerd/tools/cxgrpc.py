"""cxgrpc.py — a minimal gRPC client for containerd's own API and the CRI runtime.v1 API.

No generated stubs are needed: the messages the fixture generator uses are declared below
(name, field number, type — the wire contract of k8s.io/cri-api runtime/v1 as vendored by
containerd 1.6.20, and of containerd's api/services/{leases,snapshots,containers}/v1), turned
into protobuf descriptors at import time with the protobuf runtime (python3-protobuf) and
called with python3-grpcio's generic unary calls. Only the fields used or answered here are
declared; unknown fields in answers would be kept by the runtime but not shown.

    from cxgrpc import Client
    c = Client("/run/containerd/containerd.sock")
    r = c.call("runtime.v1.RuntimeService", "Version", {"version": "v1"})
    print(c.to_dict(r))

Namespaces (containerd API) are passed as the `containerd-namespace` metadata header and
leases as `containerd-lease`, exactly as containerd's Go client does.
"""
import json

import grpc
from google.protobuf import any_pb2, descriptor_pb2, descriptor_pool, empty_pb2, timestamp_pb2  # noqa: F401
from google.protobuf import message_factory

T = descriptor_pb2.FieldDescriptorProto
SCALARS = {"string": T.TYPE_STRING, "bool": T.TYPE_BOOL, "int32": T.TYPE_INT32,
           "int64": T.TYPE_INT64, "uint32": T.TYPE_UINT32, "uint64": T.TYPE_UINT64,
           "bytes": T.TYPE_BYTES}
WELL_KNOWN = {"Any": ".google.protobuf.Any", "Timestamp": ".google.protobuf.Timestamp",
              "Empty": ".google.protobuf.Empty"}

# ---------------------------------------------------------------------------------------
# CRI runtime.v1 (subset). Field spec: (name, number, type[, "rep"]); "map" = map<string,string>
# ---------------------------------------------------------------------------------------
CRI_ENUMS = {
    "Protocol": ["TCP", "UDP", "SCTP"],
    "MountPropagation": ["PROPAGATION_PRIVATE", "PROPAGATION_HOST_TO_CONTAINER", "PROPAGATION_BIDIRECTIONAL"],
    "NamespaceMode": ["POD", "CONTAINER", "NODE", "TARGET"],
    "PodSandboxState": ["SANDBOX_READY", "SANDBOX_NOTREADY"],
    "ContainerState": ["CONTAINER_CREATED", "CONTAINER_RUNNING", "CONTAINER_EXITED", "CONTAINER_UNKNOWN"],
    "ProfileType": ["RuntimeDefault", "Unconfined", "Localhost"],
}
CRI_MSGS = {
    "VersionRequest": [("version", 1, "string")],
    "VersionResponse": [("version", 1, "string"), ("runtime_name", 2, "string"),
                        ("runtime_version", 3, "string"), ("runtime_api_version", 4, "string")],
    "DNSConfig": [("servers", 1, "string", "rep"), ("searches", 2, "string", "rep"), ("options", 3, "string", "rep")],
    "PortMapping": [("protocol", 1, "Protocol"), ("container_port", 2, "int32"), ("host_port", 3, "int32"),
                    ("host_ip", 4, "string")],
    "Mount": [("container_path", 1, "string"), ("host_path", 2, "string"), ("readonly", 3, "bool"),
              ("selinux_relabel", 4, "bool"), ("propagation", 5, "MountPropagation")],
    "IDMapping": [("host_id", 1, "uint32"), ("container_id", 2, "uint32"), ("length", 3, "uint32")],
    "UserNamespace": [("mode", 1, "NamespaceMode"), ("uids", 2, "IDMapping", "rep"), ("gids", 3, "IDMapping", "rep")],
    "NamespaceOption": [("network", 1, "NamespaceMode"), ("pid", 2, "NamespaceMode"), ("ipc", 3, "NamespaceMode"),
                        ("target_id", 4, "string"), ("userns_options", 5, "UserNamespace")],
    "Int64Value": [("value", 1, "int64")],
    "SecurityProfile": [("profile_type", 1, "ProfileType"), ("localhost_ref", 2, "string")],
    "SELinuxOption": [("user", 1, "string"), ("role", 2, "string"), ("type", 3, "string"), ("level", 4, "string")],
    "LinuxSandboxSecurityContext": [("namespace_options", 1, "NamespaceOption"), ("selinux_options", 2, "SELinuxOption"),
                                    ("run_as_user", 3, "Int64Value"), ("readonly_rootfs", 4, "bool"),
                                    ("supplemental_groups", 5, "int64", "rep"), ("privileged", 6, "bool"),
                                    ("seccomp_profile_path", 7, "string"), ("run_as_group", 8, "Int64Value"),
                                    ("seccomp", 9, "SecurityProfile"), ("apparmor", 10, "SecurityProfile")],
    "HugepageLimit": [("page_size", 1, "string"), ("limit", 2, "uint64")],
    "LinuxContainerResources": [("cpu_period", 1, "int64"), ("cpu_quota", 2, "int64"), ("cpu_shares", 3, "int64"),
                                ("memory_limit_in_bytes", 4, "int64"), ("oom_score_adj", 5, "int64"),
                                ("cpuset_cpus", 6, "string"), ("cpuset_mems", 7, "string"),
                                ("hugepage_limits", 8, "HugepageLimit", "rep"), ("unified", 9, "map"),
                                ("memory_swap_limit_in_bytes", 10, "int64")],
    "LinuxPodSandboxConfig": [("cgroup_parent", 1, "string"), ("security_context", 2, "LinuxSandboxSecurityContext"),
                              ("sysctls", 3, "map"), ("overhead", 4, "LinuxContainerResources"),
                              ("resources", 5, "LinuxContainerResources")],
    "PodSandboxMetadata": [("name", 1, "string"), ("uid", 2, "string"), ("namespace", 3, "string"),
                           ("attempt", 4, "uint32")],
    "PodSandboxConfig": [("metadata", 1, "PodSandboxMetadata"), ("hostname", 2, "string"),
                         ("log_directory", 3, "string"), ("dns_config", 4, "DNSConfig"),
                         ("port_mappings", 5, "PortMapping", "rep"), ("labels", 6, "map"),
                         ("annotations", 7, "map"), ("linux", 8, "LinuxPodSandboxConfig")],
    "RunPodSandboxRequest": [("config", 1, "PodSandboxConfig"), ("runtime_handler", 2, "string")],
    "RunPodSandboxResponse": [("pod_sandbox_id", 1, "string")],
    "StopPodSandboxRequest": [("pod_sandbox_id", 1, "string")],
    "StopPodSandboxResponse": [],
    "PodSandboxStatusRequest": [("pod_sandbox_id", 1, "string"), ("verbose", 2, "bool")],
    "PodIP": [("ip", 1, "string")],
    "PodSandboxNetworkStatus": [("ip", 1, "string"), ("additional_ips", 2, "PodIP", "rep")],
    "Namespace": [("options", 2, "NamespaceOption")],
    "LinuxPodSandboxStatus": [("namespaces", 1, "Namespace")],
    "PodSandboxStatus": [("id", 1, "string"), ("metadata", 2, "PodSandboxMetadata"), ("state", 3, "PodSandboxState"),
                         ("created_at", 4, "int64"), ("network", 5, "PodSandboxNetworkStatus"),
                         ("linux", 6, "LinuxPodSandboxStatus"), ("labels", 7, "map"), ("annotations", 8, "map"),
                         ("runtime_handler", 9, "string")],
    "PodSandboxStatusResponse": [("status", 1, "PodSandboxStatus"), ("info", 2, "map")],
    "PodSandboxStateValue": [("state", 1, "PodSandboxState")],
    "PodSandboxFilter": [("id", 1, "string"), ("state", 2, "PodSandboxStateValue"), ("label_selector", 3, "map")],
    "ListPodSandboxRequest": [("filter", 1, "PodSandboxFilter")],
    "PodSandbox": [("id", 1, "string"), ("metadata", 2, "PodSandboxMetadata"), ("state", 3, "PodSandboxState"),
                   ("created_at", 4, "int64"), ("labels", 5, "map"), ("annotations", 6, "map"),
                   ("runtime_handler", 7, "string")],
    "ListPodSandboxResponse": [("items", 1, "PodSandbox", "rep")],
    "ImageSpec": [("image", 1, "string"), ("annotations", 2, "map")],
    "KeyValue": [("key", 1, "string"), ("value", 2, "string")],
    "Capability": [("add_capabilities", 1, "string", "rep"), ("drop_capabilities", 2, "string", "rep")],
    "LinuxContainerSecurityContext": [("capabilities", 1, "Capability"), ("privileged", 2, "bool"),
                                      ("namespace_options", 3, "NamespaceOption"),
                                      ("selinux_options", 4, "SELinuxOption"), ("run_as_user", 5, "Int64Value"),
                                      ("run_as_username", 6, "string"), ("readonly_rootfs", 7, "bool"),
                                      ("supplemental_groups", 8, "int64", "rep"), ("apparmor_profile", 9, "string"),
                                      ("seccomp_profile_path", 10, "string"), ("no_new_privs", 11, "bool"),
                                      ("run_as_group", 12, "Int64Value"), ("masked_paths", 13, "string", "rep"),
                                      ("readonly_paths", 14, "string", "rep"), ("seccomp", 15, "SecurityProfile"),
                                      ("apparmor", 16, "SecurityProfile")],
    "LinuxContainerConfig": [("resources", 1, "LinuxContainerResources"),
                             ("security_context", 2, "LinuxContainerSecurityContext")],
    "ContainerMetadata": [("name", 1, "string"), ("attempt", 2, "uint32")],
    "Device": [("container_path", 1, "string"), ("host_path", 2, "string"), ("permissions", 3, "string")],
    "ContainerConfig": [("metadata", 1, "ContainerMetadata"), ("image", 2, "ImageSpec"),
                        ("command", 3, "string", "rep"), ("args", 4, "string", "rep"), ("working_dir", 5, "string"),
                        ("envs", 6, "KeyValue", "rep"), ("mounts", 7, "Mount", "rep"),
                        ("devices", 8, "Device", "rep"), ("labels", 9, "map"), ("annotations", 10, "map"),
                        ("log_path", 11, "string"), ("stdin", 12, "bool"), ("stdin_once", 13, "bool"),
                        ("tty", 14, "bool"), ("linux", 15, "LinuxContainerConfig")],
    "CreateContainerRequest": [("pod_sandbox_id", 1, "string"), ("config", 2, "ContainerConfig"),
                               ("sandbox_config", 3, "PodSandboxConfig")],
    "CreateContainerResponse": [("container_id", 1, "string")],
    "StartContainerRequest": [("container_id", 1, "string")],
    "StartContainerResponse": [],
    "StopContainerRequest": [("container_id", 1, "string"), ("timeout", 2, "int64")],
    "StopContainerResponse": [],
    "ReopenContainerLogRequest": [("container_id", 1, "string")],
    "ReopenContainerLogResponse": [],
    "ContainerStateValue": [("state", 1, "ContainerState")],
    "ContainerFilter": [("id", 1, "string"), ("state", 2, "ContainerStateValue"), ("pod_sandbox_id", 3, "string"),
                        ("label_selector", 4, "map")],
    "ListContainersRequest": [("filter", 1, "ContainerFilter")],
    "Container": [("id", 1, "string"), ("pod_sandbox_id", 2, "string"), ("metadata", 3, "ContainerMetadata"),
                  ("image", 4, "ImageSpec"), ("image_ref", 5, "string"), ("state", 6, "ContainerState"),
                  ("created_at", 7, "int64"), ("labels", 8, "map"), ("annotations", 9, "map")],
    "ListContainersResponse": [("containers", 1, "Container", "rep")],
    "ContainerStatusRequest": [("container_id", 1, "string"), ("verbose", 2, "bool")],
    "ContainerResources": [("linux", 1, "LinuxContainerResources")],
    "ContainerStatus": [("id", 1, "string"), ("metadata", 2, "ContainerMetadata"), ("state", 3, "ContainerState"),
                        ("created_at", 4, "int64"), ("started_at", 5, "int64"), ("finished_at", 6, "int64"),
                        ("exit_code", 7, "int32"), ("image", 8, "ImageSpec"), ("image_ref", 9, "string"),
                        ("reason", 10, "string"), ("message", 11, "string"), ("labels", 12, "map"),
                        ("annotations", 13, "map"), ("mounts", 14, "Mount", "rep"), ("log_path", 15, "string"),
                        ("resources", 16, "ContainerResources")],
    "ContainerStatusResponse": [("status", 1, "ContainerStatus"), ("info", 2, "map")],
    "StatusRequest": [("verbose", 1, "bool")],
    "RuntimeCondition": [("type", 1, "string"), ("status", 2, "bool"), ("reason", 3, "string"),
                         ("message", 4, "string")],
    "RuntimeStatus": [("conditions", 1, "RuntimeCondition", "rep")],
    "StatusResponse": [("status", 1, "RuntimeStatus"), ("info", 2, "map")],
    "Image": [("id", 1, "string"), ("repo_tags", 2, "string", "rep"), ("repo_digests", 3, "string", "rep"),
              ("size", 4, "uint64"), ("uid", 5, "Int64Value"), ("username", 6, "string"), ("spec", 7, "ImageSpec"),
              ("pinned", 8, "bool")],
    "ImageFilter": [("image", 1, "ImageSpec")],
    "ListImagesRequest": [("filter", 1, "ImageFilter")],
    "ListImagesResponse": [("images", 1, "Image", "rep")],
    "ImageStatusRequest": [("image", 1, "ImageSpec"), ("verbose", 2, "bool")],
    "ImageStatusResponse": [("image", 1, "Image"), ("info", 2, "map")],
}
CRI_SERVICES = {
    "runtime.v1.RuntimeService": {
        "Version": ("VersionRequest", "VersionResponse"),
        "RunPodSandbox": ("RunPodSandboxRequest", "RunPodSandboxResponse"),
        "StopPodSandbox": ("StopPodSandboxRequest", "StopPodSandboxResponse"),
        "PodSandboxStatus": ("PodSandboxStatusRequest", "PodSandboxStatusResponse"),
        "ListPodSandbox": ("ListPodSandboxRequest", "ListPodSandboxResponse"),
        "CreateContainer": ("CreateContainerRequest", "CreateContainerResponse"),
        "StartContainer": ("StartContainerRequest", "StartContainerResponse"),
        "StopContainer": ("StopContainerRequest", "StopContainerResponse"),
        "ListContainers": ("ListContainersRequest", "ListContainersResponse"),
        "ContainerStatus": ("ContainerStatusRequest", "ContainerStatusResponse"),
        "ReopenContainerLog": ("ReopenContainerLogRequest", "ReopenContainerLogResponse"),
        "Status": ("StatusRequest", "StatusResponse"),
    },
    "runtime.v1.ImageService": {
        "ListImages": ("ListImagesRequest", "ListImagesResponse"),
        "ImageStatus": ("ImageStatusRequest", "ImageStatusResponse"),
    },
}

# ---------------------------------------------------------------------------------------
# containerd services (subset), package csxc (the package name is not on the wire; the
# service paths below are containerd's)
# ---------------------------------------------------------------------------------------
CTRD_MSGS = {
    "Mount": [("type", 1, "string"), ("source", 2, "string"), ("target", 3, "string"),
              ("options", 4, "string", "rep")],
    # leases.v1
    "Lease": [("id", 1, "string"), ("created_at", 2, "Timestamp"), ("labels", 3, "map")],
    "LeaseCreateRequest": [("id", 1, "string"), ("labels", 3, "map")],
    "LeaseCreateResponse": [("lease", 1, "Lease")],
    "LeaseListRequest": [("filters", 1, "string", "rep")],
    "LeaseListResponse": [("leases", 1, "Lease", "rep")],
    "LeaseResource": [("id", 1, "string"), ("type", 2, "string")],
    "LeaseListResourcesRequest": [("id", 1, "string")],
    "LeaseListResourcesResponse": [("resources", 1, "LeaseResource", "rep")],
    # snapshots.v1
    "PrepareSnapshotRequest": [("snapshotter", 1, "string"), ("key", 2, "string"), ("parent", 3, "string"),
                               ("labels", 4, "map")],
    "PrepareSnapshotResponse": [("mounts", 1, "Mount", "rep")],
    "ViewSnapshotRequest": [("snapshotter", 1, "string"), ("key", 2, "string"), ("parent", 3, "string"),
                            ("labels", 4, "map")],
    "ViewSnapshotResponse": [("mounts", 1, "Mount", "rep")],
    "MountsRequest": [("snapshotter", 1, "string"), ("key", 2, "string")],
    "MountsResponse": [("mounts", 1, "Mount", "rep")],
    "CommitSnapshotRequest": [("snapshotter", 1, "string"), ("name", 2, "string"), ("key", 3, "string"),
                              ("labels", 4, "map")],
    "RemoveSnapshotRequest": [("snapshotter", 1, "string"), ("key", 2, "string")],
    "StatSnapshotRequest": [("snapshotter", 1, "string"), ("key", 2, "string")],
    "SnapshotInfo": [("name", 1, "string"), ("parent", 2, "string"), ("kind", 3, "int32"),
                     ("created_at", 4, "Timestamp"), ("updated_at", 5, "Timestamp"), ("labels", 6, "map")],
    "StatSnapshotResponse": [("info", 1, "SnapshotInfo")],
    "UsageRequest": [("snapshotter", 1, "string"), ("key", 2, "string")],
    "UsageResponse": [("size", 1, "int64"), ("inodes", 2, "int64")],
    # containers.v1
    "Runtime": [("name", 1, "string"), ("options", 2, "Any")],
    "CtrContainer": [("id", 1, "string"), ("labels", 2, "map"), ("image", 3, "string"), ("runtime", 4, "Runtime"),
                     ("spec", 5, "Any"), ("snapshotter", 6, "string"), ("snapshot_key", 7, "string"),
                     ("created_at", 8, "Timestamp"), ("updated_at", 9, "Timestamp"),
                     ("extensions", 10, "map<Any>")],
    "CtrCreateContainerRequest": [("container", 1, "CtrContainer")],
    "CtrCreateContainerResponse": [("container", 1, "CtrContainer")],
    "CtrGetContainerRequest": [("id", 1, "string")],
    "CtrGetContainerResponse": [("container", 1, "CtrContainer")],
    "CtrDeleteContainerRequest": [("id", 1, "string")],
    # tasks.v1
    "TaskProcess": [("container_id", 1, "string"), ("id", 2, "string"), ("pid", 3, "uint32"), ("status", 4, "int32"),
                    ("stdin", 5, "string"), ("stdout", 6, "string"), ("stderr", 7, "string"), ("terminal", 8, "bool"),
                    ("exit_status", 9, "uint32"), ("exited_at", 10, "Timestamp")],
    "TaskGetRequest": [("container_id", 1, "string"), ("exec_id", 2, "string")],
    "TaskGetResponse": [("process", 1, "TaskProcess")],
    "TaskDeleteRequest": [("container_id", 1, "string")],
    "TaskDeleteResponse": [("id", 1, "string"), ("pid", 2, "uint32"), ("exit_status", 3, "uint32"),
                           ("exited_at", 4, "Timestamp")],
    # runc shim options (containerd.runc.v1.Options, runtime/v2/runc/options/oci.proto)
    "RuncOptions": [("no_pivot_root", 1, "bool"), ("no_new_keyring", 2, "bool"), ("shim_cgroup", 3, "string"),
                    ("io_uid", 4, "uint32"), ("io_gid", 5, "uint32"), ("binary_name", 6, "string"),
                    ("root", 7, "string"), ("criu_path", 8, "string"), ("systemd_cgroup", 9, "bool"),
                    ("criu_image_path", 10, "string"), ("criu_work_path", 11, "string")],
}
CTRD_SERVICES = {
    "containerd.services.leases.v1.Leases": {
        "Create": ("LeaseCreateRequest", "LeaseCreateResponse"),
        "List": ("LeaseListRequest", "LeaseListResponse"),
        "ListResources": ("LeaseListResourcesRequest", "LeaseListResourcesResponse"),
    },
    "containerd.services.snapshots.v1.Snapshots": {
        "Prepare": ("PrepareSnapshotRequest", "PrepareSnapshotResponse"),
        "View": ("ViewSnapshotRequest", "ViewSnapshotResponse"),
        "Mounts": ("MountsRequest", "MountsResponse"),
        "Commit": ("CommitSnapshotRequest", "Empty"),
        "Remove": ("RemoveSnapshotRequest", "Empty"),
        "Stat": ("StatSnapshotRequest", "StatSnapshotResponse"),
        "Usage": ("UsageRequest", "UsageResponse"),
    },
    "containerd.services.tasks.v1.Tasks": {
        "Get": ("TaskGetRequest", "TaskGetResponse"),
        "Delete": ("TaskDeleteRequest", "TaskDeleteResponse"),
    },
    "containerd.services.containers.v1.Containers": {
        "Create": ("CtrCreateContainerRequest", "CtrCreateContainerResponse"),
        "Get": ("CtrGetContainerRequest", "CtrGetContainerResponse"),
        "Delete": ("CtrDeleteContainerRequest", "Empty"),
    },
}


def _build_file(name, package, msgs, enums):
    fd = descriptor_pb2.FileDescriptorProto(name=name, package=package, syntax="proto3")
    fd.dependency.extend(["google/protobuf/any.proto", "google/protobuf/timestamp.proto",
                          "google/protobuf/empty.proto"])
    for en, values in enums.items():
        e = fd.enum_type.add(name=en)
        for i, v in enumerate(values):
            e.value.add(name=v, number=i)
    for mn, fields in msgs.items():
        m = fd.message_type.add(name=mn)
        for f in fields:
            fname, num, typ = f[0], f[1], f[2]
            rep = len(f) > 3 and f[3] == "rep"
            fp = m.field.add(name=fname, number=num, json_name=fname)
            if typ in ("map", "map<Any>"):
                entry = m.nested_type.add(name="".join(p.capitalize() for p in fname.split("_")) + "Entry")
                entry.options.map_entry = True
                entry.field.add(name="key", number=1, type=T.TYPE_STRING, label=T.LABEL_OPTIONAL)
                vf = entry.field.add(name="value", number=2, label=T.LABEL_OPTIONAL)
                if typ == "map":
                    vf.type = T.TYPE_STRING
                else:
                    vf.type, vf.type_name = T.TYPE_MESSAGE, ".google.protobuf.Any"
                fp.type, fp.type_name = T.TYPE_MESSAGE, ".%s.%s.%s" % (package, mn, entry.name)
                fp.label = T.LABEL_REPEATED
                continue
            fp.label = T.LABEL_REPEATED if rep else T.LABEL_OPTIONAL
            if typ in SCALARS:
                fp.type = SCALARS[typ]
            elif typ in WELL_KNOWN:
                fp.type, fp.type_name = T.TYPE_MESSAGE, WELL_KNOWN[typ]
            elif typ in enums:
                fp.type, fp.type_name = T.TYPE_ENUM, ".%s.%s" % (package, typ)
            else:
                fp.type, fp.type_name = T.TYPE_MESSAGE, ".%s.%s" % (package, typ)
    return fd


_POOL = descriptor_pool.Default()
for _fd in (_build_file("csx/cri_v1.proto", "runtime.v1", CRI_MSGS, CRI_ENUMS),
            _build_file("csx/containerd.proto", "csxc", CTRD_MSGS, {})):
    try:
        _POOL.Add(_fd)
    except TypeError:
        _POOL.AddSerializedFile(_fd.SerializeToString())


def msg_class(full_name):
    d = _POOL.FindMessageTypeByName(full_name)
    if hasattr(message_factory, "GetMessageClass"):
        return message_factory.GetMessageClass(d)
    return message_factory.MessageFactory(_POOL).GetPrototype(d)


def _resolve(service, method):
    if service in CRI_SERVICES:
        req, resp = CRI_SERVICES[service][method]
        pkg = "runtime.v1"
    else:
        req, resp = CTRD_SERVICES[service][method]
        pkg = "csxc"
    rq = msg_class(pkg + "." + req)
    rs = msg_class("google.protobuf.Empty" if resp == "Empty" else pkg + "." + resp)
    return rq, rs


def from_dict(cls, d):
    """Build a message from a plain dict (nested dicts, lists, enum names, Any as message)."""
    m = cls()
    for k, v in d.items():
        fd = m.DESCRIPTOR.fields_by_name[k]
        if fd.message_type is not None and fd.message_type.GetOptions().map_entry:
            target = getattr(m, k)
            vt = fd.message_type.fields_by_name["value"]
            for mk, mv in v.items():
                if vt.message_type is not None:
                    target[mk].CopyFrom(mv)
                else:
                    target[mk] = mv
        elif fd.label == fd.LABEL_REPEATED:
            if fd.message_type is not None:
                for item in v:
                    getattr(m, k).add().CopyFrom(from_dict(msg_class(fd.message_type.full_name), item)
                                                 if isinstance(item, dict) else item)
            else:
                getattr(m, k).extend(v)
        elif fd.message_type is not None:
            if isinstance(v, dict):
                getattr(m, k).CopyFrom(from_dict(msg_class(fd.message_type.full_name), v))
            else:
                getattr(m, k).CopyFrom(v)
        elif fd.enum_type is not None and isinstance(v, str):
            setattr(m, k, fd.enum_type.values_by_name[v].number)
        else:
            setattr(m, k, v)
    return m


def to_dict(m):
    """Every declared field, defaults included; int64 as JSON numbers; enums by name;
    Timestamps as {seconds, nanos}; Any as {type_url, value_base64, value_json if JSON}."""
    import base64
    if m.DESCRIPTOR.full_name == "google.protobuf.Any":
        out = {"type_url": m.type_url, "value_base64": base64.b64encode(m.value).decode()}
        try:
            out["value_json"] = json.loads(m.value)
        except Exception:
            pass
        return out
    if m.DESCRIPTOR.full_name == "google.protobuf.Timestamp":
        return {"seconds": m.seconds, "nanos": m.nanos}
    out = {}
    for fd in m.DESCRIPTOR.fields:
        v = getattr(m, fd.name)
        if fd.message_type is not None and fd.message_type.GetOptions().map_entry:
            vt = fd.message_type.fields_by_name["value"]
            out[fd.name] = {k: (to_dict(v[k]) if vt.message_type is not None else v[k]) for k in sorted(v)}
        elif fd.label == fd.LABEL_REPEATED:
            if fd.message_type is not None:
                out[fd.name] = [to_dict(x) for x in v]
            elif fd.type == fd.TYPE_BYTES:
                out[fd.name] = [base64.b64encode(x).decode() for x in v]
            else:
                out[fd.name] = list(v)
        elif fd.message_type is not None:
            out[fd.name] = to_dict(v) if m.HasField(fd.name) else None
        elif fd.enum_type is not None:
            ev = fd.enum_type.values_by_number.get(v)
            out[fd.name] = ev.name if ev else v
        elif fd.type == fd.TYPE_BYTES:
            out[fd.name] = base64.b64encode(v).decode()
        else:
            out[fd.name] = v
    return out


def any_msg(type_url, value):
    a = any_pb2.Any()
    a.type_url = type_url
    a.value = value if isinstance(value, bytes) else value.SerializeToString()
    return a


class Client:
    def __init__(self, socket_path):
        self.channel = grpc.insecure_channel("unix://" + socket_path)

    def call(self, service, method, request=None, namespace=None, lease=None, timeout=60):
        rq, rs = _resolve(service, method)
        if request is None:
            request = {}
        if isinstance(request, dict):
            request = from_dict(rq, request)
        md = []
        if namespace:
            md.append(("containerd-namespace", namespace))
        if lease:
            md.append(("containerd-lease", lease))
        fn = self.channel.unary_unary("/%s/%s" % (service, method),
                                      request_serializer=lambda x: x.SerializeToString(),
                                      response_deserializer=rs.FromString)
        return fn(request, metadata=md or None, timeout=timeout)

    # CRI shorthands
    def cri(self, method, request=None):
        svc = "runtime.v1.ImageService" if method in CRI_SERVICES["runtime.v1.ImageService"] else "runtime.v1.RuntimeService"
        return self.call(svc, method, request)

    to_dict = staticmethod(to_dict)
