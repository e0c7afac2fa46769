"""The Linux personality: what a Linux system call costs under Stellina.

bench/linux/personality.c, built static (`gcc -static -O2`), runs under the personality
(the test kernel's manual_linux_run, kernel/ktest/linux_test.cc, from an archive of its
own) and times 20,000 getppid calls one at a time, 200 forks (fork, the child's exit and
wait4's return in the parent) and 4,096 first touches of fresh anonymous pages. In separate boots of the same machine,
the test kernel's manual_ipc_bench gives Stellina's own null system call and the call round
trip between two user processes: what a personality server would add to every Linux call
(a channel call to the server and back), since Linux calls are served in the kernel today
(docs/linux.md). Figures are medians over opts.runs boots of each boot's median:

  stellina_linux_getppid_ns        getppid through the personality (and _p99_ns)
  stellina_linux_fork_us           fork + the child's exit + wait4, from a static glibc program
  stellina_linux_fault_ns          the first write to a 4 KiB page of anonymous memory
  stellina_null_syscall_ns         Stellina's null system call
  stellina_user_user_call_rtt_ns   a channel call round trip, user to user server
  ratio_linux_getppid_null         the first over the second (x)
  server_path_estimate_ns          the null call plus the round trip: a Linux call served by a
                                   server (copies of arguments not counted)

The same program runs as /bin/personality in the Debian Linux guest (bench/linux/guest.py,
microvm, -m 128, TCG: bench/ipc's configuration), opts.runs boots, for Linux's own figures:

  linux_fork_us, linux_fault_ns    the same measurements on Linux
  ratio_linux_fork, ratio_linux_fault   Stellina's over Linux's (x)
"""

import os
import re
import subprocess
import sys

from bench.lib import qemu
from bench.lib.results import BUILD, REPO
from bench.linux import guest, prepare

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(BUILD, "linux")
PROGRAM = os.path.join(OUT, "personality")
ARCHIVE = os.path.join(OUT, "personality.archive")
KERNEL = os.path.join(REPO, "build", "kernel", "stellina-test.elf")
USER_ARCHIVE = os.path.join(REPO, "build", "user", "boot.archive")
MACHINE = "microvm"
EXIT_SUCCESS = 33  # the test kernel's success through isa-debug-exit
DEBUG_EXIT = ["-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
PASSED = "ktest: 1 passed, 0 failed"
GUEST_INITRD = os.path.join(OUT, "guest-initramfs.cpio")
GUEST_DONE = "personality: done"
GUEST_FIGURE = re.compile(r"^linux: (\w+) median_ns=(\d+) p99_ns=(\d+) n=(\d+)", re.M)
# As bench/ipc: tsc=reliable keeps the guest's clock on the TSC under TCG.
GUEST_INIT = f"""#!/bin/sh
/bin/busybox mount -t proc proc /proc
/bin/personality || echo "linux: error: personality exit status $?"
echo "{GUEST_DONE}"
/bin/busybox poweroff -f
"""
FIGURE = re.compile(r"(?:linux-out: linux|ipc): (\w+) median_ns=(\d+) p99_ns=(\d+) n=(\d+)")


def log(msg, end="\n"):
    print(msg, end=end, file=sys.stderr, flush=True)


def build():
    os.makedirs(OUT, exist_ok=True)
    subprocess.run(["gcc", "-static", "-O2", "-o", PROGRAM, os.path.join(HERE, "personality.c")],
                   check=True)
    subprocess.run([sys.executable, os.path.join(REPO, "tools", "mkarchive.py"), ARCHIVE,
                    f"personality={PROGRAM}"], check=True)


def boot(append, initrd, what):
    """{name: (median_ns, p99_ns)} from one boot of the test kernel."""
    cmd = qemu.qemu_cmd(MACHINE, KERNEL, append, initrd=initrd, extra=DEBUG_EXIT)
    run = qemu.timed_run(cmd, [PASSED], timeout=300.0)
    if run.returncode == EXIT_SUCCESS:
        run.returncode = 0
    if not run.ok([PASSED]):
        tail = "\n".join(run.output.splitlines()[-20:])
        raise SystemExit(f"linux: {what} failed:\n{tail}")
    return {m[0]: (int(m[1]), int(m[2])) for m in FIGURE.findall(run.output)}


def guest_boot():
    """{name: (median_ns, p99_ns)} from one boot of the Linux guest."""
    run, retries = guest.boot(MACHINE, markers=(GUEST_DONE,), timeout=300.0, initrd=GUEST_INITRD,
                              append=guest.cmdline("tsc=reliable"))
    if not run.ok([GUEST_DONE]) or "linux: error" in run.output:
        tail = "\n".join(run.output.splitlines()[-20:])
        raise SystemExit(f"linux: the Linux guest failed ({retries} retries):\n{tail}")
    return {m[0]: (int(m[1]), int(m[2])) for m in GUEST_FIGURE.findall(run.output)}


def median_of(boots, name, index=0):
    values = sorted(b[name][index] for b in boots)
    return values, values[len(values) // 2]


def run(rec, opts):
    for path in (KERNEL, USER_ARCHIVE):
        if not os.path.exists(path):
            raise SystemExit(f"linux: {os.path.relpath(path, REPO)} is missing (make)")
    build()
    prepare.prepare()
    prepare.build_initramfs(GUEST_INITRD, init=GUEST_INIT, files={"bin/personality": PROGRAM})
    linux_boots, ipc_boots, guest_boots = [], [], []
    log(f"linux: {opts.runs} boots of each ", end="")
    for _ in range(opts.runs):
        linux_boots.append(boot("ktest=manual_linux_run linux_run=personality "
                                "linux_argv=personality", ARCHIVE, "the personality"))
        ipc_boots.append(boot("ktest=manual_ipc_bench ipc_iterations=20000", USER_ARCHIVE,
                              "the IPC benchmark"))
        guest_boots.append(guest_boot())
        log(".", end="")
    log("")
    for boots, name in ((linux_boots, "getppid"), (linux_boots, "fork"), (linux_boots, "fault"),
                        (ipc_boots, "null_syscall"), (ipc_boots, "call_user_user"),
                        (guest_boots, "fork"), (guest_boots, "fault")):
        if any(name not in b for b in boots):
            raise SystemExit(f"linux: no '{name}' figure printed")
    extra = {"machine": MACHINE}
    rec.samples("stellina_linux_getppid_ns", median_of(linux_boots, "getppid")[0], "ns", **extra)
    rec.samples("stellina_linux_getppid_p99_ns", median_of(linux_boots, "getppid", 1)[0], "ns",
                **extra)
    fork_ns = median_of(linux_boots, "fork")[0]
    rec.samples("stellina_linux_fork_us", [round(ns / 1000, 1) for ns in fork_ns], "us", **extra)
    rec.samples("stellina_linux_fault_ns", median_of(linux_boots, "fault")[0], "ns", **extra)
    guest_fork_ns = median_of(guest_boots, "fork")[0]
    rec.samples("linux_fork_us", [round(ns / 1000, 1) for ns in guest_fork_ns], "us",
                linux=prepare.kernel_version(), **extra)
    rec.samples("linux_fault_ns", median_of(guest_boots, "fault")[0], "ns",
                linux=prepare.kernel_version(), **extra)
    rec.ratio("ratio_linux_fork", "stellina_linux_fork_us", "linux_fork_us")
    rec.ratio("ratio_linux_fault", "stellina_linux_fault_ns", "linux_fault_ns")
    rec.samples("stellina_null_syscall_ns", median_of(ipc_boots, "null_syscall")[0], "ns", **extra)
    rec.samples("stellina_user_user_call_rtt_ns", median_of(ipc_boots, "call_user_user")[0], "ns",
                **extra)
    rec.ratio("ratio_linux_getppid_null", "stellina_linux_getppid_ns", "stellina_null_syscall_ns")
    estimate = (rec.get("stellina_null_syscall_ns")["value"] +
                rec.get("stellina_user_user_call_rtt_ns")["value"])
    rec.add("server_path_estimate_ns", estimate, "ns", opts.runs,
            of="stellina_null_syscall_ns+stellina_user_user_call_rtt_ns", **extra)
