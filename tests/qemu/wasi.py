#!/usr/bin/env python3
"""WASI programs in Stellina, compared with node: makes a disk with the programs in /bin (the
runner, /bin/wasm, among them) and the test modules (tests/wasi/*.c, compiled for
wasm32-wasi) in /wasi, boots the "shell" test system and types each command at the shell
on the serial console, which starts the module through the runner as it starts an ELF
program. What it printed (stdout and stderr together) and its exit status must be what the
same module prints under node's node:wasi on the host, run the same way (the same
arguments, a fresh current directory preopened as ".", the same stdin).

Then what has no node counterpart: traps, imports no runner provides, the runner's bounds
(descriptors, linear memory, preopens, module size: 8 MiB runs, a byte more does not), its
usage and errors, and a module started by its magic alone.

usage: wasi.py QEMU_RUN KERNEL ARCHIVE PROGRAMS_DIR MODULES_DIR WORKDIR
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import shell  # noqa: E402  (tests/qemu/shell.py: the Machine, on_stellina)

NODE_RUNNER = """
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';
import { argv, env, exit } from 'node:process';
const wasi = new WASI({ version: 'preview1', args: argv.slice(2), env,
                        preopens: { '.': '.' }, returnOnExit: true });
const module = await WebAssembly.compile(await readFile(argv[2]));
exit(wasi.start(await WebAssembly.instantiate(module, wasi.getImportObject())));
"""

INPUT = "".join(f"line {i}: the quick brown fox jumps over the lazy dog\n" for i in range(2000))

# (name, module, arguments, environment, stdin from /wasi/input.txt): run by both, compared.
COMPARED = [
    ("hello", "hello", ["one", "two words", ""], {"WASI_TEST": "a value"}, False),
    ("exit_code", "exit_code", ["7"], {}, False),
    ("exit_zero", "exit_code", [], {}, False),
    ("stdin", "stdin", [], {}, True),
    ("files", "files", [], {}, False),
    ("manyfiles", "manyfiles", [], {}, False),
    ("clocks", "clocks", [], {}, False),
    ("floats", "floats", [], {}, False),
    ("paths", "paths", [".", "missing.txt", "/etc/passwd", "../up", "a/../../up"], {}, False),
    ("cpp_streams", "cpp_streams", [], {}, True),
    ("sleep", "sleep", [], {}, False),
    ("links", "links", [], {}, False),
]

# (command typed in a fresh directory, expected status, regexes its output must match).
STELLINA_ONLY = [
    ("/wasi/trap.wasm", 134,
     [r"^before the trap\n", r"(?m)^wasm: /wasi/trap\.wasm: trap: unreachable$"]),
    ("/wasi/trap.wasm oob", 134,
     [r"^before the trap\n", r"(?m)^wasm: /wasi/trap\.wasm: trap: out of bounds memory access$"]),
    ("/wasi/trap.wasm recurse", 134,
     [r"^before the trap\n", r"(?m)^wasm: /wasi/trap\.wasm: trap: call stack exhausted$"]),
    # Eight preopened directories at most: eight run, nine are refused.
    ("wasm" + " --dir /wasi" * 8 + " /wasi/hello.wasm", 0, [r"(?m)^hello from wasm$"]),
    ("wasm" + " --dir /wasi" * 9 + " /wasi/hello.wasm", 2, [r"^wasm: at most 8 --dir\n"]),
    ("/wasi/unknown_import.wasm", 0,
     [r"^stellina_test\.nothing returned 52\nsock_accept returned 52\n$"]),
    ("/wasi/links.wasm more", 0,
     [r"(?m)^symlink in a directory, up: 0\nread through dir/uplink: the target's text\n"
      r"symlink out of the directory: -1 \(Capabilities insufficient\)\n"
      r"symlink to an absolute path: -1 \(Capabilities insufficient\)\n"
      r"readlink into 6 bytes: 6 \[\.\./tar\]\nfutimens to now: 0\nmtime after 2020: 1\n"
      r"unlink the link: 0\n"]),
    ("/wasi/sleep.wasm more", 0, [r"(?m)^poll nothing for 80 ms: 0\nwaited at least 80 ms: 1$"]),
    ("/wasi/hostile.wasm", 0, ["^" + re.escape(
        "fd_write, iovecs outside memory: 21\n"
        "fd_write, a buffer outside memory: 21\n"
        "fd_write, the count outside memory: 21\n"
        "fd_read, a descriptor not open: 8\n"
        "fd_read, a negative descriptor: 8\n"
        "args_sizes_get outside memory: 21\n"
        "args_get outside memory: 21\n"
        "clock_time_get outside memory: 21\n"
        "random_get past the end of memory: 21\n"
        "path_open, a path past the end of memory: 21\n"
        "path_open, a huge length: 21\n"
        "path_open from a descriptor not open: 8\n"
        "path_open from stdout, not a directory: 54\n"
        "path_open, an absolute path: 76\n"
        "path_open, the result outside memory: 21\n"
        "fd_prestat_dir_name into 1 byte: 37\n"
        "fd_prestat_get of stdin: 8\n"
        "fd_readdir of stdout: 54\n"
        "fd_seek of stdout: 70\n"
        "poll_oneoff of nothing: 28\n"
        "fd_close, mistyped: 52\n"
        "still writing: yes\n") + "$"]),
    ("/wasi/fd_limit.wasm", 0,
     [r"^opened 60, then errno 33\nclosed 60\none more after closing: ok\n$"]),
    ("/wasi/memory.wasm", 0,
     [r"^allocated 1[2-5] MiB before malloc failed, 1[2-5] intact\n$"]),
    # Found by its \0asm magic, without the .wasm name; and through the runner by name.
    ("/wasi/hello-magic x", 0, [r"(?m)^argc 2, argv\[0\] hello-magic$", r"(?m)^argv\[1\] \[x\]"]),
    ("wasm /wasi/hello.wasm y", 0, [r"(?m)^argc 2, argv\[0\] hello\.wasm$"]),
    ("cd /wasi && ./hello.wasm", 0, [r"(?m)^hello from wasm$"]),
    # --dir DIR: DIR under its own name, and the current directory no longer.
    ("wasm --dir /wasi /wasi/paths.wasm /wasi/input.txt /wasi/nothing input.txt /bin/sh", 0,
     [r"^/wasi/input\.txt: opened\n/wasi/nothing: No such file or directory\n"
      r"input\.txt: Capabilities insufficient\n/bin/sh: Capabilities insufficient\n$"]),
    ("cd /wasi && wasm --dir . paths.wasm input.txt ./nothing", 0,
     [r"^input\.txt: opened\n\./nothing: No such file or directory\n$"]),
    ("wasm --dir /.. /wasi/hello.wasm", 2, [r"^wasm: --dir /\.\.: "]),
    ("wasm", 2, [r"^usage: wasm \[--dir DIR\]\.\.\. FILE\.wasm \[ARGS\.\.\.\]\n$"]),
    ("wasm --dir", 2, [r"^usage: wasm"]),
    ("wasm --dir /nowhere /wasi/hello.wasm", 2, [r"^wasm: --dir /nowhere: "]),
    ("wasm /wasi/missing.wasm", 127, [r"^wasm: /wasi/missing\.wasm: "]),
    ("/wasi/not-a-module.wasm", 126,
     [r"^wasm: /wasi/not-a-module\.wasm: .* at byte \d+\n$"]),
    ("/wasi/huge.wasm", 126, [r"^wasm: /wasi/huge\.wasm: .*\n$"]),
    ("/wasi/largest.wasm", 0, [r"(?m)^hello from wasm$"]),
]


def leb128(n):
    out = b""
    while True:
        byte = n & 0x7F
        n >>= 7
        out += bytes([byte | (0x80 if n else 0)])
        if not n:
            return out


def padded_module(path, size):
    """The module at path with a custom section after it that makes it size bytes."""
    with open(path, "rb") as f:
        module = f.read()
    name = b"\x03pad"
    for width in range(1, 6):  # the section's size field takes width bytes
        content = size - len(module) - 1 - width
        if len(leb128(content)) == width:
            return module + b"\0" + leb128(content) + name + b"\0" * (content - len(name))
    raise ValueError("cannot pad")


def make_disk(workdir, programs, modules, scripts):
    disk = os.path.join(workdir, "disk.img")
    if os.path.exists(disk):
        os.remove(disk)
    subprocess.run([os.path.join(shell.ROOT, "tools/mkdisk.sh"), disk, programs], check=True,
                   stdout=subprocess.DEVNULL)
    extra = os.path.join(workdir, "extra")
    shutil.rmtree(extra, ignore_errors=True)
    os.makedirs(extra)
    with open(os.path.join(extra, "input.txt"), "w") as f:
        f.write(INPUT)
    with open(os.path.join(extra, "not-a-module.wasm"), "w") as f:
        f.write("this is text, not WebAssembly\n")
    with open(os.path.join(extra, "huge.wasm"), "wb") as f:  # past the runner's 8 MiB
        f.write(b"\0asm\x01\0\0\0")
        f.truncate((8 << 20) + 1)
    with open(os.path.join(extra, "largest.wasm"), "wb") as f:  # at it: hello, padded
        f.write(padded_module(os.path.join(modules, "hello.wasm"), 8 << 20))
    # Each check's command in a script of its own, run in a fresh directory: the line typed
    # at the prompt stays short (a long one wraps in the line editor).
    for key, command in scripts:
        with open(os.path.join(extra, f"{key}.sh"), "w") as f:
            f.write(f"mkdir -p /tmp/{key} && cd /tmp/{key} && {command} 2>&1\n")
    commands = os.path.join(workdir, "debugfs.cmd")
    with open(commands, "w") as f:
        f.write("mkdir /wasi\nmkdir /wasi/c\n")
        for key, _ in scripts:
            f.write(f'write "{os.path.join(extra, key + ".sh")}" "/wasi/c/{key}.sh"\n')
        files = [(os.path.join(modules, m), m) for m in sorted(os.listdir(modules))
                 if m.endswith(".wasm")]
        files.append((os.path.join(modules, "hello.wasm"), "hello-magic"))
        files += [(os.path.join(extra, n), n) for n in ("input.txt", "not-a-module.wasm",
                                                       "huge.wasm", "largest.wasm")]
        for path, name in files:
            f.write(f'write "{path}" "/wasi/{name}"\n')
            if name != "input.txt":
                f.write(f'sif "/wasi/{name}" mode 0100755\n')
    subprocess.run(["debugfs", "-w", "-f", commands, disk], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return disk


def quote(arg):
    return "'" + arg.replace("'", "'\\''") + "'"


def on_node(runner, modules, module, args, env, stdin, workdir):
    where = tempfile.mkdtemp(prefix="stellina-wasi-", dir=workdir)
    try:
        path = os.path.join(modules, module + ".wasm")
        with open(os.path.join(workdir, "extra", "input.txt")) if stdin else \
                open(os.devnull) as given:
            r = subprocess.run(["node", "--no-warnings", runner, path] + args, cwd=where,
                               env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **env},
                               stdin=given, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               timeout=120)
        return r.stdout.decode("utf-8", "replace"), r.returncode
    finally:
        shutil.rmtree(where, ignore_errors=True)


def compared_command(module, args, env, stdin):
    assignments = "".join(f"{k}={quote(v)} " for k, v in env.items())
    return (f"{assignments}/wasi/{module}.wasm " + " ".join(quote(a) for a in args)
            + (" </wasi/input.txt" if stdin else " </dev/null"))


def scripts():
    """(key, command) of every check, compared ones first."""
    return ([(f"c{i}", compared_command(*c[1:])) for i, c in enumerate(COMPARED)]
            + [(f"s{i}", c[0]) for i, c in enumerate(STELLINA_ONLY)])


def run_check(machine, key, timeout=240):
    return shell.on_stellina(machine, f"sh /wasi/c/{key}.sh", timeout)


def main():
    qemu_run_path, kernel, archive, programs, modules, workdir = sys.argv[1:7]
    os.makedirs(workdir, exist_ok=True)
    qemu_run = shell.load_qemu_run(qemu_run_path)
    disk = make_disk(workdir, programs, modules, scripts())
    runner = os.path.join(workdir, "node_wasi.mjs")
    with open(runner, "w") as f:
        f.write(NODE_RUNNER)
    failures = []
    with open(os.path.join(workdir, "serial.log"), "w") as log:
        m = shell.Machine(qemu_run, kernel, archive, disk, log)
        try:
            m.start_shell()
            for i, (name, module, args, env, stdin) in enumerate(COMPARED):
                expected = on_node(runner, modules, module, args, env, stdin, workdir)
                got = run_check(m, f"c{i}")
                if got != expected:  # node's own timing on a loaded host: its run once more
                    expected = on_node(runner, modules, module, args, env, stdin, workdir)
                if got != expected:
                    failures.append(name)
                    print(f"wasi: {name}: FAILED\n--- node (status {expected[1]})\n{expected[0]}"
                          f"--- stellina (status {got[1]})\n{got[0]}---")
                else:
                    print(f"wasi: {name}: ok ({len(expected[0].splitlines())} lines, "
                          f"status {expected[1]})")
            for i, (command, status, patterns) in enumerate(STELLINA_ONLY):
                out, got = run_check(m, f"s{i}")
                bad = [p for p in patterns if not re.search(p, out)]
                if got != status or bad:
                    failures.append(command)
                    print(f"wasi: '{command}': FAILED (status {got}, want {status}; "
                          f"unmatched {bad})\n{out}---")
                else:
                    print(f"wasi: '{command}': ok (status {got})")
            m.type("\x1dshutdown\r")
            m.proc.wait(timeout=60)
        finally:
            m.stop()
    total = len(COMPARED) + len(STELLINA_ONLY)
    if failures:
        print(f"wasi: {len(failures)} of {total} checks failed: {', '.join(failures)}")
        return 1
    print(f"wasi: all {len(COMPARED)} modules print what node prints; "
          f"the {len(STELLINA_ONLY)} other checks pass")
    return 0


if __name__ == "__main__":
    sys.exit(main())
