#include "kernel/mutex.h"

#include "kernel/log.h"
#include "kernel/thread.h"

namespace kernel {

void Mutex::lock() NO_THREAD_SAFETY_ANALYSIS {
  SpinlockGuard guard(sched_lock);
  Thread* self = sched::current();
  KASSERT(owner_ != self);
  if (!owner_) {
    owner_ = self;
    return;
  }
  // unlock() makes us the owner before waking us. The wait ignores a kill: wait() would
  // return at once for a killed thread, which then spun here with sched_lock held and
  // interrupts off, and the owner never ran again (an exec racing a thread in a mutex).
  while (owner_ != self) waiters_.wait_uninterruptible();
}

bool Mutex::try_lock() NO_THREAD_SAFETY_ANALYSIS {
  SpinlockGuard guard(sched_lock);
  if (owner_) return false;
  owner_ = sched::current();
  return true;
}

void Mutex::unlock() NO_THREAD_SAFETY_ANALYSIS {
  {
    SpinlockGuard guard(sched_lock);
    KASSERT(owner_ == sched::current());
    owner_ = nullptr;
    if (!waiters_.empty()) {
      owner_ = waiters_.front_thread();
      waiters_.wake_one();
    }
  }
  sched::preempt_point();
}

bool Mutex::held_by_current() const { return owner_ == sched::current(); }

}  // namespace kernel
