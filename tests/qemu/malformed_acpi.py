#!/usr/bin/env python3
"""Boots Stellina with malformed ACPI tables added by QEMU's -acpitable: a MADT too short to
hold its fixed fields and an FADT that is nothing but a header. The kernel must skip them and
keep using the real tables. Arguments after the script name go to tools/qemu_run.py."""
import os
import struct
import subprocess
import sys
import tempfile


def table(signature, body):
    header = signature + struct.pack("<IBB6s8sI4sI", 36 + len(body), 1, 0, b"STELLA",
                                     b"MALFORMD", 1, b"TEST", 1)
    raw = bytearray(header + body)
    raw[9] = (-sum(raw)) & 0xFF
    return bytes(raw)


def main():
    runner = os.path.join(os.path.dirname(__file__), "..", "..", "tools", "qemu_run.py")
    with tempfile.TemporaryDirectory() as tmp:
        args = []
        for name, data in (("madt", table(b"APIC", b"\0\0\0\0")), ("fadt", table(b"FACP", b""))):
            path = os.path.join(tmp, name + ".bin")
            with open(path, "wb") as f:
                f.write(data)
            args += ["--qemu-arg=-acpitable", f"--qemu-arg=file={path}"]
        sys.exit(subprocess.call([sys.executable, runner] + args + sys.argv[1:]))


if __name__ == "__main__":
    main()
