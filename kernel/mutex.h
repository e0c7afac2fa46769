#pragma once
// A sleeping mutex: a contended lock() blocks the thread instead of spinning. Ownership is
// handed straight to the first waiter on unlock, so waiters are served in order.

#include "kernel/spinlock.h"
#include "kernel/wait_queue.h"

namespace kernel {

class Thread;

class CAPABILITY("mutex") Mutex {
 public:
  void lock() ACQUIRE();
  void unlock() RELEASE();
  bool try_lock() TRY_ACQUIRE(true);
  bool held_by_current() const;

 private:
  Thread* owner_ = nullptr;
  WaitQueue waiters_;
};

class SCOPED_CAPABILITY MutexGuard {
 public:
  explicit MutexGuard(Mutex& m) ACQUIRE(m) : m_(m) { m_.lock(); }
  ~MutexGuard() RELEASE() { m_.unlock(); }
  MutexGuard(const MutexGuard&) = delete;
  MutexGuard& operator=(const MutexGuard&) = delete;

 private:
  Mutex& m_;
};

}  // namespace kernel
