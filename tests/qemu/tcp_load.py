#!/usr/bin/env python3
"""The network under hostile load, on the "httpd" test system (QEMU's user network forwarding a
free host port to the guest's port 80), with a well-behaved client beside each load whose
requests (GET /api/status) must all succeed, each within GOOD_BOUND seconds:

1. Many connections at once: as many as the test's file-descriptor limit allows (raised to
   its hard limit; QEMU inherits it), up to 4,200, opened and held silent. /api/status says
   how many the stack holds ESTABLISHED (at least MIN_ESTABLISHED); the rest wait in QEMU's
   user network and behind SYN cookies. When they fill httpd's table, httpd evicts the
   silent ones to make room: a 503 to the good client fails the test.
2. Hostile clients together: SLOW clients sending a header byte every 2 s (httpd's request
   deadline, 10 s, closes them), clients that request /bytes/10485760 and never read, and a
   client that pipelines requests without reading answers (held back by TCP's window).

Prints the figures: "tcp_load: held N connections, ...; the good client's slowest request
took S s". TCP_LOAD_HOLD_S (8 by default) holds the many connections longer, to measure how
many of them QEMU's user network hands over to the guest in time.

usage: tcp_load.py QEMU_RUN KERNEL ARCHIVE
"""
import json
import os
import resource
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from httpd import Failure, Machine, expect, free_port  # noqa: E402

MAX_HELD = 4200
GOOD_BOUND = 5.0
MIN_ESTABLISHED = 100  # the stack held 32 connections at most before
SLOW = 32
NON_READERS = 8


def good_request(port, status=None):
    """One GET /api/status on a fresh connection; returns the seconds it took (and keeps the
    answer's JSON in status, when given). Anything but a whole 200 within GOOD_BOUND fails."""
    start = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=GOOD_BOUND) as s:
        s.sendall(b"GET /api/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    took = time.monotonic() - start
    expect(data.startswith(b"HTTP/1.1 200"), f"the good client got {data[:60]!r}")
    expect(took <= GOOD_BOUND, f"the good client waited {took:.2f} s")
    if status is not None:
        head, body = data.split(b"\r\n\r\n", 1)
        if b"chunked" in head.lower():
            body = dechunk(body)
        status.update(json.loads(body))
    return took


def dechunk(body):
    out = b""
    while True:
        size_line, body = body.split(b"\r\n", 1)
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            return out
        out += body[:size]
        body = body[size + 2:]


def raise_fd_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def hold_many(port, count):
    socks = []
    for _ in range(count):
        try:
            s = socket.socket()
            s.setblocking(False)
            s.connect_ex(("127.0.0.1", port))
            socks.append(s)
        except OSError:
            break
    return socks


def check(m, port, fd_limit):
    m.wait(r"httpd\] listening on port 80", timeout=60)
    m.at = 0
    m.wait(r"tcpip\] address 10\.0\.2\.15 ", timeout=30)
    worst = good_request(port)

    # 1. Many connections at once.
    count = min(MAX_HELD, fd_limit - 200)
    many = hold_many(port, count)
    held_in_guest = 0
    status = {}
    for _ in range(int(os.environ.get("TCP_LOAD_HOLD_S", "8"))):
        time.sleep(1)
        worst = max(worst, good_request(port, status))
        established = status["network"].get("tcp.state.established", 0)
        held_in_guest = max(held_in_guest, established)
        print(f"tcp_load: {established} ESTABLISHED, httpd holds "
              f"{status['httpd']['connections_open']}", flush=True)
    network = status["network"]
    evicted = status["httpd"]["evicted_silent"] + status["httpd"]["evicted_idle"]
    opens = network.get("tcp.passive_opens", 0)
    cookies = (network.get("tcp.syn_cookies_sent", 0), network.get("tcp.syn_cookies_accepted", 0))
    for s in many:
        s.close()
    held = len(many)
    # The stack takes what reaches it: the figure is bounded by how fast QEMU's user network
    # hands the connections over and by httpd's table, not by TCP.
    expect(held_in_guest >= MIN_ESTABLISHED,
           f"only {held_in_guest} connections ESTABLISHED in the stack at once")

    # 2. Hostile clients together.
    slow = [socket.create_connection(("127.0.0.1", port)) for _ in range(SLOW)]
    non_readers = []
    for _ in range(NON_READERS):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.connect(("127.0.0.1", port))
        s.sendall(b"GET /bytes/10485760 HTTP/1.1\r\nHost: x\r\n\r\n")
        non_readers.append(s)
    pipeliner = socket.create_connection(("127.0.0.1", port))
    pipeliner.setblocking(False)
    request = b"GET /api/status HTTP/1.1\r\nHost: x\r\n\r\n"
    pipelined = 0
    start = time.monotonic()
    header = b"GET / HTTP/1.1\r\nX-Slow: " + b"a" * 64
    closed_slow = set()
    while time.monotonic() - start < 16:
        at = int((time.monotonic() - start) / 2)
        for i, s in enumerate(slow):
            if i in closed_slow:
                continue
            try:
                s.send(header[at:at + 1])
            except OSError:
                closed_slow.add(i)
        try:
            pipelined += pipeliner.send(request * 64) // len(request)
        except BlockingIOError:
            pass
        except OSError:
            break
        worst = max(worst, good_request(port))
        time.sleep(1)
    # httpd's request deadline has passed for every slow client: each sees its connection end.
    for i, s in enumerate(slow):
        if i in closed_slow:
            continue
        s.settimeout(5)
        try:
            data = s.recv(4096)
            if not data:
                closed_slow.add(i)
        except OSError:
            closed_slow.add(i)
    expect(len(closed_slow) == SLOW, f"{SLOW - len(closed_slow)} slow clients still held")
    for s in slow + non_readers + [pipeliner]:
        s.close()
    worst = max(worst, good_request(port))
    print(f"\ntcp_load: opened {held} connections at once, {held_in_guest} ESTABLISHED in the "
          f"stack at most ({opens} passive opens, SYN cookies {cookies[0]} sent, "
          f"{cookies[1]} accepted; {evicted} evicted by httpd); {SLOW} slow-header clients closed by "
          f"the request deadline, {NON_READERS} non-readers and a pipeliner ({pipelined} "
          f"requests written) alongside; the good client's slowest request took {worst:.2f} s")
    m.shut_down()


def main():
    qemu_run, kernel, archive = sys.argv[1:4]
    fd_limit = raise_fd_limit()
    start = time.monotonic()
    port = free_port()
    m = Machine(qemu_run, kernel, archive, port, "microvm")
    try:
        check(m, port, fd_limit)
    except Failure as e:
        print(f"\ntcp_load: FAILED: {e}")
        return 1
    finally:
        if m.proc.poll() is None:
            m.proc.kill()
            m.proc.wait()
    print(f"\ntcp_load: passed ({time.monotonic() - start:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
