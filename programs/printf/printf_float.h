#pragma once
// printf's %f %F %e %E %g %G without floating point: the argument's decimal text is rounded
// exactly (to nearest, ties to even) with integer arithmetic. GNU's printf converts to a long
// double first, so where the text is not exactly a binary fraction and sits halfway
// (printf %.1f 0.35) the two may round differently; anything else prints the same.

#include <stddef.h>
#include <stdint.h>

#include <lib/format.h>
#include <lib/string_view.h>

#include "programs/printf/printf_format.h"

namespace util::printf_cmd {

struct FloatSpec {
  bool left = false, plus = false, space = false, alt = false, zero = false;
  uint64_t width = 0;
  uint64_t precision = 6;
  char conversion = 'f';  // f F e E g G
};

// Significant digits kept from the text; those past it only decide ties.
constexpr size_t kMaxDigits = 128;
// Decimal exponents past these are out of a long double's range: inf, or 0 (kRange).
constexpr int64_t kMaxExponent = 4933;
constexpr int64_t kMinExponent = -4950;

// A decimal number: 0.d1d2...dn x 10^exponent (d1 not 0; n == 0 for zero), or inf or nan.
struct Decimal {
  bool negative = false;
  bool inf = false;
  bool nan = false;
  char digits[kMaxDigits] = {};
  size_t count = 0;
  int64_t exponent = 0;
  bool sticky = false;  // nonzero digits were dropped past the last kept
};

// arg as strtold reads it (blanks, a sign, digits with a point and an exponent, inf,
// infinity, nan, a hex integer 0x1f) or 'c: the character's code.
NumberStatus parse_decimal(lib::StringView arg, Decimal* out);

// Rounds d to keep significant digits (0 or fewer: to zero or to one unit of the digit before
// the first), to nearest, ties to even.
void round_digits(Decimal* d, int64_t keep);

// Formats arg by spec onto out; returns how the argument read (reported by the caller).
NumberStatus format_float(const FloatSpec& spec, lib::StringView arg, lib::Sink& out);

}  // namespace util::printf_cmd
