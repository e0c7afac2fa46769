"""Fuzzing: every libFuzzer target of tests/fuzz for 1,000,000 inputs, and the QEMU fuzzers.

Each target runs alone (one process, -runs=N) over its seeds (tests/fuzz/corpus/NAME and
build/fuzz/seeds/NAME), with ASan and UBSan, through tests/fuzz/run_fuzz.py; what it finds
goes to build/fuzz/bench-work/NAME, a crashing input to build/fuzz/crashes/. Metrics
(bench: fuzz), per target NAME:

  NAME_execs    inputs run (libFuzzer's count)
  NAME_crashes  1 if the run ended in a crash, a sanitizer report or a hung input, else 0

plus, when the QEMU fuzzers ran (FUZZ_QEMU=1 or the default), syscalls_execs and
frames_execs (bench/fuzz/qemu_fuzz.py). FUZZ_RUNS sets the inputs per target (default
1,000,000), FUZZ_TARGETS a comma-separated subset (empty: none), FUZZ_QEMU=0 skips the QEMU fuzzers.
A crash fails the benchmark after every target has run.
"""

import os
import sys
import time

from bench.lib.results import REPO

sys.path.insert(0, os.path.join(REPO, "tests", "fuzz"))
import run_fuzz  # noqa: E402

FUZZ_DIR = os.path.join(REPO, "build", "fuzz")
CORPUS = os.path.join(REPO, "tests", "fuzz", "corpus")
RUNS = int(os.environ.get("FUZZ_RUNS", 1_000_000))


def targets():
    chosen = os.environ.get("FUZZ_TARGETS")
    if chosen is not None:  # set and empty: none of them (only the QEMU fuzzers)
        return [name for name in chosen.split(",") if name]
    if not os.path.isdir(FUZZ_DIR):
        raise SystemExit(f"fuzz: {FUZZ_DIR} is missing (make fuzz builds the targets)")
    return sorted(f for f in os.listdir(FUZZ_DIR)
                  if os.path.isfile(os.path.join(FUZZ_DIR, f)) and
                  os.access(os.path.join(FUZZ_DIR, f), os.X_OK))


def run(rec, opts):
    crashed = []
    for name in targets():
        start = time.monotonic()
        outcome = run_fuzz.run(FUZZ_DIR, name, CORPUS, runs=RUNS, work="bench-work")
        seconds = round(time.monotonic() - start, 1)
        rec.add(f"{name}_execs", outcome.execs, "inputs", 1, seconds=seconds)
        rec.add(f"{name}_crashes", int(outcome.crashed), "crashes", 1)
        print(f"fuzz: {name}: {outcome.execs} inputs in {seconds} s"
              f"{', CRASH' if outcome.crashed else ''}", flush=True)
        if outcome.crashed:
            print(outcome.output[-4000:], file=sys.stderr)
            crashed.append(name)
    if os.environ.get("FUZZ_QEMU", "1") != "0":
        from bench.fuzz import qemu_fuzz
        qemu_fuzz.run(rec, opts)
    if crashed:
        raise SystemExit(f"fuzz: crashes in {', '.join(crashed)} (inputs in {FUZZ_DIR}/crashes)")
