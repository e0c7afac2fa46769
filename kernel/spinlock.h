#pragma once
// A spinlock that also disables interrupts on this CPU while held, so an interrupt handler
// can never spin on a lock its own CPU holds. Annotated for clang's thread-safety analysis.

#include <atomic>

#include "kernel/arch.h"

#if defined(__clang__)
#define CAPABILITY(x) __attribute__((capability(x)))
#define SCOPED_CAPABILITY __attribute__((scoped_lockable))
#define GUARDED_BY(x) __attribute__((guarded_by(x)))
#define REQUIRES(...) __attribute__((requires_capability(__VA_ARGS__)))
#define ACQUIRE(...) __attribute__((acquire_capability(__VA_ARGS__)))
#define RELEASE(...) __attribute__((release_capability(__VA_ARGS__)))
#define TRY_ACQUIRE(...) __attribute__((try_acquire_capability(__VA_ARGS__)))
#define NO_THREAD_SAFETY_ANALYSIS __attribute__((no_thread_safety_analysis))
#else
#define CAPABILITY(x)
#define SCOPED_CAPABILITY
#define GUARDED_BY(x)
#define REQUIRES(...)
#define ACQUIRE(...)
#define RELEASE(...)
#define TRY_ACQUIRE(...)
#define NO_THREAD_SAFETY_ANALYSIS
#endif

namespace kernel {

class CAPABILITY("spinlock") Spinlock {
 public:
  // Returns the interrupt state to restore on release.
  arch::IrqState acquire() ACQUIRE() {
    const arch::IrqState state = arch::irq_save();
    while (locked_.exchange(true, std::memory_order_acquire)) {
      while (locked_.load(std::memory_order_relaxed)) arch::cpu_relax();
    }
    return state;
  }
  void release(arch::IrqState state) RELEASE() {
    locked_.store(false, std::memory_order_release);
    arch::irq_restore(state);
  }
  bool held() const { return locked_.load(std::memory_order_relaxed); }

 private:
  std::atomic<bool> locked_{false};
};

class SCOPED_CAPABILITY SpinlockGuard {
 public:
  explicit SpinlockGuard(Spinlock& lock) ACQUIRE(lock) : lock_(lock), state_(lock.acquire()) {}
  ~SpinlockGuard() RELEASE() { lock_.release(state_); }
  SpinlockGuard(const SpinlockGuard&) = delete;
  SpinlockGuard& operator=(const SpinlockGuard&) = delete;

 private:
  Spinlock& lock_;
  arch::IrqState state_;
};

}  // namespace kernel
