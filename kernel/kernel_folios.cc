#include "kernel/kernel_folios.h"

#include <lib/slot_bitmap.h>

#include "kernel/arch.h"
#include "kernel/spinlock.h"

namespace kernel {
namespace {

// A window: the largest folio, then at least as much unmapped space before the next one.
constexpr size_t kWindowSize = 2 * Folio::kMaxPages * arch::kPageSize;
constexpr size_t kWindows = arch::kFolioRegionSize / kWindowSize;
Spinlock windows_lock;
lib::SlotBitmap<kWindows> windows GUARDED_BY(windows_lock);

lib::Result<uintptr_t> take_window() {
  SpinlockGuard guard(windows_lock);
  return arch::kFolioRegionBase + TRY(windows.take()) * kWindowSize;
}

void give_window(uintptr_t start) {
  SpinlockGuard guard(windows_lock);
  windows.give((start - arch::kFolioRegionBase) / kWindowSize);
}

void unmap_pages(uintptr_t start, size_t pages) {
  for (size_t i = 0; i < pages; ++i) (void)arch::unmap_page(start + i * arch::kPageSize);
}

}  // namespace

lib::Result<uintptr_t> KernelFolios::map(Folio* folio, uint32_t flags) {
  if (count_ == kMaxMappings) return lib::Error::NoResources;
  const uintptr_t start = TRY(take_window());
  // Device memory is mapped uncached: its reads and writes must reach the device.
  const uint32_t page_flags =
      (flags & arch::kPageWrite) | (folio->is_device() ? arch::kPageUncached : 0);
  for (size_t i = 0; i < folio->page_count(); ++i) {
    auto mapped = arch::map_page(start + i * arch::kPageSize, folio->page(i), page_flags);
    if (!mapped.ok()) {
      unmap_pages(start, i);
      give_window(start);
      return mapped.error();
    }
  }
  folio->retain();
  mappings_[count_++] = {start, folio};
  return start;
}

lib::Result<void> KernelFolios::unmap(uintptr_t addr) {
  for (size_t i = 0; i < count_; ++i) {
    Mapping& m = mappings_[i];
    if (m.start != addr) continue;
    unmap_pages(m.start, m.folio->page_count());
    give_window(m.start);
    m.folio->release();
    m = mappings_[--count_];
    return {};
  }
  return lib::Error::NotFound;
}

void KernelFolios::unmap_all() {
  while (count_) (void)unmap(mappings_[0].start);
}

}  // namespace kernel
