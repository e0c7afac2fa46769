"""Checks typed at Stellina's shell and compared with the host, for the Linux tests.

linux_files.py, linux_exec.py and linux_mem.py each name their checks; this module makes
their disk (as `make run`'s, with the checks' scripts in /linux/c, data in /linux/data and
the test program in /linux), runs each compared check at Stellina's shell and on the host in
a fresh directory (output and exit status must be the same), and each Stellina-only check
against its status and the regexes its output must match in order.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "qemu"))
import shell  # noqa: E402  (tests/qemu/shell.py: the Machine, on_stellina)


def _write(path, text):
    with open(path, "w") as f:
        f.write(text)


def make_disk(workdir, programs, linux_dir, scripts, program, data=None):
    """disk.img in workdir: make run's disk, each (key, command) of scripts as
    /linux/c/KEY.sh (run in a fresh /tmp/KEY, its errors with its output), data's
    {name: text} in /linux/data and linux_dir's program as /linux/PROGRAM."""
    disk = os.path.join(workdir, "disk.img")
    if os.path.exists(disk):
        os.remove(disk)
    env = dict(os.environ, BUSYBOX=os.path.join(linux_dir, "busybox"))
    subprocess.run([os.path.join(shell.ROOT, "tools/mkdisk.sh"), disk, programs], check=True,
                   stdout=subprocess.DEVNULL, env=env)
    extra, scripts_dir = data_dir(workdir), os.path.join(workdir, "scripts")
    for d in (extra, scripts_dir):
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
    for name, text in (data or {}).items():
        _write(os.path.join(extra, name), text)
    for key, command in scripts:
        _write(os.path.join(scripts_dir, f"{key}.sh"),
               f"mkdir -p /tmp/{key} && cd /tmp/{key} && {command} 2>&1\n")
    commands = ["mkdir /linux", "mkdir /linux/c", "mkdir /linux/data"]
    commands += [f'write "{os.path.join(scripts_dir, key + ".sh")}" "/linux/c/{key}.sh"'
                 for key, _ in scripts]
    commands += [f'write "{os.path.join(extra, name)}" "/linux/data/{name}"' for name in data or {}]
    commands += [f'write "{os.path.join(linux_dir, program)}" "/linux/{program}"',
                 f'sif "/linux/{program}" mode 0100755']
    command_file = os.path.join(workdir, "debugfs.cmd")
    _write(command_file, "\n".join(commands) + "\n")
    subprocess.run(["debugfs", "-w", "-f", command_file, disk], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return disk


def data_dir(workdir):
    """Where the host's copies of /linux/data's files are."""
    return os.path.join(workdir, "extra")


def applets_dir(workdir, linux_dir, names):
    """A directory of links to busybox, one per applet name (the host's /usr/linux/bin)."""
    applets = os.path.join(workdir, "applets")
    shutil.rmtree(applets, ignore_errors=True)
    os.makedirs(applets)
    for name in names:
        os.symlink(os.path.join(linux_dir, "busybox"), os.path.join(applets, name))
    return applets


def run_on_host(line, workdir):
    """(output, status) of the shell command line, run in a fresh directory of workdir."""
    where = tempfile.mkdtemp(prefix="stellina-linux-", dir=workdir)
    try:
        r = subprocess.run(["/bin/sh", "-c", f"umask 022; ({line}) 2>&1"], cwd=where,
                           env={"PATH": "/usr/bin:/bin", "LC_ALL": "C", "PWD": where, "TZ": "UTC"},
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=120)
        return r.stdout.decode("utf-8", "replace"), r.returncode
    finally:
        shutil.rmtree(where, ignore_errors=True)


def first_missing(out, patterns):
    """The first regex not found in out after the previous one's match, or None."""
    at = 0
    for pattern in patterns:
        found = re.compile(pattern).search(out, at)
        if not found:
            return pattern
        at = found.end()
    return None


def run(tag, qemu_run_path, kernel, archive, disk, workdir, compared, stellina_only,
        clean=lambda out: out):
    """Boots the shell with disk and runs the checks: compared, [(key, host_result)] with
    host_result() the host's (output, status); stellina_only, [(key, status, regexes)].
    clean(output) drops what is not the program's own (kernel log lines). Returns the
    process's exit status."""
    qemu_run = shell.load_qemu_run(qemu_run_path)
    failures = []
    with open(os.path.join(workdir, "serial.log"), "w") as log:
        m = shell.Machine(qemu_run, kernel, archive, disk, log)
        try:
            m.start_shell()
            for key, host_result in compared:
                expected = host_result()
                out, status = shell.on_stellina(m, f"sh /linux/c/{key}.sh", 300)
                got = (clean(out), status)
                if got != expected:
                    failures.append(key)
                    print(f"{tag}: {key}: FAILED\n--- host (status {expected[1]})\n"
                          f"{expected[0]}--- stellina (status {got[1]})\n{got[0]}---")
                else:
                    print(f"{tag}: {key}: ok ({len(expected[0].splitlines())} lines, "
                          f"status {expected[1]})")
            for key, status, patterns in stellina_only:
                out, got = shell.on_stellina(m, f"sh /linux/c/{key}.sh", 300)
                missing = first_missing(out, patterns)
                if got != status or missing:
                    failures.append(key)
                    print(f"{tag}: {key}: FAILED (status {got}, want {status}; "
                          f"missing {missing!r})\n{out}---")
                else:
                    print(f"{tag}: {key}: ok (status {got})")
            m.type("\x1dshutdown\r")
            m.proc.wait(timeout=60)
        finally:
            m.stop()
    total = len(compared) + len(stellina_only)
    if failures:
        print(f"{tag}: {len(failures)} of {total} checks failed: {', '.join(failures)}")
        return 1
    print(f"{tag}: all {total} checks passed")
    return 0
