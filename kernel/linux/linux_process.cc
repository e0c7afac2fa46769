#include "kernel/linux/linux_process.h"

#include <lib/format.h>
#include <lib/sha256.h>

#include "kernel/arch.h"
#include "kernel/heap.h"
#include "kernel/linux/linux_tty.h"
#include "kernel/log.h"

namespace kernel {

namespace {

// Descriptors 0, 1 and 2: the streams given (stdin read, stdout and stderr written), or
// the terminal, read and written, for those in on_tty.
lib::Result<void> install_stdio(LinuxFdTable& fds, const stellina::abi::Handle stdio[3],
                                LinuxTty* tty, uint32_t on_tty) {
  for (int fd = 0; fd < 3; ++fd) {
    const bool terminal = tty && (on_tty & (1u << fd));
    if (!terminal && stdio[fd] == stellina::abi::kInvalidHandle) continue;
    const uint32_t mode = terminal  ? linux_abi::kORdwr
                          : fd == 0 ? linux_abi::kORdonly
                                    : linux_abi::kOWronly;
    LinuxOpenFile* file = terminal
                              ? TRY(fds.make_tty(tty, mode))
                              : TRY(fds.make(LinuxFileKind::Stream, uint32_t(mode), stdio[fd]));
    SpinlockGuard guard(sched_lock);
    (void)fds.install(file, fd);  // the table is empty: fd is free
  }
  return {};
}

}  // namespace

LinuxProcessList& linux_processes() {
  static LinuxProcessList list;
  return list;
}

lib::Result<LinuxProcess*> LinuxProcess::create(Silo& silo, const stellina::abi::Handle stdio[3],
                                                stellina::abi::Handle files, const char* exe,
                                                uintptr_t brk_start, uint64_t parent_id,
                                                LinuxTty* tty, uint32_t on_tty) {
  TRY(silo.charge_memory(sizeof(LinuxProcess)));
  auto made = heap::create<LinuxProcess>();
  if (!made.ok()) {
    silo.uncharge_memory(sizeof(LinuxProcess));
    return made.error();
  }
  LinuxProcess* lp = made.value();
  silo.retain();
  lp->silo_ = &silo;
  lp->fds_.init(&silo);
  lp->files_ = files;
  lib::format_to(lp->exe_, sizeof(lp->exe_), "{}", exe);
  if (auto installed = install_stdio(lp->fds_, stdio, tty, on_tty); !installed.ok()) {
    SpinlockGuard guard(sched_lock);
    lp->destroy();
    return installed.error();
  }
  lp->brk_start_ = lp->brk_ = brk_start;
  lp->parent_id_ = parent_id;
  return lp;
}

void LinuxProcess::destroy() {
  if (signals_.alarm_deadline_ns) timer_cancel(&signals_.alarm);
  if (group_node.linked()) linux_processes().remove(this);
  drop_tty();
  fds_.close_all(nullptr);  // the process's handles close with its table
  Silo* silo = silo_;
  heap::destroy(this);
  silo->uncharge_memory(sizeof(LinuxProcess));
  silo->release();
}

void LinuxProcess::join(Process& owner, uint64_t pgid, uint64_t sid, LinuxTty* tty) {
  owner_ = &owner;
  pgid_ = pgid;
  sid_ = sid;
  tty_ = tty;
  if (tty) tty->retain();
  linux_processes().push_back(this);
}

void LinuxProcess::new_session(uint64_t id) {
  drop_tty();
  sid_ = pgid_ = id;
}

void LinuxProcess::drop_tty() {
  if (tty_) tty_->release();
  tty_ = nullptr;
}

void LinuxProcess::start_new_program(const char* exe, uintptr_t brk_start) {
  lib::format_to(exe_, sizeof(exe_), "{}", exe);
  brk_start_ = brk_ = brk_start;
  clear_child_tid_ = 0;
  robust_list_ = 0;
}

uint64_t LinuxProcess::next_call_id() {
  static uint64_t last_call_id = 0;
  return __atomic_add_fetch(&last_call_id, 1, __ATOMIC_RELAXED);
}

void LinuxProcess::set_cwd(const char* path, size_t size) {
  if (size > stellina::abi::kFileMaxPath) return;
  __builtin_memcpy(cwd_, path, size);
  cwd_[size] = '\0';
}

void LinuxProcess::count_unimplemented(uint64_t number) {
  const uint64_t slot = number < linux_abi::kCountedCalls ? number : linux_abi::kCountedCalls;
  if (unimplemented_[slot] != UINT32_MAX) ++unimplemented_[slot];
}

uint64_t LinuxProcess::unimplemented_count(uint64_t number) const {
  return unimplemented_[number < linux_abi::kCountedCalls ? number : linux_abi::kCountedCalls];
}

void LinuxProcess::log_unimplemented(const char* name) const {
  char line[256];
  size_t used = 0;
  for (uint64_t n = 0; n <= linux_abi::kCountedCalls; ++n) {
    if (!unimplemented_[n] || used + 32 >= sizeof(line)) continue;
    const char* more = n == linux_abi::kCountedCalls ? "+" : "";
    used += lib::format_to(line + used, sizeof(line) - used, "{}{}x{}{}", used ? ", " : "",
                           unimplemented_[n], n, more);
  }
  if (used) log_info("linux '{}': unimplemented calls (count x number): {}", name, line);
}

namespace {

uint8_t random_state[lib::Sha256::kDigestSize];
uint64_t random_counter = 0;

}  // namespace

void linux_random_bytes(uint8_t* out, size_t n) {
  while (n) {
    struct {
      uint8_t state[lib::Sha256::kDigestSize];
      uint64_t cycles, counter;
    } input;
    __builtin_memcpy(input.state, random_state, sizeof(random_state));
    input.cycles = arch::cycles();
    input.counter = ++random_counter;
    uint8_t digest[lib::Sha256::kDigestSize];
    lib::Sha256::hash(&input, sizeof(input), digest);
    // The state moves on to the digest; the output is a hash of it, which does not reveal
    // it.
    __builtin_memcpy(random_state, digest, sizeof(random_state));
    lib::Sha256::hash(digest, sizeof(digest), digest);
    const size_t take = n < 16 ? n : 16;
    __builtin_memcpy(out, digest + 16, take);
    out += take;
    n -= take;
  }
}

}  // namespace kernel
