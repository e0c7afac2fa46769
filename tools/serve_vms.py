#!/usr/bin/env python3
"""The server of VMs: a fresh Stellina microVM for every connection.

    tools/serve_vms.py --port 8090                 # make serve-vms
    tools/serve_vms.py --port 8090 --pool 4        # four VMs booted ahead of requests

It listens on a TCP port of the host. For each connection it boots a Stellina microVM (the
kernel with the serving system's boot archive, build/system-web/boot.archive: the device
manager, virtio-net, the stack and httpd alone; --full: the system `make run` boots; -M
microvm under TCG, a virtio-net card on QEMU's user network with a free host port on
127.0.0.1 forwarded to the guest's port 80), waits
until the guest says on its serial console that it has an address and that httpd listens,
relays the connection both ways, and kills the VM when the connection has closed. No VM
serves two connections: with --pool N, N VMs are booted ahead of the requests, and each is
still used for one connection only (another is booted in its place).

Bounds: at most --max-vms QEMU processes at once (booting, pooled or serving); a connection
that finds none free waits in a queue of at most --queue connections for at most
--queue-timeout seconds, and gets a 503 past either. A VM that does not come up within
--boot-timeout seconds gives a 502; a connection open longer than --request-timeout is cut.

No QEMU outlives the server: each is started with PR_SET_PDEATHSIG (the kernel kills it
with SIGKILL when the server's process dies, even by SIGKILL), and SIGTERM, SIGINT and a
normal exit kill them all first. Each QEMU is named `serve-vms:<server pid>` (-name), so
what belongs to a server can be found in the process table.

Each connection is logged on stderr as one line: its number, the VM's process id, whether
the VM came from the pool, the VM's boot time (QEMU's launch to the guest's readiness line),
the time the request waited for it, and the time it was served (relay start to close), with
the bytes each way.
"""

import argparse
import asyncio
import collections
import ctypes
import os
import signal
import socket
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KERNEL = os.path.join(REPO, "build", "kernel", "stellina.elf")
WEB_ARCHIVE = os.path.join(REPO, "build", "system-web", "boot.archive")  # serving only
FULL_ARCHIVE = os.path.join(REPO, "build", "user", "system.archive")    # what make run boots

# The guest is ready when both lines have appeared on its serial console: the stack has its
# address (before it, a SYN to 10.0.2.15 is not answered) and httpd listens on port 80.
# (--ready replaces them, for another guest.)
READY_LINES = ("[tcpip] address ", "[httpd] listening on port 80")
# Stellina's stack gets QEMU's user-network address on the kernel command line (config from
# the command line: servers/startup/README.md), so no DHCP exchange comes before the answer.
STATIC_ADDRESS = "tcpip.address=10.0.2.15/24 tcpip.gateway=10.0.2.2 tcpip.dns=10.0.2.3"
SERIAL_TAIL = 4096  # bytes of serial output kept for an error message
PR_SET_PDEATHSIG = 1


def log(msg):
    print(f"serve-vms: {msg}", file=sys.stderr, flush=True)


def response(status, reason, text):
    body = text.encode() + b"\n"
    return (f"HTTP/1.1 {status} {reason}\r\nServer: serve-vms\r\nContent-Type: text/plain; "
            f"charset=utf-8\r\nContent-Length: {len(body)}\r\nConnection: close\r\n"
            + ("Retry-After: 1\r\n" if status == 503 else "") + "\r\n").encode() + body


def die_with_parent():
    """Runs in the child between fork and exec: SIGKILL it when the server dies."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        os._exit(127)
    if os.getppid() == 1:  # the server died before the prctl
        os._exit(127)


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


class BootFailed(Exception):
    pass


class Vm:
    """One QEMU running Stellina, from launch to kill."""

    def __init__(self, args, pooled):
        self.args, self.pooled = args, pooled
        self.ready_lines = [line.encode() for line in args.ready]
        self.port = free_port()
        self.proc = None
        self.launched = time.monotonic()
        self.boot_ms = None
        self.tail = b""
        self.ready = asyncio.Event()  # set at the readiness lines, or with `error` at QEMU's exit
        self.error = None
        self.reader = None

    def command(self):
        a = self.args
        netdev = f"user,id=n0,hostfwd=tcp:127.0.0.1:{self.port}-:80"
        return ["qemu-system-x86_64", "-accel", "tcg", "-M", "microvm", "-m", str(a.memory),
                "-nographic", "-no-reboot", "-name", f"serve-vms:{os.getpid()}",
                "-kernel", a.kernel, "-initrd", a.initrd, "-append", a.append,
                "-netdev", netdev, "-global", "virtio-mmio.force-legacy=false",
                "-device", "virtio-net-device,netdev=n0"]

    async def start(self):
        self.launched = time.monotonic()
        self.proc = await asyncio.create_subprocess_exec(
            *self.command(), stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT, preexec_fn=die_with_parent)
        self.reader = asyncio.create_task(self.watch_serial())

    async def watch_serial(self):
        """Reads the serial console to its end: resolves `ready` at the readiness lines (or
        with an error at QEMU's exit), and keeps the last bytes for error messages. Reading
        on after that keeps the pipe from filling up and stalling the guest."""
        seen, buf = set(), b""
        while chunk := await self.proc.stdout.read(65536):
            self.tail = (self.tail + chunk)[-SERIAL_TAIL:]
            if self.ready.is_set():
                continue
            buf = buf[-256:] + chunk
            seen.update(line for line in self.ready_lines if line in buf)
            if len(seen) == len(self.ready_lines):
                self.boot_ms = (time.monotonic() - self.launched) * 1000
                self.ready.set()
        if not self.ready.is_set():
            self.error = self.why("QEMU exited before the guest was ready")
            self.ready.set()

    def why(self, what):
        lines = self.tail.decode(errors="replace").replace("\r", "").strip().splitlines()
        return f"{what}; its serial output ends: " + " | ".join(lines[-3:])

    async def wait_ready(self, timeout):
        left = self.launched + timeout - time.monotonic()
        try:
            await asyncio.wait_for(self.ready.wait(), max(0.0, left))
        except asyncio.TimeoutError:
            raise BootFailed(self.why(f"the guest was not ready within {timeout:g} s")) from None
        if self.error:
            raise BootFailed(self.error)

    async def kill(self):
        if self.proc is None:
            return
        if self.proc.returncode is None:
            try:
                self.proc.kill()
            except ProcessLookupError:
                pass
        await self.proc.wait()
        if self.reader:
            await asyncio.wait([self.reader], timeout=2)

    def kill_now(self):
        """From a signal handler or at exit: no waiting."""
        if self.proc is not None and self.proc.returncode is None:
            try:
                self.proc.kill()
            except ProcessLookupError:
                pass


class Server:
    def __init__(self, args):
        self.args = args
        self.vms = set()          # every QEMU started and not yet reaped
        self.pool = collections.deque()  # VMs booted ahead (ready or booting), none given out
        self.waiters = collections.deque()  # futures of connections waiting for a VM
        self.requests = 0
        self.served = 0
        self.stopping = False     # no VM is started once set

    # --- VMs ------------------------------------------------------------------------------

    def slots_free(self):
        return self.args.max_vms - len(self.vms)

    async def launch(self, pooled):
        if self.stopping:
            raise BootFailed("the server is stopping")
        vm = Vm(self.args, pooled)
        self.vms.add(vm)
        try:
            await vm.start()
        except OSError as e:
            self.vms.discard(vm)
            raise BootFailed(f"cannot start QEMU: {e}") from None
        if pooled:
            asyncio.create_task(self.watch_pooled(vm))
        return vm

    async def watch_pooled(self, vm):
        """A pooled VM that fails to boot is dropped (and replaced)."""
        try:
            await vm.wait_ready(self.args.boot_timeout)
            if vm in self.pool:
                ready = sum(1 for v in self.pool if v.ready.is_set() and not v.error)
                log(f"pool: vm pid {vm.proc.pid} ready in {vm.boot_ms:.0f} ms ({ready} of "
                    f"{self.args.pool} ready)")
        except BootFailed as e:
            if vm in self.pool:
                self.pool.remove(vm)
                if not self.stopping:  # killed by the stop itself: nothing to say
                    log(f"pooled VM (pid {vm.proc.pid}) dropped: {e}")
                await self.release(vm)

    async def release(self, vm):
        await vm.kill()
        self.vms.discard(vm)
        await self.dispatch()

    async def dispatch(self):
        """Gives VMs to waiting connections (pooled ones first, then fresh boots while there
        are free slots), then fills the pool with what slots remain. Every waiter is taken
        off the queue before anything is awaited, so concurrent calls never give one two."""
        while self.waiters and (self.pool or self.slots_free() > 0):
            fut = self.waiters.popleft()
            if fut.done():  # timed out meanwhile
                continue
            if self.pool:
                vm = self.pool.popleft()
            else:
                try:
                    vm = await self.launch(pooled=False)
                except BootFailed as e:
                    fut.done() or fut.set_exception(e)
                    continue
            if fut.done():  # timed out while QEMU was starting: the VM goes back or away
                if vm.pooled:
                    self.pool.appendleft(vm)
                else:
                    await self.release(vm)
                continue
            fut.set_result(vm)
        while (len(self.pool) < self.args.pool and self.slots_free() > 0 and not self.waiters
               and not self.stopping):
            try:
                self.pool.append(await self.launch(pooled=True))
            except BootFailed as e:
                log(f"pool: {e}")
                break

    async def get_vm(self):
        """A VM for one connection, or None when the limit and the queue say no (503)."""
        if len(self.waiters) >= self.args.queue and not self.pool and self.slots_free() <= 0:
            return None
        fut = asyncio.get_running_loop().create_future()
        self.waiters.append(fut)
        await self.dispatch()
        try:
            return await asyncio.wait_for(asyncio.shield(fut), self.args.queue_timeout)
        except asyncio.TimeoutError:
            if fut.done() and not fut.cancelled():
                return fut.result()  # given at the last moment (or failed: raises)
            fut.cancel()
            return None

    # --- connections ----------------------------------------------------------------------

    async def handle(self, reader, writer):
        self.requests += 1
        number = self.requests
        arrived = time.monotonic()
        try:
            try:
                vm = await self.get_vm()
            except BootFailed as e:
                await self.refuse(reader, writer, 502, "Bad Gateway", f"no VM: {e}")
                log(f"#{number}: 502: {e}")
                return
            if vm is None:
                await self.refuse(reader, writer, 503, "Service Unavailable",
                                  f"all {self.args.max_vms} VMs are busy and the queue is full "
                                  f"or the wait passed {self.args.queue_timeout:g} s: try again")
                log(f"#{number}: 503 (VMs {len(self.vms)}/{self.args.max_vms}, "
                    f"queue {len(self.waiters)}/{self.args.queue})")
                return
            await self.serve(number, arrived, vm, reader, writer)
        finally:
            writer.close()
            try:
                await writer.wait_closed()
            except OSError:
                pass

    async def serve(self, number, arrived, vm, reader, writer):
        try:
            await vm.wait_ready(self.args.boot_timeout)
        except BootFailed as e:
            await self.release(vm)
            await self.refuse(reader, writer, 502, "Bad Gateway", f"the VM did not boot: {e}")
            log(f"#{number}: 502: {e}")
            return
        waited_ms = (time.monotonic() - arrived) * 1000
        start = time.monotonic()
        try:
            vm_reader, vm_writer = await asyncio.open_connection("127.0.0.1", vm.port)
        except OSError as e:
            await self.release(vm)
            await self.refuse(reader, writer, 502, "Bad Gateway", f"cannot reach the VM: {e}")
            return
        try:
            counts = [0, 0]  # bytes to the VM, bytes from it
            up = asyncio.create_task(pipe(reader, vm_writer, counts, 0))
            down = asyncio.create_task(pipe(vm_reader, writer, counts, 1))
            deadline = start + self.args.request_timeout
            await asyncio.wait({up, down}, timeout=self.args.request_timeout,
                               return_when=asyncio.FIRST_COMPLETED)
            if not down.done():
                # The client has finished sending: the VM's answer may still be coming.
                await asyncio.wait({down}, timeout=max(0.0, deadline - time.monotonic()))
            # The VM has closed (or the time is up): what the client still sends goes nowhere.
            for t in (up, down):
                t.cancel()
            await asyncio.gather(up, down, return_exceptions=True)
            sent, received = counts
        finally:
            vm_writer.close()
            await self.release(vm)
        self.served += 1
        serve_ms = (time.monotonic() - start) * 1000
        log(f"#{number}: vm pid {vm.proc.pid} {'pool' if vm.pooled else 'fresh'}, boot "
            f"{vm.boot_ms:.0f} ms, waited {waited_ms:.0f} ms, served {serve_ms:.0f} ms, "
            f"{sent} bytes in, {received} bytes out")

    async def refuse(self, reader, writer, status, reason, text):
        """Answers with an error: the request's head is read first (for a short while), so
        closing does not reset the connection and destroy the answer."""
        try:
            await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 0.5)
        except (asyncio.TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError,
                OSError):
            pass
        try:
            writer.write(response(status, reason, text))
            await writer.drain()
            writer.write_eof()
        except OSError:
            pass

    def kill_all(self):
        self.stopping = True
        for vm in list(self.vms):
            vm.kill_now()


async def pipe(reader, writer, counts, index):
    """Copies until the reader's end, then half-closes the writer; counts[index] counts the
    bytes copied."""
    try:
        while chunk := await reader.read(65536):
            writer.write(chunk)
            counts[index] += len(chunk)
            await writer.drain()
        if writer.can_write_eof():
            writer.write_eof()
    except (ConnectionError, OSError):
        pass


async def main(args):
    server = Server(args)
    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        loop.add_signal_handler(sig, lambda s=sig: stop.done() or stop.set_result(s))
    import atexit
    atexit.register(server.kill_all)
    try:
        listener = await asyncio.start_server(server.handle, args.host, args.port,
                                              reuse_address=True, backlog=128)
    except OSError as e:
        raise SystemExit(f"serve-vms: cannot listen on {args.host}:{args.port}: {e.strerror}")
    log(f"listening on http://{args.host}:{args.port}/ (a fresh VM per connection; pool "
        f"{args.pool}, at most {args.max_vms} VMs, queue {args.queue}, "
        f"{args.queue_timeout:g} s)")
    await server.dispatch()
    try:
        await stop
    finally:
        listener.close()
        server.kill_all()
        await asyncio.gather(*(vm.kill() for vm in list(server.vms)), return_exceptions=True)
        log(f"stopped: {server.requests} connections, {server.served} served")


def parse_args(argv=None):
    p = argparse.ArgumentParser(description="A fresh Stellina microVM for every connection.")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    p.add_argument("--port", type=int, default=8090, help="port to listen on (8090)")
    p.add_argument("--pool", type=int, default=0, help="VMs booted ahead of requests (0)")
    p.add_argument("--max-vms", type=int, default=4,
                   help="QEMU processes at most at once, pooled ones included (4)")
    p.add_argument("--queue", type=int, default=64,
                   help="connections that may wait for a VM; beyond, 503 (64)")
    p.add_argument("--queue-timeout", type=float, default=10.0,
                   help="seconds a connection may wait for a VM; beyond, 503 (10)")
    p.add_argument("--boot-timeout", type=float, default=10.0,
                   help="seconds from QEMU's launch to the guest's readiness; beyond, 502 (10)")
    p.add_argument("--request-timeout", type=float, default=60.0,
                   help="seconds a connection may last once relayed (60)")
    p.add_argument("--memory", type=int, default=128, help="each VM's -m in MiB (128)")
    p.add_argument("--kernel", default=KERNEL)
    p.add_argument("--initrd", default=None,
                   help="the boot archive (default: the serving system's, "
                        "build/system-web/boot.archive)")
    p.add_argument("--full", action="store_true",
                   help="boot the whole system `make run` boots (build/user/system.archive) "
                        "instead of the serving system")
    p.add_argument("--append", default=STATIC_ADDRESS,
                   help="the kernel command line (default: a static address for tcpip, "
                        f"{STATIC_ADDRESS!r})")
    p.add_argument("--ready", action="append", default=[], metavar="TEXT",
                   help="a text the guest's serial output must show before it is ready "
                        "(repeatable; the default: Stellina's stack address and httpd's "
                        "listening lines)")
    args = p.parse_args(argv)
    args.ready = args.ready or list(READY_LINES)
    if args.full and args.initrd:
        p.error("--full and --initrd name two archives: give one")
    args.initrd = args.initrd or (FULL_ARCHIVE if args.full else WEB_ARCHIVE)
    if args.max_vms < 1:
        p.error("--max-vms must be at least 1")
    if not 0 <= args.pool <= args.max_vms:
        p.error(f"--pool must be between 0 and --max-vms ({args.max_vms})")
    if args.queue < 0 or args.queue_timeout < 0 or args.boot_timeout <= 0:
        p.error("--queue, --queue-timeout and --boot-timeout cannot be negative")
    for path in (args.kernel, args.initrd):
        if not os.path.exists(path):
            p.error(f"{path} is missing: build first (make)")
    return args


if __name__ == "__main__":
    try:
        asyncio.run(main(parse_args()))
    except KeyboardInterrupt:
        pass
