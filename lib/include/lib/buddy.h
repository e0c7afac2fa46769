#pragma once
// A binary buddy allocator over page frames. It manages the pages of one physical span;
// holes in the span (reserved memory) are simply never added. Free blocks are threaded on
// per-order lists stored inside the free pages themselves, so the allocator needs only one
// metadata byte per page and never allocates.

#include <cstddef>
#include <cstdint>

#include <lib/intrusive_list.h>
#include <lib/result.h>

namespace lib {

class BuddyAllocator {
 public:
  static constexpr unsigned kPageShift = 12;
  static constexpr size_t kPageSize = size_t{1} << kPageShift;
  static constexpr unsigned kMaxOrder = 10;  // largest block: 2^10 pages = 4 MiB

  // The span is [phys_base, phys_base + page_count pages); its pages are accessible at
  // virt_base (the kernel's direct map, or a host arena). meta holds page_count bytes.
  // phys_base must be aligned to the largest block.
  void init(uintptr_t phys_base, char* virt_base, size_t page_count, uint8_t* meta);

  // Makes [phys, phys + pages) available. Pages outside the span are ignored.
  void add_range(uintptr_t phys, size_t pages);

  // Allocates 2^order contiguous, naturally aligned pages; returns the physical address.
  // The tag (0..kMaxTag) is kept with the block, so an owner can recognize its own blocks.
  static constexpr uint8_t kMaxTag = 3;
  Result<uintptr_t> alloc(unsigned order, uint8_t tag = 0);

  // Frees a block returned by alloc; its order is remembered. A pointer that is not the
  // start of an allocated block is refused with InvalidArgument and nothing changes.
  Result<void> free(uintptr_t phys);

  // The order and tag of the allocated block starting at phys, or an error if there is none.
  struct Block {
    unsigned order;
    uint8_t tag;
  };
  Result<Block> allocated_block(uintptr_t phys) const;
  Result<unsigned> allocated_order(uintptr_t phys) const {
    return TRY(allocated_block(phys)).order;
  }

  size_t free_pages() const { return free_pages_; }
  size_t managed_pages() const { return managed_pages_; }
  char* virt(uintptr_t phys) const { return virt_base_ + (phys - phys_base_); }
  uintptr_t phys(const void* virt) const {
    return phys_base_ + static_cast<uintptr_t>(static_cast<const char*>(virt) - virt_base_);
  }
  bool contains(uintptr_t phys) const {
    return phys >= phys_base_ && (phys - phys_base_) >> kPageShift < page_count_;
  }

 private:
  struct FreeBlock {
    ListNode node;
  };
  using FreeList = IntrusiveList<FreeBlock, &FreeBlock::node>;

  static constexpr uint8_t kFreeHead = 0x80;
  static constexpr uint8_t kAllocatedHead = 0x40;
  static constexpr uint8_t kTagShift = 4;  // bits 4-5: the tag of an allocated block
  static constexpr uint8_t kOrderMask = 0x0f;

  FreeBlock* block(size_t index) const {
    return reinterpret_cast<FreeBlock*>(virt_base_ + (index << kPageShift));
  }
  size_t index_of(FreeBlock* b) const {
    return static_cast<size_t>(reinterpret_cast<char*>(b) - virt_base_) >> kPageShift;
  }
  void push_free(size_t index, unsigned order);

  uintptr_t phys_base_ = 0;
  char* virt_base_ = nullptr;
  size_t page_count_ = 0;
  uint8_t* meta_ = nullptr;
  size_t free_pages_ = 0;
  size_t managed_pages_ = 0;
  FreeList free_[kMaxOrder + 1];
};

}  // namespace lib
