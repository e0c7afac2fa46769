#include "kernel/address_space.h"

#include "kernel/arch.h"
#include "kernel/heap.h"
#include "kernel/pmm.h"

namespace kernel {

lib::Result<AddressSpace*> AddressSpace::create() {
  AddressSpace* as = TRY(heap::create<AddressSpace>());
  auto root = arch::user_root_create();
  if (!root.ok()) {
    as->release();
    return root.error();
  }
  as->root_ = root.value();
  return as;
}

AddressSpace::~AddressSpace() {
  if (root_) arch::user_root_destroy(root_);
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
  regions_[region_count_++] = {start, end, flags & (arch::kPageWrite | arch::kPageExec)};
  return {};
}

lib::Result<void> AddressSpace::populate(uintptr_t virt, const uint8_t* data, size_t size) {
  const Region* r = find(virt);
  if (!r || (virt & (arch::kPageSize - 1)) || size > arch::kPageSize)
    return lib::Error::InvalidArgument;
  const uintptr_t page = TRY(pmm::alloc_zeroed_page());
  auto* bytes = static_cast<uint8_t*>(arch::phys_to_virt(page));
  for (size_t i = 0; i < size; ++i) bytes[i] = data[i];
  auto mapped = arch::user_map(root_, virt, page, r->flags | arch::kPageOwned);
  if (!mapped.ok()) (void)pmm::free_pages(page);
  return mapped;
}

bool AddressSpace::handle_fault(uintptr_t addr, bool write, bool exec) {
  const Region* r = find(addr);
  if (!r || (write && !(r->flags & arch::kPageWrite)) || (exec && !(r->flags & arch::kPageExec)))
    return false;
  auto page = pmm::alloc_zeroed_page();
  if (!page.ok()) return false;  // out of memory: the process dies of the fault
  const uintptr_t virt = addr & ~(arch::kPageSize - 1);
  if (!arch::user_map(root_, virt, page.value(), r->flags | arch::kPageOwned).ok()) {
    (void)pmm::free_pages(page.value());
    return false;  // already mapped: a genuine protection fault
  }
  return true;
}

}  // namespace kernel
