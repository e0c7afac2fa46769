// Syscalls on handles: close, duplicate, query.

#include "kernel/arch.h"
#include "kernel/syscall.h"

namespace kernel {

namespace abi = stellina::abi;

lib::Result<void> sys_handle_close(Handle h) {
  SpinlockGuard guard(sched_lock);
  return current_process().handles().close(h);
}

lib::Result<Handle> sys_handle_duplicate(Handle h, uint32_t rights) {
  SpinlockGuard guard(sched_lock);
  HandleTable& table = current_process().handles();
  const auto entry = TRY(table.lookup(h, abi::kRightDuplicate));
  if (rights & ~entry.rights) return lib::Error::InvalidArgument;  // never more rights
  return table.install(static_cast<Object*>(entry.object), rights);
}

lib::Result<void> sys_handle_query(Handle h, UserOut<abi::HandleInfo> out) {
  abi::HandleInfo info{};
  {
    SpinlockGuard guard(sched_lock);
    const auto entry = TRY(current_process().handles().lookup(h, 0));
    const auto* object = static_cast<Object*>(entry.object);
    info = abi::HandleInfo{object->type(), entry.rights, object->id()};
  }
  return out.write(&info);
}

}  // namespace kernel
