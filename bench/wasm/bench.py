"""bench/wasm: CoreMark run by Stellina's WebAssembly engine, by node (V8) and natively, and
the spec suite's totals.

CoreMark's sources are read from ../shared/yardsticks/coremark (never copied into the
repository); with bench/wasm/coremark_port (the port layer: a CLOCK_MONOTONIC clock, seeds
from the command line) they are compiled once with clang-14 --target=wasm32-wasi -O3 (Debian's
wasi-libc) and once natively with clang-14 -O3, into build/bench/wasm/. The wasm module is run
by build/bench/wasm_wasi_run (the engine, optimized, with the bench's WASI layer) and by
node (node:wasi). Debian's wabt wasm-interp, built without WASI, runs a third build of the
same sources with bench/wasm/coremark_wabt's port layer, whose only import is wasm-interp's
`host.print` (--host-print): CoreMark's output comes a character a call, and the timed part
is bracketed by two marker calls that this script times on the host's clock as wasm-interp
prints them (line-buffered by stdbuf). The iteration count is compiled in, so that build is
made again for each count. Each run is CoreMark's performance run (seeds 0 0 0x66) with an iteration
count calibrated to last about 15 s (at least 10 s is the minimum for a valid result); a run
that CoreMark does not validate fails the benchmark.
"""

import json
import os
import re
import shutil
import subprocess
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
BUILD = os.path.join(REPO, "build")
OUT = os.path.join(BUILD, "bench", "wasm")
COREMARK = os.path.join(os.path.dirname(REPO), "shared", "yardsticks", "coremark")
PORT = os.path.join(HERE, "coremark_port")
SOURCES = ["core_list_join.c", "core_main.c", "core_matrix.c", "core_state.c", "core_util.c"]
WABT_PORT = os.path.join(HERE, "coremark_wabt")
SEEDS = ["0", "0", "0x66"]  # the performance run
TARGET_SECS = 15  # CoreMark accepts a run of at least 10 s


def sh(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        raise SystemExit(f"wasm: {' '.join(cmd)} failed ({r.returncode}):\n{r.stdout}{r.stderr}")
    return r.stdout


def build_tools():
    sh(["cmake", "--build", BUILD, "--target", "wasm_wasi_run", "wasm_spec_runner"])


def build_coremark():
    if not os.path.isdir(COREMARK):
        raise SystemExit(f"wasm: no CoreMark sources at {COREMARK}")
    src = os.path.join(OUT, "coremark")
    shutil.rmtree(src, ignore_errors=True)
    shutil.copytree(COREMARK, src)  # a scratch copy in build/: the yardstick stays untouched
    files = [os.path.join(src, f) for f in SOURCES] + [os.path.join(PORT, "core_portme.c")]
    inc = ["-I", PORT, "-I", src]
    wasm = os.path.join(OUT, "coremark.wasm")
    native = os.path.join(OUT, "coremark_native")
    sh(["clang-14", "--target=wasm32-wasi", "-O3", *inc, '-DFLAGS_STR="-O3 --target=wasm32-wasi"',
        *files, "-o", wasm])
    sh(["clang-14", "-O3", *inc, '-DFLAGS_STR="-O3"', *files, "-o", native])
    return wasm, native


def figures(out):
    rate = re.search(r"Iterations/Sec\s*:\s*([0-9.]+)", out)
    secs = re.search(r"Total time \(secs\)\s*:\s*([0-9.]+)", out)
    if not rate or not secs:
        raise SystemExit(f"wasm: no Iterations/Sec in CoreMark's output:\n{out}")
    return float(rate.group(1)), float(secs.group(1))


def coremark(cmd):
    """Runs CoreMark long enough to be valid; returns its Iterations/Sec.

    The iteration count comes from a short calibration run (CoreMark's own choice, from
    iteration count 0, extrapolates one timing and falls short of 10 s on a loaded host);
    a run that CoreMark still finds too short is repeated with more iterations."""
    iterations = 10
    while True:
        rate, secs = figures(sh(cmd + SEEDS + [str(iterations)], timeout=600))
        if secs >= 0.5:
            break
        iterations *= 10
    iterations = max(1, int(rate * TARGET_SECS))
    for _ in range(3):
        out = sh(cmd + SEEDS + [str(iterations)], timeout=900)
        rate, secs = figures(out)
        if "Correct operation validated." in out and "ERROR" not in out:
            return rate
        if secs >= 10:
            raise SystemExit(f"wasm: CoreMark did not validate the run of {cmd[0]}:\n{out}")
        iterations = int(iterations * 1.5 * 10 / max(secs, 0.1))
    raise SystemExit(f"wasm: CoreMark runs of {cmd[0]} stayed under 10 s:\n{out}")


# coremark_wabt/core_portme.c: the values host.print is given at start_time and stop_time.
WABT_MARKS = {"65536": "start", "65537": "stop"}
WABT_PRINT = re.compile(r"^called host host\.print\(i32:(\d+)\)")


def build_wabt_coremark(iterations):
    """CoreMark for wasm-interp, its iteration count compiled in (run() takes no arguments)."""
    src = os.path.join(OUT, "coremark")
    files = [os.path.join(src, f) for f in SOURCES] + [os.path.join(WABT_PORT, "core_portme.c")]
    wasm = os.path.join(OUT, "coremark_wabt.wasm")
    sh(["clang-14", "--target=wasm32-wasi", "-O3", "-fno-builtin-printf", "-nostartfiles",
        "-Wl,--no-entry", "-I", PORT, "-I", src, '-DFLAGS_STR="-O3 --target=wasm32-wasi"',
        f'-DCOREMARK_ITERATIONS="{iterations}"', *files, "-o", wasm])
    return wasm


def wabt_run(wasm_interp, iterations):
    """One run: (seconds between the markers on the host's clock, CoreMark's output)."""
    wasm = build_wabt_coremark(iterations)
    cmd = ["stdbuf", "-oL", wasm_interp, "--host-print", "--run-all-exports", wasm]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    marks, text, tail = {}, [], []
    for line in p.stdout:
        m = WABT_PRINT.match(line)
        if not m:
            tail.append(line)
        elif m.group(1) in WABT_MARKS:
            marks[WABT_MARKS[m.group(1)]] = time.monotonic()
        else:
            text.append(chr(int(m.group(1))))
    err = p.stderr.read()
    out = "".join(text)
    if p.wait() != 0 or "run() => i32:0" not in "".join(tail) or set(marks) != {"start", "stop"}:
        raise SystemExit(f"wasm: wasm-interp's CoreMark run failed ({p.returncode}):\n"
                         f"{out}{''.join(tail)}{err}")
    return marks["stop"] - marks["start"], out


def wabt_valid(out):
    """CoreMark's own checks but its clock's: the performance run's seed CRC, and no CRC of
    list, matrix or state that differs from the known one (CoreMark prints an ERROR line)."""
    return ("seedcrc          : 0xe9f5" in out and "crcfinal" in out
            and not re.search(r"ERROR! (list|matrix|state) crc", out))


def wabt_coremark(wasm_interp):
    """Iterations per second of CoreMark under wasm-interp, timed between the markers, over a
    run of at least 10 s (calibrated to TARGET_SECS as coremark() does)."""
    iterations = 10
    while True:
        secs, out = wabt_run(wasm_interp, iterations)
        if secs >= 0.5:
            break
        iterations *= 10
    iterations = max(1, int(iterations / secs * TARGET_SECS))
    for _ in range(3):
        secs, out = wabt_run(wasm_interp, iterations)
        if not wabt_valid(out):
            raise SystemExit(f"wasm: CoreMark did not validate wasm-interp's run:\n{out}")
        if secs >= 10:
            return iterations / secs
        iterations = int(iterations * 1.5 * 10 / max(secs, 0.1))
    raise SystemExit(f"wasm: wasm-interp's CoreMark runs stayed under 10 s:\n{out}")


def spec_totals(rec):
    results = os.path.join(OUT, "spec.json")
    runner = os.path.join(BUILD, "tests", "wasm", "wasm_spec_runner")
    r = subprocess.run([runner, "--results", results, os.path.join(BUILD, "wasm-spec")],
                       capture_output=True, text=True, timeout=900)
    if not os.path.isfile(results):
        raise SystemExit(f"wasm: the spec runner wrote no totals:\n{r.stdout}{r.stderr}")
    with open(results) as f:
        t = json.load(f)
    rec.add("spec_assertions_passed", t["passed"], "assertions", 1,
            skipped_text=t["skipped_text"], files=t["files"])
    rec.add("spec_assertions_total", t["total"], "assertions", 1)


def run(rec, opts):
    os.makedirs(OUT, exist_ok=True)
    build_tools()
    spec_totals(rec)
    wasm, native = build_coremark()
    node = shutil.which("node")
    if node is None:
        raise SystemExit("wasm: node is missing (Debian's nodejs)")
    engine = os.path.join(BUILD, "bench", "wasm_wasi_run")
    runners = [("native_coremark", [native]),
               ("stellina_coremark", [engine, wasm]),
               ("node_coremark", [node, "--no-warnings", os.path.join(HERE, "run_node.mjs"), wasm])]
    wasm_interp = shutil.which("wasm-interp")
    if wasm_interp is None:
        raise SystemExit("wasm: wasm-interp is missing (Debian's wabt)")
    samples = {name: [] for name, _ in runners}
    samples["wabt_coremark"] = []
    for _ in range(opts.runs):  # alternating, so the host's load falls on all of them alike
        for name, cmd in runners:
            samples[name].append(coremark(cmd))
        samples["wabt_coremark"].append(wabt_coremark(wasm_interp))
    load = os.getloadavg()[0]
    for name, _ in runners:
        rec.samples(name, samples[name], "iter/s", host_load=round(load, 1))
    rec.samples("wabt_coremark", samples["wabt_coremark"], "iter/s", host_load=round(load, 1),
                timed="host clock at the port's start and stop markers (no clock in wasm-interp)")
    rec.ratio("stellina_vs_native", "stellina_coremark", "native_coremark", digits=3)
    rec.ratio("node_vs_native", "node_coremark", "native_coremark", digits=3)
    rec.ratio("wabt_vs_native", "wabt_coremark", "native_coremark", digits=4)
