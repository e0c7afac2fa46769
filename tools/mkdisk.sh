#!/usr/bin/env bash
# Makes the disk `make run` boots with, if it does not exist yet: IMAGE, an ext2 file system
# (64 MiB, or the -s size) holding system/disk/ (etc, home), the live site's files under
# /srv/www (those of apps/httpd/site and the ones the build fetched, SITE, default: build/site
# next to IMAGE), the programs (PROGRAMS, default: build/programs next to IMAGE) in /bin, and
# empty directories where the system's mount table mounts other file systems (tmp, boot,
# proc, dev), and the WebAssembly test modules the build compiled (build/tests/wasi next to
# IMAGE, if it is there) in /usr/share/wasm, to run with the shell (docs/wasi.md), and
# Debian's busybox-static (BUSYBOX, default: build/linux/busybox next to IMAGE, if it is
# there) as /bin/busybox with a link per applet in /usr/linux/bin (docs/linux.md). An
# existing image is kept (what the user wrote on it survives, and its size), but its /bin,
# the site's files in /srv/www and /usr/share/wasm are brought up to date with the ones just
# built, as a system update would.
#
# usage: mkdisk.sh [-s MIB] IMAGE [PROGRAMS [SITE]]
#   -s MIB  the size of a new image in MiB (default 64)
set -euo pipefail

size_mib=64
while getopts s: opt; do
  case $opt in
    s) size_mib=$OPTARG ;;
    *) echo "usage: mkdisk.sh [-s MIB] IMAGE [PROGRAMS [SITE]]" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
case $size_mib in
  '' | *[!0-9]* | 0*) echo "mkdisk: -s wants a size in MiB, not '$size_mib'" >&2; exit 2 ;;
esac
[ $# -ge 1 ] || { echo "usage: mkdisk.sh [-s MIB] IMAGE [PROGRAMS [SITE]]" >&2; exit 2; }

image=$1
programs=${2:-$(dirname "$image")/programs}
site=${3:-$(dirname "$image")/site}
wasm_modules=$(dirname "$image")/tests/wasi
busybox=${BUSYBOX:-$(dirname "$image")/linux/busybox}
root=$(cd "$(dirname "$0")/.." && pwd)
staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT

# The programs as /bin holds them: every executable in PROGRAMS, without symbols; `[` is
# `test` under another name.
bin=$staging/bin
mkdir -p "$bin"
for p in "$programs"/*; do
  [ -f "$p" ] && [ -x "$p" ] || continue
  llvm-strip-14 -o "$bin/$(basename "$p")" "$p"
done
[ -f "$bin/test" ] && cp "$bin/test" "$bin/["

# busybox's applets, each a link in /usr/linux/bin (not /bin: Stellina's own programs keep
# their names).
applets=()
if [ -x "$busybox" ]; then
  cp "$busybox" "$bin/busybox"
  mapfile -t applets < <("$busybox" --list | grep -v '^busybox$')
fi

# The site's files: the page sources, and what the build fetched (xterm.js), if it has.
www=$staging/www
mkdir -p "$www"
cp -r "$root/apps/httpd/site/." "$www/"
[ -d "$site" ] && cp -r "$site/." "$www/"

if [ -f "$image" ]; then
  # Refresh /bin and the site in place (debugfs writes into the unmounted image).
  commands=$staging/commands
  echo "mkdir /bin" > "$commands"
  for p in "$bin"/*; do
    name=$(basename "$p")
    printf 'rm "/bin/%s"\nwrite "%s" "/bin/%s"\nsif "/bin/%s" mode 0100755\n' \
      "$name" "$p" "$name" "$name" >> "$commands"
  done
  printf 'mkdir /srv\nmkdir /srv/www\n' >> "$commands"
  for p in "$www"/*; do
    name=$(basename "$p")
    printf 'rm "/srv/www/%s"\nwrite "%s" "/srv/www/%s"\n' "$name" "$p" "$name" >> "$commands"
  done
  printf 'mkdir /usr\nmkdir /usr/share\nmkdir /usr/share/wasm\n' >> "$commands"
  for p in "$wasm_modules"/*.wasm; do
    [ -f "$p" ] || continue
    name=$(basename "$p")
    printf 'rm "/usr/share/wasm/%s"\nwrite "%s" "/usr/share/wasm/%s"\nsif "/usr/share/wasm/%s" mode 0100755\n' \
      "$name" "$p" "$name" "$name" >> "$commands"
  done
  if [ ${#applets[@]} -gt 0 ]; then
    printf 'mkdir /usr/linux\nmkdir /usr/linux/bin\n' >> "$commands"
    for a in "${applets[@]}"; do
      printf 'rm "/usr/linux/bin/%s"\nsymlink "/usr/linux/bin/%s" /bin/busybox\n' "$a" "$a" >> "$commands"
    done
  fi
  debugfs -w -f "$commands" "$image" >/dev/null 2>&1 || true
  exit 0
fi

tree=$staging/tree
mkdir -p "$tree"
cp -r "$root/system/disk/." "$tree/"
mkdir -p "$tree/srv/www" "$tree/tmp" "$tree/boot" "$tree/proc" "$tree/dev"
cp -r "$www/." "$tree/srv/www/"
cp -r "$bin" "$tree/bin"
chmod 755 "$tree/bin"/* 2>/dev/null || true
mkdir -p "$tree/usr/share/wasm"
if [ ${#applets[@]} -gt 0 ]; then
  mkdir -p "$tree/usr/linux/bin"
  for a in "${applets[@]}"; do ln -s /bin/busybox "$tree/usr/linux/bin/$a"; done
fi
for p in "$wasm_modules"/*.wasm; do
  [ -f "$p" ] && install -m 755 "$p" "$tree/usr/share/wasm/"
done
truncate -s "${size_mib}M" "$image.tmp"
mke2fs -q -F -t ext2 -b 4096 -d "$tree" "$image.tmp"
mv "$image.tmp" "$image"
echo "mkdisk: made $image (ext2, $size_mib MiB)"
