#include "programs/sleep/duration.h"

namespace util::sleep_cmd {
namespace {

constexpr uint64_t kNsPerSecond = 1'000'000'000;

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool equals_folded(lib::StringView text, lib::StringView word) {
  if (text.size() != word.size()) return false;
  for (size_t i = 0; i < text.size(); ++i)
    if (lower(text[i]) != word[i]) return false;
  return true;
}

uint64_t multiply_saturating(uint64_t a, uint64_t b) {
  uint64_t r = 0;
  return __builtin_mul_overflow(a, b, &r) ? kForever : r;
}

}  // namespace

uint64_t add_saturating(uint64_t a, uint64_t b) { return a > kForever - b ? kForever : a + b; }

bool parse_duration(lib::StringView text, uint64_t* ns) {
  uint64_t unit = 1;  // seconds per unit
  if (!text.empty()) {
    switch (text[text.size() - 1]) {
      case 's': unit = 1; break;
      case 'm': unit = 60; break;
      case 'h': unit = 3600; break;
      case 'd': unit = 86400; break;
      default: unit = 0; break;
    }
    if (unit != 0) text = text.substr(0, text.size() - 1);
    if (unit == 0) unit = 1;
  }
  if (!text.empty() && text[0] == '+') text = text.substr(1);
  if (equals_folded(text, "inf") || equals_folded(text, "infinity")) {
    *ns = kForever;
    return true;
  }
  uint64_t whole = 0;     // seconds, saturating
  uint64_t fraction = 0;  // nanoseconds
  uint64_t scale = kNsPerSecond / 10;
  bool point = false, digits = false, rest = false;
  for (const char c : text) {
    if (c == '.' && !point) {
      point = true;
      continue;
    }
    if (c < '0' || c > '9') return false;
    digits = true;
    const auto d = static_cast<uint64_t>(c - '0');
    if (!point) {
      whole = add_saturating(multiply_saturating(whole, 10), d);
    } else if (scale > 0) {
      fraction += d * scale;
      scale /= 10;
    } else if (d != 0) {
      rest = true;
    }
  }
  if (!digits) return false;
  if (rest) ++fraction;
  // (whole + fraction / 1e9) * unit seconds, in nanoseconds.
  const uint64_t from_whole = multiply_saturating(multiply_saturating(whole, unit), kNsPerSecond);
  *ns = add_saturating(from_whole, fraction * unit);  // fraction * unit < 1e9 * 86400: fits
  return true;
}

}  // namespace util::sleep_cmd
