#!/usr/bin/env python3
"""Writes the binary seeds of the fuzz targets (tests/fuzz) into OUT/NAME/, at build time.

    make_seeds.py OUT --speccc SPECCC [--clang CLANG]

Text seeds live in tests/fuzz/corpus/; what is binary is made here, from the real tools, so
each seed is what the parser meets in use:

  elf       a static executable and a static PIE, compiled by clang with ld.lld
  archive   boot archives packed by tools/mkarchive.py
  manifest  manifests compiled by speccc from tests/spec/good
  ext2      a small ext2 image made by mke2fs -d (files, a directory, a symbolic link)
  fat       the first 64 KiB of a FAT16 image made by mkfs.fat and mcopy (the fat target
            pads its input to a whole image)
  net_frame, dhcp, dns, tcp_stream, virtio_queue
            scripts (see each target) of frames and messages built here: ARP, ICMP echo,
            TCP handshakes and data, UDP, DHCP offers and acks, DNS answers
"""

import argparse
import os
import shutil
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tools"))

import mkarchive  # noqa: E402

PROGRAM = b"""
static long table[2] = {1, (long)&table[0]};
void _start(void) { for (;;) table[0] += table[1]; }
"""

FAT_IMAGE_KIB = 4096  # FAT16 needs 4,085 clusters at least; the target pads to this size
FAT_SEED_BYTES = 64 * 1024


def run(args, **kwargs):
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, **kwargs)


def write(out, name, file, data):
    os.makedirs(os.path.join(out, name), exist_ok=True)
    with open(os.path.join(out, name, file), "wb") as f:
        f.write(data)


def elf_seeds(out, clang, tmp):
    source = os.path.join(tmp, "program.c")
    with open(source, "wb") as f:
        f.write(PROGRAM)
    common = [clang, "-O1", "-nostdlib", "-ffreestanding", "-fno-stack-protector", "-fuse-ld=lld",
              "-s", source]
    for file, flags in (("exec", ["-static", "-fno-pie", "-Wl,--image-base=0x10000000"]),
                        ("pie", ["-fPIE", "-static-pie"])):
        binary = os.path.join(tmp, file)
        run(common + flags + ["-o", binary])
        with open(binary, "rb") as f:
            write(out, "elf", file, f.read())


def archive_seeds(out):
    write(out, "archive", "two", mkarchive.build([(b"hello", b"hello, world\n"),
                                                  (b"motd", b"Welcome to Stellina\n" * 3)]))
    write(out, "archive", "empty_file", mkarchive.build([(b"a", b""), (b"b!~", b"\x00" * 17)]))


def manifest_seeds(out, speccc, tmp):
    good = os.path.join(REPO, "tests", "spec", "good")
    sets = {
        "silos": ["alpha", "logger", "net-stack", "web", "zeta", "network.silo", "base.silo"],
        "all": ["alpha", "bridge", "files", "logger", "net-stack", "nic-a", "nic-b", "web", "zeta",
                "network.silo", "base.silo", "sandbox.silo", "sealed.silo", "system"],
    }
    for name, specs in sets.items():
        dest = os.path.join(tmp, "manifest-" + name)
        run([speccc, "--out", dest] + [os.path.join(good, s + ".toml") for s in specs],
            stderr=subprocess.DEVNULL)
        with open(os.path.join(dest, "manifest.bin"), "rb") as f:
            write(out, "manifest", name, f.read())


def tree(tmp):
    root = os.path.join(tmp, "tree")
    os.makedirs(os.path.join(root, "etc", "deep"))
    with open(os.path.join(root, "etc", "motd"), "w") as f:
        f.write("Welcome to Stellina\n")
    with open(os.path.join(root, "etc", "deep", "blocks"), "wb") as f:
        f.write(bytes(range(256)) * 20)
    os.symlink("etc/motd", os.path.join(root, "motd"))
    return root


def ext2_seeds(out, tmp):
    root = tree(tmp)
    for name, kib, extra in (("small", 64, []), ("hashed", 96, ["-O", "dir_index"])):
        image = os.path.join(tmp, f"{name}.img")
        run(["mke2fs", "-q", "-F", "-t", "ext2", "-b", "1024", "-N", "16", "-m", "0", "-d", root]
            + extra + [image, str(kib)], stderr=subprocess.DEVNULL)
        with open(image, "rb") as f:
            write(out, "ext2", name, f.read())


def fat_seeds(out, tmp):
    image = os.path.join(tmp, "fat.img")
    run(["mkfs.fat", "-F", "16", "-s", "1", "-C", image, str(FAT_IMAGE_KIB)])
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    run(["mmd", "-i", image, "::/etc"], env=env)
    motd = os.path.join(tmp, "Long name of the motd.txt")
    with open(motd, "w") as f:
        f.write("Welcome to Stellina\n")
    run(["mcopy", "-i", image, motd, "::/etc/"], env=env)
    with open(image, "rb") as f:
        write(out, "fat", "fat16", f.read(FAT_SEED_BYTES))


OUR_MAC = bytes.fromhex("525400123456")
PEER_MAC = bytes.fromhex("52550a000202")
OUR_IP = bytes([10, 0, 2, 15])
PEER_IP = bytes([10, 0, 2, 2])
DNS_IP = bytes([10, 0, 2, 3])


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def ipv4(protocol, payload, source=PEER_IP, destination=OUR_IP, options=b""):
    header = struct.pack("!BBHHHBBH4s4s", 0x40 | (5 + len(options) // 4), 0, 20 + len(options) +
                         len(payload), 1, 0x4000, 64, protocol, 0, source, destination) + options
    header = header[:10] + struct.pack("!H", checksum(header)) + header[12:]
    return header + payload


def transport(protocol, header, payload, source=PEER_IP, destination=OUR_IP):
    pseudo = source + destination + struct.pack("!BBH", 0, protocol, len(header) + len(payload))
    at = 16 if protocol == 6 else 6
    sum_ = checksum(pseudo + header + payload)
    return header[:at] + struct.pack("!H", sum_) + header[at + 2:] + payload


def tcp(seq, ack, flags, payload=b"", options=b"", sport=40000, dport=80, window=65535):
    header = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, (5 + len(options) // 4) << 4, flags,
                         window, 0, 0) + options
    return transport(6, header, payload)


def udp(sport, dport, payload, source=PEER_IP, destination=OUR_IP):
    header = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0)
    return transport(17, header, payload, source, destination)


def ether(kind, payload, destination=OUR_MAC):
    return destination + PEER_MAC + struct.pack("!H", kind) + payload


def frame_script(frames):
    """net_frame's script: each frame as op 0, a 16-bit length and the bytes; pauses between."""
    out = b""
    for f in frames:
        out += b"\0" + struct.pack("<H", len(f)) + f + b"\xf5"
    return out


def net_seeds(out):
    arp = ether(0x0806, struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, PEER_MAC, PEER_IP,
                                    bytes(6), OUR_IP), b"\xff" * 6)
    echo = struct.pack("!BBHHH", 8, 0, 0, 7, 1) + b"ping" * 8
    echo = echo[:2] + struct.pack("!H", checksum(echo)) + echo[4:]
    syn = tcp(1000, 0, 0x02, options=bytes([2, 4, 5, 0xB4, 1, 3, 3, 7]))
    write(out, "net_frame", "arp_ping_syn", frame_script([
        arp, ether(0x0800, ipv4(1, echo)), ether(0x0800, ipv4(6, syn)),
        ether(0x0800, ipv4(6, tcp(1001, 1, 0x18, b"GET / HTTP/1.0\r\n\r\n")))]))
    write(out, "net_frame", "udp_options_fragment", frame_script([
        ether(0x0800, ipv4(17, udp(5000, 7, b"hello"), options=bytes([0x94, 4, 0, 0]))),
        ether(0x0800, ipv4(17, udp(5000, 9, b"x" * 40))[:6] + b"\x20\x00" +
              ipv4(17, udp(5000, 9, b"x" * 40))[8:])]))
    # tcp_stream: ops 0/1 data (offset-2048 as u16, a size byte form, flags, ack, window,
    # options), 3 read, 4 write, 5 time.
    data = lambda offset, size, flags: (bytes([0]) + struct.pack("<H", offset + 2048) +
                                        bytes([1, size, flags, 1, 0]) + struct.pack("<H", 8192) +
                                        bytes([1]))
    write(out, "tcp_stream", "in_order", data(0, 100, 0x08) + data(100, 100, 0) +
          bytes([3]) + struct.pack("<H", 300) + bytes([5, 1, 200]))
    write(out, "tcp_stream", "out_of_order", data(200, 100, 0) + data(0, 150, 0) +
          data(100, 120, 0) + data(300, 10, 1) + bytes([3, 0xff, 0xff, 4, 100, 0, 5, 0, 50, 0]))
    # dhcp: each message as op 1 (from the gateway), a 16-bit length and the bytes.
    def bootp(kind, options=b""):
        fixed = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 2, 1, 6, 0, 0, 0, 0, bytes(4),
                            bytes([10, 0, 2, 15]), PEER_IP, bytes(4), OUR_MAC, b"", b"")
        opts = bytes([53, 1, kind, 54, 4]) + PEER_IP + bytes([1, 4, 255, 255, 255, 0, 3, 4]) + \
            PEER_IP + bytes([6, 4]) + DNS_IP + bytes([51, 4, 0, 0, 0x0E, 0x10]) + options + b"\xff"
        return fixed + b"\x63\x82\x53\x63" + opts
    message = lambda m: b"\x01" + struct.pack("<H", len(m)) + m
    write(out, "dhcp", "offer_ack", message(bootp(2)) + message(bootp(5)) + b"\xf1\xff\xff")
    write(out, "dhcp", "offer_nak", message(bootp(2, bytes([58, 4, 0, 0, 0, 10]))) +
          message(bootp(6)))
    # dns: op 1 (resolve www.stellina.test), a 16-bit length and the answer.
    name = b"\x03www\x08stellina\x04test\x00"
    answer = (struct.pack("!HHHHHH", 0, 0x8180, 1, 2, 0, 0) + name + struct.pack("!HH", 1, 1) +
              b"\xc0\x0c" + struct.pack("!HHIH", 5, 1, 300, 6) + b"\x03web\xc0\x10" +
              b"\xc0\x2d" + struct.pack("!HHIH", 1, 1, 60, 4) + bytes([93, 184, 216, 34]))
    write(out, "dns", "cname_a", b"\x01" + struct.pack("<H", len(answer)) + answer)
    write(out, "dns", "name_error", b"\x01" + struct.pack("<H", 12) +
          struct.pack("!HHHHHH", 0, 0x8183, 0, 0, 0, 0))
    # virtio_queue: event_idx, then ops: 0 submit (count, readable, lengths), 1 used entry
    # (slot, id form, id, length form, length), 2 used index (form, step), 4 poll.
    write(out, "virtio_queue", "round_trip", bytes([1, 0, 1, 1, 64, 64, 1, 0, 1, 0, 1, 32, 2, 1, 1,
                                                    4, 0, 3, 0, 16, 16, 16, 16, 5, 0, 4]))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("out")
    p.add_argument("--speccc", required=True)
    p.add_argument("--clang", default="clang-14")
    opts = p.parse_args()
    shutil.rmtree(opts.out, ignore_errors=True)
    with tempfile.TemporaryDirectory() as tmp:
        elf_seeds(opts.out, opts.clang, tmp)
        archive_seeds(opts.out)
        manifest_seeds(opts.out, opts.speccc, tmp)
        ext2_seeds(opts.out, tmp)
        fat_seeds(opts.out, tmp)
        net_seeds(opts.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
