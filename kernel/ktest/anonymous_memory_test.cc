// Anonymous memory as the Linux personality uses it (mmap, munmap, mprotect, brk): ranges of
// demand-zero regions unmapped and re-protected page by page, regions split and merged, the
// region table's capacity at and beyond its limit, and every page's charge given back.

#include "kernel/address_space.h"
#include "kernel/ktest/ktest.h"
#include "kernel/ktest/user_helpers.h"

namespace kernel {
namespace {

using namespace ktest_user;

constexpr uint64_t kPage = arch::kPageSize;
constexpr uintptr_t kBase = uintptr_t{0x10} << 32;

Ref<Silo> make_silo(const SiloLimits& limits) {
  auto created = Silo::create(Silo::root(), limits);
  KASSERT(created.ok());
  return Ref<Silo>::adopt(created.value());
}

bool mapped(AddressSpace* as, uintptr_t va) { return arch::user_page_flags(as->root(), va).ok(); }

bool writable(AddressSpace* as, uintptr_t va) {
  auto flags = arch::user_page_flags(as->root(), va);
  return flags.ok() && (flags.value() & arch::kPageWrite);
}

}  // namespace

KTEST(address_space_anonymous_ranges) {
  Ref<Silo> silo = make_silo({256, 0, 0});
  auto created = AddressSpace::create(silo);
  KREQUIRE(created.ok());
  AddressSpace* as = created.value();
  const uint8_t byte = 0x5a;
  {
    SpinlockGuard guard(sched_lock);
    // Two touching mappings of the same rights: one region, every page of it usable.
    KEXPECT(as->map_anonymous(kBase, 4 * kPage, arch::kPageWrite).ok());
    KEXPECT(as->map_anonymous(kBase + 4 * kPage, 4 * kPage, arch::kPageWrite).ok());
    for (uintptr_t va = kBase; va < kBase + 8 * kPage; va += kPage)
      KEXPECT(as->populate(va, &byte, 1).ok());
  }
  const uint64_t full = silo->stats().memory_bytes;
  {
    SpinlockGuard guard(sched_lock);
    // A hole in the middle: its pages and their charges go back, the rest stays.
    KEXPECT(as->unmap_range(kBase + 2 * kPage, 2 * kPage).ok());
    KEXPECT(!mapped(as, kBase + 2 * kPage) && !mapped(as, kBase + 3 * kPage));
    KEXPECT(mapped(as, kBase + kPage) && mapped(as, kBase + 4 * kPage));
    // Read-only pages 4 and 5, page 6 still writable; the hole is no region.
    KEXPECT(as->protect_range(kBase + 4 * kPage, 2 * kPage, 0).ok());
    KEXPECT(!writable(as, kBase + 4 * kPage) && !writable(as, kBase + 5 * kPage));
    KEXPECT(writable(as, kBase + 6 * kPage) && writable(as, kBase));
    KEXPECT(as->protect_range(kBase + kPage, 2 * kPage, 0).error() == lib::Error::NotFound);
    KEXPECT(as->protect_range(kBase + 4 * kPage, 2 * kPage, arch::kPageWrite).ok());
    KEXPECT(writable(as, kBase + 4 * kPage));
    // The hole is where a two-page range fits below the mapping's end.
    auto hole = as->free_range_below(kBase + 8 * kPage, 2 * kPage, kBase);
    KEXPECT(hole.ok() && hole.value() == kBase + 2 * kPage);
    KEXPECT(!as->free_range_below(kBase + 8 * kPage, 3 * kPage, kBase).ok());
    // Unaligned and empty ranges are refused.
    KEXPECT(as->unmap_range(kBase + 1, kPage).error() == lib::Error::InvalidArgument);
    KEXPECT(as->unmap_range(kBase, 0).error() == lib::Error::InvalidArgument);
  }
  KEXPECT(silo->stats().memory_bytes == full - 2 * kPage);

  // The region table: fill it with separate mappings, then one more is refused, and so is an
  // unmap that would split a region; unmapping whole regions still works.
  size_t made = 0;
  {
    SpinlockGuard guard(sched_lock);
    uintptr_t at = kBase + (uintptr_t{1} << 30);
    for (; made < AddressSpace::kMaxRegions; ++made, at += 2 * kPage) {
      if (!as->map_anonymous(at, kPage, arch::kPageWrite).ok()) break;
    }
    KEXPECT(made == AddressSpace::kMaxRegions - 2);  // beside the two regions above
    KEXPECT(as->map_anonymous(at + 2 * kPage, kPage, arch::kPageWrite).error() ==
            lib::Error::NoResources);
    KEXPECT(as->unmap_range(kBase + kPage, 1 * kPage).error() == lib::Error::NoResources);
    KEXPECT(as->unmap_range(kBase + (uintptr_t{1} << 30), kPage).ok());
    KEXPECT(as->unmap_range(kBase + kPage, kPage).ok());  // the slot freed above
    as->release();
  }
  KEXPECT(silo->stats().memory_bytes == 0);
  drop(silo);
}

}  // namespace kernel
