#!/usr/bin/env python3
"""Where Stellina's memory goes once it serves (microvm, TCG).

    python3 bench/vms/memory.py [--memory 128] [--archive PATH] [--dhcp]

Boots the system `make run` boots (build/user/system.archive; --archive
build/system-web/boot.archive: the serving system of make serve-vms) as bench/http does (the stack's
static address on the kernel command line; --dhcp: from DHCP), waits for the first 200 on
`/` and then until `/api/status` lists every component started (bench/http's criterion for
serving: bench.lib.http.all_started), and prints from that document, in KiB: the memory
outside the kernel's page allocator (the guest's RAM as QEMU gives it, less what the
allocator manages: the first 64 KiB, the kernel image and the boot archive), what the
allocator has handed out, and of that the kernel heap and each running component's charge
(its silo: data, stacks, page tables, kernel objects, DMA memory; its code and read-only
data are the archive's pages, charged to no one); the rest is the startup server, kernel
stacks and the like. Prints only: the figure that is kept is bench/http's stellina_min_mem_mib. A component's
charge does not depend on -m (memory is charged as it is touched), so any -m that serves
gives the same table.
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
from bench.lib import http, qemu  # noqa: E402
from bench.lib.results import REPO  # noqa: E402

# QEMU's microvm memory map below 4 GiB: RAM but for the hole 0x9fc00-0x100000.
LOW_HOLE_BYTES = 0x100000 - 0x9fc00


def status_once_serving(memory, archive, append):
    port = http.free_port()
    kernel = os.path.join(REPO, "build", "kernel", "stellina.elf")
    cmd = qemu.qemu_cmd("microvm", kernel, append, initrd=archive, memory=memory,
                        extra=qemu.user_net("microvm", {port: 80}))
    with qemu.Background(cmd) as g:
        hit = http.first_200(port, g.start, g.start + 30, alive=g.alive)
        if hit.ms is None:
            raise SystemExit(f"memory: no HTTP 200 within 30 s; serial output ends:\n{g.tail(20)}")
        whole = http.all_started(port, g.start + 30, alive=g.alive)
        if not whole.ok:
            raise SystemExit(f"memory: not every component started within 30 s "
                             f"({', '.join(whole.pending)}); serial output ends:\n{g.tail(20)}")
        # httpd reads the machine's memory figures at its ticks: the first may be to come.
        status = whole.status
        while status["memory"]["total_bytes"] is None and time.monotonic() < g.start + 30:
            time.sleep(0.2)
            status = json.loads(http.get(port, "/api/status")[2])
        return status


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--memory", type=int, default=128)
    p.add_argument("--archive", default=os.path.join(REPO, "build", "user", "system.archive"))
    p.add_argument("--dhcp", action="store_true")
    args = p.parse_args()
    append = "" if args.dhcp else qemu.STELLINA_STATIC_ADDRESS
    s = status_once_serving(args.memory, args.archive, append)
    kib = lambda b: f"{b // 1024:>7,}"
    ram = args.memory * 1024 * 1024 - LOW_HOLE_BYTES
    total, free = s["memory"]["total_bytes"], s["memory"]["free_bytes"]
    heap = s["memory"]["kernel_heap_bytes"]
    running = [c for c in s["components"] if c["memory_bytes"]]
    charged = sum(c["memory_bytes"] for c in running)
    print(f"{'':<44}{'KiB':>7}")
    print(f"{'outside the page allocator (kernel, archive)':<44}{kib(ram - total)}")
    print(f"{'handed out by the page allocator':<44}{kib(total - free)}")
    print(f"{'  the kernel heap':<44}{kib(heap)}")
    for c in sorted(running, key=lambda c: -c["memory_bytes"]):
        print(f"{'  ' + c['name']:<44}{kib(c['memory_bytes'])}")
    print(f"{'  the rest (startup server, kernel stacks, ...)':<44}"
          f"{kib(total - free - heap - charged)}")
    print(f"{'in use once serving':<44}{kib(ram - free)}")


if __name__ == "__main__":
    main()
