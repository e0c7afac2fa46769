#include "kernel/address_space.h"

#include "kernel/arch.h"
#include "kernel/arch_hooks.h"
#include "kernel/heap.h"
#include "kernel/pmm.h"
#include "kernel/shared_frames.h"

namespace kernel {

lib::Result<AddressSpace*> AddressSpace::create(Ref<Silo> silo) {
  TRY(silo->charge_memory(arch::kPageSize));  // the root table
  auto created = heap::create<AddressSpace>();
  if (!created.ok()) {
    silo->uncharge_memory(arch::kPageSize);
    return created.error();
  }
  AddressSpace* as = created.value();
  as->silo_ = static_cast<Ref<Silo>&&>(silo);
  auto root = arch::user_root_create();
  if (!root.ok()) {
    as->release();  // gives the root's charge back
    return root.error();
  }
  as->root_ = root.value();
  return as;
}

AddressSpace::~AddressSpace() {
  if (root_) arch::user_root_destroy(root_);  // frees owned frames only: folios keep theirs
  // Its pages, its tables and its root (charged by create whether or not the root was made).
  silo_->uncharge_memory((owned_pages_ + table_pages_ + 1) * arch::kPageSize);
  for (size_t i = 0; i < region_count_; ++i)
    if (regions_[i].folio) regions_[i].folio->release();
}

lib::Result<uintptr_t> AddressSpace::alloc_table() {
  const uintptr_t page = TRY(charged_page());
  ++table_pages_;
  return page;
}

void AddressSpace::free_table(uintptr_t phys) {
  (void)pmm::free_pages(phys);
  silo_->uncharge_memory(arch::kPageSize);
  --table_pages_;
}

const AddressSpace::Region* AddressSpace::overlapping(uintptr_t start, uintptr_t end) const {
  for (size_t i = 0; i < region_count_; ++i)
    if (start < regions_[i].end && regions_[i].start < end) return &regions_[i];
  return nullptr;
}

lib::Result<uintptr_t> AddressSpace::folio_address(size_t size) const {
  // From where the last mapping ended, then once more from the bottom. A candidate keeps a
  // guard page clear on both sides.
  for (uintptr_t start : {next_folio_address_, kFolioBase}) {
    while (start < arch::kUserTop && size <= arch::kUserTop - start - arch::kPageSize) {
      const Region* r = overlapping(start - arch::kPageSize, start + size + arch::kPageSize);
      if (!r) return start;
      start = r->end + arch::kPageSize;
    }
  }
  return lib::Error::NoMemory;
}

lib::Result<uintptr_t> AddressSpace::map_folio(Folio* folio, uint32_t flags) {
  if (region_count_ == kMaxRegions) return lib::Error::NoResources;
  const size_t size = folio->page_count() * arch::kPageSize;
  const uintptr_t start = TRY(folio_address(size));
  TRY(map_folio_at(start, folio, flags));
  next_folio_address_ = start + size + arch::kPageSize;  // a guard page between mappings
  return start;
}

lib::Result<void> AddressSpace::map_folio_at(uintptr_t start, Folio* folio, uint32_t flags) {
  const size_t size = folio->page_count() * arch::kPageSize;
  if (!valid_range(start, size)) return lib::Error::InvalidArgument;
  if (overlapping(start, start + size)) return lib::Error::AlreadyExists;
  if (region_count_ == kMaxRegions) return lib::Error::NoResources;
  // Device memory is mapped uncached: its reads and writes must reach the device.
  const uint32_t page_flags =
      (flags & arch::kPageWrite) | (folio->is_device() ? arch::kPageUncached : 0);
  for (size_t i = 0; i < folio->page_count(); ++i) {
    auto mapped =
        arch::user_map(root_, start + i * arch::kPageSize, folio->page(i), page_flags, *this);
    if (!mapped.ok()) {
      while (i--) (void)arch::user_unmap(root_, start + i * arch::kPageSize, *this);
      return mapped.error();
    }
  }
  folio->retain();
  regions_[region_count_++] = {start, start + size, flags & arch::kPageWrite, folio};
  return {};
}

lib::Result<void> AddressSpace::unmap_folio(uintptr_t addr) {
  for (size_t i = 0; i < region_count_; ++i) {
    Region& r = regions_[i];
    if (!r.folio || r.start != addr) continue;
    for (uintptr_t va = arch::user_next_mapped(root_, r.start, r.end); va < r.end;
         va = arch::user_next_mapped(root_, va + arch::kPageSize, r.end))
      (void)arch::user_unmap(root_, va, *this);
    r.folio->release();
    r = regions_[--region_count_];
    return {};
  }
  return lib::Error::NotFound;
}

Folio* AddressSpace::folio_at(uintptr_t addr, size_t* offset) const {
  const Region* r = find(addr);
  if (!r || !r->folio) return nullptr;
  *offset = addr - r->start;
  return r->folio;
}

const AddressSpace::Region* AddressSpace::find(uintptr_t addr) const {
  for (size_t i = 0; i < region_count_; ++i)
    if (addr >= regions_[i].start && addr < regions_[i].end) return &regions_[i];
  return nullptr;
}

lib::Result<void> AddressSpace::add_region(uintptr_t start, size_t size, uint32_t flags) {
  const uintptr_t end = start + size;
  if ((start | size) & (arch::kPageSize - 1) || size == 0 || end < start || start == 0 ||
      end > arch::kUserTop)
    return lib::Error::InvalidArgument;
  for (size_t i = 0; i < region_count_; ++i)
    if (start < regions_[i].end && regions_[i].start < end) return lib::Error::AlreadyExists;
  if (region_count_ == kMaxRegions) return lib::Error::NoResources;
  regions_[region_count_++] = {start, end, flags & (arch::kPageWrite | arch::kPageExec), nullptr};
  return {};
}

lib::Result<uintptr_t> AddressSpace::charged_page() {
  TRY(silo_->charge_memory(arch::kPageSize));
  auto page = pmm::alloc_zeroed_page();
  if (!page.ok()) silo_->uncharge_memory(arch::kPageSize);
  return page;
}

lib::Result<void> AddressSpace::map_charged(uintptr_t virt, uintptr_t page, uint32_t flags) {
  auto mapped = arch::user_map(root_, virt, page, flags | arch::kPageOwned, *this);
  if (!mapped.ok()) {
    (void)pmm::free_pages(page);
    silo_->uncharge_memory(arch::kPageSize);
    return mapped;
  }
  ++owned_pages_;
  return {};
}

lib::Result<void> AddressSpace::populate(uintptr_t virt, const uint8_t* data, size_t size) {
  const Region* r = find(virt);
  if (!r || r->folio || (virt & (arch::kPageSize - 1)) || size > arch::kPageSize)
    return lib::Error::InvalidArgument;
  const uintptr_t page = TRY(charged_page());
  __builtin_memcpy(arch::phys_to_virt(page), data, size);
  return map_charged(virt, page, r->flags);
}

lib::Result<void> AddressSpace::map_static_page(uintptr_t virt, const Folio& folio, size_t index) {
  const Region* r = find(virt);
  if (!r || r->folio || (r->flags & (arch::kPageWrite | kNoAccess)) ||
      (virt & (arch::kPageSize - 1)) || !folio.read_only() || index >= folio.page_count())
    return lib::Error::InvalidArgument;
  // Not kPageOwned: the frame is the folio's, so no unmap, fork or exit ever frees it.
  return arch::user_map(root_, virt, folio.page(index), r->flags, *this);
}

bool AddressSpace::valid_range(uintptr_t start, size_t size) {
  return ((start | size) & (arch::kPageSize - 1)) == 0 && size != 0 && start != 0 &&
         start + size > start && start + size <= arch::kUserTop;
}

size_t AddressSpace::splits_needed(uintptr_t start, uintptr_t end) const {
  size_t splits = 0;
  for (size_t i = 0; i < region_count_; ++i) {
    const Region& r = regions_[i];
    if (r.start < start && start < r.end) ++splits;
    if (r.start < end && end < r.end) ++splits;
  }
  return splits;
}

void AddressSpace::split_at(uintptr_t addr) {
  for (size_t i = 0; i < region_count_; ++i) {
    Region& r = regions_[i];
    if (r.folio || addr <= r.start || addr >= r.end) continue;
    regions_[region_count_++] = {addr, r.end, r.flags, nullptr};
    r.end = addr;
    return;
  }
}

void AddressSpace::coalesce() {
  for (size_t i = 0; i < region_count_; ++i) {
    for (size_t j = 0; j < region_count_; ++j) {
      Region& a = regions_[i];
      const Region& b = regions_[j];
      if (i == j || a.folio || b.folio || a.flags != b.flags || a.end != b.start) continue;
      a.end = b.end;
      regions_[j] = regions_[--region_count_];
      i = static_cast<size_t>(-1);  // start over: the array moved
      break;
    }
  }
}

void AddressSpace::release_pages(uintptr_t start, uintptr_t end) {
  for (uintptr_t va = arch::user_next_mapped(root_, start, end); va < end;
       va = arch::user_next_mapped(root_, va + arch::kPageSize, end)) {
    auto flags = arch::user_page_flags(root_, va);
    if (!flags.ok()) continue;
    auto phys = arch::user_unmap(root_, va, *this);
    if (!phys.ok() || !(flags.value() & arch::kPageOwned)) continue;
    release_user_frame(phys.value(), flags.value() & arch::kPageCopyOnWrite,
                       flags.value() & arch::kPageExec);
    silo_->uncharge_memory(arch::kPageSize);
    --owned_pages_;
  }
}

lib::Result<void> AddressSpace::map_anonymous(uintptr_t start, size_t size, uint32_t flags) {
  TRY(add_region(start, size, flags));
  regions_[region_count_ - 1].flags = flags & (arch::kPageWrite | arch::kPageExec | kNoAccess);
  coalesce();
  return {};
}

lib::Result<void> AddressSpace::unmap_range(uintptr_t start, size_t size) {
  if (!valid_range(start, size)) return lib::Error::InvalidArgument;
  const uintptr_t end = start + size;
  for (size_t i = 0; i < region_count_; ++i) {
    const Region& r = regions_[i];
    const bool inside = r.start >= start && r.end <= end;
    if (r.folio && !inside && start < r.end && r.start < end) return lib::Error::InvalidArgument;
  }
  if (region_count_ + splits_needed(start, end) > kMaxRegions) return lib::Error::NoResources;
  // Validated: nothing below fails.
  split_at(start);
  split_at(end);
  for (size_t i = 0; i < region_count_;) {
    const Region& r = regions_[i];
    if (r.folio && r.start >= start && r.end <= end) {
      (void)unmap_folio(r.start);  // moves the last region into slot i
    } else if (r.start >= start && r.end <= end) {
      release_pages(r.start, r.end);
      regions_[i] = regions_[--region_count_];
    } else {
      ++i;
    }
  }
  return {};
}

lib::Result<void> AddressSpace::protect_range(uintptr_t start, size_t size, uint32_t flags) {
  if (!valid_range(start, size)) return lib::Error::InvalidArgument;
  const uintptr_t end = start + size;
  for (uintptr_t at = start; at < end;) {  // the whole range must be in regions
    const Region* r = find(at);
    if (!r) return lib::Error::NotFound;
    if (r->folio) return lib::Error::InvalidArgument;
    at = r->end;
  }
  if (region_count_ + splits_needed(start, end) > kMaxRegions) return lib::Error::NoResources;
  // Validated: nothing below fails.
  split_at(start);
  split_at(end);
  const uint32_t region_flags = flags & (arch::kPageWrite | arch::kPageExec | kNoAccess);
  const uint32_t page_flags = (flags & kNoAccess) ? 0 : region_flags;
  for (size_t i = 0; i < region_count_; ++i) {
    Region& r = regions_[i];
    if (r.start < start || r.end > end) continue;
    r.flags = region_flags;
    for (uintptr_t va = arch::user_next_mapped(root_, r.start, r.end); va < r.end;
         va = arch::user_next_mapped(root_, va + arch::kPageSize, r.end)) {
      // A frame the space does not own is a static folio's (map_static_page): never writable.
      auto mapped = arch::user_page_flags(root_, va);
      const bool owned = mapped.ok() && (mapped.value() & arch::kPageOwned);
      (void)arch::user_protect(root_, va, owned ? page_flags : page_flags & ~arch::kPageWrite);
    }
  }
  coalesce();
  return {};
}

lib::Result<uintptr_t> AddressSpace::free_range_below(uintptr_t top, size_t size,
                                                      uintptr_t floor) const {
  uintptr_t end = top;
  while (end >= floor && end - floor >= size) {
    const Region* r = overlapping(end - size, end);
    if (!r) return end - size;
    end = r->start;
  }
  return lib::Error::NoMemory;
}

lib::Result<void> AddressSpace::copy_page_into(uintptr_t va, uintptr_t frame, uint32_t flags,
                                               AddressSpace& child) const {
  const uintptr_t page = TRY(child.charged_page());
  __builtin_memcpy(arch::phys_to_virt(page), arch::phys_to_virt(frame), arch::kPageSize);
  return child.map_charged(va, page, flags);
}

lib::Result<void> AddressSpace::share_page_with(uintptr_t va, uintptr_t frame, uint32_t flags,
                                                AddressSpace& child) {
  TRY(child.silo_->charge_memory(arch::kPageSize));
  if (!shared_frames::share(frame).ok()) {
    child.silo_->uncharge_memory(arch::kPageSize);
    return copy_page_into(va, frame, flags, child);  // no room to share it: a copy
  }
  const uint32_t shared = flags | arch::kPageOwned | arch::kPageCopyOnWrite;
  auto mapped = arch::user_map(child.root_, va, frame, shared, child);
  if (!mapped.ok()) {
    (void)shared_frames::unshare(frame);
    child.silo_->uncharge_memory(arch::kPageSize);
    return mapped;
  }
  ++child.owned_pages_;
  // The parent's mapping turns read-only too: whichever side writes first gets a copy.
  (void)arch::user_remap(root_, va, frame, shared);
  return {};
}

lib::Result<void> AddressSpace::copy_region_into(const Region& r, AddressSpace& child) {
  // Pages never touched are skipped: demand-zero in the child too.
  for (uintptr_t va = arch::user_next_mapped(root_, r.start, r.end); va < r.end;
       va = arch::user_next_mapped(root_, va + arch::kPageSize, r.end)) {
    auto frame = arch::user_page_frame(root_, va);
    if (!frame.ok()) continue;
    const uint32_t flags = TRY(arch::user_page_flags(root_, va));
    if (r.folio || !(flags & arch::kPageOwned)) {
      // A folio's own frame, kept by the region's reference, or a static folio's
      // (map_static_page), never freed: the child maps the same frame, read-only if it was.
      TRY(arch::user_map(child.root_, va, frame.value(), flags & ~arch::kPageOwned, child));
      continue;
    }
    // A page shared by an earlier fork is mapped read-only for that reason alone: its
    // rights are the region's (a copy made here, if the table is full, must be writable).
    uint32_t rights = flags & (arch::kPageWrite | arch::kPageExec);
    if (flags & arch::kPageCopyOnWrite) rights |= r.flags & arch::kPageWrite;
    TRY(share_page_with(va, frame.value(), rights, child));
  }
  return {};
}

lib::Result<AddressSpace*> AddressSpace::clone_for_fork() {
  AddressSpace* child = TRY(create(silo_));
  child->next_folio_address_ = next_folio_address_;
  lib::Result<void> copied;
  for (size_t i = 0; i < region_count_ && copied.ok(); ++i) {
    child->regions_[i] = regions_[i];
    if (regions_[i].folio) regions_[i].folio->retain();
    child->region_count_ = i + 1;
    copied = copy_region_into(regions_[i], *child);
  }
  if (!copied.ok()) {
    child->release();  // its pages, tables and folio references go back
    return copied.error();
  }
  return child;
}

AddressSpace::FaultResult AddressSpace::break_sharing(uintptr_t virt, uint32_t flags) {
  const uintptr_t frame = arch::user_page_frame(root_, virt).value();
  const uint32_t own = (flags & (arch::kPageWrite | arch::kPageExec)) | arch::kPageOwned;
  if (!shared_frames::shared(frame)) {  // the other side has copied or gone: it is ours
    return arch::user_remap(root_, virt, frame, own).ok() ? FaultResult::Mapped
                                                          : FaultResult::Refused;
  }
  // The page was charged to this space when it was shared: the copy takes that charge.
  auto page = pmm::alloc_page();
  if (!page.ok()) return FaultResult::Refused;
  __builtin_memcpy(arch::phys_to_virt(page.value()), arch::phys_to_virt(frame), arch::kPageSize);
  if (!arch::user_remap(root_, virt, page.value(), own).ok()) {
    (void)pmm::free_pages(page.value());
    return FaultResult::Refused;
  }
  release_user_frame(frame, true, flags & arch::kPageExec);
  return FaultResult::Mapped;
}

AddressSpace::FaultResult AddressSpace::handle_fault(uintptr_t addr, bool write, bool exec) {
  const Region* r = find(addr);
  if (!r || r->folio || (r->flags & kNoAccess) || (write && !(r->flags & arch::kPageWrite)) ||
      (exec && !(r->flags & arch::kPageExec)))
    return FaultResult::Refused;
  const uintptr_t page_va = addr & ~(arch::kPageSize - 1);
  if (write) {
    auto mapped = arch::user_page_flags(root_, page_va);
    if (mapped.ok() && (mapped.value() & arch::kPageCopyOnWrite))
      return break_sharing(page_va, r->flags);
  }
  auto page = charged_page();
  if (!page.ok()) {  // out of memory: the process dies of the fault
    return page.error() == lib::Error::QuotaExceeded ? FaultResult::OverQuota
                                                     : FaultResult::Refused;
  }
  const uintptr_t virt = addr & ~(arch::kPageSize - 1);
  // No quota for a page table: as for the page. Already mapped: a genuine protection fault.
  auto mapped = map_charged(virt, page.value(), r->flags);
  if (!mapped.ok()) {
    return mapped.error() == lib::Error::QuotaExceeded ? FaultResult::OverQuota
                                                       : FaultResult::Refused;
  }
  return FaultResult::Mapped;
}

}  // namespace kernel
