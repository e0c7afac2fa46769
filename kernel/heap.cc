#include "kernel/heap.h"

#include "kernel/alloc_failure.h"
#include "kernel/arch.h"
#include "kernel/log.h"
#include "kernel/pmm.h"
#include "kernel/spinlock.h"

namespace kernel::heap {
namespace {

// Pages for the heap come from the physical allocator, addressed through the direct map.
class PhysicalPages final : public lib::PageSource {
 public:
  lib::Result<void*> alloc_pages(unsigned order, uint8_t tag) override {
    return arch::phys_to_virt(TRY(pmm::alloc_pages(order, tag)));
  }
  lib::Result<void> free_pages(void* block) override {
    return pmm::free_pages(arch::virt_to_phys(block));
  }
  lib::Result<Block> block(void* block) override {
    const auto b = TRY(pmm::block(arch::virt_to_phys(block)));
    return Block{b.order, b.tag};
  }
};

Spinlock lock;
PhysicalPages pages;
lib::Heap the_heap GUARDED_BY(lock){pages};

}  // namespace

lib::Result<void*> alloc(size_t size) {
  if (alloc_failure::should_fail()) return lib::Error::NoMemory;
  SpinlockGuard guard(lock);
  return the_heap.alloc(size);
}

void free(void* ptr) {
  if (!ptr) return;
  SpinlockGuard guard(lock);
  auto r = the_heap.free(ptr);
  if (!r.ok()) panic("heap: free of {} refused: {}", ptr, lib::error_name(r.error()));
}

lib::Heap::Stats stats() {
  SpinlockGuard guard(lock);
  return the_heap.stats();
}

}  // namespace kernel::heap
