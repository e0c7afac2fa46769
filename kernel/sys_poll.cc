// Syscalls on wait sets: create, add, remove, wait.

#include "kernel/arch.h"
#include "kernel/heap.h"
#include "kernel/poll.h"
#include "kernel/syscall.h"

namespace kernel {

namespace abi = stellina::abi;

int64_t sys_poll_create(SyscallArgs) { return install_new(create_charged<Poll>()); }

int64_t sys_poll_add(SyscallArgs a) {
  if (a[2] > UINT32_MAX) return abi::kErrInvalidArgument;
  SpinlockGuard guard(sched_lock);
  HandleTable& table = current_process().handles();
  auto poll = table.get<Poll>(handle_arg(a[0]), abi::kRightWrite);
  if (!poll.ok()) return to_status(poll.error());
  auto entry = table.lookup(handle_arg(a[1]), abi::kRightWait);
  if (!entry.ok()) return to_status(entry.error());
  return to_return(poll.value()->add(static_cast<Object*>(entry.value().object),
                                     static_cast<uint32_t>(a[2]), a[3]));
}

int64_t sys_poll_remove(SyscallArgs a) {
  SpinlockGuard guard(sched_lock);
  auto poll = current_process().handles().get<Poll>(handle_arg(a[0]), abi::kRightWrite);
  if (!poll.ok()) return to_status(poll.error());
  return to_return(poll.value()->remove(a[1]));
}

int64_t sys_poll_wait(SyscallArgs a) {
  if (a[2] == 0) return abi::kErrInvalidArgument;
  const uint64_t max = a[2] < abi::kMaxPollEvents ? a[2] : abi::kMaxPollEvents;
  abi::PollEvent events[abi::kMaxPollEvents];
  size_t n = 0;
  {
    SpinlockGuard guard(sched_lock);
    auto poll = current_process().handles().get<Poll>(handle_arg(a[0]), abi::kRightRead);
    if (!poll.ok()) return to_status(poll.error());
    Ref<Poll> keep(poll.value());  // the handle may be closed while we wait
    auto ready = keep->wait(events, max, a[3]);
    if (!ready.ok()) return to_status(ready.error());
    n = ready.value();
  }
  TRY_STATUS(copy_out(a[1], events, n * sizeof(abi::PollEvent)));
  return static_cast<int64_t>(n);
}

}  // namespace kernel
