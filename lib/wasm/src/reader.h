#pragma once
// Reading the binary format: bytes, LEB128 integers with the specification's checks (no
// representation longer than needed by more than its padding, no bits beyond the type),
// names in UTF-8. A failed read records the first error and every later read fails too.

#include "wasm/base.h"

namespace wasm {

class Reader {
 public:
  Reader(const uint8_t* begin, const uint8_t* end, const uint8_t* origin)
      : pos_(begin), end_(end), origin_(origin) {}

  bool fail(const char* message) {
    if (error_ == nullptr) {
      error_ = message;
      error_offset_ = static_cast<uint32_t>(pos_ - origin_);
    }
    pos_ = end_;
    return false;
  }
  bool ok() const { return error_ == nullptr; }
  const char* error() const { return error_; }
  uint32_t error_offset() const { return error_offset_; }
  bool at_end() const { return pos_ >= end_; }
  const uint8_t* pos() const { return pos_; }
  const uint8_t* end() const { return end_; }
  size_t left() const { return static_cast<size_t>(end_ - pos_); }
  void set_end(const uint8_t* end) { end_ = end; }
  uint32_t offset() const { return static_cast<uint32_t>(pos_ - origin_); }

  bool u8(uint8_t* out) {
    if (pos_ >= end_) return fail("unexpected end");
    *out = *pos_++;
    return true;
  }
  bool bytes(size_t n, const uint8_t** out) {
    if (left() < n) return fail("unexpected end");
    *out = pos_;
    pos_ += n;
    return true;
  }
  bool u32(uint32_t* out) {
    uint64_t v;
    if (!leb(5, 32, false, &v)) return false;
    *out = static_cast<uint32_t>(v);
    return true;
  }
  bool s32(int32_t* out) {
    uint64_t v;
    if (!leb(5, 32, true, &v)) return false;
    *out = static_cast<int32_t>(static_cast<uint32_t>(v));
    return true;
  }
  bool s33(int64_t* out) {
    uint64_t v;
    if (!leb(5, 33, true, &v)) return false;
    *out = static_cast<int64_t>(v);
    return true;
  }
  bool s64(int64_t* out) {
    uint64_t v;
    if (!leb(10, 64, true, &v)) return false;
    *out = static_cast<int64_t>(v);
    return true;
  }
  bool fixed32(uint32_t* out) {
    const uint8_t* p;
    if (!bytes(4, &p)) return false;
    __builtin_memcpy(out, p, 4);
    return true;
  }
  bool fixed64(uint64_t* out) {
    const uint8_t* p;
    if (!bytes(8, &p)) return false;
    __builtin_memcpy(out, p, 8);
    return true;
  }
  // A vector length: also checks that at least `min_item_bytes` per item remain, so a huge
  // declared count fails at once instead of allocating.
  bool count(uint32_t* out, uint32_t limit, const char* too_many, size_t min_item_bytes = 1) {
    if (!u32(out)) return false;
    if (*out > limit) return fail(too_many);
    if (min_item_bytes != 0 && *out > left() / min_item_bytes) return fail("length out of bounds");
    return true;
  }
  bool name(const char** data, uint32_t* size);

 private:
  bool leb(int max_bytes, int bits, bool is_signed, uint64_t* out);

  const uint8_t* pos_;
  const uint8_t* end_;
  const uint8_t* origin_;
  const char* error_ = nullptr;
  uint32_t error_offset_ = 0;
};

}  // namespace wasm
