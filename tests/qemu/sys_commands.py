#!/usr/bin/env python3
"""The system commands on a running Stellina (programs/ps, top, free, uptime, dmesg, kill,
svc, mount, umount, lsblk, lspci, shutdown): boots the "shell" test system with the programs
on its disk, types each command at the shell on the serial console and checks what it
printed (stdout and stderr together) and its exit status with regular expressions. Their
output depends on the machine and the moment, so nothing here is compared with a host.

It reuses shell.py's machinery (the Machine on the serial console, on_stellina, make_disk).

usage: sys_commands.py QEMU_RUN KERNEL ARCHIVE PROGRAMS_DIR WORKDIR
"""
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import shell  # noqa: E402  (tests/qemu/shell.py)

# (command, expected status, regexes its output must match (re.M), regexes it must not)
CHECKS = [
    ("ps", 0, [r"^ +PID STATE +SILO +MEM KiB THREADS PROCS +TIME NAME$",
               r"^ +\d+ running .* \d\d:\d\d:\d\d term$", r"^ +\d+ running .* vfs$"], []),
    ("ps -f", 0, [r"ISOLATION", r"^ +\d+ running +user .* \d+/\d+ .* term$"], []),
    ("free", 0, [r"^ +total +used +free +shared +buff/cache +available$",
                 r"^Mem: +[1-9]\d* +\d+ +[1-9]\d* +0 +0 +[1-9]\d*$", r"^Swap: +0 +0 +0$"], []),
    ("free -h", 0, [r"^Mem: +\d+(\.\d)?(Mi|Gi) ", r"^Swap: +0B +0B +0B$"], []),
    ("free -x", 2, [r"^free: unknown option -x$", r"^usage: free"], []),
    ("uptime", 0, [r"^ \d\d:\d\d:\d\d up +(\d+ min|\d+:\d\d),  \d+ components running$"], []),
    ("uptime -p", 0, [r"^up \d+ minutes?$"], []),
    ("dmesg", 0, [r"^\[ *\d+\.\d{6}\] info: \[startup\] "], []),
    ("dmesg -t -l warn,error", 0, [], [r"^\[ *\d+\.\d{6}\]", r"info: "]),
    ("dmesg -l bogus", 1, [r"^dmesg: unknown level 'bogus'$"], []),
    ("top -b -n 2 -d 1", 0, [r"^top - up .*components, \d+ running$",
                              r"^Mem: \d+ KiB total, \d+ KiB free",
                              r"^ +PID STATE +SILO +%CPU +MEM KiB THREADS PROCS +TIME\+  COMPONENT$",
                              r"^ +\d+ running +\S+ +\d+\.\d +\d+ .* term$",
                              r"(?s)top - up.*top - up", r"^SILO +%CPU"], []),
    ("top -n 0", 1, [r"^top: bad count '0'$"], []),
    ("svc list", 0, [r"^NAME +STATE +PID", r"^term +running +\d+ "], []),
    ("svc silos", 0, [r"^SILO +MEM KiB +PEAK KiB +THREADS"], []),
    ("svc limits term", 0, [r"^term: memory \d+ pages \(\d+ KiB\), using \d+ KiB; threads \d+, "
                            r"using \d+$"], []),
    ("svc limits nosuch", 1, [r"^svc: no component 'nosuch'$"], []),
    ("svc log startup 2", 0, [r"^\[ *\d+\.\d{6}\] \w+: \[startup\] "], []),
    ("svc frobnicate", 2, [r"^svc: unknown subcommand 'frobnicate'$", r"^usage: svc list$"], []),
    ("svc run --memory 2M --threads 2 echo hello from a silo", 0,
     [r"^hello from a silo$"], []),
    ("svc run --memory 1M --silo small hog", 137,
     [r"^svc: hog \(silo small\): killed: over its silo's limits \(memory quota\)$"],
     [r"touched 4 MiB"]),
    ("svc run crash", 139, [r"^about to fault$", r"^svc: crash: fault: "], []),
    ("svc run nosuch", 127, [r"^svc: nosuch: command not found$"], []),
    ("svc run --cpu 101 echo", 1, [r"^svc: bad CPU percentage '101'"], []),
    ("kill -l 9", 0, [r"^KILL$"], []),
    ("kill -l", 0, [r"^HUP$", r"^TERM$"], []),
    ("kill nosuch", 1, [r"^kill: \(nosuch\) - No such component$"], []),
    ("kill -STOP procfs", 1, [r"not supported"], []),
    ("kill -0 procfs", 0, [], [r"."]),
    ("svc restart procfs", 0, [], [r"."]),
    ("ps -f", 0, [r"^ +\d+ +\w+ +user .* [1-9]\d* +\d\d:\d\d:\d\d .* procfs$"], []),
    ("mount", 0, [r"^\S+ on / type ext2 \(rw\)$", r"^\S+ on /proc type procfs \(ro\)$"], []),
    ("mount -t procfs", 0, [r"^\S+ on /proc type procfs \(ro\)$"], [r"type ext2"]),
    ("mount /dev/x /mnt", 1, [r"not supported"], []),
    ("umount /", 1, [r"^umount: /: target is busy"], []),
    ("umount /proc", 1, [r"^umount: /proc: not supported"], []),
    ("umount /nowhere", 1, [r"^umount: /nowhere: not mounted$"], []),
    ("lsblk", 0, [r"^NAME +TYPE +SIZE RO FSTYPE +MOUNTPOINT$",
                  r"^mmio-0x[0-9a-f]+ +disk +- +- +\(driver bound\)$",
                  r"^\S+ +part +\d+(\.\d)?(Ki|Mi|Gi) +0 ext2 +/$"], []),
    ("lspci", 0, [], [r"."]),  # microvm: no PCI
    ("lspci -x", 2, [r"^usage: lspci"], []),
]


def check(m, command, status, wanted, unwanted):
    out, got = shell.on_stellina(m, command)
    problems = []
    if got != status:
        problems.append(f"status {got}, not {status}")
    for pattern in wanted:
        if not re.search(pattern, out, re.M):
            problems.append(f"no match for {pattern!r}")
    for pattern in unwanted:
        if re.search(pattern, out, re.M):
            problems.append(f"unexpected match for {pattern!r}")
    if problems:
        print(f"sys_commands: {command}: FAILED: {'; '.join(problems)}\n--- output\n{out}---")
        return False
    print(f"sys_commands: {command}: ok ({len(out.splitlines())} lines, status {got})")
    return True


def main():
    qemu_run_path, kernel, archive, programs, workdir = sys.argv[1:6]
    os.makedirs(workdir, exist_ok=True)
    qemu_run = shell.load_qemu_run(qemu_run_path)
    disk = shell.make_disk(workdir, programs, [])
    failed = 0
    with open(os.path.join(workdir, "serial.log"), "w") as log:
        m = shell.Machine(qemu_run, kernel, archive, disk, log)
        try:
            m.start_shell()
            for command, status, wanted, unwanted in CHECKS:
                failed += not check(m, command, status, wanted, unwanted)
            # Last: shutdown through the control channel. Its answer comes once every
            # component has stopped, term too, so it never reaches the terminal: the startup
            # server's log says it (the console prints info records again), and the machine
            # goes off.
            m.type("\x1dloglevel info\r")
            m.wait_for(rb"stellina> loglevel info\r?\n", 30)
            m.type("exit\r")
            m.wait_for(rb"stellina> exit\r?\n", 30)
            m.type("shutdown now\r")
            deadline = time.monotonic() + 60
            while m.proc.poll() is None and time.monotonic() < deadline:
                try:
                    m.read(0.5)
                except RuntimeError:  # QEMU ended
                    break
            m.proc.wait(timeout=10)
            if not re.search(rb"startup\] shutdown: stopping the components", m.raw):
                raise RuntimeError("shutdown: the startup server did not stop the system")
            print("sys_commands: shutdown: ok")
        except Exception as e:  # a timeout or QEMU gone: the rest cannot run
            print(f"sys_commands: FAILED: {e}")
            failed += 1
        finally:
            m.stop()
    if failed:
        print(f"sys_commands: {failed} of {len(CHECKS) + 1} checks failed")
        return 1
    print(f"sys_commands: all {len(CHECKS) + 1} checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
