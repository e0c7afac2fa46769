#include "kernel/process.h"

#include <lib/format.h>

#include "kernel/heap.h"
#include "kernel/linux/linux_family.h"
#include "kernel/linux/linux_process.h"
#include "kernel/log.h"
#include "kernel/thread.h"

namespace kernel {

lib::Result<Process*> Process::create(const char* name, Ref<Channel> exit_channel, Ref<Silo> silo) {
  if (!silo) silo = Ref<Silo>(&Silo::root());
  AddressSpace* as = TRY(AddressSpace::create(silo));
  return create_with_space(name, static_cast<Ref<Channel>&&>(exit_channel),
                           static_cast<Ref<Silo>&&>(silo), as);
}

lib::Result<Process*> Process::create_with_space(const char* name, Ref<Channel> exit_channel,
                                                 Ref<Silo> silo, AddressSpace* as) {
  auto p = heap::create<Process>();
  if (!p.ok()) {
    SpinlockGuard guard(sched_lock);
    as->release();
    return p.error();
  }
  Process* process = p.value();
  lib::format_to(process->name_, sizeof(process->name_), "{}", name);
  process->silo_ = static_cast<Ref<Silo>&&>(silo);
  process->silo_->process_started();
  process->handles_.charge_to(process->silo_.get());
  process->address_space_ = Ref<AddressSpace>::adopt(as);
  process->exit_channel_ = static_cast<Ref<Channel>&&>(exit_channel);
  return process;
}

lib::Result<Process*> Process::create_in_kernel(const char* name, Ref<Channel> exit_channel,
                                                Ref<Silo> silo) {
  Process* process = TRY(heap::create<Process>());
  lib::format_to(process->name_, sizeof(process->name_), "{}", name);
  process->in_kernel_ = true;
  process->silo_ = silo ? static_cast<Ref<Silo>&&>(silo) : Ref<Silo>(&Silo::root());
  process->silo_->process_started();
  process->handles_.charge_to(process->silo_.get());
  process->exit_channel_ = static_cast<Ref<Channel>&&>(exit_channel);
  return process;
}

// The last reference goes under sched_lock (Object::release).
Process::~Process() NO_THREAD_SAFETY_ANALYSIS {
  if (silo_ && !terminated_) silo_->process_ended();  // made but never started
  if (linux_process_) linux_process_->destroy();
}

void Process::release_memory() {
  KASSERT(terminated_ && live_threads_ == 0);
  address_space_ = Ref<AddressSpace>();
  kernel_folios_.unmap_all();
}

void Process::replace_address_space(AddressSpace* space) {
  KASSERT(!in_kernel_ && live_threads_ == 1);
  Ref<AddressSpace> old = static_cast<Ref<AddressSpace>&&>(address_space_);
  address_space_ = Ref<AddressSpace>::adopt(space);
  arch::switch_root(space->root());  // before the old tables can go
}

void Process::terminate(int64_t code, ExitReason reason, const char* detail, uintptr_t pc,
                        uintptr_t addr) {
  if (terminated_) return;
  terminated_ = true;
  silo_->process_ended();
  Thread::kill_all_of(this);  // they end when they next wake or head back to user mode
  handles_.close_all();
  exit_.process_id = id();
  exit_.code = code;
  exit_.reason = reason;
  exit_.pc = pc;
  exit_.address = addr;
  lib::format_to(exit_.name, sizeof(exit_.name), "{}", name_);
  lib::format_to(exit_.detail, sizeof(exit_.detail), "{}", detail);
  if (linux_process_) {
    linux_process_->log_unimplemented(name_);
    linux_process_terminated(*this);
  }
  if (log_dropped_ != log_dropped_told_) {
    log_warn("[{}] {} records dropped (over its log rate)", name_,
             log_dropped_ - log_dropped_told_);
    log_dropped_told_ = log_dropped_;
  }
  if (exit_channel_) {
    auto m = Message::create(MessageKind::Data, 0, sizeof(exit_));
    if (m.ok()) {
      __builtin_memcpy(m.value()->data, &exit_, sizeof(exit_));
      if (!exit_channel_->send(m.value()).ok()) Message::destroy(m.value());
    }
    exit_channel_ = Ref<Channel>();
  }
  if (live_threads_ == 0) update_signals(stellina::abi::kSignalTerminated, 0);
}

bool Process::may_log(uint64_t now_ns, uint64_t* unreported) {
  *unreported = 0;
  if (!log_rate_.take(now_ns)) {
    ++log_dropped_;
    return false;
  }
  // Told at most once a second: a flood must not turn into a flood of its own notes.
  if (log_dropped_ != log_dropped_told_ && now_ns - log_told_ns_ >= 1'000'000'000) {
    *unreported = log_dropped_ - log_dropped_told_;
    log_dropped_told_ = log_dropped_;
    log_told_ns_ = now_ns;
  }
  return true;
}

// The process has ended once it is terminated and its last thread is gone: only then are its
// threads given back to the silo, so a supervisor that sees the signal can start a successor
// in the same silo at once.
bool Process::ended() const { return terminated_ && live_threads_ == 0; }

}  // namespace kernel
