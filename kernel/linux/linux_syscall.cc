// The Linux personality's entry: every `syscall` of a process started as Linux arrives here
// (kernel/syscall.cc routes it), is served with Linux's numbers and semantics, and returns
// the value or -errno. A call not served returns -ENOSYS and is counted by number; the counts
// are logged when the process ends (docs/linux.md).

#include <lib/format.h>

#include "kernel/linux/linux_calls.h"
#include "kernel/linux/linux_exec.h"
#include "kernel/linux/linux_signal.h"
#include "kernel/linux/linux_signal_abi.h"
#include "kernel/linux/linux_socket.h"
#include "kernel/linux/linux_task_abi.h"
#include "kernel/linux/linux_task_calls.h"
#include "kernel/syscall.h"
#include "kernel/thread.h"
#include "kernel/wall_clock.h"

namespace kernel {

using namespace linux_abi;

namespace linux_calls {

int64_t errno_of(lib::Error e) {
  switch (e) {
    case lib::Error::Fault: return -kEfault;
    case lib::Error::NoMemory:
    case lib::Error::QuotaExceeded:
    case lib::Error::NoResources: return -kEnomem;
    case lib::Error::InvalidArgument:
    case lib::Error::OutOfRange:
    case lib::Error::TooLarge:
    case lib::Error::BufferTooSmall:
    case lib::Error::NotSupported: return -kEinval;
    case lib::Error::AlreadyExists: return -kEexist;
    case lib::Error::NotFound: return -kEnoent;
    case lib::Error::PeerClosed: return -kEpipe;
    case lib::Error::Killed: return -kEintr;
    case lib::Error::Busy:
    case lib::Error::WouldBlock:
    case lib::Error::TimedOut: return -kEagain;
    case lib::Error::BadHandle:
    case lib::Error::WrongType:
    case lib::Error::AccessDenied: return -kEbadf;
  }
  return -kEinval;
}

}  // namespace linux_calls

namespace {

namespace calls = linux_calls;

// exit_group: ends the process and all its threads (exit ends one thread:
// linux_thread.cc). The status is the low byte, as wait() reports it on Linux.
[[noreturn]] void exit_process(uint64_t status) {
  const int64_t code = static_cast<int64_t>(status & 0xff);
  {
    SpinlockGuard guard(sched_lock);
    current_process().terminate(code, ExitReason::Exited, "exit", 0, 0);
  }
  thread_exit(static_cast<int>(code));
}

int64_t arch_prctl(uint64_t code, uint64_t address) {
  switch (code) {
    case kArchSetFs:
      if (address >= arch::kUserTop) return -kEperm;  // Linux: not a user address
      sched::current()->set_user_tls_base(address);
      arch::set_user_tls_base(address);
      return 0;
    case kArchGetFs: {
      const uint64_t base = sched::current()->user_tls_base();
      return UserOut<uint64_t>(address).write(&base).ok() ? 0 : -kEfault;
    }
    default: return -kEinval;  // GS is not served (docs/linux.md)
  }
}

int64_t uname(uint64_t address) {
  Utsname u{};
  lib::format_to(u.sysname, sizeof(u.sysname), "Linux");
  lib::format_to(u.nodename, sizeof(u.nodename), "stellina");
  // What C libraries check before they run (glibc refuses kernels older than 3.2).
  lib::format_to(u.release, sizeof(u.release), "6.1.0-stellina");
  lib::format_to(u.version, sizeof(u.version), "#1 Stellina Linux personality");
  lib::format_to(u.machine, sizeof(u.machine), "x86_64");
  lib::format_to(u.domainname, sizeof(u.domainname), "(none)");
  return UserOut<Utsname>(address).write(&u).ok() ? 0 : -kEfault;
}

int64_t clock_gettime(uint64_t clock, uint64_t address) {
  uint64_t ns;
  switch (clock) {
    case kClockRealtime:
    case kClockRealtimeCoarse: ns = wall_clock_ns(); break;
    case kClockMonotonic:
    case kClockMonotonicRaw:
    case kClockMonotonicCoarse:
    case kClockBoottime: ns = arch::now_ns(); break;
    case kClockProcessCputime:
    case kClockThreadCputime: ns = sched::current()->runtime_ns(); break;
    default: return -kEinval;
  }
  const Timespec t{static_cast<int64_t>(ns / 1'000'000'000),
                   static_cast<int64_t>(ns % 1'000'000'000)};
  return UserOut<Timespec>(address).write(&t).ok() ? 0 : -kEfault;
}

int64_t getrandom(uint64_t buffer, uint64_t count, uint64_t flags) {
  if (flags & ~(kGrndNonblock | kGrndRandom | kGrndInsecure)) return -kEinval;
  // Linux returns at most 32 MiB - 1 per call; a page at a time here.
  uint64_t done = 0;
  uint8_t bytes[256];
  const uint64_t limit = count < (uint64_t{32} << 20) - 1 ? count : (uint64_t{32} << 20) - 1;
  while (done < limit) {
    const uint64_t n = limit - done < sizeof(bytes) ? limit - done : sizeof(bytes);
    linux_random_bytes(bytes, n);
    if (!UserOut<uint8_t>(buffer + done).write(bytes, n).ok())
      return done ? int64_t(done) : -kEfault;
    done += n;
  }
  return int64_t(done);
}

// Reports no limit but the stack's, the descriptors' (the table's size, which open and
// dup enforce) and the queued real-time signals' (RLIMIT_SIGPENDING); setting one is accepted only
// for this process (pid 0 or its own) and not enforced.
int64_t prlimit64(uint64_t pid, uint64_t resource, uint64_t new_limit, uint64_t old_limit) {
  if (resource >= kRlimits) return -kEinval;
  if (pid != 0 && pid != current_process().id()) return -kEsrch;
  Rlimit requested;
  if (new_limit && !UserIn<Rlimit>(new_limit).read(&requested).ok()) return -kEfault;
  if (new_limit && requested.cur > requested.max) return -kEinval;
  Rlimit limit{kRlimInfinity, kRlimInfinity};
  if (resource == kRlimitStack) limit = {LinuxProcess::kStackSize, kRlimInfinity};
  if (resource == kRlimitNofile) limit = {LinuxFdTable::kMaxFds, LinuxFdTable::kMaxFds};
  if (resource == kRlimitSigpending)
    limit = {LinuxProcessSignals::kMaxQueued, LinuxProcessSignals::kMaxQueued};
  if (old_limit && !UserOut<Rlimit>(old_limit).write(&limit).ok()) return -kEfault;
  return 0;
}

int64_t dispatch(LinuxProcess& lp, uint64_t n, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
                 uint64_t a4, uint64_t a5) {
  switch (n) {
    case kRead: return calls::read(lp, a0, a1, a2);
    case kWrite: return calls::write(lp, a0, a1, a2);
    case kWritev: return calls::writev(lp, a0, a1, a2);
    case kReadv: return calls::readv(lp, a0, a1, a2);
    case kPread64: return calls::pread64(lp, a0, a1, a2, a3);
    case kPwrite64: return calls::pwrite64(lp, a0, a1, a2, a3);
    case kGetrlimit: return prlimit64(0, a0, 0, a1);
    case kSendfile: return calls::sendfile(lp, a0, a1, a2, a3);
    case kIoctl: return calls::ioctl(lp, a0, a1, a2);
    case kPoll: return calls::poll(lp, a0, a1, a2);
    case kPpoll: return calls::ppoll(lp, a0, a1, a2, a3);
    case kBrk: return calls::brk(lp, a0);
    case kMmap: return calls::mmap(lp, a0, a1, a2, a3, a4, a5);
    case kMunmap: return calls::munmap(a0, a1);
    case kMprotect: return calls::mprotect(a0, a1, a2);
    case kSysinfo: return calls::sysinfo(a0);
    case kLink: return calls::linkat(lp, kAtFdcwd, a0, kAtFdcwd, a1, 0);
    case kLinkat: return calls::linkat(lp, int64_t(int32_t(a0)), a1, int64_t(int32_t(a2)), a3, a4);
    case kExit: calls::exit_thread(lp, a0);
    case kExitGroup: exit_process(a0);
    case kArchPrctl: return arch_prctl(a0, a1);
    case kSetTidAddress: return calls::set_tid_address(lp, a0);
    case kSetRobustList:
      if (a1 != 24) return -kEinval;  // sizeof(struct robust_list_head)
      lp.set_robust_list(a0);
      return 0;
    // The process id is the kernel object's; a thread's id is the process's for its first
    // thread, as on Linux (linux_thread.cc).
    case kGetpid: return int64_t(current_process().id());
    case kGettid: return calls::gettid(lp);
    case kGetppid: return int64_t(lp.parent_id());
    // Process groups and sessions (linux_group.cc).
    case kSetpgid: return calls::setpgid(lp, a0, a1);
    case kGetpgid: return calls::getpgid(lp, a0);
    case kGetpgrp: return calls::getpgid(lp, 0);
    case kSetsid: return calls::setsid(lp);
    case kGetsid: return calls::getsid(lp, a0);
    // Every Linux process runs as root: Stellina's authority is handles, not user ids.
    case kGetuid:
    case kGeteuid:
    case kGetgid:
    case kGetegid: return 0;
    case kUname: return uname(a0);
    case kClockGettime: return clock_gettime(a0, a1);
    case kGetrandom: return getrandom(a0, a1, a2);
    case kRtSigaction: return calls::rt_sigaction(lp, a0, a1, a2, a3);
    case kRtSigprocmask: return calls::rt_sigprocmask(lp, a0, a1, a2, a3);
    case kPrlimit64: return prlimit64(a0, a1, a2, a3);
    // Processes and threads (linux_fork.cc, linux_thread.cc).
    case kClone: return calls::clone(lp, a0, a1, a2, a3, a4);
    case kFork: return calls::fork(lp);
    case kVfork: return calls::vfork(lp);
    case kWait4: return calls::wait4(lp, a0, a1, a2, a3);
    case kWaitid: return calls::waitid(lp, a0, a1, a2, a3, a4);
    // Signals (linux_signal_calls.cc).
    case kKill: return calls::kill(lp, a0, a1);
    case kTgkill: return calls::tgkill(lp, a0, a1, a2);
    case kTkill: return calls::tkill(lp, a0, a1);
    case kRtSigpending: return calls::rt_sigpending(lp, a0, a1);
    case kRtSigsuspend: return calls::rt_sigsuspend(lp, a0, a1);
    case kRtSigtimedwait: return calls::rt_sigtimedwait(lp, a0, a1, a2, a3);
    case kRtSigqueueinfo: return calls::rt_sigqueueinfo(lp, a0, a1, a2);
    case kRtTgsigqueueinfo: return calls::rt_tgsigqueueinfo(lp, a0, a1, a2, a3);
    case kPause: return calls::pause();
    case kSigaltstack: return calls::sigaltstack(a0, a1);
    case kRtSigreturn: return calls::rt_sigreturn(lp);
    case kAlarm: return calls::alarm(lp, a0);
    case kSetitimer: return calls::setitimer(lp, a0, a1, a2);
    case kGetitimer: return calls::getitimer(lp, a0, a1);
    case kFutex: return calls::futex(a0, a1, a2, a3, a4, a5);
    case kNanosleep: return calls::nanosleep(a0, a1);
    case kClockNanosleep: return calls::clock_nanosleep(a0, a1, a2, a3);
    case kSchedYield: return calls::sched_yield();
    case kExecve: return calls::execve(lp, a0, a1, a2);
    case kExecveat: return calls::execveat(lp, int64_t(int32_t(a0)), a1, a2, a3, a4);
    // Files (linux_files.cc) and, beyond them, the calls not served.
    default: {
      const int64_t result = calls::file_syscall(lp, n, a0, a1, a2, a3, a4);
      if (result != calls::kNotAFileCall) return result;
      const int64_t net = calls::socket_syscall(lp, n, a0, a1, a2, a3, a4, a5);
      if (net != calls::kNotAFileCall) return net;
      lp.count_unimplemented(n);
      return -kEnosys;
    }
  }
}

}  // namespace

int64_t linux_syscall(uint64_t number, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
                      uint64_t a4, uint64_t a5) {
  linux_signals_note_call(number);  // a call a signal interrupts restarts with it
  return dispatch(*current_process().linux_process(), number, a0, a1, a2, a3, a4, a5);
}

}  // namespace kernel
