#pragma once
// A user address space: the lower half of its own page tables (the kernel half is shared),
// and the regions where touching an unmapped page gets a fresh zeroed page instead of a fault.

#include <lib/result.h>

#include "kernel/object.h"

namespace kernel {

class AddressSpace final : public Object {
 public:
  static constexpr ObjectType kType = ObjectType::AddressSpace;
  static constexpr size_t kMaxRegions = 32;

  static lib::Result<AddressSpace*> create();
  uintptr_t root() const { return root_; }

  // Declares [start, start + size) as demand-zero memory with the given arch::PageFlags
  // (kPageWrite, kPageExec). Errors: InvalidArgument (unaligned, outside user space),
  // AlreadyExists (overlaps a region), NoResources (too many regions).
  lib::Result<void> add_region(uintptr_t start, size_t size, uint32_t flags);
  // Maps a fresh page at virt holding a copy of data (the rest zeroed). virt must lie in a
  // region; the page gets the region's rights.
  lib::Result<void> populate(uintptr_t virt, const uint8_t* data, size_t size);
  // Resolves a fault at addr if it is in a region that allows the access: maps a zeroed page.
  bool handle_fault(uintptr_t addr, bool write, bool exec);

  AddressSpace() : Object(kType) {}  // use create

 private:
  ~AddressSpace() override;
  struct Region {
    uintptr_t start, end;
    uint32_t flags;
  };
  const Region* find(uintptr_t addr) const;

  uintptr_t root_ = 0;
  Region regions_[kMaxRegions] = {};
  size_t region_count_ = 0;
};

}  // namespace kernel
