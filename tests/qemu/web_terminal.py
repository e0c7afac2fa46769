#!/usr/bin/env python3
"""The web terminal in a real browser: boots the "shell" test system with the web terminal on
(the disk's /etc/term.conf: web, a password; /srv/www with the page and the xterm.js the build
fetched), its port 80 forwarded to a free host port, and drives headless Chromium (Debian's
`chromium`) through its DevTools protocol (over --remote-debugging-pipe):

  - /terminal.html loads, xterm.js runs, the WebSocket to /terminal/ws opens (httpd hands it
    to term) and the terminal shows "Password: ";
  - the password, typed as key presses, gives the shell's prompt;
  - `echo web-$((6*7)); uname` typed the same way shows web-42 on a line of its own (so the
    shell ran it: the typed line holds no "web-42");
  - OUT/terminal.png, the page as the browser draws it, must not be blank.

When the build could not fetch xterm.js (no npm), the page must say so: the test checks that
it does and exits 77 (skipped).

usage: web_terminal.py QEMU_RUN KERNEL ARCHIVE PROGRAMS_DIR SITE_DIR OUT_DIR
"""
import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from http_browser import png_pixels  # noqa: E402
from remote_guest import PASSWORD, Failed, RemoteGuest, http  # noqa: E402

SKIPPED = 77
MIN_DRAWN = 2000
# The terminal's text: every line of xterm's buffer.
SCREEN_JS = """(() => {
  const t = window.stellinaTerminal;
  if (!t) return null;
  const b = t.buffer.active, lines = [];
  for (let i = 0; i < b.length; i++) lines.push(b.getLine(i).translateToString(true));
  return lines.join("\\n");
})()"""


def log(msg):
    print(f"web_terminal: {msg}", flush=True)


class Browser:
    """Headless Chromium driven over its DevTools pipe (fd 3 in, fd 4 out: NUL-separated JSON)."""

    def __init__(self, profile, width=1000, height=640):
        exe = shutil.which("chromium") or shutil.which("chromium-browser")
        if not exe:
            raise Failed("chromium not found (apt-get install chromium, or tools/setup.sh)")
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()

        def pipes():  # in the child: the protocol's descriptors, out of each other's way first
            r = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD, 10)
            w = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD, 10)
            os.dup2(r, 3)
            os.dup2(w, 4)

        self.proc = subprocess.Popen(
            [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--no-first-run", "--hide-scrollbars", "--remote-debugging-pipe",
             f"--user-data-dir={profile}", f"--window-size={width},{height}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=pipes, close_fds=False)
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buffer = b""
        self._next_id = 1
        self.events = []
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget",
                                 {"targetId": target, "flatten": True})["sessionId"]
        self.call("Page.enable", session=True)

    def _message(self, timeout):
        deadline = time.monotonic() + timeout
        while b"\0" not in self._buffer:
            if time.monotonic() > deadline:
                raise Failed("chromium does not answer on its DevTools pipe")
            ready, _, _ = select.select([self._from_browser], [], [], 0.5)
            if ready:
                chunk = os.read(self._from_browser, 1 << 20)
                if not chunk:
                    raise Failed("chromium closed its DevTools pipe")
                self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def call(self, method, params=None, session=False, timeout=60):
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = self.session
        self._next_id += 1
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        while True:
            m = self._message(timeout)
            if m.get("id") == message["id"]:
                if "error" in m:
                    raise Failed(f"{method}: {m['error']}")
                return m.get("result", {})
            self.events.append(m)

    def evaluate(self, expression):
        r = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True},
                      session=True)
        if "exceptionDetails" in r:
            raise Failed(f"{expression[:60]!r}: {r['exceptionDetails']}")
        return r["result"].get("value")

    def key(self, char):
        """One key press as a keyboard makes it: keyDown (with its text), then keyUp."""
        if char == "\r":
            key = {"key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 13, "text": "\r"}
        else:
            key = {"key": char, "text": char}
            if char.isalnum():
                key["code"] = ("Key" + char.upper()) if char.isalpha() else ("Digit" + char)
                key["windowsVirtualKeyCode"] = ord(char.upper())
        self.call("Input.dispatchKeyEvent", {"type": "keyDown", **key}, session=True)
        self.call("Input.dispatchKeyEvent", {"type": "keyUp", **{k: v for k, v in key.items()
                                                                 if k != "text"}}, session=True)

    def type(self, text):
        for char in text:
            self.key(char)

    def wait_for(self, predicate, what, timeout):
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(SCREEN_JS)
            if value is not None and predicate(value):
                return value
            if time.monotonic() > deadline:
                raise Failed(f"no {what} within {timeout} s; the terminal shows:\n{value}")
            time.sleep(0.3)

    def close(self):
        try:
            self.call("Browser.close", timeout=5)
        except Failed:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)


def main():
    qemu_run, kernel, archive, programs, site, out = sys.argv[1:7]
    os.makedirs(out, exist_ok=True)
    shot = os.path.join(out, "terminal.png")
    if os.path.exists(shot):
        os.remove(shot)
    stand_in = "StellinaXtermMissing" in open(os.path.join(site, "xterm.js"), errors="replace").read(4096)
    profile = tempfile.mkdtemp(prefix="stellina-chromium-")
    browser = None
    try:
        with RemoteGuest(qemu_run, kernel, archive, programs, out, telnet=False, web=True,
                         site=site) as g:
            g.wait_for_log("[term] remote shells", 120)
            hit = http.first_200(g.http_port, time.monotonic(), time.monotonic() + 90,
                                 alive=g.guest.alive, path="/terminal.html")
            if hit.ms is None:
                raise Failed(f"no /terminal.html within 90 s:\n{g.guest.tail(30)}")
            url = f"http://127.0.0.1:{g.http_port}/terminal.html"
            browser = Browser(profile)
            browser.call("Page.navigate", {"url": url}, session=True)
            deadline = time.monotonic() + 60
            state = None
            while time.monotonic() < deadline:
                state = browser.evaluate("document.body && document.body.dataset.state")
                if state in ("open", "missing", "refused", "closed"):
                    break
                time.sleep(0.3)
            if stand_in:
                notice = browser.evaluate("document.getElementById('notice').textContent")
                if state != "missing" or "xterm.js" not in (notice or ""):
                    raise Failed(f"xterm.js is a stand-in, and the page does not say so "
                                 f"(state {state}, notice {notice!r})")
                log(f"the build has no xterm.js (no npm); the page says so: {notice!r}")
                return SKIPPED
            if state != "open":
                raise Failed(f"the page's WebSocket did not open (state {state!r})")
            log(f"{url}: xterm.js loaded, the WebSocket is open")
            browser.wait_for(lambda s: "Password: " in s, "password prompt", 30)
            browser.evaluate("window.stellinaTerminal.focus()")
            start = time.monotonic()
            browser.type(PASSWORD + "\r")
            browser.wait_for(lambda s: s.rstrip().endswith("$"), "shell prompt", 60)
            log(f"logged in: a prompt {time.monotonic() - start:.1f} s after the password")
            browser.type("echo web-$((6*7)); uname\r")
            screen = browser.wait_for(
                lambda s: any(line.strip() == "web-42" for line in s.splitlines()),
                "web-42", 60)
            log("the command ran: web-42 on a line of its own")
            time.sleep(1)  # the rest of the output, then the prompt
            png = browser.call("Page.captureScreenshot", {"format": "png"}, session=True)["data"]
            with open(shot, "wb") as f:
                f.write(base64.b64decode(png))
            with open(os.path.join(out, "terminal.txt"), "w") as f:
                f.write(browser.evaluate(SCREEN_JS) or screen)
        width, height, pixels = png_pixels(shot)
        background = pixels[0][0]
        differ = sum(px != background for row in pixels for px in row)
        if differ < MIN_DRAWN:
            raise Failed(f"the screenshot is blank: {differ} of {width * height} pixels differ")
        log(f"screenshot {shot}: {width}x{height}, {100 * differ / (width * height):.1f}% drawn")
    except Failed as e:
        log(f"FAILED: {e}")
        return 1
    finally:
        if browser:
            browser.close()
        shutil.rmtree(profile, ignore_errors=True)
    log("passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
