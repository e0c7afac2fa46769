"""IPC: null system call and round trips between two processes, Stellina vs Linux.

Linux: bench/ipc/linux_ipc.c, built static (`gcc -static -O2`) into build/bench/ipc/ and run
by the /init of the Debian guest on microvm (-m 128, TCG, the same configuration as
bench/boot). Each boot runs every measurement over 100,000 iterations after 10,000 warm-up
ones and prints the median and 99th percentile of the individually timed operations:

    ipc: <name> median_ns=<n> p99_ns=<n> n=<samples> mean_ns=... min_ns=... max_ns=...
    ipc: done

The bench boots the guest opts.runs times; each figure is the median over those boots of the
per-boot median (or p99), with min/p90/max over boots alongside.

Stellina: stellina_figures(opts) boots STELLINA_IMAGE, which prints lines in the same format
(see bench/ipc/README.md). Until that image exists only the Linux figures are recorded.
"""

import os
import re
import subprocess
import sys

from bench.lib import qemu
from bench.lib.results import BUILD, REPO
from bench.linux import guest, prepare

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(HERE, "linux_ipc.c")
OUT = os.path.join(BUILD, "ipc")
PROGRAM = os.path.join(OUT, "linux_ipc")
INITRD = os.path.join(OUT, "initramfs.cpio")

MACHINE = "microvm"
DONE = "ipc: done"
ITERATIONS = 100_000   # minimum samples per measurement (per boot), both systems
TIMEOUT = 240.0        # seconds per boot, benchmark included

# Stellina's side: the test kernel runs the manual in-kernel test manual_ipc_bench
# (kernel/ktest/ipc_bench.cc) with the user programs from the boot archive, prints the
# `ipc:` lines and exits QEMU with the test build's success status.
STELLINA_IMAGE = os.path.join(REPO, "build", "kernel", "stellina-test.elf")
STELLINA_ARCHIVE = os.path.join(REPO, "build", "user", "boot.archive")
STELLINA_APPEND = "ktest=manual_ipc_bench ipc_iterations=100000"
STELLINA_EXIT_SUCCESS = 33  # kernel::build::kExitSuccess through isa-debug-exit

# tsc=reliable: without it the clocksource watchdog compares the TSC with refined-jiffies,
# whose ticks lag under TCG on a busy host; it then marks the TSC unstable and switches to
# refined-jiffies, and clock_gettime advances in 4 ms steps (seen in 3 of 3 boots with three
# guests at once, and in some boots of a 10-boot series). linux_ipc checks the clocksource
# before and after measuring and fails if it is not the TSC.
APPEND_EXTRA = "tsc=reliable"

INIT_SCRIPT = f"""#!/bin/sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/linux_ipc || echo "ipc: error linux_ipc exit status $?"
/bin/busybox poweroff -f
"""

# Line name printed by each system -> metric base name. A measurement gives two figures:
# <base>_ns (median) and <base>_p99_ns.
LINUX = {
    "getppid": "linux_getppid",                  # null syscall
    "pipe": "linux_pipe_rtt",                    # pipe ping-pong round trip
    "futex": "linux_futex_rtt",                  # futex ping-pong round trip
    "getppid_batched": "linux_getppid_batched",  # mean per call over 1000-call batches
    "clock": "linux_clock_pair",                 # two back-to-back clock_gettime
}
LINUX_REQUIRED = ("getppid", "pipe", "futex")
STELLINA = {
    "null_syscall": "null_syscall",              # null system call
    "channel": "channel_rtt",                    # channel send+receive round trip, user<->user
    "call_user_user": "user_user_call_rtt",      # call round trip, user -> user server
    "call_kernel_kernel": "kernel_kernel_call_rtt",  # kernel thread -> kernel thread
    "call_user_kernel": "user_kernel_call_rtt",  # user -> server in the kernel
    "call_user_wasm": "wasm_user_call_rtt",      # user -> wasm server in the kernel's engine
    "wasm_instantiate": "wasm_instantiate",      # httpd.wasm spawned, up to its main
}

# Rows of the comparison table: (what, Linux base, Stellina base, ratio base). The ratio is
# Linux / Stellina (above 1: Stellina is faster), recorded when both sides exist.
ROWS = [
    ("null syscall", "linux_getppid", "null_syscall", "ratio_null_syscall"),
    ("pipe rtt vs channel rtt", "linux_pipe_rtt", "channel_rtt", "ratio_pipe_channel"),
    ("pipe rtt vs user-user call", "linux_pipe_rtt", "user_user_call_rtt", "ratio_pipe_call"),
    ("futex rtt vs user-user call", "linux_futex_rtt", "user_user_call_rtt", "ratio_futex_call"),
    ("kernel-kernel call", None, "kernel_kernel_call_rtt", None),
    ("user-kernel call", None, "user_kernel_call_rtt", None),
    ("user-wasm call", None, "wasm_user_call_rtt", None),
    ("wasm instantiate (httpd)", None, "wasm_instantiate", None),
]

LINE = re.compile(r"^ipc: (\w+) (.*)$", re.M)


def log(msg, end="\n"):
    print(msg, end=end, file=sys.stderr, flush=True)


def parse(output, who):
    """{name: {key: int}} from the `ipc: <name> key=value ...` lines; `info` as strings."""
    out = {}
    for name, rest in LINE.findall(output):
        if name == "error":
            raise SystemExit(f"ipc: {who} reported an error: {rest.strip()}")
        kv = dict(p.split("=", 1) for p in rest.split() if "=" in p)
        if name == "info":
            out.setdefault("info", {}).update(kv)
        else:
            out[name] = {k: int(v) for k, v in kv.items()}
    return out


def collect(lines, names, required, who):
    """Checks one boot's lines; returns {base: (median_ns, p99_ns)} for the names found."""
    missing = [n for n in required if n not in lines]
    if missing:
        raise SystemExit(f"ipc: {who} printed no line for {', '.join(missing)}")
    got = {}
    for name, base in names.items():
        if name not in lines:
            continue
        m = lines[name]
        if not {"median_ns", "p99_ns", "n"} <= m.keys():
            raise SystemExit(f"ipc: {who}: line '{name}' lacks median_ns, p99_ns or n: {m}")
        if name in required and m["n"] < ITERATIONS:
            raise SystemExit(f"ipc: {who}: '{name}' has {m['n']} samples, fewer than {ITERATIONS}")
        got[base] = (m["median_ns"], m["p99_ns"], m["n"])
    return got


def gather(runs):
    """[{base: (median, p99, n)} per boot] -> {base: {"median": [...], "p99": [...], "n": n}}"""
    out = {}
    for r in runs:
        for base, (med, p99, n) in r.items():
            f = out.setdefault(base, {"median": [], "p99": [], "n": n})
            f["median"].append(med)
            f["p99"].append(p99)
    return out


# --- Linux ------------------------------------------------------------------------------

def build_program():
    os.makedirs(OUT, exist_ok=True)
    if os.path.exists(PROGRAM) and os.path.getmtime(PROGRAM) >= os.path.getmtime(SOURCE):
        return PROGRAM
    cmd = ["gcc", "-static", "-O2", "-Wall", "-Wextra", "-o", PROGRAM + ".tmp", SOURCE]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True)
    except FileNotFoundError:
        raise SystemExit("ipc: gcc not found (apt-get install gcc libc6-dev)")
    if r.returncode != 0:
        raise SystemExit(f"ipc: {' '.join(cmd)} failed:\n{r.stderr.strip()}")
    os.replace(PROGRAM + ".tmp", PROGRAM)
    return PROGRAM


def linux_boot():
    run, retries = guest.boot(MACHINE, markers=(DONE,), timeout=TIMEOUT, initrd=INITRD,
                              append=guest.cmdline(APPEND_EXTRA))
    if not run.ok([DONE]):
        parse(run.output, "Linux")  # an `ipc: error` line makes a better message
        tail = "\n".join(run.output.splitlines()[-20:])
        raise SystemExit(f"ipc: Linux guest failed {retries} times:\n{tail}")
    return parse(run.output, "Linux"), retries


def linux_figures(opts):
    """Boots the Linux guest opts.runs times; returns (figures, info)."""
    build_program()
    prepare.prepare()
    prepare.build_initramfs(INITRD, init=INIT_SCRIPT, files={"bin/linux_ipc": PROGRAM})
    runs, retries, clocks = [], 0, set()
    load = round(os.getloadavg()[0], 2)
    log(f"ipc: Linux on {MACHINE}, {opts.runs} boots ", end="")
    for _ in range(opts.runs):
        lines, failed = linux_boot()
        retries += failed
        info = lines.get("info", {})
        clocks.update(v for k, v in info.items() if k.startswith("clocksource"))
        runs.append(collect(lines, LINUX, LINUX_REQUIRED, "Linux"))
        log(".", end="")
    log("")
    extra = {"machine": MACHINE, "hung_retries": retries, "linux": prepare.kernel_version(),
             "clocksource": sorted(clocks), "cmdline_extra": APPEND_EXTRA,
             "host_load": load}
    return gather(runs), extra


# --- Stellina ---------------------------------------------------------------------------

def stellina_figures(opts):
    """Stellina's figures in the same shape as linux_figures, or None while the IPC benchmark
    image does not exist. The image boots on its own, prints `ipc: <name> median_ns=...
    p99_ns=... n=...` lines for the names in STELLINA, then `ipc: done`, and shuts down
    (QEMU exit status 0)."""
    if not (os.path.exists(STELLINA_IMAGE) and os.path.exists(STELLINA_ARCHIVE)):
        log(f"ipc: NOTE: the Stellina side is not built yet "
            f"({os.path.relpath(STELLINA_IMAGE, REPO)} is missing); recording Linux only")
        return None
    cmd = qemu.qemu_cmd(MACHINE, STELLINA_IMAGE, STELLINA_APPEND, initrd=STELLINA_ARCHIVE,
                        extra=["-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"])
    runs = []
    load = round(os.getloadavg()[0], 2)
    log(f"ipc: Stellina on {MACHINE}, {opts.runs} boots ", end="")
    for _ in range(opts.runs):
        run = qemu.timed_run(cmd, [DONE], timeout=TIMEOUT)
        if run.returncode == STELLINA_EXIT_SUCCESS:
            run.returncode = 0  # the test kernel's way of saying it passed
        if not run.ok([DONE]):
            parse(run.output, "Stellina")
            why = "timed out" if run.timed_out else f"exit status {run.returncode}"
            tail = "\n".join(run.output.splitlines()[-20:])
            raise SystemExit(f"ipc: Stellina failed ({why}):\n{tail}")
        runs.append(collect(parse(run.output, "Stellina"), STELLINA, ("call_user_user",),
                            "Stellina"))
        log(".", end="")
    log("")
    return gather(runs), {"machine": MACHINE, "host_load": load}


# --- recording and the table ------------------------------------------------------------

def record(rec, figures, extra):
    for base, f in figures.items():
        info = {**extra, "iterations": f["n"]}
        rec.samples(f"{base}_ns", f["median"], "ns", **info)
        rec.samples(f"{base}_p99_ns", f["p99"], "ns", **info)


def table(rec, linux, stellina):
    have = {f["metric"]: f["value"] for f in rec.figures}
    fmt = lambda m: "" if m is None or m not in have else f"{have[m]:.10g}"
    hdr = ("", "Linux", "median ns", "p99 ns", "Stellina", "median ns", "p99 ns", "Linux/Stellina")
    rows = [hdr]
    for what, lx, st, ratio in ROWS:
        rows.append((what, lx or "", fmt(lx and f"{lx}_ns"), fmt(lx and f"{lx}_p99_ns"),
                     st, fmt(f"{st}_ns") or ("not built" if stellina is None else "missing"),
                     fmt(f"{st}_p99_ns"), fmt(ratio) and f"{fmt(ratio)} (p99 {fmt(ratio + '_p99')})"))
    w = [max(len(r[i]) for r in rows) for i in range(len(hdr))]
    print(f"\nipc on {MACHINE} (TCG), median over boots of each boot's median / p99 "
          f"of {ITERATIONS} individually timed operations")
    for r in rows:
        print("  ".join(c.ljust(w[i]) if i in (0, 1, 4) else c.rjust(w[i])
                        for i, c in enumerate(r)).rstrip())
    if stellina is None:
        print(f"(Stellina side not built yet: {os.path.relpath(STELLINA_IMAGE, REPO)} missing)")
    print()


def run(rec, opts):
    stellina = stellina_figures(opts)
    linux, extra = linux_figures(opts)
    record(rec, linux, extra)
    if stellina is not None:
        record(rec, *stellina)
        if "wasm_instantiate" in stellina[0]:
            # The unit for it: microseconds, the median of each boot's median.
            f = stellina[0]["wasm_instantiate"]
            rec.samples("wasm_instantiate_us", [m / 1000 for m in f["median"]], "us",
                        module="httpd.wasm", starts_per_boot=f["n"], **stellina[1])
        for _, lx, st, ratio in ROWS:
            if lx in linux and st in stellina[0]:
                rec.ratio(ratio, f"{lx}_ns", f"{st}_ns", machine=MACHINE)
                rec.ratio(f"{ratio}_p99", f"{lx}_p99_ns", f"{st}_p99_ns", machine=MACHINE)
    table(rec, linux, stellina)
