#!/usr/bin/env python3
"""The serial port held by a component (serial:): boots the "serial" test system (serecho,
which opens serial: and sends every byte typed back in capitals, and sysinfo, whose spec does
not list serial:) on microvm, and types on the serial port as a person would:

- what is typed reaches serecho raw (a Ctrl-C comes back as ^C) and its answer is written as
  it is (a line ending in LF alone gets no CR);
- Ctrl-] shows the kernel console, whose commands work (uptime, serial), and what is typed
  there does not reach serecho; Ctrl-] again changes nothing, Ctrl-D (or `exit`) gives the
  port back;
- a second Open of serial: takes the port (the console closes the channel before);
- typing while serecho does not read is dropped and counted, and the port still works;
- `ctl stop serecho`: the console has the port again, Ctrl-] does nothing special there;
  `ctl start serecho` gives it back;
- `ctl kill serecho`: the console has the port until the restarted serecho holds it again.

usage: serial.py QEMU_RUN KERNEL ARCHIVE
"""
import argparse
import os
import re
import select
import subprocess
import sys
import time

SWITCH = "\x1d"  # Ctrl-]
PROMPT = r"stellina> "
MONITOR = r"kernel console; 'exit' or Ctrl-D returns to the shell"


class Failure(Exception):
    pass


class Machine:
    def __init__(self, qemu_run, kernel, archive):
        sys.path.insert(0, os.path.dirname(os.path.abspath(qemu_run)))
        import qemu_run as runner  # the same machine as every other QEMU test
        args = argparse.Namespace(interactive=False, memory=128, machine="microvm",
                                  debug_exit=True, iso=None, kernel=kernel, append="",
                                  initrd=archive, qemu_arg=[])
        cmd = runner.qemu_command(args)
        print("serial:", " ".join(cmd), flush=True)
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        self.raw = b""  # every byte the serial port wrote
        self.at = 0  # where the next search starts

    def pump(self, timeout):
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if ready:
            chunk = os.read(self.proc.stdout.fileno(), 65536)
            if not chunk:
                raise Failure(f"QEMU exited with {self.proc.wait()}")
            self.raw += chunk
            sys.stdout.write(chunk.decode("utf-8", "replace"))
            sys.stdout.flush()

    def wait(self, pattern, timeout=20):
        """Waits for pattern (a regex over the raw bytes, as text) after the last match;
        returns the text from there to the end of the match."""
        deadline = time.monotonic() + timeout
        regex = re.compile(pattern.encode(), re.MULTILINE)
        while True:
            m = regex.search(self.raw, self.at)
            if m:
                text = self.raw[self.at:m.end()]
                self.at = m.end()
                return text.decode("utf-8", "replace")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise Failure(f"no {pattern!r} within {timeout} s")
            self.pump(min(remaining, 0.5))

    def wait_all(self, patterns, timeout=20):
        """Waits for every pattern after the last match, in any order."""
        start = end = self.at
        for pattern in patterns:
            self.at = start
            self.wait(pattern, timeout)
            end = max(end, self.at)
        self.at = end

    def type(self, text):
        self.proc.stdin.write(text.encode())
        self.proc.stdin.flush()

    def command(self, line, *expect):
        """Types a line at the kernel console's prompt and checks the answer before the next
        prompt."""
        self.type(line + "\r")
        answer = self.wait(PROMPT)
        for e in expect:
            if not re.search(e, answer, re.MULTILINE):
                raise Failure(f"the answer to {line!r} lacks {e!r}:\n{answer}")
        return answer

    def monitor(self):
        self.type(SWITCH)
        self.wait(MONITOR)
        self.wait(PROMPT)


def check(m):
    # sysinfo, whose spec does not list serial:, is refused it.
    m.wait_all([r"serecho: ready \(open 1\)\r\nraw: no CR added\n(?!\r)",
                r"sysinfo\] sysinfo: open serial: -> status -4\r$",
                r"startup\] sysinfo opened 'serial:': not in its spec's requires",
                r"sysinfo\] sysinfo: all checks passed"])

    # Raw both ways: a control byte arrives as typed, the answer is written as it is.
    m.type("hello\x03world\r")
    m.wait(r"HELLO\^CWORLD\r\n")

    # Ctrl-] shows the kernel console; what is typed there stays there.
    m.monitor()
    m.command("uptime", r"^up \d+\.\d{3} s")
    m.command("serial", r"serial: held by a channel, 1 holders so far; typed: 12 bytes "
                        r"forwarded, 0 dropped \(holder's queue full\)")
    m.type(SWITCH)  # only ever brings the kernel console: nothing happens
    m.command("uptime", r"^up \d+\.\d{3} s")
    m.type("\x04")  # Ctrl-D on an empty line gives the port back
    m.type("again\r")
    m.wait(r"AGAIN\r\n")
    if re.search(rb"UPTIME|SERIAL", m.raw):
        raise Failure("what was typed in the kernel console reached serecho")

    # A second Open takes the port: the channel before is closed by the console.
    m.type("!")
    m.wait_all([r"serecho: ready \(open 2\)",
                r"serecho\] the console closed the channel that held the port before"])
    m.type("more\r")
    m.wait(r"MORE\r\n")

    # Typed while serecho does not read: its queue fills, the rest is dropped and counted.
    m.type("#")
    m.wait(r"serecho\] paused for 5 s")
    for _ in range(150):
        m.type("x")
        time.sleep(0.02)
    m.wait(r"serecho\] reading again", timeout=30)
    m.wait(r"X+")
    m.monitor()
    m.command("serial", r"held by a channel, 2 holders so far; typed: \d+ bytes forwarded, "
                        r"[1-9]\d* dropped \(holder's queue full\)")
    m.type("exit\r")  # as Ctrl-D does
    m.type("still\r")
    m.wait(r"STILL\r\n")

    # Stopped: the console has the port, and Ctrl-] is nothing special there.
    m.monitor()
    m.type("ctl stop serecho\r")
    m.wait(r"console: the serial port's holder closed its channel; the kernel console has it")
    m.wait(PROMPT)
    m.command(SWITCH + "uptime", r"^up \d+\.\d{3} s")
    m.type("ctl start serecho\r")
    m.wait(r"serecho: ready \(open 1\)")
    m.type("started\r")
    m.wait(r"STARTED\r\n")

    # Killed: the console has the port until the restarted serecho holds it again.
    m.monitor()
    m.type("ctl kill serecho\r")
    m.wait_all([r"startup\] serecho ended: killed",
                r"console: the serial port's holder closed its channel; the kernel console has it"])
    m.wait(r"startup\] serecho holds the serial port")
    m.wait(r"serecho: ready \(open 1\)")
    m.type("restarted\r")
    m.wait(r"RESTARTED\r\n")

    m.monitor()
    m.command("ctl list", r"^serecho +running +user +\d+ +[1-9]")
    m.type("shutdown\r")
    m.wait(r"power: shutting down")
    status = m.proc.wait(timeout=30)
    if status != 0:
        raise Failure(f"QEMU exited with {status}")
    if b"\r\r\n" in m.raw:
        raise Failure("a CR was added before a CR LF")


def main():
    qemu_run, kernel, archive = sys.argv[1:4]
    start = time.monotonic()
    m = Machine(qemu_run, kernel, archive)
    try:
        check(m)
    except Failure as e:
        print(f"\nserial: FAILED: {e}")
        return 1
    finally:
        if m.proc.poll() is None:
            m.proc.kill()
            m.proc.wait()
    print(f"\nserial: passed ({time.monotonic() - start:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
