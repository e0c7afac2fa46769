#include "programs/hexdump/hexdump_format.h"

namespace text {

namespace {

constexpr char kHex[] = "0123456789abcdef";

size_t hex(uint64_t v, int digits, char* out) {
  // At least digits, more if the offset needs them.
  int needed = 1;
  for (uint64_t rest = v >> 4; rest; rest >>= 4) ++needed;
  if (needed > digits) digits = needed;
  for (int i = digits - 1; i >= 0; --i) {
    out[i] = kHex[v & 15];
    v >>= 4;
  }
  return static_cast<size_t>(digits);
}

}  // namespace

size_t hexdump_line(bool canonical, uint64_t offset, const uint8_t* bytes, size_t n, char* out) {
  size_t at = hex(offset, canonical ? 8 : 7, out);
  if (canonical) {
    out[at++] = ' ';
    out[at++] = ' ';
    for (size_t i = 0; i < kHexdumpLineBytes; ++i) {
      if (i == 8) out[at++] = ' ';
      if (i < n) {
        out[at++] = kHex[bytes[i] >> 4];
        out[at++] = kHex[bytes[i] & 15];
      } else {
        out[at++] = ' ';
        out[at++] = ' ';
      }
      out[at++] = ' ';
    }
    out[at++] = ' ';
    out[at++] = '|';
    for (size_t i = 0; i < n; ++i)
      out[at++] = bytes[i] >= ' ' && bytes[i] < 127 ? static_cast<char>(bytes[i]) : '.';
    out[at++] = '|';
  } else {
    for (size_t i = 0; i < kHexdumpLineBytes; i += 2) {
      out[at++] = ' ';
      if (i < n) {
        const uint8_t lo = bytes[i], hi = i + 1 < n ? bytes[i + 1] : 0;
        out[at++] = kHex[hi >> 4];
        out[at++] = kHex[hi & 15];
        out[at++] = kHex[lo >> 4];
        out[at++] = kHex[lo & 15];
      } else {
        for (int k = 0; k < 4; ++k) out[at++] = ' ';
      }
    }
  }
  out[at++] = '\n';
  return at;
}

size_t hexdump_end(bool canonical, uint64_t offset, char* out) {
  size_t at = hex(offset, canonical ? 8 : 7, out);
  out[at++] = '\n';
  return at;
}

}  // namespace text
