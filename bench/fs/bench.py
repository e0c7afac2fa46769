"""Files: a 64 MiB file written and read, 1,000 small files, on ext2 over virtio-blk, on microvm.

Both systems get the same QEMU machine (-M microvm -m 128, one vCPU, TCG, virtio-mmio version
2 with -global virtio-mmio.force-legacy=false) and the same kind of disk: build/bench/fs/
disk.img, a raw 128 MiB image formatted by the host's `mke2fs -t ext2 -b 4096` before every
pair of boots, attached as `-device virtio-blk-device -drive if=none,format=raw` with QEMU's
default cache mode.

Each run is two boots of each system on its own fresh image:

1. The image is fresh: the benchmark writes /fsbench.dat, 64 MiB in requests of 1 MiB, and
   syncs it (seq_write: the time includes the sync); then it creates 1,000 empty files in
   /fsbench.d, stats each, and unlinks each (files: one time for the whole cycle).
2. A fresh boot on the same image, so nothing of the file is cached: it reads the file back
   in requests of 1 MiB (seq_read), checking the offset stamped at the start of each MiB.

Stellina: the "fsbench" test system (tests/system: the VFS, ext2 on the virtio-blk disk, and
bench/fs/fsbench), which moves the data through a folio attached to the open file
(WriteFolio / ReadFolio) and logs

    [fsbench] seq_write: 67108864 bytes in 812345 us (82611 KB/s)
    [fsbench] files: 1000 files in 912345 us (create 500000 us, stat 200000 us, unlink 212345 us)

After its first boot the host's `e2fsck -fn` must find the image clean.

Linux: bench/fs/linux_fs.c on the Debian guest, which mounts the image with `mount -t ext2`
(the ext4 driver) and does the same with write()/fsync()/read() of 1 MiB, open(O_CREAT),
stat() and unlink(), printing the same lines.

MB/s are 10^6 bytes per second of wall time inside the guest (the guest clocks follow the
host's under TCG); files/s is 1,000 over the whole create+stat+unlink cycle. The recorded
value is the median over opts.runs runs. Metrics: {stellina,linux}_fs_seq_write_MBps,
{stellina,linux}_fs_seq_read_MBps, {stellina,linux}_fs_create_per_s (with the median time
of each operation class as the fields create_us, stat_us, unlink_us).
"""

import os
import re
import statistics
import subprocess
import sys

from bench.lib import qemu
from bench.lib.results import BUILD, REPO
from bench.linux import guest, prepare

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(BUILD, "fs")
IMAGE = os.path.join(OUT, "disk.img")
IMAGE_MIB = 128
FILE_BYTES = 64 << 20
CHUNK_BYTES = 1 << 20
SMALL_FILES = 1000
SOURCE = os.path.join(HERE, "linux_fs.c")
PROGRAM = os.path.join(OUT, "linux_fs")
INITRD = os.path.join(OUT, "initramfs.cpio")

MACHINE = "microvm"
STELLINA = os.path.join(REPO, "build", "kernel", "stellina.elf")
SYSTEM = os.path.join(REPO, "build", "scenarios", "fsbench", "boot.archive")
STELLINA_DONE = "[fsbench] done"
LINUX_DONE = "fs: done"
TIMEOUT = 300.0

SEQ = re.compile(r"(seq_write|seq_read): (\d+) bytes in (\d+) us")
FILES = re.compile(r"files: (\d+) files in (\d+) us \(create (\d+) us, stat (\d+) us, "
                   r"unlink (\d+) us\)")

# The same disk for both: virtio 1.x over virtio-mmio, QEMU's default cache mode.
DISK = ["-global", "virtio-mmio.force-legacy=false", "-device", "virtio-blk-device,drive=disk",
        "-drive", f"if=none,id=disk,file={IMAGE},format=raw"]

# The Linux guest's /init: the virtio and virtio-blk modules, then ext4 (which mounts ext2:
# Debian builds it with CONFIG_EXT4_USE_FOR_EXT2 and no ext2 driver) and what it needs, in
# dependency order (crc32c, which ext4 asks the crypto API for at every mount); then the benchmark on the mounted image, and an unmount that writes
# back what it left dirty before the marker.
MODULES = ["kernel/drivers/virtio/virtio_ring.ko", "kernel/drivers/virtio/virtio.ko",
           "kernel/drivers/virtio/virtio_mmio.ko", "kernel/drivers/block/virtio_blk.ko",
           "kernel/crypto/crc32c_generic.ko", "kernel/lib/crc16.ko", "kernel/fs/mbcache.ko", "kernel/fs/jbd2/jbd2.ko",
           "kernel/fs/ext4/ext4.ko"]
INIT_SCRIPT = """#!/bin/sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev
for m in {modules}; do /bin/busybox insmod /lib/modules/$m || echo "fs: error insmod $m"; done
n=0
while [ ! -b /dev/vda ] && [ $n -lt 50 ]; do /bin/busybox sleep 0.1; n=$((n + 1)); done
/bin/busybox mkdir -p /mnt
if /bin/busybox mount -t ext2 /dev/vda /mnt; then
  /bin/linux_fs /mnt || echo "fs: error linux_fs exit status $?"
  /bin/busybox umount /mnt || echo "fs: error umount"
  echo "{done}"
else
  echo "fs: error mount -t ext2"
fi
/bin/busybox poweroff -f
"""


def log(msg, end="\n"):
    print(msg, end=end, file=sys.stderr, flush=True)


def make_image():
    """A fresh ext2 image, as tests/qemu/files.py makes one (4 KiB blocks)."""
    os.makedirs(OUT, exist_ok=True)
    with open(IMAGE, "wb") as f:
        f.truncate(IMAGE_MIB << 20)
    try:
        subprocess.run(["mke2fs", "-q", "-F", "-t", "ext2", "-b", "4096", IMAGE], check=True,
                       capture_output=True)
    except FileNotFoundError:
        raise SystemExit("fs: mke2fs not found (apt-get install e2fsprogs)")
    except subprocess.CalledProcessError as e:
        raise SystemExit(f"fs: mke2fs failed: {e.stderr.decode(errors='replace').strip()}")


def parse(output, who, expect):
    """{figure: value} from one boot's lines: MB/s for seq_*, and for files the rate and the
    time of each operation class."""
    got = {}
    for name, size, us in SEQ.findall(output):
        got[name] = int(size) / max(int(us), 1)
    m = FILES.search(output)
    if m:
        count, total, create, stat, unlink = (int(x) for x in m.groups())
        got["create_per_s"] = count * 1e6 / max(total, 1)
        got.update(create_us=create, stat_us=stat, unlink_us=unlink)
    missing = [e for e in expect if e not in got]
    if missing:
        tail = "\n".join(output.splitlines()[-20:])
        raise SystemExit(f"fs: {who} printed no figure for {', '.join(missing)}:\n{tail}")
    return got


def fsck():
    r = subprocess.run(["e2fsck", "-fn", IMAGE], capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"fs: e2fsck finds the image Stellina wrote unclean:\n{r.stdout}")


def stellina_boot(who, expect):
    cmd = qemu.qemu_cmd(MACHINE, STELLINA, "", initrd=SYSTEM, extra=DISK)
    run = qemu.timed_run(cmd, [STELLINA_DONE], timeout=TIMEOUT, stop_when_marked=True)
    if "[fsbench] failed" in run.output or STELLINA_DONE not in run.marks:
        tail = "\n".join(run.output.splitlines()[-20:])
        raise SystemExit(f"fs: Stellina's {who} boot failed:\n{tail}")
    return parse(run.output, f"Stellina ({who})", expect)


def stellina_run():
    make_image()
    got = stellina_boot("first", ("seq_write", "create_per_s"))
    fsck()
    got.update(stellina_boot("second", ("seq_read",)))
    return got


def build_linux():
    os.makedirs(OUT, exist_ok=True)
    if not (os.path.exists(PROGRAM) and os.path.getmtime(PROGRAM) >= os.path.getmtime(SOURCE)):
        cmd = ["gcc", "-static", "-O2", "-Wall", "-Wextra", "-o", PROGRAM + ".tmp", SOURCE]
        try:
            r = subprocess.run(cmd, capture_output=True, text=True)
        except FileNotFoundError:
            raise SystemExit("fs: gcc not found (apt-get install gcc libc6-dev)")
        if r.returncode != 0:
            raise SystemExit(f"fs: {' '.join(cmd)} failed:\n{r.stderr.strip()}")
        os.replace(PROGRAM + ".tmp", PROGRAM)
    prepare.prepare()
    files = {"bin/linux_fs": PROGRAM}
    for m in MODULES:
        files[f"lib/modules/{m}"] = os.path.join(prepare.modules_dir(), m)
    init = INIT_SCRIPT.format(modules=" ".join(MODULES), done=LINUX_DONE)
    prepare.build_initramfs(INITRD, init=init, files=files)


def linux_boot(who, expect):
    run, retries = guest.boot(MACHINE, markers=(LINUX_DONE,), timeout=TIMEOUT, initrd=INITRD,
                              extra=DISK)
    errors = re.findall(r"fs: error.*", run.output)
    if errors or not run.ok([LINUX_DONE]):
        tail = "\n".join(run.output.splitlines()[-20:])
        raise SystemExit(f"fs: the Linux guest's {who} boot failed ({retries} retries): "
                         f"{errors}\n{tail}")
    return parse(run.output, f"Linux ({who})", expect), retries


def linux_run():
    make_image()
    got, retries = linux_boot("first", ("seq_write", "create_per_s"))
    read, more = linux_boot("second", ("seq_read",))
    got.update(read)
    return got, retries + more


def record(rec, system, runs, **extra):
    for name in ("seq_write", "seq_read"):
        rec.samples(f"{system}_fs_{name}_MBps", [r[name] for r in runs], "MB/s", digits=2,
                    **extra)
    classes = {f"{c}_us": round(statistics.median([r[f"{c}_us"] for r in runs]))
               for c in ("create", "stat", "unlink")}
    rec.samples(f"{system}_fs_create_per_s", [r["create_per_s"] for r in runs], "files/s",
                digits=0, **classes, **extra)


def table(stellina, linux):
    rows = [("seq_write + fsync (MB/s)", "seq_write", 1), ("seq_read, cold (MB/s)", "seq_read", 1),
            ("create+stat+unlink (files/s)", "create_per_s", 0)]
    lines = ["", f"{'':30} {'Stellina':>10} {'Linux':>10} {'Stellina/Linux':>15}"]
    for label, key, digits in rows:
        s = statistics.median([r[key] for r in stellina])
        line = f"{label:30} {s:>10.{digits}f}"
        if linux:
            li = statistics.median([r[key] for r in linux])
            line += f" {li:>10.{digits}f} {s / li if li else 0:>15.2f}"
        lines.append(line)
    log("\n".join(lines))


def run(rec, opts):
    for path in (STELLINA, SYSTEM):
        if not os.path.exists(path):
            raise SystemExit(f"fs: {os.path.relpath(path, REPO)} is missing; build first (make)")
    # host_load: the host's 1-minute load average when the series started.
    common = {"machine": MACHINE, "file_bytes": FILE_BYTES, "request_bytes": CHUNK_BYTES,
              "files": SMALL_FILES, "image_mib": IMAGE_MIB,
              "host_load": round(os.getloadavg()[0], 2)}
    linux_ok = True
    try:
        build_linux()
    except SystemExit as e:
        log(f"fs: NOTE: no Linux side: {e}")
        linux_ok = False
    stellina, linux, retries = [], [], 0
    log(f"fs: {MACHINE}, {opts.runs} runs of two boots each, alternating ", end="")
    for _ in range(opts.runs):
        stellina.append(stellina_run())
        if linux_ok:
            figures, failed = linux_run()
            linux.append(figures)
            retries += failed
        log(".", end="")
    log("")
    record(rec, "stellina", stellina, **common)
    if linux:
        record(rec, "linux", linux, hung_retries=retries, linux=prepare.kernel_version(),
               **common)
    table(stellina, linux)
