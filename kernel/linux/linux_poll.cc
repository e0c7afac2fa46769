// poll and ppoll over the descriptor table. A stream (a standard stream, a pipe end) is
// readable while a message waits or bytes of one are pending, hung up (POLLHUP) once its
// writer has gone, writable while its peer's queue has room, and in error (POLLERR) once a
// writer's reader has gone; files, directories and the devices are always ready for what
// their mode allows, as on Linux. A wait watches every stream's channel at once in a wait
// set (kernel/poll.h) until one changes, the timeout passes or the process ends (EINTR).
// At most LinuxFdTable::kMaxFds entries (EINVAL beyond: Linux's RLIMIT_NOFILE rule).

#include "kernel/linux/linux_poll.h"
#include "kernel/arch.h"
#include "kernel/heap.h"
#include "kernel/linux/linux_calls.h"
#include "kernel/linux/linux_signal.h"
#include "kernel/linux/linux_signal_abi.h"
#include "kernel/linux/linux_socket.h"
#include "kernel/linux/linux_tty.h"
#include "kernel/poll.h"
#include "kernel/syscall.h"

namespace kernel::linux_calls {

namespace abi = stellina::abi;
using namespace linux_abi;

namespace {

// The stream's channel, or null.
Channel* stream_channel(const LinuxOpenFile& file) REQUIRES(sched_lock) {
  auto ch = current_process().handles().get<Channel>(file.handle, 0);
  return ch.ok() ? ch.value() : nullptr;
}

}  // namespace

uint16_t ready_channel(const LinuxOpenFile& file, uint16_t in, uint16_t out) {
  Channel* ch = stream_channel(file);
  if (!ch) return kPollNval;
  const uint32_t s = ch->signals();
  uint16_t r = 0;
  if (file.pending || (s & abi::kSignalReadable)) r |= in;
  if (s & abi::kSignalWritable) r |= out;
  if (s & abi::kSignalPeerClosed) r |= file.readable() ? kPollHup : kPollErr;
  return r;
}

namespace {

// What p's descriptor is ready for now.
uint16_t ready(LinuxProcess& lp, const Pollfd& p) REQUIRES(sched_lock) {
  if (p.fd < 0) return 0;  // ignored, as on Linux
  LinuxOpenFile* file = lp.fds().get(p.fd);
  if (!file) return kPollNval;
  if (file->kind == LinuxFileKind::Socket) return socket_ready(lp, *file, p.events);
  const uint16_t in = file->readable() ? p.events & (kPollIn | kPollRdnorm) : 0;
  const uint16_t out = file->writable() ? p.events & (kPollOut | kPollWrnorm) : 0;
  if (file->kind == LinuxFileKind::Tty) return (file->tty->readable() ? in : 0) | out;
  if (file->kind != LinuxFileKind::Stream) return in | out;
  return ready_channel(*file, in, out);
}

// Fills each revents; the count of entries with any.
int count_ready(LinuxProcess& lp, Pollfd* fds, uint64_t n) REQUIRES(sched_lock) {
  int count = 0;
  for (uint64_t i = 0; i < n; ++i) {
    fds[i].revents = ready(lp, fds[i]);
    count += fds[i].revents != 0;
  }
  return count;
}

// Blocks until a stream of fds may have changed, or the deadline (0: none). Errors:
// TimedOut, Killed (the process is ending), those of the wait set's memory.
lib::Result<void> wait_for_change(LinuxProcess& lp, const Pollfd* fds, uint64_t n,
                                  uint64_t deadline) {
  Poll* set = TRY(create_charged<Poll>());
  SpinlockGuard guard(sched_lock);
  lib::Result<void> result;
  // A connecting socket cannot be watched now (socket_watched), nor a terminal.
  bool recheck = false;
  for (uint64_t i = 0; i < n && result.ok(); ++i) {
    const LinuxOpenFile* file = fds[i].fd >= 0 ? lp.fds().get(fds[i].fd) : nullptr;
    if (!file) continue;
    Channel* ch = nullptr;
    uint32_t mask = 0;
    if (file->kind == LinuxFileKind::Tty) {
      recheck = true;  // a terminal is no channel: looked at again in a while
    } else if (file->kind == LinuxFileKind::Socket) {
      ch = socket_watched(lp, *file, fds[i].events, &mask, &recheck);
    } else if (file->kind == LinuxFileKind::Stream) {
      ch = stream_channel(*file);
      // Only the signals asked for: a signal the wait watches ends it for as long as it
      // lasts, so a writable channel would end a reader's wait at once, and unread data
      // a writer's.
      mask = abi::kSignalPeerClosed;
      if (file->readable() && (fds[i].events & (kPollIn | kPollRdnorm)))
        mask |= abi::kSignalReadable;
      if (file->writable() && (fds[i].events & (kPollOut | kPollWrnorm)))
        mask |= abi::kSignalWritable;
    }
    if (!ch) continue;
    result = set->add(ch, mask, i);
  }
  uint64_t until = deadline;
  if (recheck) {
    const uint64_t soon = deadline_in(kConnectRecheckNs);
    if (until == 0 || soon < until) until = soon;
  }
  abi::PollEvent event;
  if (result.ok()) {
    auto waited = set->wait(&event, 1, until);
    // The recheck's own time passing is no timeout: the caller looks again.
    if (!waited.ok() && !(waited.error() == lib::Error::TimedOut && until != deadline))
      result = waited.error();
  }
  set->release();
  return result;
}

}  // namespace

int64_t poll_table(LinuxProcess& lp, Pollfd* fds, uint64_t n, uint64_t deadline) {
  int64_t result = 0;
  while (result == 0) {
    {
      SpinlockGuard guard(sched_lock);
      result = count_ready(lp, fds, n);
    }
    if (result || deadline == kNoWait) break;
    LinuxInterruptible interruptible;
    auto waited = wait_for_change(lp, fds, n, deadline);
    if (!waited.ok() && waited.error() == lib::Error::TimedOut) break;  // 0 ready
    // A signal: EINTR once its handler runs (poll is never restarted when one does).
    if (!waited.ok()) result = waited.error() == lib::Error::Killed ? -kErestartnohand : -kEnomem;
  }
  return result;
}

namespace {

// poll's body.
int64_t poll_until(LinuxProcess& lp, uint64_t address, uint64_t n, uint64_t deadline) {
  if (n > uint64_t(LinuxFdTable::kMaxFds)) return -kEinval;
  auto memory = heap::alloc(n ? n * sizeof(Pollfd) : 1);
  if (!memory.ok()) return -kEnomem;
  auto* fds = static_cast<Pollfd*>(memory.value());
  int64_t result = UserIn<Pollfd>(address).read(fds, n).ok() ? 0 : -kEfault;
  if (result == 0) result = poll_table(lp, fds, n, deadline);
  if (result >= 0 && !UserOut<Pollfd>(address).write(fds, n).ok()) result = -kEfault;
  heap::free(fds);
  return result;
}

}  // namespace

uint64_t deadline_in(uint64_t ns) {
  const uint64_t now = arch::now_ns();
  const uint64_t at = ns > kNoWait - 1 - now ? kNoWait - 1 : now + ns;
  return at ? at : 1;
}

int64_t read_timeout(uint64_t address, uint64_t* deadline) {
  *deadline = 0;
  if (!address) return 0;
  Timespec t;
  if (!UserIn<Timespec>(address).read(&t).ok()) return -kEfault;
  if (t.sec < 0 || t.nsec < 0 || t.nsec >= 1'000'000'000) return -kEinval;
  if (t.sec == 0 && t.nsec == 0) {
    *deadline = kNoWait;
    return 0;
  }
  // Seconds past what 64 bits of ns hold (with the nanoseconds added) wait "for good".
  const uint64_t ns = uint64_t(t.sec) > UINT64_MAX / 2'000'000'000
                          ? UINT64_MAX / 2
                          : uint64_t(t.sec) * 1'000'000'000 + uint64_t(t.nsec);
  *deadline = deadline_in(ns);
  return 0;
}

int64_t poll(LinuxProcess& lp, uint64_t fds, uint64_t n, uint64_t timeout_ms) {
  const auto ms = static_cast<int32_t>(timeout_ms);  // an int: negative waits for good
  const uint64_t deadline =
      ms < 0 ? 0 : (ms == 0 ? kNoWait : deadline_in(uint64_t(ms) * 1'000'000));
  return poll_until(lp, fds, n, deadline);
}

int64_t ppoll(LinuxProcess& lp, uint64_t fds, uint64_t n, uint64_t timeout, uint64_t sigmask) {
  uint64_t deadline = 0;
  if (const int64_t e = read_timeout(timeout, &deadline)) return e;
  if (!sigmask) return poll_until(lp, fds, n, deadline);
  // The mask applies while the call waits, and until a handler it lets in has run.
  uint64_t mask;
  if (!UserIn<uint64_t>(sigmask).read(&mask).ok()) return -kEfault;
  linux_signals_mask_during_call(lp, mask);
  const int64_t result = poll_until(lp, fds, n, deadline);
  linux_signals_call_done(lp, result);
  return result;
}

}  // namespace kernel::linux_calls
