"""bench/wasm: CoreMark run by Stellina's WebAssembly engine, by node (V8) and natively, and
the spec suite's totals.

CoreMark's sources are read from ../shared/yardsticks/coremark (never copied into the
repository); with bench/wasm/coremark_port (the port layer: a CLOCK_MONOTONIC clock, seeds
from the command line) they are compiled once with clang-14 --target=wasm32-wasi -O3 (Debian's
wasi-libc) and once natively with clang-14 -O3, into build/bench/wasm/. The wasm module is run
by build/bench/wasm_wasi_run (the engine, optimized, with the bench's WASI layer) and by
node (node:wasi). Each run is CoreMark's performance run (seeds 0 0 0x66) with an iteration
count calibrated to last about 15 s (at least 10 s is the minimum for a valid result); a run
that CoreMark does not validate fails the benchmark.
"""

import json
import os
import re
import shutil
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
BUILD = os.path.join(REPO, "build")
OUT = os.path.join(BUILD, "bench", "wasm")
COREMARK = os.path.join(os.path.dirname(REPO), "shared", "yardsticks", "coremark")
PORT = os.path.join(HERE, "coremark_port")
SOURCES = ["core_list_join.c", "core_main.c", "core_matrix.c", "core_state.c", "core_util.c"]
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
    samples = {name: [] for name, _ in runners}
    for _ in range(opts.runs):  # alternating, so the host's load falls on all three alike
        for name, cmd in runners:
            samples[name].append(coremark(cmd))
    load = os.getloadavg()[0]
    for name, _ in runners:
        rec.samples(name, samples[name], "iter/s", host_load=round(load, 1))
    rec.ratio("stellina_vs_native", "stellina_coremark", "native_coremark", digits=3)
    rec.ratio("node_vs_native", "node_coremark", "native_coremark", digits=3)
