#include "kernel/event_trace.h"

#include "kernel/arch.h"

namespace kernel::event_trace {
namespace {

// Written with interrupts off (trap entry, the scheduler under its lock) on the one CPU.
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
  if (!buffer) return;
  if (used == capacity) {
    ++dropped;
    return;
  }
  buffer[used++] = Event{arch::cycles(), detail, kind};
}

}  // namespace kernel::event_trace
