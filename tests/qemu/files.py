#!/usr/bin/env python3
"""Files end to end: makes an ext2 disk image with the host's mke2fs, boots the "files" test
system (the VFS, ext2 on a virtio-blk disk at /, ramfs at /tmp, the boot archive at /boot,
procfs at /proc, and filetest driving them) twice on the same image, and checks what filetest
logs: every operation on /tmp and on the disk, confinement of '..' and links, and its boot
count, which the second boot must read back from the disk. After QEMU exits, the host's
e2fsck must find nothing to complain about and debugfs must read the count back.

usage: files.py QEMU_RUN KERNEL ARCHIVE WORKDIR
"""
import os
import re
import shutil
import subprocess
import sys
import time

DEVICE = ["--qemu-arg=-global", "--qemu-arg=virtio-mmio.force-legacy=false",
          "--qemu-arg=-device", "--qemu-arg=virtio-blk-device,drive=disk"]


def steps(root):
    return [
        rf"filetest\] {root}: write 100000 bytes: ok",
        rf"filetest\] {root}: read back: matches",
        r"filetest\] rename: ok",
        r"filetest\] open the old name: not found",
        r"filetest\] mkdir: ok",
        r"filetest\] mkdir again: exists",
        r"filetest\] create inside: ok",
        r"filetest\] rmdir a full directory: not empty",
        r"filetest\] unlink inside: ok",
        r"filetest\] rmdir: ok",
        r"filetest\] unlink: ok",
    ]


def boot(qemu_run, kernel, archive, image, n):
    expect = [r"ext2\] mounted the disk \(65536 sectors\)"]
    if n == 1:
        expect += steps("/tmp") + steps("/home") + [
            r"filetest\] escape: stays inside", r"filetest\] unlink a mount point: busy"]
    expect += [rf"filetest\] boot {n}: ok", r"filetest\] modified after 2020: yes",
               r"filetest\] done", "power: shutting down"]
    args = [sys.executable, qemu_run, "--machine", "microvm", "--kernel", kernel,
            "--initrd", archive, *DEVICE,
            "--qemu-arg=-drive", f"--qemu-arg=if=none,id=disk,file={image},format=raw",
            "--timeout", "60", "--status", "0", "--prompt", "stellina> ",
            "--input-after", r"filetest\] (done|no root)", "--input", "shutdown",
            "--reject", r"filetest\] no root"]
    for e in expect:
        args += ["--expect", e]
    return subprocess.run(args).returncode


def main():
    qemu_run, kernel, archive, workdir = sys.argv[1:5]
    shutil.rmtree(workdir, ignore_errors=True)
    tree = os.path.join(workdir, "tree")
    os.makedirs(os.path.join(tree, "home"))
    os.makedirs(os.path.join(tree, "etc"))
    with open(os.path.join(tree, "etc", "motd"), "w") as f:
        f.write("Welcome to Stellina\n")
    image = os.path.join(workdir, "disk.img")
    with open(image, "wb") as f:
        f.truncate(32 << 20)
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext2", "-b", "4096", "-d", tree, image],
                   check=True)
    for n in (1, 2):
        if boot(qemu_run, kernel, archive, image, n):
            return 1
    fsck = subprocess.run(["e2fsck", "-fn", image], capture_output=True, text=True)
    complaints = [line for line in fsck.stdout.splitlines()
                  if not line.startswith(("Pass ", "e2fsck ")) and "files (" not in line]
    if fsck.returncode or complaints:
        print(f"files: e2fsck exit {fsck.returncode}:\n{fsck.stdout}{fsck.stderr}")
        return 1
    cat = subprocess.run(["debugfs", "-R", "cat /home/boots", image], capture_output=True,
                         text=True)
    if cat.stdout != "2\n":
        print(f"files: debugfs reads /home/boots as {cat.stdout!r}, not '2\\n'")
        return 1
    # The file's times are the guest's wall clock, which follows the host's (QEMU's RTC).
    stat = subprocess.run(["debugfs", "-R", "stat /home/boots", image], capture_output=True,
                          text=True).stdout
    m = re.search(r"mtime: 0x([0-9a-f]+)", stat)
    if not m or abs(int(m.group(1), 16) - time.time()) > 600:
        print(f"files: /home/boots's mtime is not the host's time:\n{stat}")
        return 1
    print("files: two boots on one disk; e2fsck and debugfs agree; times are the wall clock's")
    return 0


if __name__ == "__main__":
    sys.exit(main())
