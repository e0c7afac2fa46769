#!/usr/bin/env bash
# Installs the Debian packages Stellina needs to build, boot and test, only when missing.
# Both README commands (make run, make test) call this first, so a fresh Debian 12 machine
# needs nothing else.
set -euo pipefail

packages=(
  clang-14 lld-14 llvm-14 cmake ninja-build make python3 ccache
  libgtest-dev libclang-rt-14-dev
  qemu-system-x86 qemu-utils
  grub-pc-bin grub-efi-amd64-bin grub-common xorriso mtools ovmf
  clang-format clang-tidy
  cpio busybox-static gcc libc6-dev xz-utils zstd libtomlplusplus-dev e2fsprogs dosfstools
  curl wrk apache2-utils chromium python3-scapy
  wabt wasi-libc libclang-rt-14-dev-wasm32 libc++-14-dev-wasm32 libc++abi-14-dev-wasm32
)
# npm, which the build uses to fetch the web terminal's xterm.js (tools/fetch_xterm.sh):
# Debian's, unless the machine has one already (Node.js from elsewhere brings its own).
command -v npm >/dev/null 2>&1 || packages+=(npm)
# node (node:wasi), bench/wasm's reference WebAssembly runner: Debian's, unless one is there.
command -v node >/dev/null 2>&1 || packages+=(nodejs)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "setup: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
