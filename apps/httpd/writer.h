#pragma once
// Text into a fixed buffer: what the response heads, the page and the JSON are written with.
// Nothing is allocated; what does not fit is not written, and overflowed() says so (a
// writer never leaves half a number or half an escape behind).

#include <stddef.h>
#include <stdint.h>

namespace httpd {

class Writer {
 public:
  Writer(char* out, size_t capacity) : out_(out), capacity_(capacity) {}

  void bytes(const void* data, size_t size);
  void text(const char* s);
  void character(char c) { bytes(&c, 1); }
  void number(uint64_t value);
  void hex(uint64_t value);

  // A JSON string (RFC 8259), quotes included: '"', '\\' and control characters escaped,
  // bytes that are not well-formed UTF-8 replaced by U+FFFD.
  void json_string(const char* s, size_t size);
  // Text for an HTML element or a quoted attribute: & < > " ' as character references,
  // control characters dropped (tab and newline kept), ill-formed UTF-8 as U+FFFD.
  void html_text(const char* s, size_t size);

  size_t size() const { return size_; }
  bool overflowed() const { return overflowed_; }
  char* data() const { return out_; }

 private:
  // Copies the UTF-8 sequence at s[0..size), or U+FFFD for its first byte if it is not a
  // well-formed one; returns the bytes consumed.
  size_t copy_utf8(const uint8_t* s, size_t size);

  char* out_;
  size_t capacity_;
  size_t size_ = 0;
  bool overflowed_ = false;
};

// The length of the well-formed UTF-8 sequence at s[0..size) (1 to 4), or 0 if the bytes
// there are not one (a stray continuation byte, an overlong form, a surrogate, a code point
// past U+10FFFF, a sequence cut short).
size_t utf8_sequence(const uint8_t* s, size_t size);

}  // namespace httpd
