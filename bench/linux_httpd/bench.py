"""busybox httpd under Stellina's Linux personality vs busybox httpd on the Debian Linux
guest, on microvm: the same binary's requests a second through each system's sockets.

Both guests run in the same QEMU configuration as bench/http's (-M microvm, TCG, -m 128, one
virtio-net-device on QEMU's user network, a free host port on 127.0.0.1 forwarded to the
guest), in the same run, alternating boots, each serving the same page of PAGE_BYTES bytes
as index.html, and measured with the same wrk command as bench/http (a 1 s warm-up, then
`wrk -t1 -c8 -d5s --timeout 2s --latency` on /index.html).

Stellina: the "shell" test system, its stack given its address on the command line as
bench/http's is (build/scenarios/shell: the stack, term, Stellina's httpd
on port 80) with a disk made by tools/mkdisk.sh (busybox as /bin/busybox) holding /www; the
bench types `/bin/busybox httpd -f -p 8080 -h /www &` at the shell's prompt, and forwards
the host port to 8080. busybox is Debian's busybox-static (tools/fetch_busybox.sh), forking a
child per connection as on Linux. The disk (a virtio-blk device) is the one difference in
configuration: the Linux guest serves from its initramfs.

Linux: bench/http's guest (bench/linux/net.py's initramfs), `httpd -f -p 80 -h /www`.

Metrics: stellina_busybox_httpd_rps, linux_busybox_httpd_rps (medians over opts.runs boots,
with the latency percentiles in p50_ms/p99_ms and errors), ratio_busybox_httpd_rps =
Stellina / Linux.
"""

import os
import shutil
import subprocess
import sys
import time

from bench.http import bench as http_bench
from bench.lib import http, qemu
from bench.lib.results import BUILD, REPO
from bench.shell.bench import Console

OUT = os.path.join(BUILD, "linux_httpd")
INITRD = os.path.join(OUT, "initramfs.cpio")
PRISTINE = os.path.join(OUT, "pristine.img")
IMAGE = os.path.join(OUT, "disk.img")
PAGE = os.path.join(OUT, "index.html")
MACHINE = "microvm"
MEMORY = 128
PAGE_BYTES = 4096
GUEST_PORT = 8080  # Stellina's own httpd holds 80
STELLINA = os.path.join(REPO, "build", "kernel", "stellina.elf")
SYSTEM = os.path.join(REPO, "build", "scenarios", "shell", "boot.archive")
PROGRAMS = os.path.join(REPO, "build", "programs")
BUSYBOX = os.path.join(REPO, "build", "linux", "busybox")
MKDISK = os.path.join(REPO, "tools", "mkdisk.sh")
BOOT_TIMEOUT_S = 60.0
FIRST_ANSWER_TIMEOUT_S = 30.0
WRK = dict(http_bench.WRK)


def log(msg, end="\n"):
    print(msg, end=end, file=sys.stderr, flush=True)


def make_pristine(page):
    with open(PAGE, "wb") as f:
        f.write(page)
    tmp = PRISTINE + ".tmp"
    if os.path.exists(tmp):
        os.remove(tmp)
    r = subprocess.run([MKDISK, tmp, PROGRAMS], capture_output=True, text=True,
                       env=dict(os.environ, BUSYBOX=BUSYBOX))
    if r.returncode != 0:
        raise SystemExit(f"linux_httpd: mkdisk.sh failed:\n{r.stderr.strip()}")
    r = subprocess.run(["debugfs", "-w", "-f", "-", tmp], capture_output=True, text=True,
                       input=f'mkdir /www\nwrite "{PAGE}" /www/index.html\n')
    if r.returncode != 0:
        raise SystemExit(f"linux_httpd: debugfs failed:\n{r.stderr.strip()}")
    os.replace(tmp, PRISTINE)


def measure(port):
    url = f"http://127.0.0.1:{port}/index.html"
    http.wrk(url, **{**WRK, "seconds": http_bench.WARMUP_S})
    return http.wrk(url, **WRK)


def stellina_run():
    shutil.copyfile(PRISTINE, IMAGE)
    port = http.free_port()
    disk = ["-device", "virtio-blk-device,drive=disk",
            "-drive", f"if=none,id=disk,file={IMAGE},format=raw"]
    net = qemu.user_net(MACHINE, {port: GUEST_PORT})
    cmd = qemu.qemu_cmd(MACHINE, STELLINA, qemu.STELLINA_STATIC_ADDRESS, initrd=SYSTEM, memory=MEMORY, extra=net + disk)
    console = Console(cmd, os.path.join(OUT, "stellina.log"))
    try:
        if not console.wait_for(b"$ ", BOOT_TIMEOUT_S):
            raise SystemExit(f"linux_httpd: Stellina gave no prompt:\n{console.text()[-2000:]}")
        console.type(f"/bin/busybox httpd -f -p {GUEST_PORT} -h /www &\r")
        start = time.monotonic()
        hit = http.first_200(port, start, start + FIRST_ANSWER_TIMEOUT_S,
                             alive=lambda: console.proc.poll() is None)
        if hit.ms is None:
            raise SystemExit("linux_httpd: busybox httpd under Stellina never answered:\n"
                             f"{console.text()[-2000:]}")
        return measure(port)
    finally:
        console.close()


def linux_run():
    for _ in range(http_bench.LINUX_ATTEMPTS):
        port = http.free_port()
        with qemu.Background(http_bench.linux_command(MEMORY, port)) as g:
            hit = http.first_200(port, g.start, g.start + http_bench.BOOT_TIMEOUT_S, alive=g.alive)
            if hit.ms is not None:
                return measure(port)
    raise SystemExit("linux_httpd: the Linux guest never answered")


def run(rec, opts):
    os.makedirs(OUT, exist_ok=True)
    for path in (STELLINA, SYSTEM, BUSYBOX):
        if not os.path.exists(path):
            raise SystemExit(f"linux_httpd: {os.path.relpath(path, REPO)} is missing; build first")
    page = http_bench.generated_page(PAGE_BYTES)
    make_pristine(page)
    http_bench.prepare.prepare()
    http_bench.net.build_initramfs(http_bench.INITRD, www={"index.html": page})
    results = {"stellina": [], "linux": []}
    log(f"linux_httpd: {MACHINE} -m {MEMORY}, {opts.runs} runs, alternating ", end="")
    for _ in range(opts.runs):
        results["stellina"].append(stellina_run())
        results["linux"].append(linux_run())
        log(".", end="")
    log("")
    common = {"machine": MACHINE, "memory_mib": MEMORY, "page_bytes": len(page),
              "host_load": http.load_average(),
              "wrk": f"wrk -t{WRK['threads']} -c{WRK['connections']} -d{WRK['seconds']}s --latency"}
    for side, runs in results.items():
        rec.samples(f"{side}_busybox_httpd_rps", [w.rps for w in runs], "req/s",
                    errors=sum(w.errors for w in runs), requests=sum(w.requests for w in runs),
                    p50_ms=sorted(w.p50_ms for w in runs)[len(runs) // 2],
                    p99_ms=sorted(w.p99_ms for w in runs)[len(runs) // 2], **common)
    rec.ratio("ratio_busybox_httpd_rps", "stellina_busybox_httpd_rps", "linux_busybox_httpd_rps")
