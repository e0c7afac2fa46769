#include "kernel/interrupt.h"

#include "kernel/arch.h"
#include "kernel/heap.h"

namespace kernel {

lib::Result<InterruptObject*> InterruptObject::create(const arch::IrqLine& line) {
  if (arch::irq_is_kernel_line(line.gsi)) return lib::Error::Busy;
  InterruptObject* irq = TRY(heap::create<InterruptObject>());
  irq->line_ = line;
  auto attached = arch::irq_attach(line, on_irq, irq);
  if (!attached.ok()) {
    irq->release();
    return attached.error();
  }
  irq->attached_ = true;
  return irq;
}

void InterruptObject::on_irq(void* self) {
  auto* irq = static_cast<InterruptObject*>(self);
  arch::irq_set_masked(irq->line_.gsi, true);  // until the driver has dealt with the device
  ++irq->count_;
  SpinlockGuard guard(sched_lock);
  irq->update_signals(stellina::abi::kSignalReadable, 0);
}

void InterruptObject::ack() {
  update_signals(0, stellina::abi::kSignalReadable);
  arch::irq_set_masked(line_.gsi, false);
}

InterruptObject::~InterruptObject() {
  if (attached_) arch::irq_detach(line_.gsi);
}

}  // namespace kernel
