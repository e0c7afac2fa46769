#include <stellina/stream.h>

namespace stellina {

void Stream::reset(Channel ch) {
  ch_ = static_cast<Channel&&>(ch);
  at_ = 0;
  size_ = 0;
}

Result<void> Stream::write(Bytes data, uint64_t deadline_ns) {
  if (!ch_.valid()) return abi::kErrBadHandle;
  const auto* bytes = static_cast<const uint8_t*>(data.data);
  size_t done = 0;
  while (done < data.size) {
    const size_t left = data.size - done;
    const size_t chunk = left < abi::kMaxMessageData ? left : abi::kMaxMessageData;
    Result<void> sent = ch_.send(Bytes{bytes + done, chunk});
    if (sent.ok()) {
      done += chunk;
      continue;
    }
    if (sent.error() != abi::kErrWouldBlock) return sent.error();
    // The reader's queue is full: wait for room (or for it to go, which the send reports).
    TRY(check_ok(
        sys::object_wait(ch_.get(), abi::kSignalWritable | abi::kSignalPeerClosed, deadline_ns)));
  }
  return {};
}

Result<bool> Stream::fill() {
  abi::Handle handles[abi::kMaxMessageHandles];
  for (;;) {
    abi::MessageBuffer m{};
    m.data = buffer_;
    m.data_capacity = sizeof(buffer_);
    m.handles = handles;
    m.handle_capacity = abi::kMaxMessageHandles;
    const int64_t r = sys::channel_recv(ch_.get(), &m);
    if (r == abi::kErrPeerClosed) return false;
    TRY(check_ok(r));
    for (uint32_t i = 0; i < m.handle_count; ++i) sys::handle_close(handles[i]);
    if (m.kind != abi::MessageKind::Data || m.data_size == 0) continue;
    at_ = 0;
    size_ = m.data_size;
    return true;
  }
}

Result<size_t> Stream::read_now(void* out, size_t size) {
  if (!ch_.valid()) return abi::kErrBadHandle;
  if (at_ == size_ && !TRY(fill())) return 0;
  const size_t left = size_ - at_;
  const size_t n = size < left ? size : left;
  __builtin_memcpy(out, buffer_ + at_, n);
  at_ += static_cast<uint32_t>(n);
  return n;
}

Result<size_t> Stream::read(void* out, size_t size, uint64_t deadline_ns) {
  for (;;) {
    Result<size_t> got = read_now(out, size);
    if (got.ok() || got.error() != abi::kErrWouldBlock) return got;
    TRY(check_ok(
        sys::object_wait(ch_.get(), abi::kSignalReadable | abi::kSignalPeerClosed, deadline_ns)));
  }
}

}  // namespace stellina
