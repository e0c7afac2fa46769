// The Linux calls of signals: actions, masks, pending sets, rt_sigsuspend and pause, the
// alternate stack, rt_sigreturn, alarm and the ITIMER_REAL timer, and kill, tgkill and tkill
// (kernel/linux/linux_signal.h).

#include "kernel/linux/linux_calls.h"
#include "kernel/linux/linux_process.h"
#include "kernel/linux/linux_signal.h"
#include "kernel/linux/linux_signal_abi.h"
#include "kernel/linux/linux_task_abi.h"
#include "kernel/linux/linux_task_calls.h"
#include "kernel/syscall.h"
#include "kernel/thread.h"

namespace kernel::linux_calls {

using namespace linux_abi;

namespace {

constexpr uint64_t kNoCall = ~uint64_t{0};
constexpr uint64_t kUnblockable = (uint64_t{1} << (kSigKill - 1)) | (uint64_t{1} << (kSigStop - 1));
constexpr uint64_t kNsPerSecond = 1'000'000'000;
constexpr uint64_t kNsPerMicrosecond = 1'000;

// The calling thread's mask is now mask (less what cannot be blocked).
void set_mask(LinuxProcess& lp, uint64_t mask) REQUIRES(sched_lock) {
  Thread* self = sched::current();
  self->linux_signals().mask = mask & ~kUnblockable;
  self->set_user_work(linux_signals_deliverable(*self, lp));
}

// Whether a signal whose action is now a would be dropped on arrival.
bool ignores(const Sigaction& a, uint64_t signal) {
  if (a.handler == kSigIgn) return true;
  if (a.handler != kSigDfl) return false;
  return signal == uint64_t(kSigChld) || signal == uint64_t(kSigUrg) ||
         signal == uint64_t(kSigWinch) || signal == uint64_t(kSigCont);
}

// Sleeps until a signal is to be taken (or the process ends).
void wait_for_signal() {
  LinuxInterruptible interruptible;
  WaitQueue never_woken;
  SpinlockGuard guard(sched_lock);
  while (never_woken.wait().ok()) {
  }
}

}  // namespace

int64_t rt_sigaction(LinuxProcess& lp, uint64_t signal, uint64_t act, uint64_t old,
                     uint64_t sigsetsize) {
  if (sigsetsize != 8 || signal == 0 || signal > kSignals) return -kEinval;
  Sigaction next;
  if (act && !UserIn<Sigaction>(act).read(&next).ok()) return -kEfault;
  if (act && (signal == uint64_t(kSigKill) || signal == uint64_t(kSigStop))) return -kEinval;
  Sigaction before;
  {
    SpinlockGuard guard(sched_lock);
    before = lp.action(signal);
  }
  if (old && !UserOut<Sigaction>(old).write(&before).ok()) return -kEfault;
  if (!act) return 0;
  SpinlockGuard guard(sched_lock);
  lp.action(signal) = next;
  // A signal pending when its action becomes "ignore" is dropped (POSIX).
  if (ignores(next, signal)) linux_signals_discard(current_process(), uint64_t{1} << (signal - 1));
  return 0;
}

int64_t rt_sigprocmask(LinuxProcess& lp, uint64_t how, uint64_t set, uint64_t old,
                       uint64_t sigsetsize) {
  if (sigsetsize != 8) return -kEinval;
  uint64_t change = 0;
  if (set && !UserIn<uint64_t>(set).read(&change).ok()) return -kEfault;
  if (set && how != kSigBlock && how != kSigUnblock && how != kSigSetmask) return -kEinval;
  uint64_t before;
  {
    SpinlockGuard guard(sched_lock);
    before = sched::current()->linux_signals().mask;
  }
  if (old && !UserOut<uint64_t>(old).write(&before).ok()) return -kEfault;
  if (!set) return 0;
  SpinlockGuard guard(sched_lock);
  const uint64_t mask = sched::current()->linux_signals().mask;
  switch (how) {
    case kSigBlock: set_mask(lp, mask | change); break;
    case kSigUnblock: set_mask(lp, mask & ~change); break;
    default: set_mask(lp, change); break;
  }
  return 0;
}

int64_t rt_sigpending(LinuxProcess& lp, uint64_t set, uint64_t sigsetsize) {
  if (sigsetsize > 8) return -kEinval;
  uint64_t pending;
  {
    SpinlockGuard guard(sched_lock);
    LinuxThreadSignals& s = sched::current()->linux_signals();
    pending = (s.pending | lp.signals().pending) & s.mask;
  }
  return UserOut<uint8_t>(set).write(reinterpret_cast<const uint8_t*>(&pending), sigsetsize).ok()
             ? 0
             : -kEfault;
}

int64_t rt_sigsuspend(LinuxProcess& lp, uint64_t mask, uint64_t sigsetsize) {
  if (sigsetsize != 8) return -kEinval;
  uint64_t wanted;
  if (!UserIn<uint64_t>(mask).read(&wanted).ok()) return -kEfault;
  linux_signals_mask_during_call(lp, wanted);
  wait_for_signal();
  return -kErestartnohand;  // EINTR once a handler has run
}

int64_t rt_sigtimedwait(LinuxProcess& lp, uint64_t set, uint64_t info, uint64_t timeout,
                        uint64_t sigsetsize) {
  if (sigsetsize != 8) return -kEinval;
  uint64_t wanted;
  if (!UserIn<uint64_t>(set).read(&wanted).ok()) return -kEfault;
  wanted &= ~kUnblockable;
  uint64_t deadline = 0;  // none
  if (timeout) {
    Timespec t;
    if (!UserIn<Timespec>(timeout).read(&t).ok()) return -kEfault;
    if (t.sec < 0 || t.nsec < 0 || t.nsec >= int64_t(kNsPerSecond)) return -kEinval;
    const uint64_t ns = uint64_t(t.sec) > UINT64_MAX / kNsPerSecond / 2
                            ? UINT64_MAX / 2
                            : uint64_t(t.sec) * kNsPerSecond + uint64_t(t.nsec);
    deadline = arch::now_ns() + ns;
  }
  Thread* self = sched::current();
  SignalSiginfo taken{};
  int signal = 0;
  bool interrupted = false;
  {
    LinuxInterruptible interruptible;
    WaitQueue never_woken;
    SpinlockGuard guard(sched_lock);
    LinuxThreadSignals& s = self->linux_signals();
    const uint64_t mask = s.mask;
    // While it waits, the signals asked for are unblocked, so that one arriving wakes it;
    // the mask is back before it returns, so none of them runs a handler.
    s.mask &= ~wanted;
    s.waited_for = wanted;
    for (;;) {
      signal = linux_take_signal_of(lp, wanted, &taken);
      if (signal) break;
      // Another signal to take, with the wait's mask: EINTR once its handler has run.
      self->set_user_work(linux_signals_deliverable(*self, lp));
      if (self->user_work()) {
        interrupted = true;
        break;
      }
      if (deadline && arch::now_ns() >= deadline) break;
      auto waited = never_woken.wait(deadline);
      // Killed with no signal to take: the process is ending.
      if (!waited.ok() && waited.error() == lib::Error::Killed &&
          !linux_signals_deliverable(*self, lp))
        break;
    }
    s.mask = mask;
    s.waited_for = 0;
    self->set_user_work(linux_signals_deliverable(*self, lp));
  }
  if (signal) {
    if (info && !UserOut<SignalSiginfo>(info).write(&taken).ok()) return -kEfault;
    return signal;
  }
  return interrupted ? -kEintr : -kEagain;
}

int64_t pause() {
  wait_for_signal();
  return -kErestartnohand;
}

int64_t sigaltstack(uint64_t stack, uint64_t old) {
  Thread* self = sched::current();
  arch::UserRegisters regs;
  arch::user_registers(*arch::syscall_frame(self->stack().top()), &regs);
  StackT next{};
  if (stack && !UserIn<StackT>(stack).read(&next).ok()) return -kEfault;
  StackT before{};
  bool on_stack;
  {
    SpinlockGuard guard(sched_lock);
    const LinuxThreadSignals& s = self->linux_signals();
    on_stack = s.altstack_enabled && regs.rsp > s.altstack_sp &&
               regs.rsp - s.altstack_sp <= s.altstack_size;
    before = {s.altstack_sp, s.altstack_enabled ? (on_stack ? kSsOnstack : 0) : kSsDisable, 0,
              s.altstack_size};
  }
  if (old && !UserOut<StackT>(old).write(&before).ok()) return -kEfault;
  if (!stack) return 0;
  if (on_stack) return -kEperm;
  const uint32_t mode = uint32_t(next.flags) & ~kSsAutodisarm;
  if (mode != 0 && mode != uint32_t(kSsDisable) && mode != uint32_t(kSsOnstack)) return -kEinval;
  const bool disable = mode == uint32_t(kSsDisable);
  if (!disable && next.size < kMinSigstksz) return -kEnomem;
  if (!disable && (next.sp + next.size < next.sp || next.sp + next.size > arch::kUserTop))
    return -kEfault;  // not a user range: a frame there could never be written
  SpinlockGuard guard(sched_lock);
  LinuxThreadSignals& s = self->linux_signals();
  s.altstack_enabled = !disable;
  s.altstack_sp = disable ? 0 : next.sp;
  s.altstack_size = disable ? 0 : next.size;
  return 0;
}

namespace {

// The registers a frame saved, as the user left them there (the caller checks them).
arch::UserRegisters registers_of(const Sigcontext& c, const arch::UserRegisters& now) {
  arch::UserRegisters r = now;
  r.r8 = c.r8, r.r9 = c.r9, r.r10 = c.r10, r.r11 = c.r11, r.r12 = c.r12, r.r13 = c.r13;
  r.r14 = c.r14, r.r15 = c.r15, r.rdi = c.rdi, r.rsi = c.rsi, r.rbp = c.rbp, r.rbx = c.rbx;
  r.rdx = c.rdx, r.rax = c.rax, r.rcx = c.rcx, r.rsp = c.rsp, r.rip = c.rip;
  r.rflags = c.eflags;
  return r;
}

// The FPU state a frame holds (at fpstate; 0: the initial state) loaded for the calling
// thread. False: unreadable, or a state the CPU would refuse.
bool restore_fpu_state(Thread& self, uint64_t fpstate) {
  alignas(64) uint8_t copy[arch::kFpuStateMaxBytes];
  const size_t n = arch::fpu_state_bytes();
  if (fpstate && !UserIn<uint8_t>(fpstate).read(copy, n).ok()) return false;
  if (fpstate && !arch::fpu_state_make_loadable(copy)) return false;
  SpinlockGuard guard(sched_lock);
  if (fpstate) {
    __builtin_memcpy(self.fpu().area(), copy, n);
  } else {
    arch::fpu_initial_state(self.fpu().area());
  }
  fpu_load_current();
  return true;
}

// A frame rt_sigreturn cannot use: SIGSEGV to the thread, as Linux's signal_fault (the
// registers stay as they are; rax gets back what it held).
int64_t bad_frame(LinuxProcess& lp, uint64_t rax) {
  SpinlockGuard guard(sched_lock);
  linux_force_signal(lp, kSigSegv, {kSiKernel, 0, 0, 0});
  return int64_t(rax);
}

}  // namespace

int64_t rt_sigreturn(LinuxProcess& lp) {
  Thread* self = sched::current();
  arch::UserFrame* frame = arch::syscall_frame(self->stack().top());
  arch::UserRegisters now;
  arch::user_registers(*frame, &now);
  // The handler's ret popped pretcode: the frame starts 8 bytes below the stack pointer.
  const uint64_t at = now.rsp - 8;
  RtSigframe f;
  if (!UserIn<RtSigframe>(at).read(&f).ok()) return bad_frame(lp, now.rax);
  const arch::UserRegisters restored = registers_of(f.uc.mcontext, now);
  if (restored.rip >= arch::kUserTop) return bad_frame(lp, now.rax);
  if (!restore_fpu_state(*self, f.uc.mcontext.fpstate)) return bad_frame(lp, now.rax);
  (void)arch::set_user_registers(frame, restored);
  {
    SpinlockGuard guard(sched_lock);
    self->set_linux_call(kNoCall);  // rax is the program's, not a call's result
    set_mask(lp, f.uc.sigmask);
  }
  return int64_t(restored.rax);  // what the system call path writes back to rax
}

namespace {

uint64_t timeval_ns(const Timeval& t) {
  return uint64_t(t.sec) * kNsPerSecond + uint64_t(t.usec) * kNsPerMicrosecond;
}

Timeval timeval_of(uint64_t ns) {
  return {int64_t(ns / kNsPerSecond), int64_t(ns % kNsPerSecond / kNsPerMicrosecond)};
}

void alarm_fired(Timer* timer) REQUIRES(sched_lock) {
  auto* lp = static_cast<LinuxProcess*>(timer->context);
  LinuxProcessSignals& ps = lp->signals();
  Process* owner = ps.alarm_owner;
  if (!owner || !ps.alarm_deadline_ns) return;
  if (ps.alarm_interval_ns) {
    ps.alarm_deadline_ns += ps.alarm_interval_ns;
    timer_arm(&ps.alarm, ps.alarm_deadline_ns);
  } else {
    ps.alarm_deadline_ns = 0;
  }
  (void)linux_signal_process(*owner, kSigAlrm, {kSiKernel, 0, 0, 0}, false);
}

// The time left on the timer and its interval, then the timer set to fire after value ns
// (0: disarmed) and every interval ns.
Itimerval set_real_timer(LinuxProcess& lp, uint64_t value, uint64_t interval) REQUIRES(sched_lock) {
  LinuxProcessSignals& ps = lp.signals();
  const uint64_t now = arch::now_ns();
  Itimerval before{timeval_of(ps.alarm_interval_ns), {0, 0}};
  if (ps.alarm_deadline_ns) {
    // A timer due but not yet fired reports a moment left, as Linux never reports 0 then.
    const uint64_t left = ps.alarm_deadline_ns > now ? ps.alarm_deadline_ns - now : 1000;
    before.value = timeval_of(left);
    timer_cancel(&ps.alarm);
  }
  ps.alarm_deadline_ns = value ? now + value : 0;
  ps.alarm_interval_ns = value ? interval : 0;
  if (value) {
    ps.alarm.fire = alarm_fired;
    ps.alarm.context = &lp;
    ps.alarm_owner = &current_process();
    timer_arm(&ps.alarm, ps.alarm_deadline_ns);
  }
  return before;
}

// A timeval setitimer takes: microseconds below a second, no negative field; at most a
// year of seconds here (the deadline must not wrap).
bool valid_timeval(const Timeval& t) {
  constexpr int64_t kMaxSeconds = 365LL * 24 * 3600 * 100;
  return t.sec >= 0 && t.usec >= 0 && t.usec < 1'000'000 && t.sec <= kMaxSeconds;
}

}  // namespace

int64_t alarm(LinuxProcess& lp, uint64_t seconds) {
  seconds &= 0xffffffff;  // an unsigned int
  Itimerval before;
  {
    SpinlockGuard guard(sched_lock);
    before = set_real_timer(lp, seconds * kNsPerSecond, 0);
  }
  // Linux rounds what was left to the nearest second, and never to 0.
  int64_t left = before.value.sec + (before.value.usec >= 500'000 ? 1 : 0);
  if (left == 0 && (before.value.sec || before.value.usec)) left = 1;
  return left;
}

int64_t setitimer(LinuxProcess& lp, uint64_t which, uint64_t value, uint64_t old) {
  if (which != kItimerReal) return which <= 2 ? -kEnosys : -kEinval;
  Itimerval next{};
  if (value && !UserIn<Itimerval>(value).read(&next).ok()) return -kEfault;
  if (!valid_timeval(next.value) || !valid_timeval(next.interval)) return -kEinval;
  Itimerval before;
  {
    SpinlockGuard guard(sched_lock);
    before = set_real_timer(lp, timeval_ns(next.value), timeval_ns(next.interval));
  }
  if (old && !UserOut<Itimerval>(old).write(&before).ok()) return -kEfault;
  return 0;
}

int64_t getitimer(LinuxProcess& lp, uint64_t which, uint64_t value) {
  if (which != kItimerReal) return which <= 2 ? -kEnosys : -kEinval;
  Itimerval now{};
  {
    SpinlockGuard guard(sched_lock);
    LinuxProcessSignals& ps = lp.signals();
    now.interval = timeval_of(ps.alarm_interval_ns);
    if (ps.alarm_deadline_ns) {
      const uint64_t t = arch::now_ns();
      now.value = timeval_of(ps.alarm_deadline_ns > t ? ps.alarm_deadline_ns - t : 1000);
    }
  }
  return UserOut<Itimerval>(value).write(&now).ok() ? 0 : -kEfault;
}

namespace {

// The process with Linux pid pid the caller may signal: itself or a child. Null if none.
Process* signal_target(LinuxProcess& lp, uint64_t pid) REQUIRES(sched_lock) {
  Process& self = current_process();
  if (pid == self.id()) return &self;
  return lp.family().child(pid);
}

// The thread of the caller's process with Linux thread id tid, or null.
Thread* thread_of(LinuxProcess& lp, uint64_t tid) REQUIRES(sched_lock) {
  Process& self = current_process();
  Thread* found = nullptr;
  const bool cloned =
      tid > LinuxFamily::kThreadIdBase && lp.family().has_thread(tid - LinuxFamily::kThreadIdBase);
  Thread::for_each_of(&self, [&](Thread* t) NO_THREAD_SAFETY_ANALYSIS {
    if (found) return;
    if (cloned ? t->id() == tid - LinuxFamily::kThreadIdBase
               : tid == self.id() && !lp.family().has_thread(t->id()))
      found = t;
  });
  return found;
}

// Sends signal with info to the process target, or to its thread with Linux id tid (not
// 0); ends the caller when the signal ended its own process. EAGAIN: the queue of
// real-time signals is full.
int64_t send(LinuxProcess& lp, Process& target, uint64_t tid, int signal,
             const LinuxSignalInfo& info) {
  LinuxSent sent;
  {
    SpinlockGuard guard(sched_lock);
    Thread* thread = tid ? thread_of(lp, tid) : nullptr;
    if (tid && !thread) return -kEsrch;
    if (signal == 0 || target.terminated()) return 0;  // a probe; a zombie takes nothing
    sent = tid ? linux_signal_thread(target, *thread, signal, info, true)
               : linux_signal_process(target, signal, info, true);
  }
  if (sent == LinuxSent::EndedCaller) thread_exit(-1);
  return sent == LinuxSent::QueueFull ? -kEagain : 0;
}

// What kill and tgkill say of the sender.
LinuxSignalInfo sender_info(int32_t code) { return {code, 0, current_process().id(), 0}; }

// send to the process with Linux pid pid (the caller or a child), held while it is sent to.
int64_t send_to_pid(LinuxProcess& lp, uint64_t pid, int signal, const LinuxSignalInfo& info) {
  Ref<Process> hold;
  {
    SpinlockGuard guard(sched_lock);
    Process* target = signal_target(lp, pid);
    if (!target) return -kEsrch;
    hold = Ref<Process>(target);
  }
  const int64_t sent = send(lp, *hold, 0, signal, info);
  SpinlockGuard guard(sched_lock);
  hold = Ref<Process>();
  return sent;
}

// The siginfo rt_sigqueueinfo and rt_tgsigqueueinfo were given, as the signal will carry
// it. Linux's rule: a sender may claim a kernel's si_code (>= 0) or SI_TKILL only to
// itself (to_self), since those would lie about where the signal came from. Errors:
// EFAULT, EPERM.
int64_t queued_info(uint64_t address, bool to_self, LinuxSignalInfo* out) {
  SignalSiginfo given;
  if (!UserIn<SignalSiginfo>(address).read(&given).ok()) return -kEfault;
  if ((given.code >= 0 || given.code == kSiTkill) && !to_self) return -kEperm;
  *out = {given.code, 0, given.word, given.value};
  return 0;
}

// kill(0) and kill(-group): the group's processes in the caller's silo.
int64_t kill_group(LinuxProcess& lp, uint64_t pid, int signal) {
  bool ended_self = false;
  {
    SpinlockGuard guard(sched_lock);
    // In 64 bits: -INT32_MIN names no group (ESRCH) rather than overflowing.
    const uint64_t group = pid == 0 ? lp.pgid() : uint64_t(-int64_t(static_cast<int32_t>(pid)));
    const LinuxSignalInfo info = sender_info(kSiUser);
    const Silo* silo = &current_process().silo();
    // A probe (signal 0) sends nothing: count the members instead.
    int members = 0;
    if (signal == 0) {
      linux_processes().for_each([&](LinuxProcess* p) NO_THREAD_SAFETY_ANALYSIS {
        members += p->pgid() == group && &p->owner()->silo() == silo && !p->owner()->terminated();
      });
    } else {
      members = linux_signal_group(group, signal, silo, nullptr, info, &ended_self);
    }
    if (!members) return -kEsrch;
  }
  if (ended_self) thread_exit(-1);
  return 0;
}

}  // namespace

int64_t kill(LinuxProcess& lp, uint64_t pid, uint64_t signal) {
  // pid_t and int are 32 bits: the registers' upper halves are not the caller's.
  pid &= 0xffffffff;
  signal &= 0xffffffff;
  if (signal > kSignals) return -kEinval;
  if (static_cast<int32_t>(pid) == -1) return -kEsrch;  // "every process" is not served
  if (static_cast<int32_t>(pid) <= 0) return kill_group(lp, pid, static_cast<int>(signal));
  return send_to_pid(lp, pid, static_cast<int>(signal), sender_info(kSiUser));
}

int64_t tgkill(LinuxProcess& lp, uint64_t tgid, uint64_t tid, uint64_t signal) {
  tgid &= 0xffffffff;
  tid &= 0xffffffff;
  signal &= 0xffffffff;
  if (signal > kSignals || static_cast<int32_t>(tgid) <= 0 || static_cast<int32_t>(tid) <= 0)
    return -kEinval;
  // Only the caller's own threads.
  if (tgid != current_process().id()) return -kEsrch;
  return tkill(lp, tid, signal);
}

int64_t tkill(LinuxProcess& lp, uint64_t tid, uint64_t signal) {
  tid &= 0xffffffff;
  signal &= 0xffffffff;
  if (signal > kSignals || static_cast<int32_t>(tid) <= 0) return -kEinval;
  return send(lp, current_process(), tid, static_cast<int>(signal), sender_info(kSiTkill));
}

int64_t rt_sigqueueinfo(LinuxProcess& lp, uint64_t pid, uint64_t signal, uint64_t info) {
  pid &= 0xffffffff;
  signal &= 0xffffffff;
  LinuxSignalInfo given;
  if (const int64_t e = queued_info(info, pid == current_process().id(), &given)) return e;
  if (signal > kSignals) return -kEinval;
  if (static_cast<int32_t>(pid) <= 0) return -kEsrch;
  return send_to_pid(lp, pid, static_cast<int>(signal), given);
}

int64_t rt_tgsigqueueinfo(LinuxProcess& lp, uint64_t tgid, uint64_t tid, uint64_t signal,
                          uint64_t info) {
  tgid &= 0xffffffff;
  tid &= 0xffffffff;
  signal &= 0xffffffff;
  if (signal > kSignals || static_cast<int32_t>(tgid) <= 0 || static_cast<int32_t>(tid) <= 0)
    return -kEinval;
  LinuxSignalInfo given;
  if (const int64_t e = queued_info(info, int64_t(tid) == gettid(lp), &given)) return e;
  if (tgid != current_process().id()) return -kEsrch;  // only the caller's own threads
  return send(lp, current_process(), tid, static_cast<int>(signal), given);
}

}  // namespace kernel::linux_calls
