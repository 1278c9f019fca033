#!/usr/bin/env python3
"""The installed library's headers, as a program built against libcsleuth
gets them (meson's own install plan, read with `meson introspect`):

- every header of lib/ is installed, unless it is private by the rule in
  lib/meson.build: a *_internal.h, or one that pulls another library's
  headers into its user's build (PRIVATE below, each with its reason);
- each installed header compiles alone from the installed tree (every
  header it includes is installed too), warnings as errors;
- every function an installed header declares is exported by the shared
  library (a declaration with no definition is a broken contract).

Environment: CSLEUTH_SRCDIR, CSLEUTH_BUILDDIR (set by meson)."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

SRC = os.environ.get("CSLEUTH_SRCDIR", os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("CSLEUTH_BUILDDIR", os.path.join(SRC, "build"))
LIB = os.path.realpath(os.path.join(SRC, "lib"))

PRIVATE = {
    "formats/jsonutil.h": "json-c",
    "formats/yamldoc.h": "json-c",
    "formats/sqlite_image.h": "sqlite3",
    "formats/dqlite.h": "sqlite3 (through formats/sqlite_image.h)",
}

n = 0
failed = 0


def ok(cond, msg, diag=""):
    global n, failed
    n += 1
    if not cond:
        failed += 1
    print(f"{'ok' if cond else 'not ok'} {n} - {msg}")
    for line in (diag or "").splitlines()[:40] if not cond else []:
        print(f"# {line}")
    sys.stdout.flush()


def installed_headers():
    """{path relative to lib/: path relative to include/csleuth/}"""
    p = subprocess.run(["meson", "introspect", BUILD, "--installed"], capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"meson introspect: {p.stderr}")
    out = {}
    for src, dest in json.loads(p.stdout).items():
        src = os.path.realpath(src)
        if src.endswith(".h") and src.startswith(LIB + os.sep) and "/include/csleuth/" in dest:
            out[os.path.relpath(src, LIB)] = dest.split("/include/csleuth/", 1)[1]
    return out


def lib_headers():
    hs = set()
    for d, _, fs in os.walk(LIB):
        hs.update(os.path.relpath(os.path.join(d, f), LIB) for f in fs if f.endswith(".h"))
    return hs


def declared_functions(text):
    """Names of the cs_* functions a header declares (not static inline ones,
    not function-pointer typedefs, not macros)."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    names = set()
    for m in re.finditer(r"^(?!static|typedef|#|\s)[^;{}()]*?\b(cs_\w+)\s*\(", text, re.M):
        names.add(m.group(1))
    return names


def exported_symbols():
    so = os.path.join(BUILD, "lib", "libcsleuth.so")
    p = subprocess.run(["nm", "-D", "--defined-only", so], capture_output=True, text=True)
    if p.returncode != 0:
        return None
    return {line.split()[-1] for line in p.stdout.splitlines() if line.strip()}


def main():
    inst = installed_headers()
    every = lib_headers()
    ok(len(inst) > 20, f"meson installs {len(inst)} headers under include/csleuth/")
    for h, dest in sorted(inst.items()):
        if dest != h:
            ok(False, f"{h} is installed as {dest}, not under its room")
    private = {h for h in every if h.endswith("_internal.h")} | set(PRIVATE)
    missing = sorted(every - set(inst) - private)
    ok(not missing, "every header of lib/ is installed but the *_internal.h ones and those that pull in "
       "another library's headers", "not installed: " + " ".join(missing))
    leaked = sorted(set(inst) & private)
    ok(not leaked, "no private header is installed", " ".join(leaked))
    stale = sorted(h for h in PRIVATE if h not in every)
    ok(not stale, "every header the private list names exists", " ".join(stale))

    cc = os.environ.get("CC", "cc")
    if not shutil.which(cc.split()[0]):
        print(f"ok {n + 1} # SKIP no C compiler ({cc}) to compile the installed headers")
        print(f"1..{n + 1}")
        return
    with tempfile.TemporaryDirectory(prefix="csx-headers-") as tmp:
        inc = os.path.join(tmp, "include", "csleuth")
        for h, dest in inst.items():
            os.makedirs(os.path.dirname(os.path.join(inc, dest)), exist_ok=True)
            shutil.copy(os.path.join(LIB, h), os.path.join(inc, dest))
        bad = []
        for h, dest in sorted(inst.items()):
            c = os.path.join(tmp, "one.c")
            with open(c, "w") as f:
                f.write(f'#include "{dest}"\n#include "{dest}"\nint main(void) {{ return 0; }}\n')
            p = subprocess.run([*cc.split(), "-std=gnu11", "-Wall", "-Wextra", "-Werror", "-fsyntax-only",
                                "-I", inc, c], capture_output=True, text=True)
            if p.returncode != 0:
                bad.append(f"{dest}: {p.stderr.strip()[:400]}")
        ok(not bad, f"each of the {len(inst)} installed headers compiles alone (and twice over) from the "
           "installed tree, warnings as errors", "\n".join(bad))

    syms = exported_symbols()
    if syms is None:
        print(f"ok {n + 1} # SKIP nm cannot read the shared library")
        print(f"1..{n + 1}")
        return
    undefined = []
    for h in sorted(inst):
        with open(os.path.join(LIB, h)) as f:
            undefined += [f"{h}: {s}" for s in sorted(declared_functions(f.read()) - syms)]
    ok(not undefined, "every function the installed headers declare is exported by libcsleuth.so",
       "\n".join(undefined))
    print(f"1..{n}")


if __name__ == "__main__":
    try:
        main()
    except Exception as ex:  # one failing line, not a crash
        ok(False, f"the check ran to its end: {ex!r}")
        print(f"1..{n}")
    sys.exit(1 if failed else 0)
