#!/usr/bin/env python3
"""virtio-console end to end: boots the "console" test system (device manager, virtio-console
driver, conshell) on microvm with a virtio console whose other end is a UNIX socket, and
uses the machine through it as a person at a terminal would: the banner and the prompt, line
editing, commands and their answers (longer than one write), type-ahead, and a kill of the
console's own driver, after which the restarted driver and the shell's re-bound channel give
a working console again. It then kills the shell itself, and shuts the machine down
through the serial console.

usage: virtio_console.py QEMU_RUN KERNEL ARCHIVE
"""
import argparse
import os
import re
import select
import socket
import subprocess
import sys
import tempfile
import time

PROMPT = "ctl> "
BANNER = r"Stellina supervision console\. Commands go to the startup server"


class Failure(Exception):
    pass


class Machine:
    def __init__(self, qemu_run, kernel, archive, sock_path):
        sys.path.insert(0, os.path.dirname(os.path.abspath(qemu_run)))
        import qemu_run as runner  # the same machine as every other QEMU test
        args = argparse.Namespace(
            interactive=False, memory=128, machine="microvm", debug_exit=True, iso=None,
            kernel=kernel, append="", initrd=archive,
            qemu_arg=["-global", "virtio-mmio.force-legacy=false",
                      "-device", "virtio-serial-device",
                      "-chardev", f"socket,id=vc,path={sock_path},server=on,wait=off",
                      "-device", "virtconsole,chardev=vc"])
        cmd = runner.qemu_command(args)
        print("virtio_console:", " ".join(cmd), flush=True)
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        self.serial, self.console = "", ""
        self.serial_at, self.console_at = 0, 0  # where the next search starts
        self.shutting_down = False  # after shutdown, the socket may close first
        # QEMU listens on the socket before it starts the machine; connect before the driver
        # runs, or the banner goes nowhere (wait=off: output with no one connected is dropped).
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        deadline = time.monotonic() + 10
        while True:
            try:
                self.sock.connect(sock_path)
                break
            except (FileNotFoundError, ConnectionRefusedError):
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    self.proc.kill()
                    raise Failure("QEMU did not listen on the console's socket")
                time.sleep(0.001)

    def pump(self, timeout):
        watched = [self.proc.stdout] + ([self.sock] if self.sock else [])
        ready, _, _ = select.select(watched, [], [], timeout)
        for f in ready:
            if f is self.sock:
                chunk = self.sock.recv(65536)
                if not chunk:
                    if self.shutting_down:  # QEMU is exiting: the serial's last lines follow
                        self.sock.close()
                        self.sock = None
                        continue
                    raise Failure("the console's socket closed")
                text = chunk.decode("utf-8", "replace").replace("\r", "")
                self.console += text
                sys.stdout.write("".join(f"console| {l}\n" if l else "" for l in text.split("\n")))
            else:
                chunk = os.read(self.proc.stdout.fileno(), 65536)
                if not chunk:
                    raise Failure(f"QEMU exited with {self.proc.wait()}")
                self.serial += chunk.decode("utf-8", "replace").replace("\r", "")
                sys.stdout.write(chunk.decode("utf-8", "replace"))
        sys.stdout.flush()

    def wait(self, where, pattern, timeout=20):
        """Waits for pattern in the console or serial output after the last match; returns
        the text from there to the end of the match."""
        deadline = time.monotonic() + timeout
        regex = re.compile(pattern, re.MULTILINE)
        while True:
            text, at = (self.console, self.console_at) if where == "console" else \
                (self.serial, self.serial_at)
            m = regex.search(text, at)
            if m:
                if where == "console":
                    self.console_at = m.end()
                else:
                    self.serial_at = m.end()
                return text[at:m.end()]
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise Failure(f"no {pattern!r} on the {where} within {timeout} s")
            self.pump(min(remaining, 0.5))

    def wait_all(self, where, patterns, timeout=20):
        """Waits for every pattern after the last match, in any order."""
        start = self.console_at if where == "console" else self.serial_at
        end = start
        for pattern in patterns:
            if where == "console":
                self.console_at = start
            else:
                self.serial_at = start
            self.wait(where, pattern, timeout)
            end = max(end, self.console_at if where == "console" else self.serial_at)
        if where == "console":
            self.console_at = end
        else:
            self.serial_at = end

    def type(self, text):
        self.sock.sendall(text.encode())

    def command(self, typed, *expect):
        """Types a line, waits for the next prompt and checks the answer before it."""
        self.type(typed)
        answer = self.wait("console", re.escape(PROMPT))
        for e in expect:
            if not re.search(e, answer, re.MULTILINE):
                raise Failure(f"the answer to {typed!r} lacks {e!r}:\n{answer}")
        return answer


def check(m):
    m.wait("console", BANNER)
    m.wait("console", re.escape(PROMPT))
    # Backspace (DEL, as terminals send it) edits the line; the table is longer than one write.
    m.command("lisx\x7ft\r", r"^NAME +STATE +ISOLATION", r"^devmgr +running +user ",
              r"^virtio-console +running +user +\d+ +0 ", r"^conshell +running +user ")
    m.wait("serial", r"conshell\] command 'list'$")
    # CR LF ends one line: an empty second line would put an extra prompt before the next answer.
    m.command("silos\r\n", r"^SILO +MEMORY KiB")
    m.command("nonsense\n", r"error: unknown command 'nonsense' \(try help\)")
    # Typed ahead while the first command is in flight: both run, in order.
    m.type("help\rsilos\r")
    m.command("", r"ok: commands: list, silos, start NAME")
    m.command("", r"^SILO +MEMORY KiB")
    # Ctrl-U erases the line, an arrow key's escape sequence is ignored.
    m.command("bogus\x15\x1b[Ahelp\r", r"^ok: commands")

    # The console's own driver is killed: the answer waits in the shell until the restarted
    # driver's channel comes, then the banner and a prompt.
    m.type("kill virtio-console\r")
    m.wait_all("serial", [r"startup\] virtio-console ended: killed", r"conshell\] console closed"])
    m.wait("serial", r"startup\] started virtio-console")
    m.wait_all("serial", [r"virtio-console\] port 0 ready", r"conshell\] console connected"])
    m.wait("console", r"ok: kill virtio-console")
    m.wait("console", BANNER)
    m.wait("console", re.escape(PROMPT))
    m.command("list\r", r"^virtio-console +running +user +\d+ +1 .*killed",
              r"^conshell +running +user +\d+ +0 ")

    # The shell itself killed: the new one greets on the same console.
    m.type("kill conshell\r")
    m.wait("serial", r"startup\] conshell ended: killed")
    m.wait("serial", r"startup\] started conshell")
    m.wait("console", BANNER)
    m.wait("console", re.escape(PROMPT))
    m.command("list\r", r"^conshell +running +user +\d+ +1 ")

    m.shutting_down = True
    m.proc.stdin.write(b"shutdown\r")
    m.proc.stdin.flush()
    m.wait("serial", r"power: shutting down")
    status = m.proc.wait(timeout=20)
    if status != 0:
        raise Failure(f"QEMU exited with {status}")
    # QEMU complains when the device reads a ring whose pages went back to the system: the
    # startup server stops the device before the killed driver's memory goes.
    bad = re.search(r"^.*(cannot drive|dropped so far|output dropped|Invalid size for indirect).*$",
                    m.serial, re.MULTILINE)
    if bad:
        raise Failure(f"unexpected line: {bad.group(0)}")


def main():
    qemu_run, kernel, archive = sys.argv[1:4]
    start = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:  # a short path: UNIX socket paths are short
        try:
            m = Machine(qemu_run, kernel, archive, os.path.join(tmp, "console.sock"))
        except Failure as e:
            print(f"\nvirtio_console: FAILED: {e}")
            return 1
        try:
            check(m)
        except Failure as e:
            print(f"\nvirtio_console: FAILED: {e}")
            return 1
        finally:
            if m.proc.poll() is None:
                m.proc.kill()
                m.proc.wait()
            if m.sock:
                m.sock.close()
    print(f"\nvirtio_console: passed ({time.monotonic() - start:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
