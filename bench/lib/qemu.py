"""Running QEMU with wall-clock timestamps on its serial output.

QEMU's stdout (the serial console under -nographic) is read unbuffered; the time of the read
that completes a marker is that marker's time. All times are milliseconds since just before
QEMU was launched, measured with time.monotonic().
"""

import os
import selectors
import subprocess
import time
from dataclasses import dataclass, field

QEMU = "qemu-system-x86_64"
QBOOT = "/usr/share/qemu/qboot.rom"

# The two machine configurations every boot-time comparison uses.
MACHINES = {
    "microvm": ["-M", "microvm"],
    "q35": ["-M", "q35", "-bios", QBOOT],
}


def qemu_cmd(machine, kernel, append, initrd=None, memory=128, extra=()):
    cmd = [QEMU, "-accel", "tcg", *MACHINES[machine], "-m", str(memory),
           "-nographic", "-no-reboot", "-kernel", kernel, "-append", append]
    if initrd:
        cmd += ["-initrd", initrd]
    return cmd + list(extra)


@dataclass
class Run:
    marks: dict = field(default_factory=dict)  # marker -> ms at which it was seen
    exit_ms: float | None = None               # ms at which QEMU exited (None on timeout)
    returncode: int | None = None
    timed_out: bool = False
    output: str = ""

    def ok(self, markers):
        return not self.timed_out and self.returncode == 0 and all(m in self.marks for m in markers)


def timed_run(cmd, markers, timeout=30.0, stop_when_marked=False):
    """Runs cmd, timestamps the first occurrence of each marker, waits for exit or timeout
    (or, with stop_when_marked, kills QEMU once every marker has been seen)."""
    run = Run()
    buf = b""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, bufsize=0)
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    try:
        while True:
            left = start + timeout - time.monotonic()
            if left <= 0:
                run.timed_out = True
                proc.kill()
                break
            if not sel.select(left):
                continue
            chunk = os.read(proc.stdout.fileno(), 65536)
            now = time.monotonic()
            if not chunk:
                break
            buf += chunk
            for m in markers:
                if m not in run.marks and m.encode() in buf:
                    run.marks[m] = (now - start) * 1000
            if stop_when_marked and len(run.marks) == len(markers):
                proc.kill()
        run.returncode = proc.wait()
        if not run.timed_out:
            run.exit_ms = (time.monotonic() - start) * 1000
    finally:
        sel.close()
        proc.stdout.close()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    run.output = buf.decode(errors="replace").replace("\r", "")
    return run


def timed_run_retry(cmd, markers, timeout=30.0, attempts=3):
    """Like timed_run, but runs again (up to `attempts` times in all) when a run times out or
    misses a marker. Returns (run, failed_attempts)."""
    for i in range(attempts):
        run = timed_run(cmd, markers, timeout)
        if run.ok(markers):
            return run, i
    return run, attempts
