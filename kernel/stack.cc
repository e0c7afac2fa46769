#include "kernel/stack.h"

#include <lib/slot_bitmap.h>

#include "kernel/arch.h"
#include "kernel/pmm.h"
#include "kernel/spinlock.h"

namespace kernel {
namespace {

constexpr size_t kSlots = arch::kStackRegionSize / KernelStack::kSlotSize;
Spinlock slots_lock;
lib::SlotBitmap<kSlots> slots GUARDED_BY(slots_lock);

lib::Result<size_t> take_slot() {
  SpinlockGuard guard(slots_lock);
  auto slot = slots.take();
  if (!slot.ok()) return lib::Error::NoMemory;  // as running out of memory for it
  return slot;
}

void give_slot(size_t s) {
  SpinlockGuard guard(slots_lock);
  slots.give(s);
}

}  // namespace

lib::Result<KernelStack> KernelStack::allocate() {
  const size_t slot = TRY(take_slot());
  KernelStack stack;
  stack.slot_base_ = arch::kStackRegionBase + slot * kSlotSize;
  for (size_t i = 0; i < kPages; ++i) {
    auto page = pmm::alloc_page();
    auto mapped = page.ok()
                      ? arch::map_page(stack.bottom() + i * 4096, page.value(), arch::kPageWrite)
                      : lib::Result<void>(page.error());
    if (!mapped.ok()) {
      if (page.ok()) (void)pmm::free_pages(page.value());
      stack.release();
      return mapped.error();
    }
  }
  return stack;
}

void KernelStack::release() {
  if (!slot_base_) return;
  uintptr_t frames[kPages];
  arch::unmap_pages(bottom(), kPages, frames);
  for (uintptr_t frame : frames)
    if (frame) (void)pmm::free_pages(frame);
  give_slot((slot_base_ - arch::kStackRegionBase) / kSlotSize);
  slot_base_ = 0;
}

bool KernelStack::is_guard_address(uintptr_t addr) {
  if (addr < arch::kStackRegionBase || addr >= arch::kStackRegionBase + arch::kStackRegionSize)
    return false;
  return (addr - arch::kStackRegionBase) % kSlotSize < 4096;
}

}  // namespace kernel
