// The life of a socket: socket, bind, listen, connect (blocking or not), accept, shutdown,
// and what poll asks of it. Every channel comes from an Open on the process's namespace
// channel; its answer (OpenReply with the channel, or Abort with a Status) is matched by
// call id, so threads and forked processes sharing the namespace channel each take their
// own.

#include "kernel/linux/linux_socket.h"

#include "kernel/linux/linux_socket_calls.h"
#include "kernel/syscall.h"

namespace kernel::linux_calls {

namespace abi = stellina::abi;
using namespace linux_abi;

namespace {

constexpr uint32_t kMaxBacklog = 64;  // tcp-listen's bound (abi/stellina/socket.h)
constexpr size_t kUriBytes = 64;

// Appends text to a URI being built.
class UriWriter {
 public:
  explicit UriWriter(char (&out)[kUriBytes]) : out_(out) {}
  UriWriter& text(const char* s) {
    while (*s && size_ + 1 < kUriBytes) out_[size_++] = *s++;
    return *this;
  }
  UriWriter& number(uint32_t n) {
    char digits[10];
    int count = 0;
    do {
      digits[count++] = char('0' + n % 10);
      n /= 10;
    } while (n);
    while (count && size_ + 1 < kUriBytes) out_[size_++] = digits[--count];
    return *this;
  }
  UriWriter& address(const abi::SocketAddress& a) {
    for (int i = 0; i < 4; ++i) {
      if (i) text(".");
      number(a.address[i]);
    }
    return text(":").number(a.port);
  }
  size_t size() const { return size_; }

 private:
  char (&out_)[kUriBytes];
  size_t size_ = 0;
};

lib::Result<Ref<Channel>> names_channel(LinuxProcess& lp) REQUIRES(sched_lock) {
  return Ref<Channel>(TRY(
      current_process().handles().get<Channel>(lp.names(), abi::kRightRead | abi::kRightWrite)));
}

// Moves the message's first handle into the caller's table.
lib::Result<abi::Handle> take_first_handle(Message* m) REQUIRES(sched_lock) {
  if (m->handle_count == 0) return lib::Error::NotFound;
  HandleTable& table = current_process().handles();
  const abi::Handle h = TRY(table.reserve());
  table.fill_transferred(h, m->handles[0], m->rights[0]);
  const uint32_t last = --m->handle_count;
  m->handles[0] = m->handles[last];
  m->rights[0] = m->rights[last];
  return h;
}

// The answer a message on the namespace channel gives to an Open: the channel, or -errno.
int64_t open_result(Message* m, abi::Handle* out) REQUIRES(sched_lock) {
  int64_t result = -kEio;
  if (m->kind == MessageKind::OpenReply) {
    auto taken = take_first_handle(m);
    result = taken.ok() ? 0 : (taken.error() == lib::Error::NoResources ? -kEmfile : -kEio);
    if (taken.ok()) *out = taken.value();
  } else if (m->kind == MessageKind::Abort && m->data_size >= sizeof(int64_t)) {
    int64_t status;
    __builtin_memcpy(&status, m->data, sizeof(status));
    result = errno_of_network_status(status);
  }
  Message::destroy(m);
  return result;
}

}  // namespace

int64_t errno_of_network_status(int64_t status) {
  switch (status) {
    case abi::kErrConnectionRefused: return -kEconnrefused;
    case abi::kErrConnectionReset: return -kEconnreset;
    case abi::kErrTimedOut: return -kEtimedout;
    case abi::kErrAddressInUse: return -kEaddrinuse;
    case abi::kErrNotFound: return -kEnetunreach;  // no such name, or no network yet
    case abi::kErrAccessDenied:
    case abi::kErrNotSupported: return -kEacces;  // the namespace does not grant the scheme
    case abi::kErrInvalidArgument: return -kEinval;
    case abi::kErrNoResources:
    case abi::kErrNoMemory:
    case abi::kErrQuotaExceeded: return -kEnobufs;
    default: return -kEio;
  }
}

lib::Result<uint64_t> send_open(LinuxProcess& lp, const char* uri, size_t size) {
  const uint64_t call_id = LinuxProcess::next_call_id();
  Message* m = TRY(Message::create(MessageKind::Open, call_id, static_cast<uint32_t>(size),
                                   &current_process().silo()));
  __builtin_memcpy(m->data, uri, size);
  SpinlockGuard guard(sched_lock);
  auto got = names_channel(lp);
  if (!got.ok()) {
    Message::destroy(m);
    return got.error();
  }
  Ref<Channel> names = got.release_value();
  for (;;) {
    auto sent = names->send(m);
    if (sent.ok()) return call_id;
    if (sent.error() == lib::Error::WouldBlock) {
      auto waited = wait_for_signals(names.get(), abi::kSignalWritable | abi::kSignalPeerClosed, 0);
      if (waited.ok()) continue;
      sent = waited.error();
    }
    Message::destroy(m);
    return sent.error();
  }
}

void discard_abandoned_answers(LinuxProcess& lp, Channel& names) {
  LinuxFdTable& fds = lp.fds();
  for (int i = 0; i < fds.abandoned_count();) {
    Message* m = names.peek(true, fds.abandoned(i));
    if (!m) {
      ++i;
      continue;
    }
    names.remove(m);
    Message::destroy(m);  // closes the stream channel a connect's answer brings
    fds.forget_abandoned(i);
  }
}

int64_t take_open_answer(LinuxProcess& lp, uint64_t call_id, bool wait, abi::Handle* out) {
  SpinlockGuard guard(sched_lock);
  auto got = names_channel(lp);
  if (!got.ok()) return -kEnetunreach;
  Ref<Channel> names = got.release_value();
  for (;;) {
    discard_abandoned_answers(lp, *names);
    if (Message* m = names->peek(true, call_id)) {
      names->remove(m);
      return open_result(m, out);
    }
    if (names->peer_closed()) return -kEnetunreach;
    if (!wait) return kAnswerPending;
    if (!names->arrivals().wait(0).ok()) return -kEintr;  // the process is ending
  }
}

int64_t open_socket_channel(LinuxProcess& lp, const char* uri, size_t size, abi::Handle* out) {
  if (lp.names() == abi::kInvalidHandle) return -kEnetunreach;
  auto sent = send_open(lp, uri, size);
  if (!sent.ok()) return sent.error() == lib::Error::Killed ? -kEintr : -kEnetunreach;
  return take_open_answer(lp, sent.value(), true, out);
}

void settle_connect(LinuxProcess& lp, LinuxOpenFile& file) {
  LinuxSocket& s = file.socket;
  if (s.state != LinuxSocketState::Connecting || s.connect_waiting) return;
  abi::Handle h = abi::kInvalidHandle;
  const int64_t r = take_open_answer(lp, s.connect_call, false, &h);
  if (r == kAnswerPending) return;
  SpinlockGuard guard(sched_lock);
  if (s.state != LinuxSocketState::Connecting) {  // another thread settled it first
    if (h != abi::kInvalidHandle) (void)current_process().handles().close(h);
    return;
  }
  if (r == 0) {
    file.handle = h;
    s.state = LinuxSocketState::Connected;
  } else {
    s.state = LinuxSocketState::Failed;
    s.error = int32_t(-r);
  }
}

int64_t read_address(uint64_t address, uint64_t size, abi::SocketAddress* out) {
  constexpr uint64_t kSockaddrStorageBytes = 128;  // Linux's bound on any address's size
  if (size > kSockaddrStorageBytes) return -kEinval;
  if (size < sizeof(uint16_t)) return -kEinval;
  SockaddrIn in{};
  if (!UserIn<uint8_t>(address)
           .read(reinterpret_cast<uint8_t*>(&in), size < sizeof(in) ? size : sizeof(in))
           .ok())
    return -kEfault;
  if (in.family != kAfInet) return -kEafnosupport;
  if (size < sizeof(in)) return -kEinval;
  *out = abi::SocketAddress{};
  __builtin_memcpy(out->address, in.address, 4);
  out->port = uint16_t(__builtin_bswap16(in.port));
  return 0;
}

int64_t write_address(const abi::SocketAddress& a, uint64_t address, uint64_t size_address) {
  if (!address) return 0;
  int32_t room;
  if (!UserIn<int32_t>(size_address).read(&room).ok()) return -kEfault;
  if (room < 0) return -kEinval;
  SockaddrIn in{};
  in.family = kAfInet;
  in.port = __builtin_bswap16(a.port);
  __builtin_memcpy(in.address, a.address, 4);
  const uint64_t n = uint64_t(room) < sizeof(in) ? uint64_t(room) : sizeof(in);
  if (!UserOut<uint8_t>(address).write(reinterpret_cast<const uint8_t*>(&in), n).ok())
    return -kEfault;
  const int32_t full = sizeof(in);
  return UserOut<int32_t>(size_address).write(&full).ok() ? 0 : -kEfault;
}

// A datagram socket's channel: udp: at its local address (0.0.0.0:0 when it has none).
int64_t open_datagram(LinuxProcess& lp, LinuxOpenFile& file) {
  char uri[kUriBytes];
  UriWriter w(uri);
  w.text("udp:").address(file.socket.local);
  abi::Handle h = abi::kInvalidHandle;
  const int64_t r = open_socket_channel(lp, uri, w.size(), &h);
  if (r) return r;
  SpinlockGuard guard(sched_lock);
  if (file.handle != abi::kInvalidHandle) {  // another thread opened it first
    (void)current_process().handles().close(h);
    return 0;
  }
  file.handle = h;
  if (file.socket.state == LinuxSocketState::Fresh) file.socket.state = LinuxSocketState::Bound;
  return 0;
}

lib::Result<void> wait_socket(LinuxOpenFile& file, Channel& ch, uint32_t mask) {
  SignalObserver observer;
  observer.mask = mask;
  observer.context = &file.socket_waiters;
  observer.notify = [](SignalObserver* self, uint32_t) NO_THREAD_SAFETY_ANALYSIS {
    static_cast<WaitQueue*>(self->context)->wake_all();  // under sched_lock: see Object
  };
  ch.add_observer(&observer);
  lib::Result<void> waited;
  if (!(ch.signals() & mask)) waited = file.socket_waiters.wait(0);
  ch.remove_observer(&observer);
  return waited;
}

SocketRef::SocketRef(LinuxProcess& lp, uint64_t fd) : file_(lp, fd) {
  error_ = !file_ ? -kEbadf : (file_->kind != LinuxFileKind::Socket ? -kEnotsock : 0);
}

namespace {

int64_t socket(LinuxProcess& lp, uint64_t domain, uint64_t type, uint64_t protocol) {
  if (domain != kAfInet) return -kEafnosupport;
  if (type & ~(kSockTypeMask | kSockNonblock | kSockCloexec)) return -kEinval;
  const uint64_t kind = type & kSockTypeMask;
  if (kind != kSockStream && kind != kSockDgram) return -kEinval;
  const uint64_t own = kind == kSockStream ? kIpprotoTcp : kIpprotoUdp;
  if (protocol != 0 && protocol != own) return -kEprotonosupport;
  const uint32_t flags = uint32_t(kORdwr | (type & kSockNonblock ? kONonblock : 0));
  auto made = lp.fds().make(LinuxFileKind::Socket, flags, abi::kInvalidHandle);
  if (!made.ok()) return -kEnomem;
  LinuxOpenFile* file = made.value();
  file->socket.datagram = kind == kSockDgram;
  if (file->socket.datagram) file->socket.receive_buffer = file->socket.send_buffer = 212992;
  SpinlockGuard guard(sched_lock);
  auto fd = lp.fds().install(file, 0, (type & kSockCloexec) != 0);
  if (!fd.ok()) {
    lp.fds().release(file, nullptr);
    return -kEmfile;
  }
  return fd.value();
}

int64_t bind(LinuxProcess& lp, uint64_t fd, uint64_t address, uint64_t size) {
  SocketRef s(lp, fd);
  if (s.error()) return s.error();
  abi::SocketAddress local;
  if (const int64_t e = read_address(address, size, &local)) return e;
  LinuxSocket& socket = s->socket;
  if (socket.state != LinuxSocketState::Fresh || s->handle != abi::kInvalidHandle) return -kEinval;
  socket.local = local;
  // A datagram socket is bound at the stack at once (it receives from then on); a stream
  // socket's address waits for listen or connect, since the stack binds only there.
  if (socket.datagram) return open_datagram(lp, *s);
  socket.state = LinuxSocketState::Bound;
  return 0;
}

int64_t listen(LinuxProcess& lp, uint64_t fd, uint64_t backlog) {
  SocketRef s(lp, fd);
  if (s.error()) return s.error();
  LinuxSocket& socket = s->socket;
  if (socket.datagram) return -kEopnotsupp;
  if (socket.state == LinuxSocketState::Listening) return 0;
  if (socket.state != LinuxSocketState::Fresh && socket.state != LinuxSocketState::Bound)
    return -kEinval;
  const int32_t asked = static_cast<int32_t>(backlog);
  const uint32_t queue = asked < 1 ? 1 : (uint32_t(asked) > kMaxBacklog ? kMaxBacklog : asked);
  char uri[kUriBytes];
  UriWriter w(uri);
  w.text("tcp-listen:").address(socket.local).text("/").number(queue);
  if (socket.no_delay) w.text(";nodelay");
  abi::Handle h = abi::kInvalidHandle;
  const int64_t r = open_socket_channel(lp, uri, w.size(), &h);
  if (r) return r;
  SpinlockGuard guard(sched_lock);
  if (s->handle != abi::kInvalidHandle || socket.state == LinuxSocketState::Connecting) {
    // Another thread's listen or connect got there first: this channel goes.
    (void)current_process().handles().close(h);
    return socket.state == LinuxSocketState::Listening ? 0 : -kEinval;
  }
  s->handle = h;
  socket.state = LinuxSocketState::Listening;
  return 0;
}

// EAGAIN when the process has kMaxPendingConnects connects outstanding (once the answers
// that have come for abandoned ones are discarded), else 0.
int64_t room_for_a_connect(LinuxProcess& lp) {
  SpinlockGuard guard(sched_lock);
  auto names = names_channel(lp);
  if (names.ok()) discard_abandoned_answers(lp, *names.value());
  LinuxFdTable& fds = lp.fds();
  return fds.abandoned_count() + fds.connecting_count() >= LinuxFdTable::kMaxPendingConnects
             ? -kEagain
             : 0;
}

// A connect on a stream socket: the Open of tcp:, answered once the handshake ends.
int64_t connect_stream(LinuxProcess& lp, LinuxOpenFile& file, const abi::SocketAddress& to) {
  LinuxSocket& socket = file.socket;
  switch (socket.state) {
    case LinuxSocketState::Connected:
      // The first connect after a non-blocking one completed says so, as Linux's does.
      if (__atomic_exchange_n(&socket.connect_unreported, false, __ATOMIC_RELAXED)) return 0;
      return -kEisconn;
    case LinuxSocketState::Listening: return -kEisconn;
    case LinuxSocketState::Connecting:
      settle_connect(lp, file);
      if (socket.state == LinuxSocketState::Connecting) return -kEalready;
      if (socket.state == LinuxSocketState::Connected) {
        socket.connect_unreported = false;
        return 0;
      }
      socket.state = LinuxSocketState::Fresh;
      return -int64_t(__atomic_exchange_n(&socket.error, 0, __ATOMIC_RELAXED));
    case LinuxSocketState::Fresh:
    case LinuxSocketState::Bound:
    case LinuxSocketState::Failed: break;
  }
  if (lp.names() == abi::kInvalidHandle) return -kEnetunreach;
  if (const int64_t e = room_for_a_connect(lp)) return e;
  char uri[kUriBytes];
  UriWriter w(uri);
  w.text("tcp:").address(to);
  if (socket.no_delay) w.text(";nodelay");
  auto sent = send_open(lp, uri, w.size());
  if (!sent.ok()) return sent.error() == lib::Error::Killed ? -kEintr : -kEnetunreach;
  const bool blocking = !(file.flags & kONonblock);
  {
    SpinlockGuard guard(sched_lock);
    if (socket.state == LinuxSocketState::Connecting || file.handle != abi::kInvalidHandle) {
      // Another thread's connect or listen got there first: this Open's answer is not wanted.
      lp.fds().abandon(sent.value());
      return socket.state == LinuxSocketState::Connecting ? -kEalready : -kEisconn;
    }
    socket.remote = to;
    socket.error = 0;
    socket.connect_call = sent.value();
    socket.state = LinuxSocketState::Connecting;
    socket.connect_waiting = blocking;
    socket.connect_unreported = !blocking;
  }
  if (!blocking) return -kEinprogress;
  abi::Handle h = abi::kInvalidHandle;
  const int64_t r = take_open_answer(lp, socket.connect_call, true, &h);
  SpinlockGuard guard(sched_lock);
  socket.connect_waiting = false;
  // Killed (the process is ending): the socket stays connecting, so its release discards
  // the answer when it comes.
  if (r == -kEintr) return r;
  if (r) {
    socket.state = LinuxSocketState::Fresh;
    return r;
  }
  file.handle = h;
  socket.state = LinuxSocketState::Connected;
  return 0;
}

int64_t connect(LinuxProcess& lp, uint64_t fd, uint64_t address, uint64_t size) {
  SocketRef s(lp, fd);
  if (s.error()) return s.error();
  abi::SocketAddress to;
  if (const int64_t e = read_address(address, size, &to)) return e;
  if (!s->socket.datagram) return connect_stream(lp, *s, to);
  // A datagram socket: its default destination, bound at the stack if it is not yet.
  if (s->handle == abi::kInvalidHandle)
    if (const int64_t e = open_datagram(lp, *s)) return e;
  s->socket.remote = to;
  s->socket.has_peer = true;
  s->socket.state = LinuxSocketState::Connected;
  return 0;
}

// The next connection a listen channel hands over: its stream channel and addresses, or
// -errno (EAGAIN when none waits and the caller does not wait).
int64_t next_connection(LinuxOpenFile& file, bool wait, abi::Handle* out,
                        abi::SocketConnectInfo* info) {
  SpinlockGuard guard(sched_lock);
  auto got = current_process().handles().get<Channel>(file.handle, abi::kRightRead);
  if (!got.ok()) return -kEbadf;
  Ref<Channel> ch(got.value());
  for (;;) {
    // Shut down or closed on another thread (while this one waited, perhaps).
    if (file.socket.read_shut || file.socket.state != LinuxSocketState::Listening) return -kEinval;
    if (Message* m = ch->peek()) {
      ch->remove(m);
      if (m->kind == MessageKind::Connect && m->handle_count &&
          m->data_size >= sizeof(abi::SocketConnectInfo)) {
        __builtin_memcpy(info, m->data, sizeof(*info));
        auto taken = take_first_handle(m);
        Message::destroy(m);
        if (!taken.ok()) return -kEmfile;
        *out = taken.value();
        return 0;
      }
      Message::destroy(m);
      continue;
    }
    if (ch->peer_closed()) return -kEinval;  // the stack stopped listening
    if (!wait) return -kEagain;
    if (!wait_socket(file, *ch, abi::kSignalReadable | abi::kSignalPeerClosed).ok()) return -kEintr;
  }
}

int64_t accept4(LinuxProcess& lp, uint64_t fd, uint64_t address, uint64_t size_address,
                uint64_t flags) {
  if (flags & ~(kSockNonblock | kSockCloexec)) return -kEinval;
  SocketRef s(lp, fd);
  if (s.error()) return s.error();
  if (s->socket.datagram) return -kEopnotsupp;
  if (s->socket.state != LinuxSocketState::Listening) return -kEinval;
  {
    // A full table refuses before a connection is taken (it stays queued for a later try).
    SpinlockGuard guard(sched_lock);
    if (lp.fds().open_count() >= LinuxFdTable::kMaxFds) return -kEmfile;
  }
  abi::Handle h = abi::kInvalidHandle;
  abi::SocketConnectInfo info{};
  if (const int64_t e = next_connection(*s, !(s->flags & kONonblock), &h, &info)) return e;
  const uint32_t status = uint32_t(kORdwr | (flags & kSockNonblock ? kONonblock : 0));
  auto made = lp.fds().make(LinuxFileKind::Socket, status, h);
  if (!made.ok()) {
    SpinlockGuard guard(sched_lock);
    (void)current_process().handles().close(h);
    return -kEnomem;
  }
  LinuxOpenFile* file = made.value();
  file->socket = s->socket;  // its options, as Linux's accepted sockets inherit them
  file->socket.state = LinuxSocketState::Connected;
  file->socket.connect_waiting = file->socket.connect_unreported = false;
  file->socket.local = info.local;
  file->socket.remote = info.remote;
  file->socket.error = 0;
  // The address is written before the descriptor exists: when the write fails the
  // connection goes (as on Linux) and no descriptor is left that the program cannot name.
  const int64_t written = write_address(info.remote, address, size_address);
  SpinlockGuard guard(sched_lock);
  auto installed = written ? lib::Result<int>(lib::Error::Fault)
                           : lp.fds().install(file, 0, (flags & kSockCloexec) != 0);
  if (!installed.ok()) {
    lp.fds().release(file, &current_process().handles());
    return written ? written : -kEmfile;
  }
  return installed.value();
}

// shutdown of a listening socket, as Linux's: SHUT_WR does nothing; SHUT_RD and SHUT_RDWR stop
// listening (the listen channel closes: the stack resets what waits in the backlog), wake an
// accept waiting on another thread (EINVAL), and leave the socket bound, to listen again.
int64_t stop_listening(LinuxOpenFile& file, uint64_t how) {
  if (how == kShutWr) return 0;
  SpinlockGuard guard(sched_lock);
  if (file.socket.state != LinuxSocketState::Listening) return 0;  // another thread's did
  (void)current_process().handles().close(file.handle);
  file.handle = abi::kInvalidHandle;
  file.socket.state = LinuxSocketState::Bound;
  file.socket_waiters.wake_all();
  return 0;
}

int64_t shutdown(LinuxProcess& lp, uint64_t fd, uint64_t how) {
  SocketRef s(lp, fd);
  if (s.error()) return s.error();
  if (how > kShutRdwr) return -kEinval;
  LinuxSocket& socket = s->socket;
  settle_connect(lp, *s);
  if (socket.state == LinuxSocketState::Listening) return stop_listening(*s, how);
  if (socket.state != LinuxSocketState::Connected) return -kEnotconn;
  if (how != kShutWr) {
    SpinlockGuard guard(sched_lock);
    socket.read_shut = true;
    s->socket_waiters.wake_all();  // a recv waiting on another thread returns 0
  }
  if (how == kShutRd || socket.write_shut || socket.datagram) return 0;
  socket.write_shut = true;
  // The end of what this side sends: an empty Data message (the stack sends its FIN).
  auto made = Message::create(MessageKind::Data, 0, 0, &current_process().silo());
  if (!made.ok()) return -kEnomem;
  SpinlockGuard guard(sched_lock);
  auto ch = current_process().handles().get<Channel>(s->handle, abi::kRightWrite);
  if (!ch.ok() || !ch.value()->send(made.value()).ok()) Message::destroy(made.value());
  return 0;
}

int64_t local_name(LinuxProcess& lp, uint64_t fd, uint64_t address, uint64_t size_address,
                   bool peer) {
  SocketRef s(lp, fd);
  if (s.error()) return s.error();
  settle_connect(lp, *s);
  const LinuxSocket& socket = s->socket;
  if (peer &&
      (socket.state != LinuxSocketState::Connected || (socket.datagram && !socket.has_peer)))
    return -kEnotconn;
  return write_address(peer ? socket.remote : socket.local, address, size_address);
}

}  // namespace

uint16_t socket_ready(LinuxProcess& lp, LinuxOpenFile& file, uint16_t events) {
  const LinuxSocket& socket = file.socket;
  const uint16_t in = events & (kPollIn | kPollRdnorm), out = events & (kPollOut | kPollWrnorm);
  switch (socket.state) {
    case LinuxSocketState::Fresh:
      // Linux: an unconnected stream socket is writable and hung up.
      return socket.datagram ? out : uint16_t(out | kPollHup);
    case LinuxSocketState::Bound:
      return socket.datagram ? ready_channel(file, in, out) : out | kPollHup;
    case LinuxSocketState::Failed: return uint16_t(out | kPollErr | kPollHup);
    case LinuxSocketState::Connecting: {
      // The answer to the Open, once it has come, makes it writable (or in error): the
      // caller then settles it with connect or getsockopt(SO_ERROR).
      auto names = current_process().handles().get<Channel>(lp.names(), 0);
      if (!names.ok() || names.value()->peer_closed()) return uint16_t(out | kPollErr | kPollHup);
      discard_abandoned_answers(lp, *names.value());
      return names.value()->peek(true, socket.connect_call) ? out : 0;
    }
    case LinuxSocketState::Listening: return ready_channel(file, in, 0) & ~kPollErr;
    case LinuxSocketState::Connected: {
      uint16_t r = ready_channel(file, in, socket.write_shut ? 0 : out);
      if (socket.read_shut) r |= in;
      return r;
    }
  }
  return 0;
}

Channel* socket_watched(LinuxProcess& lp, const LinuxOpenFile& file, uint16_t events,
                        uint32_t* mask, bool* recheck) {
  const bool connecting = file.socket.state == LinuxSocketState::Connecting;
  const abi::Handle h = connecting ? lp.names() : file.handle;
  if (h == abi::kInvalidHandle) return nullptr;
  auto got = current_process().handles().get<Channel>(h, 0);
  if (!got.ok()) return nullptr;
  Channel* ch = got.value();
  if (connecting) {
    if (ch->signals() & abi::kSignalReadable) {
      *recheck = true;
      return nullptr;
    }
    *mask = abi::kSignalReadable | abi::kSignalPeerClosed;
    return ch;
  }
  *mask = abi::kSignalPeerClosed;
  if (events & (kPollIn | kPollRdnorm)) *mask |= abi::kSignalReadable;
  if (events & (kPollOut | kPollWrnorm)) *mask |= abi::kSignalWritable;
  return ch;
}

int64_t socket_syscall(LinuxProcess& lp, uint64_t number, uint64_t a0, uint64_t a1, uint64_t a2,
                       uint64_t a3, uint64_t a4, uint64_t a5) {
  switch (number) {
    case kSocket: return socket(lp, a0, a1, a2);
    case kSocketpair: return a0 == kAfInet ? -kEopnotsupp : -kEafnosupport;
    case kBind: return bind(lp, a0, a1, a2);
    case kListen: return listen(lp, a0, a1);
    case kConnect: return connect(lp, a0, a1, a2);
    case kAccept: return accept4(lp, a0, a1, a2, 0);
    case kAccept4: return accept4(lp, a0, a1, a2, a3);
    case kShutdown: return shutdown(lp, a0, a1);
    case kGetsockname: return local_name(lp, a0, a1, a2, false);
    case kGetpeername: return local_name(lp, a0, a1, a2, true);
    case kSendto: return sendto(lp, a0, a1, a2, a3, a4, a5);
    case kRecvfrom: return recvfrom(lp, a0, a1, a2, a3, a4, a5);
    case kSendmsg: return sendmsg(lp, a0, a1, a2);
    case kRecvmsg: return recvmsg(lp, a0, a1, a2);
    case kSetsockopt: return setsockopt(lp, a0, a1, a2, a3, a4);
    case kGetsockopt: return getsockopt(lp, a0, a1, a2, a3, a4);
    case kSelect: return select(lp, a0, a1, a2, a3, a4);
    case kPselect6: return pselect6(lp, a0, a1, a2, a3, a4, a5);
    default: return kNotAFileCall;
  }
}

}  // namespace kernel::linux_calls
