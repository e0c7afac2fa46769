#!/usr/bin/env python3
"""The terminal of Linux programs started from Stellina's shell, compared with the host.

tests/linux/tty.c is typed at Stellina's interactive shell (which starts a Linux program
reading and writing the terminal on a terminal of its own in the kernel) and run on the
host under a pty as a session leader with it as its controlling terminal; what each printed
and the exit status must be the same. Then Ctrl-C typed at the serial console ends busybox
`sleep 100` (status 130, SIGINT's) and the shell carries on; and busybox `cat` echoes and
returns a typed line and ends at Ctrl-D.

usage: linux_tty.py QEMU_RUN KERNEL ARCHIVE PROGRAMS_DIR LINUX_DIR WORKDIR
"""
import fcntl
import os
import subprocess
import sys
import termios
import time

import shell_checks
from shell_checks import shell


def on_host_pty(program):
    """(output, status) of program run on a fresh pty, as the leader of its session."""
    master, slave = os.openpty()
    p = subprocess.Popen([program], stdin=slave, stdout=slave, stderr=slave,
                         start_new_session=True, env={"PATH": "/usr/bin:/bin", "LC_ALL": "C"},
                         preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0))
    os.close(slave)
    out = b""
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:  # the last holder of the pty's other end has gone
            break
        if not data:
            break
        out += data
    os.close(master)
    return out.decode("utf-8", "replace").replace("\r\n", "\n"), p.wait(timeout=60)


def main():
    qemu_run_path, kernel, archive, programs, linux_dir, workdir = map(os.path.abspath,
                                                                       sys.argv[1:7])
    os.makedirs(workdir, exist_ok=True)
    disk = shell_checks.make_disk(workdir, programs, linux_dir, [], "tty")
    expected = on_host_pty(os.path.join(linux_dir, "tty"))
    qemu_run = shell.load_qemu_run(qemu_run_path)
    failures = []

    def check(label, ok, detail=""):
        print(f"linux_tty: {label}: {'ok' if ok else 'FAILED'}{'' if ok else chr(10) + detail}")
        if not ok:
            failures.append(label)

    with open(os.path.join(workdir, "serial.log"), "w") as log:
        m = shell.Machine(qemu_run, kernel, archive, disk, log)
        try:
            m.start_shell()
            got = shell.on_stellina(m, "/linux/tty", 120)
            check("tty_program", got == expected,
                  f"--- host (status {expected[1]})\n{expected[0]}--- stellina (status {got[1]})\n"
                  f"{got[0]}---")
            # Ctrl-C at the serial console: SIGINT to the foreground group, the shell lives.
            m.type("/usr/linux/bin/sleep 100; echo slept $?\r")
            time.sleep(3)
            m.type("\x03")
            try:
                m.wait_for(rb"slept 130", 30)
                check("ctrl_c_ends_sleep", True)
            except TimeoutError as e:
                check("ctrl_c_ends_sleep", False, str(e))
            out, status = shell.on_stellina(m, "echo the shell lives", 60)
            check("shell_survives", out == "the shell lives\n" and status == 0, out)
            # Canonical input with echo: a line typed (with an erase) reaches cat; Ctrl-D ends it.
            m.type("/usr/linux/bin/cat; echo cat $?\r")
            time.sleep(2)
            m.type("helo\x7flo\r")
            try:
                # The echo: the erase takes the o off the screen (ECHOE), then cat's copy.
                m.wait_for(rb"helo\x08 \x08lo\r\nhello\r\n", 30)
                m.type("\x04")
                m.wait_for(rb"cat 0", 30)
                check("cat_reads_a_line", True)
            except TimeoutError as e:
                check("cat_reads_a_line", False, str(e))
            # Ctrl-C ends a program blocked reading the terminal, and what was half typed
            # goes with it.
            m.type("/usr/linux/bin/cat; echo cat $?\r")
            time.sleep(2)
            m.type("half\x03")
            try:
                m.wait_for(rb"half\^C", 30)
                m.wait_for(rb"cat 130", 30)
                check("ctrl_c_ends_a_read", True)
            except TimeoutError as e:
                check("ctrl_c_ends_a_read", False, str(e))
            out, status = shell.on_stellina(m, "echo after the read", 60)
            check("shell_after_read", out == "after the read\n" and status == 0, out)
            m.type("\x1dshutdown\r")
            m.proc.wait(timeout=60)
        finally:
            m.stop()
    if failures:
        print(f"linux_tty: {len(failures)} checks failed: {', '.join(failures)}")
        return 1
    print("linux_tty: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
