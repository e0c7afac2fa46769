#include "programs/lib/util_escape.h"

namespace util {
namespace {

bool is_octal(char c) { return c >= '0' && c <= '7'; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// code as UTF-8 into e; false for a surrogate or past U+10FFFF.
bool put_utf8(uint32_t code, Escape* e) {
  if ((code >= 0xD800 && code <= 0xDFFF) || code > 0x10FFFF) return false;
  auto byte = [](uint32_t v) { return static_cast<char>(static_cast<uint8_t>(v)); };
  if (code < 0x80) {
    e->bytes[0] = byte(code);
    e->count = 1;
  } else if (code < 0x800) {
    e->bytes[0] = byte(0xC0 | (code >> 6));
    e->bytes[1] = byte(0x80 | (code & 0x3F));
    e->count = 2;
  } else if (code < 0x10000) {
    e->bytes[0] = byte(0xE0 | (code >> 12));
    e->bytes[1] = byte(0x80 | ((code >> 6) & 0x3F));
    e->bytes[2] = byte(0x80 | (code & 0x3F));
    e->count = 3;
  } else {
    e->bytes[0] = byte(0xF0 | (code >> 18));
    e->bytes[1] = byte(0x80 | ((code >> 12) & 0x3F));
    e->bytes[2] = byte(0x80 | ((code >> 6) & 0x3F));
    e->bytes[3] = byte(0x80 | (code & 0x3F));
    e->count = 4;
  }
  return true;
}

}  // namespace

Escape read_escape(lib::StringView text, EscapeStyle style) {
  Escape e;
  if (text.size() < 2) {  // a lone backslash
    e.length = text.size();
    e.bytes[0] = '\\';
    e.count = text.empty() ? 0 : 1;
    return e;
  }
  const char c = text[1];
  e.length = 2;
  e.count = 1;
  switch (c) {
    case 'a': e.bytes[0] = '\a'; return e;
    case 'b': e.bytes[0] = '\b'; return e;
    case 'e': e.bytes[0] = '\x1b'; return e;
    case 'f': e.bytes[0] = '\f'; return e;
    case 'n': e.bytes[0] = '\n'; return e;
    case 'r': e.bytes[0] = '\r'; return e;
    case 't': e.bytes[0] = '\t'; return e;
    case 'v': e.bytes[0] = '\v'; return e;
    case '\\': e.bytes[0] = '\\'; return e;
    case 'c':
      e.count = 0;
      e.stop = true;
      return e;
    case '"':
      if (style == EscapeStyle::kEcho) break;
      e.bytes[0] = '"';
      return e;
    default: break;
  }
  if (c == 'x') {
    unsigned value = 0;
    size_t digits = 0;
    while (digits < 2 && 2 + digits < text.size() && hex_value(text[2 + digits]) >= 0)
      value = value * 16 + static_cast<unsigned>(hex_value(text[2 + digits++]));
    if (digits == 0) {
      if (style != EscapeStyle::kEcho) e.error = true;
      e.bytes[0] = '\\';
      e.bytes[1] = 'x';
      e.count = 2;
      return e;
    }
    e.length = 2 + digits;
    e.bytes[0] = static_cast<char>(value);
    return e;
  }
  if (is_octal(c)) {
    // %b and echo -e: a leading 0 does not count among the three digits.
    size_t at = (style != EscapeStyle::kPrintfFormat && c == '0') ? 2 : 1;
    const size_t first = at;
    unsigned value = 0;
    while (at - first < 3 && at < text.size() && is_octal(text[at]))
      value = value * 8 + static_cast<unsigned>(text[at++] - '0');
    e.length = at;
    e.bytes[0] = static_cast<char>(value & 0xFF);
    return e;
  }
  if ((c == 'u' || c == 'U') && style != EscapeStyle::kEcho) {
    const size_t want = c == 'u' ? 4 : 8;
    uint32_t value = 0;
    size_t digits = 0;
    while (digits < want && 2 + digits < text.size() && hex_value(text[2 + digits]) >= 0)
      value = value * 16 + static_cast<uint32_t>(hex_value(text[2 + digits++]));
    e.length = 2 + digits;
    if (digits < want || !put_utf8(value, &e)) {
      e.error = true;
      e.count = 0;
    }
    return e;
  }
  e.bytes[0] = '\\';
  e.bytes[1] = c;
  e.count = 2;
  return e;
}

}  // namespace util
