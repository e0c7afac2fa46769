#!/usr/bin/env python3
"""Tests for speccc, the component spec compiler (tools/speccc).

A file named *.silo.toml is a silo spec, one named system.toml the system file (its mount
table), any other a component spec.

  spec_test.py bad SPECCC CASE             CASE (a spec, or a directory of specs) is rejected with
                                           exactly the errors its "# expect: LINE:COL: MESSAGE"
                                           comments name (MESSAGE: the text after "error: ", or
                                           its beginning)
  spec_test.py good SPECCC CXX SDK ORDER SPEC...
                                           the specs are accepted; the start order is ORDER
                                           (comma-separated), the same whatever order the specs
                                           are given in; each header compiles and holds the
                                           config's defaults
  spec_test.py manifest SPECCC SPEC...     manifest.bin decodes to what the specs (silos, and the
                                           system file) say
"""
import os
import re
import struct
import subprocess
import sys
import tempfile
import tomllib

STARTUP_SERVER = 0xFFFFFFFF  # the provider index of the startup server's own services
ANY_DRIVER = 0xFFFFFFFE  # a service several drivers export: the first one bound
ERROR = re.compile(r"^(.*):(\d+):(\d+): error: (.*)$")


def fail(message):
    print("FAIL:", message)
    sys.exit(1)


def is_silo(path):
    return path.endswith(".silo.toml")


def is_system(path):
    return os.path.basename(path) == "system.toml"


def load(specs):
    """The component specs and the silo specs, each by name, and the system file's content."""
    components, silos, system = {}, {}, {}
    for spec in specs:
        with open(spec, "rb") as f:
            data = tomllib.load(f)
        if is_system(spec):
            system = data
        else:
            (silos if is_silo(spec) else components)[data["name"]] = data
    return components, silos, system


def speccc(binary, out, args):
    return subprocess.run([binary, "--out", out, *args], capture_output=True, text=True)


def check_bad(binary, case):
    specs = ([os.path.join(case, f) for f in sorted(os.listdir(case)) if f.endswith(".toml")]
             if os.path.isdir(case) else [case])
    expected = []
    for spec in specs:
        with open(spec) as f:
            for line in f:
                if m := re.match(r"# expect: (\d+):(\d+): (.*)$", line):
                    expected.append((spec, int(m[1]), int(m[2]), m[3]))
    if not expected:
        fail(f"{case} expects no error")
    # A directory case may say which components are built into the kernel or for wasm32.
    options = []
    for option, name in (("--kernel-components", "kernel_components.txt"),
                         ("--wasm-components", "wasm_components.txt")):
        if os.path.isfile(os.path.join(case, name)):
            options += [option, os.path.join(case, name)]
    with tempfile.TemporaryDirectory() as out:
        result = speccc(binary, out, options + specs)
        if os.listdir(out):
            fail("outputs were written for invalid specs")
    print(result.stderr, end="")
    if result.returncode != 1:
        fail(f"exit status {result.returncode}, expected 1")
    errors = [m.groups() for line in result.stderr.splitlines() if (m := ERROR.match(line))]
    for spec, line, column, message in expected:
        hits = [e for e in errors if e[0] == spec and int(e[1]) == line and int(e[2]) == column
                and e[3].startswith(message)]
        if not hits:
            fail(f"missing error {spec}:{line}:{column}: {message}")
        errors.remove(hits[0])
    if errors:
        fail(f"unexpected errors: {errors}")
    print(f"ok: {len(expected)} expected error(s)")


def c_string(s):
    return '"' + "".join(c if c.isalnum() or c in " []" else "\\%03o" % ord(c) for c in s) + '"'


def check_header(cxx, sdk, out, name, spec):
    """Compiles the header with static_asserts on the config's defaults."""
    ns = "stellina::components::" + name.replace("-", "_")
    lines = [f'#include "{name}_env.h"',
             "constexpr bool same(const char* a, const char* b) {",
             "  while (*a && *a == *b) ++a, ++b;",
             "  return *a == *b;",
             "}",
             f"using Env = {ns}::Env;",
             "[[maybe_unused]] constexpr Env::Config kConfig{};"]
    for key, service in spec.get("requires", {}).items():
        if service.endswith(":"):  # schemes are reached with open(): no channel
            lines.append(f"template <typename E> constexpr bool has_{key} = requires(E e) {{ e.{key}; }};")
            lines.append(f"static_assert(!has_{key}<Env>);")
        else:
            lines.append(f"static_assert(sizeof(Env::{key}) == sizeof(stellina::Channel));")
    # [spawn]: a spawn_silo handle; without it, none.
    lines.append("template <typename E> constexpr bool has_spawn = requires(E e) { e.spawn_silo; };")
    if "spawn" in spec:
        lines.append("static_assert(sizeof(Env::spawn_silo) == sizeof(stellina::abi::Handle));")
    else:
        lines.append("static_assert(!has_spawn<Env>);")
    for key, value in spec.get("config", {}).items():
        if isinstance(value, bool):
            lines.append(f"static_assert(kConfig.{key} == {'true' if value else 'false'});")
        elif isinstance(value, int):
            lines.append(f"static_assert(kConfig.{key} == {value + 1} - 1);")
        else:
            lines.append(f"static_assert(same(kConfig.{key}, {c_string(value)}));")
    source = os.path.join(out, f"check_{name}.cc")
    with open(source, "w") as f:
        f.write("\n".join(lines) + "\n")
    # The SDK's own headers, and those the build generates or picks per CPU (SDK_INCLUDES).
    includes = [out, os.path.join(sdk, "sdk/include"), os.path.join(sdk, "abi"),
                os.path.join(sdk, "lib/include")]
    includes += [d for d in os.environ.get("SDK_INCLUDES", "").split(";") if d]
    result = subprocess.run([cxx, "-std=c++20", "-Wall", "-Werror", "-fsyntax-only"]
                            + [arg for d in includes for arg in ("-I", d)] + [source],
                            capture_output=True, text=True)
    if result.returncode != 0:
        fail(f"{name}_env.h does not compile:\n{result.stderr}")


def check_good(binary, cxx, sdk, order, specs):
    parsed, _, _ = load(specs)
    written = {f"{name}_env.h" for name in parsed} | {"start_order.txt", "manifest.bin"}
    runs = []
    for specs_in in (specs, specs[::-1]):
        with tempfile.TemporaryDirectory() as out:
            result = speccc(binary, out, specs_in)
            if result.returncode != 0 or result.stderr:
                fail(f"speccc failed ({result.returncode}):\n{result.stderr}")
            if set(os.listdir(out)) != written:
                fail(f"speccc wrote {sorted(os.listdir(out))}, expected {sorted(written)}")
            with open(os.path.join(out, "start_order.txt")) as f:
                start = f.read().split()
            with open(os.path.join(out, "manifest.bin"), "rb") as f:
                runs.append((start, f.read()))
            for name, spec in parsed.items():
                check_header(cxx, sdk, out, name, spec)
    if runs[0] != runs[1]:
        fail("the outputs depend on the order of the specs on the command line")
    if runs[0][0] != order.split(","):
        fail(f"start order {runs[0][0]}, expected {order.split(',')}")
    print(f"ok: {len(parsed)} specs, start order {' '.join(runs[0][0])}, headers compile")


def is_mount_path(path):
    """Absolute and normalized within the file protocol's limits (abi/stellina/file.h)."""
    if path == "/":
        return True
    names = path.split("/")
    return (path.startswith("/") and len(path.encode()) <= 1024
            and all(n not in ("", ".", "..") and len(n.encode()) <= 255 for n in names[1:]))


def decode(blob):
    """Reads manifest.bin as laid out in tools/speccc/README.md: (components, silos, mounts),
    mounts the system's table; a silo's "mounts" is its own table, None without one."""
    (magic, version, count, entry_count, strings_size, total, silo_count, system_mounts,
     system_first) = struct.unpack_from("<8s8I", blob, 0)
    if magic != b"STLMANI1" or version != 5 or total != len(blob):
        fail(f"bad header {magic} {version} {total} (file: {len(blob)} bytes)")
    silos_at = 40 + 44 * count
    entries_at = silos_at + 32 * silo_count
    strings_at = entries_at + 16 * entry_count
    if strings_at + strings_size != total or blob[strings_at] != 0 or blob[-1] != 0:
        fail("bad table sizes")

    def string(offset):
        if offset >= strings_size:
            fail(f"string offset {offset} out of range")
        start = strings_at + offset
        return blob[start:blob.index(b"\0", start)].decode()

    def mount_table(first, n):
        """Mount entries [first, first + n): {path: (service, subtree, read_only)}."""
        table = {}
        for j in range(n):
            path, flags, service, subtree = struct.unpack_from("<4I", blob,
                                                               entries_at + 16 * (first + j))
            path, service, subtree = string(path), string(service), string(subtree)
            if flags & ~1 or not is_mount_path(path) or (subtree and not is_mount_path(subtree)):
                fail(f"bad mount entry {path} {flags} {service} {subtree}")
            last = next(reversed(table), None)
            if last is not None and last.encode() >= path.encode():
                fail(f"mount {path} out of order, after {last}")
            table[path] = (service, subtree, bool(flags & 1))
        if table and "/" not in table:
            fail(f"mount table {table} without /")
        return table

    silos, silo_mounts = [], []
    for i in range(silo_count):
        name, pages, threads, cpu, mounts, first, flags, reserved = struct.unpack_from(
            "<8I", blob, silos_at + 32 * i)
        if reserved or flags & ~1 or not 1 <= cpu <= 100:
            fail(f"silo {i}: reserved {reserved}, flags {flags}, cpu_percent {cpu}")
        if not flags & 1 and (mounts or first):
            fail(f"silo {i}: {mounts} mounts from {first} but no table of its own")
        silos.append({"name": string(name), "memory_pages": pages, "threads": threads,
                      "cpu_percent": cpu})
        silo_mounts.append((first, mounts) if flags & 1 else None)

    components = []
    next_entry = 0
    for i in range(count):
        (name, isolation, restart, silo, pages, threads, backoff, n_exports, n_requires,
         n_devices, n_config, first, spawn_pages, spawn_threads, priority) = struct.unpack_from(
             "<IBBHIII4HIIII", blob, 40 + 44 * i)
        if not 1 <= priority <= 23:
            fail(f"component {i}: priority {priority}")
        if (spawn_pages == 0) != (spawn_threads == 0):
            fail(f"component {i}: spawn limits {spawn_pages} and {spawn_threads}")
        if first != next_entry:
            fail(f"component {i}: entries start at {first}, expected {next_entry}")
        if silo > silo_count:
            fail(f"component {i}: silo {silo} of {silo_count}")
        entries = [struct.unpack_from("<IIQ", blob, entries_at + 16 * (first + j))
                   for j in range(n_exports + n_requires + n_devices + n_config)]
        next_entry += len(entries)
        exports = entries[:n_exports]
        requires = entries[n_exports:n_exports + n_requires]
        devices = entries[n_exports + n_requires:n_exports + n_requires + n_devices]
        config = entries[n_exports + n_requires + n_devices:]
        values = []
        for key, kind, value in config:
            if kind == 0:
                values.append((string(key), struct.unpack("<q", struct.pack("<Q", value))[0]))
            elif kind == 1:
                values.append((string(key), bool(value)))
            elif kind == 2:
                values.append((string(key), string(value)))
            else:
                fail(f"config type {kind}")
        components.append({
            "name": string(name), "isolation": isolation, "restart": restart,
            "silo": silos[silo - 1]["name"] if silo else None,
            "memory_pages": pages, "threads": threads, "backoff_ms": backoff,
            "exports": [string(s) for s, _, _ in exports],
            "requires": [(string(k), provider, string(v)) for k, provider, v in requires],
            "devices": [string(s) for s, _, _ in devices],
            "config": values,
            "spawn": (spawn_pages, spawn_threads) if spawn_pages else None,
            "priority": priority})
    # The mount tables follow the components' entries: the system's, then the silos' in order.
    tables = [(system_first, system_mounts)] + [t for t in silo_mounts if t is not None]
    for first, n in tables:
        if first != next_entry:
            fail(f"a mount table starts at entry {first}, expected {next_entry}")
        next_entry += n
    if next_entry != entry_count:
        fail("entries left over")
    system = mount_table(system_first, system_mounts)
    for silo, table in zip(silos, silo_mounts):
        silo["mounts"] = None if table is None else mount_table(*table)
    return components, silos, system


def spec_mounts(table):
    """A [mounts] table as the manifest holds it: {path: (service, subtree, read_only)}."""
    out = {}
    for path, value in sorted((table or {}).items(), key=lambda kv: kv[0].encode()):
        source = value if isinstance(value, str) else value["source"]
        service, _, subtree = source.partition(":")
        read_only = False if isinstance(value, str) else value.get("read_only", False)
        out[path] = (service, "" if subtree == "/" else subtree, read_only)
    return out


def check_manifest(binary, specs):
    parsed, silo_specs, system_spec = load(specs)
    with tempfile.TemporaryDirectory() as out:
        result = speccc(binary, out, specs)
        if result.returncode != 0:
            fail(result.stderr)
        with open(os.path.join(out, "start_order.txt")) as f:
            order = f.read().split()
        with open(os.path.join(out, "manifest.bin"), "rb") as f:
            components, silos, system = decode(f.read())
    silo_of = {c: name for name, silo in silo_specs.items() for c in silo["components"]}
    providers = {}
    for n, s in parsed.items():
        for e in s.get("exports", []):
            # A service several drivers export is provided by whichever is bound first.
            providers[e] = ANY_DRIVER if e in providers else order.index(n)
    for own in ("control", "control:", "status:", "boot:", "serial:"):  # the startup server's own services
        providers[own] = STARTUP_SERVER
    for i, (name, got) in enumerate(zip(order, components)):
        spec = parsed[name]
        restart = spec.get("restart", {})
        limits = spec.get("limits", {})
        want = {
            "name": name,
            "isolation": ["kernel", "user"].index(spec["isolation"]),
            "restart": ["never", "on-failure", "always"].index(restart.get("policy", "never")),
            "silo": silo_of.get(name),
            "memory_pages": limits.get("memory_pages", 256),
            "threads": limits.get("threads", 1),
            "backoff_ms": restart.get("backoff_ms", 0),
            "exports": spec.get("exports", []),
            # requires and config in key order, as speccc reads them
            "requires": [(k, providers[v], v) for k, v in sorted(spec.get("requires", {}).items())],
            "devices": spec.get("devices", []),
            "config": sorted(spec.get("config", {}).items()),
            "spawn": ((spec["spawn"]["memory_pages"], spec["spawn"]["threads"])
                      if "spawn" in spec else None),
            "priority": spec.get("priority", 16)}
        if got != want:
            fail(f"component {i}:\n  manifest {got}\n  spec     {want}")
        if any(i <= provider < ANY_DRIVER for _, provider, _ in got["requires"]):
            fail(f"{name} starts before a component it requires")
    if len(components) != len(order):
        fail(f"{len(components)} components, expected {len(order)}")
    want_silos = [{"name": name, "memory_pages": silo["limits"]["memory_pages"],
                   "threads": silo["limits"]["threads"],
                   "cpu_percent": silo["limits"].get("cpu_percent", 100),
                   "mounts": spec_mounts(silo["mounts"]) if "mounts" in silo else None}
                  for name, silo in sorted(silo_specs.items())]
    if silos != want_silos:
        fail(f"silos:\n  manifest {silos}\n  specs    {want_silos}")
    for silo in silos:
        members = [c for c in components if c["silo"] == silo["name"]]
        for limit in ("memory_pages", "threads"):
            if sum(c[limit] for c in members) > silo[limit]:
                fail(f"silo {silo['name']}: its components need more {limit} than it has")
    if system != spec_mounts(system_spec.get("mounts")):
        fail(f"system mounts:\n  manifest {system}\n  spec     {spec_mounts(system_spec.get('mounts'))}")
    own = sum(1 for s in silos if s["mounts"] is not None)
    print(f"ok: manifest of {len(components)} components, {len(silos)} silos ({own} with their "
          f"own mount table) and {len(system)} system mounts round-trips")


def main():
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "bad":
        check_bad(*args)
    elif mode == "good":
        check_good(args[0], args[1], args[2], args[3], args[4:])
    elif mode == "manifest":
        check_manifest(args[0], args[1:])
    else:
        fail(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
