// Syscalls of a process about itself: the clocks, waiting for an object, exit.

#include "kernel/arch.h"
#include "kernel/channel.h"
#include "kernel/syscall.h"
#include "kernel/thread.h"
#include "kernel/wall_clock.h"

namespace kernel {

namespace abi = stellina::abi;

lib::Result<uint64_t> sys_clock_now() { return arch::now_ns(); }

lib::Result<uint64_t> sys_clock_wall() { return wall_clock_ns(); }

lib::Result<void> sys_object_wait(Handle h, uint32_t signals, uint64_t deadline_ns,
                                  UserOut<uint32_t> observed) {
  if (!signals) return lib::Error::InvalidArgument;
  uint32_t raised = 0;
  {
    SpinlockGuard guard(sched_lock);
    const auto entry = TRY(current_process().handles().lookup(h, abi::kRightWait));
    // Keep the object alive while waiting even if the handle is closed meanwhile.
    Ref<Object> object(static_cast<Object*>(entry.object));
    raised = TRY(wait_for_signals(object.get(), signals, deadline_ns));
  }
  if (!observed.null()) TRY(observed.write(&raised));
  return {};
}

void sys_process_exit(int64_t code) {
  {
    SpinlockGuard guard(sched_lock);
    current_process().terminate(code, ExitReason::Exited, "exit", 0, 0);
  }
  thread_exit(static_cast<int>(code));
}

}  // namespace kernel
