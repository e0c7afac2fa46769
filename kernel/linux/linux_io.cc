// The standard streams: file descriptors 0, 1 and 2 are the channels the starter gave
// (stdin read, stdout and stderr written), carrying Data messages of bytes as a program's
// streams do (abi/stellina/program.h). No other descriptor exists yet.

#include "kernel/linux/linux_calls.h"
#include "kernel/syscall.h"

namespace kernel::linux_calls {

namespace abi = stellina::abi;
using namespace linux_abi;

namespace {

// The channel behind fd, with a reference the caller drops under sched_lock.
lib::Result<Ref<Channel>> stream(const LinuxProcess& lp, uint64_t fd, uint32_t rights) {
  SpinlockGuard guard(sched_lock);
  return Ref<Channel>(TRY(current_process().handles().get<Channel>(lp.stdio(int64_t(fd)), rights)));
}

void drop(Ref<Channel>& ch) {
  SpinlockGuard guard(sched_lock);
  ch = Ref<Channel>();
}

// Sends m on ch, waiting while the peer's queue is full. Takes m either way.
lib::Result<void> send_waiting(Channel& ch, Message* m) {
  SpinlockGuard guard(sched_lock);
  for (;;) {
    auto sent = ch.send(m);
    if (sent.ok()) return {};
    if (sent.error() == lib::Error::WouldBlock) {
      auto waited = wait_for_signals(&ch, abi::kSignalWritable | abi::kSignalPeerClosed, 0);
      if (waited.ok()) continue;
      sent = waited.error();
    }
    Message::destroy(m);
    return sent.error();
  }
}

// Writes [buffer, buffer + count) to ch in messages of at most kMaxMessageData bytes.
// Returns the bytes written; an error only when none were.
int64_t write_bytes(Channel& ch, uint64_t buffer, uint64_t count) {
  uint64_t done = 0;
  while (done < count) {
    const uint64_t chunk =
        count - done < abi::kMaxMessageData ? count - done : abi::kMaxMessageData;
    auto made = Message::create(MessageKind::Data, 0, static_cast<uint32_t>(chunk),
                                &current_process().silo());
    lib::Result<void> result = made.ok() ? lib::Result<void>() : made.error();
    if (result.ok()) {
      result = UserIn<uint8_t>(buffer + done).read(made.value()->data, chunk);
      if (!result.ok()) {
        SpinlockGuard guard(sched_lock);
        Message::destroy(made.value());
      }
    }
    if (result.ok()) result = send_waiting(ch, made.value());
    if (!result.ok()) return done ? int64_t(done) : errno_of(result.error());
    done += chunk;
  }
  return int64_t(done);
}

}  // namespace

int64_t write(LinuxProcess& lp, uint64_t fd, uint64_t buffer, uint64_t count) {
  if (fd != 1 && fd != 2) return -kEbadf;
  if (count > INT64_MAX) return -kEinval;
  auto ch = stream(lp, fd, abi::kRightWrite);
  if (!ch.ok()) return -kEbadf;
  Ref<Channel> channel = ch.release_value();
  const int64_t written = count ? write_bytes(*channel, buffer, count) : 0;
  drop(channel);
  return written;
}

int64_t writev(LinuxProcess& lp, uint64_t fd, uint64_t iov, uint64_t iovcnt) {
  if (iovcnt > kIovMax) return -kEinval;
  if (fd != 1 && fd != 2) return -kEbadf;
  int64_t total = 0;
  for (uint64_t i = 0; i < iovcnt; ++i) {
    Iovec v;
    if (!UserIn<Iovec>(iov + i * sizeof(Iovec)).read(&v).ok()) return total ? total : -kEfault;
    if (v.len == 0) continue;
    const int64_t n = write(lp, fd, v.base, v.len);
    if (n < 0) return total ? total : n;
    total += n;
    if (uint64_t(n) < v.len) break;
  }
  return total;
}

int64_t read(LinuxProcess& lp, uint64_t fd, uint64_t buffer, uint64_t count) {
  if (fd != 0) return -kEbadf;
  if (count > INT64_MAX) return -kEinval;
  if (count == 0) return 0;
  Message* m = lp.pending_input();
  uint32_t offset = lp.pending_offset();
  lp.set_pending_input(nullptr, 0);
  if (!m) {
    auto ch = stream(lp, fd, abi::kRightRead);
    if (!ch.ok()) return -kEbadf;
    Ref<Channel> channel = ch.release_value();
    SpinlockGuard guard(sched_lock);
    while (!m) {
      m = channel->peek();
      if (m) {
        channel->remove(m);
        if (m->kind != MessageKind::Data || m->data_size == 0) {
          Message::destroy(m);
          m = nullptr;
        }
        continue;
      }
      if (channel->peer_closed()) break;  // end of file
      auto waited =
          wait_for_signals(channel.get(), abi::kSignalReadable | abi::kSignalPeerClosed, 0);
      if (!waited.ok()) break;  // ending: the call is abandoned
    }
    channel = Ref<Channel>();
    offset = 0;
  }
  if (!m) return 0;
  const uint64_t left = m->data_size - offset;
  const uint64_t take = count < left ? count : left;
  if (!UserOut<uint8_t>(buffer).write(m->data + offset, take).ok()) {
    lp.set_pending_input(m, offset);  // nothing was taken
    return -kEfault;
  }
  if (take < left) {
    lp.set_pending_input(m, offset + static_cast<uint32_t>(take));
  } else {
    SpinlockGuard guard(sched_lock);
    Message::destroy(m);
  }
  return int64_t(take);
}

int64_t ioctl(LinuxProcess& lp, uint64_t fd, uint64_t request, uint64_t argument) {
  if (lp.stdio(int64_t(fd)) == abi::kInvalidHandle) return -kEbadf;
  // The streams are channels, not terminals: the tty calls (TCGETS, TIOCGWINSZ, ...) and
  // every other request get ENOTTY, as Linux answers for a pipe.
  (void)request;
  (void)argument;
  return -kEnotty;
}

}  // namespace kernel::linux_calls
