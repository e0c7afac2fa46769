#include "kernel/fpu.h"

#include "kernel/arch.h"
#include "kernel/heap.h"
#include "kernel/process.h"
#include "kernel/sched.h"
#include "kernel/thread.h"

namespace kernel {
namespace {

// The thread whose state the registers hold, or null.
Thread* owner GUARDED_BY(sched_lock) = nullptr;

}  // namespace

size_t FpuArea::silo_bytes() { return arch::fpu_state_bytes() + arch::kFpuStateAlign; }

void FpuArea::release() {
  heap::free(allocation_);
  allocation_ = nullptr;
  area_ = nullptr;
}

void fpu_switch_to(Thread* next) {
  const FpuArea& mine = next->fpu();
  if (!mine.present()) {
    arch::fpu_disable();
    return;
  }
  if (owner != next) {
    if (owner) arch::fpu_save(owner->fpu().area());
    arch::fpu_load(mine.area());
    owner = next;
  }
  arch::fpu_enable();
}

bool handle_fpu_first_use() {
  Thread* self = sched::current();
  Process* process = self->process();
  FpuArea& fpu = self->fpu();
  if (!process || process->in_kernel() || fpu.present()) return false;
  const size_t bytes = FpuArea::silo_bytes();
  if (!process->silo().charge_memory(bytes).ok()) {
    self->set_quota_fault();
    return false;
  }
  auto allocation = heap::alloc(bytes);
  if (!allocation.ok()) {
    process->silo().uncharge_memory(bytes);
    return false;
  }
  fpu.allocation_ = allocation.value();
  const uintptr_t aligned =
      (reinterpret_cast<uintptr_t>(fpu.allocation_) + arch::kFpuStateAlign - 1) &
      ~(arch::kFpuStateAlign - 1);
  fpu.area_ = reinterpret_cast<void*>(aligned);
  arch::fpu_initial_state(fpu.area_);
  SpinlockGuard guard(sched_lock);
  if (owner) arch::fpu_save(owner->fpu().area());
  arch::fpu_load(fpu.area_);
  owner = self;
  return true;
}

void fpu_thread_dead(Thread* t) {
  FpuArea& fpu = t->fpu();
  if (!fpu.present()) return;
  if (owner == t) owner = nullptr;
  fpu.release();
  if (Process* process = t->process()) process->silo().uncharge_memory(FpuArea::silo_bytes());
}

}  // namespace kernel
