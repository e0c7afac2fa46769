#pragma once
// seq's numbers in fixed point (no floating point here): decimal text with up to kMaxPlaces
// places, held as an int64_t count of 10^-scale units, so every step is exact. Plain code
// that builds on the host (tests/unit/cmd/util_seq_test.cc).

#include <stddef.h>
#include <stdint.h>

#include <lib/string_view.h>

namespace util::seq_cmd {

constexpr unsigned kMaxPlaces = 9;
// The longest number format() writes: sign, 19 digits, point, places, padding.
constexpr size_t kMaxText = 64;

struct Number {
  int64_t scaled = 0;   // value * 10^places
  unsigned places = 0;  // digits after the point, as written
};

// [+-]digits[.digits]: false for anything else, more than kMaxPlaces places, or too big.
bool parse_number(lib::StringView text, Number* out);

enum class PlanError { kNone, kZeroStep, kRange };

struct Plan {
  int64_t first = 0, step = 1, last = 0;  // in 10^-scale units
  unsigned scale = 0;                     // the most places of the three
  unsigned places = 0;                    // printed: the most of FIRST's and INCREMENT's
  size_t width = 0;                       // -w: every number this wide (0: as it comes)
};

PlanError make_plan(Number first, Number step, Number last, bool equal_width, Plan* out);

// value (in the plan's units) as seq prints it, into text (kMaxText bytes); returns its length.
size_t format(const Plan& plan, int64_t value, char* text);

}  // namespace util::seq_cmd
