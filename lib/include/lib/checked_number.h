#pragma once
// Numbers from text, and arithmetic on them, that never wrap: every numeric parser of outside
// data (HTTP headers, command arguments, configuration, protocol fields) goes through here, so
// a value past its type or its limit is an error, never a smaller number ("18446744073709551620"
// read as 4 is how a request is smuggled past a proxy).
//
// The parsers take the whole text: no sign (unless the function says so), no spaces, no
// prefix, at least one digit; leading zeros are allowed ("007" is 7).
#include <stddef.h>
#include <stdint.h>

#include <lib/result.h>
#include <lib/string_view.h>

namespace lib {

// a + b and a * b, false (and *out untouched) when the result does not fit in 64 bits.
constexpr bool checked_add(uint64_t a, uint64_t b, uint64_t* out) {
  uint64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) return false;
  *out = r;
  return true;
}
constexpr bool checked_mul(uint64_t a, uint64_t b, uint64_t* out) {
  uint64_t r = 0;
  if (__builtin_mul_overflow(a, b, &r)) return false;
  *out = r;
  return true;
}
constexpr bool checked_add(int64_t a, int64_t b, int64_t* out) {
  int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) return false;
  *out = r;
  return true;
}
constexpr bool checked_mul(int64_t a, int64_t b, int64_t* out) {
  int64_t r = 0;
  if (__builtin_mul_overflow(a, b, &r)) return false;
  *out = r;
  return true;
}

// The value of a digit in base 10 or 16 (either case), or -1.
constexpr int decimal_digit(char c) { return c >= '0' && c <= '9' ? c - '0' : -1; }
constexpr int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A number read a digit at a time, for parsers fed byte by byte (an HTTP header, a chunk
// size): once a digit would take it past max, it stays overflowed.
class NumberAccumulator {
 public:
  explicit constexpr NumberAccumulator(unsigned base = 10, uint64_t max = ~uint64_t{0})
      : base_(base), max_(max) {}
  // Adds a digit (its value, below the base). False once the number is past max.
  constexpr bool push(unsigned digit) {
    uint64_t next = 0;
    if (overflowed_ || !checked_mul(value_, base_, &next) || !checked_add(next, digit, &next) ||
        next > max_) {
      overflowed_ = true;
      return false;
    }
    value_ = next;
    ++digits_;
    return true;
  }
  constexpr bool overflowed() const { return overflowed_; }
  constexpr size_t digits() const { return digits_; }
  // The number so far (meaningless once overflowed).
  constexpr uint64_t value() const { return value_; }

 private:
  uint64_t base_;
  uint64_t max_;
  uint64_t value_ = 0;
  size_t digits_ = 0;
  bool overflowed_ = false;
};

// The whole of text as a decimal number no larger than max. Errors: InvalidArgument (empty, or
// a byte that is not a digit), OutOfRange (past max, 2^64 - 1 included).
Result<uint64_t> parse_decimal(StringView text, uint64_t max = ~uint64_t{0});
// The same in hexadecimal (digits in either case, no "0x").
Result<uint64_t> parse_hex(StringView text, uint64_t max = ~uint64_t{0});
// A decimal number with an optional leading '-' or '+', within [min, max] (INT64_MIN
// included). Errors: as parse_decimal.
Result<int64_t> parse_signed_decimal(StringView text, int64_t min = INT64_MIN,
                                     int64_t max = INT64_MAX);

}  // namespace lib
