"""HTTP from the host to a guest behind QEMU's user network (hostfwd on 127.0.0.1).

    port = free_port()                           # for hostfwd=tcp:127.0.0.1:PORT-:80
    hit = first_200(port, start, deadline, alive=guest.alive)
    hit.ms, hit.body                             # ms since `start`, the body of that answer
    wrk(f"http://127.0.0.1:{port}/", threads=1, connections=8, seconds=5)  # a WrkResult
    status, headers, body = get(port, "/api/status")
    whole = all_started(port, deadline, alive=guest.alive)  # Stellina: every component up

Why first_200 keeps several connections open at once: QEMU accepts a forwarded connection
on the host before the guest has answered anything, and while the guest's network is not up
its SYN is lost and retried by QEMU for seconds. A poller that waited on one connection at a
time would see the server late by up to that retry time; a new connection every `interval`
seconds (the oldest closed beyond `max_open`) sees it within one interval.
"""

import http.client
import json
import os
import re
import selectors
import socket
import subprocess
import time
from dataclasses import dataclass, field

REQUEST = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
STATUS_LINE = re.compile(rb"^HTTP/1\.[01] (\d{3})")


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


@dataclass
class FirstAnswer:
    ms: float | None = None   # ms from `start` to the read that completed "HTTP/1.x 200"
    body: bytes = b""         # that answer's body (may be cut short by body_timeout)
    attempts: int = 0         # connections opened
    statuses: dict = field(default_factory=dict)  # other statuses seen -> count
    qemu_exited: bool = False  # set by callers: the guest was gone before an answer


def _body(raw):
    head, sep, body = raw.partition(b"\r\n\r\n")
    return body if sep else b""


def first_200(port, start, deadline, alive=lambda: True, path="/", interval=0.05, max_open=16,
              body_timeout=5.0):
    """Polls http://127.0.0.1:port/path until an answer's status line says 200.

    start: time.monotonic() at QEMU's launch, the zero of `ms`. Gives up at `deadline`
    (a time.monotonic() value) or when alive() turns false (QEMU exited).
    Returns a FirstAnswer; its ms is None when no 200 came."""
    request = REQUEST.replace(b"GET / ", b"GET " + path.encode() + b" ")
    sel = selectors.DefaultSelector()
    conns = {}  # socket -> {"out": bytes to send, "in": bytes received, "opened": time}
    result = FirstAnswer()
    winner = None
    next_open = time.monotonic()

    def close(s):
        sel.unregister(s)
        conns.pop(s)
        s.close()

    try:
        while winner is None:
            now = time.monotonic()
            if now >= deadline or not alive():
                return result
            if now >= next_open:
                if len(conns) >= max_open:
                    close(min(conns, key=lambda c: conns[c]["opened"]))
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                s.setblocking(False)
                s.connect_ex(("127.0.0.1", port))
                conns[s] = {"out": request, "in": b"", "opened": now}
                sel.register(s, selectors.EVENT_READ | selectors.EVENT_WRITE)
                result.attempts += 1
                next_open = now + interval
            for key, events in sel.select(max(0.0, min(next_open, deadline) - time.monotonic())):
                s, c = key.fileobj, conns[key.fileobj]
                try:
                    if events & selectors.EVENT_WRITE and c["out"]:
                        c["out"] = c["out"][s.send(c["out"]):]
                        if not c["out"]:
                            sel.modify(s, selectors.EVENT_READ)
                    if events & selectors.EVENT_READ:
                        chunk = s.recv(65536)
                        if not chunk:
                            close(s)
                            continue
                        c["in"] += chunk
                except OSError:  # refused or reset: QEMU had no guest connection to offer
                    close(s)
                    continue
                m = STATUS_LINE.match(c["in"])
                if m and m.group(1) == b"200":
                    result.ms = (time.monotonic() - start) * 1000
                    winner = s
                    break
                if m:
                    code = int(m.group(1))
                    result.statuses[code] = result.statuses.get(code, 0) + 1
                    close(s)
        # Read the rest of the winning answer (its body), for the page size.
        raw = conns[winner]["in"]
        winner.setblocking(True)
        winner.settimeout(body_timeout)
        try:
            while chunk := winner.recv(65536):
                raw += chunk
        except OSError:
            pass
        result.body = _body(raw)
        return result
    finally:
        for s in list(conns):
            close(s)
        sel.close()


def get(port, path, timeout=10.0):
    """One GET; returns (status, headers as a dict with lower-case names, body bytes)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Connection": "close"})
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


# States of a component in Stellina's /api/status that count as started: running, or a
# driver whose device this machine does not have.
STARTED_STATES = ("running", "no-device")


@dataclass
class WholeSystem:
    ok: bool = False        # every component started, none failed
    status: dict = None     # the last /api/status document read
    pending: list = field(default_factory=list)  # "name: state" of those not started


def all_started(port, deadline, alive=lambda: True, interval=0.1):
    """Polls Stellina's /api/status until every component of the system is started
    (STARTED_STATES), the deadline passes or alive() turns false. A component that could not
    start (its state "exited", "backoff" or "stopped") is waited for too: the supervisor may
    still restart it; at the deadline the boot counts as degraded, not serving."""
    result = WholeSystem()
    while True:
        try:
            status, _, body = get(port, "/api/status", timeout=max(0.5, deadline - time.monotonic()))
            if status == 200:
                result.status = json.loads(body)
                result.pending = [f"{c['name']}: {c['state']}" for c in result.status["components"]
                                  if c["state"] not in STARTED_STATES]
                if not result.pending:
                    result.ok = True
                    return result
        except (OSError, http.client.HTTPException, ValueError, KeyError):
            pass
        if time.monotonic() + interval >= deadline or not alive():
            return result
        time.sleep(interval)


# --- wrk ------------------------------------------------------------------------------

@dataclass
class WrkResult:
    rps: float               # requests/s over the whole run
    requests: int            # completed requests
    p50_ms: float            # latency percentiles (wrk --latency)
    p99_ms: float
    non_2xx: int             # answers that were not 2xx or 3xx
    socket_errors: dict      # connect/read/write/timeout -> count
    output: str
    command: str = ""

    @property
    def errors(self):
        return self.non_2xx + sum(self.socket_errors.values())


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text):
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not m:
        raise ValueError(f"wrk: cannot read the duration {text!r}")
    return float(m.group(1)) * _UNITS[m.group(2)]


def parse_wrk(out):
    """Reads wrk's report (with --latency)."""
    def find(pattern, what):
        m = re.search(pattern, out, re.M)
        if not m:
            raise ValueError(f"wrk: no {what} in its output:\n{out.strip()}")
        return m
    errors = {}
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m:
        errors = dict(zip(("connect", "read", "write", "timeout"), map(int, m.groups())))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return WrkResult(
        rps=float(find(r"^Requests/sec:\s+([\d.]+)", "Requests/sec").group(1)),
        requests=int(find(r"^\s*(\d+) requests in", "request count").group(1)),
        p50_ms=_ms(find(r"^\s+50%\s+(\S+)", "50% latency").group(1)),
        p99_ms=_ms(find(r"^\s+99%\s+(\S+)", "99% latency").group(1)),
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=errors, output=out)


def wrk(url, threads=1, connections=8, seconds=5, timeout_s=2):
    """Runs `wrk -tT -cC -dDs --timeout Ns --latency URL` (bounded: wrk stops itself after
    `seconds`; the process is killed 30 s later). Returns a WrkResult."""
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", f"--timeout",
           f"{timeout_s}s", "--latency", url]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 30)
    except FileNotFoundError:
        raise SystemExit("wrk not found (apt-get install wrk, or tools/setup.sh)") from None
    if r.returncode != 0:
        raise ValueError(f"wrk: {' '.join(cmd)} exited with {r.returncode}:\n{r.stderr.strip()}")
    result = parse_wrk(r.stdout)
    result.command = " ".join(cmd[:-1])
    return result


def load_average():
    return round(os.getloadavg()[0], 2)
