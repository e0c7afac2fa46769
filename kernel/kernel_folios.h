#pragma once
// The folio mappings of a component built into the kernel. It has no address space of its
// own, so folio_map puts each of its folios in a window of the kernel's folio region, shared
// by every address space: switching to an in-kernel component never changes page tables.
// Each window holds the largest folio and leaves a guard gap after it; what the component
// still has mapped when it ends is unmapped with it.

#include <cstddef>
#include <cstdint>

#include <lib/result.h>

#include "kernel/folio.h"

namespace kernel {

class KernelFolios {
 public:
  static constexpr size_t kMaxMappings = 32;  // as many as a user address space has regions

  KernelFolios() = default;
  KernelFolios(const KernelFolios&) = delete;
  KernelFolios& operator=(const KernelFolios&) = delete;
  ~KernelFolios() { unmap_all(); }

  // Maps every page of folio in a free window with flags (kPageWrite or not), uncached for a
  // device folio; the mapping keeps the folio alive. Returns the address.
  // Errors: NoResources (kMaxMappings mappings, or every window taken), NoMemory.
  lib::Result<uintptr_t> map(Folio* folio, uint32_t flags);
  // Removes the mapping that starts at addr. Errors: NotFound.
  lib::Result<void> unmap(uintptr_t addr);
  void unmap_all();

 private:
  struct Mapping {
    uintptr_t start;
    Folio* folio;  // a reference
  };
  Mapping mappings_[kMaxMappings] = {};
  size_t count_ = 0;
};

}  // namespace kernel
