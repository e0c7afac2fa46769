"""Booting the Debian Linux baseline guest in the same QEMU configuration as Stellina.

    from bench.linux import guest
    run, retries = guest.boot("microvm")            # default initramfs: print marker, power off
    run.marks[guest.INIT_MARKER], run.exit_ms

Later benchmarks pass their own initrd (prepare.build_initramfs) and extra QEMU arguments
(e.g. a virtio-net device).
"""

from bench.lib import qemu
from bench.linux import prepare

INIT_MARKER = prepare.INIT_MARKER

# Kernel command line, chosen for the fastest way to init under TCG (see bench/README.md):
#   quiet            the kernel log over the emulated UART is slow under TCG
#   panic=-1         reboot at once on panic, which -no-reboot turns into a QEMU exit
#   cryptomgr.notests  skips the crypto self-tests, ~0.3 s under TCG
#   tsc_early_khz    microvm has no HPET or PM timer, and calibrating the TSC against the PIT
#                    often fails under TCG; the kernel then marks the TSC unstable and about
#                    one boot in eight hangs with its clock stuck at 0. Giving the rate avoids
#                    that. It only needs to be roughly right: the TSC under TCG runs at the
#                    host rate, so it is read from the host.
#   lpj              skips delay-loop calibration altogether, as a second safeguard.
HZ = 250  # CONFIG_HZ of Debian's amd64 kernel


def host_tsc_khz():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("cpu MHz"):
                return int(float(line.split(":")[1]) * 1000)
    return 2_000_000


def cmdline(extra=""):
    khz = host_tsc_khz()
    base = (f"console=ttyS0 quiet panic=-1 cryptomgr.notests "
            f"tsc_early_khz={khz} lpj={khz * 1000 // HZ}")
    return f"{base} {extra}".strip()


def command(machine, initrd=None, append=None, memory=128, extra=()):
    """The QEMU command line that boots the baseline guest on `machine` (microvm | q35)."""
    vmlinux, default_initrd = prepare.prepare()
    return qemu.qemu_cmd(machine, vmlinux, append or cmdline(), initrd or default_initrd,
                         memory, extra)


def boot(machine, markers=(INIT_MARKER,), timeout=30.0, attempts=3, **kw):
    """Boots the guest once (retrying hung boots); returns (qemu.Run, failed attempts)."""
    return qemu.timed_run_retry(command(machine, **kw), list(markers), timeout, attempts)
