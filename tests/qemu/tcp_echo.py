#!/usr/bin/env python3
"""The network stack end to end: boots the "tcp" test system (device manager, virtio-net,
tcpip, tcpecho) on microvm with QEMU's user network, forwarding a free host port to the
guest's TCP port 7, and checks what a real peer sees:

- the stack takes a DHCP lease from QEMU's user network and pings the gateway;
- passive open: connections through the forwarded port reach tcpecho, which echoes every
  byte; 4 connections at once each carry 1 MiB of random bytes both ways and get exactly
  their own bytes back; a half-close (shutdown of the host's sending side) gets the rest of
  the echo and then the guest's end of stream;
- a connection the host resets: tcpecho gets the stack's Error{connection reset} in its
  on_error handler and lets the connection go;
- active open: tcpecho connects to a server on the host (10.0.2.2) and exchanges a line;
- UDP: datagrams through a forwarded UDP port come back from tcpecho's udp: socket;
- the guest's counters (`netstat` is not reachable from here: the log lines are) show no
  trouble, and the machine shuts down cleanly.

usage: tcp_echo.py QEMU_RUN KERNEL ARCHIVE [MACHINE NIC [ISOLATION]]
  ISOLATION: where the NIC driver, tcpip and tcpecho must run, user (default) or kernel
  MACHINE microvm (the default) or q35; NIC a QEMU network device (by default the
  machine's virtio-net: virtio-net-device or virtio-net-pci), e.g. e1000.
"""
import argparse
import os
import random
import re
import select
import socket
import struct
import subprocess
import sys
import threading
import time

HOST_PORT = 17777  # tcpecho's `port` (tests/components/tcpecho/component.toml)
PAYLOAD = 1 << 20
CONNECTIONS = 4


class Failure(Exception):
    pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Machine:
    def __init__(self, qemu_run, kernel, archive, forward_port, udp_port, machine, nic):
        sys.path.insert(0, os.path.dirname(os.path.abspath(qemu_run)))
        import qemu_run as runner  # the same machine as every other QEMU test
        args = argparse.Namespace(
            interactive=False, memory=128, machine=machine, debug_exit=True, iso=None,
            kernel=kernel, append="", initrd=archive,
            qemu_arg=["-global", "virtio-mmio.force-legacy=false",
                      "-netdev", f"user,id=n0,hostfwd=tcp:127.0.0.1:{forward_port}-:7,"
                                 f"hostfwd=udp:127.0.0.1:{udp_port}-:7",
                      "-device", f"{nic},netdev=n0"])
        cmd = runner.qemu_command(args)
        print("tcp_echo:", " ".join(cmd), flush=True)
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        self.log = ""
        self.lock = threading.Lock()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        while True:
            data = self.proc.stdout.read1(65536)
            if not data:
                return
            text = data.decode(errors="replace")
            sys.stdout.write(text)
            sys.stdout.flush()
            with self.lock:
                self.log += text

    def wait_for(self, pattern, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                m = re.search(pattern, self.log, re.M)
            if m:
                return m
            if self.proc.poll() is not None:
                raise Failure(f"QEMU exited before a line matching {pattern!r}")
            time.sleep(0.01)
        raise Failure(f"never saw a line matching {pattern!r}")

    def type(self, line):
        self.proc.stdin.write(line.encode() + b"\n")
        self.proc.stdin.flush()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


def host_server(ready, result):
    """The peer tcpecho connects out to: reads a line, answers one."""
    with socket.socket() as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            server.bind(("127.0.0.1", HOST_PORT))
        except OSError as e:
            result.append(f"host port {HOST_PORT}: {e.strerror}")
            ready.set()
            return
        server.listen(1)
        server.settimeout(30)
        ready.set()
        try:
            conn, _ = server.accept()
        except socket.timeout:
            return
        with conn:
            conn.settimeout(10)
            line = b""
            while not line.endswith(b"\n"):
                chunk = conn.recv(100)
                if not chunk:
                    break
                line += chunk
            result.append(line)
            conn.sendall(b"hello from the host\n")


def free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def udp_echo(port):
    """Datagrams of 1, 100 and 1400 bytes come back whole (each sent until it does: UDP may
    lose one, QEMU's forwarding included)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(0.5)
        for size in (1, 100, 1400):
            payload = random.Random(size).randbytes(size)
            for _ in range(10):
                s.sendto(payload, ("127.0.0.1", port))
                try:
                    got = s.recv(4096)
                except socket.timeout:
                    continue
                if got != payload:
                    raise Failure(f"UDP: a datagram of {size} bytes came back as {len(got)} other bytes")
                break
            else:
                raise Failure(f"UDP: no echo of a datagram of {size} bytes")
    print("tcp_echo: UDP datagrams of 1, 100 and 1400 bytes echoed", flush=True)


def echo(port, seed):
    """Sends PAYLOAD random bytes through the echo while reading; half-closes at the end and
    expects exactly the same bytes and then the end of stream."""
    data = random.Random(seed).randbytes(PAYLOAD)
    received = bytearray()
    with socket.create_connection(("127.0.0.1", port), timeout=20) as s:
        s.setblocking(False)
        sent = 0
        deadline = time.monotonic() + 60
        eof = False
        while not eof:
            if time.monotonic() > deadline:
                raise Failure(f"connection {seed}: {sent} sent, {len(received)} echoed in 60 s")
            want_write = [s] if sent < len(data) else []
            r, w, _ = select.select([s], want_write, [], 1)
            if w:
                sent += s.send(data[sent:sent + 65536])
                if sent == len(data):
                    s.shutdown(socket.SHUT_WR)
            if r:
                chunk = s.recv(65536)
                if not chunk:
                    eof = True
                received += chunk
    if bytes(received) != data:
        raise Failure(f"connection {seed}: {len(received)} bytes came back, not the "
                      f"{len(data)} sent (first difference at "
                      f"{next((i for i, (a, b) in enumerate(zip(received, data)) if a != b), min(len(received), len(data)))})")
    return len(received)


def reset(port):
    """Has one line echoed, then resets the connection (SO_LINGER 0: close sends RST)."""
    with socket.create_connection(("127.0.0.1", port), timeout=20) as s:
        s.sendall(b"reset me\n")
        got = b""
        while not got.endswith(b"\n"):
            chunk = s.recv(100)
            if not chunk:
                raise Failure(f"reset: the echo ended after {got!r}")
            got += chunk
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def main():
    qemu_run, kernel, archive = sys.argv[1:4]
    machine = sys.argv[4] if len(sys.argv) > 4 else "microvm"
    nic = sys.argv[5] if len(sys.argv) > 5 else \
        ("virtio-net-device" if machine == "microvm" else "virtio-net-pci")
    isolation = sys.argv[6] if len(sys.argv) > 6 else "user"
    driver = "e1000" if nic == "e1000" else "virtio-net"
    ready, result = threading.Event(), []
    server = threading.Thread(target=host_server, args=(ready, result), daemon=True)
    server.start()
    ready.wait(5)
    port, udp_port = free_port(), free_udp_port()
    machine = Machine(qemu_run, kernel, archive, port, udp_port, machine, nic)
    try:
        for name in (driver, "tcpip", "tcpecho"):
            machine.wait_for(rf"started {name} \({isolation}, process")
        machine.wait_for(r"\[tcpip\] address 10\.0\.2\.15 netmask 255\.255\.255\.0 gateway "
                         r"10\.0\.2\.2 dns 10\.0\.2\.3 \(DHCP\)")
        machine.wait_for(r"\[tcpip\] ping 10\.0\.2\.2: reply in \d+ ms")
        machine.wait_for(r"\[tcpecho\] listening on port 7")

        errors, counts = [], []

        def run(seed):
            try:
                counts.append(echo(port, seed))
            except Exception as e:  # reported below, with the others
                errors.append(f"{type(e).__name__}: {e}")
        start = time.monotonic()
        threads = [threading.Thread(target=run, args=(i,)) for i in range(CONNECTIONS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise Failure("; ".join(errors))
        elapsed = time.monotonic() - start
        print(f"tcp_echo: {CONNECTIONS} connections echoed {sum(counts)} bytes in {elapsed:.2f} s",
              flush=True)
        machine.wait_for(r"\[tcpecho\] connection closed by the peer \(%d so far\)" % CONNECTIONS)
        reset(port)
        machine.wait_for(r"\[tcpecho\] a connection failed: connection reset")

        machine.wait_for(r"\[tcpecho\] reply: hello from the host")
        udp_echo(udp_port)
        if result != [b"hello from stellina\n"]:
            raise Failure(f"the host's server read {result!r}")
        machine.type("shutdown")
        machine.proc.wait(timeout=20)
        if machine.proc.returncode != 0:
            raise Failure(f"QEMU exited with {machine.proc.returncode} at shutdown")
    except Failure as e:
        print(f"tcp_echo: FAILED: {e}", flush=True)
        machine.type("ctl list")  # the state of things, for the log
        time.sleep(1)
        machine.stop()
        return 1
    finally:
        machine.stop()
    print("tcp_echo: passed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
