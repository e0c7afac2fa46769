#include "kernel/fpu.h"

#include "kernel/thread.h"

namespace kernel {
namespace {

// The thread whose state the registers hold, or null.
Thread* owner GUARDED_BY(sched_lock) = nullptr;

}  // namespace

FpuArea::FpuArea() { arch::fpu_initial_state(area()); }

void fpu_switch_to(Thread* next) {
  if (!next->uses_fpu() || owner == next) return;
  if (owner) arch::fpu_save(owner->fpu().area());
  arch::fpu_load(next->fpu().area());
  owner = next;
}

void fpu_save_current() {
  Thread* self = sched::current();
  if (owner == self) arch::fpu_save(self->fpu().area());
}

void fpu_load_current() {
  Thread* self = sched::current();
  if (owner && owner != self) arch::fpu_save(owner->fpu().area());
  arch::fpu_load(self->fpu().area());
  owner = self;
}

void fpu_thread_dead(Thread* t) {
  if (owner == t) owner = nullptr;
}

}  // namespace kernel
