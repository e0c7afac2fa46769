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
--input-after (if given) is a line the n-th input waits for (seen before its turn or after;
a regex given k times waits for its k-th line the k-th time).

Networking (one virtio-net device: virtio-net-device on microvm, virtio-net-pci elsewhere):
  --net none       no network card at all (the default)
  --net user       QEMU's user network (guest 10.0.2.15, gateway 10.0.2.2, DHCP); each
                   --forward HOST:GUEST forwards TCP port HOST on 127.0.0.1 to the guest's GUEST
  --net socket     the card's frames travel as UDP datagrams: sent to --socket-peer
                   (127.0.0.1:PORT), received on --socket-local (127.0.0.1:PORT); a test program
                   on the host is the only other station on that wire
A forwarded port that is already taken on 127.0.0.1 stops the run before QEMU starts.

Storage: --disk IMAGE attaches a raw image as a virtio block device (virtio-blk-device on
microvm, virtio-blk-pci elsewhere); what the guest writes stays in the file.
"""
import argparse
import errno
import os
import re
import select
import socket
import subprocess
import sys
import time

OVMF = "/usr/share/ovmf/OVMF.fd"
QBOOT = "/usr/share/qemu/qboot.rom"


class NetError(Exception):
    """A network option that cannot work (bad syntax, a port already in use)."""


def parse_forward(text):
    """'HOST:GUEST' -> (host_port, guest_port), both TCP ports 1..65535."""
    m = re.fullmatch(r"(\d+):(\d+)", text)
    ports = [int(p) for p in m.groups()] if m else []
    if not ports or not all(1 <= p <= 65535 for p in ports):
        raise NetError(f"--forward {text!r}: expected HOST:GUEST, two TCP ports (e.g. 8080:80)")
    return ports[0], ports[1]


def parse_endpoint(option, text):
    """'127.0.0.1:PORT' (or just PORT) -> '127.0.0.1:PORT'."""
    host, _, port = text.rpartition(":")
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        raise NetError(f"{option} {text!r}: expected 127.0.0.1:PORT")
    return f"{host or '127.0.0.1'}:{port}"


def check_port_free(port):
    """Fails with a clear message when TCP port `port` on 127.0.0.1 is taken (QEMU would
    only print a terse hostfwd error). It binds as QEMU's hostfwd does, with SO_REUSEADDR,
    so connections left in TIME_WAIT by an earlier run do not count as taking the port."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind(("127.0.0.1", port))
    except OSError as e:
        if e.errno == errno.EADDRINUSE:
            raise NetError(f"host port {port} is already in use on 127.0.0.1 (another QEMU or "
                           f"server?); pick another one, e.g. `make run PORT={port + 1}` or "
                           f"--forward {port + 1}:GUEST") from None
        raise NetError(f"host port {port}: {e.strerror}") from None
    finally:
        s.close()


def net_args(args):
    """QEMU arguments for --net: a netdev and the virtio-net device that fits the machine.
    Scripts that build their own argument namespace may leave the network options out."""
    net = getattr(args, "net", "none")
    forward = getattr(args, "forward", [])
    socket_peer, socket_local = getattr(args, "socket_peer", None), getattr(args, "socket_local", None)
    if net == "none":
        if forward or socket_peer or socket_local:
            raise NetError("--forward and --socket-* need --net user or --net socket")
        return ["-nic", "none"]  # tests add their own NICs; this also spares firmware a PXE boot
    if net == "user":
        if socket_peer or socket_local:
            raise NetError("--socket-peer and --socket-local go with --net socket")
        netdev = "user,id=net0"
        for text in forward:
            host, guest = parse_forward(text)
            netdev += f",hostfwd=tcp:127.0.0.1:{host}-:{guest}"
    else:
        if forward:
            raise NetError("--forward goes with --net user")
        if not (socket_peer and socket_local):
            raise NetError("--net socket needs --socket-peer and --socket-local")
        peer = parse_endpoint("--socket-peer", socket_peer)
        local = parse_endpoint("--socket-local", socket_local)
        netdev = f"socket,id=net0,udp={peer},localaddr={local}"
    if args.machine == "microvm":
        # virtio 1.x over virtio-mmio (QEMU's microvm defaults to the legacy transport).
        device = ["-global", "virtio-mmio.force-legacy=false", "-device", "virtio-net-device,netdev=net0"]
    else:
        device = ["-device", "virtio-net-pci,netdev=net0"]
    if args.mac:
        device[-1] += f",mac={args.mac}"
    return ["-netdev", netdev, *device]


def disk_args(args):
    """--disk IMAGE: the image as a virtio block device (virtio-mmio on microvm)."""
    if not getattr(args, "disk", None):  # callers that build their own arguments have none
        return []
    drive = ["-drive", f"if=none,id=disk0,file={args.disk},format=raw"]
    if args.machine == "microvm":
        return [*drive, "-global", "virtio-mmio.force-legacy=false",
                "-device", "virtio-blk-device,drive=disk0"]
    return [*drive, "-device", "virtio-blk-pci,drive=disk0"]


def check_ports(args):
    for text in args.forward:
        check_port_free(parse_forward(text)[0])


# QEMU's default CPU model plus SMEP and SMAP (which TCG emulates): the kernel turns them on
# when CPUID has them, so that it can neither execute user pages nor touch them outside its
# user copies.
CPU = "qemu64,+smep,+smap"


def qemu_command(args):
    serial = "mon:stdio" if args.interactive else "stdio"
    cpu = getattr(args, "cpu", CPU)  # test scripts build their own args without it
    smp = getattr(args, "smp", 1)
    # Several vCPUs run as so many host threads (multi-threaded TCG), as they would on hardware;
    # under --virtual-time one host thread runs them in turns (QEMU's -icount needs that).
    threads = "single" if getattr(args, "virtual_time", False) else "multi"
    accel = ["-accel", f"tcg,thread={threads}", "-smp", str(smp)] if smp > 1 else ["-accel", "tcg"]
    cmd = ["qemu-system-x86_64", *accel, "-cpu", cpu, "-m", str(args.memory), "-display", "none",
           "-serial", serial, "-no-reboot", *net_args(args)]
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
    if getattr(args, "virtual_time", False):
        cmd += ["-icount", "shift=auto"]
    cmd += disk_args(args)
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
    # How many lines a gate needs: the k-th gate of the same regex, its k-th line.
    needed = [args.input_after[:i + 1].count(g) for i, g in enumerate(args.input_after)]
    hits = [0] * len(gates)  # lines each gate matched so far (before or after its turn)
    typed = 0
    prompted = False  # a prompt is waiting for input
    # When the next input is due but no prompt came for a second, Ctrl-] again: a component
    # may have taken the serial port from the kernel console while it ran the last command,
    # so that its next prompt never shows until Ctrl-] brings it back.
    nudged = time.monotonic()
    matched, rejected, buf = 0, [], b""
    deadline = start + args.timeout
    timed_out = False
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            timed_out = True
            proc.kill()
            break
        due = typed < len(inputs) and (typed >= len(gates) or hits[typed] >= needed[typed])
        if due and not prompted and time.monotonic() - nudged >= 1.0:
            proc.stdin.write(b"\x1d")
            proc.stdin.flush()
            nudged = time.monotonic()
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
                hits = [h + (g.search(line) is not None) for g, h in zip(gates, hits)]
            prompt = re.search(args.prompt, line) if args.prompt else None
            if prompt:
                if raw is tail:
                    # Consume the prompt so it triggers once, but keep what follows it: the
                    # start of a log line printed after the prompt, not yet ended.
                    buf = line[prompt.end():].encode("utf-8")
                prompted = True
            if typed < len(inputs) and prompted and (typed >= len(gates) or
                                                     hits[typed] >= needed[typed]):
                # Ctrl-] first: it brings the kernel console if a component holds the
                # serial port (the shell), and does nothing otherwise.
                proc.stdin.write(b"\x1d" + inputs[typed].encode() + b"\r")
                proc.stdin.flush()
                prompted = False
                typed += 1
                nudged = time.monotonic()
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


def parse_args(argv=None):
    """The command line, parsed (argv: a list for a caller that imports this module)."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--machine", choices=["microvm", "q35", "pc", "q35-seabios", "q35-ovmf"], default="microvm")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--kernel", help="kernel ELF (microvm, q35)")
    src.add_argument("--iso", help="GRUB ISO (q35-seabios, q35-ovmf)")
    p.add_argument("--append", default="", help="kernel command line")
    p.add_argument("--initrd", help="boot archive, passed as the first boot module")
    p.add_argument("--memory", type=int, default=128, help="MiB")
    p.add_argument("--cpu", default=CPU, help=f"QEMU CPU model (default {CPU})")
    p.add_argument("--smp", type=int, default=1, help="virtual CPUs (default 1)")
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
    p.add_argument("--net", choices=["none", "user", "socket"], default="none",
                   help="network card and what it is plugged into (see above)")
    p.add_argument("--forward", action="append", default=[], metavar="HOST:GUEST",
                   help="with --net user: forward TCP port HOST on 127.0.0.1 to the guest's GUEST")
    p.add_argument("--socket-peer", metavar="127.0.0.1:PORT",
                   help="with --net socket: where the card's frames are sent")
    p.add_argument("--socket-local", metavar="127.0.0.1:PORT",
                   help="with --net socket: where the card's frames are received")
    p.add_argument("--mac", help="the card's MAC address (QEMU's default: 52:54:00:12:34:56)")
    p.add_argument("--disk", help="a raw disk image, as a virtio block device (written in place)")
    p.add_argument("--virtual-time", action="store_true",
                   help="the guest's clock counts executed instructions (-icount shift=auto), so "
                        "what the guest measures of time does not depend on how often a loaded "
                        "host runs QEMU (tests that judge sleeps and CPU shares)")
    p.add_argument("--qemu-arg", action="append", default=[], help="extra QEMU argument")
    p.add_argument("-v", "--verbose", action="store_true")
    return p.parse_args(argv)


def main():
    args = parse_args()
    try:
        cmd = qemu_command(args)
        check_ports(args)
    except NetError as e:
        print(f"qemu_run: {e}", file=sys.stderr)
        sys.exit(2)
    if args.interactive:
        print("Booting Stellina:", " ".join(cmd), "\n(type 'shutdown' to quit; Ctrl-] brings the kernel console; Ctrl-A X kills QEMU)", flush=True)
        for text in args.forward:
            host, guest = parse_forward(text)
            print(f"Guest port {guest} is forwarded to http://localhost:{host} "
                  f"(127.0.0.1:{host})" if guest == 80 else
                  f"Guest port {guest} is forwarded to 127.0.0.1:{host}", flush=True)
        os.execvp(cmd[0], cmd)
    sys.exit(run(args))


if __name__ == "__main__":
    main()
