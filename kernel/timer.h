#pragma once
// One-shot kernel timers: a deadline and a function called from the timer interrupt with the
// scheduler lock held (so it may wake threads). A Timer lives inside its owner; arming it
// never allocates.

#include <lib/timer_queue.h>

#include "kernel/sched.h"

namespace kernel {

struct Timer : lib::TimerEntry {
  void (*fire)(Timer* self) = nullptr;
  void* context = nullptr;  // for fire
};

// Arms t for deadline_ns (re-arms if already armed).
void timer_arm(Timer* t, uint64_t deadline_ns) REQUIRES(sched_lock);
void timer_cancel(Timer* t) REQUIRES(sched_lock);

}  // namespace kernel
