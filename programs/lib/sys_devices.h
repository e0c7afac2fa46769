#pragma once
// The device manager's table (/proc/devices: the "devices" service's "list") and the VFS's
// mount table (FileOp::Mounts), parsed for lspci, lsblk, mount and umount: plain functions
// that build on the host (tests/unit/cmd).

#include <stddef.h>
#include <stdint.h>

#include <lib/string_view.h>

namespace cmd::sys {

// One device line, as servers/devmgr prints it:
//   pci BB:DD.F VVVV:DDDD NAME[ BAR...] (bound|unbound)
//   virtio-mmio 0xBASE NAME[, legacy transport] (bound|unbound)
// NAME may hold spaces ("virtio network", "SATA controller"); a BAR is " 0xBASE+0xSIZE" or
// " io 0xBASE+0xSIZE".
struct DeviceLine {
  bool pci = false;                 // else virtio-mmio
  lib::StringView address;          // BB:DD.F, or the transport's base
  uint16_t vendor = 0, device = 0;  // pci
  lib::StringView name;
  lib::StringView resources;  // the BARs as printed, or ", legacy transport"; may be empty
  bool bound = false;
};
bool parse_device_line(lib::StringView line, DeviceLine* out);

// Whether a device's name says it is a block device ("virtio block", "SATA controller" is
// not one: a controller, whose disks no driver lists yet).
bool is_block_device(const DeviceLine& d);

// One mount line: SOURCE MOUNT_POINT ro|rw (SOURCE: SERVICE or SERVICE:SUBTREE).
struct MountLine {
  lib::StringView source, path;
  bool read_only = false;
};
bool parse_mount_line(lib::StringView line, MountLine* out);

// path made absolute against cwd (when relative) and normalized: no empty, "." or ".."
// component, no trailing '/' but for "/". Returns its size, 0 if it does not fit capacity.
size_t absolute_path(lib::StringView cwd, lib::StringView path, char* out, size_t capacity);

}  // namespace cmd::sys
