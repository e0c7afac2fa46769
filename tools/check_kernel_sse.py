#!/usr/bin/env python3
"""Checks that a kernel image runs SSE code only where it may: the WebAssembly engine
(lib/wasm, namespace wasm), the rounding functions its float instructions call, and the FPU
state switch itself (arch::fpu_*). The kernel is built without SSE and keeps the FPU/SIMD
registers only of user threads and of threads marked to use them (the wasm components'
threads); an SSE instruction anywhere else would clobber another thread's registers.

Usage: check_kernel_sse.py OBJDUMP CXXFILT KERNEL_ELF. Exit status 1, with the offending
functions listed, when one is found; 2 when no allowed function uses SSE either (the
check would then prove nothing)."""
import re
import subprocess
import sys

SSE = re.compile(r"%xmm|%ymm|%zmm|%mm[0-7]\b|mxcsr")
ALLOWED_PREFIXES = ("wasm::", "rounding::", "arch::fpu_")
ALLOWED_NAMES = {"trunc", "truncf", "floor", "floorf", "ceil", "ceilf", "nearbyint", "nearbyintf"}


def functions_using_sse(objdump, elf):
    text = subprocess.run([objdump, "-d", "--no-show-raw-insn", elf], check=True,
                          capture_output=True, text=True).stdout
    found, current = set(), None
    for line in text.splitlines():
        header = re.match(r"^[0-9a-f]+ <(.*)>:$", line)
        if header:
            current = header.group(1)
        elif current and SSE.search(line):
            found.add(current)
    return found


def main():
    objdump, cxxfilt, elf = sys.argv[1:4]
    mangled = sorted(functions_using_sse(objdump, elf))
    names = subprocess.run([cxxfilt], input="\n".join(mangled), check=True, capture_output=True,
                           text=True).stdout.splitlines()
    allowed = [n for n in names if n.startswith(ALLOWED_PREFIXES) or n in ALLOWED_NAMES]
    bad = [n for n in names if n not in allowed]
    if bad:
        print("SSE outside the wasm engine:\n  " + "\n  ".join(bad))
        return 1
    if not any(n.startswith("wasm::") for n in allowed):
        print("no wasm engine function uses SSE: is the engine built with it?")
        return 2
    print(f"{len(allowed)} functions use SSE, all in the wasm engine or the FPU switch")
    return 0


if __name__ == "__main__":
    sys.exit(main())
