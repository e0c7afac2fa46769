#!/usr/bin/env python3
"""Hand-made frames against a guest's network stack, with scapy (python3-scapy).

The guest's virtio-net card is plugged into a QEMU socket netdev
(`-netdev socket,udp=127.0.0.1:A,localaddr=127.0.0.1:B`): every Ethernet frame is one UDP
datagram between QEMU and this script, which is the only other station on that wire. It
plays the router 10.0.2.2 (52:55:0a:00:02:02): answers the guest's ARP requests and is its
DHCP server (offering 10.0.2.15/24, router 10.0.2.2, DNS 10.0.2.3), then checks:

  1. an ARP request for 10.0.2.15 gets a reply with the guest's MAC;
  2. a SYN to port 80 gets a SYN-ACK acknowledging ISN+1, with an MSS option;
  3. a SYN to a closed port gets an RST-ACK acknowledging ISN+1;
  4. an ACK for no connection gets an RST whose sequence number is that ACK's ack number;
  5. a burst of garbage (random bytes, truncated IPv4 and TCP headers, bad IPv4 and TCP
     checksums, IPv4 lengths too long and too short, bad header lengths, fragments) is
     survived: none of it is answered (a SYN with a bad checksum or in a fragment gets no
     SYN-ACK), the guest still answers ARP and a SYN afterwards, and its drop counters (read
     from its serial log) grew by at least MIN_COUNTED.

usage: net_wire.py --target linux      (the Debian baseline guest, bench/linux; udhcpc, and
                                        /proc/net/snmp printed every second)
       net_wire.py --target stellina --kernel K --initrd ARCHIVE
"""

import argparse
import os
import random
import re
import socket
import struct
import sys
import time

try:
    from scapy.layers.dhcp import BOOTP, DHCP
    from scapy.layers.inet import ICMP, IP, TCP, UDP
    from scapy.layers.l2 import ARP, Ether
except ImportError:
    # CMake's python3 may be another interpreter than Debian's, which has python3-scapy.
    if sys.executable != "/usr/bin/python3" and os.path.exists("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3", *sys.argv])
    sys.exit("net_wire: scapy is missing (apt-get install python3-scapy, or tools/setup.sh)")

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, REPO)
from bench.lib import qemu  # noqa: E402

GUEST_MAC = "52:54:00:12:34:56"
GUEST_IP = "10.0.2.15"
ROUTER_MAC = "52:55:0a:00:02:02"
ROUTER_IP = "10.0.2.2"
DNS_IP = "10.0.2.3"
BROADCAST = "ff:ff:ff:ff:ff:ff"
MIN_COUNTED = 20           # garbage frames the guest's counters must show at least
GARBAGE_ROUNDS = 25        # rounds of every kind of garbage (11 frames each)
FRAME_TIMEOUT_S = 3.0      # for each expected answer
LINUX_COUNTERS = "linux-net: snmp "


class Failed(Exception):
    pass


def log(msg):
    print(f"net_wire: {msg}", flush=True)


class Wire:
    """The UDP socket QEMU's socket netdev talks to; answers ARP and DHCP on its own."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        probe.bind(("127.0.0.1", 0))
        self.qemu_port = probe.getsockname()[1]  # QEMU binds it next; the race is harmless here
        probe.close()
        self.leased = False
        self.received = 0

    def send(self, frame):
        data = bytes(frame)
        self.sock.sendto(data, ("127.0.0.1", self.qemu_port))

    def answer(self, pkt):
        """ARP and DHCP, as the router; True when the frame was one of those."""
        if ARP in pkt and pkt[ARP].op == 1 and pkt[ARP].pdst == ROUTER_IP:
            self.send(Ether(dst=pkt[ARP].hwsrc, src=ROUTER_MAC) /
                      ARP(op=2, hwsrc=ROUTER_MAC, psrc=ROUTER_IP, hwdst=pkt[ARP].hwsrc,
                          pdst=pkt[ARP].psrc))
            return True
        if DHCP in pkt and pkt[BOOTP].op == 1:
            kind = dict(o for o in pkt[DHCP].options if isinstance(o, tuple)).get("message-type")
            reply = {1: "offer", 3: "ack"}.get(kind)
            if reply is None:
                return True
            self.send(Ether(dst=BROADCAST, src=ROUTER_MAC) /
                      IP(src=ROUTER_IP, dst="255.255.255.255") / UDP(sport=67, dport=68) /
                      BOOTP(op=2, xid=pkt[BOOTP].xid, yiaddr=GUEST_IP, siaddr=ROUTER_IP,
                            chaddr=pkt[BOOTP].chaddr, flags=pkt[BOOTP].flags) /
                      DHCP(options=[("message-type", reply), ("server_id", ROUTER_IP),
                                    ("subnet_mask", "255.255.255.0"), ("router", ROUTER_IP),
                                    ("name_server", DNS_IP), ("lease_time", 3600), "end"]))
            if reply == "ack":
                self.leased = True
                log(f"DHCP: {GUEST_IP} leased to {pkt[Ether].src}")
            return True
        return False

    def pump(self, seconds, want=None):
        """Receives for up to `seconds`, answering ARP and DHCP; returns the first frame for
        which want(pkt) is true (None when none came), or every other frame in a list when
        `want` is None (then it always runs the whole time)."""
        end = time.monotonic() + seconds
        others = []
        while (left := end - time.monotonic()) > 0:
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                break
            self.received += 1
            pkt = Ether(data)
            if self.answer(pkt):
                continue
            if want is None:
                others.append(pkt)
            elif want(pkt):
                return pkt
        return others if want is None else None


def tcp_from_guest(sport, dport):
    return lambda p: TCP in p and p[IP].src == GUEST_IP and p[TCP].sport == sport and \
        p[TCP].dport == dport


def to_guest(segment, **ip):
    return Ether(dst=GUEST_MAC, src=ROUTER_MAC) / IP(src=ROUTER_IP, dst=GUEST_IP, **ip) / segment


def check_arp(wire, when):
    wire.send(Ether(dst=BROADCAST, src=ROUTER_MAC) /
              ARP(op=1, hwsrc=ROUTER_MAC, psrc=ROUTER_IP, pdst=GUEST_IP))
    got = wire.pump(FRAME_TIMEOUT_S, lambda p: ARP in p and p[ARP].op == 2 and p[ARP].psrc == GUEST_IP)
    if got is None:
        raise Failed(f"no ARP reply for {GUEST_IP} {when}")
    if got[ARP].hwsrc != GUEST_MAC:
        raise Failed(f"ARP reply {when} names {got[ARP].hwsrc}, expected {GUEST_MAC}")
    log(f"ARP {when}: {GUEST_IP} is at {got[ARP].hwsrc}")


def check_syn_ack(wire, sport, when):
    isn = random.randrange(1 << 32)
    wire.send(to_guest(TCP(sport=sport, dport=80, flags="S", seq=isn, window=64240,
                           options=[("MSS", 1460)])))
    got = wire.pump(FRAME_TIMEOUT_S, tcp_from_guest(80, sport))
    if got is None:
        raise Failed(f"no answer to a SYN to port 80 {when}")
    t = got[TCP]
    mss = dict(o for o in t.options if isinstance(o, tuple)).get("MSS")
    if t.flags != "SA" or t.ack != (isn + 1) % (1 << 32) or not mss:
        raise Failed(f"SYN to port 80 {when}: got flags {t.flags} ack {t.ack} (want SA, "
                     f"{(isn + 1) % (1 << 32)}) options {t.options}")
    log(f"SYN to port 80 {when}: SYN-ACK, ack = ISN+1, MSS {mss}")
    # Leave no half-open connection behind.
    wire.send(to_guest(TCP(sport=sport, dport=80, flags="R", seq=(isn + 1) % (1 << 32))))


def check_closed_port(wire):
    isn = random.randrange(1 << 32)
    wire.send(to_guest(TCP(sport=40001, dport=81, flags="S", seq=isn)))
    got = wire.pump(FRAME_TIMEOUT_S, tcp_from_guest(81, 40001))
    if got is None:
        raise Failed("no answer to a SYN to closed port 81")
    t = got[TCP]
    if t.flags != "RA" or t.ack != (isn + 1) % (1 << 32):
        raise Failed(f"SYN to closed port 81: flags {t.flags} ack {t.ack}, want RA "
                     f"{(isn + 1) % (1 << 32)}")
    log("SYN to closed port 81: RST-ACK, ack = ISN+1")


def check_stray_ack(wire):
    seq, ack = random.randrange(1 << 32), random.randrange(1 << 32)
    wire.send(to_guest(TCP(sport=40002, dport=80, flags="A", seq=seq, ack=ack)))
    got = wire.pump(FRAME_TIMEOUT_S, tcp_from_guest(80, 40002))
    if got is None:
        raise Failed("no answer to an ACK for no connection")
    t = got[TCP]
    if "R" not in t.flags or t.seq != ack:
        raise Failed(f"ACK for no connection: flags {t.flags} seq {t.seq}, want R with seq {ack}")
    log("ACK for no connection: RST, seq = its ack number")


GARBAGE_PORTS = range(50000, 50100)  # source ports of garbage SYNs: nothing may answer them


def garbage(rng):
    """One round of malformed frames, each with a short name."""
    syn = lambda: TCP(sport=rng.choice(GARBAGE_PORTS), dport=80, flags="S",
                      seq=rng.randrange(1 << 32))
    good_ip = bytes(to_guest(syn()))
    eth = good_ip[:14]
    ip = bytearray(good_ip[14:34])
    frames = []
    frames.append(("random bytes", bytes(rng.randrange(256) for _ in range(rng.randrange(14, 1500)))))
    frames.append(("random IPv4 payload",
                   eth + bytes(rng.randrange(256) for _ in range(rng.randrange(1, 1400)))))
    frames.append(("IPv4 header cut at 12 bytes", eth + bytes(ip[:12])))
    frames.append(("TCP header cut at 8 bytes", good_ip[:14 + 20 + 8]))
    bad = bytearray(good_ip)
    bad[14 + 10] ^= 0x55  # IPv4 header checksum
    frames.append(("bad IPv4 checksum", bytes(bad)))
    frames.append(("bad TCP checksum", bytes(to_guest(
        TCP(sport=rng.choice(GARBAGE_PORTS), dport=80, flags="S", chksum=0x1234)))))
    frames.append(("IPv4 total length beyond the frame", bytes(to_guest(syn(), len=900))))
    frames.append(("IPv4 total length below its header", bytes(to_guest(syn(), len=12))))
    frames.append(("IPv4 header length 3", bytes(to_guest(syn(), ihl=3))))
    frames.append(("first fragment of a SYN", bytes(to_guest(syn(), flags="MF", id=rng.randrange(65536)))))
    frames.append(("later fragment of a SYN", bytes(to_guest(syn(), frag=64, id=rng.randrange(65536)))))
    return frames


def read_counters(output, target):
    """The newest snapshot of the guest's drop counters in its serial log, as {name: n}."""
    if target == "linux":
        lines = [l[len(LINUX_COUNTERS):] for l in output.splitlines() if l.startswith(LINUX_COUNTERS)]
        counters, heads = {}, {}
        for line in lines:
            proto, _, rest = line.partition(": ")
            fields = rest.split()
            if fields and not fields[0].lstrip("-").isdigit():
                heads[proto] = fields
            elif proto in heads:
                counters.update({f"{proto}.{k}": int(v) for k, v in zip(heads[proto], fields)})
        wanted = ("Ip.InHdrErrors", "Ip.InAddrErrors", "Ip.InDiscards", "Ip.InCsumErrors",
                  "Ip.ReasmFails", "Ip.InTruncatedPkts", "Tcp.InErrs", "Tcp.InCsumErrors")
        return {k: v for k, v in counters.items() if k in wanted}
    # Stellina's tcpip logs its drops when there are new ones, at most every 2 s:
    # `[tcpip] dropped N packets, T in all: REASON COUNT, ...` with every reason's count so far.
    lines = re.findall(r"\[tcpip\] dropped \d+ packets?, \d+ in all: (.*)", output)
    if not lines:
        return {}
    return {k: int(v) for k, v in re.findall(r"([a-z0-9_]+) (\d+)", lines[-1])}


def wait_counters(guest, target, after_len, seconds=10.0, settle=0.0):
    """Counters from the newest snapshot printed after byte `after_len` of the serial log,
    once `settle` seconds have passed (both guests print at most every 2 s)."""
    time.sleep(settle)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        fresh = guest.output[after_len:]
        c = read_counters(fresh, target)
        if c:
            return c
        time.sleep(0.2)
    return {}


LINUX_EXTRA = """(while :; do $bb sleep 1; $bb grep -E '^(Ip|Tcp):' /proc/net/snmp | while read l; do echo "{prefix}$l"; done; done) &
""".format(prefix=LINUX_COUNTERS)


def start_guest(opts, wire):
    netdev = qemu.virtio_net(
        "microvm", f"socket,id=n0,udp=127.0.0.1:{wire.port},localaddr=127.0.0.1:{wire.qemu_port}",
        mac=GUEST_MAC)
    if opts.target == "linux":
        from bench.linux import guest, net
        initrd = os.path.join(opts.workdir, "initramfs.cpio")
        net.build_initramfs(initrd, www={"index.html": b"<p>net_wire</p>\n"}, dhcp=True,
                            extra=LINUX_EXTRA)
        return qemu.Background(guest.command("microvm", initrd=initrd, extra=netdev))
    return qemu.Background(qemu.qemu_cmd("microvm", opts.kernel, opts.append, initrd=opts.initrd,
                                         extra=netdev))


def run(opts, wire, guest):
    # DHCP (the guest asks as soon as its stack is up).
    end = time.monotonic() + opts.boot_timeout
    while not wire.leased and time.monotonic() < end and guest.alive():
        wire.pump(0.5, lambda p: False)
    if not wire.leased:
        raise Failed(f"no DHCP lease taken within {opts.boot_timeout:.0f} s "
                     f"({wire.received} frames from the guest)")
    if opts.target == "linux":
        while not guest.seen("linux-net: up") and time.monotonic() < end:
            wire.pump(0.2, lambda p: False)
    wire.pump(0.5, lambda p: False)  # let the guest finish configuring (gratuitous ARP etc.)

    check_arp(wire, "after DHCP")
    check_syn_ack(wire, 40000, "after DHCP")
    check_closed_port(wire)
    check_stray_ack(wire)

    before_len = len(guest.output)
    before = wait_counters(guest, opts.target, before_len)
    if not before:
        raise Failed("the guest logged no drop counters")
    rng = random.Random(opts.seed)
    garbage_len = len(guest.output)  # the counters after the garbage are logged after this
    kinds, answers = {}, []
    for _ in range(GARBAGE_ROUNDS):
        for name, frame in garbage(rng):
            wire.send(frame)
            kinds[name] = kinds.get(name, 0) + 1
        answers += wire.pump(0.05)
    answers += wire.pump(1.0)
    log(f"garbage sent: {sum(kinds.values())} frames ({', '.join(f'{n} {k}' for k, n in kinds.items())})")
    answered = [p for p in answers if TCP in p and p[TCP].dport in GARBAGE_PORTS]
    if answered:
        raise Failed(f"{len(answered)} garbage SYNs were answered, e.g. {answered[0].summary()}")
    if not guest.alive():
        raise Failed("QEMU exited during the garbage")

    check_arp(wire, "after the garbage")
    check_syn_ack(wire, 40003, "after the garbage")

    after = wait_counters(guest, opts.target, garbage_len, settle=2.5)
    grown = {k: after.get(k, 0) - v for k, v in before.items() if after.get(k, 0) != v}
    total = sum(after.values()) - sum(before.values())
    log(f"drop counters before {before}")
    log(f"drop counters after  {after}")
    if total < MIN_COUNTED:
        raise Failed(f"the guest's drop counters grew by {total}, expected at least {MIN_COUNTED}")
    log(f"drop counters grew by {total}: {grown}")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--target", choices=["linux", "stellina"], required=True)
    p.add_argument("--kernel")
    p.add_argument("--initrd")
    p.add_argument("--append", default="")
    p.add_argument("--workdir", default=os.path.join(REPO, "build", "tests", "net_wire"))
    p.add_argument("--boot-timeout", type=float, default=40.0)
    p.add_argument("--seed", type=int, default=1)
    opts = p.parse_args()
    if opts.target == "stellina" and not (opts.kernel and opts.initrd):
        p.error("--target stellina needs --kernel and --initrd")
    os.makedirs(opts.workdir, exist_ok=True)
    wire = Wire()
    guest = start_guest(opts, wire)
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
    with open(os.path.join(opts.workdir, f"{opts.target}.log"), "w") as f:
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
