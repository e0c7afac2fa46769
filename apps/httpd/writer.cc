#include "apps/httpd/writer.h"

#include <lib/string_view.h>

namespace httpd {

namespace {
constexpr char kHex[] = "0123456789abcdef";
constexpr char kReplacementUtf8[] = "\xef\xbf\xbd";  // U+FFFD
}  // namespace

void Writer::bytes(const void* data, size_t size) {
  if (overflowed_ || size > capacity_ - size_) {
    overflowed_ = true;
    return;
  }
  __builtin_memcpy(out_ + size_, data, size);
  size_ += size;
}

void Writer::text(const char* s) {
  const lib::StringView t(s);
  bytes(t.data(), t.size());
}

void Writer::number(uint64_t value) {
  char digits[20];
  size_t n = 0;
  do {
    digits[sizeof(digits) - ++n] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value);
  bytes(digits + sizeof(digits) - n, n);
}

void Writer::hex(uint64_t value) {
  char digits[16];
  size_t n = 0;
  do {
    digits[sizeof(digits) - ++n] = kHex[value & 0xf];
    value >>= 4;
  } while (value);
  bytes(digits + sizeof(digits) - n, n);
}

size_t utf8_sequence(const uint8_t* s, size_t size) {
  const uint8_t c = s[0];
  if (c < 0x80) return 1;
  size_t n = 0;
  uint32_t min = 0, code = 0;
  if (c >= 0xc2 && c <= 0xdf) {
    n = 2, min = 0x80, code = c & 0x1f;
  } else if (c >= 0xe0 && c <= 0xef) {
    n = 3, min = 0x800, code = c & 0x0f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 4, min = 0x10000, code = c & 0x07;
  } else {
    return 0;  // a continuation byte, or a lead byte that is never valid
  }
  if (size < n) return 0;
  for (size_t i = 1; i < n; ++i) {
    if ((s[i] & 0xc0) != 0x80) return 0;
    code = code << 6 | (s[i] & 0x3f);
  }
  if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return 0;
  return n;
}

size_t Writer::copy_utf8(const uint8_t* s, size_t size) {
  const size_t n = utf8_sequence(s, size);
  if (n == 0) {
    bytes(kReplacementUtf8, 3);
    return 1;
  }
  bytes(s, n);
  return n;
}

void Writer::json_string(const char* s, size_t size) {
  const size_t start = size_;
  character('"');
  const auto* p = reinterpret_cast<const uint8_t*>(s);
  for (size_t i = 0; i < size && !overflowed_;) {
    const uint8_t c = p[i];
    if (c == '"' || c == '\\') {
      const char escaped[2] = {'\\', static_cast<char>(c)};
      bytes(escaped, 2);
    } else if (c < 0x20) {
      const char escaped[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xf]};
      bytes(escaped, 6);
    }
    if (c == '"' || c == '\\' || c < 0x20) {
      ++i;
      continue;
    }
    i += copy_utf8(p + i, size - i);
  }
  character('"');
  if (overflowed_) size_ = start;  // no half string
}

void Writer::html_text(const char* s, size_t size) {
  const size_t start = size_;
  const auto* p = reinterpret_cast<const uint8_t*>(s);
  for (size_t i = 0; i < size && !overflowed_;) {
    const uint8_t c = p[i];
    const char* reference = nullptr;
    switch (c) {
      case '&': reference = "&amp;"; break;
      case '<': reference = "&lt;"; break;
      case '>': reference = "&gt;"; break;
      case '"': reference = "&quot;"; break;
      case '\'': reference = "&#39;"; break;
      default: break;
    }
    if (reference) {
      text(reference);
      ++i;
      continue;
    }
    if (c < 0x20 || c == 0x7f) {
      if (c == '\t' || c == '\n') character(static_cast<char>(c));
      ++i;
      continue;
    }
    i += copy_utf8(p + i, size - i);
  }
  if (overflowed_) size_ = start;
}

}  // namespace httpd
