// Syscalls that start and end other processes: how the startup server brings up components,
// and how any holder of a silo's kRightManage starts a program from an image in a folio.

#include <stellina/process.h>

#include "kernel/heap.h"
#include "kernel/linux/linux_process.h"
#include "kernel/linux/linux_start.h"
#include "kernel/linux/linux_tty.h"
#include "kernel/silo.h"
#include "kernel/spawn.h"
#include "kernel/syscall.h"
#include "kernel/thread.h"
#include "kernel/wasm/wasm_component.h"

namespace kernel {

namespace abi = stellina::abi;

namespace {

constexpr uint32_t kProcessRights = abi::kRightRead | abi::kRightWait | abi::kRightManage |
                                    abi::kRightDuplicate | abi::kRightTransfer;

// The handles a request moves: taken out of the caller's table at once (each once, with
// kRightTransfer), their slots held, so that no sibling thread can use, move or close them
// while the spawn runs. The child gets handles of its own; then the caller's close (moved),
// or, if the spawn failed, go back under their numbers.
class Granted {
 public:
  explicit Granted(HandleTable& table) : table_(table) {}
  Granted(const Granted&) = delete;
  Granted& operator=(const Granted&) = delete;
  ~Granted() {
    SpinlockGuard guard(sched_lock);
    for (size_t i = 0; i < count_; ++i) {
      if (moved_) {
        table_.moved(from_[i], handles_[i].object);
      } else {
        table_.fill_transferred(from_[i], handles_[i].object, handles_[i].rights);
      }
    }
  }

  lib::Result<void> take(const abi::SpawnRequest& request) REQUIRES(sched_lock) {
    for (uint32_t i = 0; i < request.handle_count; ++i) {
      for (uint32_t j = 0; j < i; ++j)
        if (request.handles[j] == request.handles[i]) return lib::Error::InvalidArgument;
      auto taken = TRY(table_.take_pending(request.handles[i]));
      if ((taken.rights & abi::kRightTransfer) == 0) {
        table_.fill_transferred(request.handles[i], taken.object.leak(), taken.rights);
        return lib::Error::AccessDenied;
      }
      from_[count_] = request.handles[i];
      handles_[count_++] = SpawnHandle{taken.object.leak(), taken.rights};
    }
    return {};
  }
  // The spawn succeeded: the caller's handles close when this goes.
  void commit() { moved_ = true; }
  const SpawnHandle* handles() const { return handles_; }
  size_t count() const { return count_; }

 private:
  HandleTable& table_;
  SpawnHandle handles_[abi::kMaxStartupHandles] = {};  // a reference and a handle count each
  Handle from_[abi::kMaxStartupHandles] = {};
  size_t count_ = 0;
  bool moved_ = false;
};

// Starts the program from the source the request names: the image in a folio, the boot
// archive, or the kernel's components.
lib::Result<Ref<Process>> start(const abi::SpawnRequest& request, const char* name, Folio* image,
                                Silo& caller_silo, const Granted& granted, const Ref<Silo>& in,
                                const LinuxStart* linux_start) {
  // The image's copy is charged to the caller's silo: the caller asked for it.
  if (image) {
    return spawn_from_folio(name, *image, request.image_size, &caller_silo, granted.handles(),
                            granted.count(), Ref<Channel>(), in, linux_start);
  }
  if (request.isolation == abi::Isolation::User) {
    return spawn_from_archive(name, granted.handles(), granted.count(), Ref<Channel>(), in,
                              linux_start);
  }
  if (request.isolation == abi::Isolation::Wasm) {
    return spawn_in_wasm(name, granted.handles(), granted.count(), Ref<Channel>(), in);
  }
  return spawn_in_kernel(name, granted.handles(), granted.count(), Ref<Channel>(), in);
}

// A Linux request's fields checked and its strings copied in (into *strings, which the caller
// frees); a Stellina request must leave them zero.
lib::Result<void> read_linux_start(const abi::SpawnRequest& request, LinuxStart* start,
                                   char** strings) {
  if (request.reserved2 != 0 || request.reserved3 != 0) return lib::Error::InvalidArgument;
  if (request.linux_terminal &
      ~uint32_t(abi::kLinuxTerminalStdin | abi::kLinuxTerminalStdout | abi::kLinuxTerminalStderr))
    return lib::Error::InvalidArgument;
  if (request.personality == abi::Personality::Stellina) {
    const bool zero = request.linux_argc == 0 && request.linux_envc == 0 &&
                      request.linux_strings == nullptr && request.linux_strings_size == 0 &&
                      request.linux_terminal == 0;
    return zero ? lib::Result<void>() : lib::Error::InvalidArgument;
  }
  if (request.personality != abi::Personality::Linux || request.isolation != abi::Isolation::User ||
      request.linux_strings_size == 0 || request.linux_strings_size > kLinuxMaxStrings)
    return lib::Error::InvalidArgument;
  auto* copy = static_cast<char*>(TRY(heap::alloc(request.linux_strings_size)));
  auto read = UserIn<char>::from(request.linux_strings).read(copy, request.linux_strings_size);
  if (!read.ok()) {
    heap::free(copy);
    return read.error();
  }
  *strings = copy;
  *start = LinuxStart{copy, request.linux_strings_size, request.linux_argc, request.linux_envc,
                      request.linux_terminal};
  return {};
}

}  // namespace

lib::Result<Handle> sys_process_spawn(Handle silo, UserIn<abi::SpawnRequest> user_request) {
  abi::SpawnRequest request;
  TRY(user_request.read(&request));
  if (request.handle_count > abi::kMaxStartupHandles) return lib::Error::TooLarge;
  if (request.name_size == 0 || request.name_size > 31) return lib::Error::InvalidArgument;
  if (request.isolation != abi::Isolation::Kernel && request.isolation != abi::Isolation::User &&
      request.isolation != abi::Isolation::Wasm)
    return lib::Error::InvalidArgument;
  if (request.reserved != 0) return lib::Error::InvalidArgument;
  const bool from_image = request.image != abi::kInvalidHandle;
  if (!from_image && request.image_size != 0) return lib::Error::InvalidArgument;
  // An image is a user program: the kernel's components are only those built into it.
  if (from_image && request.isolation != abi::Isolation::User) return lib::Error::NotSupported;
  if (from_image && request.image_size == 0) return lib::Error::InvalidArgument;
  char name[32] = {};
  TRY(UserIn<char>::from(request.name).read(name, request.name_size));
  for (size_t i = 0; i < request.name_size; ++i)
    if (name[i] == '\0') return lib::Error::InvalidArgument;
  LinuxStart linux_start{};
  char* linux_strings = nullptr;
  TRY(read_linux_start(request, &linux_start, &linux_strings));
  // The strings are the kernel's copy until the spawn returns.
  struct FreeStrings {
    char* strings;
    ~FreeStrings() {
      if (strings) heap::free(strings);
    }
  } free_strings{linux_strings};

  Process& caller = current_process();
  HandleTable& table = caller.handles();
  Handle h;
  Granted granted(table);
  Ref<Silo> in;
  Ref<Folio> image;
  {
    SpinlockGuard guard(sched_lock);
    Silo* target = TRY(table.get<Silo>(silo, abi::kRightManage));
    Folio* folio = nullptr;
    if (from_image) folio = TRY(table.get<Folio>(request.image, abi::kRightRead));
    h = TRY(table.reserve());
    auto taken = granted.take(request);
    if (!taken.ok()) {
      table.cancel(h);
      return taken.error();
    }
    // Last: a Ref must be dropped under the lock.
    in = Ref<Silo>(target);
    image = Ref<Folio>(folio);
  }
  auto spawned = start(request, name, image.get(), caller.silo(), granted, in,
                       linux_strings ? &linux_start : nullptr);
  SpinlockGuard guard(sched_lock);
  in = Ref<Silo>();
  image = Ref<Folio>();
  if (!spawned.ok()) {
    table.cancel(h);
    // An image that cannot be loaded is the caller's bad argument, whatever the parser said.
    const lib::Error e = spawned.error();
    return e == lib::Error::OutOfRange || e == lib::Error::NotSupported
               ? lib::Error::InvalidArgument
               : e;
  }
  // Commit: nothing below fails.
  granted.commit();
  Ref<Process> process = spawned.release_value();
  // The caller ended while the child was made: no one could ever reach the child.
  if (table.closed()) process->terminate(-1, ExitReason::Killed, "its spawner ended", 0, 0);
  table.fill(h, process.get(), kProcessRights);
  process = Ref<Process>();  // the table holds it now; drop ours under the lock
  return h;
}

lib::Result<void> sys_process_kill(Handle process) {
  SpinlockGuard guard(sched_lock);
  Process* p = TRY(current_process().handles().get<Process>(process, abi::kRightManage));
  p->terminate(-1, ExitReason::Killed, "killed", 0, 0);
  return {};
}

lib::Result<void> sys_process_set_priority(Handle process, uint32_t priority) {
  static_assert(abi::kPriorityNormal == sched::kPriorityNormal);
  static_assert(abi::kPriorityMax < sched::kPriorityHigh);
  if (priority < abi::kPriorityMin || priority > abi::kPriorityMax)
    return lib::Error::InvalidArgument;
  SpinlockGuard guard(sched_lock);
  Process* p = TRY(current_process().handles().get<Process>(process, abi::kRightManage));
  p->set_priority(priority);
  Thread::set_priority_of_all(p, priority);
  if (sched::resched_pending()) sched::reschedule();
  return {};
}

lib::Result<uint64_t> sys_linux_tty_input(Handle process, UserIn<uint8_t> data, uint64_t size) {
  constexpr uint64_t kMaxInput = 512;  // on the kernel stack
  if (size > kMaxInput) return lib::Error::TooLarge;
  uint8_t bytes[kMaxInput];
  TRY(data.read(bytes, size));
  SpinlockGuard guard(sched_lock);
  Process* p = TRY(current_process().handles().get<Process>(process, abi::kRightManage));
  LinuxProcess* lp = p->linux_process();
  if (!lp || !lp->tty() || p->terminated()) return lib::Error::NotSupported;
  return lp->tty()->type(bytes, size);
}

lib::Result<void> sys_process_info(Handle process, UserOut<abi::ProcessInfo> out) {
  abi::ProcessInfo info{};
  {
    SpinlockGuard guard(sched_lock);
    Process* p = TRY(current_process().handles().get<Process>(process, abi::kRightRead));
    info.process_id = p->id();
    info.running = p->ended() ? 0 : 1;
    if (p->terminated()) info.exit = p->exit_record();
  }
  return out.write(&info);
}

}  // namespace kernel
