#pragma once
// System call plumbing shared by the per-object syscall files (sys_*.cc): argument types,
// the calling process, and the one translation from lib::Error to the ABI's Status.

#include <stellina/syscalls.h>
#include <stellina/types.h>

#include <lib/result.h>

#include "kernel/heap.h"
#include "kernel/process.h"

namespace kernel {

using stellina::abi::Status;

// The one place kernel errors become ABI status codes.
Status to_status(lib::Error e);

// A Result<T> as a syscall return value: the value (T convertible to int64) or the status.
template <typename T>
int64_t to_return(const lib::Result<T>& r) {
  if (!r.ok()) return to_status(r.error());
  if constexpr (requires { static_cast<int64_t>(r.value()); }) {
    return static_cast<int64_t>(r.value());
  } else {
    return 0;
  }
}

// Evaluates a Result<void>; on error returns its Status from the syscall.
#define TRY_STATUS(expr)                                                    \
  do {                                                                      \
    auto try_status_ = (expr);                                              \
    if (!try_status_.ok()) return ::kernel::to_status(try_status_.error()); \
  } while (0)

// Copies from and to the caller's memory: checked user copies for user processes, plain
// copies for components built into the kernel. Errors: Fault.
lib::Result<void> copy_in(void* dst, uint64_t src, size_t n);
lib::Result<void> copy_out(uint64_t dst, const void* src, size_t n);

// Evaluates a Result<T>; on error returns its Status from the syscall, else yields the value.
#define TRY_RESULT(expr)                                                    \
  ({                                                                        \
    auto try_result_ = (expr);                                              \
    if (!try_result_.ok()) return ::kernel::to_status(try_result_.error()); \
    try_result_.release_value();                                            \
  })

// A syscall argument that names a handle: values that do not fit a Handle name nothing.
inline Handle handle_arg(uint64_t value) {
  return value > UINT32_MAX ? stellina::abi::kInvalidHandle : static_cast<Handle>(value);
}

// The process whose thread is making the call.
Process& current_process();

// A new T for the calling process, charged by its size to the process's silo for as long as
// it lives. Errors: NoMemory, QuotaExceeded.
template <typename T>
lib::Result<T*> create_charged() {
  T* object = TRY(heap::create<T>());
  auto charged = object->charge_to(current_process().silo(), sizeof(T));
  if (!charged.ok()) {
    SpinlockGuard guard(sched_lock);
    object->release();
    return charged.error();
  }
  return object;
}

// Installs a freshly created object (all rights) and drops the creation reference.
template <typename T>
int64_t install_new(lib::Result<T*> created) {
  if (!created.ok()) return to_status(created.error());
  SpinlockGuard guard(sched_lock);
  auto h = current_process().handles().install(created.value(), stellina::abi::kRightsAll);
  created.value()->release();
  return to_return(h);
}

// The syscalls, grouped by object (sys_handle.cc, sys_channel.cc, sys_poll.cc, sys_timer.cc,
// sys_folio.cc, sys_interrupt.cc, sys_thread.cc, sys_process.cc, sys_spawn.cc, sys_silo.cc,
// sys_platform.cc, sys_log.cc, sys_system.cc).
using SyscallArgs = const uint64_t (&)[6];
int64_t sys_log_write(SyscallArgs a);
int64_t sys_handle_close(SyscallArgs a);
int64_t sys_handle_duplicate(SyscallArgs a);
int64_t sys_handle_query(SyscallArgs a);
int64_t sys_channel_create(SyscallArgs a);
int64_t sys_channel_send(SyscallArgs a);
int64_t sys_channel_recv(SyscallArgs a);
int64_t sys_channel_call(SyscallArgs a);
int64_t sys_object_wait(SyscallArgs a);
int64_t sys_clock_now(SyscallArgs a);
int64_t sys_process_exit(SyscallArgs a);
int64_t sys_poll_create(SyscallArgs a);
int64_t sys_poll_add(SyscallArgs a);
int64_t sys_poll_remove(SyscallArgs a);
int64_t sys_poll_wait(SyscallArgs a);
int64_t sys_timer_create(SyscallArgs a);
int64_t sys_timer_set(SyscallArgs a);
int64_t sys_folio_create(SyscallArgs a);
int64_t sys_folio_map(SyscallArgs a);
int64_t sys_folio_unmap(SyscallArgs a);
int64_t sys_process_spawn(SyscallArgs a);
int64_t sys_process_kill(SyscallArgs a);
int64_t sys_process_info(SyscallArgs a);
int64_t sys_interrupt_ack(SyscallArgs a);
int64_t sys_thread_create(SyscallArgs a);
int64_t sys_thread_exit(SyscallArgs a);
int64_t sys_silo_create(SyscallArgs a);
int64_t sys_silo_set_limits(SyscallArgs a);
int64_t sys_silo_stats(SyscallArgs a);
int64_t sys_platform_info(SyscallArgs a);
int64_t sys_device_map(SyscallArgs a);
int64_t sys_folio_physical(SyscallArgs a);
int64_t sys_folio_size(SyscallArgs a);
int64_t sys_pci_config(SyscallArgs a);
int64_t sys_interrupt_create(SyscallArgs a);
int64_t sys_log_read(SyscallArgs a);
int64_t sys_memory_info(SyscallArgs a);

}  // namespace kernel
