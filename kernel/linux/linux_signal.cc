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

// What a signal's default action does. Stopping is not served: those signals are ignored.
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
  if (handler != kSigDfl) return false;
  const Default d = default_action(signal);
  return d == Default::Ignore || d == Default::Stop;
}

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

// Whether t has a signal to take now.
bool deliverable(Thread& t, LinuxProcess& lp) REQUIRES(sched_lock) {
  LinuxThreadSignals& s = t.linux_signals();
  return ((s.pending | lp.signals().pending) & ~s.mask) != 0;
}

void recalc(Thread& t, LinuxProcess& lp) REQUIRES(sched_lock) {
  t.set_user_work(deliverable(t, lp));
}

// t has a signal to take: it takes it on its way back to user mode, or now if it waits
// interruptibly.
void notify(Thread& t) REQUIRES(sched_lock) {
  t.set_user_work(true);
  t.interrupt_wait();
}

}  // namespace

bool linux_signal_process(Process& target, int signal, const LinuxSignalInfo& info, bool end_now) {
  LinuxProcess* lp = target.linux_process();
  if (!lp || target.terminated() || ignored(*lp, signal)) return false;
  const bool fatal = signal == kSigKill ||
                     (lp->action(uint64_t(signal)).handler == kSigDfl && ends_process(signal));
  bool someone_takes = false;
  Thread::for_each_of(&target, [&](Thread* t) NO_THREAD_SAFETY_ANALYSIS {
    if (!(t->linux_signals().mask & bit(signal))) someone_takes = true;
  });
  if (fatal && end_now && someone_takes) {
    end_by_signal(target, signal);
    return &target == &current_process();
  }
  LinuxProcessSignals& ps = lp->signals();
  if (!(ps.pending & bit(signal))) ps.info[signal - 1] = info;
  ps.pending |= bit(signal);
  Thread::for_each_of(&target, [&](Thread* t) NO_THREAD_SAFETY_ANALYSIS {
    if (!(t->linux_signals().mask & bit(signal))) notify(*t);
  });
  return false;
}

bool linux_signal_thread(Process& target, Thread& thread, int signal, const LinuxSignalInfo& info,
                         bool end_now) {
  LinuxProcess* lp = target.linux_process();
  if (!lp || target.terminated() || ignored(*lp, signal)) return false;
  LinuxThreadSignals& s = thread.linux_signals();
  const bool fatal = signal == kSigKill ||
                     (lp->action(uint64_t(signal)).handler == kSigDfl && ends_process(signal));
  if (fatal && end_now && !(s.mask & bit(signal))) {
    end_by_signal(target, signal);
    return &target == &current_process();
  }
  if (!(s.pending & bit(signal))) s.info[signal - 1] = info;
  s.pending |= bit(signal);
  if (!(s.mask & bit(signal))) notify(thread);
  return false;
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
    ended = linux_signal_thread(p, *self, kSigPipe, {kSiUser, 0, p.id()}, true);
  }
  if (ended) thread_exit(-1);
}

bool user_fault_signal(UserFault kind, uintptr_t pc, uintptr_t addr) {
  Thread* self = sched::current();
  Process* p = self->process();
  LinuxProcess* lp = p ? p->linux_process() : nullptr;
  if (!lp || self->quota_fault()) return false;
  int signal = kSigSegv;
  LinuxSignalInfo info{kSiKernel, 0, 0};
  switch (kind) {
    case UserFault::PageNotMapped:
      info = {p->address_space().has_region(addr) ? kSegvAccerr : kSegvMaperr, 0, addr};
      break;
    case UserFault::PageProtection: info = {kSegvAccerr, 0, addr}; break;
    case UserFault::Protection: break;
    case UserFault::Divide: signal = kSigFpe, info = {kFpeIntdiv, 0, pc}; break;
    case UserFault::FloatingPoint: signal = kSigFpe, info = {kFpeFltinv, 0, pc}; break;
    case UserFault::InvalidOpcode: signal = kSigIll, info = {kIllIllopn, 0, pc}; break;
    case UserFault::Alignment: signal = kSigBus, info = {kBusAdraln, 0, addr}; break;
    case UserFault::Segment: signal = kSigBus; break;
    case UserFault::Breakpoint: signal = kSigTrap, info = {kSiKernel, 0, 0}; break;
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

int linux_take_signal_of(LinuxProcess& lp, uint64_t set, SignalSiginfo* out) {
  LinuxThreadSignals& s = sched::current()->linux_signals();
  LinuxProcessSignals& ps = lp.signals();
  uint64_t* pending = (s.pending & set) ? &s.pending : &ps.pending;
  LinuxSignalInfo* infos = (s.pending & set) ? s.info : ps.info;
  if (!(*pending & set)) return 0;
  const int signal = __builtin_ctzll(*pending & set) + 1;
  *pending &= ~bit(signal);
  *out = SignalSiginfo{};
  out->signo = signal;
  out->code = infos[signal - 1].code;
  out->word = infos[signal - 1].word;
  out->status = infos[signal - 1].status;
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
// the lowest number first), doing default actions on the way: ignoring, or ending the
// process (returns signal -1 then: the caller ends the thread). Signal 0: none left.
Taken take_signal(Thread& self, Process& p, LinuxProcess& lp) REQUIRES(sched_lock) {
  LinuxThreadSignals& s = self.linux_signals();
  LinuxProcessSignals& ps = lp.signals();
  for (;;) {
    uint64_t* set = &s.pending;
    LinuxSignalInfo* infos = s.info;
    if (!(s.pending & ~s.mask)) set = &ps.pending, infos = ps.info;
    const uint64_t ready = *set & ~s.mask;
    if (!ready) return {};
    const int signal = __builtin_ctzll(ready) + 1;
    *set &= ~bit(signal);
    Taken t{signal, infos[signal - 1], lp.action(uint64_t(signal))};
    if (signal == kSigKill || t.action.handler == kSigDfl) {
      if (signal != kSigKill && !ends_process(signal)) continue;  // ignored, or a stop
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
  f.info.signo = t.signal;
  f.info.code = t.info.code;
  f.info.word = t.info.word;
  f.info.status = t.info.status;
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
  }
  if (t.signal < 0) thread_exit(-1);
  const bool interrupted =
      regs.trap == arch::kTrapSyscall && call != kNoCall && is_restart(int64_t(regs.rax));
  if (t.signal == 0) {
    if (interrupted) restart_call(regs, call);
  } else {
    if (interrupted) finish_interrupted_call(regs, call, t.action.flags);
    if (!setup_frame(*self, regs, t, old_mask, snapshot)) die_by_signal(kSigSegv);
  }
  if (!arch::set_user_registers(&frame, regs)) die_by_signal(kSigSegv);
  arch::irq_save();
}

void linux_signals_reset_for_exec(LinuxProcess& lp) {
  for (uint64_t s = 1; s <= kSignals; ++s) {
    Sigaction& a = lp.action(s);
    if (a.handler != kSigIgn) a = Sigaction{};
  }
  LinuxThreadSignals& s = sched::current()->linux_signals();
  s.altstack_enabled = false;
  s.altstack_sp = s.altstack_size = 0;
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
  LinuxSignalInfo info{kCldExited, 0, p.id()};
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
