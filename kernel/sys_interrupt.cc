// Syscalls on device interrupts: claim a line or an MSI vector, acknowledge.

#include "kernel/arch.h"
#include "kernel/interrupt.h"
#include "kernel/platform.h"
#include "kernel/syscall.h"

namespace kernel {

namespace abi = stellina::abi;

namespace {

constexpr uint32_t kInterruptRights = abi::kRightRead | abi::kRightWrite | abi::kRightWait |
                                      abi::kRightDuplicate | abi::kRightTransfer;

// Claims the line (or an MSI vector, telling the caller at msi what the device must write) and
// charges the object to the caller's silo.
lib::Result<InterruptObject*> claim(uint32_t gsi, uint32_t flags, UserOut<abi::MsiMessage> msi) {
  const bool is_msi = (flags & abi::kInterruptMsi) != 0;
  const arch::IrqLine line{gsi, (flags & abi::kInterruptLevel) != 0,
                           (flags & abi::kInterruptActiveLow) != 0};
  arch::MsiMessage message{};
  auto created = is_msi ? InterruptObject::create_msi(&message) : InterruptObject::create(line);
  // To the ABI, a GSI no interrupt controller serves is a bad argument, not a missing object.
  if (!created.ok() && created.error() == lib::Error::NotFound) return lib::Error::InvalidArgument;
  InterruptObject* irq = TRY(std::move(created));
  auto done = [&]() -> lib::Result<void> {
    if (is_msi) {
      const abi::MsiMessage out{message.address, message.data, 0};
      TRY(msi.write(&out));
    }
    return irq->charge_to(current_process().silo(), sizeof(InterruptObject));
  }();
  if (!done.ok()) {
    SpinlockGuard guard(sched_lock);
    irq->release();  // releases the line too
    return done.error();
  }
  return irq;
}

}  // namespace

lib::Result<Handle> sys_interrupt_create(Handle platform, uint32_t gsi, uint32_t flags,
                                         UserOut<abi::MsiMessage> msi) {
  {
    SpinlockGuard guard(sched_lock);
    TRY(current_process().handles().get<Platform>(platform, abi::kRightManage));
  }
  if (flags & ~abi::kInterruptFlagsAll) return lib::Error::InvalidArgument;
  if ((flags & abi::kInterruptMsi) && (gsi != 0 || flags != abi::kInterruptMsi))
    return lib::Error::InvalidArgument;
  return install_new([&] { return claim(gsi, flags, msi); }, kInterruptRights);
}

lib::Result<void> sys_interrupt_ack(Handle irq) {
  SpinlockGuard guard(sched_lock);
  InterruptObject* i = TRY(current_process().handles().get<InterruptObject>(irq, abi::kRightWrite));
  i->ack();
  return {};
}

}  // namespace kernel
