#!/usr/bin/env python3
"""Runs Stellina's benchmarks and records their figures.

    python3 bench/run.py                 # every benchmark (bench/<name>/bench.py)
    python3 bench/run.py boot --runs 20  # only some, with more runs

Each benchmark module defines run(rec, opts): it records figures with rec (a
bench.lib.results.Recorder), which appends them to build/bench/results.jsonl.
"""

import argparse
import importlib
import os
import sys
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from bench.lib import results  # noqa: E402


def benchmarks():
    return sorted(d for d in os.listdir(HERE) if os.path.isfile(os.path.join(HERE, d, "bench.py")))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("names", nargs="*", help=f"benchmarks to run (default: all of {benchmarks()})")
    p.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", 10)),
                   help="runs per figure, the median is recorded (default 10, or $BENCH_RUNS)")
    p.add_argument("--results", default=results.RESULTS, help="JSON-lines file to append to")
    opts = p.parse_args()
    if opts.runs < 1:
        p.error("--runs must be at least 1")
    unknown = set(opts.names) - set(benchmarks())
    if unknown:
        p.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}; have {benchmarks()}")

    figures, failed = [], []
    for name in opts.names or benchmarks():
        rec = results.Recorder(name, opts.results)
        try:
            importlib.import_module(f"bench.{name}.bench").run(rec, opts)
        except SystemExit as e:
            print(e, file=sys.stderr)
            failed.append(name)
        except Exception:
            traceback.print_exc()
            failed.append(name)
        figures += rec.figures

    if figures:
        print(results.format_table(figures))
        shown = os.path.relpath(opts.results)
        print(f"\n{len(figures)} figures appended to {opts.results if shown.startswith('..') else shown}")
    if failed:
        print(f"FAILED: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
