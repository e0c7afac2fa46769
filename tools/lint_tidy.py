#!/usr/bin/env python3
"""clang-tidy over the project's sources, skipping a file whose every input passed before.

    tools/lint_tidy.py BUILD_DIR

A file is checked by clang-tidy once per compile command that builds it (a file built for
the kernel and for the host is checked in both). What decides the result is: clang-tidy
itself, the .clang-tidy files, those compile commands and the contents of the source and of
every header the build saw it include (ninja's dependency log, exact after a build). A file
that passed is remembered under a hash of all of them in the cache directory
($STELLINA_TIDY_CACHE, default ~/.cache/stellina-tidy); the next run checks it again only
if one of them changed. A file without that knowledge (no compile command, no dependency
log for one of its objects, an object built before its last change) is always checked.
Failures are never remembered. Files with no compile command at all are built only for wasm32
by custom commands (sdk/CMakeLists.txt, tests/wasi), which the compile database does not
hold: they are named, not checked (a guessed host command would check another program).
"""

import concurrent.futures
import hashlib
import json
import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PATTERNS = ["kernel/*.cc", "lib/*.cc", "sdk/*.cc", "tests/*.cc", "tools/*.cc",
            "drivers/*.cc", "servers/*.cc", "apps/*.cc", "bench/*.cc"]
CACHE_DAYS = 30  # entries not used for this long are removed


def git_files(*patterns):
    out = subprocess.run(["git", "ls-files", *patterns], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if line]


def ninja_deps(build):
    """Object path (relative to BUILD) -> its inputs, for objects whose log entry is valid."""
    out = subprocess.run(["ninja", "-C", str(build), "-t", "deps"], check=True,
                         capture_output=True, text=True).stdout
    deps, current = {}, None
    for line in out.splitlines():
        if not line.startswith(" "):
            current = None
            match = re.match(r"(.+): #deps \d+, deps mtime \d+ \((\w+)\)", line)
            if match and match.group(2) == "VALID":
                current = match.group(1)
                deps[current] = []
        elif current is not None and line.strip():
            deps[current].append(line.strip())
    return deps


class Hasher:
    """Content hashes of files, each file read once. The tree's own path in a file (a
    generated header names its source) counts as the same in every checkout."""

    def __init__(self):
        self.known = {}

    def file(self, path):
        if path not in self.known:
            try:
                data = Path(path).read_bytes().replace(str(ROOT).encode(), b"<root>")
                self.known[path] = hashlib.sha256(data).hexdigest()
            except OSError:
                self.known[path] = None
        return self.known[path]


def file_key(source, commands, deps, build, hasher, common):
    """The hash of everything clang-tidy's verdict on SOURCE depends on, or None."""
    if not commands:
        return None
    key = hashlib.sha256(common.encode())
    key.update(hasher.file(ROOT / source).encode())

    def neutral(text):  # the same tree in another directory gives the same key
        return text.replace(str(ROOT), "<root>")

    for entry in commands:
        words = shlex.split(entry["command"])
        if "-o" not in words:
            return None
        obj = os.path.relpath(Path(entry["directory"]) / words[words.index("-o") + 1], build)
        if obj not in deps:
            return None
        key.update(neutral(entry["command"]).encode())
        for dep in deps[obj]:
            digest = hasher.file(build / dep)
            if digest is None:
                return None
            key.update(neutral(str((build / dep).resolve())).encode() + digest.encode())
    return key.hexdigest()


def tidy(build, source):
    return subprocess.run(["clang-tidy", "-p", str(build), "--quiet", "--warnings-as-errors=*",
                           source], cwd=ROOT, capture_output=True, text=True)


def prune(cache):
    cutoff = time.time() - CACHE_DAYS * 86400
    for entry in cache.glob("*/*"):
        if entry.stat().st_mtime < cutoff:
            entry.unlink(missing_ok=True)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: lint_tidy.py BUILD_DIR")
    build = Path(sys.argv[1]).resolve()
    default = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "stellina-tidy"
    cache = Path(os.environ.get("STELLINA_TIDY_CACHE", default))

    version = subprocess.run(["clang-tidy", "--version"], check=True, capture_output=True,
                             text=True).stdout
    hasher = Hasher()
    common = version + "".join(name + hasher.file(ROOT / name)
                               for name in git_files("*.clang-tidy", ".clang-tidy"))
    commands = {}
    for entry in json.loads((build / "compile_commands.json").read_text()):
        commands.setdefault(os.path.relpath(entry["file"], ROOT), []).append(entry)
    deps = ninja_deps(build)

    sources = [s for s in git_files(*PATTERNS) if s in commands]
    unchecked = [s for s in git_files(*PATTERNS) if s not in commands]
    keys = {source: file_key(source, commands.get(source), deps, build, hasher, common)
            for source in sources}

    def marker(key):
        return cache / key[:2] / key[2:]

    todo = []
    for source, key in keys.items():
        if key is not None and marker(key).exists():
            os.utime(marker(key))
        else:
            todo.append(source)

    failed = []
    with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 2) as pool:
        for source, result in zip(todo, pool.map(lambda s: tidy(build, s), todo)):
            if result.returncode != 0:
                failed.append((source, result.stdout + result.stderr))
            elif keys[source] is not None:
                marker(keys[source]).parent.mkdir(parents=True, exist_ok=True)
                marker(keys[source]).touch()
    prune(cache)

    for source, output in failed:
        lines = [line for line in output.splitlines() if "warnings generated" not in line]
        print(f"--- {source}\n" + "\n".join(lines))
    if failed:
        sys.exit(1)
    print(f"lint: clang-tidy found nothing ({len(todo)} of {len(sources)} files checked, "
          f"the others unchanged since they passed; not in the compile database, so not "
          f"checked: {', '.join(unchecked) or 'none'})")


if __name__ == "__main__":
    main()
