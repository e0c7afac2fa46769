#!/usr/bin/env python3
"""Stellina's home page in a real browser: headless Chromium (Debian's `chromium`).

Boots Stellina with port 80 forwarded to a free host port, then:
  - `chromium --headless --dump-dom` of http://127.0.0.1:PORT/ (scripts run for up to 5 s of
    virtual time) must show live data: an uptime that is a number, and a table row naming
    httpd as running. A second load a few seconds later must show a larger uptime.
  - `chromium --headless --screenshot` writes OUT/home.png, which must not be blank (at least
    MIN_DRAWN pixels differ from the top-left one, the page background: some text at least).
  - /graphs.html, linked from the home page, draws its charts from /api/history: after its
    script ran, <main> says it drew all CHARTS charts from at least MIN_SAMPLES samples, and
    every canvas how many points it drew (at least one per sample for the charts whose
    series always exist). OUT/graphs.png is its screenshot, which must show the colours of
    the lines (orange and green appear nowhere else on the page).

usage: http_browser.py --kernel K --initrd ARCHIVE --out DIR [--machine microvm|q35]
"""

import argparse
import html.parser
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from http_guest import Failed, HttpGuest  # noqa: E402

CHROMIUM_TIMEOUT_S = 90
MIN_DRAWN = 1000
CHARTS = 6
MIN_SAMPLES = 3
MIN_LINE_PIXELS = 40
UPTIME = re.compile(r"uptime\D{0,40}?(\d+(?:\.\d+)?)", re.I | re.S)


def log(msg):
    print(f"http_browser: {msg}", flush=True)


def chromium(args, profile):
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        raise Failed("chromium not found (apt-get install chromium, or tools/setup.sh)")
    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
           "--no-first-run", "--hide-scrollbars", f"--user-data-dir={profile}",
           "--virtual-time-budget=5000", "--window-size=1280,1024", *args]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=CHROMIUM_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise Failed(f"chromium took more than {CHROMIUM_TIMEOUT_S} s: {' '.join(args)}") from None
    if r.returncode != 0:
        raise Failed(f"chromium exited with {r.returncode}: {r.stderr.strip()[-500:]}")
    return r.stdout


class Text(html.parser.HTMLParser):
    """The visible text of a DOM, and its table rows as lists of cell texts."""

    def __init__(self):
        super().__init__()
        self.parts, self.rows, self.row, self.cell = [], [], None, None
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        elif tag == "tr":
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
        elif tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.row.append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.rows.append(self.row)
            self.row = None

    def handle_data(self, data):
        if self.skip:
            return
        self.parts.append(data)
        if self.cell is not None:
            self.cell.append(data)

    def text(self):
        return " ".join(" ".join(self.parts).split())


def read_dom(url, profile):
    dom = chromium(["--dump-dom", url], profile)
    t = Text()
    t.feed(dom)
    text = t.text()
    m = UPTIME.search(text)
    if not m:
        raise Failed(f"the rendered page shows no uptime number; its text: {text[:600]!r}")
    rows = [r for r in t.rows if any(c.lower() == "httpd" for c in r)]
    if not rows:
        raise Failed(f"the rendered page has no table row for httpd; rows: {t.rows[:20]}")
    if not any(any(c.lower() == "running" for c in r) for r in rows):
        raise Failed(f"httpd's row does not say running: {rows}")
    return float(m.group(1)), rows, text


def png_pixels(path):
    """(width, height, rows of pixel tuples) of an 8-bit RGB or RGBA PNG."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise Failed(f"{path} is not a PNG")
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", data[pos + 8:pos + 21])
        elif kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + n]
        pos += 12 + n
    width, height, depth, color = ihdr[:4]
    if depth != 8 or color not in (2, 6):
        raise Failed(f"{path}: PNG of depth {depth}, colour type {color}: not read here")
    bpp = 3 if color == 2 else 4
    raw, stride = zlib.decompress(idat), width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 0xff
            elif f == 2:
                line[i] = (line[i] + b) & 0xff
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xff
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xff
        rows.append([tuple(line[x:x + 3]) for x in range(0, stride, bpp)])
        prev = line
    return width, height, rows


def check_graphs(url, profile, shot):
    """Loads the graphs page, checks what its script says it drew, takes its screenshot."""
    dom = chromium(["--dump-dom", url], profile)
    main = re.search(r'<main id="graphs"([^>]*)>', dom)
    if not main:
        raise Failed(f"the graphs page has no <main id=graphs>: {dom[:400]!r}")
    attributes = dict(re.findall(r'(data-[a-z]+)="([^"]*)"', main.group(1)))
    drawn, samples = int(attributes.get("data-drawn", 0)), int(attributes.get("data-samples", 0))
    if drawn != CHARTS or samples < MIN_SAMPLES:
        raise Failed(f"the graphs page drew {drawn} charts of {samples} samples: {attributes}")
    charts = re.findall(r'<section class="chart[^"]*" id="([a-z-]+)".*?<canvas([^>]*)>', dom, re.S)
    points = {}
    for name, canvas in charts:
        p = re.search(r'data-points="(\d+)"', canvas)
        points[name] = int(p.group(1)) if p else -1
    if len(points) != CHARTS or min(points.values()) < 0:
        raise Failed(f"not every chart was drawn: {points}")
    for name in ["chart-system-memory", "chart-traffic", "chart-requests"]:
        if points[name] < samples:
            raise Failed(f"{name} drew {points[name]} points of {samples} samples: {points}")
    if points["chart-memory"] < samples:  # every running component has memory
        raise Failed(f"chart-memory drew {points['chart-memory']} points: {points}")
    log(f"graphs: {drawn} charts from {samples} samples, points {points}")
    chromium([f"--screenshot={shot}", url], profile)
    if not os.path.exists(shot):
        raise Failed("chromium wrote no screenshot of the graphs")
    width, height, pixels = png_pixels(shot)
    # The lines' colours: orange (#d9480f, a series' second colour) and green (#2b8a3e).
    orange = sum(r > 150 and 40 < g < 140 and b < 90 for row in pixels for r, g, b in row)
    green = sum(g > r + 40 and g > b + 30 for row in pixels for r, g, b in row)
    if orange < MIN_LINE_PIXELS or green < MIN_LINE_PIXELS:
        raise Failed(f"{shot}: {orange} orange and {green} green pixels: no lines drawn?")
    log(f"screenshot {shot}: {width}x{height}, {orange} orange and {green} green pixels")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--kernel", required=True)
    p.add_argument("--initrd", required=True)
    p.add_argument("--out", required=True, help="directory for home.png and home.html")
    p.add_argument("--machine", default="microvm")
    opts = p.parse_args()
    os.makedirs(opts.out, exist_ok=True)
    shot = os.path.join(opts.out, "home.png")
    if os.path.exists(shot):
        os.remove(shot)
    profile = tempfile.mkdtemp(prefix="stellina-chromium-")
    try:
        with HttpGuest(opts.kernel, opts.initrd, opts.machine) as g:
            log(f"first HTTP 200 {g.first_200_ms:.0f} ms after QEMU's launch, port {g.port}")
            first, rows, text = read_dom(g.url("/"), profile)
            log(f"rendered: uptime {first}, httpd row {rows[0]}")
            with open(os.path.join(opts.out, "home.txt"), "w") as f:
                f.write(text + "\n")
            time.sleep(3)
            second, _, _ = read_dom(g.url("/"), profile)
            if not second > first:
                raise Failed(f"the uptime did not grow between two loads 3 s apart: {first}, {second}")
            log(f"rendered again: uptime {second}")
            chromium([f"--screenshot={shot}", g.url("/")], profile)
            check_graphs(g.url("/graphs.html"), profile, os.path.join(opts.out, "graphs.png"))
        if not os.path.exists(shot):
            raise Failed("chromium wrote no screenshot")
        width, height, pixels = png_pixels(shot)
        background = pixels[0][0]
        differ = sum(px != background for row in pixels for px in row)
        if differ < MIN_DRAWN:
            raise Failed(f"the screenshot is blank: {differ} of {width * height} pixels differ "
                         f"from the background")
        log(f"screenshot {shot}: {width}x{height}, {100 * differ / (width * height):.1f}% drawn")
    except Failed as e:
        log(f"FAILED: {e}")
        return 1
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    log("passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
