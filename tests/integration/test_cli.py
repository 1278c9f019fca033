#!/usr/bin/env python3
"""The command line: help and manual pages, exit codes, name lookup,
--sysroot discovery of the data root."""
import json
import os
import re
import subprocess
import tempfile

from harness import SRC, Tap, csleuth, csleuth_json, fixture

COMMANDS = ["ps", "images", "volumes", "inspect", "history", "logs", "diff", "export", "cp", "mount", "umount",
            "timeline", "collect", "check"]


def check_help(t):
    rc, out, _ = csleuth("--help")
    t.ok(rc == 0 and all(c.encode() in out for c in COMMANDS), "csleuth --help lists every command")
    t.ok(b"Exit status" in out, "csleuth --help documents the exit codes")
    for c in COMMANDS:
        rc, out, _ = csleuth(c, "--help")
        t.ok(rc == 0 and out.startswith(f"Usage: csleuth {c}".encode()), f"{c} --help prints its usage")
        if c != "umount":
            t.ok(b"Global options" in out and b"--sysroot" in out and b"--no-warnings" in out,
                 f"{c} --help shows the global options")
        # every option --help names is in the manual page, and every long
        # option the command takes is in --help
        page_text = open(os.path.join(SRC, "docs", "man", f"csleuth-{c}.1")).read().replace("\\-", "-")
        opts = set(re.findall(rb"(--[a-z][a-z-]+)", out.split(b"Global options")[0]))
        missing = [o.decode() for o in opts if o.decode() not in page_text]
        t.ok(not missing, f"{c}: the manual documents every option of --help", missing)
        readme = open(os.path.join(SRC, "README.md")).read()
        missing = [o.decode() for o in opts if o.decode() not in readme]
        t.ok(f"`{c}" in readme and not missing, f"{c}: the README table lists the command and its options", missing)
        page = os.path.join(SRC, "docs", "man", f"csleuth-{c}.1")
        t.ok(os.path.exists(page), f"{c} has a manual page")
        r = subprocess.run(["man", "-l", "--warnings", page], capture_output=True,
                           env={**os.environ, "MANWIDTH": "80"}) if os.path.exists("/usr/bin/man") else None
        if r is None:
            t.skip(f"{c}: man is not installed")
        else:
            t.ok(r.returncode == 0 and r.stderr == b"", f"{c}: manual page renders without warnings", r.stderr)
    page = os.path.join(SRC, "docs", "man", "csleuth.1")
    t.ok(os.path.exists(page) and "EXIT STATUS" in open(page).read(), "csleuth(1) documents exit status")


def check_usage(t, root):
    t.eq(csleuth()[0], 2, "no command: exit 2")
    t.eq(csleuth("frobnicate")[0], 2, "unknown command: exit 2")
    t.eq(csleuth("--root", root, "ps", "--bogus")[0], 2, "unknown option: exit 2")
    t.eq(csleuth("--root", root, "--sysroot", root, "ps")[0], 2, "--root with --sysroot: exit 2")
    t.eq(csleuth("--root", root, "history")[0], 2, "history without an image: exit 2")


def check_lookup(t, root):
    rc, _, err = csleuth("--root", root, "inspect", "no-such-thing")
    t.ok(rc == 4 and b"no-such-thing" in err, "an unknown name exits 4 and names what was asked")
    rc, out, err = csleuth("--root", root, "inspect", "changes", "no-such-thing")
    t.ok(rc == 4 and len(json.loads(out)) == 1, "known names are still printed beside an unknown one")
    # an ambiguous prefix: find one shared by two containers or images
    _, ps, _ = csleuth_json("--root", root, "ps", "--json")
    _, ims, _ = csleuth_json("--root", root, "images", "--json")
    for kind, ids in (("container", [c["id"] for c in ps]), ("image", [i["id"][7:] for i in ims])):
        prefix = next((a[:k] for k in (1, 2) for a in ids if sum(b.startswith(a[:k]) for b in ids) > 1), None)
        if prefix is None:
            t.skip(f"no shared {kind} prefix in the fixture")
            continue
        args = ["history", prefix] if kind == "image" else ["inspect", "--type", "container", prefix]
        rc, _, err = csleuth("--root", root, *args)
        cands = [i for i in ids if i.startswith(prefix)]
        t.ok(rc == 4 and b"ambiguous" in err and all(c.encode() in err for c in cands),
             f"ambiguous {kind} prefix `{prefix}` lists its {len(cands)} candidates", err)
    for q in ("csx/app:1.0", "csx/app", "docker.io/library/dive-test:latest", "dive-test"):
        rc, got, _ = csleuth_json("--root", root, "inspect", "--type", "image", q)
        t.ok(rc == 0 and len(got) == 1, f"image reference `{q}` is found")
    rc, got, _ = csleuth_json("--root", root, "ps", "--running", "--json")
    t.eq([c["name"] for c in got], ["powercut"], "ps --running lists the container running at the power cut")


def make_sysroot(tmp, root, name):
    sr = os.path.join(tmp, name)
    os.makedirs(os.path.join(sr, "srv"))
    subprocess.run(["cp", "-a", root, os.path.join(sr, "srv", "dockerdata")], check=True)
    return sr


def check_sysroot(t, root, tmp):
    sr = make_sysroot(tmp, root, "host")
    os.makedirs(os.path.join(sr, "etc", "docker"))
    # the data root is reached through an absolute symlink *inside* the sysroot
    os.makedirs(os.path.join(sr, "data"))
    os.symlink("/srv/dockerdata", os.path.join(sr, "data", "docker"))
    with open(os.path.join(sr, "etc", "docker", "daemon.json"), "w") as f:
        json.dump({"data-root": "/data/docker"}, f)
    rc, ps, err = csleuth_json("--sysroot", sr, "ps", "--json")
    t.ok(rc == 0 and len(ps) == 12, "daemon.json data-root is honoured through an in-root symlink")
    t.ok(b"daemon.json" in err and b"/data/docker" in err, "stderr says where the data root came from")
    # the dockerd command line in a systemd drop-in wins over daemon.json
    os.rename(os.path.join(sr, "srv", "dockerdata"), os.path.join(sr, "srv", "viaunit"))
    unit = os.path.join(sr, "lib", "systemd", "system")
    os.makedirs(os.path.join(unit, "docker.service.d"))
    with open(os.path.join(unit, "docker.service"), "w") as f:
        f.write("[Service]\nExecStart=/usr/bin/dockerd -H fd:// -g /nowhere\n")
    dropin = os.path.join(sr, "etc", "systemd", "system", "docker.service.d")
    os.makedirs(dropin)
    with open(os.path.join(dropin, "10-data.conf"), "w") as f:
        f.write("[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H fd:// \\\n  --data-root=/srv/viaunit\n")
    rc, ps, err = csleuth_json("--sysroot", sr, "ps", "--json")
    t.ok(rc == 0 and len(ps) == 12, "--data-root in a systemd drop-in is honoured", err)
    t.ok(b"10-data.conf" in err, "stderr names the drop-in")
    # a data root symlinked out of the sysroot is not followed onto this machine
    os.unlink(os.path.join(dropin, "10-data.conf"))
    os.unlink(os.path.join(unit, "docker.service"))
    os.unlink(os.path.join(sr, "data", "docker"))
    os.symlink(root, os.path.join(sr, "data", "docker"))  # absolute host path
    rc, _, err = csleuth("--sysroot", sr, "ps")
    t.eq(rc, 1, "a data-root symlink pointing out of the sysroot is not followed")
    # default location
    sr2 = make_sysroot(tmp, root, "plain")
    os.makedirs(os.path.join(sr2, "var", "lib"))
    os.rename(os.path.join(sr2, "srv", "dockerdata"), os.path.join(sr2, "var", "lib", "docker"))
    rc, ps, err = csleuth_json("--sysroot", sr2, "ps", "--json")
    t.ok(rc == 0 and len(ps) == 12 and b"default" in err, "without configuration /var/lib/docker is used")


def check_host_model(t, root, tmp):
    """Items carry their engine; filters; what is said when nothing is found."""
    rc, ps, _ = csleuth_json("--root", root, "ps", "--json")
    t.ok(rc == 0 and ps and all(c["engine"] == "docker" and c["namespace"] is None and c["pod"] is None
                                for c in ps), "ps --json: engine docker, namespace and pod null")
    rc, ims, _ = csleuth_json("--root", root, "images", "--json")
    t.ok(rc == 0 and ims and all(i["engine"] == "docker" and i["namespace"] is None for i in ims),
         "images --json: engine docker, namespace null")
    rc, got, _ = csleuth_json("--root", root, "ps", "--engine", "docker", "--json")
    t.eq(len(got), len(ps), "ps --engine docker keeps every docker container")
    rc, got, _ = csleuth_json("--root", root, "ps", "--engine", "containerd", "--json")
    t.eq(got, [], "ps --engine containerd drops them")
    rc, got, _ = csleuth_json("--root", root, "images", "--namespace", "k8s.io", "--json")
    t.eq(got, [], "images --namespace filters by namespace")
    rc, out, _ = csleuth("--root", root, "ps")
    t.ok(b"ENGINE" not in out.splitlines()[0], "one engine: no ENGINE column")
    rc, got, _ = csleuth_json("--root", root, "inspect", "docker:changes")
    t.ok(rc == 0 and len(got) == 1 and got[0]["Name"] == "/changes", "ENGINE:NAME resolves")
    empty = os.path.join(tmp, "empty-host")
    os.makedirs(os.path.join(empty, "etc"))
    with open(os.path.join(empty, "etc", "os-release"), "w") as f:
        f.write("ID=debian\n")
    rc, _, err = csleuth("--sysroot", empty, "ps")
    t.ok(rc == 1 and b"no container engine data" in err and b"/var/lib/docker" in err,
         "a host without engine data says what was looked for", err)
    rc, _, err = csleuth("--root", empty, "ps")
    t.ok(rc == 1 and b"--sysroot" in err, "a host filesystem given to --root suggests --sysroot", err)


def check_table(t, root):
    rc, out, _ = csleuth("--root", root, "ps")
    lines = out.decode().splitlines()
    t.ok(lines[0].split()[:4] == ["CONTAINER", "ID", "NAME", "IMAGE"], "ps table header")
    t.eq(len(lines), 13, "ps table has a row per container")
    t.ok(all(len(ln.split()[0]) == 12 for ln in lines[1:]), "ids are 12 characters")
    rc, out, _ = csleuth("--root", root, "ps", "--no-trunc")
    t.ok(all(len(ln.split()[0]) == 64 for ln in out.decode().splitlines()[1:]), "--no-trunc shows 64-character ids")
    t.ok(re.search(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z", out), "--no-trunc shows nanoseconds")
    rc, out, _ = csleuth("--root", root, "images")
    t.ok(b"csx/app" in out and b"3.03MB" in out, "images table shows tags and docker-style sizes")
    rc, out, _ = csleuth("--root", root, "history", "csx/app:1.0")
    t.ok(b"<missing>" not in out.splitlines()[1] and b"CREATED BY" in out, "history table")


def main():
    t = Tap()
    t.run(check_help)
    if os.geteuid() != 0:
        t.skip("unpacking the fixture needs root")
        t.done()
    root = fixture("overlay2")
    t.run(check_usage, root)
    t.run(check_lookup, root)
    t.run(check_table, root)
    with tempfile.TemporaryDirectory() as tmp:
        t.run(check_sysroot, root, tmp)
        t.run(check_host_model, root, tmp)
    t.done()


main()
