#!/usr/bin/env python3
"""10,000 requests to Stellina's httpd without an error and without a leak.

Boots Stellina with port 80 forwarded to a free host port, then with ApacheBench (ab, from
apache2-utils; one request per connection, 8 at a time):
  1. a warm-up of WARMUP requests (--warmup) to `/`, then the memory figures of `/api/status`;
  2. REQUESTS requests (--requests) to `/`: every one must complete with a 2xx answer (no failed
     request, no non-2xx answer, no socket error), then the memory figures again.
The memory figures (free bytes, kernel heap, httpd's and tcpip's memory) after the load may
differ from those after the warm-up by at most SLACK_BYTES (free memory may shrink by that
much, the others grow by that much). A step up can still come from a new high-water mark
of connections open at once (the stack's slots and httpd's sessions are touched on first
use: about 60 KiB a slot), after which the figures stay flat however many requests follow
(measured: 15,000 more requests after such a step, no byte more). So when the figures grew,
the same load runs once more and must not grow them again: a leak grows with every round.

/api/status is read as JSON; the figures are found by name wherever they sit: a number whose
key path names "free" (free bytes), one naming "heap" (the kernel heap), and for httpd and
tcpip the component objects (those with "name": "httpd"/"tcpip") and their numeric fields
naming memory ("mem", "bytes" or "pages"; pages count 4 KiB each).

With --isolation kernel, httpd, tcpip and virtio-net must be running inside the kernel
(/api/status says where each runs); with --isolation wasm, httpd must be wasm and the other
two in user mode; by default, all three in user mode.

usage: http_load.py --kernel K --initrd ARCHIVE [--machine microvm|q35]
                    [--isolation user|kernel|wasm] [--warmup N] [--requests N]
"""

import argparse
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from http_guest import Failed, HttpGuest  # noqa: E402

WARMUP = 1000
REQUESTS = 10000
CONCURRENCY = 8
SLACK_BYTES = 128 * 1024
AB_TIMEOUT_S = 900      # the whole ab run; ab's own per-request timeout is 10 s


def log(msg):
    print(f"http_load: {msg}", flush=True)


def ab(url, requests):
    # -l: the live page's length changes between requests (uptime, counters); ab would count
    # each change as a failure. Status codes and socket errors are still checked.
    cmd = ["ab", "-l", "-n", str(requests), "-c", str(CONCURRENCY), "-s", "10", "-r", url]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=AB_TIMEOUT_S)
    except FileNotFoundError:
        raise Failed("ab not found (apt-get install apache2-utils, or tools/setup.sh)") from None
    except subprocess.TimeoutExpired:
        raise Failed(f"{' '.join(cmd)} took more than {AB_TIMEOUT_S} s") from None
    out = r.stdout

    def count(label):
        m = re.search(rf"^{label}:\s+(\d+)", out, re.M)
        return int(m.group(1)) if m else 0
    complete, failed = count("Complete requests"), count("Failed requests")
    non_2xx, write_errors = count("Non-2xx responses"), count("Write errors")
    rps = re.search(r"^Requests per second:\s+([\d.]+)", out, re.M)
    if r.returncode != 0 or complete != requests or failed or non_2xx or write_errors:
        detail = re.search(r"^\s+\(Connect: .*$", out, re.M)
        raise Failed(f"{' '.join(cmd)}: exit {r.returncode}, {complete} of {requests} complete, "
                     f"{failed} failed{' ' + detail.group(0).strip() if detail else ''}, "
                     f"{non_2xx} non-2xx, {write_errors} write errors\n{r.stderr.strip()[-500:]}")
    return float(rps.group(1)) if rps else 0.0


def flatten(value, path=()):
    """[(key path, value)] for every leaf of a JSON value."""
    if isinstance(value, dict):
        return [leaf for k, v in value.items() for leaf in flatten(v, path + (str(k),))]
    if isinstance(value, list):
        return [leaf for i, v in enumerate(value) for leaf in flatten(v, path + (str(i),))]
    return [(path, value)]


def find_component(status, name):
    """The JSON object describing component `name`, wherever it sits."""
    if isinstance(status, dict):
        if status.get("name") == name:
            return status
        children = status.values()
    elif isinstance(status, list):
        children = status
    else:
        return None
    for child in children:
        found = find_component(child, name)
        if found is not None:
            return found
    return None


def is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def memory_figures(status):
    """{figure: bytes} from /api/status; raises Failed naming what is missing."""
    leaves = [("/".join(p), v) for p, v in flatten(status) if is_number(v)]
    figures = {}
    for label, pattern in (("free", r"free"), ("kernel heap", r"heap")):
        hits = [(k, v) for k, v in leaves if re.search(pattern, k, re.I)]
        if not hits:
            raise Failed(f"/api/status has no number for {label}; its numbers: "
                         f"{[k for k, _ in leaves][:40]}")
        for k, v in hits:
            figures[k] = v * (4096 if re.search(r"pages", k, re.I) else 1)
    for name in ("httpd", "tcpip"):
        comp = find_component(status, name)
        if comp is None:
            raise Failed(f"/api/status names no component {name!r}")
        mem = [("/".join(p), v) for p, v in flatten(comp) if is_number(v)
               and re.search(r"mem|bytes|pages", "/".join(p), re.I)]
        if not mem:
            raise Failed(f"/api/status: component {name} has no memory figure: {comp}")
        for k, v in mem:
            figures[f"{name}/{k}"] = v * (4096 if re.search(r"pages", k, re.I) else 1)
    return figures


def growth(before, after):
    """The figures that grew (free memory: shrank) by more than SLACK_BYTES, as text."""
    grown = []
    for k, v in before.items():
        if k not in after:
            grown.append(f"{k} vanished")
            continue
        grew = (v - after[k]) if re.search(r"free", k, re.I) else (after[k] - v)
        if grew > SLACK_BYTES:
            grown.append(f"{k}: {v} -> {after[k]}")
    return grown


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--kernel", required=True)
    p.add_argument("--initrd", required=True)
    p.add_argument("--machine", default="microvm")
    p.add_argument("--requests", type=int, default=REQUESTS)
    p.add_argument("--warmup", type=int, default=WARMUP)
    p.add_argument("--isolation", choices=("user", "kernel", "wasm"), default="user")
    opts = p.parse_args()
    try:
        with HttpGuest(opts.kernel, opts.initrd, opts.machine) as g:
            log(f"first HTTP 200 {g.first_200_ms:.0f} ms after QEMU's launch, port {g.port}")
            status = g.get_json("/api/status")
            for name in ("httpd", "tcpip", "virtio-net"):
                where = (find_component(status, name) or {}).get("isolation")
                # With wasm, only httpd is wasm: the driver and the stack stay in user mode.
                wanted = "user" if opts.isolation == "wasm" and name != "httpd" else opts.isolation
                if where != wanted:
                    raise Failed(f"{name} runs in {where} isolation, not {wanted}")
            rps = ab(g.url("/"), opts.warmup)
            before = memory_figures(g.get_json("/api/status"))
            log(f"warm-up: {opts.warmup} requests, {rps:.0f}/s; memory {before}")
            rps = ab(g.url("/"), opts.requests)
            after = memory_figures(g.get_json("/api/status"))
            log(f"load: {opts.requests} requests, 0 errors, {rps:.0f}/s; memory {after}")
            grown = growth(before, after)
            if grown:
                # A step up is what a new high-water mark of connections open at once does
                # (slots and sessions touched for the first time); a leak grows again with
                # the next requests. So the same load once more must not grow at all.
                log(f"grew: {'; '.join(grown)}; once more, where it must not grow")
                rps = ab(g.url("/"), opts.requests)
                again = memory_figures(g.get_json("/api/status"))
                log(f"load again: {opts.requests} requests, 0 errors, {rps:.0f}/s; memory {again}")
                grown = growth(after, again)
                if grown:
                    raise Failed(f"memory grew by more than {SLACK_BYTES} bytes over "
                                 f"{opts.requests} requests twice: {'; '.join(grown)}")
            if not g.guest.alive():
                raise Failed("QEMU exited during the load")
    except Failed as e:
        log(f"FAILED: {e}")
        return 1
    log("passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
