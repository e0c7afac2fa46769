#!/usr/bin/env python3
"""Finds the kernel functions on the IPC round trip and writes kernel/hot_path.order.

Under TCG every address-space switch empties QEMU's software TLB, so each page of kernel
code a round trip runs after the switch costs a page walk. The linker packs the functions
listed in kernel/hot_path.order together (lld --symbol-ordering-file, with the kernel built
with -ffunction-sections), so the path touches a few pages of code instead of dozens.

This tool boots the test kernel with QEMU's `-d exec,nochain` (a line for every translated
block executed) on the IPC benchmark, one figure at a time (ipc_only=NAME), and keeps every
kernel function executed at least once per round trip that the normal kernel has too. It
prints, per figure, the blocks executed and the code pages touched per round trip, before
the order file is applied (the pages of the build it traced) and as the order file packs
them.

    python3 tools/hot_path.py [--build build] [--iterations 500] [--write]

Without --write it only prints what it found. Regenerate the file when the IPC path changes
(a function renamed out of the list only loses its place: lld warns, the build goes on).
"""

import argparse
import bisect
import collections
import os
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ORDER = os.path.join(REPO, "kernel", "hot_path.order")
FIGURES = ("null_syscall", "channel", "call_user_user")
KERNEL_HALF = 0xFFFF800000000000


def symbols(elf):
    """Sorted [(address, size, name)] of the functions in elf."""
    out = subprocess.run(["llvm-nm-14", "-n", "-S", "--defined-only", elf], check=True,
                         capture_output=True, text=True).stdout
    syms = []
    for line in out.splitlines():
        p = line.split()
        if len(p) == 4 and p[2] in "tTwW":
            syms.append((int(p[0], 16), int(p[1], 16), p[3]))
    return sorted(syms)


def trace(build, figure, iterations):
    """{pc: executions} of the blocks one run of the figure executed (without the kernel's
    event trace, whose bookkeeping grows with the iterations too)."""
    with tempfile.TemporaryDirectory(dir=build) as tmp:
        log = os.path.join(tmp, "exec.log")
        cmd = ["qemu-system-x86_64", "-accel", "tcg", "-cpu", "qemu64,+smep,+smap", "-M", "microvm",
               "-m", "128", "-display", "none", "-nographic", "-no-reboot",
               "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
               "-kernel", os.path.join(build, "kernel", "stellina-test.elf"),
               "-initrd", os.path.join(build, "user", "boot.archive"),
               "-append", f"ktest=manual_ipc_bench ipc_iterations={iterations} ipc_only={figure} ipc_trace=0",
               "-d", "exec,nochain", "-D", log]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
        if r.returncode != 33:
            sys.exit(f"hot_path: the {figure} run failed (status {r.returncode}):\n{r.stdout[-2000:]}")
        counts = collections.Counter()
        with open(log, errors="replace") as f:
            for line in f:
                if not line.startswith("Trace "):
                    continue
                fields = line.split("[", 1)[1].split("/")
                counts[int(fields[1], 16)] += 1
        return counts


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default=os.path.join(REPO, "build"))
    ap.add_argument("--iterations", type=int, default=500)
    ap.add_argument("--write", action="store_true", help=f"write {os.path.relpath(ORDER, REPO)}")
    ap.add_argument("--figures", default=",".join(FIGURES), help="comma-separated")
    ap.add_argument("--top", type=int, default=0, help="print the N functions with most blocks")
    args = ap.parse_args()
    test_syms = symbols(os.path.join(args.build, "kernel", "stellina-test.elf"))
    normal = {name for _, _, name in symbols(os.path.join(args.build, "kernel", "stellina.elf"))}
    starts = [a for a, _, _ in test_syms]
    # Two runs, n and 2n round trips (each with a tenth more of warm-up): the difference is
    # n round trips' worth, without boot, process start and end.
    extra = args.iterations + args.iterations // 10
    hot = collections.Counter()
    for figure in args.figures.split(","):
        once = trace(args.build, figure, args.iterations)
        twice = trace(args.build, figure, 2 * args.iterations)
        blocks = {"kernel": 0, "user": 0}
        pages = set()
        functions = collections.Counter()
        for pc, n2 in twice.items():
            n = n2 - once.get(pc, 0)
            if n < extra // 2:
                continue  # not run by every round trip
            half = "kernel" if pc >= KERNEL_HALF else "user"
            blocks[half] += n
            if half == "user":
                continue
            pages.add(pc >> 12)
            i = bisect.bisect_right(starts, pc) - 1
            if i >= 0:
                functions[test_syms[i][2]] += n
        kept = {name: n for name, n in functions.items() if name in normal}
        for name, n in functions.most_common(args.top):
            print(f"  {n / extra:7.1f} {name}")
        hot.update(kept)
        print(f"{figure}: per round trip {blocks['kernel'] / extra:.0f} kernel blocks, "
              f"{blocks['user'] / extra:.0f} user blocks; kernel code on {len(pages)} pages "
              f"in this build; {len(kept)} kernel functions")
    ordered = [name for name, _ in hot.most_common()]
    sizes = {name: size for _, size, name in test_syms}
    total = sum(sizes.get(n, 0) for n in ordered)
    print(f"{len(ordered)} functions, {total} bytes: {(total + 4095) // 4096} pages once packed")
    if args.write:
        with open(ORDER, "w") as f:
            f.write("\n".join(ordered) + "\n")
        print(f"wrote {os.path.relpath(ORDER, REPO)}")


if __name__ == "__main__":
    main()
