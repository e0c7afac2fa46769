"""The Linux personality: what a Linux system call costs under Stellina.

bench/linux/personality.c, built static (`gcc -static -O2`), runs under the personality
(the test kernel's manual_linux_run, kernel/ktest/linux_test.cc, from an archive of its
own) and times 20,000 getppid calls one at a time, 200 forks (fork, the child's exit and
wait4's return in the parent), 4,096 first touches of fresh anonymous pages and 2,000 round
trips of a byte to a forked child and back over two pipes. exec needs a namespace to read
programs from, which the test kernel has not: for it the program is typed at the shell of
the "shell" test system (stellina.elf, a disk made as make run's with the program and
bench/linux/exit0.c, a static program that exits at once, built -nostdlib: 9 KiB), as
`personality /linux/exit0`, which also times 100 forks whose child execs exit0, up to
wait4's return. exec's cost is that boot's median of fork+exec+wait less its median of
fork+wait (the child's exit counted in both). In separate boots of the same machine,
the test kernel's manual_ipc_bench gives Stellina's own null system call and the call round
trip between two user processes: what a personality server would add to every Linux call
(a channel call to the server and back), since Linux calls are served in the kernel today
(docs/linux.md). Figures are medians over opts.runs boots of each boot's median:

  stellina_linux_getppid_ns        getppid through the personality (and _p99_ns)
  stellina_linux_fork_us           fork + the child's exit + wait4, from a static glibc program
  stellina_linux_fault_ns          the first write to a 4 KiB page of anonymous memory
  stellina_linux_pipe_rtt_ns       a byte to a forked child and back, over two pipes
  stellina_linux_exec_us           execve of exit0 (fork+exec+wait less fork+wait)
  stellina_null_syscall_ns         Stellina's null system call
  stellina_user_user_call_rtt_ns   a channel call round trip, user to user server
  ratio_linux_getppid_null         the first over the second (x)
  server_path_estimate_ns          the null call plus the round trip: a Linux call served by a
                                   server (copies of arguments not counted)

The same program runs as /bin/personality in the Debian Linux guest (bench/linux/guest.py,
microvm, -m 128, TCG: bench/ipc's configuration), opts.runs boots, for Linux's own figures:

  linux_fork_us, linux_fault_ns, linux_exec_us   the same measurements on Linux
  linux_pipe_byte_rtt_ns           the pipe round trip on Linux (this program's; bench=ipc's
                                   linux_pipe_rtt_ns is its own C program's)
  ratio_linux_fork, ratio_linux_fault, ratio_linux_exec, ratio_linux_pipe
                                   Stellina's over Linux's (x)
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
EXIT0 = os.path.join(OUT, "exit0")
ARCHIVE = os.path.join(OUT, "personality.archive")
KERNEL = os.path.join(REPO, "build", "kernel", "stellina-test.elf")
USER_ARCHIVE = os.path.join(REPO, "build", "user", "boot.archive")
# exec's boots: the system with a shell and a disk (tests/qemu/shell.py drives it).
SHELL_KERNEL = os.path.join(REPO, "build", "kernel", "stellina.elf")
SHELL_ARCHIVE = os.path.join(REPO, "build", "scenarios", "shell", "boot.archive")
PROGRAMS = os.path.join(REPO, "build", "programs")
BUSYBOX = os.path.join(REPO, "build", "linux", "busybox")
DISK = os.path.join(OUT, "exec-disk.img")
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
/bin/personality /bin/exit0 || echo "linux: error: personality exit status $?"
echo "{GUEST_DONE}"
/bin/busybox poweroff -f
"""
FIGURE = re.compile(r"(?:linux-out: linux|ipc): (\w+) median_ns=(\d+) p99_ns=(\d+) n=(\d+)")
SHELL_FIGURE = re.compile(r"^linux: (\w+) median_ns=(\d+) p99_ns=(\d+) n=(\d+)", re.M)


def log(msg, end="\n"):
    print(msg, end=end, file=sys.stderr, flush=True)


def build():
    os.makedirs(OUT, exist_ok=True)
    subprocess.run(["gcc", "-static", "-O2", "-o", PROGRAM, os.path.join(HERE, "personality.c")],
                   check=True)
    subprocess.run(["gcc", "-static", "-nostdlib", "-O2", "-o", EXIT0,
                    os.path.join(HERE, "exit0.c")], check=True)
    subprocess.run([sys.executable, os.path.join(REPO, "tools", "mkarchive.py"), ARCHIVE,
                    f"personality={PROGRAM}"], check=True)


def make_disk():
    """make run's disk (tools/mkdisk.sh) with the program and exit0 in /linux."""
    if os.path.exists(DISK):
        os.remove(DISK)
    env = dict(os.environ, BUSYBOX=BUSYBOX)
    subprocess.run([os.path.join(REPO, "tools", "mkdisk.sh"), DISK, PROGRAMS], check=True,
                   stdout=subprocess.DEVNULL, env=env)
    commands = os.path.join(OUT, "exec-disk.cmd")
    with open(commands, "w") as f:
        f.write("mkdir /linux\n")
        for name, path in (("personality", PROGRAM), ("exit0", EXIT0)):
            f.write(f'write "{path}" "/linux/{name}"\nsif "/linux/{name}" mode 0100755\n')
    subprocess.run(["debugfs", "-w", "-f", commands, DISK], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def shell_boot():
    """{name: (median_ns, p99_ns)} from the program typed at the shell of the shell system."""
    sys.path.insert(0, os.path.join(REPO, "tests", "qemu"))
    import shell  # tests/qemu/shell.py: the Machine
    qemu_run = shell.load_qemu_run(os.path.join(REPO, "tools", "qemu_run.py"))
    with open(os.path.join(OUT, "exec-serial.log"), "w") as serial:
        m = shell.Machine(qemu_run, SHELL_KERNEL, SHELL_ARCHIVE, DISK, serial)
        try:
            m.start_shell()
            out, status = shell.on_stellina(m, "/linux/personality /linux/exit0", 300)
        finally:
            m.stop()
    if status != 0:
        raise SystemExit(f"linux: personality at the shell exited {status}:\n{out}")
    return {f[0]: (int(f[1]), int(f[2])) for f in SHELL_FIGURE.findall(out)}


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


def exec_us(boots):
    """Each boot's exec: its median fork+exec+wait less its median fork+wait, in µs."""
    return sorted(round((b["forkexec"][0] - b["fork"][0]) / 1000, 1) for b in boots)


def median_of(boots, name, index=0):
    values = sorted(b[name][index] for b in boots)
    return values, values[len(values) // 2]


def run(rec, opts):
    for path in (KERNEL, USER_ARCHIVE, SHELL_KERNEL, SHELL_ARCHIVE, BUSYBOX):
        if not os.path.exists(path):
            raise SystemExit(f"linux: {os.path.relpath(path, REPO)} is missing (make)")
    build()
    prepare.prepare()
    prepare.build_initramfs(GUEST_INITRD, init=GUEST_INIT,
                            files={"bin/personality": PROGRAM, "bin/exit0": EXIT0})
    make_disk()
    linux_boots, ipc_boots, guest_boots, shell_boots = [], [], [], []
    log(f"linux: {opts.runs} boots of each ", end="")
    for _ in range(opts.runs):
        linux_boots.append(boot("ktest=manual_linux_run linux_run=personality "
                                "linux_argv=personality", ARCHIVE, "the personality"))
        ipc_boots.append(boot("ktest=manual_ipc_bench ipc_iterations=20000", USER_ARCHIVE,
                              "the IPC benchmark"))
        guest_boots.append(guest_boot())
        shell_boots.append(shell_boot())
        log(".", end="")
    log("")
    for boots, name in ((linux_boots, "getppid"), (linux_boots, "fork"), (linux_boots, "fault"),
                        (ipc_boots, "null_syscall"), (ipc_boots, "call_user_user"),
                        (linux_boots, "pipe"), (guest_boots, "fork"), (guest_boots, "fault"),
                        (guest_boots, "pipe"), (guest_boots, "forkexec"), (shell_boots, "fork"),
                        (shell_boots, "forkexec")):
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
    rec.samples("stellina_linux_pipe_rtt_ns", median_of(linux_boots, "pipe")[0], "ns", **extra)
    rec.samples("linux_pipe_byte_rtt_ns", median_of(guest_boots, "pipe")[0], "ns",
                linux=prepare.kernel_version(), **extra)
    rec.ratio("ratio_linux_pipe", "stellina_linux_pipe_rtt_ns", "linux_pipe_byte_rtt_ns")
    rec.samples("stellina_linux_exec_us", exec_us(shell_boots), "us", **extra)
    rec.samples("linux_exec_us", exec_us(guest_boots), "us", linux=prepare.kernel_version(),
                **extra)
    rec.ratio("ratio_linux_exec", "stellina_linux_exec_us", "linux_exec_us")
    rec.samples("stellina_null_syscall_ns", median_of(ipc_boots, "null_syscall")[0], "ns", **extra)
    rec.samples("stellina_user_user_call_rtt_ns", median_of(ipc_boots, "call_user_user")[0], "ns",
                **extra)
    rec.ratio("ratio_linux_getppid_null", "stellina_linux_getppid_ns", "stellina_null_syscall_ns")
    estimate = (rec.get("stellina_null_syscall_ns")["value"] +
                rec.get("stellina_user_user_call_rtt_ns")["value"])
    rec.add("server_path_estimate_ns", estimate, "ns", opts.runs,
            of="stellina_null_syscall_ns+stellina_user_user_call_rtt_ns", **extra)
