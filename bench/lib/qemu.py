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


# The CPU tools/qemu_run.py gives every run (SMEP and SMAP on), for both systems.
CPU = "qemu64,+smep,+smap"


def qemu_cmd(machine, kernel, append, initrd=None, memory=128, extra=()):
    cmd = [QEMU, "-accel", "tcg", "-cpu", CPU, *MACHINES[machine], "-m", str(memory),
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


class Background:
    """QEMU running while the host does something else (HTTP clients): its serial output is
    drained by a thread (a full pipe would stall the guest) and kept in `output`.

        with Background(cmd) as guest:
            guest.start           # time.monotonic() just before launch
            guest.alive(), guest.output, guest.seen("marker")
    """

    def __init__(self, cmd):
        import threading
        self.cmd = cmd
        self._chunks = []
        self._lock = threading.Lock()
        self.start = time.monotonic()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, bufsize=0)
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self):
        while chunk := os.read(self.proc.stdout.fileno(), 65536):
            with self._lock:
                self._chunks.append(chunk)

    @property
    def output(self):
        with self._lock:
            return b"".join(self._chunks).decode(errors="replace").replace("\r", "")

    def seen(self, marker):
        return marker in self.output

    def alive(self):
        return self.proc.poll() is None

    def tail(self, lines=20):
        return "\n".join(self.output.splitlines()[-lines:])

    def stop(self):
        """Kills QEMU (if still running) and returns its exit status."""
        if self.proc.poll() is None:
            self.proc.kill()
        status = self.proc.wait()
        self._reader.join(timeout=5)
        self.proc.stdout.close()
        return status

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def virtio_net(machine, netdev, mac=None):
    """QEMU arguments for one virtio-net card on `netdev` (a -netdev value with id=n0):
    virtio-net-device (virtio 1.x over virtio-mmio) on microvm, virtio-net-pci on q35."""
    device = "virtio-net-device" if machine == "microvm" else "virtio-net-pci"
    device += ",netdev=n0" + (f",mac={mac}" if mac else "")
    extra = ["-global", "virtio-mmio.force-legacy=false"] if machine == "microvm" else []
    return ["-netdev", netdev, *extra, "-device", device]


# Stellina's stack given QEMU's user-network address on the kernel command line (config from
# the command line, servers/startup/README.md) instead of asking QEMU's DHCP server for it.
STELLINA_STATIC_ADDRESS = "tcpip.address=10.0.2.15/24 tcpip.gateway=10.0.2.2 tcpip.dns=10.0.2.3"


def user_net(machine, forwards):
    """One virtio-net card on QEMU's user network; forwards: {host port on 127.0.0.1: guest port}."""
    netdev = "user,id=n0" + "".join(f",hostfwd=tcp:127.0.0.1:{h}-:{g}" for h, g in forwards.items())
    return virtio_net(machine, netdev)
