// Syscalls on device interrupts: claim a line or an MSI vector, acknowledge.

#include "kernel/arch.h"
#include "kernel/interrupt.h"
#include "kernel/platform.h"
#include "kernel/syscall.h"

namespace kernel {

namespace abi = stellina::abi;

int64_t sys_interrupt_create(SyscallArgs a) {
  Process& process = current_process();
  {
    SpinlockGuard guard(sched_lock);
    auto platform = process.handles().get<Platform>(handle_arg(a[0]), abi::kRightManage);
    if (!platform.ok()) return to_status(platform.error());
  }
  if (a[1] > UINT32_MAX || (a[2] & ~uint64_t{abi::kInterruptFlagsAll})) {
    return abi::kErrInvalidArgument;
  }
  const bool msi = (a[2] & abi::kInterruptMsi) != 0;
  if (msi && (a[1] != 0 || a[2] != abi::kInterruptMsi)) return abi::kErrInvalidArgument;
  const arch::IrqLine line{static_cast<uint32_t>(a[1]), (a[2] & abi::kInterruptLevel) != 0,
                           (a[2] & abi::kInterruptActiveLow) != 0};
  arch::MsiMessage message{};
  auto created = msi ? InterruptObject::create_msi(&message) : InterruptObject::create(line);
  if (!created.ok()) {
    // To the ABI, a GSI no interrupt controller serves is a bad argument, not a missing object.
    const lib::Error e = created.error();
    return e == lib::Error::NotFound ? abi::kErrInvalidArgument : to_status(e);
  }
  InterruptObject* irq = created.value();
  if (msi) {
    const abi::MsiMessage out{message.address, message.data, 0};
    auto copied = copy_out(a[3], &out, sizeof(out));
    if (!copied.ok()) {
      irq->release();
      return to_status(copied.error());
    }
  }
  auto charged = irq->charge_to(process.silo(), sizeof(InterruptObject));
  SpinlockGuard guard(sched_lock);
  if (!charged.ok()) {
    irq->release();  // releases the line too
    return to_status(charged.error());
  }
  constexpr uint32_t kRights = abi::kRightRead | abi::kRightWrite | abi::kRightWait |
                               abi::kRightDuplicate | abi::kRightTransfer;
  auto h = process.handles().install(irq, kRights);
  irq->release();
  return to_return(h);
}

int64_t sys_interrupt_ack(SyscallArgs a) {
  SpinlockGuard guard(sched_lock);
  auto irq = current_process().handles().get<InterruptObject>(handle_arg(a[0]), abi::kRightWrite);
  if (!irq.ok()) return to_status(irq.error());
  irq.value()->ack();
  return abi::kOk;
}

}  // namespace kernel
