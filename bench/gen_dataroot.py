#!/usr/bin/env python3
"""Generate a synthetic but realistic Docker data root (overlay2, Docker 20.10 style).

The tree mimics what dockerd 20.10 leaves in /var/lib/docker, modelled on the
real snapshots kept in ../shared/realdata/docker-explorer/ (overlay2.v2.tgz and
vols.v2.tgz): containers/<id>/config.v2.json + hostconfig.json + friends,
image/overlay2/{repositories.json,imagedb,layerdb,distribution}, overlay2/ with
link/lower files and l/ symlinks, volumes/<name>/_data.

Layer contents are (almost) empty directories: the tree is meant for
benchmarking metadata tools such as `csleuth ps`, not file-system walkers.

Usage:
    gen_dataroot.py OUTDIR [--containers N] [--images M] [--seed S] [--force]

Deterministic for a given (N, M, seed). Python 3 standard library only.
"""

import argparse
import base64
import datetime
import gzip
import hashlib
import json
import os
import random
import shutil
import sys

EMPTY_LAYER_DIFF = ("sha256:5f70bf18a086007016e948b04aed3b82"
                    "103a36bea41755b6cddfaf10ace3c6ef")  # digest of an empty tar
ZERO_TIME = "0001-01-01T00:00:00Z"
PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
MASKED_PATHS = ["/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys",
                "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
                "/proc/sched_debug", "/proc/scsi", "/sys/firmware"]
READONLY_PATHS = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                  "/proc/sysrq-trigger"]

# A subset of moby's pkg/namesgenerator lists.
ADJECTIVES = (
    "admiring adoring affectionate agitated amazing angry awesome beautiful "
    "blissful bold boring brave busy charming clever cool compassionate "
    "competent condescending confident cranky crazy dazzling determined "
    "distracted dreamy eager ecstatic elastic elated elegant eloquent epic "
    "exciting fervent festive flamboyant focused friendly frosty funny "
    "gallant gifted goofy gracious great happy hardcore heuristic hopeful "
    "hungry infallible inspiring intelligent interesting jolly jovial keen "
    "kind laughing loving lucid magical mystifying modest musing naughty "
    "nervous nice nifty nostalgic objective optimistic peaceful pedantic "
    "pensive practical priceless quirky quizzical recursing relaxed "
    "reverent romantic sad serene sharp silly sleepy stoic strange "
    "stupefied suspicious sweet tender thirsty trusting unruffled upbeat "
    "vibrant vigilant vigorous wizardly wonderful xenodochial youthful "
    "zealous zen").split()
SURNAMES = (
    "albattani allen almeida agnesi archimedes ardinghelli aryabhata austin "
    "babbage banach bardeen bartik bassi beaver bell bhabha bhaskara "
    "blackburn blackwell bohr booth borg bose boyd brahmagupta brattain "
    "brown buck burnell cannon carson cartwright cerf chandrasekhar "
    "chaplygin chatelet chatterjee chebyshev clarke colden cori cray "
    "curie darwin davinci dewdney dhawan diffie dijkstra dirac driscoll "
    "dubinsky easley edison einstein elbakyan elgamal elion ellis "
    "engelbart euclid euler faraday feistel fermat fermi feynman franklin "
    "gagarin galileo galois ganguly gates gauss germain goldberg "
    "goldstine goldwasser golick goodall gould greider grothendieck "
    "haibt hamilton haslett hawking hellman heisenberg hermann herschel "
    "hertz heyrovsky hodgkin hofstadter hoover hopper hugle hypatia "
    "jackson jang jennings jepsen johnson joliot jones kalam kapitsa kare "
    "keldysh keller kepler khayyam khorana kilby kirch knuth kowalevski "
    "lalande lamarr lamport leakey leavitt lederberg lehmann lewin "
    "lichterman liskov lovelace lumiere mahavira margulis matsumoto "
    "maxwell mayer mccarthy mcclintock mclaren mclean mcnulty mendel "
    "mendeleev meitner merkle mestorf mirzakhani moore morse murdock "
    "napier nash neumann newton nightingale nobel noether northcutt noyce "
    "panini pare pascal pasteur payne perlman pike poincare poitras "
    "proskuriakova ptolemy raman ramanujan ride ritchie rhodes robinson "
    "roentgen rosalind rubin saha sammet sanderson satoshi shamir shannon "
    "shaw shirley shockley shtern sinoussi snyder solomon spence "
    "stonebraker sutherland swanson swartz swirles taussig tereshkova "
    "tesla tharp thompson torvalds tu turing varahamihira vaughan "
    "villani visvesvaraya volhard wescoff wilbur wiles williams "
    "williamson wilson wing wozniak wright wu yalow yonath zhukovsky").split()

OS_BASES = [
    # repo, tag, layer count, env, cmd, pulled from docker hub
    ("alpine", "3.13", 3, [], ["/bin/sh"]),
    ("alpine", "3.14", 3, [], ["/bin/sh"]),
    ("debian", "buster-slim", 3, [], ["bash"]),
    ("debian", "bullseye", 3, [], ["bash"]),
    ("ubuntu", "18.04", 4, [], ["/bin/bash"]),
    ("ubuntu", "20.04", 3, [], ["bash"]),
    ("centos", "7", 3, [], ["/bin/bash"]),
    ("amazonlinux", "2", 3, [], ["/bin/bash"]),
    ("busybox", "1.33", 3, [], ["sh"]),
    ("registry.access.redhat.com/ubi8/ubi-minimal", "8.4", 3,
     ["container=oci"], ["/bin/bash"]),
    ("gcr.io/distroless/base", "latest", 3,
     ["SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"], None),
    ("k8s.gcr.io/pause", "3.2", 3, [], None),
]

RUNTIMES = [
    # repo, tags, env, cmd, entrypoint, exposed
    ("python", ["3.8-slim", "3.9-slim", "3.9", "3.10-alpine"],
     ["LANG=C.UTF-8", "PYTHON_VERSION=3.9.7", "PYTHON_PIP_VERSION=21.2.4"],
     ["python3"], None, None),
    ("node", ["14-alpine", "16-alpine", "16-bullseye", "12"],
     ["NODE_VERSION=16.9.1", "YARN_VERSION=1.22.5"], ["node"],
     ["docker-entrypoint.sh"], None),
    ("golang", ["1.16", "1.17-alpine"],
     ["GOLANG_VERSION=1.17.1", "GOPATH=/go"], ["bash"], None, None),
    ("openjdk", ["11-jre-slim", "17-jdk"],
     ["JAVA_HOME=/usr/local/openjdk-11", "LANG=C.UTF-8",
      "JAVA_VERSION=11.0.12"], ["jshell"], None, None),
    ("nginx", ["1.21", "1.20-alpine", "stable"],
     ["NGINX_VERSION=1.21.3", "NJS_VERSION=0.6.2", "PKG_RELEASE=1~buster"],
     ["nginx", "-g", "daemon off;"], ["/docker-entrypoint.sh"], ["80/tcp"]),
    ("redis", ["6.2", "6.0-alpine"],
     ["GOSU_VERSION=1.12", "REDIS_VERSION=6.2.5"], ["redis-server"],
     ["docker-entrypoint.sh"], ["6379/tcp"]),
    ("postgres", ["13", "12-alpine"],
     ["GOSU_VERSION=1.12", "LANG=en_US.utf8", "PG_MAJOR=13",
      "PG_VERSION=13.4-1.pgdg100+1", "PGDATA=/var/lib/postgresql/data"],
     ["postgres"], ["docker-entrypoint.sh"], ["5432/tcp"]),
    ("mysql", ["8.0", "5.7"],
     ["GOSU_VERSION=1.12", "MYSQL_MAJOR=8.0", "MYSQL_VERSION=8.0.26-1debian10"],
     ["mysqld"], ["docker-entrypoint.sh"], ["3306/tcp", "33060/tcp"]),
    ("httpd", ["2.4"], ["HTTPD_PREFIX=/usr/local/apache2",
                        "HTTPD_VERSION=2.4.48"], ["httpd-foreground"], None,
     ["80/tcp"]),
    ("rabbitmq", ["3.9-management"],
     ["RABBITMQ_DATA_DIR=/var/lib/rabbitmq", "RABBITMQ_VERSION=3.9.5"],
     ["rabbitmq-server"], ["docker-entrypoint.sh"],
     ["15691/tcp", "15692/tcp", "25672/tcp", "4369/tcp", "5671/tcp",
      "5672/tcp"]),
    ("k8s.gcr.io/kube-proxy", ["v1.21.5"], [], None, ["/usr/local/bin/kube-proxy"],
     None),
    ("k8s.gcr.io/coredns/coredns", ["v1.8.0"], [], None, ["/coredns"],
     ["53/tcp", "53/udp", "9153/tcp"]),
    ("quay.io/prometheus/node-exporter", ["v1.2.2"], [], None,
     ["/bin/node_exporter"], ["9100/tcp"]),
    ("grafana/grafana", ["8.1.5"], ["GF_PATHS_DATA=/var/lib/grafana"], None,
     ["/run.sh"], ["3000/tcp"]),
    ("traefik", ["v2.5"], [], ["traefik"], ["/entrypoint.sh"], ["80/tcp"]),
]

APP_REGISTRIES = ["registry.example.com", "ghcr.io/acme", "gcr.io/acme-prod",
                  "123456789012.dkr.ecr.eu-west-1.amazonaws.com", "acme"]
APP_WORDS = ("api auth billing cart catalog checkout gateway inventory ledger "
             "mailer notifier orders payments profile search session shipping "
             "users worker scheduler reports analytics ingest exporter "
             "frontend backend admin cron sync webhook media thumbnailer "
             "pricing quotes fraud audit").split()
COMPOSE_PROJECTS = ("shop blog monitoring ci wiki crm erp intranet devstack "
                    "staging analytics chat").split()
K8S_NAMESPACES = ["default", "kube-system", "monitoring", "prod", "staging",
                  "ingress-nginx"]
EXIT_CODES = [0] * 10 + [1] * 4 + [2, 126, 127, 137, 137, 137, 139, 143, 143,
                                   255]


def rfc3339nano(ts):
    """Go's time.RFC3339Nano in UTC: trailing zeros of the fraction trimmed."""
    sec = int(ts)
    nsec = int(round((ts - sec) * 1e9))
    if nsec >= 1000000000:
        sec, nsec = sec + 1, nsec - 1000000000
    base = datetime.datetime.fromtimestamp(sec, datetime.timezone.utc)
    s = base.strftime("%Y-%m-%dT%H:%M:%S")
    if nsec:
        s += "." + ("%09d" % nsec).rstrip("0")
    return s + "Z"


class Gen:
    def __init__(self, root, n_containers, n_images, seed):
        self.root = root
        self.nc = n_containers
        self.ni = n_images
        self.rng = random.Random(seed)
        self.stats = {}
        self.used_links = set()
        self.used_names = set()
        self.layers = {}   # chain id -> dict(cache, link, parent_chain)
        self.images = []   # list of dicts
        self.volumes = set()

    # ---- small helpers -------------------------------------------------
    def hex64(self):
        return "%064x" % self.rng.getrandbits(256)

    def link_id(self):
        while True:
            raw = self.rng.getrandbits(128).to_bytes(16, "big")
            s = base64.b32encode(raw).decode()[:26]
            if s not in self.used_links:
                self.used_links.add(s)
                return s

    def p(self, *parts):
        return os.path.join(self.root, *parts)

    @staticmethod
    def write(path, data, mode=0o644):
        if isinstance(data, str):
            data = data.encode()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)

    @staticmethod
    def mkdir(path, mode=0o755):
        os.makedirs(path, mode=mode, exist_ok=True)

    def count(self, key):
        self.stats[key] = self.stats.get(key, 0) + 1

    def vol_root(self, rel):
        return "/var/lib/docker/" + rel

    # ---- layers --------------------------------------------------------
    def add_layer(self, parent_chain, diff_id, size, top_dirs=()):
        """Registers one layer on top of parent_chain; returns its chain id."""
        if parent_chain is None:
            chain = diff_id
        else:
            chain = "sha256:" + hashlib.sha256(
                (parent_chain + " " + diff_id).encode()).hexdigest()
        if chain in self.layers:
            return chain
        cache = self.hex64()
        link = self.link_id()
        lower_links = []
        if parent_chain is not None:
            par = self.layers[parent_chain]
            lower_links = [par["link"]] + par["lower_links"]
        self.layers[chain] = dict(cache=cache, link=link, parent=parent_chain,
                                  lower_links=lower_links, diff=diff_id,
                                  size=size)
        # layerdb
        ld = self.p("image", "overlay2", "layerdb", "sha256", chain[7:])
        self.mkdir(ld, 0o755)
        self.write(os.path.join(ld, "diff"), diff_id)
        self.write(os.path.join(ld, "cache-id"), cache)
        self.write(os.path.join(ld, "size"), str(size))
        if parent_chain is not None:
            self.write(os.path.join(ld, "parent"), parent_chain)
        self.write(os.path.join(ld, "tar-split.json.gz"), gzip.compress(
            b'{"type":1,"name":"","payload":null,"position":0}\n', mtime=0))
        # overlay2 dir
        od = self.p("overlay2", cache)
        self.mkdir(os.path.join(od, "diff"), 0o700)
        for d in top_dirs:
            self.mkdir(os.path.join(od, "diff", d), 0o755)
        self.write(os.path.join(od, "link"), link)
        if lower_links:
            self.write(os.path.join(od, "lower"),
                       ":".join("l/" + x for x in lower_links))
            self.mkdir(os.path.join(od, "work"), 0o700)
        os.symlink("../%s/diff" % cache, self.p("overlay2", "l", link))
        return chain

    # ---- images --------------------------------------------------------
    def new_diff(self, allow_empty=True):
        if allow_empty and self.rng.random() < 0.04:
            return EMPTY_LAYER_DIFF, 32
        return "sha256:" + self.hex64(), self.rng.randint(1024, 180 * 2**20)

    def make_image(self, parent, n_new, ts, env, cmd, entrypoint, exposed,
                   labels, workdir, user, builder, created_by):
        """Creates an image on top of `parent` (an image dict or None)."""
        rng = self.rng
        if parent:
            diff_ids = list(parent["diff_ids"])
            history = [dict(h) for h in parent["history"]]
            chain = parent["top_chain"]
            env = list(parent["env"]) + [e for e in env
                                         if e not in parent["env"]]
            labels = dict(parent["labels"], **labels)
            exposed = sorted(set(parent["exposed"]) | set(exposed or []))
            if entrypoint is None:
                entrypoint = parent["entrypoint"]
            if cmd is None and entrypoint == parent["entrypoint"]:
                cmd = parent["cmd"]
            workdir = workdir or parent["workdir"]
            user = user or parent["user"]
        else:
            diff_ids, history, chain = [], [], None
            env = [PATH_ENV] + env
            exposed = sorted(exposed or [])
            labels = dict(labels)
        t = ts
        for i in range(n_new):
            t += rng.uniform(0.5, 120.0)
            if parent is None and i == 0:
                diff, size = "sha256:" + self.hex64(), rng.randint(
                    2 * 2**20, 75 * 2**20)
                dirs = ("bin", "dev", "etc", "home", "lib", "media", "mnt",
                        "opt", "proc", "root", "run", "sbin", "srv", "sys",
                        "tmp", "usr", "var")
                cb = "/bin/sh -c #(nop) ADD file:%s in / " % self.hex64()
            else:
                diff, size = self.new_diff()
                dirs = rng.choice([(), ("usr",), ("etc",), ("app",),
                                   ("usr", "var"), ("tmp",)])
                cb = rng.choice(created_by)
            chain = self.add_layer(chain, diff, size, dirs)
            diff_ids.append(diff)
            history.append({"created": rfc3339nano(t), "created_by": cb})
            # a few metadata-only (empty_layer) steps between real layers
            for _ in range(rng.choice([0, 0, 1, 1, 2])):
                t += rng.uniform(0.01, 2.0)
                history.append({"created": rfc3339nano(t),
                                "created_by": rng.choice([
                                    "/bin/sh -c #(nop)  ENV %s" % (
                                        env[-1] if env else PATH_ENV),
                                    "/bin/sh -c #(nop)  LABEL maintainer=ops@example.com",
                                    "/bin/sh -c #(nop) WORKDIR /app",
                                    "/bin/sh -c #(nop)  ARG VERSION",
                                    "/bin/sh -c #(nop)  STOPSIGNAL SIGTERM"]),
                                "empty_layer": True})
        t += rng.uniform(0.01, 1.0)
        if exposed:
            history.append({"created": rfc3339nano(t), "created_by":
                            "/bin/sh -c #(nop)  EXPOSE %s" % " ".join(
                                e.replace("/tcp", "") for e in exposed),
                            "empty_layer": True})
        if entrypoint:
            history.append({"created": rfc3339nano(t), "created_by":
                            "/bin/sh -c #(nop)  ENTRYPOINT %s" %
                            json.dumps(entrypoint), "empty_layer": True})
        history.append({"created": rfc3339nano(t), "created_by":
                        "/bin/sh -c #(nop)  CMD %s" % json.dumps(cmd),
                        "empty_layer": True})
        created = rfc3339nano(t)
        cfg = {"Hostname": "", "Domainname": "", "User": user,
               "AttachStdin": False, "AttachStdout": False,
               "AttachStderr": False}
        if exposed:
            cfg["ExposedPorts"] = {e: {} for e in exposed}
        cfg.update({"Tty": False, "OpenStdin": False, "StdinOnce": False,
                    "Env": env, "Cmd": cmd})
        parent_image_ref = ("sha256:" + self.hex64())
        if builder == "classic":
            cfg["ArgsEscaped"] = True
            cfg["Image"] = parent_image_ref
        else:
            cfg["Image"] = ""
        cfg.update({"Volumes": None, "WorkingDir": workdir,
                    "Entrypoint": entrypoint, "OnBuild": None,
                    "Labels": labels or None})
        doc = {"architecture": "amd64", "config": cfg}
        if builder == "classic":
            cc = dict(cfg)
            cc["Hostname"] = "%012x" % rng.getrandbits(48)
            cc["Cmd"] = ["/bin/sh", "-c", "#(nop) ", "CMD %s" % json.dumps(cmd)]
            cc["Labels"] = labels or {}
            doc["container"] = self.hex64()
            doc["container_config"] = cc
        doc["created"] = created
        doc["docker_version"] = rng.choice(["19.03.12", "20.10.7", "20.10.8",
                                            "20.10.9"])
        doc["history"] = history
        doc["os"] = "linux"
        doc["rootfs"] = {"type": "layers", "diff_ids": diff_ids}
        raw = json.dumps(doc, separators=(",", ":")).encode()
        image_id = hashlib.sha256(raw).hexdigest()
        self.write(self.p("image", "overlay2", "imagedb", "content", "sha256",
                          image_id), raw, 0o600)
        img = dict(id=image_id, diff_ids=diff_ids, history=history,
                   top_chain=chain, env=env, labels=labels, exposed=exposed,
                   entrypoint=entrypoint, cmd=cmd, workdir=workdir, user=user,
                   created_ts=t, refs=[], pulled=False)
        self.images.append(img)
        return img

    def tag(self, img, repo, tag, pulled):
        img["refs"].append("%s:%s" % (repo, tag))
        img["repo"] = repo
        img["pulled"] = img["pulled"] or pulled
        if pulled:
            img.setdefault("digests", []).append(
                "%s@sha256:%s" % (repo, self.hex64()))

    def gen_images(self):
        rng = self.rng
        for d in ("image/overlay2/imagedb/content/sha256",
                  "image/overlay2/imagedb/metadata/sha256",
                  "image/overlay2/layerdb/sha256",
                  "image/overlay2/layerdb/mounts",
                  "image/overlay2/layerdb/tmp",
                  "image/overlay2/distribution/diffid-by-digest/sha256",
                  "image/overlay2/distribution/v2metadata-by-diffid/sha256",
                  "overlay2/l"):
            self.mkdir(self.p(d), 0o700)
        t0 = datetime.datetime(2019, 6, 1, tzinfo=datetime.timezone.utc
                               ).timestamp()
        span = 2.3 * 365 * 86400
        run_steps = ["/bin/sh -c apt-get update && apt-get install -y --no-install-recommends ca-certificates curl && rm -rf /var/lib/apt/lists/*",
                     "/bin/sh -c set -eux; apk add --no-cache tzdata ca-certificates",
                     "/bin/sh -c groupadd -r app && useradd -r -g app app",
                     "/bin/sh -c set -ex && savedAptMark=\"$(apt-mark showmanual)\" && ./configure --enable-shared && make -j \"$(nproc)\" && make install",
                     "/bin/sh -c #(nop) COPY file:%s in /usr/local/bin/ " % self.hex64()]
        app_steps = ["/bin/sh -c #(nop) COPY dir:%s in /app " % self.hex64(),
                     "/bin/sh -c #(nop) COPY file:%s in /app/requirements.txt " % self.hex64(),
                     "/bin/sh -c pip install --no-cache-dir -r requirements.txt",
                     "/bin/sh -c npm ci --only=production",
                     "/bin/sh -c #(nop) WORKDIR /app",
                     "RUN /bin/sh -c make build # buildkit",
                     "COPY /src/bin/server /usr/local/bin/server # buildkit"]
        budget = self.ni
        bases = []
        for repo, tag, nl, env, cmd in OS_BASES:
            if budget <= 0:
                break
            img = self.make_image(None, nl, t0 + rng.uniform(0, span * 0.3),
                                  env, cmd, None, None, {}, "", "", "classic",
                                  run_steps)
            self.tag(img, repo, tag, True)
            bases.append(img)
            budget -= 1
        runtimes = []
        for repo, tags, env, cmd, ep, exposed in RUNTIMES:
            for tag in tags:
                if budget <= 0:
                    break
                base = rng.choice(bases[:-1] or bases)  # not pause
                n_new = max(1, min(rng.randint(1, 3), 8 - len(base["diff_ids"])))
                img = self.make_image(base, n_new, base["created_ts"] +
                                      rng.uniform(86400, span * 0.4), env,
                                      cmd, ep, exposed, {}, "", "", "classic",
                                      run_steps)
                self.tag(img, repo, tag, True)
                runtimes.append(img)
                budget -= 1
        # application images: repos with several versions sharing parents
        app_parent_repos = ("python", "node", "golang", "openjdk", "nginx",
                            "httpd", "alpine", "debian", "ubuntu", "centos",
                            "amazonlinux", "registry.access.redhat.com/",
                            "gcr.io/distroless/")
        parents = [i for i in runtimes + bases
                   if i.get("repo", "").startswith(app_parent_repos)] or \
            runtimes + bases
        apps = []
        used_repo = set()
        while budget > 0:
            word = rng.choice(APP_WORDS)
            reg = rng.choice(APP_REGISTRIES)
            repo = "%s/%s" % (reg, word)
            if repo in used_repo:
                repo = "%s/%s-%s" % (reg, word, rng.choice(APP_WORDS))
                if repo in used_repo:
                    continue
            used_repo.add(repo)
            parent = rng.choice(parents)
            builder = rng.choice(["classic", "classic", "buildkit"])
            local = rng.random() < 0.55      # built here vs. pulled
            port = rng.choice([None, "8080/tcp", "3000/tcp", "5000/tcp",
                               "9090/tcp"])
            labels = {"maintainer": "team-%s@example.com" % word,
                      "org.opencontainers.image.source":
                      "https://git.example.com/acme/%s" % word}
            nversions = min(budget, rng.randint(1, 7))
            t = parent["created_ts"] + rng.uniform(86400, span * 0.3)
            major, minor, patch = rng.randint(0, 3), rng.randint(0, 20), 0
            for v in range(nversions):
                patch += rng.randint(1, 3)
                version = "v%d.%d.%d" % (major, minor, patch)
                room = 8 - len(parent["diff_ids"])
                n_new = rng.randint(1, max(1, min(3, room)))
                if len(parent["diff_ids"]) + n_new < 3:
                    n_new = 3 - len(parent["diff_ids"])
                lab = dict(labels)
                lab["org.opencontainers.image.version"] = version
                lab["org.opencontainers.image.revision"] = "%040x" % \
                    rng.getrandbits(160)
                family = parent.get("repo", "")
                if family == "python":
                    cmd = ["gunicorn", "-b", "0.0.0.0:8000", "app:app"]
                elif family == "node":
                    cmd = ["node", "dist/index.js"]
                elif family == "openjdk":
                    cmd = ["java", "-jar", "/app/app.jar"]
                elif family in ("nginx", "httpd"):
                    cmd = None
                else:
                    cmd = rng.choice([["./server"], ["/usr/local/bin/server",
                                                     "--port", "8080"]])
                if cmd is None and parent["cmd"] is None and \
                        parent["entrypoint"] is None:
                    cmd = ["/usr/local/bin/server"]
                img = self.make_image(parent, n_new, t, [
                    "APP_ENV=production", "APP_VERSION=%s" % version],
                    cmd, None, [port] if port else None, lab,
                    "/app", rng.choice(["", "", "app", "1000"]), builder,
                    app_steps)
                t = img["created_ts"] + rng.uniform(3600, 20 * 86400)
                img["version"] = version
                budget -= 1
                apps.append(img)
                # older versions are sometimes re-tagged away (dangling)
                if v < nversions - 1 and rng.random() < 0.12:
                    img["dangling_ref"] = "%s:%s" % (repo, version)
                    continue
                self.tag(img, repo, version, not local)
                if v == nversions - 1:
                    self.tag(img, repo, "latest", not local)
        self.bases, self.runtimes, self.apps = bases, runtimes, apps
        # repositories.json + metadata + distribution
        repos = {}
        for img in self.images:
            for ref in img["refs"] + img.get("digests", []):
                name = ref.split("@")[0] if "@" in ref else ref.rsplit(":", 1)[0]
                repos.setdefault(name, {})[ref] = "sha256:" + img["id"]
            if img["refs"] and not img["pulled"]:
                md = self.p("image", "overlay2", "imagedb", "metadata",
                            "sha256", img["id"])
                self.mkdir(md, 0o700)
                self.write(os.path.join(md, "lastUpdated"), rfc3339nano(
                    img["created_ts"] + rng.uniform(1, 600)), 0o600)
            if img["pulled"]:
                src = img["repo"]
                if "/" not in src or "." not in src.split("/")[0]:
                    src = "docker.io/" + (src if "/" in src else
                                          "library/" + src)
                for diff in img["diff_ids"]:
                    vp = self.p("image", "overlay2", "distribution",
                                "v2metadata-by-diffid", "sha256", diff[7:])
                    if os.path.exists(vp):
                        continue
                    dg = "sha256:" + self.hex64()
                    self.write(vp, json.dumps([{"Digest": dg,
                                                "SourceRepository": src,
                                                "HMAC": ""}],
                                              separators=(",", ":")), 0o600)
                    self.write(self.p("image", "overlay2", "distribution",
                                      "diffid-by-digest", "sha256", dg[7:]),
                               diff, 0o600)
        self.write(self.p("image", "overlay2", "repositories.json"),
                   json.dumps({"Repositories": repos}, separators=(",", ":")),
                   0o600)
        self.stats["images"] = len(self.images)
        self.stats["dangling_images"] = sum(1 for i in self.images
                                            if not i["refs"])
        self.stats["layers"] = len(self.layers)

    # ---- containers ----------------------------------------------------
    def name(self, want=None):
        if want and want not in self.used_names:
            self.used_names.add(want)
            return want
        while True:
            n = "%s_%s" % (self.rng.choice(ADJECTIVES),
                           self.rng.choice(SURNAMES))
            if self.rng.random() < 0.1:
                n += str(self.rng.randint(0, 9))
            if n not in self.used_names:
                self.used_names.add(n)
                return n

    def pick_state(self):
        r = self.rng.random()
        for st, w in (("running", 0.46), ("exited", 0.34), ("created", 0.08),
                      ("paused", 0.04), ("restarting", 0.05), ("dead", 0.03)):
            if r < w:
                return st
            r -= w
        return "exited"

    def gen_containers(self):
        rng = self.rng
        self.mkdir(self.p("containers"), 0o710)
        self.mkdir(self.p("volumes"), 0o701)
        # choose container "kinds": kubernetes pods, compose stacks, plain runs
        plans = []
        n = self.nc
        k8s_target = int(n * 0.3)
        compose_target = int(n * 0.35)
        pause_imgs = [i for i in self.bases if i["refs"] and
                      i["refs"][0].startswith("k8s.gcr.io/pause")]
        pause_img = pause_imgs[0] if pause_imgs else self.bases[0]
        tagged = [i for i in self.images if i["refs"] and i is not pause_img]
        app_imgs = [i for i in self.apps if i["refs"]] or tagged
        svc_imgs = [i for i in self.runtimes if i["refs"]] or tagged
        while len(plans) < k8s_target:
            ns = rng.choice(K8S_NAMESPACES)
            img = rng.choice(app_imgs + svc_imgs)
            podname = "%s-%x-%s" % (img.get("repo", "app").split("/")[-1],
                                    rng.getrandbits(36),
                                    "".join(rng.choice("bcdfghjklmnpqrstvwxz2456789")
                                            for _ in range(5)))
            uid = "%08x-%04x-%04x-%04x-%012x" % (
                rng.getrandbits(32), rng.getrandbits(16), rng.getrandbits(16),
                rng.getrandbits(16), rng.getrandbits(48))
            pod = dict(ns=ns, name=podname, uid=uid, sandbox=None)
            alive = rng.random() < 0.8
            plans.append(dict(kind="k8s-pause", img=pause_img, pod=pod,
                              state="running" if alive else "exited",
                              attempt=0))
            attempts = rng.choice([1, 1, 1, 2, 3])
            cname = img.get("repo", "app").split("/")[-1]
            for a in range(attempts):
                last = a == attempts - 1
                st = ("running" if alive else "exited") if last else "exited"
                plans.append(dict(kind="k8s", img=img, pod=pod, state=st,
                                  attempt=a, cname=cname))
            if rng.random() < 0.3:
                side = rng.choice(svc_imgs)
                plans.append(dict(kind="k8s", img=side, pod=pod,
                                  state="running" if alive else "exited",
                                  attempt=0,
                                  cname=side.get("repo", "x").split("/")[-1]
                                  + "-sidecar"))
        plans = plans[:k8s_target]
        used_projects = set()
        while len(plans) < k8s_target + compose_target:
            proj = rng.choice(COMPOSE_PROJECTS) + ("" if rng.random() < 0.5
                                                   else str(rng.randint(1, 99)))
            if proj in used_projects:
                continue
            used_projects.add(proj)
            nsvc = rng.randint(2, 6)
            shared_vol = "%s_data" % proj
            for s in range(nsvc):
                img = rng.choice(app_imgs if s == 0 else app_imgs + svc_imgs)
                svc = img.get("repo", "svc").split("/")[-1].split("-")[0]
                for rep in range(rng.choice([1, 1, 1, 2, 3])):
                    plans.append(dict(kind="compose", img=img, proj=proj,
                                      svc=svc, num=rep + 1,
                                      state=self.pick_state(),
                                      volume=shared_vol if s == 0 else None))
        plans = plans[:k8s_target + compose_target]
        while len(plans) < n:
            r = rng.random()
            if r < 0.05:
                dangling = [i for i in self.images if "dangling_ref" in i]
                img = rng.choice(dangling or tagged)
            else:
                img = rng.choice(tagged)
            plans.append(dict(kind="run", img=img, state=self.pick_state()))
        rng.shuffle(plans)
        # pause containers must be created before their pod's containers
        plans.sort(key=lambda pl: 0 if pl["kind"] == "k8s-pause" else 1)
        t_start = max(i["created_ts"] for i in self.images) + 3600
        for pl in plans:
            self.make_container(pl, t_start)
        self.stats["containers"] = len(plans)
        self.stats["volumes"] = len(self.volumes)

    def make_container(self, pl, t_start):
        rng = self.rng
        img = pl["img"]
        cid = self.hex64()
        kind = pl["kind"]
        state = pl["state"]
        self.count("state:" + state)
        self.count("kind:" + kind)
        created = max(t_start, img["created_ts"] + 600) + rng.uniform(
            0, 120 * 86400)
        # --- image reference as typed by the user
        if kind == "k8s":
            image_ref = "sha256:" + img["id"]   # dockershim passes the image ID
        elif "dangling_ref" in img and not img["refs"]:
            image_ref = img["dangling_ref"]
        else:
            image_ref = rng.choice(img["refs"])
            r = rng.random()
            if r < 0.03:
                image_ref = img["id"][:12]
            elif r < 0.05 and img.get("digests"):
                image_ref = img["digests"][0]
        # --- command
        entrypoint = img["entrypoint"]
        cmd = img["cmd"]
        if kind == "run" and rng.random() < 0.3:
            cmd = rng.choice([["sh"], ["/bin/bash"], ["sleep", "infinity"],
                              ["sh", "-c", "while true; do date; sleep 60; done"],
                              ["--config", "/etc/app/config.yaml"],
                              ["python3", "-m", "http.server", "8000"]])
        if kind == "k8s-pause":
            entrypoint, cmd = ["/pause"], None
        argv = (entrypoint or []) + (cmd or [])
        if not argv:
            argv = ["/bin/sh"]
        # --- names, labels, env
        labels = dict(img["labels"])
        env = list(img["env"])
        hostname = cid[:12]
        network_mode = "default"
        restart = {"Name": "no", "MaximumRetryCount": 0}
        log_cfg = {"Type": "json-file", "Config": {}}
        binds = None
        mounts = {}
        port_bindings = {}
        aliases = None
        net_name = "bridge"
        ipc_mode = "private"
        if kind == "compose":
            name = self.name("%s_%s_%d" % (pl["proj"], pl["svc"], pl["num"]))
            labels.update({
                "com.docker.compose.config-hash": self.hex64(),
                "com.docker.compose.container-number": str(pl["num"]),
                "com.docker.compose.oneoff": "False",
                "com.docker.compose.project": pl["proj"],
                "com.docker.compose.project.config_files":
                "/srv/%s/docker-compose.yml" % pl["proj"],
                "com.docker.compose.project.working_dir": "/srv/%s" % pl["proj"],
                "com.docker.compose.service": pl["svc"],
                "com.docker.compose.version": "1.29.2"})
            env += ["DATABASE_URL=postgres://app:app@db:5432/app",
                    "LOG_LEVEL=info", "TZ=UTC"]
            network_mode = "%s_default" % pl["proj"]
            net_name = network_mode
            aliases = [pl["svc"], hostname]
            restart = {"Name": rng.choice(["always", "unless-stopped", "no"]),
                       "MaximumRetryCount": 0}
            log_cfg = {"Type": "json-file", "Config": {"max-file": "3",
                                                       "max-size": "10m"}}
            if pl.get("volume"):
                mounts["/data"] = ("volume", pl["volume"], "/data", True)
        elif kind in ("k8s", "k8s-pause"):
            pod = pl["pod"]
            cname = "POD" if kind == "k8s-pause" else pl["cname"]
            name = self.name("k8s_%s_%s_%s_%s_%d" % (
                cname, pod["name"], pod["ns"], pod["uid"], pl["attempt"]))
            labels = {"io.kubernetes.pod.name": pod["name"],
                      "io.kubernetes.pod.namespace": pod["ns"],
                      "io.kubernetes.pod.uid": pod["uid"]}
            if kind == "k8s-pause":
                labels.update({"io.kubernetes.docker.type": "podsandbox",
                               "annotation.kubernetes.io/config.seen":
                               rfc3339nano(created),
                               "annotation.kubernetes.io/config.source": "api",
                               "app": cname, "pod-template-hash":
                               pod["name"].split("-")[-2]})
                network_mode = "none"
                net_name = "none"
                ipc_mode = "shareable"
                pod["sandbox"] = cid
                hostname = pod["name"][:63]
            else:
                labels.update({
                    "io.kubernetes.container.name": cname,
                    "io.kubernetes.docker.type": "container",
                    "io.kubernetes.sandbox.id": pod["sandbox"] or self.hex64(),
                    "annotation.io.kubernetes.container.hash": "%08x" %
                    rng.getrandbits(32),
                    "annotation.io.kubernetes.container.restartCount":
                    str(pl["attempt"]),
                    "annotation.io.kubernetes.container.terminationMessagePath":
                    "/dev/termination-log",
                    "annotation.io.kubernetes.container.terminationMessagePolicy":
                    "File",
                    "annotation.io.kubernetes.pod.terminationGracePeriod": "30"})
                sb = pod["sandbox"] or self.hex64()
                network_mode = "container:" + sb
                ipc_mode = "container:" + sb
                net_name = None
                env += ["KUBERNETES_SERVICE_HOST=10.96.0.1",
                        "KUBERNETES_SERVICE_PORT=443",
                        "KUBERNETES_PORT=tcp://10.96.0.1:443",
                        "POD_NAME=%s" % pod["name"],
                        "POD_NAMESPACE=%s" % pod["ns"]]
                kd = "/var/lib/kubelet/pods/%s" % pod["uid"]
                binds = ["%s/volumes/kubernetes.io~projected/kube-api-access-%s:"
                         "/var/run/secrets/kubernetes.io/serviceaccount:ro" % (
                             kd, pod["name"][-5:]),
                         "%s/etc-hosts:/etc/hosts" % kd,
                         "%s/containers/%s/%08x:/dev/termination-log" % (
                             kd, cname, rng.getrandbits(32))]
                hostname = pod["name"][:63]
            log_cfg = {"Type": "json-file", "Config": {"max-size": "100m"}}
            restart = {"Name": "no", "MaximumRetryCount": 0}
        else:
            name = self.name()
            if rng.random() < 0.25:
                restart = {"Name": rng.choice(["always", "unless-stopped",
                                               "on-failure"]),
                           "MaximumRetryCount": 0}
                if restart["Name"] == "on-failure":
                    restart["MaximumRetryCount"] = rng.choice([0, 3, 5])
            if rng.random() < 0.05:
                network_mode = "host"
                net_name = "host"
                hostname = "docker-host-01"
            if rng.random() < 0.4:
                env.append("APP_SECRET=%x" % rng.getrandbits(64))
            r = rng.random()
            if r < 0.2:
                binds = ["/srv/%s:/data" % name, "/etc/localtime:/etc/localtime:ro"]
            elif r < 0.35:
                mounts["/var/lib/data"] = ("volume", self.hex64(),
                                           "/var/lib/data", True)
        if kind == "compose" and rng.random() < 0.3:
            binds = ["/srv/%s/config:/etc/app:ro" % pl["proj"]]
        for b in binds or []:
            src, dst = b.split(":")[:2]
            mounts[dst] = ("bind", src, dst, not b.endswith(":ro"))
        # ports
        exposed = list(img["exposed"])
        if network_mode not in ("host", "none") and not network_mode.startswith(
                "container:") and exposed and rng.random() < 0.6:
            for e in exposed[:2]:
                port_bindings[e] = [{"HostIp": "", "HostPort": str(
                    rng.randint(1025, 65000))}]
        # --- state
        st = {"Running": False, "Paused": False, "Restarting": False,
              "OOMKilled": False, "RemovalInProgress": False, "Dead": False,
              "Pid": 0, "ExitCode": 0, "Error": "", "StartedAt": ZERO_TIME,
              "FinishedAt": ZERO_TIME, "Health": None}
        started = created + rng.uniform(0.2, 3.0)
        restart_count = 0
        healthcheck = False
        ever_started = True
        create_error = False
        if state == "created":
            if rng.random() < 0.5:
                ever_started = False
            else:   # start attempted but the OCI runtime refused
                create_error = True
                st["ExitCode"] = rng.choice([127, 128, 126])
                st["Error"] = rng.choice([
                    'OCI runtime create failed: container_linux.go:380: starting container process caused: exec: "%s": executable file not found in $PATH: unknown' % argv[0],
                    "driver failed programming external connectivity on endpoint %s: Bind for 0.0.0.0:8080 failed: port is already allocated" % name,
                    'OCI runtime create failed: container_linux.go:380: starting container process caused: process_linux.go:545: container init caused: rootfs_linux.go:76: mounting "/srv/%s" to rootfs at "/data" caused: mkdir /srv: read-only file system: unknown' % name])
        elif state in ("running", "paused", "restarting"):
            if rng.random() < 0.3:   # restarted at least once
                restart_count = rng.randint(1, 40) if restart["Name"] != "no" else 0
                st["FinishedAt"] = rfc3339nano(started + rng.uniform(60, 86400))
                started = started + rng.uniform(86400, 3 * 86400)
            st["StartedAt"] = rfc3339nano(started)
            if state == "restarting":
                if restart["Name"] == "no":
                    restart = {"Name": "always", "MaximumRetryCount": 0}
                restart_count = max(restart_count, rng.randint(3, 500))
                st.update(Running=True, Restarting=True,
                          ExitCode=rng.choice([1, 1, 2, 137, 139]))
                st["FinishedAt"] = rfc3339nano(started + rng.uniform(0.1, 5))
            else:
                st.update(Running=True, Pid=rng.randint(900, 4000000))
                if state == "paused":
                    st["Paused"] = True
            if state == "running" and rng.random() < 0.15:
                hs = rng.choice(["healthy", "healthy", "healthy", "unhealthy",
                                 "starting"])
                tl = started + rng.uniform(600, 86400)
                log = []
                for k in range(5 if hs != "starting" else 1):
                    tt = tl + 30 * k
                    ok = hs != "unhealthy"
                    log.append({"Start": rfc3339nano(tt),
                                "End": rfc3339nano(tt + rng.uniform(0.01, 0.5)),
                                "ExitCode": 0 if ok else 1,
                                "Output": "OK\n" if ok else
                                "curl: (7) Failed to connect to localhost port 8080: Connection refused\n"})
                st["Health"] = {"Status": hs, "FailingStreak":
                                0 if hs != "unhealthy" else rng.randint(3, 900),
                                "Log": log}
                healthcheck = True
        else:   # exited / dead
            st["StartedAt"] = rfc3339nano(started)
            code = rng.choice(EXIT_CODES)
            st["ExitCode"] = code
            st["FinishedAt"] = rfc3339nano(started + rng.uniform(0.05, 30 * 86400))
            if code == 137 and rng.random() < 0.4:
                st["OOMKilled"] = True
            if state == "dead":
                st["Dead"] = True
            if restart["Name"] != "no":
                restart_count = rng.randint(0, 5)
        is_up = state in ("running", "paused", "restarting")
        if state == "exited" and rng.random() < 0.1:
            manually = True
        else:
            manually = False
        # --- networking
        sandbox = self.hex64() if ever_started else ""
        nets = {}
        ports = None
        ip = ""
        if net_name:
            ep = {"IPAMConfig": None, "Links": None, "Aliases": aliases,
                  "NetworkID": "", "EndpointID": "", "Gateway": "",
                  "IPAddress": "", "IPPrefixLen": 0, "IPv6Gateway": "",
                  "GlobalIPv6Address": "", "GlobalIPv6PrefixLen": 0,
                  "MacAddress": "", "DriverOpts": None}
            net_id = "%064x" % (hash_str(net_name) & ((1 << 256) - 1))
            ep["NetworkID"] = net_id
            if is_up and net_name not in ("host", "none"):
                octet3 = 0 if net_name == "bridge" else (hash_str(net_name) % 200) + 18
                ip = "172.%d.%d.%d" % (17 if net_name == "bridge" else
                                       octet3, rng.randint(0, 3),
                                       rng.randint(2, 254))
                gw = ".".join(ip.split(".")[:2] + ["0", "1"])
                ep.update(EndpointID=self.hex64(), Gateway=gw, IPAddress=ip,
                          IPPrefixLen=16, MacAddress="02:42:%s" % ":".join(
                              "%02x" % int(x) for x in ip.split(".")))
            elif is_up:
                ep["EndpointID"] = self.hex64()
            nets[net_name] = ep
        if is_up and net_name not in (None, "host", "none"):
            ports = {}
            for e in exposed:
                ports[e] = None
            for e, hb in port_bindings.items():
                ports[e] = [{"HostIp": "0.0.0.0", "HostPort": hb[0]["HostPort"]},
                            {"HostIp": "::", "HostPort": hb[0]["HostPort"]}]
        elif ever_started and net_name not in (None, "host", "none"):
            ports = {} if create_error else None
        cdir_rel = "containers/" + cid
        cdir = self.p("containers", cid)
        # --- mount points
        mp = {}
        for dst, (typ, src, dest, rw) in sorted(mounts.items()):
            if typ == "volume":
                self.volumes.add(src)
                entry = {"Source": "", "Destination": dest, "RW": rw,
                         "Name": src, "Driver": "local", "Type": "volume",
                         "Spec": {}, "SkipMountpointCreation": False}
                if ever_started:
                    entry["ID"] = self.hex64()
                entry["Spec"] = {} if kind != "compose" else {
                    "Type": "volume", "Source": src, "Target": dest}
                if kind == "compose":
                    entry["Relabel"] = "z"
            else:
                entry = {"Source": src, "Destination": dest, "RW": rw,
                         "Name": "", "Driver": "", "Type": "bind",
                         "Propagation": "rprivate", "Spec": {},
                         "SkipMountpointCreation": False}
                if not rw:
                    entry["Relabel"] = "ro"
            mp[dst] = entry
        volumes_cfg = None
        if any(v[0] == "volume" for v in mounts.values()):
            volumes_cfg = {d: {} for d, v in mounts.items() if v[0] == "volume"}
        # --- Config
        cfg = {"Hostname": hostname, "Domainname": "", "User": img["user"],
               "AttachStdin": False, "AttachStdout": kind == "run",
               "AttachStderr": kind == "run"}
        if exposed:
            cfg["ExposedPorts"] = {e: {} for e in exposed}
        cfg.update({"Tty": kind == "run" and rng.random() < 0.3,
                    "OpenStdin": False, "StdinOnce": False, "Env": env,
                    "Cmd": cmd})
        if healthcheck:
            cfg["Healthcheck"] = {"Test": ["CMD-SHELL",
                                           "curl -fsS http://localhost:8080/healthz || exit 1"],
                                  "Interval": 30000000000, "Timeout": 5000000000,
                                  "Retries": 3}
        cfg.update({"Image": image_ref, "Volumes": volumes_cfg,
                    "WorkingDir": img["workdir"], "Entrypoint": entrypoint,
                    "OnBuild": None, "Labels": labels})
        if kind.startswith("k8s"):
            cfg["StopSignal"] = "SIGTERM"
        doc = {"StreamConfig": {}, "State": st, "ID": cid,
               "Created": rfc3339nano(created), "Managed": False,
               "Path": argv[0], "Args": argv[1:], "Config": cfg,
               "Image": "sha256:" + img["id"],
               "NetworkSettings": {
                   "Bridge": "", "SandboxID": sandbox, "HairpinMode": False,
                   "LinkLocalIPv6Address": "", "LinkLocalIPv6PrefixLen": 0,
                   "Networks": nets, "Service": None, "Ports": ports,
                   "SandboxKey": ("/var/run/docker/netns/" + sandbox[:12])
                   if sandbox and net_name else "",
                   "SecondaryIPAddresses": None,
                   "SecondaryIPv6Addresses": None,
                   "IsAnonymousEndpoint": kind == "run",
                   "HasSwarmEndpoint": False},
               "LogPath": "", "Name": "/" + name, "Driver": "overlay2",
               "OS": "linux", "MountLabel": "", "ProcessLabel": "",
               "RestartCount": restart_count,
               "HasBeenStartedBefore": ever_started and not create_error,
               "HasBeenManuallyStopped": manually, "MountPoints": mp,
               "SecretReferences": None, "ConfigReferences": None,
               "AppArmorProfile": "" if kind == "k8s-pause" else
               "docker-default", "HostnamePath": "", "HostsPath": "",
               "ShmPath": "", "ResolvConfPath": "", "SeccompProfile": "",
               "NoNewPrivileges": False,
               "LocalLogCacheMeta": {"HaveNotifyEnabled": False}}
        base = self.vol_root(cdir_rel) + "/"
        if ever_started:
            doc["LogPath"] = base + cid + "-json.log"
            doc["HostnamePath"] = base + "hostname"
            doc["HostsPath"] = base + "hosts"
            doc["ResolvConfPath"] = base + "resolv.conf"
            if not ipc_mode.startswith("container:"):
                doc["ShmPath"] = base + "mounts/shm"
            elif kind == "k8s" and pl["pod"]["sandbox"]:
                doc["ShmPath"] = self.vol_root(
                    "containers/%s/mounts/shm" % pl["pod"]["sandbox"])
        if kind.startswith("k8s"):
            doc["SeccompProfile"] = "unconfined"
        # --- HostConfig
        hc = {"Binds": binds, "ContainerIDFile": "", "LogConfig": log_cfg,
              "NetworkMode": network_mode, "PortBindings": port_bindings,
              "RestartPolicy": restart, "AutoRemove": False,
              "VolumeDriver": "", "VolumesFrom": None, "CapAdd": None,
              "CapDrop": None, "CgroupnsMode": "host", "Dns": [] if not
              kind.startswith("k8s") else None, "DnsOptions": [] if not
              kind.startswith("k8s") else None, "DnsSearch": [] if not
              kind.startswith("k8s") else None, "ExtraHosts": None,
              "GroupAdd": None, "IpcMode": ipc_mode, "Cgroup": "",
              "Links": None,
              "OomScoreAdj": 0 if not kind.startswith("k8s") else
              rng.choice([-998, 1000, 969]),
              "PidMode": "", "Privileged": False, "PublishAllPorts": False,
              "ReadonlyRootfs": False, "SecurityOpt": None if not
              kind.startswith("k8s") else ["seccomp=unconfined"],
              "UTSMode": "", "UsernsMode": "", "ShmSize": 67108864,
              "Runtime": "runc", "ConsoleSize": [0, 0], "Isolation": "",
              "CpuShares": 2 if not kind.startswith("k8s") else rng.choice(
                  [2, 102, 256, 512]),
              "Memory": 0 if rng.random() < 0.7 else rng.choice(
                  [268435456, 536870912, 1073741824]),
              "NanoCpus": 0,
              "CgroupParent": "" if not kind.startswith("k8s") else
              "/kubepods/burstable/pod" + pl["pod"]["uid"],
              "BlkioWeight": 0, "BlkioWeightDevice": [] if not
              kind.startswith("k8s") else None,
              "BlkioDeviceReadBps": None, "BlkioDeviceWriteBps": None,
              "BlkioDeviceReadIOps": None, "BlkioDeviceWriteIOps": None,
              "CpuPeriod": 0, "CpuQuota": 0, "CpuRealtimePeriod": 0,
              "CpuRealtimeRuntime": 0, "CpusetCpus": "", "CpusetMems": "",
              "Devices": [], "DeviceCgroupRules": None,
              "DeviceRequests": None, "KernelMemory": 0, "KernelMemoryTCP": 0,
              "MemoryReservation": 0, "MemorySwap": 0,
              "MemorySwappiness": None, "OomKillDisable": False,
              "PidsLimit": None, "Ulimits": None, "CpuCount": 0,
              "CpuPercent": 0, "IOMaximumIOps": 0, "IOMaximumBandwidth": 0,
              "MaskedPaths": MASKED_PATHS, "ReadonlyPaths": READONLY_PATHS}
        if kind == "compose" and pl.get("volume"):
            hc["Mounts"] = [{"Type": "volume", "Source": pl["volume"],
                             "Target": "/data", "VolumeOptions": {}}]
        # --- write containers/<id>
        os.mkdir(cdir, 0o710)
        os.mkdir(os.path.join(cdir, "checkpoints"), 0o700)
        self.write(os.path.join(cdir, "config.v2.json"),
                   json.dumps(doc, separators=(",", ":")) + "\n", 0o600)
        self.write(os.path.join(cdir, "hostconfig.json"),
                   json.dumps(hc, separators=(",", ":")) + "\n", 0o644)
        if ever_started:
            os.mkdir(os.path.join(cdir, "mounts"), 0o700)
            if doc["ShmPath"].startswith(base):
                os.mkdir(os.path.join(cdir, "mounts", "shm"), 0o1777)
            self.write(os.path.join(cdir, "hostname"), hostname + "\n")
            hosts = ("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost "
                     "ip6-loopback\nfe00::0\tip6-localnet\nff00::0\t"
                     "ip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\t"
                     "ip6-allrouters\n")
            if ip:
                hosts += "%s\t%s\n" % (ip, hostname)
            self.write(os.path.join(cdir, "hosts"), hosts)
            if kind == "compose":
                resolv = ("search eu-west-1.compute.internal\n"
                          "nameserver 127.0.0.11\noptions ndots:0\n")
            else:
                resolv = ("# This file is managed by man:systemd-resolved(8). "
                          "Do not edit.\n#\n# Generated by dockerd from the "
                          "host's resolv.conf.\n\nnameserver 10.0.0.2\n"
                          "search eu-west-1.compute.internal\n")
            self.write(os.path.join(cdir, "resolv.conf"), resolv)
            self.write(os.path.join(cdir, "resolv.conf.hash"), "sha256:" +
                       hashlib.sha256(resolv.encode()).hexdigest())
            lines = []
            tl = started
            if create_error:
                lines.append((st["Error"].split(": ", 1)[-1] + "\n", "stderr"))
            else:
                for k in range(rng.choice([0, 1, 2, 3, 5, 8])):
                    lines.append(rng.choice([
                        ("Listening on 0.0.0.0:8080\n", "stdout"),
                        ("[INFO] worker %d booted\n" % rng.randint(1, 64),
                         "stdout"),
                        ("GET /healthz 200 0.4ms\n", "stdout"),
                        ("WARN: config key 'timeout' is deprecated\n",
                         "stderr"),
                        ("Traceback (most recent call last):\n", "stderr")]))
            out = []
            for text, stream in lines:
                tl += rng.uniform(0.001, 30)
                out.append(json.dumps({"log": text, "stream": stream,
                                       "time": rfc3339nano(tl)},
                                      separators=(",", ":")))
            self.write(os.path.join(cdir, cid + "-json.log"),
                       "".join(o + "\n" for o in out), 0o640)
        for dst, (typ, src, dest, rw) in mounts.items():
            if typ == "volume":
                self.mkdir(self.p("volumes", src, "_data"), 0o755)
        # --- RW layer: layerdb/mounts + overlay2/<mount-id>{,-init}
        mount_id = self.hex64()
        top = self.layers[img["top_chain"]]
        img_links = [top["link"]] + top["lower_links"]
        md = self.p("image", "overlay2", "layerdb", "mounts", cid)
        os.mkdir(md, 0o755)
        self.write(os.path.join(md, "mount-id"), mount_id)
        self.write(os.path.join(md, "init-id"), mount_id + "-init")
        self.write(os.path.join(md, "parent"), img["top_chain"])
        init_link = self.link_id()
        idir = self.p("overlay2", mount_id + "-init")
        for d in ("diff/etc", "diff/dev/pts", "diff/dev/shm", "work/work"):
            self.mkdir(os.path.join(idir, d), 0o755)
        for f in ("diff/.dockerenv", "diff/etc/hosts", "diff/etc/hostname",
                  "diff/etc/resolv.conf", "diff/dev/console"):
            self.write(os.path.join(idir, f), b"", 0o755)
        os.symlink("/proc/mounts", os.path.join(idir, "diff/etc/mtab"))
        self.write(os.path.join(idir, "link"), init_link)
        self.write(os.path.join(idir, "lower"),
                   ":".join("l/" + x for x in img_links))
        os.symlink("../%s/diff" % (mount_id + "-init"),
                   self.p("overlay2", "l", init_link))
        rw_link = self.link_id()
        rdir = self.p("overlay2", mount_id)
        self.mkdir(os.path.join(rdir, "diff"), 0o755)
        self.mkdir(os.path.join(rdir, "work"), 0o700)
        if ever_started:
            os.mkdir(os.path.join(rdir, "work", "work"), 0o700)
            if rng.random() < 0.5:
                self.mkdir(os.path.join(rdir, "diff", "tmp"), 0o1777)
            if rng.random() < 0.2:
                self.mkdir(os.path.join(rdir, "diff", "var", "log"), 0o755)
        if state in ("running", "paused"):
            os.mkdir(os.path.join(rdir, "merged"), 0o700)
        self.write(os.path.join(rdir, "link"), rw_link)
        self.write(os.path.join(rdir, "lower"),
                   ":".join("l/" + x for x in [init_link] + img_links))
        os.symlink("../%s/diff" % mount_id, self.p("overlay2", "l", rw_link))

    def skeleton(self):
        for d, mode in (("buildkit", 0o711), ("buildkit/content/ingest", 0o700),
                        ("buildkit/executor", 0o700), ("network/files", 0o750),
                        ("plugins/storage/blobs/tmp", 0o700),
                        ("plugins/tmp", 0o700), ("runtimes", 0o700),
                        ("swarm", 0o700), ("tmp", 0o700), ("trust", 0o700)):
            self.mkdir(self.p(d), mode)

    def run(self):
        self.mkdir(self.root, 0o711)
        self.skeleton()
        self.gen_images()
        self.gen_containers()
        return self.stats


def hash_str(s):
    return int(hashlib.sha256(s.encode()).hexdigest(), 16)


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Generate a synthetic overlay2 Docker data root "
        "(Docker 20.10 layout) for benchmarks.")
    ap.add_argument("outdir", help="directory to create; it plays the role "
                    "of /var/lib/docker")
    ap.add_argument("-n", "--containers", type=int, default=2000,
                    help="number of containers (default 2000)")
    ap.add_argument("-m", "--images", type=int, default=500,
                    help="number of images (default 500)")
    ap.add_argument("-s", "--seed", type=int, default=1,
                    help="random seed (default 1)")
    ap.add_argument("-f", "--force", action="store_true",
                    help="delete OUTDIR first if it exists")
    ap.add_argument("-q", "--quiet", action="store_true",
                    help="do not print the summary")
    args = ap.parse_args(argv)
    if args.containers < 0 or args.images < 1:
        ap.error("need --images >= 1 and --containers >= 0")
    if os.path.lexists(args.outdir):
        if os.path.isdir(args.outdir) and not os.listdir(args.outdir):
            pass
        elif args.force:
            shutil.rmtree(args.outdir)
        else:
            ap.error("%s exists and is not empty (use --force)" % args.outdir)
    old_umask = os.umask(0o022)
    try:
        stats = Gen(args.outdir, args.containers, args.images, args.seed).run()
    finally:
        os.umask(old_umask)
    if not args.quiet:
        print("generated %s: %s" % (args.outdir, ", ".join(
            "%s=%d" % kv for kv in sorted(stats.items()))), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
