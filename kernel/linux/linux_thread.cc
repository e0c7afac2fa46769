// Threads of a Linux process: exit of one thread (with set_tid_address's clear and wake),
// thread ids, futex (over kernel/futex.h), and sleeping. A futex wait and a sleep are
// interrupted by a signal (kernel/linux/linux_signal.h).

#include "kernel/futex.h"
#include "kernel/linux/linux_calls.h"
#include "kernel/linux/linux_signal.h"
#include "kernel/linux/linux_signal_abi.h"
#include "kernel/linux/linux_task_abi.h"
#include "kernel/linux/linux_task_calls.h"
#include "kernel/syscall.h"
#include "kernel/thread.h"
#include "kernel/wall_clock.h"

namespace kernel::linux_calls {

using namespace linux_abi;

namespace {

constexpr uint64_t kNsPerSecond = 1'000'000'000;

const void* futex_space() { return &current_process().address_space(); }

// The nanoseconds of a timespec the caller passed. Errors: Fault, InvalidArgument (a
// negative or out-of-range field, as Linux checks).
lib::Result<uint64_t> timespec_ns(uint64_t address) {
  Timespec t;
  TRY(UserIn<Timespec>(address).read(&t));
  if (t.sec < 0 || t.nsec < 0 || t.nsec >= int64_t(kNsPerSecond))
    return lib::Error::InvalidArgument;
  const uint64_t sec = uint64_t(t.sec);
  if (sec > (UINT64_MAX - uint64_t(t.nsec)) / kNsPerSecond) return UINT64_MAX;
  return sec * kNsPerSecond + uint64_t(t.nsec);
}

// A deadline on the monotonic clock ns from now (never 0, which means none).
uint64_t deadline_after(uint64_t ns) {
  const uint64_t now = arch::now_ns();
  return ns > UINT64_MAX - now ? UINT64_MAX : (now + ns ? now + ns : 1);
}

int64_t futex_errno(lib::Error e) {
  switch (e) {
    case lib::Error::WouldBlock: return -kEagain;
    case lib::Error::TimedOut: return -kEtimedout;
    case lib::Error::Killed: return -kErestartsys;  // a signal: EINTR, or restarted
    default: return errno_of(e);
  }
}

// Sleeps until the monotonic deadline; a signal (or the process's end) wakes it early:
// then -ERESTARTNOHAND (EINTR once a handler runs) and, when remaining is not 0, the time
// left written there.
int64_t sleep_until(uint64_t deadline, uint64_t remaining = 0) {
  LinuxInterruptible interruptible;
  WaitQueue never_woken;
  {
    SpinlockGuard guard(sched_lock);
    while (arch::now_ns() < deadline) {
      auto waited = never_woken.wait(deadline);
      if (!waited.ok() && waited.error() == lib::Error::Killed) break;
    }
  }
  const uint64_t now = arch::now_ns();
  if (now >= deadline) return 0;
  const uint64_t left = deadline - now;
  const Timespec t{int64_t(left / kNsPerSecond), int64_t(left % kNsPerSecond)};
  if (remaining && !UserOut<Timespec>(remaining).write(&t).ok()) return -kEfault;
  return -kErestartnohand;
}

}  // namespace

void exit_thread(LinuxProcess& lp, uint64_t status) {
  Thread* self = sched::current();
  uint64_t clear;
  {
    SpinlockGuard guard(sched_lock);
    const bool cloned = lp.family().has_thread(self->id());
    clear = cloned ? lp.family().clear_child_tid(self->id()) : lp.clear_child_tid();
    if (cloned) lp.family().remove_thread(self->id());
    linux_signals_thread_ended(lp, *self);
  }
  // CLONE_CHILD_CLEARTID: the word goes to 0 and one waiter wakes (pthread_join's wait).
  // A bad address is ignored, as Linux ignores it.
  const uint32_t zero = 0;
  if (clear && UserOut<uint32_t>(clear).write(&zero).ok())
    (void)futex::wake(futex_space(), clear, 1, futex::kAllBits, futex::Scope::Shared);
  thread_exit(static_cast<int>(status & 0xff));
}

int64_t gettid(LinuxProcess& lp) {
  const uint64_t id = sched::current()->id();
  SpinlockGuard guard(sched_lock);
  if (lp.family().has_thread(id)) return int64_t(LinuxFamily::kThreadIdBase + id);
  return int64_t(current_process().id());  // the first thread: the process's id
}

int64_t set_tid_address(LinuxProcess& lp, uint64_t address) {
  const uint64_t id = sched::current()->id();
  {
    SpinlockGuard guard(sched_lock);
    if (lp.family().has_thread(id)) {
      lp.family().set_clear_child_tid(id, address);
    } else {
      lp.set_clear_child_tid(address);
    }
  }
  return gettid(lp);
}

int64_t futex(uint64_t address, uint64_t op, uint64_t value, uint64_t timeout, uint64_t address2,
              uint64_t value3) {
  (void)address2;
  // Without FUTEX_PRIVATE_FLAG, a word in shared memory is named by its folio (kernel/futex.h).
  const auto scope = (op & kFutexPrivateFlag) ? futex::Scope::Private : futex::Scope::Shared;
  const uint64_t command = op & ~(kFutexPrivateFlag | kFutexClockRealtime);
  const bool realtime = op & kFutexClockRealtime;
  switch (command) {
    case kFutexWait:
    case kFutexWaitBitset: {
      const bool bitset_call = command == kFutexWaitBitset;
      const auto bits = bitset_call ? static_cast<uint32_t>(value3) : futex::kAllBits;
      if (bits == 0) return -kEinval;
      uint64_t deadline = 0;
      if (timeout) {
        auto ns = timespec_ns(timeout);
        if (!ns.ok()) return errno_of(ns.error());
        if (!bitset_call) {
          deadline = deadline_after(ns.value());  // FUTEX_WAIT: relative
        } else if (realtime) {
          const uint64_t now = wall_clock_ns();
          deadline = deadline_after(ns.value() > now ? ns.value() - now : 0);
        } else {
          deadline = ns.value() ? ns.value() : 1;  // absolute on the monotonic clock
        }
      }
      LinuxInterruptible interruptible;
      auto waited =
          futex::wait(futex_space(), address, static_cast<uint32_t>(value), bits, deadline, scope);
      return waited.ok() ? 0 : futex_errno(waited.error());
    }
    case kFutexWake:
    case kFutexWakeBitset: {
      const auto bits =
          command == kFutexWakeBitset ? static_cast<uint32_t>(value3) : futex::kAllBits;
      if (bits == 0) return -kEinval;
      if (address & 3) return -kEinval;
      const auto count = static_cast<int32_t>(value) < 0 ? INT32_MAX : static_cast<uint32_t>(value);
      return int64_t(futex::wake(futex_space(), address, count, bits, scope));
    }
    default: return -kEnosys;  // requeue, wake-op, priority inheritance: not served
  }
}

int64_t nanosleep(uint64_t request, uint64_t remaining) {
  auto ns = timespec_ns(request);
  if (!ns.ok()) return errno_of(ns.error());
  return sleep_until(deadline_after(ns.value()), remaining);
}

int64_t clock_nanosleep(uint64_t clock, uint64_t flags, uint64_t request, uint64_t remaining) {
  if (flags & ~kTimerAbstime) return -kEinval;
  const bool realtime = clock == kClockRealtime;
  if (!realtime && clock != kClockMonotonic && clock != kClockBoottime) return -kEinval;
  auto ns = timespec_ns(request);
  if (!ns.ok()) return errno_of(ns.error());
  if (!(flags & kTimerAbstime)) return sleep_until(deadline_after(ns.value()), remaining);
  if (!realtime) return sleep_until(ns.value() ? ns.value() : 1);
  const uint64_t now = wall_clock_ns();
  return sleep_until(deadline_after(ns.value() > now ? ns.value() - now : 0));
}

int64_t sched_yield() {
  sched::yield();
  return 0;
}

}  // namespace kernel::linux_calls
