#pragma once
// A process: an address space, a handle table and (for now) one thread. It holds only the
// handles it was given. When it ends, its handles close, kSignalTerminated is raised, and the
// supervisor (whoever holds the other end of its exit channel) receives a ProcessExit.

#include <stellina/process.h>

#include <lib/result.h>
#include <lib/token_bucket.h>

#include "kernel/address_space.h"
#include "kernel/channel.h"
#include "kernel/handle_table.h"
#include "kernel/kernel_folios.h"
#include "kernel/object.h"
#include "kernel/sched.h"
#include "kernel/silo.h"

namespace kernel {

using stellina::abi::ExitReason;

class LinuxProcess;

class Process final : public Object {
 public:
  static constexpr ObjectType kType = ObjectType::Process;

  // An empty process with a fresh address space, in silo (empty: the root silo), which its
  // pages, threads and objects are charged to. exit_channel (may be null) is the end the
  // kernel sends the ProcessExit on.
  static lib::Result<Process*> create(const char* name, Ref<Channel> exit_channel,
                                      Ref<Silo> silo = {});
  // The same with an address space made already (a fork's copy, charged to silo), which the
  // process owns from then on, even when this fails.
  static lib::Result<Process*> create_with_space(const char* name, Ref<Channel> exit_channel,
                                                 Ref<Silo> silo, AddressSpace* space);
  // A process for a component built into the kernel: handles, but no user address space;
  // its "user" pointers are kernel pointers (it is trusted code).
  static lib::Result<Process*> create_in_kernel(const char* name, Ref<Channel> exit_channel,
                                                Ref<Silo> silo = {});
  bool in_kernel() const { return in_kernel_; }
  Silo& silo() const { return *silo_; }

  const char* name() const { return name_; }
  HandleTable& handles() { return handles_; }
  // Only for processes that are not in_kernel().
  AddressSpace& address_space() { return *address_space_; }
  // exec: space (made for this process's silo) becomes its memory, loaded into the CPU at
  // once; the old space goes (its pages back to the silo when its last reference does). The
  // calling thread must be the process's only one.
  void replace_address_space(AddressSpace* space) REQUIRES(sched_lock);
  // Only for processes that are in_kernel(): where their folios are mapped.
  KernelFolios& kernel_folios() { return kernel_folios_; }
  bool terminated() const REQUIRES(sched_lock) { return terminated_; }
  // Terminated, and every thread has ended (kSignalTerminated is raised then).
  bool ended() const REQUIRES(sched_lock);
  // Threads: every thread of the process is counted; the last one to end ends the process
  // (with its exit code) if nothing ended it before.
  void thread_started() REQUIRES(sched_lock) { ++live_threads_; }
  size_t live_threads() const REQUIRES(sched_lock) { return live_threads_; }
  void thread_ended() REQUIRES(sched_lock) { --live_threads_; }
  // Its threads waiting on a futex now (futex::wait bounds them per process).
  size_t& futex_waiters() REQUIRES(sched_lock) { return futex_waiters_; }
  // After the last thread of an ended process has switched away for good: frees the address
  // space (its pages go back to the silo), or unmaps an in-kernel process's folios, without
  // waiting for the last reference.
  void release_memory() REQUIRES(sched_lock);

  // Ends the process (once): closes its handles, reports to the supervisor and raises
  // kSignalTerminated. Its thread must exit right after (the caller's job).
  void terminate(int64_t code, ExitReason reason, const char* detail, uintptr_t pc, uintptr_t addr)
      REQUIRES(sched_lock);
  // The log rate: a process may write kLogBurst records at once, then kLogPerSecond a second
  // on average; what it writes beyond is dropped and counted (sys_log_write). Returns whether
  // a record written now may go to the log; *unreported gets the drops not yet told, at most
  // once a second (the caller logs them first, and they count as told; the rest are told
  // when the process ends).
  static constexpr uint32_t kLogBurst = 256;
  static constexpr uint32_t kLogPerSecond = 200;
  bool may_log(uint64_t now_ns, uint64_t* unreported) REQUIRES(sched_lock);
  // Records dropped for going over the rate, since the process started.
  uint64_t log_dropped() const REQUIRES(sched_lock) { return log_dropped_; }

  // A process started with the Linux personality: its state (kernel/linux/), which it owns
  // from then on; null for Stellina's own processes.
  LinuxProcess* linux_process() const { return linux_process_; }
  void set_linux_process(LinuxProcess* state) { linux_process_ = state; }

  // The priority of its threads (process_set_priority; the ones it makes later start at it).
  unsigned priority() const REQUIRES(sched_lock) { return priority_; }
  void set_priority(unsigned priority) REQUIRES(sched_lock) { priority_ = priority; }

  // How it ended; valid once terminated().
  const stellina::abi::ProcessExit& exit_record() const REQUIRES(sched_lock) { return exit_; }

  Process() : Object(kType) {}  // use create

 private:
  ~Process() override;

  char name_[32] = {};
  bool in_kernel_ = false;
  Ref<Silo> silo_;
  HandleTable handles_;
  Ref<AddressSpace> address_space_;  // null in the kernel, and once the process is gone
  KernelFolios kernel_folios_;       // in the kernel
  Ref<Channel> exit_channel_;
  LinuxProcess* linux_process_ = nullptr;
  bool terminated_ = false;
  stellina::abi::ProcessExit exit_ = {};
  size_t live_threads_ = 0;
  unsigned priority_ = sched::kPriorityNormal;
  size_t futex_waiters_ = 0;
  lib::TokenBucket log_rate_{kLogBurst, kLogPerSecond};
  uint64_t log_dropped_ = 0;
  uint64_t log_dropped_told_ = 0;
  uint64_t log_told_ns_ = 0;
};

}  // namespace kernel
