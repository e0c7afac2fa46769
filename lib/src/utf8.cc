#include <lib/utf8.h>

namespace lib {

Utf8Checker::Step Utf8Checker::feed(uint8_t byte) {
  if (need_ > 0) {
    if (byte < low_ || byte > high_) {
      reset();
      return Step::Invalid;
    }
    low_ = 0x80;
    high_ = 0xbf;
    return --need_ == 0 ? Step::Complete : Step::More;
  }
  if (byte < 0x80) return Step::Complete;
  // The lead bytes and the range of the byte after them (RFC 3629, section 4): the narrow
  // ranges rule out overlong forms (E0, F0), surrogates (ED) and values past U+10FFFF (F4).
  if (byte >= 0xc2 && byte <= 0xdf) {
    need_ = 1;
  } else if (byte >= 0xe0 && byte <= 0xef) {
    need_ = 2;
    if (byte == 0xe0) low_ = 0xa0;
    if (byte == 0xed) high_ = 0x9f;
  } else if (byte >= 0xf0 && byte <= 0xf4) {
    need_ = 3;
    if (byte == 0xf0) low_ = 0x90;
    if (byte == 0xf4) high_ = 0x8f;
  } else {
    return Step::Invalid;  // a continuation byte, C0, C1 or F5..FF
  }
  return Step::More;
}

bool is_valid_utf8(const void* data, size_t size) {
  Utf8Checker checker;
  const auto* p = static_cast<const uint8_t*>(data);
  for (size_t i = 0; i < size; ++i) {
    if (checker.feed(p[i]) == Utf8Checker::Step::Invalid) return false;
  }
  return checker.at_boundary();
}

}  // namespace lib
