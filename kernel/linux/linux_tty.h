#pragma once
// A terminal as Linux processes see it (docs/linux.md, "The terminal"): the line discipline
// (lib/line_discipline.h) between what the terminal's owner types (linux_tty_input, from the
// shell that started the session's first process on it) and what the processes read, the
// window size, the session it belongs to and its foreground process group. Its output (what
// the processes write, and the echo) goes to one channel, which the owner drains to the real
// terminal. The descriptors that are the terminal (LinuxFileKind::Tty) and the processes
// whose controlling terminal it is hold references to it. Everything here is read and
// changed under sched_lock.

#include <lib/line_discipline.h>
#include <lib/result.h>

#include "kernel/channel.h"
#include "kernel/linux/linux_calls.h"
#include "kernel/silo.h"
#include "kernel/wait_queue.h"

namespace kernel {

class LinuxProcess;
struct LinuxOpenFile;

struct LinuxWinsize {
  uint16_t rows, columns, x_pixels, y_pixels;
};

class LinuxTty {
 public:
  // A new terminal (one reference) of the session whose leader is process `session`, writing
  // to output (null: what is written and echoed goes nowhere; taken only on success),
  // charged to silo.
  // Errors: NoMemory, QuotaExceeded.
  static lib::Result<LinuxTty*> create(Silo& silo, Ref<Channel>&& output, uint64_t session,
                                       LinuxWinsize window);
  void retain() REQUIRES(sched_lock) { ++refs_; }
  void release() REQUIRES(sched_lock);

  uint64_t session() const REQUIRES(sched_lock) { return session_; }
  uint64_t foreground() const REQUIRES(sched_lock) { return foreground_; }
  void set_foreground(uint64_t group) REQUIRES(sched_lock) { foreground_ = group; }

  // Bytes typed at the terminal: edited, echoed, and made readable; an interrupt key
  // signals the foreground group. Returns the bytes taken (all: what the line discipline
  // has no room for is dropped, as a full terminal does).
  size_t type(const uint8_t* data, size_t size) REQUIRES(sched_lock);

  // read(2) on a descriptor that is the terminal: canonical lines, or raw bytes under
  // VMIN/VTIME; -EIO for a process of a background group (see docs), -EAGAIN nonblocking.
  int64_t read(LinuxProcess& lp, uint64_t buffer, uint64_t count, bool nonblocking);
  // write(2): through the output processing to the output channel.
  int64_t write(const linux_calls::ByteSource& src, uint64_t count, bool nonblocking);
  // The terminal's ioctls (TCGETS, TCSETS*, TIOC*, FIONREAD, TCFLSH, TCSBRK); -ENOTTY for
  // any other.
  int64_t ioctl(LinuxProcess& lp, uint64_t request, uint64_t argument);
  // poll: whether a read would take something now.
  bool readable() const REQUIRES(sched_lock) { return ld_.readable(); }

  LinuxTty() = default;  // use create

 private:
  void echo(const uint8_t* bytes, size_t size) REQUIRES(sched_lock);
  size_t take(uint8_t* out, size_t size, bool* ready) REQUIRES(sched_lock);

  uint32_t refs_ = 1;
  Silo* silo_ = nullptr;  // a reference
  Ref<Channel> output_;
  uint64_t session_ = 0;
  uint64_t foreground_ = 0;
  LinuxWinsize window_ = {};
  lib::LineDiscipline ld_;
  WaitQueue readers_;
};

// The controlling terminal's window from a Linux environment's COLUMNS and LINES (as the
// terminal server sets them), else 80 x 24.
LinuxWinsize linux_window_from_environment(const char* strings, size_t size);

}  // namespace kernel
