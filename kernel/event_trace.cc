#include "kernel/event_trace.h"

#include "kernel/arch.h"

namespace kernel::event_trace {
namespace {

// Written with interrupts off (trap entry, the scheduler under its lock), by every CPU: a
// record takes its slot with an atomic add.
Event* buffer = nullptr;
size_t capacity = 0;
size_t used = 0;
size_t dropped = 0;

}  // namespace

void start(Event* events, size_t n) {
  const arch::IrqState irqs = arch::irq_save();
  used = dropped = 0;
  capacity = n;
  buffer = events;
  arch::irq_restore(irqs);
}

size_t stop(size_t* lost) {
  const arch::IrqState irqs = arch::irq_save();
  buffer = nullptr;
  if (lost) *lost = dropped;
  arch::irq_restore(irqs);
  return used;
}

void record(Kind kind, uint32_t detail) {
  Event* events = __atomic_load_n(&buffer, __ATOMIC_ACQUIRE);
  if (!events) return;
  const size_t slot = __atomic_fetch_add(&used, 1, __ATOMIC_RELAXED);
  if (slot >= capacity) {
    __atomic_fetch_sub(&used, 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&dropped, 1, __ATOMIC_RELAXED);
    return;
  }
  events[slot] = Event{arch::cycles(), detail, kind};
}

}  // namespace kernel::event_trace
