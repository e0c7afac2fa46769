#!/usr/bin/env python3
"""The shell over telnet: boots the "shell" test system with telnet on (the disk's
/etc/term.conf: port 23, a password, a 20 s login timeout), its port 23 forwarded to a free
host port, and drives it with plain sockets, as a telnet client would:

  - the opening negotiation is exactly IAC WILL ECHO, IAC WILL SUPPRESS-GO-AHEAD, IAC DO NAWS,
    then "Password: "; the client's acknowledgements get no answer;
  - a wrong password is refused ("Login incorrect.") and the prompt comes back only after the
    delay; the right one (never echoed) gives the shell's prompt;
  - `echo hello; ls /bin | wc -l` prints hello and the number of programs on the disk;
  - the window the client gave with NAWS (100 x 30) is the shell's COLUMNS and LINES;
  - the limits: a third login in progress is refused, and so is a fifth remote session;
  - closing a logged-in connection ends its shell (term has one process fewer in `ps`);
  - an idle connection that never gives the password is closed after the login timeout;
  - `exit` closes the connection; a new connection is served again.

usage: telnet.py QEMU_RUN KERNEL ARCHIVE PROGRAMS_DIR WORKDIR
"""
import os
import re
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from remote_guest import PASSWORD, Failed, RemoteGuest  # noqa: E402

IAC, WILL, WONT, DO, DONT, SB, SE = 255, 251, 252, 253, 254, 250, 240
ECHO, SGA, NAWS = 1, 3, 31
OFFER = bytes([IAC, WILL, ECHO, IAC, WILL, SGA, IAC, DO, NAWS])
LOGIN_TIMEOUT = 20
PROMPT = b"$ "


def log(msg):
    print(f"telnet: {msg}", flush=True)


class Telnet:
    """A telnet connection: the bytes received, with the commands taken out and kept."""

    def __init__(self, port, name):
        self.name = name
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.opened = time.monotonic()
        self.raw = b""       # everything received
        self.text = b""      # data not yet consumed, commands taken out
        self.commands = []   # (verb, option) and ("SB", bytes)
        self.closed = False
        self.match = None
        self._pending = b""  # a command cut at the end of a read

    def _parse(self, chunk):
        data = self._pending + chunk
        self._pending = b""
        i = 0
        while i < len(data):
            b = data[i]
            if b != IAC:
                self.text += bytes([b])
                i += 1
                continue
            if i + 1 >= len(data):
                self._pending = data[i:]
                return
            verb = data[i + 1]
            if verb == IAC:
                self.text += b"\xff"
                i += 2
            elif verb in (WILL, WONT, DO, DONT):
                if i + 2 >= len(data):
                    self._pending = data[i:]
                    return
                self.commands.append((verb, data[i + 2]))
                i += 3
            elif verb == SB:
                end = data.find(bytes([IAC, SE]), i)
                if end < 0:
                    self._pending = data[i:]
                    return
                self.commands.append(("SB", data[i + 2:end]))
                i = end + 2
            else:
                self.commands.append((verb, None))
                i += 2

    def read(self, timeout):
        """Reads what comes within timeout; False if nothing did."""
        self.sock.settimeout(timeout)
        try:
            chunk = self.sock.recv(65536)
        except socket.timeout:
            return False
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            self.closed = True
            return False
        self.raw += chunk
        self._parse(chunk)
        return True

    def wait_for(self, pattern, timeout):
        """Consumes the text up to the first match of pattern (bytes regex); returns what was
        before it."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            m = regex.search(self.text)
            if m:
                before, self.text = self.text[:m.start()], self.text[m.end():]
                self.match = m
                return before
            if self.closed:
                raise Failed(f"{self.name}: closed before {pattern!r}; had {self.text[-300:]!r}")
            left = deadline - time.monotonic()
            if left <= 0:
                raise Failed(f"{self.name}: no {pattern!r} within {timeout} s; "
                             f"had {self.text[-300:]!r}")
            self.read(min(left, 0.5))

    def wait_closed(self, timeout):
        """Reads until the server closes; returns the text it sent meanwhile."""
        deadline = time.monotonic() + timeout
        while not self.closed:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Failed(f"{self.name}: still open after {timeout} s; had {self.text[-300:]!r}")
            self.read(min(left, 0.5))
        text, self.text = self.text, b""
        return text

    def send(self, data):
        self.sock.sendall(data)

    def type(self, line):
        """A line as a telnet client sends it: CR NUL at its end (0xFF doubled)."""
        self.send(line.encode().replace(b"\xff", b"\xff\xff") + b"\r\0")

    def close(self):
        self.sock.close()


def negotiate(c, columns=100, rows=30):
    """Checks the server's opening offer and prompt, and accepts it with a window size."""
    c.wait_for(rb"Password: ", 30)
    if not c.raw.startswith(OFFER):
        raise Failed(f"{c.name}: the negotiation is {c.raw[:len(OFFER)].hex()}, "
                     f"expected {OFFER.hex()}")
    c.send(bytes([IAC, DO, ECHO, IAC, DO, SGA, IAC, WILL, NAWS, IAC, SB, NAWS,
                  columns >> 8, columns & 255, rows >> 8, rows & 255, IAC, SE]))


def login(c):
    negotiate(c)
    c.type(PASSWORD)
    c.wait_for(re.escape(PROMPT), 60)


def run(c, command, timeout=60):
    """Runs command in c's shell; returns its output (CR LF as LF) and status."""
    c.type(f"{command}; echo @@$?@@")
    # The line editor echoes the line; the marker's output is the last thing.
    c.wait_for(re.escape(b"@@$?@@"), timeout)
    out = c.wait_for(rb"(?:^|\n)@@(\d+)@@\r?\n", timeout)
    status = int(c.match.group(1))
    out = out.replace(b"\r\n", b"\n").lstrip(b"\n")
    c.wait_for(re.escape(PROMPT), timeout)
    return out.decode("utf-8", "replace"), status


def term_processes(c):
    """The number of live processes ps gives for term (itself and its sessions' programs):
    the column before TIME, counted from the right (NAME is last)."""
    out, status = run(c, "ps")
    for line in out.splitlines()[1:]:
        cells = line.split()
        if len(cells) >= 4 and cells[-1] == "term" and cells[-3].isdigit():
            return int(cells[-3])
    raise Failed(f"ps shows no process count for term (status {status}):\n{out}")


def main():
    qemu_run, kernel, archive, programs, workdir = sys.argv[1:6]
    expected_bin = sum(1 for p in os.listdir(programs)
                       if os.path.isfile(os.path.join(programs, p))
                       and os.access(os.path.join(programs, p), os.X_OK))
    if os.path.exists(os.path.join(programs, "test")) and \
            not os.path.exists(os.path.join(programs, "[")):
        expected_bin += 1  # tools/mkdisk.sh adds `[`
    open_conns = []
    try:
        with RemoteGuest(qemu_run, kernel, archive, programs, workdir, telnet=True,
                         login_timeout=LOGIN_TIMEOUT) as g:
            g.wait_for_log("[term] listening for telnet on port 23", 120)
            log(f"guest up; telnet on 127.0.0.1:{g.telnet_port}")

            def connect(name):
                c = Telnet(g.telnet_port, name)
                open_conns.append(c)
                return c

            a = connect("a")
            negotiate(a)
            a.read(1.0)
            if a.commands[3:]:
                raise Failed(f"the server answered acknowledgements: {a.commands[3:]}")
            log("negotiation: WILL ECHO, WILL SGA, DO NAWS; no answer to the acknowledgements")

            a.type("not the password")
            a.wait_for(rb"Login incorrect\.\r\n", 60)
            refused = time.monotonic()
            a.wait_for(rb"Password: ", 30)
            delay = time.monotonic() - refused
            if delay < 1.5:
                raise Failed(f"the prompt came back {delay:.1f} s after a wrong password")
            log(f"a wrong password: refused, the prompt again after {delay:.1f} s")

            start = time.monotonic()
            a.type(PASSWORD)
            before = a.wait_for(re.escape(PROMPT), 60)
            if PASSWORD.encode() in a.raw:
                raise Failed("the password was echoed")
            log(f"the right password: a prompt in {time.monotonic() - start:.1f} s "
                f"({before.strip()!r} before it)")

            out, status = run(a, "echo hello; ls /bin | wc -l")
            lines = out.split()
            if status != 0 or lines[:1] != ["hello"] or len(lines) != 2 or \
                    int(lines[1]) != expected_bin:
                raise Failed(f"`echo hello; ls /bin | wc -l`: {out!r} status {status}; "
                             f"expected hello and {expected_bin}")
            log(f"echo hello; ls /bin | wc -l -> hello, {lines[1]}")

            out, status = run(a, "echo $COLUMNS $LINES $TERM")
            if out.split() != ["100", "30", "vt100"]:
                raise Failed(f"COLUMNS LINES TERM: {out!r}; expected 100 30 vt100 (from NAWS)")
            log("NAWS 100x30 -> COLUMNS=100 LINES=30")

            # The limits: two logins in progress at most, four remote sessions at most.
            b = connect("b")
            negotiate(b)
            c = connect("c")
            negotiate(c)
            d = connect("d")
            text = d.wait_closed(30)
            if b"Too many logins in progress" not in text:
                raise Failed(f"a third login in progress: {text!r}")
            d.close()
            log("a third login in progress: refused")
            b.type(PASSWORD)
            b.wait_for(re.escape(PROMPT), 60)
            e = connect("e")
            negotiate(e)
            f = connect("f")
            text = f.wait_closed(30)
            if b"Too many sessions" not in text:
                raise Failed(f"a fifth remote session: {text!r}")
            f.close()
            log("a fifth remote session: refused")
            e.close()

            # Closing a connection ends its shell.
            before_close = term_processes(a)
            b.close()
            time.sleep(3)
            after_close = term_processes(a)
            if after_close != before_close - 1:
                raise Failed(f"term had {before_close} processes with b logged in, "
                             f"{after_close} after b closed: its shell lives on")
            log(f"closing a session ends its shell: term's processes {before_close} -> {after_close}")

            # The idle one that never gave the password.
            text = c.wait_closed(LOGIN_TIMEOUT + 15)
            idle = time.monotonic() - c.opened
            if b"Login timed out" not in text or idle < LOGIN_TIMEOUT - 1:
                raise Failed(f"an idle login closed after {idle:.1f} s with {text!r}")
            log(f"an idle login: closed after {idle:.1f} s (timeout {LOGIN_TIMEOUT} s)")

            a.type("exit")
            a.wait_closed(30)
            log("exit closes the connection")

            z = connect("z")
            login(z)
            out, _ = run(z, "echo again")
            if out.strip() != "again":
                raise Failed(f"a new session after the others: {out!r}")
            log("a new connection is served again")
    except (Failed, OSError) as e:
        log(f"FAILED: {e}")
        return 1
    finally:
        for c in open_conns:
            c.close()
    log("passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
