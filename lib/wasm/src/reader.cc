#include "reader.h"

namespace wasm {

bool Reader::leb(int max_bytes, int bits, bool is_signed, uint64_t* out) {
  uint64_t result = 0;
  int shift = 0;
  for (int i = 0; i < max_bytes; ++i) {
    uint8_t byte;
    if (pos_ >= end_) return fail("unexpected end");
    byte = *pos_++;
    result |= static_cast<uint64_t>(byte & 0x7F) << shift;
    shift += 7;
    if (i == max_bytes - 1) {
      if ((byte & 0x80) != 0) return fail("integer representation too long");
      // The bits of the last byte beyond the type: zero, or for signed types copies of
      // the sign bit.
      int used = bits - 7 * (max_bytes - 1);
      uint8_t extra = static_cast<uint8_t>(byte & 0x7F) >> used;
      if (is_signed) {
        uint8_t sign = (byte >> (used - 1)) & 1;
        uint8_t all = static_cast<uint8_t>((1u << (7 - used)) - 1);
        if (extra != (sign != 0 ? all : 0)) return fail("integer too large");
      } else if (extra != 0) {
        return fail("integer too large");
      }
    }
    if ((byte & 0x80) == 0) {
      if (is_signed && shift < 64 && (byte & 0x40) != 0) result |= ~uint64_t{0} << shift;
      if (bits < 64) {
        uint64_t mask = (uint64_t{1} << bits) - 1;
        result = is_signed ? result : (result & mask);
      }
      *out = result;
      return true;
    }
  }
  return fail("integer representation too long");
}

// Checks that [p, end) is well-formed UTF-8: no overlong forms, no surrogates, nothing
// above U+10FFFF.
static bool valid_utf8(const uint8_t* p, const uint8_t* end) {
  while (p < end) {
    uint8_t b = *p++;
    if (b < 0x80) continue;
    int extra;
    uint32_t cp;
    if ((b & 0xE0) == 0xC0) {
      extra = 1;
      cp = b & 0x1F;
    } else if ((b & 0xF0) == 0xE0) {
      extra = 2;
      cp = b & 0x0F;
    } else if ((b & 0xF8) == 0xF0) {
      extra = 3;
      cp = b & 0x07;
    } else {
      return false;
    }
    if (end - p < extra) return false;
    for (int i = 0; i < extra; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3F);
    }
    p += extra;
    static constexpr uint32_t kMinForLength[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMinForLength[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
  }
  return true;
}

bool Reader::name(const char** data, uint32_t* size) {
  uint32_t n;
  if (!u32(&n)) return false;
  if (n > left()) return fail("unexpected end");
  const uint8_t* p = pos_;
  if (!valid_utf8(p, p + n)) return fail("malformed UTF-8 encoding");
  pos_ += n;
  *data = reinterpret_cast<const char*>(p);
  *size = n;
  return true;
}

}  // namespace wasm
