// Syscalls on timers: create, set.

#include "kernel/syscall.h"
#include "kernel/timer_object.h"

namespace kernel {

namespace abi = stellina::abi;

lib::Result<Handle> sys_timer_create() { return install_new(create_charged<TimerObject>); }

lib::Result<void> sys_timer_set(Handle timer, uint64_t deadline_ns) {
  SpinlockGuard guard(sched_lock);
  TimerObject* t = TRY(current_process().handles().get<TimerObject>(timer, abi::kRightWrite));
  t->set(deadline_ns);
  return {};
}

}  // namespace kernel
