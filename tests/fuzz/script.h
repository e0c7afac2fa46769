#pragma once
// The fuzz targets' reading of their input as a script: bytes and little-endian numbers
// taken in turn, zero once the input is used up (so every input is a complete script).
#include <stddef.h>
#include <stdint.h>

#include <cstdlib>

namespace fuzz {

class Script {
 public:
  Script(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  bool done() const { return at_ >= size_; }
  uint8_t byte() { return at_ < size_ ? data_[at_++] : 0; }
  uint16_t u16() { return static_cast<uint16_t>(byte() | byte() << 8); }
  uint32_t u32() { return u16() | static_cast<uint32_t>(u16()) << 16; }
  // The next n bytes (fewer at the end of the input) as a span of the input.
  const uint8_t* take(size_t n, size_t* got) {
    *got = n < size_ - at_ ? n : size_ - at_;
    const uint8_t* p = data_ + at_;
    at_ += *got;
    return p;
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t at_ = 0;
};

// A promise of the code under test broke: stop, so libFuzzer keeps the input.
inline void check(bool holds) {
  if (!holds) std::abort();
}

}  // namespace fuzz
