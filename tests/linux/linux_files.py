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
import sys

import shell_checks

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
     [r"^cat: can't open '/a/.*/b': No such file or directory\n$"]),
    ("path_past_limit", "/bin/busybox cat " + LONG_PATH + "c", 1,
     [r"^cat: can't open '/a/.*/bc': File name too long\n$"]),
]
assert len(LONG_PATH) == 1024


def stellina_command(command):
    return command.format(bb="/bin/busybox", files="/linux/files", data="/linux/data",
                          applets="/usr/linux/bin", host="")


def host_command(command, linux_dir, workdir):
    return command.format(bb=os.path.join(linux_dir, "busybox"),
                          files=os.path.join(linux_dir, "files"),
                          data=shell_checks.data_dir(workdir),
                          applets=shell_checks.applets_dir(workdir, linux_dir,
                                                           ("echo", "cat", "wc")),
                          host="host")


def main():
    qemu_run, kernel, archive, programs, linux_dir, workdir = map(os.path.abspath, sys.argv[1:7])
    os.makedirs(workdir, exist_ok=True)
    scripts = ([(name, stellina_command(command)) for name, command in COMPARED]
               + [(name, command) for name, command, _, _ in STELLINA_ONLY])
    disk = shell_checks.make_disk(workdir, programs, linux_dir, scripts, "files",
                                  {"input.txt": TEXT})
    compared = [(name, lambda c=command: shell_checks.run_on_host(
        host_command(c, linux_dir, workdir), workdir)) for name, command in COMPARED]
    stellina_only = [(name, status, patterns) for name, _, status, patterns in STELLINA_ONLY]
    return shell_checks.run("linux_files", qemu_run, kernel, archive, disk, workdir, compared,
                            stellina_only)


if __name__ == "__main__":
    sys.exit(main())
