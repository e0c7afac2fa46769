// Reading and writing descriptors: streams and pipe ends (channels carrying Data messages of
// bytes, as a program's streams do: abi/stellina/program.h), open files (Read and Write
// requests to the file server that holds them), and the devices served here.

#include "kernel/linux/linux_calls.h"
#include "kernel/linux/linux_file_client.h"
#include "kernel/linux/linux_signal.h"
#include "kernel/linux/linux_signal_abi.h"
#include "kernel/linux/linux_socket.h"
#include "kernel/linux/linux_tty.h"
#include "kernel/syscall.h"
#include "kernel/thread.h"

namespace kernel::linux_calls {

namespace abi = stellina::abi;
using namespace linux_abi;

namespace {

// The channel behind a stream, with a reference the caller drops under sched_lock.
lib::Result<Ref<Channel>> stream(const LinuxOpenFile& file, uint32_t rights) {
  SpinlockGuard guard(sched_lock);
  return Ref<Channel>(TRY(current_process().handles().get<Channel>(file.handle, rights)));
}

void drop(Ref<Channel>& ch) {
  SpinlockGuard guard(sched_lock);
  ch = Ref<Channel>();
}

// Sends m on ch, waiting while the peer's queue is full (unless nonblocking: WouldBlock).
// Takes m either way.
lib::Result<void> send_waiting(Channel& ch, Message* m, bool nonblocking) {
  SpinlockGuard guard(sched_lock);
  for (;;) {
    auto sent = ch.send(m);
    if (sent.ok()) return {};
    if (sent.error() == lib::Error::WouldBlock && !nonblocking) {
      auto waited = wait_for_signals(&ch, abi::kSignalWritable | abi::kSignalPeerClosed, 0);
      if (waited.ok()) continue;
      sent = waited.error();
    }
    Message::destroy(m);
    return sent.error();
  }
}

}  // namespace

int64_t write_channel(Channel& ch, const ByteSource& src, uint64_t count, bool nonblocking) {
  uint64_t done = 0;
  while (done < count) {
    const uint64_t chunk =
        count - done < abi::kMaxMessageData ? count - done : abi::kMaxMessageData;
    auto made = Message::create(MessageKind::Data, 0, static_cast<uint32_t>(chunk),
                                &current_process().silo());
    lib::Result<void> result = made.ok() ? lib::Result<void>() : made.error();
    if (result.ok()) {
      result = src.copy(made.value()->data, done, chunk);
      if (!result.ok()) {
        SpinlockGuard guard(sched_lock);
        Message::destroy(made.value());
      }
    }
    if (result.ok()) result = send_waiting(ch, made.value(), nonblocking);
    if (!result.ok() && done) return int64_t(done);
    // A wait for room that a signal ended: EINTR, or restarted (SA_RESTART).
    if (!result.ok())
      return result.error() == lib::Error::Killed ? -kErestartsys : errno_of(result.error());
    done += chunk;
  }
  return int64_t(done);
}

namespace {

int64_t stream_write(LinuxOpenFile& file, const ByteSource& src, uint64_t count) {
  auto ch = stream(file, abi::kRightWrite);
  if (!ch.ok()) return -kEbadf;
  Ref<Channel> channel = ch.release_value();
  LinuxInterruptible interruptible;
  const int64_t written = write_channel(*channel, src, count, (file.flags & kONonblock) != 0);
  drop(channel);
  return written;
}

// The next Data message with bytes, or null: at the end (the writer closed its end), with
// *would_block set when nonblocking and none waits, or with *interrupted set when a signal
// ended the wait.
Message* next_data(Channel& channel, bool nonblocking, bool* would_block, bool* interrupted)
    REQUIRES(sched_lock) {
  bool woken_by_signal = false;
  for (;;) {
    Message* m = channel.peek();
    if (m) {
      channel.remove(m);
      if (m->kind == MessageKind::Data && m->data_size != 0) return m;
      Message::destroy(m);
      continue;
    }
    if (channel.peer_closed()) return nullptr;  // end of file
    if (nonblocking) {
      *would_block = true;
      return nullptr;
    }
    // A signal (or the process's end) stopped the wait: bytes that came meanwhile are
    // still read first, as on Linux.
    if (woken_by_signal) {
      *interrupted = true;
      return nullptr;
    }
    woken_by_signal =
        !wait_for_signals(&channel, abi::kSignalReadable | abi::kSignalPeerClosed, 0).ok();
  }
}

int64_t stream_read(LinuxOpenFile& file, uint64_t buffer, uint64_t count) {
  // Held while waiting for a message: a thread writing the other end never takes it, and a
  // process being killed stops the wait, so the holder always lets it go.
  MutexGuard reading(file.read_lock);
  Message* m = file.pending;
  uint32_t offset = file.pending_offset;
  file.pending = nullptr;
  if (!m) {
    auto ch = stream(file, abi::kRightRead);
    if (!ch.ok()) return -kEbadf;
    Ref<Channel> channel = ch.release_value();
    LinuxInterruptible interruptible;
    bool interrupted = false;
    SpinlockGuard guard(sched_lock);
    bool would_block = false;
    m = next_data(*channel, (file.flags & kONonblock) != 0, &would_block, &interrupted);
    channel = Ref<Channel>();
    offset = 0;
    if (would_block) return -kEagain;
    if (interrupted) return -kErestartsys;  // EINTR, or restarted (SA_RESTART)
  }
  if (!m) return 0;
  const uint64_t left = m->data_size - offset;
  const uint64_t take = count < left ? count : left;
  if (!UserOut<uint8_t>(buffer).write(m->data + offset, take).ok()) {
    file.pending = m;  // nothing was taken
    file.pending_offset = offset;
    return -kEfault;
  }
  if (take < left) {
    file.pending = m;
    file.pending_offset = offset + static_cast<uint32_t>(take);
  } else {
    SpinlockGuard guard(sched_lock);
    Message::destroy(m);
  }
  return int64_t(take);
}

// Read requests of at most kFileMaxInline bytes from offset, until count or the end.
int64_t file_read(LinuxProcess& lp, const LinuxOpenFile& file, uint64_t offset, uint64_t buffer,
                  uint64_t count) {
  uint64_t done = 0;
  while (done < count) {
    abi::FileRequest r{};
    r.op = abi::FileOp::Read;
    r.offset = offset + done;
    r.size = count - done < abi::kFileMaxInline ? count - done : abi::kFileMaxInline;
    auto answer = file_call(lp, file.handle, r);
    int64_t error = answer.ok() ? errno_of_status(answer.value().status()) : -kEio;
    const uint32_t got = error ? 0 : answer.value().data_size();
    if (!error && got > r.size) error = -kEio;
    if (!error && !UserOut<uint8_t>(buffer + done).write(answer.value().data(), got).ok())
      error = -kEfault;
    if (error) return done ? int64_t(done) : error;
    done += got;
    if (got < r.size) break;  // the end of the file
  }
  return int64_t(done);
}

// Write requests of at most kFileMaxWriteInline bytes at offset.
int64_t file_write(LinuxProcess& lp, const LinuxOpenFile& file, uint64_t offset,
                   const ByteSource& src, uint64_t count) {
  uint64_t done = 0;
  while (done < count) {
    abi::FileRequest r{};
    r.op = abi::FileOp::Write;
    r.offset = offset + done;
    FileRequestBody body;
    body.user_bytes = src.kernel ? 0 : src.user + done;
    body.kernel_bytes = src.kernel ? src.kernel + done : nullptr;
    body.user_bytes_size = static_cast<uint32_t>(
        count - done < abi::kFileMaxWriteInline ? count - done : abi::kFileMaxWriteInline);
    auto answer = file_call(lp, file.handle, r, body);
    int64_t error = answer.ok() ? errno_of_status(answer.value().status())
                                : (answer.error() == lib::Error::Fault ? -kEfault : -kEio);
    if (error == -kErofs) error = -kEbadf;  // not opened for writing
    if (error) return done ? int64_t(done) : error;
    const uint64_t wrote = answer.value().value();
    done += wrote;
    if (wrote < body.user_bytes_size) break;  // the disk is full
  }
  return int64_t(done);
}

// The file's size, for O_APPEND and SEEK_END.
lib::Result<uint64_t> file_size(LinuxProcess& lp, const LinuxOpenFile& file) {
  abi::FileRequest r{};
  r.op = abi::FileOp::Stat;
  auto answer = TRY(file_call(lp, file.handle, r));
  abi::FileStat st;
  if (answer.status() != abi::kOk || answer.data_size() < sizeof(st)) return lib::Error::NotFound;
  __builtin_memcpy(&st, answer.data(), sizeof(st));
  return st.size;
}

// /dev/zero and /dev/urandom: count bytes made here.
int64_t device_read(const LinuxOpenFile& file, uint64_t buffer, uint64_t count) {
  uint8_t bytes[256];
  if (file.kind == LinuxFileKind::Zero) __builtin_memset(bytes, 0, sizeof(bytes));
  uint64_t done = 0;
  while (done < count) {
    const uint64_t n = count - done < sizeof(bytes) ? count - done : sizeof(bytes);
    if (file.kind == LinuxFileKind::Random) linux_random_bytes(bytes, n);
    if (!UserOut<uint8_t>(buffer + done).write(bytes, n).ok())
      return done ? int64_t(done) : -kEfault;
    done += n;
  }
  return int64_t(done);
}

}  // namespace

int64_t read_at(LinuxProcess& lp, LinuxOpenFile& file, uint64_t buffer, uint64_t count,
                const uint64_t* offset) {
  if (!file.readable()) return -kEbadf;
  if (count > INT64_MAX) return -kEinval;
  switch (file.kind) {
    case LinuxFileKind::Stream:
      if (offset) return -kEspipe;
      return count ? stream_read(file, buffer, count) : 0;
    case LinuxFileKind::Socket:
      if (offset) return -kEspipe;
      return socket_read(file, buffer, count, 0);
    case LinuxFileKind::Tty:
      if (offset) return -kEspipe;
      return count ? file.tty->read(lp, buffer, count, file.flags & kONonblock) : 0;
    case LinuxFileKind::Directory: return -kEisdir;
    case LinuxFileKind::Null: return 0;
    case LinuxFileKind::Zero:
    case LinuxFileKind::Random: return device_read(file, buffer, count);
    case LinuxFileKind::File: {
      if (offset) return file_read(lp, file, *offset, buffer, count);
      MutexGuard guard(file.position->lock);
      const int64_t got = file_read(lp, file, file.position->offset, buffer, count);
      if (got > 0) file.position->offset += uint64_t(got);
      return got;
    }
  }
  return -kEbadf;
}

int64_t write_at(LinuxProcess& lp, LinuxOpenFile& file, uint64_t buffer, uint64_t count,
                 const uint64_t* offset) {
  return write_from(lp, file, ByteSource{buffer, nullptr}, count, offset);
}

int64_t write_from(LinuxProcess& lp, LinuxOpenFile& file, const ByteSource& src, uint64_t count,
                   const uint64_t* offset) {
  if (!file.writable()) return -kEbadf;
  if (count > INT64_MAX) return -kEinval;
  switch (file.kind) {
    case LinuxFileKind::Stream:
      if (offset) return -kEspipe;
      return count ? stream_write(file, src, count) : 0;
    case LinuxFileKind::Socket:
      if (offset) return -kEspipe;
      return socket_write(file, src, count, 0);
    case LinuxFileKind::Tty:
      if (offset) return -kEspipe;
      return count ? file.tty->write(src, count, file.flags & kONonblock) : 0;
    case LinuxFileKind::Directory: return -kEisdir;
    case LinuxFileKind::Null:
    case LinuxFileKind::Zero:
    case LinuxFileKind::Random: return int64_t(count);
    case LinuxFileKind::File: {
      if (count == 0) return 0;
      // Held from the Stat to the write: O_APPEND writes through one description (or its
      // fork's copies) do not overwrite each other.
      MutexGuard guard(file.position->lock);
      uint64_t at = offset ? *offset : file.position->offset;
      // O_APPEND: at the end, as Linux does (pwrite too), found by a Stat first.
      if (file.flags & kOAppend) {
        auto size = file_size(lp, file);
        if (!size.ok()) return -kEio;
        at = size.value();
      }
      const int64_t wrote = file_write(lp, file, at, src, count);
      if (wrote > 0 && !offset) file.position->offset = at + uint64_t(wrote);
      return wrote;
    }
  }
  return -kEbadf;
}

int64_t read(LinuxProcess& lp, uint64_t fd, uint64_t buffer, uint64_t count) {
  FileRef file(lp, fd);
  return file ? read_at(lp, *file, buffer, count, nullptr) : -kEbadf;
}

int64_t write(LinuxProcess& lp, uint64_t fd, uint64_t buffer, uint64_t count) {
  int64_t wrote;
  {
    FileRef file(lp, fd);
    wrote = file ? write_at(lp, *file, buffer, count, nullptr) : -kEbadf;
  }
  if (wrote == -kEpipe) linux_raise_sigpipe();
  return wrote;
}

int64_t pread64(LinuxProcess& lp, uint64_t fd, uint64_t buffer, uint64_t count, uint64_t offset) {
  FileRef file(lp, fd);
  if (!file) return -kEbadf;
  if (int64_t(offset) < 0) return -kEinval;
  return read_at(lp, *file, buffer, count, &offset);
}

int64_t pwrite64(LinuxProcess& lp, uint64_t fd, uint64_t buffer, uint64_t count, uint64_t offset) {
  FileRef file(lp, fd);
  if (!file) return -kEbadf;
  if (int64_t(offset) < 0) return -kEinval;
  return write_at(lp, *file, buffer, count, &offset);
}

namespace {

// readv and writev: each vector in turn, stopping at a short transfer.
template <typename Transfer>
int64_t vectored(uint64_t iov, uint64_t iovcnt, Transfer transfer) {
  if (iovcnt > kIovMax) return -kEinval;
  int64_t total = 0;
  for (uint64_t i = 0; i < iovcnt; ++i) {
    Iovec v;
    if (!UserIn<Iovec>(iov + i * sizeof(Iovec)).read(&v).ok()) return total ? total : -kEfault;
    if (v.len > INT64_MAX) return total ? total : -kEinval;
    if (v.len == 0) continue;
    const int64_t n = transfer(v.base, v.len);
    if (n < 0) return total ? total : n;
    total += n;
    if (uint64_t(n) < v.len) break;
  }
  return total;
}

}  // namespace

int64_t readv(LinuxProcess& lp, uint64_t fd, uint64_t iov, uint64_t iovcnt) {
  FileRef file(lp, fd);
  if (!file) return -kEbadf;
  return vectored(iov, iovcnt, [&](uint64_t base, uint64_t len) {
    return read_at(lp, *file, base, len, nullptr);
  });
}

int64_t writev(LinuxProcess& lp, uint64_t fd, uint64_t iov, uint64_t iovcnt) {
  int64_t wrote;
  {
    FileRef file(lp, fd);
    if (!file) return -kEbadf;
    wrote = vectored(iov, iovcnt, [&](uint64_t base, uint64_t len) {
      return write_at(lp, *file, base, len, nullptr);
    });
  }
  if (wrote == -kEpipe) linux_raise_sigpipe();
  return wrote;
}

namespace {

// sendfile's copy: Read requests from in at offset, each reply's bytes written to out from
// the kernel's copy. Returns the bytes sent; an error only when none were.
int64_t send_range(LinuxProcess& lp, LinuxOpenFile& out, const LinuxOpenFile& in, uint64_t offset,
                   uint64_t count) {
  uint64_t sent = 0;
  while (sent < count) {
    abi::FileRequest r{};
    r.op = abi::FileOp::Read;
    r.offset = offset + sent;
    r.size = count - sent < abi::kFileMaxInline ? count - sent : abi::kFileMaxInline;
    auto answer = file_call(lp, in.handle, r);
    int64_t error = answer.ok() ? errno_of_status(answer.value().status()) : -kEio;
    const uint32_t got = error ? 0 : answer.value().data_size();
    if (!error && got > r.size) error = -kEio;
    if (error) return sent ? int64_t(sent) : error;
    if (got == 0) break;
    const int64_t wrote = write_from(lp, out, ByteSource{0, answer.value().data()}, got, nullptr);
    if (wrote < 0) return sent ? int64_t(sent) : wrote;
    sent += uint64_t(wrote);
    if (uint64_t(wrote) < got || got < r.size) break;
  }
  return int64_t(sent);
}

}  // namespace

int64_t sendfile(LinuxProcess& lp, uint64_t out_fd, uint64_t in_fd, uint64_t offset_address,
                 uint64_t count) {
  constexpr uint64_t kMaxCount = 0x7ffff000;  // what Linux moves at most per call
  int64_t sent;
  {
    FileRef out(lp, out_fd), in(lp, in_fd);
    if (!out || !in || !in->readable() || !out->writable()) return -kEbadf;
    // The source must be a file (Linux: something it can map); an O_APPEND destination is
    // refused, as on Linux.
    if (in->kind != LinuxFileKind::File || (out->flags & kOAppend)) return -kEinval;
    // The source's position is read before the copy and moved after it, not held through
    // it: the destination's writes take their own position's lock, and holding two would let
    // two sendfiles in opposite directions wait for each other.
    uint64_t offset;
    {
      MutexGuard guard(in->position->lock);
      offset = in->position->offset;
    }
    if (offset_address && !UserIn<uint64_t>(offset_address).read(&offset).ok()) return -kEfault;
    if (int64_t(offset) < 0) return -kEinval;
    sent = send_range(lp, *out, *in, offset, count < kMaxCount ? count : kMaxCount);
    if (sent > 0 && offset_address) {
      const uint64_t next = offset + uint64_t(sent);
      if (!UserOut<uint64_t>(offset_address).write(&next).ok()) return -kEfault;
    } else if (sent > 0) {
      MutexGuard guard(in->position->lock);
      in->position->offset = offset + uint64_t(sent);
    }
  }
  if (sent == -kEpipe) linux_raise_sigpipe();
  return sent;
}

int64_t ioctl(LinuxProcess& lp, uint64_t fd, uint64_t request, uint64_t argument) {
  // Linux's requests for any descriptor (asm-generic/ioctls.h).
  constexpr uint64_t kFionbio = 0x5421, kFionclex = 0x5450, kFioclex = 0x5451;
  request &= 0xffffffff;  // an unsigned int
  FileRef file(lp, fd);
  if (!file) return -kEbadf;
  switch (request) {
    case kFionbio: {
      int32_t on;
      if (!UserIn<int32_t>(argument).read(&on).ok()) return -kEfault;
      SpinlockGuard guard(sched_lock);
      file->flags = on ? file->flags | kONonblock : file->flags & ~uint32_t(kONonblock);
      return 0;
    }
    case kFioclex:
    case kFionclex: {
      SpinlockGuard guard(sched_lock);
      if (lp.fds().get(int64_t(fd)) == &*file)
        lp.fds().set_close_on_exec(int64_t(fd), request == kFioclex);
      return 0;
    }
    default: break;
  }
  // The terminal's requests on a terminal; on anything else they and every other request
  // are ENOTTY, as Linux answers for a pipe or a file.
  if (file->kind == LinuxFileKind::Tty) return file->tty->ioctl(lp, request, argument);
  return -kEnotty;
}

FileRef::FileRef(LinuxProcess& lp, uint64_t fd) : lp_(lp) {
  SpinlockGuard guard(sched_lock);
  file_ = lp.fds().get(int64_t(fd));
  if (file_) ++file_->refs;
}

FileRef::~FileRef() {
  if (!file_) return;
  SpinlockGuard guard(sched_lock);
  lp_.fds().release(file_, &current_process().handles());
}

}  // namespace kernel::linux_calls
