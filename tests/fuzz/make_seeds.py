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
"""

import argparse
import os
import shutil
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
