// Syscalls of a process about itself and the system: log, clock, waiting, exit.

#include "kernel/arch.h"
#include "kernel/channel.h"
#include "kernel/heap.h"
#include "kernel/log.h"
#include "kernel/log_object.h"
#include "kernel/syscall.h"
#include "kernel/thread.h"

namespace kernel {

namespace abi = stellina::abi;

int64_t sys_log_write(SyscallArgs a) {
  constexpr size_t kMax = 255;
  if (a[2] > kMax) return abi::kErrTooLarge;
  char text[kMax + 1];
  TRY_STATUS(copy_in(text, a[1], a[2]));
  text[a[2]] = '\0';
  {
    SpinlockGuard guard(sched_lock);
    auto log = current_process().handles().get<LogObject>(handle_arg(a[0]), abi::kRightWrite);
    if (!log.ok()) return to_status(log.error());
  }
  log_info("[{}] {}", current_process().name(), text);
  return abi::kOk;
}

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

int64_t sys_thread_create(SyscallArgs a) {
  const uint64_t entry = a[0], stack = a[1];
  Process& process = current_process();
  if (!entry) return abi::kErrInvalidArgument;
  if (!process.in_kernel() && (entry >= arch::kUserTop || !stack || stack > arch::kUserTop))
    return abi::kErrInvalidArgument;
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
  auto thread = process.in_kernel() ? Thread::create_component(&process, entry, a[2])
                                    : Thread::create_user(&process, entry, stack, a[2]);
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

int64_t sys_process_exit(SyscallArgs a) {
  {
    SpinlockGuard guard(sched_lock);
    current_process().terminate(static_cast<int64_t>(a[0]), ExitReason::Exited, "exit", 0, 0);
  }
  thread_exit(static_cast<int>(a[0]));
}

}  // namespace kernel
