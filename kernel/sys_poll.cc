// Syscalls on wait sets: create, add, remove, wait.

#include "kernel/arch.h"
#include "kernel/heap.h"
#include "kernel/poll.h"
#include "kernel/syscall.h"

namespace kernel {

namespace abi = stellina::abi;

lib::Result<Handle> sys_poll_create() { return install_new(create_charged<Poll>); }

lib::Result<void> sys_poll_add(Handle poll, Handle h, uint32_t signals, uint64_t key) {
  SpinlockGuard guard(sched_lock);
  HandleTable& table = current_process().handles();
  Poll* p = TRY(table.get<Poll>(poll, abi::kRightWrite));
  const auto entry = TRY(table.lookup(h, abi::kRightWait));
  return p->add(static_cast<Object*>(entry.object), signals, key);
}

lib::Result<void> sys_poll_remove(Handle poll, uint64_t key) {
  SpinlockGuard guard(sched_lock);
  Poll* p = TRY(current_process().handles().get<Poll>(poll, abi::kRightWrite));
  return p->remove(key);
}

lib::Result<uint64_t> sys_poll_wait(Handle poll, UserOut<abi::PollEvent> events, uint64_t max,
                                    uint64_t deadline_ns) {
  if (max == 0) return lib::Error::InvalidArgument;
  if (max > abi::kMaxPollEvents) max = abi::kMaxPollEvents;
  abi::PollEvent ready[abi::kMaxPollEvents];
  size_t n = 0;
  {
    SpinlockGuard guard(sched_lock);
    Poll* p = TRY(current_process().handles().get<Poll>(poll, abi::kRightRead));
    Ref<Poll> keep(p);  // the handle may be closed while we wait
    n = TRY(keep->wait(ready, max, deadline_ns));
  }
  TRY(events.write(ready, n));
  return n;
}

}  // namespace kernel
