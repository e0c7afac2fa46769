#pragma once
// A device interrupt line as an object, for drivers. When the line fires, the kernel masks
// it and raises kSignalReadable; the driver handles the device and calls interrupt_ack,
// which clears the signal and unmasks the line. The device manager claims lines with
// interrupt_create (the platform capability) and hands them to drivers; the kernel's own
// tests make them directly. The line is released when the object dies.

#include <lib/result.h>

#include "kernel/arch.h"
#include "kernel/object.h"

namespace kernel {

class InterruptObject final : public Object {
 public:
  static constexpr ObjectType kType = ObjectType::Interrupt;

  // Claims `line` (a GSI with its trigger mode and polarity) and unmasks it.
  // Errors: Busy (claimed already, or a line the kernel keeps for itself), NotFound (no I/O
  // APIC serves the GSI), NoMemory.
  static lib::Result<InterruptObject*> create(const arch::IrqLine& line);
  void ack() REQUIRES(sched_lock);
  uint64_t count() const { return count_; }
  uint32_t gsi() const { return line_.gsi; }

  InterruptObject() : Object(kType) {}

 private:
  ~InterruptObject() override;
  static void on_irq(void* self);

  arch::IrqLine line_;
  bool attached_ = false;
  uint64_t count_ = 0;
};

}  // namespace kernel
