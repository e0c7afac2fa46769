#pragma once
// The platform: the authority over the machine's devices. A handle with kRightManage lets a
// process map device memory (device_map); kRightRead lets it read what the firmware says
// about the devices (platform_info). There is one, created at boot and given to the startup
// server, which passes it on to the device manager.

#include <stellina/platform.h>

#include <lib/result.h>

#include "kernel/object.h"

namespace kernel {

class Folio;

class Platform final : public Object {
 public:
  static constexpr ObjectType kType = ObjectType::Platform;
  // The platform object (created on first use; lives forever).
  static Platform* get();

  stellina::abi::PlatformInfo info() const;

  // Whether [phys, phys + size) may be given out as device memory: it must not overlap
  // anything the firmware's memory map lists as RAM (usable, ACPI-reclaimable, ACPI NVS),
  // the kernel image or a boot module, and must lie below the CPU's physical address limit.
  // With an incomplete memory map nothing is allowed.
  static bool is_device_memory(uintptr_t phys, size_t size);

  Platform() : Object(kType) {}
};

}  // namespace kernel
