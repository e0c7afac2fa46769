#!/usr/bin/env python3
"""Turns the remote shells on (or off) on a disk image, for `make run`.

term, the terminals' server, runs /bin/sh on telnet connections and in the web terminal only
when its settings say so and give a password (servers/term/settings.h). A spec value cannot
change from one boot to the next, so a boot that wants them writes the settings file that
term's spec names, /etc/term.conf, on its disk: this script does, with debugfs, into the
unmounted image.

The password is made on the first run (random, 16 letters and digits), kept in PASSWORD_FILE
(build/remote-password, readable by its owner alone) and printed; the disk gets only its
record (pbkdf2-sha256 with a fresh salt, lib/password.h), never the password itself.

usage: remote_shells.py IMAGE PASSWORD_FILE [--telnet-port GUEST_PORT] [--off]
       [--host-telnet HOST_PORT] [--host-http HOST_PORT]
"""
import argparse
import base64
import hashlib
import os
import secrets
import string
import subprocess
import sys
import tempfile

ITERATIONS = 20000  # lib::kPasswordDefaultIterations
CONF = "/etc/term.conf"


def record(password, salt=None, iterations=ITERATIONS):
    """The pbkdf2-sha256 record of lib/password.h."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    return (f"pbkdf2-sha256${iterations}${base64.b64encode(salt).decode()}$"
            f"{base64.b64encode(digest).decode()}")


def settings(telnet_port, web, password_record, login_timeout=None):
    """The text of term's settings file."""
    lines = ["# term's settings (servers/term/settings.h), written by tools/remote_shells.py",
             f"telnet_port = {telnet_port}",
             f"web = {'true' if web else 'false'}",
             f'password = "{password_record}"']
    if login_timeout is not None:
        lines.append(f"login_timeout = {login_timeout}")
    return "\n".join(lines) + "\n"


def write_to_image(image, path, text):
    """Writes text as the file `path` of the ext2 image (replacing it), with debugfs."""
    with tempfile.TemporaryDirectory() as tmp:
        source = os.path.join(tmp, "file")
        with open(source, "w") as f:
            f.write(text)
        commands = os.path.join(tmp, "commands")
        with open(commands, "w") as f:
            f.write(f'mkdir "{os.path.dirname(path)}"\nrm "{path}"\nwrite "{source}" "{path}"\n')
        r = subprocess.run(["debugfs", "-w", "-f", commands, image], capture_output=True,
                           text=True)
        if r.returncode != 0:
            raise SystemExit(f"remote_shells: debugfs on {image} failed: {r.stderr.strip()}")


def password_in(path):
    """The password kept in path, made (and kept) if there is none yet; and whether it is new."""
    if os.path.exists(path):
        with open(path) as f:
            password = f.read().strip()
        if password:
            return password, False
    alphabet = string.ascii_letters + string.digits
    password = "".join(secrets.choice(alphabet) for _ in range(16))
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(password + "\n")
    return password, True


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("image")
    p.add_argument("password_file")
    p.add_argument("--telnet-port", type=int, default=23, help="the guest's telnet port")
    p.add_argument("--host-telnet", type=int, help="the host port forwarded to it (to print)")
    p.add_argument("--host-http", type=int, help="the host port forwarded to 80 (to print)")
    p.add_argument("--off", action="store_true", help="turn the remote shells off")
    opts = p.parse_args()
    if opts.off:
        write_to_image(opts.image, CONF, settings(0, False, ""))
        print("Remote shells: off (make run REMOTE=on turns them on).")
        return 0
    password, new = password_in(opts.password_file)
    write_to_image(opts.image, CONF, settings(opts.telnet_port, True, record(password)))
    print(f"Remote shells: password {password} "
          f"({'new, kept' if new else 'kept'} in {opts.password_file})")
    if opts.host_telnet:
        print(f"  telnet 127.0.0.1 {opts.host_telnet}")
    if opts.host_http:
        print(f"  http://localhost:{opts.host_http}/terminal.html")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
