"""The shell: starting a program and waiting for it, and a pipeline's throughput, Stellina's
sh against busybox sh on the Debian Linux guest, on microvm.

Both guests run in the same QEMU configuration: -M microvm, TCG, -m 256, -smp 1 (with 128
MiB the Debian kernel leaves its guest about 82, too little to hold the 64 MiB file in
memory). Both run the same script, bench/shell/shell_bench.sh, under their own sh:

  spawn_wait  1,000 turns of `while [ $i -lt 1000 ]; do /bin/true; i=$((i + 1)); done` (the
              program /bin/true, not the builtin), less 1,000 turns of the same loop doing
              nothing, over 1,000: microseconds from starting a program to seeing it end.
  pipe        `bytes=$(cat FILE | wc -c)` on a 64 MiB file, after one such run to warm the
              caches, less the cost of reading the clock: MB/s (10^6 bytes a second).

Times are the guest's wall clock, read in the guest (under TCG the guests' clocks follow the
host's): Stellina's `date +%s%N`, busybox sh's $EPOCHREALTIME (microseconds). A reading by
date costs a program's start: that cancels out of spawn_wait and is taken out of pipe.

Stellina: the "shell" test system (term runs /bin/sh -i on the serial console) with a disk
made by tools/mkdisk.sh (IMAGE_MIB, the programs in /bin), to which the host adds the script
and the 64 MiB file (/bench/big.dat, random bytes, on ext2); a fresh copy of that image for
every boot. The benchmark types `sh /bench/shell_bench.sh 1000 /bench/big.dat` at the prompt.
cat reads the file in messages of about 4 KiB, which ext2 serves through its block cache
(1 MiB, so it cannot hold the file): every pass reads the whole file from the virtio-blk
device, a block a request, and the device's image is in the host's page cache after the
warm-up.

Linux: the baseline guest (bench/linux) with an /init that installs busybox's applets as
symbolic links in /bin (so /bin/true, /bin/cat and /bin/wc are busybox, started by fork and
exec), writes the 64 MiB file into its root file system (the initramfs: memory, no disk) from
/dev/urandom, and runs the script with busybox sh.

Metrics: stellina_spawn_wait_us, linux_spawn_wait_us (with the loop's own cost per turn,
loop_us, and the clock reading's, clock_us), stellina_pipe_MBps, linux_pipe_MBps; medians
over opts.runs boots of each (alternating). ratio_spawn_wait = Linux / Stellina and
ratio_pipe = Stellina / Linux: above 1, Stellina is faster.
"""

import os
import random
import re
import select
import shutil
import subprocess
import sys
import time

from bench.lib import qemu
from bench.lib.results import BUILD, REPO
from bench.linux import guest, prepare

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(BUILD, "shell")
SCRIPT = os.path.join(HERE, "shell_bench.sh")
DATA = os.path.join(OUT, "big.dat")
PRISTINE = os.path.join(OUT, "pristine.img")
IMAGE = os.path.join(OUT, "disk.img")
INITRD = os.path.join(OUT, "initramfs.cpio")

MACHINE = "microvm"
MEMORY = 256
SMP = ["-smp", "1"]
COUNT = 1000
FILE_BYTES = 64 << 20
IMAGE_MIB = 256

STELLINA = os.path.join(REPO, "build", "kernel", "stellina.elf")
SYSTEM = os.path.join(REPO, "build", "scenarios", "shell", "boot.archive")
PROGRAMS = os.path.join(REPO, "build", "programs")
MKDISK = os.path.join(REPO, "tools", "mkdisk.sh")
DISK = ["-global", "virtio-mmio.force-legacy=false", "-device", "virtio-blk-device,drive=disk",
        "-drive", f"if=none,id=disk,file={IMAGE},format=raw"]

FIGURES = re.compile(r"shell-bench: clock=(-?\d+) empty=(-?\d+) true=(-?\d+) pipe=(-?\d+) "
                     r"bytes=\s*(\d+)\s*warm=\s*(\d+)")
DONE = "shell-bench: done"
PROMPT = b"$ "
BOOT_TIMEOUT_S = 60.0
RUN_TIMEOUT_S = 900.0

LINUX_INIT = """#!/bin/sh
bb=/bin/busybox
$bb mount -t proc proc /proc
$bb mount -t devtmpfs devtmpfs /dev
$bb --install -s /bin 2>/dev/null
$bb dd if=/dev/urandom of=/big.dat bs=1048576 count={mib} 2>/dev/null || echo "shell-bench: error dd"
cd /
/bin/sh /shell_bench.sh {count} /big.dat || echo "shell-bench: error status $?"
$bb poweroff -f
"""


def log(msg, end="\n"):
    print(msg, end=end, file=sys.stderr, flush=True)


def tail(text, lines=20):
    return "\n".join(text.splitlines()[-lines:])


def parse(output, who):
    """{empty, true, clock, pipe (us), bytes} from a boot's output."""
    m = FIGURES.search(output)
    if not m or DONE not in output:
        raise SystemExit(f"shell: {who} printed no figures:\n{tail(output)}")
    clock, empty, true, pipe, count, warm = (int(x) for x in m.groups())
    if count != FILE_BYTES or warm != FILE_BYTES:
        raise SystemExit(f"shell: {who}: wc -c counted {warm} then {count} bytes, not "
                         f"{FILE_BYTES}:\n{tail(output)}")
    return {"spawn_wait_us": (true - empty) / COUNT, "loop_us": empty / COUNT, "clock_us": clock,
            "pipe_MBps": FILE_BYTES / max(pipe - clock, 1)}


# --- Stellina -------------------------------------------------------------------------

def make_data():
    """FILE_BYTES of random bytes (none of them whole zero blocks, which debugfs would leave
    as holes), made once."""
    if os.path.exists(DATA) and os.path.getsize(DATA) == FILE_BYTES:
        return
    os.makedirs(OUT, exist_ok=True)
    rng = random.Random(1)
    with open(DATA + ".tmp", "wb") as f:
        for _ in range(FILE_BYTES >> 20):
            f.write(rng.randbytes(1 << 20))
    os.replace(DATA + ".tmp", DATA)


def make_pristine():
    """The image every Stellina boot starts from: mkdisk's, with /bench/shell_bench.sh and
    /bench/big.dat."""
    make_data()
    for path in (PRISTINE, PRISTINE + ".tmp"):
        if os.path.exists(path):
            os.remove(path)
    tmp = PRISTINE + ".tmp"
    r = subprocess.run([MKDISK, "-s", str(IMAGE_MIB), tmp, PROGRAMS], capture_output=True,
                       text=True)
    if r.returncode != 0:
        raise SystemExit(f"shell: mkdisk.sh failed:\n{r.stderr.strip()}")
    commands = "mkdir /bench\n" \
               f'write "{SCRIPT}" /bench/shell_bench.sh\n' \
               f'write "{DATA}" /bench/big.dat\n'
    r = subprocess.run(["debugfs", "-w", "-f", "-", tmp], input=commands, capture_output=True,
                       text=True)
    if r.returncode != 0:
        raise SystemExit(f"shell: debugfs failed:\n{r.stderr.strip()}")
    # debugfs says what failed on stderr but exits 0: check what it wrote.
    r = subprocess.run(["debugfs", "-R", "stat /bench/big.dat", tmp], capture_output=True,
                       text=True)
    if f"Size: {FILE_BYTES}" not in r.stdout:
        raise SystemExit(f"shell: /bench/big.dat not written to the image:\n{r.stdout}{r.stderr}")
    os.replace(tmp, PRISTINE)


class Console:
    """A booted guest's serial console: what it printed, and typing at it."""

    def __init__(self, cmd, log_path):
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, bufsize=0)
        self.output = b""
        self.log = open(log_path, "wb")

    def wait_for(self, marker, timeout, since=0):
        """Reads until marker (bytes) appears past offset `since`; False on timeout or exit."""
        deadline = time.monotonic() + timeout
        while self.output.find(marker, since) < 0:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            ready, _, _ = select.select([self.proc.stdout], [], [], min(left, 1.0))
            if not ready:
                continue
            chunk = os.read(self.proc.stdout.fileno(), 65536)
            if not chunk:
                return False
            self.output += chunk
            self.log.write(chunk)
            self.log.flush()
        return True

    def type(self, text):
        self.proc.stdin.write(text.encode())
        self.proc.stdin.flush()

    def text(self):
        return self.output.decode(errors="replace").replace("\r", "")

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.log.close()


def stellina_run():
    shutil.copyfile(PRISTINE, IMAGE)
    cmd = qemu.qemu_cmd(MACHINE, STELLINA, "", initrd=SYSTEM, memory=MEMORY, extra=SMP + DISK)
    console = Console(cmd, os.path.join(OUT, "stellina.log"))
    try:
        if not console.wait_for(PROMPT, BOOT_TIMEOUT_S):
            raise SystemExit(f"shell: Stellina gave no prompt within {BOOT_TIMEOUT_S:.0f} s:\n"
                             f"{tail(console.text())}")
        typed = len(console.output)
        console.type(f"sh /bench/shell_bench.sh {COUNT} /bench/big.dat\r")
        if not console.wait_for(DONE.encode(), RUN_TIMEOUT_S, typed):
            raise SystemExit(f"shell: Stellina did not finish within {RUN_TIMEOUT_S:.0f} s:\n"
                             f"{tail(console.text())}")
        return parse(console.output[typed:].decode(errors="replace"), "Stellina")
    finally:
        console.close()


# --- Linux ----------------------------------------------------------------------------

def build_linux():
    prepare.prepare()
    init = LINUX_INIT.format(mib=FILE_BYTES >> 20, count=COUNT)
    prepare.build_initramfs(INITRD, init=init, files={"shell_bench.sh": SCRIPT})


def linux_run():
    run, retries = guest.boot(MACHINE, markers=(DONE,), timeout=RUN_TIMEOUT_S, initrd=INITRD,
                              memory=MEMORY, extra=SMP)
    with open(os.path.join(OUT, "linux.log"), "w") as f:
        f.write(run.output)
    errors = re.findall(r"shell-bench: error.*", run.output)
    if errors or not run.ok([DONE]):
        raise SystemExit(f"shell: the Linux guest failed ({retries} retries): {errors}\n"
                         f"{tail(run.output)}")
    return parse(run.output, "Linux"), retries


# --- The figures ----------------------------------------------------------------------

def record(rec, system, runs, **extra):
    median = lambda key: sorted(r[key] for r in runs)[len(runs) // 2]
    rec.samples(f"{system}_spawn_wait_us", [r["spawn_wait_us"] for r in runs], "us", digits=1,
                loop_us=round(median("loop_us"), 1), clock_us=median("clock_us"), **extra)
    rec.samples(f"{system}_pipe_MBps", [r["pipe_MBps"] for r in runs], "MB/s", digits=1,
                **extra)


def table(rec):
    rows = [("start /bin/true and wait (us)", "spawn_wait_us"), ("cat | wc -c, 64 MiB (MB/s)",
                                                                  "pipe_MBps")]
    lines = ["", f"{'':32} {'Stellina':>10} {'Linux':>10}"]
    for label, key in rows:
        s, li = rec.get(f"stellina_{key}")["value"], rec.get(f"linux_{key}")["value"]
        lines.append(f"{label:32} {s:>10.1f} {li:>10.1f}")
    log("\n".join(lines))


def run(rec, opts):
    for path in (STELLINA, SYSTEM, os.path.join(PROGRAMS, "sh"), os.path.join(PROGRAMS, "true")):
        if not os.path.exists(path):
            raise SystemExit(f"shell: {os.path.relpath(path, REPO)} is missing; build first (make)")
    for tool in ("debugfs", "mke2fs"):
        if not shutil.which(tool):
            raise SystemExit(f"shell: {tool} not found (apt-get install e2fsprogs)")
    os.makedirs(OUT, exist_ok=True)
    make_pristine()
    build_linux()
    common = {"machine": MACHINE, "memory_mib": MEMORY, "count": COUNT, "file_bytes": FILE_BYTES,
              "host_load": round(os.getloadavg()[0], 2)}
    stellina, linux, retries = [], [], 0
    log(f"shell: {MACHINE}, {opts.runs} boots of each, alternating ", end="")
    for _ in range(opts.runs):
        stellina.append(stellina_run())
        figures, failed = linux_run()
        linux.append(figures)
        retries += failed
        log(".", end="")
    log("")
    record(rec, "stellina", stellina, image_mib=IMAGE_MIB, **common)
    record(rec, "linux", linux, hung_retries=retries, linux=prepare.kernel_version(), **common)
    rec.ratio("ratio_spawn_wait", "linux_spawn_wait_us", "stellina_spawn_wait_us")
    rec.ratio("ratio_pipe", "stellina_pipe_MBps", "linux_pipe_MBps")
    table(rec)
