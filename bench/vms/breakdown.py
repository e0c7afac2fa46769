#!/usr/bin/env python3
"""Where the time goes from QEMU's launch to Stellina's first HTTP 200 (microvm, TCG).

    python3 bench/vms/breakdown.py [--runs 5] [--memory 128] [--archive PATH] [--dhcp]
                                   [--kernel PATH] [--against PATH]

Boots the system `make run` boots (build/user/system.archive) as bench/http does (user
network, a forwarded port, bench.lib.http.first_200 polling every 50 ms, the stack's static
address on the kernel command line; --dhcp: from DHCP instead) and prints, per
step, the median over the runs of two clocks: the host's (ms since just before QEMU's launch,
when the line was read from the serial console) and the guest's (the kernel log's own
timestamp, ms since the kernel started). Prints only: the figures that are kept are bench/http's
stellina_first_200_ms and bench/vms's. --against boots a second kernel (the same archive)
alternately with the first, one boot of each in turn, and prints both columns: on a loaded
host that compares two kernels better than two runs one after the other.
"""

import argparse
import os
import re
import statistics
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
from bench.lib import http, qemu  # noqa: E402
from bench.lib.results import REPO  # noqa: E402

STEPS = [
    ("kernel entered", "Stellina starting"),
    ("clocks calibrated", "clock: TSC"),
    ("kernel ready", "stellina: ready"),
    ("startup: first component", "[startup] started "),
    ("devmgr: device found", "[devmgr] virtio-mmio"),
    ("virtio-net started", "[startup] started virtio-net"),
    ("httpd listening", "[httpd] listening on port 80"),
    ("virtio-net: link up", "[virtio-net] mac"),
    ("tcpip: link up", "[tcpip] mac"),
    ("tcpip: address", "[tcpip] address "),
    ("httpd: site files listed", "static files from"),  # after listening: its first tick
]
GUEST_TIME = re.compile(r"\[\s*(\d+)\.(\d{6})\] ")


def one_boot(kernel, memory, archive, append):
    port = http.free_port()
    cmd = qemu.qemu_cmd("microvm", kernel, append, initrd=archive, memory=memory,
                        extra=qemu.user_net("microvm", {port: 80}))
    host, guest = {}, {}
    with qemu.Background(cmd) as g:
        def watch():
            while g.alive() and len(host) < len(STEPS):
                now = (time.monotonic() - g.start) * 1000
                for line in g.output.splitlines():
                    for name, marker in STEPS:
                        if name not in host and marker in line:
                            host[name] = now
                            m = GUEST_TIME.search(line)
                            if m:
                                guest[name] = int(m.group(1)) * 1000 + int(m.group(2)) / 1000
                time.sleep(0.002)
        t = threading.Thread(target=watch, daemon=True)
        t.start()
        hit = http.first_200(port, g.start, g.start + 30, alive=g.alive)
        t.join(3)
    return hit.ms, host, guest


def med(xs):
    return f"{statistics.median(xs):7.1f}" if xs else "      -"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--memory", type=int, default=128)
    p.add_argument("--archive", default=os.path.join(REPO, "build", "user", "system.archive"))
    p.add_argument("--kernel", default=os.path.join(REPO, "build", "kernel", "stellina.elf"))
    p.add_argument("--against", help="a second kernel, booted alternately with --kernel")
    p.add_argument("--dhcp", action="store_true",
                   help="the address from DHCP (make run's way), not from the command line")
    args = p.parse_args()
    append = "" if args.dhcp else qemu.STELLINA_STATIC_ADDRESS
    kernels = [args.kernel] + ([args.against] if args.against else [])
    firsts = {k: [] for k in kernels}
    hosts = {k: [] for k in kernels}
    guests = {k: [] for k in kernels}
    for _ in range(args.runs):
        for kernel in kernels:
            ms, host, guest = one_boot(kernel, args.memory, args.archive, append)
            if ms is None:
                raise SystemExit(f"breakdown: {kernel}: no HTTP 200 within 30 s")
            firsts[kernel].append(ms)
            hosts[kernel].append(host)
            guests[kernel].append(guest)
    print(f"medians of {args.runs} boots each, load {os.getloadavg()[0]:.1f}; "
          + "; ".join(f"{chr(65 + i)}: {k}" for i, k in enumerate(kernels)))
    header = "".join(f" {chr(65 + i) + ' host':>8} {chr(65 + i) + ' guest':>8}"
                     for i in range(len(kernels)))
    print(f"{'step':<28}{header}")
    for name, _ in STEPS:
        row = "".join(f" {med([h[name] for h in hosts[k] if name in h]):>8} "
                      f"{med([g[name] for g in guests[k] if name in g]):>8}" for k in kernels)
        print(f"{name:<28}{row}")
    print(f"{'first HTTP 200 (host)':<28}"
          + "".join(f" {med(firsts[k]):>8} {'':>8}" for k in kernels))


if __name__ == "__main__":
    main()
