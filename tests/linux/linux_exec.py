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
exec racing the process's other threads and processes killed while their threads wait on
the file server (exec.c's "races", each race run many times). Then,
Stellina only, exec's own limits (exec.c's "limits"), at them and past them.

usage: linux_exec.py QEMU_RUN KERNEL ARCHIVE PROGRAMS_DIR LINUX_DIR WORKDIR
"""
import os
import sys

import shell_checks
from linux_files import TEXT

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


def stellina_command(command):
    return command.format(bb="/bin/busybox", exec="/linux/exec", data="/linux/data",
                          applets="/usr/linux/bin")


def host_command(command, linux_dir, workdir):
    return command.format(bb=os.path.join(linux_dir, "busybox"),
                          exec=os.path.join(linux_dir, "exec"),
                          data=shell_checks.data_dir(workdir),
                          applets=shell_checks.applets_dir(workdir, linux_dir, APPLETS))


def main():
    qemu_run, kernel, archive, programs, linux_dir, workdir = map(os.path.abspath, sys.argv[1:7])
    os.makedirs(workdir, exist_ok=True)
    only = os.environ.get("LINUX_EXEC_ONLY", "").split(",") if os.environ.get(
        "LINUX_EXEC_ONLY") else None
    compared = [c for c in COMPARED if not only or c[0] in only]
    stellina_only = [c for c in STELLINA_ONLY if not only or c[0] in only]
    scripts = ([(name, stellina_command(command)) for name, command in compared]
               + [(name, stellina_command(command)) for name, command, _, _ in stellina_only])
    disk = shell_checks.make_disk(workdir, programs, linux_dir, scripts, "exec", DATA)
    return shell_checks.run(
        "linux_exec", qemu_run, kernel, archive, disk, workdir,
        [(name, lambda c=command: shell_checks.run_on_host(host_command(c, linux_dir, workdir),
                                                           workdir))
         for name, command in compared],
        [(name, status, patterns) for name, _, status, patterns in stellina_only])


if __name__ == "__main__":
    sys.exit(main())
