// Syscalls on threads: start one in the calling process, end the calling one.

#include "kernel/arch.h"
#include "kernel/syscall.h"
#include "kernel/thread.h"
#include "kernel/thread_object.h"

namespace kernel {

namespace abi = stellina::abi;

lib::Result<Handle> sys_thread_create(uint64_t entry, uint64_t stack_top, uint64_t arg) {
  Process& process = current_process();
  if (!entry) return lib::Error::InvalidArgument;
  // Inside the kernel the thread gets a kernel stack of its own: stack_top is not used.
  if (!process.in_kernel() && (entry >= arch::kUserTop || !stack_top || stack_top > arch::kUserTop))
    return lib::Error::InvalidArgument;
  HandleTable& table = process.handles();
  Handle h;
  {
    SpinlockGuard guard(sched_lock);
    h = TRY(table.reserve());
  }
  ThreadObject* object = nullptr;
  auto thread = [&]() -> lib::Result<Thread*> {
    object = TRY(create_charged<ThreadObject>());
    return process.in_kernel() ? Thread::create_component(&process, entry, arg)
                               : Thread::create_user(&process, entry, stack_top, arg);
  }();
  if (thread.ok()) thread.value()->detach();  // it frees itself when it ends
  SpinlockGuard guard(sched_lock);
  if (!thread.ok()) {
    table.cancel(h);
    if (object) object->release();
    return thread.error();
  }
  // Commit: nothing below fails.
  table.fill(h, object, abi::kRightRead | abi::kRightWait);
  thread.value()->set_thread_object(object);
  object->release();  // our creation reference: the handle and the thread hold it now
  sched::make_ready(thread.value());
  return h;
}

void sys_thread_exit(int64_t code) { thread_exit(static_cast<int>(code)); }

}  // namespace kernel
