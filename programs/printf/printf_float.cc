#include "programs/printf/printf_float.h"

namespace util::printf_cmd {
namespace {

bool is_blank(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// Whether text starts with word, ignoring case.
bool starts_with_word(lib::StringView text, lib::StringView word) {
  if (text.size() < word.size()) return false;
  for (size_t i = 0; i < word.size(); ++i)
    if (lower(text[i]) != word[i]) return false;
  return true;
}

// Appends a digit to d (leading zeros skipped; past kMaxDigits only the sticky bit).
void add_digit(Decimal* d, char c, bool before_point) {
  if (d->count == 0 && c == '0') {
    if (!before_point) --d->exponent;
    return;
  }
  if (d->count < kMaxDigits) {
    d->digits[d->count++] = c;
  } else if (c != '0') {
    d->sticky = true;
  }
  if (before_point) ++d->exponent;
}

void set_integer(Decimal* d, uint64_t v) {
  char text[24];
  size_t n = 0;
  for (; v > 0; v /= 10) text[n++] = static_cast<char>('0' + v % 10);
  d->count = 0;
  d->exponent = 0;
  while (n > 0) add_digit(d, text[--n], true);
}

void trim(Decimal* d) {
  while (d->count > 0 && d->digits[d->count - 1] == '0') --d->count;
  if (d->count == 0) d->exponent = 0;
}

// The digit at place i (0: the first significant one), '0' past the kept ones.
char digit_at(const Decimal& d, int64_t i) {
  return i >= 0 && static_cast<uint64_t>(i) < d.count ? d.digits[i] : '0';
}

struct Counter final : lib::Sink {
  void write(const char*, size_t n) override { size += n; }
  uint64_t size = 0;
};

void put(lib::Sink& out, char c) { out.write(&c, 1); }
void repeat(lib::Sink& out, char c, uint64_t n) {
  for (; n > 0; --n) put(out, c);
}

// A number in %f's style with precision places (d already rounded to them).
void fixed(lib::Sink& out, const Decimal& d, uint64_t places, bool point) {
  if (d.count == 0 || d.exponent <= 0) {
    put(out, '0');
  } else {
    for (int64_t i = 0; i < d.exponent; ++i) put(out, digit_at(d, i));
  }
  if (places > 0 || point) put(out, '.');
  for (uint64_t i = 0; i < places; ++i) put(out, digit_at(d, d.exponent + static_cast<int64_t>(i)));
}

// In %e's style: d.ddd e+XX (d already rounded to places + 1 digits).
void scientific(lib::Sink& out, const Decimal& d, uint64_t places, bool point, bool upper) {
  put(out, digit_at(d, 0));
  if (places > 0 || point) put(out, '.');
  for (uint64_t i = 0; i < places; ++i) put(out, digit_at(d, static_cast<int64_t>(i) + 1));
  put(out, upper ? 'E' : 'e');
  int64_t e = d.count == 0 ? 0 : d.exponent - 1;
  put(out, e < 0 ? '-' : '+');
  if (e < 0) e = -e;
  char text[24];
  size_t n = 0;
  for (; e > 0 || n < 2; e /= 10) text[n++] = static_cast<char>('0' + e % 10);
  while (n > 0) put(out, text[--n]);
}

// The body (no sign) of d by spec; precision already checked.
void body(lib::Sink& out, Decimal d, const FloatSpec& spec) {
  const bool upper = spec.conversion >= 'A' && spec.conversion <= 'Z';
  if (d.inf || d.nan) {
    out.write(d.inf ? (upper ? "INF" : "inf") : (upper ? "NAN" : "nan"), 3);
    return;
  }
  const char kind = lower(spec.conversion);
  uint64_t places = spec.precision;
  if (kind == 'f') {
    round_digits(&d, d.exponent + static_cast<int64_t>(places));
    return fixed(out, d, places, spec.alt);
  }
  if (kind == 'e') {
    round_digits(&d, static_cast<int64_t>(places) + 1);
    return scientific(out, d, places, spec.alt, upper);
  }
  // %g: precision P significant digits; %e's style if the exponent X < -4 or X >= P.
  const uint64_t p = places == 0 ? 1 : places;
  round_digits(&d, static_cast<int64_t>(p));
  const int64_t x = d.count == 0 ? 0 : d.exponent - 1;
  const bool use_e = x < -4 || x >= static_cast<int64_t>(p);
  places = use_e ? p - 1 : static_cast<uint64_t>(static_cast<int64_t>(p) - 1 - x);
  if (!spec.alt) {                                 // no trailing zeros
    const int64_t first = use_e ? 1 : d.exponent;  // the place of the first decimal
    while (places > 0 && digit_at(d, first + static_cast<int64_t>(places) - 1) == '0') --places;
  }
  if (use_e) return scientific(out, d, places, spec.alt, upper);
  fixed(out, d, places, spec.alt);
}

}  // namespace

NumberStatus parse_decimal(lib::StringView arg, Decimal* out) {
  Decimal d;
  *out = d;
  if (arg.empty()) return NumberStatus::kOk;
  if (arg[0] == '\'' || arg[0] == '"') {
    set_integer(out, arg.size() > 1 ? static_cast<uint8_t>(arg[1]) : 0);
    return arg.size() > 1 ? NumberStatus::kOk : NumberStatus::kNotNumber;
  }
  size_t at = 0;
  while (at < arg.size() && is_blank(arg[at])) ++at;
  if (at < arg.size() && (arg[at] == '-' || arg[at] == '+')) d.negative = arg[at++] == '-';
  const lib::StringView rest = arg.substr(at);
  if (starts_with_word(rest, "inf") || starts_with_word(rest, "nan")) {
    const bool inf = starts_with_word(rest, "inf");
    const size_t length = starts_with_word(rest, "infinity") ? 8 : 3;
    d.inf = inf;
    d.nan = !inf;
    *out = d;
    return at + length == arg.size() ? NumberStatus::kOk : NumberStatus::kPartial;
  }
  if (rest.size() > 2 && rest[0] == '0' && lower(rest[1]) == 'x') {
    // A hex integer (hex fractions and p exponents are not read: kPartial at the '.').
    uint64_t v = 0;
    size_t i = 2;
    bool overflow = false;
    for (; i < rest.size(); ++i) {
      const char c = lower(rest[i]);
      const int digit = is_digit(c) ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
      if (digit < 0) break;
      if (v >> 60) overflow = true;
      v = v * 16 + static_cast<uint64_t>(digit);
    }
    if (i > 2) {
      set_integer(&d, overflow ? UINT64_MAX : v);
      *out = d;
      if (overflow) return NumberStatus::kRange;
      return i == rest.size() ? NumberStatus::kOk : NumberStatus::kPartial;
    }
  }
  bool any = false;
  for (; at < arg.size() && is_digit(arg[at]); ++at, any = true) add_digit(&d, arg[at], true);
  if (at < arg.size() && arg[at] == '.') {
    ++at;
    for (; at < arg.size() && is_digit(arg[at]); ++at, any = true) add_digit(&d, arg[at], false);
  }
  if (!any) return NumberStatus::kNotNumber;
  if (at + 1 < arg.size() && lower(arg[at]) == 'e') {
    size_t i = at + 1;
    bool minus = false;
    if (arg[i] == '-' || arg[i] == '+') minus = arg[i++] == '-';
    if (i < arg.size() && is_digit(arg[i])) {
      int64_t e = 0;
      for (; i < arg.size() && is_digit(arg[i]); ++i)
        if (e < 1'000'000) e = e * 10 + (arg[i] - '0');
      d.exponent += minus ? -e : e;
      at = i;
    }
  }
  trim(&d);
  NumberStatus status = at == arg.size() ? NumberStatus::kOk : NumberStatus::kPartial;
  if (d.count > 0 && d.exponent > kMaxExponent) {
    d.inf = true;
    status = NumberStatus::kRange;
  } else if (d.count > 0 && d.exponent < kMinExponent) {
    d.count = 0;
    d.exponent = 0;
    status = NumberStatus::kRange;
  }
  *out = d;
  return status;
}

void round_digits(Decimal* d, int64_t keep) {
  if (d->count == 0 || keep >= static_cast<int64_t>(d->count)) return;
  if (keep < 0) {
    d->count = 0;
    d->exponent = 0;
    d->sticky = false;
    return;
  }
  const size_t k = static_cast<size_t>(keep);
  const char first = d->digits[k];
  bool rest = d->sticky;
  for (size_t i = k + 1; i < d->count && !rest; ++i) rest = d->digits[i] != '0';
  const bool odd = k > 0 && ((d->digits[k - 1] - '0') & 1);
  const bool up = first > '5' || (first == '5' && (rest || odd));
  d->count = k;
  d->sticky = false;
  if (up) {
    size_t i = k;
    while (i > 0 && d->digits[i - 1] == '9') --i;
    if (i == 0) {  // 999 -> 1000: one digit more before the point
      d->digits[0] = '1';
      d->count = 1;
      ++d->exponent;
    } else {
      ++d->digits[i - 1];
      d->count = i;
    }
  }
  trim(d);
}

NumberStatus format_float(const FloatSpec& spec, lib::StringView arg, lib::Sink& out) {
  Decimal d;
  const NumberStatus status = parse_decimal(arg, &d);
  char sign = 0;
  if (d.negative)
    sign = '-';
  else if (spec.plus)
    sign = '+';
  else if (spec.space)
    sign = ' ';
  Counter counter;
  body(counter, d, spec);
  const uint64_t length = counter.size + (sign ? 1 : 0);
  const uint64_t fill = spec.width > length ? spec.width - length : 0;
  const bool zeros = spec.zero && !spec.left && !d.inf && !d.nan;
  if (!spec.left && !zeros) repeat(out, ' ', fill);
  if (sign) put(out, sign);
  if (zeros) repeat(out, '0', fill);
  body(out, d, spec);
  if (spec.left) repeat(out, ' ', fill);
  return status;
}

}  // namespace util::printf_cmd
