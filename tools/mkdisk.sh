#!/usr/bin/env bash
# Makes the disk `make run` boots with, if it does not exist yet: IMAGE, an ext2 file system
# (64 MiB) holding system/disk/ (etc, home), the live site's files under /srv/www, and empty
# directories where the system's mount table mounts other file systems (tmp, boot, proc).
# An existing image is kept: what the user wrote on it survives.
#
# usage: mkdisk.sh IMAGE
set -euo pipefail

image=$1
[ -f "$image" ] && exit 0
root=$(cd "$(dirname "$0")/.." && pwd)
tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT
cp -r "$root/system/disk/." "$tree/"
mkdir -p "$tree/srv/www" "$tree/tmp" "$tree/boot" "$tree/proc"
cp -r "$root/apps/httpd/site/." "$tree/srv/www/"
truncate -s 64M "$image.tmp"
mke2fs -q -F -t ext2 -b 4096 -d "$tree" "$image.tmp"
mv "$image.tmp" "$image"
echo "mkdisk: made $image (ext2, 64 MiB)"
