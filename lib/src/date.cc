#include <lib/date.h>

namespace lib {
namespace {

constexpr uint32_t kMaxYear = 9999;
constexpr uint64_t kSecondsPerDay = 86400;
constexpr uint64_t kDaysPer400Years = 146097;
// Days from 0000-03-01 (the proleptic calendar's first March-based year) to 1970-01-01.
constexpr uint64_t kEpochDays = 719468;

// Counting years from March, February is the year's last month and its leap day the year's
// last day, so the day of the year does not depend on whether the year is a leap year (the
// algorithm of Howard Hinnant's "chrono-Compatible Low-Level Date Algorithms").
constexpr uint64_t days_from_civil(uint32_t year, uint32_t month, uint32_t day) {
  const uint32_t y = month <= 2 ? year - 1 : year;  // year >= 1970, so no wrap-around
  const uint32_t era = y / 400;
  const uint32_t year_of_era = y - era * 400;  // 0..399
  const uint32_t day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const uint32_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return uint64_t{era} * kDaysPer400Years + day_of_era - kEpochDays;
}

}  // namespace

uint8_t days_in_month(uint32_t year, uint8_t month) {
  constexpr uint8_t kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12) return 0;
  if (month == 2 && is_leap_year(year)) return 29;
  return kDays[month - 1];
}

Result<uint64_t> seconds_since_epoch(const DateTime& t) {
  if (t.year < 1970 || t.year > kMaxYear) return Error::InvalidArgument;
  if (t.day < 1 || t.day > days_in_month(t.year, t.month)) return Error::InvalidArgument;
  if (t.hour > 23 || t.minute > 59 || t.second > 59) return Error::InvalidArgument;
  const uint64_t days = days_from_civil(t.year, t.month, t.day);
  return days * kSecondsPerDay + uint64_t{t.hour} * 3600 + uint64_t{t.minute} * 60 + t.second;
}

DateTime date_from_seconds(uint64_t seconds) {
  if (seconds > kMaxSeconds) seconds = kMaxSeconds;
  const uint64_t days = seconds / kSecondsPerDay + kEpochDays;
  const uint64_t second_of_day = seconds % kSecondsPerDay;
  const uint64_t era = days / kDaysPer400Years;
  const auto day_of_era = static_cast<uint32_t>(days - era * kDaysPer400Years);  // 0..146096
  const uint32_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const uint32_t day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const uint32_t march_month = (5 * day_of_year + 2) / 153;  // 0 is March
  DateTime t;
  t.day = static_cast<uint8_t>(day_of_year - (153 * march_month + 2) / 5 + 1);
  t.month = static_cast<uint8_t>(march_month < 10 ? march_month + 3 : march_month - 9);
  t.year = static_cast<uint32_t>(era * 400 + year_of_era + (t.month <= 2 ? 1 : 0));
  t.hour = static_cast<uint8_t>(second_of_day / 3600);
  t.minute = static_cast<uint8_t>(second_of_day / 60 % 60);
  t.second = static_cast<uint8_t>(second_of_day % 60);
  return t;
}

}  // namespace lib
