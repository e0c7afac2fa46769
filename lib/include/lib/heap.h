#pragma once
// The kernel heap's logic: size-class slab caches for small objects and whole buddy blocks
// for large ones. It gets pages from a PageSource, so the same code runs in the kernel
// (pages from the physical allocator through the direct map) and on the host (an arena).
//
// A slab is one page with its header at the start, so a small object is never
// page-aligned, and a page-aligned pointer is always a large allocation: free() needs no size.

#include <cstddef>
#include <cstdint>

#include <lib/intrusive_list.h>
#include <lib/result.h>

namespace lib {

// Blocks of 2^order pages, each remembering a small tag given at allocation (the buddy
// allocator's tags), so the heap can tell its own blocks from anyone else's.
class PageSource {
 public:
  struct Block {
    unsigned order;
    uint8_t tag;
  };
  virtual Result<void*> alloc_pages(unsigned order, uint8_t tag) = 0;
  virtual Result<void> free_pages(void* block) = 0;
  virtual Result<Block> block(void* block) = 0;

 protected:
  ~PageSource() = default;
};

class Heap {
 public:
  static constexpr size_t kPageSize = 4096;
  static constexpr size_t kAlignment = 16;
  static constexpr size_t kClassSizes[] = {16,  32,  48,  64,  96,   128,  192,
                                           256, 384, 512, 672, 1008, 1344, 2016};
  static constexpr size_t kClassCount = sizeof(kClassSizes) / sizeof(kClassSizes[0]);
  static constexpr size_t kMaxSmall = kClassSizes[kClassCount - 1];

  struct Stats {
    size_t live_allocations = 0;
    size_t live_bytes = 0;  // bytes handed out, rounded to the size class or page block
    size_t slab_pages = 0;
    size_t large_pages = 0;
    size_t failed_allocations = 0;
  };

  explicit Heap(PageSource& pages) : pages_(pages) {}

  // Returns 16-byte aligned memory of at least size bytes (size 0 is InvalidArgument).
  Result<void*> alloc(size_t size);
  // Frees what alloc returned. A pointer the heap did not hand out, or one freed twice, is
  // refused with InvalidArgument and nothing changes.
  Result<void> free(void* ptr);
  // The usable size of an allocation.
  Result<size_t> usable_size(void* ptr);

  const Stats& stats() const { return stats_; }

 private:
  struct FreeObject {
    FreeObject* next;
    uint64_t poison;  // kFreePoison while on a free list: catches most double frees cheaply
  };
  struct Slab {
    ListNode node;
    FreeObject* free_list;
    uint32_t magic;
    uint16_t in_use;
    uint16_t capacity;
    uint16_t size_class;
  };
  static constexpr size_t kSlabHeader = (sizeof(Slab) + kAlignment - 1) & ~(kAlignment - 1);
  static constexpr uint32_t kSlabMagic = 0x51ab51ab;
  static constexpr uint8_t kTagSlab = 1;  // PageSource tags of the heap's blocks
  static constexpr uint8_t kTagLarge = 2;
  static constexpr uint64_t kFreePoison = 0xdeadf7eedeadf7eeull;
  using SlabList = IntrusiveList<Slab, &Slab::node>;

  static size_t class_for(size_t size);
  Result<Slab*> grow(size_t size_class);
  Result<Slab*> slab_of(void* ptr);
  Result<unsigned> large_order(void* ptr);

  PageSource& pages_;
  SlabList partial_[kClassCount];
  Stats stats_;
};

}  // namespace lib
