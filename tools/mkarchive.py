#!/usr/bin/env python3
"""Writes a Stellina boot archive (the initrd the kernel reads with lib::BootArchive).

    mkarchive.py [--strip-debug OBJCOPY | --strip OBJCOPY] [--programs LIST] [--program NAME]...
                 OUT [NAME=]PATH ...

Each file is stored under NAME, or under the basename of PATH when no NAME= is given (a
PATH that itself contains '=' needs an explicit NAME=). Names are 1..55 bytes of printable
ASCII without spaces ('!'..'~'); a name too long, malformed or given twice is refused. The
format is specified in lib/include/lib/archive.h: a 24-byte header, one 80-byte entry per
file sorted by name, then the data of each file at a 16-byte-aligned offset; an ELF file's
data starts on a 4 KiB page and the rest of its last page is zeroes, so that the kernel can map
its read-only segments straight from the archive's pages instead of copying them into every
process (kernel/spawn.cc).

With --strip-debug, every ELF file goes in without its debug sections (OBJCOPY
--strip-debug; its symbols stay): the archive stays in memory for as long as the system runs,
and the DWARF of the programs would be most of it. With --strip, every ELF file goes in with
only what loading it needs (OBJCOPY --strip-all: no symbol table either, about 15% of a
stripped-debug program; the symbols are in the build's own copy, build/user/NAME).

With --programs LIST (a file of names, one a line: speccc's start_order.txt) and --program
NAME (repeatable), an ELF file or a wasm module goes in only if its name is one of those
(speccc lists a component in wasm isolation as NAME.wasm): a system's archive then holds its own components and not every
program built (the test programs), and the machine keeps less memory for it. Other files
(the manifest, the site) always go in.
"""

import hashlib
import os
import struct
import subprocess
import sys
import tempfile
import zlib

MAGIC = b"STLARCH1"
VERSION = 1
HEADER = struct.Struct("<8sIIQ")  # magic, version, entry_count, total_size
ENTRY = struct.Struct("<56sQQII")  # name, offset, size, crc32, flags
NAME_FIELD = 56
DATA_ALIGN = 16
PAGE_ALIGN = 4096  # an ELF file's data: its segments' file offsets are page-congruent

assert HEADER.size == 24 and ENTRY.size == 80


def fail(message):
    print(f"mkarchive: {message}", file=sys.stderr)
    sys.exit(1)


def check_name(name):
    raw = name.encode("utf-8", "surrogateescape")
    if not raw:
        fail("empty file name")
    if len(raw) > NAME_FIELD - 1:
        fail(f"name '{name}' is {len(raw)} bytes; at most {NAME_FIELD - 1} are allowed")
    if any(b < 0x21 or b > 0x7E for b in raw):
        fail(f"name '{name}' may hold only printable ASCII without spaces")
    if raw.startswith(b"?"):
        fail(f"name '{name}' begins with '?', which boot: keeps for itself (boot:?archive)")
    return raw


def parse_spec(spec):
    name, sep, path = spec.partition("=")
    if not sep:
        path = spec
        name = os.path.basename(os.path.normpath(spec))
    if not path:
        fail(f"'{spec}': no path")
    return check_name(name), path


def build(files):
    """files: list of (name bytes, data bytes). Returns the archive bytes."""
    files = sorted(files, key=lambda f: f[0])
    for a, b in zip(files, files[1:]):
        if a[0] == b[0]:
            fail(f"name '{a[0].decode()}' is given twice")
    offset = HEADER.size + ENTRY.size * len(files)
    entries, blobs = [], []
    after_elf = False
    for name, data in files:
        # An ELF file starts on a page, and the rest of its last page is zeroes: the kernel
        # maps that page too, and a program must see no byte of another file.
        is_elf = data.startswith(b"\x7fELF")
        offset += -offset % (PAGE_ALIGN if is_elf or after_elf else DATA_ALIGN)
        after_elf = is_elf
        entries.append(ENTRY.pack(name, offset, len(data), zlib.crc32(data) & 0xFFFFFFFF, 0))
        blobs.append((offset, data))
        offset += len(data)
    out = bytearray(HEADER.pack(MAGIC, VERSION, len(files), offset))
    for e in entries:
        out += e
    for at, data in blobs:
        out += bytes(at - len(out))
        out += data
    assert len(out) == offset
    return bytes(out)


def without_debug(objcopy, path, data, how="--strip-debug"):
    """data (the file at path) stripped by `objcopy how`, if it is an ELF file.

    The same program goes into dozens of archives, and stripping it for each was most of a
    build's time: a stripped copy is kept in .stripped/ beside path, named by a hash of its
    input, and used again while that input is the same (a rebuilt program replaces it)."""
    if not data.startswith(b"\x7fELF"):
        return data
    key = hashlib.sha256(data + how.encode() + objcopy.encode()).hexdigest()[:24]
    cache_dir = os.path.join(os.path.dirname(os.path.abspath(path)), ".stripped")
    prefix = f"{os.path.basename(path)}{how}-"
    kept = os.path.join(cache_dir, prefix + key)
    try:
        with open(kept, "rb") as f:
            return f.read()
    except OSError:
        pass
    try:
        os.makedirs(cache_dir, exist_ok=True)
    except OSError:
        cache_dir = None  # nowhere to keep it: stripped for this archive only
    with tempfile.TemporaryDirectory(dir=cache_dir) as tmp:
        out = os.path.join(tmp, "stripped")
        result = subprocess.run([objcopy, how, path, out], capture_output=True, text=True)
        if result.returncode != 0:
            fail(f"cannot strip '{path}': {result.stderr.strip()}")
        with open(out, "rb") as f:
            stripped = f.read()
        if cache_dir:
            os.replace(out, kept)  # atomic: archives built in parallel read whole copies
            for old in os.listdir(cache_dir):
                if old.startswith(prefix) and old != prefix + key:
                    try:
                        os.remove(os.path.join(cache_dir, old))
                    except OSError:
                        pass  # another archive's build removed it first
    return stripped


WASM_MAGIC = b"\0asm"


def is_program(name, data):
    """An ELF program or a component's wasm module (NAME.wasm)."""
    return data.startswith(b"\x7fELF") or (name.endswith(b".wasm") and data.startswith(WASM_MAGIC))


def main(argv):
    objcopy = None
    programs = None  # names of the ELF files to keep; None: all
    strip = "--strip-debug"
    while len(argv) > 2 and argv[1] in ("--strip-debug", "--strip", "--programs", "--program"):
        option, value, argv = argv[1], argv[2], argv[:1] + argv[3:]
        if option in ("--strip-debug", "--strip"):
            objcopy = value
            strip = "--strip-debug" if option == "--strip-debug" else "--strip-all"
        elif option == "--program":
            programs = (programs or set()) | {value.encode()}
        else:
            try:
                with open(value) as f:
                    names = {line.strip().encode() for line in f if line.strip()}
            except OSError as e:
                fail(f"cannot read the program list '{value}': {e.strerror}")
            programs = (programs or set()) | names
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    out_path = argv[1]
    files = []
    for spec in argv[2:]:
        name, path = parse_spec(spec)
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError as e:
            fail(f"cannot read '{path}': {e.strerror}")
        if programs is not None and is_program(name, data) and name not in programs:
            continue
        files.append((name, without_debug(objcopy, path, data, strip) if objcopy else data))
    archive = build(files)
    tmp = out_path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(archive)
    os.replace(tmp, out_path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
