#!/usr/bin/env python3
"""File data survives: boots the "files_durable" test system (the files system with fswriter
in place of filetest) on ext2 disk images made by mke2fs, and checks each image on the host
with debugfs and e2fsck after QEMU exits.

1. unsynced: fswriter appends to /home/unsynced and never syncs; `shutdown` at the console
   stops it (it writes one last piece as it stops), then the VFS, then ext2, which must write
   its cache back as it stops. Every byte fswriter logged is on the disk; e2fsck -fn is clean.
2. records: fswriter writes numbered records, syncing after each; `ctl kill ext2` lands in
   the middle. ext2 restarts, the VFS forgets the old server's nodes, fswriter reopens its
   file and goes on. Every record logged as synced is on the disk intact, and e2fsck -fy
   repairs whatever the kill left (exit 0 or 1). fswriter ignores Stop: `shutdown` kills it
   after its 2 s and goes on.

usage: files_durable.py QEMU_RUN KERNEL ARCHIVE WORKDIR
"""
import os
import re
import shutil
import subprocess
import sys

DEVICE = ["--qemu-arg=-global", "--qemu-arg=virtio-mmio.force-legacy=false",
          "--qemu-arg=-device", "--qemu-arg=virtio-blk-device,drive=disk"]
RECORDS, RECORD_SIZE = 120, 64


def make_image(workdir, name, mode):
    tree = os.path.join(workdir, name)
    os.makedirs(os.path.join(tree, "home"))
    os.makedirs(os.path.join(tree, "etc"))
    with open(os.path.join(tree, "etc", "fswriter"), "w") as f:
        f.write(mode + "\n")
    image = os.path.join(workdir, name + ".img")
    with open(image, "wb") as f:
        f.truncate(32 << 20)
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext2", "-b", "4096", "-d", tree, image],
                   check=True)
    return image


def boot(qemu_run, kernel, archive, image, inputs, expect):
    """Boots once; inputs are (gate regex, line) pairs. Returns (status, output)."""
    args = [sys.executable, qemu_run, "--machine", "microvm", "--kernel", kernel,
            "--initrd", archive, *DEVICE,
            "--qemu-arg=-drive", f"--qemu-arg=if=none,id=disk,file={image},format=raw",
            "--timeout", "120", "--status", "0", "--prompt", "stellina> ",
            "--reject", r"fswriter\] (no mode|records: giving up|unsynced: [^w])",
            "--reject", "did not stop the system"]
    for gate, line in inputs:
        args += ["--input-after", gate, "--input", line]
    for e in expect:
        args += ["--expect", e]
    run = subprocess.run(args, capture_output=True, text=True)
    sys.stdout.write(run.stdout)
    return run.returncode, run.stdout


def debugfs_cat(image, path):
    return subprocess.run(["debugfs", "-R", f"cat {path}", image], capture_output=True).stdout


def pattern(size):
    return bytes(ord("a") + (i * 7 + i // 1000) % 26 for i in range(size))


def record(i):
    head = f"record {i:06} ".encode()
    return head + bytes([ord("A") + i % 26]) * (RECORD_SIZE - 1 - len(head)) + b"\n"


def unsynced(qemu_run, kernel, archive, workdir):
    image = make_image(workdir, "unsynced", "unsynced")
    status, out = boot(qemu_run, kernel, archive, image,
                       [(r"fswriter\] unsynced: written", "shutdown")],
                       [r"fswriter\] mode unsynced", r"fswriter\] unsynced: written",
                        r"startup\] shutdown: stopping the components",
                        r"fswriter\] stopping: [0-9]+ bytes written, none synced",
                        r"ok: [0-9]+ stopped, 0 killed; turning off", "power: shutting down"])
    if status:
        return "the unsynced boot failed"
    size = int(re.search(r"fswriter\] stopping: ([0-9]+) bytes", out).group(1))
    how = "by ext2 as it stopped" if re.search(r"ext2\] stopping: synced", out) else \
        "by the write-back timer"
    data = debugfs_cat(image, "/home/unsynced")
    if data != pattern(size):
        return (f"/home/unsynced holds {len(data)} bytes, not the {size} fswriter wrote"
                if len(data) != size else "/home/unsynced differs from what fswriter wrote")
    fsck = subprocess.run(["e2fsck", "-fn", image], capture_output=True, text=True)
    complaints = [line for line in fsck.stdout.splitlines()
                  if not line.startswith(("Pass ", "e2fsck ")) and "files (" not in line]
    if fsck.returncode or complaints:
        return f"e2fsck -fn exit {fsck.returncode} after a shutdown:\n{fsck.stdout}{fsck.stderr}"
    print(f"files_durable: {size} unsynced bytes survived the shutdown (written back {how})")
    return None


def records(qemu_run, kernel, archive, workdir):
    image = make_image(workdir, "records", "records")
    status, out = boot(qemu_run, kernel, archive, image,
                       [(r"fswriter\] record 30 synced", "ctl kill ext2"),
                        (r"fswriter\] records: done", "shutdown")],
                       [r"fswriter\] mode records", r"fswriter\] record 30 synced",
                        r"startup\] ext2 ended: killed",
                        r"ext2\] mounted the disk", r"fswriter\] records: reopened after",
                        rf"fswriter\] record {RECORDS - 1} synced", r"fswriter\] records: done",
                        r"fswriter\] stop ignored",
                        r"fswriter did not stop within 2000 ms: killed",
                        r"ok: [0-9]+ stopped, 1 killed; turning off", "power: shutting down"])
    if status:
        return "the records boot failed"
    synced = sorted({int(n) for n in re.findall(r"fswriter\] record ([0-9]+) synced", out)})
    if synced != list(range(RECORDS)):
        return f"fswriter logged records {synced} as synced, not 0 to {RECORDS - 1}"
    data = debugfs_cat(image, "/home/records")
    bad = [i for i in synced if data[i * RECORD_SIZE:(i + 1) * RECORD_SIZE] != record(i)]
    if bad:
        return f"synced records lost or damaged: {bad} (the file holds {len(data)} bytes)"
    fsck = subprocess.run(["e2fsck", "-fy", image], capture_output=True, text=True)
    if fsck.returncode not in (0, 1):
        return f"e2fsck -fy exit {fsck.returncode}:\n{fsck.stdout}{fsck.stderr}"
    print(f"files_durable: {len(synced)} synced records intact across a kill of ext2; "
          f"e2fsck -fy exit {fsck.returncode}")
    return None


def main():
    qemu_run, kernel, archive, workdir = sys.argv[1:5]
    shutil.rmtree(workdir, ignore_errors=True)
    os.makedirs(workdir)
    for check in (unsynced, records):
        problem = check(qemu_run, kernel, archive, workdir)
        if problem:
            print(f"files_durable: {check.__name__}: {problem}")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
