#!/usr/bin/env python3
"""Linux programs on files, started from Stellina's shell and compared with the host.

Makes a disk as `make run` does (tools/mkdisk.sh: busybox as /bin/busybox, its applets as
links in /usr/linux/bin) with the test program tests/linux/files.c in /linux and a text in
/linux/data, boots the "shell" test system and types each check at the shell on the serial
console: the shell recognises the Linux ELF and starts it with the Linux personality, its
namespace and its directory. Each check runs in a fresh directory of its own under /tmp,
and the same command runs on the host under /bin/sh in a fresh directory, with the same
binaries; what each printed (stdout and stderr together) and the exit status must be the
same. Where an output holds what differs by nature (owners, times), the check keeps only
what is comparable (ls -l's type and permissions, links, size and name). Then what has no
host counterpart: the path length limit, at it and past it.

usage: linux_files.py QEMU_RUN KERNEL ARCHIVE PROGRAMS_DIR LINUX_DIR WORKDIR
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "qemu"))
import shell  # noqa: E402  (tests/qemu/shell.py: the Machine, on_stellina)

TEXT = "".join(f"line {i}: the {'quick' if i % 3 else 'slow'} brown fox {i * 7919 % 1000}\n"
               for i in range(1, 1501))

# ls -l without owners and times: type and permissions, links, size, name (and a link's
# target); nor the total of blocks, which each file system counts its own way.
LS_L = ("{bb} ls -l | {bb} grep -v '^total' | {bb} sed -E 's/ +/ /g'"
        " | {bb} cut -d' ' -f1,2,5,9-")

# (name, command): {bb} is busybox, {files} the test program, {data} the directory with
# input.txt, {applets} the directory of busybox's applet links, {host} "host" on the host
# (the program then lowers its descriptor limit to Stellina's 256) and nothing in Stellina.
COMPARED = [
    ("files_program", "{files} {host}"),
    ("cat", "{bb} cat {data}/input.txt"),
    ("cat_missing", "{bb} cat missing"),
    ("cp_wc", "{bb} cp {data}/input.txt . && {bb} wc input.txt && {bb} wc -l < input.txt"),
    ("head_tail", "{bb} head -n 5 {data}/input.txt && {bb} tail -n 3 {data}/input.txt"),
    ("md5sum", "{bb} cp {data}/input.txt in.txt && {bb} md5sum in.txt"),
    ("grep", "{bb} grep -n 'slow brown fox 9' {data}/input.txt; {bb} grep -c quick {data}/input.txt;"
             " {bb} grep nothing-like-this {data}/input.txt"),
    ("sed", "{bb} sed -n 's/quick/QUICK/p' {data}/input.txt | {bb} head -n 4"),
    ("sort", "{bb} sort -t: -k2 {data}/input.txt | {bb} md5sum; {bb} sort -rn {data}/input.txt"
             " | {bb} head -n 3"),
    ("mkdir_rmdir_rm", "{bb} mkdir -p a/b/c && {bb} ls -R a && {bb} rmdir a/b/c && {bb} rmdir a/b"
                       " && {bb} rmdir a && {bb} ls; {bb} mkdir x && {bb} mkdir x;"
                       " {bb} rmdir missing; {bb} mkdir -p t/u/v && {bb} cp {data}/input.txt"
                       " t/u/v/f && {bb} rm -r t && {bb} ls"),
    ("mv_ln_readlink", "{bb} cp {data}/input.txt one && {bb} mv one two && {bb} ln -s two link"
                       " && {bb} readlink link && {bb} cat link | {bb} wc -c && {bb} mkdir dir"
                       " && {bb} mv two dir/ && {bb} ls dir && {bb} readlink -f dir/two | {bb} sed 's,.*/,,';"
                       " {bb} mv missing x"),
    ("cp", "{bb} cp {data}/input.txt a && {bb} cp a b && {bb} mkdir d && {bb} cp a b d/ &&"
           " {bb} cmp a d/b && {bb} ls d && {bb} cp -r d e && {bb} ls e; {bb} cp nothing z"),
    ("ls_l", "{bb} cp {data}/input.txt file && {bb} ln -s file link && {bb} touch empty && "
             + LS_L),
    ("ls_types", "{bb} mkdir sub && {bb} touch f && {bb} ln -s f l && {bb} ls -F && {bb} ls -a"),
    ("applet_links", "{applets}/echo through the applet link && {applets}/cat {data}/input.txt"
                     " | {applets}/wc -l"),
    # busybox sh's redirections to and from files, in forked subshells and command
    # substitution too (its builtins: other commands need exec).
    ("sh_redirections", "{bb} sh -c 'echo one > o.txt; echo two >> o.txt; read a < o.txt;"
                        " echo first $a; x=$(read b < o.txt; echo in $b); echo $x;"
                        " (echo sub; echo more) > s.txt; (read c; read d; echo $d $c) < s.txt'"),
    # A name of 255 bytes (NAME_MAX) is made, one of 256 is ENAMETOOLONG, on both.
    ("name_max", "{bb} touch " + "n" * 255 + " && {bb} ls; {bb} touch " + "m" * 256),
]

# (name, command, status, regex the output must match): what has no host counterpart. A
# path is at most 1,024 bytes here (the VFS's limit; Linux's is 4,096): at it the file is
# looked for, past it the path is refused.
LONG_PATH = "/" + "a/" * 511 + "b"
STELLINA_ONLY = [
    ("path_at_limit", "/bin/busybox cat " + LONG_PATH, 1,
     r"^cat: can't open '/a/.*/b': No such file or directory\n$"),
    ("path_past_limit", "/bin/busybox cat " + LONG_PATH + "c", 1,
     r"^cat: can't open '/a/.*/bc': File name too long\n$"),
]
assert len(LONG_PATH) == 1024


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
    with open(os.path.join(extra, "input.txt"), "w") as f:
        f.write(TEXT)
    # Each check in a script of its own, run in a fresh directory: the typed line stays short.
    for key, command in scripts:
        with open(os.path.join(extra, f"{key}.sh"), "w") as f:
            f.write(f"mkdir -p /tmp/{key} && cd /tmp/{key} && {command} 2>&1\n")
    commands = os.path.join(workdir, "debugfs.cmd")
    with open(commands, "w") as f:
        f.write("mkdir /linux\nmkdir /linux/c\nmkdir /linux/data\n")
        for key, _ in scripts:
            f.write(f'write "{os.path.join(extra, key + ".sh")}" "/linux/c/{key}.sh"\n')
        f.write(f'write "{os.path.join(extra, "input.txt")}" "/linux/data/input.txt"\n')
        f.write(f'write "{os.path.join(linux_dir, "files")}" "/linux/files"\n')
        f.write('sif "/linux/files" mode 0100755\n')
    subprocess.run(["debugfs", "-w", "-f", commands, disk], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return disk


def stellina_command(command):
    return command.format(bb="/bin/busybox", files="/linux/files", data="/linux/data",
                          applets="/usr/linux/bin", host="")


def on_host(command, linux_dir, workdir):
    where = tempfile.mkdtemp(prefix="stellina-linux-", dir=workdir)
    data = os.path.join(workdir, "extra")
    applets = os.path.join(workdir, "applets")
    shutil.rmtree(applets, ignore_errors=True)
    os.makedirs(applets)
    for name in ("echo", "cat", "wc"):
        os.symlink(os.path.join(linux_dir, "busybox"), os.path.join(applets, name))
    try:
        line = command.format(bb=os.path.join(linux_dir, "busybox"),
                              files=os.path.join(linux_dir, "files"), data=data,
                              applets=applets, host="host")
        # The program's name as Stellina gives it (argv[0] is the path typed).
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
    qemu_run = shell.load_qemu_run(qemu_run_path)
    scripts = ([(name, stellina_command(command)) for name, command in COMPARED]
               + [(name, command) for name, command, _, _ in STELLINA_ONLY])
    disk = make_disk(workdir, programs, linux_dir, scripts)
    failures = []
    with open(os.path.join(workdir, "serial.log"), "w") as log:
        m = shell.Machine(qemu_run, kernel, archive, disk, log)
        try:
            m.start_shell()
            for name, command in COMPARED:
                expected = on_host(command, linux_dir, workdir)
                got = shell.on_stellina(m, f"sh /linux/c/{name}.sh", 300)
                if got != expected:
                    failures.append(name)
                    print(f"linux_files: {name}: FAILED\n--- host (status {expected[1]})\n"
                          f"{expected[0]}--- stellina (status {got[1]})\n{got[0]}---")
                else:
                    print(f"linux_files: {name}: ok ({len(expected[0].splitlines())} lines, "
                          f"status {expected[1]})")
            for name, command, status, pattern in STELLINA_ONLY:
                out, got = shell.on_stellina(m, f"sh /linux/c/{name}.sh", 300)
                if got != status or not re.search(pattern, out):
                    failures.append(name)
                    print(f"linux_files: {name}: FAILED (status {got}, want {status})\n{out}---")
                else:
                    print(f"linux_files: {name}: ok (status {got})")
            m.type("\x1dshutdown\r")
            m.proc.wait(timeout=60)
        finally:
            m.stop()
    total = len(COMPARED) + len(STELLINA_ONLY)
    if failures:
        print(f"linux_files: {len(failures)} of {total} checks failed: {', '.join(failures)}")
        return 1
    print(f"linux_files: all {total} checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
