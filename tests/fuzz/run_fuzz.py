#!/usr/bin/env python3
"""Runs one libFuzzer target of tests/fuzz over its seeds, for a time or a number of runs.

    run_fuzz.py [--seconds N | --runs N] FUZZ_DIR NAME CORPUS_ROOT

FUZZ_DIR is build/fuzz (the targets, seeds/NAME with the binary seeds); CORPUS_ROOT is
tests/fuzz/corpus (the text seeds, CORPUS_ROOT/NAME). What the fuzzer finds goes into a
fresh FUZZ_DIR/work/NAME, never into the repository; a crashing input is kept as
FUZZ_DIR/crashes/NAME-crash-<sha1>. Exits 0 when the target ran its course over at least one
seed without a crash, else 1 (a crash, a target that does not start, no seeds).
bench/fuzz imports run() for the long runs.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys


class Outcome:
    def __init__(self, execs, crashed, output):
        self.execs = execs  # inputs run, as libFuzzer counts them
        self.crashed = crashed  # a crash, leak, sanitizer report or timeout
        self.output = output


def seed_dirs(fuzz_dir, name, corpus_root):
    dirs = [os.path.join(corpus_root, name), os.path.join(fuzz_dir, "seeds", name)]
    return [d for d in dirs if os.path.isdir(d) and os.listdir(d)]


def run(fuzz_dir, name, corpus_root, seconds=None, runs=None, timeout=None, work="work"):
    """Runs the target; returns an Outcome. Raises SystemExit when it cannot start. What it
    finds goes to FUZZ_DIR/WORK/NAME (bench/fuzz uses another than CTest's)."""
    binary = os.path.join(fuzz_dir, name)
    if not os.path.isfile(binary):
        raise SystemExit(f"fuzz.{name}: {binary} is missing (make fuzz builds it)")
    seeds = seed_dirs(fuzz_dir, name, corpus_root)
    if not seeds:
        raise SystemExit(f"fuzz.{name}: no seeds in {corpus_root}/{name} or {fuzz_dir}/seeds/{name}")
    work = os.path.join(fuzz_dir, work, name)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    crashes = os.path.join(fuzz_dir, "crashes")
    os.makedirs(crashes, exist_ok=True)
    # -timeout: one input running longer than this is a hang, reported as a crash.
    args = [binary, "-timeout=10", "-rss_limit_mb=1024", "-print_final_stats=1",
            f"-artifact_prefix={crashes}/{name}-"]
    if seconds is not None:
        args.append(f"-max_total_time={seconds}")
    if runs is not None:
        args.append(f"-runs={runs}")
    args += [work] + seeds
    # A small quarantine: freed memory is reused soon, so an input that allocates a block
    # cache or a connection table does not fault in fresh pages each time (ten times faster
    # for the file systems); a use after free within the last 8 MiB freed is still caught.
    env = dict(os.environ)
    env["ASAN_OPTIONS"] = ":".join(filter(None, [env.get("ASAN_OPTIONS"), "quarantine_size_mb=8"]))
    proc = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                          errors="replace", timeout=timeout, env=env)
    output = proc.stderr
    m = re.search(r"stat::number_of_executed_units:\s*(\d+)", output)
    execs = int(m.group(1)) if m else 0
    crashed = proc.returncode != 0 or "ERROR: " in output
    return Outcome(execs, crashed, output)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--seconds", type=int)
    p.add_argument("--runs", type=int)
    p.add_argument("fuzz_dir")
    p.add_argument("name")
    p.add_argument("corpus_root")
    opts = p.parse_args()
    if (opts.seconds is None) == (opts.runs is None):
        p.error("give --seconds or --runs")
    outcome = run(opts.fuzz_dir, opts.name, opts.corpus_root, opts.seconds, opts.runs)
    if outcome.crashed:
        print(outcome.output[-6000:], file=sys.stderr)
        print(f"fuzz.{opts.name}: FAILED after {outcome.execs} inputs", file=sys.stderr)
        return 1
    if outcome.execs == 0:
        print(outcome.output[-3000:], file=sys.stderr)
        print(f"fuzz.{opts.name}: ran no input", file=sys.stderr)
        return 1
    print(f"fuzz.{opts.name}: {outcome.execs} inputs, no crash")
    return 0


if __name__ == "__main__":
    sys.exit(main())
