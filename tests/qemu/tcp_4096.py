#!/usr/bin/env python3
"""4,096 TCP connections held at once by the system `make run` boots, shown through QEMU.

QEMU's user network hands the guest only a few hundred connections (it listens on a forwarded
port with a backlog of 1), so this test is the other station on a socket netdev instead
(`-netdev socket`, as net_wire.py): one UDP datagram per Ethernet frame, built and read with
net_wire's helpers (scapy). It plays the router 10.0.2.2 (ARP, DHCP), and keeps each TCP
connection's state itself: SYN, the guest's SYN-ACK, its ACK, from a distinct source port.

1. HELD - 1 silent connections, opened a few at a time with at most WINDOW handshakes in
   flight (fewer than the listener's backlog, so the guest need not answer with SYN cookies;
   should one's ACK still meet a full backlog, the ACKs are sent again); then one more asks
   GET /api/status (kept alive, asked again while the stack's counters catch up): httpd holds
   HELD connections (`connections_open`) having evicted none, the stack counts at least HELD
   ESTABLISHED.
2. A few of the held connections ask GET /bytes/N and are answered in full.
3. EXTRA more silent connections (past httpd's table of HELD, within tcpip's 4,352 sockets),
   then a new client is still answered: httpd evicted the EXTRA + 1 longest-held silent ones
   for them (`evicted_silent`, still HELD open), and those got a FIN.

httpd closes a connection silent for 30 s, so every step must end within that of the first
SYN; the test says how long the opening took.

usage: tcp_4096.py --kernel K --initrd ARCHIVE
"""

import argparse
import json
import os
import random
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import net_wire  # noqa: E402  (re-executes under Debian's python3 when scapy is missing)
from net_wire import GUEST_IP, ROUTER_IP, Ether, Failed, Wire, to_guest  # noqa: E402
from scapy.packet import Raw  # noqa: E402

HELD = 4096          # httpd's table in the system as shipped (apps/httpd/component.toml)
EXTRA = 64           # past the table: tcpip holds 4,352 sockets, so none is refused
WINDOW = 12          # handshakes in flight at once, below the listener's backlog of 16
SYN_RETRY_S = 3.0    # a SYN unanswered this long is sent again
SYN_TRIES = 4
ANSWER_S = 20.0      # for each whole HTTP answer
RESEND_S = 2.0       # a request not answered at all this long is sent again
STATUS_TRIES = 10
FIRST_PORT = 10000   # source ports FIRST_PORT, FIRST_PORT + 1, ...
MSS_OPTION = b"\x02\x04\x05\xb4"  # 1,460
FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10
FLAGS_BY_NAME = {"S": SYN, "A": ACK, "PA": PSH | ACK, "R": RST}


def log(msg):
    print(f"tcp_4096: {msg}", flush=True)


class Conn:
    """One connection as this station sees it."""

    def __init__(self, sport):
        self.sport = sport
        self.isn = random.randrange(1 << 32)
        self.snd_nxt = (self.isn + 1) % (1 << 32)
        self.rcv_nxt = None        # set by the SYN-ACK
        self.state = "syn-sent"    # syn-sent, established, reset
        self.tries = 0
        self.sent_at = 0.0
        self.data = bytearray()    # in-order bytes received
        self.fin = False           # the guest closed its side


class Station:
    """Every connection's state, updated by each frame from the guest whatever is waited for."""

    def __init__(self, wire):
        self.wire = wire
        self.conns = {}
        self.next_port = FIRST_PORT
        self.prefixes = {}  # segment length: Ethernet and IPv4 headers from scapy

    def send(self, c, flags, payload=b"", seq=None):
        options = MSS_OPTION if flags == "S" else b""
        self.wire.send(self.frame(c.sport, FLAGS_BY_NAME[flags], c.snd_nxt if seq is None else seq,
                                  c.rcv_nxt or 0, options + payload, len(options)))

    def frame(self, sport, flags, seq, ack, rest, options_size):
        """Ethernet, IPv4 and TCP to the guest's port 80. Scapy takes milliseconds a frame on
        a loaded host, too slow for 8,000 frames within httpd's 30 s idle timeout: its frames
        (net_wire.to_guest) are kept as templates, one for each length, and only the TCP
        header is packed here."""
        head = struct.pack("!HHIIBBHHH", sport, 80, seq, ack, (20 + options_size) // 4 << 4,
                           flags, 64240, 0, 0)
        segment = bytearray(head + rest)
        pseudo = struct.pack("!4s4sBBH", socket.inet_aton(ROUTER_IP), socket.inet_aton(GUEST_IP),
                             0, 6, len(segment))
        segment[16:18] = struct.pack("!H", internet_checksum(pseudo + segment))
        prefix = self.prefixes.get(len(segment))
        if prefix is None:
            prefix = bytes(to_guest(Raw(bytes(len(segment))), proto=6))[:34]
            self.prefixes[len(segment)] = prefix
        return prefix + segment

    def syn(self, c):
        c.tries += 1
        c.sent_at = time.monotonic()
        self.send(c, "S", seq=c.isn)

    def handle(self, data):
        """One frame from the guest: TCP from port 80 is read here, the rest goes to the Wire
        (ARP, DHCP)."""
        seg = parse_tcp(data)
        if seg is None:
            self.wire.answer(Ether(data))
            return
        sport, dport, seq, ack, flags, payload = seg
        c = self.conns.get(dport)
        if sport != 80 or c is None:
            return
        if flags & RST:
            c.state = "reset"
            return
        if flags & SYN and flags & ACK:
            if ack != c.snd_nxt:
                raise Failed(f"port {c.sport}: SYN-ACK acknowledges {ack}, not {c.snd_nxt}")
            c.rcv_nxt = (seq + 1) % (1 << 32)  # a retransmitted SYN-ACK gets the ACK again
            c.state = "established"
            self.send(c, "A")
            return
        if c.rcv_nxt is None:
            return
        fin = bool(flags & FIN)
        if seq == c.rcv_nxt and (payload or fin):
            c.data += payload
            c.rcv_nxt = (c.rcv_nxt + len(payload) + fin) % (1 << 32)
            c.fin = c.fin or fin
        if payload or fin:
            self.send(c, "A")  # in order or not: says what is still wanted

    def pump(self, seconds, done=lambda: False):
        """Frames for up to `seconds`, each handled; returns early once done() is true."""
        end = time.monotonic() + seconds
        while not done():
            left = end - time.monotonic()
            if left <= 0:
                return False
            self.wire.sock.settimeout(left)
            try:
                data = self.wire.sock.recv(65536)
            except socket.timeout:
                return False
            self.wire.received += 1
            self.handle(data)
        return True

    def open(self, count):
        """Opens `count` connections, at most WINDOW in flight; returns them."""
        fresh = [Conn(self.next_port + i) for i in range(count)]
        self.next_port += count
        for c in fresh:
            self.conns[c.sport] = c
        waiting, queue = [], list(fresh)
        while queue or waiting:
            while queue and len(waiting) < WINDOW:
                c = queue.pop(0)
                self.syn(c)
                waiting.append(c)
            self.pump(0.05, lambda: any(c.state != "syn-sent" for c in waiting))
            now = time.monotonic()
            still = []
            for c in waiting:
                if c.state == "reset":
                    raise Failed(f"port {c.sport}: the SYN was reset "
                                 f"({len(self.established())} established)")
                if c.state == "syn-sent":
                    if now - c.sent_at > SYN_RETRY_S:
                        if c.tries == SYN_TRIES:
                            raise Failed(f"port {c.sport}: no SYN-ACK to {SYN_TRIES} SYNs "
                                         f"({len(self.established())} established)")
                        self.syn(c)
                    still.append(c)
            waiting = still
        return fresh

    def ack_again(self, conns):
        """The handshake's ACK again on every connection, a few at a time. A SYN cookie's ACK
        that found the listener's backlog full was dropped and the guest holds nothing (as
        Linux does); a client's next segment would carry that ACK again, but these send
        nothing. A connection the guest holds takes the duplicate ACK without a word."""
        for i, c in enumerate(conns):
            if c.state == "established" and not c.fin:
                self.send(c, "A")
            if i % WINDOW == WINDOW - 1:
                self.pump(0.01)

    def established(self):
        return [c for c in self.conns.values() if c.state == "established"]

    def request(self, c, target, keep_alive):
        """Sends GET `target` on connection c; returns (status, body) once the whole answer came."""
        start = len(c.data)
        close = "" if keep_alive else "Connection: close\r\n"
        text = f"GET {target} HTTP/1.1\r\nHost: {GUEST_IP}\r\n{close}\r\n".encode()
        seq = c.snd_nxt
        c.snd_nxt = (c.snd_nxt + len(text)) % (1 << 32)
        answer = lambda: parse_answer(bytes(c.data[start:]), c.fin)
        end = time.monotonic() + ANSWER_S
        while time.monotonic() < end:
            if len(c.data) == start:  # nothing yet: sent again, as TCP would
                self.send(c, "PA", text, seq=seq)
            if self.pump(RESEND_S, lambda: answer() is not None or c.state == "reset"):
                break
        else:
            raise Failed(f"port {c.sport}: no whole answer to GET {target} within {ANSWER_S:.0f} s "
                         f"({len(c.data) - start} bytes)")
        if c.state == "reset":
            raise Failed(f"port {c.sport}: reset while asking GET {target}")
        return answer()

    def status(self, c):
        """GET /api/status on connection c, kept alive: the JSON."""
        code, body = self.request(c, "/api/status", keep_alive=True)
        if code != 200:
            raise Failed(f"port {c.sport}: GET /api/status got {code}")
        return json.loads(body)


def internet_checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    return ~total & 0xffff


def parse_tcp(data):
    """(sport, dport, seq, ack, flags, payload) of a TCP segment from the guest, else None."""
    if len(data) < 54 or data[12:14] != b"\x08\x00" or data[23] != 6 or \
            data[26:30] != socket.inet_aton(GUEST_IP):
        return None
    ihl = (data[14] & 15) * 4
    total = struct.unpack("!H", data[16:18])[0]  # the frame may be padded past it
    tcp = data[14 + ihl:14 + total]
    sport, dport, seq, ack, off_flags = struct.unpack("!HHIIH", tcp[:14])
    return sport, dport, seq, ack, off_flags & 0x3f, tcp[(off_flags >> 12) * 4:]


def parse_answer(data, fin):
    """(status, body) once `data` holds a whole HTTP answer, else None."""
    head, sep, rest = data.partition(b"\r\n\r\n")
    if not sep:
        return None
    lines = head.decode(errors="replace").split("\r\n")
    code = int(lines[0].split()[1])
    fields = {k.strip().lower(): v.strip() for k, _, v in (l.partition(":") for l in lines[1:])}
    if "content-length" in fields:
        n = int(fields["content-length"])
        return (code, rest[:n]) if len(rest) >= n else None
    if fields.get("transfer-encoding") == "chunked":
        body = b""
        while True:
            size_line, sep, rest = rest.partition(b"\r\n")
            if not sep:
                return None
            n = int(size_line.split(b";")[0], 16)
            if len(rest) < n + 2:
                return None
            if n == 0:
                return code, body
            body, rest = body + rest[:n], rest[n + 2:]
    return (code, rest) if fin else None


def counts(status):
    httpd, network = status["httpd"], status["network"]
    return (httpd["connections_open"], network.get("tcp.state.established", 0),
            httpd["evicted_silent"], httpd["connections_refused"])


def run(opts, wire, guest):
    end = time.monotonic() + opts.boot_timeout
    while not guest.seen("httpd] listening on port 80") and time.monotonic() < end:
        if not guest.alive():
            raise Failed("QEMU exited while booting")
        wire.pump(0.5, lambda p: False)
    if not wire.leased or not guest.seen("httpd] listening on port 80"):
        raise Failed(f"no DHCP lease or httpd not listening within {opts.boot_timeout:.0f} s")
    net_wire.check_arp(wire, "after DHCP")
    station = Station(wire)

    # 1. HELD connections at once: HELD - 1 silent ones and the one asking for the status.
    start = time.monotonic()
    held = station.open(HELD - 1)
    opened_s = time.monotonic() - start
    log(f"{len(held)} connections opened in {opened_s:.1f} s")
    (asking,) = station.open(1)
    repairs = 0
    for _ in range(STATUS_TRIES):  # the stack's counters in the JSON are up to a second old
        status = station.status(asking)
        open_, established, evicted, refused = counts(status)
        if open_ == HELD and established >= HELD:
            break
        if open_ < HELD:
            station.ack_again(held)
            repairs += 1
        station.pump(1.0)
    log(f"SYN cookies: {status['network'].get('tcp.syn_cookies_sent')} sent, "
        f"{status['network'].get('tcp.syn_cookies_accepted')} accepted, "
        f"{status['network'].get('drop.tcp_backlog_full')} ACKs dropped with the backlog full; "
        f"handshake ACKs sent again {repairs} times")
    took_s = time.monotonic() - start
    log(f"{took_s:.1f} s after the first SYN: httpd holds {open_} connections, the stack "
        f"{established} ESTABLISHED, {evicted} evicted, {refused} refused")
    lost = [c.sport for c in held if c.state != "established" or c.fin]
    if lost:
        raise Failed(f"{len(lost)} held connections closed by the guest, e.g. port {lost[0]}")
    if open_ != HELD or evicted != 0 or refused != 0:
        log(f"the stack: {status['network']}")
        log(f"httpd: {status['httpd']}")
        raise Failed(f"httpd holds {open_} connections ({evicted} evicted, {refused} refused), "
                     f"want {HELD}, none evicted or refused")
    if established < HELD:
        raise Failed(f"the stack counts {established} ESTABLISHED, want at least {HELD}")

    # 2. Requests on a few held connections, spread over the table.
    for c in held[-1::-len(held) // 4][:4]:
        n = random.randrange(1, 4000)
        code, body = station.request(c, f"/bytes/{n}", keep_alive=True)
        if code != 200 or len(body) != n:
            raise Failed(f"port {c.sport}: GET /bytes/{n} got {code} with {len(body)} bytes")
    log("4 held connections asked GET /bytes/N and were answered in full")

    # 3. Past the table: the longest-held silent ones are evicted, a new client served.
    station.open(EXTRA)
    (newcomer,) = station.open(1)
    status = station.status(newcomer)
    open_, established, evicted, refused = counts(status)
    log(f"{EXTRA + 1} more: httpd holds {open_}, the stack {established} ESTABLISHED, "
        f"{evicted} evicted, {refused} refused ({time.monotonic() - start:.1f} s in all)")
    if open_ != HELD or evicted != EXTRA + 1 or refused != 0:
        raise Failed(f"past the table httpd holds {open_} ({evicted} evicted, {refused} "
                     f"refused), want {HELD} with {EXTRA + 1} evicted, none refused")
    # The evicted are the longest-held: among the first opened (up to WINDOW handshakes were
    # in flight at once, so the guest's order of arrival may differ a little from ours).
    closed = lambda: [i for i, c in enumerate(held) if c.fin or c.state == "reset"]
    station.pump(5.0, lambda: len(closed()) >= EXTRA + 1)
    station.pump(1.0)  # and no more
    ended = closed()
    if len(ended) != EXTRA + 1 or ended[-1] >= EXTRA + 1 + WINDOW:
        raise Failed(f"{len(ended)} held connections closed by the guest, want the "
                     f"{EXTRA + 1} longest-held silent ones; the newest closed was number "
                     f"{ended[-1] if ended else None} of {len(held)}")
    log(f"{len(ended)} of the longest-held silent connections were closed by the guest "
        f"(the newest of them number {ended[-1]} of {len(held)})")
    return took_s


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--kernel", required=True)
    p.add_argument("--initrd", required=True)
    p.add_argument("--append", default="")
    p.add_argument("--boot-timeout", type=float, default=60.0)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--log", default="tcp_4096.serial.log", help="the guest's serial output, "
                   "written when the test fails")
    opts = p.parse_args()
    opts.target = "stellina"
    random.seed(opts.seed)
    wire = Wire()
    guest = net_wire.start_guest(opts, wire)
    try:
        took_s = run(opts, wire, guest)
        ok = guest.alive()
        if not ok:
            log("FAILED: QEMU exited before the end")
    except Failed as e:
        log(f"FAILED: {e}")
        ok = False
    finally:
        guest.stop()
    if not ok:
        with open(opts.log, "w") as f:
            f.write(guest.output)
        print(f"serial output (all of it in {opts.log}) ends:\n" + guest.tail(30))
        return 1
    log(f"passed: {HELD} connections held {took_s:.1f} s after the first SYN")
    return 0


if __name__ == "__main__":
    sys.exit(main())
