#include <lib/checked_number.h>

namespace lib {

namespace {

Result<uint64_t> parse_in_base(StringView text, unsigned base, uint64_t max) {
  if (text.size() == 0) return Error::InvalidArgument;
  NumberAccumulator n(base, max);
  bool overflowed = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const int digit = base == 16 ? hex_digit(text[i]) : decimal_digit(text[i]);
    if (digit < 0) return Error::InvalidArgument;
    // A bad byte after the overflow is still InvalidArgument: read on.
    overflowed |= !n.push(static_cast<unsigned>(digit));
  }
  if (overflowed) return Error::OutOfRange;
  return n.value();
}

}  // namespace

Result<uint64_t> parse_decimal(StringView text, uint64_t max) {
  return parse_in_base(text, 10, max);
}

Result<uint64_t> parse_hex(StringView text, uint64_t max) { return parse_in_base(text, 16, max); }

Result<int64_t> parse_signed_decimal(StringView text, int64_t min, int64_t max) {
  const bool negative = text.size() > 0 && text[0] == '-';
  const bool sign = negative || (text.size() > 0 && text[0] == '+');
  const StringView digits(text.data() + (sign ? 1 : 0), text.size() - (sign ? 1 : 0));
  // The magnitude of INT64_MIN is one more than INT64_MAX.
  const uint64_t limit = negative ? uint64_t{1} << 63 : uint64_t{INT64_MAX};
  const uint64_t magnitude = TRY(parse_decimal(digits, limit));
  const int64_t value =
      negative ? static_cast<int64_t>(0 - magnitude) : static_cast<int64_t>(magnitude);
  if (value < min || value > max) return Error::OutOfRange;
  return value;
}

}  // namespace lib
