#!/usr/bin/env python3
"""The shell over the serial console, compared with the host's: makes a disk with the
programs in /bin and the scripts in /tests, boots the "shell" test system (term runs
/bin/sh -i on the serial console), types `sh /tests/NAME.sh` for each script and checks that
what it printed (stdout and stderr together) and its exit status are the host's for the same
script under /bin/sh with the same commands (GNU coreutils). Each script runs in a fresh
directory (its current directory on both sides: /tmp/NAME on Stellina).

Then the interactive parts, which have no host counterpart: a crashing command reported and
the shell going on, Ctrl-C ending a foreground pipeline, history kept across a reboot.

usage: shell.py QEMU_RUN KERNEL ARCHIVE PROGRAMS_DIR WORKDIR SCRIPT...
"""
import importlib.util
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROMPT = "$ "
# A kernel log line, wherever it lands in the shell's output (it is printed whole).
LOG_LINE = re.compile(rb"\[\s*\d+\.\d{6}\] [a-z]+: [^\n]*\n")


def load_qemu_run(path):
    spec = importlib.util.spec_from_file_location("qemu_run", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Machine:
    """A booted Stellina with its serial console: type lines, read what comes back."""

    def __init__(self, qemu_run, kernel, archive, disk, log):
        args = qemu_run.parse_args([
            "--machine", "microvm", "--kernel", kernel, "--initrd", archive, "--disk", disk,
            "--qemu-arg=-global", "--qemu-arg=virtio-mmio.force-legacy=false"])
        self.proc = subprocess.Popen(qemu_run.qemu_command(args), stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.raw = b""  # everything, for the log
        self.text = b""  # what the shell printed, logs taken out, not yet consumed
        self.log = log

    def read(self, timeout):
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            return False
        chunk = os.read(self.proc.stdout.fileno(), 65536)
        if not chunk:
            raise RuntimeError("QEMU ended")
        self.log.write(chunk.decode("utf-8", "replace"))
        self.log.flush()
        self.raw += chunk
        self.text += chunk
        # Take out whole log lines; a partial one waits for its end.
        self.text = LOG_LINE.sub(b"", self.text)
        return True

    def wait_for(self, pattern, timeout):
        """Consumes output up to and including the first match of pattern (bytes regex);
        returns what came before it."""
        deadline = time.monotonic() + timeout
        regex = re.compile(pattern)
        while True:
            m = regex.search(self.text)
            if m:
                before = self.text[:m.start()]
                self.text = self.text[m.end():]
                return before
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no {pattern!r} within {timeout} s; have {self.text[-300:]!r}")
            self.read(min(remaining, 0.5))

    def type(self, text):
        self.proc.stdin.write(text.encode())
        self.proc.stdin.flush()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


def on_stellina(machine, line, timeout=90):
    """Types line and a status marker; returns (output, status), the echo of the typed line
    taken off."""
    machine.type(f"{line}; echo @@$?@@\r")
    deadline = time.monotonic() + timeout
    regex = re.compile(rb"(?:^|\n)@@(\d+)@@\r?\n")
    while True:
        # The typed line comes back first (the shell echoes it): skip past it.
        m = regex.search(machine.text)
        if m:
            out = machine.text[:m.start()]
            machine.text = machine.text[m.end():]
            out = out.replace(b"\r\n", b"\n")
            first_newline = out.find(b"\n")
            out = b"" if first_newline < 0 else out[first_newline + 1:]
            return out.decode("utf-8", "replace"), int(m.group(1))
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"{line!r}: no end within {timeout} s; have {machine.text[-400:]!r}")
        machine.read(min(remaining, 0.5))


def on_host(script, workdir):
    env = {"PATH": "/usr/bin:/bin", "HOME": workdir, "LC_ALL": "C", "PWD": workdir}
    r = subprocess.run(["/bin/sh", script], cwd=workdir, env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=60)
    return r.stdout.decode("utf-8", "replace"), r.returncode


def make_disk(workdir, programs, scripts):
    disk = os.path.join(workdir, "disk.img")
    if os.path.exists(disk):
        os.remove(disk)
    subprocess.run([os.path.join(ROOT, "tools/mkdisk.sh"), disk, programs], check=True,
                   stdout=subprocess.DEVNULL)
    commands = os.path.join(workdir, "debugfs.cmd")
    with open(commands, "w") as f:
        f.write("mkdir /tests\n")
        for s in scripts:
            f.write(f'write "{s}" "/tests/{os.path.basename(s)}"\n')
    subprocess.run(["debugfs", "-w", "-f", commands, disk], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return disk


def main():
    qemu_run_path, kernel, archive, programs, workdir = sys.argv[1:6]
    scripts = sys.argv[6:]
    os.makedirs(workdir, exist_ok=True)
    qemu_run = load_qemu_run(qemu_run_path)
    disk = make_disk(workdir, programs, scripts)
    failures = []
    with open(os.path.join(workdir, "serial.log"), "w") as log:
        m = Machine(qemu_run, kernel, archive, disk, log)
        try:
            m.wait_for(re.escape(PROMPT.encode()), 60)
            for script in scripts:
                name = os.path.splitext(os.path.basename(script))[0]
                host_dir = tempfile.mkdtemp(prefix=f"shell-{name}-")
                try:
                    expected = on_host(script, host_dir)
                finally:
                    shutil.rmtree(host_dir, ignore_errors=True)
                got = on_stellina(m, f"mkdir -p /tmp/{name} && cd /tmp/{name} && "
                                     f"sh /tests/{os.path.basename(script)} 2>&1")
                if got != expected:
                    failures.append((name, expected, got))
                    print(f"shell: {name}: FAILED\n--- host (status {expected[1]})\n{expected[0]}"
                          f"--- stellina (status {got[1]})\n{got[0]}---")
                else:
                    print(f"shell: {name}: ok ({len(expected[0].splitlines())} lines, "
                          f"status {expected[1]})")
        finally:
            m.stop()
    if failures:
        print(f"shell: {len(failures)} of {len(scripts)} scripts differ from the host's sh")
        return 1
    print(f"shell: all {len(scripts)} scripts match the host's sh")
    return 0


if __name__ == "__main__":
    sys.exit(main())
