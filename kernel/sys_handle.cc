// Syscalls on handles: close, duplicate, query.

#include "kernel/arch.h"
#include "kernel/syscall.h"

namespace kernel {

namespace abi = stellina::abi;

int64_t sys_handle_close(SyscallArgs a) {
  SpinlockGuard guard(sched_lock);
  return to_return(current_process().handles().close(handle_arg(a[0])));
}

int64_t sys_handle_duplicate(SyscallArgs a) {
  const auto h = handle_arg(a[0]);
  const auto rights = static_cast<uint32_t>(a[1]);
  if (a[1] > UINT32_MAX) return abi::kErrInvalidArgument;
  SpinlockGuard guard(sched_lock);
  HandleTable& table = current_process().handles();
  auto entry = table.lookup(h, abi::kRightDuplicate);
  if (!entry.ok()) return to_status(entry.error());
  if (rights & ~entry.value().rights) return abi::kErrInvalidArgument;  // never more rights
  return to_return(table.install(static_cast<Object*>(entry.value().object), rights));
}

int64_t sys_handle_query(SyscallArgs a) {
  abi::HandleInfo info{};
  {
    SpinlockGuard guard(sched_lock);
    auto entry = current_process().handles().lookup(handle_arg(a[0]), 0);
    if (!entry.ok()) return to_status(entry.error());
    const auto* object = static_cast<Object*>(entry.value().object);
    info = abi::HandleInfo{object->type(), entry.value().rights, object->id()};
  }
  return to_return(copy_out(a[1], &info, sizeof(info)));
}

}  // namespace kernel
