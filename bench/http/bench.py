"""HTTP: Stellina's httpd vs busybox httpd on the Debian Linux guest, on microvm.

Both guests run in the same QEMU configuration: -M microvm, TCG, the same -m (128 MiB unless
searching for the smallest), one virtio-net-device (virtio 1.x over virtio-mmio) on QEMU's
user network, with a host port on 127.0.0.1 forwarded to the guest's port 80 (hostfwd).
Every boot gets a fresh free port.

Stellina runs three times over: as `make run` boots it (the network path, virtio-net, tcpip
and httpd, in user mode), with that path inside the kernel (build/scenarios/system_kernel,
the same specs but for their isolation line), and with httpd as wasm
(build/scenarios/system_wasm: httpd's isolation line alone changed), in the same
configuration and run.

Per run (opts.runs of them, alternating Stellina, Stellina with the kernel path, Stellina
with httpd as wasm, Linux):
  first_200_ms  wall time from just before QEMU's launch to the first "HTTP/1.x 200" status
                line a host client reads from the forwarded port (bench.lib.http.first_200:
                a new connection every 50 ms, several in flight);
  rps, p50, p99 `wrk -t1 -c8 -d5s --timeout 2s --latency` on `/` after a 1 s warm-up with the
                same command: requests/s and the latency percentiles.
Then, once per system, the smallest -m (MiB) that still serves: a bisection between 128 MiB
(which must serve) and 0, each probe a boot that must answer 200 within PROBE_TIMEOUT_S (a
probe that timed out with QEMU still running is tried once more: the Linux guest may hang
at boot). SERVES: for Stellina, a 200 is not enough: within the same PROBE_TIMEOUT_S of the
launch, /api/status must list every component of the system started (running, or a driver
with no device on this machine: bench.lib.http.all_started); a boot where httpd answers but
vfs or the shell could not start is degraded and does not count. The searches alternate
probe by probe.

Stellina: build/kernel/stellina.elf with build/user/system.archive (the system `make run`
boots; $HTTP_BENCH_ARCHIVE names another), its stack given 10.0.2.15/24 via 10.0.2.2 on the
kernel command line (qemu.STELLINA_STATIC_ADDRESS), as the Linux guest is. Linux: bench/linux/net.py's initramfs, static
10.0.2.15/24 via 10.0.2.2, `httpd -f -p 80 -h /www` serving as index.html the very bytes
Stellina's `/` answered with in the first run (or, without a Stellina answer, a generated
page of DEFAULT_PAGE_BYTES), so both send the same amount.

With HTTP_BENCH_MIN_MEM_ONLY=1, only Stellina's memory searches run, opts.runs of each: the
system as it ships (the largest result recorded as stellina_min_mem_mib) and the serving
system of make serve-vms, build/system-web/boot.archive (stellina_web_min_mem_mib): no Linux
guest is needed.

Metrics: {stellina,stellina_kernel,stellina_wasm,linux}_rps, _latency_p50_ms, _latency_p99_ms,
_first_200_ms, _min_mem_mib; ratio_rps = Stellina / Linux, ratio_first_200,
ratio_latency_p50/p99 and ratio_min_mem = Linux / Stellina: above 1 Stellina does better in
every ratio (user isolation, the system as it ships).
"""

import os
import sys

from bench.lib import http, qemu
from bench.lib.results import BUILD, REPO
from bench.linux import guest, net, prepare

OUT = os.path.join(BUILD, "http")
INITRD = os.path.join(OUT, "initramfs.cpio")
MACHINE = "microvm"
MEMORY = 128
STELLINA = os.path.join(REPO, "build", "kernel", "stellina.elf")
ARCHIVE = os.environ.get("HTTP_BENCH_ARCHIVE") or os.path.join(REPO, "build", "user", "system.archive")
KERNEL_ARCHIVE = os.path.join(REPO, "build", "scenarios", "system_kernel", "boot.archive")
WASM_ARCHIVE = os.path.join(REPO, "build", "scenarios", "system_wasm", "boot.archive")
# The serving system (what make serve-vms boots): devmgr, virtio-net, tcpip and httpd alone.
WEB_ARCHIVE = os.path.join(REPO, "build", "system-web", "boot.archive")
BOOT_TIMEOUT_S = 30.0     # from launch to the first 200, at MEMORY
PROBE_TIMEOUT_S = 20.0    # the same in the memory search
# Boots per run before a side counts as not answering: the Linux guest may hang at boot
# (bench/README.md), Stellina has no such excuse.
LINUX_ATTEMPTS, STELLINA_ATTEMPTS = 3, 1
WRK = {"threads": 1, "connections": 8, "seconds": 5}
WARMUP_S = 1
DEFAULT_PAGE_BYTES = 4096


def log(msg, end="\n"):
    print(msg, end=end, file=sys.stderr, flush=True)


def network(port):
    """The one network card both guests get: virtio 1.x over virtio-mmio, user network."""
    return qemu.user_net(MACHINE, {port: 80})


def stellina_command(archive):
    def command(memory, port):
        return qemu.qemu_cmd(MACHINE, STELLINA, qemu.STELLINA_STATIC_ADDRESS, initrd=archive,
                             memory=memory, extra=network(port))
    return command


def linux_command(memory, port):
    return guest.command(MACHINE, initrd=INITRD, memory=memory, extra=network(port))


def generated_page(size):
    """An HTML page of exactly `size` bytes (at least about 200)."""
    head = (b"<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>linux baseline</title>"
            b"</head>\n<body><h1>Linux baseline</h1>\n<p>")
    tail = b"</p>\n</body></html>\n"
    filler = b"busybox httpd on the Debian kernel, the same page size as Stellina's home page. "
    body = (filler * (size // len(filler) + 1))[:max(0, size - len(head) - len(tail))]
    return head + body + tail


class Side:
    """One system under test: how to boot it and what it measured."""

    def __init__(self, name, command, attempts, whole_system=False):
        self.name, self.command, self.attempts = name, command, attempts
        self.whole_system = whole_system  # Stellina: serving needs every component started
        self.first_200, self.rps, self.p50, self.p99 = [], [], [], []
        self.errors, self.requests, self.retries = 0, 0, 0
        self.failure = None      # why it does not serve (a message), once known
        self.home_page = None    # the body of its first 200

    def boot(self, memory, timeout, measure):
        """Boots once; returns (FirstAnswer, WrkResult or None, qemu.Background)."""
        port = http.free_port()
        with qemu.Background(self.command(memory, port)) as g:
            hit = http.first_200(port, g.start, g.start + timeout, alive=g.alive)
            hit.qemu_exited = not g.alive()  # on its own, before being stopped here
            if hit.ms is None or not measure:
                return hit, None, g
            url = f"http://127.0.0.1:{port}/"
            http.wrk(url, **{**WRK, "seconds": WARMUP_S})
            return hit, http.wrk(url, **WRK), g

    def no_answer(self, g, hit, timeout):
        why = (f"before QEMU exited (status {g.proc.returncode})" if hit.qemu_exited
               else f"within {timeout:.0f} s of QEMU's launch")
        statuses = f", statuses {hit.statuses}" if hit.statuses else ""
        return (f"{self.name}: no HTTP answer on the forwarded port (guest port 80) {why} "
                f"({hit.attempts} connections{statuses}); serial output ends:\n{g.tail()}")

    def run(self):
        """One measured run at MEMORY; False when the system never answered."""
        for _ in range(self.attempts):
            hit, w, g = self.boot(MEMORY, BOOT_TIMEOUT_S, measure=True)
            if hit.ms is not None:
                break
            self.retries += 1
            self.failure = self.no_answer(g, hit, BOOT_TIMEOUT_S)
        else:
            return False
        self.failure = None
        self.home_page = self.home_page if self.home_page is not None else hit.body
        self.first_200.append(hit.ms)
        self.rps.append(w.rps)
        self.p50.append(w.p50_ms)
        self.p99.append(w.p99_ms)
        self.errors += w.errors
        self.requests += w.requests
        return True

    def serves(self, memory):
        """One probe of the memory search (a hang is tried once more): a 200 and, for
        Stellina, every component of the system started (SERVES in the docstring above)."""
        for _ in range(2):
            port = http.free_port()
            with qemu.Background(self.command(memory, port)) as g:
                deadline = g.start + PROBE_TIMEOUT_S
                hit = http.first_200(port, g.start, deadline, alive=g.alive)
                if hit.ms is not None:
                    return not self.whole_system or http.all_started(port, deadline, g.alive).ok
                if not g.alive():  # a panic or power-off, not a hang: no second try
                    return False
        return False


class Bisection:
    """The smallest MiB in (lo, hi] that serves, given hi serves and lo does not."""

    def __init__(self, side, hi):
        self.side, self.lo, self.hi, self.top_checked = side, 0, hi, False
        self.probes = []

    def next(self):
        if not self.top_checked:
            return self.hi
        return (self.lo + self.hi) // 2 if self.hi - self.lo > 1 else None

    def step(self):
        memory = self.next()
        ok = self.side.serves(memory)
        self.probes.append(f"{memory}:{'yes' if ok else 'no'}")
        if not self.top_checked:
            self.top_checked = True
            if not ok:
                self.hi = None  # does not serve even at the top: no figure
                return
        elif ok:
            self.hi = memory
        else:
            self.lo = memory

    def done(self):
        return self.hi is None or (self.top_checked and self.next() is None)


def build_linux(page):
    prepare.prepare()
    net.build_initramfs(INITRD, www={"index.html": page})


def record(rec, side, prefix, common, **extra):
    if not side.rps:
        return
    extra = {**common, **extra}
    rec.samples(f"{prefix}_rps", side.rps, "req/s", errors=side.errors, requests=side.requests,
                boot_retries=side.retries, **extra)
    rec.samples(f"{prefix}_latency_p50_ms", side.p50, "ms", digits=2, **extra)
    rec.samples(f"{prefix}_latency_p99_ms", side.p99, "ms", digits=2, **extra)
    rec.samples(f"{prefix}_first_200_ms", side.first_200, "ms", **extra)


def summary(rec):
    rows = [("requests/s", "rps", "ratio_rps"),
            ("latency p50 (ms)", "latency_p50_ms", "ratio_latency_p50"),
            ("latency p99 (ms)", "latency_p99_ms", "ratio_latency_p99"),
            ("first 200 (ms)", "first_200_ms", "ratio_first_200"),
            ("smallest -m (MiB)", "min_mem_mib", "ratio_min_mem")]
    have = {f["metric"]: f["value"] for f in rec.figures}
    cell = lambda m: "-" if m not in have else str(have[m])
    lines = [f"{'http, ' + MACHINE:<20} {'Stellina':>10} {'in kernel':>10} {'wasm httpd':>10} "
             f"{'Linux':>10} {'better x':>9}"]
    lines += [f"{name:<20} {cell('stellina_' + m):>10} {cell('stellina_kernel_' + m):>10} "
              f"{cell('stellina_wasm_' + m):>10} {cell('linux_' + m):>10} {cell(r):>9}"
              for name, m, r in rows]
    log("\n".join(lines))


def min_mem_only(rec, opts):
    """HTTP_BENCH_MIN_MEM_ONLY=1: only Stellina's memory searches, opts.runs times over, the
    system as it ships (stellina_min_mem_mib) and the serving system (stellina_web_min_mem_mib)
    alternating probe by probe; records for each the largest of the smallest -m found, the
    one that served in every search."""
    sides = [Side("stellina", stellina_command(ARCHIVE), STELLINA_ATTEMPTS, True),
             Side("stellina_web", stellina_command(WEB_ARCHIVE), STELLINA_ATTEMPTS, True)]
    found = {side.name: [] for side in sides}
    probes = {side.name: [] for side in sides}
    for _ in range(opts.runs):
        searches = [Bisection(side, MEMORY) for side in sides]
        while not all(s.done() for s in searches):
            for s in searches:
                if not s.done():
                    s.step()
        for s in searches:
            if s.hi is None:
                raise SystemExit(f"http: {s.side.name}: no whole system at {MEMORY} MiB")
            found[s.side.name].append(s.hi)
            probes[s.side.name].append(" ".join(s.probes))
            log(f"http: {s.side.name}: smallest -m {s.hi} MiB ({probes[s.side.name][-1]})")
    for side in sides:
        rec.add(f"{side.name}_min_mem_mib", max(found[side.name]), "MiB", opts.runs,
                machine=MACHINE, probes=" | ".join(probes[side.name]),
                probe_timeout_s=PROBE_TIMEOUT_S, searches=found[side.name],
                host_load=http.load_average())


def run(rec, opts):
    if os.environ.get("HTTP_BENCH_MIN_MEM_ONLY"):
        return min_mem_only(rec, opts)
    os.makedirs(OUT, exist_ok=True)
    stellina = Side("stellina", stellina_command(ARCHIVE), STELLINA_ATTEMPTS, True)
    in_kernel = Side("stellina_kernel", stellina_command(KERNEL_ARCHIVE), STELLINA_ATTEMPTS, True)
    in_wasm = Side("stellina_wasm", stellina_command(WASM_ARCHIVE), STELLINA_ATTEMPTS, True)
    stellinas = (stellina, in_kernel, in_wasm)
    linux = Side("linux", linux_command, LINUX_ATTEMPTS)
    for side, archive in ((stellina, ARCHIVE), (in_kernel, KERNEL_ARCHIVE),
                          (in_wasm, WASM_ARCHIVE)):
        for path in (STELLINA, archive):
            if not os.path.exists(path):
                side.failure = f"{side.name}: {os.path.relpath(path, REPO)} is missing; build first (make)"
    common = {"machine": MACHINE, "memory_mib": MEMORY, "host_load": http.load_average(),
              "wrk": f"wrk -t{WRK['threads']} -c{WRK['connections']} -d{WRK['seconds']}s --latency"}

    log(f"http: {MACHINE} -m {MEMORY}, {opts.runs} runs, alternating ", end="")
    for i in range(opts.runs):
        for side in stellinas:
            if side.failure is None:
                side.run()
        if i == 0:
            page = stellina.home_page or generated_page(DEFAULT_PAGE_BYTES)
            common["page_bytes"] = len(page)
            common["page"] = "stellina's /" if stellina.home_page else "generated"
            build_linux(page)
        if not linux.run():
            log("")
            raise SystemExit(f"http: {linux.failure}")
        log(".", end="")
    log("")
    record(rec, stellina, "stellina", common)
    record(rec, in_kernel, "stellina_kernel", common, isolation="kernel (virtio-net, tcpip, httpd)")
    record(rec, in_wasm, "stellina_wasm", common, isolation="wasm (httpd; virtio-net, tcpip user)")
    record(rec, linux, "linux", common, linux=prepare.kernel_version())

    log("http: smallest -m that serves, bisecting from 128 MiB ", end="")
    searches = [Bisection(side, MEMORY) for side in stellinas if side.failure is None]
    searches.append(Bisection(linux, MEMORY))
    while not all(s.done() for s in searches):
        for s in searches:
            if not s.done():
                s.step()
                log(f"{s.side.name} {s.probes[-1]}; ", end="")
    log("")
    for s in searches:
        if s.hi is not None:
            rec.add(f"{s.side.name}_min_mem_mib", s.hi, "MiB", 1, machine=MACHINE,
                    probes=" ".join(s.probes), probe_timeout_s=PROBE_TIMEOUT_S)

    if stellina.rps:
        rec.ratio("ratio_rps", "stellina_rps", "linux_rps")
        rec.ratio("ratio_latency_p50", "linux_latency_p50_ms", "stellina_latency_p50_ms")
        rec.ratio("ratio_latency_p99", "linux_latency_p99_ms", "stellina_latency_p99_ms")
        rec.ratio("ratio_first_200", "linux_first_200_ms", "stellina_first_200_ms")
        if all(s.hi is not None for s in searches):
            rec.ratio("ratio_min_mem", "linux_min_mem_mib", "stellina_min_mem_mib")
    summary(rec)
    for side in stellinas:
        if side.failure is not None:
            raise SystemExit(f"http: {side.failure}")
    if any(s.hi is None for s in searches):
        bad = [s.side.name for s in searches if s.hi is None]
        raise SystemExit(f"http: {', '.join(bad)}: no HTTP answer at {MEMORY} MiB in the memory search")
