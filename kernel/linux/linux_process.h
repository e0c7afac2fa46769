#pragma once
// What the Linux personality keeps for a process started as Linux (a spawn option): its
// descriptors (linux_fd_table.h), namespace session, current directory and umask, its
// program break and mmap area, its signal actions and the signals pending for it
// (kernel/linux/linux_signal.h), and the count of every call it made that is not served. See
// docs/linux.md.

#include <stellina/file.h>
#include <stellina/types.h>

#include <lib/intrusive_list.h>
#include <lib/result.h>

#include "kernel/channel.h"
#include "kernel/linux/linux_abi.h"
#include "kernel/linux/linux_family.h"
#include "kernel/linux/linux_fd_table.h"
#include "kernel/linux/linux_signal.h"
#include "kernel/silo.h"

namespace kernel {

class Process;
class LinuxTty;

class LinuxProcess {
 public:
  // The address space's layout for Linux processes.
  static constexpr uintptr_t kStackTop = 0x00007ffffff00000;
  static constexpr size_t kStackSize = size_t{8} << 20;      // Linux's default RLIMIT_STACK
  static constexpr uintptr_t kMmapTop = 0x00007f0000000000;  // mmap grows down from here
  static constexpr uintptr_t kMmapFloor = uintptr_t{1} << 32;
  static constexpr size_t kBrkMax = size_t{1} << 30;  // the break grows at most this far

  // New state charged to silo, with the process's stdin, stdout and stderr handles (each
  // kInvalidHandle when not given: the descriptor is closed; those whose bit (1 << fd) is in
  // on_tty are the terminal tty instead, and their handle is not used), its file: namespace session
  // (kInvalidHandle: none, every path is ENOENT), the program's path (/proc/self/exe), its
  // break at brk_start (page-aligned) and the id of the process that started it (0: the
  // kernel). Errors: NoMemory, QuotaExceeded.
  static lib::Result<LinuxProcess*> create(Silo& silo, const stellina::abi::Handle stdio[3],
                                           stellina::abi::Handle files, const char* exe,
                                           uintptr_t brk_start, uint64_t parent_id,
                                           LinuxTty* tty = nullptr, uint32_t on_tty = 0);
  // Frees it, with its charge (under sched_lock: a half-read message may go with it).
  void destroy() REQUIRES(sched_lock);

  LinuxProcess() = default;  // use create

  LinuxFdTable& fds() { return fds_; }
  // The file: namespace session (a channel to the VFS), or kInvalidHandle.
  stellina::abi::Handle files() const { return files_; }
  // The namespace channel its sockets are opened through (tcp:, tcp-listen:, udp:), or
  // kInvalidHandle: every socket call that needs the network is ENETUNREACH.
  stellina::abi::Handle names() const { return names_; }
  void set_names(stellina::abi::Handle names) { names_ = names; }
  // A fresh call id for a request to a file server: unique in the kernel, not only in the
  // process, since a reply is matched by its id and a forked child's channels are its
  // parent's too (its threads' are shared as well).
  static uint64_t next_call_id();
  // The current directory: an absolute path without a trailing '/' (but "/"), NUL-ended.
  const char* cwd() const { return cwd_; }
  void set_cwd(const char* path, size_t size);
  const char* exe() const { return exe_; }
  uint32_t umask() const { return umask_; }
  void set_umask(uint32_t mask) { umask_ = mask & 0777; }

  uint64_t parent_id() const { return parent_id_; }
  uintptr_t brk_start() const { return brk_start_; }
  uintptr_t brk() const { return brk_; }
  void set_brk(uintptr_t brk) { brk_ = brk; }

  // Signal actions (shared by the threads; under sched_lock) and what is pending for the
  // process; each thread's mask is its own (Thread::linux_signals).
  linux_abi::Sigaction& action(uint64_t signal) { return actions_[signal - 1]; }
  LinuxProcessSignals& signals() { return signals_; }
  // The first thread's (set_tid_address); threads clone made keep theirs in family().
  uint64_t clear_child_tid() const { return clear_child_tid_; }
  void set_clear_child_tid(uint64_t address) { clear_child_tid_ = address; }
  // Its parent, children and threads (fork, clone, wait4: kernel/linux/linux_family.h).
  LinuxFamily& family() { return family_; }
  void set_robust_list(uint64_t head) { robust_list_ = head; }
  // exec (linux_exec.cc): a new program at path exe with its break at brk_start; no robust
  // list and no address to clear at exit. Descriptors, directory, umask and family stay.
  void start_new_program(const char* exe, uintptr_t brk_start);
  // Whether the process has called exec since it was made: a vfork parent waits for that
  // or the child's end.
  bool has_execed() const REQUIRES(sched_lock) { return execed_; }
  void set_execed() REQUIRES(sched_lock) { execed_ = true; }

  // Its process group, session and controlling terminal (null: none): linux_group.cc.
  Process* owner() const { return owner_; }
  uint64_t pgid() const REQUIRES(sched_lock) { return pgid_; }
  uint64_t sid() const REQUIRES(sched_lock) { return sid_; }
  LinuxTty* tty() const REQUIRES(sched_lock) { return tty_; }
  // Makes it owner's state, in group pgid of session sid with tty (a reference of its own;
  // null: none) as its controlling terminal, and puts it on the list groups are found in.
  void join(Process& owner, uint64_t pgid, uint64_t sid, LinuxTty* tty) REQUIRES(sched_lock);
  void set_pgid(uint64_t pgid) REQUIRES(sched_lock) { pgid_ = pgid; }
  // setsid: a new session and group, without a controlling terminal.
  void new_session(uint64_t id) REQUIRES(sched_lock);
  // TIOCNOTTY: no controlling terminal any more.
  void drop_tty() REQUIRES(sched_lock);
  lib::ListNode group_node;  // on the list of Linux processes (linux_group.cc)

  // A call the personality does not serve (it returned ENOSYS): counted by number.
  void count_unimplemented(uint64_t number);
  uint64_t unimplemented_count(uint64_t number) const;
  // Logs "linux 'name': unimplemented calls: N×number, ..." (nothing when there were none).
  void log_unimplemented(const char* name) const;

 private:
  Silo* silo_ = nullptr;  // a reference
  LinuxFdTable fds_;
  stellina::abi::Handle files_ = stellina::abi::kInvalidHandle;
  stellina::abi::Handle names_ = stellina::abi::kInvalidHandle;
  uint32_t umask_ = 022;
  char cwd_[stellina::abi::kFileMaxPath + 1] = "/";
  char exe_[256] = {};
  uint64_t parent_id_ = 0;
  uintptr_t brk_start_ = 0;
  uintptr_t brk_ = 0;
  uint64_t clear_child_tid_ = 0;
  uint64_t robust_list_ = 0;
  linux_abi::Sigaction actions_[linux_abi::kSignals] = {};
  LinuxProcessSignals signals_;
  uint32_t unimplemented_[linux_abi::kCountedCalls + 1] = {};  // the last: every number above
  LinuxFamily family_;
  bool execed_ = false;
  Process* owner_ = nullptr;
  uint64_t pgid_ = 0;
  uint64_t sid_ = 0;
  LinuxTty* tty_ = nullptr;
};

// Every Linux process's state (under sched_lock): the calls that name a process group, or
// a process that is neither the caller nor its child, look there (linux_group.cc).
using LinuxProcessList = lib::IntrusiveList<LinuxProcess, &LinuxProcess::group_node>;
LinuxProcessList& linux_processes();
struct LinuxSignalInfo;
// Sends signal to every live process of group pgid, only those in silo (when given) and of
// the terminal tty (when given). Returns how many; *ended_self (when given) is set when the
// caller's own process was ended by it (the caller then calls thread_exit).
int linux_signal_group(uint64_t pgid, int signal, const Silo* silo, const LinuxTty* tty,
                       const LinuxSignalInfo& info, bool* ended_self = nullptr)
    REQUIRES(sched_lock);
// Whether a live process of session sid is in group pgid.
bool linux_group_in_session(uint64_t pgid, uint64_t sid) REQUIRES(sched_lock);
// Whether the group pgid of session sid is orphaned: no live member has a parent in another
// group of the same session (which could continue it). The terminal's stop signals at their
// default action are discarded for such a group's processes, as Linux does: nothing would
// ever continue them (a program started at Stellina's shell leads its own session).
bool linux_group_orphaned(uint64_t pgid, uint64_t sid) REQUIRES(sched_lock);

// Serves one Linux system call of the calling thread (whose process is Linux): the call's
// return value, or -errno.
int64_t linux_syscall(uint64_t number, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
                      uint64_t a4, uint64_t a5);

// Fills out with bytes for AT_RANDOM and getrandom: SHA-256 over a running state and the
// cycle counter. Not an entropy source fit for keys (docs/linux.md).
void linux_random_bytes(uint8_t* out, size_t n);

}  // namespace kernel
