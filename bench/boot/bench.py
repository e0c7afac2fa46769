"""Boot time: wall time from QEMU launch to the first "ready" line and to QEMU's exit.

Stellina (build/kernel/stellina.elf, booted with after_boot=shutdown) and the Debian Linux
guest (to the first line its /init prints, then poweroff) on the same two machines:
microvm, and q35 with the qboot firmware. Runs alternate between the two systems so that
drift in host load affects both alike. Figures are medians of opts.runs runs; one warm-up
boot of each system per machine (page cache, QEMU start-up) goes before and is not counted.
"""

import os
import sys

from bench.lib import qemu
from bench.lib.results import REPO
from bench.linux import guest

STELLINA = os.path.join(REPO, "build", "kernel", "stellina.elf")
READY = "stellina: ready"
MACHINES = ("microvm", "q35")


def stellina_boot(machine):
    cmd = qemu.qemu_cmd(machine, STELLINA, "after_boot=shutdown")
    run = qemu.timed_run(cmd, [READY], timeout=20)
    if not run.ok([READY]):
        why = "timed out" if run.timed_out else f"exit status {run.returncode}"
        tail = "\n".join(run.output.splitlines()[-20:])
        raise SystemExit(f"boot: Stellina on {machine} failed ({why}, ready line "
                         f"{'seen' if READY in run.marks else 'missing'}):\n{tail}")
    return run


def linux_boot(machine):
    run, retries = guest.boot(machine)
    if not run.ok([guest.INIT_MARKER]):
        tail = "\n".join(run.output.splitlines()[-20:])
        raise SystemExit(f"boot: Linux on {machine} failed {retries} times:\n{tail}")
    return run, retries


def run(rec, opts):
    if not os.path.exists(STELLINA):
        raise SystemExit(f"boot: {os.path.relpath(STELLINA, REPO)} is missing; "
                         "build the kernel first (make)")
    guest.prepare.prepare()
    for m in MACHINES:
        s_ready, s_exit, l_init, l_exit, retries = [], [], [], [], 0
        print(f"boot: {m}, {opts.runs} runs each ", end="", file=sys.stderr, flush=True)
        stellina_boot(m)
        linux_boot(m)
        for _ in range(opts.runs):
            s = stellina_boot(m)
            s_ready.append(s.marks[READY])
            s_exit.append(s.exit_ms)
            lx, failed = linux_boot(m)
            l_init.append(lx.marks[guest.INIT_MARKER])
            l_exit.append(lx.exit_ms)
            retries += failed
            print(".", end="", file=sys.stderr, flush=True)
        print(file=sys.stderr)
        rec.samples(f"stellina_{m}_ready_ms", s_ready, "ms", machine=m)
        rec.samples(f"stellina_{m}_exit_ms", s_exit, "ms", machine=m)
        # hung_retries: Linux boots that timed out and were run again (not in the samples).
        info = {"machine": m, "hung_retries": retries, "linux": guest.prepare.kernel_version()}
        rec.samples(f"linux_{m}_init_ms", l_init, "ms", **info)
        rec.samples(f"linux_{m}_exit_ms", l_exit, "ms", **info)
        rec.ratio(f"ratio_{m}_ready", f"linux_{m}_init_ms", f"stellina_{m}_ready_ms", machine=m)
        rec.ratio(f"ratio_{m}_exit", f"linux_{m}_exit_ms", f"stellina_{m}_exit_ms", machine=m)
