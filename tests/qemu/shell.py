#!/usr/bin/env python3
"""The shell over the serial console, compared with the host's: makes a disk with the
programs in /bin and the scripts in /tests, boots the "shell" test system (term runs
/bin/sh -i on the serial console), types `sh /tests/NAME.sh` for each script and checks that
what it printed (stdout and stderr together) and its exit status are the host's for the same
script under /bin/sh with the same commands (GNU coreutils). Each script runs in a fresh
directory (its current directory and HOME, /tmp/stellina-sh-NAME on both sides), its stdin
empty (/dev/null).

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


def load_qemu_run(path):
    spec = importlib.util.spec_from_file_location("qemu_run", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Machine:
    """A booted Stellina with its serial console: type lines, read what comes back."""

    def __init__(self, qemu_run, kernel, archive, disk, log, extra=()):
        """extra: more qemu_run.py options (e.g. --net user --forward H:G)."""
        args = qemu_run.parse_args([
            "--machine", "microvm", "--kernel", kernel, "--initrd", archive, "--disk", disk,
            "--qemu-arg=-global", "--qemu-arg=virtio-mmio.force-legacy=false", *extra])
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
        return True

    def start_shell(self, timeout=60):
        """Waits for the shell's first prompt, then has the kernel console print only
        warnings and errors (the log keeps every record: dmesg shows them), so the shell's
        output is not interleaved with the components' log lines."""
        self.wait_for(re.escape(PROMPT.encode()), timeout)
        self.type("\x1dloglevel warn\r")
        self.wait_for(rb"stellina> loglevel warn\r?\n", timeout)
        self.type("exit\r")
        self.wait_for(rb"stellina> exit\r?\n", timeout)

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
    (which the line editor may have wrapped) taken off."""
    typed_end = b"@@$?@@"
    machine.type(f"{line}; echo @@$?@@\r")
    deadline = time.monotonic() + timeout
    regex = re.compile(rb"(?:^|(?<=\n))@@(\d+)@@\r?\n")
    while True:
        echo = machine.text.find(typed_end)
        m = regex.search(machine.text, echo + len(typed_end)) if echo >= 0 else None
        if m:
            out = machine.text[echo + len(typed_end):m.start()]
            machine.text = machine.text[m.end():]
            out = out.replace(b"\r\n", b"\n")
            if out.startswith(b"\n"):
                out = out[1:]
            return out.decode("utf-8", "replace"), int(m.group(1))
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"{line!r}: no end within {timeout} s; have {machine.text[-400:]!r}")
        machine.read(min(remaining, 0.5))


def shell_messages(text, script):
    """dash names the script and line in its messages ("/x/t.sh: 4: foo: not found"); Stellina's
    sh says "sh: foo: not found". The words after the prefix are compared."""
    return re.sub(r"(?m)^" + re.escape(script) + r": \d+: ", "sh: ", text)


def on_host(script, workdir):
    env = {"PATH": "/usr/bin:/bin", "HOME": workdir, "LC_ALL": "C", "PWD": workdir}
    r = subprocess.run(["/bin/sh", script], cwd=workdir, env=env, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
    return shell_messages(r.stdout.decode("utf-8", "replace"), script), r.returncode


def make_disk(workdir, programs, scripts):
    disk = os.path.join(workdir, "disk.img")
    if os.path.exists(disk):
        os.remove(disk)
    subprocess.run([os.path.join(ROOT, "tools/mkdisk.sh"), disk, programs], check=True,
                   stdout=subprocess.DEVNULL)
    # Two executable scripts, started by name: one with a #! line, one without (sh runs it).
    hashbang = os.path.join(workdir, "hashbang")
    with open(hashbang, "w") as f:
        f.write("#!/bin/sh -e\necho \"hashbang: $0 $1\"\n")
    plain = os.path.join(workdir, "plain")
    with open(plain, "w") as f:
        f.write("echo \"plain: $1\"\n")
    # What runs a script on Stellina, in a line short enough not to wrap at the prompt.
    run = os.path.join(workdir, "run")
    with open(run, "w") as f:
        f.write('d=/tmp/stellina-sh-$1\nmkdir -p $d && cd $d && HOME=$d sh /tests/$1.sh 2>&1 '
                '</dev/null\n')
    commands = os.path.join(workdir, "debugfs.cmd")
    with open(commands, "w") as f:
        f.write("mkdir /tests\n")
        for s in scripts:
            f.write(f'write "{s}" "/tests/{os.path.basename(s)}"\n')
        f.write(f'write "{run}" "/tests/run"\n')
        for s in (hashbang, plain):
            f.write(f'write "{s}" "/tests/{os.path.basename(s)}"\n')
            f.write(f'sif "/tests/{os.path.basename(s)}" mode 0100755\n')
    subprocess.run(["debugfs", "-w", "-f", commands, disk], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return disk


# Pipelines of several programs over large data, each with its exact result (computed here
# the same way the host's tools would).
def big_pipelines():
    sevens = sum(1 for i in range(1, 200001) if "7" in str(i))
    return [
        ("seq 1 200000 | grep 7 | wc -l", f"{sevens}\n"),
        ("seq 1 100000 | sort -rn | head -n 3 | tr '\\n' ' '; echo", "100000 99999 99998 \n"),
        ("yes abc | head -n 50000 | uniq -c", "  50000 abc\n"),
        ("seq 1 300000 | tail -n 1", "300000\n"),
    ]


def interactive_checks(m, failures):
    """What has no host counterpart: a crash reported, Ctrl-C ending a foreground pipeline,
    typing to a program that reads the terminal, Ctrl-D ending its input."""
    def check(label, ok, detail=""):
        print(f"shell: {label}: {'ok' if ok else 'FAILED ' + detail}")
        if not ok:
            failures.append((label, "", detail))

    for line, expected in big_pipelines():
        out, status = on_stellina(m, line, timeout=180)
        check(f"pipeline '{line}'", out == expected and status == 0, f"{out!r} status {status}")

    # Scripts started by name: the #! line's interpreter, or sh without one.
    out, status = on_stellina(m, "/tests/hashbang one; cd /tests && ./plain two")
    check("scripts started by name", out == "hashbang: /tests/hashbang one\nplain: two\n"
          and status == 0, f"{out!r} {status}")

    # A program that faults: the shell says how it ended and goes on.
    out, status = on_stellina(m, "crash")
    check("crash reported", "Segmentation fault" in out and status == 139, f"{out!r} {status}")

    # Ctrl-C ends a pipeline that would run forever; the shell prompts again.
    m.type("yes | cat > /dev/null\r")
    time.sleep(2)
    m.type("\x03")
    m.wait_for(rb"\^C", 30)
    out, status = on_stellina(m, 'echo "after $?"')
    check("Ctrl-C ends a pipeline", out == "after 130\n" and status == 0, f"{out!r} {status}")

    # A program reading the terminal gets a line at a time; Ctrl-D ends its input.
    m.type("cat | tr a-z A-Z; echo @@$?@@\r")
    time.sleep(1)
    m.type("hello there\r")
    time.sleep(1)
    m.type("\x04")
    m.wait_for(rb"HELLO THERE\r?\n@@0@@", 30)
    check("typing to a program, Ctrl-D ends it", True)


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
            m.start_shell()
            for script in scripts:
                name = os.path.splitext(os.path.basename(script))[0]
                # The same directory on both sides, so that what prints it agrees.
                where = f"/tmp/stellina-sh-{name}"
                shutil.rmtree(where, ignore_errors=True)
                os.makedirs(where)
                try:
                    expected = on_host(script, where)
                finally:
                    shutil.rmtree(where, ignore_errors=True)
                got = on_stellina(m, f"sh /tests/run {name}")
                if got != expected:
                    failures.append((name, expected, got))
                    print(f"shell: {name}: FAILED\n--- host (status {expected[1]})\n{expected[0]}"
                          f"--- stellina (status {got[1]})\n{got[0]}---")
                else:
                    print(f"shell: {name}: ok ({len(expected[0].splitlines())} lines, "
                          f"status {expected[1]})")
            interactive_checks(m, failures)
            # History: a line typed now comes back with the up arrow after a restart.
            on_stellina(m, "echo remembered-line")
            m.type("\x1dshutdown\r")
            m.proc.wait(timeout=60)
        finally:
            m.stop()
        m = Machine(qemu_run, kernel, archive, disk, log)
        try:
            m.start_shell()
            m.type("\x1b[A\r")
            m.wait_for(rb"\nremembered-line\r?\n", 30)
            print("shell: history kept across a restart: ok")
        except TimeoutError as e:
            failures.append(("history", "", str(e)))
            print(f"shell: history kept across a restart: FAILED {e}")
        finally:
            m.stop()
    if failures:
        print(f"shell: {len(failures)} checks failed (of {len(scripts)} scripts and the rest)")
        return 1
    print(f"shell: all {len(scripts)} scripts match the host's sh; the interactive checks pass")
    return 0


if __name__ == "__main__":
    sys.exit(main())
