// Syscalls of a process about itself: the clock, waiting for an object, exit.

#include "kernel/arch.h"
#include "kernel/syscall.h"
#include "kernel/thread.h"

namespace kernel {

namespace abi = stellina::abi;

int64_t sys_clock_now(SyscallArgs) { return static_cast<int64_t>(arch::now_ns()); }

int64_t sys_object_wait(SyscallArgs a) {
  const auto mask = static_cast<uint32_t>(a[1]);
  if (!mask) return abi::kErrInvalidArgument;
  uint32_t observed = 0;
  {
    SpinlockGuard guard(sched_lock);
    auto entry = current_process().handles().lookup(handle_arg(a[0]), abi::kRightWait);
    if (!entry.ok()) return to_status(entry.error());
    // Keep the object alive while waiting even if the handle is closed meanwhile.
    Ref<Object> object(static_cast<Object*>(entry.value().object));
    auto signals = wait_for_signals(object.get(), mask, a[2]);
    if (!signals.ok()) return to_status(signals.error());
    observed = signals.value();
  }
  if (a[3]) TRY_STATUS(copy_out(a[3], &observed, sizeof(observed)));
  return abi::kOk;
}

int64_t sys_process_exit(SyscallArgs a) {
  {
    SpinlockGuard guard(sched_lock);
    current_process().terminate(static_cast<int64_t>(a[0]), ExitReason::Exited, "exit", 0, 0);
  }
  thread_exit(static_cast<int>(a[0]));
}

}  // namespace kernel
