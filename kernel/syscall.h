#pragma once
// System call plumbing shared by the per-object syscall files (sys_*.cc) and the generated
// dispatcher: argument decoding, the calling process, and the one translation from lib::Error
// to the ABI's Status. The handlers themselves are declared by the generated sys_handlers.h
// (from abi/syscalls.toml), grouped by object: sys_handle.cc, sys_channel.cc, sys_poll.cc,
// sys_timer.cc, sys_folio.cc, sys_interrupt.cc, sys_thread.cc, sys_process.cc, sys_spawn.cc,
// sys_silo.cc, sys_platform.cc, sys_log.cc, sys_system.cc.

#include <stellina/messages.h>
#include <stellina/platform.h>
#include <stellina/process.h>
#include <stellina/silo.h>
#include <stellina/syscalls.h>
#include <stellina/sysinfo.h>
#include <stellina/types.h>

#include <type_traits>

#include <lib/result.h>

#include "kernel/heap.h"
#include "kernel/process.h"
#include "kernel/user_ptr.h"

namespace kernel {

using stellina::abi::Status;

// The one place kernel errors become ABI status codes.
Status to_status(lib::Error e);

// A handler's Result as the syscall's return value: the value (T convertible to int64) or the
// status. Only the dispatcher (the generated sys_table.cc) translates.
template <typename T>
int64_t to_return(const lib::Result<T>& r) {
  if (!r.ok()) return to_status(r.error());
  if constexpr (requires { static_cast<int64_t>(r.value()); }) {
    return static_cast<int64_t>(r.value());
  } else {
    return 0;
  }
}

// Decoding the argument words, for the dispatcher. A word names a handle only if it fits one;
// fits<T> says whether a word is in T's range (the dispatcher refuses it otherwise).
inline Handle handle_arg(uint64_t value) {
  return value > UINT32_MAX ? stellina::abi::kInvalidHandle : static_cast<Handle>(value);
}
template <typename T>
bool fits(uint64_t word) {
  return word <= static_cast<uint64_t>(static_cast<T>(~uint64_t{0}));
}
template <typename T>
T arg(uint64_t word) {
  if constexpr (std::is_same_v<T, bool>) {
    return word != 0;
  } else {
    return T(word);
  }
}
using SyscallArgs = const uint64_t (&)[6];

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

// Installs a new object for the caller with the given rights, the way creating syscalls do:
// the handle slot is reserved before create() runs, so a full table fails the call before
// anything is made, and filled only once the object exists. create() returns the object with
// its creation reference, which is dropped here. Errors: NoResources, and create()'s.
template <typename Create>
lib::Result<Handle> install_new(Create&& create, uint32_t rights = stellina::abi::kRightsAll) {
  HandleTable& table = current_process().handles();
  Handle h;
  {
    SpinlockGuard guard(sched_lock);
    h = TRY(table.reserve());
  }
  auto created = create();
  SpinlockGuard guard(sched_lock);
  if (!created.ok()) {
    table.cancel(h);
    return created.error();
  }
  // Commit: nothing below fails.
  table.fill(h, created.value(), rights);
  created.value()->release();
  return h;
}

}  // namespace kernel

#include "kernel/sys_handlers.h"  // generated: one handler per syscall
