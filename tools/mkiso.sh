#!/usr/bin/env bash
# Makes a hybrid BIOS+UEFI GRUB ISO that boots a Stellina kernel with Multiboot2.
# usage: mkiso.sh KERNEL_ELF OUTPUT_ISO [KERNEL_COMMAND_LINE [BOOT_ARCHIVE]]
set -euo pipefail
kernel=$1 out=$2 cmdline=${3:-} archive=${4:-}
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/boot/grub"
cp "$kernel" "$root/boot/stellina.elf"
module=""
if [ -n "$archive" ]; then
  cp "$archive" "$root/boot/boot.archive"
  module="module2 /boot/boot.archive boot.archive"
fi
cat > "$root/boot/grub/grub.cfg" <<CFG
set timeout=0
set default=0
serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
menuentry "Stellina" {
  multiboot2 /boot/stellina.elf $cmdline
  $module
  boot
}
CFG
grub-mkrescue -o "$out" "$root" >/dev/null 2>&1 || {
  echo "mkiso: grub-mkrescue failed (needs grub-pc-bin, grub-efi-amd64-bin, xorriso, mtools)" >&2
  grub-mkrescue -o "$out" "$root"
}
