#!/usr/bin/env python3
"""The network commands end to end: makes an ext2 disk with the commands in /bin, boots the
"net_commands" test system (the file servers, the network stack on QEMU's user network, and
netrun, which starts each command with a namespace that forwards the socket schemes) and
checks every line netrun logs:

- ifconfig and route show the DHCP lease (10.0.2.15/24, gateway 10.0.2.2);
- ping -c 2 gets two echo replies from the gateway; ping faster than 0.2 s is refused;
- nslookup asks a DNS server this test runs on the host (127.0.0.1:53, reached as
  10.0.2.2), for a name it knows and one it does not (skipped, with a message, where port
  53 cannot be had);
- wget fetches from an HTTP server this test runs on the host (127.0.0.1:18080, reached as
  10.0.2.2): a body with Content-Length, a chunked one, a redirect into a file (then cat),
  a 404 (exit 8), a redirect loop (exit 8), a refused connection (exit 4), https (exit 1);
- netstat -tn and netstat -s -u answer.

usage: net_commands.py QEMU_RUN KERNEL ARCHIVE PROGRAMS_DIR WORKDIR
"""
import http.server
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import threading

HTTP_PORT = 18080  # netrun's config.http_port; 18081 must be closed
DEVICE = ["--qemu-arg=-global", "--qemu-arg=virtio-mmio.force-legacy=false",
          "--qemu-arg=-device", "--qemu-arg=virtio-blk-device,drive=disk"]
PROGRAMS = ["ifconfig", "route", "netstat", "ping", "nslookup", "wget", "cat"]
HELLO = b"hello from the host\n"


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path == "/hello.txt":
            self.send_response(200)
            self.send_header("Content-Length", str(len(HELLO)))
            self.end_headers()
            self.wfile.write(HELLO)
        elif self.path == "/chunked":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for piece in (b"chunked ", b"body ", b"in three\n"):
                self.wfile.write(b"%x;ext=1\r\n%s\r\n" % (len(piece), piece))
            self.wfile.write(b"0\r\nTrailer: yes\r\n\r\n")
        elif self.path in ("/redirect", "/loop"):
            self.send_response(302)
            self.send_header("Location", "/hello.txt" if self.path == "/redirect" else "/loop")
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            body = b"not here\n"
            self.send_response(404, "Not Found")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        self.close_connection = True


def dns_server(sock):
    """Answers A queries: stellina.test is 10.1.2.3, every other name NXDOMAIN."""
    while True:
        try:
            query, peer = sock.recvfrom(512)
        except OSError:
            return
        if len(query) < 12:
            continue
        at, labels = 12, []
        while at < len(query) and query[at]:
            labels.append(query[at + 1:at + 1 + query[at]].decode("ascii", "replace"))
            at += 1 + query[at]
        question = query[12:at + 5]
        name = ".".join(labels).lower()
        known = name == "stellina.test"
        header = query[:2] + struct.pack(">BBHHHH", 0x81, 0x80 if known else 0x83, 1,
                                         1 if known else 0, 0, 0)
        answer = b""
        if known:
            answer = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 300, 4) + bytes([10, 1, 2, 3])
        sock.sendto(header + question + answer, peer)


def ran(label, code, out="", err="", out_partial=False):
    """The line netrun logs for a program: how it ended and what it wrote (out a prefix
    with out_partial)."""
    out_re = out + (r"[^\"]*" if out_partial else "")
    return rf"netrun\] {re.escape(label)}: exited {code}, out \"{out_re}\", err \"{err}\"$"


def expectations(dns):
    e = [
        r"tcpip\] address 10\.0\.2\.15 netmask 255\.255\.255\.0 gateway 10\.0\.2\.2",
        ran("ifconfig", 0, r"eth0: flags=4163<UP,BROADCAST,RUNNING,MULTICAST>  mtu 1500\\n"
            r"        inet 10\.0\.2\.15  netmask 255\.255\.255\.0  broadcast 10\.0\.2\.255\\n"
            r"        ether 52:54:00:12:34:56  txqueuelen 1000  \(Ethernet\)\\n"
            r"        RX packets [1-9][0-9]*  bytes [1-9][0-9]*\\n", out_partial=True),
        ran("route", 0, r"Kernel IP routing table\\nDestination .*Iface\\n"
            r"10\.0\.2\.0 +0\.0\.0\.0 +255\.255\.255\.0 +U .* eth0\\n"
            r"0\.0\.0\.0 +10\.0\.2\.2 +0\.0\.0\.0 +UG .* eth0\\n"),
        ran("ping", 0, r"PING 10\.0\.2\.2 \(10\.0\.2\.2\) 56\(84\) bytes of data\.\\n"
            r"64 bytes from 10\.0\.2\.2: icmp_seq=1 time=[0-9]+\.[0-9]{3} ms\\n"
            r"64 bytes from 10\.0\.2\.2: icmp_seq=2 time=[0-9]+\.[0-9]{3} ms\\n\\n"
            r"--- 10\.0\.2\.2 ping statistics ---\\n"
            r"2 packets transmitted, 2 received, 0% packet loss, time [0-9]+ms\\n"
            r"rtt min/avg/max/mdev = [0-9.]+/[0-9.]+/[0-9.]+/[0-9.]+ ms\\n"),
        ran("ping flood", 2, "", r"ping: cannot flood; minimal interval allowed for user is 200ms\\n"),
    ]
    if dns:
        e += [
            ran("nslookup", 0, r"Server:\\t\\t10\.0\.2\.2\\nAddress:\\t10\.0\.2\.2#53\\n\\n"
                r"Non-authoritative answer:\\nName:\\tstellina\.test\\nAddress: 10\.1\.2\.3\\n\\n"),
            ran("nslookup missing", 1, r"Server:\\t\\t10\.0\.2\.2\\nAddress:\\t10\.0\.2\.2#53\\n\\n"
                r"\*\* server can't find missing\.test: NXDOMAIN\\n\\n"),
        ]
    e += [
        ran("wget", 0, r"hello from the host\\n"),
        ran("wget chunked", 0, r"chunked body in three\\n"),
        ran("wget redirect", 0, "", r"Connecting to 10\.0\.2\.2\|10\.0\.2\.2\|:18080\.\.\. connected\.\\n"
            r"HTTP request sent, awaiting response\.\.\. 302 Found\\n"
            r"Location: /hello\.txt \[following\]\\n.*200 OK\\nLength: 20\\n"
            r"Saving to: '/fetched\.txt'\\n.*'/fetched\.txt' saved \[20\]\\n\\n"),
        ran("cat fetched", 0, r"hello from the host\\n"),
        ran("wget 404", 8, "", r"wget: ERROR 404: Not Found\.\\n"),
        ran("wget loop", 8, "", r"wget: 5 redirections exceeded\.\\n"),
        ran("wget refused", 4, "", r"wget: 10\.0\.2\.2:18081: connection refused\\n"),
        ran("wget https", 1, "", r"wget: https://10\.0\.2\.2/: Unsupported scheme\.\\n"),
        ran("netstat", 0, r"Active Internet connections \(w/o servers\)\\n"
            r"Proto Recv-Q Send-Q Local Address +Foreign Address +State +\\n", out_partial=True),
        ran("netstat -s", 0, r"Udp:\\n    [0-9]+ in\\n    [0-9]+ out\\n", out_partial=True),
        r"netrun\] done$",
        "power: shutting down",
    ]
    return e


def main():
    qemu_run, kernel, archive, programs, workdir = sys.argv[1:6]
    shutil.rmtree(workdir, ignore_errors=True)
    tree = os.path.join(workdir, "tree")
    os.makedirs(os.path.join(tree, "bin"))
    for name in PROGRAMS:
        shutil.copy(os.path.join(programs, name), os.path.join(tree, "bin", name))
    image = os.path.join(workdir, "disk.img")
    with open(image, "wb") as f:
        f.truncate(32 << 20)
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext2", "-b", "4096", "-d", tree, image],
                   check=True)

    http.server.ThreadingHTTPServer.allow_reuse_address = True
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", HTTP_PORT), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    dns = True
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        udp.bind(("127.0.0.1", 53))
        threading.Thread(target=dns_server, args=(udp,), daemon=True).start()
    except OSError as e:
        dns = False
        print(f"net_commands: no DNS server on 127.0.0.1:53 ({e}): nslookup not checked")

    args = [sys.executable, qemu_run, "--machine", "microvm", "--kernel", kernel,
            "--initrd", archive, "--net", "user", *DEVICE,
            "--qemu-arg=-drive", f"--qemu-arg=if=none,id=disk,file={image},format=raw",
            "--timeout", "240", "--status", "0", "--prompt", "stellina> ",
            "--input-after", r"netrun\] (done|no /bin/wget)", "--input", "shutdown",
            "--reject", r"netrun\] no /bin/wget", "--reject", r"netrun\] .*did not end",
            "--reject", r"netrun\] .*not started"]
    for e in expectations(dns):
        args += ["--expect", e]
    try:
        return subprocess.run(args).returncode
    finally:
        httpd.shutdown()
        udp.close()


if __name__ == "__main__":
    sys.exit(main())
