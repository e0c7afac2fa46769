// A socket's bytes and options: read, write, send, recv and their vectored and addressed
// forms over the stack's channels, and setsockopt/getsockopt. A stream channel carries the
// connection's bytes as Data messages; an empty one from the stack is the peer's end of
// stream and an Error its failure (abi/stellina/socket.h). A datagram channel carries one
// datagram per Data message behind a UdpDatagram header.

#include "kernel/heap.h"
#include "kernel/linux/linux_signal.h"
#include "kernel/linux/linux_socket_calls.h"
#include "kernel/syscall.h"

namespace kernel::linux_calls {

namespace abi = stellina::abi;
using namespace linux_abi;

namespace {

bool nonblocking(const LinuxOpenFile& file, uint64_t flags) {
  return (file.flags & kONonblock) || (flags & kMsgDontwait);
}

lib::Result<Ref<Channel>> channel_of(const LinuxOpenFile& file, uint32_t rights)
    REQUIRES(sched_lock) {
  return Ref<Channel>(TRY(current_process().handles().get<Channel>(file.handle, rights)));
}

// The next message of a stream socket with bytes (taken off the channel), or null with
// *result: 0 at the end of the stream, -ECONNRESET (once) when the stack reported a failure,
// -EAGAIN when nothing waits and the caller does not wait, -EINTR.
Message* next_stream_bytes(LinuxOpenFile& file, bool wait, int64_t* result) {
  LinuxSocket& socket = file.socket;
  SpinlockGuard guard(sched_lock);
  auto got = channel_of(file, abi::kRightRead);
  *result = -kEbadf;
  if (!got.ok()) return nullptr;
  Ref<Channel> ch = got.release_value();
  for (;;) {
    *result = 0;
    if (socket.read_shut) return nullptr;
    Message* m = ch->peek();
    if (m) {
      ch->remove(m);
      if (m->kind == MessageKind::Data && m->data_size) return m;
      if (m->kind == MessageKind::Data) {
        socket.read_shut = true;  // the peer's end of stream
      } else if (m->kind == MessageKind::Error && !socket.reset) {
        int64_t status = abi::kErrConnectionReset;
        if (m->data_size >= sizeof(status)) __builtin_memcpy(&status, m->data, sizeof(status));
        socket.reset = socket.read_shut = true;
        *result = errno_of_network_status(status);
      }
      Message::destroy(m);
      if (*result) return nullptr;
      continue;
    }
    if (ch->peer_closed()) return nullptr;
    *result = -kEagain;
    if (!wait) return nullptr;
    *result = -kEintr;
    if (!wait_socket(file, *ch, abi::kSignalReadable | abi::kSignalPeerClosed).ok()) return nullptr;
  }
}

// peeked: with MSG_PEEK, the bytes earlier vectors of the same recvmsg were given, which
// this one starts after (none are left past the message that waits: 0).
int64_t read_stream(LinuxOpenFile& file, uint64_t buffer, uint64_t count, uint64_t flags,
                    uint64_t peeked) {
  MutexGuard reading(file.read_lock);
  Message* m = file.pending;
  uint32_t offset = file.pending_offset;
  file.pending = nullptr;
  if (!m) {
    int64_t result;
    m = next_stream_bytes(file, !nonblocking(file, flags), &result);
    if (!m) return result;
    offset = 0;
  }
  const bool peek = flags & kMsgPeek;
  const uint64_t left = m->data_size - offset;
  const uint64_t skip = !peek ? 0 : (peeked < left ? peeked : left);
  const uint64_t take = count < left - skip ? count : left - skip;
  const bool copied = UserOut<uint8_t>(buffer).write(m->data + offset + skip, take).ok();
  if (!copied || take < left || peek) {
    file.pending = m;  // kept: what was not taken, or everything for a peek or a fault
    file.pending_offset = offset + (copied && !peek ? uint32_t(take) : 0);
    return copied ? int64_t(take) : -kEfault;
  }
  SpinlockGuard guard(sched_lock);
  Message::destroy(m);
  return int64_t(take);
}

// The next datagram's payload (at most count bytes) copied into out, with its header; its
// whole size, or -errno.
int64_t next_datagram(LinuxOpenFile& file, uint8_t* out, uint64_t count, uint64_t flags,
                      abi::UdpDatagram* head) {
  SpinlockGuard guard(sched_lock);
  auto got = channel_of(file, abi::kRightRead);
  if (!got.ok()) return -kEbadf;
  Ref<Channel> ch = got.release_value();
  for (;;) {
    if (file.socket.read_shut) return 0;  // shut down, or closed on another thread
    Message* m = ch->peek();
    if (m && (m->kind != MessageKind::Data || m->data_size < sizeof(abi::UdpDatagram))) {
      ch->remove(m);
      Message::destroy(m);
      continue;
    }
    if (m) {
      __builtin_memcpy(head, m->data, sizeof(*head));
      const uint64_t size = m->data_size - sizeof(*head);
      __builtin_memcpy(out, m->data + sizeof(*head), count < size ? count : size);
      if (!(flags & kMsgPeek)) {
        ch->remove(m);
        Message::destroy(m);
      }
      return int64_t(size);
    }
    if (ch->peer_closed()) return 0;
    if (nonblocking(file, flags)) return -kEagain;
    if (!wait_socket(file, *ch, abi::kSignalReadable | abi::kSignalPeerClosed).ok()) return -kEintr;
  }
}

int64_t read_datagram(LinuxOpenFile& file, uint64_t buffer, uint64_t count, uint64_t flags,
                      SockaddrIn* from) {
  if (file.handle == abi::kInvalidHandle) return nonblocking(file, flags) ? -kEagain : -kEinval;
  // Copied out of the message under the scheduler's lock, then to the caller without it
  // (the copy may fault).
  auto memory = heap::alloc(abi::kMaxUdpPayload);
  if (!memory.ok()) return -kEnomem;
  auto* bytes = static_cast<uint8_t*>(memory.value());
  const uint64_t room = count < abi::kMaxUdpPayload ? count : abi::kMaxUdpPayload;
  abi::UdpDatagram head{};
  int64_t size;
  {
    MutexGuard reading(file.read_lock);
    size = next_datagram(file, bytes, room, flags, &head);
  }
  const uint64_t take = size > 0 && uint64_t(size) < room ? uint64_t(size) : room;
  if (size > 0 && !UserOut<uint8_t>(buffer).write(bytes, take).ok()) size = -kEfault;
  heap::free(bytes);
  if (size < 0) return size;
  if (from) {
    *from = SockaddrIn{};
    from->family = kAfInet;
    from->port = __builtin_bswap16(head.remote.port);
    __builtin_memcpy(from->address, head.remote.address, 4);
  }
  return (flags & kMsgTrunc) ? size : int64_t(size < int64_t(take) ? size : int64_t(take));
}

// Sends m on ch; a full queue waits (or, non-blocking, is EAGAIN). Takes m either way.
int64_t send_message(Channel& ch, Message* m, bool wait) REQUIRES(sched_lock) {
  for (;;) {
    auto sent = ch.send(m);
    if (sent.ok()) return 0;
    if (sent.error() == lib::Error::WouldBlock && wait) {
      auto waited = wait_for_signals(&ch, abi::kSignalWritable | abi::kSignalPeerClosed, 0);
      if (waited.ok()) continue;
      sent = waited.error();
    }
    Message::destroy(m);
    if (sent.error() == lib::Error::WouldBlock) return -kEagain;
    return sent.error() == lib::Error::Killed ? -kEintr : -kEpipe;
  }
}

int64_t write_stream(LinuxOpenFile& file, const ByteSource& src, uint64_t count, uint64_t flags) {
  const LinuxSocket& socket = file.socket;
  if (socket.write_shut || socket.reset) return -kEpipe;
  Ref<Channel> ch;
  {
    SpinlockGuard guard(sched_lock);
    auto got = channel_of(file, abi::kRightWrite);
    if (!got.ok()) return -kEpipe;
    ch = got.release_value();
  }
  uint64_t done = 0;
  int64_t error = 0;
  while (done < count && !error) {
    const uint64_t chunk =
        count - done < abi::kMaxMessageData ? count - done : abi::kMaxMessageData;
    auto made = Message::create(MessageKind::Data, 0, static_cast<uint32_t>(chunk),
                                &current_process().silo());
    if (!made.ok()) {
      error = -kEnobufs;
      break;
    }
    if (!src.copy(made.value()->data, done, chunk).ok()) {
      error = -kEfault;
      SpinlockGuard guard(sched_lock);
      Message::destroy(made.value());
      break;
    }
    SpinlockGuard guard(sched_lock);
    error = send_message(*ch, made.value(), !nonblocking(file, flags));
    if (!error) done += chunk;
  }
  SpinlockGuard guard(sched_lock);
  ch = Ref<Channel>();
  return done ? int64_t(done) : error;
}

int64_t write_datagram(LinuxProcess& lp, LinuxOpenFile& file, const ByteSource& src, uint64_t count,
                       uint64_t flags, const abi::SocketAddress* to) {
  const LinuxSocket& socket = file.socket;
  if (!to && !socket.has_peer) return -kEdestaddrreq;
  if (count > abi::kMaxUdpPayload) return -kEmsgsize;
  if (file.handle == abi::kInvalidHandle)
    if (const int64_t e = open_datagram(lp, file)) return e;
  abi::UdpDatagram head{to ? *to : socket.remote};
  auto made = Message::create(MessageKind::Data, 0, uint32_t(sizeof(head) + count),
                              &current_process().silo());
  if (!made.ok()) return -kEnobufs;
  Message* m = made.value();
  __builtin_memcpy(m->data, &head, sizeof(head));
  const bool copied = src.copy(m->data + sizeof(head), 0, count).ok();
  SpinlockGuard guard(sched_lock);
  if (!copied) {
    Message::destroy(m);
    return -kEfault;
  }
  auto got = channel_of(file, abi::kRightWrite);
  if (!got.ok()) {
    Message::destroy(m);
    return -kEbadf;
  }
  Ref<Channel> ch = got.release_value();
  const int64_t e = send_message(*ch, m, !nonblocking(file, flags));
  return e ? e : int64_t(count);
}

// The calls that take a buffer and an address, and the vectored ones, all come here.
int64_t receive(LinuxProcess& lp, LinuxOpenFile& file, uint64_t buffer, uint64_t count,
                uint64_t flags, SockaddrIn* from, uint64_t peeked = 0) {
  if (count > INT64_MAX) return -kEinval;
  LinuxSocket& socket = file.socket;
  if (socket.datagram) return read_datagram(file, buffer, count, flags, from);
  settle_connect(lp, file);
  if (socket.state == LinuxSocketState::Connecting)
    return nonblocking(file, flags) ? -kEagain : -kEnotconn;
  if (socket.state != LinuxSocketState::Connected) return -kEnotconn;
  return count ? read_stream(file, buffer, count, flags, peeked) : 0;
}

// The calls that take a buffer and an address, and the vectored ones, all come here.
int64_t transmit(LinuxProcess& lp, LinuxOpenFile& file, const ByteSource& src, uint64_t count,
                 uint64_t flags, const abi::SocketAddress* to) {
  if (count > INT64_MAX) return -kEinval;
  LinuxSocket& socket = file.socket;
  if (socket.datagram) return write_datagram(lp, file, src, count, flags, to);
  settle_connect(lp, file);
  if (socket.state == LinuxSocketState::Connecting)
    return nonblocking(file, flags) ? -kEagain : -kEnotconn;
  if (socket.state != LinuxSocketState::Connected) return -kEpipe;
  return count ? write_stream(file, src, count, flags) : 0;
}

// A write on a stream the peer has reset (or that was shut down) is EPIPE, with SIGPIPE
// unless MSG_NOSIGNAL: write and writev raise it in linux_io.cc, send, sendto and sendmsg
// here.
int64_t on_send_result(int64_t result, uint64_t flags) {
  if (result == -kEpipe && !(flags & kMsgNosignal)) linux_raise_sigpipe();
  return result;
}

}  // namespace

int64_t socket_read(LinuxOpenFile& file, uint64_t buffer, uint64_t count, uint64_t flags,
                    SockaddrIn* from) {
  return receive(*current_process().linux_process(), file, buffer, count, flags, from);
}

int64_t socket_write(LinuxOpenFile& file, const ByteSource& src, uint64_t count, uint64_t flags,
                     const abi::SocketAddress* to) {
  return transmit(*current_process().linux_process(), file, src, count, flags, to);
}

int64_t sendto(LinuxProcess& lp, uint64_t fd, uint64_t buffer, uint64_t count, uint64_t flags,
               uint64_t address, uint64_t size) {
  SocketRef s(lp, fd);
  if (s.error()) return s.error();
  abi::SocketAddress to;
  const bool addressed = address && s->socket.datagram;  // a stream ignores it, as Linux's
  if (addressed)
    if (const int64_t e = read_address(address, size, &to)) return e;
  return on_send_result(
      transmit(lp, *s, ByteSource{buffer, nullptr}, count, flags, addressed ? &to : nullptr),
      flags);
}

int64_t recvfrom(LinuxProcess& lp, uint64_t fd, uint64_t buffer, uint64_t count, uint64_t flags,
                 uint64_t address, uint64_t size_address) {
  SocketRef s(lp, fd);
  if (s.error()) return s.error();
  SockaddrIn from{};
  const int64_t got = receive(lp, *s, buffer, count, flags, &from);
  if (got < 0 || !address) return got;
  abi::SocketAddress a = s->socket.remote;
  if (s->socket.datagram) {
    __builtin_memcpy(a.address, from.address, 4);
    a.port = __builtin_bswap16(from.port);
  }
  if (const int64_t e = write_address(a, address, size_address)) return e;
  return got;
}

namespace {

// sendmsg's and recvmsg's vectors, each in turn (a datagram: gathered into one, or
// scattered from one, through a kernel buffer of at most kMaxUdpPayload bytes).
int64_t read_msghdr(uint64_t message, Msghdr* h) {
  if (!UserIn<Msghdr>(message).read(h).ok()) return -kEfault;
  if (h->iov_count > kIovMax) return -kEmsgsize;
  return 0;
}

int64_t iovec_at(const Msghdr& h, uint64_t i, Iovec* v) {
  if (!UserIn<Iovec>(h.iov + i * sizeof(Iovec)).read(v).ok()) return -kEfault;
  return v->len > INT64_MAX ? -kEinval : 0;
}

}  // namespace

int64_t sendmsg(LinuxProcess& lp, uint64_t fd, uint64_t message, uint64_t flags) {
  SocketRef s(lp, fd);
  if (s.error()) return s.error();
  Msghdr h;
  if (const int64_t e = read_msghdr(message, &h)) return e;
  abi::SocketAddress to;
  const bool addressed = h.name && s->socket.datagram;
  if (addressed)
    if (const int64_t e = read_address(h.name, h.name_size, &to)) return e;
  if (s->socket.datagram) {
    static_assert(abi::kMaxUdpPayload <= 4096);
    uint8_t gathered[abi::kMaxUdpPayload];
    uint64_t total = 0;
    for (uint64_t i = 0; i < h.iov_count; ++i) {
      Iovec v;
      if (const int64_t e = iovec_at(h, i, &v)) return e;
      if (v.len > abi::kMaxUdpPayload - total) return -kEmsgsize;
      if (!UserIn<uint8_t>(v.base).read(gathered + total, v.len).ok()) return -kEfault;
      total += v.len;
    }
    return transmit(lp, *s, ByteSource{0, gathered}, total, flags, addressed ? &to : nullptr);
  }
  int64_t total = 0;
  for (uint64_t i = 0; i < h.iov_count; ++i) {
    Iovec v;
    if (const int64_t e = iovec_at(h, i, &v)) return total ? total : e;
    if (v.len == 0) continue;
    const int64_t n = transmit(lp, *s, ByteSource{v.base, nullptr}, v.len, flags, nullptr);
    if (n < 0) return total ? total : on_send_result(n, flags);
    total += n;
    if (uint64_t(n) < v.len) break;
  }
  return total;
}

int64_t recvmsg(LinuxProcess& lp, uint64_t fd, uint64_t message, uint64_t flags) {
  SocketRef s(lp, fd);
  if (s.error()) return s.error();
  Msghdr h;
  if (const int64_t e = read_msghdr(message, &h)) return e;
  SockaddrIn from{};
  int64_t total = 0;
  if (s->socket.datagram) {
    // One datagram, into the first non-empty vector (what a datagram's reader gives).
    Iovec v{0, 0};
    for (uint64_t i = 0; i < h.iov_count && v.len == 0; ++i)
      if (const int64_t e = iovec_at(h, i, &v)) return e;
    total = receive(lp, *s, v.base, v.len, flags, &from);
  } else {
    for (uint64_t i = 0; i < h.iov_count; ++i) {
      Iovec v;
      if (const int64_t e = iovec_at(h, i, &v)) return total ? total : e;
      if (v.len == 0) continue;
      // Only the first wait blocks: what arrived is returned, as Linux's recvmsg does. A
      // peek fills the vectors in turn from the bytes that wait, as a read would.
      const int64_t n = receive(lp, *s, v.base, v.len, total ? flags | kMsgDontwait : flags, &from,
                                uint64_t(total));
      if (n < 0) {
        if (total) break;
        return n;
      }
      total += n;
      if (uint64_t(n) < v.len) break;
    }
  }
  if (total < 0) return total;
  if (h.name) {
    abi::SocketAddress a = s->socket.remote;
    if (s->socket.datagram) {
      __builtin_memcpy(a.address, from.address, 4);
      a.port = __builtin_bswap16(from.port);
    }
    const uint64_t size_field = message + __builtin_offsetof(Msghdr, name_size);
    if (const int64_t e = write_address(a, h.name, size_field)) return e;
  }
  const int32_t no_flags = 0;
  const uint64_t control_size = 0;
  if (!UserOut<int32_t>(message + __builtin_offsetof(Msghdr, flags)).write(&no_flags).ok() ||
      !UserOut<uint64_t>(message + __builtin_offsetof(Msghdr, control_size))
           .write(&control_size)
           .ok())
    return -kEfault;
  return total;
}

namespace {

// Linux's bounds on a buffer size set (net.core.rmem_max and wmem_max) and the least it
// keeps; the size is reported doubled, as Linux keeps room for its own bookkeeping.
constexpr uint32_t kBufferMax = 212992, kReceiveMin = 2304, kSendMin = 4608;

uint32_t buffer_size(int32_t asked, uint32_t least) {
  const uint32_t v = asked < 0 ? 0 : (uint32_t(asked) > kBufferMax ? kBufferMax : uint32_t(asked));
  return 2 * v > least ? 2 * v : least;
}

}  // namespace

int64_t setsockopt(LinuxProcess& lp, uint64_t fd, uint64_t level, uint64_t name, uint64_t value,
                   uint64_t size) {
  SocketRef s(lp, fd);
  if (s.error()) return s.error();
  if (size < sizeof(int32_t) || size > INT32_MAX) return -kEinval;
  int32_t v;
  if (!UserIn<int32_t>(value).read(&v).ok()) return -kEfault;
  LinuxSocket& socket = s->socket;
  // Options the stack has no knob for are kept and reported: the program sees what it set.
  if (level == kSolSocket) {
    switch (name) {
      case kSoReuseaddr:
      case kSoReuseport: socket.reuse_address = v != 0; return 0;
      case kSoKeepalive: socket.keep_alive = v != 0; return 0;
      case kSoRcvbuf: socket.receive_buffer = buffer_size(v, kReceiveMin); return 0;
      case kSoSndbuf: socket.send_buffer = buffer_size(v, kSendMin); return 0;
      default: return -kEnoprotoopt;
    }
  }
  if (level == kIpprotoTcp && !socket.datagram && name == kTcpNodelay) {
    // Takes effect on a later connect or listen (the stack sets it when a connection opens).
    socket.no_delay = v != 0;
    return 0;
  }
  return -kEnoprotoopt;
}

int64_t getsockopt(LinuxProcess& lp, uint64_t fd, uint64_t level, uint64_t name, uint64_t value,
                   uint64_t size_address) {
  SocketRef s(lp, fd);
  if (s.error()) return s.error();
  int32_t room;
  if (!UserIn<int32_t>(size_address).read(&room).ok()) return -kEfault;
  if (room < 0) return -kEinval;
  LinuxSocket& socket = s->socket;
  int32_t v;
  if (level == kSolSocket) {
    switch (name) {
      case kSoReuseaddr:
      case kSoReuseport: v = socket.reuse_address; break;
      case kSoKeepalive: v = socket.keep_alive; break;
      case kSoRcvbuf: v = int32_t(socket.receive_buffer); break;
      case kSoSndbuf: v = int32_t(socket.send_buffer); break;
      case kSoType: v = socket.datagram ? int32_t(kSockDgram) : int32_t(kSockStream); break;
      case kSoDomain: v = int32_t(kAfInet); break;
      case kSoProtocol: v = socket.datagram ? int32_t(kIpprotoUdp) : int32_t(kIpprotoTcp); break;
      case kSoAcceptconn: v = socket.state == LinuxSocketState::Listening; break;
      case kSoError:
        settle_connect(lp, *s);
        v = __atomic_exchange_n(&socket.error, 0, __ATOMIC_RELAXED);
        if (socket.state == LinuxSocketState::Failed) socket.state = LinuxSocketState::Fresh;
        break;
      default: return -kEnoprotoopt;
    }
  } else if (level == kIpprotoTcp && !socket.datagram && name == kTcpNodelay) {
    v = socket.no_delay;
  } else if (level == kSolSocket || level == kIpprotoTcp || level == kIpprotoIp) {
    return -kEnoprotoopt;
  } else {
    return -kEopnotsupp;  // a level no layer of an AF_INET socket knows, as Linux says
  }
  const uint64_t n = uint64_t(room) < sizeof(v) ? uint64_t(room) : sizeof(v);
  if (!UserOut<uint8_t>(value).write(reinterpret_cast<const uint8_t*>(&v), n).ok()) return -kEfault;
  const int32_t written = int32_t(n);
  return UserOut<int32_t>(size_address).write(&written).ok() ? 0 : -kEfault;
}

}  // namespace kernel::linux_calls
