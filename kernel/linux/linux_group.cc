// Process groups and sessions (docs/linux.md, "Process groups and sessions"): setpgid,
// getpgid, getpgrp, setsid, getsid, and the groups kill, wait4 and the terminal name. A
// process's group and session are LinuxProcess's; a group is found by walking every Linux
// process (linux_processes()), which kill(-group) and the terminal's signals do.

#include "kernel/linux/linux_calls.h"
#include "kernel/linux/linux_process.h"
#include "kernel/linux/linux_signal.h"
#include "kernel/process.h"
#include "kernel/syscall.h"

namespace kernel {

using namespace linux_abi;

int linux_signal_group(uint64_t pgid, int signal, const Silo* silo, const LinuxTty* tty,
                       const LinuxSignalInfo& info, bool* ended_self) {
  Process* self = &current_process();
  int sent = 0;
  linux_processes().for_each([&](LinuxProcess* lp) NO_THREAD_SAFETY_ANALYSIS {
    Process* p = lp->owner();
    if (lp->pgid() != pgid || p->terminated()) return;
    if ((silo && &p->silo() != silo) || (tty && lp->tty() != tty)) return;
    ++sent;
    const LinuxSent r = linux_signal_process(*p, signal, info, true);
    if (r == LinuxSent::EndedCaller && p == self && ended_self) *ended_self = true;
  });
  return sent;
}

bool linux_group_in_session(uint64_t pgid, uint64_t sid) {
  bool found = false;
  linux_processes().for_each([&](LinuxProcess* lp) NO_THREAD_SAFETY_ANALYSIS {
    found |= lp->pgid() == pgid && lp->sid() == sid && !lp->owner()->terminated();
  });
  return found;
}

bool linux_group_orphaned(uint64_t pgid, uint64_t sid) {
  bool orphaned = true;
  linux_processes().for_each([&](LinuxProcess* lp) NO_THREAD_SAFETY_ANALYSIS {
    if (lp->pgid() != pgid || lp->owner()->terminated()) return;
    Process* parent = lp->family().parent();
    const LinuxProcess* up = parent && !parent->terminated() ? parent->linux_process() : nullptr;
    if (up && up->pgid() != pgid && up->sid() == sid) orphaned = false;
  });
  return orphaned;
}

namespace {

// The live Linux process pid of the caller's silo, or null.
LinuxProcess* find(uint64_t pid) REQUIRES(sched_lock) {
  const Silo* silo = &current_process().silo();
  LinuxProcess* found = nullptr;
  linux_processes().for_each([&](LinuxProcess* lp) NO_THREAD_SAFETY_ANALYSIS {
    Process* p = lp->owner();
    if (p->id() == pid && &p->silo() == silo && !p->terminated()) found = lp;
  });
  return found;
}

}  // namespace

namespace linux_calls {

int64_t setpgid(LinuxProcess& lp, uint64_t pid_arg, uint64_t pgid_arg) {
  // pid_t is 32 bits: the registers' upper halves are not the caller's.
  const int32_t pid = static_cast<int32_t>(pid_arg), pgid = static_cast<int32_t>(pgid_arg);
  if (pid < 0 || pgid < 0) return -kEinval;
  const uint64_t self = current_process().id();
  SpinlockGuard guard(sched_lock);
  LinuxProcess* target = &lp;
  if (pid != 0 && uint64_t(pid) != self) {
    // Only the caller or a child of its, and a child that has not called exec.
    Process* child = lp.family().child(uint64_t(pid));
    if (!child || child->terminated() || !child->linux_process()) return -kEsrch;
    target = child->linux_process();
    if (target->sid() != lp.sid()) return -kEperm;
    if (target->has_execed()) return -kEacces;
  }
  const uint64_t id = target->owner()->id();
  const uint64_t group = pgid == 0 ? id : uint64_t(pgid);
  if (target->sid() == id) return -kEperm;  // a session leader keeps its group
  // A new group is named after the process; an existing one must be in the session.
  if (group != id && !linux_group_in_session(group, lp.sid())) return -kEperm;
  target->set_pgid(group);
  return 0;
}

int64_t getpgid(LinuxProcess& lp, uint64_t pid_arg) {
  const int32_t pid = static_cast<int32_t>(pid_arg);
  if (pid < 0) return -kEsrch;
  SpinlockGuard guard(sched_lock);
  if (pid == 0) return int64_t(lp.pgid());
  const LinuxProcess* p = find(uint64_t(pid));
  return p ? int64_t(p->pgid()) : -kEsrch;
}

int64_t getsid(LinuxProcess& lp, uint64_t pid_arg) {
  const int32_t pid = static_cast<int32_t>(pid_arg);
  if (pid < 0) return -kEsrch;
  SpinlockGuard guard(sched_lock);
  if (pid == 0) return int64_t(lp.sid());
  const LinuxProcess* p = find(uint64_t(pid));
  return p ? int64_t(p->sid()) : -kEsrch;
}

int64_t setsid(LinuxProcess& lp) {
  const uint64_t self = current_process().id();
  SpinlockGuard guard(sched_lock);
  // A group leader, or a process whose id names a group still, may not: its group's other
  // members would be left in another session.
  bool named = lp.pgid() == self;
  linux_processes().for_each([&](LinuxProcess* other) NO_THREAD_SAFETY_ANALYSIS {
    named |= other->pgid() == self && !other->owner()->terminated();
  });
  if (named) return -kEperm;
  lp.new_session(self);
  return int64_t(self);
}

}  // namespace linux_calls
}  // namespace kernel
