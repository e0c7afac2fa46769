#pragma once
// A device interrupt line as an object, for drivers. When the line fires, the kernel masks
// it and raises kSignalReadable; the driver handles the device and calls interrupt_ack,
// which clears the signal and unmasks the line. Only the kernel creates these (it grants
// them to drivers at start): no process can claim an interrupt on its own.

#include <lib/result.h>

#include "kernel/object.h"

namespace kernel {

class InterruptObject final : public Object {
 public:
  static constexpr ObjectType kType = ObjectType::Interrupt;

  // Claims legacy line `line`. Errors: Busy (already claimed), NotFound, NoMemory.
  static lib::Result<InterruptObject*> create(unsigned line);
  void ack() REQUIRES(sched_lock);
  uint64_t count() const { return count_; }

  InterruptObject() : Object(kType) {}

 private:
  ~InterruptObject() override;
  static void on_irq(void* self);

  unsigned line_ = 0;
  bool attached_ = false;
  uint64_t count_ = 0;
};

}  // namespace kernel
