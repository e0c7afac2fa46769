#pragma once
// A fixed-capacity byte ring for a connection's send and receive queues. Bytes past size()
// can be written in place (write_at) and made part of the queue later (commit): the receive
// side keeps out-of-order data there until the hole before it fills.

#include <stddef.h>
#include <stdint.h>

namespace tcpip {

template <size_t N>
class TcpRing {
  static_assert(N > 0 && (N & (N - 1)) == 0, "the capacity is a power of two");

 public:
  static constexpr size_t capacity() { return N; }
  size_t size() const { return size_; }
  size_t free() const { return N - size_; }
  void clear() { head_ = size_ = 0; }

  // Appends up to size bytes; returns how many fit.
  size_t append(const uint8_t* data, size_t size) {
    if (size > free()) size = free();
    write_at(0, data, size);
    size_ += size;
    return size;
  }
  // Writes size bytes starting offset bytes past the end of the queue, without queuing them.
  // offset + size must not exceed free().
  void write_at(size_t offset, const uint8_t* data, size_t size) {
    size_t at = (head_ + size_ + offset) & (N - 1);
    while (size > 0) {
      const size_t chunk = size < N - at ? size : N - at;
      __builtin_memcpy(storage_ + at, data, chunk);
      data += chunk;
      size -= chunk;
      at = (at + chunk) & (N - 1);
    }
  }
  // Makes size bytes written by write_at part of the queue.
  void commit(size_t size) { size_ += size <= free() ? size : free(); }
  // Copies size bytes starting offset bytes into the queue; offset + size <= size().
  void peek(size_t offset, uint8_t* out, size_t size) const {
    size_t at = (head_ + offset) & (N - 1);
    while (size > 0) {
      const size_t chunk = size < N - at ? size : N - at;
      __builtin_memcpy(out, storage_ + at, chunk);
      out += chunk;
      size -= chunk;
      at = (at + chunk) & (N - 1);
    }
  }
  // Drops up to size bytes from the front.
  void consume(size_t size) {
    if (size > size_) size = size_;
    head_ = (head_ + size) & (N - 1);
    size_ -= size;
  }

 private:
  uint8_t storage_[N];
  size_t head_ = 0;
  size_t size_ = 0;
};

}  // namespace tcpip
