"""Block I/O: 4 KiB requests through Stellina's block service vs Linux's O_DIRECT, on microvm.

Both systems get the same QEMU machine (-M microvm -m 128, TCG, virtio-mmio version 2 with
-global virtio-mmio.force-legacy=false) and the same disk: build/bench/blk/disk.img, a raw
64 MiB image filled with bytes on the host (no holes), attached as
`-device virtio-blk-device -drive if=none,format=raw` with QEMU's default cache mode.

Stellina: the "blkbench" test system (tests/system: devmgr, virtio-blk, bench/blk/blkbench).
blkbench attaches a folio and runs four phases of 4096 requests of 4 KiB with 8 in flight
through the bulk path: sequential writes, sequential reads, random writes, random reads
(random blocks among the first 8192), and logs one line per phase:

    [blkbench] seq_read: 4096 x 4096 bytes in 812345 us (20164 KB/s, 5042 IOPS)

Linux: bench/blk/linux_blk.c does the same on /dev/vda with O_DIRECT, 8 threads each with
one request in flight, and prints the same lines.

Each boot gives one sample per figure; the recorded value is the median over opts.runs
boots. MB/s are 10^6 bytes per second of wall time inside the guest (the guest clocks follow
the host's under TCG). Metrics: {seq,rand}_{read,write}_{MBps,IOPS} for Stellina,
linux_{seq,rand}_{read,write}_{MBps,IOPS} for Linux, and ratio_{...}_MBps = Stellina / Linux
(above 1: Stellina is faster).
"""

import os
import re
import subprocess
import sys

from bench.lib import qemu
from bench.lib.results import BUILD, REPO
from bench.linux import guest, prepare

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(BUILD, "blk")
IMAGE = os.path.join(OUT, "disk.img")
IMAGE_BYTES = 64 << 20
SOURCE = os.path.join(HERE, "linux_blk.c")
PROGRAM = os.path.join(OUT, "linux_blk")
INITRD = os.path.join(OUT, "initramfs.cpio")

MACHINE = "microvm"
STELLINA = os.path.join(REPO, "build", "kernel", "stellina.elf")
SYSTEM = os.path.join(REPO, "build", "scenarios", "blkbench", "boot.archive")
STELLINA_DONE = "[blkbench] done"
LINUX_DONE = "blk: done"
TIMEOUT = 240.0

PHASES = ("seq_read", "seq_write", "rand_read", "rand_write")
LINE = re.compile(r"(seq_read|seq_write|rand_read|rand_write): (\d+) x (\d+) bytes in (\d+) us")

# The same disk for both: virtio 1.x over virtio-mmio, QEMU's default cache mode.
DISK = ["-global", "virtio-mmio.force-legacy=false", "-device", "virtio-blk-device,drive=disk",
        "-drive", f"if=none,id=disk,file={IMAGE},format=raw"]

# The Linux guest's /init: the virtio, virtio-mmio and virtio-blk modules in dependency order
# (Debian builds them as modules; the kernel finds microvm's virtio-mmio devices through
# ACPI), then the benchmark.
MODULES = ["kernel/drivers/virtio/virtio_ring.ko", "kernel/drivers/virtio/virtio.ko",
           "kernel/drivers/virtio/virtio_mmio.ko", "kernel/drivers/block/virtio_blk.ko"]
INIT_SCRIPT = """#!/bin/sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev
for m in {modules}; do /bin/busybox insmod /lib/modules/$m || echo "blk: error insmod $m"; done
n=0
while [ ! -b /dev/vda ] && [ $n -lt 50 ]; do /bin/busybox sleep 0.1; n=$((n + 1)); done
/bin/linux_blk || echo "blk: error linux_blk exit status $?"
/bin/busybox poweroff -f
"""


def log(msg, end="\n"):
    print(msg, end=end, file=sys.stderr, flush=True)


def make_image():
    """A fresh image with every byte allocated, so reads never hit holes on the host."""
    os.makedirs(OUT, exist_ok=True)
    block = bytes((i * 131 + 7) & 0xff for i in range(1 << 20))
    with open(IMAGE, "wb") as f:
        for _ in range(IMAGE_BYTES >> 20):
            f.write(block)


def parse(output, who):
    """{phase: (MB/s, IOPS)} from one boot's lines."""
    got = {}
    for name, count, size, us in LINE.findall(output):
        count, size, us = int(count), int(size), max(int(us), 1)
        got[name] = (count * size / us, count * 1e6 / us)
    missing = [p for p in PHASES if p not in got]
    if missing:
        tail = "\n".join(output.splitlines()[-20:])
        raise SystemExit(f"blk: {who} printed no figure for {', '.join(missing)}:\n{tail}")
    return got


def stellina_boot():
    make_image()
    cmd = qemu.qemu_cmd(MACHINE, STELLINA, "", initrd=SYSTEM, extra=DISK)
    run = qemu.timed_run(cmd, [STELLINA_DONE], timeout=TIMEOUT, stop_when_marked=True)
    if "[blkbench] failed" in run.output or STELLINA_DONE not in run.marks:
        tail = "\n".join(run.output.splitlines()[-20:])
        raise SystemExit(f"blk: Stellina's run failed:\n{tail}")
    return parse(run.output, "Stellina")


def build_linux():
    os.makedirs(OUT, exist_ok=True)
    if not (os.path.exists(PROGRAM) and os.path.getmtime(PROGRAM) >= os.path.getmtime(SOURCE)):
        cmd = ["gcc", "-static", "-O2", "-pthread", "-Wall", "-Wextra", "-o", PROGRAM + ".tmp",
               SOURCE]
        try:
            r = subprocess.run(cmd, capture_output=True, text=True)
        except FileNotFoundError:
            raise SystemExit("blk: gcc not found (apt-get install gcc libc6-dev)")
        if r.returncode != 0:
            raise SystemExit(f"blk: {' '.join(cmd)} failed:\n{r.stderr.strip()}")
        os.replace(PROGRAM + ".tmp", PROGRAM)
    prepare.prepare()
    files = {"bin/linux_blk": PROGRAM}
    for m in MODULES:
        files[f"lib/modules/{m}"] = os.path.join(prepare.modules_dir(), m)
    init = INIT_SCRIPT.format(modules=" ".join(MODULES))
    prepare.build_initramfs(INITRD, init=init, files=files)


def linux_boot():
    make_image()
    run, retries = guest.boot(MACHINE, markers=(LINUX_DONE,), timeout=TIMEOUT, initrd=INITRD,
                              extra=DISK)
    errors = re.findall(r"blk: error.*", run.output)
    if errors or not run.ok([LINUX_DONE]):
        tail = "\n".join(run.output.splitlines()[-20:])
        raise SystemExit(f"blk: the Linux guest failed ({retries} retries): {errors}\n{tail}")
    return parse(run.output, "Linux"), retries


def record(rec, prefix, runs, **extra):
    for p in PHASES:
        rec.samples(f"{prefix}{p}_MBps", [r[p][0] for r in runs], "MB/s", digits=2, **extra)
        rec.samples(f"{prefix}{p}_IOPS", [r[p][1] for r in runs], "IOPS", digits=0, **extra)


def run(rec, opts):
    for path in (STELLINA, SYSTEM):
        if not os.path.exists(path):
            raise SystemExit(f"blk: {os.path.relpath(path, REPO)} is missing; build first (make)")
    # host_load: the host's 1-minute load average when the series started; QEMU's I/O
    # threads and vCPU compete with whatever else runs there.
    common = {"machine": MACHINE, "request_bytes": 4096, "in_flight": 8, "requests": 4096,
              "host_load": round(os.getloadavg()[0], 2)}
    linux_ok = True
    try:
        build_linux()
    except SystemExit as e:
        log(f"blk: NOTE: no Linux side: {e}")
        linux_ok = False
    stellina, linux, retries = [], [], 0
    log(f"blk: {MACHINE}, {opts.runs} boots each, alternating ", end="")
    for _ in range(opts.runs):
        stellina.append(stellina_boot())
        if linux_ok:
            figures, failed = linux_boot()
            linux.append(figures)
            retries += failed
        log(".", end="")
    log("")
    record(rec, "", stellina, **common)
    if linux:
        record(rec, "linux_", linux, hung_retries=retries, linux=prepare.kernel_version(),
               **common)
        for p in PHASES:
            rec.ratio(f"ratio_{p}_MBps", f"{p}_MBps", f"linux_{p}_MBps", machine=MACHINE)
