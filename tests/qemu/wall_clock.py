#!/usr/bin/env python3
"""The wall clock: boots the kernel, reads the wall time it logs from the real-time clock and
checks it against the host's clock: after 2020-01-01 and within five minutes of the host's
time during the run. QEMU's RTC follows the host's clock and holds UTC (-rtc base=utc), so
there is no time zone to allow for, and a misread hour (12-hour mode, BCD) shows. With --no-rtc the machine has none (microvm,rtc=off): the kernel must
say so and log no wall time.

usage: wall_clock.py QEMU_RUN MACHINE KERNEL [--no-rtc]
"""
import calendar
import re
import subprocess
import sys
import time

WALL = re.compile(r"clock: wall time (\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d) UTC from the RTC")
NO_RTC = r"clock: no real-time clock \(not found\): the wall clock starts at 1970-01-01 at boot"
EARLIEST = calendar.timegm((2020, 1, 1, 0, 0, 0))
SLACK = 300  # boot takes seconds; the RTC's reading is up to a second behind


def main():
    qemu_run, machine, kernel = sys.argv[1:4]
    no_rtc = "--no-rtc" in sys.argv[4:]
    cmd = [sys.executable, qemu_run, "--machine", machine, "--kernel", kernel,
           "--append", "after_boot=shutdown", "--status", "0", "--timeout", "30",
           "--expect", NO_RTC if no_rtc else WALL.pattern, "--expect", "stellina: ready",
           "--expect", "power: shutting down", "--reject", "RTC reads"]
    if no_rtc:
        cmd += ["--qemu-arg=-M", "--qemu-arg=microvm,rtc=off", "--reject", WALL.pattern]
    before = time.time()
    r = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, errors="replace")
    after = time.time()
    sys.stdout.write(r.stdout)
    if r.returncode or no_rtc:
        return r.returncode
    m = WALL.search(r.stdout)
    fields = tuple(int(f) for f in m.groups())
    wall = calendar.timegm(fields)
    if time.gmtime(wall)[:6] != fields:  # timegm takes 2026-02-30 as March 2nd
        print(f"wall_clock: {m.group(0)!r} is not a date")
        return 1
    if wall < EARLIEST:
        print(f"wall_clock: the wall time {wall} is before 2020-01-01")
        return 1
    if not before - SLACK <= wall <= after + SLACK:
        print(f"wall_clock: the wall time {wall} is not within five minutes of the host's "
              f"({before:.0f}..{after:.0f})")
        return 1
    print(f"wall_clock: {machine}: the guest's wall time is {wall - before:+.0f} s from the "
          f"host's at the start of the run")
    return 0


if __name__ == "__main__":
    sys.exit(main())
