// Signal state, sending and delivery of the Linux personality (kernel/linux/linux_signal.h).

#include "kernel/linux/linux_signal.h"

#include "kernel/linux/linux_calls.h"
#include "kernel/linux/linux_process.h"
#include "kernel/linux/linux_signal_abi.h"
#include "kernel/linux/linux_task_abi.h"
#include "kernel/syscall.h"
#include "kernel/thread.h"

namespace kernel {

using namespace linux_abi;

namespace {

constexpr uint64_t kNoCall = ~uint64_t{0};

uint64_t bit(int signal) { return uint64_t{1} << (signal - 1); }
// SIGKILL and SIGSTOP can be neither blocked nor handled.
constexpr uint64_t kUnblockable = (uint64_t{1} << (kSigKill - 1)) | (uint64_t{1} << (kSigStop - 1));

// What a signal's default action does.
enum class Default { Terminate, Core, Ignore, Stop };
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
    case kSigQuit:
    case kSigIll:
    case kSigTrap:
    case kSigAbrt:
    case kSigBus:
    case kSigFpe:
    case kSigSegv:
    case kSigXcpu:
    case kSigXfsz:
    case kSigSys: return Default::Core;
    default: return Default::Terminate;
  }
}

bool ends_process(int signal) {
  const Default d = default_action(signal);
  return d == Default::Terminate || d == Default::Core;
}

// Whether signal, sent now, would do nothing: ignored by its action or by default.
bool ignored(LinuxProcess& lp, int signal) {
  if (signal == kSigKill) return false;
  const uint64_t handler = lp.action(uint64_t(signal)).handler;
  if (handler == kSigIgn) return true;
  return handler == kSigDfl && default_action(signal) == Default::Ignore;
}

// Whether signal, unhandled, ends the process when taken.
bool fatal(LinuxProcess& lp, int signal) {
  return signal == kSigKill ||
         (lp.action(uint64_t(signal)).handler == kSigDfl && ends_process(signal));
}

constexpr uint64_t kStopSignals = (uint64_t{1} << (kSigStop - 1)) |
                                  (uint64_t{1} << (kSigTstp - 1)) |
                                  (uint64_t{1} << (kSigTtin - 1)) | (uint64_t{1} << (kSigTtou - 1));

// What the ProcessExit's detail says of a death by signal.
const char* signal_name(int signal) {
  static const char* const names[32] = {
      "signal",    "SIGHUP",  "SIGINT",    "SIGQUIT", "SIGILL",   "SIGTRAP", "SIGABRT", "SIGBUS",
      "SIGFPE",    "SIGKILL", "SIGUSR1",   "SIGSEGV", "SIGUSR2",  "SIGPIPE", "SIGALRM", "SIGTERM",
      "SIGSTKFLT", "SIGCHLD", "SIGCONT",   "SIGSTOP", "SIGTSTP",  "SIGTTIN", "SIGTTOU", "SIGURG",
      "SIGXCPU",   "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO",   "SIGPWR",  "SIGSYS"};
  return signal > 0 && signal < 32 ? names[signal] : "real-time signal";
}

// Ends target as killed by signal (wait4's status: the signal, with 0x80 for the signals
// whose default action dumps core).
void end_by_signal(Process& target, int signal) REQUIRES(sched_lock) {
  if (target.terminated()) return;
  const bool core = default_action(signal) == Default::Core;
  target.linux_process()->family().set_killed_by(signal | (core ? 0x80 : 0));
  target.terminate(-1, ExitReason::Killed, signal_name(signal), 0, uint64_t(signal));
}

[[noreturn]] void die_by_signal(int signal) {
  {
    SpinlockGuard guard(sched_lock);
    end_by_signal(current_process(), signal);
  }
  thread_exit(-1);
}

// The signals a thread blocks from being ignored or ending the process when sent: its
// mask, and what rt_sigtimedwait waits for.
uint64_t held(const LinuxThreadSignals& s) { return s.mask | s.waited_for; }

void recalc(Thread& t, LinuxProcess& lp) REQUIRES(sched_lock) {
  t.set_user_work(linux_signals_deliverable(t, lp));
}

// t has a signal to take: it takes it on its way back to user mode, or now if it waits
// interruptibly.
void notify(Thread& t) REQUIRES(sched_lock) {
  t.set_user_work(true);
  t.interrupt_wait();
}

// The parent of the Linux process p learns that p stopped or continued (code): its waits
// wake, and it gets SIGCHLD unless its action has SA_NOCLDSTOP.
void tell_parent(Process& p, LinuxProcess& lp, int32_t code, int signal) REQUIRES(sched_lock) {
  Process* parent = lp.family().parent();
  LinuxProcess* parent_lp = parent ? parent->linux_process() : nullptr;
  if (!parent_lp) return;
  parent_lp->family().child_events().wake_all();
  if (!(parent_lp->action(uint64_t(kSigChld)).flags & kSaNocldstop))
    (void)linux_signal_process(*parent, kSigChld, {code, signal, p.id(), 0}, false);
}

// A stop signal's default action: every thread of p stops (on its way back to user mode,
// in take_signal) until SIGCONT.
void stop_process(Process& p, LinuxProcess& lp, int signal) REQUIRES(sched_lock) {
  LinuxProcessSignals& ps = lp.signals();
  ps.stopped = true;
  ps.stop_report = signal;
  ps.continue_report = false;
  Thread::for_each_of(&p, [](Thread* t) NO_THREAD_SAFETY_ANALYSIS { notify(*t); });
  tell_parent(p, lp, kCldStopped, signal);
}

void continue_process(Process& p, LinuxProcess& lp) REQUIRES(sched_lock) {
  LinuxProcessSignals& ps = lp.signals();
  if (!ps.stopped) return;
  ps.stopped = false;
  ps.stop_report = 0;
  ps.continue_report = true;
  ps.continued.wake_all();
  Thread::for_each_of(&p, [&](Thread* t) NO_THREAD_SAFETY_ANALYSIS { recalc(*t, lp); });
  tell_parent(p, lp, kCldContinued, kSigCont);
}

// What a signal does as it is sent, whatever its action: SIGCONT continues the process and
// drops its pending stop signals; a stop signal drops its pending SIGCONT.
void job_control(Process& p, LinuxProcess& lp, int signal) REQUIRES(sched_lock) {
  if (signal == kSigCont) {
    linux_signals_discard(p, kStopSignals);
    continue_process(p, lp);
  } else if (bit(signal) & kStopSignals) {
    linux_signals_discard(p, bit(kSigCont));
  }
}

// Makes signal pending in the set pending (the process's, owner 0, or its thread's with
// Thread::id owner), with info: a standard signal's first info, each real-time instance's.
LinuxSent make_pending(LinuxProcessSignals& ps, uint64_t& pending, LinuxSignalInfo* infos,
                       uint64_t owner, int signal, const LinuxSignalInfo& info) {
  if (signal >= kSigRtmin) {
    if (ps.queued < LinuxProcessSignals::kMaxQueued) {
      ps.queue[ps.queued++] = {signal, owner, info};
    } else if (info.code != kSiUser) {
      return LinuxSent::QueueFull;
    }
  } else if (!(pending & bit(signal))) {
    infos[signal - 1] = info;
  }
  pending |= bit(signal);
  return LinuxSent::Sent;
}

// Takes signal off the set pending (owner as for make_pending): its info, the oldest
// queued instance's for a real-time signal (SI_USER and nothing else when none was queued:
// sent when the queue was full). A real-time signal stays pending while instances remain.
LinuxSignalInfo take_pending(LinuxProcessSignals& ps, uint64_t& pending,
                             const LinuxSignalInfo* infos, uint64_t owner, int signal) {
  if (signal < kSigRtmin) {
    pending &= ~bit(signal);
    return infos[signal - 1];
  }
  auto mine = [&](const LinuxProcessSignals::Queued& q) {
    return q.signal == signal && q.thread == owner;
  };
  LinuxSignalInfo info{kSiUser, 0, 0, 0};
  size_t i = 0;
  while (i < ps.queued && !mine(ps.queue[i])) ++i;
  if (i < ps.queued) {
    info = ps.queue[i].info;
    for (size_t j = i + 1; j < ps.queued; ++j) ps.queue[j - 1] = ps.queue[j];
    --ps.queued;
  }
  bool more = false;
  for (size_t j = i; j < ps.queued; ++j) more = more || mine(ps.queue[j]);
  if (!more) pending &= ~bit(signal);
  return info;
}

// Drops the queued instances for which drop(entry) holds, keeping the others' order.
template <typename Drop>
void drop_queued(LinuxProcessSignals& ps, Drop drop) {
  size_t kept = 0;
  for (size_t i = 0; i < ps.queued; ++i)
    if (!drop(ps.queue[i])) ps.queue[kept++] = ps.queue[i];
  ps.queued = kept;
}

// The ending of target by a fatal signal sent now (end_now), if someone takes it. A stopped
// process takes nothing before it is continued, but SIGKILL.
bool ends_now(Process& target, LinuxProcess& lp, int signal, bool end_now, bool someone_takes)
    REQUIRES(sched_lock) {
  if (!end_now || !someone_takes || !fatal(lp, signal)) return false;
  if (lp.signals().stopped && signal != kSigKill) return false;
  end_by_signal(target, signal);
  return true;
}

LinuxSent ended(Process& target) {
  return &target == &current_process() ? LinuxSent::EndedCaller : LinuxSent::Sent;
}

}  // namespace

bool linux_signals_deliverable(Thread& t, LinuxProcess& lp) {
  LinuxThreadSignals& s = t.linux_signals();
  return ((s.pending | lp.signals().pending) & ~s.mask) != 0 || lp.signals().stopped;
}

LinuxSent linux_signal_process(Process& target, int signal, const LinuxSignalInfo& info,
                               bool end_now) {
  LinuxProcess* lp = target.linux_process();
  if (!lp || target.terminated()) return LinuxSent::Sent;
  job_control(target, *lp, signal);
  bool someone_takes = false;
  Thread::for_each_of(&target, [&](Thread* t) NO_THREAD_SAFETY_ANALYSIS {
    if (!(held(t->linux_signals()) & bit(signal))) someone_takes = true;
  });
  // A signal blocked is kept though ignored: its action may change before it is unblocked.
  if (someone_takes && ignored(*lp, signal)) return LinuxSent::Sent;
  if (ends_now(target, *lp, signal, end_now, someone_takes)) return ended(target);
  LinuxProcessSignals& ps = lp->signals();
  const LinuxSent sent = make_pending(ps, ps.pending, ps.info, 0, signal, info);
  if (sent != LinuxSent::Sent) return sent;
  Thread::for_each_of(&target, [&](Thread* t) NO_THREAD_SAFETY_ANALYSIS {
    if (!(t->linux_signals().mask & bit(signal))) notify(*t);
  });
  return LinuxSent::Sent;
}

LinuxSent linux_signal_thread(Process& target, Thread& thread, int signal,
                              const LinuxSignalInfo& info, bool end_now) {
  LinuxProcess* lp = target.linux_process();
  if (!lp || target.terminated()) return LinuxSent::Sent;
  job_control(target, *lp, signal);
  LinuxThreadSignals& s = thread.linux_signals();
  const bool takes = !(held(s) & bit(signal));
  if (takes && ignored(*lp, signal)) return LinuxSent::Sent;
  if (ends_now(target, *lp, signal, end_now, takes)) return ended(target);
  const LinuxSent sent = make_pending(lp->signals(), s.pending, s.info, thread.id(), signal, info);
  if (sent == LinuxSent::Sent && !(s.mask & bit(signal))) notify(thread);
  return sent;
}

void linux_signal_from_kernel(Process& target, int signal) {
  (void)linux_signal_process(target, signal, {kSiKernel, 0, 0, 0}, true);
}

void linux_signals_discard(Process& p, uint64_t set) {
  LinuxProcessSignals& ps = p.linux_process()->signals();
  ps.pending &= ~set;
  Thread::for_each_of(
      &p, [&](Thread* t) NO_THREAD_SAFETY_ANALYSIS { t->linux_signals().pending &= ~set; });
  drop_queued(ps, [&](const LinuxProcessSignals::Queued& q) { return (bit(q.signal) & set) != 0; });
}

void linux_signals_thread_ended(LinuxProcess& lp, Thread& thread) {
  drop_queued(lp.signals(),
              [&](const LinuxProcessSignals::Queued& q) { return q.thread == thread.id(); });
}

void linux_force_signal(LinuxProcess& lp, int signal, const LinuxSignalInfo& info) {
  Thread* self = sched::current();
  LinuxThreadSignals& s = self->linux_signals();
  Sigaction& action = lp.action(uint64_t(signal));
  if ((s.mask & bit(signal)) || action.handler == kSigIgn) {
    action.handler = kSigDfl;
    s.mask &= ~bit(signal);
  }
  s.info[signal - 1] = info;
  s.pending |= bit(signal);
  self->set_user_work(true);
}

void linux_raise_sigpipe() {
  Thread* self = sched::current();
  Process& p = current_process();
  bool ended;
  {
    SpinlockGuard guard(sched_lock);
    ended = linux_signal_thread(p, *self, kSigPipe, {kSiUser, 0, p.id(), 0}, true) ==
            LinuxSent::EndedCaller;
  }
  if (ended) thread_exit(-1);
}

bool user_fault_signal(UserFault kind, uintptr_t pc, uintptr_t addr) {
  Thread* self = sched::current();
  Process* p = self->process();
  LinuxProcess* lp = p ? p->linux_process() : nullptr;
  if (!lp || self->quota_fault()) return false;
  int signal = kSigSegv;
  LinuxSignalInfo info{kSiKernel, 0, 0, 0};
  switch (kind) {
    case UserFault::PageNotMapped:
      info = {p->address_space().has_region(addr) ? kSegvAccerr : kSegvMaperr, 0, addr, 0};
      break;
    case UserFault::PageProtection: info = {kSegvAccerr, 0, addr, 0}; break;
    case UserFault::Protection: break;
    case UserFault::Divide: signal = kSigFpe, info = {kFpeIntdiv, 0, pc, 0}; break;
    case UserFault::FloatingPoint: signal = kSigFpe, info = {kFpeFltinv, 0, pc, 0}; break;
    case UserFault::InvalidOpcode: signal = kSigIll, info = {kIllIllopn, 0, pc, 0}; break;
    case UserFault::Alignment: signal = kSigBus, info = {kBusAdraln, 0, addr, 0}; break;
    case UserFault::Segment: signal = kSigBus; break;
    case UserFault::Breakpoint: signal = kSigTrap, info = {kSiKernel, 0, 0, 0}; break;
  }
  SpinlockGuard guard(sched_lock);
  linux_force_signal(*lp, signal, info);
  return true;
}

void linux_signals_note_call(uint64_t number) { sched::current()->set_linux_call(number); }

void linux_signals_mask_during_call(LinuxProcess& lp, uint64_t mask) {
  Thread* self = sched::current();
  SpinlockGuard guard(sched_lock);
  LinuxThreadSignals& s = self->linux_signals();
  s.saved_mask = s.mask;
  s.restore_mask = true;  // a handler's frame saves saved_mask (linux_deliver_signals)
  s.mask = mask & ~kUnblockable;
  recalc(*self, lp);
}

void linux_signals_call_done(LinuxProcess& lp, int64_t result) {
  if (result == -kErestartnohand) return;  // the mask goes once the handler has run
  Thread* self = sched::current();
  SpinlockGuard guard(sched_lock);
  LinuxThreadSignals& s = self->linux_signals();
  if (!s.restore_mask) return;
  s.mask = s.saved_mask;
  s.restore_mask = false;
  recalc(*self, lp);
}

namespace {

SignalSiginfo siginfo_of(int signal, const LinuxSignalInfo& info) {
  SignalSiginfo out{};
  out.signo = signal;
  out.code = info.code;
  out.word = info.word;
  out.value = signal == kSigChld ? uint32_t(info.status) : info.value;
  return out;
}

// A signal of set pending for self (its own set first), the lowest number: it is taken off
// (its info in *info) and returned; 0 if none.
int take_one(Thread& self, LinuxProcess& lp, uint64_t set, LinuxSignalInfo* info)
    REQUIRES(sched_lock) {
  LinuxThreadSignals& s = self.linux_signals();
  LinuxProcessSignals& ps = lp.signals();
  const bool own = (s.pending & set) != 0;
  uint64_t& pending = own ? s.pending : ps.pending;
  if (!(pending & set)) return 0;
  const int signal = __builtin_ctzll(pending & set) + 1;
  *info = take_pending(ps, pending, own ? s.info : ps.info, own ? self.id() : 0, signal);
  return signal;
}

}  // namespace

int linux_take_signal_of(LinuxProcess& lp, uint64_t set, SignalSiginfo* out) {
  LinuxSignalInfo info;
  const int signal = take_one(*sched::current(), lp, set, &info);
  if (signal) *out = siginfo_of(signal, info);
  return signal;
}

LinuxInterruptible::LinuxInterruptible() { sched::current()->set_wake_on_user_work(true); }
LinuxInterruptible::~LinuxInterruptible() { sched::current()->set_wake_on_user_work(false); }

namespace {

// A signal taken off a pending set, with its action as it was when taken.
struct Taken {
  int signal = 0;
  LinuxSignalInfo info{};
  Sigaction action{};
};

// Takes the next signal the thread handles (the thread's own first, then the process's;
// the lowest number first), doing default actions on the way: ignoring, stopping the
// process (and waiting, as every thread of a stopped process does, until it is
// continued), or ending it (returns signal -1 then, as when the thread is killed while
// stopped: the caller ends the thread). Signal 0: none left.
Taken take_signal(Thread& self, Process& p, LinuxProcess& lp) REQUIRES(sched_lock) {
  LinuxThreadSignals& s = self.linux_signals();
  LinuxProcessSignals& ps = lp.signals();
  for (;;) {
    if (ps.stopped) {
      if (!ps.continued.wait().ok()) return {-1, {}, {}};
      continue;
    }
    Taken t;
    t.signal = take_one(self, lp, ~s.mask, &t.info);
    if (!t.signal) return {};
    t.action = lp.action(uint64_t(t.signal));
    const int signal = t.signal;
    if (signal == kSigKill || t.action.handler == kSigDfl) {
      const Default d = default_action(signal);
      if (signal != kSigKill && d == Default::Ignore) continue;
      if (signal != kSigKill && d == Default::Stop) {
        if (signal != kSigStop && linux_group_orphaned(lp.pgid(), lp.sid())) continue;
        stop_process(p, lp, signal);
        continue;
      }
      end_by_signal(p, signal);
      return {-1, {}, {}};
    }
    if (t.action.handler == kSigIgn) continue;
    if (t.action.flags & kSaResethand) lp.action(uint64_t(signal)).handler = kSigDfl;
    return t;
  }
}

bool is_restart(int64_t value) {
  return value == -kErestartsys || value == -kErestartnointr || value == -kErestartnohand;
}

// A call interrupted by a signal resumes from its syscall instruction, with its number.
void restart_call(arch::UserRegisters& regs, uint64_t call) {
  regs.rax = call;
  regs.rip -= arch::kSyscallInstructionBytes;
}

// What an interrupted call returns when a handler runs: EINTR, or a restart.
void finish_interrupted_call(arch::UserRegisters& regs, uint64_t call, uint64_t flags) {
  const auto value = int64_t(regs.rax);
  if (value == -kErestartnointr || (value == -kErestartsys && (flags & kSaRestart))) {
    restart_call(regs, call);
  } else {
    regs.rax = uint64_t(-int64_t(kIntrErrno));
  }
}

// Whether sp lies on the thread's alternate stack.
bool on_altstack(const LinuxThreadSignals& s, uint64_t sp) {
  return s.altstack_enabled && sp - s.altstack_sp <= s.altstack_size && sp > s.altstack_sp;
}

int32_t altstack_flags(const LinuxThreadSignals& s, uint64_t sp) {
  if (!s.altstack_enabled) return kSsDisable;
  return on_altstack(s, sp) ? kSsOnstack : 0;
}

// Where the frame and the FPU state go: below the red zone of the interrupted stack, or at
// the top of the alternate stack for an SA_ONSTACK handler not on it already.
struct FramePlace {
  uint64_t frame;
  uint64_t fpstate;
  bool fits;
};
FramePlace place_frame(const LinuxThreadSignals& s, uint64_t sp, uint64_t flags, size_t fp_bytes) {
  const bool switch_stack = (flags & kSaOnstack) && s.altstack_enabled && !on_altstack(s, sp);
  sp = switch_stack ? s.altstack_sp + s.altstack_size : sp - kRedZone;
  const uint64_t fpstate = (sp - fp_bytes) & ~uint64_t{63};
  // The handler starts as if called: rsp + 8 a multiple of 16.
  const uint64_t frame = ((fpstate - sizeof(RtSigframe)) & ~uint64_t{15}) - 8;
  // A frame that would run off the alternate stack (or wrap) is refused, as Linux does.
  bool fits = frame < sp && frame >= 4096;
  if (switch_stack || on_altstack(s, sp)) fits = fits && frame >= s.altstack_sp;
  return {frame, fpstate, fits};
}

// The FPU state as a frame holds it: the save area, with the XSAVE marks Linux's readers
// check (bytes 464.. and the word after the area). Copies it out to fpstate.
bool write_fpu_state(Thread& self, uint64_t fpstate) {
  const size_t n = arch::fpu_state_bytes();
  const uint64_t xfeatures = arch::fpu_xfeatures();
  auto* area = static_cast<uint8_t*>(self.fpu().area());
  {
    SpinlockGuard guard(sched_lock);
    fpu_save_current();
  }
  if (!UserOut<uint8_t>(fpstate).write(area, n).ok()) return false;
  if (!xfeatures) return true;
  const FpxSwBytes sw{kFpXstateMagic1, uint32_t(n + 4), xfeatures, uint32_t(n), {}};
  return UserOut<FpxSwBytes>(fpstate + kFpxSwBytesOffset).write(&sw).ok() &&
         UserOut<uint32_t>(fpstate + n).write(&kFpXstateMagic2).ok();
}

// The handler starts with the FPU in its initial state, as on Linux.
void reset_fpu_for_handler(Thread& self) {
  SpinlockGuard guard(sched_lock);
  arch::fpu_initial_state(self.fpu().area());
  fpu_load_current();
}

Sigcontext sigcontext_of(const arch::UserRegisters& r, uint64_t old_mask, uint64_t fpstate,
                         const Taken& t) {
  Sigcontext c{};
  c.r8 = r.r8, c.r9 = r.r9, c.r10 = r.r10, c.r11 = r.r11, c.r12 = r.r12, c.r13 = r.r13;
  c.r14 = r.r14, c.r15 = r.r15, c.rdi = r.rdi, c.rsi = r.rsi, c.rbp = r.rbp, c.rbx = r.rbx;
  c.rdx = r.rdx, c.rax = r.rax, c.rcx = r.rcx, c.rsp = r.rsp, c.rip = r.rip;
  c.eflags = r.rflags;
  c.cs = kLinuxUserCs;
  c.ss = kLinuxUserDs;
  const bool fault = r.trap != arch::kTrapSyscall;
  c.err = fault ? r.error : 0;
  c.trapno = fault ? r.trap : 0;
  c.oldmask = old_mask;
  c.cr2 = t.signal == kSigSegv ? t.info.word : 0;
  c.fpstate = fpstate;
  return c;
}

// Builds the rt signal frame for t and points regs at the handler. False: the frame could
// not be written (the process then dies of SIGSEGV, as Linux's force_sigsegv).
bool setup_frame(Thread& self, arch::UserRegisters& regs, const Taken& t, uint64_t old_mask,
                 const LinuxThreadSignals& s) {
  if (!(t.action.flags & kSaRestorer)) return false;  // x86_64 has no default restorer
  const size_t fp_bytes = arch::fpu_state_bytes() + (arch::fpu_xfeatures() ? 4 : 0);
  const FramePlace place = place_frame(s, regs.rsp, t.action.flags, fp_bytes);
  if (!place.fits || !write_fpu_state(self, place.fpstate)) return false;
  RtSigframe f{};
  f.pretcode = t.action.restorer;
  f.uc.flags = kUcSigcontextSs | kUcStrictRestoreSs | (arch::fpu_xfeatures() ? kUcFpXstate : 0);
  f.uc.stack = {s.altstack_sp, altstack_flags(s, regs.rsp), 0, s.altstack_size};
  f.uc.mcontext = sigcontext_of(regs, old_mask, place.fpstate, t);
  f.uc.sigmask = old_mask;
  f.info = siginfo_of(t.signal, t.info);
  if (!UserOut<RtSigframe>(place.frame).write(&f).ok()) return false;
  reset_fpu_for_handler(self);
  regs.rip = t.action.handler;
  regs.rsp = place.frame;
  regs.rdi = uint64_t(t.signal);
  regs.rsi = place.frame + offsetof(RtSigframe, info);
  regs.rdx = place.frame + offsetof(RtSigframe, uc);
  regs.rax = 0;
  constexpr uint64_t kDf = 0x400, kTf = 0x100, kRf = uint64_t{1} << 16;
  regs.rflags &= ~(kDf | kTf | kRf);
  return true;
}

}  // namespace

void linux_deliver_signals(arch::UserFrame& frame) {
  Thread* self = sched::current();
  Process& p = current_process();
  LinuxProcess* lp = p.linux_process();
  if (!lp) {
    SpinlockGuard guard(sched_lock);
    self->set_user_work(false);
    return;
  }
  // The frame is written to user memory, whose pages may have to be made: interrupts on
  // (the return paths turned them off), as in a system call.
  arch::irq_enable();
  arch::UserRegisters regs;
  arch::user_registers(frame, &regs);
  // Every signal deliverable now gets its frame, each on top of the one before, as on
  // Linux: the handler of the last one taken runs first, and returns into the one before.
  for (bool more = true; more;) {
    Taken t;
    uint64_t old_mask;
    uint64_t call;
    LinuxThreadSignals snapshot;
    {
      SpinlockGuard guard(sched_lock);
      LinuxThreadSignals& s = self->linux_signals();
      call = self->linux_call();
      t = take_signal(*self, p, *lp);
      old_mask = s.restore_mask ? s.saved_mask : s.mask;
      if (t.signal > 0) {
        s.restore_mask = false;
        s.mask |= (t.action.mask | ((t.action.flags & kSaNodefer) ? 0 : bit(t.signal)));
        s.mask &= ~kUnblockable;
      } else if (t.signal == 0 && s.restore_mask) {
        s.mask = s.saved_mask;  // no handler ran: rt_sigsuspend's mask goes
        s.restore_mask = false;
      }
      snapshot.altstack_sp = s.altstack_sp;
      snapshot.altstack_size = s.altstack_size;
      snapshot.altstack_enabled = s.altstack_enabled;
      recalc(*self, *lp);
      more = t.signal > 0 && self->user_work();
    }
    if (t.signal < 0) thread_exit(-1);
    // Only the first frame can hold a call's result: the others hold a handler's entry.
    const bool interrupted =
        regs.trap == arch::kTrapSyscall && call != kNoCall && is_restart(int64_t(regs.rax));
    if (t.signal == 0) {
      if (interrupted) restart_call(regs, call);
    } else {
      if (interrupted) finish_interrupted_call(regs, call, t.action.flags);
      if (!setup_frame(*self, regs, t, old_mask, snapshot)) die_by_signal(kSigSegv);
    }
  }
  if (!arch::set_user_registers(&frame, regs)) die_by_signal(kSigSegv);
  arch::irq_save();
}

void linux_signals_reset_for_exec(LinuxProcess& lp) {
  for (uint64_t s = 1; s <= kSignals; ++s) {
    Sigaction& a = lp.action(s);
    if (a.handler != kSigIgn) a = Sigaction{};
  }
  Thread* self = sched::current();
  LinuxThreadSignals& s = self->linux_signals();
  s.altstack_enabled = false;
  s.altstack_sp = s.altstack_size = 0;
  // The other threads have ended: what was queued for them goes.
  drop_queued(lp.signals(), [&](const LinuxProcessSignals::Queued& q) {
    return q.thread != 0 && q.thread != self->id();
  });
}

void linux_signals_inherit(Thread& child, bool forked) {
  const LinuxThreadSignals& mine = sched::current()->linux_signals();
  LinuxThreadSignals& s = child.linux_signals();
  s.mask = mine.mask;
  if (forked) {
    s.altstack_sp = mine.altstack_sp;
    s.altstack_size = mine.altstack_size;
    s.altstack_enabled = mine.altstack_enabled;
  }
}

void linux_signals_process_ended(Process& p) {
  LinuxProcess& lp = *p.linux_process();
  LinuxProcessSignals& ps = lp.signals();
  if (ps.alarm_deadline_ns) timer_cancel(&ps.alarm);
  ps.alarm_deadline_ns = 0;
  ps.alarm_owner = nullptr;
  Process* parent = lp.family().parent();
  if (!parent || !parent->linux_process()) return;
  const int killed = lp.family().killed_by();
  LinuxSignalInfo info{kCldExited, 0, p.id(), 0};
  if (killed) {
    info.code = (killed & 0x80) ? kCldDumped : kCldKilled;
    info.status = killed & 0x7f;
  } else if (p.exit_record().reason == ExitReason::Exited) {
    info.status = int32_t(p.exit_record().code & 0xff);
  } else {
    info.code = kCldKilled;
    info.status = p.exit_record().reason == ExitReason::Fault ? kSigSegv : kSigKill;
  }
  (void)linux_signal_process(*parent, kSigChld, info, false);
}

}  // namespace kernel
