"""Startup: how long the startup server takes to bring a system up, on microvm.

Boots build/kernel/stellina.elf with the "startup" test system (tests/system: echo, ticker,
caller, snoop and hog, two of them in a silo) and timestamps, from QEMU launch:
the kernel's ready line, the last component started, and the first reply from echo to its
client caller over the channel the startup server wired (which includes caller's first
20 ms ping interval). QEMU is killed once all are seen. Medians of opts.runs runs after one
warm-up boot.
"""

import os
import sys

from bench.lib import qemu
from bench.lib.results import REPO

STELLINA = os.path.join(REPO, "build", "kernel", "stellina.elf")
SYSTEM = os.path.join(REPO, "build", "scenarios", "startup", "boot.archive")
READY = "stellina: ready"
LAST_STARTED = "started ticker"  # the last component in the system's start order
ANSWERED = "[caller] echo answered"
MARKERS = [READY, LAST_STARTED, ANSWERED]


def boot():
    cmd = qemu.qemu_cmd("microvm", STELLINA, "", initrd=SYSTEM)
    run = qemu.timed_run(cmd, MARKERS, timeout=20, stop_when_marked=True)
    if len(run.marks) != len(MARKERS):
        tail = "\n".join(run.output.splitlines()[-20:])
        missing = [m for m in MARKERS if m not in run.marks]
        raise SystemExit(f"startup: never saw {missing}:\n{tail}")
    return run.marks


def run(rec, opts):
    for path in (STELLINA, SYSTEM):
        if not os.path.exists(path):
            raise SystemExit(f"startup: {os.path.relpath(path, REPO)} is missing; build first (make)")
    print(f"startup: microvm, {opts.runs} runs ", end="", file=sys.stderr, flush=True)
    boot()
    ready, started, answered, took = [], [], [], []
    for _ in range(opts.runs):
        marks = boot()
        ready.append(marks[READY])
        started.append(marks[LAST_STARTED])
        answered.append(marks[ANSWERED])
        took.append(marks[LAST_STARTED] - marks[READY])
        print(".", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    rec.samples("stellina_microvm_ready_ms", ready, "ms", machine="microvm")
    rec.samples("components_started_ms", started, "ms", machine="microvm", components=5)
    rec.samples("startup_after_ready_ms", took, "ms", machine="microvm", components=5)
    rec.samples("first_service_reply_ms", answered, "ms", machine="microvm")
