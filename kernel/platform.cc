#include "kernel/platform.h"

#include "kernel/acpi.h"
#include "kernel/arch.h"
#include "kernel/boot_info.h"
#include "kernel/heap.h"
#include "kernel/log.h"

namespace kernel {

namespace {

bool overlaps(uintptr_t start, uintptr_t end, uintptr_t other_start, uintptr_t other_end) {
  return start < other_end && other_start < end;
}

}  // namespace

Platform* Platform::get() {
  static Platform* the_platform = nullptr;
  if (!the_platform) {
    auto created = heap::create<Platform>();
    if (!created.ok()) panic("no memory for the platform object");
    the_platform = created.value();  // its creation reference is never dropped
  }
  return the_platform;
}

stellina::abi::PlatformInfo Platform::info() const {
  const acpi::Info& acpi = acpi::info();
  stellina::abi::PlatformInfo out{};
  out.ecam_base = acpi.ecam_base;
  out.ecam_bus_start = acpi.ecam_base ? acpi.ecam_bus_start : 0;
  out.ecam_bus_end = acpi.ecam_base ? acpi.ecam_bus_end : 0;
  out.has_acpi = acpi.present ? 1 : 0;
  return out;
}

bool Platform::is_device_memory(uintptr_t phys, size_t size) {
  const uintptr_t end = phys + size;
  if (size == 0 || end < phys || end > arch::phys_address_limit()) return false;
  const BootInfo& boot = boot_info();
  // Regions the boot info could not hold might be RAM: refuse everything rather than guess.
  if (boot.regions_dropped) return false;
  for (size_t i = 0; i < boot.region_count; ++i) {
    const MemoryRegion& r = boot.regions[i];
    if (r.type != MemoryType::Reserved && overlaps(phys, end, r.base, r.base + r.size))
      return false;
  }
  const arch::PhysRange image = arch::kernel_image();
  if (overlaps(phys, end, image.start, image.end)) return false;
  for (size_t i = 0; i < boot.module_count; ++i) {
    const BootModule& m = boot.modules[i];
    if (overlaps(phys, end, m.phys, m.phys + m.size)) return false;
  }
  return true;
}

}  // namespace kernel
