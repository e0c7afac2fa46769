#!/usr/bin/env python3
"""Fetches and prepares the Debian Linux baseline guest in build/bench/linux/.

    python3 bench/linux/prepare.py        # idempotent: skips what is already there

Steps:
  1. `apt-get download` the kernel package linux-image-amd64 depends on (Debian 12:
     linux-image-6.1.0-N-amd64) and `dpkg -x` it into build/bench/linux/pkg/.
  2. Extract the uncompressed vmlinux ELF (it carries a PVH note, so QEMU boots it with
     -kernel) from the bzImage: find the compressed payload by its magic, decompress it with
     the Debian tool for that format, check the result is an ELF.
  3. Build an initramfs (newc cpio, uncompressed) holding Debian's static busybox and an /init
     that prints INIT_MARKER and powers off. Later benchmarks call build_initramfs() with their
     own /init and extra files (programs, kernel modules from pkg/lib/modules).
"""

import glob
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(REPO, "build", "bench", "linux")
PKG = os.path.join(OUT, "pkg")
VMLINUX = os.path.join(OUT, "vmlinux")
INITRAMFS = os.path.join(OUT, "initramfs.cpio")
BUSYBOX = "/bin/busybox"  # from busybox-static

INIT_MARKER = "linux-baseline: init"
INIT_SCRIPT = f"""#!/bin/sh
echo "{INIT_MARKER}"
/bin/busybox poweroff -f
"""


def log(msg):
    print(f"linux: {msg}", file=sys.stderr)


def sh(*cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        raise SystemExit(f"linux: {' '.join(cmd)} failed:\n{r.stderr.strip()}")
    return r.stdout


# --- 1. the kernel package -------------------------------------------------------------

def kernel_package():
    """The linux-image-6.1.0-N-amd64 package the linux-image-amd64 metapackage depends on."""
    for line in sh("apt-cache", "depends", "linux-image-amd64").splitlines():
        kind, _, name = line.strip().partition(": ")
        if kind == "Depends" and name.startswith("linux-image-") and name.endswith("-amd64"):
            return name
    raise SystemExit("linux: no linux-image-*-amd64 dependency found (apt-get update?)")


def fetch_package():
    """Downloads and unpacks the kernel package once; returns the path of its vmlinuz."""
    found = glob.glob(os.path.join(PKG, "boot", "vmlinuz-*"))
    if found:
        return found[0]
    name = kernel_package()
    dl = os.path.join(OUT, "deb")
    os.makedirs(dl, exist_ok=True)
    if not glob.glob(os.path.join(dl, f"{name}_*.deb")):
        log(f"downloading {name}")
        sh("apt-get", "download", name, cwd=dl)
    deb = glob.glob(os.path.join(dl, f"{name}_*.deb"))[0]
    tmp = PKG + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    sh("dpkg", "-x", deb, tmp)
    os.replace(tmp, PKG)
    return glob.glob(os.path.join(PKG, "boot", "vmlinuz-*"))[0]


# --- 2. vmlinux from the bzImage -------------------------------------------------------

# Magic bytes of the formats the kernel's bzImage may use, and how to decompress them.
# The decompressors may complain about trailing data (the kernel appends the size); what
# counts is that their output is an ELF.
FORMATS = [
    (b"\xfd7zXZ\x00", ["xz", "-dc", "--single-stream"]),
    (b"\x28\xb5\x2f\xfd", ["zstd", "-dc"]),
    (b"\x1f\x8b\x08", ["gzip", "-dc"]),
    (b"\x02\x21\x4c\x18", ["lz4", "-dc"]),  # legacy lz4 frame, as the kernel writes it
]


def extract_vmlinux(vmlinuz, dest):
    data = open(vmlinuz, "rb").read()
    for magic, tool in FORMATS:
        pos = data.find(magic)
        while pos >= 0:
            out = subprocess.run(tool, input=data[pos:], capture_output=True).stdout
            if out[:4] == b"\x7fELF":
                with open(dest + ".tmp", "wb") as f:
                    f.write(out)
                os.replace(dest + ".tmp", dest)
                log(f"vmlinux: {tool[0]} payload at {pos:#x}, {len(out)} bytes")
                return
            pos = data.find(magic, pos + 1)
    raise SystemExit(f"linux: no compressed ELF payload found in {vmlinuz}")


# --- 3. initramfs ----------------------------------------------------------------------

def _cpio_entry(name, mode, data=b"", rdev=(0, 0)):
    name_b = name.encode() + b"\0"
    hdr = "070701" + "".join(f"{v:08x}" for v in (
        0, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(name_b), 0))
    pad = lambda n: b"\0" * (-n % 4)
    out = hdr.encode() + name_b
    out += pad(len(out))
    return out + data + pad(len(data))


def build_initramfs(dest, init=INIT_SCRIPT, files=None):
    """Writes a newc cpio archive to `dest`.

    init:  text of /init (a shell script run by busybox sh).
    files: {path in guest: host path or bytes} added on top (parent directories are
           created; host files keep their permission bits, bytes become mode 0755).
    """
    entries = {"bin/busybox": BUSYBOX, "init": init.encode()}
    for path, src in (files or {}).items():
        entries[path.lstrip("/")] = src
    dirs = {"dev", "proc", "sys", "tmp", "bin", "sbin"}
    for path in entries:
        parts = path.split("/")[:-1]
        dirs.update("/".join(parts[:i + 1]) for i in range(len(parts)))
    out = [_cpio_entry(d, 0o40755) for d in sorted(dirs)]
    out.append(_cpio_entry("dev/console", 0o20600, rdev=(5, 1)))
    out.append(_cpio_entry("bin/sh", 0o120777, b"busybox"))
    for path, src in sorted(entries.items()):
        if isinstance(src, bytes):
            data, mode = src, 0o755
        else:
            data, mode = open(src, "rb").read(), os.stat(src).st_mode & 0o7777
        out.append(_cpio_entry(path, 0o100000 | mode, data))
    out.append(_cpio_entry("TRAILER!!!", 0))
    with open(dest + ".tmp", "wb") as f:
        f.write(b"".join(out))
    os.replace(dest + ".tmp", dest)
    return dest


def prepare():
    """Makes sure vmlinux and the default initramfs exist; returns (vmlinux, initramfs)."""
    os.makedirs(OUT, exist_ok=True)
    if not os.path.exists(VMLINUX):
        extract_vmlinux(fetch_package(), VMLINUX)
    if not os.path.exists(INITRAMFS) or os.path.getmtime(INITRAMFS) < os.path.getmtime(__file__):
        if not os.path.exists(BUSYBOX):
            raise SystemExit("linux: /bin/busybox missing (apt-get install busybox-static)")
        build_initramfs(INITRAMFS)
        log(f"initramfs: {INITRAMFS}")
    return VMLINUX, INITRAMFS


def kernel_version():
    """The unpacked kernel's release, e.g. 6.1.0-56-amd64."""
    return os.path.basename(fetch_package()).removeprefix("vmlinuz-")


def modules_dir():
    """lib/modules/<version> of the unpacked kernel package (for virtio-net etc.)."""
    fetch_package()
    return glob.glob(os.path.join(PKG, "lib", "modules", "*"))[0]


if __name__ == "__main__":
    for p in prepare():
        print(p)
