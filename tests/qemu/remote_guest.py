"""Booting the "shell" test system with term's remote shells on, for tests/qemu/telnet.py and
web_terminal.py.

    with RemoteGuest(qemu_run, kernel, archive, programs, workdir, telnet=True, web=False,
                     login_timeout=20) as g:
        g.telnet_port, g.http_port      # host ports on 127.0.0.1 forwarded to the guest's 23, 80
        g.wait_for_log("listening for telnet", 90)

The disk is made as `make run` makes its own (tools/mkdisk.sh: the programs in /bin, the
site in /srv/www) and gets term's settings file, /etc/term.conf, with the password's record
(tools/remote_shells.py). QEMU's serial output is drained by a thread and written to
WORKDIR/serial.log when the guest stops.
"""

import importlib.util
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)
from bench.lib import http, qemu  # noqa: E402

PASSWORD = "correct horse"


def load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Failed(Exception):
    pass


class RemoteGuest:
    def __init__(self, qemu_run_path, kernel, archive, programs, workdir, telnet=True, web=False,
                 login_timeout=60, site=None):
        os.makedirs(workdir, exist_ok=True)
        self.workdir = workdir
        qemu_run = load("qemu_run", qemu_run_path)
        remote = load("remote_shells", os.path.join(ROOT, "tools/remote_shells.py"))
        disk = os.path.join(workdir, "disk.img")
        if os.path.exists(disk):
            os.remove(disk)
        subprocess.run([os.path.join(ROOT, "tools/mkdisk.sh"), disk, programs,
                        site or os.path.join(workdir, "no-site")],
                       check=True, stdout=subprocess.DEVNULL)
        remote.write_to_image(disk, remote.CONF, remote.settings(
            23 if telnet else 0, web, remote.record(PASSWORD), login_timeout))
        self.telnet_port = http.free_port()
        self.http_port = http.free_port()
        while self.http_port == self.telnet_port:
            self.http_port = http.free_port()
        args = qemu_run.parse_args([
            "--machine", "microvm", "--kernel", kernel, "--initrd", archive, "--disk", disk,
            "--net", "user", "--forward", f"{self.telnet_port}:23",
            "--forward", f"{self.http_port}:80"])
        self.guest = qemu.Background(qemu_run.qemu_command(args))

    def wait_for_log(self, text, timeout):
        """Waits for a line of the serial output that holds text."""
        deadline = time.monotonic() + timeout
        while text not in self.guest.output:
            if not self.guest.alive():
                raise Failed(f"QEMU ended before {text!r}:\n{self.guest.tail(30)}")
            if time.monotonic() > deadline:
                raise Failed(f"no {text!r} on the serial console within {timeout} s:\n"
                             f"{self.guest.tail(30)}")
            time.sleep(0.2)

    def stop(self):
        self.guest.stop()
        with open(os.path.join(self.workdir, "serial.log"), "w") as f:
            f.write(self.guest.output)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
