#!/usr/bin/env python3
"""Linux programs on the network, started from Stellina's shell on QEMU's user network.

Boots the "shell" test system (the network stack, term, Stellina's httpd) with a disk made
as `make run`'s (busybox as /bin/busybox) holding tests/linux/sockets.c's program and a
small site, and types each check at the shell: the shell passes the Linux program its
namespace channel, through which its sockets reach the stack.

- sockets: tests/linux/sockets.c, compared line by line with the same binary on the host.
  Its server and its client (a forked child), and its UDP echo, are all in one machine:
  on the host through 127.0.0.1, in the guest through the stack's loopback, to 127.0.0.1
  and again to the machine's own address (10.0.2.15). `sockets close-wakes` (Stellina
  only: Linux leaves the calls blocked) shows close on one thread waking recv and accept
  on another.
- loopback_tools: Stellina's wget and busybox wget fetch /bytes/N from Stellina's httpd in
  the same machine through 127.0.0.1 (md5sum compared with the same URL fetched from the
  host); Stellina's ping gets its echoes from 127.0.0.1 and 127.0.0.2; `busybox nc -l` in the background takes a line from `busybox nc 127.0.0.1`, and
  another from `busybox telnet 127.0.0.1`.
- busybox_httpd: `busybox httpd -f -p 8080 -h /linux/www`, started in the background,
  serves files to curl on the host through a forwarded port: each body compared with the
  file, a missing file's 404, and 80 requests more (a child each, which httpd, ignoring
  SIGCHLD, never reaps: more than a process's 64 unreaped children).
- busybox_wget: `busybox wget` fetches /bytes/N from Stellina's own httpd (port 80,
  reached through a forwarded port as above); its md5sum is compared with the same URL
  fetched from the host.

usage: linux_sockets.py QEMU_RUN KERNEL ARCHIVE PROGRAMS_DIR LINUX_DIR WORKDIR
"""
import hashlib
import os
import re
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "qemu"))
import shell  # noqa: E402  (tests/qemu/shell.py: the Machine, on_stellina)

HTTPD_PORT = 8080  # busybox httpd's, in the guest
PAGES = {
    "index.html": b"<html><body>busybox httpd on Stellina</body></html>\n",
    "big.bin": bytes((i * 131 + i // 977) & 0xff for i in range(300_000)),
}


def free_port_pair():
    """A port on 127.0.0.1 that is free, with the one after it free too (nothing must listen
    there: the refused connections)."""
    for _ in range(200):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port > 65000:
            continue
        try:
            with socket.socket() as a, socket.socket() as b:
                a.bind(("127.0.0.1", port))
                b.bind(("127.0.0.1", port + 1))
            return port
        except OSError:
            continue
    raise RuntimeError("no free pair of ports")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_disk(workdir, programs, linux_dir):
    disk = os.path.join(workdir, "disk.img")
    if os.path.exists(disk):
        os.remove(disk)
    env = dict(os.environ, BUSYBOX=os.path.join(linux_dir, "busybox"))
    subprocess.run([os.path.join(shell.ROOT, "tools/mkdisk.sh"), disk, programs], check=True,
                   stdout=subprocess.DEVNULL, env=env)
    www = os.path.join(workdir, "www")
    os.makedirs(www, exist_ok=True)
    for name, body in PAGES.items():
        with open(os.path.join(www, name), "wb") as f:
            f.write(body)
    commands = os.path.join(workdir, "debugfs.cmd")
    with open(commands, "w") as f:
        f.write("mkdir /linux\nmkdir /linux/www\n")
        f.write(f'write "{os.path.join(linux_dir, "sockets")}" "/linux/sockets"\n')
        f.write('sif "/linux/sockets" mode 0100755\n')
        for name in PAGES:
            f.write(f'write "{os.path.join(www, name)}" "/linux/www/{name}"\n')
    subprocess.run(["debugfs", "-w", "-f", commands, disk], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return disk


def curl(url, timeout=60):
    """(status, body) of a GET by curl on the host."""
    r = subprocess.run(["curl", "-s", "-m", str(timeout), "-o", "-", "-w", "\n%{http_code}", url],
                       stdout=subprocess.PIPE, timeout=timeout + 10)
    body, _, code = r.stdout.rpartition(b"\n")
    return int(code or b"0"), body


def wait_for_network(m, failures):
    """The stack's DHCP lease: ifconfig shows the address."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        out, _ = shell.on_stellina(m, "ifconfig", 30)
        if "10.0.2.15" in out:
            return True
        time.sleep(1)
    failures.append("network")
    print("linux_sockets: the stack never got its address")
    return False


CLOSE_WAKES = ("close under a blocked recv: ok, the blocked call: 0\n"
               "close under a blocked accept: ok, the blocked call: EINVAL\n")


def check_sockets(m, linux_dir, failures):
    port = free_port_pair()  # free on the host; in the guest nothing else listens there
    r = subprocess.run([os.path.join(linux_dir, "sockets"), "127.0.0.1", str(port)],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
    expected = (r.stdout.decode("utf-8", "replace"), r.returncode)
    for peer in ("127.0.0.1", "10.0.2.15"):
        got = shell.on_stellina(m, f"/linux/sockets {peer} {port} 2>&1", 300)
        if got != expected:
            failures.append(f"sockets {peer}")
            print(f"linux_sockets: sockets {peer}: FAILED\n--- host (status {expected[1]})\n"
                  f"{expected[0]}--- stellina (status {got[1]})\n{got[0]}---")
        else:
            print(f"linux_sockets: sockets {peer}: ok ({len(expected[0].splitlines())} lines, "
                  f"status {expected[1]})")
    got = shell.on_stellina(m, f"/linux/sockets close-wakes 127.0.0.1 {port} 2>&1", 60)
    print(f"linux_sockets: sockets close-wakes: status {got[1]}\n{got[0]}")
    if got != (CLOSE_WAKES, 0):
        failures.append("sockets close-wakes")


def loopback_line(m, name, port, client, want):
    """A line from a busybox client to a background `busybox nc -l` through 127.0.0.1."""
    shell.on_stellina(m, f"/bin/busybox nc -l -p {port} > /tmp/{name}.out & true", 30)
    out, status = "", 1
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # nc listens once it has started
        out, status = shell.on_stellina(m, client, 30)
        if "refused" not in out:
            break
        time.sleep(0.5)
    got = ""
    for _ in range(20):  # the listener writes the line and ends
        got, _ = shell.on_stellina(m, f"/bin/busybox cat /tmp/{name}.out", 30)
        if got.replace("\r", "") == want:  # telnet ends its line with CR LF
            break
        time.sleep(0.5)
    good = got.replace("\r", "") == want
    print(f"linux_sockets: busybox {name} through 127.0.0.1: client status {status}, the "
          f"listener got {got!r}{'' if good else ' FAILED'}\n{out}")
    return good


def check_loopback_tools(m, stellina_httpd_forward, failures):
    code, body = curl(f"http://127.0.0.1:{stellina_httpd_forward}/bytes/100000")
    want = hashlib.md5(body).hexdigest()
    ok = code == 200 and len(body) == 100000
    for name, fetch in (("wget", "wget -q -O /tmp/loop1"), ("busybox wget",
                                                            "/bin/busybox wget -q -O /tmp/loop1")):
        out, status = shell.on_stellina(
            m, f"{fetch} http://127.0.0.1/bytes/100000 && /bin/busybox md5sum /tmp/loop1", 120)
        good = status == 0 and out == f"{want}  /tmp/loop1\n"
        ok = ok and good
        print(f"linux_sockets: {name} from 127.0.0.1: status {status}"
              f"{'' if good else ' FAILED'}\n{out}")
    # ping: the echo comes back from the address of 127/8 asked, through the stack alone.
    for host in ("127.0.0.1", "127.0.0.2"):
        out, status = shell.on_stellina(m, f"ping -c 2 {host}", 60)
        good = status == 0 and f"64 bytes from {host}: icmp_seq=2" in out and \
            "2 packets transmitted, 2 received" in out
        ok = ok and good
        print(f"linux_sockets: ping {host}: status {status}{'' if good else ' FAILED'}\n{out}")
    for name, port, client, want in (
            ("nc", 9019, "echo hello over nc | /bin/busybox nc 127.0.0.1 9019",
             "hello over nc\n"),
            ("telnet", 9020, "/bin/busybox sh -c '(echo hello over telnet; sleep 1) | "
                             "/bin/busybox telnet 127.0.0.1 9020'", "hello over telnet\n")):
        ok = loopback_line(m, name, port, client, want) and ok
    if not ok:
        failures.append("loopback_tools")


def check_httpd(m, httpd_forward, failures):
    out, status = shell.on_stellina(
        m, f"/bin/busybox httpd -f -p {HTTPD_PORT} -h /linux/www & true", 30)
    base = f"http://127.0.0.1:{httpd_forward}"
    deadline = time.monotonic() + 30
    code, body = 0, b""
    while time.monotonic() < deadline:  # httpd listens once it has started
        code, body = curl(f"{base}/index.html", 10)
        if code:
            break
        time.sleep(0.5)
    ok = True
    for name, want in PAGES.items():
        code, body = curl(f"{base}/{name}")
        good = code == 200 and body == want
        ok = ok and good
        print(f"linux_sockets: busybox httpd /{name}: {code}, {len(body)} bytes"
              f"{'' if good else ' WRONG'}")
    code, _ = curl(f"{base}/missing.html")
    print(f"linux_sockets: busybox httpd /missing.html: {code}")
    ok = ok and code == 404
    # Requests one after another: each is a child httpd forks and never waits for (it ignores
    # SIGCHLD), more than the 64 children a process may have unreaped.
    many = sum(curl(f"{base}/index.html")[0] == 200 for _ in range(80))
    print(f"linux_sockets: busybox httpd, 80 more requests: {many} answered")
    ok = ok and many == 80
    if not ok:
        failures.append("busybox_httpd")


def check_wget(m, stellina_httpd_forward, failures):
    url = f"http://127.0.0.1:{stellina_httpd_forward}/bytes/100000"
    code, body = curl(url)
    want = hashlib.md5(body).hexdigest()
    guest_url = f"http://10.0.2.2:{stellina_httpd_forward}/bytes/100000"
    out, status = shell.on_stellina(
        m, f"/bin/busybox wget -q -O /tmp/bytes {guest_url} && /bin/busybox md5sum /tmp/bytes"
           f" && /bin/busybox wc -c < /tmp/bytes", 120)
    good = code == 200 and len(body) == 100000 and status == 0 and re.search(
        rf"^{want}  /tmp/bytes\n100000\n$", out)
    print(f"linux_sockets: busybox wget from Stellina's httpd: status {status}"
          f"{'' if good else ' FAILED'}\n{out}")
    if not good:
        failures.append("busybox_wget")


def main():
    qemu_run_path, kernel, archive, programs, linux_dir, workdir = map(os.path.abspath,
                                                                       sys.argv[1:7])
    os.makedirs(workdir, exist_ok=True)
    qemu_run = shell.load_qemu_run(qemu_run_path)
    disk = make_disk(workdir, programs, linux_dir)
    httpd_forward, stellina_httpd_forward = free_port(), free_port()
    extra = ["--net", "user", "--forward", f"{httpd_forward}:{HTTPD_PORT}",
             "--forward", f"{stellina_httpd_forward}:80"]
    failures = []
    with open(os.path.join(workdir, "serial.log"), "w") as log:
        m = shell.Machine(qemu_run, kernel, archive, disk, log, extra)
        try:
            m.start_shell()
            if wait_for_network(m, failures):
                check_sockets(m, linux_dir, failures)
                check_loopback_tools(m, stellina_httpd_forward, failures)
                check_wget(m, stellina_httpd_forward, failures)
                check_httpd(m, httpd_forward, failures)
            m.type("\x1dshutdown\r")
            m.proc.wait(timeout=60)
        finally:
            m.stop()
    if failures:
        print(f"linux_sockets: failed: {', '.join(failures)}")
        return 1
    print("linux_sockets: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
