#!/usr/bin/env python3
"""httpd end to end: boots the "httpd" test system (device manager, virtio-net, the network
stack and httpd) on microvm with QEMU's user network forwarding a free host port to the
guest's port 80, and talks to the site as a browser and a download tool would:

- curl /: the live page (HTML, chunked), with the static stylesheet and script it links;
- /api/status twice: JSON that parses, uptime grows, httpd and tcpip are running;
- a 404, a 405 (with Allow), a malformed request (400, then the connection closes);
- two requests pipelined in one write over one socket, answered in order;
- /bytes/10485760 through curl, whose sha256 matches the host's own computation;
- 16 keep-alive connections at once, a slow reader of 2 MB that holds no one else up, and a
  silent connection that httpd closes after 30 s;
- /api/history after all that: samples about every second, in order, with the download's
  bytes, the requests made and sane CPU and memory figures; /api/history/since/T; the
  graphs page and its script.

Then it shuts the machine down through the serial console.

usage: httpd.py QEMU_RUN KERNEL ARCHIVE [MACHINE [ISOLATION]]
  MACHINE: microvm (default) or q35; ISOLATION: where httpd, tcpip and the NIC driver must
  run, user (default) or kernel (/api/status says); wasm: httpd as wasm, the other two in
  user mode
"""
import argparse
import hashlib
import json
import os
import re
import select
import socket
import subprocess
import sys
import tempfile
import time

DOWNLOAD = 10485760


class Failure(Exception):
    pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Machine:
    def __init__(self, qemu_run, kernel, archive, port, machine, smp=1):
        sys.path.insert(0, os.path.dirname(os.path.abspath(qemu_run)))
        import qemu_run as runner  # the same machine as every other QEMU test
        args = argparse.Namespace(
            interactive=False, memory=256, machine=machine, debug_exit=True, iso=None,
            kernel=kernel, append="", initrd=archive, net="user", forward=[f"{port}:80"],
            socket_peer=None, socket_local=None, mac=None, qemu_arg=[], smp=smp)
        cmd = runner.qemu_command(args)
        print("httpd:", " ".join(cmd), flush=True)
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        self.serial = ""
        self.at = 0

    def pump(self, timeout):
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if ready:
            chunk = os.read(self.proc.stdout.fileno(), 65536)
            if not chunk:
                raise Failure(f"QEMU exited with {self.proc.wait()}")
            text = chunk.decode("utf-8", "replace").replace("\r", "")
            self.serial += text
            sys.stdout.write(text)
            sys.stdout.flush()

    def wait(self, pattern, timeout=30):
        deadline = time.monotonic() + timeout
        regex = re.compile(pattern, re.MULTILINE)
        while True:
            m = regex.search(self.serial, self.at)
            if m:
                self.at = m.end()
                return m
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise Failure(f"no {pattern!r} on the serial console within {timeout} s")
            self.pump(min(remaining, 0.2))

    def drain(self):
        """Reads what the serial has so far, without waiting."""
        while select.select([self.proc.stdout], [], [], 0)[0]:
            self.pump(0)

    def shut_down(self):
        """Types shutdown at the kernel console; fails unless QEMU then exits with 0."""
        self.proc.stdin.write(b"shutdown\r")
        self.proc.stdin.flush()
        self.wait(r"power: shutting down", timeout=30)
        status = self.proc.wait(timeout=20)
        expect(status == 0, f"QEMU exited with {status}")


def curl(url, *extra, timeout=60):
    """Runs curl; returns (status, headers as a lower-case dict, body bytes)."""
    with tempfile.TemporaryDirectory() as tmp:
        headers, body = os.path.join(tmp, "headers"), os.path.join(tmp, "body")
        cmd = ["curl", "-sS", "--max-time", str(timeout), "-D", headers, "-o", body, *extra, url]
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            raise Failure(f"{' '.join(cmd)} failed ({done.returncode}): {done.stderr.strip()}")
        with open(headers, "rb") as f:
            lines = f.read().decode("latin-1").split("\r\n")
        with open(body, "rb") as f:
            data = f.read()
    status = int(lines[0].split()[1])
    fields = {}
    for line in lines[1:]:
        if ": " in line:
            name, value = line.split(": ", 1)
            fields[name.lower()] = value
    return status, fields, data


def expect(condition, what):
    if not condition:
        raise Failure(what)


def read_response(sock, buffer, head_only=False):
    """Reads one HTTP/1.1 response from sock (buffer: bytes already read). Returns (status,
    fields, body, rest of buffer)."""
    def more():
        chunk = sock.recv(65536)
        if not chunk:
            raise Failure("the connection closed in the middle of a response")
        return chunk
    while b"\r\n\r\n" not in buffer:
        buffer += more()
    head, buffer = buffer.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    fields = {l.split(": ", 1)[0].lower(): l.split(": ", 1)[1] for l in lines[1:]}
    body = b""
    if head_only:
        pass
    elif "content-length" in fields:
        n = int(fields["content-length"])
        while len(buffer) < n:
            buffer += more()
        body, buffer = buffer[:n], buffer[n:]
    elif fields.get("transfer-encoding") == "chunked":
        while True:
            while b"\r\n" not in buffer:
                buffer += more()
            size_line, buffer = buffer.split(b"\r\n", 1)
            size = int(size_line.split(b";")[0], 16)
            while len(buffer) < size + 2:
                buffer += more()
            body += buffer[:size]
            expect(buffer[size:size + 2] == b"\r\n", "a chunk does not end with CRLF")
            buffer = buffer[size + 2:]
            if size == 0:
                break
    return status, fields, body, buffer


def status_json(base):
    status, fields, body = curl(base + "/api/status")
    expect(status == 200, f"/api/status answered {status}")
    expect(fields.get("content-type") == "application/json", f"/api/status type {fields}")
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise Failure(f"/api/status is not JSON ({e}): {body[:200]!r}")


def isolation_of(name, isolation):
    """Where name must run when the test asks for isolation: with wasm, only httpd is wasm
    (the driver and the stack need devices and mappings a wasm component has not)."""
    return "user" if isolation == "wasm" and name != "httpd" else isolation


def check(m, port, isolation):
    base = f"http://127.0.0.1:{port}"
    # Both, in either order: httpd listens whether or not the stack has its address yet.
    m.wait(r"httpd\] listening on port 80", timeout=60)
    m.at = 0
    m.wait(r"tcpip\] address 10\.0\.2\.15 ", timeout=30)  # from QEMU's DHCP server

    # Opened first, it says nothing: httpd closes it after 30 s (checked at the end).
    idle = socket.create_connection(("127.0.0.1", port), timeout=60)
    idle_since = time.monotonic()

    # The page, and what it links. httpd listens before the startup server has answered its
    # first status questions (it may still be starting the other components): a page asked
    # for that early has empty tables, filled by the next one (and by live.js).
    for _ in range(20):
        status, fields, page = curl(base + "/")
        if status != 200 or b"<td>httpd</td>" in page:
            break
        time.sleep(0.25)
    expect(status == 200, f"/ answered {status}")
    expect(fields.get("content-type") == "text/html; charset=utf-8", f"/ type: {fields}")
    expect(fields.get("transfer-encoding") == "chunked", f"/ is not chunked: {fields}")
    expect(fields.get("server") == "Stellina", f"/ server: {fields}")
    text = page.decode("utf-8")
    for needle in ["<h1>Stellina</h1>", 'id="uptime"', 'id="components"', 'id="network"',
                   'id="log"', "<td>httpd</td>", "<td>tcpip</td>", "/static/live.js"]:
        expect(needle in text, f"the page lacks {needle!r}")
    expect('href="/graphs.html"' in text, "the page does not link the graphs")
    for name, kind in [("style.css", "text/css"), ("live.js", "text/javascript"),
                       ("graphs.js", "text/javascript")]:
        status, fields, body = curl(f"{base}/static/{name}")
        expect(status == 200 and fields.get("content-type", "").startswith(kind),
               f"/static/{name}: {status} {fields}")
        with open(os.path.join(SITE, name), "rb") as f:
            expect(body == f.read(), f"/static/{name} differs from apps/httpd/site/{name}")

    # The JSON: it parses, time passes, the components are there.
    first = status_json(base)
    time.sleep(1.5)
    second = status_json(base)
    expect(second["uptime_ms"] > first["uptime_ms"],
           f"uptime did not grow: {first['uptime_ms']} then {second['uptime_ms']}")
    expect(re.fullmatch(r"[0-9a-f]{32}", first["boot_id"] or "") is not None
           and second["boot_id"] == first["boot_id"],
           f"boot id: {first['boot_id']!r} then {second['boot_id']!r} (32 hex digits, the same)")
    components = {c["name"]: c for c in second["components"]}
    for name in ["httpd", "tcpip", "virtio-net", "devmgr"]:
        expect(name in components, f"no {name} among the components: {list(components)}")
    for name in ["httpd", "tcpip"]:
        expect(components[name]["state"] == "running", f"{name}: {components[name]}")
    for name in ["httpd", "tcpip", "virtio-net"]:
        where = isolation_of(name, isolation)
        expect(components[name]["isolation"] == where,
               f"{name} runs in {components[name]['isolation']} isolation, not {where}")
    expect(second["memory"]["total_bytes"] and second["memory"]["free_bytes"],
           f"memory: {second['memory']}")
    expect(any(k.startswith("tcp.") for k in second["network"]),
           f"no tcp counters: {second['network']}")
    expect(len(second["log"]) > 0, "no log lines")
    print(f"httpd: uptime {first['uptime_ms']} ms then {second['uptime_ms']} ms, "
          f"{len(components)} components, {len(second['network'])} counters, httpd uses "
          f"{components['httpd']['memory_bytes']} bytes", flush=True)

    # Errors.
    status, fields, body = curl(base + "/no/such/page")
    expect(status == 404, f"/no/such/page answered {status}")
    status, fields, body = curl(base + "/", "-X", "POST", "--data", "x=1")
    expect(status == 405, f"POST answered {status}")
    expect(fields.get("allow") == "GET, HEAD", f"405 without Allow: {fields}")
    expect(fields.get("connection") == "close", f"405 keeps the connection: {fields}")
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n")
        status, fields, body, rest = read_response(s, b"")
        expect(status == 400, f"a malformed request answered {status}")
        expect(s.recv(100) == b"" and rest == b"", "the connection stays open after a 400")

    # Two requests in one write over one socket: answered in order.
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(b"GET /bytes/1000 HTTP/1.1\r\nHost: x\r\n\r\n"
                  b"GET /api/status HTTP/1.1\r\nHost: x\r\n\r\n"
                  b"HEAD /static/style.css HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        status1, _, body1, rest = read_response(s, b"")
        status2, fields2, body2, rest = read_response(s, rest)
        status3, fields3, body3, rest = read_response(s, rest, head_only=True)
        expect((status1, status2, status3) == (200, 200, 200),
               f"pipelined: {status1} {status2} {status3}")
        expect(body1 == bytes(i % 251 for i in range(1000)), "pipelined /bytes/1000 differs")
        expect(fields2.get("content-type") == "application/json", "pipelined answers out of order")
        json.loads(body2)
        expect(fields3.get("connection") == "close", f"HEAD with close: {fields3}")
        expect(s.recv(100) == b"" and rest == b"", "bytes after the last response")

    # A download with back-pressure all the way.
    start = time.monotonic()
    status, fields, body = curl(f"{base}/bytes/{DOWNLOAD}", timeout=240)
    seconds = time.monotonic() - start
    expect(status == 200 and fields.get("content-length") == str(DOWNLOAD),
           f"/bytes: {status} {fields}")
    expected = hashlib.sha256(bytes(i % 251 for i in range(251)) * (DOWNLOAD // 251) +
                              bytes(range(DOWNLOAD % 251))).hexdigest()
    got = hashlib.sha256(body).hexdigest()
    expect(got == expected, f"sha256 of /bytes/{DOWNLOAD}: {got}, expected {expected}")
    print(f"httpd: {DOWNLOAD} bytes in {seconds:.2f} s ({DOWNLOAD / seconds / 1e6:.2f} MB/s), "
          f"sha256 {got}", flush=True)

    # Many connections at once, each with two requests over keep-alive.
    clients = [socket.create_connection(("127.0.0.1", port), timeout=30) for _ in range(16)]
    for round in range(2):
        for i, c in enumerate(clients):
            c.sendall(f"GET /bytes/{1000 + i} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        for i, c in enumerate(clients):
            status, _, body, rest = read_response(c, b"")
            expect(status == 200 and body == bytes(j % 251 for j in range(1000 + i)) and not rest,
                   f"connection {i}, round {round}: {status}, {len(body)} bytes")
    for c in clients:
        c.close()

    # A slow reader: its response waits for it (back-pressure) while others are served.
    slow = socket.socket()
    slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    slow.settimeout(60)
    slow.connect(("127.0.0.1", port))
    slow.sendall(b"GET /bytes/2000000 HTTP/1.1\r\nHost: x\r\n\r\n")
    got = slow.recv(1000)
    time.sleep(2)
    start = time.monotonic()
    status_json(base)  # not held up by the slow one
    expect(time.monotonic() - start < 5, "a slow reader holds other clients up")
    status, _, body, _ = read_response(slow, got)
    expect(status == 200 and body == (bytes(range(251)) * 8000)[:2000000], "slow reader's bytes")
    slow.close()

    # The silent connection was closed, after about 30 s.
    rest = idle.recv(100)
    waited = time.monotonic() - idle_since
    expect(rest == b"" and 25 < waited < 45, f"idle connection: {rest!r} after {waited:.1f} s")
    idle.close()

    # The counters saw it all.
    last = status_json(base)["httpd"]
    expect(last["method_not_allowed"] >= 1 and last["errors"]["bad_header"] >= 1 and
           last["idle_closed"] >= 1, f"httpd counters: {last}")

    check_history(base, requests_made=30)

    m.drain()
    m.shut_down()
    bad = re.search(r"^.*(CPU exception|ended: (killed|crashed|fault)|malformed).*$", m.serial,
                    re.MULTILINE)
    if bad:
        raise Failure(f"unexpected line: {bad.group(0)}")


def history_json(base, path="/api/history"):
    status, fields, body = curl(base + path)
    expect(status == 200, f"{path} answered {status}")
    expect(fields.get("content-type") == "application/json", f"{path} type {fields}")
    expect(fields.get("cache-control") == "no-store", f"{path} may be cached: {fields}")
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise Failure(f"{path} is not JSON ({e}): {body[:200]!r}")


def check_history(base, requests_made):
    """The samples httpd kept while the checks above ran (half a minute of them at least)."""
    h = history_json(base)
    fields = h["fields"]
    expect(fields[:2] == ["t_ms", "dt_ms"] and fields[-2:] == ["cpu_us", "memory_bytes"],
           f"/api/history fields: {fields}")
    col = {name: i for i, name in enumerate(fields)}
    samples = [s for s in h["samples"] if s is not None]
    expect(len(samples) >= 15, f"only {len(samples)} samples after half a minute: {h['samples']}")
    times = [s[col["t_ms"]] for s in samples]
    expect(all(b > a for a, b in zip(times, times[1:])), f"sample times do not grow: {times}")
    gaps = sorted(s[col["dt_ms"]] for s in samples)
    median = gaps[len(gaps) // 2]
    expect(900 <= median <= 2000 and gaps[0] >= 900 and gaps[-1] <= 10000,
           f"sampling intervals (ms): {gaps}")
    for a, b in zip(samples, samples[1:]):
        expect(b[col["t_ms"]] - a[col["t_ms"]] == b[col["dt_ms"]],
               f"dt_ms is not the time since the sample before: {a[:2]}, {b[:2]}")
    names = h["components"]
    for name in ["httpd", "tcpip", "virtio-net", "devmgr"]:
        expect(name in names, f"no {name} in the history: {names}")
    total = h["memory_total_bytes"]
    for s in samples:
        cpu, memory = s[col["cpu_us"]], s[col["memory_bytes"]]
        expect(len(cpu) == len(names) and len(memory) == len(names), f"a short sample: {s}")
        # Not more CPU time than the machine's two CPUs had in the interval.
        expect(all(0 <= c <= s[col["dt_ms"]] * 1000 * 2 for c in cpu), f"CPU times: {s}")
        expect(0 <= s[col["memory_used_bytes"]] <= total, f"memory in use: {s} of {total}")
    httpd = names.index("httpd")
    last = samples[-1]
    expect(last[col["memory_bytes"]][httpd] > 0, f"httpd uses no memory: {last}")
    expect(last[col["memory_used_bytes"]] > 0, f"no memory in use: {last}")
    expect(sum(s[col["cpu_us"]][httpd] for s in samples) > 0, "httpd used no CPU time")
    sent = sum(s[col["bytes_out"]] for s in samples)
    expect(sent >= DOWNLOAD, f"{sent} bytes out in the history, less than the download")
    expect(sum(s[col["packets_out"]] for s in samples) >= DOWNLOAD // 1514,
           "fewer frames out than the download needs")
    expect(sum(s[col["bytes_in"]] for s in samples) > 0, "no bytes in")
    requests = sum(s[col["requests"]] for s in samples)
    expect(requests >= requests_made, f"{requests} requests in the history")
    print(f"httpd: /api/history: {len(samples)} samples over "
          f"{(times[-1] - times[0]) / 1000:.1f} s, intervals {gaps[0]} to {gaps[-1]} ms, "
          f"{sent} bytes and {requests} requests out, {len(names)} components", flush=True)

    # Only what is newer: the samples after the one before the last.
    since = history_json(base, f"/api/history/since/{times[-2]}")
    newer = [s[0] for s in since["samples"] if s is not None]
    expect(newer and newer[0] == times[-1] and all(t > times[-2] for t in newer),
           f"/api/history/since/{times[-2]}: {newer}")

    # The page that draws them.
    status, fields, page = curl(base + "/graphs.html")
    expect(status == 200 and fields.get("content-type") == "text/html; charset=utf-8",
           f"/graphs.html: {status} {fields}")
    with open(os.path.join(SITE, "graphs.html"), "rb") as f:
        expect(page == f.read(), "/graphs.html differs from apps/httpd/site/graphs.html")


SITE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "apps", "httpd",
                    "site")


def main():
    qemu_run, kernel, archive = sys.argv[1:4]
    machine = sys.argv[4] if len(sys.argv) > 4 else "microvm"
    isolation = sys.argv[5] if len(sys.argv) > 5 else "user"
    smp = int(sys.argv[6]) if len(sys.argv) > 6 else 1  # virtual CPUs
    start = time.monotonic()
    port = free_port()
    m = Machine(qemu_run, kernel, archive, port, machine, smp)
    try:
        check(m, port, isolation)
    except Failure as e:
        print(f"\nhttpd: FAILED: {e}")
        return 1
    finally:
        if m.proc.poll() is None:
            m.proc.kill()
            m.proc.wait()
    print(f"\nhttpd: passed ({time.monotonic() - start:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
