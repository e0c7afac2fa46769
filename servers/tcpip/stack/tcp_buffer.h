#pragma once
// A connection's send or receive queue: a byte ring whose storage comes from the engine's
// TcpMemoryBudget as the queue fills (a power of two from kMinCapacity up to kTcpBufferSize)
// and goes back when it is empty. An idle connection holds no buffer at all.
//
// Bytes past size() can be written in place (write_at, after reserve) and made part of the
// queue later (commit): the receive side keeps out-of-order data there until the hole before
// it fills.

#include <stddef.h>
#include <stdint.h>

#include "servers/tcpip/stack/tcp_memory.h"

namespace tcpip {

// Each direction of each connection queues up to this many bytes. It bounds the receive
// window (so it is announced with a window-scale shift of 1) and the data in flight.
inline constexpr size_t kTcpBufferSize = size_t{64} * 1024;

class TcpBuffer {
 public:
  static constexpr size_t kMinCapacity = 2048;
  static_assert((kTcpBufferSize & (kTcpBufferSize - 1)) == 0, "a power of two");

  TcpBuffer() = default;
  TcpBuffer(const TcpBuffer&) = delete;
  TcpBuffer& operator=(const TcpBuffer&) = delete;

  size_t size() const { return size_; }
  // What the queue may still take: its bound, not what is allocated.
  size_t free() const { return kTcpBufferSize - size_; }
  // What is allocated.
  size_t capacity() const { return capacity_; }
  size_t allocated_room() const { return capacity_ - size_; }

  // Makes room for the first `total` bytes from the head (queued and beyond), growing the
  // storage to a power of two that holds them; false when the budget says no (the queue is
  // unchanged) or total is past kTcpBufferSize.
  bool reserve(size_t total, TcpMemoryBudget& budget) {
    if (total <= capacity_) return true;
    if (total > kTcpBufferSize) return false;
    size_t capacity = capacity_ > kMinCapacity ? capacity_ : kMinCapacity;
    while (capacity < total) capacity *= 2;
    auto* storage = static_cast<uint8_t*>(budget.allocate(capacity));
    if (storage == nullptr) return false;
    // Everything the old storage holds keeps its offset from the head, out-of-order bytes too.
    if (capacity_ > 0) peek(0, storage, capacity_);
    budget.release(storage_, capacity_);
    storage_ = storage;
    capacity_ = capacity;
    head_ = 0;
    return true;
  }
  // Gives the storage back. Only for an empty queue with nothing written past its end.
  void release(TcpMemoryBudget& budget) {
    budget.release(storage_, capacity_);
    storage_ = nullptr;
    capacity_ = head_ = size_ = 0;
  }

  // Appends up to size bytes, growing as needed (or by one step, when the budget refuses
  // all); returns how many fit (0 when the budget refused to grow a full queue).
  size_t append(const uint8_t* data, size_t size, TcpMemoryBudget& budget) {
    if (size > free()) size = free();
    if (!reserve(size_ + size, budget)) {
      if (capacity_ < kTcpBufferSize) (void)reserve(capacity_ > 0 ? 2 * capacity_ : 1, budget);
      if (size > allocated_room()) size = allocated_room();
    }
    write_at(0, data, size);
    size_ += size;
    return size;
  }
  // Writes size bytes starting offset bytes past the end of the queue, without queuing them.
  // size() + offset + size must not exceed capacity() (reserve first).
  void write_at(size_t offset, const uint8_t* data, size_t size) {
    size_t at = (head_ + size_ + offset) & (capacity_ - 1);
    while (size > 0) {
      const size_t chunk = size < capacity_ - at ? size : capacity_ - at;
      __builtin_memcpy(storage_ + at, data, chunk);
      data += chunk;
      size -= chunk;
      at = (at + chunk) & (capacity_ - 1);
    }
  }
  // Makes size bytes written by write_at part of the queue.
  void commit(size_t size) { size_ += size <= allocated_room() ? size : allocated_room(); }
  // Copies size bytes starting offset bytes into the storage; offset + size <= capacity().
  void peek(size_t offset, uint8_t* out, size_t size) const {
    size_t at = (head_ + offset) & (capacity_ - 1);
    while (size > 0) {
      const size_t chunk = size < capacity_ - at ? size : capacity_ - at;
      __builtin_memcpy(out, storage_ + at, chunk);
      out += chunk;
      size -= chunk;
      at = (at + chunk) & (capacity_ - 1);
    }
  }
  // Drops up to size bytes from the front.
  void consume(size_t size) {
    if (size > size_) size = size_;
    if (capacity_ > 0) head_ = (head_ + size) & (capacity_ - 1);
    size_ -= size;
  }

 private:
  uint8_t* storage_ = nullptr;
  size_t capacity_ = 0;  // 0, or a power of two from kMinCapacity to kTcpBufferSize
  size_t head_ = 0;
  size_t size_ = 0;
};

}  // namespace tcpip
