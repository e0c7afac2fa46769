#pragma once
// A streaming UTF-8 checker (RFC 3629): bytes in one at a time, split anywhere, it says
// whether each completes a character, needs more, or cannot be UTF-8 (an overlong form, a
// surrogate, a value past U+10FFFF, a stray continuation byte). The WebSocket receiver checks
// text messages with it; the line editor takes only whole characters through it.

#include <stddef.h>
#include <stdint.h>

namespace lib {

class Utf8Checker {
 public:
  enum class Step : uint8_t {
    Complete,  // the byte ends a character (or is ASCII)
    More,      // the character goes on
    Invalid,   // the byte cannot continue (or begin) a character; the checker starts over
  };

  Step feed(uint8_t byte);
  // Whether the bytes so far end on a character boundary.
  bool at_boundary() const { return need_ == 0; }
  void reset() {
    need_ = 0;
    low_ = 0x80;
    high_ = 0xbf;
  }

 private:
  uint8_t need_ = 0;    // continuation bytes still to come
  uint8_t low_ = 0x80;  // the range the next continuation byte must lie in
  uint8_t high_ = 0xbf;
};

// Whether data[0..size) is whole, valid UTF-8.
bool is_valid_utf8(const void* data, size_t size);

// The bytes of a character that begins with `lead` (1 for ASCII and for bytes that cannot
// begin one).
constexpr size_t utf8_sequence_length(uint8_t lead) {
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 1;
}
constexpr bool is_utf8_continuation(uint8_t byte) { return (byte & 0xc0) == 0x80; }

}  // namespace lib
