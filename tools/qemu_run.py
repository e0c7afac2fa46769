#!/usr/bin/env python3
"""Boots a Stellina image in QEMU (TCG) and checks what it does.

Used by the integration tests (tests/qemu), `make run` and the benchmarks. Machines:
  microvm      -M microvm, kernel ELF booted directly (PVH)
  q35          -M q35 with the qboot firmware, kernel ELF booted directly (PVH)
  pc           -M pc (i440fx: PCI without ECAM) with qboot, kernel ELF booted directly (PVH)
  q35-seabios  -M q35 with SeaBIOS, booting a GRUB ISO (multiboot2)
  q35-ovmf     -M q35 with OVMF (UEFI), booting a GRUB ISO (multiboot2)

As a test, it passes only when QEMU exits with the expected status, every --expect regex
matched a line of serial output (in order), every --contains regex matched some line (in any
order), and no --reject regex matched. Each --input is typed at a --prompt; the n-th
--input-after (if given) is a line the n-th input waits for.
"""
import argparse
import os
import re
import select
import subprocess
import sys
import time

OVMF = "/usr/share/ovmf/OVMF.fd"
QBOOT = "/usr/share/qemu/qboot.rom"


def qemu_command(args):
    serial = "mon:stdio" if args.interactive else "stdio"
    cmd = ["qemu-system-x86_64", "-accel", "tcg", "-m", str(args.memory), "-display", "none",
           "-serial", serial, "-no-reboot", "-nic", "none"]  # tests add their own NICs; this also
                                                             # spares firmware a PXE boot attempt
    if not args.interactive:
        cmd += ["-monitor", "none"]
    cmd += {
        "microvm": ["-M", "microvm"],
        "q35": ["-M", "q35", "-bios", QBOOT],
        "pc": ["-M", "pc", "-bios", QBOOT],
        "q35-seabios": ["-M", "q35"],
        "q35-ovmf": ["-M", "q35", "-bios", OVMF],
    }[args.machine]
    if args.debug_exit:
        cmd += ["-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
    if args.iso:
        cmd += ["-cdrom", args.iso]
    else:
        cmd += ["-kernel", args.kernel]
        if args.append:
            cmd += ["-append", args.append]
        if args.initrd:
            cmd += ["-initrd", args.initrd]
    return cmd + args.qemu_arg


def run(args):
    cmd = qemu_command(args)
    if args.verbose:
        print("qemu_run:", " ".join(cmd), flush=True)
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    expects = [re.compile(e) for e in args.expect]
    contains = [re.compile(c) for c in args.contains]
    rejects = [re.compile(r) for r in args.reject]
    inputs = args.input
    gates = [re.compile(g) for g in args.input_after]
    seen = [False] * len(gates)  # gates matched so far (before or after their turn)
    typed = 0
    prompted = False  # a prompt is waiting for input
    matched, rejected, buf = 0, [], b""
    deadline = start + args.timeout
    timed_out = False
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            timed_out = True
            proc.kill()
            break
        ready, _, _ = select.select([proc.stdout], [], [], min(remaining, 0.5))
        if not ready:
            continue
        chunk = os.read(proc.stdout.fileno(), 65536)
        if not chunk:
            break
        sys.stdout.write(chunk.decode("utf-8", "replace"))
        sys.stdout.flush()
        buf += chunk
        # Whole lines, plus the unterminated tail (a prompt) for input triggers.
        *lines, tail = buf.split(b"\n")
        buf = tail
        for raw in lines + [tail]:
            line = raw.decode("utf-8", "replace").rstrip("\r")
            if raw is not tail:
                if matched < len(expects) and expects[matched].search(line):
                    matched += 1
                contains = [c for c in contains if not c.search(line)]
                rejected += [line for r in rejects if r.search(line)]
                seen = [s or g.search(line) is not None for g, s in zip(gates, seen)]
            prompt = re.search(args.prompt, line) if args.prompt else None
            if prompt:
                if raw is tail:
                    # Consume the prompt so it triggers once, but keep what follows it: the
                    # start of a log line printed after the prompt, not yet ended.
                    buf = line[prompt.end():].encode("utf-8")
                prompted = True
            if typed < len(inputs) and prompted and (typed >= len(gates) or seen[typed]):
                proc.stdin.write(inputs[typed].encode() + b"\r")
                proc.stdin.flush()
                prompted = False
                typed += 1
    status = proc.wait()
    elapsed = time.monotonic() - start
    problems = []
    if timed_out:
        problems.append(f"timed out after {args.timeout} s")
    elif args.status is not None and status != args.status:
        problems.append(f"QEMU exited with {status}, expected {args.status}")
    if matched < len(expects):
        problems.append(f"never saw a line matching {expects[matched].pattern!r}")
    problems += [f"never saw a line matching {c.pattern!r}" for c in contains]
    for line in rejected:
        problems.append(f"unexpected line: {line!r}")
    print(f"\nqemu_run: {args.machine}: {'FAILED: ' + '; '.join(problems) if problems else 'passed'}"
          f" ({elapsed:.2f} s)")
    return 1 if problems else 0


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--machine", choices=["microvm", "q35", "pc", "q35-seabios", "q35-ovmf"], default="microvm")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--kernel", help="kernel ELF (microvm, q35)")
    src.add_argument("--iso", help="GRUB ISO (q35-seabios, q35-ovmf)")
    p.add_argument("--append", default="", help="kernel command line")
    p.add_argument("--initrd", help="boot archive, passed as the first boot module")
    p.add_argument("--memory", type=int, default=128, help="MiB")
    p.add_argument("--timeout", type=float, default=30)
    p.add_argument("--status", type=int, help="expected QEMU exit status")
    p.add_argument("--expect", action="append", default=[], help="regex a line must match, in order")
    p.add_argument("--contains", action="append", default=[], help="regex a line must match, in any order")
    p.add_argument("--reject", action="append", default=[], help="regex no line may match")
    p.add_argument("--prompt", help="regex of the prompt that each --input answers")
    p.add_argument("--input", action="append", default=[], help="a line to type at the prompt")
    p.add_argument("--input-after", action="append", default=[],
                   help="regex of a line the next --input (in order) waits for")
    p.add_argument("--no-debug-exit", dest="debug_exit", action="store_false")
    p.add_argument("--interactive", action="store_true", help="serial on this terminal (make run)")
    p.add_argument("--qemu-arg", action="append", default=[], help="extra QEMU argument")
    p.add_argument("-v", "--verbose", action="store_true")
    args = p.parse_args()
    if args.interactive:
        cmd = qemu_command(args)
        print("Booting Stellina:", " ".join(cmd), "\n(type 'shutdown' to quit; Ctrl-A X kills QEMU)", flush=True)
        os.execvp(cmd[0], cmd)
    sys.exit(run(args))


if __name__ == "__main__":
    main()
