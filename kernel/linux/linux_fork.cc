// fork, vfork and clone, and wait4. A forked child is a new Process in its parent's silo
// (its quotas hold: a thread it cannot charge is EAGAIN, memory it cannot charge ENOMEM),
// with a copy of the parent's address space (AddressSpace::clone_for_fork), a copy of its
// descriptor table, namespace session, break and signal state, and one thread that resumes from the
// parent's system call with 0 in rax. A thread (clone with CLONE_VM | CLONE_THREAD) is a new Thread
// of the calling process that resumes the same way on the stack it was given.

#include "kernel/arch.h"
#include "kernel/heap.h"
#include "kernel/linux/linux_calls.h"
#include "kernel/linux/linux_signal.h"
#include "kernel/linux/linux_signal_abi.h"
#include "kernel/linux/linux_task_abi.h"
#include "kernel/linux/linux_task_calls.h"
#include "kernel/syscall.h"
#include "kernel/thread.h"

namespace kernel::linux_calls {

namespace abi = stellina::abi;
using namespace linux_abi;

namespace {

// How a new thread (a fork's child or a clone'd thread) enters user mode.
struct ChildStart {
  arch::UserFrame frame;   // the caller's registers at its call, returning 0
  uint64_t tls_base;       // FS: the caller's, or clone's tls argument
  uint64_t set_child_tid;  // CLONE_CHILD_SETTID: where the new thread writes its id (0: no)
  uint32_t tid;
};

// Runs first on the new thread: writes its id where asked, in its own memory (a bad address
// is ignored, as Linux ignores it), and resumes the frame.
void child_main(void* arg) {
  ChildStart start;
  __builtin_memcpy(&start, arg, sizeof(start));
  heap::free(arg);
  on_return_to_user();  // its process ended before it ran: it ends here
  sched::current()->set_user_tls_base(start.tls_base);
  arch::set_user_tls_base(start.tls_base);
  if (start.set_child_tid) (void)UserOut<uint32_t>(start.set_child_tid).write(&start.tid);
  arch::resume_user_frame(start.frame);
}

// Whether a thread may start with base in FS: child_main loads it into the CPU, where a
// non-canonical address faults in the kernel (arch_prctl refuses the same addresses).
bool valid_tls_base(uint64_t base) { return base < arch::kUserTop; }

// The calling thread's frame, returning 0 on stack (0: the same stack) in the new thread.
lib::Result<ChildStart*> child_start(uint64_t stack, uint64_t tls_base, uint64_t set_child_tid) {
  auto* start = static_cast<ChildStart*>(TRY(heap::alloc(sizeof(ChildStart))));
  arch::syscall_user_frame(sched::current()->stack().top(), &start->frame);
  arch::set_user_frame_result(&start->frame, 0, stack);
  start->tls_base = tls_base;
  start->set_child_tid = set_child_tid;
  start->tid = 0;
  return start;
}

// A thread the silo cannot take (its threads quota, or the memory of the thread itself) is
// Linux's "too many processes", EAGAIN, as are the family's bounds.
int64_t fork_errno(lib::Error e) {
  if (e == lib::Error::QuotaExceeded || e == lib::Error::NoResources) return -kEagain;
  return errno_of(e);
}

// Memory the child's copy or state could not be charged: ENOMEM, as Linux's fork says when
// it cannot copy the parent.
lib::Error as_no_memory(lib::Error e) {
  return e == lib::Error::QuotaExceeded ? lib::Error::NoMemory : e;
}

// A second handle in child to the object behind the parent's handle h (kInvalidHandle for
// kInvalidHandle, or when h was closed meanwhile).
lib::Result<abi::Handle> duplicate_into(Process& parent, Process& child, abi::Handle h)
    REQUIRES(sched_lock) {
  if (h == abi::kInvalidHandle) return abi::kInvalidHandle;
  auto entry = parent.handles().lookup(h, 0);
  if (!entry.ok()) return abi::kInvalidHandle;
  return child.handles().install(static_cast<Object*>(entry.value().object), entry.value().rights);
}

// The child's Linux state: a copy of its parent's descriptor table (LinuxFdTable::
// copy_for_fork: each description's handle duplicated into the child, so a pipe's reader sees
// its end only when every process holding a writer has closed it; close-on-exec entries
// kept, as they close only on exec), its namespace session, current directory, umask, break
// and signal dispositions. On an error the child's handles are closed by the caller.
lib::Result<void> give_linux_state(LinuxProcess& lp, Process& parent, Process& child) {
  abi::Handle session, names;
  {
    SpinlockGuard guard(sched_lock);
    session = TRY(duplicate_into(parent, child, lp.files()));
    names = TRY(duplicate_into(parent, child, lp.names()));
  }
  const abi::Handle no_streams[3] = {abi::kInvalidHandle, abi::kInvalidHandle, abi::kInvalidHandle};
  LinuxProcess* state = TRY(LinuxProcess::create(child.silo(), no_streams, session, lp.exe(),
                                                 lp.brk_start(), parent.id()));
  child.set_linux_process(state);  // freed with the child from here on
  state->set_names(names);
  state->set_brk(lp.brk());
  state->set_cwd(lp.cwd(), __builtin_strlen(lp.cwd()));
  state->set_umask(lp.umask());
  SpinlockGuard guard(sched_lock);
  state->join(child, lp.pgid(), lp.sid(), lp.tty());  // the parent's group, session, terminal
  for (uint64_t s = 1; s <= kSignals; ++s) state->action(s) = lp.action(s);
  return lp.fds().copy_for_fork(state->fds(), parent.handles(), child.handles());
}

// SIGCHLD's action is SIG_IGN, or its flags hold SA_NOCLDWAIT: Linux reaps the children.
bool ignores_child_ends(LinuxProcess& lp) {
  constexpr uint64_t kSigIgn = 1, kSaNocldwait = 2;
  const Sigaction& action = lp.action(kSigChld);
  return action.handler == kSigIgn || (action.flags & kSaNocldwait);
}

// Makes the child process and starts its thread, which takes start (start is null then).
// Returns its process id. Errors: those of the copy and of the thread's charge, Killed (the
// parent ended meanwhile).
lib::Result<uint64_t> start_child(LinuxProcess& lp, Process& parent, ChildStart*& start,
                                  uint64_t clear_child_tid) {
  AddressSpace* space;
  {
    SpinlockGuard guard(sched_lock);
    // Children of a process that ignores SIGCHLD are reaped by nobody (Linux frees them as
    // they end): the ended ones give their slots back here, before a fork needs one.
    if (ignores_child_ends(lp)) lp.family().reap_ended();
    TRY(lp.family().reserve_child());  // given back on every failure below
    auto cloned = parent.address_space().clone_for_fork();
    if (!cloned.ok()) {
      lp.family().cancel_child();
      return as_no_memory(cloned.error());
    }
    space = cloned.value();
  }
  auto created_process =
      Process::create_with_space(parent.name(), Ref<Channel>(), Ref<Silo>(&parent.silo()), space);
  if (!created_process.ok()) {
    SpinlockGuard guard(sched_lock);
    lp.family().cancel_child();
    return as_no_memory(created_process.error());
  }
  Process* child = created_process.value();
  auto made = give_linux_state(lp, parent, *child);
  if (!made.ok()) made = as_no_memory(made.error());
  Thread* thread = nullptr;
  if (made.ok()) {
    start->tid = static_cast<uint32_t>(child->id());
    auto created = Thread::create_in_process(child, child_main, start);
    if (created.ok()) thread = created.value();
    if (!created.ok()) made = created.error();
  }
  if (!made.ok()) {
    SpinlockGuard guard(sched_lock);
    lp.family().cancel_child();
    child->handles().close_all();  // the descriptors' second handles: pipe readers must see
    child->release();              // them close (a table's destructor frees, not closes)
    return made.error();
  }
  const uint64_t pid = child->id();
  bool parent_ended;
  {
    SpinlockGuard guard(sched_lock);
    // The parent may have ended meanwhile (another of its threads called exit_group): its
    // children were let go then, and this one must not point at it either. The child ends
    // before it runs (its thread sees a terminated process) and nobody will reap it.
    parent_ended = parent.terminated();
    if (parent_ended) {
      lp.family().cancel_child();
      child->terminate(0, ExitReason::Killed, "its parent ended during fork", 0, 0);
    } else {
      LinuxProcess& state = *child->linux_process();
      linux_signals_inherit(*thread, true);
      state.family().set_parent(&parent);
      state.set_clear_child_tid(clear_child_tid);
      lp.family().add_child(child);  // the creation reference: the parent's until it reaps
    }
  }
  thread->detach();
  thread->start();
  start = nullptr;  // the thread's now (child_main frees it)
  if (parent_ended) {
    SpinlockGuard guard(sched_lock);
    child->release();  // the creation reference: its thread holds the process until it ends
    return lib::Error::Killed;
  }
  return pid;
}

// A new process: fork, vfork, and clone without CLONE_VM (or with it and CLONE_VFORK, which
// gets a copy too). With vfork the parent waits until the child has called exec or ended,
// which keeps vfork's order; the child's memory is its own, not the parent's.
int64_t fork_process(LinuxProcess& lp, uint64_t flags, uint64_t stack, uint64_t parent_tid,
                     uint64_t child_tid, uint64_t tls) {
  Process& parent = current_process();
  const uint64_t tls_base = (flags & kCloneSettls) ? tls : sched::current()->user_tls_base();
  if (!valid_tls_base(tls_base)) return -kEperm;
  auto start = child_start(stack, tls_base, (flags & kCloneChildSettid) ? child_tid : 0);
  if (!start.ok()) return -kEnomem;
  ChildStart* start_block = start.value();
  auto pid = start_child(lp, parent, start_block, (flags & kCloneChildCleartid) ? child_tid : 0);
  if (!pid.ok()) {
    if (start_block) heap::free(start_block);
    return fork_errno(pid.error());
  }
  if (flags & kCloneParentSettid) {
    const auto id = static_cast<uint32_t>(pid.value());
    (void)UserOut<uint32_t>(parent_tid).write(&id);
  }
  if (flags & kCloneVfork) {
    SpinlockGuard guard(sched_lock);
    bool any = false;
    while (!lp.family().ended_child(int64_t(pid.value()), &any) && any) {
      // The child's exec releases its parent as its end does (linux_exec.cc wakes it).
      const Process* child = lp.family().child(pid.value());
      if (child && child->linux_process()->has_execed()) break;
      if (!lp.family().child_events().wait().ok()) break;  // the parent is ending
    }
  }
  return int64_t(pid.value());
}

// A thread of the calling process, on stack, with CLONE_SETTLS's tls, writing its id to
// parent_tid (CLONE_PARENT_SETTID) and child_tid (CLONE_CHILD_SETTID), and clearing
// child_tid at its end (CLONE_CHILD_CLEARTID).
int64_t clone_thread(LinuxProcess& lp, uint64_t flags, uint64_t stack, uint64_t parent_tid,
                     uint64_t child_tid, uint64_t tls) {
  Process& process = current_process();
  const uint64_t tls_base = (flags & kCloneSettls) ? tls : sched::current()->user_tls_base();
  if (!valid_tls_base(tls_base)) return -kEperm;
  auto start = child_start(stack, tls_base, (flags & kCloneChildSettid) ? child_tid : 0);
  if (!start.ok()) return -kEnomem;
  // The thread's slot in the family is taken first (under a key no thread id can have: the
  // start block's address), so a full family fails the call before a thread exists.
  const auto reserved = reinterpret_cast<uintptr_t>(start.value());
  lib::Result<void> added;
  {
    SpinlockGuard guard(sched_lock);
    added = lp.family().add_thread(reserved, (flags & kCloneChildCleartid) ? child_tid : 0);
  }
  auto created = added.ok() ? Thread::create_in_process(&process, child_main, start.value())
                            : lib::Result<Thread*>(added.error());
  if (!created.ok()) {
    heap::free(start.value());
    SpinlockGuard guard(sched_lock);
    lp.family().remove_thread(reserved);
    return fork_errno(created.error());
  }
  Thread* thread = created.value();
  const uint64_t tid = LinuxFamily::kThreadIdBase + thread->id();
  start.value()->tid = static_cast<uint32_t>(tid);
  {
    SpinlockGuard guard(sched_lock);
    lp.family().rename_thread(reserved, thread->id());
    linux_signals_inherit(*thread, false);
  }
  if (flags & kCloneParentSettid) {
    const auto id = static_cast<uint32_t>(tid);
    (void)UserOut<uint32_t>(parent_tid).write(&id);
  }
  thread->detach();
  thread->start();
  return int64_t(tid);
}

}  // namespace

int64_t clone(LinuxProcess& lp, uint64_t flags, uint64_t stack, uint64_t parent_tid,
              uint64_t child_tid, uint64_t tls) {
  constexpr uint64_t kServed = kCsignal | kCloneThreadShares | kCloneVfork | kCloneSettls |
                               kCloneParentSettid | kCloneChildCleartid | kCloneChildSettid |
                               kCloneDetached;
  if (flags & ~kServed) return -kEinval;
  if (flags & kCloneThread) {
    // A thread shares everything a thread must (Linux's rules: THREAD needs SIGHAND, which
    // needs VM); files and fs are shared whether asked or not: there is one table.
    if ((flags & (kCloneVm | kCloneSighand)) != (kCloneVm | kCloneSighand)) return -kEinval;
    return clone_thread(lp, flags, stack, parent_tid, child_tid, tls);
  }
  if (flags & kCloneSighand) return -kEinval;
  // CLONE_VM without a thread is served only with CLONE_VFORK (posix_spawn's), as vfork:
  // the child runs on its own copy, on the stack given (glibc's clone wrapper left the
  // function to run there, and the copy holds it at the same address).
  if ((flags & kCloneVm) && !(flags & kCloneVfork)) return -kEinval;
  return fork_process(lp, flags, (flags & kCloneVm) ? stack : 0, parent_tid, child_tid, tls);
}

int64_t fork(LinuxProcess& lp) { return fork_process(lp, kSigChld, 0, 0, 0, 0); }

int64_t vfork(LinuxProcess& lp) { return fork_process(lp, kCloneVfork | kSigChld, 0, 0, 0, 0); }

namespace {

// Linux's wait status for how p ended: the exit code in bits 8-15, or the signal that ended
// it in the low 7 bits (a fault is SIGSEGV; a page over the silo's quota SIGKILL, as the OOM
// killer's).
uint32_t wait_status(Process& p) REQUIRES(sched_lock) {
  const int killed = p.linux_process()->family().killed_by();
  if (killed) return uint32_t(killed);
  const abi::ProcessExit& e = p.exit_record();
  switch (e.reason) {
    case abi::ExitReason::Exited: return uint32_t(e.code & 0xff) << 8;
    case abi::ExitReason::Fault: return kSigSegv;
    case abi::ExitReason::Killed:
    case abi::ExitReason::QuotaExceeded: return uint32_t(kSigKill);
  }
  return uint32_t(kSigKill);
}

}  // namespace

namespace {

// The caller's group as wait_child names it.
int64_t own_group(LinuxProcess& lp) {
  SpinlockGuard guard(sched_lock);
  return -int64_t(lp.pgid());
}

// A child reported by a wait: its id, wait status and what it told (an end reaps the child
// unless the wait only looks: keep).
struct Waited {
  int64_t pid;  // 0: none had anything to tell (no_hang), -errno: an error
  uint32_t status;
  LinuxFamily::Event event;
};

// What child tells of event as a wait status (Linux's encoding: an end's as wait_status
// says, a stop's 0x7f with the signal above, a continue's 0xffff); the telling done unless
// keep.
uint32_t tell(Process& child, LinuxFamily::Event event, bool keep) REQUIRES(sched_lock) {
  LinuxProcessSignals& ps = child.linux_process()->signals();
  switch (event) {
    case LinuxFamily::kEnded: return wait_status(child);
    case LinuxFamily::kStopped: {
      const uint32_t status = uint32_t(ps.stop_report) << 8 | 0x7f;
      if (!keep) ps.stop_report = 0;
      return status;
    }
    case LinuxFamily::kContinued:
      if (!keep) ps.continue_report = false;
      return 0xffff;
  }
  return 0;
}

// Waits for a child with id pid (-1: any; below -1: of group -pid) to have one of events
// to tell. Errors: ECHILD
// (no such child), ERESTARTSYS (a signal came, or the caller's process is ending).
Waited wait_child(LinuxProcess& lp, int64_t pid, uint32_t events, bool no_hang, bool keep) {
  LinuxInterruptible interruptible;
  SpinlockGuard guard(sched_lock);
  bool interrupted = false;
  for (;;) {
    bool any = false;
    LinuxFamily::Event event;
    if (Process* child = lp.family().child_to_report(pid, events, &event, &any)) {
      const Waited w{int64_t(child->id()), tell(*child, event, keep), event};
      // The last reference may go: under the lock.
      if (event == LinuxFamily::kEnded && !keep) lp.family().reap(child);
      return w;
    }
    if (!any) return {-kEchild, 0, LinuxFamily::kEnded};
    if (no_hang) return {0, 0, LinuxFamily::kEnded};
    // Interrupted: a child that ended with the signal (SIGCHLD) is still reported first.
    if (interrupted) return {-kErestartsys, 0, LinuxFamily::kEnded};
    interrupted = !lp.family().child_events().wait().ok();
  }
}

// The events wait4's and waitid's options ask for (waitid's WSTOPPED is wait4's WUNTRACED).
uint32_t events_of(uint64_t options, uint32_t always) {
  return always | ((options & kWuntraced) ? LinuxFamily::kStopped : 0) |
         ((options & kWcontinued) ? LinuxFamily::kContinued : 0);
}

}  // namespace

int64_t wait4(LinuxProcess& lp, uint64_t pid_arg, uint64_t status, uint64_t options,
              uint64_t rusage) {
  options &= 0xffffffff;  // an int
  if (options & ~(kWnohang | kWuntraced | kWcontinued | kWnothread | kWall | kWclone))
    return -kEinval;
  // pid_t is 32 bits: the register's upper half is not the caller's. 0 is the caller's
  // group, -group a group.
  const auto asked = static_cast<int32_t>(pid_arg);
  const Waited w = wait_child(lp, asked == 0 ? own_group(lp) : asked,
                              events_of(options, LinuxFamily::kEnded), options & kWnohang, false);
  if (w.pid <= 0) return w.pid;
  // Linux reaps the child even when the status cannot be written (it reports EFAULT).
  if (status && !UserOut<uint32_t>(status).write(&w.status).ok()) return -kEfault;
  const Rusage usage{};
  if (rusage && !UserOut<Rusage>(rusage).write(&usage).ok()) return -kEfault;
  return w.pid;
}

int64_t waitid(LinuxProcess& lp, uint64_t which, uint64_t id, uint64_t info, uint64_t options,
               uint64_t rusage) {
  options &= 0xffffffff;
  if (options &
      ~(kWnohang | kWuntraced | kWexited | kWcontinued | kWnowait | kWnothread | kWall | kWclone))
    return -kEinval;
  if (!(options & (kWexited | kWuntraced | kWcontinued))) return -kEinval;
  int64_t pid;
  switch (which) {
    case kPAll: pid = -1; break;
    case kPPid:
      if (static_cast<int32_t>(id) <= 0) return -kEinval;
      pid = static_cast<int32_t>(id);
      break;
    case kPPgid:
      if (static_cast<int32_t>(id) < 0) return -kEinval;
      pid = static_cast<int32_t>(id) == 0 ? own_group(lp) : -int64_t(static_cast<int32_t>(id));
      break;
    default: return -kEinval;  // P_PIDFD: no pidfds
  }
  const uint32_t events = events_of(options, (options & kWexited) ? LinuxFamily::kEnded : 0);
  const Waited w = wait_child(lp, pid, events, options & kWnohang, options & kWnowait);
  if (w.pid < 0) return w.pid;
  // Nothing to tell (WNOHANG): Linux clears the fields a caller tests.
  Siginfo si{};
  if (w.pid > 0) {
    si.signo = kSigChld;
    si.pid = static_cast<int32_t>(w.pid);
    const bool killed = (w.status & 0x7f) != 0;
    switch (w.event) {
      case LinuxFamily::kEnded:
        si.code = killed ? kCldKilled : kCldExited;
        si.status = static_cast<int32_t>(killed ? (w.status & 0x7f) : (w.status >> 8) & 0xff);
        break;
      case LinuxFamily::kStopped:
        si.code = kCldStopped;
        si.status = static_cast<int32_t>((w.status >> 8) & 0xff);
        break;
      case LinuxFamily::kContinued:
        si.code = kCldContinued;
        si.status = kSigCont;
        break;
    }
  }
  if (info && !UserOut<Siginfo>(info).write(&si).ok()) return -kEfault;
  const Rusage usage{};
  if (rusage && !UserOut<Rusage>(rusage).write(&usage).ok()) return -kEfault;
  return 0;
}

}  // namespace kernel::linux_calls
