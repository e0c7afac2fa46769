#pragma once
// What the boot loader told us, in one shape whatever the protocol.

#include <cstddef>
#include <cstdint>

namespace kernel {

enum class MemoryType : uint8_t { Usable, Reserved, AcpiReclaimable, AcpiNvs };
const char* memory_type_name(MemoryType type);

struct MemoryRegion {
  uint64_t base;
  uint64_t size;
  MemoryType type;
};

struct BootModule {
  uint64_t phys;
  uint64_t size;
  char name[64];
};

struct BootInfo {
  static constexpr size_t kMaxRegions = 128;
  static constexpr size_t kMaxModules = 16;

  const char* protocol = "";
  char cmdline[512] = {};
  MemoryRegion regions[kMaxRegions] = {};
  size_t region_count = 0;
  size_t regions_dropped = 0;  // beyond kMaxRegions: reported at boot
  BootModule modules[kMaxModules] = {};
  size_t module_count = 0;
  uintptr_t acpi_rsdp = 0;     // physical address, 0 if the loader gave none
  uint8_t rsdp_copy[36] = {};  // where a loader that hands over a copy (Multiboot2) puts it

  void add_region(uint64_t base, uint64_t size, MemoryType type);
  void add_module(uint64_t phys, uint64_t size, const char* name);
  // The value of "key=value" on the command line, copied into out; false if absent.
  bool option(const char* key, char* out, size_t capacity) const;
  // The highest address of usable memory.
  uint64_t max_usable() const;
};

const BootInfo& boot_info();

}  // namespace kernel
