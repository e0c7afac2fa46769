"""Booting Stellina with its HTTP server reachable from the host, for the HTTP tests.

    with HttpGuest(kernel, archive, machine="microvm") as g:   # raises Failed on no answer
        g.port, g.url("/api/status"), g.guest.output

QEMU's user network with a free host port on 127.0.0.1 forwarded to the guest's port 80;
the guest counts as up at its first HTTP 200 on `/` (bench/lib/http.py), and ready for the
tests once /api/status lists httpd: httpd listens before the startup server has answered its
first status questions, so the first answers after boot may have empty tables.
"""

import json
import os
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, REPO)
from bench.lib import http, qemu  # noqa: E402


class Failed(Exception):
    pass


class HttpGuest:
    def __init__(self, kernel, archive, machine="microvm", memory=128, boot_timeout=60.0):
        self.port = http.free_port()
        cmd = qemu.qemu_cmd(machine, kernel, "", initrd=archive, memory=memory,
                            extra=qemu.user_net(machine, {self.port: 80}))
        self.guest = qemu.Background(cmd)
        hit = http.first_200(self.port, self.guest.start, self.guest.start + boot_timeout,
                             alive=self.guest.alive)
        if hit.ms is None:
            self.guest.stop()
            raise Failed(f"no HTTP 200 on `/` within {boot_timeout:.0f} s of QEMU's launch "
                         f"({hit.attempts} connections, other statuses {hit.statuses}); "
                         f"serial output ends:\n{self.guest.tail(30)}")
        self.first_200_ms = hit.ms
        for _ in range(20):
            if self.lists_httpd():
                break
            time.sleep(0.25)

    def lists_httpd(self):
        """Whether /api/status's component table has httpd (the document's own "httpd" key
        is always there, so the table itself is read)."""
        status, _, body = http.get(self.port, "/api/status")
        if status != 200:
            return False
        try:
            components = json.loads(body).get("components") or []
        except ValueError:
            return False
        return any(c.get("name") == "httpd" for c in components if isinstance(c, dict))

    def url(self, path="/"):
        return f"http://127.0.0.1:{self.port}{path}"

    def get_json(self, path):
        status, headers, body = http.get(self.port, path)
        if status != 200:
            raise Failed(f"GET {path}: status {status}")
        try:
            return json.loads(body)
        except ValueError as e:
            raise Failed(f"GET {path}: not JSON ({e}): {body[:200]!r}") from None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.guest.stop()
