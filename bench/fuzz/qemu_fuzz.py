"""The QEMU fuzzers, at full count, for bench/fuzz:

  syscalls_execs  random syscalls made by the syscall fuzzer (tests/user/fuzz.cc, four
                  threads, live handles of every type) in the in-kernel test
                  user_syscall_fuzz, booted with fuzz_calls=SYSCALLS (default 1,000,000); the
                  test then checks that the kernel still answers and that every page and heap
                  allocation came back. Recorded only when the test passed.
  frames_execs    mutated Ethernet frames sent through a socket netdev by
                  tests/qemu/frame_fuzz.py (default 1,000,000); the guest must still answer
                  ARP, a SYN and a whole GET / afterwards. Recorded only when it did.

FUZZ_SYSCALLS and FUZZ_FRAMES change the counts.
"""

import os
import re
import subprocess
import sys
import time

from bench.lib.results import REPO

BUILD = os.path.join(REPO, "build")
SYSCALLS = int(os.environ.get("FUZZ_SYSCALLS", 1_000_000))
FRAMES = int(os.environ.get("FUZZ_FRAMES", 1_000_000))


def syscalls(rec):
    args = [sys.executable, os.path.join(REPO, "tools", "qemu_run.py"), "--machine", "microvm",
            "--kernel", os.path.join(BUILD, "kernel", "stellina-test.elf"),
            "--initrd", os.path.join(BUILD, "user", "boot.archive"),
            "--append", f"ktest=user_syscall_fuzz fuzz_calls={SYSCALLS}", "--status", "33",
            "--timeout", str(300 + SYSCALLS // 500)]
    start = time.monotonic()
    out = subprocess.run(args, capture_output=True, text=True, errors="replace")
    seconds = round(time.monotonic() - start, 1)
    m = re.search(r"ktest:\s+(\d+) calls: (\d+) succeeded, (\d+) refused", out.stdout)
    if out.returncode != 0 or not m or "ok   user_syscall_fuzz" not in out.stdout:
        print(out.stdout[-4000:], file=sys.stderr)
        raise SystemExit("fuzz: the syscall fuzzer failed (the kernel did not survive it)")
    rec.add("syscalls_execs", int(m.group(1)), "calls", 1, succeeded=int(m.group(2)),
            refused=int(m.group(3)), threads=4, seconds=seconds)
    print(f"fuzz: syscalls: {m.group(1)} calls in {seconds} s, kernel still answering", flush=True)


def frames(rec):
    args = [sys.executable, os.path.join(REPO, "tests", "qemu", "frame_fuzz.py"),
            "--kernel", os.path.join(BUILD, "kernel", "stellina.elf"),
            "--initrd", os.path.join(BUILD, "user", "boot.archive"), "--frames", str(FRAMES),
            "--log", os.path.join(BUILD, "bench", "frame_fuzz.log")]
    start = time.monotonic()
    out = subprocess.run(args, capture_output=True, text=True, errors="replace")
    seconds = round(time.monotonic() - start, 1)
    m = re.search(r"frame_fuzz: (\d+) frames sent\n", out.stdout)
    if out.returncode != 0 or not m:
        print(out.stdout[-4000:], file=sys.stderr)
        raise SystemExit("fuzz: the frame fuzzer failed (httpd did not survive it)")
    rec.add("frames_execs", int(m.group(1)), "frames", 1, seconds=seconds)
    print(f"fuzz: frames: {m.group(1)} frames in {seconds} s, httpd still serving", flush=True)


def run(rec, opts):
    os.makedirs(os.path.join(BUILD, "bench"), exist_ok=True)
    syscalls(rec)
    frames(rec)
