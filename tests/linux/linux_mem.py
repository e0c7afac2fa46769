#!/usr/bin/env python3
"""Linux memory calls from Stellina's shell, compared with the host.

As linux_exec.py: a disk made as `make run`'s with the test program tests/linux/mem.c in
/linux; each check is typed at Stellina's shell and run in a fresh directory, and the same
command runs on the host in a fresh directory; what each printed and the exit status must
be the same. Then, Stellina only, mem.c's "limits": the file mapping's and the shared
mapping's bounds at them and past them, and what is refused (a shared file mapping, link).

usage: linux_mem.py QEMU_RUN KERNEL ARCHIVE PROGRAMS_DIR LINUX_DIR WORKDIR
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "qemu"))
import shell  # noqa: E402  (tests/qemu/shell.py: the Machine, on_stellina)

COMPARED = [("mem_program", "{mem}")]

# (name, command, status, regexes the output must match, in order).
STELLINA_ONLY = [
    ("mem_limits", "{mem} limits", 0, [
        r"a 16 MiB file mapping: mapped\nits bytes: yes\n",
        r"16 MiB and a page: -1 ENOMEM\n",
        r"a shared file mapping: -1 ENODEV\n",
        r"16 MiB shared anonymous: mapped\n",
        r"its last byte: 1, munmap of half of it: -1 EINVAL, of it: 0\n",
        r"16 MiB and a page shared: -1 ENOMEM\n",
        r"shared and executable: -1 EACCES\n",
        r"link: -1 EPERM\nlinkat: -1 EPERM\n",
        r"done\n$"]),
]


def make_disk(workdir, programs, linux_dir, scripts):
    disk = os.path.join(workdir, "disk.img")
    if os.path.exists(disk):
        os.remove(disk)
    env = dict(os.environ, BUSYBOX=os.path.join(linux_dir, "busybox"))
    subprocess.run([os.path.join(shell.ROOT, "tools/mkdisk.sh"), disk, programs], check=True,
                   stdout=subprocess.DEVNULL, env=env)
    scripts_dir = os.path.join(workdir, "scripts")
    shutil.rmtree(scripts_dir, ignore_errors=True)
    os.makedirs(scripts_dir)
    for key, command in scripts:
        with open(os.path.join(scripts_dir, f"{key}.sh"), "w") as f:
            f.write(f"mkdir -p /tmp/{key} && cd /tmp/{key} && {command} 2>&1\n")
    commands = os.path.join(workdir, "debugfs.cmd")
    with open(commands, "w") as f:
        f.write("mkdir /linux\nmkdir /linux/c\n")
        for key, _ in scripts:
            f.write(f'write "{os.path.join(scripts_dir, key + ".sh")}" "/linux/c/{key}.sh"\n')
        f.write(f'write "{os.path.join(linux_dir, "mem")}" "/linux/mem"\n')
        f.write('sif "/linux/mem" mode 0100755\n')
    subprocess.run(["debugfs", "-w", "-f", commands, disk], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return disk


def on_host(command, linux_dir, workdir):
    where = tempfile.mkdtemp(prefix="stellina-mem-", dir=workdir)
    try:
        line = command.format(mem=os.path.join(linux_dir, "mem"))
        r = subprocess.run(["/bin/sh", "-c", f"umask 022; ({line}) 2>&1"], cwd=where,
                           env={"PATH": "/usr/bin:/bin", "LC_ALL": "C", "PWD": where},
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=120)
        return r.stdout.decode("utf-8", "replace"), r.returncode
    finally:
        shutil.rmtree(where, ignore_errors=True)


# A line of the kernel's log on the serial console (a child killed by its fault is logged):
# not the program's output.
KERNEL_LOG = re.compile(r"^\[ *[0-9]+\.[0-9]+\] [^\n]*\n", re.M)


def matches(out, patterns):
    """The first pattern not found in out after the previous one's match, or None."""
    at = 0
    for pattern in patterns:
        found = re.compile(pattern).search(out, at)
        if not found:
            return pattern
        at = found.end()
    return None


def main():
    qemu_run_path, kernel, archive, programs, linux_dir, workdir = map(os.path.abspath,
                                                                       sys.argv[1:7])
    os.makedirs(workdir, exist_ok=True)
    qemu_run = shell.load_qemu_run(qemu_run_path)
    scripts = ([(name, command.format(mem="/linux/mem")) for name, command in COMPARED]
               + [(name, command.format(mem="/linux/mem")) for name, command, _, _ in STELLINA_ONLY])
    disk = make_disk(workdir, programs, linux_dir, scripts)
    failures = []
    with open(os.path.join(workdir, "serial.log"), "w") as log:
        m = shell.Machine(qemu_run, kernel, archive, disk, log)
        try:
            m.start_shell()
            for name, command in COMPARED:
                expected = on_host(command, linux_dir, workdir)
                out, status = shell.on_stellina(m, f"sh /linux/c/{name}.sh", 300)
                got = (KERNEL_LOG.sub("", out), status)
                if got != expected:
                    failures.append(name)
                    print(f"linux_mem: {name}: FAILED\n--- host (status {expected[1]})\n"
                          f"{expected[0]}--- stellina (status {got[1]})\n{got[0]}---")
                else:
                    print(f"linux_mem: {name}: ok ({len(expected[0].splitlines())} lines)")
            for name, _, status, patterns in STELLINA_ONLY:
                out, got = shell.on_stellina(m, f"sh /linux/c/{name}.sh", 300)
                missing = matches(out, patterns)
                if got != status or missing:
                    failures.append(name)
                    print(f"linux_mem: {name}: FAILED (status {got}, want {status}; "
                          f"missing {missing!r})\n{out}---")
                else:
                    print(f"linux_mem: {name}: ok (status {got})")
            m.type("\x1dshutdown\r")
            m.proc.wait(timeout=60)
        finally:
            m.stop()
    total = len(COMPARED) + len(STELLINA_ONLY)
    if failures:
        print(f"linux_mem: {len(failures)} of {total} checks failed: {', '.join(failures)}")
        return 1
    print(f"linux_mem: all {total} checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
