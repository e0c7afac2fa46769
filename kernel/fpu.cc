#include "kernel/fpu.h"

#include "kernel/thread.h"

namespace kernel {
namespace {

// The thread whose state each CPU's registers hold (or held, see fpu.h), or null.
Thread* owner[arch::kMaxCpus] GUARDED_BY(sched_lock) = {};

// Whether this CPU's registers hold t's state as it is now: t loaded it here last.
bool holds(Thread* t, unsigned cpu) REQUIRES(sched_lock) {
  return owner[cpu] == t && t->fpu().loaded_on() == cpu;
}

// Loads t's save area into this CPU's registers; with one CPU the owner's state goes to its
// save area first (with more, it went there when the owner left the CPU).
void load(Thread* t, unsigned cpu) REQUIRES(sched_lock) {
  if (arch::cpu_count() == 1 && owner[cpu] && owner[cpu] != t)
    arch::fpu_save(owner[cpu]->fpu().area());
  arch::fpu_load(t->fpu().area());
  owner[cpu] = t;
  t->fpu().set_loaded_on(cpu);
}

}  // namespace

FpuArea::FpuArea() { arch::fpu_initial_state(area()); }

void fpu_switch(Thread* prev, Thread* next) {
  const unsigned cpu = arch::cpu_index();
  // prev may run on another CPU next: its save area must hold its state from now on.
  if (arch::cpu_count() > 1 && holds(prev, cpu)) arch::fpu_save(prev->fpu().area());
  if (next->uses_fpu() && !holds(next, cpu)) load(next, cpu);
}

void fpu_save_current() {
  Thread* self = sched::current();
  if (holds(self, arch::cpu_index())) arch::fpu_save(self->fpu().area());
}

void fpu_load_current() { load(sched::current(), arch::cpu_index()); }

void fpu_thread_dead(Thread* t) {
  for (Thread*& o : owner)
    if (o == t) o = nullptr;
}

}  // namespace kernel
