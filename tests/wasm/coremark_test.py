#!/usr/bin/env python3
"""wasm.coremark: CoreMark, compiled for wasm32-wasi, runs on the engine (sanitized build) and
computes what CoreMark checks: the list, matrix and state CRCs of the performance run.

    coremark_test.py RUNNER COREMARK.wasm

A short run (20 iterations): CoreMark then says the run is too short to be a valid
benchmark, which is all this test expects it to complain about.
"""

import re
import subprocess
import sys

runner, module = sys.argv[1], sys.argv[2]
r = subprocess.run([runner, module, "0", "0", "0x66", "20"], capture_output=True, text=True,
                   timeout=300)
out = r.stdout + r.stderr
failures = []
if r.returncode != 0:
    failures.append(f"exit status {r.returncode}")
if "2K performance run parameters for coremark." not in out:
    failures.append("CoreMark did not recognize the performance run's seeds")
for name, want in (("crclist", "0xe714"), ("crcmatrix", "0x1fd7"), ("crcstate", "0x8e3a")):
    m = re.search(rf"\[0\]{name}\s*:\s*(0x[0-9a-f]+)", out)
    if not m or m.group(1) != want:
        failures.append(f"{name}: {m.group(1) if m else 'missing'}, expected {want}")
errors = [line for line in out.splitlines()
          if "ERROR" in line and "at least 10 secs" not in line]
failures += errors
if failures:
    print(out)
    print("wasm.coremark: " + "; ".join(failures))
    sys.exit(1)
print("wasm.coremark: list, matrix and state CRCs as CoreMark expects")
