#pragma once
// Calendar dates and times of day (UTC, proleptic Gregorian, no leap seconds) and their
// conversion to and from seconds since 1970-01-01 00:00:00 UTC, the Unix epoch. The kernel
// turns the real-time clock's reading into its wall clock with it; file systems could format
// their timestamps with it.

#include <cstdint>

#include <lib/result.h>

namespace lib {

struct DateTime {
  uint32_t year = 1970;
  uint8_t month = 1;  // 1..12
  uint8_t day = 1;    // 1..days_in_month(year, month)
  uint8_t hour = 0;   // 0..23
  uint8_t minute = 0;
  uint8_t second = 0;  // 0..59: no leap seconds

  bool operator==(const DateTime&) const = default;
};

// Gregorian rules: every fourth year, but not centuries unless divisible by 400.
constexpr bool is_leap_year(uint32_t year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}
// 0 for a month outside 1..12.
uint8_t days_in_month(uint32_t year, uint8_t month);

// Seconds since the epoch. Errors: InvalidArgument (a field out of its range, e.g. February
// 30th, hour 24, or a year before 1970 or after 9999).
Result<uint64_t> seconds_since_epoch(const DateTime& t);
// The date and time `seconds` after the epoch; the inverse of seconds_since_epoch. Seconds
// past 9999-12-31 23:59:59 (kMaxSeconds) give that.
constexpr uint64_t kMaxSeconds = 253402300799;
DateTime date_from_seconds(uint64_t seconds);

}  // namespace lib
