#!/usr/bin/env python3
"""The network commands end to end: makes an ext2 disk with the commands in /bin, boots the
"net_commands" test system (the file servers, the network stack on QEMU's user network, and
netrun, which starts each command with a namespace that forwards the socket schemes) and
checks every line netrun logs:

- ifconfig, ip addr, ip route and route show the DHCP lease (10.0.2.15/24, gateway
  10.0.2.2);
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
PROGRAMS = ["ifconfig", "ip", "route", "netstat", "ping", "nslookup", "wget", "cat"]
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


def out(label, *lines):
    """Lines the program wrote on stdout, in order (regexes for what follows the label)."""
    return [rf"netrun\] {re.escape(label)}> {line}$" for line in lines]


def err(label, *lines):
    """Lines it wrote on stderr."""
    return [rf"netrun\] {re.escape(label)}!> {line}$" for line in lines]


def exited(label, code):
    return [rf"netrun\] {re.escape(label)}: exited {code}$"]


def expectations(dns):
    e = [r"tcpip\] address 10\.0\.2\.15 netmask 255\.255\.255\.0 gateway 10\.0\.2\.2"]
    e += out("ifconfig", r"eth0: flags=4163<UP,BROADCAST,RUNNING,MULTICAST>  mtu 1500",
             r" +inet 10\.0\.2\.15  netmask 255\.255\.255\.0  broadcast 10\.0\.2\.255",
             r" +ether 52:54:00:12:34:56  txqueuelen 1000  \(Ethernet\)",
             r" +RX packets [1-9][0-9]*  bytes [1-9][0-9]*",
             r" +RX errors [0-9]+  dropped [0-9]+  overruns 0  frame 0",
             r" +TX packets [1-9][0-9]*  bytes [1-9][0-9]*")
    e += exited("ifconfig", 0)
    e += out("ip addr", r"1: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 state UP qlen 1000",
             r"    link/ether 52:54:00:12:34:56 brd ff:ff:ff:ff:ff:ff",
             r"    inet 10\.0\.2\.15/24 brd 10\.0\.2\.255 scope global dynamic eth0")
    e += exited("ip addr", 0)
    e += out("ip route", r"default via 10\.0\.2\.2 dev eth0",
             r"10\.0\.2\.0/24 dev eth0 proto kernel scope link")
    e += exited("ip route", 0)
    e += out("route", "Kernel IP routing table", r"Destination +Gateway +Genmask +Flags .*Iface",
             r"10\.0\.2\.0 +0\.0\.0\.0 +255\.255\.255\.0 +U +0 .* eth0",
             r"0\.0\.0\.0 +10\.0\.2\.2 +0\.0\.0\.0 +UG +0 .* eth0")
    e += exited("route", 0)
    e += out("ping", r"PING 10\.0\.2\.2 \(10\.0\.2\.2\) 56\(84\) bytes of data\.",
             r"64 bytes from 10\.0\.2\.2: icmp_seq=1 time=[0-9]+\.[0-9]{3} ms",
             r"64 bytes from 10\.0\.2\.2: icmp_seq=2 time=[0-9]+\.[0-9]{3} ms",
             r"--- 10\.0\.2\.2 ping statistics ---",
             r"2 packets transmitted, 2 received, 0% packet loss, time [0-9]+ms",
             r"rtt min/avg/max/mdev = [0-9]+\.[0-9]{3}/[0-9]+\.[0-9]{3}/[0-9]+\.[0-9]{3}/"
             r"[0-9]+\.[0-9]{3} ms")
    e += exited("ping", 0)
    e += err("ping flood", "ping: cannot flood; minimal interval allowed for user is 200ms")
    e += exited("ping flood", 2)
    if dns:
        e += out("nslookup", r"Server:\\t\\t10\.0\.2\.2", r"Address:\\t10\.0\.2\.2#53",
                 "Non-authoritative answer:", r"Name:\\tstellina\.test", r"Address: 10\.1\.2\.3")
        e += exited("nslookup", 0)
        e += out("nslookup missing", r"Server:\\t\\t10\.0\.2\.2",
                 r"\*\* server can't find missing\.test: NXDOMAIN")
        e += exited("nslookup missing", 1)
    e += out("wget", "hello from the host") + exited("wget", 0)
    e += out("wget chunked", "chunked body in three") + exited("wget chunked", 0)
    e += err("wget redirect",
             r"Connecting to 10\.0\.2\.2\|10\.0\.2\.2\|:18080\.\.\. connected\.",
             r"HTTP request sent, awaiting response\.\.\. 302 Found",
             r"Location: /hello\.txt \[following\]",
             r"HTTP request sent, awaiting response\.\.\. 200 OK", "Length: 20",
             "Saving to: '/fetched\\.txt'", r" +20 bytes 100%", "'/fetched\\.txt' saved \\[20\\]")
    e += exited("wget redirect", 0)
    e += out("cat fetched", "hello from the host") + exited("cat fetched", 0)
    e += err("wget 404", r"wget: ERROR 404: Not Found\.") + exited("wget 404", 8)
    e += err("wget loop", r"wget: 5 redirections exceeded\.") + exited("wget loop", 8)
    e += err("wget refused", r"wget: 10\.0\.2\.2:18081: connection refused")
    e += exited("wget refused", 4)
    e += err("wget https", r"wget: https://10\.0\.2\.2/: Unsupported scheme\.")
    e += exited("wget https", 1)
    e += out("netstat", r"Active Internet connections \(w/o servers\)",
             r"Proto Recv-Q Send-Q Local Address +Foreign Address +State +")
    e += exited("netstat", 0)
    e += out("netstat -s", "Udp:", r"    [1-9][0-9]* in", r"    [1-9][0-9]* out")
    e += exited("netstat -s", 0)
    e += [r"netrun\] done$", "power: shutting down"]
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
            "--reject", r"netrun\] .*not started", "--reject", r"netrun\] .*: killed"]
    for e in expectations(dns):
        args += ["--expect", e]
    try:
        return subprocess.run(args).returncode
    finally:
        httpd.shutdown()
        udp.close()


if __name__ == "__main__":
    sys.exit(main())
