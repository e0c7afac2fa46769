// Syscalls on timers: create, set.

#include "kernel/arch.h"
#include "kernel/syscall.h"
#include "kernel/timer_object.h"

namespace kernel {

namespace abi = stellina::abi;

int64_t sys_timer_create(SyscallArgs) { return install_new(create_charged<TimerObject>()); }

int64_t sys_timer_set(SyscallArgs a) {
  SpinlockGuard guard(sched_lock);
  auto timer = current_process().handles().get<TimerObject>(handle_arg(a[0]), abi::kRightWrite);
  if (!timer.ok()) return to_status(timer.error());
  timer.value()->set(a[1]);
  return abi::kOk;
}

}  // namespace kernel
