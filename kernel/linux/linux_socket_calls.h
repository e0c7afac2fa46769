#pragma once
// What the socket files share (linux_socket.cc: a socket's life; linux_socket_io.cc: its
// bytes and options; linux_select.cc: select and pselect6). Not for other callers: they use
// linux_socket.h.

#include "kernel/linux/linux_poll.h"
#include "kernel/linux/linux_socket.h"

namespace kernel::linux_calls {

// The description behind fd if it is a socket: error() is EBADF or ENOTSOCK otherwise.
class SocketRef {
 public:
  SocketRef(LinuxProcess& lp, uint64_t fd);
  int64_t error() const { return error_; }
  LinuxOpenFile* operator->() const { return &*file_; }
  LinuxOpenFile& operator*() const { return *file_; }

 private:
  FileRef file_;
  int64_t error_;
};

// -errno for the Status of a socket Open's Abort or of a stream's Error.
int64_t errno_of_network_status(int64_t status);

// Sends Open{uri} on the namespace channel; its call id. Errors: those of the channel.
lib::Result<uint64_t> send_open(LinuxProcess& lp, const char* uri, size_t size);
// The answer to the Open call_id: 0 with the channel in *out, -errno, or (when !wait and it
// has not come) kAnswerPending.
constexpr int64_t kAnswerPending = 1;
int64_t take_open_answer(LinuxProcess& lp, uint64_t call_id, bool wait, stellina::abi::Handle* out);
// Both: the channel of the resource uri names, waiting for it. ENETUNREACH without a
// namespace channel.
int64_t open_socket_channel(LinuxProcess& lp, const char* uri, size_t size,
                            stellina::abi::Handle* out);
// A datagram socket's channel, opened at its local address (0.0.0.0:0 without one).
int64_t open_datagram(LinuxProcess& lp, LinuxOpenFile& file);
// Discards the answers that have come for the process's abandoned connects (LinuxFdTable).
void discard_abandoned_answers(LinuxProcess& lp, Channel& names) REQUIRES(sched_lock);
// A non-blocking connect whose answer has come becomes Connected or Failed (a blocking
// connect in progress is left to the thread waiting in it).
void settle_connect(LinuxProcess& lp, LinuxOpenFile& file);

// Waits for one of the signals in mask on ch (the socket's channel), or for a wake of the
// socket's waiters: shutdown or the close of its last descriptor on another thread
// (file.socket_waiters). Returns after one wake; the caller looks at the channel and the
// socket again. Errors: those of WaitQueue::wait (the thread is being killed).
lib::Result<void> wait_socket(LinuxOpenFile& file, Channel& ch, uint32_t mask) REQUIRES(sched_lock);

// A sockaddr_in from the caller (EINVAL short, EAFNOSUPPORT another family, EFAULT).
int64_t read_address(uint64_t address, uint64_t size, stellina::abi::SocketAddress* out);
// Writes a sockaddr_in to the caller, cut to *size_address bytes, and its full size there
// (nothing when address is 0).
int64_t write_address(const stellina::abi::SocketAddress& a, uint64_t address,
                      uint64_t size_address);

int64_t sendto(LinuxProcess& lp, uint64_t fd, uint64_t buffer, uint64_t count, uint64_t flags,
               uint64_t address, uint64_t size);
int64_t recvfrom(LinuxProcess& lp, uint64_t fd, uint64_t buffer, uint64_t count, uint64_t flags,
                 uint64_t address, uint64_t size_address);
int64_t sendmsg(LinuxProcess& lp, uint64_t fd, uint64_t message, uint64_t flags);
int64_t recvmsg(LinuxProcess& lp, uint64_t fd, uint64_t message, uint64_t flags);
int64_t setsockopt(LinuxProcess& lp, uint64_t fd, uint64_t level, uint64_t name, uint64_t value,
                   uint64_t size);
int64_t getsockopt(LinuxProcess& lp, uint64_t fd, uint64_t level, uint64_t name, uint64_t value,
                   uint64_t size_address);
int64_t select(LinuxProcess& lp, uint64_t n, uint64_t read_set, uint64_t write_set,
               uint64_t except_set, uint64_t timeout);
int64_t pselect6(LinuxProcess& lp, uint64_t n, uint64_t read_set, uint64_t write_set,
                 uint64_t except_set, uint64_t timeout, uint64_t sigmask);

}  // namespace kernel::linux_calls
