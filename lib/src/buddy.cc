#include <lib/buddy.h>

namespace lib {

void BuddyAllocator::init(uintptr_t phys_base, char* virt_base, size_t page_count, uint8_t* meta) {
  phys_base_ = phys_base;
  virt_base_ = virt_base;
  page_count_ = page_count;
  meta_ = meta;
  for (size_t i = 0; i < page_count; ++i) meta_[i] = 0;
  free_pages_ = managed_pages_ = 0;
  for (FreeList& list : free_) new (&list) FreeList;
}

void BuddyAllocator::push_free(size_t index, unsigned order) {
  meta_[index] = static_cast<uint8_t>(kFreeHead | order);
  FreeBlock* b = block(index);
  new (b) FreeBlock;
  free_[order].push_front(b);
}

void BuddyAllocator::add_range(uintptr_t phys, size_t pages) {
  if (const uintptr_t offset = phys & (kPageSize - 1)) {
    // Only whole pages inside the range: the partial first and last pages may be reserved.
    if (pages <= 1) return;
    phys += kPageSize - offset;
    --pages;
  }
  if (phys < phys_base_) {
    const size_t skip = (phys_base_ - phys + kPageSize - 1) >> kPageShift;
    if (skip >= pages) return;
    phys += skip << kPageShift;
    pages -= skip;
  }
  size_t index = (phys - phys_base_) >> kPageShift;
  if (index >= page_count_) return;
  size_t end = index + pages;
  if (end > page_count_) end = page_count_;
  while (index < end) {
    unsigned order = kMaxOrder;
    while (order > 0 &&
           ((index & ((size_t{1} << order) - 1)) || index + (size_t{1} << order) > end))
      --order;
    // Hand the block over as if it had been allocated, so free() merges it with neighbours.
    meta_[index] = static_cast<uint8_t>(kAllocatedHead | order);
    managed_pages_ += size_t{1} << order;
    (void)free(phys_base_ + (index << kPageShift));
    index += size_t{1} << order;
  }
}

Result<uintptr_t> BuddyAllocator::alloc(unsigned order, uint8_t tag) {
  if (order > kMaxOrder || tag > kMaxTag) return Error::InvalidArgument;
  unsigned o = order;
  while (o <= kMaxOrder && free_[o].empty()) ++o;
  if (o > kMaxOrder) return Error::NoMemory;
  const size_t index = index_of(free_[o].pop_front());
  while (o > order) {
    --o;
    push_free(index + (size_t{1} << o), o);  // split: keep the lower half, free the upper
  }
  meta_[index] = static_cast<uint8_t>(kAllocatedHead | tag << kTagShift | order);
  free_pages_ -= size_t{1} << order;
  return phys_base_ + (index << kPageShift);
}

Result<BuddyAllocator::Block> BuddyAllocator::allocated_block(uintptr_t phys) const {
  if (!contains(phys) || (phys & (kPageSize - 1))) return Error::InvalidArgument;
  const uint8_t m = meta_[(phys - phys_base_) >> kPageShift];
  if (!(m & kAllocatedHead)) return Error::InvalidArgument;
  return Block{static_cast<unsigned>(m & kOrderMask),
               static_cast<uint8_t>((m >> kTagShift) & kMaxTag)};
}

Result<void> BuddyAllocator::free(uintptr_t phys) {
  unsigned order = TRY(allocated_order(phys));
  size_t index = (phys - phys_base_) >> kPageShift;
  meta_[index] = 0;
  free_pages_ += size_t{1} << order;
  while (order < kMaxOrder) {
    const size_t buddy = index ^ (size_t{1} << order);
    if (buddy >= page_count_ || meta_[buddy] != (kFreeHead | order)) break;
    free_[order].remove(block(buddy));
    meta_[buddy] = 0;
    if (buddy < index) index = buddy;
    ++order;
  }
  push_free(index, order);
  return {};
}

}  // namespace lib
