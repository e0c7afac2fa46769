"""A fresh VM per request: the server of VMs (tools/serve_vms.py) booting Stellina, against
the same program booting the Debian Linux guest with busybox httpd, in the same run.

Both go through the same server, with the same QEMU configuration (-M microvm, TCG, -m 128,
virtio-net on QEMU's user network with a forwarded port): only --kernel, --initrd, --append
and the readiness line differ. Stellina is the serving system the server boots by default
(build/system-web/boot.archive: devmgr, virtio-net, tcpip and httpd alone);
Linux is bench/linux/net.py's guest (static 10.0.2.15), whose /init says "linux-vms: ready"
once busybox httpd listens (/proc/net/tcp or tcp6 shows port 80), serving as index.html the bytes
Stellina's `/` answered first, so both send about the same.

Per system:
  request_p50/p99  REQUESTS requests one after another, no pool: each the wall time from the
                   client's connect to the end of the answer (a VM booted for it, then killed),
                   on the host with time.monotonic();
  rps              `ab -n N -c 4` on / (N: AB_REQUESTS for Stellina, 200; AB_REQUESTS_LINUX
                   for Linux, whose boots take far longer): answers 200 per second of the
                   run, each request a VM (errors are recorded, and not counted);
Stellina also with --pool 4: REQUESTS requests one after another, each sent once the pool
has 4 ready VMs again (the server logs it): pool_request_p50.

Metrics (bench=vms): stellina_vm_request_p50_ms, stellina_vm_request_p99_ms,
linux_vm_request_p50_ms, linux_vm_request_p99_ms, stellina_vm_rps, linux_vm_rps,
stellina_pool_request_p50_ms; ratio_vm_request_p50 (Linux / Stellina) and ratio_vm_rps
(Stellina / Linux): above 1 Stellina does better.
"""

import os
import re
import socket
import subprocess
import sys
import threading
import time

from bench.lib import http
from bench.lib.results import BUILD, REPO, percentile
from bench.linux import guest, net, prepare

OUT = os.path.join(BUILD, "vms")
SERVER = os.path.join(REPO, "tools", "serve_vms.py")
STELLINA = os.path.join(REPO, "build", "kernel", "stellina.elf")
ARCHIVE = os.path.join(REPO, "build", "system-web", "boot.archive")  # what serve-vms boots
LINUX_INITRD = os.path.join(OUT, "initramfs.cpio")
LINUX_READY = "linux-vms: ready"
MEMORY = 128
CONCURRENCY = 4
POOL = 4
AB_REQUESTS = int(os.environ.get("VMS_AB_REQUESTS", "200"))
AB_REQUESTS_LINUX = int(os.environ.get("VMS_AB_REQUESTS_LINUX", "40"))
# From QEMU's launch to the readiness line, beyond which a request gets a 502 (an error
# below). Four Linux guests booting at once on a loaded 2-core host take tens of seconds.
BOOT_TIMEOUT_S = 120
REQUEST = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"

# busybox httpd in the background, then the line the server waits for once port 80 (0x0050)
# listens (state 0A; busybox listens on IPv6's any address when it can, so tcp6), then nothing more: the server kills the VM after one connection.
LINUX_EXTRA = f"""$bb httpd -f -p 80 -h /www &
while ! $bb grep -sqE ':0050 0+:0000 0A' /proc/net/tcp /proc/net/tcp6; do $bb usleep 5000; done
echo "{LINUX_READY}"
wait
"""


def log(msg, end="\n"):
    print(msg, end=end, file=sys.stderr, flush=True)


class VmServer:
    """tools/serve_vms.py on a free port; its log lines are kept."""

    def __init__(self, kernel, initrd, append=None, ready=(), pool=0):
        self.port = http.free_port()
        # No append: the server's default, Stellina's static address.
        appended = [] if append is None else ["--append", append]
        cmd = [sys.executable, SERVER, "--port", str(self.port), "--kernel", kernel,
               "--initrd", initrd, *appended, "--memory", str(MEMORY),
               "--max-vms", str(CONCURRENCY), "--pool", str(pool),
               "--boot-timeout", str(BOOT_TIMEOUT_S), "--queue-timeout", "120"]
        for line in ready:
            cmd += ["--ready", line]
        self.lines = []
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     text=True)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        if not self.wait(lambda: any("listening on" in l for l in self.lines), 20):
            self.stop()
            raise SystemExit(f"vms: the server did not start: {self.lines[-5:]}")

    def _read(self):
        for line in self.proc.stderr:
            self.lines.append(line.rstrip("\n"))

    def wait(self, cond, timeout):
        end = time.monotonic() + timeout
        while time.monotonic() < end and self.proc.poll() is None:
            if cond():
                return True
            time.sleep(0.02)
        return cond()

    def pool_ready(self, count):
        """The pool has `count` ready VMs (the newest pool line says so)."""
        for line in reversed(self.lines):
            m = re.search(r"\((\d+) of \d+ ready\)", line)
            if m:
                return int(m.group(1)) >= count
            if re.search(r"#\d+: vm pid \d+ pool", line):
                return False  # one was taken since
        return False

    def boots(self):
        return [int(m.group(1)) for l in self.lines if (m := re.search(r", boot (\d+) ms", l))]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.reader.join(5)


def one_request(port, timeout=60.0):
    """One GET / through the server: (ms from connect to the end of the answer, body)."""
    start = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(REQUEST)
        raw = b""
        while chunk := s.recv(65536):
            raw += chunk
    ms = (time.monotonic() - start) * 1000
    if not raw.startswith(b"HTTP/1.1 200") and not raw.startswith(b"HTTP/1.0 200"):
        raise SystemExit(f"vms: a request got {raw[:200]!r}")
    return ms, raw.partition(b"\r\n\r\n")[2]


def sequential(server, count, before=None):
    times, body = [], b""
    for _ in range(count):
        if before:
            before()
        ms, body = one_request(server.port)
        times.append(ms)
    return times, body


def ab_rps(port, requests):
    cmd = ["ab", "-s", "60", "-n", str(requests), "-c", str(CONCURRENCY),
           f"http://127.0.0.1:{port}/"]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=requests * 30)
    if r.returncode != 0:
        raise SystemExit(f"vms: {' '.join(cmd)}: {r.stderr.strip()[-400:]}")
    taken = float(re.search(r"Time taken for tests:\s+([\d.]+)", r.stdout).group(1))
    complete = int(re.search(r"Complete requests:\s+(\d+)", r.stdout).group(1))
    non_2xx = re.search(r"Non-2xx responses:\s+(\d+)", r.stdout)
    failed = re.search(r"Failed requests:\s+(\d+)", r.stdout)
    exceptions = re.search(r"Exceptions: (\d+)", r.stdout)
    connect = re.search(r"Connect: (\d+), Receive: (\d+)", r.stdout)
    errors = int(non_2xx.group(1)) if non_2xx else 0
    if connect:
        errors += int(connect.group(1)) + int(connect.group(2))
    if exceptions:
        errors += int(exceptions.group(1))
    # Only good answers count: a 502 comes fast and would inflate ab's own figure.
    rps = max(0, complete - errors) / taken
    return rps, errors, " ".join(cmd[:-1]), int(failed.group(1)) if failed else 0


def record_latency(rec, prefix, times, **extra):
    rec.samples(f"{prefix}_request_p50_ms", times, "ms", **extra)
    rec.add(f"{prefix}_request_p99_ms", round(percentile(times, 99), 1), "ms", len(times),
            **extra)


def run(rec, opts):
    os.makedirs(OUT, exist_ok=True)
    for path in (STELLINA, ARCHIVE):
        if not os.path.exists(path):
            raise SystemExit(f"vms: {os.path.relpath(path, REPO)} is missing; build first (make)")
    requests = max(opts.runs, 5)
    common = {"machine": "microvm", "memory_mib": MEMORY, "host_load": http.load_average()}

    log(f"vms: Stellina, {requests} requests one at a time, no pool")
    server = VmServer(STELLINA, ARCHIVE)
    try:
        times, page = sequential(server, requests)
        boots = server.boots()
        record_latency(rec, "stellina_vm", times, boot_p50_ms=sorted(boots)[len(boots) // 2],
                       **common)
        log(f"vms: Stellina, ab -n {AB_REQUESTS} -c {CONCURRENCY}")
        rps, errors, cmd, failed = ab_rps(server.port, AB_REQUESTS)
        rec.add("stellina_vm_rps", round(rps, 2), "req/s", 1, ab=cmd, errors=errors,
                requests=AB_REQUESTS, **common)
    finally:
        server.stop()

    log(f"vms: Stellina, --pool {POOL}, {requests} requests, each once {POOL} VMs are ready")
    server = VmServer(STELLINA, ARCHIVE, pool=POOL)
    try:
        def refilled():
            if not server.wait(lambda: server.pool_ready(POOL), 60):
                raise SystemExit(f"vms: the pool did not fill: {server.lines[-3:]}")
        times, _ = sequential(server, requests, before=refilled)
        rec.samples("stellina_pool_request_p50_ms", times, "ms", pool=POOL, **common)
    finally:
        server.stop()

    log(f"vms: Linux, {requests} requests one at a time, no pool")
    prepare.prepare()
    net.build_initramfs(LINUX_INITRD, www={"index.html": page}, extra=LINUX_EXTRA)
    server = VmServer(prepare.prepare()[0], LINUX_INITRD, append=guest.cmdline(),
                      ready=[LINUX_READY])
    linux = {"linux": prepare.kernel_version(), "page_bytes": len(page), **common}
    try:
        times, _ = sequential(server, requests)
        boots = server.boots()
        record_latency(rec, "linux_vm", times, boot_p50_ms=sorted(boots)[len(boots) // 2],
                       **linux)
        log(f"vms: Linux, ab -n {AB_REQUESTS_LINUX} -c {CONCURRENCY}")
        rps, errors, cmd, failed = ab_rps(server.port, AB_REQUESTS_LINUX)
        rec.add("linux_vm_rps", round(rps, 2), "req/s", 1, ab=cmd, errors=errors,
                requests=AB_REQUESTS_LINUX, **linux)
    finally:
        server.stop()

    rec.ratio("ratio_vm_request_p50", "linux_vm_request_p50_ms", "stellina_vm_request_p50_ms")
    rec.ratio("ratio_vm_rps", "stellina_vm_rps", "linux_vm_rps")
    have = {f["metric"]: f["value"] for f in rec.figures}
    log(f"{'vms, microvm':<28} {'Stellina':>10} {'Linux':>10}")
    for name, s, l in [("request p50 (ms)", "stellina_vm_request_p50_ms", "linux_vm_request_p50_ms"),
                       ("request p99 (ms)", "stellina_vm_request_p99_ms", "linux_vm_request_p99_ms"),
                       ("requests/s at -c 4", "stellina_vm_rps", "linux_vm_rps"),
                       ("pool 4: request p50 (ms)", "stellina_pool_request_p50_ms", None)]:
        log(f"{name:<28} {have.get(s, '-'):>10} {have.get(l, '-') if l else '-':>10}")
