#!/usr/bin/env python3
"""Makes the kernel's embedded symbol table from a linked kernel ELF.

Layout (little-endian): magic "KSYM", count (u32); count entries of address (u64), size (u32),
name offset (u32), sorted by address; then the NUL-terminated names. Only functions (text
symbols) are listed: they are what backtraces need, and they do not move between links.
With --verify, checks that a kernel yields exactly the given table instead of writing one.
"""
import argparse
import struct
import subprocess
import sys


def table(nm, elf):
    out = subprocess.run([nm, "--defined-only", "--print-size", "-n", "-C", elf],
                         check=True, capture_output=True, text=True).stdout
    symbols = {}
    for line in out.splitlines():
        parts = line.split(None, 3)
        if len(parts) == 4 and parts[2] in "tTwW":
            addr, size, name = int(parts[0], 16), int(parts[1], 16), parts[3]
        elif len(parts) == 3 and parts[1] in "tT":
            addr, size, name = int(parts[0], 16), 0, parts[2]
        else:
            continue
        if addr < 0xffffffff80000000:
            continue  # the 32-bit boot stub
        symbols.setdefault(addr, (size, name))
    names = b""
    entries = b""
    for addr in sorted(symbols):
        size, name = symbols[addr]
        entries += struct.pack("<QII", addr, min(size, 0xffffffff), len(names))
        names += name.encode()[:200] + b"\0"
    return struct.pack("<II", 0x4D59534B, len(symbols)) + entries + names


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--nm", default="llvm-nm")
    p.add_argument("--verify", metavar="TABLE")
    p.add_argument("elf")
    p.add_argument("output", nargs="?")
    a = p.parse_args()
    data = table(a.nm, a.elf)
    if a.verify:
        with open(a.verify, "rb") as f:
            if f.read() != data:
                sys.exit(f"gen_ksyms: {a.elf}: function addresses moved between links")
        return
    with open(a.output, "wb") as f:
        f.write(data)


if __name__ == "__main__":
    main()
