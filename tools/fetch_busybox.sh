#!/usr/bin/env bash
# Fetches Debian's busybox-static package into a build folder and extracts its binary:
#   fetch_busybox.sh OUT_DIR   ->  OUT_DIR/busybox
# The yardstick of the Linux personality (docs/linux.md). The package is downloaded with
# apt-get (never committed) and fetched again only when OUT_DIR has no binary yet.
set -euo pipefail

out=${1:?usage: fetch_busybox.sh OUT_DIR}
mkdir -p "$out"
[ -x "$out/busybox" ] && exit 0
work=$(mktemp -d "$out/fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download busybox-static >/dev/null 2>&1) || {
  echo "fetch_busybox: apt-get download busybox-static failed" >&2
  exit 1
}
dpkg-deb -x "$work"/busybox-static_*.deb "$work/root"
install -m 755 "$work/root/bin/busybox" "$out/busybox"
