#!/usr/bin/env python3
"""Config from the kernel command line: a static address for tcpip instead of DHCP.

Boots the system `make run` boots with

    tcpip.address=10.0.2.20/24 tcpip.gateway=10.0.2.2 tcpip.dns=10.0.2.3

and a host port forwarded to 10.0.2.20:80 (QEMU's DHCP server would give 10.0.2.15, so an
answer proves the address came from the command line), plus three words the startup server
must leave out (a key tcpip's spec lacks, a component that does not exist, and a value not
of its key's type). Passes when `/` answers 200 through that port and the serial output
shows each word applied or left out, tcpip's static configuration, and no DHCP lease.

usage: static_address.py --kernel K --initrd ARCHIVE
"""

import argparse
import os
import re
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, REPO)
from bench.lib import http, qemu  # noqa: E402

ADDRESS = "10.0.2.20"
APPEND = (f"tcpip.address={ADDRESS}/24 tcpip.gateway=10.0.2.2 tcpip.dns=10.0.2.3 "
          "tcpip.no_such_key=1 nosuch.address=dhcp ramfs.size_mib=lots")
EXPECTED = [
    r"\[startup\] kernel command line: tcpip config address = 10\.0\.2\.20/24$",
    r"\[startup\] kernel command line: tcpip config gateway = 10\.0\.2\.2$",
    r"\[startup\] kernel command line: tcpip config dns = 10\.0\.2\.3$",
    r"\[startup\] kernel command line: tcpip\.no_such_key=1: no such config key in its spec: "
    r"left out$",
    r"\[startup\] kernel command line: nosuch\.address=dhcp: no such component: left out$",
    r"\[startup\] kernel command line: ramfs\.size_mib=lots: not a decimal integer: left out$",
    r"\[tcpip\] address 10\.0\.2\.20 netmask 255\.255\.255\.0 gateway 10\.0\.2\.2 dns "
    r"10\.0\.2\.3$",
]
REJECTED = [r"\(DHCP\)", r"\[tcpip\] error"]
BOOT_TIMEOUT_S = 60.0


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--kernel", required=True)
    p.add_argument("--initrd", required=True)
    args = p.parse_args()
    port = http.free_port()
    netdev = f"user,id=n0,hostfwd=tcp:127.0.0.1:{port}-{ADDRESS}:80"
    cmd = qemu.qemu_cmd("microvm", args.kernel, APPEND, initrd=args.initrd,
                        extra=qemu.virtio_net("microvm", netdev))
    with qemu.Background(cmd) as guest:
        hit = http.first_200(port, guest.start, guest.start + BOOT_TIMEOUT_S, alive=guest.alive)
        lines = [line.rstrip() for line in guest.output.splitlines()]
        tail = guest.tail(30)
    if hit.ms is None:
        raise SystemExit(f"static_address: no HTTP 200 from {ADDRESS} within "
                         f"{BOOT_TIMEOUT_S:.0f} s; serial output ends:\n{tail}")
    for pattern in EXPECTED:
        if not any(re.search(pattern, line) for line in lines):
            raise SystemExit(f"static_address: no line matches {pattern!r}; serial output "
                             f"ends:\n{tail}")
    for pattern in REJECTED:
        bad = [line for line in lines if re.search(pattern, line)]
        if bad:
            raise SystemExit(f"static_address: {bad[0]!r} matches {pattern!r}")
    print(f"static_address: / answered 200 from {ADDRESS} {hit.ms:.0f} ms after QEMU's launch; "
          f"every word applied or left out as it should")


if __name__ == "__main__":
    main()
