#!/usr/bin/env python3
"""Runs a static Linux program under Stellina's Linux personality and on the host, and
compares the two: stdout line by line, stderr line by line, and the exit status.

The test kernel's manual_linux_run (kernel/ktest/linux_test.cc) starts the program from
--archive with the same argv, environment and stdin the host run gets, and prints what it
writes as "linux-out: ", "linux-err: " and "linux-exit: " lines. argv[0] is the host
binary's path in both runs, so that what the program says about it is the same.
With --unimplemented N, the kernel's count of unimplemented calls, logged when the process
ends, must name call N. With --silo-threads or --silo-pages the program runs in a silo with that limit; with
--stellina-only there is no host run (a fork bomb's), and each --expect line must be among
what it printed instead. With --segfault, the program must die of a bad access: SIGSEGV on
both (the ProcessExit's detail under Stellina), after the same output.
"""

import argparse
import os
import re
import signal
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def split(value):
    return [v for v in value.split(",") if v] if value else []


def run_host(path, argv, env, stdin):
    done = subprocess.run(argv, executable=path, env=env, input=stdin.encode(),
                          capture_output=True, timeout=60)
    return (done.stdout.decode().splitlines(), done.stderr.decode().splitlines(),
            done.returncode)


def run_stellina(args, argv):
    append = [f"ktest=manual_linux_run", f"linux_run={args.program}",
              f"linux_argv={','.join(argv)}"]
    if args.env:
        append.append(f"linux_env={args.env}")
    if args.stdin:
        append.append(f"linux_stdin={args.stdin}")
    if args.silo_threads:
        append.append(f"linux_silo_threads={args.silo_threads}")
    if args.silo_pages:
        append.append(f"linux_silo_pages={args.silo_pages}")
    cmd = [sys.executable, os.path.join(ROOT, "tools", "qemu_run.py"), "--machine", "microvm",
           "--smp", str(args.smp), "--kernel", args.kernel, "--initrd", args.archive, "--append", " ".join(append),
           "--status", "33", "--timeout", "120", "--expect", "ktest: 1 passed, 0 failed"]
    done = subprocess.run(cmd, capture_output=True, timeout=180)
    serial = done.stdout.decode("utf-8", "replace").replace("\r", "").splitlines()
    return serial, done.returncode


def stream(serial, label):
    prefix = f"{label}: "
    return [line[len(prefix):] for line in serial if line.startswith(prefix)]


def compare(name, stellina, host, problems):
    if stellina == host:
        return
    problems.append(f"{name} differs")
    for i in range(max(len(stellina), len(host))):
        s = stellina[i] if i < len(stellina) else "<none>"
        h = host[i] if i < len(host) else "<none>"
        if s != h:
            print(f"  {name} line {i + 1}: stellina {s!r}, host {h!r}")


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--kernel", required=True)
    p.add_argument("--archive", required=True)
    p.add_argument("--host-dir", required=True, help="where the archive's binaries are")
    p.add_argument("--program", required=True)
    p.add_argument("--argv", required=True, help="comma-separated; argv[0] is replaced")
    p.add_argument("--env", default="", help="comma-separated KEY=VALUE")
    p.add_argument("--stdin", default="", help="comma-separated lines")
    p.add_argument("--status", type=int, help="the exit status both must give")
    p.add_argument("--segfault", action="store_true", help="both must die of a bad access")
    p.add_argument("--unimplemented", type=int)
    p.add_argument("--silo-threads", type=int, help="run in a silo of this many threads")
    p.add_argument("--silo-pages", type=int, help="run in a silo of this many 4 KiB pages")
    p.add_argument("--smp", type=int, default=1, help="virtual CPUs for Stellina's run")
    p.add_argument("--stellina-only", action="store_true", help="no host run: --expect lines")
    p.add_argument("--expect", action="append", default=[], help="a stdout line required")
    args = p.parse_args()

    path = os.path.join(os.path.abspath(args.host_dir), args.program)
    argv = [path] + split(args.argv)[1:]
    env = dict(kv.split("=", 1) for kv in split(args.env))
    stdin = "".join(line + "\n" for line in split(args.stdin))

    serial, qemu_status = run_stellina(args, argv)
    problems = []
    if qemu_status != 0:
        problems.append(f"the test kernel failed (qemu_run status {qemu_status})")
    if args.stellina_only:
        host_out, host_err, host_status = [], [], args.status
        printed = stream(serial, "linux-out")
        problems += [f"missing line {line!r}" for line in args.expect if line not in printed]
    else:
        host_out, host_err, host_status = run_host(path, argv, env, stdin)
        compare("stdout", stream(serial, "linux-out"), host_out, problems)
        compare("stderr", stream(serial, "linux-err"), host_err, problems)
    exits = stream(serial, "linux-exit")
    status = int(exits[0].split()[0]) if exits else None
    detail = exits[0].split(" ", 1)[1] if exits and " " in exits[0] else ""
    if args.segfault:
        # A Linux process dies of the signal its fault raised (SIGSEGV).
        if host_status != -signal.SIGSEGV or detail not in ("page fault", "SIGSEGV"):
            problems.append(f"no bad access: stellina '{detail}', host status {host_status}")
    elif status != host_status or status != args.status or detail != "exit":
        problems.append(f"exit status: stellina {status} ({detail}), host {host_status}, "
                        f"expected {args.status}")
    if args.unimplemented is not None:
        counted = re.compile(rf"unimplemented calls \(count x number\):.*\b\d+x{args.unimplemented}\b")
        if not any(counted.search(line) for line in serial):
            problems.append(f"no count of unimplemented call {args.unimplemented} logged")
    if problems:
        print("\n".join(serial))
        print("linux_run: FAILED: " + "; ".join(problems))
        return 1
    print(f"linux_run: {args.program}: {len(host_out)} stdout lines, {len(host_err)} stderr "
          f"lines and exit status {status} as on the host")
    return 0


if __name__ == "__main__":
    sys.exit(main())
