// Threads and signals of a Linux process: exit of one thread (with set_tid_address's clear
// and wake), thread ids, futex (over kernel/futex.h), kill and tgkill, and sleeping.
//
// Signals are not delivered yet: kill and tgkill act only where no handler would run. A
// signal whose default action ends a process ends it (killed by that signal, as wait4
// reports) when the target has left it at SIG_DFL; an ignored one (SIG_IGN, or one whose
// default is to ignore) does nothing; one with a handler, or one that would stop the process,
// is ENOSYS (counted like any call not served).

#include "kernel/futex.h"
#include "kernel/linux/linux_calls.h"
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
    case lib::Error::Killed: return -kEintr;
    default: return errno_of(e);
  }
}

// Sleeps until the monotonic deadline; a process that ends wakes it early.
int64_t sleep_until(uint64_t deadline) {
  WaitQueue never_woken;
  SpinlockGuard guard(sched_lock);
  while (arch::now_ns() < deadline) {
    auto waited = never_woken.wait(deadline);
    if (!waited.ok() && waited.error() == lib::Error::Killed) return -kEintr;
  }
  return 0;
}

// What the default action of signal does to a process.
enum class Default { Terminate, Ignore, Stop };
Default default_action(int signal) {
  switch (signal) {
    case kSigChld:
    case kSigUrg:
    case kSigWinch:
    case kSigCont: return Default::Ignore;
    case kSigStop:
    case kSigTstp:
    case kSigTtin:
    case kSigTtou: return Default::Stop;
    default: return Default::Terminate;
  }
}

// The process with Linux pid pid the caller may signal: itself or a child. Null if none.
Process* signal_target(LinuxProcess& lp, uint64_t pid) REQUIRES(sched_lock) {
  Process& self = current_process();
  if (pid == self.id()) return &self;
  return lp.family().child(pid);
}

// Sends signal to target (see the top of the file). A process that ends itself does not
// return.
int64_t send_signal(Process* target, int signal) {
  bool ended_self = false;
  {
    SpinlockGuard guard(sched_lock);
    if (signal == 0 || target->terminated()) return 0;  // a probe; a zombie takes nothing
    LinuxProcess& tlp = *target->linux_process();
    const uint64_t handler = signal == kSigKill ? kSigDfl : tlp.action(uint64_t(signal)).handler;
    if (handler == kSigIgn) return 0;
    if (handler != kSigDfl) return -kEnosys;  // a handler would run: not delivered yet
    switch (default_action(signal)) {
      case Default::Ignore: return 0;
      case Default::Stop: return -kEnosys;
      case Default::Terminate: break;
    }
    tlp.family().set_killed_by(signal);
    target->terminate(-1, stellina::abi::ExitReason::Killed, "signal", 0, uint64_t(signal));
    ended_self = target == &current_process();
  }
  if (ended_self) thread_exit(-1);
  return 0;
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
  }
  // CLONE_CHILD_CLEARTID: the word goes to 0 and one waiter wakes (pthread_join's wait).
  // A bad address is ignored, as Linux ignores it.
  const uint32_t zero = 0;
  if (clear && UserOut<uint32_t>(clear).write(&zero).ok())
    (void)futex::wake(futex_space(), clear, 1, futex::kAllBits);
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
  // Private or not, a futex is a word of the caller's address space: there is no memory
  // shared between processes yet (docs/linux.md).
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
      auto waited =
          futex::wait(futex_space(), address, static_cast<uint32_t>(value), bits, deadline);
      return waited.ok() ? 0 : futex_errno(waited.error());
    }
    case kFutexWake:
    case kFutexWakeBitset: {
      const auto bits =
          command == kFutexWakeBitset ? static_cast<uint32_t>(value3) : futex::kAllBits;
      if (bits == 0) return -kEinval;
      if (address & 3) return -kEinval;
      const auto count = static_cast<int32_t>(value) < 0 ? INT32_MAX : static_cast<uint32_t>(value);
      return int64_t(futex::wake(futex_space(), address, count, bits));
    }
    default: return -kEnosys;  // requeue, wake-op, priority inheritance: not served
  }
}

int64_t kill(LinuxProcess& lp, uint64_t pid, uint64_t signal) {
  // pid_t and int are 32 bits: the registers' upper halves are not the caller's.
  pid &= 0xffffffff;
  signal &= 0xffffffff;
  if (signal > kSignals) return -kEinval;
  if (static_cast<int32_t>(pid) <= 0) return -kEsrch;  // process groups are not served
  Process* target;
  Ref<Process> hold;
  {
    SpinlockGuard guard(sched_lock);
    target = signal_target(lp, pid);
    if (!target) return -kEsrch;
    hold = Ref<Process>(target);
  }
  const int64_t sent = send_signal(target, static_cast<int>(signal));
  SpinlockGuard guard(sched_lock);
  hold = Ref<Process>();
  return sent;
}

int64_t tgkill(LinuxProcess& lp, uint64_t tgid, uint64_t tid, uint64_t signal) {
  tgid &= 0xffffffff;
  tid &= 0xffffffff;
  signal &= 0xffffffff;
  if (signal > kSignals || static_cast<int32_t>(tgid) <= 0 || static_cast<int32_t>(tid) <= 0)
    return -kEinval;
  // Only the caller's own threads: a signal that ends a process ends it whichever thread
  // it names.
  if (tgid != current_process().id()) return -kEsrch;
  {
    SpinlockGuard guard(sched_lock);
    const bool first = tid == tgid;
    const bool cloned = tid > LinuxFamily::kThreadIdBase &&
                        lp.family().has_thread(tid - LinuxFamily::kThreadIdBase);
    if (!first && !cloned) return -kEsrch;
  }
  return send_signal(&current_process(), static_cast<int>(signal));
}

int64_t nanosleep(uint64_t request, uint64_t remaining) {
  (void)remaining;  // written only when a signal interrupts the sleep: never here
  auto ns = timespec_ns(request);
  if (!ns.ok()) return errno_of(ns.error());
  return sleep_until(deadline_after(ns.value()));
}

int64_t clock_nanosleep(uint64_t clock, uint64_t flags, uint64_t request, uint64_t remaining) {
  (void)remaining;
  if (flags & ~kTimerAbstime) return -kEinval;
  const bool realtime = clock == kClockRealtime;
  if (!realtime && clock != kClockMonotonic && clock != kClockBoottime) return -kEinval;
  auto ns = timespec_ns(request);
  if (!ns.ok()) return errno_of(ns.error());
  if (!(flags & kTimerAbstime)) return sleep_until(deadline_after(ns.value()));
  if (!realtime) return sleep_until(ns.value() ? ns.value() : 1);
  const uint64_t now = wall_clock_ns();
  return sleep_until(deadline_after(ns.value() > now ? ns.value() - now : 0));
}

int64_t sched_yield() {
  sched::yield();
  return 0;
}

}  // namespace kernel::linux_calls
