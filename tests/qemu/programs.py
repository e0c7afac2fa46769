#!/usr/bin/env python3
"""Programs from files end to end: makes an ext2 disk image with the host's mke2fs holding
the programs (build/programs: echo, uname, cat, crash, hog) in /bin and /etc/motd, boots the
"programs" test system (the file servers and runner, whose silo mounts only the disk), and
checks every line runner logs: what each program wrote on stdout and stderr, its exit (a
code, a fault, a quota death), the spawn errors (not found, not an ELF, a directory, a bad
environment, too many arguments), and that a program sees its starter's tree and no more.

usage: programs.py QEMU_RUN KERNEL ARCHIVE PROGRAMS_DIR WORKDIR
"""
import os
import re
import shutil
import subprocess
import sys

DEVICE = ["--qemu-arg=-global", "--qemu-arg=virtio-mmio.force-legacy=false",
          "--qemu-arg=-device", "--qemu-arg=virtio-blk-device,drive=disk"]
PROGRAMS = ["echo", "uname", "cat", "crash", "hog"]


def ran(label, how, out="", err=""):
    """The whole line runner logs for a program that ran: how it ended, and its output."""
    return (rf"runner\] {re.escape(label)}: {re.escape(how)}, "
            rf"out \"{re.escape(out)}\", err \"{re.escape(err)}\"$")


def refused(label, status):
    return rf"runner\] {re.escape(label)}: not started: {re.escape(status)}$"


EXPECT = [
    r"ext2\] mounted the disk",
    ran("echo", "exited 0 (exit)", r"hello world\n"),
    ran("uname -n", "exited 0 (exit)", r"hi there\n"),
    ran("uname -n without env", "exited 0 (exit)", r"stellina\n"),
    ran("cat motd", "exited 0 (exit)", r"Welcome to Stellina\n"),
    ran("cat missing", "exited 1 (exit)", "", r"cat: /missing: not found\n"),
    # /boot is mounted in the system's table, but not in runner's silo's: nor in its child's.
    ran("cat outside", "exited 1 (exit)", "", r"cat: /boot/manifest: not found\n"),
    ran("cat climb", "exited 0 (exit)", r"Welcome to Stellina\n"),
    ran("cat stdin", "exited 0 (exit)", r"piped through\n"),
    ran("crash", "fault -1 (page fault)", r"about to fault\n"),
    ran("hog", "quota -1 (memory quota)"),
    refused("not a program", "invalid argument"),
    refused("no such program", "not found"),
    refused("a directory", "is a directory"),
    refused("bad env", "invalid argument"),
    refused("too many args", "too large"),
    ran("again after all that", "exited 0 (exit)", r"hello world\n"),
    r"runner\] spawn silo: status 0, 0 processes, 0 threads, limit 256 pages$",
    r"runner\] done$",
    "power: shutting down",
]


def main():
    qemu_run, kernel, archive, programs, workdir = sys.argv[1:6]
    shutil.rmtree(workdir, ignore_errors=True)
    tree = os.path.join(workdir, "tree")
    os.makedirs(os.path.join(tree, "bin"))
    os.makedirs(os.path.join(tree, "etc"))
    for name in PROGRAMS:
        shutil.copy(os.path.join(programs, name), os.path.join(tree, "bin", name))
    with open(os.path.join(tree, "etc", "motd"), "w") as f:
        f.write("Welcome to Stellina\n")
    image = os.path.join(workdir, "disk.img")
    with open(image, "wb") as f:
        f.truncate(32 << 20)
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext2", "-b", "4096", "-d", tree, image],
                   check=True)
    args = [sys.executable, qemu_run, "--machine", "microvm", "--kernel", kernel,
            "--initrd", archive, *DEVICE,
            "--qemu-arg=-drive", f"--qemu-arg=if=none,id=disk,file={image},format=raw",
            "--timeout", "90", "--status", "0", "--prompt", "stellina> ",
            "--input-after", r"runner\] (done|no /bin/echo)", "--input", "shutdown",
            "--reject", r"runner\] no /bin/echo", "--reject", r"runner\] .*did not end"]
    for e in EXPECT:
        args += ["--expect", e]
    return subprocess.run(args).returncode


if __name__ == "__main__":
    sys.exit(main())
