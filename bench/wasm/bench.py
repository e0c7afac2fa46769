"""bench/wasm: CoreMark run by Stellina's WebAssembly engine, by node (V8) and natively, and
the spec suite's totals.

CoreMark's sources are read from ../shared/yardsticks/coremark (never copied into the
repository); with bench/wasm/coremark_port (the port layer: a CLOCK_MONOTONIC clock, seeds
from the command line) they are compiled once with clang-14 --target=wasm32-wasi -O3 (Debian's
wasi-libc) and once natively with clang-14 -O3, into build/bench/wasm/. The wasm module is run
by build/bench/wasm_wasi_run (the engine, optimized, with the bench's WASI layer) and by
node (node:wasi). Each run is CoreMark's performance run (seeds 0 0 0x66) with the iteration
count chosen by CoreMark itself so that it lasts at least 10 s, the minimum for a valid
result; a run that CoreMark does not validate fails the benchmark.
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
ARGS = ["0", "0", "0x66", "0"]  # the performance run; 0 iterations: CoreMark picks >= 10 s


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


def coremark(cmd):
    """Runs CoreMark; returns its Iterations/Sec, after checking it validated the run."""
    out = sh(cmd + ARGS, timeout=600)
    if "Correct operation validated." not in out or "ERROR" in out:
        raise SystemExit(f"wasm: CoreMark did not validate the run of {cmd[0]}:\n{out}")
    m = re.search(r"Iterations/Sec\s*:\s*([0-9.]+)", out)
    if not m:
        raise SystemExit(f"wasm: no Iterations/Sec in the output of {cmd[0]}:\n{out}")
    return float(m.group(1))


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
