#!/usr/bin/env python3
"""Linux programs that start other programs (execve), from Stellina's shell, compared with the host.

As linux_files.py: a disk made as `make run`'s (busybox as /bin/busybox, its applets as
links in /usr/linux/bin) with the test program tests/linux/exec.c in /linux and input files
in /linux/data; each check is typed at Stellina's shell and run in a fresh directory, and
the same command runs on the host under /bin/sh in a fresh directory with the same
binaries; what each printed (stdout and stderr together) and the exit status must be the
same. busybox's sh runs with only the applet links on its PATH, so every command it does
not run itself is a program it forks and execs: pipelines of applets, command
substitution, xargs and find -exec, tar and gzip round trips, awk, sort and md5sum, and
exec racing the process's other threads (exec.c's "races", each race run many times). Then,
Stellina only, exec's own limits (exec.c's "limits"), at them and past them.

usage: linux_exec.py QEMU_RUN KERNEL ARCHIVE PROGRAMS_DIR LINUX_DIR WORKDIR
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "qemu"))
sys.path.insert(0, HERE)
import shell  # noqa: E402  (tests/qemu/shell.py: the Machine, on_stellina)
from linux_files import TEXT  # noqa: E402

# Files beside input.txt: awk programs (kept out of the shell's quoting).
DATA = {
    "input.txt": TEXT,
    "sum.awk": "BEGIN { FS = \":\" } { n += length($2); if ($2 ~ /slow/) s++ }"
               " END { print NR, n, s }\n",
    "fields.awk": "$4 == \"slow\" && $NF % 7 == 0 { print $2, $NF }\n",
}

APPLETS = ["awk", "cat", "cmp", "cp", "cut", "echo", "false", "find", "grep", "gunzip", "gzip",
           "head", "ls", "md5sum", "mkdir", "rm", "sed", "sh", "sort", "tail", "tar", "tr",
           "true", "uniq", "wc", "xargs"]

# (name, command): {bb} is busybox, {exec} the test program, {data} the directory of DATA,
# {applets} the directory of busybox's applet links. {{}} is find's {}.
SH = "PATH={applets} {bb} sh -c "
COMPARED = [
    ("exec_program", "{exec} run {bb}"),
    ("exec_races", "{exec} races"),
    ("sh_runs_applets", SH + "'cat {data}/input.txt | wc -l; echo status $?; false; echo $?;"
                             " cat missing; echo $?; nothere; echo $?'"),
    ("pipeline", SH + "'cat {data}/input.txt | grep slow | sort -t: -k2 -r | head -n 4 | tr a-z A-Z"
                      " | cut -c1-30; grep -c quick {data}/input.txt | sed s/^/quick:/'"),
    ("command_substitution", SH + "'n=$(wc -l < {data}/input.txt); echo lines $n;"
                                  " echo words $(cat {data}/input.txt | wc -w);"
                                  " echo $(echo nested $(echo deep | tr a-z A-Z))'"),
    ("sh_c", SH + "'sh -c \"echo inner \\$0 \\$1\" zero one; sh -c \"exit 5\"; echo inner status $?'"),
    ("xargs", SH + "'mkdir d; for i in 1 2 3 4 5 6 7; do echo file $i > d/f$i; done;"
                   " ls d | xargs -n 3 echo; ls d | sed s,^,d/, | xargs cat | sort -r | head -n 3;"
                   " echo a b c | xargs -n 1 | wc -l'"),
    ("find_exec", SH + "'mkdir -p t/a t/b; echo x > t/a/one; echo yy > t/b/two; echo zzz > t/three;"
                       " find t -type f | sort; find t -type f -exec wc -c {{}} \\; | sort;"
                       " find t -name \"t*\" -type f -exec cat {{}} + | sort'"),
    ("tar_gzip", SH + "'mkdir -p src/sub out; cp {data}/input.txt src/; echo hi > src/sub/h;"
                      " tar cf a.tar src && tar tf a.tar | sort; gzip -9 a.tar && ls;"
                      " gunzip a.tar.gz && tar xof a.tar -C out && ls out/src;"
                      " cmp src/input.txt out/src/input.txt && echo same;"
                      " cat {data}/input.txt | gzip | gunzip | md5sum; tar cf - src | tar tf - | wc -l'"),
    ("awk", SH + "'awk -f {data}/sum.awk {data}/input.txt; awk -f {data}/fields.awk {data}/input.txt"
                 " | head -n 5; echo 3 4 | awk \"{{ print \\$1 * \\$2 }}\"'"),
    ("sort_md5sum", SH + "'sort -k5 -n {data}/input.txt | md5sum; sort -u -t: -k2,2 {data}/input.txt"
                         " | wc -l; cd {data} && find . -name \"*.txt\" | sort && md5sum input.txt;"
                         " cat input.txt | uniq -c | wc -l'"),
]

# (name, command, status, regexes the output must match, in order): Stellina's own limits.
STELLINA_ONLY = [
    ("exec_limits", "{exec} limits", 0, [
        r"256 arguments: exited 7\n",
        r"257 arguments: -1 E2BIG\n",
        r"256 environment entries: exited 2\n",
        r"257 environment entries: -1 E2BIG\n",
        r"child: full\n32 KiB of strings: exited 7\n",
        r"32 KiB and one byte: -1 E2BIG\n",
        r"a Stellina program: -1 ENOEXEC\n",
        r"child: 4 MiB image\na 4 MiB image: exited 7\n",
        r"an image of 4 MiB and one byte: -1 ENOMEM\n",
        r"done\n$"]),
]


def make_disk(workdir, programs, linux_dir, scripts):
    disk = os.path.join(workdir, "disk.img")
    if os.path.exists(disk):
        os.remove(disk)
    env = dict(os.environ, BUSYBOX=os.path.join(linux_dir, "busybox"))
    subprocess.run([os.path.join(shell.ROOT, "tools/mkdisk.sh"), disk, programs], check=True,
                   stdout=subprocess.DEVNULL, env=env)
    extra = os.path.join(workdir, "extra")
    shutil.rmtree(extra, ignore_errors=True)
    os.makedirs(extra)
    for name, text in DATA.items():
        with open(os.path.join(extra, name), "w") as f:
            f.write(text)
    scripts_dir = os.path.join(workdir, "scripts")
    shutil.rmtree(scripts_dir, ignore_errors=True)
    os.makedirs(scripts_dir)
    for key, command in scripts:
        with open(os.path.join(scripts_dir, f"{key}.sh"), "w") as f:
            f.write(f"mkdir -p /tmp/{key} && cd /tmp/{key} && {command} 2>&1\n")
    commands = os.path.join(workdir, "debugfs.cmd")
    with open(commands, "w") as f:
        f.write("mkdir /linux\nmkdir /linux/c\nmkdir /linux/data\n")
        for key, _ in scripts:
            f.write(f'write "{os.path.join(scripts_dir, key + ".sh")}" "/linux/c/{key}.sh"\n')
        for name in DATA:
            f.write(f'write "{os.path.join(extra, name)}" "/linux/data/{name}"\n')
        f.write(f'write "{os.path.join(linux_dir, "exec")}" "/linux/exec"\n')
        f.write('sif "/linux/exec" mode 0100755\n')
    subprocess.run(["debugfs", "-w", "-f", commands, disk], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return disk


def stellina_command(command):
    return command.format(bb="/bin/busybox", exec="/linux/exec", data="/linux/data",
                          applets="/usr/linux/bin")


def on_host(command, linux_dir, workdir):
    where = tempfile.mkdtemp(prefix="stellina-exec-", dir=workdir)
    applets = os.path.join(workdir, "applets")
    shutil.rmtree(applets, ignore_errors=True)
    os.makedirs(applets)
    for name in APPLETS:
        os.symlink(os.path.join(linux_dir, "busybox"), os.path.join(applets, name))
    try:
        line = command.format(bb=os.path.join(linux_dir, "busybox"),
                              exec=os.path.join(linux_dir, "exec"),
                              data=os.path.join(workdir, "extra"), applets=applets)
        r = subprocess.run(["/bin/sh", "-c", f"umask 022; ({line}) 2>&1"], cwd=where,
                           env={"PATH": "/usr/bin:/bin", "LC_ALL": "C", "PWD": where, "TZ": "UTC"},
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=120)
        return r.stdout.decode("utf-8", "replace"), r.returncode
    finally:
        shutil.rmtree(where, ignore_errors=True)


def main():
    qemu_run_path, kernel, archive, programs, linux_dir, workdir = map(os.path.abspath,
                                                                       sys.argv[1:7])
    os.makedirs(workdir, exist_ok=True)
    only = os.environ.get("LINUX_EXEC_ONLY", "").split(",") if os.environ.get(
        "LINUX_EXEC_ONLY") else None
    compared = [c for c in COMPARED if not only or c[0] in only]
    stellina_only = [c for c in STELLINA_ONLY if not only or c[0] in only]
    qemu_run = shell.load_qemu_run(qemu_run_path)
    scripts = ([(name, stellina_command(command)) for name, command in compared]
               + [(name, stellina_command(command)) for name, command, _, _ in stellina_only])
    disk = make_disk(workdir, programs, linux_dir, scripts)
    failures = []
    with open(os.path.join(workdir, "serial.log"), "w") as log:
        m = shell.Machine(qemu_run, kernel, archive, disk, log)
        try:
            m.start_shell()
            for name, command in compared:
                expected = on_host(command, linux_dir, workdir)
                got = shell.on_stellina(m, f"sh /linux/c/{name}.sh", 300)
                if got != expected:
                    failures.append(name)
                    print(f"linux_exec: {name}: FAILED\n--- host (status {expected[1]})\n"
                          f"{expected[0]}--- stellina (status {got[1]})\n{got[0]}---")
                else:
                    print(f"linux_exec: {name}: ok ({len(expected[0].splitlines())} lines, "
                          f"status {expected[1]})")
            for name, command, status, patterns in stellina_only:
                out, got = shell.on_stellina(m, f"sh /linux/c/{name}.sh", 300)
                at, missing = 0, None
                for pattern in patterns:
                    found = re.compile(pattern).search(out, at)
                    if not found:
                        missing = pattern
                        break
                    at = found.end()
                if got != status or missing:
                    failures.append(name)
                    print(f"linux_exec: {name}: FAILED (status {got}, want {status}; "
                          f"missing {missing!r})\n{out}---")
                else:
                    print(f"linux_exec: {name}: ok (status {got})")
            m.type("\x1dshutdown\r")
            m.proc.wait(timeout=60)
        finally:
            m.stop()
    total = len(compared) + len(stellina_only)
    if failures:
        print(f"linux_exec: {len(failures)} of {total} checks failed: {', '.join(failures)}")
        return 1
    print(f"linux_exec: all {total} checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
