#!/usr/bin/env python3
"""Hostile clients end within their bounds, on the "httpd_short" test system: the web server
whose manifest sets httpd's table to 32 connections and the stack's persist timeout to 3 s
(config values the startup server hands each component; the binaries are the system's own).
Beside each load, a well-behaved client's requests (GET /api/status on a fresh connection)
must all be answered 200 within GOOD_BOUND seconds.

1. Silent connections: SILENT (twice the table) opened and left silent. httpd evicts the
   longest-held silent ones to make room, never turns the good client away.
2. Idle keep-alive connections: KEEP_ALIVE clients, each answered once and then idle, more
   than the table holds: the longest-idle ones are evicted for the next.
3. Zero window forever: NON_READERS clients with a small receive buffer ask for 10 MiB and
   never read, and a client pipelines requests without reading the answers. The guest's
   sends meet a window that stays closed (QEMU's user network passes the host socket's
   back-pressure on as the window it announces), and after the persist timeout the stack
   resets each connection: its `tcp.persist_timeouts` counter reaches NON_READERS + 1 within
   PERSIST_BOUND seconds (well before httpd's 30 s idle timeout), and each host socket sees
   its stream end short of what it asked for.

usage: tcp_bounds.py QEMU_RUN KERNEL ARCHIVE
"""
import json
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from httpd import Failure, Machine, expect, free_port, read_response  # noqa: E402

TABLE = 32  # httpd's connections in the test system (tests/system/CMakeLists.txt)
SILENT = 2 * TABLE
KEEP_ALIVE = TABLE + 8
NON_READERS = 4
DOWNLOAD = 10 * 1024 * 1024
GOOD_BOUND = 10.0
PERSIST_BOUND = 25.0  # persist timeout 3 s, then the stack's tick; httpd's idle timeout is 30 s


def good_request(port):
    """One GET /api/status on a fresh connection: its JSON. Anything but a whole 200 within
    GOOD_BOUND fails."""
    start = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=GOOD_BOUND) as s:
        s.sendall(b"GET /api/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        status, _, body, _ = read_response(s, b"")
    took = time.monotonic() - start
    expect(status == 200, f"the good client got {status}")
    expect(took <= GOOD_BOUND, f"the good client waited {took:.2f} s")
    return json.loads(body)


def hold_silent(port):
    silent = [socket.create_connection(("127.0.0.1", port)) for _ in range(SILENT)]
    time.sleep(2)  # QEMU's user network hands them over to the guest
    for _ in range(3):
        status = good_request(port)
        time.sleep(1)
    for s in silent:
        s.close()
    httpd = status["httpd"]
    expect(httpd["evicted_silent"] >= 1, f"no silent connection evicted: {httpd}")
    expect(httpd["connections_refused"] == 0, f"connections refused: {httpd}")
    return httpd["evicted_silent"]


def hold_keep_alive(port):
    clients = []
    for _ in range(KEEP_ALIVE):
        s = socket.create_connection(("127.0.0.1", port), timeout=GOOD_BOUND)
        s.sendall(b"GET /bytes/10 HTTP/1.1\r\nHost: x\r\n\r\n")
        status, _, body, _ = read_response(s, b"")
        expect(status == 200 and len(body) == 10, f"a keep-alive client got {status}")
        clients.append(s)
    status = good_request(port)
    for s in clients:
        s.close()
    httpd = status["httpd"]
    expect(httpd["evicted_idle"] >= KEEP_ALIVE - TABLE,
           f"{httpd['evicted_idle']} keep-alive connections evicted, not {KEEP_ALIVE - TABLE}")
    expect(httpd["connections_refused"] == 0, f"connections refused: {httpd}")
    return httpd["evicted_idle"]


def never_read(port):
    """NON_READERS downloads and a pipeliner, none of which reads: each must be reset by the
    stack's persist timeout while the good client is served."""
    before = good_request(port)["network"].get("tcp.persist_timeouts", 0)
    stalled = []
    for _ in range(NON_READERS):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.connect(("127.0.0.1", port))
        s.sendall(b"GET /bytes/%d HTTP/1.1\r\nHost: x\r\n\r\n" % DOWNLOAD)
        stalled.append(s)
    pipeliner = socket.socket()
    pipeliner.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    pipeliner.connect(("127.0.0.1", port))
    pipeliner.setblocking(False)
    request = b"GET /bytes/65536 HTTP/1.1\r\nHost: x\r\n\r\n"
    pipelined = 0
    start = time.monotonic()
    ended = 0
    while time.monotonic() - start < PERSIST_BOUND:
        try:
            pipelined += pipeliner.send(request * 16) // len(request)
        except (BlockingIOError, OSError):
            pass
        network = good_request(port)["network"]
        ended = network.get("tcp.persist_timeouts", 0) - before
        if ended >= NON_READERS + 1:
            break
        time.sleep(1)
    took = time.monotonic() - start
    expect(ended >= NON_READERS + 1,
           f"{ended} of {NON_READERS + 1} never-reading connections reset in {PERSIST_BOUND} s")
    # Each stream ended short of what it asked for (the reset reached the host's socket).
    for s in stalled:
        got = drain(s)
        expect(got < DOWNLOAD, f"a non-reader still got all of its {got} bytes")
    drain(pipeliner)
    pipeliner.close()
    return took, pipelined


def drain(s):
    """Reads what is left until the stream ends; fails if it does not end within GOOD_BOUND."""
    s.setblocking(True)
    s.settimeout(GOOD_BOUND)
    got = 0
    try:
        while True:
            chunk = s.recv(1 << 20)
            if not chunk:
                break
            got += len(chunk)
    except ConnectionResetError:
        pass
    except socket.timeout:
        raise Failure(f"a never-reading client's connection still open after {got} bytes")
    s.close()
    return got


def check(m, port):
    # The system's config reached both (in any order), and both are ready.
    for line in (r"tcpip\] persist timeout 3000 ms \(config\)",
                 r"httpd\] serving 32 connections at most", r"httpd\] listening on port 80",
                 r"tcpip\] address 10\.0\.2\.15 "):
        m.at = 0
        m.wait(line, timeout=60)
    good_request(port)
    silent = hold_silent(port)
    idle = hold_keep_alive(port)
    took, pipelined = never_read(port)
    good_request(port)
    print(f"\ntcp_bounds: {SILENT} silent connections held, {silent} evicted; {KEEP_ALIVE} "
          f"idle keep-alive ones, {idle} evicted; {NON_READERS} non-readers and a pipeliner "
          f"({pipelined} requests) reset by the 3 s persist timeout within {took:.1f} s; "
          f"every request of the good client answered")
    m.shut_down()


def main():
    qemu_run, kernel, archive = sys.argv[1:4]
    start = time.monotonic()
    port = free_port()
    m = Machine(qemu_run, kernel, archive, port, "microvm")
    try:
        check(m, port)
    except (Failure, OSError) as e:
        print(f"\ntcp_bounds: FAILED: {e}")
        return 1
    finally:
        if m.proc.poll() is None:
            m.proc.kill()
            m.proc.wait()
    print(f"\ntcp_bounds: passed ({time.monotonic() - start:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
