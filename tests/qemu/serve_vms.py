#!/usr/bin/env python3
"""Tests of the server of VMs (tools/serve_vms.py): a fresh Stellina microVM per connection.

    serve_vms.py curl     two curls: each a 200 from a VM of its own (two boot ids), the log
                          lines, no QEMU left after SIGTERM
    serve_vms.py ab       `ab -n N -c 4` on /api/status (N = --requests, 40 in CTest; the
                          benchmark bench/vms runs 200): N answers 200, N different boot ids,
                          N different VMs in the log, then again with --pool 2; no QEMU left
    serve_vms.py sigkill  the server is killed with SIGKILL under load from ab: no QEMU of
                          its own outlives it (PR_SET_PDEATHSIG)
    serve_vms.py limit    --max-vms 1 --queue 1 --queue-timeout 1: a held connection takes the
                          one VM, the next waits and gets a 503 after the timeout, the one
                          after gets a 503 at once (queue full); the held one is then served,
                          and the VM's slot comes back; --boot-timeout too short gives a 502

A server's QEMUs are found in the process table by their name, `serve-vms:<server pid>`.
"""

import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SERVER = os.path.join(REPO, "tools", "serve_vms.py")
BOOT_ID = re.compile(rb'"boot_id":"([0-9a-f]{32})"')
PAGE_BOOT_ID = re.compile(rb'<dd id="boot_id">([0-9a-f]{32})</dd>')
SERVED = re.compile(r"#(\d+): vm pid (\d+) (fresh|pool), boot (\d+) ms, waited (\d+) ms, "
                    r"served (\d+) ms")


CURRENT = []  # the server under test, whose log a failure shows


def fail(msg):
    print(f"serve_vms: FAIL: {msg}", file=sys.stderr)
    if CURRENT:
        print("the server's log ends:\n" + "\n".join(CURRENT[-1].log().splitlines()[-15:]),
              file=sys.stderr)
    sys.exit(1)


def expect(cond, msg):
    if not cond:
        fail(msg)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def qemus_of(pid):
    """Process ids of the QEMUs a server (by pid) started, alive or zombie."""
    tag = f"serve-vms:{pid}".encode()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                args = f.read().split(b"\0")
        except OSError:
            continue
        if args and args[0].endswith(b"qemu-system-x86_64") and tag in args:
            found.append(int(entry))
    return found


def wait_for(cond, timeout, step=0.05):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(step)
    return cond()


class Server:
    def __init__(self, args, *options):
        self.port = free_port()
        self.logfile = tempfile.NamedTemporaryFile("w+", prefix="serve_vms.", suffix=".log")
        # A boot takes seconds when four run at once on a loaded host: the default 10 s
        # bound would turn slowness into failures here.
        cmd = [sys.executable, SERVER, "--port", str(self.port), "--kernel", args.kernel,
               "--initrd", args.initrd, "--boot-timeout", "60", *options]
        self.proc = subprocess.Popen(cmd, stdout=self.logfile, stderr=subprocess.STDOUT)
        CURRENT.append(self)
        if not wait_for(lambda: "listening on" in self.log() or self.proc.poll() is not None, 20):
            self.stop()
            fail(f"the server did not start listening: {self.log()}")
        expect(self.proc.poll() is None, f"the server exited at once: {self.log()}")

    def log(self):
        with open(self.logfile.name) as f:
            return f.read()

    def served(self):
        return [m.groups() for m in SERVED.finditer(self.log())]

    def url(self, path="/"):
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self):
        """SIGTERM, and the server must end every QEMU and exit 0."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                fail("the server did not stop within 20 s of SIGTERM")
        return self.proc.returncode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pid = self.proc.pid
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for q in qemus_of(pid):  # a failing test must not leave any either
            os.kill(q, signal.SIGKILL)


def curl(url, timeout=30):
    r = subprocess.run(["curl", "-s", "-m", str(timeout), "-o", "-", "-w", "\n%{http_code}", url],
                       capture_output=True)
    body, _, code = r.stdout.rpartition(b"\n")
    return int(code or 0), body


def ab(url, requests, concurrency, timeout=120):
    """Runs ab with -v 4 (it prints each answer's first bytes); returns (output, the boot
    ids of the answers)."""
    cmd = ["ab", "-v", "4", "-s", "30", "-n", str(requests), "-c", str(concurrency), url]
    try:
        r = subprocess.run(cmd, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        fail(f"{' '.join(cmd)} did not finish within {timeout} s")
    out = r.stdout.decode(errors="replace")
    expect(r.returncode == 0, f"ab exited with {r.returncode}: {r.stderr.decode()[-500:]}")
    return out, BOOT_ID.findall(r.stdout)


def check_ab(out, ids, requests, server, pooled):
    complete = re.search(r"Complete requests:\s+(\d+)", out)
    expect(complete and int(complete.group(1)) == requests, f"ab: {complete and complete.group(0)}")
    expect("Non-2xx responses" not in out, "ab saw answers other than 200")
    codes = re.findall(r"LOG: Response code = (\d+)", out)
    expect(len(codes) == requests and set(codes) == {"200"},
           f"{len(codes)} response codes, {sorted(set(codes))}")
    expect(len(ids) == requests, f"{len(ids)} boot ids in {requests} answers")
    expect(len(set(ids)) == requests, f"only {len(set(ids))} different boot ids in {requests} answers")
    if not wait_for(lambda: len(server.served()) >= requests, 10):
        fail(f"{len(server.served())} requests logged of {requests}")
    served = server.served()
    pids = {s[1] for s in served}
    expect(len(pids) == len(served), f"{len(served)} requests served by {len(pids)} VMs")
    if pooled:
        expect(any(s[2] == "pool" for s in served), "no request was served by a pooled VM")
    boots = sorted(int(s[3]) for s in served)
    print(f"serve_vms: {requests} requests, {len(set(ids))} boot ids, {len(pids)} VMs; boot "
          f"median {boots[len(boots) // 2]} ms, max {boots[-1]} ms")


def no_qemu_left(pid, timeout=10):
    if not wait_for(lambda: not qemus_of(pid), timeout):
        fail(f"QEMU processes of the server left {timeout} s after: {qemus_of(pid)}")


def test_curl(args):
    with Server(args, "--max-vms", "2") as server:
        code, page = curl(server.url("/"))
        expect(code == 200, f"GET / through the server: {code} {page[:200]!r}")
        first = PAGE_BOOT_ID.search(page)
        expect(first, "the page shows no boot id")
        code, body = curl(server.url("/api/status"))
        expect(code == 200, f"GET /api/status: {code}")
        second = BOOT_ID.search(body)
        expect(second, f"no boot id in /api/status: {body[:200]!r}")
        expect(first.group(1) != second.group(1), f"two requests, one boot id {first.group(1)}")
        expect(wait_for(lambda: len(server.served()) == 2, 5), f"log: {server.log()}")
        no_qemu_left(server.proc.pid)  # each VM is killed when its connection closes
        pid = server.proc.pid
        expect(server.stop() == 0, f"the server exited with {server.proc.returncode}")
        no_qemu_left(pid, 1)
        print(f"serve_vms: curl: two 200s from boot ids {first.group(1).decode()} and "
              f"{second.group(1).decode()}")


def test_ab(args):
    for pool in (0, 2):
        with Server(args, "--max-vms", "4", "--pool", str(pool)) as server:
            requests = args.requests if pool == 0 else max(8, args.requests // 4)
            out, ids = ab(server.url("/api/status"), requests, 4)
            check_ab(out, ids, requests, server, pooled=pool > 0)
            pid = server.proc.pid
            if pool == 0:
                no_qemu_left(pid)
            expect(server.stop() == 0, f"the server exited with {server.proc.returncode}")
            no_qemu_left(pid, 2)


def test_sigkill(args):
    with Server(args, "--max-vms", "4") as server:
        pid = server.proc.pid
        load = subprocess.Popen(["ab", "-s", "30", "-n", "100", "-c", "4",
                                 server.url("/api/status")],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            # Mid-load: a few served, and VMs running or booting.
            expect(wait_for(lambda: len(server.served()) >= 3 and len(qemus_of(pid)) >= 2, 60),
                   f"no load to kill the server under: {server.log()[-800:]}")
            running = len(qemus_of(pid))
            server.proc.kill()
            server.proc.wait()
            no_qemu_left(pid, 5)
            print(f"serve_vms: SIGKILL with {running} QEMUs running; none left")
        finally:
            load.kill()
            load.wait()


def connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    return s


def read_all(s, timeout=30):
    s.settimeout(timeout)
    data = b""
    while chunk := s.recv(65536):
        data += chunk
    return data


REQUEST = b"GET /api/status HTTP/1.1\r\nHost: vms\r\nConnection: close\r\n\r\n"


def test_limit(args):
    with Server(args, "--max-vms", "1", "--queue", "1", "--queue-timeout", "1") as server:
        pid = server.proc.pid
        held = connect(server.port)  # takes the one VM and sends nothing yet
        expect(wait_for(lambda: len(qemus_of(pid)) == 1, 10), "no VM for the held connection")
        waiting = connect(server.port)
        waiting.sendall(REQUEST)
        time.sleep(0.2)  # queued
        start = time.monotonic()
        full = connect(server.port)
        full.sendall(REQUEST)
        answer = read_all(full)
        refused_ms = (time.monotonic() - start) * 1000
        expect(answer.startswith(b"HTTP/1.1 503 "), f"past the queue: {answer[:120]!r}")
        expect(refused_ms < 900, f"the 503 past a full queue took {refused_ms:.0f} ms")
        start = time.monotonic()
        answer = read_all(waiting)
        waited = time.monotonic() - start + 0.2
        expect(answer.startswith(b"HTTP/1.1 503 "), f"after the queue timeout: {answer[:120]!r}")
        expect(0.7 <= waited <= 5, f"the queued connection got its 503 after {waited:.1f} s")
        expect(len(qemus_of(pid)) == 1, f"{len(qemus_of(pid))} QEMUs with --max-vms 1")
        held.sendall(REQUEST)
        answer = read_all(held)
        held.close()
        expect(answer.startswith(b"HTTP/1.1 200 ") and BOOT_ID.search(answer),
               f"the held connection: {answer[:120]!r}")
        code, body = curl(server.url("/api/status"))  # the slot is free again
        expect(code == 200, f"after the held connection closed: {code} {body[:120]!r}")
        expect(server.stop() == 0, f"the server exited with {server.proc.returncode}")
        no_qemu_left(pid, 2)
        print(f"serve_vms: limit: 503 past the queue in {refused_ms:.0f} ms, 503 after the "
              f"queue timeout in {waited:.1f} s, then 200s")
    with Server(args, "--boot-timeout", "0.01") as server:
        code, body = curl(server.url("/"))
        expect(code == 502 and b"not ready within" in body, f"boot timeout: {code} {body!r}")
        no_qemu_left(server.proc.pid, 5)
        print(f"serve_vms: boot timeout: 502 ({body.decode().strip()[:80]}...)")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("case", choices=["curl", "ab", "sigkill", "limit"])
    p.add_argument("--kernel", default=os.path.join(REPO, "build", "kernel", "stellina.elf"))
    p.add_argument("--initrd", default=os.path.join(REPO, "build", "system-web", "boot.archive"))
    p.add_argument("--requests", type=int, default=40)
    args = p.parse_args()
    {"curl": test_curl, "ab": test_ab, "sigkill": test_sigkill, "limit": test_limit}[args.case](args)
    print(f"serve_vms: {args.case}: PASS")


if __name__ == "__main__":
    main()
