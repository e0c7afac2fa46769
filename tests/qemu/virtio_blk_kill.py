#!/usr/bin/env python3
"""The block driver killed mid-stream: boots the "drivers_stress" test system (device
manager, virtio-blk driver, blkstress client) on microvm with a scratch disk image of zeros,
lets blkstress keep reads and writes in flight through the bulk path (a folio it attached),
kills the driver from the console while requests are in flight, and checks in the log that
the client saw its channel close with requests lost (no hang), that the driver was
restarted once and reset the device, that the client attached its folio again and that its
later requests succeeded and read back what it wrote. After QEMU exits, the image must hold
data in the part of the disk blkstress uses and zeros everywhere else.

usage: virtio_blk_kill.py QEMU_RUN KERNEL ARCHIVE WORKDIR
"""
import os
import subprocess
import sys

SECTORS = 16384  # 8 MiB
USED = 8192      # blkstress uses the first 4 MiB
# QEMU holds each request back so the disk does this many a second: requests then spend
# most of their time in the device, and the kill finds some there. Unthrottled, the device
# sometimes had answered all of them and the client not yet read the answers.
IOPS = 400


def main():
    qemu_run, kernel, archive, workdir = sys.argv[1:5]
    os.makedirs(workdir, exist_ok=True)
    image = os.path.join(workdir, "scratch.img")
    with open(image, "wb") as f:
        f.truncate(SECTORS * 512)
    r = subprocess.run([
        sys.executable, qemu_run, "--machine", "microvm", "--kernel", kernel, "--initrd", archive,
        "--qemu-arg=-global", "--qemu-arg=virtio-mmio.force-legacy=false",
        "--qemu-arg=-device", "--qemu-arg=virtio-blk-device,drive=disk",
        "--qemu-arg=-drive",
        f"--qemu-arg=if=none,id=disk,file={image},format=raw,throttling.iops-total={IOPS}",
        "--timeout", "60", "--status", "0", "--prompt", "stellina> ",
        "--input-after", r"blkstress\] 100 requests verified$", "--input", "ctl kill virtio-blk",
        "--input-after", r"blkstress\] 200 requests verified after the restart",
        "--input", "ctl list", "--input", "shutdown",
        "--expect", r"virtio-blk\] disk of 16384 sectors \(8192 KiB\)",
        "--expect", r"blkstress\] folio of 144 KiB attached: status 0$",
        "--expect", r"blkstress\] 100 requests verified$",
        "--expect", r"startup\] virtio-blk ended: killed",
        "--expect", r"startup\] started virtio-blk",
        "--expect", r"virtio-blk\] disk of 16384 sectors",
        "--expect", r"blkstress\] folio of 144 KiB attached: status 0$",
        "--expect", r"blkstress\] 200 requests verified after the restart \([1-9][0-9]* sectors matched",
        "--contains", r"blkstress\] block channel closed: [1-9][0-9]* requests in flight lost",
        "--contains", r"startup\] virtio-blk restarted \(restart 1\)",
        "--contains", r"^virtio-blk +running +user +[0-9]+ +1 ",
        "--reject", "MISMATCH",
        "--expect", "power: shutting down"])
    if r.returncode:
        return r.returncode
    with open(image, "rb") as f:
        data = f.read()
    if data[USED * 512:] != bytes(len(data) - USED * 512):
        print("virtio_blk_kill: sectors past the part blkstress uses were written")
        return 1
    if data[:USED * 512] == bytes(USED * 512):
        print("virtio_blk_kill: nothing blkstress wrote reached the image")
        return 1
    print("virtio_blk_kill: the image holds data where blkstress wrote and zeros elsewhere")
    return 0


if __name__ == "__main__":
    sys.exit(main())
