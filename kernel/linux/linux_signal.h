#pragma once
// Signals of Linux processes, delivered as Linux delivers them (docs/linux.md, "Signals").
//
// A process has its actions (rt_sigaction: shared by its threads, copied by fork), a set of
// signals pending for the process (kill, SIGCHLD, SIGALRM) and its ITIMER_REAL timer; each
// thread has its mask, the signals pending for it alone (tgkill, its faults, SIGPIPE) and
// its alternate stack (kernel/linux/linux_signal_state.h). A standard signal pending is one
// bit: sent again before it is taken, it is merged with the first. A real-time one
// (kSigRtmin..kSigRtmax) is queued, each instance with its siginfo, up to kMaxQueued per
// process. A stop signal's default action stops every thread of the process until SIGCONT
// (or SIGKILL). Everything is read and changed under sched_lock.
//
// Delivery: a thread with an unblocked pending signal has Thread::user_work set, and takes
// its signals on its way back to user mode (linux_deliver_signals, from on_return_to_user):
// a default action ends the process, stops it or ignores the signal; a handler gets Linux's
// rt signal frame on the thread's stack or alternate stack, and rt_sigreturn restores what
// it saved. The threads of a stopped process wait there until it is continued.

#include <stdint.h>

#include "kernel/arch.h"
#include "kernel/linux/linux_signal_abi.h"
#include "kernel/linux/linux_signal_state.h"
#include "kernel/sched.h"
#include "kernel/timer.h"
#include "kernel/wait_queue.h"

namespace kernel {

class LinuxProcess;
class Process;
class Thread;

struct LinuxProcessSignals {
  // Real-time signals queued at once, for the process and its threads together (Linux's
  // RLIMIT_SIGPENDING, which getrlimit reports): sigqueue beyond is EAGAIN.
  static constexpr size_t kMaxQueued = 64;
  struct Queued {
    int signal;
    uint64_t thread;  // the Thread::id it was sent to (tgkill, rt_tgsigqueueinfo), or 0
    LinuxSignalInfo info;
  };

  uint64_t pending = 0;
  LinuxSignalInfo info[LinuxThreadSignals::kSignals] = {};  // the standard signals'
  Queued queue[kMaxQueued] = {};                            // oldest first
  size_t queued = 0;
  // Stopped (by a stop signal's default action): its threads wait on continued.
  bool stopped = false;
  WaitQueue continued;
  // What the parent's wait4/waitid has yet to report (WUNTRACED, WCONTINUED): the signal
  // that stopped it (0: none), or that it was continued.
  int stop_report = 0;
  bool continue_report = false;
  // ITIMER_REAL (alarm, setitimer): SIGALRM to owner at the deadline, then every interval.
  Timer alarm;
  uint64_t alarm_deadline_ns = 0;  // 0: disarmed
  uint64_t alarm_interval_ns = 0;
  Process* alarm_owner = nullptr;  // the process, while the timer is armed
};

// What sending a signal did.
enum class LinuxSent {
  Sent,         // pending (or dropped: ignored), or done (SIGCONT's continuing)
  EndedCaller,  // it ended the caller's own process (the caller then calls thread_exit)
  QueueFull,    // a real-time signal with a si_code other than SI_USER found kMaxQueued
                // queued: not sent (EAGAIN). With SI_USER it is pending without its siginfo.
};
// Sends signal to the Linux process target (pending for the process: any thread that does
// not block it takes it). An ignored signal is dropped, unless every thread blocks it.
// SIGCONT continues a stopped target and drops its pending stop signals; a stop signal
// drops its pending SIGCONT. SIGKILL, and a signal whose default action ends the process
// when it has no handler, end target at once when end_now (kill's case, in a thread's
// context); otherwise that happens when a thread takes it. A stopped target is ended at
// once by SIGKILL only: it takes the others once continued.
LinuxSent linux_signal_process(Process& target, int signal, const LinuxSignalInfo& info,
                               bool end_now) REQUIRES(sched_lock);
// The same for one thread of target (tgkill, SIGPIPE).
LinuxSent linux_signal_thread(Process& target, Thread& thread, int signal,
                              const LinuxSignalInfo& info, bool end_now) REQUIRES(sched_lock);
// A signal the kernel sends to a Linux process on no process's behalf (si_code SI_KERNEL),
// as a terminal sends SIGINT for Ctrl-C or SIGTSTP for Ctrl-Z: ends, stops, continues or
// interrupts it as Linux would. Not for the caller's own process.
void linux_signal_from_kernel(Process& target, int signal) REQUIRES(sched_lock);
// A signal the calling thread cannot refuse (its own fault, a bad rt_sigreturn frame):
// blocked or ignored, it is unblocked and its action reset to the default, so a fault inside
// the handler of that fault ends the process, as on Linux.
void linux_force_signal(LinuxProcess& lp, int signal, const LinuxSignalInfo& info)
    REQUIRES(sched_lock);
// SIGPIPE to the calling thread: a write to a pipe whose reader has gone (the call returns
// EPIPE, and the signal's default action ends the process).
void linux_raise_sigpipe();

// Whether t has work on its way back to user mode: an unblocked signal pending, or its
// process stopped.
bool linux_signals_deliverable(Thread& t, LinuxProcess& lp) REQUIRES(sched_lock);

// Takes the calling thread's deliverable signals before it returns to user mode through
// frame (Thread::user_work was set): ends the process, or runs a handler. Also finishes a
// call interrupted by a signal (EINTR, or restarted).
void linux_deliver_signals(arch::UserFrame& frame);

// exec's reset: handlers go back to the default action, ignored signals stay ignored, the
// mask and pending signals are kept, the alternate stack is dropped (lp's and the calling
// thread's, its only thread after exec).
void linux_signals_reset_for_exec(LinuxProcess& lp) REQUIRES(sched_lock);
// A new thread of the caller's process (clone) or its child's first thread (fork): the
// caller's mask; a fork's child also keeps the alternate stack. Nothing pending.
void linux_signals_inherit(Thread& child, bool forked) REQUIRES(sched_lock);
// The Linux process p is ending: its timer stops, and its parent gets SIGCHLD.
void linux_signals_process_ended(Process& p) REQUIRES(sched_lock);
// A thread of lp's process ends: the real-time signals queued for it alone go.
void linux_signals_thread_ended(LinuxProcess& lp, Thread& thread) REQUIRES(sched_lock);
// Drops the pending signals of set, of the process and of every thread (an action set to
// ignore them).
void linux_signals_discard(Process& p, uint64_t set) REQUIRES(sched_lock);

// The Linux call being served, for a restart (set by linux_syscall).
void linux_signals_note_call(uint64_t number);

// A call that waits with a mask of its own (rt_sigsuspend, ppoll, pselect6): mask is the
// calling thread's until the call returns, or, when a signal interrupted it
// (result -ERESTARTNOHAND), until the handler that signal runs has returned.
void linux_signals_mask_during_call(LinuxProcess& lp, uint64_t mask);
void linux_signals_call_done(LinuxProcess& lp, int64_t result);

// Takes a pending signal of set for the calling thread (its own first; the lowest number,
// the oldest instance of a real-time one), without running any action: its number, and
// its siginfo in *out; 0 when none is pending.
int linux_take_signal_of(LinuxProcess& lp, uint64_t set, linux_abi::SignalSiginfo* out)
    REQUIRES(sched_lock);

// Interruptible waits: while one lives, a signal for the calling thread makes its waits
// fail with Killed (the call then returns a restart code). Linux's "interruptible sleep".
class LinuxInterruptible {
 public:
  LinuxInterruptible();
  ~LinuxInterruptible();
  LinuxInterruptible(const LinuxInterruptible&) = delete;
  LinuxInterruptible& operator=(const LinuxInterruptible&) = delete;
};

namespace linux_calls {

int64_t rt_sigaction(LinuxProcess& lp, uint64_t signal, uint64_t act, uint64_t old,
                     uint64_t sigsetsize);
int64_t rt_sigprocmask(LinuxProcess& lp, uint64_t how, uint64_t set, uint64_t old,
                       uint64_t sigsetsize);
int64_t rt_sigpending(LinuxProcess& lp, uint64_t set, uint64_t sigsetsize);
int64_t rt_sigsuspend(LinuxProcess& lp, uint64_t mask, uint64_t sigsetsize);
int64_t rt_sigtimedwait(LinuxProcess& lp, uint64_t set, uint64_t info, uint64_t timeout,
                        uint64_t sigsetsize);
int64_t pause();
int64_t sigaltstack(uint64_t stack, uint64_t old);
int64_t rt_sigreturn(LinuxProcess& lp);
int64_t alarm(LinuxProcess& lp, uint64_t seconds);
int64_t setitimer(LinuxProcess& lp, uint64_t which, uint64_t value, uint64_t old);
int64_t getitimer(LinuxProcess& lp, uint64_t which, uint64_t value);
// kill, tgkill and tkill: to the caller itself, its children, its own threads.
int64_t kill(LinuxProcess& lp, uint64_t pid, uint64_t signal);
int64_t tgkill(LinuxProcess& lp, uint64_t tgid, uint64_t tid, uint64_t signal);
int64_t tkill(LinuxProcess& lp, uint64_t tid, uint64_t signal);
// rt_sigqueueinfo, rt_tgsigqueueinfo: a signal with the caller's siginfo, to the same
// targets. A si_code of the kernel's (>= 0) or SI_TKILL only to the caller itself (EPERM).
int64_t rt_sigqueueinfo(LinuxProcess& lp, uint64_t pid, uint64_t signal, uint64_t info);
int64_t rt_tgsigqueueinfo(LinuxProcess& lp, uint64_t tgid, uint64_t tid, uint64_t signal,
                          uint64_t info);

}  // namespace linux_calls

}  // namespace kernel
