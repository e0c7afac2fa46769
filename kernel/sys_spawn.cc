// Syscalls that start and end other processes: how the startup server brings up components.

#include <stellina/process.h>

#include "kernel/silo.h"
#include "kernel/spawn.h"
#include "kernel/syscall.h"

namespace kernel {

namespace abi = stellina::abi;

namespace {

constexpr uint32_t kProcessRights = abi::kRightRead | abi::kRightWait | abi::kRightManage |
                                    abi::kRightDuplicate | abi::kRightTransfer;

// The handles a request moves: looked up (each once, with kRightTransfer) and kept alive here
// until the spawn has installed them in the new process.
struct Granted {
  SpawnHandle handles[abi::kMaxStartupHandles] = {};
  size_t count = 0;

  ~Granted() {
    SpinlockGuard guard(sched_lock);
    for (size_t i = 0; i < count; ++i) handles[i].object->release();
  }
};

lib::Result<void> look_up(const abi::SpawnRequest& request, Granted& granted) REQUIRES(sched_lock) {
  HandleTable& table = current_process().handles();
  for (uint32_t i = 0; i < request.handle_count; ++i) {
    for (uint32_t j = 0; j < i; ++j)
      if (request.handles[j] == request.handles[i]) return lib::Error::InvalidArgument;
    const auto entry = TRY(table.lookup(request.handles[i], abi::kRightTransfer));
    auto* object = static_cast<Object*>(entry.object);
    object->retain();
    granted.handles[granted.count++] = SpawnHandle{object, entry.rights};
  }
  return {};
}

}  // namespace

int64_t sys_process_spawn(SyscallArgs a) {
  abi::SpawnRequest request;
  TRY_STATUS(copy_in(&request, a[1], sizeof(request)));
  if (request.handle_count > abi::kMaxStartupHandles) return abi::kErrTooLarge;
  if (request.name_size == 0 || request.name_size > 31) return abi::kErrInvalidArgument;
  if (request.isolation != abi::Isolation::Kernel && request.isolation != abi::Isolation::User)
    return abi::kErrInvalidArgument;
  char name[32] = {};
  TRY_STATUS(copy_in(name, reinterpret_cast<uint64_t>(request.name), request.name_size));
  for (size_t i = 0; i < request.name_size; ++i)
    if (name[i] == '\0') return abi::kErrInvalidArgument;

  Granted granted;
  Ref<Silo> silo;
  {
    SpinlockGuard guard(sched_lock);
    silo = Ref<Silo>(
        TRY_RESULT(current_process().handles().get<Silo>(handle_arg(a[0]), abi::kRightManage)));
    TRY_STATUS(look_up(request, granted));
  }
  auto spawned =
      request.isolation == abi::Isolation::User
          ? spawn_from_archive(name, granted.handles, granted.count, Ref<Channel>(), silo)
          : spawn_in_kernel(name, granted.handles, granted.count, Ref<Channel>(), silo);
  {
    SpinlockGuard guard(sched_lock);
    silo = Ref<Silo>();
  }
  if (!spawned.ok()) {
    // An image that cannot be loaded is the caller's bad argument, whatever the parser said.
    const lib::Error e = spawned.error();
    return e == lib::Error::OutOfRange || e == lib::Error::NotSupported ? abi::kErrInvalidArgument
                                                                        : to_status(e);
  }
  Ref<Process> process = spawned.release_value();
  SpinlockGuard guard(sched_lock);
  HandleTable& table = current_process().handles();
  for (uint32_t i = 0; i < request.handle_count; ++i) (void)table.close(request.handles[i]);
  auto h = table.install(process.get(), kProcessRights);
  if (!h.ok()) {
    process->terminate(-1, ExitReason::Killed, "no handle for its parent", 0, 0);
    process = Ref<Process>();  // dies here, under the lock
    return to_status(h.error());
  }
  process = Ref<Process>();
  return h.value();
}

int64_t sys_process_kill(SyscallArgs a) {
  SpinlockGuard guard(sched_lock);
  Process* process =
      TRY_RESULT(current_process().handles().get<Process>(handle_arg(a[0]), abi::kRightManage));
  process->terminate(-1, ExitReason::Killed, "killed", 0, 0);
  return abi::kOk;
}

int64_t sys_process_info(SyscallArgs a) {
  abi::ProcessInfo info{};
  {
    SpinlockGuard guard(sched_lock);
    Process* process =
        TRY_RESULT(current_process().handles().get<Process>(handle_arg(a[0]), abi::kRightRead));
    info.process_id = process->id();
    info.running = process->ended() ? 0 : 1;
    if (process->terminated()) info.exit = process->exit_record();
  }
  TRY_STATUS(copy_out(a[1], &info, sizeof(info)));
  return abi::kOk;
}

}  // namespace kernel
