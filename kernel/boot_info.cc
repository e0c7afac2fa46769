#include "kernel/boot_info.h"

namespace kernel {

const char* memory_type_name(MemoryType type) {
  switch (type) {
    case MemoryType::Usable: return "usable";
    case MemoryType::Reserved: return "reserved";
    case MemoryType::AcpiReclaimable: return "ACPI reclaimable";
    case MemoryType::AcpiNvs: return "ACPI NVS";
  }
  return "?";
}

void BootInfo::add_region(uint64_t base, uint64_t size, MemoryType type) {
  if (!size) return;
  if (region_count == kMaxRegions) {
    ++regions_dropped;
    return;
  }
  regions[region_count++] = {base, size, type};
}

void BootInfo::add_module(uint64_t phys, uint64_t size, const char* name) {
  if (module_count >= kMaxModules) return;
  BootModule& m = modules[module_count++];
  m.phys = phys;
  m.size = size;
  size_t i = 0;
  for (; name && name[i] && i + 1 < sizeof(m.name); ++i) m.name[i] = name[i];
  m.name[i] = '\0';
}

bool BootInfo::option(const char* key, char* out, size_t capacity) const {
  const char* p = cmdline;
  while (*p) {
    while (*p == ' ') ++p;
    const char* word = p;
    while (*p && *p != ' ') ++p;
    const char* k = key;
    const char* w = word;
    while (*k && w < p && *w == *k) ++w, ++k;
    if (*k == '\0' && (w == p || *w == '=')) {
      if (w < p) ++w;  // skip '='
      size_t n = 0;
      while (w < p && n + 1 < capacity) out[n++] = *w++;
      if (capacity) out[n] = '\0';
      return true;
    }
  }
  return false;
}

uint64_t BootInfo::max_usable() const {
  uint64_t top = 0;
  for (size_t i = 0; i < region_count; ++i) {
    if (regions[i].type == MemoryType::Usable && regions[i].base + regions[i].size > top)
      top = regions[i].base + regions[i].size;
  }
  return top;
}

}  // namespace kernel
