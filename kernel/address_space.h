#pragma once
// A user address space: the lower half of its own page tables (the kernel half is shared),
// and the regions where touching an unmapped page gets a fresh zeroed page instead of a fault.

#include <lib/result.h>

#include "kernel/folio.h"
#include "kernel/object.h"
#include "kernel/silo.h"

namespace kernel {

class AddressSpace final : public Object {
 public:
  static constexpr ObjectType kType = ObjectType::AddressSpace;
  static constexpr size_t kMaxRegions = 32;

  // Its pages are charged to silo (4 KiB each) until the address space is destroyed.
  static lib::Result<AddressSpace*> create(Ref<Silo> silo);
  uintptr_t root() const { return root_; }

  // Declares [start, start + size) as demand-zero memory with the given arch::PageFlags
  // (kPageWrite, kPageExec). Errors: InvalidArgument (unaligned, outside user space),
  // AlreadyExists (overlaps a region), NoResources (too many regions).
  lib::Result<void> add_region(uintptr_t start, size_t size, uint32_t flags);
  // Maps a fresh page at virt holding a copy of data (the rest zeroed). virt must lie in a
  // region; the page gets the region's rights. Errors: InvalidArgument, QuotaExceeded,
  // NoMemory, AlreadyExists.
  lib::Result<void> populate(uintptr_t virt, const uint8_t* data, size_t size);
  // Maps every page of folio at a free address chosen by the address space, with flags
  // (kPageWrite or not), uncached for a device folio; the mapping keeps the folio alive.
  // Returns the address.
  // Errors: NoResources (too many regions), NoMemory.
  lib::Result<uintptr_t> map_folio(Folio* folio, uint32_t flags);
  // Removes the folio mapping that starts at addr. Errors: NotFound.
  lib::Result<void> unmap_folio(uintptr_t addr);

  // Resolves a fault at addr if it is in a region that allows the access: maps a zeroed page.
  enum class FaultResult { Mapped, Refused, OverQuota };
  FaultResult handle_fault(uintptr_t addr, bool write, bool exec);

  AddressSpace() : Object(kType) {}  // use create

 private:
  ~AddressSpace() override;
  struct Region {
    uintptr_t start, end;
    uint32_t flags;
    Folio* folio;  // a reference, for folio mappings; null for demand-zero memory
  };
  static constexpr uintptr_t kFolioBase = uintptr_t{0x100} << 32;  // where folios get mapped
  uintptr_t next_folio_address_ = kFolioBase;
  const Region* find(uintptr_t addr) const;
  // A fresh zeroed page charged to the silo. Errors: QuotaExceeded, NoMemory.
  lib::Result<uintptr_t> charged_page();
  // Maps a page from charged_page; gives it (and its charge) back if that fails.
  lib::Result<void> map_charged(uintptr_t virt, uintptr_t page, uint32_t flags);

  uintptr_t root_ = 0;
  Ref<Silo> silo_;
  size_t owned_pages_ = 0;  // mapped pages the address space owns (charged to silo_)
  Region regions_[kMaxRegions] = {};
  size_t region_count_ = 0;
};

}  // namespace kernel
