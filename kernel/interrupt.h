#pragma once
// A device interrupt line as an object, for drivers. When the line fires, the kernel masks
// it and raises kSignalReadable; the driver handles the device and calls interrupt_ack,
// which clears the signal and unmasks the line. A message-signalled interrupt (MSI-X) has a
// vector of its own and is not masked: one that fires again before the ack keeps the signal
// raised through the ack, so the driver looks at its device once more and nothing is lost. The
// device manager claims lines with interrupt_create (the platform capability) and hands them to
// drivers; the kernel's own tests make them directly. The line is released when the object dies.

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
  // A message-signalled interrupt; *message says what the device must write where.
  // Errors: NoResources (no vector left), NoMemory.
  static lib::Result<InterruptObject*> create_msi(arch::MsiMessage* message);
  void ack() REQUIRES(sched_lock);
  uint64_t count() const { return count_; }
  uint32_t gsi() const { return line_.gsi; }

  InterruptObject() : Object(kType) {}

 private:
  ~InterruptObject() override;
  static void on_irq(void* self);
  static void on_msi(void* self);

  arch::IrqLine line_;
  bool attached_ = false;
  bool msi_ = false;
  uint32_t msi_vector_ = 0;
  bool fired_again_ = false;  // MSI: fired while the signal was still raised
  uint64_t count_ = 0;
};

}  // namespace kernel
