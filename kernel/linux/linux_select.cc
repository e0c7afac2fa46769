// select and pselect6: the three descriptor sets become a poll table (linux_poll.h), so they
// serve every kind poll serves (streams, pipes, files, devices, sockets), and its answers
// become the sets again. Sets are read and written as Linux does: (n + 63) / 64 words each.
// A descriptor in a set that is not open is EBADF; n is at most the table's 256 descriptors
// (a larger n is cut to it, as Linux cuts it to its table). Both leave the time not slept
// in their timeout, as Linux does; pselect6's signal mask is the thread's while it waits.

#include "kernel/arch.h"
#include "kernel/heap.h"
#include "kernel/linux/linux_signal.h"
#include "kernel/linux/linux_socket_calls.h"
#include "kernel/syscall.h"

namespace kernel::linux_calls {

using namespace linux_abi;

namespace {

constexpr uint64_t kWords = LinuxFdTable::kMaxFds / 64;
// What Linux counts as ready in each set.
constexpr uint16_t kReadSet = kPollIn | kPollRdnorm | kPollHup | kPollErr;
constexpr uint16_t kWriteSet = kPollOut | kPollWrnorm | kPollErr;
constexpr uint16_t kExceptSet = kPollPri;

struct FdSets {
  uint64_t words = 0;  // of each set read and written
  uint64_t address[3] = {};
  uint64_t bits[3][kWords] = {};

  bool has(int set, uint64_t fd) const { return (bits[set][fd / 64] >> (fd % 64)) & 1; }
};

int64_t read_sets(FdSets& sets, uint64_t n) {
  sets.words = (n + 63) / 64;
  for (int set = 0; set < 3; ++set) {
    if (sets.address[set] &&
        !UserIn<uint64_t>(sets.address[set]).read(sets.bits[set], sets.words).ok())
      return -kEfault;
  }
  return 0;
}

// The sets as a poll table (fds: room for n entries); its size.
uint64_t table_of(const FdSets& sets, uint64_t n, Pollfd* fds) {
  uint64_t count = 0;
  for (uint64_t fd = 0; fd < n; ++fd) {
    const uint16_t events = (sets.has(0, fd) ? kPollIn | kPollRdnorm : 0) |
                            (sets.has(1, fd) ? kPollOut | kPollWrnorm : 0) |
                            (sets.has(2, fd) ? kPollPri : 0);
    if (events) fds[count++] = Pollfd{int32_t(fd), events, 0};
  }
  return count;
}

// The table's answers as sets: the count of bits set, or EBADF.
int64_t sets_of(FdSets& sets, const Pollfd* fds, uint64_t count) {
  uint64_t answer[3][kWords] = {};
  int64_t total = 0;
  for (uint64_t i = 0; i < count; ++i) {
    const Pollfd& p = fds[i];
    if (p.fd < 0) continue;
    if (p.revents & kPollNval) return -kEbadf;
    const uint16_t masks[3] = {kReadSet, kWriteSet, kExceptSet};
    for (int set = 0; set < 3; ++set) {
      if (!sets.has(set, uint64_t(p.fd)) || !(p.revents & masks[set])) continue;
      answer[set][p.fd / 64] |= uint64_t{1} << (p.fd % 64);
      ++total;
    }
  }
  __builtin_memcpy(sets.bits, answer, sizeof(answer));
  return total;
}

int64_t write_sets(const FdSets& sets) {
  for (int set = 0; set < 3; ++set) {
    if (sets.address[set] &&
        !UserOut<uint64_t>(sets.address[set]).write(sets.bits[set], sets.words).ok())
      return -kEfault;
  }
  return 0;
}

// select's body, deadline as poll_table takes it.
int64_t select_until(LinuxProcess& lp, uint64_t n, FdSets& sets, uint64_t deadline) {
  if (int64_t(int32_t(n)) < 0) return -kEinval;
  if (n > uint64_t(LinuxFdTable::kMaxFds)) n = LinuxFdTable::kMaxFds;
  if (const int64_t e = read_sets(sets, n)) return e;
  auto memory = heap::alloc(LinuxFdTable::kMaxFds * sizeof(Pollfd));
  if (!memory.ok()) return -kEnomem;
  auto* fds = static_cast<Pollfd*>(memory.value());
  const uint64_t count = table_of(sets, n, fds);
  int64_t result = 0;
  // Each answer from the table is checked: a ready entry select does not count (POLLHUP
  // where only writing was asked) must not end the wait early.
  for (;;) {
    result = poll_table(lp, fds, count, deadline);
    if (result <= 0) break;
    result = sets_of(sets, fds, count);
    if (result != 0 || deadline == kNoWait || (deadline && arch::now_ns() >= deadline)) break;
    for (uint64_t i = 0; i < count; ++i) {
      if (fds[i].revents) fds[i].fd = -1;  // ready only for what select does not count
      fds[i].revents = 0;
    }
  }
  if (result == 0) __builtin_memset(sets.bits, 0, sizeof(sets.bits));
  heap::free(fds);
  if (result < 0) return result;
  if (const int64_t e = write_sets(sets)) return e;
  return result;
}

// ns until deadline (0 once it has passed).
uint64_t time_left(uint64_t deadline) {
  const uint64_t now = arch::now_ns();
  return now >= deadline ? 0 : deadline - now;
}

}  // namespace

int64_t select(LinuxProcess& lp, uint64_t n, uint64_t read_set, uint64_t write_set,
               uint64_t except_set, uint64_t timeout) {
  FdSets sets;
  sets.address[0] = read_set;
  sets.address[1] = write_set;
  sets.address[2] = except_set;
  uint64_t deadline = 0;
  Timeval t{};
  if (timeout) {
    if (!UserIn<Timeval>(timeout).read(&t).ok()) return -kEfault;
    if (t.sec < 0 || t.usec < 0 || t.usec >= 1'000'000) return -kEinval;
    const bool zero = t.sec == 0 && t.usec == 0;
    const uint64_t ns = uint64_t(t.sec) > UINT64_MAX / 2'000'000'000
                            ? UINT64_MAX / 2
                            : uint64_t(t.sec) * 1'000'000'000 + uint64_t(t.usec) * 1'000;
    deadline = zero ? kNoWait : deadline_in(ns);
  }
  const int64_t result = select_until(lp, n, sets, deadline);
  // Linux's select leaves the time not slept in the timeval.
  if (timeout && deadline != kNoWait && result >= 0) {
    const uint64_t left = time_left(deadline);
    const Timeval rest{int64_t(left / 1'000'000'000), int64_t(left % 1'000'000'000 / 1'000)};
    if (!UserOut<Timeval>(timeout).write(&rest).ok()) return -kEfault;
  }
  return result;
}

int64_t pselect6(LinuxProcess& lp, uint64_t n, uint64_t read_set, uint64_t write_set,
                 uint64_t except_set, uint64_t timeout, uint64_t sigmask) {
  // The sixth argument points at {const sigset_t* set; size_t size}: a set given is the
  // thread's mask while the call waits, as ppoll's.
  struct MaskArgument {
    uint64_t set;
    uint64_t size;
  } argument{0, 0};
  if (sigmask && !UserIn<MaskArgument>(sigmask).read(&argument).ok()) return -kEfault;
  uint64_t mask = 0;
  if (argument.set) {
    if (argument.size != sizeof(mask)) return -kEinval;
    if (!UserIn<uint64_t>(argument.set).read(&mask).ok()) return -kEfault;
  }
  FdSets sets;
  sets.address[0] = read_set;
  sets.address[1] = write_set;
  sets.address[2] = except_set;
  uint64_t deadline = 0;
  if (const int64_t e = read_timeout(timeout, &deadline)) return e;
  if (argument.set) linux_signals_mask_during_call(lp, mask);
  const int64_t result = select_until(lp, n, sets, deadline);
  if (argument.set) linux_signals_call_done(lp, result);
  // As select's timeval, the system call's timespec is left with the time not slept (glibc's
  // select is this call, and reads it there; its pselect passes a copy).
  if (timeout && deadline != kNoWait && result >= 0) {
    const uint64_t left = time_left(deadline);
    const Timespec rest{int64_t(left / 1'000'000'000), int64_t(left % 1'000'000'000)};
    if (!UserOut<Timespec>(timeout).write(&rest).ok()) return -kEfault;
  }
  return result;
}

}  // namespace kernel::linux_calls
