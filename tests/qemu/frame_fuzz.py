#!/usr/bin/env python3
"""Mutated Ethernet frames against Stellina's network path, with httpd serving afterwards.

The guest's virtio-net card is on a QEMU socket netdev (`-netdev socket,udp=...`): every
frame is one UDP datagram between QEMU and this script, which plays the router 10.0.2.2
(ARP and DHCP, as tests/qemu/net_wire.py's Wire). Once the guest has its lease and httpd
answers a GET, the script sends --frames mutated frames: valid ones first (ARP requests and
replies, ICMP echo, TCP SYN, data and FIN to port 80 and to a closed port, UDP to the DNS
and DHCP ports and elsewhere, IPv4 with options) each with one to eight mutations (bytes
flipped or set to boundaries, 16-bit fields set to 0 or 0xffff, the frame cut short or
lengthened, a part repeated), in batches, answering the guest's ARP and DHCP between
batches. Then the guest must still answer ARP, a SYN, and a whole HTTP GET / with a 200.

    frame_fuzz.py --kernel K --initrd ARCHIVE [--frames N] [--seed S]

Prints `frame_fuzz: N frames sent` (bench/fuzz reads it) and exits 0 when the guest
survived, 1 otherwise.
"""

import argparse
import os
import random
import struct
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import net_wire  # noqa: E402  (re-executes this script under Debian's python3 for scapy)
from net_wire import (GUEST_IP, GUEST_MAC, ROUTER_IP, ROUTER_MAC, Failed, Wire,  # noqa: E402
                      check_arp, check_syn_ack, tcp_from_guest, to_guest)
from scapy.layers.inet import ICMP, TCP, UDP, IPOption_Router_Alert  # noqa: E402
from scapy.layers.l2 import ARP, Ether  # noqa: E402

BATCH = 200  # frames sent between two pumps of the guest's frames


def log(msg):
    print(f"frame_fuzz: {msg}", flush=True)


def base_frames():
    """Valid frames of every kind the stack parses, as bytes."""
    ether = Ether(dst=GUEST_MAC, src=ROUTER_MAC)
    frames = [
        Ether(dst="ff:ff:ff:ff:ff:ff", src=ROUTER_MAC) /
        ARP(op=1, hwsrc=ROUTER_MAC, psrc=ROUTER_IP, pdst=GUEST_IP),
        ether / ARP(op=2, hwsrc=ROUTER_MAC, psrc=ROUTER_IP, hwdst=GUEST_MAC, pdst=GUEST_IP),
        to_guest(ICMP(type=8, id=7, seq=1) / (b"ping" * 16)),
        to_guest(TCP(sport=41000, dport=80, flags="S", seq=1000,
                     options=[("MSS", 1460), ("WScale", 7), ("SAckOK", b""), ("NOP", None)])),
        to_guest(TCP(sport=41001, dport=80, flags="PA", seq=5000, ack=1) /
                 b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
        to_guest(TCP(sport=41002, dport=80, flags="FA", seq=9000, ack=1)),
        to_guest(TCP(sport=41003, dport=81, flags="S", seq=1)),
        to_guest(UDP(sport=53, dport=40000) / (b"\x12\x34\x81\x80" + bytes(8))),
        to_guest(UDP(sport=67, dport=68) / bytes(240)),
        to_guest(UDP(sport=1234, dport=7) / b"hello"),
        to_guest(TCP(sport=41004, dport=80, flags="S", seq=1), options=[IPOption_Router_Alert()]),
        to_guest(UDP(sport=1, dport=2) / bytes(100), flags="MF", frag=0),
    ]
    return [bytes(f) for f in frames]


def mutate(frame, rng):
    data = bytearray(frame)
    for _ in range(rng.randint(1, 8)):
        kind = rng.randrange(7)
        at = rng.randrange(max(1, len(data)))
        if kind == 0 and data:
            data[at] ^= 1 << rng.randrange(8)
        elif kind == 1 and data:
            data[at] = rng.choice((0, 1, 0x7F, 0x80, 0xFF, rng.randrange(256)))
        elif kind == 2 and len(data) > at + 1:
            data[at:at + 2] = struct.pack("!H", rng.choice((0, 1, 0x7FFF, 0x8000, 0xFFFF)))
        elif kind == 3:
            del data[rng.randrange(14, max(15, len(data))):]  # cut short (the header stays)
        elif kind == 4:
            data += bytes(rng.randrange(256) for _ in range(rng.randrange(1, 64)))
        elif kind == 5 and data:
            start = rng.randrange(len(data))
            data[at:at] = data[start:start + rng.randrange(1, 32)]
        elif data:
            data[at] = rng.randrange(256)
    if rng.randrange(10):
        data[0:6] = bytes.fromhex(GUEST_MAC.replace(":", ""))  # mostly for the guest
    return bytes(data[:1514])


def http_get(wire, sport, timeout=10.0):
    """A whole GET / over the wire, acknowledging as it comes; returns the response bytes."""
    isn = 7777
    wire.send(to_guest(TCP(sport=sport, dport=80, flags="S", seq=isn)))
    synack = wire.pump(3.0, lambda p: tcp_from_guest(80, sport)(p) and p[TCP].flags.S)
    if synack is None:
        raise Failed("no SYN-ACK to the HTTP client's SYN")
    next_seq = synack[TCP].seq + 1
    request = b"GET / HTTP/1.1\r\nHost: stellina\r\nConnection: close\r\n\r\n"
    wire.send(to_guest(TCP(sport=sport, dport=80, flags="PA", seq=isn + 1, ack=next_seq) / request))
    got, data = {}, []
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        p = wire.pump(1.0, lambda p: tcp_from_guest(80, sport)(p))
        if p is None:
            continue
        payload = bytes(p[TCP].payload)
        if payload:
            got[p[TCP].seq] = payload
        while next_seq in got:
            data.append(got.pop(next_seq))
            next_seq += len(data[-1])
        fin = p[TCP].flags.F and p[TCP].seq + len(payload) == next_seq
        if fin:
            next_seq += 1
        wire.send(to_guest(TCP(sport=sport, dport=80, flags="A", seq=isn + 1 + len(request),
                               ack=next_seq)))
        if fin:
            return b"".join(data) or b"(only the FIN)"
    raise Failed(f"the HTTP response did not end within {timeout:.0f} s")


def check_http(wire, sport, when):
    # The response is reassembled in order: check its status line.
    wire.pump(0.3)
    response = http_get(wire, sport)
    if not response.startswith(b"HTTP/1.1 200"):
        raise Failed(f"GET / {when}: {response[:60]!r}")
    log(f"GET / {when}: 200")


def run(opts, wire, guest):
    end = time.monotonic() + opts.boot_timeout
    while not wire.leased and time.monotonic() < end and guest.alive():
        wire.pump(0.5, lambda p: False)
    if not wire.leased:
        raise Failed(f"no DHCP lease within {opts.boot_timeout:.0f} s")
    wire.pump(0.5, lambda p: False)
    check_http(wire, 42000, "before the frames")

    rng = random.Random(opts.seed)
    bases = base_frames()
    sent = 0
    start = time.monotonic()
    while sent < opts.frames:
        for _ in range(min(BATCH, opts.frames - sent)):
            wire.sock.sendto(mutate(rng.choice(bases), rng), ("127.0.0.1", wire.qemu_port))
            sent += 1
        wire.pump(0.002)
        if sent % 100000 < BATCH:
            log(f"{sent} frames sent ({time.monotonic() - start:.0f} s)")
            if not guest.alive():
                raise Failed(f"QEMU exited after {sent} frames")
    log(f"{sent} frames sent")
    wire.pump(2.0)
    check_arp(wire, "after the frames")
    check_syn_ack(wire, 42001, "after the frames")
    check_http(wire, 42002, "after the frames")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--kernel", required=True)
    p.add_argument("--initrd", required=True)
    p.add_argument("--frames", type=int, default=20000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--boot-timeout", type=float, default=40.0)
    p.add_argument("--log", help="where to write the guest's serial output")
    opts = p.parse_args()
    opts.target, opts.append = "stellina", ""
    wire = Wire()
    guest = net_wire.start_guest(opts, wire)
    start = time.monotonic()
    try:
        run(opts, wire, guest)
        ok = True
    except Failed as e:
        log(f"FAILED: {e}")
        ok = False
    finally:
        alive = guest.alive()
        guest.stop()
    if opts.log:
        with open(opts.log, "w") as f:
            f.write(guest.output)
    if not ok:
        print("serial output ends:\n" + guest.tail(30))
        return 1
    if not alive:
        log("FAILED: QEMU exited before the end")
        return 1
    log(f"passed ({time.monotonic() - start:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
