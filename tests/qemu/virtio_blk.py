#!/usr/bin/env python3
"""virtio-blk end to end: makes a disk image whose every sector names itself, boots the
"drivers" test system (device manager, virtio-blk driver, blkcheck client) with the image as
a virtio-mmio block device (microvm) or a virtio-pci one (q35), checks what blkcheck logs, and after QEMU exits
checks in the image file that sectors 5 and 6 hold blkcheck's pattern and every other
sector is untouched.

usage: virtio_blk.py QEMU_RUN MACHINE KERNEL ARCHIVE WORKDIR
"""
import os
import subprocess
import sys

SECTORS = 2048
DEVICE = {
    "microvm": ["--qemu-arg=-global", "--qemu-arg=virtio-mmio.force-legacy=false",
                "--qemu-arg=-device", "--qemu-arg=virtio-blk-device,drive=disk"],
    "q35": ["--qemu-arg=-device", "--qemu-arg=virtio-blk-pci,drive=disk"],
}


def sector(i):
    s = b"STELLINA SECTOR %04d" % i
    return s + bytes(512 - len(s))


def pattern():
    return bytes(b"WRITTEN BY STELLINA"[i] if i < 19 else ord("a") + i % 26 for i in range(1024))


def main():
    qemu_run, machine, kernel, archive, workdir = sys.argv[1:6]
    os.makedirs(workdir, exist_ok=True)
    image = os.path.join(workdir, "disk.img")
    with open(image, "wb") as f:
        f.write(b"".join(sector(i) for i in range(SECTORS)))
    r = subprocess.run([
        sys.executable, qemu_run, "--machine", machine, "--kernel", kernel, "--initrd", archive,
        *DEVICE[machine],
        f"--qemu-arg=-drive", f"--qemu-arg=if=none,id=disk,file={image},format=raw",
        "--timeout", "30", "--status", "0", "--prompt", "stellina> ",
        "--input-after", r"blkcheck\] read back", "--input", "shutdown",
        "--expect", r"virtio-blk\] disk of 2048 sectors \(1024 KiB\)",
        "--contains", r"blkcheck\] info: status 0, 2048 sectors",
        "--contains", r"blkcheck\] read 0\.\.6: status 0, 3584 bytes, sector 6 starts 'STELLINA SECTOR 0006'",
        "--contains", r"blkcheck\] read 100: status 0, 'STELLINA SECTOR 0100'",
        "--expect", r"blkcheck\] write 5\.\.6: status 0",
        "--expect", r"blkcheck\] flush: status 0",
        "--expect", r"blkcheck\] read back 5\.\.6: status 0, matches",
        "--expect", "power: shutting down"])
    if r.returncode:
        return r.returncode
    with open(image, "rb") as f:
        data = f.read()
    want = b"".join(sector(i) for i in range(SECTORS))
    want = want[:5 * 512] + pattern() + want[7 * 512:]
    if data != want:
        bad = [i for i in range(SECTORS) if data[i * 512:(i + 1) * 512] != want[i * 512:(i + 1) * 512]]
        print(f"virtio_blk: the image differs from what was written in sectors {bad[:10]}")
        return 1
    print("virtio_blk: the image holds the pattern in sectors 5-6 and nothing else changed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
