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
import sys

import shell_checks

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


# A line of the kernel's log on the serial console (a child killed by its fault is logged):
# not the program's output.
KERNEL_LOG = re.compile(r"^\[ *[0-9]+\.[0-9]+\] [^\n]*\n", re.M)


def main():
    qemu_run, kernel, archive, programs, linux_dir, workdir = map(os.path.abspath, sys.argv[1:7])
    os.makedirs(workdir, exist_ok=True)
    scripts = ([(name, command.format(mem="/linux/mem")) for name, command in COMPARED]
               + [(name, command.format(mem="/linux/mem")) for name, command, _, _ in STELLINA_ONLY])
    disk = shell_checks.make_disk(workdir, programs, linux_dir, scripts, "mem")
    host_mem = os.path.join(linux_dir, "mem")
    return shell_checks.run(
        "linux_mem", qemu_run, kernel, archive, disk, workdir,
        [(name, lambda c=command: shell_checks.run_on_host(c.format(mem=host_mem), workdir))
         for name, command in COMPARED],
        [(name, status, patterns) for name, _, status, patterns in STELLINA_ONLY],
        clean=lambda out: KERNEL_LOG.sub("", out))


if __name__ == "__main__":
    sys.exit(main())
