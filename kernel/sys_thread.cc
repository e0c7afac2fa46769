// Syscalls on threads: start one in the calling process, end the calling one.

#include "kernel/arch.h"
#include "kernel/syscall.h"
#include "kernel/thread.h"
#include "kernel/thread_object.h"

namespace kernel {

namespace abi = stellina::abi;

int64_t sys_thread_create(SyscallArgs a) {
  const uint64_t entry = a[0], stack = a[1];
  if (!entry || entry >= arch::kUserTop || !stack || stack > arch::kUserTop)
    return abi::kErrInvalidArgument;
  Process& process = current_process();
  if (process.in_kernel()) return abi::kErrNotSupported;
  ThreadObject* object = TRY_RESULT(create_charged<ThreadObject>());
  Handle h;
  {
    SpinlockGuard guard(sched_lock);
    auto installed = process.handles().install(object, abi::kRightRead | abi::kRightWait);
    if (!installed.ok()) {
      object->release();
      return to_status(installed.error());
    }
    h = installed.value();
  }
  auto thread = Thread::create_user(&process, entry, stack, a[2]);
  if (thread.ok()) thread.value()->detach();  // it frees itself when it ends
  SpinlockGuard guard(sched_lock);
  if (!thread.ok()) {
    (void)process.handles().close(h);
    object->release();
    return to_status(thread.error());
  }
  thread.value()->set_thread_object(object);
  object->release();  // our creation reference: the handle and the thread hold it now
  sched::make_ready(thread.value());
  return h;
}

int64_t sys_thread_exit(SyscallArgs a) { thread_exit(static_cast<int>(a[0])); }

}  // namespace kernel
