#pragma once
// Bytes waiting for a slow device (the kernel's console output), queued whole: a record
// (a log line, a printed message) goes in all at once or not at all, so the bytes that come
// out are the records in order, never one cut by another. When a record does not fit, it
// is dropped and counted; the count is the writer's to report.

#include <cstddef>
#include <cstdint>

namespace lib {

template <size_t N>
class RecordQueue {
 public:
  // Queues the n bytes of s, or nothing (counted as dropped) if they do not all fit.
  bool push(const char* s, size_t n) {
    if (n > room()) {
      ++dropped_;
      return false;
    }
    for (size_t i = 0; i < n; ++i) bytes_[(head_ + size_ + i) % N] = s[i];
    size_ += n;
    return true;
  }
  // Takes up to max bytes from the front into out; returns how many.
  size_t pop(char* out, size_t max) {
    const size_t n = max < size_ ? max : size_;
    for (size_t i = 0; i < n; ++i) out[i] = bytes_[(head_ + i) % N];
    head_ = (head_ + n) % N;
    size_ -= n;
    return n;
  }
  size_t size() const { return size_; }
  size_t room() const { return N - size_; }
  bool empty() const { return size_ == 0; }
  static constexpr size_t capacity() { return N; }
  // Records dropped since the start, whole.
  uint64_t dropped() const { return dropped_; }

 private:
  char bytes_[N] = {};
  size_t head_ = 0;
  size_t size_ = 0;
  uint64_t dropped_ = 0;
};

}  // namespace lib
