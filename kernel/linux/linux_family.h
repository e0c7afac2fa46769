#pragma once
// A Linux process's relatives: the process that forked it, the children it forked (kept
// until it reaps them with wait4, or until it ends: Stellina has no init to hand orphans
// to, so an ending process lets go of its children and nobody reaps them), and the threads
// clone made in it. Everything here is read and changed under sched_lock. See docs/linux.md.

#include <lib/result.h>

#include "kernel/object.h"
#include "kernel/wait_queue.h"

namespace kernel {

class Process;
class Thread;

class LinuxFamily {
 public:
  LinuxFamily();
  ~LinuxFamily();  // under sched_lock: unreaped children go with it, parentless
  LinuxFamily(const LinuxFamily&) = delete;
  LinuxFamily& operator=(const LinuxFamily&) = delete;

  // Children a process may have at once, live or not yet reaped: fork beyond is EAGAIN.
  static constexpr size_t kMaxChildren = 64;
  // Threads clone may add to a process (its first thread aside): clone beyond is EAGAIN.
  static constexpr size_t kMaxThreads = 64;
  // Thread ids of threads made by clone: this plus the kernel thread's id, apart from
  // process ids (a process's first thread has the process's id, as on Linux).
  static constexpr uint64_t kThreadIdBase = uint64_t{1} << 22;

  Process* parent() const REQUIRES(sched_lock) { return parent_; }
  void set_parent(Process* parent) REQUIRES(sched_lock) { parent_ = parent; }

  // Takes a slot for a child about to be made: fork makes it outside the lock, so two forks
  // at once must not both count on the last free slot. Errors: NoResources (kMaxChildren,
  // the reserved included).
  lib::Result<void> reserve_child() REQUIRES(sched_lock);
  // Gives back a reserved slot: the child could not be made, or will not be added.
  void cancel_child() REQUIRES(sched_lock);
  // Adopts the creation reference of child into the slot reserve_child took for it.
  void add_child(Process* child) REQUIRES(sched_lock);
  // What a wait asks to hear of a child: that it ended, or stopped or was continued by a
  // signal (kernel/linux/linux_signal.h) since a wait last reported it.
  enum Event : uint32_t { kEnded = 1, kStopped = 2, kContinued = 4 };
  // The first child with process id pid (-1: any; below -1: any of group -pid) with one of events
  // to tell, and which
  // (*found), or null. Sets *any when such a child exists at all.
  Process* child_to_report(int64_t pid, uint32_t events, Event* found, bool* any) const
      REQUIRES(sched_lock);
  // The child with process id pid (-1: any) that has ended, or null; *any as above.
  Process* ended_child(int64_t pid, bool* any) const REQUIRES(sched_lock);
  // The child with process id pid, ended or not, or null.
  Process* child(uint64_t pid) const REQUIRES(sched_lock);
  // Drops the reference to child: it is reaped.
  void reap(Process* child) REQUIRES(sched_lock);
  // Reaps every child that has ended.
  void reap_ended() REQUIRES(sched_lock);
  // Woken when a child ends (wait4 and vfork sleep here).
  WaitQueue& child_events() { return child_events_; }
  // The process ended: its children lose their parent and are let go.
  void orphan_children() REQUIRES(sched_lock);

  // The signal that ended the process (kill, tgkill), or 0: what wait4 reports.
  int killed_by() const REQUIRES(sched_lock) { return killed_by_; }
  void set_killed_by(int signal) REQUIRES(sched_lock) { killed_by_ = signal; }

  // Threads made by clone: their thread ids and the address each clears at its end
  // (CLONE_CHILD_CLEARTID, set_tid_address). Errors: NoResources (kMaxThreads).
  lib::Result<void> add_thread(uint64_t thread_id, uint64_t clear_child_tid) REQUIRES(sched_lock);
  void remove_thread(uint64_t thread_id) REQUIRES(sched_lock);
  // The entry added under key (a slot reserved before the thread existed) gets its id.
  void rename_thread(uint64_t key, uint64_t thread_id) REQUIRES(sched_lock);
  // Whether the thread is one clone made (its Linux thread id is kThreadIdBase + its id).
  bool has_thread(uint64_t thread_id) const REQUIRES(sched_lock);
  // The clear address of a thread clone made (has_thread).
  uint64_t clear_child_tid(uint64_t thread_id) const REQUIRES(sched_lock);
  void set_clear_child_tid(uint64_t thread_id, uint64_t address) REQUIRES(sched_lock);
  // exec: every other thread has ended, and the caller is the process's first thread now.
  void forget_threads() REQUIRES(sched_lock) { thread_count_ = 0; }

 private:
  struct ThreadEntry {
    uint64_t thread_id;
    uint64_t clear_child_tid;
  };
  ThreadEntry* find_thread(uint64_t thread_id) REQUIRES(sched_lock);

  Process* parent_ = nullptr;  // cleared when the parent ends (orphan_children)
  Ref<Process> children_[kMaxChildren];
  size_t child_count_ = 0;
  size_t reserved_children_ = 0;  // slots taken by forks still making their child
  WaitQueue child_events_;
  int killed_by_ = 0;
  ThreadEntry threads_[kMaxThreads] = {};
  size_t thread_count_ = 0;
};

// The Linux process p is terminating (Process::terminate): its parent's wait4 wakes, and its
// own children are let go.
void linux_process_terminated(Process& p) REQUIRES(sched_lock);

}  // namespace kernel
