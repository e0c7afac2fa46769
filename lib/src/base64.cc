#include <lib/base64.h>

namespace lib {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// The 6-bit value of a character, or -1 outside the alphabet.
int value_of(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

Result<size_t> base64_encode(const void* data, size_t size, char* out, size_t capacity) {
  if (size > (static_cast<size_t>(-1) - 2) / 4 * 3 || capacity < base64_encoded_size(size)) {
    return Error::BufferTooSmall;
  }
  const auto* p = static_cast<const uint8_t*>(data);
  size_t n = 0;
  size_t i = 0;
  for (; i + 3 <= size; i += 3) {
    const uint32_t v =
        static_cast<uint32_t>(p[i]) << 16 | static_cast<uint32_t>(p[i + 1]) << 8 | p[i + 2];
    out[n++] = kAlphabet[v >> 18];
    out[n++] = kAlphabet[(v >> 12) & 63];
    out[n++] = kAlphabet[(v >> 6) & 63];
    out[n++] = kAlphabet[v & 63];
  }
  if (size - i == 1) {
    const uint32_t v = static_cast<uint32_t>(p[i]) << 16;
    out[n++] = kAlphabet[v >> 18];
    out[n++] = kAlphabet[(v >> 12) & 63];
    out[n++] = '=';
    out[n++] = '=';
  } else if (size - i == 2) {
    const uint32_t v = static_cast<uint32_t>(p[i]) << 16 | static_cast<uint32_t>(p[i + 1]) << 8;
    out[n++] = kAlphabet[v >> 18];
    out[n++] = kAlphabet[(v >> 12) & 63];
    out[n++] = kAlphabet[(v >> 6) & 63];
    out[n++] = '=';
  }
  return n;
}

Result<size_t> base64_decode(StringView text, uint8_t* out, size_t capacity) {
  if (text.size() % 4 != 0) return Error::InvalidArgument;
  size_t n = 0;
  for (size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    int v[4];
    size_t padding = 0;
    for (size_t j = 0; j < 4; ++j) {
      const char c = text[i + j];
      if (c == '=' && last && j >= 2) {
        ++padding;
        v[j] = 0;
        continue;
      }
      // A character after padding ("a=b=") or outside the alphabet.
      if (padding > 0) return Error::InvalidArgument;
      v[j] = value_of(c);
      if (v[j] < 0) return Error::InvalidArgument;
    }
    const uint32_t bits = static_cast<uint32_t>(v[0]) << 18 | static_cast<uint32_t>(v[1]) << 12 |
                          static_cast<uint32_t>(v[2]) << 6 | static_cast<uint32_t>(v[3]);
    // The bits padding leaves over must be zero (RFC 4648, section 3.5).
    if ((padding == 1 && (bits & 0xff) != 0) || (padding == 2 && (bits & 0xffff) != 0)) {
      return Error::InvalidArgument;
    }
    const size_t bytes = 3 - padding;
    if (capacity - n < bytes) return Error::BufferTooSmall;
    out[n++] = static_cast<uint8_t>(bits >> 16);
    if (bytes > 1) out[n++] = static_cast<uint8_t>(bits >> 8);
    if (bytes > 2) out[n++] = static_cast<uint8_t>(bits);
  }
  return n;
}

}  // namespace lib
