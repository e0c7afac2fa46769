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

lib::Result<InterruptObject*> InterruptObject::create_msi(arch::MsiMessage* message) {
  InterruptObject* irq = TRY(heap::create<InterruptObject>());
  auto attached = arch::msi_attach(on_msi, irq);
  if (!attached.ok()) {
    irq->release();
    return attached.error();
  }
  irq->msi_ = true;
  irq->msi_vector_ = attached.value().vector;
  irq->attached_ = true;
  *message = attached.value();
  return irq;
}

void InterruptObject::on_msi(void* self) {
  auto* irq = static_cast<InterruptObject*>(self);
  ++irq->count_;
  SpinlockGuard guard(sched_lock);
  if (irq->signals() & stellina::abi::kSignalReadable) {
    irq->fired_again_ = true;
  } else {
    irq->update_signals(stellina::abi::kSignalReadable, 0);
  }
}

void InterruptObject::on_irq(void* self) {
  auto* irq = static_cast<InterruptObject*>(self);
  arch::irq_set_masked(irq->line_.gsi, true);  // until the driver has dealt with the device
  ++irq->count_;
  SpinlockGuard guard(sched_lock);
  irq->update_signals(stellina::abi::kSignalReadable, 0);
}

void InterruptObject::ack() {
  if (msi_) {
    if (fired_again_) {
      fired_again_ = false;  // the signal stays: another look at the device
    } else {
      update_signals(0, stellina::abi::kSignalReadable);
    }
    return;
  }
  update_signals(0, stellina::abi::kSignalReadable);
  arch::irq_set_masked(line_.gsi, false);
}

InterruptObject::~InterruptObject() {
  if (!attached_) return;
  if (msi_) {
    arch::msi_detach(msi_vector_);
  } else {
    arch::irq_detach(line_.gsi);
  }
}

}  // namespace kernel
