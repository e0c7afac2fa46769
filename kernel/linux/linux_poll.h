#pragma once
// What poll, ppoll, select and pselect6 share (linux_poll.cc): Linux's struct pollfd and its
// bits, and the wait over a table of them in kernel memory.

#include "kernel/linux/linux_calls.h"

namespace kernel::linux_calls {

struct Pollfd {
  int32_t fd;
  uint16_t events;  // shorts in Linux's struct: the bits are all that matter
  uint16_t revents;
};

constexpr uint16_t kPollIn = 0x1, kPollPri = 0x2, kPollOut = 0x4, kPollErr = 0x8, kPollHup = 0x10,
                   kPollNval = 0x20, kPollRdnorm = 0x40, kPollWrnorm = 0x100;

// Deadlines on the monotonic clock: 0 waits for good, kNoWait not at all.
constexpr uint64_t kNoWait = UINT64_MAX;
// ns from now (never 0 or kNoWait).
uint64_t deadline_in(uint64_t ns);
// The struct timespec at address (0: none, waits for good) as a deadline in *deadline (a zero
// timespec: kNoWait). 0, or -EFAULT, -EINVAL (a negative or unnormalised timespec).
int64_t read_timeout(uint64_t address, uint64_t* deadline);

// Fills each entry's revents, waiting until one is ready or the deadline; the count of
// entries with any, or -errno (EINTR: the process is ending, ENOMEM).
int64_t poll_table(LinuxProcess& lp, Pollfd* fds, uint64_t n, uint64_t deadline);

// What a channel-backed descriptor is ready for: in while a message waits or bytes of one
// are pending, out while the peer's queue has room, POLLHUP (a reader) or POLLERR (a
// writer) once the peer has gone.
uint16_t ready_channel(const LinuxOpenFile& file, uint16_t in, uint16_t out) REQUIRES(sched_lock);

}  // namespace kernel::linux_calls
