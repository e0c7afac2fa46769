#include "programs/seq/seq_number.h"

namespace util::seq_cmd {
namespace {

bool scale_up(int64_t v, unsigned by, int64_t* out) {
  for (; by > 0; --by)
    if (__builtin_mul_overflow(v, 10, &v)) return false;
  *out = v;
  return true;
}

uint64_t power10(unsigned n) {
  uint64_t p = 1;
  while (n-- > 0) p *= 10;
  return p;
}

// The text of value, truncated to places decimals, without padding.
size_t plain(int64_t value, unsigned scale, unsigned places, char* text) {
  const bool negative = value < 0;
  const uint64_t magnitude =
      negative ? 0 - static_cast<uint64_t>(value) : static_cast<uint64_t>(value);
  const uint64_t unit = power10(scale);
  uint64_t whole = magnitude / unit;
  const uint64_t fraction = (magnitude % unit) / power10(scale - places);
  size_t n = 0;
  if (negative) text[n++] = '-';
  char digits[24];
  size_t k = 0;
  do {
    digits[k++] = static_cast<char>('0' + whole % 10);
    whole /= 10;
  } while (whole > 0);
  while (k > 0) text[n++] = digits[--k];
  if (places > 0) {
    text[n++] = '.';
    uint64_t f = fraction;
    for (unsigned i = places; i > 0; --i) {
      text[n + i - 1] = static_cast<char>('0' + f % 10);
      f /= 10;
    }
    n += places;
  }
  return n;
}

}  // namespace

bool parse_number(lib::StringView text, Number* out) {
  size_t at = 0;
  bool negative = false;
  if (at < text.size() && (text[at] == '-' || text[at] == '+')) negative = text[at++] == '-';
  uint64_t magnitude = 0;
  unsigned places = 0;
  bool digits = false, point = false;
  for (; at < text.size(); ++at) {
    const char c = text[at];
    if (c == '.' && !point) {
      point = true;
      continue;
    }
    if (c < '0' || c > '9') return false;
    if (point && ++places > kMaxPlaces) return false;
    if (magnitude > (UINT64_MAX - 9) / 10) return false;
    magnitude = magnitude * 10 + static_cast<uint64_t>(c - '0');
    digits = true;
  }
  if (!digits || magnitude > (uint64_t{1} << 63) - 1) return false;
  out->scaled = negative ? -static_cast<int64_t>(magnitude) : static_cast<int64_t>(magnitude);
  out->places = places;
  return true;
}

PlanError make_plan(Number first, Number step, Number last, bool equal_width, Plan* out) {
  Plan p;
  p.places = first.places > step.places ? first.places : step.places;
  p.scale = p.places > last.places ? p.places : last.places;
  if (!scale_up(first.scaled, p.scale - first.places, &p.first) ||
      !scale_up(step.scaled, p.scale - step.places, &p.step) ||
      !scale_up(last.scaled, p.scale - last.places, &p.last))
    return PlanError::kRange;
  if (p.step == 0) return PlanError::kZeroStep;
  if (equal_width) {
    char text[kMaxText];
    const size_t a = plain(p.first, p.scale, p.places, text);
    const size_t b = plain(p.last, p.scale, p.places, text);
    p.width = a > b ? a : b;
  }
  *out = p;
  return PlanError::kNone;
}

size_t format(const Plan& plan, int64_t value, char* text) {
  char body[kMaxText];
  const size_t n = plain(value, plan.scale, plan.places, body);
  size_t at = 0;
  size_t from = 0;
  if (body[0] == '-') text[at++] = '-', from = 1;
  for (size_t pad = n; pad < plan.width && at < kMaxText / 2; ++pad) text[at++] = '0';
  for (size_t i = from; i < n; ++i) text[at++] = body[i];
  return at;
}

}  // namespace util::seq_cmd
