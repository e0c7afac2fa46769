#pragma once
// Kernel thread stacks: each in its own slot of the stack region, with an unmapped guard page
// below it, so an overflow faults instead of corrupting a neighbour.

#include <cstddef>
#include <cstdint>

#include <lib/result.h>

namespace kernel {

class KernelStack {
 public:
  static constexpr size_t kPages = 4;  // 16 KiB
  static constexpr size_t kSlotSize = size_t{64} * 1024;

  static lib::Result<KernelStack> allocate();
  // Unmaps and frees the pages; the slot becomes free again.
  void release();

  bool valid() const { return slot_base_ != 0; }
  uintptr_t guard_page() const { return slot_base_; }
  uintptr_t bottom() const { return slot_base_ + 4096; }
  uintptr_t top() const { return bottom() + kPages * 4096; }
  // True if addr is in the guard page of some stack slot.
  static bool is_guard_address(uintptr_t addr);

 private:
  uintptr_t slot_base_ = 0;
};

}  // namespace kernel
