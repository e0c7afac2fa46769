#pragma once
// sleep's operands: a decimal number of seconds (12, 1.5, .25) with an optional unit s, m, h
// or d, or inf / infinity, in nanoseconds without floating point. Plain code that builds on
// the host (tests/unit/cmd/util_sleep_test.cc).

#include <stdint.h>

#include <lib/string_view.h>

namespace util::sleep_cmd {

// Nanoseconds saturate here: about 584 years, as good as forever.
constexpr uint64_t kForever = UINT64_MAX;

// text in nanoseconds (digits past the ninth place round up: sleep at least as asked), or
// false if it is not a duration.
bool parse_duration(lib::StringView text, uint64_t* ns);

// a + b, saturating at kForever.
uint64_t add_saturating(uint64_t a, uint64_t b);

}  // namespace util::sleep_cmd
