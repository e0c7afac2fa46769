#pragma once
// A Linux process's file descriptors: a bounded table (kMaxFds) of descriptors, each naming an
// open file description (LinuxOpenFile) that dup shares, with its close-on-exec flag. A
// description is a stream or pipe end (a channel in the process's handle table), an open
// file or directory (a channel to the file server that holds it), or one of the devices
// served here (/dev/null, /dev/zero, /dev/urandom). See docs/linux.md.

#include <stellina/types.h>

#include <lib/result.h>

#include "kernel/channel.h"
#include "kernel/handle_table.h"
#include "kernel/linux/linux_socket_state.h"
#include "kernel/mutex.h"
#include "kernel/silo.h"
#include "kernel/wait_queue.h"

namespace kernel {

enum class LinuxFileKind : uint8_t {
  Stream,     // a channel of Data messages: the standard streams, pipe ends
  File,       // a regular file (or anything the VFS opened that is not a directory)
  Directory,  // read with getdents64
  Null,       // /dev/null
  Zero,       // /dev/zero
  Random,     // /dev/urandom, /dev/random
  Socket,     // an AF_INET socket over the network stack's channels (linux_socket.h)
  Tty,        // a terminal (linux_tty.h): the standard streams of a process started on one
};

class LinuxTty;

// The place in a file or directory, shared by every description a fork copied from one
// (each process holds its own handle, so its own LinuxOpenFile, but Linux's parent and child
// move one offset). lock orders a read, write, lseek or getdents64 against another on the
// same place, from threads or from forked processes: it is held across the request to the
// file server, which never waits for a Linux process, so no cycle can form; a thread of a
// process being killed stops waiting for its reply and lets it go.
struct LinuxFilePosition {
  uint32_t refs = 1;  // descriptions sharing it; changed under sched_lock
  Mutex lock;
  uint64_t offset = 0;  // under lock
};

// One open file description.
struct LinuxOpenFile {
  uint32_t refs = 1;  // descriptors naming it
  LinuxFileKind kind = LinuxFileKind::Stream;
  uint32_t flags = 0;  // open's access mode and status flags (O_APPEND, O_NONBLOCK, ...)
  stellina::abi::Handle handle = stellina::abi::kInvalidHandle;  // Stream, File, Directory
  // File: the position; Directory: getdents64's place (dir_place). Null for the others.
  LinuxFilePosition* position = nullptr;
  // Stream: a Data message read of which the program has not taken every byte, and the lock
  // that keeps two threads' reads of it apart (a fork's copy has its own: pending bytes
  // are not copied).
  Mutex read_lock;
  Message* pending = nullptr;
  uint32_t pending_offset = 0;
  // The path it was opened by (File, Directory; null when unknown), for fchdir, openat and
  // /proc/self/fd/N. Heap, charged to the silo.
  char* path = nullptr;
  uint16_t path_size = 0;
  bool is_pipe = false;
  LinuxSocket socket;       // Socket: its state (a fork's copy gets a copy)
  LinuxTty* tty = nullptr;  // Tty: a reference to the terminal
  // Socket: threads blocked in recv or accept on it, woken by shutdown or by the close of
  // its last descriptor on another thread (linux_socket_calls.h, wait_socket).
  WaitQueue socket_waiters;

  bool readable() const;
  bool writable() const;
};

class LinuxFdTable {
 public:
  static constexpr int kMaxFds = 256;  // RLIMIT_NOFILE, soft and hard

  // Charged to silo (a reference held by the process).
  void init(Silo* silo) { silo_ = silo; }

  // A new description (refs 1), charged to the silo; path copied when given. Errors:
  // NoMemory, QuotaExceeded.
  // A File or Directory gets a position of its own, or shares `shared` (a fork's copy),
  // whose reference the caller adds; either is charged. A File may become a Directory, not
  // another kind.
  lib::Result<LinuxOpenFile*> make(LinuxFileKind kind, uint32_t flags, stellina::abi::Handle handle,
                                   const char* path = nullptr, size_t path_size = 0,
                                   LinuxFilePosition* shared = nullptr);
  // A new description of the terminal tty (a reference of its own), with open's flags.
  lib::Result<LinuxOpenFile*> make_tty(LinuxTty* tty, uint32_t flags);
  // Drops one reference; the last closes its handle in handles (null: the table is gone, or
  // closed with the process) and frees it. Descriptors
  // change under sched_lock (a description's pending message goes with it).
  void release(LinuxOpenFile* file, HandleTable* handles) REQUIRES(sched_lock);

  // The description behind fd, or null.
  LinuxOpenFile* get(int64_t fd) const;
  bool close_on_exec(int64_t fd) const { return cloexec_[fd]; }
  void set_close_on_exec(int64_t fd, bool on) { cloexec_[fd] = on; }

  // Puts file (taking the caller's reference) at the lowest free descriptor >= from.
  // Errors: NoResources (EMFILE).
  lib::Result<int> install(LinuxOpenFile* file, int from = 0, bool cloexec = false)
      REQUIRES(sched_lock);
  // Puts file (a new reference) at fd, closing what was there.
  void install_at(int fd, LinuxOpenFile* file, bool cloexec, HandleTable* handles)
      REQUIRES(sched_lock);
  // Closes fd. Errors: BadHandle (EBADF).
  lib::Result<void> close(int64_t fd, HandleTable* handles) REQUIRES(sched_lock);
  // Closes every descriptor (the process ends, or exec: only the close-on-exec ones).
  void close_all(HandleTable* handles) REQUIRES(sched_lock);
  void close_on_exec_all(HandleTable* handles) REQUIRES(sched_lock);

  // For fork: fills child (empty, charged to its silo) with a copy of every descriptor, each
  // description a new one whose handle is a duplicate installed in child_handles, sharing
  // the original's position (flags copied; pending stream bytes are not). Errors: those of
  // HandleTable::install and of allocation; on one, child holds what was copied (close_all releases
  // it).
  lib::Result<void> copy_for_fork(LinuxFdTable& child, HandleTable& handles,
                                  HandleTable& child_handles) const REQUIRES(sched_lock);

  int open_count() const;

  // Connects whose socket was closed before the Open's answer came (the last descriptor of a
  // connecting socket closed, by close, exec or the end of a fork copy): their answers are
  // still to come on the namespace channel, and are discarded as they do
  // (linux_socket.cc), else they would stay queued for good and fill the channel. A process
  // has at most kMaxPendingConnects connects outstanding (connecting sockets and abandoned
  // calls together: the namespace channel's queue holds no more answers); one more is EAGAIN.
  static constexpr int kMaxPendingConnects = 64;
  int abandoned_count() const { return abandoned_count_; }
  uint64_t abandoned(int i) const { return abandoned_[i]; }
  // Records a connect's call whose answer no socket waits for.
  void abandon(uint64_t call_id) REQUIRES(sched_lock);
  // Forgets the i-th abandoned call (its answer has been discarded).
  void forget_abandoned(int i) REQUIRES(sched_lock);
  // Connecting sockets among the descriptors (a description named twice counts twice).
  int connecting_count() const;

 private:
  // Whether a descriptor of this table names file.
  bool named(const LinuxOpenFile* file) const REQUIRES(sched_lock);

  Silo* silo_ = nullptr;
  uint64_t abandoned_[kMaxPendingConnects] = {};
  int abandoned_count_ = 0;
  LinuxOpenFile* files_[kMaxFds] = {};
  bool cloexec_[kMaxFds] = {};
};

}  // namespace kernel
