#pragma once
// Threads waiting for something. All operations need sched_lock, which makes "check the
// condition, then wait" atomic: a wake-up cannot slip in between.

#include <lib/intrusive_list.h>
#include <lib/result.h>

#include "kernel/sched.h"

namespace kernel {

class Thread;

class WaitQueue {
 public:
  // Blocks the current thread until woken. With a deadline (ns on the monotonic clock, 0 for
  // none) it returns TimedOut if the deadline passes first.
  lib::Result<void> wait(uint64_t deadline_ns = 0) REQUIRES(sched_lock);
  // Blocks the current thread until woken, even a killed one (wait() returns at once for
  // it): for a kernel mutex, which a dying thread must still be able to take.
  void wait_uninterruptible() REQUIRES(sched_lock);
  bool wake_one() REQUIRES(sched_lock);
  size_t wake_all() REQUIRES(sched_lock);
  bool empty() const { return waiters_.empty(); }
  // The thread wake_one() would wake, or nullptr.
  Thread* front_thread() const REQUIRES(sched_lock);

  // Takes t off this queue (its wait timed out).
  void remove(Thread* t) REQUIRES(sched_lock);

 private:
  lib::IntrusiveList<SchedLink, &SchedLink::sched_node> waiters_;
};

}  // namespace kernel
