// The program break and anonymous private mappings, over the address space's demand-zero
// regions (AddressSpace::map_anonymous, unmap_range, protect_range); file and shared
// mappings are linux_mmap.cc's. Every change to the address space happens under sched_lock,
// as folio mappings'.

#include "kernel/linux/linux_calls.h"
#include "kernel/linux/linux_mmap.h"
#include "kernel/syscall.h"

namespace kernel::linux_calls {

using namespace linux_abi;

namespace {

constexpr uint64_t kPageMask = arch::kPageSize - 1;

uint64_t page_up(uint64_t v) { return (v + kPageMask) & ~kPageMask; }

AddressSpace& space() { return current_process().address_space(); }

}  // namespace

uint32_t region_flags(uint64_t prot) {
  if ((prot & (kProtRead | kProtWrite | kProtExec)) == 0) return AddressSpace::kNoAccess;
  return ((prot & kProtWrite) ? arch::kPageWrite : 0) | ((prot & kProtExec) ? arch::kPageExec : 0);
}

int64_t place_mapping(AddressSpace& as, uint64_t address, uint64_t size, uint64_t flags) {
  uint64_t at = address & ~kPageMask;
  if (flags & kMapFixedNoReplace) {
    if (address + size < address || !as.free_range_below(address + size, size, address).ok())
      return -kEexist;
  } else if (flags & kMapFixed) {
    if (auto cleared = as.unmap_range(address, size); !cleared.ok())
      return errno_of(cleared.error());
  } else {
    // The hint is taken when it is free; otherwise the highest free range below the top.
    const bool hint_free = at != 0 && at + size > at && at + size <= LinuxProcess::kMmapTop &&
                           as.free_range_below(at + size, size, at).ok();
    if (!hint_free) {
      auto found = as.free_range_below(LinuxProcess::kMmapTop, size, LinuxProcess::kMmapFloor);
      if (!found.ok()) return -kEnomem;
      at = found.value();
    }
  }
  return int64_t(at);
}

int64_t brk(LinuxProcess& lp, uint64_t address) {
  // Linux answers every request with the break as it now stands: unchanged when refused.
  if (address < lp.brk_start() || address - lp.brk_start() > LinuxProcess::kBrkMax)
    return int64_t(lp.brk());
  const uint64_t old_end = page_up(lp.brk());
  const uint64_t new_end = page_up(address);
  SpinlockGuard guard(sched_lock);
  if (new_end > old_end) {
    if (!space().map_anonymous(old_end, new_end - old_end, arch::kPageWrite).ok())
      return int64_t(lp.brk());
  } else if (new_end < old_end) {
    if (!space().unmap_range(new_end, old_end - new_end).ok()) return int64_t(lp.brk());
  }
  lp.set_brk(address);
  return int64_t(address);
}

int64_t mmap(LinuxProcess& lp, uint64_t address, uint64_t length, uint64_t prot, uint64_t flags,
             uint64_t fd, uint64_t offset) {
  // Linux ignores prot bits it does not know in mmap (mprotect refuses them).
  const uint64_t sharing = flags & (kMapShared | kMapPrivate);
  if (length == 0 || (offset & kPageMask) || sharing == 0 || sharing == (kMapShared | kMapPrivate))
    return -kEinval;
  const uint64_t size = page_up(length);
  if (size < length || size > arch::kUserTop) return -kEnomem;
  const bool fixed = flags & (kMapFixed | kMapFixedNoReplace);
  if (fixed && ((address & kPageMask) || address == 0)) return -kEinval;
  if (!(flags & kMapAnonymous)) return map_file(lp, address, size, prot, flags, fd, offset);
  if (sharing == kMapShared) return map_shared_anonymous(address, size, prot, flags);
  SpinlockGuard guard(sched_lock);
  AddressSpace& as = space();
  const int64_t at = place_mapping(as, address, size, flags);
  if (at < 0) return at;
  if (auto mapped = as.map_anonymous(uint64_t(at), size, region_flags(prot)); !mapped.ok())
    return errno_of(mapped.error());
  return at;
}

int64_t munmap(uint64_t address, uint64_t length) {
  if ((address & kPageMask) || length == 0) return -kEinval;
  const uint64_t size = page_up(length);
  if (size < length) return -kEinval;
  SpinlockGuard guard(sched_lock);
  auto unmapped = space().unmap_range(address, size);
  return unmapped.ok() ? 0 : errno_of(unmapped.error());
}

int64_t mprotect(uint64_t address, uint64_t length, uint64_t prot) {
  if (address & kPageMask) return -kEinval;
  if (prot & ~(kProtRead | kProtWrite | kProtExec)) return -kEinval;
  if (length == 0) return 0;
  const uint64_t size = page_up(length);
  if (size < length) return -kEnomem;
  SpinlockGuard guard(sched_lock);
  auto changed = space().protect_range(address, size, region_flags(prot));
  if (changed.ok()) return 0;
  // Part of the range is not mapped: Linux's ENOMEM.
  return changed.error() == lib::Error::NotFound ? -kEnomem : errno_of(changed.error());
}

}  // namespace kernel::linux_calls
